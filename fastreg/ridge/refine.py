"""Ridge solutions from one eigendecomposition, to the digits a direct solve gives.

Every ridge route that serves many alphas from one ``eigh`` of a symmetric
positive semi-definite ``M`` (``X~^T X~`` in the primal form, ``X~ X~^T`` in
the dual) solves ``(M + alpha I) x = b`` for each alpha as
``x = V diag(1 / (s + alpha)) V^T b``. That is normwise backward stable, but
its rounding error is about ``eps * ||M||`` in every eigenpair: it is not
invariant to the scaling of the columns, and on a badly scaled or
ill-conditioned M it loses the digits of the small eigenvalues (columns in
different units: 100% error; degree-15 polynomial features: 1e-4). A Cholesky
solve of the same system is as accurate as the best diagonal scaling of M
allows (van der Sluis), which is what users of an exact ridge expect.

The remedy, one mechanism for every route:

1. measure each solution's componentwise backward error (Oettli-Prager)
   ``omega = max_j |r_j| / ((|M| |x|)_j + alpha |x_j| + |b_j|)`` with
   ``r = b - (M + alpha I) x``, which no diagonal scaling changes;
2. refine ``x += V diag(1 / (s + alpha)) V^T r`` while that contracts
   (batched over all alphas and targets, a few matrix products);
3. solve the columns where refinement does not reach ``ACCEPT`` by a Cholesky
   factorization of ``M + alpha I``, refined the same way with that factor;
4. report what was achieved: the final ``omega`` per column, and how far the
   plain spectral solution was from the final one (in the equilibrated norm),
   so callers know where quantities derived from the spectrum alone (leverages,
   degrees of freedom) need a direct computation too.

A well-conditioned problem whose columns are of similar scale skips all of
this (:func:`benign_columns`); otherwise step 1 accepts the spectral solutions
that are already accurate, and the cost is two products of M with the stacked
solutions.
"""

import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import linalg

from .._warnings import AccuracyWarning

EPS = np.finfo(np.float64).eps
# refinement stops once the backward error is at rounding level, about what a
# Cholesky solve leaves: TARGET * sqrt(k) (measured on k = 1000: Cholesky 3-9 eps,
# plain spectral solutions 40-95 eps) ...
TARGET = 4.0 * EPS
# ... and a column is accepted from the spectral route below this; above it,
# Cholesky takes over (a spectral solve that is this far off does not contract)
ACCEPT = 2.0**-40
# a solution whose backward error stays above this after every remedy is reported
REPORT = 2.0**-30
# relative change (equilibrated norm) beyond which the spectrum alone is not
# trusted for that alpha's leverages and degrees of freedom
SPECTRAL_TRUST = 1e-10
MAX_STEPS = 4
# the screen of benign_columns: well-conditioned shifted systems of columns of
# similar scale are accepted from the spectrum without a residual
BENIGN_COND = 1e3
BENIGN_SPREAD = 10.0
# beyond this equilibrated condition number, the normal equations (any Gram
# solver) lose more than half the digits that a QR of X keeps: with X at hand,
# alpha = 0 is then solved from X itself
NORMAL_EQUATIONS_COND = 1e8
# only the normal equations at hand (statistics): warn beyond this
WARN_COND = 1e12
# the least-squares route forms X~ densely up to this many bytes
DENSE_BYTES = 2**30


@dataclass(frozen=True)
class Refined:
    """Solutions of ``(M + alpha_c I) x_c = b_c``, one per column c.

    Attributes
    ----------
    x : ndarray of shape (k, n_columns)
    backward_error : ndarray of shape (n_columns,)
        The componentwise backward error ``omega`` achieved (for columns the
        benign screen accepted, its estimate ``eps * cond(M + alpha I)``).
    spectral_change : ndarray of shape (n_columns,)
        ``max_j |x_j - x0_j| d_j / max_j |x_j| d_j`` with
        ``d_j = sqrt(M_jj + alpha)``: the relative error of the plain spectral
        solution ``x0`` in the equilibrated variables.
    """

    x: np.ndarray
    backward_error: np.ndarray
    spectral_change: np.ndarray

    def untrusted(self):
        """Columns whose spectral solution was off by more than ``SPECTRAL_TRUST``."""
        return ~(self.spectral_change <= SPECTRAL_TRUST)


