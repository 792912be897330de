"""``ridge_regression``: a drop-in for scikit-learn's, and its point solvers.

One function per solver, each in the primal (``X^T X``, when
``n_samples >= n_features``) or dual (``X X^T``) form; all but the SVD start
from the normal equations of :mod:`fastreg.ridge.systems` (one blocked pass).
"""

import numpy as np
from scipy import linalg, optimize, sparse

from .. import _validation
from .._scaling import data_scale
from ..stats.blocks import prepare_targets, weighted_mean
from .spectral import Decomposition, rank_tol, solve_columns, spectrum, target_weights
from .systems import choose_form, normal_equations


def resolve_method(solver, *, positive, return_intercept, is_sparse, alpha_is_zero):
    """Map a scikit-learn ``solver`` name to the method fastreg runs.

    scikit-learn's rules for which combinations are allowed are kept (they
    raise the same ``ValueError``), but every solver fastreg does not
    implement itself is replaced by the fastest exact method.

    Parameters
    ----------
    solver : str
        One of ``'auto', 'svd', 'cholesky', 'lsqr', 'sparse_cg', 'sag', 'saga',
        'lbfgs'``.
    positive : bool
    return_intercept : bool
    is_sparse : bool
    alpha_is_zero : bool
        Some target has ``alpha == 0`` (then the normal equations may be
        singular and the minimum-norm solution is returned).

    Returns
    -------
    {'cholesky', 'eigen', 'svd', 'positive'}
        ``'cholesky'``: one Cholesky factorization of ``X^T X + alpha I`` (or
        of ``X X^T + alpha I`` when features outnumber samples) per distinct
        alpha. ``'eigen'``: one eigendecomposition, minimum-norm where the
        system is singular. ``'svd'``: SVD of the (dense) design matrix.
        ``'positive'``: exact non-negative least squares (active set).
    """
    effective = solver
    if solver == "auto":
        if positive:
            effective = "lbfgs"
        elif return_intercept:
            effective = "sag"
        else:
            effective = "sparse_cg" if is_sparse else "cholesky"
    if positive and effective != "lbfgs":
        raise ValueError(
            "When positive=True, only 'lbfgs' solver can be used. "
            f"Please change solver {solver} to 'lbfgs' or set positive=False."
        )
    if effective == "lbfgs" and not positive:
        raise ValueError(
            "'lbfgs' solver can be used only when positive=True. Please use another solver."
        )
    if return_intercept and effective != "sag":
        raise ValueError(
            "In Ridge, only 'sag' solver can directly fit the intercept. Please change "
            "solver to 'sag' or set return_intercept=False."
        )
    if positive:
        return "positive"
    if effective == "svd" and not is_sparse:
        return "svd"
    if effective == "svd" or alpha_is_zero:
        return "eigen"
    return "cholesky"


def solve_shifted_cholesky(M, B, alpha):
    """Solve ``(M + alpha_t I) x_t = B[:, t]`` for every column t.

    Targets that share an alpha share one Cholesky factorization.

    Parameters
    ----------
    M : ndarray of shape (k, k)
        Symmetric positive semi-definite (a Gram or kernel matrix).
    B : ndarray of shape (k, n_targets)
    alpha : ndarray of shape (n_targets,)

    Returns
    -------
    ndarray of shape (k, n_targets)

    Raises
    ------
    numpy.linalg.LinAlgError
        When ``M + alpha I`` is not numerically positive definite.
    """
    out = np.empty_like(B)
    diagonal = np.diag(M)
    for value in np.unique(alpha):
        columns = alpha == value
        A = M.copy()
        np.fill_diagonal(A, diagonal + value)
        lower = np.linalg.cholesky(A)  # NumPy's LAPACK: see stats.blocks.add_gram
        out[:, columns] = linalg.cho_solve((lower, True), B[:, columns],
                                           check_finite=False)
    return out


def solve_svd(X, targets, alpha, *, center):
    """Ridge from the thin SVD of the (dense) weighted, centered design matrix.

    The most stable method: the condition number of X, not of ``X^T X``, governs
    the rounding error. Singular values below working precision are dropped.

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets)
    x_mean : ndarray of shape (n_features,)
    """
    A = np.asarray(X, dtype=np.float64)
    sw = targets.sw
    x_mean = np.zeros(A.shape[1])
    if center:
        x_mean = weighted_mean(A, sw, targets.weight_sum)
        A = A - x_mean
    if targets.sqrt_sw is not None:
        A = A * targets.sqrt_sw[:, None]
    U, sigma, Vt = linalg.svd(A, full_matrices=False, check_finite=False)
    keep = sigma > rank_tol(sigma, max(A.shape))
    UtY = U.T @ targets.y_tilde
    coef = np.empty((A.shape[1], alpha.size))
    safe = np.where(keep, sigma, 1.0)
    for t, value in enumerate(alpha):
        d = np.where(keep, safe / (safe**2 + value), 0.0)
        coef[:, t] = Vt.T @ (d * UtY[:, t])
    return coef, x_mean


