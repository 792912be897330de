"""``run_path``: the one elastic-net path pipeline every entry point uses.

``enet_path`` / ``lasso_path``, the ``*_from_stats`` functions, both routes of
the cross-validation functions and the scikit-learn estimators all build a
:class:`~fastreg.enet.prepare.Design` and call :func:`run_path` with the
validated :class:`~fastreg.enet.options.Penalty` and
:class:`~fastreg.enet.options.PathOptions`. It applies the penalty to the
design (penalty factors and bounds on the problem's scale), builds the grid
(``alpha_max`` of the penalized problem), maps ``coef_init`` and the callback
between scales, runs the driver and maps the results back:
:class:`EnetPathResult`, which can also solve at alphas between grid points.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from .. import _parallel
from .driver import solve_path
from .grid import alpha_grid
from .penalty import feature_box, path_alpha_max


@dataclass(frozen=True)
class EnetPathResult:
    """An elastic-net path: coefficients, certificates, fit statistics.

    Returned by the path functions with ``return_result=True``. Besides the
    arrays of the tuple form it reports the fraction of deviance explained and
    the model size at every alpha, and solves the same problem exactly at any
    other alpha (glmnet's ``coef(fit, s=)`` / ``predict(fit, newx, s=)``, with
    ``exact=TRUE``): by a warm-started solve from the nearest larger alpha of
    the path, certified by the same duality-gap tolerance, never by
    interpolation. It keeps a reference to the problem it solved (the data,
    or a centered copy of it) for that purpose.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        Decreasing; truncated when a path control stopped the path early.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        Coefficients at every alpha, on the caller's scale.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap (certificate) at every alpha, on the objective's scale.
    n_iters : list of int
        Coordinate sweeps per alpha.
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Zeros without ``fit_intercept``.
    dev_ratio : ndarray of shape (n_alphas,)
        Fraction of (null) deviance explained, ``1 - ||y - Xw - b||^2 / ||y - b0||^2``
        (weighted; ``b0`` the weighted mean of y with an intercept, else 0):
        glmnet's ``dev.ratio``.
    n_nonzero : ndarray of int64, shape (n_alphas,)
        Nonzero coefficients (features used by any target for multi-task): glmnet's ``df``.
    stop_reason : str or None
        Why the path stopped before its last alpha (None: it did not).
    """

    alphas: np.ndarray
    coefs: np.ndarray
    dual_gaps: np.ndarray
    n_iters: list
    intercepts: np.ndarray
    dev_ratio: np.ndarray
    n_nonzero: np.ndarray
    stop_reason: object = None
    _state: object = field(default=None, init=False, repr=False, compare=False)

    def as_tuple(self, *, return_n_iter=False, return_intercept=False):
        """scikit-learn's layout: ``(alphas, coefs, dual_gaps[, n_iters][, intercepts])``."""
        out = [self.alphas, self.coefs, self.dual_gaps]
        if return_n_iter:
            out.append(self.n_iters)
        if return_intercept:
            out.append(self.intercepts)
        return tuple(out)

    def coef_at(self, alpha):
        """Coefficients at ``alpha`` (a float or an array of alphas), exactly.

        Parameters
        ----------
        alpha : float or array-like of shape (k,)

        Returns
        -------
        ndarray of shape (n_features,) [(n_targets, n_features) multi-task] for a
        float; with a trailing axis of length k for an array.
        """
        return self._at(alpha)[0]

    def intercept_at(self, alpha):
        """Intercept(s) at ``alpha`` (a float or an array), exactly (see :meth:`coef_at`)."""
        return self._at(alpha)[1]

    def predict(self, X, alpha=None):
        """``X @ w(alpha) + b(alpha)`` at the path's alphas (None) or at any ``alpha``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        alpha : None, float or array-like of shape (k,)

        Returns
        -------
        ndarray of shape (n_samples, n_alphas), (n_samples,) for a float alpha or
        (n_samples, k) for an array; multi-task: a target axis after n_samples.
        """
        if alpha is None:
            coefs, intercepts = self.coefs, self.intercepts
        else:
            coefs, intercepts = self._at(alpha)
        if self.coefs.ndim == 2:  # one target: (n_features[, k])
            return np.asarray(X @ coefs) + intercepts
        if coefs.ndim == 2:  # multi-task at one alpha: (n_targets, n_features)
            return np.asarray(X @ coefs.T) + intercepts
        return np.stack([np.asarray(X @ coefs[..., k].T) + intercepts[:, k]
                         for k in range(coefs.shape[-1])], axis=-1)

    def _at(self, alpha):
        scalar = np.ndim(alpha) == 0
        wanted = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
        if wanted.ndim != 1 or not np.all(np.isfinite(wanted)) or np.any(wanted < 0):
            raise ValueError(f"alpha must be a non-negative number or a 1-D array of them, "
                             f"got {alpha!r}.")
        if self._state is None:
            raise ValueError("This result cannot solve at new alphas (built without its "
                             "problem).")
        pairs = [self._state.solve_at(self, a) for a in wanted]
        coefs = np.stack([c for c, _ in pairs], axis=-1)
        intercepts = np.stack([b for _, b in pairs], axis=-1)
        if scalar:
            return coefs[..., 0], intercepts[..., 0]
        return coefs, intercepts


