"""fastreg's Numba kernels, called directly, against independent references.

The proximal steps are checked against a brute-force one-dimensional
minimization (and the group step against its optimality conditions); the gap
kernels against ``tests/reference.py`` and, for penalty factors and bounds,
against a dual value written here from the definitions (a Fenchel dual on the
augmented data) and against weak duality with the exact minimizer of
``reference.box_exact``; each solve kernel solves a small working-set problem
to a duality gap below ``1e-12 ||y||^2 / n``, certified and compared with the
reference objective and KKT conditions, with its maintained residual or
gradient checked against one recomputed from scratch.

The kernels' signatures are known only to the thin wrappers of the next
section, so a change of signature needs one edit there.
"""

import numpy as np
import pytest
from scipy import sparse

import reference as ref
from helpers import make_data
from fastreg._kernels import cd_gram, cd_multitask, cd_naive, gap, prox
from fastreg._kernels.cycle import active_set_solve
from fastreg.enet.designs import unsigned_csc
from fastreg.enet.penalty import BoxRecord

GAP_TARGET = 1e-12  # relative to ||y||^2 / n
MAX_EPOCHS = 100_000


# ------------------------------------------------------------------ wrappers
def penalty_record(X, y, factors, lower, upper):
    """The kernels' record of penalty factors and bounds, for the problem (X, y).

    ``X`` is the dense matrix of the problem (centered if the solve centers).
    """
    opts = np.ascontiguousarray(np.vstack([factors, lower, upper]), dtype=np.float64)
    open_side = np.isinf(lower) | np.isinf(upper)
    unpen = np.flatnonzero((np.asarray(factors) == 0) & open_side).astype(np.int64)
    K = np.ascontiguousarray(X.T @ X[:, unpen])
    XyU = np.ascontiguousarray(X[:, unpen].T @ y)
    return BoxRecord(opts, unpen, K, XyU, np.zeros(X.shape[1]))


def box_update(z, j, l1, l2, h, positive, box):
    return prox.box_coordinate(z, j, l1, l2, h, positive, box)


def group_update(z, l1, curvature):
    out = np.full_like(z, np.nan)
    prox.group_coordinate(z, l1, curvature, out)
    return out


def plain_gap(X, Y, W, features, l1, l2, positive):
    """``gap.duality_gap`` at W of shape (n_features, n_tasks), default penalty.

    Returns (gap, dual_norm).
    """
    n = X.shape[0]
    R = Y - X @ W
    G = X.T @ R / n
    return gap.duality_gap(G, W, features, np.sum(R * R) / n, np.sum(R * Y) / n, l1, l2,
                           positive, float(n), None)


def penalty_gap(X, y, w, l1, l2, record):
    """``gap.duality_gap`` with a penalty record, over every feature: (gap, s)."""
    n = X.shape[0]
    r = y - X @ w
    return gap.duality_gap((X.T @ r / n)[:, None], w[:, None],
                           np.arange(X.shape[1], dtype=np.int64), r @ r / n, r @ y / n, l1, l2,
                           False, float(n), record)


def solve_dense(X, y, ws, l1, l2, positive, gap_tol, seed, box):
    """The active-set solve on ``cd_naive.DenseLayout`` from w = 0: (w, residual, g, gap)."""
    X = np.asfortranarray(X)
    w, r, g = np.zeros(X.shape[1]), y.copy(), np.zeros(X.shape[1])
    norms2 = np.sum(X * X, axis=0) / X.shape[0]
    r_ref, ref = np.empty_like(r), np.array([0.0, cd_naive.SKIP_SLACK[X.dtype], 0.0])
    centers = np.zeros(X.shape[1])
    layout = cd_naive.DenseLayout(X, centers, y, r, g, norms2, r_ref, ref,
                                  np.zeros(cd_naive.history_size(*X.shape)), cd_naive.MAX_CYCLE)
    _, last_gap, _ = active_set_solve(layout, w, ws.copy(), l1, l2, positive, gap_tol,
                                      MAX_EPOCHS, seed, box)
    return w, r, g, last_gap


def solve_csc(X, y, ws, l1, l2, positive, gap_tol, seed, box, center):
    """The active-set solve on ``cd_naive.CscLayout``, X centered (or not) implicitly.

    Returns (w, true residual, g, gap); the problem's matrix is
    ``X - mean(X)`` when ``center``.
    """
    Xs = sparse.csc_matrix(X)
    n, p = Xs.shape
    indices, indptr = unsigned_csc(Xs)
    u = np.ones(n)
    centers = np.asarray(Xs.mean(axis=0)).ravel() if center else np.zeros(p)
    col_u = np.asarray(Xs.sum(axis=0)).ravel()
    uu = float(n) if center else 0.0
    dense = Xs.toarray() - centers
    norms2 = np.sum(dense * dense, axis=0) / n
    w, r, g = np.zeros(p), y.copy(), np.zeros(p)
    shift = np.array([0.0, u @ r])
    layout = cd_naive.CscLayout(Xs.data, indices, indptr[:-1], indptr[1:],
                                y, u, r, g, norms2, centers, col_u, shift, uu, u @ y,
                                np.zeros(cd_naive.history_size(n, p)), cd_naive.MAX_CYCLE)
    _, last_gap, _ = active_set_solve(layout, w, ws.copy(), l1, l2, positive, gap_tol,
                                      MAX_EPOCHS, seed, box)
    return w, r + shift[0] * u, g, last_gap


def solve_gram(X, y, ws, l1, l2, positive, gap_tol, seed, box, lazy, sweep_dtype=None):
    """The active-set solve on ``cd_gram.GramLayout`` from w = 0: (w, g, gap).

    ``lazy``: the cache holds the working set's Gram columns only, as the driver
    fills it when features enter. ``sweep_dtype``: the sweeps read the cache
    rounded to this dtype (float64 when None).
    """
    n, p = X.shape
    slot = np.full(p, -1, dtype=np.int64)
    if lazy:
        cache = np.asfortranarray(X.T @ X[:, ws])
        slot[ws] = np.arange(ws.shape[0])
    else:
        cache = np.asfortranarray(X.T @ X)
        slot[:] = np.arange(p)
    Xy = X.T @ y
    w, g = np.zeros(p), Xy / n
    norms2 = np.sum(X * X, axis=0) / n
    sweep_cache = cache if sweep_dtype is None else cache.astype(sweep_dtype, order="F")
    history = np.zeros(cd_gram.history_size(p))
    layout = cd_gram.GramLayout(sweep_cache, slot, Xy, y @ y, g, norms2, float(n), history,
                                cd_gram.newton_scratch(), 0)
    _, last_gap, _ = active_set_solve(layout, w, ws.copy(), l1, l2, positive, gap_tol,
                                      MAX_EPOCHS, seed, box)
    return w, g, last_gap


def solve_dense_block(X, Y, ws, l1, l2, gap_tol, seed):
    """The active-set solve on ``cd_multitask.DenseBlockLayout`` from W = 0.

    Returns (W, maintained residual, G, gap).
    """
    X, Y = np.asfortranarray(X), np.asfortranarray(Y)
    R = Y.copy(order="F")
    W, G = np.zeros((X.shape[1], Y.shape[1])), np.zeros((X.shape[1], Y.shape[1]))
    norms2 = np.sum(X * X, axis=0) / X.shape[0]
    scratch = np.zeros(Y.shape[1]), np.zeros(Y.shape[1])
    layout = cd_multitask.DenseBlockLayout(X, Y, R, G, norms2, *scratch, 1)
    _, last_gap, _ = active_set_solve(layout, W, ws.copy(), l1, l2, False, gap_tol,
                                      MAX_EPOCHS, seed, None)
    return W, R, G, last_gap


