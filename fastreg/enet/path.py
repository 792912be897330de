"""Public lasso / elastic-net path functions, drop-in for scikit-learn's.

Thin: each validates its keywords into the records of
:mod:`fastreg.enet.options`, builds the design of its data
(:mod:`fastreg.enet.prepare`) and calls :func:`fastreg.enet.pipeline.run_path`.
"""

import numbers

import numpy as np
from scipy import sparse

from .. import _validation
from .options import DataOptions, PathOptions, Penalty, resolve_sklearn_alphas
from .pipeline import run_path
from .prepare import design_from_arrays


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    sample_weight=None,
    X_offset=None,
    X_scale=None,
    do_screening=True,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    fit_intercept=False,
    standardize=False,
    return_intercept=False,
    max_features=None,
    min_dev_change=None,
    callback=None,
    return_result=False,
):
    """Compute the elastic-net path by coordinate descent.

    A drop-in replacement for ``sklearn.linear_model.enet_path`` (scikit-learn
    1.9): same arguments, defaults, objective, alpha grid, stopping rule and
    return layout. For one target the objective is::

        1 / (2 * n_samples) * ||y - Xw||^2_2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    and for a 2-D ``y`` (multi-task)::

        1 / (2 * n_samples) * ||Y - XW||_Fro^2
        + alpha * l1_ratio * ||W||_21
        + 0.5 * alpha * (1 - l1_ratio) * ||W||_Fro^2

    with ``||W||_21 = sum_j sqrt(sum_t W_jt^2)`` over features j. With
    ``sample_weight`` the data term is
    ``1 / (2 * n_samples) * sum_i sample_weight_i * (y_i - x_i w)^2``.

    The glmnet-style keyword options (all off by default, which is exactly
    scikit-learn's problem) generalize the single-target objective to::

        1 / (2 * n_samples) * sum_i sample_weight_i * (y_i - b - x~_i w~)^2
        + alpha * sum_j v_j * (l1_ratio * |w~_j| + 0.5 * (1 - l1_ratio) * w~_j^2)
        subject to  lower_j <= w_j <= upper_j

    with penalty factors ``v_j`` (``penalty_factor``), an unpenalized intercept
    ``b`` (``fit_intercept``; else ``b = 0``) and ``x~_ij = x_ij / s_j``,
    ``w~_j = s_j w_j`` (``standardize``: ``s_j`` is the weighted standard
    deviation of column j, else ``s_j = 1``); ``w`` and ``b`` are returned.

    At every alpha the solver stops when the duality gap is at most
    ``tol * ||y||^2 / n_samples`` (``tol * sum_i sw_i y_i^2 / n_samples``
    with weights, with ``y`` centered when ``fit_intercept``); the returned
    ``dual_gaps`` are those certificates.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data, dense (any memory order) or sparse (CSC preferred; other
        formats are converted). float32 input computes and returns float32.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values; 2-D gives the multi-task path.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1]; 1 is the lasso, 0 is ridge (then an explicit
        ``alphas`` grid is required).
    eps : float or None, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max = eps``. None is
        accepted with an explicit ``alphas`` array (scikit-learn's estimators
        pass ``eps=None, alphas=[alpha]``).
    n_alphas : int, default='deprecated'
        Deprecated in scikit-learn 1.9 (use ``alphas=int``); kept for compatibility.
    alphas : int or array-like, default='warn'
        An int gives that many alphas on a geometric grid from ``alpha_max`` (the
        smallest alpha with an all-zero solution) down to ``eps * alpha_max``; an
        array gives the alphas themselves, solved in decreasing order. The default
        means 100; ``None`` means 100 with a FutureWarning, as in scikit-learn.
    precompute : 'auto', bool or array-like of shape (n_features, n_features), \
            default='auto'
        ``True`` or a Gram matrix ``X^T X``: covariance updates. ``False``:
        residual updates. ``'auto'``: covariance updates when
        ``n_samples > n_features`` (with Gram columns computed lazily as features
        enter when there are 5000 features or more), else residual updates.
        Multi-task problems use residual updates, as does sparse X (as in
        scikit-learn) unless it has more samples than features, at least 10%
        of its entries stored and as many per column as there are columns:
        then ``'auto'`` takes covariance updates from its moments, built one
        densified row block at a time (as glmnet does for such data; 30x
        faster on scikit-learn's digits as CSC). ``True`` with sparse X keeps
        residual updates.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y``, used together with a Gram matrix. With ``sample_weight``, the
        Gram matrix and ``Xy`` must be those of the weighted data,
        ``X^T diag(sample_weight) X`` and ``X^T diag(sample_weight) y``.
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never writes to X.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting coefficients for the first alpha (on the original scale;
        projected onto the constraints: non-negative orthant, bounds).
    verbose : bool or int, default=False
        1 prints a dot per alpha; 2 or more a line per alpha (gap, sweeps,
        working-set size, nonzeros, fraction of deviance explained) on stderr.
        From 1 on, an early stop of the path is reported with its reason.
    return_n_iter : bool, default=False
        Also return the number of coordinate sweeps per alpha.
    positive : bool, default=False
        Constrain coefficients to be non-negative (single target only); the
        same as ``lower_bounds=0`` (combined with ``lower_bounds``, the larger
        lower bound applies).
    check_input : bool, default=True
        False trusts the caller, as scikit-learn's estimators call it: X, y and
        ``sample_weight`` are taken as they are (only converted where the
        kernels need another float type or CSC layout; no copies otherwise) and
        the Gram matrix's symmetry and consistency tests are skipped. Shapes,
        and the finiteness of X (from column statistics computed anyway), are
        still checked.
    tol : float, default=1e-4
        Relative duality-gap tolerance (see above).
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha; on reaching it a
        ConvergenceWarning is emitted.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order; 'random' shuffles each sweep.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order when ``selection='random'``.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Non-negative sample weights in the data term. Unlike scikit-learn's
        ``enet_path``, which applies them only to sparse X, fastreg applies
        them to every input, and ``alpha_max`` is that of the weighted problem;
        except with dense X and ``X_offset`` (below).
    X_offset : array-like of shape (n_features,), default=None
        Sparse X (as scikit-learn): columns are centered at
        ``X_offset / X_scale``, implicitly (sparse X at least 90% stored is
        solved as dense X, from which the centers are subtracted). Dense X: marks data
        preprocessed by the caller the way scikit-learn's estimators do (its
        ``_pre_fit``): X and y already centered and multiplied row-wise by
        ``sqrt(sample_weight)``, so the ``sample_weight`` passed along is *not*
        applied again (scikit-learn's estimators pass both; applying the weights
        twice would be wrong), and a Gram matrix / ``Xy`` must be those of this
        X and y. Not combinable with ``fit_intercept`` / ``standardize``, which
        compute their own centers.
    X_scale : array-like of shape (n_features,), default=None
        See ``X_offset``.
    do_screening : bool, default=True
        Gap-safe screening of features certified to be zero.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative factor ``v_j`` multiplying both penalty terms of feature j
        (glmnet's ``penalty.factor``, but *not* rescaled to sum to n_features:
        the penalty is exactly ``alpha * v_j * (...)``). ``0``: never penalized
        (in the model from ``alpha_max`` on; ``alpha_max`` is computed after
        fitting these features); ``inf``: excluded (coefficient fixed at 0).
        None means all ones. Single target only.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds on the coefficients (original scale), ``<= 0``; None means
        ``-inf``. Single target only.
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper bounds on the coefficients (original scale), ``>= 0``; None means
        ``+inf``. A bound at 0 on both sides excludes the feature.
    fit_intercept : bool, default=False
        Fit an unpenalized intercept: X and y are centered at their (weighted)
        means. With covariance updates (dense X, ``n_samples > n_features``, one
        target) only the moments are centered (O(p^2), no copy of X); in residual
        mode dense X is centered in one copy (the input is never modified) and
        sparse X implicitly (sparse X is densified only when at least 90%
        stored, where dense sweeps are faster). The intercepts are returned with
        ``return_intercept=True``.
    standardize : bool, default=False
        Scale every column to unit weighted variance (population convention,
        ``sum_i sw_i (x_ij - mean_j)^2 / sum_i sw_i = 1``, as glmnet) for the
        fit; coefficients, bounds and ``coef_init`` stay on the original scale.
        Constant columns are left unscaled. ``y`` is not scaled.
    return_intercept : bool, default=False
        Also return the intercept at every alpha (zeros without
        ``fit_intercept``), as the last element.
    max_features : int, default=None
        Stop the path after the first alpha whose solution has more than
        ``max_features`` nonzero coefficients (glmnet's ``dfmax``); that alpha is
        the last one returned.
    min_dev_change : float, default=None
        Stop the path after alpha k (the last one returned) when the fraction of
        deviance explained, ``dev = 1 - ||r||^2 / ||y||^2`` (weighted; centered
        ``y`` with ``fit_intercept``), grew by less than ``min_dev_change * dev_k``
        since the previous alpha (glmnet's ``fdev``, e.g. 1e-5); checked from the
        fifth alpha on.
    callback : callable, default=None
        Called after every alpha as ``callback(index, alpha, coef, gap, n_active)``
        with the solution ``coef`` (a copy, original scale; ``(n_targets,
        n_features)`` for multi-task), its duality gap and its number of nonzero
        coefficients (rows for multi-task). Returning True stops the path after
        this alpha.
    return_result : bool, default=False
        Return an :class:`~fastreg.EnetPathResult` instead of the tuple: the
        same arrays plus the fraction of deviance explained and the number of
        nonzero coefficients at every alpha, and exact coefficients and
        predictions at any alpha between grid points (``coef_at``,
        ``predict``: a warm-started solve, glmnet's ``coef(fit, s=)``).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing. When the path stopped early
        (``max_features``, ``min_dev_change`` or ``callback``), only the alphas
        solved: every returned array is truncated alike.
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients along the path, in X's dtype.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at the end of the optimization for each alpha.
    n_iters : list of int
        Coordinate sweeps per alpha (only with ``return_n_iter=True``).
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercept at each alpha, in X's dtype (only with ``return_intercept=True``).

    See Also
    --------
    lasso_path : The same path with ``l1_ratio=1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> y = X @ np.array([1.0, 0.0, 0.0, 2.0, 0.0])
    >>> alphas, coefs, gaps = enet_path(X, y, alphas=3)
    >>> coefs.shape
    (5, 3)
    """
    grid = resolve_sklearn_alphas(alphas, n_alphas)
    options = PathOptions.validate(
        grid=grid, eps=eps, tol=tol, max_iter=max_iter, selection=selection,
        random_state=random_state, do_screening=do_screening, verbose=verbose,
        max_features=max_features, min_dev_change=min_dev_change, callback=callback)
    precompute = _validation.check_precompute(precompute)
    X, y, sample_weight = _check_data(X, y, sample_weight, X_offset, check_input)
    penalty = Penalty.validate(X.shape[1], l1_ratio=l1_ratio, penalty_factor=penalty_factor,
                               lower_bounds=lower_bounds, upper_bounds=upper_bounds,
                               positive=positive)
    multi_task = y.ndim == 2
    if multi_task and penalty.positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1).")
    if multi_task and not penalty.is_plain:
        raise NotImplementedError(
            "penalty_factor, lower_bounds and upper_bounds are implemented for a single "
            "target (1-D y) only."
        )
    data = DataOptions(fit_intercept=bool(fit_intercept), standardize=bool(standardize),
                       precompute=precompute, Xy=Xy, X_offset=X_offset, X_scale=X_scale,
                       check_input=check_input)
    if coef_init is not None:
        shape = (y.shape[1], X.shape[1]) if multi_task else (X.shape[1],)
        coef_init = _validation.check_coef_init(coef_init, shape, X.dtype)
    result = run_path(design_from_arrays(X, y, sample_weight, data), penalty, options,
                      coef_init)
    if return_result:
        return result
    return result.as_tuple(return_n_iter=return_n_iter, return_intercept=return_intercept)


