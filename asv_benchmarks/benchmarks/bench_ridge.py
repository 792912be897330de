"""Ridge: fastreg's ridge_regression / ridge_path / ridge_cv against scikit-learn.

Objective of every benchmark here (scikit-learn's ``Ridge``)::

    sum_i (y_i - x_i w - b)^2 + alpha ||w||^2     (b = 0 unless an intercept is fitted)

Parameter conversions, one per benchmark:

* ``RidgeRegression``: ``fastreg.ridge_regression(X, y, RIDGE_ALPHA)`` against
  ``sklearn.linear_model.ridge_regression(X, y, RIDGE_ALPHA)``, both at their
  defaults (sklearn's ``solver='auto'`` is Cholesky on dense data).
* ``RidgePath``: ``fastreg.ridge_path(X, y, alphas)`` (one eigendecomposition
  for all alphas) against a loop of
  ``Ridge(alpha=a, fit_intercept=False).fit(X, y).coef_`` over the same
  ``N_RIDGE_ALPHAS`` alphas (``n_samples * [10 ... 1e-3]``).
* ``RidgeCV``: ``fastreg.ridge_cv(X, y, alphas)`` against
  ``RidgeCV(alphas=alphas).fit(X, y)``: both fit an intercept and pick alpha by
  efficient leave-one-out (the defaults of both).

Tracks: ``track_stationarity`` is the relative residual of the normal equations
``||X^T (y - Xw) - alpha w||_inf / ||X^T y||_inf`` of the returned coefficients
(largest over the alphas), computed here; ``RidgeCV.track_alpha`` is the chosen
alpha (both lines should coincide); ``*VsSklearn.track_time_ratio`` is
``t_fastreg / t_sklearn`` (best of ``REPEATS``, timed in turn).
"""

import numpy as np

from . import _common as c


def _ridge_regression(library):
    if library == "fastreg":
        import fastreg

        return c.require(fastreg, "ridge_regression")
    from sklearn.linear_model import ridge_regression

    return ridge_regression


def _ridge_path(library):
    """``run(X, y, alphas) -> coefs (n_alphas, n_features)``."""
    if library == "fastreg":
        import fastreg

        path = c.require(fastreg, "ridge_path")
        return lambda X, y, alphas: path(X, y, alphas)
    from sklearn.linear_model import Ridge

    def run(X, y, alphas):
        return np.array([Ridge(alpha=a, fit_intercept=False).fit(X, y).coef_ for a in alphas])

    return run


def _ridge_cv(library):
    """``run(X, y, alphas) -> (alpha, coef, intercept)``."""
    if library == "fastreg":
        import fastreg

        cv = c.require(fastreg, "ridge_cv")

        def run(X, y, alphas):
            res = cv(X, y, alphas)
            return float(res.alpha), res.coef, float(res.intercept)

        return run
    from sklearn.linear_model import RidgeCV

    def run(X, y, alphas):
        est = RidgeCV(alphas=alphas).fit(X, y)
        return float(est.alpha_), est.coef_, float(est.intercept_)

    return run


def _stationarity_cv(X, y, alpha, coef, intercept):
    # the intercept only shifts the data: check the normal equations on centered data
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    return c.ridge_stationarity(Xc, yc, coef, alpha)


class _RidgeBench(c._Pinned):
    params = (c.RIDGE_PROBLEMS, c.LIBRARIES)
    param_names = ("problem", "library")

    def _setup(self, problem):
        self._pin_threads()
        self.X, self.y = c.make_problem(problem)
        self.alphas = c.ridge_alphas(self.X)
        Xt, yt = c.tiny_like(problem)
        return Xt, yt


