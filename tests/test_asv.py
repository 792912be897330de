"""Smoke tests of the asv suite (``asv_benchmarks/``) and ``scripts/asv_compare.py``.

Every benchmark class runs its setup and each benchmark once on tiny problems;
``asv check --python=same`` validates the suite as asv sees it. asv itself runs
no benchmark here, and ``asv continuous`` is never started.
"""

import importlib
import importlib.util
import inspect
import itertools
import math
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASV_DIR = os.path.join(ROOT, "asv_benchmarks")
BENCH_DIR = os.path.join(ASV_DIR, "benchmarks")
COMPARE_SCRIPT = os.path.join(ROOT, "scripts", "asv_compare.py")
SUITE = "_fastreg_asv_suite"  # import name of asv_benchmarks/benchmarks here
PREFIXES = ("time_", "track_", "timeraw_")

# tiny versions of the suite's problems: (kind, n_samples, n_features, nonzeros, seed)
TINY_PROBLEMS = {
    "dense-tall": ("dense", 60, 12, 3, 0),
    "dense-wide": ("dense", 15, 60, 3, 1),
    "sparse": ("sparse", 40, 80, 3, 2),
    "cv-tall": ("dense", 60, 10, 3, 3),
    "cv-wide": ("dense", 30, 60, 3, 4),
}


def _load_suite():
    """Import the benchmark package under a private name, with all its modules."""
    if SUITE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            SUITE, os.path.join(BENCH_DIR, "__init__.py"),
            submodule_search_locations=[BENCH_DIR])
        package = importlib.util.module_from_spec(spec)
        sys.modules[SUITE] = package
        spec.loader.exec_module(package)
    names = sorted(f[:-3] for f in os.listdir(BENCH_DIR)
                   if f.endswith(".py") and f != "__init__.py")
    return {name: importlib.import_module(f"{SUITE}.{name}") for name in names}


def _benchmark_classes():
    """``(module, class name)`` of every class asv would collect benchmarks from."""
    out = []
    for mod_name, module in _load_suite().items():
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and not name.startswith("_")
                    and obj.__module__ == module.__name__
                    and any(m.startswith(PREFIXES) for m in dir(obj))):
                out.append((mod_name, name))
    return out


CLASSES = _benchmark_classes()


def test_suite_has_the_expected_benchmarks():
    names = {name for _, name in CLASSES}
    for expected in ("LassoPath", "EnetPath", "LassoPathVsSklearn", "EnetPathVsSklearn",
                     "RidgeRegression", "RidgePath", "RidgeCV", "RidgePathVsSklearn",
                     "RidgeCVVsSklearn", "LassoCV", "LassoCVVsSklearn", "Startup",
                     "PathOptions", "Statistics"):
        assert expected in names
    for mod_name, name in CLASSES:
        cls = getattr(_load_suite()[mod_name], name)
        if name.endswith("VsSklearn"):
            assert hasattr(cls, "track_time_ratio")
        params = getattr(cls, "params", ())
        if params and "library" in cls.param_names:
            assert tuple(params[list(cls.param_names).index("library")]) == ("fastreg", "sklearn")


@pytest.fixture
def tiny(monkeypatch):
    common = _load_suite()["_common"]
    monkeypatch.setattr(common, "PROBLEMS", TINY_PROBLEMS)
    monkeypatch.setattr(common, "DENSITY", 0.1)
    monkeypatch.setattr(common, "N_ALPHAS", 5)
    monkeypatch.setattr(common, "N_RIDGE_ALPHAS", 4)
    monkeypatch.setattr(common, "REPEATS", 1)
    return common


@pytest.mark.parametrize("mod_name, cls_name", [c for c in CLASSES if c[0] != "bench_startup"])
def test_benchmark_runs_on_tiny_problems(tiny, mod_name, cls_name):
    pytest.importorskip("sklearn")
    cls = getattr(_load_suite()[mod_name], cls_name)
    methods = sorted(m for m in dir(cls) if m.startswith(PREFIXES))
    params = cls.params if isinstance(cls.params[0], (list, tuple)) else (cls.params,)
    for combo in itertools.product(*params):
        bench = cls()
        try:
            bench.setup(*combo)
        except NotImplementedError:  # asv skips it too (e.g. no fastreg.lasso_cv)
            continue
        try:
            for name in methods:
                value = getattr(bench, name)(*combo)
                if name.startswith("track_"):
                    assert isinstance(value, float) and math.isfinite(value), (name, combo, value)
                    if name.endswith("_ratio"):
                        assert value > 0
                    if name == "track_dual_gap":
                        # every path must reach its tolerance (gap over threshold <= 1)
                        assert value <= 1.0 + 1e-6, (name, combo, value)
                    if name == "track_alpha_ratio":
                        assert value == pytest.approx(1.0), combo
        finally:
            bench.teardown(*combo)


