"""Covariance ("Gram") coordinate descent for one target (glmnet's covariance mode).

The gradient ``g = (X^T y - X^T X w) / n`` replaces the residual. A change
``delta`` in ``w_j`` costs ``g -= G[:, j] * delta / n``: O(p), or O(|working
set|) while sweeping a working set, independent of n. Gram columns live in a
cache of shape (n_features, capacity) addressed through ``slot[j]``, so the
driver can fill it lazily, column by column, as features enter the model.
With ``g`` exact on the working set, the subproblem's duality gap costs
O(|working set|) and is checked after every sweep.
"""

from collections import namedtuple

from ._jit import jit
from .cycle import refined_solve, register_layout
from .gap import duality_gap
from .prox import box_coordinate

GramLayout = namedtuple("GramLayout", ["cache", "sweep_cache", "slot", "Xy", "yy", "g", "norms2",
                                       "n_samples", "max_cycle"])
GramLayout.__doc__ = """Covariance updates, for :func:`fastreg._kernels.cycle.active_set_solve`.

cache : ndarray of shape (n_features, capacity), Fortran order
    Gram columns ``X^T x_j`` (unscaled); column ``slot[j]`` holds feature j.
sweep_cache : ndarray of shape (n_features, capacity), Fortran order
    The columns the sweeps' gradient updates read: ``cache`` itself, or its
    float32 rounding (``GramProblem``'s mixed-precision sweeps). The sweeps are
    then coordinate descent on the quadratic whose Hessian is the rounded
    matrix (symmetric, as the rounding of a symmetric matrix is; the steps
    divide by the float64 diagonal ``norms2``, within ``2^-24`` of the rounded
    one, which moves no fixed point), so ``g`` drifts from the true gradient by
    ``(G - round(G)) (w - w_0) / n`` over a solve. The solve's own gaps see that
    drift; the driver's certificate (:func:`gram_gradient`, from ``cache``) does
    not.
slot : ndarray of int64, shape (n_features,)
    Cache slot of each feature; every feature of the working set must have one.
Xy : ndarray of float64, shape (n_features,)
    ``X^T y``.
yy : float
    ``y^T y``.
g : ndarray of float64, shape (n_features,)
    ``X^T (y - X w) / n``, exact on the working set on entry; kept exact on it
    (on every feature if the working set covers more than a quarter of them).
norms2 : ``||x_j||^2 / n``; n_samples : the ``n`` of the data term;
max_cycle : 0 (the gap is cheap: checked after every sweep).
"""


@jit
def _gram_sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box):
    cache, slot, g, norms2 = layout.sweep_cache, layout.slot, layout.g, layout.norms2
    inv_n = 1.0 / layout.n_samples
    n_features = g.shape[0]
    update_all = 4 * ws.shape[0] > n_features
    n_ws = ws.shape[0]
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        wj = w[j]
        new = box_coordinate(g[j] + h * wj, j, l1, l2, h, positive, box)
        if new != wj:
            delta = new - wj
            w[j] = new
            step = delta * inv_n
            col = slot[j]
            if update_all:
                for m in range(n_features):
                    g[m] -= cache[m, col] * step
            else:
                for kk in range(n_ws):
                    m = ws[kk]
                    g[m] -= cache[m, col] * step
            dmax = max(dmax, (h + l2) * delta * delta)
    return dmax


@jit
def _gram_ws_gap(layout, w, ws, l1, l2, positive, box):
    Xy, yy, g, n_samples = layout.Xy, layout.yy, layout.g, layout.n_samples
    w_dot_Xy = 0.0
    w_dot_g = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        w_dot_Xy += w[j] * Xy[j]
        w_dot_g += w[j] * g[j]
    ry = (yy - w_dot_Xy) / n_samples
    p = w.shape[0]
    return duality_gap(g.reshape((p, 1)), w.reshape((p, 1)), ws, ry - w_dot_g, ry, l1, l2,
                       positive, n_samples, box)[0]


register_layout(GramLayout, _gram_sweep, _gram_ws_gap)


@jit
def gram_solve(data, w, ws, l1, l2, positive, targets, seed, box):
    """The active-set cycle with covariance updates; ``data = (cache, sweep_cache, slot, Xy,
    yy, g, norms2, n_samples)`` of :class:`GramLayout`. Parameters and returns as
    :func:`fastreg._kernels.cycle.refined_solve`.
    """
    cache, sweep_cache, slot, Xy, yy, g, norms2, n_samples = data
    return refined_solve(GramLayout(cache, sweep_cache, slot, Xy, yy, g, norms2, n_samples, 0),
                         w, ws, l1, l2, positive, targets, seed, box)


@jit
def gram_gradient(cache, slot, Xy, w, g, n_samples):
    """Recompute ``g = (Xy - G w) / n`` for every feature from the nonzero columns.

    Returns
    -------
    w_dot_Xy : float
        ``w^T X^T y``.
    w_dot_g : float
        ``w^T g``; with ``y^T y`` these give ``||r||^2`` and ``r^T y`` exactly.
    """
    inv_n = 1.0 / n_samples
    n_features = g.shape[0]
    for m in range(n_features):
        g[m] = Xy[m] * inv_n
    w_dot_Xy = 0.0
    for j in range(n_features):
        wj = w[j]
        if wj != 0.0:
            w_dot_Xy += wj * Xy[j]
            step = wj * inv_n
            col = slot[j]
            for m in range(n_features):
                g[m] -= cache[m, col] * step
    w_dot_g = 0.0
    for j in range(n_features):
        w_dot_g += w[j] * g[j]
    return w_dot_Xy, w_dot_g
