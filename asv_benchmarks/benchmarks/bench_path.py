"""lasso_path / enet_path: fastreg against scikit-learn on the same alpha grid.

Both libraries get identical arguments: ``alphas=<grid>`` (``N_ALPHAS`` values
from ``alpha_max`` down to ``EPS * alpha_max``, computed once from the data),
``tol=TOL``, ``max_iter=MAX_ITER``, everything else at its default. No parameter
is converted between the libraries.

* ``time_path``: one whole path call (validation, Gram / column statistics,
  every alpha), after a JIT warm-up on a tiny problem of the same kind in setup.
* ``track_dual_gap``: the largest duality gap along the path, recomputed here
  from the returned coefficients, over the stopping threshold
  ``tol * ||y||^2 / n`` (at most 1 = converged at every alpha).
* ``track_objective``: the mean objective over the path (both lines should
  coincide).
* ``*VsSklearn.track_time_ratio``: ``t_fastreg / t_sklearn``, best of
  ``REPEATS`` of each, timed in turn in the same process (lower is better).
* ``*VsSklearn.track_objective_excess``: the largest relative excess of
  fastreg's objective over scikit-learn's, ``max_k (P_f - P_s) / P_s``
  (negative: fastreg lower everywhere).
"""

import numpy as np

from . import _common as c


def _path_function(library, l1_ratio):
    """The library's path function with the benchmark's fixed arguments."""
    if library == "fastreg":
        import fastreg

        base = fastreg.enet_path if l1_ratio < 1 else fastreg.lasso_path
    else:
        from sklearn import linear_model

        base = linear_model.enet_path if l1_ratio < 1 else linear_model.lasso_path
    if l1_ratio < 1:
        def run(X, y, alphas):
            return base(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=c.TOL, max_iter=c.MAX_ITER)
    else:
        def run(X, y, alphas):
            return base(X, y, alphas=alphas, tol=c.TOL, max_iter=c.MAX_ITER)
    return run


class _PathBench(c._Pinned):
    params = (c.PATH_PROBLEMS, c.LIBRARIES)
    param_names = ("problem", "library")
    l1_ratio = 1.0

    def setup(self, problem, library):
        self._pin_threads()
        self.X, self.y = c.make_problem(problem)
        self.grid = c.alpha_grid(self.X, self.y, self.l1_ratio)
        self.run = _path_function(library, self.l1_ratio)
        # JIT warm-up (sklearn: the same untimed call, nothing to compile)
        Xt, yt = c.tiny_like(problem)
        self.run(Xt, yt, c.alpha_grid(Xt, yt, self.l1_ratio, n_alphas=5))

    def time_path(self, problem, library):
        self.run(self.X, self.y, self.grid)

    def _accuracy(self):
        alphas, coefs, _ = self.run(self.X, self.y, self.grid)[:3]
        return c.path_accuracy(self.X, self.y, alphas, coefs, self.l1_ratio)

    def track_dual_gap(self, problem, library):
        return float(np.max(self._accuracy()[1]))

    track_dual_gap.unit = "gap / (tol ||y||^2 / n)"

    def track_objective(self, problem, library):
        return float(np.mean(self._accuracy()[0]))

    track_objective.unit = "objective"


class _VsSklearn(c._Pinned):
    params = (c.PATH_PROBLEMS,)
    param_names = ("problem",)
    l1_ratio = 1.0

    def setup(self, problem):
        self._pin_threads()
        self.X, self.y = c.make_problem(problem)
        self.grid = c.alpha_grid(self.X, self.y, self.l1_ratio)
        self.fast = _path_function("fastreg", self.l1_ratio)
        self.sk = _path_function("sklearn", self.l1_ratio)
        Xt, yt = c.tiny_like(problem)
        tiny_grid = c.alpha_grid(Xt, yt, self.l1_ratio, n_alphas=5)
        self.fast(Xt, yt, tiny_grid)
        self.sk(Xt, yt, tiny_grid)

    def track_time_ratio(self, problem):
        t_fast, t_sk = c.best_times(lambda: self.fast(self.X, self.y, self.grid),
                                    lambda: self.sk(self.X, self.y, self.grid))
        return t_fast / t_sk

    track_time_ratio.unit = "t_fastreg / t_sklearn"

    def track_objective_excess(self, problem):
        objs = []
        for run in (self.fast, self.sk):
            alphas, coefs, _ = run(self.X, self.y, self.grid)[:3]
            objs.append(c.path_accuracy(self.X, self.y, alphas, coefs, self.l1_ratio)[0])
        return float(np.max((objs[0] - objs[1]) / objs[1]))

    track_objective_excess.unit = "relative"


class LassoPath(_PathBench):
    """``lasso_path``; see the module docstring."""

    l1_ratio = 1.0


class EnetPath(_PathBench):
    """``enet_path`` with ``l1_ratio=ENET_L1_RATIO``; see the module docstring."""

    l1_ratio = c.ENET_L1_RATIO


class LassoPathVsSklearn(_VsSklearn):
    """Time ratio and objective excess of ``lasso_path``."""

    l1_ratio = 1.0


class EnetPathVsSklearn(_VsSklearn):
    """Time ratio and objective excess of ``enet_path``."""

    l1_ratio = c.ENET_L1_RATIO
