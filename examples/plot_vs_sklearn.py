"""
fastreg against scikit-learn on a benchmark problem
===================================================

A small version of the benchmark in :doc:`/performance/benchmarks`: the lasso
path of a dense problem with correlated features (4000 x 200, Toeplitz
correlation ``0.5^|i-j|``, a sparse true coefficient vector, noise at SNR 3),
computed by :func:`fastreg.lasso_path` and :func:`sklearn.linear_model.lasso_path`
on the same grid of 100 alphas with the same ``tol``.

Rules for a fair comparison (see :doc:`/performance/benchmarks`): the JIT is
compiled before timing, both libraries run BLAS on the same number of threads,
and the *achieved* accuracy is compared, not just the requested one. Timings on
the machine that built this page are printed below; they vary between runs.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import lasso_path as sk_lasso_path

import fastreg

rng = np.random.default_rng(42)
n_samples, n_features = 4000, 200
# rows with covariance 0.5^|i-j|: an AR(1) recursion across the columns
Z = rng.standard_normal((n_samples, n_features))
X = np.empty_like(Z)
X[:, 0] = Z[:, 0]
for j in range(1, n_features):
    X[:, j] = 0.5 * X[:, j - 1] + np.sqrt(1 - 0.25) * Z[:, j]
w_true = np.zeros(n_features)
w_true[rng.choice(n_features, 20, replace=False)] = rng.normal(size=20)
signal = X @ w_true
y = signal + rng.normal(scale=signal.std() / 3, size=n_samples)

alphas = fastreg.lasso_path(X, y, alphas=100)[0]   # scikit-learn's grid; also compiles


def best_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def gaps(coefs):
    """Duality gap of every alpha, recomputed here with one formula for both."""
    n = len(y)
    out = []
    for k, a in enumerate(alphas):
        w = coefs[:, k]
        r = y - X @ w
        primal = r @ r / (2 * n) + a * np.abs(w).sum()
        theta = r / max(n * a, np.abs(X.T @ r).max())   # feasible dual point
        dual = 0.5 * (y @ y) / n - 0.5 * n * a**2 * np.sum((theta - y / (n * a))**2)
        out.append(primal - dual)
    return np.array(out)


t_fr, (_, coefs_fr, _) = best_time(lambda: fastreg.lasso_path(X, y, alphas=alphas, tol=1e-4))
t_sk, (_, coefs_sk, _) = best_time(lambda: sk_lasso_path(X, y, alphas=alphas, tol=1e-4))
bound = 1e-4 * (y @ y) / n_samples
g_fr, g_sk = gaps(coefs_fr), gaps(coefs_sk)
print(f"fastreg:      {t_fr * 1e3:7.1f} ms, largest gap / bound {g_fr.max() / bound:.2f}")
print(f"scikit-learn: {t_sk * 1e3:7.1f} ms, largest gap / bound {g_sk.max() / bound:.2f}")
print(f"speedup: {t_sk / t_fr:.2f}x")

# %%
# Gap per alpha: both paths meet the same certificate
# ---------------------------------------------------
fig, (ax_t, ax_g) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained",
                                 gridspec_kw={"width_ratios": [1, 2]})
ax_t.bar(["fastreg", "scikit-learn"], [t_fr * 1e3, t_sk * 1e3], color=["C0", "C1"])
ax_t.set(ylabel="best of 5 (ms)", title=f"lasso path, {n_samples} x {n_features}, 100 alphas")
ax_g.loglog(alphas, g_fr / bound, label="fastreg")
ax_g.loglog(alphas, g_sk / bound, label="scikit-learn")
ax_g.axhline(1, color="k", linestyle=":", label="tol * ||y||^2 / n")
ax_g.set(xlabel="alpha", ylabel="duality gap / bound", title="achieved accuracy")
ax_g.legend()
plt.show()
