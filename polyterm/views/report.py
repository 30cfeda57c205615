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
from dataclasses import replace
from itertools import combinations

from polyterm.core.embedding import Embedding
from polyterm.core.multiple_testing import MIN_Z, Test, correct, supported
from polyterm.core.postprocess import removed_top
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.cache_records import Manifest
from polyterm.safe_text import visible
from polyterm.views.alignment import alignment_view
from polyterm.views.basis_comparison import (
    DEFAULT_MATCH_REPETITIONS,
    DEFAULT_STABILITY_RUNS,
    BasisComparison,
)
from polyterm.views.markdown import md, models_section, render_markdown, table
from polyterm.views.markdown_parts import markdown_table
from polyterm.views.model_summary import ModelSummary, cli_models
from polyterm.views.protocol import null_text
from polyterm.views.quality import quality_of, quality_reading, quality_table
from polyterm.views.query import dimension_query_view, expression_view, repeats_view
from polyterm.views.seed_floor import SeedPartner
from polyterm.views.settings import COMPARISON
from polyterm.views.sweep import COHERENCE_CAPTION, ModelRow, model_row, sweep_view
from polyterm.views.universality import DEFAULT_PAIRS, universality_view
from polyterm.views.where_universality import (
    BASIS_SEEDS,
    PairInBases,
    where_universality_view,
)


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


def _repeat_label(r: ModelRow) -> str:
    return f"{r.model.name}: distinct share of top-k vs rotated bases"


def _coherence_label(r: ModelRow) -> str:
    return f"{r.model.name}: mean coherence vs rotated bases"


def c_name(p: PairInBases, c: BasisComparison) -> str:
    """B's name in comparison `c` of pair `p` (its seed partner for an across-seed one)."""
    return p.partner if any(c is x for x in p.across_seeds) else p.b.name


def _replicated(tests: Sequence[Test], label: str, other: str | None, z: float | None,
                z_other: float | None) -> bool:  # fmt: skip
    """Supported here, and (when the model has another seed in the report) supported there
    too with the same sign."""
    if not supported(tests, label):
        return False
    if other is None:
        return True
    return supported(tests, other) and (z or 0.0) * (z_other or 0.0) > 0


def _row_readings(
    r: ModelRow, k: int, tests: Sequence[Test], replica: ModelRow | None = None
) -> list[str]:
    """A model's repeat and coherence readings, each resting only on a test that survives
    the correction across the whole report and, when the model has another seed
    (`replica`), recurs there."""
    share, null = r.repeat_share.observed, r.repeat_share.null_mean
    here = supported(tests, _repeat_label(r))
    shapes = _replicated(
        tests, _repeat_label(r), None if replica is None else _repeat_label(replica),
        r.repeat_share.z, None if replica is None else replica.repeat_share.z,
    )  # fmt: skip
    if shapes:
        verdict = "— the basis itself shapes the repeats (supported after the correction "
        verdict += "across the report" + (", and at another seed)." if replica else ").")
    elif here and replica is not None:
        z_other = replica.repeat_share.z
        z_text = "no z" if z_other is None else f"z {z_other:+.1f}"
        verdict = (
            f"— the basis seemed to shape the repeats (z {r.repeat_share.z:+.1f}), but not at "
            f"another seed ({replica.model.name}: {z_text}): not read as an effect of the basis."
        )
    else:
        verdict = (
            "— the repeats belong to the geometry, not to the basis (no difference survives "
            "the correction across the report's tests)."
        )
    out = [
        f"{r.model.name}: {share:.0%} of the top-{k} slots of its dimensions hold distinct "
        f"words ({1 - share:.0%} are repeats); in a randomly rotated basis {null:.0%} would "
        + verdict
    ]
    coherent = _replicated(
        tests, _coherence_label(r), None if replica is None else _coherence_label(replica),
        None if r.coherence_rotation is None else r.coherence_rotation.z,
        None if replica is None or replica.coherence_rotation is None
        else replica.coherence_rotation.z,
    )  # fmt: skip
    out.append(r.coherence_reading(coherent))
    return out


