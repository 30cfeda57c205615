"""Rich tables for views (the CLI's default `--format table`)."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from polyterm.safe_text import visible
from polyterm.views.query import DimensionView, QueryKind, QueryView, RepeatsView


def plain(text: object, style: str = "") -> Text:
    """Text from data (a word, a model name) as a cell: controls visible, never markup."""
    return Text(visible(str(text)), style=style)


def words(items: tuple[str, ...] | list[str]) -> Text:
    return plain(", ".join(visible(w) for w in items) or "—")


@singledispatch
def render_table(view: Any) -> RenderableType:
    raise TypeError(f"no table rendering for {type(view).__name__}")


def has_table(view: Any) -> bool:
    """Views without a table renderer are shown as rendered markdown."""
    return render_table.dispatch(type(view)) is not render_table.dispatch(object)


@render_table.register
def _(view: QueryView) -> RenderableType:
    shared = {w for w, _ in view.overlap.recurring}
    ok = [r for r in view.results if r.error is None]
    query = visible(view.query)
    title = f"dimension {query} (by index)" if view.kind is QueryKind.DIMENSION else query
    caption = view.value_label
    if view.kind is not QueryKind.DIMENSION:
        caption += f"; {view.convention.label}"
    out: list[RenderableType] = []
    ends = ("top", "bottom") if view.kind is QueryKind.DIMENSION else ("top",)
    for end in ends if ok else ():
        t = Table(title=plain(f"{title} — {end}" if len(ends) > 1 else title), caption=caption)
        t.add_column("#", justify="right")
        for r in ok:
            t.add_column(plain(f"{r.model.name} ({r.model.dims}d)"))
        depth = max((len(r.end(end)) for r in ok), default=0)
        for i in range(depth):
            cells: list[RenderableType] = [str(i + 1)]
            for r in ok:
                entries = r.end(end)
                if i >= len(entries):
                    cells.append("")
                    continue
                e = entries[i]
                style = "bold green" if e.word in shared else ""
                cells.append(Text.assemble((visible(e.word), style), f" {e.value:.3f}"))
            t.add_row(*cells)
        out.append(t)
    for r in view.results:
        if r.error:
            out.append(plain(f"{r.model.name}: {r.error}", style="yellow"))
    if view.overlap.pairs:
        o = Table(title="agreement")
        for col in ("A", "B", "Jaccard", "RBO p=0.9", "shared"):
            o.add_column(col)
        for p in view.overlap.pairs:
            o.add_row(plain(p.a), plain(p.b), f"{p.jaccard:.3f}", f"{p.rbo:.3f}", words(p.shared))
        out.append(o)
    if view.overlap.coverage is not None:
        out.append(Text(f"shared vocabulary: {view.overlap.coverage.shared_words:,} words"))
    return Group(*out)


@render_table.register
def _(view: DimensionView) -> RenderableType:
    t = Table(title=plain(f"{view.model.name} dimension {view.dim}"), caption=view.scale.label)
    for col in ("#", "top", "value", "bottom", "value"):
        t.add_column(col, justify="right" if col in ("#", "value") else "left")
    for i, (a, b) in enumerate(zip(view.top, view.bottom, strict=False)):
        t.add_row(str(i + 1), plain(a.word), f"{a.value:.4f}", plain(b.word), f"{b.value:.4f}")
    s = view.stats
    freq = "n/a" if s.frequency_spearman is None else f"{s.frequency_spearman:.3f}"
    stats = Text(
        f"mean {s.mean:.4f}  std {s.std:.4f}  skew {s.skewness:.3f}  excess kurtosis "
        f"{s.kurtosis:.3f}  ρ(frequency rank) {freq}  share of norm² {s.norm_share:.3%}"
    )
    return Group(t, stats)


@render_table.register
def _(view: RepeatsView) -> RenderableType:
    parts: list[RenderableType] = []
    for stat in (view.top, view.bottom):
        t = Table(
            title=plain(
                f"{view.model.name}: {stat.end} {stat.k} — {stat.distinct} distinct "
                f"words in {stat.slots} slots ({stat.distinct_share:.1%})"
            )
        )
        t.add_column("word")
        t.add_column("dimensions")
        for r in stat.repeated[:50]:
            t.add_row(plain(r.word), ", ".join(map(str, r.dims)))
        parts.append(t)
    return Group(*parts)
