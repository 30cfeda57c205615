"""Tests for polyterm.core.neighbourhood_universality."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.neighbourhood_universality import (
    nearest_neighbours,
    neighbourhood_universality,
)
from polyterm.core.nulls import random_rotation

F64 = npt.NDArray[np.float64]


def _slow_neighbours(x: F64, k: int) -> list[list[int]]:
    n = x.shape[0]
    out = []
    for w in range(n):
        sims = []
        for v in range(n):
            if v == w:
                continue
            nw, nv = math.sqrt(float(x[w] @ x[w])), math.sqrt(float(x[v] @ x[v]))
            cos = float(x[w] @ x[v]) / (nw * nv) if nw > 0 and nv > 0 else 0.0
            sims.append((-cos, v))
        out.append([v for _, v in sorted(sims)[:k]])
    return out


def _slow_rbo_ext(s: list[int], t: list[int], p: float) -> float:
    """Webber et al. 2010 eq. 32 for two lists of the same depth k."""
    k = len(s)
    x = [len(set(s[:d]) & set(t[:d])) for d in range(k + 1)]
    tail = sum(x[d] / d * p**d for d in range(1, k + 1))
    return (1 - p) / p * tail + x[k] / k * p**k


@pytest.mark.parametrize("block_size", [1, 7, 1000])
def test_neighbours_match_brute_force(block_size: int) -> None:
    rng = np.random.default_rng(30)
    x = rng.standard_normal((60, 5))
    got = nearest_neighbours(x.astype(np.float32), 6, block_size=block_size)
    assert got.tolist() == _slow_neighbours(x.astype(np.float32).astype(np.float64), 6)


def test_neighbours_ties_broken_by_lower_row() -> None:
    rng = np.random.default_rng(31)
    base = rng.standard_normal((5, 3))
    # rows 0..4, then copies (and scaled copies) of them, plus an all-zero row
    x = np.vstack([base, base * 2.0, base[:2] * 0.5, np.zeros((1, 3))])
    for k in (1, 2, 3, 5):
        assert nearest_neighbours(x, k, block_size=4).tolist() == _slow_neighbours(x, k)
    assert nearest_neighbours(x, 3)[12].tolist() == [0, 1, 2]  # zero row: all cosines 0


def test_rbo_hand_value_and_identical_models() -> None:
    # lists [a, b, c] vs [b, a, d], p = 0.9: X = 0, 2, 2 ->
    # (0.1/0.9)(0 + 0.81 + 0.486) + 0.729 * 2/3 = 0.144 + 0.486 = 0.630
    assert _slow_rbo_ext([1, 2, 3], [2, 1, 4], 0.9) == pytest.approx(0.630)
    rng = np.random.default_rng(32)
    a = rng.standard_normal((80, 6))
    b = 2.0 * a @ random_rotation(6, rng)  # same cosine geometry
    res = neighbourhood_universality(a, b, k=5)
    np.testing.assert_allclose(res.jaccard, 1.0)
    np.testing.assert_allclose(res.rbo, 1.0, atol=1e-12)
    assert res.rbo_summary.mean == pytest.approx(1.0)


def test_scores_match_slow_implementation() -> None:
    rng = np.random.default_rng(33)
    a = rng.standard_normal((70, 4))
    b = a + 0.6 * rng.standard_normal((70, 4))
    res = neighbourhood_universality(a, b, k=7, p=0.8, block_size=16, n_extremes=10)
    na, nb = _slow_neighbours(a, 7), _slow_neighbours(b, 7)
    for w in range(70):
        sa, sb = set(na[w]), set(nb[w])
        assert res.jaccard[w] == pytest.approx(len(sa & sb) / len(sa | sb))
        assert res.rbo[w] == pytest.approx(_slow_rbo_ext(na[w], nb[w], 0.8), abs=1e-12)
    assert res.neighbours_a.tolist() == na
    order = sorted(range(70), key=lambda w: (-res.rbo[w], -res.jaccard[w], w))
    assert res.most_universal.tolist() == order[:10]
    low = sorted(range(70), key=lambda w: (res.rbo[w], res.jaccard[w], w))
    assert res.least_universal.tolist() == low[:10]
    by_j = neighbourhood_universality(a, b, k=7, p=0.8, rank_by="jaccard", n_extremes=3)
    assert (
        by_j.most_universal.tolist()
        == sorted(range(70), key=lambda w: (-res.jaccard[w], -res.rbo[w], w))[:3]
    )
    s = res.jaccard_summary
    assert s.mean == pytest.approx(float(np.mean(res.jaccard)))
    assert (s.q1, s.median, s.q3) == pytest.approx(tuple(np.percentile(res.jaccard, [25, 50, 75])))
    assert (s.min, s.max) == (res.jaccard.min(), res.jaccard.max())
    assert 0.1 < res.jaccard_summary.mean < 0.9


def test_independent_models_are_near_chance() -> None:
    rng = np.random.default_rng(34)
    res = neighbourhood_universality(
        rng.standard_normal((1000, 20)), rng.standard_normal((1000, 20)), k=10
    )
    # chance overlap of two random 10-sets out of 999: about 10 * 10 / 999 ≈ 0.1 shared
    assert res.jaccard_summary.mean < 0.02
    assert res.rbo_summary.mean < 0.02


def test_serialisation_and_errors() -> None:
    rng = np.random.default_rng(35)
    a = rng.standard_normal((20, 3))
    res = neighbourhood_universality(a, a, k=3)
    assert res.jaccard_summary.mean == 1.0
    with pytest.raises(ValueError):
        neighbourhood_universality(a, a, k=20)
    with pytest.raises(ValueError):
        neighbourhood_universality(a, a[:5])
    with pytest.raises(ValueError):
        neighbourhood_universality(a, a, p=1.0)
    with pytest.raises(ValueError):
        res.rbo[0] = 0.0
