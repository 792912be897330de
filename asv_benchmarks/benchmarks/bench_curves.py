"""Accuracy reached at the default tol: relative suboptimality of a whole lasso path.

Both libraries solve the same ``N_ALPHAS``-alpha lasso path at ``tol=TOL``
(identical arguments, as in ``bench_path.py``). Each path is scored here, from
its coefficients only, against a reference path: fastreg at ``tol=1e-11``,
certified by its duality gap recomputed here (``_common.enet_objective_and_gap``),
so ``P*_k`` is known to within that gap. The tracked numbers are the maximum and
the median over the alphas of ``(P_k(w_k) - P*_k) / P*_k``, floored at the
reference's certified accuracy (below it the difference is not resolved).

Two solvers that both meet "gap <= tol" can differ by orders of magnitude in
what they actually reach; this track keeps fastreg's stopping rule honest (a
rise is a loss of accuracy at the same tol, asv flags it like a slowdown).
``scripts/bench_curves.py`` draws the full time-against-accuracy curves.
"""

import numpy as np

from . import _common as c

REFERENCE_TOL = 1e-11
REFERENCE_MAX_ITER = 20000


def _objectives_and_gaps(X, y, alphas, coefs):
    out = [c.enet_objective_and_gap(X, y, coefs[:, k], alpha, 1.0)
           for k, alpha in enumerate(alphas)]
    return np.array([o[0] for o in out]), np.array([o[1] for o in out])


class LassoSuboptimality(c._Pinned):
    """Max and median relative suboptimality of ``lasso_path`` at ``tol=TOL``."""

    params = (("dense-tall",), c.LIBRARIES)
    param_names = ("problem", "library")

    def setup(self, problem, library):
        self._pin_threads()
        import fastreg

        X, y = c.make_problem(problem)
        grid = c.alpha_grid(X, y)
        coefs = fastreg.lasso_path(X, y, alphas=grid, tol=REFERENCE_TOL,
                                   max_iter=REFERENCE_MAX_ITER)[1]
        primal, gaps = _objectives_and_gaps(X, y, grid, coefs)
        self.floor = float(np.max(np.maximum(gaps, 0.0) / primal))
        if library == "fastreg":
            path = fastreg.lasso_path
        else:
            from sklearn.linear_model import lasso_path as path
        ours = path(X, y, alphas=grid, tol=c.TOL, max_iter=c.MAX_ITER)[1]
        rel = (_objectives_and_gaps(X, y, grid, ours)[0] - primal) / primal
        self.rel = np.maximum(rel, self.floor)

    def track_max_rel_suboptimality(self, problem, library):
        return float(np.max(self.rel))

    track_max_rel_suboptimality.unit = "(P - P*) / P*"

    def track_median_rel_suboptimality(self, problem, library):
        return float(np.median(self.rel))

    track_median_rel_suboptimality.unit = "(P - P*) / P*"
