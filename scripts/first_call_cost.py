"""First-call cost of fastreg per input kind, each in a fresh process, cold and warm cache.

Usage::

    python scripts/first_call_cost.py                  # every kind, 3 fresh processes each
    python scripts/first_call_cost.py --kinds dense-tall sparse --runs 5
    python scripts/first_call_cost.py --markdown       # the table as markdown
    python scripts/first_call_cost.py --child dense-tall   # one measurement (used internally)

For every input kind the script starts fresh Python processes that import
fastreg and call one function twice on a small problem, and reports the
median over the runs of: the import time, the first call (Numba compiles, or
loads from its cache, the kernels this input needs) and the second call (the
solve alone). "cold" runs use an empty ``NUMBA_CACHE_DIR`` each time (what a
user sees once after installing or upgrading fastreg); "warm" runs share one
``NUMBA_CACHE_DIR`` filled by a first, uncounted run (every later process).
The problems are small (the solve takes milliseconds), so the first call is
compilation or cache loading. Times are CPU seconds of the measuring process
(``time.process_time``: compilation is single-threaded, and CPU time does not
grow when other processes share the machine); ``--wall`` prints wall-clock
seconds instead. ``all`` calls every kind in one process (a script
that touches them all).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

KINDS = ("dense-tall", "dense-wide", "float32", "sparse", "multitask", "ridge", "all")


def _problem(kind):
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    n, p = (200, 50) if kind in ("dense-tall", "float32", "multitask", "ridge") else (50, 200)
    if kind == "sparse":
        X = sp.random(200, 300, density=0.05, format="csc", random_state=0)
        n, p = X.shape
    else:
        X = rng.standard_normal((n, p))
    y = np.asarray(X @ rng.standard_normal(p)).ravel() + rng.standard_normal(n)
    if kind == "float32":
        X, y = X.astype(np.float32), y.astype(np.float32)
    if kind == "multitask":
        y = np.column_stack([y, y + rng.standard_normal(n), rng.standard_normal(n)])
    return X, y


def _call(kind):
    import fastreg

    if kind == "all":
        return [_call(k) for k in KINDS if k != "all"]
    X, y = _problem(kind)
    if kind == "ridge":
        return fastreg.ridge_path(X, y, alphas=[0.1, 1.0, 10.0])
    return fastreg.lasso_path(X, y, alphas=20)


def child(kind):
    """Measure in this (fresh) process; print one JSON line of CPU and wall seconds."""
    clocks = [(time.process_time(), time.perf_counter())]
    import fastreg  # noqa: F401

    clocks.append((time.process_time(), time.perf_counter()))
    _call(kind)
    clocks.append((time.process_time(), time.perf_counter()))
    _call(kind)
    clocks.append((time.process_time(), time.perf_counter()))
    out = {}
    for i, name in enumerate(("import", "first", "second")):
        out[name] = clocks[i + 1][0] - clocks[i][0]
        out[name + "_wall"] = clocks[i + 1][1] - clocks[i][1]
    print(json.dumps(out))


def _run_child(kind, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, __file__, "--child", kind], env=env, check=True,
                         capture_output=True, text=True, timeout=1800).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(kind, runs):
    """Median import / first / second call seconds, cold and warm."""
    rows = {}
    cold = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="fastreg-cold-") as cache:
            cold.append(_run_child(kind, cache))
    with tempfile.TemporaryDirectory(prefix="fastreg-warm-") as cache:
        _run_child(kind, cache)  # fills the cache, not counted
        warm = [_run_child(kind, cache) for _ in range(runs)]
    for name, results in (("cold", cold), ("warm", warm)):
        rows[name] = {key: statistics.median(r[key] for r in results) for key in results[0]}
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="first_call_cost.py", description=__doc__.split("\n")[0])
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("--wall", action="store_true",
                        help="wall-clock seconds instead of CPU seconds")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    import fastreg

    print(f"fastreg {fastreg.__version__}, Python {sys.version.split()[0]}, "
          f"median of {args.runs} fresh processes per cell, "
          f"{'wall-clock' if args.wall else 'CPU'} seconds", flush=True)
    header = ("| input | import (s) | first call, cold cache (s) | first call, warm cache (s) "
              "| second call (s) |")
    if args.markdown:
        print(header + "\n|---|---:|---:|---:|---:|")
    else:
        print(f"{'input':<12}{'import':>8}{'cold first':>12}{'warm first':>12}{'second':>9}")
    for kind in args.kinds:
        rows = measure(kind, args.runs)
        suffix = "_wall" if args.wall else ""
        cells = (rows["warm"]["import" + suffix], rows["cold"]["first" + suffix],
                 rows["warm"]["first" + suffix], rows["warm"]["second" + suffix])
        if args.markdown:
            print(f"| {kind} | " + " | ".join(f"{c:.2f}" for c in cells) + " |", flush=True)
        else:
            print(f"{kind:<12}" + "".join(f"{c:>{w}.2f}" for c, w in zip(cells, (8, 12, 12, 9))),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
