"""
Out-of-core statistics: a memmap and a Dask cluster
===================================================

When there are many more rows than features, everything a Gram-based lasso,
elastic-net or ridge solver needs is a few moments of the data: ``X^T X``,
``X^T y``, ``y^T y``, the means and the weights. :class:`fastreg.GramStats`
accumulates them in one pass over row blocks, so ``X`` never has to fit in
memory: it can be a ``numpy.memmap`` on disk, an iterator of chunks, or a Dask
array spread over a cluster. Every ``*_from_stats`` function then solves on
the p x p statistics alone.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg import GramStats
from fastreg.plot import plot_path

rng = np.random.default_rng(0)
n_samples, n_features = 200_000, 20
w_true = np.zeros(n_features)
w_true[:5] = [3.0, -2.0, 1.5, 1.0, -0.5]

# %%
# Write X to disk in chunks, then read it back as a memmap
# --------------------------------------------------------
tmp = tempfile.TemporaryDirectory()
path = Path(tmp.name) / "X.dat"
X_disk = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64,
                                   shape=(n_samples, n_features))
y = np.empty(n_samples)
for start in range(0, n_samples, 50_000):
    block = rng.standard_normal((50_000, n_features))
    X_disk[start:start + 50_000] = block
    y[start:start + 50_000] = block @ w_true + 1.0 + rng.standard_normal(50_000)
X_disk.flush()
del X_disk

X = np.load(path, mmap_mode="r")          # read-only memmap: 32 MB on disk
stats = GramStats.from_arrays(X, y)       # one pass in row blocks
print(stats.n_features, "features,", stats.n_samples, "rows")

# %%
# The lasso path from the statistics is the lasso path of the data
# ----------------------------------------------------------------
alphas, coefs, gaps, b = fastreg.lasso_path_from_stats(
    stats, alphas=50, fit_intercept=True, return_intercept=True)
alphas_mem, coefs_mem, _, _ = fastreg.lasso_path(
    X, y, alphas=alphas, fit_intercept=True, return_intercept=True)
print("largest difference to lasso_path on the memmap:", np.abs(coefs - coefs_mem).max())

# %%
# The same statistics from a Dask cluster
# ---------------------------------------
# Each worker turns its row chunks into p x p statistics; only those travel.
# A small in-process cluster keeps this example fast; on a real cluster,
# connect a ``Client`` to it instead and the code is the same.
import dask  # noqa: E402
import dask.array as da  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402


def read_rows(start, stop):
    """Rows [start, stop) of X, read inside the worker that computes them."""
    return np.load(path, mmap_mode="r")[start:stop]


chunk = 25_000
dX = da.concatenate([
    da.from_delayed(dask.delayed(read_rows)(s, s + chunk), shape=(chunk, n_features),
                    dtype=np.float64)
    for s in range(0, n_samples, chunk)])
dy = da.from_array(y, chunks=chunk)

with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                  dashboard_address=None) as cluster, Client(cluster):
    stats_dask = GramStats.from_dask(dX, dy)

print("X^T X from Dask against from_arrays, largest relative difference:",
      np.abs(stats_dask.gram() - stats.gram()).max() / np.abs(stats.gram()).max())

# %%
# Cross-validation from per-fold statistics
# -----------------------------------------
folds = np.arange(n_samples) % 5
fold_stats = GramStats.from_folds(X, y, folds)
res = fastreg.lasso_cv_from_stats(fold_stats)
print(f"5-fold CV: alpha = {res.alpha:.3g}, coefficients = {np.round(res.coef, 2)}")
tmp.cleanup()

fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
plot_path(alphas, coefs, ax=ax, feature_names=[f"x{j}" for j in range(n_features)])
ax.axvline(res.alpha, color="k", linestyle="--", linewidth=1)
ax.set_title("lasso path from out-of-core statistics (dashed: CV alpha)")
plt.show()
