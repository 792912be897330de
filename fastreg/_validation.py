"""Every input check and conversion of fastreg lives here.

Functions raise ``ValueError`` (or ``TypeError`` for unsupported types) with a
message that names the argument, and never modify their input: a conversion
returns a new array, and an array that already has the wanted layout is
returned as is.
"""

import math
import numbers

import numpy as np
from scipy import sparse

from ._kernels import scans

FLOAT_DTYPES = (np.float64, np.float32)

# A Gram matrix larger than this is never built automatically; asking for one
# explicitly raises instead of running the machine out of memory.
GRAM_MAX_BYTES = 2 * 1024**3


def _result_dtype(dtype):
    """float32 stays float32; every other real dtype computes in float64."""
    return np.float32 if dtype == np.float32 else np.float64


def check_X(X, *, accept_sparse=True, copy=False):
    """Validate a design matrix.

    Parameters
    ----------
    X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
        Design matrix. Dense input keeps its memory order; sparse input
        becomes CSC (column access is what coordinate descent needs).
    accept_sparse : bool
        Whether sparse input is allowed.
    copy : bool
        Return a copy even when no conversion is needed.

    Returns
    -------
    X : ndarray or scipy.sparse.csc_matrix of float32 or float64
    """
    if sparse.issparse(X):
        if not accept_sparse:
            raise TypeError("A sparse X is not supported here; pass a dense array.")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}.")
        if X.dtype.kind == "c":
            raise TypeError("X is complex; only real numbers are supported.")
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X has dtype {X.dtype}; a numeric sparse matrix is required.")
        X = sparse.csc_matrix(X)  # csc_array and csc_matrix share one kernel
        dtype = _result_dtype(X.dtype)
        if X.dtype != dtype or copy:
            X = X.astype(dtype, copy=True)
        _check_shape_nonempty(X.shape)
        if X.indices.dtype != np.int32 or X.indptr.dtype != np.int32:
            # one index type keeps one compiled kernel per float type
            X = sparse.csc_matrix(
                (X.data, X.indices.astype(np.int32), X.indptr.astype(np.int32)),
                shape=X.shape,
            )
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        if not np.isfinite(X.data).all():
            raise ValueError("Input X contains NaN or infinity.")
        return X
    X = _as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D of shape (n_samples, n_features), got {X.ndim}-D "
            f"with shape {X.shape}. Reshape 1-D data with X.reshape(-1, 1)."
        )
    _check_shape_nonempty(X.shape)
    if copy:
        X = X.copy(order="K")
    return X


def as_solver_X(X):
    """X as the solvers take it, for ``check_input=False``: no checks, no needless copy.

    The caller vouches for X (scikit-learn's estimators pass F-ordered float
    arrays and canonical CSC matrices they have validated); only what the
    kernels cannot work without is converted: the float type, the CSC layout
    and its int32 indices.
    """
    if not sparse.issparse(X):
        X = np.asarray(X)
        return X if X.dtype in FLOAT_DTYPES else X.astype(_result_dtype(X.dtype))
    if X.format != "csc" or X.dtype not in FLOAT_DTYPES \
            or X.indices.dtype != np.int32 or X.indptr.dtype != np.int32:
        return check_X(X)
    # csc_array and csc_matrix share one kernel; a view, not a copy
    return X if isinstance(X, sparse.csc_matrix) else sparse.csc_matrix(X)


def as_solver_y(y, dtype):
    """y in X's float type, for ``check_input=False`` (no checks)."""
    if sparse.issparse(y):
        y = y.toarray()
    return np.asarray(y, dtype=dtype)


def check_eps(eps, *, explicit_grid):
    """The grid length ``eps``: a positive real; None is accepted with explicit alphas.

    scikit-learn's estimators pass ``eps=None`` together with ``alphas=[alpha]``.
    """
    if eps is None:
        if explicit_grid:
            return None
        raise ValueError("eps=None needs explicit alphas (an array); with an integer "
                         "'alphas' the grid length eps must be a positive number.")
    return check_positive_real(eps, "eps")


def _check_shape_nonempty(shape):
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(
            f"X is empty: shape {shape}; at least one sample and one feature "
            "are required."
        )


def as_array(a, name):
    """``np.asarray(a)``, with an error naming ``name`` for a ragged nested sequence."""
    try:
        return np.asarray(a)
    except ValueError as exc:
        # NumPy's own message ("setting an array element with a sequence ...
        # inhomogeneous shape") names neither the argument nor the fix
        raise ValueError(
            f"{name} is a ragged nested sequence (its rows have different lengths); "
            f"pass a rectangular array-like."
        ) from exc


