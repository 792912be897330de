"""The path driver: warm starts, strong rules, KKT re-checks, gap certificates.

Mode-agnostic: it talks to a problem object from ``fastreg.enet.designs`` and to
the shared kernels in ``fastreg._kernels.gap``. Per alpha:

1. working set = nonzero coefficients + features passing the sequential strong
   rule ``||g_j|| > l1_ratio * (2 alpha_k - alpha_{k-1})`` at the previous
   solution, minus features certified zero by gap-safe screening;
2. coordinate descent on the working set until the subproblem's duality gap
   is at most ``tol * ||y||^2 / n``, then on toward ``1e-12 ||y||^2 / n`` for a
   budget of sweeps that costs little (:func:`refine_sweeps`);
3. the exact gradient of every feature gives the full duality gap (the
   certificate) and the KKT violators outside the working set; violators join
   and 2 repeats. Without violators the two gaps agree, so one full gradient
   per alpha is the usual cost.

The stopping rule: the certificate is scikit-learn's, ``gap <= tol * ||y||^2 / n``
at every alpha, and an alpha is never accepted without it. But a solver that
stops right at that threshold is far less accurate than scikit-learn in
practice: at the first alphas ``P*`` is close to ``||y||^2 / (2n)``, so the
threshold allows a relative error up to ``2 tol``, while scikit-learn, which
checks its gap only once its coordinate updates are small, overshoots by orders
of magnitude exactly where sweeps are cheap (small working sets, fast
convergence). So once the working-set gap meets the certificate, the sweeps go
on toward the floor ``1e-12 ||y||^2 / n`` (float32: the float32 floor of
:mod:`fastreg._precision`) for at most :func:`refine_sweeps` more sweeps: as
many working-set sweeps as cost one full-gradient pass. An alpha whose warm
start already meets the certificate gets the same chance once (except the
first alpha: a given ``coef_init`` that meets it is returned as is). Measured on the
benchmark problems (``scripts/bench_curves.py``), this makes fastreg's relative
suboptimality at every alpha at most scikit-learn's at tol from 1e-2 to 1e-6.

With penalty factors or bounds (a :class:`fastreg.enet.designs.FeatureBox`) the
same steps run with the per-feature rules of ``box_gap`` / ``box_kkt_and_screen``
(unpenalized features always in the working set, excluded ones never). After
each alpha the path may stop early: at a nonzero count above ``max_features``,
when the fraction of deviance explained stops changing (``min_dev_change``) or
when the callback asks to.
"""

import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from .grid import alpha_max
from .._kernels.gap import box_gap, box_kkt_and_screen, duality_gap, kkt_and_screen
from .designs import FeatureBox
from .._scaling import IDENTITY
from .._precision import reachable_tol, warn_float32_reach
from .._warnings import convergence_warning_class

# When the full gap misses the target although no feature violates the KKT
# conditions (rounding between the kernels' running sums and the fresh
# gradient), the working-set target tightens by this factor.
_INNER_TOL_DECREASE = 0.5

# Past the certificate the working-set solves aim at _GAP_FLOOR * ||y||^2 / n
# (below, a float64 gap is mostly rounding) for refine_sweeps() more sweeps:
# _REFINE_PASSES full-gradient passes worth of working-set sweeps. A pass is
# counted as n_features columns plus _ALPHA_OVERHEAD / n_samples columns, an
# allowance for the fixed (Python) cost of an alpha, so that tiny problems,
# where a sweep costs microseconds, are not starved. Chosen by measurement on
# the problems of scripts/bench_vs_sklearn.py (full and --quick shapes, tol 1e-2
# to 1e-6): one pass keeps every problem at least as accurate as scikit-learn
# at every alpha; four passes (or twice the sweeps the certificate took) buy
# nothing more there and cost 1.7x the sweeps on 500 x 5000; with an allowance
# of 2e5 entries diabetes stays less accurate than scikit-learn at its last
# alphas at tol=1e-6 (1.9e-11 against 2.3e-12), with 5e5 it does not.
_REFINE_PASSES = 1.0
_ALPHA_OVERHEAD = 5e5
_GAP_FLOOR = 1e-12

# The deviance rule (min_dev_change) is not applied before this many alphas
# (glmnet's default minimum path length, which lets the first, nearly empty
# models pass).
MIN_ALPHAS_BEFORE_DEV_STOP = 5


