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
from polyterm.core.nulls import NullSummary, null_z, random_rotation, summarise_null


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


DEFAULT_Z_THRESHOLD = 2.0


@dataclass(frozen=True, slots=True, eq=False)
class BasisCoherence:
    """How coherent a basis's axes are, against the same model in random rotated bases.

    The question the frequency-matched null cannot answer: is an axis's top-word set more
    coherent than the top-word set of a *random direction* of the same model? (A random
    direction's top words are also near one another, because they all lie far along it.)

    Attributes:
        per_dim: the coherence of each axis's top-k words (d,).
        null_per_dim: R × d coherences of the axes of R randomly rotated bases
            (read-only); ``null_per_dim[r]`` is rotation r's axes.
        mean: the mean over axes against the R rotated means
            (:class:`polyterm.core.nulls.NullSummary`, kind ``'rotation'``).
        dim_z: each axis's rank z against the pooled R·d random directions:
            ``Φ⁻¹((below + ties / 2 + 1/2) / (R·d + 1))``, Φ the standard normal
            distribution function, ``below``/``ties`` the pooled null values under /
            equal to the axis's coherence. A rank, not ``(c − mean) / sd``: coherence is
            bounded by 1 and random directions' coherences are skewed, so a parametric
            z > 2 can be out of reach even for an axis above every random direction.
            With R·d pooled values the largest z is ``Φ⁻¹((R·d + 1/2) / (R·d + 1))``
            (2.9 for 300 values).
        coherent_dims: axes with ``dim_z > z_threshold``.
        null_coherent_dims: the mean over the R rotated bases of how many of *their*
            axes exceed ``z_threshold`` against the same pool (what a random basis gives).
        null_coherent_sd: the sample sd (ddof = 1) of that count over the R bases.
        k, z_threshold: top words per axis and the z cut.
    """

    per_dim: F64
    null_per_dim: F64
    mean: NullSummary
    dim_z: F64
    coherent_dims: int
    null_coherent_dims: float
    null_coherent_sd: float
    k: int
    z_threshold: float

    @property
    def beats_random_directions(self) -> bool:
        """The mean coherence of the axes is more than 2 sd above random bases'."""
        return self.mean.z is not None and self.mean.z > DEFAULT_Z_THRESHOLD


def _rank_z(values: F64, sorted_pool: F64) -> F64:
    """Rank z of each value among the sorted pool (:class:`BasisCoherence`'s ``dim_z``)."""
    from scipy.special import ndtri  # type: ignore[import-untyped]  # slow to import

    below = np.searchsorted(sorted_pool, values, side="left")
    ties = np.searchsorted(sorted_pool, values, side="right") - below
    fraction = (below + ties / 2 + 0.5) / (sorted_pool.size + 1)
    return np.asarray(ndtri(fraction), dtype=np.float64)


def _top_rows(x: F64, k: int) -> I64:
    """d × k: the rows of the k largest values of each column of x (any order)."""
    n = x.shape[0]
    return np.argpartition(x, n - k, axis=0)[n - k :].T.astype(np.int64)


def _set_coherences(tops: I64, unit: F64) -> F64:
    """Mean pairwise cosine of each row's word set (d × k rows of the unit matrix)."""
    vecs = unit[tops]  # d × k × e
    k = tops.shape[1]
    sums = vecs.sum(axis=1)
    sq = np.einsum("dke,dke->d", vecs, vecs)
    return np.asarray((np.einsum("de,de->d", sums, sums) - sq) / (k * (k - 1)), dtype=np.float64)


def basis_coherence(
    x: FloatArray,
    k: int,
    *,
    judge: FloatArray | None = None,
    rows: Sequence[int] | I64 | None = None,
    repetitions: int = 20,
    seed: int = 0,
    z_threshold: float = DEFAULT_Z_THRESHOLD,
) -> BasisCoherence:
    """Coherence of each axis (column) of ``x`` against the axes of ``x @ Q``, Q random.

    Each axis's top-k words are its k largest values (the positive end; a random direction
    and its negative are equally random). Their coherence is the mean pairwise cosine
    (:func:`mean_pairwise_cosine`) of those words' rows in ``judge`` — ``x`` itself when
    None (cosines of ``x`` and ``x @ Q`` are the same, so the judge does not move), or a
    reference model, with ``rows[i]`` the judge row of row i of ``x`` (identity when None).
    The null: R Haar-random rotations Q (:func:`polyterm.core.nulls.random_rotation`,
    one ``default_rng(seed)``), each axis of ``x @ Q`` judged the same way.

    Raises:
        ValueError: k < 2 or more than the rows, repetitions < 2, or ``rows`` of the
            wrong length or out of the judge's range.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] < 1:
        raise ValueError("x must be an n × d matrix with d >= 1")
    n, d = a.shape
    if not 2 <= k <= n:
        raise ValueError(f"k must be between 2 and the {n} rows, got {k}")
    if repetitions < 2:
        raise ValueError(f"repetitions must be >= 2, got {repetitions}")
    unit = _unit_rows(a if judge is None else judge)
    if rows is None:
        if unit.shape[0] != n:
            raise ValueError("without rows, the judge must have the rows of x")
        mapping: I64 | None = None
    else:
        mapping = np.asarray(rows, dtype=np.int64)
        if mapping.shape != (n,) or (n and (mapping.min() < 0 or mapping.max() >= unit.shape[0])):
            raise ValueError("rows must give, for each row of x, a row of the judge")

    def judged(m: F64) -> F64:
        tops = _top_rows(m, k)
        return _set_coherences(tops if mapping is None else mapping[tops], unit)

    per_dim = judged(a)
    rng = np.random.default_rng(seed)
    null = np.empty((repetitions, d), dtype=np.float64)
    for rep in range(repetitions):
        null[rep] = judged(a @ random_rotation(d, rng))
    pool = np.sort(null.ravel())
    dim_z = _rank_z(per_dim, pool)
    null_counts = np.array(
        [np.sum(_rank_z(row, pool) > z_threshold) for row in null], dtype=np.float64
    )
    null.flags.writeable = False
    per_dim.flags.writeable = False
    dim_z.flags.writeable = False
    return BasisCoherence(
        per_dim=per_dim,
        null_per_dim=null,
        mean=summarise_null(float(per_dim.mean()), null.mean(axis=1), kind="rotation", seed=seed),
        dim_z=dim_z,
        coherent_dims=int(np.sum(dim_z > z_threshold)),
        null_coherent_dims=float(null_counts.mean()),
        null_coherent_sd=float(null_counts.std(ddof=1)),
        k=k,
        z_threshold=z_threshold,
    )
