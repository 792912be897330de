"""Quantities of many coefficient vectors from second moments, over their nonzeros."""

import numpy as np

from ._jit import jit


@jit
def sparse_moment_products(xx, xy, x_mean, W, out):
    """``w^T xx w``, ``w^T xy`` and ``m^T w`` for every column ``w`` of ``W``.

    Sums run over each column's nonzero entries only, in index order, so a
    column with ``s`` nonzeros costs ``s^2 / 2`` products (a lasso path's solutions are
    sparse) and the result does not depend on BLAS or on threads.

    Parameters
    ----------
    xx : ndarray of shape (n_features, n_features), symmetric
    xy : ndarray of shape (n_features,)
    x_mean : ndarray of shape (n_features,)
    W : ndarray of shape (n_features, n_models)
    out : ndarray of shape (3, n_models)
        Receives the three rows (quadratic form, cross term, mean product).
    """
    n_features, n_models = W.shape
    support = np.empty(n_features, dtype=np.int64)
    values = np.empty(n_features)
    for k in range(n_models):
        s = 0
        for j in range(n_features):
            if W[j, k] != 0.0:
                support[s] = j
                values[s] = W[j, k]
                s += 1
        # xx is symmetric: the strict lower triangle of the support counts twice
        quad = 0.0
        cross = 0.0
        mean = 0.0
        for a in range(s):
            i = support[a]
            wi = values[a]
            # four running sums: a single one waits on every addition
            s0 = s1 = s2 = s3 = 0.0
            b = 0
            while b + 4 <= a:
                s0 += xx[i, support[b]] * values[b]
                s1 += xx[i, support[b + 1]] * values[b + 1]
                s2 += xx[i, support[b + 2]] * values[b + 2]
                s3 += xx[i, support[b + 3]] * values[b + 3]
                b += 4
            while b < a:
                s0 += xx[i, support[b]] * values[b]
                b += 1
            below = (s0 + s1) + (s2 + s3)
            quad += wi * (xx[i, i] * wi + 2.0 * below)
            cross += wi * xy[i]
            mean += wi * x_mean[i]
        out[0, k] = quad
        out[1, k] = cross
        out[2, k] = mean
