"""
Lasso path and 10-fold cross-validation on diabetes
===================================================

The diabetes data (442 patients, 10 baseline variables; Efron et al. 2004)
ships with fastreg. This example computes the lasso path, picks alpha by
10-fold cross-validation with :func:`fastreg.lasso_cv`, and compares the alpha
of least mean error with the *one-standard-error* alpha: the largest alpha whose
mean error is within one standard error of the least (glmnet's
``lambda.1se``), a sparser model that predicts about as well.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg.plot import plot_cv, plot_path

X, y = fastreg.load_diabetes()
names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]

# %%
# The path, with its certificate
# ------------------------------
# ``dual_gaps[k]`` bounds how far the objective at ``coefs[:, k]`` is from the
# optimum; every gap is below ``tol * ||y||^2 / n``.
alphas, coefs, dual_gaps = fastreg.lasso_path(X, y, alphas=100)
print(f"{len(alphas)} alphas from {alphas[0]:.3g} down to {alphas[-1]:.3g}")
print(f"largest duality gap: {dual_gaps.max():.2e} "
      f"(bound: {1e-4 * np.dot(y, y) / len(y):.2e})")

# %%
# 10-fold cross-validation
# ------------------------
# The folds are scikit-learn's ``KFold(10)`` (no shuffling); every fold's
# path is fit from sufficient statistics, then the model is refit on all data.
res = fastreg.lasso_cv(X, y, cv=10)
k_best, k_1se = res.best_index, res.index_1se
print(f"best alpha       {res.alpha:.4g}: mean error {res.cv_mean[k_best]:.1f}, "
      f"{np.count_nonzero(res.coefs[:, k_best])} nonzero")
print(f"one-SE alpha     {res.alpha_1se:.4g}: mean error {res.cv_mean[k_1se]:.1f}, "
      f"{np.count_nonzero(res.coefs[:, k_1se])} nonzero")
kept = [n for n, c in zip(names, res.coefs[:, k_1se]) if c != 0]
print("features kept at the one-SE alpha:", ", ".join(kept))

# %%
# Predict with the one-standard-error model
# -----------------------------------------
coef_1se, intercept_1se = res.coefs[:, k_1se], res.intercepts[k_1se]
y_hat = X @ coef_1se + intercept_1se
print("first five predictions:", np.round(y_hat[:5], 1))

# %%
# Plots
# -----
fig, (ax_path, ax_cv) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
plot_path(alphas, coefs, ax=ax_path, feature_names=names)
for a, style in [(res.alpha, "--"), (res.alpha_1se, ":")]:
    ax_path.axvline(a, color="k", linestyle=style, linewidth=1)
ax_path.set_title("lasso path (dashed: best alpha, dotted: one-SE alpha)")
plot_cv(res, ax=ax_cv)
ax_cv.set_title("10-fold cross-validation")
plt.show()
