"""fastreg.bayes against scikit-learn's BayesianRidge and direct Gaussian formulas."""

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import BayesianRidge

import fastreg
from fastreg import bayes

SHAPES = [(80, 6), (20, 50)]  # primal and dual forms


def make_data(n, p, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 2.0
    w = np.zeros(p)
    w[:3] = [1.0, -2.0, 0.5]
    y = X @ w + noise * rng.standard_normal(n) + 4.0
    return X, y, rng.uniform(0.5, 2.0, n)


def rel(a, b):
    return np.abs(np.asarray(a) - b).max() / max(np.abs(b).max(), 1e-300)


# --------------------------------------------------------------------------- conversions


def test_ridge_alpha_conversions():
    assert bayes.ridge_alpha_from_prior(0.5, 2.0) == 0.25
    assert bayes.prior_var_from_ridge_alpha(0.25, 0.5) == 2.0
    assert bayes.ridge_alpha_to_enet(10.0, 100) == 0.1
    with pytest.raises(ValueError, match="noise_var"):
        bayes.ridge_alpha_from_prior(-1.0, 1.0)
    with pytest.raises(ValueError, match="prior_var, laplace_scale"):
        bayes.enet_penalty_from_priors(1.0, 10)


def test_enet_penalty_from_priors_values():
    assert bayes.enet_penalty_from_priors(2.0, 50, laplace_scale=0.5) == (0.08, 1.0)
    assert bayes.enet_penalty_from_priors(2.0, 50, prior_var=4.0) == (0.01, 0.0)
    alpha, l1_ratio = bayes.enet_penalty_from_priors(2.0, 50, prior_var=4.0, laplace_scale=0.5)
    assert alpha * l1_ratio == pytest.approx(2.0 / (50 * 0.5))
    assert alpha * (1 - l1_ratio) == pytest.approx(2.0 / (50 * 4.0))


def test_gaussian_prior_in_lasso_scaling_is_ridge():
    """enet_path with l1_ratio=0 at alpha / n solves ridge at alpha."""
    X, y, _ = make_data(60, 5, seed=1)
    noise_var, prior_var = 0.09, 0.5
    alpha = bayes.ridge_alpha_from_prior(noise_var, prior_var)
    enet_alpha, l1_ratio = bayes.enet_penalty_from_priors(noise_var, 60, prior_var=prior_var)
    assert enet_alpha == pytest.approx(bayes.ridge_alpha_to_enet(alpha, 60)) and l1_ratio == 0
    _, coefs, _ = fastreg.enet_path(X, y, l1_ratio=0.0, alphas=[enet_alpha], tol=1e-12,
                                    max_iter=100000)
    # to the coordinate-descent tolerance; a wrong scaling would be off by O(1)
    np.testing.assert_allclose(coefs[:, 0], fastreg.ridge_regression(X, y, alpha),
                               rtol=1e-4, atol=1e-6)


def test_laplace_prior_map_is_lasso():
    """The lasso at alpha = noise_var / (n b) satisfies the MAP optimality conditions."""
    X, y, _ = make_data(60, 8, seed=2)
    X, y = X - X.mean(axis=0), y - y.mean()  # lasso_path fits no intercept
    n, noise_var, b = 60, 0.09, 0.0075
    alpha, l1_ratio = bayes.enet_penalty_from_priors(noise_var, n, laplace_scale=b)
    assert l1_ratio == 1.0
    _, coefs, _ = fastreg.lasso_path(X, y, alphas=[alpha], tol=1e-14, max_iter=100000)
    w = coefs[:, 0]
    # subgradient of ||y - Xw||^2 / (2 noise_var) + ||w||_1 / b must contain 0
    grad = X.T @ (X @ w - y) / noise_var
    active = w != 0
    assert active.any() and (~active).any()
    np.testing.assert_allclose(grad[active], -np.sign(w[active]) / b, rtol=1e-6)
    assert np.all(np.abs(grad[~active]) <= 1 / b * (1 + 1e-6))


# --------------------------------------------------------------------------- BayesianRidge


@pytest.mark.parametrize("n, p", SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_bayesian_ridge_matches_sklearn(n, p, fit_intercept, weighted):
    X, y, sw = make_data(n, p, seed=3)
    sw = sw if weighted else None
    model = BayesianRidge(compute_score=True, fit_intercept=fit_intercept)
    model.fit(X, y, sample_weight=sw)
    fit = bayes.bayesian_ridge(X, y, compute_score=True, fit_intercept=fit_intercept,
                               sample_weight=sw)
    assert fit.n_iter == model.n_iter_
    assert rel(fit.noise_precision, model.alpha_) < 1e-7
    assert rel(fit.weight_precision, model.lambda_) < 1e-7
    assert fit.alpha == pytest.approx(model.lambda_ / model.alpha_, rel=1e-7)
    assert rel(fit.coef, model.coef_) < 1e-8
    assert rel(fit.cov, model.sigma_) < 1e-7
    assert rel(fit.scores, model.scores_) < 1e-8
    assert fit.intercept == pytest.approx(model.intercept_, rel=1e-8, abs=1e-8)


def test_bayesian_ridge_options_match_sklearn():
    X, y, _ = make_data(50, 4, seed=4)
    kw = dict(alpha_1=1.0, alpha_2=2.0, lambda_1=0.5, lambda_2=3.0, alpha_init=2.0,
              lambda_init=0.1, max_iter=5, tol=1e-300, compute_score=True)
    model = BayesianRidge(**kw).fit(X, y)
    fit = bayes.bayesian_ridge(X, y, **kw)
    assert fit.n_iter == model.n_iter_ == 5
    assert rel(fit.noise_precision, model.alpha_) < 1e-9
    assert rel(fit.scores, model.scores_) < 1e-9


def test_bayesian_ridge_float32():
    X, y, _ = make_data(80, 5, seed=5)
    model = BayesianRidge().fit(X.astype(np.float32), y.astype(np.float32))
    fit = bayes.bayesian_ridge(X.astype(np.float32), y.astype(np.float32))
    assert rel(fit.coef, model.coef_) < 1e-4
    assert rel(fit.noise_precision, model.alpha_) < 1e-3


@pytest.mark.parametrize("n, p", SHAPES)
def test_posterior_and_predictive_match_sklearn(n, p):
    X, y, sw = make_data(n, p, seed=6)
    model = BayesianRidge().fit(X, y, sample_weight=sw)
    post = bayes.posterior(X, y, alpha=model.lambda_ / model.alpha_,
                           noise_var=1 / model.alpha_, sample_weight=sw)
    assert rel(post.mean, model.coef_) < 1e-8
    assert rel(post.cov, model.sigma_) < 1e-7
    assert post.intercept == pytest.approx(model.intercept_, rel=1e-8)
    X_new = X[:7] + 0.5
    mean, std = bayes.predictive(post, X_new)
    sk_mean, sk_std = model.predict(X_new, return_std=True)
    np.testing.assert_allclose(mean, sk_mean, rtol=1e-8)
    np.testing.assert_allclose(std, sk_std, rtol=1e-6)
    fit = bayes.bayesian_ridge(X, y, sample_weight=sw)
    mean2, std2 = bayes.predictive(fit.posterior(), X_new)
    np.testing.assert_allclose(std2, sk_std, rtol=1e-6)


def test_posterior_mean_is_ridge():
    X, y, sw = make_data(40, 5, seed=7)
    post = bayes.posterior(X, y, alpha=2.0, noise_var=0.3, sample_weight=sw)
    coef, intercept = fastreg.ridge_regression(X, y, 2.0, sample_weight=sw,
                                               return_intercept=True)
    np.testing.assert_allclose(post.mean, coef, rtol=1e-10)
    assert post.intercept == pytest.approx(intercept, rel=1e-10)


# --------------------------------------------------------------------------- evidence


@pytest.mark.parametrize("n, p", SHAPES)
def test_log_evidence_is_gaussian_marginal(n, p):
    """log N(y | 0, noise_var I + prior_var X X^T), without intercept."""
    X, y, _ = make_data(n, p, seed=8)
    alphas = np.array([0.1, 1.0, 30.0])
    res = bayes.log_evidence(X, y, alphas, noise_var=0.2, fit_intercept=False)
    for k, alpha in enumerate(alphas):
        cov = 0.2 * np.eye(n) + (0.2 / alpha) * X @ X.T
        expected = stats.multivariate_normal(np.zeros(n), cov).logpdf(y)
        assert res.log_evidence[k] == pytest.approx(expected, rel=1e-9)
    np.testing.assert_array_equal(res.noise_var, 0.2)


@pytest.mark.parametrize("n, p", SHAPES)
def test_log_evidence_profiles_noise(n, p):
    X, y, _ = make_data(n, p, seed=9)
    res = bayes.log_evidence(X, y, [0.5, 5.0])
    for alpha, value, noise in zip(res.alphas, res.log_evidence, res.noise_var):
        for factor in (0.9, 1.1):
            other = bayes.log_evidence(X, y, [alpha], noise_var=noise * factor)
            assert other.log_evidence[0] < value
    assert res.best_alpha in res.alphas


def test_evidence_maximizer_agrees_with_fixed_point():
    """MacKay's fixed point sits at the maximum of the (hyperprior-free) evidence."""
    X, y, _ = make_data(200, 5, seed=10)
    fit = bayes.bayesian_ridge(X, y, alpha_1=0, alpha_2=0, lambda_1=0, lambda_2=0,
                               tol=1e-12, max_iter=1000)
    grid = fit.alpha * np.array([0.8, 1.0, 1.25])
    res = bayes.log_evidence(X, y, grid)
    assert res.best_alpha == grid[1]
    assert res.noise_var[1] == pytest.approx(1 / fit.noise_precision, rel=1e-6)


# --------------------------------------------------------------------------- errors


def test_bad_inputs():
    X, y, sw = make_data(30, 3)
    with pytest.raises(ValueError, match="single target"):
        bayes.bayesian_ridge(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="alpha"):
        bayes.posterior(X, y, alpha=0.0, noise_var=1.0)
    with pytest.raises(ValueError, match="noise_var"):
        bayes.posterior(X, y, alpha=1.0, noise_var=-1.0)
    with pytest.raises(ValueError, match="> 0"):
        bayes.log_evidence(X, y, [0.0, 1.0])
    with pytest.raises(ValueError, match="sample_weight"):
        bayes.bayesian_ridge(X, y, sample_weight=-sw)
    with pytest.raises(ValueError, match="NaN"):
        bayes.bayesian_ridge(np.where(X > 3, np.nan, X), y)
    with pytest.raises(ValueError, match="features"):
        bayes.predictive(bayes.posterior(X, y, alpha=1.0, noise_var=1.0), X[:, :2])


def test_inputs_not_mutated():
    X, y, sw = make_data(30, 40, seed=11)
    saved = X.copy(), y.copy(), sw.copy()
    bayes.bayesian_ridge(X, y, sample_weight=sw)
    bayes.log_evidence(X, y, [1.0], sample_weight=sw)
    bayes.predictive(bayes.posterior(X, y, 1.0, 1.0, sample_weight=sw), X)
    for a, b in zip((X, y, sw), saved):
        np.testing.assert_array_equal(a, b)


def test_docstrings_validate():
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    ignored = {"ES01", "SA01", "GL08"}
    for name in bayes.__all__:
        report = numpydoc_validate.validate(f"fastreg.bayes.{name}")
        errors = [e for e in report["errors"] if e[0] not in ignored]
        assert not errors, (name, errors)
