"""The moment products of many coefficient vectors over their nonzeros."""

import numpy as np
import pytest

from fastreg._kernels.moments import sparse_moment_products


@pytest.mark.parametrize("n_features", [1, 5, 37])
def test_sparse_moment_products_match_numpy(n_features):
    rng = np.random.default_rng(n_features)
    A = rng.standard_normal((60, n_features))
    xx, xy, x_mean = A.T @ A, rng.standard_normal(n_features), rng.standard_normal(n_features)
    W = rng.standard_normal((n_features, 9))
    W[rng.random(W.shape) < 0.6] = 0.0
    W[:, 0] = 0.0  # an empty model
    W[:, 1] = rng.standard_normal(n_features)  # a full one
    W = np.asfortranarray(W)
    before = W.copy()
    out = np.full((3, 9), np.nan)
    sparse_moment_products(xx, xy, x_mean, W, out)
    np.testing.assert_allclose(out[0], np.einsum("jk,jk->k", W, xx @ W), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(out[1], W.T @ xy, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[2], x_mean @ W, rtol=1e-12, atol=1e-12)
    assert out[:, 0].tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_array_equal(W, before)


def test_sparse_moment_products_use_only_the_support():
    # entries of xx outside the support never enter: inf there changes nothing
    xx = np.full((4, 4), np.inf)
    xx[np.ix_([0, 2], [0, 2])] = [[2.0, 1.0], [1.0, 3.0]]
    W = np.asfortranarray([[1.0], [0.0], [-1.0], [0.0]])
    out = np.empty((3, 1))
    sparse_moment_products(xx, np.array([1.0, np.inf, 2.0, np.inf]),
                           np.array([0.5, np.inf, 0.25, np.inf]), W, out)
    assert out[:, 0].tolist() == [2.0 - 2.0 + 3.0, -1.0, 0.25]
