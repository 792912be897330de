"""glmnet-style options of lasso_path / enet_path against independent references.

Penalty factors and bounds are checked against reformulations solved by
scikit-learn at tight tolerance, against the exact minimizer found by
enumerating faces (``reference.box_exact``) and through their optimality
conditions (``reference.box_kkt_violation``); the returned gaps must bound the
true suboptimality. Intercept and standardization are checked against
scikit-learn on explicitly centered and scaled data and against glmnet's
conventions (invariances, population standard deviation). Early stops and the
callback are checked on the returned, truncated arrays.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet
from sklearn.linear_model import enet_path as sk_enet_path
from sklearn.linear_model import lasso_path as sk_lasso_path

import fastreg
import reference as ref
from fastreg import enet_path, lasso_path
from helpers import compare_with_sklearn, fast, make_data, rounding_slack, skl

TIGHT = 1e-12
KINDS = ["gram", "naive", "sparse"]


def _as_input(kind, X):
    return sp.csc_matrix(X) if kind == "sparse" else X


def _mode_kwargs(kind):
    return {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}


def _slack(y, dtype=np.float64, sample_weight=None):
    return rounding_slack(dtype, ref.gap_scale(y, sample_weight))


def box_certify(X, y, alphas, coefs, gaps, *, l1_ratio, tol, factors=None, lower=None,
                upper=None, sample_weight=None):
    """Every alpha: returned gap below target, bounds held, KKT conditions met."""
    scale = ref.gap_scale(y, sample_weight)
    slack = _slack(y, coefs.dtype, sample_weight)
    Xw, _ = ref.weighted(X, y, sample_weight)
    v = np.ones(X.shape[1]) if factors is None else np.asarray(factors, float)
    h = np.sum(Xw**2, axis=0) / Xw.shape[0]
    vmax = float(np.max(np.where(np.isfinite(v), v, 0.0)))
    for k, alpha in enumerate(alphas):
        w = np.asarray(coefs[:, k], dtype=np.float64)
        assert -slack <= gaps[k] <= tol * scale + slack, (k, gaps[k], tol * scale)
        if lower is not None:
            assert np.all(w >= np.asarray(lower) - 1e-12 * (1 + np.abs(lower)))
        if upper is not None:
            assert np.all(w <= np.asarray(upper) + 1e-12 * (1 + np.abs(upper)))
        if factors is not None:
            assert np.all(w[np.isinf(v)] == 0)
        kkt = ref.box_kkt_violation(X, y, np.clip(w, lower if lower is not None else -np.inf,
                                                  upper if upper is not None else np.inf),
                                    alpha, l1_ratio, factors, lower, upper, sample_weight)
        curvature = float(np.max(h)) + alpha * (1 - l1_ratio) * vmax
        assert kkt <= np.sqrt(2.0 * curvature * (tol * scale + slack)) + 1e-9, (k, kkt)


def _assert_near(X, y, alphas, coefs, gaps, reference_coefs, *, l1_ratio, factors=None,
                 lower=None, upper=None, sample_weight=None, exact=False):
    """Objectives within the gap of the reference's (exact, or near-exact) objective."""
    slack = _slack(y, coefs.dtype, sample_weight)
    for k, alpha in enumerate(alphas):
        P = ref.box_objective(X, y, coefs[:, k], alpha, l1_ratio, factors, lower, upper,
                              sample_weight)
        P_ref = ref.box_objective(X, y, reference_coefs[:, k], alpha, l1_ratio, factors,
                                  lower, upper, sample_weight)
        # P - P* <= gap (certificate); the reference is optimal to ~1e-13
        assert P - P_ref <= gaps[k] + slack, (k, P - P_ref, gaps[k])
        assert P_ref - P <= (0 if exact else 1e-12 * (1 + abs(P))) + slack, (k, P_ref - P)


