"""The command line: ``python -m fastreg demo`` runs end to end."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from fastreg.__main__ import demo, main


def test_demo_prints_paths_cv_ridge_and_writes_plots(tmp_path):
    out = io.StringIO()
    assert demo(out, plots_dir=tmp_path / "plots") == 0
    text = out.getvalue()
    assert "lasso path" in text and "enet path" in text
    assert text.count("every fastreg gap <= tol: True") == 2
    assert "sklearn nonzeros" in text  # scikit-learn is a test dependency
    assert "10-fold lasso CV" in text and "one-standard-error alpha" in text
    assert "scikit-learn LassoCV" in text and "scikit-learn RidgeCV" in text
    assert "evidence maximization" in text and "scikit-learn BayesianRidge" in text
    for name in ("fastreg_lasso_path.png", "fastreg_lasso_cv.png"):
        png = (tmp_path / "plots" / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    # it says where, with the absolute path of the directory it created
    assert f"plots written to {(tmp_path / 'plots').resolve()}: fastreg_lasso_path.png" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots"]


def test_demo_plots_go_to_a_directory_of_their_own_by_default():
    import inspect

    from fastreg.__main__ import DEFAULT_PLOTS_DIR, _parser

    assert DEFAULT_PLOTS_DIR == "fastreg_demo_output"
    assert inspect.signature(demo).parameters["plots_dir"].default == DEFAULT_PLOTS_DIR
    assert _parser().parse_args(["demo"]).plots_dir == DEFAULT_PLOTS_DIR
    assert _parser().parse_args(["demo", "--plots-dir", "x"]).plots_dir == "x"
    # and the repository ignores it
    gitignore = (Path(__file__).resolve().parents[1] / ".gitignore").read_text().split()
    assert f"{DEFAULT_PLOTS_DIR}/" in gitignore


def test_demo_without_plots_writes_nothing(tmp_path):
    result = subprocess.run([sys.executable, "-m", "fastreg", "demo", "--no-plots"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "plots written" not in result.stdout and list(tmp_path.iterdir()) == []


def test_bad_arguments_give_usage_not_traceback():
    result = subprocess.run([sys.executable, "-m", "fastreg", "bogus"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_command_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


# --------------------------------------------------------------------- bench
def _run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "fastreg", *args], capture_output=True,
                          text=True, timeout=300, **kwargs)


def test_help_lists_both_commands():
    result = _run("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout and "bench" in result.stdout
    assert "bench --help" in result.stdout  # points at the benchmark's own options


def test_bench_help_shows_the_script_options():
    result = _run("bench", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m fastreg bench")
    for option in ("--quick", "--problems", "--reps", "--threads", "--markdown", "--strict"):
        assert option in result.stdout, option


@pytest.mark.parametrize("args", [
    ["bench", "--bogus"],
    ["bench", "--problems", "no-such-problem"],
    ["bench", "--reps", "zero"],
    ["--bogus", "bench"],
    ["demo", "--quick"],
])
def test_bench_bad_arguments_give_usage_not_traceback(args):
    result = _run(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m fastreg")
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_without_source_checkout_says_so(tmp_path):
    from fastreg.__main__ import bench, bench_script

    assert bench_script().name == "bench_vs_sklearn.py"
    assert bench_script().is_file()  # the tests run from a source checkout
    err = io.StringIO()
    assert bench(["--quick"], script=tmp_path / "missing.py", err=err) == 1
    assert "source checkout" in err.getvalue()


def test_bench_quick_diabetes_runs_end_to_end(tmp_path):
    import os

    table = tmp_path / "bench.md"
    # the script records the commit with read-only git calls; keep them lock-free
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    result = _run("bench", "--quick", "--problems", "diabetes", "--tiny-reps", "3",
                  "--markdown", str(table), env=env)
    assert result.returncode == 0, result.stderr
    assert "| diabetes | 442 x 10 |" in result.stdout
    assert "QUICK" in result.stdout
    assert "| diabetes | 442 x 10 |" in table.read_text()
