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
   certificate) and the KKT violators outside the working set; the next
   working set is the support plus the violators, and 2 repeats. Without
   violators the two gaps agree, so one full gradient per alpha is the usual
   cost.

A path whose first alpha starts from zero far below alpha_max goes there
through lead alphas (:func:`_lead_alphas`), solved and not returned.

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
On ill-conditioned data a small gap still allows coefficients far from the
solution, and scikit-learn's own test binds there: then the sweeps go on until
the last one moved no coefficient by more than ``tol`` times the largest
(``step_tol``, :func:`fastreg._kernels.cycle.refined_solve`; at most 0.5% more
sweeps on the benchmark problems, and ``ElasticNet(l1_ratio=0)`` at
``tol=1e-11`` on data of effective rank 10 within 1.6e-9 of ``Ridge`` instead of
7.5e-4).

Where the design can (``problem.solves_steps``: covariance updates on the
full Gram matrix, residual updates on float64 dense X below 4 MB, whose
gradient is computed whole or bounded from X itself in a kernel:
``cd_naive.bounded_gradient``, or on float64 CSC X whose gradient pass is serial,
below ``_parallel.PARALLEL_MIN_NNZ`` entries) and the problem is the default one,
these steps run for a whole run of alphas in one compiled call
(:func:`fastreg._kernels.cycle.path_steps`): the same rules, the same results
to the bit (``tests/enet/test_driver.py``), without the Python between the
kernels of every alpha, and with one GIL release per run, so that the fold
paths of cross-validation run side by side on threads. Without anything to
look at between alphas (progress, early stops, callback) the run is the whole
grid; else it is one alpha.

