"""fastreg's import graph: no cycles, no imports hidden in functions, layers run downward.

Every module of ``fastreg/`` is parsed with :mod:`ast` (nothing is imported) and
each import of a ``fastreg`` module becomes an edge, tagged module-level (run
when the importing module is imported, class bodies included) or
function-level (run when a function is called). Three rules:

1. the module-level graph has no cycle: a cycle works only by the accident of
   which module is imported first;
2. no ``fastreg`` module is imported inside a function, except for the few
   reasons listed in :data:`LAZY_IMPORTS_ALLOWED` (an import moved into a
   function to dodge a cycle hides the cycle from rule 1); lazy imports of the
   optional extras themselves (scikit-learn, dask, matplotlib) are not edges;
3. the layers import downward only (:data:`LAYERS`), at module or function level.

A rule that fails today is marked ``xfail(strict=True)`` on its own case in
:data:`KNOWN_VIOLATIONS`, naming the offending import: when the import is
fixed the case passes, the strict marker turns it red, and the marker must go.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "fastreg"

# (importing module, imported module) -> why the import sits inside a function
LAZY_IMPORTS_ALLOWED = {
    ("fastreg._patch", "fastreg.sklearn._patch"):
        "fastreg.sklearn needs scikit-learn, an optional extra: `import fastreg` must "
        "work without it, so patch_sklearn and friends import it when called",
}

# package -> packages it must not import from, its own modules excepted (a package
# means itself and its submodules: the kernels import nothing of fastreg but kernels)
LAYERS = {
    "fastreg._kernels": ("fastreg",),
    "fastreg.stats": ("fastreg.enet", "fastreg.ridge", "fastreg.cv", "fastreg.sklearn"),
    "fastreg.enet": ("fastreg.ridge", "fastreg.cv", "fastreg.sklearn"),
    "fastreg.ridge": ("fastreg.enet", "fastreg.cv", "fastreg.sklearn"),
}

# test case id -> the offending import(s), for xfail(strict=True) while they last
KNOWN_VIOLATIONS = {}


@dataclass(frozen=True)
class Edge:
    """One import of a fastreg module by a fastreg module."""

    source: str
    target: str
    line: int
    in_function: bool

    def __str__(self):
        where = "in a function" if self.in_function else "at module level"
        return f"{self.source} -> {self.target} ({module_path(self.source)}:{self.line}, {where})"


def module_name(path):
    """Dotted name of a file under ``fastreg/`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(name):
    """Path, relative to the repository, of a module found by :func:`modules`."""
    return str(MODULES[name].relative_to(PACKAGE_DIR.parent))


def modules():
    """Every module of the package: dotted name -> file."""
    return {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _resolve_from(source, is_package, node):
    """The absolute module an ``ImportFrom`` names (relative levels resolved)."""
    if node.level == 0:
        return node.module
    base = source.split(".")
    base = base[: len(base) - (node.level - 1 if is_package else node.level)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(source, is_package, node, known):
    """The fastreg modules an import statement loads (a submodule, else its package)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = _resolve_from(source, is_package, node)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                 for alias in node.names]
    found = []
    for name in names:
        # ``import fastreg.a.b`` loads fastreg.a.b; an attribute import loads its module
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name not in found:
            found.append(name)
    return found


class _ImportVisitor(ast.NodeVisitor):
    """Collects the imports of one module, noting whether each is inside a function."""

    def __init__(self, source, is_package, known):
        self.source, self.is_package, self.known = source, is_package, known
        self.depth, self.edges = 0, []

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _import(self, node):
        for target in _targets(self.source, self.is_package, node, self.known):
            self.edges.append(Edge(self.source, target, node.lineno, self.depth > 0))

    visit_Import = visit_ImportFrom = _import


def import_edges():
    """Every import of a fastreg module in fastreg, in file order."""
    edges = []
    for name, path in MODULES.items():
        visitor = _ImportVisitor(name, path.name == "__init__.py", MODULES)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        edges.extend(visitor.edges)
    return edges


def cycles(edges):
    """The strongly connected components with a cycle (Tarjan), each a sorted list."""
    graph = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _inside(name, package):
    return name == package or name.startswith(package + ".")


def layer_violations(package, edges):
    """Imports (module or function level) from ``package`` into a layer above it."""
    forbidden = LAYERS[package]
    bad = []
    for edge in edges:
        if not _inside(edge.source, package) or _inside(edge.target, package):
            continue
        if any(_inside(edge.target, above) for above in forbidden):
            bad.append(edge)
    return bad


def _case(case_id, *values):
    reason = KNOWN_VIOLATIONS.get(case_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(*values, id=case_id, marks=marks)


MODULES = modules()
EDGES = import_edges()
MODULE_LEVEL = [edge for edge in EDGES if not edge.in_function]


# --------------------------------------------------------------------- the walker
def test_walker_sees_the_package():
    assert {"fastreg", "fastreg._kernels.prox", "fastreg.enet.path", "fastreg.ridge.solve",
            "fastreg.stats.gramstats", "fastreg.sklearn._patch"} <= set(MODULES)
    # the public API is reached at module level from the package's __init__
    assert {edge.target for edge in MODULE_LEVEL if edge.source == "fastreg"} >= {
        "fastreg.cv", "fastreg.enet.path", "fastreg.ridge.solve", "fastreg.stats.gramstats"}


def test_walker_resolves_relative_imports_and_tells_functions_apart():
    known = {"fastreg", "fastreg.enet", "fastreg.enet.path", "fastreg.enet.grid",
             "fastreg._validation", "fastreg.stats", "fastreg.stats.gramstats"}
    code = ("from .. import _validation\n"
            "from .grid import alpha_grid\n"
            "from ..stats import GramStats\n"
            "import numpy\n"
            "class A:\n"
            "    from . import grid\n"
            "def f():\n"
            "    from ..stats.gramstats import GramStats\n")
    visitor = _ImportVisitor("fastreg.enet.path", False, known)
    visitor.visit(ast.parse(code))
    assert [(e.target, e.line, e.in_function) for e in visitor.edges] == [
        ("fastreg._validation", 1, False), ("fastreg.enet.grid", 2, False),
        ("fastreg.stats", 3, False), ("fastreg.enet.grid", 6, False),
        ("fastreg.stats.gramstats", 8, True)]


def test_cycle_finder():
    def edge(a, b):
        return Edge(a, b, 1, False)

    assert cycles([edge("a", "b"), edge("b", "c")]) == []
    assert cycles([edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d")]) == [
        ["a", "b", "c"]]
    assert cycles([edge("a", "a")]) == [["a"]]


def test_layer_checker():
    def edge(a, b):
        return Edge(a, b, 1, True)

    upward = [edge("fastreg.enet.driver", "fastreg.ridge.solve"),
              edge("fastreg._kernels.gap", "fastreg._validation"),
              edge("fastreg._kernels.cd_gram", "fastreg"),
              edge("fastreg.stats.dask", "fastreg.cv")]
    fine = [edge("fastreg.enet.driver", "fastreg._kernels.gap"),
            edge("fastreg._kernels.cd_gram", "fastreg._kernels.prox"),
            edge("fastreg.stats.dask", "fastreg.stats.gramstats"),
            edge("fastreg.ridge.path", "fastreg.stats.blocks"),
            edge("fastreg.cv", "fastreg.enet.path")]
    found = {e for package in LAYERS for e in layer_violations(package, upward + fine)}
    assert found == set(upward)


def test_known_violations_name_existing_cases():
    """A marker whose case no longer exists (module moved or renamed) must go too."""
    case_ids = ({"module-level-cycles"} | {f"lazy-{name}" for name in MODULES}
                | {f"layer-{package}" for package in LAYERS})
    assert set(KNOWN_VIOLATIONS) <= case_ids, set(KNOWN_VIOLATIONS) - case_ids
    assert set(LAZY_IMPORTS_ALLOWED) <= {(e.source, e.target) for e in EDGES if e.in_function}


# ----------------------------------------------------------------------- the rules
@pytest.mark.parametrize("edges", [_case("module-level-cycles", MODULE_LEVEL)])
def test_no_module_level_import_cycle(edges):
    found = cycles(edges)
    report = ["cycle among " + ", ".join(component) + ":\n  "
              + "\n  ".join(str(e) for e in edges
                            if e.source in component and e.target in component)
              for component in found]
    assert not found, "\n".join(report)


@pytest.mark.parametrize("module", [_case(f"lazy-{name}", name) for name in MODULES])
def test_no_fastreg_import_inside_functions(module):
    lazy = [edge for edge in EDGES if edge.source == module and edge.in_function
            and (edge.source, edge.target) not in LAZY_IMPORTS_ALLOWED]
    assert not lazy, "imports inside functions:\n" + "\n".join(map(str, lazy))


@pytest.mark.parametrize("package", [_case(f"layer-{package}", package) for package in LAYERS])
def test_layers_import_downward(package):
    bad = layer_violations(package, EDGES)
    assert not bad, f"{package} must not import from {LAYERS[package]}:\n" + "\n".join(
        map(str, bad))
