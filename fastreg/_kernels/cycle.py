"""The active-set cycle every solve shares, and its working-set bookkeeping.

:func:`active_set_solve` solves the subproblem restricted to a working set by
glmnet's active-set cycling, with a duality-gap certificate instead of a
heuristic stopping rule, for every data layout:

1. one sweep over the whole working set, then the subproblem's duality gap;
   stop when it is at most ``gap_tol``;
2. otherwise sweep the nonzero coefficients only until no coordinate step
   decreases the objective by more than ``gap_tol / n_nonzero`` (they have
   settled), and go back to 1. Where a gap check costs about one sweep
   (residual updates), each failed check also doubles the minimum number of
   these sweeps, up to the layout's ``max_cycle``; where it is cheap
   (covariance updates: O(working set)), it is checked after every sweep
   (``max_cycle = 0``).

A layout is a named tuple of arrays (``DenseLayout``, ``CscLayout``,
``GramLayout``, ``DenseBlockLayout``, ``CscBlockLayout`` in the modules of
this package) with a ``max_cycle`` field; its module registers its sweep and
its working-set gap with :func:`register_layout`. Numba selects them by the
layout's type at compile time (:func:`layout_sweep`, :func:`layout_gap`), so
the cycle is written once and each layout differs only where the math does.
Each module's entry (``dense_solve``, ``csc_solve``, ``gram_solve``,
``dense_block_solve``, ``csc_block_solve``) takes the layout's arrays as a
plain tuple, which Numba types as fast as positional arguments (a named tuple
from Python costs microseconds per call), builds the named tuple inside and
runs the cycle, compiled into it (``inline_jit``).
"""

import numpy as np

from ._jit import inline_jit, jit, layout_overload

# When a working set's solve meets its target but the full gap misses the
# certificate although no feature violates the KKT conditions (rounding between
# the kernels' running sums and the fresh gradient), the working-set target
# tightens by this factor (the path drivers: fastreg.enet.driver, cd_gram.gram_path).
INNER_TOL_DECREASE = 0.5

# Full sweeps in a row whose gap check may be skipped because they moved the support.
MAX_SKIPPED = 4
# ... when more than 1 / MOVED_FRACTION of the nonzeros entered or left.
MOVED_FRACTION = 16

_SWEEPS = {}
_GAPS = {}


def register_layout(layout_class, sweep, gap):
    """Make ``sweep`` and ``gap`` (jitted) the implementations for ``layout_class``.

    ``sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box)`` sweeps the
    features ``idx[:n_idx]`` (of the working set ``ws``) once and returns the
    largest weighted squared step; ``gap(layout, w, ws, l1, l2, positive, box)``
    returns the working-set subproblem's duality gap.
    """
    _SWEEPS[layout_class] = sweep
    _GAPS[layout_class] = gap


def layout_sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box):
    """One sweep of the layout's coordinate updates (pure-Python dispatch without JIT)."""
    return _SWEEPS[type(layout)](layout, w, ws, idx, n_idx, l1, l2, positive, box)


def layout_gap(layout, w, ws, l1, l2, positive, box):
    """The working-set duality gap of the layout (pure-Python dispatch without JIT)."""
    return _GAPS[type(layout)](layout, w, ws, l1, l2, positive, box)


@layout_overload(layout_sweep)
def _typed_sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box):
    sweep = _SWEEPS.get(getattr(layout, "instance_class", None))
    if sweep is None:
        return None

    def impl(layout, w, ws, idx, n_idx, l1, l2, positive, box):
        return sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box)

    return impl


@layout_overload(layout_gap)
def _typed_gap(layout, w, ws, l1, l2, positive, box):
    gap = _GAPS.get(getattr(layout, "instance_class", None))
    if gap is None:
        return None

    def impl(layout, w, ws, l1, l2, positive, box):
        return gap(layout, w, ws, l1, l2, positive, box)

    return impl


