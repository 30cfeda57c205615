"""A view's table (the view protocol's `tables()`) drawn in a `FitTable`, labels and
cells as the view writes them: numbers right-aligned at their full width, the text
columns sharing what is left and cut with `…` when they do not fit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from polyterm.views.protocol import Table as ViewTable
from polyterm.views.rich_cells import rich_cell
from polyterm.widgets.pane import FitTable, cut, share


def view_table(view: object, key: str) -> ViewTable | None:
    """The view's table `key`, or None (no such table, or not a protocol view)."""
    tables = getattr(view, "tables", None)
    if tables is None:
        return None
    return next((t for t in tables() if t.key == key), None)


def draw_table(
    table: FitTable,
    source: ViewTable | None,
    *,
    rows: Sequence[int] | None = None,
    columns: Sequence[int] | None = None,
    least: int = 8,
    keep_width: int = 24,
    drop_last: bool = True,
) -> None:
    """Draw `source` (its `rows` and `columns` by index, all by default) in `table`, fitted
    to its width now and whenever it changes; nothing when `source` is None. Text columns
    but the last keep their width (up to `keep_width`), the last takes what is left; when
    that is under `least` cells it is left out (`drop_last`), else every column is cut."""
    if source is None:
        table.fill(lambda _: table.clear(columns=True))
        return
    keep = list(range(len(source.columns))) if columns is None else list(columns)
    chosen = list(range(len(source.rows))) if rows is None else list(rows)
    numeric = [i < len(source.numeric) and source.numeric[i] for i in keep]
    labels = [rich_cell(source.columns[i]) for i in keep]
    cells: list[list[Text]] = []
    for r in chosen:
        row = source.rows[r]
        out = [rich_cell(row[i]) if i < len(row) else Text("") for i in keep]
        for j, cell in enumerate(out):
            if numeric[j]:
                cell.justify = "right"
        cells.append(out)
    text = [j for j in range(len(keep)) if not numeric[j]]
    natural = [max([labels[j].cell_len, *(r[j].cell_len for r in cells)]) for j in range(len(keep))]
    # every text column but the last keeps its width (up to `keep_width`); the last takes
    # what is left, and they all share the room when even that does not fit
    kept = {j: min(natural[j], keep_width) for j in text[:-1]}
    fixed = [natural[j] for j in range(len(keep)) if numeric[j]]

    def draw(room: int | None) -> None:
        last = share(room, [*fixed, *kept.values()], 1, least=0) if text else None
        width = {j: kept.get(j, last if last is None else max(least, last)) for j in text}
        shown = list(range(len(keep)))
        if last is not None and last < least and len(text) > 1 and drop_last:
            # too narrow for the last text column (the words): left out, the rest whole
            shown.remove(text[-1])
            rest = share(room, [*fixed, *list(kept.values())[:-1]], 1, least=least)
            width[text[-2]] = min(natural[text[-2]], rest or natural[text[-2]])
        table.clear(columns=True)
        for j in shown:
            table.add_column(labels[j] if numeric[j] else cut(labels[j], width[j]))
        for row in cells:
            table.add_row(*(row[j] if numeric[j] else cut(row[j], width[j]) for j in shown))

    table.fill(draw)


def column_index(source: ViewTable, label: str) -> int | None:
    """The index of the column whose label reads `label` (as text), or None."""
    for i, c in enumerate(source.columns):
        if rich_cell(c).plain == label:
            return i
    return None


def draw_transposed(table: FitTable, source: ViewTable | None, *, first: int = 0) -> None:
    """Draw `source` turned on its side: one row per column (its label, then each row's
    cell), the rows headed by their cells before column `first` joined (a wide table of
    one or two rows reads better so in a narrow pane)."""
    if source is None:
        table.fill(lambda _: table.clear(columns=True))
        return
    heads = [
        Text(" · ").join(rich_cell(row[i]) for i in range(first)) if first else Text(str(n + 1))
        for n, row in enumerate(source.rows)
    ]
    labels = [rich_cell(c) for c in source.columns[first:]]
    body = [[rich_cell(row[i]) for i in range(first, len(source.columns))] for row in source.rows]

    natural = max((label.cell_len for label in labels), default=0)
    values = max((c.cell_len for r in body for c in r), default=8)

    def draw(room: int | None) -> None:
        # the labels whole when the values keep their width, else they share the room
        label = (
            natural
            if room is None
            else min(natural, room - 2 * (1 + len(heads)) - len(heads) * values)
        )
        label = max(label, share(room, (), 1 + len(heads), least=8) or 8)
        width = share(room, (label,), len(heads), least=8)
        table.clear(columns=True)
        table.add_column("")
        for head in heads:
            table.add_column(cut(head, width))
        for j, text in enumerate(labels):
            table.add_row(cut(text, label), *(cut(r[j], width) for r in body))

    table.fill(draw)
