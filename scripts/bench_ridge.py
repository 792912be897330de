"""Ridge benchmark for the README: fastreg's ridge against its BLAS floor.

The floor of ``ridge_path`` / ``ridge_cv`` on tall data is one ``X.T @ X``
(NumPy's SYRK) on the same array; on wide data it is one ``X @ X.T``. Every
timing is the best of ``--repeats`` runs, interleaved (floor, path, cv, floor,
path, ...) so that load from other processes hits all of them alike; the
ratios are computed within the run. On tall data the row "bound of exact LOO"
times the floor followed by ``X @ V`` for a dense p x p ``V``: exact leverages
need the rows of X in the eigenbasis, so no exact leave-one-out can cost less.

Memory: ``ridge_path`` on a ``numpy.memmap`` much larger than one block runs
in a child process that samples its anonymous resident memory (``RssAnon``,
i.e. excluding the page cache of the mapped file) and NumPy's traced
allocations.

Usage (timings only with these variables unset, as recorded in the README)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python scripts/bench_ridge.py [--full]

``--full`` uses the 200000 x 1000 problem of the original measurement
(default 100000 x 1000); ``--sklearn`` adds scikit-learn's ``RidgeCV`` on the
same data (slow: one n x p x p product per alpha); ``--sklearn-loop`` times,
once, what a scikit-learn user writes for a path: a loop of
``Ridge(alpha=a).fit(X, y)`` over the 50 alphas (tall problem, one target), next
to ``ridge_path(fit_intercept=True)`` and the floor.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import fastreg

N_ALPHAS = 50


def blas_info():
    """One line per BLAS/OpenMP library: name, version, threads, architecture."""
    rows = []
    for lib in threadpool_info():
        rows.append(f"{lib['internal_api']} {lib.get('version')} "
                    f"threads={lib['num_threads']} arch={lib.get('architecture')} "
                    f"({os.path.basename(lib['filepath'])})")
    return rows


def best_times(functions, repeats):
    """Best wall time of each function over interleaved repeats (plus medians)."""
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, func in functions.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: (min(ts), float(np.median(ts))) for name, ts in times.items()}


def make_problem(n, p, n_targets, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = X[:, :20] @ rng.standard_normal((20, n_targets)) + rng.standard_normal((n, n_targets))
    return X, (Y[:, 0] if n_targets == 1 else Y)


def loo_bound(X, block_rows=4096):
    """``X.T @ X``, then ``X @ V`` in row blocks into one buffer (as ``ridge_cv`` does)."""
    # any dense p x p matrix costs what the eigenvectors V cost in X @ V
    V = np.linalg.qr(np.random.default_rng(1).standard_normal((X.shape[1], X.shape[1])))[0]
    buffer = np.empty((block_rows, X.shape[1]))

    def run():
        X.T @ X
        for start in range(0, X.shape[0], block_rows):
            stop = min(start + block_rows, X.shape[0])
            np.matmul(X[start:stop], V, out=buffer[:stop - start])

    return run


def tall_functions(X, y, alphas):
    return {
        "floor: X.T @ X": lambda: X.T @ X,
        "bound of exact LOO: X.T @ X, then X @ V": loo_bound(X),
        "ridge_path": lambda: fastreg.ridge_path(X, y, alphas),
        "ridge_path(fit_intercept=True)": lambda: fastreg.ridge_path(X, y, alphas,
                                                                     fit_intercept=True),
        "ridge_cv (exact LOO)": lambda: fastreg.ridge_cv(X, y, alphas),
        "ridge_cv (GCV)": lambda: fastreg.ridge_cv(X, y, alphas, criterion="gcv"),
    }


def wide_functions(X, y, alphas):
    return {
        "floor: X @ X.T": lambda: X @ X.T,
        "ridge_path": lambda: fastreg.ridge_path(X, y, alphas),
        "ridge_path(fit_intercept=True)": lambda: fastreg.ridge_path(X, y, alphas,
                                                                     fit_intercept=True),
        "ridge_cv (exact LOO)": lambda: fastreg.ridge_cv(X, y, alphas),
        "ridge_cv (GCV)": lambda: fastreg.ridge_cv(X, y, alphas, criterion="gcv"),
    }


def sklearn_functions(X, y, alphas):
    from sklearn.linear_model import RidgeCV

    return {"sklearn RidgeCV (LOO)": lambda: RidgeCV(alphas=alphas).fit(X, y)}


def sklearn_loop_rows(shape, repeats):
    """One timed loop of ``Ridge(alpha).fit`` over the grid against ``ridge_path``."""
    from sklearn.linear_model import Ridge

    X, y = make_problem(*shape, 1)
    alphas = np.logspace(-3, 3, N_ALPHAS)
    fastreg.ridge_path(X[:200], y[:200], alphas[:2], fit_intercept=True)  # warm-up
    times = best_times({
        "floor: X.T @ X": lambda: X.T @ X,
        "ridge_path(fit_intercept=True)": lambda: fastreg.ridge_path(X, y, alphas,
                                                                     fit_intercept=True),
    }, repeats)
    start = time.perf_counter()
    coefs = np.array([Ridge(alpha=a).fit(X, y).coef_ for a in alphas])
    loop = time.perf_counter() - start
    ours = fastreg.ridge_path(X, y, alphas, fit_intercept=True)
    diff = np.max(np.abs(ours - coefs)) / np.max(np.abs(coefs))
    floor, path = times["floor: X.T @ X"][0], times["ridge_path(fit_intercept=True)"][0]
    return [
        f"| {shape[0]} x {shape[1]} | 1 | floor: X.T @ X | {floor:.3f} | - | 1.00 |",
        f"| {shape[0]} x {shape[1]} | 1 | ridge_path(fit_intercept=True) | {path:.3f} | - | "
        f"{path / floor:.2f} |",
        f"| {shape[0]} x {shape[1]} | 1 | sklearn: Ridge(alpha).fit for each of the "
        f"{N_ALPHAS} alphas (run once) | {loop:.2f} | - | {loop / floor:.1f} |",
        "",
        f"ridge_path is {loop / path:.1f}x faster than the scikit-learn loop; largest "
        f"coefficient difference / largest coefficient: {diff:.1e}.",
    ]


def timing_table(shape, n_targets, builder, repeats, with_sklearn):
    X, y = make_problem(*shape, n_targets)
    alphas = np.logspace(-3, 3, N_ALPHAS)
    functions = builder(X, y, alphas)
    if with_sklearn:
        functions.update(sklearn_functions(X, y, alphas))
    fastreg.ridge_cv(X[:200], y[:200], alphas[:2])  # warm-up (imports, first calls)
    times = best_times(functions, repeats)
    floor = next(iter(times.values()))[0]
    rows = []
    for name, (best, median) in times.items():
        rows.append(f"| {shape[0]} x {shape[1]} | {n_targets} | {name} | {best:.3f} | "
                    f"{median:.3f} | {best / floor:.2f} |")
    return rows


MEMORY_CHILD = r"""
import sys, threading, time, tracemalloc, json
import numpy as np
import fastreg

