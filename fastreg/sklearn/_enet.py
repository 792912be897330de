"""Lasso, ElasticNet, LassoCV and ElasticNetCV over fastreg.enet_path / fastreg.enet_cv."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.utils.validation import validate_data

import fastreg
from ..enet.options import DataOptions
from ..enet.path import enet_path, lasso_path
from . import _common

_OBJECTIVE = """
    Minimizes, for each target (columns of a 2-D ``y`` are fitted
    independently, as scikit-learn does)::

        1 / (2 * n_samples) * sum_i sw_i * (y_i - x_i w - b)^2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    with the sample weights ``sw`` rescaled to sum to ``n_samples`` (all ones
    without weights) and ``b`` the unpenalized intercept. The solver stops when
    the duality gap is at most ``tol * sum_i sw_i (y_i - ybar)^2 / n_samples``
    (``ybar`` the weighted mean of y, 0 without intercept).
"""

_EXTRAS_DOC = """    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of the penalty (glmnet's ``penalty.factor``); a
        fastreg extra, passed to the functional API only when set.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
default=None
        Box constraints on the coefficients; fastreg extras, passed on only when set.
    standardize : bool, default=False
        Fit on columns scaled to unit variance and report the coefficients on
        the original scale (glmnet's ``standardize``); a fastreg extra."""


class ElasticNet(_common.SparseLinearPredictor, MultiOutputMixin, RegressorMixin,
                 BaseEstimator):
    __doc__ = """Elastic net by certified coordinate descent (``sklearn.linear_model.ElasticNet``).
{objective}
    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength, >= 0.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1]: 1 is the lasso, 0 is ridge.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept: dense X is centered at its (weighted)
        column means; sparse X is centered implicitly (densified only when at
        least 90% stored).
    precompute : bool, 'auto' or array-like of shape (n_features, n_features), \
default=False
        Covariance (Gram) updates: True, 'auto' (when n_samples > n_features) or
        a given Gram matrix of the (weighted, centered) data. Ignored for sparse X.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    tol : float, default=1e-4
        Relative duality-gap tolerance (see above).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Coordinate order.
{extras}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 without ``fit_intercept``).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap (the certificate) at the end of the optimization.
    n_iter_ : int or list of int
        Coordinate sweeps run, per target.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    fastreg.enet_path : The functional API this estimator calls.
    Lasso : The same with ``l1_ratio=1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import ElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 4))
    >>> y = X @ np.array([1.0, 0.0, 0.0, 2.0]) + 1.0
    >>> model = ElasticNet(alpha=0.01).fit(X, y)
    >>> (model.coef_.round(2) + 0.0).tolist()
    [0.98, 0.0, 0.0, 1.98]
    """.format(objective=_OBJECTIVE, extras=_EXTRAS_DOC)

    path = staticmethod(enet_path)

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None, standardize=False):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.standardize = standardize

    def _l1_ratio(self):
        return self.l1_ratio

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (CSC is the preferred sparse format).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets, cast to X's dtype; columns are fitted independently.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled to sum to n_samples (a number means none).
        check_input : bool, default=True
            False skips the consistency checks of a given Gram matrix.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        if isinstance(self.alpha, numbers.Real) and self.alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {self.alpha}.")
        if isinstance(self.alpha, numbers.Real) and self.alpha == 0:
            warnings.warn("With alpha=0, this algorithm does not converge well. You are "
                          "advised to use the LinearRegression estimator", stacklevel=2)
        _common.check_dense_y(y)
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=_common.FLOATS,
                             multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        n_samples, n_features = X.shape
        sw = _common.check_sample_weight(sample_weight, n_samples, X.dtype,
                                         scalar_is_none=True)
        if sw is not None:
            total = sw.sum()
            if not total > 0:
                raise ValueError("sample_weight must have a positive sum.")
            sw = sw * (n_samples / total)
        precompute, centered = self._precompute(X, y, sw)
        if centered is not None:  # a given Gram matrix of (centered) X: scikit-learn's contract
            X, y = centered[0], centered[1]
        data = DataOptions(fit_intercept=bool(self.fit_intercept) and centered is None,
                           standardize=bool(self.standardize), precompute=precompute,
                           check_input=check_input)
        Y = y.reshape(n_samples, -1)
        n_targets = Y.shape[1]
        init = self._coef_init(n_targets, n_features)
        coef = np.zeros((n_targets, n_features), dtype=X.dtype)
        gaps = np.zeros(n_targets, dtype=X.dtype)
        intercepts = np.zeros(n_targets, dtype=X.dtype)
        n_iter = []
        for k in range(n_targets):
            path = _common.fit_path(self, X, Y[:, k], sw, np.array([float(self.alpha)]),
                                    coef_init=None if init is None else init[k], data=data)
            coef[k], gaps[k], intercepts[k] = path.coefs[:, 0], path.dual_gaps[0], \
                path.intercepts[0]
            n_iter.append(int(path.n_iters[0]))
        if centered is not None:
            intercepts = centered[3] - coef @ centered[2]
        if n_targets == 1:
            self.coef_, self.dual_gap_, self.n_iter_ = coef[0], gaps[0], n_iter[0]
        else:
            self.coef_, self.dual_gap_, self.n_iter_ = coef, gaps, n_iter
        if self.fit_intercept:
            self.intercept_ = intercepts[0] if y.ndim == 1 else intercepts
        else:
            self.intercept_ = 0.0
        if not (np.isfinite(self.coef_).all() and np.isfinite(self.intercept_).all()):
            raise ValueError("Coordinate descent resulted in non-finite coefficients; the "
                             "input data may contain very large values.")
        return self

    def _precompute(self, X, y, sw):
        """scikit-learn's rules for ``precompute``: ``(precompute, centered)``.

        No Gram for sparse X. A given Gram matrix with an intercept describes
        centered X: when X is not centered it is recomputed (with scikit-learn's
        warning); when it is, it is used on the explicitly centered data,
        ``centered = (Xc, yc, x_mean, y_mean)``, solved without intercept.
        """
        precompute = self.precompute
        if sp.issparse(X):
            return False, None
        if not (hasattr(precompute, "__array__") and self.fit_intercept):
            return precompute, None
        x_mean = np.average(X, axis=0, weights=sw).astype(X.dtype)
        if not np.allclose(x_mean, 0.0):
            warnings.warn("Gram matrix was provided but X was centered to fit intercept: "
                          "recomputing Gram matrix.", UserWarning, stacklevel=3)
            return "auto", None
        y_mean = np.asarray(np.average(y, axis=0, weights=sw), dtype=X.dtype)
        return precompute, (X - x_mean, y - y_mean, x_mean, y_mean)

    def _coef_init(self, n_targets, n_features):
        """The previous ``coef_`` as (n_targets, n_features) under ``warm_start``, else None."""
        if not self.warm_start or not hasattr(self, "coef_") \
                or np.size(self.coef_) != n_targets * n_features:
            return None
        return np.asarray(self.coef_).reshape(n_targets, n_features)

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR matrix."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))


class Lasso(ElasticNet):
    __doc__ = """Lasso by certified coordinate descent (``sklearn.linear_model.Lasso``).

    :class:`ElasticNet` with ``l1_ratio=1``.
{objective}
    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, >= 0.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (sparse X is centered implicitly).
    precompute : bool, 'auto' or array-like of shape (n_features, n_features), \
default=False
        Covariance (Gram) updates; see :class:`ElasticNet`.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Coordinate order.
{extras}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 without ``fit_intercept``).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the end of the optimization.
    n_iter_ : int or list of int
        Coordinate sweeps run, per target.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    fastreg.lasso_path : The functional API.
    ElasticNet : The elastic net.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import Lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 4))
    >>> y = X @ np.array([1.0, 0.0, 0.0, 2.0]) + 1.0
    >>> (Lasso(alpha=0.1).fit(X, y).coef_.round(2) + 0.0).tolist()
    [0.86, 0.0, 0.0, 1.88]
    """.format(objective=_OBJECTIVE.replace("l1_ratio", "1").replace(
        "+ alpha * 1 * ||w||_1 + 0.5 * alpha * (1 - 1) * ||w||^2_2", "+ alpha * ||w||_1"),
        extras=_EXTRAS_DOC)

    path = staticmethod(lasso_path)

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None, standardize=False):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
                         warm_start=warm_start, positive=positive,
                         random_state=random_state, selection=selection,
                         penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                         upper_bounds=upper_bounds, standardize=standardize)

    def _l1_ratio(self):
        return 1.0


