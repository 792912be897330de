"""lasso_cv / enet_cv against scikit-learn's LassoCV / ElasticNetCV on the same folds and grid."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNetCV, LassoCV
from sklearn.model_selection import KFold

import fastreg
import reference as ref
from fastreg import GramStats, enet_cv, enet_cv_from_stats, lasso_cv, lasso_cv_from_stats
from fastreg.cv import choose_cv_route
from fastreg.folds import kfold_ids, one_standard_error

TIGHT = dict(tol=1e-12, max_iter=100000)


def make(n, p, seed=0, shift=2.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift
    w = np.zeros(p)
    w[: min(p, 6)] = [1.5, -2.0, 1.0, 0.5, -0.3, 0.2][: min(p, 6)]
    y = X @ w + 3.0 + rng.standard_normal(n)
    return X, y, rng.uniform(0.2, 2.0, n)


def assert_matches_sklearn(res, sk, *, coef_atol=1e-8):
    assert res.alpha == pytest.approx(sk.alpha_, rel=1e-12)
    np.testing.assert_allclose(res.alphas, sk.alphas_, rtol=1e-12)
    np.testing.assert_allclose(res.mse_path, sk.mse_path_, rtol=1e-7)
    np.testing.assert_allclose(res.coef, sk.coef_, atol=coef_atol)
    assert res.intercept == pytest.approx(sk.intercept_, abs=10 * coef_atol)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_cv_matches_sklearn_tall(weighted, fit_intercept):
    X, y, sw = make(600, 30)
    sw = sw if weighted else None
    res = lasso_cv(X, y, cv=5, alphas=40, fit_intercept=fit_intercept, sample_weight=sw,
                   **TIGHT)
    sk = LassoCV(cv=5, alphas=40, fit_intercept=fit_intercept, **TIGHT).fit(
        X, y, sample_weight=sw)
    assert_matches_sklearn(res, sk)
    assert res.folds is not None and np.array_equal(res.folds, kfold_ids(600, 5))
    # the refit is certified on the rows by an independent gap
    S = 600.0 if sw is None else sw.sum()
    w_rows = None if sw is None else sw * (600 / S)
    Xc = X - (np.average(X, axis=0, weights=sw) if fit_intercept else 0)
    yc = y - (np.average(y, weights=sw) if fit_intercept else 0)
    gap = ref.duality_gap(Xc, yc, res.coef, res.alpha, 1.0, sample_weight=w_rows)
    assert gap <= 2e-12 * ref.gap_scale(yc, w_rows)


@pytest.mark.parametrize("sparse_X", [False, True])
def test_lasso_cv_matches_sklearn_wide(sparse_X):
    """More features than samples: each fold runs the path on its rows."""
    X, y, _ = make(80, 120, seed=1)
    assert choose_cv_route(*X.shape) == "rows"
    Xin = sp.csc_matrix(np.where(np.abs(X - 2) > 1.0, X, 0.0)) if sparse_X else X
    res = lasso_cv(Xin, y, cv=4, alphas=30, eps=0.02, **TIGHT)
    sk = LassoCV(cv=4, alphas=30, eps=0.02, **TIGHT).fit(Xin, y)
    assert_matches_sklearn(res, sk, coef_atol=1e-7)


def test_enet_cv_l1_ratio_list_and_shuffled_splitter():
    X, y, _ = make(500, 20, seed=2)
    cv = KFold(4, shuffle=True, random_state=0)
    res = enet_cv(X, y, l1_ratio=[0.1, 0.5, 0.95], cv=cv, alphas=25, **TIGHT)
    sk = ElasticNetCV(l1_ratio=[0.1, 0.5, 0.95], cv=cv, alphas=25, **TIGHT).fit(X, y)
    assert res.l1_ratio == sk.l1_ratio_
    assert res.alphas.shape == (3, 25) and res.mse_path.shape == (3, 25, 4)
    assert_matches_sklearn(res, sk)


def test_explicit_fold_ids_and_alphas_and_positive():
    X, y, _ = make(300, 12, seed=3)
    folds = np.random.default_rng(0).permutation(np.arange(300) % 3)
    grid = [0.3, 0.01, 0.1, 0.03]
    res = enet_cv(X, y, cv=folds, alphas=grid, l1_ratio=0.7, positive=True, **TIGHT)
    splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(3)]
    sk = ElasticNetCV(cv=splits, alphas=grid, l1_ratio=0.7, positive=True, **TIGHT).fit(X, y)
    assert_matches_sklearn(res, sk)
    assert np.all(res.coefs >= 0)


def test_one_standard_error_rule():
    X, y, _ = make(400, 15, seed=4)
    res = lasso_cv(X, y, cv=10, alphas=30, **TIGHT)
    mean = res.mse_path.mean(axis=1)
    se = res.mse_path.std(axis=1, ddof=1) / np.sqrt(10)
    np.testing.assert_allclose(res.cv_mean, mean, rtol=1e-14)
    np.testing.assert_allclose(res.cv_std_error, se, rtol=1e-12)
    best = int(np.argmin(mean))
    assert res.best_index == best and res.alpha == res.alphas[best]
    within = [k for k in range(30) if mean[k] <= mean[best] + se[best]]
    assert res.alpha_1se == res.alphas[min(within)] >= res.alpha
    np.testing.assert_array_equal(res.coef, res.coefs[:, best])
    assert res.dual_gap == res.dual_gaps[best] and res.n_iter == res.n_iters[best]
    assert one_standard_error(np.array([2.4, 1.0, 2.0]), np.array([0, 1.5, 0])) == (1, 0)
    assert one_standard_error(np.array([3.0, 1.0, 2.0]), np.array([0, 1.5, 0])) == (1, 1)


def test_cv_from_stats_equals_cv_from_arrays():
    X, y, sw = make(500, 10, seed=5)
    folds = kfold_ids(500, 5)
    parts = GramStats.from_folds(X, y, folds, sample_weight=sw)
    a = lasso_cv_from_stats(parts, alphas=20, **TIGHT)
    b = lasso_cv(X, y, cv=5, alphas=20, sample_weight=sw, **TIGHT)
    np.testing.assert_allclose(a.mse_path, b.mse_path, rtol=1e-12)
    np.testing.assert_allclose(a.coefs, b.coefs, rtol=1e-12, atol=1e-15)
    assert a.alpha == b.alpha and a.folds is None
    c = enet_cv_from_stats(parts, l1_ratio=0.5, alphas=20, **TIGHT)
    d = enet_cv(X, y, l1_ratio=0.5, cv=5, alphas=20, sample_weight=sw, **TIGHT)
    np.testing.assert_allclose(c.cv_mean, d.cv_mean, rtol=1e-12)


def test_float32_returns_float32():
    X, y, _ = make(300, 8, seed=6)
    res = lasso_cv(X.astype(np.float32), y.astype(np.float32), cv=3, alphas=10)
    assert res.coef.dtype == np.float32 and res.coefs.dtype == np.float32


def test_cv_errors():
    X, y, _ = make(50, 5)
    with pytest.raises(ValueError, match="at least 2"):
        lasso_cv(X, y, cv=1)
    with pytest.raises(ValueError, match="only 50 samples"):
        lasso_cv(X, y, cv=51)
    with pytest.raises(ValueError, match="shape"):
        lasso_cv(X, y, cv=np.zeros(49, dtype=int))
    with pytest.raises(ValueError, match="overlap"):
        lasso_cv(X, y, cv=[(np.arange(25), np.arange(30)), (np.arange(25), np.arange(25))])
    with pytest.raises(ValueError, match="cover"):
        lasso_cv(X, y, cv=[(np.arange(25, 50), np.arange(25))])
    with pytest.raises(ValueError, match="single target"):
        lasso_cv(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_cv(X, y, l1_ratio=[0.5, 1.5])
    with pytest.raises(TypeError, match="l1_ratio"):
        lasso_cv(X, y, l1_ratio=0.5)
    with pytest.raises(ValueError, match="at least 2 folds"):
        lasso_cv_from_stats([GramStats.from_arrays(X, y)])
    with pytest.raises(ValueError, match="NaN"):
        lasso_cv(np.where(X > 3, np.nan, X), y)


def test_cv_does_not_modify_inputs():
    X, y, sw = make(200, 6)
    copies = X.copy(), y.copy(), sw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enet_cv(X, y, sample_weight=sw, cv=4, alphas=10)
    for before, after in zip(copies, (X, y, sw)):
        np.testing.assert_array_equal(before, after)
    assert fastreg.EnetCVResult.__dataclass_fields__["alpha_1se"]


# ------------------------------------------------- fastreg's options on the CV functions


def _manual_cv(X, y, sw, folds, alphas, **options):
    """Each fold fit by enet_path on its rows (weights rescaled as sklearn), scored by hand."""
    mse = np.empty((alphas.shape[0], folds.max() + 1))
    for k in range(folds.max() + 1):
        train, test = folds != k, folds == k
        w = sw[train] * train.sum() / sw[train].sum()
        _, coefs, _, b = fastreg.enet_path(X[train], y[train], alphas=alphas,
                                           sample_weight=w, fit_intercept=True,
                                           return_intercept=True, **options, **TIGHT)
        resid = np.asarray(X[test] @ coefs) + b - y[test][:, None]
        mse[:, k] = np.average(resid**2, axis=0, weights=sw[test])
    return mse


@pytest.mark.parametrize("route", ["stats", "rows", "rows-sparse"])
@pytest.mark.parametrize("standardize", [False, True])
def test_cv_options_equal_fold_by_fold_paths(monkeypatch, route, standardize):
    rng = np.random.default_rng(7)
    n, p = 150, 8
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-2, 2, p)
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 3.0 + rng.standard_normal(n)
    sw = rng.uniform(0.5, 2.0, n)
    folds = np.arange(n) % 4
    options = dict(l1_ratio=0.7, penalty_factor=np.r_[0.0, np.ones(p - 2), 2.0],
                   lower_bounds=-0.3, standardize=standardize)
    if route != "stats":
        monkeypatch.setattr(fastreg.cv, "choose_cv_route", lambda n, p: "rows")
    Xr = sp.csc_matrix(X) if route == "rows-sparse" else X
    res = enet_cv(Xr, y, cv=folds, alphas=15, sample_weight=sw, **options, **TIGHT)
    # the grid is the one enet_path starts from on all data (weights summing to n)
    grid = fastreg.enet_path(X, y, alphas=15, sample_weight=sw * n / sw.sum(),
                             fit_intercept=True, **options, **TIGHT)[0]
    np.testing.assert_allclose(res.alphas, grid, rtol=1e-10)
    # mse within what the gap tolerance allows (an objective gap of 1e-12 moves
    # a coefficient by about its square root on this conditioning)
    np.testing.assert_allclose(res.mse_path, _manual_cv(X, y, sw, folds, grid, **options),
                               rtol=1e-5)
    refit = fastreg.enet_path(X, y, alphas=grid, sample_weight=sw * n / sw.sum(),
                              fit_intercept=True, return_intercept=True, **options, **TIGHT)
    # the refit: same objective (coefficients agree to about the square root of the gap)
    w = sw * n / sw.sum()
    Xs, ys, _, scale, _ = ref.center_scale(X, y, w, standardize=standardize)
    for k, alpha in enumerate(grid):
        objectives = [ref.box_objective(Xs, ys, c[:, k] * scale, alpha, 0.7,
                                        options["penalty_factor"], -0.3 * scale, None,
                                        sample_weight=w) for c in (res.coefs, refit[1])]
        assert abs(objectives[0] - objectives[1]) <= 1e-11 * ref.gap_scale(ys, w)
    np.testing.assert_allclose(res.coefs, refit[1], atol=1e-5)
    np.testing.assert_allclose(res.intercepts, refit[3], atol=1e-5)
    assert np.all(res.coefs >= -0.3 - 1e-12)


def test_cv_options_from_stats_equal_from_arrays_and_reach_the_estimator():
    X, y, sw = make(300, 7, seed=8)
    folds = kfold_ids(300, 5)
    factors = np.array([0.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0])
    options = dict(penalty_factor=factors, upper_bounds=1.2, standardize=True)
    a = lasso_cv(X, y, cv=folds, alphas=20, sample_weight=sw, **options, **TIGHT)
    b = lasso_cv_from_stats(GramStats.from_folds(X, y, folds, sample_weight=sw), alphas=20,
                            **options, **TIGHT)
    np.testing.assert_allclose(a.mse_path, b.mse_path, rtol=1e-10)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-10)
    assert a.coef[0] != 0 and np.all(a.coefs <= 1.2 + 1e-12)
    from fastreg.sklearn import LassoCV as FastLassoCV

    est = FastLassoCV(cv=KFold(5), alphas=20, tol=1e-12, max_iter=100000,
                      **options).fit(X, y, sample_weight=sw)
    assert est.alpha_ == pytest.approx(a.alpha, rel=1e-12)
    np.testing.assert_allclose(est.coef_, a.coef, atol=1e-8)


def test_cv_options_bad_input():
    X, y, _ = make(60, 5)
    with pytest.raises(ValueError, match="penalty_factor"):
        lasso_cv(X, y, penalty_factor=np.ones(4))
    with pytest.raises(ValueError, match="lower"):
        lasso_cv(X, y, lower_bounds=1.0)
    with pytest.raises(ValueError, match="penalty_factor"):
        lasso_cv_from_stats(GramStats.from_folds(X, y, kfold_ids(60, 3)),
                            penalty_factor=[1, 1, 1, np.nan, 1])
