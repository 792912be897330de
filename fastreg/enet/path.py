"""Public lasso / elastic-net path functions, drop-in for scikit-learn's."""

import numbers
import warnings
from numbers import Integral

import numpy as np
from scipy import sparse

from .. import _scaling, _validation
from .driver import feature_box, path_alpha_max, solve_path
from .from_stats import stats_path
from ..stats.gramstats import GramStats
from .grid import alpha_grid
from .designs import (
    CscProblem,
    DenseProblem,
    GramProblem,
    MultiTaskCscProblem,
    MultiTaskDenseProblem,
)

# glmnet's rule of thumb: below this many features the whole Gram matrix costs
# little more than the columns a path touches, and one BLAS call is faster
# than many thin ones.
LAZY_GRAM_MIN_FEATURES = 5000


def choose_mode(n_samples, n_features, *, is_sparse, multi_task, precompute,
                itemsize=8):
    """Pick the coordinate-descent update for a problem.

    Parameters
    ----------
    n_samples, n_features : int
    is_sparse : bool
    multi_task : bool
    precompute : 'auto', bool or ndarray
        As in :func:`enet_path`.
    itemsize : int
        Bytes per float (a Gram matrix of float32 takes half the memory).

    Returns
    -------
    {'naive', 'gram', 'gram-lazy'}
        ``'naive'``: residual updates (sparse X, multi-task, ``precompute=False``,
        or ``'auto'`` with ``n_samples <= n_features``). ``'gram'``: covariance
        updates with the full Gram matrix (given, or computed by one BLAS call).
        ``'gram-lazy'``: covariance updates with Gram columns computed as features
        enter (``'auto'`` with many features).
    """
    if is_sparse or multi_task or precompute is False:
        return "naive"
    if hasattr(precompute, "__array__"):
        return "gram"
    if precompute is True:
        _validation.check_gram_size(n_features, itemsize)
        return "gram"
    # 'auto'
    if n_samples <= n_features:
        return "naive"
    if n_features * n_features * itemsize > _validation.GRAM_MAX_BYTES:
        return "naive"
    return "gram-lazy" if n_features >= LAZY_GRAM_MIN_FEATURES else "gram"


