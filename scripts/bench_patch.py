"""Existing scikit-learn code, patched by ``fastreg.patch_sklearn()`` against unpatched.

Run (BLAS at one thread, the slow-core OpenBLAS variables unset)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python scripts/bench_patch.py
    ... scripts/bench_patch.py --quick            # small shapes, a smoke run
    ... scripts/bench_patch.py --cases lasso-cv,ridge-cv --reps 5

What is measured: the very same scikit-learn call, ``est.fit(X, y)`` on a fresh
``clone`` of the estimator, with scikit-learn unpatched and then patched (the
order alternates between repetitions so that a drifting machine load hits both
alike). A time is the median over ``--reps`` repetitions (``--tiny-reps`` for the
millisecond problems); every side gets one untimed warm-up call first, so no JIT
compilation is timed. A repetition of a millisecond problem is one call right
after ``gc.collect()`` and a change of patch (cold caches); with ``--loop N`` it is
the fastest of N consecutive fits instead (warm caches, as in a loop of small
fits). Parameters are scikit-learn's defaults except where listed.

Cases (``--cases``, default all):

* ``lasso-cv``: ``LassoCV(cv=10)`` on 20000 x 500 (target: patched >= 5x faster);
* ``enet-cv``: ``ElasticNetCV(l1_ratio=[.1, .5, .9], cv=5)`` on 20000 x 500;
* ``ridge-cv``: ``RidgeCV(alphas=np.logspace(-3, 3, 50))`` on 20000 x 500
  (target >= 20x);
* ``lasso:<problem>`` and ``enet:<problem>``: ``Lasso(alpha)`` and
  ``ElasticNet(alpha, l1_ratio=0.5)`` with ``alpha = alpha_max / 20`` on every
  problem of ``scripts/bench_vs_sklearn.py`` (dense-corr 20000 x 500, dense
  5000 x 2000, wide 500 x 5000, sparse CSC 20000 x 50000, diabetes), plus the
  small sparse ones: ``csr`` (CSR 2000 x 300 at density 0.05) and
  ``diabetes-csr`` (diabetes as CSR). Target: no patched call slower.

The 20000 x 500 design is bench_vs_sklearn's ``dense-corr`` (Toeplitz rows,
``rho = 0.5``, Fortran order; y with 50 nonzero coefficients at SNR 3). The
columns report the medians, their ratio, the accuracy reached (the relative
difference of the coefficients from the unpatched fit), and the fallback
count (must be 0: every timed patched call ran on fastreg).
"""

import argparse
import gc
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

REPO = Path(__file__).resolve().parents[1]