# --------------------------------------------------------------- penalty factors
def _factor_reference(X, y, alphas, l1_ratio, factors):
    """The factor-weighted problem solved by scikit-learn through a reformulation.

    Unpenalized (v = 0) features are profiled out by projecting X and y on the
    orthogonal complement of their span; excluded (v = inf) features dropped;
    then ``u_j = v_j w_j`` turns the weighted penalty into a plain one on the
    columns ``x_j / v_j``, with the ridge part carried by augmented rows
    ``sqrt(n l2 / v_j) e_j`` (scikit-learn's 1/(2 n') scaling absorbed in alpha).
    """
    n, p = X.shape
    v = np.asarray(factors, dtype=np.float64)
    U = np.flatnonzero(v == 0)
    P = np.flatnonzero((v > 0) & np.isfinite(v))
    XU = X[:, U]
    proj = XU @ np.linalg.pinv(XU) if U.size else np.zeros((n, n))
    Xp = (X[:, P] - proj @ X[:, P]) / v[P]
    yp = y - proj @ y
    out = np.zeros((p, len(alphas)))
    for k, alpha in enumerate(alphas):
        l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        A = np.vstack([Xp, np.diag(np.sqrt(n * l2 / v[P]))]) if l2 > 0 else Xp
        b = np.concatenate([yp, np.zeros(P.size)]) if l2 > 0 else yp
        n_aug = A.shape[0]
        u = skl(sk_lasso_path, A, b, alphas=[l1 * n / n_aug], tol=1e-14,
                max_iter=200000)[1][:, 0]
        wP = u / v[P]
        out[P, k] = wP
        if U.size:
            out[U, k] = np.linalg.pinv(XU) @ (y - X[:, P] @ wP)
    return out


@pytest.mark.parametrize("kind", KINDS + ["lazy"])
def test_penalty_factor_ones_is_the_plain_path(kind, monkeypatch):
    if kind == "lazy":
        monkeypatch.setattr(fastreg.enet.prepare, "LAZY_GRAM_MIN_FEATURES", 10)
    X, y = make_data(60, 25, seed=1, rho=0.5)
    Xin = _as_input(kind, X)
    kw = dict(l1_ratio=0.7, alphas=12, tol=TIGHT, **_mode_kwargs(kind))
    plain = fast(enet_path, Xin, y, **kw)
    ones = fast(enet_path, Xin, y, penalty_factor=np.ones(25), **kw)
    np.testing.assert_allclose(ones[0], plain[0], rtol=1e-14)
    np.testing.assert_allclose(ones[1], plain[1], rtol=0, atol=1e-6)
    # both certified for the plain problem, and the gaps are the same formula
    for alphas, coefs, gaps in (plain, ones):
        box_certify(X, y, alphas, coefs, gaps, l1_ratio=0.7, tol=TIGHT)
    np.testing.assert_allclose(ones[2], [ref.duality_gap(X, y, ones[1][:, k], a, 0.7)
                                         for k, a in enumerate(ones[0])],
                               rtol=1e-6, atol=_slack(y))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("kind", KINDS)
def test_penalty_factor_matches_rescaled_sklearn(kind, l1_ratio):
    X, y = make_data(50, 12, seed=2, rho=0.4)
    factors = np.array([1.0, 0.0, 2.5, np.inf, 0.3, 1.0, 4.0, 0.0, 1.0, 0.7, 1.0, 1.5])
    alphas, coefs, gaps = fast(enet_path, _as_input(kind, X), y, l1_ratio=l1_ratio,
                               alphas=10, eps=1e-2, tol=TIGHT, penalty_factor=factors,
                               **_mode_kwargs(kind))
    box_certify(X, y, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=TIGHT, factors=factors)
    expected = _factor_reference(X, y, alphas, l1_ratio, factors)
    _assert_near(X, y, alphas, coefs, gaps, expected, l1_ratio=l1_ratio, factors=factors)
    np.testing.assert_allclose(coefs, expected, atol=1e-5)
    # alpha_max: penalized features all zero at the first alpha, not below it
    penalized = (factors > 0) & np.isfinite(factors)
    assert np.all(coefs[penalized, 0] == 0) and np.all(coefs[factors == 0, 0] != 0)
    below = fast(enet_path, X, y, l1_ratio=l1_ratio, alphas=[alphas[0] * 0.99], tol=TIGHT,
                 penalty_factor=factors)[1]
    assert np.any(below[penalized, 0] != 0)


