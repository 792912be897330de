"""Sufficient statistics of Dask arrays: one small matrix per chunk, a tree reduction.

The engine of :meth:`fastreg.GramStats.from_dask`. Dask itself is an optional
extra, imported when the method is called. Each row chunk of X becomes its
:class:`~fastreg.stats.moments.Moments` on the worker holding it; these are
merged with the exact centered update up a tree of fan-in ``split_every``. A
worker therefore ships one ``n_features x n_features`` matrix (plus vectors)
per reduction step, never rows, and a lost worker's chunks are recomputed by
Dask from their lineage.
"""

import numpy as np

from .. import _validation
from .moments import block_stats, check_chunk, merge_all


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "GramStats.from_dask needs dask: pip install 'fastreg[dask]'."
        ) from exc
    return dask, da


def _as_dask_array(obj, da):
    if hasattr(obj, "to_dask_array"):  # dask DataFrame / Series
        return obj.to_dask_array(lengths=True)
    if isinstance(obj, da.Array):
        return obj
    return da.from_array(np.asarray(obj), chunks=-1)


def _chunk_stats(Xb, yb, wb, index):
    Xb, yb, wb = check_chunk(Xb, yb, wb, f"chunk {index}")
    return block_stats(Xb, yb, wb, where=f"chunk {index} (rows of X's row chunk {index})")


def dask_moments(X, y, *, sample_weight=None, split_every=8):
    """The moments of Dask arrays, computed by Dask; see ``GramStats.from_dask``.

    Returns
    -------
    moments : Moments
    single_target : bool
        Whether y is 1-D.
    dtype : numpy.dtype
        The floating type of X (float64 for integer X).
    """
    dask, da = _import_dask()
    X = _as_dask_array(X, da)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}.")
    if np.isnan(X.shape[0]) or any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first.")
    if len(X.chunks[1]) != 1:
        raise ValueError(
            f"X is chunked along columns ({len(X.chunks[1])} column chunks of widths "
            f"{X.chunks[1]}): every row chunk must hold all {X.shape[1]} columns. "
            "Rechunk with X.rechunk({1: -1})."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty (shape {X.shape}).")
    _validation.check_real(X, "X")
    y = _as_dask_array(y, da)
    _validation.check_real(y, "y")
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"y has shape {y.shape}; expected {X.shape[0]} rows to match X.")
    row_chunks = X.chunks[0]
    y = y.rechunk((row_chunks,) if y.ndim == 1 else (row_chunks, -1))
    if sample_weight is not None:
        sample_weight = _as_dask_array(sample_weight, da)
        _validation.check_real(sample_weight, "sample_weight")
        if sample_weight.shape != (X.shape[0],):
            raise ValueError(f"sample_weight has shape {sample_weight.shape}; "
                             f"expected ({X.shape[0]},).")
        sample_weight = sample_weight.rechunk((row_chunks,))
    x_blocks = X.to_delayed().ravel()
    y_blocks = y.to_delayed().ravel()
    w_blocks = (sample_weight.to_delayed().ravel() if sample_weight is not None
                else [None] * len(x_blocks))
    level = [dask.delayed(_chunk_stats, pure=True)(xb, yb, wb, i)
             for i, (xb, yb, wb) in enumerate(zip(x_blocks, y_blocks, w_blocks))]
    fan_in = max(2, int(split_every))
    while len(level) > 1:
        level = [dask.delayed(merge_all, pure=True)(level[i:i + fan_in])
                 for i in range(0, len(level), fan_in)]
    total = level[0].compute()
    if not total.weight_sum > 0:  # as from_arrays' check_sample_weight
        raise ValueError("sample_weight sums to zero: no sample carries weight.")
    dtype = np.dtype(X.dtype) if X.dtype.kind == "f" else np.dtype(np.float64)
    return total, y.ndim == 1, dtype
