"""Duality gap, KKT re-check and gap-safe screening, shared by all solvers.

Everything is on the scale of the public objective

    P(W) = 1/(2n) ||Y - XW||_F^2 + l1 * sum_j ||W_j||_2 + (l2/2) ||W||_F^2

(single task: one column, ``||W_j||_2 = |w_j|``), where the caller supplies the
gradient ``G = X^T R / n`` at the residual ``R = Y - XW`` and the two residual
statistics ``R2 = ||R||^2 / n`` and ``Ry = <R, Y> / n``. The dual point is the
rescaled residual (formulation A of scikit-learn's ``cd_fast``), so the gap
returned equals scikit-learn's ``dual_gaps`` for the same iterate.
"""

import numpy as np

from ._jit import force_jit, jit


@force_jit
def n_columns(A):
    """Columns of ``A``: 1 for a vector (one task), else ``A.shape[1]``."""
    return 1 if A.ndim == 1 else A.shape[1]


@force_jit
def entry(A, j, t):
    """``A[j, t]``, or ``A[j]`` of a vector (``t`` then 0).

    Kernels take a single task's vectors as they are: a ``reshape`` to a column
    costs a helper call and reference counting at every gap check, as much as
    a sweep of a few features. Numba compiles the two cases apart.
    """
    if A.ndim == 1:
        return A[j]
    return A[j, t]


@force_jit
def first_column(A):
    """``A[:, 0]``, or ``A`` itself if a vector."""
    if A.ndim == 1:
        return A
    return A[:, 0]


@force_jit
def row_norm(A, sq, last):
    """The norm ``sqrt(sq)`` of a row of ``A`` whose squares sum to ``sq``.

    For a vector (one task) the row is its one entry ``last``, and ``|last|``
    is that norm without the square root: ``sqrt`` of a correctly rounded
    square is the magnitude exactly (short of under- or overflow, where
    ``|last|`` is the right one), and the root's latency, several per feature
    at every gap check, costs small problems measurably.
    """
    if A.ndim == 1:
        return abs(last)
    return np.sqrt(sq)


@force_jit
def duality_gap(G, W, features, R2, Ry, l1, l2, positive, n_samples, penalty):
    """Duality gap of an elastic-net iterate and the norm of its dual constraint.

    Only ``features`` are visited: every other row of ``W`` must be zero. Given
    the working set, this is the gap of the working-set subproblem, which equals
    the gap of the full problem whenever no feature outside it violates the KKT
    conditions; given all features, it is the full gap.

    Parameters
    ----------
    G : ndarray of shape (n_features, n_tasks) or (n_features,)
        ``X^T R / n`` (only rows in ``features`` are read).
    W : ndarray of shape (n_features, n_tasks) or (n_features,)
        Coefficients (vectors: one task).
    features : ndarray of int64
        The features to visit.
    R2, Ry : float
        ``||R||^2 / n`` and ``<R, Y> / n``.
    l1, l2 : float
        ``alpha * l1_ratio`` and ``alpha * (1 - l1_ratio)``.
    positive : bool
        Non-negativity constraint (single task): the dual constraint is one-sided.
    n_samples : float
        Only used when ``l1 == l2 == 0``: least squares has no dual, and the gap
        is replaced by scikit-learn's first-order measure ``||X^T R||^2 / n``.
    penalty : None or BoxRecord
        None for the default problem; penalty factors and bounds
        (:class:`fastreg.enet.penalty.BoxRecord`, single task) give
        :func:`box_gap`'s gap instead (``positive`` is then in the record's
        lower bounds). Numba compiles the two cases apart: the default one
        runs none of the box's code.

    Returns
    -------
    gap : float
    dual : float
        ``max_j ||G_j - l2 W_j||`` (``max_j`` of the signed value if positive);
        with a penalty record, the dual scaling ``s`` of :func:`box_gap`.
    """
    if penalty is not None:
        return box_gap(first_column(G), first_column(W), features, R2, Ry, l1, l2, penalty.opts,
                       penalty.unpen, penalty.K, penalty.XyU, n_samples, penalty.scratch)
    n_tasks = n_columns(W)
    w_l1 = 0.0
    w_l2sq = 0.0
    dual_norm = 0.0 if not positive else -np.inf
    grad_sq = 0.0
    for k in range(features.shape[0]):
        j = features[k]
        row_sq = 0.0
        xta_sq = 0.0
        xta = wjt = 0.0
        for t in range(n_tasks):
            wjt = entry(W, j, t)
            gjt = entry(G, j, t)
            row_sq += wjt * wjt
            xta = gjt - l2 * wjt
            xta_sq += xta * xta
            grad_sq += gjt * gjt
        w_l2sq += row_sq
        w_l1 += row_norm(W, row_sq, wjt)
        value = xta if positive else row_norm(W, xta_sq, xta)
        if value > dual_norm:
            dual_norm = value
    if l1 > 0:
        primal = 0.5 * (R2 + l2 * w_l2sq) + l1 * w_l1
        scale = l1 / dual_norm if dual_norm > l1 else 1.0
        dual = -0.5 * scale * scale * (R2 + l2 * w_l2sq) + scale * Ry
        return primal - dual, dual_norm
    if l2 > 0:
        # ridge: formulation B, whose dual needs no feasibility rescaling
        return R2 + 0.5 * l2 * w_l2sq - Ry + grad_sq / (2.0 * l2), dual_norm
    return grad_sq * n_samples, dual_norm


