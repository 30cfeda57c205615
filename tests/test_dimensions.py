"""Dimension extremes, statistics and the repeat statistic against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from polyterm.core.dimensions import Scale, dimension_extremes, dimension_stats, extreme_rows
from polyterm.core.embedding import Embedding
from polyterm.core.repeats import repeat_statistic, repeats_from_lists
from polyterm.errors import PolytermError


def brute_ends(col: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    idx = list(range(len(col)))
    top = sorted(idx, key=lambda i: (-col[i], i))[:k]
    bottom = sorted(idx, key=lambda i: (col[i], i))[:k]
    return top, bottom


@pytest.mark.parametrize("scale", [Scale.RAW, Scale.COSINE])
@pytest.mark.parametrize("dim", [0, 7, 19])
def test_extremes_match_sorting(lee_model: Embedding, dim: int, scale: Scale) -> None:
    ext = dimension_extremes(lee_model, dim, 12, scale=scale)
    v = np.asarray(lee_model.vectors, dtype=np.float64)
    col = v[:, dim] if scale is Scale.RAW else v[:, dim] / np.linalg.norm(v, axis=1)
    top, bottom = brute_ends(col, 12)
    assert [e.row for e in ext.top] == top
    assert [e.row for e in ext.bottom] == bottom
    np.testing.assert_allclose([e.value for e in ext.top], col[top], rtol=1e-5)


def test_restrict_only_looks_at_frequent_words(glove_slice: Embedding) -> None:
    ext = dimension_extremes(glove_slice, 3, 10, restrict=1000)
    assert all(e.row < 1000 for e in ext.top + ext.bottom)
    col = np.asarray(glove_slice.vectors[:1000, 3])
    assert [e.row for e in ext.top] == brute_ends(col, 10)[0]


def test_stats_match_scipy(lee_model: Embedding) -> None:
    s = dimension_stats(lee_model, 4)
    col = np.asarray(lee_model.vectors[:, 4], dtype=np.float64)
    assert s.mean == pytest.approx(col.mean())
    assert s.std == pytest.approx(col.std())
    assert s.skewness == pytest.approx(stats.skew(col))
    assert s.kurtosis == pytest.approx(stats.kurtosis(col))
    assert s.frequency_spearman == pytest.approx(stats.spearmanr(col, np.arange(len(col)))[0])
    total = float((np.asarray(lee_model.vectors, dtype=np.float64) ** 2).sum())
    assert s.norm_share == pytest.approx((col**2).sum() / total, rel=1e-5)
    assert sum(s.histogram) == len(col)
    shares = [dimension_stats(lee_model, d).norm_share for d in range(lee_model.dims)]
    assert sum(shares) == pytest.approx(1.0, rel=1e-5)


def test_dimension_out_of_range_is_a_clear_error(lee_model: Embedding) -> None:
    with pytest.raises(PolytermError, match="use 0 to 19"):
        dimension_extremes(lee_model, 20)
    with pytest.raises(PolytermError, match="out of range"):
        dimension_stats(lee_model, -1)


def test_repeats_from_lists_counts_distinct_and_recurring() -> None:
    stat = repeats_from_lists([["a", "b", "c"], ["c", "d", "e"], ["c", "a", "f"]], "top", 3)
    assert stat.slots == 9
    assert stat.distinct == 6
    assert [(r.word, r.dims) for r in stat.repeated] == [("c", (0, 1, 2)), ("a", (0, 2))]


def test_repeat_statistic_matches_brute_force(lee_model: Embedding) -> None:
    top, bottom = repeat_statistic(lee_model, 10)
    lists = []
    v = np.asarray(lee_model.vectors)
    for d in range(lee_model.dims):
        lists.append({lee_model.vocab[i] for i in brute_ends(v[:, d], 10)[0]})
    words = set().union(*lists)
    assert top.distinct == len(words)
    recurring = {w for w in words if sum(w in s for s in lists) >= 2}
    assert {r.word for r in top.repeated} == recurring
    assert bottom.slots == 10 * lee_model.dims


def test_kept_extremes_serve_later_views_exactly(lee_model: Embedding) -> None:
    fresh = Embedding.from_arrays("copy", list(lee_model.vocab), np.asarray(lee_model.vectors))
    first = dimension_extremes(fresh, 2, 5)
    assert ("extremes", 2, Scale.RAW, None) in fresh.memo
    deeper = dimension_extremes(fresh, 2, 150)  # beyond the kept depth: selected again
    assert deeper.top[:5] == first.top
    col = np.asarray(fresh.vectors[:, 2])
    assert [e.row for e in deeper.top] == brute_ends(col, 150)[0]
    assert dimension_stats(fresh, 2) is dimension_stats(fresh, 2)


def per_column_ends(matrix: np.ndarray, depth: int = 100) -> np.ndarray:
    depth = min(depth, matrix.shape[0])
    out = np.empty((2, matrix.shape[1], depth), dtype=np.int64)
    for j in range(matrix.shape[1]):
        top, bottom = brute_ends(matrix[:, j].tolist(), depth)
        out[0, j], out[1, j] = top, bottom
    return out


@pytest.mark.parametrize("kind", ["normal", "ties", "sample-misleads", "small"])
def test_extreme_rows_equal_sorting_every_column(kind: str) -> None:
    """Both paths (per column for small matrices, sampled thresholds for large ones, and
    its exact redo when the sample misleads) give each column's sorted ends."""
    rng = np.random.default_rng(1)
    if kind == "small":
        m = rng.normal(size=(90, 5)).astype(np.float32)
    elif kind == "ties":
        m = rng.integers(-3, 4, size=(60_000, 70)).astype(np.float32)
    else:
        m = rng.normal(size=(60_000, 70)).astype(np.float32)
    if kind == "sample-misleads":
        m[0 : 16 * 30 : 16, 5] = 10.0  # the sample's 25th highest is 10, yet only 30 rows are
        m[1 : 16 * 30 : 16, 6] = -10.0
    got = extreme_rows(m)
    columns = range(m.shape[1]) if kind == "small" else (0, 5, 6, 33, 69)
    want = per_column_ends(m[:, list(columns)])
    assert np.array_equal(got[:, list(columns)], want)
    assert got.shape == (2, m.shape[1], min(100, m.shape[0]))
