"""Per-word agreement of nearest-neighbour lists across two models.

Inputs are ``a`` (n × d1) and ``b`` (n × d2) with rows = the same n shared words in the
same order. For each word w and each model:

- neighbours are ranked by cosine similarity (dot product of unit rows; an all-zero row
  has cosine 0 with everything), the word itself excluded, ties broken by lower row;
  the list ``N_a(w)`` is the first k. They are computed ``block_size`` query rows at a
  time (one ``block_size × n`` similarity block in memory), so n = 10k is fast.
- ``jaccard[w] = |N_a(w) ∩ N_b(w)| / |N_a(w) ∪ N_b(w)|`` (sets; order ignored).
- ``rbo[w]`` = extrapolated rank-biased overlap RBO_ext of the two ordered lists
  (Webber, Moffat & Zobel 2010, eq. 32; :func:`polyterm.core.overlap.rbo`), which for two
  lists of depth k with X_d = |N_a(w)[:d] ∩ N_b(w)[:d]| is
  ``(1 - p)/p * sum_{d=1..k} p^d X_d / d + p^k X_k / k``; 1 for identical lists, 0 for
  disjoint ones. p = 0.9 by default.

Ties (issue 17). A word whose vector points exactly where another word's does (an exact
duplicate row after scaling to unit length: every 1-dimensional model, words mapped to one
shared vector, all-zero rows) has no neighbourhood of its own: every other duplicate ties
at cosine 1 (or 0). Such words are *excluded*, as queries and as neighbours, from the
comparison (``compared`` lists the rows kept, ``n_duplicates`` counts the others). The
ties that remain are broken by a seeded random order of the rows, a different one in each
model (:func:`polyterm.core.neighbours.tie_ranks`, ``seed``), so a tie agrees only by
chance; ``n_tied`` counts the compared words whose list depended on such a tie in either
model. With ties broken by row instead, two unrelated models mapping half their words to
one vector scored Jaccard 0.505 (z +568 against shuffled words) and models whose words all
share one vector 1.000. :func:`tie_warning` says when more than
``TIE_WARNING_FRACTION`` of the words tie.

Summaries are over the compared words (mean, median, quartiles by linear interpolation, min,
max). "Most universal" words are those with the highest score of ``rank_by`` ('rbo' or
'jaccard'), ties broken by the other score and then by lower row; "least universal"
the lowest, with the same tie-breaks reversed in score but still by lower row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from polyterm.core.arrays import F64, I64, FloatArray
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.core.arrays import readonly as _readonly
from polyterm.core.arrays import unit_rows64 as _unit_rows
from polyterm.core.neighbours import tie_ranks
from polyterm.core.overlap import rbo

TIE_WARNING_FRACTION = 0.02
"""Above this share of tied words (duplicates or tie-broken lists) a comparison warns."""


def nearest_neighbours(
    x: FloatArray, k: int, *, block_size: int = 512, tie_rank: I64 | None = None
) -> I64:
    """n × k rows of each row's k nearest rows by cosine, self excluded; ties by lower row,
    or by lower ``tie_rank[row]`` when given.

    Row w of the result is ordered by decreasing cosine. Exact: a row whose k-th cosine
    is tied with a row outside the candidates is redone with a full sort.
    """
    return _neighbours(x, k, block_size, tie_rank)[0]


def _neighbours(
    x: FloatArray, k: int, block_size: int, tie_rank: I64 | None
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """(nearest_neighbours, per row: whether its list depended on breaking a tie)."""
    m = _as_matrix(x, "x")
    n = m.shape[0]
    if not 1 <= k <= n - 1:
        raise ValueError(f"k must be in [1, n - 1] = [1, {n - 1}], got {k}")
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    unit = _unit_rows(m)
    rank = np.arange(n, dtype=np.int64) if tie_rank is None else np.asarray(tie_rank)
    out = np.empty((n, k), dtype=np.int64)
    tied_rows = np.zeros(n, dtype=bool)
    depth = min(k + 1, n - 1)  # one more than the list, to see a tie at its boundary
    for start in range(0, n, block_size):
        stop = min(n, start + block_size)
        sims = unit[start:stop] @ unit.T
        local = np.arange(stop - start)
        sims[local, start + local] = -np.inf
        cand = np.argpartition(-sims, depth - 1, axis=1)[:, :depth]
        csims = np.take_along_axis(sims, cand, axis=1)
        order = np.lexsort((rank[cand], -csims))
        ranked = np.take_along_axis(cand, order, axis=1)
        out[start:stop] = ranked[:, :k]
        sorted_sims = np.take_along_axis(csims, order, axis=1)
        tied_rows[start:stop] = np.any(np.diff(sorted_sims, axis=1) == 0, axis=1)
        kth = sorted_sims[:, k - 1]
        boundary = np.flatnonzero((sims >= kth[:, None]).sum(axis=1) > k)
        for t in boundary:
            out[start + t] = np.lexsort((rank, -sims[t]))[:k]
            tied_rows[start + t] = True
    return out, tied_rows


DUPLICATE_DECIMALS = 10
"""Unit rows equal to this many decimals are one direction (``v`` and ``3 * v`` differ
in the last bits of their unit vectors; distinct float32 directions far above 1e-10)."""


def duplicate_rows(x: FloatArray) -> npt.NDArray[np.bool_]:
    """Rows whose unit vector equals another row's (to DUPLICATE_DECIMALS decimals): exact
    duplicates, positive multiples of one vector, and all-zero rows."""
    unit = _unit_rows(_as_matrix(x, "x"))
    if unit.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    key = np.round(unit, DUPLICATE_DECIMALS) + 0.0  # + 0.0: -0.0 and 0.0 are one value
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    out: npt.NDArray[np.bool_] = counts[inverse.reshape(-1)] > 1
    return out


def tie_warning(n_words: int, n_duplicates: int, n_tied: int) -> str | None:
    """One sentence when more than TIE_WARNING_FRACTION of the words tie, else None."""
    if n_words <= 0 or (n_duplicates + n_tied) <= TIE_WARNING_FRACTION * n_words:
        return None
    parts = []
    if n_duplicates:
        parts.append(
            f"{n_duplicates:,} of {n_words:,} words share their vector's direction with "
            "another word and are left out"
        )
    if n_tied:
        parts.append(
            f"{n_tied:,} more have neighbour lists that depend on breaking tied cosines "
            "(broken at random, independently in each model)"
        )
    return "; ".join(parts) + ": neighbourhood agreement covers only the untied words"


@dataclass(frozen=True, slots=True)
class DistributionSummary:
    """Mean, median, quartiles (linear interpolation), min and max of a per-word score."""

    mean: float
    median: float
    q1: float
    q3: float
    min: float
    max: float

    @classmethod
    def of(cls, values: F64) -> DistributionSummary:
        if values.size == 0:
            return cls(*(math.nan,) * 6)
        q1, med, q3 = np.quantile(values, [0.25, 0.5, 0.75])
        return cls(
            mean=float(values.mean()),
            median=float(med),
            q1=float(q1),
            q3=float(q3),
            min=float(values.min()),
            max=float(values.max()),
        )


@dataclass(frozen=True, slots=True, eq=False)
class NeighbourhoodUniversality:
    """Per-word neighbourhood agreement of two models (arrays are read-only).

    Attributes:
        jaccard: per word, Jaccard of the two k-NN sets.
        rbo: per word, RBO_ext(p) of the two ordered k-NN lists.
        jaccard_summary, rbo_summary: distribution summaries over the words.
        most_universal: up to ``n_extremes`` rows, highest ``rank_by`` score first.
        least_universal: up to ``n_extremes`` rows, lowest ``rank_by`` score first.
        rank_by: 'rbo' or 'jaccard'.
        k, p: neighbour depth and RBO persistence.
        neighbours_a, neighbours_b: the n × k neighbour rows in each model (rows of the
            compared words; -1 in the rows of words left out).
        n_words: n.
        compared: the rows compared (words without a duplicate direction in either model);
            the per-word scores of the other rows are NaN.
        n_duplicates: rows left out for a duplicate direction (n - len(compared)).
        n_tied: compared rows whose list depended on breaking a tie in either model.
        seed: the seed of the tie-breaking orders.
    """

    jaccard: F64
    rbo: F64
    jaccard_summary: DistributionSummary
    rbo_summary: DistributionSummary
    most_universal: I64
    least_universal: I64
    rank_by: Literal["rbo", "jaccard"]
    k: int
    p: float
    neighbours_a: I64
    neighbours_b: I64
    n_words: int
    compared: I64
    n_duplicates: int
    n_tied: int
    seed: int

    @property
    def warning(self) -> str | None:
        """A sentence when more than TIE_WARNING_FRACTION of the words tie, else None."""
        return tie_warning(self.n_words, self.n_duplicates, self.n_tied)


def neighbourhood_universality(
    a: FloatArray,
    b: FloatArray,
    *,
    k: int = 10,
    p: float = 0.9,
    block_size: int = 512,
    n_extremes: int = 20,
    rank_by: Literal["rbo", "jaccard"] = "rbo",
    seed: int = 0,
) -> NeighbourhoodUniversality:
    """Jaccard and RBO_ext of every word's k-NN lists in ``a`` and in ``b``.

    See the module docstring for the neighbour, overlap and ranking conventions.

    Raises:
        ValueError: row counts differ, k outside [1, n - 1], p outside (0, 1), a bad
            ``rank_by``, or a negative ``n_extremes``.
        TiedVocabularyError: fewer than k + 2 words are left once duplicate directions
            are left out (every word ties).
    """
    x = _as_matrix(a, "a")
    y = _as_matrix(b, "b")
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"a and b must have the same rows, got {n} and {y.shape[0]}")
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if rank_by not in ("rbo", "jaccard"):
        raise ValueError(f"rank_by must be 'rbo' or 'jaccard', got {rank_by!r}")
    if n_extremes < 0:
        raise ValueError(f"n_extremes must be >= 0, got {n_extremes}")
    if not 1 <= k <= n - 1:
        raise ValueError(f"k must be in [1, n - 1] = [1, {n - 1}], got {k}")
    compared = np.flatnonzero(~(duplicate_rows(x) | duplicate_rows(y))).astype(np.int64)
    m = compared.size
    if m < k + 2:
        raise TiedVocabularyError(n, n - m, k)
    ka, tied_a = _neighbours(x[compared], k, block_size, tie_ranks(m, seed, 0))
    kb, tied_b = _neighbours(y[compared], k, block_size, tie_ranks(m, seed, 1))

    inter = np.fromiter(
        (np.intersect1d(ra, rb, assume_unique=True).size for ra, rb in zip(ka, kb, strict=True)),
        dtype=np.float64,
        count=m,
    )
    jac_c = inter / (2 * k - inter)
    rbo_c = np.fromiter(
        (rbo(ra.tolist(), rb.tolist(), p) for ra, rb in zip(ka, kb, strict=True)),
        dtype=np.float64,
        count=m,
    )
    jac = np.full(n, np.nan)
    rbos = np.full(n, np.nan)
    jac[compared], rbos[compared] = jac_c, rbo_c
    na = np.full((n, k), -1, dtype=np.int64)
    nb = np.full((n, k), -1, dtype=np.int64)
    na[compared], nb[compared] = compared[ka], compared[kb]

    primary, secondary = (rbo_c, jac_c) if rank_by == "rbo" else (jac_c, rbo_c)
    rows = compared
    most = compared[np.lexsort((rows, -secondary, -primary))[:n_extremes]].astype(np.int64)
    least = compared[np.lexsort((rows, secondary, primary))[:n_extremes]].astype(np.int64)
    return NeighbourhoodUniversality(
        jaccard=_readonly(jac),
        rbo=_readonly(rbos),
        jaccard_summary=DistributionSummary.of(jac_c),
        rbo_summary=DistributionSummary.of(rbo_c),
        most_universal=_readonly(most),
        least_universal=_readonly(least),
        rank_by=rank_by,
        k=k,
        p=p,
        neighbours_a=_readonly(na),
        neighbours_b=_readonly(nb),
        n_words=n,
        compared=_readonly(compared),
        n_duplicates=int(n - m),
        n_tied=int(np.count_nonzero(tied_a | tied_b)),
        seed=seed,
    )


class TiedVocabularyError(ValueError):
    """Too few words are left once words with a duplicate direction are left out."""

    def __init__(self, n_words: int, n_duplicates: int, k: int) -> None:
        self.n_words, self.n_duplicates, self.k = n_words, n_duplicates, k
        super().__init__(
            f"{n_duplicates:,} of {n_words:,} words share their vector's direction with "
            f"another word (1-dimensional models have only two directions), leaving "
            f"{n_words - n_duplicates:,}: too few for {k} neighbours each"
        )
