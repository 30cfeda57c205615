"""Polysemanticity, measured: which meanings each axis end mixes (`FeaturesView`, one
model), and whether other models mix the same ones (`GroupingsView`, two or more).

The statistics are `polyterm.core.enrichment`'s; the labels a `FeatureLabels` (WordNet
supersenses, parts of speech, Brown genres, a user's file). Each figure stands beside
its two nulls: random directions of the same model (a Haar rotation of its space — of
the whitened space for pca/ica; K random directions of the model's own vector space,
top ends only, for dict:K) and the labels shuffled among words of similar frequency.

Readings are written from the same decision rule as the tables (a feature is enriched
when BH q <= alpha and count >= min_count; a model statistic is "above" or "below" its
null only when |z| > 2) and never say more than that.

For a pane: `features_view(model_in_basis, labels, base=model)` or
`groupings_view([a, b], labels, bases=..., store=...)` off the UI thread, then read
`view.table("ends")`, `view.table("features")`, `view.table("summary")` (FeaturesView) or
`view.table("shared")`, `view.table("pairs")` (GroupingsView) as any protocol view.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from polyterm.core.embedding import Embedding
from polyterm.core.enrichment import (
    DEFAULT_ALPHA,
    DEFAULT_BINS,
    DEFAULT_DRAWS,
    DEFAULT_K,
    DEFAULT_MIN_COUNT,
    Enrichment,
    LabelMatrix,
    NullDraws,
    compare_pair,
    enrichment,
    groupings,
    model_statistics,
    rotation_null,
    shuffle_null,
)
from polyterm.core.features import FeatureLabels
from polyterm.core.nulls import NullSummary
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.engine.bases import BasisRequest, request_of
from polyterm.errors import PolytermError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table
from polyterm.views.protocol import (
    Cell,
    Data,
    Phrase,
    Table,
    ViewMethods,
    joined,
    slug_of,
)
from polyterm.views.protocol import null_text as _null_text
from polyterm.views.query import component_noun, component_nouns, one_ended

DEFAULT_VOCABULARY = 10_000
"""Words scored when --restrict is not given: the most frequent 10,000 (the fit words of
every basis by default)."""
WORDS_SHOWN = 8
Z_CLEAR = 2.0


def source_option(labels: FeatureLabels) -> str:
    """The CLI option that asks for `labels` again: ``--source wordnet`` or, for a file,
    ``--features PATH``."""
    path = labels.meta.get("file")
    if labels.source.startswith("file:") and path:
        return f"--features {shlex.quote(str(path))}"
    return f"--source {labels.source}"


def _side(side: int) -> str:
    return "top" if side == 0 else "bottom"


@dataclass(frozen=True, slots=True)
class EnrichedFeature:
    feature: str
    count: int
    expected: float
    """k_end · n_f / M: the count a random draw of the end's size would have on average."""
    p: float
    """The deciding p: the frequency-stratified exact test (over `FeaturesView.bins` bins)."""
    q: float
    words: tuple[str, ...]
    p_plain: float | None = None
    """The plain hypergeometric p, ignoring frequency (secondary)."""


@dataclass(frozen=True, slots=True)
class EndFeatures:
    axis: int
    side: str
    """top or bottom (a dict:K atom has only a top)."""
    words: tuple[str, ...]
    meaning_count: int
    effective_labels: float
    mean_senses: float | None
    enriched: tuple[EnrichedFeature, ...]

    @property
    def polysemantic(self) -> bool:
        return self.meaning_count >= 2


@dataclass(frozen=True, slots=True)
class StatisticWithNulls:
    name: str
    rotation: NullSummary
    shuffle: NullSummary

    @property
    def observed(self) -> float:
        return self.rotation.observed


@dataclass(frozen=True, slots=True)
class EndNull:
    """Per-end values pooled over every end of every null draw."""

    kind: str
    meaning_mean: float
    meaning_sd: float
    effective_mean: float
    effective_sd: float


