"""Block coordinate descent for the multi-task (L2,1) elastic net, dense and CSC.

Objective ``1/(2n) ||Y - XW||_F^2 + l1 sum_j ||W_j||_2 + (l2/2) ||W||_F^2`` with
``W`` of shape (n_features, n_tasks); one block update moves a whole row W_j.
"""

import numpy as np

from ._jit import jit, reduction_jit
from .cycle import nonzero_rows_subset, seed_random, settle_tol, shuffle_prefix
from .gap import duality_gap
from .prox import group_coordinate


@reduction_jit
def _dense_block_gradient(X, R, j, out):
    for t in range(R.shape[1]):
        dot = 0.0
        for i in range(X.shape[0]):
            dot += X[i, j] * R[i, t]
        out[t] = dot


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
        _dense_block_gradient(X, R, j, z)
        for t in range(n_tasks):
            z[t] = z[t] * inv_n + h * W[j, t]
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


@reduction_jit
def _dense_block_ws_gap(X, Y, R, W, G, ws, l1, l2, inv_n, z):
    for k in range(ws.shape[0]):
        j = ws[k]
        _dense_block_gradient(X, R, j, z)
        for t in range(W.shape[1]):
            G[j, t] = z[t] * inv_n
    r2 = 0.0
    ry = 0.0
    for t in range(R.shape[1]):
        for i in range(R.shape[0]):
            r2 += R[i, t] * R[i, t]
            ry += R[i, t] * Y[i, t]
    return duality_gap(G, W, ws, r2 * inv_n, ry * inv_n, l1, l2, False, X.shape[0])[0]


@jit
def dense_block_solve(X, Y, R, W, G, norms2, ws, l1, l2, gap_tol, max_epochs, seed):
    """Solve the working-set subproblem of the multi-task problem (dense X).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    Y : ndarray of shape (n_samples, n_tasks), Fortran order
    R : ndarray of shape (n_samples, n_tasks), Fortran order
        Residual ``Y - X W``, updated in place.
    W : ndarray of shape (n_features, n_tasks)
        Coefficients, updated in place.
    G : ndarray of float64, shape (n_features, n_tasks)
        Scratch: receives ``X^T R / n`` on ``ws``.
    norms2, ws, l1, l2, gap_tol, max_epochs, seed
        As in :func:`fastreg._kernels.cd_naive.dense_solve`.

    Returns
    -------
    n_epochs : int
    gap : float
    """
    inv_n = 1.0 / X.shape[0]
    z = np.empty(W.shape[1], dtype=np.float64)
    new = np.empty(W.shape[1], dtype=np.float64)
    seed_random(seed)
    active = np.empty_like(ws)
    n_epochs = 0
    gap = np.inf
    while n_epochs < max_epochs:
        shuffle_prefix(ws, ws.shape[0], seed)
        _dense_block_sweep(X, R, W, norms2, ws, ws.shape[0], l1, l2, inv_n, z, new)
        n_epochs += 1
        gap = _dense_block_ws_gap(X, Y, R, W, G, ws, l1, l2, inv_n, z)
        if gap <= gap_tol:
            break
        n_active = nonzero_rows_subset(ws, W, active)
        settle = settle_tol(gap_tol, n_active)
        while n_epochs < max_epochs:
            shuffle_prefix(active, n_active, seed)
            dmax = _dense_block_sweep(X, R, W, norms2, active, n_active, l1, l2, inv_n,
                                      z, new)
            n_epochs += 1
            if dmax <= settle:
                break
    return n_epochs, gap


@jit
def _csc_block_gradient(data, indices, starts, stops, R, j, centers, col_u, shift, ur, uu, out):
    n_tasks = R.shape[1]
    for t in range(n_tasks):
        out[t] = 0.0
    for q in range(starts[j], stops[j]):
        i = indices[q]
        x = data[q]
        for t in range(n_tasks):
            out[t] += x * R[i, t]
    if uu > 0.0:
        for t in range(n_tasks):
            out[t] += shift[t] * col_u[j] - centers[j] * (ur[t] + shift[t] * uu)


