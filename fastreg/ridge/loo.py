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
from scipy import linalg

from ..stats.blocks import WeightedRows, blocks, default_block_size, needs_shift
from .refine import inverse_trace, shifted_factor
from .spectral import deflation_basis, intercept_reflector, path_solutions, reflect


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
    alphas = np.asarray(alphas, dtype=np.float64)
    top = float(np.max(spec.eigvals, initial=0.0))
    low = max(float(np.min(spec.eigvals)), 0.0) if spec.eigvals.size else 0.0
    with np.errstate(divide="ignore"):
        rounding = np.finfo(np.float64).eps * top / (low + alphas)
    spectral = refined.untrusted().reshape(alphas.size, -1).any(axis=1)
    return np.flatnonzero(spectral | ~(rounding <= LEVERAGE_TRUST))


def _direct_primal(gram, refined, alphas, bad):
    """``{alpha index: (lower factor, coefs (p, n_targets))}`` for the untrusted alphas."""
    W = refined.x.reshape(gram.shape[0], len(alphas), -1)
    out = {}
    for a in bad:
        lower = shifted_factor(gram, alphas[a])
        if lower is not None:
            out[int(a)] = (lower, W[:, a, :])
    return out


def primal_loo(problem, alphas, refined, *, keep_samples=False):
    """Leave-one-out errors in the primal form: a second blocked pass over X.

    Per block of rows, ``Q = X~_b V`` (one GEMM) gives the leverages
    ``h(alpha) = (Q * Q) @ 1 / (s + alpha)`` and the fitted values
    ``Q @ (z / (s + alpha))`` for all alphas and targets at once.

    Parameters
    ----------
    problem : fastreg.ridge.spectral.Decomposition
        Primal form, with its rows.
    alphas : ndarray of shape (n_alphas,)
        Strictly positive.
    refined : fastreg.ridge.refine.Refined
        The refined solutions of every (alpha, target); where the spectral one
        was off (:func:`untrusted_alphas`), that alpha's leverages come from a
        Cholesky factor of ``X~^T X~ + alpha I`` and its fitted values from the
        refined coefficients, in the same pass.
    keep_samples : bool, default=False
        Also return every squared error.

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets)
        Mean over samples of the squared rescaled leave-one-out errors.
    per_sample : ndarray of shape (n_samples, n_targets, n_alphas) or None
    """
    X, targets, system, spec = problem.X, problem.targets, problem.system, problem.spectrum
    n_samples = X.shape[0]
    bad = untrusted_alphas(refined, spec, alphas)
    direct = _direct_primal(system.gram, refined, alphas, bad)
    V = spec.basis
    n_alphas, n_targets = len(alphas), problem.n_targets
    D = 1.0 / (spec.eigvals[:, None] + alphas[None, :])
    fit_weights = (spec.coords[:, None, :] * D[:, :, None]).reshape(V.shape[1], -1)
    rows = _centered_rows(X, targets.sqrt_sw, system)
    size = problem.block_size or default_block_size(max(V.shape[0], n_alphas * n_targets))
    total = np.zeros((n_alphas, n_targets))
    per_sample = np.empty((n_samples, n_targets, n_alphas)) if keep_samples else None
    for start, stop in blocks(n_samples, size):
        Q = rows.times(start, stop, V)
        own = _leverage_offset(targets, system.centered, start, stop)
        leverage = (Q * Q) @ D + own
        fitted = (Q @ fit_weights).reshape(stop - start, n_alphas, n_targets)
        if direct:
            _direct_block(rows.dense(start, stop), direct, own, leverage, fitted)
        errors = _rescaled_errors(targets.y_tilde[start:stop, None, :] - fitted, leverage)
        squared = errors * errors
        total += squared.sum(axis=0)
        if keep_samples:
            per_sample[start:stop] = squared.transpose(0, 2, 1)
    return total / n_samples, per_sample


def _centered_rows(X, sqrt_sw, system):
    """The rows of X as ``system`` (a PrimalSystem) centers and weights them.

    Raw products lose about ``2 log10(|m| / std)`` digits, so columns with
    large means (:func:`fastreg.stats.blocks.needs_shift`) are centered
    explicitly.
    """
    if not system.centered:
        return WeightedRows(X, sqrt_sw)
    x_std = np.sqrt(np.maximum(np.diag(system.gram), 0.0) / system.weight_sum)
    return WeightedRows.centered(X, sqrt_sw, system.x_mean,
                                 explicit=needs_shift(system.x_mean, x_std))


def _direct_block(block, direct, own, leverage, fitted):
    """Overwrite the untrusted alphas' leverages and fitted values for one block of X~."""
    own = np.broadcast_to(own, (block.shape[0], 1))[:, 0]
    for a, (lower, coefs) in direct.items():
        Z = linalg.solve_triangular(lower, block.T, lower=True, check_finite=False)
        leverage[:, a] = np.einsum("ij,ij->j", Z, Z) + own
        fitted[:, a, :] = block @ coefs


def _dual_system(system):
    """The kernel on the space the dual spectrum lives in, and its basis.

    ``(R, E)``: with an intercept, ``R`` is the kernel reflected and deflated
    (:func:`fastreg.ridge.spectral.reflect`) and ``E`` maps its coordinates back to
    samples; without, ``R`` is the kernel and ``E`` is None (the identity).
    """
    K = system.kernel
    if not system.centered:
        return K, None
    v = intercept_reflector(system.sqrt_sw, K.shape[0])
    return reflect(K, v), deflation_basis(system.sqrt_sw, K.shape[0])


