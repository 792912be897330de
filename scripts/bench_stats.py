"""Scale-out benchmark: cross-validation from statistics, memmaps and Dask.

Usage
-----
Run from the repository root with the two slow OpenBLAS variables unset (for
the benchmark only)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/venv/bin/python \\
        scripts/bench_stats.py --markdown stats.md     # everything, full size
    ... scripts/bench_stats.py --cv                    # only the CV comparison
    ... scripts/bench_stats.py --memmap --dask --rows 200000   # small smoke run

Sections (all three when none is named): ``--cv``, ``--memmap``, ``--dask``.
Options: ``--reps`` (timed repetitions, best reported, default 3), ``--threads``
(BLAS threads in this process and in the memmap subprocesses, default 1),
``--rows`` / ``--features`` (memmap shape, default 2,000,000 x 500 = 8 GB),
``--dir`` (where the memmap is written, default the system temp dir; the file
is deleted at the end), ``--cold`` (drop the file's pages from the page cache
before every memmap run, so both read from disk), ``--dask-chunk-rows`` (rows
per Dask chunk, default 16384, i.e. 64 MB), ``--seed``, ``--markdown FILE``
(also write the table there), ``--no-git`` (do not call git to record the
commit).

What is measured
----------------
``--cv``: 10-fold cross-validated lasso on dense 20000 x 500 data, rows
N(0, Sigma) with ``Sigma_ij = 0.5^|i-j|``, ``y = X w* + noise`` (50 standard
normal nonzeros in ``w*``, SNR 3). ``fastreg.lasso_cv`` against scikit-learn's
``LassoCV`` with identical arguments: the same explicit grid of 100 alphas
(scikit-learn's ``_alpha_grid`` with ``fit_intercept=True, eps=1e-3``, computed
once and passed to both), the same splitter object ``KFold(10)`` (no
shuffling), ``tol=1e-4``, ``max_iter=1000``, ``fit_intercept=True``,
``precompute='auto'`` and every other argument at its default; both refit on
all data at the chosen alpha. fastreg builds every fold's statistics in one
blocked pass over X (``GramStats.from_folds``); scikit-learn slices the
training rows and computes a Gram matrix per fold. Both libraries get an
untimed warm-up call on a small problem (which also compiles fastreg's
kernels) and one on the problem itself; timed calls alternate between the
libraries. Reported: best (and median) time of each, the speedup, the alpha
each chose and the mean CV error at both choices, the largest coefficient
difference of the refits and the largest relative difference of the two
``mse_path`` arrays. Two more rows: the one-pass fold statistics alone and
the ``X.T @ X`` floor on the same array.

``--memmap``: a C-ordered float64 file of ``--rows`` x ``--features`` standard
normal entries (and y from a sparse ``w*`` at SNR 3, as above) is written in
blocks to ``--dir`` after a free-space check. Each measurement runs in a fresh
subprocess that opens ``np.memmap(path, mode='r')`` and times either
``GramStats.from_arrays(X, y)`` or the floor ``X.T @ X`` (one BLAS call on the
mapping), with BLAS at ``--threads``. The two alternate ``--reps`` times after
one untimed sequential read of the file, so both read X from the page cache
(with ``--cold`` each run first evicts the file's pages with
``posix_fadvise(DONTNEED)``, so both read from disk). Each subprocess reports
its peak resident set (``VmHWM`` of ``/proc/self/status``, the kernel's
high-water mark, which counts file pages mapped into the process) and the
peak anonymous memory (``RssAnon`` sampled every 5 ms), both also as growth
over the value just before the call. (``getrusage().ru_maxrss`` is not used:
across ``exec`` Linux carries the parent's peak into it, so a child of a
large parent would report the parent's memory.) fastreg releases the
pages of every block after use, the floor maps the whole file. The two
results are compared (``gram(center=False)`` against ``X.T @ X``).

``--dask``: the same file through ``GramStats.from_dask`` on a
``LocalCluster`` of 2 worker processes with 1 thread each (loopback only, no
dashboard; Dask's nanny sets the workers' BLAS to 1 thread). X is a Dask
array built with ``da.from_delayed``: each chunk is a task that reads its own
row range of the file inside the worker, so no rows of X pass through this
process or the scheduler; y is read the same way. The cluster is started and
warmed up (a small ``from_dask``) before timing; best of ``--reps``. Reported:
time, its ratio to the single-threaded floor (the workers use both cores),
the workers' peak resident sets and the largest relative difference from
the ``from_arrays`` statistics.

Targets (issue 4): CV at least 5x faster than ``LassoCV``; memmap statistics
within 1.5x of the floor with a peak resident set of at most 1 GiB; Dask
statistics equal to ``from_arrays`` (relative difference <= 1e-10).
"""