def test_penalty_factor_grid_is_weighted_alpha_max():
    X, y = make_data(40, 8, seed=3)
    factors = np.array([2.0, 0.5, 1.0, 3.0, np.inf, 1.0, 1.0, 0.25])
    alphas = fast(lasso_path, X, y, alphas=5, eps=0.1, penalty_factor=factors)[0]
    g = np.abs(X.T @ y) / 40
    finite = np.isfinite(factors)
    assert alphas[0] == pytest.approx(np.max(g[finite] / factors[finite]), rel=1e-12)
    np.testing.assert_allclose(alphas, np.geomspace(alphas[0], alphas[0] * 0.1, 5),
                               rtol=1e-12)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6, 0.0])
@pytest.mark.parametrize("kind", KINDS)
def test_options_match_exact_solution(kind, l1_ratio):
    """Factors (with 0 and inf) and bounds on a tiny problem: exact optimum by enumeration."""
    X, y = make_data(30, 5, seed=4, rho=0.3, n_informative=4)
    factors = np.array([1.0, 0.0, 2.0, 0.5, 1.0])
    lower = np.array([-0.4, -np.inf, -1.0, 0.0, -np.inf])
    upper = np.array([0.6, np.inf, 0.3, 0.8, np.inf])
    top = float(np.max(np.abs(X.T @ y))) / 30
    alphas = np.array([top, top / 3, top / 10, top / 40]) * (1 if l1_ratio else 10)
    out = fast(enet_path, _as_input(kind, X), y, l1_ratio=l1_ratio, alphas=alphas,
               tol=TIGHT, penalty_factor=factors, lower_bounds=lower, upper_bounds=upper,
               **_mode_kwargs(kind))
    exact = np.column_stack([ref.box_exact(X, y, a, l1_ratio, factors, lower, upper)[0]
                             for a in out[0]])
    _assert_near(X, y, out[0], out[1], out[2], exact, l1_ratio=l1_ratio, factors=factors,
                 lower=lower, upper=upper, exact=True)
    np.testing.assert_allclose(out[1], exact, atol=1e-5)
    box_certify(X, y, out[0], out[1], out[2], l1_ratio=l1_ratio, tol=TIGHT, factors=factors,
                lower=lower, upper=upper)
    assert np.any(out[1] == upper[:, None]) or np.any(out[1] == lower[:, None])


@pytest.mark.parametrize("kind", KINDS)
def test_gap_bounds_suboptimality_at_loose_tol(kind):
    """At tol=1e-3 the certificates are far from zero: they must still bound P - P*."""
    X, y = make_data(40, 6, seed=5, rho=0.6)
    factors = np.array([0.0, 1.0, 3.0, 0.5, 1.0, 1.0])
    lower = np.array([0.0, -0.5, -np.inf, 0.0, -0.2, -np.inf])  # unpenalized with lower = 0
    alphas, coefs, gaps = fast(enet_path, _as_input(kind, X), y, l1_ratio=0.8, alphas=8,
                               eps=0.02, tol=1e-3, penalty_factor=factors,
                               lower_bounds=lower, **_mode_kwargs(kind))
    for k, alpha in enumerate(alphas):
        w_star, P_star = ref.box_exact(X, y, alpha, 0.8, factors, lower)
        P = ref.box_objective(X, y, coefs[:, k], alpha, 0.8, factors, lower)
        assert -1e-12 <= P - P_star <= gaps[k] + 1e-13, (k, P - P_star, gaps[k])


def test_unpenalized_feature_held_at_its_bound():
    """pf = 0 with lower = 0 where least squares wants it negative: stays at 0, certified."""
    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 4))
    y = -1.5 * X[:, 0] + X[:, 1] + 0.3 * rng.standard_normal(40)
    factors, lower = np.array([0.0, 1.0, 1.0, 1.0]), np.array([0.0, -np.inf, -np.inf, -np.inf])
    for kind in KINDS:
        alphas, coefs, gaps = fast(lasso_path, _as_input(kind, X), y, alphas=6, tol=TIGHT,
                                   penalty_factor=factors, lower_bounds=lower,
                                   **_mode_kwargs(kind))
        assert np.all(coefs[0] == 0)
        exact = np.column_stack([ref.box_exact(X, y, a, 1.0, factors, lower)[0]
                                 for a in alphas])
        _assert_near(X, y, alphas, coefs, gaps, exact, l1_ratio=1.0, factors=factors,
                     lower=lower, exact=True)
        # and at a loose tolerance the certificate still bounds the suboptimality
        _, loose, loose_gaps = fast(lasso_path, _as_input(kind, X), y, alphas=alphas,
                                    tol=1e-2, penalty_factor=factors, lower_bounds=lower,
                                    **_mode_kwargs(kind))
        _assert_near(X, y, alphas, loose, loose_gaps, exact, l1_ratio=1.0, factors=factors,
                     lower=lower, exact=True)


