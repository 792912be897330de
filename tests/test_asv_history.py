"""scripts/asv_history.py and the asv results kept in asv_benchmarks/history/."""

import csv
import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "asv_history.py"


@pytest.fixture(scope="module")
def history():
    spec = importlib.util.spec_from_file_location("_asv_history_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parse_args(history):
    args = history.parse_args(["run"])
    assert args.bench == ["VsSklearn"] and args.machine == "fastreg-ref"
    assert args.commits == [] and args.sample is None
    args = history.parse_args(["run", "--sample", "9", "-b", "LassoPath", "--dry-run"])
    assert args.sample == 9 and args.bench == ["LassoPath"] and args.dry_run
    assert history.parse_args(["plot", "--machine", "other"]).machine == "other"
    for bad in (["run", "--sample", "3", "HEAD"], ["run", "--sample", "0"], []):
        with pytest.raises(SystemExit):
            history.parse_args(bad)


def test_asv_command(history, tmp_path):
    args = history.parse_args(["run", "-b", "A", "-b", "B"])
    command = history.asv_command(args, tmp_path / "hashes.txt")
    assert command[1:4] == ["-m", "asv", "run"]
    assert ["--machine", "fastreg-ref"] == command[4:6]
    assert "--skip-existing" in command and "rounds=1" in command
    assert command[-5:] == ["--bench", "A", "--bench", "B", f"HASHFILE:{tmp_path / 'hashes.txt'}"]


@pytest.mark.parametrize("n_items, n, expected", [
    (10, 4, [0, 3, 6, 9]),
    (10, 1, [9]),
    (3, 5, [0, 1, 2]),
    (11, 11, list(range(11))),
    (31, 11, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]),
])
def test_evenly_spread(history, n_items, n, expected):
    assert history.evenly_spread(range(n_items), n) == expected


def _write_result(directory, commit, date, values):
    """A minimal asv (format 2) result file; values: {benchmark: (params, results)}."""
    directory.mkdir(parents=True, exist_ok=True)
    data = {
        "commit_hash": commit, "date": date, "version": 2,
        "result_columns": ["result", "params", "version", "started_at", "duration"],
        "results": {name: [results, [[repr(p) for p in params]], "v", 0, 1.0]
                    for name, (params, results) in values.items()},
    }
    (directory / f"{commit[:8]}-env-x.json").write_text(json.dumps(data))


def test_load_plot_and_table_from_a_synthetic_history(history, tmp_path):
    pytest.importorskip("matplotlib")
    results_dir = tmp_path / "results"
    machine_dir = results_dir / "m"
    lasso = "bench_path.LassoPathVsSklearn.track_time_ratio"
    ridge = "bench_ridge.RidgeCVVsSklearn.track_time_ratio"
    excess = "bench_path.LassoPathVsSklearn.track_objective_excess"
    commits = ["a" * 40, "b" * 40, "c" * 40]
    _write_result(machine_dir, commits[1], 2, {
        lasso: (["dense", "sparse"], [0.5, 1.5]), ridge: (["dense"], [None]),
        excess: (["dense", "sparse"], [1e-7, -1e-9])})
    _write_result(machine_dir, commits[0], 1, {lasso: (["dense", "sparse"], [0.8, 2.0])})
    _write_result(machine_dir, commits[2], 3, {
        lasso: (["dense", "sparse"], [0.4, 1.2]), ridge: (["dense"], [0.1])})
    (machine_dir / "machine.json").write_text(json.dumps({"cpu": "test cpu", "ram": "1GB"}))

    results, dates = history.load_results("m", results_dir)
    assert set(results) == set(commits)
    assert results[commits[1]][lasso] == {"dense": 0.5, "sparse": 1.5}
    assert math.isnan(results[commits[1]][ridge]["dense"])
    order = {c: i for i, c in enumerate(commits)}
    # the history order wins over the file order
    assert history.ordered_commits(results, dates, order) == commits
    assert history.series(results, commits, lasso) == {"dense": [0.8, 0.5, 0.4],
                                                       "sparse": [2.0, 1.5, 1.2]}

    labels = {c: (c[:7], f"2026-11-2{i}", "subject") for i, c in enumerate(commits)}
    out = tmp_path / "figures"
    drawn = history.plot("m", results_dir, out, order=order, labels=labels)
    assert drawn == commits
    for name in ("time_ratio.png", "accuracy.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.reader((out / "time_ratio.csv").open()))
    assert rows[0] == ["commit", "date", "lasso_path dense", "lasso_path sparse",
                       "ridge_cv dense"]
    assert rows[1] == ["aaaaaaa", "2026-11-20", "0.80", "2.00", ""]
    assert rows[3] == ["ccccccc", "2026-11-22", "0.40", "1.20", "0.10"]
    rows = list(csv.reader((out / "commits.csv").open()))
    assert rows[0] == ["commit", "date", "subject"] and rows[1] == ["aaaaaaa", "2026-11-20", "subject"]


def test_dry_run_lists_commits_without_running_asv(history, capsys, tmp_path):
    status = history.main(["run", "--dry-run", "--history", str(tmp_path), "HEAD"])
    assert status == 0
    out = capsys.readouterr().out
    assert "1 commit(s) to benchmark" in out
    assert "HASHFILE:" in out and "--machine fastreg-ref" in out


def test_kept_history_covers_the_project(history):
    """The reference machine's results are in the repository, with figures drawn from them."""
    results, dates = history.load_results()
    assert len(results) >= 8
    lasso = "bench_path.LassoPathVsSklearn.track_time_ratio"
    for commit, table in results.items():
        values = table[lasso]
        assert set(values) == {"dense-tall", "dense-wide", "sparse"}, commit
        assert all(0 < v < 100 for v in values.values()), (commit, values)
    assert (ROOT / "asv_benchmarks" / "history" / "results" / "fastreg-ref"
            / "machine.json").is_file()
    assert (ROOT / "asv_benchmarks" / "history" / "results" / "benchmarks.json").is_file()
    for name in ("time_ratio.png", "accuracy.png", "time_ratio.csv", "commits.csv"):
        assert (ROOT / "docs" / "_static" / "asv" / name).is_file(), name