def solve_csc_block(X, Y, ws, l1, l2, gap_tol, seed):
    """The active-set solve on ``cd_multitask.CscBlockLayout``, X centered implicitly.

    Returns (W, true residual, G, gap); the problem's matrix is ``X - mean(X)``.
    """
    Xs = sparse.csc_matrix(X)
    n, p = Xs.shape
    indices, indptr = unsigned_csc(Xs)
    u = np.ones(n)
    centers = np.asarray(Xs.mean(axis=0)).ravel()
    col_u = np.asarray(Xs.sum(axis=0)).ravel()
    dense = Xs.toarray() - centers
    norms2 = np.sum(dense * dense, axis=0) / n
    Y = np.ascontiguousarray(Y)
    R = Y.copy()
    W, G = np.zeros((p, Y.shape[1])), np.zeros((p, Y.shape[1]))
    shift, ur = np.zeros(Y.shape[1]), u @ R
    scratch = np.zeros(Y.shape[1]), np.zeros(Y.shape[1])
    layout = cd_multitask.CscBlockLayout(Xs.data, indices, indptr[:-1],
                                         indptr[1:], Y, u, R, G, norms2, centers, col_u, shift,
                                         ur, float(n), u @ Y, *scratch, 1)
    _, last_gap, _ = active_set_solve(layout, W, ws.copy(), l1, l2, False, gap_tol,
                                      MAX_EPOCHS, seed, None)
    return W, R + np.outer(u, shift), G, last_gap


def column_gradient(Xs, r):
    """``cd_naive.csc_gradient``: X^T r for CSC X."""
    out = np.full(Xs.shape[1], np.nan)
    cd_naive.csc_gradient(Xs.data, *unsigned_csc(Xs), r, out)
    return out


# --------------------------------------------------------- references here
def minimize_1d(f, lo, hi, iterations=300):
    """Brute force: golden-section search of a convex f on [lo, hi], then the best
    of the bracket's ends and the endpoints (a kink or a bound can be the minimum)."""
    a, b = lo, hi
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(iterations):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if f(c) <= f(d):
            b = d
        else:
            a = c
    candidates = [lo, hi, 0.5 * (a + b)] + ([0.0] if lo <= 0.0 <= hi else [])
    return min(candidates, key=f)


def box_dual_gap(X, y, w, alpha, l1_ratio, factors, lower, upper):
    """P(w) - D(theta) for penalty factors and bounds, written from the definitions.

    l1 > 0: the problem is a weighted-L1 lasso on the augmented data
    ``X~ = [X; diag(sqrt(n l2 v))]``, ``y~ = [y; 0]`` whose Fenchel dual is
    ``D(theta) = theta^T y~ - (n/2) ||theta||^2 - sum_j h_j*(x~_j^T theta)`` with
    ``h_j(t) = v_j l1 |t|`` on ``[lo_j, hi_j]``; theta is the augmented residual
    over n, shrunk by the largest ``s <= 1`` for which every ``h_j*`` is finite.
    l1 = 0: the Fenchel dual with the ridge term inside ``g_j``, at ``r / n``.
    Excluded features (v = inf) are dropped. Valid when no unpenalized feature
    has an unbounded side (those are projected out by the kernel instead).
    """
    n = X.shape[0]
    l1, l2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    keep = np.isfinite(factors)
    Xk, wk, v, lo, hi = X[:, keep], w[keep], factors[keep], lower[keep], upper[keep]
    assert not np.any((v == 0) & (np.isinf(lo) | np.isinf(hi)))
    primal = ref.box_objective(X, y, w, alpha, l1_ratio, factors, lower, upper)

    def sup_over_box(objective, j, peak=None):
        """sup of a concave function of t on [lo_j, hi_j], attained at a kink, an end
        or its unconstrained maximizer ``peak`` (the side where it is unbounded has
        been made non-increasing by the choice of theta)."""
        points = [t for t in (lo[j], 0.0, hi[j]) if np.isfinite(t)]
        if peak is not None:
            points.append(min(max(peak, lo[j]), hi[j]))
        return max(objective(t) for t in points)

    if l1 == 0:
        u = (y - Xk @ wk) / n
        corr = Xk.T @ u
        conj = sum(sup_over_box(lambda t, j=j: corr[j] * t - 0.5 * v[j] * l2 * t * t, j,
                                corr[j] / (v[j] * l2) if v[j] * l2 > 0 else None)
                   for j in range(wk.size))
        return primal - (u @ y - 0.5 * n * u @ u - conj)
    Xa = np.vstack([Xk, np.diag(np.sqrt(n * l2 * v))])
    ya = np.concatenate([y, np.zeros(wk.size)])
    theta = (ya - Xa @ wk) / n
    corr = Xa.T @ theta
    s = 1.0
    for j in range(wk.size):
        if corr[j] > v[j] * l1 and np.isinf(hi[j]):
            s = min(s, v[j] * l1 / corr[j])
        if -corr[j] > v[j] * l1 and np.isinf(lo[j]):
            s = min(s, -v[j] * l1 / corr[j])
    conj = sum(sup_over_box(lambda t, j=j: s * corr[j] * t - v[j] * l1 * abs(t), j)
               for j in range(wk.size))
    return primal - (s * theta @ ya - 0.5 * n * s * s * theta @ theta - conj)


def in_box(rng, p, lower, upper, factors):
    """A point of the box, excluded features at zero, some coordinates at 0 or a bound."""
    w = np.clip(rng.standard_normal(p), lower, upper)
    w[rng.random(p) < 0.2] = 0.0
    at_bound = rng.random(p) < 0.2
    w[at_bound & np.isfinite(upper)] = upper[at_bound & np.isfinite(upper)]
    w[np.isinf(factors)] = 0.0
    return w


def data(n, p, seed, n_tasks=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p)
    shape = (p,) if n_tasks is None else (p, n_tasks)
    truth = np.where(rng.random(shape) < 0.4, rng.standard_normal(shape), 0.0)
    y = X @ truth + 0.5 * rng.standard_normal((n,) if n_tasks is None else (n, n_tasks))
    return X, y


def alpha_max(X, y):
    G = X.T @ y / X.shape[0]
    return float(np.max(np.sqrt(np.sum(G.reshape(X.shape[1], -1) ** 2, axis=1))))


# ------------------------------------------------------------------ prox
def test_soft_threshold():
    for lam in (0.0, 0.5, 2.0):
        for a in np.concatenate([np.linspace(-3, 3, 61), [lam, -lam, 1e-300, -1e-300]]):
            assert prox.soft_threshold(a, lam) == np.sign(a) * max(abs(a) - lam, 0.0), (a, lam)


