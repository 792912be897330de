"""The Bayesian reading of ridge regression (and of the lasso's penalties).

Model: ``y = X w + b + noise`` with ``noise ~ N(0, noise_var I)`` and a Gaussian
prior ``w ~ N(0, prior_var I)`` (the intercept ``b`` is flat). The posterior
mode and mean of ``w`` is the ridge solution of::

    ||y - X w - b||^2_2 + alpha * ||w||^2_2,    alpha = noise_var / prior_var

(the scaling of :func:`fastreg.ridge_regression` and scikit-learn's ``Ridge``).
In scikit-learn's ``BayesianRidge`` the precisions are ``alpha_ = 1 / noise_var``
and ``lambda_ = 1 / prior_var``, so ``alpha = lambda_ / alpha_``.

The lasso module scales the data term by ``1 / (2 n)``::

    1 / (2 n) ||y - X w||^2 + alpha_enet * l1_ratio * ||w||_1
                            + 0.5 * alpha_enet * (1 - l1_ratio) * ||w||^2_2

so a Gaussian prior gives ``alpha_enet * (1 - l1_ratio) = noise_var / (n prior_var)``
and a Laplace prior ``Laplace(0, b)`` (density ``exp(-|w_j| / b) / (2 b)``)
gives ``alpha_enet * l1_ratio = noise_var / (n b)``: the lasso estimate is its
posterior mode.

Everything below reuses one eigendecomposition of ``X~^T X~`` (the primal
form) or, when ``n_features > n_samples``, of ``X~ X~^T`` (the dual form),
built in blocks from explicitly centered data. The dual form keeps only
``X~ X~^T`` (n x n) and ``X~^T U`` (p x n): memory O(n^2 + n p), and no
p x p matrix exists unless the posterior covariance is asked for (``cov`` is
computed on first access; ``cov_diag`` and the predictive variances cost
O(n p)).

Accuracy: at every alpha the posterior mean is as accurate as a Cholesky
solve of the same system (:mod:`fastreg.ridge.refine`: the spectral solution is
checked by its componentwise backward error, refined, and replaced by a
Cholesky solve where refinement does not reach rounding level), whatever the
scaling of the columns. Log-determinants and the effective number of
parameters come from the spectrum while its rounding is below 1e-12 of every
``s_k + alpha``, else from a Cholesky factor. Where the system is singular to
working precision (condition number beyond 1e15 after equilibrating the
columns) a :class:`fastreg.AccuracyWarning` says so. Measured against 50-digit
references (tests/ridge/test_bayes.py): relative error at most 8 times that of a
Cholesky solve in the primal form (columns scaled over 1e-8..1e8, degree-15
polynomial features), at most 40 times that of a Cholesky solve of
``X~ X~^T + alpha I`` in the dual form.
"""

import functools
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from . import _validation
from ._warnings import AccuracyWarning
from .ridge.refine import REPORT, SPECTRAL_TRUST, refine, shifted_factor
from .ridge.spectral import Spectrum, deflation_basis, eigh_psd
from .ridge.systems import PrimalSystem, column_kernel
from .stats.blocks import (
    WeightedRows,
    add_gram,
    blocks,
    column_means,
    default_block_size,
    prepare_targets,
    row_block,
    weighted_mean,
    xt_dot,
)
from .stats.gramstats import accumulate_rows

EPS = np.finfo(np.float64).eps
# the spectrum serves log-determinants while its rounding stays below this
# share of every s_k + alpha (about 12 digits); else a Cholesky factor does
SPECTRUM_DIGITS = 1e-12
# the primal residual formula keeps too few digits below this share of ||y~||^2
SSE_CANCELLATION = 1e-4
# a ridge system beyond this condition number (after equilibration) has no
# digits to give in double precision
CONDITION_LIMIT = 1e15

__all__ = [
    "ridge_alpha_from_prior",
    "prior_var_from_ridge_alpha",
    "ridge_alpha_to_enet",
    "enet_penalty_from_priors",
    "posterior",
    "predictive",
    "log_evidence",
    "bayesian_ridge",
]


def ridge_alpha_from_prior(noise_var, prior_var):
    """Ridge penalty of a Gaussian prior: ``alpha = noise_var / prior_var``.

    Parameters
    ----------
    noise_var : float
        Noise variance ``sigma^2`` (``1 / BayesianRidge.alpha_``).
    prior_var : float
        Prior variance of each coefficient ``sigma_w^2`` (``1 / BayesianRidge.lambda_``).

    Returns
    -------
    float
        The ``alpha`` of ``||y - Xw||^2 + alpha ||w||^2``.

    Examples
    --------
    >>> from fastreg.bayes import ridge_alpha_from_prior
    >>> ridge_alpha_from_prior(noise_var=0.5, prior_var=2.0)
    0.25
    """
    noise_var = _validation.check_positive_real(noise_var, "noise_var")
    prior_var = _validation.check_positive_real(prior_var, "prior_var")
    return noise_var / prior_var


def prior_var_from_ridge_alpha(alpha, noise_var):
    """Prior variance implied by a ridge penalty: ``prior_var = noise_var / alpha``.

    Parameters
    ----------
    alpha : float
        Penalty of ``||y - Xw||^2 + alpha ||w||^2``, > 0.
    noise_var : float
        Noise variance.

    Returns
    -------
    float
        The prior variance ``sigma_w^2`` of each coefficient.

    Examples
    --------
    >>> from fastreg.bayes import prior_var_from_ridge_alpha
    >>> prior_var_from_ridge_alpha(0.25, noise_var=0.5)
    2.0
    """
    alpha = _validation.check_positive_real(alpha, "alpha")
    noise_var = _validation.check_positive_real(noise_var, "noise_var")
    return noise_var / alpha