def _end_features(result: Enrichment, lm: LabelMatrix, e: int) -> EndFeatures:
    words = lm.words
    length = int(result.ends.length[e])
    rows = result.ends.rows[e, :length]
    end_words = tuple(words[int(r)] for r in rows)
    enriched = []
    for f in result.enriched_features(e):
        carriers = int(result.carriers[f])
        enriched.append(
            EnrichedFeature(
                feature=result.features[f],
                count=int(result.counts[e, f]),
                expected=length * carriers / result.population if result.population else 0.0,
                p=float(result.p[e, f]),
                q=float(result.q[e, f]),
                words=tuple(
                    w for w, r in zip(end_words, rows, strict=True) if lm.member[int(r), f]
                ),
                p_plain=None if result.p_plain is None else float(result.p_plain[e, f]),
            )
        )
    senses = None if result.mean_senses is None else float(result.mean_senses[e])
    return EndFeatures(
        axis=int(result.ends.axis[e]),
        side=_side(int(result.ends.side[e])),
        words=end_words,
        meaning_count=int(result.meaning_count[e]),
        effective_labels=float(result.effective[e]),
        mean_senses=None if senses is None or not np.isfinite(senses) else senses,
        enriched=tuple(enriched),
    )


def _end_null(null: NullDraws) -> EndNull:
    m, e = null.end_meaning_count, null.end_effective
    return EndNull(
        null.kind,
        float(m.mean()),
        float(m.std(ddof=1)) if m.size > 1 else 0.0,
        float(e.mean()),
        float(e.std(ddof=1)) if e.size > 1 else 0.0,
    )


def null_text(n: NullSummary | None) -> str:
    """`protocol.null_text`, except that a null equal in every draw says so with its value
    ("0.000 in all 20 draws, no z") rather than hiding it."""
    if n is not None and n.degenerate:
        return f"{n.null_mean:.3f} in all {n.repetitions} draws (no spread: no z)"
    return _null_text(n)


def _z(value: float, mean: float, sd: float) -> str:
    return "—" if sd <= 1e-12 else f"{(value - mean) / sd:+.1f}"


def compared(s: NullSummary) -> str:
    """ "above", "below" or "at" its null: |z| > 2, else at (no z: equal means at)."""
    if s.z is None:
        return (
            "at"
            if abs(s.observed - s.null_mean) <= 1e-12
            else ("above" if s.observed > s.null_mean else "below")
        )
    if s.z > Z_CLEAR:
        return "above"
    if s.z < -Z_CLEAR:
        return "below"
    return "at"


def _versus(s: NullSummary, what: str) -> str:
    word = compared(s)
    if word == "at":
        return f"no different from {what} ({null_text(s)})"
    return f"{'more' if word == 'above' else 'less'} than {what} ({null_text(s)})"