import argparse
import datetime
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy

import numba
import sklearn
import threadpoolctl
from sklearn.linear_model import LassoCV
from sklearn.linear_model._coordinate_descent import _alpha_grid
from sklearn.model_selection import KFold

import fastreg

RHO = 0.5  # Toeplitz correlation of the CV design
SNR = 3.0
N_NONZERO = 50
N_ALPHAS = 100
EPS = 1e-3
TOL = 1e-4
MAX_ITER = 1000
N_FOLDS = 10
CV_SHAPE = (20000, 500)
TARGET_CV_SPEEDUP = 5.0
TARGET_FLOOR_RATIO = 1.5
TARGET_PEAK_RSS = 1024**3
TARGET_DASK_DIFF = 1e-10
SLOW_ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
REPO = Path(__file__).resolve().parents[1]
GIB = 1024.0**3
MIB = 1024.0**2


# --------------------------------------------------------------------------- data


def toeplitz_gaussian(rng, n_samples, n_features, rho):
    """Rows ~ N(0, Sigma) with ``Sigma_ij = rho^|i-j|`` (an AR(1) across features)."""
    X = np.empty((n_samples, n_features), order="F")
    X[:, 0] = rng.standard_normal(n_samples)
    innovation = np.sqrt(1.0 - rho * rho)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + innovation * rng.standard_normal(n_samples)
    return X


def sparse_truth(rng, n_features):
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=min(N_NONZERO, n_features), replace=False)
    w[support] = rng.standard_normal(support.size)
    return w


def add_noise(rng, signal):
    """``signal`` plus Gaussian noise of variance ``Var(signal) / SNR``."""
    return signal + np.std(signal) / np.sqrt(SNR) * rng.standard_normal(signal.shape[0])


# --------------------------------------------------------------------------- timing


