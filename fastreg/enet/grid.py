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
    Xy = np.asarray(Xy, dtype=np.float64)
    if Xy.ndim == 2 and Xy.shape[1] > 1:
        score = _row_norms(Xy)
    else:
        Xy = Xy.ravel()
        p = Xy.shape[0]
        # the one-sided score of each feature: how far its gradient pulls from 0
        # on the sides its box leaves open (positive: the upper side only)
        if lower is None:
            lower_open = np.full(p, not positive)
        else:
            lower_open = lower < 0
        upper_open = np.ones(p, dtype=bool) if upper is None else upper > 0
        score = np.where(upper_open, Xy, -np.inf)
        score = np.where(lower_open, np.maximum(score, -Xy), score)
    if penalty_factor is not None:
        penalized = (penalty_factor > 0) & np.isfinite(penalty_factor)
        score = score[penalized] / penalty_factor[penalized]
    top = max(0.0, float(np.max(score))) if score.size else 0.0
    return top / (n_samples * l1_ratio)


def _row_norms(Xy):
    """Euclidean norms of the rows, scaled by the largest entry: squares of tiny (or
    huge) ``X^T y`` would underflow (overflow) where the norm itself is representable."""
    big = float(np.max(np.abs(Xy))) if Xy.size else 0.0
    if big == 0:
        return np.zeros(Xy.shape[0])
    return big * np.sqrt(np.sum((Xy / big) ** 2, axis=1))


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
