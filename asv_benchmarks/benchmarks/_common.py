"""Problems, accuracy checks and timing helpers shared by the benchmark modules.

Nothing in this module is a benchmark. Every problem is generated from a fixed
``numpy.random.default_rng`` seed, so both libraries (and every commit) solve
exactly the same data.

Problems (``PROBLEMS``; tests shrink the shapes to make a smoke run cheap):

* ``dense-tall`` 5000 x 200 and ``dense-wide`` 300 x 3000: Gaussian rows with
  Toeplitz covariance ``Sigma_ij = 0.5^|i-j|`` (generated as an AR(1) process
  along the features), Fortran order (what scikit-learn's solver wants, so it
  does not pay for a conversion; fastreg accepts any order);
* ``sparse`` 2000 x 5000 CSC, about 0.5 % standard-normal nonzeros at uniformly
  drawn positions;
* ``cv-tall`` 2000 x 100 and ``cv-wide`` 200 x 1000: dense as above, for the
  cross-validation benchmarks (ten folds make every path ten times as costly).

Targets are ``y = X w* + noise`` with a sparse ``w*`` (standard-normal nonzeros)
and noise variance ``Var(X w*) / 3`` (SNR 3).
"""

import gc
import time

import numpy as np
import scipy.sparse as sparse

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
    threadpool_limits = None

LIBRARIES = ("fastreg", "sklearn")

# name -> (kind, n_samples, n_features, n_nonzero in w*, seed)
PROBLEMS = {
    "dense-tall": ("dense", 5000, 200, 20, 0),
    "dense-wide": ("dense", 300, 3000, 20, 1),
    "sparse": ("sparse", 2000, 5000, 50, 2),
    "cv-tall": ("dense", 2000, 100, 10, 3),
    "cv-wide": ("dense", 200, 1000, 10, 4),
}
PATH_PROBLEMS = ("dense-tall", "dense-wide", "sparse")
RIDGE_PROBLEMS = ("dense-tall", "dense-wide")
CV_PROBLEMS = ("cv-tall", "cv-wide")

RHO = 0.5  # Toeplitz correlation of the dense problems
DENSITY = 0.005  # fraction of stored entries of the sparse problem
SNR = 3.0

# Path settings, identical for both libraries.
N_ALPHAS = 50
EPS = 1e-3
TOL = 1e-4
MAX_ITER = 1000
ENET_L1_RATIO = 0.5

# Ridge settings: alphas relative to n_samples (the columns have unit variance,
# so this spans weak to strong shrinkage whatever the shape).
N_RIDGE_ALPHAS = 20
RIDGE_ALPHA = 1.0

# Repetitions inside the track_time_ratio benchmarks (best of REPEATS each).
REPEATS = 3

_cache = {}


def make_problem(name):
    """``(X, y)`` for a problem of ``PROBLEMS`` (cached per process).

    Neither library modifies its input, so the cached arrays are shared.
    """
    kind, n, p, k, seed = PROBLEMS[name]
    key = (kind, n, p, k, seed)
    if key not in _cache:
        rng = np.random.default_rng(seed)
        if kind == "dense":
            X = _toeplitz_rows(rng, n, p, RHO)
        else:
            X = _sparse_csc(rng, n, p, DENSITY)
        w = np.zeros(p)
        w[rng.choice(p, size=min(k, p), replace=False)] = rng.standard_normal(min(k, p))
        signal = np.asarray(X @ w).ravel()
        noise_sd = np.sqrt(max(signal.var(), 1e-12) / SNR)
        y = signal + noise_sd * rng.standard_normal(n)
        _cache[key] = (X, np.ascontiguousarray(y))
    return _cache[key]


def _toeplitz_rows(rng, n, p, rho):
    """Rows ~ N(0, Sigma) with Sigma_ij = rho^|i-j|, Fortran order."""
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    return X


