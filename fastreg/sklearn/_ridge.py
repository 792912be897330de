"""Ridge and RidgeCV over fastreg.ridge_regression / fastreg.ridge_cv."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.model_selection import GridSearchCV
from sklearn.utils.validation import validate_data

from ..ridge.solve import ridge_regression
from ..ridge.path import ridge_cv
from . import _common

_SPARSE_INTERCEPT_SOLVERS = ("auto", "lbfgs", "lsqr", "sag", "sparse_cg")


class Ridge(_common.SparseLinearPredictor, MultiOutputMixin, RegressorMixin,
            BaseEstimator):
    """Ridge regression by an exact direct method (``sklearn.linear_model.Ridge``).

    Minimizes, for each target t::

        sum_i sw_i * (y_it - x_i w_t - b_t)^2 + alpha_t * ||w_t||^2_2

    with an unpenalized intercept ``b_t`` when ``fit_intercept``. Dense X is
    centered at its weighted column means; sparse X is centered through the
    sufficient statistics and never densified.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty strength, >= 0 (one per target or shared).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    max_iter : int, default=None
        Accepted for compatibility (the methods are direct).
    tol : float, default=1e-4
        Accepted for compatibility (the methods are exact).
    solver : {'auto', 'svd', 'cholesky', 'lsqr', 'sparse_cg', 'sag', 'saga', \
'lbfgs'}, default='auto'
        Accepted with scikit-learn's rules for which combinations are allowed;
        ``'svd'`` runs an SVD of dense X, ``positive=True`` an exact
        non-negative solve, everything else a Cholesky factorization (see
        :func:`fastreg.ridge_regression`).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (dense X, or sparse X
        without intercept).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility (nothing is random).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 without ``fit_intercept``).
    n_iter_ : None
        The direct methods do not iterate.
    solver_ : str
        The method that ran: 'cholesky', 'svd' or 'lbfgs' (the non-negative solve).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    fastreg.ridge_regression : The functional API.
    RidgeCV : Leave-one-out choice of alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import Ridge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ np.array([1.0, 2.0, 0.0]) + 3.0
    >>> model = Ridge(alpha=1e-8).fit(X, y)
    >>> (model.coef_.round(6) + 0.0).tolist(), round(float(model.intercept_), 6)
    ([1.0, 2.0, 0.0], 3.0)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None,
                 tol=1e-4, solver="auto", positive=False, random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit the ridge model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        _common.check_dense_y(y)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc", "coo"],
                             dtype=_common.FLOATS, multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        sw = _common.check_sample_weight(sample_weight, X.shape[0], X.dtype)
        common = dict(sample_weight=sw, max_iter=self.max_iter, tol=self.tol,
                      random_state=self.random_state)
        if sp.issparse(X) and self.fit_intercept:
            if self.solver not in _SPARSE_INTERCEPT_SOLVERS:
                raise ValueError(
                    f"solver='{self.solver}' does not support fitting the intercept on "
                    "sparse data. Please set the solver to 'auto' or 'lsqr', 'sparse_cg', "
                    "'sag', 'lbfgs' or set `fit_intercept=False`")
            if self.positive:
                raise NotImplementedError(
                    "positive=True with fit_intercept=True is not supported for sparse X "
                    "by fastreg.ridge_regression; densify X or set fit_intercept=False.")
            self.coef_, self.intercept_ = ridge_regression(
                X, y, self.alpha, solver="auto", return_intercept=True, **common)
        else:
            Xc, yc, x_offset, y_offset = _common.center(X, y, sw, self.fit_intercept)
            self.coef_ = ridge_regression(Xc, yc, self.alpha, solver=self.solver,
                                          positive=self.positive, **common)
            self.intercept_ = (y_offset - x_offset @ self.coef_.T) if self.fit_intercept \
                else 0.0
        self.n_iter_ = None
        if self.positive:
            self.solver_ = "lbfgs"
        elif self.solver == "svd" and not sp.issparse(X):
            self.solver_ = "svd"
        else:
            self.solver_ = "cholesky"
        return self