def _check_data(X, y, sample_weight, X_offset, check_input):
    """X, y and the sample weights as the solvers take them (``check_input=False``: as given).

    scikit-learn's contract for dense X with ``X_offset``: X and y arrive
    centered and already multiplied by ``sqrt(sample_weight)`` (its
    ``_pre_fit``), so the weights passed along are not applied a second time.
    """
    if check_input:
        X = _validation.check_X(X)
    else:
        X = _validation.as_solver_X(X)
    n_samples, n_features = X.shape
    y = (_validation.check_y(y, n_samples, X.dtype) if check_input
         else _validation.as_solver_y(y, X.dtype))
    if X_offset is not None and not sparse.issparse(X):
        if check_input:
            _validation.check_feature_vector(X_offset, "X_offset", n_features, np.float64)
        sample_weight = None
    if check_input or sample_weight is None or isinstance(sample_weight, numbers.Real):
        sample_weight = _validation.check_sample_weight(sample_weight, n_samples, X.dtype)
    else:
        sample_weight = np.asarray(sample_weight, dtype=X.dtype)
    return X, y, sample_weight


def lasso_path(
    X,
    y,
    *,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    sample_weight=None,
    X_offset=None,
    X_scale=None,
    do_screening=True,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    fit_intercept=False,
    standardize=False,
    return_intercept=False,
    max_features=None,
    min_dev_change=None,
    callback=None,
    return_result=False,
):
    """Compute the lasso path by coordinate descent.

    A drop-in replacement for ``sklearn.linear_model.lasso_path`` (scikit-learn
    1.9): :func:`enet_path` with ``l1_ratio=1``. For one target the objective is::

        (1 / (2 * n_samples)) * ||y - Xw||^2_2 + alpha * ||w||_1

    and for a 2-D ``y`` (multi-task)::

        (1 / (2 * n_samples)) * ||Y - XW||^2_Fro + alpha * ||W||_21

    At every alpha the solver stops when the duality gap is at most
    ``tol * ||y||^2 / n_samples``. The glmnet-style options (penalty factors,
    bounds, intercept, standardization, early stops, callback) are those of
    :func:`enet_path`, with the penalty ``alpha * sum_j v_j |w~_j|``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data, dense or sparse; float32 input computes in float32.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values.
    eps : float, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max = eps``.
    n_alphas : int, default='deprecated'
        Deprecated in scikit-learn 1.9 (use ``alphas=int``).
    alphas : int or array-like, default='warn'
        Number of grid points (default 100) or the alphas themselves.
    precompute : 'auto', bool or array-like of shape (n_features, n_features), \
            default='auto'
        Covariance (Gram) or residual updates; see :func:`enet_path`.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y``, used together with a Gram matrix.
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never writes to X.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting coefficients for the first alpha.
    verbose : bool or int, default=False
        Amount of progress output on stderr.
    return_n_iter : bool, default=False
        Also return the number of coordinate sweeps per alpha.
    positive : bool, default=False
        Constrain coefficients to be non-negative (single target only).
    check_input : bool, default=True
        False takes X, y and the weights as given (no validation, no copies)
        and skips the Gram-matrix consistency test; see :func:`enet_path`.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Sample weights in the data term (applied to dense and sparse X).
    X_offset : array-like of shape (n_features,), default=None
        Sparse X: implicit column centers are ``X_offset / X_scale``. Dense X:
        the data are already centered and weighted (scikit-learn's
        ``_pre_fit``), so ``sample_weight`` is not applied again; see
        :func:`enet_path`.
    X_scale : array-like of shape (n_features,), default=None
        See ``X_offset``.
    do_screening : bool, default=True
        Gap-safe screening of features certified to be zero.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative per-feature penalty factors (0: unpenalized, inf: excluded;
        not rescaled); see :func:`enet_path`.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds on the coefficients (``<= 0``).
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper bounds on the coefficients (``>= 0``).
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (X and y centered; sparse X implicitly).
    standardize : bool, default=False
        Fit on columns scaled to unit weighted variance; coefficients are
        returned on the original scale.
    return_intercept : bool, default=False
        Also return the intercepts per alpha (last element).
    max_features : int, default=None
        Stop after the first alpha with more nonzero coefficients than this.
    min_dev_change : float, default=None
        Stop when the fraction of deviance explained stops growing by this
        relative amount (from the fifth alpha on).
    callback : callable, default=None
        ``callback(index, alpha, coef, gap, n_active)`` after every alpha; True
        stops the path.
    return_result : bool, default=False
        Return an :class:`~fastreg.EnetPathResult` (deviance ratio, nonzeros,
        exact solutions between grid points) instead of the tuple.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing (only those solved when the path
        stopped early; every returned array is truncated alike).
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at the end of the optimization for each alpha.
    n_iters : list of int
        Coordinate sweeps per alpha (only with ``return_n_iter=True``).
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercept per alpha (only with ``return_intercept=True``).

    See Also
    --------
    enet_path : The elastic-net path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import lasso_path
    >>> X = np.array([[1.0, 2.0, 3.1], [2.3, 5.4, 4.3]]).T
    >>> y = np.array([1.0, 2.0, 3.1])
    >>> alphas, coefs, gaps = lasso_path(X, y, alphas=[5.0, 1.0, 0.5])
    >>> coefs.shape
    (2, 3)
    """
    return enet_path(
        X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
        precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
        verbose=verbose, return_n_iter=return_n_iter, positive=positive,
        check_input=check_input, tol=tol, max_iter=max_iter, selection=selection,
        random_state=random_state, sample_weight=sample_weight, X_offset=X_offset,
        X_scale=X_scale, do_screening=do_screening, penalty_factor=penalty_factor,
        lower_bounds=lower_bounds, upper_bounds=upper_bounds, fit_intercept=fit_intercept,
        standardize=standardize, return_intercept=return_intercept,
        max_features=max_features, min_dev_change=min_dev_change, callback=callback,
        return_result=return_result,
    )
