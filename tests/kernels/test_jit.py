"""The one place that sets the kernels' jit options (``fastreg._kernels._jit``):
cache stamps that cover every kernel module."""

import inspect
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fastreg
from fastreg._kernels import _jit

# every kernel module of the package, as the digest reads them
KERNEL_MODULES = tuple(info.name for info in pkgutil.iter_modules([os.path.dirname(_jit.__file__)])
                       if info.name != "_jit")


def test_kernels_digest_covers_every_kernel_source(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    (tmp_path / "notes.txt").write_text("not a kernel\n")
    first = _jit.kernels_digest.__wrapped__(str(tmp_path))
    (tmp_path / "notes.txt").write_text("still not a kernel\n")
    assert _jit.kernels_digest.__wrapped__(str(tmp_path)) == first
    (tmp_path / "b.py").write_text("y = 3\n")
    assert _jit.kernels_digest.__wrapped__(str(tmp_path)) != first
    # unreadable: Numba's own stamps stay
    assert _jit.kernels_digest.__wrapped__(str(tmp_path / "missing")) is None


def test_every_kernel_cache_stamp_includes_the_digest():
    import importlib

    digest = _jit.kernels_digest()
    assert digest is not None
    seen = 0
    for name in KERNEL_MODULES:
        module = importlib.import_module(f"fastreg._kernels.{name}")
        for value in vars(module).values():
            cache_file = getattr(getattr(value, "_cache", None), "_cache_file", None)
            if cache_file is None or inspect.getmodule(value.py_func) is not module:
                continue
            assert cache_file._source_stamp[1] == digest, (name, value)
            seen += 1
    assert seen > 50


_PROBE = """
import numpy as np
from fastreg._kernels import cd_gram
G = np.asfortranarray(np.array([[2.0, 0.5], [0.5, 1.0]]))
Xy = np.array([1.0, 0.3])
w = np.array([0.2, 0.0])
g = (Xy - G @ w) / 4.0
layout = cd_gram.GramLayout(G, np.arange(2), Xy, 3.0, g, np.diag(G) / 4.0, 4.0, None,
                            cd_gram.newton_scratch(), 0)
print(repr(cd_gram._gram_ws_gap(layout, w, np.arange(2), 0.1, 0.0, False, None)))
"""


def test_an_edit_of_a_called_module_recompiles_the_caller(tmp_path):
    # cd_gram._gram_ws_gap compiles gap.duality_gap into itself; Numba's own
    # stamp (cd_gram.py's source) would keep the old machine code after an
    # edit of gap.py
    package = tmp_path / "fastreg"
    shutil.copytree(Path(fastreg.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(tmp_path))

    def probe():
        out = subprocess.run([sys.executable, "-c", _PROBE], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=600, check=False)
        assert out.returncode == 0, out.stderr
        return float(out.stdout.strip())

    before = probe()
    assert probe() == before  # (from the cache)
    gap_source = package / "_kernels" / "gap.py"
    text = gap_source.read_text()
    assert text.count("        return primal - dual, dual_norm\n") == 1
    gap_source.write_text(text.replace("        return primal - dual, dual_norm\n",
                                       "        return primal - dual + 1.0, dual_norm\n"))
    assert probe() == pytest.approx(before + 1.0)


def test_no_kernel_assigns_an_array_to_a_slice():
    # Numba compiles `a[i:j] = b` (b an array) with the formatting of its
    # shape-mismatch message: 1.7 s of every cold-cache first call. Kernels use
    # scans.copy_into; a slice filled with a number is cheap and allowed.
    import re

    slice_from_array = re.compile(r"\[[^\]\n]*:[^\]\n]*\]\s*=\s*(?![-+]?[\d.])\S")
    found = []
    for name in KERNEL_MODULES:
        source = Path(_jit.__file__).with_name(name + ".py").read_text()
        for number, line in enumerate(source.splitlines(), 1):
            code = line.split("#")[0]
            if slice_from_array.search(code) and not code.lstrip().startswith(('"', "'")):
                found.append(f"{name}.py:{number}: {line.strip()}")
    assert not found, found
