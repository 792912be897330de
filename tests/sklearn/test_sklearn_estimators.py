"""fastreg.sklearn: scikit-learn's estimator contract, and the same fits as scikit-learn's."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("sklearn")

import sklearn.linear_model as sk  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import fastreg  # noqa: E402
import fastreg.sklearn as fs  # noqa: E402
from fastreg.sklearn import _common  # noqa: E402

ESTIMATORS = [getattr(fs, name)() for name in fs.__all__]
TIGHT = dict(tol=1e-12, max_iter=100_000)

# Checks expected to fail, each with its reason (scikit-learn's own list has the same
# entry for its Ridge).
EXPECTED_FAILED = {
    "Ridge": {
        "check_non_transformer_estimators_n_iter": (
            "Ridge's methods are direct (Cholesky / SVD / exact NNLS), so n_iter_ is None "
            "as in scikit-learn's Ridge, which expects this check to fail too."
        ),
    },
}


def _expected_failed(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_import_fastreg_does_not_import_sklearn():
    code = "import fastreg, sys; assert 'sklearn' not in sys.modules; print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "sklearn" not in fastreg.__all__


@pytest.mark.parametrize("name", fs.__all__)
def test_parameters_are_a_superset_of_sklearns(name):
    """Every scikit-learn parameter exists with the same default (drop-in)."""
    ours = getattr(fs, name)().get_params()
    theirs = getattr(sk, name)().get_params()
    for key, value in theirs.items():
        assert key in ours, key
        assert ours[key] == value or (ours[key] is None and value is None), key


# ------------------------------------------------------------------ data and helpers
def _data(n=60, p=8, seed=0, targets=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p, targets)) * (rng.random((p, targets)) < 0.5)
    Y = X @ W + 0.3 * rng.standard_normal((n, targets)) + 2.0
    sw = rng.uniform(0.2, 2.0, n)
    Xs = sp.csc_matrix(np.where(np.abs(X) > 0.6, X, 0.0))
    return X, Xs, (Y[:, 0] if targets == 1 else Y), sw


def _enet_objective(X, y, coef, intercept, alpha, l1_ratio, sw):
    """scikit-learn's ElasticNet objective (weights rescaled to sum to n), summed over targets."""
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    Y, W = y.reshape(n, -1), np.atleast_2d(coef)
    R = Y - X @ W.T - np.asarray(intercept)
    return (0.5 * (sw[:, None] * R ** 2).sum() / n + alpha * l1_ratio * np.abs(W).sum()
            + 0.5 * alpha * (1 - l1_ratio) * (W ** 2).sum())


def _close(ours, theirs, rtol=1e-6, atol=1e-9):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                               rtol=rtol, atol=atol)


# ------------------------------------------------------------------ Lasso / ElasticNet
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets", [1, 2])
@pytest.mark.parametrize("name, l1_ratio", [("Lasso", 1.0), ("ElasticNet", 0.3)])
def test_enet_matches_sklearn(name, l1_ratio, targets, weighted, fit_intercept, sparse):
    X, Xs, y, sw = _data(targets=targets)
    X = Xs if sparse else X
    sw = sw if weighted else None
    params = dict(alpha=0.05, fit_intercept=fit_intercept, **TIGHT)
    if name == "ElasticNet":
        params["l1_ratio"] = l1_ratio
    theirs = getattr(sk, name)(**params).fit(X, y, sample_weight=sw)
    ours = getattr(fs, name)(**params).fit(X, y, sample_weight=sw)
    _close(ours.coef_, theirs.coef_)
    _close(ours.intercept_, theirs.intercept_)
    assert np.shape(ours.coef_) == np.shape(theirs.coef_)
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
    assert np.shape(ours.dual_gap_) == np.shape(theirs.dual_gap_)
    f_ours = _enet_objective(X, y, ours.coef_, ours.intercept_, 0.05, l1_ratio, sw)
    f_theirs = _enet_objective(X, y, theirs.coef_, theirs.intercept_, 0.05, l1_ratio, sw)
    assert f_ours <= f_theirs * (1 + 1e-10)
    _close(ours.predict(X), theirs.predict(X))


