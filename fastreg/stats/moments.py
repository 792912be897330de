"""The moments of a set of rows, and the exact algebra that combines them.

For n >> p everything the covariance-mode lasso / elastic-net path and ridge
need is a handful of moments of ``(X, y)`` with sample weights ``s``:

    S = sum_i s_i,  m = sum_i s_i x_i / S,  ybar = sum_i s_i y_i / S,
    Cxx = sum_i s_i (x_i - m)(x_i - m)^T,  Cxy = sum_i s_i (x_i - m)(y_i - ybar)^T,
    Cyy = sum_i s_i (y_i - ybar)^2  (per target).

They are stored centered (Chan, Golub & LeVeque's pairwise form): every block's
products are taken about its own mean (its raw products corrected by that mean
where this keeps the digits, the block centered explicitly where it does not),
and two blocks combine exactly with

    C = C_a + C_b + (S_a S_b / S) d d^T,   d = m_b - m_a,

so no sum of squares over the whole data ever cancels against ``S m m^T`` (raw
moments of data with large means lose digits; centered ones do not): the
cancellation stays inside one block and below about 4 digits (``SHIFT_RATIO``).
The same formula run backwards removes a block: training statistics of a
cross-validation fold are ``total - fold``.

:class:`Moments` holds these fields and nothing else; the public
:class:`~fastreg.GramStats` is a ``Moments`` that also records what the data
looked like (one target or many, the dtype of X). Everything here works on
either, so the constructors of :mod:`fastreg.stats.gramstats` and the Dask
reduction of :mod:`fastreg.stats.dask` share one block function and one merge.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.linalg import blas

from .. import _validation
from .blocks import SHIFT_RATIO, weighted_mean

# A sparse block with at least this fraction stored is densified for its products:
# BLAS on the dense block is then faster than sparse products (scikit-learn's
# digits, 1797 x 64 and half stored: 0.4 ms against 8 ms for X^T X).
DENSE_PRODUCT_MIN_DENSITY = 0.1


@dataclass(frozen=True, eq=False)
class Moments:
    """Centered weighted moments of a set of rows (see the module docstring).

    Attributes
    ----------
    n_samples : int
    weight_sum : float
        ``S``.
    x_mean : ndarray of shape (n_features,)
    y_mean : ndarray of shape (n_targets,)
    xx : ndarray of shape (n_features, n_features)
        ``Cxx``.
    xy : ndarray of shape (n_features, n_targets)
        ``Cxy``.
    yy : ndarray of shape (n_targets,)
        ``Cyy``.
    """

    n_samples: int
    weight_sum: float
    x_mean: np.ndarray
    y_mean: np.ndarray
    xx: np.ndarray
    xy: np.ndarray
    yy: np.ndarray


def empty_moments(n_features, n_targets):
    """The :class:`Moments` of no rows (zeros), a start for :func:`add_rows`."""
    return Moments(0, 0.0, np.zeros(n_features), np.zeros(n_targets),
                   np.zeros((n_features, n_features)), np.zeros((n_features, n_targets)),
                   np.zeros(n_targets))


def block_stats(Xb, Yb, wb=None, *, where="block"):
    """The :class:`Moments` of one block, centered at the block's own weighted means.

    Parameters are those of :func:`add_rows`.

    Returns
    -------
    Moments
    """
    n_targets = 1 if np.ndim(Yb) == 1 else np.shape(Yb)[1]
    return add_rows(empty_moments(Xb.shape[1], n_targets), Xb, Yb, wb, where=where)


@dataclass(frozen=True)
class _Block:
    """One block's moments before they join a total: ``xx`` is raw or centered.

    ``xx`` is ``sum_i s_i x_i x_i^T`` when ``centered`` is False (the caller
    subtracts ``S m m^T`` as part of the merge, without a p x p temporary)
    and ``sum_i s_i (x_i - m)(x_i - m)^T`` otherwise.
    """

    rows: int
    weight_sum: float
    x_mean: np.ndarray
    y_mean: np.ndarray
    xx: np.ndarray
    centered: bool
    xy: np.ndarray
    yy: np.ndarray


def block_product(Xb, Yb, wb=None, *, where="block", out):
    """The :class:`_Block` of one block, its ``xx`` product written into ``out``
    (:func:`product_buffer`); parameters as :func:`add_rows`."""
    Yb = np.asarray(Yb, dtype=np.float64)
    Yb = Yb.reshape(-1, 1) if Yb.ndim == 1 else Yb
    if not np.isfinite(Yb).all():
        raise ValueError(f"{where}: y contains NaN or infinity.")
    if sparse.issparse(Xb) and Xb.nnz >= DENSE_PRODUCT_MIN_DENSITY * Xb.shape[0] * Xb.shape[1]:
        Xb = Xb.toarray()  # (a block is at most a few tens of MB dense: default_block_size)
    Xb = sparse.csr_matrix(Xb, dtype=np.float64) if sparse.issparse(Xb) \
        else np.asarray(Xb, dtype=np.float64)
    rows = Xb.shape[0]
    wb = None if wb is None else np.asarray(wb, dtype=np.float64)
    S = float(rows) if wb is None else float(wb.sum())
    my = weighted_mean(Yb, wb, S)
    Yc = Yb - my
    weighted_Yc = Yc if wb is None else Yc * wb[:, None]
    yy = np.einsum("ij,ij->j", Yc, weighted_Yc)
    if not np.isfinite(yy).all():
        raise ValueError(f"{where}: y has values whose squares overflow float64.")
    # one product gives the column sums and sum_i s_i x_i (y_i - ybar)^T, which
    # is sum_i s_i (x_i - c)(y_i - ybar)^T for any c (the y~ are centered)
    lhs = np.vstack([np.ones(rows) if wb is None else wb, weighted_Yc.T])
    sums_xy = (Xb.T @ lhs.T).T if sparse.issparse(Xb) else lhs @ Xb
    if not np.isfinite(sums_xy[0]).all():
        _raise_nonfinite_X(where)
    mx = sums_xy[0] / S if S > 0 else np.zeros(Xb.shape[1])
    raw = _raw_gram(Xb, wb, out)
    if S > 0 and not np.any(mx * mx > SHIFT_RATIO**2 * (np.diagonal(raw) / S - mx * mx)):
        block = _Block(rows, S, mx, my, raw, False, sums_xy[1:].T, yy)
    else:
        # raw products would cancel about 2 log10(|mean| / std) digits: center
        Xs = (Xb.toarray() if sparse.issparse(Xb) else Xb) - mx
        if wb is not None:
            Xs *= np.sqrt(wb)[:, None]
        centered = np.matmul(Xs.T, Xs, out=out)
        xy = Xs.T @ (Yc if wb is None else Yc * np.sqrt(wb)[:, None])
        block = _Block(rows, S, mx, my, centered, True, xy, yy)
    if not np.isfinite(block.xx.diagonal()).all():
        _raise_nonfinite_X(where)  # finite sums, overflowing squares
    return block


def add_rows(total, Xb, Yb, wb=None, *, where="block", scratch=None):
    """``total`` plus the rows of one block: the moments of both, updated in place.

    The block's raw product and the rank-two correction that centers it and
    merges it with ``total`` (Chan's update) go through ``scratch``: no p x p
    array is allocated per block. :func:`block_product` then :func:`add_block`.

    Parameters
    ----------
    total : Moments
        Of rows disjoint from the block; its arrays are updated (nobody else
        may hold them). :func:`empty_moments` to start.
    Xb : ndarray or sparse matrix of shape (rows, n_features)
        Dense blocks are used in float64 (a view when already float64 and
        unweighted); sparse blocks stay sparse unless their means are large
        against their spread.
    Yb : ndarray of shape (rows,) or (rows, n_targets)
    wb : ndarray of shape (rows,) or None
    where : str
        Names the block in error messages.
    scratch : ndarray of shape (n_features, n_features), default=None
        Work space, reused across calls.

    Returns
    -------
    Moments
        ``total``'s type and other fields, with ``total``'s arrays.
    """
    out = product_buffer(total, scratch)
    return add_block(total, block_product(Xb, Yb, wb, where=where, out=out))


def product_buffer(total, scratch=None):
    """Where :func:`block_product` writes the product of a block to be added to
    ``total``: into an empty total (the first block of a sum) ``total.xx`` itself
    (two p x p passes fewer, the same values), else ``scratch`` (or a new array)."""
    if total.n_samples == 0:
        return total.xx
    return np.empty_like(total.xx) if scratch is None else scratch


def add_block(total, block):
    """``total`` plus a block from :func:`block_product`, in place (Chan's update).

    ``block.xx`` is the block's buffer (:func:`product_buffer`): overwritten here
    by the rank-two correction. The same sums whichever thread made the block,
    so blocks made side by side and added in order give the bits of
    :func:`add_rows` one block at a time.
    """
    xx = total.xx
    S, frac, coupling, dx, dy = _pairwise(total, block)
    if block.xx is xx:  # written into the empty total: nothing to merge with
        if not block.centered:
            add_outer(xx, -block.weight_sum, block.x_mean, block.x_mean)
    else:
        xx += block.xx
        # -S_b m_b m_b^T (when raw) + coupling dx dx^T as one rank-two product
        basis = np.column_stack([block.x_mean, dx])
        weights = np.array([0.0 if block.centered else -block.weight_sum, coupling])
        xx += np.matmul(basis * weights, basis.T, out=block.xx)
    xy, yy = total.xy, total.yy
    xy += block.xy
    add_outer(xy, coupling, dx, dy)
    yy += block.yy + coupling * dy**2
    return dataclasses.replace(total, n_samples=total.n_samples + block.rows, weight_sum=S,
                               x_mean=total.x_mean + frac * dx, y_mean=total.y_mean + frac * dy,
                               xx=xx, xy=xy, yy=yy)


def _raw_gram(Xb, wb, out):
    """``sum_i w_i x_i x_i^T`` of a dense or sparse block, written into ``out``."""
    if sparse.issparse(Xb):
        weighted = Xb if wb is None else sparse.csr_matrix(Xb.multiply(wb[:, None]))
        out[...] = (Xb.T @ weighted).toarray()
        return out
    Xs = Xb if wb is None else Xb * np.sqrt(wb)[:, None]
    if 8 not in Xs.strides:  # BLAS needs unit stride along one axis
        Xs = np.ascontiguousarray(Xs)
    return np.matmul(Xs.T, Xs, out=out)  # NumPy's BLAS: see blocks.add_gram


def _raise_nonfinite_X(where):
    raise ValueError(f"{where}: X contains NaN or infinity (or values whose squares "
                     "overflow float64).")


def _pairwise(a, b):
    """``(S, frac, coupling, dx, dy)`` of Chan's update joining row sets a and b.

    ``S = S_a + S_b``; the merged means are ``m_a + frac * d`` and the
    centered products gain ``coupling * d d^T`` with ``d = m_b - m_a``.
    """
    S = a.weight_sum + b.weight_sum
    frac = b.weight_sum / S if S > 0 else 0.0
    return S, frac, a.weight_sum * frac, b.x_mean - a.x_mean, b.y_mean - a.y_mean


def merge(a, b, *, in_place=False):
    """Moments of the union of two disjoint row sets (Chan's pairwise update).

    Parameters
    ----------
    a, b : Moments
        Of the same shapes; the result has ``a``'s type and other fields.
    in_place : bool, default=False
        Accumulate into ``a``'s arrays (for a running total nobody else holds).

    Returns
    -------
    Moments
    """
    S, frac, coupling, dx, dy = _pairwise(a, b)
    if in_place:
        xx, xy, yy = a.xx, a.xy, a.yy
        xx += b.xx
        xy += b.xy
        yy += b.yy
    else:
        xx, xy, yy = a.xx + b.xx, a.xy + b.xy, a.yy + b.yy
    if coupling:
        add_outer(xx, coupling, dx, dx)
        add_outer(xy, coupling, dx, dy)
        yy += coupling * dy**2
    return dataclasses.replace(a, n_samples=a.n_samples + b.n_samples, weight_sum=S,
                               x_mean=a.x_mean + frac * dx, y_mean=a.y_mean + frac * dy,
                               xx=xx, xy=xy, yy=yy)


def merge_all(parts):
    """The moments of all ``parts`` (disjoint row sets), in one step.

    The K-part form of the pairwise update: with ``S = sum_k S_k`` and
    ``m = sum_k S_k m_k / S``,

        C = sum_k C_k + sum_k S_k (m_k - m)(m_k - m)^T,

    the second sum one rank-K product. One pass over each part's ``Cxx``
    and no p x p temporary per part: 1.3 against 7.8 ms for ten folds of
    500 features, merged pair by pair. Within rounding of merging pair by
    pair (both stay centered: nothing cancels against ``S m m^T``).
    """
    if len(parts) == 1:
        return parts[0]
    weights = np.array([part.weight_sum for part in parts])
    S = float(weights.sum())
    fractions = weights / S if S > 0 else np.zeros_like(weights)
    x_means = np.array([part.x_mean for part in parts])
    y_means = np.array([part.y_mean for part in parts])
    # means as the first part's plus weighted differences (no cancellation
    # of large means against each other)
    mx = x_means[0] + fractions @ (x_means - x_means[0])
    my = y_means[0] + fractions @ (y_means - y_means[0])
    dx, dy = x_means - mx, y_means - my
    weighted_dx = dx * weights[:, None]
    xx = np.matmul(weighted_dx.T, dx)
    for part in parts:
        xx += part.xx
    xy = weighted_dx.T @ dy + sum(part.xy for part in parts)
    yy = weights @ dy**2 + sum(part.yy for part in parts)
    first = parts[0]
    return dataclasses.replace(first, n_samples=sum(part.n_samples for part in parts),
                               weight_sum=S, x_mean=mx, y_mean=my, xx=xx, xy=xy, yy=yy)


def remove(total, part):
    """Moments of ``total``'s rows without ``part``'s (Chan's update, reversed)."""
    n_rest = total.n_samples - part.n_samples
    S = total.weight_sum - part.weight_sum
    if n_rest <= 0 or not S > 1e-12 * total.weight_sum:
        raise ValueError("Subtracting these statistics leaves no rows (or no weight).")
    mx = (total.weight_sum * total.x_mean - part.weight_sum * part.x_mean) / S
    my = (total.weight_sum * total.y_mean - part.weight_sum * part.y_mean) / S
    dx = part.x_mean - mx
    dy = part.y_mean - my
    coupling = S * part.weight_sum / total.weight_sum
    return dataclasses.replace(
        total, n_samples=n_rest, weight_sum=S, x_mean=mx, y_mean=my,
        xx=add_outer(total.xx - part.xx, -coupling, dx, dx),
        xy=add_outer(total.xy - part.xy, -coupling, dx, dy),
        yy=np.maximum(total.yy - part.yy - coupling * dy**2, 0.0))


def add_outer(A, alpha, u, v):
    """``A += alpha u v^T`` in place, by BLAS's rank-one update.

    Without the p x p temporaries of ``np.outer`` (on the test VM their page
    faults made ``C - np.outer(u, v)`` of 500 x 500 cost 2.7 ms, against
    0.1 ms here). Returns ``A``.
    """
    if A.flags.c_contiguous:  # A^T is Fortran-ordered: A^T += alpha v u^T
        blas.dger(alpha, v, u, a=A.T, overwrite_a=True)
    elif A.flags.f_contiguous:
        blas.dger(alpha, u, v, a=A, overwrite_a=True)
    else:
        A += alpha * np.outer(u, v)
    return A


def check_chunk(Xb, yb, wb, where):
    """One chunk of a stream validated: ``(X, y as float64, weights or None)``.

    Complex values are refused rather than cast (NumPy would drop the
    imaginary part with only a ComplexWarning); every message names the chunk.
    """
    if not sparse.issparse(Xb):
        Xb = _validation.as_array(Xb, f"{where}: X")
    _validation.check_real(Xb, "X", where=where)
    if Xb.ndim != 2:
        raise ValueError(f"{where}: X must be 2-D, got shape {Xb.shape}.")
    if Xb.shape[1] == 0:
        raise ValueError(f"{where}: X has 0 columns; at least one feature is required.")
    yb = yb.toarray() if sparse.issparse(yb) else yb
    yb = _validation.check_real(_validation.as_array(yb, f"{where}: y"), "y", where=where)
    yb = yb.astype(np.float64, copy=False)
    if wb is not None:
        try:
            # a chunk may carry no weight; the total must (checked by the caller)
            wb = _validation.check_sample_weight(wb, Xb.shape[0], np.float64,
                                                 allow_zero_sum=True)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return Xb, yb, wb


def check_chunk_rows(yb, rows, where):
    """``y`` of a chunk must be 1-D or 2-D with one row per row of X."""
    if yb.ndim not in (1, 2) or yb.shape[0] != rows:
        raise ValueError(f"{where}: y has shape {yb.shape}, expected {rows} rows to match X.")
    return yb