def solve_positive(gram, xty, alpha):
    """Exact non-negative ridge: ``min w^T (G + alpha I) w - 2 b^T w`` s.t. ``w >= 0``.

    Written as the least-squares problem ``||R w - R^{-T} b||^2`` with
    ``R^T R = G + alpha I`` (Cholesky, or the eigendecomposition when that is
    singular) and solved by the Lawson-Hanson active-set method.

    Parameters
    ----------
    gram : ndarray of shape (n_features, n_features)
    xty : ndarray of shape (n_features, n_targets)
    alpha : ndarray of shape (n_targets,)

    Returns
    -------
    ndarray of shape (n_features, n_targets)
    """
    p = gram.shape[0]
    out = np.empty_like(xty)
    for t, value in enumerate(alpha):
        R, rhs = _square_root_system(gram, xty[:, t], value)
        out[:, t], _ = optimize.nnls(R, rhs, maxiter=max(50 * p, 1000))
    return out


def _square_root_system(gram, b, alpha):
    """``(R, q)`` with ``R^T R = G + alpha I`` and ``R^T q = b``."""
    A = gram.copy()
    np.fill_diagonal(A, np.diag(gram) + alpha)
    try:
        R = linalg.cholesky(A, lower=False, check_finite=False)
        q = linalg.solve_triangular(R, b, trans="T", check_finite=False)
        return R, q
    except linalg.LinAlgError:
        s, V = linalg.eigh(A, check_finite=False)
        keep = s > rank_tol(s, s.size)
        root = np.sqrt(s[keep])
        return root[:, None] * V[:, keep].T, (V[:, keep].T @ b) / root


def fit_coef(X, targets, alpha, method, *, center, block_size=None):
    """Coefficients (n_features, n_targets) and the X means used for centering.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
    alpha : ndarray of shape (n_targets,)
    method : {'cholesky', 'eigen', 'svd', 'positive'}
        From :func:`resolve_method`.
    center : bool
    block_size : int, default=None

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets)
    x_mean : ndarray of shape (n_features,)
    """
    if method == "svd":
        return solve_svd(X, targets, alpha, center=center)
    form = "primal" if method == "positive" else choose_form(*X.shape)
    system = normal_equations(X, targets, center=center, block_size=block_size, form=form)
    if method == "positive":
        return solve_positive(system.gram, system.xty, alpha), system.x_mean
    x = None
    if method == "cholesky":
        try:
            x = solve_shifted_cholesky(system.matrix, system.rhs, alpha)
        except linalg.LinAlgError:
            x = None  # singular: the spectral route gives the minimum-norm solution
    if x is None:
        problem = Decomposition(system, spectrum(system), X, targets, block_size)
        x = solve_columns(problem, target_weights(problem.spectrum, alpha), alpha).x
    return system.coefficients(x, X, block_size=block_size)


