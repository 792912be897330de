"""Bad inputs get clear errors; choose_mode, alpha_max and alpha_grid unit tests."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import fastreg
from fastreg import _validation, enet_path, lasso_path
from fastreg.enet.grid import alpha_grid, alpha_max
from fastreg.enet.prepare import LAZY_GRAM_MIN_FEATURES, choose_mode


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 4))
    y = X @ np.array([1.0, -2.0, 0.0, 0.5]) + 0.1 * rng.standard_normal(20)
    return X, y


# ------------------------------------------------------------ non-finite X
def _with_bad(X, pattern):
    X = X.copy()
    if pattern == "nan":
        X[3, 1] = np.nan
    elif pattern == "inf":
        X[3, 1] = np.inf
    else:  # +inf and -inf in the same column: inf - inf = nan in any product
        X[3, 1], X[5, 1] = np.inf, -np.inf
    return X


@pytest.mark.parametrize("pattern", ["nan", "inf", "mixed-inf"])
@pytest.mark.parametrize("mode", ["auto", "gram", "naive", "multitask", "weighted"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nonfinite_dense_X(data, pattern, mode, dtype):
    X, y = data
    X = _with_bad(X, pattern).astype(dtype)
    kw = {"auto": {}, "gram": {"precompute": True}, "naive": {"precompute": False},
          "multitask": {}, "weighted": {"sample_weight": np.r_[0.0, np.ones(19)],
                                        "precompute": False}}[mode]
    yy = np.c_[y, y] if mode == "multitask" else y
    # the clear error, and no NumPy RuntimeWarning on the way
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="X contains NaN"):
            enet_path(X, yy, alphas=3, **kw)


@pytest.mark.parametrize("mode", [
    "gram", "naive", "multitask", "sparse",
])
def test_inf_in_zero_weight_row(data, mode):
    X, y = data
    X = X.copy()
    X[0, 1] = np.inf
    sw = np.r_[0.0, np.ones(19)]
    Xin = sp.csc_matrix(X) if mode == "sparse" else X
    yy = np.c_[y, y] if mode == "multitask" else y
    kw = {"precompute": mode == "gram"} if mode in ("gram", "naive") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="X contains NaN"):
            enet_path(Xin, yy, alphas=3, sample_weight=sw, **kw)


@pytest.mark.parametrize("with_Xy", [False, True])
def test_nonfinite_X_with_gram_array(data, with_Xy):
    X, y = data
    gram, Xy = X.T @ X, X.T @ y
    Xbad = _with_bad(X, "nan")  # column 1; the consistency check looks at column 2
    kw = {"Xy": Xy} if with_Xy else {}
    with pytest.raises(ValueError, match="X contains NaN"):
        enet_path(Xbad, y, alphas=3, precompute=gram, **kw)


@pytest.mark.parametrize("fmt", ["csc", "csr", "coo"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("multi", [False, True])
def test_nonfinite_sparse_X(data, fmt, bad, multi):
    X, y = data
    X = X.copy()
    X[2, 3] = bad
    Xs = sp.csc_matrix(X).asformat(fmt)
    yy = np.c_[y, y] if multi else y
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        enet_path(Xs, yy, alphas=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("multi", [False, True])
def test_nonfinite_y(data, bad, multi):
    X, y = data
    y = np.c_[y, y] if multi else y.copy()
    y[4] = bad
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        enet_path(X, y, alphas=3)
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        enet_path(sp.csc_matrix(X), y, alphas=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_sample_weight(data, bad):
    X, y = data
    sw = np.ones(20)
    sw[7] = bad
    for Xin in (X, sp.csc_matrix(X)):
        with pytest.raises(ValueError, match="sample_weight contains NaN or infinity"):
            enet_path(Xin, y, alphas=3, sample_weight=sw)


@pytest.mark.parametrize("alphas", [[1.0, np.nan], [np.inf, 0.1], [-np.inf]])
def test_nonfinite_alphas(data, alphas):
    X, y = data
    with pytest.raises(ValueError, match="alphas contains NaN or infinity"):
        enet_path(X, y, alphas=alphas)


def test_nonfinite_other_arrays(data):
    X, y = data
    bad = np.r_[np.nan, 1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="coef_init contains NaN"):
        enet_path(X, y, alphas=3, coef_init=bad)
    with pytest.raises(ValueError, match="Xy contains NaN"):
        enet_path(X, y, alphas=3, precompute=X.T @ X, Xy=bad)
    gram = X.T @ X
    gram[0, 1] = gram[1, 0] = np.nan
    with pytest.raises(ValueError, match="Gram matrix.*NaN"):
        enet_path(X, y, alphas=3, precompute=gram)
    Xs = sp.csc_matrix(X)
    with pytest.raises(ValueError, match="X_offset contains NaN"):
        enet_path(Xs, y, alphas=3, X_offset=bad, X_scale=np.ones(4))
    with pytest.raises(ValueError, match="X_scale contains NaN"):
        enet_path(Xs, y, alphas=3, X_offset=np.ones(4), X_scale=bad)


# ------------------------------------------------------------------ shapes
def test_y_length_mismatch(data):
    X, y = data
    for Xin in (X, sp.csc_matrix(X)):
        for yy in (y[:-1], np.c_[y, y][:-1]):
            with pytest.raises(ValueError, match="inconsistent numbers of samples: 20 != 19"):
                enet_path(Xin, yy, alphas=3)


def test_y_bad_ndim(data):
    X, y = data
    with pytest.raises(ValueError, match="y must be 1-D or 2-D"):
        enet_path(X, y[:, None, None], alphas=3)
    with pytest.raises(ValueError, match="y must be 1-D or 2-D"):
        enet_path(X, np.float64(1.0), alphas=3)
    with pytest.raises(ValueError, match="y has no targets"):
        enet_path(X, np.zeros((20, 0)), alphas=3)


def test_X_bad_ndim(data):
    X, y = data
    with pytest.raises(ValueError, match="X must be 2-D.*got 3-D"):
        enet_path(X[None], y, alphas=3)
    with pytest.raises(ValueError, match=r"X must be 2-D.*got 1-D.*reshape\(-1, 1\)"):
        enet_path(y, y, alphas=3)
    with pytest.raises(ValueError, match="X must be 2-D.*got 0-D"):
        enet_path(3.0, y, alphas=3)


@pytest.mark.parametrize("shape", [(0, 4), (20, 0), (0, 0)])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_empty_X(shape, sparse_X):
    X = sp.csc_matrix(shape) if sparse_X else np.zeros(shape)
    y = np.zeros(shape[0])
    with pytest.raises(ValueError, match="X is empty"):
        enet_path(X, y, alphas=3)


def test_coef_init_wrong_shape(data):
    X, y = data
    for coef_init in (np.zeros(5), np.zeros((1, 4)), np.zeros(3)):
        with pytest.raises(ValueError, match=r"coef_init must have shape \(4,\)"):
            enet_path(X, y, alphas=3, coef_init=coef_init)
    Y = np.c_[y, y, y]
    for coef_init in (np.zeros((4, 3)), np.zeros(4), np.zeros((3, 5))):
        with pytest.raises(ValueError, match=r"coef_init must have shape \(3, 4\)"):
            enet_path(X, Y, alphas=3, coef_init=coef_init)


def test_gram_wrong_shape(data):
    X, y = data
    for gram in (np.eye(3), np.eye(5), np.ones((4, 3)), np.ones(4)):
        with pytest.raises(ValueError, match=r"Gram matrix must have shape \(4, 4\)"):
            enet_path(X, y, alphas=3, precompute=gram)


def test_gram_wrong_shape_without_check_input(data):
    X, y = data
    with pytest.raises(ValueError, match="Gram matrix must have shape"):
        enet_path(X, y, alphas=3, precompute=np.eye(3), check_input=False)


def test_gram_as_nested_list_is_validated(data):
    X, y = data
    with pytest.raises(ValueError, match=r"Gram matrix must have shape \(4, 4\)"):
        enet_path(X, y, alphas=3, precompute=[[1.0, 2.0]])


def test_gram_not_symmetric_or_not_matching(data):
    X, y = data
    with pytest.raises(ValueError, match="not symmetric"):
        enet_path(X, y, alphas=3, precompute=np.triu(X.T @ X))
    with pytest.raises(ValueError, match="does not match X"):
        enet_path(X, y, alphas=3, precompute=2 * X.T @ X)
    with pytest.raises(ValueError, match="does not match X"):
        enet_path(X.astype(np.float32), y, alphas=3, precompute=2 * X.T @ X)


def test_gram_not_matching_weighted_X(data):
    X, y = data
    sw = np.linspace(0.5, 2.0, 20)
    with pytest.raises(ValueError, match="does not match"):
        enet_path(X, y, alphas=3, precompute=X.T @ X, sample_weight=sw)


def test_gram_of_weighted_X_is_accepted(data):
    X, y = data
    sw = np.linspace(0.5, 2.0, 20)
    gram = X.T @ (sw[:, None] * X)
    a = enet_path(X, y, alphas=4, precompute=gram, sample_weight=sw, tol=1e-12)
    b = enet_path(X, y, alphas=4, precompute=True, sample_weight=sw, tol=1e-12)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-6, atol=1e-9)


def test_Xy_wrong_shape(data):
    X, y = data
    for Xy in (np.ones(3), np.ones((4, 2)), np.ones(5)):
        with pytest.raises(ValueError, match=r"Xy must have shape \(4,\)"):
            enet_path(X, y, alphas=3, precompute=X.T @ X, Xy=Xy)
        with pytest.raises(ValueError, match=r"Xy must have shape \(4,\)"):
            enet_path(X, y, alphas=3, precompute=True, Xy=Xy)


def test_sample_weight_wrong_shape(data):
    X, y = data
    for sw in (np.ones(19), np.ones((20, 1)), np.ones(21)):
        with pytest.raises(ValueError, match=r"sample_weight must have shape \(20,\)"):
            enet_path(X, y, alphas=3, sample_weight=sw)


def test_offset_scale_wrong(data):
    X, y = data
    Xs = sp.csc_matrix(X)
    with pytest.raises(ValueError, match=r"X_offset must have shape \(4,\)"):
        enet_path(Xs, y, alphas=3, X_offset=np.ones(3), X_scale=np.ones(3))
    with pytest.raises(ValueError, match=r"X_scale must have shape \(4,\)"):
        enet_path(Xs, y, alphas=3, X_offset=np.ones(4), X_scale=np.ones(5))
    with pytest.raises(ValueError, match="X_scale contains zeros"):
        enet_path(Xs, y, alphas=3, X_offset=np.ones(4), X_scale=np.zeros(4))


# ------------------------------------------------------------------ values
@pytest.mark.parametrize("alphas", [[-1.0], [0.5, -0.1]])
def test_negative_alphas(data, alphas):
    X, y = data
    with pytest.raises(ValueError, match="alphas must be >= 0"):
        enet_path(X, y, alphas=alphas)


@pytest.mark.parametrize("alphas", [0, -3])
def test_nonpositive_alpha_count(data, alphas):
    X, y = data
    with pytest.raises(ValueError, match="alphas must be >= 1"):
        enet_path(X, y, alphas=alphas)


def test_bad_alphas_container(data):
    X, y = data
    with pytest.raises(ValueError, match="non-empty 1-D"):
        enet_path(X, y, alphas=[])
    with pytest.raises(ValueError, match="non-empty 1-D"):
        enet_path(X, y, alphas=[[1.0, 0.5]])
    with pytest.raises(TypeError, match="alphas must be numbers"):
        enet_path(X, y, alphas=["a", "b"])
    with pytest.raises(ValueError, match="n_alphas must be >= 1"), \
            pytest.warns(FutureWarning):
        enet_path(X, y, n_alphas=0)


def test_bool_alphas_like_sklearn(data):
    from sklearn.linear_model import enet_path as sk_enet_path
    X, y = data
    np.testing.assert_allclose(enet_path(X, y, alphas=True)[0],
                               sk_enet_path(X, y, alphas=True)[0])


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.1, np.nan, np.inf])
def test_l1_ratio_out_of_range(data, l1_ratio):
    X, y = data
    with pytest.raises(ValueError, match=r"l1_ratio must be in \[0, 1\]"):
        enet_path(X, y, l1_ratio=l1_ratio, alphas=3)


@pytest.mark.parametrize("l1_ratio", ["0.5", None, True, [0.5]])
def test_l1_ratio_wrong_type(data, l1_ratio):
    X, y = data
    with pytest.raises(TypeError, match="l1_ratio must be a real number"):
        enet_path(X, y, l1_ratio=l1_ratio, alphas=3)


@pytest.mark.parametrize("eps", [0, 0.0, -1e-3, np.nan, np.inf])
def test_eps_invalid(data, eps):
    X, y = data
    with pytest.raises(ValueError, match="eps must be finite and > 0"):
        enet_path(X, y, eps=eps, alphas=3)
    with pytest.raises(ValueError, match="eps must be finite and > 0"):
        lasso_path(X, y, eps=eps, alphas=3)


def test_tol_invalid(data):
    X, y = data
    for tol in (-1e-4, np.nan, np.inf):
        with pytest.raises(ValueError, match="tol must be finite and >= 0"):
            enet_path(X, y, tol=tol, alphas=3)
    with pytest.raises(TypeError, match="tol must be a real number"):
        enet_path(X, y, tol="1e-4", alphas=3)


@pytest.mark.parametrize("max_iter", [0, -5])
def test_max_iter_below_one(data, max_iter):
    X, y = data
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        enet_path(X, y, max_iter=max_iter, alphas=3)


@pytest.mark.parametrize("max_iter", [1.5, "10", None, True])
def test_max_iter_wrong_type(data, max_iter):
    X, y = data
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        enet_path(X, y, max_iter=max_iter, alphas=3)


@pytest.mark.parametrize("selection", ["Cyclic", "rand", "", None])
def test_selection_invalid(data, selection):
    X, y = data
    with pytest.raises(ValueError, match="selection should be either 'random' or 'cyclic'"):
        enet_path(X, y, selection=selection, alphas=3)


def test_random_state_invalid(data):
    X, y = data
    with pytest.raises(ValueError, match="random_state must be"):
        enet_path(X, y, selection="random", random_state="seed", alphas=3)


@pytest.mark.parametrize("precompute", ["yes", "Auto", None, 1.5])
def test_precompute_invalid(data, precompute):
    X, y = data
    with pytest.raises(ValueError, match="precompute must be 'auto', a bool or a Gram matrix"):
        enet_path(X, y, precompute=precompute, alphas=3)


def test_positive_with_2d_y(data):
    X, y = data
    for Xin in (X, sp.csc_matrix(X)):
        with pytest.raises(ValueError, match="positive=True is not allowed for multi-output"):
            enet_path(Xin, np.c_[y, y], positive=True, alphas=3)
        with pytest.raises(ValueError, match="positive=True is not allowed for multi-output"):
            lasso_path(Xin, np.c_[y, y], positive=True, alphas=3)


def test_negative_or_zero_sample_weight(data):
    X, y = data
    sw = np.ones(20)
    sw[3] = -0.5
    for Xin in (X, sp.csc_matrix(X)):
        with pytest.raises(ValueError, match="sample_weight must be non-negative"):
            enet_path(Xin, y, alphas=3, sample_weight=sw)
        with pytest.raises(ValueError, match="sample_weight must be non-negative"):
            enet_path(Xin, y, alphas=3, sample_weight=-1.0)
        with pytest.raises(ValueError, match="sample_weight sums to zero"):
            enet_path(Xin, y, alphas=3, sample_weight=np.zeros(20))


# ------------------------------------------------------------------- types
@pytest.mark.parametrize("X, match", [
    ("abc", "X must be an array of numbers, got str"),
    ([["a", "b"]] * 20, "X has dtype <U1; a numeric"),
    (np.ones((20, 2), dtype=object), "X has dtype object; a numeric"),
    (np.ones((20, 2)) + 1j, "X is complex"),
    (None, "X must be an array of numbers, got NoneType"),
])
def test_X_bad_type(data, X, match):
    _, y = data
    with pytest.raises(TypeError, match=match):
        enet_path(X, y, alphas=3)


def test_y_and_weights_bad_type(data):
    X, y = data
    with pytest.raises(TypeError, match="y is complex"):
        enet_path(X, y + 1j, alphas=3)
    with pytest.raises(TypeError, match="y has dtype <U1"):
        enet_path(X, ["a"] * 20, alphas=3)
    with pytest.raises(TypeError, match="sample_weight must be an array of numbers"):
        enet_path(X, y, alphas=3, sample_weight="ones")
    with pytest.raises(TypeError, match="coef_init is complex"):
        enet_path(X, y, alphas=3, coef_init=np.zeros(4) + 1j)


def test_sparse_complex_X(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with pytest.raises(TypeError, match="X is complex"):
            enet_path(sp.csc_matrix(X + 1j * X), y, alphas=3)


def test_sparse_integer_and_bool_X(data):
    X, y = data
    Xi = sp.csc_matrix(np.round(3 * X).astype(np.int64))
    a = enet_path(Xi, y, alphas=3, tol=1e-10)
    b = enet_path(Xi.toarray().astype(float), y, alphas=3, tol=1e-10, precompute=False)
    assert a[1].dtype == np.float64
    np.testing.assert_allclose(a[1], b[1], rtol=1e-6, atol=1e-9)
    Xb = sp.csc_matrix(X > 0)
    assert enet_path(Xb, y, alphas=3)[1].dtype == np.float64


# ------------------------------------------------------------ grid errors
def test_automatic_grid_needs_l1(data):
    X, y = data
    for Xin, yy in ((X, y), (sp.csc_matrix(X), y), (X, np.c_[y, y])):
        with pytest.raises(ValueError, match="not supported for l1_ratio=0"):
            enet_path(Xin, yy, l1_ratio=0.0, alphas=5)
        with pytest.raises(ValueError, match="not supported for l1_ratio=0"):
            enet_path(Xin, yy, l1_ratio=0.0)
    enet_path(X, y, l1_ratio=0.0, alphas=[1.0, 0.1])  # explicit grid is fine


# -------------------------------------------------------- Gram memory budget
def test_gram_too_large_raises_memory_error():
    """Without monkeypatching: a (2, 17000) X needs a 2.2 GiB float64 Gram."""
    X = np.zeros((2, 17000))
    X[0, 0] = 1.0
    y = np.array([1.0, 0.0])
    with pytest.raises(MemoryError, match="Gram matrix for 17000 features.*precompute=False"):
        lasso_path(X, y, alphas=2, precompute=True)
    # float32 takes half the memory: fits the budget (checked on the pure helper)
    assert choose_mode(2, 17000, is_sparse=False, multi_task=False, precompute=True,
                       itemsize=4) == "gram"


def test_gram_budget_check_message():
    with pytest.raises(MemoryError, match="Gram matrix for 10 features needs"):
        _validation.check_gram_size(10, 8, budget=100)
    _validation.check_gram_size(10, 8, budget=800)


def test_gram_budget_monkeypatched_precompute_true(monkeypatch, data):
    X, y = data
    monkeypatch.setattr(_validation, "GRAM_MAX_BYTES", 64)
    with pytest.raises(MemoryError, match="Gram matrix for 4 features"):
        lasso_path(X, y, alphas=2, precompute=True)


def test_gram_budget_monkeypatched_auto_falls_back(monkeypatch, data):
    X, y = data
    expected = lasso_path(X, y, alphas=4, precompute=False, tol=1e-12)
    monkeypatch.setattr(_validation, "GRAM_MAX_BYTES", 64)
    assert choose_mode(20, 4, is_sparse=False, multi_task=False, precompute="auto") == "naive"
    # the float32 Gram (64 bytes) still fits
    assert choose_mode(20, 4, is_sparse=False, multi_task=False, precompute="auto",
                       itemsize=4) == "gram"
    got = lasso_path(X, y, alphas=4, tol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-8, atol=1e-12)


# -------------------------------------------------------------- choose_mode
@pytest.mark.parametrize("args, expected", [
    # sparse X and multi-task: always residual updates, whatever precompute says
    (dict(n_samples=100, n_features=10, is_sparse=True, multi_task=False, precompute=True),
     "naive"),
    (dict(n_samples=100, n_features=10, is_sparse=False, multi_task=True, precompute=True),
     "naive"),
    (dict(n_samples=100, n_features=10, is_sparse=True, multi_task=False,
          precompute=np.eye(10)), "naive"),
    (dict(n_samples=100, n_features=10, is_sparse=False, multi_task=True, precompute="auto"),
     "naive"),
    # precompute=False
    (dict(n_samples=100, n_features=10, is_sparse=False, multi_task=False, precompute=False),
     "naive"),
    # a Gram array is used, whatever the shape of the problem
    (dict(n_samples=5, n_features=10, is_sparse=False, multi_task=False,
          precompute=np.eye(10)), "gram"),
    (dict(n_samples=5, n_features=5000, is_sparse=False, multi_task=False,
          precompute=np.eye(2)), "gram"),
    # precompute=True: full Gram, even when p > n or p >= 1000
    (dict(n_samples=5, n_features=10, is_sparse=False, multi_task=False, precompute=True),
     "gram"),
    (dict(n_samples=5000, n_features=2000, is_sparse=False, multi_task=False,
          precompute=True), "gram"),
    # 'auto'
    (dict(n_samples=10, n_features=10, is_sparse=False, multi_task=False, precompute="auto"),
     "naive"),
    (dict(n_samples=10, n_features=50, is_sparse=False, multi_task=False, precompute="auto"),
     "naive"),
    (dict(n_samples=11, n_features=10, is_sparse=False, multi_task=False, precompute="auto"),
     "gram"),
    (dict(n_samples=10**5, n_features=LAZY_GRAM_MIN_FEATURES - 1, is_sparse=False,
          multi_task=False, precompute="auto"), "gram"),
    (dict(n_samples=10**5, n_features=LAZY_GRAM_MIN_FEATURES, is_sparse=False,
          multi_task=False, precompute="auto"), "gram-lazy"),
    # 'auto' never builds a Gram over the memory budget (2 GiB): 17000^2 * 8 bytes
    (dict(n_samples=10**6, n_features=17000, is_sparse=False, multi_task=False,
          precompute="auto"), "naive"),
    (dict(n_samples=10**6, n_features=17000, is_sparse=False, multi_task=False,
          precompute="auto", itemsize=4), "gram-lazy"),
])
def test_choose_mode(args, expected):
    assert choose_mode(**args) == expected


def test_choose_mode_memory_error():
    with pytest.raises(MemoryError, match="needs"):
        choose_mode(10**6, 17000, is_sparse=False, multi_task=False, precompute=True)
    # sparse / multi-task never build a Gram, so no error there
    assert choose_mode(10**6, 17000, is_sparse=True, multi_task=False,
                       precompute=True) == "naive"


def test_lazy_threshold_is_read_at_call_time(monkeypatch):
    import fastreg.enet.prepare

    monkeypatch.setattr(fastreg.enet.prepare, "LAZY_GRAM_MIN_FEATURES", 50)
    assert choose_mode(100, 50, is_sparse=False, multi_task=False, precompute="auto") \
        == "gram-lazy"
    assert choose_mode(100, 49, is_sparse=False, multi_task=False, precompute="auto") \
        == "gram"


# ------------------------------------------------------ alpha_max / alpha_grid
def test_alpha_max_formula():
    Xy = np.array([3.0, -8.0, 5.0])
    assert alpha_max(Xy, 4, 1.0) == pytest.approx(8.0 / 4)
    assert alpha_max(Xy, 4, 0.5) == pytest.approx(8.0 / (4 * 0.5))
    assert alpha_max(Xy, 4, 1.0, positive=True) == pytest.approx(5.0 / 4)
    assert alpha_max(-np.abs(Xy), 4, 1.0, positive=True) == 0.0
    # multi-task: largest row norm
    Xy2 = np.array([[3.0, 4.0], [-6.0, 0.0], [1.0, 1.0]])
    assert alpha_max(Xy2, 10, 0.25) == pytest.approx(6.0 / (10 * 0.25))
    # a one-column 2-D input is the single-task case
    assert alpha_max(Xy[:, None], 4, 1.0) == alpha_max(Xy, 4, 1.0)


def test_alpha_max_l1_ratio_zero():
    with pytest.raises(ValueError, match="not supported for l1_ratio=0"):
        alpha_max(np.ones(3), 10, 0.0)


def test_alpha_max_is_tight():
    """Zero is optimal at alpha_max and not below (single and multi-task)."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 6))
    y = rng.standard_normal(30)
    top = alpha_max(X.T @ y, 30, 0.5)
    assert np.max(np.abs(X.T @ y)) / 30 == pytest.approx(top * 0.5)
    _, coefs, _ = enet_path(X, y, l1_ratio=0.5, alphas=[top, 0.98 * top], tol=1e-12)
    assert np.all(coefs[:, 0] == 0) and np.any(coefs[:, 1] != 0)


