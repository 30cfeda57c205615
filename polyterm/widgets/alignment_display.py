"""Two models as wholes, inside the Compare pane: matched or aligned pairs, and the summary.

`AlignmentDisplay` renders one `AlignmentView` (computed by `alignment_view` in a worker)
three ways: the matched dimension pairs (before Procrustes), the aligned pairs (after it),
each with the highlighted pair's word lists side by side, and the whole-model summary:
every statistic beside its nulls, the readings, and the sorted matched-|r| curve.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from polyterm.safe_text import visible
from polyterm.widgets.pane import plain, theme_colour

if TYPE_CHECKING:  # the views pull in scipy: imported by the worker, not at start-up
    from polyterm.views.alignment import AlignmentView, DimensionPair


class CompareMode(StrEnum):
    """What the Compare pane shows; `v` steps through them in this order."""

    INDEX = "index"  # the current query, models as columns, compared by index
    MATCHED = "matched"  # the first two selected models' dimensions matched one-to-one
    ALIGNED = "aligned"  # ... and after Procrustes
    SUMMARY = "summary"  # the whole-model statistics

    def next(self) -> CompareMode:
        modes = list(CompareMode)
        return modes[(modes.index(self) + 1) % len(modes)]


MODE_TITLES = {
    CompareMode.MATCHED: "matched dimensions (one-to-one on |r|, unrotated)",
    CompareMode.ALIGNED: "aligned dimensions (after Procrustes)",
    CompareMode.SUMMARY: "whole-model summary",
}
NARROW = 48  # below this width the pair's word lists are shown as lines, not columns
WIDE_SUMMARY = 80  # from this width the statistics are a table, else two lines each


def null_cell(null: Any) -> str:
    if null is None:
        return "—"
    z = "" if null.z is None else f" z{null.z:+.1f}"
    return f"{null.null_mean:.3f}±{null.null_sd:.3f}{z}"


class AlignmentDisplay(Vertical):
    """The pairs table with the highlighted pair's words, or the summary (one at a time)."""

    def __init__(self) -> None:
        super().__init__(id="align", classes="hidden")
        self.view: AlignmentView | None = None
        self.mode = CompareMode.MATCHED
        self.pairs: tuple[DimensionPair, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="align-pairs-box"):
            table: DataTable[Text | str] = DataTable(
                id="align-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static(id="align-detail")
        with VerticalScroll(id="align-summary", classes="hidden"):
            yield Static(id="summary-stats")
            yield Static(id="summary-curve-title", classes="pane-header")
            yield PlotextPlot(id="summary-curve")
            yield Static(id="summary-readings")

    def main_widget(self) -> Any:
        summary = self.mode is CompareMode.SUMMARY
        return self.query_one("#align-summary" if summary else "#align-table")

    def title(self) -> str:
        v = self.view
        if v is None:
            return MODE_TITLES[self.mode]
        line = f"{MODE_TITLES[self.mode]} · {v.a.name} vs {v.b.name} · {v.n_words:,} shared words"
        if self.mode is CompareMode.SUMMARY:
            return f"{line} · {v.repetitions} null draws, seed {v.seed}"
        if self.mode is CompareMode.ALIGNED and v.reduced_to:
            line += (
                f" · {v.b.name if v.b.dims > v.a.dims else v.a.name} reduced to "
                f"{v.reduced_to} dims by PCA"
            )
        return line

    def show(self, view: AlignmentView, mode: CompareMode, focus_dim: int | None = None) -> None:
        """Render `view` as `mode` (matched, aligned or summary)."""
        self.view, self.mode = view, mode
        summary = mode is CompareMode.SUMMARY
        self.query_one("#align-pairs-box").set_class(summary, "hidden")
        self.query_one("#align-summary").set_class(not summary, "hidden")
        if summary:
            self._summary(view)
        else:
            self._pairs(view.matched if mode is CompareMode.MATCHED else view.aligned, focus_dim)

    # -- pairs ---------------------------------------------------------------------------------
    def _pairs(self, pairs: tuple[DimensionPair, ...], focus_dim: int | None) -> None:
        assert self.view is not None
        a, b = self.view.a.name, self.view.b.name
        self.pairs = pairs
        table = self.query_one("#align-table", DataTable)
        table.clear(columns=True)
        b_label = f"{b} PCA" if self.mode is CompareMode.ALIGNED and self.view.reduced_to else b
        table.add_column(plain(a), key="a")
        table.add_column(plain(b_label), key="b")
        for label in ("r", "Jaccard", "shared top words"):
            table.add_column(label, key=label)
        accent = theme_colour(self.app, "accent", "yellow")
        for i, p in enumerate(pairs):
            table.add_row(
                str(p.dim_a),
                str(p.dim_b),
                f"{p.r:+.3f}",
                f"{p.jaccard:.2f}",
                plain(", ".join(visible(w) for w in p.shared) or "—", f"bold {accent}"),
                key=str(i),
            )
        row = next((i for i, p in enumerate(pairs) if p.dim_a == focus_dim), 0)
        if pairs:
            table.move_cursor(row=row, animate=False)
            # once laid out, so that the row is scrolled into sight
            self.call_after_refresh(table.move_cursor, row=row, animate=False)
        self._detail(row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "align-table":
            event.stop()
            self._detail(event.cursor_row)

    def on_resize(self) -> None:
        if self.view is not None and self.mode is CompareMode.SUMMARY:
            self._summary(self.view)
        elif self.view is not None:
            self._detail(self.query_one("#align-table", DataTable).cursor_row)

    def _detail(self, row: int) -> None:
        box = self.query_one("#align-detail", Static)
        if self.view is None or not 0 <= row < len(self.pairs):
            box.update("")
            return
        p, v = self.pairs[row], self.view
        shared = set(p.shared)
        accent = f"bold {theme_colour(self.app, 'accent', 'yellow')}"
        end = " (bottom)" if p.r < 0 else ""
        head = Text.assemble(
            (f"top {v.k} words · r {p.r:+.3f} · Jaccard {p.jaccard:.2f} · ", "dim"),
            (f"{len(shared)} shared*", accent),
        )

        def word(w: str) -> Text:
            return plain(f"{w}*", accent) if w in shared else plain(w)

        if self.size.width < NARROW:  # one line per model
            lines = [
                Text.assemble(
                    (f"{visible(name)} {dim}{e}: ", "bold"), Text(", ").join(word(w) for w in words)
                )
                for name, dim, e, words in (
                    (v.a.name, p.dim_a, "", p.words_a),
                    (v.b.name, p.dim_b, end, p.words_b),
                )
            ]
            box.update(Group(head, *lines))
            return
        grid = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        grid.add_column("#", justify="right", style="dim")
        grid.add_column(plain(f"{v.a.name} dim {p.dim_a}"))
        grid.add_column(plain(f"{v.b.name} dim {p.dim_b}{end}"))
        for i in range(max(len(p.words_a), len(p.words_b))):
            cells = [
                word(w)
                for w in (
                    p.words_a[i] if i < len(p.words_a) else "",
                    p.words_b[i] if i < len(p.words_b) else "",
                )
            ]
            grid.add_row(str(i + 1), *cells)
        box.update(Group(head, grid))

    # -- summary ---------------------------------------------------------------------------
    def _summary(self, view: AlignmentView) -> None:
        stats: Table | Group
        if self.size.width >= WIDE_SUMMARY:
            stats = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
            stats.add_column("statistic")
            stats.add_column("observed", justify="right")
            stats.add_column("rotation null", justify="right")
            stats.add_column("shuffle null", justify="right")
            for s in view.statistics:
                stats.add_row(
                    s.name,
                    f"{s.observed:.3f}",
                    null_cell(s.null("rotation")),
                    null_cell(s.null("shuffle")),
                )
        else:  # narrow: each statistic on a line, its nulls on the next
            stats = Group(
                *(
                    Text.assemble(
                        (f"{s.name} ", "bold"),
                        f"{s.observed:.3f}\n",
                        (
                            f"  rotation {null_cell(s.null('rotation'))} · shuffle "
                            f"{null_cell(s.null('shuffle'))}",
                            "dim",
                        ),
                    )
                    for s in view.statistics
                )
            )
        self.query_one("#summary-stats", Static).update(stats)
        curve = view.matched_curve
        rotation = view.statistic("mean matched |r|").null("rotation")
        note = (
            ""
            if rotation is None
            else (f"; flat line: rotation-null mean {rotation.null_mean:.3f}")
        )
        self.query_one("#summary-curve-title", Static).update(
            f"sorted matched |r| of {len(curve)} dimension pairs{note}"
        )
        plot = self.query_one("#summary-curve", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        xs = list(range(1, len(curve) + 1))
        plt.plot(xs, list(curve), marker="braille")
        if rotation is not None:
            plt.hline(rotation.null_mean)
        plt.ylim(0, 1)
        plt.yticks([0, 0.5, 1], ["0", "0.5", "1"])
        plt.xticks([1, len(curve)], ["1", str(len(curve))])
        plot.refresh()
        readings = [plain("• " + r) for r in view.readings()]
        stable = Text.assemble(
            ("most stable words: ", "dim"), ", ".join(visible(w) for w in view.most_stable)
        )
        self.query_one("#summary-readings", Static).update(Group(*readings, stable))
