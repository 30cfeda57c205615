"""Markdown for the whole-model views: alignment, universality, sweep, and the report."""

from __future__ import annotations

from polyterm.core.nulls import NullSummary
from polyterm.views.alignment import AlignmentView, DimensionPair
from polyterm.views.markdown import md, models_section, render_markdown, reproduce, table, words
from polyterm.views.sweep import SweepView, text_plot
from polyterm.views.universality import UniversalityView


def null_text(n: NullSummary | None) -> str:
    if n is None:
        return "—"
    z = "" if n.z is None else f", z {n.z:+.1f}"
    return f"{n.null_mean:.3f} ± {n.null_sd:.3f}{z}"


def _pairs_table(pairs: tuple[DimensionPair, ...], limit: int, a: str, b: str) -> str:
    a, b = md(a), md(b)
    rows = []
    for p in pairs[:limit]:
        shared = set(p.shared)
        wa = ", ".join(f"**{md(w)}**" if w in shared else md(w) for w in p.words_a)
        wb = ", ".join(f"**{md(w)}**" if w in shared else md(w) for w in p.words_b)
        rows.append((p.dim_a, p.dim_b, f"{p.r:+.3f}", p.jaccard, wa, wb))
    return table(
        [
            f"{a} dim",
            f"{b} dim",
            "r",
            "Jaccard",
            f"top words in {a}",
            f"top words in {b} (bottom if r < 0)",
        ],
        rows,
    )


