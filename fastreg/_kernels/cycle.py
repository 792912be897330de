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

Where a layout registers a Newton step (covariance updates:
``cd_gram._gram_newton``), the cycle takes it on the support once a sweep of
the whole working set moved no coefficient in or out and the gap check
failed, and once more when the working set meets its target but not yet
the extra sweeps' (:func:`refined_solve`): kept only when it keeps every
sign, it lands small supports on the solution instead of sweeping toward it.

:func:`path_steps` is the driver's per-alpha loop over such solves (working
set, solve, full gradient, gap, KKT round), compiled for layouts that also
register ``path_hooks``: how a solve starts and ends and how the exact full
gradient is formed (``GramLayout`` on the full Gram matrix, ``DenseLayout``,
``CscLayout``; their modules' ``gram_path``, ``dense_path`` and ``csc_path``
are the entries).
"""

import numpy as np

from ._jit import inline_jit, jit, layout_overload
from .gap import duality_gap, kkt_and_screen
from .scans import copy_into

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
_BEGINS = {}
_ENDS = {}
_GRADIENTS = {}
_NEWTONS = {}


def register_layout(layout_class, sweep, gap, path_hooks=None, newton=None):
    """Make ``sweep`` and ``gap`` (jitted) the implementations for ``layout_class``.

    ``sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box)`` sweeps the
    features ``idx[:n_idx]`` (of the working set ``ws``) once and returns the
    largest weighted squared step, the largest step and the largest
    coefficient it left (entries of the rows, multi-task);
    ``gap(layout, w, ws, l1, l2, positive, box)`` returns the working-set
    subproblem's duality gap.

    ``path_hooks = (begin, end, gradient)``, for layouts whose whole path can
    run in :func:`path_steps`: ``begin(layout, aux, ws, grad)`` readies a
    working-set solve given the full gradient ``grad``, ``end(layout, w, ws)``
    follows it, and ``gradient(layout, aux, w, ws, grad, l1)`` writes the
    gradient ``X^T r / n`` of every feature into ``grad`` after a solve on
    ``ws`` (exact, or for a zero coefficient possibly an upper bound of its
    magnitude at most ``l1``) and returns ``(||r||^2 / n, <r, y> / n)``.

    ``newton(layout, w, ws, l1, l2, positive)``, optional: a Newton step on
    the support of ``w`` in ``ws`` for the default problem (see
    :func:`refined_solve`), returning whether it was taken.
    """
    _SWEEPS[layout_class] = sweep
    _GAPS[layout_class] = gap
    if newton is not None:
        _NEWTONS[layout_class] = newton
    if path_hooks is not None:
        _BEGINS[layout_class], _ENDS[layout_class], _GRADIENTS[layout_class] = path_hooks


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


def layout_newton(layout, w, ws, l1, l2, positive):
    """A Newton step on the support, where the layout has one (pure-Python dispatch)."""
    newton = _NEWTONS.get(type(layout))
    return False if newton is None else newton(layout, w, ws, l1, l2, positive)


@layout_overload(layout_newton)
def _typed_newton(layout, w, ws, l1, l2, positive):
    newton = _NEWTONS.get(getattr(layout, "instance_class", None))
    if newton is None:
        def none(layout, w, ws, l1, l2, positive):
            return False

        return none

    def impl(layout, w, ws, l1, l2, positive):
        return newton(layout, w, ws, l1, l2, positive)

    return impl


def layout_begin(layout, aux, ws, grad):
    """Ready a working-set solve (pure-Python dispatch without JIT)."""
    return _BEGINS[type(layout)](layout, aux, ws, grad)


def layout_end(layout, w, ws):
    """Close a working-set solve (pure-Python dispatch without JIT)."""
    return _ENDS[type(layout)](layout, w, ws)


def layout_gradient(layout, aux, w, ws, grad, l1):
    """The full gradient after a solve (pure-Python dispatch without JIT)."""
    return _GRADIENTS[type(layout)](layout, aux, w, ws, grad, l1)


@layout_overload(layout_begin)
def _typed_begin(layout, aux, ws, grad):
    begin = _BEGINS.get(getattr(layout, "instance_class", None))
    if begin is None:
        return None

    def impl(layout, aux, ws, grad):
        return begin(layout, aux, ws, grad)

    return impl


@layout_overload(layout_end)
def _typed_end(layout, w, ws):
    end = _ENDS.get(getattr(layout, "instance_class", None))
    if end is None:
        return None

    def impl(layout, w, ws):
        return end(layout, w, ws)

    return impl


@layout_overload(layout_gradient)
def _typed_gradient(layout, aux, w, ws, grad, l1):
    gradient = _GRADIENTS.get(getattr(layout, "instance_class", None))
    if gradient is None:
        return None

    def impl(layout, aux, w, ws, grad, l1):
        return gradient(layout, aux, w, ws, grad, l1)

    return impl


@jit
def cycle_scratch(n_features):
    """Scratch of :func:`active_set_solve` for working sets of up to ``n_features``."""
    return np.empty(n_features, dtype=np.int64), np.empty(n_features, dtype=np.bool_)


@inline_jit
def active_set_solve(layout, w, ws, l1, l2, positive, gap_tol, max_epochs, seed, box,
                     step_tol=np.inf, scratch=None):
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
    step_tol : float, default=inf
        Stop only once also the last sweep's largest coordinate step is at
        most ``step_tol`` times the largest coefficient of the working set
        (scikit-learn's convergence test).
    scratch : tuple of two ndarray, default=None
        :func:`cycle_scratch` of at least ``ws.shape[0]`` features (None: made
        here): the callers that solve many working sets make it once, as an
        allocation per solve costs small problems time.

    Returns
    -------
    n_epochs : int
        Sweeps performed.
    gap : float
        Subproblem duality gap at the last check (inf if none was made).
    ratio : float
        The last sweep's largest step over the largest coefficient it left (0
        when all are zero). A sweep covers the working set or all of its
        nonzero coefficients, so that is the working set's largest.
    """
    cheap_gap = layout.max_cycle == 0
    seed_random(seed)
    if scratch is None:
        active, was_nonzero = cycle_scratch(ws.shape[0])
    else:
        active, was_nonzero = scratch[0][:ws.shape[0]], scratch[1][:ws.shape[0]]
    ratio = 0.0
    skipped = 0
    n_epochs = 0
    min_cycle = 1
    gap = np.inf
    while n_epochs < max_epochs:
        shuffle_prefix(ws, ws.shape[0], seed)
        n_nonzero = mark_support(ws, w, was_nonzero)
        _, moved, largest = layout_sweep(layout, w, ws, ws, ws.shape[0], l1, l2, positive, box)
        ratio = moved / largest if largest > 0.0 else 0.0
        n_epochs += 1
        # a sweep that moved much of the support (a cold start) has not converged:
        # where a gap check costs about a sweep, skip it (not more than
        # MAX_SKIPPED times running). Warm starts, whose sweeps move a few
        # features, are checked: there the check usually succeeds.
        if (cheap_gap or skipped >= MAX_SKIPPED or n_epochs >= max_epochs
                or support_moved(ws, w, was_nonzero) * MOVED_FRACTION <= n_nonzero):
            skipped = 0
            gap = layout_gap(layout, w, ws, l1, l2, positive, box)
            if gap <= gap_tol and ratio <= step_tol:
                break
            # a sweep of the whole set that moved no coefficient in or out: where
            # the layout has one (covariance updates), try a Newton step on the support
            if (cheap_gap and box is None and support_moved(ws, w, was_nonzero) == 0
                    and layout_newton(layout, w, ws, l1, l2, positive)):
                gap = layout_gap(layout, w, ws, l1, l2, positive, box)
                if gap <= gap_tol and ratio <= step_tol:
                    break
        else:
            skipped += 1
        n_active = nonzero_subset(ws, w, active)
        settle = settle_tol(gap_tol, n_active)
        n_cycle = 0
        while n_epochs < max_epochs:
            shuffle_prefix(active, n_active, seed)
            dmax, moved, largest = layout_sweep(layout, w, ws, active, n_active, l1, l2,
                                               positive, box)
            ratio = moved / largest if largest > 0.0 else 0.0
            n_epochs += 1
            n_cycle += 1
            if cheap_gap:
                gap = layout_gap(layout, w, ws, l1, l2, positive, box)
                if (gap <= gap_tol and ratio <= step_tol) or dmax <= settle:
                    break
            elif dmax <= settle and n_cycle >= min_cycle:
                break
        if cheap_gap and gap <= gap_tol and ratio <= step_tol:
            break
        min_cycle = min(2 * min_cycle, max(layout.max_cycle, 1))
    return n_epochs, gap, ratio


