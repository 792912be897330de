"""One thread against two: what fastreg's threads buy, and the Amdahl estimate beyond.

Usage
-----
Run from the repository root on a quiet machine (check ``uptime``). Two
environment variables set on this machine slow NumPy's BLAS down, so unset them
for the benchmark only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python scripts/bench_threads.py
    ... scripts/bench_threads.py --quick            # smaller problems, 3 repetitions
    ... scripts/bench_threads.py --reps 9 --markdown threads.md
    ... scripts/bench_threads.py --rows lasso-cv,sparse-gradient

What is measured
----------------
Every row is timed with T = 1 and T = 2 threads: BLAS capped at T threads
(``threadpoolctl``, BLAS only), fastreg's thread budget set to T
(``fastreg._parallel.budget``, which sizes the threaded kernel loops) and, for
the CV rows, ``n_jobs=T``. A time is the median of ``--reps`` repetitions; the
T = 1 and T = 2 runs alternate within each repetition so that drifting load
hits both alike; every call is made once untimed first (JIT warm-up, caches).
On a shared machine a two-thread run is meaningless while another process holds
a core (BLAS and OpenMP threads spin waiting for each other): ``--idle-wait S``
waits up to S seconds before each repetition for the cores to be idle, and
``--stat min`` takes the fastest repetition instead of the median.

* ``lasso-cv``: ``fastreg.lasso_cv(cv=10)``, 100 alphas, on the 20000 x 500
  design of ``scripts/bench_vs_sklearn.py`` (rows ~ N(0, Sigma),
  ``Sigma_ij = 0.5^|i-j|``); split into its parts: ``lasso-cv: statistics``
  (``GramStats.from_folds``, one pass over X, BLAS SYRK per block) and
  ``lasso-cv: fold fits`` (``enet_cv_from_stats`` on those statistics, the ten
  fold paths on a thread pool, plus the refit).
* ``sparse-gradient``: the full gradient ``X^T r`` of the sparse problem of
  ``scripts/bench_vs_sklearn.py`` (CSC 20000 x 50000, density 1e-3), the pass
  residual mode makes at every KKT check (Numba ``prange`` over columns).
  ``sparse-gradient: between sweeps``: the same pass as a path makes it, after
  ``--between`` seconds (default ``BETWEEN_SWEEPS_SECONDS``) of single-threaded
  work on the calling thread (untimed; the sweeps a path runs between two
  gradient passes, 2 to 100 ms on this problem), so the second
  core has been idle, as it is in a path, while the first has not: measured
  right after ``gc.collect()`` alone, the row above adds the cost of the
  collection's cache traffic and of waking an idle core to the pass.
  ``sparse-path``: the whole ``lasso_path`` (100 alphas) on it;
  ``sparse-path: gradient passes``: the seconds that path spends in its
  gradient passes (the issue's measure: the passes as a path makes them);
  ``sparse-path: others started``: the same passes, each preceded (untimed) by
  a parallel region in which every thread reads the residual: the idle cores
  are running and hold the residual when the clock starts, so the row says
  what starting them costs the passes;
  ``sparse-path: reading X``: in the same places of the same path, the seconds
  of a read of the arrays a pass reads (``data`` and ``indices``, on the same
  threads, at the memory's pace: independent sums, so that no chain of
  additions paces it): what reading those bytes costs there, the floor under
  any pass. Until the twenty-second session this row summed into one running
  sum, which made it a chain of dependent additions at about 0.8 ns an entry
  and not a read; its earlier figures measure that chain
  (docs/performance/benchmarks.rst, twenty-second session).
  ``sparse-path: a pass after a short idle`` / ``... a long idle``: the mean
  seconds of one pass of that path, over the passes that follow the previous
  one within ``SHORT_IDLE_SECONDS`` (the other core may still be waiting
  actively: OpenMP spins a few milliseconds before it sleeps) or after more
  than ``LONG_IDLE_SECONDS`` (it is asleep, and X has left the caches).
* ``gramstats``: ``GramStats.from_arrays`` on the 20000 x 500 design (row
  blocks side by side, each product on one BLAS thread).
* ``dense-gradient``: ``X^T r`` on the 20000 x 500 design (BLAS ``gemv``, as
  the dense residual mode computes it).
* ``ridge-targets``: ``fastreg.ridge_regression`` with 200 targets on the
  20000 x 500 design (BLAS only).
* ``cores: vectorized in cache`` and ``cores: dependent chain``: what two
  busy cores of the machine give with no memory traffic at all, the ceiling of
  every row above. Two equal halves of work in a ``prange`` (both on one
  thread at T = 1): sums over a 16 KB array (in L1) that the compiler
  vectorizes (throughput-bound: FMA units and loads), and a chain of
  dependent multiply-adds (latency-bound). On the 2-core VM of the docs'
  measurements: 1.81x and 1.99x.

For each row the speedup ``S = t1 / t2`` gives the serial fraction of Amdahl's
law, ``s = 2 / S - 1`` (clipped to [0, 1]), and from it the expected speedup on
P cores, ``1 / (s + (1 - s) / P)``, listed for P = 8 and 32. This assumes the
parallel part keeps scaling (enough folds or columns per thread, memory
bandwidth to spare), so it is an upper estimate; 10 folds cannot keep more than
10 threads busy, so the ``lasso-cv: fold fits`` row is also capped at 10.

Only fastreg's own threads (fold pool, ``prange`` gradient) are bit-identical
for any count. BLAS is not: OpenBLAS 0.3.30's SYRK and GEMV on 2000 x 500
differ in the last bits between 1 and 2 threads, so the BLAS rows (and any
result through them) depend on the BLAS thread count, as all NumPy code does.
Pinning BLAS to one thread inside a pool over row blocks would scale SYRK 2.05x
on two cores (against 1.53x from BLAS's own threads) but changes the bits of
the default (BLAS-threaded) ``n_jobs=1`` call, so it is not done.

``--latency`` (on by default, ``--no-latency`` to skip) also times, in fresh
processes with a warm Numba cache, the first sparse ``lasso_path`` call large
enough to take the threaded gradient, against the same call with the serial
kernel.
"""

