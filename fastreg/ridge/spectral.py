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

from .. import _validation
from ..stats.gramstats import check_stats
from . import refine as _refine
from .refine import filter_factors
from .systems import PrimalSystem, normal_equations


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


def deflation_basis(sqrt_sw, n_samples):
    """Orthonormal basis (n, n - 1) of the complement of the intercept direction ``sqrt(s)``.

    The last ``n - 1`` columns of the reflector of :func:`intercept_reflector`.
    """
    v = intercept_reflector(sqrt_sw, n_samples)
    return unreflect(np.eye(n_samples - 1), v)


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


def eigh_psd(M):
    """Eigenpairs of a symmetric positive semi-definite M, eigenvalues clipped at 0.

    NumPy's LAPACK, not SciPy's: one OpenBLAS thread pool (see
    :func:`fastreg.stats.blocks.add_gram`).
    """
    s, Q = np.linalg.eigh(M)
    return np.maximum(s, 0.0), Q


def spectrum(system):
    """The :class:`Spectrum` of a system's matrix (``X~^T X~`` or ``X~ X~^T``).

    ``system`` is a :class:`~fastreg.ridge.systems.PrimalSystem` or
    :class:`~fastreg.ridge.systems.DualSystem`. In the dual form with an intercept the exact null direction ``sqrt(s)`` is
    deflated first (:func:`intercept_reflector`), so the basis has
    ``n_samples - 1`` columns.
    """
    M = system.matrix
    if system.form == "dual" and system.centered:
        v = intercept_reflector(system.sqrt_sw, M.shape[0])
        s, W = eigh_psd(reflect(M, v))
        basis = unreflect(W, v)
    else:
        s, basis = eigh_psd(M)
    keep = s > rank_tol(s, M.shape[0])
    return Spectrum(system.form, s, basis, basis.T @ system.rhs, keep)


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


@dataclass(frozen=True)
class Decomposition:
    """A ridge problem ready for any alpha: its normal equations and their eigenpairs.

    Attributes
    ----------
    system : PrimalSystem or DualSystem
    spectrum : Spectrum
    X : ndarray, memmap, sparse matrix or None
        The rows, when at hand (None for a problem given by its statistics):
        the dual form needs them for the coefficients, the primal form for
        leave-one-out and for an ill-conditioned least-squares problem.
    targets : Targets or None
        With ``X``.
    block_size : int or None
        Rows or columns per block of any later pass over X.
    """

    system: object
    spectrum: Spectrum
    X: object = None
    targets: object = None
    block_size: int | None = None

    @property
    def n_targets(self):
        """Number of targets."""
        return self.spectrum.coords.shape[1]


def decompose(X, targets, *, center, block_size=None):
    """One blocked pass over X and one eigendecomposition, in the form X's shape calls for.

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
    Decomposition
    """
    system = normal_equations(X, targets, center=center, block_size=block_size)
    return Decomposition(system, spectrum(system), X, targets, block_size)


def decompose_stats(stats, *, center):
    """The :class:`Decomposition` of a problem given by its :class:`~fastreg.GramStats`.

    Parameters
    ----------
    stats : GramStats
    center : bool
        Fit an intercept.

    Returns
    -------
    Decomposition
        Primal form, without rows.
    """
    system = PrimalSystem.from_stats(check_stats(stats), center=center)
    _validation.check_finite_column_stats(np.diag(system.gram))
    return Decomposition(system, spectrum(system))


def solve_columns(problem, weights, col_alpha):
    """Solutions of ``(M + col_alpha[c] I) x_c = b_c`` to the accuracy of a direct solve.

    The spectral solutions are refined (:func:`fastreg.ridge.refine.refine`). In the
    primal form, alphas at which the equilibrated normal equations are
    ill-conditioned (condition number above ``NORMAL_EQUATIONS_COND``) are
    solved from X itself when it is at hand (:func:`fastreg.ridge.refine.least_squares`),
    else they warn; any solution still inaccurate warns
    (:class:`fastreg.AccuracyWarning`).

    Parameters
    ----------
    problem : Decomposition
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
    system, spec = problem.system, problem.spectrum
    B = system.rhs
    B_cols = np.tile(B, (1, col_alpha.size // B.shape[1]))
    refined = _refine.refine(system.matrix, B_cols, col_alpha, spec.basis @ weights, spec)
    if spec.form == "primal" and _refine.looks_ill_conditioned(spec.eigvals, spec.keep):
        _settle_ill_conditioned(problem, refined, col_alpha)
    _refine.report(refined.backward_error, col_alpha)
    return refined


def _settle_ill_conditioned(problem, refined, col_alpha):
    """At alpha = 0, solve an ill-conditioned problem from X, or warn with statistics alone.

    For alpha > 0 the refined solutions already have a Cholesky solve's accuracy
    (the standard); at alpha = 0 scikit-learn's SVD of X reaches the
    least-squares optimum where the normal equations cannot, and so must fastreg.
    """
    if not np.any(col_alpha == 0):
        return
    system, X, targets = problem.system, problem.X, problem.targets
    cond = float(_refine.equilibrated_condition(system.gram, np.zeros(1))[0])
    if not cond > _refine.NORMAL_EQUATIONS_COND:
        return
    n_samples, n_features = (0, 0) if X is None else X.shape
    if X is None or 8 * n_samples * n_features > _refine.DENSE_BYTES:
        if cond > _refine.WARN_COND:
            _refine.warn_normal_equations(cond, 0.0)
        return
    A = X.toarray() if sparse.issparse(X) else np.array(X, dtype=np.float64)
    A = A.astype(np.float64, copy=False)
    if system.centered:
        A -= system.x_mean
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


def path_solutions(problem, alphas):
    """Every (alpha, target) solution, columns ordered alpha-major (``a * n_targets + t``)."""
    Wk = spectral_weights(problem.spectrum, alphas)
    rank, n_alphas, n_targets = Wk.shape
    col_alpha = np.repeat(np.asarray(alphas, dtype=np.float64), n_targets)
    return solve_columns(problem, Wk.reshape(rank, n_alphas * n_targets), col_alpha)


def intercepts(x_mean, y_mean, coefs):
    """``ybar - m^T w`` for coefficients of shape (..., n_targets, n_features)."""
    return y_mean - coefs @ x_mean


def path_coefs(problem, alphas):
    """Coefficients for every alpha and target, and the column means of X.

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_targets, n_features)
    x_mean : ndarray of shape (n_features,)
    """
    W, x_mean = problem.system.coefficients(path_solutions(problem, alphas).x, problem.X,
                                            block_size=problem.block_size)
    return W.T.reshape(len(alphas), problem.n_targets, -1), x_mean


def target_weights(spec, alpha):
    """Spectral weights with one alpha per target, shape (rank, n_targets)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    D = filter_factors(spec, alpha)  # (rank, n_targets): column t at alpha[t]
    return D * spec.coords


def target_coefs(problem, alpha):
    """Coefficients (n_targets, n_features), target t at ``alpha[t]``, and the X means."""
    alpha = np.asarray(alpha, dtype=np.float64)
    refined = solve_columns(problem, target_weights(problem.spectrum, alpha), alpha)
    W, x_mean = problem.system.coefficients(refined.x, problem.X,
                                            block_size=problem.block_size)
    return W.T, x_mean
