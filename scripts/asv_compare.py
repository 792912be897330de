"""Compare two commits of fastreg with asv: ``asv continuous`` then ``asv compare``.

Usage (from anywhere in the repository)::

    python scripts/asv_compare.py                       # main~1 against main
    python scripts/asv_compare.py v0.1.0 HEAD --factor 1.2 --bench 'LassoPath'
    python scripts/asv_compare.py --dry-run             # print the asv commands only

Runs, in ``asv_benchmarks/``::

    python -m asv continuous --factor F [--bench REGEX ...] BASE HEAD
    python -m asv compare --factor F [--split] BASE HEAD

``asv continuous`` builds each commit in its own virtualenv with the pinned
dependencies of ``asv_benchmarks/asv.conf.json`` (the first run downloads them
and takes several minutes), runs the benchmarks for both and lists the changed
ones; ``asv compare`` then prints the whole table. The exit status is that of
``asv continuous``: 1 when a benchmark got worse by more than ``--factor``
(for ``track_time_ratio`` and ``track_dual_gap`` a rise is a regression, as for
times), 2 when asv is missing or the arguments are wrong.

asv needs a machine description once per user (``~/.asv-machine.json``); this
script creates one with ``asv machine --yes`` when it is missing.
"""

import argparse
import importlib.util
import os
import subprocess
import sys

ASV_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "asv_benchmarks")


def parse_args(argv=None):
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        prog="asv_compare.py",
        description="Run 'asv continuous BASE HEAD' in asv_benchmarks/ and print "
                    "'asv compare BASE HEAD'.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("base", nargs="?", default="main~1",
                        help="reference commit, branch or tag")
    parser.add_argument("head", nargs="?", default="main",
                        help="commit, branch or tag to test against BASE")
    parser.add_argument("--factor", "-f", type=float, default=1.1,
                        help="ratio above (or below 1/factor) which a change is reported")
    parser.add_argument("--bench", "-b", action="append", default=None, metavar="REGEX",
                        help="only benchmarks matching this regular expression "
                             "(passed to asv; may be repeated)")
    parser.add_argument("--split", action="store_true",
                        help="split the comparison into improved / unchanged / worse")
    parser.add_argument("--quick", action="store_true",
                        help="run each benchmark once (smoke test: asv saves no results, "
                             "so only asv continuous's own summary is printed)")
    parser.add_argument("--machine", default=None, help="asv machine name")
    parser.add_argument("--asv-dir", default=ASV_DIR,
                        help="directory holding asv.conf.json")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the asv commands without running them")
    args = parser.parse_args(argv)
    if not args.factor > 1.0:
        parser.error("--factor must be greater than 1")
    return args


def build_commands(args):
    """The ``asv continuous`` and ``asv compare`` command lines for ``args``."""
    asv = [sys.executable, "-m", "asv"]
    common = ["--factor", repr(args.factor)]
    if args.machine:
        common += ["--machine", args.machine]
    continuous = asv + ["continuous"] + common
    if args.quick:
        continuous.append("--quick")
    for regex in args.bench or ():
        continuous += ["--bench", regex]
    continuous += [args.base, args.head]
    compare = asv + ["compare"] + common
    if args.split:
        compare.append("--split")
    compare += [args.base, args.head]
    return continuous, compare


def asv_available():
    """Whether this Python can run ``python -m asv``."""
    return importlib.util.find_spec("asv") is not None


def main(argv=None):
    args = parse_args(argv)
    if not asv_available():
        print("error: asv is not installed for this Python "
              f"({sys.executable}); install it with: {sys.executable} -m pip install 'asv>=0.6' "
              "(or the 'bench' extra: pip install -e '.[bench]')", file=sys.stderr)
        return 2
    if not os.path.isfile(os.path.join(args.asv_dir, "asv.conf.json")):
        print(f"error: no asv.conf.json in {args.asv_dir}", file=sys.stderr)
        return 2
    continuous, compare = build_commands(args)
    machine_file = os.path.join(os.path.expanduser("~"), ".asv-machine.json")
    commands = []
    if not os.path.exists(machine_file):
        commands.append([sys.executable, "-m", "asv", "machine", "--yes"])
    commands.append(continuous)
    if not args.quick:
        commands.append(compare)
    if args.dry_run:
        for cmd in commands:
            print(" ".join(cmd))
        return 0
    status = 0
    for cmd in commands:
        print("$ " + " ".join(cmd), flush=True)
        rc = subprocess.call(cmd, cwd=args.asv_dir)
        if cmd is continuous:
            status = rc  # 1: regressions found; compare still prints the table
            if rc not in (0, 1):
                return rc
        elif rc != 0:
            return rc
    return status


if __name__ == "__main__":
    sys.exit(main())
