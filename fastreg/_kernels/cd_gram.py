"""Covariance ("Gram") coordinate descent for one target (glmnet's covariance mode).

The gradient ``g = (X^T y - X^T X w) / n`` replaces the residual. A change
``delta`` in ``w_j`` costs ``g -= G[:, j] * delta / n``: O(p), or O(|working
set|) while sweeping a working set, independent of n. Gram columns live in a
cache of shape (n_features, capacity) addressed through ``slot[j]``, so the
driver can fill it lazily, column by column, as features enter the model.
"""

import numpy as np

from ._jit import jit
from .cycle import next_sweep, nonzero_subset, shuffle_prefix
from .prox import enet_coordinate


@jit
def _gram_sweep(cache, slot, g, w, norms2, ws, idx, n_idx, l1, l2, positive, inv_n,
                update_all):
    n_features = g.shape[0]
    n_ws = ws.shape[0]
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        wj = w[j]
        new = enet_coordinate(g[j] + h * wj, l1, h + l2, positive)
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
def gram_epochs(cache, slot, g, w, norms2, ws, l1, l2, positive, tol, max_epochs, seed,
                n_samples):
    """Covariance-update epochs over a working set, with active-set cycling.

    Parameters
    ----------
    cache : ndarray of shape (n_features, capacity), Fortran order
        Gram columns ``X^T x_j`` (unscaled); column ``slot[j]`` holds feature j.
    slot : ndarray of int64, shape (n_features,)
        Cache slot of each feature; every feature of ``ws`` must have one.
    g : ndarray of shape (n_features,)
        ``X^T (y - X w) / n``; kept exact on ``ws`` (all features if ``ws``
        covers more than a quarter of them), stale elsewhere.
    w, norms2, ws, l1, l2, positive, tol, max_epochs, seed
        As in :func:`fastreg._kernels.cd_naive.dense_epochs`.
    n_samples : int

    Returns
    -------
    int
        Number of sweeps performed.
    """
    inv_n = 1.0 / n_samples
    update_all = 4 * ws.shape[0] > g.shape[0]
    if seed >= 0:
        np.random.seed(seed)
    active = np.empty_like(ws)
    n_active = 0
    on_full = True
    n_epochs = 0
    while n_epochs < max_epochs:
        idx = ws if on_full else active
        n_idx = ws.shape[0] if on_full else n_active
        if seed >= 0:
            shuffle_prefix(idx, n_idx)
        dmax = _gram_sweep(cache, slot, g, w, norms2, ws, idx, n_idx, l1, l2, positive,
                           inv_n, update_all)
        n_epochs += 1
        done, next_full = next_sweep(dmax, tol, on_full)
        if done:
            break
        if on_full and not next_full:
            n_active = nonzero_subset(ws, w, active)
        on_full = next_full
    return n_epochs


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
