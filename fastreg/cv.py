"""K-fold cross-validation of the lasso / elastic-net path at about one pass over X.

Per-fold statistics are built once (:meth:`GramStats.from_folds`); fold k is
fit on ``total - fold_k`` (a p x p subtraction, no pass over X) and scored on
``fold_k`` from its own statistics, so the validation error of a whole path
costs O(p^2) per alpha instead of a pass over the held-out rows. Problems
without a usable Gram matrix (more features than samples, or a Gram over the
memory budget) run the same protocol on the rows themselves.

The protocol is scikit-learn's ``LassoCV`` / ``ElasticNetCV``: the grid from
all data, every fold fit with an intercept on the training rows (weights
rescaled to sum to the number of training rows, i.e. the data term is scaled
by the training weight sum), the error of a fold the weighted mean squared
error of its held-out rows, the choice the alpha of least mean error over
folds, the refit on all data.
"""

from contextlib import nullcontext
from dataclasses import dataclass, replace

import numpy as np

from . import _parallel, _validation
from ._precision import reachable_tol, warn_float32_reach
from .enet.options import DataOptions, PathOptions, Penalty, check_grid
from .enet.pipeline import path_grid, run_path
from .enet.prepare import design_from_arrays, design_from_stats
from .folds import one_standard_error, resolve_folds
from .stats.gramstats import GramStats, check_stats, sum_stats


@dataclass(frozen=True)
class EnetCVResult:
    """The outcome of :func:`enet_cv` / :func:`lasso_cv`.

    Parameters
    ----------
    alpha : float
        The alpha of least mean cross-validation error (``ElasticNetCV.alpha_``).
    alpha_1se : float
        The largest alpha whose mean error is within one standard error of the
        least (glmnet's ``lambda.1se``), for the chosen ``l1_ratio``.
    l1_ratio : float
        The chosen l1_ratio (``ElasticNetCV.l1_ratio_``).
    alphas : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
        The grid (one row per l1_ratio when several were given).
    mse_path : ndarray of shape (n_alphas, n_folds) or (n_l1_ratios, n_alphas, n_folds)
        Mean squared validation error of every fold (``ElasticNetCV.mse_path_``).
    cv_mean : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
        Its mean over folds.
    cv_std_error : ndarray, same shape as ``cv_mean``
        Standard error of that mean: the standard deviation over folds
        (``ddof=1``) over ``sqrt(n_folds)``.
    coef : ndarray of shape (n_features,)
        Refit on all data at ``alpha`` (``ElasticNetCV.coef_``).
    intercept : float
        ``ElasticNetCV.intercept_``.
    coefs : ndarray of shape (n_features, n_alphas)
        The refit path on all data for the chosen l1_ratio.
    intercepts : ndarray of shape (n_alphas,)
        Its intercepts.
    dual_gaps : ndarray of shape (n_alphas,)
        Its duality gaps.
    n_iters : list of int
        Its sweeps per alpha.
    best_index : int
        Index of ``alpha`` in the chosen row of ``alphas``.
    index_1se : int
        Index of ``alpha_1se``.
    folds : ndarray of shape (n_samples,) or None
        Fold id of every row (None when fitted from statistics).
    """

    alpha: float
    alpha_1se: float
    l1_ratio: float
    alphas: np.ndarray
    mse_path: np.ndarray
    cv_mean: np.ndarray
    cv_std_error: np.ndarray
    coef: np.ndarray
    intercept: float
    coefs: np.ndarray
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    n_iters: list
    best_index: int
    index_1se: int
    folds: np.ndarray | None = None

    @property
    def n_nonzero(self):
        """Nonzero coefficients of the refit path at every alpha, shape (n_alphas,)."""
        return np.count_nonzero(self.coefs, axis=0)

    @property
    def dual_gap(self):
        """Duality gap of the refit at ``alpha``."""
        return float(self.dual_gaps[self.best_index])

    @property
    def n_iter(self):
        """Sweeps of the refit at ``alpha``."""
        return int(self.n_iters[self.best_index])