import argparse
import gc
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numba
import numpy as np
import threadpoolctl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_vs_sklearn as bvs  # noqa: E402  (the same problem builders)

import fastreg  # noqa: E402
from fastreg import _parallel  # noqa: E402
from fastreg.enet.designs import unsigned_csc

ROWS = ("lasso-cv", "lasso-cv: statistics", "lasso-cv: fold fits", "sparse-gradient",
        "sparse-gradient: between sweeps", "sparse-path", "sparse-path: gradient passes",
        "sparse-path: others started", "sparse-path: reading X",
        "sparse-path: a pass after a short idle", "sparse-path: a pass after a long idle",
        "gramstats", "dense-gradient", "ridge-targets", "cores: vectorized in cache",
        "cores: dependent chain")

# The serial work before each timed call of "sparse-gradient: between sweeps":
# about what the sparse path spends in sweeps between two gradient passes.
BETWEEN_SWEEPS_SECONDS = 0.02
# the rows of one pass by the idle before it: libgomp's threads wait actively
# for about 300000 spins (a few milliseconds) before they sleep
SHORT_IDLE_SECONDS = 0.002
LONG_IDLE_SECONDS = 0.010


class Threads:
    """BLAS capped at ``n`` threads and fastreg's budget ``n``, within a context."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self._blas = threadpoolctl.threadpool_limits(limits=self.n, user_api="blas")
        self._budget = _parallel.budget(self.n)
        self._budget.__enter__()
        return self

    def __exit__(self, *exc):
        self._budget.__exit__(*exc)
        self._blas.restore_original_limits()
        return False


def _cpu_busy(interval=0.5):
    """Fraction of all cores busy over ``interval`` seconds (Linux ``/proc/stat``), or 0."""
    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total
    try:
        idle0, total0 = sample()
        time.sleep(interval)
        idle1, total1 = sample()
    except OSError:
        return 0.0
    return 1.0 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_idle(max_wait, busy=0.1):
    """Wait (at most ``max_wait`` s) until other processes leave the cores idle: a
    two-thread run is meaningless while another process holds one of two cores."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        if _cpu_busy() < busy:
            return True
    return False


