import numpy as np
import pytest

from fastreg.stats.gramstats import GramStats
from fastreg.stats.moments import add_outer, merge, merge_all


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_add_outer_updates_in_place_in_any_layout(layout):
    rng = np.random.default_rng(0)
    base = rng.standard_normal((7, 12))
    A = {"C": base[:, :5].copy(), "F": np.asfortranarray(base[:, :5]),
         "strided": base[:, ::2][:, :5]}[layout]
    u, v = rng.standard_normal(7), rng.standard_normal(5)
    expected = A + -2.5 * np.outer(u, v)
    out = add_outer(A, -2.5, u, v)
    assert out is A
    np.testing.assert_allclose(A, expected, rtol=1e-15, atol=1e-15)


def test_merge_all_of_parts_far_from_the_origin_keeps_its_digits():
    # means of 1e6 against a spread of 1: raw sums would cancel 12 digits (errors
    # near 1e-2); centered parts lose only the means' rounding (about 1e-8)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((600, 4)) + 1e6
    y = rng.standard_normal(600) - 1e6
    parts = [GramStats.from_arrays(X[i:i + 100], y[i:i + 100]) for i in range(0, 600, 100)]
    whole = GramStats.from_arrays(X, y)
    pairwise = parts[0]
    for part in parts[1:]:
        pairwise = merge(pairwise, part)
    for merged in (merge_all(parts), pairwise):
        for field in ("xx", "xy", "yy"):
            np.testing.assert_allclose(getattr(merged, field), getattr(whole, field),
                                       rtol=0, atol=1e-7)
        np.testing.assert_allclose(merged.x_mean, whole.x_mean, rtol=1e-15)