def ridge_alpha_to_enet(alpha, n_samples):
    """Convert a ridge ``alpha`` to the lasso module's scaling (``l1_ratio=0``).

    ``||y - Xw||^2 + alpha ||w||^2`` has the minimizer of
    ``1 / (2 n) ||y - Xw||^2 + 0.5 * alpha_enet * ||w||^2`` with
    ``alpha_enet = alpha / n``.

    Parameters
    ----------
    alpha : float
        Ridge penalty, >= 0.
    n_samples : int
        Number of samples ``n`` (``sum(sample_weight)`` is not used: the lasso
        module divides by ``n`` also with weights).

    Returns
    -------
    float
        ``alpha_enet`` for :func:`fastreg.enet_path` with ``l1_ratio=0``.

    Examples
    --------
    >>> from fastreg.bayes import ridge_alpha_to_enet
    >>> ridge_alpha_to_enet(10.0, n_samples=100)
    0.1
    """
    alpha = _validation.check_positive_real(alpha, "alpha", allow_zero=True)
    n_samples = _validation.check_positive_int(n_samples, "n_samples")
    return alpha / n_samples


def enet_penalty_from_priors(noise_var, n_samples, *, prior_var=None, laplace_scale=None):
    """``(alpha, l1_ratio)`` of the lasso module for Gaussian and/or Laplace priors.

    The negative log posterior of ``y ~ N(Xw, noise_var I)`` with independent
    priors ``N(0, prior_var)`` and ``Laplace(0, laplace_scale)`` on each
    coefficient, times ``noise_var / n``, is the elastic-net objective::

        1 / (2 n) ||y - Xw||^2 + alpha * l1_ratio * ||w||_1
                                + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    with ``alpha * l1_ratio = noise_var / (n * laplace_scale)`` and
    ``alpha * (1 - l1_ratio) = noise_var / (n * prior_var)``.

    Parameters
    ----------
    noise_var : float
        Noise variance.
    n_samples : int
        Number of samples ``n``.
    prior_var : float, default=None
        Variance of the Gaussian prior (None: no Gaussian factor).
    laplace_scale : float, default=None
        Scale ``b`` of the Laplace prior (None: no Laplace factor).

    Returns
    -------
    alpha : float
        Overall penalty ``alpha`` of :func:`fastreg.enet_path`.
    l1_ratio : float
        Share of the L1 term (1 for a pure Laplace prior, 0 for a pure
        Gaussian prior).

    Examples
    --------
    >>> from fastreg.bayes import enet_penalty_from_priors
    >>> enet_penalty_from_priors(1.0, 100, laplace_scale=0.5)
    (0.02, 1.0)
    >>> enet_penalty_from_priors(1.0, 100, prior_var=0.5)
    (0.02, 0.0)
    """
    noise_var = _validation.check_positive_real(noise_var, "noise_var")
    n_samples = _validation.check_positive_int(n_samples, "n_samples")
    if prior_var is None and laplace_scale is None:
        raise ValueError("Give prior_var, laplace_scale or both.")
    l1 = 0.0 if laplace_scale is None else noise_var / (
        n_samples * _validation.check_positive_real(laplace_scale, "laplace_scale"))
    l2 = 0.0 if prior_var is None else noise_var / (
        n_samples * _validation.check_positive_real(prior_var, "prior_var"))
    alpha = l1 + l2
    return alpha, l1 / alpha


