"""
Ridge: leave-one-out error against the Bayesian evidence
========================================================

Two ways to choose the ridge penalty without a held-out set:

* exact **leave-one-out** error, which :func:`fastreg.ridge_cv` computes for
  every alpha from one eigendecomposition (the same criterion as
  scikit-learn's ``RidgeCV``);
* the **evidence** (marginal likelihood) of the Gaussian model
  ``y = Xw + b + noise``, ``w ~ N(0, prior_var I)``, whose posterior mean is
  the ridge solution at ``alpha = noise_var / prior_var``
  (:func:`fastreg.bayes.log_evidence`, :func:`fastreg.bayes.bayesian_ridge`).

They answer different questions (predict held-out rows well; explain the data
under the prior) and usually land close to each other.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg import bayes

rng = np.random.default_rng(1)
n_samples, n_features = 200, 50
X = rng.standard_normal((n_samples, n_features))
w_true = rng.normal(scale=0.5, size=n_features)       # a Gaussian prior, prior_var = 0.25
y = X @ w_true + 3.0 + rng.normal(scale=2.0, size=n_samples)  # noise_var = 4
print("alpha of the generating model, noise_var / prior_var =",
      bayes.ridge_alpha_from_prior(noise_var=4.0, prior_var=0.25))

alphas = np.logspace(-2, 4, 80)

# %%
# Leave-one-out and GCV, for every alpha at once
# ----------------------------------------------
loo = fastreg.ridge_cv(X, y, alphas)                      # criterion="loo" (default)
gcv = fastreg.ridge_cv(X, y, alphas, criterion="gcv")
print(f"LOO alpha: {loo.alpha:.3g}   GCV alpha: {gcv.alpha:.3g}")

# %%
# The evidence, and the fixed point of BayesianRidge
# --------------------------------------------------
ev = bayes.log_evidence(X, y, alphas)    # noise variance profiled out per alpha
fit = bayes.bayesian_ridge(X, y)         # MacKay's fixed point, as BayesianRidge
print(f"evidence-maximizing alpha on the grid: {ev.best_alpha:.3g}")
print(f"bayesian_ridge: alpha = {fit.alpha:.3g}, noise variance = {1 / fit.noise_precision:.3g}")

# %%
# Posterior predictive at the evidence alpha
# ------------------------------------------
post = bayes.posterior(X, y, fit.alpha, 1 / fit.noise_precision)
mean, std = bayes.predictive(post, X[:5])
print("predictive mean:", np.round(mean, 2))
print("predictive std: ", np.round(std, 2))

# %%
# The two criteria side by side
# -----------------------------
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
ax.semilogx(alphas, loo.cv_error, label="leave-one-out MSE")
ax.semilogx(alphas, gcv.cv_error, "--", label="GCV")
ax.axvline(loo.alpha, color="C0", linestyle=":", label=f"LOO alpha {loo.alpha:.3g}")
ax.set(xlabel="alpha", ylabel="mean squared error",
       title="ridge: leave-one-out error against the evidence")
ax2 = ax.twinx()
ax2.semilogx(alphas, ev.log_evidence, color="C3", label="log evidence")
ax2.axvline(fit.alpha, color="C3", linestyle=":",
            label=f"evidence alpha {fit.alpha:.3g}")
ax2.set_ylabel("log evidence")
lines = ax.get_legend_handles_labels()
lines2 = ax2.get_legend_handles_labels()
ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize="small", loc="lower left")
plt.show()
