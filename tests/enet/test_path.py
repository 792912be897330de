"""fastreg.lasso_path / enet_path against scikit-learn and independent references.

Every path is certified at every alpha with ``tests/reference.py``: the duality
gap recomputed from scratch in float64 must meet the requested tolerance, the
returned ``dual_gaps`` must equal it, and the KKT conditions must hold. Results
are compared with scikit-learn through objective values (which the gaps bound
rigorously: ``|P_a - P_b| <= max(gap_a, gap_b)``) and, where the problem is
strongly convex, through coefficients (``||w - w*||^2 <= 2 gap / mu``).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import enet_path as sk_enet_path
from sklearn.linear_model import lasso_path as sk_lasso_path

import fastreg
import reference as ref
from fastreg import enet_path, lasso_path
from fastreg.enet.designs import unsigned_csc
from fastreg.enet.prepare import choose_mode
from helpers import (TOL32, TOL64, assert_near_optimum, assert_same_path, certify,
                     compare_with_sklearn, fast, make_data, objectives, rounding_slack, skl,
                     strong_convexity)


# --------------------------------------------------------- dense vs sklearn
@pytest.mark.parametrize("shape", [(80, 20), (30, 60), (40, 40)], ids=["n>p", "p>n", "n=p"])
@pytest.mark.parametrize("rho", [0.0, 0.9], ids=["iid", "toeplitz"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
def test_dense_matches_sklearn(shape, rho, l1_ratio):
    n, p = shape
    X, y = make_data(n, p, seed=n + p, rho=rho)
    # correlated lasso with p >= n converges very slowly at tiny alphas (for
    # scikit-learn too): stop the grid earlier there
    eps = 1e-2 if (rho > 0 and p >= n and l1_ratio == 1.0) else 1e-3
    compare_with_sklearn(X, y, l1_ratio=l1_ratio, alphas=15, eps=eps)


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("shape", [(80, 20), (30, 60)], ids=["n>p", "p>n"])
def test_dense_float32(shape, precompute):
    n, p = shape
    X, y = make_data(n, p, seed=3, rho=0.5, dtype=np.float32)
    (alphas, coefs, gaps), _ = compare_with_sklearn(
        X, y, l1_ratio=0.5, tol=TOL32, alphas=10, precompute=precompute)
    assert coefs.dtype == np.float32


def test_float32_X_float64_y_gives_float32():
    X, y = make_data(40, 10, seed=4)
    _, coefs, _ = fast(enet_path, X.astype(np.float32), y, alphas=5, tol=TOL32)
    assert coefs.dtype == np.float32
    _, coefs, _ = fast(enet_path, X.astype(np.float64), y.astype(np.float32), alphas=5)
    assert coefs.dtype == np.float64


def test_integer_X_computes_in_float64():
    rng = np.random.default_rng(5)
    X = rng.integers(-3, 4, size=(40, 8))
    y = X @ rng.standard_normal(8) + rng.standard_normal(40)
    alphas, coefs, gaps = fast(lasso_path, X, y, alphas=8, tol=TOL64)
    assert coefs.dtype == np.float64
    certify(X.astype(float), y, alphas, coefs, gaps, l1_ratio=1.0, tol=TOL64)


# --------------------------------------------------------- sparse vs sklearn
@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("shape", [(80, 30), (30, 70)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_sparse_matches_sklearn(fmt, shape, l1_ratio):
    n, p = shape
    X, y = make_data(n, p, seed=7, density=0.3)
    Xs = sp.csc_matrix(X) if fmt == "csc" else sp.csr_matrix(X)
    compare_with_sklearn(Xs, y, l1_ratio=l1_ratio, alphas=12)


@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_float32(fmt):
    X, y = make_data(60, 25, seed=8, density=0.4, dtype=np.float32)
    Xs = sp.csc_matrix(X) if fmt == "csc" else sp.csr_matrix(X)
    (_, coefs, _), _ = compare_with_sklearn(Xs, y, l1_ratio=0.7, tol=TOL32, alphas=10)
    assert coefs.dtype == np.float32


def test_sparse_array_and_matrix_agree_with_dense():
    X, y = make_data(50, 20, seed=9, density=0.3)
    grid = fast(lasso_path, X, y, alphas=10, tol=TOL64, precompute=False)
    for Xs in (sp.csc_array(X), sp.csr_array(X), sp.coo_matrix(X)):
        alphas, coefs, gaps = fast(lasso_path, Xs, y, alphas=10, tol=TOL64)
        np.testing.assert_allclose(alphas, grid[0], rtol=1e-12)
        g = certify(X, y, alphas, coefs, gaps, l1_ratio=1.0, tol=TOL64)
        assert_same_path(X, y, alphas, coefs, g, grid[1], grid[2], l1_ratio=1.0)


def test_sparse_non_canonical_input():
    """Duplicate entries are summed and unsorted indices sorted (on a copy)."""
    X, y = make_data(30, 8, seed=10, density=0.5)
    expected = fast(lasso_path, sp.csc_matrix(X), y, alphas=6, tol=TOL64)
    # duplicates: every entry stored as two halves
    csc = sp.csc_matrix(X)
    counts = np.diff(csc.indptr)
    dup = sp.csc_matrix((np.repeat(csc.data / 2, 2), np.repeat(csc.indices, 2),
                         np.r_[0, np.cumsum(2 * counts)]), shape=X.shape)
    assert dup.nnz == 2 * csc.nnz and not dup.has_canonical_format
    # unsorted row indices inside each column
    data, indices = csc.data.copy(), csc.indices.copy()
    for j in range(8):
        s = slice(csc.indptr[j], csc.indptr[j + 1])
        data[s], indices[s] = data[s][::-1], indices[s][::-1]
    unsorted = sp.csc_matrix((data, indices, csc.indptr.copy()), shape=X.shape)
    assert not unsorted.has_sorted_indices
    for Xin in (dup, unsorted):
        before = (Xin.data.copy(), Xin.indices.copy())
        got = fast(lasso_path, Xin, y, alphas=6, tol=TOL64)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
        g = certify(X, y, got[0], got[1], got[2], l1_ratio=1.0, tol=TOL64)
        assert_same_path(X, y, got[0], got[1], g, expected[1], expected[2], l1_ratio=1.0)
        np.testing.assert_array_equal(Xin.data, before[0])
        np.testing.assert_array_equal(Xin.indices, before[1])


def test_gather_columns_copies_the_working_set_side_by_side():
    from fastreg._kernels.cd_naive import gather_columns

    X = sp.random(40, 30, density=0.2, format="csc", random_state=3)
    indices, indptr = unsigned_csc(X)  # as CscProblem passes them
    features = np.array([17, 2, 29, 5, 11], dtype=np.int64)
    size = int(np.sum(indptr[features + 1] - indptr[features]))
    data = np.empty(size)
    rows = np.empty(size, dtype=indices.dtype)
    unset = np.iinfo(indptr.dtype).max
    starts = np.full(30, unset, dtype=indptr.dtype)
    stops = np.full(30, unset, dtype=indptr.dtype)
    assert gather_columns(X.data, indices, indptr, features, data, rows, starts, stops) == size
    dense = X.toarray()
    for j in features:
        column = np.zeros(40)
        column[rows[starts[j]:stops[j]]] = data[starts[j]:stops[j]]
        np.testing.assert_array_equal(column, dense[:, j])
    untouched = np.setdiff1d(np.arange(30), features)
    assert np.all(starts[untouched] == unset) and np.all(stops[untouched] == unset)


@pytest.mark.parametrize("fraction", [0.0, 1.0], ids=["in-place", "gathered"])
@pytest.mark.parametrize("selection", ["cyclic", "random"])
@pytest.mark.parametrize("n_tasks", [None, 3], ids=["single", "multi-task"])
def test_sparse_working_set_layout_does_not_change_the_path(monkeypatch, fraction,
                                                           selection, n_tasks):
    from fastreg.enet import designs as _problems

    X, y = make_data(90, 60, seed=11, density=0.3, n_tasks=n_tasks)
    Xs = sp.csc_matrix(X)
    kwargs = dict(alphas=15, tol=TOL64, selection=selection, random_state=0)
    monkeypatch.setattr(_problems, "_GATHER_MAX_FRACTION", fraction)
    alphas, coefs, gaps = lasso_path(Xs, y, **kwargs)
    certify(X, y, alphas, coefs, gaps, l1_ratio=1.0, tol=TOL64)
    monkeypatch.setattr(_problems, "_GATHER_MAX_FRACTION", 1.0 - fraction)
    _, coefs_other, _ = lasso_path(Xs, y, **kwargs)
    # same sweeps in the same order: the layout moves memory, not arithmetic
    np.testing.assert_array_equal(coefs, coefs_other)


# ----------------------------------------------------------------- positive
@pytest.mark.parametrize("kind", ["dense-gram", "dense-naive", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_positive_matches_sklearn(kind, l1_ratio):
    X, y = make_data(60, 25, seed=11, density=0.5 if kind == "sparse" else None)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {} if kind == "sparse" else {"precompute": kind == "dense-gram"}
    (alphas, coefs, _), _ = compare_with_sklearn(Xin, y, l1_ratio=l1_ratio, positive=True,
                                                 alphas=12, **kw)
    assert np.all(coefs >= 0)
    assert np.any(coefs > 0)


def test_positive_with_no_positive_correlation():
    """alpha_max of the positive problem is 0: a constant tiny grid and zero coefs."""
    X, y = make_data(30, 5, seed=12)
    y = -np.abs(y)
    X = np.abs(X)
    alphas, coefs, gaps = fast(lasso_path, X, y, alphas=4, positive=True, tol=TOL64)
    sk = skl(sk_lasso_path, X, y, alphas=4, positive=True, tol=TOL64)
    np.testing.assert_array_equal(alphas, sk[0])
    np.testing.assert_array_equal(coefs, 0.0)


def test_positive_never_returns_negative_coefs():
    X, y = make_data(30, 5, seed=60)
    coef_init = np.array([-1e-9, 0.0, 0.0, 0.0, 0.0])
    _, coefs, _ = enet_path(X, y, alphas=[100.0], positive=True, coef_init=coef_init)
    assert np.all(coefs >= 0)


# ---------------------------------------------------------------- l1_ratio
@pytest.mark.parametrize("shape", [(60, 15), (20, 40)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("precompute", [True, False])
def test_ridge_l1_ratio_zero(shape, precompute):
    n, p = shape
    X, y = make_data(n, p, seed=13)
    alphas = [1.0, 0.3, 0.05]
    (got_alphas, coefs, gaps), _ = compare_with_sklearn(
        X, y, l1_ratio=0.0, alphas=alphas, precompute=precompute, check_grid=False)
    np.testing.assert_array_equal(got_alphas, alphas)
    for k, alpha in enumerate(alphas):  # closed form
        w = np.linalg.solve(X.T @ X / n + alpha * np.eye(p), X.T @ y / n)
        assert_near_optimum(X, y, coefs[:, k], w, gaps[k], alpha)


@pytest.mark.parametrize("precompute", [True, False])
def test_alpha_zero_is_least_squares(precompute):
    X, y = make_data(60, 10, seed=14)
    alphas, coefs, gaps = fast(enet_path, X, y, l1_ratio=1.0, alphas=[0.0],
                               tol=1e-14, precompute=precompute, max_iter=10000)
    # no dual: the certificate is ||X^T r||^2 / n, as in scikit-learn
    r = y - X @ coefs[:, 0]
    np.testing.assert_allclose(gaps[0], np.sum((X.T @ r) ** 2) / 60, rtol=1e-6, atol=1e-20)
    assert gaps[0] <= 1e-14 * ref.gap_scale(y)
    # w* - w = (X^T X)^-1 X^T r, so ||w - w*|| <= ||X^T r|| / lambda_min(X^T X)
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    bound = np.sqrt(gaps[0] * 60) / np.linalg.eigvalsh(X.T @ X)[0]
    assert np.linalg.norm(coefs[:, 0] - w) <= 1.01 * bound + 1e-12


def test_lasso_path_is_enet_path_l1_ratio_one():
    X, y = make_data(40, 12, seed=15)
    a = fast(lasso_path, X, y, alphas=8, tol=TOL64, return_n_iter=True)
    b = fast(enet_path, X, y, l1_ratio=1.0, alphas=8, tol=TOL64, return_n_iter=True)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


# ------------------------------------------------ the reference, cross-checked
@pytest.mark.parametrize("case", ["dense", "positive", "ridge", "sparse-weighted-centered",
                                  "multitask"])
def test_reference_gap_is_sklearn_dual_gap(case):
    """tests/reference.py's duality gap is on the scale of scikit-learn's dual_gaps."""
    multi = case == "multitask"
    X, y = make_data(40, 15, seed=59, n_tasks=2 if multi else None,
                     density=0.5 if case.startswith("sparse") else None)
    kw, Xref, sw = {}, X, None
    l1_ratio = 0.0 if case == "ridge" else 0.7
    alphas = [0.5, 0.1, 0.02]
    if case == "sparse-weighted-centered":
        sw = _weights(40, seed=7)
        offset = np.average(X, axis=0, weights=sw)
        y = y - np.average(y, weights=sw)
        Xref = X - offset
        kw = dict(sample_weight=sw, X_offset=offset, X_scale=np.ones(15))
    Xin = sp.csc_matrix(X) if case.startswith("sparse") else X
    # a loose tol and few iterations: gaps far from zero, so the comparison bites
    alphas, coefs, gaps = skl(sk_enet_path, Xin, y, l1_ratio=l1_ratio, alphas=alphas,
                              tol=1e-3, max_iter=3, precompute=False,
                              positive=case == "positive", **kw)
    for k, alpha in enumerate(alphas):
        if multi:
            mine = ref.mt_duality_gap(Xref, y, coefs[..., k], alpha, l1_ratio, sw)
        else:
            mine = ref.duality_gap(Xref, y, coefs[..., k], alpha, l1_ratio,
                                   case == "positive", sw)
        assert gaps[k] > 1e-10
        np.testing.assert_allclose(mine, gaps[k], rtol=1e-8)


def test_reference_gap_bounds_suboptimality():
    """Weak duality of the reference: gap >= P(w) - P(w*) >= 0 for arbitrary w."""
    X, y = make_data(30, 8, seed=61)
    rng = np.random.default_rng(0)
    for l1_ratio, positive in ((1.0, False), (0.5, False), (0.5, True), (0.0, False)):
        w_star, gap_star = ref.cd_enet(X, y, 0.1, l1_ratio, positive=positive)
        p_star = ref.enet_objective(X, y, w_star, 0.1, l1_ratio)
        assert ref.kkt_violation(X, y, w_star, 0.1, l1_ratio, positive) < 1e-6
        for _ in range(5):
            w = w_star + 0.1 * rng.standard_normal(8)
            if positive:
                w = np.abs(w)
            gap = ref.duality_gap(X, y, w, 0.1, l1_ratio, positive)
            assert gap + gap_star >= ref.enet_objective(X, y, w, 0.1, l1_ratio) - p_star >= 0
            assert ref.kkt_violation(X, y, w, 0.1, l1_ratio, positive) > 1e-3


# ------------------------------------------------------- against reference CD
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse"])
def test_matches_reference_coordinate_descent(kind, l1_ratio, positive):
    X, y = make_data(40, 12, seed=16, rho=0.4, density=0.6 if kind == "sparse" else None)
    alpha_top = np.max(np.abs(X.T @ y)) / (40 * l1_ratio)
    alphas = alpha_top * np.array([0.5, 0.1, 0.02])
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {} if kind == "sparse" else {"precompute": kind == "gram"}
    got_alphas, coefs, gaps = fast(enet_path, Xin, y, l1_ratio=l1_ratio, alphas=alphas,
                                   positive=positive, tol=TOL64, **kw)
    g = certify(X, y, got_alphas, coefs, gaps, l1_ratio=l1_ratio, tol=TOL64,
                positive=positive)
    refs = [ref.cd_enet(X, y, a, l1_ratio, positive=positive) for a in got_alphas]
    ref_coefs = np.stack([w for w, _ in refs], axis=1)
    ref_gaps = np.array([gap for _, gap in refs])
    # strongly convex here (n > p): this also bounds the coefficient distance
    assert strong_convexity(X, 0.0) > 1e-3
    assert_same_path(X, y, got_alphas, coefs, g, ref_coefs, ref_gaps, l1_ratio=l1_ratio)


@pytest.mark.parametrize("sparse_X", [False, True])
def test_multitask_matches_reference(sparse_X):
    X, Y = make_data(35, 10, seed=17, n_tasks=3, density=0.6 if sparse_X else None)
    alpha_top = np.max(np.linalg.norm(X.T @ Y, axis=1)) / 35
    alphas = alpha_top * np.array([0.4, 0.05])
    Xin = sp.csc_matrix(X) if sparse_X else X
    got_alphas, coefs, gaps = fast(enet_path, Xin, Y, l1_ratio=0.8, alphas=alphas, tol=TOL64)
    g = certify(X, Y, got_alphas, coefs, gaps, l1_ratio=0.8, tol=TOL64)
    refs = [ref.cd_multitask(X, Y, a, 0.8) for a in got_alphas]
    ref_coefs = np.stack([W for W, _ in refs], axis=-1)
    assert_same_path(X, Y, got_alphas, coefs, g, ref_coefs, np.array([r[1] for r in refs]),
                     l1_ratio=0.8)


# --------------------------------------------------------------- multi-task
@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("shape", [(60, 20), (25, 50)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_multitask_matches_sklearn(sparse_X, shape, l1_ratio):
    n, p = shape
    X, Y = make_data(n, p, seed=18, n_tasks=3, density=0.5 if sparse_X else None)
    Xin = sp.csc_matrix(X) if sparse_X else X
    (alphas, coefs, gaps), _ = compare_with_sklearn(Xin, Y, l1_ratio=l1_ratio, alphas=10)
    assert coefs.shape == (3, p, 10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multitask_single_column_target(dtype):
    """y of shape (n, 1) is a one-task multi-task problem (as scikit-learn)."""
    X, y = make_data(40, 10, seed=19, dtype=dtype)
    tol = TOL32 if dtype == np.float32 else TOL64
    alphas, coefs, gaps = fast(enet_path, X, y[:, None], alphas=6, tol=tol)
    assert coefs.shape == (1, 10, 6)
    assert coefs.dtype == dtype
    single = fast(enet_path, X, y, alphas=6, tol=tol)
    np.testing.assert_allclose(alphas, single[0], rtol=1e-6)
    certify(X.astype(float), y[:, None].astype(float), alphas, coefs, gaps, l1_ratio=0.5,
            tol=tol, dtype=dtype)


def test_multitask_float32():
    X, Y = make_data(50, 15, seed=20, n_tasks=2, dtype=np.float32)
    (_, coefs, _), _ = compare_with_sklearn(X, Y, l1_ratio=0.5, tol=TOL32, alphas=8)
    assert coefs.dtype == np.float32


# ---------------------------------------------------------------- coef_init
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse", "multitask"])
def test_coef_init(kind):
    multi = kind == "multitask"
    X, y = make_data(50, 15, seed=21, n_tasks=2 if multi else None,
                     density=0.6 if kind == "sparse" else None)
    rng = np.random.default_rng(0)
    coef_init = rng.standard_normal((2, 15) if multi else 15)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}
    alphas = [0.5, 0.2, 0.05]
    (alphas, coefs, gaps), _ = compare_with_sklearn(Xin, y, l1_ratio=0.7, alphas=alphas,
                                                    coef_init=coef_init, check_grid=False,
                                                    **kw)
    # a warm start changes nothing but the route to the (unique) solution
    cold = fast(enet_path, Xin, y, l1_ratio=0.7, alphas=alphas, tol=TOL64, **kw)
    assert_same_path(X, y, alphas, coefs, gaps, cold[1], cold[2], l1_ratio=0.7)
    # and coef_init is the start of the first alpha only: the path differs from
    # the cold one only within the tolerance, so the first solve did move
    assert not np.allclose(coefs[..., 0], coef_init)


def test_coef_init_at_solution_needs_no_sweep():
    X, y = make_data(50, 15, seed=22)
    _, coefs, _ = fast(lasso_path, X, y, alphas=[0.1], tol=1e-13)
    _, again, gaps, n_iters = fast(lasso_path, X, y, alphas=[0.1], tol=1e-10,
                                   coef_init=coefs[:, 0], return_n_iter=True)
    assert n_iters == [0]
    np.testing.assert_array_equal(again, coefs)


# ------------------------------------------------------------ sample_weight
def _weights(n, seed=0):
    rng = np.random.default_rng(seed)
    sw = rng.uniform(0.2, 3.0, n)
    sw[:3] = 0.0  # zero weights are allowed
    return sw


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_sample_weight_dense_is_row_rescaling(precompute, l1_ratio):
    """Documented: weights apply to dense X; same as rows scaled by sqrt(sw)."""
    X, y = make_data(60, 20, seed=23)
    sw = _weights(60)
    alphas, coefs, gaps = fast(enet_path, X, y, l1_ratio=l1_ratio, alphas=10, tol=TOL64,
                               sample_weight=sw, precompute=precompute)
    g = certify(X, y, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=TOL64, sample_weight=sw)
    Xw, yw = ref.weighted(X, y, sw)
    # alpha_max of the weighted problem = that of the rescaled problem
    b_alphas, b_coefs, b_gaps = fast(enet_path, Xw, yw, l1_ratio=l1_ratio, alphas=10,
                                     tol=TOL64, precompute=precompute)
    np.testing.assert_allclose(alphas, b_alphas, rtol=1e-12)
    np.testing.assert_allclose(gaps, b_gaps, rtol=1e-6,
                               atol=rounding_slack(np.float64, ref.gap_scale(yw)))
    assert_same_path(X, y, alphas, coefs, g, b_coefs, b_gaps, l1_ratio=l1_ratio,
                     sample_weight=sw)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_sample_weight_sparse_matches_sklearn(l1_ratio, positive):
    """scikit-learn's sparse solver uses the same weighted objective."""
    X, y = make_data(60, 25, seed=24, density=0.4)
    sw = _weights(60, seed=1)
    top = np.max(np.abs(X.T @ (sw * y))) / (60 * l1_ratio)
    alphas = top * np.geomspace(1.0, 0.01, 8)
    compare_with_sklearn(sp.csc_matrix(X), y, l1_ratio=l1_ratio, alphas=alphas,
                         sample_weight=sw, positive=positive, check_grid=False)


