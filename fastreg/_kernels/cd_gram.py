"""Covariance ("Gram") coordinate descent for one target (glmnet's covariance mode).

The gradient ``g = (X^T y - X^T X w) / n`` replaces the residual. A change
``delta`` in ``w_j`` costs ``g -= G[:, j] * delta / n``: O(p), or O(|working
set|) while sweeping a working set, independent of n. Gram columns live in a
cache of shape (n_features, capacity) addressed through ``slot[j]``, so the
driver can fill it lazily, column by column, as features enter the model.
With ``g`` exact on the working set, the subproblem's duality gap costs
O(|working set|) and is checked after every sweep.

Each gap check also tries an Anderson extrapolation (Anderson acceleration of
coordinate descent, Bertrand & Massias 2021) of the last ``ANDERSON_DEPTH + 1``
iterates: ``w_acc = sum_k c_k w_k`` with weights ``c`` (summing to one) that
minimize the norm of the combined residual increments. Since ``g`` is affine in
``w``, ``g(w_acc) = sum_k c_k g_k`` costs O(|working set|) as well, and so does
the objective at ``w_acc``; the extrapolated point replaces the iterate only when
its objective is lower. On a stable support the sweeps converge linearly and the
extrapolation cuts their number (measured on the 5000 x 2000 benchmark path:
about a quarter fewer sweeps); only the default problem (no penalty record, not
``positive``) extrapolates, as a combination of iterates may leave a box.
"""

from collections import namedtuple

import numpy as np

from ._jit import force_jit, inline_jit, jit
from .cycle import cycle_scratch, path_steps, refined_solve, register_layout
from .extrapolation import EXTRAPOLATION_MIN_FEATURES, anderson_weights
from .gap import duality_gap
from .prox import box_coordinate

# Iterates combined by the extrapolation (and its K x K system); 3 to 5 measured alike.
ANDERSON_DEPTH = 4

# Newton steps on the support past the certificate (_gram_newton): at most this
# many nonzero coefficients.
NEWTON_MAX_SUPPORT = 64

# (The layout holds only what a solve reads: every array more in it measured
# about 25% slower per sweep on 10 features while the sweeps and gaps were calls.)
GramLayout = namedtuple("GramLayout", ["cache", "slot", "Xy", "yy", "g", "norms2", "n_samples",
                                       "history", "newton", "max_cycle"])
GramLayout.__doc__ = """Covariance updates, for :func:`fastreg._kernels.cycle.active_set_solve`.

cache : ndarray of shape (n_features, capacity), Fortran order
    Gram columns ``X^T x_j`` (unscaled), column ``slot[j]`` holding feature j:
    the float64 matrix, or its float32 rounding (``GramProblem``'s
    mixed-precision sweeps). The sweeps are then coordinate descent on the
    quadratic whose Hessian is the rounded matrix (symmetric, as the rounding
    of a symmetric matrix is; the steps divide by the float64 diagonal
    ``norms2``, within ``2^-24`` of the rounded one, which moves no fixed
    point), so ``g`` drifts from the true gradient by
    ``(G - round(G)) (w - w_0) / n`` over a solve. The solve's own gaps see
    that drift; the driver's certificate (:func:`gram_gradient`, from the
    float64 matrix) does not.
slot : ndarray of int64, shape (n_features,)
    Cache slot of each feature; every feature of the working set must have one.
Xy : ndarray of float64, shape (n_features,)
    ``X^T y``.
yy : float
    ``y^T y``.
g : ndarray of float64, shape (n_features,)
    ``X^T (y - X w) / n``, exact on the working set on entry; kept exact on it
    (on every feature if the working set covers more than a quarter of them).
norms2 : ``||x_j||^2 / n``; n_samples : the ``n`` of the data term;
history : ndarray of float64, shape (history_size(n_features),), or None
    Scratch of the extrapolation (:func:`_extrapolate`; None: no extrapolation,
    and Numba compiles the solve without its code); its last entry, the
    count of iterates stored, is set to 0 by :func:`gram_solve` (a new working
    set);
newton : ndarray of float64, shape (NEWTON_SCRATCH,)
    Scratch of the Newton step (:func:`_gram_newton`): the Cholesky factor of
    the last support's system, kept while the support and ``l2`` stay (from one
    alpha to the next on a settled path), and what identifies them; made by
    :func:`newton_scratch` in each compiled entry, so it lives for one call;
max_cycle : 0 (the gap is cheap: checked after every sweep).
"""

