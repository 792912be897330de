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
DIABETES_NAMES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def _largest(coefs, k):
    """Indices of the k features with the largest max |coef| over the path, largest first."""
    peak = np.abs(coefs).max(axis=1)
    return sorted(range(coefs.shape[0]), key=lambda j: (-peak[j], j))[:k]


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _check_top_axis(ax, alphas, counts, max_ticks):
    """Every top label is the nonzero count at its alpha, no label repeats, alpha_max first."""
    top = _top_axis(ax)
    ticks = np.asarray(top.get_xticks())
    labels = [t.get_text() for t in top.get_xticklabels()]
    assert 2 <= len(ticks) <= max_ticks
    assert len(set(labels)) == len(labels), labels
    for tick, label in zip(ticks, labels):
        k = int(np.argmin(np.abs(alphas - tick)))
        assert np.isclose(alphas[k], tick)
        assert label == str(int(counts[k]))
    assert np.isclose(ticks[0], alphas.max())
    assert top.get_xlabel() == "nonzero coefficients"
    return ticks, labels


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
    ticks, labels = _check_top_axis(ax, alphas, np.count_nonzero(coefs, axis=0), 5)
    assert labels[0] == "0"  # alpha_max: everything is zero
    assert ax.get_title() == "Regularization path"
    assert ax.get_xlabel() == "regularization strength alpha (log scale)"
    assert ax.get_ylabel() == "coefficient"
    # the default legend names the 8 largest of the 10 features; the others are gray
    largest = _largest(coefs, 8)
    assert _legend_texts(ax) == [f"feature {j}" for j in largest]
    assert ax.get_legend().get_title().get_text() == "largest 8 of 10"
    gray = [j for j, line in enumerate(ax.lines)
            if matplotlib.colors.same_color(line.get_color(), "0.65")]
    assert sorted(gray) == sorted(set(range(10)) - set(largest))


def test_top_axis_never_repeats_a_count():
    """A long path whose count stays at p for many alphas (the repeated "10" of old)."""
    X, y = fastreg.load_diabetes()
    alphas, coefs, _ = fastreg.lasso_path(X, y, alphas=100, tol=1e-8)
    counts = np.count_nonzero(coefs, axis=0)
    assert np.sum(counts == counts.max()) > 5
    for n_ticks in (3, 6, 12, 100):
        ax = plot_path(alphas, coefs, n_ticks=n_ticks)
        ticks, labels = _check_top_axis(ax, alphas, counts, n_ticks)
        assert labels[-1] == str(counts.max())  # the least regularized end is labelled
        plt.close("all")


def test_plot_path_uses_given_axes_and_names(diabetes_path, tmp_path):
    alphas, coefs = diabetes_path
    fig, axes = plt.subplots(1, 2)
    names = [f"x{j}" for j in range(coefs.shape[0])]
    ax = plot_path(alphas, coefs, ax=axes[1], feature_names=names, line_kwargs={"lw": 3},
                   legend=True, title="my path")
    assert ax is axes[1]
    assert not axes[0].lines
    assert [line.get_label() for line in ax.lines] == names
    assert all(line.get_linewidth() == 3 for line in ax.lines)
    assert _legend_texts(ax) == [names[j] for j in _largest(coefs, 10)]
    assert ax.get_legend().get_title().get_text() == ""  # all of them: no "largest k"
    assert ax.get_title() == "my path"
    _render(ax, tmp_path)


def test_plot_path_feature_names_from_a_dataframe(diabetes_path, tmp_path):
    pd = pytest.importorskip("pandas")
    alphas, coefs = diabetes_path
    X, _ = fastreg.load_diabetes()
    frame = pd.DataFrame(X, columns=DIABETES_NAMES)
    ax = plot_path(alphas, coefs, feature_names=frame, legend=4, title="")
    assert [line.get_label() for line in ax.lines] == DIABETES_NAMES
    assert _legend_texts(ax) == [DIABETES_NAMES[j] for j in _largest(coefs, 4)]
    assert ax.get_title() == ""
    # the columns themselves (a pandas Index) work too
    ax = plot_path(alphas, coefs, feature_names=frame.columns)
    assert [line.get_label() for line in ax.lines] == DIABETES_NAMES
    _render(ax, tmp_path)