# ------------------------------------------------------------------- bounds
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("kind", KINDS)
def test_bounds_on_wide_problem_kkt(kind, l1_ratio):
    """p > n with a box: certificate and KKT."""
    X, y = make_data(40, 300, seed=7, n_informative=6)
    lower = np.where(np.arange(300) % 3 == 0, 0.0, -0.5)
    upper = np.where(np.arange(300) % 5 == 0, 0.2, np.inf)
    alphas, coefs, gaps = fast(enet_path, _as_input(kind, X), y, l1_ratio=l1_ratio,
                               alphas=15, eps=0.1, tol=1e-10, lower_bounds=lower,
                               upper_bounds=upper, **_mode_kwargs(kind))
    box_certify(X, y, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=1e-10, lower=lower,
                upper=upper)
    assert np.any(coefs == 0.2) and np.any(coefs == -0.5)


@pytest.mark.parametrize("kind", ["naive", "sparse"])
def test_wide_loose_gaps_bound_suboptimality(kind):
    """Residual mode on p >> n skips gradients that cannot matter (one-sided boxes
    and factors allow it): the loose certificates must still bound P - P*."""
    X, y = make_data(50, 600, seed=25, n_informative=5)
    factors = np.where(np.arange(600) % 4 == 0, 2.0, 1.0)
    factors[7] = np.inf
    lower = np.where(np.arange(600) % 3 == 0, 0.0, -np.inf)
    kw = dict(l1_ratio=0.9, alphas=12, eps=0.05, penalty_factor=factors, lower_bounds=lower)
    tight = fast(enet_path, _as_input(kind, X), y, tol=1e-13, **kw)
    loose = fast(enet_path, _as_input(kind, X), y, tol=1e-3, **kw)
    box_certify(X, y, tight[0], tight[1], tight[2], l1_ratio=0.9, tol=1e-13, factors=factors,
                lower=lower)
    for k, alpha in enumerate(loose[0]):
        P = ref.box_objective(X, y, loose[1][:, k], alpha, 0.9, factors, lower)
        P_star = ref.box_objective(X, y, tight[1][:, k], alpha, 0.9, factors, lower)
        assert P - P_star <= loose[2][k] + tight[2][k] + 1e-13, (k, P - P_star, loose[2][k])


@pytest.mark.parametrize("kind", KINDS)
def test_lower_zero_is_positive(kind):
    X, y = make_data(50, 15, seed=8, rho=0.5)
    fr, sk = compare_with_sklearn(_as_input(kind, X), y, l1_ratio=0.5, positive=True,
                                  alphas=10, **_mode_kwargs(kind))
    low = fast(enet_path, _as_input(kind, X), y, l1_ratio=0.5, alphas=10, tol=1e-11,
               lower_bounds=0.0, **_mode_kwargs(kind))
    np.testing.assert_allclose(low[0], fr[0], rtol=1e-12)
    _assert_near(X, y, low[0], low[1], low[2], sk[1], l1_ratio=0.5, lower=0.0)
    # positive=True with lower bounds: the larger lower bound applies
    both = fast(enet_path, X, y, l1_ratio=0.5, alphas=10, tol=1e-11, positive=True,
                lower_bounds=-1.0, upper_bounds=0.5)
    box_certify(X, y, both[0], both[1], both[2], l1_ratio=0.5, tol=1e-11, lower=0.0,
                upper=0.5)


