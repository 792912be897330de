"""fastreg.bayes against scikit-learn's BayesianRidge and direct Gaussian formulas."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats
from sklearn.linear_model import BayesianRidge

import fastreg
from fastreg import bayes
from fastreg.stats.blocks import prepare_targets
from helpers import make_bayes_data

SHAPES = [(80, 6), (20, 50)]  # primal and dual forms


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
    X, y, _ = make_bayes_data(60, 5, seed=1)
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
    X, y, _ = make_bayes_data(60, 8, seed=2)
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
    X, y, sw = make_bayes_data(n, p, seed=3)
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
    X, y, _ = make_bayes_data(50, 4, seed=4)
    kw = dict(alpha_1=1.0, alpha_2=2.0, lambda_1=0.5, lambda_2=3.0, alpha_init=2.0,
              lambda_init=0.1, max_iter=5, tol=1e-300, compute_score=True)
    model = BayesianRidge(**kw).fit(X, y)
    fit = bayes.bayesian_ridge(X, y, **kw)
    assert fit.n_iter == model.n_iter_ == 5
    assert rel(fit.noise_precision, model.alpha_) < 1e-9
    assert rel(fit.scores, model.scores_) < 1e-9


def test_bayesian_ridge_float32():
    X, y, _ = make_bayes_data(80, 5, seed=5)
    model = BayesianRidge().fit(X.astype(np.float32), y.astype(np.float32))
    fit = bayes.bayesian_ridge(X.astype(np.float32), y.astype(np.float32))
    assert rel(fit.coef, model.coef_) < 1e-4
    assert rel(fit.noise_precision, model.alpha_) < 1e-3


@pytest.mark.parametrize("n, p", SHAPES)
def test_posterior_and_predictive_match_sklearn(n, p):
    X, y, sw = make_bayes_data(n, p, seed=6)
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
    X, y, sw = make_bayes_data(40, 5, seed=7)
    post = bayes.posterior(X, y, alpha=2.0, noise_var=0.3, sample_weight=sw)
    coef, intercept = fastreg.ridge_regression(X, y, 2.0, sample_weight=sw,
                                               return_intercept=True)
    np.testing.assert_allclose(post.mean, coef, rtol=1e-10)
    assert post.intercept == pytest.approx(intercept, rel=1e-10)


# --------------------------------------------------------------------------- evidence


@pytest.mark.parametrize("n, p", SHAPES)
def test_log_evidence_is_gaussian_marginal(n, p):
    """log N(y | 0, noise_var I + prior_var X X^T), without intercept."""
    X, y, _ = make_bayes_data(n, p, seed=8)
    alphas = np.array([0.1, 1.0, 30.0])
    res = bayes.log_evidence(X, y, alphas, noise_var=0.2, fit_intercept=False)
    for k, alpha in enumerate(alphas):
        cov = 0.2 * np.eye(n) + (0.2 / alpha) * X @ X.T
        expected = stats.multivariate_normal(np.zeros(n), cov).logpdf(y)
        assert res.log_evidence[k] == pytest.approx(expected, rel=1e-9)
    np.testing.assert_array_equal(res.noise_var, 0.2)


@pytest.mark.parametrize("n, p", SHAPES)
def test_log_evidence_profiles_noise(n, p):
    X, y, _ = make_bayes_data(n, p, seed=9)
    res = bayes.log_evidence(X, y, [0.5, 5.0])
    for alpha, value, noise in zip(res.alphas, res.log_evidence, res.noise_var):
        for factor in (0.9, 1.1):
            other = bayes.log_evidence(X, y, [alpha], noise_var=noise * factor)
            assert other.log_evidence[0] < value
    assert res.best_alpha in res.alphas


def test_evidence_maximizer_agrees_with_fixed_point():
    """MacKay's fixed point sits at the maximum of the (hyperprior-free) evidence."""
    X, y, _ = make_bayes_data(200, 5, seed=10)
    fit = bayes.bayesian_ridge(X, y, alpha_1=0, alpha_2=0, lambda_1=0, lambda_2=0,
                               tol=1e-12, max_iter=1000)
    grid = fit.alpha * np.array([0.8, 1.0, 1.25])
    res = bayes.log_evidence(X, y, grid)
    assert res.best_alpha == grid[1]
    assert res.noise_var[1] == pytest.approx(1 / fit.noise_precision, rel=1e-6)