def test_sample_weight_multitask_sparse_matches_sklearn_and_dense():
    X, Y = make_data(50, 20, seed=25, n_tasks=2, density=0.5)
    sw = _weights(50, seed=2)
    alphas = np.array([1.0, 0.3, 0.1, 0.03])
    (_, coefs, gaps), _ = compare_with_sklearn(sp.csc_matrix(X), Y, l1_ratio=0.6,
                                               alphas=alphas, sample_weight=sw,
                                               check_grid=False)
    dense = fast(enet_path, X, Y, l1_ratio=0.6, alphas=alphas, tol=TOL64, sample_weight=sw)
    g = certify(X, Y, dense[0], dense[1], dense[2], l1_ratio=0.6, tol=TOL64,
                sample_weight=sw)
    assert_same_path(X, Y, alphas, dense[1], g, coefs, gaps, l1_ratio=0.6, sample_weight=sw)


@pytest.mark.parametrize("kind", ["gram", "naive", "sparse"])
def test_sample_weight_dense_sparse_agree(kind):
    X, y = make_data(50, 15, seed=26, density=0.5)
    sw = _weights(50, seed=3)
    Xin = sp.csr_matrix(X) if kind == "sparse" else X
    kw = {} if kind == "sparse" else {"precompute": kind == "gram"}
    alphas, coefs, gaps = fast(enet_path, Xin, y, alphas=8, tol=TOL64, sample_weight=sw, **kw)
    g = certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64, sample_weight=sw)
    base = fast(enet_path, X, y, alphas=8, tol=TOL64, sample_weight=sw, precompute=False)
    np.testing.assert_allclose(alphas, base[0], rtol=1e-12)
    assert_same_path(X, y, alphas, coefs, g, base[1], base[2], l1_ratio=0.5, sample_weight=sw)


