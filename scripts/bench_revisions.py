"""Time fastreg at two revisions on the problems of ``bench_vs_sklearn.py``, interleaved.

Usage::

    python scripts/bench_revisions.py BASE                # BASE against the work tree
    python scripts/bench_revisions.py BASE HEAD --rounds 5 --problems dense,diabetes
    python scripts/bench_revisions.py /path/to/checkout   # a checkout instead of a revision

A revision is checked out once with ``git worktree`` under the temporary
directory (a path is used as it is; the work tree is this checkout). For every
problem the two revisions run alternately, ``--rounds`` times each, each run
in a fresh process that builds the seeded problem, warms the JIT up (compile
time is not counted; each revision keeps its own Numba cache) and times
``--reps`` calls; the figure of a revision is the minimum over all its calls,
the least disturbed by other work on the machine. Only fastreg is timed: the
comparison is between revisions, not against scikit-learn. Run it under
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`` with threads pinned (the
children set BLAS and Numba threads to ``--threads``).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBLEMS = ("dense-corr", "dense", "wide", "sparse", "diabetes", "enet", "lasso-cv", "ridge",
            "ridge-cv")

CHILD = r"""
import json, sys, time, warnings
sys.path.insert(0, {scripts!r})
import numpy as np
import bench_vs_sklearn as b
import fastreg

name, reps, quick = {name!r}, {reps}, {quick}
specs = b.problem_specs(quick)
if name in specs:
    X, y = b.build(specs[name], 0)
    alphas = b.sk_alpha_grid(X, y, l1_ratio=1.0, fit_intercept=False, eps=b.EPS,
                             n_alphas=b.N_ALPHAS)
    call = lambda: fastreg.lasso_path(X, y, alphas=alphas, tol=b.TOL, max_iter=b.MAX_ITER)
else:
    n, p = (2000, 100) if quick else (20000, 500)
    X, y = b.build(b.Spec(name, "dense", n, p, seed_offset=5), 0)
    ridge_alphas = np.logspace(-2, 4, 50) * n / 100
    if name == "enet":
        alphas = b.sk_alpha_grid(X, y, l1_ratio=0.5, fit_intercept=False, eps=b.EPS,
                                 n_alphas=b.N_ALPHAS)
        call = lambda: fastreg.enet_path(X, y, l1_ratio=0.5, alphas=alphas, tol=b.TOL,
                                         max_iter=b.MAX_ITER)
    elif name == "lasso-cv":
        call = lambda: fastreg.lasso_cv(X, y, cv=10, alphas=b.N_ALPHAS, eps=b.EPS, tol=b.TOL,
                                        max_iter=b.MAX_ITER)
    elif name == "ridge":
        call = lambda: fastreg.ridge_path(X, y, ridge_alphas, fit_intercept=True)
    else:
        call = lambda: fastreg.ridge_cv(X, y, ridge_alphas)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    call()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def parse_args(argv=None):
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        prog="bench_revisions.py",
        description="Time fastreg at two revisions on bench_vs_sklearn's problems.")
    parser.add_argument("base", help="a git revision or a checkout path")
    parser.add_argument("head", nargs="?", default=None,
                        help="a git revision or a checkout path (default: this work tree)")
    parser.add_argument("--problems", default=",".join(PROBLEMS),
                        help="comma-separated subset of " + ",".join(PROBLEMS))
    parser.add_argument("--rounds", type=int, default=3, help="alternations per problem")
    parser.add_argument("--reps", type=int, default=3, help="timed calls per process")
    parser.add_argument("--tiny-reps", type=int, default=100,
                        help="timed calls per process for diabetes")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and Numba threads")
    parser.add_argument("--quick", action="store_true", help="bench_vs_sklearn's quick shapes")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    args = parser.parse_args(argv)
    unknown = set(args.problems.split(",")) - set(PROBLEMS)
    if unknown:
        parser.error(f"unknown problems: {sorted(unknown)}")
    return args


def checkout(revision):
    """A directory holding ``revision``: a path as given, else a git worktree of it."""
    if revision is None:
        return ROOT
    if os.path.isdir(revision):
        return os.path.abspath(revision)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", revision + "^{commit}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    path = os.path.join(tempfile.gettempdir(), f"fastreg-bench-{commit[:12]}")
    if not os.path.isdir(path):
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", path, commit],
                       check=True, capture_output=True)
    return path


def time_once(tree, name, reps, args):
    """The call times of one fresh process on ``tree``."""
    env = dict(os.environ, PYTHONPATH=tree)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS"):
        env[var] = str(args.threads)
    code = CHILD.format(scripts=os.path.join(ROOT, "scripts"), name=name, reps=reps,
                        quick=args.quick)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tempfile.gettempdir(),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    args = parse_args(argv)
    trees = {"base": checkout(args.base), "head": checkout(args.head)}
    lines = [f"base: {args.base} ({trees['base']}); head: {args.head or 'work tree'} "
             f"({trees['head']}); {args.rounds} rounds x {args.reps} calls, "
             f"{args.threads} thread(s), minimum per revision",
             "", "| problem | base s | head s | head / base |", "|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for name in args.problems.split(","):
        reps = args.tiny_reps if name == "diabetes" else args.reps
        best = {"base": float("inf"), "head": float("inf")}
        for _ in range(args.rounds):
            for label in ("base", "head"):
                best[label] = min(best[label], min(time_once(trees[label], name, reps, args)))
        line = (f"| {name} | {best['base']:.4g} | {best['head']:.4g} | "
                f"{best['head'] / best['base']:.3f} |")
        lines.append(line)
        print(line, flush=True)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
