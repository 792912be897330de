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


def _prox_gradient_step(X, Y, B, l1, l2, positive, L):
    """``max_j ||G_j||`` of the coordinate-wise proximal-gradient mapping with step ``1/L``.

    ``G_j = L (B_j - prox_{l1/L}(B_j + C_j / L))`` with ``C`` as in :func:`_kkt`
    (soft-thresholding; rows shrunk as groups for several targets; clipped at
    zero with ``positive``). Zero exactly at a solution. For ``L`` at least
    every coordinate's curvature (``||x_j||^2 / n + l2``), one proximal step
    on coordinate ``j`` alone lowers the objective by at least
    ``||G_j||^2 / (2 L)``, so ``||G_j|| <= sqrt(2 L (P(w) - P*)) <= sqrt(2 L
    gap)``: a bound the duality gap implies, which the distance to the
    subdifferential (:func:`_kkt`) does not obey at a coefficient left at
    rounding level (1e-16) where zero is optimal.
    """
    n = X.shape[0]
    R = Y - X @ B
    C = X.T @ R / n - l2 * B
    U = B + C / L
    if positive:
        P = np.maximum(U - l1 / L, 0.0)
    else:
        norms = np.sqrt(np.sum(U**2, axis=1))
        shrink = np.where(norms > l1 / L, 1.0 - (l1 / L) / np.where(norms > 0, norms, 1.0), 0.0)
        P = U * shrink[:, None]
    return float(L * np.max(np.sqrt(np.sum((B - P) ** 2, axis=1))))


def prox_gradient_violation(X, y, w, alpha, l1_ratio, L, positive=False, sample_weight=None,
                            multi_task=False):
    """:func:`_prox_gradient_step` of the (weighted) problem; ``w`` as in
    :func:`kkt_violation` (``multi_task``: as in :func:`mt_kkt_violation`)."""
    Xd, yd = weighted(X, y, sample_weight)
    l1, l2 = _penalties(alpha, l1_ratio)
    return _prox_gradient_step(Xd, _targets(yd), _as_matrix_coef(w, multi_task), l1, l2,
                               positive, L)


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


# ------------------------------------------- penalty factors, bounds, scaling
# The problem with per-feature penalty factors v_j and a box lo_j <= w_j <= hi_j
# (lo_j <= 0 <= hi_j) is
#
#     P(w) = 1/(2n) ||y - Xw||^2 + sum_j v_j (l1 |w_j| + (l2/2) w_j^2),
#
# with v_j = inf meaning w_j = 0. The functions below are written from this
# definition alone (optimality conditions, exhaustive enumeration of faces).

def _box_arrays(p, factors, lower, upper):
    v = np.ones(p) if factors is None else np.asarray(factors, dtype=np.float64)
    lo = np.full(p, -np.inf) if lower is None else np.broadcast_to(
        np.asarray(lower, dtype=np.float64), (p,)).copy()
    hi = np.full(p, np.inf) if upper is None else np.broadcast_to(
        np.asarray(upper, dtype=np.float64), (p,)).copy()
    return v, lo, hi


def box_objective(X, y, w, alpha, l1_ratio, factors=None, lower=None, upper=None,
                  sample_weight=None):
    """P(w) with penalty factors (inf where v_j = inf and w_j != 0 or w is outside the box)."""
    Xd, yd = weighted(X, y, sample_weight)
    n, p = Xd.shape
    l1, l2 = _penalties(alpha, l1_ratio)
    v, lo, hi = _box_arrays(p, factors, lower, upper)
    w = np.asarray(w, dtype=np.float64)
    if np.any(w < lo) or np.any(w > hi) or np.any((v == np.inf) & (w != 0)):
        return np.inf
    finite = np.isfinite(v)
    r = yd - Xd @ w
    pen = np.sum(v[finite] * (l1 * np.abs(w[finite]) + 0.5 * l2 * w[finite] ** 2))
    return 0.5 * float(r @ r) / n + float(pen)


def box_kkt_violation(X, y, w, alpha, l1_ratio, factors=None, lower=None, upper=None,
                      sample_weight=None):
    """Largest violation of the optimality conditions of P over the box.

    With ``c_j = x_j^T r / n - l2 v_j w_j`` and ``t_j = v_j l1``, optimality of
    ``w_j`` is ``c_j - t_j sign(w_j) = 0`` strictly inside the box away from 0,
    ``|c_j| <= t_j`` at 0 strictly inside, ``c_j >= t_j`` at an upper bound
    ``hi_j > 0`` (``c_j + t_j <= 0`` at a lower bound ``lo_j < 0``), and
    ``c_j <= t_j`` (``c_j >= -t_j``) at ``w_j = 0 = lo_j`` (``= hi_j``).
    Excluded features (v_j = inf) must be 0.
    """
    Xd, yd = weighted(X, y, sample_weight)
    n, p = Xd.shape
    l1, l2 = _penalties(alpha, l1_ratio)
    v, lo, hi = _box_arrays(p, factors, lower, upper)
    w = np.asarray(w, dtype=np.float64)
    if np.any(w < lo) or np.any(w > hi):
        return np.inf
    g = Xd.T @ (yd - Xd @ w) / n
    worst = 0.0
    for j in range(p):
        if v[j] == np.inf:
            if w[j] != 0:
                return np.inf
            continue
        c = g[j] - l2 * v[j] * w[j]
        t = v[j] * l1
        if w[j] == 0:
            up = max(0.0, c - t) if hi[j] > 0 else 0.0
            down = max(0.0, -c - t) if lo[j] < 0 else 0.0
            viol = max(up, down)
        elif w[j] == hi[j]:
            viol = max(0.0, t - c)
        elif w[j] == lo[j]:
            viol = max(0.0, c + t)
        else:
            viol = abs(c - t * np.sign(w[j]))
        worst = max(worst, viol)
    return worst