def choose_cv_route(n_samples, n_features):
    """``'stats'`` (per-fold Gram statistics) when a Gram matrix pays, else ``'rows'``.

    Parameters
    ----------
    n_samples, n_features : int

    Returns
    -------
    {'stats', 'rows'}
    """
    if n_samples <= n_features:
        return "rows"
    if n_features * n_features * 8 > _validation.GRAM_MAX_BYTES:
        return "rows"
    return "stats"


def _summarize(mse_path):
    n_folds = mse_path.shape[-1]
    # errors divided by their largest (a power of two): squares of errors of
    # data near either end of the double range would under- or overflow
    with np.errstate(invalid="ignore"):
        top = np.max(np.abs(mse_path), axis=-1, keepdims=True)
    unit = np.ldexp(1.0, np.frexp(np.where(np.isfinite(top) & (top > 0), top, 1.0))[1])
    scaled = mse_path / unit
    mean = scaled.mean(axis=-1) * unit[..., 0]
    se = scaled.std(axis=-1, ddof=1) * unit[..., 0] / np.sqrt(n_folds)
    return mean, se


def _l1_ratios(l1_ratio):
    arr = _validation.as_array(l1_ratio, "l1_ratio")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"l1_ratio must be a float or a list of floats, got {l1_ratio!r}.")
    ratios = np.atleast_1d(arr.astype(np.float64))
    if ratios.ndim != 1 or ratios.size == 0:
        raise ValueError("l1_ratio must be a float or a non-empty 1-D list of floats.")
    return [_validation.check_l1_ratio(float(r)) for r in ratios], np.ndim(l1_ratio) == 0


@dataclass(frozen=True)
class _Plan:
    """What every fit of one cross-validation shares.

    ``penalties``: one :class:`Penalty` per l1_ratio; ``options``: the path
    options of every fit (``grid``: a size or the alphas); ``data``: the
    intercept and standardization of every fit; ``n_jobs``: threads.
    """

    penalties: list
    options: PathOptions
    data: DataOptions
    n_jobs: int = 1

    @classmethod
    def validate(cls, n_features, *, l1_ratio, grid, penalty_keywords, path_keywords, data,
                 n_jobs):
        """The plan of checked keywords; ``l1_ratio`` a float or a list of them."""
        penalties = [Penalty.validate(n_features, l1_ratio=r, **penalty_keywords)
                     for r in _l1_ratios(l1_ratio)[0]]
        options = PathOptions.validate(grid=grid, **path_keywords)
        return cls(penalties, options, data, _parallel.effective_n_jobs(n_jobs))

    def fit(self, design, r, grid):
        """The path of l1_ratio number ``r`` on ``design`` at the alphas ``grid``."""
        return run_path(design, self.penalties[r], self.options.with_grid(grid))

    def grids(self, design):
        """One grid per l1_ratio, from the data of ``design`` (all the data)."""
        return [path_grid(design, penalty, self.options) for penalty in self.penalties]


def _cv_from_fold_stats(fold_stats, plan):
    """Grids, per-fold errors and the refit, all from statistics.

    The (l1_ratio, fold) fits are independent: they run on ``plan.n_jobs``
    threads, each fit whole on one thread, so the errors do not depend on
    ``n_jobs``. ``refit(r)`` is the path of l1_ratio ``r`` on all data (see
    :func:`_fold_table`).
    """
    # the p x p products before the pool (the folds' sum) would wake BLAS's
    # threads, which then spin on the cores the pool needs: 0.117 against
    # 0.090 s for the fits of 10 folds of 20000 x 500 on two threads
    quiet = _parallel.single_threaded_blas() if plan.n_jobs > 1 else nullcontext()
    with quiet:
        return _cv_from_total(fold_stats, sum_stats(fold_stats), plan)