@dataclass(frozen=True)
class _Resolvable:
    """What a path result needs to solve at other alphas: the run's own pieces."""

    design: object
    box: object
    penalty: object
    options: object
    problem_coefs: np.ndarray

    def solve_at(self, result, alpha):
        """``(coef, intercept)`` at ``alpha``: the stored one on the grid, else a warm start."""
        on_grid = np.flatnonzero(result.alphas == alpha)
        if on_grid.size:
            k = int(on_grid[0])
            return result.coefs[..., k], result.intercepts[..., k]
        above = np.flatnonzero(result.alphas > alpha)
        k = int(above[-1]) if above.size else 0
        W = np.array(self.problem_coefs[..., k], order="C")
        if W.ndim == 2:  # (n_tasks, n_features) -> the driver's (n_features, n_tasks)
            W = np.ascontiguousarray(W.T)
        transform = self.design.transform
        trace = solve_path(self.design.problem, np.array([alpha]), W, self.box, self.penalty,
                           self.options.quiet(), transform.solve_scale)
        unscaled = transform.unscale(trace.coefs)
        intercepts = transform.intercepts(unscaled)
        return transform.outer.coef_to_user(unscaled)[..., 0], intercepts[..., 0]


def path_grid(design, penalty, options, *, box=None, W=None):
    """The path's alphas: ``options.grid`` itself, or the automatic grid from ``alpha_max``.

    ``alpha_max`` is that of the penalized problem (with penalty factors or
    bounds, computed at the fit of the unpenalized features, written into
    ``W`` when given: the path's warm start).
    """
    if not isinstance(options.grid, int):
        return options.grid
    problem, transform = design.problem, design.transform
    if box is None:
        box = feature_box(problem, penalty, transform)
    if W is None:
        W = np.zeros(problem.n_features, dtype=transform.dtype)
    top = path_alpha_max(problem, box, W, penalty, tol=options.tol, max_iter=options.max_iter)
    scale = transform.solve_scale
    return alpha_grid(scale.alpha_to_user(top), options.grid, options.eps,
                      unit=scale.alpha_unit)


def run_path(design, penalty, options, coef_init=None):
    """Solve the elastic-net path of ``design`` with ``penalty`` and ``options``.

    Parameters
    ----------
    design : fastreg.enet.prepare.Design
    penalty : fastreg.enet.options.Penalty
    options : fastreg.enet.options.PathOptions
    coef_init : ndarray of shape (n_features,) or (n_targets, n_features), default=None
        Validated starting coefficients on the caller's scale (projected onto
        the constraints).

    Returns
    -------
    EnetPathResult
    """
    problem, transform = design.problem, design.transform
    box = feature_box(problem, penalty, transform)
    shape = (problem.n_features,) if problem.n_tasks is None else \
        (problem.n_features, problem.n_tasks)
    W = np.zeros(shape, dtype=transform.dtype)
    grid = path_grid(design, penalty, options, box=box, W=W)
    if coef_init is not None:
        start = transform.coef_to_problem(coef_init)
        W = np.ascontiguousarray(start.T if problem.n_tasks is not None else start,
                                 dtype=transform.dtype).copy()
        if penalty.positive:
            np.maximum(W, 0.0, out=W)
    callback = _user_callback(options.callback, transform)
    if callback is not options.callback:
        options = replace(options, callback=callback)
    with _parallel.cores_for_kernels(getattr(problem, "threaded", False)):
        trace = solve_path(problem, grid, W, box, penalty, options, transform.solve_scale)
    unscaled = transform.unscale(trace.coefs)
    result = EnetPathResult(
        alphas=grid[:trace.coefs.shape[-1]], coefs=transform.outer.coef_to_user(unscaled),
        dual_gaps=transform.solve_scale.gap_to_user(trace.gaps), n_iters=trace.n_iters,
        intercepts=transform.intercepts(unscaled), dev_ratio=trace.dev_ratio,
        n_nonzero=trace.n_nonzero, stop_reason=trace.stop_reason)
    # frozen: the solver state is attached once, here, and never changes
    object.__setattr__(result, "_state", _Resolvable(design, box, penalty, options, trace.coefs))
    return result


def _user_callback(callback, transform):
    """The callback that receives the caller's coefficients (standardized ones unscaled)."""
    if callback is None:
        return None
    divisor = transform.callback_scale()
    if divisor is None:
        return callback

    def scaled(index, alpha, coef, gap, n_active):
        return callback(index, alpha, (coef / divisor).astype(coef.dtype), gap, n_active)

    return scaled