# ------------------------------------------------------ intercept, standardize
def _weights(n, seed):
    return np.random.default_rng(seed).uniform(0.2, 2.0, n)


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_intercept_standardize_match_sklearn_on_prepared_data(kind, weighted, standardize):
    X, y = make_data(60, 10, seed=9, rho=0.5)
    X = X * np.linspace(0.5, 4.0, 10) + np.linspace(-3.0, 5.0, 10)  # offsets and scales
    y = y + 7.0
    sw = _weights(60, 10) if weighted else None
    alphas, coefs, gaps, b = fast(enet_path, _as_input(kind, X), y, l1_ratio=0.5,
                                  alphas=10, tol=TIGHT, sample_weight=sw, fit_intercept=True,
                                  standardize=standardize, return_intercept=True,
                                  **_mode_kwargs(kind))
    Xs, ys, x_mean, x_scale, y_mean = ref.center_scale(X, y, sw, standardize=standardize)
    Xw, yw = ref.weighted(Xs, ys, sw)  # scikit-learn's dense path ignores weights
    sk_alphas, sk_coefs, _ = skl(sk_enet_path, Xw, yw, l1_ratio=0.5, alphas=10, tol=1e-14,
                                 max_iter=100000)
    np.testing.assert_allclose(alphas, sk_alphas, rtol=1e-10)
    np.testing.assert_allclose(coefs * x_scale[:, None], sk_coefs, atol=1e-7)
    np.testing.assert_allclose(b, y_mean - x_mean @ coefs, rtol=1e-12, atol=1e-12)
    box_certify(Xs, ys, alphas, coefs * x_scale[:, None], gaps, l1_ratio=0.5, tol=TIGHT,
                sample_weight=sw)


def test_intercept_matches_sklearn_elasticnet():
    X, y = make_data(70, 8, seed=11)
    X = X + 2.0
    y = y - 4.0
    for alpha in (0.5, 0.05):
        est = ElasticNet(alpha=alpha, l1_ratio=0.3, tol=1e-14, max_iter=100000).fit(X, y)
        _, coefs, _, b = fast(enet_path, X, y, l1_ratio=0.3, alphas=[alpha], tol=TIGHT,
                              fit_intercept=True, return_intercept=True)
        np.testing.assert_allclose(coefs[:, 0], est.coef_, atol=1e-8)
        assert b[0] == pytest.approx(est.intercept_, abs=1e-8)


@pytest.mark.parametrize("kind", KINDS)
def test_glmnet_conventions(kind):
    """Scale and shift invariances, population sd, bounds on the original scale."""
    X, y = make_data(50, 6, seed=12, rho=0.3)
    kw = dict(l1_ratio=1.0, alphas=8, tol=TIGHT, fit_intercept=True, standardize=True,
              return_intercept=True, **_mode_kwargs(kind))
    base = fast(enet_path, _as_input(kind, X), y, **kw)
    D = np.array([0.1, 1.0, 3.0, 10.0, 0.5, 2.0])
    scaled = fast(enet_path, _as_input(kind, X * D + 5.0), y + 3.0, **kw)
    np.testing.assert_allclose(scaled[0], base[0], rtol=1e-10)
    np.testing.assert_allclose(scaled[1] * D[:, None], base[1], atol=1e-8)
    np.testing.assert_allclose(scaled[3], base[3] + 3.0 - 5.0 * (scaled[1].sum(axis=0)),
                               atol=1e-8)
    # standardize divides by the 1/n (population) standard deviation
    sd = X.std(axis=0, ddof=0)
    plain = fast(enet_path, X / sd, y, l1_ratio=1.0, alphas=base[0], tol=TIGHT,
                 fit_intercept=True, return_intercept=True)
    np.testing.assert_allclose(base[1], plain[1] / sd[:, None], atol=1e-8)
    # without an intercept glmnet still scales by the centered sd, without centering
    no_b = fast(enet_path, _as_input(kind, X), y, l1_ratio=1.0, alphas=5, tol=TIGHT,
                standardize=True, **_mode_kwargs(kind))
    ref_no_b = fast(enet_path, X / sd, y, l1_ratio=1.0, alphas=5, tol=TIGHT)
    np.testing.assert_allclose(no_b[0], ref_no_b[0], rtol=1e-10)
    np.testing.assert_allclose(no_b[1], ref_no_b[1] / sd[:, None], atol=1e-8)
    # bounds hold for the returned (original-scale) coefficients
    bounded = fast(enet_path, _as_input(kind, X * D), y, l1_ratio=1.0, alphas=8, tol=TIGHT,
                   fit_intercept=True, standardize=True, upper_bounds=0.05,
                   lower_bounds=-0.05, **_mode_kwargs(kind))
    assert np.max(np.abs(bounded[1])) == pytest.approx(0.05, rel=1e-12)


