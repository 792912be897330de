"""fastreg.plot: path and CV plots rendered with the Agg backend, lazy matplotlib."""

import subprocess
import sys
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest

import fastreg
from fastreg.plot import plot_cv, plot_path

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE_ONLY = {"GL08", "SA01", "ES01", "EX01"}  # as in test_api.py


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    """plt.show must never be called by fastreg; close every figure afterwards."""
    def show(*args, **kwargs):
        raise AssertionError("fastreg.plot called plt.show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def diabetes_path():
    X, y = fastreg.load_diabetes()
    alphas, coefs, _ = fastreg.lasso_path(X, y, alphas=30)
    return alphas, coefs


def _render(ax, tmp_path, name="plot.png"):
    path = tmp_path / name
    ax.figure.savefig(path, dpi=50)
    assert path.stat().st_size > 1000
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def _top_axis(ax):
    assert ax.child_axes, "no secondary (top) axis"
    return ax.child_axes[-1]


def _vertical_lines(ax):
    """x positions of the lines drawn by ax.axvline (constant x over the y range)."""
    found = []
    for line in ax.lines:
        x = np.asarray(line.get_xdata(), dtype=float)
        if x.size == 2 and x[0] == x[1]:
            found.append(float(x[0]))
    return found


# ----------------------------------------------------------------- plot_path
def test_plot_path_lines_and_nonzero_axis(diabetes_path, tmp_path):
    alphas, coefs = diabetes_path
    ax = plot_path(alphas, coefs, n_ticks=5)
    _render(ax, tmp_path)
    assert len(ax.lines) == coefs.shape[0]
    assert ax.get_xscale() == "log"
    for j, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_xdata(), alphas)
        np.testing.assert_array_equal(line.get_ydata(), coefs[j])
        assert line.get_label() == f"feature {j}"
    top = _top_axis(ax)
    ticks = np.asarray(top.get_xticks())
    labels = [t.get_text() for t in top.get_xticklabels()]
    assert len(ticks) == 5
    for tick, label in zip(ticks, labels):
        k = int(np.argmin(np.abs(alphas - tick)))
        assert np.isclose(alphas[k], tick)
        assert label == str(np.count_nonzero(coefs[:, k]))
    assert labels[0] == "0"  # alpha_max: everything is zero
    assert top.get_xlabel() == "nonzero coefficients"
    assert ax.get_legend() is None  # no feature names, no legend


def test_plot_path_uses_given_axes_and_names(diabetes_path, tmp_path):
    alphas, coefs = diabetes_path
    fig, axes = plt.subplots(1, 2)
    names = [f"x{j}" for j in range(coefs.shape[0])]
    ax = plot_path(alphas, coefs, ax=axes[1], feature_names=names, line_kwargs={"lw": 3})
    assert ax is axes[1]
    assert not axes[0].lines
    assert [line.get_label() for line in ax.lines] == names
    assert all(line.get_linewidth() == 3 for line in ax.lines)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == names
    _render(ax, tmp_path)


def test_plot_path_linear_alpha(diabetes_path):
    alphas, coefs = diabetes_path
    ax = plot_path(alphas, coefs, log_alpha=False)
    assert ax.get_xscale() == "linear"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), alphas)


