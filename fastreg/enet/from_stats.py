"""Every Gram-based solver, fed from :class:`~fastreg.GramStats` instead of (X, y).

The covariance-mode path needs ``X^T X``, ``X^T y`` and ``y^T y`` (its duality
gap and KKT checks too), and ridge one eigendecomposition of ``X^T X``: all
come from the statistics, so these functions never see a row of X. On the
same data they return what the in-memory functions return, to rounding.
"""

import numpy as np

from .. import _validation
from ..stats.gramstats import check_stats
from .options import PathOptions, Penalty, check_grid
from .pipeline import run_path
from .prepare import design_from_stats


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
    return_result=False,
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
    return_result : bool, default=False
        Return an :class:`~fastreg.EnetPathResult` (deviance ratio, nonzeros,
        exact solutions between grid points) instead of the tuple.

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
    penalty = Penalty.validate(stats.n_features, l1_ratio=l1_ratio,
                               penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                               upper_bounds=upper_bounds, positive=positive)
    options = PathOptions.validate(
        grid=check_grid(alphas), eps=eps, tol=tol, max_iter=max_iter, selection=selection,
        random_state=random_state, do_screening=do_screening, verbose=verbose,
        max_features=max_features, min_dev_change=min_dev_change, callback=callback)
    if coef_init is not None:
        coef_init = _validation.check_coef_init(coef_init, (stats.n_features,), np.float64)
    design = design_from_stats(stats, center=bool(fit_intercept),
                               standardize=bool(standardize), scale=stats.n_samples,
                               dtype=stats.dtype)
    result = run_path(design, penalty, options, coef_init)
    if return_result:
        return result
    return result.as_tuple(return_n_iter=return_n_iter, return_intercept=return_intercept)


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

