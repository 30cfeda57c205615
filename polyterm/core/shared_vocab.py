"""The vocabulary shared by several models, and each shared word's row in every model.

Conventions:

- A model's vocabulary is a sequence of words in row order; rows are assumed to be in
  frequency order (row 0 = most frequent), so "first occurrence" means "most frequent".
- Without ``casefold`` a word is its exact string. With ``casefold`` every word is
  mapped to ``word.casefold()`` (Unicode case folding, a stronger ``lower()``), and when
  several rows of one model fold to the same key the first row (the most frequent
  spelling) represents it. Duplicated exact strings are treated the same way.
- The shared words are the keys present in every model, listed in the first model's row
  order. ``top_n`` keeps only the first N of them (the N most frequent shared words by
  the first model's order).
- ``coverage[m] = total_shared / sizes[m]`` where ``total_shared`` counts the shared keys
  *before* the ``top_n`` cut and ``sizes[m] = len(word_lists[m])`` is the raw number of
  rows of model m (duplicates included). An empty model has coverage 0.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True, eq=False)
class SharedVocabulary:
    """Shared words and where they sit in each model.

    Attributes:
        words: the shared words (casefolded keys when ``casefold``), first model's order.
        indices: one int64 array per model; ``indices[m][i]`` is the row of ``words[i]``
            in model m (the first row with that key). Arrays are read-only.
        coverage: per model, ``total_shared / sizes[m]`` (before the ``top_n`` cut).
        sizes: per model, the number of rows ``len(word_lists[m])``.
        total_shared: number of shared keys before the ``top_n`` cut.
        casefold: whether keys were casefolded.
        top_n: the cut that was applied (None = all shared words kept).
    """

    words: tuple[str, ...]
    indices: tuple[npt.NDArray[np.int64], ...]
    coverage: tuple[float, ...]
    sizes: tuple[int, ...]
    total_shared: int
    casefold: bool
    top_n: int | None

    def __len__(self) -> int:
        return len(self.words)


def _first_rows(words: Sequence[str], casefold: bool) -> dict[str, int]:
    """key → first row with that key, in row order (dicts keep insertion order)."""
    rows: dict[str, int] = {}
    for i, w in enumerate(words):
        rows.setdefault(w.casefold() if casefold else w, i)
    return rows


def shared_vocabulary(
    word_lists: Sequence[Sequence[str]],
    *,
    casefold: bool = False,
    top_n: int | None = None,
) -> SharedVocabulary:
    """Words present in every model, in the first model's (frequency) order.

    Args:
        word_lists: one vocabulary per model, each in row order (most frequent first).
        casefold: compare ``word.casefold()``; the most frequent spelling's row wins.
        top_n: keep only the first ``top_n`` shared words (None keeps all).

    Raises:
        ValueError: no models, or a negative ``top_n``.
        TypeError: a bare string where a list of words was expected.
    """
    if isinstance(word_lists, str) or any(isinstance(wl, str) for wl in word_lists):
        raise TypeError("word_lists must be a sequence of word lists, not a string")
    if len(word_lists) == 0:
        raise ValueError("shared_vocabulary needs at least one word list")
    if top_n is not None and top_n < 0:
        raise ValueError(f"top_n must be >= 0 or None, got {top_n}")
    rows = [_first_rows(wl, casefold) for wl in word_lists]
    first, others = rows[0], rows[1:]
    shared = [w for w in first if all(w in other for other in others)]
    total = len(shared)
    if top_n is not None:
        shared = shared[:top_n]
    indices = []
    for model_rows in rows:
        idx = np.fromiter((model_rows[w] for w in shared), dtype=np.int64, count=len(shared))
        idx.flags.writeable = False
        indices.append(idx)
    sizes = tuple(len(wl) for wl in word_lists)
    coverage = tuple(total / size if size else 0.0 for size in sizes)
    return SharedVocabulary(
        words=tuple(shared),
        indices=tuple(indices),
        coverage=coverage,
        sizes=sizes,
        total_shared=total,
        casefold=casefold,
        top_n=top_n,
    )