def check_real(arr, name, *, where=None):
    """TypeError for complex or non-numeric data (dense array or sparse matrix)."""
    prefix = "" if where is None else f"{where}: "
    if arr.dtype.kind == "c":
        raise TypeError(f"{prefix}{name} is complex ({arr.dtype}); only real numbers are "
                        "supported (the imaginary part would be dropped).")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{prefix}{name} has dtype {arr.dtype}; real numbers are required.")
    return arr


def _as_float_array(a, name, dtype=None):
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(a).__name__}.")
    arr = as_array(a, name)
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} is complex; only real numbers are supported.")
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} has dtype {arr.dtype}; a numeric (int or float) array is required."
        )
    target = _result_dtype(arr.dtype) if dtype is None else dtype
    if arr.dtype != target:
        arr = arr.astype(target)
    return arr


def check_finite(a, name):
    """Raise a clear error if ``a`` holds NaN or infinity."""
    if not all_finite(a):
        raise ValueError(f"Input {name} contains NaN or infinity.")


def all_finite(a):
    """Whether every entry of the array ``a`` is finite.

    A 1-D float array is read by one compiled loop (:mod:`fastreg._kernels.scans`:
    no NumPy reduction on the path of a small call), any other by NumPy.
    """
    if a.ndim == 1 and a.dtype in FLOAT_DTYPES:
        return scans.all_finite(a)
    return bool(np.isfinite(a).all())


def check_finite_column_stats(values, name="X", *, along="column"):
    """Detect non-finite entries of X from a per-column statistic.

    The squared column norms (or the Gram diagonal) of X are finite exactly
    when every entry of X is finite and no square overflows, so the solvers
    check these p numbers instead of spending a full pass over X.
    """
    if not all_finite(values):
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(
            f"Input {name} contains NaN, infinity or a value too large for "
            f"{np.asarray(values).dtype} (first in {along} {bad})."
        )


def check_y(y, n_samples, dtype):
    """Validate targets: 1-D (single task) or 2-D (multi-task), finite, length n."""
    if sparse.issparse(y):
        y = y.toarray()
    y = _as_float_array(y, "y", dtype=dtype)
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y has no targets (shape {}).".format(y.shape))
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {n_samples} != {y.shape[0]}."
        )
    check_finite(y, "y")
    return y


def is_real_number(value):
    """A real number that is not a bool (NumPy scalars included).

    Python's own float and int are recognized by their type first: the
    abstract-class check costs every path call about a microsecond for its
    handful of scalar arguments.
    """
    kind = type(value)
    if kind is float or kind is int:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_integer(value):
    """An integer that is not a bool (NumPy integers included); as :func:`is_real_number`."""
    if type(value) is int:
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_l1_ratio(l1_ratio):
    if not is_real_number(l1_ratio):
        raise TypeError(f"l1_ratio must be a real number, got {l1_ratio!r}.")
    if not (0.0 <= l1_ratio <= 1.0):
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
    return float(l1_ratio)


def check_positive_real(value, name, *, allow_zero=False):
    if not is_real_number(value):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    ok = value >= 0 if allow_zero else value > 0
    # a comparison, not np.isfinite: NaN already failed ``ok``, and a scalar
    # ufunc call costs a microsecond on every path call
    if not (ok and value < math.inf):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}.")
    return float(value)


def check_positive_int(value, name):
    if not is_integer(value):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}.")
    return int(value)


def check_alphas(alphas):
    """Validate an explicit grid; return it sorted in decreasing order (as sklearn)."""
    if (isinstance(alphas, (list, tuple)) and len(alphas) == 1
            and isinstance(alphas[0], float) and math.isfinite(alphas[0]) and alphas[0] >= 0):
        # one Python float (every estimator fit): the same array, without the
        # NumPy checks' fixed cost
        return np.array([alphas[0]])
    arr, order = _checked_grid(alphas, strictly_positive=False)
    if order > 0:
        arr.sort()  # (arr is a copy of the caller's)
        arr = arr[::-1].copy()
    return arr


