"""The same query in several models: which words agree, and how much.

Input is one ranked word list per model (the top-k of a neighbour query, an expression
or a dimension end). Output: pairwise Jaccard and RBO (p = 0.9) of the lists, the words
that occur in more than one list, and — given the models' vocabularies — how many words
the models share, so that a low overlap can be read against what could overlap at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from polyterm.core.overlap import jaccard, rbo
from polyterm.core.vocabulary import Vocabulary

RBO_P = 0.9


@dataclass(frozen=True, slots=True)
class PairOverlap:
    a: str
    b: str
    jaccard: float
    rbo: float
    shared: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Vocabulary shared by all compared models."""

    shared_words: int
    sizes: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class SideBySide:
    lists: tuple[tuple[str, tuple[str, ...]], ...]
    pairs: tuple[PairOverlap, ...]
    recurring: tuple[tuple[str, tuple[str, ...]], ...]  # word -> models it appears in
    coverage: Coverage | None


def shared_vocabulary_size(vocabularies: Sequence[Sequence[str]]) -> int:
    """Number of words present in every vocabulary (exact string match)."""
    if not vocabularies:
        return 0
    smallest = min(vocabularies, key=len)
    others = [v if isinstance(v, Vocabulary | set | frozenset) else set(v) for v in vocabularies]
    return sum(1 for w in set(smallest) if all(w in o for o in others))


def _in_both(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    """Words of `first`, in its order, that `second` also holds."""
    others = set(second)
    return tuple(w for w in first if w in others)


def side_by_side(
    lists: Mapping[str, Sequence[str]],
    vocabularies: Mapping[str, Sequence[str]] | None = None,
    shared_words: int | None = None,
) -> SideBySide:
    """Compare ranked lists keyed by model name (insertion order is kept).

    `shared_words`, when the caller knows it, is `shared_vocabulary_size` of the
    vocabularies (a walk over the smallest vocabulary, worth keeping between queries).
    """
    names = list(lists)
    pairs = tuple(
        PairOverlap(
            a,
            b,
            jaccard(lists[a], lists[b]),
            rbo(lists[a], lists[b], RBO_P),
            _in_both(lists[a], lists[b]),
        )
        for a, b in combinations(names, 2)
    )
    where: dict[str, list[str]] = {}
    for name in names:
        for w in dict.fromkeys(lists[name]):
            where.setdefault(w, []).append(name)
    recurring = tuple((w, tuple(ms)) for w, ms in where.items() if len(ms) > 1)
    coverage = None
    if vocabularies is not None and len(vocabularies) > 0:
        coverage = Coverage(
            shared_words=(
                shared_vocabulary_size(list(vocabularies.values()))
                if shared_words is None
                else shared_words
            ),
            sizes=tuple((n, len(v)) for n, v in vocabularies.items()),
        )
    return SideBySide(
        lists=tuple((n, tuple(lists[n])) for n in names),
        pairs=pairs,
        recurring=recurring,
        coverage=coverage,
    )
