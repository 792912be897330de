"""
Speeding up existing scikit-learn code
======================================

Code that already uses :class:`sklearn.linear_model.LassoCV`,
:class:`~sklearn.linear_model.ElasticNet`, :class:`~sklearn.linear_model.RidgeCV`
and friends can run on fastreg without edits: :func:`fastreg.patch_sklearn`
replaces the methods of scikit-learn's own classes, so the estimators stay
scikit-learn's (they clone, pickle and work in pipelines) while their ``fit``
runs on fastreg's solvers. :func:`fastreg.unpatch_sklearn` puts everything back,
and :func:`fastreg.sklearn_patched` does both around a block.

See :ref:`patching` for what is patched and what falls back to scikit-learn.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LassoCV, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import fastreg

rng = np.random.default_rng(0)
n_samples, n_features = 1000, 80
X = rng.standard_normal((n_samples, n_features))
w_true = np.zeros(n_features)
w_true[:15] = rng.normal(scale=2.0, size=15)
y = X @ w_true + rng.normal(size=n_samples)


# %%
# The "existing code": plain scikit-learn, nothing fastreg-specific
# -----------------------------------------------------------------
def existing_code(X, y):
    lasso = make_pipeline(StandardScaler(), LassoCV(cv=10)).fit(X, y)
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 50)).fit(X, y)
    return lasso[-1].alpha_, lasso[-1].coef_, ridge.alpha_


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


t_sk, (alpha_sk, coef_sk, ridge_alpha_sk) = timed(lambda: existing_code(X, y))

# %%
# The same code, patched
# ----------------------
# The first patched call compiles fastreg's kernels (cached on disk for later
# processes), so it is run once before timing.
with fastreg.sklearn_patched():
    existing_code(X[:200], y[:200])
    fastreg.patched_calls(reset=True)
    t_fr, (alpha_fr, coef_fr, ridge_alpha_fr) = timed(lambda: existing_code(X, y))
    calls = fastreg.patched_calls()

print(f"scikit-learn: {t_sk:.2f} s   patched: {t_fr:.2f} s   speedup {t_sk / t_fr:.1f}x")
print(f"LassoCV alpha_: {alpha_sk:.5g} (scikit-learn) vs {alpha_fr:.5g} (patched)")
print(f"RidgeCV alpha_: {ridge_alpha_sk:.5g} (scikit-learn) vs {ridge_alpha_fr:.5g} (patched)")
print("largest coefficient difference:", f"{np.abs(coef_sk - coef_fr).max():.2e}")
print("calls routed through fastreg:", calls)
print("patched after the block?", fastreg.sklearn_is_patched())

# %%
# Both fits stop each alpha when the duality gap is below the same bound, so
# their cross-validation curves agree to within what that bound allows; where
# two neighbouring alphas of the grid have nearly equal error, the choice may
# fall on either. The timings vary with the machine.
fig, (ax_t, ax_c) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
ax_t.bar(["scikit-learn", "patched"], [t_sk, t_fr], color=["C1", "C0"])
ax_t.set(ylabel="seconds", title="LassoCV(cv=10) in a pipeline + RidgeCV")
ax_c.scatter(coef_sk, coef_fr, s=12)
lim = np.abs(coef_sk).max() * 1.1
ax_c.plot([-lim, lim], [-lim, lim], "k:", linewidth=1)
ax_c.set(xlabel="coefficient, scikit-learn", ylabel="coefficient, patched",
         title="LassoCV coefficients")
plt.show()
