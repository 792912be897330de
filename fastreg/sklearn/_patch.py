"""The replacements :func:`fastreg.patch_sklearn` installs in scikit-learn.

Two layers, as scikit-learn's own estimators are built:

* **Path functions** with scikit-learn 1.9's exact contract
  (:func:`sklearn_enet_path`, :func:`sklearn_lasso_path`): its signature with
  ``**params``, its parameter validation, ``ValueError("Unexpected parameters
  in params", ...)``, ``sample_weight`` ignored for dense X (scikit-learn's
  dense solvers ignore it: its estimators have already multiplied X and y by
  ``sqrt(sample_weight)``) and applied for sparse X. They become
  ``sklearn.linear_model.lasso_path`` / ``enet_path`` and the ``path``
  static methods, so every estimator that calls ``self.path`` (``Lasso``,
  ``ElasticNet``, the folds of the multi-task CV estimators) solves on fastreg
  with scikit-learn's own preprocessing, checks and attributes around it.
* **fit methods** where the speed is in the estimator, not the path: the
  one-pass cross-validation of :func:`fastreg.enet_cv` for ``LassoCV`` /
  ``ElasticNetCV``, :func:`fastreg.ridge_regression` for ``Ridge``, the
  spectral leave-one-out of :func:`fastreg.ridge_cv` for ``RidgeCV``, and
  ``MultiTaskElasticNet`` / ``MultiTaskLasso`` (whose scikit-learn ``fit``
  calls its Cython solver directly). Each validates the input with
  scikit-learn's own helpers, in scikit-learn's order, so errors read the same.

Every replacement first asks a small pure helper (``*_fallback_reason``)
whether fastreg implements the options at hand; if not, scikit-learn's
original code runs, the call is counted as a fallback
(:func:`fastreg.patched_calls`) and logged at DEBUG level.
"""

import functools
import numbers
from functools import partial

import numpy as np
from scipy import sparse
from sklearn import config_context, get_config, linear_model
from sklearn.base import BaseEstimator
from sklearn.linear_model import _coordinate_descent as _cd
from sklearn.linear_model import _ridge
from sklearn.linear_model._base import _preprocess_data
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import make_constraint, validate_params
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from .. import _patch_calls
from ..cv import enet_cv
from ..enet.path import enet_path as _fastreg_enet_path
from ..ridge.solve import ridge_regression as _fastreg_ridge_regression
from ..ridge.path import ridge_cv as _fastreg_ridge_cv

PATCH_NAMES = ("lasso_path", "enet_path", "ridge_regression", "Lasso", "ElasticNet",
               "LassoCV", "ElasticNetCV", "MultiTaskLasso", "MultiTaskElasticNet",
               "MultiTaskLassoCV", "MultiTaskElasticNetCV", "Ridge", "RidgeCV")

# scikit-learn's own objects, taken before any patching (this module is
# imported by patch_sklearn before it replaces anything)
_SK = {
    "enet_path": _cd.enet_path,
    "lasso_path": _cd.lasso_path,
    "ridge_regression": _ridge.ridge_regression,
    "ElasticNet.fit": _cd.ElasticNet.__dict__["fit"],
    "MultiTaskElasticNet.fit": _cd.MultiTaskElasticNet.__dict__["fit"],
    "LassoCV.fit": _cd.LassoCV.__dict__["fit"],
    "ElasticNetCV.fit": _cd.ElasticNetCV.__dict__["fit"],
    "Ridge.fit": _ridge.Ridge.__dict__["fit"],
    "RidgeCV.fit": _ridge.RidgeCV.__dict__["fit"],
}
_PATH_PARAMS = ("X_offset", "X_scale", "sample_weight", "tol", "max_iter", "random_state",
                "selection", "do_screening")
_RIDGE_SOLVERS = ("auto", "cholesky", "svd")



# --- the estimators' fit context ------------------------------------------------

# class -> (its _parameter_constraints, [(parameter, constraint objects)])
_CONSTRAINT_CACHE = {}


