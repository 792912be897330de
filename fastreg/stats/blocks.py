"""Blocked passes over X: block sizes, weighted means, centered and weighted blocks.

The statistics of :mod:`fastreg.stats.moments` (row blocks, for
:class:`~fastreg.GramStats`) and the kernel of :mod:`fastreg.ridge.systems`
(column blocks, when features outnumber samples) are built from these pieces.
Weights enter as ``sqrt(sample_weight)`` row scaling and, with an intercept,
columns are centered at their weighted means, so a block is one of

    X~ = sqrt(s) * (X - 1 m^T),    Y~ = sqrt(s) * (Y - 1 ybar^T)

which is how scikit-learn reduces a weighted ridge with intercept to a plain
one. Only one block of X is ever materialized (in float64, so float32 input
is accumulated in float64); X itself may be a ``numpy.memmap`` larger than
memory. No function here modifies its input.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

# A block of about this many bytes (in float64): large enough that the
# per-block overhead (adding a p x p product into the accumulator) vanishes
# next to the SYRK, small next to any X worth streaming.
BLOCK_BYTES = 32 * 1024**2
MIN_BLOCK = 256

# |mean| / std above this ratio in some column makes the one-pass formula
# sum(x x^T) - n m m^T lose more than ~4 digits: center explicitly instead.
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
        Column means and standard deviations.
    ratio : float
        Largest tolerated ``|mean| / std``.

    Returns
    -------
    bool
    """
    spread = std > 0
    return bool(np.any(np.abs(mean[spread]) > ratio * std[spread]))


def weighted_mean(A, weights=None, weight_sum=None):
    """Column means ``sum_i w_i a_i / sum_i w_i`` (plain means without weights).

    The one definition of a weighted mean in the ridge and statistics code.

    Parameters
    ----------
    A : ndarray of shape (n_rows,) or (n_rows, n_columns)
    weights : ndarray of shape (n_rows,) or None
    weight_sum : float, default=None
        ``sum(weights)`` when the caller has it.

    Returns
    -------
    ndarray of shape () or (n_columns,), float64
        Zeros when the weights sum to zero (rows that carry no weight have no
        mean; their moments are all zero).
    """
    A = np.asarray(A, dtype=np.float64)
    if weights is None:
        return A.mean(axis=0)
    total = float(np.sum(weights)) if weight_sum is None else weight_sum
    if not total > 0:
        return np.zeros(A.shape[1:])
    return (weights @ A) / total


