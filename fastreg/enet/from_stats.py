"""Every Gram-based solver, fed from :class:`~fastreg.GramStats` instead of (X, y).

The covariance-mode path needs ``X^T X``, ``X^T y`` and ``y^T y`` (its duality
gap and KKT checks too), and ridge one eigendecomposition of ``X^T X``: all
come from the statistics, so these functions never see a row of X. On the
same data they return what the in-memory functions return, to rounding.
"""

from numbers import Integral

import numpy as np

from ..ridge import loo as _loo
from .. import _validation
from .driver import feature_box, path_alpha_max, solve_path
from ..stats.gramstats import GramStats
from .grid import alpha_grid
from .designs import GramProblem
from .._scaling import IDENTITY, moments_scale
from ..ridge.spectral import (
    intercepts,
    path_solutions,
    primal_coefs,
    primal_spectrum,
    target_coefs,
)
from ..stats.blocks import PrimalStats


def check_stats(stats, *, single_target=False):
    """``stats`` must be a :class:`~fastreg.GramStats` (with one target if asked)."""
    if not isinstance(stats, GramStats):
        raise TypeError(f"Expected fastreg.GramStats, got {type(stats).__name__}.")
    if single_target and stats.n_targets != 1:
        raise ValueError(
            f"These statistics have {stats.n_targets} targets; the lasso / elastic-net "
            "path from statistics takes one (pick one with stats.target(t))."
        )
    if not stats.weight_sum > 0:
        raise ValueError("The statistics carry no weight (sum of sample weights is 0).")
    return stats


def grid_size(alphas):
    """An int grid size, or a validated explicit grid (decreasing)."""
    if isinstance(alphas, Integral) and not isinstance(alphas, bool):
        if alphas < 1:
            raise ValueError(f"alphas must be >= 1 when an integer (a grid size), "
                             f"got {alphas!r}.")
        return int(alphas)
    return _validation.check_alphas(alphas)


def check_extras(n_features, penalty_factor=None, lower_bounds=None, upper_bounds=None,
                 standardize=False):
    """fastreg's per-feature options of a single-target path, validated.

    Returns
    -------
    dict
        ``factors`` and ``bounds`` (None when left at their defaults) and
        ``standardize``: the keywords :func:`stats_path` takes.
    """
    return dict(factors=_validation.check_penalty_factor(penalty_factor, n_features),
                bounds=_validation.check_bounds(lower_bounds, upper_bounds, n_features),
                standardize=bool(standardize))


def stats_problem(stats, *, center, scale, standardize=False):
    """The covariance-mode problem of ``stats``, its column scales and its rescaling.

    Standardized columns are ``x_j / s_j`` with ``s_j`` the weighted population
    standard deviation (1 for a constant column), as :func:`fastreg.enet_path`
    uses for ``standardize=True``; ``col_scale`` is None unless standardized.
    Moments far from unit scale are then multiplied by powers of two
    (:func:`fastreg._scaling.moments_scale`), so the solvers never under- or
    overflow; ``rescale`` says by how much (coefficients ``w`` of the
    statistics' data are ``rescale.coef_to_internal(w * col_scale)`` in the
    problem).

    Returns
    -------
    problem : GramProblem
    col_scale : ndarray of shape (n_features,) or None
    rescale : DataScale
    """
    gram, xty = stats.gram(center=center), stats.xty(center=center)[:, 0]
    yty = stats.yty(center=center)[0]
    col_scale = None
    if standardize:
        col_scale = np.where(stats.x_std > 0, stats.x_std, 1.0)
        gram = gram / np.outer(col_scale, col_scale)
        xty = xty / col_scale
    rescale = moments_scale(np.diag(gram), yty, stats.weight_sum)
    if rescale.active:
        gram, xty = rescale.gram_to_internal(gram), rescale.xy_to_internal(xty)
        yty = rescale.yy_to_internal(yty)
    problem = GramProblem.from_gram(gram, xty, yty, scale)
    return problem, col_scale, rescale


