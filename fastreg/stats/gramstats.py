"""``GramStats``: the sufficient statistics of least squares, additive over rows.

The moments themselves, their centered pairwise form and the exact merge of two
row sets are in :mod:`fastreg.stats.moments`; this module builds them from
arrays, memmaps, streams of chunks, Dask arrays and cross-validation folds, and
gives them the algebra (``a + b``, ``a - b``) and the views users need.
"""

import mmap
from contextlib import nullcontext
from dataclasses import dataclass, fields, replace

import numpy as np
from scipy import sparse

from .. import _parallel, _validation
from .._kernels.moments import sparse_moment_products
from .blocks import blocks, default_block_size
from .dask import dask_moments
from .moments import (
    Moments,
    add_block,
    add_rows,
    block_product,
    check_chunk,
    check_chunk_rows,
    empty_moments,
    merge,
    merge_all,
    remove,
)

# residual_sum_of_squares sums over the nonzeros of coefficients at most this
# dense (a lasso path's); denser ones (ridge's) go through BLAS, faster there
SPARSE_COEF_FRACTION = 0.5


@dataclass(frozen=True, eq=False)
class GramStats(Moments):
    """Sufficient statistics of a weighted least-squares problem, additive over rows.

    Build them with :meth:`from_arrays` (ndarray, ``numpy.memmap`` or sparse,
    in row blocks), :meth:`from_chunks` (any iterable of blocks),
    :meth:`from_dask` (a Dask array, computed on the active Dask scheduler or
    ``dask.distributed`` cluster) or :meth:`from_folds` (one pass, one set of
    statistics per cross-validation fold). ``a + b`` are the statistics of the
    rows of both, ``a - b`` of the rows of ``a`` without those of ``b``.

    With weights ``s_i`` (1 without weights), ``S = sum_i s_i`` and the
    weighted means ``m`` and ``ybar``, the stored moments are centered:
    ``xx = sum_i s_i (x_i - m)(x_i - m)^T``, ``xy = sum_i s_i (x_i - m)(y_i - ybar)^T``
    and ``yy[t] = sum_i s_i (y_it - ybar_t)^2``; :meth:`gram`, :meth:`xty`
    and :meth:`yty` give them with or without centering. The parameters below
    are also the attributes; build instances with the constructors above.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    weight_sum : float
        ``S``, the sum of the sample weights (``n_samples`` without weights).
    x_mean : ndarray of shape (n_features,)
        Weighted column means ``m``.
    y_mean : ndarray of shape (n_targets,)
        Weighted target means ``ybar``.
    xx : ndarray of shape (n_features, n_features)
        Centered weighted cross-products of X.
    xy : ndarray of shape (n_features, n_targets)
        Centered weighted cross-products of X and y.
    yy : ndarray of shape (n_targets,)
        Centered weighted sums of squares of y.
    single_target : bool
        Whether y was 1-D.
    dtype : numpy.dtype
        Floating type of X (solvers return coefficients in it); the moments
        themselves are always float64.
    """

    # the moments are the fields of the base class, in the order listed above
    single_target: bool
    dtype: np.dtype

    @property
    def n_features(self):
        """Number of columns of X."""
        return self.xx.shape[0]

    @property
    def n_targets(self):
        """Number of targets (1 for a 1-D y)."""
        return self.xy.shape[1]

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_arrays(cls, X, y, *, sample_weight=None, block_size=None):
        """Statistics of in-memory or memory-mapped data, one pass in row blocks.

        Parameters
        ----------
        X : {ndarray, numpy.memmap, sparse matrix} of shape (n_samples, n_features)
            Only one block of rows is converted to float64 at a time, so a
            memmap larger than memory is read with memory bounded by the block
            size (pages of a read-only memmap are released after each block).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights.
        block_size : int, default=None
            Rows per block; None picks about 32 MB of float64 per block.

        Returns
        -------
        GramStats
        """
        X, y, sw, block_size = _check_arrays(X, y, sample_weight, block_size)
        return accumulate_rows(X, y, sw, block_size=block_size)

    @classmethod
    def from_chunks(cls, chunks):
        """Statistics of a stream of row blocks (a file reader, a generator, ...).

        Parameters
        ----------
        chunks : iterable of tuple
            ``(X_block, y_block)`` or ``(X_block, y_block, weight_block)``, each
            X block dense or sparse of shape (rows, n_features), y blocks 1-D or
            2-D (the same for every chunk). Read once.

        Returns
        -------
        GramStats

        Raises
        ------
        ValueError
            For an empty iterator, chunks of different widths or target counts,
            NaN or infinity in a chunk, or bad weights; the message names the
            chunk (counting from 0).
        """
        if chunks is None or isinstance(chunks, (str, bytes)) \
                or not hasattr(chunks, "__iter__"):
            raise TypeError("chunks must be an iterable of (X_block, y_block) or "
                            f"(X_block, y_block, weight_block) tuples, got {chunks!r}.")
        total, first, scratch = None, None, None
        for index, chunk in enumerate(chunks):
            where = f"chunk {index}"
            Xb, yb, wb = check_chunk(*_unpack_chunk(chunk, index), where)
            shape = (Xb.shape[1], yb.ndim, yb.shape[1] if yb.ndim == 2 else 1)
            if first is None:
                first = shape
            elif shape[0] != first[0]:
                raise ValueError(f"{where} has {shape[0]} columns; the first chunk has "
                                 f"{first[0]}.")
            elif shape[1:] != first[1:]:
                raise ValueError(f"{where}: y has shape {yb.shape}, inconsistent with the "
                                 "targets of the first chunk.")
            check_chunk_rows(yb, Xb.shape[0], where)
            if Xb.shape[0] == 0:
                continue
            if total is None:
                total = empty_moments(first[0], first[2])
                scratch = np.empty((first[0], first[0]))
            total = add_rows(total, Xb, yb, wb, where=where, scratch=scratch)
        if first is None:
            raise ValueError("No chunks: the iterable was empty.")
        if total is None:
            raise ValueError("Every chunk was empty (0 rows).")
        if not total.weight_sum > 0:
            raise ValueError("sample_weight sums to zero over all chunks: no sample "
                             "carries weight.")
        return _from_moments(total, single_target=first[1] == 1, dtype=np.dtype(np.float64))

    @classmethod
    def from_dask(cls, X, y, *, sample_weight=None, split_every=8):
        """Statistics of Dask arrays, computed by Dask (a cluster if one is active).

        Each row chunk of X is reduced to its own statistics on the worker
        that holds it, and these are combined pairwise in a tree: a worker
        sends one ``n_features x n_features`` matrix, never rows of X. Runs on
        the active scheduler, so under a ``dask.distributed.Client`` it runs on
        the cluster (and a lost worker's chunks are recomputed by Dask).

        Parameters
        ----------
        X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
            Chunked along rows only (one chunk across all columns); a
            DataFrame is converted with ``to_dask_array(lengths=True)``.
        y : dask.array.Array, dask Series, or ndarray of shape (n_samples,) or \
                (n_samples, n_targets)
            Rechunked to X's row chunks.
        sample_weight : dask.array.Array or ndarray of shape (n_samples,), default=None
            Non-negative weights, rechunked like y.
        split_every : int, default=8
            Fan-in of the reduction tree.

        Returns
        -------
        GramStats
        """
        total, single_target, dtype = dask_moments(X, y, sample_weight=sample_weight,
                                                   split_every=split_every)
        return _from_moments(total, single_target=single_target, dtype=dtype)

    @classmethod
    def from_folds(cls, X, y, folds, *, sample_weight=None, block_size=None):
        """One :class:`GramStats` per fold, from one pass over X.

        Parameters
        ----------
        X : {ndarray, numpy.memmap, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        folds : array-like of int, shape (n_samples,)
            Fold id of every row, ``0 .. n_folds - 1``, each fold non-empty.
        sample_weight : float or array-like of shape (n_samples,), default=None
        block_size : int, default=None
            Rows per block.

        Returns
        -------
        list of GramStats
            Element ``k`` holds the rows with ``folds == k``.
        """
        X, y, sw, block_size = _check_arrays(X, y, sample_weight, block_size)
        folds = check_fold_ids(folds, X.shape[0])
        return accumulate_rows(X, y, sw, block_size=block_size, folds=folds)

    # -- algebra --------------------------------------------------------------

    def __add__(self, other):
        if not isinstance(other, GramStats):
            return NotImplemented
        _check_compatible(self, other)
        return merge(self, other)

    def __sub__(self, other):
        if not isinstance(other, GramStats):
            return NotImplemented
        _check_compatible(self, other)
        return remove(self, other)

    # -- moments --------------------------------------------------------------

    def gram(self, *, center=True):
        """``sum_i s_i (x_i - c)(x_i - c)^T`` with ``c = m`` (center) or 0.

        Parameters
        ----------
        center : bool, default=True
            Center at the weighted column means (for a model with intercept).

        Returns
        -------
        ndarray of shape (n_features, n_features)
        """
        if center:
            return self.xx
        return self.xx + self.weight_sum * np.outer(self.x_mean, self.x_mean)

    def xty(self, *, center=True):
        """``sum_i s_i (x_i - c)(y_i - d)^T``, centered or raw.

        Parameters
        ----------
        center : bool, default=True
            Center both X and y at their weighted means.

        Returns
        -------
        ndarray of shape (n_features, n_targets)
        """
        if center:
            return self.xy
        return self.xy + self.weight_sum * np.outer(self.x_mean, self.y_mean)

    def yty(self, *, center=True):
        """``sum_i s_i (y_it - d_t)^2`` per target, centered or raw.

        Parameters
        ----------
        center : bool, default=True
            Center y at its weighted mean.

        Returns
        -------
        ndarray of shape (n_targets,)
        """
        if center:
            return self.yy
        return self.yy + self.weight_sum * self.y_mean**2

    @property
    def x_std(self):
        """Weighted population standard deviation of each column (``sqrt(diag(xx) / S)``)."""
        return np.sqrt(np.maximum(np.diag(self.xx), 0.0) / self.weight_sum)

    def standardized(self):
        """The statistics of ``X D^{-1}`` with ``D = diag(x_std)``: unit-variance columns.

        Constant columns (zero spread) are left unscaled.

        Returns
        -------
        stats : GramStats
            Of the scaled columns.
        scale : ndarray of shape (n_features,)
            ``D``: a coefficient ``v`` on the scaled columns is ``v / scale``
            on the original ones.
        """
        scale = self.x_std
        scale = np.where(scale > 0, scale, 1.0)
        return replace(self, x_mean=self.x_mean / scale,
                          xx=self.xx / np.outer(scale, scale),
                          xy=self.xy / scale[:, None]), scale

    def residual_sum_of_squares(self, coefs, intercepts=None):
        """``sum_i s_i (y_i - x_i w_k - b_k)^2`` for many coefficient vectors at once.

        From the centered moments: ``Cyy - 2 w^T Cxy + w^T Cxx w + S (ybar - m^T w - b)^2``,
        O(n_features^2) per vector instead of a pass over the rows.

        Parameters
        ----------
        coefs : ndarray of shape (n_features, n_models)
            Coefficients of one target (the first, or the only one).
        intercepts : ndarray of shape (n_models,), default=None
            Zero when None.

        Returns
        -------
        ndarray of shape (n_models,)
        """
        W = np.asarray(coefs, dtype=np.float64)
        if np.count_nonzero(W) <= SPARSE_COEF_FRACTION * W.size:
            # a lasso path's solutions: sums over their nonzeros (no BLAS, so no
            # BLAS threads waking inside a cross-validation pool)
            products = np.empty((3, W.shape[1]))
            sparse_moment_products(self.xx, self.xy[:, 0], self.x_mean,
                                   np.asfortranarray(W), products)
            quad, cross, mean = products
        else:
            quad = np.einsum("jk,jk->k", W, self.xx @ W)
            cross = W.T @ self.xy[:, 0]
            mean = self.x_mean @ W
        offset = self.y_mean[0] - mean
        if intercepts is not None:
            offset = offset - np.asarray(intercepts, dtype=np.float64)
        rss = self.yy[0] - 2.0 * cross + quad + self.weight_sum * offset**2
        return np.maximum(rss, 0.0)

    def target(self, t):
        """The statistics of ``(X, y[:, t])``: one target.

        Parameters
        ----------
        t : int
            Target index.

        Returns
        -------
        GramStats
        """
        t = range(self.n_targets)[t]
        return replace(self, y_mean=self.y_mean[t:t + 1], xy=self.xy[:, t:t + 1],
                          yy=self.yy[t:t + 1], single_target=True)