def params_satisfied(estimator):
    """Whether every constructor parameter meets scikit-learn's declared constraints.

    The same test as ``estimator._validate_params()`` (each parameter must
    satisfy one of its constraints), with the parameter names and constraint
    objects built once per class instead of on every fit: scikit-learn
    introspects ``__init__``'s signature and rebuilds every constraint each
    time, which costs more than solving a small problem. False for classes that
    override ``get_params`` or ``_validate_params``: those are always validated
    by their own methods.
    """
    cls = type(estimator)
    if cls.get_params is not BaseEstimator.get_params \
            or cls._validate_params is not BaseEstimator._validate_params:
        return False
    declared = cls._parameter_constraints
    cached = _CONSTRAINT_CACHE.get(cls)
    if cached is None or cached[0] is not declared:
        checks = [(name, [make_constraint(c) for c in declared[name]])
                  for name in cls._get_param_names()
                  if name in declared and not (isinstance(declared[name], str)
                                               and declared[name] == "no_validation")]
        cached = _CONSTRAINT_CACHE[cls] = (declared, checks)
    return all(any(constraint.is_satisfied_by(getattr(estimator, name))
                   for constraint in constraints)
               for name, constraints in cached[1])


def fit_context(fit_method):
    """scikit-learn's ``_fit_context(prefer_skip_nested_validation=True)``, cached.

    The constructor parameters are validated unless scikit-learn's
    ``skip_parameter_validation`` is set, and the fit runs with nested
    validation skipped, as scikit-learn's decorator does. Valid parameters are
    recognized by :func:`params_satisfied`; otherwise scikit-learn's own
    ``_validate_params`` runs and raises its own error. (None of the patched
    estimators supports scikit-learn's fit callbacks, the one other thing its
    decorator manages.)
    """
    @functools.wraps(fit_method)
    def wrapper(estimator, *args, **kwargs):
        if not get_config()["skip_parameter_validation"] and not params_satisfied(estimator):
            estimator._validate_params()
        with config_context(skip_parameter_validation=True):
            return fit_method(estimator, *args, **kwargs)

    return wrapper


_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def plain_arrays(X, y, fortran):
    """Whether ``validate_data`` would pass X and y through unchanged and silently.

    True for a NumPy float64 / float32 matrix X (Fortran-ordered if ``fortran``)
    with at least one row and one column, and a finite float vector y of the same
    length, NumPy being scikit-learn's array namespace. Such input needs only
    the feature-name bookkeeping (``validate_data(..., skip_check_array=True)``);
    for any other, scikit-learn's full check converts it or raises its own error.
    """
    return (type(X) is np.ndarray and type(y) is np.ndarray and X.ndim == 2 and y.ndim == 1
            and X.dtype in _FLOAT_DTYPES and y.dtype in _FLOAT_DTYPES
            and X.shape[0] >= 1 and X.shape[1] >= 1 and y.shape[0] == X.shape[0]
            and (X.flags.f_contiguous or not fortran)
            and not get_config()["array_api_dispatch"] and bool(np.isfinite(y).all()))


# --- path functions -----------------------------------------------------------

def path_fallback_reason(X, l1_ratio, alphas, n_alphas, params):
    """Why a path call must run on scikit-learn's code, or None if fastreg runs it.

    Only scikit-learn's automatic grid for sparse X with weights or implicit
    centers differs: it ignores both (its estimators always pass explicit
    alphas there), and ``l1_ratio=0`` has no automatic grid at all.
    """
    integer_grid = isinstance(alphas, numbers.Integral) or (
        (alphas is None or (isinstance(alphas, str) and alphas == "warn")))
    if not integer_grid:
        return None
    if l1_ratio == 0:
        return "automatic alpha grid with l1_ratio=0 (scikit-learn raises its own error)"
    if sparse.issparse(X) and (params.get("sample_weight") is not None
                               or params.get("X_offset") is not None):
        return ("automatic alpha grid for sparse X with sample_weight / X_offset "
                "(scikit-learn's grid ignores them)")
    return None