def timed(fn):
    """``(seconds, result)`` of one call, the garbage collector held off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, result


def interleaved(functions, reps):
    """Run every function ``reps`` times, alternating the order; times and last results."""
    names = list(functions)
    times = {name: [] for name in names}
    results = {}
    for rep in range(reps):
        for name in (names if rep % 2 == 0 else names[::-1]):
            dt, results[name] = timed(functions[name])
            times[name].append(dt)
    return times, results


def fmt_times(values):
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    what: str
    shape: str
    seconds: float
    reference: str = "-"
    ratio: str = "-"
    memory: str = "-"
    check: str = "-"
    target: str = "-"
    met: object = None  # True / False / None
    notes: list = field(default_factory=list)


COLUMNS = ("benchmark", "shape", "best s", "reference (best s)", "ratio", "peak memory",
           "check", "target", "met")


def table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] * len(COLUMNS)) + "|"]
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "NO")
        cells = (r.what, r.shape, f"{r.seconds:.4g}", r.reference, r.ratio, r.memory,
                 r.check, r.target, met)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision(enabled):
    """Read-only: the checked-out commit and whether tracked files have edits."""
    if not enabled:
        return "not recorded (--no-git)"
    git = ["git", "--no-optional-locks", "-C", str(REPO)]  # never takes the index lock
    try:
        head = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" (uncommitted changes)" if dirty else "")


def versions():
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__}",
             f"scipy {scipy.__version__}", f"numba {numba.__version__}"]
    parts.append(f"scikit-learn {sklearn.__version__}")
    for name in ("dask", "distributed", "threadpoolctl"):
        try:
            module = __import__(name)
            parts.append(f"{name} {module.__version__}")
        except ImportError:
            parts.append(f"{name} not installed")
    return ", ".join(parts)


def header(args):
    lines = [
        "# fastreg scale-out benchmark: statistics, cross-validation, memmap, Dask",
        "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}; CPU: {cpu_model()}; cores: {os.cpu_count()} "
        f"logical, {len(os.sched_getaffinity(0))} usable; memory "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / GIB:.1f} GiB",
        f"- {versions()}",
        f"- fastreg {fastreg.__version__} at {git_revision(not args.no_git)}",
    ]
    for pool in threadpoolctl.threadpool_info():
        lines.append(
            f"- threadpool: {pool['user_api']} {pool['internal_api']} "
            f"{pool.get('version') or ''} ({Path(pool['filepath']).name}"
            f"{', ' + pool['architecture'] if pool.get('architecture') else ''}): "
            f"{pool['num_threads']} thread(s) in this run")
    lines.append(f"- --threads {args.threads}; numba threads {numba.get_num_threads()}; "
                 f"reps {args.reps} (best reported); seed {args.seed}")
    slow = [v for v in SLOW_ENV_VARS if v in os.environ]
    if slow:
        lines.append(f"- WARNING: {', '.join(slow)} set; run under "
                     f"`env -u {' -u '.join(SLOW_ENV_VARS)}` for representative numbers")
    return "\n".join(lines)


# --------------------------------------------------------------------------- --cv


def cv_problem(seed):
    rng = np.random.default_rng(seed)
    X = toeplitz_gaussian(rng, *CV_SHAPE, RHO)
    y = add_noise(rng, X @ sparse_truth(rng, CV_SHAPE[1]))
    return X, y


def bench_cv(args):
    X, y = cv_problem(args.seed)
    n, p = X.shape
    shape = f"{n} x {p}"
    grid = _alpha_grid(X, y, l1_ratio=1.0, fit_intercept=True, eps=EPS, n_alphas=N_ALPHAS)
    folds = KFold(N_FOLDS)
    common = dict(alphas=grid, cv=folds, tol=TOL, max_iter=MAX_ITER, fit_intercept=True)

    def run_fastreg():
        return fastreg.lasso_cv(X, y, **common)

    def run_sklearn():
        return LassoCV(precompute="auto", **common).fit(X, y)

    # Untimed warm-up: compile fastreg's kernels on a small problem, then one call
    # of each library on the problem itself (same first-touch costs for both).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Xs, ys = X[:600, :40], y[:600]
        t_compile, _ = timed(lambda: fastreg.lasso_cv(Xs, ys, cv=KFold(3), alphas=20))
        LassoCV(cv=KFold(3), alphas=20).fit(Xs, ys)
        t_first, _ = timed(run_fastreg)
        t_first_sk, _ = timed(run_sklearn)
        times, out = interleaved({"fastreg": run_fastreg, "sklearn": run_sklearn}, args.reps)
    res, model = out["fastreg"], out["sklearn"]
    if not (np.array_equal(res.alphas, grid) and np.array_equal(model.alphas_, grid)):
        raise RuntimeError("a library did not use the given alphas")
    t_fr, t_sk = min(times["fastreg"]), min(times["sklearn"])
    speedup = t_sk / t_fr

    sk_mean = model.mse_path_.mean(axis=1)
    sk_best = int(np.flatnonzero(grid == model.alpha_)[0])
    fr_best = res.best_index
    coef_diff = float(np.max(np.abs(res.coef - model.coef_)))
    coef_scale = float(np.max(np.abs(model.coef_)))
    mse_diff = float(np.max(np.abs(res.mse_path - model.mse_path_) / model.mse_path_))
    same = "same alpha" if fr_best == sk_best else "DIFFERENT alphas"
    row = Row(f"{N_FOLDS}-fold lasso_cv vs LassoCV(cv={N_FOLDS})", shape, t_fr,
              reference=f"LassoCV {t_sk:.4g}", ratio=f"{speedup:.2f}x faster",
              check=f"{same}; max coef diff {coef_diff:.1e}",
              target=f">= {TARGET_CV_SPEEDUP:g}x", met=speedup >= TARGET_CV_SPEEDUP)
    row.notes += [
        f"times fastreg {fmt_times(times['fastreg'])} (median "
        f"{statistics.median(times['fastreg']):.3g}), sklearn {fmt_times(times['sklearn'])} "
        f"(median {statistics.median(times['sklearn']):.3g})",
        f"untimed: fastreg compile + small problem {t_compile:.3g} s, first call "
        f"{t_first:.3g} s; sklearn first call {t_first_sk:.3g} s",
        f"chosen alpha: fastreg {res.alpha:.6g} (index {fr_best}), sklearn "
        f"{model.alpha_:.6g} (index {sk_best}); mean CV error at fastreg's choice: "
        f"fastreg {res.cv_mean[fr_best]:.6g}, sklearn {sk_mean[fr_best]:.6g}; at "
        f"sklearn's choice: fastreg {res.cv_mean[sk_best]:.6g}, sklearn "
        f"{sk_mean[sk_best]:.6g}",
        f"refit: max |coef diff| {coef_diff:.3g} (max |coef| {coef_scale:.3g}), "
        f"intercept diff {abs(res.intercept - model.intercept_):.3g}; max relative "
        f"mse_path diff {mse_diff:.3g}; fastreg alpha_1se {res.alpha_1se:.6g}",
    ]
    rows = [row]

    # The one pass alone, next to the Gram floor on the same array.
    fold_ids = np.empty(n, dtype=np.int64)
    for k, (_, test) in enumerate(folds.split(X)):
        fold_ids[test] = k
    times, _ = interleaved({"stats": lambda: fastreg.GramStats.from_folds(X, y, fold_ids),
                            "floor": lambda: X.T @ X}, args.reps)
    t_stats, t_floor = min(times["stats"]), min(times["floor"])
    stats_row = Row(f"  of which: statistics of all {N_FOLDS} folds (one pass, "
                    "GramStats.from_folds)", shape, t_stats,
                    reference=f"X.T @ X {t_floor:.4g}",
                    ratio=f"{t_stats / t_floor:.2f}x floor", target="report")
    stats_row.notes.append(f"times stats {fmt_times(times['stats'])}, floor "
                           f"{fmt_times(times['floor'])}; X is Fortran-ordered")
    rows.append(stats_row)
    return rows


# --------------------------------------------------------------------------- --memmap

CHILD = r"""
import json, os, sys, threading, time
mode, x_path, y_path, n, p, threads, out_path = sys.argv[1:8]
n, p, threads = int(n), int(p), int(threads)
import numpy as np
from threadpoolctl import threadpool_limits, threadpool_info
import fastreg

