"""Threads: scikit-learn's ``n_jobs`` semantics, and results that are bit-identical
for any thread count (cross-validation folds on a thread pool, the threaded
sparse gradient of residual mode)."""

import threading

import numpy as np
import pytest
from scipy import sparse

import fastreg
from fastreg import _parallel
from fastreg._kernels import cd_naive
from fastreg.enet.designs import unsigned_csc


def _dense(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:min(5, p)] = rng.standard_normal(min(5, p))
    return X, X @ w + 0.5 * rng.standard_normal(n)


def _csc(n, p, density, seed=0):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=density, format="csc", rng=rng,
                      data_rvs=rng.standard_normal)
    w = np.zeros(p)
    w[:10] = rng.standard_normal(10)
    return X, np.asarray(X @ w).ravel() + 0.1 * rng.standard_normal(n)


def _assert_same_cv(a, b):
    for name in ("alphas", "mse_path", "cv_mean", "cv_std_error", "coef", "coefs",
                 "intercepts", "dual_gaps"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.alpha, a.l1_ratio, a.intercept, a.best_index) == \
        (b.alpha, b.l1_ratio, b.intercept, b.best_index)
    assert list(a.n_iters) == list(b.n_iters)


# -- n_jobs semantics ---------------------------------------------------------------


def test_effective_n_jobs_follows_scikit_learn():
    cores = _parallel.cpu_count()
    assert _parallel.effective_n_jobs(None) == 1
    assert _parallel.effective_n_jobs(1) == 1
    assert _parallel.effective_n_jobs(3) == 3
    assert _parallel.effective_n_jobs(-1) == cores
    assert _parallel.effective_n_jobs(-2) == max(cores - 1, 1)
    assert _parallel.effective_n_jobs(-10_000) == 1
    assert _parallel.effective_n_jobs(np.int64(2)) == 2


def test_joblib_context_sets_the_default():
    joblib = pytest.importorskip("joblib")
    with joblib.parallel_config(n_jobs=2):
        assert _parallel.effective_n_jobs(None) == 2
        assert _parallel.effective_n_jobs(1) == 1  # an explicit value wins
    with joblib.parallel_config(n_jobs=-1):
        assert _parallel.effective_n_jobs(None) == _parallel.cpu_count()
    assert _parallel.effective_n_jobs(None) == 1


@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, TypeError), (2.0, TypeError),
                                        ("2", TypeError), (True, TypeError),
                                        ([2], TypeError)])
def test_bad_n_jobs_is_refused_by_name(bad, error):
    X, y = _dense(60, 4)
    with pytest.raises(error, match="n_jobs"):
        fastreg.lasso_cv(X, y, cv=3, alphas=5, n_jobs=bad)
    with pytest.raises(error, match="n_jobs"):
        fastreg.enet_cv(X, y, cv=3, alphas=5, n_jobs=bad)
    folds = fastreg.GramStats.from_folds(X, y, np.arange(60) % 3)
    with pytest.raises(error, match="n_jobs"):
        fastreg.enet_cv_from_stats(folds, alphas=5, n_jobs=bad)
    with pytest.raises(error, match="n_jobs"):
        fastreg.lasso_cv_from_stats(folds, alphas=5, n_jobs=bad)


def test_bad_n_jobs_is_refused_by_the_estimators():
    pytest.importorskip("sklearn")
    from fastreg.sklearn import ElasticNetCV, LassoCV

    X, y = _dense(60, 4)
    for est in (LassoCV(cv=3, alphas=5, n_jobs=0), ElasticNetCV(cv=3, n_jobs=0)):
        with pytest.raises(ValueError, match="n_jobs"):
            est.fit(X, y)


# -- the thread pool ------------------------------------------------------------------


def _map(fn, items, n_threads):
    """One round of tasks on a pool of up to ``n_threads`` threads."""
    items = list(items)
    with _parallel.workers(min(n_threads, len(items))) as pool:
        return pool.map(fn, items)


def test_workers_keeps_order_budget_and_errors():
    seen = []

    def work(item):
        seen.append((threading.current_thread().name, _parallel.thread_budget()))
        return item * item

    assert _map(work, range(7), 3) == [i * i for i in range(7)]
    assert all(budget == 1 for _, budget in seen)  # no nested parallelism in workers
    assert any(name.startswith("fastreg") for name, _ in seen)
    seen.clear()
    assert _map(work, [2], 4) == [4]  # one item: the calling thread
    assert seen[0][0] == threading.current_thread().name

    def fail(item):
        if item == 3:
            raise ValueError("fold 3 failed")
        return item

    with pytest.raises(ValueError, match="fold 3"):
        _map(fail, range(5), 2)