def _tests_section(tests: Sequence[Test]) -> str:
    rows = [
        (md(t.label), f"{t.z:+.1f}", f"{t.p:.2g}", f"{t.q_value:.2g}",
         "yes" if t.supported else "no")
        for t in tests
    ]  # fmt: skip
    return (
        f"## Many tests\n\nEvery z-score of this report ({len(tests)}), corrected together: "
        "two-sided p by the normal approximation, Benjamini–Hochberg at 0.05; 'supported' "
        f"means kept by BH and |z| ≥ {MIN_Z:g}. The summary's readings rest only on "
        "supported tests.\n\n"
        + table(["statistic", "z", "p (normal)", "BH-adjusted p", "supported"], rows)
    )


def _post_processing_text(models: Sequence[Embedding]) -> str:
    """Which vectors the report compared: as trained, or after all-but-the-top."""
    removed = {m.name: removed_top(m) for m in models}
    if not any(n is not None for n in removed.values()):
        return (
            "Vectors: as trained (no post-processing; `--remove-top N` removes the mean and "
            "the top N principal components first, Mu & Viswanath 2018)."
        )
    parts = [
        f"{md(name)}: {'as trained' if n is None else f'mean and top {n} removed'}"
        for name, n in removed.items()
    ]
    return (
        "Vectors: all-but-the-top (Mu & Viswanath 2018) — the mean and the top principal "
        "components were removed from every model before bases were fitted and models "
        "matched (" + "; ".join(parts) + ")."
    )


