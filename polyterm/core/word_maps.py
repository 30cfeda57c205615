"""Aligned 2-D maps of chosen words in several models, and whether their shape is shared.

Inputs: for each model m, ``x[m]`` (n × d_m), the rows of the same n shared words in the
same order, and ``chosen``, the rows of the words to draw; every other row is an anchor.
Steps:

1. Every row is scaled to unit length, the columns are centred over the anchors and the
   matrix is scaled so that the anchors' rows have unit root-mean-square length (shapes,
   not scales, are compared).
2. The reference plane: the first two principal axes ``P`` (d_0 × 2) of the first
   model's chosen rows (centred over them), signs fixed so that each axis's
   largest-magnitude loading is positive. Its coordinates are those rows on ``P``.
3. Every other model is rotated onto the first over the anchors (orthogonal
   Procrustes; for d_m ≠ d_0 the semi-orthogonal ``W = U Vᵀ`` of the SVD
   ``x_mᵀ x_0 = U S Vᵀ``, d_m × d_0), so the chosen words play no part in the alignment;
   its chosen rows, mapped by ``W`` and centred, are drawn on the same plane ``P``.
4. Shape agreement, which the 2-D picture only suggests: Spearman ρ between the chosen
   words' pairwise cosine distances in model m and in the first model (in their own full
   spaces: no alignment, no projection), beside a null that permutes which word is which
   in model m (``repetitions`` draws): mean ± sd, z, and the permutation p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

from polyterm.core.nulls import NullSummary, summarise_null

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WordMap:
    coords: F64
    """(models, words, 2): each model's chosen words on the first model's plane."""
    explained: tuple[float, float]
    """Share of the first model's variance over the chosen words on each of the 2 axes."""
    shape: tuple[NullSummary | None, ...]
    """Per model: Spearman ρ of pairwise distances with the first model, and its null
    (None for the first model itself)."""
    shape_p: tuple[float | None, ...]
    """Per model: the permutation p-value of that ρ, (1 + #null ≥ observed) / (1 + R)."""


def _prepared(x: npt.ArrayLike, anchors: npt.NDArray[np.intp]) -> F64:
    m = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    m = m / norms
    m = m - m[anchors].mean(axis=0)
    rms = np.linalg.norm(m[anchors]) / np.sqrt(anchors.size)
    out: F64 = m / rms if rms > 0 else m
    return out


def _plane(rows: F64) -> tuple[F64, tuple[float, float]]:
    centred = rows - rows.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2].T.copy()
    if axes.shape[1] < 2:  # a 1-dim model: the second axis is zero
        axes = np.hstack([axes, np.zeros((axes.shape[0], 2 - axes.shape[1]))])
    for j in range(2):
        col = axes[:, j]
        if col.any() and col[np.argmax(np.abs(col))] < 0:
            axes[:, j] = -col
    var = s**2
    share = var / var.sum() if var.sum() > 0 else np.zeros_like(var)
    explained = (float(share[0]) if share.size > 0 else 0.0,
                 float(share[1]) if share.size > 1 else 0.0)  # fmt: skip
    return axes, explained


def _distances(rows: F64) -> F64:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    u = rows / norms
    out: F64 = 1.0 - u @ u.T
    return out


def _pearson(a: F64, b: F64) -> float:
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def word_map(
    x: Sequence[npt.ArrayLike],
    chosen: Sequence[int],
    *,
    repetitions: int = 1000,
    seed: int = 0,
) -> WordMap:
    """The aligned map (module docstring) of rows `chosen` of every model in `x`."""
    if len(x) < 1:
        raise ValueError("a map needs at least one model")
    if len(chosen) < 3:
        raise ValueError("a map needs at least 3 words")
    n = np.asarray(x[0]).shape[0]
    if any(np.asarray(m).shape[0] != n for m in x):
        raise ValueError("every model needs the same rows")
    idx = np.asarray(chosen, dtype=np.intp)
    anchors = np.setdiff1d(np.arange(n), idx)
    if anchors.size < 2:
        raise ValueError("a map needs anchor words beside the chosen ones")
    prepared = [_prepared(m, anchors) for m in x]
    ref = prepared[0]
    axes, explained = _plane(ref[idx])
    coords = np.empty((len(prepared), idx.size, 2))
    coords[0] = (ref[idx] - ref[idx].mean(axis=0)) @ axes
    for m, other in enumerate(prepared[1:], start=1):
        u, _, vt = np.linalg.svd(other[anchors].T @ ref[anchors], full_matrices=False)
        mapped = other[idx] @ (u @ vt)
        coords[m] = (mapped - mapped.mean(axis=0)) @ axes
    raw = [np.asarray(m, dtype=np.float64)[idx] for m in x]
    iu = np.triu_indices(idx.size, k=1)
    ranks0 = rankdata(_distances(raw[0])[iu])
    rng = np.random.default_rng(seed)
    shape: list[NullSummary | None] = [None]
    shape_p: list[float | None] = [None]
    for m in range(1, len(raw)):
        # The ranks of a permuted distance matrix are the permuted rank matrix: rank once.
        ranked = np.zeros((idx.size, idx.size))
        ranked[iu] = rankdata(_distances(raw[m])[iu])
        ranked = ranked + ranked.T
        observed = _pearson(ranks0, ranked[iu])
        null = np.empty(repetitions)
        for r in range(repetitions):
            perm = rng.permutation(idx.size)
            null[r] = _pearson(ranks0, ranked[np.ix_(perm, perm)][iu])
        finite = null[np.isfinite(null)]
        if not np.isfinite(observed) or finite.size < 2:
            shape.append(None)
            shape_p.append(None)
            continue
        shape.append(summarise_null(observed, finite, kind="shuffle", seed=seed))
        shape_p.append(float((1 + np.sum(finite >= observed)) / (1 + finite.size)))
    return WordMap(coords=coords, explained=explained, shape=tuple(shape), shape_p=tuple(shape_p))


__all__ = ["WordMap", "word_map"]
