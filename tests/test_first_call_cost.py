"""scripts/first_call_cost.py: one fresh-process measurement and the argument parsing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "first_call_cost.py"


@pytest.mark.parametrize("kind", ["ridge", "dense-wide"])
def test_child_prints_cpu_and_wall_seconds(kind):
    result = subprocess.run([sys.executable, str(SCRIPT), "--child", kind],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(out) == {"import", "first", "second", "import_wall", "first_wall",
                        "second_wall"}
    assert all(value >= 0 for value in out.values())


def test_bad_kind_is_a_usage_error():
    result = subprocess.run([sys.executable, str(SCRIPT), "--kinds", "nope"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "invalid choice" in result.stderr
