"""Views of one query across models: a word's neighbours, an expression, a dimension."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from polyterm.core.agreement_baselines import expression_baselines
from polyterm.core.basis_statistics import top_k_distinct_share
from polyterm.core.dimensions import (
    DimensionEntry,
    DimensionStats,
    Scale,
    dimension_extremes,
    dimension_stats,
)
from polyterm.core.embedding import Embedding, unit_rows
from polyterm.core.expression import Expression, parse_expression
from polyterm.core.neighbours import Convention, nearest_to_expression
from polyterm.core.nulls import NullSummary, single_model_null
from polyterm.core.repeats import RepeatStatistic, repeat_statistic
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.core.side_by_side import SideBySide, shared_vocabulary_size, side_by_side
from polyterm.engine.bases import BasisRequest, request_of
from polyterm.errors import PolytermError, UnknownWordError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table, shell_word
from polyterm.views.protocol import (
    Cell,
    Code,
    Data,
    Phrase,
    Table,
    ViewMethods,
    joined,
    null_text,
    slug_of,
)
from polyterm.views.settings import COMPARISON


class QueryKind(StrEnum):
    WORD = "word"
    EXPRESSION = "expression"
    DIMENSION = "dimension"


def component_noun(basis: BasisRequest) -> str:
    """What one column of a model in `basis` is called: dimension, axis or atom."""
    kind = basis.name.kind
    return "dimension" if kind == "raw" else "atom" if kind == "dict" else "axis"


def component_nouns(basis: BasisRequest) -> str:
    return {"dimension": "dimensions", "axis": "axes", "atom": "atoms"}[component_noun(basis)]


def one_ended(basis: BasisRequest) -> bool:
    """dict:K codes are non-negative: an atom's smallest codes are zeros, not a meaning,
    so only its top end is shown."""
    return basis.name.kind == "dict"


def basis_phrase(basis: BasisRequest) -> str:
    """``the ica basis`` or ``the ica basis (fit on 5,000 words, seed 3)``."""
    rest = basis.label()[len(str(basis.name)) :].lstrip(", ")
    return f"the {basis.name} basis" + (f" ({rest})" if rest else "")


def _value_label(basis: BasisRequest, scale: Scale) -> str:
    if basis.is_raw:
        return scale.label
    if scale is Scale.RAW:
        return f"{basis.name} code"
    noun = component_noun(basis)
    return f"{basis.name} code divided by the word's code norm (cosine with the {noun})"


def _top_end(top: Sequence[DimensionEntry], one_ended_basis: bool) -> tuple[Entry, ...]:
    """The top end as entries; an atom's list stops at its last word that uses it (a code of
    0 is not a meaning, even when fewer than k words use the atom)."""
    return tuple(Entry(e.word, e.value) for e in top if not one_ended_basis or e.value > 0)


def atom_usage(model: Embedding, atom: int) -> int:
    """How many of the model's words use atom `atom` (code > 0, over every word)."""
    return int(np.count_nonzero(np.asarray(model.vectors[:, atom]) > 0))


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


AGREEMENT_TOP_N = COMPARISON.top_n
"""The agreement baselines compare two models over their most frequent shared words."""


@dataclass(frozen=True, slots=True, eq=False)
class PairAgreement:
    """Two models' lists for the query over their `n_words` most frequent shared words
    (`jaccard`), beside the frequency-matched random-query and different-query baselines
    (`polyterm.core.agreement_baselines`)."""

    a: str
    b: str
    n_words: int
    jaccard: float
    random_queries: NullSummary
    different_query: NullSummary

    def text(self) -> str:
        """One line: the agreement and its baselines (the Calculator shows it)."""

        def one(n: NullSummary) -> str:
            z = "" if n.z is None else f", z {n.z:+.1f}"
            return f"{n.null_mean:.2f} ± {n.null_sd:.2f}{z}"

        return (
            f"Jaccard {self.jaccard:.2f} over {self.n_words:,} shared words · random "
            f"frequency-matched queries {one(self.random_queries)} · a different query "
            f"{one(self.different_query)}"
        )