def ridge_regression(
    X,
    y,
    alpha,
    *,
    sample_weight=None,
    solver="auto",
    max_iter=None,
    tol=1e-4,
    verbose=0,
    positive=False,
    random_state=None,
    return_n_iter=False,
    return_intercept=False,
    check_input=True,
):
    """Solve the ridge equations by an exact direct method.

    A drop-in replacement for ``sklearn.linear_model.ridge_regression``
    (scikit-learn 1.9): same arguments, same return layout. For each target
    ``t`` it minimizes::

        ||y_t - X w_t||^2_2 + alpha_t * ||w_t||^2_2

    and with ``sample_weight`` the data term is
    ``sum_i sample_weight_i * (y_it - x_i w_t)^2``. With
    ``return_intercept=True`` the model is ``X w_t + b_t`` with an
    unpenalized intercept ``b_t``.

    The work is one blocked pass over X for ``X^T X`` and ``X^T y`` (float64
    accumulation, also for float32 input), or for ``X X^T`` when
    ``n_features > n_samples`` (then ``w = X^T (X X^T + alpha I)^{-1} y``),
    followed by one Cholesky factorization per distinct alpha.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data, dense (including ``numpy.memmap``) or sparse; float32
        input returns float32 results. scikit-learn's ``LinearOperator`` input
        is not supported.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values.
    alpha : float or array-like of shape (n_targets,)
        Non-negative penalty, one per target or shared. With ``alpha = 0`` the
        minimum-norm least-squares solution is returned.
    sample_weight : float or array-like of shape (n_samples,), default=None
        Non-negative weights of the samples in the data term.
    solver : {'auto', 'svd', 'cholesky', 'lsqr', 'sparse_cg', 'sag', 'saga', \
            'lbfgs'}, default='auto'
        Accepted with scikit-learn's rules for which combinations are allowed.
        fastreg runs: ``'svd'`` -- the SVD of the dense design matrix (the most
        stable choice for ill-conditioned X); ``'lbfgs'`` (``positive=True``)
        -- an exact active-set non-negative least-squares solve; every other
        solver -- the fastest exact method, a Cholesky factorization of
        ``X^T X + alpha I`` (or of ``X X^T + alpha I`` when
        ``n_features > n_samples``), with an eigendecomposition as fallback
        when that matrix is singular. Results match scikit-learn's solvers to
        their tolerance (and the direct solvers to rounding).
    max_iter : int, default=None
        Accepted for compatibility; the direct methods do not iterate.
    tol : float, default=1e-4
        Accepted for compatibility; the direct methods are exact.
    verbose : int, default=0
        Accepted for compatibility (nothing is printed).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (requires solver
        ``'auto'`` or ``'lbfgs'``, as in scikit-learn).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility (nothing is random).
    return_n_iter : bool, default=False
        Also return ``n_iter``, which is None (no iterations), as scikit-learn
        does for its direct solvers.
    return_intercept : bool, default=False
        Fit an unpenalized intercept and return it (requires solver ``'auto'``
        or ``'sag'``, as in scikit-learn). X and y are centered at their
        (weighted) means through the sufficient statistics; sparse X stays
        sparse.
    check_input : bool, default=True
        False skips the validation of y (X is always converted, and checked
        for NaN / infinity through the diagonal of its Gram matrix).

    Returns
    -------
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
        Weight vector(s), in X's float dtype; 1-D when there is one target.
    n_iter : None
        Only returned if ``return_n_iter`` is True.
    intercept : float or ndarray of shape (n_targets,)
        Only returned if ``return_intercept`` is True.

    See Also
    --------
    ridge_path : Coefficients for many alphas from one factorization.
    ridge_cv : Leave-one-out choice of alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ridge_regression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 4))
    >>> y = X @ np.array([2.0, -1.0, 0.0, 0.0]) + 3.0
    >>> coef, intercept = ridge_regression(X, y, alpha=1e-8, return_intercept=True)
    >>> np.round(coef, 6) + 0.0, round(float(intercept), 6)
    (array([ 2., -1.,  0.,  0.]), 3.0)
    """
    _validation.check_ridge_solver(solver)
    _validation.check_max_iter(max_iter)
    _validation.check_positive_real(tol, "tol", allow_zero=True)
    X = _validation.check_X(X)
    n_samples = X.shape[0]
    y = _validation.check_y(y, n_samples, X.dtype) if check_input else np.asarray(y)
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    alpha = _validation.check_ridge_alpha(alpha, Y.shape[1])
    sample_weight = _validation.check_sample_weight(sample_weight, n_samples, np.float64)
    method = resolve_method(solver, positive=bool(positive),
                            return_intercept=bool(return_intercept),
                            is_sparse=sparse.issparse(X), alpha_is_zero=bool((alpha == 0).any()))
    # data far from unit scale is solved exactly rescaled by powers of two
    scale = data_scale(X, Y, sample_weight)
    dtype, X, Y = X.dtype, scale.scale_X(X), scale.scale_y(Y)
    targets = prepare_targets(Y, sample_weight, center=bool(return_intercept))
    coef, x_mean = fit_coef(X, targets, scale.l2_to_internal(alpha), method,
                            center=bool(return_intercept))
    coef = coef.T
    intercept = scale.intercept_to_user(targets.y_mean - coef @ x_mean).astype(dtype)
    coef = scale.coef_to_user(coef, dtype)
    if Y.shape[1] == 1:
        coef, intercept = coef[0], intercept[0]
    result = (coef,)
    if return_n_iter:
        result += (None,)
    if return_intercept:
        result += (intercept,)
    return result[0] if len(result) == 1 else result