@dataclass(frozen=True)
class _Factor:
    """What the posterior needs from the data, in the smaller of two forms.

    The system ``(M + alpha I) x = rhs`` is solved for each alpha:

    * primal (``n_samples >= n_features``): ``M = X~^T X~`` (p x p),
      ``rhs = X~^T y~`` and ``w = x``;
    * dual (``n_features > n_samples``): ``M = X~ X~^T`` (n x n),
      ``rhs = y~`` and ``w = X~^T x = P (U^T x)`` with ``P = X~^T U`` (p x m),
      so that no p x p matrix is ever formed.

    ``U`` (k x m) and ``s`` (m,) are the eigenpairs of ``M``; with an
    intercept in the dual form the null direction ``sqrt(sample_weight)`` of
    the centered kernel is deflated exactly, so ``m = n - 1``.
    """

    M: np.ndarray
    rhs: np.ndarray
    spec: Spectrum
    P: np.ndarray | None
    yty: float
    n_features: int
    weight_sum: float
    x_mean: np.ndarray
    y_mean: float

    @property
    def form(self):
        """``'primal'`` or ``'dual'``."""
        return self.spec.form

    @property
    def s(self):
        """Eigenvalues of ``M`` (rank,)."""
        return self.spec.eigvals

    @property
    def U(self):
        """Eigenvectors of ``M`` (k, rank)."""
        return self.spec.basis

    @property
    def null_dim(self):
        """Directions of ``M``'s space outside ``U`` (the deflated intercept direction)."""
        return self.M.shape[0] - self.s.size

    def solve(self, alpha):
        """``x`` of ``(M + alpha I) x = rhs`` to direct-solve accuracy, and its record."""
        x0 = self.U @ (self.spec.coords / (self.s + alpha)[:, None])
        res = refine(self.M, self.rhs[:, None], np.array([alpha]), x0, self.spec)
        x = res.x[:, 0]
        if self.form == "dual" and self.null_dim:
            # keep the exact orthogonality to the intercept direction
            x = self.U @ (self.U.T @ x)
        trusted = bool(res.spectral_change[0] <= SPECTRAL_TRUST)
        return x, float(res.backward_error[0]), trusted

    def coef(self, x):
        """Coefficients ``w`` from the solution ``x`` of the system."""
        return x if self.form == "primal" else self.P @ (self.U.T @ x)

    def sse(self, x, coef, alpha):
        """``||y~ - X~ w||^2``: ``alpha^2 ||x||^2`` in the dual form (``y~ - K x = alpha x``)."""
        if self.form == "dual":
            return float(alpha * alpha * (x @ x))
        return max(self.yty - float(self.rhs @ coef) - alpha * float(coef @ coef), 0.0)

    def _direct(self, alpha):
        """Cholesky factor of ``M + alpha I``, or None where it is not positive definite."""
        return shifted_factor(self.M, alpha)

    def spectrum_accurate(self, alpha):
        """Whether every ``log(s_k + alpha)`` has about 12 correct digits.

        ``eigh`` errs by about ``k eps s_max`` in each eigenvalue, which is
        small against ``s_min + alpha`` only on well-conditioned problems.
        """
        k = self.M.shape[0]
        top, bottom = _extremes(self.s)
        return k * EPS * top <= SPECTRUM_DIGITS * (bottom + alpha)

    def logdet_trace(self, alpha, trusted):
        """``log det(M + alpha I)`` and ``gamma = sum_k s_k / (s_k + alpha)``.

        From the eigenvalues when they are accurate enough at this alpha
        (:meth:`spectrum_accurate`) and the spectral solution was trusted;
        else from a Cholesky factor, whose digits do not depend on the scaling
        of the columns (``gamma = k - alpha tr((M + alpha I)^{-1})``).
        """
        if not (trusted and self.spectrum_accurate(alpha)):
            L = self._direct(alpha)
            if L is not None:
                Linv = np.linalg.solve(L, np.eye(L.shape[0]))
                k = L.shape[0]
                return (2.0 * float(np.sum(np.log(np.diag(L)))),
                        k - alpha * float(np.sum(Linv * Linv)))
        logdet = float(np.sum(np.log(self.s + alpha))) + self.null_dim * np.log(alpha)
        return logdet, float(np.sum(self.s / (self.s + alpha)))

    def check_conditioning(self, alpha, backward_error, what):
        """Warn (:class:`fastreg.AccuracyWarning`) where ``M + alpha I`` is numerically singular.

        The spectral condition number ``(s_max + alpha) / (s_min + alpha)``
        settles most cases for free; beyond ``1 / eps`` the columns are
        equilibrated and a Cholesky factor decides (its diagonal bounds the
        condition number from below), since a bad scaling alone does not cost
        a direct solve any digits.
        """
        top, bottom = _extremes(self.s)
        if (top + alpha) <= CONDITION_LIMIT * (bottom + alpha) and backward_error <= REPORT:
            return
        A = self.M.copy()
        A[np.diag_indices_from(A)] += alpha
        d = 1.0 / np.sqrt(np.diag(A))
        try:
            L = np.linalg.cholesky(d[:, None] * A * d[None, :])
            diag = np.abs(np.diag(L))
            kappa = float((diag.max() / diag.min()) ** 2) if diag.min() > 0 else np.inf
        except np.linalg.LinAlgError:
            kappa = np.inf
        if kappa <= CONDITION_LIMIT and backward_error <= REPORT:
            return
        how = ("is not positive definite to working precision" if not np.isfinite(kappa)
               else f"has a condition number of at least {kappa:.1e} after equilibrating "
                    "its columns")
        warnings.warn(
            f"{what}: the ridge system at alpha={alpha:.3g} {how}, beyond 1 / eps; the "
            f"posterior mean may have few or no correct digits (relative residual, i.e. "
            f"componentwise backward error, {backward_error:.1e}). A larger alpha, or "
            "removing (near-)duplicate columns, gives an accurate solution.",
            AccuracyWarning, stacklevel=3)

    def logdet_precision(self, noise_prec, weight_prec, logdet_M):
        """``log det(weight_prec I_p + noise_prec X~^T X~)`` from ``log det(M + alpha I)``."""
        k = self.M.shape[0]
        return ((self.n_features - k) * np.log(weight_prec) + k * np.log(noise_prec)
                + logdet_M)

    def middle(self, alpha, trusted):
        """Dual form: ``T = U^T (K + alpha I)^{-1} U``.

        Then ``X~^T (K + alpha I)^{-1} X~ = P T P^T``.
        """
        if not trusted:
            L = self._direct(alpha)
            if L is not None:
                half = np.linalg.solve(L, self.U)
                return half.T @ half
        return np.diag(1.0 / (self.s + alpha))

    def cov(self, alpha, noise_prec, trusted):
        """``(noise_prec (X~^T X~ + alpha I))^{-1}``, shape (p, p): only on request."""
        if self.form == "primal":
            L = self._direct(alpha)
            if L is not None:
                Linv = np.linalg.solve(L, np.eye(L.shape[0]))
                return (Linv.T @ Linv) / noise_prec
            return (self.U / (self.s + alpha)) @ self.U.T / noise_prec
        # Woodbury: (X^T X + a I)^{-1} = (I - X^T (K + a I)^{-1} X) / a
        out = -(self.P @ self.middle(alpha, trusted) @ self.P.T)
        out[np.diag_indices_from(out)] += 1.0
        return out / (alpha * noise_prec)

    def quad(self, Z, alpha, noise_prec, trusted):
        """``z^T cov z`` for every row z of Z (n_points, p), without a p x p matrix."""
        if self.form == "primal":
            L = self._direct(alpha)
            if L is not None:
                half = np.linalg.solve(L, Z.T)
                return np.einsum("ij,ij->j", half, half) / noise_prec
            proj = (self.U.T @ Z.T) / np.sqrt(self.s + alpha)[:, None]
            return np.einsum("ij,ij->j", proj, proj) / noise_prec
        Q = self.P.T @ Z.T  # (m, n_points)
        inner = np.einsum("ij,ij->j", Q, self.middle(alpha, trusted) @ Q)
        return np.maximum(np.einsum("ij,ij->i", Z, Z) - inner, 0.0) / (alpha * noise_prec)

    def cov_diag(self, alpha, noise_prec, trusted):
        """Diagonal of the posterior covariance, O(p m) in the dual form."""
        if self.form == "primal":
            return np.diag(self.cov(alpha, noise_prec, trusted)).copy()
        inner = np.einsum("ij,ij->i", self.P @ self.middle(alpha, trusted), self.P)
        return np.maximum(1.0 - inner, 0.0) / (alpha * noise_prec)


