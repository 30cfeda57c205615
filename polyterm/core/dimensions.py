"""Single dimensions: the words at either end of dimension i, and its statistics.

Two scales, always labelled:

- ``raw``: the word's coordinate ``vectors[w, i]``;
- ``cosine``: the cosine between the word's vector and the basis vector e_i, which is
  the coordinate of its *unit* vector, ``unit[w, i]``. It favours words that point along
  the axis over words that are merely long.

`restrict` considers only the first N rows (the N most frequent words where rows are in
frequency order); pretrained models' extremes are otherwise rare words and junk tokens.
Ties are broken by lower row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import top_k_rows
from polyterm.errors import PolytermError

ORDER_DEPTH = 100
"""How many extreme rows per dimension end are selected once and kept on the model."""

_Ends = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]


class Scale(StrEnum):
    RAW = "raw"
    COSINE = "cosine"

    @property
    def label(self) -> str:
        if self is Scale.RAW:
            return "raw coordinate"
        return "cosine with the basis vector (unit-vector coordinate)"


@dataclass(frozen=True, slots=True)
class DimensionEntry:
    word: str
    row: int
    value: float


@dataclass(frozen=True, slots=True)
class DimensionExtremes:
    dim: int
    scale: Scale
    restrict: int | None
    top: tuple[DimensionEntry, ...]
    bottom: tuple[DimensionEntry, ...]


@dataclass(frozen=True, slots=True)
class DimensionStats:
    """Moments and shape of one dimension's raw coordinates over the (restricted) vocabulary.

    skewness and kurtosis are the biased sample estimates (scipy defaults); kurtosis is
    *excess* kurtosis (0 for a Gaussian). `frequency_spearman` is Spearman's rho between
    the coordinate and the row index (frequency rank; 0 = most frequent), or None when
    the rows carry no frequency order. `norm_share` is this dimension's share of the
    total squared norm, sum_w v[w,i]^2 / sum_w |v_w|^2.
    """

    dim: int
    count: int
    mean: float
    std: float
    skewness: float
    kurtosis: float
    histogram: tuple[int, ...]
    bin_edges: tuple[float, ...]
    frequency_spearman: float | None
    norm_share: float


def check_dim(model: Embedding, dim: int) -> int:

    if not 0 <= dim < model.dims:
        raise PolytermError(
            f"dimension {dim} is out of range for {model.name}: use 0 to {model.dims - 1}"
        )
    return dim


def column(
    model: Embedding, dim: int, scale: Scale, restrict: int | None
) -> npt.NDArray[np.float32]:
    """Dimension `dim` as a contiguous array over the first `restrict` rows."""
    source = model.vectors if scale is Scale.RAW else model.unit
    rows = source if restrict is None else source[: max(0, restrict)]
    return np.ascontiguousarray(rows[:, dim])


def dimension_extremes(
    model: Embedding,
    dim: int,
    k: int = 10,
    *,
    scale: Scale = Scale.RAW,
    restrict: int | None = None,
) -> DimensionExtremes:
    """The k words with the highest and the k with the lowest value on dimension `dim`.

    The rows at both ends come from the model's stored orderings (`extreme_rows`, written
    with the cache entry) when they reach deep enough; otherwise the first request for a
    dimension selects its ORDER_DEPTH most extreme rows at each end (an O(n) partition of
    one column). Either way they are kept on the model, so every later view of that
    dimension with k <= ORDER_DEPTH is served without touching the matrix.
    """
    check_dim(model, dim)
    rows_available = _rows(model, restrict)
    key = ("extremes", dim, scale, restrict)
    cached = model.memo.get(key)
    if cached is None or len(cached[0][0]) < min(k, rows_available):
        cached = _stored_ends(model, dim, scale, restrict, min(k, rows_available))
        if cached is None:
            cached = _computed_ends(model, dim, scale, restrict, max(k, ORDER_DEPTH))
        model.memo[key] = cached
    top, bottom = cached

    def entries(ends: _Ends) -> tuple[DimensionEntry, ...]:
        rows, values = ends
        return tuple(
            DimensionEntry(model.vocab[int(r)], int(r), float(v))
            for r, v in zip(rows[:k], values[:k], strict=True)
        )

    return DimensionExtremes(
        dim=dim, scale=scale, restrict=restrict, top=entries(top), bottom=entries(bottom)
    )


def _computed_ends(
    model: Embedding, dim: int, scale: Scale, restrict: int | None, depth: int
) -> tuple[_Ends, _Ends]:
    col = column(model, dim, scale, restrict)
    top = top_k_rows(col, depth)
    bottom = top_k_rows(-col, depth)
    return (top, col[top].astype(np.float64)), (bottom, col[bottom].astype(np.float64))


def _stored_ends(
    model: Embedding, dim: int, scale: Scale, restrict: int | None, needed: int
) -> tuple[_Ends, _Ends] | None:
    """The ends of `dim` from the stored orderings, or None when they hold fewer than
    `needed` rows inside `restrict` (a prefix of a row-ordered list restricted to the first
    N rows is the restricted list's prefix: every row left out ranks below all kept)."""
    stored = model.extreme_rows
    if stored is None:
        return None
    scale_index = 0 if scale is Scale.RAW else 1
    source = model.vectors if scale is Scale.RAW else model.unit
    ends = []
    for end in (0, 1):
        rows = np.asarray(stored[scale_index, end, dim], dtype=np.int64)
        if restrict is not None:
            rows = rows[rows < restrict]
        if len(rows) < needed:
            return None
        ends.append((rows, np.asarray(source[rows, dim], dtype=np.float64)))
    return ends[0], ends[1]


def extreme_rows(
    matrix: npt.NDArray[np.float32], depth: int = ORDER_DEPTH, block: int = 262_144
) -> npt.NDArray[np.int64]:
    """Rows of the `depth` highest and the `depth` lowest values of every column.

    Shape (2, d, min(depth, n)): ``[0, j]`` is ``top_k_rows(matrix[:, j], depth)`` and
    ``[1, j]`` is ``top_k_rows(-matrix[:, j], depth)`` — value order, ties by lower row.

    Large matrices are done in two passes over the rows instead of one column at a time:
    a sample of every 16th row gives each column a threshold that about 4·depth rows pass;
    one pass collects the rows beyond the thresholds; columns where fewer than `depth`
    rows passed (possible only in unlucky samples) are redone exactly.
    """
    n, d = matrix.shape
    depth = min(depth, n)
    out = np.empty((2, d, depth), dtype=np.int64)
    stride = 16
    sampled = len(range(0, n, stride))
    pick = -(-4 * depth // stride)
    if depth == 0 or n * d <= 4_000_000 or pick >= sampled:
        for j in range(d):
            col = np.ascontiguousarray(matrix[:, j])
            out[0, j] = top_k_rows(col, depth)
            out[1, j] = top_k_rows(-col, depth)
        return out
    sample = np.asarray(matrix[::stride], dtype=np.float32)
    high = np.partition(sample, sampled - pick, axis=0)[sampled - pick]
    low = np.partition(sample, pick - 1, axis=0)[pick - 1]
    for end in (0, 1):
        found_rows, found_cols, found_values = [], [], []
        for start in range(0, n, block):
            chunk = np.asarray(matrix[start : start + block], dtype=np.float32)
            r, c = np.nonzero(chunk <= low if end else chunk >= high)
            found_rows.append(r + start)
            found_cols.append(c)
            found_values.append(chunk[r, c])
        rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
        values = np.concatenate(found_values)
        order = np.lexsort((rows, values if end else -values, cols))
        rows, cols = rows[order], cols[order]
        starts = np.searchsorted(cols, np.arange(d))
        counts = np.bincount(cols, minlength=d)
        for j in range(d):
            if counts[j] >= depth:
                out[end, j] = rows[starts[j] : starts[j] + depth]
            else:
                col = np.ascontiguousarray(matrix[:, j])
                out[end, j] = top_k_rows(-col if end else col, depth)
    return out


def _rows(model: Embedding, restrict: int | None) -> int:
    return len(model) if restrict is None else max(0, min(restrict, len(model)))


def dimension_stats(
    model: Embedding, dim: int, *, restrict: int | None = None, bins: int = 20
) -> DimensionStats:
    """Statistics of dimension `dim` (raw coordinates), computed once per model and dim."""
    check_dim(model, dim)
    return model.memoised(
        ("stats", dim, restrict, bins), lambda: _dimension_stats(model, dim, restrict, bins)
    )


def squared_norm_by_dim(model: Embedding, restrict: int | None = None) -> npt.NDArray[np.float64]:
    """Sum over words of v[w, i]^2 for every dimension i (one pass, kept on the model)."""

    def compute() -> npt.NDArray[np.float64]:
        rows = model.vectors if restrict is None else model.vectors[: max(0, restrict)]
        out = np.zeros(model.dims, dtype=np.float64)
        for start in range(0, rows.shape[0], 262_144):
            block = np.asarray(rows[start : start + 262_144], dtype=np.float64)
            out += np.einsum("ij,ij->j", block, block)
        return out

    return model.memoised(("squared_norm_by_dim", restrict), compute)


def _dimension_stats(model: Embedding, dim: int, restrict: int | None, bins: int) -> DimensionStats:
    from scipy import stats  # imported on first use: scipy.stats costs ~0.8 s at start-up

    col = column(model, dim, Scale.RAW, restrict).astype(np.float64)
    counts, edges = np.histogram(col, bins=bins)
    total_sq = float(squared_norm_by_dim(model, restrict).sum())
    freq: float | None = None
    if model.manifest.get("frequency_ordered", True) and col.size > 2 and np.ptp(col) > 0:
        freq = float(stats.spearmanr(col, np.arange(col.size)).statistic)
    return DimensionStats(
        dim=dim,
        count=int(col.size),
        mean=float(col.mean()),
        std=float(col.std()),
        skewness=float(stats.skew(col)),
        kurtosis=float(stats.kurtosis(col)),
        histogram=tuple(int(c) for c in counts),
        bin_edges=tuple(float(e) for e in edges),
        frequency_spearman=freq,
        norm_share=float(np.dot(col, col) / total_sq) if total_sq > 0 else 0.0,
    )
