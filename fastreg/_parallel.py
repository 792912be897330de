"""Threads for independent work, with scikit-learn's ``n_jobs`` and results that
do not depend on the thread count.

Two kinds of parallelism are used, both only where every output is computed
by one thread in a fixed order (no sum is split among threads), so any thread
count gives bit-identical results:

* **tasks** (the folds and l1_ratios of cross-validation): a thread pool runs
  whole fold paths side by side. The kernels are compiled with ``nogil=True``,
  so the threads run truly in parallel while inside them.
* **kernel loops** (the full gradient of a sparse residual-mode path): a
  ``numba.prange`` over features (:data:`fastreg._kernels._jit.parallel_jit`).

A thread count is a per-thread *budget*: inside a pool's worker it is 1, so
the kernels a worker runs are serial and a pool never nests in Numba's
threads; elsewhere it is the budget set by the caller (``n_jobs`` of the CV
functions) or, with none set, Numba's own thread count
(``numba.get_num_threads()``, ``NUMBA_NUM_THREADS``), as BLAS uses its own.

BLAS never nests in a pool either: while a pool runs, BLAS is held at one
thread (:func:`single_threaded_blas`, through ``threadpoolctl`` when it is
installed). Otherwise each worker's small BLAS calls wake BLAS's own threads,
which then spin on the cores the other workers need: measured on
``lasso_cv_from_stats`` (10 folds, 20000 x 500), two workers ran at 0.93x of
one with BLAS free and 1.4x with BLAS held at one thread.
"""

import contextvars
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext

import numpy as np

from . import _validation
from ._kernels import cd_naive

# Below this many stored entries a full sparse gradient takes well under a
# millisecond: waking Numba's threads (and loading the threaded kernel on a
# first call) would cost more than it saves.
PARALLEL_MIN_NNZ = 200_000

_local = threading.local()


def cpu_count():
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def effective_n_jobs(n_jobs):
    """Threads for ``n_jobs`` with scikit-learn's meaning.

    ``None`` is 1, unless a ``joblib.parallel_config`` (or
    ``parallel_backend``) context sets ``n_jobs``, which then applies; ``-1``
    is every core, ``-2`` all but one, and so on (at least 1); a positive int
    is taken as given.

    Parameters
    ----------
    n_jobs : int or None

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    TypeError
        ``n_jobs`` is not None or an int.
    ValueError
        ``n_jobs == 0``.
    """
    n_jobs = _validation.check_n_jobs(n_jobs)
    if n_jobs is None:
        # a joblib context can only be active if joblib was imported (it is an
        # optional dependency: never imported here for nothing)
        joblib = sys.modules.get("joblib")
        if joblib is None:
            return 1
        n_jobs = joblib.effective_n_jobs(None)
        if n_jobs is None:
            return 1
    if n_jobs < 0:
        return max(cpu_count() + 1 + n_jobs, 1)
    return int(n_jobs)


def thread_budget():
    """Threads the kernels called from this thread may use (None: Numba's default)."""
    return getattr(_local, "budget", None)


@contextmanager
def budget(n_threads):
    """Set this thread's :func:`thread_budget` within the context, restored after."""
    previous = thread_budget()
    _local.budget = int(n_threads)
    try:
        yield
    finally:
        _local.budget = previous


def kernel_threads():
    """Threads for a parallel kernel loop called from this thread."""
    n = thread_budget()
    if n is None:
        import numba  # the threading layer starts only when a parallel kernel runs

        return numba.get_num_threads()
    return n


@contextmanager
def numba_threads(n_threads):
    """Numba's thread count (of this thread) set to ``n_threads`` within the context.

    Clipped to ``numba.config.NUMBA_NUM_THREADS`` (the size of Numba's pool);
    the previous count is restored after.
    """
    import numba

    n = max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS))
    previous = numba.get_num_threads()
    if n == previous:
        yield n
        return
    numba.set_num_threads(n)
    try:
        yield n
    finally:
        numba.set_num_threads(previous)


_controller = None


def _blas_controller():
    """threadpoolctl's controller of the loaded BLAS libraries, or None without threadpoolctl.

    Built once (it inspects the loaded libraries: milliseconds); limiting
    through it then costs tens of microseconds.
    """
    global _controller
    if _controller is None:
        try:
            import threadpoolctl
        except ImportError:
            _controller = False
        else:
            _controller = threadpoolctl.ThreadpoolController()
    return _controller or None


def blas_threads():
    """The largest thread count of the loaded BLAS libraries (1 when unknown)."""
    controller = _blas_controller()
    if controller is None:
        return 1
    counts = [lib.num_threads for lib in controller.select(user_api="blas").lib_controllers]
    return max(counts, default=1)


# Pools of concurrent callers share one limit: the first to enter sets it and the
# last to leave restores BLAS's own setting (limits entered and left out of order
# would otherwise leave BLAS at one thread for good).
_blas_lock = threading.Lock()
_blas_holders = 0
_blas_limiter = None


