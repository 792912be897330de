"""Blocked passes over X (fastreg.stats.blocks) against direct NumPy."""

import numpy as np
import pytest
from scipy import sparse

from fastreg.stats.blocks import (
    WeightedRows,
    add_gram,
    blocks,
    column_means,
    default_block_size,
    needs_shift,
    prepare_targets,
    weighted_mean,
    xt_dot,
)
from helpers import make_ridge_data


def test_add_gram_accumulates_in_place():
    rng = np.random.default_rng(4)
    A, B = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    C = np.zeros((3, 3))
    add_gram(C, A)
    out = add_gram(C, np.asfortranarray(B), out=np.empty((3, 3)))
    assert out is C
    np.testing.assert_allclose(C, A.T @ A + B.T @ B, rtol=1e-14)


def test_needs_shift_rule():
    assert not needs_shift(np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    assert needs_shift(np.array([0.0, 1e4]), np.array([1.0, 1.0]))
    # constant columns are exact whatever their value
    assert not needs_shift(np.array([1e8]), np.array([0.0]))


def test_weighted_means():
    X, Y, sw = make_ridge_data(60, 7, n_targets=2, seed=1, offset=2.0)
    np.testing.assert_allclose(weighted_mean(X, sw), np.average(X, axis=0, weights=sw),
                               rtol=1e-14)
    np.testing.assert_allclose(weighted_mean(X), X.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(weighted_mean(Y[:, 0], sw, sw.sum()),
                               np.average(Y[:, 0], weights=sw), rtol=1e-13)
    assert np.array_equal(weighted_mean(X, np.zeros(60)), np.zeros(7))
    expected = np.average(X, axis=0, weights=sw)
    for Xin in (X, sparse.csr_matrix(X)):
        np.testing.assert_allclose(column_means(Xin, sw, block_size=7), expected, rtol=1e-13)
    np.testing.assert_allclose(column_means(X), X.mean(axis=0), rtol=1e-14)


def test_prepare_targets():
    _, Y, sw = make_ridge_data(60, 7, n_targets=2, seed=2)
    targets = prepare_targets(Y[:, 0], sw, center=True)
    ym = np.average(Y[:, 0], weights=sw)
    assert targets.y.shape == (60, 1)
    np.testing.assert_allclose(targets.y_mean, [ym], rtol=1e-14)
    np.testing.assert_allclose(targets.y_tilde[:, 0], np.sqrt(sw) * (Y[:, 0] - ym),
                               rtol=1e-13)
    raw = prepare_targets(Y, None, center=False)
    assert np.array_equal(raw.y_tilde, Y) and raw.y_tilde is not raw.y


@pytest.mark.parametrize("explicit", [False, True])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_weighted_rows(explicit, fmt):
    X, _, sw = make_ridge_data(30, 5, n_targets=2, seed=3, offset=5.0)
    m = np.average(X, axis=0, weights=sw)
    Xt = np.sqrt(sw)[:, None] * (X - m)
    Xin = sparse.csr_matrix(X) if fmt == "csr" else X
    rows = WeightedRows.centered(Xin, np.sqrt(sw), m, explicit=explicit)
    assert (rows.shift is not None) == (explicit and fmt == "dense")
    V = np.random.default_rng(4).standard_normal((5, 3))
    np.testing.assert_allclose(rows.times(4, 17, V), Xt[4:17] @ V, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rows.dense(4, 17), Xt[4:17], rtol=1e-12, atol=1e-12)
    plain = WeightedRows(Xin)
    np.testing.assert_allclose(plain.dense(0, 30), X, rtol=1e-15)


def test_xt_dot_matches_direct():
    X, Y, sw = make_ridge_data(8, 30, n_targets=2, seed=8)
    xm = np.average(X, axis=0, weights=sw)
    C = np.random.default_rng(9).standard_normal((8, 3))
    got = xt_dot(X, C, x_mean=xm, sqrt_sw=np.sqrt(sw), block_size=7)
    expected = (np.sqrt(sw)[:, None] * (X - xm)).T @ C
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    got_sparse = xt_dot(sparse.csr_matrix(X), C, sqrt_sw=np.sqrt(sw))
    np.testing.assert_allclose(got_sparse, (np.sqrt(sw)[:, None] * X).T @ C, rtol=1e-12)


def test_block_helpers():
    assert blocks(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert default_block_size(1024) == 4096
    assert default_block_size(10**9) == 256