@inline_jit
def refined_solve(layout, w, ws, l1, l2, positive, targets, seed, box, scratch):
    """:func:`active_set_solve` to ``gap_tol``, then on toward ``fine_tol`` for a budget.

    The driver's stopping rule (:mod:`fastreg.enet.driver`): once the working
    set meets its target, up to ``refine_budget`` more sweeps (within
    ``max_epochs`` in all) aim at the lower ``fine_tol``, where sweeps are
    cheap. One call from Python for both stages.

    Parameters
    ----------
    layout, w, ws, l1, l2, positive, seed, box, scratch
        As in :func:`active_set_solve` (``scratch`` required).
    targets : tuple of (float, int, float, int, float)
        ``(gap_tol, max_epochs, fine_tol, refine_budget, step_tol)``.

    Returns
    -------
    n_epochs : int
        Sweeps of all stages.
    gap : float
        The working-set gap at the end of the first stage.

    Notes
    -----
    With the refinement on (``refine_budget > 0``), a third stage follows
    when the last sweep still moved a coefficient by more than ``step_tol``
    times the largest one: sweeps go on until one does not (within
    ``max_epochs``), which is scikit-learn's own convergence test. On
    ill-conditioned problems a small duality gap allows coefficients far from
    the solution, and scikit-learn, which stops only once its coordinate
    steps are that small, returns them closer.
    """
    gap_tol, max_epochs, fine_tol, refine_budget, step_tol = targets
    # one call of the cycle for the three stages: every call site is a copy of
    # it, inlined into each layout's entry, and copies cost small problems time
    target, budget, stage_step_tol = gap_tol, max_epochs, np.inf
    n_epochs = 0
    gap = np.inf
    for stage in range(3):
        n_stage, stage_gap, ratio = active_set_solve(layout, w, ws, l1, l2, positive, target,
                                                     budget, seed, box, stage_step_tol, scratch)
        n_epochs += n_stage
        if stage == 0:
            gap = stage_gap
            if gap > gap_tol:
                break
            target, budget = fine_tol, min(refine_budget, max_epochs - n_epochs)
            if box is None and budget > 0 and gap > fine_tol:
                # the support has settled: where the layout can, one Newton step
                # on it lands on the minimizer the extra sweeps would approach
                # (not when the solve already met that target: usually by a
                # Newton step of its own, which another would only repeat)
                layout_newton(layout, w, ws, l1, l2, positive)
        elif stage == 1:
            if ratio <= step_tol:
                break
            target, budget, stage_step_tol = gap_tol, max_epochs - n_epochs, step_tol
        if budget <= 0:
            break
    return n_epochs, gap


