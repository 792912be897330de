"""Residual ("naive") coordinate descent for one target: dense and CSC X.

The residual ``r = y - X w`` is kept in memory; a coordinate update costs one
pass over column j (O(n) dense, O(nnz_j) sparse). All quantities are on the
scale of ``1/(2n) ||y - Xw||^2 + l1 ||w||_1 + (l2/2) ||w||^2``.

Dense and CSC sweeps of the default problem (no penalty record, not
``positive``, ``l1 > 0``) over working sets of ``EXTRAPOLATION_MIN_FEATURES``
or more are extrapolated as ``cd_gram``'s are (Anderson acceleration of
coordinate descent, Bertrand & Massias 2021), by one kernel for both
(:func:`anderson_residual`): every ``ANDERSON_DEPTH + 1`` sweeps the last
``ANDERSON_DEPTH`` iterates are combined, ``w_acc = sum_k c_k w_k`` and
``r_acc = sum_k c_k r_k`` (``r`` is affine in ``w``; on CSC X the shift of the
implicit centering too), with weights summing to one that minimize the norm of
the combined residual increments, and the combination replaces the iterate
when its objective is lower. A solve that took one forms ``r`` anew from its
coefficients before the certificate reads it (:func:`exact_residual`,
:func:`csc_exact_residual`). Measured: on the 500 x 5000 benchmark path 2396
sweeps instead of 2771, 0.92-0.96x the time, and more accurate at every tol;
on the sparse 2000 x 5000 path 0.78x the time at tol 1e-4 and 0.63x at 1e-6
(0.98-0.99x at 1e-2 and 1e-3), and more accurate. One rule for both layouts
also keeps their paths equal: the same problem given as dense or CSC X takes
the same sweeps and extrapolations, to the rounding of its residual.
"""

from collections import namedtuple

import numba
import numpy as np

from ._jit import (
    force_jit,
    force_reduction_jit,
    inline_jit,
    jit,
    parallel_jit,
    reduction_jit,
)
from .cycle import cycle_scratch, path_steps, refined_solve, register_layout
from .extrapolation import EXTRAPOLATION_MIN_FEATURES, anderson_weights
from .gap import duality_gap
from .prox import box_coordinate
from .scans import copy_into

# A gap check costs about one sweep in residual mode: after each failed check,
# the next one waits for twice as many sweeps over the nonzeros (up to this).
MAX_CYCLE = 16

# Iterates combined by the extrapolation (module docstring): 2, 3 and 4 measured
# alike on 500 x 5000 (0.91-0.95x the time), 6 gained nothing.
ANDERSON_DEPTH = 3

DenseLayout = namedtuple("DenseLayout", ["X", "centers", "y", "r", "g", "norms2", "r_ref",
                                         "ref", "history", "max_cycle"])
DenseLayout.__doc__ = """Residual updates on dense X, for :func:`fastreg._kernels.cycle.active_set_solve`.

X : ndarray of shape (n_samples, n_features), Fortran order; centers : ndarray
of X's dtype, shape (n_features,): the columns solved on are ``X[:, j] -
centers[j]``, computed as they are read (the values of NumPy's centered copy,
without the copy; zeros: X itself); y, r : ndarray of shape (n_samples,),
``r = y - X w`` (of the centered columns) updated in place; g : float64 scratch of
shape (n_features,) receiving ``X^T r / n`` on the working set (for a zero
coefficient, possibly an upper bound of its magnitude, at most ``l1``); norms2 :
``||x_j||^2 / n``; r_ref : float64 scratch of shape (n_samples,), the residual
of the last gap check; ref : float64 array ``[valid, slack, fresh]`` (see
:func:`_dense_sweep`; ``slack``
the rounding head room of X's dtype); ``valid = 1`` when the caller has
written ``X^T r / n`` at ``r_ref = r`` (or upper bounds of its magnitude) into
``g`` on the working set; ``fresh = 1`` while ``g`` on the working set is
that of the current ``r`` (set by a gap check, cleared by an update);
history : float64 scratch of :func:`history_size` entries (the extrapolation's
last ``ANDERSON_DEPTH + 1`` residuals and working-set coefficients, whether a
solve took an extrapolation, the count of sweeps stored), or empty: no
extrapolation (``DenseProblem.extrapolate``);
max_cycle : :data:`MAX_CYCLE`.
"""

# Rounding head room of the skip test of a zero coefficient (_dense_sweep), relative
# to ||x_j|| ||r|| / n: well above the rounding of a dot product of each dtype.
SKIP_SLACK = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}

CscLayout = namedtuple("CscLayout", ["data", "indices", "starts", "stops", "y", "u", "r", "g",
                                     "norms2", "centers", "col_u", "shift", "uu", "u_dot_y",
                                     "history", "max_cycle"])
CscLayout.__doc__ = """Residual updates on CSC X with implicit centering.

The centered column is ``x_j - centers[j] * u`` (``u`` = ones, or
``sqrt(sample_weight)`` when rows were weighted), never formed: the true
residual is ``r + shift[0] * u`` and ``shift[1] = u^T r`` is kept alongside,
so a coordinate update stays O(nnz_j). Column j of X is
``data[starts[j]:stops[j]]`` (rows in ``indices``, unsigned): ``indptr[:-1],
indptr[1:]`` for the whole matrix, or the layout of :func:`gather_columns`.
``col_u = X^T u``, ``uu = u^T u`` (0 disables centering), ``u_dot_y = u^T y``;
``norms2`` of the centered columns; ``r``, ``g``, ``shift`` updated in place;
``history`` as :class:`DenseLayout`'s (the same extrapolation of the sweeps,
:func:`anderson_residual`), or empty.
"""


def history_size(n_samples, n_features):
    """Length of the ``history`` of :class:`DenseLayout` and :class:`CscLayout` for X
    of this shape."""
    size = ANDERSON_DEPTH + 1
    return size * (n_samples + n_features + 1) + 2