@contextmanager
def single_threaded_blas():
    """BLAS at one thread within the context (a no-op without ``threadpoolctl``).

    Process-wide, as BLAS's own setting is: meant for the time a pool of
    workers runs, each of which would otherwise wake BLAS's threads. Contexts
    entered from several threads share one limit, lifted when the last exits.
    """
    global _blas_holders, _blas_limiter
    controller = _blas_controller()
    if controller is None:
        yield
        return
    with _blas_lock:
        if _blas_holders == 0:
            _blas_limiter = controller.limit(limits=1, user_api="blas")
        _blas_holders += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_holders -= 1
            if _blas_holders == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def _in_worker(fn):
    def run(task):
        context, *args = task
        with budget(1):
            # the caller's context (e.g. NumPy's errstate) applies in the worker too
            return context.run(fn, *args)
    return run


class Workers:
    """Up to ``n_threads`` threads kept for several rounds of independent tasks.

    Use through :func:`workers`. Starting threads costs about a millisecond
    on the test VM, and the second one starts late: a pass that needs a pool
    per block of rows, or a cross-validation whose statistics and fits are
    two rounds, keeps one pool instead. With one thread (or one task) every
    task runs in the calling thread; while a round of several tasks runs on
    several threads, BLAS is held at one thread (:func:`single_threaded_blas`).
    """

    def __init__(self, n_threads, pool=None):
        self.n_threads = int(n_threads)
        self._pool = pool

    def map(self, fn, items, then=None):
        """``[fn(item) for item in items]``, or with ``then``
        ``[then(item, fn(item)) for item in items]``, in the order of ``items``.

        Each ``then(item, ...)`` is queued as soon as its ``fn(item)`` returns,
        behind every ``fn`` task: a thread that runs out of ``fn`` tasks takes
        the follow-ups of those already done while the other threads finish
        theirs (the short follow-ups fill the end of an uneven round). Every
        call runs whole on one thread, so results do not depend on the
        thread count; the first exception (in the order of ``items``) is
        raised here. Inside the calls the thread budget is 1 and the caller's
        context variables hold.
        """
        items = list(items)
        if self._pool is None or len(items) <= 1:
            return [fn(item) if then is None else then(item, fn(item)) for item in items]
        with single_threaded_blas():
            return self._map(fn, items, then)

    def _map(self, fn, items, then):
        firsts = [self._pool.submit(_in_worker(fn), (contextvars.copy_context(), item))
                  for item in items]
        if then is None:
            return [future.result() for future in firsts]
        follow_ups = [None] * len(items)
        ready = threading.Semaphore(0)

        def queue_follow_up(k, future):
            try:
                if future.exception() is None:
                    follow_ups[k] = self._pool.submit(
                        _in_worker(then), (contextvars.copy_context(), items[k],
                                           future.result()))
            finally:  # (a callback's own error is only logged: never leave the wait hanging)
                ready.release()

        for k, future in enumerate(firsts):
            future.add_done_callback(lambda future, k=k: queue_follow_up(k, future))
        for _ in items:
            ready.acquire()
        for future in firsts:
            future.result()  # raises the first exception of the fn round
        if any(future is None for future in follow_ups):
            raise RuntimeError("A follow-up task could not be queued on the thread pool.")
        return [future.result() for future in follow_ups]


@contextmanager
def workers(n_threads):
    """A :class:`Workers` of ``n_threads`` threads for the context's rounds of tasks."""
    n = max(1, int(n_threads))
    if n == 1:
        yield Workers(1)
        return
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="fastreg") as pool:
        yield Workers(n, pool)


def gradient_threads(nnz):
    """Threads of :func:`csc_gradient` on a matrix of ``nnz`` stored entries."""
    return kernel_threads() if nnz >= PARALLEL_MIN_NNZ else 1


def cores_for_kernels(threaded):
    """BLAS held at one thread while a path whose kernels are ``threaded`` runs.

    Such a path calls BLAS only on vectors (products of the residual, norms),
    where a second BLAS thread gains nothing; but once woken, BLAS's threads
    keep spinning on the cores that the next threaded gradient pass needs.
    Measured on the sparse 20000 x 50000 path with BLAS and Numba both at two
    threads: its gradient passes took 0.56x the one-thread time (slower), and
    1.5x faster with BLAS held at one thread. A no-op for serial kernels (a
    shared ``nullcontext``: a generator's context costs small paths a few
    microseconds).
    """
    return single_threaded_blas() if threaded else _SERIAL


_SERIAL = nullcontext()


def csc_gradient(data, indices, indptr, r):
    """``X^T r`` (float64) of a CSC matrix, on :func:`kernel_threads` threads.

    Bit-identical for every thread count: each column is summed by one thread,
    over its entries in order.

    Parameters
    ----------
    data, indices, indptr : CSC arrays (unsigned indices and indptr)
    r : ndarray of shape (n_samples,)

    Returns
    -------
    ndarray of float64, shape (n_features,)
    """
    out = np.empty(indptr.shape[0] - 1)
    n = gradient_threads(data.shape[0])
    if n <= 1:
        cd_naive.csc_gradient(data, indices, indptr, r, out)
    else:
        with numba_threads(n):
            cd_naive.csc_gradient_threads(data, indices, indptr, r, out)
    return out