def _resolve_alphas(alphas, n_alphas):
    """sklearn 1.9's deprecation dance between ``n_alphas`` and ``alphas``."""
    # the messages are scikit-learn's own, word for word: its tests and its
    # users' warning filters match them
    if n_alphas != "deprecated":
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. "
            "'alphas' now accepts an integer value which removes the need to pass "
            "'n_alphas'. The default value of 'alphas' will change from None to "
            "100 in 1.11. Pass an explicit value to 'alphas' and leave 'n_alphas' "
            "to its default value to silence this warning.",
            FutureWarning,
            stacklevel=3,
        )
        count = _validation.check_positive_int(n_alphas, "n_alphas")
    else:
        count = 100
    if isinstance(alphas, str) and alphas == "warn":
        return count
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which "
            "point the default value will be set to 100. Set 'alphas=100' "
            "to silence this warning.",
            FutureWarning,
            stacklevel=3,
        )
        return count
    if isinstance(alphas, Integral):  # a bool too, as in scikit-learn
        if alphas < 1:
            raise ValueError(f"alphas must be >= 1 when an integer (a grid size), got {alphas!r}.")
        return int(alphas)
    return _validation.check_alphas(alphas)


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    sample_weight=None,
    X_offset=None,
    X_scale=None,
    do_screening=True,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    fit_intercept=False,
    standardize=False,
    return_intercept=False,
    max_features=None,
    min_dev_change=None,
    callback=None,
):
    """Compute the elastic-net path by coordinate descent.

    A drop-in replacement for ``sklearn.linear_model.enet_path`` (scikit-learn
    1.9): same arguments, defaults, objective, alpha grid, stopping rule and
    return layout. For one target the objective is::

        1 / (2 * n_samples) * ||y - Xw||^2_2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    and for a 2-D ``y`` (multi-task)::

        1 / (2 * n_samples) * ||Y - XW||_Fro^2
        + alpha * l1_ratio * ||W||_21
        + 0.5 * alpha * (1 - l1_ratio) * ||W||_Fro^2

    with ``||W||_21 = sum_j sqrt(sum_t W_jt^2)`` over features j. With
    ``sample_weight`` the data term is
    ``1 / (2 * n_samples) * sum_i sample_weight_i * (y_i - x_i w)^2``.

    The glmnet-style keyword options (all off by default, which is exactly
    scikit-learn's problem) generalize the single-target objective to::

        1 / (2 * n_samples) * sum_i sample_weight_i * (y_i - b - x~_i w~)^2
        + alpha * sum_j v_j * (l1_ratio * |w~_j| + 0.5 * (1 - l1_ratio) * w~_j^2)
        subject to  lower_j <= w_j <= upper_j

    with penalty factors ``v_j`` (``penalty_factor``), an unpenalized intercept
    ``b`` (``fit_intercept``; else ``b = 0``) and ``x~_ij = x_ij / s_j``,
    ``w~_j = s_j w_j`` (``standardize``: ``s_j`` is the weighted standard
    deviation of column j, else ``s_j = 1``); ``w`` and ``b`` are returned.

    At every alpha the solver stops when the duality gap is at most
    ``tol * ||y||^2 / n_samples`` (``tol * sum_i sw_i y_i^2 / n_samples``
    with weights, with ``y`` centered when ``fit_intercept``); the returned
    ``dual_gaps`` are those certificates.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data, dense (any memory order) or sparse (CSC preferred; other
        formats are converted). float32 input computes and returns float32.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values; 2-D gives the multi-task path.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1]; 1 is the lasso, 0 is ridge (then an explicit
        ``alphas`` grid is required).
    eps : float or None, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max = eps``. None is
        accepted with an explicit ``alphas`` array (scikit-learn's estimators
        pass ``eps=None, alphas=[alpha]``).
    n_alphas : int, default='deprecated'
        Deprecated in scikit-learn 1.9 (use ``alphas=int``); kept for compatibility.
    alphas : int or array-like, default='warn'
        An int gives that many alphas on a geometric grid from ``alpha_max`` (the
        smallest alpha with an all-zero solution) down to ``eps * alpha_max``; an
        array gives the alphas themselves, solved in decreasing order. The default
        means 100; ``None`` means 100 with a FutureWarning, as in scikit-learn.
    precompute : 'auto', bool or array-like of shape (n_features, n_features), \
            default='auto'
        ``True`` or a Gram matrix ``X^T X``: covariance updates. ``False``:
        residual updates. ``'auto'``: covariance updates when
        ``n_samples > n_features`` (with Gram columns computed lazily as features
        enter when there are 5000 features or more), else residual updates. Sparse
        X and multi-task problems always use residual updates, as in scikit-learn.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y``, used together with a Gram matrix. With ``sample_weight``, the
        Gram matrix and ``Xy`` must be those of the weighted data,
        ``X^T diag(sample_weight) X`` and ``X^T diag(sample_weight) y``.
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never writes to X.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting coefficients for the first alpha (on the original scale;
        projected onto the constraints: non-negative orthant, bounds).
    verbose : bool or int, default=False
        1 prints a dot per alpha; 2 or more a line per alpha (gap, sweeps,
        working-set size, nonzeros, fraction of deviance explained) on stderr.
        From 1 on, an early stop of the path is reported with its reason.
    return_n_iter : bool, default=False
        Also return the number of coordinate sweeps per alpha.
    positive : bool, default=False
        Constrain coefficients to be non-negative (single target only); the
        same as ``lower_bounds=0`` (combined with ``lower_bounds``, the larger
        lower bound applies).
    check_input : bool, default=True
        False trusts the caller, as scikit-learn's estimators call it: X, y and
        ``sample_weight`` are taken as they are (only converted where the
        kernels need another float type or CSC layout; no copies otherwise) and
        the Gram matrix's symmetry and consistency tests are skipped. Shapes,
        and the finiteness of X (from column statistics computed anyway), are
        still checked.
    tol : float, default=1e-4
        Relative duality-gap tolerance (see above).
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha; on reaching it a
        ConvergenceWarning is emitted.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order; 'random' shuffles each sweep.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order when ``selection='random'``.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Non-negative sample weights in the data term. Unlike scikit-learn's
        ``enet_path``, which applies them only to sparse X, fastreg applies
        them to every input, and ``alpha_max`` is that of the weighted problem;
        except with dense X and ``X_offset`` (below).
    X_offset : array-like of shape (n_features,), default=None
        Sparse X (as scikit-learn): columns are centered implicitly at
        ``X_offset / X_scale`` without densifying X. Dense X: marks data
        preprocessed by the caller the way scikit-learn's estimators do (its
        ``_pre_fit``): X and y already centered and multiplied row-wise by
        ``sqrt(sample_weight)``, so the ``sample_weight`` passed along is *not*
        applied again (scikit-learn's estimators pass both; applying the weights
        twice would be wrong), and a Gram matrix / ``Xy`` must be those of this
        X and y. Not combinable with ``fit_intercept`` / ``standardize``, which
        compute their own centers.
    X_scale : array-like of shape (n_features,), default=None
        See ``X_offset``.
    do_screening : bool, default=True
        Gap-safe screening of features certified to be zero.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative factor ``v_j`` multiplying both penalty terms of feature j
        (glmnet's ``penalty.factor``, but *not* rescaled to sum to n_features:
        the penalty is exactly ``alpha * v_j * (...)``). ``0``: never penalized
        (in the model from ``alpha_max`` on; ``alpha_max`` is computed after
        fitting these features); ``inf``: excluded (coefficient fixed at 0).
        None means all ones. Single target only.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds on the coefficients (original scale), ``<= 0``; None means
        ``-inf``. Single target only.
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper bounds on the coefficients (original scale), ``>= 0``; None means
        ``+inf``. A bound at 0 on both sides excludes the feature.
    fit_intercept : bool, default=False
        Fit an unpenalized intercept: X and y are centered at their (weighted)
        means. With covariance updates (dense X, ``n_samples > n_features``, one
        target) only the moments are centered (O(p^2), no copy of X); in residual
        mode dense X is centered in one copy (the input is never modified) and
        sparse X implicitly (never densified). The intercepts are returned with
        ``return_intercept=True``.
    standardize : bool, default=False
        Scale every column to unit weighted variance (population convention,
        ``sum_i sw_i (x_ij - mean_j)^2 / sum_i sw_i = 1``, as glmnet) for the
        fit; coefficients, bounds and ``coef_init`` stay on the original scale.
        Constant columns are left unscaled. ``y`` is not scaled.
    return_intercept : bool, default=False
        Also return the intercept at every alpha (zeros without
        ``fit_intercept``), as the last element.
    max_features : int, default=None
        Stop the path after the first alpha whose solution has more than
        ``max_features`` nonzero coefficients (glmnet's ``dfmax``); that alpha is
        the last one returned.
    min_dev_change : float, default=None
        Stop the path after alpha k (the last one returned) when the fraction of
        deviance explained, ``dev = 1 - ||r||^2 / ||y||^2`` (weighted; centered
        ``y`` with ``fit_intercept``), grew by less than ``min_dev_change * dev_k``
        since the previous alpha (glmnet's ``fdev``, e.g. 1e-5); checked from the
        fifth alpha on.
    callback : callable, default=None
        Called after every alpha as ``callback(index, alpha, coef, gap, n_active)``
        with the solution ``coef`` (a copy, original scale; ``(n_targets,
        n_features)`` for multi-task), its duality gap and its number of nonzero
        coefficients (rows for multi-task). Returning True stops the path after
        this alpha.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing. When the path stopped early
        (``max_features``, ``min_dev_change`` or ``callback``), only the alphas
        solved: every returned array is truncated alike.
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients along the path, in X's dtype.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at the end of the optimization for each alpha.
    n_iters : list of int
        Coordinate sweeps per alpha (only with ``return_n_iter=True``).
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercept at each alpha, in X's dtype (only with ``return_intercept=True``).

    See Also
    --------
    lasso_path : The same path with ``l1_ratio=1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> y = X @ np.array([1.0, 0.0, 0.0, 2.0, 0.0])
    >>> alphas, coefs, gaps = enet_path(X, y, alphas=3)
    >>> coefs.shape
    (5, 3)
    """
    n_grid = _resolve_alphas(alphas, n_alphas)
    l1_ratio = _validation.check_l1_ratio(l1_ratio)
    eps = _validation.check_eps(eps, explicit_grid=not isinstance(n_grid, int))
    tol = _validation.check_positive_real(tol, "tol", allow_zero=True)
    max_iter = _validation.check_positive_int(max_iter, "max_iter")
    selection = _validation.check_selection(selection)
    precompute = _validation.check_precompute(precompute)
    max_features = _validation.check_max_features(max_features)
    min_dev_change = _validation.check_min_dev_change(min_dev_change)
    callback = _validation.check_callback(callback)

    if check_input:
        X = _validation.check_X(X)
    else:
        X = _validation.as_solver_X(X)
    n_samples, n_features = X.shape
    y = (_validation.check_y(y, n_samples, X.dtype) if check_input
         else _validation.as_solver_y(y, X.dtype))
    multi_task = y.ndim == 2
    n_tasks = y.shape[1] if multi_task else None
    if multi_task and positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1).")
    if X_offset is not None and not sparse.issparse(X):
        # scikit-learn's contract: dense X and y arrive centered and already
        # multiplied by sqrt(sample_weight) (its _pre_fit), X_offset says so, and
        # the weights passed along are not to be applied a second time.
        if check_input:
            _validation.check_feature_vector(X_offset, "X_offset", n_features, np.float64)
        sample_weight = None
    if check_input or sample_weight is None or isinstance(sample_weight, numbers.Real):
        sample_weight = _validation.check_sample_weight(sample_weight, n_samples, X.dtype)
    else:
        sample_weight = np.asarray(sample_weight, dtype=X.dtype)
    factors = _validation.check_penalty_factor(penalty_factor, n_features)
    bounds = _validation.check_bounds(lower_bounds, upper_bounds, n_features)
    if multi_task and (factors is not None or bounds is not None):
        raise NotImplementedError(
            "penalty_factor, lower_bounds and upper_bounds are implemented for a single "
            "target (1-D y) only."
        )
    # Data far from unit scale is rescaled by powers of two (exact), so that no
    # product the solvers form under- or overflows; results are scaled back.
    rescale = _scaling.data_scale(X, y, sample_weight)
    if rescale.active:
        X, y = rescale.scale_X(X), rescale.scale_y(y)
        if hasattr(precompute, "__array__"):
            precompute = rescale.gram_to_internal(precompute)
        if Xy is not None:
            Xy = rescale.xy_to_internal(Xy)
        if X_offset is not None:
            X_offset = rescale.x_to_internal(X_offset)
    is_sparse = sparse.issparse(X)
    scaling = None
    if fit_intercept or standardize:
        if X_offset is not None or X_scale is not None:
            raise ValueError("X_offset / X_scale cannot be combined with fit_intercept or "
                             "standardize, which compute their own centers and scales.")
        if hasattr(precompute, "__array__") or Xy is not None:
            raise ValueError("A precomputed Gram matrix or Xy cannot be combined with "
                             "fit_intercept or standardize (they describe the raw data).")
    mode = choose_mode(n_samples, n_features, is_sparse=is_sparse, multi_task=multi_task,
                       precompute=precompute, itemsize=X.dtype.itemsize)
    if (fit_intercept or standardize) and mode == "gram" and not (is_sparse or multi_task):
        # everything the full-Gram path needs are moments: centering and scaling
        # them costs O(p^2), where a centered copy of X costs a pass and n * p memory
        return _gram_path_from_moments(
            X, y, sample_weight, n_grid, l1_ratio=l1_ratio, eps=eps, fit_intercept=fit_intercept,
            standardize=standardize, coef_init=coef_init, positive=positive, tol=tol,
            max_iter=max_iter, selection=selection, random_state=random_state,
            do_screening=do_screening, verbose=verbose, factors=factors, bounds=bounds,
            max_features=max_features, min_dev_change=min_dev_change, callback=callback,
            return_n_iter=return_n_iter, return_intercept=return_intercept,
            data_scale=rescale)
    if fit_intercept or standardize:
        X, y, scaling = _center_and_scale(X, y, sample_weight, bool(fit_intercept),
                                          bool(standardize))
    # Non-finite X is detected from the column statistics the problem computes
    # anyway (one pass instead of two); NumPy's warnings on the way are
    # silenced so the caller gets the clear ValueError alone.
    with np.errstate(invalid="ignore", over="ignore"):
        problem = _make_problem(X, y, mode, sample_weight, precompute, Xy, check_input,
                                X_offset, X_scale,
                                centers=None if scaling is None else scaling.centers)
    # standardized columns are unit-scale whatever X's scale: the solver's
    # penalties and gaps then see y's factor alone
    solve_scale = rescale.standardized() if standardize else rescale
    box = None
    if factors is not None or bounds is not None:
        # bounds are on coefficients: rescaled, then standardized
        coef_scale = np.ones(n_features) if scaling is None else scaling.scale
        box = feature_box(problem, factors, bounds, positive,
                          rescale.coef_to_internal(coef_scale))

    W = np.zeros((n_features, n_tasks) if multi_task else n_features, dtype=X.dtype)
    if isinstance(n_grid, int):
        top = path_alpha_max(problem, box, W, n_samples, l1_ratio, positive=positive,
                             tol=tol, max_iter=max_iter)
        grid = alpha_grid(solve_scale.alpha_to_user(top), n_grid, eps,
                          unit=solve_scale.alpha_unit)
    else:
        grid = n_grid

    coef_shape = (n_tasks, n_features) if multi_task else (n_features,)
    if coef_init is not None:
        init = rescale.coef_to_internal(
            _validation.check_coef_init(coef_init, coef_shape, X.dtype))
        if scaling is not None:
            init = init * scaling.scale
        W = np.ascontiguousarray(init.T if multi_task else init, dtype=X.dtype).copy()
        if positive:
            np.maximum(W, 0.0, out=W)

    if callback is not None and scaling is not None:
        user_callback = callback

        # the coef arrives on solve_scale: standardized, it still carries the
        # column scales, on the caller's scale
        user_scale = rescale.x_to_user(scaling.scale) if standardize else scaling.scale

        def callback(index, alpha, coef, gap, n_active):
            return user_callback(index, alpha, (coef / user_scale).astype(coef.dtype), gap,
                                 n_active)

    seed = _validation.random_seed(random_state) if selection == "random" else -1
    coefs, gaps, n_iters = solve_path(
        problem, grid, l1_ratio, W, positive=bool(positive), tol=tol, max_iter=max_iter,
        seed=seed, do_screening=bool(do_screening), box=box,
        verbose=_validation.check_verbose(verbose),
        max_features=max_features, min_dev_change=min_dev_change, callback=callback,
        data_scale=solve_scale,
    )
    grid = grid[:coefs.shape[-1]]
    if scaling is not None:
        coefs = scaling.unscale(coefs, axis=-2)
    out = [grid, rescale.coef_to_user(coefs), rescale.gap_to_user(gaps)]
    if return_n_iter:
        out.append(n_iters)
    if return_intercept:
        if scaling is None:
            shape = (n_tasks, grid.shape[0]) if multi_task else grid.shape
            out.append(np.zeros(shape, dtype=X.dtype))
        else:
            out.append(np.asarray(rescale.intercept_to_user(scaling.intercepts(coefs)),
                                  dtype=X.dtype))
    return tuple(out)