@jit
def restart_history(history):
    """A new solve: no sweeps stored, no extrapolation taken."""
    if history.shape[0] > 0:  # (empty: no extrapolation)
        history[history.shape[0] - 1] = 0.0
        history[history.shape[0] - 2] = 0.0


@jit
def exact_residual(layout, w, ws):
    """After a solve that took an extrapolation: ``r = y - X w`` anew.

    An extrapolated residual combines stored ones with weights that grow large
    (and of opposite signs) as the increments become dependent, and its
    rounding grows with them; the certificate that follows the solve reads
    ``r``, so it is formed again from the coefficients (every nonzero one is
    in the working set): one pass over the nonzero columns per solve.
    """
    history = layout.history
    if history.shape[0] == 0 or history[history.shape[0] - 2] == 0.0:
        return
    X, y, r, centers = layout.X, layout.y, layout.r, layout.centers
    for i in range(r.shape[0]):
        r[i] = y[i]
    for k in range(ws.shape[0]):
        j = ws[k]
        wj = w[j]
        if wj != 0.0:
            center = centers[j]
            for i in range(r.shape[0]):
                r[i] -= wj * (X[i, j] - center)
    history[history.shape[0] - 2] = 0.0
    layout.ref[2] = 0.0


@reduction_jit
def _anderson(layout, w, ws, l1, l2):
    """:func:`anderson_residual` on a :class:`DenseLayout` sweep's iterate."""
    # (the columns are centered as read: no shift, and u is not read)
    if anderson_residual(layout.r, layout.r, 0.0, 0.0, layout.history, w, ws, l1, l2)[0]:
        layout.ref[2] = 0.0  # (g is no longer that of r)


@reduction_jit
def anderson_residual(r, u, uu, shift, history, w, ws, l1, l2):
    """Record a residual sweep's iterate; every ``ANDERSON_DEPTH + 1`` sweeps, replace
    it by the extrapolation of the last ``ANDERSON_DEPTH`` when its objective is lower.

    The iterate is ``(r, shift, w on ws)``: the true residual is ``r + shift
    u`` (CSC X centered implicitly, ``uu = u^T u > 0``; otherwise ``r``, and
    ``u`` is not read), affine in ``w`` as are its pieces, so the weights that
    minimize the norm of the combined true-residual increments combine each
    piece alike. Dense and CSC layouts share this code, so the same problem
    takes the same extrapolations as either, to the rounding of its residual.

    Returns
    -------
    replaced : bool
        Whether ``r`` and ``w`` now hold the extrapolation.
    shift : float
        The extrapolated shift (the one given when not replaced).
    """
    if history.shape[0] == 0:
        return False, shift
    n, p = r.shape[0], w.shape[0]
    depth = ANDERSON_DEPTH
    size = depth + 1
    centered = uu > 0.0
    residuals = history[:size * n].reshape((size, n))
    coefs = history[size * n:size * (n + p)].reshape((size, p))
    shifts = history[size * (n + p):size * (n + p + 1)]
    count = int(history[history.shape[0] - 1])
    slot = count % size
    for i in range(n):
        residuals[slot, i] = r[i]
    for k in range(ws.shape[0]):
        j = ws[k]
        coefs[slot, j] = w[j]
    shifts[slot] = shift
    count += 1
    history[history.shape[0] - 1] = count
    if count % size != 0:
        return False, shift
    # increments a = 0..depth-1 between slots a and a + 1 (the ring is full, in order)
    M = np.empty((depth, depth))
    for a in range(depth):
        for b in range(a + 1):
            dot = 0.0
            if centered:
                da, db = shifts[a + 1] - shifts[a], shifts[b + 1] - shifts[b]
                for i in range(n):
                    dot += ((residuals[a + 1, i] - residuals[a, i] + da * u[i])
                            * (residuals[b + 1, i] - residuals[b, i] + db * u[i]))
            else:
                for i in range(n):
                    dot += (residuals[a + 1, i] - residuals[a, i]) * (residuals[b + 1, i]
                                                                      - residuals[b, i])
            M[a, b] = dot
            M[b, a] = dot
    z = anderson_weights(M)
    if z.shape[0] == 0:
        return False, shift
    shift_after = 0.0
    for a in range(depth):
        shift_after += z[a] * shifts[a + 1]
    before = 0.0
    after = 0.0
    if centered:
        for i in range(n):
            value = shift_after * u[i]
            for a in range(depth):
                value += z[a] * residuals[a + 1, i]
            now = r[i] + shift * u[i]
            before += now * now
            after += value * value
    else:
        for i in range(n):
            before += r[i] * r[i]
        for i in range(n):
            value = 0.0
            for a in range(depth):
                value += z[a] * residuals[a + 1, i]
            after += value * value
    before *= 0.5 / n
    after *= 0.5 / n
    for k in range(ws.shape[0]):
        j = ws[k]
        wa = 0.0
        for a in range(depth):
            wa += z[a] * coefs[a + 1, j]
        before += l1 * abs(w[j]) + 0.5 * l2 * w[j] * w[j]
        after += l1 * abs(wa) + 0.5 * l2 * wa * wa
    if not after < before:
        return False, shift
    for k in range(ws.shape[0]):
        j = ws[k]
        wa = 0.0
        for a in range(depth):
            wa += z[a] * coefs[a + 1, j]
        w[j] = wa
    for i in range(n):
        value = 0.0
        for a in range(depth):
            value += z[a] * residuals[a + 1, i]
        r[i] = value
    history[history.shape[0] - 2] = 1.0  # (an exact residual after the solve)
    return True, shift_after


@force_reduction_jit
def _residual_drift(r, r_ref):
    """``(||r - r_ref||, ||r||)``."""
    drift = 0.0
    norm = 0.0
    for i in range(r.shape[0]):
        d = r[i] - r_ref[i]
        drift += d * d
        norm += r[i] * r[i]
    return np.sqrt(drift), np.sqrt(norm)


