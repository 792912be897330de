"""asv history: fastreg's time against scikit-learn's over the project's commits.

The results of the reference machine are kept in the repository, in
``asv_benchmarks/history/results/`` (asv's own results layout: one JSON file
per commit, the machine description and ``benchmarks.json``), so that anyone
can draw the figures and the next run only adds commits. Usage (from anywhere
in the repository)::

    python scripts/asv_history.py run               # commits that touched fastreg/ since the newest kept
    python scripts/asv_history.py run --sample 11   # an evenly spread sample of all such commits
    python scripts/asv_history.py run 1a2b3c4 HEAD  # these commits
    python scripts/asv_history.py plot              # figures and table from the kept results
    python scripts/asv_history.py run --dry-run     # print the commits and the asv command only

``run`` calls, in ``asv_benchmarks/``::

    python -m asv run --machine MACHINE -a rounds=1 --skip-existing --bench REGEX HASHFILE:<commits>

which builds every commit in a virtualenv with the pinned dependencies of
``asv.conf.json`` (scikit-learn pinned, so it is the same control in every
run), then copies the new result files into the history and redraws the
figures. By default only the ``*VsSklearn`` benchmarks run: each times fastreg
and scikit-learn in turn in one process (``track_time_ratio`` =
``t_fastreg / t_sklearn``, best of 3 each), which cancels most of the noise of
a shared machine, and checks the objective against scikit-learn's
(``track_objective_excess``) or the chosen alpha (``track_alpha_ratio``).
Commits from before a benchmarked function existed give no value there.

``plot`` writes, into ``docs/_static/asv/``:

* ``time_ratio.png``: ``t_fastreg / t_sklearn`` per benchmark and problem over
  the commits (log scale; below 1 is faster than scikit-learn);
* ``accuracy.png``: the objective excess over scikit-learn's along the lasso
  and elastic-net paths, and the ratio of the alphas the CV functions choose;
* ``time_ratio.csv``: the numbers of the first figure, one row per commit;
* ``commits.csv``: the benchmarked commits with their dates and subjects.

Run ``run`` on the reference machine only (``--machine``, default
``fastreg-ref``; where ``~/.asv-machine.json`` does not describe it, the
description kept in the history is installed). Times from another machine
belong under another machine name. Where ``OPENBLAS_CORETYPE`` /
``OPENBLAS_L2_SIZE`` are set, this script removes them for asv, as the
benchmark conventions require.
"""

import argparse
import csv
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASV_DIR = ROOT / "asv_benchmarks"
HISTORY_DIR = ASV_DIR / "history" / "results"
FIGURE_DIR = ROOT / "docs" / "_static" / "asv"
MACHINE = "fastreg-ref"
DEFAULT_BENCH = "VsSklearn"
PACKAGE_PATH = "fastreg/"

# panels of the time figure: (asv benchmark name, title)
TIME_BENCHMARKS = [
    ("bench_path.LassoPathVsSklearn.track_time_ratio", "lasso_path"),
    ("bench_path.EnetPathVsSklearn.track_time_ratio", "enet_path (l1_ratio=0.5)"),
    ("bench_cv.LassoCVVsSklearn.track_time_ratio", "lasso_cv vs LassoCV (10 folds)"),
    ("bench_ridge.RidgeRegressionVsSklearn.track_time_ratio", "ridge_regression"),
    ("bench_ridge.RidgePathVsSklearn.track_time_ratio", "ridge_path vs loop of Ridge"),
    ("bench_ridge.RidgeCVVsSklearn.track_time_ratio", "ridge_cv vs RidgeCV (LOO)"),
]
ACCURACY_BENCHMARKS = [
    ("bench_path.LassoPathVsSklearn.track_objective_excess", "lasso_path: objective excess",
     "max_k (P_fastreg - P_sklearn) / P_sklearn"),
    ("bench_path.EnetPathVsSklearn.track_objective_excess", "enet_path: objective excess",
     "max_k (P_fastreg - P_sklearn) / P_sklearn"),
    ("bench_cv.LassoCVVsSklearn.track_alpha_ratio", "lasso_cv: chosen alpha",
     "alpha_fastreg / alpha_sklearn"),
    ("bench_ridge.RidgeCVVsSklearn.track_alpha_ratio", "ridge_cv: chosen alpha",
     "alpha_fastreg / alpha_sklearn"),
]