@dataclass
class PathInfo:
    """What :func:`solve_path` reports besides coefficients (``return_info=True``).

    Attributes
    ----------
    dev_ratio : ndarray of shape (n_solved,)
        Fraction of (null) deviance explained at each solved alpha,
        ``1 - ||r||^2 / ||y||^2`` on the problem solved (centered ``y`` when an
        intercept is fitted; weighted with sample weights).
    stop_reason : str or None
        Why the path stopped before the last alpha (``None``: it did not).
    n_solved : int
        Number of alphas solved (the length of every returned array).
    """

    dev_ratio: np.ndarray = field(default_factory=lambda: np.empty(0))
    stop_reason: object = None
    n_solved: int = 0


class _PlainRules:
    """Gap and working-set rules of the default problem (scikit-learn's)."""

    def __init__(self, problem, positive):
        self.positive = positive
        self.all_features = np.arange(problem.n_features, dtype=np.int64)
        self.norms2 = problem.norms2

    def reset(self, W2, in_set, screened):
        in_set[:] = np.any(W2 != 0.0, axis=1)
        screened[:] = False

    def gap(self, G, W2, R2, Ry, l1, l2, n):
        return duality_gap(G, W2, self.all_features, R2, Ry, l1, l2, self.positive, n)

    def update(self, G, W2, gap, dual, l1, l2, threshold, do_screening, in_set, screened):
        return kkt_and_screen(G, W2, self.norms2, gap, dual, l1, l2, self.positive,
                              threshold, do_screening, in_set, screened)

    def gradient_threshold(self, l1):
        return l1


class _BoxRules:
    """Per-feature rules for penalty factors and box constraints (single task)."""

    def __init__(self, problem, box):
        self.box = box
        self.all_features = np.arange(problem.n_features, dtype=np.int64)
        self.norms2 = problem.norms2
        self.kernel_args = box.kernel_args
        self.c = np.zeros(problem.n_features)
        # only residual updates on dense X skip gradients (GradientBounds)
        self.skips_gradients = hasattr(problem, "bounds")

    def reset(self, W2, in_set, screened):
        in_set[:] = W2[:, 0] != 0.0
        in_set[self.box.unpenalized] = True
        in_set[self.box.excluded] = False
        screened[:] = self.box.excluded

    def gap(self, G, W2, R2, Ry, l1, l2, n):
        opts, unpen, K, XyU, _ = self.kernel_args
        return box_gap(G[:, 0], W2[:, 0], self.all_features, R2, Ry, l1, l2, opts, unpen,
                       K, XyU, n, self.c)

    def update(self, G, W2, gap, s, l1, l2, threshold, do_screening, in_set, screened):
        return box_kkt_and_screen(G[:, 0], self.c, W2[:, 0], self.norms2, gap, s, l1, l2,
                                  self.kernel_args[0], threshold, do_screening, in_set,
                                  screened)

    def gradient_threshold(self, l1):
        return self.box.gradient_threshold(l1) if self.skips_gradients else None


