"""``EnetPathResult``: fit statistics, exact solutions between grid points, predictions.

Everything is checked against quantities recomputed here from the data with the
independent references of ``tests/reference.py``: the fraction of deviance
explained from the residuals, the solution at a new alpha against a fresh
single-alpha path solved to a much tighter tolerance (objectives within the
gaps, the new solution's own gap recomputed, the intercepts through strong
convexity), predictions against ``X @ coefs + intercepts``.
"""

import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

import fastreg
import reference as ref
from helpers import fast, make_data, rounding_slack, smallest_eigenvalue

USER_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user_guide" / "paths.rst"

# the path's tolerance (which coef_at inherits) and the fresh reference's
PATH_TOL = 1e-7
FRESH_TOL = 1e-12


@dataclass(frozen=True)
class Case:
    """One way of calling a path function, and the data it is called on."""

    name: str
    n_samples: int = 80
    n_features: int = 12
    n_tasks: object = None
    layout: str = "dense"  # 'dense', 'csc' or 'stats'
    l1_ratio: float = 0.8
    weighted: bool = True
    fit_intercept: bool = True
    standardize: bool = False
    boxed: bool = False  # penalty factors and bounds

    def data(self):
        X, y = make_data(self.n_samples, self.n_features, seed=7, n_tasks=self.n_tasks)
        rng = np.random.default_rng(11)
        # shifted, unequally scaled columns and an offset target: centering and
        # standardization change the problem
        X = X * rng.uniform(0.5, 3.0, self.n_features) + rng.uniform(-1, 1, self.n_features)
        if self.layout == "csc":
            X = sparse.csc_matrix(X * (rng.random(X.shape) < 0.4))
        y = y + 1.5
        sw = rng.uniform(0.2, 2.0, self.n_samples) if self.weighted else None
        return X, y, sw

    def keywords(self):
        kw = dict(l1_ratio=self.l1_ratio, fit_intercept=self.fit_intercept,
                  standardize=self.standardize)
        if self.boxed:
            p = self.n_features
            factors = np.ones(p)
            factors[0], factors[1], factors[2] = 0.0, 2.5, np.inf
            kw.update(penalty_factor=factors, lower_bounds=np.full(p, -0.4),
                      upper_bounds=np.full(p, 0.6))
        return kw

    def run(self, X, y, sw, **kwargs):
        kwargs.update(self.keywords())
        if self.layout == "stats":
            stats = fastreg.GramStats.from_arrays(ref.as_dense(X), y, sample_weight=sw)
            return fast(fastreg.enet_path_from_stats, stats, return_result=True, **kwargs)
        return fast(fastreg.enet_path, X, y, sample_weight=sw, return_result=True, **kwargs)


CASES = [
    Case("dense-intercept-standardize", standardize=True),
    Case("dense-weights-no-intercept-lasso", l1_ratio=1.0, fit_intercept=False),
    Case("dense-box-standardize", boxed=True, standardize=True),
    Case("dense-wide", n_samples=30, n_features=60, l1_ratio=1.0),
    Case("csc-intercept-standardize", layout="csc", standardize=True),
    Case("csc-box", layout="csc", boxed=True),
    Case("stats-intercept-standardize", layout="stats", standardize=True),
    Case("stats-box", layout="stats", boxed=True, weighted=False),
    Case("multitask-dense", n_tasks=3, l1_ratio=0.9),
    Case("multitask-csc", n_tasks=2, layout="csc", l1_ratio=0.9, weighted=False),
]
IDS = [case.name for case in CASES]