# the keywords scikit-learn's enet_path names; the rest arrive in its **params
_NAMED_PATH_KEYWORDS = ("l1_ratio", "eps", "n_alphas", "alphas", "precompute", "Xy", "copy_X",
                        "coef_init", "verbose", "return_n_iter", "positive", "check_input")


def _enet_path(name, X, y, keywords):
    """scikit-learn's ``enet_path`` contract on fastreg; ``keywords``: the call's keywords."""
    reason = path_fallback_reason(X, keywords["l1_ratio"], keywords["alphas"],
                                  keywords["n_alphas"], keywords)
    if reason is not None:
        _patch_calls.record_call(name, "fallback", reason)
        return _SK["enet_path"].__wrapped__(X, y, **keywords)
    named = {key: keywords[key] for key in _NAMED_PATH_KEYWORDS}
    params = {key: value for key, value in keywords.items() if key not in named}
    kwargs = {key: params.pop(key) for key in _PATH_PARAMS if key in params}
    if params:
        raise ValueError("Unexpected parameters in params", params.keys())
    if not named["check_input"] and named["precompute"] is False \
            and isinstance(X, np.ndarray) and X.ndim == 2 and not X.flags.f_contiguous:
        # scikit-learn's residual solver takes X as given and rejects C order;
        # the same error here keeps "check_input=False" meaning the same thing
        raise ValueError("ndarray is not Fortran contiguous")
    if not sparse.issparse(X):
        # scikit-learn's dense solvers ignore sample_weight: its callers have
        # already multiplied X and y by sqrt(sample_weight)
        kwargs.pop("sample_weight", None)
    if sparse.issparse(X) and kwargs.get("X_offset") is not None \
            and kwargs.get("X_scale") is None:
        kwargs["X_scale"] = np.ones(X.shape[1])
    _patch_calls.record_call(name, "fastreg")
    return _fastreg_enet_path(X, y, **named, **kwargs)


def _constraints(function):
    return getattr(function, "_skl_parameter_constraints", None) or \
        function.__wrapped__._skl_parameter_constraints


def make_enet_path(name="enet_path"):
    """``sklearn.linear_model.enet_path``'s contract on fastreg, counted under ``name``."""

    def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated", alphas="warn",
                  precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
                  return_n_iter=False, positive=False, check_input=True, **params):
        return _enet_path(name, X, y, dict(
            l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas, alphas=alphas,
            precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
            verbose=verbose, return_n_iter=return_n_iter, positive=positive,
            check_input=check_input, **params))

    enet_path.__doc__ = _SK["enet_path"].__doc__
    enet_path.__qualname__ = "enet_path"  # parameter errors name it as scikit-learn's
    return validate_params(_constraints(_SK["enet_path"]),
                           prefer_skip_nested_validation=True)(enet_path)


def make_lasso_path(name="lasso_path"):
    """``sklearn.linear_model.lasso_path``'s contract on fastreg, counted under ``name``."""

    def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas="warn",
                   precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
                   return_n_iter=False, positive=False, **params):
        return _enet_path(name, X, y, dict(
            {"check_input": True}, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
            precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
            verbose=verbose, return_n_iter=return_n_iter, positive=positive, **params))

    lasso_path.__doc__ = _SK["lasso_path"].__doc__
    lasso_path.__qualname__ = "lasso_path"
    return validate_params(_constraints(_SK["lasso_path"]),
                           prefer_skip_nested_validation=True)(lasso_path)


sklearn_enet_path = make_enet_path()
sklearn_lasso_path = make_lasso_path()


def ridge_fallback_reason(X, solver, positive, return_intercept=False, alpha=1.0):
    """Why a ridge call must run on scikit-learn's code, or None."""
    if np.any(np.asarray(alpha) == 0):
        return "alpha=0 (scikit-learn's least-squares fallback and its warnings)"
    if sparse.issparse(X):
        return "sparse X (scikit-learn's iterative sparse solvers)"
    if solver not in _RIDGE_SOLVERS:
        return f"solver={solver!r} (iterative; its n_iter_ is scikit-learn's)"
    if positive:
        return "positive=True"
    if return_intercept:
        return "return_intercept=True"
    return None


