"""fastreg.GramStats: statistics from blocks, memmaps and chunk streams; their algebra.

The reference is the two-pass textbook computation on the whole array in
float64 (weighted means first, then centered cross-products).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import GramStats


def reference_stats(X, y, w=None):
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64)
    Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    S = w.sum()
    mx, my = w @ X / S, w @ Y / S
    Xc, Yc = X - mx, Y - my
    return dict(weight_sum=S, x_mean=mx, y_mean=my, xx=(Xc.T * w) @ Xc, xy=(Xc.T * w) @ Yc,
                yy=np.einsum("ij,ij,i->j", Yc, Yc, w), n_samples=X.shape[0])


def assert_stats_equal(stats, ref, rtol=1e-12):
    assert stats.n_samples == ref["n_samples"]
    np.testing.assert_allclose(stats.weight_sum, ref["weight_sum"], rtol=rtol)
    for name in ("x_mean", "y_mean", "xx", "xy", "yy"):
        got, want = getattr(stats, name), ref[name]
        scale = max(np.abs(want).max(), 1e-300)
        assert np.abs(got - want).max() <= rtol * 10 * scale, name


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1003, 17)) * rng.uniform(0.1, 10, 17) + rng.uniform(-50, 50, 17)
    y = X @ rng.standard_normal(17) + rng.standard_normal(1003)
    w = rng.uniform(0.0, 3.0, 1003)
    return X, y, w


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("block_size", [None, 1, 100, 1003, 5000])
def test_from_arrays_matches_reference(data, weighted, block_size):
    X, y, w = data
    w = w if weighted else None
    stats = GramStats.from_arrays(X, y, sample_weight=w, block_size=block_size)
    assert_stats_equal(stats, reference_stats(X, y, w))
    assert stats.single_target and stats.n_targets == 1 and stats.n_features == 17


def test_large_means_do_not_cancel():
    """Raw moments would lose every digit here; centered blocks keep them."""
    rng = np.random.default_rng(1)
    X = 1e8 + rng.standard_normal((4000, 3))
    y = 1e8 + X[:, 0] - 1e8 + rng.standard_normal(4000)
    stats = GramStats.from_arrays(X, y, block_size=333)
    ref = reference_stats(X, y)
    np.testing.assert_allclose(stats.xx, ref["xx"], rtol=1e-6)
    np.testing.assert_allclose(stats.xy, ref["xy"], rtol=1e-6)


def test_drifting_block_means_merge_exactly():
    """Blocks far apart (a trend across the file) merge by Chan's update, not raw sums."""
    rng = np.random.default_rng(2)
    offsets = np.repeat([0.0, 1e6, -3e5, 2e6], 250)[:, None] * np.array([1.0, -1.0, 0.5])
    X = offsets + rng.standard_normal((1000, 3))
    y = X @ np.array([1.0, 2.0, -1.0]) * 1e-6 + rng.standard_normal(1000)
    w = rng.uniform(0.5, 2.0, 1000)
    ref = reference_stats(X, y, w)
    assert_stats_equal(GramStats.from_arrays(X, y, sample_weight=w, block_size=250), ref)
    chunks = [(X[a:a + 250], y[a:a + 250], w[a:a + 250]) for a in range(0, 1000, 250)]
    assert_stats_equal(GramStats.from_chunks(chunks), ref)


def test_float32_sparse_and_2d_targets(data):
    X, y, w = data
    Y = np.column_stack([y, -2 * y + 1])
    X32 = X.astype(np.float32)
    stats = GramStats.from_arrays(X32, Y, block_size=128)
    assert stats.dtype == np.float32 and not stats.single_target and stats.n_targets == 2
    assert_stats_equal(stats, reference_stats(X32.astype(np.float64), Y))
    Xs = sp.random(500, 40, density=0.05, format="csc", random_state=3)
    ys = np.arange(500.0)
    assert_stats_equal(GramStats.from_arrays(Xs, ys, block_size=64), reference_stats(Xs, ys))


