"""Smoke test of ``scripts/bench_other_solvers.py`` (the other benchmark scripts are
covered by ``test_main.py`` and ``test_asv.py``)."""

import importlib
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "bench_other_solvers.py")


def import_script(name):
    """The module of ``scripts/<name>.py`` (imported with ``scripts/`` on the path)."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def test_bench_other_solvers_quick_scores_every_solver(tmp_path):
    out = tmp_path / "other.md"
    result = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--problems", "wide", "--markdown", str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    table = out.read_text()
    rows = [line for line in table.splitlines() if line.startswith("| wide ")]
    libraries = [row.split("|")[3].strip() for row in rows]
    assert libraries[:2] == ["fastreg", "scikit-learn"]
    for row in rows[:2]:
        cells = [cell.strip() for cell in row.split("|")]
        assert float(cells[6]) <= 1.0  # both reach scikit-learn's gap at every alpha
        assert cells[8] == "matched"


def test_bench_other_solvers_rejects_unknown_problems():
    result = subprocess.run([sys.executable, SCRIPT, "--problems", "nope"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    assert "unknown problems" in result.stderr


CURVES = os.path.join(ROOT, "scripts", "bench_curves.py")


def test_bench_curves_quick_scores_every_run(tmp_path):
    md, png, js = tmp_path / "curves.md", tmp_path / "curves.png", tmp_path / "runs.json"
    result = subprocess.run(
        [sys.executable, CURVES, "--quick", "--cache-dir", str(tmp_path / "cache"),
         "--markdown", str(md), "--figure", str(png), "--json", str(js)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    rows = [line.split("|") for line in md.read_text().splitlines()
            if line.startswith("| diabetes ")]
    assert {row[4].strip() for row in rows} == {"fastreg", "scikit-learn"}
    for row in rows:
        assert 0.0 <= float(row[7]) < 1.0 and 0.0 <= float(row[8]) <= float(row[7])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((tmp_path / "cache").glob("diabetes-*-ref.npz"))  # the cached reference
    import json

    runs = json.loads(js.read_text())
    # at the default tol fastreg is at least as accurate as scikit-learn at every alpha
    fr, sk = ([r for r in runs if r["solver"] == s and r["tol"] == 1e-4][0]["rel"]
              for s in ("fastreg", "scikit-learn"))
    assert all(a <= b + 1e-9 for a, b in zip(fr, sk))


def test_bench_curves_rejects_unknown_names():
    result = subprocess.run([sys.executable, CURVES, "--solvers", "nope"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    assert "unknown solvers" in result.stderr


REVISIONS = os.path.join(ROOT, "scripts", "bench_revisions.py")


def test_bench_revisions_times_two_checkouts(tmp_path):
    """Two checkouts (here the same one twice) timed alternately on a quick problem."""
    out = tmp_path / "table.md"
    proc = subprocess.run([sys.executable, REVISIONS, ROOT, ROOT, "--quick", "--rounds", "1",
                           "--reps", "1", "--problems", "dense", "--markdown", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    row = [line for line in out.read_text().splitlines() if line.startswith("| dense |")]
    assert len(row) == 1 and float(row[0].split("|")[4]) > 0


def test_bench_revisions_rejects_unknown_problems():
    proc = subprocess.run([sys.executable, REVISIONS, ROOT, "--problems", "nope"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown problems" in proc.stderr


def test_bench_curves_finds_where_a_peer_is_ahead():
    """The envelope check: a peer counts only at accuracies its runs reach sooner."""
    bench_curves = import_script("bench_curves")
    runs = [{"problem": "p", "solver": solver, "seconds": seconds, "max": worst}
            for solver, seconds, worst in (("fastreg", 2.0, 1e-12), ("fastreg", 1.0, 1e-4),
                                           ("peer", 0.5, 5e-4), ("peer", 3.0, 1e-11))]
    rows = bench_curves.behind_peers(runs, levels=[1e-3, 1e-4, 1e-6])
    assert rows == [("p", 1e-3, "peer", 0.5, 1.0)]
    assert "p, peer: 1.0e-03: 0.5 s against 1 s" in "\n".join(
        bench_curves.behind_peer_lines(runs))
    assert bench_curves.behind_peers(runs[:2] + runs[3:]) == []


def test_bench_curves_bisects_both_solvers_where_a_peer_is_ahead():
    """settle_crossings: both solvers' tolerances bisected around a crossing, fairly."""
    bench_curves = import_script("bench_curves")

    def model(solver, tol):  # accuracy and time as smooth functions of tol
        scale = 0.58 if solver == "fastreg" else 5.2e-4 / 1e-9
        seconds = (0.08 if solver == "fastreg" else 0.1) * (1e-3 / tol if solver == "fastreg"
                                                             else 1e-9 / tol) ** 0.5
        return {"problem": "p", "solver": solver, "tol": tol, "seconds": seconds,
                "max": scale * tol}

    runs = [model("fastreg", tol) for tol in (1e-3, 1e-4)]
    runs += [model("peer", tol) for tol in (1e-7, 1e-9)]
    assert bench_curves.behind_peers(runs, levels=[5.6e-4])
    measured = []

    def measure(solver, run, tol):
        measured.append((solver, run, tol))
        return {**model(solver, tol), "bisected": True}

    bench_curves.settle_crossings(runs, {"fastreg": "f", "peer": "g"}, measure)
    mine = [tol for solver, run, tol in measured if solver == "fastreg"]
    theirs = [tol for solver, run, tol in measured if solver == "peer"]
    assert {run for solver, run, _ in measured} == {"f", "g"}
    # each bisection lands between a tolerance that misses an accuracy and one that
    # reaches it; the peer's new runs cross at other accuracies, bisected in turn
    assert len(mine) == bench_curves.BISECTIONS and all(1e-4 < t < 1e-3 for t in mine)
    assert len(theirs) >= bench_curves.BISECTIONS and all(1e-9 < t < 1e-7 for t in theirs)
    assert len(set(theirs)) == len(theirs)  # no tolerance run twice
    assert sum(bool(r.get("bisected")) for r in runs) == len(measured)
    # the finer grids decide it: fastreg, ahead on the continuum, is ahead at 5.6e-4
    assert bench_curves.behind_peers(runs, levels=[5.6e-4]) == []