class Problem:
    """The problem a case solves, written out on explicitly centered / scaled data.

    ``Xs``, ``ys``: the data the penalty sees (``ref.center_scale``); the
    caller's coefficients ``w`` are ``w * x_scale`` there, and so are the bounds.
    """

    def __init__(self, case, X, y, sw):
        self.case, self.sw, self.multi = case, sw, case.n_tasks is not None
        self.Xs, self.ys, self.x_mean, self.x_scale, self.y_mean = ref.center_scale(
            X, y, sw, fit_intercept=case.fit_intercept, standardize=case.standardize)
        self.scale = ref.gap_scale(self.ys, sw)
        kw = case.keywords()
        self.factors = kw.get("penalty_factor")
        self.lower = kw.get("lower_bounds")
        self.upper = kw.get("upper_bounds")

    def to_problem(self, coef):
        return np.asarray(coef, dtype=np.float64) * self.x_scale

    def objective(self, coef, alpha):
        w, l1_ratio = self.to_problem(coef), self.case.l1_ratio
        if self.multi:
            return ref.mt_enet_objective(self.Xs, self.ys, w, alpha, l1_ratio, self.sw)
        lower = None if self.lower is None else self.lower * self.x_scale
        upper = None if self.upper is None else self.upper * self.x_scale
        return ref.box_objective(self.Xs, self.ys, w, alpha, l1_ratio, self.factors, lower,
                                 upper, self.sw)

    def gap(self, coef, alpha):
        """The reference duality gap (plain penalties only: the reference has no box gap)."""
        w, l1_ratio = self.to_problem(coef), self.case.l1_ratio
        if self.multi:
            return ref.mt_duality_gap(self.Xs, self.ys, w, alpha, l1_ratio, self.sw)
        return ref.duality_gap(self.Xs, self.ys, w, alpha, l1_ratio, sample_weight=self.sw)

    def intercept(self, coef):
        """``y_mean - x_mean^T w`` (per target), recomputed."""
        return self.y_mean - np.asarray(coef, dtype=np.float64) @ self.x_mean

    def strong_convexity(self):
        """A lower bound on the curvature of the objective on the problem's scale."""
        return smallest_eigenvalue(self.Xs, self.sw)


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def solved(request):
    """``(case, X, y, sw, result)``: a 12-alpha path of the case at ``PATH_TOL``."""
    case = request.param
    X, y, sw = case.data()
    return case, X, y, sw, case.run(X, y, sw, alphas=12, eps=1e-2, tol=PATH_TOL,
                                    max_iter=20000)


# ------------------------------------------------------------ fit statistics
def test_dev_ratio_is_the_fraction_of_deviance_explained(solved):
    case, X, y, sw, res = solved
    Xd = ref.as_dense(X)
    weights = np.ones(Xd.shape[0]) if sw is None else sw
    null = np.average(y, axis=0, weights=weights) if case.fit_intercept else np.zeros(y.shape[1:])
    null_deviance = weights @ np.square(y - null)
    for k in range(res.alphas.shape[0]):
        if case.n_tasks is None:
            fitted = Xd @ res.coefs[:, k] + res.intercepts[k]
        else:
            fitted = Xd @ res.coefs[..., k].T + res.intercepts[:, k]
        deviance = weights @ np.square(y - fitted)
        expected = 1.0 - np.sum(deviance) / np.sum(null_deviance)
        assert res.dev_ratio[k] == pytest.approx(expected, abs=1e-10), k
    assert res.dev_ratio[0] == pytest.approx(0.0, abs=1e-10) or case.boxed
    assert np.all(np.diff(res.dev_ratio) >= -1e-10)


def test_n_nonzero_counts_the_coefficients(solved):
    case, _, _, _, res = solved
    if case.n_tasks is None:
        expected = np.count_nonzero(res.coefs, axis=0)
    else:  # a feature counts once, whatever number of targets use it
        expected = np.count_nonzero(np.any(res.coefs != 0, axis=0), axis=0)
    np.testing.assert_array_equal(res.n_nonzero, expected)
    assert res.n_nonzero.dtype == np.int64
    assert res.stop_reason is None


# ------------------------------------------------------ solutions at any alpha
def _between_grid_points(alphas):
    """Geometric midpoints of two pairs of neighbours, and an alpha past the path's end."""
    return np.array([np.sqrt(alphas[2] * alphas[3]), np.sqrt(alphas[7] * alphas[8]),
                     0.6 * alphas[-1]])


