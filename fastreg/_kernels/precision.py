"""float64 accumulation over float32 data: exact residuals and gradients for the certificate.

The coordinate-descent kernels run on float32 data in float32 (half the
memory traffic), and their running residual drifts from ``y - X w`` by about
float32's resolution per update. The duality gap that certifies a float32
solution must not inherit that drift: these kernels recompute the residual
and the gradient with every product and sum in float64, from the float32
entries and coefficients as stored (so the certificate is that of the
coefficients returned).
"""

import numpy as np

from ._jit import jit, reduction_jit


@jit
def dense_residual(X, y, w, out):
    """``out = y - X w`` in float64 (only the nonzero coefficients are visited).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order (any float type)
    y : ndarray of float64, shape (n_samples,)
    w : ndarray of shape (n_features,)
    out : ndarray of float64, shape (n_samples,), written in place.
    """
    n_samples, n_features = X.shape
    for i in range(n_samples):
        out[i] = y[i]
    for j in range(n_features):
        wj = np.float64(w[j])
        if wj != 0.0:
            for i in range(n_samples):
                out[i] -= wj * np.float64(X[i, j])


@reduction_jit
def dense_xtr(X, r, features, out):
    """``out[j] = x_j^T r`` in float64 for the ``features`` (other entries untouched).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    r : ndarray of float64, shape (n_samples,)
    features : ndarray of int64
    out : ndarray of float64, shape (n_features,)
    """
    n_samples = X.shape[0]
    for k in range(features.shape[0]):
        j = features[k]
        dot = 0.0
        for i in range(n_samples):
            dot += np.float64(X[i, j]) * r[i]
        out[j] = dot


@jit
def csc_residual(data, indices, indptr, y, w, out):
    """``out = y - X w`` in float64 for a CSC X (stored part only; no centering)."""
    for i in range(y.shape[0]):
        out[i] = y[i]
    for j in range(w.shape[0]):
        wj = np.float64(w[j])
        if wj != 0.0:
            for q in range(indptr[j], indptr[j + 1]):
                out[indices[q]] -= wj * np.float64(data[q])