def stats_path(stats, grid, *, l1_ratio, eps, center, scale, coef_init=None, positive=False,
               tol=1e-4, max_iter=1000, seed=-1, do_screening=True, verbose=0,
               factors=None, bounds=None, standardize=False, max_features=None,
               min_dev_change=None, callback=None, data_scale=IDENTITY, dtype=np.float64):
    """The elastic-net path of the problem ``stats`` describes, scaled by ``1/(2 scale)``.

    ``factors`` / ``bounds`` / ``standardize`` are validated options
    (:func:`check_extras`); coefficients and bounds are on the original scale.
    ``data_scale``: the statistics are those of the caller's data rescaled by
    it (:mod:`fastreg._scaling`); alphas, options and results are the caller's.
    ``dtype``: that of the coefficients returned to the user; float32 ones are
    solved as float32 numbers, so the gaps certify the coefficients returned.

    Returns
    -------
    alphas, coefs (n_features, n_alphas) float64, gaps, n_iters, intercepts (n_alphas,)
        Truncated alike when a path control stopped the path early.
    """
    problem, col_scale, inner = stats_problem(stats, center=center, scale=scale,
                                              standardize=standardize)
    # caller -> statistics (data_scale) -> standardized -> problem (inner);
    # standardized columns are unit-scale whatever X's scale: the penalties and
    # gaps see y's factor alone
    rescale = data_scale.then(inner)
    solve_scale = (data_scale.standardized() if standardize else data_scale).then(inner)
    ones = np.ones(stats.n_features)
    coef_scale = rescale.coef_to_internal(ones if col_scale is None else col_scale)
    box = None
    if factors is not None or bounds is not None:
        box = feature_box(problem, factors, bounds, positive, coef_scale)
    W = np.zeros(stats.n_features, dtype=dtype)
    if isinstance(grid, int):
        top = path_alpha_max(problem, box, W, scale, l1_ratio, positive=positive, tol=tol,
                             max_iter=max_iter)
        grid = alpha_grid(solve_scale.alpha_to_user(top), grid, eps,
                          unit=solve_scale.alpha_unit)
    if coef_init is not None:
        W[:] = _validation.check_coef_init(coef_init, (stats.n_features,), np.float64)
        W *= coef_scale
        if positive:
            np.maximum(W, 0.0, out=W)
    if callback is not None and col_scale is not None:
        user_callback = callback

        user_scale = data_scale.x_to_user(col_scale)  # coef arrives on solve_scale

        def callback(index, alpha, coef, gap, n_active):
            return user_callback(index, alpha, coef / user_scale, gap, n_active)

    coefs, gaps, n_iters = solve_path(problem, grid, l1_ratio, W, positive=bool(positive),
                                      tol=tol, max_iter=max_iter, seed=seed,
                                      do_screening=bool(do_screening),
                                      verbose=_validation.check_verbose(verbose),
                                      box=box, max_features=max_features,
                                      min_dev_change=min_dev_change, callback=callback,
                                      data_scale=solve_scale)
    grid = grid[:coefs.shape[1]]
    coefs = inner.coef_to_user(coefs)  # on the statistics' scale
    if col_scale is not None:
        coefs = coefs / col_scale[:, None]
    if center:
        offsets = stats.y_mean[0] - stats.x_mean @ coefs
    else:
        offsets = np.zeros(grid.shape[0])
    return (grid, data_scale.coef_to_user(coefs), solve_scale.gap_to_user(gaps), n_iters,
            np.asarray(data_scale.intercept_to_user(offsets)))


