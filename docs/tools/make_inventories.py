"""Write the intersphinx inventories in docs/_inventories/ from installed packages.

The documentation build runs where no documentation site can be reached (the
build machines and CI see only a package index), so intersphinx cannot download
numpy's, scipy's, scikit-learn's or Dask's ``objects.inv``. This script writes
inventories in the same format from the packages installed here: it imports
each listed module, enumerates its public names, and maps each name to the page
that project's documentation gives it. Every project below generates one page
per public object under a fixed pattern (``reference/generated/<name>.html`` for
numpy and scipy, ``modules/generated/<name>.html`` for scikit-learn,
``generated/<name>.html`` for Dask arrays and dataframes); the few exceptions
(Python's standard library, ``distributed``'s single API page, numpy's
random-generator page, the few matplotlib and pandas names fastreg refers to)
are listed by hand. Links point to the *stable* online
documentation, which may be newer than the installed version recorded in each
inventory's header.

Run it after upgrading any of these packages, and commit the result::

    .venv/bin/python docs/tools/make_inventories.py

Only names that exist in the installed packages are written, so a link to a
name that does not exist stays unresolved (plain text) rather than broken.
"""

import importlib
import inspect
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "_inventories"


def _role(obj):
    if inspect.ismodule(obj):
        return "py:module"
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if callable(obj):
        return "py:function"
    return "py:data"


def _public(module_name):
    """(qualified name, role) of each public name a module defines or re-exports."""
    mod = importlib.import_module(module_name)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    out = [(module_name, "py:module")]
    for n in sorted(set(names)):
        try:
            obj = getattr(mod, n)
        except Exception:  # noqa: BLE001 -- e.g. scikit-learn's experimental names raise ImportError
            continue
        if inspect.ismodule(obj):
            continue  # submodules are listed on their own, where wanted
        out.append((f"{module_name}.{n}", _role(obj)))
    return out


def _methods(class_path, names):
    mod, cls = class_path.rsplit(".", 1)
    obj = getattr(importlib.import_module(mod), cls)
    return [(f"{class_path}.{n}", "py:method") for n in names if hasattr(obj, n)]


def _write(project, version, entries, path):
    lines = []
    seen = set()
    for name, role, uri in entries:
        if (name, role) in seen:
            continue
        seen.add((name, role))
        if uri.endswith("#" + name) and not role.startswith("std:"):  # the format's shorthand for "#<name>"
            uri = uri[: -len(name)] + "$"
        disp = "-"
        if role == "std:label":  # labels need a display name; uri holds "page#anchor|title"
            uri, disp = uri.split("|")
        lines.append(f"{name} {role} {'-1' if role.startswith('std:') else '1'} {uri} {disp}")
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
              "# The remainder of this file is compressed using zlib.\n")
    body = zlib.compress(("\n".join(lines) + "\n").encode())
    path.write_bytes(header.encode() + body)
    print(f"{path.name}: {len(lines)} names ({project} {version})")


def numpy_entries():
    import numpy as np

    entries = []
    for name, role in _public("numpy") + _public("numpy.linalg"):
        if role == "py:module":
            page = "reference/routines.linalg.html" if name == "numpy.linalg" else "reference/index.html"
            entries.append((name, role, f"{page}#module-{name}"))
        elif inspect.isclass(getattr(np, name.rsplit(".", 1)[1], None)) and issubclass(
                getattr(np, name.rsplit(".", 1)[1]), np.generic):
            # scalar types (float64, float32, ...) share one page
            entries.append((name, role, f"reference/arrays.scalars.html#{name}"))
        elif role in ("py:function", "py:class"):
            entries.append((name, role, f"reference/generated/{name}.html#{name}"))
    for name, role in _methods("numpy.ndarray", ["astype", "copy", "mean", "reshape", "std", "sum", "T"]):
        entries.append((name, role, f"reference/generated/{name}.html#{name}"))
    for name in ["numpy.random.default_rng", "numpy.random.Generator"]:
        role = "py:function" if name.endswith("rng") else "py:class"
        entries.append((name, role, f"reference/random/generator.html#{name}"))
    for name, role in _methods("numpy.random.Generator", ["normal", "standard_normal", "uniform", "permutation"]):
        entries.append((name, role, f"reference/random/generated/{name}.html#{name}"))
    entries.append(("array_like", "std:term", "glossary.html#term-array_like"))
    return "NumPy", np.__version__, entries


def scipy_entries():
    import scipy

    entries = []
    for module in ["scipy.linalg", "scipy.sparse", "scipy.sparse.linalg"]:
        for name, role in _public(module):
            if role == "py:module":
                entries.append((name, role, f"reference/{module[6:]}.html#module-{name}"))
            elif role in ("py:function", "py:class", "py:exception"):
                entries.append((name, role, f"reference/generated/{name}.html#{name}"))
    return "SciPy", scipy.__version__, entries


