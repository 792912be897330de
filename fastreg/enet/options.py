"""The options of one elastic-net path, validated once into small frozen records.

The public functions (``enet_path``, the ``*_from_stats`` functions, the CV
functions, the estimators) check their keywords here and pass three records
down whole: :class:`PathOptions` (grid, stopping rule, coordinate order,
screening, path controls), :class:`Penalty` (l1_ratio, penalty factors,
bounds, positivity) and :class:`DataOptions` (intercept, standardization, and
what a caller may give precomputed). Nothing below the public API re-reads a
keyword.
"""

import warnings
from dataclasses import dataclass, replace
from numbers import Integral

from .. import _validation


@dataclass(frozen=True)
class PathOptions:
    """How a path is computed and when it stops.

    Attributes
    ----------
    grid : int or ndarray of shape (n_alphas,)
        The number of alphas of the automatic grid, or the alphas (decreasing).
    eps : float or None
        ``alpha_min / alpha_max`` of the automatic grid (None with explicit alphas).
    tol : float
        Relative duality-gap tolerance: an alpha is accepted when its gap is at
        most ``tol * ||y||^2 / n`` (weighted, centered y with an intercept).
    max_iter : int
        Maximum coordinate sweeps per alpha.
    seed : int
        -1 for cyclic coordinate order, else the seed of a random order.
    do_screening : bool
        Gap-safe screening.
    verbose : int
        0 silent, 1 a dot per alpha, 2 a line per alpha.
    max_features, min_dev_change : int, float or None
        glmnet's ``dfmax`` and ``fdev`` early stops.
    callback : callable or None
        ``callback(index, alpha, coef, gap, n_active)``; True stops the path.
    """

    grid: object = 100
    eps: object = 1e-3
    tol: float = 1e-4
    max_iter: int = 1000
    seed: int = -1
    do_screening: bool = True
    verbose: int = 0
    max_features: object = None
    min_dev_change: object = None
    callback: object = None

    @classmethod
    def validate(cls, *, grid, eps=1e-3, tol=1e-4, max_iter=1000, selection="cyclic",
                 random_state=None, do_screening=True, verbose=0, max_features=None,
                 min_dev_change=None, callback=None):
        """The record of checked keywords (``grid`` from :func:`check_grid`)."""
        seed = (_validation.random_seed(random_state)
                if _validation.check_selection(selection) == "random" else -1)
        return cls(
            grid=grid, eps=_validation.check_eps(eps, explicit_grid=not isinstance(grid, int)),
            tol=_validation.check_positive_real(tol, "tol", allow_zero=True),
            max_iter=_validation.check_positive_int(max_iter, "max_iter"), seed=seed,
            do_screening=bool(do_screening), verbose=_validation.check_verbose(verbose),
            max_features=_validation.check_max_features(max_features),
            min_dev_change=_validation.check_min_dev_change(min_dev_change),
            callback=_validation.check_callback(callback))

    @property
    def watches(self):
        """Whether anything is looked at between alphas (progress, early stops, callback)."""
        return bool(self.verbose or self.max_features is not None
                    or self.min_dev_change is not None or self.callback is not None)

    def with_grid(self, grid):
        """The same options on another grid."""
        return replace(self, grid=grid)

    def quiet(self):
        """The same options without progress output, early stops or callback."""
        return replace(self, verbose=0, max_features=None, min_dev_change=None, callback=None)


@dataclass(frozen=True)
class Penalty:
    """The penalty ``alpha * sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio) w_j^2 / 2)``
    and the box ``lower_j <= w_j <= upper_j`` (on the caller's coefficients).

    Attributes
    ----------
    l1_ratio : float
    factors : ndarray of shape (n_features,) or None
        Penalty factors ``v_j`` (None: all ones).
    lower, upper : ndarray of shape (n_features,) or None
        Bounds (None: unbounded).
    positive : bool
        Non-negative coefficients (folded into ``lower`` by the box).
    """

    l1_ratio: float = 1.0
    factors: object = None
    lower: object = None
    upper: object = None
    positive: bool = False

    @classmethod
    def validate(cls, n_features, *, l1_ratio, penalty_factor=None, lower_bounds=None,
                 upper_bounds=None, positive=False):
        """The record of checked keywords."""
        bounds = _validation.check_bounds(lower_bounds, upper_bounds, n_features)
        lower, upper = (None, None) if bounds is None else bounds
        return cls(l1_ratio=_validation.check_l1_ratio(l1_ratio),
                   factors=_validation.check_penalty_factor(penalty_factor, n_features),
                   lower=lower, upper=upper, positive=bool(positive))

    @property
    def is_plain(self):
        """No penalty factors and no bounds: scikit-learn's problem (``positive`` aside)."""
        return self.factors is None and self.lower is None

    def with_l1_ratio(self, l1_ratio):
        """The same penalty at another l1_ratio."""
        return replace(self, l1_ratio=l1_ratio)


@dataclass(frozen=True)
class DataOptions:
    """What is done to the data before solving, and what the caller precomputed.

    Attributes
    ----------
    fit_intercept : bool
        Center X and y at their weighted means (an unpenalized intercept).
    standardize : bool
        Scale the columns to unit weighted variance for the fit.
    precompute : 'auto', bool or ndarray
        Covariance updates (with a given Gram matrix), residual updates or automatic.
    Xy : ndarray or None
        A given ``X^T y`` (with a given Gram matrix).
    X_offset, X_scale : ndarray or None
        scikit-learn's implicit centering of sparse X / marker of preprocessed dense X.
    check_input : bool
        False trusts the caller (no copies, no Gram consistency test).
    """

    fit_intercept: bool = False
    standardize: bool = False
    precompute: object = "auto"
    Xy: object = None
    X_offset: object = None
    X_scale: object = None
    check_input: bool = True

    @property
    def centers_or_scales(self):
        """Whether the design computes its own centers or scales."""
        return self.fit_intercept or self.standardize


def check_grid(alphas):
    """An int grid size, or a validated explicit grid (an array of alphas)."""
    if _validation.is_integer(alphas):
        if alphas < 1:
            raise ValueError(f"alphas must be >= 1 when an integer (a grid size), "
                             f"got {alphas!r}.")
        return int(alphas)
    return _validation.check_alphas(alphas)


def resolve_sklearn_alphas(alphas, n_alphas):
    """sklearn 1.9's deprecation dance between ``n_alphas`` and ``alphas``: the grid."""
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