def test_enet_coordinate_is_the_1d_minimizer():
    rng = np.random.default_rng(0)
    for _ in range(200):
        z, l1, curvature = 3 * rng.standard_normal(), rng.uniform(0, 2), rng.uniform(0.1, 3)
        positive = bool(rng.random() < 0.3)

        def f(t):
            return 0.5 * curvature * t * t - z * t + l1 * abs(t)

        bound = 2 * (abs(z) + l1) / curvature + 1
        brute = minimize_1d(f, 0.0 if positive else -bound, bound)
        t = prox.enet_coordinate(z, l1, curvature, positive)
        assert t >= 0 or not positive
        assert f(t) <= f(brute) + 1e-14 * (1 + abs(z * brute))
        assert abs(t - brute) <= 1e-7 * (1 + abs(brute)), (z, l1, curvature, positive)


def test_box_coordinate_is_the_1d_minimizer_over_the_box():
    rng = np.random.default_rng(1)
    p = 5
    lower = np.array([-np.inf, 0.0, -0.3, -np.inf, -1.0])
    upper = np.array([np.inf, np.inf, 0.4, 0.2, 0.0])
    for factors in (np.ones(p), np.array([0.0, 2.0, 0.5, 0.0, 1.5])):
        record = BoxRecord(np.vstack([factors, lower, upper]), np.empty(0, np.int64),
                           np.empty((p, 0)), np.empty(0), np.zeros(p))
        for _ in range(60):
            z, l1, l2, h = (3 * rng.standard_normal(), rng.uniform(0, 2), rng.uniform(0, 1),
                            rng.uniform(0.1, 3))
            for j in range(p):
                v, lo, hi = factors[j], lower[j], upper[j]

                def f(t):
                    return 0.5 * (h + v * l2) * t * t - z * t + v * l1 * abs(t)

                bound = 2 * (abs(z) + v * l1) / h + 1
                brute = minimize_1d(f, max(lo, -bound), min(hi, bound))
                t = box_update(z, j, l1, l2, h, False, record)
                assert lo <= t <= hi
                assert f(t) <= f(brute) + 1e-14 * (1 + abs(z * brute))
                assert abs(t - brute) <= 1e-7 * (1 + abs(brute)), (z, j, l1, l2, h)
            # without a record: the plain update with curvature h + l2
            for positive in (False, True):
                assert box_update(z, 0, l1, l2, h, positive, None) == prox.enet_coordinate(
                    z, l1, h + l2, positive)


def test_group_coordinate_meets_its_optimality_conditions():
    rng = np.random.default_rng(2)
    for _ in range(100):
        z = 2 * rng.standard_normal(3)
        l1, curvature = rng.uniform(0, 3), rng.uniform(0.1, 3)
        t = group_update(z, l1, curvature)

        def f(x):
            return 0.5 * curvature * x @ x - z @ x + l1 * np.linalg.norm(x)

        norm = np.linalg.norm(t)
        if norm == 0:
            assert np.linalg.norm(z) <= l1  # 0 is in the subdifferential
        else:
            np.testing.assert_allclose(curvature * t - z + l1 * t / norm, 0.0, atol=1e-13)
        for step in rng.standard_normal((20, 3)) * 1e-3:
            assert f(t) <= f(t + step) + 1e-15


# ------------------------------------------------------------------ gaps
def gap_problem(seed, l1_ratio):
    """A 30 x 8 problem for the gap tests: ``(X, y, rng, alpha, (l1, l2), features)``."""
    X, y = data(30, 8, seed)
    alpha = 0.3 * alpha_max(X, y)
    return (X, y, np.random.default_rng(seed + 1), alpha,
            (alpha * l1_ratio, alpha * (1 - l1_ratio)), np.arange(8, dtype=np.int64))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("positive", [False, True])
def test_duality_gap_single_task(l1_ratio, positive):
    X, y, rng, alpha, (l1, l2), features = gap_problem(3, l1_ratio)
    # random points, and (l1 > 0) points near the optimum, where the residual is barely
    # dual infeasible and the scaling of the dual point matters most
    near = []
    if l1_ratio > 0:
        w_star, _ = ref.cd_enet(X, y, alpha, l1_ratio, positive=positive)
        near = [w_star * (1 + 1e-3 * rng.standard_normal(8)) for _ in range(3)]
    far = [rng.standard_normal(8) * (rng.random(8) < 0.6) for _ in range(5)]
    for w in near + far:
        w = np.abs(w) if positive else w
        got, dual_norm = plain_gap(X, y[:, None], w[:, None], features, l1, l2, positive)
        want = ref.duality_gap(X, y, w, alpha, l1_ratio, positive)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-14 * ref.gap_scale(y))
        A = X.T @ (y - X @ w) / 30 - l2 * w
        assert dual_norm == pytest.approx(np.max(A) if positive else np.max(np.abs(A)),
                                          rel=1e-12)


def test_duality_gap_least_squares_and_working_set():
    X, y = data(30, 8, 5)
    w = np.where(np.arange(8) % 3 == 0, 0.0, np.linspace(-1, 1, 8))
    everything = np.arange(8, dtype=np.int64)
    got, _ = plain_gap(X, y[:, None], w[:, None], everything, 0.0, 0.0, False)
    assert got == pytest.approx(ref.duality_gap(X, y, w, 0.0, 1.0), rel=1e-12)
    # a subset holding every nonzero: the gap of the subproblem on those columns
    subset = np.flatnonzero(w).astype(np.int64)
    for l1_ratio in (1.0, 0.5):
        alpha = 0.2 * alpha_max(X, y)
        got, _ = plain_gap(X, y[:, None], w[:, None], subset, alpha * l1_ratio,
                           alpha * (1 - l1_ratio), False)
        want = ref.duality_gap(X[:, subset], y, w[subset], alpha, l1_ratio)
        assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_duality_gap_multi_task(l1_ratio):
    X, Y = data(30, 8, 6, n_tasks=3)
    rng = np.random.default_rng(7)
    alpha = 0.3 * alpha_max(X, Y)
    for _ in range(5):
        W = rng.standard_normal((8, 3)) * (rng.random((8, 1)) < 0.6)
        got, _ = plain_gap(X, Y, W, np.arange(8, dtype=np.int64), alpha * l1_ratio,
                           alpha * (1 - l1_ratio), False)
        want = ref.mt_duality_gap(X, Y, W.T, alpha, l1_ratio)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-14 * ref.gap_scale(Y))


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_gap_and_screening_take_a_vector_as_its_column(l1_ratio, positive):
    """The single-task kernels pass vectors: the same bits as their ``(p, 1)`` columns."""
    X, y, rng, _, (l1, l2), features = gap_problem(11, l1_ratio)
    norms2 = np.sum(X * X, axis=0) / 30
    for _ in range(4):
        w = rng.standard_normal(8) * (rng.random(8) < 0.5)
        w = np.abs(w) if positive else w
        r = y - X @ w
        g = X.T @ r / 30
        stats = (r @ r / 30, r @ y / 30)
        as_vector = gap.duality_gap(g, w, features, *stats, l1, l2, positive, 30.0, None)
        as_column = gap.duality_gap(g[:, None], w[:, None], features, *stats, l1, l2,
                                    positive, 30.0, None)
        assert as_vector == as_column
        screened = []
        for G, W in ((g, w), (g[:, None], w[:, None])):
            in_set, out = w != 0.0, np.zeros(8, dtype=np.bool_)
            added = gap.kkt_and_screen(G, W, norms2, *as_vector, l1, l2, positive,
                                       0.5 * l1, True, in_set, out, None)
            screened.append((added, in_set.tolist(), out.tolist()))
        assert screened[0] == screened[1]
    # with a penalty record (the box kernels read the first column)
    record = penalty_record(X, y, np.ones(8), np.full(8, -np.inf), np.full(8, np.inf))
    r = y - X @ w
    args = (features, r @ r / 30, r @ y / 30, l1, l2, False, 30.0, record)
    g = X.T @ r / 30
    assert (gap.duality_gap(g, w, *args)
            == gap.duality_gap(g[:, None], w[:, None], *args))