def test_workers_run_follow_ups_behind_every_first_task():
    events = []
    lock = threading.Lock()

    def first(item):
        with lock:
            events.append(("first", item))
        return item * 10

    def then(item, value):
        with lock:
            events.append(("then", item))
        return (item, value, _parallel.thread_budget())

    for n in (1, 2, 3):
        events.clear()
        with _parallel.workers(n) as pool:
            out = pool.map(first, range(6), then=then)
            again = pool.map(lambda item: item + 1, range(4))  # a second round, same pool
        assert out == [(i, 10 * i, 1 if n > 1 else None) for i in range(6)]
        assert again == [1, 2, 3, 4]
        last_first = max(k for k, (kind, _) in enumerate(events) if kind == "first")
        first_then = min(k for k, (kind, _) in enumerate(events) if kind == "then")
        if n > 1:  # every follow-up is queued behind the first round (FIFO)
            assert first_then > last_first
        else:
            assert first_then == 1  # serial: each follow-up right after its task


def test_workers_raise_the_first_error_of_either_round():
    def first(item):
        if item in (2, 4):
            raise ValueError(f"path {item} failed")
        return item

    def then(item, value):
        if item == 1:
            raise KeyError("score 1 failed")
        return value

    with _parallel.workers(2) as pool:
        with pytest.raises(ValueError, match="path 2"):
            pool.map(first, range(6), then=lambda item, value: value)
        with pytest.raises(KeyError, match="score 1"):
            pool.map(lambda item: item, range(6), then=then)


def test_a_round_of_one_task_runs_in_the_calling_thread_with_blas_free():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(2, user_api="blas"), _parallel.workers(2) as pool:
        alone = pool.map(lambda _: (threading.current_thread().name,
                                    _parallel.blas_threads()), [0])
        shared = pool.map(lambda _: _parallel.blas_threads(), range(3))
    assert alone == [(threading.current_thread().name, 2)]
    assert shared == [1, 1, 1]


def test_workers_holds_blas_at_one_thread_in_workers():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        outside = _parallel.blas_threads()
        inside = _map(lambda _: _parallel.blas_threads(), range(4), 2)
        assert _parallel.blas_threads() == outside  # restored after the pool
    assert inside == [1, 1, 1, 1]


def test_blas_limits_entered_and_left_out_of_order_restore_blas():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        first, second = _parallel.single_threaded_blas(), _parallel.single_threaded_blas()
        first.__enter__()
        second.__enter__()
        assert _parallel.blas_threads() == 1
        first.__exit__(None, None, None)  # the other holder still runs its pool
        assert _parallel.blas_threads() == 1
        second.__exit__(None, None, None)
        assert _parallel.blas_threads() == 2


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("offset", [0.0, 1e4])  # raw products, or blocks centered first
def test_row_block_statistics_same_for_any_blas_thread_count(weighted, offset):
    # the blocks' products are made side by side, then added in block order
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from fastreg.stats.gramstats import SPLIT_MIN_PRODUCTS, row_block_size

    X, y = _dense(4000, 200, seed=10)
    X = X + offset
    assert 4000 * 200**2 >= SPLIT_MIN_PRODUCTS and row_block_size(4000, 200) == 1000
    weights = np.random.default_rng(11).uniform(0.5, 2.0, 4000) if weighted else None
    runs = []
    for n in (1, 2, 3):
        with threadpoolctl.threadpool_limits(n, user_api="blas"):
            runs.append(fastreg.GramStats.from_arrays(X, y, sample_weight=weights))
    for other in runs[1:]:
        for name in ("xx", "xy", "yy", "x_mean", "y_mean"):
            np.testing.assert_array_equal(getattr(runs[0], name), getattr(other, name),
                                          err_msg=name)
    # and the same sums as adding the blocks one at a time
    from fastreg.stats.moments import add_rows, empty_moments

    total = empty_moments(200, 1)
    for start in range(0, 4000, 1000):
        rows = slice(start, start + 1000)
        total = add_rows(total, X[rows], y[rows], None if weights is None else weights[rows])
    np.testing.assert_array_equal(total.xx, runs[0].xx)


