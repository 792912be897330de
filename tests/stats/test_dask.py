"""GramStats.from_dask on a real dask.distributed cluster.

One ``LocalCluster`` (two worker processes, one thread each, loopback only,
no dashboard) is started for the module and closed at its end. Statistics
computed on it must equal :meth:`GramStats.from_arrays` on the same arrays
to rounding; a worker killed (SIGKILL) in the middle of a computation must
not change the result (Dask recomputes what was lost, the nanny restarts the
worker); bad input fails with an error naming the chunk.

Functions shipped to the workers are defined inside the tests, so that
cloudpickle sends them by value (the workers cannot import this module).
"""

import concurrent.futures
import logging
import os
import signal
import time

import numpy as np
import pytest

import fastreg
from fastreg import GramStats

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

N_FEATURES = 9
UNEVEN_ROWS = (100, 37, 1, 250, 64, 311, 7, 129, 105)  # sum 1004


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.CRITICAL)
    dask_client = distributed.Client(cluster)
    try:
        dask_client.wait_for_workers(2, timeout=60)
        yield dask_client
    finally:
        dask_client.close()
        cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = sum(UNEVEN_ROWS)
    X = (rng.standard_normal((n, N_FEATURES)) * rng.uniform(0.2, 5.0, N_FEATURES)
         + rng.uniform(-20.0, 20.0, N_FEATURES))
    y = X[:, :4] @ np.array([1.5, -2.0, 0.5, 3.0]) + rng.standard_normal(n)
    Y = np.column_stack([y, X[:, 5] - X[:, 6] + rng.standard_normal(n)])
    w = rng.uniform(0.0, 3.0, n)
    w[100:137] = 0.0  # one whole chunk carries no weight
    return X, y, Y, w


def assert_same_stats(got, want, rtol=1e-12):
    """Every field equal to ``rtol`` relative to the field's largest entry."""
    assert got.n_samples == want.n_samples
    assert got.n_features == want.n_features and got.n_targets == want.n_targets
    assert got.single_target == want.single_target
    np.testing.assert_allclose(got.weight_sum, want.weight_sum, rtol=rtol)
    for name in ("x_mean", "y_mean", "xx", "xy", "yy"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.shape == b.shape, name
        scale = max(float(np.abs(b).max()), 1e-300)
        err = float(np.abs(a - b).max())
        assert err <= rtol * scale, f"{name}: max |diff| {err:.3g} vs scale {scale:.3g}"


# -- equality with the in-memory statistics ----------------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("two_d", [False, True], ids=["y1d", "y2d"])
def test_from_dask_equals_from_arrays(client, data, weighted, two_d):
    X, y, Y, w = data
    target = Y if two_d else y
    weights = w if weighted else None
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    # y and w arrive chunked differently from X (rechunked to X's row chunks)
    yd = da.from_array(target, chunks=(200,) + target.shape[1:])
    wd = None if weights is None else da.from_array(weights, chunks=333)
    got = GramStats.from_dask(Xd, yd, sample_weight=wd, split_every=3)
    want = GramStats.from_arrays(X, target, sample_weight=weights)
    assert_same_stats(got, want)
    assert got.dtype == want.dtype == np.float64


def test_numpy_targets_and_weights_and_split_every(client, data):
    X, y, _, w = data
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    want = GramStats.from_arrays(X, y, sample_weight=w)
    for split_every in (2, 8, 100):
        got = GramStats.from_dask(Xd, y, sample_weight=w, split_every=split_every)
        assert_same_stats(got, want)


def test_single_chunk_and_float32(client, data):
    X, y, _, _ = data
    X32 = X.astype(np.float32)
    got = GramStats.from_dask(da.from_array(X32, chunks=(-1, -1)), y)
    want = GramStats.from_arrays(X32, y)
    assert_same_stats(got, want)
    assert got.dtype == want.dtype == np.float32


def test_dask_dataframe(client, data):
    pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    X, y, _, _ = data
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(N_FEATURES)])
    ddf = dd.from_pandas(frame, npartitions=4)
    yser = dd.from_pandas(pd.Series(y, name="y"), npartitions=4)
    got = GramStats.from_dask(ddf, yser)
    assert_same_stats(got, GramStats.from_arrays(X, y))


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lasso_path_from_dask_stats(client, data, fit_intercept, weighted):
    X, y, _, w = data
    w = w if weighted else None
    stats = GramStats.from_dask(da.from_array(X, chunks=(UNEVEN_ROWS, -1)), y, sample_weight=w)
    kwargs = dict(alphas=30, eps=1e-3, tol=1e-8, fit_intercept=fit_intercept,
                  return_intercept=True)
    alphas, coefs, gaps, intercepts = fastreg.lasso_path(X, y, sample_weight=w, **kwargs)
    alphas_s, coefs_s, gaps_s, intercepts_s = fastreg.lasso_path_from_stats(stats, **kwargs)
    np.testing.assert_allclose(alphas_s, alphas, rtol=1e-12)
    assert np.abs(coefs_s - coefs).max() <= 1e-9 * np.abs(coefs).max()
    assert np.abs(intercepts_s - intercepts).max() <= 1e-9 * max(np.abs(intercepts).max(), 1.0)
    # both routes certify every alpha; the stopping rule drives most gaps to
    # rounding level (1e-14 here, either sign), so they agree only to that level
    sw = np.ones_like(y) if w is None else w
    unit = np.sum(sw * y**2) / len(y)
    np.testing.assert_allclose(gaps_s, gaps, atol=1e-10 * unit)