def build_report(
    models: Sequence[Embedding],
    *,
    k: int = COMPARISON.k,
    restrict: int | None = COMPARISON.restrict,
    dims_shown: int = 5,
    repetitions: int = COMPARISON.repetitions,
    seed: int = COMPARISON.seed,
    progress: Callable[[str], None] | None = None,
    bases: Sequence[BasisRequest] = (BasisRequest(),),
    store: BasisStore | None = None,
    match_repetitions: int = DEFAULT_MATCH_REPETITIONS,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    features_source: str | None = None,
    collect: list[object] | None = None,
    seed_partner: SeedPartner | None = None,
    quality: bool = True,
    blind: bool = False,
    basis_seeds: int = BASIS_SEEDS,
    fit_on: str = "own",
) -> str:
    """The report's markdown. `restrict` applies to dimension extremes and comparisons.

    With two or more models it opens with "where universality lives": every pair in
    every basis of `bases` (fitted through `store`), each matched pair's max-|r| p-value
    from `match_repetitions` null draws, and the components' stability over
    `stability_runs` fits (ica, dict:K; 0 skips it). The views with a figure (where
    universality lives, each alignment, the sweep) are appended to `collect` when given."""
    say = progress or (lambda _m: None)
    keep = collect.append if collect is not None else (lambda _v: None)  # views for figures
    # the model rows and the sweep: the report's list length, restriction, draws and seed
    settings = replace(COMPARISON, k=k, top_n=restrict or 0, repetitions=repetitions, seed=seed)
    names = ", ".join(md(m.name) for m in models)
    readings: list[str] = []
    body: list[str] = []
    if len(models) >= 2:
        say("where universality lives")
        where = where_universality_view(
            models, bases=bases, store=store, top_n=restrict, k=k,
            repetitions=match_repetitions, seed=seed, stability_runs=stability_runs,
            progress=say, seed_partner=seed_partner, basis_seeds=basis_seeds,
            fit_on=fit_on,
        )  # fmt: skip
        keep(where)
        readings += where.readings()
        body.append(_section(render_markdown(where), nest=False))
    if quality:
        say("model quality")
        root = None if store is None or store.cache is None else store.cache.root
        warn = None if store is None else store.warn
        rated = [quality_of(m, root, warn) for m in models]
        readings += [quality_reading(q) for q in rated]
        t = quality_table(rated)
        body.append(f"## {t.title}\n\n" + markdown_table(t) + f"\n\n{md(t.caption)}")
    if features_source is not None:  # "Polysemantic groupings" (views/polysemanticity_report)
        from polyterm.views.polysemanticity_report import polysemantic_section

        section = polysemantic_section(models, bases=bases, store=store, source=features_source,
                                       restrict=restrict, repetitions=repetitions, seed=seed,
                                       progress=say, seed_partner=seed_partner)  # fmt: skip
        readings += section.readings
        body.append(section.markdown)
    body.append("## Single dimensions")

    say("basis statistics")
    rows = [model_row(m, settings) for m in models]
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
    # the same statistics at another seed of each trained model: a finding about a basis
    # that does not recur at another seed is not read as one
    replicas: dict[str, ModelRow] = {}
    own = {r.model.name: r for r in rows}
    for m in models:
        other = seed_partner(m, m) if seed_partner is not None else None
        if other is not None and other.name in own:  # the other seed is in the report
            replicas[m.name] = own[other.name]
        elif other is not None:
            say(f"basis statistics of {other.name} (another seed of {m.name})")
            replicas[m.name] = model_row(other, settings)
    family: list[tuple[str, float | None]] = []
    extra = [r for r in replicas.values() if r.model.name not in own]
    for r in [*rows, *extra]:
        family += [
            (_repeat_label(r), r.repeat_share.z),
            (f"{r.model.name}: mean excess kurtosis vs rotated bases", r.kurtosis.z),
            (_coherence_label(r), None if r.coherence_rotation is None else
             r.coherence_rotation.z),
        ]  # fmt: skip
    if len(models) >= 2:
        for p in where.pairs:
            for comp in (*p.comparisons, *p.across_seeds):
                family.append((f"{p.a.name} vs {c_name(p, comp)} in {comp.basis.label()}: mean "
                               "matched |r|", comp.mean_matched.z))  # fmt: skip
    row_readings_at = len(readings)
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
            partner = seed_partner(a, b) if seed_partner is not None else None
            aligned = alignment_view(a, b, k=k, top_n=restrict, repetitions=repetitions,
                                     seed=seed, across_seeds=partner)  # fmt: skip
            keep(aligned)
            universal = universality_view(a, b, k=k, seed=seed, across_seeds=partner)
            readings += [*aligned.readings(), *universal.readings()]
            family += [(f"{a.name} vs {b.name}: {st.name} vs {n.kind}", n.z)
                       for st in aligned.statistics for n in st.nulls]  # fmt: skip
            body += [_section(render_markdown(aligned)), _section(render_markdown(universal))]
        if blind:  # the first two models only: `polyterm blind` for the full measurement
            from polyterm.views.blind import report_section

            found, text = report_section(models[0], models[1], seed=seed, progress=say)
            readings += found
            body.append(_section(text))
        manifests = {id(m): Manifest.of(m.manifest) for m in models}
        trained = [m for m in models if manifests[id(m)].kind == "word2vec"]
        corpora = {c.name if (c := manifests[id(m)].corpus) else "" for m in trained}
        if len(trained) >= 2 and len(corpora) == 1:
            say("sweep table")
            sweep = sweep_view(trained, corpus=corpora.pop(), settings=settings)
            keep(sweep)
            # the report already reads each model's repeats and coherence (with its own
            # seed partner and correction): keep the sweep's readings between models
            named = tuple(f"{m.name}: " for m in models)
            readings += [r for r in sweep.readings()
                         if r not in readings and not r.startswith(named)]  # fmt: skip
            body.append(_section(render_markdown(sweep)))

    tests = correct(family)
    readings[row_readings_at:row_readings_at] = [
        text for r in rows for text in _row_readings(r, k, tests, replicas.get(r.model.name))
    ]
    body.append(_tests_section(tests))
    head = [
        f"# Polysemantic universality: {names}",
        f"Generated by polyterm on {time.strftime('%Y-%m-%d')}. Every statistic is shown "
        "beside a null: the same statistic in a randomly rotated basis (no privileged "
        "directions) and/or with the word correspondence shuffled.",
        _post_processing_text(models),
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
    if "--remove-top" not in command:
        removed = {removed_top(m) for m in models} - {None}
        if len(removed) == 1:
            options += f" --remove-top {removed.pop()}"
    tail = [f"Reproduce with:\n\n```\npolyterm report {visible(command)} --k {k}{options}\n```"]
    return "\n\n".join(head + body + tail) + "\n"