@reduction_jit
def _dense_sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box):
    """One sweep; a zero coefficient that provably stays zero is skipped.

    After a gap check of this solve, ``g`` holds ``x_j^T r_ref / n`` on the
    working set (or an upper bound of its magnitude, :func:`_dense_ws_gap`),
    and ``|x_j^T r| / n <= |g_j| + ||x_j|| ||r - r_ref|| / n``.
    A zero coefficient whose bound is at most ``l1`` would stay zero: its
    update is skipped, with its pass over the column (most of a sweep over a
    large working set whose solution is sparse). ``||r - r_ref||`` is exact at
    the start of the sweep and grows by ``|delta| ||x_k||`` per update. The
    iterates are those of the plain sweep. Only the default problem
    (``box`` None) skips.

    Each update's pass over the residual also forms the next column's product
    (:func:`_step_and_dot`): one pass over ``r`` per column instead of two.
    """
    X, r, norms2, g, ref = layout.X, layout.r, layout.norms2, layout.g, layout.ref
    centers = layout.centers
    n_samples = X.shape[0]
    inv_n = 1.0 / n_samples
    skip = box is None and ref[0] > 0.0 and n_idx == ws.shape[0]
    drift = 0.0
    if skip:
        drift, r_norm = _residual_drift(r, layout.r_ref)
        drift += ref[1] * r_norm
    dmax = 0.0
    moved = 0.0
    largest = 0.0
    k = _next_column(idx, n_idx, 0, w, g, norms2, skip, drift, l1, inv_n)
    previous = idx[k] if k < n_idx else 0
    delta = 0.0  # (the first product: a pass with no step, r - 0 x being r)
    while k < n_idx:
        j = idx[k]
        dot = _step_and_dot(X, r, previous, centers[previous], delta, j, centers[j])
        h = norms2[j]
        wj = w[j]
        new = box_coordinate(dot * inv_n + h * wj, j, l1, l2, h, positive, box)
        largest = max(largest, abs(new))
        delta = 0.0
        if new != wj:
            delta = new - wj
            w[j] = new
            dmax = max(dmax, (h + l2) * delta * delta)
            moved = max(moved, abs(delta))
            ref[2] = 0.0
            if skip:
                drift += abs(delta) * np.sqrt(h * n_samples)
        previous = j
        k = _next_column(idx, n_idx, k + 1, w, g, norms2, skip, drift, l1, inv_n)
    if delta != 0.0:
        center = centers[previous]
        for i in range(n_samples):
            r[i] -= delta * (X[i, previous] - center)
    if box is None and not positive and l1 > 0.0 and ws.shape[0] >= EXTRAPOLATION_MIN_FEATURES:
        _anderson(layout, w, ws, l1, l2)
    return dmax, moved, largest


@force_jit
def _next_column(idx, n_idx, k, w, g, norms2, skip, drift, l1, inv_n):
    """The first position from ``k`` on whose column a sweep updates (``n_idx``: none)."""
    while k < n_idx:
        j = idx[k]
        h = norms2[j]
        if h != 0.0 and not (skip and w[j] == 0.0 and abs(g[j]) + np.sqrt(h * inv_n) * drift
                             <= l1):
            return k
        k += 1
    return n_idx


@force_reduction_jit
def _step_and_dot(X, r, previous, previous_center, delta, j, center):
    """``r -= delta * x_previous``, then ``x_j^T r``, in one pass over ``r``.

    Every product of a sweep goes through this one loop (with ``delta = 0``
    where no step precedes it), so each is summed the same way wherever the
    sweep skips: the skipping sweep's iterates stay those of the plain one.
    """
    dot = 0.0
    if previous_center == 0.0 and center == 0.0:
        # (x - 0 is x: the same values, without the subtractions, which cost a
        # tenth of a sweep over float32 columns)
        for i in range(r.shape[0]):
            r[i] -= delta * X[i, previous]
            dot += X[i, j] * r[i]
        return dot
    for i in range(r.shape[0]):
        r[i] -= delta * (X[i, previous] - previous_center)
        dot += (X[i, j] - center) * r[i]  # (the stored value: float32 r is rounded)
    return dot


@reduction_jit
def _dense_ws_gap(layout, w, ws, l1, l2, positive, box):
    """The working-set gap; ``g`` on the working set becomes that of ``r_ref = r``.

    A zero coefficient whose bound (:func:`_dense_sweep`) is at most ``l1``
    gets the bound instead of its exact gradient: it enters the gap only
    through the dual norm, which it cannot raise above ``l1``, so the gap is
    the exact one, and the bound stays an upper bound of ``|x_j^T r_ref| / n``
    for the sweeps after.
    """
    X, y, r, g, norms2, ref = layout.X, layout.y, layout.r, layout.g, layout.norms2, layout.ref
    n_samples = X.shape[0]
    inv_n = 1.0 / n_samples
    skip = box is None and ref[0] > 0.0
    drift = 0.0
    if skip:
        drift, r_norm = _residual_drift(r, layout.r_ref)
        drift += ref[1] * r_norm
    for k in range(ws.shape[0]):
        j = ws[k]
        if skip and w[j] == 0.0:
            bound = abs(g[j]) + np.sqrt(norms2[j] * inv_n) * drift
            if bound <= l1:
                g[j] = bound
                continue
        center = layout.centers[j]
        dot = 0.0
        for i in range(n_samples):
            dot += (X[i, j] - center) * r[i]
        g[j] = dot * inv_n
    r2 = 0.0
    ry = 0.0
    r_ref = layout.r_ref
    for i in range(n_samples):
        r2 += r[i] * r[i]
        ry += r[i] * y[i]
        r_ref[i] = r[i]
    layout.ref[0] = 1.0  # g on the working set is that of r_ref (_dense_sweep) ...
    layout.ref[2] = 1.0  # ... and of r until the next update
    return duality_gap(g, w, ws, r2 * inv_n, ry * inv_n, l1, l2, positive, float(n_samples),
                       box)[0]


