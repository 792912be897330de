"""Public lasso / elastic-net path functions, drop-in for scikit-learn's."""

import warnings
from numbers import Integral

import numpy as np
from scipy import sparse

from . import _validation
from ._driver import solve_path
from ._grid import alpha_grid, alpha_max
from ._problems import (
    CscProblem,
    DenseProblem,
    GramProblem,
    MultiTaskCscProblem,
    MultiTaskDenseProblem,
)

# glmnet's rule of thumb: below this many features the whole Gram matrix costs
# little more than the columns a path touches, and one BLAS call is faster
# than many thin ones.
LAZY_GRAM_MIN_FEATURES = 5000


def choose_mode(n_samples, n_features, *, is_sparse, multi_task, precompute,
                itemsize=8):
    """Pick the coordinate-descent update for a problem.

    Parameters
    ----------
    n_samples, n_features : int
    is_sparse : bool
    multi_task : bool
    precompute : 'auto', bool or ndarray
        As in :func:`enet_path`.
    itemsize : int
        Bytes per float (a Gram matrix of float32 takes half the memory).

    Returns
    -------
    {'naive', 'gram', 'gram-lazy'}
        ``'naive'``: residual updates (sparse X, multi-task, ``precompute=False``,
        or ``'auto'`` with ``n_samples <= n_features``). ``'gram'``: covariance
        updates with the full Gram matrix (given, or computed by one BLAS call).
        ``'gram-lazy'``: covariance updates with Gram columns computed as features
        enter (``'auto'`` with many features).
    """
    if is_sparse or multi_task or precompute is False:
        return "naive"
    if hasattr(precompute, "__array__"):
        return "gram"
    if precompute is True:
        _validation.check_gram_size(n_features, itemsize)
        return "gram"
    # 'auto'
    if n_samples <= n_features:
        return "naive"
    if n_features * n_features * itemsize > _validation.GRAM_MAX_BYTES:
        return "naive"
    return "gram-lazy" if n_features >= LAZY_GRAM_MIN_FEATURES else "gram"


def _resolve_alphas(alphas, n_alphas):
    """sklearn 1.9's deprecation dance between ``n_alphas`` and ``alphas``."""
    if n_alphas != "deprecated":
        warnings.warn(
            "'n_alphas' was deprecated in scikit-learn 1.9 and will be removed in 1.11; "
            "pass an integer to 'alphas' instead.",
            FutureWarning,
            stacklevel=3,
        )
        count = _validation.check_positive_int(n_alphas, "n_alphas")
    else:
        count = 100
    if isinstance(alphas, str) and alphas == "warn":
        return count
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated in scikit-learn 1.9 and will be removed in 1.11; "
            "pass alphas=100.",
            FutureWarning,
            stacklevel=3,
        )
        return count
    if isinstance(alphas, Integral):  # a bool too, as in scikit-learn
        if alphas < 1:
            raise ValueError(f"alphas must be >= 1 when an integer (a grid size), got {alphas!r}.")
        return int(alphas)
    return _validation.check_alphas(alphas)


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

    At every alpha the solver stops when the duality gap is at most
    ``tol * ||y||^2 / n_samples`` (``tol * sum_i sw_i y_i^2 / n_samples``
    with weights); the returned ``dual_gaps`` are those certificates.

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
    eps : float, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max = eps``.
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
        enter when there are 5000 features or more), else residual updates. Sparse
        X and multi-task problems always use residual updates, as in scikit-learn.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y``, used together with a Gram matrix. With ``sample_weight``, the
        Gram matrix and ``Xy`` must be those of the weighted data,
        ``X^T diag(sample_weight) X`` and ``X^T diag(sample_weight) y``.
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never writes to X.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting coefficients for the first alpha (projected onto the
        non-negative orthant when ``positive=True``).
    verbose : bool or int, default=False
        1 prints a dot per alpha; 2 or more a line per alpha (gap, sweeps,
        working-set size, nonzeros) on stderr.
    return_n_iter : bool, default=False
        Also return the number of coordinate sweeps per alpha.
    positive : bool, default=False
        Constrain coefficients to be non-negative (single target only).
    check_input : bool, default=True
        False skips the Gram matrix's symmetry and consistency tests; shapes and
        finiteness are always checked.
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
        them to every input, and ``alpha_max`` is that of the weighted problem.
    X_offset : array-like of shape (n_features,), default=None
        For sparse X only (as scikit-learn): columns are centered implicitly at
        ``X_offset / X_scale`` without densifying X.
    X_scale : array-like of shape (n_features,), default=None
        See ``X_offset``.
    do_screening : bool, default=True
        Gap-safe screening of features certified to be zero.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing.
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients along the path, in X's dtype.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at the end of the optimization for each alpha.
    n_iters : list of int
        Coordinate sweeps per alpha (only with ``return_n_iter=True``).

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
    n_grid = _resolve_alphas(alphas, n_alphas)
    l1_ratio = _validation.check_l1_ratio(l1_ratio)
    eps = _validation.check_positive_real(eps, "eps")
    tol = _validation.check_positive_real(tol, "tol", allow_zero=True)
    max_iter = _validation.check_positive_int(max_iter, "max_iter")
    selection = _validation.check_selection(selection)
    precompute = _validation.check_precompute(precompute)

    X = _validation.check_X(X)
    n_samples, n_features = X.shape
    y = _validation.check_y(y, n_samples, X.dtype)
    multi_task = y.ndim == 2
    n_tasks = y.shape[1] if multi_task else None
    if multi_task and positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1).")
    sample_weight = _validation.check_sample_weight(sample_weight, n_samples, X.dtype)
    is_sparse = sparse.issparse(X)

    mode = choose_mode(n_samples, n_features, is_sparse=is_sparse, multi_task=multi_task,
                       precompute=precompute, itemsize=X.dtype.itemsize)
    # Non-finite X is detected from the column statistics the problem computes
    # anyway (one pass instead of two); NumPy's warnings on the way are
    # silenced so the caller gets the clear ValueError alone.
    with np.errstate(invalid="ignore", over="ignore"):
        problem = _make_problem(X, y, mode, sample_weight, precompute, Xy, check_input,
                                X_offset, X_scale)

    if isinstance(n_grid, int):
        top = alpha_max(problem.Xy(), n_samples, l1_ratio, positive=positive)
        grid = alpha_grid(top, n_grid, eps)
    else:
        grid = n_grid

    coef_shape = (n_tasks, n_features) if multi_task else (n_features,)
    if coef_init is None:
        W = np.zeros((n_features, n_tasks) if multi_task else n_features, dtype=X.dtype)
    else:
        init = _validation.check_coef_init(coef_init, coef_shape, X.dtype)
        W = np.ascontiguousarray(init.T if multi_task else init, dtype=X.dtype).copy()
        if positive:
            np.maximum(W, 0.0, out=W)

    seed = _validation.random_seed(random_state) if selection == "random" else -1
    coefs, gaps, n_iters = solve_path(
        problem, grid, l1_ratio, W, positive=bool(positive), tol=tol, max_iter=max_iter,
        seed=seed, do_screening=bool(do_screening), verbose=int(verbose),
    )
    if return_n_iter:
        return grid, coefs, gaps, n_iters
    return grid, coefs, gaps