def test_cv_from_dask_fold_stats(client, data):
    """Per-fold statistics built on the cluster give lasso_cv's choice."""
    X, y, _, _ = data
    n_folds = 5
    folds = np.repeat(np.arange(n_folds), -(-X.shape[0] // n_folds))[:X.shape[0]]
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    fold_stats = []
    for k in range(n_folds):
        rows = np.flatnonzero(folds == k)
        fold_stats.append(GramStats.from_dask(Xd[rows[0]:rows[-1] + 1],
                                              y[rows[0]:rows[-1] + 1]))
    grid = fastreg.lasso_path(X - X.mean(axis=0), y - y.mean(), alphas=20)[0]
    got = fastreg.lasso_cv_from_stats(fold_stats, alphas=grid, tol=1e-8)
    want = fastreg.lasso_cv(X, y, cv=folds, alphas=grid, tol=1e-8)
    assert got.alpha == want.alpha and got.alpha_1se == want.alpha_1se
    np.testing.assert_allclose(got.mse_path, want.mse_path, rtol=1e-6)
    np.testing.assert_allclose(got.coef, want.coef, rtol=1e-6, atol=1e-8)


# -- a worker dies mid-computation -------------------------------------------------


def test_worker_killed_mid_computation_gives_same_result(client, data):
    X, y, _, w = data
    delay = 0.3

    def slow_rows(block):
        # runs on a worker (get_worker raises anywhere else), slowly
        distributed.get_worker()
        time.sleep(delay)
        return block

    n_chunks = 12
    rows = np.array_split(np.arange(X.shape[0]), n_chunks)
    Xd = da.from_array(X, chunks=(tuple(len(r) for r in rows), -1))
    Xd = Xd.map_blocks(slow_rows, dtype=X.dtype)
    want = GramStats.from_arrays(X, y, sample_weight=w)

    pids = client.run(os.getpid)  # {worker address: pid}
    assert len(pids) == 2
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(GramStats.from_dask, Xd, y, sample_weight=w, split_every=4)
        # Kill a worker once it holds a finished piece and work is still running:
        # both its results in memory and its running task must be recomputed.
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            assert not future.done(), "finished before a worker could be killed"
            in_memory = client.has_what()
            processing = client.processing()
            for address in pids:
                if in_memory.get(address) and processing.get(address):
                    victim = address
                    break
            else:
                time.sleep(0.01)
        assert victim is not None, "no worker ever held a result"
        os.kill(pids[victim], signal.SIGKILL)
        assert not future.done()
        got = future.result(timeout=120)
    assert_same_stats(got, want)

    # the nanny replaces the killed process; later tests get two workers again
    client.wait_for_workers(2, timeout=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = client.scheduler_info()["workers"]
        if len(workers) == 2 and victim not in workers:
            break
        time.sleep(0.1)
    assert victim not in client.scheduler_info()["workers"]
    assert len(client.scheduler_info()["workers"]) == 2


# -- bad input -----------------------------------------------------------------------


def test_column_chunks_are_rejected(client, data):
    X, y, _, _ = data
    Xd = da.from_array(X, chunks=(200, 4))
    with pytest.raises(ValueError, match=r"chunked along columns \(3 column chunks"):
        GramStats.from_dask(Xd, y)


@pytest.mark.parametrize("where", ["X", "y", "sample_weight"])
def test_nonfinite_values_name_the_chunk(client, data, where):
    X, y, _, w = data
    X, y, w = X.copy(), y.copy(), w.copy()
    row = sum(UNEVEN_ROWS[:5]) + 3  # inside row chunk 5
    {"X": X[row], "y": y[row:row + 1], "sample_weight": w[row:row + 1]}[where][0] = np.nan
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    name = "sample_weight" if where == "sample_weight" else where
    with pytest.raises(ValueError, match=rf"chunk 5\b.*{name}") as info:
        GramStats.from_dask(Xd, y, sample_weight=w)
    assert "chunk 4" not in str(info.value) and "chunk 6" not in str(info.value)


def test_inf_in_x_names_the_chunk(client, data):
    X, y, _, _ = data
    X = X.copy()
    X[-1, 2] = np.inf  # last row chunk
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    last = len(UNEVEN_ROWS) - 1
    with pytest.raises(ValueError, match=rf"chunk {last}\b.*X contains NaN or infinity"):
        GramStats.from_dask(Xd, y)


def test_negative_weight_names_the_chunk(client, data):
    X, y, _, w = data
    w = w.copy()
    w[0] = -1.0
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    with pytest.raises(ValueError, match=r"chunk 0\b.*sample_weight"):
        GramStats.from_dask(Xd, y, sample_weight=w)


def test_wrong_lengths(client, data):
    X, y, _, w = data
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    with pytest.raises(ValueError, match=r"y has shape \(1003,\)"):
        GramStats.from_dask(Xd, y[:-1])
    with pytest.raises(ValueError, match=r"y has shape"):
        GramStats.from_dask(Xd, da.from_array(np.append(y, 0.0), chunks=100))
    with pytest.raises(ValueError, match=r"sample_weight has shape \(1005,\)"):
        GramStats.from_dask(Xd, y, sample_weight=np.append(w, 1.0))


def test_unknown_chunk_sizes(client, data):
    X, y, _, _ = data
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    filtered = Xd[Xd[:, 0] > 0]  # boolean indexing: row counts unknown until computed
    assert np.isnan(filtered.shape[0])
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        GramStats.from_dask(filtered, y)


def test_shape_errors(client, data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="X must be 2-D"):
        GramStats.from_dask(da.from_array(y, chunks=100), y)
    with pytest.raises(ValueError, match="empty"):
        GramStats.from_dask(da.zeros((0, 3), chunks=(10, 3)), np.zeros(0))


def test_non_numeric_chunk(client):
    Xd = da.from_array(np.full((20, 2), "a", dtype=object), chunks=(10, 2))
    # refused from the array's dtype, before any chunk is computed
    with pytest.raises(TypeError, match=r"^X has dtype object; real numbers"):
        GramStats.from_dask(Xd, np.zeros(20))


def test_all_zero_weights(client, data):
    X, y, _, w = data
    Xd = da.from_array(X, chunks=(UNEVEN_ROWS, -1))
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        GramStats.from_arrays(X, y, sample_weight=np.zeros_like(w))
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        GramStats.from_dask(Xd, y, sample_weight=np.zeros_like(w))


# ------------------------------------------------------------ issue 12: unclear bad inputs
def test_from_dask_refuses_complex():
    import scipy.sparse as sp
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 3))
    y = rng.standard_normal(40)
    dX, dy = da.from_array(X, chunks=(10, 3)), da.from_array(y, chunks=10)
    with pytest.raises(TypeError, match="y is complex"):
        GramStats.from_dask(dX, dy + 1j)
    with pytest.raises(TypeError, match="X is complex"):
        GramStats.from_dask(dX + 1j, dy)
    sparse_complex = dX.map_blocks(lambda b: sp.csr_matrix(b + 1j * b), dtype=np.complex128)
    with pytest.raises(TypeError, match="X is complex"):
        GramStats.from_dask(sparse_complex, dy)
    # a block that claims a real dtype but holds complex numbers is caught on the worker
    liar = dX.map_blocks(lambda b: sp.csr_matrix(b + 1j * b), dtype=np.float64)
    with pytest.raises(TypeError, match=r"chunk \d: X is complex"):
        GramStats.from_dask(liar, dy)


def test_from_dask_zero_weight_chunk_is_valid():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3))
    y = rng.standard_normal(40)
    w = np.r_[np.zeros(10), rng.uniform(0.5, 2.0, 30)]
    stats = GramStats.from_dask(da.from_array(X, chunks=(10, 3)), da.from_array(y, chunks=10),
                                sample_weight=da.from_array(w, chunks=10))
    expected = GramStats.from_arrays(X, y, sample_weight=w)
    np.testing.assert_allclose(stats.gram(), expected.gram(), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="sums to zero"):
        GramStats.from_dask(da.from_array(X, chunks=(10, 3)), da.from_array(y, chunks=10),
                            sample_weight=da.zeros(40, chunks=10))
