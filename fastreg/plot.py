"""Plots of regularization paths and cross-validation curves (optional matplotlib).

``plot_path`` draws the coefficients of a ``lasso_path`` / ``enet_path`` result
against alpha, with the number of nonzero coefficients on a top axis (the plot
glmnet users know), named features and a legend of the largest ones;
``plot_cv`` draws a cross-validation error curve inside a band of one standard
error and marks the best and the one-standard-error alphas.

matplotlib is an optional dependency (``pip install 'fastreg[plot]'``). It is
imported inside the functions, never when this module is imported. Both
functions draw on the Axes they are given (or on a new figure), return that
Axes and never call ``plt.show()``.
"""

import numbers

import numpy as np

__all__ = ["plot_path", "plot_cv"]

_INSTALL_HINT = ("fastreg.plot needs matplotlib, an optional dependency: "
                 "pip install 'fastreg[plot]'")


def _new_axes():
    """A fresh Axes on a new figure; the one place that imports pyplot."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(_INSTALL_HINT) from err
    _, ax = plt.subplots()
    return ax


def _check_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise ImportError(_INSTALL_HINT) from err


def _as_alphas(alphas, log_alpha, name="alphas"):
    try:
        alphas = np.asarray(alphas, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a 1-D array of numbers") from err
    if alphas.ndim != 1 or alphas.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {alphas.shape}")
    if not np.all(np.isfinite(alphas)):
        raise ValueError(f"{name} must be finite")
    if log_alpha and np.any(alphas <= 0):
        raise ValueError(f"{name} must be positive for a log-scale axis "
                         "(pass log_alpha=False for a linear axis)")
    return alphas


def _as_values(values, name, shape):
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if values.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite")
    return values


def _as_alpha_mark(value, name, log_alpha):
    if value is None:
        return None
    if not isinstance(value, numbers.Real) and not (
            isinstance(value, np.ndarray) and value.ndim == 0):
        raise ValueError(f"{name} must be one number, got {value!r} "
                         "(plot one target at a time for per-target alphas)")
    value = float(value)
    if not np.isfinite(value) or (log_alpha and value <= 0):
        raise ValueError(f"{name} must be finite{' and positive' if log_alpha else ''}, "
                         f"got {value}")
    return value


def _check_n_ticks(n_ticks):
    if isinstance(n_ticks, bool) or not isinstance(n_ticks, numbers.Integral) or n_ticks < 1:
        raise ValueError(f"n_ticks must be a positive integer, got {n_ticks!r}")


def _plot_order(alphas):
    """Indices that draw the alphas monotonically: as given if sorted, else ascending."""
    steps = np.diff(alphas)
    if np.all(steps <= 0) or np.all(steps >= 0):
        return np.arange(alphas.size)
    return np.argsort(alphas, kind="stable")


def _nonzero_ticks(alphas, n_nonzero, n_ticks, log_alpha):
    """Indices of the alphas that label the top axis with their nonzero counts.

    Candidates are the alphas where the count changes, walking from the
    largest alpha down. A candidate is kept when its count is not on the axis
    yet (no label repeats) and it is at least half an even spacing away from
    the last one kept (labels would overlap); of those, at most ``n_ticks``
    evenly spread ones remain, the first and the last included.
    """
    order = np.argsort(-alphas, kind="stable")
    counts = n_nonzero[order]
    position = np.log10(alphas) if log_alpha else alphas
    span = float(position.max() - position.min())
    min_gap = span / (2.0 * n_ticks) if span > 0 else 0.0
    kept, used = [], set()
    for rank, k in enumerate(order):
        if rank > 0 and counts[rank] == counts[rank - 1]:
            continue
        if counts[rank] in used:
            continue
        if kept and abs(position[k] - position[kept[-1]]) < min_gap:
            continue
        kept.append(k)
        used.add(counts[rank])
    if len(kept) > n_ticks:
        kept = [kept[i] for i in np.round(np.linspace(0, len(kept) - 1, n_ticks)).astype(int)]
    return np.asarray(kept, dtype=int)


def _nonzero_axis(ax, alphas, n_nonzero, n_ticks, log_alpha):
    """Secondary top x axis labelled with nonzero counts at a few alphas."""
    picks = _nonzero_ticks(alphas, n_nonzero, n_ticks, log_alpha)
    top = ax.secondary_xaxis("top")
    top.set_xticks(alphas[picks], labels=[str(int(n_nonzero[k])) for k in picks])
    # the log-scale minor ticks of the main axis would show through otherwise
    top.xaxis.set_minor_locator(_null_locator())
    top.set_xlabel("nonzero coefficients")
    return top


def _null_locator():
    from matplotlib.ticker import NullLocator

    return NullLocator()


def _style_alpha_axis(ax, log_alpha):
    if log_alpha:
        ax.set_xscale("log")
    ax.set_xlabel("regularization strength alpha (log scale)" if log_alpha
                  else "regularization strength alpha")


def _feature_names(feature_names, n_features):
    """Names as a list of str: from a sequence, or from a DataFrame's ``columns``."""
    if feature_names is None:
        return None
    columns = getattr(feature_names, "columns", None)
    if columns is not None and not isinstance(feature_names, (str, bytes)):
        feature_names = columns
    if isinstance(feature_names, (str, bytes)):
        raise ValueError("feature_names must be a sequence of names or a DataFrame, "
                         f"got the string {feature_names!r}")
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ValueError(f"feature_names has {len(names)} names for {n_features} features")
    return names