def check_sample_weight(sample_weight, n_samples, dtype, *, allow_zero_sum=False):
    """None, a scalar, or n non-negative finite weights with a positive sum.

    ``allow_zero_sum=True`` accepts all-zero weights: one block of a stream
    may carry no weight when the total does (the caller checks the total).
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real):
        sample_weight = np.full(n_samples, float(sample_weight))
    sw = _as_float_array(sample_weight, "sample_weight", dtype=dtype)
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), got {sw.shape}."
        )
    check_finite(sw, "sample_weight")
    if (sw < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    if not allow_zero_sum and not sw.sum() > 0:
        raise ValueError("sample_weight sums to zero: no sample carries weight.")
    return sw


def check_feature_vector(v, name, n_features, dtype):
    """A per-feature vector such as X_offset, X_scale or Xy (1-D)."""
    arr = _as_float_array(v, name, dtype=dtype)
    if arr.shape != (n_features,):
        raise ValueError(f"{name} must have shape ({n_features},), got {arr.shape}.")
    check_finite(arr, name)
    return arr


def check_Xy(Xy, n_features, n_tasks, dtype):
    arr = _as_float_array(Xy, "Xy", dtype=dtype)
    expected = (n_features,) if n_tasks is None else (n_features, n_tasks)
    if arr.shape != expected and not (n_tasks == 1 and arr.shape == (n_features,)):
        raise ValueError(f"Xy must have shape {expected}, got {arr.shape}.")
    check_finite(arr, "Xy")
    return arr


def check_gram(gram, n_features, dtype, *, check_symmetry=True):
    """A user-supplied Gram matrix X^T X: square, finite, symmetric."""
    G = _as_float_array(gram, "precompute (Gram matrix)", dtype=dtype)
    if G.shape != (n_features, n_features):
        raise ValueError(
            f"The Gram matrix must have shape ({n_features}, {n_features}), got {G.shape}."
        )
    check_finite(G, "precompute (Gram matrix)")
    if not check_symmetry:
        return G
    scale = max(float(np.abs(np.diag(G)).max()), 1.0)
    if not np.allclose(G, G.T, rtol=0, atol=1e-4 * scale):
        raise ValueError("The Gram matrix is not symmetric.")
    return G


def check_gram_consistent(gram, X, sample_weight=None):
    """Cheap plausibility test of a given Gram matrix against X (one entry).

    With ``sample_weight`` the Gram matrix must be ``X^T diag(sample_weight) X``.
    """
    n_features = X.shape[1]
    j = n_features // 2
    col = X[:, j]
    col = col.toarray().ravel() if sparse.issparse(col) else np.asarray(col, dtype=np.float64)
    weights = 1.0 if sample_weight is None else sample_weight
    expected = float(col @ (weights * col))
    got = float(gram[j, j])
    if not np.isclose(got, expected, rtol=1e-3 if gram.dtype == np.float32 else 1e-6):
        raise ValueError(
            f"The Gram matrix does not match X: G[{j}, {j}] = {got!r} but "
            f"X[:, {j}] @ X[:, {j}] = {expected!r}. Pass precompute=True to let "
            "fastreg compute it."
        )


def check_gram_size(n_features, itemsize, *, budget=None):
    """Raise when a p x p Gram matrix would not fit the memory budget."""
    budget = GRAM_MAX_BYTES if budget is None else budget
    needed = n_features * n_features * itemsize
    if needed > budget:
        raise MemoryError(
            f"A Gram matrix for {n_features} features needs {needed:,} bytes "
            f"(budget {budget:,} bytes); use precompute=False (residual updates) "
            "or precompute='auto'."
        )


def check_coef_init(coef_init, shape, dtype):
    arr = _as_float_array(coef_init, "coef_init", dtype=dtype)
    if arr.shape != shape:
        raise ValueError(f"coef_init must have shape {shape}, got {arr.shape}.")
    check_finite(arr, "coef_init")
    return arr


def check_selection(selection):
    if selection not in ("cyclic", "random"):
        raise ValueError(f"selection should be either 'random' or 'cyclic', got {selection!r}.")
    return selection


def check_precompute(precompute):
    """'auto', a bool, or an array (the Gram matrix)."""
    if isinstance(precompute, str):
        if precompute != "auto":
            raise ValueError(f"precompute must be 'auto', a bool or a Gram matrix, got {precompute!r}.")
        return precompute
    if isinstance(precompute, (bool, np.bool_)):
        return bool(precompute)
    if hasattr(precompute, "__array__") or isinstance(precompute, (list, tuple)):
        return as_array(precompute, "precompute (Gram matrix)")
    raise ValueError(f"precompute must be 'auto', a bool or a Gram matrix, got {precompute!r}.")


def random_seed(random_state):
    """A non-negative int seed for the kernels' random coordinate order."""
    if random_state is None:
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral):
        return int(np.random.default_rng(int(random_state)).integers(0, 2**31 - 1))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    raise ValueError(f"random_state must be None, an int, a RandomState or a Generator, got {random_state!r}.")


