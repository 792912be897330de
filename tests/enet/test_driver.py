"""The path driver's two routes give the same path, to the bit.

For the default problem (no penalty factors or bounds) on the full Gram matrix,
on dense float64 X below 4 MB with residual updates or on float64 CSC X below
``PARALLEL_MIN_NNZ`` entries, the driver solves whole
runs of alphas in one compiled call (``fastreg._kernels.cycle.path_steps``);
everywhere else it loops over the alphas in Python
(``fastreg.enet.driver._Alpha.solve``). Both follow the same rules, so every
coefficient, gap, sweep count and warning must agree exactly: these tests run
each case both ways, the Python loop forced by hiding the designs'
``solves_steps``.
"""

import warnings

import numpy as np
import pytest

import fastreg
from fastreg.enet import designs


@pytest.fixture
def python_loop(monkeypatch):
    """Within the test, every design takes the driver's Python loop."""
    def force():
        for design in (designs.GramProblem, designs.DenseProblem, designs.CscProblem):
            monkeypatch.setattr(design, "solves_steps", property(lambda self: False))
    return force


def _problem(n=400, p=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))
    y = X[:, :12] @ rng.standard_normal(12) + rng.standard_normal(n)
    return X, y


def _run_both(python_loop, call):
    """``call()`` on the compiled route and on the Python loop, with their warnings."""
    results = []
    for force in (None, python_loop):
        if force is not None:
            force()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = call()
        results.append((out, [str(w.message) for w in caught]))
    return results


def _assert_same(first, second):
    (a, warned_a), (b, warned_b) = first, second
    assert warned_a == warned_b
    for x, y in zip(a, b):
        if isinstance(x, (list, tuple)):
            assert list(x) == list(y)
        else:
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


CASES = {
    "lasso": dict(l1_ratio=1.0),
    "enet": dict(l1_ratio=0.3),
    "tight": dict(l1_ratio=1.0, tol=1e-10),
    "random order": dict(l1_ratio=0.8, selection="random", random_state=5),
    "positive": dict(l1_ratio=0.9, positive=True),
    "no screening": dict(l1_ratio=1.0, do_screening=False),
    "unconverged": dict(l1_ratio=1.0, max_iter=2, tol=1e-12),
    "long grid": dict(l1_ratio=1.0, eps=1e-5, alphas=60),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_statistics_path_same_both_routes(case, python_loop):
    X, y = _problem()
    stats = fastreg.GramStats.from_arrays(X, y)
    kwargs = CASES[case]

    def call():
        return fastreg.enet_path_from_stats(stats, fit_intercept=True, return_n_iter=True,
                                            **kwargs)

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)
    if case == "unconverged":
        assert first[1], "max_iter=2 at tol=1e-12 must warn"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("shape", [(300, 80), (100, 300), (100, 1000)],
                         ids=["tall", "wide", "bounded"])
def test_residual_path_same_both_routes(case, shape, python_loop):
    # (100 x 1000: above GradientBounds.MIN_ENTRIES, the gradient's bounds skip
    # features on both routes, cd_naive.bounded_gradient)
    X, y = _problem(*shape, seed=5)
    kwargs = CASES[case]

    def call():
        return fastreg.enet_path(X, y, precompute=False, return_n_iter=True, **kwargs)

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)


def _sparse_problem(n=200, p=400, seed=6):
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.05, format="csc", random_state=seed)
    y = X[:, :10] @ rng.standard_normal(10) + 0.1 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("case", sorted(CASES))
def test_sparse_path_same_both_routes(case, python_loop):
    X, y = _sparse_problem()
    kwargs = CASES[case]

    def call():
        return fastreg.enet_path(X, y, return_n_iter=True, **kwargs)

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)


