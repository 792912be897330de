"""Leave-one-out and GCV errors of ridge for every alpha, from one spectrum.

For the (weighted, centered) problem ``X~ w ~ y~`` with hat matrix
``H(alpha) = X~ (X~^T X~ + alpha I)^{-1} X~^T`` the exact leave-one-out
residual of sample i is ``r_i / (1 - h_ii)``, where ``r = y~ - H y~``. An
unpenalized intercept adds ``s_i / sum(s)`` to ``h_ii`` (its own leverage).
This is scikit-learn's ``RidgeCV`` criterion (``_RidgeGCV``): the errors live
in the rescaled space, so a squared error is ``s_i * e_i^2``, and the score of
an alpha is the mean of these over samples (and targets).

GCV replaces every ``h_ii`` by the mean leverage ``trace(H) / n``, which needs
only the eigenvalues: O(rank) per alpha, no pass over the data.
"""

import numpy as np
from scipy import linalg, sparse

from .refine import shifted_factor
from .spectral import intercept_reflector, reflect, unreflect
from ..stats.blocks import blocks, default_block_size, row_block


def _leverage_offset(targets, center, start, stop):
    """The intercept's own leverage ``s_i / sum(s)`` for samples ``start:stop``."""
    if not center:
        return 0.0
    if targets.sw is None:
        return 1.0 / targets.weight_sum
    return (targets.sw[start:stop] / targets.weight_sum)[:, None]


def _rescaled_errors(residuals, leverage):
    """``r / (1 - h)`` for residuals (b, A, T) and leverages (b, A)."""
    return residuals / (1.0 - leverage)[:, :, None]


# leverages from the spectrum carry about eps * cond(M + alpha I) relative error
# (``1 - h_ii`` then loses those digits); beyond this, they come from a factor
LEVERAGE_TRUST = 1e-9


def untrusted_alphas(refined, spec, alphas):
    """Indices of the alphas whose leverages the spectrum alone does not give accurately.

    Those whose spectral solution was off for any target
    (:meth:`fastreg.ridge.refine.Refined.untrusted`), and those where
    ``eps * s_max / (s_min + alpha)`` exceeds ``LEVERAGE_TRUST``. Their
    leverages and degrees of freedom come from a Cholesky factor instead.
    """
    if refined is None:
        return np.empty(0, dtype=np.intp)
    alphas = np.asarray(alphas, dtype=np.float64)
    top = float(np.max(spec.eigvals, initial=0.0))
    low = max(float(np.min(spec.eigvals)), 0.0) if spec.eigvals.size else 0.0
    with np.errstate(divide="ignore"):
        rounding = np.finfo(np.float64).eps * top / (low + alphas)
    spectral = refined.untrusted().reshape(alphas.size, -1).any(axis=1)
    return np.flatnonzero(spectral | ~(rounding <= LEVERAGE_TRUST))


def _inverse_trace(lower):
    """``trace((L L^T)^{-1}) = ||L^{-1}||_F^2``."""
    inv = linalg.solve_triangular(lower, np.eye(lower.shape[0]), lower=True,
                                  check_finite=False)
    return float(np.einsum("ij,ij->", inv, inv))


def _direct_primal(gram, refined, alphas, bad):
    """``{alpha index: (lower factor, coefs (p, n_targets))}`` for the untrusted alphas."""
    W = refined.x.reshape(gram.shape[0], len(alphas), -1)
    out = {}
    for a in bad:
        lower = shifted_factor(gram, alphas[a])
        if lower is not None:
            out[int(a)] = (lower, W[:, a, :])
    return out


