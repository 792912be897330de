"""Plots of regularization paths and cross-validation curves (optional matplotlib).

``plot_path`` draws the coefficients of a ``lasso_path`` / ``enet_path`` result
against alpha, with the number of nonzero coefficients on a top axis (the plot
glmnet users know); ``plot_cv`` draws a cross-validation error curve with its
standard-error bars and marks the best and the one-standard-error alphas.

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


def _nonzero_axis(ax, alphas, n_nonzero, n_ticks):
    """Secondary top x axis labelled with nonzero counts at a subset of the alphas."""
    picks = np.unique(np.round(np.linspace(0, alphas.size - 1,
                                           min(n_ticks, alphas.size))).astype(int))
    top = ax.secondary_xaxis("top")
    top.set_xticks(alphas[picks], labels=[str(int(n_nonzero[k])) for k in picks])
    top.set_xlabel("nonzero coefficients")
    return top


def _style_alpha_axis(ax, log_alpha):
    if log_alpha:
        ax.set_xscale("log")
    ax.set_xlabel("alpha (log scale)" if log_alpha else "alpha")


def plot_path(alphas, coefs, *, ax=None, feature_names=None, log_alpha=True, n_ticks=6,
              legend=None, line_kwargs=None):
    """Plot coefficient paths against alpha, with nonzero counts on a top axis.

    One line per feature: its coefficient at every alpha of the path, as
    returned by :func:`fastreg.lasso_path` or :func:`fastreg.enet_path`. A
    secondary x axis on top gives the number of nonzero coefficients at a few
    of the path's alphas (the plot ``plot.glmnet`` draws). Alpha increases to
    the right; call ``ax.invert_xaxis()`` to read the path in the order it is
    computed.

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
    feature_names : sequence of str, optional
        One label per feature, used for the legend. By default the lines are
        labelled ``"feature 0"``, ``"feature 1"``, ...
    log_alpha : bool, default=True
        Draw alpha on a logarithmic x axis (the line data are the alphas
        themselves); if False, on a linear axis.
    n_ticks : int, default=6
        Number of alphas, evenly spaced along the path, that get a nonzero
        count on the top axis.
    legend : bool, optional
        Whether to draw a legend. By default a legend is drawn when
        ``feature_names`` is given.
    line_kwargs : dict, optional
        Extra keyword arguments for every ``ax.plot`` call (for example
        ``{"linewidth": 1}``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Its lines are the feature paths, in feature order;
        the top axis is ``ax.child_axes[-1]``.

    Raises
    ------
    ValueError
        If the shapes of ``alphas``, ``coefs`` and ``feature_names`` do not
        match, if a value is not finite, or if an alpha is not positive with
        ``log_alpha=True``.
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
    >>> ax = plot_path(alphas, coefs)
    >>> len(ax.lines) == X.shape[1]
    True
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
    if feature_names is not None:
        feature_names = [str(name) for name in feature_names]
        if len(feature_names) != n_features:
            raise ValueError(f"feature_names has {len(feature_names)} names for "
                             f"{n_features} features")
    _check_n_ticks(n_ticks)
    if ax is None:
        ax = _new_axes()
    else:
        _check_matplotlib()
    if legend is None:
        legend = feature_names is not None
    labels = feature_names or [f"feature {j}" for j in range(n_features)]
    order = _plot_order(alphas)
    for j in range(n_features):
        ax.plot(alphas[order], lines[j, order], label=labels[j], **(line_kwargs or {}))
    _style_alpha_axis(ax, log_alpha)
    ax.set_ylabel("coefficient norm over targets" if multi_task else "coefficient")
    _nonzero_axis(ax, alphas, np.count_nonzero(lines, axis=0), n_ticks)
    if legend:
        ax.legend(fontsize="small")
    return ax


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


def plot_cv(result=None, *, alphas=None, cv_mean=None, cv_std_error=None, alpha_best=None,
            alpha_1se=None, n_nonzero=None, ax=None, log_alpha=True, n_ticks=6,
            ylabel="mean squared error"):
    """Plot a cross-validation error curve with error bars and the chosen alphas.

    The mean cross-validation error at every alpha, with bars of one standard
    error when they are known, a dashed vertical line at the best alpha and a
    dotted one at the one-standard-error alpha (the largest alpha whose error
    is within one standard error of the best; the plot ``plot.cv.glmnet``
    draws).

    Parameters
    ----------
    result : object, optional
        A cross-validation result: an object with the fields ``alphas``,
        ``cv_mean`` (or ``cv_error``, as in the result of
        :func:`fastreg.ridge_cv`), and optionally ``cv_std_error``, ``alpha``
        (the best alpha), ``alpha_1se`` and ``n_nonzero``. Any field can be
        given or overridden by the keyword arguments below; without
        ``result``, ``alphas`` and ``cv_mean`` are required.
    alphas : array-like of shape (n_alphas,), optional
        The alphas of the grid, positive when ``log_alpha`` is True.
    cv_mean : array-like of shape (n_alphas,) or (n_alphas, n_targets), optional
        Mean cross-validation error per alpha. A 2-D array (one column per
        target, as ``ridge_cv`` returns for 2-D y) is averaged over the
        targets, the criterion a shared alpha minimizes.
    cv_std_error : array-like of shape (n_alphas,), optional
        Standard error of the mean error per alpha, drawn as error bars.
        Without it the curve is drawn without bars.
    alpha_best : float, optional
        The best alpha, marked by a dashed vertical line (``result.alpha``).
    alpha_1se : float, optional
        The one-standard-error alpha, marked by a dotted vertical line
        (``result.alpha_1se``).
    n_nonzero : array-like of shape (n_alphas,), optional
        Number of nonzero coefficients per alpha. When given, a top axis
        shows it at ``n_ticks`` of the alphas.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on. By default a new figure with one Axes is made.
    log_alpha : bool, default=True
        Draw alpha on a logarithmic x axis (the line data are the alphas
        themselves); if False, on a linear axis.
    n_ticks : int, default=6
        Number of alphas, evenly spaced along the grid, that get a nonzero
        count on the top axis (when ``n_nonzero`` is known).
    ylabel : str, default="mean squared error"
        Label of the y axis.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. The error curve is an errorbar container
        (``ax.containers``) when ``cv_std_error`` is known; the chosen alphas
        are vertical lines labelled ``"best alpha = ..."`` and
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
    >>> len(ax.containers)
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
    if ax is None:
        ax = _new_axes()
    else:
        _check_matplotlib()

    order = _plot_order(alphas)
    if cv_std_error is None:
        ax.plot(alphas[order], cv_mean[order], ".-", label="mean CV error")
    else:
        ax.errorbar(alphas[order], cv_mean[order], yerr=cv_std_error[order], fmt=".-",
                    capsize=2, elinewidth=0.8, label="mean CV error +/- 1 SE")
    if alpha_best is not None:
        ax.axvline(alpha_best, color="k", linestyle="--", linewidth=1,
                   label=f"best alpha = {alpha_best:.3g}")
    if alpha_1se is not None:
        ax.axvline(alpha_1se, color="k", linestyle=":", linewidth=1,
                   label=f"1-SE alpha = {alpha_1se:.3g}")
    _style_alpha_axis(ax, log_alpha)
    ax.set_ylabel(ylabel)
    if n_nonzero is not None:
        _nonzero_axis(ax, alphas, n_nonzero, n_ticks)
    ax.legend(fontsize="small")
    return ax
