"""Views of one query across models: a word's neighbours, an expression, a dimension."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from polyterm.core.dimensions import DimensionStats, Scale, dimension_extremes, dimension_stats
from polyterm.core.embedding import Embedding
from polyterm.core.expression import Expression, parse_expression
from polyterm.core.neighbours import Convention, nearest_to_expression
from polyterm.core.repeats import RepeatStatistic, repeat_statistic
from polyterm.core.side_by_side import SideBySide, shared_vocabulary_size, side_by_side
from polyterm.errors import PolytermError, UnknownWordError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table, shell_word
from polyterm.views.protocol import Cell, Code, Data, Phrase, Table, joined, slug_of


class QueryKind(StrEnum):
    WORD = "word"
    EXPRESSION = "expression"
    DIMENSION = "dimension"


@dataclass(frozen=True, slots=True)
class Entry:
    word: str
    value: float


@dataclass(frozen=True, slots=True)
class ModelResult:
    """One model's answer: ranked entries, or the error that stopped it (e.g. unknown word)."""

    model: ModelSummary
    entries: tuple[Entry, ...] = ()
    bottom: tuple[Entry, ...] = ()  # dimension queries: the other end
    error: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(e.word for e in self.entries)

    def end(self, which: str) -> tuple[Entry, ...]:
        """The "top" entries (neighbours, or a dimension's top) or the "bottom" ones."""
        return self.bottom if which == "bottom" else self.entries


@dataclass(frozen=True, slots=True)
class QueryView:
    """The same query answered by each model, with overlap between their lists."""

    kind: QueryKind
    query: str
    k: int
    restrict: int | None
    convention: Convention
    scale: Scale
    include_query: bool
    results: tuple[ModelResult, ...]
    overlap: SideBySide

    @property
    def value_label(self) -> str:
        if self.kind is QueryKind.DIMENSION:
            return self.scale.label
        return "cosine similarity"

    @property
    def caption(self) -> str:
        """What the values are (and, for neighbours, the convention)."""
        if self.kind is QueryKind.DIMENSION:
            return self.value_label
        return f"{self.value_label}; {self.convention.label}"

    def title(self) -> Phrase:
        if self.kind is QueryKind.DIMENSION:
            return Phrase.of(f"Dimension {self.query} across models (by index, unaligned)")
        return Phrase.of("Nearest words to ", Code(self.query))

    def slug(self) -> str:
        what = f"dim-{self.query}" if self.kind is QueryKind.DIMENSION else self.query
        return slug_of(what, [r.model.name for r in self.results])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `top` (and, for a dimension, `bottom`): rank and each answering
        model's words (bold where in more than one list); `agreement`: pairs of models."""
        ok = [r for r in self.results if r.error is None]
        shared = {w for w, _ in self.overlap.recurring}
        out = [models_table([r.model for r in self.results])]
        ends = ("top", "bottom") if self.kind is QueryKind.DIMENSION else ("top",)
        for end in ends:
            depth = max((len(r.end(end)) for r in ok), default=0)
            rows: list[tuple[Cell, ...]] = []
            for i in range(depth):
                row: list[Cell] = [i + 1]
                for r in ok:
                    entries = r.end(end)
                    if i < len(entries):
                        e = entries[i]
                        row.append(Phrase.of(Data(e.word, e.word in shared), f" ({e.value:.3f})"))
                    else:
                        row.append("")
                rows.append(tuple(row))
            title = (
                f"{end.capitalize()} {self.k}" if self.kind is QueryKind.DIMENSION else "Neighbours"
            )
            out.append(
                Table(
                    end,
                    title,
                    ("rank", *(Data(r.model.name) for r in ok)),
                    tuple(rows),
                    caption=self.caption,
                    numeric=(True,),
                )
            )
        o = self.overlap
        out.append(
            Table(
                "agreement",
                "Agreement between models",
                ("model A", "model B", "Jaccard", "RBO (p=0.9)", "shared words"),
                tuple(
                    (Data(p.a), Data(p.b), p.jaccard, p.rbo, joined(p.shared) or "—")
                    for p in o.pairs
                ),
                numeric=(False, False, True, True, False),
            )
        )
        return tuple(out)

    def command(self) -> str:
        """The CLI command that reproduces this view."""
        models = cli_models([r.model for r in self.results], sep=",")
        opts = f" --k {self.k}"
        if self.restrict:
            opts += f" --restrict {self.restrict}"
        if self.kind is QueryKind.DIMENSION:
            scale = f" --scale {self.scale.value}" if self.scale is not Scale.RAW else ""
            return f"polyterm compare --dim {self.query} --models {models}{opts}{scale}"
        if self.include_query:
            opts += " --include-query"
        if self.convention is not Convention.NORMALISED:
            opts += f" --convention {self.convention.value}"
        return f"polyterm diff {shell_word(self.query)} --models {models}{opts}"