def primal_loo(X, targets, stats, spec, alphas, *, block_size=None, keep_samples=False,
               refined=None):
    """Leave-one-out errors in the primal form: a second blocked pass over X.

    Per block of rows, ``Q = X~_b V`` (one GEMM) gives the leverages
    ``h(alpha) = (Q * Q) @ 1 / (s + alpha)`` and the fitted values
    ``Q @ (z / (s + alpha))`` for all alphas and targets at once.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
    stats : PrimalStats
    spec : Spectrum
        Primal form.
    alphas : ndarray of shape (n_alphas,)
        Strictly positive.
    block_size : int, default=None
        Rows per block.
    keep_samples : bool, default=False
        Also return every squared error.
    refined : fastreg.ridge.refine.Refined, default=None
        The refined solutions of every (alpha, target); where the spectral one
        was off (:func:`untrusted_alphas`), that alpha's leverages come from a
        Cholesky factor of ``X~^T X~ + alpha I`` and its fitted values from the
        refined coefficients, in the same pass.

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets)
        Mean over samples of the squared rescaled leave-one-out errors.
    per_sample : ndarray of shape (n_samples, n_targets, n_alphas) or None
    """
    n_samples = X.shape[0]
    bad = untrusted_alphas(refined, spec, alphas)
    direct = _direct_primal(stats.gram, refined, alphas, bad)
    V = spec.basis
    n_alphas, n_targets = len(alphas), spec.coords.shape[1]
    D = 1.0 / (spec.eigvals[:, None] + alphas[None, :])
    fit_weights = (spec.coords[:, None, :] * D[:, :, None]).reshape(V.shape[1], -1)
    offset = None
    if stats.centered:
        shift = 0.0 if stats.shift is None else stats.shift
        offset = (stats.x_mean - shift) @ V
    size = block_size or default_block_size(max(V.shape[0], n_alphas * n_targets))
    total = np.zeros((n_alphas, n_targets))
    per_sample = np.empty((n_samples, n_targets, n_alphas)) if keep_samples else None
    for start, stop in blocks(n_samples, size):
        Q = np.asarray(row_block(X, start, stop, shift=stats.shift,
                                 sqrt_sw=targets.sqrt_sw) @ V)
        if offset is not None:
            scale = 1.0 if targets.sqrt_sw is None else targets.sqrt_sw[start:stop, None]
            Q -= scale * offset
        own = _leverage_offset(targets, stats.centered, start, stop)
        leverage = (Q * Q) @ D + own
        fitted = (Q @ fit_weights).reshape(stop - start, n_alphas, n_targets)
        if direct:
            _direct_block(X, targets, stats, start, stop, direct, own, leverage, fitted)
        errors = _rescaled_errors(targets.y_tilde[start:stop, None, :] - fitted, leverage)
        squared = errors * errors
        total += squared.sum(axis=0)
        if keep_samples:
            per_sample[start:stop] = squared.transpose(0, 2, 1)
    return total / n_samples, per_sample


def _direct_block(X, targets, stats, start, stop, direct, own, leverage, fitted):
    """Overwrite the untrusted alphas' leverages and fitted values for rows start:stop."""
    block = row_block(X, start, stop, shift=stats.shift, sqrt_sw=targets.sqrt_sw)
    block = block.toarray() if sparse.issparse(block) else np.array(block, dtype=np.float64)
    if stats.centered:
        shift = 0.0 if stats.shift is None else stats.shift
        scale = 1.0 if targets.sqrt_sw is None else targets.sqrt_sw[start:stop, None]
        block -= scale * (stats.x_mean - shift)
    own = np.broadcast_to(own, (stop - start, 1))[:, 0]
    for a, (lower, coefs) in direct.items():
        Z = linalg.solve_triangular(lower, block.T, lower=True, check_finite=False)
        leverage[:, a] = np.einsum("ij,ij->j", Z, Z) + own
        fitted[:, a, :] = block @ coefs


def _dual_system(stats):
    """The kernel on the space the dual spectrum lives in, and its basis.

    ``(R, E)``: with an intercept, ``R`` is the kernel reflected and deflated
    (:func:`fastreg.ridge.spectral.reflect`) and ``E`` maps its coordinates back to
    samples; without, ``R`` is the kernel and ``E`` is None (the identity).
    """
    K = stats.kernel
    if not stats.centered:
        return K, None
    v = intercept_reflector(stats.sqrt_sw, K.shape[0])
    return reflect(K, v), unreflect(np.eye(K.shape[0] - 1), v)


def dual_loo(spec, alphas, *, keep_samples=False, stats=None, refined=None):
    """Leave-one-out errors in the dual form, from the kernel's eigenpairs only.

    With ``G = X~ X~^T + alpha I``: ``c = G^{-1} y~``, ``d = diag(G^{-1})`` and
    the rescaled error is ``c / d`` (the intercept direction is already
    deflated from the basis, which is exactly the intercept correction).

    Parameters
    ----------
    spec : Spectrum
        Dual form (all components, including zero eigenvalues).
    alphas : ndarray of shape (n_alphas,)
        Strictly positive.
    keep_samples : bool, default=False
    stats : KernelStats, default=None
    refined : fastreg.ridge.refine.Refined, default=None
        Refined dual vectors of every (alpha, target): they replace the
        spectral ones, and where those were off (:func:`untrusted_alphas`)
        ``diag(G^{-1})`` comes from a Cholesky factor (needs ``stats``).

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets)
    per_sample : ndarray of shape (n_samples, n_targets, n_alphas) or None
    """
    U = spec.basis
    n_samples = U.shape[0]
    n_alphas, n_targets = len(alphas), spec.coords.shape[1]
    D = 1.0 / (spec.eigvals[:, None] + alphas[None, :])
    d = (U * U) @ D
    if refined is None:
        weights = (spec.coords[:, None, :] * D[:, :, None]).reshape(U.shape[1], -1)
        c = (U @ weights).reshape(n_samples, n_alphas, n_targets)
    else:
        c = refined.x.reshape(n_samples, n_alphas, n_targets)
        bad = untrusted_alphas(refined, spec, alphas)
        if bad.size:
            R, E = _dual_system(stats)
            for a in bad:
                lower = shifted_factor(R, alphas[a])
                if lower is None:
                    continue
                Z = linalg.solve_triangular(lower, np.eye(R.shape[0]) if E is None else E.T,
                                            lower=True, check_finite=False)
                d[:, a] = np.einsum("ij,ij->j", Z, Z)
    errors = c / d[:, :, None]
    squared = errors * errors
    per_sample = squared.transpose(0, 2, 1).copy() if keep_samples else None
    return squared.mean(axis=0), per_sample


