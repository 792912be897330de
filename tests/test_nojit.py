"""The kernels run as plain Python too (``NUMBA_DISABLE_JIT=1``).

Numba compiles code that plain Python would reject (and the reverse); running
a representative slice of the path tests with the JIT off catches
Python-level errors inside kernels and keeps them debuggable with pdb.
"""

import os
import subprocess
import sys
from pathlib import Path

SELECTION = "matches_reference or bounds_are or coef_init_at"


def test_path_kernels_without_jit():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    tests = Path(__file__).parent / "enet" / "test_path.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests),
         "-k", SELECTION],
        capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
