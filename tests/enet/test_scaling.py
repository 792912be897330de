"""Lasso / elastic net over the whole double range (issue 12, item 2).

Data scaled by ``cx`` (X) and ``cy`` (y) anywhere in 1e-150 .. 1e150 must give
the scaled solution: the problem on ``(cx X, cy y)`` with
``l1' = cx cy l1`` and ``l2' = cx^2 l2`` is ``cy^2`` times the problem on
``(X, y)`` with ``w' = (cy / cx) w``. Every test compares with the unscaled
solution (coefficients scaled) and recomputes the duality gap itself, on the
unit-scale data (where the test's own squares cannot underflow), from the
coefficients returned for the scaled data.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg
import fastreg.sklearn as fsk
from fastreg import _scaling
from fastreg._scaling import IDENTITY, DataScale, data_scale, moments_scale

import reference as ref

TOL = 1e-10
# (cx, cy): X alone, y alone, both alike, both opposite, across the range
SCALES = [(1e-150, 1.0), (1e150, 1.0), (1.0, 1e-150), (1.0, 1e150), (1e-85, 1e-85),
          (1e-150, 1e-150), (1e150, 1e150), (1e-150, 1e150), (1e150, 1e-150), (1e-30, 1e40)]
IDS = [f"X{cx:.0e}-y{cy:.0e}" for cx, cy in SCALES]


def _data(n=60, p=12, seed=0, n_tasks=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros((p,) if n_tasks is None else (p, n_tasks))
    w[:4] = rng.standard_normal(w[:4].shape) * 2
    y = X @ w + 0.3 * rng.standard_normal((n,) if n_tasks is None else (n, n_tasks))
    return X, y


def _scaled_alpha(alpha, l1_ratio, cx, cy):
    """(alpha', l1_ratio') of the scaled problem: l1' = cx cy l1, l2' = cx^2 l2."""
    l1 = alpha * l1_ratio * cx * cy
    l2 = alpha * (1.0 - l1_ratio) * cx * cx
    return l1 + l2, l1 / (l1 + l2)


def _check_path(X, y, alphas, coefs_s, gaps_s, coefs_0, cx, cy, *, l1_ratio=1.0, tol=TOL,
                rtol=1e-6, sample_weight=None, multi_task=False):
    """Scaled coefficients match, and the gaps recomputed here certify them."""
    ratio = cy / cx
    unit = coefs_s / ratio  # back on the unit-scale problem
    assert np.all(np.isfinite(coefs_s))
    big = max(np.max(np.abs(coefs_0)), 1.0)
    np.testing.assert_allclose(unit, coefs_0, rtol=0, atol=rtol * big)
    scale = ref.gap_scale(y, sample_weight)
    for k, alpha in enumerate(alphas):
        if multi_task:
            gap = ref.mt_duality_gap(X, y, unit[..., k], alpha, l1_ratio,
                                     sample_weight=sample_weight)
        else:
            gap = ref.duality_gap(X, y, unit[:, k], alpha, l1_ratio,
                                  sample_weight=sample_weight)
        # the certificate holds on the unit problem, up to the rescaling's rounding
        assert gap <= tol * scale * 1.01 + 1e-13 * scale
        reported = gaps_s[k] / cy / cy
        assert np.isfinite(gaps_s[k])
        # never a zero gap for an answer that is not optimal to rounding
        assert reported > 0 or gap <= 1e-13 * scale
        assert abs(reported - gap) <= 1e-6 * scale


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
@pytest.mark.parametrize("precompute", ["auto", False])
def test_dense_lasso_path(cx, cy, precompute):
    X, y = _data()
    alphas = np.array([0.5, 0.1, 0.02])
    _, c0, _ = fastreg.lasso_path(X, y, alphas=alphas, tol=TOL, precompute=precompute)
    a_s, c_s, g_s = fastreg.lasso_path(X * cx, y * cy, alphas=alphas * cx * cy, tol=TOL,
                                       precompute=precompute)
    np.testing.assert_allclose(a_s, alphas * cx * cy, rtol=1e-15)
    _check_path(X, y, alphas, c_s, g_s, c0, cx, cy)


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
def test_wide_sparse_and_weighted(cx, cy):
    X, y = _data(n=30, p=80, seed=1)
    X[np.abs(X) < 0.8] = 0.0
    sw = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    alphas = np.array([0.3, 0.05])
    _, c0, _ = fastreg.lasso_path(sparse.csc_matrix(X), y, alphas=alphas, tol=TOL,
                                  sample_weight=sw)
    _, c_s, g_s = fastreg.lasso_path(sparse.csc_matrix(X * cx), y * cy,
                                     alphas=alphas * cx * cy, tol=TOL, sample_weight=sw)
    _check_path(X, y, alphas, c_s, g_s, c0, cx, cy, sample_weight=sw)
    _, c_d, g_d = fastreg.lasso_path(X * cx, y * cy, alphas=alphas * cx * cy, tol=TOL,
                                     sample_weight=sw)
    _check_path(X, y, alphas, c_d, g_d, c0, cx, cy, sample_weight=sw)


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
@pytest.mark.parametrize("is_sparse", [False, True])
def test_multitask(cx, cy, is_sparse):
    X, Y = _data(n=40, p=10, seed=3, n_tasks=3)
    conv = sparse.csc_matrix if is_sparse else np.asarray
    alphas = np.array([0.4, 0.05])
    _, c0, _ = fastreg.lasso_path(conv(X), Y, alphas=alphas, tol=TOL)
    _, c_s, g_s = fastreg.lasso_path(conv(X * cx), Y * cy, alphas=alphas * cx * cy, tol=TOL)
    _check_path(X, Y, alphas, c_s, g_s, c0, cx, cy, multi_task=True)


@pytest.mark.parametrize("c", [1e-150, 1e-85, 1e85, 1e150])
@pytest.mark.parametrize("precompute", ["auto", False])
def test_enet_same_scale(c, precompute):
    # with cx = cy the elastic net keeps its l1_ratio: l1' = c^2 l1, l2' = c^2 l2
    X, y = _data(seed=4)
    alphas = np.array([0.4, 0.05])
    _, c0, _ = fastreg.enet_path(X, y, l1_ratio=0.5, alphas=alphas, tol=TOL,
                                 precompute=precompute)
    _, c_s, g_s = fastreg.enet_path(X * c, y * c, l1_ratio=0.5, alphas=alphas * c * c,
                                    tol=TOL, precompute=precompute)
    _check_path(X, y, alphas, c_s, g_s, c0, c, c, l1_ratio=0.5)


@pytest.mark.parametrize("cx,cy", [(1e-100, 1e-99), (1e120, 1e121), (1e-60, 2e-61)])
def test_enet_independent_scales(cx, cy):
    # the scaled (alpha, l1_ratio) carry 1 - l1_ratio' ~ cx / cy: scales a
    # few decades apart keep its rounding below the tolerance
    X, y = _data(seed=5)
    alpha, ratio = 0.1, 0.7
    _, c0, _ = fastreg.enet_path(X, y, l1_ratio=ratio, alphas=[alpha], tol=TOL)
    alpha_s, ratio_s = _scaled_alpha(alpha, ratio, cx, cy)
    _, c_s, g_s = fastreg.enet_path(X * cx, y * cy, l1_ratio=ratio_s, alphas=[alpha_s],
                                    tol=TOL)
    _check_path(X, y, [alpha], c_s, g_s, c0, cx, cy, l1_ratio=ratio)


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
def test_automatic_grid_scales(cx, cy):
    # alpha_max scales with cx * cy: the grid is never the degenerate constant one
    X, y = _data(seed=6)
    a0, c0, _ = fastreg.lasso_path(X, y, alphas=5, tol=TOL)
    a_s, c_s, g_s = fastreg.lasso_path(X * cx, y * cy, alphas=5, tol=TOL)
    np.testing.assert_allclose(a_s / cx / cy, a0, rtol=1e-12)
    _check_path(X, y, a0, c_s, g_s, c0, cx, cy)


# within the solvers' safe range (no rescaling) but far from unit scale: the
# automatic grid must still be the scaled one, not scikit-learn's constant
# grid at the absolute resolution 2.2e-16
MODERATE = [(1e-20, 1e-20), (1e20, 1e20), (1e-12, 1e-9), (1e-25, 1e25)]


@pytest.mark.parametrize("cx,cy", MODERATE)
def test_automatic_grid_moderate_scales(cx, cy):
    X, y = _data(seed=6)
    a0, c0, _ = fastreg.lasso_path(X, y, alphas=5, tol=TOL)
    a_s, c_s, g_s = fastreg.lasso_path(X * cx, y * cy, alphas=5, tol=TOL)
    np.testing.assert_allclose(a_s / cx / cy, a0, rtol=1e-12)
    _check_path(X, y, a0, c_s, g_s, c0, cx, cy)
    r0 = fastreg.lasso_cv(X, y, cv=3, alphas=6)
    r = fastreg.lasso_cv(X * cx, y * cy, cv=3, alphas=6)
    np.testing.assert_allclose(r.alphas / cx / cy, r0.alphas, rtol=1e-9)
    assert r.best_index == r0.best_index
    # float32 data (statistics route of the CV) likewise
    X32, y32 = (X * cx).astype(np.float32), (y * cy).astype(np.float32)
    if np.all(np.isfinite(X32)) and np.all(X32 != 0) and abs(np.log10(cy / cx)) < 30:
        m = fsk.LassoCV(cv=3, alphas=6).fit(X32, y32)
        m0 = fsk.LassoCV(cv=3, alphas=6).fit(X.astype(np.float32), y.astype(np.float32))
        assert m.alpha_ / cx / cy == pytest.approx(m0.alpha_, rel=1e-5)


def test_degenerate_grid_relative_to_data():
    # y orthogonal to every column at any scale: scikit-learn's constant grid,
    # in the data's own units
    X = np.zeros((4, 2))
    X[:2, 0] = 1.0
    y = np.array([0.0, 0.0, 1.0, -1.0])
    a0 = fastreg.lasso_path(X, y, alphas=3)[0]
    np.testing.assert_array_equal(a0, np.finfo(float).resolution)
    a_s = fastreg.lasso_path(X * 2.0**-300, y * 2.0**-200, alphas=3)[0] * 2.0**500
    # the resolution of the data brought to unit scale (its largest entries in [0.5, 1))
    assert np.all(a_s == a_s[0]) and a0[0] / 8 < a_s[0] < a0[0] * 8


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
@pytest.mark.parametrize("route", ["gram", "residual", "sparse"])
def test_intercept_and_standardize(cx, cy, route):
    X, y = _data(seed=7)
    X = X + 3.0
    y = y + 2.0
    conv = sparse.csc_matrix if route == "sparse" else np.asarray
    pre = False if route == "residual" else "auto"
    alphas = np.array([0.3, 0.03])
    kw = dict(tol=TOL, fit_intercept=True, return_intercept=True, precompute=pre)
    for standardize in (False, True):
        _, c0, _, b0 = fastreg.lasso_path(conv(X), y, alphas=alphas, standardize=standardize,
                                          **kw)
        # standardized columns do not see cx: the penalty is on s_j w_j ~ cy
        alphas_s = alphas * cy * (1.0 if standardize else cx)
        _, c_s, g_s, b_s = fastreg.lasso_path(conv(X * cx), y * cy, alphas=alphas_s,
                                              standardize=standardize, **kw)
        ratio = cy / cx
        np.testing.assert_allclose(c_s / ratio, c0, atol=1e-6 * np.abs(c0).max())
        np.testing.assert_allclose(b_s / cy, b0, atol=1e-6 * np.abs(b0).max())
        # on the user's scale (not flushed to 0): positive, or within the rounding
        # of the objective where a solve reached it (a gap there has no sign)
        floor = 64 * np.finfo(np.float64).eps * np.var(y * cy)
        assert np.all(np.isfinite(g_s)) and np.all(g_s > -floor)


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
def test_penalty_factors_bounds_and_warm_start(cx, cy):
    X, y = _data(seed=8)
    ratio = cy / cx
    factors = np.ones(X.shape[1])
    factors[0], factors[1] = 0.0, 2.0
    lower = np.full(X.shape[1], -np.inf)
    upper = np.full(X.shape[1], 0.5)
    init = np.full(X.shape[1], 0.1)
    alphas = np.array([0.3, 0.03])
    _, c0, _ = fastreg.lasso_path(X, y, alphas=alphas, tol=TOL, penalty_factor=factors,
                                  lower_bounds=lower, upper_bounds=upper, coef_init=init)
    _, c_s, g_s = fastreg.lasso_path(X * cx, y * cy, alphas=alphas * cx * cy, tol=TOL,
                                     penalty_factor=factors, lower_bounds=lower,
                                     upper_bounds=upper * ratio, coef_init=init * ratio)
    np.testing.assert_allclose(c_s / ratio, c0, atol=1e-6 * np.abs(c0).max())
    assert np.all(g_s > 0) and np.all(np.isfinite(g_s))
    # the automatic grid with factors and bounds scales too
    a0 = fastreg.lasso_path(X, y, alphas=3, penalty_factor=factors, upper_bounds=upper)[0]
    a_s = fastreg.lasso_path(X * cx, y * cy, alphas=3, penalty_factor=factors,
                             upper_bounds=upper * ratio)[0]
    np.testing.assert_allclose(a_s / cx / cy, a0, rtol=1e-9)


@pytest.mark.parametrize("cx,cy", SCALES[:4] + [(1e-150, 1e150), (1e150, 1e-150)], ids=IDS[:4] + IDS[7:9])
def test_callback_and_verbose_report_the_callers_scale(cx, cy, capsys):
    X, y = _data(seed=9)
    seen, seen0 = [], []
    fastreg.lasso_path(X, y, alphas=[0.1], tol=TOL,
                       callback=lambda k, a, c, g, n: seen0.append((c, g)))
    fastreg.lasso_path(X * cx, y * cy, alphas=[0.1 * cx * cy], tol=TOL, verbose=2,
                       callback=lambda k, a, c, g, n: seen.append((c, g)))
    (c, g), (c0, g0) = seen[0], seen0[0]
    np.testing.assert_allclose(c / (cy / cx), c0, atol=1e-6 * np.abs(c0).max())
    assert g > 0 and np.isfinite(g)
    assert "gap=" in capsys.readouterr().err


def test_power_of_two_scaling_is_exact():
    # X * 2^a, y * 2^b (rescaled inside) give the digits of X, y (not rescaled)
    X, y = _data(seed=10)
    alphas = np.array([0.5, 0.1, 0.01])
    for a, b in [(-600, 300), (700, -300), (-400, -400), (200, 200), (500, 0)]:
        for kw in (dict(), dict(precompute=False), dict(fit_intercept=True)):
            _, c0, g0 = fastreg.lasso_path(X, y, alphas=alphas, **kw)
            _, c_s, g_s = fastreg.lasso_path(np.ldexp(X, a), np.ldexp(y, b),
                                             alphas=np.ldexp(alphas, a + b), **kw)
            np.testing.assert_array_equal(np.ldexp(c_s, a - b), c0)
            np.testing.assert_array_equal(np.ldexp(g_s, -2 * b), g0)
        # the automatic grid goes through logarithms: equal to rounding
        a0 = fastreg.lasso_path(X, y, alphas=4)[0]
        a_s = fastreg.lasso_path(np.ldexp(X, a), np.ldexp(y, b), alphas=4)[0]
        np.testing.assert_allclose(np.ldexp(a_s, -a - b), a0, rtol=1e-13)


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
def test_stats_route(cx, cy):
    X, y = _data(seed=11)
    X = X + 1.0
    alphas = np.array([0.3, 0.03])
    for fit_intercept in (False, True):
        kw = dict(tol=TOL, fit_intercept=fit_intercept, return_intercept=True)
        _, c0, _, b0 = fastreg.enet_path_from_stats(fastreg.GramStats.from_arrays(X, y),
                                                    l1_ratio=1.0, alphas=alphas, **kw)
        stats = fastreg.GramStats.from_arrays(X * cx, y * cy)
        _, c_s, g_s, b_s = fastreg.enet_path_from_stats(stats, l1_ratio=1.0,
                                                        alphas=alphas * cx * cy, **kw)
        np.testing.assert_allclose(c_s / (cy / cx), c0, atol=1e-6 * np.abs(c0).max())
        np.testing.assert_allclose(b_s / cy, b0, atol=1e-6 * max(np.abs(b0).max(), 1))
        if not fit_intercept:
            _check_path(X, y, alphas, c_s, g_s, c0, cx, cy)
        # the automatic grid, and standardization, from statistics
        a0 = fastreg.enet_path_from_stats(fastreg.GramStats.from_arrays(X, y), l1_ratio=1.0,
                                          alphas=3, standardize=True,
                                          fit_intercept=fit_intercept)[0]
        a_s = fastreg.enet_path_from_stats(stats, l1_ratio=1.0, alphas=3, standardize=True,
                                           fit_intercept=fit_intercept)[0]
        np.testing.assert_allclose(a_s / cy, a0, rtol=1e-9)  # standardized: no cx


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
@pytest.mark.parametrize("shape", [(80, 8), (20, 40)], ids=["stats-route", "rows-route"])
def test_lasso_cv(cx, cy, shape):
    X, y = _data(*shape, seed=12)
    r0 = fastreg.lasso_cv(X, y, cv=4, alphas=8, tol=1e-8, max_iter=20000)
    r = fastreg.lasso_cv(X * cx, y * cy, cv=4, alphas=8, tol=1e-8, max_iter=20000)
    np.testing.assert_allclose(r.alphas / cx / cy, r0.alphas, rtol=1e-9)
    np.testing.assert_allclose(r.mse_path / cy / cy, r0.mse_path, rtol=1e-5, atol=1e-12)
    assert r.best_index == r0.best_index
    np.testing.assert_allclose(r.coef / (cy / cx), r0.coef, atol=1e-6 * np.abs(r0.coef).max())
    np.testing.assert_allclose(r.intercept / cy, r0.intercept, atol=1e-6)


@pytest.mark.parametrize("cx,cy", SCALES, ids=IDS)
def test_estimators(cx, cy):
    X, y = _data(seed=13)
    X, y = X + 0.5, y - 1.0
    ratio = cy / cx
    for make, alpha_kw in [(lambda a: fsk.Lasso(alpha=a, tol=TOL), None),
                           (lambda a: fsk.ElasticNet(alpha=a, l1_ratio=1.0, tol=TOL), None)]:
        m0 = make(0.05).fit(X, y)
        m = make(0.05 * cx * cy).fit(X * cx, y * cy)
        np.testing.assert_allclose(m.coef_ / ratio, m0.coef_, atol=1e-6 * np.abs(m0.coef_).max())
        np.testing.assert_allclose(m.intercept_ / cy, m0.intercept_, atol=1e-6)
        assert m.dual_gap_ > 0
        np.testing.assert_allclose(m.predict(X * cx) / cy, m0.predict(X), atol=1e-6)
    for make in (lambda: fsk.LassoCV(cv=3, alphas=6, tol=1e-8),
                 lambda: fsk.ElasticNetCV(l1_ratio=1.0, cv=3, alphas=6, tol=1e-8)):
        m0 = make().fit(X, y)
        m = make().fit(X * cx, y * cy)
        np.testing.assert_allclose(m.alpha_ / cx / cy, m0.alpha_, rtol=1e-9)
        np.testing.assert_allclose(m.coef_ / ratio, m0.coef_, atol=1e-6 * np.abs(m0.coef_).max())


@pytest.mark.parametrize("c", [1e-85, 1e-150])
def test_issue_examples_against_sklearn(c):
    sklm = pytest.importorskip("sklearn.linear_model")
    rng = np.random.RandomState(0)
    X = rng.randn(50, 10)
    y = X @ rng.randn(10) + rng.randn(50)
    coefs = fastreg.lasso_path(X * c, y * c, alphas=[0.05 * c * c], tol=TOL)[1]
    sk = sklm.lasso_path(X * c, y * c, alphas=[0.05 * c * c], tol=TOL)[1]
    assert np.count_nonzero(coefs) > 0
    np.testing.assert_allclose(coefs, sk, atol=1e-6)
    m = fsk.Lasso(alpha=0.05e-300, tol=TOL).fit(X * 1e-150, y * 1e-150)
    m_sk = sklm.Lasso(alpha=0.05e-300, tol=TOL).fit(X * 1e-150, y * 1e-150)
    np.testing.assert_allclose(m.coef_, m_sk.coef_, atol=1e-6)


def test_unrepresentable_solution_is_an_error():
    X, y = _data(seed=14)
    with pytest.raises(ValueError, match="not representable in float64"):
        fastreg.lasso_path(X * 1e-200, y * 1e200, alphas=[0.05])
    with pytest.raises(ValueError, match="automatic grid cannot be represented"):
        fastreg.lasso_path(X * 1e-200, y * 1e-200, alphas=3)
    with pytest.raises(ValueError, match="not representable in float32"):
        fastreg.lasso_path((X * 1e-20).astype(np.float32), (y * 1e20).astype(np.float32),
                           alphas=[0.05])


def test_data_scale_choice():
    X, y = _data()
    assert data_scale(X, y) is IDENTITY
    assert data_scale(X * 1e-25, y * 1e25) is IDENTITY
    ds = data_scale(X * 2.0**-300, y)
    assert ds.active
    assert 0.5 <= np.max(np.abs(ds.scale_X(X * 2.0**-300))) < 1
    assert 0.5 <= np.max(np.abs(ds.scale_y(y))) < 1
    assert data_scale(np.zeros((3, 2)), np.zeros(3)) is IDENTITY
    assert data_scale(X.astype(np.float32) * 1e-8, y.astype(np.float32)).active
    # weights count: sqrt(s_i) x_i is what the kernels see
    assert data_scale(X, y, np.full(X.shape[0], 1e-250)).active
    # untouched data is not copied
    assert IDENTITY.scale_X(X) is X
    ds = DataScale(3, -2)
    back = ds.then(DataScale(-3, 2))
    assert (back.x_exp, back.y_exp) == (0, 0) and not back.active
    np.testing.assert_array_equal(ds.coef_to_user(ds.coef_to_internal(np.array([1.5, -3.0]))),
                                  [1.5, -3.0])
    assert moments_scale(np.array([1e-300]), 1.0, 10.0).active
    assert moments_scale(np.array([1.0]), 2.0, 10.0) is IDENTITY


def test_no_warning_on_ordinary_data():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastreg.lasso_path(X, y, alphas=3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F", "strided"])
def test_max_abs_one_pass_matches_numpy(dtype, order):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((40, 30)).astype(dtype) * 3.0
    a[7, 5] = -11.0
    if order == "strided":
        a = a[:, ::2]
    else:
        a = np.asarray(a, order=order)
    assert _scaling._max_abs(a) == float(np.max(np.abs(a)))
    assert _scaling._max_abs(sparse.csc_matrix(a)) == float(np.max(np.abs(a)))
    assert _scaling._max_abs(np.arange(-5, 3)) == 5.0  # integers: NumPy's reduction
    assert _scaling._max_abs(np.array([1.0, -np.inf])) == np.inf
    assert _scaling._max_abs(np.empty(0)) == 0.0
