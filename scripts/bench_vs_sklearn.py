"""Time ``fastreg.lasso_path`` against scikit-learn's ``lasso_path``, same process.

Usage
-----
Run from the repository root. Two environment variables set on this machine slow
NumPy's BLAS down, so unset them for the benchmark only (and nowhere else)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/venv/bin/python \\
        scripts/bench_vs_sklearn.py                        # full run, several minutes
    ... scripts/bench_vs_sklearn.py --quick                # smoke test, < 60 s, 1 rep
    ... scripts/bench_vs_sklearn.py --problems dense-corr,diabetes --reps 5
    ... scripts/bench_vs_sklearn.py --threads 2 --markdown bench.md

Options: ``--quick`` (smaller shapes, 1 repetition), ``--problems`` (comma
separated subset of ``dense-corr, dense, wide, sparse, diabetes, enet, lasso-cv,
ridge, ridge-cv``; ``latency``
selects the fresh-process measurements), ``--reps`` (timed repetitions per large
problem, default 3), ``--tiny-reps`` (repetitions for the ~ms diabetes problem,
default 100), ``--threads`` (BLAS / OpenMP / Numba threads for both libraries,
default 1), ``--seed``, ``--markdown FILE`` (also write the table to FILE) and
``--strict`` (exit 1 when a target is missed or fastreg does not reach ``tol``).
Without ``--strict`` the script exits 0 whenever it runs to the end.

What is measured
----------------
Each problem is solved along one lasso path of 100 alphas (``eps=1e-3``) by both
libraries in this process:

* ``dense-corr``: 20000 x 500, rows ~ N(0, Sigma) with ``Sigma_ij = 0.5^|i-j|``.
  Also timed: one ``X.T @ X`` on the same array, the "floor" a covariance-update
  solver cannot beat; the target is ``t_fastreg / t_floor <= 1.5``.
* ``dense``: 5000 x 2000, same row distribution; target fastreg >= 5x faster.
* ``wide``: 500 x 5000, same row distribution; target >= 5x.
* ``sparse``: CSC 20000 x 50000 from ``scipy.sparse.random`` at density 1e-3
  with standard normal entries; target >= 10x.
* ``diabetes``: ``fastreg.load_diabetes()`` (442 x 10); target: fastreg no slower
  than sklearn. Timed as the median of ``--tiny-reps`` repetitions.

The other fastreg / scikit-learn pairs, so that one table holds every ratio
(``enet``, ``lasso-cv``, ``ridge``, ``ridge-cv``; all on a 20000 x 500 design of
the dense-corr kind, 2000 x 100 with ``--quick``): ``enet_path(l1_ratio=0.5)``
against scikit-learn's on the same 100-alpha grid; ``lasso_cv(cv=10)`` against
``LassoCV(cv=10)`` (same grid and unshuffled folds; the lasso-CV issue's target
is >= 5x); ``ridge_path`` over 50 alphas with an intercept against a loop of
``Ridge(alpha).fit``; exact-LOO ``ridge_cv`` against ``RidgeCV`` on the same 50
alphas. Both sides get an untimed warm-up call; timed calls alternate.

``--quick`` shrinks the synthetic problems to 2000 x 100, 1000 x 400, 100 x 1000
and a 2000 x 5000 CSC at density 5e-3, with 1 repetition (20 for diabetes) and one
warm-cache latency run; its targets are then only indicative.

Synthetic targets are ``y = X w* + noise`` with a sparse ``w*`` (50 standard
normal nonzeros for the dense problems, 500 for the sparse one) and noise
variance ``Var(X w*) / 3`` (SNR 3). Every problem has its own fixed seed.

A time is the median of the repetitions of one whole ``lasso_path`` call
(validation, Gram / column statistics and the path). The two libraries take
turns within each repetition, in alternating order, so that a drifting machine
load hits both alike; the garbage collector is collected before and disabled
during every timed call.

Compilation is kept out of every steady-state time: before timing, fastreg is
called once on a tiny problem of the same kind (dense or CSC, float64, same
``n_samples > n_features`` relation), then once on the benchmark problem itself.
The time of those untimed calls is listed in the notes below the table.
sklearn (ahead-of-time compiled Cython, nothing to compile) gets the same two
untimed calls, so both libraries' timed runs start equally warm.

First-call latency is measured in fresh subprocesses (``latency`` rows), on a
200 x 50 dense float64 problem: (a) cold, with ``NUMBA_CACHE_DIR`` pointing at a
new, empty temporary directory, so the first call compiles; (b) warm, a new
process with the cache populated by (a) (target: first call < 1 s). The
``import`` row is the import time of ``fastreg`` (after ``numpy``) in the warm
process, next to that of ``sklearn.linear_model``. sklearn's first call in a fresh
process is shown for comparison.

Accuracy is checked, not assumed: both libraries must reach comparable duality
gaps, so the table reports for each the largest returned duality gap along the
path divided by its stopping threshold ``tol * ||y||^2 / n_samples`` (<= 1 means
converged everywhere), and the largest relative difference between the two
libraries' objectives ``1/(2n) ||y - Xw||^2 + alpha ||w||_1`` at each alpha,
computed by this script in float64. The notes also list the gaps recomputed
independently by this script from the returned coefficients.

Parameter conversions between the libraries
-------------------------------------------
None. Both functions are called with the identical keyword arguments::

    alphas=<grid>, eps=1e-3, precompute="auto", tol=1e-4, max_iter=1000

and every other argument at its default (``copy_X=True``, ``selection='cyclic'``,
``positive=False``, ``do_screening=True``, no sample weights, no intercept: the
path functions fit none).

* Objective scaling: identical by design, ``1/(2n) ||y - Xw||^2 + alpha ||w||_1``
  in both; no rescaling of alpha.
* Alphas: sklearn's grid (``sklearn.linear_model._coordinate_descent._alpha_grid``
  with ``fit_intercept=False, eps=1e-3, n_alphas=100``) is computed once per problem
  and passed as the explicit ``alphas=`` array to both, so both solve the same
  alphas by construction.
* ``tol``: the same number; both stop at an alpha when the duality gap (on the
  ``1/(2n)`` scale) is at most ``tol * ||y||^2 / n`` (sklearn checks
  ``gap <= tol * ||y||^2`` on its ``n``-times larger internal scale, the same rule).
  The ``dual_gaps`` both return are on the ``1/(2n)`` scale, so they are compared
  directly.
* ``max_iter``: the same number (1000) of coordinate sweeps per alpha.
* ``precompute='auto'``: the same argument, which each library resolves its own way.
  sklearn: the full Gram matrix (one ``X.T @ X``) when ``n_samples > n_features``,
  else residual updates; CSC input always uses residual updates. fastreg: covariance
  updates when ``n_samples > n_features`` (Gram columns computed lazily as features
  enter when there are 5000 features or more), else residual updates; CSC input
  always uses residual updates. The mode each one picked is in the notes.
* ``copy_X=True`` (default for both): sklearn copies X, fastreg never writes to X
  and does not copy it. Dense X is generated Fortran-ordered, the layout both
  libraries use, so neither converts it.
* Threads: ``threadpoolctl.threadpool_limits(--threads)`` caps every BLAS and OpenMP
  pool in the process for the whole run (both libraries, and the floor); Numba's
  thread count is set to the same number (fastreg's kernels are single-threaded).
"""

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy
from scipy import sparse

