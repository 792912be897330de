"""Existing scikit-learn code under ``fastreg.patch_sklearn()`` against unpatched.

The very same scikit-learn call, ``clone(est).fit(X, y)``, runs with
scikit-learn patched (``library='fastreg'``) or not (``'sklearn'``), so both
lines share one graph. The benchmarks are skipped (NotImplementedError in
setup) for a commit whose fastreg has no ``patch_sklearn``.

* ``PatchedEstimators.time_fit``: ``LassoCV(cv=10)``, ``ElasticNetCV(l1_ratio=
  [.1, .5, .9], cv=5)`` and ``RidgeCV`` over 50 alphas on the ``cv-tall``
  problem; ``Lasso`` and ``ElasticNet`` at ``alpha_max / 20`` on ``dense-tall``
  and on ``sparse`` given as CSR (the conversion to CSC is part of the call).
* ``PatchedVsSklearn.track_time_ratio``: ``t_patched / t_unpatched`` (best of
  ``REPEATS``; asv treats a rise as a regression; 1 is the no-slower line).
* ``PatchedVsSklearn.track_fallbacks``: patched calls that fell back to
  scikit-learn's code (0 expected: a rise means a case left fastreg).
"""

import warnings

import numpy as np

from . import _common as c

# case -> (problem, estimator name, keyword arguments; "alpha" filled in setup)
CASES = {
    "LassoCV": ("cv-tall", "LassoCV", {"cv": 10}),
    "ElasticNetCV": ("cv-tall", "ElasticNetCV", {"l1_ratio": [0.1, 0.5, 0.9], "cv": 5}),
    "RidgeCV": ("cv-tall", "RidgeCV", {"alphas": np.logspace(-3, 3, 50)}),
    "Lasso-dense": ("dense-tall", "Lasso", {"alpha": None}),
    "ElasticNet-dense": ("dense-tall", "ElasticNet", {"alpha": None}),
    "Lasso-csr": ("sparse", "Lasso", {"alpha": None}),
}


def _fit_function(case):
    """``fit(X, y)`` of the case's scikit-learn estimator, and (X, y)."""
    import sklearn.linear_model as lm
    from sklearn.base import clone

    problem, name, kwargs = CASES[case]
    X, y = c.make_problem(problem)
    if case.endswith("-csr"):
        X = X.tocsr()
    kwargs = dict(kwargs)
    if "alpha" in kwargs:
        yc = y - y.mean()
        kwargs["alpha"] = float(np.max(np.abs(np.asarray(X.T @ yc)))) / X.shape[0] / 20
    estimator = getattr(lm, name)(**kwargs)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return clone(estimator).fit(X, y)

    return fit


def _patch_module():
    import fastreg

    c.require(fastreg, "patch_sklearn")
    return fastreg


class PatchedEstimators(c._Pinned):
    """One scikit-learn fit per case, patched (``fastreg``) or not (``sklearn``)."""

    params = (tuple(CASES), c.LIBRARIES)
    param_names = ("case", "library")

    def setup(self, case, library):
        self._pin_threads()
        self.fastreg = _patch_module()
        self.fit = _fit_function(case)
        if library == "fastreg":
            self.fastreg.patch_sklearn()
        self.fit()  # JIT warm-up and first-call costs, never timed

    def teardown(self, case, library):
        self.fastreg.unpatch_sklearn()
        super().teardown(case, library)

    def time_fit(self, case, library):
        self.fit()


class PatchedVsSklearn(c._Pinned):
    """Time ratio patched / unpatched of the same scikit-learn call."""

    params = (tuple(CASES),)
    param_names = ("case",)

    def setup(self, case):
        self._pin_threads()
        self.fastreg = _patch_module()
        self.fit = _fit_function(case)
        self.fit()
        with self.fastreg.sklearn_patched():
            self.fit()

    def teardown(self, case):
        self.fastreg.unpatch_sklearn()
        super().teardown(case)

    def _patched(self):
        with self.fastreg.sklearn_patched():
            self.fit()

    def track_time_ratio(self, case):
        t_patched, t_sklearn = c.best_times(self._patched, self.fit)
        return t_patched / t_sklearn

    track_time_ratio.unit = "t_patched / t_unpatched"

    def track_fallbacks(self, case):
        self.fastreg.patched_calls(reset=True)
        self._patched()
        calls = self.fastreg.patched_calls(reset=True)
        return float(sum(count["fallback"] for count in calls.values()))

    track_fallbacks.unit = "fallback calls"