@pytest.mark.parametrize("mean", [0.5, 1e4])  # sparse products; centered dense fallback
def test_sparse_weighted_blocks(mean):
    rng = np.random.default_rng(5)
    Xs = sp.random(700, 30, density=0.1, format="csr", random_state=5)
    Xs.data += mean
    y = rng.standard_normal(700)
    w = rng.uniform(0.0, 2.0, 700)
    stats = GramStats.from_arrays(Xs, y, sample_weight=w, block_size=97)
    assert_stats_equal(stats, reference_stats(Xs, y, w), rtol=1e-11)


def test_memmap_is_read_in_blocks_and_not_modified(tmp_path, data):
    X, y, w = data
    path = tmp_path / "X.dat"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    del mm
    ro = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    stats = GramStats.from_arrays(ro, y, sample_weight=w, block_size=50)
    assert_stats_equal(stats, reference_stats(X, y, w))
    np.testing.assert_array_equal(np.asarray(ro), X)  # pages released, data intact
    # a view into the middle of the memmap (offset not page aligned)
    view = ro[7:907]
    assert_stats_equal(GramStats.from_arrays(view, y[7:907], block_size=64),
                       reference_stats(X[7:907], y[7:907]))


def test_from_chunks_equals_from_arrays(data):
    X, y, w = data
    cuts = [0, 1, 100, 101, 640, 1003]
    chunks = ((X[a:b], y[a:b], w[a:b]) for a, b in zip(cuts[:-1], cuts[1:]))
    assert_stats_equal(GramStats.from_chunks(chunks), reference_stats(X, y, w))
    sparse_chunks = [(sp.csr_matrix(X[a:b]), y[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    assert_stats_equal(GramStats.from_chunks(sparse_chunks), reference_stats(X, y))


def test_add_and_subtract(data):
    X, y, w = data
    a = GramStats.from_arrays(X[:400], y[:400], sample_weight=w[:400])
    b = GramStats.from_arrays(X[400:], y[400:], sample_weight=w[400:])
    total = a + b
    assert_stats_equal(total, reference_stats(X, y, w))
    assert_stats_equal(total - b, reference_stats(X[:400], y[:400], w[:400]), rtol=1e-10)
    assert_stats_equal(total - a, reference_stats(X[400:], y[400:], w[400:]), rtol=1e-10)
    with pytest.raises(ValueError, match="leaves no rows"):
        a - a
    other = GramStats.from_arrays(X[:, :3], y)
    with pytest.raises(ValueError, match="different shapes"):
        a + other
    assert a.__add__(1) is NotImplemented


def test_from_folds_partition(data):
    X, y, w = data
    folds = np.arange(1003) % 4
    parts = GramStats.from_folds(X, y, folds, sample_weight=w, block_size=97)
    for k, part in enumerate(parts):
        m = folds == k
        assert_stats_equal(part, reference_stats(X[m], y[m], w[m]))
    with pytest.raises(ValueError, match="fold 1 is empty"):
        GramStats.from_folds(X, y, np.where(folds == 1, 0, folds))


def test_moments_centered_raw_standardized(data):
    X, y, w = data
    stats = GramStats.from_arrays(X, y, sample_weight=w)
    np.testing.assert_allclose(stats.gram(center=False), (X.T * w) @ X, rtol=1e-10)
    np.testing.assert_allclose(stats.xty(center=False)[:, 0], (X.T * w) @ y, rtol=1e-10)
    np.testing.assert_allclose(stats.yty(center=False)[0], w @ y**2, rtol=1e-12)
    std_stats, scale = stats.standardized()
    Xs = X / scale
    assert_stats_equal(std_stats, reference_stats(Xs, y, w), rtol=1e-11)
    np.testing.assert_allclose(np.diag(std_stats.xx) / std_stats.weight_sum, 1.0, rtol=1e-12)


@pytest.mark.parametrize("zeros", [0.0, 0.8, 1.0], ids=["dense", "sparse", "all-zero"])
def test_residual_sum_of_squares(data, zeros):
    # dense coefficients go through BLAS, sparse ones through the kernel over nonzeros
    X, y, w = data
    stats = GramStats.from_arrays(X, y, sample_weight=w)
    rng = np.random.default_rng(5)
    W, b = rng.standard_normal((17, 6)), rng.standard_normal(6)
    W[rng.random(W.shape) < zeros] = 0.0
    want = (w[:, None] * (y[:, None] - X @ W - b) ** 2).sum(axis=0)
    np.testing.assert_allclose(stats.residual_sum_of_squares(W, b), want, rtol=1e-9)


# ------------------------------------------------------------------ bad input
def test_chunk_errors_name_the_chunk():
    rng = np.random.default_rng(0)
    good = (rng.standard_normal((5, 3)), rng.standard_normal(5))
    with pytest.raises(ValueError, match="empty"):
        GramStats.from_chunks(iter([]))
    with pytest.raises(ValueError, match="chunk 1 has 4 columns"):
        GramStats.from_chunks([good, (np.ones((5, 4)), np.ones(5))])
    bad = good[0].copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="chunk 2: X contains NaN"):
        GramStats.from_chunks([good, good, (bad, good[1])])
    with pytest.raises(ValueError, match="chunk 0: y contains NaN"):
        GramStats.from_chunks([(good[0], np.full(5, np.inf))])
    with pytest.raises(ValueError, match="chunk 1: y has shape"):
        GramStats.from_chunks([good, (good[0], np.ones(4))])
    with pytest.raises(ValueError, match="chunk 0: expected"):
        GramStats.from_chunks([good[0]])
    with pytest.raises(ValueError, match="sample_weight"):
        GramStats.from_chunks([(good[0], good[1], -np.ones(5))])


def test_array_errors(data):
    X, y, w = data
    Xn = X.copy()
    Xn[500, 3] = np.nan
    with pytest.raises(ValueError, match="rows 500:600: X contains NaN"):
        GramStats.from_arrays(Xn, y, block_size=100)
    with pytest.raises(ValueError):
        GramStats.from_arrays(X, y[:-1])
    with pytest.raises(ValueError):
        GramStats.from_arrays(X[:0], y[:0])
    with pytest.raises(ValueError):
        GramStats.from_arrays(X, y, sample_weight=-w)


def test_inputs_not_modified(data):
    X, y, w = data
    copies = X.copy(), y.copy(), w.copy()
    stats = GramStats.from_arrays(X, y, sample_weight=w, block_size=10)
    a = GramStats.from_arrays(X[:10], y[:10])
    xx = a.xx.copy()
    stats + a
    stats - a
    np.testing.assert_array_equal(a.xx, xx)
    for before, after in zip(copies, (X, y, w)):
        np.testing.assert_array_equal(before, after)


def test_constant_column_with_large_mean_is_exact():
    """The in-place fast path must not be taken where its correction cancels."""
    rng = np.random.default_rng(7)
    X = np.column_stack([np.full(3000, 1e6), rng.standard_normal(3000), 1e4 + rng.random(3000)])
    y = rng.standard_normal(3000)
    stats = GramStats.from_arrays(X, y, block_size=700)
    assert stats.xx[0, 0] == 0.0 and np.all(stats.xx[0] == 0.0) and stats.xy[0, 0] == 0.0
    ref = reference_stats(X, y)
    np.testing.assert_allclose(stats.xx[1:, 1:], ref["xx"][1:, 1:], rtol=1e-9)


# ------------------------------------------------------------ issue 12: unclear bad chunks
def _chunk_data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 4))
    return X, X @ np.array([1.0, 0.0, -1.0, 2.0]) + rng.standard_normal(30)


