"""`polyterm report`: a complete markdown write-up of a study of several models.

Sections: a summary of plain readings; models and manifests; with two or more models,
"where universality lives" (every pair in every requested basis: raw, pca, ica, dict:K,
each beside the null that fits it); for each model its basis
statistics beside a rotated basis, the repeat statistic and its first dimensions' extremes;
difference vectors of dissimilar pairs in every model; for each pair of models matching,
Procrustes, CKA and SVCCA with nulls and neighbourhood universality; and, with two or more
trained models of one corpus, the sweep table. Each section is the markdown of a view, so
the report says exactly what the explorer and the CLI show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from itertools import combinations

from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.cache import Manifest
from polyterm.safe_text import visible
from polyterm.views.alignment import (
    DEFAULT_MATCH_REPETITIONS,
    DEFAULT_STABILITY_RUNS,
    alignment_view,
)
from polyterm.views.markdown import md, models_section, render_markdown, table
from polyterm.views.model_summary import ModelSummary, cli_models
from polyterm.views.protocol import null_text
from polyterm.views.query import dimension_query_view, expression_view, repeats_view
from polyterm.views.sweep import COHERENCE_CAPTION, model_row, sweep_view
from polyterm.views.universality import DEFAULT_PAIRS, universality_view
from polyterm.views.where_universality import where_universality_view


def _section(markdown: str, *, nest: bool = True) -> str:
    """A view's markdown nested one heading level down (unless not `nest`), without its
    own models table (the report lists the models once, at the top)."""
    out: list[str] = []
    skipping = False
    for line in markdown.splitlines():
        if line.startswith("#"):
            skipping = line.lstrip("#").strip() == "Models"
            if skipping:
                continue
        if not skipping:
            out.append("#" + line if nest and line.startswith("##") else line)
    return "\n".join(out)


def build_report(
    models: Sequence[Embedding],
    *,
    k: int = 10,
    restrict: int | None = 10_000,
    dims_shown: int = 5,
    repetitions: int = 20,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    bases: Sequence[BasisRequest] = (BasisRequest(),),
    store: BasisStore | None = None,
    match_repetitions: int = DEFAULT_MATCH_REPETITIONS,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    features_source: str | None = None,
    collect: list[object] | None = None,
) -> str:
    """The report's markdown. `restrict` applies to dimension extremes and comparisons.

    With two or more models it opens with "where universality lives": every pair in
    every basis of `bases` (fitted through `store`), each matched pair's max-|r| p-value
    from `match_repetitions` null draws, and the components' stability over
    `stability_runs` fits (ica, dict:K; 0 skips it). The views with a figure (where
    universality lives, each alignment, the sweep) are appended to `collect` when given."""
    say = progress or (lambda _m: None)
    keep = collect.append if collect is not None else (lambda _v: None)  # views for figures
    names = ", ".join(md(m.name) for m in models)
    readings: list[str] = []
    body: list[str] = []
    if len(models) >= 2:
        say("where universality lives")
        where = where_universality_view(
            models, bases=bases, store=store, top_n=restrict, k=k,
            repetitions=match_repetitions, seed=seed, stability_runs=stability_runs,
            progress=say,
        )  # fmt: skip
        keep(where)
        readings += where.readings()
        body.append(_section(render_markdown(where), nest=False))
    if features_source is not None:  # "Polysemantic groupings" (views/polysemanticity_report)
        from polyterm.views.polysemanticity_report import polysemantic_section

        section = polysemantic_section(models, bases=bases, store=store, source=features_source,
                                       restrict=restrict, repetitions=repetitions, seed=seed,
                                       progress=say)  # fmt: skip
        readings += section.readings
        body.append(section.markdown)
    body.append("## Single dimensions")

    say("basis statistics")
    rows = [model_row(m, k, restrict, max(2, repetitions // 2), seed) for m in models]
    body.append(
        "### Each model beside a randomly rotated basis\n\n"
        + table(
            ["model", f"distinct share of top-{k} words", "rotated-basis null",
             "mean excess kurtosis", "rotated-basis null", "mean coherence",
             "frequency-matched null", "rotated-basis null", "dims with coherence z > 2",
             "random basis"],
            [(md(r.model.name), f"{r.repeat_share.observed:.3f}", null_text(r.repeat_share),
              f"{r.kurtosis.observed:.2f}", null_text(r.kurtosis), f"{r.coherence:.3f}",
              f"{r.coherence_null:.3f}", null_text(r.coherence_rotation),
              f"{r.coherent_dims}/{r.dims}", f"{r.coherent_dims_null:.1f}") for r in rows],
        )
        + f"\n\n{COHERENCE_CAPTION}"
    )  # fmt: skip
    for r in rows:
        share, null = r.repeat_share.observed, r.repeat_share.null_mean
        readings.append(
            f"{r.model.name}: {share:.0%} of the top-{k} slots of its dimensions hold distinct "
            f"words ({1 - share:.0%} are repeats); in a randomly rotated basis {null:.0%} would "
            + (
                "— the repeats belong to the geometry, not to the basis."
                if abs(share - null) <= 2 * max(r.repeat_share.null_sd, 1e-9)
                else "— the basis itself shapes the repeats."
            )
        )
        readings.append(r.coherence_reading())
    for m in models:
        say(f"dimensions of {m.name}")
        body.append(_section(render_markdown(repeats_view(m, k=k, restrict=restrict))))
    for dim in range(min(dims_shown, min(m.dims for m in models))):
        view = dimension_query_view(models, dim, k=k, restrict=restrict)
        body.append(_section(render_markdown(view)))

    body.append("## Difference vectors")
    for first, second in DEFAULT_PAIRS[:6]:
        view = expression_view(models, f"{first} - {second}", k=k, restrict=restrict)
        body.append(_section(render_markdown(view)))

    if len(models) >= 2:
        body.append("## Model against model")
        for a, b in combinations(models, 2):
            say(f"aligning {a.name} with {b.name}")
            aligned = alignment_view(a, b, k=k, top_n=restrict, repetitions=repetitions,
                                     seed=seed)  # fmt: skip
            keep(aligned)
            universal = universality_view(a, b, k=k, seed=seed)
            readings += [*aligned.readings(), *universal.readings()]
            body += [_section(render_markdown(aligned)), _section(render_markdown(universal))]
        manifests = {id(m): Manifest.of(m.manifest) for m in models}
        trained = [m for m in models if manifests[id(m)].kind == "word2vec"]
        corpora = {c.name if (c := manifests[id(m)].corpus) else "" for m in trained}
        if len(trained) >= 2 and len(corpora) == 1:
            say("sweep table")
            sweep = sweep_view(trained, corpus=corpora.pop(), k=k, top_n=restrict,
                               repetitions=max(2, repetitions // 2), seed=seed)  # fmt: skip
            keep(sweep)
            readings += [r for r in sweep.readings() if r not in readings]
            body.append(_section(render_markdown(sweep)))

    head = [
        f"# Polysemantic universality: {names}",
        f"Generated by polyterm on {time.strftime('%Y-%m-%d')}. Every statistic is shown "
        "beside a null: the same statistic in a randomly rotated basis (no privileged "
        "directions) and/or with the word correspondence shuffled.",
        "## Summary\n\n" + "\n".join(f"- {md(r)}" for r in readings),
        models_section([ModelSummary.of(m) for m in models]),
    ]
    command = cli_models([ModelSummary.of(m) for m in models])
    names_of_bases = ",".join(str(b.name) for b in dict.fromkeys(bases))
    options = f" --basis {names_of_bases}" if names_of_bases != "raw" else ""
    fitted = next((b for b in bases if not b.is_raw), None)
    if fitted is not None and fitted.fit_words != BasisRequest().fit_words:
        options += f" --fit-words {fitted.fit_words}"
    if fitted is not None and fitted.seed != 0:
        options += f" --basis-seed {fitted.seed}"
    if features_source not in (None, "wordnet"):
        options += f" --features-source {features_source}"
    tail = [f"Reproduce with:\n\n```\npolyterm report {visible(command)} --k {k}{options}\n```"]
    return "\n\n".join(head + body + tail) + "\n"