@dataclass(frozen=True, slots=True)
class FeaturesView(ViewMethods):
    """Every end of one model's axes (or one axis's ends) and the features enriched on
    them, with the model's meaning statistics beside their nulls."""

    model: ModelSummary
    source: str
    rule: str
    k: int
    vocabulary: int
    """Words scored (the most frequent `vocabulary` of the model)."""
    labelled: int
    """M: of those, the words carrying a label."""
    alpha: float
    min_count: int
    draws: int
    seed: int
    bins: int
    null_description: str
    ends: tuple[EndFeatures, ...]
    statistics: tuple[StatisticWithNulls, ...]
    end_nulls: tuple[EndNull, ...]
    dim: int | None = None
    restrict: int | None = field(default=None, metadata={"json": "unless-default"})
    option: str = field(default="", metadata={"json": False})
    """The CLI option naming the source (`source_option`)."""

    @property
    def basis(self) -> BasisRequest:
        return self.model.basis

    @property
    def noun(self) -> str:
        return component_noun(self.basis)

    def statistic(self, name: str) -> StatisticWithNulls:
        return next(s for s in self.statistics if s.name == name)

    def title(self) -> Phrase:
        what = f"{self.noun.capitalize()} {self.dim} of " if self.dim is not None else ""
        return Phrase.of(f"Features ({self.source}) of {what}", Data(self.model.label))

    def slug(self) -> str:
        what = f"features-{self.source}" + (f"-dim-{self.dim}" if self.dim is not None else "")
        return slug_of(what, [self.model.slug_name])

    def tables(self) -> tuple[Table, ...]:
        return (
            models_table([self.model]),
            self._summary(),
            self._ends(),
            self._features(),
        )

    def _summary(self) -> Table:
        labels = {
            "mean_meaning_count": "mean meaning count per end",
            "polysemantic_share": "share of polysemantic ends (2+ features)",
            "enriched_cells": "enriched (end, feature) cells",
        }
        rows: list[tuple[Cell, ...]] = [
            (
                labels[s.name],
                int(s.observed) if s.name == "enriched_cells" else s.observed,
                null_text(s.rotation),
                null_text(s.shuffle),
            )
            for s in self.statistics
        ]
        return Table(
            "summary",
            "Meanings per end, beside random directions and shuffled labels",
            ("statistic", "observed", "random directions", "labels shuffled"),
            tuple(rows),
            caption=(
                f"{self.labelled:,} of the {self.vocabulary:,} most frequent words carry a "
                f"{self.source} label; each end is its {self.k} labelled words with the "
                f"largest codes (unlabelled words are skipped, so an end reaches past rank "
                f"{self.k} when the source leaves words unlabelled, as WordNet does, and two "
                "sources score different words for the same end); "
                f"a feature is enriched when its frequency-stratified exact p "
                f"(its count on the end as a sum of one hypergeometric per frequency bin, "
                f"{self.bins} bins of the labelled words by frequency rank: the end's "
                f"frequent words are compared with frequent words only), Benjamini–Hochberg-"
                f"adjusted over every (end, feature) cell, is <= {self.alpha:g} and it holds "
                f"at least {self.min_count} of the end's words. BH runs over this model's "
                "cells, so raw counts are not comparable across model sizes: only the "
                "excess over random directions is. "
                f"Nulls: {self.null_description}; mean ± sd over {self.draws} draws, z. "
                f"Source rule: {self.rule}"
            ),
            numeric=(False, True, False, False),
        )

    def _ends(self) -> Table:
        senses = any(e.mean_senses is not None for e in self.ends)
        rot = next((n for n in self.end_nulls if n.kind == "rotation"), None)
        rows: list[tuple[Cell, ...]] = []
        for e in self.ends:
            features = joined([f"{f.feature} ({f.count})" for f in e.enriched]) or Phrase(("—",))
            z = _z(e.meaning_count, rot.meaning_mean, rot.meaning_sd) if rot else "—"
            row: tuple[Cell, ...] = (
                e.axis, e.side, e.meaning_count, z, features, e.effective_labels,
            )  # fmt: skip
            if senses:
                row += (e.mean_senses,)
            rows.append((*row, joined(e.words[:WORDS_SHOWN])))
        null_caption = ""
        if rot is not None:
            null_caption = (
                f"; a random direction's end has {rot.meaning_mean:.2f} ± {rot.meaning_sd:.2f} "
                f"meanings and {rot.effective_mean:.2f} ± {rot.effective_sd:.2f} effective labels"
            )
        return Table(
            "ends",
            f"Enriched features of each end ({self.noun})",
            (self.noun, "end", "meanings", "z vs random", "enriched features (count)",
             "effective labels") + (("mean senses",) if senses else ()) + ("top words",),
            tuple(rows),
            caption=(
                "meanings: features enriched on the end; effective labels: exp of the "
                "entropy of the end's labels"
                + (", mean senses: WordNet senses of the end's words (word polysemy, not "
                   "the axis's)" if senses else "")
                + null_caption
            ),
            numeric=(True, False, True, True, False, True) + ((True,) if senses else ())
            + (False,),
        )  # fmt: skip

    def _features(self) -> Table:
        rows: list[tuple[Cell, ...]] = [
            (e.axis, e.side, Data(f.feature), f.count, f.expected, f"{f.p:.2e}",
             f"{f.q:.2e}", "—" if f.p_plain is None else f"{f.p_plain:.2e}",
             joined(f.words[:WORDS_SHOWN]))
            for e in self.ends
            for f in e.enriched
        ]  # fmt: skip
        return Table(
            "features",
            "Enriched features with their words",
            (
                self.noun,
                "end",
                "feature",
                "count",
                "expected",
                "p",
                "q (BH)",
                "p, ignoring frequency",
                "words",
            ),
            tuple(rows),
            caption=(
                "expected: the count in a random set of the end's size; p: the frequency-"
                "stratified exact test, which decides; p, ignoring frequency: the plain "
                "hypergeometric test against all labelled words (shown, not used)"
            ),
            numeric=(True, False, False, True, True, True, True, True, False),
        )

    def command(self) -> str:
        option = self.option or f"--source {self.source}"
        text = f"polyterm features {cli_models([self.model])} {option}"
        if self.dim is not None:
            text += f" --dim {self.dim}"
        if self.k != DEFAULT_K:
            text += f" --k {self.k}"
        if self.restrict:
            text += f" --restrict {self.restrict}"
        return text

    def readings(self) -> tuple[str, ...]:
        return features_readings(self)


