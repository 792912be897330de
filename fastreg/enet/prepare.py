"""From the caller's data to the problem the driver solves, and back.

One function per source builds a :class:`Design`: :func:`design_from_arrays`
(dense or sparse X with y) and :func:`design_from_stats` (a
:class:`~fastreg.GramStats`). Each makes every data decision in one place:
the layout and update mode (:func:`choose_mode`), the exact power-of-two
rescaling of data far from unit scale, centering for an intercept,
standardization, and sample weights. The :class:`Transform` it records maps
coefficients, bounds, gaps, alphas and intercepts between the caller's scale
and the problem's, so :func:`fastreg.enet.pipeline.run_path` never asks where
the data came from.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .. import _scaling, _validation
from .._kernels import cd_naive
from ..stats.gramstats import GramStats
from .designs import (
    CscProblem,
    DenseProblem,
    GramProblem,
    MultiTaskCscProblem,
    MultiTaskDenseProblem,
)

# glmnet's rule of thumb: below this many features the whole Gram matrix costs
# little more than the columns a path touches, and one BLAS call is faster
# than many thin ones.
LAZY_GRAM_MIN_FEATURES = 5000

# Sparse X with at least this fraction of entries stored is solved dense: its
# dense array is smaller than values plus indices for every float and index
# type (float32 with int32 indices: 4 bytes against 8 * density).
DENSE_MIN_DENSITY = 0.9

# Sparse X (single target, 'auto') with more samples than features, at least this
# fraction stored and at least as many entries per column as there are columns
# is solved by covariance updates from its moments (GramStats, X densified one
# row block at a time): the blocked X^T X then costs the work of a few dozen
# sparse sweeps, and a covariance update (O(p)) less than a residual one
# (O(entries of the column)). scikit-learn's digits as CSC (1797 x 64, half
# stored): the 100-alpha path at tol=1e-4 in 12 ms against 0.54 s by residual
# updates (scikit-learn 0.31-0.36 s; glmnet, which takes covariance updates
# there too, 13 ms at about the same accuracy).
SPARSE_GRAM_MIN_DENSITY = 0.1

# Dense X with an intercept (or standardized) and a full Gram matrix is reduced
# to its moments in one blocked pass from this many entries on; below, a
# centered copy costs less than the blocked pass's fixed Python cost. Measured
# per single-alpha path call: 442 x 10 (diabetes) 201 us the moments way against
# 99 us through the copy, 2000 x 50 461 against 389 us, 2000 x 100 3.3 against
# 4.3 ms, 10000 x 200 13.8 against 16.7 ms.
MOMENTS_MIN_ENTRIES = 2**17


@dataclass(frozen=True)
class Transform:
    """The caller's data -> the problem solved, and the way back.

    The chain is: the caller's data, multiplied by powers of two (``outer``,
    :mod:`fastreg._scaling`); centered at ``x_mean`` / ``y_mean`` (an
    intercept); columns divided by ``col_scale`` (standardization); moments
    multiplied by powers of two again (``inner``, statistics only).

    Attributes
    ----------
    outer : DataScale
    col_scale : ndarray of shape (n_features,) or None
        Column scales on the ``outer``-rescaled data (None: not standardized).
    inner : DataScale or None
    x_mean : ndarray of shape (n_features,) or None
        Centers of the ``outer``-rescaled columns (None: no intercept).
    y_mean : float, ndarray of shape (n_tasks,) or None
    dtype : numpy dtype
        The coefficients' dtype (X's).
    """

    outer: _scaling.DataScale = _scaling.IDENTITY
    col_scale: object = None
    inner: object = None
    x_mean: object = None
    y_mean: object = None
    dtype: object = np.dtype(np.float64)

    @property
    def to_problem(self):
        """The whole power-of-two rescaling (coefficients, bounds)."""
        return self.outer if self.inner is None else self.outer.then(self.inner)

    @property
    def solve_scale(self):
        """The rescaling the penalties, gaps and grid see.

        Standardized columns are unit-scale whatever X's scale: only y's factor
        of ``outer`` remains.
        """
        base = self.outer.standardized() if self.col_scale is not None else self.outer
        return base if self.inner is None else base.then(self.inner)

    def coef_scale(self, n_features):
        """``w_problem = w_caller * coef_scale`` (bounds map the same way)."""
        ones = np.ones(n_features)
        return self.to_problem.coef_to_internal(ones if self.col_scale is None
                                                else self.col_scale)

    def coef_to_problem(self, coef):
        """Caller's coefficients ``(n_features,)`` or ``(n_tasks, n_features)`` -> problem's."""
        out = self.to_problem.coef_to_internal(coef)
        return out if self.col_scale is None else out * self.col_scale

    def unscale(self, coefs):
        """Problem coefficients (features on axis -2) -> the ``outer``-rescaled data's."""
        if self.inner is not None:
            coefs = self.inner.coef_to_user(coefs)
        if self.col_scale is not None:
            coefs = coefs / self.col_scale[:, None]
        return coefs.astype(self.dtype, copy=False)

    def intercepts(self, coefs):
        """``y_mean - x_mean^T w`` per alpha (and target) of unscaled coefficients."""
        if self.x_mean is None:
            shape = coefs.shape[:-2] + coefs.shape[-1:]
            return np.zeros(shape, dtype=self.dtype)
        coefs = np.asarray(coefs, dtype=np.float64)
        if coefs.ndim == 2:  # (n_features, n_alphas)
            b = self.y_mean - self.x_mean @ coefs
        else:  # (n_tasks, n_features, n_alphas)
            b = np.asarray(self.y_mean)[:, None] - np.einsum("j,tja->ta", self.x_mean, coefs)
        return np.asarray(self.outer.intercept_to_user(b), dtype=self.dtype)

    def callback_scale(self):
        """What the driver's callback coefficients are divided by (None: nothing).

        They arrive on :attr:`solve_scale`; standardized, they still carry the
        column scales, on the caller's scale.
        """
        return None if self.col_scale is None else self.outer.x_to_user(self.col_scale)