def timed(fn, before=None, collect=True):
    if collect:
        gc.collect()
    gc.disable()
    try:
        if before is not None:
            before()  # untimed
        start = time.perf_counter()
        seconds = fn()
        elapsed = time.perf_counter() - start
        # (a call that times its own part returns those seconds)
        return seconds if isinstance(seconds, float) else elapsed
    finally:
        gc.enable()


def _seconds_at_passes(X, y, timed, idle=None):
    """Run ``lasso_path(X, y)`` (sparse X) with ``timed(original, args)`` in place of
    each full-gradient pass; the sum of the seconds it returns.

    ``idle=(low, high)``: instead, the mean seconds of the passes that came
    ``low`` to ``high`` seconds after the previous pass ended (the serial
    sweeps between them, during which the other cores sat idle).
    """
    spent, idles, last_end = [], [], [None]
    original = _parallel.csc_gradient

    def hooked(*args):
        start = time.perf_counter()
        out, seconds = timed(original, args)
        spent.append(seconds)
        idles.append(np.inf if last_end[0] is None else start - last_end[0])
        last_end[0] = time.perf_counter()
        return out

    _parallel.csc_gradient = hooked
    try:
        fastreg.lasso_path(X, y, alphas=100)
    finally:
        _parallel.csc_gradient = original
    if idle is None:
        return float(sum(spent))
    low, high = idle
    chosen = [t for t, before in zip(spent, idles) if low <= before < high]
    return float(np.mean(chosen)) if chosen else float("nan")


def gradient_seconds_in_path(X, y, start_others=False, idle=None):
    """Seconds ``lasso_path(X, y)`` (sparse X) spends in its full-gradient passes.

    The passes as the path makes them: between two of them the path's own
    sweeps run on the calling thread, and the second core waits idle.
    ``start_others``: before each pass, untimed, a parallel region on the
    pass's threads reads the residual on every thread, so the idle cores are
    running and hold the residual when the timed pass begins: what the passes
    would scale to if starting the other cores cost nothing, the ceiling of
    any scheduling inside the pass. ``idle``: as :func:`_seconds_at_passes`.
    """
    def timed(original, args):
        if start_others:
            n_threads = _parallel.gradient_threads(args[0].shape[0])
            with _parallel.numba_threads(n_threads):
                _read_on_each_thread(args[3], n_threads)
        start = time.perf_counter()
        out = original(*args)
        return out, time.perf_counter() - start

    return _seconds_at_passes(X, y, timed, idle)


@numba.njit(parallel=True, nogil=True)
def _read_on_each_thread(r, n_threads):
    """Each of ``n_threads`` threads reads ``r`` in order (one element a cache line)."""
    parts = np.zeros(n_threads)
    for t in numba.prange(n_threads):
        total = 0.0
        for i in range(0, r.shape[0], 8):
            total += r[i]
        parts[t] = total
    return parts.sum()


@numba.njit(parallel=True, nogil=True)
def _read_arrays(data, indices, n_threads):
    """Read ``data`` and ``indices`` in ``n_threads`` contiguous parts at the memory's pace.

    Eight independent sums of ``data`` (and an integer sum of ``indices``,
    which the compiler vectorizes): one running sum would make the read a
    chain of dependent additions, paced by the adder's latency (about 0.8 ns
    an entry here) and not by the memory.
    """
    parts = np.zeros(n_threads)
    n = data.shape[0]
    for t in numba.prange(n_threads):
        sums = np.zeros(8)
        count = 0
        stop = (t + 1) * n // n_threads
        i = t * n // n_threads
        while i + 8 <= stop:
            for k in range(8):
                sums[k] += data[i + k]
                count += indices[i + k]
            i += 8
        for q in range(i, stop):
            sums[0] += data[q]
            count += indices[q]
        parts[t] = sums.sum() + count
    return parts.sum()


