"""Tests for polyterm.core.matching (Li et al. 2016 dimension matching)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.matching import dimension_correlation, match_dimensions

F64 = npt.NDArray[np.float64]


def _slow_pearson(x: list[float], y: list[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((xi - mx) * (yi - my) for xi, yi in zip(x, y, strict=True))
    sxx = sum((xi - mx) ** 2 for xi in x)
    syy = sum((yi - my) ** 2 for yi in y)
    if max(x) == min(x) or max(y) == min(y):
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def _slow_argmax(values: list[float]) -> int:
    """First index of the maximum."""
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


def _slow_top(values: list[float], k: int) -> set[int]:
    return set(sorted(range(len(values)), key=lambda i: (-values[i], i))[:k])


def _slow_jaccard(a: F64, b: F64, i: int, j: int, r: float, k: int) -> float:
    sign = -1.0 if r < 0 else 1.0
    ta = _slow_top([float(v) for v in a[:, i]], k)
    tb = _slow_top([sign * float(v) for v in b[:, j]], k)
    return len(ta & tb) / len(ta | tb)


def test_permuted_sign_flipped_copy_is_recovered() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((500, 6))
    perm = np.array([3, 0, 5, 1, 4, 2])
    signs = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
    b = a[:, perm] * signs  # column j of b = signs[j] * column perm[j] of a
    m = match_dimensions(a, b, k=10)
    pairs = dict(zip(m.matched_a.tolist(), m.matched_b.tolist(), strict=True))
    expected = {int(perm[j]): j for j in range(6)}
    assert pairs == expected
    np.testing.assert_allclose(m.matched_abs_curve, np.ones(6), atol=1e-12)
    for j, r in zip(m.matched_b, m.matched_r, strict=True):
        assert r == pytest.approx(signs[j], abs=1e-12)
    assert m.mean_matched_abs_r == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(m.topk_jaccard, np.ones(6))  # flipped ends agree
    assert m.semi_a_to_b.tolist() == [expected[i] for i in range(6)]
    assert m.semi_b_to_a.tolist() == perm.tolist()
    np.testing.assert_allclose(np.abs(m.semi_a_to_b_r), 1.0, atol=1e-12)
    assert m.dims == (6, 6)
    assert m.n_words == 500


def test_dimension_correlation_matches_slow_loop_with_constant_column() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((12, 3))
    b = rng.standard_normal((12, 4))
    a[:, 1] = 0.1  # constant: mean has rounding error, r must still be 0
    b[:, 2] = b[:, 0] * 3.0 + 1.0
    r = dimension_correlation(a.astype(np.float32), b)
    assert r.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            slow = _slow_pearson(
                [float(v) for v in a.astype(np.float32)[:, i]], [float(v) for v in b[:, j]]
            )
            assert r[i, j] == pytest.approx(slow, abs=1e-12)
    np.testing.assert_array_equal(r[1], np.zeros(4))
    np.testing.assert_allclose(r[:, 0], r[:, 2], atol=1e-12)


@pytest.mark.parametrize("shape_b", [4, 3, 5])
def test_assignment_matches_brute_force(shape_b: int) -> None:
    rng = np.random.default_rng(2)
    for _ in range(10):
        a = rng.standard_normal((30, 4))
        b = a[:, rng.permutation(4)][:, : min(shape_b, 4)]
        b = np.hstack([b, rng.standard_normal((30, max(0, shape_b - 4)))])
        b = b @ (np.eye(shape_b) + 0.8 * rng.standard_normal((shape_b, shape_b)))
        r = dimension_correlation(a, b)
        best_total, best_pairs = -1.0, None
        small, large = min(4, shape_b), max(4, shape_b)
        for chosen in itertools.permutations(range(large), small):
            if shape_b <= 4:  # each b column gets a distinct a column
                pairs = tuple(sorted((chosen[j], j) for j in range(small)))
            else:
                pairs = tuple(sorted((i, chosen[i]) for i in range(small)))
            total = sum(abs(r[i, j]) for i, j in pairs)
            if total > best_total:
                best_total, best_pairs = total, pairs
        m = match_dimensions(a, b, k=3)
        got = tuple(sorted(zip(m.matched_a.tolist(), m.matched_b.tolist(), strict=True)))
        assert got == best_pairs
        assert float(m.matched_abs_curve.sum()) == pytest.approx(best_total, abs=1e-12)
        assert len(m.matched_a) == small
        assert np.all(np.diff(m.matched_abs_curve) <= 0)
        np.testing.assert_allclose(m.matched_r, r[m.matched_a, m.matched_b])
        # semi-matching: brute-force argmax of |r| per row / column
        for i in range(4):
            best_j = _slow_argmax([abs(float(v)) for v in r[i, :]])
            assert m.semi_a_to_b[i] == best_j
            assert m.semi_a_to_b_r[i] == r[i, best_j]
        for j in range(shape_b):
            assert m.semi_b_to_a[j] == _slow_argmax([abs(float(v)) for v in r[:, j]])
        assert m.mean_semi_abs_r_a == pytest.approx(np.abs(m.semi_a_to_b_r).mean())
        # top-k Jaccard with the flipped partner
        for p in range(small):
            i, j, rv = int(m.matched_a[p]), int(m.matched_b[p]), float(m.matched_r[p])
            assert m.topk_jaccard[p] == pytest.approx(_slow_jaccard(a, b, i, j, rv, 3))


def test_topk_jaccard_hand_example_with_flip() -> None:
    # a's dim 0 is high on rows 0, 1; b's dim 0 is a negated noisy copy, high on rows 4, 5
    a = np.array([[5.0], [4.0], [3.0], [2.0], [1.0], [0.0]])
    b = np.array([[-5.0], [-3.0], [-4.0], [-1.0], [0.5], [0.0]])
    m = match_dimensions(a, b, k=2, words=["w0", "w1", "w2", "w3", "w4", "w5"])
    assert m.matched_r[0] < 0
    # flipped b: top-2 of -b is rows 0, 2 -> {0, 2} vs a's {0, 1}: 1 / 3
    assert m.topk_jaccard[0] == pytest.approx(1 / 3)
    assert m.top_words_a == (("w0", "w1"),)
    assert m.top_words_b == (("w0", "w2"),)


def test_rectangular_and_serialisation() -> None:
    rng = np.random.default_rng(3)
    a = rng.standard_normal((100, 5))
    b = rng.standard_normal((100, 3))
    m = match_dimensions(a, b, k=5)
    assert m.correlation.shape == (5, 3)
    assert len(m.matched_a) == 3
    assert len(set(m.matched_a.tolist())) == 3
    assert len(m.semi_a_to_b) == 5
    assert len(m.semi_b_to_a) == 3
    assert m.top_words_a is None
    with pytest.raises(ValueError):
        m.matched_r[0] = 2.0


def test_errors() -> None:
    a = np.zeros((5, 2))
    with pytest.raises(ValueError):
        dimension_correlation(a, np.zeros((4, 2)))
    with pytest.raises(ValueError):
        match_dimensions(a, a, k=6)
    with pytest.raises(ValueError):
        match_dimensions(a, a, words=["x"])
    with pytest.raises(ValueError):
        dimension_correlation(np.zeros(5), a)
    with pytest.raises(ValueError):
        dimension_correlation(np.full((5, 2), np.nan), a)
