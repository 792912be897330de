"""The design adapters: one class per data layout and update mode.

Each class owns the invariants of one path (column norms, Gram cache, X^T y,
y^T y), computed once, and the mutable solver state (residual or gradient).
The driver (:mod:`fastreg.enet.driver`) sees only the :class:`Problem`
interface; :func:`fastreg.enet.prepare.design_from_arrays` /
``design_from_stats`` choose the class. Sample weights are folded in once by
scaling rows with ``sqrt(sample_weight)``, so every kernel solves the
unweighted problem on the scaled rows; the sweeps themselves are one cycle
(:func:`fastreg._kernels.cycle.active_set_solve`) over each class's layout record.
"""

import functools
from typing import Protocol

import numpy as np

from .. import _parallel, _validation
from .._kernels import cd_gram, cd_multitask, cd_naive, extrapolation, precision

# A working set holding more than this fraction of X's stored entries (or more
# than _GATHER_MAX_BYTES of them) is swept in place; a smaller one is first
# copied into contiguous columns (about the cost of one sweep), which makes its
# sweeps about a quarter faster.
_GATHER_MAX_FRACTION = 0.75
_GATHER_MAX_BYTES = 256 * 2**20

# A float64 Gram cache of more than this many bytes is swept through its float32
# rounding (GramProblem._sweep_cache): a sweep reads every cached column once, and
# past the CPU's last-level cache it runs at memory speed, so half the bytes is
# about half the time (measured on a 32 MB L3: 1.3 against 0.53 ms a sweep at
# 2000 features, 0.31 against 0.23 ms at 1300, no gain at 1100 and below).
_ROUNDED_SWEEP_MIN_BYTES = 2**23
# ... provided every diagonal entry of the Gram matrix (the largest of its column)
# is at most 2^_ROUNDED_MAX_EXPONENT and every nonzero one at least
# 2^-_ROUNDED_MAX_EXPONENT: then no entry overflows float32, and one that falls
# below float32's normal range is off by at most 2^-149, below 2^-49 of its
# column's scale (float32 rounding itself is 2^-24).
_ROUNDED_MAX_EXPONENT = 100

# The full gradient X^T r of dense X with columns of at most this many rows is
# summed by the kernel (cd_naive.centered_xtr), not by BLAS: one thread,
# Fortran-ordered X of 20 MB, the kernel against OpenBLAS's gemv took 0.49
# against 0.81 ms at 500 rows, 0.51 against 0.91 at 1000, 0.65 against 1.46 at
# 250; at 2000 rows and more BLAS was faster (1.00 against 0.86 ms).
_SHORT_COLUMNS = 1024


class Problem(Protocol):
    """What the path driver needs of a design (every class of this module is one).

    Attributes
    ----------
    n_samples : int or float
        The ``n`` of the data term ``1 / (2 n) ||y - Xw||^2`` (a weight sum in
        cross-validation from statistics).
    n_features : int
    n_tasks : int or None
        None for a single target.
    norms2 : ndarray of float64, shape (n_features,)
        ``||x_j||^2 / n`` of the (weighted, centered) columns.
    yy : float
        ``||y||^2`` of the (weighted, centered) target(s).
    residual_updates : bool, optional
        True for the single-target residual-update designs, whose extra sweeps
        past the certificate get the driver's smaller allowance per alpha
        (:func:`fastreg.enet.driver.refine_sweeps`); absent means False.
    """

    n_samples: float
    n_features: int
    n_tasks: object
    norms2: np.ndarray
    yy: float

    def start(self, w):
        """Set the solver state for coefficients ``w`` (zeros or a warm start)."""

    def prepare(self, ws, g):
        """Make the working set ``ws`` solvable (Gram columns; a no-op elsewhere)."""

    def solve(self, w, ws, l1, l2, positive, targets, seed, box=None):
        """Coordinate descent on ``ws`` until its duality gap is at most ``gap_tol``.

        ``targets = (gap_tol, max_epochs, fine_tol, refine_budget, step_tol)``: then on
        toward ``fine_tol`` for at most ``refine_budget`` more sweeps, and on
        until no coordinate step exceeds ``step_tol`` times the largest
        coefficient (:func:`fastreg._kernels.cycle.refined_solve`). Returns ``(n_sweeps,
        subproblem_gap)``; ``box`` is None or a
        :class:`fastreg.enet.penalty.BoxRecord`.
        """

    def gradient(self, w, l1=None):
        """``(G, R2, Ry)``: ``X^T R / n`` of every feature as (n_features, n_tasks),
        ``||R||^2 / n`` and ``<R, y> / n`` (``l1``: a threshold below which a
        gradient entry may be replaced by an upper bound on its magnitude)."""

    def Xy(self):
        """``X^T y`` of the (weighted, centered) problem."""

    def cross_gram(self, features):
        """``X^T X[:, features]`` of the (weighted, centered) problem, float64."""


class _ExactResidual:
    """The float64 residual of a float32 problem, recomputed for every certificate.

    The kernels' float32 running residual drifts by about float32's resolution
    per coordinate update; the gradient, ``||r||^2`` and ``<r, y>`` of the
    duality gap come from ``y - X w`` accumulated in float64 instead (one pass
    over the nonzero columns), and the running residual restarts from it.
    """

    def __init__(self, y):
        self.y = np.asarray(y, dtype=np.float64)
        self.r = np.empty_like(self.y)

    @classmethod
    def of(cls, y):
        """An instance for float32 (or narrower) data, None for float64."""
        return cls(y) if np.asarray(y).dtype.itemsize < 8 else None

    def dense_gradient(self, problem, w, l1):
        n, X, r = problem.n_samples, problem.X, self.r
        precision.dense_residual(X, self.y, w, r)
        problem.r[:] = r
        features, g = problem.bounds.needed(r, w, l1)
        if features is None:
            g = np.empty(problem.n_features)
            precision.dense_xtr(X, r, np.arange(problem.n_features, dtype=np.int64), g)
            g /= n
            problem.bounds.reset(g, r)
        else:
            sub = np.empty(problem.n_features)
            precision.dense_xtr(X, r, features, sub)
            g[features] = sub[features] / n
        return g[:, None], float(r @ r) / n, float(r @ self.y) / n

    def csc_residual(self, problem, w):
        precision.csc_residual(problem.data, problem.indices, problem.indptr, self.y, w,
                               self.r)
        problem.r[:] = self.r
        if problem.uu > 0:
            problem.shift[0] = float(problem.centers @ np.asarray(w, dtype=np.float64))
        return self.r