# The Newton scratch: the factor (row-major, |S| x |S|), the step, the support
# the factor is of, then its size and l2 (size 0: no factor).
_FACTOR, _STEP = 0, NEWTON_MAX_SUPPORT * NEWTON_MAX_SUPPORT
_SUPPORT = _STEP + NEWTON_MAX_SUPPORT
_FACTORED = _SUPPORT + NEWTON_MAX_SUPPORT
NEWTON_SCRATCH = _FACTORED + 2


@jit
def newton_scratch():
    """A :class:`GramLayout` ``newton`` scratch holding no factor."""
    return np.zeros(NEWTON_SCRATCH)


@force_jit
def _gram_sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box):
    cache, slot, g, norms2 = layout.cache, layout.slot, layout.g, layout.norms2
    inv_n = 1.0 / layout.n_samples
    n_features = g.shape[0]
    update_all = 4 * ws.shape[0] > n_features
    n_ws = ws.shape[0]
    dmax = 0.0
    moved = 0.0
    largest = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        wj = w[j]
        new = box_coordinate(g[j] + h * wj, j, l1, l2, h, positive, box)
        largest = max(largest, abs(new))
        if new != wj:
            delta = new - wj
            w[j] = new
            step = delta * inv_n
            col = slot[j]
            if update_all:
                for m in range(n_features):
                    g[m] -= cache[m, col] * step
            else:
                for kk in range(n_ws):
                    m = ws[kk]
                    g[m] -= cache[m, col] * step
            dmax = max(dmax, (h + l2) * delta * delta)
            moved = max(moved, abs(delta))
    return dmax, moved, largest


@jit
def _objective(layout, w, g, ws, l1, l2):
    """``P(w)`` from ``g = X^T (y - X w) / n`` on the working set (the rest of w is 0)."""
    w_dot_Xy = 0.0
    w_dot_g = 0.0
    w_l1 = 0.0
    w_sq = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        w_dot_Xy += w[j] * layout.Xy[j]
        w_dot_g += w[j] * g[j]
        w_l1 += abs(w[j])
        w_sq += w[j] * w[j]
    r2 = (layout.yy - w_dot_Xy) / layout.n_samples - w_dot_g
    return 0.5 * (r2 + l2 * w_sq) + l1 * w_l1


def history_size(n_features):
    """Length of :class:`GramLayout`'s ``history`` scratch for ``n_features``."""
    size = ANDERSON_DEPTH + 1
    return 2 * size * n_features + size * size + 1


@jit
def _increment_row(snaps_w, snaps_g, inner, ws, l2, count):
    """Products of the increment ending at iterate ``count`` with the stored ones."""
    size = snaps_w.shape[0]
    latest = count % size
    previous = (count - 1) % size
    for m in range(1, min(count, size - 1) + 1):
        end = (latest - m + 1) % size
        begin = (end - 1) % size
        dot = 0.0
        for k in range(ws.shape[0]):
            j = ws[k]
            d_new = snaps_w[latest, j] - snaps_w[previous, j]
            d_old = snaps_w[end, j] - snaps_w[begin, j]
            # d^T (G / n) d' from G d = -n (g_end - g_begin), symmetrized
            dot += l2 * d_new * d_old - 0.5 * (
                d_new * (snaps_g[end, j] - snaps_g[begin, j])
                + d_old * (snaps_g[latest, j] - snaps_g[previous, j]))
        inner[latest, end] = dot
        inner[end, latest] = dot


