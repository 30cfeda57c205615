"""Nearest words by cosine similarity.

Convention: cosine similarity = dot product of unit vectors. Results are the top-k by
cosine, ties broken by vocabulary index (lower first) for display. Statistics that compare
two models' rankings pass ``tie_rank`` instead (:func:`tie_ranks`: a seeded random order
of the rows, a different one per model), so that a tie carries no agreement: with ties
broken by index, two models whose words all tie would list the same words and look
identical. Query words are excluded unless
`include_query=True`. `restrict` searches only the first N rows (the N most frequent
words, where rows are in frequency order).

Vector arithmetic (`a - b`) has two conventions:

- ``normalised`` (default, gensim's ``most_similar(positive, negative)``): the query is
  the weighted sum of the words' *unit* vectors, re-normalised;
- ``raw``: the weighted sum of the *raw* vectors, re-normalised.

Both rank by cosine, so the scaling of the sum does not change the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.embedding import Embedding, FloatMatrix
from polyterm.core.expression import Expression
from polyterm.errors import ZeroVectorError


class Convention(StrEnum):
    NORMALISED = "normalised"
    RAW = "raw"

    @property
    def label(self) -> str:
        if self is Convention.NORMALISED:
            return "normalised: sum of unit vectors (gensim most_similar)"
        return "raw: sum of raw vectors"


@dataclass(frozen=True, slots=True)
class Neighbour:
    word: str
    row: int
    cosine: float


def tie_ranks(n: int, seed: int, stream: int) -> npt.NDArray[np.int64]:
    """A seeded random order of n rows (``rank[row]``) for breaking ties in a statistic.

    ``stream`` tells the two models of a comparison apart (0 for A, 1 for B), so their
    ties are broken independently of each other: a tie then agrees only by chance.
    """
    rng = np.random.default_rng((seed, stream, 0x7135))
    return rng.permutation(n).astype(np.int64)


def top_k_rows(
    scores: npt.NDArray[np.floating[Any]],
    k: int,
    exclude: Sequence[int] = (),
    *,
    tie_rank: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int64]:
    """Rows of the k highest scores, descending; `exclude` skipped. Ties by lower row, or
    by lower ``tie_rank[row]`` when given (:func:`tie_ranks`)."""
    n = scores.shape[0]
    excluded = {int(e) for e in exclude if 0 <= e < n}
    want = min(k + len(excluded), n)
    if want <= 0:
        return np.empty(0, dtype=np.int64)
    candidates = np.flatnonzero(scores >= _threshold(scores, want)) if want < n else np.arange(n)
    second = candidates if tie_rank is None else tie_rank[candidates]
    order = candidates[np.lexsort((second, -scores[candidates]))]
    if excluded:
        order = order[~np.isin(order, list(excluded))]
    return order[:k].astype(np.int64)


def top_is_tied(scores: npt.NDArray[np.floating[Any]], k: int) -> bool:
    """Whether the k highest scores, as a set or in order, depend on breaking a tie: two of
    the k + 1 highest are equal (also true for NaN-free constant scores)."""
    n = scores.shape[0]
    want = min(k + 1, n)
    if want < 2:
        return False
    top = np.partition(scores, n - want)[n - want :]
    return bool(np.any(np.diff(np.sort(top)) == 0))


SELECTION_BLOCK = 1024
ZERO_TOLERANCE = 1e-6
"""A query vector shorter than this share of its terms' total length is a zero vector."""


def _threshold(scores: npt.NDArray[np.floating[Any]], want: int) -> np.floating:
    """A value that at least `want` scores reach and few others do.

    The `want`-th largest of the maxima of blocks of SELECTION_BLOCK rows: `want` distinct
    rows reach it, so every one of the `want` highest scores does. One pass of block
    maxima is ~5× faster than an argpartition of the whole array. Falls back to the exact
    `want`-th largest score when there are too few blocks (or a block maximum is NaN).
    """
    n = scores.shape[0]
    blocks = n // SELECTION_BLOCK
    if blocks >= 4 * want:
        maxima = scores[: blocks * SELECTION_BLOCK].reshape(blocks, SELECTION_BLOCK).max(axis=1)
        value = np.partition(maxima, blocks - want)[blocks - want]
        if np.isfinite(value):
            return value  # type: ignore[no-any-return]
    part = np.argpartition(scores, n - want)[n - want :]
    return scores[part].min()  # type: ignore[no-any-return]


def query_vector(
    model: Embedding, expr: Expression, convention: Convention = Convention.NORMALISED
) -> FloatMatrix:
    """The unit query vector of an expression under a convention.

    Raises UnknownWordError, or ZeroVectorError when the terms cancel (``cat - cat``) or the
    sum is too small to have a direction in float32 (``1e-300*cat``): its length is below
    float32's smallest normal number, or below 1e-6 of the terms' total length (what is
    left after cancellation is rounding noise, not a direction).
    """
    rows = [model.row(t.word) for t in expr.terms]
    source = model.unit if convention is Convention.NORMALISED else model.vectors
    q = np.zeros(model.dims, dtype=np.float64)
    scale = 0.0
    for t, r in zip(expr.terms, rows, strict=True):
        term = t.weight * source[r].astype(np.float64)
        q += term
        scale += float(np.linalg.norm(term))
    norm = float(np.linalg.norm(q))
    if not norm >= max(float(np.finfo(np.float32).tiny), ZERO_TOLERANCE * scale):
        raise ZeroVectorError(expr.canonical(), model.name)
    return (q / norm).astype(np.float32)


def nearest_to_vector(
    model: Embedding,
    vector: npt.ArrayLike,
    k: int = 10,
    *,
    exclude: Sequence[int] = (),
    restrict: int | None = None,
) -> list[Neighbour]:
    """The k words whose unit vectors have the highest dot product with unit(`vector`)."""
    q = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(q))
    if norm > 0:
        q = q / norm
    unit = model.unit if restrict is None else model.unit[: max(0, restrict)]
    scores = unit @ q
    rows = top_k_rows(scores, k, exclude)
    return [Neighbour(model.vocab[int(r)], int(r), float(scores[r])) for r in rows]


def nearest_to_expression(
    model: Embedding,
    expr: Expression,
    k: int = 10,
    *,
    convention: Convention = Convention.NORMALISED,
    include_query: bool = False,
    restrict: int | None = None,
) -> list[Neighbour]:
    """Neighbours of an expression (a single word is the expression `word`)."""
    q = query_vector(model, expr, convention)
    exclude = () if include_query else [model.row(w) for w in expr.words]
    return nearest_to_vector(model, q, k, exclude=exclude, restrict=restrict)