def _make_problem(X, y, mode, sample_weight, precompute, Xy, check_input, X_offset,
                  X_scale):
    """The problem object of the chosen update mode."""
    n_features = X.shape[1]
    multi_task = y.ndim == 2
    if sparse.issparse(X):
        centers = _sparse_centers(X_offset, X_scale, n_features)
        return (MultiTaskCscProblem(X, y, sample_weight, centers) if multi_task
                else CscProblem(X, y, sample_weight, centers))
    if multi_task:
        return MultiTaskDenseProblem(X, y, sample_weight)
    if mode == "naive":
        return DenseProblem(X, y, sample_weight)
    gram = None
    if hasattr(precompute, "__array__"):
        # the Gram stands in for X, whose finiteness nothing else would check
        _validation.check_finite(X, "X")
        gram = _validation.check_gram(precompute, n_features, X.dtype,
                                      check_symmetry=check_input)
        if check_input:
            _validation.check_gram_consistent(gram, X, sample_weight)
    if Xy is not None:
        Xy = _validation.check_Xy(Xy, n_features, None, X.dtype).ravel()
    return GramProblem(X, y, sample_weight, gram=gram, Xy=Xy, lazy=mode == "gram-lazy")


def _sparse_centers(X_offset, X_scale, n_features):
    if X_offset is None:
        return None
    offset = _validation.check_feature_vector(X_offset, "X_offset", n_features, np.float64)
    scale = (np.ones(n_features) if X_scale is None
             else _validation.check_feature_vector(X_scale, "X_scale", n_features, np.float64))
    if np.any(scale == 0):
        raise ValueError("X_scale contains zeros.")
    return offset / scale


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
):
    """Compute the lasso path by coordinate descent.

    A drop-in replacement for ``sklearn.linear_model.lasso_path`` (scikit-learn
    1.9): :func:`enet_path` with ``l1_ratio=1``. For one target the objective is::

        (1 / (2 * n_samples)) * ||y - Xw||^2_2 + alpha * ||w||_1

    and for a 2-D ``y`` (multi-task)::

        (1 / (2 * n_samples)) * ||Y - XW||^2_Fro + alpha * ||W||_21

    At every alpha the solver stops when the duality gap is at most
    ``tol * ||y||^2 / n_samples``.

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
        False skips the Gram-matrix consistency test.
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
        Sparse X only: implicit column centers are ``X_offset / X_scale``.
    X_scale : array-like of shape (n_features,), default=None
        See ``X_offset``.
    do_screening : bool, default=True
        Gap-safe screening of features certified to be zero.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing.
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at the end of the optimization for each alpha.
    n_iters : list of int
        Coordinate sweeps per alpha (only with ``return_n_iter=True``).

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
        X_scale=X_scale, do_screening=do_screening,
    )
