"""Slow, independent NumPy references for the elastic-net path tests.

Written from the optimization problem, not from fastreg's code. Everything is
computed in float64 on dense arrays. The primal problem (one target) is

    P(w) = 1/(2n) ||y - Xw||^2 + l1 ||w||_1 + (l2/2) ||w||^2,
    l1 = alpha * l1_ratio,  l2 = alpha * (1 - l1_ratio),

and for a 2-D target Y (n_samples, n_tasks) with W of shape (n_tasks, n_features)
(the layout of the path functions' output)

    P(W) = 1/(2n) ||Y - X W^T||_F^2 + l1 sum_j ||W[:, j]||_2 + (l2/2) ||W||_F^2.

Sample weights enter the data term as ``1/(2n) sum_i sw_i (y_i - x_i w)^2`` with n
the number of rows; every function below folds them in by scaling row i of X and
y with ``sqrt(sw_i)``, which gives exactly that data term.

Duality gap (l1 > 0). Writing the elastic net as a lasso on augmented data
``X~ = [X; sqrt(n l2) I]``, ``y~ = [y; 0]``, the lasso dual is
``D(theta) = 1/(2n) (||y~||^2 - ||y~ - n theta||^2)`` over
``{theta : ||X~^T theta||_inf <= l1}`` (``max_j X~_j^T theta <= l1`` when w >= 0
is imposed). The feasible point used is the scaled residual
``theta = s * r~ / n``, ``s = min(1, l1 / ||X^T r / n - l2 w||_inf)``, so

    D = s <r, y> / n - (s^2 / 2) (||r||^2 / n + l2 ||w||^2).

Duality gap (l1 == 0, l2 > 0, ridge): the Fenchel dual of
``f(z) = 1/(2n)||y - z||^2`` plus ``g(w) = (l2/2)||w||^2`` at ``u = -r/n`` gives

    gap = ||r||^2 / n + (l2/2) ||w||^2 - <r, y>/n + ||X^T r / n||^2 / (2 l2).

With no penalty at all (least squares) there is no dual; the first-order
measure ``||X^T r||^2 / n`` stands in (the convention of scikit-learn's dual_gaps).
"""

import numpy as np
from scipy import sparse

__all__ = [
    "as_dense",
    "centered_dense",
    "weighted",
    "gap_scale",
    "enet_objective",
    "duality_gap",
    "kkt_violation",
    "mt_enet_objective",
    "mt_duality_gap",
    "mt_kkt_violation",
    "cd_enet",
    "cd_multitask",
]


# ---------------------------------------------------------------- data helpers
def as_dense(X):
    """float64 dense version of a dense or sparse matrix (not necessarily a copy)."""
    if sparse.issparse(X):
        return np.asarray(X.toarray(), dtype=np.float64)
    return np.asarray(X, dtype=np.float64)  # never written to below


def centered_dense(X, X_offset, X_scale=None):
    """The matrix a sparse path with ``X_offset``/``X_scale`` solves on: X - offset/scale."""
    Xd = as_dense(X)
    offset = np.asarray(X_offset, dtype=np.float64)
    scale = np.ones_like(offset) if X_scale is None else np.asarray(X_scale, np.float64)
    return Xd - (offset / scale)[None, :]


def weighted(X, y, sample_weight):
    """Rows scaled by sqrt(sample_weight): the unweighted problem with the same objective."""
    Xd = as_dense(X)
    yd = np.array(y, dtype=np.float64)
    if sample_weight is None:
        return Xd, yd
    root = np.sqrt(np.asarray(sample_weight, dtype=np.float64))
    Xd = Xd * root[:, None]
    yd = yd * (root[:, None] if yd.ndim == 2 else root)
    return Xd, yd


def gap_scale(y, sample_weight=None):
    """``sum_i sw_i ||y_i||^2 / n``: the unit of the relative duality-gap tolerance."""
    yd = np.asarray(y, dtype=np.float64)
    n = yd.shape[0]
    sq = yd**2 if yd.ndim == 1 else np.sum(yd**2, axis=1)
    if sample_weight is not None:
        sq = sq * np.asarray(sample_weight, dtype=np.float64)
    return float(np.sum(sq)) / n


