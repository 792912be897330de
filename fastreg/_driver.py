"""The path driver: warm starts, strong rules, KKT re-checks, gap certificates.

Mode-agnostic: it talks to a problem object from ``fastreg._problems`` and to
the shared kernels in ``fastreg._kernels.gap``. Per alpha:

1. working set = nonzero coefficients + features passing the sequential strong
   rule ``||g_j|| > l1_ratio * (2 alpha_k - alpha_{k-1})`` at the previous
   solution, minus features certified zero by gap-safe screening;
2. coordinate descent on the working set until the subproblem's duality gap
   is at most ``tol * ||y||^2 / n``;
3. the exact gradient of every feature gives the full duality gap (the
   certificate) and the KKT violators outside the working set; violators join
   and 2 repeats. Without violators the two gaps agree, so one full gradient
   per alpha is the usual cost.
"""

import sys
import warnings

import numpy as np

from ._kernels.gap import duality_gap, kkt_and_screen
from ._warnings import convergence_warning_class

# When the full gap misses the target although no feature violates the KKT
# conditions (rounding between the kernels' running sums and the fresh
# gradient), the working-set target tightens by this factor.
_INNER_TOL_DECREASE = 0.5


def solve_path(problem, alphas, l1_ratio, W, *, positive, tol, max_iter, seed,
               do_screening, verbose=0):
    """Solve the elastic net at every alpha, warm-starting each from the last.

    Parameters
    ----------
    problem : a problem object of ``fastreg._problems``
    alphas : ndarray of shape (n_alphas,)
        Decreasing regularization strengths.
    l1_ratio : float
    W : ndarray of shape (n_features,) or (n_features, n_tasks)
        Starting coefficients; updated in place to the last solution.
    positive : bool
    tol : float
        Stop at each alpha when the duality gap is ``<= tol * ||y||^2 / n``.
    max_iter : int
        Maximum number of coordinate sweeps per alpha.
    seed : int
        ``-1`` for cyclic coordinate order, else the seed of a random order.
    do_screening : bool
        Gap-safe screening on or off (strong rules and KKT checks always run).
    verbose : int

    Returns
    -------
    coefs : ndarray of shape (n_features, n_alphas) or (n_tasks, n_features, n_alphas)
    gaps : ndarray of shape (n_alphas,)
    n_iters : list of int
    """
    n, p = problem.n_samples, problem.n_features
    n_alphas = alphas.shape[0]
    W2 = W.reshape(p, -1)
    W2[problem.norms2 == 0.0] = 0.0  # a zero column carries only penalty
    problem.start(W)
    G, R2, Ry = problem.gradient(W)
    gap_tol = tol * problem.yy / n
    if problem.n_tasks is None:
        coefs = np.empty((p, n_alphas), dtype=W.dtype)
    else:
        coefs = np.empty((problem.n_tasks, p, n_alphas), dtype=W.dtype)
    gaps = np.empty(n_alphas)
    n_iters = []
    in_set = np.zeros(p, dtype=bool)
    screened = np.zeros(p, dtype=bool)
    all_features = np.arange(p, dtype=np.int64)
    for k in range(n_alphas):
        alpha = float(alphas[k])
        l1 = alpha * l1_ratio
        l2 = alpha * (1.0 - l1_ratio)
        if l1 == 0.0:
            threshold = -np.inf  # no sparsity to exploit: every feature works
        elif k == 0:
            threshold = l1
        else:
            threshold = l1_ratio * (2.0 * alpha - float(alphas[k - 1]))
        in_set[:] = np.any(W2 != 0.0, axis=1)
        screened[:] = False
        gap, dual_norm = duality_gap(G, W2, all_features, R2, Ry, l1, l2, positive, n)
        kkt_and_screen(G, W2, problem.norms2, gap, dual_norm, l1, l2, positive,
                       threshold, do_screening, in_set, screened)
        inner_tol = gap_tol
        n_sweeps = 0
        n_solves = 0
        while gap > gap_tol and n_sweeps < max_iter:
            ws = np.flatnonzero(in_set)
            problem.prepare(ws, G)
            sweep_seed = -1 if seed < 0 else (seed + 7919 * k + n_solves) % (2**31 - 1)
            n_sweeps += problem.solve(W, ws, l1, l2, positive, inner_tol,
                                      max_iter - n_sweeps, sweep_seed)[0]
            n_solves += 1
            G, R2, Ry = problem.gradient(W, l1)
            gap, dual_norm = duality_gap(G, W2, all_features, R2, Ry, l1, l2, positive, n)
            if gap <= gap_tol:
                break
            n_added = kkt_and_screen(G, W2, problem.norms2, gap, dual_norm, l1, l2,
                                     positive, l1, do_screening, in_set, screened)
            if n_added == 0:
                inner_tol *= _INNER_TOL_DECREASE
        if gap > gap_tol:
            warnings.warn(
                f"Objective did not converge at alpha={alpha:.6g} (path index {k}) "
                f"within max_iter={max_iter} sweeps. Duality gap: {gap:.6e}, "
                f"tolerance: {gap_tol:.3e}. Increase max_iter, scale the features, "
                "or increase the regularization.",
                convergence_warning_class(),
                stacklevel=3,
            )
        if problem.n_tasks is None:
            coefs[:, k] = W
        else:
            coefs[:, :, k] = W.T
        gaps[k] = gap
        n_iters.append(n_sweeps)
        if verbose:
            _report(verbose, k, n_alphas, alpha, gap, n_sweeps, int(in_set.sum()),
                    int(np.count_nonzero(np.any(W2 != 0.0, axis=1))))
    return coefs, gaps, n_iters


def _report(verbose, k, n_alphas, alpha, gap, n_sweeps, n_working, n_nonzero):
    if verbose > 1:
        print(f"Path: {k:03d} out of {n_alphas:03d}  alpha={alpha:.4e}  gap={gap:.3e}  "
              f"sweeps={n_sweeps}  working={n_working}  nonzero={n_nonzero}",
              file=sys.stderr)
    else:
        sys.stderr.write(".")
