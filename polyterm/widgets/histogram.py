"""A histogram drawn with block characters: cheap to repaint on every dimension step."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from polyterm.widgets.pane import theme_colour

EIGHTHS = " ▁▂▃▄▅▆▇█"
LOG_LABEL = "bar heights: log(1 + count)"
"""What the axis says when a heavy-tailed dimension is drawn on a log scale (`needs_log`)."""


def _levels(counts: Sequence[int], height: int, log: bool) -> list[int]:
    """Each count's bar height in eighths of a row, linear or by log(1 + count)."""
    scaled = [math.log1p(c) for c in counts] if log else [float(c) for c in counts]
    top = max(scaled) or 1.0
    return [round(c / top * height * 8) for c in scaled]


def needs_log(counts: Sequence[int], height: int) -> bool:
    """A heavy-tailed dimension: on a linear scale more than half of the non-empty bins
    would draw nothing (one tall bar and the rest flat), so the bars are drawn by
    log(1 + count) and the histogram says so."""
    filled = [c for c in counts if c > 0]
    if len(filled) < 3 or height < 1:
        return False
    levels = _levels(counts, height, False)
    shown = sum(1 for c, level in zip(counts, levels, strict=True) if c and level)
    return shown * 2 < len(filled)


def bar_rows(counts: Sequence[int], width: int, height: int, *, log: bool = False) -> list[str]:
    """`height` text rows of bars (one bar per count, spread over `width` columns), their
    heights linear in the counts or, with `log`, in log(1 + count)."""
    if not counts or width < len(counts) or height < 1:
        return []
    each = width // len(counts)
    gap = 1 if each >= 3 else 0
    levels = _levels(counts, height, log)
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
        log = needs_log(self.counts, max(0, height))
        rows = bar_rows(self.counts, max(0, width), max(0, height), log=log)
        colour = theme_colour(self.app, "primary", "blue")
        out = Text(no_wrap=True, overflow="crop")
        for i, row in enumerate(rows):
            label = top if i == 0 else ("0" if i == len(rows) - 1 else "")
            out.append(f"{label:>{axis - 1}} ", style="dim")
            out.append("│", style="dim")
            out.append(row + "\n", style=colour)
        lo, hi = f"{self.edges[0]:.2f}", f"{self.edges[-1]:.2f}"
        used = len(rows[0]) if rows else 0
        room = max(1, used - len(lo) - len(hi))
        middle = (LOG_LABEL if len(LOG_LABEL) + 2 <= room else "log") if log else ""
        out.append(" " * (axis + 1) + lo + middle.center(room) + hi, style="dim")
        return out