# --- ridge (fastreg.ridge.solve, fastreg.ridge.path, fastreg.bayes) -------------

RIDGE_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")


def check_ridge_alpha(alpha, n_targets):
    """One non-negative penalty per target (a scalar is repeated), float64."""
    arr = as_array(alpha, "alpha")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"alpha must be a number or an array of numbers, got {alpha!r}.")
    arr = arr.astype(np.float64).ravel()
    if arr.size not in (1, n_targets):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{arr.size} != {n_targets}."
        )
    if not np.isfinite(arr).all():
        raise ValueError("alpha contains NaN or infinity.")
    if (arr < 0).any():
        raise ValueError(f"alpha must be >= 0, got {arr.min()!r}.")
    return np.broadcast_to(arr, (n_targets,)).copy()


def check_ridge_alphas(alphas, *, strictly_positive=False):
    """A grid of ridge penalties, float64, in the order given."""
    return _checked_grid(alphas, strictly_positive=strictly_positive)[0]


def _checked_grid(alphas, *, strictly_positive):
    """``(grid, order)``: a float64 copy of the penalties, and whether it needs sorting.

    ``order`` is 0 when the grid is non-increasing, 1 otherwise
    (:func:`fastreg._kernels.scans.grid_order`); the checks that name a
    fault run only when that one pass finds one.
    """
    arr = as_array(alphas, "alphas")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"alphas must be numbers, got dtype {arr.dtype}.")
    arr = np.array(arr, dtype=np.float64, ndmin=1)  # a copy: the caller's stays as given
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-D sequence, got shape {arr.shape}.")
    order = scans.grid_order(arr, strictly_positive)
    if order < 0:
        if not np.isfinite(arr).all():
            raise ValueError("alphas contains NaN or infinity.")
        if strictly_positive and (arr <= 0).any():
            raise ValueError(
                f"alphas must be > 0 for leave-one-out and GCV, got min {arr.min()!r}."
            )
        raise ValueError(f"alphas must be >= 0, got min {arr.min()!r}.")
    return arr, order


def check_ridge_solver(solver):
    if solver not in RIDGE_SOLVERS:
        raise ValueError(f"solver must be one of {RIDGE_SOLVERS}, got {solver!r}.")
    return solver


def check_block_size(block_size):
    """None (automatic) or a positive number of rows / columns per block."""
    if block_size is None:
        return None
    return check_positive_int(block_size, "block_size")


def check_max_iter(max_iter):
    return None if max_iter is None else check_positive_int(max_iter, "max_iter")


def check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}.")
    return value


def check_finite_row_stats(values, name="X"):
    """As :func:`check_finite_column_stats`, from per-row statistics (X X^T diagonal)."""
    check_finite_column_stats(values, name, along="row")


def check_y_1d(y, n_samples, dtype):
    """A single target: 1-D, or 2-D with one column (raveled)."""
    y = check_y(y, n_samples, dtype)
    if y.ndim == 2:
        if y.shape[1] != 1:
            raise ValueError(f"y must be 1-D (a single target), got shape {y.shape}.")
        y = y.ravel()
    return y


# --- glmnet-style options of the lasso / elastic-net path -------------------

