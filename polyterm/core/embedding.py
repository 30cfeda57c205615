"""An embedding model as polyterm holds it: vocabulary, float32 vectors, unit vectors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from polyterm.core.vocabulary import Vocabulary

FloatMatrix = npt.NDArray[np.float32]
T = TypeVar("T")


_TINY = float(np.finfo(np.float32).tiny) ** 0.5
"""Below this float32 norm the squares of a row may have underflowed: rescaled first."""


def unit_rows(vectors: npt.NDArray[np.floating[Any]], block: int = 262_144) -> FloatMatrix:
    """Rows scaled to unit L2 norm, in float32; all-zero rows stay zero (never NaN).

    A row whose float32 norm overflows or underflows (a row of 3e38 values: its squares
    are inf; of 1e-30: they are 0) is divided by its largest absolute value first, so it
    has a direction like any other (it was "a zero vector"). Other rows take the fast path.
    """
    out = np.empty(vectors.shape, dtype=np.float32)
    for start in range(0, vectors.shape[0], block):
        chunk = np.asarray(vectors[start : start + block], dtype=np.float32)
        with np.errstate(over="ignore", under="ignore"):
            norms = np.linalg.norm(chunk, axis=1, keepdims=True)
        odd = np.flatnonzero(~np.isfinite(norms[:, 0]) | (norms[:, 0] < _TINY))
        if odd.size:
            rows = chunk[odd]
            scale = np.max(np.abs(rows), axis=1, keepdims=True, initial=0.0)
            scale[~(scale > 0)] = 1.0  # all-zero rows (NaN rows are dropped by readers)
            scaled = rows / scale
            chunk = chunk.copy()
            chunk[odd] = scaled
            norms[odd] = np.linalg.norm(scaled, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        np.divide(chunk, norms, out=out[start : start + block])
    return out


@dataclass(frozen=True, eq=False)
class Embedding:
    """One model: `vectors[i]` is the raw vector of `vocab[i]`.

    `unit` holds the same rows scaled to unit length; it is computed once (and cached on
    disk by the engine) because every cosine in polyterm is a dot product with it.
    `counts[i]` is the corpus frequency of `vocab[i]` when known. `extreme_rows` holds the
    rows at both ends of every dimension when the cache entry stored them.
    """

    name: str
    vocab: Vocabulary
    vectors: FloatMatrix
    unit_vectors: FloatMatrix | None = None
    counts: npt.NDArray[np.int64] | None = None
    extreme_rows: npt.NDArray[np.int64] | None = None
    """Stored per-dimension orderings, shape (2 scales, 2 ends, dims, depth): see
    `polyterm.core.dimensions.extreme_rows`; None when the engine had none."""
    manifest: Mapping[str, Any] = field(default_factory=dict)
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)
    """Results of analyses of this model that are worth keeping (see `memoised`)."""

    @classmethod
    def from_arrays(
        cls,
        name: str,
        words: Sequence[str],
        vectors: npt.ArrayLike,
        counts: npt.ArrayLike | None = None,
        manifest: Mapping[str, Any] | None = None,
    ) -> Embedding:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ValueError(f"{len(words)} words but vectors of shape {matrix.shape}")
        return cls(
            name=name,
            vocab=Vocabulary(list(words), name),
            vectors=matrix,
            counts=None if counts is None else np.asarray(counts, dtype=np.int64),
            manifest=dict(manifest or {}),
        )

    @cached_property
    def unit(self) -> FloatMatrix:
        """Unit-normalised rows (the cached copy when the engine supplied one)."""
        if self.unit_vectors is not None:
            return self.unit_vectors
        return unit_rows(self.vectors)

    def memoised(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per key for this model (the model's arrays never change)."""
        try:
            return cast(T, self.memo[key])
        except KeyError:
            value = compute()
            self.memo[key] = value
            return value

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def row(self, word: str) -> int:
        return self.vocab.row(word)

    def vector(self, word: str) -> FloatMatrix:
        row: FloatMatrix = self.vectors[self.vocab.row(word)]
        return row
