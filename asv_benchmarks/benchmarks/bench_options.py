"""fastreg's own features, tracked across commits: path options and statistics.

scikit-learn has neither, so these are fastreg-only lines (no ``library``
parameter); what they guard is the cost of each feature relative to the plain
call in the same run.

* ``PathOptions.time_path``: ``lasso_path`` on the benchmark grid with one
  option switched on: ``none``, ``penalty_factor`` (all ones: the same problem),
  ``bounds`` (infinite: the same problem), ``fit_intercept``, ``standardize``.
* ``PathOptions.track_time_ratio``: ``t_option / t_none``, best of ``REPEATS`` of
  each, in turn (for ``none``, two identical calls: the noise level).
* ``PathOptions.track_dual_gap``: the largest returned duality gap over the
  stopping threshold (``tol * ||y||^2 / n``, y centered with an intercept).
* ``Statistics.time_from_arrays``: ``GramStats.from_arrays(X, y)``.
* ``Statistics.track_floor_ratio``: its time over one ``X.T @ X`` (the floor).
"""

import numpy as np

from . import _common as c

OPTIONS = ("none", "penalty_factor", "bounds", "fit_intercept", "standardize")


def _option_kwargs(option, n_features):
    if option == "penalty_factor":
        return {"penalty_factor": np.ones(n_features)}
    if option == "bounds":
        return {"lower_bounds": -np.inf, "upper_bounds": np.inf}
    if option == "fit_intercept":
        return {"fit_intercept": True}
    if option == "standardize":
        return {"fit_intercept": True, "standardize": True}
    return {}


class PathOptions(c._Pinned):
    params = (c.PATH_PROBLEMS, OPTIONS)
    param_names = ("problem", "option")

    def setup(self, problem, option):
        import fastreg

        self._pin_threads()
        self.X, self.y = c.make_problem(problem)
        self.grid = c.alpha_grid(self.X, self.y)
        kwargs = _option_kwargs(option, self.X.shape[1])
        self.centered = bool(kwargs.get("fit_intercept"))

        def run(X, y, alphas, **extra):
            return fastreg.lasso_path(X, y, alphas=alphas, tol=c.TOL, max_iter=c.MAX_ITER,
                                      **extra)

        self.run = lambda: run(self.X, self.y, self.grid, **kwargs)
        self.plain = lambda: run(self.X, self.y, self.grid)
        Xt, yt = c.tiny_like(problem)
        tiny_grid = c.alpha_grid(Xt, yt, n_alphas=5)
        run(Xt, yt, tiny_grid, **_option_kwargs(option, Xt.shape[1]))  # JIT warm-up
        run(Xt, yt, tiny_grid)

    def time_path(self, problem, option):
        self.run()

    def track_time_ratio(self, problem, option):
        t_option, t_plain = c.best_times(self.run, self.plain)
        return t_option / t_plain

    track_time_ratio.unit = "t_option / t_plain"

    def track_dual_gap(self, problem, option):
        gaps = self.run()[2]
        y = self.y - self.y.mean() if self.centered else self.y
        return float(np.max(gaps)) / (c.TOL * float(y @ y) / self.X.shape[0])

    track_dual_gap.unit = "gap / (tol ||y||^2 / n)"


class Statistics(c._Pinned):
    params = (("dense-tall", "cv-tall"),)
    param_names = ("problem",)

    def setup(self, problem):
        import fastreg

        self._pin_threads()
        self.X, self.y = c.make_problem(problem)
        self.stats = lambda: fastreg.GramStats.from_arrays(self.X, self.y)
        self.stats()

    def time_from_arrays(self, problem):
        self.stats()

    def track_floor_ratio(self, problem):
        t_stats, t_floor = c.best_times(self.stats, lambda: self.X.T @ self.X)
        return t_stats / t_floor

    track_floor_ratio.unit = "t_from_arrays / t_floor"