def _compare(results: Sequence[ModelResult], models: Sequence[Embedding]) -> SideBySide:
    lists = {r.model.name: list(r.words) for r in results if r.error is None}
    vocabularies = {m.name: m.vocab for m in models}
    return side_by_side(lists, vocabularies, _shared_words(models))


def _shared_words(models: Sequence[Embedding]) -> int | None:
    """How many words every model knows, counted once per set of models (kept on the
    first model; weak references name the others, so a reopened model is a new set)."""
    if not models:
        return None
    key = ("shared_vocabulary_size", *(weakref.ref(m) for m in models[1:]))
    return models[0].memoised(key, lambda: shared_vocabulary_size([m.vocab for m in models]))


def expression_view(
    models: Sequence[Embedding],
    text: str,
    *,
    k: int = 10,
    restrict: int | None = None,
    convention: Convention = Convention.NORMALISED,
    include_query: bool = False,
) -> QueryView:
    """Neighbours of a word or an expression in every model (errors kept per model)."""
    if k < 1:
        raise PolytermError(f"k must be at least 1, not {k}")
    expr: Expression = parse_expression(text)
    results: list[ModelResult] = []
    for model in models:
        summary = ModelSummary.of(model)
        try:
            found = nearest_to_expression(
                model,
                expr,
                k,
                convention=convention,
                include_query=include_query,
                restrict=restrict,
            )
        except UnknownWordError as exc:
            results.append(ModelResult(summary, error=str(exc), suggestions=exc.suggestions))
            continue
        results.append(ModelResult(summary, tuple(Entry(n.word, n.cosine) for n in found)))
    kind = (
        QueryKind.WORD
        if len(expr.terms) == 1 and expr.terms[0].weight == 1
        else QueryKind.EXPRESSION
    )
    return QueryView(
        kind,
        expr.canonical(),
        k,
        restrict,
        convention,
        Scale.RAW,
        include_query,
        tuple(results),
        _compare(results, models),
    )


def dimension_query_view(
    models: Sequence[Embedding],
    dim: int,
    *,
    k: int = 10,
    restrict: int | None = None,
    scale: Scale = Scale.RAW,
) -> QueryView:
    """Dimension `dim` of every model (by index: dimensions are not aligned across models)."""
    results: list[ModelResult] = []
    for model in models:
        summary = ModelSummary.of(model)
        if not 0 <= dim < model.dims:
            results.append(
                ModelResult(summary, error=f"{model.name} has dimensions 0 to {model.dims - 1}")
            )
            continue
        ext = dimension_extremes(model, dim, k, scale=scale, restrict=restrict)
        results.append(
            ModelResult(
                summary,
                tuple(Entry(e.word, e.value) for e in ext.top),
                tuple(Entry(e.word, e.value) for e in ext.bottom),
            )
        )
    return QueryView(
        QueryKind.DIMENSION,
        str(dim),
        k,
        restrict,
        Convention.NORMALISED,
        scale,
        False,
        tuple(results),
        _compare(results, models),
    )


def _options(k: int, restrict: int | None, scale: Scale) -> str:
    """CLI options of a dimension-based view, defaults left out."""
    opts = f" --k {k}"
    if restrict:
        opts += f" --restrict {restrict}"
    if scale is not Scale.RAW:
        opts += f" --scale {scale.value}"
    return opts