def box_exact(X, y, alpha, l1_ratio, factors=None, lower=None, upper=None,
              sample_weight=None):
    """Exact minimizer of P over the box by enumeration of faces (small p only).

    Every feature is at its lower bound, negative, zero, positive or at its
    upper bound; on each face the objective is a quadratic whose minimizer
    solves a linear system (least squares: the minimum-norm one). Every
    candidate lying in its face is feasible, and the face of the optimum
    yields the optimum (its quadratic is minimized there), so the best
    feasible candidate is optimal. Cost 5^p linear solves.

    Returns
    -------
    w : ndarray of shape (n_features,)
    objective : float
    """
    import itertools

    Xd, yd = weighted(X, y, sample_weight)
    n, p = Xd.shape
    assert p <= 7
    l1, l2 = _penalties(alpha, l1_ratio)
    v, lo, hi = _box_arrays(p, factors, lower, upper)
    A = Xd.T @ Xd / n
    b = Xd.T @ yd / n
    best_w, best = np.zeros(p), box_objective(X, y, np.zeros(p), alpha, l1_ratio,
                                               factors, lower, upper, sample_weight)
    choices = []
    for j in range(p):
        if v[j] == np.inf or (lo[j] == 0 and hi[j] == 0):
            choices.append(("zero",))
            continue
        c = ["zero", "neg", "pos"]
        if np.isfinite(lo[j]) and lo[j] < 0:
            c.append("lo")
        if np.isfinite(hi[j]) and hi[j] > 0:
            c.append("hi")
        if lo[j] == 0:
            c.remove("neg")
        if hi[j] == 0:
            c.remove("pos")
        choices.append(tuple(c))
    for face in itertools.product(*choices):
        w = np.zeros(p)
        free = []
        sign = np.zeros(p)
        for j, kind in enumerate(face):
            if kind == "lo":
                w[j] = lo[j]
            elif kind == "hi":
                w[j] = hi[j]
            elif kind in ("neg", "pos"):
                free.append(j)
                sign[j] = -1.0 if kind == "neg" else 1.0
        if free:
            F = np.array(free)
            fixed = np.setdiff1d(np.arange(p), F)
            H = A[np.ix_(F, F)] + np.diag(l2 * v[F])
            rhs = b[F] - A[np.ix_(F, fixed)] @ w[fixed] - l1 * v[F] * sign[F]
            w[F] = np.linalg.lstsq(H, rhs, rcond=None)[0]
            if np.any(w[F] * sign[F] <= 0) or np.any(w[F] < lo[F]) or np.any(w[F] > hi[F]):
                continue
        obj = box_objective(X, y, w, alpha, l1_ratio, factors, lower, upper, sample_weight)
        if obj < best:
            best, best_w = obj, w
    return best_w, best


def center_scale(X, y, sample_weight=None, *, fit_intercept=True, standardize=False):
    """Explicitly centered / scaled dense data, glmnet's conventions.

    Means are weighted means; scales are weighted population standard
    deviations ``sqrt(sum_i sw_i (x_ij - mean_j)^2 / sum_i sw_i)`` (1 for a
    constant column), computed about the mean whether or not X is centered.

    Returns
    -------
    Xs, ys, x_mean, x_scale, y_mean
    """
    Xd = as_dense(X)
    yd = np.asarray(y, dtype=np.float64)
    sw = np.ones(Xd.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    mean = sw @ Xd / sw.sum()
    sd = np.sqrt(sw @ (Xd - mean) ** 2 / sw.sum())
    sd[sd == 0] = 1.0
    x_scale = sd if standardize else np.ones(Xd.shape[1])
    x_mean = mean if fit_intercept else np.zeros(Xd.shape[1])
    y_mean = sw @ yd / sw.sum() if fit_intercept else np.zeros(yd.shape[1:])
    return (Xd - x_mean) / x_scale, yd - y_mean, x_mean, x_scale, y_mean


__all__ += ["box_objective", "box_kkt_violation", "box_exact", "center_scale"]
