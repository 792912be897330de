"""fastreg's ConvergenceWarning, caught by scikit-learn's filters when sklearn is installed."""

import functools


class ConvergenceWarning(UserWarning):
    """The solver stopped at ``max_iter`` before reaching the requested duality gap."""


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