def test_sample_weight_ones_and_scalar():
    X, y = make_data(40, 12, seed=27)
    plain = fast(enet_path, X, y, alphas=6, tol=TOL64)
    ones = fast(enet_path, X, y, alphas=6, tol=TOL64, sample_weight=np.ones(40))
    np.testing.assert_allclose(ones[0], plain[0], rtol=1e-14)
    np.testing.assert_allclose(ones[1], plain[1], rtol=1e-7, atol=1e-10)
    # a constant weight c multiplies the data term: the path at alpha equals the
    # unweighted path at alpha / c (same grid once divided by c)
    c = 2.5
    scaled = fast(enet_path, X, y, alphas=6, tol=TOL64, sample_weight=c)
    np.testing.assert_allclose(scaled[0], c * plain[0], rtol=1e-12)
    # P_c(w; alpha) = c * P(w; alpha / c): the certified gaps scale by c too
    assert_same_path(X, y, plain[0], scaled[1], scaled[2] / c, plain[1], plain[2],
                     l1_ratio=0.5)


# ----------------------------------------------- X_offset / X_scale (sparse)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi", [False, True], ids=["single", "multitask"])
def test_sparse_centering_matches_sklearn(weighted, multi):
    """X_offset = the (weighted) column means, X_scale = 1, explicit alphas.

    scikit-learn's sparse solvers assume the offset is the column mean (and y
    centered), so the comparison uses that; arbitrary offsets and uncentered y
    are checked against dense data below.
    """
    X, y = make_data(60, 20, seed=28, n_tasks=2 if multi else None, density=0.4)
    X += 1.0 * (X != 0)  # sparse, with nonzero means
    sw = _weights(60, seed=4) if weighted else None
    offset = np.average(X, axis=0, weights=sw)
    # scikit-learn's sparse solvers also assume a centered y (ElasticNet.fit
    # always centers it); fastreg does not need that
    y = y - np.average(y, axis=0, weights=sw)
    scale = np.ones(20)
    Xc = X - offset
    alphas = np.geomspace(1.0, 0.01, 8)
    (_, coefs, _), _ = compare_with_sklearn(
        sp.csc_matrix(X), y, l1_ratio=0.8, alphas=alphas, sample_weight=sw, Xref=Xc,
        check_grid=False, X_offset=offset, X_scale=scale)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi", [False, True], ids=["single", "multitask"])
def test_sparse_centering_equals_dense_centered(weighted, multi):
    """Arbitrary X_offset / X_scale: the path of the dense matrix X - offset/scale."""
    X, y = make_data(50, 15, seed=29, n_tasks=2 if multi else None, density=0.5)
    rng = np.random.default_rng(1)
    offset = rng.standard_normal(15)
    scale = rng.uniform(0.5, 2.0, 15)
    sw = _weights(50, seed=5) if weighted else None
    Xc = ref.centered_dense(X, offset, scale)
    alphas, coefs, gaps = fast(enet_path, sp.csc_matrix(X), y, l1_ratio=0.8, alphas=8,
                               tol=TOL64, X_offset=offset, X_scale=scale, sample_weight=sw)
    g = certify(Xc, y, alphas, coefs, gaps, l1_ratio=0.8, tol=TOL64, sample_weight=sw)
    dense = fast(enet_path, Xc, y, l1_ratio=0.8, alphas=8, tol=TOL64, sample_weight=sw)
    # alpha_max is that of the centered problem
    np.testing.assert_allclose(alphas, dense[0], rtol=1e-10)
    assert_same_path(Xc, y, alphas, coefs, g, dense[1], dense[2], l1_ratio=0.8,
                     sample_weight=sw)


def test_sparse_offset_without_scale_means_unit_scale():
    X, y = make_data(40, 10, seed=30, density=0.5)
    offset = X.mean(axis=0)
    a = fast(enet_path, sp.csc_matrix(X), y, alphas=5, tol=TOL64, X_offset=offset)
    b = fast(enet_path, sp.csc_matrix(X), y, alphas=5, tol=TOL64, X_offset=offset,
             X_scale=np.ones(10))
    np.testing.assert_array_equal(a[1], b[1])


def test_dense_ignores_offset_like_sklearn():
    X, y = make_data(40, 10, seed=31)
    offset = X.mean(axis=0)
    a = fast(enet_path, X, y, alphas=5, tol=TOL64, X_offset=offset, X_scale=np.ones(10))
    b = fast(enet_path, X, y, alphas=5, tol=TOL64)
    np.testing.assert_array_equal(a[1], b[1])


# ------------------------------------------------------------ alphas and grid
@pytest.mark.parametrize("eps", [1e-3, 1e-2, 0.5])
@pytest.mark.parametrize("n_alphas", [1, 2, 7])
@pytest.mark.parametrize("kind", ["dense", "sparse", "multitask", "positive"])
def test_grid_equals_sklearn(eps, n_alphas, kind):
    multi = kind == "multitask"
    X, y = make_data(30, 12, seed=32, n_tasks=3 if multi else None,
                     density=0.5 if kind == "sparse" else None)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    positive = kind == "positive"
    for l1_ratio in (1.0, 0.3):
        a = enet_path(Xin, y, l1_ratio=l1_ratio, eps=eps, alphas=n_alphas, positive=positive,
                      max_iter=5, tol=1.0)[0]
        b = sk_enet_path(Xin, y, l1_ratio=l1_ratio, eps=eps, alphas=n_alphas,
                         positive=positive, max_iter=5, tol=1.0)[0]
        assert a.shape == (n_alphas,)
        np.testing.assert_allclose(a, b, rtol=1e-13)
        assert np.all(np.diff(a) < 0)


def test_default_grid_has_100_alphas():
    X, y = make_data(30, 5, seed=33)
    a = enet_path(X, y, tol=1e-3)[0]
    b = sk_enet_path(X, y, tol=1e-3)[0]
    assert a.shape == (100,)
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_first_alpha_is_alpha_max():
    """Zero at alpha_max, nonzero just below it (for dense, sparse centered, multi-task)."""
    X, y = make_data(40, 10, seed=34, density=0.6)
    X += 1.0 * (X != 0)
    offset = X.mean(axis=0)
    cases = [(X, y, {}), (sp.csc_matrix(X), y, {"X_offset": offset, "X_scale": np.ones(10)}),
             (X, np.c_[y, -y + 1], {})]
    for Xin, yy, kw in cases:
        alphas, coefs, gaps = fast(enet_path, Xin, yy, l1_ratio=0.7, alphas=3, tol=TOL64, **kw)
        np.testing.assert_array_equal(coefs[..., 0], 0.0)
        _, below, _ = fast(enet_path, Xin, yy, l1_ratio=0.7, alphas=[alphas[0] * 0.99],
                           tol=TOL64, **kw)
        assert np.any(below != 0)


def test_explicit_alphas_unsorted_are_sorted_decreasing():
    X, y = make_data(50, 15, seed=35)
    unsorted = [0.05, 0.5, 0.01, 0.2]
    alphas, coefs, gaps, n_iters = fast(enet_path, X, y, alphas=unsorted, tol=TOL64,
                                        return_n_iter=True)
    np.testing.assert_array_equal(alphas, sorted(unsorted, reverse=True))
    assert len(n_iters) == 4
    sorted_run = fast(enet_path, X, y, alphas=sorted(unsorted, reverse=True), tol=TOL64)
    np.testing.assert_array_equal(alphas, sorted_run[0])
    np.testing.assert_allclose(coefs, sorted_run[1], rtol=1e-12, atol=1e-14)
    sk = skl(sk_enet_path, X, y, alphas=unsorted, tol=TOL64)
    np.testing.assert_array_equal(alphas, sk[0])
    certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64)


