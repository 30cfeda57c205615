"""Markdown for the whole-model views: alignment, universality, sweep, where universality lives.

Tables come from each view's `tables()` (`polyterm.views.protocol`); this module writes
the document around them. It imports only `polyterm.views.markdown_parts`, and
`polyterm.views.markdown` finds these renderers in `RENDERERS`, so neither module imports
the other at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from polyterm.views.alignment import AlignmentView
from polyterm.views.markdown_parts import (
    markdown_table,
    md,
    models_section,
    null_text,
    phrase,
    reproduce,
    words,
)
from polyterm.views.protocol import Table, table_by_key
from polyterm.views.sweep import SweepView, text_plot
from polyterm.views.universality import UniversalityView
from polyterm.views.where_universality import WhereUniversalityView

__all__ = ["RENDERERS", "models_section", "null_text"]


def _section(t: Table) -> str:
    return f"### {phrase(t.title)}\n\n" + markdown_table(t)


def alignment_markdown(view: AlignmentView) -> str:
    name_a, name_b = md(view.a.name), md(view.b.name)
    scope = f"the {view.top_n:,} most frequent shared words" if view.top_n else "all shared words"
    tables = view.tables()
    parts = [
        f"## {phrase(view.title())}",
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
        _section(table_by_key(tables, "models")),
        _section(table_by_key(tables, "statistics")),
        "### Readings\n\n" + "\n".join(f"- {md(r)}" for r in view.readings()),
        _section(table_by_key(tables, "matched")),
        "Sorted matched |r|:\n\n```\n"
        + text_plot(list(enumerate(view.matched_curve, 1)), width=40)
        + "\n```",
        _section(table_by_key(tables, "aligned")),
        f"Most stable words: {words(view.most_stable)}.  \n"
        f"Least stable words: {words(view.least_stable)}.",
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


def universality_markdown(view: UniversalityView) -> str:
    tables = view.tables()
    pairs = table_by_key(tables, "pairs")
    parts = [
        f"## {phrase(view.title())}",
        f"- words: {view.n_words:,} shared"
        + (f" (the {view.top_n:,} most frequent)" if view.top_n else "")
        + f"\n- k: {view.k}",
        _section(table_by_key(tables, "models")),
        _section(table_by_key(tables, "neighbourhood")),
        _section(table_by_key(tables, "baselines"))
        + f"\n\n{table_by_key(tables, 'baselines').caption}",
        "  \n".join(f"{label}: {phrase(p)}" for label, p in view.extremes()),
        _section(pairs)
        + f"\n\n{pairs.caption}"
        + (
            f" Pairs not in both vocabularies: {words(view.missing_pairs)}."
            if view.missing_pairs
            else ""
        )
        + (
            " Pairs whose difference vector is zero in a model (no direction, not scored): "
            f"{words(view.unusable_pairs)}."
            if view.unusable_pairs
            else ""
        ),
        "### Readings\n\n" + "\n".join(f"- {md(r)}" for r in view.readings()),
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


def sweep_markdown(view: SweepView) -> str:
    tables = view.tables()
    first_seed = view.models[0].seed if view.models else None
    plot_rows = [r for r in view.models if r.seed == first_seed]
    series = (
        ("distinct share of top-k words", [(r.dims, r.repeat_share.observed) for r in plot_rows]),
        ("mean excess kurtosis", [(r.dims, r.kurtosis.observed) for r in plot_rows]),
        ("mean coherence", [(r.dims, r.coherence) for r in plot_rows]),
    )
    plots = "\n\n".join(text_plot(points, label=label) for label, points in series)
    parts = [
        f"## {phrase(view.title())}",
        f"- k: {view.k}; statistics over the {view.top_n or 'all'} most frequent words; "
        f"{view.repetitions} null repetitions\n- coherence of each dimension's top words "
        f"measured in {md(view.reference) if view.reference else 'the model itself'}",
        _section(table_by_key(tables, "models")),
        _section(table_by_key(tables, "per-model")),
        _section(table_by_key(tables, "pairs")),
        *([_section(t) + f"\n\n{t.caption}" for t in tables if t.key == "pairs-by-basis"]),
        *([_section(t) + f"\n\n{t.caption}" for t in tables if t.key == "multiple-testing"]),
        *([_section(t) + f"\n\n{t.caption}" for t in tables if t.key == "quality"]),
        f"### Plots (seed {first_seed})\n\n```\n{plots}\n```",
        "### Readings\n\n"
        + (
            "\n".join(f"- {md(r)}" for r in view.readings())
            or "- Train at least two seeds to get a noise floor."
        ),
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


def where_universality_markdown(view: WhereUniversalityView) -> str:
    tables = view.tables()
    bases = table_by_key(tables, "bases")
    axes = table_by_key(tables, "shared-axes")
    scope = f"the {view.top_n:,} most frequent shared words" if view.top_n else "all shared words"
    parts = [
        f"## {phrase(view.title())}",
        f"- bases: {', '.join(b.label() for b in view.bases)}\n"
        f"- words: {scope} of each pair\n- k (top words per axis): {view.k}\n"
        f"- bases fitted on: {view.fit_on_text()}\n"
        f"- nulls: {view.repetitions:,} draws, seed {view.seed}; false-discovery rate "
        f"{view.fdr_q:g}; stability: {view.stability_runs} runs",
        _section(table_by_key(tables, "models")),
        _section(bases) + f"\n\n{bases.caption}",
        "### Readings\n\n" + "\n".join(f"- {md(r)}" for r in view.readings()),
        _section(axes) + (f"\n\n{axes.caption}" if axes.caption else ""),
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


RENDERERS: dict[type, Callable[[Any], str]] = {
    AlignmentView: alignment_markdown,
    UniversalityView: universality_markdown,
    SweepView: sweep_markdown,
    WhereUniversalityView: where_universality_markdown,
}
