"""The documentation: API reference completeness, the README's front door, examples.

The Sphinx build itself (with the gallery) runs in ``.ci/run`` after the tests;
these checks are the cheap ones that need no Sphinx.
"""

import ast
import re
from pathlib import Path

import pytest

import fastreg
import fastreg.bayes
import fastreg.plot

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.rst"
README = ROOT / "README.md"


def _api_entries():
    """(currentmodule, name) of every autosummary entry in docs/api.rst."""
    module, in_summary, out = None, False, set()
    for line in API.read_text().splitlines():
        m = re.match(r"\.\. currentmodule:: (\S+)", line)
        if m:
            module = m.group(1)
            continue
        if line.startswith(".. autosummary::"):
            in_summary = True
            continue
        if in_summary:
            if line and not line.startswith(" "):
                in_summary = False
            elif line.strip() and not line.strip().startswith(":"):
                out.add((module, line.strip()))
    return out


def _public_names():
    names = {("fastreg", n) for n in fastreg.__all__}
    names |= {("fastreg.bayes", n) for n in fastreg.bayes.__all__}
    names |= {("fastreg.plot", n) for n in fastreg.plot.__all__}
    sk = pytest.importorskip("fastreg.sklearn")
    names |= {("fastreg.sklearn", n) for n in sk.__all__}
    return names


def test_every_public_name_in_api_reference():
    missing = _public_names() - _api_entries()
    assert not missing, f"add to docs/api.rst: {sorted(missing)}"


def test_api_reference_names_exist():
    import importlib

    for module, name in _api_entries():
        assert hasattr(importlib.import_module(module), name), f"{module}.{name} in api.rst"


def test_gramstats_methods_documented():
    # the class template lists public methods; check the docstrings exist
    for name in ["from_arrays", "from_chunks", "from_dask", "from_folds", "gram", "xty",
                 "yty", "standardized", "residual_sum_of_squares", "target"]:
        assert getattr(fastreg.GramStats, name).__doc__, name


def test_readme_is_a_front_door():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    # the two quick-start commands, exactly (.ci/run runs the second)
    assert ("python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && "
            ".venv/bin/python -m fastreg demo") in text
    assert "\n.venv/bin/python -m pytest -q tests\n" in text
    assert "pip install fastreg" in text
    for link in re.findall(r"\]\(((?:docs|examples)/[^)#]*|[A-Z]+\.(?:md|cff)|LICENSE)\)", text):
        assert (ROOT / link).exists(), f"README links to missing {link}"


def _readme_python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_example_runs(capsys):
    pytest.importorskip("sklearn")
    blocks = _readme_python_blocks()
    assert blocks, "README has no python example"
    example = blocks[0]
    assert "predict" in example and "lasso_cv" in example
    ast.parse(example)
    namespace = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "alpha = " in out and "test MSE" in out
    # the second block continues the first (X, y and np defined there)
    for block in blocks[1:]:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102


def test_gallery_examples_are_valid_scripts():
    examples = sorted((ROOT / "examples").glob("plot_*.py"))
    assert len(examples) >= 6
    for path in examples:
        source = path.read_text()
        tree = ast.parse(source)
        doc = ast.get_docstring(tree)
        lines = (doc or "").splitlines()
        assert len(lines) > 2 and set(lines[1]) == {"="}, f"{path.name}: no title in docstring"
        assert "plt." in source or "plot_path" in source, f"{path.name} draws no figure"


def test_intersphinx_inventories_load():
    inventory = pytest.importorskip("sphinx.util.inventory")
    for path in sorted((ROOT / "docs" / "_inventories").glob("*.inv")):
        with path.open("rb") as f:
            data = inventory.InventoryFile.load(f, "https://example.org/", lambda a, b: b + "/" + a)
        assert data, path.name


def _rst_python_blocks(path):
    """The ``.. code-block:: python`` blocks of an rst page, dedented."""
    import textwrap

    blocks, lines = [], path.read_text().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == ".. code-block:: python":
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
                body.append(lines[i])
                i += 1
            blocks.append(textwrap.dedent("\n".join(body)))
        else:
            i += 1
    return blocks


def test_getting_started_runs(capsys):
    pytest.importorskip("sklearn")
    namespace = {}
    blocks = _rst_python_blocks(ROOT / "docs" / "getting_started.rst")
    assert len(blocks) >= 3
    for block in blocks:
        exec(compile(block, "getting_started.rst", "exec"), namespace)  # noqa: S102
    assert namespace["res"].alpha > 0