def features_readings(view: FeaturesView) -> tuple[str, ...]:
    """Sentences from the table's own rule: enriched means q <= alpha and count >=
    min_count; 'more/less than random directions' only when |z| > 2."""
    out: list[str] = []
    name = view.model.label
    if view.dim is not None:
        for e in view.ends:
            where = f"{name}, {view.noun} {e.axis} ({e.side} end)"
            feats = [f.feature for f in e.enriched]
            if len(feats) >= 2:
                out.append(f"{where} mixes {len(feats)} meanings: " + ", ".join(feats) + ".")
            elif len(feats) == 1:
                out.append(f"{where} carries one enriched meaning: {feats[0]}.")
            else:
                out.append(f"{where}: no {view.source} feature is enriched.")
        return tuple(out)
    share = view.statistic("polysemantic_share")
    mean = view.statistic("mean_meaning_count")
    n = len(view.ends)
    poly = sum(e.polysemantic for e in view.ends)
    out.append(
        f"{name}: {poly} of {n} ends are polysemantic ({view.source} features); the share "
        f"is {_versus(share.rotation, 'random directions')}."
    )
    out.append(
        f"{name}: {mean.observed:.2f} meanings per end, "
        f"{_versus(mean.rotation, 'random directions')}; with labels shuffled "
        f"{mean.shuffle.null_mean:.2f}."
    )
    return tuple(out)


def _null_description(basis: BasisRequest) -> str:
    if one_ended(basis):
        return (
            "random directions = as many random unit directions of the model's own vector "
            "space as it has atoms, top ends only (positive projections), the geometry "
            "kept; labels shuffled among words of similar frequency"
        )
    space = "whitened space" if basis.name.whitened else "vector space"
    return (
        f"random directions = the codes in a Haar-random orthonormal basis of the {space}; "
        "labels shuffled among words of similar frequency (10 frequency bins)"
    )


def _vocabulary(model: Embedding, restrict: int | None) -> int:
    return min(len(model), restrict or DEFAULT_VOCABULARY)


def _labelled(model: Embedding, labels: FeatureLabels, n: int, k: int) -> LabelMatrix:
    lm = LabelMatrix.of(list(model.vocab[i] for i in range(n)), labels)
    if len(lm) < 2 * k:
        raise PolytermError(
            f"only {len(lm):,} of the {n:,} most frequent words of {model.name} carry a "
            f"{labels.source} label: too few for ends of {k} words; lower --k, raise "
            "--restrict or choose another --source"
        )
    return lm


def _source(
    model: Embedding, base: Embedding | None, rows: np.ndarray
) -> tuple[np.ndarray, int | None]:
    """What the random-direction null rotates: the codes (signed bases) or the base model's
    raw vectors with one direction per atom (dict:K)."""
    if one_ended(request_of(model)):
        if base is None:
            raise PolytermError(f"the dict null of {model.name} needs the model itself")
        return np.asarray(base.vectors[rows], dtype=np.float64), model.dims
    return np.asarray(model.vectors[rows], dtype=np.float64), None