def test_alpha_grid():
    grid = alpha_grid(2.0, 5, 1e-2)
    np.testing.assert_allclose(grid, 2.0 * np.logspace(0, -2, 5), rtol=1e-14)
    assert grid[0] == 2.0 and grid[-1] == pytest.approx(0.02)
    assert alpha_grid(2.0, 1, 1e-3).tolist() == [2.0]
    res = np.finfo(np.float64).resolution
    np.testing.assert_array_equal(alpha_grid(0.0, 4, 1e-3), np.full(4, res))
    np.testing.assert_array_equal(alpha_grid(res / 2, 3, 1e-3), np.full(3, res))
    assert alpha_grid(1.0, 7, 0.1).shape == (7,)
    assert np.all(np.diff(alpha_grid(1.0, 7, 0.1)) < 0)


def test_convergence_warning_is_public():
    assert fastreg.ConvergenceWarning.__module__ == "fastreg._warnings"
    assert issubclass(fastreg.ConvergenceWarning, UserWarning)


# ------------------------------------------------------------ issue 12: the unclear bad inputs
RAGGED = [[1.0, 2.0], [3.0]]


@pytest.mark.parametrize("call, name", [
    (lambda X, y: lasso_path(RAGGED, [1.0, 2.0]), "X"),
    (lambda X, y: lasso_path(X[:2], [[1.0], [2.0, 3.0]]), "y"),
    (lambda X, y: lasso_path(X, y, sample_weight=[[1.0]] * 19 + [[1.0, 2.0]]), "sample_weight"),
    (lambda X, y: lasso_path(X, y, alphas=[[0.1], [0.2, 0.3]]), "alphas"),
    (lambda X, y: fastreg.ridge_regression(RAGGED, [1.0, 2.0], 1.0), "X"),
    (lambda X, y: fastreg.ridge_path(X, y, [[1.0], [2.0, 3.0]]), "alphas"),
    (lambda X, y: fastreg.ridge_regression(X, y, [[1.0], [2.0, 3.0]]), "alpha"),
    (lambda X, y: fastreg.lasso_cv(X, [[1.0]] * 19 + [[1.0, 2.0]]), "y"),
    (lambda X, y: fastreg.enet_cv(X, y, l1_ratio=[[0.5], [0.1, 0.2]]), "l1_ratio"),
    (lambda X, y: lasso_path(X, y, penalty_factor=[[1.0], [1.0, 2.0]]), "penalty_factor"),
    (lambda X, y: lasso_path(X, y, coef_init=[[1.0], [1.0, 2.0]]), "coef_init"),
    (lambda X, y: fastreg.GramStats.from_folds(X, y, [[0], [1, 0]]), r"Fold ids \(folds / cv\)"),
    (lambda X, y: fastreg.bayes.bayesian_ridge(RAGGED, [1.0, 2.0]), "X"),
    (lambda X, y: fastreg.GramStats.from_arrays(RAGGED, [1.0, 2.0]), "X"),
])
def test_ragged_lists_name_the_argument(data, call, name):
    X, y = data
    with pytest.raises(ValueError, match=rf"^{name} is a ragged nested sequence"):
        call(X, y)