# --------------------------------------------------------------------- git
def git(*args):
    """Output of a read-only git command in the repository, stripped."""
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def package_commits(rev="HEAD"):
    """Full hashes of the first-parent commits that touched ``fastreg/``, oldest first."""
    out = git("rev-list", "--first-parent", "--reverse", rev, "--", PACKAGE_PATH)
    return out.split()


def evenly_spread(items, n):
    """``n`` items spread evenly over ``items`` (the first and the last included)."""
    items = list(items)
    if n <= 0:
        raise ValueError(f"the sample size must be positive, got {n}")
    if n >= len(items):
        return items
    if n == 1:
        return [items[-1]]
    picks = sorted({round(i * (len(items) - 1) / (n - 1)) for i in range(n)})
    return [items[i] for i in picks]


def commit_order(rev="HEAD"):
    """Position of every first-parent commit, oldest 0 (for ordering results)."""
    return {h: i for i, h in enumerate(git("rev-list", "--first-parent", "--reverse",
                                           rev).split())}


def describe(commit):
    """``(short hash, ISO date, subject)`` of a commit."""
    short, date, subject = git("log", "-1", "--format=%h%x00%cs%x00%s", commit).split("\0")
    return short, date, subject


# ------------------------------------------------------------------ results
def load_results(machine=MACHINE, history=HISTORY_DIR):
    """Kept results of ``machine``: ``{commit: {benchmark: {param: value}}}`` and dates.

    A value is a float, or NaN where the benchmark did not run on that commit
    (the function did not exist yet) or failed.
    """
    results, dates = {}, {}
    directory = Path(history) / machine
    for path in sorted(directory.glob("*.json")):
        if path.name == "machine.json":
            continue
        data = json.loads(path.read_text())
        columns = data.get("result_columns", ["result", "params"])
        i_result, i_params = columns.index("result"), columns.index("params")
        commit = data["commit_hash"]
        dates[commit] = data.get("date")
        table = results.setdefault(commit, {})
        for name, row in data.get("results", {}).items():
            values = row[i_result] if len(row) > i_result else None
            params = row[i_params] if len(row) > i_params else []
            combos = [", ".join(p.strip("'") for p in combo)
                      for combo in itertools.product(*params)] or [""]
            if values is None:
                values = [None] * len(combos)
            table[name] = {combo: (math.nan if v is None else float(v))
                           for combo, v in zip(combos, values)}
    return results, dates


def ordered_commits(results, dates, order=None):
    """Commits of ``results`` in history order (first-parent position, then date)."""
    order = commit_order() if order is None else order
    return sorted(results, key=lambda c: (order.get(c, math.inf), dates.get(c) or 0))


def series(results, commits, benchmark):
    """``{param: [value per commit]}`` of one benchmark (NaN where missing)."""
    params = []
    for c in commits:
        for p in results[c].get(benchmark, {}):
            if p not in params:
                params.append(p)
    return {p: [results[c].get(benchmark, {}).get(p, math.nan) for c in commits]
            for p in params}