def check_penalty_factor(penalty_factor, n_features):
    """None, or one non-negative factor per feature (``inf`` allowed: excluded)."""
    if penalty_factor is None:
        return None
    arr = _as_float_array(penalty_factor, "penalty_factor", dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError(
            f"penalty_factor must have one entry per feature, shape ({n_features},); "
            f"got a scalar."
        )
    if arr.shape != (n_features,):
        raise ValueError(
            f"penalty_factor must have shape ({n_features},) (one factor per feature), "
            f"got {arr.shape}."
        )
    if np.isnan(arr).any():
        j = int(np.flatnonzero(np.isnan(arr))[0])
        raise ValueError(f"penalty_factor contains NaN (feature {j}).")
    if (arr < 0).any():
        j = int(np.flatnonzero(arr < 0)[0])
        raise ValueError(f"penalty_factor must be >= 0, got {arr[j]!r} for feature {j}.")
    return arr.copy()


def _bound_array(value, name, n_features, default):
    if value is None:
        return np.full(n_features, default)
    arr = _as_float_array(value, name, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_features, float(arr))
    elif arr.shape != (n_features,):
        raise ValueError(
            f"{name} must be a scalar or have shape ({n_features},), got {arr.shape}."
        )
    else:
        arr = arr.copy()
    if np.isnan(arr).any():
        j = int(np.flatnonzero(np.isnan(arr))[0])
        raise ValueError(f"{name} contains NaN (feature {j}).")
    return arr


def check_bounds(lower_bounds, upper_bounds, n_features):
    """Box constraints ``lower <= w <= upper``: None, scalars or per-feature arrays.

    Returns ``None`` when both are None, else ``(lower, upper)`` as float64
    arrays of shape (n_features,) (missing sides are -inf / +inf). Every box
    must contain 0 (``lower <= 0 <= upper``): the path starts from the zero
    vector and alpha_max is where it is optimal.
    """
    if lower_bounds is None and upper_bounds is None:
        return None
    lower = _bound_array(lower_bounds, "lower_bounds", n_features, -np.inf)
    upper = _bound_array(upper_bounds, "upper_bounds", n_features, np.inf)
    crossed = lower > upper
    if crossed.any():
        j = int(np.flatnonzero(crossed)[0])
        raise ValueError(
            f"lower_bounds > upper_bounds for feature {j}: {lower[j]!r} > {upper[j]!r}."
        )
    outside = (lower > 0) | (upper < 0)
    if outside.any():
        j = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"The bounds of feature {j}, [{lower[j]!r}, {upper[j]!r}], exclude zero; "
            "every box must contain 0 (lower_bounds <= 0 <= upper_bounds)."
        )
    return lower, upper


def check_max_features(max_features):
    """None or a non-negative integer."""
    if max_features is None:
        return None
    if not is_integer(max_features):
        raise TypeError(f"max_features must be an integer or None, got {max_features!r}.")
    if max_features < 0:
        raise ValueError(f"max_features must be >= 0, got {max_features!r}.")
    return int(max_features)


def check_min_dev_change(min_dev_change):
    """None or a finite real >= 0."""
    if min_dev_change is None:
        return None
    return check_positive_real(min_dev_change, "min_dev_change", allow_zero=True)


def check_verbose(verbose):
    """``verbose``: a bool or a non-negative integer (the level), returned as int."""
    if isinstance(verbose, (bool, np.bool_)):
        return int(verbose)
    if not isinstance(verbose, numbers.Integral):
        raise TypeError(f"verbose must be a bool or a non-negative integer, got {verbose!r}.")
    if verbose < 0:
        raise ValueError(f"verbose must be >= 0, got {verbose!r}.")
    return int(verbose)


def check_cv(cv):
    """Reject what cannot be a ``cv`` before it fails somewhere obscure.

    Accepted (and returned unchanged): an int (number of folds, >= 2 is checked
    against the data later), an array of fold ids, an object with ``split``,
    or an iterable of ``(train, test)`` pairs. Strings, floats, bools and None
    raise an error that names ``cv``.
    """
    expected = ("an int (number of folds), an array of fold ids, a splitter with a "
                "split() method, or an iterable of (train, test) index pairs")
    if isinstance(cv, (bool, np.bool_)) or cv is None or isinstance(cv, (str, bytes)):
        raise TypeError(f"cv must be {expected}; got {cv!r}.")
    if isinstance(cv, numbers.Integral) or hasattr(cv, "split"):
        return cv
    if isinstance(cv, numbers.Real):
        raise TypeError(f"cv must be {expected}; got the non-integer {cv!r}.")
    if not (hasattr(cv, "__iter__") or hasattr(cv, "__array__")):
        raise TypeError(f"cv must be {expected}; got {type(cv).__name__} {cv!r}.")
    return cv


def check_callback(callback):
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {callback!r}.")
    return callback


def check_n_jobs(n_jobs):
    """``n_jobs`` as scikit-learn takes it: None, or a nonzero int (-1: all cores).

    Returned unchanged; :func:`fastreg._parallel.effective_n_jobs` turns it into
    a thread count.
    """
    if n_jobs is None:
        return None
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"n_jobs must be None or an int, got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning: use None or 1 for one thread, -1 "
                         "for all cores, or a positive number of threads.")
    return int(n_jobs)