def test_alphas_accepts_tuple_array_and_numpy_int():
    X, y = make_data(30, 6, seed=36)
    for alphas in ((0.3, 0.1), np.array([0.3, 0.1]), [1]):
        got = fast(enet_path, X, y, alphas=alphas, tol=TOL64)[0]
        np.testing.assert_array_equal(got, np.sort(np.asarray(alphas, float))[::-1])
    assert fast(enet_path, X, y, alphas=np.int64(4), tol=TOL64)[0].shape == (4,)


def test_deprecated_alphas_arguments_warn_like_sklearn():
    X, y = make_data(30, 6, seed=37)
    with pytest.warns(FutureWarning, match="n_alphas"):
        a = enet_path(X, y, n_alphas=5)[0]
    assert a.shape == (5,)
    with pytest.warns(FutureWarning, match="alphas=None"):
        a = enet_path(X, y, alphas=None)[0]
    assert a.shape == (100,)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        enet_path(X, y)  # the default warns about nothing


# -------------------------------------------------------------- return_n_iter
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse", "multitask"])
def test_return_n_iter(kind):
    multi = kind == "multitask"
    X, y = make_data(40, 15, seed=38, n_tasks=2 if multi else None,
                     density=0.5 if kind == "sparse" else None)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}
    out = fast(enet_path, Xin, y, alphas=6, tol=TOL64, return_n_iter=True, max_iter=500, **kw)
    assert len(out) == 4
    n_iters = out[3]
    assert isinstance(n_iters, list) and len(n_iters) == 6
    assert all(isinstance(k, int) for k in n_iters)
    assert n_iters[0] == 0  # alpha_max: zero is already optimal
    assert all(0 <= k <= 500 for k in n_iters)
    assert sum(n_iters) > 0
    assert len(fast(enet_path, Xin, y, alphas=6, tol=TOL64, **kw)) == 3


# -------------------------------------------------------------- selection
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse", "multitask"])
def test_selection_random(kind):
    multi = kind == "multitask"
    X, y = make_data(50, 20, seed=39, n_tasks=2 if multi else None,
                     density=0.5 if kind == "sparse" else None)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}
    runs = [fast(enet_path, Xin, y, alphas=8, tol=TOL64, selection="random",
                 random_state=seed, **kw) for seed in (0, 0, 1)]
    # same seed: bit-identical
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][2], runs[1][2])
    cyclic = fast(enet_path, Xin, y, alphas=8, tol=TOL64, **kw)
    for alphas, coefs, gaps in runs:
        g = certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64)
        assert_same_path(X, y, alphas, coefs, g, cyclic[1], cyclic[2], l1_ratio=0.5)
    if not multi:
        compare_with_sklearn(Xin, y, l1_ratio=0.5, alphas=8, selection="random",
                             random_state=0, **kw)


def test_random_state_kinds():
    X, y = make_data(40, 10, seed=40)
    for rs in (None, 3, np.random.RandomState(3), np.random.default_rng(3)):
        alphas, coefs, gaps = fast(enet_path, X, y, alphas=5, tol=TOL64, selection="random",
                                   random_state=rs)
        certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64)


# ------------------------------------------------------------ do_screening
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse", "multitask", "positive"])
def test_do_screening_false_agrees(kind):
    multi = kind == "multitask"
    positive = kind == "positive"
    X, y = make_data(40, 30, seed=41, n_tasks=2 if multi else None,
                     density=0.5 if kind == "sparse" else None)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}
    on = fast(enet_path, Xin, y, alphas=10, tol=TOL64, positive=positive, **kw)
    off = fast(enet_path, Xin, y, alphas=10, tol=TOL64, positive=positive,
               do_screening=False, **kw)
    np.testing.assert_array_equal(on[0], off[0])
    g = certify(X, y, off[0], off[1], off[2], l1_ratio=0.5, tol=TOL64, positive=positive)
    assert_same_path(X, y, on[0], on[1], on[2], off[1], g, l1_ratio=0.5)
    if not multi:
        compare_with_sklearn(Xin, y, l1_ratio=0.5, alphas=10, do_screening=False,
                             positive=positive, **kw)


# --------------------------------------------------------------- precompute
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(70, 20), (25, 40)], ids=["n>p", "p>n"])
def test_precompute_modes_agree(shape, weighted):
    n, p = shape
    X, y = make_data(n, p, seed=42, rho=0.5)
    sw = _weights(n, seed=6) if weighted else None
    Xw, yw = ref.weighted(X, y, sw)
    gram, Xy = Xw.T @ Xw, Xw.T @ yw
    kw = dict(alphas=10, tol=TOL64, max_iter=20000)
    runs = {
        "auto": fast(enet_path, X, y, sample_weight=sw, **kw),
        "true": fast(enet_path, X, y, sample_weight=sw, precompute=True, **kw),
        "false": fast(enet_path, X, y, sample_weight=sw, precompute=False, **kw),
    }
    if not weighted:  # a user Gram matrix is that of the data as given
        runs["gram"] = fast(enet_path, X, y, precompute=gram, **kw)
        runs["gram+Xy"] = fast(enet_path, X, y, precompute=gram, Xy=Xy, **kw)
        runs["gram, no check"] = fast(enet_path, X, y, precompute=gram, Xy=Xy,
                                      check_input=False, **kw)
    base = runs["false"]
    g_base = certify(X, y, base[0], base[1], base[2], l1_ratio=0.5, tol=TOL64,
                     sample_weight=sw)
    for name, (alphas, coefs, gaps) in runs.items():
        np.testing.assert_allclose(alphas, base[0], rtol=1e-12, err_msg=name)
        g = certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64, sample_weight=sw)
        assert_same_path(X, y, alphas, coefs, g, base[1], g_base, l1_ratio=0.5,
                         sample_weight=sw)


@pytest.mark.parametrize("precompute", ["gram-array", True, "auto"])
def test_precompute_matches_sklearn(precompute):
    X, y = make_data(60, 15, seed=43, rho=0.7)
    pre = X.T @ X if precompute == "gram-array" else precompute
    compare_with_sklearn(X, y, l1_ratio=0.5, alphas=10, precompute=pre)
    compare_with_sklearn(X, y, l1_ratio=0.5, alphas=10, precompute=pre, Xy=X.T @ y)


def test_gram_float32_given_as_float64():
    X, y = make_data(60, 15, seed=44, dtype=np.float32)
    gram = X.astype(np.float64).T @ X.astype(np.float64)
    alphas, coefs, gaps = fast(enet_path, X, y, alphas=6, tol=TOL32, precompute=gram)
    assert coefs.dtype == np.float32
    certify(X.astype(float), y.astype(float), alphas, coefs, gaps, l1_ratio=0.5, tol=TOL32,
            dtype=np.float32)


@pytest.fixture
def lazy_from_1000(monkeypatch):
    """'auto' picks the lazy Gram from 1000 features (keeps these tests small whatever
    the package's threshold is)."""
    monkeypatch.setattr(fastreg.enet.prepare, "LAZY_GRAM_MIN_FEATURES",
                        min(1000, fastreg.enet.prepare.LAZY_GRAM_MIN_FEATURES))


def test_lazy_gram_mode(monkeypatch, lazy_from_1000):
    """p >= 1000 with n > p: Gram columns computed as features enter."""
    n, p = 1500, 1100
    assert choose_mode(n, p, is_sparse=False, multi_task=False, precompute="auto") == "gram-lazy"
    X, y = make_data(n, p, seed=45, n_informative=8, noise=1.0)
    seen = []

    class Spy(fastreg.enet.prepare.GramProblem):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(self)

    monkeypatch.setattr(fastreg.enet.prepare, "GramProblem", Spy)
    kw = dict(l1_ratio=0.9, alphas=8, eps=0.05, tol=1e-10)
    lazy = fast(enet_path, X, y, **kw)
    assert len(seen) == 1 and seen[0].n_cached < p  # lazy: not every column computed
    full = fast(enet_path, X, y, precompute=True, **kw)
    assert len(seen) == 2 and seen[1].n_cached == p
    naive = fast(enet_path, X, y, precompute=False, **kw)
    assert len(seen) == 2
    g = certify(X, y, lazy[0], lazy[1], lazy[2], l1_ratio=0.9, tol=1e-10)
    for other in (full, naive):
        np.testing.assert_allclose(other[0], lazy[0], rtol=1e-12)
        g_other = certify(X, y, other[0], other[1], other[2], l1_ratio=0.9, tol=1e-10)
        assert_same_path(X, y, lazy[0], lazy[1], g, other[1], g_other, l1_ratio=0.9)
    assert np.count_nonzero(lazy[1][:, -1]) > 0


def test_lazy_gram_with_warm_start(lazy_from_1000):
    n, p = 1200, 1000
    X, y = make_data(n, p, seed=46, n_informative=4)
    assert choose_mode(n, p, is_sparse=False, multi_task=False, precompute="auto") == "gram-lazy"
    first = fast(enet_path, X, y, l1_ratio=1.0, alphas=[0.2], tol=1e-10)
    alphas, coefs, gaps = fast(enet_path, X, y, l1_ratio=1.0, alphas=[0.1], tol=1e-10,
                               coef_init=first[1][:, 0])
    certify(X, y, alphas, coefs, gaps, l1_ratio=1.0, tol=1e-10)


@pytest.fixture
def rounded_sweeps(monkeypatch):
    """Every float64 Gram cache is swept through its float32 rounding (the
    package does so from 8 MB of cache), and every rounded cache built is kept."""
    built = []
    original = fastreg.enet.designs.GramProblem._sweep_cache

    def spy(self):
        cache = original(self)
        built.append(cache.dtype)
        return cache

    monkeypatch.setattr(fastreg.enet.designs, "_ROUNDED_SWEEP_MIN_BYTES", -1)
    monkeypatch.setattr(fastreg.enet.designs.GramProblem, "_sweep_cache", spy)
    return built


