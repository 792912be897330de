"""The ridge normal equations in their two forms: views of the data, not statistics types.

Every ridge route solves ``(M + alpha I) x = b`` for many alphas:

* primal (``n_samples >= n_features``): ``M = X~^T X~`` (p x p), ``b = X~^T y~``
  and ``w = x``. :class:`PrimalSystem` is read off a :class:`~fastreg.GramStats`
  by :meth:`PrimalSystem.from_stats`, the one way to build it: from rows, the
  statistics come first (:func:`fastreg.stats.gramstats.accumulate_rows`).
* dual (``n_features > n_samples``): ``M = X~ X~^T`` (n x n), ``b = y~`` and
  ``w = X~^T x``. The kernel is a product over samples, not a moment of the
  rows, so it cannot come from ``GramStats``; :func:`kernel_system` builds
  :class:`DualSystem` in one pass over column blocks.

``X~ = sqrt(s) (X - 1 m^T)`` and ``y~ = sqrt(s) (y - ybar)`` are the weighted
data, centered when the model has an intercept. Both records expose the same
names (``matrix``, ``rhs``, ``x_mean``, ``y_mean``, ``centered``, ...), so the
spectral solver, leave-one-out and GCV treat the two forms alike.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .. import _validation
from ..stats.blocks import add_gram, blocks, column_block, default_block_size, xt_dot
from ..stats.gramstats import accumulate_rows


def choose_form(n_samples, n_features):
    """``'primal'`` (eigendecompose ``X^T X``) unless features outnumber samples."""
    return "primal" if n_samples >= n_features else "dual"


@dataclass(frozen=True)
class PrimalSystem:
    """``X~^T X~`` and ``X~^T Y~``: the primal view of a :class:`~fastreg.GramStats`.

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        ``X~^T X~`` (symmetric, float64).
    xty : ndarray of shape (n_features, n_targets)
        ``X~^T Y~``.
    yty : ndarray of shape (n_targets,)
        ``||Y~[:, t]||^2`` per target.
    x_mean, y_mean : ndarray
        Weighted means (zeros without intercept).
    weight_sum : float
        ``sum(sample_weight)`` (``n_samples`` without weights).
    n_samples : int
    centered : bool
    """

    gram: np.ndarray
    xty: np.ndarray
    yty: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray
    weight_sum: float
    n_samples: int
    centered: bool

    form = "primal"

    @classmethod
    def from_stats(cls, stats, *, center):
        """The system of ``stats``, centered (a model with intercept) or raw.

        Parameters
        ----------
        stats : GramStats
        center : bool

        Returns
        -------
        PrimalSystem
        """
        center = bool(center)
        return cls(stats.gram(center=center), stats.xty(center=center),
                   stats.yty(center=center),
                   stats.x_mean if center else np.zeros(stats.n_features),
                   stats.y_mean if center else np.zeros(stats.n_targets),
                   stats.weight_sum, stats.n_samples, center)

    @property
    def matrix(self):
        """``M`` of ``(M + alpha I) x = b``."""
        return self.gram

    @property
    def rhs(self):
        """``B`` (one column per target)."""
        return self.xty

    @property
    def target_norms(self):
        """``||y~_t||^2`` per target."""
        return self.yty

    def coefficients(self, x, X=None, *, block_size=None):
        """Coefficients (n_features, k) from solutions x of the system, and the X means.

        In the primal form the solutions are the coefficients (X is not read).
        """
        return x, self.x_mean


@dataclass(frozen=True)
class DualSystem:
    """``X~ X~^T`` and ``Y~``: the dual view, built from the rows by :func:`kernel_system`.

    Attributes
    ----------
    kernel : ndarray of shape (n_samples, n_samples)
        ``X~ X~^T`` (symmetric, float64).
    y_tilde : ndarray of shape (n_samples, n_targets)
        ``Y~``.
    x_mean : ndarray of shape (n_features,) or None
        Weighted column means when the blocks were centered explicitly (the
        fallback for large means); None otherwise: the means then come with
        the first product ``X^T C`` (see :func:`dual_product`).
    y_mean : ndarray of shape (n_targets,)
    sqrt_sw : ndarray of shape (n_samples,) or None
        Square roots of the sample weights.
    weight_sum : float
    centered : bool
    """

    kernel: np.ndarray
    y_tilde: np.ndarray
    x_mean: np.ndarray | None
    y_mean: np.ndarray
    sqrt_sw: np.ndarray | None
    weight_sum: float
    centered: bool

    form = "dual"

    @property
    def matrix(self):
        """``M`` of ``(M + alpha I) x = b``."""
        return self.kernel

    @property
    def rhs(self):
        """``B`` (one column per target)."""
        return self.y_tilde

    @property
    def target_norms(self):
        """``||y~_t||^2`` per target."""
        return np.einsum("ij,ij->j", self.y_tilde, self.y_tilde)

    @property
    def n_samples(self):
        """Number of rows."""
        return self.kernel.shape[0]

    def coefficients(self, x, X, *, block_size=None):
        """Coefficients ``X~^T x`` (n_features, k) and the X means: one pass over X.

        See :func:`dual_product`.
        """
        return dual_product(X, x, self, block_size=block_size)


def normal_equations(X, targets, *, center, block_size=None, form=None):
    """The system of the form X's shape calls for, from one blocked pass over X.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
        From :func:`fastreg.stats.blocks.prepare_targets` with the same ``center``.
    center : bool
        Fit an intercept (center X and y at their weighted means).
    block_size : int, default=None
        Rows (primal) or columns (dual) per block.
    form : {'primal', 'dual'}, default=None
        Force a form; None lets :func:`choose_form` decide.

    Returns
    -------
    PrimalSystem or DualSystem
        Checked for non-finite values of X (through the diagonal of M).
    """
    if (form or choose_form(*X.shape)) == "primal":
        stats = accumulate_rows(X, targets.y, targets.sw, block_size=block_size)
        system = PrimalSystem.from_stats(stats, center=center)
        _validation.check_finite_column_stats(np.diag(system.gram))
        return system
    system = kernel_system(X, targets, center=center, block_size=block_size)
    _validation.check_finite_row_stats(np.diag(system.kernel))
    return system


# The kernel of centered data is computed as P K P (P projects out the
# intercept direction) unless that cancels more than about this share of the
# kernel's trace; then the columns are centered explicitly in a second pass.
CENTER_TRACE_RATIO = 1e-3


def column_kernel(X, *, center_columns=False, sqrt_sw=None, block_size=None):
    """``X~ X~^T`` over column blocks, ``X~ = sqrt(s) (X - m)`` formed block by block.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    center_columns : bool, default=False
        Center every column block explicitly at its weighted means (``m = 0``
        otherwise); the means come from the same pass.
    sqrt_sw : ndarray of shape (n_samples,) or None
        Square roots of the sample weights.
    block_size : int, default=None
        Columns per block.

    Returns
    -------
    kernel : ndarray of shape (n_samples, n_samples)
    x_mean : ndarray of shape (n_features,) or None
        The column means (only with ``center_columns``).
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        X = sparse.csc_matrix(X)
    size = block_size or default_block_size(n_samples)
    kernel = np.zeros((n_samples, n_samples))
    scratch = np.empty_like(kernel)
    means = np.zeros(n_features) if center_columns else None
    for start, stop in blocks(n_features, size):
        block, mean = column_block(X, start, stop,
                                   x_mean="compute" if center_columns else None,
                                   sqrt_sw=sqrt_sw)
        if center_columns:
            means[start:stop] = mean
        add_gram(kernel, block.T, out=scratch)
    return kernel, means


