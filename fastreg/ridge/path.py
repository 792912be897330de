"""``ridge_path`` and ``ridge_cv``: many alphas and targets from one factorization."""

from dataclasses import dataclass

import numpy as np

from .. import _validation
from .._scaling import data_scale
from ..folds import resolve_folds
from ..stats.blocks import prepare_targets
from ..stats.gramstats import GramStats, check_stats, sum_stats
from .loo import cv_errors, select
from .spectral import decompose, decompose_stats, intercepts, path_coefs, target_coefs


def _check_common(X, y, sample_weight, block_size, check_input):
    X = _validation.check_X(X)
    n_samples = X.shape[0]
    y = _validation.check_y(y, n_samples, X.dtype) if check_input else np.asarray(y)
    sample_weight = _validation.check_sample_weight(sample_weight, n_samples, np.float64)
    block_size = _validation.check_block_size(block_size)
    return X, y, sample_weight, block_size


def ridge_path(
    X,
    y,
    alphas,
    *,
    fit_intercept=False,
    sample_weight=None,
    return_intercept=False,
    block_size=None,
    check_input=True,
):
    """Ridge coefficients for many alphas and targets from one factorization.

    For every alpha in ``alphas`` and every target ``t`` it minimizes::

        sum_i sample_weight_i * (y_it - x_i w_t - b_t)^2 + alpha * ||w_t||^2_2

    (``sample_weight_i = 1`` without weights; ``b_t = 0`` unless
    ``fit_intercept``), the objective of ``sklearn.linear_model.Ridge``.

    One blocked pass over X builds the sufficient statistics -- ``X^T X`` and
    ``X^T Y`` over row blocks when ``n_samples >= n_features``, ``X X^T`` over
    column blocks otherwise -- accumulated in float64 with memory bounded by
    the block size, not by ``n_samples``. One symmetric eigendecomposition then
    serves every alpha: ``w(alpha) = V diag(1 / (s + alpha)) V^T X^T y`` costs
    O(n_features^2) per alpha and target (the dual form needs one more pass
    ``X^T C`` for all alphas at once). With ``fit_intercept`` the data are
    centered through the same statistics.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data: dense (a ``numpy.memmap`` is read block by block) or
        sparse; float32 input is accumulated in float64 and returns float32.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values.
    alphas : array-like of shape (n_alphas,)
        Non-negative penalties, in any order (the output follows it). At
        ``alpha = 0`` the minimum-norm least-squares solution is returned.
    fit_intercept : bool, default=False
        Fit an unpenalized intercept per target.
    sample_weight : float or array-like of shape (n_samples,), default=None
        Non-negative sample weights in the data term.
    return_intercept : bool, default=False
        Also return the intercepts (zeros when ``fit_intercept=False``).
    block_size : int, default=None
        Rows (or, when ``n_features > n_samples``, columns) of X per block;
        None picks about 32 MB of float64 per block. Any value gives the same
        result up to rounding.
    check_input : bool, default=True
        False skips the validation of y.

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_features) or \
            (n_alphas, n_targets, n_features)
        ``coefs[k]`` is laid out like scikit-learn's ``Ridge(alpha=alphas[k]).coef_``
        (the second form for a 2-D ``y``).
    intercepts : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Only returned if ``return_intercept`` is True.

    See Also
    --------
    ridge_regression : One alpha (per target), scikit-learn's signature.
    ridge_cv : Leave-one-out choice of alpha on the same factorization.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ridge_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = X @ np.arange(5.0)
    >>> coefs = ridge_path(X, y, [1e-8, 1.0, 100.0])
    >>> coefs.shape
    (3, 5)
    >>> np.round(coefs[0], 6) + 0.0
    array([0., 1., 2., 3., 4.])
    """
    X, y, sample_weight, block_size = _check_common(X, y, sample_weight, block_size,
                                                    check_input)
    alphas = _validation.check_ridge_alphas(alphas)
    # data far from unit scale is solved exactly rescaled by powers of two
    scale = data_scale(X, y, sample_weight)
    dtype, X, y = X.dtype, scale.scale_X(X), scale.scale_y(y)
    targets = prepare_targets(y, sample_weight, center=bool(fit_intercept))
    problem = decompose(X, targets, center=bool(fit_intercept), block_size=block_size)
    coefs, x_mean = path_coefs(problem, scale.l2_to_internal(alphas))
    offsets = intercepts(x_mean, problem.system.y_mean, coefs)
    if y.ndim == 1:
        coefs, offsets = coefs[:, 0], offsets[:, 0]
    coefs = scale.coef_to_user(coefs, dtype)
    if return_intercept:
        return coefs, scale.intercept_to_user(offsets).astype(dtype)
    return coefs