@jit
def _dense_begin(layout, aux, ws, grad):
    """As ``DenseProblem.prepare`` and ``solve`` ready a solve: the skip test's reference."""
    g = layout.g
    for k in range(ws.shape[0]):
        j = ws[k]
        g[j] = grad[j]
    copy_into(layout.r_ref, layout.r)
    layout.ref[0] = 1.0
    layout.ref[2] = 0.0
    restart_history(layout.history)


@jit
def _dense_end(layout, w, ws):
    exact_residual(layout, w, ws)
    layout.ref[0] = 0.0  # the next working set needs its own reference


@jit
def _dense_path_gradient(layout, bounds, w, ws, grad, l1):
    # a solve that ended on a gap check of every feature at this residual left
    # its products (or, for zeros, bounds at most l1) in g: the gradient
    reuse = ws.shape[0] == w.shape[0] and layout.ref[2] > 0.0
    if bounds is None:
        return dense_gradient(layout.X, layout.centers, layout.y, layout.r, layout.g, grad,
                              reuse)
    else:
        return bounded_gradient(layout.X, layout.centers, layout.y, layout.r, w, l1, bounds,
                                layout.g, reuse, grad)


# GradientBounds' rule: above this fraction of features needing an exact product, a
# whole pass (which also renews the reference) costs about the same
BOUNDED_MAX_FRACTION = 0.25


@jit
def bounded_gradient(X, centers, y, r, w, l1, bounds, products, reuse, out):
    """``out[j] = x_j^T r / n`` (centered columns) where it can matter at ``l1``, an
    upper bound of its magnitude elsewhere; ``(||r||^2 / n, <r, y> / n)``.

    ``fastreg.enet.designs.GradientBounds`` in one kernel (its docstring has
    the rule): ``bounds = (g_ref, r_ref, col_norms, state)``, its arrays.
    Between two residuals ``|x_j^T r| / n <= g_ref[j] + col_norms[j] ||r -
    r_ref||``; a zero coefficient whose bound is at most ``l1`` gets the bound
    (it can neither violate its KKT condition nor raise the dual norm above
    ``l1``), the others their exact product. When more than
    ``BOUNDED_MAX_FRACTION`` of the features need one (or there is no
    reference yet, ``state[0] == 0``), every product is computed, and it
    becomes the reference of the next bounds. ``reuse``: ``products`` are the
    exact gradient at ``r`` already (the last gap check's). ``l1 = 0``: every
    product. ``DenseProblem.gradient`` and :func:`dense_path` both compute the
    gradient here, so their paths agree to the bit.
    """
    r2, ry = _residual_products(r, y)
    n = r.shape[0]
    _bounded_products(X, centers, r, w, l1, bounds, products, reuse, out)
    return r2 / n, ry / n


@jit
def _bounded_products(X, centers, r, w, l1, bounds, products, reuse, out):
    n, p = r.shape[0], out.shape[0]
    inv_n = 1.0 / n
    if reuse:
        copy_into(out, products)
    else:
        if l1 > 0.0:
            count = drift_bounds(r, w, l1, None, bounds, out, None)
            if 0 <= count <= BOUNDED_MAX_FRACTION * p:
                for j in range(p):
                    if _needs_product(out[j], w[j], l1, None, j):
                        out[j] = _column_xtr(X, j, centers[j], r) * inv_n
                return
        for j in range(p):
            out[j] = _column_xtr(X, j, centers[j], r) * inv_n
    # a whole gradient: the reference of the next bounds
    set_bound_reference(out, r, bounds)


@jit
def drift_bounds(r, w, l1, thresholds, bounds, out, features):
    """Upper bounds of every ``|x_j^T r| / n`` from the reference; how many must be exact.

    The rule of ``fastreg.enet.designs.GradientBounds`` (and of
    :func:`bounded_gradient`), in one place: ``bounds = (g_ref, r_ref,
    col_norms, state)``; ``out[j] = g_ref[j] + col_norms[j] ||r - r_ref||``.
    A feature needs its exact product when its coefficient is nonzero or its
    bound exceeds its threshold: ``l1``, or ``thresholds[j]`` when given (one
    per feature: penalty factors). Their indices go to ``features`` when
    given. Returns their count, or -1 without a reference (``state[0] == 0``).
    """
    g_ref, r_ref, col_norms, state = bounds
    if state[0] == 0.0:
        return -1
    drift = 0.0
    for i in range(r.shape[0]):
        d = r[i] - r_ref[i]
        drift += d * d
    drift = np.sqrt(drift)
    for j in range(out.shape[0]):
        out[j] = g_ref[j] + col_norms[j] * drift
    return needed_features(out, w, l1, thresholds, features)


@jit
def needed_features(bounds, w, l1, thresholds, features):
    """How many features need their exact product given upper ``bounds`` of their gradient.

    Those with a nonzero coefficient or a bound above the threshold (``l1``,
    or ``thresholds[j]`` when given); their indices go to ``features`` when
    given. Any bounds: :func:`drift_bounds`' or ``RoundedBounds``'.
    """
    count = 0
    for j in range(bounds.shape[0]):
        if _needs_product(bounds[j], w[j], l1, thresholds, j):
            if features is not None:
                features[count] = j
            count += 1
    return count


@force_jit
def _needs_product(bound, wj, l1, thresholds, j):
    """Whether feature j needs its exact product (:func:`needed_features`)."""
    return bound > (l1 if thresholds is None else thresholds[j]) or wj != 0.0


