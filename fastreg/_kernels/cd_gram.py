"""Covariance ("Gram") coordinate descent for one target (glmnet's covariance mode).

The gradient ``g = (X^T y - X^T X w) / n`` replaces the residual. A change
``delta`` in ``w_j`` costs ``g -= G[:, j] * delta / n``: O(p), or O(|working
set|) while sweeping a working set, independent of n. Gram columns live in a
cache of shape (n_features, capacity) addressed through ``slot[j]``, so the
driver can fill it lazily, column by column, as features enter the model.
With ``g`` exact on the working set, the subproblem's duality gap costs
O(|working set|) and is checked after every sweep.
"""

import numpy as np

from ._jit import jit
from .cycle import nonzero_subset, seed_random, settle_tol, shuffle_prefix
from .gap import box_working_set_gap, duality_gap
from .prox import box_coordinate


@jit
def _gram_sweep(cache, slot, g, w, norms2, ws, idx, n_idx, l1, l2, positive, inv_n,
                update_all, box):
    n_features = g.shape[0]
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
def _gram_ws_gap(Xy, yy, g, w, ws, l1, l2, positive, n_samples, box):
    w_dot_Xy = 0.0
    w_dot_g = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        w_dot_Xy += w[j] * Xy[j]
        w_dot_g += w[j] * g[j]
    ry = (yy - w_dot_Xy) / n_samples
    if box is None:
        p = w.shape[0]
        return duality_gap(g.reshape((p, 1)), w.reshape((p, 1)), ws, ry - w_dot_g, ry, l1, l2,
                           positive, n_samples)[0]
    return box_working_set_gap(g, w, ws, ry - w_dot_g, ry, l1, l2, n_samples, box)


@jit
def gram_solve(cache, slot, Xy, yy, g, w, norms2, ws, l1, l2, positive, gap_tol,
               max_epochs, seed, n_samples, box):
    """Solve the working-set subproblem by covariance-update coordinate descent.

    Parameters
    ----------
    cache : ndarray of shape (n_features, capacity), Fortran order
        Gram columns ``X^T x_j`` (unscaled); column ``slot[j]`` holds feature j.
    slot : ndarray of int64, shape (n_features,)
        Cache slot of each feature; every feature of ``ws`` must have one.
    Xy : ndarray of float64, shape (n_features,)
        ``X^T y``.
    yy : float
        ``y^T y``.
    g : ndarray of float64, shape (n_features,)
        ``X^T (y - X w) / n``, exact on ``ws`` on entry; kept exact on ``ws``
        (on every feature if ``ws`` covers more than a quarter of them).
    w, norms2, ws, l1, l2, positive, gap_tol, max_epochs, seed
        As in :func:`fastreg._kernels.cd_naive.dense_solve`.
    n_samples : int
    box : None or BoxRecord
        Penalty factors and bounds, as in :func:`fastreg._kernels.cd_naive.dense_solve`.

    Returns
    -------
    n_epochs : int
    gap : float
        Subproblem duality gap after the last sweep.
    """
    inv_n = 1.0 / n_samples
    update_all = 4 * ws.shape[0] > g.shape[0]
    seed_random(seed)
    active = np.empty_like(ws)
    n_epochs = 0
    gap = np.inf
    while n_epochs < max_epochs:
        shuffle_prefix(ws, ws.shape[0], seed)
        _gram_sweep(cache, slot, g, w, norms2, ws, ws, ws.shape[0], l1, l2, positive,
                    inv_n, update_all, box)
        n_epochs += 1
        gap = _gram_ws_gap(Xy, yy, g, w, ws, l1, l2, positive, n_samples, box)
        if gap <= gap_tol:
            break
        n_active = nonzero_subset(ws, w, active)
        settle = settle_tol(gap_tol, n_active)
        while n_epochs < max_epochs:
            shuffle_prefix(active, n_active, seed)
            dmax = _gram_sweep(cache, slot, g, w, norms2, ws, active, n_active, l1, l2,
                               positive, inv_n, update_all, box)
            n_epochs += 1
            gap = _gram_ws_gap(Xy, yy, g, w, ws, l1, l2, positive, n_samples, box)
            if gap <= gap_tol or dmax <= settle:
                break
        if gap <= gap_tol:
            break
    return n_epochs, gap


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