def solve_path(problem, alphas, l1_ratio, W, *, positive, tol, max_iter, seed,
               do_screening, verbose=0, box=None, max_features=None, min_dev_change=None,
               callback=None, return_info=False, data_scale=IDENTITY):
    """Solve the elastic net at every alpha, warm-starting each from the last.

    Parameters
    ----------
    problem : a problem object of ``fastreg.enet.designs``
    alphas : ndarray of shape (n_alphas,)
        Decreasing regularization strengths.
    l1_ratio : float
    W : ndarray of shape (n_features,) or (n_features, n_tasks)
        Starting coefficients; updated in place to the last solution.
    positive : bool
        Ignored when ``box`` is given (fold it into the box's lower bounds).
    tol : float
        Accept an alpha only when its duality gap is ``<= tol * ||y||^2 / n``
        (past that, a few more sweeps where they are cheap: module docstring).
    max_iter : int
        Maximum number of coordinate sweeps per alpha (refinement included).
    seed : int
        ``-1`` for cyclic coordinate order, else the seed of a random order.
    do_screening : bool
        Gap-safe screening on or off (strong rules and KKT checks always run).
    verbose : int
        0 silent; 1 a dot per alpha; 2 or more a line per alpha (gap, sweeps,
        working set, nonzeros, fraction of deviance explained). From 1 on, an
        early stop is reported with its reason.
    box : FeatureBox or None
        Penalty factors and bounds (single task); None is the default problem.
    max_features : int or None
        Stop after the first alpha whose solution has more than this many
        nonzero coefficients (that alpha is kept).
    min_dev_change : float or None
        Stop after alpha k (kept) when ``dev_k - dev_{k-1} < min_dev_change * dev_k``
        for the fraction of deviance explained ``dev``; checked from the
        ``MIN_ALPHAS_BEFORE_DEV_STOP``-th alpha on.
    callback : callable or None
        ``callback(k, alpha, coef, gap, n_nonzero)`` after each alpha, with
        ``coef`` a copy of the solution (``(n_features,)`` or
        ``(n_tasks, n_features)``); a true return value stops the path (alpha k
        is kept).
    return_info : bool
        Also return a :class:`PathInfo`.
    data_scale : DataScale
        The power-of-two rescaling that turned the caller's data into
        ``problem``'s (:mod:`fastreg._scaling`): ``alphas`` are the caller's,
        and the penalties the kernels see are rescaled with it. Warnings,
        progress lines and the callback report the caller's coefficients and
        gaps; the returned ``coefs``, ``gaps`` and ``W`` are the problem's
        (undo with ``data_scale``).

    Returns
    -------
    coefs : ndarray of shape (n_features, n_solved) or (n_tasks, n_features, n_solved)
        ``n_solved < n_alphas`` only when the path stopped early.
    gaps : ndarray of shape (n_solved,)
    n_iters : list of int
    info : PathInfo
        Only with ``return_info=True``.
    """
    n, p = problem.n_samples, problem.n_features
    n_alphas = alphas.shape[0]
    W2 = W.reshape(p, -1)
    W2[problem.norms2 == 0.0] = 0.0  # a zero column carries only penalty
    if box is None:
        rules = _PlainRules(problem, positive)
        box_args = ()
    else:
        if problem.n_tasks is not None:
            raise NotImplementedError("Penalty factors and bounds need a single target.")
        rules = _BoxRules(problem, box)
        box.project(W)
        box_args = (box.kernel_args,)
    problem.start(W)
    G, R2, Ry = problem.gradient(W)
    # float32 coefficients cannot be certified below about FLOAT32_MIN_TOL:
    # aiming lower only spends max_iter sweeps per alpha on rounding noise
    requested_tol, tol = tol, reachable_tol(tol, W.dtype)
    gap_tol = tol * problem.yy / n
    fine = min(1.0, reachable_tol(_GAP_FLOOR, W.dtype) / tol) if tol > 0 else 1.0
    if problem.n_tasks is None:
        coefs = np.empty((p, n_alphas), dtype=W.dtype)
    else:
        coefs = np.empty((problem.n_tasks, p, n_alphas), dtype=W.dtype)
    gaps = np.empty(n_alphas)
    dev = np.empty(n_alphas)
    n_iters = []
    in_set = np.zeros(p, dtype=bool)
    screened = np.zeros(p, dtype=bool)
    stop_reason = None
    n_solved = n_alphas
    watch = (max_features is not None or min_dev_change is not None or callback is not None
             or return_info)
    for k in range(n_alphas):
        alpha = float(alphas[k])
        l1 = data_scale.l1_to_internal(alpha * l1_ratio)
        l2 = data_scale.l2_to_internal(alpha * (1.0 - l1_ratio))
        if l1 == 0.0:
            threshold = -np.inf  # no sparsity to exploit: every feature works
        elif k == 0:
            threshold = l1
        else:
            threshold = data_scale.l1_to_internal(
                l1_ratio * (2.0 * alpha - float(alphas[k - 1])))
        rules.reset(W2, in_set, screened)
        gap, dual = rules.gap(G, W2, R2, Ry, l1, l2, n)
        rules.update(G, W2, gap, dual, l1, l2, threshold, do_screening, in_set, screened)
        inner_tol = gap_tol
        n_sweeps = 0
        n_solves = 0
        # a first alpha whose given start (coef_init) already meets the certificate
        # is returned as is, as scikit-learn does; later alphas, warm-started from
        # the path, get the extra sweeps once
        refined = k == 0
        while n_sweeps < max_iter and (gap > gap_tol or (not refined and gap > gap_tol * fine)):
            ws = np.flatnonzero(in_set)
            problem.prepare(ws, G)
            sweep_seed = -1 if seed < 0 else (seed + 7919 * k + n_solves) % (2**31 - 1)
            n_epochs, ws_gap = problem.solve(W, ws, l1, l2, positive, inner_tol,
                                             max_iter - n_sweeps, sweep_seed, *box_args)
            n_sweeps += n_epochs
            # past the certificate, aim at the floor within a budget of sweeps:
            # accuracy where it is cheap (module docstring)
            budget = min(refine_sweeps(ws.shape[0], p, n), max_iter - n_sweeps)
            if ws_gap <= inner_tol and budget > 0:
                n_sweeps += problem.solve(W, ws, l1, l2, positive, inner_tol * fine,
                                          budget, sweep_seed, *box_args)[0]
            refined = True
            n_solves += 1
            G, R2, Ry = problem.gradient(W, rules.gradient_threshold(l1))
            gap, dual = rules.gap(G, W2, R2, Ry, l1, l2, n)
            if gap <= gap_tol:
                break
            n_added = rules.update(G, W2, gap, dual, l1, l2, l1, do_screening, in_set,
                                   screened)
            if n_added == 0:
                inner_tol *= _INNER_TOL_DECREASE
        if gap > gap_tol:
            warnings.warn(
                # the opening sentence is scikit-learn's own: filters and tests match it
                "Objective did not converge. You might want to increase the number "
                "of iterations, check the scale of the features or consider "
                f"increasing regularisation. Duality gap: "
                f"{data_scale.gap_to_user(gap):.6e}, tolerance: "
                f"{data_scale.gap_to_user(gap_tol):.3e} (alpha={alpha:.6g}, path index {k}, "
                f"max_iter={max_iter} sweeps).",
                convergence_warning_class(),
                stacklevel=3,
            )
        if problem.n_tasks is None:
            coefs[:, k] = W
        else:
            coefs[:, :, k] = W.T
        gaps[k] = gap
        n_iters.append(n_sweeps)
        if not (verbose or watch):
            continue
        dev[k] = 1.0 - R2 * n / problem.yy if problem.yy > 0 else 0.0
        n_nonzero = int(np.count_nonzero(np.any(W2 != 0.0, axis=1)))
        if verbose:
            _report(verbose, k, n_alphas, alpha, data_scale.gap_to_user(gap), n_sweeps,
                    int(in_set.sum()), n_nonzero, dev[k])
        stop_reason = _stop_reason(k, dev, n_nonzero, max_features, min_dev_change)
        if callback is not None and stop_reason is None:
            coef = data_scale.coef_to_user(coefs[..., k]) if data_scale.active \
                else coefs[..., k].copy()
            if callback(k, alpha, coef, float(data_scale.gap_to_user(gap)), n_nonzero):
                stop_reason = f"the callback returned True at path index {k}"
        if stop_reason is not None and k + 1 < n_alphas:
            n_solved = k + 1
            if verbose:
                print(f"\nPath stopped after {n_solved} of {n_alphas} alphas: {stop_reason}.",
                      file=sys.stderr)
            break
        stop_reason = None
    if tol > requested_tol:
        warn_float32_reach(requested_tol, tol, gaps[:n_solved], problem.yy / n)
    coefs, gaps = coefs[..., :n_solved], gaps[:n_solved]
    if n_solved < n_alphas:
        coefs = coefs.copy()
    if return_info:
        return coefs, gaps, n_iters, PathInfo(dev[:n_solved].copy(), stop_reason, n_solved)
    return coefs, gaps, n_iters