@dataclass(frozen=True)
class Design:
    """A problem the driver solves (:mod:`fastreg.enet.designs`) and its :class:`Transform`."""

    problem: object
    transform: Transform


def choose_mode(n_samples, n_features, *, is_sparse, multi_task, precompute,
                itemsize=8, nnz=None):
    """Pick the coordinate-descent update for a problem.

    Parameters
    ----------
    n_samples, n_features : int
    is_sparse : bool
    multi_task : bool
    precompute : 'auto', bool or ndarray
        As in :func:`fastreg.enet_path`.
    itemsize : int
        Bytes per float (a Gram matrix of float32 takes half the memory).
    nnz : int, optional
        Stored entries of sparse X.

    Returns
    -------
    {'naive', 'gram', 'gram-lazy'}
        ``'naive'``: residual updates (multi-task, ``precompute=False``, sparse X
        unless as below, or ``'auto'`` with ``n_samples <= n_features``).
        ``'gram'``: covariance updates with the full Gram matrix (given, or
        computed by one BLAS call; sparse X with ``'auto'``, more samples than
        features and at least :data:`SPARSE_GRAM_MIN_DENSITY` stored and as
        many entries per column as columns: from its moments).
        ``'gram-lazy'``: covariance updates with Gram columns computed as features
        enter (``'auto'`` with many features).
    """
    if multi_task or precompute is False:
        return "naive"
    if is_sparse:
        dense_enough = (nnz is not None and nnz >= SPARSE_GRAM_MIN_DENSITY * n_samples * n_features
                        and nnz >= n_features * n_features)
        if (isinstance(precompute, str) and n_samples > n_features and dense_enough
                and n_features < LAZY_GRAM_MIN_FEATURES
                and n_features * n_features * 8 <= _validation.GRAM_MAX_BYTES):
            return "gram"
        return "naive"
    if hasattr(precompute, "__array__"):
        return "gram"
    if precompute is True:
        _validation.check_gram_size(n_features, itemsize)
        return "gram"
    # 'auto'
    if n_samples <= n_features:
        return "naive"
    if n_features * n_features * itemsize > _validation.GRAM_MAX_BYTES:
        return "naive"
    return "gram-lazy" if n_features >= LAZY_GRAM_MIN_FEATURES else "gram"