def _legend_count(legend, n_features):
    if legend is None:
        return min(_DEFAULT_LEGEND, n_features)
    if isinstance(legend, (bool, np.bool_)):
        return n_features if legend else 0
    if isinstance(legend, numbers.Integral) and legend >= 0:
        return min(int(legend), n_features)
    raise ValueError(f"legend must be a bool or a nonnegative integer, got {legend!r}")


# features named in the legend by default: a legend longer than this is read
# by nobody, and the remaining lines are drawn in gray
_DEFAULT_LEGEND = 8


def plot_path(alphas, coefs, *, ax=None, feature_names=None, log_alpha=True, n_ticks=6,
              legend=None, title=None, line_kwargs=None):
    """Plot coefficient paths against alpha, with nonzero counts on a top axis.

    One line per feature: its coefficient at every alpha of the path, as
    returned by :func:`fastreg.lasso_path` or :func:`fastreg.enet_path`. A
    secondary x axis on top gives the number of nonzero coefficients at a few
    of the path's alphas where that number changes (the plot ``plot.glmnet``
    draws). The features whose coefficients grow largest along the path are
    drawn in color and named in a legend; the others are drawn in gray. Alpha
    increases to the right; call ``ax.invert_xaxis()`` to read the path in
    the order it is computed.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,)
        The alphas of the path, positive when ``log_alpha`` is True.
    coefs : array-like of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        The coefficients along the path. For a multi-task path (3-D
        ``coefs``) each line is the Euclidean norm of one feature's
        coefficients over the targets, ``||W_j||_2``, the quantity the
        multi-task penalty acts on (a feature is selected when its norm is
        nonzero). For one panel per target call this function once per
        target with ``coefs[k]`` and ``ax=axes[k]``.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on. By default a new figure with one Axes is made.
    feature_names : sequence of str or pandas.DataFrame, optional
        One name per feature, or the DataFrame the path was fitted on (its
        ``columns`` name the features). By default the features are named
        ``"feature 0"``, ``"feature 1"``, ...
    log_alpha : bool, default=True
        Draw alpha on a logarithmic x axis (the line data are the alphas
        themselves); if False, on a linear axis.
    n_ticks : int, default=6
        Largest number of nonzero counts on the top axis.
    legend : bool or int, optional
        How many features the legend names: an integer ``k`` names the ``k``
        features with the largest ``max |coefficient|`` over the path (drawn
        in color, the others in gray), True names all of them, False or 0
        draws no legend and every line in color. By default
        ``min(8, n_features)``.
    title : str, optional
        Title of the plot; by default ``"Regularization path"``. Pass ``""``
        for none.
    line_kwargs : dict, optional
        Extra keyword arguments for every ``ax.plot`` call (for example
        ``{"linewidth": 1}``); they override the colors chosen here.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Its lines are the feature paths, in feature order,
        each labelled with its feature's name; the top axis is
        ``ax.child_axes[-1]``.

    Raises
    ------
    ValueError
        If the shapes of ``alphas``, ``coefs`` and ``feature_names`` do not
        match, if a value is not finite, if an alpha is not positive with
        ``log_alpha=True``, or if ``legend`` or ``n_ticks`` is not a count.
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    plot_cv : The cross-validation error curve.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import fastreg
    >>> from fastreg.plot import plot_path
    >>> X, y = fastreg.load_diabetes()
    >>> alphas, coefs, _ = fastreg.lasso_path(X, y)
    >>> names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    >>> ax = plot_path(alphas, coefs, feature_names=names, legend=5)
    >>> len(ax.lines) == X.shape[1]
    True
    >>> len(ax.get_legend().get_texts())
    5
    """
    alphas = _as_alphas(alphas, log_alpha)
    try:
        coefs = np.asarray(coefs, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError("coefs must be an array of numbers") from err
    if coefs.ndim not in (2, 3) or coefs.shape[-1] != alphas.size:
        raise ValueError(
            f"coefs must have shape (n_features, n_alphas) or (n_targets, n_features, "
            f"n_alphas) with n_alphas={alphas.size}, got {coefs.shape}")
    if not np.all(np.isfinite(coefs)):
        raise ValueError("coefs must be finite")
    multi_task = coefs.ndim == 3
    lines = np.linalg.norm(coefs, axis=0) if multi_task else coefs
    n_features = lines.shape[0]
    names = _feature_names(feature_names, n_features)
    n_legend = _legend_count(legend, n_features)
    _check_n_ticks(n_ticks)
    if title is not None and not isinstance(title, str):
        raise ValueError(f"title must be a string, got {title!r}")
    if ax is None:
        ax = _new_axes()
    else:
        _check_matplotlib()
    labels = names or [f"feature {j}" for j in range(n_features)]
    # largest first; stable, so ties keep the feature order
    ranked = np.argsort(-np.max(np.abs(lines), axis=1), kind="stable")
    in_legend = ranked[:n_legend]
    color_of = {}
    if 0 < n_legend < n_features:
        palette = _palette(n_legend)
        color_of = {int(j): palette[r] for r, j in enumerate(in_legend)}
    order = _plot_order(alphas)
    drawn = []
    for j in range(n_features):
        style = {}
        if color_of:
            style = ({"color": color_of[j], "linewidth": 1.6, "zorder": 3} if j in color_of
                     else {"color": "0.65", "linewidth": 0.9, "zorder": 2})
        style.update(line_kwargs or {})
        (line,) = ax.plot(alphas[order], lines[j, order], label=labels[j], **style)
        drawn.append(line)
    ax.grid(True, which="major", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    _style_alpha_axis(ax, log_alpha)
    ax.set_ylabel("coefficient norm over targets ||W_j||" if multi_task else "coefficient")
    ax.set_title("Regularization path" if title is None else title)
    _nonzero_axis(ax, alphas, np.count_nonzero(lines, axis=0), n_ticks, log_alpha)
    if n_legend:
        handles = [drawn[j] for j in in_legend]
        heading = (None if n_legend == n_features
                   else f"largest {n_legend} of {n_features}")
        ax.legend(handles=handles, title=heading, fontsize="small", title_fontsize="small",
                  loc="best", framealpha=0.9)
    return ax


def _palette(n):
    """``n`` distinct colors: the default color cycle, then tab20 for more."""
    import matplotlib

    cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]
             if "color" in c] or ["C0"]
    if n <= len(cycle):
        return cycle[:n]
    cmap = matplotlib.colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def _cv_fields(result, alphas, cv_mean, cv_std_error, alpha_best, alpha_1se, n_nonzero):
    """Fill the arrays not given explicitly from the result object's fields."""
    if result is not None:
        if alphas is None:
            alphas = getattr(result, "alphas", None)
        if cv_mean is None:
            cv_mean = getattr(result, "cv_mean", None)
            if cv_mean is None:
                cv_mean = getattr(result, "cv_error", None)
        if cv_std_error is None:
            cv_std_error = getattr(result, "cv_std_error", None)
        if alpha_best is None:
            alpha_best = getattr(result, "alpha", None)
        if alpha_1se is None:
            alpha_1se = getattr(result, "alpha_1se", None)
        if n_nonzero is None:
            n_nonzero = getattr(result, "n_nonzero", None)
    if alphas is None or cv_mean is None:
        raise TypeError("plot_cv needs a result with fields 'alphas' and 'cv_mean' "
                        "(or 'cv_error'), or the arrays alphas= and cv_mean=")
    return alphas, cv_mean, cv_std_error, alpha_best, alpha_1se, n_nonzero