@jit
def set_bound_reference(g, r, bounds):
    """Make ``(|g|, r)`` the reference of the next :func:`drift_bounds` (``g`` exact at ``r``).

    ``1e-9``: rounding head room, so that the bound stays an upper bound.
    """
    g_ref, r_ref, _, state = bounds
    for j in range(g.shape[0]):
        g_ref[j] = abs(g[j]) * (1.0 + 1e-9)
    copy_into(r_ref, r)
    state[0] = 1.0


@jit
def dense_gradient(X, centers, y, r, products, out, reuse):
    """``out = X^T r / n`` of the centered columns; ``(||r||^2 / n, <r, y> / n)``.

    ``reuse``: ``products`` (the last gap check's, of every feature at this
    ``r``) stand in for the pass over X. ``DenseProblem.gradient`` and
    :func:`dense_path` both compute the gradient here, so their paths agree to
    the bit.
    """
    n_samples = r.shape[0]
    if reuse:
        copy_into(out, products)
    else:
        for j in range(out.shape[0]):
            out[j] = _centered_dot(X, j, centers[j], r) / n_samples
    r2, ry = _residual_products(r, y)
    return r2 / n_samples, ry / n_samples


@jit
def _centered_dot(X, j, center, r):
    """``(X[:, j] - center)^T r`` in eight interleaved partial sums, in a fixed order.

    The order is written out (no re-association left to the compiler), so
    the sum is the same wherever the function is compiled into, which keeps
    :func:`dense_path` and ``DenseProblem.gradient`` equal to the bit. That
    costs speed: about half that of :func:`centered_xtr` (measured 2.3
    against 0.9 us for the 442 x 10 diabetes gradient, 1.18 against 0.63 ms at
    500 x 5000), which is why only X of at most ``2^16`` entries (a gradient of
    tens of microseconds at most) takes this route.
    """
    n = r.shape[0]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    stop = n - n % 8
    for i in range(0, stop, 8):
        s0 += (X[i, j] - center) * r[i]
        s1 += (X[i + 1, j] - center) * r[i + 1]
        s2 += (X[i + 2, j] - center) * r[i + 2]
        s3 += (X[i + 3, j] - center) * r[i + 3]
        s4 += (X[i + 4, j] - center) * r[i + 4]
        s5 += (X[i + 5, j] - center) * r[i + 5]
        s6 += (X[i + 6, j] - center) * r[i + 6]
        s7 += (X[i + 7, j] - center) * r[i + 7]
    for i in range(stop, n):
        s0 += (X[i, j] - center) * r[i]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@jit
def _residual_products(r, y):
    """``(||r||^2, <r, y>)``, summed in order."""
    r2 = 0.0
    ry = 0.0
    for i in range(r.shape[0]):
        r2 += r[i] * r[i]
        ry += r[i] * y[i]
    return r2, ry


register_layout(DenseLayout, _dense_sweep, _dense_ws_gap,
                path_hooks=(_dense_begin, _dense_end, _dense_path_gradient))


@jit
def dense_solve(data, w, ws, l1, l2, positive, targets, seed, box):
    """The active-set cycle on dense X; ``data = (X, centers, y, r, g, norms2, r_ref, ref)``
    of :class:`DenseLayout`.

    Parameters and returns as :func:`fastreg._kernels.cycle.refined_solve`.
    """
    X, centers, y, r, g, norms2, r_ref, ref, history = data
    restart_history(history)
    layout = DenseLayout(X, centers, y, r, g, norms2, r_ref, ref, history, MAX_CYCLE)
    out = refined_solve(layout, w, ws, l1, l2, positive, targets, seed, box,
                        cycle_scratch(ws.shape[0]))
    exact_residual(layout, w, ws)
    return out


@jit
def dense_path(data, bounds, w, grad, steps, controls, masks, carried, out):
    """Whole alphas of a path on dense X in one compiled call.

    :func:`fastreg._kernels.cycle.path_steps` on :class:`DenseLayout`
    (``data`` as :func:`dense_solve`'s), the gradient from
    :func:`dense_gradient` (``bounds`` None: problems small enough that the
    gradient's bounds are not used) or :func:`bounded_gradient` (``bounds``:
    ``GradientBounds``' arrays). ``DenseProblem.solves_steps`` says which
    problems run here.
    """
    X, centers, y, r, g, norms2, r_ref, ref, history = data
    path_steps(DenseLayout(X, centers, y, r, g, norms2, r_ref, ref, history, MAX_CYCLE), bounds, w,
               grad, steps, controls, masks, carried, out)


@jit
def centered_xtr(X, centers, r, features, out):
    """``out[k] = (X[:, j] - centers[j])^T r`` (float64) for ``j = features[k]``.

    The gradient of a :class:`DenseLayout` problem, its columns centered as
    they are read (the products of the centered copy, without the copy).
    """
    for k in range(features.shape[0]):
        j = features[k]
        out[k] = _column_xtr(X, j, centers[j], r)


@force_reduction_jit
def _column_xtr(X, j, center, r):
    """``(X[:, j] - center)^T r`` in float64, the sum vectorized."""
    dot = 0.0
    for i in range(r.shape[0]):
        dot += np.float64(X[i, j] - center) * r[i]
    return dot


@reduction_jit
def rounded_xtr(X32, r, out):
    """``out[j] = X32[:, j]^T r`` for every column, products and sums in float64.

    ``X32``: float32 rounding of a :class:`DenseLayout` problem's centered
    columns, half the memory traffic of X. Against the exact
    ``(X[:, j] - centers[j])^T r`` it errs by at most :func:`rounded_xtr_error`.
    """
    for j in range(X32.shape[1]):
        dot = 0.0
        for i in range(r.shape[0]):
            dot += np.float64(X32[i, j]) * r[i]
        out[j] = dot


@jit
def round_centered(X, centers, out):
    """``out = float32(X - centers)``, column by column (``out`` Fortran-ordered)."""
    for j in range(X.shape[1]):
        center = centers[j]
        for i in range(X.shape[0]):
            out[i, j] = np.float32(X[i, j] - center)