def refine_sweeps(n_working, n_features, n_samples):
    """How many more sweeps a working set gets once it meets the certificate.

    As many as cost ``_REFINE_PASSES`` full-gradient passes:
    ``_REFINE_PASSES * (n_features + _ALPHA_OVERHEAD / n_samples) / n_working``.
    Small working sets, where extra sweeps cost almost nothing, get many and are
    solved to about the floor; large ones get few.

    Parameters
    ----------
    n_working : int
        Size of the working set.
    n_features, n_samples : int

    Returns
    -------
    int
    """
    columns = n_features + _ALPHA_OVERHEAD / max(n_samples, 1)
    return int(_REFINE_PASSES * columns / max(n_working, 1))


def _stop_reason(k, dev, n_nonzero, max_features, min_dev_change):
    """Why the path stops after alpha k (None: it goes on)."""
    if max_features is not None and n_nonzero > max_features:
        return (f"{n_nonzero} nonzero coefficients exceed max_features={max_features} "
                f"at path index {k}")
    if min_dev_change is not None and k + 1 >= MIN_ALPHAS_BEFORE_DEV_STOP:
        change = dev[k] - dev[k - 1]
        if change < min_dev_change * dev[k]:
            return (f"the fraction of deviance explained changed by {change:.3g} "
                    f"(< min_dev_change={min_dev_change:g} x {dev[k]:.4f}) at path index {k}")
    return None


