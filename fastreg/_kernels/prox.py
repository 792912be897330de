"""Proximal steps shared by every coordinate-descent kernel."""

import numpy as np

from ._jit import inline_jit, jit


@jit
def soft_threshold(a, lam):
    """S(a, lam) = sign(a) * max(|a| - lam, 0)."""
    if a > lam:
        return a - lam
    if a < -lam:
        return a + lam
    return 0.0 * a


@jit
def enet_coordinate(z, l1, curvature, positive):
    """Minimizer over t of ``0.5*curvature*t^2 - z*t + l1*|t|`` (t >= 0 if positive).

    With ``z = x_j^T r / n + h_j w_j`` and ``curvature = h_j + l2`` this is the exact
    elastic-net coordinate update: soft-thresholding divided by the curvature.
    """
    if positive and z <= l1:
        return 0.0 * z
    return soft_threshold(z, l1) / curvature


@jit
def box_coordinate(z, j, l1, l2, h, positive, box):
    """Coordinate update of feature j, with its penalty factor and box if any.

    ``box`` is None for the default problem (no factors, no bounds): then this
    is :func:`enet_coordinate` with curvature ``h + l2``, and Numba prunes the
    other branch at compile time, so the default kernels are the plain ones.
    Otherwise ``box.opts`` of shape (3, n_features) holds the penalty factors
    ``v``, lower and upper bounds (a :class:`fastreg.enet.penalty.BoxRecord`), and the update is the minimizer of
    ``0.5*(h + v_j l2)*t^2 - z*t + v_j l1 |t|`` over ``lo_j <= t <= hi_j``: the
    one-dimensional problem is convex, so that is the unconstrained minimizer
    clipped to the box (``positive`` is then ignored: it is folded into ``lo``).
    """
    if box is None:
        return enet_coordinate(z, l1, h + l2, positive)
    opts = box.opts
    v = opts[0, j]
    t = soft_threshold(z, v * l1) / (h + v * l2)
    lo = opts[1, j]
    hi = opts[2, j]
    if t < lo:
        return lo
    if t > hi:
        return hi
    return t


@inline_jit
def group_coordinate(z, l1, curvature, out):
    """Block update of the L2,1 penalty: ``out = z * max(1 - l1/||z||, 0) / curvature``.

    Parameters
    ----------
    z : ndarray of shape (n_tasks,)
    out : ndarray of shape (n_tasks,), written in place.
    """
    norm = np.sqrt(np.sum(z * z))
    if norm <= l1:
        out[:] = 0.0
    else:
        shrink = (1.0 - l1 / norm) / curvature
        for t in range(z.shape[0]):
            out[t] = z[t] * shrink