import numba
import sklearn
import threadpoolctl
from sklearn.linear_model import lasso_path as sk_lasso_path
from sklearn.linear_model._coordinate_descent import _alpha_grid as sk_alpha_grid

import fastreg

N_ALPHAS = 100
EPS = 1e-3
TOL = 1e-4
MAX_ITER = 1000
RHO = 0.5  # Toeplitz correlation of the dense designs
SNR = 3.0
PROBLEM_NAMES = ("dense-corr", "dense", "wide", "sparse", "diabetes")
# the other fastreg / scikit-learn pairs, so that one table holds every ratio
OTHER_NAMES = ("enet", "lasso-cv", "ridge", "ridge-cv")
ALL_NAMES = PROBLEM_NAMES + OTHER_NAMES + ("latency",)
SLOW_ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- problems


@dataclass
class Spec:
    """One benchmark problem: how to build it and what it must achieve."""

    name: str
    kind: str  # "dense", "sparse" or "diabetes"
    n_samples: int = 0
    n_features: int = 0
    n_nonzero: int = 50
    density: float = 0.0
    target: str = "speedup"  # "speedup", "floor" or "no-slower"
    threshold: float = 1.0
    tiny: bool = False
    seed_offset: int = 0


def problem_specs(quick):
    """The benchmark problems, full size or ``--quick`` size."""
    if quick:
        shapes = {"dense-corr": (2000, 100), "dense": (1000, 400), "wide": (100, 1000),
                  "sparse": (2000, 5000)}
        density = 5e-3
    else:
        shapes = {"dense-corr": (20000, 500), "dense": (5000, 2000), "wide": (500, 5000),
                  "sparse": (20000, 50000)}
        density = 1e-3
    return {
        "dense-corr": Spec("dense-corr", "dense", *shapes["dense-corr"], target="floor",
                           threshold=1.5, seed_offset=1),
        "dense": Spec("dense", "dense", *shapes["dense"], threshold=5.0, seed_offset=2),
        "wide": Spec("wide", "dense", *shapes["wide"], threshold=5.0, seed_offset=3),
        "sparse": Spec("sparse", "sparse", *shapes["sparse"], n_nonzero=500,
                       density=density, threshold=10.0, seed_offset=4),
        "diabetes": Spec("diabetes", "diabetes", 442, 10, target="no-slower",
                         threshold=1.0, tiny=True),
    }