def _penalties(alpha, l1_ratio):
    return float(alpha) * float(l1_ratio), float(alpha) * (1.0 - float(l1_ratio))


def _as_matrix_coef(W, multi_task):
    """Coefficients as (n_features, n_tasks)."""
    W = np.asarray(W, dtype=np.float64)
    if multi_task:
        return W.T.copy()
    return W.reshape(-1, 1).copy()


def _targets(y):
    y = np.asarray(y, dtype=np.float64)
    return y.reshape(-1, 1) if y.ndim == 1 else y


# ------------------------------------------------------- generic (p x T) core
def _objective(X, Y, B, l1, l2):
    n = X.shape[0]
    R = Y - X @ B
    row_norms = np.sqrt(np.sum(B**2, axis=1))
    return (0.5 * np.sum(R**2) / n + l1 * np.sum(row_norms)
            + 0.5 * l2 * np.sum(B**2))


def _gap(X, Y, B, l1, l2, positive):
    n = X.shape[0]
    R = Y - X @ B
    grad = X.T @ R / n  # (p, T)
    r_sq = float(np.sum(R**2)) / n
    r_y = float(np.sum(R * Y)) / n
    b_sq = float(np.sum(B**2))
    if l1 > 0:
        A = grad - l2 * B
        if positive:
            dual_norm = float(np.max(A[:, 0]))
        else:
            dual_norm = float(np.max(np.sqrt(np.sum(A**2, axis=1))))
        s = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
        primal = 0.5 * r_sq + 0.5 * l2 * b_sq + l1 * float(np.sum(np.sqrt(np.sum(B**2, axis=1))))
        dual = s * r_y - 0.5 * s * s * (r_sq + l2 * b_sq)
        return primal - dual
    if l2 > 0:
        return r_sq + 0.5 * l2 * b_sq - r_y + float(np.sum(grad**2)) / (2.0 * l2)
    return float(np.sum((X.T @ R) ** 2)) / n


def _kkt(X, Y, B, l1, l2, positive):
    """Largest violation of the optimality conditions, feature by feature."""
    n = X.shape[0]
    R = Y - X @ B
    C = X.T @ R / n - l2 * B  # minus the gradient of the smooth part, (p, T)
    if positive:
        b, c = B[:, 0], C[:, 0]
        if np.any(b < 0):
            return np.inf
        v = np.where(b > 0, np.abs(c - l1), np.maximum(0.0, c - l1))
        return float(np.max(v))
    norms = np.sqrt(np.sum(B**2, axis=1))
    nonzero = norms > 0
    direction = np.zeros_like(B)
    direction[nonzero] = B[nonzero] / norms[nonzero, None]
    v_nonzero = np.sqrt(np.sum((C - l1 * direction) ** 2, axis=1))
    v_zero = np.maximum(0.0, np.sqrt(np.sum(C**2, axis=1)) - l1)
    return float(np.max(np.where(nonzero, v_nonzero, v_zero)))


