"""scikit-learn compatible estimators over fastreg's functional API.

Import explicitly (``import fastreg`` never imports scikit-learn)::

    from fastreg.sklearn import Lasso, ElasticNet, LassoCV, ElasticNetCV
    from fastreg.sklearn import Ridge, RidgeCV, BayesianRidge
    from fastreg.sklearn import MultiTaskLasso, MultiTaskElasticNet
    from fastreg.sklearn import MultiTaskLassoCV, MultiTaskElasticNetCV

Each estimator takes scikit-learn's parameter names and defaults (plus a few
fastreg extras, documented per class), sets scikit-learn's fitted attributes,
and is a thin layer over :func:`fastreg.enet_path`, :func:`fastreg.enet_cv`,
:func:`fastreg.ridge_regression`, :func:`fastreg.ridge_cv` and
:func:`fastreg.bayes.bayesian_ridge`. This module needs scikit-learn
(``pip install 'fastreg[sklearn]'``).
"""

try:
    import sklearn  # noqa: F401  (checked first, so a missing install gets a hint, not a traceback)
except ImportError as exc:
    raise ImportError("fastreg.sklearn needs scikit-learn, an optional dependency: "
                      "pip install 'fastreg[sklearn]'") from exc

from ._bayes import BayesianRidge
from ._enet import ElasticNet, ElasticNetCV, Lasso, LassoCV
from ._multitask import (
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
)
from ._ridge import Ridge, RidgeCV

__all__ = ["Lasso", "ElasticNet", "LassoCV", "ElasticNetCV", "Ridge", "RidgeCV",
           "BayesianRidge", "MultiTaskLasso", "MultiTaskElasticNet", "MultiTaskLassoCV",
           "MultiTaskElasticNetCV"]