def gcv(targets, stats, spec, alphas, *, refined=None):
    """Generalized cross-validation error for every alpha and target.

    ``GCV(alpha) = (||r(alpha)||^2 / n) / (1 - df(alpha) / n)^2`` with
    ``df = sum_k s_k / (s_k + alpha)`` (+1 for the intercept) and the
    residuals in the rescaled space; O(rank) per alpha.

    Returns
    -------
    ndarray of shape (n_alphas, n_targets)
    """
    return gcv_from_moments(_target_norms(targets), targets.y.shape[0], stats.centered,
                            spec, alphas, stats=stats, refined=refined)


def gcv_from_moments(target_norms, n_samples, centered, spec, alphas, *, stats=None,
                     refined=None):
    """:func:`gcv` from ``||y~_t||^2``, the sample count and the spectrum alone.

    Where the spectral solution of an alpha was off (:func:`untrusted_alphas`
    of ``refined``), its residual sum of squares comes from the refined
    solution and its degrees of freedom from a Cholesky factor:
    ``df = k - alpha trace((M + alpha I)^{-1})``.

    Returns
    -------
    ndarray of shape (n_alphas, n_targets)
    """
    a = spec.singular_coords
    s = np.where(spec.keep, spec.eigvals, 0.0)
    base = np.maximum(target_norms - (a * a).sum(axis=0), 0.0)
    shrink = alphas[None, :] / (s[:, None] + alphas[None, :])  # (rank, A)
    shrink = np.where(spec.keep[:, None], shrink, 0.0)
    rss = base[None, :] + (shrink * shrink).T @ (a * a)
    df = (s[:, None] / (s[:, None] + alphas[None, :])).sum(axis=0) + float(centered)
    bad = untrusted_alphas(refined, spec, alphas)
    if bad.size:
        _direct_gcv_terms(stats, refined, alphas, bad, target_norms, rss, df)
    return (rss / n_samples) / ((1.0 - df / n_samples) ** 2)[:, None]


def _direct_gcv_terms(stats, refined, alphas, bad, target_norms, rss, df):
    """Overwrite ``rss`` and ``df`` of the untrusted alphas from refined solutions."""
    dual = hasattr(stats, "kernel")
    M, _ = _dual_system(stats) if dual else (stats.gram, None)
    X = refined.x.reshape(refined.x.shape[0], len(alphas), -1)
    for a in bad:
        value, W = alphas[a], X[:, a, :]
        if dual:
            # (K + alpha I) c = y~ makes the residual y~ - K c = alpha c
            rss[a] = value * value * np.einsum("ij,ij->j", W, W)
        else:
            quad = np.einsum("ij,ij->j", W, stats.gram @ W)
            rss[a] = np.maximum(target_norms - 2.0 * np.einsum("ij,ij->j", stats.xty, W) + quad,
                                0.0)
        lower = shifted_factor(M, value)
        if lower is not None:
            df[a] = M.shape[0] - value * _inverse_trace(lower) + float(stats.centered)


def _target_norms(targets):
    """``||y~_t||^2`` per target."""
    return np.einsum("ij,ij->j", targets.y_tilde, targets.y_tilde)


def select(cv_error, *, per_target):
    """Index of the best alpha: one per target, or one shared (mean over targets).

    Ties go to the first alpha in the given order, as in scikit-learn; NaN
    never wins.

    Parameters
    ----------
    cv_error : ndarray of shape (n_alphas, n_targets)
    per_target : bool

    Returns
    -------
    ndarray of shape (n_targets,) of int
    """
    err = np.where(np.isnan(cv_error), np.inf, cv_error)
    if per_target:
        return np.argmin(err, axis=0)
    return np.full(err.shape[1], int(np.argmin(err.mean(axis=1))))