def features_view(
    model: Embedding,
    labels: FeatureLabels,
    *,
    base: Embedding | None = None,
    k: int = DEFAULT_K,
    restrict: int | None = None,
    dim: int | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    bins: int = DEFAULT_BINS,
) -> FeaturesView:
    """`model` (in its basis; `base` the model itself, needed for dict:K's null) scored
    over its `restrict` most frequent words (default 10,000)."""
    if k < 1:
        raise PolytermError(f"--k must be at least 1, not {k}")
    if draws < 2:
        raise PolytermError(f"--repetitions must be at least 2, not {draws}")
    summary = ModelSummary.of(model)
    if dim is not None and not 0 <= dim < model.dims:
        raise PolytermError(
            f"{model.name} has {component_noun(summary.basis)}s 0 to {model.dims - 1}, not {dim}"
        )
    n = _vocabulary(model, restrict)
    lm = _labelled(model, labels, n, k)
    ended = one_ended(summary.basis)
    codes = np.asarray(model.vectors[lm.rows], dtype=np.float64)
    result = enrichment(
        codes, lm, k=k, one_ended=ended, alpha=alpha, min_count=min_count, bins=bins
    )
    source, directions = _source(model, base, lm.rows)
    rot = rotation_null(source, lm, k=k, one_ended=ended, directions=directions, draws=draws,
                        seed=seed, alpha=alpha, min_count=min_count, bins=bins)  # fmt: skip
    shuf = shuffle_null(result, lm, draws=draws, seed=seed, bins=bins)
    stats = tuple(
        StatisticWithNulls(name, rot.summary(name, value), shuf.summary(name, value))
        for name, value in model_statistics(result).items()
    )
    chosen = [e for e in range(result.n_ends) if dim is None or int(result.ends.axis[e]) == dim]
    return FeaturesView(
        model=summary,
        source=labels.source,
        rule=labels.rule,
        k=k,
        vocabulary=n,
        labelled=len(lm),
        alpha=alpha,
        min_count=min_count,
        draws=draws,
        seed=seed,
        bins=bins,
        null_description=_null_description(summary.basis),
        ends=tuple(_end_features(result, lm, e) for e in chosen),
        statistics=stats,
        end_nulls=(_end_null(rot), _end_null(shuf)),
        dim=dim,
        restrict=restrict,
        option=source_option(labels),
    )


# -- groupings of two or more models ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupingEnd:
    axis: int
    side: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SharedGrouping:
    features: tuple[str, str]
    ends_a: tuple[GroupingEnd, ...]
    ends_b: tuple[GroupingEnd, ...]


@dataclass(frozen=True, slots=True)
class GroupingPair:
    a: str
    b: str
    groupings_a: int
    groupings_b: int
    jaccard: StatisticWithNulls
    matched_overlap: StatisticWithNulls
    overlap_pairs: int
    shared: tuple[SharedGrouping, ...]
    words: int = 0
    """Shared words of this pair scored (the most frequent `words` the two models share)."""
    labelled: int = 0
    """Of them, the words that carry a label."""


