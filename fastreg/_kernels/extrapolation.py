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
    nearly dependent once the sweeps converge), then it is overwritten by its
    LU factors. Returns an empty array when there is no such combination (no
    increment, a zero pivot, weights not finite): then the caller does not
    extrapolate; never an error.
    """
    depth = M.shape[0]
    trace = 0.0
    for a in range(depth):
        trace += M[a, a]
    if not trace > 0.0:
        return np.empty(0)
    for a in range(depth):
        M[a, a] += 1e-10 * trace
    z = _solve_for_ones(M)
    if z.shape[0] == 0:
        return z
    total = z.sum()
    if not (np.isfinite(total) and abs(total) > 0.0):
        return np.empty(0)
    return z / total


@jit
def _solve_for_ones(A):
    """``z`` with ``A z = 1`` by Gaussian elimination with partial pivoting.

    ``A`` (a few rows) is overwritten by its factors. Empty where a pivot is
    zero or not a number: where LAPACK's ``gesv``, which this replaces, stops
    on an exactly singular matrix (its Numba binding costs 4.4 s of compile on
    a cold cache, in every kernel that extrapolates). The pivot is the first
    of largest magnitude in its column, as LAPACK picks it.
    """
    n = A.shape[0]
    z = np.ones(n)
    for k in range(n):
        pivot, largest = k, abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > largest:
                pivot, largest = i, abs(A[i, k])
        if not largest > 0.0:
            return np.empty(0)
        if pivot != k:
            for j in range(n):
                A[k, j], A[pivot, j] = A[pivot, j], A[k, j]
            z[k], z[pivot] = z[pivot], z[k]
        for i in range(k + 1, n):
            factor = A[i, k] / A[k, k]
            A[i, k] = factor
            for j in range(k + 1, n):
                A[i, j] -= factor * A[k, j]
            z[i] -= factor * z[k]
    for k in range(n - 1, -1, -1):
        value = z[k]
        for j in range(k + 1, n):
            value -= A[k, j] * z[j]
        z[k] = value / A[k, k]
    return z