def _extremes(s):
    """Largest and smallest eigenvalue (0, 0 for an empty spectrum)."""
    return (float(s.max()), float(s.min())) if s.size else (0.0, 0.0)


def _kept_spectrum(form, eigvals, basis, rhs):
    """The :class:`~fastreg.ridge.spectral.Spectrum` of eigenpairs with every component kept.

    Every alpha here is > 0, so no eigenvalue is dropped: the components of
    the smallest ones are what refinement and the direct solve correct.
    """
    return Spectrum(form, eigvals, basis, (basis.T @ rhs)[:, None],
                    np.ones(eigvals.size, dtype=bool))


def _primal_factor(X, targets, center, block_size):
    """Gram matrix of explicitly centered rows (two passes: means, then the Gram).

    The one-pass ``sum x x^T - S m m^T`` cancels digits that the ill-conditioned
    problems this module must solve cannot spare; sparse X keeps one pass
    through :class:`~fastreg.GramStats` (centering it explicitly would densify it).
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X):
        stats = accumulate_rows(X, targets.y, targets.sw, block_size=block_size)
        system = PrimalSystem.from_stats(stats, center=center)
        G, b, x_mean = system.gram, system.xty[:, 0], system.x_mean
    else:
        size = block_size or default_block_size(n_features)
        x_mean = (column_means(X, targets.sw, block_size=size) if center
                  else np.zeros(n_features))
        G = np.zeros((n_features, n_features))
        scratch = np.empty_like(G)
        b = np.zeros(n_features)
        yt = targets.y_tilde[:, 0]
        for start, stop in blocks(n_samples, size):
            block = row_block(X, start, stop, shift=x_mean if center else None,
                              sqrt_sw=targets.sqrt_sw)
            add_gram(G, block, out=scratch)
            b += yt[start:stop] @ block
    _validation.check_finite_column_stats(np.diag(G))
    return _Factor(G, b, _kept_spectrum("primal", *eigh_psd(G), b), None, _yty(targets),
                   n_features,
                   targets.weight_sum, x_mean, float(targets.y_mean[0]))


def _yty(targets):
    yt = targets.y_tilde[:, 0]
    return float(yt @ yt)


def _dual_factor(X, targets, center, block_size):
    """Kernel ``X~ X~^T`` of explicitly centered columns, its eigenpairs and ``P = X~^T U``.

    Memory O(n^2 + n p): the kernel, the basis and P; X is read in column blocks.
    """
    n_samples, n_features = X.shape
    root = targets.sqrt_sw
    K, x_mean = column_kernel(X, center_columns=center, sqrt_sw=root, block_size=block_size)
    _validation.check_finite_row_stats(np.diag(K))
    rhs = targets.y_tilde[:, 0].copy()
    if center and n_samples > 1:
        H = deflation_basis(root, n_samples)
        s, W = eigh_psd(H.T @ K @ H)
        U = H @ W
    else:
        s, U = eigh_psd(K)
    spec = _kept_spectrum("dual", s, U, rhs)
    P = xt_dot(X, spec.basis, x_mean=x_mean, sqrt_sw=root, block_size=block_size)
    return _Factor(K, rhs, spec, P, _yty(targets), n_features, targets.weight_sum,
                   np.zeros(n_features) if x_mean is None else x_mean,
                   float(targets.y_mean[0]))


@dataclass(frozen=True)
class _Data:
    """The validated data, for the rare explicit residual (never stored in a result).

    Attributes
    ----------
    X : ndarray, memmap or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        In X's float type.
    targets : Targets
        ``y`` with the weights, centered under ``center``.
    center : bool
    block_size : int or None
    """

    X: object
    y: np.ndarray
    targets: object
    center: bool
    block_size: int | None


def _factor(X, y, sample_weight, fit_intercept, block_size):
    """Validate the data; the :class:`_Factor` of the form its shape calls for, and the data."""
    X = _validation.check_X(X)
    n_samples, n_features = X.shape
    y = _validation.check_y_1d(y, n_samples, X.dtype)
    sample_weight = _validation.check_sample_weight(sample_weight, n_samples, np.float64)
    block_size = _validation.check_block_size(block_size)
    center = bool(fit_intercept)
    targets = prepare_targets(y, sample_weight, center=center)
    build = _primal_factor if n_samples >= n_features else _dual_factor
    return build(X, targets, center, block_size), _Data(X, y, targets, center, block_size)


def _sse(factor, data, x, coef, alpha):
    """``||y~ - X~ w||^2``, from one pass over X where the statistics cancel.

    In the primal form ``||y~||^2 - b^T w - alpha ||w||^2`` loses
    ``log10(||y~||^2 / sse)`` digits: a nearly exact fit (small noise) would
    get a noise precision with few correct digits. Below ``SSE_CANCELLATION``
    of ``||y~||^2`` the residual is summed explicitly instead, in row blocks
    (O(n p), against O(n p^2) for the statistics).
    """
    value = factor.sse(x, coef, alpha)
    if factor.form == "dual" or value > SSE_CANCELLATION * factor.yty:
        return value
    X, targets = data.X, data.targets
    rows = WeightedRows.centered(X, targets.sqrt_sw, factor.x_mean if data.center else None,
                                 explicit=True)
    yt = targets.y_tilde[:, 0]
    total = 0.0
    for start, stop in blocks(X.shape[0], data.block_size or default_block_size(X.shape[1])):
        r = yt[start:stop] - rows.times(start, stop, coef[:, None])[:, 0]
        total += float(r @ r)
    return total


@dataclass(frozen=True)
class _Fit:
    """The posterior mean at one alpha and the terms of the evidence there.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
    backward_error : float
        Of the solution of the ridge system (:func:`fastreg.ridge.refine.refine`).
    sse : float
        ``||y~ - X~ w||^2``.
    coef_norm2 : float
        ``||w||^2``.
    logdet_M : float
        ``log det(M + alpha I)``.
    gamma : float
        The effective number of parameters ``sum_k s_k / (s_k + alpha)``.
    trusted : bool
        Whether the spectral solution was accurate (quantities from the
        spectrum alone can be used).
    """

    coef: np.ndarray
    backward_error: float
    sse: float
    coef_norm2: float
    logdet_M: float
    gamma: float
    trusted: bool


def _fit_at(factor, data, alpha, *, evidence=True):
    """:class:`_Fit` of the ridge system at ``alpha`` (``sse``, ``logdet_M`` and
    ``gamma`` are NaN unless ``evidence``: they may cost a pass over X or a factor)."""
    x, backward_error, trusted = factor.solve(alpha)
    coef = factor.coef(x)
    if not evidence:
        return _Fit(coef, backward_error, np.nan, float(coef @ coef), np.nan, np.nan, trusted)
    logdet_M, gamma = factor.logdet_trace(alpha, trusted)
    return _Fit(coef, backward_error, _sse(factor, data, x, coef, alpha), float(coef @ coef),
                logdet_M, gamma, trusted)


def _log_likelihood(factor, noise_prec, weight_prec, fit):
    """Gaussian log marginal likelihood in scikit-learn's precision form."""
    S = factor.weight_sum
    return 0.5 * (factor.n_features * np.log(weight_prec) + S * np.log(noise_prec)
                  - noise_prec * fit.sse - weight_prec * fit.coef_norm2
                  - factor.logdet_precision(noise_prec, weight_prec, fit.logdet_M)
                  - S * np.log(2.0 * np.pi))