def enet_path_from_stats(
    stats,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    alphas=100,
    fit_intercept=False,
    coef_init=None,
    positive=False,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    do_screening=True,
    verbose=False,
    return_n_iter=False,
    return_intercept=False,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    standardize=False,
    max_features=None,
    min_dev_change=None,
    callback=None,
):
    """The elastic-net path from sufficient statistics (covariance updates).

    Minimizes, at every alpha of the grid, exactly the objective of
    :func:`fastreg.enet_path` on the data the statistics were built from::

        1 / (2 * n_samples) * sum_i s_i * (y_i - x_i w - b)^2
        + alpha * sum_j v_j * (l1_ratio * |w_j| + 0.5 * (1 - l1_ratio) * w_j^2)
        subject to lower_j <= w_j <= upper_j

    with sample weights ``s_i`` (1 without weights), penalty factors ``v_j``
    (1 by default) and ``b = 0`` unless ``fit_intercept`` (then ``b`` is
    unpenalized: the problem is that of the centered data). With
    ``standardize`` the path is that of the columns ``x_j / sd_j`` (weighted
    population standard deviations), reported on the original scale, exactly
    as :func:`fastreg.enet_path` with the same options. The result equals
    ``enet_path(X, y, sample_weight=s, ...)`` to rounding; the stopping rule
    (duality gap ``<= tol * sum_i s_i y_i^2 / n_samples``, with centered y
    under ``fit_intercept``) and the gap are computed from the statistics.

    Parameters
    ----------
    stats : GramStats
        Statistics of (X, y) with one target.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1].
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` for an integer ``alphas``.
    alphas : int or array-like, default=100
        Grid size (geometric from ``alpha_max``) or the alphas themselves
        (solved in decreasing order).
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (center X and y at their weighted means).
    coef_init : array-like of shape (n_features,), default=None
        Starting coefficients.
    positive : bool, default=False
        Constrain coefficients to be non-negative.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    max_iter : int, default=1000
        Maximum sweeps per alpha (ConvergenceWarning when reached).
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order.
    do_screening : bool, default=True
        Gap-safe screening.
    verbose : bool or int, default=False
        Per-alpha progress on stderr.
    return_n_iter : bool, default=False
        Also return the sweeps per alpha.
    return_intercept : bool, default=False
        Also return the intercepts per alpha (last element).
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative multipliers of each feature's penalty (0: unpenalized,
        ``inf``: excluded), as in :func:`fastreg.enet_path`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (original scale); ``lower <= 0 <= upper``.
    standardize : bool, default=False
        Fit on unit-variance columns, report coefficients on the original scale.
    max_features : int, default=None
        Stop the path after the first alpha with more nonzeros than this.
    min_dev_change : float, default=None
        Stop the path when the fraction of deviance explained changes by less
        than this between consecutive alphas.
    callback : callable, default=None
        ``callback(index, alpha, coef, gap, n_active)`` after every alpha;
        returning True stops the path.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing; truncated (like every array returned) when a path control
        stopped the path early.
    coefs : ndarray of shape (n_features, n_alphas)
        In the dtype of the X the statistics came from.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at every alpha.
    n_iters : list of int
        Only with ``return_n_iter``.
    intercepts : ndarray of shape (n_alphas,)
        Only with ``return_intercept``.

    See Also
    --------
    GramStats : How to build the statistics.
    enet_path : The same path from (X, y).
    """
    stats = check_stats(stats, single_target=True)
    l1_ratio = _validation.check_l1_ratio(l1_ratio)
    grid = grid_size(alphas)
    extras = check_extras(stats.n_features, penalty_factor, lower_bounds, upper_bounds,
                          standardize)
    seed = (_validation.random_seed(random_state)
            if _validation.check_selection(selection) == "random" else -1)
    grid, coefs, gaps, n_iters, offsets = stats_path(
        stats, grid, l1_ratio=l1_ratio, eps=_validation.check_positive_real(eps, "eps"),
        center=bool(fit_intercept), scale=stats.n_samples, coef_init=coef_init,
        positive=positive, tol=_validation.check_positive_real(tol, "tol", allow_zero=True),
        max_iter=_validation.check_positive_int(max_iter, "max_iter"), seed=seed,
        do_screening=do_screening, verbose=verbose,
        max_features=_validation.check_max_features(max_features),
        min_dev_change=_validation.check_min_dev_change(min_dev_change),
        callback=_validation.check_callback(callback), dtype=stats.dtype, **extras)
    out = [grid, coefs.astype(stats.dtype), gaps]
    if return_n_iter:
        out.append(n_iters)
    if return_intercept:
        out.append(offsets.astype(stats.dtype))
    return tuple(out)