def _ridge_regression(X, y, alpha, *, sample_weight=None, solver="auto", max_iter=None,
                      tol=1e-4, verbose=0, positive=False, random_state=None,
                      return_n_iter=False, return_intercept=False, check_input=True):
    reason = ridge_fallback_reason(X, solver, positive, return_intercept, alpha)
    if reason is None and return_n_iter:
        reason = "return_n_iter=True"
    if reason is not None:
        _patch_calls.record_call("ridge_regression", "fallback", reason)
        return _SK["ridge_regression"].__wrapped__(
            X, y, alpha, sample_weight=sample_weight, solver=solver, max_iter=max_iter,
            tol=tol, verbose=verbose, positive=positive, random_state=random_state,
            return_n_iter=return_n_iter, return_intercept=return_intercept,
            check_input=check_input)
    _patch_calls.record_call("ridge_regression", "fastreg")
    return _fastreg_ridge_regression(
        X, y, alpha, sample_weight=sample_weight, solver=solver, max_iter=max_iter, tol=tol,
        verbose=verbose, positive=positive, random_state=random_state,
        return_n_iter=return_n_iter, return_intercept=return_intercept,
        check_input=check_input)


_ridge_regression.__doc__ = _SK["ridge_regression"].__doc__
_ridge_regression.__name__ = _ridge_regression.__qualname__ = "ridge_regression"
sklearn_ridge_regression = validate_params(_constraints(_SK["ridge_regression"]),
                                           prefer_skip_nested_validation=True)(_ridge_regression)


# --- estimators ---------------------------------------------------------------

def _multitask_fit(self, X, y, sample_weight=None):
    """``MultiTaskElasticNet.fit`` (and ``MultiTaskLasso``'s) on fastreg's multi-task path.

    scikit-learn's input checks and preprocessing (``_pre_fit``: centering,
    and dense rows multiplied by ``sqrt(sample_weight)``), then one call of the
    multi-task path at ``self.alpha``.
    """
    name = type(self).__name__
    copy = self.copy_X and self.fit_intercept
    check_X = dict(accept_sparse="csc", dtype=[np.float64, np.float32], order="F",
                   force_writeable=True, accept_large_sparse=False, copy=copy)
    check_y = dict(copy=False, dtype=[np.float64, np.float32], ensure_2d=False, order="F")
    X, y = validate_data(self, X, y, validate_separately=(check_X, check_y))
    check_consistent_length(X, y)
    if y.ndim == 1:
        raise ValueError("For mono-task outputs, use %s"
                         % ("ElasticNet" if hasattr(self, "l1_ratio") else "Lasso"))
    n_samples, n_features = X.shape
    n_targets = y.shape[1]
    if isinstance(sample_weight, numbers.Number):
        sample_weight = None
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        # the objective averages over the weights: rescaled to sum to n_samples
        sample_weight = sample_weight * (n_samples / np.sum(sample_weight))
    X, y, X_offset, y_offset, X_scale, _, _ = _cd._pre_fit(
        X, y, None, False, fit_intercept=self.fit_intercept, copy=False,
        sample_weight=sample_weight)
    coef_init = None
    if self.warm_start and hasattr(self, "coef_"):
        coef_init = np.asarray(self.coef_)
    _patch_calls.record_call(name, "fastreg")
    _, coefs, gaps, n_iters = _fastreg_enet_path(
        X, y, l1_ratio=getattr(self, "l1_ratio", 1.0), eps=None, alphas=[self.alpha],
        coef_init=coef_init, return_n_iter=True, check_input=False, tol=self.tol,
        max_iter=self.max_iter, random_state=self.random_state, selection=self.selection,
        X_offset=X_offset, X_scale=X_scale,
        sample_weight=sample_weight if sparse.issparse(X) else None)
    self.coef_ = np.asfortranarray(coefs[:, :, 0].reshape(n_targets, n_features))
    self.dual_gap_ = gaps[0]
    self.n_iter_ = int(n_iters[0])
    self._set_intercept(X_offset, y_offset, X_scale)
    return self