@force_jit
def kkt_and_screen(G, W, norms2, gap, dual_norm, l1, l2, positive, strong_threshold,
                   do_screening, in_set, screened, penalty):
    """Grow the working set with KKT violators and shrink it by gap-safe screening.

    A feature outside the working set violates the optimality conditions of a
    zero coefficient when ``||G_j|| > l1`` (``G_j > l1`` if positive); it joins.
    Gap-safe screening (Ndiaye et al. 2017, as in scikit-learn) certifies
    ``W_j = 0`` at the optimum when
    ``(1 - |theta_j|) / sqrt(norms2_j + l2) > sqrt(2 * gap) / l1`` with
    ``theta_j = (G_j - l2 W_j) / max(l1, dual_norm)``; such a feature currently at
    zero leaves the working set for the rest of this alpha.

    Parameters
    ----------
    G, W : ndarray of shape (n_features, n_tasks) or (n_features,)
    norms2 : ndarray of shape (n_features,)
        ``||x_j||^2 / n`` (of the centered, weighted column).
    gap, dual_norm : float
        From :func:`duality_gap` at the same iterate.
    strong_threshold : float
        Features with ``||G_j|| > strong_threshold`` are added (use ``l1`` for a
        pure KKT check, the sequential strong rule's value at a new alpha).
    do_screening : bool
    in_set, screened : ndarray of bool, shape (n_features,), updated in place.
    penalty : None or BoxRecord
        As in :func:`duality_gap` (then :func:`box_kkt_and_screen`, with
        ``dual_norm`` the scaling ``s`` and the dual point in ``penalty.scratch``).

    Returns
    -------
    n_added : int
        Number of features that joined the working set.
    """
    if penalty is not None:
        return box_kkt_and_screen(first_column(G), penalty.scratch, first_column(W), norms2, gap, dual_norm,
                                  l1, l2, penalty.opts, strong_threshold, do_screening,
                                  in_set, screened)
    n_features, n_tasks = W.shape[0], n_columns(W)
    denom = max(l1, dual_norm)
    # the rule in squares, times denom^2: (denom - |c_j|)^2 > 2 gap (denom / l1)^2
    # (norms2_j + l2) with denom - |c_j| >= 0. No root or division per feature
    # (half the time of a check); an overflow or underflow only screens less.
    ratio = denom / l1 if l1 > 0 else 0.0
    screen_bound = 2.0 * abs(gap) * ratio * ratio
    n_added = 0
    for j in range(n_features):
        if screened[j]:
            continue
        if norms2[j] == 0.0:
            screened[j] = True
            in_set[j] = False
            continue
        g_sq = 0.0
        xta_sq = 0.0
        w_sq = 0.0
        gjt = xta = wjt = 0.0
        for t in range(n_tasks):
            gjt = entry(G, j, t)
            wjt = entry(W, j, t)
            g_sq += gjt * gjt
            xta = gjt - l2 * wjt
            xta_sq += xta * xta
            w_sq += wjt * wjt
        if do_screening and l1 > 0 and row_norm(W, w_sq, wjt) == 0.0:  # (|w|: a square underflows)
            margin = denom - (entry(G, j, 0) if positive else row_norm(W, xta_sq, xta))
            if margin > 0.0 and margin * margin > screen_bound * (norms2[j] + l2):
                screened[j] = True
                in_set[j] = False
                continue
        if not in_set[j]:
            score = entry(G, j, 0) if positive else row_norm(W, g_sq, gjt)
            if score > strong_threshold:
                in_set[j] = True
                n_added += 1
    return n_added