# ------------------------------------------------------------------ figures
def plot(machine=MACHINE, history=HISTORY_DIR, out_dir=FIGURE_DIR, order=None, labels=None):
    """Draw ``time_ratio.png`` and ``accuracy.png`` and write ``time_ratio.csv``.

    ``order`` (commit -> position) and ``labels`` (commit -> (short, date,
    subject)) default to what git says; tests pass their own.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    results, dates = load_results(machine, history)
    if not results:
        raise SystemExit(f"asv_history.py: no results of machine {machine!r} in {history}")
    commits = ordered_commits(results, dates, order)
    if labels is None:
        labels = {c: describe(c) for c in commits}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    x = list(range(len(commits)))
    ticklabels = [f"{labels[c][0]}\n{labels[c][1][5:]}" for c in commits]

    def style_x(ax):
        ax.set_xticks(x, ticklabels, fontsize=7, rotation=60, ha="right",
                      rotation_mode="anchor")
        ax.set_xlim(-0.4, len(commits) - 0.6)
        ax.grid(True, color="0.9")
        ax.set_axisbelow(True)

    machine_info = _machine_description(machine, history)
    # one log scale for every panel, so that heights compare across benchmarks
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True,
                             layout="constrained")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    for ax, (bench, title) in zip(axes.flat, TIME_BENCHMARKS):
        for k, (param, values) in enumerate(series(results, commits, bench).items()):
            ax.plot(x, values, "o-", color=f"C{k}", markersize=4, label=param)
        ax.axhline(1.0, color="0.3", linewidth=1, linestyle="--")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(title, fontsize=10)
        style_x(ax)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, title="problem", title_fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("t_fastreg / t_sklearn (log)")
    for ax in axes[-1]:
        ax.set_xlabel("commit (short hash, month-day)")
    fig.suptitle("fastreg's time over scikit-learn's on the same problem, by commit "
                 "(below the dashed line: fastreg faster)\n" + machine_info, fontsize=11)
    fig.savefig(out_dir / "time_ratio.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True, layout="constrained")
    for ax, (bench, title, unit) in zip(axes.flat, ACCURACY_BENCHMARKS):
        for k, (param, values) in enumerate(series(results, commits, bench).items()):
            ax.plot(x, values, "o-", color=f"C{k}", markersize=4, label=param)
        if "excess" in bench:
            ax.set_yscale("symlog", linthresh=1e-8)
            ax.axhline(0.0, color="0.3", linewidth=1, linestyle="--")
        else:
            ax.axhline(1.0, color="0.3", linewidth=1, linestyle="--")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        style_x(ax)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, title="problem", title_fontsize=7)
    fig.suptitle("Agreement with scikit-learn by commit (both at tol=1e-4)\n" + machine_info,
                 fontsize=11)
    fig.savefig(out_dir / "accuracy.png", dpi=110)
    plt.close(fig)

    with open(out_dir / "time_ratio.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        columns = [(bench, title, param) for bench, title in TIME_BENCHMARKS
                   for param in series(results, commits, bench)]
        writer.writerow(["commit", "date"] + [f"{title.split()[0]} {param}"
                                              for _, title, param in columns])
        for i, c in enumerate(commits):
            row = [labels[c][0], labels[c][1]]
            for bench, _, param in columns:
                value = results[c].get(bench, {}).get(param, math.nan)
                row.append("" if math.isnan(value) else f"{value:.2f}")
            writer.writerow(row)
    with open(out_dir / "commits.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["commit", "date", "subject"])
        for c in commits:
            short, date, subject = labels[c]
            writer.writerow([short, date, subject if len(subject) <= 90 else subject[:87] + "..."])
    return commits


def _machine_description(machine, history):
    path = Path(history) / machine / "machine.json"
    if not path.is_file():
        return f"machine {machine}"
    info = json.loads(path.read_text())
    return (f"machine {machine}: {info.get('cpu', '?')}, {info.get('ram', '?')} RAM, "
            f"{info.get('os', '?')}; one thread each; best of 3 per library per commit")


# ---------------------------------------------------------------------- run
def commits_to_run(args):
    """Full hashes to benchmark for ``args`` (not those already kept)."""
    kept = set(load_results(args.machine, args.history)[0])
    if args.commits:
        wanted = [git("rev-parse", "--verify", f"{c}^{{commit}}") for c in args.commits]
    elif args.sample:
        wanted = evenly_spread(package_commits(), args.sample)
    else:
        touched = package_commits()
        order = {c: i for i, c in enumerate(touched)}
        newest = max((order[c] for c in kept if c in order), default=None)
        wanted = touched[newest + 1:] if newest is not None else touched[-1:]
    return [c for c in wanted if c not in kept]


def asv_command(args, hashfile):
    """The ``asv run`` command line."""
    command = [sys.executable, "-m", "asv", "run", "--machine", args.machine,
               "-a", "rounds=1", "--skip-existing", "--show-stderr"]
    for regex in args.bench:
        command += ["--bench", regex]
    return command + [f"HASHFILE:{hashfile}"]


def _ensure_machine(machine, history):
    """Install the kept machine description into ``~/.asv-machine.json`` when missing."""
    path = Path(os.path.expanduser("~/.asv-machine.json"))
    known = json.loads(path.read_text()) if path.is_file() else {"version": 1}
    if machine in known:
        return
    kept = Path(history) / machine / "machine.json"
    if kept.is_file():
        info = {k: v for k, v in json.loads(kept.read_text()).items() if k != "version"}
    else:
        info = {"machine": machine}
    known[machine] = info
    path.write_text(json.dumps(known, indent=4))


def copy_results(machine, history, commits):
    """Copy asv's results of ``commits`` (and the machine and benchmark files) into the history."""
    source = ASV_DIR / "results"
    target = Path(history)
    (target / machine).mkdir(parents=True, exist_ok=True)
    copied = []
    for path in (source / machine).glob("*.json"):
        if path.name == "machine.json" or any(path.name.startswith(c[:8]) for c in commits):
            shutil.copy2(path, target / machine / path.name)
            copied.append(path.name)
    if (source / "benchmarks.json").is_file():
        shutil.copy2(source / "benchmarks.json", target / "benchmarks.json")
    return copied