def enet_fit_route(estimator, sample_weight, check_input):
    """Whether ``ElasticNet.fit`` / ``Lasso.fit`` runs whole on fastreg (None) or why not.

    The whole-fit route validates X and y once and lets fastreg center them
    (its ``fit_intercept``) where scikit-learn's ``fit`` validates y twice and
    centers X in a copy before its path call: on small problems those steps
    cost more than the solve. The other cases (weights, a precomputed Gram
    matrix, ``check_input=False``, ``alpha=0``) keep scikit-learn's ``fit``,
    whose path call runs on fastreg all the same.
    """
    if not check_input:
        return "check_input=False"
    if sample_weight is not None and not isinstance(sample_weight, numbers.Number):
        return "sample_weight"
    if not (estimator.precompute is False
            or (isinstance(estimator.precompute, str) and estimator.precompute == "auto")):
        return "precompute=True or a Gram matrix"
    if estimator.alpha == 0:
        return "alpha=0 (scikit-learn's warning)"
    return None


def _make_enet_fit(name):
    original = _SK["ElasticNet.fit"]

    def fit(self, X, y, sample_weight=None, check_input=True):
        if enet_fit_route(self, sample_weight, check_input) is not None:
            # scikit-learn's preprocessing; its path call is fastreg's (counted there)
            return original(self, X, y, sample_weight=sample_weight, check_input=check_input)
        return _enet_fit(self, X, y, name)

    fit.__doc__ = original.__doc__
    return fit


@fit_context
def _enet_fit(self, X, y, name):
    """``ElasticNet.fit`` in one validation and one fastreg path call (centering inside)."""
    # With an intercept fastreg centers dense X into a Fortran-ordered copy of any
    # order: asking scikit-learn for Fortran order first would copy C-ordered X
    # twice. fastreg never writes to X, so read-only X needs no writeable copy.
    # Non-finite X is found by fastreg from the column statistics it computes
    # anyway (a ValueError that names NaN and infinity, as scikit-learn's does),
    # not in a pass of its own; y is checked here.
    if plain_arrays(X, y, fortran=not self.fit_intercept):
        validate_data(self, X, y, skip_check_array=True)
    else:
        X, y = validate_data(self, X, y, accept_sparse="csc",
                             order=None if self.fit_intercept else "F",
                             dtype=[np.float64, np.float32], force_writeable=False,
                             ensure_all_finite=False,
                             accept_large_sparse=False, copy=False, multi_output=True,
                             y_numeric=True)
    if y.ndim != 1:
        # several targets: scikit-learn's loop over them (each on fastreg's path)
        return _SK["ElasticNet.fit"].__wrapped__(self, X, y)
    y = np.asarray(y, dtype=X.dtype)
    coef_init = None
    if self.warm_start and hasattr(self, "coef_"):
        coef_init = np.ravel(self.coef_)
    _patch_calls.record_call(name, "fastreg")
    _, coefs, gaps, n_iters, intercepts = _fastreg_enet_path(
        X, y, l1_ratio=self.l1_ratio, eps=None, alphas=[self.alpha],
        precompute=self.precompute, coef_init=coef_init, return_n_iter=True,
        positive=self.positive, check_input=False, tol=self.tol, max_iter=self.max_iter,
        selection=self.selection, random_state=self.random_state,
        fit_intercept=self.fit_intercept, return_intercept=True)
    self.coef_ = coefs[:, 0]
    self.dual_gap_ = gaps[0]
    self.n_iter_ = int(n_iters[0])
    self.intercept_ = intercepts[0] if self.fit_intercept else 0.0
    if not (np.isfinite(self.coef_).all() and np.isfinite(self.intercept_)):
        raise ValueError("Coordinate descent iterations resulted in non-finite parameter"
                         " values. The input data may contain large values and need to"
                         " be preprocessed.")
    return self