@jit
def rounded_residuals(X, centers, X32, y, w, r, y32):
    """``r = y - X w`` (centered columns, float64) and ``y32 = r + X32 w``.

    ``X32`` is the float32 rounding of the centered columns: sweeps over it
    from ``r`` solve the problem whose data is ``(X32, y32)``, consistently
    (its residual at ``w`` is ``r``), one pass over the nonzero columns.
    """
    centered_residual(X, centers, y, w, r)
    copy_into(y32, r)
    for j in np.flatnonzero(w):
        wj = w[j]
        for i in range(r.shape[0]):
            y32[i] += wj * np.float64(X32[i, j])


@jit
def centered_residual(X, centers, y, w, r):
    """``r = y - sum_j w_j (X[:, j] - centers[j])`` over the nonzero ``w_j``."""
    copy_into(r, y)
    for j in range(w.shape[0]):
        wj = w[j]
        if wj != 0.0:
            center = centers[j]
            for i in range(r.shape[0]):
                r[i] -= wj * (X[i, j] - center)


@force_jit
def _csc_centered(dot, j, b, ur, centers, col_u, uu):
    """``x~_j^T (r + b u)`` of the implicitly centered column j from ``dot = x_j^T r``
    (``ur = u^T r``)."""
    if uu > 0.0:
        return dot + b * col_u[j] - centers[j] * (ur + b * uu)
    return dot


@jit
def _csc_sweep(layout, w, ws, idx, n_idx, l1, l2, positive, box):
    """One sweep over ``idx[:n_idx]``, then the extrapolation's record of it
    (:func:`anderson_residual`, the default problem on a large working set)."""
    dmax, moved, largest = _csc_columns(layout, w, idx, n_idx, l1, l2, positive, box)
    if box is None and not positive and l1 > 0.0 and ws.shape[0] >= EXTRAPOLATION_MIN_FEATURES:
        r, shift, uu = layout.r, layout.shift, layout.uu
        replaced, b = anderson_residual(r, layout.u, uu, shift[0], layout.history, w, ws, l1,
                                        l2)
        if replaced and uu > 0.0:
            shift[0] = b
            shift[1] = _dot(layout.u, r)
    return dmax, moved, largest


@force_jit
def _csc_columns(layout, w, idx, n_idx, l1, l2, positive, box):
    """The coordinate updates of a CSC sweep: ``(dmax, moved, largest)`` as the
    sweep returns them (no call that may raise, so no reference counting in
    the loop)."""
    data, indices, starts, stops = layout.data, layout.indices, layout.starts, layout.stops
    r, norms2, centers, col_u = layout.r, layout.norms2, layout.centers, layout.col_u
    shift, uu = layout.shift, layout.uu
    inv_n = 1.0 / r.shape[0]
    b = shift[0]
    ur = shift[1]
    dmax = 0.0
    moved = 0.0
    largest = 0.0
    for k in range(n_idx):
        j = idx[k]
        h = norms2[j]
        if h == 0.0:
            continue
        wj = w[j]
        # (the helpers take the arrays bound above, not the layout: arrays read
        # from the layout inside the loop cost reference-count operations per
        # column, which took 15% of the sparse path)
        dot = _csc_centered(_csc_dot(data, indices, r, starts[j], stops[j]), j, b, ur, centers,
                            col_u, uu)
        new = box_coordinate(dot * inv_n + h * wj, j, l1, l2, h, positive, box)
        largest = max(largest, abs(new))
        if new != wj:
            delta = new - wj
            for q in range(starts[j], stops[j]):
                r[indices[q]] -= delta * data[q]
            if uu > 0.0:
                b += delta * centers[j]
                ur -= delta * col_u[j]
            w[j] = new
            dmax = max(dmax, (h + l2) * delta * delta)
            moved = max(moved, abs(delta))
    shift[0] = b
    shift[1] = ur
    return dmax, moved, largest


@jit
def _dot(a, b):
    """``a^T b``, summed in order."""
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


@jit
def csc_exact_residual(layout, w, ws):
    """:func:`exact_residual` of a :class:`CscLayout`: ``r = y - X w``, ``shift = (centers^T
    w, u^T r)`` anew after a solve that took an extrapolation."""
    history = layout.history
    if history.shape[0] == 0 or history[history.shape[0] - 2] == 0.0:
        return
    data, indices, starts, stops = layout.data, layout.indices, layout.starts, layout.stops
    r, centers = layout.r, layout.centers
    copy_into(r, layout.y)
    b = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        wj = w[j]
        if wj != 0.0:
            for q in range(starts[j], stops[j]):
                r[indices[q]] -= wj * data[q]
            b += wj * centers[j]
    if layout.uu > 0.0:
        layout.shift[0] = b
        layout.shift[1] = _dot(layout.u, r)
    history[history.shape[0] - 2] = 0.0


@reduction_jit
def _residual_stats(r, y, u, b, uu, u_dot_y):
    """``(||r + b u||^2, <r + b u, y>, u^T r)`` without forming ``r + b u``."""
    r2 = 0.0
    ry = 0.0
    ur = 0.0
    for i in range(r.shape[0]):
        r2 += r[i] * r[i]
        ry += r[i] * y[i]
        ur += u[i] * r[i]
    if uu > 0.0:
        r2 += 2.0 * b * ur + b * b * uu
        ry += b * u_dot_y
    return r2, ry, ur


@jit
def _csc_ws_gap(layout, w, ws, l1, l2, positive, box):
    y, u, r, g = layout.y, layout.u, layout.r, layout.g
    shift, uu, u_dot_y = layout.shift, layout.uu, layout.u_dot_y
    data, indices, starts, stops = layout.data, layout.indices, layout.starts, layout.stops
    centers, col_u = layout.centers, layout.col_u
    inv_n = 1.0 / r.shape[0]
    b = shift[0]
    r2, ry, ur = _residual_stats(r, y, u, b, uu, u_dot_y)
    shift[1] = ur  # refresh the running sum against drift
    for k in range(ws.shape[0]):
        j = ws[k]
        g[j] = _csc_centered(_csc_dot(data, indices, r, starts[j], stops[j]), j, b, ur,
                             centers, col_u, uu) * inv_n
    return duality_gap(g, w, ws, r2 * inv_n, ry * inv_n, l1, l2, positive, float(r.shape[0]),
                       box)[0]