@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_rounded_gram_sweeps_certify(rounded_sweeps, tol, l1_ratio):
    """Sweeps on float32-rounded Gram columns still reach every tolerance: the
    certificate comes from the float64 columns (down to tol=1e-12, where the
    rounding's drift is far above the target and rounds of iterative refinement
    carry the solve), and the path agrees with the float64 sweeps' and sklearn's."""
    # (working sets of more than extrapolation.EXTRAPOLATION_MIN_FEATURES: extrapolated too)
    X, y = make_data(300, 120, seed=71, rho=0.7, n_informative=100)
    kw = dict(l1_ratio=l1_ratio, alphas=20, eps=1e-3, tol=tol, precompute=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no convergence warning
        alphas, coefs, gaps = fast(enet_path, X, y, **kw)
    assert set(rounded_sweeps) == {np.dtype(np.float32)}
    g = certify(X, y, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=tol)
    rounded_sweeps.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastreg.enet.designs, "_ROUNDED_SWEEP_MIN_BYTES", 2**62)
        base = fast(enet_path, X, y, **kw)
    assert set(rounded_sweeps) == {np.dtype(np.float64)}
    g_base = certify(X, y, base[0], base[1], base[2], l1_ratio=l1_ratio, tol=tol)
    # (the gaps bound the objectives' difference; rtol only where tol is loose)
    assert_same_path(X, y, alphas, coefs, g, base[1], g_base, l1_ratio=l1_ratio,
                     rtol=max(tol, 1e-8))
    if tol == 1e-8:
        compare_with_sklearn(X, y, l1_ratio=l1_ratio, alphas=20, eps=1e-3, precompute=True)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_gram_extrapolation_certifies_with_fewer_sweeps(monkeypatch, l1_ratio):
    """Anderson extrapolation in the Gram sweeps (cd_gram._extrapolate): the same
    certified path; for the lasso on a correlated design with large supports, in
    fewer sweeps."""
    X, y = make_data(400, 150, seed=74, rho=0.9, n_informative=120)
    kw = dict(l1_ratio=l1_ratio, alphas=15, eps=1e-3, tol=1e-10, precompute=True,
              return_n_iter=True)
    alphas, coefs, gaps, n_iter = fast(enet_path, X, y, **kw)
    g = certify(X, y, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=1e-10)
    original = fastreg.enet.designs.GramProblem.__init__

    def plain(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.extrapolate = False

    monkeypatch.setattr(fastreg.enet.designs.GramProblem, "__init__", plain)
    base = fast(enet_path, X, y, **kw)
    g_base = certify(X, y, base[0], base[1], base[2], l1_ratio=l1_ratio, tol=1e-10)
    assert_same_path(X, y, alphas, coefs, g, base[1], g_base, l1_ratio=l1_ratio)
    if l1_ratio == 1.0:  # (measured: 3170 against 4229 sweeps; the enet here gains ~2%)
        assert sum(n_iter) < 0.9 * sum(base[3]), (sum(n_iter), sum(base[3]))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_residual_extrapolation_certifies_with_fewer_sweeps(monkeypatch, l1_ratio,
                                                            fit_intercept):
    """Anderson extrapolation of the dense residual sweeps (cd_naive._anderson):
    the same certified path as plain sweeps, each reported gap that of the
    returned coefficients (r is formed anew after an extrapolation), and for
    the lasso on large supports fewer sweeps."""
    X, y = make_data(150, 400, seed=75, rho=0.7, n_informative=140)
    kw = dict(l1_ratio=l1_ratio, alphas=15, eps=1e-2, tol=1e-8, max_iter=10_000,
              precompute=False, fit_intercept=fit_intercept, return_intercept=True,
              return_n_iter=True)
    alphas, coefs, gaps, n_iter, intercepts = enet_path(X, y, **kw)
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    g = certify(Xc, yc, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=1e-8)
    monkeypatch.setattr(fastreg.enet.designs.DenseProblem, "extrapolate", False)
    base = enet_path(X, y, **kw)
    g_base = certify(Xc, yc, base[0], base[1], base[2], l1_ratio=l1_ratio, tol=1e-8)
    assert_same_path(Xc, yc, alphas, coefs, g, base[1], g_base, l1_ratio=l1_ratio)
    np.testing.assert_allclose(intercepts, y.mean() - X.mean(0) @ coefs if fit_intercept else 0.0,
                               rtol=1e-12, atol=1e-12)
    if l1_ratio == 1.0:  # (measured: 3539 against 13232 sweeps without an intercept)
        assert sum(n_iter) < 0.9 * sum(base[3]), (sum(n_iter), sum(base[3]))


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_csc_extrapolation_certifies_with_fewer_sweeps(monkeypatch, fit_intercept):
    """The CSC residual sweeps extrapolate as the dense ones do
    (cd_naive.anderson_residual, the shift of the implicit centering combined
    alike): the same certified path as plain sweeps, each reported gap that of
    the returned coefficients (r and the shift are formed anew after an
    extrapolation), and fewer sweeps on large supports."""
    X, y = make_data(150, 400, seed=75, rho=0.7, n_informative=140)
    X[np.abs(X) < 0.5] = 0.0
    Xs = sp.csc_matrix(X)
    kw = {"l1_ratio": 1.0, "alphas": 15, "eps": 1e-2, "tol": 1e-8, "max_iter": 10_000,
          "fit_intercept": fit_intercept, "return_intercept": True, "return_n_iter": True}
    alphas, coefs, gaps, n_iter, intercepts = enet_path(Xs, y, **kw)
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    g = certify(Xc, yc, alphas, coefs, gaps, l1_ratio=1.0, tol=1e-8)
    monkeypatch.setattr(fastreg.enet.designs.CscProblem, "extrapolate", False)
    base = enet_path(Xs, y, **kw)
    g_base = certify(Xc, yc, base[0], base[1], base[2], l1_ratio=1.0, tol=1e-8)
    assert_same_path(Xc, yc, alphas, coefs, g, base[1], g_base, l1_ratio=1.0)
    np.testing.assert_allclose(intercepts, y.mean() - X.mean(0) @ coefs if fit_intercept else 0.0,
                               rtol=1e-12, atol=1e-12)
    assert sum(n_iter) < 0.9 * sum(base[3]), (sum(n_iter), sum(base[3]))


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_csc_and_dense_sweeps_take_the_same_steps(fit_intercept):
    """Dense and CSC X run the same sweeps and the same extrapolations, so even
    paths stopped far from the solution (max_iter=5) agree to rounding, as
    scikit-learn's test_path_parameters asks of ElasticNetCV; they differed by
    1e-4 in its mse_path_ while only the dense sweeps extrapolated."""
    X, y = make_data(100, 120, seed=76, rho=0.5, n_informative=60)
    X[np.abs(X) < 0.6] = 0.0
    kw = {"l1_ratio": 0.5, "alphas": 10, "eps": 1e-3, "max_iter": 5,
          "fit_intercept": fit_intercept, "precompute": False, "return_n_iter": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dense = enet_path(np.asfortranarray(X), y, **kw)
        csc = enet_path(sp.csc_matrix(X), y, **kw)
    np.testing.assert_array_equal(dense[3], csc[3])
    np.testing.assert_allclose(csc[1], dense[1], rtol=0, atol=1e-10 * np.abs(dense[1]).max())


def test_rounded_gram_sweeps_lazy_cache(rounded_sweeps, lazy_from_1000):
    """The rounded copy follows the lazy cache as columns are added and it grows."""
    n, p = 1500, 1100
    X, y = make_data(n, p, seed=72, n_informative=30, noise=1.0)
    alphas, coefs, gaps = fast(enet_path, X, y, l1_ratio=0.9, alphas=12, eps=0.01, tol=1e-8)
    assert np.dtype(np.float32) in rounded_sweeps
    certify(X, y, alphas, coefs, gaps, l1_ratio=0.9, tol=1e-8)


@pytest.mark.parametrize("scale", [2.0**-70, 2.0**70])
def test_rounded_gram_sweeps_not_at_extreme_scales(rounded_sweeps, scale):
    """A Gram matrix outside float32's range keeps float64 sweeps (no overflow, no
    subnormal columns)."""
    X, y = make_data(100, 20, seed=73)
    problem = fastreg.enet.designs.GramProblem(X * scale, y)
    assert problem._sweep_cache().dtype == np.float64
    problem = fastreg.enet.designs.GramProblem(X, y)
    assert problem._sweep_cache().dtype == np.float32


# -------------------------------------------- degenerate columns and targets
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse", "multitask"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_zero_columns(kind, where):
    multi = kind == "multitask"
    X, y = make_data(40, 12, seed=47, n_tasks=2 if multi else None,
                     density=0.6 if kind == "sparse" else None)
    cols = {"first": [0], "middle": [5, 6], "last": [10, 11]}[where]
    X[:, cols] = 0.0
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}
    coef_init = np.ones((2, 12) if multi else 12)  # nonzero start on zero columns
    alphas, coefs, gaps = fast(enet_path, Xin, y, alphas=8, tol=TOL64, coef_init=coef_init,
                               **kw)
    # a zero column only carries penalty: its coefficient is exactly zero
    np.testing.assert_array_equal(coefs[..., cols, :], 0.0)
    certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64)
    sk = skl(sk_enet_path, Xin, y, alphas=8, tol=TOL64)
    np.testing.assert_allclose(alphas, sk[0], rtol=1e-12)


def test_all_zero_sparse_matrix():
    X = sp.csc_matrix((20, 5))
    y = np.random.default_rng(0).standard_normal(20)
    alphas, coefs, gaps = fast(lasso_path, X, y, alphas=3, tol=TOL64)
    np.testing.assert_array_equal(coefs, 0.0)
    np.testing.assert_array_equal(alphas, np.finfo(np.float64).resolution)


@pytest.mark.parametrize("kind", ["gram", "naive"])
def test_constant_column_dense(kind):
    """Without centering a constant column is an ordinary feature (as in sklearn)."""
    X, y = make_data(50, 10, seed=48)
    X[:, 3] = 2.0
    y = y + 3.0
    compare_with_sklearn(X, y, l1_ratio=0.5, alphas=8, precompute=kind == "gram")


def test_constant_column_sparse_centered_is_zero_variance():
    X, y = make_data(50, 10, seed=49, density=0.5)
    X[:, 4] = 3.0
    offset = X.mean(axis=0)
    Xc = X - offset
    alphas, coefs, gaps = fast(enet_path, sp.csc_matrix(X), y, l1_ratio=0.8, alphas=8,
                               tol=TOL64, X_offset=offset, X_scale=np.ones(10))
    assert np.max(np.abs(coefs[4])) <= 1e-10
    certify(Xc, y, alphas, coefs, gaps, l1_ratio=0.8, tol=TOL64)