def cv_fallback_reason(estimator, params):
    """Why ``LassoCV`` / ``ElasticNetCV.fit`` must run on scikit-learn's code, or None."""
    if params or _routing_enabled():
        return "metadata routing / fit params"
    if hasattr(estimator.precompute, "__array__"):
        return "a precomputed Gram matrix"
    if isinstance(estimator.alphas, numbers.Integral) and \
            np.any(np.atleast_1d(getattr(estimator, "l1_ratio", 1.0)) == 0):
        return "automatic alpha grid with l1_ratio=0 (scikit-learn raises its own error)"
    return None


def _partitions(folds, n_samples):
    """Whether the test sets cover every sample exactly once (one-pass CV needs it)."""
    counts = np.zeros(n_samples, dtype=np.int64)
    for _, test in folds:
        np.add.at(counts, test, 1)
    return bool((counts == 1).all())


def _make_cv_fit(name):
    original = _SK[f"{name}.fit"]

    def fit(self, X, y, sample_weight=None, **params):
        reason = cv_fallback_reason(self, params)
        if reason is not None:
            _patch_calls.record_call(name, "fallback", reason)
            return original(self, X, y, sample_weight=sample_weight, **params)
        fitted = _cv_fit(self, X, y, sample_weight)
        if fitted is None:
            reason = "cv splits whose test sets do not partition the samples"
            _patch_calls.record_call(name, "fallback", reason)
            return original(self, X, y, sample_weight=sample_weight, **params)
        _patch_calls.record_call(name, "fastreg")
        return fitted

    fit.__doc__ = original.__doc__
    return fit


@fit_context
def _cv_fit(self, X, y, sample_weight):
    """The one-pass cross-validation of :func:`fastreg.enet_cv`, sklearn's attributes."""
    check_X = dict(accept_sparse="csc", dtype=[np.float64, np.float32], force_writeable=True,
                   copy=False, accept_large_sparse=False)
    check_y = dict(copy=False, dtype=[np.float64, np.float32], ensure_2d=False)
    X, y = validate_data(self, X, y, validate_separately=(check_X, check_y))
    check_consistent_length(X, y)
    if y.ndim > 1 and y.shape[1] > 1:
        raise ValueError("For multi-task outputs, use MultiTask%s" % type(self).__name__)
    y = column_or_1d(y, warn=True).astype(X.dtype, copy=False)
    if isinstance(sample_weight, numbers.Number):
        sample_weight = None
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
    explicit = not isinstance(self.alphas, numbers.Integral)
    if explicit:
        check = partial(check_scalar, target_type=numbers.Real, min_val=0.0,
                        include_boundaries="left")
        for index, alpha in enumerate(self.alphas):
            check(alpha, f"alphas[{index}]")
    has_ratio = hasattr(self, "l1_ratio")
    cv = 5 if self.cv is None else self.cv
    if not isinstance(cv, numbers.Integral):
        cv = list(check_cv(cv).split(X, y))
        if not _partitions(cv, X.shape[0]):
            return None
    res = enet_cv(X, y, l1_ratio=self.l1_ratio if has_ratio else 1.0, eps=self.eps,
                  alphas=self.alphas, cv=cv, fit_intercept=self.fit_intercept,
                  sample_weight=sample_weight, positive=self.positive, tol=self.tol,
                  max_iter=self.max_iter, selection=self.selection,
                  random_state=self.random_state, n_jobs=self.n_jobs)
    self.alpha_ = float(res.alpha)
    if has_ratio:
        self.l1_ratio_ = float(res.l1_ratio)
    alphas = np.asarray(res.alphas)
    self.alphas_ = np.sort(np.asarray(self.alphas, dtype=float))[::-1] if explicit \
        else alphas
    self.mse_path_ = np.squeeze(np.asarray(res.mse_path))
    # the refit is scikit-learn's: its estimator, parameters and precompute rule
    # (a one-alpha fit on the patched path, cheap next to the cross-validation)
    model = self._get_estimator()
    model.set_params(**{key: value for key, value in self.get_params().items()
                        if key in model.get_params()})
    model.alpha = self.alpha_
    if has_ratio:
        model.l1_ratio = self.l1_ratio_
    if isinstance(self.precompute, str) and self.precompute == "auto":
        model.precompute = False
    if sample_weight is None:
        model.fit(X, y)
    else:
        model.fit(X, y, sample_weight=sample_weight)
    self.coef_ = model.coef_
    self.intercept_ = model.intercept_
    self.dual_gap_ = model.dual_gap_
    self.n_iter_ = model.n_iter_
    return self


