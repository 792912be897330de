"""ridge_regression, ridge_path and ridge_cv against scikit-learn and direct references."""

import warnings

import numpy as np
import pytest
from scipy import linalg, sparse
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.linear_model import ridge_regression as sk_ridge_regression

import fastreg
from fastreg.ridge.loo import select
from fastreg.ridge.solve import resolve_method
from fastreg.ridge.systems import choose_form
from helpers import make_ridge_data

SHAPES = [(60, 8), (15, 40)]  # n > p (primal) and p > n (dual)


def normal_equations(X, Y, alpha, sw=None, intercept=False):
    """Reference: scipy.linalg.solve on the (weighted, centered) normal equations."""
    sw = np.ones(X.shape[0]) if sw is None else sw
    Y2 = Y.reshape(len(Y), -1)
    xm = np.average(X, axis=0, weights=sw) if intercept else np.zeros(X.shape[1])
    ym = np.average(Y2, axis=0, weights=sw) if intercept else np.zeros(Y2.shape[1])
    Xc, Yc = X - xm, Y2 - ym
    G = Xc.T @ (sw[:, None] * Xc)
    B = Xc.T @ (sw[:, None] * Yc)
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (Y2.shape[1],))
    W = np.column_stack([linalg.solve(G + a * np.eye(len(G)), B[:, t], assume_a="pos")
                         for t, a in enumerate(alpha)])
    return W.T, ym - W.T @ xm


# --------------------------------------------------------------------------- helpers


def test_choose_form():
    assert choose_form(100, 10) == "primal"
    assert choose_form(10, 10) == "primal"
    assert choose_form(10, 100) == "dual"


def test_resolve_method_follows_sklearn_rules():
    kw = dict(is_sparse=False, alpha_is_zero=False)
    assert resolve_method("auto", positive=False, return_intercept=False, **kw) == "cholesky"
    assert resolve_method("sag", positive=False, return_intercept=True, **kw) == "cholesky"
    assert resolve_method("svd", positive=False, return_intercept=False, **kw) == "svd"
    assert resolve_method("auto", positive=True, return_intercept=False, **kw) == "positive"
    assert resolve_method("lsqr", positive=False, return_intercept=False, is_sparse=False,
                          alpha_is_zero=True) == "eigen"
    with pytest.raises(ValueError, match="only 'lbfgs'"):
        resolve_method("cholesky", positive=True, return_intercept=False, **kw)
    with pytest.raises(ValueError, match="only when positive=True"):
        resolve_method("lbfgs", positive=False, return_intercept=False, **kw)
    with pytest.raises(ValueError, match="only 'sag'"):
        resolve_method("cholesky", positive=False, return_intercept=True, **kw)


def test_select_ties_go_first_and_nan_never_wins():
    err = np.array([[np.nan, 2.0], [1.0, 1.0], [1.0, 0.5]])
    np.testing.assert_array_equal(select(err, per_target=True), [1, 2])
    np.testing.assert_array_equal(select(err, per_target=False), [2, 2])


# --------------------------------------------------------------------------- ridge_regression


@pytest.mark.parametrize("n, p", SHAPES)
@pytest.mark.parametrize("solver", ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag",
                                    "saga"])
