"""Anderson extrapolation of coordinate-descent iterates (Bertrand & Massias 2021).

Shared by the covariance-mode sweeps (``cd_gram``, increments measured in the
metric ``G / n + l2``) and the residual sweeps on dense and CSC X
(``cd_naive.anderson_residual``, increments of the residual): each kernel
stores its iterates and the inner products of their increments; the weights
of the combination are computed here.
"""

import numpy as np

from ._jit import jit

# Working sets below this do not extrapolate: a Gram sweep costs about what an
# extrapolation does (O(depth |ws|)), and a residual sweep's O(n |ws|) is not
# far above the O(n) a sweep of storing its residual. And extrapolated iterates
# follow the rounding of the data (rows multiplied by sqrt(w) against repeated
# rows), which the plain sweeps of small problems do not.
EXTRAPOLATION_MIN_FEATURES = 64


@jit
def anderson_weights(M):
    """Weights ``c`` summing to one that minimize ``c^T M c``.

    ``M``: the inner products of the last ``depth`` increments, (depth, depth);
    its diagonal is raised by ``1e-10 trace(M)`` in place (the increments are
    nearly dependent once the sweeps converge). Returns an empty array when
    there is no such combination (no increment, a zero pivot, weights not
    finite): then the caller does not extrapolate; never an error.
    """
    depth = M.shape[0]
    trace = 0.0
    for a in range(depth):
        trace += M[a, a]
    if not trace > 0.0:
        return np.empty(0)
    for a in range(depth):
        M[a, a] += 1e-10 * trace
    try:
        z = np.linalg.solve(M, np.ones(depth))
    except Exception:  # noqa: BLE001 (Numba catches no narrower class; a zero pivot)
        return np.empty(0)
    total = z.sum()
    if not (np.isfinite(total) and abs(total) > 0.0):
        return np.empty(0)
    return z / total