def design_from_arrays(X, y, sample_weight, data):
    """The design of validated (X, y, sample_weight) with the :class:`DataOptions` ``data``.

    X is dense (any order) or CSC, y 1-D or 2-D (multi-task), both of X's
    float type; nothing is modified. Data far from unit scale is rescaled
    exactly (powers of two); with an intercept or standardization, dense X
    solved by the full Gram matrix is reduced to its (centered, scaled)
    moments in one blocked pass (from :data:`MOMENTS_MIN_ENTRIES` entries on;
    smaller X takes the copy), other dense X is centered / scaled in one
    copy and sparse X implicitly. Sparse X that is nearly full is solved as
    dense X (:func:`solve_as_dense`); scikit-learn's implicit centers
    (``X_offset`` / ``X_scale``) are then subtracted from the dense copy.
    """
    n_samples, n_features = X.shape
    multi_task = y.ndim == 2
    precompute, Xy, X_offset = data.precompute, data.Xy, data.X_offset
    _check_own_centers(data)
    if sparse.issparse(X) and solve_as_dense(X):
        implicit = _sparse_centers(X_offset, data.X_scale, n_features, data.check_input)
        X = X.toarray(order="F")
        if implicit is not None:
            # the dense copy is ours: scikit-learn's implicit centers become
            # explicit, so sparse X gives dense X's iterates with or without them
            X -= implicit.astype(X.dtype, copy=False)
            X_offset = None
    is_sparse = sparse.issparse(X)
    mode = choose_mode(n_samples, n_features, is_sparse=is_sparse, multi_task=multi_task,
                       precompute=precompute, itemsize=X.dtype.itemsize,
                       nnz=X.nnz if is_sparse else None)
    if is_sparse and (X_offset is not None or data.X_scale is not None):
        mode = "naive"  # (scikit-learn's implicit centers: kept as its sparse solver reads them)
    col_sums = x_max = None
    if (data.centers_or_scales and not is_sparse and sample_weight is None
            and X.flags.f_contiguous and (mode != "gram" or multi_task)):
        # the centered copy below needs the means, the rescaling the largest
        # magnitude: one pass over X for both
        col_sums = np.empty(n_features)
        x_max = cd_naive.max_abs_and_sums(X, col_sums)
    outer = _scaling.data_scale(X, y, sample_weight, x_max=x_max)
    if outer.active:
        X, y = outer.scale_X(X), outer.scale_y(y)
        col_sums = None
        if hasattr(precompute, "__array__"):
            precompute = outer.gram_to_internal(precompute)
        if Xy is not None:
            Xy = outer.xy_to_internal(Xy)
        if X_offset is not None:
            X_offset = outer.x_to_internal(X_offset)
    if mode == "gram" and not multi_task and (
            is_sparse or (data.centers_or_scales and X.size >= MOMENTS_MIN_ENTRIES)):
        # everything the full-Gram path needs are moments: centering and scaling
        # them costs O(p^2), where a centered copy of X costs a pass and n * p memory
        # (sparse X: its row blocks densified one at a time, SPARSE_GRAM_MIN_DENSITY)
        stats = GramStats.from_arrays(X, y, sample_weight=sample_weight)
        return design_from_stats(stats, center=data.fit_intercept,
                                 standardize=data.standardize, scale=n_samples, outer=outer,
                                 dtype=X.dtype)
    transform = Transform(outer=outer, dtype=X.dtype)
    centers = (_sparse_centers(X_offset, data.X_scale, n_features, data.check_input)
               if is_sparse else None)
    norms2 = xty = None
    # Non-finite X is detected from the column statistics the problem computes
    # anyway (one pass instead of two); NumPy's warnings on the way are
    # silenced so the caller gets the clear ValueError alone.
    with np.errstate(invalid="ignore", over="ignore"):
        if data.centers_or_scales:
            # residual updates on float64 X read its columns centered (no copy)
            as_read = mode == "naive" and not multi_task and X.dtype == np.float64
            X, y, transform, centers, (norms2, xty) = _center_and_scale(
                X, y, sample_weight, data, transform, col_sums, as_read)
        if is_sparse:
            problem = (MultiTaskCscProblem if multi_task else CscProblem)(
                X, y, sample_weight, centers)
        elif multi_task:
            problem = MultiTaskDenseProblem(X, y, sample_weight)
        elif mode == "naive":
            problem = DenseProblem(X, y, sample_weight, norms2=norms2, xty=xty,
                                   centers=centers)
        else:
            problem = _gram_problem(X, y, sample_weight, mode, precompute, Xy,
                                    data.check_input)
    return Design(problem, transform)


def solve_as_dense(X):
    """Whether sparse ``X`` is solved as a dense array: at least :data:`DENSE_MIN_DENSITY` stored.

    Then the dense array takes less memory than the stored values and their
    indices for any float and index type, and dense sweeps, which read
    contiguous columns without indices, are faster (diabetes stored as CSR:
    about 3x per sweep, measured with ``scripts/bench_patch.py``).
    """
    n_samples, n_features = X.shape
    return X.nnz >= DENSE_MIN_DENSITY * n_samples * n_features