BOXES = {  # name: (factors, lower, upper) for 6 features; no unpenalized open side
    "plain": ([1, 1, 1, 1, 1, 1], [-np.inf] * 6, [np.inf] * 6),
    "positive": ([1, 1, 1, 1, 1, 1], [0.0] * 6, [np.inf] * 6),
    "factors": ([0.5, 2.0, 1.0, np.inf, 3.0, 1.0], [-np.inf] * 6, [np.inf] * 6),
    "bounds": ([1, 1, 1, 1, 1, 1], [-0.2, 0.0, -np.inf, -1.0, -0.5, 0.0],
               [0.3, np.inf, 0.1, 0.0, np.inf, 0.0]),
    "mixed": ([0.0, 2.0, 0.5, np.inf, 0.0, 1.0], [-0.5, 0.0, -np.inf, -1.0, -1.0, -0.4],
              [0.5, np.inf, 0.2, 0.0, 0.0, np.inf]),
}


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("box", sorted(BOXES))
def test_box_gap_equals_the_dual_written_from_definitions(box, l1_ratio):
    factors, lower, upper = (np.asarray(a, dtype=np.float64) for a in BOXES[box])
    X, y = data(25, 6, 8)
    rng = np.random.default_rng(9)
    alpha = 0.3 * alpha_max(X, y)
    record = penalty_record(X, y, factors, lower, upper)
    assert record.unpen.size == 0
    for _ in range(6):
        w = in_box(rng, 6, lower, upper, factors)
        got, _ = penalty_gap(X, y, w, alpha * l1_ratio, alpha * (1 - l1_ratio), record)
        want = box_dual_gap(X, y, w, alpha, l1_ratio, factors, lower, upper)
        assert got == pytest.approx(want, rel=1e-11, abs=1e-13 * ref.gap_scale(y))
        if box in ("plain", "positive") and l1_ratio > 0:  # the plain problem's gap
            plain = ref.duality_gap(X, y, w, alpha, l1_ratio, positive=box == "positive")
            assert got == pytest.approx(plain, rel=1e-11, abs=1e-13 * ref.gap_scale(y))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_box_gap_with_unpenalized_features_bounds_suboptimality(l1_ratio):
    """Unpenalized features with an open side: the gap bounds P(w) - P* and is 0 at w*."""
    factors = np.array([0.0, 1.0, 0.0, 2.0, 0.5])
    lower = np.array([-np.inf, -np.inf, 0.0, -0.3, 0.0])
    upper = np.array([np.inf, np.inf, np.inf, 0.3, np.inf])
    X, y = data(30, 5, 10)
    rng = np.random.default_rng(11)
    alpha = 0.2 * alpha_max(X, y)
    record = penalty_record(X, y, factors, lower, upper)
    assert record.unpen.size == 2
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    w_star, p_star = ref.box_exact(X, y, alpha, l1_ratio, factors, lower, upper)
    scale = ref.gap_scale(y)
    at_optimum, _ = penalty_gap(X, y, w_star, l1, l2, record)
    assert abs(at_optimum) <= 1e-12 * scale
    for _ in range(10):
        w = in_box(rng, 5, lower, upper, factors)
        got, _ = penalty_gap(X, y, w, l1, l2, record)
        suboptimality = ref.box_objective(X, y, w, alpha, l1_ratio, factors, lower,
                                          upper) - p_star
        assert got >= suboptimality - 1e-13 * scale, (got, suboptimality)


# ------------------------------------------------------------------ solves
def certify_subproblem(X, y, w, ws, last_gap, alpha, l1_ratio, positive=False):
    """The working-set problem (columns ``ws``) solved to a gap below the target."""
    scale = ref.gap_scale(y)
    outside = np.setdiff1d(np.arange(X.shape[1]), ws)
    assert np.all(w[outside] == 0)
    Xw = X[:, np.sort(ws)]
    if np.ndim(y) == 2:
        Ww = w[np.sort(ws)].T
        recomputed = ref.mt_duality_gap(Xw, y, Ww, alpha, l1_ratio)
        kkt = ref.mt_kkt_violation(Xw, y, Ww, alpha, l1_ratio)
        w_ref, gap_ref = ref.cd_multitask(Xw, y, alpha, l1_ratio)
        objectives = [ref.mt_enet_objective(Xw, y, W_, alpha, l1_ratio) for W_ in (Ww, w_ref)]
    else:
        ww = w[np.sort(ws)]
        recomputed = ref.duality_gap(Xw, y, ww, alpha, l1_ratio, positive)
        kkt = ref.kkt_violation(Xw, y, ww, alpha, l1_ratio, positive)
        w_ref, gap_ref = ref.cd_enet(Xw, y, alpha, l1_ratio, positive=positive)
        objectives = [ref.enet_objective(Xw, y, w_, alpha, l1_ratio) for w_ in (ww, w_ref)]
    slack = 1e-14 * scale
    assert last_gap <= GAP_TARGET * scale
    assert recomputed <= GAP_TARGET * scale + slack
    assert abs(last_gap - recomputed) <= slack + 1e-6 * recomputed
    h_max = float(np.max(np.sum(Xw**2, axis=0))) / X.shape[0]
    assert kkt <= np.sqrt(2 * (h_max + alpha * (1 - l1_ratio)) * (GAP_TARGET * scale + slack))
    # both objectives within their gaps of the optimum
    assert abs(objectives[0] - objectives[1]) <= recomputed + gap_ref + slack


def certify_box_subproblem(X, y, w, ws, last_gap, alpha, l1_ratio, factors, lower, upper):
    """Box problem on the columns ``ws``: bounds held, gap bounds the true suboptimality."""
    scale = ref.gap_scale(y)
    cols = np.sort(ws)
    assert np.all(w[np.setdiff1d(np.arange(X.shape[1]), ws)] == 0)
    assert np.all((lower <= w) & (w <= upper))
    box = (factors[cols], lower[cols], upper[cols])
    _, p_star = ref.box_exact(X[:, cols], y, alpha, l1_ratio, *box)
    p = ref.box_objective(X[:, cols], y, w[cols], alpha, l1_ratio, *box)
    slack = 1e-14 * scale
    assert last_gap <= GAP_TARGET * scale
    assert p - p_star <= last_gap + slack
    # P is (h_max + l2 v_max)-smooth along each coordinate: KKT ~ sqrt(2 L gap)
    curvature = np.max(np.sum(X[:, cols] ** 2, axis=0)) / X.shape[0] + alpha * (
        1 - l1_ratio) * np.max(box[0])
    kkt = ref.box_kkt_violation(X[:, cols], y, w[cols], alpha, l1_ratio, *box)
    assert kkt <= np.sqrt(2 * curvature * (GAP_TARGET * scale + slack)), kkt