def test_sparse_cold_start_far_below_alpha_max_same_both_routes(python_loop):
    # through lead alphas (driver._lead_alphas), solved in the same compiled call
    from fastreg.enet import driver

    X, y = _sparse_problem(seed=9)
    alpha_max = np.max(np.abs(X.T @ y)) / X.shape[0]
    alphas = alpha_max * np.array([1e-3, 5e-4])
    leads = []
    original = driver._lead_alphas

    def counted(*args):
        leads.append(len(original(*args)))
        return original(*args)

    def call():
        return fastreg.lasso_path(X, y, alphas=alphas, return_n_iter=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(driver, "_lead_alphas", counted)
        first, second = _run_both(python_loop, call)
    _assert_same(first, second)
    assert leads and min(leads) > 0


@pytest.mark.parametrize("weighted", [False, True])
def test_centered_sparse_fits_same_both_routes(weighted, python_loop):
    # fit_intercept on sparse X: columns centered implicitly (CscLayout's shift),
    # rows weighted by sqrt(sample_weight)
    X, y = _sparse_problem(seed=7)
    weights = np.random.default_rng(8).uniform(0.5, 2.0, X.shape[0]) if weighted else None

    def call():
        fit = fastreg.lasso_cv(X, y + 3.0, cv=3, alphas=20, sample_weight=weights)
        return fit.coef, fit.mse_path, [fit.alpha, fit.intercept]

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)


@pytest.mark.parametrize("precompute", [True, False])
def test_cold_start_far_below_alpha_max_same_both_routes(precompute, python_loop):
    # a first alpha far below alpha_max from zero goes through lead alphas
    X, y = _problem(n=600, p=300, seed=3)
    y = X[:, :200] @ np.random.default_rng(4).standard_normal(200)
    alpha_max = np.max(np.abs(X.T @ (y - y.mean()))) / X.shape[0]
    alphas = alpha_max * np.array([1e-3, 5e-4])

    def call():
        return fastreg.lasso_path(X, y, alphas=alphas, precompute=precompute,
                                  return_n_iter=True)

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)


@pytest.mark.parametrize("precompute", [True, False])
def test_path_controls_same_both_routes(precompute, python_loop):
    X, y = _problem(seed=1)
    seen = {0: [], 1: []}
    route = iter((0, 1))

    def call():
        mine = seen[next(route)]

        def callback(index, alpha, coef, gap, n_active):
            mine.append((index, alpha, coef.copy(), gap, n_active))
            return index == 30

        result = fastreg.enet_path(X, y, l1_ratio=0.7, precompute=precompute, callback=callback,
                                   min_dev_change=1e-5, return_result=True)
        return (result.coefs, result.dual_gaps, result.n_iters, [result.stop_reason])

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)
    assert len(seen[0]) == len(seen[1]) > 1
    for a, b in zip(seen[0], seen[1]):
        assert a[0] == b[0] and a[1] == b[1] and a[3] == b[3] and a[4] == b[4]
        np.testing.assert_array_equal(a[2], b[2])


def test_cross_validation_same_both_routes(python_loop):
    X, y = _problem(n=500, p=60, seed=2)

    def call():
        fit = fastreg.lasso_cv(X, y, cv=5, alphas=30)
        return fit.coef, fit.mse_path, [fit.alpha]

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)


def test_scikit_learn_estimators_same_both_routes(python_loop):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = fastreg.load_diabetes()

    def call():
        with fastreg.sklearn_patched():
            lasso = linear_model.Lasso(alpha=0.01).fit(X, y)
            enet = linear_model.ElasticNet(alpha=0.01, l1_ratio=0.3, precompute=True).fit(X, y)
        return lasso.coef_, [lasso.n_iter_], enet.coef_, [enet.n_iter_]

    first, second = _run_both(python_loop, call)
    _assert_same(first, second)


def _count_compiled_calls(monkeypatch, design):
    """The list that receives ``n_features`` at every ``design.solve_steps`` call."""
    calls = []
    original = design.solve_steps

    def counted(self, *args):
        calls.append(self.n_features)
        return original(self, *args)

    monkeypatch.setattr(design, "solve_steps", counted)
    return calls


def test_compiled_route_taken_for_full_gram_default_problem(monkeypatch):
    calls = _count_compiled_calls(monkeypatch, designs.GramProblem)
    X, y = _problem()
    stats = fastreg.GramStats.from_arrays(X, y)
    fastreg.lasso_path_from_stats(stats, fit_intercept=True)
    assert calls == [X.shape[1]]  # the whole grid in one call
    # penalty factors (a box) take the Python loop
    calls.clear()
    fastreg.lasso_path_from_stats(stats, fit_intercept=True,
                                  penalty_factor=np.linspace(0.5, 2.0, X.shape[1]))
    assert calls == []