def _from_moments(moments, *, single_target, dtype):
    """A :class:`GramStats` of ``moments`` (a :class:`~fastreg.stats.moments.Moments`)."""
    values = {f.name: getattr(moments, f.name) for f in fields(Moments)}
    return GramStats(**values, single_target=bool(single_target), dtype=np.dtype(dtype))


def _check_arrays(X, y, sample_weight, block_size):
    """The arguments of the array constructors, validated (y and weights in float64)."""
    X = _validation.check_X(X)
    n_samples, n_features = X.shape
    _validation.check_gram_size(n_features, 8)
    return (X, _validation.check_y(y, n_samples, np.float64),
            _validation.check_sample_weight(sample_weight, n_samples, np.float64),
            _validation.check_block_size(block_size))


def accumulate_rows(X, y, sample_weight=None, *, block_size=None, folds=None):
    """The :class:`GramStats` of validated arrays, from one pass in row blocks.

    The products of independent blocks run side by side on as many threads as
    BLAS has (:func:`fastreg._parallel.blas_threads`), each whole on one thread
    (which scales better than BLAS's own threads inside every product), and
    are added in block order: the same bits for any thread count.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
        Read one block of rows at a time (pages of a read-only memmap are
        released after each block).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
    block_size : int, default=None
        Rows per block; None picks about 32 MB of float64 per block, and at
        least :data:`MIN_ROW_BLOCKS` blocks where that keeps ``MIN_BLOCK`` rows.
    folds : ndarray of int64, shape (n_samples,), default=None
        Fold ids ``0 .. K-1`` (from :func:`check_fold_ids`): statistics per fold
        (blocks then end at fold boundaries: :func:`fold_aligned_blocks`).

    Returns
    -------
    GramStats, or list of GramStats with ``folds`` (element k of the rows of fold k)
    """
    X = _row_access(X)
    n_samples, n_features = X.shape
    release = _page_releaser(X)
    n_targets = 1 if y.ndim == 1 else y.shape[1]
    parts = [empty_moments(n_features, n_targets)
             for _ in range(1 if folds is None else int(folds.max()) + 1)]
    n_threads = _parallel.blas_threads()
    if n_samples * float(n_features) ** 2 < SPLIT_MIN_PRODUCTS:
        n_threads = 1  # (microseconds of products: a thread costs more)
    with _parallel.workers(n_threads) as pool:
        if folds is None:
            size = block_size or row_block_size(n_samples, n_features)
            parts[0] = _sum_blocks(X, y, sample_weight, blocks(n_samples, size), parts[0],
                                   pool, release)
        else:
            size = block_size or default_block_size(n_features)
            _sum_fold_blocks(X, y, sample_weight, fold_aligned_blocks(folds, size), folds,
                             parts, pool, release)
    stats = [_from_moments(p, single_target=y.ndim == 1, dtype=X.dtype) for p in parts]
    return stats[0] if folds is None else stats