# ------------------------------------------------------------ single target
def enet_objective(X, y, w, alpha, l1_ratio, sample_weight=None):
    """Primal objective P(w) (float64)."""
    Xd, yd = weighted(X, y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _objective(Xd, _targets(yd), _as_matrix_coef(w, False), l1, l2)


def duality_gap(X, y, w, alpha, l1_ratio, positive=False, sample_weight=None):
    """Duality gap at w, on the scale of P (the scale of the returned dual_gaps)."""
    Xd, yd = weighted(X, y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _gap(Xd, _targets(yd), _as_matrix_coef(w, False), l1, l2, positive)


def kkt_violation(X, y, w, alpha, l1_ratio, positive=False, sample_weight=None):
    """max_j of the distance of 0 to the subdifferential's optimality condition.

    With ``c_j = x_j^T r / n - l2 w_j``: ``|c_j - l1 sign(w_j)|`` if ``w_j != 0``,
    ``max(0, |c_j| - l1)`` if ``w_j == 0``; with ``positive``:
    ``|c_j - l1|`` if ``w_j > 0``, ``max(0, c_j - l1)`` if ``w_j == 0`` and
    infinity if ``w_j < 0``.
    """
    Xd, yd = weighted(X, y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _kkt(Xd, _targets(yd), _as_matrix_coef(w, False), l1, l2, positive)


# -------------------------------------------------------------- multi-task
def mt_enet_objective(X, Y, W, alpha, l1_ratio, sample_weight=None):
    """Multi-task primal objective; W of shape (n_tasks, n_features)."""
    Xd, Yd = weighted(X, Y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _objective(Xd, Yd, _as_matrix_coef(W, True), l1, l2)


def mt_duality_gap(X, Y, W, alpha, l1_ratio, sample_weight=None):
    """Multi-task duality gap (group-norm dual constraint)."""
    Xd, Yd = weighted(X, Y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _gap(Xd, Yd, _as_matrix_coef(W, True), l1, l2, False)


def mt_kkt_violation(X, Y, W, alpha, l1_ratio, sample_weight=None):
    """Multi-task KKT violation: ``||c_j - l1 W_j/||W_j||||`` or ``max(0, ||c_j|| - l1)``."""
    Xd, Yd = weighted(X, Y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _kkt(Xd, Yd, _as_matrix_coef(W, True), l1, l2, False)


# ---------------------------------------------------------------- solvers
def _soft(z, t):
    return np.sign(z) * max(abs(z) - t, 0.0)


def cd_enet(X, y, alpha, l1_ratio, *, positive=False, sample_weight=None, w0=None,
            tol=1e-14, max_sweeps=200000):
    """Plain cyclic coordinate descent for one target, to a tiny duality gap.

    Stops when ``duality_gap <= tol * gap_scale(y)`` (checked every few sweeps).

    Returns
    -------
    w : ndarray of shape (n_features,)
    gap : float
    """
    Xd, yd = weighted(X, y, sample_weight)
    n, p = Xd.shape
    l1, l2 = _penalties(alpha, l1_ratio)
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=np.float64)
    h = np.sum(Xd**2, axis=0) / n
    w[h == 0] = 0.0  # a zero column only carries penalty
    r = yd - Xd @ w
    target = tol * float(yd @ yd) / n
    gap = np.inf
    for sweep in range(max_sweeps):
        for j in range(p):
            if h[j] == 0:
                continue
            z = Xd[:, j] @ r / n + h[j] * w[j]
            if positive:
                new = max(z - l1, 0.0) / (h[j] + l2)
            else:
                new = _soft(z, l1) / (h[j] + l2)
            if new != w[j]:
                r -= (new - w[j]) * Xd[:, j]
                w[j] = new
        if sweep % 5 == 4 or sweep == max_sweeps - 1:
            r = yd - Xd @ w  # refresh against drift
            gap = _gap(Xd, yd[:, None], w[:, None], l1, l2, positive)
            if gap <= target:
                break
    return w, gap


def cd_multitask(X, Y, alpha, l1_ratio, *, sample_weight=None, tol=1e-14,
                 max_sweeps=200000):
    """Plain cyclic block coordinate descent for the L2,1 problem.

    Returns
    -------
    W : ndarray of shape (n_tasks, n_features)
    gap : float
    """
    Xd, Yd = weighted(X, Y, sample_weight)
    n, p = Xd.shape
    l1, l2 = _penalties(alpha, l1_ratio)
    B = np.zeros((p, Yd.shape[1]))
    h = np.sum(Xd**2, axis=0) / n
    R = Yd.copy()
    target = tol * float(np.sum(Yd**2)) / n
    gap = np.inf
    for sweep in range(max_sweeps):
        for j in range(p):
            if h[j] == 0:
                continue
            z = Xd[:, j] @ R / n + h[j] * B[j]
            norm_z = float(np.sqrt(z @ z))
            new = np.zeros_like(z) if norm_z <= l1 else z * (1 - l1 / norm_z) / (h[j] + l2)
            delta = new - B[j]
            if np.any(delta != 0):
                R -= np.outer(Xd[:, j], delta)
                B[j] = new
        if sweep % 5 == 4 or sweep == max_sweeps - 1:
            R = Yd - Xd @ B
            gap = _gap(Xd, Yd, B, l1, l2, False)
            if gap <= target:
                break
    return B.T.copy(), gap
