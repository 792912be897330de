"""Solvers fed from GramStats equal the in-memory solvers, and are certified independently."""

import warnings

import numpy as np
import pytest
import scipy.linalg

import fastreg
import reference as ref
from fastreg import (
    GramStats,
    enet_path_from_stats,
    lasso_path_from_stats,
    ridge_cv_from_stats,
    ridge_path_from_stats,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    n, p = 400, 25
    X = rng.standard_normal((n, p)) + rng.uniform(-3, 3, p)
    w = np.zeros(p)
    w[:6] = [2.0, -1.5, 1.0, 0.5, -0.25, 3.0]
    y = X @ w + 5.0 + rng.standard_normal(n)
    sw = rng.uniform(0.1, 2.0, n)
    return X, y, sw


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_enet_path_from_stats_equals_in_memory(data, l1_ratio, weighted):
    X, y, sw = data
    sw = sw if weighted else None
    stats = GramStats.from_arrays(X, y, sample_weight=sw, block_size=64)
    tol = 1e-11
    a1, c1, g1 = enet_path_from_stats(stats, l1_ratio=l1_ratio, alphas=30, tol=tol,
                                      max_iter=10000)
    a2, c2, g2 = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=30, tol=tol,
                                   sample_weight=sw, max_iter=10000)
    np.testing.assert_allclose(a1, a2, rtol=1e-12)
    scale = ref.gap_scale(y, sw)
    for k, alpha in enumerate(a1):
        # independent certificate from the rows, and objective agreement
        gap = ref.duality_gap(X, y, c1[:, k], alpha, l1_ratio, sample_weight=sw)
        assert gap <= 2 * tol * scale
        assert abs(gap - g1[k]) <= 1e-9 * scale
        assert ref.kkt_violation(X, y, c1[:, k], alpha, l1_ratio, sample_weight=sw) < 1e-4
        p1 = ref.enet_objective(X, y, c1[:, k], alpha, l1_ratio, sample_weight=sw)
        p2 = ref.enet_objective(X, y, c2[:, k], alpha, l1_ratio, sample_weight=sw)
        assert abs(p1 - p2) <= 2 * tol * scale
    np.testing.assert_allclose(c1, c2, atol=1e-6)


def test_lasso_path_from_stats_with_intercept_equals_centered_data(data):
    X, y, sw = data
    stats = GramStats.from_arrays(X, y)
    alphas, coefs, gaps, n_iters, intercepts = lasso_path_from_stats(
        stats, fit_intercept=True, alphas=20, tol=1e-12, return_n_iter=True,
        return_intercept=True)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    a2, c2, _ = fastreg.lasso_path(Xc, yc, alphas=20, tol=1e-12)
    np.testing.assert_allclose(alphas, a2, rtol=1e-12)
    np.testing.assert_allclose(coefs, c2, atol=1e-7)
    np.testing.assert_allclose(intercepts, y.mean() - X.mean(axis=0) @ coefs, rtol=1e-12)
    assert len(n_iters) == 20
    for k in range(20):
        assert ref.duality_gap(Xc, yc, coefs[:, k], alphas[k], 1.0) <= 2e-12 * ref.gap_scale(yc)


def test_path_from_stats_positive_and_explicit_grid(data):
    X, y, _ = data
    stats = GramStats.from_arrays(X, y)
    grid = [0.5, 0.05, 0.2]
    a, c, g = enet_path_from_stats(stats, alphas=grid, positive=True, tol=1e-12, l1_ratio=0.7)
    np.testing.assert_array_equal(a, np.sort(grid)[::-1])
    assert np.all(c >= 0)
    for k in range(3):
        assert ref.kkt_violation(X, y, c[:, k], a[k], 0.7, positive=True) < 1e-5