def test_compiled_route_taken_for_dense_residual_below_4_mb(monkeypatch):
    calls = _count_compiled_calls(monkeypatch, designs.DenseProblem)
    X, y = _problem(300, 80)
    fastreg.lasso_path(X, y, precompute=False)
    assert calls == [80]
    calls.clear()
    # larger X: the gradient's bounds skip features, compiled too
    X, y = _problem(400, 400)
    fastreg.lasso_path(X, y, precompute=False)
    assert calls == [400]
    calls.clear()
    # X of 4 MB or more: the bounds from its float32 rounding, in the Python loop
    X, y = _problem(100, 6000)
    fastreg.lasso_path(X, y, precompute=False, alphas=5)
    assert calls == []
    # float32: the certificate's residual is recomputed in float64, in the Python loop
    fastreg.lasso_path(X[:100, :100].astype(np.float32), y[:100].astype(np.float32),
                       precompute=False)
    assert calls == []


def test_compiled_route_taken_for_small_float64_sparse_x(monkeypatch):
    from fastreg import _parallel

    calls = _count_compiled_calls(monkeypatch, designs.CscProblem)
    X, y = _sparse_problem()
    fastreg.lasso_path(X, y)
    assert calls == [X.shape[1]]
    calls.clear()
    # centered (fit_intercept) and weighted fits too
    fastreg.lasso_cv(X, y, cv=3, alphas=5, sample_weight=np.ones(X.shape[0]))
    assert calls and set(calls) == {X.shape[1]}
    calls.clear()
    # a gradient pass threaded by size, and float32: the Python loop
    monkeypatch.setattr(_parallel, "PARALLEL_MIN_NNZ", 10)
    fastreg.lasso_path(X, y, alphas=5)
    assert calls == []
    monkeypatch.undo()
    calls = _count_compiled_calls(monkeypatch, designs.CscProblem)
    fastreg.lasso_path(X.astype(np.float32), y.astype(np.float32), alphas=5)
    assert calls == []