@pytest.mark.parametrize("chunks", [None, 3, "abc"])
def test_from_chunks_needs_an_iterable(chunks):
    with pytest.raises(TypeError, match="chunks must be an iterable"):
        GramStats.from_chunks(chunks)


@pytest.mark.parametrize("which", ["y", "dense X", "sparse X"])
def test_from_chunks_refuses_complex(which):
    X, y = _chunk_data()
    chunk = {"y": (X, y + 1j), "dense X": (X + 1j * X, y),
             "sparse X": (sp.csr_matrix(X + 1j * X), y)}[which]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way either
        with pytest.raises(TypeError, match=rf"chunk 1: {which[-1]} is complex"):
            GramStats.from_chunks([(X, y), chunk])


def test_from_chunks_refuses_zero_columns():
    X, y = _chunk_data()
    with pytest.raises(ValueError, match="chunk 0: X has 0 columns"):
        GramStats.from_chunks([(np.zeros((30, 0)), y)])


def test_from_chunks_zero_weight_chunk_is_valid():
    """A chunk without weight contributes nothing; only an all-zero total is an error."""
    X, y = _chunk_data()
    w = np.r_[np.zeros(10), np.ones(20)]
    stats = GramStats.from_chunks([(X[:10], y[:10], w[:10]), (X[10:], y[10:], w[10:])])
    expected = GramStats.from_arrays(X, y, sample_weight=w)
    np.testing.assert_allclose(stats.gram(), expected.gram(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stats.xty(), expected.xty(), rtol=1e-12, atol=1e-12)
    assert stats.weight_sum == 20
    with pytest.raises(ValueError, match="sums to zero"):
        GramStats.from_chunks([(X[:10], y[:10], np.zeros(10))])


def test_from_chunks_ragged_block_names_the_chunk():
    with pytest.raises(ValueError, match="chunk 0: X is a ragged"):
        GramStats.from_chunks([([[1.0, 2.0], [3.0]], [1.0, 2.0])])


def test_fold_aligned_blocks_keep_contiguous_folds_whole():
    from fastreg.folds import kfold_ids
    from fastreg.stats.gramstats import fold_aligned_blocks

    # whole runs of folds per block, closed before the fold that would overflow
    assert fold_aligned_blocks(kfold_ids(20000, 10), 8388) == [
        (0, 8000), (8000, 16000), (16000, 20000)]
    # a fold longer than a block is cut into blocks of its own
    assert fold_aligned_blocks(kfold_ids(20000, 3), 5000) == [
        (0, 5000), (5000, 6667), (6667, 11667), (11667, 13334), (13334, 18334),
        (18334, 20000)]
    # interleaved folds: plain blocks
    assert fold_aligned_blocks(np.array([0, 1, 0, 1, 0]), 2) == [(0, 2), (2, 4), (4, 5)]
    assert fold_aligned_blocks(kfold_ids(10, 2), 100) == [(0, 10)]


@pytest.mark.parametrize("block_size", [None, 700, 2500])
def test_from_folds_matches_each_fold_alone(block_size):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((5000, 30)) + 50.0
    y = X @ rng.standard_normal(30) + rng.standard_normal(5000)
    from fastreg.folds import kfold_ids

    folds = kfold_ids(5000, 7)
    for k, stats in enumerate(GramStats.from_folds(X, y, folds, block_size=block_size)):
        alone = GramStats.from_arrays(X[folds == k], y[folds == k])
        # raw products about means of 50 lose about 3.5 digits to rounding (either way)
        scale = 1e-11 * np.abs(alone.xx).max()
        np.testing.assert_allclose(stats.xx, alone.xx, rtol=0, atol=scale)
        np.testing.assert_allclose(stats.xy, alone.xy, rtol=0, atol=scale)
        np.testing.assert_allclose(stats.x_mean, alone.x_mean, rtol=1e-14)


def test_sum_stats_is_the_pairwise_sum_and_the_whole_data():
    from fastreg.folds import kfold_ids
    from fastreg.stats.gramstats import sum_stats

    rng = np.random.default_rng(8)
    X = rng.standard_normal((3000, 40)) * rng.uniform(0.5, 20, 40) + rng.uniform(-30, 30, 40)
    y = X @ rng.standard_normal(40) + rng.standard_normal(3000)
    weights = rng.uniform(0.1, 3.0, 3000)
    parts = GramStats.from_folds(X, y, kfold_ids(3000, 6), sample_weight=weights)
    before = [part.xx.copy() for part in parts]
    accumulated, summed = sum_stats(parts), sum(parts[1:], parts[0])
    whole = GramStats.from_arrays(X, y, sample_weight=weights)
    for field in ("xx", "xy", "yy", "x_mean", "y_mean"):
        expected = getattr(whole, field)
        for got in (accumulated, summed):
            np.testing.assert_allclose(getattr(got, field), expected, rtol=0,
                                       atol=1e-14 * np.abs(expected).max())
    assert accumulated.weight_sum == pytest.approx(weights.sum(), rel=1e-15)
    assert accumulated.n_samples == 3000
    for part, xx in zip(parts, before):  # the parts are left as they were
        np.testing.assert_array_equal(part.xx, xx)
    other = GramStats.from_arrays(X[:, :5], y)
    with pytest.raises(ValueError, match="different shapes"):
        sum_stats([parts[0], other])