@pytest.mark.parametrize("kind", ["gram", "naive", "sparse"])
def test_duplicated_columns(kind):
    X, y = make_data(40, 8, seed=50, density=0.6 if kind == "sparse" else None)
    X = np.c_[X, X[:, :3]]  # columns 8, 9, 10 duplicate 0, 1, 2
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {} if kind == "sparse" else {"precompute": kind == "gram"}
    # lasso: the solution is not unique, the objective is
    compare_with_sklearn(Xin, y, l1_ratio=1.0, alphas=8, **kw)
    # elastic net: strictly convex, duplicates share the weight equally
    (alphas, coefs, _), _ = compare_with_sklearn(Xin, y, l1_ratio=0.5, alphas=8, **kw)
    np.testing.assert_allclose(coefs[:3], coefs[8:], rtol=1e-5, atol=1e-8)


def test_zero_target():
    X, y = make_data(30, 6, seed=51)
    for Xin, yy in ((X, np.zeros(30)), (sp.csc_matrix(X), np.zeros(30)), (X, np.zeros((30, 2)))):
        alphas, coefs, gaps = fast(enet_path, Xin, yy, alphas=4, tol=TOL64)
        np.testing.assert_array_equal(coefs, 0.0)
        np.testing.assert_array_equal(gaps, 0.0)
        sk = skl(sk_enet_path, Xin, yy, alphas=4, tol=TOL64)
        np.testing.assert_array_equal(alphas, sk[0])


def test_single_sample_and_single_feature():
    rng = np.random.default_rng(52)
    X1 = rng.standard_normal((30, 1))
    y1 = 2 * X1[:, 0] + 0.1 * rng.standard_normal(30)
    compare_with_sklearn(X1, y1, l1_ratio=0.5, alphas=5)
    Xs, ys = rng.standard_normal((1, 6)), np.array([1.5])
    compare_with_sklearn(Xs, ys, l1_ratio=0.5, alphas=5)


# ------------------------------------------------------ inputs never mutated
def _snapshot(obj):
    if sp.issparse(obj):
        return (obj.format, obj.data.copy(), obj.indices.copy(), obj.indptr.copy(), obj.shape,
                obj.dtype)
    if isinstance(obj, np.ndarray):
        return (obj.copy(order="K"), obj.flags.c_contiguous, obj.flags.f_contiguous)
    return obj


def _assert_unchanged(before, after):
    if isinstance(before, tuple) and len(before) == 6:
        assert before[0] == after.format and before[4] == after.shape
        assert before[5] == after.dtype
        np.testing.assert_array_equal(before[1], after.data)
        np.testing.assert_array_equal(before[2], after.indices)
        np.testing.assert_array_equal(before[3], after.indptr)
    elif isinstance(before, tuple):
        np.testing.assert_array_equal(before[0], after)
        assert before[0].dtype == after.dtype
        assert before[1] == after.flags.c_contiguous and before[2] == after.flags.f_contiguous


@pytest.mark.filterwarnings("ignore::fastreg.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout, mode", [
    (layout, mode)
    for mode in ("single", "gram", "multitask", "centered")
    for layout in ("C", "F", "csc", "csr")
    if not (mode == "gram" and layout in ("csc", "csr"))  # Gram mode needs dense X
    and not (mode == "centered" and layout in ("C", "F"))  # X_offset is for sparse X
])
def test_inputs_not_mutated(layout, mode, dtype):
    multi = mode == "multitask"
    X, y = make_data(40, 12, seed=53, n_tasks=2 if multi else None, dtype=dtype,
                     density=0.5 if layout in ("csc", "csr") else None)
    X = {"C": np.ascontiguousarray, "F": np.asfortranarray, "csc": sp.csc_matrix,
         "csr": sp.csr_matrix}[layout](X)
    if layout == "csc":
        X.sort_indices()
    y = np.asfortranarray(y) if layout == "F" else y
    rng = np.random.default_rng(0)
    kwargs = dict(
        coef_init=rng.standard_normal((2, 12) if multi else 12).astype(dtype),
        sample_weight=rng.uniform(0.5, 2, 40).astype(dtype),
        copy_X=False,  # fastreg never writes to X, whatever copy_X says
    )
    if mode == "gram":
        Xd = X.astype(np.float64)
        kwargs.pop("sample_weight")
        kwargs["precompute"] = np.asfortranarray(Xd.T @ Xd).astype(dtype) if layout == "F" \
            else (Xd.T @ Xd).astype(dtype)
        kwargs["Xy"] = (Xd.T @ y).astype(dtype)
    if mode == "centered":
        kwargs["X_offset"] = rng.standard_normal(12)
        kwargs["X_scale"] = rng.uniform(0.5, 2, 12)
    before = {"X": _snapshot(X), "y": _snapshot(y)}
    before.update({k: _snapshot(v) for k, v in kwargs.items()})
    tol = TOL32 if dtype == np.float32 else 1e-8
    out = enet_path(X, y, alphas=[1.0, 0.3, 0.1], tol=tol, max_iter=50, **kwargs)
    _assert_unchanged(before["X"], X)
    _assert_unchanged(before["y"], y)
    for k, v in kwargs.items():
        _assert_unchanged(before[k], v)
    # results never alias the inputs
    for arr in out:
        for v in [X, y, *kwargs.values()]:
            if isinstance(v, np.ndarray):
                assert not np.shares_memory(arr, v)


def test_read_only_inputs():
    X, y = make_data(40, 10, seed=54)
    X = np.asfortranarray(X)
    coef_init = np.zeros(10)
    for a in (X, y, coef_init):
        a.setflags(write=False)
    for pre in (True, False):
        alphas, coefs, gaps = fast(enet_path, X, y, alphas=4, tol=TOL64, precompute=pre,
                                   coef_init=coef_init)
        certify(X, y, alphas, coefs, gaps, l1_ratio=0.5, tol=TOL64)


# --------------------------------------------------------- non-convergence
@pytest.mark.parametrize("kind", ["gram", "naive", "sparse", "multitask"])
def test_convergence_warning(kind):
    multi = kind == "multitask"
    X, y = make_data(40, 20, seed=55, rho=0.9, n_tasks=2 if multi else None,
                     density=0.6 if kind == "sparse" else None)
    Xin = sp.csc_matrix(X) if kind == "sparse" else X
    kw = {"precompute": kind == "gram"} if kind in ("gram", "naive") else {}
    kw.update(alphas=[0.01], tol=1e-14, max_iter=1)
    with pytest.warns(SkConvergenceWarning, match="did not converge"):
        enet_path(Xin, y, **kw)
    with pytest.warns(fastreg.ConvergenceWarning, match="[Dd]uality gap"):
        _, _, gaps, n_iters = enet_path(Xin, y, return_n_iter=True, **kw)
    assert n_iters == [1]
    scale = ref.gap_scale(y)
    assert gaps[0] > 1e-14 * scale
    # scikit-learn's filter silences fastreg too
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=SkConvergenceWarning)
        enet_path(Xin, y, **kw)
    assert not [w for w in record if issubclass(w.category, fastreg.ConvergenceWarning)]


def test_convergence_warning_class():
    assert issubclass(fastreg.ConvergenceWarning, Warning)
    X, y = make_data(30, 10, seed=56, rho=0.9)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        enet_path(X, y, alphas=[0.001], tol=0.0, max_iter=2)
    categories = [w.category for w in record]
    assert len(categories) == 1
    assert issubclass(categories[0], fastreg.ConvergenceWarning)
    assert issubclass(categories[0], SkConvergenceWarning)
    assert record[0].filename == __file__  # attributed to the caller


def test_tol_zero_only_stops_at_exact_optimum():
    X, y = make_data(30, 4, seed=57)
    # alpha above alpha_max: zero is exactly optimal, no warning even with tol=0
    alphas, coefs, gaps = fast(lasso_path, X, y, alphas=[1e3], tol=0.0)
    np.testing.assert_array_equal(coefs, 0.0)
    assert gaps[0] == 0.0


# ------------------------------------------------------------------ verbose
@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_verbose(verbose, capfd):
    X, y = make_data(30, 6, seed=58)
    fast(enet_path, X, y, alphas=3, tol=TOL64, verbose=verbose)
    err = capfd.readouterr().err
    if verbose == 0:
        assert err == ""
    elif verbose == 1:
        assert err.count(".") >= 3
    else:
        assert err.count("\n") >= 3 and "gap" in err


# ------------------------------------------- bounded gradients (wide, naive)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
def test_wide_path_with_skipped_gradients_matches_sklearn(l1_ratio, positive):
    # p >> n with a sparse truth: most KKT re-checks skip most features through
    # their gradient bounds, and every certificate must still hold exactly
    X, y = make_data(60, 900, seed=11, n_informative=4)
    compare_with_sklearn(X, y, l1_ratio=l1_ratio, positive=positive, alphas=30, eps=1e-2)


def test_gradient_bounds_are_upper_bounds(monkeypatch):
    from fastreg.enet.designs import DenseProblem, GradientBounds

    monkeypatch.setattr(GradientBounds, "MIN_ENTRIES", 0)  # (50 x 400: below it)
    X, y = make_data(50, 400, seed=2)
    problem = DenseProblem(X, y)
    w = np.zeros(400)
    problem.start(w)
    g0 = problem.gradient(w)[0][:, 0].copy()
    w[:3] = [0.5, -0.2, 0.1]
    problem.start(w)
    l1 = 0.9 * np.abs(g0).max()
    g_mixed = problem.gradient(w, l1)[0][:, 0]
    g_exact = X.T @ (y - X @ w) / 50
    computed = np.isclose(g_mixed, g_exact, rtol=1e-12, atol=1e-14)
    # every feature that could violate the KKT conditions is computed exactly ...
    assert np.all(computed[(np.abs(g_exact) > l1) | (w != 0)])
    # ... and every other entry is an upper bound on |gradient| that stays <= l1
    skipped = ~computed
    assert skipped.sum() > 200
    assert np.all(g_mixed[skipped] >= np.abs(g_exact[skipped]))
    assert np.all(g_mixed[skipped] <= l1)