class _LazyCovariance:
    """``cov`` and ``cov_diag`` computed on first access from the data's factor.

    The posterior covariance is p x p: with ``n_features > n_samples`` it is
    never formed unless asked for; its diagonal and the predictive variances
    come from the n x n dual factor in O(n p).
    """

    @functools.cached_property
    def cov(self):
        """Posterior covariance, shape (n_features, n_features) (computed on access)."""
        return self._factor.cov(self.alpha, 1.0 / self.noise_var, self._trusted)

    @functools.cached_property
    def cov_diag(self):
        """Posterior variances of the coefficients, shape (n_features,), O(n p)."""
        return self._factor.cov_diag(self.alpha, 1.0 / self.noise_var, self._trusted)


@dataclass(frozen=True)
class Posterior(_LazyCovariance):
    """Gaussian posterior of the coefficients (see :func:`posterior`).

    Attributes
    ----------
    mean : ndarray of shape (n_features,)
        Posterior mean (the ridge solution).
    intercept : float
    x_offset : ndarray of shape (n_features,)
        Column means of X subtracted before fitting (zeros without intercept).
    noise_var : float
    alpha : float
    cov : ndarray of shape (n_features, n_features)
        Posterior covariance ``noise_var * (X~^T X~ + alpha I)^{-1}``, computed
        on first access (with ``n_features > n_samples`` nothing p x p exists
        before).
    cov_diag : ndarray of shape (n_features,)
        Its diagonal, computed on first access in O(n_samples * n_features).
    """

    mean: np.ndarray
    intercept: float
    x_offset: np.ndarray
    noise_var: float
    alpha: float
    _factor: _Factor = field(repr=False, compare=False)
    _trusted: bool = field(default=True, repr=False, compare=False)