def test_sparse_intercept_never_densifies(monkeypatch):
    X, y = make_data(80, 30, seed=13, density=0.2)
    X[:, 3] += 1.0  # one dense-ish column with a large mean
    Xs = sp.csc_matrix(X)
    before = (Xs.data.copy(), Xs.indices.copy(), Xs.indptr.copy())
    dense = fast(enet_path, X, y, alphas=8, tol=TIGHT, fit_intercept=True, standardize=True,
                 return_intercept=True)

    def refuse(self, *args, **kwargs):
        raise AssertionError("X was densified")

    for cls in (sp.csc_matrix, sp.csr_matrix):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)
    sparse = fast(enet_path, Xs, y, alphas=8, tol=TIGHT, fit_intercept=True,
                  standardize=True, return_intercept=True)
    monkeypatch.undo()
    for a, b in zip(before, (Xs.data, Xs.indices, Xs.indptr)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(sparse[0], dense[0], rtol=1e-10)
    np.testing.assert_allclose(sparse[1], dense[1], atol=1e-8)
    np.testing.assert_allclose(sparse[3], dense[3], atol=1e-8)


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_multitask_intercept(kind):
    X, Y = make_data(50, 12, seed=14, n_tasks=3, density=0.5 if kind == "sparse" else None)
    X = X + 1.5
    Y = Y + np.array([1.0, -2.0, 0.5])
    alphas, coefs, gaps, b = fast(enet_path, _as_input(kind, X), Y, l1_ratio=0.7, alphas=6,
                                  tol=TIGHT, fit_intercept=True, standardize=True,
                                  return_intercept=True)
    Xs, Ys, x_mean, x_scale, y_mean = ref.center_scale(X, Y, standardize=True)
    sk = skl(sk_enet_path, Xs, Ys, l1_ratio=0.7, alphas=alphas, tol=1e-14, max_iter=100000)
    np.testing.assert_allclose(coefs * x_scale[None, :, None], sk[1], atol=1e-7)
    assert b.shape == (3, 6)
    np.testing.assert_allclose(b, y_mean[:, None] - np.einsum("j,tja->ta", x_mean, coefs),
                               atol=1e-12)


def test_return_layout():
    X, y = make_data(30, 5, seed=15)
    out = fast(enet_path, X, y, alphas=4, return_intercept=True, return_n_iter=True)
    assert len(out) == 5 and isinstance(out[3], list)
    np.testing.assert_array_equal(out[4], np.zeros(4))  # no intercept fitted
    assert len(fast(enet_path, X, y, alphas=4, fit_intercept=True)) == 3
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    out32 = fast(enet_path, X32, y32 + 1, alphas=4, tol=1e-5, fit_intercept=True,
                 standardize=True, return_intercept=True, penalty_factor=[1, 0, 2, 1, 1],
                 lower_bounds=-1.0)
    assert out32[1].dtype == np.float32 and out32[3].dtype == np.float32
    Xs, ys, x_mean, x_scale, _ = ref.center_scale(X, y + 1, standardize=True)
    box_certify(Xs, ys, out32[0], out32[1] * x_scale[:, None], out32[2], l1_ratio=0.5,
                tol=1e-5, factors=[1, 0, 2, 1, 1], lower=-x_scale)


def test_coef_init_on_original_scale():
    X, y = make_data(40, 6, seed=16)
    X = X * np.array([1.0, 10.0, 0.1, 1.0, 2.0, 5.0])
    kw = dict(l1_ratio=1.0, tol=TIGHT, fit_intercept=True, standardize=True)
    first = fast(enet_path, X, y, alphas=[0.3], **kw)[1][:, 0]
    warm = fast(enet_path, X, y, alphas=[0.3], coef_init=first, return_n_iter=True, **kw)
    np.testing.assert_allclose(warm[1][:, 0], first, atol=1e-10)
    assert warm[3][0] == 0  # already optimal: no sweep
    bounded = fast(enet_path, X, y, alphas=[0.1], coef_init=np.full(6, 5.0), upper_bounds=0.2,
                   **kw)
    assert np.all(bounded[1] <= 0.2)


# ------------------------------------------------- early stops and callback
@pytest.mark.parametrize("kind", KINDS + ["multitask"])
def test_callback_stops_the_path(kind):
    multi = kind == "multitask"
    X, y = make_data(40, 10, seed=17, n_tasks=2 if multi else None)
    seen = []

    def callback(index, alpha, coef, gap, n_active):
        seen.append((index, alpha, coef, gap, n_active))
        coef[...] = 123.0  # a copy: must not corrupt the result
        return index == 3

    full = fast(enet_path, _as_input(kind, X), y, alphas=10, tol=TIGHT, standardize=True,
                **_mode_kwargs(kind))
    out = fast(enet_path, _as_input(kind, X), y, alphas=10, tol=TIGHT, standardize=True,
               callback=callback, return_n_iter=True, **_mode_kwargs(kind))
    alphas, coefs, gaps, n_iters = out
    assert len(alphas) == 4 and coefs.shape[-1] == 4 and len(gaps) == 4 and len(n_iters) == 4
    np.testing.assert_array_equal(alphas, full[0][:4])
    np.testing.assert_allclose(coefs, full[1][..., :4], atol=1e-12)
    assert [s[0] for s in seen] == [0, 1, 2, 3]
    for index, alpha, coef, gap, n_active in seen:
        assert alpha == alphas[index] and gap == gaps[index]
        rows = np.any(coefs[..., index] != 0, axis=0) if multi else coefs[:, index] != 0
        assert n_active == np.count_nonzero(rows)


def test_max_features_stops_after_first_excess():
    X, y = make_data(60, 30, seed=18, n_informative=10)
    full = fast(lasso_path, X, y, alphas=30, tol=TIGHT)
    counts = np.count_nonzero(full[1], axis=0)
    limit = 5
    stop = int(np.argmax(counts > limit))
    out = fast(lasso_path, X, y, alphas=30, tol=TIGHT, max_features=limit)
    assert len(out[0]) == stop + 1
    assert np.all(np.count_nonzero(out[1][:, :-1], axis=0) <= limit)
    assert np.count_nonzero(out[1][:, -1]) > limit
    np.testing.assert_allclose(out[1], full[1][:, :stop + 1], atol=1e-12)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_min_dev_change(fit_intercept):
    X, y = make_data(80, 10, seed=19, n_informative=3, noise=1.0)
    y = y + 2.0
    kw = dict(alphas=60, tol=TIGHT, fit_intercept=fit_intercept, return_intercept=True)
    full = fast(lasso_path, X, y, **kw)
    out = fast(lasso_path, X, y, min_dev_change=1e-3, **kw)
    m = len(out[0])
    assert 5 <= m < 60
    np.testing.assert_allclose(out[1], full[1][:, :m], atol=1e-12)
    # the fraction of deviance explained, computed here from the returned path
    null = np.sum((y - y.mean()) ** 2) if fit_intercept else np.sum(y**2)
    resid = y[:, None] - X @ full[1] - full[3][None, :]
    dev = 1 - np.sum(resid**2, axis=0) / null
    grew = dev[1:] - dev[:-1]
    rule = grew < 1e-3 * dev[1:]  # rule[k - 1]: stop after alpha k
    assert rule[m - 2] and not np.any(rule[3:m - 2])


def test_verbose_reports_deviance_and_stop(capfd):
    X, y = make_data(40, 10, seed=20)
    fast(lasso_path, X, y, alphas=10, verbose=2, max_features=2)
    err = capfd.readouterr().err
    assert "dev_ratio=" in err and "Path stopped after" in err and "max_features=2" in err
    fast(lasso_path, X, y, alphas=10, verbose=1, callback=lambda *a: a[0] == 1)
    err = capfd.readouterr().err
    assert err.startswith("..") and "callback" in err


# ----------------------------------------------------- statistics input
def test_statistics_input_with_box():
    """A problem built from X^T X, X^T y, y^T y alone takes the same options."""
    from fastreg._scaling import IDENTITY
    from fastreg.enet.designs import GramProblem
    from fastreg.enet.driver import solve_path
    from fastreg.enet.options import PathOptions, Penalty
    from fastreg.enet.penalty import FeatureBox

    X, y = make_data(50, 8, seed=21)
    factors = np.array([0.0, 1.0, 2.0, np.inf, 1.0, 0.5, 1.0, 1.0])
    lower = np.array([-np.inf, 0.0, -1.0, -1.0, -np.inf, -0.1, 0.0, -np.inf])
    alphas, coefs, gaps = fast(enet_path, X, y, alphas=6, tol=TIGHT, penalty_factor=factors,
                               lower_bounds=lower)
    problem = GramProblem.from_gram(X.T @ X, X.T @ y, y @ y, 50)
    box = FeatureBox(problem, factors, lower, np.full(8, np.inf))
    trace = solve_path(problem, alphas, np.zeros(8), box, Penalty(l1_ratio=0.5),
                       PathOptions(tol=TIGHT), IDENTITY)
    stats = (trace.coefs,)
    np.testing.assert_allclose(stats[0], coefs, atol=1e-8)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(penalty_factor=np.ones(4)), ValueError, r"penalty_factor must have shape \(5,\)"),
    (dict(penalty_factor=1.0), ValueError, "one entry per feature"),
    (dict(penalty_factor=[1, 1, -1, 1, 1]), ValueError, "penalty_factor must be >= 0"),
    (dict(penalty_factor=[1, np.nan, 1, 1, 1]), ValueError, "penalty_factor contains NaN"),
    (dict(penalty_factor=["a"] * 5), TypeError, "penalty_factor"),
    (dict(lower_bounds=-1.0, upper_bounds=[1, 1, -2, 1, 1]), ValueError,
     "lower_bounds > upper_bounds for feature 2"),
    (dict(lower_bounds=0.5), ValueError, "exclude zero"),
    (dict(upper_bounds=[1, 1, 1, -0.1, 1]), ValueError, "feature 3.*exclude zero"),
    (dict(lower_bounds=[0, 0, np.nan, 0, 0]), ValueError, "lower_bounds contains NaN"),
    (dict(upper_bounds=np.ones(3)), ValueError, r"upper_bounds must be a scalar or have shape"),
    (dict(max_features=-1), ValueError, "max_features must be >= 0"),
    (dict(max_features=2.5), TypeError, "max_features must be an integer"),
    (dict(min_dev_change=-1e-3), ValueError, "min_dev_change must be finite and >= 0"),
    (dict(callback=3), TypeError, "callback must be callable"),
    (dict(fit_intercept=True, precompute=np.eye(5)), ValueError, "Gram matrix or Xy"),
])
def test_bad_options(kwargs, error, match):
    X, y = make_data(20, 5, seed=22)
    with pytest.raises(error, match=match):
        enet_path(X, y, alphas=3, **kwargs)