def read_seconds_in_path(X, y):
    """Seconds of a plain read of X's arrays where ``lasso_path(X, y)`` makes its passes.

    Before each gradient pass of the path, the arrays that pass reads are
    summed (on the thread budget's threads) and timed; the pass then runs
    as usual: what a plain read of the pass's bytes gains there from a second thread.
    """
    def timed(original, args):
        data, indices = args[0], args[1]
        n_threads = _parallel.gradient_threads(data.shape[0])
        with _parallel.numba_threads(n_threads):
            start = time.perf_counter()
            _read_arrays(data, indices, n_threads)
            seconds = time.perf_counter() - start
        return original(*args), seconds

    return _seconds_at_passes(X, y, timed)


def measure(make_call, reps, stat=np.median, idle_wait=0.0, before=None, collect=True):
    """Times of ``make_call(T)()`` for T = 1 and 2 (``stat`` of the repetitions),
    alternating order; before each pair of runs, wait up to ``idle_wait`` s for
    idle cores; ``before()`` runs untimed right before each timed call."""
    calls = {n: make_call(n) for n in (1, 2)}
    for n in (1, 2):
        with Threads(n):
            calls[n]()  # warm-up
    times = {1: [], 2: []}
    for rep in range(reps):
        if idle_wait:
            wait_idle(idle_wait)
        for n in ((1, 2) if rep % 2 == 0 else (2, 1)):
            with Threads(n):
                times[n].append(timed(calls[n], before, collect))
    return float(stat(times[1])), float(stat(times[2]))