def posterior(X, y, alpha, noise_var, *, fit_intercept=True, sample_weight=None,
              block_size=None):
    """Posterior of ``w`` under a Gaussian prior, for a given alpha and noise level.

    With ``y ~ N(Xw + b, noise_var * diag(1 / sample_weight))`` and
    ``w ~ N(0, (noise_var / alpha) I)`` (flat intercept ``b``), the posterior is
    Gaussian with::

        mean = (X~^T X~ + alpha I)^{-1} X~^T y~
        cov  = noise_var * (X~^T X~ + alpha I)^{-1}

    where ``X~, y~`` are the (weighted) centered data. ``mean`` minimizes
    ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2``. scikit-learn's
    ``BayesianRidge`` gives the same ``coef_`` and ``sigma_`` with
    ``alpha = lambda_ / alpha_`` and ``noise_var = 1 / alpha_``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    alpha : float
        Ridge penalty ``noise_var / prior_var``, > 0.
    noise_var : float
        Noise variance, > 0.
    fit_intercept : bool, default=True
        Fit a flat-prior intercept (center the data).
    sample_weight : array-like of shape (n_samples,), default=None
        Per-sample precision multipliers.
    block_size : int, default=None
        Rows (or columns) of X per block of the statistics pass.

    Returns
    -------
    Posterior
        With fields ``mean``, ``intercept``, ``x_offset``, ``noise_var`` and
        ``alpha``; ``cov`` (n_features x n_features) and ``cov_diag`` are
        computed on first access, so that with ``n_features > n_samples``
        memory stays O(n_samples^2 + n_samples * n_features) unless ``cov``
        is read.

    See Also
    --------
    predictive : Predictive mean and standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.bayes import posterior
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ np.array([1.0, 0.0, -1.0]) + 0.1 * rng.standard_normal(50)
    >>> post = posterior(X, y, alpha=1.0, noise_var=0.01)
    >>> post.cov.shape
    (3, 3)
    """
    alpha = _validation.check_positive_real(alpha, "alpha")
    noise_var = _validation.check_positive_real(noise_var, "noise_var")
    factor, data = _factor(X, y, sample_weight, fit_intercept, block_size)
    x, backward_error, trusted = factor.solve(alpha)
    factor.check_conditioning(alpha, backward_error, "posterior")
    mean = factor.coef(x)
    intercept = factor.y_mean - float(factor.x_mean @ mean)
    return Posterior(mean, intercept, factor.x_mean, noise_var, alpha, factor, trusted)


def predictive(post, X):
    """Mean and standard deviation of the predictive distribution at new points.

    ``mean = X w + b`` and ``std = sqrt((x - x_offset)^T cov (x - x_offset) +
    noise_var)``, as ``BayesianRidge.predict(X, return_std=True)``. The
    quadratic form is computed without the covariance matrix: from a Cholesky
    factor when ``n_samples >= n_features``, from the dual factor in
    O(n_samples * n_features) per point otherwise.

    Parameters
    ----------
    post : Posterior
        From :func:`posterior` or :func:`bayesian_ridge`.
    X : array-like of shape (n_samples, n_features)
        Points to predict at.

    Returns
    -------
    mean : ndarray of shape (n_samples,)
        Predictive mean.
    std : ndarray of shape (n_samples,)
        Predictive standard deviation (parameter uncertainty plus noise).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.bayes import posterior, predictive
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ np.array([1.0, 0.0, -1.0]) + 0.1 * rng.standard_normal(50)
    >>> mean, std = predictive(posterior(X, y, alpha=1.0, noise_var=0.01), X[:2])
    >>> bool((std > 0.1).all())
    True
    """
    X = _validation.check_X(X, accept_sparse=False)
    if X.shape[1] != post.mean.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features, the posterior {post.mean.shape[0]}.")
    A = np.asarray(X, dtype=np.float64)
    mean = A @ post.mean + post.intercept
    centered = A - post.x_offset
    var = post._factor.quad(centered, post.alpha, 1.0 / post.noise_var, post._trusted)
    return mean, np.sqrt(var + post.noise_var)


@dataclass(frozen=True)
class EvidenceResult:
    """Log marginal likelihood over a grid of alphas (see :func:`log_evidence`).

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
    log_evidence : ndarray of shape (n_alphas,)
    noise_var : ndarray of shape (n_alphas,)
        The noise variance used (given, or maximizing the evidence).
    best_alpha : float
        The alpha of largest evidence.
    """

    alphas: np.ndarray
    log_evidence: np.ndarray
    noise_var: np.ndarray
    best_alpha: float