@jit
def _restart(history):
    """A new working set: no iterates to combine yet."""
    if history is not None:  # (Numba prunes the branch for a None history)
        history[-1] = 0.0


@jit
def _extrapolate(history, layout, w, ws, l1, l2):
    """:func:`_anderson_step`, or nothing without a ``history`` (compiled apart)."""
    if history is None:
        return False
    else:
        return _anderson_step(history, layout, w, ws, l1, l2)


@jit
def _anderson_step(history, layout, w, ws, l1, l2):
    """Store the iterate; replace it by the Anderson extrapolation if that is lower.

    ``history`` holds ``ANDERSON_DEPTH + 1`` iterates and gradients (a ring),
    the inner products ``d_a^T (G / n + l2) d_b`` of the increments between
    consecutive ones (indexed by the slot each increment ends at; each check
    adds one row, O(depth |ws|)) and the count of iterates stored. The
    candidate is formed in ``w`` and ``g`` themselves and undone from the ring
    when its objective is not lower. Returns whether the iterate was replaced.
    """
    g, n_features = layout.g, layout.g.shape[0]
    depth = ANDERSON_DEPTH
    size = depth + 1
    flat = history
    snaps_w = flat[:size * n_features].reshape((size, n_features))
    snaps_g = flat[size * n_features:2 * size * n_features].reshape((size, n_features))
    inner = flat[2 * size * n_features:2 * size * n_features + size * size].reshape((size, size))
    count = int(flat[-1])
    latest = count % size
    for k in range(ws.shape[0]):
        j = ws[k]
        snaps_w[latest, j] = w[j]
        snaps_g[latest, j] = g[j]
    flat[-1] = count + 1
    if count == 0:
        return False
    _increment_row(snaps_w, snaps_g, inner, ws, l2, count)
    if count < depth:
        return False
    # weights c (sum 1) minimizing || sum_a c_a d_a ||
    M = np.empty((depth, depth))
    for a in range(depth):
        end_a = (latest - depth + 1 + a) % size
        for b in range(depth):
            M[a, b] = inner[end_a, (latest - depth + 1 + b) % size]
    z = anderson_weights(M)
    if z.shape[0] == 0:
        return False
    before = _objective(layout, w, g, ws, l1, l2)
    # w_acc = sum_a c_a w_(end of increment a): the last depth iterates
    for k in range(ws.shape[0]):
        j = ws[k]
        wj = 0.0
        gj = 0.0
        for a in range(depth):
            slot = (latest - depth + 1 + a) % size
            wj += z[a] * snaps_w[slot, j]
            gj += z[a] * snaps_g[slot, j]
        w[j] = wj
        g[j] = gj
    if _objective(layout, w, g, ws, l1, l2) < before:
        # the candidate is the latest iterate: its increment's products anew
        for k in range(ws.shape[0]):
            j = ws[k]
            snaps_w[latest, j] = w[j]
            snaps_g[latest, j] = g[j]
        _increment_row(snaps_w, snaps_g, inner, ws, l2, count)
        return True
    for k in range(ws.shape[0]):
        j = ws[k]
        w[j] = snaps_w[latest, j]
        g[j] = snaps_g[latest, j]
    return False


@force_jit
def _gram_ws_gap(layout, w, ws, l1, l2, positive, box):
    # (the layout's arrays read in place, not bound to names: bound across the
    # extrapolation's call, each kept a pair of reference-count operations in
    # every gap check, a quarter of those the diabetes path made)
    if box is None and not positive and l1 > 0.0 and ws.shape[0] >= EXTRAPOLATION_MIN_FEATURES:
        _extrapolate(layout.history, layout, w, ws, l1, l2)
    w_dot_Xy = 0.0
    w_dot_g = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        w_dot_Xy += w[j] * layout.Xy[j]
        w_dot_g += w[j] * layout.g[j]
    ry = (layout.yy - w_dot_Xy) / layout.n_samples
    return duality_gap(layout.g, w, ws, ry - w_dot_g, ry, l1, l2, positive, layout.n_samples,
                       box)[0]