# --------------------------------------------------------------------------- errors


def test_bad_inputs():
    X, y, sw = make_bayes_data(30, 3)
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
    X, y, sw = make_bayes_data(30, 40, seed=11)
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


# --------------------------------------------------------------------------- dual form, memory


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_primal_and_dual_forms_agree(fit_intercept, weighted):
    """The same posterior from X^T X (p x p) and from X X^T (n x n)."""
    X, y, sw = make_bayes_data(40, 30, seed=12)
    sw = sw if weighted else None
    factors = [bayes._primal_factor, bayes._dual_factor]
    targets = prepare_targets(y, sw, center=fit_intercept)
    primal, dual = (build(X, targets, fit_intercept, None) for build in factors)
    assert primal.form == "primal" and dual.form == "dual"
    X_new = X[:5] + 0.3
    for alpha in (1e-3, 1.0, 50.0):
        (xp, _, tp), (xd, _, td) = primal.solve(alpha), dual.solve(alpha)
        wp, wd = primal.coef(xp), dual.coef(xd)
        assert rel(wd, wp) < 1e-8  # cond(X) ~ 1e3 without centering
        assert primal.sse(xp, wp, alpha) == pytest.approx(dual.sse(xd, wd, alpha), rel=1e-9)
        for t in (True, False):  # spectral and Cholesky routes
            lp, gp = primal.logdet_trace(alpha, t)
            ld, gd = dual.logdet_trace(alpha, t)
            assert gp == pytest.approx(gd, rel=1e-9)
            assert (primal.logdet_precision(2.0, 2.0 * alpha, lp)
                    == pytest.approx(dual.logdet_precision(2.0, 2.0 * alpha, ld), rel=1e-11))
            cov = primal.cov(alpha, 2.0, t)
            assert rel(dual.cov(alpha, 2.0, t), cov) < 1e-9
            assert rel(dual.cov_diag(alpha, 2.0, t), np.diag(cov)) < 1e-9
            Z = X_new - primal.x_mean
            expected = np.einsum("ij,ij->i", Z @ cov, Z)
            assert rel(dual.quad(Z, alpha, 2.0, t), expected) < 1e-9
            assert rel(primal.quad(Z, alpha, 2.0, t), expected) < 1e-9


def test_dual_posterior_is_lazy_and_matches_sklearn():
    X, y, sw = make_bayes_data(20, 300, seed=13)
    model = BayesianRidge().fit(X, y, sample_weight=sw)
    fit = bayes.bayesian_ridge(X, y, sample_weight=sw)
    assert "cov" not in vars(fit)  # nothing p x p until asked
    assert rel(fit.coef, model.coef_) < 1e-8
    assert rel(fit.cov_diag, np.diag(model.sigma_)) < 1e-7
    assert "cov" not in vars(fit)
    assert rel(fit.cov, model.sigma_) < 1e-7
    post = fit.posterior()
    mean, std = bayes.predictive(post, X[:4] - 1.0)
    sk_mean, sk_std = model.predict(X[:4] - 1.0, return_std=True)
    np.testing.assert_allclose(std, sk_std, rtol=1e-7)
    assert "cov" not in vars(post)


MEMORY_SCRIPT = """
import tracemalloc, numpy as np
from fastreg import bayes
from fastreg.stats.blocks import prepare_targets
from fastreg.sklearn import BayesianRidge
rng = np.random.default_rng(0)
X = rng.standard_normal((50, 20000))
y = X[:, :5] @ np.ones(5) + rng.standard_normal(50)
bayes.bayesian_ridge(X[:, :100], y)  # imports, first calls
tracemalloc.start()
fit = bayes.bayesian_ridge(X, y, compute_score=True)
fit.cov_diag
bayes.predictive(fit.posterior(), X[:10])
bayes.log_evidence(X, y, [0.1, 1.0, 10.0])
BayesianRidge().fit(X, y).predict(X[:10], return_std=True)
print(tracemalloc.get_traced_memory()[1])
"""


