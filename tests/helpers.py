"""Helpers shared by the test modules: synthetic data, quiet calls, path certificates.

Every data maker reproduces the random stream its tests were written against:
the expected numbers in those tests depend on it, so a maker is never edited in
place; a new stream gets a new function.

The certificates recompute everything from scratch in float64 with the
independent references of ``tests/reference.py``; nothing here imports a
private ``fastreg`` module. scikit-learn is imported where it is used, so test
modules that do not compare against it run without it.
"""

import warnings

import numpy as np

import fastreg
import reference as ref

TOL64 = 1e-11
TOL32 = 1e-5


# ------------------------------------------------------------------ data
def make_data(n, p, *, seed=0, rho=0.0, n_informative=5, n_tasks=None, noise=0.5,
              dtype=np.float64, density=None):
    """Gaussian design with Toeplitz correlation rho^|i-j|, sparse truth, noisy target.

    Returns ``(X, y)``; ``y`` has shape ``(n,)``, or ``(n, n_tasks)`` when
    ``n_tasks`` is given. ``density`` zeroes entries of X at random (the
    matrix stays dense; the caller converts it to a sparse format).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if rho:
        idx = np.arange(p)
        X = X @ np.linalg.cholesky(rho ** np.abs(idx[:, None] - idx[None, :])).T
    if density is not None:
        X *= rng.random((n, p)) < density
    k = min(n_informative, p)
    W = np.zeros((p, n_tasks or 1))
    W[rng.choice(p, k, replace=False)] = 2.0 * rng.standard_normal((k, n_tasks or 1))
    Y = X @ W + noise * rng.standard_normal((n, n_tasks or 1))
    y = Y[:, 0] if n_tasks is None else Y
    return X.astype(dtype), y.astype(dtype)


def make_ridge_data(n, p, n_targets=None, seed=0, offset=0.0):
    """Columns of unequal scale shifted by ``offset``, dense truth, target offset 2.

    Returns ``(X, y, sample_weight)``; ``y`` has shape ``(n,)``, or
    ``(n, n_targets)`` when ``n_targets`` is given.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + offset
    k = n_targets or 1
    W = rng.standard_normal((p, k))
    Y = X @ W + rng.standard_normal((n, k)) + 2.0
    y = Y[:, 0] if n_targets is None else Y
    return X, y, rng.uniform(0.2, 3.0, n)


def make_bayes_data(n, p, seed=0, noise=0.3):
    """Columns shifted by 2, three nonzero coefficients, target offset 4.

    Returns ``(X, y, sample_weight)`` with ``y`` of shape ``(n,)``.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 2.0
    w = np.zeros(p)
    w[:3] = [1.0, -2.0, 0.5]
    y = X @ w + noise * rng.standard_normal(n) + 4.0
    return X, y, rng.uniform(0.5, 2.0, n)


# ------------------------------------------------------------ quiet calls
def fast(func, *args, **kwargs):
    """Call a fastreg path function; failing to converge is a test failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", fastreg.ConvergenceWarning)
        return func(*args, **kwargs)


def skl(func, *args, **kwargs):
    """Call a scikit-learn path function (its convergence is checked by our gaps)."""
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        return func(*args, **kwargs)


# ------------------------------------------------------------ certificates
def rounding_slack(dtype, scale):
    """What rounding adds to a gap or objective of size ``scale`` in ``dtype``."""
    return (5e-6 if np.dtype(dtype) == np.float32 else 1e-13) * scale