@dataclass(frozen=True)
class RidgeCVResult:
    """The outcome of :func:`ridge_cv`.

    Attributes
    ----------
    alpha : float or ndarray of shape (n_targets,)
        The chosen alpha (one per target with ``alpha_per_target`` and 2-D y),
        as scikit-learn's ``RidgeCV.alpha_``.
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients refit at the chosen alpha (``RidgeCV.coef_``).
    intercept : float or ndarray of shape (n_targets,)
        ``RidgeCV.intercept_``.
    alphas : ndarray of shape (n_alphas,)
        The grid, in the order given.
    cv_error : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Mean squared leave-one-out, GCV or K-fold error per alpha (and target,
        for 2-D y). With shared alpha the choice minimizes its mean over
        targets, which is ``-RidgeCV.best_score_`` at the chosen alpha.
    criterion : {'loo', 'gcv', 'kfold'}
    cv_results : ndarray or None
        Squared leave-one-out errors per sample, shape (n_samples, n_alphas)
        or (n_samples, n_targets, n_alphas) (``RidgeCV.cv_results_`` with
        ``store_cv_results=True``); for K-fold the error of every fold, shape
        (n_alphas, n_folds) or (n_alphas, n_targets, n_folds).
    """

    alpha: object
    coef: np.ndarray
    intercept: object
    alphas: np.ndarray
    cv_error: np.ndarray
    criterion: str
    cv_results: np.ndarray | None = None


def ridge_cv(
    X,
    y,
    alphas=(0.1, 1.0, 10.0),
    *,
    fit_intercept=True,
    sample_weight=None,
    alpha_per_target=False,
    criterion="loo",
    store_cv_results=False,
    block_size=None,
    check_input=True,
    cv=None,
):
    """Choose the ridge penalty by exact leave-one-out, GCV or K-fold, on one pass over X.

    The objective for each alpha is that of :func:`ridge_path`::

        sum_i sample_weight_i * (y_it - x_i w_t - b_t)^2 + alpha * ||w_t||^2_2

    and the criterion is scikit-learn's ``RidgeCV`` default (efficient
    leave-one-out, ``scoring=None``): the mean over samples of
    ``sample_weight_i * e_i^2``, where ``e_i`` is the exact leave-one-out
    residual ``r_i / (1 - h_ii)`` and the intercept counts as unpenalized
    (it adds ``sample_weight_i / sum(sample_weight)`` to the leverage
    ``h_ii``). It reproduces ``RidgeCV(alphas).alpha_`` on the same grid.

    When ``n_samples >= n_features`` the leverages need a second blocked pass
    over X (``Q = X V`` per block, then ``h(alpha) = (Q * Q) @ 1 / (s + alpha)``
    for all alphas); when ``n_features > n_samples`` everything comes from the
    eigenpairs of ``X X^T``. ``criterion='gcv'`` replaces each leverage by
    their mean ``trace(H) / n`` and needs no second pass.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data (dense, memmap or sparse; float32 is accumulated in
        float64 and the coefficients are returned in float32).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values.
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Strictly positive penalties to try, in the order given (ties go to the
        first, as in scikit-learn).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept per target.
    sample_weight : float or array-like of shape (n_samples,), default=None
        Non-negative sample weights.
    alpha_per_target : bool, default=False
        Choose one alpha per target (2-D y) instead of one shared alpha.
    criterion : {'loo', 'gcv'}, default='loo'
        Exact leave-one-out, or generalized cross-validation.
    store_cv_results : bool, default=False
        Keep the squared error of every sample (``criterion='loo'`` only).
    block_size : int, default=None
        Rows (or columns) of X per block; see :func:`ridge_path`.
    check_input : bool, default=True
        False skips the validation of y.
    cv : int, array-like of int, splitter or iterable, default=None
        None: leave-one-out or GCV (``criterion``). Otherwise K-fold
        cross-validation (``criterion`` is ignored): an int is
        ``KFold(cv)`` without shuffling, an array gives every row's fold id,
        a scikit-learn splitter or iterable of ``(train, test)`` must have test
        sets that partition the rows. One blocked pass builds every fold's
        :class:`~fastreg.GramStats`; fold k is fit on ``total - fold_k`` and
        scored on ``fold_k`` from its statistics. ``cv_error`` is then the mean
        over folds of each fold's weighted mean squared error (scikit-learn's
        ``RidgeCV(cv=K, scoring='neg_mean_squared_error')``).

    Returns
    -------
    RidgeCVResult
        With fields ``alpha``, ``coef``, ``intercept``, ``alphas``,
        ``cv_error`` (mean squared error per alpha, and per target for 2-D y),
        ``criterion`` (``'loo'``, ``'gcv'`` or ``'kfold'``) and ``cv_results``
        (per-sample LOO errors, or per-fold errors for K-fold).

    See Also
    --------
    ridge_path : The coefficients for every alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ridge_cv
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ np.ones(5) + 0.5 * rng.standard_normal(100)
    >>> res = ridge_cv(X, y, alphas=[0.01, 1.0, 100.0])
    >>> float(res.alpha)
    0.01
    >>> res.cv_error.shape
    (3,)
    """
    X, y, sample_weight, block_size = _check_common(X, y, sample_weight, block_size,
                                                    check_input)
    alphas = _validation.check_ridge_alphas(alphas, strictly_positive=True)
    if cv is not None:
        folds = resolve_folds(cv, X, y, X.shape[0])
        fold_stats = GramStats.from_folds(X, y, folds, sample_weight=sample_weight,
                                          block_size=block_size)
        return ridge_cv_from_stats(fold_stats, alphas, fit_intercept=fit_intercept,
                                   alpha_per_target=alpha_per_target)
    _validation.check_choice(criterion, "criterion", ("loo", "gcv"))
    if X.shape[0] < 2:
        raise ValueError(f"Leave-one-out and GCV need at least 2 samples, got {X.shape[0]}.")
    if store_cv_results and criterion != "loo":
        raise ValueError("store_cv_results=True needs criterion='loo'.")
    center = bool(fit_intercept)
    scale = data_scale(X, y, sample_weight)
    dtype, X, y = X.dtype, scale.scale_X(X), scale.scale_y(y)
    internal_alphas = scale.l2_to_internal(alphas)
    targets = prepare_targets(y, sample_weight, center=center)
    problem = decompose(X, targets, center=center, block_size=block_size)
    mse, per_sample = cv_errors(problem, internal_alphas, criterion=criterion,
                                keep_samples=bool(store_cv_results))
    best = select(mse, per_target=bool(alpha_per_target))
    coef, x_mean = target_coefs(problem, internal_alphas[best])
    offsets = problem.system.y_mean - coef @ x_mean
    found = _Selection(alphas, best, scale.coef_to_user(coef, np.float64),
                       scale.intercept_to_user(offsets), scale.gap_to_user(mse),
                       None if per_sample is None else scale.gap_to_user(per_sample),
                       criterion)
    # a 2-D y of one column gets 1-D coefficients, as from scikit-learn's RidgeCV
    return _cv_result(found, single_target=y.ndim == 1, per_target=bool(alpha_per_target),
                      dtype=dtype, squeeze_column=y.ndim == 2 and y.shape[1] == 1)