def test_bad_option_combinations():
    X, y = make_data(20, 5, seed=23, n_tasks=2)
    with pytest.raises(NotImplementedError, match="single target"):
        enet_path(X, y, alphas=3, penalty_factor=np.ones(5))
    with pytest.raises(NotImplementedError, match="single target"):
        enet_path(X, y, alphas=3, lower_bounds=-1.0)
    with pytest.raises(ValueError, match="X_offset"):
        enet_path(sp.csc_matrix(X), y[:, 0], alphas=3, X_offset=np.zeros(5),
                  fit_intercept=True)


def test_inputs_not_modified_with_options():
    X, y = make_data(30, 6, seed=24)
    X_copy, y_copy = X.copy(), y.copy()
    pf, lo = np.array([1.0, 0.0, 2.0, 1.0, np.inf, 1.0]), np.full(6, -0.5)
    pf_copy, lo_copy = pf.copy(), lo.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast(enet_path, X, y, alphas=4, penalty_factor=pf, lower_bounds=lo,
             fit_intercept=True, standardize=True, coef_init=np.ones(6))
    for a, b in ((X, X_copy), (y, y_copy), (pf, pf_copy), (lo, lo_copy)):
        np.testing.assert_array_equal(a, b)


def test_box_kernels_without_jit():
    """The penalty-factor and bound kernels run as plain Python too (NUMBA_DISABLE_JIT=1)."""
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    selection = ("match_exact_solution and gram-0.6 or matches_rescaled_sklearn and sparse-0.5"
                 " or unpenalized_feature_held or statistics_input")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
         "-k", selection], capture_output=True, text=True, env=env, timeout=600,
        cwd=Path(__file__).parent)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\b4 passed", result.stdout), result.stdout[-500:]
