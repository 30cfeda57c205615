"""Rich tables for views (the CLI's default `--format table`).

Every table is drawn from the view's `tables()` (the one view protocol,
`polyterm.views.protocol`): the titles, column labels and numbers are the ones the
markdown shows. Text from data is shown with its controls made visible, never as markup.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from polyterm.safe_text import visible
from polyterm.views.protocol import View
from polyterm.views.query import QueryView
from polyterm.views.rich_cells import rich_cell, rich_table


def plain(text: object, style: str = "") -> Text:
    """Text from data (a word, a model name) as a cell: controls visible, never markup."""
    return Text(visible(str(text)), style=style)


__all__ = ["has_table", "plain", "render_table", "rich_cell", "rich_table"]


def has_table(view: Any) -> bool:
    """Every view of the protocol has tables; others are shown as rendered markdown."""
    return render_table.dispatch(type(view)) is not render_table.dispatch(object) or isinstance(
        view, View
    )


def _tables(view: View) -> list[RenderableType]:
    """The view's title, then each table but the models (the title names them; the
    markdown lists their details); a table with no rows shows its title and caption, or
    nothing when it has no caption."""
    out: list[RenderableType] = [Text.assemble(rich_cell(view.title()), style="bold")]
    for t in view.tables():
        if t.key == "models":
            continue
        if t.rows:
            out.append(rich_table(t))
            if t.caption:
                out.append(Text(visible(t.caption), style="dim"))
        elif t.caption:
            line = Text.assemble(rich_cell(t.title), style="bold")
            line.append(f": {visible(t.caption)}")
            out.append(line)
    extremes = getattr(view, "extremes", None)
    if callable(extremes):
        out += [Text.assemble(f"{label}: ", rich_cell(p)) for label, p in extremes()]
    readings = getattr(view, "readings", None)
    if callable(readings):
        out += [Text(visible(f"• {r}")) for r in readings()]
    out.append(Text(visible(f"reproduce: {view.command()}"), style="dim"))
    return out


@singledispatch
def render_table(view: Any) -> RenderableType:
    if isinstance(view, View):
        return Group(*_tables(view))
    raise TypeError(f"no table rendering for {type(view).__name__}")


@render_table.register
def _(view: QueryView) -> RenderableType:
    # A model's error (an unknown word) is not in the table: the CLI says it on stderr.
    out = _tables(view)
    extra: list[RenderableType] = []
    if view.overlap.coverage is not None:
        extra.append(Text(f"shared vocabulary: {view.overlap.coverage.shared_words:,} words"))
    return Group(*out[:-1], *extra, out[-1])
