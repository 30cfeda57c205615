"""Semantic coherence of a dimension's top words, against a frequency-matched null.

Conventions:

- ``reference`` is an n × d matrix whose rows are words in frequency order (row 0 = most
  frequent; frequency rank of row i = i + 1), e.g. a reference model restricted to the
  shared vocabulary. Its rows are scaled to unit length (idempotent if they already
  are); an all-zero row has cosine 0 with every row.
- ``top_indices`` are k >= 2 distinct rows of ``reference`` (e.g. the top-k words of one
  dimension of some model, mapped to the shared rows).
- Coherence of a word set S = mean pairwise cosine over the k(k-1)/2 unordered pairs,
  ``(||sum_w u_w||^2 - sum_w ||u_w||^2) / (k (k - 1))`` with u_w the unit rows.
- Frequency bins: edges ``unique(floor(geomspace(1, n + 1, n_bins + 1)))`` over rank;
  bin j holds the ranks in ``[edge_j, edge_{j+1})``. Small-rank bins that collapse to the
  same integer edge are merged, so there may be fewer than ``n_bins`` bins.
- Null: each repetition replaces every top word by a random row from the same bin,
  uniformly and without replacement within a bin (so the null set has k distinct words
  and exactly the bin profile of the top words; top words themselves may be drawn).
  R repetitions from ``numpy.random.default_rng(seed)``; ``null_sd`` has ddof = 1 and
  ``z = (observed - null_mean) / null_sd``, None when the sd is at rounding level (see
  :func:`polyterm.core.nulls.null_z`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from polyterm.core.arrays import F64, I64, FloatArray
from polyterm.core.arrays import json_float as _json_float
from polyterm.core.arrays import unit_rows64 as _unit_rows
from polyterm.core.nulls import null_z


def rank_bins(n: int, n_bins: int) -> I64:
    """Bin id (0, 1, ...) of each of n rows, bins log-spaced over rank = row + 1."""
    if n < 1 or n_bins < 1:
        raise ValueError(f"n and n_bins must be >= 1, got {n} and {n_bins}")
    edges = np.unique(np.floor(np.geomspace(1, n + 1, n_bins + 1)).astype(np.int64))
    ranks = np.arange(1, n + 1)
    return (np.searchsorted(edges, ranks, side="right") - 1).astype(np.int64)


def mean_pairwise_cosine(unit: F64) -> float:
    """Mean cosine over unordered pairs of the rows of a (k × d) unit-row matrix, k >= 2."""
    k = unit.shape[0]
    s = unit.sum(axis=0)
    return float((s @ s - np.einsum("ij,ij->", unit, unit)) / (k * (k - 1)))


@dataclass(frozen=True, slots=True, eq=False)
class CoherenceResult:
    """Coherence of one word set against its frequency-matched null.

    Attributes:
        observed: mean pairwise cosine of the top words in the reference.
        null_mean, null_sd: mean and sample sd (ddof = 1) of the null coherences.
        z: ``(observed - null_mean) / null_sd``, or None (rounding-level sd or NaN).
        null_values: the R null coherences (read-only).
        k: number of top words.
        n_bins: the number of non-empty frequency bins actually used.
        repetitions, seed: R and the seed.
    """

    observed: float
    null_mean: float
    null_sd: float
    z: float | None
    null_values: F64
    k: int
    n_bins: int
    repetitions: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable copy (NaN becomes None)."""
        return {
            "observed": _json_float(self.observed),
            "null_mean": _json_float(self.null_mean),
            "null_sd": _json_float(self.null_sd),
            "z": self.z,
            "null_values": [_json_float(v) for v in self.null_values],
            "k": self.k,
            "n_bins": self.n_bins,
            "repetitions": self.repetitions,
            "seed": self.seed,
        }


def _frequency_matched_samples(
    top: I64, bins: I64, repetitions: int, rng: np.random.Generator
) -> I64:
    """R × k rows: column j drawn from the bin of ``top[j]``, distinct within each bin."""
    out = np.empty((repetitions, top.size), dtype=np.int64)
    top_bins = bins[top]
    groups = [(b, np.flatnonzero(top_bins == b)) for b in np.unique(top_bins)]
    members = {int(b): np.flatnonzero(bins == b) for b, _ in groups}
    for rep in range(repetitions):
        for b, cols in groups:
            out[rep, cols] = rng.choice(members[int(b)], size=cols.size, replace=False)
    return out


def _coherence_on_unit(
    top: I64, unit: F64, bins: I64, repetitions: int, seed: int
) -> CoherenceResult:
    n = unit.shape[0]
    if top.ndim != 1 or top.size < 2:
        raise ValueError("top_indices must be a 1-D list of at least 2 rows")
    if top.min() < 0 or top.max() >= n:
        raise ValueError(f"top_indices must be rows in [0, {n - 1}]")
    if np.unique(top).size != top.size:
        raise ValueError("top_indices must be distinct rows")
    if repetitions < 2:
        raise ValueError(f"repetitions must be >= 2, got {repetitions}")
    observed = mean_pairwise_cosine(unit[top])
    rng = np.random.default_rng(seed)
    samples = _frequency_matched_samples(top, bins, repetitions, rng)
    vecs = unit[samples]  # R × k × d
    k = top.size
    sums = vecs.sum(axis=1)
    sq = np.einsum("rkd,rkd->r", vecs, vecs)
    values = (np.einsum("rd,rd->r", sums, sums) - sq) / (k * (k - 1))
    mean = float(values.mean())
    sd = float(values.std(ddof=1))
    values.flags.writeable = False
    return CoherenceResult(
        observed=observed,
        null_mean=mean,
        null_sd=sd,
        z=null_z(observed, mean, sd),
        null_values=values,
        k=int(k),
        n_bins=int(bins.max()) + 1,
        repetitions=repetitions,
        seed=seed,
    )


def coherence(
    top_indices: Sequence[int] | I64,
    reference: FloatArray,
    *,
    n_bins: int = 10,
    repetitions: int = 100,
    seed: int = 0,
) -> CoherenceResult:
    """Mean pairwise cosine of ``top_indices`` in ``reference`` vs a frequency-matched null.

    See the module docstring for the bins, the sampling and the z convention.

    Raises:
        ValueError: fewer than 2, repeated or out-of-range rows, or repetitions < 2.
    """
    unit = _unit_rows(reference)
    top = np.asarray(top_indices, dtype=np.int64)
    bins = rank_bins(unit.shape[0], n_bins)
    return _coherence_on_unit(top, unit, bins, repetitions, seed)


def coherence_many(
    top_indices: Sequence[Sequence[int]] | I64,
    reference: FloatArray,
    *,
    n_bins: int = 10,
    repetitions: int = 100,
    seed: int = 0,
) -> tuple[CoherenceResult, ...]:
    """:func:`coherence` for many word sets (e.g. every dimension) sharing one reference.

    The reference is normalised once. Each set's null uses a fresh ``default_rng(seed)``,
    so ``coherence_many(t, r)[i]`` equals ``coherence(t[i], r)`` exactly.
    """
    unit = _unit_rows(reference)
    bins = rank_bins(unit.shape[0], n_bins)
    return tuple(
        _coherence_on_unit(np.asarray(t, dtype=np.int64), unit, bins, repetitions, seed)
        for t in top_indices
    )
