"""Proximal steps shared by every coordinate-descent kernel."""

import numpy as np

from ._jit import jit


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
