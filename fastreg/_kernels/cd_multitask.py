"""Block coordinate descent for the multi-task (L2,1) elastic net, dense and CSC.

Objective ``1/(2n) ||Y - XW||_F^2 + l1 sum_j ||W_j||_2 + (l2/2) ||W||_F^2`` with
``W`` of shape (n_features, n_tasks); one block update moves a whole row W_j.
"""

import numpy as np

from ._jit import jit, reduction_jit
from .cycle import next_sweep, nonzero_rows_subset, shuffle_prefix
from .prox import group_coordinate


@reduction_jit
def _dense_block_sweep(X, R, W, norms2, idx, n_idx, l1, l2, inv_n, z, new):
    n_samples = X.shape[0]
    n_tasks = W.shape[1]
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        for t in range(n_tasks):
            dot = 0.0
            for i in range(n_samples):
                dot += X[i, j] * R[i, t]
            z[t] = dot * inv_n + h * W[j, t]
        group_coordinate(z, l1, h + l2, new)
        change = 0.0
        for t in range(n_tasks):
            delta = new[t] - W[j, t]
            if delta != 0.0:
                for i in range(n_samples):
                    R[i, t] -= delta * X[i, j]
                W[j, t] = new[t]
                change += delta * delta
        dmax = max(dmax, (h + l2) * change)
    return dmax


@jit
def dense_block_epochs(X, R, W, norms2, ws, l1, l2, tol, max_epochs, seed):
    """Block-CD epochs over a working set of rows, with active-set cycling.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    R : ndarray of shape (n_samples, n_tasks), Fortran order
        Residual ``Y - X W``, updated in place.
    W : ndarray of shape (n_features, n_tasks)
        Coefficients, updated in place.
    norms2, ws, l1, l2, tol, max_epochs, seed
        As in :func:`fastreg._kernels.cd_naive.dense_epochs`.

    Returns
    -------
    int
        Number of sweeps performed.
    """
    inv_n = 1.0 / X.shape[0]
    z = np.empty(W.shape[1], dtype=np.float64)
    new = np.empty(W.shape[1], dtype=np.float64)
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
        dmax = _dense_block_sweep(X, R, W, norms2, idx, n_idx, l1, l2, inv_n, z, new)
        n_epochs += 1
        done, next_full = next_sweep(dmax, tol, on_full)
        if done:
            break
        if on_full and not next_full:
            n_active = nonzero_rows_subset(ws, W, active)
        on_full = next_full
    return n_epochs


@reduction_jit
def _csc_block_sweep(data, indices, indptr, R, W, norms2, centers, col_u, shift, ur, uu,
                     idx, n_idx, l1, l2, inv_n, z, new):
    n_tasks = W.shape[1]
    center = uu > 0.0
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        start = indptr[j]
        stop = indptr[j + 1]
        for t in range(n_tasks):
            z[t] = 0.0
        for q in range(start, stop):
            i = indices[q]
            x = data[q]
            for t in range(n_tasks):
                z[t] += x * R[i, t]
        for t in range(n_tasks):
            if center:
                z[t] += shift[t] * col_u[j] - centers[j] * (ur[t] + shift[t] * uu)
            z[t] = z[t] * inv_n + h * W[j, t]
        group_coordinate(z, l1, h + l2, new)
        change = 0.0
        for t in range(n_tasks):
            delta = new[t] - W[j, t]
            if delta != 0.0:
                for q in range(start, stop):
                    R[indices[q], t] -= delta * data[q]
                if center:
                    shift[t] += delta * centers[j]
                    ur[t] -= delta * col_u[j]
                W[j, t] = new[t]
                change += delta * delta
        dmax = max(dmax, (h + l2) * change)
    return dmax


@jit
def csc_block_epochs(data, indices, indptr, R, W, norms2, centers, col_u, shift, ur, uu,
                     ws, l1, l2, tol, max_epochs, seed):
    """:func:`dense_block_epochs` for CSC X with implicit centering.

    The true residual is ``R + u shift^T``; ``ur = u^T R`` per task (see
    :func:`fastreg._kernels.cd_naive.csc_epochs`). ``R`` is C-ordered here
    (one row per sample, tasks contiguous), ``shift`` and ``ur`` of shape
    (n_tasks,) are updated in place.

    Returns
    -------
    int
        Number of sweeps performed.
    """
    inv_n = 1.0 / R.shape[0]
    z = np.empty(W.shape[1], dtype=np.float64)
    new = np.empty(W.shape[1], dtype=np.float64)
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
        dmax = _csc_block_sweep(data, indices, indptr, R, W, norms2, centers, col_u,
                                shift, ur, uu, idx, n_idx, l1, l2, inv_n, z, new)
        n_epochs += 1
        done, next_full = next_sweep(dmax, tol, on_full)
        if done:
            break
        if on_full and not next_full:
            n_active = nonzero_rows_subset(ws, W, active)
        on_full = next_full
    return n_epochs
