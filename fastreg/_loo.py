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

from ._stats import blocks, default_block_size, row_block


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


def primal_loo(X, targets, stats, spec, alphas, *, block_size=None, keep_samples=False):
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

    Returns
    -------
    mse : ndarray of shape (n_alphas, n_targets)
        Mean over samples of the squared rescaled leave-one-out errors.
    per_sample : ndarray of shape (n_samples, n_targets, n_alphas) or None
    """
    n_samples = X.shape[0]
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
        leverage = (Q * Q) @ D + _leverage_offset(targets, stats.centered, start, stop)
        fitted = (Q @ fit_weights).reshape(stop - start, n_alphas, n_targets)
        errors = _rescaled_errors(targets.y_tilde[start:stop, None, :] - fitted, leverage)
        squared = errors * errors
        total += squared.sum(axis=0)
        if keep_samples:
            per_sample[start:stop] = squared.transpose(0, 2, 1)
    return total / n_samples, per_sample


def dual_loo(spec, alphas, *, keep_samples=False):
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
    weights = (spec.coords[:, None, :] * D[:, :, None]).reshape(U.shape[1], -1)
    c = (U @ weights).reshape(n_samples, n_alphas, n_targets)
    errors = c / d[:, :, None]
    squared = errors * errors
    per_sample = squared.transpose(0, 2, 1).copy() if keep_samples else None
    return squared.mean(axis=0), per_sample


def gcv(targets, stats, spec, alphas):
    """Generalized cross-validation error for every alpha and target.

    ``GCV(alpha) = (||r(alpha)||^2 / n) / (1 - df(alpha) / n)^2`` with
    ``df = sum_k s_k / (s_k + alpha)`` (+1 for the intercept) and the
    residuals in the rescaled space; O(rank) per alpha.

    Returns
    -------
    ndarray of shape (n_alphas, n_targets)
    """
    return gcv_from_moments(_target_norms(targets), targets.y.shape[0], stats.centered,
                            spec, alphas)


def gcv_from_moments(target_norms, n_samples, centered, spec, alphas):
    """:func:`gcv` from ``||y~_t||^2``, the sample count and the spectrum alone.

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
    return (rss / n_samples) / ((1.0 - df / n_samples) ** 2)[:, None]


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
