"""The penalty of one path as the driver and the kernels see it.

The default problem (scikit-learn's: no penalty factors, no bounds) is passed
to the kernels as ``None``; penalty factors and box constraints as one
:class:`BoxRecord`, a named tuple of arrays. Numba compiles the two cases as
two specializations of the same kernels (``if box is None`` is pruned at
compile time), so the default case runs none of the box's code. A new
per-feature penalty goes here (its record), in ``fastreg/_kernels/prox.py``
(its coordinate update) and in ``fastreg/_kernels/gap.py`` (its gap and
screening rule).
"""

from collections import namedtuple

import numpy as np

from .._kernels.gap import duality_gap
from .grid import alpha_max

BoxRecord = namedtuple("BoxRecord", ["opts", "unpen", "K", "XyU", "scratch"])
BoxRecord.__doc__ = """Penalty factors and box constraints as the kernels take them.

Fields
------
opts : ndarray of float64, shape (3, n_features)
    Penalty factors ``v``, lower bounds, upper bounds (``inf`` factor: excluded).
unpen : ndarray of int64, shape (n_unpen,)
    The unpenalized features with an unbounded side (projected out by the gap).
K : ndarray of float64, shape (n_features, n_unpen)
    ``X^T X[:, unpen]``.
XyU : ndarray of float64, shape (n_unpen,)
    ``X[:, unpen]^T y``.
scratch : ndarray of float64, shape (n_features,)
    Receives the dual point of :func:`fastreg._kernels.gap.box_gap`.
"""


class FeatureBox:
    """Per-feature penalty factors and box constraints of one path.

    The penalty of feature j is ``v_j * (l1 |w_j| + (l2/2) w_j^2)`` and its
    coefficient is constrained to ``lower_j <= w_j <= upper_j`` (``lower_j <= 0 <=
    upper_j``). A feature is *excluded* (kept at zero, never in a working set)
    when ``v_j = inf``, when ``lower_j = upper_j = 0`` or when its column is zero;
    *unpenalized* when ``v_j = 0``. The duality gap needs ``X^T X_U`` and
    ``X_U^T y`` for the unpenalized features U with an unbounded side (see
    :func:`fastreg._kernels.gap.box_gap`), computed once here.

    Parameters
    ----------
    problem : a single-task design of :mod:`fastreg.enet.designs`
    factors, lower, upper : ndarray of float64, shape (n_features,)
        On the problem's scale.
    """

    def __init__(self, problem, factors, lower, upper):
        opts = np.ascontiguousarray(np.vstack([factors, lower, upper]), dtype=np.float64)
        self.excluded = (np.isinf(factors) | ((lower == 0) & (upper == 0))
                         | (problem.norms2 == 0))
        opts[0, self.excluded] = np.inf
        unpenalized = (factors == 0) & ~self.excluded
        self.unpenalized = np.flatnonzero(unpenalized).astype(np.int64)
        open_side = np.isinf(lower) | np.isinf(upper)
        unpen = np.flatnonzero(unpenalized & open_side).astype(np.int64)
        if unpen.size:
            K = problem.cross_gram(unpen)
            XyU = np.asarray(problem.Xy(), dtype=np.float64).ravel()[unpen]
        else:
            K, XyU = np.empty((0, 0)), np.empty(0)
        lower, upper = opts[1], opts[2]
        self._always_exact = (((upper != np.inf) | ((lower != 0) & (lower != -np.inf)))
                              & ~self.excluded)
        self.record = BoxRecord(opts, unpen, K, np.ascontiguousarray(XyU),
                                np.zeros(problem.n_features))

    @property
    def factors(self):
        return self.record.opts[0]

    @property
    def lower(self):
        return self.record.opts[1]

    @property
    def upper(self):
        return self.record.opts[2]

    def gradient_threshold(self, l1):
        """Per-feature thresholds for ``problem.gradient`` (None: exact everywhere).

        A gradient entry may be replaced by an upper bound on its magnitude
        only where the gap and the KKT check need no more than that: features
        whose box has no finite nonzero bound and whose upper bound is not 0
        (their conjugate term is then a pure constraint, which a larger
        magnitude only tightens). The others get threshold -inf (always
        exact); every gradient is exact when the gap projects out unpenalized
        features.
        """
        if self.record.unpen.size > 0 or not l1 > 0:
            return None
        thresholds = self.factors * l1
        thresholds[self._always_exact] = -np.inf
        return thresholds

    def project(self, W):
        """Clip coefficients into the box and zero the excluded ones, in place."""
        np.clip(W, self.lower, self.upper, out=W)
        W[self.excluded] = 0.0

    def reset(self, W, in_set, screened):
        """The working set at a new alpha: nonzeros and unpenalized in, excluded out."""
        in_set[:] = W != 0.0
        in_set[self.unpenalized] = True
        in_set[self.excluded] = False
        screened[:] = self.excluded