def test_coef_at_between_grid_points_is_exact(solved):
    case, X, y, sw, res = solved
    problem = Problem(case, X, y, sw)
    wanted = _between_grid_points(res.alphas)
    coefs, intercepts = res.coef_at(wanted), res.intercept_at(wanted)
    n_features = X.shape[1]
    head = (n_features,) if case.n_tasks is None else (case.n_tasks, n_features)
    assert coefs.shape == head + (3,)
    assert intercepts.shape == head[:-1] + (3,)
    slack = rounding_slack(np.float64, problem.scale)
    certificate = PATH_TOL * problem.scale + slack
    mu = problem.strong_convexity()
    for k, alpha in enumerate(wanted):
        fresh = case.run(X, y, sw, alphas=[alpha], tol=FRESH_TOL, max_iter=100000)
        np.testing.assert_array_equal(fresh.alphas, [alpha])
        w, w_fresh = coefs[..., k], fresh.coefs[..., 0]
        gap_fresh = fresh.dual_gaps[0]
        # P(w) - P* <= gap(w) <= certificate and P* <= P(w_fresh) <= P* + gap_fresh
        p_at, p_fresh = problem.objective(w, alpha), problem.objective(w_fresh, alpha)
        assert p_at - p_fresh <= certificate, (k, p_at - p_fresh)
        assert p_fresh - p_at <= gap_fresh + slack, (k, p_fresh - p_at)
        if not case.boxed:
            assert problem.gap(w, alpha) <= certificate
        np.testing.assert_allclose(intercepts[..., k], problem.intercept(w), rtol=1e-10,
                                   atol=1e-10)
        if mu > 1e-3:
            # ||w - w*|| <= sqrt(2 gap / mu) on the problem's scale, for both
            distance = np.sqrt(2 * certificate / mu) + np.sqrt(2 * (gap_fresh + slack) / mu)
            diff = problem.to_problem(w) - problem.to_problem(w_fresh)
            assert np.linalg.norm(diff) <= distance + 1e-12, k
            lever = np.linalg.norm(problem.x_mean / problem.x_scale)
            assert np.all(np.abs(intercepts[..., k] - fresh.intercepts[..., 0])
                          <= lever * distance + 1e-10), k


def test_coef_at_on_grid_points_returns_the_stored_solutions(solved):
    _, _, _, _, res = solved
    for k in (0, 5, res.alphas.shape[0] - 1):
        np.testing.assert_array_equal(res.coef_at(res.alphas[k]), res.coefs[..., k])
        np.testing.assert_array_equal(res.intercept_at(res.alphas[k]), res.intercepts[..., k])
    picked = res.alphas[[4, 1]]
    np.testing.assert_array_equal(res.coef_at(picked), res.coefs[..., [4, 1]])
    np.testing.assert_array_equal(res.intercept_at(list(picked)), res.intercepts[..., [4, 1]])


def test_coef_at_above_alpha_max_is_zero():
    X, y = make_data(50, 8, seed=3)
    res = fast(fastreg.lasso_path, X, y, alphas=5, fit_intercept=True, return_result=True)
    coef = res.coef_at(2.0 * res.alphas[0])
    np.testing.assert_array_equal(coef, np.zeros(8))
    assert res.intercept_at(2.0 * res.alphas[0]) == pytest.approx(y.mean(), rel=1e-12)