def test_enet_float32_positive_random_selection():
    X, _, y, sw = _data(seed=1)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    ours = fs.ElasticNet(alpha=0.02, l1_ratio=0.7, tol=1e-6).fit(X32, y32)
    theirs = sk.ElasticNet(alpha=0.02, l1_ratio=0.7, tol=1e-6).fit(X32, y32)
    assert ours.coef_.dtype == np.float32
    _close(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-5)
    params = dict(alpha=0.05, positive=True, selection="random", random_state=0, **TIGHT)
    ours = fs.Lasso(**params).fit(X, y, sample_weight=sw)
    theirs = sk.Lasso(**params).fit(X, y, sample_weight=sw)
    assert ours.coef_.min() >= 0
    _close(ours.coef_, theirs.coef_)


def test_enet_warm_start_and_precompute():
    X, _, y, _ = _data(seed=2)
    model = fs.Lasso(alpha=0.05, warm_start=True, **TIGHT).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    _close(model.coef_, first, rtol=1e-10)
    assert model.n_iter_ <= 2
    gram = fs.Lasso(alpha=0.05, precompute=True, **TIGHT).fit(X, y)
    _close(gram.coef_, first)
    with pytest.warns(UserWarning, match="Gram matrix was provided"):
        given = fs.Lasso(alpha=0.05, precompute=X.T @ X, **TIGHT).fit(X, y)
    _close(given.coef_, first)
    Xc = X - X.mean(axis=0)
    given = fs.Lasso(alpha=0.05, precompute=Xc.T @ Xc, fit_intercept=False, **TIGHT)
    _close(given.fit(Xc, y - y.mean()).coef_, first)


def test_enet_never_modifies_input():
    X, Xs, y, sw = _data(seed=3)
    copies = [a.copy() for a in (X, y, sw)]
    fs.ElasticNet(alpha=0.01, copy_X=False).fit(X, y, sample_weight=sw)
    for a, b in zip((X, y, sw), copies):
        np.testing.assert_array_equal(a, b)
    data = Xs.data.copy()
    fs.Lasso(alpha=0.01).fit(Xs, y)
    np.testing.assert_array_equal(Xs.data, data)


# ------------------------------------------------------------------ fastreg extras
def test_extras_at_defaults_are_not_passed():
    assert _common.extra_kwargs(fs.Lasso()) == {}
    assert _common.extra_kwargs(fs.ElasticNetCV()) == {}
    set_all = fs.Lasso(penalty_factor=[1.0], lower_bounds=-1.0, upper_bounds=2.0,
                       standardize=True)
    assert _common.extra_kwargs(set_all) == dict(
        penalty_factor=[1.0], lower_bounds=-1.0, upper_bounds=2.0, standardize=True)


@pytest.mark.parametrize("name", ["penalty_factor", "lower_bounds", "upper_bounds",
                                  "standardize"])
def test_extras_reach_the_path(monkeypatch, name):
    """A set extra reaches the path's records unchanged (penalty, or standardized design)."""
    X, _, y, _ = _data(seed=4)
    value = True if name == "standardize" else np.full(X.shape[1], 1.0 if name != "lower_bounds"
                                                       else -10.0)
    model = fs.Lasso(alpha=0.05, **{name: value})
    seen = {}
    real = fs._common.run_path

    def recording(design, penalty, options, coef_init=None):
        seen.update(design=design, penalty=penalty)
        return real(design, penalty, options, coef_init)

    monkeypatch.setattr(fs._common, "run_path", recording)
    model.fit(X, y)
    if name == "standardize":
        assert seen["design"].transform.col_scale is not None
    else:
        field = {"penalty_factor": "factors", "lower_bounds": "lower",
                 "upper_bounds": "upper"}[name]
        np.testing.assert_array_equal(getattr(seen["penalty"], field), value)


@pytest.mark.parametrize("sparse", [False, True])
def test_penalty_factor_of_ones_is_the_plain_lasso(sparse):
    X, Xs, y, sw = _data(seed=13)
    X = Xs if sparse else X
    plain = fs.Lasso(alpha=0.05, **TIGHT).fit(X, y, sample_weight=sw)
    ones = fs.Lasso(alpha=0.05, penalty_factor=np.ones(X.shape[1]), **TIGHT)
    _close(ones.fit(X, y, sample_weight=sw).coef_, plain.coef_)


def test_lower_bound_zero_is_positive():
    X, Xs, y, sw = _data(seed=15)
    theirs = sk.Lasso(alpha=0.02, positive=True, **TIGHT).fit(X, y, sample_weight=sw)
    ours = fs.Lasso(alpha=0.02, lower_bounds=0.0, **TIGHT).fit(X, y, sample_weight=sw)
    _close(ours.coef_, theirs.coef_)
    _close(ours.intercept_, theirs.intercept_)


