"""One-pass loops over arrays, each one compiled loop: scans for validation and
scaling, and the copy the kernels make of a vector.

Every path call validates its alphas, its targets and the column norms of its
design, and finds the largest magnitudes of X and y (:mod:`fastreg._scaling`).
On a cold cache (a call after other work, as in a user's pipeline) NumPy's
machinery pays tens of microseconds before it reads a number: measured after
``gc.collect()``, ``a.min()`` of 100 alphas took 30 us (2 us warm),
``np.isfinite(y).all()`` 32 us and the BLAS ``idamax`` of the diabetes X
through SciPy's wrapper 42 us, where one compiled loop takes 10-14 us. These
loops keep the calls of small problems off NumPy's reductions altogether, at
the speed of NumPy or BLAS on large arrays.
"""

import math

from ._jit import force_jit, jit, reduction_jit


@reduction_jit
def all_finite(a):
    """Whether every entry of the 1-D array ``a`` is finite (no NaN, no infinity).

    ``x * 0`` is zero for a finite ``x`` and NaN for NaN or an infinity, so
    the sum is zero exactly when all are finite, in any order of summation
    (the loop vectorizes; it never overflows).
    """
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * 0.0
    return total == 0.0


@jit
def grid_order(grid, strictly_positive):
    """Classify a grid of penalties: ``-1`` invalid, ``0`` non-increasing, ``1`` otherwise.

    Invalid: an entry that is NaN, infinite or negative (or zero when
    ``strictly_positive``). The caller names the fault.
    """
    previous = math.inf
    decreasing = True
    for k in range(grid.shape[0]):
        alpha = grid[k]
        if not (alpha < math.inf and (alpha > 0.0 if strictly_positive else alpha >= 0.0)):
            return -1
        if alpha > previous:
            decreasing = False
        previous = alpha
    return 0 if decreasing else 1


@jit
def first_above(values, start, stop, threshold):
    """The first index ``k`` in ``[start, stop)`` with ``values[k] > threshold``, else -1."""
    for k in range(start, stop):
        if values[k] > threshold:
            return k
    return -1


@jit
def max_abs(a):
    """The largest magnitude in the 1-D array ``a`` (0 if empty; NaN entries are skipped).

    Four running maxima: with one, every comparison waits for the last
    (measured on 10^7 entries, 5.5 ms against 2.2 ms, the speed of BLAS
    ``idamax``).
    """
    m0 = m1 = m2 = m3 = 0.0
    n = a.shape[0]
    n4 = n - n % 4
    for i in range(0, n4, 4):
        v0, v1, v2, v3 = abs(a[i]), abs(a[i + 1]), abs(a[i + 2]), abs(a[i + 3])
        m0 = v0 if v0 > m0 else m0  # noqa: FURB136 (skips NaN)
        m1 = v1 if v1 > m1 else m1  # noqa: FURB136 (skips NaN)
        m2 = v2 if v2 > m2 else m2  # noqa: FURB136 (skips NaN)
        m3 = v3 if v3 > m3 else m3  # noqa: FURB136 (skips NaN)
    for i in range(n4, n):
        v = abs(a[i])
        m0 = v if v > m0 else m0  # noqa: FURB136 (skips NaN)
    return max(max(m0, m1), max(m2, m3))


@force_jit
def copy_into(dst, src):
    """``dst[:] = src`` for 1-D arrays of one length, cast to ``dst``'s dtype.

    A loop, not the slice assignment: Numba compiles that one with the
    formatting of its shape-mismatch message (``str`` of tuples, joins,
    concatenations), 1.7 s of every cold-cache first call. No length is
    checked here: every caller copies between vectors allocated together at
    one length (a residual and its reference, a gradient and its cache).
    """
    for i in range(dst.shape[0]):
        dst[i] = src[i]