def project_out(K, u):
    """``(I - u u^T) K (I - u u^T)`` for a unit vector u, in O(n^2)."""
    Ku = K @ u
    gamma = u @ Ku
    return K - np.outer(u, Ku) - np.outer(Ku, u) + gamma * np.outer(u, u)


def centering_is_accurate(raw_trace, centered_trace, *, ratio=CENTER_TRACE_RATIO):
    """Whether ``P K P`` keeps enough digits: the trace did not collapse."""
    return centered_trace >= ratio * raw_trace


def kernel_system(X, targets, *, center, block_size=None):
    """The dual system from one pass over X in column blocks.

    The pass reads blocks of X in place (no copies): weights are applied to
    the kernel afterwards (``D K D``) and centering projects out the intercept
    direction ``sqrt(s)``. If that projection would cancel too many digits
    (column means large against their spread, see
    :func:`centering_is_accurate`), a second pass centers the columns
    explicitly.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    targets : Targets
    center : bool
    block_size : int, default=None
        Columns per block.

    Returns
    -------
    DualSystem
    """
    n_samples = X.shape[0]
    root = targets.sqrt_sw
    kernel, _ = column_kernel(X, block_size=block_size)
    if root is not None:
        kernel *= np.outer(root, root)
    x_mean = None
    if center:
        u = np.ones(n_samples) if root is None else root.copy()
        u /= np.linalg.norm(u)
        centered = project_out(kernel, u)
        if centering_is_accurate(np.trace(kernel), np.trace(centered)):
            kernel = centered
        else:
            kernel, x_mean = column_kernel(X, center_columns=True, sqrt_sw=root,
                                           block_size=block_size)
    return DualSystem(kernel, targets.y_tilde, x_mean, targets.y_mean, root,
                      targets.weight_sum, bool(center))


def dual_product(X, C, system, *, block_size=None):
    """``X~^T C`` for C orthogonal to ``sqrt(s)``, and the column means of X.

    With an intercept, ``X~^T C = X^T (sqrt(s) C) - m (sqrt(s)^T C)``; the
    means ``m = X^T s / sum(s)`` come from the same product (one extra column),
    so the pass over X is shared. After the explicit-centering fallback the
    centered blocks are used directly.

    Parameters
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    C : ndarray of shape (n_samples, k)
    system : DualSystem
    block_size : int, default=None

    Returns
    -------
    product : ndarray of shape (n_features, k)
    x_mean : ndarray of shape (n_features,)
    """
    root = system.sqrt_sw
    if not system.centered:
        return xt_dot(X, C, sqrt_sw=root, block_size=block_size), np.zeros(X.shape[1])
    if system.x_mean is not None:
        return (xt_dot(X, C, x_mean=system.x_mean, sqrt_sw=root, block_size=block_size),
                system.x_mean)
    u = np.ones(X.shape[0]) if root is None else root
    both = xt_dot(X, np.column_stack([C, u / system.weight_sum]), sqrt_sw=root,
                  block_size=block_size)
    x_mean = both[:, -1]
    return both[:, :-1] - np.outer(x_mean, u @ C), x_mean
