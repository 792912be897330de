"""fastreg imports and runs from a read-only install with no writable home.

Numba decides where to cache a kernel when it is decorated, at import; with no
writable ``__pycache__``, no writable home and no ``NUMBA_CACHE_DIR`` it finds
no locator, and ``fastreg._kernels._jit`` must fall back to a private
temporary directory with one warning instead of failing the import.

The end-to-end test copies the package into a directory that is really
read-only for the subprocess: made read-only with ``chmod`` for an ordinary
user, or bind-mounted read-only in a private mount namespace (``unshare -m``)
for root, whom permission bits do not stop.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastreg
from fastreg._kernels import _jit

PACKAGE_DIR = Path(fastreg.__file__).resolve().parent

SCRIPT = textwrap.dedent("""
    import json, os, sys, warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import fastreg
        import numpy as np
        rng = np.random.default_rng(0)
        X = rng.standard_normal((30, 8))
        y = X @ rng.standard_normal(8) + rng.standard_normal(30)
        grid = np.max(np.abs(X.T @ y)) / 30 * np.geomspace(1, 1e-2, 5)
        alphas, coefs, gaps = fastreg.lasso_path(X, y, alphas=grid, tol=1e-10)[:3]
    pycache = os.path.join(os.path.dirname(fastreg.__file__), "_kernels", "__pycache__")
    try:
        os.makedirs(pycache, exist_ok=True)
        open(os.path.join(pycache, "probe"), "w").close()
        package_writable = True
    except OSError:
        package_writable = False
    print(json.dumps({
        "file": fastreg.__file__,
        "package_writable": package_writable,
        "home_writable": os.access(os.path.expanduser("~"), os.W_OK),
        "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
        "alphas": alphas.tolist(),
        "coefs": coefs.tolist(),
    }))
""")


def _chmod_tree(root, writable):
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644 if writable else 0o444)
        os.chmod(dirpath, 0o755 if writable else 0o555)


def _read_only_command(ro_dir):
    """A command prefix under which ``ro_dir`` is read-only, or skip the test."""
    if os.name != "posix":
        pytest.skip("read-only simulation written for POSIX")
    if os.geteuid() != 0:
        _chmod_tree(ro_dir, writable=False)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("root needs unshare(1) to make a read-only mount")
    prefix = [unshare, "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(ro_dir)]
    probe = subprocess.run(prefix + ["sh", "-c", f'! touch "{ro_dir}/probe"'],
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only bind mount here: " + probe.stderr.decode()[-300:])
    return prefix


def _run(prefix, env, cwd):
    # cwd: ``python -c`` puts the working directory first on sys.path
    result = subprocess.run(prefix + [sys.executable, "-S", "-c", SCRIPT], capture_output=True,
                            text=True, env=env, cwd=cwd, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_and_lasso_path_on_read_only_install(tmp_path):
    ro = tmp_path / "ro"
    shutil.copytree(PACKAGE_DIR, ro / "site" / "fastreg",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))
    (ro / "home").mkdir()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME", "PYTHONPATH")}
    # -S (in _run) skips site-packages' .pth files, so an editable install's
    # import hook cannot shadow the copy; the dependencies stay importable.
    site_dirs = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    env.update(HOME=str(ro / "home"), TMPDIR=str(tmp),
               PYTHONPATH=os.pathsep.join([str(ro / "site"), *site_dirs]))
    prefix = _read_only_command(ro)
    try:
        first = _run(prefix, env, tmp)
        second = _run(prefix, env, tmp)
    finally:
        if not prefix:
            _chmod_tree(ro, writable=True)

    for out in (first, second):
        # the copy was imported, and it and the home directory really were read-only
        assert Path(out["file"]).resolve().is_relative_to(ro.resolve())
        assert not out["package_writable"] and not out["home_writable"]
        cache_warnings = [w for w in out["warnings"] if "NUMBA_CACHE_DIR" in w]
        assert len(cache_warnings) == 1, out["warnings"]
        assert cache_warnings[0].startswith("UserWarning")
        assert str(tmp) in cache_warnings[0]

    # the kernels were cached in the private temporary directory, for the next process
    cache_dirs = list(tmp.glob("fastreg-numba-cache-*"))
    assert len(cache_dirs) == 1
    assert any(cache_dirs[0].rglob("gap.duality_gap-*.nbi"))

    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8))
    y = X @ rng.standard_normal(8) + rng.standard_normal(30)
    grid = np.max(np.abs(X.T @ y)) / 30 * np.geomspace(1, 1e-2, 5)
    alphas, coefs = fastreg.lasso_path(X, y, alphas=grid, tol=1e-10)[:2]
    for out in (first, second):
        np.testing.assert_allclose(out["alphas"], alphas, rtol=1e-12)
        np.testing.assert_allclose(out["coefs"], coefs, rtol=1e-9, atol=1e-12)


@pytest.fixture
def no_locator(monkeypatch, tmp_path):
    """Numba with no usable locator but NUMBA_CACHE_DIR's (unset), as on a read-only install."""
    from numba.core import caching, config

    # public names since numba 0.60, underscored before
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
    user_locator = (getattr(caching, "UserProvidedCacheLocator", None)
                    or caching._UserProvidedCacheLocator)
    monkeypatch.setattr(impl, "_locator_classes", [user_locator])
    monkeypatch.setattr(config, "CACHE_DIR", "")
    monkeypatch.setattr(_jit, "_fallback_dir", None)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    return tmp_path


def _plus_one(x):
    return x + 1


def _times_two(x):
    return 2 * x


def test_fallback_warns_once_and_caches_in_temp_dir(no_locator):
    from numba.core import config

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = _jit.jit(_plus_one)
        second = _jit.reduction_jit(_times_two)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "NUMBA_CACHE_DIR" in messages[0], messages
    for disp in (first, second):
        assert disp.targetoptions["nogil"] is True
        assert disp._cache.__class__.__name__ != "NullCache"
        assert Path(disp._cache.cache_path).resolve().is_relative_to(no_locator.resolve())
    assert config.CACHE_DIR == ""  # the user's setting is restored


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="per-user directory needs POSIX uids")
def test_fallback_refuses_a_directory_others_can_write(no_locator):
    shared = no_locator / f"fastreg-numba-cache-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    chosen = _jit._private_temp_dir()
    assert chosen and Path(chosen) != shared
    assert not os.stat(chosen).st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    shared.chmod(0o700)
    assert Path(_jit._private_temp_dir()) == shared


def test_no_writable_temp_dir_means_no_disk_cache(no_locator, monkeypatch):
    monkeypatch.setattr(_jit, "_private_temp_dir", lambda: "")
    with pytest.warns(UserWarning, match="NUMBA_CACHE_DIR"):
        disp = _jit.jit(_plus_one)
    assert disp._cache.__class__.__name__ == "NullCache"
    assert disp(1) == 2