@jit
def _csc_begin(layout, full, ws, grad):
    """As ``CscProblem.solve`` readies a solve: the working set's columns side by
    side in the layout's buffers (``full = (data, indices, indptr)`` of X)."""
    data, indices, indptr = full
    gather_columns(data, indices, indptr, ws, layout.data, layout.indices, layout.starts,
                   layout.stops)
    restart_history(layout.history)


@jit
def _csc_end(layout, w, ws):
    csc_exact_residual(layout, w, ws)


@jit
def _csc_path_gradient(layout, full, w, ws, grad, l1):
    """The full gradient of :class:`CscLayout`: :func:`csc_gradient` (serial: the
    compiled route is taken below the threaded size), then :func:`finish_csc_gradient`."""
    data, indices, indptr = full
    csc_gradient(data, indices, indptr, layout.r, grad)
    return finish_csc_gradient(grad, layout.r, layout.y, layout.u, layout.shift, layout.col_u,
                               layout.centers, layout.uu, layout.u_dot_y)


@jit
def finish_csc_gradient(g, r, y, u, shift, col_u, centers, uu, u_dot_y):
    """From ``g = X^T r`` to the gradient of the implicitly centered columns.

    ``g`` becomes ``X_c^T r_c / n`` in place (``X_c`` the centered columns, ``r_c =
    r + shift[0] u`` the true residual: :class:`CscLayout`); ``shift[1] = u^T r``
    is refreshed against drift. Returns ``(||r_c||^2 / n, <r_c, y> / n)``. The
    one place for this arithmetic: ``CscProblem.gradient`` (after the threaded
    pass) and the compiled path (after the serial one) give the same bits.
    """
    n = r.shape[0]
    r2, ry, ur = residual_products(r, y, u)
    if uu > 0:
        b = shift[0]
        shift[1] = ur
        c = ur + b * uu
        for j in range(g.shape[0]):
            g[j] += b * col_u[j] - centers[j] * c
        r2 += 2 * b * ur + b * b * uu
        ry += b * u_dot_y
    for j in range(g.shape[0]):
        g[j] /= n
    return r2 / n, ry / n


register_layout(CscLayout, _csc_sweep, _csc_ws_gap,
                path_hooks=(_csc_begin, _csc_end, _csc_path_gradient))


@jit
def csc_solve(data, w, ws, l1, l2, positive, targets, seed, box):
    """The active-set cycle on CSC X; ``data``: the fields of :class:`CscLayout` but
    ``max_cycle``, in order. Parameters and returns as
    :func:`fastreg._kernels.cycle.refined_solve`.
    """
    (values, indices, starts, stops, y, u, r, g, norms2, centers, col_u, shift, uu,
     u_dot_y, history) = data
    restart_history(history)
    layout = CscLayout(values, indices, starts, stops, y, u, r, g, norms2, centers, col_u,
                       shift, uu, u_dot_y, history, MAX_CYCLE)
    out = refined_solve(layout, w, ws, l1, l2, positive, targets, seed, box,
                        cycle_scratch(ws.shape[0]))
    csc_exact_residual(layout, w, ws)
    return out


@jit
def csc_path(data, full, w, grad, steps, controls, masks, carried, out):
    """Whole alphas of a path on CSC X in one compiled call.

    :func:`fastreg._kernels.cycle.path_steps` on :class:`CscLayout` (``data``
    as :func:`csc_solve`'s, its first four arrays the buffers of
    :func:`gather_columns`, large enough for every column of X; ``full =
    (data, indices, indptr)`` of X itself, for the gathers and the serial
    gradient). ``CscProblem.solves_steps`` says which problems run here.
    """
    (values, indices, starts, stops, y, u, r, g, norms2, centers, col_u, shift, uu,
     u_dot_y, history) = data
    path_steps(CscLayout(values, indices, starts, stops, y, u, r, g, norms2, centers, col_u,
                         shift, uu, u_dot_y, history, MAX_CYCLE), full, w, grad, steps,
               controls, masks, carried, out)


@inline_jit
def _csc_dot(data, indices, r, start, stop):
    """``sum(data[q] * r[indices[q]])`` over the stored entries ``start:stop`` of a column."""
    dot = 0.0
    for q in range(start, stop):
        dot += data[q] * r[indices[q]]
    return dot


@jit
def csc_gradient(data, indices, indptr, r, out):
    """``out[j] = x_j^T r`` for every column of a CSC matrix, in float64.

    Each column's sum runs over its stored entries in order, as SciPy's
    ``X.T @ r`` does.

    Parameters
    ----------
    data, indices, indptr : CSC arrays of X (unsigned indices and indptr)
    r : ndarray of shape (n_samples,)
    out : ndarray of float64, shape (n_features,)
        Written in place.
    """
    for j in range(out.shape[0]):
        out[j] = _csc_dot(data, indices, r, indptr[j], indptr[j + 1])


@jit
def csc_column_stats(data, indices, indptr, u, col_u, sq):
    """``col_u[j] = x_j^T u`` and ``sq[j] = ||x_j||^2`` (float64) in one pass over X.

    Each column's sums run over its stored entries in order, as SciPy's
    ``X.T @ u`` and ``np.bincount`` do, so the results are theirs bit for bit;
    one call instead of building a transposed SciPy matrix, which dominates
    the set-up of a small problem.

    Parameters
    ----------
    data, indices, indptr : CSC arrays of X (unsigned indices and indptr)
    u : ndarray of float64, shape (n_samples,)
    col_u, sq : ndarray of float64, shape (n_features,)
        Written in place.
    """
    for j in range(col_u.shape[0]):
        dot = 0.0
        total = 0.0
        for q in range(indptr[j], indptr[j + 1]):
            value = np.float64(data[q])
            dot += value * u[indices[q]]
            total += value * value
        col_u[j] = dot
        sq[j] = total


