"""The report's "Polysemantic groupings" section: the study's answer in one paragraph per
basis, with every number beside its null, then the tables it rests on.

`polysemantic_section` is called by `polyterm.views.report.build_report`; it loads the
feature source itself (the engine's `load_feature_source`, cached beside the models) and,
when the source's data are missing, says so in the section instead of failing the report.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from polyterm.core.embedding import Embedding
from polyterm.core.features import FeatureLabels
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.errors import PolytermError
from polyterm.views.markdown_parts import markdown_table, md, table
from polyterm.views.polysemanticity import (
    DEFAULT_VOCABULARY,
    FeaturesView,
    GroupingsView,
    compared,
    features_view,
    groupings_view,
    null_text,
)
from polyterm.views.query import component_nouns
from polyterm.views.seed_floor import SeedPartner

SHARED_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Section:
    readings: tuple[str, ...]
    markdown: str


def _load(
    source: str, models: Sequence[Embedding], store: BasisStore | None, restrict: int | None
) -> FeatureLabels:
    from polyterm.engine.feature_sources import (  # type: ignore[import-untyped, unused-ignore]
        load_feature_source,
    )

    n = restrict or DEFAULT_VOCABULARY
    vocabulary: dict[str, None] = {}
    for m in models:
        vocabulary.update(dict.fromkeys(m.vocab[i] for i in range(min(n, len(m)))))
    root = store.cache.root if store is not None and store.cache is not None else None
    labels: FeatureLabels = load_feature_source(
        source, cache_root=root, vocabulary=list(vocabulary)
    )
    return labels


def _trend(views: Sequence[FeaturesView]) -> str:
    """Whether the excess of polysemantic ends over random directions grows as dimensions
    shrink, over the trained models (one family), said only when it moves the same way at
    every step of three or more sizes *and* the change from the largest to the smallest
    exceeds twice the spread of their random-direction nulls (sqrt(sd₁² + sd₂²)); the
    report has no seed floor (see `sweep --seeds 1,2 --features-source`)."""
    trained = [v for v in views if v.model.kind == "word2vec"]  # one family: trained models
    by_dims = sorted(trained, key=lambda v: -v.model.dims)
    if len(by_dims) < 3:
        return ""
    shares = [v.statistic("polysemantic_share") for v in by_dims]
    excess = [s.observed - s.rotation.null_mean for s in shares]
    steps = [b - a for a, b in itertools.pairwise(excess)]
    sizes = " → ".join(str(v.model.dims) for v in by_dims)
    values = ", ".join(f"{e:+.3f}" for e in excess)
    spread = math.hypot(shares[0].rotation.null_sd, shares[-1].rotation.null_sd)
    change = excess[-1] - excess[0]
    head = f"The excess over random directions ({sizes}: {values})"
    if abs(change) > 2 * spread and (all(d > 0 for d in steps) or all(d < 0 for d in steps)):
        way = "grows" if change > 0 else "falls"
        return (
            f"{head} {way} at every step as dimensions shrink, by more than twice its nulls' "
            f"spread ({2 * spread:.3f}); one seed per size, so no seed floor."
        )
    return f"{head} does not change with size beyond twice its nulls' spread ({2 * spread:.3f})."


def _paragraph(
    basis: BasisRequest, views: Sequence[FeaturesView], groupings: GroupingsView | None
) -> str:
    nouns = component_nouns(basis)
    parts = []
    for v in views:
        share = v.statistic("polysemantic_share")
        mean = v.statistic("mean_meaning_count")
        word = {"above": "more than", "below": "fewer than", "at": "no different from"}[
            compared(share.rotation)
        ]
        parts.append(
            f"{v.model.label}: {share.observed:.0%} of {len(v.ends)} ends polysemantic, "
            f"{word} random directions ({null_text(share.rotation)}), labels shuffled "
            f"{share.shuffle.null_mean:.0%}; {mean.observed:.2f} meanings per end "
            f"(random {null_text(mean.rotation)})"
        )
    text = "; ".join(parts) + ". " + _trend(views)
    if groupings is not None:
        bits = []
        for p in groupings.pairs:
            j = p.jaccard
            word = {"above": "more than", "below": "less than", "at": "no more than"}[
                compared(j.rotation)
            ]
            bit = (
                f"{p.a} and {p.b} share {len(p.shared)} grouping{'s' * (len(p.shared) != 1)} "
                f"(Jaccard {j.observed:.3f}, "
                f"{word} with A in random {nouns}: {null_text(j.rotation)}; labels shuffled "
                f"{null_text(j.shuffle)})"
            )
            if p.shared and compared(j.rotation) == "above":
                g = p.shared[0]
                bit += (
                    f", e.g. {g.features[0]} with {g.features[1]} on {groupings.noun} "
                    f"{g.ends_a[0].axis} ({g.ends_a[0].side}) of {p.a} and "
                    f"{g.ends_b[0].axis} ({g.ends_b[0].side}) of {p.b}"
                )
            bits.append(bit)
        text += " Groupings: " + "; ".join(bits) + "."
    return text


def polysemantic_section(
    models: Sequence[Embedding],
    *,
    bases: Sequence[BasisRequest] = (BasisRequest(),),
    store: BasisStore | None = None,
    source: str = "wordnet",
    restrict: int | None = None,
    repetitions: int = 20,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    seed_partner: SeedPartner | None = None,
) -> Section:
    """The section's markdown and its one-line readings (for the report's summary).

    `seed_partner`: for a pair of models that share a seed, B's different-seed model (the
    report's rule); the pair's groupings are then also compared against it (A vs B at
    another seed: the seed floor of the same-seed figures)."""
    from polyterm.views.basis_comparison import in_basis

    say = progress or (lambda _m: None)
    head = "## Polysemantic groupings"
    try:
        labels = _load(source, models, store, restrict)
    except (PolytermError, ImportError) as exc:
        note = f"The {source} feature source is not available here: {exc}"
        return Section((), f"{head}\n\n{md(note)}")
    store = store or BasisStore()
    partners: list[tuple[int, Embedding]] = []  # (index of A, B at another seed)
    if seed_partner is not None:
        for i, a in enumerate(models):
            for b in models[i + 1 :]:
                other = seed_partner(a, b)
                if other is not None:
                    partners.append((i, other))
    body = [
        head,
        f"Which {labels.source} features each axis end mixes (k = 50 labelled words per end, "
        "frequency-stratified exact enrichment test over 10 frequency bins, Benjamini–"
        "Hochberg over every end and feature of a model), beside "
        f"random directions and labels shuffled among words of similar frequency "
        f"({repetitions} draws each). Source rule: {md(labels.rule)}",
    ]
    readings: list[str] = []
    for request in dict.fromkeys(bases):
        say(f"polysemantic groupings [{request.label()}]")
        try:
            coded = [in_basis(store, m, request) for m in models]
            views = [
                features_view(c, labels, base=m, restrict=restrict, draws=repetitions, seed=seed)
                for c, m in zip(coded, models, strict=True)
            ]
            groupings = None
            if len(models) >= 2:
                groupings = groupings_view(
                    coded, labels, bases=models, restrict=restrict, draws=repetitions, seed=seed
                )
        except PolytermError as exc:
            body.append(f"**{request.name} basis.** {md(str(exc))}")
            continue
        across: list[GroupingsView] = []
        for i, other in partners:
            say(f"polysemantic groupings [{request.label()}], across seeds ({other.name})")
            try:
                across.append(groupings_view(
                    [coded[i], in_basis(store, other, request)], labels,
                    bases=[models[i], other], restrict=restrict, draws=repetitions, seed=seed,
                ))  # fmt: skip
            except PolytermError as exc:
                body.append(f"**{request.name} basis, across seeds.** {md(str(exc))}")
        paragraph = _paragraph(request, views, groupings)
        body.append(f"**{request.name} basis.** " + md(paragraph))
        readings += [r for v in views for r in v.readings()[:1]]
        if groupings is not None:
            readings += list(groupings.readings()[:1])
        for g in across:
            readings += [f"Across seeds: {r}" for r in g.readings()[:1]]
        summary = [
            (md(v.model.label), v.model.dims, len(v.ends),
             f"{v.statistic('polysemantic_share').observed:.3f}",
             null_text(v.statistic("polysemantic_share").rotation),
             null_text(v.statistic("polysemantic_share").shuffle),
             f"{v.statistic('mean_meaning_count').observed:.2f}",
             null_text(v.statistic("mean_meaning_count").rotation))
            for v in views
        ]  # fmt: skip
        body.append(
            f"### {request.name}: meanings per end\n\n"
            + table(
                [
                    "model",
                    "dims",
                    "ends",
                    "share polysemantic",
                    "random directions",
                    "labels shuffled",
                    "meanings per end",
                    "random directions",
                ],
                summary,
            )
        )
        if groupings is not None:
            for t in groupings.tables()[1:]:
                if t.rows:
                    shown = replace(t, rows=t.rows[:SHARED_SHOWN])
                    more = len(t.rows) - len(shown.rows)
                    tail = f"\n\n({more} more: polyterm groupings …)" if more > 0 else ""
                    body.append(
                        f"### {request.name}: {md(str(t.title))}\n\n{markdown_table(shown)}{tail}"
                    )
        if across:
            rows = tuple(r for g in across for t in g.tables() if t.key == "pairs" for r in t.rows)
            first = next(t for t in across[0].tables() if t.key == "pairs")
            body.append(
                f"### {request.name}: the same, across seeds (seed floor)\n\n"
                + markdown_table(replace(first, rows=rows))
                + "\n\nModels that share a seed look alike for that reason alone: each such "
                "pair again with B at another seed (the report's seed partner). Read the "
                "same-seed figures above against these."
            )
    return Section(tuple(readings), "\n\n".join(body))


__all__ = ["Section", "polysemantic_section"]
