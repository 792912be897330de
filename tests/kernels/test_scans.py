"""The one-pass scans of :mod:`fastreg._kernels.scans` against NumPy's reductions."""

import numpy as np
import pytest

from fastreg._kernels import scans

SPECIAL = (np.nan, np.inf, -np.inf)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 7, 8, 9, 101])
def test_all_finite_and_max_abs_match_numpy(dtype, size):
    rng = np.random.default_rng(size)
    a = (rng.standard_normal(size) * 10.0 ** rng.integers(-30, 30, size)).astype(dtype)
    assert scans.all_finite(a) is True
    expected = float(np.max(np.abs(a))) if size else 0.0
    assert scans.max_abs(a) == expected
    for position in range(size):
        for value in SPECIAL:
            b = a.copy()
            b[position] = value
            assert scans.all_finite(b) is False
            finite = np.abs(b[np.isfinite(b)])
            if np.isnan(value):  # a NaN is skipped; an infinity is the largest magnitude
                assert scans.max_abs(b) == (float(finite.max()) if finite.size else 0.0)
            else:
                assert scans.max_abs(b) == np.inf


def test_all_finite_does_not_overflow():
    assert scans.all_finite(np.full(1000, np.finfo(np.float64).max)) is True
    assert scans.all_finite(np.full(1000, np.finfo(np.float32).max, dtype=np.float32)) is True


@pytest.mark.parametrize("strictly_positive", [False, True])
def test_grid_order_classifies_like_numpy(strictly_positive):
    rng = np.random.default_rng(0)
    grids = [np.array([3.0]), np.array([3.0, 2.0, 2.0, 1.0]), np.array([1.0, 2.0]),
             np.array([3.0, 0.0]), np.array([0.0, 0.0]), np.array([2.0, -1.0]),
             np.array([2.0, np.nan]), np.array([np.inf, 1.0]), np.array([1.0, 3.0, 0.5]),
             np.sort(rng.uniform(0.1, 10.0, 50))[::-1].copy(), rng.uniform(0.1, 10.0, 50)]
    for grid in grids:
        low_ok = (grid > 0) if strictly_positive else (grid >= 0)
        valid = bool(np.all(np.isfinite(grid) & low_ok))
        expected = -1 if not valid else int(np.any(np.diff(grid) > 0))
        assert scans.grid_order(grid, strictly_positive) == expected, grid


def test_first_above_is_the_first_flagged_index_of_the_span():
    values = np.array([5.0, 0.1, np.nan, 0.2, 3.0, 0.3, 4.0])
    for start in range(values.size):
        for stop in range(start, values.size + 1):
            for threshold in (0.15, 1.0, 10.0):
                hits = start + np.flatnonzero(values[start:stop] > threshold)
                expected = int(hits[0]) if hits.size else -1
                assert scans.first_above(values, start, stop, threshold) == expected


@pytest.mark.parametrize("dst_dtype", [np.float64, np.float32])
def test_copy_into_is_the_slice_assignment(dst_dtype):
    rng = np.random.default_rng(0)
    src = rng.standard_normal((7, 3))[:, 1]  # strided, as a column of a C-ordered array
    dst = np.zeros((7, 4), dtype=dst_dtype, order="F")
    scans.copy_into(dst[:, 2], src)
    expected = np.zeros_like(dst)
    expected[:, 2] = src
    assert np.array_equal(dst, expected)