def test_small_sums_stay_in_one_block_on_one_thread():
    from fastreg.stats.gramstats import row_block_size

    assert row_block_size(3000, 40) == 104857  # 32 MB blocks: one here
    assert row_block_size(20000, 500) == 5000  # four blocks for the threads
    assert row_block_size(6000, 500) == 1500
    assert row_block_size(3000, 500) == 1000  # not under 1000 rows
    assert row_block_size(2000, 5000) == 838  # never over 32 MB


def test_fold_statistics_same_for_any_blas_thread_count():
    # the folds of a block are summed on BLAS's threads, each on one thread
    threadpoolctl = pytest.importorskip("threadpoolctl")
    X, y = _dense(3000, 200, seed=8)
    folds = np.arange(3000) % 7
    runs = []
    for n in (1, 2, 3):
        with threadpoolctl.threadpool_limits(n, user_api="blas"):
            runs.append(fastreg.GramStats.from_folds(X, y, folds, block_size=700))
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            for name in ("xx", "xy", "yy", "x_mean", "y_mean"):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name),
                                              err_msg=name)


def test_lasso_cv_same_for_any_blas_and_n_jobs():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    X, y = _dense(2000, 60, seed=9)
    runs = []
    for blas, n_jobs in ((1, 1), (2, 1), (2, 2)):
        with threadpoolctl.threadpool_limits(blas, user_api="blas"):
            runs.append(fastreg.lasso_cv(X, y, cv=5, alphas=30, n_jobs=n_jobs))
    for other in runs[1:]:
        _assert_same_cv(runs[0], other)


def test_workers_workers_see_the_callers_errstate():
    def divide(item):
        return np.float64(item) / np.float64(0.0)

    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            _map(divide, [1, 2, 3], 2)
    with np.errstate(divide="ignore"):
        assert _map(divide, [1, 2], 2) == [np.inf, np.inf]


def test_budget_and_numba_threads_are_restored():
    numba = pytest.importorskip("numba")
    assert _parallel.thread_budget() is None
    with _parallel.budget(3):
        assert _parallel.kernel_threads() == 3
        with _parallel.budget(1):
            assert _parallel.kernel_threads() == 1
        assert _parallel.thread_budget() == 3
    assert _parallel.thread_budget() is None
    before = numba.get_num_threads()
    with _parallel.numba_threads(1) as n:
        assert n == 1 and numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with _parallel.numba_threads(10_000) as n:  # clipped to Numba's pool
        assert n == numba.config.NUMBA_NUM_THREADS
    assert numba.get_num_threads() == before


# -- bit-identical cross-validation -------------------------------------------------


def test_lasso_cv_stats_route_same_for_any_n_jobs():
    X, y = _dense(400, 20)
    one = fastreg.lasso_cv(X, y, cv=5, alphas=30)
    for n_jobs in (2, 3, -1):
        _assert_same_cv(one, fastreg.lasso_cv(X, y, cv=5, alphas=30, n_jobs=n_jobs))


def test_enet_cv_several_l1_ratios_and_weights_same_for_any_n_jobs():
    X, y = _dense(300, 15, seed=1)
    sw = np.random.default_rng(2).uniform(0.5, 2.0, 300)
    kw = dict(l1_ratio=[0.2, 0.7, 1.0], cv=4, alphas=20, sample_weight=sw)
    _assert_same_cv(fastreg.enet_cv(X, y, **kw), fastreg.enet_cv(X, y, n_jobs=2, **kw))


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_enet_cv_row_route_same_for_any_n_jobs(kind):
    # p > n: each fold runs a path on its training rows
    if kind == "dense":
        X, y = _dense(40, 80, seed=3)
    else:
        X, y = _csc(60, 120, 0.1, seed=3)
    kw = dict(l1_ratio=[0.5, 1.0], cv=3, alphas=15)
    _assert_same_cv(fastreg.enet_cv(X, y, **kw), fastreg.enet_cv(X, y, n_jobs=2, **kw))


def test_cv_from_stats_same_for_any_n_jobs():
    X, y = _dense(300, 12, seed=4)
    folds = fastreg.GramStats.from_folds(X, y, np.arange(300) % 6)
    _assert_same_cv(fastreg.lasso_cv_from_stats(folds, alphas=25),
                    fastreg.lasso_cv_from_stats(folds, alphas=25, n_jobs=2))
    _assert_same_cv(fastreg.enet_cv_from_stats(folds, l1_ratio=[0.3, 0.9], alphas=25),
                    fastreg.enet_cv_from_stats(folds, l1_ratio=[0.3, 0.9], alphas=25,
                                               n_jobs=-1))


