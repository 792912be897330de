"""When the two threads of a sparse gradient pass start and end, inside the path.

Usage
-----
From the repository root, on a quiet machine::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python scripts/thread_starts.py
    ... scripts/thread_starts.py --paths 5

What is measured
----------------
``fastreg.lasso_path`` on the sparse problem of ``scripts/bench_threads.py``
(CSC 20000 x 50000, density 1e-3, 100 alphas) is run with its full-gradient
passes replaced, in turn:

* by fastreg's serial pass (the one-thread time of each pass), and
* by a two-thread pass with the same arithmetic as fastreg's threaded one
  (each column summed by one thread over its entries in order; the columns in
  two halves, as Numba's static schedule cuts them) that also reads the
  processor's time-stamp counter when the call enters the kernel and when
  each thread begins and ends its half.

The passes are grouped by the time since the previous pass ended (the
serial sweeps in between, during which the second core has nothing to do):
under ``SHORT_IDLE_SECONDS`` the other thread is still spinning in OpenMP's
wait; over ``LONG_IDLE_SECONDS`` it sleeps and must be woken. For each group
the table gives the medians of the one-thread pass and of the two-thread
pass's events (milliseconds after the call), and two bounds on the group's
speedup that follow from when the threads start: ``static`` (each thread has
half the work, so the pass ends at the worker's start plus half the
one-thread time) and ``shared`` (the work shared perfectly from the moment
each thread starts: the two start delays plus the one-thread time, halved).
The last row sums every pass of the paths (the measure of
``bench_threads.py``'s ``sparse-path: gradient passes``), its bounds each
group's bound applied to that group's one-thread time.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import llvmlite.ir as lir
import numba
import numpy as np
from numba.core import cgutils
from numba.extending import intrinsic

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_threads  # the same problem, the same idle classes

import fastreg
from fastreg import _parallel
from fastreg._kernels import cd_naive


@intrinsic
def _cycles(typingctx):
    """The time-stamp counter (``llvm.readcyclecounter``), constant-rate on x86-64."""
    def codegen(context, builder, signature, args):
        function = cgutils.get_or_insert_function(
            builder.module, lir.FunctionType(lir.IntType(64), []), "llvm.readcyclecounter")
        return builder.call(function, [])
    return numba.types.int64(), codegen


@numba.njit
def _now():
    return _cycles()


@numba.njit(parallel=True, nogil=True, error_model="numpy")
def _timed_halves(data, indices, indptr, r, out, stamps):
    """``out = X^T r`` in two halves of the columns; ``stamps``: entry, then begin and
    end of each thread (by Numba's thread id: 0 is the calling thread)."""
    stamps[0] = _cycles()
    n = out.shape[0]
    for half in numba.prange(2):
        thread = numba.get_thread_id()
        stamps[1 + 2 * thread] = _cycles()
        for j in range(half * n // 2, (half + 1) * n // 2):
            dot = 0.0
            for q in range(indptr[j], indptr[j + 1]):
                dot += data[q] * r[indices[q]]
            out[j] = dot
        stamps[2 + 2 * thread] = _cycles()


def _cycles_per_second():
    start, clock = _now(), time.perf_counter()
    time.sleep(0.1)
    return (_now() - start) / (time.perf_counter() - clock)


def passes(X, y, pass_fn, n_paths):
    """``(idle seconds before, row)`` of every pass of ``n_paths`` paths, each
    row what ``pass_fn(data, indices, indptr, r)`` returns beside its output."""
    found = []
    last_end = [None]
    original = _parallel.csc_gradient

    def hooked(data, indices, indptr, r):
        start = time.perf_counter()
        out, row = pass_fn(data, indices, indptr, r)
        found.append((np.inf if last_end[0] is None else start - last_end[0], row))
        last_end[0] = time.perf_counter()
        return out

    _parallel.csc_gradient = hooked
    try:
        with _parallel.budget(2):
            for _ in range(n_paths):
                last_end[0] = None
                fastreg.lasso_path(X, y, alphas=100)
    finally:
        _parallel.csc_gradient = original
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths", type=int, default=3, help="paths of each kind (default 3)")
    args = parser.parse_args(argv)
    if min(numba.config.NUMBA_NUM_THREADS, len(os.sched_getaffinity(0))) < 2:
        parser.error("needs at least 2 cores (and NUMBA_NUM_THREADS >= 2)")
    _, _, X, y = bench_threads.problems(False)
    hz = _cycles_per_second()
    stamps = np.zeros(5, dtype=np.int64)

    def serial(data, indices, indptr, r):
        out = np.empty(indptr.shape[0] - 1)
        start = time.perf_counter()
        cd_naive.csc_gradient(data, indices, indptr, r, out)
        return out, [(time.perf_counter() - start) * 1e3]

    def two_threads(data, indices, indptr, r):
        out = np.empty(indptr.shape[0] - 1)
        with _parallel.numba_threads(2):
            called = _now()
            _timed_halves(data, indices, indptr, r, out, stamps)
            returned = _now()
        events = np.append(stamps, returned) - called
        return out, list(events / hz * 1e3)

    passes(X, y, two_threads, 1)  # compiles, warms up
    one = passes(X, y, serial, args.paths)
    two = passes(X, y, two_threads, args.paths)
    print("| idle before the pass | passes | 1 thread (ms) | 2 threads (ms) | calling thread "
          "begins - ends | other thread begins - ends | speedup | bound: static | "
          "bound: shared |")
    print("|---|---|---|---|---|---|---|---|---|")
    short, long = bench_threads.SHORT_IDLE_SECONDS, bench_threads.LONG_IDLE_SECONDS
    groups = ((f"under {short * 1e3:.0f} ms", 0.0, short),
              (f"{short * 1e3:.0f} to {long * 1e3:.0f} ms", short, long),
              (f"over {long * 1e3:.0f} ms", long, np.inf))
    sums = np.zeros(5)  # one thread, two threads, the two bounds' times, passes
    for label, low, high in groups:
        serial_times = [row[0] for idle, row in one if low <= idle < high]
        t1 = np.median(serial_times)
        rows = np.array([row for idle, row in two if low <= idle < high])
        _, main_begin, main_end, other_begin, other_end, total = np.median(rows, axis=0)
        static = t1 / (max(main_begin, other_begin) + t1 / 2)
        shared = t1 / ((main_begin + other_begin + t1) / 2)
        print(f"| {label} | {len(rows)} | {t1:.3f} | {total:.3f} | {main_begin:.3f} - "
              f"{main_end:.3f} | {other_begin:.3f} - {other_end:.3f} | {t1 / total:.2f}x | "
              f"{static:.2f}x | {shared:.2f}x |")
        one_sum = np.sum(serial_times)
        sums += (one_sum, rows[:, -1].sum(), one_sum / static, one_sum / shared, len(rows))
    print(f"| every pass (sums of the times) | {sums[4]:.0f} | {sums[0]:.1f} | {sums[1]:.1f} | "
          f"| | {sums[0] / sums[1]:.2f}x | {sums[0] / sums[2]:.2f}x | {sums[0] / sums[3]:.2f}x |")
    print(f"\nMedians over {args.paths} paths of each kind; Numba {numba.__version__} "
          f"({numba.threading_layer()} threading layer).")


if __name__ == "__main__":
    main()