def _gram_path_from_moments(X, y, sample_weight, grid, *, l1_ratio, eps, fit_intercept,
                            standardize, coef_init, positive, tol, max_iter, selection,
                            random_state, do_screening, verbose, factors, bounds,
                            max_features, min_dev_change, callback, return_n_iter,
                            return_intercept, data_scale):
    """:func:`enet_path` with an intercept or standardization, single target, full Gram.

    The weighted moments of X and y (one blocked pass, no copy of X) are
    centered / scaled and solved by the statistics path: the same problem,
    grid, stopping rule and certificate as on the centered / scaled copy.
    X and y are those rescaled by ``data_scale``; everything else (alphas,
    bounds, coefficients, results) is on the caller's scale.
    """
    stats = GramStats.from_arrays(X, y, sample_weight=sample_weight)
    seed = _validation.random_seed(random_state) if selection == "random" else -1
    grid, coefs, gaps, n_iters, intercepts = stats_path(
        stats, grid, l1_ratio=l1_ratio, eps=eps, center=bool(fit_intercept),
        scale=X.shape[0], coef_init=coef_init, positive=positive, tol=tol,
        max_iter=max_iter, seed=seed, do_screening=do_screening,
        verbose=_validation.check_verbose(verbose),
        factors=factors, bounds=bounds, standardize=bool(standardize),
        max_features=max_features, min_dev_change=min_dev_change, callback=callback,
        data_scale=data_scale, dtype=X.dtype)
    out = [grid, coefs.astype(X.dtype), gaps]
    if return_n_iter:
        out.append(n_iters)
    if return_intercept:
        out.append(intercepts.astype(X.dtype))
    return tuple(out)