def test_path_from_stats_errors_and_warnings(data):
    X, y, _ = data
    stats = GramStats.from_arrays(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="2 targets"):
        lasso_path_from_stats(stats)
    one = stats.target(1)
    lasso_path_from_stats(one, alphas=3)
    with pytest.raises(TypeError, match="GramStats"):
        lasso_path_from_stats(X)
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_path_from_stats(one, l1_ratio=2.0)
    with pytest.raises(TypeError, match="l1_ratio"):
        lasso_path_from_stats(one, l1_ratio=0.5)
    with pytest.warns(fastreg.ConvergenceWarning):
        lasso_path_from_stats(one, alphas=5, eps=1e-4, tol=1e-15, max_iter=1)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_ridge_path_from_stats_equals_normal_equations(data, fit_intercept):
    X, y, sw = data
    Y = np.column_stack([y, y**2 / 10])
    alphas = np.array([1e-6, 0.3, 30.0])
    stats = GramStats.from_arrays(X, Y, sample_weight=sw)
    coefs, offsets = ridge_path_from_stats(stats, alphas, fit_intercept=fit_intercept,
                                           return_intercept=True)
    got = fastreg.ridge_path(X, Y, alphas, fit_intercept=fit_intercept, sample_weight=sw)
    np.testing.assert_allclose(coefs, got, rtol=1e-8, atol=1e-10)
    for k, alpha in enumerate(alphas):
        if fit_intercept:
            mx, my = sw @ X / sw.sum(), sw @ Y / sw.sum()
            Xc, Yc = X - mx, Y - my
        else:
            Xc, Yc = X, Y
        want = scipy.linalg.solve((Xc.T * sw) @ Xc + alpha * np.eye(X.shape[1]),
                                  (Xc.T * sw) @ Yc, assume_a="pos")
        np.testing.assert_allclose(coefs[k], want.T, rtol=1e-7, atol=1e-9)
        expected_b = (my - mx @ want) if fit_intercept else np.zeros(2)
        np.testing.assert_allclose(offsets[k], expected_b, rtol=1e-7, atol=1e-9)


def test_ridge_cv_from_stats_gcv_and_kfold(data):
    X, y, sw = data
    alphas = np.logspace(-3, 3, 13)
    stats = GramStats.from_arrays(X, y, sample_weight=sw)
    gcv = ridge_cv_from_stats(stats, alphas)
    want = fastreg.ridge_cv(X, y, alphas, criterion="gcv", sample_weight=sw)
    np.testing.assert_allclose(gcv.cv_error, want.cv_error, rtol=1e-9)
    assert gcv.alpha == want.alpha and gcv.criterion == "gcv"
    np.testing.assert_allclose(gcv.coef, want.coef, rtol=1e-9)
    folds = np.arange(X.shape[0]) % 5
    parts = GramStats.from_folds(X, y, folds, sample_weight=sw)
    kf = ridge_cv_from_stats(parts, alphas)
    # brute force: refit each fold on its rows
    errs = np.empty((alphas.size, 5))
    for k in range(5):
        tr, te = folds != k, folds == k
        coefs, offsets = fastreg.ridge_path(X[tr], y[tr], alphas, fit_intercept=True,
                                            sample_weight=sw[tr], return_intercept=True)
        resid = y[te][None, :] - coefs @ X[te].T - offsets[:, None]
        errs[:, k] = (resid**2 * sw[te]).sum(axis=1) / sw[te].sum()
    np.testing.assert_allclose(kf.cv_results, errs, rtol=1e-8)
    np.testing.assert_allclose(kf.cv_error, errs.mean(axis=1), rtol=1e-8)
    assert kf.alpha == alphas[np.argmin(errs.mean(axis=1))]
    with pytest.raises(ValueError, match="at least 2 folds"):
        ridge_cv_from_stats(parts[:1], alphas)