def _ridge_fit(self, X, y, sample_weight=None):
    """``Ridge.fit`` on :func:`fastreg.ridge_regression` (dense X, exact solvers)."""
    reason = ridge_fallback_reason(X, self.solver, self.positive, alpha=self.alpha)
    if reason is None and not isinstance(X, np.ndarray) and hasattr(X, "__array_namespace__"):
        reason = "array API input"
    if reason is not None:
        _patch_calls.record_call("Ridge", "fallback", reason)
        return _SK["Ridge.fit"](self, X, y, sample_weight=sample_weight)
    _patch_calls.record_call("Ridge", "fastreg")
    return _ridge_fit_fastreg(self, X, y, sample_weight)


@fit_context
def _ridge_fit_fastreg(self, X, y, sample_weight):
    X, y = validate_data(self, X, y, accept_sparse=False, dtype=[np.float64, np.float32],
                         force_writeable=True, multi_output=True, y_numeric=True)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
    X, y, X_offset, y_offset, X_scale, _ = _preprocess_data(
        X, y, fit_intercept=self.fit_intercept, copy=self.copy_X,
        sample_weight=sample_weight, rescale_with_sw=False)
    self.coef_ = _fastreg_ridge_regression(
        X, y, self.alpha, sample_weight=sample_weight, solver=self.solver,
        check_input=False)
    self.n_iter_ = None
    self.solver_ = "svd" if self.solver == "svd" else "cholesky"
    self._set_intercept(X_offset, y_offset, X_scale)
    return self


def ridge_cv_fallback_reason(estimator, X, params):
    """Why ``RidgeCV.fit`` must run on scikit-learn's code, or None."""
    if estimator.cv is not None:
        return "cv is not None (a grid search over Ridge fits)"
    if estimator.scoring is not None:
        return "a scoring other than the squared leave-one-out error"
    if params or _routing_enabled():
        return "metadata routing / fit params"
    if sparse.issparse(X):
        return "sparse X"
    if estimator.gcv_mode not in (None, "auto", "svd", "eigen"):
        return f"gcv_mode={estimator.gcv_mode!r}"
    if not isinstance(X, np.ndarray) and hasattr(X, "__array_namespace__"):
        return "array API input"
    # the raw input's own shape attribute: no NumPy call on unvalidated input
    shape = getattr(X, "shape", None)
    if estimator.fit_intercept and isinstance(shape, tuple) and len(shape) == 2 \
            and shape[0] == shape[1]:
        # centering leaves a square X rank-deficient in the primal form, where
        # fastreg's spectral leave-one-out loses the near-zero-alpha limit
        return "fit_intercept with n_samples == n_features"
    return None


def _ridge_cv_fit(self, X, y, sample_weight=None, **params):
    """``RidgeCV.fit`` on the spectral leave-one-out of :func:`fastreg.ridge_cv`."""
    reason = ridge_cv_fallback_reason(self, X, params)
    if reason is not None:
        _patch_calls.record_call("RidgeCV", "fallback", reason)
        return _SK["RidgeCV.fit"](self, X, y, sample_weight=sample_weight, **params)
    _patch_calls.record_call("RidgeCV", "fastreg")
    return _ridge_cv_fit_fastreg(self, X, y, sample_weight)


