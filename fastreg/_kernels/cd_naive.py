"""Residual ("naive") coordinate descent for one target: dense and CSC X.

The residual ``r = y - X w`` is kept in memory; a coordinate update costs one
pass over column j (O(n) dense, O(nnz_j) sparse). All quantities are on the
scale of ``1/(2n) ||y - Xw||^2 + l1 ||w||_1 + (l2/2) ||w||^2``.
"""

import numpy as np

from ._jit import jit, reduction_jit
from .cycle import next_sweep, nonzero_subset, shuffle_prefix
from .prox import enet_coordinate


@reduction_jit
def _dense_sweep(X, r, w, norms2, idx, n_idx, l1, l2, positive, inv_n):
    n_samples = X.shape[0]
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        wj = w[j]
        dot = 0.0
        for i in range(n_samples):
            dot += X[i, j] * r[i]
        new = enet_coordinate(dot * inv_n + h * wj, l1, h + l2, positive)
        if new != wj:
            delta = new - wj
            for i in range(n_samples):
                r[i] -= delta * X[i, j]
            w[j] = new
            dmax = max(dmax, (h + l2) * delta * delta)
    return dmax


@jit
def dense_epochs(X, r, w, norms2, ws, l1, l2, positive, tol, max_epochs, seed):
    """Coordinate-descent epochs over a working set, with active-set cycling.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    r : ndarray of shape (n_samples,)
        Residual ``y - X w``, updated in place.
    w : ndarray of shape (n_features,)
        Coefficients, updated in place (only entries in ``ws`` change).
    norms2 : ndarray of shape (n_features,)
        ``||x_j||^2 / n``.
    ws : ndarray of int64, shape (n_ws,)
        Working set (reordered in place when ``seed >= 0``).
    l1, l2 : float
        ``alpha * l1_ratio`` and ``alpha * (1 - l1_ratio)``.
    positive : bool
    tol : float
        A sweep has converged when no coordinate step decreased the objective by
        more than about ``tol`` (``max_j (h_j + l2) * delta_j^2 <= tol``).
    max_epochs : int
    seed : int
        ``-1`` for cyclic order, else the seed of a random order per sweep.

    Returns
    -------
    int
        Number of sweeps performed.
    """
    inv_n = 1.0 / X.shape[0]
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
        dmax = _dense_sweep(X, r, w, norms2, idx, n_idx, l1, l2, positive, inv_n)
        n_epochs += 1
        done, next_full = next_sweep(dmax, tol, on_full)
        if done:
            break
        if on_full and not next_full:
            n_active = nonzero_subset(ws, w, active)
        on_full = next_full
    return n_epochs


@reduction_jit
def _csc_sweep(data, indices, indptr, r, w, norms2, centers, col_u, shift, uu,
               idx, n_idx, l1, l2, positive, inv_n):
    b = shift[0]
    ur = shift[1]
    center = uu > 0.0
    dmax = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        wj = w[j]
        start = indptr[j]
        stop = indptr[j + 1]
        dot = 0.0
        for q in range(start, stop):
            dot += data[q] * r[indices[q]]
        if center:
            dot += b * col_u[j] - centers[j] * (ur + b * uu)
        new = enet_coordinate(dot * inv_n + h * wj, l1, h + l2, positive)
        if new != wj:
            delta = new - wj
            for q in range(start, stop):
                r[indices[q]] -= delta * data[q]
            if center:
                b += delta * centers[j]
                ur -= delta * col_u[j]
            w[j] = new
            dmax = max(dmax, (h + l2) * delta * delta)
    shift[0] = b
    shift[1] = ur
    return dmax


@jit
def csc_epochs(data, indices, indptr, r, w, norms2, centers, col_u, shift, uu,
               ws, l1, l2, positive, tol, max_epochs, seed):
    """:func:`dense_epochs` for CSC X with implicit centering.

    The centered column is ``x_j - centers[j] * u`` (``u`` = ones, or
    ``sqrt(sample_weight)`` when rows were weighted), never formed: the true
    residual is ``r + shift[0] * u`` and ``shift[1] = u^T r`` is kept alongside.

    Parameters
    ----------
    data, indices, indptr : CSC arrays of X (rows already weighted)
    r : ndarray of shape (n_samples,)
        Stored part of the residual, updated in place.
    w, norms2, ws, l1, l2, positive, tol, max_epochs, seed
        As in :func:`dense_epochs`; ``norms2`` of the centered columns.
    centers : ndarray of shape (n_features,)
        Column centers (zeros when not centering).
    col_u : ndarray of shape (n_features,)
        ``x_j^T u``.
    shift : ndarray of float64, shape (2,)
        ``[b, u^T r]``, updated in place.
    uu : float
        ``u^T u``; 0 disables centering.

    Returns
    -------
    int
        Number of sweeps performed.
    """
    inv_n = 1.0 / r.shape[0]
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
        dmax = _csc_sweep(data, indices, indptr, r, w, norms2, centers, col_u, shift,
                          uu, idx, n_idx, l1, l2, positive, inv_n)
        n_epochs += 1
        done, next_full = next_sweep(dmax, tol, on_full)
        if done:
            break
        if on_full and not next_full:
            n_active = nonzero_subset(ws, w, active)
        on_full = next_full
    return n_epochs
