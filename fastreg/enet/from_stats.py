"""Every Gram-based solver, fed from :class:`~fastreg.GramStats` instead of (X, y).

The covariance-mode path needs ``X^T X``, ``X^T y`` and ``y^T y`` (its duality
gap and KKT checks too), and ridge one eigendecomposition of ``X^T X``: all
come from the statistics, so these functions never see a row of X. On the
same data they return what the in-memory functions return, to rounding.
"""

from numbers import Integral

import numpy as np

from .. import _validation
from .driver import feature_box, path_alpha_max, solve_path
from ..stats.gramstats import check_stats
from .grid import alpha_grid
from .designs import GramProblem
from .._scaling import IDENTITY, moments_scale


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

