"""float32 data (issue 12, item 3): the accuracy a float32 user gets, and an honest certificate.

Each test solves float32 data and compares with float64 on the same numbers
(converted exactly), and recomputes the duality gap of the returned float32
coefficients in float64 here: the path must reach ``tol`` down to float32's
reach (``FLOAT32_MIN_TOL = 1e-7`` relative to ``||y||^2 / n``), the gap it
reports must be the gap of the coefficients it returns (to rounding), and a
smaller ``tol`` gives exactly one :class:`fastreg.AccuracyWarning` per call
saying what was reached.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg
import fastreg.sklearn as fsk
from fastreg import AccuracyWarning
from fastreg._precision import FLOAT32_MIN_TOL

import reference as ref
from helpers import reference_gap


def _data(n, p, seed, density=None, n_tasks=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if density is not None:
        X[rng.random((n, p)) > density] = 0.0
    shape = (p,) if n_tasks is None else (p, n_tasks)
    w = np.zeros(shape)
    w[:6] = rng.standard_normal(w[:6].shape) * 2
    noise = 0.5 * rng.standard_normal((n,) if n_tasks is None else (n, n_tasks))
    return X.astype(np.float32), (X @ w + noise).astype(np.float32)


ROUTES = {
    "covariance": (lambda: _data(400, 30, 0), dict()),
    "residual": (lambda: _data(400, 30, 0), dict(precompute=False)),
    "wide": (lambda: _data(40, 120, 1), dict()),
    "sparse": (lambda: (lambda X, y: (sparse.csc_matrix(X), y))(*_data(300, 80, 2, 0.1)),
               dict()),
    "multi-task": (lambda: _data(200, 25, 3, n_tasks=3), dict()),
    "multi-task-sparse": (lambda: (lambda X, y: (sparse.csc_matrix(X), y))(
        *_data(200, 40, 4, 0.2, n_tasks=2)), dict()),
    "intercept-standardize": (lambda: _data(400, 30, 5),
                              dict(fit_intercept=True, standardize=True)),
}


def _path(route, tol, l1_ratio=1.0):
    make, kw = ROUTES[route]
    X, y = make()
    X64 = X.astype(np.float64)
    y64 = y.astype(np.float64)
    alphas = fastreg.enet_path(X64, y64, l1_ratio=l1_ratio, alphas=8, eps=1e-2, **kw)[0]
    return X, y, X64, y64, alphas, kw


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_reaches_float32_floor_with_an_honest_certificate(route):
    tol = FLOAT32_MIN_TOL
    X, y, X64, y64, alphas, kw = _path(route, tol)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither ConvergenceWarning nor AccuracyWarning
        _, coefs, gaps = fastreg.lasso_path(X, y, alphas=alphas, tol=tol, **kw)
    assert coefs.dtype == np.float32
    _, ref_coefs, _ = fastreg.lasso_path(X64, y64, alphas=alphas, tol=1e-13, max_iter=100000,
                                         **kw)
    scale = ref.gap_scale(y64)
    if "fit_intercept" not in kw:
        for k, alpha in enumerate(alphas):
            true = reference_gap(X, y, coefs[..., k], alpha, 1.0)
            assert true <= 1.5 * tol * scale
            # the gap reported is that of the float32 coefficients returned (to
            # the rounding of X^T X to float32 in covariance mode: ~eps32/4)
            assert abs(gaps[k] - true) <= 0.4 * tol * scale
    err = np.max(np.abs(coefs - ref_coefs)) / np.max(np.abs(ref_coefs))
    assert err < 1e-5


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_tolerance_below_reach_warns_once(route):
    X, y, X64, y64, alphas, kw = _path(route, 1e-10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, coefs, gaps = fastreg.lasso_path(X, y, alphas=alphas, tol=1e-10, **kw)
    accuracy = [w for w in caught if issubclass(w.category, AccuracyWarning)]
    assert len(accuracy) == 1 and len(caught) == 1  # and no ConvergenceWarning
    message = str(accuracy[0].message)
    assert "tol=1e-10" in message and "float32" in message
    reached = float(np.max(gaps)) / ref.gap_scale(y64)
    assert f"{reached:.3g}" in message
    assert reached <= 1.5 * FLOAT32_MIN_TOL


def test_enet_and_float64_untouched():
    X, y, X64, y64, alphas, kw = _path("covariance", 1e-7, l1_ratio=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, c32, g32 = fastreg.enet_path(X, y, l1_ratio=0.5, alphas=alphas, tol=1e-7)
        # float64 data has no floor: a tiny tol is simply met
        _, c64, g64 = fastreg.enet_path(X64, y64, l1_ratio=0.5, alphas=alphas, tol=1e-12)
    scale = ref.gap_scale(y64)
    assert np.max(g64) <= 1e-12 * scale
    for k, alpha in enumerate(alphas):
        assert reference_gap(X, y, c32[:, k], alpha, 0.5) <= 1.5e-7 * scale
    assert np.max(np.abs(c32 - c64)) <= 1e-5 * np.max(np.abs(c64))


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_statistics_route(fit_intercept):
    X, y = _data(500, 20, 6)
    stats = fastreg.GramStats.from_arrays(X, y)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    alphas = fastreg.lasso_path(X64, y64, alphas=6, eps=1e-2)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, c, g = fastreg.lasso_path_from_stats(stats, alphas=alphas, tol=1e-7,
                                                fit_intercept=fit_intercept)
    assert c.dtype == np.float32
    if not fit_intercept:
        scale = ref.gap_scale(y64)
        for k, alpha in enumerate(alphas):
            true = reference_gap(X, y, c[:, k], alpha, 1.0)
            assert true <= 1.5e-7 * scale and abs(g[k] - true) <= 2e-8 * scale
    with pytest.warns(AccuracyWarning, match="tol=1e-10"):
        fastreg.lasso_path_from_stats(stats, alphas=alphas, tol=1e-10)


def test_lasso_cv_matches_float64():
    X, y = _data(300, 20, 7)
    r32 = fastreg.lasso_cv(X, y, cv=4, alphas=20)
    r64 = fastreg.lasso_cv(X.astype(np.float64), y.astype(np.float64), cv=4, alphas=20)
    assert r32.alpha == pytest.approx(r64.alpha, rel=1e-6)
    assert r32.coef.dtype == np.float32
    np.testing.assert_allclose(r32.coef, r64.coef, atol=1e-4 * np.abs(r64.coef).max())


def test_ridge_functions_match_float64():
    X, y = _data(300, 20, 8)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    alphas = np.array([1e-3, 1.0, 1e3])
    for a in alphas:
        w32 = fastreg.ridge_regression(X, y, alpha=a)
        w64 = fastreg.ridge_regression(X64, y64, alpha=a)
        assert w32.dtype == np.float32
        np.testing.assert_allclose(w32, w64, rtol=0, atol=1e-6 * np.abs(w64).max())
    p32, p64 = fastreg.ridge_path(X, y, alphas), fastreg.ridge_path(X64, y64, alphas)
    np.testing.assert_allclose(p32, p64, rtol=0, atol=1e-6 * np.abs(p64).max())
    c32, c64 = fastreg.ridge_cv(X, y, alphas=alphas), fastreg.ridge_cv(X64, y64, alphas=alphas)
    assert c32.alpha == c64.alpha
    np.testing.assert_allclose(c32.coef, c64.coef, rtol=0, atol=1e-6 * np.abs(c64.coef).max())


def test_estimator_warns_once_per_target():
    X, y = _data(200, 15, 9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = fsk.Lasso(alpha=0.01, tol=1e-7).fit(X, y)
    assert m.coef_.dtype == np.float32
    with pytest.warns(AccuracyWarning) as record:
        fsk.Lasso(alpha=0.01, tol=1e-10).fit(X, y)
    assert len([w for w in record if issubclass(w.category, AccuracyWarning)]) == 1


def test_lasso_cv_rows_route_warns_once():
    # p > n: the folds run on rows in float32; one AccuracyWarning for the call
    rng = np.random.default_rng(10)
    X = rng.standard_normal((40, 60)).astype(np.float32)
    y = (X[:, :3] @ np.array([1.0, 2.0, 3.0]) + 0.1 * rng.standard_normal(40)).astype(
        np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fastreg.lasso_cv(X, y, cv=3, alphas=8, tol=1e-10, max_iter=20000)
    accuracy = [w for w in caught if issubclass(w.category, AccuracyWarning)]
    assert len(accuracy) == 1 and "tol=1e-10" in str(accuracy[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AccuracyWarning)
        fastreg.lasso_cv(X, y, cv=3, alphas=8, tol=1e-7, max_iter=20000)


def test_tol_zero_is_taken_as_asked():
    # scikit-learn's tol=0 means "run max_iter sweeps": no AccuracyWarning, the
    # ConvergenceWarning scikit-learn's tests expect
    X, y = _data(100, 10, 11)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fastreg.lasso_path(X, y, alphas=[0.01], tol=0.0, max_iter=3)
    assert [w.category.__name__ for w in caught] == ["ConvergenceWarning"]