@jit
def gram_solve(data, w, ws, l1, l2, positive, targets, seed, box):
    """The active-set cycle with covariance updates; ``data = (cache, slot, Xy, yy, g,
    norms2, n_samples, history)`` of :class:`GramLayout`. Parameters and returns as
    :func:`fastreg._kernels.cycle.refined_solve`.
    """
    cache, slot, Xy, yy, g, norms2, n_samples, history = data
    _restart(history)
    return refined_solve(GramLayout(cache, slot, Xy, yy, g, norms2, n_samples, history,
                                    newton_scratch(), 0), w, ws, l1, l2, positive, targets,
                         seed, box, cycle_scratch(ws.shape[0]))


@force_jit
def gram_gradient(cache, slot, Xy, w, g, n_samples):
    """Recompute ``g = (Xy - G w) / n`` for every feature from the nonzero columns.

    Returns
    -------
    w_dot_Xy : float
        ``w^T X^T y``.
    w_dot_g : float
        ``w^T g``; with ``y^T y`` these give ``||r||^2`` and ``r^T y`` exactly.
    """
    inv_n = 1.0 / n_samples
    n_features = g.shape[0]
    for m in range(n_features):
        g[m] = Xy[m] * inv_n
    w_dot_Xy = 0.0
    for j in range(n_features):
        wj = w[j]
        if wj != 0.0:
            w_dot_Xy += wj * Xy[j]
            step = wj * inv_n
            col = slot[j]
            for m in range(n_features):
                g[m] -= cache[m, col] * step
    w_dot_g = 0.0
    for j in range(n_features):
        w_dot_g += w[j] * g[j]
    return w_dot_Xy, w_dot_g


@jit
def gram_path(data, exact_cache, w, steps, controls, masks, carried, out):
    """Whole alphas of a path on the full Gram matrix in one compiled call.

    :func:`fastreg._kernels.cycle.path_steps` on :class:`GramLayout`
    (``data`` as :func:`gram_solve`'s; the gradient is that of ``g``);
    ``exact_cache``: the Gram matrix in its own precision, for the
    certificate's gradient (:func:`gram_gradient`), where the sweeps may read
    its float32 rounding.
    """
    cache, slot, Xy, yy, g, norms2, n_samples, history = data
    path_steps(GramLayout(cache, slot, Xy, yy, g, norms2, n_samples, history, newton_scratch(),
                          0), exact_cache, w, g, steps, controls, masks, carried, out)


@jit
def _gram_begin(layout, aux, ws, grad):
    _restart(layout.history)  # (g is grad: nothing to copy)


@jit
def _gram_end(layout, w, ws):
    pass


@inline_jit
def _gram_path_gradient(layout, exact_cache, w, ws, grad, l1):
    n_samples = layout.n_samples
    w_dot_Xy, w_dot_g = gram_gradient(exact_cache, layout.slot, layout.Xy, w, layout.g,
                                      n_samples)
    ry = (layout.yy - w_dot_Xy) / n_samples
    return ry - w_dot_g, ry


