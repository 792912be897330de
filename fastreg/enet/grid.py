"""The alpha grid: alpha_max and the geometric grid below it (scikit-learn's)."""

import numpy as np


def alpha_max(Xy, n_samples, l1_ratio, *, positive=False, penalty_factor=None, lower=None,
              upper=None):
    """Smallest alpha whose elastic-net solution is exactly zero.

    With ``g = X^T y / n_samples`` (one row per feature, one column per task),
    the zero vector is optimal for
    ``1/(2n) ||y - Xw||^2 + alpha*l1_ratio*||w||_1 + 0.5*alpha*(1-l1_ratio)*||w||^2``
    iff ``max_j ||g_j||_2 <= alpha * l1_ratio`` (``max_j g_j`` when ``positive``).

    Parameters
    ----------
    Xy : ndarray of shape (n_features,) or (n_features, n_tasks)
        ``X^T y`` of the (weighted, centered) problem being solved.
    n_samples : int
        The ``n`` of the ``1/(2n)`` data-fit scaling.
    l1_ratio : float
        Must be > 0: with no L1 penalty no finite alpha zeroes the solution.
    positive : bool, default=False
        Coefficients constrained to be non-negative (single task only).
    penalty_factor, lower, upper : ndarray of shape (n_features,), default=None
        Per-feature penalty factors ``v_j`` and box ``lower_j <= w_j <= upper_j``
        (single task; ``positive`` is then ignored: pass ``lower = 0``). With any
        of them, ``Xy`` must be ``X^T r`` at the fit of the unpenalized features
        (``X^T y`` when there are none), and the all-zero penalized solution is
        optimal iff ``a_j <= alpha * l1_ratio * v_j`` for every penalized
        feature, with the one-sided score
        ``a_j = max(Xy_j / n if upper_j > 0, -Xy_j / n if lower_j < 0)``;
        features with ``v_j = 0`` or ``v_j = inf`` do not count.

    Returns
    -------
    float
    """
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. "
            "Please supply a grid with alphas=[...]."
        )
    if penalty_factor is not None or lower is not None or upper is not None:
        return _alpha_max_box(Xy, n_samples, l1_ratio, penalty_factor, lower, upper)
    Xy = np.asarray(Xy, dtype=np.float64)
    if Xy.ndim == 1:
        Xy = Xy[:, None]
    if positive:
        top = max(0.0, float(Xy.max()))
    elif Xy.shape[1] == 1:
        top = float(np.max(np.abs(Xy))) if Xy.size else 0.0
    else:
        # row norms scaled by the largest entry: squares of tiny (or huge) X^T y
        # would underflow (overflow) where the norm itself is representable
        big = float(np.max(np.abs(Xy))) if Xy.size else 0.0
        top = big * float(np.sqrt(np.max(np.sum((Xy / big) ** 2, axis=1)))) if big > 0 else 0.0
    return top / (n_samples * l1_ratio)


def _alpha_max_box(Xy, n_samples, l1_ratio, factors, lower, upper):
    g = np.asarray(Xy, dtype=np.float64).ravel() / n_samples
    p = g.shape[0]
    factors = np.ones(p) if factors is None else np.asarray(factors, dtype=np.float64)
    lower = np.full(p, -np.inf) if lower is None else np.asarray(lower, dtype=np.float64)
    upper = np.full(p, np.inf) if upper is None else np.asarray(upper, dtype=np.float64)
    score = np.full(p, -np.inf)
    score[upper > 0] = g[upper > 0]
    score = np.where(lower < 0, np.maximum(score, -g), score)
    penalized = (factors > 0) & np.isfinite(factors)
    if not penalized.any():
        return 0.0
    top = max(0.0, float(np.max(score[penalized] / factors[penalized])))
    return top / l1_ratio


def alpha_grid(alpha_top, n_alphas, eps, unit=1.0):
    """``n_alphas`` values from ``alpha_top`` down to ``alpha_top * eps``, geometrically.

    Parameters
    ----------
    alpha_top : float
        Largest alpha, usually :func:`alpha_max`.
    n_alphas : int
        Number of grid points.
    eps : float
        Ratio ``alpha_min / alpha_max``.
    unit : float, default=1.0
        The alpha of the problem rescaled to unit data scale
        (:attr:`fastreg._scaling.DataScale.alpha_unit`; 1 for data that needs
        no rescaling), so that "degenerate" is judged relative to the data.

    Returns
    -------
    ndarray of shape (n_alphas,), decreasing. A degenerate problem
    (``alpha_top`` below float64 resolution times ``unit``, e.g. ``y``
    orthogonal to every column) gets a constant grid at that value, as in
    scikit-learn (``unit = 1``).
    """
    resolution = np.finfo(np.float64).resolution * unit
    if alpha_top <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_top, alpha_top * eps, num=n_alphas)