def _cv_from_total(fold_stats, total, plan):
    """:func:`_cv_from_fold_stats` given the folds' sum ``total``."""
    def design(stats):
        return design_from_stats(stats, center=plan.data.fit_intercept,
                                 standardize=plan.data.standardize, scale=stats.weight_sum)

    everything = design(total)
    grids = plan.grids(everything)

    def fold_path(task):
        r, k = task
        return plan.fit(design(total - fold_stats[k]), r, grids[r])

    def fold_errors(task, path):
        fold = fold_stats[task[1]]
        return fold.residual_sum_of_squares(path.coefs, path.intercepts) / fold.weight_sum

    paths, refit = _fold_table(fold_path, fold_errors,
                               lambda r: plan.fit(everything, r, grids[r]),
                               len(plan.penalties), len(fold_stats), plan.n_jobs)
    return grids, paths, refit


def _fold_table(fold_path, fold_errors, refit, n_ratios, n_folds, n_jobs):
    """``paths[r][:, k] = fold_errors((r, k), fold_path((r, k)))`` for every l1_ratio
    r and fold k, the (r, k) pairs shared among ``n_jobs`` threads.

    With one l1_ratio the refit on all data is known before the folds are
    scored, so it runs in the same pool (first: it is the largest task) rather
    than alone after it. The errors of a fold are a task of their own, queued
    when its path is done (:meth:`fastreg._parallel.Workers.map`): a thread
    out of paths scores those done while the others finish their last path
    (eleven paths on two threads: the scores take that half path's idle time).
    Returns ``(paths, refit)``, ``refit(r)`` giving that result for l1_ratio r
    (the same numbers as computed afterwards).
    """
    tasks = ([None] if n_ratios == 1 else []) + [(r, k) for r in range(n_ratios)
                                                 for k in range(n_folds)]
    with _parallel.workers(min(n_jobs, len(tasks))) as pool:
        results = pool.map(
            lambda task: refit(0) if task is None else fold_path(task), tasks,
            then=lambda task, path: path if task is None else fold_errors(task, path))
    if n_ratios == 1:
        early = results.pop(0)
        tasks.pop(0)
        refit = lambda r: early  # noqa: E731  (r is 0)
    paths = [None] * n_ratios
    for (r, k), column in zip(tasks, results):
        if paths[r] is None:
            paths[r] = np.empty((column.shape[0], n_folds))
        paths[r][:, k] = column
    return paths, refit


def _result(grids, mse_paths, plan, scalar_ratio, refit, folds, dtype):
    """Pick the best (l1_ratio, alpha), refit, and pack an :class:`EnetCVResult`."""
    means, ses = zip(*(_summarize(m) for m in mse_paths))
    best_r = int(np.argmin([np.nanmin(m) if not np.all(np.isnan(m)) else np.inf
                            for m in means]))
    best, one_se = one_standard_error(means[best_r], ses[best_r])
    alphas_r = grids[best_r]
    path = refit(best_r)
    coefs = path.coefs.astype(dtype)
    squeeze = scalar_ratio
    return EnetCVResult(
        alpha=float(alphas_r[best]), alpha_1se=float(alphas_r[one_se]),
        l1_ratio=float(plan.penalties[best_r].l1_ratio),
        alphas=grids[0] if squeeze else np.array(grids),
        mse_path=mse_paths[0] if squeeze else np.array(mse_paths),
        cv_mean=means[0] if squeeze else np.array(means),
        cv_std_error=ses[0] if squeeze else np.array(ses),
        coef=coefs[:, best], intercept=float(path.intercepts[best]),
        coefs=coefs, intercepts=path.intercepts.astype(dtype), dual_gaps=path.dual_gaps,
        n_iters=path.n_iters, best_index=best, index_1se=one_se, folds=folds)