@inline_jit
def path_steps(layout, aux, w, grad, steps, controls, masks, carried, out):
    """Solve the alphas ``start .. stop - 1`` of a path in one compiled call.

    The per-alpha loop of :meth:`fastreg.enet.driver._Alpha.solve` (its
    docstring and :mod:`fastreg.enet.driver` give the rules), step for step
    and bit for bit, for the default problem (no penalty record) on a layout
    registered with ``path_hooks`` (single target). Made from Python, the ten
    or so kernel calls of an alpha cost more than the sweeps of a small
    problem, and each releases and retakes the GIL, so that paths run side by
    side on threads (the folds of cross-validation) mostly wait for each other.
    Here a run of alphas is one call and one GIL release.

    Parameters
    ----------
    layout : a layout record registered with ``path_hooks``
    aux : what the layout's ``begin`` and ``gradient`` hooks read besides the layout
    w : ndarray of shape (n_features,)
        Coefficients, updated in place (the warm start of each alpha).
    grad : ndarray of float64, shape (n_features,)
        ``X^T r / n`` at ``w`` (for a zero coefficient possibly an upper bound of
        its magnitude at most the step's ``l1``: the layout's gradient hook);
        updated in place.
    steps : ndarray of float64, shape (n_steps, 3)
        ``l1``, ``l2`` and the strong rule's threshold of every step.
    controls : tuple
        ``(gap_tol, fine, max_iter, seed, do_screening, positive,
        refine_columns, n_lead, start, stop, step_tol)``: the certificate, the
        fraction of it the extra sweeps aim at, sweeps per alpha, the order's
        seed (-1 cyclic), screening, positivity, ``refine_sweeps``' numerator,
        the lead steps (not returned, no extra sweeps), the steps to solve and
        the coordinate-step test of :func:`refined_solve`.
    masks : tuple of two ndarray of bool, shape (n_features,)
        The working set and the screened features, updated in place.
    carried : ndarray of float64, shape (4,)
        ``||r||^2 / n`` and ``<r, y> / n`` at ``w`` (updated in place), then
        ``n`` of the data term and ``||y||^2``.
    out : tuple
        ``(coefs, gaps, sweeps, dev_ratio, n_nonzero)``: ``coefs[:, step -
        n_lead]`` (returned steps only), and per step the certificate's gap,
        the sweeps, the fraction of deviance explained and the nonzero
        coefficients.
    """
    gap_tol, fine, max_iter, seed, do_screening, positive, refine_columns, n_lead, start, \
        stop, step_tol = controls
    in_set, screened = masks
    coefs, gaps, sweeps, dev, nonzero = out
    p = w.shape[0]
    n_samples, yy = carried[2], carried[3]
    every = np.arange(p)
    scratch = cycle_scratch(p)
    ws_buffer = np.empty(p, dtype=np.int64)
    norms2 = layout.norms2
    r2, ry = carried[0], carried[1]
    for step in range(start, stop):
        l1, l2, threshold = steps[step, 0], steps[step, 1], steps[step, 2]
        refined = step == 0
        for j in range(p):
            in_set[j] = w[j] != 0.0
            screened[j] = False
        gap, dual = duality_gap(grad, w, every, r2, ry, l1, l2, positive, n_samples, None)
        kkt_and_screen(grad, w, norms2, gap, dual, l1, l2, positive, threshold, do_screening,
                       in_set, screened, None)
        inner_tol = gap_tol
        n_sweeps = 0
        n_solves = 0
        while n_sweeps < max_iter and (gap > gap_tol or (not refined and gap > gap_tol * fine)):
            ws = ws_buffer[:_write_indices(in_set, ws_buffer)]
            sweep_seed = -1 if seed < 0 else (seed + 7919 * step + n_solves) % 2147483647
            budget = int(refine_columns / max(ws.shape[0], 1)) if step >= n_lead else 0
            targets = (inner_tol, max_iter - n_sweeps, inner_tol * fine, budget, step_tol)
            layout_begin(layout, aux, ws, grad)
            n_sweeps += refined_solve(layout, w, ws, l1, l2, positive, targets, sweep_seed,
                                      None, scratch)[0]
            layout_end(layout, w, ws)
            refined = True
            n_solves += 1
            r2, ry = layout_gradient(layout, aux, w, ws, grad, l1)
            gap, dual = duality_gap(grad, w, every, r2, ry, l1, l2, positive, n_samples, None)
            if gap <= gap_tol:
                break
            for j in range(p):
                in_set[j] = w[j] != 0.0
            if kkt_and_screen(grad, w, norms2, gap, dual, l1, l2, positive, l1, do_screening,
                              in_set, screened, None) == 0:
                inner_tol *= INNER_TOL_DECREASE
        if step >= n_lead:
            copy_into(coefs[:, step - n_lead], w)
        count = 0
        for j in range(p):
            count += w[j] != 0.0
        nonzero[step] = count
        gaps[step] = gap
        sweeps[step] = n_sweeps
        dev[step] = 1.0 - r2 * n_samples / yy if yy > 0 else 0.0
    carried[0] = r2
    carried[1] = ry


