"""Sufficient statistics of a least-squares problem, accumulated in blocks.

Everything the ridge solvers need from the data comes from one pass over X:

* the primal statistics (``n_samples >= n_features``): the Gram matrix
  ``X^T X`` and ``X^T Y``, accumulated over row blocks;
* the dual statistics (``n_features > n_samples``): the kernel ``X X^T``,
  accumulated over column blocks.

Weights enter as ``sqrt(sample_weight)`` row scaling and, with an intercept,
X and Y are centered at their weighted means, so both statistics are those of

    X~ = sqrt(s) * (X - 1 m^T),    Y~ = sqrt(s) * (Y - 1 ybar^T)

which is how scikit-learn reduces a weighted ridge with intercept to a plain
one. Only one block of X is ever materialized (in float64, so float32 input
is accumulated in float64); X itself may be a ``numpy.memmap`` larger than
memory. No function here modifies its input.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.linalg import blas

# A block of about this many bytes (in float64) keeps the working set in the
# last-level cache of current CPUs while BLAS still runs at full speed.
BLOCK_BYTES = 8 * 1024**2
MIN_BLOCK = 256

# |mean| / std above this ratio in some column makes the one-pass formula
# sum(x x^T) - n m m^T lose more than ~4 digits: shift the data first.
SHIFT_RATIO = 100.0


def default_block_size(n_other, *, min_block=MIN_BLOCK, block_bytes=BLOCK_BYTES):
    """Rows (or columns) per block so that one float64 block has ``block_bytes``.

    Parameters
    ----------
    n_other : int
        Length of the other dimension of a block (features for row blocks,
        samples for column blocks).
    min_block : int
        Lower bound, so that BLAS always gets a reasonably thick panel.
    block_bytes : int
        Target size of one block in bytes.

    Returns
    -------
    int
    """
    return max(int(min_block), int(block_bytes) // (8 * max(int(n_other), 1)))


def blocks(length, size):
    """``(start, stop)`` pairs covering ``range(length)`` in chunks of ``size``."""
    return [(start, min(start + size, length)) for start in range(0, length, size)]


def needs_shift(mean, std, *, ratio=SHIFT_RATIO):
    """Whether centering by ``sum(x x^T) - n m m^T`` would cancel too many digits.

    The one-pass formula loses about ``2 * log10(|mean| / std)`` digits in a
    column; columns with zero spread (constant columns) are exact either way.

    Parameters
    ----------
    mean, std : ndarray of shape (n_features,)
        Column means and standard deviations of a sample of rows.
    ratio : float
        Largest tolerated ``|mean| / std``.

    Returns
    -------
    bool
    """
    spread = std > 0
    return bool(np.any(np.abs(mean[spread]) > ratio * std[spread]))


@dataclass(frozen=True)
class GramStats:
    """Primal statistics of ``X~`` and ``Y~`` (see the module docstring).

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        ``X~^T X~`` (symmetric, float64).
    xty : ndarray of shape (n_features, n_targets)
        ``X~^T Y~``.
    yty : ndarray of shape (n_targets,)
        ``||Y~[:, t]||^2`` per target.
    x_mean, y_mean : ndarray
        Weighted means (zeros without intercept).
    shift : ndarray of shape (n_features,) or None
        The constant subtracted from every row before accumulating (a cheap
        stand-in for the mean that avoids cancellation), if any.
    weight_sum : float
        ``sum(sample_weight)`` (``n_samples`` without weights).
    n_samples : int
    centered : bool
    """

    gram: np.ndarray
    xty: np.ndarray
    yty: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray
    shift: np.ndarray | None
    weight_sum: float
    n_samples: int
    centered: bool


@dataclass(frozen=True)
class KernelStats:
    """Dual statistics of ``X~`` and ``Y~`` (see the module docstring).

    Attributes
    ----------
    kernel : ndarray of shape (n_samples, n_samples)
        ``X~ X~^T`` (symmetric, float64).
    y_tilde : ndarray of shape (n_samples, n_targets)
        ``Y~``.
    x_mean, y_mean : ndarray
        Weighted means (zeros without intercept).
    sqrt_sw : ndarray of shape (n_samples,) or None
        Square roots of the sample weights.
    weight_sum : float
    centered : bool
    """

    kernel: np.ndarray
    y_tilde: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray
    sqrt_sw: np.ndarray | None
    weight_sum: float
    centered: bool


@dataclass(frozen=True)
class Targets:
    """Targets as float64 ``(n_samples, n_targets)``, with weights and means."""

    y: np.ndarray
    sw: np.ndarray | None
    sqrt_sw: np.ndarray | None
    weight_sum: float
    y_mean: np.ndarray
    y_tilde: np.ndarray


def prepare_targets(y, sample_weight, *, center):
    """Weighted means of y and ``Y~ = sqrt(s) (Y - ybar)``, all float64 and 2-D."""
    Y = np.asarray(y, dtype=np.float64)
    Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sqrt_sw = None if sw is None else np.sqrt(sw)
    weight_sum = float(Y.shape[0]) if sw is None else float(sw.sum())
    if center:
        y_mean = Y.mean(axis=0) if sw is None else (sw @ Y) / weight_sum
    else:
        y_mean = np.zeros(Y.shape[1])
    y_tilde = Y - y_mean if center else Y.copy()
    if sqrt_sw is not None:
        y_tilde *= sqrt_sw[:, None]
    return Targets(Y, sw, sqrt_sw, weight_sum, y_mean, y_tilde)


def add_gram(C, A):
    """``C += A^T A`` in the upper triangle of the F-ordered float64 ``C``.

    Parameters
    ----------
    C : ndarray of shape (k, k), float64, Fortran order
        Updated in place (upper triangle only).
    A : ndarray of shape (m, k)
        Any memory order; float32 is converted to float64 first.

    Returns
    -------
    C : ndarray
        The same array, updated.
    """
    A = np.asarray(A, dtype=np.float64)
    if A.flags.f_contiguous and not A.flags.c_contiguous:
        out = blas.dsyrk(1.0, A, beta=1.0, c=C, trans=1, overwrite_c=1)
    else:
        out = blas.dsyrk(1.0, np.ascontiguousarray(A).T, beta=1.0, c=C, trans=0,
                         overwrite_c=1)
    if out is not C:  # f2py made a copy; keep the caller's array current
        C[...] = out
    return C


def symmetrize_upper(C):
    """Copy the upper triangle of ``C`` into its lower triangle (in place)."""
    lower = np.tril_indices_from(C, -1)
    C[lower] = C.T[lower]
    return C


def _dense_rows(X, start, stop):
    """Rows ``start:stop`` of X as a dense float64 array (a view when possible)."""
    block = X[start:stop]
    if sparse.issparse(block):
        return block.toarray().astype(np.float64, copy=False)
    return np.asarray(block, dtype=np.float64)


def row_block(X, start, stop, *, shift=None, sqrt_sw=None):
    """``sqrt(s) * (X[start:stop] - shift)``, dense float64 (sparse kept sparse).

    For dense float64 X with neither shift nor weights this is a view; the
    caller must not write to it.
    """
    if sparse.issparse(X):
        block = X[start:stop].astype(np.float64)
        if sqrt_sw is not None:
            block = sparse.csr_matrix(block.multiply(sqrt_sw[start:stop, None]))
        return block
    block = _dense_rows(X, start, stop)
    if shift is not None:
        block = block - shift
    if sqrt_sw is not None:
        block = block * sqrt_sw[start:stop, None]
    return block


def choose_shift(X, sw, size):
    """A row offset that keeps one-pass centering accurate, or None.

    Looks at the first block only: if some column's mean there is large
    against its spread (see :func:`needs_shift`), that block's mean becomes
    the shift for every block.
    """
    if sparse.issparse(X):
        return None  # shifting would densify X
    first = _dense_rows(X, 0, min(size, X.shape[0]))
    w = None if sw is None else sw[: first.shape[0]]
    if w is not None and not w.sum() > 0:
        w = None
    mean = np.average(first, axis=0, weights=w)
    std = np.sqrt(np.average((first - mean) ** 2, axis=0, weights=w))
    return mean if needs_shift(mean, std) else None


def gram_stats(X, targets, *, center, block_size=None):
    """Primal statistics from one pass over X in row blocks.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
        From :func:`prepare_targets` (same ``center``).
    center : bool
        Center X and y at their weighted means (fit an intercept).
    block_size : int, default=None
        Rows per block; None picks :func:`default_block_size`.

    Returns
    -------
    GramStats
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        X = sparse.csr_matrix(X)
    size = block_size or default_block_size(n_features)
    sw, sqrt_sw, S = targets.sw, targets.sqrt_sw, targets.weight_sum
    shift = choose_shift(X, sw, size) if center else None
    # one product per block gives both sum(s (x - c)) and sum(s (x - c) y~^T)
    ones = np.ones((n_samples, 1)) if sqrt_sw is None else sqrt_sw[:, None]
    rhs = np.hstack([ones, targets.y_tilde]) if center else targets.y_tilde
    gram = np.zeros((n_features, n_features), order="F")
    cross = np.zeros((n_features, rhs.shape[1]))
    for start, stop in blocks(n_samples, size):
        block = row_block(X, start, stop, shift=shift, sqrt_sw=sqrt_sw)
        if sparse.issparse(block):
            gram += (block.T @ block).toarray()
            cross += block.T @ rhs[start:stop]
        else:
            add_gram(gram, block)
            cross += block.T @ rhs[start:stop]
    if not sparse.issparse(X):
        symmetrize_upper(gram)
    if not center:
        return GramStats(gram, cross, _sq_norms(targets.y_tilde), np.zeros(n_features),
                         targets.y_mean, None, S, n_samples, False)
    delta = cross[:, 0] / S  # mean - shift
    gram -= S * np.outer(delta, delta)
    base = np.zeros(n_features) if shift is None else shift
    return GramStats(gram, cross[:, 1:], _sq_norms(targets.y_tilde), base + delta,
                     targets.y_mean, shift, S, n_samples, True)