def column_means(X, sample_weight=None, *, block_size=None):
    """Weighted column means of X, read in row blocks (X may be a memmap or sparse).

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
    block_size : int, default=None
        Rows per block; None picks :func:`default_block_size`.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    n_samples, n_features = X.shape
    weights = np.ones(n_samples) if sample_weight is None else sample_weight
    weight_sum = float(n_samples) if sample_weight is None else float(sample_weight.sum())
    if sparse.issparse(X):
        return np.asarray(X.T @ weights).ravel() / weight_sum
    total = np.zeros(n_features)
    for start, stop in blocks(n_samples, block_size or default_block_size(n_features)):
        total += weights[start:stop] @ dense_rows(X, start, stop)
    return total / weight_sum


@dataclass(frozen=True)
class Targets:
    """Targets as float64 ``(n_samples, n_targets)``, with weights and means.

    Attributes
    ----------
    y : ndarray of shape (n_samples, n_targets)
    sw, sqrt_sw : ndarray of shape (n_samples,) or None
        The sample weights and their square roots.
    weight_sum : float
    y_mean : ndarray of shape (n_targets,)
        Weighted means (zeros without centering).
    y_tilde : ndarray of shape (n_samples, n_targets)
        ``sqrt(s) * (y - y_mean)``.
    """

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
    y_mean = weighted_mean(Y, sw, weight_sum) if center else np.zeros(Y.shape[1])
    y_tilde = Y - y_mean if center else Y.copy()
    if sqrt_sw is not None:
        y_tilde *= sqrt_sw[:, None]
    return Targets(Y, sw, sqrt_sw, weight_sum, y_mean, y_tilde)


def add_gram(C, A, out=None):
    """``C += A^T A`` for a float64 ``C`` (BLAS ``syrk`` through NumPy).

    NumPy's own BLAS is used on purpose: SciPy wheels carry a second OpenBLAS,
    and alternating between the two thread pools makes both spin and slows
    every call severalfold.

    Parameters
    ----------
    C : ndarray of shape (k, k), float64
        Updated in place.
    A : ndarray of shape (m, k)
        Any memory order; float32 is converted to float64 first.
    out : ndarray of shape (k, k), float64, optional
        Scratch space for the product (saves an allocation per block).

    Returns
    -------
    C : ndarray
        The same array, updated.
    """
    A = np.asarray(A, dtype=np.float64)
    if 8 not in A.strides:  # BLAS needs unit stride along one axis
        A = np.ascontiguousarray(A)
    C += np.matmul(A.T, A, out=out)
    return C


def dense_rows(X, start, stop):
    """Rows ``start:stop`` of X as a dense float64 array (a view when possible)."""
    block = X[start:stop]
    if sparse.issparse(block):
        return block.toarray().astype(np.float64, copy=False)
    return np.asarray(block, dtype=np.float64)


def row_block(X, start, stop, *, shift=None, sqrt_sw=None):
    """``sqrt(s) * (X[start:stop] - shift)``, dense float64 (sparse kept sparse).

    For dense float64 X with neither shift nor weights this is a view; the
    caller must not write to it. A sparse X is never shifted (that would
    densify it): callers correct for its means after the product.
    """
    if sparse.issparse(X):
        block = X[start:stop].astype(np.float64)
        if sqrt_sw is not None:
            block = sparse.csr_matrix(block.multiply(sqrt_sw[start:stop, None]))
        return block
    block = dense_rows(X, start, stop)
    if shift is not None:
        block = block - shift
    if sqrt_sw is not None:
        block = block * sqrt_sw[start:stop, None]
    return block


@dataclass(frozen=True)
class WeightedRows:
    """Row blocks of ``X~ = sqrt(s) (X - m)`` for a pass over X, or their products.

    A raw block times a matrix ``V``, corrected by ``m^T V`` afterwards, costs
    no copy of the block but loses about ``2 log10(|m| / std)`` digits; with
    ``shift = m`` the block is centered explicitly instead (a sparse X never
    is: that would densify it).

    Attributes
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    sqrt_sw : ndarray of shape (n_samples,) or None
    x_mean : ndarray of shape (n_features,) or None
        ``m`` (None: no centering).
    shift : ndarray of shape (n_features,) or None
        ``m`` when subtracted from the blocks explicitly.
    """

    X: object
    sqrt_sw: np.ndarray | None = None
    x_mean: np.ndarray | None = None
    shift: np.ndarray | None = None

    @classmethod
    def centered(cls, X, sqrt_sw, x_mean, *, explicit):
        """Rows centered at ``x_mean``: explicitly (dense X only) or by correction."""
        return cls(X, sqrt_sw, x_mean, x_mean if explicit and not sparse.issparse(X) else None)

    def _owed(self, start, stop):
        """``(scale, m)``: what a raw block still owes its centering, or None."""
        if self.x_mean is None or self.shift is not None:
            return None
        return (1.0 if self.sqrt_sw is None else self.sqrt_sw[start:stop, None]), self.x_mean

    def times(self, start, stop, V):
        """``X~[start:stop] @ V`` for V of shape (n_features, k)."""
        Q = np.asarray(row_block(self.X, start, stop, shift=self.shift,
                                 sqrt_sw=self.sqrt_sw) @ V)
        owed = self._owed(start, stop)
        if owed is not None:
            Q -= owed[0] * (owed[1] @ V)
        return Q

    def dense(self, start, stop):
        """``X~[start:stop]`` as a dense float64 array of its own."""
        block = row_block(self.X, start, stop, shift=self.shift, sqrt_sw=self.sqrt_sw)
        block = block.toarray() if sparse.issparse(block) else np.array(block, dtype=np.float64)
        owed = self._owed(start, stop)
        if owed is not None:
            block -= owed[0] * owed[1]
        return block


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
        mean = weighted_mean(block, None if sqrt_sw is None else sqrt_sw**2)
    elif x_mean is not None:
        mean = x_mean[start:stop]
    if mean is not None:
        block = block - mean
    if sqrt_sw is not None:
        block = block * sqrt_sw[:, None]
    return block, mean


def xt_dot(X, C, *, x_mean=None, sqrt_sw=None, block_size=None):
    """``X~^T C`` in column blocks, with ``X~ = sqrt(s) (X - m)``.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    C : ndarray of shape (n_samples, k)
    x_mean : ndarray of shape (n_features,) or None
        Subtracted explicitly from each block (None: no centering).
    sqrt_sw : ndarray of shape (n_samples,) or None
    block_size : int, default=None
        Columns per block.

    Returns
    -------
    ndarray of shape (n_features, k)
    """
    n_samples, n_features = X.shape
    if x_mean is None:
        scaled = C if sqrt_sw is None else C * sqrt_sw[:, None]
        if sparse.issparse(X):
            return np.asarray(X.T @ scaled)
        sqrt_sw = None
        C = np.ascontiguousarray(scaled)
    else:
        X = sparse.csc_matrix(X) if sparse.issparse(X) else X
    size = block_size or default_block_size(n_samples)
    out = np.empty((n_features, C.shape[1]))
    for start, stop in blocks(n_features, size):
        block, _ = column_block(X, start, stop, x_mean=x_mean, sqrt_sw=sqrt_sw)
        out[start:stop] = block.T @ C
    return out