def test_ridge_cv_kfold_matches_sklearn(data):
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold

    X, y, _ = data
    alphas = np.logspace(-2, 4, 25)
    res = fastreg.ridge_cv(X, y, alphas, cv=KFold(5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = RidgeCV(alphas=alphas, cv=KFold(5), scoring="neg_mean_squared_error").fit(X, y)
    assert res.alpha == sk.alpha_ and res.criterion == "kfold"
    np.testing.assert_allclose(res.coef, sk.coef_, rtol=1e-9)
    np.testing.assert_allclose(res.intercept, sk.intercept_, rtol=1e-9)
    np.testing.assert_allclose(res.cv_error.min(), -sk.best_score_, rtol=1e-9)


# ----------------------------------------------------- fastreg's options from statistics


def _scaled_problem(X, y, sw, fit_intercept, standardize, lower, upper, coefs):
    """The explicitly centered / scaled data and the coefficients and box on its scale."""
    Xs, ys, _, scale, _ = ref.center_scale(X, y, sw, fit_intercept=fit_intercept,
                                           standardize=standardize)
    return Xs, ys, coefs * scale[:, None], lower * scale, upper * scale


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("standardize", [False, True])
def test_options_from_stats_equal_in_memory_and_are_optimal(fit_intercept, standardize):
    rng = np.random.default_rng(3)
    n, p = 300, 6
    X = rng.standard_normal((n, p)) * rng.uniform(0.3, 4.0, p) + rng.uniform(-3, 3, p)
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 0.3, 0.0]) + 2.0 + rng.standard_normal(n)
    sw = rng.uniform(0.2, 2.0, n)
    factors = np.array([0.0, 1.0, 1.0, 2.0, 0.5, np.inf])
    lower = np.array([-np.inf, -0.5, 0.0, -1.0, -np.inf, -1.0])
    upper = np.array([np.inf, np.inf, 0.4, 1.0, 0.1, 1.0])
    opts = dict(l1_ratio=0.7, alphas=12, tol=1e-13, max_iter=100000, penalty_factor=factors,
                lower_bounds=lower, upper_bounds=upper, fit_intercept=fit_intercept,
                standardize=standardize, return_intercept=True)
    stats = GramStats.from_arrays(X, y, sample_weight=sw, block_size=50)
    a1, c1, g1, b1 = enet_path_from_stats(stats, **opts)
    a2, c2, g2, b2 = fastreg.enet_path(X, y, sample_weight=sw, **opts)
    np.testing.assert_allclose(a1, a2, rtol=1e-10)
    np.testing.assert_allclose(c1, c2, atol=1e-7)
    np.testing.assert_allclose(b1, b2, atol=1e-6)
    assert np.all(c1[5] == 0) and np.all(c1 >= lower[:, None]) and np.all(c1 <= upper[:, None])
    # independent certificate on the explicitly centered / scaled data: the
    # weighted KKT conditions, and the exact optimum over the box's faces
    Xs, ys, cs, lo, hi = _scaled_problem(X, y, sw, fit_intercept, standardize, lower, upper,
                                         c1)
    for k in (0, 4, 11):
        kkt = ref.box_kkt_violation(Xs, ys, cs[:, k], a1[k], 0.7, factors, lo, hi,
                                    sample_weight=sw)
        assert kkt < 1e-5
        _, best = ref.box_exact(Xs, ys, a1[k], 0.7, factors, lo, hi, sample_weight=sw)
        got = ref.box_objective(Xs, ys, cs[:, k], a1[k], 0.7, factors, lo, hi,
                                sample_weight=sw)
        assert got - best <= 1e-10 * ref.gap_scale(ys, sw)
    if fit_intercept:
        np.testing.assert_allclose(b1, np.average(y, weights=sw) - np.average(X, axis=0,
                                   weights=sw) @ c1, atol=1e-10)


def test_path_controls_from_stats():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 30))
    y = X[:, :10] @ rng.uniform(1, 2, 10) + rng.standard_normal(200)
    stats = GramStats.from_arrays(X, y)
    alphas, coefs, gaps = enet_path_from_stats(stats, alphas=50, max_features=4)
    assert np.count_nonzero(coefs[:, -1]) > 4 >= np.count_nonzero(coefs[:, -2])
    assert alphas.shape[0] == coefs.shape[1] == gaps.shape[0] < 50
    full = enet_path_from_stats(stats, alphas=50)
    np.testing.assert_allclose(coefs, full[1][:, :coefs.shape[1]], atol=1e-12)
    seen = []

    def stop_at_three(index, alpha, coef, gap, n_active):
        seen.append(coef.copy())
        return index == 2

    out = enet_path_from_stats(stats, alphas=50, standardize=True, callback=stop_at_three)
    assert out[0].shape == (3,) and len(seen) == 3
    np.testing.assert_allclose(seen[-1], out[1][:, -1])  # original scale, like the result
    short = enet_path_from_stats(stats, alphas=50, min_dev_change=1e-3)
    assert 1 < short[0].shape[0] < 50


def test_options_from_stats_bad_input():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((40, 4)), rng.standard_normal(40)
    stats = GramStats.from_arrays(X, y)
    with pytest.raises(ValueError, match="penalty_factor"):
        enet_path_from_stats(stats, penalty_factor=[1.0, 1.0])
    with pytest.raises(ValueError, match="penalty_factor"):
        enet_path_from_stats(stats, penalty_factor=[1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="lower"):
        enet_path_from_stats(stats, lower_bounds=[0.0, -1.0, 0.5, 0.0], upper_bounds=1.0)
    with pytest.raises(ValueError, match="max_features"):
        enet_path_from_stats(stats, max_features=-1)