class ElasticNetCV(_common.SparseLinearPredictor, RegressorMixin, BaseEstimator):
    __doc__ = """Elastic net with alpha (and l1_ratio) chosen by cross-validation.

    ``sklearn.linear_model.ElasticNetCV`` over :func:`fastreg.enet_cv`: the
    path of the objective of :class:`ElasticNet` is computed on every training
    fold, the mean squared error on the held-out fold (weighted by
    ``sample_weight``) picks ``alpha_`` (and ``l1_ratio_``), and the model is
    refit on all data at that alpha.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s) in [0, 1]; a list is searched too.
    eps : float, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Number of alphas on the automatic grid, or the grid itself.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    precompute : 'auto', bool, default='auto'
        Accepted for compatibility: :func:`fastreg.enet_cv` chooses by itself
        (per-fold Gram statistics when ``n_samples > n_features``, rows otherwise).
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    cv : int, cross-validation generator or iterable, default=None
        None is 5-fold; an int is that many unshuffled folds (``KFold``); a
        splitter or an iterable of (train, test) index arrays is used as given
        (the splitter gets ``groups`` from :meth:`fit`).
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    verbose : bool or int, default=0
        Verbosity of the path solver.
    n_jobs : int, default=None
        Threads for the folds and l1_ratios (scikit-learn's meaning: None is 1
        unless in a ``joblib.parallel_config`` context, -1 is every core); the
        result does not depend on it.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Coordinate order.
{extras}

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    l1_ratio_ : float
        The chosen l1_ratio.
    coef_ : ndarray of shape (n_features,)
        Coefficients refit on all data at ``alpha_``.
    intercept_ : float
        Intercept.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The alpha grid(s).
    alpha_1se_ : float
        The largest alpha within one standard error of the best (a fastreg extra).
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Coordinate sweeps of the refit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    ElasticNet : The estimator at a fixed alpha.
    LassoCV : The same with ``l1_ratio=1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import ElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 6))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(100)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5).fit(X, y)
    >>> model.mse_path_.shape
    (2, 100, 5)
    """.format(extras=_EXTRAS_DOC)

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None, standardize=False):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.standardize = standardize

    def _l1_ratio(self):
        return self.l1_ratio

    def fit(self, X, y, sample_weight=None, groups=None):
        """Cross-validate the path and refit at the best alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights of the fits and of the held-out errors.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group-aware ``cv`` splitter.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=_common.FLOATS,
                             y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        sw = _common.check_sample_weight(sample_weight, X.shape[0], X.dtype,
                                         scalar_is_none=True)
        kwargs = dict(l1_ratio=self._l1_ratio(), eps=self.eps, alphas=self.alphas,
                      cv=self._cv(X, y, groups), fit_intercept=self.fit_intercept,
                      sample_weight=sw, tol=self.tol, max_iter=self.max_iter,
                      positive=self.positive, selection=self.selection,
                      random_state=self.random_state, verbose=self.verbose,
                      n_jobs=self.n_jobs, **_common.extra_kwargs(self))
        res = fastreg.enet_cv(X, y, **kwargs)
        self.alpha_ = float(res.alpha)
        self.l1_ratio_ = float(res.l1_ratio)
        self.alpha_1se_ = float(res.alpha_1se)
        self.alphas_ = np.asarray(res.alphas)
        self.mse_path_ = np.asarray(res.mse_path)
        self.coef_ = np.asarray(res.coef)
        self.intercept_ = float(res.intercept) if self.fit_intercept else 0.0
        self.dual_gap_ = float(res.dual_gaps[res.best_index])
        self.n_iter_ = int(res.n_iters[res.best_index])
        return self

    def _cv(self, X, y, groups):
        """An int goes to fastreg as is; anything else is split here, as scikit-learn."""
        cv = 5 if self.cv is None else _common.check_cv_param(self, self.cv)
        if isinstance(cv, numbers.Integral) and groups is None:
            return int(cv)
        return list(check_cv(cv).split(X, y, groups))


class LassoCV(ElasticNetCV):
    __doc__ = """Lasso with alpha chosen by cross-validation (``sklearn.linear_model.LassoCV``).

    :class:`ElasticNetCV` with ``l1_ratio=1``, over :func:`fastreg.lasso_cv`'s
    grid and folds.

    Parameters
    ----------
    eps : float, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Number of alphas on the automatic grid, or the grid itself.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    precompute : 'auto', bool, default='auto'
        Accepted for compatibility: :func:`fastreg.enet_cv` chooses by itself
        (per-fold Gram statistics when ``n_samples > n_features``, rows otherwise).
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    cv : int, cross-validation generator or iterable, default=None
        None is 5-fold; see :class:`ElasticNetCV`.
    verbose : bool or int, default=False
        Verbosity of the path solver.
    n_jobs : int, default=None
        Threads for the folds (scikit-learn's meaning: None is 1 unless in a
        ``joblib.parallel_config`` context, -1 is every core); the result does
        not depend on it.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Coordinate order.
{extras}

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    coef_ : ndarray of shape (n_features,)
        Coefficients refit on all data at ``alpha_``.
    intercept_ : float
        Intercept.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.
    alphas_ : ndarray of shape (n_alphas,)
        The alpha grid.
    alpha_1se_ : float
        The largest alpha within one standard error of the best (a fastreg extra).
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Coordinate sweeps of the refit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    Lasso : The estimator at a fixed alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import LassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 6))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(100)
    >>> model = LassoCV(cv=5).fit(X, y)
    >>> bool(model.alpha_1se_ >= model.alpha_), model.mse_path_.shape
    (True, (100, 5))
    """.format(extras=_EXTRAS_DOC)

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic",
                 penalty_factor=None, lower_bounds=None, upper_bounds=None,
                 standardize=False):
        super().__init__(l1_ratio=1.0, eps=eps, alphas=alphas, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, tol=tol, cv=cv,
                         copy_X=copy_X, verbose=verbose, n_jobs=n_jobs, positive=positive,
                         random_state=random_state, selection=selection,
                         penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                         upper_bounds=upper_bounds, standardize=standardize)

    def _l1_ratio(self):
        return 1.0
