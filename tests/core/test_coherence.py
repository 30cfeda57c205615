"""Tests for polyterm.core.coherence."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.coherence import (
    _frequency_matched_samples,
    coherence,
    coherence_many,
    mean_pairwise_cosine,
    rank_bins,
)

F64 = npt.NDArray[np.float64]


def _slow_mean_cosine(x: F64, rows: list[int]) -> float:
    total, count = 0.0, 0
    for i, j in itertools.combinations(rows, 2):
        ni, nj = math.sqrt(float(x[i] @ x[i])), math.sqrt(float(x[j] @ x[j]))
        total += float(x[i] @ x[j]) / (ni * nj) if ni > 0 and nj > 0 else 0.0
        count += 1
    return total / count


def _slow_bins(n: int, n_bins: int) -> list[int]:
    ratio = (n + 1) ** (1 / n_bins)
    edges = sorted({math.floor(ratio**j + 1e-9) for j in range(n_bins)} | {n + 1})
    out = []
    for rank in range(1, n + 1):
        out.append(max(j for j, e in enumerate(edges) if e <= rank))
    return out


@pytest.mark.parametrize(("n", "n_bins"), [(1000, 10), (50, 4), (7, 10), (1, 3), (10000, 10)])
def test_rank_bins_match_slow_edges(n: int, n_bins: int) -> None:
    bins = rank_bins(n, n_bins)
    assert bins.tolist() == _slow_bins(n, n_bins)
    assert bins[0] == 0
    assert np.all(np.diff(bins) >= 0)
    assert np.all(np.diff(bins) <= 1)


def test_rank_bins_known_edges() -> None:
    # geomspace(1, 1001, 4) = 1, 10.0033, 100.07, 1001 -> ranks [1, 10), [10, 100), [100, 1000]
    bins = rank_bins(1000, 3)
    assert np.bincount(bins).tolist() == [9, 90, 901]


def test_mean_pairwise_cosine_matches_combinations() -> None:
    rng = np.random.default_rng(40)
    x = rng.standard_normal((30, 5))
    x[4] = 0.0
    unit = x / np.where(
        np.linalg.norm(x, axis=1, keepdims=True) == 0, 1, np.linalg.norm(x, axis=1, keepdims=True)
    )
    for rows in ([0, 1], [3, 4, 5, 9], list(range(12))):
        assert mean_pairwise_cosine(unit[rows]) == pytest.approx(_slow_mean_cosine(x, rows))
        assert coherence(rows, x, repetitions=3).observed == pytest.approx(
            _slow_mean_cosine(x, rows)
        )


def test_known_answers_identical_and_orthogonal_words() -> None:
    x = np.vstack([np.eye(6), np.tile([1.0, 1.0, 0, 0, 0, 0], (4, 1)) * [[1], [2], [3], [4]]])
    assert coherence([6, 7, 8, 9], x, repetitions=2).observed == pytest.approx(1.0)
    assert coherence([0, 1, 2, 3], x, repetitions=2).observed == pytest.approx(0.0)


def test_null_samples_respect_bins_and_match_slow_coherence() -> None:
    rng = np.random.default_rng(41)
    x = rng.standard_normal((500, 8))
    top = np.array([0, 3, 40, 41, 300, 499], dtype=np.int64)
    res = coherence(top, x, n_bins=6, repetitions=25, seed=5)
    bins = rank_bins(500, 6)
    samples = _frequency_matched_samples(top, bins, 25, np.random.default_rng(5))
    for rep in range(25):
        row = samples[rep].tolist()
        assert len(set(row)) == len(row)
        assert [bins[w] for w in row] == [bins[w] for w in top]
        assert res.null_values[rep] == pytest.approx(_slow_mean_cosine(x, row))
    assert res.null_mean == pytest.approx(float(np.mean(res.null_values)))
    assert res.null_sd == pytest.approx(float(np.std(res.null_values, ddof=1)))
    assert res.z == pytest.approx((res.observed - res.null_mean) / res.null_sd)
    assert res.n_bins == int(bins.max()) + 1
    assert res.k == 6


def test_planted_cluster_is_coherent_and_random_set_is_not() -> None:
    rng = np.random.default_rng(42)
    x = rng.standard_normal((2000, 50))
    direction = rng.standard_normal(50)
    cluster = np.array([5, 60, 61, 400, 900, 901, 1500, 1700, 1800, 1999])
    x[cluster] = direction + 0.7 * rng.standard_normal((10, 50))
    planted = coherence(cluster, x, repetitions=50, seed=1)
    assert planted.observed > 0.5
    assert abs(planted.null_mean) < 0.02
    assert planted.z is not None
    assert planted.z > 20
    random_set = coherence(rng.choice(2000, 10, replace=False), x, repetitions=50, seed=1)
    assert random_set.z is not None
    assert abs(random_set.z) < 3


def test_determinism_batch_and_serialisation() -> None:
    rng = np.random.default_rng(43)
    x = rng.standard_normal((300, 10)).astype(np.float32)
    tops = np.argsort(-x, axis=0, kind="stable")[:8].T  # top-8 rows of every dimension
    many = coherence_many(tops, x, repetitions=10, seed=3)
    assert len(many) == 10
    for dim in range(10):
        one = coherence(tops[dim], x, repetitions=10, seed=3)
        np.testing.assert_array_equal(one.null_values, many[dim].null_values)
        assert one.observed == many[dim].observed
    other = coherence(tops[0], x, repetitions=10, seed=4)
    assert not np.array_equal(other.null_values, many[0].null_values)
    d = json.loads(json.dumps(many[0].to_dict(), allow_nan=False))
    assert d["repetitions"] == 10
    assert len(d["null_values"]) == 10


def test_errors() -> None:
    x = np.random.default_rng(44).standard_normal((20, 3))
    with pytest.raises(ValueError):
        coherence([1], x)
    with pytest.raises(ValueError):
        coherence([1, 1, 2], x)
    with pytest.raises(ValueError):
        coherence([1, 20], x)
    with pytest.raises(ValueError):
        coherence([1, 2], x, repetitions=1)
    with pytest.raises(ValueError):
        rank_bins(0, 3)