def toeplitz_gaussian(rng, n_samples, n_features, rho):
    """Rows ~ N(0, Sigma), ``Sigma_ij = rho^|i-j|``, as a Fortran-ordered array.

    Each row is a stationary AR(1) sequence over the features:
    ``x_0 = z_0``, ``x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j`` with z iid N(0, 1),
    whose covariance is exactly ``rho^|i-j|``.
    """
    X = np.empty((n_samples, n_features), order="F")
    X[:, 0] = rng.standard_normal(n_samples)
    scale = np.sqrt(1.0 - rho * rho)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n_samples)
    return X


def sparse_design(rng, n_samples, n_features, density):
    """CSC matrix from ``scipy.sparse.random`` with standard normal nonzeros."""
    return sparse.random(n_samples, n_features, density=density, format="csc",
                         dtype=np.float64, rng=rng,
                         data_rvs=rng.standard_normal)


def noisy_target(rng, X, n_nonzero):
    """``y = X w* + noise``: sparse standard normal ``w*``, noise at SNR ``SNR``."""
    n_features = X.shape[1]
    w_true = np.zeros(n_features)
    support = rng.choice(n_features, size=n_nonzero, replace=False)
    w_true[support] = rng.standard_normal(n_nonzero)
    signal = np.asarray(X @ w_true).ravel()
    sigma = np.std(signal) / np.sqrt(SNR)
    return signal + sigma * rng.standard_normal(X.shape[0])


def build(spec, seed):
    """``(X, y)`` of a problem; seeded, so every run solves the same data."""
    if spec.kind == "diabetes":
        X, y = fastreg.load_diabetes()
        return np.asfortranarray(X, dtype=np.float64), np.ascontiguousarray(y, np.float64)
    rng = np.random.default_rng(seed + spec.seed_offset)
    if spec.kind == "sparse":
        X = sparse_design(rng, spec.n_samples, spec.n_features, spec.density)
    else:
        X = toeplitz_gaussian(rng, spec.n_samples, spec.n_features, RHO)
    return X, noisy_target(rng, X, spec.n_nonzero)


def tiny_like(X):
    """A small problem of the same kind as X (for JIT warm-up), with the same
    ``n_samples > n_features`` relation so that the same update mode is compiled."""
    rng = np.random.default_rng(12345)
    tall = X.shape[0] > X.shape[1]
    n, p = (60, 20) if tall else (20, 60)
    if sparse.issparse(X):
        Xt = sparse_design(rng, n, p, 0.2)
    else:
        Xt = np.asfortranarray(rng.standard_normal((n, p)))
    yt = noisy_target(rng, Xt, 5)
    return Xt, yt


# --------------------------------------------------------------------------- checks


def objectives(X, y, alphas, coefs):
    """``1/(2n) ||y - X w||^2 + alpha ||w||_1`` at every alpha, in float64."""
    n = X.shape[0]
    W = np.asarray(coefs, dtype=np.float64)
    R = y[:, None] - np.asarray(X @ W)
    return 0.5 * np.einsum("ij,ij->j", R, R) / n + alphas * np.abs(W).sum(axis=0)


