"""BayesianRidge over fastreg.bayes.bayesian_ridge (MacKay evidence maximization)."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..bayes import bayesian_ridge, predictive
from . import _common


class BayesianRidge(RegressorMixin, BaseEstimator):
    """Evidence-maximizing ridge (``sklearn.linear_model.BayesianRidge``).

    Model: ``y ~ N(Xw + b, 1 / alpha_)``, prior ``w ~ N(0, I / lambda_)``, flat
    prior on ``b``, Gamma hyperpriors ``Gamma(alpha_1, alpha_2)`` on ``alpha_``
    and ``Gamma(lambda_1, lambda_2)`` on ``lambda_``. MacKay's fixed point
    maximizes the evidence; ``coef_`` is the posterior mean, i.e. the ridge
    solution of ``||y - Xw - b||^2 + (lambda_ / alpha_) ||w||^2`` (see
    :func:`fastreg.bayes.bayesian_ridge`, which runs every iteration on one
    eigendecomposition).

    Parameters
    ----------
    max_iter : int, default=300
        Maximum number of fixed-point iterations.
    tol : float, default=1e-3
        Stop when the coefficients move by less than ``tol`` in l1 norm.
    alpha_1 : float, default=1e-6
        Shape of the Gamma hyperprior on the noise precision.
    alpha_2 : float, default=1e-6
        Rate of the Gamma hyperprior on the noise precision.
    lambda_1 : float, default=1e-6
        Shape of the Gamma hyperprior on the weight precision.
    lambda_2 : float, default=1e-6
        Rate of the Gamma hyperprior on the weight precision.
    alpha_init : float, default=None
        Initial noise precision (default ``1 / Var(y)``).
    lambda_init : float, default=None
        Initial weight precision (default 1).
    compute_score : bool, default=False
        Record the log marginal likelihood at each iteration.
    fit_intercept : bool, default=True
        Fit an intercept (flat prior; the data are centered).
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    verbose : bool, default=False
        Print the number of iterations at convergence.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean of the coefficients.
    intercept_ : float
        Intercept (0.0 without ``fit_intercept``).
    alpha_ : float
        Estimated noise precision.
    lambda_ : float
        Estimated weight precision.
    sigma_ : ndarray of shape (n_features, n_features)
        Posterior covariance of the coefficients, computed on first access:
        with ``n_features > n_samples`` the fit keeps only O(n_samples *
        n_features) numbers, and ``predict(X, return_std=True)`` does not need
        ``sigma_``.
    scores_ : ndarray of shape (n_iter_ + 1,)
        Log marginal likelihood per iteration (only with ``compute_score=True``).
    n_iter_ : int
        Iterations run.
    X_offset_ : ndarray of shape (n_features,)
        Column means subtracted from X (zeros without intercept).
    X_scale_ : ndarray of shape (n_features,)
        Ones (kept for compatibility).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when X has string column names.

    See Also
    --------
    fastreg.bayes.bayesian_ridge : The functional API.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.sklearn import BayesianRidge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4))
    >>> y = X @ np.array([1.0, 2.0, 0.0, 0.0]) + 0.5 * rng.standard_normal(200)
    >>> model = BayesianRidge().fit(X, y)
    >>> round(1 / model.alpha_, 1)
    0.2
    """

    def __init__(self, *, max_iter=300, tol=1e-3, alpha_1=1e-6, alpha_2=1e-6,
                 lambda_1=1e-6, lambda_2=1e-6, alpha_init=None, lambda_init=None,
                 compute_score=False, fit_intercept=True, copy_X=True, verbose=False):
        self.max_iter = max_iter
        self.tol = tol
        self.alpha_1 = alpha_1
        self.alpha_2 = alpha_2
        self.lambda_1 = lambda_1
        self.lambda_2 = lambda_2
        self.alpha_init = alpha_init
        self.lambda_init = lambda_init
        self.compute_score = compute_score
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Maximize the evidence and store the posterior.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Per-sample precision multipliers.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        X, y = validate_data(self, X, y, dtype=_common.FLOATS, y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        sw = _common.check_sample_weight(sample_weight, X.shape[0], X.dtype)
        fit = bayesian_ridge(X, y, max_iter=self.max_iter, tol=self.tol,
                             alpha_1=self.alpha_1, alpha_2=self.alpha_2,
                             lambda_1=self.lambda_1, lambda_2=self.lambda_2,
                             alpha_init=self.alpha_init, lambda_init=self.lambda_init,
                             compute_score=self.compute_score,
                             fit_intercept=self.fit_intercept, sample_weight=sw)
        self.coef_ = np.asarray(fit.coef)
        self.intercept_ = float(fit.intercept) if self.fit_intercept else 0.0
        self.alpha_ = float(fit.noise_precision)
        self.lambda_ = float(fit.weight_precision)
        # the posterior, whose covariance is built only if sigma_ is read
        self._posterior = fit.posterior()
        self.__dict__.pop("_sigma", None)
        self.n_iter_ = int(fit.n_iter)
        self.X_offset_ = np.asarray(fit.x_offset)
        self.X_scale_ = np.ones(X.shape[1], dtype=X.dtype)
        if self.compute_score:
            self.scores_ = np.asarray(fit.scores)
        if self.verbose and self.n_iter_ < self.max_iter:
            print(f"Convergence after {self.n_iter_} iterations")
        return self

    def predict(self, X, return_std=False):
        """Predictive mean (and standard deviation) at new points.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        return_std : bool, default=False
            Also return the predictive standard deviation (posterior
            uncertainty of the coefficients plus the noise).

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
            Predictive mean.
        y_std : ndarray of shape (n_samples,)
            Predictive standard deviation (only with ``return_std=True``).
        """
        if not return_std:
            return _common.linear_predict(self, X, accept_sparse=False)
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=_common.FLOATS)
        return predictive(self._posterior, X)

    @property
    def sigma_(self):
        """Posterior covariance of the coefficients, shape (n_features, n_features)."""
        if "_posterior" not in self.__dict__:
            raise AttributeError("sigma_ is available after fit.")
        if "_sigma" not in self.__dict__:
            self._sigma = np.asarray(self._posterior.cov)
        return self._sigma