class RidgeRegression(_RidgeBench):
    """One ``ridge_regression`` solve at ``alpha = RIDGE_ALPHA``."""

    def setup(self, problem, library):
        Xt, yt = self._setup(problem)
        self.run = _ridge_regression(library)
        self.run(Xt, yt, c.RIDGE_ALPHA)

    def time_ridge_regression(self, problem, library):
        self.run(self.X, self.y, c.RIDGE_ALPHA)

    def track_stationarity(self, problem, library):
        coef = self.run(self.X, self.y, c.RIDGE_ALPHA)
        return c.ridge_stationarity(self.X, self.y, coef, c.RIDGE_ALPHA)

    track_stationarity.unit = "relative"


class RidgePath(_RidgeBench):
    """Coefficients for ``N_RIDGE_ALPHAS`` alphas, no intercept."""

    def setup(self, problem, library):
        Xt, yt = self._setup(problem)
        self.run = _ridge_path(library)
        self.run(Xt, yt, self.alphas[:3])

    def time_ridge_path(self, problem, library):
        self.run(self.X, self.y, self.alphas)

    def track_stationarity(self, problem, library):
        coefs = self.run(self.X, self.y, self.alphas)
        return max(c.ridge_stationarity(self.X, self.y, w, a) for w, a in zip(coefs, self.alphas))

    track_stationarity.unit = "relative"


class RidgeCV(_RidgeBench):
    """Leave-one-out choice of alpha among ``N_RIDGE_ALPHAS``, with an intercept."""

    def setup(self, problem, library):
        Xt, yt = self._setup(problem)
        self.run = _ridge_cv(library)
        self.run(Xt, yt, self.alphas[:3])

    def time_ridge_cv(self, problem, library):
        self.run(self.X, self.y, self.alphas)

    def track_alpha(self, problem, library):
        return self.run(self.X, self.y, self.alphas)[0]

    track_alpha.unit = "alpha"

    def track_stationarity(self, problem, library):
        alpha, coef, intercept = self.run(self.X, self.y, self.alphas)
        return _stationarity_cv(self.X, self.y, alpha, coef, intercept)

    track_stationarity.unit = "relative"


class _RidgeVsSklearn(c._Pinned):
    params = (c.RIDGE_PROBLEMS,)
    param_names = ("problem",)
    factory = None  # set by subclasses: library -> run(X, y, arg)

    def setup(self, problem):
        self._pin_threads()
        self.X, self.y = c.make_problem(problem)
        self.arg = self._arg()
        self.fast = type(self).factory("fastreg")
        self.sk = type(self).factory("sklearn")
        Xt, yt = c.tiny_like(problem)
        tiny_arg = self.arg if np.ndim(self.arg) == 0 else self.arg[:3]
        self.fast(Xt, yt, tiny_arg)
        self.sk(Xt, yt, tiny_arg)

    def _arg(self):
        return c.ridge_alphas(self.X)

    def track_time_ratio(self, problem):
        t_fast, t_sk = c.best_times(lambda: self.fast(self.X, self.y, self.arg),
                                    lambda: self.sk(self.X, self.y, self.arg))
        return t_fast / t_sk

    track_time_ratio.unit = "t_fastreg / t_sklearn"


class RidgeRegressionVsSklearn(_RidgeVsSklearn):
    """Time ratio of one ``ridge_regression`` solve."""

    factory = staticmethod(_ridge_regression)

    def _arg(self):
        return c.RIDGE_ALPHA


class RidgePathVsSklearn(_RidgeVsSklearn):
    """Time ratio of ``ridge_path`` against a loop of ``Ridge`` fits."""

    factory = staticmethod(_ridge_path)


class RidgeCVVsSklearn(_RidgeVsSklearn):
    """Time ratio of ``ridge_cv`` against ``RidgeCV``, and the ratio of chosen alphas."""

    factory = staticmethod(_ridge_cv)

    def track_alpha_ratio(self, problem):
        return self.fast(self.X, self.y, self.arg)[0] / self.sk(self.X, self.y, self.arg)[0]

    track_alpha_ratio.unit = "alpha_fastreg / alpha_sklearn"
