"""What fastreg's glmnet-style options cost: at their defaults, and switched on.

Two tables:

1. *Defaults, A/B.* ``lasso_path(X, y)`` of this checkout against the same
   call of a baseline commit (default: the last commit before the options
   landed), both packages imported in one process (the baseline is extracted
   with ``git archive`` and imported as ``fastreg_base``), calls interleaved in
   alternating order so that machine load hits both alike, medians kept. The
   issue's target: no option costs more than 10 % when left at its default.
2. *Options on.* The same problems with ``penalty_factor`` of ones, infinite
   bounds, ``fit_intercept`` / ``standardize`` (against the plain path on data
   centered / scaled beforehand, the work a user would otherwise do) and a
   callback, relative to the plain path.

BLAS at 1 thread (threadpoolctl), JIT warmed up before timing, the garbage
collector off during each call.

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python scripts/bench_options.py \\
        [--baseline 10fae52] [--reps 15] [--markdown FILE]
"""

import argparse
import gc
import importlib
import io
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = "10fae52"  # README: asv section -- the tree before the options


def make(n, p, seed, rho=0.5, density=None):
    rng = np.random.default_rng(seed)
    if density:
        X = sp.random(n, p, density=density, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal)
    else:
        X = rng.standard_normal((n, p))
        X[:, 1:] = rho * X[:, :-1] + np.sqrt(1 - rho**2) * X[:, 1:]
    k = min(50, p)
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.standard_normal(k)
    y = X @ w
    return X, y + rng.standard_normal(n) * np.std(y) / np.sqrt(3)


def problems(fastreg):
    X, y = fastreg.load_diabetes()
    return {
        "diabetes 442 x 10": (X, y),
        "dense-corr 2000 x 100": make(2000, 100, 1),
        "dense 1000 x 400": make(1000, 400, 2),
        "wide 100 x 1000": make(100, 1000, 3),
        "wide 500 x 5000": make(500, 5000, 12),
        "sparse 2000 x 5000, density 5e-3": make(2000, 5000, 4, density=5e-3),
        "dense-corr 20000 x 500": make(20000, 500, 11),
    }


def import_baseline(rev, into):
    """``git archive`` the package of ``rev`` into ``into/fastreg_base`` and import it."""
    blob = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "fastreg"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    (Path(into) / "fastreg").rename(Path(into) / "fastreg_base")
    sys.path.insert(0, str(into))
    return importlib.import_module("fastreg_base")


def timed(call):
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    call()
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed


def interleaved(calls, reps):
    """Median time of each call, the calls alternating in order every repetition."""
    for call in calls.values():
        call()  # compile / warm caches
    times = {key: [] for key in calls}
    items = list(calls.items())
    for i in range(reps):
        for key, call in (items if i % 2 == 0 else items[::-1]):
            times[key].append(timed(call))
    return {key: float(np.median(t)) for key, t in times.items()}


def centered_scaled(X, y, standardize):
    """What a user would pass instead: centered (dense only: sparse X stays sparse,
    centered implicitly by fit_intercept) and scaled columns, centered y."""
    if sp.issparse(X):
        if not standardize:
            return X, y - y.mean()
        sd = np.sqrt(np.asarray(X.multiply(X).mean(axis=0)).ravel()
                     - np.asarray(X.mean(axis=0)).ravel() ** 2)
        return sp.csc_matrix(X @ sp.diags(1.0 / np.where(sd > 0, sd, 1.0))), y - y.mean()
    Xc = X - X.mean(axis=0)
    if standardize:
        sd = Xc.std(axis=0)
        Xc = Xc / np.where(sd > 0, sd, 1.0)
    return np.asfortranarray(Xc), y - y.mean()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE,
                        help=f"git revision to compare the defaults with (default "
                             f"{DEFAULT_BASELINE})")
    parser.add_argument("--reps", type=int, default=15,
                        help="repetitions per problem (x40 for diabetes)")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables to FILE")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    import fastreg

    out = []

    def emit(line=""):
        print(line, flush=True)
        out.append(line)

    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        base = import_baseline(args.baseline, tmp)
        blas = [f"{i['internal_api']} {i.get('version')} {i.get('architecture')} "
                f"threads={i['num_threads']}" for i in threadpool_info()]
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        emit(f"fastreg {head} vs baseline {args.baseline}; {platform.processor() or platform.machine()}, "
             f"{'; '.join(blas)}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        emit()
        emit("| problem | baseline (s) | this tree, defaults (s) | ratio |")
        emit("|---|---|---|---|")
        data = problems(fastreg)
        worst = 0.0
        for name, (X, y) in data.items():
            reps = args.reps * (40 if name.startswith("diabetes") else 1)
            t = interleaved({
                "base": lambda: base.lasso_path(X, y, alphas=100, tol=1e-4),
                "new": lambda: fastreg.lasso_path(X, y, alphas=100, tol=1e-4),
            }, reps)
            worst = max(worst, t["new"] / t["base"])
            emit(f"| {name} | {t['base']:.4g} | {t['new']:.4g} | {t['new'] / t['base']:.3f} |")
        emit()
        emit(f"Largest ratio at the defaults: {worst:.3f} (target <= 1.10: "
             f"{'met' if worst <= 1.10 else 'MISSED'}).")
        emit()
        emit("| problem | plain (s) | penalty_factor=1 | bounds +-inf | fit_intercept "
             "| standardize | callback |")
        emit("|---|---|---|---|---|---|---|")
        for name, (X, y) in data.items():
            p = X.shape[1]
            reps = max(3, args.reps // 3) * (40 if name.startswith("diabetes") else 1)
            Xc, yc = centered_scaled(X, y, standardize=False)
            Xs, _ = centered_scaled(X, y, standardize=True)
            t = interleaved({
                "plain": lambda: fastreg.lasso_path(X, y, alphas=100),
                "factor": lambda: fastreg.lasso_path(X, y, alphas=100,
                                                     penalty_factor=np.ones(p)),
                "bounds": lambda: fastreg.lasso_path(X, y, alphas=100, lower_bounds=-np.inf,
                                                     upper_bounds=np.inf),
                "plain_c": lambda: fastreg.lasso_path(Xc, yc, alphas=100),
                "intercept": lambda: fastreg.lasso_path(X, y, alphas=100, fit_intercept=True),
                "plain_s": lambda: fastreg.lasso_path(Xs, yc, alphas=100),
                "standardize": lambda: fastreg.lasso_path(X, y, alphas=100, fit_intercept=True,
                                                          standardize=True),
                "callback": lambda: fastreg.lasso_path(X, y, alphas=100,
                                                       callback=lambda *a: False),
            }, reps)
            emit(f"| {name} | {t['plain']:.4g} | {t['factor'] / t['plain']:.2f}x "
                 f"| {t['bounds'] / t['plain']:.2f}x "
                 f"| {t['intercept'] / t['plain_c']:.2f}x "
                 f"| {t['standardize'] / t['plain_s']:.2f}x "
                 f"| {t['callback'] / t['plain']:.2f}x |")
        emit()
        emit("Options on: ratios to the plain path; fit_intercept / standardize against the "
             "plain path on data centered (and scaled) beforehand.")
    if args.markdown:
        Path(args.markdown).write_text("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
