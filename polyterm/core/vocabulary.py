"""A model's vocabulary: words in row order (most frequent first where known)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from functools import cached_property

from polyterm.errors import UnknownWordError

LINEAR_LOOKUPS = 32
"""Look-ups answered by scanning the word list before the word → row dict is built."""

SUGGESTION_POOL = 50_000
"""Close-match suggestions are drawn from this many most frequent words (difflib is slow)."""


class Vocabulary(Sequence[str]):
    """Row-ordered words with a lazily built word → row index."""

    def __init__(self, words: Sequence[str], model: str = "model") -> None:
        self._words = words
        self.model = model
        self._lookups = 0

    def __len__(self) -> int:
        return len(self._words)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        return self._words[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __contains__(self, word: object) -> bool:
        return self.find(word) is not None

    def find(self, word: object) -> int | None:
        """Row of `word` (first occurrence) or None.

        The first few look-ups scan the word list (a C loop: a few ms even for millions
        of words) so that opening a model never waits for a dictionary of its whole
        vocabulary; after LINEAR_LOOKUPS look-ups the dictionary is built once.
        """
        if not isinstance(word, str):
            return None
        if "rows" in self.__dict__ or self._lookups >= LINEAR_LOOKUPS:
            return self.rows.get(word)
        self._lookups += 1
        try:
            return self._words.index(word)
        except ValueError:
            return None

    @cached_property
    def rows(self) -> dict[str, int]:
        """word → row; on duplicate words the first (most frequent) row wins."""
        index: dict[str, int] = {}
        for i, w in enumerate(self._words):
            index.setdefault(w, i)
        return index

    def row(self, word: str) -> int:
        """Row of `word`, or UnknownWordError naming the word with suggestions."""
        found = self.find(word)
        if found is None:
            raise UnknownWordError(word, self.model, self.suggest(word))
        return found

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Close entries: the same word in other casing first, then difflib matches."""
        out: list[str] = []
        for variant in (word.lower(), word.capitalize(), word.upper()):
            if variant != word and variant in self and variant not in out:
                out.append(variant)
        pool = list(self._words[:SUGGESTION_POOL])
        for match in difflib.get_close_matches(word, pool, n=n, cutoff=0.75):
            if match not in out:
                out.append(match)
        return out[:n]