def _load_bench_vs_sklearn():
    spec = importlib.util.spec_from_file_location("bench_vs_sklearn",
                                                  REPO / "scripts" / "bench_vs_sklearn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems(quick, seed):
    """name -> (X, y): bench_vs_sklearn's problems and the small sparse ones."""
    bvs = _load_bench_vs_sklearn()
    out = {}
    for name, spec in bvs.problem_specs(quick).items():
        out[name] = bvs.build(spec, seed)
    rng = np.random.default_rng(seed + 10)
    X = sparse.random(2000, 300, density=0.05, format="csr", rng=rng,
                      data_rvs=rng.standard_normal)
    w = np.zeros(300)
    w[rng.choice(300, 20, replace=False)] = rng.standard_normal(20)
    y = X @ w + 0.5 * rng.standard_normal(2000)
    out["csr"] = (X, y)
    Xd, yd = out["diabetes"]
    out["diabetes-csr"] = (sparse.csr_matrix(Xd), yd)
    return out


def alpha_max(X, y):
    """The smallest lasso alpha with an all-zero solution (centered data)."""
    yc = y - y.mean()
    return float(np.max(np.abs(np.asarray(X.T @ yc)))) / X.shape[0]


def cases(quick, seed, names):
    """``[(case name, estimator, X, y, tiny)]``."""
    import sklearn.linear_model as lm

    probs = problems(quick, seed)
    big_x, big_y = probs["dense-corr"]
    out = []
    wanted = set(names) if names else None

    def want(name):
        return wanted is None or name in wanted or name.split(":")[0] in wanted

    if want("lasso-cv"):
        out.append(("lasso-cv", lm.LassoCV(cv=10), big_x, big_y, False))
    if want("enet-cv"):
        out.append(("enet-cv", lm.ElasticNetCV(l1_ratio=[0.1, 0.5, 0.9], cv=5),
                    big_x, big_y, False))
    if want("ridge-cv"):
        out.append(("ridge-cv", lm.RidgeCV(alphas=np.logspace(-3, 3, 50)), big_x, big_y,
                    False))
    for prob in ("dense-corr", "dense", "wide", "sparse", "diabetes", "csr", "diabetes-csr"):
        X, y = probs[prob]
        alpha = alpha_max(X, y) / 20
        tiny = X.shape[0] * X.shape[1] <= 2000 * 300
        if want(f"lasso:{prob}"):
            out.append((f"lasso:{prob}", lm.Lasso(alpha=alpha), X, y, tiny))
        if want(f"enet:{prob}"):
            out.append((f"enet:{prob}", lm.ElasticNet(alpha=alpha, l1_ratio=0.5), X, y, tiny))
    return out


def timed(fn):
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def timed_loop(fn, n):
    """The fastest of ``n`` consecutive calls (warm caches, as in a loop of fits)."""
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(n):
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
        return best, result
    finally:
        gc.enable()


def run_case(estimator, X, y, reps, loop=1):
    """Medians ``(t_unpatched, t_patched)``, the fitted pair, and the fallback count.

    ``loop > 1``: each repetition's time is the fastest of ``loop`` consecutive fits.
    """
    import warnings

    import fastreg
    from sklearn.base import clone

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarnings of either side
            return clone(estimator).fit(X, y)

    fastreg.unpatch_sklearn()
    fit()
    with fastreg.sklearn_patched():
        fit()
    fastreg.patched_calls(reset=True)
    times = {"sklearn": [], "patched": []}
    fitted = {}
    for rep in range(reps):
        order = ("sklearn", "patched") if rep % 2 == 0 else ("patched", "sklearn")
        for side in order:
            if side == "patched":
                fastreg.patch_sklearn()
            try:
                elapsed, fitted[side] = timed(fit) if loop <= 1 else timed_loop(fit, loop)
            finally:
                fastreg.unpatch_sklearn()
            times[side].append(elapsed)
    fallbacks = sum(c["fallback"] for c in fastreg.patched_calls(reset=True).values())
    return (statistics.median(times["sklearn"]), statistics.median(times["patched"]),
            fitted, fallbacks)


def coef_difference(fitted):
    a, b = np.ravel(fitted["patched"].coef_), np.ravel(fitted["sklearn"].coef_)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small shapes (smoke run)")
    parser.add_argument("--cases", default="", help="comma-separated case names / prefixes")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--tiny-reps", type=int, default=51)
    parser.add_argument("--loop", type=int, default=1,
                        help="small problems: time the fastest of LOOP consecutive fits per "
                             "repetition (warm caches) instead of one call")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from threadpoolctl import threadpool_limits

    slow = [v for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if v in os.environ]
    if slow:
        print(f"warning: {', '.join(slow)} set; run under env -u {' -u '.join(slow)}",
              file=sys.stderr)
    names = [n for n in args.cases.split(",") if n]
    rows = []
    with threadpool_limits(1):
        for name, est, X, y, tiny in cases(args.quick, args.seed, names):
            reps = args.tiny_reps if tiny else (1 if args.quick else args.reps)
            t_sk, t_fr, fitted, fallbacks = run_case(est, X, y, reps,
                                                     loop=args.loop if tiny else 1)
            row = (name, f"{X.shape[0]}x{X.shape[1]}", t_sk, t_fr, t_sk / t_fr,
                   coef_difference(fitted), fallbacks, reps)
            rows.append(row)
            print(f"{name:20s} {row[1]:>12s}  sklearn {t_sk * 1e3:10.2f} ms  patched "
                  f"{t_fr * 1e3:10.2f} ms  speedup {row[4]:7.2f}x  coef rel diff "
                  f"{row[5]:.1e}  fallbacks {fallbacks}  reps {reps}", flush=True)
    slower = [r[0] for r in rows if r[4] < 1.0]
    print("slower when patched:", ", ".join(slower) if slower else "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