def enet_cv_from_stats(
    fold_stats,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    alphas=100,
    fit_intercept=True,
    positive=False,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    do_screening=True,
    verbose=0,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    standardize=False,
    n_jobs=None,
):
    """K-fold cross-validated elastic net from per-fold sufficient statistics.

    Fold k is fit on ``total - fold_k`` with the training objective::

        1 / (2 * S_train) * sum_{i in train} s_i * (y_i - x_i w - b)^2
        + alpha * sum_j v_j * (l1_ratio * |w_j| + 0.5 * (1 - l1_ratio) * w_j^2)
        subject to lower_j <= w_j <= upper_j

    (``S_train`` the training weight sum, as scikit-learn's ``ElasticNetCV``
    rescales weights), and scored by the weighted mean squared error of fold
    k computed from ``fold_k``'s statistics. The grid comes from all data.

    Parameters
    ----------
    fold_stats : list of GramStats
        One entry per fold (e.g. :meth:`GramStats.from_folds`), one target.
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s); with a list the best (l1_ratio, alpha) pair wins.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` for an integer ``alphas``.
    alphas : int or array-like, default=100
        Grid size or the alphas (sorted decreasing).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    positive : bool, default=False
        Non-negative coefficients.
    tol : float, default=1e-4
        Relative duality-gap tolerance of every fit.
    max_iter : int, default=1000
        Maximum sweeps per alpha.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order.
    do_screening : bool, default=True
        Gap-safe screening.
    verbose : int, default=0
        Per-alpha progress of every fit on stderr.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative multipliers of each feature's penalty in every fit (0:
        unpenalized, ``inf``: excluded), as in :func:`fastreg.enet_path`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients of every fit; ``lower <= 0 <= upper``.
    standardize : bool, default=False
        Every fit (each fold's and the refit) on its own training data's
        unit-variance columns, coefficients reported on the original scale
        (glmnet's ``cv.glmnet(standardize=TRUE)``).
    n_jobs : int, default=None
        Threads for the fits of the folds and l1_ratios, with scikit-learn's
        meaning: None is 1 unless a ``joblib.parallel_config`` context says
        otherwise, -1 is every core. Results are bit-identical for any value.

    Returns
    -------
    EnetCVResult
        With ``folds=None``.

    See Also
    --------
    enet_cv : The same from (X, y).
    """
    fold_stats = [check_stats(s, single_target=True) for s in fold_stats]
    if len(fold_stats) < 2:
        raise ValueError("Cross-validation needs statistics of at least 2 folds.")
    plan = _Plan.validate(
        fold_stats[0].n_features, l1_ratio=l1_ratio, grid=check_grid(alphas),
        penalty_keywords=dict(penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                              upper_bounds=upper_bounds, positive=positive),
        path_keywords=dict(eps=eps, tol=tol, max_iter=max_iter, selection=selection,
                           random_state=random_state, do_screening=do_screening,
                           verbose=verbose),
        data=DataOptions(fit_intercept=bool(fit_intercept), standardize=bool(standardize)),
        n_jobs=n_jobs)
    grids, mse_paths, refit = _cv_from_fold_stats(fold_stats, plan)
    with _parallel.budget(plan.n_jobs):
        return _result(grids, mse_paths, plan, np.ndim(l1_ratio) == 0, refit, None,
                       fold_stats[0].dtype)