class _Scaling:
    """Centers and scales applied for ``fit_intercept`` / ``standardize``.

    ``x_mean`` / ``y_mean``: the weighted means (zeros without an intercept);
    ``scale``: the column scales (ones without ``standardize``); ``centers``:
    the implicit centers of a sparse X in scaled units (None for dense X).
    """

    def __init__(self, x_mean, scale, y_mean, centers, dtype):
        self.x_mean, self.scale, self.y_mean = x_mean, scale, y_mean
        self.centers = centers
        self.dtype = dtype

    def unscale(self, coefs, axis=-1):
        """Coefficients of the scaled problem back on the original scale."""
        shape = [1] * coefs.ndim
        shape[axis] = self.scale.shape[0]
        return (coefs / self.scale.reshape(shape)).astype(self.dtype, copy=False)

    def intercepts(self, coefs):
        """``y_mean - x_mean^T w`` for every alpha (and target)."""
        if coefs.ndim == 2:  # (n_features, n_alphas)
            b = self.y_mean - self.x_mean @ np.asarray(coefs, dtype=np.float64)
        else:  # (n_targets, n_features, n_alphas)
            b = self.y_mean[:, None] - np.einsum("j,tja->ta", self.x_mean,
                                                 np.asarray(coefs, dtype=np.float64))
        return b.astype(self.dtype)