# ---------------------------------------------------------------------------
# Per-feature penalty factors and box constraints (single task).
#
# ``opts`` has shape (3, n_features): rows are the penalty factors ``v``, the
# lower bounds ``lo`` and the upper bounds ``hi`` (``lo <= 0 <= hi``). The
# problem is
#
#     P(w) = 1/(2n) ||y - Xw||^2 + sum_j v_j (l1 |w_j| + (l2/2) w_j^2),
#            lo_j <= w_j <= hi_j,
#
# features with ``v_j = inf`` being excluded (w_j = 0, callers never put them
# in a working set). For l1 > 0 the dual point is formulation A's, on the
# augmented data ``[X; sqrt(n l2 v) I]``: ``theta = s [r'; -sqrt(n l2 v) w] / n``
# with ``c_j = x_j^T r' / n - l2 v_j w_j``; the conjugate of the bounded
# weighted L1 term is
#
#     psi_j(x) = hi_j max(x - v_j l1, 0) + (-lo_j) max(-x - v_j l1, 0),
#
# finite for every x on a bounded side and a constraint (``x <= v_j l1`` or
# ``x >= -v_j l1``) on an unbounded side, which the scaling ``s <= 1`` enforces.
# An unpenalized feature (v_j = 0) with an unbounded side would force s = 0;
# instead the residual is projected: ``r' = r - X_F beta`` is the residual after
# refitting the unpenalized features F by least squares, so ``x_j^T r' = 0`` on
# F exactly and every other constraint is met by the scaling. F holds the
# unpenalized features that are free (both sides unbounded) or strictly inside
# their box, plus any whose constraint the projection would otherwise violate;
# at the optimum the projection moves nothing, so the gap still goes to zero.
# ---------------------------------------------------------------------------

# Relative cut-off of the pseudo-inverse of the unpenalized features' Gram matrix.
_PINV_RCOND = 1e-12


@jit
def _projection(g, w, opts, unpen, K, n_samples, beta):
    """Least-squares refit of the unpenalized features: writes ``beta``; returns F.

    ``beta`` (n_unpen,) satisfies ``X_F^T (r - X_F beta) = 0`` with zeros outside
    F; the returned boolean array marks F among ``unpen``.
    """
    m = unpen.shape[0]
    in_f = np.zeros(m, dtype=np.bool_)
    for i in range(m):
        j = unpen[i]
        lo = opts[1, j]
        hi = opts[2, j]
        in_f[i] = (lo == -np.inf and hi == np.inf) or (lo < w[j] < hi)
    for _ in range(m + 1):
        beta[:] = 0.0
        idx = np.flatnonzero(in_f)
        k = idx.shape[0]
        if k > 0:
            M = np.empty((k, k))
            rhs = np.empty(k)
            for a in range(k):
                rhs[a] = g[unpen[idx[a]]] * n_samples
                for b in range(k):
                    M[a, b] = K[unpen[idx[a]], idx[b]]
            sol = np.linalg.pinv(M, _PINV_RCOND) @ rhs
            for a in range(k):
                beta[idx[a]] = sol[a]
        added = False
        for i in range(m):
            if in_f[i]:
                continue
            j = unpen[i]
            cj = g[j] - np.dot(K[j], beta) / n_samples
            if (cj > 0 and opts[2, j] == np.inf) or (cj < 0 and opts[1, j] == -np.inf):
                in_f[i] = True
                added = True
        if not added:
            break
    return in_f


@jit
def _box_conjugate_ridge(x, v, l2, lo, hi):
    """``sup over lo <= t <= hi`` of ``x t - v l2 t^2 / 2`` (finite by construction)."""
    if v * l2 > 0:
        t = min(max(x / (v * l2), lo), hi)
        return x * t - 0.5 * v * l2 * t * t
    if x > 0:
        return hi * x if hi != np.inf else 0.0
    if x < 0:
        return lo * x if lo != -np.inf else 0.0
    return 0.0