@dataclass(frozen=True, slots=True)
class QueryView(ViewMethods):
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

    usage: tuple[int | None, ...] = field(default=(), metadata={"json": "unless-default"})
    """dict:K dimension queries: per result, how many words use the atom (code > 0)."""
    baselines: tuple[PairAgreement, ...] = field(
        default=(), compare=False, metadata={"json": "unless-default"}
    )
    """Expressions: each pair of models' agreement beside baselines that can fail."""

    @property
    def basis(self) -> BasisRequest:
        """The basis the models are in (raw, or the first model's)."""
        return self.results[0].model.basis if self.results else BasisRequest()

    @property
    def value_label(self) -> str:
        if self.kind is QueryKind.DIMENSION:
            return _value_label(self.basis, self.scale)
        return "cosine similarity"

    @property
    def caption(self) -> str:
        """What the values are (and, for neighbours, the convention)."""
        if self.kind is QueryKind.DIMENSION:
            return self.value_label
        return f"{self.value_label}; {self.convention.label}"

    def title(self) -> Phrase:
        if self.kind is QueryKind.DIMENSION:
            basis = self.basis
            if basis.is_raw:
                return Phrase.of(f"Dimension {self.query} across models (by index, unaligned)")
            return Phrase.of(
                f"{component_noun(basis).capitalize()} {self.query} across models in "
                f"{basis_phrase(basis)} (by index, unaligned)"
            )
        return Phrase.of("Nearest words to ", Code(self.query))

    def slug(self) -> str:
        what = f"dim-{self.query}" if self.kind is QueryKind.DIMENSION else self.query
        return slug_of(what, [r.model.slug_name for r in self.results])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `top` (and, for a dimension, `bottom`): rank and each answering
        model's words (bold where in more than one list); `agreement`: pairs of models."""
        ok = [r for r in self.results if r.error is None]
        shared = {w for w, _ in self.overlap.recurring}
        out = [models_table([r.model for r in self.results])]
        ends = (
            ("top", "bottom")
            if self.kind is QueryKind.DIMENSION and not one_ended(self.basis)
            else ("top",)
        )
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
            caption = self.caption
            if self.kind is QueryKind.DIMENSION and one_ended(self.basis):
                caption += self._usage_caption(ok)
            out.append(
                Table(
                    end,
                    title,
                    ("rank", *(Data(r.model.name) for r in ok)),
                    tuple(rows),
                    caption=caption,
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
        if self.baselines:
            out.append(
                Table(
                    "agreement-baselines",
                    "Agreement beside baselines that can fail",
                    (
                        "model A",
                        "model B",
                        "Jaccard (shared words)",
                        "random queries, frequency-matched (mean ± sd, z)",
                        "different query, frequency-matched (mean ± sd, z)",
                    ),
                    tuple(
                        (
                            Data(b.a),
                            Data(b.b),
                            b.jaccard,
                            null_text(b.random_queries),
                            null_text(b.different_query),
                        )
                        for b in self.baselines
                    ),
                    caption=(
                        f"Over each pair's {AGREEMENT_TOP_N:,} most frequent shared words. "
                        "Random queries: the same expression built from other words of "
                        "similar frequency (what the shared geometry gives any such query); "
                        "different query: A's list against B's for such another expression."
                    ),
                    numeric=(False, False, True, True, True),
                )
            )
        return tuple(out)

    def _usage_caption(self, ok: Sequence[ModelResult]) -> str:
        used = dict(zip((r.model.name for r in self.results), self.usage, strict=False))
        counts = [
            f"{used[r.model.name]:,} of {r.model.vocabulary:,} words in {r.model.name}"
            for r in ok
            if used.get(r.model.name) is not None
        ]
        text = "; words using the atom (code > 0): " + ", ".join(counts) if counts else ""
        return text + "; an atom's codes are non-negative: its bottom end is zeros, not shown"

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
    baselines = (
        _agreement_baselines(models, results, expr, k, include_query)
        if convention is Convention.NORMALISED
        else ()
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
        baselines=baselines,
    )


def _agreement_baselines(
    models: Sequence[Embedding],
    results: Sequence[ModelResult],
    expr: Expression,
    k: int,
    include_query: bool,
    *,
    repetitions: int = 20,
    seed: int = 0,
) -> tuple[PairAgreement, ...]:
    """Every pair of models that answered: the expression's agreement over their most
    frequent shared words beside its baselines (none when a word is not shared)."""
    ok = [m for m, r in zip(models, results, strict=True) if r.error is None]
    out = []
    for i, a in enumerate(ok):
        for b in ok[i + 1 :]:
            shared = shared_vocabulary([a.vocab, b.vocab], top_n=AGREEMENT_TOP_N)
            row = {w: j for j, w in enumerate(shared.words)}
            if any(t.word not in row for t in expr.terms) or len(shared.words) <= 3 * k:
                continue
            ua = unit_rows(np.asarray(a.vectors[shared.indices[0]], dtype=np.float64))
            ub = unit_rows(np.asarray(b.vectors[shared.indices[1]], dtype=np.float64))
            rows = np.array([[row[t.word] for t in expr.terms]], dtype=np.int64)
            weights = np.array([t.weight for t in expr.terms], dtype=np.float64)
            res = expression_baselines(
                ua, ub, rows, weights, k, repetitions=repetitions, seed=seed,
                exclude_query=not include_query,
            )  # fmt: skip
            out.append(
                PairAgreement(a.name, b.name, len(shared.words), res.observed,
                              res.random_queries, res.different_query)
            )  # fmt: skip
    return tuple(out)


def dimension_query_view(
    models: Sequence[Embedding],
    dim: int,
    *,
    k: int = 10,
    restrict: int | None = None,
    scale: Scale = Scale.RAW,
) -> QueryView:
    """Dimension `dim` of every model (by index: dimensions are not aligned across models);
    models in a basis (`BasisStore.in_basis`, all in the same one) show axis or atom `dim`."""
    bases = {request_of(m) for m in models}
    if len(bases) > 1:
        raise PolytermError(
            "the models are in different bases ("
            + ", ".join(sorted(b.label() for b in bases))
            + "): compare them in one"
        )
    results: list[ModelResult] = []
    usage: list[int | None] = []
    for model in models:
        summary = ModelSummary.of(model)
        if not 0 <= dim < model.dims:
            noun = component_nouns(summary.basis)
            results.append(
                ModelResult(summary, error=f"{model.name} has {noun} 0 to {model.dims - 1}")
            )
            usage.append(None)
            continue
        ext = dimension_extremes(model, dim, k, scale=scale, restrict=restrict)
        ended = one_ended(summary.basis)
        results.append(
            ModelResult(
                summary,
                _top_end(ext.top, ended),
                () if ended else tuple(Entry(e.word, e.value) for e in ext.bottom),
            )
        )
        usage.append(atom_usage(model, dim) if ended else None)
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
        usage=tuple(usage) if any(u is not None for u in usage) else (),
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
class DimensionView(ViewMethods):
    """One dimension of one model: both ends and its statistics."""

    model: ModelSummary
    dim: int
    k: int
    restrict: int | None
    scale: Scale
    top: tuple[Entry, ...]
    bottom: tuple[Entry, ...]
    stats: DimensionStats
    usage: int | None = field(default=None, metadata={"json": "unless-default"})
    """dict:K: how many of the model's words use the atom (code > 0, over every word)."""

    @property
    def basis(self) -> BasisRequest:
        return self.model.basis

    @property
    def noun(self) -> str:
        """dimension (raw), axis (pca, ica) or atom (dict:K)."""
        return component_noun(self.basis)

    @property
    def value_label(self) -> str:
        return _value_label(self.basis, self.scale)

    def title(self) -> Phrase:
        return Phrase.of(f"{self.noun.capitalize()} {self.dim} of ", Data(self.model.label))

    def slug(self) -> str:
        return slug_of(f"dim-{self.dim}", [self.model.slug_name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `ends`: the words at both ends (a dict:K atom: its top end only, with
        how many words use it); `statistics`: of the raw coordinates (or the codes)."""
        s = self.stats
        return (
            models_table([self.model]),
            self._ends(),
            Table(
                "statistics",
                "Statistics (raw coordinates)"
                if self.basis.is_raw
                else f"Statistics ({self.basis.name} codes)",
                (
                    "words",
                    "mean",
                    "std",
                    "skewness",
                    "excess kurtosis",
                    "Spearman ρ with frequency rank",
                    "share of squared norm",
                )
                + (("words using the atom",) if self.usage is not None else ()),
                (
                    (
                        s.count,
                        s.mean,
                        s.std,
                        s.skewness,
                        s.kurtosis,
                        "n/a" if s.frequency_spearman is None else s.frequency_spearman,
                        s.norm_share,
                    )
                    + ((self.usage,) if self.usage is not None else ()),
                ),
                numeric=(True,) * (7 + (self.usage is not None)),
            ),
        )

    def _ends(self) -> Table:
        if self.basis.is_raw:
            return Table(
                "ends",
                "Words at both ends",
                ("rank", "top word", "value", "bottom word", "value"),
                tuple(
                    (i + 1, Data(t.word), t.value, Data(b.word), b.value)
                    for i, (t, b) in enumerate(zip(self.top, self.bottom, strict=False))
                ),
                caption=self.scale.label,
                numeric=(True, False, True, False, True),
            )
        noun = self.noun
        if one_ended(self.basis):
            used = (
                ""
                if self.usage is None
                else (
                    f"{self.usage:,} of {self.model.vocabulary:,} words use this atom (code > 0); "
                )
            )
            return Table(
                "ends",
                "Words at the top of the atom",
                ("rank", "top word", "code"),
                tuple((i + 1, Data(t.word), t.value) for i, t in enumerate(self.top)),
                caption=(
                    f"{self.value_label}; {used}an atom's codes are non-negative, so its "
                    "bottom end is zeros, not a meaning, and is not shown"
                ),
                numeric=(True, False, True),
            )
        return Table(
            "ends",
            f"Words at both ends of the {noun}",
            ("rank", f"top of the {noun}", "code", f"bottom of the {noun}", "code"),
            tuple(
                (i + 1, Data(t.word), t.value, Data(b.word), b.value)
                for i, (t, b) in enumerate(zip(self.top, self.bottom, strict=False))
            ),
            caption=self.value_label,
            numeric=(True, False, True, False, True),
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
    summary = ModelSummary.of(model)
    if not summary.basis.is_raw and not 0 <= dim < model.dims:
        raise PolytermError(
            f"{model.name} has {component_nouns(summary.basis)} 0 to {model.dims - 1}, not {dim}"
        )
    ext = dimension_extremes(model, dim, k, scale=scale, restrict=restrict)
    ended = one_ended(summary.basis)
    return DimensionView(
        summary,
        dim,
        k,
        restrict,
        scale,
        _top_end(ext.top, ended),
        () if ended else tuple(Entry(e.word, e.value) for e in ext.bottom),
        dimension_stats(model, dim, restrict=restrict),
        usage=atom_usage(model, dim) if ended else None,
    )


@dataclass(frozen=True, slots=True)
class RepeatsView(ViewMethods):
    """The repeat statistic of one model (top and bottom ends)."""

    model: ModelSummary
    k: int
    restrict: int | None
    scale: Scale
    top: RepeatStatistic
    bottom: RepeatStatistic
    null_top: NullSummary | None = field(
        default=None, compare=False, metadata={"json": "unless-default"}
    )
    """The distinct share of the top ends in randomly rotated bases of the same model."""
    null_bottom: NullSummary | None = field(
        default=None, compare=False, metadata={"json": "unless-default"}
    )

    @property
    def value_label(self) -> str:
        return _value_label(self.model.basis, self.scale)

    def null_of(self, end: str) -> NullSummary | None:
        return self.null_top if end == "top" else self.null_bottom

    def null_caption(self, end: str) -> str:
        """' In randomly rotated bases: 0.412 ± 0.010, z -1.2 (R draws): ...' or ''."""
        n = self.null_of(end)
        if n is None:
            return ""
        return (
            f" In {n.repetitions} randomly rotated bases of the same model: "
            f"{null_text(n)} — {repeats_verdict(n)}"
        )

    def readings(self) -> tuple[str, ...]:
        out = []
        for stat in (self.top, self.bottom):
            n = self.null_of(stat.end)
            if n is None:
                continue
            out.append(
                f"{self.model.name}, {stat.end} ends: {stat.distinct_share:.1%} of the slots "
                f"hold distinct words; in randomly rotated bases {n.null_mean:.1%} ± "
                f"{n.null_sd:.1%} — {repeats_verdict(n)}"
            )
        return tuple(out)

    def title(self) -> Phrase:
        return Phrase.of(
            "Repeated words at the extremes of ",
            Data(self.model.label),
            f"'s {component_nouns(self.model.basis)}",
        )

    def slug(self) -> str:
        return slug_of("repeats", [self.model.slug_name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `top` and `bottom`: the words that recur at that end of several
        dimensions (the caption says how many distinct words fill the slots); a dict:K
        model has only `top` (an atom's bottom end is zeros)."""
        out = [models_table([self.model])]
        nouns = component_nouns(self.model.basis)
        ends = (self.top,) if one_ended(self.model.basis) else (self.top, self.bottom)
        for stat in ends:
            out.append(
                Table(
                    stat.end,
                    f"{stat.end.capitalize()} {stat.k} of {stat.dims} {nouns}",
                    ("word", "dimensions" if self.model.basis.is_raw else nouns, "count"),
                    tuple(
                        (Data(r.word), ", ".join(map(str, r.dims)), len(r.dims))
                        for r in stat.repeated
                    ),
                    caption=(
                        f"{stat.distinct} distinct words fill {stat.slots} slots "
                        f"({stat.distinct_share:.1%} distinct); {len(stat.repeated)} words "
                        f"recur in two or more {nouns}." + self.null_caption(stat.end)
                    ),
                    numeric=(False, False, True),
                )
            )
        return tuple(out)

    def command(self) -> str:
        return f"polyterm repeats {cli_models([self.model])}" + _options(
            self.k, self.restrict, self.scale
        )


def repeats_verdict(n: NullSummary) -> str:
    """Whether a repeat share differs from its rotated-basis null (|z| >= 3)."""
    if n.degenerate or n.z is None:
        return "the share does not change under a rotation."
    if abs(n.z) >= 3:
        more = "fewer" if n.z > 0 else "more"
        return f"the basis itself shapes the repeats ({more} repeats than a random basis)."
    return "a random basis repeats as much: the repeats belong to the geometry, not the basis."


REPEATS_NULL_REPETITIONS = 20


def repeats_view(
    model: Embedding,
    *,
    k: int = 10,
    restrict: int | None = None,
    scale: Scale = Scale.RAW,
    repetitions: int = REPEATS_NULL_REPETITIONS,
    seed: int = 0,
) -> RepeatsView:
    """The repeat statistic of `model`, each end beside the same statistic in randomly
    rotated bases of the model (`repetitions` draws; 0 skips the null)."""
    if k < 1:
        raise PolytermError(f"k must be at least 1, not {k}")
    top, bottom = repeat_statistic(model, k, scale=scale, restrict=restrict)
    null_top = null_bottom = None
    if repetitions >= 2:
        null_top, null_bottom = model.memoised(
            ("repeats_null", k, restrict, scale, repetitions, seed),
            lambda: _repeats_nulls(model, k, restrict, scale, repetitions, seed),
        )
    return RepeatsView(ModelSummary.of(model), k, restrict, scale, top, bottom,
                       null_top, null_bottom)  # fmt: skip


def _repeats_nulls(
    model: Embedding, k: int, restrict: int | None, scale: Scale, repetitions: int, seed: int
) -> tuple[NullSummary | None, NullSummary | None]:
    """Both ends' distinct share in rotated bases (none for a model of at most 2k words:
    its top and bottom lists overlap whatever the basis)."""
    source = model.vectors if scale is Scale.RAW else model.unit
    x = np.asarray(source[: restrict or None], dtype=np.float64)
    if x.shape[0] <= 2 * k or x.shape[1] < 2:
        return None, None
    top = single_model_null(lambda m: top_k_distinct_share(m, k), x,
                            repetitions=repetitions, seed=seed)  # fmt: skip
    bottom = single_model_null(lambda m: top_k_distinct_share(-m, k), x,
                               repetitions=repetitions, seed=seed)  # fmt: skip
    return top, bottom