def _default_cv_title(result):
    """``"10-fold cross-validation"`` when the result holds per-fold errors."""
    mse_path = getattr(result, "mse_path", None)
    if mse_path is not None and np.ndim(mse_path) == 2:
        return f"{np.shape(mse_path)[1]}-fold cross-validation"
    return "Cross-validation"


def plot_cv(result=None, *, alphas=None, cv_mean=None, cv_std_error=None, alpha_best=None,
            alpha_1se=None, n_nonzero=None, ax=None, log_alpha=True, n_ticks=6,
            ylabel="mean squared error", title=None):
    """Plot a cross-validation error curve in its standard-error band, with the chosen alphas.

    The mean cross-validation error at every alpha, inside a shaded band of
    plus and minus one standard error when that is known; the best alpha (the
    smallest mean error) is marked by a dot and a dashed vertical line, the
    one-standard-error alpha (the largest alpha whose error is within one
    standard error of the best) by a dotted vertical line, and the threshold
    it meets, best error plus one standard error, by a thin horizontal line
    (the plot ``plot.cv.glmnet`` draws).

    Parameters
    ----------
    result : object, optional
        A cross-validation result: an object with the fields ``alphas``,
        ``cv_mean`` (or ``cv_error``, as in the result of
        :func:`fastreg.ridge_cv`), and optionally ``cv_std_error``, ``alpha``
        (the best alpha), ``alpha_1se``, ``n_nonzero`` and ``mse_path`` (its
        number of columns, the folds, goes into the default title). Any field
        can be given or overridden by the keyword arguments below; without
        ``result``, ``alphas`` and ``cv_mean`` are required.
    alphas : array-like of shape (n_alphas,), optional
        The alphas of the grid, positive when ``log_alpha`` is True.
    cv_mean : array-like of shape (n_alphas,) or (n_alphas, n_targets), optional
        Mean cross-validation error per alpha. A 2-D array (one column per
        target, as ``ridge_cv`` returns for 2-D y) is averaged over the
        targets, the criterion a shared alpha minimizes.
    cv_std_error : array-like of shape (n_alphas,), optional
        Standard error of the mean error per alpha, drawn as a band of
        ``cv_mean +/- cv_std_error``. Without it the curve is drawn alone.
    alpha_best : float, optional
        The best alpha, marked by a dashed vertical line (``result.alpha``).
    alpha_1se : float, optional
        The one-standard-error alpha, marked by a dotted vertical line
        (``result.alpha_1se``).
    n_nonzero : array-like of shape (n_alphas,), optional
        Number of nonzero coefficients per alpha. When given, a top axis
        shows it at up to ``n_ticks`` alphas where it changes.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on. By default a new figure with one Axes is made.
    log_alpha : bool, default=True
        Draw alpha on a logarithmic x axis (the line data are the alphas
        themselves); if False, on a linear axis.
    n_ticks : int, default=6
        Largest number of nonzero counts on the top axis (when ``n_nonzero``
        is known).
    ylabel : str, default="mean squared error"
        Label of the y axis.
    title : str, optional
        Title of the plot; by default ``"K-fold cross-validation"`` when the
        result holds K folds' errors (``mse_path``), else
        ``"Cross-validation"``. Pass ``""`` for none.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. The mean error is the line labelled ``"mean CV
        error"``, the band a ``PolyCollection`` in ``ax.collections``; the
        chosen alphas are vertical lines labelled ``"best alpha = ..."`` and
        ``"1-SE alpha = ..."``.

    Raises
    ------
    TypeError
        If neither ``result`` nor ``alphas`` and ``cv_mean`` are given.
    ValueError
        If the shapes do not match, if a value is not finite, if a standard
        error is negative, or if an alpha is not positive with
        ``log_alpha=True``.
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    plot_path : Coefficient paths with nonzero counts.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from fastreg.plot import plot_cv
    >>> alphas = np.logspace(0, -3, 20)
    >>> cv_mean = 1 + (np.log10(alphas) + 1.5) ** 2
    >>> ax = plot_cv(alphas=alphas, cv_mean=cv_mean, cv_std_error=np.full(20, 0.2),
    ...              alpha_best=alphas[10], alpha_1se=alphas[8])
    >>> len(ax.collections)
    1
    """
    alphas, cv_mean, cv_std_error, alpha_best, alpha_1se, n_nonzero = _cv_fields(
        result, alphas, cv_mean, cv_std_error, alpha_best, alpha_1se, n_nonzero)
    alphas = _as_alphas(alphas, log_alpha)
    n_alphas = alphas.size
    cv_mean = np.asarray(cv_mean, dtype=np.float64)
    if cv_mean.ndim == 2 and cv_mean.shape[0] == n_alphas:
        cv_mean = cv_mean.mean(axis=1)
    cv_mean = _as_values(cv_mean, "cv_mean", (n_alphas,))
    if cv_std_error is not None:
        cv_std_error = _as_values(cv_std_error, "cv_std_error", (n_alphas,))
        if np.any(cv_std_error < 0):
            raise ValueError("cv_std_error must be nonnegative")
    if n_nonzero is not None:
        n_nonzero = _as_values(n_nonzero, "n_nonzero", (n_alphas,))
    alpha_best = _as_alpha_mark(alpha_best, "alpha_best", log_alpha)
    alpha_1se = _as_alpha_mark(alpha_1se, "alpha_1se", log_alpha)
    _check_n_ticks(n_ticks)
    if title is not None and not isinstance(title, str):
        raise ValueError(f"title must be a string, got {title!r}")
    if ax is None:
        ax = _new_axes()
    else:
        _check_matplotlib()

    order = _plot_order(alphas)
    x, mean = alphas[order], cv_mean[order]
    ax.plot(x, mean, "-", color="C0", linewidth=1.8, label="mean CV error", zorder=3)
    if cv_std_error is not None:
        se = cv_std_error[order]
        ax.fill_between(x, mean - se, mean + se, color="C0", alpha=0.2, linewidth=0,
                        label="+/- 1 standard error", zorder=2)
    best_k = _grid_index(alphas, alpha_best)
    if alpha_best is not None:
        ax.axvline(alpha_best, color="C3", linestyle="--", linewidth=1.2,
                   label=f"best alpha = {alpha_best:.3g}")
        if best_k is not None:
            ax.plot([alphas[best_k]], [cv_mean[best_k]], "o", color="C3", markersize=5,
                    zorder=4, label="_nolegend_")
            if cv_std_error is not None and alpha_1se is not None:
                ax.axhline(cv_mean[best_k] + cv_std_error[best_k], color="0.4",
                           linestyle=":", linewidth=0.8, zorder=1,
                           label="best error + 1 SE")
    if alpha_1se is not None:
        ax.axvline(alpha_1se, color="C2", linestyle=":", linewidth=1.6,
                   label=f"1-SE alpha = {alpha_1se:.3g}")
    ax.grid(True, which="major", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    _style_alpha_axis(ax, log_alpha)
    ax.set_ylabel(ylabel)
    ax.set_title(_default_cv_title(result) if title is None else title)
    if n_nonzero is not None:
        _nonzero_axis(ax, alphas, n_nonzero, n_ticks, log_alpha)
    ax.legend(fontsize="small", loc="best", framealpha=0.9)
    return ax


def _grid_index(alphas, alpha):
    """Index of ``alpha`` in the grid (relative tolerance 1e-9), or None if it is not on it."""
    if alpha is None:
        return None
    k = int(np.argmin(np.abs(alphas - alpha)))
    return k if np.isclose(alphas[k], alpha, rtol=1e-9, atol=0.0) else None