def enet_cv(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    alphas=100,
    cv=5,
    fit_intercept=True,
    sample_weight=None,
    positive=False,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    do_screening=True,
    block_size=None,
    verbose=0,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    standardize=False,
    n_jobs=None,
):
    """K-fold cross-validated elastic-net path, reading X about once.

    For each fold the training objective is::

        1 / (2 * S_train) * sum_{i in train} s_i * (y_i - x_i w - b)^2
        + alpha * sum_j v_j * (l1_ratio * |w_j| + 0.5 * (1 - l1_ratio) * w_j^2)
        subject to lower_j <= w_j <= upper_j

    with sample weights ``s_i`` (1 without) summing to ``S_train`` on the
    training rows and an unpenalized intercept ``b`` (``fit_intercept``); the
    fold's error is the weighted mean squared error of its held-out rows. The
    choice and refit are those of scikit-learn's ``ElasticNetCV`` with the
    same folds and grid (the best alpha minimizes the mean error over folds).

    When ``n_samples > n_features`` one blocked pass builds every fold's
    statistics (:meth:`GramStats.from_folds`); each fit runs on
    ``total - fold`` and each score comes from ``fold``'s statistics. Otherwise
    each fold runs :func:`fastreg.enet_path` on its training rows (centered
    implicitly for sparse X).

    Parameters
    ----------
    X : {ndarray, memmap, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s) in [0, 1]; with a list the best pair wins.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` for an integer ``alphas``.
    alphas : int or array-like, default=100
        Grid size (geometric from the ``alpha_max`` of all data) or the alphas.
    cv : int, array-like of int, splitter or iterable, default=5
        An int is ``KFold(cv)`` without shuffling (scikit-learn's default); an
        array gives every row's fold id; a scikit-learn splitter or an
        iterable of ``(train, test)`` whose test sets partition the rows.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    sample_weight : float or array-like of shape (n_samples,), default=None
        Non-negative sample weights.
    positive : bool, default=False
        Non-negative coefficients.
    tol : float, default=1e-4
        Relative duality-gap tolerance of every fit.
    max_iter : int, default=1000
        Maximum sweeps per alpha.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order.
    do_screening : bool, default=True
        Gap-safe screening.
    block_size : int, default=None
        Rows per block when building statistics.
    verbose : int, default=0
        Per-alpha progress of every fit on stderr.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative multipliers of each feature's penalty in every fit (0:
        unpenalized, ``inf``: excluded), as in :func:`fastreg.enet_path`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients of every fit; ``lower <= 0 <= upper``.
    standardize : bool, default=False
        Every fit (each fold's and the refit) on its own training data's
        unit-variance columns, coefficients reported on the original scale
        (glmnet's ``cv.glmnet(standardize=TRUE)``).
    n_jobs : int, default=None
        Threads for the fits of the folds and l1_ratios, with scikit-learn's
        meaning: None is 1 unless a ``joblib.parallel_config`` context says
        otherwise, -1 is every core. Results are bit-identical for any value.

    Returns
    -------
    EnetCVResult
        ``alpha``, ``alpha_1se``, ``l1_ratio``, ``alphas``, ``mse_path``,
        ``cv_mean``, ``cv_std_error``, ``coef``, ``intercept``, the refit path
        (``coefs``, ``intercepts``, ``dual_gaps``, ``n_iters``) and ``folds``.

    See Also
    --------
    lasso_cv : The same with ``l1_ratio=1``.
    enet_cv_from_stats : From per-fold statistics (e.g. built by Dask).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import enet_cv
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 10))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(200)
    >>> res = enet_cv(X, y, cv=5, l1_ratio=0.9)
    >>> res.cv_mean.shape
    (100,)
    >>> bool(res.alpha_1se >= res.alpha)
    True
    """
    X = _validation.check_X(X)
    n_samples, n_features = X.shape
    # a single column (n_samples, 1) is raveled, as scikit-learn's LassoCV does
    y = _validation.check_y_1d(y, n_samples, X.dtype)
    sample_weight = _validation.check_sample_weight(sample_weight, n_samples, np.float64)
    folds = resolve_folds(cv, X, y, n_samples)
    plan = _Plan.validate(
        n_features, l1_ratio=l1_ratio, grid=check_grid(alphas),
        penalty_keywords=dict(penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                              upper_bounds=upper_bounds, positive=positive),
        path_keywords=dict(eps=eps, tol=tol, max_iter=max_iter, selection=selection,
                           random_state=random_state, do_screening=do_screening,
                           verbose=verbose),
        data=DataOptions(fit_intercept=bool(fit_intercept), standardize=bool(standardize)),
        n_jobs=n_jobs)
    requested_tol = plan.options.tol
    if choose_cv_route(n_samples, n_features) == "stats":
        fold_stats = GramStats.from_folds(X, y, folds, sample_weight=sample_weight,
                                          block_size=block_size)
        grids, mse_paths, refit = _cv_from_fold_stats(fold_stats, plan)
    else:
        # float32 fold paths would each warn: solve them at float32's reach, warn once
        plan = replace(plan, options=replace(
            plan.options, tol=reachable_tol(requested_tol, X.dtype)))
        with _parallel.budget(plan.n_jobs):  # the grid's one-alpha paths
            grids, mse_paths, refit = _cv_on_rows(X, y, sample_weight, folds, plan)
    with _parallel.budget(plan.n_jobs):  # the refit's kernels get the same threads
        result = _result(grids, mse_paths, plan, np.ndim(l1_ratio) == 0, refit, folds,
                         X.dtype)
    if plan.options.tol > requested_tol:
        yc = y - np.average(y, weights=sample_weight) if fit_intercept else y
        unit = float(np.average(np.square(yc, dtype=np.float64), weights=sample_weight))
        warn_float32_reach(requested_tol, plan.options.tol, result.dual_gaps, unit)
    return result


