"""fastreg's warning classes.

``ConvergenceWarning`` is caught by scikit-learn's filters when scikit-learn is
installed; ``AccuracyWarning`` is a ``scipy.linalg.LinAlgWarning``, so filters
written for scipy's solvers apply to fastreg too.
"""

import functools
import os
import sys

from scipy.linalg import LinAlgWarning


class ConvergenceWarning(UserWarning):
    """The solver stopped at ``max_iter`` before reaching the requested duality gap."""


class AccuracyWarning(LinAlgWarning):
    """The result is less accurate than requested, and the message says by how much.

    Emitted where digits cannot be had: rank deficiency or a condition number
    beyond the working precision (the message gives the achieved relative
    residual or error bound), float32 data asked for a tolerance below float32's
    reach, or data whose magnitudes leave the representable range.
    """


@functools.lru_cache(maxsize=1)
def convergence_warning_class():
    """The class to emit: a subclass of both fastreg's and scikit-learn's warning.

    scikit-learn is optional and imported here, lazily, only when a warning is
    actually raised; ``warnings.filterwarnings("ignore",
    category=sklearn.exceptions.ConvergenceWarning)`` then silences fastreg too.
    """
    try:
        from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
    except ImportError:
        return ConvergenceWarning
    return type("ConvergenceWarning", (ConvergenceWarning, SklearnConvergenceWarning),
                {"__module__": __name__, "__doc__": ConvergenceWarning.__doc__})


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def caller_stacklevel():
    """The ``stacklevel`` that attributes a warning to the first caller outside fastreg.

    Called by the function that warns: however deep the pipeline sits below
    the public function the user called, the warning names the user's line.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level
