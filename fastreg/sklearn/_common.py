"""Helpers shared by the estimators: input checks, the path call, extras, prediction."""

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import check_cv
from ..enet.options import DataOptions, PathOptions, Penalty
from ..enet.pipeline import path_grid, run_path
from ..enet.prepare import design_from_arrays

FLOATS = [np.float64, np.float32]

# fastreg-only estimator parameters and the value meaning "not used"
EXTRA_DEFAULTS = {"penalty_factor": None, "lower_bounds": None, "upper_bounds": None,
                  "standardize": False}


def extra_kwargs(estimator):
    """The fastreg extras set away from their defaults, as keywords for the functional API."""
    kwargs = {}
    for name, default in EXTRA_DEFAULTS.items():
        value = getattr(estimator, name)
        if value is None or value is default or (default is False and value is False):
            continue
        kwargs[name] = value
    return kwargs


def check_dense_y(y):
    """scikit-learn's TypeError for a sparse y.

    ``validate_data(..., multi_output=True)`` lets a sparse y through, and
    NumPy then fails on it with an unrelated message.
    """
    if sp.issparse(y):
        raise TypeError("Sparse data was passed for y, but dense data is required. Use "
                        "'.toarray()' to convert to a dense numpy array.")


def check_cv_param(estimator, cv, *, allow_none=True):
    """scikit-learn's parameter error for a ``cv`` that no splitter can come from.

    Strings, floats and bools are refused here, with the message scikit-learn's
    own estimators give, instead of deep inside the split.
    """
    if cv is None and allow_none:
        return cv
    try:
        return check_cv(cv)
    except TypeError:
        raise InvalidParameterError(
            f"The 'cv' parameter of {type(estimator).__name__} must be an int in the range "
            "[2, inf), an object implementing 'split' and 'get_n_splits', an iterable or "
            f"None. Got {cv!r} instead.") from None


def check_sample_weight(sample_weight, n_samples, dtype, *, scalar_is_none=False):
    """Validate ``sample_weight``: None, a number, or a 1-D array of length n_samples."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        if scalar_is_none:
            return None
        return np.full(n_samples, sample_weight, dtype=dtype)
    sw = check_array(sample_weight, ensure_2d=False, dtype=dtype, input_name="sample_weight")
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected ({n_samples},)!")
    if not np.any(sw):
        raise ValueError("sample_weight is all zero: at least one weight must be positive.")
    return sw


def center(X, y, sample_weight, fit_intercept):
    """Weighted column means of X and y, and the centered data.

    Dense X is centered into a new array; sparse X is returned unchanged (never
    densified) and its means go to the solver as ``X_offset``. y is always
    centered. Without an intercept the offsets are zeros.
    """
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1], dtype=X.dtype), np.zeros(y.shape[1:], dtype=y.dtype)
    if sample_weight is None:
        y_offset = y.mean(axis=0)
        x_offset = np.asarray(X.mean(axis=0)).ravel()
    else:
        total = sample_weight.sum()
        y_offset = (sample_weight @ y) / total
        x_offset = np.asarray(X.T @ sample_weight).ravel() / total
    x_offset = x_offset.astype(X.dtype, copy=False)
    y_offset = np.asarray(y_offset, dtype=y.dtype)
    if not sp.issparse(X):
        X = X - x_offset
    return X, y - y_offset, x_offset, y_offset


def fit_path(estimator, X, y, sample_weight, grid, *, coef_init=None, data=None):
    """The elastic-net path of an estimator's parameters on validated (X, y).

    Every estimator of the family fits through here: its parameters become the
    records of :mod:`fastreg.enet.options` (``fit_intercept`` and the fastreg
    extras ``penalty_factor`` / bounds / ``standardize`` where the estimator
    has them) and :func:`fastreg.enet.pipeline.run_path` solves, centering
    for the intercept and applying the weights itself.

    Parameters
    ----------
    estimator : an estimator of :mod:`fastreg.sklearn`
    X : ndarray or CSC matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets) (multi-task)
    sample_weight : ndarray of shape (n_samples,) or None
        Already rescaled to sum to n_samples.
    grid : ndarray of shape (n_alphas,) or int
        The alphas, or the size of the automatic grid (``estimator.eps``).
    coef_init : ndarray, default=None
    data : fastreg.enet.options.DataOptions, default=None
        What to do to the data (None: the estimator's ``fit_intercept`` and
        ``standardize``, residual updates).

    Returns
    -------
    fastreg.EnetPathResult
    """
    penalty, options, data = path_records(estimator, X.shape[1], grid, data=data)
    return run_path(design_from_arrays(X, y, sample_weight, data), penalty, options,
                    coef_init)


def automatic_grid(estimator, X, y, n_alphas, eps):
    """The automatic alpha grid of all of (X, y) for the estimator's penalty and intercept."""
    penalty, options, data = path_records(estimator, X.shape[1], n_alphas, eps=eps)
    return path_grid(design_from_arrays(X, y, None, data), penalty, options)


def path_records(estimator, n_features, grid, *, eps=None, data=None):
    """The estimator's parameters as ``(Penalty, PathOptions, DataOptions)`` records.

    ``data`` given replaces the default :class:`DataOptions` (the estimator's
    ``fit_intercept`` and ``standardize``, residual updates).
    """
    extras = {name: getattr(estimator, name, default) for name, default in
              EXTRA_DEFAULTS.items()}
    penalty = Penalty.validate(n_features, l1_ratio=estimator._l1_ratio(),
                               penalty_factor=extras["penalty_factor"],
                               lower_bounds=extras["lower_bounds"],
                               upper_bounds=extras["upper_bounds"],
                               positive=getattr(estimator, "positive", False))
    options = PathOptions.validate(grid=grid, eps=eps, tol=estimator.tol,
                                   max_iter=estimator.max_iter, selection=estimator.selection,
                                   random_state=estimator.random_state)
    if data is None:
        data = DataOptions(fit_intercept=bool(estimator.fit_intercept),
                           standardize=bool(extras["standardize"]), precompute=False)
    return penalty, options, data


def linear_predict(estimator, X, *, accept_sparse=True):
    """``X @ coef_.T + intercept_`` after scikit-learn's checks of X."""
    check_is_fitted(estimator)
    X = validate_data(estimator, X, accept_sparse=accept_sparse, reset=False)
    return np.asarray(X @ estimator.coef_.T) + estimator.intercept_


class SparseLinearPredictor:
    """``predict`` of a fitted linear model, and the tag that sparse X is accepted.

    Mixed into the estimators before scikit-learn's base classes.
    """

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        return linear_predict(self, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
