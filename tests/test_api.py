"""Public API: sklearn-compatible signatures, docstrings, jit hygiene, lazy compilation."""

import ast
import inspect
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sklearn.linear_model

import fastreg

PACKAGE_DIR = pathlib.Path(fastreg.__file__).resolve().parent
JIT_MODULE = PACKAGE_DIR / "_kernels" / "_jit.py"

# sklearn's ``**params`` of lasso_path / enet_path (1.9) with their defaults, which
# fastreg exposes as explicit keyword-only parameters
EXTRA_KEYWORDS = {
    "tol": 1e-4,
    "max_iter": 1000,
    "selection": "cyclic",
    "random_state": None,
    "sample_weight": None,
    "X_offset": None,
    "X_scale": None,
    "do_screening": True,
    "check_input": True,
    # fastreg's own options (issue 5); each default leaves the sklearn path unchanged
    "penalty_factor": None,
    "lower_bounds": None,
    "upper_bounds": None,
    "fit_intercept": False,
    "standardize": False,
    "return_intercept": False,
    "max_features": None,
    "min_dev_change": None,
    "callback": None,
    "return_result": False,
}


def _same_default(a, b):
    if a is inspect.Parameter.empty or b is inspect.Parameter.empty:
        return a is b
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("name", ["lasso_path", "enet_path"])
def test_signature_is_a_superset_of_sklearn(name):
    ours = inspect.signature(getattr(fastreg, name)).parameters
    theirs = inspect.signature(getattr(sklearn.linear_model, name)).parameters
    assert any(p.kind is p.VAR_KEYWORD for p in theirs.values())
    for pname, p in theirs.items():
        if p.kind is p.VAR_KEYWORD:
            continue
        assert pname in ours, f"{name} lacks sklearn's parameter {pname!r}"
        q = ours[pname]
        assert q.kind is p.kind, (pname, q.kind, p.kind)
        assert _same_default(q.default, p.default), (pname, q.default, p.default)
    # same order for the shared parameters (positional X, y first)
    shared = [k for k in theirs if k in ours]
    assert [k for k in ours if k in shared] == shared
    for pname, default in EXTRA_KEYWORDS.items():
        assert pname in ours, f"{name} lacks {pname!r}"
        assert ours[pname].kind is inspect.Parameter.KEYWORD_ONLY, pname
        assert _same_default(ours[pname].default, default), (pname, ours[pname].default)
    # nothing else: no **kwargs swallowing typos, no unknown parameters
    unknown = set(ours) - set(theirs) - set(EXTRA_KEYWORDS)
    assert not unknown, unknown
    assert not any(q.kind in (q.VAR_KEYWORD, q.VAR_POSITIONAL) for q in ours.values())


def test_typo_keyword_is_rejected():
    X = np.eye(3)
    with pytest.raises(TypeError, match="unexpected keyword"):
        fastreg.lasso_path(X, np.ones(3), tolerance=1e-3)


# ------------------------------------------------------------------ numpydoc
# Checks that are about prose style rather than correctness of the documentation.
STYLE_ONLY = {"GL08", "SA01", "ES01", "EX01"}