def feature_box(problem, penalty, transform):
    """The :class:`FeatureBox` of ``penalty`` on ``problem`` (None for a plain penalty).

    ``transform``: the design's :class:`fastreg.enet.prepare.Transform`; a
    coefficient ``w`` of the caller is ``w * transform.coef_scale(n_features)``
    in the problem (power-of-two rescaling and standardization), and so are
    the bounds.
    """
    if penalty.is_plain:
        return None
    n_features = problem.n_features
    coef_scale = transform.coef_scale(n_features)
    lower = np.full(n_features, -np.inf) if penalty.lower is None else penalty.lower
    upper = np.full(n_features, np.inf) if penalty.upper is None else penalty.upper
    if penalty.positive:
        lower = np.maximum(lower, 0.0)
    factors = np.ones(n_features) if penalty.factors is None else penalty.factors
    return FeatureBox(problem, factors, lower * coef_scale, upper * coef_scale)


def fit_unpenalized(problem, box, W, *, gap_tol, max_iter):
    """Fit the unpenalized features alone (the others at zero), in place in ``W``.

    This is the solution at ``alpha_max`` (no penalized feature active), whose
    gradient defines ``alpha_max`` with penalty factors.

    Returns
    -------
    G : ndarray of float64, shape (n_features, 1)
        ``X^T r / n`` at the fit (after an exact least-squares refit of the
        unpenalized features with an unbounded side).
    """
    W[:] = 0.0
    problem.start(W)
    G = problem.gradient(W)[0]
    free = box.unpenalized
    if free.size == 0:
        return G
    problem.prepare(free, G)
    problem.solve(W, free.copy(), 1.0, 0.0, False, (gap_tol, max_iter, gap_tol, 0, np.inf), -1,
                  box=box.record)
    G, R2, Ry = problem.gradient(W)
    # the gradient after the exact least-squares refit of the free unpenalized
    # features (box_gap's projection): alpha_max to rounding, not to tol
    duality_gap(G, W.reshape(-1, 1), np.arange(problem.n_features, dtype=np.int64), R2, Ry,
                1.0, 0.0, False, float(problem.n_samples), box.record)
    return box.record.scratch.copy()[:, None]


def path_alpha_max(problem, box, W, penalty, *, tol, max_iter):
    """The smallest alpha at which every penalized coefficient is zero.

    With penalty factors or bounds (``box``) that point is the fit of the
    unpenalized features alone, written into ``W`` (the path's warm start).
    The data term is ``1 / (2 n) ||y - Xw||^2`` with ``n = problem.n_samples``.
    """
    n = problem.n_samples
    if box is None:
        return alpha_max(problem.Xy(), n, penalty.l1_ratio, positive=penalty.positive)
    G = fit_unpenalized(problem, box, W, gap_tol=tol * 1e-3 * problem.yy / n,
                        max_iter=max_iter)
    return alpha_max(G * n, n, penalty.l1_ratio, penalty_factor=box.factors, lower=box.lower,
                     upper=box.upper)