KEYS = ("VmRSS", "RssAnon", "RssFile", "VmHWM")

def status():
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in KEYS:
                values[key] = int(rest.split()[0]) * 1024
    return values

X = np.memmap(x_path, dtype=np.float64, mode="r", shape=(n, p))
y = np.fromfile(y_path, dtype=np.float64)
before = status()
peak = dict(before)
done = threading.Event()

def sample():
    while not done.is_set():
        for key, value in status().items():
            peak[key] = max(peak[key], value)
        time.sleep(0.005)

with threadpool_limits(threads):
    blas = [(p_["internal_api"], p_["num_threads"]) for p_ in threadpool_info()]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    if mode == "floor":
        out = {"gram": X.T @ X}
    else:
        stats = fastreg.GramStats.from_arrays(X, y)
        out = {name: np.asarray(getattr(stats, name)) for name in
               ("x_mean", "y_mean", "xx", "xy", "yy")}
        out["weight_sum"] = np.asarray(stats.weight_sum)
        out["n_samples"] = np.asarray(stats.n_samples)
        out["gram"] = stats.gram(center=False)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
for key, value in status().items():
    peak[key] = max(peak[key], value)
max_rss = status()["VmHWM"]  # the kernel's high-water mark of this process image
np.savez(out_path, **out)
print(json.dumps({"seconds": elapsed, "max_rss": max_rss, "rss_before": before["VmRSS"],
                  "anon_before": before["RssAnon"], "anon_peak": peak["RssAnon"],
                  "file_peak": peak["RssFile"], "blas": blas}))
