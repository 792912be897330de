"""MultiTaskElasticNet, MultiTaskLasso and their CV versions over fastreg.enet_path (2-D y)."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.utils.validation import validate_data

from . import _common

_OBJECTIVE = """
    Minimizes, with the targets as the columns of ``Y``::

        1 / (2 * n_samples) * sum_i sw_i * ||Y_i - x_i W - b||^2_2
        + alpha * l1_ratio * ||W||_21 + 0.5 * alpha * (1 - l1_ratio) * ||W||^2_Fro

    with ``||W||_21 = sum_j ||W_j||_2`` over the features j (a feature is used
    by every target or by none), the sample weights ``sw`` rescaled to sum to
    ``n_samples`` (all ones without weights) and ``b`` the unpenalized
    intercepts. The solver stops when the duality gap is at most
    ``tol * sum_i sw_i ||Y_i - Ybar||^2 / n_samples`` (``Ybar`` the weighted
    column means, 0 without intercept).
"""


def _check_multi_output(y, single):
    if y.ndim == 1:
        raise ValueError(f"For mono-task outputs, use {single}")


class MultiTaskElasticNet(_common.SparseLinearPredictor, MultiOutputMixin, RegressorMixin,
                          BaseEstimator):
    __doc__ = """Multi-task elastic net (``sklearn.linear_model.MultiTaskElasticNet``).
{objective}
    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength, >= 0.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1]: 1 is the multi-task lasso.
    fit_intercept : bool, default=True
        Fit unpenalized intercepts (dense X centered; sparse X implicitly).
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps.
    tol : float, default=1e-4
        Relative duality-gap tolerance (see above).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Coordinate order.

    Attributes
    ----------
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients (rows: targets).
    intercept_ : ndarray of shape (n_targets,)
        Intercepts (0.0 without ``fit_intercept``).
    dual_gap_ : float
        Duality gap (the certificate) at the end of the optimization.
    n_iter_ : int
        Coordinate sweeps run.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import MultiTaskElasticNet
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> Y = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> MultiTaskElasticNet(alpha=0.1).fit(X, Y).coef_.shape
    (2, 2)
    """.format(objective=_OBJECTIVE)

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, random_state=None,
                 selection="cyclic"):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self):
        return self.l1_ratio

    def fit(self, X, y, sample_weight=None):
        """Fit the model by block coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_targets)
            Targets (2-D).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled to sum to n_samples (a number means none).

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        if isinstance(self.alpha, numbers.Real) and self.alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {self.alpha}.")
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=_common.FLOATS,
                             multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        _check_multi_output(y, "ElasticNet" if hasattr(self, "l1_ratio") else "Lasso")
        n_samples, n_features = X.shape
        sw = _common.check_sample_weight(sample_weight, n_samples, X.dtype,
                                         scalar_is_none=True)
        if sw is not None:
            sw = sw * (n_samples / sw.sum())
        init = None
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and np.shape(self.coef_) == (y.shape[1], n_features):
            init = self.coef_
        path = _common.fit_path(self, X, y, sw, np.array([float(self.alpha)]), coef_init=init)
        self.coef_ = path.coefs[:, :, 0]
        self.dual_gap_ = float(path.dual_gaps[0])
        self.n_iter_ = int(path.n_iters[0])
        self.intercept_ = path.intercepts[:, 0] if self.fit_intercept else 0.0
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLasso(MultiTaskElasticNet):
    __doc__ = """Multi-task lasso (``sklearn.linear_model.MultiTaskLasso``).

    :class:`MultiTaskElasticNet` with ``l1_ratio=1``: minimizes::

        1 / (2 * n_samples) * sum_i sw_i * ||Y_i - x_i W - b||^2_2 + alpha * ||W||_21

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, >= 0.
    fit_intercept : bool, default=True
        Fit unpenalized intercepts.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.

    Attributes
    ----------
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients.
    intercept_ : ndarray of shape (n_targets,)
        Intercepts.
    dual_gap_ : float
        Duality gap at the end of the optimization.
    n_iter_ : int
        Coordinate sweeps run.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import MultiTaskLasso
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> Y = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> MultiTaskLasso(alpha=0.1).fit(X, Y).coef_.shape
    (2, 2)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, random_state=None, selection="cyclic"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self):
        return 1.0


class MultiTaskElasticNetCV(_common.SparseLinearPredictor, MultiOutputMixin, RegressorMixin,
                            BaseEstimator):
    __doc__ = """Multi-task elastic net with alpha (and l1_ratio) chosen by cross-validation.

    ``sklearn.linear_model.MultiTaskElasticNetCV`` over :func:`fastreg.enet_path`
    with a 2-D ``y``: one warm-started path per fold and ``l1_ratio`` on the
    grid of the full data, the mean squared error over folds, and a refit at the
    best pair. The objective is :class:`MultiTaskElasticNet`'s.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s) in (0, 1] to cross-validate.
    eps : float, default=1e-3
        Length of the automatic grid, ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Grid size, or the alphas themselves.
    fit_intercept : bool, default=True
        Fit unpenalized intercepts.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    cv : int, cross-validation generator or iterable, default=None
        Folds (None: 5-fold ``KFold``).
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    verbose : bool or int, default=0
        Accepted for compatibility.
    n_jobs : int, default=None
        Accepted for compatibility: the folds run one after the other.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    l1_ratio_ : float
        The chosen l1_ratio.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid(s).
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (n_targets,)
        Intercepts of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Coordinate sweeps of the refit.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import MultiTaskElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> Y = X[:, :2] @ np.ones((2, 3)) + 0.1 * rng.standard_normal((60, 3))
    >>> MultiTaskElasticNetCV(cv=3, alphas=10).fit(X, Y).coef_.shape
    (3, 5)
    """

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0, n_jobs=None,
                 random_state=None, selection="cyclic"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection

    def _l1_ratios(self):
        return np.atleast_1d(np.asarray(self.l1_ratio, dtype=float))

    def _estimator(self, alpha, l1_ratio):
        return MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio,
                                   fit_intercept=self.fit_intercept, max_iter=self.max_iter,
                                   tol=self.tol, random_state=self.random_state,
                                   selection=self.selection)

    def fit(self, X, y, **params):
        """Cross-validate the multi-task path and refit at the best alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_targets)
            Targets (2-D).
        **params : dict
            ``groups`` for a group-aware ``cv`` splitter.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=_common.FLOATS,
                             multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        _check_multi_output(y, type(self).__name__[9:])
        ratios = self._l1_ratios()
        explicit = not isinstance(self.alphas, numbers.Integral)
        if explicit:
            grid = np.sort(np.asarray(self.alphas, dtype=float))[::-1]
            if (grid < 0).any():
                raise ValueError(f"alphas must be >= 0, got {grid.min()!r}.")
            grids = [grid for _ in ratios]
        else:  # the automatic grid of all data, as scikit-learn
            grids = [_common.automatic_grid(self._estimator(1.0, float(ratio)), X, y,
                                            int(self.alphas), self.eps)
                     for ratio in ratios]
        folds = list(check_cv(self.cv).split(X, y, params.get("groups")))
        mse = np.empty((len(ratios), len(grids[0]), len(folds)))
        for r, ratio in enumerate(ratios):
            estimator = self._estimator(1.0, float(ratio))
            for f, (train, test) in enumerate(folds):
                path = _common.fit_path(estimator, X[train], y[train], None, grids[r])
                # coefs: (n_targets, n_features, n_alphas)
                fitted = path.predict(X[test])  # (n_test, n_targets, n_alphas)
                mse[r, :, f] = ((fitted - y[test][:, :, None]) ** 2).mean(axis=(0, 1))
        mean = mse.mean(axis=2)
        r_best, a_best = np.unravel_index(np.argmin(mean), mean.shape)
        self.alpha_ = float(grids[r_best][a_best])
        self.l1_ratio_ = float(ratios[r_best])
        self.alphas_ = grids[0] if (explicit or len(ratios) == 1) else np.asarray(grids)
        self.mse_path_ = np.squeeze(mse) if len(ratios) == 1 else mse
        if len(ratios) == 1:
            self.mse_path_ = mse[0]
        model = self._estimator(self.alpha_, self.l1_ratio_).fit(X, y)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        self.dual_gap_, self.n_iter_ = model.dual_gap_, model.n_iter_
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLassoCV(MultiTaskElasticNetCV):
    __doc__ = """Multi-task lasso with alpha chosen by cross-validation.

    ``sklearn.linear_model.MultiTaskLassoCV``: :class:`MultiTaskElasticNetCV`
    with ``l1_ratio=1`` (the objective of :class:`MultiTaskLasso`).

    Parameters
    ----------
    eps : float, default=1e-3
        Length of the automatic grid, ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Grid size, or the alphas themselves.
    fit_intercept : bool, default=True
        Fit unpenalized intercepts.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    cv : int, cross-validation generator or iterable, default=None
        Folds (None: 5-fold ``KFold``).
    verbose : bool or int, default=False
        Accepted for compatibility.
    n_jobs : int, default=None
        Accepted for compatibility.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        The grid.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (n_targets,)
        Intercepts of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Coordinate sweeps of the refit.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import MultiTaskLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> Y = X[:, :2] @ np.ones((2, 3)) + 0.1 * rng.standard_normal((60, 3))
    >>> MultiTaskLassoCV(cv=3, alphas=10).fit(X, Y).coef_.shape
    (3, 5)
    """

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000,
                 tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 random_state=None, selection="cyclic"):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection

    def _l1_ratios(self):
        return np.array([1.0])

    def _estimator(self, alpha, l1_ratio):
        return MultiTaskLasso(alpha=alpha, fit_intercept=self.fit_intercept,
                              max_iter=self.max_iter, tol=self.tol,
                              random_state=self.random_state, selection=self.selection)

    def fit(self, X, y, **params):
        """Cross-validate the multi-task lasso path and refit at the best alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_targets)
            Targets (2-D).
        **params : dict
            ``groups`` for a group-aware ``cv`` splitter.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        super().fit(X, y, **params)
        del self.l1_ratio_
        return self
