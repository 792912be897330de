"""One symmetric eigendecomposition that serves every alpha.

With ``X~ = U diag(sqrt(s)) V^T`` (thin SVD, written through the eigenpairs of
``X~^T X~`` or ``X~ X~^T``), the ridge solution for any alpha is

    w(alpha) = V diag(sqrt(s) / (s + alpha)) U^T y~

so after one ``eigh`` each alpha costs O(rank * n_targets) for the spectral
coordinates, plus the change of basis back to features.

Two forms, chosen by shape:

* primal (``n_samples >= n_features``): ``eigh(X~^T X~) = V diag(s) V^T``; the
  coordinates are ``z = V^T X~^T y~`` and ``w = V (z / (s + alpha))``.
* dual (``n_features > n_samples``): ``eigh(X~ X~^T) = U diag(s) U^T``; the
  coordinates are ``a = U^T y~`` and ``w = X~^T U (a / (s + alpha))``.

Eigenvalues below ``rank_tol`` are numerically zero: their components carry
only rounding noise and are dropped from the coefficients, which gives the
minimum-norm solution at ``alpha = 0``.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import refine as _refine
from .. import _validation
from ..stats.blocks import KernelStats, dual_product, gram_stats, kernel_stats


def choose_form(n_samples, n_features):
    """``'primal'`` (eigendecompose ``X^T X``) unless features outnumber samples."""
    return "primal" if n_samples >= n_features else "dual"


def rank_tol(eigvals, size):
    """Eigenvalues at or below this are zero to working precision.

    Parameters
    ----------
    eigvals : ndarray
        Eigenvalues of a Gram or kernel matrix.
    size : int
        Its order (rounding in ``eigh`` grows with it).

    Returns
    -------
    float
    """
    top = float(np.max(eigvals, initial=0.0))
    return size * np.finfo(np.float64).eps * top


def intercept_reflector(sqrt_sw, n_samples):
    """Householder vector ``v`` whose reflector ``H = I - 2 v v^T`` maps e_0 to +-u.

    With an intercept, ``X~^T u = 0`` exactly for ``u = sqrt(s) / ||sqrt(s)||``,
    so ``u`` is a null direction of the centered kernel. In the reflected
    basis it is the first coordinate; dropping that coordinate removes the
    direction exactly instead of trusting ``eigh`` to find it, which keeps the
    leave-one-out formulas exact.

    Parameters
    ----------
    sqrt_sw : ndarray of shape (n_samples,) or None
    n_samples : int

    Returns
    -------
    ndarray of shape (n_samples,)
        Unit vector ``v``.
    """
    u = np.ones(n_samples) if sqrt_sw is None else np.asarray(sqrt_sw, dtype=np.float64)
    u = u / np.linalg.norm(u)
    v = u.copy()
    v[0] += np.copysign(1.0, u[0])
    return v / np.linalg.norm(v)


def reflect(K, v):
    """``H K H`` without its first row and column, in O(n^2) (``H = I - 2 v v^T``)."""
    k = K @ v
    gamma = v @ k
    R = K - 2.0 * np.outer(v, k) - 2.0 * np.outer(k, v) + 4.0 * gamma * np.outer(v, v)
    return R[1:, 1:]


def unreflect(W, v):
    """``H [0; W]``: a basis of the reflected space back in sample coordinates."""
    E = np.vstack([np.zeros((1, W.shape[1])), W])
    return E - 2.0 * np.outer(v, v[1:] @ W)


@dataclass(frozen=True)
class Spectrum:
    """Eigenpairs of ``X~^T X~`` (primal) or ``X~ X~^T`` (dual).

    Attributes
    ----------
    form : {'primal', 'dual'}
    eigvals : ndarray of shape (rank,)
        Clipped at 0.
    basis : ndarray
        ``V`` (n_features, rank) in the primal form, ``U`` (n_samples, rank)
        in the dual form.
    coords : ndarray of shape (rank, n_targets)
        ``z = V^T X~^T y~`` (primal) or ``a = U^T y~`` (dual).
    keep : ndarray of bool, shape (rank,)
        Eigenvalues above :func:`rank_tol`.
    """

    form: str
    eigvals: np.ndarray
    basis: np.ndarray
    coords: np.ndarray
    keep: np.ndarray

    @property
    def singular_coords(self):
        """``U^T y~`` restricted to kept components, shape (rank, n_targets)."""
        s = np.where(self.keep, self.eigvals, 1.0)
        if self.form == "primal":
            return np.where(self.keep[:, None], self.coords / np.sqrt(s)[:, None], 0.0)
        return np.where(self.keep[:, None], self.coords, 0.0)


def _eigh(M):
    # NumPy's LAPACK, not SciPy's: one OpenBLAS thread pool (see _stats.add_gram)
    s, Q = np.linalg.eigh(M)
    return np.maximum(s, 0.0), Q


def primal_spectrum(stats):
    """Eigendecompose ``X~^T X~`` from :class:`~fastreg.stats.blocks.PrimalStats`."""
    s, V = _eigh(stats.gram)
    keep = s > rank_tol(s, s.size)
    return Spectrum("primal", s, V, V.T @ stats.xty, keep)


def dual_spectrum(stats):
    """Eigendecompose ``X~ X~^T`` from :class:`~fastreg.stats.blocks.KernelStats`.

    With an intercept the exact null direction ``sqrt(s)`` is deflated first
    (:func:`intercept_reflector`), so the basis has ``n_samples - 1`` columns.
    """
    K = stats.kernel
    if stats.centered:
        v = intercept_reflector(stats.sqrt_sw, K.shape[0])
        s, W = _eigh(reflect(K, v))
        U = unreflect(W, v)
    else:
        s, U = _eigh(K)
    keep = s > rank_tol(s, K.shape[0])
    return Spectrum("dual", s, U, U.T @ stats.y_tilde, keep)


def filter_factors(spec, alphas):
    """``1 / (s + alpha)``; at ``alpha = 0``, 0 for the numerically zero eigenvalues.

    Components are dropped only at ``alpha = 0`` (the minimum-norm solution):
    for ``alpha > 0`` the shifted system is regular, and dropping a small
    eigenvalue would cost the accuracy a direct solve keeps.

    Parameters
    ----------
    spec : Spectrum
    alphas : ndarray of shape (n_alphas,)

    Returns
    -------
    ndarray of shape (rank, n_alphas)
    """
    s = spec.eigvals[:, None]
    with np.errstate(divide="ignore"):
        alphas = np.asarray(alphas, dtype=np.float64)[None, :]
        D = 1.0 / (s + alphas)
    return np.where(spec.keep[:, None] | (alphas > 0), D, 0.0)


def spectral_weights(spec, alphas):
    """Coefficients of the path in the spectral basis.

    Returns
    -------
    ndarray of shape (rank, n_alphas, n_targets)
        ``coords * 1 / (s + alpha)``: multiply by ``V`` (primal) or ``X~^T U``
        (dual) to get the coefficients.
    """
    D = filter_factors(spec, alphas)
    return D[:, :, None] * spec.coords[:, None, :]


def system(stats):
    """``(M, B)`` of the systems ``(M + alpha I) x = b_t`` the spectrum solves.

    ``(X~^T X~, X~^T Y~)`` in the primal form, ``(X~ X~^T, Y~)`` in the dual.
    """
    if isinstance(stats, KernelStats):
        return stats.kernel, stats.y_tilde
    return stats.gram, stats.xty


def solve_columns(X, targets, stats, spec, weights, col_alpha):
    """Solutions of ``(M + col_alpha[c] I) x_c = b_c`` to the accuracy of a direct solve.

    The spectral solutions are refined (:func:`fastreg.ridge.refine.refine`). In the
    primal form, alphas at which the equilibrated normal equations are
    ill-conditioned (condition number above ``NORMAL_EQUATIONS_COND``) are
    solved from X itself when it is at hand (:func:`fastreg.ridge.refine.least_squares`),
    else they warn; any solution still inaccurate warns
    (:class:`fastreg.AccuracyWarning`).

    Parameters
    ----------
    X : ndarray, sparse matrix or None
        The design matrix, or None (statistics only).
    targets : Targets or None
    stats : PrimalStats or KernelStats
    spec : Spectrum
    weights : ndarray of shape (rank, n_columns)
        Spectral weights of the columns (:func:`spectral_weights` or
        :func:`target_weights`, flattened).
    col_alpha : ndarray of shape (n_columns,)

    Returns
    -------
    fastreg.ridge.refine.Refined
        ``x`` of shape (k, n_columns): coefficients (primal) or dual vectors
        (dual). Columns solved from X count as untrusted by the spectrum.
    """
    M, B = system(stats)
    n_targets = B.shape[1]
    B_cols = np.tile(B, (1, col_alpha.size // n_targets))
    refined = _refine.refine(M, B_cols, col_alpha, spec.basis @ weights, spec.basis,
                             spec.eigvals, spec.keep)
    if spec.form == "primal" and _refine.looks_ill_conditioned(spec.eigvals, spec.keep):
        _settle_ill_conditioned(X, targets, stats, refined, col_alpha)
    _refine.report(refined.backward_error, col_alpha)
    return refined


def _settle_ill_conditioned(X, targets, stats, refined, col_alpha):
    """At alpha = 0, solve an ill-conditioned problem from X, or warn with statistics alone.

    For alpha > 0 the refined solutions already have a Cholesky solve's accuracy
    (the standard); at alpha = 0 scikit-learn's SVD of X reaches the
    least-squares optimum where the normal equations cannot, and so must fastreg.
    """
    if not np.any(col_alpha == 0):
        return
    cond = float(_refine.equilibrated_condition(stats.gram, np.zeros(1))[0])
    if not cond > _refine.NORMAL_EQUATIONS_COND:
        return
    n_samples, n_features = (0, 0) if X is None else X.shape
    if X is None or targets is None or 8 * n_samples * n_features > _refine.DENSE_BYTES:
        if cond > _refine.WARN_COND:
            _refine.warn_normal_equations(cond, 0.0)
        return
    A = X.toarray() if sparse.issparse(X) else np.array(X, dtype=np.float64)
    A = A.astype(np.float64, copy=False)
    if stats.centered:
        A -= stats.x_mean
    if targets.sqrt_sw is not None:
        A *= targets.sqrt_sw[:, None]
    cols = np.flatnonzero(col_alpha == 0)
    Y = targets.y_tilde[:, cols % targets.y_tilde.shape[1]]
    W, rank = _refine.least_squares(A, Y)
    refined.x[:, cols] = W
    refined.backward_error[cols] = 0.0
    refined.spectral_change[cols] = np.inf
    if rank < n_features:
        residual = np.linalg.norm(Y - A @ W) / max(np.linalg.norm(Y), np.finfo(float).tiny)
        _refine.warn_rank(rank, n_features, residual)


def path_solutions(X, targets, stats, spec, alphas):
    """Every (alpha, target) solution, columns ordered alpha-major (``a * n_targets + t``)."""
    Wk = spectral_weights(spec, alphas)
    rank, n_alphas, n_targets = Wk.shape
    col_alpha = np.repeat(np.asarray(alphas, dtype=np.float64), n_targets)
    return solve_columns(X, targets, stats, spec, Wk.reshape(rank, n_alphas * n_targets),
                         col_alpha)


def primal_coefs(stats, spec, alphas):
    """Coefficients from statistics alone, shape (n_alphas, n_targets, n_features)."""
    refined = path_solutions(None, None, stats, spec, alphas)
    return refined.x.T.reshape(len(alphas), spec.coords.shape[1], -1)


def intercepts(x_mean, y_mean, coefs):
    """``ybar - m^T w`` for coefficients of shape (..., n_targets, n_features)."""
    return y_mean - coefs @ x_mean


def decompose(X, targets, *, center, block_size=None):
    """Statistics and spectrum of a problem, in the form its shape calls for.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
        From :func:`fastreg.stats.blocks.prepare_targets` with the same ``center``.
    center : bool
        Fit an intercept (center X and y at their weighted means).
    block_size : int, default=None
        Rows (primal) or columns (dual) per block.

    Returns
    -------
    stats : PrimalStats or KernelStats
    spec : Spectrum
    """
    if choose_form(*X.shape) == "primal":
        stats = gram_stats(X, targets, center=center, block_size=block_size)
        _validation.check_finite_column_stats(np.diag(stats.gram))
        return stats, primal_spectrum(stats)
    stats = kernel_stats(X, targets, center=center, block_size=block_size)
    _validation.check_finite_row_stats(np.diag(stats.kernel))
    return stats, dual_spectrum(stats)


def path_coefs(X, targets, stats, spec, alphas, *, block_size=None):
    """Coefficients for every alpha and target, and the column means of X.

    The primal form costs one ``(p, p) @ (p, n_alphas * n_targets)`` product;
    the dual form one blocked pass ``X~^T C`` over X (which also yields the
    means).

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_targets, n_features)
    x_mean : ndarray of shape (n_features,)
    """
    n_alphas, n_targets = len(alphas), spec.coords.shape[1]
    refined = path_solutions(X, targets, stats, spec, alphas)
    if spec.form == "primal":
        return refined.x.T.reshape(n_alphas, n_targets, -1), stats.x_mean
    W, x_mean = dual_product(X, refined.x, stats, block_size=block_size)
    return W.T.reshape(n_alphas, n_targets, -1), x_mean


def target_weights(spec, alpha):
    """Spectral weights with one alpha per target, shape (rank, n_targets)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    D = filter_factors(spec, alpha)  # (rank, n_targets): column t at alpha[t]
    return D * spec.coords


def target_coefs(X, targets, stats, spec, alpha, *, block_size=None):
    """Coefficients (n_targets, n_features), target t at ``alpha[t]``, and the X means."""
    alpha = np.asarray(alpha, dtype=np.float64)
    refined = solve_columns(X, targets, stats, spec, target_weights(spec, alpha), alpha)
    if spec.form == "primal":
        return refined.x.T, stats.x_mean
    W, x_mean = dual_product(X, refined.x, stats, block_size=block_size)
    return W.T, x_mean