def busy(seconds):
    """Keep the calling thread busy for ``seconds`` (as a path's serial sweeps do)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def amdahl(t1, t2, cap=None):
    speedup = t1 / t2
    serial = float(np.clip(2.0 / speedup - 1.0, 0.0, 1.0))

    def on(p):
        p = p if cap is None else min(p, cap)
        return 1.0 / (serial + (1.0 - serial) / p)

    return speedup, serial, on(8), on(32)


@numba.njit(parallel=True, fastmath=True)
def _in_cache_sums(a, reps, out):
    """Sum each row of ``a`` (in L1) ``reps`` times; one row per ``prange`` iteration."""
    for t in numba.prange(out.shape[0]):
        total = 0.0
        for _ in range(reps):
            for i in range(a.shape[1]):
                total += a[t, i] * 1.0000001
        out[t] = total


@numba.njit(parallel=True)
def _dependent_chains(length, out):
    """A chain of ``length`` dependent multiply-adds per ``prange`` iteration."""
    for t in numba.prange(out.shape[0]):
        x = 1.0 + t
        for _ in range(length):
            x = x * 0.9999999 + 1e-9
        out[t] = x


def core_ceiling(kind, n_threads):
    """Two equal halves of compute-only work on ``n_threads`` Numba threads."""
    out = np.empty(2)
    with _parallel.numba_threads(n_threads):
        if kind == "vectorized":
            _in_cache_sums(_CACHE_ROWS, 400_000, out)
        else:
            _dependent_chains(50_000_000, out)
    return out


_CACHE_ROWS = np.random.default_rng(5).random((2, 2048))


def problems(quick):
    dense_shape = (4000, 200) if quick else (20000, 500)
    sparse_shape = (10000, 30000) if quick else (20000, 50000)
    X, y = bvs.build(bvs.Spec("threads", "dense", *dense_shape, seed_offset=5), 0)
    Xs, ys = bvs.build(bvs.Spec("sparse", "sparse", *sparse_shape, n_nonzero=500,
                                density=1e-3, seed_offset=4), 0)
    return X, y, Xs, ys


def rows(args):
    X, y, Xs, ys = problems(args.quick)
    cv = 10
    folds = fastreg.folds.kfold_ids(X.shape[0], cv)
    stats = fastreg.GramStats.from_folds(X, y, folds)
    r = np.random.default_rng(1).standard_normal(Xs.shape[0])
    csc = (Xs.data, *unsigned_csc(Xs), r)  # as CscProblem passes X
    rd = np.random.default_rng(2).standard_normal(X.shape[0])
    Y = X[:, :200] @ np.random.default_rng(3).standard_normal((200, 200)) \
        + np.random.default_rng(4).standard_normal((X.shape[0], 200))
    makers = {
        "lasso-cv": lambda n: lambda: fastreg.lasso_cv(X, y, cv=cv, alphas=100, n_jobs=n),
        "lasso-cv: statistics": lambda n: lambda: fastreg.GramStats.from_folds(X, y, folds),
        "lasso-cv: fold fits": lambda n: lambda: fastreg.lasso_cv_from_stats(
            stats, alphas=100, n_jobs=n),
        "sparse-gradient": lambda n: lambda: _parallel.csc_gradient(*csc),
        "sparse-gradient: between sweeps": lambda n: lambda: _parallel.csc_gradient(*csc),
        "sparse-path": lambda n: lambda: fastreg.lasso_path(Xs, ys, alphas=100),
        "sparse-path: gradient passes": lambda n: lambda: gradient_seconds_in_path(Xs, ys),
        "sparse-path: others started": lambda n: lambda: gradient_seconds_in_path(
            Xs, ys, start_others=True),
        "sparse-path: reading X": lambda n: lambda: read_seconds_in_path(Xs, ys),
        "sparse-path: a pass after a short idle": lambda n: lambda: gradient_seconds_in_path(
            Xs, ys, idle=(0.0, SHORT_IDLE_SECONDS)),
        "sparse-path: a pass after a long idle": lambda n: lambda: gradient_seconds_in_path(
            Xs, ys, idle=(LONG_IDLE_SECONDS, np.inf)),
        "gramstats": lambda n: lambda: fastreg.GramStats.from_arrays(X, y),
        "dense-gradient": lambda n: lambda: X.T @ rd,
        "ridge-targets": lambda n: lambda: fastreg.ridge_regression(X, Y, 10.0),
        "cores: vectorized in cache": lambda n: lambda: core_ceiling("vectorized", n),
        "cores: dependent chain": lambda n: lambda: core_ceiling("chain", n),
    }
    shapes = {"lasso-cv": X.shape, "lasso-cv: statistics": X.shape,
              "lasso-cv: fold fits": X.shape, "gramstats": X.shape,
              "dense-gradient": X.shape, "ridge-targets": X.shape,
              "sparse-gradient": Xs.shape, "sparse-gradient: between sweeps": Xs.shape,
              "sparse-path": Xs.shape, "sparse-path: gradient passes": Xs.shape,
              "sparse-path: others started": Xs.shape, "sparse-path: reading X": Xs.shape,
              "sparse-path: a pass after a short idle": Xs.shape,
              "sparse-path: a pass after a long idle": Xs.shape,
              "cores: vectorized in cache": (2, 2048), "cores: dependent chain": (2, 1)}
    out = []
    for name in args.rows:
        reps = args.reps
        if name.startswith("sparse-path"):
            reps = max(1, min(reps, args.path_reps))
        elif "gradient" in name:
            reps = 10 * reps  # milliseconds: more repetitions for a steady median
        before = ((lambda: busy(args.between)) if name.endswith("between sweeps")
                  else None)
        t1, t2 = measure(makers[name], reps, stat=getattr(np, args.stat),
                         idle_wait=args.idle_wait, before=before, collect=args.collect)
        cap = cv if name == "lasso-cv: fold fits" else None
        out.append((name, "{} x {}".format(*shapes[name]), t1, t2) + amdahl(t1, t2, cap))
        print(f"{name:22s} t1 {t1:.4g} s  t2 {t2:.4g} s  speedup {t1 / t2:.2f}",
              flush=True)
    return out


LATENCY_CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    from scipy import sparse
    rng = np.random.default_rng(0)
    X = sparse.random(3000, 2000, density=0.05, format="csc", rng=rng,
                      data_rvs=rng.standard_normal)
    y = np.asarray(X[:, :10].sum(axis=1)).ravel() + rng.standard_normal(3000)
    import fastreg
    from fastreg import _parallel
    n = int(sys.argv[1])
    start = time.perf_counter()
    with _parallel.budget(n):
        fastreg.lasso_path(X, y, alphas=5)
    print(time.perf_counter() - start)
""")