def run(args):
    commits = commits_to_run(args)
    if not commits:
        print("asv_history.py: every requested commit is in the history already")
    else:
        print(f"asv_history.py: {len(commits)} commit(s) to benchmark:")
        for c in commits:
            print("  " + " ".join(describe(c)))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(commits) + "\n")
        hashfile = handle.name
    command = asv_command(args, hashfile)
    print("in asv_benchmarks/: " + " ".join(command))
    if args.dry_run or not commits:
        os.unlink(hashfile)
        return 0
    _ensure_machine(args.machine, args.history)
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    try:
        status = subprocess.run(command, cwd=ASV_DIR, env=env).returncode
    finally:
        os.unlink(hashfile)
    copied = copy_results(args.machine, args.history, commits)
    print(f"asv_history.py: {len(copied)} file(s) copied into {args.history}")
    if not args.no_plot:
        plot(args.machine, args.history)
        print(f"asv_history.py: figures written to {FIGURE_DIR}")
    return status


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="asv_history.py",
        description="Run the asv suite over fastreg's commits and keep the results of the "
                    "reference machine in asv_benchmarks/history/; draw the figures.")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="benchmark commits and add them to the history")
    run_parser.add_argument("commits", nargs="*",
                            help="commits to benchmark (default: those that touched "
                                 "fastreg/ after the newest kept one)")
    run_parser.add_argument("--sample", type=int, default=None, metavar="N",
                            help="an evenly spread sample of N commits that touched fastreg/")
    run_parser.add_argument("--bench", "-b", action="append", default=None, metavar="REGEX",
                            help=f"benchmarks to run (default: {DEFAULT_BENCH!r})")
    run_parser.add_argument("--no-plot", action="store_true", help="do not redraw the figures")
    run_parser.add_argument("--dry-run", action="store_true",
                            help="print the commits and the asv command only")
    sub.add_parser("plot", help="draw the figures from the kept results")
    for p in (run_parser, sub.choices["plot"]):
        p.add_argument("--machine", default=MACHINE, help="asv machine name")
        p.add_argument("--history", type=Path, default=HISTORY_DIR,
                       help="the kept asv results directory")
    args = parser.parse_args(argv)
    if args.command == "run":
        if args.commits and args.sample:
            parser.error("give commits or --sample, not both")
        if args.sample is not None and args.sample < 1:
            parser.error("--sample must be positive")
        args.bench = args.bench or [DEFAULT_BENCH]
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.command == "run":
        return run(args)
    commits = plot(args.machine, args.history)
    print(f"asv_history.py: {len(commits)} commits drawn into {FIGURE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