def test_objective_and_gap_helper():
    """The suite's own gap: zero at a solution, positive away from it."""
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import enet_path

    common = _load_suite()["_common"]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 8))
    y = X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(50)
    alpha = 0.05
    for l1_ratio in (1.0, 0.5):
        _, coefs, gaps = enet_path(X, y, l1_ratio=l1_ratio, alphas=[alpha], tol=1e-12)
        primal, gap = common.enet_objective_and_gap(X, y, coefs[:, 0], alpha, l1_ratio)
        assert gap == pytest.approx(gaps[0], abs=1e-10)  # sklearn's gap, same scale
        assert abs(gap) < 1e-10
        r = y - X @ coefs[:, 0]
        w = coefs[:, 0]
        expected = (r @ r / 100 + alpha * l1_ratio * np.abs(w).sum()
                    + 0.5 * alpha * (1 - l1_ratio) * w @ w)
        assert primal == pytest.approx(expected)
        assert common.enet_objective_and_gap(X, y, 0.5 * w, alpha, l1_ratio)[1] > 1e-4


def _run_like_asv_timeraw(stmt, setup):
    """Run a timeraw benchmark's code the way asv does (pasted into triple quotes)."""
    code = ('from timeit import timeit\n'
            f'print(timeit(stmt="""{stmt}""", setup="""{setup}""", number=1))\n')
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout) > 0


def test_timeraw_code_is_valid():
    startup = _load_suite()["bench_startup"]
    for library in ("fastreg", "sklearn"):
        for method in (startup.Startup.timeraw_import, startup.Startup.timeraw_first_call):
            stmt, setup = method(startup.Startup(), library)
            compile(setup + "\n" + stmt, "<timeraw>", "exec")
    stmt, setup = startup.FirstCallColdCache().timeraw_first_call_cold_cache()
    compile(setup + "\n" + stmt, "<timeraw>", "exec")
    # run fastreg's warm first call (the cold one compiles for seconds)
    _run_like_asv_timeraw(*startup.Startup().timeraw_first_call("fastreg"))


def test_asv_check():
    pytest.importorskip("asv")
    proc = subprocess.run([sys.executable, "-m", "asv", "check", "--python=same"],
                          cwd=ASV_DIR, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No problems found" in proc.stdout, proc.stdout + proc.stderr


def _compare_module():
    spec = importlib.util.spec_from_file_location("_asv_compare_script", COMPARE_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_script_help():
    proc = subprocess.run([sys.executable, COMPARE_SCRIPT, "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for word in ("base", "head", "--factor", "--bench", "--dry-run"):
        assert word in proc.stdout


def test_compare_script_arguments():
    script = _compare_module()
    args = script.parse_args([])
    assert (args.base, args.head, args.factor, args.bench) == ("main~1", "main", 1.1, None)
    continuous, compare = script.build_commands(args)
    assert continuous[-4:] == ["--factor", "1.1", "main~1", "main"]
    assert compare[1:3] == ["-m", "asv"] and compare[3] == "compare"

    args = script.parse_args(["v0.1", "HEAD", "--factor", "1.25", "-b", "LassoPath",
                              "--bench", "Ridge.*", "--split"])
    continuous, compare = script.build_commands(args)
    assert continuous[3] == "continuous"
    assert continuous[-6:] == ["--bench", "LassoPath", "--bench", "Ridge.*", "v0.1", "HEAD"]
    assert "1.25" in continuous and "--split" in compare and "--bench" not in compare
    assert compare[-2:] == ["v0.1", "HEAD"]
    with pytest.raises(SystemExit):
        script.parse_args(["--factor", "0.9"])


def test_compare_script_without_asv(monkeypatch, capsys):
    script = _compare_module()
    monkeypatch.setattr(script, "asv_available", lambda: False)
    assert script.main(["--dry-run"]) == 2
    assert "asv is not installed" in capsys.readouterr().err