def _low_rank_problem(seed=42):
    """300 x 100 of effective rank about 10 (singular values decaying as a bell)."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((300, 100)))
    V, _ = np.linalg.qr(rng.standard_normal((100, 100)))
    s = np.exp(-(np.arange(100) / 10.0) ** 2) + 0.1 * np.exp(-np.arange(100) / 10.0)
    X = (U * s) @ V.T
    y = X @ rng.standard_normal(100) + 0.01 * rng.standard_normal(300)
    return np.asfortranarray(X), y


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("route", ["compiled", "python"])
def test_tight_tol_reaches_the_coordinate_step_test(precompute, route, python_loop):
    """Past the certificate the solve runs until no coordinate moves by more than
    tol * max |w| (scikit-learn's test): on ill-conditioned data the pure-L2 fit at
    tol=1e-11 is then within 1e-7 of the exact ridge solution, which the gap alone
    (a strongly convex bound of sqrt(2 gap / alpha)) does not give."""
    if route == "python":
        python_loop()
    X, y = _low_rank_problem()
    n, p = X.shape
    alpha = 1e-4
    exact = np.linalg.solve(X.T @ X / n + alpha * np.eye(p), X.T @ y / n)
    _, coefs, gaps = fastreg.enet_path(X, y, l1_ratio=0.0, alphas=[alpha], tol=1e-11,
                                       precompute=precompute, max_iter=100_000)
    w = coefs[:, 0]
    assert gaps[0] <= 1e-11 * (y @ y) / n
    assert np.max(np.abs(w - exact)) <= 1e-7 * np.max(np.abs(exact))
    # the test itself: one more cyclic sweep moves nothing by more than tol * max|w|
    r = y - X @ w
    moved = 0.0
    for j in range(p):
        h = X[:, j] @ X[:, j] / n
        new = (X[:, j] @ r / n + h * w[j]) / (h + alpha)
        r -= (new - w[j]) * X[:, j]
        moved = max(moved, abs(new - w[j]))
        w[j] = new
    assert moved <= 1e-11 * np.max(np.abs(w)) * 10


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("exponents", [(0, 0), (-40, 7), (300, -300)])
def test_step_penalties_are_the_strong_rule_on_the_problem_scale(l1_ratio, exponents):
    """The compiled table equals the formulas written with NumPy, rescaled as the data is."""
    from fastreg._scaling import DataScale
    from fastreg.enet.driver import _step_penalties

    grid = np.geomspace(3.0, 3e-3, 50)
    scale = DataScale(*exponents)
    steps = _step_penalties(grid, l1_ratio, scale)
    l1 = np.ldexp(grid * l1_ratio, exponents[0] + exponents[1])
    threshold = np.concatenate([l1[:1], np.ldexp(l1_ratio * (2.0 * grid[1:] - grid[:-1]),
                                                 exponents[0] + exponents[1])])
    threshold[l1 == 0.0] = -np.inf
    np.testing.assert_array_equal(steps[:, 0], l1)
    np.testing.assert_array_equal(steps[:, 1], np.ldexp(grid * (1.0 - l1_ratio),
                                                        2 * exponents[0]))
    np.testing.assert_array_equal(steps[:, 2], threshold)


@pytest.mark.parametrize("per_feature", [False, True])
def test_gradient_bounds_are_upper_bounds_and_the_compiled_rule(per_feature, monkeypatch):
    """``GradientBounds.needed`` (the box and float32 routes) and the compiled
    path's bounded gradient share one rule: the features they compute exactly
    are the same, and every bound stands above the exact magnitude."""
    from fastreg._kernels import cd_naive
    from fastreg.enet.designs import GradientBounds

    rng = np.random.default_rng(5)
    n, p = 60, 40
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = rng.standard_normal(n)
    w = np.zeros(p)
    w[[3, 17]] = [0.4, -0.2]
    monkeypatch.setattr(GradientBounds, "MIN_ENTRIES", 0)  # (60 x 40: below it)
    bounds = GradientBounds(np.sum(X * X, axis=0) / n, n)
    r_ref = y - X @ w
    bounds.reset(X.T @ r_ref / n, r_ref)
    r = r_ref + 1e-3 * rng.standard_normal(n)
    exact = np.abs(X.T @ r / n)
    l1 = 0.9 * float(np.max(np.abs(X.T @ y / n)))
    threshold = np.full(p, l1) * np.where(np.arange(p) % 2, 1.0, 2.0) if per_feature else l1
    features, bound = bounds.needed(r, w, threshold)
    assert features is not None and np.all(bound >= exact)
    np.testing.assert_array_equal(features, np.flatnonzero((bound > threshold) | (w != 0)))
    if not per_feature:
        out, arrays = np.empty(p), tuple(a.copy() for a in bounds.arrays())
        cd_naive.bounded_gradient(X, np.zeros(p), y, r, w, l1, arrays, np.empty(p), False, out)
        np.testing.assert_array_equal(np.flatnonzero(out != bound), features)


def test_single_target_gap_checks_take_vectors(monkeypatch, python_loop):
    """The Python loop hands a single target's gradient and coefficients to the
    gap and KKT kernels as vectors, whose row norms are magnitudes (a column of
    one costs a square root per feature: 4x the time of a check), and the
    multi-task path keeps its rows."""
    from fastreg.enet import driver

    seen = []
    for name in ("duality_gap", "kkt_and_screen"):
        original = getattr(driver, name)

        def recorded(G, W, *args, _original=original):
            seen.append((G.ndim, W.ndim))
            return _original(G, W, *args)

        monkeypatch.setattr(driver, name, recorded)
    import scipy.sparse as sp

    X = sp.random(80, 120, density=0.1, random_state=0, format="csc")
    y = np.random.default_rng(0).standard_normal(80)
    python_loop()
    fastreg.lasso_path(X, y, alphas=5)
    assert seen and set(seen) == {(1, 1)}
    seen.clear()
    fastreg.enet_path(X.toarray(), np.column_stack([y, -y]), alphas=5)
    assert seen and set(seen) == {(2, 2)}