def fit_unpenalized(problem, box, W, *, tol, max_iter):
    """Fit the unpenalized features alone (the others at zero), in place in ``W``.

    This is the solution at ``alpha_max`` (no penalized feature active), whose
    gradient defines ``alpha_max`` with penalty factors.

    Parameters
    ----------
    problem : single-task problem object
    box : FeatureBox
    W : ndarray of shape (n_features,)
        Set to zero, then to the fit.
    tol : float
        Relative duality-gap tolerance (as in :func:`solve_path`).
    max_iter : int

    Returns
    -------
    G : ndarray of float64, shape (n_features, 1)
        ``X^T r / n`` at the fit (after an exact least-squares refit of the
        unpenalized features with an unbounded side).
    """
    W[:] = 0.0
    problem.start(W)
    G = problem.gradient(W)[0]
    free = box.unpenalized
    if free.size == 0:
        return G
    n = problem.n_samples
    problem.prepare(free, G)
    problem.solve(W, free.copy(), 1.0, 0.0, False, tol * problem.yy / n, max_iter, -1,
                  box=box.kernel_args)
    G, R2, Ry = problem.gradient(W)
    # the gradient after the exact least-squares refit of the free unpenalized
    # features (box_gap's projection): alpha_max to rounding, not to tol
    opts, unpen, K, XyU, _ = box.kernel_args
    c = np.zeros(problem.n_features)
    box_gap(G[:, 0], W, np.arange(problem.n_features, dtype=np.int64), R2, Ry, 1.0, 0.0,
            opts, unpen, K, XyU, n, c)
    return c[:, None]


def _report(verbose, k, n_alphas, alpha, gap, n_sweeps, n_working, n_nonzero, dev_ratio):
    if verbose > 1:
        print(f"Path: {k:03d} out of {n_alphas:03d}  alpha={alpha:.4e}  gap={gap:.3e}  "
              f"sweeps={n_sweeps}  working={n_working}  nonzero={n_nonzero}  "
              f"dev_ratio={dev_ratio:.4f}",
              file=sys.stderr)
    else:
        sys.stderr.write(".")


def path_alpha_max(problem, box, W, scale, l1_ratio, *, positive, tol, max_iter):
    """The smallest alpha at which every penalized coefficient is zero.

    With penalty factors or bounds (``box``) that point is the fit of the
    unpenalized features alone, written into ``W`` (the path's warm start).
    ``scale`` is the data term's ``n`` (``1 / (2 n) ||y - Xw||^2``).
    """
    if box is None:
        return alpha_max(problem.Xy(), scale, l1_ratio, positive=positive)
    G = fit_unpenalized(problem, box, W, tol=tol * 1e-3, max_iter=max_iter)
    return alpha_max(G * scale, scale, l1_ratio, penalty_factor=box.factors,
                     lower=box.opts[1], upper=box.opts[2])


def feature_box(problem, factors, bounds, positive, scale=None):
    """The :class:`FeatureBox` of validated options (bounds in the problem's scale).

    ``scale``: the column scales of a standardized problem (None: unscaled);
    a bound ``l`` on an original coefficient is ``l * scale`` on the scaled one.
    """
    n_features = problem.n_features
    lower, upper = bounds if bounds is not None else (np.full(n_features, -np.inf),
                                                      np.full(n_features, np.inf))
    if positive:
        lower = np.maximum(lower, 0.0)
    if scale is not None:
        lower, upper = lower * scale, upper * scale
    factors = np.ones(n_features) if factors is None else factors
    return FeatureBox(problem, factors, lower, upper)