def _center_and_scale(X, y, sample_weight, fit_intercept, standardize):
    """Center (``fit_intercept``) and scale (``standardize``) X and y; X is never modified.

    Dense X (residual updates, lazy Gram columns, multi-task: column access):
    one centered / scaled Fortran-ordered copy. Sparse X: never
    densified; with ``standardize`` a copy of its stored values divided by the
    column scales, and the centering is left to the problem (implicit centers).

    Returns
    -------
    X, y, scaling : the data to solve on and the :class:`_Scaling` to undo it.
    """
    n_samples, n_features = X.shape
    weights = np.ones(n_samples) if sample_weight is None else \
        np.asarray(sample_weight, dtype=np.float64)
    total = float(weights.sum())
    mean = np.asarray(X.T @ weights, dtype=np.float64).ravel() / total
    scale = _column_scales(X, weights, mean, total) if standardize else np.ones(n_features)
    y64 = np.asarray(y, dtype=np.float64)
    y_mean = weights @ y64 / total if fit_intercept else np.zeros(y64.shape[1:])
    if fit_intercept:
        y = (y64 - y_mean).astype(X.dtype)
    x_mean = mean if fit_intercept else np.zeros(n_features)
    if sparse.issparse(X):
        if standardize:
            column_of = np.repeat(np.arange(n_features), np.diff(X.indptr))
            X = sparse.csc_matrix(((X.data / scale[column_of]).astype(X.dtype),
                                   X.indices, X.indptr), shape=X.shape)
        centers = x_mean / scale if fit_intercept else None
    else:
        if fit_intercept:  # one pass writes the centered copy
            Xc = np.subtract(np.asarray(X), x_mean.astype(X.dtype), order="F",
                             dtype=X.dtype)
        else:
            Xc = np.array(X, dtype=X.dtype, order="F", copy=True)
        if standardize:
            Xc /= scale.astype(X.dtype)
        X, centers = Xc, None
    return X, y, _Scaling(x_mean, scale, np.atleast_1d(y_mean) if y64.ndim == 2 else
                          float(y_mean), centers, X.dtype)