def _residual(M, B, alpha, X):
    return B - M @ X - alpha[None, :] * X


class _Scales:
    """The denominators of the componentwise backward error, at half the cost.

    ``omega = max_j |r_j| / ((|M| |x|)_j + alpha |x_j| + |b_j|)`` (Oettli-Prager)
    is invariant to any diagonal scaling. Its denominator is only a scale for a
    ratio, so ``|M| |x|`` is formed in float32 (about twice as fast as float64)
    after both factors are normalized to at most 1: nothing overflows, and an
    entry that underflows only makes ``omega`` larger, never a wrong acceptance.
    """

    def __init__(self, M):
        top = float(np.max(np.abs(M), initial=0.0))
        self.top = top if top > 0 else 1.0
        self.absM = (np.abs(M) / self.top).astype(np.float32)

    def backward_error(self, B, alpha, X, R):
        """``omega`` of every column (0/0 counts as 0)."""
        absX = np.abs(X)
        col_max = np.max(absX, axis=0, initial=0.0)
        col_max = np.where(col_max > 0, col_max, 1.0)
        product = self.absM @ (absX / col_max).astype(np.float32)
        scale = product.astype(np.float64) * (self.top * col_max) + alpha * absX + np.abs(B)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(scale > 0, np.abs(R) / scale, np.where(R == 0, 0.0, np.inf))
        return ratio.max(axis=0, initial=0.0)


def filter_factors(spec, alphas):
    """``1 / (s + alpha)``; at ``alpha = 0``, 0 for the numerically zero eigenvalues.

    Components are dropped only at ``alpha = 0`` (the minimum-norm solution):
    for ``alpha > 0`` the shifted system is regular, and dropping a small
    eigenvalue would cost the accuracy a direct solve keeps.

    Parameters
    ----------
    spec : fastreg.ridge.spectral.Spectrum
    alphas : ndarray of shape (n_alphas,)

    Returns
    -------
    ndarray of shape (rank, n_alphas)
    """
    s = spec.eigvals[:, None]
    alphas = np.asarray(alphas, dtype=np.float64)[None, :]
    with np.errstate(divide="ignore"):
        D = 1.0 / (s + alphas)
    return np.where(spec.keep[:, None] | (alphas > 0), D, 0.0)


def spectral_apply(spec, alpha, R):
    """``V diag(1 / (s + alpha_c)) V^T r_c`` for every column c of R (:func:`filter_factors`)."""
    return spec.basis @ (filter_factors(spec, alpha) * (spec.basis.T @ R))


def _refine_columns(M, eq, B, alpha, X, omega, solve):
    """Iterative refinement with ``solve(alpha, R)``; keeps a step only where it helps."""
    target = TARGET * np.sqrt(M.shape[0])
    active = omega > target
    for _ in range(MAX_STEPS):
        cols = np.flatnonzero(active)
        if cols.size == 0:
            break
        Bc, ac = B[:, cols], alpha[cols]
        R = _residual(M, Bc, ac, X[:, cols])
        trial = X[:, cols] + solve(ac, R)
        trial_omega = eq.backward_error(Bc, ac, trial, _residual(M, Bc, ac, trial))
        better = trial_omega < omega[cols]
        X[:, cols[better]] = trial[:, better]
        contracted = trial_omega <= 0.25 * omega[cols]
        omega[cols[better]] = trial_omega[better]
        active[cols] = better & contracted & (trial_omega > target)
    return X, omega


def shifted_factor(M, value):
    """Lower Cholesky factor of ``M + value I``, or None when it is not positive definite.

    NumPy's LAPACK, not SciPy's: one OpenBLAS thread pool (see
    :func:`fastreg.stats.blocks.add_gram`).
    """
    A = M.copy()
    A[np.diag_indices_from(A)] += value
    try:
        lower = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    return lower if np.all(np.isfinite(lower)) else None


def inverse_trace(lower):
    """``trace((L L^T)^{-1}) = ||L^{-1}||_F^2`` for a lower Cholesky factor L."""
    inv = linalg.solve_triangular(lower, np.eye(lower.shape[0]), lower=True,
                                  check_finite=False)
    return float(np.einsum("ij,ij->", inv, inv))


