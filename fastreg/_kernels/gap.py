"""Duality gap, KKT re-check and gap-safe screening, shared by all solvers.

Everything is on the scale of the public objective

    P(W) = 1/(2n) ||Y - XW||_F^2 + l1 * sum_j ||W_j||_2 + (l2/2) ||W||_F^2

(single task: one column, ``||W_j||_2 = |w_j|``), where the caller supplies the
gradient ``G = X^T R / n`` at the residual ``R = Y - XW`` and the two residual
statistics ``R2 = ||R||^2 / n`` and ``Ry = <R, Y> / n``. The dual point is the
rescaled residual (formulation A of scikit-learn's ``cd_fast``), so the gap
returned equals scikit-learn's ``dual_gaps`` for the same iterate.
"""

import numpy as np

from ._jit import jit


@jit
def duality_gap(G, W, features, R2, Ry, l1, l2, positive, n_samples):
    """Duality gap of an elastic-net iterate and the norm of its dual constraint.

    Only ``features`` are visited: every other row of ``W`` must be zero. Given
    the working set, this is the gap of the working-set subproblem, which equals
    the gap of the full problem whenever no feature outside it violates the KKT
    conditions; given all features, it is the full gap.

    Parameters
    ----------
    G : ndarray of shape (n_features, n_tasks)
        ``X^T R / n`` (only rows in ``features`` are read).
    W : ndarray of shape (n_features, n_tasks)
        Coefficients.
    features : ndarray of int64
        The features to visit.
    R2, Ry : float
        ``||R||^2 / n`` and ``<R, Y> / n``.
    l1, l2 : float
        ``alpha * l1_ratio`` and ``alpha * (1 - l1_ratio)``.
    positive : bool
        Non-negativity constraint (single task): the dual constraint is one-sided.
    n_samples : int
        Only used when ``l1 == l2 == 0``: least squares has no dual, and the gap
        is replaced by scikit-learn's first-order measure ``||X^T R||^2 / n``.

    Returns
    -------
    gap : float
    dual_norm : float
        ``max_j ||G_j - l2 W_j||`` (``max_j`` of the signed value if positive).
    """
    n_tasks = W.shape[1]
    w_l1 = 0.0
    w_l2sq = 0.0
    dual_norm = 0.0 if not positive else -np.inf
    grad_sq = 0.0
    for k in range(features.shape[0]):
        j = features[k]
        row_sq = 0.0
        xta_sq = 0.0
        xta = 0.0
        for t in range(n_tasks):
            wjt = W[j, t]
            row_sq += wjt * wjt
            xta = G[j, t] - l2 * wjt
            xta_sq += xta * xta
            grad_sq += G[j, t] * G[j, t]
        w_l2sq += row_sq
        w_l1 += np.sqrt(row_sq)
        value = xta if positive else np.sqrt(xta_sq)
        if value > dual_norm:
            dual_norm = value
    if l1 > 0:
        primal = 0.5 * (R2 + l2 * w_l2sq) + l1 * w_l1
        scale = l1 / dual_norm if dual_norm > l1 else 1.0
        dual = -0.5 * scale * scale * (R2 + l2 * w_l2sq) + scale * Ry
        return primal - dual, dual_norm
    if l2 > 0:
        # ridge: formulation B, whose dual needs no feasibility rescaling
        return R2 + 0.5 * l2 * w_l2sq - Ry + grad_sq / (2.0 * l2), dual_norm
    return grad_sq * n_samples, dual_norm


@jit
def kkt_and_screen(G, W, norms2, gap, dual_norm, l1, l2, positive, strong_threshold,
                   do_screening, in_set, screened):
    """Grow the working set with KKT violators and shrink it by gap-safe screening.

    A feature outside the working set violates the optimality conditions of a
    zero coefficient when ``||G_j|| > l1`` (``G_j > l1`` if positive); it joins.
    Gap-safe screening (Ndiaye et al. 2017, as in scikit-learn) certifies
    ``W_j = 0`` at the optimum when
    ``(1 - |theta_j|) / sqrt(norms2_j + l2) > sqrt(2 * gap) / l1`` with
    ``theta_j = (G_j - l2 W_j) / max(l1, dual_norm)``; such a feature currently at
    zero leaves the working set for the rest of this alpha.

    Parameters
    ----------
    G, W : ndarray of shape (n_features, n_tasks)
    norms2 : ndarray of shape (n_features,)
        ``||x_j||^2 / n`` (of the centered, weighted column).
    gap, dual_norm : float
        From :func:`duality_gap` at the same iterate.
    strong_threshold : float
        Features with ``||G_j|| > strong_threshold`` are added (use ``l1`` for a
        pure KKT check, the sequential strong rule's value at a new alpha).
    do_screening : bool
    in_set, screened : ndarray of bool, shape (n_features,), updated in place.

    Returns
    -------
    n_added : int
        Number of features that joined the working set.
    """
    n_features, n_tasks = W.shape
    radius = np.sqrt(2.0 * abs(gap)) / l1 if l1 > 0 else np.inf
    denom = max(l1, dual_norm)
    n_added = 0
    for j in range(n_features):
        if screened[j]:
            continue
        if norms2[j] == 0.0:
            screened[j] = True
            in_set[j] = False
            continue
        g_sq = 0.0
        xta_sq = 0.0
        w_sq = 0.0
        for t in range(n_tasks):
            g_sq += G[j, t] * G[j, t]
            xta = G[j, t] - l2 * W[j, t]
            xta_sq += xta * xta
            w_sq += W[j, t] * W[j, t]
        if do_screening and l1 > 0 and w_sq == 0.0:
            theta = (G[j, 0] if positive else np.sqrt(xta_sq)) / denom
            if (1.0 - theta) / np.sqrt(norms2[j] + l2) > radius:
                screened[j] = True
                in_set[j] = False
                continue
        if not in_set[j]:
            score = G[j, 0] if positive else np.sqrt(g_sq)
            if score > strong_threshold:
                in_set[j] = True
                n_added += 1
    return n_added