def lasso_path_from_stats(stats, **kwargs):
    """The lasso path from sufficient statistics: :func:`enet_path_from_stats` at l1_ratio=1.

    The objective at each alpha is::

        1 / (2 * n_samples) * sum_i s_i * (y_i - x_i w - b)^2 + alpha * ||w||_1

    Parameters
    ----------
    stats : GramStats
        Statistics of (X, y) with one target.
    **kwargs
        Any keyword of :func:`enet_path_from_stats` except ``l1_ratio``.

    Returns
    -------
    tuple
        As :func:`enet_path_from_stats`.

    See Also
    --------
    enet_path_from_stats : The elastic-net version.
    """
    if "l1_ratio" in kwargs:
        raise TypeError("lasso_path_from_stats() got an unexpected keyword argument 'l1_ratio'")
    return enet_path_from_stats(stats, l1_ratio=1.0, **kwargs)


def primal_stats(stats, *, center):
    """The ridge solvers' internal statistics from a public :class:`GramStats`."""
    n_features = stats.n_features
    return PrimalStats(
        stats.gram(center=center), stats.xty(center=center), stats.yty(center=center),
        stats.x_mean if center else np.zeros(n_features),
        stats.y_mean if center else np.zeros(stats.n_targets), None,
        stats.weight_sum, stats.n_samples, bool(center))


def ridge_path_from_stats(stats, alphas, *, fit_intercept=False, return_intercept=False):
    """Ridge coefficients for many alphas and targets from sufficient statistics.

    Minimizes, for every alpha and target ``t``, the objective of
    :func:`fastreg.ridge_path`::

        sum_i s_i * (y_it - x_i w_t - b_t)^2 + alpha * ||w_t||^2_2

    with one eigendecomposition of the (centered, under ``fit_intercept``)
    Gram matrix of the statistics.

    Parameters
    ----------
    stats : GramStats
        Statistics of (X, y).
    alphas : array-like of shape (n_alphas,)
        Non-negative penalties, in any order.
    fit_intercept : bool, default=False
        Fit an unpenalized intercept per target.
    return_intercept : bool, default=False
        Also return the intercepts.

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_features) or (n_alphas, n_targets, n_features)
        The first form when the statistics came from a 1-D y.
    intercepts : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Only with ``return_intercept``.

    See Also
    --------
    ridge_path : The same from (X, y).
    """
    stats = check_stats(stats)
    alphas = _validation.check_ridge_alphas(alphas)
    internal = primal_stats(stats, center=bool(fit_intercept))
    _validation.check_finite_column_stats(np.diag(internal.gram))
    spec = primal_spectrum(internal)
    coefs = primal_coefs(internal, spec, alphas)
    offsets = intercepts(internal.x_mean, internal.y_mean, coefs)
    if stats.single_target:
        coefs, offsets = coefs[:, 0], offsets[:, 0]
    coefs = coefs.astype(stats.dtype)
    if return_intercept:
        return coefs, offsets.astype(stats.dtype)
    return coefs