def _cholesky_solver(M, value):
    """``solve(alpha, R)`` with one Cholesky factor of ``M + value I``, or None if singular."""
    lower = shifted_factor(M, value)
    if lower is None:
        return None
    return lambda alpha, R: linalg.cho_solve((lower, True), R, check_finite=False)


def refine(M, B, alpha, X0, spec):
    """Bring spectral solutions of ``(M + alpha_c I) x_c = b_c`` to direct-solve accuracy.

    Parameters
    ----------
    M : ndarray of shape (k, k)
        Symmetric positive semi-definite.
    B : ndarray of shape (k, n_columns)
        Right-hand sides.
    alpha : ndarray of shape (n_columns,)
        The shift of each column (non-negative).
    X0 : ndarray of shape (k, n_columns)
        The spectral solutions (not modified).
    spec : fastreg.ridge.spectral.Spectrum
        The eigendecomposition of M that produced ``X0``: its ``basis``
        (k, rank), ``eigvals`` (rank,) and ``keep`` (the mask of numerically
        nonzero eigenvalues) are used.

    Returns
    -------
    Refined
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    X = np.array(X0, dtype=np.float64, copy=True)
    benign = benign_columns(M, spec.eigvals, alpha)
    omega = eps_condition(spec.eigvals, alpha)
    change = np.zeros(alpha.size)
    if benign.all():
        return Refined(X, omega, change)
    checked = np.flatnonzero(~benign)
    X[:, checked], omega[checked], change[checked] = _refine_checked(
        M, B[:, checked], alpha[checked], X[:, checked], spec)
    return Refined(X, omega, change)


def eps_condition(eigvals, alpha):
    """``eps * (s_max + alpha) / (s_min + alpha)`` per column: the spectral route's error scale."""
    top = float(np.max(eigvals)) if eigvals.size else 0.0
    low = max(float(np.min(eigvals)), 0.0) if eigvals.size else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (top + alpha) / (low + alpha)
    return EPS * np.where(np.isnan(kappa), np.inf, kappa)


def benign_columns(M, eigvals, alpha):
    """Columns whose spectral solution is already as accurate as a Cholesky solve.

    Where ``M + alpha I`` is well conditioned (``cond <= BENIGN_COND``) and the
    columns of the design are of similar scale (``diag(M)`` within a factor
    ``BENIGN_SPREAD``), the spectral error (about ``eps * cond``) is within
    that factor of a Cholesky solve's (``eps`` times the condition number of
    the equilibrated system, at least ``cond / spread``) and tiny: no backward
    error needs measuring. The designs that lose digits (badly scaled,
    ill-conditioned) never pass this screen.
    """
    diag = np.diag(M)
    top = float(np.max(diag)) if diag.size else 0.0
    low = float(np.min(diag)) if diag.size else 0.0
    if not (low > 0 and top <= BENIGN_SPREAD * low):
        return np.zeros(alpha.size, dtype=bool)
    return eps_condition(eigvals, alpha) <= BENIGN_COND * EPS


