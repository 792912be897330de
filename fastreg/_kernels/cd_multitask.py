"""Block coordinate descent for the multi-task (L2,1) elastic net, dense and CSC.

Objective ``1/(2n) ||Y - XW||_F^2 + l1 sum_j ||W_j||_2 + (l2/2) ||W||_F^2`` with
``W`` of shape (n_features, n_tasks); one block update moves a whole row W_j.
"""

from collections import namedtuple

from ._jit import inline_jit, jit, reduction_jit
from .cycle import cycle_scratch, refined_solve, register_layout
from .gap import duality_gap
from .prox import group_coordinate

DenseBlockLayout = namedtuple("DenseBlockLayout", ["X", "Y", "R", "G", "norms2", "z", "new",
                                                   "max_cycle"])
DenseBlockLayout.__doc__ = """Block residual updates on dense X (multi-task).

X, Y, R : Fortran-ordered; ``R = Y - X W`` updated in place; G : float64
scratch of shape (n_features, n_tasks) receiving ``X^T R / n`` on the working
set; z, new : float64 scratch of shape (n_tasks,); max_cycle : 1.
"""

CscBlockLayout = namedtuple("CscBlockLayout", ["data", "indices", "starts", "stops", "Y", "u",
                                               "R", "G", "norms2", "centers", "col_u", "shift",
                                               "ur", "uu", "u_dot_Y", "z", "new", "max_cycle"])
CscBlockLayout.__doc__ = """Block residual updates on CSC X with implicit centering (multi-task).

As :class:`fastreg._kernels.cd_naive.CscLayout`, per task: ``Y`` and ``R`` are
C-ordered (tasks contiguous per sample); the true residual is
``R + u shift^T``, ``ur = u^T R``; ``shift`` and ``ur`` of shape (n_tasks,)
updated in place; ``u_dot_Y = u^T Y``.
"""


@inline_jit
def _dense_block_gradient(X, R, j, out):
    for t in range(R.shape[1]):
        dot = 0.0
        for i in range(X.shape[0]):
            dot += X[i, j] * R[i, t]
        out[t] = dot


@reduction_jit
def _dense_block_sweep(layout, W, ws, idx, n_idx, l1, l2, positive, box):
    X, R, norms2, z, new = layout.X, layout.R, layout.norms2, layout.z, layout.new
    inv_n = 1.0 / X.shape[0]
    n_samples = X.shape[0]
    n_tasks = W.shape[1]
    dmax = 0.0
    moved = 0.0
    largest = 0.0
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
            largest = max(largest, abs(new[t]))
            delta = new[t] - W[j, t]
            if delta != 0.0:
                for i in range(n_samples):
                    R[i, t] -= delta * X[i, j]
                W[j, t] = new[t]
                change += delta * delta
                moved = max(moved, abs(delta))
        dmax = max(dmax, (h + l2) * change)
    return dmax, moved, largest


@reduction_jit
def _dense_block_ws_gap(layout, W, ws, l1, l2, positive, box):
    X, Y, R, G, z = layout.X, layout.Y, layout.R, layout.G, layout.z
    inv_n = 1.0 / X.shape[0]
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
    return duality_gap(G, W, ws, r2 * inv_n, ry * inv_n, l1, l2, False, float(X.shape[0]),
                       None)[0]


register_layout(DenseBlockLayout, _dense_block_sweep, _dense_block_ws_gap)


@jit
def dense_block_solve(data, W, ws, l1, l2, targets, seed):
    """The active-set cycle of the multi-task problem on dense X; ``data = (X, Y, R, G,
    norms2, z, new)`` of :class:`DenseBlockLayout`. Parameters and returns as
    :func:`fastreg._kernels.cycle.refined_solve` (no ``positive``, no box).
    """
    X, Y, R, G, norms2, z, new = data
    return refined_solve(DenseBlockLayout(X, Y, R, G, norms2, z, new, 1), W, ws, l1, l2, False,
                         targets, seed, None, cycle_scratch(ws.shape[0]))


@inline_jit
def _csc_block_gradient(layout, j, out):
    """``out[t] = x~_j^T (R + u shift^T)[:, t]`` of the implicitly centered column j."""
    data, indices, starts, stops = layout.data, layout.indices, layout.starts, layout.stops
    R, centers, col_u = layout.R, layout.centers, layout.col_u
    shift, ur, uu = layout.shift, layout.ur, layout.uu
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
def _csc_block_sweep(layout, W, ws, idx, n_idx, l1, l2, positive, box):
    data, indices, starts, stops = layout.data, layout.indices, layout.starts, layout.stops
    R, norms2, centers, col_u = layout.R, layout.norms2, layout.centers, layout.col_u
    shift, ur, uu, z, new = layout.shift, layout.ur, layout.uu, layout.z, layout.new
    inv_n = 1.0 / R.shape[0]
    n_tasks = W.shape[1]
    dmax = 0.0
    moved = 0.0
    largest = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        _csc_block_gradient(layout, j, z)
        for t in range(n_tasks):
            z[t] = z[t] * inv_n + h * W[j, t]
        group_coordinate(z, l1, h + l2, new)
        change = 0.0
        for t in range(n_tasks):
            largest = max(largest, abs(new[t]))
            delta = new[t] - W[j, t]
            if delta != 0.0:
                for q in range(starts[j], stops[j]):
                    R[indices[q], t] -= delta * data[q]
                if uu > 0.0:
                    shift[t] += delta * centers[j]
                    ur[t] -= delta * col_u[j]
                W[j, t] = new[t]
                change += delta * delta
                moved = max(moved, abs(delta))
        dmax = max(dmax, (h + l2) * change)
    return dmax, moved, largest


@jit
def _csc_block_ws_gap(layout, W, ws, l1, l2, positive, box):
    Y, u, R, G = layout.Y, layout.u, layout.R, layout.G
    shift, ur, uu, u_dot_Y, z = layout.shift, layout.ur, layout.uu, layout.u_dot_Y, layout.z
    inv_n = 1.0 / R.shape[0]
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
        _csc_block_gradient(layout, j, z)
        for t in range(n_tasks):
            G[j, t] = z[t] * inv_n
    return duality_gap(G, W, ws, r2 * inv_n, ry * inv_n, l1, l2, False, float(n_samples),
                       None)[0]


register_layout(CscBlockLayout, _csc_block_sweep, _csc_block_ws_gap)


@jit
def csc_block_solve(data, W, ws, l1, l2, targets, seed):
    """The active-set cycle of the multi-task problem on CSC X; ``data``: the fields of
    :class:`CscBlockLayout` but ``max_cycle``, in order. Parameters and returns as
    :func:`fastreg._kernels.cycle.refined_solve` (no ``positive``, no box).
    """
    (values, indices, starts, stops, Y, u, R, G, norms2, centers, col_u, shift, ur, uu,
     u_dot_Y, z, new) = data
    layout = CscBlockLayout(values, indices, starts, stops, Y, u, R, G, norms2, centers, col_u,
                            shift, ur, uu, u_dot_Y, z, new, 1)
    return refined_solve(layout, W, ws, l1, l2, False, targets, seed, None,
                         cycle_scratch(ws.shape[0]))