SOLVE_CASES = [  # (l1_ratio, penalty, seed)
    (1.0, "plain", -1), (0.5, "plain", 3), (1.0, "positive", -1), (0.5, "positive", 5),
    (1.0, "box", -1), (0.5, "box", 7),
]
SOLVE_BOX = (np.array([0.0, 1.0, 2.0, 0.5, 0.0, np.inf, 1.0, 1.0]),
             np.array([-np.inf, -0.2, 0.0, -np.inf, -0.5, -1.0, -np.inf, 0.0]),
             np.array([np.inf, 0.2, np.inf, 0.1, 0.5, 1.0, np.inf, np.inf]))


def _solve_setup(shape, penalty, sparse_X=False):
    n, p = shape
    X, y = data(n, p, 12 + n)
    if sparse_X:
        # y stays uncentered: the centering terms of the residual statistics then count
        X = np.where(np.abs(X) > 0.7, X, 0.0)
    ws = np.array([0, 1, 2, 3, 4, 6], dtype=np.int64) if penalty == "box" else (
        np.arange(0, p, 2, dtype=np.int64) if p > 12 else np.arange(p - 2, dtype=np.int64))
    return X, y, ws


def _box_for(Xc, y, penalty):
    return penalty_record(Xc, y, *SOLVE_BOX) if penalty == "box" else None


def _check(X, y, w, ws, last_gap, alpha, l1_ratio, penalty):
    if penalty == "box":
        certify_box_subproblem(X, y, w, ws, last_gap, alpha, l1_ratio, *SOLVE_BOX)
    else:
        certify_subproblem(X, y, w, ws, last_gap, alpha, l1_ratio, penalty == "positive")


@pytest.mark.parametrize("shape,l1_ratio,penalty,seed", [
    pytest.param(shape, *case, id=f"{name}-{case[1]}-{case[0]}-{case[2]}")
    for name, shape in (("tall", (40, 8)), ("wide", (15, 30))) for case in SOLVE_CASES
    if shape[1] == 8 or case[1] != "box"])  # the box reference enumerates faces: small p
def test_dense_solve(shape, l1_ratio, penalty, seed):
    X, y, ws = _solve_setup(shape, penalty)
    alpha = 0.1 * alpha_max(X, y)
    w, r, g, last_gap = solve_dense(X, y, ws, alpha * l1_ratio, alpha * (1 - l1_ratio),
                                    penalty == "positive", GAP_TARGET * ref.gap_scale(y), seed,
                                    _box_for(X, y, penalty))
    _check(X, y, w, ws, last_gap, alpha, l1_ratio, penalty)
    np.testing.assert_allclose(r, y - X @ w, rtol=0, atol=1e-12 * np.abs(y).max())
    # g: exact where the coefficient is nonzero; for a zero one, exact or an upper
    # bound of its magnitude that keeps it at zero (cd_naive._dense_sweep's skips)
    exact = X[:, ws].T @ r / X.shape[0]
    moving = w[ws] != 0
    np.testing.assert_allclose(g[ws][moving], exact[moving], rtol=0, atol=1e-13)
    bounded = ~moving & (np.abs(g[ws] - exact) > 1e-13)
    assert np.all(np.abs(exact[bounded]) <= g[ws][bounded])
    assert np.all(g[ws][bounded] <= alpha * l1_ratio)


def test_dense_solve_skips_change_nothing():
    """The skipped updates of zero coefficients: the same iterates as without a reference."""
    X, y = make_data(200, 60, seed=5, rho=0.5)
    X = np.asfortranarray(X)
    n, p = X.shape
    alpha = 0.05 * alpha_max(X, y)
    norms2 = np.sum(X * X, axis=0) / n
    out = []
    # an infinite slack never skips: the plain sweeps
    for seeded, slack in ((False, np.inf), (False, cd_naive.SKIP_SLACK[X.dtype]),
                          (True, cd_naive.SKIP_SLACK[X.dtype])):
        w, r, g = np.zeros(p), y.copy(), np.zeros(p)
        if seeded:  # the caller's gradient at r: the first sweep may skip already
            g[:] = X.T @ r / n
        ref = np.array([1.0 if seeded else 0.0, slack, 0.0])
        r_ref = r.copy()
        ws = np.arange(p, dtype=np.int64)
        history = np.zeros(cd_naive.history_size(n, p))
        n_sweeps, gap = cd_naive.dense_solve((X, np.zeros(p), y, r, g, norms2, r_ref, ref,
                                              history), w, ws, alpha,
                                             0.0, False, (1e-12, 1000, 1e-14, 5, np.inf), -1, None)
        out.append((w.copy(), n_sweeps, gap))
    for other in out[1:]:
        np.testing.assert_array_equal(other[0], out[0][0])
        assert other[1:] == out[0][1:]


@pytest.mark.parametrize("center", [True, False], ids=["centered", "uncentered"])
@pytest.mark.parametrize("l1_ratio,penalty,seed", SOLVE_CASES)
def test_csc_solve(center, l1_ratio, penalty, seed):
    X, y, ws = _solve_setup((40, 8), penalty, sparse_X=True)
    Xc = X - X.mean(axis=0) if center else X
    alpha = 0.1 * alpha_max(Xc, y)
    w, r, g, last_gap = solve_csc(X, y, ws, alpha * l1_ratio, alpha * (1 - l1_ratio),
                                  penalty == "positive", GAP_TARGET * ref.gap_scale(y), seed,
                                  _box_for(Xc, y, penalty), center)
    _check(Xc, y, w, ws, last_gap, alpha, l1_ratio, penalty)
    np.testing.assert_allclose(r, y - Xc @ w, rtol=0, atol=1e-12 * np.abs(y).max())
    np.testing.assert_allclose(g[ws], Xc[:, ws].T @ r / X.shape[0], rtol=0, atol=1e-13)


@pytest.mark.parametrize("lazy", [False, True], ids=["full-cache", "lazy-cache"])
@pytest.mark.parametrize("l1_ratio,penalty,seed", SOLVE_CASES)
def test_gram_solve(lazy, l1_ratio, penalty, seed):
    X, y, ws = _solve_setup((40, 8), penalty)
    alpha = 0.1 * alpha_max(X, y)
    w, g, last_gap = solve_gram(X, y, ws, alpha * l1_ratio, alpha * (1 - l1_ratio),
                                penalty == "positive", GAP_TARGET * ref.gap_scale(y), seed,
                                _box_for(X, y, penalty), lazy)
    _check(X, y, w, ws, last_gap, alpha, l1_ratio, penalty)
    np.testing.assert_allclose(g[ws], X[:, ws].T @ (y - X @ w) / X.shape[0], rtol=0,
                               atol=1e-13)


