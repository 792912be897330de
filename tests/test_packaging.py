"""Release files and package metadata: one version, a license in the wheel, install hints."""

import importlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import fastreg

ROOT = Path(__file__).resolve().parents[1]

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_is_written_once_and_read_by_the_metadata():
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    dynamic = _pyproject()["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "fastreg.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*(\.dev\d+)?", fastreg.__version__)
    # the installed distribution (editable here) reports the same version
    assert importlib.metadata.version("fastreg") == fastreg.__version__


def test_citation_and_changelog_agree_with_the_version():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "type", "license"):
        assert cff[key], key
    assert str(cff["version"]) == fastreg.__version__
    assert cff["license"] == _pyproject()["project"]["license"]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    releases = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert releases and releases[0][0] == fastreg.__version__
    assert str(cff["date-released"]) == releases[0][1]


def test_license_file_and_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "fastreg developers" in text
    project = _pyproject()["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    assert project["authors"] and project["keywords"]
    assert any(c.startswith("Programming Language :: Python :: 3") for c in project["classifiers"])
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(project["urls"])
    extras = project["optional-dependencies"]
    assert any(req.startswith("scikit-learn") for req in extras["sklearn"])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from a copy of the sources (the working tree gets no build/ dir)."""
    pytest.importorskip("setuptools", minversion="77")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "fastreg", src / "fastreg",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (path,) = out.glob("fastreg-*.whl")
    return path


def test_wheel_metadata_version_and_license(wheel):
    assert wheel.name.startswith(f"fastreg-{fastreg.__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        dist_info = f"fastreg-{fastreg.__version__}.dist-info"
        meta = Parser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
        license_text = zf.read(f"{dist_info}/licenses/LICENSE").decode()
    assert meta["Version"] == fastreg.__version__
    assert meta["License-Expression"] == "BSD-3-Clause"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert license_text == (ROOT / "LICENSE").read_text()
    assert "sklearn" in meta.get_all("Provides-Extra")
    assert any("scikit-learn" in r and "extra == \"sklearn\"" in r
               for r in meta.get_all("Requires-Dist"))
    assert meta.get_all("Project-URL") and meta.get_all("Classifier")
    assert any(n.startswith("fastreg/datasets/data/") for n in names)  # package data


def test_installed_wheel_reports_its_version(wheel, tmp_path):
    target = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    # -S: no .pth files, so an editable install's import hook cannot shadow the target
    code = ("import sys, importlib.metadata as m; sys.path[:0] = [sys.argv[1]]; "
            "import fastreg; print(fastreg.__file__); print(fastreg.__version__); "
            "print(m.version('fastreg'))")
    sitepackages = [p for p in sys.path if p.endswith("site-packages")]
    env = {"PYTHONPATH": os.pathsep.join(sitepackages)}
    result = subprocess.run([sys.executable, "-S", "-c", code, str(target)], capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    file, version, meta_version = result.stdout.split()
    assert Path(file).is_relative_to(target)
    assert version == meta_version == fastreg.__version__


def test_missing_sklearn_is_a_clear_import_error(monkeypatch):
    """``import fastreg.sklearn`` without scikit-learn says which extra to install."""
    # None in sys.modules makes ``import sklearn`` raise ImportError, as when
    # it is not installed; monkeypatch restores every entry afterwards.
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")
                 or m == "fastreg.sklearn" or m.startswith("fastreg.sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.delattr(fastreg, "sklearn", raising=False)
    with pytest.raises(ImportError, match=re.escape("pip install 'fastreg[sklearn]'")):
        importlib.import_module("fastreg.sklearn")