def sklearn_entries():
    import sklearn

    entries = []
    modules = ["sklearn.linear_model", "sklearn.model_selection", "sklearn.pipeline",
               "sklearn.preprocessing", "sklearn.metrics", "sklearn.exceptions",
               "sklearn.datasets", "sklearn.utils.estimator_checks"]
    for module in modules:
        for name, role in _public(module):
            if role == "py:module":
                entries.append((name, role, f"api/{module}.html#module-{name}"))
            elif role in ("py:function", "py:class", "py:exception"):
                entries.append((name, role, f"modules/generated/{name}.html#{name}"))
    for est in ["sklearn.linear_model.Lasso", "sklearn.linear_model.ElasticNet",
                "sklearn.linear_model.Ridge", "sklearn.linear_model.LassoCV"]:
        for name, role in _methods(est, ["fit", "predict", "score", "path"]):
            entries.append((name, role, f"modules/generated/{est}.html#{name}"))
    return "scikit-learn", sklearn.__version__, entries


def dask_entries():
    import dask

    entries = []
    for module in ["dask.array", "dask.dataframe"]:
        for name, role in _public(module):
            if role in ("py:function", "py:class"):
                entries.append((name, role, f"generated/{name}.html#{name}"))
    entries.append(("dask.array", "py:module", "array-api.html#module-dask.array"))
    entries.append(("dask.dataframe", "py:module", "dataframe-api.html#module-dask.dataframe"))
    return "Dask", dask.__version__, entries


def distributed_entries():
    import distributed

    entries = [(f"distributed.{n}", "py:class" if n[0].isupper() else "py:function",
                f"api.html#distributed.{n}")
               for n in ["Client", "LocalCluster", "wait", "progress", "as_completed"]
               if hasattr(distributed, n)]
    entries.append(("distributed", "py:module", "api.html#module-distributed"))
    return "distributed", distributed.__version__, entries


def matplotlib_entries():
    import matplotlib
    import matplotlib.pyplot as plt

    entries = [("matplotlib.axes.Axes", "py:class", "api/axes_api.html#matplotlib.axes.Axes"),
               ("matplotlib.figure.Figure", "py:class",
                "api/figure_api.html#matplotlib.figure.Figure"),
               ("matplotlib.pyplot", "py:module", "api/pyplot_summary.html#module-matplotlib.pyplot")]
    for n in ["subplots", "figure", "show", "savefig", "plot", "legend"]:
        if hasattr(plt, n):
            name = f"matplotlib.pyplot.{n}"
            entries.append((name, "py:function", f"api/_as_gen/{name}.html#{name}"))
    for n in ["plot", "legend", "set_title", "invert_xaxis", "axvline", "set_xscale"]:
        name = f"matplotlib.axes.Axes.{n}"
        entries.append((name, "py:method", f"api/_as_gen/{name}.html#{name}"))
    return "Matplotlib", matplotlib.__version__, entries


def pandas_entries():
    import pandas as pd

    entries = [("pandas", "py:module", "reference/index.html#module-pandas")]
    for n in ["DataFrame", "Series", "read_csv", "read_parquet"]:
        obj = getattr(pd, n)
        entries.append((f"pandas.{n}", "py:class" if inspect.isclass(obj) else "py:function",
                        f"reference/api/pandas.{n}.html#pandas.{n}"))
    entries.append(("pandas.DataFrame.columns", "py:attribute",
                    "reference/api/pandas.DataFrame.columns.html#pandas.DataFrame.columns"))
    return "pandas", pd.__version__, entries


def python_entries():
    import sys

    builtin = ["ValueError", "TypeError", "MemoryError", "RuntimeError", "UserWarning",
               "RuntimeWarning", "ModuleNotFoundError"]
    entries = [(n, "py:exception", f"library/exceptions.html#{n}") for n in builtin]
    entries += [("warnings.catch_warnings", "py:class", "library/warnings.html#warnings.catch_warnings"),
                ("warnings.simplefilter", "py:function", "library/warnings.html#warnings.simplefilter"),
                ("warnings", "py:module", "library/warnings.html#module-warnings"),
                ("os.environ", "py:data", "library/os.html#os.environ"),
                ("tempfile.TemporaryDirectory", "py:class",
                 "library/tempfile.html#tempfile.TemporaryDirectory"),
                ("functools.partial", "py:function", "library/functools.html#functools.partial"),
                ("collections.namedtuple", "py:function",
                 "library/collections.html#collections.namedtuple"),
                ("typing.NamedTuple", "py:class", "library/typing.html#typing.NamedTuple")]
    # glossary terms and labels that numpydoc's default type aliases refer to
    entries += [(t, "std:term", f"glossary.html#term-{t}") for t in
                ["iterable", "generator", "sequence", "mapping", "callable", "file-object"]]
    entries.append(("bltin-boolean-values", "std:label",
                    "library/stdtypes.html#bltin-boolean-values|Boolean Values"))
    return "Python", "%d.%d" % sys.version_info[:2], entries


def main():
    OUT.mkdir(exist_ok=True)
    for fname, make in [("python.inv", python_entries), ("numpy.inv", numpy_entries),
                        ("scipy.inv", scipy_entries), ("sklearn.inv", sklearn_entries),
                        ("dask.inv", dask_entries), ("distributed.inv", distributed_entries),
                        ("matplotlib.inv", matplotlib_entries), ("pandas.inv", pandas_entries)]:
        project, version, entries = make()
        _write(project, version, entries, OUT / fname)


if __name__ == "__main__":
    main()
