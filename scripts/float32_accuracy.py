"""What a float32 user gets: each function on float32 data against float64 on the same data.

For every function the float32 data (X, y) are also solved in float64 (the
same numbers, converted exactly) to a tight tolerance. Reported per function:

- ``gap``: the largest duality gap of the float32 coefficients over the path,
  recomputed here in float64 from the float32 data, over ``||y||^2 / n``
  (the unit of ``tol``); lasso / elastic net only;
- ``reported``: the largest gap fastreg returned, same unit (it must not be
  below ``gap`` by more than rounding: the certificate is honest);
- ``coef err``: ``max |w32 - w64| / max |w64|`` over the path (for CV, of
  the refit coefficients; for ridge, over alphas).

Usage::

    python scripts/float32_accuracy.py [--tols 1e-4,1e-7]

The table in docs/user_guide/accuracy.rst ("float32") was written from this
script's output.
"""

import argparse
import warnings

import numpy as np
from scipy import sparse

import fastreg


def _data(n, p, seed, density=None, n_tasks=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if density is not None:
        X[rng.random((n, p)) > density] = 0.0
    shape = (p,) if n_tasks is None else (p, n_tasks)
    w = np.zeros(shape)
    w[:10] = rng.standard_normal(w[:10].shape) * 2
    noise = 0.5 * rng.standard_normal((n,) if n_tasks is None else (n, n_tasks))
    return X.astype(np.float32), (X @ w + noise).astype(np.float32)


def _gap(X, Y, W, alpha, l1_ratio):
    """Duality gap (float64) of coefficients W (n_features,) or (n_tasks, n_features)."""
    n = X.shape[0]
    Y = Y.reshape(n, -1)
    B = np.asarray(W, dtype=np.float64).reshape(-1, X.shape[1]).T  # (p, T)
    R = Y - X @ B
    G = X.T @ R / n
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    A = G - l2 * B
    dual_norm = float(np.max(np.sqrt(np.sum(A**2, axis=1))))
    s = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
    r2, ry, b2 = np.sum(R**2) / n, np.sum(R * Y) / n, np.sum(B**2)
    primal = 0.5 * (r2 + l2 * b2) + l1 * np.sum(np.sqrt(np.sum(B**2, axis=1)))
    return primal - (s * ry - 0.5 * s * s * (r2 + l2 * b2))


def _dense(X):
    return X.toarray() if sparse.issparse(X) else X


def _path_row(name, X32, y32, tol, l1_ratio=1.0, **kw):
    X64 = X32.astype(np.float64)
    y64 = y32.astype(np.float64)
    Xd = _dense(X64)
    scale = float(np.sum(y64**2)) / X32.shape[0]
    alphas = fastreg.enet_path(X64, y64, l1_ratio=l1_ratio, alphas=20, eps=1e-2)[0]
    ref = fastreg.enet_path(X64, y64, l1_ratio=l1_ratio, alphas=alphas, tol=1e-13,
                            max_iter=100000, **kw)[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, coefs, gaps = fastreg.enet_path(X32, y32, l1_ratio=l1_ratio, alphas=alphas,
                                           tol=tol, **kw)
    true = max(_gap(Xd, y64, coefs[..., k], a, l1_ratio) for k, a in enumerate(alphas))
    err = np.max(np.abs(coefs - ref)) / np.max(np.abs(ref))
    kinds = sorted({type(w.message).__name__ for w in caught})
    return (name, tol, true / scale, float(np.max(gaps)) / scale, err, ",".join(kinds))


def rows(tols):
    X, y = _data(2000, 100, 0)
    Xw, yw = _data(100, 500, 1)
    Xs, ys = _data(2000, 500, 2, density=0.05)
    Xm, Ym = _data(500, 60, 3, n_tasks=3)
    out = []
    for tol in tols:
        out.append(_path_row("lasso_path dense n>p (covariance)", X, y, tol))
        out.append(_path_row("lasso_path dense (residual)", X, y, tol, precompute=False))
        out.append(_path_row("lasso_path dense p>n", Xw, yw, tol))
        out.append(_path_row("lasso_path sparse", sparse.csc_matrix(Xs), ys, tol))
        out.append(_path_row("enet_path dense l1_ratio=0.5", X, y, tol, l1_ratio=0.5))
        out.append(_path_row("lasso_path multi-task", Xm, Ym, tol))
        # the statistics route: moments are float64 whatever X's dtype
        stats = fastreg.GramStats.from_arrays(X, y)
        X64, y64 = X.astype(np.float64), y.astype(np.float64)
        alphas = fastreg.lasso_path(X64, y64, alphas=20, eps=1e-2)[0]
        ref = fastreg.lasso_path(X64, y64, alphas=alphas, tol=1e-13, max_iter=100000)[1]
        _, c, g = fastreg.enet_path_from_stats(stats, l1_ratio=1.0, alphas=alphas, tol=tol)
        scale = float(y64 @ y64) / len(y64)
        true = max(_gap(X64, y64, c[:, k], a, 1.0) for k, a in enumerate(alphas))
        out.append(("enet_path_from_stats", tol, true / scale, float(np.max(g)) / scale,
                    np.max(np.abs(c - ref)) / np.max(np.abs(ref)), ""))
        r32 = fastreg.lasso_cv(X, y, cv=5, alphas=30, tol=tol)
        r64 = fastreg.lasso_cv(X64, y64, cv=5, alphas=30, tol=1e-12, max_iter=100000)
        out.append(("lasso_cv (refit coef; same alpha: %s)" % (r32.alpha == r64.alpha), tol,
                    np.nan, np.nan, np.max(np.abs(r32.coef - r64.coef)) / np.max(np.abs(r64.coef)),
                    ""))
    ridge_alphas = np.array([1e-3, 1e-1, 10.0, 1e3])
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    for name, fn in [("ridge_regression", lambda A, b, a: np.array([
                        fastreg.ridge_regression(A, b, alpha=x) for x in a])),
                     ("ridge_path", lambda A, b, a: fastreg.ridge_path(A, b, a))]:
        w32 = fn(X, y, ridge_alphas)
        w64 = fn(X64, y64, ridge_alphas)
        out.append((name, np.nan, np.nan, np.nan,
                    np.max(np.abs(w32 - w64)) / np.max(np.abs(w64)), ""))
    r32 = fastreg.ridge_cv(X, y, alphas=ridge_alphas)
    r64 = fastreg.ridge_cv(X64, y64, alphas=ridge_alphas)
    out.append(("ridge_cv (LOO; same alpha: %s)" % (r32.alpha == r64.alpha), np.nan, np.nan,
                np.nan, np.max(np.abs(r32.coef - r64.coef)) / np.max(np.abs(r64.coef)), ""))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tols", default="1e-4,1e-7,1e-9",
                        help="comma-separated tolerances for the path functions")
    args = parser.parse_args(argv)
    tols = [float(t) for t in args.tols.split(",")]
    print("| function | tol | gap (float64, / ||y||^2/n) | reported | coef err | warnings |")
    print("|---|---|---|---|---|---|")
    for name, tol, gap, rep, err, kinds in rows(tols):
        def f(v):
            return "-" if v != v else f"{v:.1e}"
        print(f"| {name} | {f(tol)} | {f(gap)} | {f(rep)} | {f(err)} | {kinds or '-'} |")


if __name__ == "__main__":
    main()