def log_evidence(X, y, alphas, *, noise_var=None, fit_intercept=True, sample_weight=None,
                 block_size=None):
    """Log marginal likelihood ``log p(y | alpha, noise_var)`` for every alpha.

    For ``y~ = X~ w + noise``, ``noise ~ N(0, noise_var I)``,
    ``w ~ N(0, (noise_var / alpha) I)`` (``X~, y~`` the weighted centered
    data, ``S = sum(sample_weight)``, ``s_k`` the eigenvalues of ``X~^T X~``,
    zero-padded to ``n_features``)::

        2 log p = p log(alpha) - sum_k log(s_k + alpha) - S log(2 pi noise_var)
                  - (||y~ - X~ w||^2 + alpha ||w||^2) / noise_var

    with ``w`` the ridge solution at ``alpha``. This is scikit-learn's
    ``BayesianRidge`` score without its Gamma hyperpriors. With
    ``noise_var=None`` the noise variance is profiled out at its maximizer
    ``(||y~ - X~ w||^2 + alpha ||w||^2) / S``. Costs O(rank) per alpha after
    one decomposition.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    alphas : array-like of shape (n_alphas,)
        Ridge penalties ``noise_var / prior_var``, > 0.
    noise_var : float, default=None
        Noise variance; None maximizes the evidence over it for each alpha.
    fit_intercept : bool, default=True
        Center the data (flat prior on the intercept).
    sample_weight : array-like of shape (n_samples,), default=None
        Per-sample precision multipliers.
    block_size : int, default=None
        Rows (or columns) of X per block.

    Returns
    -------
    EvidenceResult
        With fields ``alphas``, ``log_evidence``, ``noise_var`` and
        ``best_alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.bayes import log_evidence
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ rng.standard_normal(5) + 0.3 * rng.standard_normal(100)
    >>> res = log_evidence(X, y, np.logspace(-3, 3, 7))
    >>> res.log_evidence.shape
    (7,)
    """
    alphas = _validation.check_ridge_alphas(alphas, strictly_positive=True)
    if noise_var is not None:
        noise_var = _validation.check_positive_real(noise_var, "noise_var")
    factor, data = _factor(X, y, sample_weight, fit_intercept, block_size)
    values = np.empty(alphas.size)
    noise = np.empty(alphas.size)
    worst = 0.0
    for k, alpha in enumerate(alphas):
        fit = _fit_at(factor, data, alpha)
        worst = max(worst, fit.backward_error)
        noise[k] = ((fit.sse + alpha * fit.coef_norm2) / factor.weight_sum
                    if noise_var is None else noise_var)
        values[k] = _log_likelihood(factor, 1.0 / noise[k], alpha / noise[k], fit)
    factor.check_conditioning(float(alphas.min()), worst, "log_evidence")
    return EvidenceResult(alphas, values, noise, float(alphas[int(np.argmax(values))]))


@dataclass(frozen=True)
class BayesianRidgeResult(_LazyCovariance):
    """Evidence-maximizing ridge (see :func:`bayesian_ridge`).

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Posterior mean (``BayesianRidge.coef_``).
    intercept : float
        ``BayesianRidge.intercept_``.
    noise_precision : float
        ``1 / noise_var`` (``BayesianRidge.alpha_``).
    weight_precision : float
        ``1 / prior_var`` (``BayesianRidge.lambda_``).
    alpha : float
        The equivalent ridge penalty ``weight_precision / noise_precision``.
    cov : ndarray of shape (n_features, n_features)
        Posterior covariance (``BayesianRidge.sigma_``), computed on first
        access (with ``n_features > n_samples`` nothing p x p exists before).
    cov_diag : ndarray of shape (n_features,)
        Its diagonal, computed on first access in O(n_samples * n_features).
    scores : ndarray of shape (n_iter + 1,) or None
        Log marginal likelihood with the Gamma hyperpriors, per iteration
        (``BayesianRidge.scores_``), when ``compute_score=True``.
    n_iter : int
        Fixed-point iterations run (``BayesianRidge.n_iter_``).
    x_offset : ndarray of shape (n_features,)
    """

    coef: np.ndarray
    intercept: float
    noise_precision: float
    weight_precision: float
    alpha: float
    scores: np.ndarray | None
    n_iter: int
    x_offset: np.ndarray
    _factor: _Factor = field(repr=False, compare=False)
    _trusted: bool = field(default=True, repr=False, compare=False)

    @property
    def noise_var(self):
        """``1 / noise_precision``."""
        return 1.0 / self.noise_precision

    def posterior(self):
        """The same fit as a :class:`Posterior` (for :func:`predictive`)."""
        return Posterior(self.coef, self.intercept, self.x_offset,
                         1.0 / self.noise_precision, self.alpha, self._factor, self._trusted)


def _hyperprior(value, shape, rate):
    """Log density of a Gamma(shape, rate) hyperprior, up to a constant."""
    return shape * np.log(value) - rate * value


def _initial_precisions(y, sample_weight, alpha_init, lambda_init):
    """scikit-learn's starting point: noise precision 1 / Var(y), weight precision 1."""
    if alpha_init is None:
        if sample_weight is None:
            var = float(np.var(y))  # in y's float type, as scikit-learn
        else:
            var = float(weighted_mean((y - weighted_mean(y, sample_weight)) ** 2,
                                      sample_weight))
        alpha_init = 1.0 / (var + np.finfo(np.float64).eps)
    return float(alpha_init), 1.0 if lambda_init is None else float(lambda_init)