def lasso_cv(X, y, **kwargs):
    """K-fold cross-validated lasso path: :func:`enet_cv` with ``l1_ratio=1``.

    For each fold the training objective is::

        1 / (2 * S_train) * sum_{i in train} s_i * (y_i - x_i w - b)^2 + alpha * ||w||_1

    and the choice reproduces scikit-learn's ``LassoCV`` on the same folds and grid.

    Parameters
    ----------
    X : {ndarray, memmap, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    **kwargs
        Any keyword of :func:`enet_cv` except ``l1_ratio``.

    Returns
    -------
    EnetCVResult
        As :func:`enet_cv`.

    See Also
    --------
    enet_cv : The elastic-net version.
    """
    if "l1_ratio" in kwargs:
        raise TypeError("lasso_cv() got an unexpected keyword argument 'l1_ratio'")
    return enet_cv(X, y, l1_ratio=1.0, **kwargs)


def lasso_cv_from_stats(fold_stats, **kwargs):
    """K-fold cross-validated lasso from per-fold statistics (``l1_ratio=1``).

    For each fold the training objective is::

        1 / (2 * S_train) * sum_{i in train} s_i * (y_i - x_i w - b)^2 + alpha * ||w||_1

    Parameters
    ----------
    fold_stats : list of GramStats
        One entry per fold.
    **kwargs
        Any keyword of :func:`enet_cv_from_stats` except ``l1_ratio``.

    Returns
    -------
    EnetCVResult
        As :func:`enet_cv_from_stats`.

    See Also
    --------
    enet_cv_from_stats : The elastic-net version.
    """
    if "l1_ratio" in kwargs:
        raise TypeError("lasso_cv_from_stats() got an unexpected keyword argument 'l1_ratio'")
    return enet_cv_from_stats(fold_stats, l1_ratio=1.0, **kwargs)


# -- the row route: p >= n, or a Gram over budget ---------------------------------


def _cv_on_rows(X, y, sw, folds, plan):
    """Grids, per-fold errors and the refit on the rows themselves.

    scikit-learn's conventions: every fit has its intercept by centering and
    its sample weights rescaled to sum to its number of rows.
    """
    n_folds = int(folds.max()) + 1

    def design(rows):
        Xr, yr = (X, y) if rows is None else (X[rows], y[rows])
        w = sw if sw is None or rows is None else sw[rows]
        w = None if w is None else w * (Xr.shape[0] / w.sum())
        return design_from_arrays(Xr, yr, w, plan.data)

    everything = design(None)
    grids = plan.grids(everything)

    def fold_path(task):
        r, k = task
        return plan.fit(design(folds != k), r, grids[r])

    def fold_errors(task, path):
        test = folds == task[1]
        fitted = np.asarray(X[test] @ path.coefs.astype(np.float64)) + path.intercepts
        return np.average((fitted - y[test][:, None])**2, axis=0,
                          weights=None if sw is None else sw[test])

    paths, refit = _fold_table(fold_path, fold_errors,
                               lambda r: plan.fit(everything, r, grids[r]),
                               len(plan.penalties), n_folds, plan.n_jobs)
    return grids, paths, refit