def _public_callables():
    names = []
    for name in fastreg.__all__:
        obj = getattr(fastreg, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            names.append(name)
    return names


def test_all_is_consistent():
    assert sorted(set(fastreg.__all__)) == sorted(fastreg.__all__)
    for name in fastreg.__all__:
        assert hasattr(fastreg, name), name
    assert {"lasso_path", "enet_path", "ConvergenceWarning"} <= set(_public_callables())


@pytest.mark.parametrize("name", [
    n
    for n in _public_callables()
])
def test_numpydoc(name):
    from numpydoc.validate import validate

    result = validate(f"fastreg.{name}")
    errors = [(code, msg) for code, msg in result["errors"] if code not in STYLE_ONLY]
    assert not errors, errors


@pytest.mark.parametrize("name", ["lasso_path", "enet_path"])
def test_every_parameter_documented(name):
    """Belt and braces for numpydoc's PR01/PR02: the Parameters section lists the signature."""
    from numpydoc.docscrape import FunctionDoc

    func = getattr(fastreg, name)
    documented = []
    for param in FunctionDoc(func)["Parameters"]:
        documented += [p.strip() for p in param.name.split(",")]
    assert documented == list(inspect.signature(func).parameters)
    returns = [r.name for r in FunctionDoc(func)["Returns"]]
    assert returns == ["alphas", "coefs", "dual_gaps", "n_iters", "intercepts"]


# ---------------------------------------------------------------- jit hygiene
def _code_without_docstrings(path):
    """Source of a module with docstrings and comments removed (comments vanish in the AST)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body[0] = ast.Pass()
    return ast.unparse(tree)


def _package_files():
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    assert JIT_MODULE in files
    return files


def test_jit_options_live_in_one_module():
    """Kernels decorate with ``fastreg._kernels._jit``'s ``jit``; nobody else calls numba's."""
    offenders = []
    for path in _package_files():
        if path == JIT_MODULE:
            continue
        name = str(path.relative_to(PACKAGE_DIR))
        text = path.read_text()
        for pattern in ("njit(", "@jit(", "numba.jit", "numba.njit"):
            if pattern in text:
                offenders.append((name, pattern))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("numba"):
                for alias in node.names:
                    if alias.name in ("jit", "njit", "generated_jit"):
                        offenders.append((name, f"from {node.module} import {alias.name}"))
    assert not offenders, offenders


def test_kernels_use_the_shared_decorators():
    """Every kernel module takes its decorators from _jit (so the options are shared)."""
    kernel_files = [p for p in (PACKAGE_DIR / "_kernels").glob("*.py")
                    if p.name not in ("__init__.py", "_jit.py")]
    assert kernel_files
    for path in kernel_files:
        text = path.read_text()
        assert "from ._jit import" in text, path.name


def test_no_fastmath_true_anywhere():
    """No ``fastmath=True`` in any code (docstrings may explain why it is avoided)."""
    offenders = []
    for path in _package_files():
        code = _code_without_docstrings(path)
        if "fastmath=True" in code.replace(" ", ""):
            offenders.append(str(path.relative_to(PACKAGE_DIR)))
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "fastmath" and \
                    isinstance(node.value, ast.Constant) and node.value.value is True:
                offenders.append((str(path.relative_to(PACKAGE_DIR)), node.lineno))
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "fastmath" and \
                            isinstance(value, ast.Constant) and value.value is True:
                        offenders.append((str(path.relative_to(PACKAGE_DIR)), node.lineno))
    assert not offenders, offenders


def _kernel_dispatchers():
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    import fastreg._kernels as kernels

    found = {}
    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"fastreg._kernels.{info.name}")
        for attr, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__:
                found[f"{info.name}.{attr}"] = value
    return found


def test_kernel_jit_options():
    """Every kernel: cached, nogil, and fastmath at most re-association and contraction."""
    dispatchers = _kernel_dispatchers()
    # the naive, Gram, multi-task, gap and prox modules all hold kernels
    modules = {name.split(".")[0] for name in dispatchers}
    assert {"cd_naive", "cd_gram", "cd_multitask", "gap", "prox"} <= modules, modules
    for name, disp in dispatchers.items():
        options = disp.targetoptions
        assert options.get("nopython", True), name
        assert options.get("nogil") is True, name
        assert disp._cache.__class__.__name__ != "NullCache", name  # cache=True
        fastmath = options.get("fastmath", False)
        if fastmath:
            flags = set(getattr(fastmath, "flags", fastmath))
            assert fastmath is not True and flags <= {"reassoc", "contract"}, (name, fastmath)


def test_import_compiles_nothing():
    script = textwrap.dedent("""
        import importlib, pkgutil, sys
        import fastreg
        from numba.core.registry import CPUDispatcher
        import fastreg._kernels as kernels
        compiled = []
        n = 0
        for info in pkgutil.iter_modules(kernels.__path__):
            module = importlib.import_module("fastreg._kernels." + info.name)
            for attr, value in vars(module).items():
                if isinstance(value, CPUDispatcher):
                    n += 1
                    if value.signatures:
                        compiled.append(info.name + "." + attr)
        assert n >= 5, n  # every kernel module was found and inspected
        assert not compiled, compiled  # e.g. cd_naive's epoch kernel has signatures == []
        # scikit-learn is optional and only imported when a warning is emitted
        assert "sklearn" not in sys.modules
        print("ok", n)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")


def test_version():
    assert isinstance(fastreg.__version__, str)
    assert fastreg.__version__.count(".") >= 1
