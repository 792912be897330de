"""Exact power-of-two rescaling of a lasso / elastic-net problem into the safe range.

The solvers form products of two data-sized numbers and squares of them:
gradients ``~ |X| |y|`` squared in the dual norm, coefficients ``~ |y| / |X|``
squared in the ridge term, ``||y||^2`` in the stopping rule. On data far from
unit scale (``|X| ~ 1e-85`` already gives gradients whose squares underflow)
these leave the double range, and a solution turns into zeros certified by a
gap of 0. So data whose magnitude is far from 1 is first multiplied by powers
of two, ``X' = 2^a X`` and ``y' = 2^b y`` (exact: no digit changes), solved,
and the results are multiplied back: the problem

    1/(2n) ||y - Xw||^2 + l1 ||w||_1 + (l2/2) ||w||^2

is, with ``w' = 2^(b-a) w``, ``2^(-2b)`` times the problem on ``(X', y')``
with ``l1' = 2^(a+b) l1`` and ``l2' = 2^(2a) l2``. Its coefficients are
``w = 2^(a-b) w'``, its duality gap ``2^(-2b)`` times the gap, an intercept
``2^(-b)`` times the intercept. Floating-point arithmetic commutes with
powers of two (away from underflow and overflow), so the rescaled data gives
the same digits as data that needed no rescaling.

Data already near unit scale is left alone (no copy): its magnitudes stay
far enough from the ends of the range that no product the solvers form can
leave it.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ._kernels import scans

# Data whose largest magnitude is within 2**+-SAFE_EXPONENT is solved as is:
# the solvers' largest products (squared gradients, |X|^2 |y|^2, and squared
# coefficients, |y|^2 / |X|^2, times n) then stay below 2**(4 * 100 + 64),
# far inside float64's 2**+-1022. float32 data (kernels multiply two float32
# values before accumulating in float64) keeps the products of two of its
# numbers and the square of a coefficient within float32's 2**+-126.
SAFE_EXPONENT = {np.dtype(np.float64): 100, np.dtype(np.float32): 20}


# A problem whose |X| |y| is within 2**+-GRID_EXPONENT judges a degenerate
# automatic grid by scikit-learn's absolute resolution (alpha_max <= 2.2e-16);
# beyond, by that resolution times |X| |y|.
GRID_EXPONENT = 30


@dataclass(frozen=True)
class DataScale:
    """The power-of-two factors ``X' = 2^x_exp X``, ``y' = 2^y_exp y`` of a solve.

    ``x_exp = y_exp = 0`` (:data:`IDENTITY`) is the problem as given. Methods
    named ``*_to_internal`` map the caller's quantities onto the rescaled
    problem, ``*_to_user`` map results back.
    """

    x_exp: int = 0
    y_exp: int = 0
    # the magnitudes of the caller's data, 2^x_mag and 2^y_mag (0 when unknown):
    # they set the grid's resolution unit (alpha_unit)
    x_mag: int = 0
    y_mag: int = 0

    @property
    def active(self):
        """Whether the data is rescaled at all."""
        return self.x_exp != 0 or self.y_exp != 0

    def then(self, other):
        """The composition: first ``self``, then ``other`` on the rescaled data.

        ``other`` measured the data already rescaled by ``self``: the caller's
        magnitudes are its magnitudes less ``self``'s exponents.
        """
        return DataScale(self.x_exp + other.x_exp, self.y_exp + other.y_exp,
                         other.x_mag - self.x_exp, other.y_mag - self.y_exp)

    def standardized(self):
        """The scale seen by the solver once the columns are standardized.

        Unit-variance columns do not depend on X's scale: only y's factor
        remains for the penalties, the gap and ``alpha_max``. Coefficients of
        the standardized problem map back with this scale and then the
        column scales on the caller's scale (``x_to_user(scale)``).
        """
        return DataScale(0, self.y_exp, 0, self.y_mag)

    # -- the data -------------------------------------------------------------

    def scale_X(self, X):
        """``2^x_exp X`` (a copy in X's layout and dtype; X itself when inactive)."""
        if self.x_exp == 0:
            return X
        if sparse.issparse(X):
            out = X.copy()
            out.data = np.ldexp(out.data, self.x_exp).astype(X.dtype, copy=False)
            return out
        return np.ldexp(X, self.x_exp).astype(X.dtype, copy=False)

    def scale_y(self, y):
        """``2^y_exp y``."""
        if self.y_exp == 0:
            return y
        return np.ldexp(y, self.y_exp).astype(y.dtype, copy=False)

    def gram_to_internal(self, gram):
        """``X^T X`` of the rescaled data."""
        return _ldexp(gram, 2 * self.x_exp)

    def xy_to_internal(self, xy):
        """``X^T y`` of the rescaled data."""
        return _ldexp(xy, self.x_exp + self.y_exp)

    def yy_to_internal(self, yy):
        """``y^T y`` of the rescaled data."""
        return _ldexp(yy, 2 * self.y_exp)

    def x_to_internal(self, values):
        """Anything on the scale of X's entries (column centers, offsets)."""
        return _ldexp(values, self.x_exp)

    def x_to_user(self, values):
        """Anything on the scale of X's entries (column scales) back on the caller's."""
        return _ldexp(values, -self.x_exp)

    # -- penalties and coefficients --------------------------------------------

    def l1_to_internal(self, l1):
        """The L1 strength (or a threshold on gradients) of the rescaled problem."""
        return _ldexp(l1, self.x_exp + self.y_exp)

    def l2_to_internal(self, l2):
        """The L2 strength of the rescaled problem."""
        return _ldexp(l2, 2 * self.x_exp)

    def alpha_to_user(self, alpha):
        """An L1-defined alpha of the rescaled problem (``alpha_max``) in the caller's units.

        Raises
        ------
        ValueError
            When that alpha is outside float64's normal range (the grid below
            it could not be represented).
        """
        out = _ldexp(alpha, -(self.x_exp + self.y_exp))
        if alpha > 0 and not np.finfo(np.float64).tiny <= out < np.inf:
            raise ValueError(
                f"alpha_max of these data (about 2^{np.frexp(alpha)[1] - self.x_exp - self.y_exp}"
                ") is outside the float64 range: the automatic grid cannot be represented. "
                "Rescale X or y.")
        return out

    @property
    def alpha_unit(self):
        """The grid's resolution unit: the caller's alpha of order ``|X| |y|`` (a power of two).

        1 for data whose ``|X| |y|`` is within ``2^+-GRID_EXPONENT`` (scikit-learn's
        absolute resolution), so that a degenerate grid is judged against the
        data's own scale only where the absolute one would misjudge it.
        """
        exp = self.x_mag + self.y_mag
        return float(np.ldexp(1.0, exp)) if abs(exp) > GRID_EXPONENT else 1.0

    def coef_to_internal(self, coef):
        """Coefficients (or bounds on them) of the rescaled problem."""
        return _ldexp(coef, self.y_exp - self.x_exp)

    def coef_to_user(self, coef, dtype=None):
        """Coefficients back on the caller's scale, in ``dtype`` (default: coef's).

        Raises
        ------
        ValueError
            When a coefficient is not representable in ``dtype`` (it would
            overflow, or a nonzero one would become 0).
        """
        coef = np.asarray(coef)
        dtype = coef.dtype if dtype is None else np.dtype(dtype)
        if not self.active and dtype == coef.dtype:
            return coef  # nothing to map or check (and no errstate, a few us a call)
        shift = self.x_exp - self.y_exp
        with np.errstate(over="ignore", under="ignore"):
            if self.active:
                out = np.ldexp(coef.astype(np.float64), shift).astype(dtype)
            else:
                out = coef.astype(dtype, copy=False)
            if out.dtype == coef.dtype and not self.active:
                return out
        lost = (~np.isfinite(out) & np.isfinite(coef)) | ((out == 0) & (coef != 0))
        if lost.any():
            largest = float(np.max(np.abs(coef[np.isfinite(coef)]), initial=0.0))
            magnitude = np.log10(largest) + shift * np.log10(2.0) if largest > 0 else 0.0
            raise ValueError(
                f"The solution is not representable in {dtype}: its coefficients reach "
                f"about 1e{magnitude:.0f} (the ratio of y's scale to X's). Rescale X or y.")
        return out

    def intercept_to_user(self, intercept):
        """Intercepts back on the caller's scale (float64)."""
        return _ldexp(intercept, -self.y_exp)

    def gap_to_user(self, gap):
        """Duality gaps (objective values) back on the caller's scale (float64)."""
        return _ldexp(gap, -2 * self.y_exp)


IDENTITY = DataScale()


def _ldexp(values, exp):
    if exp == 0:
        return values
    with np.errstate(over="ignore", under="ignore"):
        out = np.ldexp(np.asarray(values, dtype=np.float64), exp)
    return float(out) if np.ndim(values) == 0 else out


def _exponent(magnitude):
    """``e`` with ``magnitude = f 2^e``, ``0.5 <= f < 1`` (0 for 0 or non-finite)."""
    magnitude = float(magnitude)
    if not (math.isfinite(magnitude) and magnitude > 0):
        return 0
    return math.frexp(magnitude)[1]


def _max_abs(a):
    if sparse.issparse(a):
        a = a.data
    a = np.asarray(a)
    if a.dtype in (np.float64, np.float32) and (a.flags.c_contiguous or a.flags.f_contiguous):
        # one compiled pass over a view (no temporary; :mod:`fastreg._kernels.scans`)
        return float(scans.max_abs(a.ravel(order="K")))
    if a.size == 0:
        return 0.0
    # max and min: no |a| temporary of a's size
    return float(max(np.max(a), -np.min(a)))


def _choose(x_exp, y_exp, dtype):
    safe = SAFE_EXPONENT.get(np.dtype(dtype), SAFE_EXPONENT[np.dtype(np.float64)])
    if abs(x_exp) <= safe and abs(y_exp) <= safe:
        if abs(x_exp + y_exp) <= GRID_EXPONENT:
            return IDENTITY
        return DataScale(0, 0, x_exp, y_exp)  # solved as is; only the grid unit differs
    return DataScale(-x_exp, -y_exp, x_exp, y_exp)


def data_scale(X, y, sample_weight=None, x_max=None):
    """The rescaling of ``(X, y)`` (weighted rows ``sqrt(s_i) x_i``) into the safe range.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
    x_max : float or None
        The largest magnitude in X when the caller has it (else one pass finds it).

    Returns
    -------
    DataScale
        :data:`IDENTITY` when the largest magnitudes of X and y (with the
        square root of the largest weight) are within ``2^+-SAFE_EXPONENT``;
        else the powers of two that bring them to [0.5, 1). Non-finite data
        gets :data:`IDENTITY` (validation reports it).
    """
    w_half = 0
    if sample_weight is not None:
        w_half = _exponent(_max_abs(sample_weight)) // 2
    x_max = _max_abs(X) if x_max is None else x_max
    y_max = _max_abs(y)
    x_exp = _exponent(x_max) + w_half if x_max > 0 else 0
    y_exp = _exponent(y_max) + w_half if y_max > 0 else 0
    return _choose(x_exp, y_exp, X.dtype)


def moments_scale(gram_diag, yy, weight_sum, dtype=np.float64):
    """The rescaling of a problem given by its moments (``X^T X``, ``y^T y``).

    ``gram_diag``: the diagonal of ``X^T X``; ``yy``: ``y^T y``; both of the
    weighted rows, over ``weight_sum``. The magnitudes compared with the safe
    range are the root mean squares ``sqrt(max_j diag_j / S)`` and
    ``sqrt(yy / S)``.
    """
    diag = np.asarray(gram_diag, dtype=np.float64)
    top = float(np.max(diag)) if diag.size else 0.0
    weight_sum = float(weight_sum)
    if not weight_sum > 0:
        return IDENTITY
    x_exp = _exponent(np.sqrt(top / weight_sum)) if top > 0 else 0
    yy = float(np.sum(yy))
    y_exp = _exponent(np.sqrt(yy / weight_sum)) if yy > 0 else 0
    return _choose(x_exp, y_exp, dtype)