def design_from_stats(stats, *, center, standardize, scale, outer=_scaling.IDENTITY,
                      dtype=np.float64):
    """The covariance-mode design of a single-target :class:`~fastreg.GramStats`.

    The data term is ``1 / (2 * scale) * sum_i s_i (y_i - x_i w - b)^2``
    (``scale``: n_samples, or the training weight sum in cross-validation).
    Standardized columns are ``x_j / s_j`` with ``s_j`` the weighted population
    standard deviation (1 for a constant column). Moments far from unit scale
    are multiplied by powers of two (:func:`fastreg._scaling.moments_scale`), so
    the solvers never under- or overflow. ``outer``: the statistics are those
    of the caller's data rescaled by it; ``dtype``: the coefficients' dtype.
    """
    gram, xty = stats.gram(center=center), stats.xty(center=center)[:, 0]
    yty = stats.yty(center=center)[0]
    col_scale = None
    if standardize:
        col_scale = np.where(stats.x_std > 0, stats.x_std, 1.0)
        gram = gram / np.outer(col_scale, col_scale)
        xty = xty / col_scale
    inner = _scaling.moments_scale(np.diag(gram), yty, stats.weight_sum)
    if inner.active:
        gram, xty = inner.gram_to_internal(gram), inner.xy_to_internal(xty)
        yty = inner.yy_to_internal(yty)
    problem = GramProblem.from_gram(gram, xty, yty, scale)
    transform = Transform(outer=outer, col_scale=col_scale, inner=inner,
                          x_mean=stats.x_mean if center else None,
                          y_mean=float(stats.y_mean[0]) if center else None,
                          dtype=np.dtype(dtype))
    return Design(problem, transform)


def _check_own_centers(data):
    if not data.centers_or_scales:
        return
    if data.X_offset is not None or data.X_scale is not None:
        raise ValueError("X_offset / X_scale cannot be combined with fit_intercept or "
                         "standardize, which compute their own centers and scales.")
    if hasattr(data.precompute, "__array__") or data.Xy is not None:
        raise ValueError("A precomputed Gram matrix or Xy cannot be combined with "
                         "fit_intercept or standardize (they describe the raw data).")


def _center_and_scale(X, y, sample_weight, data, transform, col_sums=None, as_read=False):
    """Center (``fit_intercept``) and scale (``standardize``) X and y; X is never modified.

    Dense X (residual updates, lazy Gram columns, multi-task: column access):
    one centered / scaled Fortran-ordered copy. Sparse X: never densified;
    with ``standardize`` a copy of its stored values divided by the column
    scales, and the centering is left to the problem (implicit centers).

    ``col_sums``: X's column sums (float64) when the caller has them.
    ``as_read``: unweighted, unscaled Fortran-ordered dense X is not copied; its
    centers are returned for the problem to subtract as it reads the columns
    (:class:`~fastreg.enet.designs.DenseProblem`).

    Returns
    -------
    X, y, transform, centers, (norms2, xty) : the data to solve on, the
        :class:`Transform` with its centers and scales, the implicit centers
        (sparse X, or dense X centered as read), and, for unweighted centered
        columns of a single target, their squared norms over ``n_samples`` and
        their products with y (else None), from the centering pass.
    """
    n_samples, n_features = X.shape
    weights = np.ones(n_samples) if sample_weight is None else \
        np.asarray(sample_weight, dtype=np.float64)
    total = float(weights.sum())
    if col_sums is None:
        col_sums = np.asarray(X.T @ weights, dtype=np.float64).ravel()
    mean = col_sums / total
    scale = _column_scales(X, weights, mean, total) if data.standardize else None
    y64 = np.asarray(y, dtype=np.float64)
    x_mean = y_mean = None
    if data.fit_intercept:
        y_mean = weights @ y64 / total
        y = (y64 - y_mean).astype(X.dtype)
        x_mean = mean
        y_mean = np.atleast_1d(y_mean) if y64.ndim == 2 else float(y_mean)
    centers = norms2 = xty = None
    if sparse.issparse(X):
        if scale is not None:
            column_of = np.repeat(np.arange(n_features), np.diff(X.indptr))
            X = sparse.csc_matrix(((X.data / scale[column_of]).astype(X.dtype),
                                   X.indices, X.indptr), shape=X.shape)
        if x_mean is not None:
            centers = x_mean if scale is None else x_mean / scale
    else:
        X = np.asarray(X)
        if x_mean is not None and scale is None and sample_weight is None \
                and X.flags.f_contiguous and y.ndim == 1:
            # the centered columns residual mode solves on, with their norms and
            # X^T y from the same pass (DenseProblem's, unweighted): a copy, or,
            # as_read, the centers the kernels subtract as they read X
            x_center = x_mean.astype(X.dtype)
            centered = (np.empty((0, 0), dtype=X.dtype) if as_read
                        else np.empty(X.shape, dtype=X.dtype, order="F"))
            sq, xty = np.empty(n_features), np.empty(n_features)
            cd_naive.center_columns(X, x_center, y, centered, sq, xty)
            norms2 = sq / n_samples
            if as_read:
                centers = x_center
            else:
                X = centered
        elif x_mean is not None:  # one pass writes the centered copy
            X = np.subtract(X, x_mean.astype(X.dtype), order="F", dtype=X.dtype)
        else:
            X = np.array(X, dtype=X.dtype, order="F", copy=True)
        if scale is not None:
            X /= scale.astype(X.dtype)
    transform = Transform(outer=transform.outer, col_scale=scale, x_mean=x_mean,
                          y_mean=y_mean, dtype=transform.dtype)
    return X, y, transform, centers, (norms2, xty)