def rss_anon():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0

path, block = sys.argv[1], int(sys.argv[2])
X = np.load(path, mmap_mode="r")
n, p = X.shape
y = np.random.default_rng(1).standard_normal(n)
alphas = np.logspace(-3, 3, 50)
fastreg.ridge_path(np.asarray(X[:300]), y[:300], alphas[:2])  # warm-up
base = rss_anon()
peak = [base]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_anon())
        time.sleep(0.002)
thread = threading.Thread(target=sample)
thread.start()
tracemalloc.start()
start = time.perf_counter()
fastreg.ridge_path(X, y, alphas, fit_intercept=True, block_size=block)
elapsed = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1]
done.set(); thread.join()
peak[0] = max(peak[0], rss_anon())
print(json.dumps({"rss_anon_peak_delta": peak[0] - base, "traced_peak": traced,
                  "seconds": elapsed}))
"""


def memory_table(shape, block_rows):
    """Peak extra memory of ridge_path on a memmapped X (child process)."""
    import json

    n, p = shape
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npy")
        mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, p))
        rng = np.random.default_rng(0)
        for start in range(0, n, 10000):
            stop = min(start + 10000, n)
            mm[start:stop] = rng.standard_normal((stop - start, p))
        mm.flush()
        del mm
        out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, path, str(block_rows)],
                             capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    mib = 1024.0**2
    return [
        f"| memmapped X ({n} x {p} float64) | {n * p * 8 / mib:.0f} MiB |",
        f"| block ({block_rows} rows) | {block_rows * p * 8 / mib:.1f} MiB |",
        f"| p^2 Gram (float64) | {p * p * 8 / mib:.1f} MiB |",
        f"| peak anonymous memory added during ridge_path (RssAnon) | "
        f"{result['rss_anon_peak_delta'] / mib:.1f} MiB |",
        f"| peak NumPy allocations (tracemalloc) | {result['traced_peak'] / mib:.1f} MiB |",
        f"| time (50 alphas, fit_intercept=True) | {result['seconds']:.2f} s |",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="200000 x 1000 tall problem")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sklearn", action="store_true", help="also time sklearn RidgeCV")
    parser.add_argument("--sklearn-loop", action="store_true",
                        help="only time a loop of sklearn Ridge fits against ridge_path "
                             "(tall problem, one target; slow)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--targets", type=int, nargs="+", default=[1, 10],
                        help="numbers of targets to time (default: 1 10)")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for every library (default: as installed)")
    args = parser.parse_args()
    if args.threads is not None:
        with threadpool_limits(args.threads):
            run(args)
    else:
        run(args)


def run(args):
    """Print the timing tables (and the memory table) for parsed arguments."""
    tall = (200000, 1000) if args.full else (100000, 1000)
    wide = (500, 20000)
    print("fastreg", fastreg.__version__, "| numpy", np.__version__, "| cores", os.cpu_count())
    for line in blas_info():
        print("BLAS:", line)
    print(f"\n{N_ALPHAS} alphas; best of {args.repeats} interleaved runs; "
          "ratio = best time / best floor time in the same run.\n")
    print("| X shape | targets | what | best (s) | median (s) | ratio to floor |")
    print("|---|---|---|---|---|---|")
    if args.sklearn_loop:
        for row in sklearn_loop_rows(tall, args.repeats):
            print(row, flush=True)
        return
    for n_targets in args.targets:
        for row in timing_table(tall, n_targets, tall_functions, args.repeats, args.sklearn):
            print(row, flush=True)
    for n_targets in args.targets:
        for row in timing_table(wide, n_targets, wide_functions, args.repeats, args.sklearn):
            print(row, flush=True)
    if not args.skip_memory:
        print("\n| memory (ridge_path on a memmap) | |")
        print("|---|---|")
        for row in memory_table(tall, block_rows=4096):
            print(row, flush=True)


if __name__ == "__main__":
    main()
