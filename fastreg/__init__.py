"""fastreg: fast, certified regularized linear regression.

Lasso and elastic-net paths by Numba coordinate descent (drop-in for
scikit-learn's ``lasso_path`` / ``enet_path``), with a duality-gap certificate
at every alpha; ridge for many alphas and targets from one factorization;
sufficient statistics (``GramStats``) that feed every Gram-based solver and
K-fold cross-validation at about one pass over the data.
"""

from . import bayes, plot
from .cv import EnetCVResult, enet_cv, enet_cv_from_stats, lasso_cv, lasso_cv_from_stats
from .enet.from_stats import enet_path_from_stats, lasso_path_from_stats
from .stats.gramstats import GramStats
from ._patch import (get_patch_map, get_patch_names, patch_sklearn, patched_calls,
                     sklearn_is_patched, sklearn_patched, unpatch_sklearn)
from .enet.path import enet_path, lasso_path
from .enet.pipeline import EnetPathResult
from .ridge.solve import ridge_regression
from .ridge.path import ridge_cv, ridge_cv_from_stats, ridge_path, ridge_path_from_stats
from ._warnings import AccuracyWarning, ConvergenceWarning
from .datasets import load_diabetes

# The one place the version is written: pyproject.toml reads it from here
# ([tool.setuptools.dynamic]); CITATION.cff and CHANGELOG.md must agree (a test checks).
__version__ = "0.1.0"

__all__ = ["enet_path", "lasso_path", "ConvergenceWarning", "AccuracyWarning", "load_diabetes",
           "ridge_regression", "ridge_path", "ridge_cv", "GramStats",
           "enet_path_from_stats", "lasso_path_from_stats", "ridge_path_from_stats",
           "ridge_cv_from_stats", "enet_cv", "lasso_cv", "enet_cv_from_stats",
           "lasso_cv_from_stats", "EnetCVResult", "EnetPathResult", "patch_sklearn", "unpatch_sklearn",
           "sklearn_patched", "sklearn_is_patched", "get_patch_names", "get_patch_map",
           "patched_calls"]
