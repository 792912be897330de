"""Command line: ``python -m fastreg demo`` and ``python -m fastreg bench``.

The demo works on the diabetes data shipped with fastreg: the lasso and
elastic-net paths next to scikit-learn's (the same alphas, nonzeros, duality
gaps, the largest coefficient difference, the time of each library), 10-fold
lasso CV with the best and one-standard-error alphas against ``LassoCV``,
ridge by exact leave-one-out against ``RidgeCV`` and the evidence-maximizing
alpha against ``BayesianRidge``; with matplotlib it writes the path and CV
plots as PNG into a directory of their own (``fastreg_demo_output`` in the
current directory unless ``--plots-dir`` says otherwise) and prints where.

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

import fastreg
from fastreg import bayes
from fastreg.plot import plot_cv, plot_path


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


# where the demo writes its plots unless told otherwise: a directory of its
# own (git-ignored in the repository), not the current directory itself
DEFAULT_PLOTS_DIR = "fastreg_demo_output"

# the diabetes columns, as scikit-learn names them (s1-s6: blood serum measurements)
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1 tc", "s2 ldl", "s3 hdl", "s4 tch",
                     "s5 ltg", "s6 glu")


def demo(out=sys.stdout, plots_dir=DEFAULT_PLOTS_DIR):
    """Fit the diabetes paths, 10-fold CV, ridge LOO and evidence; compare with scikit-learn.

    Writes the lasso path and CV plots as PNG into ``plots_dir`` (created if
    needed; None: no plots) when matplotlib is installed, and prints where.
    """

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
    cv_result = _demo_cv(X, y, out, with_sklearn=reference is not None)
    _demo_ridge(X, y, out, with_sklearn=reference is not None)
    if reference is None:
        print("\n(scikit-learn is not installed: pip install 'fastreg[test]' for the "
              "side-by-side comparison)", file=out)
    if plots_dir is not None:
        _demo_plots(X, y, cv_result, Path(plots_dir), out)
    return 0


def _demo_cv(X, y, out, *, with_sklearn):
    """10-fold lasso CV, the one-standard-error alpha, and scikit-learn's LassoCV."""

    tol = 1e-8
    fastreg.lasso_cv(X, y, cv=10, tol=tol)  # JIT warm-up
    res, seconds = _timed(fastreg.lasso_cv, X, y, cv=10, tol=tol, repeat=5)
    print(f"\n10-fold lasso CV (KFold without shuffling, 100 alphas, tol={tol}):", file=out)
    print(f"  best alpha {res.alpha:.5g} ({np.count_nonzero(res.coef)} nonzeros, "
          f"CV error {res.cv_mean[res.best_index]:.1f} +- "
          f"{res.cv_std_error[res.best_index]:.1f}); one-standard-error alpha "
          f"{res.alpha_1se:.5g} ({int(res.n_nonzero[res.index_1se])} nonzeros)", file=out)
    line = f"  time: fastreg {seconds * 1e3:.1f} ms"
    if with_sklearn:
        from sklearn.linear_model import LassoCV

        sk, sk_seconds = _timed(lambda: LassoCV(cv=10, tol=tol).fit(X, y), repeat=3)
        line += (f", scikit-learn LassoCV {sk_seconds * 1e3:.1f} ms (alpha_ "
                 f"{sk.alpha_:.5g}, max |coef diff| {np.abs(sk.coef_ - res.coef).max():.2g})")
    print(line, file=out)
    return res


