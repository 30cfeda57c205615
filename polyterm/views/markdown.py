"""Markdown rendering of views, for write-ups: title, inputs, models, tables, command.

Every table, its title and column labels come from the view's `tables()` (the one view
protocol, `polyterm.views.protocol`); this module only lays them out as a document. The
whole-model views (alignment, universality, sweep) are written by
`polyterm.views.science_markdown`, imported here lazily (it pulls in scipy, which the
explorer's start-up can skip); both import their building blocks from
`polyterm.views.markdown_parts`, never each other.
"""

from __future__ import annotations

import importlib
from functools import singledispatch
from typing import Any

from polyterm.views.markdown_parts import (
    markdown_table,
    md,
    models_section,
    null_text,
    phrase,
    reproduce,
    table,
    words,
)
from polyterm.views.protocol import Table, View, table_by_key
from polyterm.views.query import DimensionView, QueryKind, QueryView, RepeatsView

__all__ = [
    "generic_markdown",
    "md",
    "models_section",
    "null_text",
    "overlap_section",
    "render_markdown",
    "reproduce",
    "table",
    "words",
]


def _heading(t: Table) -> str:
    return f"### {phrase(t.title)}\n\n"


@singledispatch
def render_markdown(view: Any) -> str:
    science = importlib.import_module("polyterm.views.science_markdown")
    renderer = science.RENDERERS.get(type(view))
    if renderer is not None:
        text: str = renderer(view)
        return text
    if isinstance(view, View):
        return generic_markdown(view)
    raise TypeError(f"no markdown rendering for {type(view).__name__}")


def generic_markdown(view: View) -> str:
    """Any view of the protocol as a document: its title, every table with its heading and
    caption (a table without rows keeps its caption), its readings, the reproduce line.
    The default for a view that has no renderer of its own."""
    parts = [f"## {phrase(view.title())}"]
    for t in view.tables():
        body = markdown_table(t) if t.rows else ""
        caption = md(t.caption) if t.caption else ""
        if body or caption:
            parts.append(_heading(t) + "\n\n".join(x for x in (body, caption) if x))
    readings = getattr(view, "readings", None)
    if callable(readings):
        lines = [f"- {md(r)}" for r in readings()]
        if lines:
            parts.append("\n".join(lines))
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"


@render_markdown.register
def _(view: QueryView) -> str:
    inputs = [
        f"- k: {view.k}",
        f"- restrict: {view.restrict or 'whole vocabulary'}",
        f"- values: {view.value_label}",
    ]
    if view.kind is not QueryKind.DIMENSION:
        inputs.append(f"- convention: {view.convention.label}")
        inputs.append(f"- query words {'included' if view.include_query else 'excluded'}")
    tables = view.tables()
    parts = [f"## {phrase(view.title())}", "\n".join(inputs), models_section_of(tables)]
    for t in tables:
        if t.key in ("top", "bottom"):
            parts.append(
                _heading(t)
                + markdown_table(t)
                + "\n\nWords in **bold** occur in more than one model's list."
                + (f" Values: {md(t.caption)}." if not view.basis.is_raw else "")  # names: data
            )
    errors = [f"- {md(r.model.name)}: {md(r.error)}" for r in view.results if r.error]
    if errors:
        parts.append("### Not answered\n\n" + "\n".join(errors))
    parts.append(overlap_section(view))
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"


def models_section_of(tables: tuple[Table, ...]) -> str:
    t = table_by_key(tables, "models")
    return _heading(t) + markdown_table(t)


def overlap_section(view: QueryView) -> str:
    o = view.overlap
    t = table_by_key(view.tables(), "agreement")
    lines = [f"### {phrase(t.title)}"]
    if o.coverage is not None:
        sizes = ", ".join(f"{md(n)} {s:,}" for n, s in o.coverage.sizes)
        lines.append(f"Shared vocabulary: {o.coverage.shared_words:,} words ({sizes}).")
    if t.rows:
        lines.append(markdown_table(t))
    else:
        lines.append("Only one model answered: nothing to compare.")
    tables = {x.key: x for x in view.tables()}
    baselines = tables.get("agreement-baselines")
    if baselines is not None:
        title = f"### {phrase(baselines.title)}"
        lines += [title, markdown_table(baselines), md(baselines.caption)]
    return "\n\n".join(lines)


@render_markdown.register
def _(view: DimensionView) -> str:
    s = view.stats
    tables = view.tables()
    ends, stats = table_by_key(tables, "ends"), table_by_key(tables, "statistics")
    parts = [
        f"## {phrase(view.title())}",
        f"- k: {view.k}\n- restrict: {view.restrict or 'whole vocabulary'}\n"
        f"- values: {view.value_label}",
        models_section_of(tables),
        _heading(ends)
        + markdown_table(ends)
        + (f"\n\n{ends.caption}" if not view.basis.is_raw else ""),
        _heading(stats) + markdown_table(stats),
        "Histogram: "
        + " ".join(str(c) for c in s.histogram)
        + f" (20 bins from {s.bin_edges[0]:.3f} to {s.bin_edges[-1]:.3f})",
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


@render_markdown.register
def _(view: RepeatsView) -> str:
    tables = view.tables()
    parts = [
        f"## {phrase(view.title())}",
        f"- k: {view.k}\n- restrict: {view.restrict or 'whole vocabulary'}\n"
        f"- values: {view.value_label}",
        models_section_of(tables),
    ]
    for t in tables:
        if t.key not in ("top", "bottom"):
            continue
        parts.append(_heading(t) + t.caption)
        if t.rows:
            parts.append(markdown_table(t))
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"