@dataclass(frozen=True, slots=True)
class GroupingsView(ViewMethods):
    """Which feature pairs each model's axes group together, and whether the others group
    them too, beside A in random directions and labels shuffled."""

    models: tuple[ModelSummary, ...]
    source: str
    rule: str
    k: int
    words: int
    """Words all the models share (up to `restrict`); each pair is scored over its own
    shared words (`GroupingPair.words`), so a pair's numbers do not depend on the others."""
    labelled: int
    alpha: float
    draws: int
    seed: int
    null_description: str
    pairs: tuple[GroupingPair, ...]
    restrict: int | None = field(default=None, metadata={"json": "unless-default"})
    option: str = field(default="", metadata={"json": False})
    """The CLI option naming the source (`source_option`)."""

    @property
    def basis(self) -> BasisRequest:
        return self.models[0].basis

    @property
    def noun(self) -> str:
        return component_noun(self.basis)

    def title(self) -> Phrase:
        names: list[str | Data] = []
        for i, m in enumerate(self.models):
            names += ([", "] if i else []) + [Data(m.label)]
        return Phrase.of(f"Polysemantic groupings ({self.source}) of ", *names)

    def slug(self) -> str:
        return slug_of(f"groupings-{self.source}", [m.slug_name for m in self.models])

    def tables(self) -> tuple[Table, ...]:
        rows: list[tuple[Cell, ...]] = []
        for p in self.pairs:
            rows.append(
                (Data(p.a), Data(p.b), p.groupings_a, p.groupings_b, len(p.shared),
                 p.jaccard.observed, null_text(p.jaccard.rotation), null_text(p.jaccard.shuffle),
                 p.matched_overlap.observed, null_text(p.matched_overlap.rotation),
                 null_text(p.matched_overlap.shuffle), p.overlap_pairs, p.words, p.labelled)
            )  # fmt: skip
        pairs = Table(
            "pairs",
            "Groupings shared by each pair of models",
            ("model A", "model B", "groupings A", "groupings B", "shared", "Jaccard",
             "Jaccard, A in random directions", "Jaccard, labels shuffled",
             "matched-end overlap", "overlap, A in random directions",
             "overlap, labels shuffled", "matched ends with a feature", "shared words",
             "labelled words"),
            tuple(rows),
            caption=(
                f"a grouping is a pair of {self.source} features enriched together on one end "
                f"(frequency-stratified exact test, BH q <= {self.alpha:g}); Jaccard of the "
                "two models' grouping sets; matched-"
                f"end overlap: mean Jaccard of the enriched feature sets of the ends the "
                f"matching of {component_nouns(self.basis)} pairs (Hungarian on |r| over the "
                "shared words), "
                f"over ends where either has a feature. Nulls: {self.null_description}; "
                f"mean ± sd over {self.draws} draws, z. Each pair is scored over its own "
                "most frequent shared words (columns shared words, labelled words), so its "
                "numbers do not depend on the other models of the run."
            ),
            numeric=(False, False, True, True, True, True, False, False, True, False, False,
                     True, True, True),
        )  # fmt: skip
        shared_rows: list[tuple[Cell, ...]] = []
        for p in self.pairs:
            for g in p.shared:
                shared_rows.append(
                    (Data(f"{g.features[0]} + {g.features[1]}"), Data(p.a),
                     _ends_text(g.ends_a, self.noun), Data(p.b), _ends_text(g.ends_b, self.noun))
                )  # fmt: skip
        shared = Table(
            "shared",
            "Groupings both models have, with the axis (and its words) in each",
            ("grouping", "model A", f"{self.noun} in A", "model B", f"{self.noun} in B"),
            tuple(shared_rows),
            numeric=(False,) * 5,
        )
        return (models_table(list(self.models)), pairs, shared)

    def command(self) -> str:
        option = self.option or f"--source {self.source}"
        text = f"polyterm groupings {cli_models(list(self.models))} {option}"
        if self.k != DEFAULT_K:
            text += f" --k {self.k}"
        if self.restrict:
            text += f" --restrict {self.restrict}"
        return text

    def readings(self) -> tuple[str, ...]:
        return groupings_readings(self)


def _ends_text(ends: Sequence[GroupingEnd], noun: str) -> Phrase:
    parts: list[str | Data | Phrase] = []
    for i, e in enumerate(ends):
        if i:
            parts.append("; ")
        parts += [f"{noun} {e.axis} {e.side}: ", joined(e.words[:WORDS_SHOWN])]
    return Phrase.of(*parts)


def groupings_readings(view: GroupingsView) -> tuple[str, ...]:
    out: list[str] = []
    for p in view.pairs:
        j = p.jaccard
        line = (
            f"{p.a} and {p.b} share {len(p.shared)} of their groupings "
            f"({p.groupings_a} and {p.groupings_b}; Jaccard {j.observed:.3f}), "
            f"{_versus(j.rotation, 'A in random directions')}"
        )
        if compared(j.rotation) == "above" and compared(j.shuffle) == "above":
            line += ", and more than with labels shuffled: the shared mixture depends on meaning"
        out.append(line + ".")
        if p.shared and compared(j.rotation) == "above":
            g = p.shared[0]
            a, b = g.ends_a[0], g.ends_b[0]
            out.append(
                f"For example {g.features[0]} with {g.features[1]} share an {view.noun} in "
                f"{p.a} ({view.noun} {a.axis}, {a.side}) and in {p.b} ({view.noun} {b.axis}, "
                f"{b.side})."
            )
        o = p.matched_overlap
        out.append(
            f"Matched {component_nouns(view.basis)} of {p.a} and {p.b}: their enriched "
            "features overlap "
            f"{o.observed:.3f}, {_versus(o.rotation, 'A in random directions')}."
        )
    return tuple(out)