@render_markdown.register
def _(view: AlignmentView) -> str:
    name_a, name_b = md(view.a.name), md(view.b.name)
    scope = f"the {view.top_n:,} most frequent shared words" if view.top_n else "all shared words"
    parts = [
        f"## {name_a} vs {name_b}: matching, alignment and similarity",
        f"- words compared: {view.n_words:,} ({scope}; {view.shared_total:,} shared in all, "
        f"{view.coverage[0]:.1%} of {name_a}, {view.coverage[1]:.1%} of {name_b})\n"
        f"- k (top words per dimension): {view.k}\n"
        f"- nulls: {view.repetitions} repetitions, seed {view.seed}; *rotation* = {name_a} "
        "in a random orthonormal basis, *shuffle* = words permuted"
        + (
            f"\n- dimensions differ: the larger model was reduced to {view.reduced_to} by PCA "
            "for Procrustes"
            if view.reduced_to
            else ""
        ),
        models_section([view.a, view.b]),
        "### Statistics beside their nulls\n\n"
        + table(
            ["statistic", "observed", "rotation null (mean ± sd, z)", "shuffle null", "meaning"],
            [
                (
                    s.name,
                    s.observed,
                    null_text(s.null("rotation")),
                    null_text(s.null("shuffle")),
                    s.meaning,
                )
                for s in view.statistics
            ],
        ),
        "### Readings\n\n" + "\n".join(f"- {md(r)}" for r in view.readings()),
        "### Matched dimensions (Hungarian on |r|, before rotation)\n\n"
        + _pairs_table(view.matched, 15, view.a.name, view.b.name),
        "Sorted matched |r|:\n\n```\n"
        + text_plot(list(enumerate(view.matched_curve, 1)), width=40)
        + "\n```",
        "### Aligned dimensions (after Procrustes)\n\n"
        + _pairs_table(view.aligned, 15, view.a.name, view.b.name),
        f"Most stable words: {words(view.most_stable)}.  \n"
        f"Least stable words: {words(view.least_stable)}.",
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


@render_markdown.register
def _(view: UniversalityView) -> str:
    name_a, name_b = md(view.a.name), md(view.b.name)
    nj = view.neighbourhood_jaccard
    q1, q2, q3 = view.quartiles_jaccard
    parts = [
        f"## Universality of neighbourhoods: {name_a} vs {name_b}",
        f"- words: {view.n_words:,} shared"
        + (f" (the {view.top_n:,} most frequent)" if view.top_n else "")
        + f"\n- k: {view.k}",
        models_section([view.a, view.b]),
        "### Nearest-neighbour overlap per word\n\n"
        + table(
            ["statistic", "observed", "shuffle null (mean ± sd, z)"],
            [
                ("mean Jaccard", nj.observed, null_text(nj)),
                ("quartiles of Jaccard", f"{q1:.3f} / {q2:.3f} / {q3:.3f}", "—"),
                ("mean RBO (p=0.9)", view.neighbourhood_rbo_mean, "—"),
            ],
        ),
        "Most universal: "
        + ", ".join(f"{md(w.word)} ({w.jaccard:.2f})" for w in view.most_universal)
        + "  \nLeast universal: "
        + ", ".join(f"{md(w.word)} ({w.jaccard:.2f})" for w in view.least_universal),
        "### Difference vectors of dissimilar pairs\n\n"
        + table(
            [
                "a − b",
                "Jaccard",
                "RBO",
                f"neighbours in {name_a}",
                f"neighbours in {name_b}",
            ],
            [
                (
                    f"{md(p.a)} − {md(p.b)}",
                    p.jaccard,
                    p.rbo,
                    words(p.words_a),
                    words(p.words_b),
                )
                for p in view.pairs
            ],
        )
        + f"\n\nChance Jaccard of two random {view.k}-lists from {view.n_words:,} words: "
        f"{view.chance_jaccard:.4f}."
        + (
            f" Pairs not in both vocabularies: {words(view.missing_pairs)}."
            if view.missing_pairs
            else ""
        ),
        "### Readings\n\n" + "\n".join(f"- {md(r)}" for r in view.readings()),
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


@render_markdown.register
def _(view: SweepView) -> str:
    rows = [
        (
            md(r.model.name),
            r.dims,
            r.seed if r.seed is not None else "—",
            f"{r.repeat_share.observed:.3f}",
            null_text(r.repeat_share),
            f"{r.kurtosis.observed:.2f}",
            null_text(r.kurtosis),
            f"{r.coherence:.3f}",
            f"{r.coherence_null:.3f}",
            f"{r.coherent_dims}/{r.dims}",
        )
        for r in view.models
    ]
    pairs = [
        (
            md(p.a),
            md(p.b),
            p.relation,
            p.cka,
            f"{p.matched_r.observed:.3f}",
            null_text(p.matched_r),
            p.residual,
        )
        for p in view.pairs
    ]
    first_seed = view.models[0].seed if view.models else None
    plot_rows = [r for r in view.models if r.seed == first_seed]
    series = (
        ("distinct share of top-k words", [(r.dims, r.repeat_share.observed) for r in plot_rows]),
        ("mean excess kurtosis", [(r.dims, r.kurtosis.observed) for r in plot_rows]),
        ("mean coherence", [(r.dims, r.coherence) for r in plot_rows]),
    )
    plots = "\n\n".join(text_plot(points, label=label) for label, points in series)
    parts = [
        f"## Dimension sweep on {md(view.corpus) if view.corpus else 'the corpus'}",
        f"- k: {view.k}; statistics over the {view.top_n or 'all'} most frequent words; "
        f"{view.repetitions} null repetitions\n- coherence of each dimension's top words "
        f"measured in {md(view.reference) if view.reference else 'the model itself'}",
        models_section([r.model for r in view.models]),
        "### Per model\n\n"
        + table(
            [
                "model",
                "dims",
                "seed",
                "distinct share of top-k",
                "rotated-basis null",
                "mean excess kurtosis",
                "rotated-basis null",
                "mean coherence",
                "frequency-matched null",
                "dims with coherence z > 2",
            ],
            rows,
        ),
        "### Between models\n\n"
        + table(
            [
                "A",
                "B",
                "relation",
                "linear CKA",
                "mean matched |r|",
                "rotation null",
                "Procrustes residual",
            ],
            pairs,
        ),
        f"### Plots (seed {first_seed})\n\n```\n{plots}\n```",
        "### Readings\n\n"
        + (
            "\n".join(f"- {md(r)}" for r in view.readings())
            or "- Train at least two seeds to get a noise floor."
        ),
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"