@fit_context
def _ridge_cv_fit_fastreg(self, X, y, sample_weight):
    check = partial(check_scalar, target_type=numbers.Real, min_val=0.0,
                    include_boundaries="neither")
    if isinstance(self.alphas, (np.ndarray, list, tuple)):
        if np.ndim(self.alphas) == 0 or len(self.alphas) == 1:
            check(np.ravel(self.alphas)[0], "alphas")
        else:
            for index, alpha in enumerate(self.alphas):
                check(alpha, f"alphas[{index}]")
    X, y = validate_data(self, X, y, accept_sparse=False, dtype=[np.float64],
                         multi_output=True, y_numeric=True)
    if X.shape[0] < 2:
        raise ValueError(f"Leave-one-out needs at least 2 samples; got n_samples = "
                         f"{X.shape[0]}.")
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
    alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64))
    # a sample with leverage 1 has an undefined leave-one-out error (inf), as in
    # scikit-learn's own GCV, which does not warn about it either
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _fastreg_ridge_cv(X, y, alphas, fit_intercept=self.fit_intercept,
                                sample_weight=sample_weight,
                                alpha_per_target=self.alpha_per_target,
                                store_cv_results=self.store_cv_results)
    self.alpha_ = res.alpha
    self.coef_ = res.coef
    if self.fit_intercept:
        intercept = np.asarray(res.intercept, dtype=X.dtype)
        self.intercept_ = intercept[()] if intercept.ndim == 0 else intercept
    else:
        self.intercept_ = 0.0
    error = np.asarray(res.cv_error)
    grid = np.asarray(res.alphas)
    if error.ndim == 1:
        self.best_score_ = -float(error[np.flatnonzero(grid == res.alpha)[0]])
    elif np.ndim(res.alpha) == 0:
        self.best_score_ = -float(error[np.flatnonzero(grid == res.alpha)[0]].mean())
    else:
        rows = [np.flatnonzero(grid == a)[0] for a in res.alpha]
        self.best_score_ = -error[rows, np.arange(error.shape[1])]
    if self.store_cv_results:
        self.cv_results_ = res.cv_results
    return self


_ridge_fit.__doc__ = _SK["Ridge.fit"].__doc__
_ridge_cv_fit.__doc__ = _SK["RidgeCV.fit"].__doc__
_multitask_fit.__doc__ = _SK["MultiTaskElasticNet.fit"].__doc__
_multitask_fit = fit_context(_multitask_fit)


def _modules(attr):
    """sklearn.linear_model and the private module defining ``attr``."""
    private = _ridge if attr == "ridge_regression" else _cd
    return [linear_model, private]


def replacements(name):
    """``(owner, attribute, new value)`` for one patch name."""
    if name == "enet_path":
        return [(m, "enet_path", sklearn_enet_path) for m in _modules("enet_path")]
    if name == "lasso_path":
        return [(m, "lasso_path", sklearn_lasso_path) for m in _modules("lasso_path")]
    if name == "ridge_regression":
        return [(m, "ridge_regression", sklearn_ridge_regression)
                for m in _modules("ridge_regression")]
    if name in ("Lasso", "ElasticNet"):
        # Lasso inherits ElasticNet.fit; its own attribute keeps the patch per name
        return [(getattr(_cd, name), "path", staticmethod(make_enet_path(name))),
                (getattr(_cd, name), "fit", _make_enet_fit(name))]
    if name == "MultiTaskElasticNet":
        return [(_cd.MultiTaskElasticNet, "fit", _multitask_fit)]
    if name == "MultiTaskLasso":
        # inherits MultiTaskElasticNet.fit; its own attribute keeps the patch per name
        return [(_cd.MultiTaskLasso, "fit", _multitask_fit)]
    if name in ("LassoCV", "ElasticNetCV"):
        path = make_lasso_path(name) if name == "LassoCV" else make_enet_path(name)
        return [(getattr(_cd, name), "path", staticmethod(path)),
                (getattr(_cd, name), "fit", _make_cv_fit(name))]
    if name in ("MultiTaskLassoCV", "MultiTaskElasticNetCV"):
        path = make_lasso_path(name) if name == "MultiTaskLassoCV" else make_enet_path(name)
        return [(getattr(_cd, name), "path", staticmethod(path))]
    if name == "Ridge":
        return [(_ridge.Ridge, "fit", _ridge_fit)]
    if name == "RidgeCV":
        return [(_ridge.RidgeCV, "fit", _ridge_cv_fit)]
    raise ValueError(f"Unknown patch name {name!r}.")