def test_plot_path_multitask_draws_row_norms(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    Y = X[:, :2] @ rng.standard_normal((2, 3)) + 0.1 * rng.standard_normal((40, 3))
    alphas, coefs, _ = fastreg.lasso_path(X, Y, alphas=10)
    assert coefs.shape == (3, 6, 10)
    ax = plot_path(alphas, coefs)
    _render(ax, tmp_path)
    assert len(ax.lines) == 6
    norms = np.linalg.norm(coefs, axis=0)
    for j, line in enumerate(ax.lines):
        np.testing.assert_allclose(line.get_ydata(), norms[j])
    top = _top_axis(ax)
    k = int(np.argmin(np.abs(alphas - top.get_xticks()[-1])))
    assert top.get_xticklabels()[-1].get_text() == str(np.count_nonzero(norms[:, k]))


@pytest.mark.parametrize("alphas, coefs, kwargs, match", [
    (np.ones(4), np.ones((3, 5)), {}, "coefs must have shape"),
    (np.ones(4), np.ones(4), {}, "coefs must have shape"),
    (np.ones((2, 2)), np.ones((3, 4)), {}, "1-D"),
    (np.array([1.0, 0.0]), np.ones((3, 2)), {}, "positive"),
    (np.array([1.0, np.nan]), np.ones((3, 2)), {}, "finite"),
    (np.ones(2), np.array([[1.0, np.inf]]), {}, "finite"),
    (np.ones(2), np.ones((3, 2)), {"feature_names": ["a", "b"]}, "feature_names"),
    (np.ones(2), np.ones((3, 2)), {"n_ticks": 0}, "n_ticks"),
])
def test_plot_path_bad_input(alphas, coefs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_path(alphas, coefs, **kwargs)
    assert not plt.get_fignums()  # validated before any figure is made


# ------------------------------------------------------------------- plot_cv
def _cv_result():
    alphas = np.logspace(0, -3, 20)
    cv_mean = 1 + (np.log10(alphas) + 1.5) ** 2
    cv_std_error = np.linspace(0.1, 0.3, 20)
    return SimpleNamespace(alphas=alphas, cv_mean=cv_mean, cv_std_error=cv_std_error,
                           alpha=alphas[10], alpha_1se=alphas[8])


def test_plot_cv_result_object(tmp_path):
    res = _cv_result()
    ax = plot_cv(res)
    _render(ax, tmp_path)
    assert ax.get_xscale() == "log"
    assert len(ax.containers) == 1  # the errorbar
    bars = ax.containers[0]
    data_line, _, (bar_lines,) = bars
    np.testing.assert_array_equal(data_line.get_xdata(), res.alphas)
    np.testing.assert_array_equal(data_line.get_ydata(), res.cv_mean)
    segments = bar_lines.get_segments()
    assert len(segments) == 20
    for seg, mean, se in zip(segments, res.cv_mean, res.cv_std_error):
        np.testing.assert_allclose(sorted(seg[:, 1]), [mean - se, mean + se])
    assert sorted(_vertical_lines(ax)) == sorted([res.alpha, res.alpha_1se])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"best alpha = {res.alpha:.3g}" in labels
    assert f"1-SE alpha = {res.alpha_1se:.3g}" in labels
    assert not ax.child_axes  # no nonzero counts known, no top axis


def test_plot_cv_explicit_arrays_and_nonzero_axis(tmp_path):
    res = _cv_result()
    n_nonzero = np.arange(20)
    fig, given = plt.subplots()
    ax = plot_cv(alphas=res.alphas, cv_mean=res.cv_mean, cv_std_error=res.cv_std_error,
                 alpha_best=res.alpha, alpha_1se=res.alpha_1se, n_nonzero=n_nonzero,
                 ax=given, n_ticks=4)
    assert ax is given
    _render(ax, tmp_path)
    assert sorted(_vertical_lines(ax)) == sorted([res.alpha, res.alpha_1se])
    top = _top_axis(ax)
    labels = [t.get_text() for t in top.get_xticklabels()]
    expected = [str(n_nonzero[int(np.argmin(np.abs(res.alphas - t)))])
                for t in top.get_xticks()]
    assert labels == expected and len(labels) == 4


def test_plot_cv_keywords_override_result():
    res = _cv_result()
    ax = plot_cv(res, alpha_best=res.alphas[3], alpha_1se=res.alphas[2])
    assert sorted(_vertical_lines(ax)) == sorted([res.alphas[3], res.alphas[2]])


def test_plot_cv_ridge_cv_result(tmp_path):
    X, y = fastreg.load_diabetes()
    grid = np.logspace(-3, 3, 15)
    res = fastreg.ridge_cv(X, y, alphas=grid)
    ax = plot_cv(res)
    _render(ax, tmp_path)
    assert not ax.containers  # ridge_cv has no standard errors: a plain curve
    curve = [line for line in ax.lines if line.get_label() == "mean CV error"]
    assert len(curve) == 1
    np.testing.assert_array_equal(curve[0].get_xdata(), grid)
    np.testing.assert_allclose(curve[0].get_ydata(), res.cv_error)
    assert _vertical_lines(ax) == [res.alpha]


def test_plot_cv_two_target_ridge_averages_targets():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 4))
    Y = rng.standard_normal((30, 2))
    res = fastreg.ridge_cv(X, Y, alphas=np.logspace(-2, 2, 7))
    assert res.cv_error.shape == (7, 2)
    ax = plot_cv(res)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), res.cv_error.mean(axis=1))


def test_plot_cv_unsorted_grid_is_drawn_in_order():
    alphas = np.array([1.0, 0.01, 0.1, 10.0])
    ax = plot_cv(alphas=alphas, cv_mean=np.array([2.0, 3.0, 1.0, 4.0]))
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0.01, 0.1, 1.0, 10.0])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [3.0, 1.0, 2.0, 4.0])


@pytest.mark.parametrize("kwargs, match", [
    ({"cv_mean": np.ones(5)}, "cv_mean must have shape"),
    ({"cv_std_error": np.ones(3)}, "cv_std_error must have shape"),
    ({"cv_std_error": -np.ones(4)}, "nonnegative"),
    ({"n_nonzero": np.ones(2)}, "n_nonzero must have shape"),
    ({"alpha_best": -1.0}, "alpha_best"),
    ({"alpha_1se": np.array([0.1, 0.2])}, "alpha_1se must be one number"),
    ({"cv_mean": np.array([1.0, np.nan, 1.0, 1.0])}, "finite"),
])
def test_plot_cv_bad_input(kwargs, match):
    args = {"alphas": np.logspace(0, -1, 4), "cv_mean": np.ones(4), **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_cv(**args)
    assert not plt.get_fignums()


def test_plot_cv_needs_alphas_and_errors():
    with pytest.raises(TypeError, match="plot_cv needs"):
        plot_cv()
    with pytest.raises(TypeError, match="plot_cv needs"):
        plot_cv(SimpleNamespace(alphas=np.ones(3)))


# ------------------------------------------------------ optional dependency
def test_missing_matplotlib_is_a_clear_import_error(monkeypatch, diabetes_path):
    alphas, coefs = diabetes_path
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install 'fastreg\[plot\]'"):
        plot_path(alphas, coefs)
    with pytest.raises(ImportError, match=r"pip install 'fastreg\[plot\]'"):
        plot_cv(_cv_result())


def test_import_does_not_import_matplotlib():
    script = textwrap.dedent("""
        import sys
        import fastreg
        assert "matplotlib" not in sys.modules
        from fastreg import plot
        import fastreg.plot
        assert fastreg.plot is plot and callable(fastreg.plot.plot_path)
        assert "matplotlib" not in sys.modules
        print("ok")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


# ------------------------------------------------------------------ numpydoc
@pytest.mark.parametrize("name", ["plot_path", "plot_cv"])
def test_numpydoc(name):
    from numpydoc.validate import validate

    result = validate(f"fastreg.plot.{name}")
    errors = [(code, msg) for code, msg in result["errors"] if code not in STYLE_ONLY]
    assert not errors, errors


def test_docstring_examples_run():
    import doctest

    import fastreg.plot

    results = doctest.testmod(fastreg.plot, optionflags=doctest.ELLIPSIS)
    assert results.attempted >= 10
    assert results.failed == 0
