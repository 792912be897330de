"""Smoke test of ``scripts/bench_other_solvers.py`` (the other benchmark scripts are
covered by ``test_main.py`` and ``test_asv.py``)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "bench_other_solvers.py")


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
