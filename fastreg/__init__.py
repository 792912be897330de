"""fastreg: fast, certified regularized linear regression.

Lasso and elastic-net paths by Numba coordinate descent (drop-in for
scikit-learn's ``lasso_path`` / ``enet_path``), with a duality-gap certificate
at every alpha.
"""

from . import bayes
from ._path import enet_path, lasso_path
from ._ridge import ridge_regression
from ._ridge_path import ridge_cv, ridge_path
from ._warnings import ConvergenceWarning
from .datasets import load_diabetes

__version__ = "0.1.0"

__all__ = ["enet_path", "lasso_path", "ConvergenceWarning", "load_diabetes",
           "ridge_regression", "ridge_path", "ridge_cv"]
