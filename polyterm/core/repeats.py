"""The repeat statistic: do the same words sit at the extremes of several dimensions?

For each dimension take its top-k (and, separately, bottom-k) words. Over all d·k slots,
count the distinct words that fill them and list every word that appears in the lists of
two or more dimensions, with those dimensions. With no repeats, distinct = d·k.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from polyterm.core.dimensions import Scale, dimension_extremes
from polyterm.core.embedding import Embedding


@dataclass(frozen=True, slots=True)
class RepeatedWord:
    word: str
    dims: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RepeatStatistic:
    end: str  # "top" or "bottom"
    k: int
    dims: int
    slots: int
    distinct: int
    repeated: tuple[RepeatedWord, ...]  # most dimensions first, then word

    @property
    def distinct_share(self) -> float:
        """distinct / slots: 1.0 means no word repeats."""
        return self.distinct / self.slots if self.slots else 1.0


def repeats_from_lists(lists: list[list[str]], end: str, k: int) -> RepeatStatistic:
    where: dict[str, list[int]] = defaultdict(list)
    for dim, words in enumerate(lists):
        for w in dict.fromkeys(words):
            where[w].append(dim)
    repeated = sorted(
        (RepeatedWord(w, tuple(ds)) for w, ds in where.items() if len(ds) >= 2),
        key=lambda r: (-len(r.dims), r.word),
    )
    return RepeatStatistic(
        end=end,
        k=k,
        dims=len(lists),
        slots=sum(len(x) for x in lists),
        distinct=len(where),
        repeated=tuple(repeated),
    )


def repeat_statistic(
    model: Embedding,
    k: int = 10,
    *,
    scale: Scale = Scale.RAW,
    restrict: int | None = None,
) -> tuple[RepeatStatistic, RepeatStatistic]:
    """(top, bottom) repeat statistics over every dimension of `model`."""
    tops: list[list[str]] = []
    bottoms: list[list[str]] = []
    for dim in range(model.dims):
        ext = dimension_extremes(model, dim, k, scale=scale, restrict=restrict)
        tops.append([e.word for e in ext.top])
        bottoms.append([e.word for e in ext.bottom])
    return repeats_from_lists(tops, "top", k), repeats_from_lists(bottoms, "bottom", k)