# ------------------------------------------------------------------ predictions
def test_predict_is_X_coefs_plus_intercepts(solved):
    case, X, _, _, res = solved
    n_samples, n_alphas = X.shape[0], res.alphas.shape[0]
    Xd = ref.as_dense(X)
    Xnew = X if case.layout != "stats" else Xd  # statistics keep no rows: predict on X
    path = res.predict(Xnew)
    if case.n_tasks is None:
        assert path.shape == (n_samples, n_alphas)
        expected = Xd @ res.coefs + res.intercepts
    else:
        assert path.shape == (n_samples, case.n_tasks, n_alphas)
        expected = np.einsum("ij,tjk->itk", Xd, res.coefs) + res.intercepts[None]
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-12)
    alpha = float(np.sqrt(res.alphas[4] * res.alphas[5]))
    at_one = res.predict(Xnew, alpha)
    coef, intercept = res.coef_at(alpha), res.intercept_at(alpha)
    head = (n_samples,) if case.n_tasks is None else (n_samples, case.n_tasks)
    assert at_one.shape == head
    np.testing.assert_allclose(at_one, Xd @ coef.T + intercept, rtol=1e-12, atol=1e-12)
    many = [alpha, res.alphas[2]]
    at_many = res.predict(Xnew, many)
    assert at_many.shape == head + (2,)
    np.testing.assert_allclose(at_many[..., 0], at_one, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(at_many[..., 1], path[..., 2], rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- the tuple form
@pytest.mark.parametrize("layout", ["dense", "csc", "stats", "multitask"])
def test_tuple_form_is_the_result_as_tuple(layout):
    X, y = make_data(40, 10, seed=5, n_tasks=2 if layout == "multitask" else None)
    if layout == "csc":
        X = sparse.csc_matrix(X * (np.abs(X) > 0.5))
    kw = dict(l1_ratio=0.6, alphas=8, fit_intercept=True)
    if layout == "stats":
        func, data = fastreg.enet_path_from_stats, (fastreg.GramStats.from_arrays(X, y),)
    else:
        func, data = fastreg.enet_path, (X, y)
    res = fast(func, *data, return_result=True, **kw)
    assert isinstance(res, fastreg.EnetPathResult)
    for flags in [dict(), dict(return_n_iter=True), dict(return_intercept=True),
                  dict(return_n_iter=True, return_intercept=True)]:
        _assert_bitwise_equal(fast(func, *data, **kw, **flags), res.as_tuple(**flags))


def test_lasso_path_return_result():
    X, y = make_data(40, 10, seed=5)
    res = fast(fastreg.lasso_path, X, y, alphas=6, return_result=True)
    _assert_bitwise_equal(fast(fastreg.lasso_path, X, y, alphas=6), res.as_tuple())
    _assert_bitwise_equal(fast(fastreg.enet_path, X, y, l1_ratio=1.0, alphas=6),
                          res.as_tuple())


def _assert_bitwise_equal(a, b):
    assert len(a) == len(b)
    for x, z in zip(a, b):
        x, z = np.asarray(x), np.asarray(z)
        assert x.dtype == z.dtype and x.shape == z.shape
        assert x.tobytes() == z.tobytes()


@pytest.mark.parametrize("layout", ["dense", "stats"])
def test_stop_reason_when_max_features_stops_the_path(layout):
    X, y = make_data(60, 20, seed=2, n_informative=10)
    kw = dict(alphas=30, max_features=4, return_result=True)
    if layout == "stats":
        res = fast(fastreg.lasso_path_from_stats, fastreg.GramStats.from_arrays(X, y), **kw)
    else:
        res = fast(fastreg.lasso_path, X, y, **kw)
    assert res.alphas.shape[0] < 30
    assert "max_features=4" in res.stop_reason
    assert res.n_nonzero[-1] > 4 and np.all(res.n_nonzero[:-1] <= 4)
    n_solved = res.alphas.shape[0]
    assert res.coefs.shape[-1] == res.dual_gaps.shape[0] == res.dev_ratio.shape[0] == n_solved
    assert len(res.n_iters) == res.intercepts.shape[0] == n_solved


# --------------------------------------------------------------------- bad alpha
@pytest.mark.parametrize("bad", [-0.1, np.nan, np.inf, [0.1, -1.0], [[0.1, 0.2]]],
                         ids=["negative", "nan", "inf", "negative-in-array", "2-d"])
@pytest.mark.parametrize("method", ["coef_at", "intercept_at", "predict"])
def test_bad_alpha_raises(bad, method):
    X, y = make_data(30, 5, seed=1)
    res = fast(fastreg.lasso_path, X, y, alphas=4, return_result=True)
    call = getattr(res, method)
    with pytest.raises(ValueError, match="alpha"):
        call(X, bad) if method == "predict" else call(bad)


# ------------------------------------------------------------ the user guide
def test_user_guide_example_runs(capsys):
    """The example of the user guide's section on the result object runs as printed."""
    text = USER_GUIDE.read_text()
    section = text[text.index(".. _path_result:"):]
    block = section[section.index(".. code-block:: python"):].split("\n")[1:]
    body = []
    for line in block:
        if line.strip() and not line.startswith("   "):
            break
        body.append(line)
    namespace = {}
    code = compile(textwrap.dedent("\n".join(body)), str(USER_GUIDE), "exec")
    exec(code, namespace)  # noqa: S102
    res, X = namespace["res"], namespace["X"]
    assert isinstance(res, fastreg.EnetPathResult)
    assert namespace["y_hat"].shape == (X.shape[0],)
    assert namespace["Y_hat"].shape == (X.shape[0], res.alphas.shape[0])
    assert capsys.readouterr().out.count("[") == 2
