"""Working-set bookkeeping shared by the epoch kernels.

glmnet's active-set cycling: one sweep over the whole working set, then sweeps
over its nonzero coefficients only until they settle, then one more sweep over
the whole working set to confirm (and so on).
"""

import numpy as np

from ._jit import jit


@jit
def nonzero_subset(ws, w, out):
    """Write the features of ``ws`` with ``w[j] != 0`` into ``out``; return how many."""
    count = 0
    for k in range(ws.shape[0]):
        j = ws[k]
        if w[j] != 0.0:
            out[count] = j
            count += 1
    return count


@jit
def nonzero_rows_subset(ws, W, out):
    """Write the features of ``ws`` whose row ``W[j]`` is nonzero into ``out``."""
    count = 0
    for k in range(ws.shape[0]):
        j = ws[k]
        for t in range(W.shape[1]):
            if W[j, t] != 0.0:
                out[count] = j
                count += 1
                break
    return count


@jit
def shuffle_prefix(a, n):
    """Fisher-Yates shuffle of ``a[:n]`` in place (random coordinate order)."""
    for i in range(n - 1, 0, -1):
        k = np.random.randint(0, i + 1)
        a[i], a[k] = a[k], a[i]


@jit
def next_sweep(dmax, tol, on_full):
    """Decide the next sweep of active-set cycling.

    Returns ``(done, next_on_full)``: done when a sweep over the whole working set
    moved no coefficient by more than ``tol``; after an unconverged full sweep,
    cycle on the nonzero coefficients; after they settle, sweep the whole set.
    """
    if dmax <= tol:
        return on_full, True
    return False, False