def recomputed_gaps(X, y, alphas, coefs):
    """Lasso duality gaps on the ``1/(2n)`` scale, recomputed from the coefficients.

    The dual point is the rescaled residual ``theta = s R / n`` with
    ``s = min(1, n alpha / ||X^T R||_inf)``; the dual objective is then
    ``s <R, y> / n - s^2 ||R||^2 / (2n)``.
    """
    n = X.shape[0]
    W = np.asarray(coefs, dtype=np.float64)
    R = y[:, None] - np.asarray(X @ W)
    XtR = np.asarray(X.T @ R)
    dual_norm = np.max(np.abs(XtR), axis=0)
    with np.errstate(divide="ignore"):
        s = np.minimum(1.0, np.where(dual_norm > 0, n * alphas / dual_norm, 1.0))
    rr = np.einsum("ij,ij->j", R, R)
    primal = 0.5 * rr / n + alphas * np.abs(W).sum(axis=0)
    dual = s * (R.T @ y) / n - 0.5 * s * s * rr / n
    return primal - dual


def fastreg_mode(X):
    """The update mode fastreg's 'auto' picks (private helper; None if it moved)."""
    try:
        from fastreg.enet.prepare import choose_mode

        return choose_mode(X.shape[0], X.shape[1], is_sparse=sparse.issparse(X),
                           multi_task=False, precompute="auto")
    except Exception:  # the helper is private and may change
        return None


def sklearn_mode(X):
    """The update sklearn's 'auto' picks (see ``sklearn.linear_model._base._pre_fit``)."""
    if sparse.issparse(X):
        return "sparse residual"
    return "gram (full X^T X)" if X.shape[0] > X.shape[1] else "naive residual"


# --------------------------------------------------------------------------- timing