def test_cv_in_a_joblib_context_is_the_same():
    joblib = pytest.importorskip("joblib")
    X, y = _dense(200, 10, seed=5)
    one = fastreg.lasso_cv(X, y, cv=4, alphas=20)
    with joblib.parallel_config(n_jobs=2):
        _assert_same_cv(one, fastreg.lasso_cv(X, y, cv=4, alphas=20))


def test_estimators_pass_n_jobs_and_agree():
    pytest.importorskip("sklearn")
    from fastreg.sklearn import ElasticNetCV, LassoCV

    X, y = _dense(200, 10, seed=6)
    for make in (lambda j: LassoCV(cv=4, n_jobs=j),
                 lambda j: ElasticNetCV(l1_ratio=[0.5, 1.0], cv=4, n_jobs=j)):
        a, b = make(None).fit(X, y), make(2).fit(X, y)
        np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
        np.testing.assert_array_equal(a.coef_, b.coef_)
        assert (a.alpha_, a.intercept_) == (b.alpha_, b.intercept_)


# -- the threaded sparse gradient ---------------------------------------------------


def test_csc_gradient_kernels_agree_bit_for_bit():
    X, _ = _csc(3000, 700, 0.05, seed=7)
    r = np.random.default_rng(8).standard_normal(3000)
    data, (indices, indptr) = X.data, unsigned_csc(X)
    serial = np.empty(700)
    cd_naive.csc_gradient(data, indices, indptr, r, serial)
    # independent reference: each column's dot product in NumPy
    ref = np.array([data[indptr[j]:indptr[j + 1]] @ r[indices[indptr[j]:indptr[j + 1]]]
                    for j in range(700)])
    np.testing.assert_allclose(serial, ref, rtol=1e-13, atol=1e-13 * np.abs(ref).max())
    for n in (1, 2, 3):
        out = np.full(700, np.nan)
        with _parallel.numba_threads(n):
            cd_naive.csc_gradient_threads(data, indices, indptr, r, out)
        np.testing.assert_array_equal(out, serial)


def test_csc_gradient_dispatch_same_for_any_budget():
    X, _ = _csc(4000, 1000, 0.06, seed=9)  # above PARALLEL_MIN_NNZ: the threaded kernel
    assert X.nnz >= _parallel.PARALLEL_MIN_NNZ
    r = np.random.default_rng(10).standard_normal(4000)
    args = (X.data, *unsigned_csc(X), r)
    outs = []
    for n in (1, 2, 4):
        with _parallel.budget(n):
            outs.append(_parallel.csc_gradient(*args))
    outs.append(_parallel.csc_gradient(*args))  # Numba's own thread count
    for out in outs[1:]:
        np.testing.assert_array_equal(out, outs[0])
    np.testing.assert_allclose(outs[0], X.T @ r, rtol=1e-12, atol=1e-12)


def test_sparse_path_same_for_any_thread_count():
    X, y = _csc(3000, 2000, 0.05, seed=11)
    assert X.nnz >= _parallel.PARALLEL_MIN_NNZ
    results = []
    for n in (1, 2):
        with _parallel.budget(n):
            results.append(fastreg.enet_path(X, y, l1_ratio=0.8, alphas=20,
                                             fit_intercept=True, return_intercept=True,
                                             return_n_iter=True))
    for a, b in zip(*results):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_threaded_sparse_path_holds_blas_at_one_thread():
    """A path whose gradient passes are threaded holds BLAS at one thread while
    it runs (BLAS's woken threads would spin on the cores the passes need), and
    restores BLAS after; a serial one leaves BLAS alone."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    X, y = _csc(3000, 2000, 0.05, seed=12)
    assert X.nnz >= _parallel.PARALLEL_MIN_NNZ
    seen = []

    def callback(*_):
        seen.append(_parallel.blas_threads())

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        for n in (2, 1):
            seen.clear()
            with _parallel.budget(n):
                fastreg.lasso_path(X, y, alphas=5, callback=callback)
            assert seen and set(seen) == ({1} if n == 2 else {2}), (n, seen)
            assert _parallel.blas_threads() == 2