def _column_scales(X, weights, mean, total):
    """Weighted population standard deviations of the columns (1 for constant ones)."""
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        # stored entries exactly, the implicit zeros as a block: no cancellation
        column_of = np.repeat(np.arange(n_features), np.diff(X.indptr))
        w_stored = weights[X.indices]
        dev = X.data.astype(np.float64) - mean[column_of]
        var = np.bincount(column_of, weights=w_stored * dev * dev, minlength=n_features)
        w_nz = np.bincount(column_of, weights=w_stored, minlength=n_features)
        var += mean**2 * np.maximum(total - w_nz, 0.0)
    else:
        var = np.zeros(n_features)
        block = max(1, (1 << 22) // max(n_features, 1))
        for start in range(0, n_samples, block):
            dev = np.asarray(X[start:start + block], dtype=np.float64) - mean
            var += weights[start:start + block] @ (dev * dev)
    scale = np.sqrt(var / total)
    scale[~(scale > 0)] = 1.0
    return scale


def _make_problem(X, y, mode, sample_weight, precompute, Xy, check_input, X_offset,
                  X_scale, centers=None):
    """The problem object of the chosen update mode."""
    n_features = X.shape[1]
    multi_task = y.ndim == 2
    if sparse.issparse(X):
        if centers is None:
            centers = _sparse_centers(X_offset, X_scale, n_features)
        return (MultiTaskCscProblem(X, y, sample_weight, centers) if multi_task
                else CscProblem(X, y, sample_weight, centers))
    if multi_task:
        return MultiTaskDenseProblem(X, y, sample_weight)
    if mode == "naive":
        return DenseProblem(X, y, sample_weight)
    gram = None
    if hasattr(precompute, "__array__"):
        # the Gram stands in for X, whose finiteness nothing else would check
        _validation.check_finite(X, "X")
        gram = _validation.check_gram(precompute, n_features, X.dtype,
                                      check_symmetry=check_input)
        if check_input:
            _validation.check_gram_consistent(gram, X, sample_weight)
    if Xy is not None:
        Xy = _validation.check_Xy(Xy, n_features, None, X.dtype).ravel()
    return GramProblem(X, y, sample_weight, gram=gram, Xy=Xy, lazy=mode == "gram-lazy")


def _sparse_centers(X_offset, X_scale, n_features):
    if X_offset is None:
        return None
    offset = _validation.check_feature_vector(X_offset, "X_offset", n_features, np.float64)
    scale = (np.ones(n_features) if X_scale is None
             else _validation.check_feature_vector(X_scale, "X_scale", n_features, np.float64))
    if np.any(scale == 0):
        raise ValueError("X_scale contains zeros.")
    return offset / scale


def lasso_path(
    X,
    y,
    *,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    tol=1e-4,
    max_iter=1000,
    selection="cyclic",
    random_state=None,
    sample_weight=None,
    X_offset=None,
    X_scale=None,
    do_screening=True,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    fit_intercept=False,
    standardize=False,
    return_intercept=False,
    max_features=None,
    min_dev_change=None,
    callback=None,
):
    """Compute the lasso path by coordinate descent.

    A drop-in replacement for ``sklearn.linear_model.lasso_path`` (scikit-learn
    1.9): :func:`enet_path` with ``l1_ratio=1``. For one target the objective is::

        (1 / (2 * n_samples)) * ||y - Xw||^2_2 + alpha * ||w||_1

    and for a 2-D ``y`` (multi-task)::

        (1 / (2 * n_samples)) * ||Y - XW||^2_Fro + alpha * ||W||_21

    At every alpha the solver stops when the duality gap is at most
    ``tol * ||y||^2 / n_samples``. The glmnet-style options (penalty factors,
    bounds, intercept, standardization, early stops, callback) are those of
    :func:`enet_path`, with the penalty ``alpha * sum_j v_j |w~_j|``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data, dense or sparse; float32 input computes in float32.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values.
    eps : float, default=1e-3
        Length of the automatic grid: ``alpha_min / alpha_max = eps``.
    n_alphas : int, default='deprecated'
        Deprecated in scikit-learn 1.9 (use ``alphas=int``).
    alphas : int or array-like, default='warn'
        Number of grid points (default 100) or the alphas themselves.
    precompute : 'auto', bool or array-like of shape (n_features, n_features), \
            default='auto'
        Covariance (Gram) or residual updates; see :func:`enet_path`.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y``, used together with a Gram matrix.
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never writes to X.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting coefficients for the first alpha.
    verbose : bool or int, default=False
        Amount of progress output on stderr.
    return_n_iter : bool, default=False
        Also return the number of coordinate sweeps per alpha.
    positive : bool, default=False
        Constrain coefficients to be non-negative (single target only).
    check_input : bool, default=True
        False takes X, y and the weights as given (no validation, no copies)
        and skips the Gram-matrix consistency test; see :func:`enet_path`.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    max_iter : int, default=1000
        Maximum number of coordinate sweeps per alpha.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the random order.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Sample weights in the data term (applied to dense and sparse X).
    X_offset : array-like of shape (n_features,), default=None
        Sparse X: implicit column centers are ``X_offset / X_scale``. Dense X:
        the data are already centered and weighted (scikit-learn's
        ``_pre_fit``), so ``sample_weight`` is not applied again; see
        :func:`enet_path`.
    X_scale : array-like of shape (n_features,), default=None
        See ``X_offset``.
    do_screening : bool, default=True
        Gap-safe screening of features certified to be zero.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative per-feature penalty factors (0: unpenalized, inf: excluded;
        not rescaled); see :func:`enet_path`.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds on the coefficients (``<= 0``).
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper bounds on the coefficients (``>= 0``).
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (X and y centered; sparse X implicitly).
    standardize : bool, default=False
        Fit on columns scaled to unit weighted variance; coefficients are
        returned on the original scale.
    return_intercept : bool, default=False
        Also return the intercepts per alpha (last element).
    max_features : int, default=None
        Stop after the first alpha with more nonzero coefficients than this.
    min_dev_change : float, default=None
        Stop when the fraction of deviance explained stops growing by this
        relative amount (from the fifth alpha on).
    callback : callable, default=None
        ``callback(index, alpha, coef, gap, n_active)`` after every alpha; True
        stops the path.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing (only those solved when the path
        stopped early; every returned array is truncated alike).
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at the end of the optimization for each alpha.
    n_iters : list of int
        Coordinate sweeps per alpha (only with ``return_n_iter=True``).
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercept per alpha (only with ``return_intercept=True``).

    See Also
    --------
    enet_path : The elastic-net path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import lasso_path
    >>> X = np.array([[1.0, 2.0, 3.1], [2.3, 5.4, 4.3]]).T
    >>> y = np.array([1.0, 2.0, 3.1])
    >>> alphas, coefs, gaps = lasso_path(X, y, alphas=[5.0, 1.0, 0.5])
    >>> coefs.shape
    (2, 3)
    """
    return enet_path(
        X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
        precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
        verbose=verbose, return_n_iter=return_n_iter, positive=positive,
        check_input=check_input, tol=tol, max_iter=max_iter, selection=selection,
        random_state=random_state, sample_weight=sample_weight, X_offset=X_offset,
        X_scale=X_scale, do_screening=do_screening, penalty_factor=penalty_factor,
        lower_bounds=lower_bounds, upper_bounds=upper_bounds, fit_intercept=fit_intercept,
        standardize=standardize, return_intercept=return_intercept,
        max_features=max_features, min_dev_change=min_dev_change, callback=callback,
    )
