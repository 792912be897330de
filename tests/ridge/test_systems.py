"""The ridge normal equations (fastreg.ridge.systems) against direct NumPy."""

import numpy as np
import pytest
from scipy import sparse

from fastreg import GramStats
from fastreg.ridge.systems import (
    PrimalSystem,
    centering_is_accurate,
    dual_product,
    kernel_system,
    normal_equations,
    project_out,
)
from fastreg.stats.blocks import prepare_targets
from helpers import make_ridge_data


def _reference(X, Y, sw, center):
    """Weighted, centered X~ and Y~ formed explicitly."""
    sw = np.ones(X.shape[0]) if sw is None else sw
    xm = np.average(X, axis=0, weights=sw) if center else np.zeros(X.shape[1])
    ym = np.average(Y, axis=0, weights=sw) if center else np.zeros(Y.shape[1])
    root = np.sqrt(sw)[:, None]
    return root * (X - xm), root * (Y - ym), xm, ym


def _primal(X, Y, sw, center, block_size=None):
    targets = prepare_targets(Y, sw, center=center)
    return normal_equations(X, targets, center=center, block_size=block_size)


@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_primal_system_matches_direct(center, weighted):
    X, Y, sw = make_ridge_data(60, 7, n_targets=2, seed=0)
    sw = sw if weighted else None
    system = _primal(X, Y, sw, center)
    assert system.form == "primal" and system.centered == center
    Xt, Yt, xm, ym = _reference(X, Y, sw, center)
    np.testing.assert_allclose(system.gram, Xt.T @ Xt, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(system.xty, Xt.T @ Yt, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(system.yty, (Yt**2).sum(0), rtol=1e-12)
    np.testing.assert_allclose(system.x_mean, xm, atol=1e-14)
    np.testing.assert_allclose(system.y_mean, ym, atol=1e-14)


def test_primal_system_is_a_view_of_gram_stats():
    X, Y, sw = make_ridge_data(60, 7, n_targets=2, seed=11, offset=4.0)
    stats = GramStats.from_arrays(X, Y, sample_weight=sw)
    for center in (False, True):
        view = PrimalSystem.from_stats(stats, center=center)
        direct = _primal(X, Y, sw, center)
        np.testing.assert_allclose(view.gram, stats.gram(center=center), rtol=1e-15)
        np.testing.assert_allclose(view.gram, direct.gram, rtol=1e-12)
        np.testing.assert_allclose(view.xty, direct.xty, rtol=1e-12, atol=1e-11)
        assert view.n_samples == stats.n_samples and view.weight_sum == stats.weight_sum


@pytest.mark.parametrize("block_size", [1, 7, 16, 59, 60, 1000])
def test_primal_block_size_invariance(block_size):
    X, Y, sw = make_ridge_data(60, 7, n_targets=2, seed=1, offset=3.0)
    ref = _primal(X, Y, sw, True, block_size=10**6)
    got = _primal(X, Y, sw, True, block_size=block_size)
    np.testing.assert_allclose(got.gram, ref.gram, rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(got.xty, ref.xty, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("block_size", [1, 5, 33, 1000])
@pytest.mark.parametrize("mean", [-2.0, 1e5])  # projection, then explicit centering
def test_kernel_system_block_size_invariance_and_values(block_size, mean):
    X, Y, sw = make_ridge_data(9, 40, n_targets=2, seed=2, offset=mean)
    system = kernel_system(X, prepare_targets(Y, sw, center=True), center=True,
                           block_size=block_size)
    assert system.form == "dual" and (system.x_mean is None) == (mean == -2.0)
    Xt, Yt, xm, _ = _reference(X, Y, sw, True)
    scale = np.abs(Xt @ Xt.T).max()
    np.testing.assert_allclose(system.kernel, Xt @ Xt.T, atol=1e-12 * scale)
    np.testing.assert_allclose(system.y_tilde, Yt, rtol=1e-13)
    # coefficients-side product: C orthogonal to sqrt(s), as every dual vector is
    C = np.random.default_rng(3).standard_normal((9, 2))
    root = np.sqrt(sw)
    C -= np.outer(root, root @ C) / (root @ root)
    product, x_mean = dual_product(X, C, system, block_size=block_size)
    np.testing.assert_allclose(x_mean, xm, rtol=1e-12)
    np.testing.assert_allclose(product, Xt.T @ C, atol=1e-11 * np.abs(Xt.T @ C).max())


def test_project_out_and_accuracy_rule():
    rng = np.random.default_rng(12)
    A = rng.standard_normal((6, 4))
    u = np.ones(6) / np.sqrt(6)
    P = np.eye(6) - np.outer(u, u)
    np.testing.assert_allclose(project_out(A @ A.T, u), P @ A @ A.T @ P, atol=1e-13)
    assert centering_is_accurate(10.0, 1.0)
    assert not centering_is_accurate(1e6, 1.0)


def test_float32_is_accumulated_in_float64():
    X, Y, _ = make_ridge_data(500, 5, n_targets=2, seed=3)
    X32 = (X * 1000).astype(np.float32)
    system = _primal(X32, Y, None, False)
    exact = X32.astype(np.float64).T @ X32.astype(np.float64)
    assert system.gram.dtype == np.float64
    np.testing.assert_allclose(system.gram, exact, rtol=1e-14)


def test_sparse_matches_dense():
    X, Y, sw = make_ridge_data(50, 6, n_targets=2, seed=5)
    X[np.abs(X) < 0.8] = 0.0
    for center in (False, True):
        dense = _primal(X, Y, sw, center, block_size=8)
        sp = _primal(sparse.csc_matrix(X), Y, sw, center, block_size=8)
        np.testing.assert_allclose(sp.gram, dense.gram, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(sp.xty, dense.xty, rtol=1e-12, atol=1e-12)


def test_memmap_input(tmp_path):
    X, Y, _ = make_ridge_data(200, 4, n_targets=2, seed=6)
    path = tmp_path / "X.dat"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    got = _primal(ro, Y, None, True, block_size=16)
    ref = _primal(X, Y, None, True)
    np.testing.assert_allclose(got.gram, ref.gram, rtol=1e-12)


def test_large_means_are_centered_accurately():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((400, 3)) + np.array([1e6, -3e5, 0.0])
    Y = rng.standard_normal((400, 1))
    system = _primal(X, Y, None, True, block_size=100)
    Xc = X - X.mean(0)
    np.testing.assert_allclose(system.gram, Xc.T @ Xc, rtol=1e-9)


def test_inputs_not_mutated():
    X, Y, sw = make_ridge_data(60, 7, n_targets=2, seed=10, offset=1e5)
    copies = X.copy(), Y.copy(), sw.copy()
    targets = prepare_targets(Y, sw, center=True)
    normal_equations(X, targets, center=True, block_size=9)
    kernel_system(X, targets, center=True, block_size=3)
    for a, b in zip((X, Y, sw), copies):
        np.testing.assert_array_equal(a, b)