@pytest.mark.parametrize("verbose", ["x", 1.5, None, -1])
def test_verbose_must_be_bool_or_level(data, verbose):
    X, y = data
    with pytest.raises((TypeError, ValueError), match="verbose"):
        fastreg.lasso_cv(X, y, verbose=verbose)
    with pytest.raises((TypeError, ValueError), match="verbose"):
        _validation.check_verbose(verbose)
    for call in (lambda: lasso_path(X, y, verbose=verbose),
                 lambda: enet_path(X, y, verbose=verbose, fit_intercept=True),
                 lambda: fastreg.lasso_path_from_stats(fastreg.GramStats.from_arrays(X, y),
                                                       verbose=verbose)):
        with pytest.raises((TypeError, ValueError), match="^verbose must be"):
            call()
    assert _validation.check_verbose(True) == 1 and _validation.check_verbose(2) == 2


@pytest.mark.parametrize("cv", ["foo", 2.5, True, None, object()])
def test_cv_must_make_folds(data, cv):
    X, y = data
    for func in (fastreg.lasso_cv, fastreg.enet_cv, fastreg.ridge_cv):
        if func is fastreg.ridge_cv and cv is None:
            continue  # ridge_cv's default: efficient leave-one-out
        with pytest.raises(TypeError, match="^cv must be an int"):
            func(X, y, cv=cv)


