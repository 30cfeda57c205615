"""Markdown rendering of views, for write-ups: title, inputs, models, tables, command."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import singledispatch
from typing import Any

from polyterm.safe_text import markdown_code, markdown_text, visible
from polyterm.views.model_summary import ModelSummary
from polyterm.views.query import DimensionView, QueryKind, QueryView, RepeatsView

# A pipe not already escaped (an even run of backslashes before it, or none).
_BARE_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


def _cell(value: Any) -> str:
    """A table cell: cells are markdown (data in them is escaped by the caller with
    `markdown_text`); a bare pipe is escaped and controls are made visible as a last guard."""
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    return _BARE_PIPE.sub(r"\1\\|", visible(text.replace("\n", " ")))


def md(text: object) -> str:
    """Text from data or the user (a word, a model name, a path) for markdown."""
    return markdown_text(str(text))


def words(items: Iterable[str], sep: str = ", ") -> str:
    """Words from data joined for markdown, each escaped."""
    return sep.join(md(w) for w in items)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def models_section(models: Sequence[ModelSummary]) -> str:
    rows = [
        (
            md(m.name),
            md(m.kind),
            m.dims,
            f"{m.vocabulary:,}",
            md(m.details or m.source),
            md(m.content_sha256),
        )
        for m in models
    ]
    return "### Models\n\n" + table(
        ["model", "kind", "dims", "vocabulary", "details", "sha256"], rows
    )


def reproduce(command: str) -> str:
    """The CLI command in a fenced block: one line (controls made visible), so data in it
    can neither close the fence nor start markdown."""
    return f"Reproduce with:\n\n```\n{visible(command)}\n```"


@singledispatch
def render_markdown(view: Any) -> str:
    # Renderers of the whole-model views register themselves when their module is first
    # imported (here, lazily: it pulls in scipy, which the explorer's start-up can skip).
    import polyterm.views.science_markdown  # noqa: F401

    if render_markdown.dispatch(type(view)) is not _fallback:
        return render_markdown(view)
    raise TypeError(f"no markdown rendering for {type(view).__name__}")


_fallback = render_markdown.dispatch(object)


@render_markdown.register
def _(view: QueryView) -> str:
    if view.kind is QueryKind.DIMENSION:
        title = f"Dimension {view.query} across models (by index, unaligned)"
    else:
        title = f"Nearest words to {markdown_code(view.query)}"
    inputs = [
        f"- k: {view.k}",
        f"- restrict: {view.restrict or 'whole vocabulary'}",
        f"- values: {view.value_label}",
    ]
    if view.kind is not QueryKind.DIMENSION:
        inputs.append(f"- convention: {view.convention.label}")
        inputs.append(f"- query words {'included' if view.include_query else 'excluded'}")
    parts = [f"## {title}", "\n".join(inputs), models_section([r.model for r in view.results])]
    ok = [r for r in view.results if r.error is None]
    shared = {w for w, _ in view.overlap.recurring}
    for end in ("top", "bottom"):
        if end == "bottom" and view.kind is not QueryKind.DIMENSION:
            continue
        header = ["rank"] + [md(r.model.name) for r in ok]
        depth = max((len(r.end(end)) for r in ok), default=0)
        rows = []
        for i in range(depth):
            row: list[Any] = [i + 1]
            for r in ok:
                entries = r.end(end)
                if i < len(entries):
                    e = entries[i]
                    mark = "**" if e.word in shared else ""
                    row.append(f"{mark}{md(e.word)}{mark} ({e.value:.3f})")
                else:
                    row.append("")
            rows.append(row)
        label = (
            f"### {end.capitalize()} {view.k}"
            if view.kind is QueryKind.DIMENSION
            else "### Neighbours"
        )
        parts.append(
            f"{label}\n\n"
            + table(header, rows)
            + "\n\nWords in **bold** occur in more than one model's list."
        )
    errors = [f"- {md(r.model.name)}: {md(r.error)}" for r in view.results if r.error]
    if errors:
        parts.append("### Not answered\n\n" + "\n".join(errors))
    parts.append(overlap_section(view))
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"


def overlap_section(view: QueryView) -> str:
    o = view.overlap
    lines = ["### Agreement between models"]
    if o.coverage is not None:
        sizes = ", ".join(f"{md(n)} {s:,}" for n, s in o.coverage.sizes)
        lines.append(f"Shared vocabulary: {o.coverage.shared_words:,} words ({sizes}).")
    if o.pairs:
        lines.append(
            table(
                ["model A", "model B", "Jaccard", "RBO (p=0.9)", "shared words"],
                [(md(p.a), md(p.b), p.jaccard, p.rbo, words(p.shared) or "—") for p in o.pairs],
            )
        )
    else:
        lines.append("Only one model answered: nothing to compare.")
    return "\n\n".join(lines)


@render_markdown.register
def _(view: DimensionView) -> str:
    s = view.stats
    parts = [
        f"## Dimension {view.dim} of {md(view.model.name)}",
        f"- k: {view.k}\n- restrict: {view.restrict or 'whole vocabulary'}\n"
        f"- values: {view.scale.label}",
        models_section([view.model]),
        "### Words at both ends\n\n"
        + table(
            ["rank", "top word", "value", "bottom word", "value"],
            [
                (i + 1, md(t.word), t.value, md(b.word), b.value)
                for i, (t, b) in enumerate(zip(view.top, view.bottom, strict=False))
            ],
        ),
        "### Statistics (raw coordinates)\n\n"
        + table(
            [
                "words",
                "mean",
                "std",
                "skewness",
                "excess kurtosis",
                "Spearman ρ with frequency rank",
                "share of squared norm",
            ],
            [
                (
                    s.count,
                    s.mean,
                    s.std,
                    s.skewness,
                    s.kurtosis,
                    "n/a" if s.frequency_spearman is None else s.frequency_spearman,
                    s.norm_share,
                )
            ],
        ),
        "Histogram: "
        + " ".join(str(c) for c in s.histogram)
        + f" (20 bins from {s.bin_edges[0]:.3f} to {s.bin_edges[-1]:.3f})",
        reproduce(view.command()),
    ]
    return "\n\n".join(parts) + "\n"


@render_markdown.register
def _(view: RepeatsView) -> str:
    parts = [
        f"## Repeated words at the extremes of {md(view.model.name)}'s dimensions",
        f"- k: {view.k}\n- restrict: {view.restrict or 'whole vocabulary'}\n"
        f"- values: {view.scale.label}",
        models_section([view.model]),
    ]
    for stat in (view.top, view.bottom):
        parts.append(
            f"### {stat.end.capitalize()} {stat.k} of {stat.dims} dimensions\n\n"
            f"{stat.distinct} distinct words fill {stat.slots} slots "
            f"({stat.distinct_share:.1%} distinct); {len(stat.repeated)} words recur in two or "
            "more dimensions."
        )
        if stat.repeated:
            parts.append(
                table(
                    ["word", "dimensions", "count"],
                    [(md(r.word), ", ".join(map(str, r.dims)), len(r.dims)) for r in stat.repeated],
                )
            )
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"