def timed(fn):
    """``(seconds, result)`` of one call, with the garbage collector held off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, result


def run_both(call_fastreg, call_sklearn, reps):
    """Alternate the two libraries ``reps`` times; return times and last results."""
    t_fr, t_sk = [], []
    out_fr = out_sk = None
    n_warn = {"fastreg": 0, "sklearn": 0}
    for rep in range(reps):
        order = ("fastreg", "sklearn") if rep % 2 == 0 else ("sklearn", "fastreg")
        for lib in order:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if lib == "fastreg":
                    dt, out_fr = timed(call_fastreg)
                    t_fr.append(dt)
                else:
                    dt, out_sk = timed(call_sklearn)
                    t_sk.append(dt)
            if rep == reps - 1:
                n_warn[lib] = sum("converge" in str(w.message).lower() for w in caught)
    return t_fr, t_sk, out_fr, out_sk, n_warn


@dataclass
class Row:
    problem: str
    shape: str
    t_fastreg: float = float("nan")
    t_sklearn: float = float("nan")
    ratio_text: str = ""
    gap_fastreg: float = float("nan")
    gap_sklearn: float = float("nan")
    obj_diff: float = float("nan")
    target: str = ""
    met: object = None  # True / False / None (not applicable)
    notes: list = field(default_factory=list)


def bench_problem(spec, args):
    X, y = build(spec, args.seed)
    n, p = X.shape
    shape = f"{n} x {p}" + (f" CSC nnz={X.nnz}" if sparse.issparse(X) else "")
    row = Row(spec.name, shape)

    alphas = sk_alpha_grid(X, y, l1_ratio=1.0, fit_intercept=False, eps=EPS,
                           n_alphas=N_ALPHAS)
    kwargs = dict(alphas=alphas, eps=EPS, precompute="auto", tol=TOL, max_iter=MAX_ITER)

    # Warm-up (untimed): compile on a tiny problem of the same kind, then run once
    # on the problem itself. sklearn gets the same two untimed calls, so that
    # neither library's timed runs pay first-touch costs the other's do not.
    Xt, yt = tiny_like(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_tiny, _ = timed(lambda: fastreg.lasso_path(Xt, yt, eps=EPS, alphas=N_ALPHAS,
                                                     tol=TOL, max_iter=MAX_ITER))
        sk_lasso_path(Xt, yt, eps=EPS, alphas=N_ALPHAS, tol=TOL, max_iter=MAX_ITER)
        t_first, _ = timed(lambda: fastreg.lasso_path(X, y, **kwargs))
        t_first_sk, _ = timed(lambda: sk_lasso_path(X, y, **kwargs))

    reps = args.tiny_reps if spec.tiny else args.reps
    t_fr, t_sk, out_fr, out_sk, n_warn = run_both(
        lambda: fastreg.lasso_path(X, y, **kwargs),
        lambda: sk_lasso_path(X, y, **kwargs),
        reps,
    )
    row.t_fastreg = statistics.median(t_fr)
    row.t_sklearn = statistics.median(t_sk)
    speedup = row.t_sklearn / row.t_fastreg

    alphas_fr, coefs_fr, gaps_fr = out_fr
    alphas_sk, coefs_sk, gaps_sk = out_sk
    if not (np.array_equal(alphas_fr, alphas) and np.array_equal(alphas_sk, alphas)):
        raise RuntimeError(f"{spec.name}: a library did not solve the given alphas")
    gap_threshold = TOL * float(y @ y) / n
    row.gap_fastreg = float(np.max(gaps_fr)) / gap_threshold
    row.gap_sklearn = float(np.max(gaps_sk)) / gap_threshold
    obj_fr = objectives(X, y, alphas, coefs_fr)
    obj_sk = objectives(X, y, alphas, coefs_sk)
    row.obj_diff = float(np.max(np.abs(obj_fr - obj_sk) / np.maximum(np.abs(obj_sk),
                                                                      np.finfo(float).tiny)))
    # Both objectives lie between the optimum and the optimum plus their own gap, so
    # |P_fastreg - P_sklearn| <= max(gap_fastreg, gap_sklearn) <= gap threshold when
    # both converged: a relative difference can exceed tol when the objective itself
    # is much smaller than ||y||^2 / n (small alphas, n_features > n_samples).
    obj_gap_ratio = float(np.max(np.abs(obj_fr - obj_sk))) / gap_threshold
    regap_fr = float(np.max(recomputed_gaps(X, y, alphas, coefs_fr))) / gap_threshold
    regap_sk = float(np.max(recomputed_gaps(X, y, alphas, coefs_sk))) / gap_threshold

    if spec.target == "floor":
        Xd = np.asarray(X)
        Xd.T @ Xd  # warm-up
        t_floor = statistics.median(timed(lambda: Xd.T @ Xd)[0] for _ in range(reps))
        fr_floor = row.t_fastreg / t_floor
        row.ratio_text = (f"{speedup:.2f}x; floor {t_floor:.4g} s: fastreg "
                          f"{fr_floor:.2f}x floor, sklearn {row.t_sklearn / t_floor:.2f}x floor")
        row.target = f"fastreg <= {spec.threshold:g}x floor"
        row.met = fr_floor <= spec.threshold
    elif spec.target == "no-slower":
        row.ratio_text = f"{speedup:.2f}x"
        row.target = "fastreg no slower"
        row.met = speedup >= spec.threshold
    else:
        row.ratio_text = f"{speedup:.2f}x"
        row.target = f">= {spec.threshold:g}x"
        row.met = speedup >= spec.threshold

    nnz_last = int(np.count_nonzero(coefs_fr[:, -1]))
    row.notes.append(
        f"fastreg mode {fastreg_mode(X)}, sklearn {sklearn_mode(X)}; {reps} rep(s); "
        f"times fastreg {fmt_list(t_fr)}, sklearn {fmt_list(t_sk)}")
    row.notes.append(
        f"untimed warm-up: fastreg tiny {t_tiny:.3g} s, first call on the problem "
        f"{t_first:.3g} s (sklearn {t_first_sk:.3g} s); nonzeros at the last alpha: fastreg {nnz_last}, sklearn "
        f"{int(np.count_nonzero(coefs_sk[:, -1]))}")
    row.notes.append(
        f"gaps recomputed by this script (max gap/tol): fastreg {regap_fr:.3g}, "
        f"sklearn {regap_sk:.3g}; max |P_fastreg - P_sklearn| / (tol ||y||^2 / n) "
        f"{obj_gap_ratio:.3g} (<= 1 expected); convergence warnings in the last rep: fastreg "
        f"{n_warn['fastreg']}, sklearn {n_warn['sklearn']}")
    return row


# ------------------------------------------------------------ the other pairs


def bench_other(name, args):
    """One row for a pair other than ``lasso_path``: the elastic-net path, 10-fold lasso
    CV against ``LassoCV``, a 50-alpha ridge path against a loop of ``Ridge`` fits, and
    exact leave-one-out ``ridge_cv`` against ``RidgeCV``, all on the dense-corr design.

    Accuracy columns: the enet row has the gaps and objectives of the lasso rows; the
    CV rows put the fastreg / sklearn gap of the refit in the gap columns; the ridge
    rows put the largest coefficient difference relative to the largest coefficient
    in the "rel obj diff" column (ridge is solved directly: no gap).
    """
    from sklearn.linear_model import LassoCV, Ridge, RidgeCV
    from sklearn.linear_model import enet_path as sk_enet_path

    n, p = (2000, 100) if args.quick else (20000, 500)
    X, y = build(Spec(name, "dense", n, p, seed_offset=5), args.seed)
    row = Row(name, f"{n} x {p}")
    ridge_alphas = np.logspace(-2, 4, 50) * n / 100
    if name == "enet":
        alphas = sk_alpha_grid(X, y, l1_ratio=0.5, fit_intercept=False, eps=EPS,
                               n_alphas=N_ALPHAS)
        kw = dict(l1_ratio=0.5, alphas=alphas, tol=TOL, max_iter=MAX_ITER)
        calls = (lambda: fastreg.enet_path(X, y, **kw), lambda: sk_enet_path(X, y, **kw))
        label, target = "enet_path l1_ratio=0.5, 100 alphas", "report"
    elif name == "lasso-cv":
        kw = dict(cv=10, alphas=N_ALPHAS, eps=EPS, tol=TOL, max_iter=MAX_ITER)
        calls = (lambda: fastreg.lasso_cv(X, y, **kw), lambda: LassoCV(**kw).fit(X, y))
        label, target = "lasso_cv vs LassoCV, 10 folds, 100 alphas", ">= 5x"
    elif name == "ridge":
        calls = (lambda: fastreg.ridge_path(X, y, ridge_alphas, fit_intercept=True),
                 lambda: np.array([Ridge(alpha=a).fit(X, y).coef_ for a in ridge_alphas]))
        label, target = "ridge_path vs a loop of Ridge().fit, 50 alphas", "report"
    else:
        calls = (lambda: fastreg.ridge_cv(X, y, ridge_alphas),
                 lambda: RidgeCV(alphas=ridge_alphas).fit(X, y))
        label, target = "ridge_cv (exact LOO) vs RidgeCV, 50 alphas", "report"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calls[0]()  # compile / warm up, untimed
        calls[1]()
    t_fr, t_sk, out_fr, out_sk, n_warn = run_both(*calls, args.reps)
    row.t_fastreg, row.t_sklearn = statistics.median(t_fr), statistics.median(t_sk)
    speedup = row.t_sklearn / row.t_fastreg
    row.ratio_text = f"{speedup:.2f}x"
    row.target = target
    row.met = speedup >= 5.0 if target == ">= 5x" else None
    if name == "enet":
        threshold = TOL * float(y @ y) / n
        row.gap_fastreg = float(np.max(out_fr[2])) / threshold
        row.gap_sklearn = float(np.max(out_sk[2])) / threshold
        l1, l2 = 0.5 * alphas, 0.5 * alphas

        def enet_objectives(coefs):
            r = y[:, None] - X @ coefs
            return (0.5 * np.einsum("ik,ik->k", r, r) / n + l1 * np.abs(coefs).sum(0)
                    + 0.5 * l2 * (coefs**2).sum(0))

        o_fr, o_sk = enet_objectives(out_fr[1]), enet_objectives(out_sk[1])
        row.obj_diff = float(np.max(np.abs(o_fr - o_sk) / np.abs(o_sk)))
    elif name == "lasso-cv":
        yc = y - y.mean()
        threshold = TOL * float(yc @ yc) / n
        row.gap_fastreg = out_fr.dual_gap / threshold
        row.gap_sklearn = float(out_sk.dual_gap_) / threshold
        row.obj_diff = float(np.max(np.abs(out_fr.coef - out_sk.coef_))
                             / np.max(np.abs(out_sk.coef_)))
        row.notes.append(f"alpha_: fastreg {out_fr.alpha:.6g}, sklearn {out_sk.alpha_:.6g}; "
                         f"max rel diff of mse_path "
                         f"{np.max(np.abs(out_fr.mse_path / out_sk.mse_path_ - 1)):.2e}")
    elif name == "ridge":
        row.obj_diff = float(np.max(np.abs(out_fr - out_sk)) / np.max(np.abs(out_sk)))
        row.notes.append("rel obj diff column: max |coef_fastreg - coef_sklearn| / max |coef|")
    else:
        row.obj_diff = float(np.max(np.abs(out_fr.coef - out_sk.coef_))
                             / np.max(np.abs(out_sk.coef_)))
        row.notes.append(f"alpha_: fastreg {out_fr.alpha:.6g}, sklearn {out_sk.alpha_:.6g}; "
                         "rel obj diff column: max coefficient difference / max |coef|")
    row.notes.insert(0, f"{label}; {args.reps} rep(s); times fastreg {fmt_list(t_fr)}, "
                        f"sklearn {fmt_list(t_sk)}; convergence warnings in the last rep: "
                        f"fastreg {n_warn['fastreg']}, sklearn {n_warn['sklearn']}")
    return row


def fmt_list(values):
    if len(values) > 5:
        return f"min {min(values):.4g} / max {max(values):.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


# --------------------------------------------------------------------------- latency

_CHILD = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import {module}
t2 = time.perf_counter()
rng = np.random.default_rng(0)
X = np.asfortranarray(rng.standard_normal((200, 50)))
y = X[:, :5] @ np.arange(1.0, 6.0) + rng.standard_normal(200)
t3 = time.perf_counter()
{call}(X, y, eps=1e-3, alphas=100, tol=1e-4, max_iter=1000)
t4 = time.perf_counter()
{call}(X, y, eps=1e-3, alphas=100, tol=1e-4, max_iter=1000)
t5 = time.perf_counter()
print(json.dumps({{"import_numpy": t1 - t0, "import": t2 - t1,
                  "first_call": t4 - t3, "second_call": t5 - t4}}))
"""