@pytest.mark.parametrize("sparse", [False, True])
def test_standardize_is_the_lasso_on_scaled_columns(sparse):
    """glmnet's convention: population (1/n, weighted) standard deviation of each column."""
    X, Xs, y, sw = _data(seed=14)
    X = Xs if sparse else X
    dense = X.toarray() if sparse else X
    w = sw / sw.sum()
    scale = np.sqrt(w @ (dense - w @ dense) ** 2)
    ours = fs.Lasso(alpha=0.05, standardize=True, **TIGHT).fit(X, y, sample_weight=sw)
    theirs = sk.Lasso(alpha=0.05, **TIGHT).fit(dense / scale, y, sample_weight=sw)
    _close(ours.coef_, theirs.coef_ / scale)
    _close(ours.intercept_, theirs.intercept_)


# ------------------------------------------------------------------ LassoCV / ElasticNetCV
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_cv_matches_sklearn(fit_intercept, weighted, sparse):
    X, Xs, y, sw = _data(n=80, p=10, seed=5)
    X = Xs if sparse else X
    sw = sw if weighted else None
    params = dict(alphas=20, cv=4, fit_intercept=fit_intercept, **TIGHT)
    theirs = sk.LassoCV(**params).fit(X, y, sample_weight=sw)
    ours = fs.LassoCV(**params).fit(X, y, sample_weight=sw)
    _close(ours.alpha_, theirs.alpha_, rtol=1e-10)
    _close(ours.alphas_, theirs.alphas_, rtol=1e-10)
    _close(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    _close(ours.coef_, theirs.coef_)
    _close(ours.intercept_, theirs.intercept_)
    assert ours.alpha_1se_ >= ours.alpha_


def test_enet_cv_l1_ratio_list_and_group_splitter():
    X, _, y, sw = _data(n=90, p=10, seed=6)
    groups = np.arange(90) % 3
    folds = list(GroupKFold(3).split(X, y, groups))
    params = dict(l1_ratio=[0.2, 0.6, 1.0], alphas=15, **TIGHT)
    theirs = sk.ElasticNetCV(cv=folds, **params).fit(X, y, sample_weight=sw)
    ours = fs.ElasticNetCV(cv=GroupKFold(3), **params).fit(X, y, sample_weight=sw,
                                                             groups=groups)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    _close(ours.alpha_, theirs.alpha_, rtol=1e-10)
    assert ours.mse_path_.shape == theirs.mse_path_.shape == (3, 15, 3)
    assert ours.alphas_.shape == theirs.alphas_.shape
    _close(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    _close(ours.coef_, theirs.coef_)
    _close(ours.intercept_, theirs.intercept_)


# ------------------------------------------------------------------ Ridge / RidgeCV
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets", [1, 2])
def test_ridge_matches_sklearn(targets, weighted, fit_intercept, sparse):
    X, Xs, y, sw = _data(targets=targets, seed=7)
    sw = sw if weighted else None
    alpha = 2.0 if targets == 1 else np.array([0.5, 3.0])
    # the reference is scikit-learn's direct solver on the dense matrix (its sparse
    # solvers are iterative, to tol)
    theirs = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="cholesky")
    theirs.fit(Xs.toarray() if sparse else X, y, sample_weight=sw)
    ours = fs.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(Xs if sparse else X, y,
                                                                sample_weight=sw)
    _close(ours.coef_, theirs.coef_, rtol=1e-8)
    _close(ours.intercept_, theirs.intercept_, rtol=1e-8)
    assert np.shape(ours.coef_) == np.shape(theirs.coef_)
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
    assert ours.n_iter_ is None


def test_ridge_solvers_and_positive():
    X, Xs, y, sw = _data(seed=8)
    for solver in ("svd", "lsqr", "auto"):
        ours = fs.Ridge(alpha=1.0, solver=solver).fit(X, y, sample_weight=sw)
        theirs = sk.Ridge(alpha=1.0, solver="svd").fit(X, y, sample_weight=sw)
        _close(ours.coef_, theirs.coef_, rtol=1e-8)
    ours = fs.Ridge(alpha=1.0, positive=True).fit(X, y)
    theirs = sk.Ridge(alpha=1.0, positive=True, tol=1e-12).fit(X, y)
    _close(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-7)
    assert ours.solver_ == "lbfgs"
    with pytest.raises(ValueError, match="does not support fitting the intercept"):
        fs.Ridge(solver="svd").fit(Xs, y)
    with pytest.raises(NotImplementedError, match="positive"):
        fs.Ridge(positive=True).fit(Xs, y)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets, per_target", [(1, False), (2, False), (2, True)])
def test_ridge_cv_matches_sklearn(targets, per_target, weighted, sparse):
    X, Xs, y, sw = _data(targets=targets, seed=9)
    sw = sw if weighted else None
    X = Xs.tocsr() if sparse else X
    params = dict(alphas=[0.01, 0.3, 3.0, 30.0], alpha_per_target=per_target,
                  store_cv_results=not sparse)
    theirs = sk.RidgeCV(**params).fit(X, y, sample_weight=sw)
    ours = fs.RidgeCV(**params).fit(X, y, sample_weight=sw)
    _close(ours.alpha_, theirs.alpha_, rtol=1e-12)
    _close(ours.best_score_, theirs.best_score_, rtol=1e-8)
    _close(ours.coef_, theirs.coef_, rtol=1e-6)
    _close(ours.intercept_, theirs.intercept_, rtol=1e-6)
    if not sparse:
        _close(ours.cv_results_, theirs.cv_results_, rtol=1e-6)


def test_ridge_cv_with_folds_runs_a_grid_search():
    X, _, y, _ = _data(seed=10)
    params = dict(alphas=[0.01, 1.0, 100.0], cv=KFold(3))
    theirs = sk.RidgeCV(**params).fit(X, y)
    ours = fs.RidgeCV(**params).fit(X, y)
    assert ours.alpha_ == theirs.alpha_
    _close(ours.best_score_, theirs.best_score_, rtol=1e-8)
    with pytest.raises(NotImplementedError, match="scoring"):
        fs.RidgeCV(scoring="r2").fit(X, y)


# ------------------------------------------------------------------ BayesianRidge
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_bayesian_ridge_matches_sklearn(weighted, fit_intercept):
    X, _, y, sw = _data(seed=11)
    sw = sw if weighted else None
    params = dict(compute_score=True, fit_intercept=fit_intercept)
    theirs = sk.BayesianRidge(**params).fit(X, y, sample_weight=sw)
    ours = fs.BayesianRidge(**params).fit(X, y, sample_weight=sw)
    for attr in ("coef_", "intercept_", "alpha_", "lambda_", "sigma_", "scores_"):
        _close(getattr(ours, attr), getattr(theirs, attr), rtol=1e-6)
    assert ours.n_iter_ == theirs.n_iter_
    for a, b in zip(ours.predict(X[:7], return_std=True),
                    theirs.predict(X[:7], return_std=True)):
        _close(a, b, rtol=1e-8)


# ------------------------------------------------------------------ Pipeline / GridSearchCV
def test_pipeline_and_grid_search_pick_sklearns_parameters():
    X, _, y, _ = _data(n=100, p=10, seed=12)
    X = X * np.arange(1, 11)  # scales differ: the scaler matters
    grid = {"lasso__alpha": [0.003, 0.03, 0.1, 0.3, 1.0]}
    searches = [GridSearchCV(make_pipeline(StandardScaler(), lasso(**TIGHT)), grid, cv=4)
                .fit(X, y) for lasso in (fs.Lasso, sk.Lasso)]
    ours, theirs = searches
    assert ours.best_params_ == theirs.best_params_
    _close(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
           rtol=1e-8)
    _close(ours.predict(X), theirs.predict(X), rtol=1e-8)
    grid = {"alpha": [0.01, 0.1, 1.0], "l1_ratio": [0.2, 0.8]}
    ours, theirs = (GridSearchCV(enet(**TIGHT), grid, cv=3).fit(X, y)
                    for enet in (fs.ElasticNet, sk.ElasticNet))
    assert ours.best_params_ == theirs.best_params_


@pytest.mark.parametrize("name", [f"{cls}{attr}" for cls in fs.__all__
                                  for attr in ("", ".fit", ".predict")])
def test_numpydoc(name):
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    result = numpydoc_validate.validate(f"fastreg.sklearn.{name}")
    style_only = {"GL08", "SA01", "ES01", "EX01"}  # as tests/test_api.py
    errors = [(code, msg) for code, msg in result["errors"] if code not in style_only]
    assert not errors, errors