def test_bench_threads_read_touches_every_entry():
    """The memory-read row of ``bench_threads.py`` reads every entry once, in any split."""
    pytest.importorskip("threadpoolctl")
    bench_threads = import_script("bench_threads")
    rng = np.random.default_rng(0)
    for size in (0, 5, 8, 1001):
        data = rng.standard_normal(size)
        indices = rng.integers(0, 50, size)
        expected = data.sum() + indices.sum()
        for n_threads in (1, 2, 3):
            got = bench_threads._read_arrays(data, indices, n_threads)
            assert got == pytest.approx(expected, abs=1e-12 * max(1, size))


def test_bench_threads_passes_by_idle_before_them():
    """``_seconds_at_passes`` sums every pass, or averages those after an idle in range."""
    pytest.importorskip("threadpoolctl")
    from scipy import sparse

    bench_threads = import_script("bench_threads")
    # above PARALLEL_MIN_NNZ: the path takes the Python loop and its gradient passes
    X = sparse.random(400, 5000, density=0.11, format="csc", random_state=1)
    y = np.random.default_rng(2).standard_normal(400)
    calls = []

    def timed(original, args):  # each pass "takes" 1 s; the path runs as usual
        calls.append(1)
        return original(*args), 1.0

    total = bench_threads._seconds_at_passes(X, y, timed)
    assert total == len(calls) > 1
    assert bench_threads._seconds_at_passes(X, y, timed, idle=(0.0, np.inf)) == 1.0
    # the first pass has no pass before it: in no window
    assert np.isnan(bench_threads._seconds_at_passes(X, y, timed, idle=(1e9, np.inf)))


def test_thread_starts_instrumented_pass_is_fastregs_gradient():
    """``thread_starts.py`` times a pass with fastreg's arithmetic, and its stamps are in order."""
    pytest.importorskip("threadpoolctl")
    from scipy import sparse

    from fastreg import _parallel
    from fastreg._kernels import cd_naive
    from fastreg.enet.designs import unsigned_csc

    thread_starts = import_script("thread_starts")
    X = sparse.random(300, 101, density=0.1, format="csc", random_state=3)
    r = np.random.default_rng(4).standard_normal(300)
    data, (indices, indptr) = X.data, unsigned_csc(X)
    expected = np.empty(101)
    cd_naive.csc_gradient(data, indices, indptr, r, expected)
    for n_threads in (1, 2):
        out = np.full(101, np.nan)
        stamps = np.zeros(5, dtype=np.int64)
        with _parallel.numba_threads(n_threads):
            thread_starts._timed_halves(data, indices, indptr, r, out, stamps)
        np.testing.assert_array_equal(out, expected)  # bit for bit
        assert stamps[0] <= stamps[1] <= stamps[2]  # entry, calling thread's begin and end
        if n_threads == 2 and stamps[3]:
            assert stamps[0] <= stamps[3] <= stamps[4]