@jit
def _csc_block_sweep(data, indices, starts, stops, R, W, norms2, centers, col_u, shift, ur,
                     uu, idx, n_idx, l1, l2, inv_n, z, new):
    n_tasks = W.shape[1]
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        _csc_block_gradient(data, indices, starts, stops, R, j, centers, col_u, shift, ur, uu,
                            z)
        for t in range(n_tasks):
            z[t] = z[t] * inv_n + h * W[j, t]
        group_coordinate(z, l1, h + l2, new)
        change = 0.0
        for t in range(n_tasks):
            delta = new[t] - W[j, t]
            if delta != 0.0:
                for q in range(starts[j], stops[j]):
                    R[indices[q], t] -= delta * data[q]
                if uu > 0.0:
                    shift[t] += delta * centers[j]
                    ur[t] -= delta * col_u[j]
                W[j, t] = new[t]
                change += delta * delta
        dmax = max(dmax, (h + l2) * change)
    return dmax


@jit
def _csc_block_ws_gap(data, indices, starts, stops, Y, u, R, W, G, centers, col_u, shift, ur,
                      uu, u_dot_Y, ws, l1, l2, inv_n, z):
    n_samples, n_tasks = R.shape
    r2 = 0.0
    ry = 0.0
    for t in range(n_tasks):
        ur[t] = 0.0
    for i in range(n_samples):
        for t in range(n_tasks):
            r2 += R[i, t] * R[i, t]
            ry += R[i, t] * Y[i, t]
            ur[t] += u[i] * R[i, t]
    if uu > 0.0:
        for t in range(n_tasks):
            r2 += 2.0 * shift[t] * ur[t] + shift[t] * shift[t] * uu
            ry += shift[t] * u_dot_Y[t]
    for k in range(ws.shape[0]):
        j = ws[k]
        _csc_block_gradient(data, indices, starts, stops, R, j, centers, col_u, shift, ur, uu,
                            z)
        for t in range(n_tasks):
            G[j, t] = z[t] * inv_n
    return duality_gap(G, W, ws, r2 * inv_n, ry * inv_n, l1, l2, False, n_samples)[0]


@jit
def csc_block_solve(data, indices, starts, stops, Y, u, R, W, G, norms2, centers, col_u, shift,
                    ur, uu, u_dot_Y, ws, l1, l2, gap_tol, max_epochs, seed):
    """:func:`dense_block_solve` for CSC X with implicit centering.

    The true residual is ``R + u shift^T``; ``ur = u^T R`` per task (see
    :func:`fastreg._kernels.cd_naive.csc_solve`, which also describes the column
    layout ``data, indices, starts, stops``). ``Y`` and ``R`` are C-ordered
    here (tasks contiguous per sample); ``shift`` and ``ur`` of shape (n_tasks,)
    are updated in place; ``u_dot_Y`` is ``u^T Y``.

    Returns
    -------
    n_epochs : int
    gap : float
    """
    inv_n = 1.0 / R.shape[0]
    z = np.empty(W.shape[1], dtype=np.float64)
    new = np.empty(W.shape[1], dtype=np.float64)
    seed_random(seed)
    active = np.empty_like(ws)
    n_epochs = 0
    gap = np.inf
    while n_epochs < max_epochs:
        shuffle_prefix(ws, ws.shape[0], seed)
        _csc_block_sweep(data, indices, starts, stops, R, W, norms2, centers, col_u, shift,
                         ur, uu, ws, ws.shape[0], l1, l2, inv_n, z, new)
        n_epochs += 1
        gap = _csc_block_ws_gap(data, indices, starts, stops, Y, u, R, W, G, centers,
                                col_u, shift, ur, uu, u_dot_Y, ws, l1, l2, inv_n, z)
        if gap <= gap_tol:
            break
        n_active = nonzero_rows_subset(ws, W, active)
        settle = settle_tol(gap_tol, n_active)
        while n_epochs < max_epochs:
            shuffle_prefix(active, n_active, seed)
            dmax = _csc_block_sweep(data, indices, starts, stops, R, W, norms2, centers,
                                    col_u, shift, ur, uu, active, n_active, l1, l2, inv_n, z, new)
            n_epochs += 1
            if dmax <= settle:
                break
    return n_epochs, gap