def run_child(module, call, env):
    code = _CHILD.format(module=module, call=call)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=600, cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise RuntimeError(f"latency subprocess failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_latency(args):
    """Import and first-call times in fresh processes (cold and warm Numba cache)."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS"):
        env[var] = str(args.threads)
    runs = 1 if args.quick else 3
    with tempfile.TemporaryDirectory(prefix="fastreg-numba-cache-") as cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
        fr_call = "fastreg.lasso_path"
        cold = run_child("fastreg", fr_call, env)
        warm = [run_child("fastreg", fr_call, env) for _ in range(runs)]
    sk_env = {k: v for k, v in env.items() if k != "NUMBA_CACHE_DIR"}
    skl = [run_child("sklearn.linear_model", "sklearn.linear_model.lasso_path", sk_env)
           for _ in range(runs)]

    def med(results, key):
        return statistics.median(r[key] for r in results)

    shape = "200 x 50"
    rows = []
    imp = Row("import (fresh process)", "-", med(warm, "import"), med(skl, "import"))
    imp.ratio_text = f"{imp.t_sklearn / imp.t_fastreg:.2f}x"
    imp.target = "report"
    imp.notes.append(
        f"import fastreg / sklearn.linear_model after numpy (numpy itself "
        f"{med(warm, 'import_numpy'):.3g} s); fastreg import with an empty cache: "
        f"{cold['import']:.3g} s; {runs} warm run(s), medians")
    rows.append(imp)
    c = Row("first call, cold cache", shape, cold["first_call"], med(skl, "first_call"))
    c.ratio_text = f"{c.t_sklearn / c.t_fastreg:.2f}x"
    c.target = "report (compiles)"
    c.notes.append(f"second call in the same process: fastreg {cold['second_call']:.3g} s; "
                   "sklearn has no JIT cache, so both first-call rows show the same "
                   "fresh-process sklearn runs")
    rows.append(c)
    w = Row("first call, warm cache", shape, med(warm, "first_call"), med(skl, "first_call"))
    w.ratio_text = f"{w.t_sklearn / w.t_fastreg:.2f}x"
    w.target = "fastreg < 1 s"
    w.met = w.t_fastreg < 1.0
    w.notes.append(f"second call in the same process: fastreg "
                   f"{med(warm, 'second_call'):.3g} s, sklearn {med(skl, 'second_call'):.3g} s")
    rows.append(w)
    return rows


# --------------------------------------------------------------------------- report


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision():
    """Read-only: the checked-out commit and whether the work tree has edits."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" (uncommitted changes)" if dirty else "")


def header(args, default_pools):
    lines = [
        "# fastreg vs scikit-learn: lasso_path benchmark",
        "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}; CPU: {cpu_model()}; "
        f"cores: {os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable",
        f"- Python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, numba {numba.__version__}, scikit-learn "
        f"{sklearn.__version__}, threadpoolctl {threadpoolctl.__version__}, fastreg "
        f"{fastreg.__version__} at {git_revision()}",
    ]
    for pool in threadpoolctl.threadpool_info():
        default = default_pools.get(pool["filepath"], "?")
        lines.append(
            f"- threadpool: {pool['user_api']} {pool['internal_api']} "
            f"{pool.get('version') or ''} ({Path(pool['filepath']).name}"
            f"{', ' + pool['architecture'] if pool.get('architecture') else ''}"
            f"{', ' + pool['threading_layer'] if pool.get('threading_layer') else ''}): "
            f"{pool['num_threads']} thread(s) in this run (default {default})")
    lines.append(f"- numba threads: {numba.get_num_threads()} (fastreg kernels are "
                 f"single-threaded); --threads {args.threads}")
    lines.append(f"- settings: {N_ALPHAS} alphas (sklearn's grid, passed explicitly to "
                 f"both), eps={EPS:g}, tol={TOL:g}, max_iter={MAX_ITER}, "
                 f"precompute='auto'; reps {args.reps} (diabetes {args.tiny_reps}); "
                 f"seed {args.seed}" + ("; QUICK (smaller shapes)" if args.quick else ""))
    slow = [v for v in SLOW_ENV_VARS if v in os.environ]
    if slow:
        lines.append(f"- WARNING: {', '.join(slow)} set; run under "
                     f"`env -u {' -u '.join(SLOW_ENV_VARS)}` for representative numbers")
    return "\n".join(lines)


COLUMNS = ("problem", "shape", "fastreg s", "sklearn s", "speedup (or ratio to floor)",
           "max gap/tol fastreg", "max gap/tol sklearn", "max rel obj diff", "target", "met")


def table(rows):
    def num(value, spec):
        return "-" if value != value else format(value, spec)  # NaN -> '-'

    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join(["---"] * len(COLUMNS)) + "|"]
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "NO")
        cells = (r.problem, r.shape, num(r.t_fastreg, ".4g"), num(r.t_sklearn, ".4g"),
                 r.ratio_text, num(r.gap_fastreg, ".3g"), num(r.gap_sklearn, ".3g"),
                 num(r.obj_diff, ".2e"), r.target, met)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time fastreg.lasso_path against sklearn.linear_model.lasso_path.")
    parser.add_argument("--quick", action="store_true",
                        help="smaller shapes and 1 repetition (CI smoke test, < 60 s)")
    parser.add_argument("--problems", default=",".join(ALL_NAMES),
                        help="comma-separated subset of %(default)s")
    parser.add_argument("--reps", type=int, default=None,
                        help="timed repetitions per problem (default 3; 1 with --quick)")
    parser.add_argument("--tiny-reps", type=int, default=None,
                        help="repetitions for the diabetes problem (default 100; 20 with "
                             "--quick)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP/Numba threads for both libraries (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 if a target is missed or fastreg's gap exceeds tol")
    args = parser.parse_args(argv)
    if args.reps is None:
        args.reps = 1 if args.quick else 3
    if args.tiny_reps is None:
        args.tiny_reps = 20 if args.quick else 100
    if args.reps < 1 or args.tiny_reps < 1 or args.threads < 1:
        parser.error("--reps, --tiny-reps and --threads must be >= 1")
    args.problems = [name.strip() for name in args.problems.split(",") if name.strip()]
    unknown = set(args.problems) - set(ALL_NAMES)
    if unknown:
        parser.error(f"unknown problem(s) {sorted(unknown)}; choose from "
                     f"{', '.join(ALL_NAMES)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    # Setting Numba's thread count starts its threading layer (which may load an
    # OpenMP runtime), so do it before recording the pools' default thread counts.
    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    default_pools = {p["filepath"]: p["num_threads"]
                     for p in threadpoolctl.threadpool_info()}
    specs = problem_specs(args.quick)
    start = time.perf_counter()
    rows = []
    with threadpoolctl.threadpool_limits(limits=args.threads):
        print(header(args, default_pools), flush=True)
        for name in PROBLEM_NAMES:
            if name in args.problems:
                print(f"... {name}", file=sys.stderr, flush=True)
                rows.append(bench_problem(specs[name], args))
        for name in OTHER_NAMES:
            if name in args.problems:
                print(f"... {name}", file=sys.stderr, flush=True)
                rows.append(bench_other(name, args))
    if "latency" in args.problems:
        print("... latency (fresh subprocesses)", file=sys.stderr, flush=True)
        rows.extend(bench_latency(args))

    text = table(rows)
    print()
    print(text)
    print()
    print("Notes (gap/tol: largest returned duality gap over tol * ||y||^2 / n; "
          "rel obj diff: largest |P_fastreg - P_sklearn| / |P_sklearn| over the alphas):")
    for r in rows:
        for note in r.notes:
            print(f"- {r.problem}: {note}")
    print(f"\nTotal wall time {time.perf_counter() - start:.1f} s")
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")

    if args.strict:
        failed = [r.problem for r in rows
                  if r.met is False or (r.gap_fastreg == r.gap_fastreg and r.gap_fastreg > 1)]
        if failed:
            print(f"--strict: failed {', '.join(failed)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