def _sq_norms(Y):
    return np.einsum("ij,ij->j", Y, Y)


def column_block(X, start, stop, *, x_mean=None, sqrt_sw=None):
    """``sqrt(s) * (X[:, start:stop] - m)``, dense float64, with its mean.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    start, stop : int
        Column range.
    x_mean : ndarray of shape (n_features,) or None
        Column means to subtract; the means of this block are computed when
        ``x_mean`` is the string ``'compute'``.
    sqrt_sw : ndarray of shape (n_samples,) or None

    Returns
    -------
    block : ndarray of shape (n_samples, stop - start)
    mean : ndarray of shape (stop - start,) or None
    """
    block = X[:, start:stop]
    block = block.toarray() if sparse.issparse(block) else np.asarray(block)
    block = block.astype(np.float64, copy=False)
    mean = None
    if isinstance(x_mean, str):
        sw = None if sqrt_sw is None else sqrt_sw**2
        mean = np.average(block, axis=0, weights=sw)
    elif x_mean is not None:
        mean = x_mean[start:stop]
    if mean is not None:
        block = block - mean
    if sqrt_sw is not None:
        block = block * sqrt_sw[:, None]
    return block, mean


def kernel_stats(X, targets, *, center, block_size=None):
    """Dual statistics from one pass over X in column blocks.

    Columns are centered exactly inside each block (a block holds whole
    columns), so the kernel of centered data has no cancellation.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
    center : bool
    block_size : int, default=None
        Columns per block.

    Returns
    -------
    KernelStats
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        X = sparse.csc_matrix(X)
    size = block_size or default_block_size(n_samples)
    kernel = np.zeros((n_samples, n_samples), order="F")
    x_mean = np.zeros(n_features)
    for start, stop in blocks(n_features, size):
        block, mean = column_block(X, start, stop, x_mean="compute" if center else None,
                                   sqrt_sw=targets.sqrt_sw)
        if mean is not None:
            x_mean[start:stop] = mean
        add_gram(kernel, block.T)
    symmetrize_upper(kernel)
    return KernelStats(kernel, targets.y_tilde, x_mean, targets.y_mean, targets.sqrt_sw,
                       targets.weight_sum, center)


def xt_dot(X, C, *, x_mean=None, sqrt_sw=None, block_size=None):
    """``X~^T C`` in column blocks, with ``X~ = sqrt(s) (X - m)``.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    C : ndarray of shape (n_samples, k)
    x_mean : ndarray of shape (n_features,) or None
    sqrt_sw : ndarray of shape (n_samples,) or None
    block_size : int, default=None
        Columns per block.

    Returns
    -------
    ndarray of shape (n_features, k)
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X) and x_mean is None:
        scaled = C if sqrt_sw is None else C * sqrt_sw[:, None]
        return np.asarray(X.T @ scaled)
    if sparse.issparse(X):
        X = sparse.csc_matrix(X)
    size = block_size or default_block_size(n_samples)
    out = np.empty((n_features, C.shape[1]))
    for start, stop in blocks(n_features, size):
        block, _ = column_block(X, start, stop, x_mean=x_mean, sqrt_sw=sqrt_sw)
        out[start:stop] = block.T @ C
    return out