def latency(reps):
    """First-call seconds in fresh processes (warm cache), serial and threaded kernel."""
    env = dict(os.environ)
    result = {}
    for n in (1, 2):
        subprocess.run([sys.executable, "-c", LATENCY_CHILD, str(n)], check=True, env=env,
                       capture_output=True)  # populates the cache
        runs = [float(subprocess.run([sys.executable, "-c", LATENCY_CHILD, str(n)],
                                     check=True, env=env, capture_output=True,
                                     text=True).stdout.split()[-1])
                for _ in range(reps)]
        result[n] = float(np.median(runs))
    return result


def table(results, lat, args):
    lines = [
        "| work | shape | 1 thread (s) | 2 threads (s) | speedup | serial fraction "
        "| expected 8 cores | expected 32 cores |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, shape, t1, t2, speedup, serial, s8, s32 in results:
        lines.append(f"| {name} | {shape} | {t1:.4g} | {t2:.4g} | {speedup:.2f}x | "
                     f"{serial:.2f} | {s8:.1f}x | {s32:.1f}x |")
    lines.append("")
    try:
        layer = numba.threading_layer()
    except ValueError:  # no threaded kernel ran
        layer = "no"
    lines.append(f"{args.stat.capitalize()}s of {args.reps} repetitions (x10 for the gradients, "
                 f"{min(args.reps, args.path_reps)} for the sparse path); "
                 f"{os.cpu_count()} cores, Numba {numba.__version__} "
                 f"({layer} threading layer), NumPy {np.__version__}.")
    for pool in threadpoolctl.threadpool_info():
        if pool["user_api"] == "blas":
            lines.append(f"BLAS: {pool['internal_api']} {pool.get('version', '')} "
                         f"({pool['filepath'].split('/')[-1]}).")
    if lat:
        lines.append(f"First sparse lasso_path call in a fresh process, warm cache "
                     f"(3000 x 2000 CSC, 300k entries): {lat[1]:.3f} s with the serial "
                     f"gradient, {lat[2]:.3f} s with the threaded one.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small problems, 3 reps")
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 5)")
    parser.add_argument("--path-reps", type=int, default=3,
                        help="repetitions of the whole sparse path (default 3)")
    parser.add_argument("--rows", default=",".join(ROWS),
                        help="comma-separated subset of: " + ", ".join(ROWS))
    parser.add_argument("--no-latency", dest="latency", action="store_false")
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="statistic of the repetitions (min on a shared machine)")
    parser.add_argument("--idle-wait", type=float, default=0.0,
                        help="before each repetition wait up to this many seconds for "
                             "the cores to be idle (shared machines)")
    parser.add_argument("--between", type=float, default=BETWEEN_SWEEPS_SECONDS,
                        help="seconds of serial work before each timed call of "
                             "'sparse-gradient: between sweeps' (default "
                             f"{BETWEEN_SWEEPS_SECONDS})")
    parser.add_argument("--no-collect", dest="collect", action="store_false",
                        help="no gc.collect() before each timed call (a collection "
                             "walks every Python object and leaves the caches cold)")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    args.reps = args.reps or (3 if args.quick else 5)
    args.rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = set(args.rows) - set(ROWS)
    if unknown:
        parser.error(f"unknown rows: {sorted(unknown)}")
    if min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1) < 2:
        parser.error("needs at least 2 cores (and NUMBA_NUM_THREADS >= 2)")
    print(f"load average: {os.getloadavg()}", flush=True)
    results = rows(args)
    lat = latency(3 if args.quick else 5) if args.latency else None
    text = table(results, lat, args)
    print()
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")


if __name__ == "__main__":
    main()