class RidgeCV(_common.SparseLinearPredictor, MultiOutputMixin, RegressorMixin,
              BaseEstimator):
    """Ridge with alpha chosen by exact leave-one-out (``sklearn.linear_model.RidgeCV``).

    With ``cv=None`` and ``scoring=None`` (the defaults) this is
    :func:`fastreg.ridge_cv`: the mean over samples of ``sw_i * e_i^2`` with
    ``e_i`` the exact leave-one-out residual, all alphas from one
    eigendecomposition. Otherwise (``cv`` given) it runs ``GridSearchCV`` over
    :class:`Ridge`, as scikit-learn does. The objective is that of :class:`Ridge`.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Strictly positive penalties to try.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    scoring : str or callable, default=None
        Scorer for ``cv`` folds. With ``cv=None`` only ``None`` (the squared
        leave-one-out error) is supported.
    cv : int, cross-validation generator or iterable, default=None
        None is efficient leave-one-out; anything else goes to ``GridSearchCV``.
    gcv_mode : {'auto', 'svd', 'eigen'}, default=None
        Accepted for compatibility: fastreg always uses its eigendecomposition
        (every mode gives the same leave-one-out errors).
    store_cv_results : bool, default=False
        Keep the squared leave-one-out error of every sample and alpha.
    alpha_per_target : bool, default=False
        Choose one alpha per target.
    criterion : {'loo', 'gcv'}, default='loo'
        fastreg extra: exact leave-one-out, or generalized cross-validation.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen alpha(s).
    best_score_ : float or ndarray of shape (n_targets,)
        Score at the chosen alpha (minus the mean squared leave-one-out error).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or \
(n_samples, n_targets, n_alphas)
        Squared leave-one-out errors (only with ``store_cv_results=True``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients refit at ``alpha_``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    fastreg.ridge_cv : The functional API.
    Ridge : Ridge at a fixed alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ np.ones(5) + 0.5 * rng.standard_normal(100)
    >>> float(RidgeCV(alphas=[0.01, 1.0, 100.0]).fit(X, y).alpha_)
    0.01
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None,
                 cv=None, gcv_mode=None, store_cv_results=False, alpha_per_target=False,
                 criterion="loo"):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.criterion = criterion

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha and refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights.
        **params : dict
            Passed to ``GridSearchCV.fit`` when ``cv`` is given (e.g. ``groups``).

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        if self.gcv_mode not in (None, "auto", "svd", "eigen"):
            raise ValueError(f"gcv_mode must be None, 'auto', 'svd' or 'eigen'; got "
                             f"{self.gcv_mode!r}.")
        _common.check_dense_y(y)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc", "coo"],
                             dtype=_common.FLOATS, multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        sw = _common.check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if self.cv is None:
            self._fit_loo(X, y, sw)
        else:
            self._fit_grid(X, y, sw, params)
        return self

    def _fit_loo(self, X, y, sw):
        if self.scoring is not None:
            raise NotImplementedError(
                "RidgeCV(cv=None) supports scoring=None (squared leave-one-out error) "
                "only; pass cv=... to score with another scorer.")
        if X.shape[0] < 2:
            raise ValueError(f"Leave-one-out needs at least 2 samples; got n_samples = "
                             f"{X.shape[0]}.")
        res = ridge_cv(X, y, self.alphas, fit_intercept=self.fit_intercept,
                       sample_weight=sw, alpha_per_target=self.alpha_per_target,
                       criterion=self.criterion, store_cv_results=self.store_cv_results)
        self.alpha_ = res.alpha
        self.coef_ = res.coef
        self.intercept_ = res.intercept if self.fit_intercept else 0.0
        error = np.asarray(res.cv_error)
        alphas = np.asarray(res.alphas)
        if error.ndim == 1:
            self.best_score_ = -float(error[np.flatnonzero(alphas == res.alpha)[0]])
        elif np.ndim(res.alpha) == 0:
            self.best_score_ = -float(error[np.flatnonzero(alphas == res.alpha)[0]].mean())
        else:
            rows = [np.flatnonzero(alphas == a)[0] for a in res.alpha]
            self.best_score_ = -error[rows, np.arange(error.shape[1])]
        if self.store_cv_results:
            self.cv_results_ = res.cv_results

    def _fit_grid(self, X, y, sw, params):
        if self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        _common.check_cv_param(self, self.cv)
        search = GridSearchCV(Ridge(fit_intercept=self.fit_intercept),
                              {"alpha": np.atleast_1d(np.asarray(self.alphas, dtype=float))},
                              cv=self.cv, scoring=self.scoring)
        if sw is not None:
            params = dict(params, sample_weight=sw)
        search.fit(X, y, **params)
        best = search.best_estimator_
        self.alpha_ = best.alpha
        self.best_score_ = search.best_score_
        self.coef_ = best.coef_
        self.intercept_ = best.intercept_