@dataclass(frozen=True)
class _Selection:
    """What a cross-validation found, in the user's units, before it is laid out.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
    best : ndarray of int, shape (n_targets,)
        The chosen alpha's index, per target.
    coef : ndarray of shape (n_targets, n_features)
    intercept : ndarray of shape (n_targets,)
    cv_error : ndarray of shape (n_alphas, n_targets)
    cv_results : ndarray of shape (..., n_targets, ...) or None
        Per-sample (n_samples, n_targets, n_alphas) or per-fold
        (n_alphas, n_targets, n_folds) errors.
    criterion : str
    """

    alphas: np.ndarray
    best: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    cv_error: np.ndarray
    cv_results: np.ndarray | None
    criterion: str


def _cv_result(found, *, single_target, per_target, dtype, squeeze_column=False):
    """The :class:`RidgeCVResult` of a selection, laid out like scikit-learn's ``RidgeCV``."""
    chosen = found.alphas[found.best]
    if single_target:
        cv_results = None if found.cv_results is None else found.cv_results[:, 0, :]
        return RidgeCVResult(float(chosen[0]), found.coef[0].astype(dtype),
                             float(found.intercept[0]), found.alphas, found.cv_error[:, 0],
                             found.criterion, cv_results)
    alpha = chosen.astype(np.float64) if per_target else float(chosen[0])
    coef = found.coef[0] if squeeze_column else found.coef
    return RidgeCVResult(alpha, coef.astype(dtype), found.intercept.astype(dtype),
                         found.alphas, found.cv_error, found.criterion, found.cv_results)


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
    alphas = _validation.check_ridge_alphas(alphas)
    problem = decompose_stats(stats, center=bool(fit_intercept))
    coefs, x_mean = path_coefs(problem, alphas)
    offsets = intercepts(x_mean, problem.system.y_mean, coefs)
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
    total = sum_stats(fold_stats) if total is None else total
    out = np.empty((len(alphas), total.n_targets, len(fold_stats)))
    for k, fold in enumerate(fold_stats):
        train = decompose_stats(total - fold, center=center)
        coefs, x_mean = path_coefs(train, alphas)  # (A, T, p)
        offsets = intercepts(x_mean, train.system.y_mean, coefs)  # (A, T)
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
    alphas = _validation.check_ridge_alphas(alphas, strictly_positive=True)
    center = bool(fit_intercept)
    if isinstance(stats, GramStats):
        total = stats
        problem = decompose_stats(total, center=center)
        mse, _ = cv_errors(problem, alphas, criterion="gcv")
        per_fold, criterion = None, "gcv"
    else:
        fold_stats = [check_stats(s) for s in stats]
        if len(fold_stats) < 2:
            raise ValueError("K-fold cross-validation needs statistics of at least 2 folds.")
        total = sum_stats(fold_stats)
        per_fold = ridge_fold_errors(fold_stats, alphas, center=center, total=total)
        mse, criterion = per_fold.mean(axis=2), "kfold"
        problem = decompose_stats(total, center=center)
    best = select(mse, per_target=bool(alpha_per_target))
    coef, x_mean = target_coefs(problem, alphas[best])
    found = _Selection(alphas, best, coef, problem.system.y_mean - coef @ x_mean, mse,
                       per_fold, criterion)
    return _cv_result(found, single_target=total.single_target,
                      per_target=bool(alpha_per_target), dtype=total.dtype)