"""


@dataclass
class DataFiles:
    directory: str
    x_path: str
    y_path: str
    n_samples: int
    n_features: int

    @property
    def x_bytes(self):
        return self.n_samples * self.n_features * 8


def write_data(directory, n, p, seed, block_rows=50000):
    """Write X (C order, float64, raw) and y to ``directory`` in row blocks."""
    need = n * p * 8 + n * 8
    free = shutil.disk_usage(directory).free
    if free < need + GIB:
        raise SystemExit(f"not enough free disk space in {directory}: need "
                         f"{need / GIB:.2f} GiB + 1 GiB margin, have {free / GIB:.2f} GiB "
                         "(use --dir or --rows)")
    rng = np.random.default_rng(seed + 1)
    w_true = sparse_truth(rng, p)
    x_path = os.path.join(directory, "X.f64")
    y_path = os.path.join(directory, "y.f64")
    signal = np.empty(n)
    with open(x_path, "wb") as handle:
        for start in range(0, n, block_rows):
            stop = min(start + block_rows, n)
            block = rng.standard_normal((stop - start, p))
            signal[start:stop] = block @ w_true
            handle.write(block.data)
    add_noise(rng, signal).tofile(y_path)
    return DataFiles(directory, x_path, y_path, n, p)


def read_through(path, chunk=64 * 1024**2):
    """Read a file once sequentially (puts it in the page cache), untimed."""
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(chunk)
        while handle.readinto(buffer):
            pass


def evict(path):
    """Drop a file's clean pages from the page cache (no root needed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def run_child(mode, files, args, out_path):
    if args.cold:
        evict(files.x_path)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, files.x_path, files.y_path,
         str(files.n_samples), str(files.n_features), str(args.threads), out_path],
        capture_output=True, text=True, timeout=3600, cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise RuntimeError(f"{mode} subprocess failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    with np.load(out_path) as saved:
        result["arrays"] = {name: saved[name] for name in saved.files}
    return result


def bench_memmap(files, args, reps):
    """Alternate floor / fastreg subprocesses; the best run of each."""
    if not args.cold:
        read_through(files.x_path)
    runs = {"floor": [], "fastreg": []}
    for rep in range(reps):
        order = ("floor", "fastreg") if rep % 2 == 0 else ("fastreg", "floor")
        for mode in order:
            out_path = os.path.join(files.directory, f"{mode}.npz")
            runs[mode].append(run_child(mode, files, args, out_path))
    return runs


def memory_text(run):
    growth = (run["max_rss"] - run["rss_before"]) / MIB
    anon = (run["anon_peak"] - run["anon_before"]) / MIB
    return f"RSS {run['max_rss'] / MIB:.0f} MiB (+{growth:.0f}), anon +{anon:.0f} MiB"


def memmap_rows(files, runs, args):
    n, p = files.n_samples, files.n_features
    shape = f"{n} x {p} float64 memmap ({files.x_bytes / GIB:.2f} GiB)"
    best = {mode: min(results, key=lambda r: r["seconds"]) for mode, results in runs.items()}
    t_fr, t_floor = best["fastreg"]["seconds"], best["floor"]["seconds"]
    gram_fr = best["fastreg"]["arrays"]["gram"]
    gram_floor = best["floor"]["arrays"]["gram"]
    diff = float(np.max(np.abs(gram_fr - gram_floor)) / np.max(np.abs(gram_floor)))
    peak = max(r["max_rss"] for r in runs["fastreg"])
    ratio = t_fr / t_floor
    source = "disk (--cold)" if args.cold else "page cache"
    row = Row("GramStats.from_arrays(np.memmap(mode='r'), y)", shape, t_fr,
              reference=f"X.T @ X {t_floor:.4g}", ratio=f"{ratio:.2f}x floor",
              memory=memory_text(best["fastreg"]),
              check=f"X^T X rel diff {diff:.1e}",
              target=f"<= {TARGET_FLOOR_RATIO:g}x floor, peak RSS <= "
                     f"{TARGET_PEAK_RSS / GIB:g} GiB",
              met=ratio <= TARGET_FLOOR_RATIO and peak <= TARGET_PEAK_RSS)
    row.notes += [
        f"each run a fresh subprocess reading X from the {source}, BLAS "
        f"{best['fastreg']['blas']}; times fastreg "
        f"{fmt_times([r['seconds'] for r in runs['fastreg']])}, floor "
        f"{fmt_times([r['seconds'] for r in runs['floor']])}",
        f"fastreg: peak RSS (VmHWM, file pages included) {peak / MIB:.0f} MiB over "
        f"the runs, {best['fastreg']['rss_before'] / MIB:.0f} MiB before the call; peak "
        f"file-backed RSS {best['fastreg']['file_peak'] / MIB:.0f} MiB",
    ]
    floor_row = Row("  floor: X.T @ X on the same memmap", shape, t_floor,
                    memory=memory_text(best["floor"]), target="report")
    floor_row.notes.append(
        f"the floor maps every page of X: peak file-backed RSS "
        f"{best['floor']['file_peak'] / MIB:.0f} MiB (X is {files.x_bytes / MIB:.0f} MiB)")
    return [row, floor_row]


# --------------------------------------------------------------------------- --dask


def read_rows(path, start, stop, n_columns=None):
    """Rows ``start:stop`` of a raw C-ordered float64 file (runs on a worker).

    ``n_columns=None`` reads a vector.
    """
    width = 1 if n_columns is None else n_columns
    count = (stop - start) * width
    with open(path, "rb") as handle:
        handle.seek(start * width * 8)
        block = np.fromfile(handle, dtype=np.float64, count=count)
    if block.size != count:
        raise OSError(f"{path}: short read at rows {start}:{stop}")
    return block if n_columns is None else block.reshape(stop - start, n_columns)


def file_backed_dask_arrays(files, chunk_rows):
    """X and y as Dask arrays whose chunks are read from the files by the workers."""
    import dask
    import dask.array as da

    n, p = files.n_samples, files.n_features
    x_parts, y_parts = [], []
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        x_parts.append(da.from_delayed(
            dask.delayed(read_rows, pure=True)(files.x_path, start, stop, p),
            shape=(stop - start, p), dtype=np.float64))
        y_parts.append(da.from_delayed(
            dask.delayed(read_rows, pure=True)(files.y_path, start, stop),
            shape=(stop - start,), dtype=np.float64))
    return da.concatenate(x_parts, axis=0), da.concatenate(y_parts, axis=0)


def _worker_memory():
    """Peak and current resident set of this worker process (runs on the worker)."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def _worker_blas():
    return [(p["internal_api"], p["num_threads"]) for p in threadpoolctl.threadpool_info()]


def bench_dask(files, args, reference):
    import logging

    from distributed import Client, LocalCluster

    n, p = files.n_samples, files.n_features
    X, y = file_backed_dask_arrays(files, args.dask_chunk_rows)
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        client.wait_for_workers(2, timeout=120)
        t_start = time.perf_counter() - t0
        warm_rows = min(n, 2 * args.dask_chunk_rows)
        t_warm, _ = timed(lambda: fastreg.GramStats.from_dask(X[:warm_rows], y[:warm_rows]))
        times = []
        for _ in range(args.reps):
            if args.cold:
                evict(files.x_path)
            dt, stats = timed(lambda: fastreg.GramStats.from_dask(X, y))
            times.append(dt)
        memory = client.run(_worker_memory)
        blas = client.run(_worker_blas)
    finally:
        client.close()
        cluster.close()

    diffs = {}
    for name in ("x_mean", "y_mean", "xx", "xy", "yy"):
        want = reference[name]
        diffs[name] = float(np.max(np.abs(getattr(stats, name) - want.reshape(
            getattr(stats, name).shape))) / max(np.max(np.abs(want)), 1e-300))
    diffs["weight_sum"] = abs(stats.weight_sum - float(reference["weight_sum"])) / n
    worst = max(diffs.values())
    same_n = stats.n_samples == int(reference["n_samples"])
    t_best = min(times)
    t_floor = reference["floor_seconds"]
    peak = max(m["VmHWM"] for m in memory.values())
    n_chunks = -(-n // args.dask_chunk_rows)
    row = Row("GramStats.from_dask, LocalCluster 2 workers x 1 thread",
              f"{n} x {p}, {n_chunks} chunks of {args.dask_chunk_rows} rows", t_best,
              reference=f"X.T @ X {t_floor:.4g}",
              ratio=f"{t_best / t_floor:.2f}x {args.threads}-thread floor",
              memory=f"workers' peak RSS {peak / MIB:.0f} MiB",
              check=f"vs from_arrays: max rel diff {worst:.1e}",
              target=f"equal to from_arrays (<= {TARGET_DASK_DIFF:g})",
              met=worst <= TARGET_DASK_DIFF and same_n)
    row.notes += [
        f"times {fmt_times(times)}; cluster start {t_start:.3g} s and warm-up "
        f"{t_warm:.3g} s untimed; chunks read inside the workers from "
        f"{'disk (--cold)' if args.cold else 'the page cache'}",
        "workers' peak / current RSS: " + "; ".join(
            f"{addr.rsplit(':', 1)[-1]}: {m['VmHWM'] / MIB:.0f} / {m['VmRSS'] / MIB:.0f} MiB"
            for addr, m in memory.items()) + f"; workers' BLAS {next(iter(blas.values()))}",
        "relative differences from from_arrays: " + ", ".join(
            f"{k} {v:.1e}" for k, v in diffs.items()) + f"; n_samples equal: {same_n}",
    ]
    return [row]


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Scale-out benchmark: lasso_cv vs LassoCV, memmap and Dask statistics.")
    parser.add_argument("--cv", action="store_true", help="10-fold lasso_cv vs LassoCV")
    parser.add_argument("--memmap", action="store_true",
                        help="GramStats.from_arrays on a memmap vs the X.T @ X floor")
    parser.add_argument("--dask", action="store_true",
                        help="GramStats.from_dask on a 2-worker LocalCluster")
    parser.add_argument("--rows", type=int, default=2_000_000,
                        help="memmap rows (default %(default)s)")
    parser.add_argument("--features", type=int, default=500,
                        help="memmap columns (default %(default)s)")
    parser.add_argument("--dir", default=None,
                        help="directory for the memmap file (default: system temp dir)")
    parser.add_argument("--cold", action="store_true",
                        help="evict the file from the page cache before every run")
    parser.add_argument("--dask-chunk-rows", type=int, default=16384,
                        help="rows per Dask chunk (default %(default)s)")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions (best kept)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads in this process and the memmap subprocesses")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    parser.add_argument("--no-git", action="store_true",
                        help="do not call git to record the commit")
    args = parser.parse_args(argv)
    if not (args.cv or args.memmap or args.dask):
        args.cv = args.memmap = args.dask = True
    if min(args.rows, args.features, args.reps, args.threads, args.dask_chunk_rows) < 1:
        parser.error("--rows, --features, --reps, --threads and --dask-chunk-rows must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    start = time.perf_counter()
    rows = []
    with threadpoolctl.threadpool_limits(limits=args.threads):
        head = header(args)
        print(head, flush=True)
        if args.cv:
            print("... cv", file=sys.stderr, flush=True)
            rows.extend(bench_cv(args))
        if args.memmap or args.dask:
            with tempfile.TemporaryDirectory(prefix="fastreg-bench-stats-",
                                             dir=args.dir) as directory:
                print(f"... writing {args.rows} x {args.features} float64 to {directory}",
                      file=sys.stderr, flush=True)
                t_write, files = timed(lambda: write_data(directory, args.rows,
                                                          args.features, args.seed))
                print(f"... memmap ({t_write:.1f} s to write)", file=sys.stderr, flush=True)
                runs = bench_memmap(files, args, args.reps if args.memmap else 1)
                if args.memmap:
                    rows.extend(memmap_rows(files, runs, args))
                    rows[-2].notes.append(f"writing the data took {t_write:.3g} s (untimed)")
                if args.dask:
                    print("... dask", file=sys.stderr, flush=True)
                    best = min(runs["fastreg"], key=lambda r: r["seconds"])
                    reference = dict(best["arrays"])
                    reference["floor_seconds"] = min(r["seconds"] for r in runs["floor"])
                    rows.extend(bench_dask(files, args, reference))
    text = table(rows)
    print()
    print(text)
    print()
    print("Notes:")
    for r in rows:
        for note in r.notes:
            print(f"- {r.what.strip()}: {note}")
    print(f"\nTotal wall time {time.perf_counter() - start:.1f} s")
    if args.markdown:
        Path(args.markdown).write_text(head + "\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
