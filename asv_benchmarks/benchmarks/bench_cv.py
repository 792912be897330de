"""Cross-validated lasso: ``fastreg.lasso_cv`` against scikit-learn's ``LassoCV``.

Both get ``cv=CV_FOLDS`` (``KFold`` without shuffling in both), the same
explicit grid (``N_ALPHAS`` alphas from the centered data's ``alpha_max``),
``tol=TOL`` and ``max_iter=MAX_ITER``; both fit an intercept (their default).
The benchmarks are skipped (NotImplementedError in setup) for a commit whose
fastreg has no ``lasso_cv``.

* ``LassoCV.time_lasso_cv``: the whole fit (every fold's path and the refit).
* ``LassoCV.track_alpha``: the chosen alpha (both lines should coincide).
* ``LassoCV.track_dual_gap``: the duality gap of the refit coefficients at the
  chosen alpha on the centered data, recomputed here, over
  ``tol * ||y - mean(y)||^2 / n``.
* ``LassoCVVsSklearn.track_time_ratio``: ``t_fastreg / t_sklearn`` (best of
  ``REPEATS``); ``track_alpha_ratio``: ``alpha_fastreg / alpha_sklearn``
  (1 when both choose the same grid point).
"""

import numpy as np

from . import _common as c

CV_FOLDS = 10


def _lasso_cv(library):
    """``run(X, y, alphas) -> (alpha, coef, intercept)``."""
    if library == "fastreg":
        import fastreg

        cv = c.require(fastreg, "lasso_cv")

        def run(X, y, alphas):
            res = cv(X, y, cv=CV_FOLDS, alphas=alphas, tol=c.TOL, max_iter=c.MAX_ITER)
            return float(res.alpha), np.asarray(res.coef), float(res.intercept)

        return run
    from sklearn.linear_model import LassoCV as SkLassoCV

    def run(X, y, alphas):
        est = SkLassoCV(cv=CV_FOLDS, alphas=alphas, tol=c.TOL, max_iter=c.MAX_ITER).fit(X, y)
        return float(est.alpha_), est.coef_, float(est.intercept_)

    return run


def _warm_up(run, problem):
    Xt, yt = c.tiny_like(problem)
    Xt, yt = np.vstack([Xt] * 2), np.concatenate([yt, yt])  # >= CV_FOLDS rows
    run(Xt, yt, c.alpha_grid(Xt, yt, n_alphas=5, center=True))


class LassoCV(c._Pinned):
    """``lasso_cv`` / ``LassoCV`` per library; see the module docstring."""

    params = (c.CV_PROBLEMS, c.LIBRARIES)
    param_names = ("problem", "library")

    def setup(self, problem, library):
        self._pin_threads()
        self.run = _lasso_cv(library)
        self.X, self.y = c.make_problem(problem)
        self.grid = c.alpha_grid(self.X, self.y, center=True)
        _warm_up(self.run, problem)

    def time_lasso_cv(self, problem, library):
        self.run(self.X, self.y, self.grid)

    def track_alpha(self, problem, library):
        return self.run(self.X, self.y, self.grid)[0]

    track_alpha.unit = "alpha"

    def track_dual_gap(self, problem, library):
        alpha, coef, _ = self.run(self.X, self.y, self.grid)
        Xc = self.X - self.X.mean(axis=0)
        yc = self.y - self.y.mean()
        _, gaps = c.path_accuracy(Xc, yc, [alpha], coef[:, None], 1.0)
        return float(gaps[0])

    track_dual_gap.unit = "gap / (tol ||y||^2 / n)"


class LassoCVVsSklearn(c._Pinned):
    """Time ratio and chosen-alpha ratio of ``lasso_cv`` against ``LassoCV``."""

    params = (c.CV_PROBLEMS,)
    param_names = ("problem",)

    def setup(self, problem):
        self._pin_threads()
        self.fast = _lasso_cv("fastreg")
        self.sk = _lasso_cv("sklearn")
        self.X, self.y = c.make_problem(problem)
        self.grid = c.alpha_grid(self.X, self.y, center=True)
        _warm_up(self.fast, problem)
        _warm_up(self.sk, problem)

    def track_time_ratio(self, problem):
        t_fast, t_sk = c.best_times(lambda: self.fast(self.X, self.y, self.grid),
                                    lambda: self.sk(self.X, self.y, self.grid))
        return t_fast / t_sk

    track_time_ratio.unit = "t_fastreg / t_sklearn"

    def track_alpha_ratio(self, problem):
        return self.fast(self.X, self.y, self.grid)[0] / self.sk(self.X, self.y, self.grid)[0]

    track_alpha_ratio.unit = "alpha_fastreg / alpha_sklearn"
