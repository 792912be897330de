"""
Ridge and lasso on a degree-15 polynomial
=========================================

A degree-15 polynomial fitted to 20 noisy samples of a sine wave overfits
wildly by least squares. Ridge (an L2 penalty) shrinks all 15 coefficients
smoothly towards zero as alpha grows; the lasso (an L1 penalty) sets most of
them exactly to zero and keeps a few. This example fits both across a grid of
alphas with :func:`fastreg.ridge_path` and :func:`fastreg.lasso_path`, draws
three of the fitted curves for each, and their coefficient paths.

The two penalties are on different scales (see :ref:`l1_l2_views`): ridge
minimizes ``||y - Xw - b||^2 + alpha ||w||^2``, the lasso
``1/(2n) ||y - Xw - b||^2 + alpha ||w||_1``.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg.plot import plot_path

rng = np.random.default_rng(0)
n_samples = 20
x = np.sort(rng.uniform(0, 1, n_samples))
y = np.sin(2 * np.pi * x) + rng.normal(scale=0.3, size=n_samples)

# Powers x, x^2, ..., x^15, standardized: raw powers of [0, 1] differ in scale
# by orders of magnitude, and a penalty treats every coefficient alike.
powers = np.vander(x, 16, increasing=True)[:, 1:]
mean, std = powers.mean(axis=0), powers.std(axis=0)
X = (powers - mean) / std
names = [f"x^{k}" for k in range(1, 16)]

x_grid = np.linspace(0, 1, 200)
X_grid = (np.vander(x_grid, 16, increasing=True)[:, 1:] - mean) / std

# %%
# Ridge: one eigendecomposition serves every alpha
# -------------------------------------------------
ridge_alphas = np.logspace(-10, 2, 60)
ridge_coefs, ridge_b = fastreg.ridge_path(X, y, ridge_alphas, fit_intercept=True,
                                          return_intercept=True)
print("ridge_path coefficients:", ridge_coefs.shape)  # (n_alphas, n_features)

# %%
# Lasso: coordinate descent along the path, certified by the duality gap
# -----------------------------------------------------------------------
# Powers of x are strongly correlated, which makes coordinate descent slow at
# small alphas; the grid stops at 10^-2.5 and allows more sweeps than the default.
lasso_alphas, lasso_coefs, gaps, lasso_b = fastreg.lasso_path(
    X, y, alphas=np.logspace(0, -2.5, 60), fit_intercept=True, return_intercept=True,
    max_iter=20000)
print("lasso_path coefficients:", lasso_coefs.shape)  # (n_features, n_alphas)
print("nonzero coefficients at the smallest alpha:", np.count_nonzero(lasso_coefs[:, -1]))

# %%
# Fitted curves and coefficient paths
# -----------------------------------
fig, axes = plt.subplots(2, 2, figsize=(11, 8), layout="constrained")
for k, color in zip([5, 30, 55], ["C0", "C1", "C2"]):
    axes[0, 0].plot(x_grid, X_grid @ ridge_coefs[k] + ridge_b[k], color=color,
                    label=f"alpha = {ridge_alphas[k]:.1e}")
    axes[0, 1].plot(x_grid, X_grid @ lasso_coefs[:, k] + lasso_b[k], color=color,
                    label=f"alpha = {lasso_alphas[k]:.1e}, "
                          f"{np.count_nonzero(lasso_coefs[:, k])} nonzero")
for ax, title in zip(axes[0], ["ridge fits", "lasso fits"]):
    ax.scatter(x, y, color="k", s=12, zorder=3, label="samples")
    ax.plot(x_grid, np.sin(2 * np.pi * x_grid), "k:", label="sin(2 pi x)")
    ax.set(title=title, xlabel="x", ylabel="y", ylim=(-2, 2))
    ax.legend(fontsize="small")

plot_path(ridge_alphas, ridge_coefs.T, ax=axes[1, 0], feature_names=names)
axes[1, 0].set_title("ridge coefficient path")
plot_path(lasso_alphas, lasso_coefs, ax=axes[1, 1], feature_names=names)
axes[1, 1].set_title("lasso coefficient path")
plt.show()
