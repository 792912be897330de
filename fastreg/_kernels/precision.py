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


@jit
def dense_residual_tasks(X, Y, W, out):
    """``out = Y - X W`` in float64 (multi-task; nonzero rows of W only).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of float64, shape (n_samples, n_tasks)
    W : ndarray of shape (n_features, n_tasks)
    out : ndarray of float64, shape (n_samples, n_tasks), written in place.
    """
    n_samples, n_features = X.shape
    n_tasks = Y.shape[1]
    for i in range(n_samples):
        for t in range(n_tasks):
            out[i, t] = Y[i, t]
    for j in range(n_features):
        for t in range(n_tasks):
            wjt = np.float64(W[j, t])
            if wjt != 0.0:
                for i in range(n_samples):
                    out[i, t] -= wjt * np.float64(X[i, j])


@reduction_jit
def dense_xtr_tasks(X, R, out):
    """``out = X^T R`` in float64 (multi-task), shape (n_features, n_tasks)."""
    n_samples, n_features = X.shape
    for j in range(n_features):
        for t in range(R.shape[1]):
            dot = 0.0
            for i in range(n_samples):
                dot += np.float64(X[i, j]) * R[i, t]
            out[j, t] = dot


@jit
def csc_residual_tasks(data, indices, indptr, Y, W, out):
    """``out = Y - X W`` in float64 for a CSC X (stored part only), multi-task."""
    for i in range(Y.shape[0]):
        for t in range(Y.shape[1]):
            out[i, t] = Y[i, t]
    for j in range(W.shape[0]):
        for t in range(W.shape[1]):
            wjt = np.float64(W[j, t])
            if wjt != 0.0:
                for q in range(indptr[j], indptr[j + 1]):
                    out[indices[q], t] -= wjt * np.float64(data[q])
