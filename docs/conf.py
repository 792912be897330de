"""Sphinx configuration for the fastreg documentation.

Build (from the repository root)::

    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery in ``examples/`` is executed at every build.
"""

import os
import sys
import warnings
from pathlib import Path

import fastreg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools"))

project = "fastreg"
author = "the fastreg developers"
copyright = "the fastreg developers"
release = getattr(fastreg, "__version__", "")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
default_role = "py:obj"
root_doc = "index"

# -- autosummary / numpydoc ------------------------------------------------
autosummary_generate = True
# numpydoc renders class members from the docstring itself; the API page lists
# the methods of GramStats explicitly instead.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
# Parameter types link to numpy / scipy / scikit-learn through intersphinx.
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "array-like": ":term:`array-like <array_like>`",
    "array_like": ":term:`array_like`",
    "sparse matrix": "scipy.sparse.spmatrix",
    "memmap": "numpy.memmap",
    "GramStats": "fastreg.GramStats",
    "EnetCVResult": "fastreg.EnetCVResult",
    "Axes": "matplotlib.axes.Axes",
    "DataFrame": "pandas.DataFrame",
    "Generator": "numpy.random.Generator",
}
numpydoc_xref_ignore = {"of", "shape", "or", "optional", "default", "and", "the", "n_samples",
                        "n_features", "n_targets", "n_alphas", "n_folds", "n_l1_ratios", "int",
                        "float", "bool", "str", "None", "callable", "tuple", "list", "dict",
                        "object", "scalar", "same", "as", "X", "y", "instance", "any", "a", "in",
                        "keyword-only", "positive", "iterable", "length", "type", "sequence"}

# -- intersphinx, offline --------------------------------------------------
# The build machines (and CI) reach no documentation site, so the object
# inventories are committed under docs/_inventories/. They are written by
# docs/tools/make_inventories.py from the installed numpy / scipy /
# scikit-learn / dask (see that script for how names map to URLs); links still
# point at the projects' online documentation.
INV = HERE / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(INV / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(INV / "numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy/", str(INV / "scipy.inv")),
    "sklearn": ("https://scikit-learn.org/stable/", str(INV / "sklearn.inv")),
    "dask": ("https://docs.dask.org/en/stable/", str(INV / "dask.inv")),
    "distributed": ("https://distributed.dask.org/en/stable/", str(INV / "distributed.inv")),
    "matplotlib": ("https://matplotlib.org/stable/", str(INV / "matplotlib.inv")),
    "pandas": ("https://pandas.pydata.org/docs/", str(INV / "pandas.inv")),
}
intersphinx_mapping = {k: v for k, v in intersphinx_mapping.items() if Path(v[1]).exists()}
intersphinx_timeout = 1

# -- matplotlib plot directive (figures drawn from dated tables) --------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"fastreg {release}"
# git keeps no empty directory: use _static only once something is in it
html_static_path = ["_static"] if any((HERE / "_static").glob("*")) else []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False

# -- sphinx-gallery ----------------------------------------------------------
# Examples write nothing into the source tree; the Numba cache goes wherever
# NUMBA_CACHE_DIR points (default: __pycache__ next to fastreg's sources).
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("fastreg",),
    "backreferences_dir": "gen_modules/backreferences",
    "show_memory": False,
    "matplotlib_animations": False,
    "abort_on_example_error": True,
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 1,
}

os.environ.setdefault("MPLBACKEND", "agg")
# A gallery figure left open is not an error worth failing the build on.
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")


# -- docstring fix-ups -------------------------------------------------------
# scikit-learn-style type strings such as ``ndarray of shape (n_features_in_,)``
# name fitted attributes; reST reads a trailing underscore as a hyperlink
# reference. Escape it in the type part of parameter/attribute lines only,
# before numpydoc parses the docstring.
import re  # noqa: E402

_TYPE_LINE = re.compile(r"^(\s*[\w*, ]+ : )(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"\b(\w+)_(?=[\s,)\]])")


def _escape_attribute_refs(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        m = _TYPE_LINE.match(line)
        if m:
            lines[i] = m.group(1) + _TRAILING_UNDERSCORE.sub(r"\1\\_", m.group(2))


def setup(app):
    app.connect("autodoc-process-docstring", _escape_attribute_refs, priority=100)