@pytest.mark.parametrize("legend", [False, 0])
def test_plot_path_without_legend_colors_every_line(diabetes_path, legend):
    alphas, coefs = diabetes_path
    ax = plot_path(alphas, coefs, legend=legend)
    assert ax.get_legend() is None
    colors = [matplotlib.colors.to_hex(line.get_color()) for line in ax.lines]
    assert len(set(colors)) == len(colors)  # the default cycle, no gray


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
    (np.ones(2), np.ones((3, 2)), {"feature_names": "abc"}, "feature_names"),
    (np.ones(2), np.ones((3, 2)), {"legend": -1}, "legend"),
    (np.ones(2), np.ones((3, 2)), {"legend": 2.5}, "legend"),
    (np.ones(2), np.ones((3, 2)), {"title": 3}, "title"),
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


def _band(ax):
    """(x, lower, upper) of the fill_between band (its only PolyCollection)."""
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    return vertices


def test_plot_cv_result_object(tmp_path):
    res = _cv_result()
    ax = plot_cv(res)
    _render(ax, tmp_path)
    assert ax.get_xscale() == "log"
    assert not ax.containers  # a band, not a hundred error bars
    curve = [line for line in ax.lines if line.get_label() == "mean CV error"]
    assert len(curve) == 1
    x = np.sort(res.alphas)
    mean = res.cv_mean[np.argsort(res.alphas)]
    se = res.cv_std_error[np.argsort(res.alphas)]
    np.testing.assert_array_equal(curve[0].get_xdata(), res.alphas)
    np.testing.assert_array_equal(curve[0].get_ydata(), res.cv_mean)
    vertices = _band(ax)
    for xk, mk, sk in zip(x, mean, se):
        at = vertices[np.isclose(vertices[:, 0], xk), 1]
        np.testing.assert_allclose([at.min(), at.max()], [mk - sk, mk + sk])
    assert sorted(_vertical_lines(ax)) == sorted([res.alpha, res.alpha_1se])
    # the best point is marked, and the 1-SE threshold is drawn at best + its SE
    best = 10
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 1
    np.testing.assert_allclose(dots[0].get_xydata(), [[res.alphas[best], res.cv_mean[best]]])
    threshold = [line for line in ax.lines if line.get_label() == "best error + 1 SE"]
    assert len(threshold) == 1
    np.testing.assert_allclose(threshold[0].get_ydata(),
                               res.cv_mean[best] + res.cv_std_error[best])
    labels = _legend_texts(ax)
    assert f"best alpha = {res.alpha:.3g}" in labels
    assert f"1-SE alpha = {res.alpha_1se:.3g}" in labels
    assert "+/- 1 standard error" in labels
    assert not ax.child_axes  # no nonzero counts known, no top axis
    assert ax.get_title() == "Cross-validation"
    assert ax.get_ylabel() == "mean squared error"
    assert ax.get_xlabel() == "regularization strength alpha (log scale)"


def test_plot_cv_explicit_arrays_and_nonzero_axis(tmp_path):
    res = _cv_result()
    n_nonzero = np.arange(20)[::-1]
    fig, given = plt.subplots()
    ax = plot_cv(alphas=res.alphas, cv_mean=res.cv_mean, cv_std_error=res.cv_std_error,
                 alpha_best=res.alpha, alpha_1se=res.alpha_1se, n_nonzero=n_nonzero,
                 ax=given, n_ticks=4, title="explicit")
    assert ax is given
    _render(ax, tmp_path)
    assert sorted(_vertical_lines(ax)) == sorted([res.alpha, res.alpha_1se])
    _check_top_axis(ax, res.alphas, n_nonzero, 4)
    assert ax.get_title() == "explicit"


def test_plot_cv_lasso_cv_result(tmp_path):
    X, y = fastreg.load_diabetes()
    res = fastreg.lasso_cv(X, y, cv=5, alphas=30)
    ax = plot_cv(res)
    _render(ax, tmp_path)
    assert ax.get_title() == "5-fold cross-validation"
    assert sorted(_vertical_lines(ax)) == sorted([res.alpha, res.alpha_1se])
    _check_top_axis(ax, res.alphas, res.n_nonzero, 6)
    assert len(ax.collections) == 1


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
    assert not ax.collections  # ridge_cv has no standard errors: a plain curve
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