@inline_jit
def active_set_solve(layout, w, ws, l1, l2, positive, gap_tol, max_epochs, seed, box):
    """Solve the working-set subproblem by coordinate descent (module docstring).

    Parameters
    ----------
    layout : a registered layout record
        The data and solver state (residual or gradient), updated in place.
    w : ndarray of shape (n_features,) or (n_features, n_tasks)
        Coefficients, updated in place (only rows in ``ws`` change).
    ws : ndarray of int64, shape (n_ws,)
        Working set (reordered in place when ``seed >= 0``).
    l1, l2 : float
        ``alpha * l1_ratio`` and ``alpha * (1 - l1_ratio)``.
    positive : bool
    gap_tol : float
        Stop when the subproblem's duality gap is at most this.
    max_epochs : int
        Maximum number of sweeps.
    seed : int
        ``-1`` for cyclic order, else the seed of a random order per sweep.
    box : None or BoxRecord
        None: the default problem (Numba compiles this case without any of
        the box's code); else penalty factors and bounds
        (:class:`fastreg.enet.penalty.BoxRecord`, single task).

    Returns
    -------
    n_epochs : int
        Sweeps performed.
    gap : float
        Subproblem duality gap at the last check (inf if none was made).
    """
    cheap_gap = layout.max_cycle == 0
    seed_random(seed)
    active = np.empty_like(ws)
    was_nonzero = np.empty(ws.shape[0], dtype=np.bool_)
    skipped = 0
    n_epochs = 0
    min_cycle = 1
    gap = np.inf
    while n_epochs < max_epochs:
        shuffle_prefix(ws, ws.shape[0], seed)
        n_nonzero = 0 if cheap_gap else mark_support(ws, w, was_nonzero)
        layout_sweep(layout, w, ws, ws, ws.shape[0], l1, l2, positive, box)
        n_epochs += 1
        # a sweep that moved much of the support (a cold start) has not converged:
        # where a gap check costs about a sweep, skip it (not more than
        # MAX_SKIPPED times running). Warm starts, whose sweeps move a few
        # features, are checked: there the check usually succeeds.
        if (cheap_gap or skipped >= MAX_SKIPPED or n_epochs >= max_epochs
                or support_moved(ws, w, was_nonzero) * MOVED_FRACTION <= n_nonzero):
            skipped = 0
            gap = layout_gap(layout, w, ws, l1, l2, positive, box)
            if gap <= gap_tol:
                break
        else:
            skipped += 1
        n_active = nonzero_subset(ws, w, active)
        settle = settle_tol(gap_tol, n_active)
        n_cycle = 0
        while n_epochs < max_epochs:
            shuffle_prefix(active, n_active, seed)
            dmax = layout_sweep(layout, w, ws, active, n_active, l1, l2, positive, box)
            n_epochs += 1
            n_cycle += 1
            if cheap_gap:
                gap = layout_gap(layout, w, ws, l1, l2, positive, box)
                if gap <= gap_tol or dmax <= settle:
                    break
            elif dmax <= settle and n_cycle >= min_cycle:
                break
        if cheap_gap and gap <= gap_tol:
            break
        min_cycle = min(2 * min_cycle, max(layout.max_cycle, 1))
    return n_epochs, gap


@inline_jit
def refined_solve(layout, w, ws, l1, l2, positive, targets, seed, box):
    """:func:`active_set_solve` to ``gap_tol``, then on toward ``fine_tol`` for a budget.

    The driver's stopping rule (:mod:`fastreg.enet.driver`): once the working
    set meets its target, up to ``refine_budget`` more sweeps (within
    ``max_epochs`` in all) aim at the lower ``fine_tol``, where sweeps are
    cheap. One call from Python for both stages.

    Parameters
    ----------
    layout, w, ws, l1, l2, positive, seed, box
        As in :func:`active_set_solve`.
    targets : tuple of (float, int, float, int)
        ``(gap_tol, max_epochs, fine_tol, refine_budget)``.

    Returns
    -------
    n_epochs : int
        Sweeps of both stages.
    gap : float
        The working-set gap at the end of the first stage.
    """
    gap_tol, max_epochs, fine_tol, refine_budget = targets
    n_epochs, gap = active_set_solve(layout, w, ws, l1, l2, positive, gap_tol, max_epochs,
                                      seed, box)
    budget = min(refine_budget, max_epochs - n_epochs)
    if gap <= gap_tol and budget > 0:
        n_epochs += active_set_solve(layout, w, ws, l1, l2, positive, fine_tol, budget, seed,
                                     box)[0]
    return n_epochs, gap


@jit
def _row_nonzero(W, j):
    for t in range(W.shape[1]):
        if W[j, t] != 0.0:
            return True
    return False


@jit
def mark_support(ws, w, out):
    """``out[k]``: whether the coefficient (row) of feature ``ws[k]`` is nonzero;
    returns how many are."""
    W = w.reshape((w.shape[0], -1))
    count = 0
    for k in range(ws.shape[0]):
        out[k] = _row_nonzero(W, ws[k])
        count += out[k]
    return count


@jit
def support_moved(ws, w, was_nonzero):
    """How many coefficients (rows) of ``ws`` entered or left zero since :func:`mark_support`."""
    W = w.reshape((w.shape[0], -1))
    moved = 0
    for k in range(ws.shape[0]):
        if _row_nonzero(W, ws[k]) != was_nonzero[k]:
            moved += 1
    return moved


@jit
def nonzero_subset(ws, w, out):
    """Write the features of ``ws`` whose coefficient (row, multi-task) is nonzero into
    ``out``; return how many."""
    W = w.reshape((w.shape[0], -1))
    count = 0
    for k in range(ws.shape[0]):
        j = ws[k]
        if _row_nonzero(W, j):
            out[count] = j
            count += 1
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