def test_dual_memory_is_o_n_p():
    """50 x 20000: peak allocations stay O(n^2 + n p) (was +9.2 GiB with a p x p matrix)."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True,
                         text=True, check=True, timeout=600)
    peak = int(out.stdout.split()[-1])
    X_bytes = 50 * 20000 * 8
    assert peak < 12 * X_bytes, peak / 2**20  # ~96 MB; one p x p matrix is 3.2 GB


# --------------------------------------------------------------------------- accuracy


mpmath = pytest.importorskip("mpmath")


def mp_centered(X, y, center, weights=None):
    """X~, y~ of the exact (50-digit) weighted centering of the double inputs."""
    n, p = X.shape
    A, b = mpmath.matrix(X.tolist()), mpmath.matrix(y.tolist())
    w = [mpmath.mpf(1)] * n if weights is None else [mpmath.mpf(v) for v in weights]
    if center:
        total = mpmath.fsum(w)
        for j in range(p):
            m = mpmath.fsum(w[i] * A[i, j] for i in range(n)) / total
            for i in range(n):
                A[i, j] -= m
        m = mpmath.fsum(w[i] * b[i] for i in range(n)) / total
        for i in range(n):
            b[i] -= m
    for i in range(n):
        r = mpmath.sqrt(w[i])
        b[i] *= r
        for j in range(p):
            A[i, j] *= r
    return A, b


def mp_ridge(X, y, alpha, center, weights=None):
    """(X~^T X~ + alpha I)^{-1} X~^T y~ in 50-digit arithmetic (dual form when p > n)."""
    with mpmath.workdps(50):
        A, b = mp_centered(X, y, center, weights)
        n, p = X.shape
        if p <= n:
            M, rhs = A.T * A, A.T * b
        else:
            M, rhs = A * A.T, b
        for i in range(M.rows):
            M[i, i] += alpha
        x = mpmath.lu_solve(M, rhs)
        w = x if p <= n else A.T * x
        return np.array([float(v) for v in w])


def cholesky_ridge(X, y, alpha, center):
    """The yardstick: a Cholesky solve of the same system in double (dual when p > n)."""
    from scipy import linalg
    if center:
        X, y = X - X.mean(axis=0), y - y.mean()
    n, p = X.shape
    M = X.T @ X if p <= n else X @ X.T
    M[np.diag_indices_from(M)] += alpha
    rhs = X.T @ y if p <= n else y
    x = linalg.cho_solve(linalg.cho_factor(M), rhs)
    return x if p <= n else X.T @ x


def hard_design(name, seed=0):
    rng = np.random.default_rng(seed)
    if name == "columns 1e-6..1e6":
        d = np.logspace(-6, 6, 10)
        X = rng.standard_normal((60, 10)) * d
        return X, X @ (rng.standard_normal(10) / d) + rng.standard_normal(60)
    if name == "polynomial degree 15":
        t = np.linspace(0, 1, 30)
        X = t[:, None] ** np.arange(1, 16)
        return X, np.sin(4 * t) + 0.1 * rng.standard_normal(30)
    if name == "columns 1e-8..1e8":
        d = np.logspace(-8, 8, 12)
        X = rng.standard_normal((40, 12)) * d
        return X, X @ (rng.standard_normal(12) / d) + rng.standard_normal(40)
    if name == "dual, columns 1e-6..1e6":
        d = np.logspace(-6, 6, 60)
        X = rng.standard_normal((20, 60)) * d
        return X, X @ (rng.standard_normal(60) / d) + rng.standard_normal(20)
    raise KeyError(name)


# relative error at most FACTOR times that of a Cholesky solve (or a few eps);
# the dual form is backward stable for X X^T + alpha I, not componentwise:
# measured up to 17x a Cholesky solve of that system (both about 1e-8 there)
ACCURACY = {"columns 1e-6..1e6": (8, 1e-3), "polynomial degree 15": (8, 1e-6),
            "columns 1e-8..1e8": (8, 1e-3), "dual, columns 1e-6..1e6": (40, 1e-3)}


@pytest.mark.parametrize("name", list(ACCURACY))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_posterior_mean_as_accurate_as_cholesky(name, fit_intercept):
    """Against 50-digit references, on column scalings and cond(X) ~ 1e11."""
    X, y = hard_design(name)
    factor, smallest = ACCURACY[name]
    eps = np.finfo(np.float64).eps
    for alpha in (smallest, 1e-1, 10.0):
        ref = mp_ridge(X, y, alpha, fit_intercept)
        err = rel(bayes.posterior(X, y, alpha, 1.0, fit_intercept=fit_intercept).mean, ref)
        err_chol = rel(cholesky_ridge(X, y, alpha, fit_intercept), ref)
        assert err <= factor * max(err_chol, 4 * eps), (alpha, err, err_chol)


def test_badly_scaled_bayesian_ridge_matches_equilibrated_fit():
    """Units must not matter: scaling column j by d_j scales coef_j by 1 / d_j."""
    rng = np.random.default_rng(14)
    Z = rng.standard_normal((80, 6))
    y = Z @ np.array([1.0, -1.0, 0.5, 0.0, 2.0, 0.0]) + 0.3 * rng.standard_normal(80)
    d = np.logspace(-6, 6, 6)
    # the evidence is not scale invariant (the prior is isotropic), the
    # posterior mean at given hyperparameters is the exact ridge solution
    fit = bayes.bayesian_ridge(Z * d, y, tol=1e-10)
    ref = mp_ridge(Z * d, y, fit.alpha, True)
    assert rel(fit.coef, ref) < 1e-12
    ev = bayes.log_evidence(Z * d, y, [fit.alpha], noise_var=1 / fit.noise_precision)
    ev_ref = mp_log_evidence(Z * d, y, fit.alpha, 1 / fit.noise_precision)
    assert ev.log_evidence[0] == pytest.approx(ev_ref, rel=1e-12)


def mp_log_evidence(X, y, alpha, noise_var):
    """log N(y~ | 0, noise_var (I + X~ X~^T / alpha)) in 50 digits (centered data)."""
    with mpmath.workdps(50):
        A, b = mp_centered(X, y, True)
        n, p = X.shape
        # primal identities: log det(alpha I + X^T X) - p log alpha = log det(I + X X^T / alpha)
        M = A.T * A
        for i in range(p):
            M[i, i] += alpha
        w = mpmath.lu_solve(M, A.T * b)
        r = b - A * w
        quad = (sum(v * v for v in r) + alpha * sum(v * v for v in w)) / noise_var
        logdet = mpmath.log(mpmath.det(M)) - p * mpmath.log(alpha)
        return float(-0.5 * (n * mpmath.log(2 * mpmath.pi * noise_var) + logdet + quad))


@pytest.mark.parametrize("name", ["columns 1e-6..1e6", "polynomial degree 15"])
def test_log_evidence_accuracy(name):
    X, y = hard_design(name)
    for alpha in (1e-2, 1.0):
        ev = bayes.log_evidence(X, y, [alpha], noise_var=0.5)
        assert ev.log_evidence[0] == pytest.approx(mp_log_evidence(X, y, alpha, 0.5),
                                                   rel=1e-10)


def test_warns_where_digits_cannot_be_had():
    """Exactly duplicated huge columns: X^T X + alpha I is singular to working precision."""
    rng = np.random.default_rng(15)
    Z = rng.standard_normal((30, 3)) * 1e9
    X = np.column_stack([Z, Z[:, 0], Z[:, 1] * (1 + 1e-17)])
    y = rng.standard_normal(30)
    with pytest.warns(fastreg.AccuracyWarning, match="residual"):
        bayes.posterior(X, y, alpha=1e-12, noise_var=1.0)


@pytest.mark.parametrize("noise", [1e-2, 1e-4, 1e-6])
@pytest.mark.parametrize("weighted", [False, True])
def test_nearly_exact_fit_noise_precision(noise, weighted):
    """||y~||^2 - b^T w - alpha ||w||^2 cancels on a nearly exact fit: the residual is summed."""
    rng = np.random.default_rng(16)
    X = rng.standard_normal((100, 5)) + 3.0
    y = X @ rng.standard_normal(5) + noise * rng.standard_normal(100) + 10.0
    sw = rng.uniform(0.5, 2.0, 100) if weighted else None
    model = BayesianRidge().fit(X, y, sample_weight=sw)
    for data in (X, sp.csr_matrix(X)):
        fit = bayes.bayesian_ridge(data, y, sample_weight=sw)
        assert rel(fit.noise_precision, model.alpha_) < 1e-10
        assert rel(fit.coef, model.coef_) < 1e-10
