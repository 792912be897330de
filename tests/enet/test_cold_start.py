"""Cold starts far below alpha_max: lead alphas, support-plus-violator rounds, skipped checks.

A single fit from zero at ``alpha_max / 20`` on a design with hundreds of KKT
violators at zero goes through lead alphas (``fastreg.enet.driver._lead_alphas``)
that are solved and not returned. These tests check when leads are taken, that
the alpha asked for still meets its certificate (gap and KKT recomputed here)
and reaches the same objective as a fit without leads (a path through a fine
grid) and as scikit-learn at a tight tolerance, and that ``n_iter`` counts the
lead sweeps.
"""

import numpy as np
import pytest
from scipy import sparse

import fastreg
from fastreg.enet import driver as _driver
from helpers import certify, make_data, objectives


def _alpha_max(X, y, l1_ratio=1.0):
    return np.max(np.abs(X.T @ y)) / (X.shape[0] * l1_ratio)


@pytest.fixture(scope="module")
def wide():
    X, y = make_data(100, 600, seed=3, rho=0.5, n_informative=40)
    return np.asfortranarray(X - X.mean(0)), y - y.mean()


class _State:
    """The two attributes _lead_alphas reads from the driver's per-alpha state."""

    def __init__(self, W, G):
        self.W, self.G = W, G


def test_lead_alphas_geometric_between_alpha_max_and_the_first_alpha():
    rng = np.random.default_rng(0)
    g = rng.uniform(-1.0, 1.0, 500)
    g[0] = 2.0  # alpha_max = 2 at l1_ratio 1
    state = _State(np.zeros(500), g[:, None])
    scale = fastreg._scaling.IDENTITY
    lead = _driver._lead_alphas(state, np.array([2.0 / 100]), 1.0, scale)
    # ratio 100: floor(log 100 / log 8) = 2 leads at 100^(2/3) and 100^(1/3) times alpha
    assert len(lead) == 2
    np.testing.assert_allclose(lead, 0.02 * 100.0 ** np.array([2 / 3, 1 / 3]))
    assert np.all(np.diff(lead) < 0) and lead[-1] > 0.02 and lead[0] < 2.0


@pytest.mark.parametrize("case", ["warm start", "near alpha_max", "few violators",
                                  "small fraction", "ridge"])
def test_no_lead_alphas(case):
    rng = np.random.default_rng(1)
    p = 500 if case != "few violators" else 60
    g = rng.uniform(-1.0, 1.0, p)
    if case == "small fraction":
        g[: int(0.7 * p)] *= 1e-3  # 150 violators, 30% of the features
    g[0] = 2.0
    W = np.zeros(p)
    if case == "warm start":
        W[3] = 0.1
    alpha = 2.0 / (4.0 if case == "near alpha_max" else 100.0)
    l1_ratio = 0.0 if case == "ridge" else 1.0
    lead = _driver._lead_alphas(_State(W, g[:, None]), np.array([alpha]), l1_ratio,
                                fastreg._scaling.IDENTITY)
    assert len(lead) == 0


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_cold_single_fit_meets_its_certificate_and_the_path_objective(wide, l1_ratio):
    X, y = wide
    alpha = _alpha_max(X, y) / 20
    tol = 1e-6
    _, coefs, gaps, n_iter = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=[alpha],
                                               tol=tol, return_n_iter=True)
    certify(X, y, [alpha], coefs, gaps, l1_ratio=l1_ratio, tol=tol)
    # the same alpha at the end of a fine path (no leads: it starts at alpha_max)
    grid = np.geomspace(_alpha_max(X, y, l1_ratio), alpha, 40)
    _, path_coefs, path_gaps = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=grid, tol=tol)
    single = objectives(X, y, [alpha], coefs, l1_ratio)[0]
    through_path = objectives(X, y, [alpha], path_coefs[:, -1:], l1_ratio)[0]
    bound = tol * (y @ y) / X.shape[0]
    assert abs(single - through_path) <= bound
    assert n_iter[0] > 0


def test_cold_single_fit_matches_sklearn(wide):
    linear_model = pytest.importorskip("sklearn.linear_model")
    from fastreg.sklearn import Lasso

    X, y = wide
    alpha = _alpha_max(X, y) / 20
    ours = Lasso(alpha=alpha, fit_intercept=False, tol=1e-10,
                                 max_iter=100000).fit(X, y)
    theirs = linear_model.Lasso(alpha=alpha, fit_intercept=False, tol=1e-10,
                                max_iter=100000).fit(X, y)
    p_ours = objectives(X, y, [alpha], ours.coef_[:, None], 1.0)[0]
    p_theirs = objectives(X, y, [alpha], theirs.coef_[:, None], 1.0)[0]
    assert p_ours <= p_theirs + 1e-10 * (y @ y) / X.shape[0]
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6 * np.abs(theirs.coef_).max())


def test_lead_sweeps_count_in_the_first_alpha(wide, monkeypatch):
    X, y = wide
    alpha = _alpha_max(X, y) / 20
    with_lead = fastreg.lasso_path(X, y, alphas=[alpha], return_n_iter=True)[-1][0]
    monkeypatch.setattr(_driver, "LEAD_MIN_VIOLATORS", 10**9)  # no leads
    without = fastreg.lasso_path(X, y, alphas=[alpha], return_n_iter=True)
    assert with_lead > 0 and without[-1][0] > 0
    certify(X, y, [alpha], without[1], without[2], l1_ratio=1.0, tol=1e-4)


@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_cold_single_fit_sparse(fmt):
    X, y = make_data(300, 800, seed=5, n_informative=60, density=0.1)
    Xs = sparse.csc_matrix(X) if fmt == "csc" else sparse.csr_matrix(X)
    alpha = _alpha_max(X, y) / 30
    _, coefs, gaps = fastreg.lasso_path(Xs, y, alphas=[alpha], tol=1e-6)
    certify(X, y, [alpha], coefs, gaps, l1_ratio=1.0, tol=1e-6)


def test_multitask_cold_fit_meets_its_certificate():
    X, Y = make_data(80, 400, seed=7, n_informative=30, n_tasks=3)
    alpha = np.max(np.linalg.norm(X.T @ Y, axis=1)) / X.shape[0] / 20
    _, coefs, gaps = fastreg.enet_path(np.asfortranarray(X), Y, l1_ratio=1.0, alphas=[alpha],
                                       tol=1e-6)
    certify(X, Y, [alpha], coefs, gaps, l1_ratio=1.0, tol=1e-6)
