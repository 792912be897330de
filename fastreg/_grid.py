"""The alpha grid: alpha_max and the geometric grid below it (scikit-learn's)."""

import numpy as np


def alpha_max(Xy, n_samples, l1_ratio, *, positive=False):
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
    if Xy.ndim == 1:
        Xy = Xy[:, None]
    if positive:
        top = max(0.0, float(Xy.max()))
    else:
        top = float(np.sqrt(np.max(np.sum(Xy**2, axis=1))))
    return top / (n_samples * l1_ratio)


def alpha_grid(alpha_top, n_alphas, eps):
    """``n_alphas`` values from ``alpha_top`` down to ``alpha_top * eps``, geometrically.

    Parameters
    ----------
    alpha_top : float
        Largest alpha, usually :func:`alpha_max`.
    n_alphas : int
        Number of grid points.
    eps : float
        Ratio ``alpha_min / alpha_max``.

    Returns
    -------
    ndarray of shape (n_alphas,), decreasing. A degenerate problem
    (``alpha_top`` below float64 resolution, e.g. ``y`` orthogonal to every
    column) gets a constant grid at that resolution, as in scikit-learn.
    """
    resolution = np.finfo(np.float64).resolution
    if alpha_top <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_top, alpha_top * eps, num=n_alphas)