def bayesian_ridge(X, y, *, max_iter=300, tol=1e-3, alpha_1=1e-6, alpha_2=1e-6,
                   lambda_1=1e-6, lambda_2=1e-6, alpha_init=None, lambda_init=None,
                   compute_score=False, fit_intercept=True, sample_weight=None,
                   block_size=None):
    """Maximize the evidence over the noise and weight precisions (MacKay).

    The model and the defaults are those of ``sklearn.linear_model.BayesianRidge``:
    ``y ~ N(Xw + b, 1 / noise_precision)``, ``w ~ N(0, I / weight_precision)``,
    Gamma hyperpriors ``Gamma(alpha_1, alpha_2)`` on the noise precision and
    ``Gamma(lambda_1, lambda_2)`` on the weight precision. Each iteration is
    MacKay's fixed point::

        gamma            = sum_k a s_k / (l + a s_k)
        weight_precision = (gamma + 2 lambda_1) / (||w||^2 + 2 lambda_2)
        noise_precision  = (S - gamma + 2 alpha_1) / (||y~ - X~ w||^2 + 2 alpha_2)

    (``a``, ``l`` the current precisions, ``s_k`` the eigenvalues of
    ``X~^T X~``), stopping when the coefficients move by less than ``tol`` in
    l1 norm. One eigendecomposition serves every iteration: each costs
    O(n_features * rank) instead of a pass over the data.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    max_iter : int, default=300
        Maximum number of fixed-point iterations.
    tol : float, default=1e-3
        Stop when ``sum(|w_new - w_old|) < tol``.
    alpha_1, alpha_2 : float, default=1e-6
        Shape and rate of the Gamma hyperprior on the noise precision.
    lambda_1, lambda_2 : float, default=1e-6
        Shape and rate of the Gamma hyperprior on the weight precision.
    alpha_init : float, default=None
        Initial noise precision (default ``1 / Var(y)``).
    lambda_init : float, default=None
        Initial weight precision (default 1).
    compute_score : bool, default=False
        Record the log marginal likelihood (with hyperpriors) at each iteration.
    fit_intercept : bool, default=True
        Center the data (flat prior on the intercept).
    sample_weight : array-like of shape (n_samples,), default=None
        Per-sample precision multipliers.
    block_size : int, default=None
        Rows (or columns) of X per block.

    Returns
    -------
    BayesianRidgeResult
        With fields ``coef``, ``intercept``, ``noise_precision`` (scikit-learn's
        ``alpha_``), ``weight_precision`` (``lambda_``), ``alpha`` (the ridge
        penalty ``lambda_ / alpha_``), ``cov`` (``sigma_``), ``scores``,
        ``n_iter`` and ``x_offset``.

    See Also
    --------
    log_evidence : The evidence over a grid of alphas.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg.bayes import bayesian_ridge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4))
    >>> y = X @ np.array([1.0, 2.0, 0.0, 0.0]) + 0.5 * rng.standard_normal(200)
    >>> fit = bayesian_ridge(X, y)
    >>> round(1 / fit.noise_precision, 1)
    0.2
    """
    options = _MacKay(
        *[_validation.check_positive_real(v, name, allow_zero=True) for v, name in
          ((alpha_1, "alpha_1"), (alpha_2, "alpha_2"), (lambda_1, "lambda_1"),
           (lambda_2, "lambda_2"))],
        max_iter=_validation.check_positive_int(max_iter, "max_iter"),
        tol=_validation.check_positive_real(tol, "tol", allow_zero=True),
        compute_score=bool(compute_score))
    factor, data = _factor(X, y, sample_weight, fit_intercept, block_size)
    start = _initial_precisions(data.y, data.targets.sw, alpha_init, lambda_init)
    noise_prec, weight_prec, last, scores, n_iter = _fixed_point(factor, data, start, options)
    alpha = weight_prec / noise_prec
    final = _fit_at(factor, data, alpha, evidence=options.compute_score)
    factor.check_conditioning(alpha, final.backward_error, "bayesian_ridge")
    if compute_score:
        # as scikit-learn: the last score pairs the final sse with the
        # coefficients of the last iteration
        scores.append(options.score(factor, noise_prec, weight_prec,
                                    replace(final, coef_norm2=last.coef_norm2)))
    intercept = factor.y_mean - float(factor.x_mean @ final.coef)
    return BayesianRidgeResult(final.coef, intercept, noise_prec, weight_prec, alpha,
                               np.array(scores) if compute_score else None, n_iter,
                               factor.x_mean, factor, final.trusted)


@dataclass(frozen=True)
class _MacKay:
    """Options of MacKay's fixed point: the Gamma hyperpriors and when to stop.

    ``Gamma(alpha_1, alpha_2)`` on the noise precision and
    ``Gamma(lambda_1, lambda_2)`` on the weight precision (shape, rate), as
    scikit-learn's ``BayesianRidge``.
    """

    alpha_1: float
    alpha_2: float
    lambda_1: float
    lambda_2: float
    max_iter: int
    tol: float
    compute_score: bool

    def score(self, factor, noise_prec, weight_prec, fit):
        """scikit-learn's ``scores_`` entry: evidence plus Gamma hyperprior terms."""
        return (_hyperprior(weight_prec, self.lambda_1, self.lambda_2)
                + _hyperprior(noise_prec, self.alpha_1, self.alpha_2)
                + _log_likelihood(factor, noise_prec, weight_prec, fit))

    def update(self, factor, fit):
        """The next ``(noise_prec, weight_prec)`` from the fit at the current ones."""
        weight_prec = (fit.gamma + 2 * self.lambda_1) / (fit.coef_norm2 + 2 * self.lambda_2)
        noise_prec = ((factor.weight_sum - fit.gamma + 2 * self.alpha_1)
                      / (fit.sse + 2 * self.alpha_2))
        return noise_prec, weight_prec


def _fixed_point(factor, data, start, options):
    """MacKay's updates until the coefficients settle; O(p * min(n, p)) per iteration.

    Returns
    -------
    noise_prec, weight_prec : float
        After the last update.
    fit : _Fit
        At the precisions before the last update.
    scores : list of float
    n_iter : int
    """
    noise_prec, weight_prec = start
    scores, coef_old = [], None
    for iteration in range(options.max_iter):
        fit = _fit_at(factor, data, weight_prec / noise_prec)
        if options.compute_score:
            scores.append(options.score(factor, noise_prec, weight_prec, fit))
        noise_prec, weight_prec = options.update(factor, fit)
        if iteration != 0 and np.sum(np.abs(coef_old - fit.coef)) < options.tol:
            break
        coef_old = fit.coef
    return noise_prec, weight_prec, fit, scores, iteration + 1