@jit
def step_penalties(grid, l1_ratio):
    """``(l1, l2, strong threshold)`` of every alpha of ``grid``: :func:`path_steps`' steps.

    ``l1 = l1_ratio * alpha_k``, ``l2 = (1 - l1_ratio) alpha_k``, and the
    sequential strong rule's threshold ``l1_ratio (2 alpha_k - alpha_{k-1})``
    (at the first step ``l1`` itself; ``-inf`` where ``l1 == 0``: no sparsity
    to exploit, every feature works). One call where NumPy takes ten.
    """
    n_steps = grid.shape[0]
    steps = np.empty((n_steps, 3))
    for k in range(n_steps):
        alpha = grid[k]
        l1 = alpha * l1_ratio
        steps[k, 0] = l1
        steps[k, 1] = alpha * (1.0 - l1_ratio)
        if l1 == 0.0:
            steps[k, 2] = -np.inf
        elif k == 0:
            steps[k, 2] = l1
        else:
            steps[k, 2] = l1_ratio * (2.0 * alpha - grid[k - 1])
    return steps


@jit
def _write_indices(mask, out):
    """Write the indices of the true entries of ``mask`` into ``out``; return how many
    (``np.flatnonzero`` without an allocation)."""
    count = 0
    for j in range(mask.shape[0]):
        if mask[j]:
            out[count] = j
            count += 1
    return count


@jit
def _row_nonzero(w, j):
    """Whether coefficient j is nonzero (row j of a multi-task ``w``)."""
    if w.ndim == 1:
        return w[j] != 0.0
    for t in range(w.shape[1]):
        if w[j, t] != 0.0:
            return True
    return False


@inline_jit
def mark_support(ws, w, out):
    """``out[k]``: whether the coefficient (row) of feature ``ws[k]`` is nonzero;
    returns how many are."""
    count = 0
    for k in range(ws.shape[0]):
        out[k] = _row_nonzero(w, ws[k])
        count += out[k]
    return count


@inline_jit
def support_moved(ws, w, was_nonzero):
    """How many coefficients (rows) of ``ws`` entered or left zero since :func:`mark_support`."""
    moved = 0
    for k in range(ws.shape[0]):
        if _row_nonzero(w, ws[k]) != was_nonzero[k]:
            moved += 1
    return moved


@inline_jit
def nonzero_subset(ws, w, out):
    """Write the features of ``ws`` whose coefficient (row, multi-task) is nonzero into
    ``out``; return how many."""
    count = 0
    for k in range(ws.shape[0]):
        j = ws[k]
        if _row_nonzero(w, j):
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