def test_gram_sweeps_on_rounded_columns_are_cd_on_the_rounded_quadratic():
    """Sweeps reading float32-rounded columns take the very steps of float64 sweeps
    on the rounded matrix (the float32 values widen exactly), and the gradient they
    keep drifts from the true one by the rounding's product only."""
    X, y, ws = _solve_setup((40, 8), "none")
    n = X.shape[0]
    alpha = 0.1 * alpha_max(X, y)
    args = (alpha, 0.0, False, 1e-3 * GAP_TARGET * ref.gap_scale(y), -1, None, False)
    w32, g32, _ = solve_gram(X, y, ws, *args, sweep_dtype=np.float32)
    # the same solve on a float64 cache holding the rounded values
    rounded = (X.T @ X).astype(np.float32).astype(np.float64)
    slot = np.arange(X.shape[1], dtype=np.int64)
    w, g = np.zeros(X.shape[1]), X.T @ y / n
    history = np.zeros(cd_gram.history_size(X.shape[1]))
    layout = cd_gram.GramLayout(np.asfortranarray(rounded), slot, X.T @ y, y @ y, g,
                                np.sum(X * X, axis=0) / n, float(n), history,
                                cd_gram.newton_scratch(), 0)
    active_set_solve(layout, w, ws.copy(), alpha, 0.0, False, args[3], MAX_EPOCHS, -1, None)
    np.testing.assert_array_equal(w32, w)
    np.testing.assert_array_equal(g32, g)
    drift = (X.T @ X - rounded) @ w32 / n
    np.testing.assert_allclose(g32[ws], (X.T @ (y - X @ w32) / n + drift)[ws], rtol=0,
                               atol=1e-13)


@pytest.mark.parametrize("shape", [(40, 8), (15, 30)], ids=["tall", "wide"])
@pytest.mark.parametrize("l1_ratio,seed", [(1.0, -1), (0.5, 4)])
def test_dense_block_solve(shape, l1_ratio, seed):
    n, p = shape
    X, Y = data(n, p, 20 + n, n_tasks=3)
    ws = np.arange(0, p, 2, dtype=np.int64)
    alpha = 0.1 * alpha_max(X, Y)
    W, R, G, last_gap = solve_dense_block(X, Y, ws, alpha * l1_ratio, alpha * (1 - l1_ratio),
                                          GAP_TARGET * ref.gap_scale(Y), seed)
    certify_subproblem(X, Y, W, ws, last_gap, alpha, l1_ratio)
    np.testing.assert_allclose(R, Y - X @ W, rtol=0, atol=1e-12 * np.abs(Y).max())
    np.testing.assert_allclose(G[ws], X[:, ws].T @ R / n, rtol=0, atol=1e-13)


def test_csc_block_solve():
    X, Y = data(40, 8, 30, n_tasks=2)
    X = np.where(np.abs(X) > 0.7, X, 0.0)  # Y uncentered, as in test_csc_solve
    Xc = X - X.mean(axis=0)
    ws = np.arange(6, dtype=np.int64)
    alpha = 0.1 * alpha_max(Xc, Y)
    W, R, _, last_gap = solve_csc_block(X, Y, ws, alpha * 0.7, alpha * 0.3,
                                        GAP_TARGET * ref.gap_scale(Y), -1)
    certify_subproblem(Xc, Y, W, ws, last_gap, alpha, 0.7)
    np.testing.assert_allclose(R, Y - Xc @ W, rtol=0, atol=1e-12 * np.abs(Y).max())


# ------------------------------------------------------------------ gradients
def test_csc_gradient_is_scipy_transpose_product():
    rng = np.random.default_rng(13)
    dense = sparse.random(50, 20, density=0.3, random_state=14).toarray()
    dense[:, 5] = 0.0  # an empty column
    Xs = sparse.csc_matrix(dense)
    r = rng.standard_normal(50)
    got = column_gradient(Xs, r)
    assert got[5] == 0.0
    # column by column in stored order, as scipy sums: equal to the last bit
    np.testing.assert_array_equal(got, Xs.T @ r)
    np.testing.assert_allclose(got, Xs.toarray().T @ r, rtol=1e-13, atol=1e-14)