@force_jit
def _gram_newton(layout, w, ws, l1, l2, positive):
    """One Newton step on the support ``S`` of ``w`` in ``ws``; returns whether taken.

    On the orthant of the current signs ``s`` the objective is the quadratic
    whose minimizer on ``S`` solves ``(G_SS / n + l2) d = g_S - l2 w_S - l1 s``
    (``g`` the gradient the sweeps keep): the step ``w_S + d`` is taken when it
    keeps every sign (and positivity), so it is that orthant's minimizer and
    the objective does not rise; otherwise nothing changes. Only for at most
    :data:`NEWTON_MAX_SUPPORT` nonzero coefficients. The Cholesky factor of
    ``G_SS / n + l2`` (about ``|S| / 3`` sweeps of the support) is kept in
    ``layout.newton`` and reused while ``S`` and ``l2`` stay, as they do from
    one alpha to the next once a path has settled: then a step costs two
    triangular solves.
    """
    cache, slot, g, scratch = layout.cache, layout.slot, layout.g, layout.newton
    inv_n = 1.0 / layout.n_samples
    size = NEWTON_MAX_SUPPORT
    m = 0
    same = True
    for k in range(ws.shape[0]):
        j = ws[k]
        if w[j] != 0.0:
            if m == size:
                scratch[_FACTORED] = 0.0  # (its support is partly overwritten)
                return False
            same = same and scratch[_SUPPORT + m] == j
            scratch[_SUPPORT + m] = j  # (the support, as the factor made below is of it)
            m += 1
    if m == 0:
        return False
    factor = scratch[_FACTOR:_FACTOR + m * m].reshape((m, m))
    if not (same and scratch[_FACTORED] == m and scratch[_FACTORED + 1] == l2):
        for a in range(m):
            col_a = slot[int(scratch[_SUPPORT + a])]
            for c in range(m):
                factor[c, a] = cache[int(scratch[_SUPPORT + c]), col_a] * inv_n
            factor[a, a] += l2
        if not _cholesky_factor(factor):
            scratch[_FACTORED] = 0.0
            return False
        scratch[_FACTORED] = m
        scratch[_FACTORED + 1] = l2
    d = scratch[_STEP:_STEP + m]
    for a in range(m):
        ja = int(scratch[_SUPPORT + a])
        d[a] = g[ja] - l2 * w[ja] - (l1 if w[ja] > 0.0 else -l1)
    _cholesky_apply(factor, d)
    for a in range(m):
        ja = int(scratch[_SUPPORT + a])
        new = w[ja] + d[a]
        if (new > 0.0) != (w[ja] > 0.0) or new == 0.0 or (positive and new < 0.0):
            return False
    n_features = g.shape[0]
    update_all = 4 * ws.shape[0] > n_features  # (as the sweeps keep g: _gram_sweep)
    for a in range(m):
        ja = int(scratch[_SUPPORT + a])
        w[ja] += d[a]
        step = d[a] * inv_n
        col = slot[ja]
        if update_all:
            for mm in range(n_features):
                g[mm] -= cache[mm, col] * step
        else:
            for kk in range(ws.shape[0]):
                mm = ws[kk]
                g[mm] -= cache[mm, col] * step
    return True


@force_jit
def _cholesky_factor(A):
    """Overwrite the lower triangle of symmetric ``A`` by its Cholesky factor ``L``.

    Returns False, leaving ``A`` undefined, when a pivot is not clearly positive
    (``A`` singular or indefinite to working precision): no exception from the
    kernel, the caller keeps its iterate.
    """
    m = A.shape[0]
    for c in range(m):
        pivot = A[c, c]
        for k in range(c):
            pivot -= A[c, k] * A[c, k]
        if not pivot > 1e-12 * abs(A[c, c]):
            return False
        pivot = np.sqrt(pivot)
        A[c, c] = pivot
        for r in range(c + 1, m):
            value = A[r, c]
            for k in range(c):
                value -= A[r, k] * A[c, k]
            A[r, c] = value / pivot
    return True


@force_jit
def _cholesky_apply(L, b):
    """Solve ``L L^T x = b`` in place (``b`` becomes ``x``), ``L`` from :func:`_cholesky_factor`."""
    m = L.shape[0]
    for r in range(m):  # L z = b
        value = b[r]
        for k in range(r):
            value -= L[r, k] * b[k]
        b[r] = value / L[r, r]
    for r in range(m - 1, -1, -1):  # L^T x = z
        value = b[r]
        for k in range(r + 1, m):
            value -= L[k, r] * b[k]
        b[r] = value / L[r, r]


register_layout(GramLayout, _gram_sweep, _gram_ws_gap,
                path_hooks=(_gram_begin, _gram_end, _gram_path_gradient), newton=_gram_newton)