def ridge_fold_errors(fold_stats, alphas, *, center, total=None):
    """Mean over folds of each fold's mean squared validation error.

    Parameters
    ----------
    fold_stats : list of GramStats
    alphas : ndarray of shape (n_alphas,)
    center : bool
    total : GramStats, default=None
        The sum of ``fold_stats`` (computed when None).

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets, n_folds)
    """
    total = sum(fold_stats[1:], fold_stats[0]) if total is None else total
    out = np.empty((len(alphas), total.n_targets, len(fold_stats)))
    for k, fold in enumerate(fold_stats):
        train = primal_stats(total - fold, center=center)
        coefs = primal_coefs(train, primal_spectrum(train), alphas)  # (A, T, p)
        offsets = intercepts(train.x_mean, train.y_mean, coefs)  # (A, T)
        for t in range(total.n_targets):
            target = fold.target(t)
            rss = target.residual_sum_of_squares(coefs[:, t, :].T, offsets[:, t])
            out[:, t, k] = rss / fold.weight_sum
    return out


def ridge_cv_from_stats(stats, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True,
                        alpha_per_target=False):
    """Choose the ridge penalty from statistics: GCV, or K-fold from per-fold statistics.

    The objective for each alpha is that of :func:`fastreg.ridge_path`::

        sum_i s_i * (y_it - x_i w_t - b_t)^2 + alpha * ||w_t||^2_2

    Given one :class:`GramStats`, the criterion is generalized cross-validation
    (exact leave-one-out needs the rows). Given a list of per-fold statistics
    (:meth:`GramStats.from_folds`), it is K-fold cross-validation: fold k is
    fit on ``total - fold_k`` and scored on ``fold_k`` from its statistics; the
    error is the mean over folds of each fold's weighted mean squared error.

    Parameters
    ----------
    stats : GramStats or list of GramStats
        All data (GCV) or one entry per fold (K-fold).
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Strictly positive penalties, in the order given.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept per target.
    alpha_per_target : bool, default=False
        One alpha per target instead of one shared.

    Returns
    -------
    RidgeCVResult
        ``criterion`` is ``'gcv'`` or ``'kfold'``; ``cv_results`` holds the
        per-fold errors (n_alphas, n_folds) or (n_alphas, n_targets, n_folds)
        for K-fold.

    See Also
    --------
    ridge_cv : The same from (X, y), with exact leave-one-out.
    """
    from ..ridge.path import RidgeCVResult

    alphas = _validation.check_ridge_alphas(alphas, strictly_positive=True)
    center = bool(fit_intercept)
    if isinstance(stats, GramStats):
        total = check_stats(stats)
        internal = primal_stats(total, center=center)
        spec = primal_spectrum(internal)
        refined = path_solutions(None, None, internal, spec, alphas)
        mse = _loo.gcv_from_moments(internal.yty, total.n_samples, center, spec, alphas,
                                    stats=internal, refined=refined)
        per_fold, criterion = None, "gcv"
    else:
        fold_stats = [check_stats(s) for s in stats]
        if len(fold_stats) < 2:
            raise ValueError("K-fold cross-validation needs statistics of at least 2 folds.")
        total = sum(fold_stats[1:], fold_stats[0])
        per_fold = ridge_fold_errors(fold_stats, alphas, center=center, total=total)
        mse, criterion = per_fold.mean(axis=2), "kfold"
        internal = primal_stats(total, center=center)
        spec = primal_spectrum(internal)
    best = _loo.select(mse, per_target=bool(alpha_per_target))
    chosen = alphas[best]
    coef, x_mean = target_coefs(None, None, internal, spec, chosen)
    offsets = internal.y_mean - coef @ x_mean
    coef = coef.astype(total.dtype)
    if total.single_target:
        return RidgeCVResult(float(chosen[0]), coef[0], float(offsets[0]), alphas, mse[:, 0],
                             criterion, None if per_fold is None else per_fold[:, 0, :])
    alpha = chosen.astype(np.float64) if alpha_per_target else float(chosen[0])
    return RidgeCVResult(alpha, coef, offsets.astype(total.dtype), alphas, mse, criterion,
                         per_fold)