@reduction_jit
def column_sums_max_abs(X, bits, sign_mask, sums):
    """``sums[j] = sum_i X[i, j]`` (float64) and the bits of the largest ``|X[i, j]|``, in one pass.

    What centering and the power-of-two rescaling (:mod:`fastreg._scaling`)
    read from X, in one pass instead of two. The largest magnitude is found
    on the bit patterns, which order like the magnitudes once the sign bit is
    cleared: an integer maximum, which vectorizes (a float maximum that keeps
    NaN does not; this pass measured 3 ms on 20000 x 500 against 8 ms). NaN
    anywhere gives NaN sums and a NaN maximum.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    bits : X viewed as integers of its item size (``X.view(np.int64)``)
    sign_mask : integer of that type with every bit but the sign bit set
    sums : ndarray of float64, shape (n_features,), written

    Returns
    -------
    integer
        The bit pattern of the largest magnitude (view it as X's float type).
    """
    n_samples, n_features = X.shape
    top = sign_mask & 0
    for j in range(n_features):
        total = 0.0
        col_top = sign_mask & 0
        for i in range(n_samples):
            total += np.float64(X[i, j])
            col_top = max(col_top, bits[i, j] & sign_mask)
        sums[j] = total
        top = max(top, col_top)
    return top


# every bit but the sign bit, per item size of X
_SIGN_MASKS = {4: np.int32(0x7FFFFFFF), 8: np.int64(0x7FFFFFFFFFFFFFFF)}


def max_abs_and_sums(X, sums):
    """The largest ``|X[i, j]|`` (float) of a Fortran-ordered float X, and its column
    sums written into ``sums`` (:func:`column_sums_max_abs`)."""
    sign_mask = _SIGN_MASKS[X.dtype.itemsize]
    top = column_sums_max_abs(X, X.view(sign_mask.dtype), sign_mask, sums)
    return float(np.array([top], dtype=sign_mask.dtype).view(X.dtype)[0])


@reduction_jit
def center_columns(X, mean, y, out, sq, xty):
    """``X - mean`` (column j minus ``mean[j]``): its column norms and products with y,
    in one pass, and written into ``out`` unless ``out`` is empty.

    The centered columns residual mode solves on (a copy, or centered as read:
    :class:`DenseLayout`), with their squared norms and their products with
    the centered target (float64, of the values in X's type) read as they are
    formed instead of in more passes.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    mean : ndarray of X's dtype, shape (n_features,)
        The subtraction is NumPy's ``X - mean`` in X's type, bit for bit.
    y : ndarray of shape (n_samples,)
    out : ndarray like X (Fortran order), written; or of shape (0, 0): no copy
    sq, xty : ndarray of float64, shape (n_features,), written
    """
    n_samples, n_features = X.shape
    write = out.shape[0] > 0
    for j in range(n_features):
        center = mean[j]
        total = 0.0
        dot = 0.0
        for i in range(n_samples):
            value = X[i, j] - center
            if write:
                out[i, j] = value
            stored = np.float64(value)
            total += stored * stored
            dot += stored * np.float64(y[i])
        sq[j] = total
        xty[j] = dot


@jit
def csc_matvec(data, indices, indptr, w, out):
    """``out += X w`` for a CSC X, column by column in order (SciPy's ``X @ w``).

    Parameters
    ----------
    data, indices, indptr : CSC arrays of X (unsigned indices and indptr)
    w : ndarray of shape (n_features,)
    out : ndarray of shape (n_samples,), of ``X @ w``'s dtype (zeros for ``X w``)
    """
    for j in range(w.shape[0]):
        wj = w[j]
        for q in range(indptr[j], indptr[j + 1]):
            out[indices[q]] += data[q] * wj


@reduction_jit
def residual_products(r, y, u):
    """``(r^T r, r^T y, u^T r)`` in float64, one pass.

    Not BLAS: a threaded ``ddot`` over a long residual leaves BLAS's threads
    spinning on the cores that the threaded gradient pass needs next.
    """
    rr = 0.0
    ry = 0.0
    ur = 0.0
    for i in range(r.shape[0]):
        ri = np.float64(r[i])
        rr += ri * ri
        ry += ri * np.float64(y[i])
        ur += np.float64(u[i]) * ri
    return rr, ry, ur


@parallel_jit
def csc_gradient_threads(data, indices, indptr, r, out):
    """:func:`csc_gradient` with the columns shared among Numba's threads.

    Every column is summed by one thread in the same order, so ``out`` is
    bit-identical to :func:`csc_gradient`'s for any number of threads.
    """
    for j in numba.prange(out.shape[0]):
        out[j] = _csc_dot(data, indices, r, indptr[j], indptr[j + 1])


@jit
def gather_columns(data, indices, indptr, features, out_data, out_indices, starts, stops):
    """Copy the columns ``features`` of a CSC matrix next to each other.

    A sweep over a working set then streams contiguous memory instead of
    skipping through the whole matrix. Writes ``out_data`` / ``out_indices``
    (large enough for the columns' entries) and, for each feature ``j`` copied,
    ``starts[j]`` / ``stops[j]``; other entries of ``starts`` / ``stops`` are
    left as they were. Returns the number of entries copied.
    """
    pos = 0
    for k in range(features.shape[0]):
        j = features[k]
        starts[j] = pos
        for q in range(indptr[j], indptr[j + 1]):
            out_data[pos] = data[q]
            out_indices[pos] = indices[q]
            pos += 1
        stops[j] = pos
    return pos