def _sparse_csc(rng, n, p, density):
    """CSC matrix with about ``density * n * p`` standard-normal entries."""
    nnz = max(1, int(round(density * n * p)))
    rows = rng.integers(0, n, size=nnz)
    cols = rng.integers(0, p, size=nnz)
    X = sparse.csc_matrix((rng.standard_normal(nnz), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    X.sort_indices()
    return X


def tiny_like(name):
    """A small problem of the same kind (dense or CSC) and aspect, for JIT warm-up."""
    kind, n, p = PROBLEMS[name][:3]
    rng = np.random.default_rng(12345)
    n_t, p_t = (40, 10) if n > p else (10, 40)
    if kind == "dense":
        X = _toeplitz_rows(rng, n_t, p_t, RHO)
    else:
        X = _sparse_csc(rng, n_t, p_t, 0.3)
    y = np.asarray(X @ rng.standard_normal(p_t)).ravel() + rng.standard_normal(n_t)
    return X, y


def alpha_grid(X, y, l1_ratio=1.0, n_alphas=N_ALPHAS, eps=EPS, center=False):
    """Geometric grid from ``alpha_max`` (all coefficients zero) to ``eps * alpha_max``.

    ``alpha_max = max_j |x_j^T y| / (n_samples * l1_ratio)``, on centered data
    when ``center`` (for estimators that fit an intercept). Computed once and
    passed to both libraries as ``alphas=grid``.
    """
    n = X.shape[0]
    if center:
        y = y - y.mean()
        Xty = np.asarray(X.T @ y).ravel() - np.asarray(X.mean(axis=0)).ravel() * y.sum()
    else:
        Xty = np.asarray(X.T @ y).ravel()
    alpha_max = np.max(np.abs(Xty)) / (n * l1_ratio)
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)


def ridge_alphas(X, n_alphas=N_RIDGE_ALPHAS):
    """Ridge penalties ``n_samples * [1e-3, ..., 10]`` (decreasing)."""
    return X.shape[0] * np.geomspace(10.0, 1e-3, n_alphas)


def enet_objective_and_gap(X, y, w, alpha, l1_ratio):
    """Elastic-net objective and duality gap of ``w``, computed from scratch.

    Primal (scikit-learn's scaling)::

        P(w) = 1/(2n) ||y - Xw||^2 + l1 ||w||_1 + l2/2 ||w||^2,
        l1 = alpha * l1_ratio,  l2 = alpha * (1 - l1_ratio).

    The ridge term is a lasso on the augmented data ``[X; sqrt(n l2) I]``,
    ``[y; 0]``, whose dual is ``D(theta) = <y, theta> - n/2 ||theta||^2`` over
    ``||X^T theta||_inf <= l1``. The dual point is the augmented residual
    divided by n, shrunk by ``s = min(1, l1 / ||X^T r / n - l2 w||_inf)`` to be
    feasible, which gives::

        D = s <y, r> / n - s^2 (||r||^2 + n l2 ||w||^2) / (2n),   r = y - Xw.

    Returns ``(P, P - D)``.
    """
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64)
    r = y - np.asarray(X @ w).ravel()
    l1 = alpha * l1_ratio
    l2 = alpha * (1.0 - l1_ratio)
    rr = float(r @ r)
    ww = float(w @ w)
    primal = rr / (2 * n) + l1 * float(np.abs(w).sum()) + 0.5 * l2 * ww
    dual_norm = float(np.max(np.abs(np.asarray(X.T @ r).ravel() / n - l2 * w)))
    s = 1.0 if dual_norm <= l1 else l1 / dual_norm
    dual = s * float(r @ y) / n - s * s * (rr + n * l2 * ww) / (2 * n)
    return primal, primal - dual


def path_accuracy(X, y, alphas, coefs, l1_ratio, tol=TOL):
    """``(objectives, scaled_gaps)`` along a path; ``coefs`` is (n_features, n_alphas).

    ``scaled_gaps`` are the duality gaps divided by the stopping threshold
    ``tol * ||y||^2 / n`` both libraries use: at most 1 means converged.
    """
    threshold = tol * float(y @ y) / X.shape[0]
    objectives = np.empty(len(alphas))
    gaps = np.empty(len(alphas))
    for k, alpha in enumerate(alphas):
        objectives[k], gaps[k] = enet_objective_and_gap(X, y, coefs[:, k], alpha, l1_ratio)
    return objectives, gaps / threshold


def ridge_stationarity(X, y, coef, alpha, intercept=0.0):
    """Relative residual of ridge's normal equations, computed from scratch.

    For ``sum_i (y_i - x_i w - b)^2 + alpha ||w||^2`` the optimum satisfies
    ``X^T (y - Xw - b) = alpha w`` (and ``sum(y - Xw - b) = 0`` with an
    intercept). Returns ``||X^T r - alpha w||_inf / ||X^T y||_inf`` plus
    ``|sum r| / (sqrt(n) ||y||)`` when an intercept was fitted.
    """
    coef = np.asarray(coef, dtype=np.float64).ravel()
    r = y - np.asarray(X @ coef).ravel() - intercept
    scale = max(float(np.max(np.abs(np.asarray(X.T @ y)))), 1e-300)
    out = float(np.max(np.abs(np.asarray(X.T @ r).ravel() - alpha * coef))) / scale
    if intercept != 0.0:
        out += abs(float(r.sum())) / (np.sqrt(len(y)) * max(float(np.linalg.norm(y)), 1e-300))
    return out


def best_times(func_a, func_b, repeats=REPEATS):
    """Best of ``repeats`` wall times of two calls, taking turns in alternating order.

    The garbage collector runs before each repetition and is disabled while
    timing (as asv does for time_*).
    """
    best = [np.inf, np.inf]
    funcs = (func_a, func_b)
    gc_was_enabled = gc.isenabled()
    try:
        for rep in range(repeats):
            gc.collect()
            gc.disable()
            for i in ((0, 1) if rep % 2 == 0 else (1, 0)):
                start = time.perf_counter()
                funcs[i]()
                best[i] = min(best[i], time.perf_counter() - start)
            gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
        else:
            gc.disable()
    return best[0], best[1]


def require(module, name):
    """``module.name``, or NotImplementedError (asv then skips the benchmark)."""
    func = getattr(module, name, None)
    if func is None:
        raise NotImplementedError(f"{module.__name__}.{name} is not available in this commit")
    return func


class _Pinned:
    """Base class: BLAS pinned to one thread while a benchmark runs.

    ``asv.conf.json`` sets the thread variables to 1 for benchmark runs (in
    the environments asv builds and with ``--python=same``, but not with
    ``-E existing`` or when the classes are used outside asv), so threadpoolctl
    pins the BLAS here as well; ``teardown`` restores the previous limits.
    fastreg's Numba kernels are single-threaded.
    """

    timeout = 180

    def _pin_threads(self):
        self._limiter = threadpool_limits(limits=1) if threadpool_limits else None

    def teardown(self, *params):
        limiter = getattr(self, "_limiter", None)
        if limiter is not None:
            limiter.restore_original_limits()
            self._limiter = None