def test_mark_support_and_support_moved():
    from fastreg._kernels.cycle import mark_support, support_moved

    w = np.array([0.0, 1.5, 0.0, -2.0, 0.0])
    ws = np.array([4, 3, 1, 0], dtype=np.int64)
    was = np.empty(4, dtype=np.bool_)
    assert mark_support(ws, w, was) == 2
    np.testing.assert_array_equal(was, [False, True, True, False])
    assert support_moved(ws, w, was) == 0
    w[1], w[4] = 0.0, 0.3  # one leaves, one enters
    assert support_moved(ws, w, was) == 2
    W = np.zeros((5, 2))
    W[2, 1] = 1.0  # multi-task: a row is in the support when any entry is nonzero
    was2 = np.empty(3, dtype=np.bool_)
    assert mark_support(np.array([0, 2, 4], dtype=np.int64), W, was2) == 1
    np.testing.assert_array_equal(was2, [False, True, False])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_center_columns_matches_numpy_in_one_pass(dtype):
    """The centered copy is NumPy's bit for bit; its norms are those of the stored values."""
    rng = np.random.default_rng(3)
    X = np.asfortranarray((rng.standard_normal((57, 6)) + 1e3).astype(dtype))
    mean = X.mean(axis=0, dtype=np.float64).astype(dtype)
    before = X.copy()
    out = np.empty_like(X, order="F")
    sq, xty = np.empty(6), np.empty(6)
    y = rng.standard_normal(57).astype(dtype)
    cd_naive.center_columns(X, mean, y, out, sq, xty)
    np.testing.assert_array_equal(out, np.subtract(X, mean, order="F", dtype=dtype))
    out64 = out.astype(np.float64)
    np.testing.assert_allclose(sq, np.einsum("ij,ij->j", out64, out64), rtol=1e-13)
    np.testing.assert_allclose(xty, out64.T @ y.astype(np.float64), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(X, before)
    # no copy (an empty out): the same statistics
    sq2, xty2 = np.empty(6), np.empty(6)
    cd_naive.center_columns(X, mean, y, np.empty((0, 0), dtype=dtype), sq2, xty2)
    np.testing.assert_array_equal(sq2, sq)
    np.testing.assert_array_equal(xty2, xty)


def test_centered_xtr_and_residual_match_the_centered_copy():
    rng = np.random.default_rng(6)
    X = np.asfortranarray(rng.standard_normal((50, 7)) + 30.0)
    centers = X.mean(axis=0)
    Xc = X - centers
    r, y = rng.standard_normal(50), rng.standard_normal(50)
    out = np.empty(3)
    features = np.array([4, 0, 6], dtype=np.int64)
    cd_naive.centered_xtr(X, centers, r, features, out)
    np.testing.assert_allclose(out, Xc[:, features].T @ r, rtol=1e-12, atol=1e-12)
    w = np.zeros(7)
    w[[1, 5]] = [0.5, -2.0]
    res = np.empty(50)
    cd_naive.centered_residual(X, centers, y, w, res)
    np.testing.assert_allclose(res, y - Xc @ w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_column_sums_max_abs(dtype):
    rng = np.random.default_rng(5)
    X = np.asfortranarray((rng.standard_normal((41, 7)) * 3 + 2).astype(dtype))
    sums = np.empty(7)
    X[5, 4] = -50.5  # the largest magnitude, negative
    top = cd_naive.max_abs_and_sums(X, sums)
    np.testing.assert_allclose(sums, X.astype(np.float64).sum(axis=0), rtol=1e-13)
    assert top == 50.5
    X[6, 1] = -np.inf
    assert cd_naive.max_abs_and_sums(X, sums) == np.inf
    X[3, 2] = np.nan
    assert np.isnan(cd_naive.max_abs_and_sums(X, sums))
    assert np.isnan(sums[2])
    assert cd_naive.max_abs_and_sums(np.zeros((3, 2), dtype=dtype, order="F"), sums[:2]) == 0.0


def test_csc_column_stats_match_scipy():
    rng = np.random.default_rng(4)
    X = sparse.random(40, 9, density=0.3, format="csc", rng=rng)
    u = rng.uniform(0.5, 2.0, 40)
    col_u, sq = np.empty(9), np.empty(9)
    cd_naive.csc_column_stats(X.data, *unsigned_csc(X), u, col_u, sq)
    np.testing.assert_allclose(col_u, X.T @ u, rtol=1e-14)
    np.testing.assert_allclose(sq, np.asarray(X.multiply(X).sum(axis=0)).ravel(), rtol=1e-14)


@pytest.mark.parametrize("layout_kind", ["dense", "gram"])
def test_sweep_returns_its_largest_step_and_coefficient(layout_kind):
    """A sweep reports ``max |w_after - w_before|`` and ``max |w_after|`` over what it
    swept (the inputs of scikit-learn's convergence test in ``active_set_solve``),
    besides its largest weighted squared step."""
    X, y = make_data(60, 8, seed=3)[:2]
    X = np.asfortranarray(X)
    n, p = X.shape
    ws = np.arange(p, dtype=np.int64)
    w = np.zeros(p)
    norms2 = np.sum(X * X, axis=0) / n
    if layout_kind == "dense":
        r, g = y.copy(), np.zeros(p)
        ref_state = np.array([0.0, cd_naive.SKIP_SLACK[X.dtype], 0.0])
        layout = cd_naive.DenseLayout(X, np.zeros(p), y, r, g, norms2, np.empty_like(r),
                                      ref_state, np.zeros(cd_naive.history_size(n, p)),
                                      cd_naive.MAX_CYCLE)
        sweep = cd_naive._dense_sweep
    else:
        cache = np.asfortranarray(X.T @ X)
        layout = cd_gram.GramLayout(cache, np.arange(p), X.T @ y, y @ y, X.T @ y / n, norms2,
                                    float(n), np.zeros(cd_gram.history_size(p)),
                                    cd_gram.newton_scratch(), 0)
        sweep = cd_gram._gram_sweep
    l1 = 0.05 * np.max(np.abs(X.T @ y)) / n
    for _ in range(3):
        before = w.copy()
        dmax, step, largest = sweep(layout, w, ws, ws, p, l1, 0.0, False, None)
        assert step == np.max(np.abs(w - before))
        assert largest == np.max(np.abs(w))
        assert dmax == pytest.approx(np.max(norms2 * (w - before) ** 2), rel=1e-12)


@pytest.mark.parametrize("l2,positive", [(0.0, False), (0.3, False), (0.0, True)])
def test_dense_sweep_is_the_cyclic_coordinate_sweep(l2, positive):
    """``_dense_sweep``, whose update of each column also forms the next column's
    product, is one cyclic coordinate-descent sweep on the centered columns: the
    NumPy sweep below, coordinate by coordinate, from a start where some
    coefficients move, some stay zero and some columns are constant."""
    X, y = make_data(70, 12, seed=5)[:2]
    X = np.asfortranarray(X)
    X[:, 4] = 1.5  # centered: a zero column, never updated
    n, p = X.shape
    centers = X.mean(axis=0)
    Xc = X - centers
    norms2 = np.sum(Xc * Xc, axis=0) / n
    l1 = 0.1 * np.max(np.abs(Xc.T @ y)) / n
    rng = np.random.default_rng(0)
    w = np.where(rng.random(p) < 0.5, rng.standard_normal(p), 0.0)
    w[4] = 0.0
    idx = np.array([3, 0, 7, 4, 11, 1, 9], dtype=np.int64)
    expected_w, expected_r = w.copy(), y - Xc @ w
    for j in idx:
        if norms2[j] == 0.0:
            continue
        z = Xc[:, j] @ expected_r / n + norms2[j] * expected_w[j]
        new = np.sign(z) * max(abs(z) - l1, 0.0) / (norms2[j] + l2)
        if positive:
            new = max(new, 0.0)
        expected_r -= (new - expected_w[j]) * Xc[:, j]
        expected_w[j] = new
    r = y - Xc @ w
    ref_state = np.array([0.0, cd_naive.SKIP_SLACK[X.dtype], 0.0])
    layout = cd_naive.DenseLayout(X, centers, y, r, np.zeros(p), norms2, np.empty_like(r),
                                  ref_state, np.zeros(cd_naive.history_size(n, p)),
                                  cd_naive.MAX_CYCLE)
    cd_naive._dense_sweep(layout, w, idx, idx, idx.shape[0], l1, l2, positive, None)
    np.testing.assert_allclose(w, expected_w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(r, expected_r, rtol=1e-12, atol=1e-12)


def _gram_layout_at(X, y, w):
    """A full-Gram ``GramLayout`` whose gradient is that of ``w`` (float64 everywhere)."""
    n, p = X.shape
    G = np.asfortranarray(X.T @ X)
    g = (X.T @ y - G @ w) / n
    return cd_gram.GramLayout(G, np.arange(p, dtype=np.int64), X.T @ y, y @ y, g,
                              np.sum(X * X, axis=0) / n, float(n), None,
                              cd_gram.newton_scratch(), 0)


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gram_newton_lands_on_the_minimizer_of_its_orthant(l2):
    """From a point with the solution's signs, one Newton step on the support is the
    solution (KKT on the support to rounding), and the gradient it keeps is that
    of the new point."""
    X, y = make_data(60, 12, seed=81, n_informative=4)
    n, p = X.shape
    l1 = 0.2 * alpha_max(X, y)
    ws = np.arange(p, dtype=np.int64)
    # the solution by long sweeps, then a start perturbed on its support
    w_star, _, _ = solve_gram(X, y, ws, l1, l2, False, 1e-15, -1, None, False)
    support = np.flatnonzero(w_star)
    assert 2 <= support.size < p
    w = w_star.copy()
    w[support] *= 1.0 + 0.01 * np.linspace(-1, 1, support.size)
    layout = _gram_layout_at(X, y, w)
    assert cd_gram._gram_newton(layout, w, ws, l1, l2, False)
    np.testing.assert_allclose(w, w_star, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layout.g, (X.T @ y - X.T @ X @ w) / n, rtol=0, atol=1e-13)
    # KKT on the support: g_j - l2 w_j = l1 sign(w_j)
    np.testing.assert_allclose(layout.g[support] - l2 * w[support],
                               l1 * np.sign(w[support]), rtol=0, atol=1e-12)


def test_gram_newton_leaves_the_point_when_a_sign_would_flip_or_the_support_is_singular():
    """No step (w and g untouched) when the orthant's minimizer lies outside it, or
    when the support's Gram matrix is singular (two equal columns, no ridge)."""
    X, y = make_data(60, 12, seed=82, n_informative=4)
    n, p = X.shape
    l1 = 0.2 * alpha_max(X, y)
    ws = np.arange(p, dtype=np.int64)
    w_star, _, _ = solve_gram(X, y, ws, l1, 0.0, False, 1e-15, -1, None, False)
    support = np.flatnonzero(w_star)
    w = w_star.copy()
    w[support[0]] = -w[support[0]]  # the wrong sign on one coefficient
    layout = _gram_layout_at(X, y, w)
    w_before, g_before = w.copy(), layout.g.copy()
    assert not cd_gram._gram_newton(layout, w, ws, l1, 0.0, False)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(layout.g, g_before)
    X2 = X.copy()
    X2[:, 1] = X2[:, 0]
    w = np.zeros(p)
    w[[0, 1]] = [0.3, 0.2]
    layout = _gram_layout_at(X2, y, w)
    w_before, g_before = w.copy(), layout.g.copy()
    assert not cd_gram._gram_newton(layout, w, ws, l1, 0.0, False)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(layout.g, g_before)


def test_gram_newton_reuses_its_factor_only_for_the_same_support_and_l2():
    """A Newton step with the factor kept from the last step (same support, same
    ``l2``) gives the bits of one from a fresh scratch; a different support or
    ``l2`` factors anew (the kept factor would give another step)."""
    X, y = make_data(60, 12, seed=83, n_informative=4)
    p = X.shape[1]
    ws = np.arange(p, dtype=np.int64)
    l1 = 0.2 * alpha_max(X, y)
    w_star, _, _ = solve_gram(X, y, ws, l1, 0.0, False, 1e-15, -1, None, False)
    support = np.flatnonzero(w_star)
    start = w_star.copy()
    start[support] *= 1.0 + 0.01 * np.linspace(-1, 1, support.size)
    shared = cd_gram.newton_scratch()
    for l1_now, l2_now in ((l1, 0.0), (0.95 * l1, 0.0), (0.95 * l1, 0.2), (0.9 * l1, 0.2)):
        fresh = _gram_layout_at(X, y, start)
        kept = fresh._replace(g=fresh.g.copy(), newton=shared)
        w_fresh, w_kept = start.copy(), start.copy()
        taken = cd_gram._gram_newton(fresh, w_fresh, ws, l1_now, l2_now, False)
        assert cd_gram._gram_newton(kept, w_kept, ws, l1_now, l2_now, False) == taken
        np.testing.assert_array_equal(w_kept, w_fresh)
        np.testing.assert_array_equal(kept.g, fresh.g)
    # the factor kept is that of the last (support, l2); another support factors anew
    assert shared[cd_gram._FACTORED] == support.size
    smaller = start.copy()
    smaller[support[-1]] = 0.0
    fresh = _gram_layout_at(X, y, smaller)
    kept = fresh._replace(g=fresh.g.copy(), newton=shared)
    w_fresh, w_kept = smaller.copy(), smaller.copy()
    assert (cd_gram._gram_newton(kept, w_kept, ws, l1, 0.2, False)
            == cd_gram._gram_newton(fresh, w_fresh, ws, l1, 0.2, False))
    np.testing.assert_array_equal(w_kept, w_fresh)


def test_anderson_weights_solve_the_raised_system():
    """The extrapolation's weights: ``(M + 1e-10 trace(M) I) z = 1``, normalized to
    sum to one; none where there is no combination."""
    from fastreg._kernels.extrapolation import anderson_weights

    rng = np.random.default_rng(7)
    for depth in (1, 2, 3, 4):
        D = rng.standard_normal((depth, 30))
        for M in (D @ D.T, np.outer(D[0], D[0])[:depth, :depth] if depth > 1 else D @ D.T):
            raised = M + 1e-10 * np.trace(M) * np.eye(depth)
            z = np.linalg.solve(raised, np.ones(depth))
            np.testing.assert_allclose(anderson_weights(M.copy()), z / z.sum(), rtol=1e-6)
    assert anderson_weights(np.zeros((3, 3))).shape == (0,)
    # a pivot taken from a lower row (the leading entry tiny), against LAPACK
    M = np.array([[1e-14, 1.0, 0.5], [1.0, 1.0, 0.25], [0.5, 0.25, 2.0]])
    raised = M + 1e-10 * np.trace(M) * np.eye(3)
    z = np.linalg.solve(raised, np.ones(3))
    np.testing.assert_allclose(anderson_weights(M.copy()), z / z.sum(), rtol=1e-12)
    # a product that is not a number: the elimination meets a pivot that is not
    # a number, and there are no weights
    assert anderson_weights(np.array([[1.0, np.nan], [np.nan, 1.0]])).shape == (0,)


def test_row_norm_of_one_task_is_the_magnitude_without_a_root():
    """``sqrt`` of a rounded square is the magnitude exactly; below the square's
    underflow only ``|x|`` is right (a coefficient of 1e-170 is not zero)."""
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.standard_normal(1000) * 10.0 ** rng.integers(-150, 150, 1000),
                             [1e-170, -3e-200, 0.0]])
    vector, rows = np.zeros(2), np.zeros((2, 1))
    for x in values:
        assert gap.row_norm(vector, x * x, x) == abs(x)
        if abs(x) > 1e-150:  # (the root of the square itself, where it does not underflow)
            assert gap.row_norm(rows, x * x, x) == np.sqrt(x * x) == abs(x)
    assert gap.row_norm(rows, 25.0, -1.0) == 5.0  # (rows: the root of the sum given)


def test_screening_keeps_a_coefficient_whose_square_underflows():
    """A nonzero coefficient is never screened out, however small (its square is 0)."""
    g, w, norms2 = np.zeros(3), np.array([1e-170, 0.0, 0.0]), np.ones(3)
    in_set, screened = np.array([True, False, False]), np.zeros(3, dtype=np.bool_)
    gap.kkt_and_screen(g, w, norms2, 1e-12, 0.0, 1.0, 0.0, False, 1.0, True, in_set, screened,
                       None)
    assert in_set.tolist() == [True, False, False]
    assert screened.tolist() == [False, True, True]  # (the zeros: far inside the dual set)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_screening_is_the_gap_safe_rule_as_documented(l1_ratio, positive):
    """``kkt_and_screen`` (which compares squares, without roots or divisions)
    screens exactly the zeros that the rule ``(1 - |theta_j|) / sqrt(norms2_j
    + l2) > sqrt(2 gap) / l1`` screens, written out in NumPy, wherever the two
    sides are not within rounding of each other."""
    rng = np.random.default_rng(17)
    p, n = 400, 50
    X = rng.standard_normal((n, p)) * rng.uniform(0.2, 2.0, p)
    y = X[:, :5] @ rng.standard_normal(5) + 0.1 * rng.standard_normal(n)
    norms2 = np.sum(X * X, axis=0) / n
    alpha = 0.2 * float(np.max(np.abs(X.T @ y))) / n
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    w = np.zeros(p)
    w[:5] = np.abs(rng.standard_normal(5)) if positive else rng.standard_normal(5)
    g = X.T @ (y - X @ w) / n
    n_checked = 0
    for gap_value in (1e-6, 1e-4, 1e-2):
        dual_norm = float(np.max(g - l2 * w if positive else np.abs(g - l2 * w)))
        in_set, screened = w != 0.0, np.zeros(p, dtype=np.bool_)
        gap.kkt_and_screen(g, w, norms2, gap_value, dual_norm, l1, l2, positive, l1, True,
                           in_set, screened, None)
        theta = (g if positive else np.abs(g)) / max(l1, dual_norm)
        lhs, rhs = (1.0 - theta) / np.sqrt(norms2 + l2), np.sqrt(2.0 * gap_value) / l1
        clear = (w == 0.0) & (np.abs(lhs - rhs) > 1e-12 * rhs)
        np.testing.assert_array_equal(screened[clear], (lhs > rhs)[clear])
        assert not screened[w != 0.0].any()
        n_checked += int(np.count_nonzero(screened[clear]))
    assert n_checked > 0  # (the rule screened some, at some gap)