def dual_loo(problem, alphas, refined, *, keep_samples=False):
    """Leave-one-out errors in the dual form, from the kernel's eigenpairs only.

    With ``G = X~ X~^T + alpha I``: ``c = G^{-1} y~``, ``d = diag(G^{-1})`` and
    the rescaled error is ``c / d`` (the intercept direction is already
    deflated from the basis, which is exactly the intercept correction).

    Parameters
    ----------
    problem : fastreg.ridge.spectral.Decomposition
        Dual form (all components, including zero eigenvalues).
    alphas : ndarray of shape (n_alphas,)
        Strictly positive.
    refined : fastreg.ridge.refine.Refined
        Refined dual vectors ``c`` of every (alpha, target); where the spectral
        ones were off (:func:`untrusted_alphas`) ``diag(G^{-1})`` comes from a
        Cholesky factor.
    keep_samples : bool, default=False

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets)
    per_sample : ndarray of shape (n_samples, n_targets, n_alphas) or None
    """
    spec = problem.spectrum
    U = spec.basis
    n_samples = U.shape[0]
    d = (U * U) @ (1.0 / (spec.eigvals[:, None] + alphas[None, :]))
    c = refined.x.reshape(n_samples, len(alphas), problem.n_targets)
    bad = untrusted_alphas(refined, spec, alphas)
    if bad.size:
        R, E = _dual_system(problem.system)
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


def gcv(problem, alphas, refined):
    """Generalized cross-validation error for every alpha and target.

    ``GCV(alpha) = (||r(alpha)||^2 / n) / (1 - df(alpha) / n)^2`` with
    ``df = sum_k s_k / (s_k + alpha)`` (+1 for the intercept) and the
    residuals in the rescaled space: O(rank) per alpha from ``||y~_t||^2``,
    the sample count and the spectrum alone (no rows needed). Where the
    spectral solution of an alpha was off (:func:`untrusted_alphas` of
    ``refined``), its residual sum of squares comes from the refined solution
    and its degrees of freedom from a Cholesky factor:
    ``df = k - alpha trace((M + alpha I)^{-1})``.

    Parameters
    ----------
    problem : fastreg.ridge.spectral.Decomposition
    alphas : ndarray of shape (n_alphas,)
    refined : fastreg.ridge.refine.Refined

    Returns
    -------
    ndarray of shape (n_alphas, n_targets)
    """
    system, spec = problem.system, problem.spectrum
    target_norms, n_samples = system.target_norms, system.n_samples
    a = spec.singular_coords
    s = np.where(spec.keep, spec.eigvals, 0.0)
    base = np.maximum(target_norms - (a * a).sum(axis=0), 0.0)
    shrink = alphas[None, :] / (s[:, None] + alphas[None, :])  # (rank, A)
    shrink = np.where(spec.keep[:, None], shrink, 0.0)
    rss = base[None, :] + (shrink * shrink).T @ (a * a)
    df = (s[:, None] / (s[:, None] + alphas[None, :])).sum(axis=0) + float(system.centered)
    bad = untrusted_alphas(refined, spec, alphas)
    if bad.size:
        _direct_gcv_terms(system, refined, alphas, bad, rss, df)
    return (rss / n_samples) / ((1.0 - df / n_samples) ** 2)[:, None]


def _direct_gcv_terms(system, refined, alphas, bad, rss, df):
    """Overwrite ``rss`` and ``df`` of the untrusted alphas from refined solutions."""
    dual = system.form == "dual"
    M, _ = _dual_system(system) if dual else (system.gram, None)
    X = refined.x.reshape(refined.x.shape[0], len(alphas), -1)
    for a in bad:
        value, W = alphas[a], X[:, a, :]
        if dual:
            # (K + alpha I) c = y~ makes the residual y~ - K c = alpha c
            rss[a] = value * value * np.einsum("ij,ij->j", W, W)
        else:
            quad = np.einsum("ij,ij->j", W, system.gram @ W)
            cross = np.einsum("ij,ij->j", system.xty, W)
            rss[a] = np.maximum(system.yty - 2.0 * cross + quad, 0.0)
        lower = shifted_factor(M, value)
        if lower is not None:
            df[a] = M.shape[0] - value * inverse_trace(lower) + float(system.centered)


def cv_errors(problem, alphas, *, criterion, keep_samples=False):
    """``(mse (n_alphas, n_targets), per_sample or None)`` for the chosen criterion.

    The solutions of every alpha are refined first (:mod:`fastreg.ridge.refine`);
    alphas whose spectral solution was off get their leverages or degrees of
    freedom from a Cholesky factor instead of the spectrum.

    Parameters
    ----------
    problem : fastreg.ridge.spectral.Decomposition
        With its rows for ``criterion='loo'``.
    alphas : ndarray of shape (n_alphas,)
        Strictly positive.
    criterion : {'loo', 'gcv'}
    keep_samples : bool, default=False
        Also return every squared leave-one-out error.

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets)
    per_sample : ndarray of shape (n_samples, n_targets, n_alphas) or None
    """
    refined = path_solutions(problem, alphas)
    if criterion == "gcv":
        return gcv(problem, alphas, refined), None
    if problem.spectrum.form == "primal":
        return primal_loo(problem, alphas, refined, keep_samples=keep_samples)
    return dual_loo(problem, alphas, refined, keep_samples=keep_samples)


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