def _column_scales(X, weights, mean, total):
    """Weighted population standard deviations of the columns (1 for constant ones)."""
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        # stored entries exactly, the implicit zeros as a block: no cancellation
        column_of = np.repeat(np.arange(n_features), np.diff(X.indptr))
        w_stored = weights[X.indices]
        dev = X.data.astype(np.float64) - mean[column_of]
        var = np.bincount(column_of, weights=w_stored * dev * dev, minlength=n_features)
        w_nz = np.bincount(column_of, weights=w_stored, minlength=n_features)
        var += mean**2 * np.maximum(total - w_nz, 0.0)
    else:
        var = np.zeros(n_features)
        block = max(1, (1 << 22) // max(n_features, 1))
        for start in range(0, n_samples, block):
            dev = np.asarray(X[start:start + block], dtype=np.float64) - mean
            var += weights[start:start + block] @ (dev * dev)
    scale = np.sqrt(var / total)
    scale[~(scale > 0)] = 1.0
    return scale


def _gram_problem(X, y, sample_weight, mode, precompute, Xy, check_input):
    """The covariance-mode problem of dense X (a given Gram matrix checked first)."""
    n_features = X.shape[1]
    gram = None
    if hasattr(precompute, "__array__"):
        # the Gram stands in for X, whose finiteness nothing else would check
        _validation.check_finite(X, "X")
        gram = _validation.check_gram(precompute, n_features, X.dtype,
                                      check_symmetry=check_input)
        if check_input:
            _validation.check_gram_consistent(gram, X, sample_weight)
    if Xy is not None:
        Xy = _validation.check_Xy(Xy, n_features, None, X.dtype).ravel()
    return GramProblem(X, y, sample_weight, gram=gram, Xy=Xy, lazy=mode == "gram-lazy")


def _sparse_centers(X_offset, X_scale, n_features, check_input=True):
    """scikit-learn's implicit centers of sparse X, ``X_offset / X_scale`` (None: none).

    ``check_input=False`` (scikit-learn's estimators, which computed both)
    checks the shapes and the zeros of ``X_scale`` only: non-finite centers
    still surface as non-finite column norms.
    """
    if X_offset is None:
        return None
    if check_input:
        offset = _validation.check_feature_vector(X_offset, "X_offset", n_features,
                                                  np.float64)
        scale = (None if X_scale is None else _validation.check_feature_vector(
            X_scale, "X_scale", n_features, np.float64))
    else:
        offset = np.asarray(X_offset, dtype=np.float64)
        scale = None if X_scale is None else np.asarray(X_scale, dtype=np.float64)
        if offset.shape != (n_features,) or (scale is not None
                                             and scale.shape != (n_features,)):
            raise ValueError(f"X_offset and X_scale must have shape ({n_features},), got "
                             f"{offset.shape} and {None if scale is None else scale.shape}.")
    if scale is None:
        scale = np.ones(n_features)
    if np.any(scale == 0):
        raise ValueError("X_scale contains zeros.")
    return offset / scale