def _demo_ridge(X, y, out, *, with_sklearn):
    """Ridge by exact leave-one-out, and the evidence-maximizing (Bayesian) alpha."""

    alphas = np.logspace(-4, 2, 50)
    loo, seconds = _timed(fastreg.ridge_cv, X, y, alphas, repeat=5)
    print(f"\nridge, exact leave-one-out over {alphas.size} alphas: alpha {loo.alpha:.4g}, "
          f"LOO error {loo.cv_error.min():.1f}", file=out)
    line = f"  time: fastreg {seconds * 1e3:.2f} ms"
    if with_sklearn:
        from sklearn.linear_model import RidgeCV

        sk, sk_seconds = _timed(lambda: RidgeCV(alphas=alphas).fit(X, y), repeat=5)
        line += (f", scikit-learn RidgeCV {sk_seconds * 1e3:.2f} ms (alpha_ {sk.alpha_:.4g}, "
                 f"max |coef diff| {np.abs(sk.coef_ - loo.coef).max():.2g})")
    print(line, file=out)
    ev, seconds = _timed(bayes.bayesian_ridge, X, y, repeat=5)
    print(f"evidence maximization (MacKay): noise precision {ev.noise_precision:.4g}, "
          f"weight precision {ev.weight_precision:.4g}, ridge alpha = ratio "
          f"{ev.alpha:.4g}", file=out)
    line = f"  time: fastreg {seconds * 1e3:.2f} ms"
    if with_sklearn:
        from sklearn.linear_model import BayesianRidge

        sk, sk_seconds = _timed(lambda: BayesianRidge().fit(X, y), repeat=5)
        line += (f", scikit-learn BayesianRidge {sk_seconds * 1e3:.2f} ms (lambda_/alpha_ "
                 f"{sk.lambda_ / sk.alpha_:.4g}, max |coef diff| "
                 f"{np.abs(sk.coef_ - ev.coef).max():.2g})")
    print(line, file=out)


def _demo_plots(X, y, cv_result, directory, out):
    """The lasso path and the CV curve as PNG files, when matplotlib is installed."""
    if importlib.util.find_spec("matplotlib") is None:
        print("\n(matplotlib is not installed: pip install 'fastreg[plot]' for the plots)",
              file=out)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt


    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    alphas, coefs, _ = fastreg.lasso_path(X, y, alphas=100, tol=1e-8)
    n, p = X.shape
    names = list(DIABETES_FEATURES) if p == len(DIABETES_FEATURES) else None
    plots = (
        ("lasso_path", lambda ax: plot_path(
            alphas, coefs, ax=ax, feature_names=names, legend=6,
            title=f"Lasso path, diabetes data ({n} x {p})")),
        ("lasso_cv", lambda ax: plot_cv(
            cv_result, ax=ax, title=f"{_n_folds(cv_result)}-fold lasso cross-validation, "
                                    "diabetes data")),
    )
    written = []
    for name, draw in plots:
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        draw(ax)
        path = directory / f"fastreg_{name}.png"
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path.name)
    print(f"\nplots written to {directory}: " + ", ".join(written), file=out)


def _n_folds(cv_result):
    return np.shape(cv_result.mse_path)[-1]


BENCH_PROG = "python -m fastreg bench"
BENCH_NEEDS = ("sklearn", "threadpoolctl")


def bench_script():
    """Path of ``scripts/bench_vs_sklearn.py`` in the source checkout holding fastreg."""

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
    demo_parser = sub.add_parser(
        "demo", help="fit the diabetes paths, 10-fold CV, ridge LOO and evidence, and "
                     "compare with scikit-learn",
        description="Fit the lasso and elastic-net paths of the diabetes data, 10-fold "
                    "lasso CV, ridge by exact leave-one-out and by evidence maximization, "
                    "and print each beside scikit-learn's; write the path and CV plots as "
                    "PNG when matplotlib is installed.")
    demo_parser.add_argument("--plots-dir", default=DEFAULT_PLOTS_DIR, metavar="DIR",
                             help="directory for fastreg_lasso_path.png and "
                                  "fastreg_lasso_cv.png, created if needed (default: "
                                  f"{DEFAULT_PLOTS_DIR}/ in the current directory)")
    demo_parser.add_argument("--no-plots", action="store_true", help="write no plots")
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
        return demo(plots_dir=None if args.no_plots else args.plots_dir)
    return 2  # pragma: no cover  (argparse rejects unknown commands)


if __name__ == "__main__":
    sys.exit(main())