With penalty factors or bounds (a :class:`fastreg.enet.penalty.FeatureBox`) the
same steps run with the per-feature rules of ``box_gap`` / ``box_kkt_and_screen``
(unpenalized features always in the working set, excluded ones never): the
kernels take the penalty as a record (``None`` for the default problem) and
specialize on it at compile time. After
each alpha the path may stop early: at a nonzero count above ``max_features``,
when the fraction of deviance explained stops changing (``min_dev_change``) or
when the callback asks to.
"""

import sys
import warnings
from dataclasses import dataclass

import numpy as np

from .._kernels import scans
from .._kernels.cycle import INNER_TOL_DECREASE, step_penalties
from .._kernels.gap import duality_gap, kkt_and_screen
from .._precision import reachable_tol, warn_float32_reach
from .._warnings import caller_stacklevel, convergence_warning_class

# Past the certificate the working-set solves aim at _GAP_FLOOR * ||y||^2 / n
# (below, a float64 gap is mostly rounding) for refine_sweeps() more sweeps:
# _REFINE_PASSES full-gradient passes worth of working-set sweeps. A pass is
# counted as n_features columns plus (the problem's alpha_overhead) / n_samples
# columns, an allowance for the fixed cost of an alpha, so that tiny problems,
# where a sweep costs microseconds, are not starved. Chosen by measurement on
# the problems of scripts/bench_vs_sklearn.py and bench_curves.py (full and
# --quick shapes, tol 1e-2 to 1e-6): one pass keeps every problem at least as
# accurate as scikit-learn at every alpha; four passes (or twice the sweeps the
# certificate took) buy nothing more there and cost 1.7x the sweeps on 500 x
# 5000. The allowance, in entries, differs by update kind. Covariance updates
# (_ALPHA_OVERHEAD, the default): with 2e5 a path on float32-rounded Gram
# columns (tests/enet/test_path.py) keeps a tiny nonzero coefficient that
# violates its KKT condition by 2x the bound its gap implies. Residual updates
# (_RESIDUAL_ALPHA_OVERHEAD, DenseProblem and CscProblem): 1e4. What bounded it
# before (3e5) was scikit-learn's test that ElasticNetCV (max_iter=50) finds the
# same errors on CSC and dense X: only the dense sweeps extrapolated, and the
# extra sweeps hid the difference (2.9e-6 apart with 1e5). Both extrapolate alike
# now (cd_naive.anderson_residual) and agree to 2e-11 with 1e4. What bounds it
# now is scikit-learn's test that ElasticNetCV and MultiTaskElasticNetCV agree on
# a one-column target: 6e-11 apart with 1e4, 1.2e-4 with none (it asks 1.5e-7).
# 1e4 instead of 3e5 takes 0.69x the time on 100 x 1000 at tol 1e-2 (12.8 against
# 18.4 ms), its largest suboptimality 2.4e-4 instead of 5.6e-5, still below
# scikit-learn's at every alpha of every benchmark problem and tol.
_REFINE_PASSES = 1.0
_ALPHA_OVERHEAD = 5e5
_RESIDUAL_ALPHA_OVERHEAD = 1e4
_GAP_FLOOR = 1e-12
# The coordinate-step test (refined_solve) asks no step below this many units
# of rounding of the largest coefficient.
_STEP_FLOOR_ULPS = 4.0

# Cold starts far below alpha_max go through one lead alpha per factor of about
# LEAD_FACTOR (_lead_alphas), when at least LEAD_MIN_VIOLATORS features, and at
# least LEAD_MIN_FRACTION of all, violate their KKT condition at zero. After a
# step of 8 the strong rule keeps every feature, so a lead pays only when the cold
# working set is already a large part of them (measured: 0.42-0.75 gained 1.2-1.7x,
# 0.15-0.39 lost up to 1.45x on scripts/bench_patch.py's problems).
LEAD_FACTOR = 8.0
LEAD_MIN_VIOLATORS = 100
LEAD_MIN_FRACTION = 0.4

# The deviance rule (min_dev_change) is not applied before this many alphas
# (glmnet's default minimum path length, which lets the first, nearly empty
# models pass).
MIN_ALPHAS_BEFORE_DEV_STOP = 5


@dataclass
class PathTrace:
    """What :func:`solve_path` returns, on the problem's scale.

    Attributes
    ----------
    coefs : ndarray of shape (n_features, n_solved) or (n_tasks, n_features, n_solved)
    gaps : ndarray of shape (n_solved,)
        The duality gap (certificate) at every solved alpha.
    n_iters : list of int
        Coordinate sweeps per alpha.
    dev_ratio : ndarray of shape (n_solved,)
        Fraction of deviance explained, ``1 - ||r||^2 / ||y||^2`` on the problem
        solved (weighted; centered ``y`` when an intercept is fitted).
    n_nonzero : ndarray of int64, shape (n_solved,)
        Nonzero coefficients (rows for multi-task) at every solved alpha.
    stop_reason : str or None
        Why the path stopped before its last alpha (None: it did not).
    """

    coefs: np.ndarray
    gaps: np.ndarray
    n_iters: list
    dev_ratio: np.ndarray
    n_nonzero: np.ndarray
    stop_reason: object = None


class _Alpha:
    """One alpha's solve: the working-set loop and its certificate.

    Holds the state carried from alpha to alpha (the gradient and residual
    statistics, the working-set masks), so that :func:`solve_path` reads as
    the loop over the grid.
    """

    def __init__(self, problem, W, box, positive, options, data_scale):
        self.problem, self.W, self.box, self.options = problem, W, box, options
        self.positive = positive
        self.data_scale = data_scale
        p = problem.n_features
        self.W2 = W.reshape(p, -1)
        self.record = None if box is None else box.record
        self.in_set = np.zeros(p, dtype=bool)
        self.screened = np.zeros(p, dtype=bool)
        self.all_features = np.arange(p, dtype=np.int64)
        # only residual updates on dense X skip gradients (GradientBounds)
        self.skips_gradients = box is None or hasattr(problem, "bounds")
        problem.start(W)
        self.single = W.ndim == 1
        # the kernels' view of W: a vector for one task, whose rows' norms are
        # magnitudes (gap.row_norm), not square roots (4x faster gap checks)
        self.W_rows = W if self.single else self.W2
        self._take_gradient(None)
        # float32 coefficients cannot be certified below about FLOAT32_MIN_TOL:
        # aiming lower only spends max_iter sweeps per alpha on rounding noise
        self.requested_tol, tol = options.tol, reachable_tol(options.tol, W.dtype)
        self.tol = tol
        self.gap_tol = tol * problem.yy / problem.n_samples
        self.n_samples = float(problem.n_samples)
        self.fine = min(1.0, reachable_tol(_GAP_FLOOR, W.dtype) / tol) if tol > 0 else 1.0
        # scikit-learn's convergence test on the coordinate steps, past the
        # certificate (module docstring); not below a few units of rounding
        self.step_tol = max(tol, _STEP_FLOOR_ULPS * float(np.finfo(W.dtype).eps))
        self.alpha_overhead = (_RESIDUAL_ALPHA_OVERHEAD if getattr(problem, "residual_updates",
                                                                   False) else _ALPHA_OVERHEAD)

    def _take_gradient(self, l1):
        self.G, self.R2, self.Ry = self.problem.gradient(self.W, l1)
        self.G_rows = self.G[:, 0] if self.single else self.G

    def _gap(self, l1, l2):
        return duality_gap(self.G_rows, self.W_rows, self.all_features, self.R2, self.Ry, l1, l2,
                           self.positive, self.n_samples, self.record)

    def _update(self, gap, dual, l1, l2, threshold):
        return kkt_and_screen(self.G_rows, self.W_rows, self.problem.norms2, gap, dual, l1, l2,
                              self.positive, threshold, self.options.do_screening,
                              self.in_set, self.screened, self.record)

    def _reset(self):
        if self.box is None:
            self._to_support()
            self.screened[:] = False
        else:
            self.box.reset(self.W, self.in_set, self.screened)

    def _to_support(self):
        if self.single:
            np.not_equal(self.W, 0.0, out=self.in_set)
        else:
            np.any(self.W2 != 0.0, axis=1, out=self.in_set)

    def _gradient_threshold(self, l1):
        if self.box is None:
            return l1
        return self.box.gradient_threshold(l1) if self.skips_gradients else None

    def solve(self, k, l1, l2, threshold, refined, refine=True):
        """Solve at one alpha from the current ``W``; returns ``(gap, n_sweeps)``.

        ``refined``: whether the extra sweeps past the certificate were already
        spent (a given start meeting the certificate at the first alpha);
        ``refine=False``: no extra sweeps at all (a lead alpha, not returned).
        """
        problem, W, options = self.problem, self.W, self.options
        n, p = problem.n_samples, problem.n_features
        max_iter, gap_tol = options.max_iter, self.gap_tol
        self._reset()
        gap, dual = self._gap(l1, l2)
        self._update(gap, dual, l1, l2, threshold)
        inner_tol = gap_tol
        n_sweeps = n_solves = 0
        while n_sweeps < max_iter and (gap > gap_tol
                                       or (not refined and gap > gap_tol * self.fine)):
            ws = np.flatnonzero(self.in_set)
            problem.prepare(ws, self.G)
            seed = options.seed
            sweep_seed = -1 if seed < 0 else (seed + 7919 * k + n_solves) % (2**31 - 1)
            # past the certificate, aim at the floor within a budget of sweeps:
            # accuracy where it is cheap (module docstring)
            budget = refine_sweeps(ws.shape[0], p, n, self.alpha_overhead) if refine else 0
            targets = (inner_tol, max_iter - n_sweeps, inner_tol * self.fine, budget,
                       self.step_tol)
            n_sweeps += problem.solve(W, ws, l1, l2, self.positive, targets, sweep_seed,
                                      self.record)[0]
            refined = True
            n_solves += 1
            self._take_gradient(self._gradient_threshold(l1))
            gap, dual = self._gap(l1, l2)
            if gap <= gap_tol:
                break
            if self.box is None:
                # the next working set: the support and the KKT violators, not the
                # zeros of this one, which satisfy their conditions (a round that
                # adds a few violators then costs sweeps of the support, not of the
                # strong rule's whole set)
                self._to_support()
            if self._update(gap, dual, l1, l2, l1) == 0:
                inner_tol *= INNER_TOL_DECREASE
        return gap, n_sweeps

    def solve_steps(self, steps, n_lead, span, record):
        """Solve the steps ``span = (start, stop)`` of the grid, each from the last.

        ``steps``: ``(l1, l2, strong threshold)`` per step (lead steps first,
        ``n_lead`` of them: no extra sweeps, no coefficients recorded);
        ``record = (coefs, gaps, sweeps, dev_ratio, n_nonzero)`` receives, per
        step, the coefficients (at ``step - n_lead``), the certificate's gap,
        the sweeps, the fraction of deviance explained and the nonzero
        coefficients (rows, multi-task). A design that solves whole
        steps in one compiled call (``solves_steps``: covariance updates on
        the full Gram matrix, residual updates on float64 dense X below 4 MB
        or on float64 CSC X below ``_parallel.PARALLEL_MIN_NNZ`` entries) does,
        for the default problem; the rules are :meth:`solve`'s, and the
        results are the same to the bit.
        """
        start, stop = span
        coefs, gaps, sweeps, dev, nonzero = record
        problem = self.problem
        if self.box is None and getattr(problem, "solves_steps", False):
            p, n = problem.n_features, problem.n_samples
            controls = (self.gap_tol, self.fine, self.options.max_iter, self.options.seed,
                        self.options.do_screening, bool(self.positive),
                        refine_columns(p, n, self.alpha_overhead), n_lead, start, stop,
                        self.step_tol)
            carried = np.array([self.R2, self.Ry, self.n_samples, problem.yy])
            grad = self.G[:, 0]  # (a view: updated in place)
            problem.solve_steps(self.W, grad, steps, controls, (self.in_set, self.screened),
                                carried, record)
            self.R2, self.Ry = float(carried[0]), float(carried[1])
            return
        for step in range(start, stop):
            l1, l2, threshold = (float(value) for value in steps[step])
            # a first alpha whose given start (coef_init) already meets the
            # certificate is returned as is, as scikit-learn does; later alphas,
            # warm-started from the path, get the extra sweeps once
            gaps[step], sweeps[step] = self.solve(step, l1, l2, threshold,
                                                  refined=step == 0, refine=step >= n_lead)
            dev[step] = self.dev_ratio()
            nonzero[step] = self.n_nonzero()
            if step >= n_lead:
                coefs[..., step - n_lead] = self.W if self.single else self.W.T

    def warn_unconverged(self, k, alpha, gap):
        scale = self.data_scale
        warnings.warn(
            # the opening sentence is scikit-learn's own: filters and tests match it
            "Objective did not converge. You might want to increase the number "
            "of iterations, check the scale of the features or consider "
            f"increasing regularisation. Duality gap: {scale.gap_to_user(gap):.6e}, "
            f"tolerance: {scale.gap_to_user(self.gap_tol):.3e} (alpha={alpha:.6g}, path "
            f"index {k}, max_iter={self.options.max_iter} sweeps).",
            convergence_warning_class(),
            stacklevel=caller_stacklevel(),
        )

    def n_nonzero(self):
        """Nonzero coefficients (rows, multi-task) of the current solution."""
        if self.single:
            return np.count_nonzero(self.W)
        return np.count_nonzero(np.any(self.W2 != 0.0, axis=1))

    def dev_ratio(self):
        yy = self.problem.yy
        return 1.0 - self.R2 * self.n_samples / yy if yy > 0 else 0.0


def solve_path(problem, alphas, W, box, penalty, options, data_scale):
    """Solve the elastic net at every alpha, warm-starting each from the last.

    Parameters
    ----------
    problem : a design of :mod:`fastreg.enet.designs`
    alphas : ndarray of shape (n_alphas,)
        Decreasing regularization strengths, on the caller's scale.
    W : ndarray of shape (n_features,) or (n_features, n_tasks)
        Starting coefficients; updated in place to the last solution.
    box : FeatureBox or None
        Penalty factors and bounds (single task); None is the default problem.
    penalty : fastreg.enet.options.Penalty
        ``l1_ratio`` and ``positive`` (the latter ignored with a box, which holds it).
    options : fastreg.enet.options.PathOptions
        Tolerance, sweeps, order, screening, progress and path controls
        (``callback`` receives the caller's coefficients: see below).
    data_scale : DataScale
        The power-of-two rescaling from the caller's data to ``problem``
        (:mod:`fastreg._scaling`): the penalties the kernels see are rescaled
        with it; warnings, progress lines and the callback report the caller's
        coefficients and gaps. The returned trace and ``W`` are the problem's.

    Returns
    -------
    PathTrace
        Truncated to the alphas solved when a path control stopped the path.
    """
    p, n_alphas, l1_ratio = problem.n_features, alphas.shape[0], penalty.l1_ratio
    zero_columns = problem.norms2 == 0.0
    if np.count_nonzero(zero_columns):  # (not .any(): a microsecond less a call)
        W.reshape(p, -1)[zero_columns] = 0.0  # a zero column carries only penalty
    if box is not None:
        if problem.n_tasks is not None:
            raise NotImplementedError("Penalty factors and bounds need a single target.")
        box.project(W)
    state = _Alpha(problem, W, box, penalty.positive, options, data_scale)
    coefs = np.empty(((p,) if problem.n_tasks is None else (problem.n_tasks, p))
                     + (n_alphas,), dtype=W.dtype)
    lead = _lead_alphas(state, alphas, penalty.l1_ratio, data_scale) if box is None else ()
    grid = np.concatenate((lead, alphas)) if len(lead) else alphas
    n_lead, n_steps = len(lead), grid.shape[0]
    steps = _step_penalties(grid, l1_ratio, data_scale)
    # per step, lead steps first: the certificate's gap, sweeps, deviance explained,
    # nonzero coefficients
    gaps, sweeps, dev = np.empty(n_steps), np.zeros(n_steps, dtype=np.int64), np.empty(n_steps)
    nonzero = np.zeros(n_steps, dtype=np.int64)
    record = (coefs, gaps, sweeps, dev, nonzero)
    stop_reason, n_solved = None, n_alphas
    # without anything to look at between alphas, the whole grid is one span
    # (one compiled call where the design has one); else the leads, then each alpha
    spans = ([(0, n_lead)] if n_lead else []) + [(k, k + 1) for k in range(n_lead, n_steps)] \
        if options.watches else [(0, n_steps)]
    for start, stop in spans:
        state.solve_steps(steps, n_lead, (start, stop), record)
        first = max(start, n_lead)
        # (one compiled scan of the span: a Python test per alpha costs small paths
        # 5%, a NumPy reduction tens of microseconds on a cold cache)
        if first < stop and scans.first_above(gaps, first, stop, state.gap_tol) >= 0:
            for step in first + np.flatnonzero(gaps[first:stop] > state.gap_tol):
                state.warn_unconverged(step - n_lead, float(grid[step]), gaps[step])
        if not options.watches or stop <= n_lead:
            continue
        k = stop - 1 - n_lead
        n_done = sweeps[k + n_lead] + (sweeps[:n_lead].sum() if k == 0 else 0)
        stop_reason = _after_alpha(state, (k, n_alphas), float(grid[stop - 1]), coefs[..., k],
                                   (float(gaps[stop - 1]), int(n_done)), dev[n_lead:],
                                   state.n_nonzero())
        if stop_reason is not None and k + 1 < n_alphas:
            n_solved = k + 1
            break
        stop_reason = None
    n_iters = sweeps[n_lead:n_lead + n_solved].tolist()
    if n_lead and n_iters:
        n_iters[0] += int(sweeps[:n_lead].sum())  # lead sweeps count with the first alpha
    gaps, dev = gaps[n_lead:n_lead + n_solved], dev[n_lead:n_lead + n_solved]
    if state.tol > state.requested_tol:
        warn_float32_reach(state.requested_tol, state.tol, gaps,
                           problem.yy / problem.n_samples)
    coefs = coefs[..., :n_solved]
    n_nonzero = nonzero[n_lead:n_lead + n_solved].copy()
    return PathTrace(coefs.copy() if n_solved < n_alphas else coefs, gaps.copy(),
                     n_iters, dev.copy(), n_nonzero, stop_reason)


def _step_penalties(grid, l1_ratio, data_scale):
    """``(l1, l2, strong threshold)`` of every step of the grid, on the problem's scale.

    :func:`fastreg._kernels.cycle.step_penalties`, rescaled with the data
    (:mod:`fastreg._scaling`) where it is.
    """
    steps = step_penalties(np.asarray(grid, dtype=np.float64), l1_ratio)
    if data_scale.active:
        l1 = steps[:, 0] = data_scale.l1_to_internal(steps[:, 0])
        steps[:, 1] = data_scale.l2_to_internal(steps[:, 1])
        steps[:, 2] = data_scale.l1_to_internal(steps[:, 2])
        steps[l1 == 0.0, 2] = -np.inf  # (an l1 rescaled to zero: as one that is)
    return steps


def _lead_alphas(state, alphas, l1_ratio, data_scale):
    """Alphas solved on the way to the first one from a cold start (not returned).

    A path that starts from zero far below ``alpha_max`` starts with a working
    set of every feature that violates its KKT condition at zero, several times
    the support it ends with, and sweeps all of them until their coefficients
    settle from zero. Reached through geometrically spaced alphas instead (one
    per factor of about :data:`LEAD_FACTOR`), as glmnet's paths are, the first
    alpha starts warm, near its support: measured on the problems of
    ``scripts/bench_patch.py``, single fits at ``alpha_max / 20`` took
    0.58-0.86x the time where it applies.

    Empty unless the start is zero, ``l1_ratio > 0``, and at least
    :data:`LEAD_MIN_VIOLATORS` features, and :data:`LEAD_MIN_FRACTION` of all,
    violate their KKT condition at the first alpha: after a step of 8 the
    strong rule keeps every feature, which pays only when the cold working set
    is a large part of them already.
    """
    if (l1_ratio == 0.0 or alphas.shape[0] == 0
            or state.G.shape[0] < LEAD_MIN_VIOLATORS or np.count_nonzero(state.W)):
        return ()  # (too few features to ever have enough violators: nothing to compute)
    l1 = data_scale.l1_to_internal(float(alphas[0]) * l1_ratio)
    norms = np.sqrt(np.einsum("ij,ij->i", state.G, state.G))
    l1_max = float(norms.max()) if norms.size else 0.0
    n_violators = np.count_nonzero(norms > l1)
    if (not (l1 > 0.0 and l1_max > l1) or n_violators < LEAD_MIN_VIOLATORS
            or n_violators < LEAD_MIN_FRACTION * norms.shape[0]):
        return ()
    ratio = l1_max / l1
    n_lead = int(np.log(ratio) / np.log(LEAD_FACTOR))
    if n_lead < 1:
        return ()
    exponents = (n_lead - np.arange(n_lead)) / (n_lead + 1.0)
    return float(alphas[0]) * ratio ** exponents


def _after_alpha(state, position, alpha, coef, progress, dev, n_nonzero):
    """Progress report, early stops and the callback after one alpha; the stop reason.

    ``position``: ``(k, n_alphas)``; ``progress``: ``(gap, n_sweeps)`` of alpha k.
    """
    (k, n_alphas), (gap, n_sweeps) = position, progress
    options, scale = state.options, state.data_scale
    if options.verbose:
        _report(options.verbose, position, alpha, scale.gap_to_user(gap),
                (n_sweeps, int(state.in_set.sum()), n_nonzero), dev[k])
    stop_reason = _stop_reason(k, dev, n_nonzero, options.max_features, options.min_dev_change)
    if options.callback is not None and stop_reason is None:
        user_coef = scale.coef_to_user(coef) if scale.active else coef.copy()
        if options.callback(k, alpha, user_coef, float(scale.gap_to_user(gap)), n_nonzero):
            stop_reason = f"the callback returned True at path index {k}"
    if stop_reason is not None and k + 1 < n_alphas and options.verbose:
        print(f"\nPath stopped after {k + 1} of {n_alphas} alphas: {stop_reason}.",
              file=sys.stderr)
    return stop_reason


def refine_sweeps(n_working, n_features, n_samples, alpha_overhead=_ALPHA_OVERHEAD):
    """How many more sweeps a working set gets once it meets the certificate.

    As many as cost ``_REFINE_PASSES`` full-gradient passes:
    ``_REFINE_PASSES * (n_features + alpha_overhead / n_samples) / n_working``.
    Small working sets, where extra sweeps cost almost nothing, get many and are
    solved to about the floor; large ones get few.

    Parameters
    ----------
    n_working : int
        Size of the working set.
    n_features, n_samples : int
    alpha_overhead : float
        The allowance for the fixed cost of an alpha, in entries of X:
        ``_ALPHA_OVERHEAD`` (covariance updates) or ``_RESIDUAL_ALPHA_OVERHEAD``.

    Returns
    -------
    int
    """
    return int(refine_columns(n_features, n_samples, alpha_overhead) / max(n_working, 1))


def refine_columns(n_features, n_samples, alpha_overhead=_ALPHA_OVERHEAD):
    """The numerator of :func:`refine_sweeps`: the columns its passes are worth."""
    return _REFINE_PASSES * (n_features + alpha_overhead / max(n_samples, 1))


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


def _report(verbose, position, alpha, gap, counts, dev_ratio):
    (k, n_alphas), (n_sweeps, n_working, n_nonzero) = position, counts
    if verbose > 1:
        print(f"Path: {k:03d} out of {n_alphas:03d}  alpha={alpha:.4e}  gap={gap:.3e}  "
              f"sweeps={n_sweeps}  working={n_working}  nonzero={n_nonzero}  "
              f"dev_ratio={dev_ratio:.4f}",
              file=sys.stderr)
    else:
        sys.stderr.write(".")