@dataclass(frozen=True, slots=True)
class DimensionView:
    """One dimension of one model: both ends and its statistics."""

    model: ModelSummary
    dim: int
    k: int
    restrict: int | None
    scale: Scale
    top: tuple[Entry, ...]
    bottom: tuple[Entry, ...]
    stats: DimensionStats

    def title(self) -> Phrase:
        return Phrase.of(f"Dimension {self.dim} of ", Data(self.model.name))

    def slug(self) -> str:
        return slug_of(f"dim-{self.dim}", [self.model.name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `ends`: the words at both ends; `statistics`: of the raw coordinates."""
        s = self.stats
        return (
            models_table([self.model]),
            Table(
                "ends",
                "Words at both ends",
                ("rank", "top word", "value", "bottom word", "value"),
                tuple(
                    (i + 1, Data(t.word), t.value, Data(b.word), b.value)
                    for i, (t, b) in enumerate(zip(self.top, self.bottom, strict=False))
                ),
                caption=self.scale.label,
                numeric=(True, False, True, False, True),
            ),
            Table(
                "statistics",
                "Statistics (raw coordinates)",
                (
                    "words",
                    "mean",
                    "std",
                    "skewness",
                    "excess kurtosis",
                    "Spearman ρ with frequency rank",
                    "share of squared norm",
                ),
                (
                    (
                        s.count,
                        s.mean,
                        s.std,
                        s.skewness,
                        s.kurtosis,
                        "n/a" if s.frequency_spearman is None else s.frequency_spearman,
                        s.norm_share,
                    ),
                ),
                numeric=(True,) * 7,
            ),
        )

    def command(self) -> str:
        return f"polyterm dims {cli_models([self.model])} --dim {self.dim}" + _options(
            self.k, self.restrict, self.scale
        )


def dimension_view(
    model: Embedding,
    dim: int,
    *,
    k: int = 10,
    restrict: int | None = None,
    scale: Scale = Scale.RAW,
) -> DimensionView:
    if k < 1:
        raise PolytermError(f"k must be at least 1, not {k}")
    ext = dimension_extremes(model, dim, k, scale=scale, restrict=restrict)
    return DimensionView(
        ModelSummary.of(model),
        dim,
        k,
        restrict,
        scale,
        tuple(Entry(e.word, e.value) for e in ext.top),
        tuple(Entry(e.word, e.value) for e in ext.bottom),
        dimension_stats(model, dim, restrict=restrict),
    )


@dataclass(frozen=True, slots=True)
class RepeatsView:
    """The repeat statistic of one model (top and bottom ends)."""

    model: ModelSummary
    k: int
    restrict: int | None
    scale: Scale
    top: RepeatStatistic
    bottom: RepeatStatistic

    def title(self) -> Phrase:
        return Phrase.of(
            "Repeated words at the extremes of ", Data(self.model.name), "'s dimensions"
        )

    def slug(self) -> str:
        return slug_of("repeats", [self.model.name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `top` and `bottom`: the words that recur at that end of several
        dimensions (the caption says how many distinct words fill the slots)."""
        out = [models_table([self.model])]
        for stat in (self.top, self.bottom):
            out.append(
                Table(
                    stat.end,
                    f"{stat.end.capitalize()} {stat.k} of {stat.dims} dimensions",
                    ("word", "dimensions", "count"),
                    tuple(
                        (Data(r.word), ", ".join(map(str, r.dims)), len(r.dims))
                        for r in stat.repeated
                    ),
                    caption=(
                        f"{stat.distinct} distinct words fill {stat.slots} slots "
                        f"({stat.distinct_share:.1%} distinct); {len(stat.repeated)} words "
                        "recur in two or more dimensions."
                    ),
                    numeric=(False, False, True),
                )
            )
        return tuple(out)

    def command(self) -> str:
        return f"polyterm repeats {cli_models([self.model])}" + _options(
            self.k, self.restrict, self.scale
        )


def repeats_view(
    model: Embedding, *, k: int = 10, restrict: int | None = None, scale: Scale = Scale.RAW
) -> RepeatsView:
    if k < 1:
        raise PolytermError(f"k must be at least 1, not {k}")
    top, bottom = repeat_statistic(model, k, scale=scale, restrict=restrict)
    return RepeatsView(ModelSummary.of(model), k, restrict, scale, top, bottom)