@jit
def box_gap(g, w, features, R2, Ry, l1, l2, opts, unpen, K, XyU, n_samples, c):
    """Duality gap with penalty factors and box constraints (single task).

    Parameters
    ----------
    g : ndarray of float64, shape (n_features,)
        ``X^T r / n`` (rows in ``features`` are read; every unpenalized feature
        of ``unpen`` must be among them).
    w : ndarray of shape (n_features,)
        Coefficients, zero outside ``features``.
    features : ndarray of int64
    R2, Ry : float
        ``||r||^2 / n`` and ``<r, y> / n``.
    l1, l2 : float
    opts : ndarray of float64, shape (3, n_features)
        Penalty factors, lower and upper bounds.
    unpen : ndarray of int64, shape (n_unpen,)
        Unpenalized features with an unbounded side.
    K : ndarray of float64, shape (n_features, n_unpen)
        ``X^T X[:, unpen]``.
    XyU : ndarray of float64, shape (n_unpen,)
        ``X[:, unpen]^T y``.
    n_samples : int
    c : ndarray of float64, shape (n_features,)
        Receives the gradient at the projected residual, ``x_j^T r' / n``, on
        ``features`` (the dual point, up to ``s``, for screening).

    Returns
    -------
    gap : float
    s : float
        Scaling of the dual point (1 when l1 == 0).
    """
    m = unpen.shape[0]
    beta = np.zeros(m)
    R2p = R2
    Ryp = Ry
    if m > 0 and (l1 > 0 or l2 > 0):
        in_f = _projection(g, w, opts, unpen, K, n_samples, beta)
        gb = 0.0
        for i in range(m):
            gb += beta[i] * g[unpen[i]]
        bMb = 0.0
        for i in range(m):
            bMb += beta[i] * np.dot(K[unpen[i]], beta)
        R2p = R2 - 2.0 * gb + bMb / n_samples
        Ryp = Ry - np.dot(beta, XyU) / n_samples
        for k in range(features.shape[0]):
            j = features[k]
            c[j] = g[j] - np.dot(K[j], beta) / n_samples
        for i in range(m):
            if in_f[i]:
                c[unpen[i]] = 0.0
    else:
        for k in range(features.shape[0]):
            j = features[k]
            c[j] = g[j]
    if l1 == 0.0 and l2 == 0.0:
        # least squares: first-order measure, as the default problem's
        grad_sq = 0.0
        for k in range(features.shape[0]):
            j = features[k]
            if opts[0, j] == np.inf:
                continue
            gj = g[j]
            if (w[j] <= opts[1, j] and gj < 0) or (w[j] >= opts[2, j] and gj > 0):
                continue
            grad_sq += gj * gj
        return grad_sq * n_samples, 1.0
    pen = 0.0
    wv2 = 0.0
    ratio = 0.0
    for k in range(features.shape[0]):
        j = features[k]
        v = opts[0, j]
        if v == np.inf:
            continue
        wj = w[j]
        wv2 += v * wj * wj
        pen += v * abs(wj)
        if l1 > 0 and v > 0:
            cj = c[j] - l2 * v * wj
            if cj > 0 and opts[2, j] == np.inf:
                ratio = max(ratio, cj / (v * l1))
            elif cj < 0 and opts[1, j] == -np.inf:
                ratio = max(ratio, -cj / (v * l1))
    if l1 == 0.0:
        conj = 0.0
        for k in range(features.shape[0]):
            j = features[k]
            v = opts[0, j]
            if v == np.inf:
                continue
            conj += _box_conjugate_ridge(c[j], v, l2, opts[1, j], opts[2, j])
        return 0.5 * (R2 + l2 * wv2) - Ryp + 0.5 * R2p + conj, 1.0
    s = 1.0 / ratio if ratio > 1.0 else 1.0
    psi = 0.0
    for k in range(features.shape[0]):
        j = features[k]
        v = opts[0, j]
        if v == np.inf:
            continue
        x = s * (c[j] - l2 * v * w[j])
        lo = opts[1, j]
        hi = opts[2, j]
        if hi != np.inf and x > v * l1:
            psi += hi * (x - v * l1)
        if lo != -np.inf and -x > v * l1:
            psi += -lo * (-x - v * l1)
    primal = 0.5 * (R2 + l2 * wv2) + l1 * pen
    dual = s * Ryp - 0.5 * s * s * (R2p + l2 * wv2) - psi
    return primal - dual, s


@jit
def box_kkt_and_screen(g, c, w, norms2, gap, s, l1, l2, opts, strong_threshold,
                       do_screening, in_set, screened):
    """:func:`kkt_and_screen` with penalty factors and box constraints (single task).

    A zero coefficient is optimal when ``a_j <= v_j l1``, with the one-sided
    score ``a_j = max(g_j if hi_j > 0, -g_j if lo_j < 0)``; the strong rule and
    the KKT check compare ``a_j`` with ``v_j * strong_threshold``. Unpenalized
    features always belong to the working set; features already marked
    ``screened`` (excluded ones) are skipped. Gap-safe screening certifies
    ``w_j = 0`` when ``v_j l1 - s a'_j > sqrt(2 gap (norms2_j + l2 v_j))``, with
    ``a'_j`` the score of ``c`` (the dual point of :func:`box_gap`).

    Returns
    -------
    n_added : int
    """
    n_features = w.shape[0]
    root_gap = np.sqrt(2.0 * abs(gap))
    n_added = 0
    for j in range(n_features):
        if screened[j]:
            continue
        v = opts[0, j]
        lo = opts[1, j]
        hi = opts[2, j]
        if v == 0.0:
            if not in_set[j]:
                in_set[j] = True
                n_added += 1
            continue
        if w[j] == 0.0:
            if do_screening and l1 > 0:
                a = -np.inf
                if hi > 0:
                    a = c[j]
                if lo < 0:
                    a = max(a, -c[j])
                if v * l1 - s * a > root_gap * np.sqrt(norms2[j] + l2 * v):
                    screened[j] = True
                    in_set[j] = False
                    continue
            if not in_set[j]:
                a = -np.inf
                if hi > 0:
                    a = g[j]
                if lo < 0:
                    a = max(a, -g[j])
                if a > v * strong_threshold:
                    in_set[j] = True
                    n_added += 1
    return n_added