@pytest.mark.parametrize("scale", ["unit", "mixed"])
@pytest.mark.parametrize("centered", [False, True])
def test_rounded_bounds_are_upper_bounds(monkeypatch, scale, centered):
    """RoundedBounds: every feature not computed exactly has a bound at least
    its exact |gradient| and at most l1, with columns from 2^-160 (below
    float32's subnormals) to 2^60 of each other; every possible violator and
    every nonzero coefficient is exact."""
    from fastreg.enet.designs import DenseProblem, GradientBounds, RoundedBounds

    monkeypatch.setattr(GradientBounds, "MIN_ENTRIES", 0)
    monkeypatch.setattr(RoundedBounds, "MIN_BYTES", 0)
    X, y = make_data(50, 400, seed=3)
    if scale == "mixed":
        X = X * 2.0 ** np.random.default_rng(4).integers(-160, 60, 400)
    centers = X.mean(0) + 0.5 if centered else None
    norms2 = ((X - centers) ** 2).sum(0) / 50 if centered else None
    problem = DenseProblem(np.asfortranarray(X), y, norms2=norms2, xty=None, centers=centers)
    Xc = X - centers if centered else X
    w = np.zeros(400)
    w[:3] = [0.5 / np.linalg.norm(Xc[:, 0]), -0.2 / np.linalg.norm(Xc[:, 1]),
             0.1 / np.linalg.norm(Xc[:, 2])]
    problem.start(w)
    g_exact = Xc.T @ (y - Xc @ w) / 50
    l1 = 0.5 * np.abs(g_exact).max()
    g_mixed = problem.gradient(w, l1)[0][:, 0]
    assert problem.rounded.X32 is not None  # (the rounded route ran)
    computed = np.isclose(g_mixed, g_exact, rtol=1e-12, atol=0.0)
    assert np.all(computed[(np.abs(g_exact) > l1) | (w != 0)])
    skipped = ~computed
    assert skipped.sum() > 200
    assert np.all(g_mixed[skipped] >= np.abs(g_exact[skipped]))
    assert np.all(g_mixed[skipped] <= l1)


