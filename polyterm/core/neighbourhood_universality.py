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

Summaries are over the n words (mean, median, quartiles by linear interpolation, min,
max). "Most universal" words are those with the highest score of ``rank_by`` ('rbo' or
'jaccard'), ties broken by the other score and then by lower row; "least universal"
the lowest, with the same tie-breaks reversed in score but still by lower row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from polyterm.core.arrays import F64, I64, FloatArray
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.core.arrays import readonly as _readonly
from polyterm.core.arrays import unit_rows64 as _unit_rows
from polyterm.core.overlap import rbo


def nearest_neighbours(x: FloatArray, k: int, *, block_size: int = 512) -> I64:
    """n × k rows of each row's k nearest rows by cosine, self excluded, ties by lower row.

    Row w of the result is ordered by decreasing cosine. Exact: a row whose k-th cosine
    is tied with a row outside the candidates is redone with a full stable sort.
    """
    m = _as_matrix(x, "x")
    n = m.shape[0]
    if not 1 <= k <= n - 1:
        raise ValueError(f"k must be in [1, n - 1] = [1, {n - 1}], got {k}")
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    unit = _unit_rows(m)
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, block_size):
        stop = min(n, start + block_size)
        sims = unit[start:stop] @ unit.T
        local = np.arange(stop - start)
        sims[local, start + local] = -np.inf
        cand = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        csims = np.take_along_axis(sims, cand, axis=1)
        order = np.lexsort((cand, -csims))
        out[start:stop] = np.take_along_axis(cand, order, axis=1)
        kth = csims.min(axis=1)
        tied = np.flatnonzero((sims >= kth[:, None]).sum(axis=1) > k)
        for t in tied:
            out[start + t] = np.argsort(-sims[t], kind="stable")[:k]
    return out


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
        neighbours_a, neighbours_b: the n × k neighbour rows in each model.
        n_words: n.
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


def neighbourhood_universality(
    a: FloatArray,
    b: FloatArray,
    *,
    k: int = 10,
    p: float = 0.9,
    block_size: int = 512,
    n_extremes: int = 20,
    rank_by: Literal["rbo", "jaccard"] = "rbo",
) -> NeighbourhoodUniversality:
    """Jaccard and RBO_ext of every word's k-NN lists in ``a`` and in ``b``.

    See the module docstring for the neighbour, overlap and ranking conventions.

    Raises:
        ValueError: row counts differ, k outside [1, n - 1], p outside (0, 1), a bad
            ``rank_by``, or a negative ``n_extremes``.
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
    na = nearest_neighbours(x, k, block_size=block_size)
    nb = nearest_neighbours(y, k, block_size=block_size)

    inter = np.fromiter(
        (np.intersect1d(ra, rb, assume_unique=True).size for ra, rb in zip(na, nb, strict=True)),
        dtype=np.float64,
        count=n,
    )
    jac = inter / (2 * k - inter)
    rbos = np.fromiter(
        (rbo(ra.tolist(), rb.tolist(), p) for ra, rb in zip(na, nb, strict=True)),
        dtype=np.float64,
        count=n,
    )

    primary, secondary = (rbos, jac) if rank_by == "rbo" else (jac, rbos)
    rows = np.arange(n)
    most = np.lexsort((rows, -secondary, -primary))[:n_extremes].astype(np.int64)
    least = np.lexsort((rows, secondary, primary))[:n_extremes].astype(np.int64)
    return NeighbourhoodUniversality(
        jaccard=_readonly(jac),
        rbo=_readonly(rbos),
        jaccard_summary=DistributionSummary.of(jac),
        rbo_summary=DistributionSummary.of(rbos),
        most_universal=_readonly(most),
        least_universal=_readonly(least),
        rank_by=rank_by,
        k=k,
        p=p,
        neighbours_a=_readonly(na),
        neighbours_b=_readonly(nb),
        n_words=n,
    )