def reference_gap(X, y, coef, alpha, l1_ratio, *, positive=False, sample_weight=None):
    """Duality gap of ``coef`` recomputed in float64; multi-task when ``y`` is 2-D.

    ``X`` may be sparse; it is densified. ``positive`` applies to one target only.
    """
    X, y = ref.as_dense(X), np.asarray(y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    if np.ndim(y) == 2:
        return ref.mt_duality_gap(X, y, coef, alpha, l1_ratio, sample_weight)
    return ref.duality_gap(X, y, coef, alpha, l1_ratio, positive, sample_weight)


def smallest_eigenvalue(X, sample_weight=None):
    """Smallest eigenvalue of X^T X / n (of the weighted X); 0 when p > n."""
    Xw, _ = ref.weighted(X, np.zeros(X.shape[0]), sample_weight)
    n, p = Xw.shape
    return 0.0 if p > n else max(0.0, float(np.linalg.eigvalsh(Xw.T @ Xw / n)[0]))


def strong_convexity(X, l2, sample_weight=None):
    """mu of P: l2 plus the smallest eigenvalue of X^T X / n."""
    return l2 + smallest_eigenvalue(X, sample_weight)


def certify(X, y, alphas, coefs, gaps, *, l1_ratio, tol, positive=False,
            sample_weight=None, dtype=None):
    """Assert the path meets its certificate at every alpha; return recomputed gaps.

    ``X`` is the dense matrix the problem is defined on (centered already when
    the path used X_offset).
    """
    dtype = coefs.dtype if dtype is None else dtype
    multi = np.ndim(y) == 2
    scale = ref.gap_scale(y, sample_weight)
    slack = rounding_slack(dtype, scale)
    Xw, _ = ref.weighted(X, y, sample_weight)
    h_max = float(np.max(np.sum(Xw**2, axis=0))) / Xw.shape[0]
    alphas = np.asarray(alphas)
    assert gaps.shape == alphas.shape
    assert coefs.shape[-1] == alphas.shape[0]
    out = np.empty(alphas.shape[0])
    for k, alpha in enumerate(alphas):
        w = coefs[..., k]
        if multi:
            gap = ref.mt_duality_gap(X, y, w, alpha, l1_ratio, sample_weight)
        else:
            gap = ref.duality_gap(X, y, w, alpha, l1_ratio, positive, sample_weight)
        assert gap <= tol * scale + slack, (k, alpha, gap, tol * scale)
        assert abs(gaps[k] - gap) <= slack + 1e-6 * gap, (k, gaps[k], gap)
        # the KKT residual the certificate implies: one proximal-gradient step
        # per coordinate (reference._prox_gradient_step)
        L = h_max + alpha * (1.0 - l1_ratio)
        kkt = ref.prox_gradient_violation(X, y, w, alpha, l1_ratio, L, positive, sample_weight,
                                          multi_task=multi)
        assert kkt <= np.sqrt(2.0 * L * (tol * scale + slack)), (k, kkt)
        if positive:
            assert np.all(w >= 0)
        out[k] = gap
    return out


def objectives(X, y, alphas, coefs, l1_ratio, sample_weight=None):
    """Primal objective at every alpha of a path (multi-task when ``y`` is 2-D)."""
    f = ref.mt_enet_objective if np.ndim(y) == 2 else ref.enet_objective
    return np.array([f(X, y, coefs[..., k], a, l1_ratio, sample_weight)
                     for k, a in enumerate(alphas)])


def assert_same_path(X, y, alphas, coefs_a, gaps_a, coefs_b, gaps_b, *, l1_ratio,
                     sample_weight=None, dtype=np.float64, rtol=None):
    """Both paths optimal within their (recomputed) gaps: compare objectives and coefs."""
    scale = ref.gap_scale(y, sample_weight)
    slack = rounding_slack(dtype, scale)
    Pa = objectives(X, y, alphas, coefs_a, l1_ratio, sample_weight)
    Pb = objectives(X, y, alphas, coefs_b, l1_ratio, sample_weight)
    # P_a - P* <= gap_a and P* <= P_b  =>  P_a - P_b <= gap_a (and symmetrically)
    assert np.all(Pa - Pb <= gaps_a + slack), np.max(Pa - Pb - gaps_a)
    assert np.all(Pb - Pa <= gaps_b + slack), np.max(Pb - Pa - gaps_b)
    if rtol is None:
        rtol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-8
    np.testing.assert_allclose(Pa, Pb, rtol=rtol, atol=slack)
    # coefficients, where the objective is strongly convex
    low = smallest_eigenvalue(X, sample_weight)
    for k, alpha in enumerate(alphas):
        mu = low + alpha * (1.0 - l1_ratio)
        if mu < 1e-3:
            continue
        bound = np.sqrt(2 * (gaps_a[k] + slack) / mu) + np.sqrt(2 * (gaps_b[k] + slack) / mu)
        diff = np.linalg.norm(np.asarray(coefs_a[..., k], np.float64)
                              - np.asarray(coefs_b[..., k], np.float64))
        assert diff <= bound + 1e-12, (k, diff, bound)


def assert_near_optimum(X, y, w, w_star, gap, l2, sample_weight=None):
    """``||w - w*|| <= sqrt(2 gap / mu)`` for a mu-strongly convex objective."""
    mu = strong_convexity(X, l2, sample_weight)
    assert mu > 0
    slack = rounding_slack(np.float64, ref.gap_scale(y, sample_weight))
    diff = np.linalg.norm(np.asarray(w, np.float64) - np.asarray(w_star, np.float64))
    assert diff <= np.sqrt(2 * (gap + slack) / mu) + 1e-12, (diff, gap, mu)


def compare_with_sklearn(X, y, *, l1_ratio=1.0, tol=TOL64, Xref=None, sample_weight=None,
                         positive=False, check_grid=True, max_iter=20000, **kwargs):
    """Run both libraries' ``enet_path`` with the same arguments and check everything.

    Both paths are certified with gaps recomputed here and compared through
    their objectives; returns ``(fastreg_result, sklearn_result)``.
    """
    from sklearn.linear_model import enet_path as sk_enet_path

    fr = fast(fastreg.enet_path, X, y, l1_ratio=l1_ratio, tol=tol, max_iter=max_iter,
              positive=positive, sample_weight=sample_weight, **kwargs)
    sk_kwargs = dict(kwargs)
    if sample_weight is not None:
        sk_kwargs["sample_weight"] = sample_weight
    sk = skl(sk_enet_path, X, y, l1_ratio=l1_ratio, tol=tol, max_iter=max_iter,
             positive=positive, **sk_kwargs)
    alphas, coefs, gaps = fr[:3]
    dtype = X.dtype
    assert coefs.dtype == dtype
    assert alphas.dtype == np.float64
    if check_grid:
        np.testing.assert_allclose(alphas, sk[0], rtol=1e-5 if dtype == np.float32 else 1e-12)
    Xd = ref.as_dense(X) if Xref is None else Xref
    g_fast = certify(Xd, y, alphas, coefs, gaps, l1_ratio=l1_ratio, tol=tol,
                     positive=positive, sample_weight=sample_weight)
    g_sk = np.array([reference_gap(Xd, y, sk[1][..., k], a, l1_ratio, positive=positive,
                                   sample_weight=sample_weight)
                     for k, a in enumerate(alphas)])
    assert_same_path(Xd, y, alphas, coefs, g_fast, sk[1], g_sk, l1_ratio=l1_ratio,
                     sample_weight=sample_weight, dtype=dtype)
    return fr, sk
