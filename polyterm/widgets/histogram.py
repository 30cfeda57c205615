"""A histogram drawn with block characters: cheap to repaint on every dimension step."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from polyterm.widgets.pane import theme_colour

EIGHTHS = " ▁▂▃▄▅▆▇█"


def bar_rows(counts: Sequence[int], width: int, height: int) -> list[str]:
    """`height` text rows of bars (one bar per count, spread over `width` columns)."""
    if not counts or width < len(counts) or height < 1:
        return []
    top = max(counts) or 1
    each = width // len(counts)
    gap = 1 if each >= 3 else 0
    levels = [round(c / top * height * 8) for c in counts]
    rows = []
    for row in range(height):
        floor = (height - 1 - row) * 8
        cells = []
        for level in levels:
            char = EIGHTHS[max(0, min(8, level - floor))]
            cells.append(char * (each - gap) + " " * gap)
        rows.append("".join(cells))
    return rows


class Histogram(Widget):
    """Counts over bins, with the largest count and the range of the bins as labels."""

    DEFAULT_CSS = """
    Histogram {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: tuple[int, ...] = ()
        self.edges: tuple[float, ...] = ()

    def show(self, counts: Sequence[int], edges: Sequence[float]) -> None:
        self.counts, self.edges = tuple(counts), tuple(edges)
        self.refresh()

    def render(self) -> Text:
        if not self.counts or not self.edges:
            return Text("")
        top = f"{max(self.counts):,}"
        axis = max(len(top), 1) + 1
        width, height = self.size.width - axis - 1, self.size.height - 1
        rows = bar_rows(self.counts, max(0, width), max(0, height))
        colour = theme_colour(self.app, "primary", "blue")
        out = Text(no_wrap=True, overflow="crop")
        for i, row in enumerate(rows):
            label = top if i == 0 else ("0" if i == len(rows) - 1 else "")
            out.append(f"{label:>{axis - 1}} ", style="dim")
            out.append("│", style="dim")
            out.append(row + "\n", style=colour)
        lo, hi = f"{self.edges[0]:.2f}", f"{self.edges[-1]:.2f}"
        used = len(rows[0]) if rows else 0
        out.append(" " * (axis + 1) + lo + hi.rjust(max(1, used - len(lo))), style="dim")
        return out
