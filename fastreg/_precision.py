"""What float32 coefficients can be certified to, and the warning when more is asked.

Rounding the exact solution of a float32 problem to float32 already leaves a
duality gap of a few 1e-8 times ``||y||^2 / n``; with the certificate summed
in float64 (``fastreg._kernels.precision``) a float32 path reaches about
1e-7 (docs/user_guide/accuracy.rst, "float32"). A smaller ``tol`` would only
spend ``max_iter`` sweeps per alpha on rounding noise: the path is solved to
:data:`FLOAT32_MIN_TOL` instead, with one :class:`fastreg.AccuracyWarning`.
"""

import warnings

import numpy as np

from ._warnings import AccuracyWarning, caller_stacklevel

# The smallest relative duality gap (tol) requested of float32 coefficients.
FLOAT32_MIN_TOL = 1e-7


def reachable_tol(tol, dtype):
    """``tol``, raised to :data:`FLOAT32_MIN_TOL` for coefficients narrower than float64.

    ``tol = 0`` is taken as asked: it is scikit-learn's way to run ``max_iter``
    sweeps, not a request for accuracy.
    """
    if np.dtype(dtype).itemsize < 8 and 0 < tol < FLOAT32_MIN_TOL:
        return FLOAT32_MIN_TOL
    return tol


def warn_float32_reach(requested, used, gaps, unit):
    """One AccuracyWarning per path: the tolerance asked of float32 data, and what was had.

    ``gaps``: the certified gaps of the path; ``unit``: ``||y||^2 / n`` on
    their scale.
    """
    reached = float(np.max(gaps)) / unit if np.size(gaps) and unit > 0 else 0.0
    warnings.warn(
        f"tol={requested:.3g} is below what float32 coefficients can be certified to "
        f"(a duality gap of about {FLOAT32_MIN_TOL:g} * ||y||^2 / n_samples); the path was "
        f"solved to tol={used:.3g} instead, and its largest certified duality gap is "
        f"{reached:.3g} * ||y||^2 / n_samples. Pass float64 data for a smaller gap.",
        AccuracyWarning, stacklevel=caller_stacklevel())
