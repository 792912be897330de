"""Command line: ``python -m fastreg demo`` and ``python -m fastreg bench``.

The demo fits the lasso and elastic-net paths of the diabetes data shipped
with fastreg and prints a path summary next to scikit-learn's (when
scikit-learn is installed): the same alphas, nonzeros, duality gaps, the
largest coefficient difference, and the time of each library.

The bench command runs the repository's benchmark table,
``scripts/bench_vs_sklearn.py``, with the options given after ``bench``
passed on unchanged. It needs a source checkout (the script is not part of
the installed package) and the bench extras (scikit-learn, threadpoolctl).
"""

import argparse
import importlib.util
import runpy
import sys
import time
from pathlib import Path

import numpy as np


def _timed(func, *args, repeat=1, **kwargs):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return result, best


def _sklearn_paths():
    try:
        from sklearn.linear_model import enet_path, lasso_path
    except ImportError:
        return None
    return {"lasso": lasso_path, "enet": enet_path}


def demo(out=sys.stdout):
    """Fit the diabetes lasso and elastic-net paths; print them beside scikit-learn's."""
    import fastreg

    X, y = fastreg.load_diabetes()
    n, p = X.shape
    tol = 1e-8  # tight, so that both libraries' coefficients agree closely
    gap_tol = tol * float(y @ y) / n
    reference = _sklearn_paths()
    print(f"fastreg {fastreg.__version__} demo: diabetes data, {n} samples x {p} features",
          file=out)
    print(f"objective 1/(2n)||y - Xw||^2 + alpha*l1_ratio*||w||_1 "
          f"+ 0.5*alpha*(1-l1_ratio)*||w||^2; tol={tol} (gap <= {gap_tol:.4g})", file=out)
    for name, l1_ratio in (("lasso", 1.0), ("enet", 0.5)):
        path = fastreg.lasso_path if name == "lasso" else fastreg.enet_path
        kwargs = {} if name == "lasso" else {"l1_ratio": l1_ratio}
        (_, first) = _timed(path, X, y, alphas=100, tol=tol, **kwargs)
        (alphas, coefs, gaps), seconds = _timed(path, X, y, alphas=100, tol=tol, repeat=20,
                                                **kwargs)
        print(f"\n{name} path (l1_ratio={l1_ratio}): 100 alphas from {alphas[0]:.4g} "
              f"to {alphas[-1]:.4g}", file=out)
        sk_coefs = None
        if reference is not None:
            (_, sk_coefs, sk_gaps), sk_seconds = _timed(
                reference[name], X, y, alphas=alphas, tol=tol, repeat=20, **kwargs)
        header = f"{'alpha':>10} {'nonzeros':>8} {'dual gap':>10}"
        if sk_coefs is not None:
            header += f" {'sklearn nonzeros':>16} {'sklearn gap':>11} {'max |coef diff|':>15}"
        print(header, file=out)
        for k in (0, 9, 19, 39, 59, 79, 99):
            line = (f"{alphas[k]:10.4g} {np.count_nonzero(coefs[:, k]):8d} "
                    f"{gaps[k]:10.3g}")
            if sk_coefs is not None:
                diff = np.abs(coefs[:, k] - sk_coefs[:, k]).max()
                line += (f" {np.count_nonzero(sk_coefs[:, k]):16d} {sk_gaps[k]:11.3g}"
                         f" {diff:15.3g}")
            print(line, file=out)
        timing = (f"time for the whole path: fastreg {seconds * 1e3:.2f} ms "
                  f"(first call in this process, with JIT load/compile: {first:.2f} s)")
        if sk_coefs is not None:
            timing += f", scikit-learn {sk_seconds * 1e3:.2f} ms"
        print(timing, file=out)
        print(f"every fastreg gap <= tol: {bool(np.all(gaps <= gap_tol))}", file=out)
    if reference is None:
        print("\n(scikit-learn is not installed: pip install 'fastreg[test]' for the "
              "side-by-side comparison)", file=out)
    return 0


BENCH_PROG = "python -m fastreg bench"
BENCH_NEEDS = ("sklearn", "threadpoolctl")


def bench_script():
    """Path of ``scripts/bench_vs_sklearn.py`` in the source checkout holding fastreg."""
    import fastreg

    return Path(fastreg.__file__).resolve().parents[1] / "scripts" / "bench_vs_sklearn.py"


def bench(argv, script=None, err=None):
    """Run the benchmark script in this process with the options ``argv``.

    Returns the script's exit status; ``--help`` and bad options exit through
    the script's own argparse (status 0 or 2, with its usage message). A
    missing script or missing bench extras give a message and status 1.
    """
    err = sys.stderr if err is None else err
    script = bench_script() if script is None else Path(script)
    if not script.is_file():
        print(f"{BENCH_PROG}: the benchmark script {script} is not there. It ships with "
              "the source repository, not with an installed package: run this command "
              "from a source checkout of fastreg (pip install -e '.[bench]').", file=err)
        return 1
    missing = [name for name in BENCH_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        print(f"{BENCH_PROG} needs {' and '.join(missing)}: "
              "pip install 'fastreg[bench]'", file=err)
        return 1
    module = runpy.run_path(str(script), run_name="fastreg_bench_vs_sklearn")
    saved = sys.argv[0]
    sys.argv[0] = BENCH_PROG  # the script's argparse names itself after argv[0]
    try:
        return module["main"](list(argv))
    finally:
        sys.argv[0] = saved


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m fastreg",
        description="fastreg: certified lasso / elastic-net paths on Numba.",
        epilog="'python -m fastreg bench --help' lists the benchmark's options.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{demo,bench}")
    sub.add_parser("demo", help="fit the diabetes lasso and elastic-net paths and "
                                "compare them with scikit-learn's",
                   description="Fit the lasso and elastic-net paths of the diabetes data "
                               "and print them beside scikit-learn's.")
    # the bench options belong to the script; they are forwarded, --help included
    sub.add_parser("bench", add_help=False,
                   help="time fastreg against scikit-learn on the benchmark problems "
                        "(scripts/bench_vs_sklearn.py; options: --quick, --problems, "
                        "--reps, --tiny-reps, --threads, --seed, --markdown, --strict)")
    return parser


def main(argv=None):
    """Entry point of ``python -m fastreg``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser()
    word = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), None)
    if word is not None and argv[word] == "bench":
        # everything after 'bench' is the script's; what comes before is checked here
        parser.parse_args(argv[:word + 1])
        return bench(argv[word + 1:])
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 2  # pragma: no cover  (argparse rejects unknown commands)


if __name__ == "__main__":
    sys.exit(main())
