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

# A block of about this many bytes (in float64): large enough that the
# per-block overhead (adding a p x p product into the accumulator) vanishes
# next to the SYRK, small next to any X worth streaming.
BLOCK_BYTES = 32 * 1024**2
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
class PrimalStats:
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
    x_mean : ndarray of shape (n_features,) or None
        Weighted column means when the blocks were centered explicitly (the
        fallback for large means); None otherwise: the means then come with
        the first product ``X^T C`` (see :func:`dual_product`).
    y_mean : ndarray of shape (n_targets,)
    sqrt_sw : ndarray of shape (n_samples,) or None
        Square roots of the sample weights.
    weight_sum : float
    centered : bool
    """

    kernel: np.ndarray
    y_tilde: np.ndarray
    x_mean: np.ndarray | None
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
    PrimalStats
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        X = sparse.csr_matrix(X)
    size = block_size or default_block_size(n_features)
    sw, sqrt_sw, S = targets.sw, targets.sqrt_sw, targets.weight_sum
    shift = choose_shift(X, sw, size) if center else None
    # one product per block gives both sum(s (x - c)) and sum(s (x - c) y~^T);
    # (k, b) @ (b, p) with a C-ordered left factor is the fast GEMM layout
    ones = np.ones((1, n_samples)) if sqrt_sw is None else sqrt_sw[None, :]
    rhs_t = np.vstack([ones, targets.y_tilde.T]) if center else targets.y_tilde.T
    rhs_t = np.ascontiguousarray(rhs_t)
    gram = np.zeros((n_features, n_features))
    scratch = np.empty_like(gram)
    cross_t = np.zeros((rhs_t.shape[0], n_features))
    for start, stop in blocks(n_samples, size):
        block = row_block(X, start, stop, shift=shift, sqrt_sw=sqrt_sw)
        if sparse.issparse(block):
            gram += (block.T @ block).toarray()
            cross_t += np.asarray((block.T @ rhs_t[:, start:stop].T).T)
        else:
            add_gram(gram, block, out=scratch)
            cross_t += rhs_t[:, start:stop] @ block
    cross = cross_t.T
    if not center:
        return PrimalStats(gram, cross, _sq_norms(targets.y_tilde), np.zeros(n_features),
                         targets.y_mean, None, S, n_samples, False)
    delta = cross[:, 0] / S  # mean - shift
    gram -= S * np.outer(delta, delta)
    base = np.zeros(n_features) if shift is None else shift
    return PrimalStats(gram, cross[:, 1:], _sq_norms(targets.y_tilde), base + delta,
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


# The kernel of centered data is computed as P K P (P projects out the
# intercept direction) unless that cancels more than about this share of the
# kernel's trace; then the columns are centered explicitly in a second pass.
CENTER_TRACE_RATIO = 1e-3


def _raw_kernel(X, size, *, x_mean=None, sqrt_sw=None):
    """``X X^T`` over column blocks; with ``x_mean``, of explicitly centered columns."""
    n_samples, n_features = X.shape
    kernel = np.zeros((n_samples, n_samples))
    scratch = np.empty_like(kernel)
    means = np.zeros(n_features) if isinstance(x_mean, str) else None
    for start, stop in blocks(n_features, size):
        block, mean = column_block(X, start, stop, x_mean=x_mean, sqrt_sw=sqrt_sw)
        if means is not None:
            means[start:stop] = mean
        add_gram(kernel, block.T, out=scratch)
    return kernel, means


def project_out(K, u):
    """``(I - u u^T) K (I - u u^T)`` for a unit vector u, in O(n^2)."""
    Ku = K @ u
    gamma = u @ Ku
    return K - np.outer(u, Ku) - np.outer(Ku, u) + gamma * np.outer(u, u)


def centering_is_accurate(raw_trace, centered_trace, *, ratio=CENTER_TRACE_RATIO):
    """Whether ``P K P`` keeps enough digits: the trace did not collapse."""
    return centered_trace >= ratio * raw_trace


def kernel_stats(X, targets, *, center, block_size=None):
    """Dual statistics from one pass over X in column blocks.

    The pass reads blocks of X in place (no copies): weights are applied to
    the kernel afterwards (``D K D``) and centering projects out the intercept
    direction ``sqrt(s)``. If that projection would cancel too many digits
    (column means large against their spread, see
    :func:`centering_is_accurate`), a second pass centers the columns
    explicitly.

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
    n_samples = X.shape[0]
    if sparse.issparse(X):
        X = sparse.csc_matrix(X)
    size = block_size or default_block_size(n_samples)
    root = targets.sqrt_sw
    kernel, _ = _raw_kernel(X, size)
    if root is not None:
        kernel *= np.outer(root, root)
    x_mean = None
    if center:
        u = np.ones(n_samples) if root is None else root.copy()
        u /= np.linalg.norm(u)
        centered = project_out(kernel, u)
        if centering_is_accurate(np.trace(kernel), np.trace(centered)):
            kernel = centered
        else:
            kernel, x_mean = _raw_kernel(X, size, x_mean="compute", sqrt_sw=root)
    return KernelStats(kernel, targets.y_tilde, x_mean, targets.y_mean, root,
                       targets.weight_sum, center)


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


def dual_product(X, C, stats, *, block_size=None):
    """``X~^T C`` for C orthogonal to ``sqrt(s)``, and the column means of X.

    With an intercept, ``X~^T C = X^T (sqrt(s) C) - m (sqrt(s)^T C)``; the
    means ``m = X^T s / sum(s)`` come from the same product (one extra column),
    so the pass over X is shared. After the explicit-centering fallback the
    centered blocks are used directly.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    C : ndarray of shape (n_samples, k)
    stats : KernelStats
    block_size : int, default=None

    Returns
    -------
    product : ndarray of shape (n_features, k)
    x_mean : ndarray of shape (n_features,)
    """
    root = stats.sqrt_sw
    if not stats.centered:
        return xt_dot(X, C, sqrt_sw=root, block_size=block_size), np.zeros(X.shape[1])
    if stats.x_mean is not None:
        return (xt_dot(X, C, x_mean=stats.x_mean, sqrt_sw=root, block_size=block_size),
                stats.x_mean)
    u = np.ones(X.shape[0]) if root is None else root
    both = xt_dot(X, np.column_stack([C, u / stats.weight_sum]), sqrt_sw=root,
                  block_size=block_size)
    x_mean = both[:, -1]
    return both[:, :-1] - np.outer(x_mean, u @ C), x_mean
