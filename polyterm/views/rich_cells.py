"""Protocol tables (`polyterm.views.protocol`) as Rich renderables: the CLI's tables, and
styled cells for a pane's DataTable (``[rich_cell(c) for c in row]``)."""

from __future__ import annotations

from rich.table import Table as RichTable
from rich.text import Text

from polyterm.safe_text import visible
from polyterm.views.protocol import Cell, Code, Data, Label, Phrase, Table, number

SHARED_STYLE = "bold green"


def rich_cell(value: Cell | Label | Code) -> Text:
    """A protocol cell or label as Rich text: data visible (bold green if marked)."""
    if value is None:
        return Text("")
    if isinstance(value, Data):
        return Text(visible(value.text), style=SHARED_STYLE if value.bold else "")
    if isinstance(value, Code):
        return Text(visible(value.text))
    if isinstance(value, Phrase):
        return Text.assemble(*(rich_cell(p) for p in value.parts))
    if isinstance(value, int | float):
        return Text(number(value))
    return Text(visible(value))


def rich_table(t: Table) -> RichTable:
    """The table with its title (its caption, which may be long, is the caller's)."""
    out = RichTable(title=rich_cell(t.title))
    for i, column in enumerate(t.columns):
        right = i < len(t.numeric) and t.numeric[i]
        out.add_column(rich_cell(column), justify="right" if right else "left")
    for row in t.rows:
        out.add_row(*(rich_cell(c) for c in row))
    return out
