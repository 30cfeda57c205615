"""Baselines that can fail for the agreement of two models' neighbour lists.

The agreement of model A's and model B's top-k lists for one query (Jaccard) is usually
set against two random k-lists (k²/n shared words), which any pair of trained models beats.
Two baselines keep what makes lists agree for reasons other than the query:

- *random queries, frequency-matched*: the same form of query (``x - y``, or a word's
  neighbourhood) built from other words of similar frequency rank, answered by both
  models; its agreement is what the shared geometry gives any query of that frequency.
- *different query*: A's list for the query against B's list for a frequency-matched
  other query; its agreement is what two lists share only because both are lists of
  words of that frequency (frequent words' neighbours are frequent words).

Rows are words in frequency order (row 0 the most frequent), the same rows in both
models. A word's frequency-matched partner is drawn uniformly from the rows within
``max(min_window, width · rank)`` ranks of it (itself excluded). Every function builds
its own ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.nulls import NullSummary, summarise_null

F64 = npt.NDArray[np.float64]
Units = npt.NDArray[np.floating[Any]]
I64 = npt.NDArray[np.int64]

DEFAULT_WIDTH = 0.1
DEFAULT_MIN_WINDOW = 10


def frequency_matched(
    rows: npt.ArrayLike,
    n: int,
    rng: np.random.Generator,
    *,
    width: float = DEFAULT_WIDTH,
    min_window: int = DEFAULT_MIN_WINDOW,
) -> I64:
    """For every row index in `rows` (frequency ranks among `n`), another row of similar
    rank: uniform within ``max(min_window, width·rank)`` of it, never itself."""
    r = np.asarray(rows, dtype=np.int64)
    if n < 2:
        raise ValueError("need at least 2 rows to draw a different one")
    half = np.maximum(min_window, (width * r).astype(np.int64))
    lo = np.clip(r - half, 0, n - 1)
    hi = np.clip(r + half, 0, n - 1)
    # uniform over [lo, hi] without r: draw from hi - lo values and skip r
    span = np.maximum(hi - lo, 1)
    draw = lo + rng.integers(0, span, size=r.shape)
    out = np.where(draw >= r, draw + 1, draw)
    out = np.where(out > hi, lo, out)  # only when r == hi and the draw fell on it
    return np.asarray(np.where(out == r, (r + 1) % n, out), dtype=np.int64)


def query_lists(unit: Units, rows: I64, weights: F64, k: int, *, exclude_query: bool = True) -> I64:
    """Top-k rows by cosine of each query ``Σ_t weights[t] · unit[rows[q, t]]`` (normalised),
    the query's own rows excluded unless not `exclude_query`; ties by lower row."""
    q = np.einsum("qtd,t->qd", unit[rows], weights)
    norms = np.linalg.norm(q, axis=1, keepdims=True)
    q = q / np.where(norms > 0, norms, 1.0)
    scores = q @ unit.T
    if exclude_query:
        np.put_along_axis(scores, rows, -np.inf, axis=1)
    kk = min(k, scores.shape[1])
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    order = np.lexsort((part, -np.take_along_axis(scores, part, axis=1)), axis=1)
    return np.asarray(np.take_along_axis(part, order, axis=1), dtype=np.int64)


def row_jaccard(la: I64, lb: I64) -> F64:
    """Jaccard of list la[i] with lb[i] for every i (lists of distinct rows)."""
    inter = (la[:, :, None] == lb[:, None, :]).any(axis=2).sum(axis=1).astype(np.float64)
    sizes = la.shape[1] + lb.shape[1]
    return np.asarray(inter / (sizes - inter), dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class AgreementBaselines:
    """Mean Jaccard of A's and B's lists for the queries (`observed`) beside the two
    baselines (module docstring), each R draws of the mean over the same queries."""

    observed: float
    random_queries: NullSummary
    different_query: NullSummary


def expression_baselines(
    unit_a: Units,
    unit_b: Units,
    rows: npt.ArrayLike,
    weights: npt.ArrayLike,
    k: int,
    *,
    repetitions: int = 20,
    seed: int = 0,
    exclude_query: bool = True,
) -> AgreementBaselines:
    """Agreement of queries ``rows[q]`` (m × t word rows, one weight per term) in both
    models, beside the frequency-matched random-query and different-query baselines."""
    r = np.atleast_2d(np.asarray(rows, dtype=np.int64))
    w = np.asarray(weights, dtype=np.float64)
    n = unit_a.shape[0]
    rng = np.random.default_rng(seed)
    la = query_lists(unit_a, r, w, k, exclude_query=exclude_query)
    lb = query_lists(unit_b, r, w, k, exclude_query=exclude_query)
    observed = float(row_jaccard(la, lb).mean())
    random_values, other_values = [], []
    for _ in range(repetitions):
        other = frequency_matched(r, n, rng)
        oa = query_lists(unit_a, other, w, k, exclude_query=exclude_query)
        ob = query_lists(unit_b, other, w, k, exclude_query=exclude_query)
        random_values.append(float(row_jaccard(oa, ob).mean()))
        other_values.append(float(row_jaccard(la, ob).mean()))
    return AgreementBaselines(
        observed=observed,
        random_queries=summarise_null(observed, random_values, kind="shuffle", seed=seed),
        different_query=summarise_null(observed, other_values, kind="shuffle", seed=seed),
    )


def neighbourhood_different_query(
    neighbours_a: I64, neighbours_b: I64, *, repetitions: int = 20, seed: int = 0
) -> NullSummary:
    """Mean Jaccard of A's neighbours of each word with B's neighbours of the same word
    (`observed`), against A's neighbours of each word with B's neighbours of a
    frequency-matched other word (R draws)."""
    na = np.asarray(neighbours_a, dtype=np.int64)
    nb = np.asarray(neighbours_b, dtype=np.int64)
    n = na.shape[0]
    rng = np.random.default_rng(seed)
    observed = float(row_jaccard(na, nb).mean())
    rows = np.arange(n, dtype=np.int64)
    values = [
        float(row_jaccard(na, nb[frequency_matched(rows, n, rng)]).mean())
        for _ in range(repetitions)
    ]
    return summarise_null(observed, values, kind="shuffle", seed=seed)