def _refine_checked(M, B, alpha, X0, spec):
    """The refinement proper, for columns the benign screen did not pass."""
    eq = _Scales(M)
    X = np.array(X0, dtype=np.float64, copy=True)
    omega = eq.backward_error(B, alpha, X, _residual(M, B, alpha, X))

    X, omega = _refine_columns(M, eq, B, alpha, X, omega, partial(spectral_apply, spec))
    for value in np.unique(alpha[omega > ACCEPT]):
        cols = np.flatnonzero((alpha == value) & (omega > ACCEPT))
        solve = _cholesky_solver(M, value)
        if solve is None:
            continue
        Xc = solve(value, B[:, cols])
        ac = alpha[cols]
        omega_c = eq.backward_error(B[:, cols], ac, Xc, _residual(M, B[:, cols], ac, Xc))
        Xc, omega_c = _refine_columns(M, eq, B[:, cols], ac, Xc, omega_c,
                                      lambda a, R: solve(value, R))
        better = omega_c < omega[cols]
        X[:, cols[better]] = Xc[:, better]
        omega[cols[better]] = omega_c[better]
    d = np.sqrt(np.maximum(np.diag(M), 0.0)[:, None] + alpha[None, :])
    size = np.max(np.abs(X) * d, axis=0, initial=0.0)
    diff = np.max(np.abs(X - X0) * d, axis=0, initial=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(size > 0, diff / size, np.where(diff > 0, np.inf, 0.0))
    return X, omega, change


def report(backward_error, alpha, *, what="ridge"):
    """Warn (:class:`fastreg.AccuracyWarning`) for solutions no remedy made accurate.

    Parameters
    ----------
    backward_error : ndarray of shape (n_columns,)
    alpha : ndarray of shape (n_columns,)
        The alpha of each column.
    what : str
        The name the message gives the problem.
    """
    bad = np.flatnonzero(~(np.asarray(backward_error) <= REPORT))
    if bad.size == 0:
        return
    worst = bad[np.argmax(np.where(np.isfinite(backward_error[bad]), backward_error[bad], np.inf))]
    alphas = np.unique(np.asarray(alpha)[bad])
    warnings.warn(
        f"{what}: at {alphas.size} alpha(s) (smallest {alphas[0]:.3g}) the solution's "
        f"relative residual (componentwise backward error) is {backward_error[worst]:.2e} "
        "after refinement and a Cholesky solve: X^T X + alpha I is singular or its "
        "condition number exceeds 1 / eps, and the coefficients may be inaccurate. "
        "A larger alpha, or removing (near-)duplicate columns, gives an accurate solution.",
        AccuracyWarning, stacklevel=4)


def looks_ill_conditioned(eigvals, keep):
    """Cheap screen on the unscaled spectrum before the equilibrated one is computed.

    A Gram matrix with ``cond <= 1e8`` loses at most half the digits in the
    normal equations whatever its scaling; only beyond that (or with dropped
    eigenvalues) is the equilibrated condition number worth an ``eigvalsh``.
    """
    if not np.all(keep) or eigvals.size == 0:
        return True
    return float(np.min(eigvals)) <= float(np.max(eigvals)) / NORMAL_EQUATIONS_COND


def equilibrated_condition(M, alphas):
    """Condition number of ``D (M + alpha I) D`` per alpha (``D = diag(M)^{-1/2}``), bounded above.

    This is the condition number that governs a Cholesky solve (van der Sluis)
    and the loss of the normal equations against a QR of the design matrix.

    Parameters
    ----------
    M : ndarray of shape (k, k)
    alphas : ndarray of shape (n_alphas,)

    Returns
    -------
    ndarray of shape (n_alphas,)
        ``inf`` where the bound is singular.
    """
    diag = np.diag(M).copy()
    diag[diag <= 0] = 1.0
    root = np.sqrt(diag)
    lam = linalg.eigvalsh(M / root[:, None] / root[None, :], check_finite=False)
    low, high = max(float(lam[0]), 0.0), float(lam[-1])
    inv = 1.0 / diag  # the diagonal of D^2
    alphas = np.asarray(alphas, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return (high + alphas * inv.max()) / (low + alphas * inv.min())


def least_squares(A, Y):
    """Minimum-norm least squares from the design matrix: ``cond(X)``, not ``cond(X)^2``.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_features)
        The weighted, centered design matrix (float64).
    Y : ndarray of shape (n_samples, n_targets)

    Returns
    -------
    coefs : ndarray of shape (n_features, n_targets)
    rank : int
        Numerical rank found by the SVD (``n_features`` when full).
    """
    coefs, _, rank, _ = linalg.lstsq(A, Y, check_finite=False)
    return coefs, int(rank)


def warn_rank(rank, n_features, residual):
    """AccuracyWarning for a rank-deficient least-squares problem at alpha = 0."""
    warnings.warn(
        f"ridge at alpha=0: the design matrix has numerical rank {rank} < {n_features} "
        f"features; the minimum-norm least-squares solution is returned (relative "
        f"residual ||y - Xw|| / ||y|| = {residual:.3g}), and it is not unique.",
        AccuracyWarning, stacklevel=5)


def warn_normal_equations(cond, alpha):
    """AccuracyWarning where only the normal equations are available and they lose the digits."""
    warnings.warn(
        f"ridge from statistics at alpha={alpha:.3g}: the equilibrated condition number of "
        f"X^T X is about {cond:.2e}, so the coefficients may have relative errors "
        f"up to {min(cond * EPS, 1.0):.1e}; with the rows at hand, fastreg.ridge_path solves "
        "this case from X itself.", AccuracyWarning, stacklevel=5)
