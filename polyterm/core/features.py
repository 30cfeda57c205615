"""Feature labels: model-independent meanings of words (WordNet supersenses, parts of
speech, Brown genres, a user's own file), the vocabulary that polysemanticity is measured in.

A `FeatureLabels` is plain data: which labels each word carries under one named source,
and the one-sentence rule that gave them. The engine builds them from NLTK data or a file
(`polyterm.engine.feature_sources`); the statistics (`polyterm.core.enrichment`) read them
and never know where they came from. Nothing here imports NLTK.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class FeatureLabels:
    """Labels of words under one source.

    `labels[word]` is the non-empty set of labels of `word` (a word without a label is
    absent). `senses[word]`, where the source knows it (WordNet), is the number of senses
    of the word: word polysemy, shown beside unit polysemy, never mixed up with it.
    """

    source: str
    """The source's name as the user types it: `wordnet`, `pos`, `genre`, `file:NAME`."""
    rule: str
    """One sentence: how a word gets its labels (shown in views and the README)."""
    labels: Mapping[str, frozenset[str]]
    senses: Mapping[str, int] | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    """Provenance shown in a view's inputs (data version, file path, counts)."""

    def labels_of(self, word: str) -> frozenset[str]:
        return self.labels.get(word, frozenset())

    def labelled(self, words: Iterable[str]) -> list[str]:
        """The words of `words` that carry at least one label, in order."""
        return [w for w in words if w in self.labels]

    def coverage(self, words: Iterable[str]) -> float:
        """Share of `words` that carry a label (0.0 for no words)."""
        ws = list(words)
        return sum(w in self.labels for w in ws) / len(ws) if ws else 0.0

    def all_labels(self) -> frozenset[str]:
        return frozenset().union(*self.labels.values()) if self.labels else frozenset()


__all__ = ["FeatureLabels"]