def test_ridge_regression_matches_sklearn_direct_solvers(n, p, solver):
    X, Y, sw = make_ridge_data(n, p, n_targets=3, seed=1)
    alpha = [0.5, 1.0, 4.0]
    got = fastreg.ridge_regression(X, Y, alpha, sample_weight=sw, solver=solver)
    expected = sk_ridge_regression(X, Y, alpha, sample_weight=sw, solver="cholesky")
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    ref, _ = normal_equations(X, Y, alpha, sw)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_regression_layouts(n, p):
    X, y, _ = make_ridge_data(n, p, seed=2)
    coef = fastreg.ridge_regression(X, y, 1.0)
    assert coef.shape == (p,)
    coef1 = fastreg.ridge_regression(X, y[:, None], 1.0)  # one column -> 1-D, as sklearn
    assert coef1.shape == (p,)
    out = fastreg.ridge_regression(X, y, 1.0, return_n_iter=True, return_intercept=True)
    assert len(out) == 3 and out[1] is None and np.ndim(out[2]) == 0
    coef2, intercept2 = fastreg.ridge_regression(X, np.column_stack([y, y]), 1.0,
                                                 return_intercept=True)
    assert coef2.shape == (2, p) and intercept2.shape == (2,)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_regression_intercept_matches_ridge(n, p):
    X, Y, sw = make_ridge_data(n, p, n_targets=2, seed=3, offset=5.0)
    coef, intercept = fastreg.ridge_regression(X, Y, 2.0, sample_weight=sw,
                                               return_intercept=True)
    model = Ridge(alpha=2.0, solver="svd").fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(coef, model.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(intercept, model.intercept_, rtol=1e-9, atol=1e-10)
    if p > n:
        return  # SAG does not converge in reasonable time on this wide problem
    # sklearn's own route for return_intercept (SAG) agrees to its tolerance
    sk_coef, sk_intercept = sk_ridge_regression(X, Y, 2.0, sample_weight=sw,
                                                return_intercept=True, tol=1e-12,
                                                max_iter=100000, random_state=0)
    np.testing.assert_allclose(coef, sk_coef, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(intercept, sk_intercept, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_regression_sparse_and_float32(n, p):
    X, Y, sw = make_ridge_data(n, p, n_targets=2, seed=4)
    X[np.abs(X) < 1.0] = 0.0
    expected = sk_ridge_regression(X, Y, 1.5, sample_weight=sw)
    got = fastreg.ridge_regression(sparse.csr_matrix(X), Y, 1.5, sample_weight=sw)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    coef, intercept = fastreg.ridge_regression(sparse.csr_matrix(X), Y, 1.5,
                                               return_intercept=True)
    model = Ridge(alpha=1.5).fit(X, Y)
    np.testing.assert_allclose(coef, model.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(intercept, model.intercept_, rtol=1e-9, atol=1e-11)
    got32 = fastreg.ridge_regression(X.astype(np.float32), Y.astype(np.float32), 1.5)
    assert got32.dtype == np.float32
    sk32 = sk_ridge_regression(X.astype(np.float32), Y.astype(np.float32), 1.5)
    assert sk32.dtype == np.float32
    np.testing.assert_allclose(got32, sk_ridge_regression(X, Y, 1.5), rtol=1e-5, atol=1e-5)


def _kkt_positive(X, y, alpha, w):
    grad = 2 * (X.T @ (X @ w - y) + alpha * w)
    scale = np.abs(X.T @ y).max()
    assert (w >= 0).all()
    assert np.all(grad[w > 0] == pytest.approx(0.0, abs=1e-8 * scale))
    assert np.all(grad[w == 0] >= -1e-8 * scale)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_regression_positive_is_exact(n, p):
    X, y, _ = make_ridge_data(n, p, seed=5)
    w = fastreg.ridge_regression(X, y, 1.0, positive=True)
    _kkt_positive(X, y, 1.0, w)
    sk = sk_ridge_regression(X, y, 1.0, positive=True)
    obj = lambda v: np.sum((y - X @ v) ** 2) + np.sum(v**2)  # noqa: E731
    # fastreg's active set is exact; sklearn's L-BFGS-B gets close in objective
    assert obj(w) <= obj(sk) * (1 + 1e-12)
    assert obj(sk) <= obj(w) * (1 + 1e-3)


def test_alpha_zero_gives_minimum_norm():
    X, y, _ = make_ridge_data(40, 6, seed=6)
    Xd = np.hstack([X, X[:, :2]])  # rank deficient
    expected = np.linalg.pinv(Xd) @ y
    with pytest.warns(fastreg.AccuracyWarning, match="rank 6 < 8"):
        np.testing.assert_allclose(fastreg.ridge_regression(Xd, y, 0.0), expected, atol=1e-10)
    with pytest.warns(fastreg.AccuracyWarning, match="rank 6 < 8"):
        np.testing.assert_allclose(fastreg.ridge_path(Xd, y, [0.0])[0], expected, atol=1e-10)
    Xw = Xd[:5]  # p > n
    np.testing.assert_allclose(fastreg.ridge_regression(Xw, y[:5], 0.0),
                               np.linalg.pinv(Xw) @ y[:5], atol=1e-10)


@pytest.mark.parametrize("alpha", [1e-6, 1e-10])
def test_ill_conditioned_duplicated_columns(alpha):
    X, y, _ = make_ridge_data(100, 6, seed=7)
    X = np.hstack([X, X[:, :2], X[:, :1] * (1 + 1e-9)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's ill-conditioning warning
        ref, _ = normal_equations(X, y, alpha)
    obj = lambda w: np.sum((y - X @ w) ** 2) + alpha * w @ w  # noqa: E731
    tol = 1e-12 * obj(ref[0])
    for w in (fastreg.ridge_regression(X, y, alpha),
              fastreg.ridge_regression(X, y, alpha, solver="svd"),
              fastreg.ridge_path(X, y, [alpha])[0]):
        assert obj(w) <= obj(ref[0]) + tol
        np.testing.assert_allclose(X @ w, X @ ref[0], rtol=1e-6, atol=1e-6)
    path = fastreg.ridge_path(X, y, [alpha])[0]
    # exact duplicates share weight, up to the conditioning (equilibrated cond 2e9 at
    # alpha=1e-6, 2e13 at 1e-10: solved from X itself, more accurate than Cholesky)
    cond = 2e9 if alpha == 1e-6 else 2e13
    assert abs(path[1] - path[7]) <= 10 * cond * np.finfo(float).eps * np.max(np.abs(path))


# --------------------------------------------------------------------------- ridge_path


@pytest.mark.parametrize("n, p", SHAPES)
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_path_matches_ridge(n, p, fit_intercept, weighted):
    X, Y, sw = make_ridge_data(n, p, n_targets=2, seed=8, offset=3.0)
    sw = sw if weighted else None
    alphas = [10.0, 0.01, 1.0, 1000.0]  # order is kept
    coefs, intercepts = fastreg.ridge_path(X, Y, alphas, fit_intercept=fit_intercept,
                                           sample_weight=sw, return_intercept=True)
    assert coefs.shape == (4, 2, p) and intercepts.shape == (4, 2)
    for k, alpha in enumerate(alphas):
        model = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
        model.fit(X, Y, sample_weight=sw)
        scale = np.abs(model.coef_).max()
        np.testing.assert_allclose(coefs[k], model.coef_, atol=1e-10 * scale)
        np.testing.assert_allclose(intercepts[k], model.intercept_, rtol=1e-9, atol=1e-9)
        ref, ref_b = normal_equations(X, Y, alpha, sw, fit_intercept)
        np.testing.assert_allclose(coefs[k], ref, atol=1e-9 * scale)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_path_1d_sparse_float32(n, p):
    X, y, _ = make_ridge_data(n, p, seed=9)
    alphas = np.logspace(-2, 2, 5)
    coefs = fastreg.ridge_path(X, y, alphas)
    assert coefs.shape == (5, p)
    expected = np.array([sk_ridge_regression(X, y, a) for a in alphas])
    np.testing.assert_allclose(coefs, expected, rtol=1e-9, atol=1e-11)
    Xs = X.copy()
    Xs[np.abs(Xs) < 1] = 0
    sp_coefs = fastreg.ridge_path(sparse.csc_matrix(Xs), y, alphas, fit_intercept=True)
    dense = fastreg.ridge_path(Xs, y, alphas, fit_intercept=True)
    np.testing.assert_allclose(sp_coefs, dense, rtol=1e-9, atol=1e-11)
    c32 = fastreg.ridge_path(X.astype(np.float32), y.astype(np.float32), alphas)
    assert c32.dtype == np.float32
    np.testing.assert_allclose(c32, coefs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_path_block_size_invariance(n, p):
    X, Y, sw = make_ridge_data(n, p, n_targets=3, seed=10, offset=100.0)
    alphas = [0.1, 10.0]
    ref = fastreg.ridge_path(X, Y, alphas, fit_intercept=True, sample_weight=sw)
    for block_size in (1, 3, 17, 10**6):
        got = fastreg.ridge_path(X, Y, alphas, fit_intercept=True, sample_weight=sw,
                                 block_size=block_size)
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())


def test_ridge_path_memmap(tmp_path):
    X, Y, _ = make_ridge_data(300, 5, n_targets=2, seed=11)
    mm = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float64,
                                   shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.load(tmp_path / "X.npy", mmap_mode="r")
    got = fastreg.ridge_path(ro, Y, [1.0, 2.0], fit_intercept=True, block_size=32)
    np.testing.assert_allclose(got, fastreg.ridge_path(X, Y, [1.0, 2.0], fit_intercept=True),
                               rtol=1e-12)


# --------------------------------------------------------------------------- ridge_cv


def _brute_force_loo(X, y, alpha, sw, fit_intercept):
    """Refit without each sample: the definition of leave-one-out."""
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw
    errors = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        model = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
        model.fit(X[keep], y[keep], sample_weight=sw[keep])
        errors[i] = sw[i] * (y[i] - model.predict(X[i:i + 1])[0]) ** 2
    return errors.mean()


@pytest.mark.parametrize("n, p", [(25, 4), (8, 20)])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_ridge_cv_is_exact_leave_one_out(n, p, fit_intercept):
    X, y, sw = make_ridge_data(n, p, seed=12, offset=1.0)
    alphas = [0.3, 3.0]
    res = fastreg.ridge_cv(X, y, alphas, fit_intercept=fit_intercept, sample_weight=sw)
    for k, alpha in enumerate(alphas):
        assert res.cv_error[k] == pytest.approx(
            _brute_force_loo(X, y, alpha, sw, fit_intercept), rel=1e-9)


@pytest.mark.parametrize("n, p", SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha_per_target", [False, True])
def test_ridge_cv_matches_sklearn(n, p, fit_intercept, weighted, alpha_per_target):
    X, Y, sw = make_ridge_data(n, p, n_targets=3, seed=13, offset=2.0)
    sw = sw if weighted else None
    alphas = np.logspace(-3, 3, 13)
    res = fastreg.ridge_cv(X, Y, alphas, fit_intercept=fit_intercept, sample_weight=sw,
                           alpha_per_target=alpha_per_target, store_cv_results=True)
    model = RidgeCV(alphas=alphas, fit_intercept=fit_intercept,
                    alpha_per_target=alpha_per_target, store_cv_results=True)
    model.fit(X, Y, sample_weight=sw)
    np.testing.assert_array_equal(res.alpha, model.alpha_)
    np.testing.assert_allclose(res.coef, model.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.intercept, model.intercept_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(res.cv_results, model.cv_results_, rtol=1e-7,
                               atol=1e-9 * np.abs(model.cv_results_).max())
    assert res.cv_error.shape == (13, 3)
    np.testing.assert_allclose(res.cv_error, model.cv_results_.mean(axis=0).T, rtol=1e-7)
    if not alpha_per_target:
        best = np.flatnonzero(alphas == res.alpha)[0]
        assert -res.cv_error[best].mean() == pytest.approx(model.best_score_, rel=1e-8)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_cv_1d_sparse_float32(n, p):
    X, y, _ = make_ridge_data(n, p, seed=14)
    X[np.abs(X) < 0.7] = 0.0
    alphas = [0.01, 0.1, 1.0, 10.0, 100.0]
    model = RidgeCV(alphas=alphas).fit(X, y)
    for data in (X, sparse.csr_matrix(X)):
        res = fastreg.ridge_cv(data, y, alphas)
        assert isinstance(res.alpha, float) and np.ndim(res.intercept) == 0
        assert res.alpha == model.alpha_ and res.cv_error.shape == (5,)
        np.testing.assert_allclose(res.coef, model.coef_, rtol=1e-8, atol=1e-10)
    res32 = fastreg.ridge_cv(X.astype(np.float32), y.astype(np.float32), alphas)
    model32 = RidgeCV(alphas=alphas).fit(X.astype(np.float32), y.astype(np.float32))
    assert res32.alpha == model32.alpha_ and res32.coef.dtype == np.float32
    np.testing.assert_allclose(res32.coef, model32.coef_, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_cv_gcv_matches_hat_matrix(n, p):
    X, Y, sw = make_ridge_data(n, p, n_targets=2, seed=15)
    alphas = [0.1, 1.0, 10.0]
    res = fastreg.ridge_cv(X, Y, alphas, sample_weight=sw, criterion="gcv")
    root = np.sqrt(sw)
    xm, ym = np.average(X, 0, weights=sw), np.average(Y, 0, weights=sw)
    Xt, Yt = root[:, None] * (X - xm), root[:, None] * (Y - ym)
    for k, alpha in enumerate(alphas):
        H = Xt @ np.linalg.solve(Xt.T @ Xt + alpha * np.eye(p), Xt.T)
        resid = Yt - H @ Yt
        df = np.trace(H) + 1
        expected = (resid**2).mean(axis=0) / (1 - df / n) ** 2
        np.testing.assert_allclose(res.cv_error[k], expected, rtol=1e-8)


@pytest.mark.parametrize("n, p", SHAPES)
def test_ridge_cv_block_size_invariance(n, p):
    X, Y, sw = make_ridge_data(n, p, n_targets=2, seed=16, offset=50.0)
    alphas = np.logspace(-2, 2, 7)
    ref = fastreg.ridge_cv(X, Y, alphas, sample_weight=sw)
    for block_size in (1, 4, 1000):
        got = fastreg.ridge_cv(X, Y, alphas, sample_weight=sw, block_size=block_size)
        np.testing.assert_allclose(got.cv_error, ref.cv_error, rtol=1e-9)
        np.testing.assert_allclose(got.coef, ref.coef, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("call", [
    lambda X, y: fastreg.ridge_regression(X, y, -1.0),
    lambda X, y: fastreg.ridge_path(X, y, [1.0, -1.0]),
    lambda X, y: fastreg.ridge_cv(X, y, [0.0, 1.0]),
])
def test_negative_alpha(call):
    X, y, _ = make_ridge_data(20, 3)
    with pytest.raises(ValueError, match="alpha"):
        call(X, y)


@pytest.mark.parametrize("func", [
    lambda X, y, **kw: fastreg.ridge_regression(X, y, 1.0, **kw),
    lambda X, y, **kw: fastreg.ridge_path(X, y, [1.0], **kw),
    lambda X, y, **kw: fastreg.ridge_cv(X, y, [1.0], **kw),
])
@pytest.mark.parametrize("n, p", SHAPES)
def test_bad_inputs_raise_clear_errors(func, n, p):
    X, y, sw = make_ridge_data(n, p)
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        func(Xnan, y)
    ynan = y.copy()
    ynan[0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        func(X, ynan)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        func(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        func(X, y, sample_weight=sw[:-1])
    bad = sw.copy()
    bad[2] = -1.0
    with pytest.raises(ValueError, match="non-negative"):
        func(X, y, sample_weight=bad)


def test_other_argument_errors():
    X, y, _ = make_ridge_data(20, 3)
    with pytest.raises(ValueError, match="penalties"):
        fastreg.ridge_regression(X, np.column_stack([y, y]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="solver"):
        fastreg.ridge_regression(X, y, 1.0, solver="newton")
    with pytest.raises(ValueError, match="criterion"):
        fastreg.ridge_cv(X, y, criterion="kfold")
    with pytest.raises(ValueError, match="at least 2 samples"):
        fastreg.ridge_cv(X[:1], y[:1])
    with pytest.raises(ValueError, match="block_size"):
        fastreg.ridge_path(X, y, [1.0], block_size=0)
    with pytest.raises(ValueError, match="non-empty"):
        fastreg.ridge_path(X, y, [])


@pytest.mark.parametrize("n, p", SHAPES)
def test_inputs_never_mutated(n, p):
    X, Y, sw = make_ridge_data(n, p, n_targets=2, seed=17, offset=1e5)
    X32 = X.astype(np.float32)
    alphas = np.array([3.0, 0.1])
    saved = [a.copy() for a in (X, Y, sw, X32, alphas)]
    fastreg.ridge_regression(X, Y, 1.0, sample_weight=sw, return_intercept=True)
    fastreg.ridge_regression(X, Y, 1.0, sample_weight=sw, solver="svd")
    fastreg.ridge_regression(X, Y[:, 0], 1.0, positive=True)
    fastreg.ridge_path(X32, Y, alphas, fit_intercept=True, sample_weight=sw)
    fastreg.ridge_cv(X, Y, alphas, sample_weight=sw, store_cv_results=True)
    for a, b in zip((X, Y, sw, X32, alphas), saved):
        np.testing.assert_array_equal(a, b)


def test_docstrings_validate():
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    ignored = {"ES01", "SA01", "GL08"}
    for name in ("ridge_regression", "ridge_path", "ridge_cv"):
        report = numpydoc_validate.validate(f"fastreg.{name}")
        errors = [e for e in report["errors"] if e[0] not in ignored]
        assert not errors, (name, errors)


def test_ridge_regression_signature_matches_sklearn():
    import inspect

    ours = inspect.signature(fastreg.ridge_regression).parameters
    theirs = inspect.signature(sk_ridge_regression).parameters
    assert list(ours) == list(theirs)
    for name, param in theirs.items():
        assert ours[name].default == param.default, name
        assert ours[name].kind == param.kind, name