def _exact_task_residual(problem, W):
    """float64 ``Y - X W`` of a float32 multi-task problem (see ``_ExactResidual``).

    The running residual restarts from it; a CSC problem's centering shift too.
    """
    Y = np.asarray(problem.Y, dtype=np.float64)
    R = np.empty(Y.shape)
    if hasattr(problem, "columns"):  # MultiTaskCscProblem
        c = problem.columns
        precision.csc_residual_tasks(c.data, c.indices, c.indptr, Y, W, R)
        if problem.uu > 0:
            problem.shift[:] = problem.centers @ np.asarray(W, dtype=np.float64)
    else:
        precision.dense_residual_tasks(problem.X, Y, W, R)
    problem.R[:] = R
    return R


def _float64_ratio(values, scale):
    """``values / scale`` in float64 (a float64 array divides as is: no ufunc keywords,
    a few microseconds less on a cold cache)."""
    if values.dtype == np.float64:
        return values / scale
    return np.divide(values, scale, dtype=np.float64)


def _cross_gram64(X, features):
    """``X^T X[:, features]`` (all columns for None) summed in float64, in X's dtype.

    For float32 X: a float32 product sums n rounded terms, a float64 one
    rounds once, which keeps the covariance-mode certificate that of the data
    (see ``_ExactResidual``). Row blocks of about 32 MB bound the memory.
    """
    n, p = X.shape
    cols = slice(None) if features is None else features
    out = np.zeros((p, p if features is None else len(features)))
    block = max(1, (1 << 22) // max(p, 1))
    for start in range(0, n, block):
        Xb = np.asarray(X[start:start + block], dtype=np.float64)
        out += Xb.T @ Xb[:, cols]
    return out.astype(X.dtype)


class GradientBounds:
    """Skip gradient entries that provably cannot matter at a threshold.

    Between two residuals, ``|x_j^T r| / n <= |x_j^T r_ref| / n + ||x_j|| ||r - r_ref|| / n``.
    At a new residual, a feature at zero whose bound is at most ``l1`` can
    neither violate the KKT conditions nor push the dual norm above ``l1``, so
    its exact gradient is not needed: the bound stands in for it, which keeps
    the rescaled dual point feasible and gap-safe screening safe. Only the
    other features' gradients are computed; once they are too many, a full
    exact gradient refreshes the reference.
    """

    # above this fraction of features, one BLAS pass over X beats the gather
    MAX_FRACTION = cd_naive.BOUNDED_MAX_FRACTION
    # below this many entries of X, a whole gradient costs less than the bookkeeping
    MIN_ENTRIES = 1 << 16

    def __init__(self, norms2, n_samples):
        self.norms2, self.n_samples = norms2, n_samples
        self.active = n_samples * norms2.shape[0] > self.MIN_ENTRIES
        # (g_ref, r_ref, col_norms, state): made when first needed, as many small
        # fits never need them; state[0] = 1 once g_ref and r_ref hold a reference.
        # Shared with the compiled path's cd_naive.bounded_gradient, which updates
        # them in place
        self._arrays = None

    def arrays(self):
        """``(g_ref, r_ref, col_norms, state)``, made on first use."""
        if self._arrays is None:
            n = self.n_samples
            # 1e-9: rounding head room, so the bound stays an upper bound
            col_norms = np.sqrt(self.norms2 * n) * (1.0 + 1e-9) / n
            self._arrays = (np.zeros(self.norms2.shape[0]), np.zeros(n), col_norms,
                            np.zeros(1))
        return self._arrays

    def reset(self, g, r):
        """Make ``(g, r)`` the reference (``g`` the exact gradient at ``r``)."""
        if self.active:
            cd_naive.set_bound_reference(np.ravel(g), r, self.arrays())

    def needed(self, r, w, l1):
        """Features whose gradient must be exact, and the bounds of the rest.

        Returns ``(features, bounds)``, or ``(None, None)`` when a full exact
        gradient is cheaper (or no reference or threshold is available). The
        rule is :func:`fastreg._kernels.cd_naive.drift_bounds`, the compiled
        path's own.
        """
        if self._arrays is None or l1 is None:
            return None, None
        # l1 is a scalar, or one threshold per feature (FeatureBox.gradient_threshold)
        per_feature = isinstance(l1, np.ndarray)
        if not per_feature and not l1 > 0:
            return None, None
        p = self.norms2.shape[0]
        bounds, features = np.empty(p), np.empty(p, dtype=np.int64)
        count = cd_naive.drift_bounds(r, w, *_thresholds(l1), self._arrays, bounds, features)
        if count < 0 or count > self.MAX_FRACTION * p:
            return None, None
        return features[:count], bounds


def _thresholds(l1):
    """``(l1, thresholds)`` of :func:`fastreg._kernels.cd_naive.needed_features`: a scalar
    ``l1``, or one threshold per feature (``FeatureBox.gradient_threshold``)."""
    if isinstance(l1, np.ndarray):
        return 0.0, np.asarray(l1, dtype=np.float64)
    return float(l1), None


class RoundedBounds:
    """Bounds of every ``|x_j^T r| / n`` from a float32 rounding of X's columns.

    A pass over the rounding reads half the bytes of a pass over X (and a
    rounding of 10 MB stays in a 32 MB L3 cache next to the working set's
    columns, where X of 20 MB does not). ``DenseProblem``'s sweeps read the
    same rounding (:meth:`columns`). Its products, summed in float64, err
    by at most ``(u + gamma_n) ||x_j|| ||r||`` plus the subnormal floor
    (``u = 2^-24``, float32's unit roundoff; ``gamma_n = n 2^-53 / (1 - n
    2^-53)``, any summation order), so ``|approx_j| + error_j`` bounds the exact
    magnitude. Features whose bound is at most ``l1`` can neither violate the
    KKT conditions nor raise the dual norm (as :class:`GradientBounds`); only
    the rest get an exact product. Built on the first gradient that needs it,
    for float64 X from :data:`MIN_BYTES` to :data:`MAX_BYTES` (the rounding
    takes half X's memory).
    """

    MIN_BYTES = 1 << 22
    MAX_BYTES = 1 << 30
    # above this fraction of features, the exact products on top of the rounded
    # pass (half a full pass) cost more than one exact pass
    MAX_FRACTION = 0.4

    def __init__(self, X):
        self.active = X.dtype == np.float64 and self.MIN_BYTES <= X.nbytes <= self.MAX_BYTES
        self.X32 = None
        self.scaled_norms = None

    def _build(self, problem):
        X32 = np.empty(problem.X.shape, dtype=np.float32, order="F")
        cd_naive.round_centered(problem.X, problem.centers, X32)
        if not np.isfinite(X32).all():  # (beyond float32's range: exact passes only)
            self.active = False
            return
        n = problem.n_samples
        unit = 2.0**-24
        gamma = n * 2.0**-53 / (1.0 - n * 2.0**-53)
        # (1 + 1e-6): head room for the rounding of the bound itself
        self.scaled_norms = ((unit + gamma * (1.0 + unit)) * np.sqrt(problem.norms2 * n)
                             + 2.0**-150 * np.sqrt(n)) * (1.0 + 1e-6) / n
        self.X32 = X32

    def columns(self, problem):
        """The rounding (float32, Fortran order), built on first use; None when off."""
        if self.active and self.X32 is None:
            self._build(problem)
        return self.X32 if self.active else None

    def needed(self, problem, r, w, l1):
        """As :meth:`GradientBounds.needed`, from a pass over the rounding."""
        if not self.active or l1 is None:
            return None, None
        if not isinstance(l1, np.ndarray) and not l1 > 0:
            return None, None
        if self.columns(problem) is None:
            return None, None
        approx = np.empty(problem.n_features)
        cd_naive.rounded_xtr(self.X32, r, approx)
        bounds = np.abs(approx) / problem.n_samples * (1.0 + 1e-12) \
            + self.scaled_norms * float(np.linalg.norm(r))
        features = np.empty(bounds.shape[0], dtype=np.int64)
        count = cd_naive.needed_features(bounds, w, *_thresholds(l1), features)
        if count > self.MAX_FRACTION * bounds.size:
            return None, None
        return features[:count], bounds


def unsigned_csc(X):
    """``(indices, indptr)`` of a CSC ``X`` as the kernels take them: unsigned.

    The row indices are a view of X's int32 ones (the validated form; other
    ones are copied), the column pointers a uint64 copy. Numba tests every
    signed index for a negative value, on the gather ``r[indices[q]]`` and on
    ``data[q]`` with ``q`` running between signed pointers; unsigned ones need
    no test. Measured on the 20000 x 50000 sparse path: 2.48 s in place of
    3.54 s (the gradient pass alone, X in cache: 0.83 ms in place of 1.37 ms).
    """
    indices = X.indices
    indices = (indices.view(np.uint32) if indices.dtype == np.int32
               else indices.astype(np.uint64))
    return indices, X.indptr.astype(np.uint64)


def _sqrt_weights(sample_weight, n_samples, dtype):
    if sample_weight is None:
        return None
    return np.sqrt(sample_weight).astype(dtype, copy=False)


# Skip-test head room of sweeps over the float32 rounding (cd_naive._dense_sweep),
# relative to ||x_j|| ||r|| / n: the reference products are X's, the sweeps' are
# the rounding's, within 2^-24 ||x_j|| ||r_ref|| of them (RoundedBounds); 2^-22
# leaves room for ||r_ref|| up to twice ||r|| and for the float64 sums.
ROUNDED_SKIP_SLACK = 2.0**-22


class DenseProblem:
    """Residual updates on a dense, Fortran-ordered X (single target).

    ``norms2``: ``||x_j||^2 / n`` of X, and ``xty``: ``X^T y`` (float64), when
    the caller already has them (unweighted X: the centered columns',
    computed in the centering pass); ``xty`` then stands for the pass over X
    that the gradient at zero and ``alpha_max`` would make. ``centers`` (with
    ``norms2`` and ``xty`` of the centered columns, unweighted float64 X): the
    problem's columns are ``X[:, j] - centers[j]``, formed as the kernels read
    them (the values of NumPy's centered copy, without an n x p copy).

    Mixed precision, where :class:`RoundedBounds` keeps the float32 rounding
    of the centered columns (float64 X of 4 MB to 1 GB): the sweeps read the
    rounding (half the bytes, and no centering to subtract) and solve the
    problem whose data is ``(X32, y32)``, ``y32 = r + X32 w`` at the solve's
    start, so that the residual ``r`` they update is that problem's own
    residual. Each solve ends on the exact float64 residual, from which the
    certificate is computed and the next solve starts (iterative refinement:
    the two problems' solutions differ by about ``2^-24`` of the gradient's
    scale). A solve the driver asks to go further at the same alpha, which is
    what that difference causes below a tolerance of about 1e-7, sweeps X
    itself (:meth:`_rounded_columns`). Measured on the 500 x 5000 benchmark
    path: 0.88x the time at the same accuracy.
    """

    # Anderson extrapolation of the sweeps (cd_naive._anderson); False: plain sweeps
    extrapolate = True
    residual_updates = True  # (the driver's allowance of extra sweeps: refine_sweeps)
    # sweeps through RoundedBounds' float32 rounding of the columns where it is
    # built (float64 X of 4 MB to 1 GB, class doc); False: sweeps over X itself
    rounded_sweeps = True

    def __init__(self, X, y, sample_weight=None, norms2=None, xty=None, centers=None):
        root_w = _sqrt_weights(sample_weight, X.shape[0], X.dtype)
        if root_w is not None:
            X = np.asfortranarray(X * root_w[:, None])
            y = y * root_w
            norms2 = xty = centers = None
        else:
            X = np.asfortranarray(X)
        self.X, self.y = X, np.ascontiguousarray(y)
        self.n_samples, self.n_features = X.shape
        self.implicit = centers is not None
        if self.implicit and X.dtype != np.float64:
            raise ValueError("Centering as read needs float64 X (float32 takes a copy).")
        self.centers = (np.zeros(self.n_features, dtype=X.dtype) if centers is None
                        else np.asarray(centers, dtype=X.dtype))
        self.n_tasks = None
        self.norms2 = np.einsum("ij,ij->j", X, X, dtype=np.float64) / self.n_samples \
            if norms2 is None else norms2
        _validation.check_finite_column_stats(self.norms2)
        self.yy = float(self.y @ self.y)
        self.r = None
        self.g = np.zeros(self.n_features)
        self.r_ref = np.empty(self.n_samples, dtype=X.dtype)
        self.ref = np.array([0.0, cd_naive.SKIP_SLACK[X.dtype], 0.0])
        extrapolates = (self.extrapolate
                        and self.n_features >= extrapolation.EXTRAPOLATION_MIN_FEATURES)
        self.history = np.zeros(cd_naive.history_size(self.n_samples, self.n_features)
                                if extrapolates else 0)
        self.solved_all = False  # whether the last solve's working set was every feature
        self.bounds = GradientBounds(self.norms2, self.n_samples)
        self.rounded = RoundedBounds(X) if self.bounds.active else None
        self._no_centers = None  # (the rounded columns are centered already)
        self._last_solve = None  # (l1, inner tolerance) of the last solve
        self._y32 = None  # the rounded problem's data at r (cd_naive.rounded_residuals)
        self.exact = _ExactResidual.of(self.y)
        self.xty = xty
        self.r_is_y = False  # whether r = y (w = 0), whose gradient is xty / n
        # small float64 data: the gradient is always computed whole, by
        # cd_naive.dense_gradient, and whole alphas run compiled (solve_steps)
        self.whole_gradient = (self.exact is None and not self.bounds.active
                               and X.dtype == np.float64)
        # float64 data whose gradient's bounds come from X itself (no float32
        # rounding): whole alphas run compiled too, the bounds computed there
        # (cd_naive.bounded_gradient)
        self.bounded_steps = (self.exact is None and self.bounds.active
                              and X.dtype == np.float64 and not self.rounded.active)

    def Xy(self):
        return self.X.T @ self.y if self.xty is None else self.xty

    def start(self, w):
        # a new residual: the last solve's products are no longer its gradient
        self.ref[2] = 0.0
        self._y32 = None
        self.r_is_y = not np.count_nonzero(w)
        if self.r_is_y:
            self.r = self.y.copy()
        elif self.implicit:
            self.r = np.empty_like(self.y)
            cd_naive.centered_residual(self.X, self.centers, self.y, w, self.r)
        else:
            self.r = self.y - self.X @ w

    def prepare(self, ws, g):
        # the gradient at the current residual (exact, or upper bounds of its
        # magnitude: GradientBounds) lets the kernel skip zero coefficients
        # that cannot move from the first sweep on (cd_naive._dense_sweep)
        self.g[ws] = g[ws, 0]
        self.r_ref[:] = self.r
        self.ref[0] = 1.0

    def solve(self, w, ws, l1, l2, positive, targets, seed, box=None):
        self.r_is_y = False
        self.ref[2] = 0.0
        self.solved_all = ws.shape[0] == self.n_features
        X, centers, y = self.X, self.centers, self.y
        rounded = self._rounded_columns(l1, targets[0], box)
        if rounded is not None:
            if self._y32 is None:
                self._y32 = np.empty(self.n_samples)
                cd_naive.rounded_residuals(self.X, self.centers, rounded, self.y, w, self.r,
                                           self._y32)
            X, centers, y = rounded, self._no_centers, self._y32
            self.ref[1] = ROUNDED_SKIP_SLACK
        else:
            self._y32 = None  # (sweeps over X move r: the next rounded solve forms it anew)
        try:
            return cd_naive.dense_solve((X, centers, y, self.r, self.g, self.norms2,
                                         self.r_ref, self.ref, self.history), w, ws, l1, l2,
                                        positive, targets, seed, box)
        finally:
            self.ref[0] = 0.0  # the next working set needs its own reference
            if rounded is not None:
                # the certificate reads r: the exact residual of the coefficients
                # (iterative refinement: the next solve starts from it), and
                # the data of the rounded problem at it
                self.ref[1] = cd_naive.SKIP_SLACK[self.X.dtype]
                self.ref[2] = 0.0
                cd_naive.rounded_residuals(self.X, self.centers, rounded, self.y, w, self.r,
                                           self._y32)

    def _rounded_columns(self, l1, inner_tol, box):
        """The float32 columns the sweeps read (class doc), or None: X itself.

        The default problem only (scalar ``l1``, no box). Not for a solve
        whose inner tolerance was lowered at the same ``l1``: the last solve
        met its own gap, yet the certificate failed with no new violator,
        which is what the rounding's gradient error (about ``2^-24`` of the
        dual norm) does below a tolerance of about 1e-7; X's own sweeps
        finish from there (a few, from a point that close).
        """
        last, self._last_solve = self._last_solve, (l1, inner_tol)
        if (not self.rounded_sweeps or self.rounded is None or box is not None
                or isinstance(l1, np.ndarray)
                or (last is not None and last[0] == l1 and inner_tol < last[1])):
            return None
        columns = self.rounded.columns(self)
        if columns is not None and self._no_centers is None:
            self._no_centers = np.zeros(self.n_features, dtype=np.float32)
        return columns

    @property
    def solves_steps(self):
        """Whether :meth:`solve_steps` applies: float64 data small enough that the
        gradient is computed whole or bounded from X itself (no float32 rounding)."""
        return self.whole_gradient or self.bounded_steps

    def solve_steps(self, w, grad, steps, controls, masks, carried, out):
        """Whole alphas in one compiled call (:func:`fastreg._kernels.cd_naive.dense_path`).

        Only with :attr:`solves_steps` and the default problem (no penalty
        record); the arguments are those of
        :func:`fastreg._kernels.cycle.path_steps`.
        """
        self.r_is_y = self.solved_all = False
        cd_naive.dense_path((self.X, self.centers, self.y, self.r, self.g, self.norms2,
                             self.r_ref, self.ref, self.history),
                            None if self.whole_gradient else self.bounds.arrays(), w, grad,
                            steps, controls, masks, carried, out)

    def cross_gram(self, features):
        """``X^T X[:, features]`` of the (weighted, centered) problem, float64 (n_features, k)."""
        if not self.implicit:
            return np.ascontiguousarray(self.X.T @ self.X[:, features], dtype=np.float64)
        # centered row blocks, as the centered copy's product would be (no cancellation)
        out = np.zeros((self.n_features, len(features)))
        block = max(1, (1 << 22) // max(self.n_features, 1))
        for start in range(0, self.n_samples, block):
            Xb = self.X[start:start + block] - self.centers
            out += Xb.T @ Xb[:, features]
        return out

    def gradient(self, w, l1=None):
        n = self.n_samples
        if self.r_is_y and self.xty is not None and self.exact is None:
            g = self.xty / n
            self.bounds.reset(g, self.r)
            return g[:, None], self.yy / n, self.yy / n
        if self.whole_gradient:  # (one kernel, the compiled path's: the same bits)
            g = np.empty(self.n_features)
            r2, ry = cd_naive.dense_gradient(self.X, self.centers, self.y, self.r, self.g, g,
                                             self.solved_all and self.ref[2] > 0)
            return g[:, None], r2, ry
        if self.bounded_steps and not isinstance(l1, np.ndarray):
            # the default problem (a scalar l1, or None: every product): the
            # compiled path's kernel, so that both routes agree to the bit
            g = np.empty(self.n_features)
            r2, ry = cd_naive.bounded_gradient(self.X, self.centers, self.y, self.r, w,
                                               0.0 if l1 is None else l1, self.bounds.arrays(),
                                               self.g, self.solved_all and self.ref[2] > 0, g)
            return g[:, None], r2, ry
        if self.solved_all and self.ref[2] > 0 and self.exact is None:
            # the solve ended on a gap check of every feature at this residual:
            # its products (or, for zeros, bounds at most l1) are the gradient
            g, r = self.g.copy(), self.r
            self.bounds.reset(g, r)
            return g[:, None], float(r @ r) / n, float(r @ self.y) / n
        if self.exact is not None:
            return self.exact.dense_gradient(self, w, l1)
        r = self.r
        features, g = self.bounds.needed(r, w, l1)
        fresh = False
        if features is None and self.rounded is not None:
            features, g = self.rounded.needed(self, r, w, l1)
            fresh = features is not None
        if features is None:
            if self.implicit or n <= _SHORT_COLUMNS:
                g = np.empty(self.n_features)
                cd_naive.centered_xtr(self.X, self.centers, r,
                                      np.arange(self.n_features, dtype=np.int64), g)
                g /= n
            else:
                g = (self.X.T @ r).astype(np.float64, copy=False) / n
            self.bounds.reset(g, r)
        else:  # (in place: X[:, features] would be a copy)
            sub = np.empty(features.shape[0])
            cd_naive.centered_xtr(self.X, self.centers, r, features, sub)
            g[features] = sub / n
            if fresh:  # (bounds at this residual: the reference of the next drift bounds)
                self.bounds.reset(g, r)
        return g[:, None], float(r @ r) / n, float(r @ self.y) / n


class CscProblem:
    """Residual updates on a CSC X, centered implicitly by ``centers`` (single target)."""

    # Anderson extrapolation of the sweeps (cd_naive.anderson_residual, as DenseProblem's);
    # False: plain sweeps
    extrapolate = True
    residual_updates = True  # (the driver's allowance of extra sweeps: refine_sweeps)

    def __init__(self, X, y, sample_weight=None, centers=None):
        n_samples, n_features = X.shape
        root_w = _sqrt_weights(sample_weight, n_samples, X.dtype)
        data = X.data if root_w is None else X.data * root_w[X.indices]
        self.data = data
        self.indices, self.indptr = unsigned_csc(X)
        self.Xw = X if root_w is None else X.__class__(
            (data, X.indices, X.indptr), shape=X.shape)
        u = np.ones(n_samples) if root_w is None else root_w.astype(np.float64)
        self.u = u
        self.y = np.ascontiguousarray(y if root_w is None else y * root_w)
        self.n_samples, self.n_features, self.n_tasks = n_samples, n_features, None
        self.centers = (np.zeros(n_features) if centers is None
                        else np.asarray(centers, dtype=np.float64))
        centered = bool(np.any(self.centers != 0))
        self.col_u, sq = np.empty(n_features), np.empty(n_features)
        cd_naive.csc_column_stats(data, self.indices, self.indptr, u, self.col_u, sq)
        # (not BLAS: cd_naive.residual_products) y^T y, u^T y, and u^T u, whose
        # zero switches the centering terms off in the kernels
        self.yy, _, self.u_dot_y = cd_naive.residual_products(self.y, self.y, u)
        self.uu = cd_naive.residual_products(u, u, u)[0] if centered else 0.0
        if centered:
            sq = sq - 2 * self.centers * self.col_u + self.centers**2 * self.uu
        self.norms2 = np.maximum(sq, 0.0) / n_samples
        _validation.check_finite_column_stats(self.norms2)
        self.shift = np.zeros(2)
        self.r = None
        self.g = np.zeros(n_features)
        extrapolates = (self.extrapolate
                        and n_features >= extrapolation.EXTRAPOLATION_MIN_FEATURES)
        self.history = np.zeros(cd_naive.history_size(n_samples, n_features)
                                if extrapolates else 0)
        self.exact = _ExactResidual.of(self.y)
        self._ws_data = self._ws_indices = self._ws_starts = self._ws_stops = None

    def Xy(self):
        Xy = np.asarray(self.Xw.T @ self.y, dtype=np.float64).ravel()
        if self.uu > 0:
            Xy -= self.centers * float(self.u @ self.y)
        return Xy

    def start(self, w):
        if np.count_nonzero(w):
            # X w as SciPy sums it (column by column), without its dispatch
            Xw = np.zeros(self.n_samples, dtype=np.result_type(self.data, w))
            cd_naive.csc_matvec(self.data, self.indices, self.indptr, w, Xw)
            self.r = self.y - Xw
        else:
            self.r = self.y.copy()
        b = float(self.centers @ w) if self.uu > 0 else 0.0
        self.shift[:] = (b, cd_naive.residual_products(self.r, self.y, self.u)[2]
                         if self.uu > 0 else 0.0)

    def prepare(self, ws, g):
        pass

    def working_set_columns(self, ws):
        """``(data, indices, starts, stops)`` for sweeps over ``ws``: its columns
        side by side, unless it covers most of X (then X itself)."""
        counts = self.indptr[ws + 1] - self.indptr[ws]
        size = int(counts.sum())
        entry_bytes = self.data.itemsize + self.indices.itemsize
        max_entries = min(_GATHER_MAX_FRACTION * self.data.shape[0],
                          _GATHER_MAX_BYTES // entry_bytes)
        if size > max_entries:
            return self.data, self.indices, self.indptr[:-1], self.indptr[1:]
        # room to grow: working sets mostly grow along a path
        buffers = self._gather_buffers(size, int(min(2 * size, max_entries)))
        cd_naive.gather_columns(self.data, self.indices, self.indptr, ws, *buffers)
        return buffers

    def _gather_buffers(self, size, capacity):
        """``(data, indices, starts, stops)`` for gathered columns of ``size``
        entries: the last ones, or new ones of ``capacity`` entries."""
        if self._ws_starts is None:
            self._ws_starts = np.zeros(self.n_features, dtype=self.indptr.dtype)
            self._ws_stops = np.zeros(self.n_features, dtype=self.indptr.dtype)
        if self._ws_data is None or self._ws_data.shape[0] < size:
            self._ws_data = np.empty(capacity, dtype=self.data.dtype)
            self._ws_indices = np.empty(capacity, dtype=self.indices.dtype)
        return self._ws_data, self._ws_indices, self._ws_starts, self._ws_stops

    def _layout(self, columns):
        """The fields of ``CscLayout`` but ``max_cycle``, the columns ``(data,
        indices, starts, stops)`` given."""
        return columns + (self.y, self.u, self.r, self.g, self.norms2, self.centers, self.col_u,
                          self.shift, self.uu, self.u_dot_y, self.history)

    def solve(self, w, ws, l1, l2, positive, targets, seed, box=None):
        return cd_naive.csc_solve(self._layout(self.working_set_columns(ws)), w, ws, l1, l2,
                                  positive, targets, seed, box)

    @property
    def solves_steps(self):
        """Whether :meth:`solve_steps` applies: float64 X whose gradient pass is
        serial (fewer than ``_parallel.PARALLEL_MIN_NNZ`` stored entries), where
        the driver's Python between the kernels of an alpha is a visible part of
        a path (measured: 6% of the 2000 x 5000 path of ``bench_curves``)."""
        return (self.exact is None and self.data.dtype == np.float64
                and self.data.shape[0] < _parallel.PARALLEL_MIN_NNZ)

    def solve_steps(self, w, grad, steps, controls, masks, carried, out):
        """Whole alphas in one compiled call (:func:`fastreg._kernels.cd_naive.csc_path`).

        Only with :attr:`solves_steps` and the default problem (no penalty
        record); the arguments are those of
        :func:`fastreg._kernels.cycle.path_steps`. The working sets' columns
        are gathered into buffers that hold all of X (below
        ``PARALLEL_MIN_NNZ`` entries: at most 3.2 MB).
        """
        size = self.data.shape[0]
        layout = self._layout(self._gather_buffers(size, size))
        cd_naive.csc_path(layout, (self.data, self.indices, self.indptr), w, grad, steps,
                          controls, masks, carried, out)

    def cross_gram(self, features):
        """``Xc^T Xc[:, features]`` of the (weighted, implicitly centered) columns."""
        Xw = self.Xw.astype(np.float64)
        out = np.asarray((Xw.T @ Xw[:, features]).toarray(), dtype=np.float64)
        if self.uu > 0:
            c, cu = self.centers, self.col_u
            out -= (np.outer(cu, c[features]) + np.outer(c, cu[features])
                    - self.uu * np.outer(c, c[features]))
        return np.ascontiguousarray(out)

    @property
    def threaded(self):
        """Whether the gradient passes run on more than one thread (see ``_parallel``)."""
        return _parallel.gradient_threads(self.data.shape[0]) > 1

    def gradient(self, w, l1=None):
        r = self.r
        if self.exact is not None:
            r = self.exact.csc_residual(self, w)
        # the one pass over all of X per KKT check: threaded, bit-identical
        g = _parallel.csc_gradient(self.data, self.indices, self.indptr, r)
        R2, Ry = cd_naive.finish_csc_gradient(g, r, self.y, self.u, self.shift, self.col_u,
                                              self.centers, self.uu, self.u_dot_y)
        return g[:, None], R2, Ry


class GramProblem:
    """Covariance updates from X^T X (single target).

    ``gram`` given: use it. ``lazy=False``: one BLAS call for the full X^T X.
    ``lazy=True``: Gram columns are computed only for features that enter a
    working set, in batches that at least double the cache (so X is read
    O(log p) times), padded with the features of largest gradient.

    Mixed precision: a float64 cache larger than ``_ROUNDED_SWEEP_MIN_BYTES``
    is swept through its float32 rounding (half the memory traffic), while the
    gradient after each solve, and so every duality gap the driver certifies,
    is computed from the float64 columns (the copy takes half the cache's memory
    again; not made where that would pass the Gram memory budget). Sweeps on the
    rounded matrix are coordinate descent on a quadratic within ``2^-24 |G|`` of
    the true one: the solve's own gap sees the difference only as a drift of about
    ``2^-24 ||G|| ||w - w_0|| / n`` (far below any certifiable tolerance in
    float64 at the usual ``tol``); when the certificate still misses, the
    driver's next round starts from the exact gradient at the new point, which
    is iterative refinement: the drift shrinks with the step.
    """


    def __init__(self, X, y, sample_weight=None, gram=None, Xy=None, lazy=False):
        root_w = _sqrt_weights(sample_weight, X.shape[0], X.dtype)
        if root_w is not None:
            X = X * root_w[:, None]
            y = y * root_w
        self.X, self.y = X, y
        self.n_samples, self.n_features = X.shape
        self.n_samples_float = float(self.n_samples)
        self.n_tasks = None
        p = self.n_features
        if X.dtype.itemsize < 8 and Xy is None:
            # float32: X^T y and y^T y summed in float64 (they set the certificate's
            # scale; a float32 sum over many rows would not be exact to float32)
            y64 = np.asarray(y, dtype=np.float64)
            self.yy = float(y64 @ y64)
            self.Xy_ = np.empty(X.shape[1])
            precision.dense_xtr(X, y64, np.arange(X.shape[1], dtype=np.int64), self.Xy_)
        else:
            # ndarray.dot, not @: the same BLAS calls, without the matmul ufunc's
            # dispatch (13 us of a small path's call on a cold cache, measured)
            self.yy = float(y.dot(y))
            self.Xy_ = X.T.dot(y) if Xy is None else Xy.astype(np.float64)
        if gram is None and not lazy:
            gram = X.T.dot(X) if X.dtype.itemsize == 8 else _cross_gram64(X, None)
        if gram is not None:
            # symmetric: its transpose is the Fortran-ordered column cache
            self.cache = np.asarray(gram).T
            if not self.cache.flags.f_contiguous:
                self.cache = np.asfortranarray(self.cache)
            self.slot = np.arange(p, dtype=np.int64)
            self.norms2 = _float64_ratio(self.cache.diagonal(), self.n_samples)
        else:
            self.cache = np.empty((p, 0), dtype=X.dtype, order="F")
            self.slot = np.full(p, -1, dtype=np.int64)
            self.norms2 = np.einsum("ij,ij->j", X, X, dtype=np.float64) / self.n_samples
        _validation.check_finite_column_stats(self.norms2)
        self.n_cached = p if gram is not None else 0
        self.g = np.empty(p, dtype=np.float64)
        self._start_solver_state()

    @classmethod
    def from_gram(cls, gram, Xy, yy, n_samples, dtype=np.float64):
        """A problem given by its statistics alone: ``X^T X``, ``X^T y``, ``y^T y``.

        Every quantity the kernels and the duality gap need is one of these, so
        no X is kept (``gradient`` and ``solve`` never touch it).
        """
        self = cls.__new__(cls)
        self.X = self.y = None
        self.n_samples = float(n_samples)  # a weight sum in weighted cross-validation
        self.n_samples_float = self.n_samples
        self.n_features = p = gram.shape[0]
        self.n_tasks = None
        self.yy = float(yy)
        self.Xy_ = np.asarray(Xy, dtype=np.float64).ravel()
        self.cache = np.asfortranarray(np.asarray(gram, dtype=dtype).T)
        self.slot = np.arange(p, dtype=np.int64)
        self.norms2 = _float64_ratio(self.cache.diagonal(), self.n_samples)
        _validation.check_finite_column_stats(self.norms2)
        self.n_cached = p
        self.g = np.empty(p, dtype=np.float64)
        self._start_solver_state()
        return self

    def _start_solver_state(self):
        """The solves' scratch beyond the gradient: rounded cache and extrapolation."""
        self.rounded, self.n_rounded = None, 0
        # the extrapolation's scratch (cd_gram.GramLayout); None: the solves compile
        # without it (fewer features than a working set needs to extrapolate)
        self.history = None
        self.extrapolate = True

    def Xy(self):
        return self.Xy_

    def _add_columns(self, features):
        need = self.n_cached + features.size
        if need > self.cache.shape[1]:
            capacity = min(self.n_features, max(need, 2 * self.cache.shape[1]))
            grown = np.empty((self.n_features, capacity), dtype=self.cache.dtype, order="F")
            grown[:, :self.n_cached] = self.cache[:, :self.n_cached]
            self.cache = grown
        slots = np.arange(self.n_cached, need)
        self.cache[:, slots] = (self.X.T @ self.X[:, features] if self.X.dtype.itemsize == 8
                                else _cross_gram64(self.X, features))
        self.slot[features] = slots
        self.n_cached = need

    def prepare(self, ws, g):
        if self.n_cached == self.n_features:  # the full Gram matrix: nothing to add
            return
        missing = ws[self.slot[ws] < 0]
        if missing.size == 0:
            return
        batch = max(missing.size, self.n_cached)
        if batch > missing.size:
            score = np.abs(g).ravel().copy()
            score[self.slot >= 0] = -1.0
            score[missing] = np.inf
            order = np.argsort(-score, kind="stable")[:batch]
            missing = order[score[order] >= 0]
        self._add_columns(np.sort(missing))

    def start(self, w):
        if self.n_cached == self.n_features:  # the full Gram matrix: nothing to add
            return
        nonzero = np.flatnonzero(w)
        if nonzero.size:
            self.prepare(nonzero, np.zeros(self.n_features))

    def _sweep_cache(self):
        """The columns the sweeps read: the cache, or its float32 rounding (class doc)."""
        cache = self.cache
        in_use = cache[:, :self.n_cached].nbytes
        if (cache.dtype != np.float64 or in_use <= _ROUNDED_SWEEP_MIN_BYTES
                or cache.nbytes * 3 // 2 > _validation.GRAM_MAX_BYTES  # (the copy: half more)
                or not self.in_float32_range):
            return cache
        if self.rounded is None or self.rounded.shape != cache.shape:  # (the cache grew)
            self.rounded = np.empty(cache.shape, dtype=np.float32, order="F")
            self.n_rounded = 0
        if self.n_rounded < self.n_cached:
            self.rounded[:, self.n_rounded:self.n_cached] = cache[:, self.n_rounded:self.n_cached]
            self.n_rounded = self.n_cached
        return self.rounded

    @functools.cached_property
    def in_float32_range(self):
        """Whether the Gram matrix can be rounded to float32 (``_ROUNDED_MAX_EXPONENT``)."""
        diagonal = self.norms2[self.norms2 > 0.0] * self.n_samples
        limit = 2.0**_ROUNDED_MAX_EXPONENT
        return diagonal.size == 0 or (diagonal.max() <= limit and diagonal.min() >= 1.0 / limit)

    def _layout(self):
        """The data of :func:`fastreg._kernels.cd_gram.gram_solve`."""
        if self.history is None and self.extrapolate and (
                self.n_features >= extrapolation.EXTRAPOLATION_MIN_FEATURES):
            self.history = np.empty(cd_gram.history_size(self.n_features))
        return (self._sweep_cache(), self.slot, self.Xy_, self.yy, self.g,
                self.norms2, self.n_samples_float, self.history)

    def solve(self, w, ws, l1, l2, positive, targets, seed, box=None):
        return cd_gram.gram_solve(self._layout(), w, ws, l1, l2, positive, targets, seed,
                                  box)

    @property
    def solves_steps(self):
        """Whether :meth:`solve_steps` applies: the whole Gram matrix is cached."""
        return self.n_cached == self.n_features

    def solve_steps(self, w, grad, steps, controls, masks, carried, out):
        """Whole alphas in one compiled call (:func:`fastreg._kernels.cd_gram.gram_path`).

        Only with :attr:`solves_steps` and the default problem (no penalty
        record); the arguments are those of
        :func:`fastreg._kernels.cycle.path_steps` (``grad`` is this problem's
        gradient array, the one :meth:`gradient` returns).
        """
        cd_gram.gram_path(self._layout(), self.cache, w, steps, controls, masks, carried, out)

    def cross_gram(self, features):
        """Gram columns ``X^T X[:, features]`` (cached first if lazy), float64."""
        features = np.asarray(features, dtype=np.int64)
        if features.size:
            self.prepare(features, np.zeros(self.n_features))
        return np.ascontiguousarray(self.cache[:, self.slot[features]], dtype=np.float64)

    def gradient(self, w, l1=None):
        n = self.n_samples
        w_dot_Xy, w_dot_g = cd_gram.gram_gradient(self.cache, self.slot, self.Xy_, w,
                                                  self.g, n)
        Ry = (self.yy - w_dot_Xy) / n
        return self.g[:, None], Ry - w_dot_g, Ry


class MultiTaskDenseProblem:
    """Block residual updates for the L2,1 multi-task problem, dense X."""


    def __init__(self, X, Y, sample_weight=None):
        root_w = _sqrt_weights(sample_weight, X.shape[0], X.dtype)
        if root_w is not None:
            X = X * root_w[:, None]
            Y = Y * root_w[:, None]
        self.X = np.asfortranarray(X)
        self.Y = np.asfortranarray(Y)
        self.n_samples, self.n_features = X.shape
        self.n_tasks = Y.shape[1]
        self.norms2 = np.einsum("ij,ij->j", self.X, self.X, dtype=np.float64) / self.n_samples
        _validation.check_finite_column_stats(self.norms2)
        self.yy = float(np.sum(self.Y * self.Y))
        self.R = None
        self.G = np.zeros((self.n_features, self.n_tasks))
        self.z, self.new = np.empty(self.n_tasks), np.empty(self.n_tasks)

    def Xy(self):
        return self.X.T @ self.Y

    def start(self, W):
        self.R = np.asfortranarray(self.Y - self.X @ W) if W.any() else self.Y.copy(order="F")

    def prepare(self, ws, g):
        pass

    def solve(self, W, ws, l1, l2, positive, targets, seed, box=None):
        layout = (self.X, self.Y, self.R, self.G, self.norms2, self.z, self.new)
        return cd_multitask.dense_block_solve(layout, W, ws, l1, l2, targets, seed)

    def gradient(self, W, l1=None):
        n, R = self.n_samples, self.R
        if self.Y.dtype.itemsize < 8:
            R = _exact_task_residual(self, W)
            G = np.empty((self.n_features, self.n_tasks))
            precision.dense_xtr_tasks(self.X, R, G)
            return G / n, float(np.sum(R * R)) / n, float(np.sum(R * self.Y)) / n
        G = (self.X.T @ R).astype(np.float64) / n
        return G, float(np.sum(R * R)) / n, float(np.sum(R * self.Y)) / n


class MultiTaskCscProblem:
    """Block residual updates for the L2,1 multi-task problem, CSC X."""


    def __init__(self, X, Y, sample_weight=None, centers=None):
        single = CscProblem(X, Y[:, 0], sample_weight, centers)
        self.columns = single
        self.Xw, self.u, self.centers = single.Xw, single.u, single.centers
        self.col_u, self.uu, self.norms2 = single.col_u, single.uu, single.norms2
        root_w = _sqrt_weights(sample_weight, X.shape[0], X.dtype)
        self.Y = np.ascontiguousarray(Y if root_w is None else Y * root_w[:, None])
        self.n_samples, self.n_features = X.shape
        self.n_tasks = Y.shape[1]
        self.yy = float(np.sum(self.Y * self.Y))
        self.u_dot_Y = self.u @ self.Y
        self.shift = np.zeros(self.n_tasks)
        self.ur = np.zeros(self.n_tasks)
        self.R = None
        self.G = np.zeros((self.n_features, self.n_tasks))
        self.z, self.new = np.empty(self.n_tasks), np.empty(self.n_tasks)

    def Xy(self):
        Xy = np.asarray(self.Xw.T @ self.Y, dtype=np.float64)
        if self.uu > 0:
            Xy -= np.outer(self.centers, self.u @ self.Y)
        return Xy

    def start(self, W):
        self.R = np.ascontiguousarray(self.Y - self.Xw @ W) if W.any() else self.Y.copy()
        if self.uu > 0:
            self.shift[:] = self.centers @ W
            self.ur[:] = self.u @ self.R

    def prepare(self, ws, g):
        pass

    def solve(self, W, ws, l1, l2, positive, targets, seed, box=None):
        data, indices, starts, stops = self.columns.working_set_columns(ws)
        layout = (data, indices, starts, stops, self.Y, self.u, self.R, self.G, self.norms2,
                  self.centers, self.col_u, self.shift, self.ur, self.uu, self.u_dot_Y, self.z,
                  self.new)
        return cd_multitask.csc_block_solve(layout, W, ws, l1, l2, targets, seed)

    def gradient(self, W, l1=None):
        n, R = self.n_samples, self.R
        if self.Y.dtype.itemsize < 8:
            R = _exact_task_residual(self, W)
        G = np.asarray(self.Xw.T @ R, dtype=np.float64)
        R2 = float(np.sum(R * R))
        Ry = float(np.sum(R * self.Y))
        if self.uu > 0:
            b = self.shift
            ur = self.u @ R
            self.ur[:] = ur
            G += np.outer(self.col_u, b) - np.outer(self.centers, ur + b * self.uu)
            R2 += float(2 * b @ ur + b @ b * self.uu)
            Ry += float(b @ (self.u @ self.Y))
        return G / n, R2 / n, Ry / n