def groupings_view(
    models: Sequence[Embedding],
    labels: FeatureLabels,
    *,
    bases: Sequence[Embedding | None] | None = None,
    k: int = DEFAULT_K,
    restrict: int | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    bins: int = DEFAULT_BINS,
) -> GroupingsView:
    """`models` (all in one basis; `bases` the models themselves, for dict:K's null) over
    their `restrict` (default 10,000) most frequent shared words."""
    if len(models) < 2:
        raise PolytermError("groupings needs two or more models")
    if draws < 2:
        raise PolytermError(f"--repetitions must be at least 2, not {draws}")
    summaries = [ModelSummary.of(m) for m in models]
    basis = summaries[0].basis
    top_n = restrict or DEFAULT_VOCABULARY
    shared = shared_vocabulary([m.vocab for m in models], top_n=top_n)
    lm_all = LabelMatrix.of(list(shared.words), labels)
    ended = one_ended(basis)
    raw = list(bases) if bases is not None else [None] * len(models)
    pairs = []
    for ia, ib in combinations(range(len(models)), 2):
        # each pair over its own shared words: its numbers never depend on the other models
        pair_shared = shared_vocabulary([models[ia].vocab, models[ib].vocab], top_n=top_n)
        lm = LabelMatrix.of(list(pair_shared.words), labels)
        if len(lm) < 2 * k:
            raise PolytermError(
                f"only {len(lm):,} of the {len(pair_shared.words):,} words {models[ia].name} "
                f"and {models[ib].name} share carry a {labels.source} label: too few for ends "
                f"of {k} words; lower --k or raise --restrict"
            )
        idx_a, idx_b = pair_shared.indices
        codes_a = np.asarray(models[ia].vectors, dtype=np.float64)[idx_a]
        codes_b = np.asarray(models[ib].vectors, dtype=np.float64)[idx_b]
        source, directions = codes_a, None
        if ended:
            if raw[ia] is None:
                raise PolytermError(f"the dict null of {models[ia].name} needs the model itself")
            source = np.asarray(raw[ia].vectors, dtype=np.float64)[idx_a]  # type: ignore[union-attr]
            directions = models[ia].dims
        pc = compare_pair(codes_a, codes_b, lm, a_source=source, directions=directions,
                          one_ended=ended, k=k, draws=draws, seed=seed, alpha=alpha,
                          min_count=min_count, bins=bins)  # fmt: skip
        ga, gb = groupings(pc.a), groupings(pc.b)
        common = sorted(set(ga) & set(gb), key=lambda g: (-len(ga[g]) - len(gb[g]), g))

        def ends(
            result: Enrichment, idx: tuple[int, ...], lm: LabelMatrix = lm
        ) -> tuple[GroupingEnd, ...]:
            return tuple(
                GroupingEnd(int(result.ends.axis[e]), _side(int(result.ends.side[e])),
                            tuple(lm.words[int(r)] for r in
                                  result.ends.rows[e, : int(result.ends.length[e])]))
                for e in idx
            )  # fmt: skip

        pairs.append(
            GroupingPair(
                a=summaries[ia].label,
                b=summaries[ib].label,
                groupings_a=len(ga),
                groupings_b=len(gb),
                jaccard=StatisticWithNulls("jaccard", pc.jaccard, pc.jaccard_shuffle),
                matched_overlap=StatisticWithNulls(
                    "matched_overlap", pc.overlap, pc.overlap_shuffle
                ),
                overlap_pairs=pc.overlap_pairs,
                shared=tuple(
                    SharedGrouping(g, ends(pc.a, ga[g]), ends(pc.b, gb[g])) for g in common
                ),
                words=len(pair_shared.words),
                labelled=len(lm),
            )
        )
    return GroupingsView(
        models=tuple(summaries),
        source=labels.source,
        rule=labels.rule,
        k=k,
        words=len(shared.words),
        labelled=len(lm_all),
        alpha=alpha,
        draws=draws,
        seed=seed,
        null_description=_null_description(basis).replace(
            "random directions", "A in random directions", 1
        ),
        pairs=tuple(pairs),
        restrict=restrict,
        option=source_option(labels),
    )


__all__ = [
    "EndFeatures",
    "EnrichedFeature",
    "FeaturesView",
    "GroupingsView",
    "features_view",
    "groupings_view",
]
