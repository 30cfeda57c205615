"""The Compare pane's meaning views (`w`): the polysemantic groupings the two selected
models share in the pane's basis, and a map of chosen words in every selected model.

`MeaningsDisplay` renders a `GroupingsView` (tables `pairs`, turned on its side, and
`shared`, with the view's readings) or a `WordMapView` (each model's scatter drawn as
text sized to the pane, `map_plots`, with the `shape` table beside it, below it when
narrow). Labels are the views' own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from polyterm.widgets.pane import FitTable, plain
from polyterm.widgets.view_tables import draw_table, draw_transposed, view_table

WIDE = 100  # from this width the map's shape table is beside the plots, else below
PLOT_HEIGHT = (6, 14)  # the rows of one scatter, least and most
PLOT_WIDTH = (24, 44)  # the columns of one scatter, least and most


class MeaningsMode(StrEnum):
    """What `w` shows, in this order (then back to the pane's own views)."""

    GROUPINGS = "groupings"
    MAP = "map"
    BLIND = "blind"

    def next(self) -> MeaningsMode | None:
        order = (MeaningsMode.GROUPINGS, MeaningsMode.MAP, MeaningsMode.BLIND)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


def plot_size(columns: int, rows: int, models: int) -> tuple[int, int, int]:
    """(width, height, columns) of each scatter so that `models` of them fit in a space
    `columns` × `rows` cells (side by side in as few rows as fit)."""
    per_row = max(1, min(models, (columns + 1) // (PLOT_WIDTH[0] + 3)))
    width = max(PLOT_WIDTH[0], min(PLOT_WIDTH[1], (columns + 1) // per_row - 3))
    lines = -(-models // per_row)  # rows of plots
    height = (rows - 4 * lines) // max(1, lines)  # each plot: title, 2 borders, a gap
    return width, max(PLOT_HEIGHT[0], min(PLOT_HEIGHT[1], height)), columns


class MeaningsDisplay(VerticalScroll):
    """One groupings, map or blind-alignment view (`show`), or nothing (`clear`)."""

    def __init__(self) -> None:
        super().__init__(id="meanings", classes="hidden")
        self.view: Any = None
        self.mode = MeaningsMode.GROUPINGS

    def compose(self) -> ComposeResult:
        with Horizontal(id="meanings-row"):
            yield Static(id="meanings-plots", classes="hidden")
            yield FitTable(id="meanings-a", cursor_type="row", zebra_stripes=True)
        yield FitTable(id="meanings-b", cursor_type="row", zebra_stripes=True)
        yield Static(id="meanings-readings")

    def main_widget(self) -> Any:
        return self.query_one("#meanings-a")

    def on_resize(self) -> None:
        self.set_class(self.size.width < WIDE, "narrow")
        if self.mode is MeaningsMode.MAP and self.view is not None:
            self._plots(self.view)

    def clear(self) -> None:
        self.view = None
        for wid in ("#meanings-a", "#meanings-b"):
            table = self.query_one(wid, FitTable)
            table.fill(lambda _, t=table: t.clear(columns=True))  # type: ignore[misc]
        self.query_one("#meanings-plots", Static).update("")
        self.query_one("#meanings-readings", Static).update("")

    def show(self, view: Any, mode: MeaningsMode) -> None:
        if self.view is view and self.mode is mode:
            return
        self.view, self.mode = view, mode
        self.set_class(self.size.width < WIDE, "narrow")
        is_map = mode is MeaningsMode.MAP
        self.query_one("#meanings-plots").set_class(not is_map, "hidden")
        a, b = self.query_one("#meanings-a", FitTable), self.query_one("#meanings-b", FitTable)
        if is_map:
            self._plots(view)
            draw_table(a, view_table(view, "shape"), keep_width=16)
            draw_table(b, None)
            b.add_class("hidden")
        elif mode is MeaningsMode.BLIND:  # accuracy beside ceiling, null, chance; the starts
            draw_table(a, view_table(view, "summary"), keep_width=20)
            draw_table(b, view_table(view, "starts"), keep_width=16)
            b.remove_class("hidden")
        else:
            draw_transposed(a, view_table(view, "pairs"), first=2)
            # the grouping and its axis in A and in B (the pair's names head the table above)
            draw_table(b, view_table(view, "shared"), columns=(0, 2, 4), keep_width=26)
            b.remove_class("hidden")
        readings = getattr(view, "readings", None)
        lines = list(readings()) if callable(readings) else []
        self.query_one("#meanings-readings", Static).update(
            Text("\n").join(plain(line) for line in lines)
        )

    def _plots(self, view: Any) -> None:
        from polyterm.views.word_map import map_plots

        wide = self.size.width >= WIDE
        room = self.size.width * 3 // 5 if wide else self.size.width
        columns = max(PLOT_WIDTH[0] + 2, room - 2)
        rows = max(12, self.size.height - (0 if wide else 6))
        width, height, columns = plot_size(columns, rows, len(view.models))
        lines = map_plots(view, width=width, height=height, columns=columns)
        while lines and not lines[-1]:
            lines.pop()
        self.query_one("#meanings-plots", Static).update(
            Text("\n").join(Text(line) for line in lines)  # labels made visible by map_plots
        )