def test_rounded_bounds_off_beyond_float32s_range(monkeypatch):
    """Columns beyond float32's range: no rounding, exact gradients only."""
    from fastreg.enet.designs import DenseProblem, GradientBounds, RoundedBounds

    monkeypatch.setattr(GradientBounds, "MIN_ENTRIES", 0)
    monkeypatch.setattr(RoundedBounds, "MIN_BYTES", 0)
    X, y = make_data(50, 400, seed=5)
    X[:, 7] *= 2.0**140
    problem = DenseProblem(np.asfortranarray(X), y)
    w = np.zeros(400)
    w[0] = 0.1
    problem.start(w)
    g = problem.gradient(w, 1e-3)[0][:, 0]
    assert not problem.rounded.active
    np.testing.assert_allclose(g, X.T @ (y - X @ w) / 50, rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_rounded_bounds_certify_the_same_path(monkeypatch, fit_intercept):
    """Gradients through the float32 rounding's bounds at every KKT check: the
    certified path of exact gradients (the drift bounds, which would serve
    first, switched off)."""
    from fastreg.enet import designs

    X, y = make_data(80, 600, seed=36, rho=0.5, n_informative=40)
    kw = dict(l1_ratio=0.9, alphas=25, eps=1e-3, tol=1e-8, fit_intercept=fit_intercept,
              return_intercept=True)
    plain = enet_path(X, y, **kw)
    monkeypatch.setattr(designs.GradientBounds, "MIN_ENTRIES", 0)
    monkeypatch.setattr(designs.GradientBounds, "MAX_FRACTION", -1.0)
    monkeypatch.setattr(designs.RoundedBounds, "MIN_BYTES", 0)
    used = []
    original = designs.RoundedBounds.needed

    def spy(self, *args):
        out = original(self, *args)
        used.append(out[0] is not None)
        return out

    monkeypatch.setattr(designs.RoundedBounds, "needed", spy)
    alphas, coefs, gaps, intercepts = enet_path(X, y, **kw)
    assert sum(used) > 10
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    g = certify(Xc, yc, alphas, coefs, gaps, l1_ratio=0.9, tol=1e-8)
    g_plain = certify(Xc, yc, plain[0], plain[1], plain[2], l1_ratio=0.9, tol=1e-8)
    assert_same_path(Xc, yc, alphas, coefs, g, plain[1], g_plain, l1_ratio=0.9)


def test_newton_steps_take_small_supports_to_the_floor():
    """Newton steps on the settled support of a covariance solve
    (cd_gram._gram_newton) land on the solution: the diabetes path at the
    default tol within rounding of the optimum at every alpha, in a few
    hundred sweeps (measured: 4.0e-16 in 232 sweeps; 5.0e-10 in 9576 without)."""
    X, y = fastreg.load_diabetes()
    X = np.asfortranarray(X)
    alphas, coefs, gaps, n_iter = fast(lasso_path, X, y, tol=1e-4, return_n_iter=True)
    g = certify(X, y, alphas, coefs, gaps, l1_ratio=1.0, tol=1e-4)
    tight = fast(lasso_path, X, y, alphas=alphas, tol=1e-14, max_iter=100_000)
    P = objectives(X, y, alphas, coefs, 1.0)
    P_tight = objectives(X, y, alphas, tight[1], 1.0)
    assert np.all(P - P_tight <= 1e-13 * P_tight), np.max((P - P_tight) / P_tight)
    assert np.all(g <= gaps + 1e-12 * P)
    assert sum(n_iter) < 1000, sum(n_iter)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_rounded_sweeps_certify_the_same_path(monkeypatch, l1_ratio, fit_intercept, weighted):
    """Sweeps over the float32 rounding of the columns (DenseProblem.rounded_sweeps),
    each solve ending on the exact residual: the certified path of float64
    sweeps, to a tolerance far below float32's reach (iterative refinement)."""
    from fastreg._kernels import cd_naive
    from fastreg.enet import designs

    X, y = make_data(90, 500, seed=38, rho=0.6, n_informative=60)
    sw = np.random.default_rng(39).uniform(0.5, 2.0, 90) if weighted else None
    kw = dict(l1_ratio=l1_ratio, alphas=20, eps=1e-3, tol=1e-10, max_iter=20_000,
              fit_intercept=fit_intercept, sample_weight=sw, return_intercept=True)
    monkeypatch.setattr(designs.GradientBounds, "MIN_ENTRIES", 0)
    monkeypatch.setattr(designs.RoundedBounds, "MIN_BYTES", 0)
    swept = []
    original = cd_naive.dense_solve

    def spy(data, w, *args):
        X_swept, centers, y_swept, r = data[:4]
        swept.append(X_swept.dtype)
        # every solve starts on the residual of the problem it sweeps
        residual = y_swept - (X_swept.astype(np.float64) - centers) @ w
        np.testing.assert_allclose(r, residual, rtol=0, atol=1e-12 * np.abs(y_swept).max())
        return original(data, w, *args)

    monkeypatch.setattr(cd_naive, "dense_solve", spy)
    alphas, coefs, gaps, intercepts = fast(enet_path, X, y, **kw)
    # every alpha's first solve sweeps the rounding; at this tol a second one
    # finishes on X's columns (DenseProblem._rounded_columns)
    assert swept.count(np.dtype(np.float32)) >= swept.count(np.dtype(np.float64)) > 0, swept
    monkeypatch.setattr(designs.DenseProblem, "rounded_sweeps", False)
    swept.clear()
    plain = fast(enet_path, X, y, **kw)
    assert set(swept) == {np.dtype(np.float64)}
    if fit_intercept:
        mean_x = np.average(X, axis=0, weights=sw)
        Xc, yc = X - mean_x, y - np.average(y, weights=sw)
    else:
        Xc, yc = X, y
    g = certify(Xc, yc, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=1e-10, sample_weight=sw)
    g_plain = certify(Xc, yc, plain[0], plain[1], plain[2], l1_ratio=l1_ratio, tol=1e-10,
                      sample_weight=sw)
    assert_same_path(Xc, yc, alphas, coefs, g, plain[1], g_plain, l1_ratio=l1_ratio,
                     sample_weight=sw, rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_X_with_many_samples_is_solved_from_its_moments(monkeypatch, fit_intercept,
                                                              weighted):
    """Sparse X, more samples than features, a third stored: covariance updates
    from its moments (SPARSE_GRAM_MIN_DENSITY), the certified path of the
    residual updates it took before, and scikit-learn's."""
    from fastreg.enet import designs

    rng = np.random.default_rng(41)
    X, y = make_data(400, 30, seed=40, n_informative=8)
    X[rng.uniform(size=X.shape) < 0.65] = 0.0
    X += 3.0 * (X != 0)  # (columns far from centered: the moments center them)
    Xs = sp.csc_matrix(X)
    sw = rng.uniform(0.5, 2.0, 400) if weighted else None
    kw = dict(l1_ratio=0.8, alphas=15, tol=1e-10, fit_intercept=fit_intercept,
              sample_weight=sw, return_intercept=True)
    built = []
    original = designs.GramProblem.from_gram.__func__

    def spy(cls, *args, **kwargs):
        built.append(cls)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(designs.GramProblem, "from_gram", classmethod(spy))
    alphas, coefs, gaps, intercepts = fast(enet_path, Xs, y, **kw)
    assert built  # (covariance updates from the moments)
    residual = fast(enet_path, Xs, y, precompute=False, **kw)
    mean_x = np.average(X, axis=0, weights=sw) if fit_intercept else 0.0
    mean_y = np.average(y, weights=sw) if fit_intercept else 0.0
    Xc, yc = X - mean_x, y - mean_y
    g = certify(Xc, yc, alphas, coefs, gaps, l1_ratio=0.8, tol=1e-10, sample_weight=sw)
    g_res = certify(Xc, yc, residual[0], residual[1], residual[2], l1_ratio=0.8, tol=1e-10,
                    sample_weight=sw)
    assert_same_path(Xc, yc, alphas, coefs, g, residual[1], g_res, l1_ratio=0.8,
                     sample_weight=sw)
    np.testing.assert_allclose(intercepts, mean_y - mean_x @ coefs if fit_intercept else 0.0,
                               rtol=1e-10, atol=1e-10)
    if sw is None:  # scikit-learn's path (no weights in it): no better than the certificate allows
        sk = skl(sk_enet_path, sp.csc_matrix(Xc), yc, l1_ratio=0.8, alphas=alphas, tol=1e-12)

        def objective(c):
            return (((yc[:, None] - Xc @ c) ** 2).sum(0) / 800
                    + alphas * (0.8 * np.abs(c).sum(0) + 0.1 * (c**2).sum(0)))

        gap = objective(coefs) - objective(sk[1])
        assert np.all(gap <= g + 1e-13 * objective(coefs)), np.max(gap - g)


def test_sparse_X_keeps_residual_updates_where_moments_do_not_pay():
    """Few samples per feature, little stored, or scikit-learn's implicit centers."""
    assert choose_mode(400, 30, is_sparse=True, multi_task=False, precompute="auto",
                       nnz=4000) == "gram"
    assert choose_mode(400, 30, is_sparse=True, multi_task=False, precompute="auto",
                       nnz=1000) == "naive"  # (8% stored)
    assert choose_mode(30, 400, is_sparse=True, multi_task=False, precompute="auto",
                       nnz=6000) == "naive"  # (fewer samples than features)
    assert choose_mode(400, 300, is_sparse=True, multi_task=False, precompute="auto",
                       nnz=60000) == "naive"  # (fewer entries per column than columns)
    assert choose_mode(400, 30, is_sparse=True, multi_task=False, precompute=False,
                       nnz=4000) == "naive"
    assert choose_mode(400, 30, is_sparse=True, multi_task=True, precompute="auto",
                       nnz=4000) == "naive"


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_nearly_full_sparse_X_is_solved_as_dense(fmt, fit_intercept):
    """Sparse X with at least DENSE_MIN_DENSITY stored gives dense X's path, bit for bit."""
    X, y = make_data(60, 12, seed=31)
    X = np.asfortranarray(X)  # (the order the sparse matrix is densified in)
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    kw = dict(alphas=8, tol=TOL64, fit_intercept=fit_intercept, return_intercept=True)
    dense = enet_path(X, y, l1_ratio=0.7, **kw)
    from_sparse = enet_path(Xs, y, l1_ratio=0.7, **kw)
    for a, b in zip(dense, from_sparse):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("weighted", [False, True])
def test_nearly_full_sparse_X_with_implicit_centers_is_solved_as_dense(weighted):
    """scikit-learn's X_offset / X_scale on nearly full sparse X: the path of X - X_offset / X_scale.

    (scikit-learn's weighted fits of sparse X pass its implicit centers; the
    repeated-rows fit it is checked against densifies: both take the same sweeps.)
    """
    X, y = make_data(60, 12, seed=32)
    rng = np.random.default_rng(3)
    offset, scale = rng.standard_normal(12), rng.uniform(0.5, 2.0, 12)
    sample_weight = rng.integers(1, 4, 60).astype(float) if weighted else None
    kw = dict(alphas=8, tol=TOL64, sample_weight=sample_weight)
    dense = enet_path(np.asfortranarray(X - offset / scale), y, l1_ratio=0.7, **kw)
    from_sparse = enet_path(sp.csc_matrix(X), y, l1_ratio=0.7, X_offset=offset, X_scale=scale,
                            **kw)
    for a, b in zip(dense, from_sparse):
        np.testing.assert_array_equal(a, b)


def test_solve_as_dense_threshold():
    from fastreg.enet.prepare import DENSE_MIN_DENSITY, solve_as_dense

    assert DENSE_MIN_DENSITY == 0.9
    X = np.ones((10, 10))
    X.ravel()[:11] = 0.0  # 89 of 100 stored: just below
    assert not solve_as_dense(sp.csr_matrix(X))
    X.ravel()[0] = 1.0
    assert solve_as_dense(sp.csr_matrix(X))
    # explicitly stored zeros count: they take the same memory
    Z = sp.csr_matrix((np.zeros(100), np.tile(np.arange(10), 10), np.arange(0, 101, 10)),
                      shape=(10, 10))
    assert solve_as_dense(Z)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradient_bounds_on_a_small_problem(monkeypatch, dtype):
    """GradientBounds (off below MIN_ENTRIES entries) gives a certified path when forced on."""
    from fastreg.enet import designs

    X, y = make_data(80, 40, seed=33, rho=0.3, dtype=dtype)
    X = np.asfortranarray(X)
    tol = TOL64 if dtype == np.float64 else TOL32
    kw = dict(alphas=20, tol=tol, precompute=False)
    plain = fast(enet_path, X, y, l1_ratio=0.8, **kw)
    monkeypatch.setattr(designs.GradientBounds, "MIN_ENTRIES", 0)
    alphas, coefs, gaps = fast(enet_path, X, y, l1_ratio=0.8, **kw)
    np.testing.assert_array_equal(alphas, plain[0])
    g = certify(X, y, alphas, coefs, gaps, l1_ratio=0.8, tol=tol)
    assert_same_path(X, y, alphas, coefs, g, plain[1], plain[2], l1_ratio=0.8, dtype=dtype)


def test_gradient_from_the_last_gap_check_changes_nothing(monkeypatch):
    """A solve over every feature that ended on its gap check hands its products to the
    KKT check (bounds for skipped zeros): the same path and gaps as a fresh X^T r."""
    from fastreg.enet import designs

    X, y = make_data(300, 60, seed=34, rho=0.5)
    X = np.asfortranarray(X)
    kw = dict(l1_ratio=0.5, alphas=[0.05, 0.01], tol=1e-8, precompute=False,
              fit_intercept=True, return_intercept=True)
    reused = []
    original = designs.DenseProblem.gradient
    # counted in the driver's Python loop (the compiled one reuses them alike:
    # tests/enet/test_driver.py checks that both give the same bits)
    monkeypatch.setattr(designs.DenseProblem, "solves_steps", property(lambda self: False))
    # a solve that took an extrapolation forms r anew (cd_naive.exact_residual):
    # no products of its last gap check are left to hand on
    monkeypatch.setattr(designs.DenseProblem, "extrapolate", False)

    def counting(self, w, l1=None):
        reused.append(self.solved_all and self.ref[2] > 0)
        return original(self, w, l1)

    monkeypatch.setattr(designs.DenseProblem, "gradient", counting)
    fast_path = enet_path(X, y, **kw)
    assert any(reused)

    def fresh(self, w, l1=None):
        self.solved_all = False
        return original(self, w, l1)

    monkeypatch.setattr(designs.DenseProblem, "gradient", fresh)
    plain = enet_path(X, y, **kw)
    (alphas, coefs, gaps, intercepts), (alphas0, coefs0, gaps0, intercepts0) = fast_path, plain
    np.testing.assert_array_equal(alphas, alphas0)
    np.testing.assert_array_equal(coefs, coefs0)
    np.testing.assert_array_equal(intercepts, intercepts0)
    # the gaps differ by the rounding of the products only (a kernel's sum, BLAS's)
    np.testing.assert_allclose(gaps, gaps0, rtol=0, atol=1e-14 * float(np.var(y)))


@pytest.mark.parametrize("case", ["lasso", "enet", "positive", "warm", "penalty_factor",
                                  "offset"])
def test_dense_centered_as_read_matches_the_centered_copy(case):
    """Fortran-ordered float64 X with an intercept is centered as the kernels read it
    (no copy); C-ordered X gets NumPy's centered copy: the same problem, certified."""
    from fastreg.enet import designs

    X, y = make_data(120, 40, seed=35, rho=0.4)
    if case == "offset":  # columns far from zero: the subtraction as read loses nothing
        X = X + 1e4 * np.arange(1, 41)
    l1_ratio = 0.6 if case == "enet" else 1.0
    kw = dict(l1_ratio=l1_ratio, alphas=12, eps=1e-2, tol=1e-10, precompute=False,
              fit_intercept=True, return_intercept=True)
    if case == "positive":
        kw["positive"] = True
    if case == "penalty_factor":
        kw["penalty_factor"] = np.r_[0.0, np.ones(39)]
    if case == "warm":
        kw["coef_init"] = np.linspace(-0.5, 0.5, 40)
    seen = []

    def spying(original):
        def spy(self, *args, **kwargs):
            seen.append(self.implicit)
            return original(self, *args, **kwargs)
        return spy

    with pytest.MonkeyPatch.context() as mp:
        # a solve of one working set, or whole alphas compiled (small X, no box)
        for name in ("solve", "solve_steps"):
            mp.setattr(designs.DenseProblem, name, spying(getattr(designs.DenseProblem, name)))
        alphas, coefs, gaps, b = enet_path(np.asfortranarray(X), y, **kw)
        assert seen and all(seen)
        seen.clear()
        alphas0, coefs0, gaps0, b0 = enet_path(np.ascontiguousarray(X), y, **kw)
        assert seen and not any(seen)
    # alpha_max from the centering pass's X^T y against BLAS's: to rounding
    np.testing.assert_allclose(alphas, alphas0, rtol=1e-14)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    g = certify(Xc, yc, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=1e-10,
                positive=case == "positive") if case != "penalty_factor" else gaps
    assert_same_path(Xc, yc, alphas, coefs, g, coefs0, gaps0, l1_ratio=l1_ratio)
    np.testing.assert_allclose(b, b0, rtol=1e-9, atol=1e-9 * np.abs(y).max())


@pytest.mark.parametrize("order", ["F", "C"])
def test_coef_at_after_a_path_matches_a_fresh_solve(order):
    """A result re-solved at new alphas restarts from a new residual: nothing of the
    path's last solve (its products, its reference) may stand in for that gradient."""
    X, y = make_data(200, 30, seed=3, rho=0.3)
    X = np.asarray(X + 5.0, order=order)
    kw = dict(l1_ratio=0.7, precompute=False, fit_intercept=True)
    result = enet_path(X, y, alphas=[0.5, 0.2, 0.05], tol=1e-10, return_result=True, **kw)
    for alpha in (0.3, 0.1, 0.02):
        expected = enet_path(X, y, alphas=[alpha], tol=1e-12, **kw)[1][:, 0]
        np.testing.assert_allclose(result.coef_at(alpha), expected, rtol=0, atol=1e-6)


def test_prox_gradient_residual_is_bounded_by_the_gap():
    """The KKT residual ``certify`` checks against the gap: one proximal-gradient
    step per coordinate is bounded by ``sqrt(2 L gap)`` at any point (a
    theorem, checked here at perturbed solutions), while the distance to the
    subdifferential is not at a coefficient left at rounding level."""
    X, y = make_data(80, 30, seed=5, rho=0.5, n_informative=10)
    alpha, l1_ratio = 0.05, 0.7
    coef = fast(enet_path, X, y, l1_ratio=l1_ratio, alphas=[alpha], tol=1e-14)[1][:, 0]
    L = float(np.max(np.sum(X**2, axis=0))) / X.shape[0] + alpha * (1.0 - l1_ratio)
    assert ref.prox_gradient_violation(X, y, coef, alpha, l1_ratio, L) < 1e-6
    rng = np.random.default_rng(6)
    for scale in (1e-8, 1e-4, 1e-1):
        w = coef + scale * rng.standard_normal(coef.shape)
        gap = ref.duality_gap(X, y, w, alpha, l1_ratio)
        assert ref.prox_gradient_violation(X, y, w, alpha, l1_ratio, L) <= np.sqrt(2 * L * gap)
    residue = coef.copy()
    residue[np.flatnonzero(coef == 0)[0]] = 1e-16
    gap = ref.duality_gap(X, y, residue, alpha, l1_ratio)
    assert ref.prox_gradient_violation(X, y, residue, alpha, l1_ratio, L) <= np.sqrt(2 * L * gap)
    assert ref.kkt_violation(X, y, residue, alpha, l1_ratio) > np.sqrt(2 * L * gap)
