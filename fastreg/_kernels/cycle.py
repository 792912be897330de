"""Working-set bookkeeping shared by the solve kernels.

Every kernel solves the subproblem restricted to a working set by glmnet's
active-set cycling, with a duality-gap certificate instead of a heuristic
stopping rule:

1. one sweep over the whole working set, then the subproblem's duality gap;
   stop when it is at most ``gap_tol``;
2. otherwise sweep the nonzero coefficients only until no coordinate step
   decreases the objective by more than ``gap_tol / n_nonzero`` (they have
   settled), and go back to 1. In residual mode, where a gap check costs about
   one sweep, each failed check also doubles the minimum number of these
   sweeps (``cd_naive.MAX_CYCLE`` at most).
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
def shuffle_prefix(a, n, seed):
    """Fisher-Yates shuffle of ``a[:n]`` in place when ``seed >= 0`` (random order)."""
    if seed < 0:
        return
    for i in range(n - 1, 0, -1):
        k = np.random.randint(0, i + 1)
        a[i], a[k] = a[k], a[i]


@jit
def seed_random(seed):
    """Seed the kernels' random stream (``seed < 0``: cyclic order, nothing to seed)."""
    if seed >= 0:
        np.random.seed(seed)


@jit
def settle_tol(gap_tol, n_nonzero):
    """Per-coordinate decrease below which the nonzero coefficients have settled."""
    return gap_tol / max(n_nonzero, 1)