# A sum of at least SPLIT_MIN_PRODUCTS multiply-adds (n p^2: a few milliseconds)
# is cut into at least MIN_ROW_BLOCKS blocks, so that threads share them evenly
# (smaller sums are not worth a thread), but not into blocks under
# MIN_SPLIT_ROWS rows: adding a block costs about three passes over p x p, about
# 150 / rows of its product. At most PARALLEL_BUFFER_BYTES of p x p buffers
# hold products in flight.
SPLIT_MIN_PRODUCTS = 1e8
MIN_ROW_BLOCKS = 4
MIN_SPLIT_ROWS = 1000
PARALLEL_BUFFER_BYTES = 256 * 1024**2


def row_block_size(n_samples, n_features):
    """Rows per block of one sum: about 32 MB of float64 (``default_block_size``),
    and for sums of at least :data:`SPLIT_MIN_PRODUCTS` fewer where that would
    leave under :data:`MIN_ROW_BLOCKS` blocks (not below :data:`MIN_SPLIT_ROWS`).
    Depends on the shape only, so the sums do not depend on the thread count."""
    size = default_block_size(n_features)
    if n_samples * float(n_features) ** 2 < SPLIT_MIN_PRODUCTS:
        return size
    return min(size, max(-(-n_samples // MIN_ROW_BLOCKS), MIN_SPLIT_ROWS))


def _sum_blocks(X, y, sample_weight, spans, total, pool, release):
    """``total`` plus the row blocks ``spans`` of (X, y), added in order.

    The blocks' products are made in waves of as many blocks as threads
    (each into its own buffer), then added one after the other on this
    thread: the sums of :func:`add_rows` one block at a time, to the bit.
    BLAS is held at one thread throughout when several run (the additions'
    small products would wake BLAS's threads, which then spin on the cores
    of the next wave).
    """
    p = total.xx.shape[0]
    width = max(1, min(pool.n_threads, len(spans),
                       1 + PARALLEL_BUFFER_BYTES // max(8 * p * p, 1)))
    buffers = [np.empty_like(total.xx) for _ in range(width)]
    quiet = _parallel.single_threaded_blas() if width > 1 else nullcontext()
    with quiet:
        for first in range(0, len(spans), width):
            wave = spans[first:first + width]

            def product(item, total=total):
                k, (start, stop) = item
                wb = None if sample_weight is None else sample_weight[start:stop]
                # (the first block of an empty sum is written into it: add_rows)
                out = total.xx if k == 0 and total.n_samples == 0 else buffers[k]
                return block_product(_dense_block(X, start, stop), y[start:stop], wb,
                                     where=f"rows {start}:{stop}", out=out)

            for block in pool.map(product, enumerate(wave)):
                total = add_block(total, block)
            for start, stop in wave:
                release(start, stop)
    return total


def _sum_fold_blocks(X, y, sample_weight, spans, folds, parts, pool, release):
    """Add the rows of each block to ``parts`` (one per fold), in place.

    The folds of a block are independent sums: each runs whole on one thread.
    """
    scratch = np.empty_like(parts[0].xx)
    for start, stop in spans:
        block = _dense_block(X, start, stop)
        Yb = y[start:stop]
        wb = None if sample_weight is None else sample_weight[start:stop]
        where = f"rows {start}:{stop}"
        pieces = _fold_rows(folds[start:stop])
        # (pieces side by side each need their own work space)
        shared = scratch if pool.n_threads == 1 or len(pieces) == 1 else None

        def add(piece, block=block, Yb=Yb, wb=wb, where=where, shared=shared):
            k, rows = piece
            return add_rows(parts[k], _take(block, rows), _take(Yb, rows), _take(wb, rows),
                            where=where, scratch=shared)

        for (k, _), moments in zip(pieces, pool.map(add, pieces)):
            parts[k] = moments
        release(start, stop)


def fold_aligned_blocks(folds, size):
    """Row blocks of about ``size`` rows that do not cut contiguous folds.

    With every fold one run of rows (scikit-learn's ``KFold``), blocks are
    whole runs of folds, closed before the run that would take them past
    ``size`` rows (a fold longer than ``size`` is cut into blocks of its
    own): each fold is then one product, and the folds of a block, which
    share the threads, are as many equal pieces as fit. Otherwise (folds
    interleaved) plain blocks of ``size`` rows.

    Parameters
    ----------
    folds : ndarray of int64, shape (n_samples,)
    size : int

    Returns
    -------
    list of (start, stop)
    """
    n_samples = folds.shape[0]
    edges = np.flatnonzero(np.diff(folds)) + 1
    if np.unique(folds).size != edges.size + 1:  # some fold is not one run
        return blocks(n_samples, size)
    out, block_start, fold_start = [], 0, 0
    for fold_stop in np.r_[edges, n_samples].tolist():
        if fold_stop - block_start > size and fold_start > block_start:
            out.append((block_start, fold_start))  # the block ends before this fold
            block_start = fold_start
        if fold_stop - block_start > size:  # this fold alone is longer than a block
            out.extend((block_start + a, block_start + b)
                       for a, b in blocks(fold_stop - block_start, size))
            block_start = fold_stop
        fold_start = fold_stop
    if block_start < n_samples:
        out.append((block_start, n_samples))
    return out


def _take(a, rows):
    """``a[rows]``; all of ``a`` (no copy) for ``rows=None``."""
    return a if rows is None or a is None else a[rows]


def _fold_rows(ids):
    """``(fold, rows)`` of one block: rows as a slice where contiguous (a view), else
    indices; ``[(0, None)]`` (every row) without fold ids."""
    if ids is None:
        return [(0, None)]
    out = []
    for k in np.unique(ids):
        rows = np.flatnonzero(ids == k)
        if rows[-1] - rows[0] + 1 == rows.size:  # contiguous (KFold)
            rows = slice(int(rows[0]), int(rows[-1]) + 1)
        out.append((int(k), rows))
    return out


def sum_stats(parts):
    """``parts[0] + parts[1] + ...`` (statistics of disjoint row sets), the same sums
    accumulated in place after the first (:func:`~fastreg.stats.moments.merge_all`)."""
    for part in parts[1:]:
        _check_compatible(parts[0], part)
    return merge_all(parts)


def _check_compatible(a, b):
    if a.n_features != b.n_features or a.n_targets != b.n_targets:
        raise ValueError(
            f"Statistics of different shapes: {a.n_features} features and {a.n_targets} "
            f"targets vs {b.n_features} features and {b.n_targets} targets."
        )


def _row_access(X):
    return sparse.csr_matrix(X) if sparse.issparse(X) else X


def _dense_block(X, start, stop):
    block = X[start:stop]
    return block if sparse.issparse(block) else np.asarray(block)


def _page_releaser(X):
    """A function ``(start, stop)`` dropping those rows' pages of a read-only memmap.

    Reading a memmap maps its pages into the process; without this a pass
    over an 8 GB file ends with 8 GB resident. ``MADV_DONTNEED`` on a shared
    read-only mapping only unmaps (the data stay in the file and the page
    cache); it is never applied to copy-on-write maps, where it would drop
    changes.
    """
    noop = lambda start, stop: None  # noqa: E731
    mm = _backing_mmap(X)
    if mm is None or not hasattr(mm, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
        return noop
    if not X.flags.c_contiguous:
        return noop
    base = np.frombuffer(mm, dtype=np.uint8).ctypes.data
    first = X.ctypes.data - base
    row_bytes = X.strides[0]
    page = mmap.PAGESIZE

    def release(start, stop):
        lo = first + start * row_bytes
        hi = first + stop * row_bytes
        lo = -(-lo // page) * page  # only pages wholly inside the block
        hi = (hi // page) * page
        if hi > lo:
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)

    return release


def _backing_mmap(X):
    """The ``mmap`` object under a read-only ``numpy.memmap`` (or a view of one)."""
    a = X
    while isinstance(a, np.ndarray):
        if isinstance(a, np.memmap) and getattr(a, "mode", None) in ("r", "readonly"):
            mm = getattr(a, "_mmap", None)
            if mm is not None:
                return mm
        a = a.base
    return None


def _unpack_chunk(chunk, index):
    try:
        parts = tuple(chunk)
    except TypeError:
        parts = ()
    if len(parts) not in (2, 3):
        raise ValueError(f"chunk {index}: expected (X_block, y_block) or "
                         "(X_block, y_block, weight_block).")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


def check_fold_ids(folds, n_samples):
    """Fold ids as int64, each of ``0 .. K-1`` used at least once.

    Parameters
    ----------
    folds : array-like of shape (n_samples,)
    n_samples : int

    Returns
    -------
    ndarray of int64
    """
    folds = _validation.as_array(folds, "Fold ids (folds / cv)")
    if folds.ndim != 1 or folds.shape[0] != n_samples:
        raise ValueError(f"Fold ids must have shape ({n_samples},), got {folds.shape}.")
    if folds.dtype.kind not in "iu":
        raise TypeError(f"Fold ids must be integers, got dtype {folds.dtype}.")
    folds = folds.astype(np.int64)
    if folds.min() < 0:
        raise ValueError("Fold ids must be non-negative.")
    counts = np.bincount(folds)
    if np.any(counts == 0):
        raise ValueError(f"Fold ids must use every id from 0 to {folds.max()}; "
                         f"fold {int(np.flatnonzero(counts == 0)[0])} is empty.")
    if counts.size < 2:
        raise ValueError("Cross-validation needs at least 2 folds.")
    return folds


def check_stats(stats, *, single_target=False):
    """``stats`` must be a :class:`~fastreg.GramStats` (with one target if asked)."""
    if not isinstance(stats, GramStats):
        raise TypeError(f"Expected fastreg.GramStats, got {type(stats).__name__}.")
    if single_target and stats.n_targets != 1:
        raise ValueError(
            f"These statistics have {stats.n_targets} targets; the lasso / elastic-net "
            "path from statistics takes one (pick one with stats.target(t))."
        )
    if not stats.weight_sum > 0:
        raise ValueError("The statistics carry no weight (sum of sample weights is 0).")
    return stats