@pytest.mark.parametrize("cv", ["foo", 2.5])
def test_cv_estimators_reject_bad_cv_as_sklearn(data, cv):
    pytest.importorskip("sklearn")
    from sklearn.utils._param_validation import InvalidParameterError

    from fastreg.sklearn import ElasticNetCV, LassoCV, RidgeCV
    X, y = data
    for est in (LassoCV(cv=cv), ElasticNetCV(cv=cv), RidgeCV(cv=cv)):
        with pytest.raises(InvalidParameterError, match=f"'cv' parameter of {type(est).__name__}"):
            est.fit(X, y)


def test_sparse_y_in_estimators_is_sklearns_type_error(data):
    pytest.importorskip("sklearn")
    from fastreg.sklearn import (BayesianRidge, ElasticNet, ElasticNetCV, Lasso, LassoCV,
                                 Ridge, RidgeCV)
    X, y = data
    y_sparse = sp.csr_matrix(y[:, None])
    for est in (Lasso(), ElasticNet(), Ridge(), RidgeCV(), LassoCV(), ElasticNetCV(),
                BayesianRidge()):
        with pytest.raises(TypeError, match="Sparse data was passed for y"):
            est.fit(X, y_sparse)


def test_lasso_cv_accepts_a_column_y(data):
    """As scikit-learn's LassoCV: y of shape (n, 1) is raveled."""
    X, y = data
    flat = fastreg.lasso_cv(X, y, cv=4)
    column = fastreg.lasso_cv(X, y[:, None], cv=4)
    np.testing.assert_array_equal(column.coef, flat.coef)
    assert column.alpha == flat.alpha
    with pytest.raises(ValueError, match="single target"):
        fastreg.lasso_cv(X, np.column_stack([y, y]))
