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
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from polyterm.safe_text import visible
from polyterm.views.rich_cells import rich_cell
from polyterm.widgets.pane import RAW_BASIS, FitTable, axis_noun, cut, plain, share, theme_colour

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


def mode_title(mode: CompareMode, basis: str = RAW_BASIS) -> str:
    """What the mode shows, naming the basis (raw: the models' own dimensions)."""
    if basis == RAW_BASIS or mode not in MODE_TITLES:
        return MODE_TITLES.get(mode, "")
    units = f"{basis} {axis_noun(basis)}s".replace("axiss", "axes")
    if mode is CompareMode.MATCHED:
        return f"matched {units} (one-to-one on |r|)"
    if mode is CompareMode.ALIGNED:
        return f"aligned {units} (after Procrustes)"
    return f"whole-model summary in {basis}"


def base_name(name: str, basis: str) -> str:
    """A model's name without the ` [basis]` its codes carry (the title names the basis)."""
    return name.removesuffix(f" [{basis}]")


# the matched table's columns every basis has (the display draws them itself); any other
# column the view's `matched` table holds (p-values, FDR, stability) is shown as it is
KNOWN_PAIR_COLUMNS = ("r", "Jaccard")
# robust companions of r stay in exports and the CLI; the pane keeps only frequency's column
PANE_SKIPS = ("Spearman ρ", "r without", "share of r in")


class NullKind(StrEnum):
    """The two nulls every statistic is set beside (`Statistic.null(kind)`)."""

    ROTATION = "rotation"
    SHUFFLE = "shuffle"


NARROW = 48  # below this width the pair's word lists are shown as lines, not columns
WIDE_SUMMARY = 80  # from this width the statistics are a table, else two lines each


def null_cell(null: Any) -> str:
    if null is None:
        return "—"
    if getattr(null, "degenerate", False):
        return "— (unchanged under this null)"
    z = "" if null.z is None else f" z{null.z:+.1f}"
    return f"{null.null_mean:.3f}±{null.null_sd:.3f}{z}"


class AlignmentDisplay(Vertical):
    """The pairs table with the highlighted pair's words, or the summary (one at a time)."""

    def __init__(self) -> None:
        super().__init__(id="align", classes="hidden")
        self.view: AlignmentView | None = None
        self.mode = CompareMode.MATCHED
        self.pairs: tuple[DimensionPair, ...] = ()
        self._focus: int | None = None  # the dimension of A being browsed
        self.basis = RAW_BASIS
        self._extras: tuple[list[Text], dict[tuple[str, str], list[Text]]] = ([], {})

    def compose(self) -> ComposeResult:
        with Vertical(id="align-pairs-box"):
            yield FitTable(id="align-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="align-detail")
        with VerticalScroll(id="align-summary", classes="hidden"):
            yield Static(id="summary-stats")
            yield Static(id="summary-curve-title", classes="pane-header")
            yield PlotextPlot(id="summary-curve")
            yield Static(id="summary-readings")

    def main_widget(self) -> Any:
        summary = self.mode is CompareMode.SUMMARY and self.view is not None
        return self.query_one("#align-summary" if summary else "#align-table")

    def title(self) -> str:
        v = self.view
        what = mode_title(self.mode, self.basis)
        if v is None:
            return what
        a, b = base_name(v.a.name, self.basis), base_name(v.b.name, self.basis)
        line = f"{what} · {a} vs {b} · {v.n_words:,} shared words"
        if self.mode is CompareMode.SUMMARY:
            c = v.basis_matching
            draws = "" if c is None else f", {c.repetitions:,} max-|r| draws"
            return f"{line} · k {v.k} · {v.repetitions} null draws{draws}, seed {v.seed}"
        if self.mode is CompareMode.ALIGNED and v.reduced_to:
            line += (
                f" · {v.b.name if v.b.dims > v.a.dims else v.a.name} reduced to its first "
                f"{v.reduced_to} principal axes (PCA)"
            )
        return line

    def column_labels(self) -> tuple[str, str]:
        """What the pairs' two index columns hold: each model's own dimensions (matched),
        or the axes Procrustes pairs (aligned): A's rotated onto B's, the larger model's
        taken from its PCA when the two differ in size."""
        v = self.view
        unit = "dim" if self.basis == RAW_BASIS else axis_noun(self.basis)
        if v is None or self.mode is not CompareMode.ALIGNED:
            if v is None:
                return unit, unit
            a, b = base_name(v.a.name, self.basis), base_name(v.b.name, self.basis)
            return f"{a} {unit}", f"{b} {unit}"
        reduced = (v.a.name if v.a.dims > v.b.dims else v.b.name) if v.reduced_to else None
        a = f"{v.a.name} {'PCA ' if reduced == v.a.name else ''}axis, rotated"
        b = f"{v.b.name} {'PCA ' if reduced == v.b.name else ''}axis"
        return a, b

    def show(
        self,
        view: AlignmentView,
        mode: CompareMode,
        focus_dim: int | None = None,
        basis: str = RAW_BASIS,
    ) -> None:
        """Render `view` (both models in `basis`) as `mode` (matched, aligned or
        summary); as it is if unchanged."""
        if self.view is view and self.mode is mode and self._focus == focus_dim:
            return
        self.view, self.mode, self._focus, self.basis = view, mode, focus_dim, basis
        summary = mode is CompareMode.SUMMARY
        self.query_one("#align-pairs-box").set_class(summary, "hidden")
        self.query_one("#align-summary").set_class(not summary, "hidden")
        if summary:
            self._summary(view)
        else:
            self._pairs(view.matched if mode is CompareMode.MATCHED else view.aligned, focus_dim)

    def clear(self) -> None:
        """Show nothing (the pane's question is being computed): no earlier answer stays
        in sight, and the pairs table stays to hold the focus."""
        if self.view is None and not self.pairs:
            return
        self.view, self.pairs, self._extras = None, (), ([], {})
        table = self.query_one("#align-table", FitTable)
        table.fill(lambda _: table.clear(columns=True))
        self.query_one("#align-detail", Static).update("")
        self.query_one("#align-pairs-box").remove_class("hidden")
        self.query_one("#align-summary").add_class("hidden")

    # -- pairs ---------------------------------------------------------------------------------
    def extra_columns(self) -> tuple[list[Text], dict[tuple[str, str], list[Text]]]:
        """The columns of the view's `matched` table beyond those drawn here (in a basis:
        the max-|r| p-value, shared at the FDR, stability, universal; ρ with frequency
        rank, also in the aligned view), and their cells by the pair's (A, B) indices."""
        view = self.view
        if view is None or self.mode not in (CompareMode.MATCHED, CompareMode.ALIGNED):
            return [], {}
        key = "matched" if self.mode is CompareMode.MATCHED else "aligned"
        table = next((t for t in view.tables() if t.key == key), None)
        if table is None:
            return [], {}
        keep = [
            i
            for i, c in enumerate(table.columns)
            if i >= 2
            and rich_cell(c).plain not in KNOWN_PAIR_COLUMNS
            and not rich_cell(c).plain.startswith(("top words", *PANE_SKIPS))
        ]
        labels = [rich_cell(table.columns[i]) for i in keep]
        cells = {
            (rich_cell(row[0]).plain, rich_cell(row[1]).plain): [
                rich_cell(row[i]) if i < len(row) else Text("") for i in keep
            ]
            for row in table.rows
            if len(row) >= 2
        }
        return labels, cells

    def _pairs(self, pairs: tuple[DimensionPair, ...], focus_dim: int | None) -> None:
        view, (a_label, b_label) = self.view, self.column_labels()
        assert view is not None
        self.pairs = pairs
        table = self.query_one("#align-table", FitTable)
        accent = theme_colour(self.app, "accent", "yellow")
        extra_labels, extra_cells = self._extras = self.extra_columns()
        extra_widths = [
            max([label.cell_len, *(cells[i].cell_len for cells in extra_cells.values())])
            for i, label in enumerate(extra_labels)
        ]

        def draw(room: int | None) -> None:
            # the widest layout whose shared words keep room; narrower: the models' names
            # only, then without the Jaccard column (the detail below gives both)
            a_name = base_name(view.a.name, self.basis)
            b_name = base_name(view.b.name, self.basis)
            extras = bool(extra_labels)
            layouts = (
                (a_label, b_label, True, extras, 20),
                (a_name, b_name, True, extras, 12),
                (a_name, b_name, False, extras, 12),
                (a_name, b_name, False, False, 0),
            )
            for first, second, jaccard, extra, least in layouts:
                widths = [len(first), len(second), len("+0.000")] + [len("Jaccard")] * jaccard
                widths += extra_widths * extra
                left = share(room, widths, 1, least=8)
                if left is None or left >= least:
                    break
            table.clear(columns=True)
            table.add_column(plain(first), key="a")
            table.add_column(plain(second), key="b")
            for label in ("r", "Jaccard"):
                if label != "Jaccard" or jaccard:
                    table.add_column(label, key=label)
            if extra:
                for i, extra_label in enumerate(extra_labels):
                    table.add_column(extra_label, key=f"extra-{i}")
            # the shared words wrap onto more lines rather than run past the edge
            header = cut("shared top words", left)
            table.add_column(header, key="shared top words", width=left)
            for i, p in enumerate(pairs):
                words = Text(", ".join(visible(w) for w in p.shared) or "—", f"bold {accent}")
                cells: list[Text | str] = [str(p.dim_a), str(p.dim_b), f"{p.r:+.3f}"]
                if jaccard:
                    cells.append(f"{p.jaccard:.2f}")
                if extra:
                    blank = [Text("")] * len(extra_labels)
                    cells += extra_cells.get((str(p.dim_a), str(p.dim_b)), blank)
                tall = left is not None and words.cell_len > left
                table.add_row(*cells, words, key=str(i), height=None if tall else 1)

        table.fill(draw)
        # the top (the strongest pairs) unless a dimension past the first is being browsed
        row = next((i for i, p in enumerate(pairs) if focus_dim and p.dim_a == focus_dim), 0)
        if pairs:
            table.move_cursor(row=row, animate=False)
            # once laid out, so that the row is scrolled into sight
            self.call_after_refresh(table.move_cursor, row=row, animate=False)
        self._detail(row)

    @on(DataTable.RowHighlighted, "#align-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
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
        head: Text | Group = Text.assemble(
            (f"top {v.k} words · r {p.r:+.3f} · Jaccard {p.jaccard:.2f} · ", "dim"),
            (f"{len(shared)} shared*", accent),
        )

        labels, by_pair = self._extras
        cells = by_pair.get((str(p.dim_a), str(p.dim_b)))
        if cells:  # the view's own columns for the pair (p-value, FDR, stability), in a line
            head = Group(
                head,
                Text(" · ").join(
                    Text.assemble(label, " ", cell)
                    for label, cell in zip(labels, cells, strict=False)
                    if cell.plain
                ),
            )

        def word(w: str) -> Text:
            return plain(f"{w}*", accent) if w in shared else plain(w)

        a_label, b_label = self.column_labels()
        if self.size.width < NARROW:  # one line per model
            lines = [
                Text.assemble(
                    (f"{visible(name)} {dim}{e}: ", "bold"), Text(", ").join(word(w) for w in words)
                )
                for name, dim, e, words in (
                    (a_label, p.dim_a, "", p.words_a),
                    (b_label, p.dim_b, end, p.words_b),
                )
            ]
            box.update(Group(head, *lines))
            return
        grid = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        grid.add_column("#", justify="right", style="dim")
        grid.add_column(plain(f"{a_label} {p.dim_a}"))
        grid.add_column(plain(f"{b_label} {p.dim_b}{end}"))
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
    def extra_statistics(self) -> list[list[Text]]:
        """Rows of the view's `statistics` table beyond its statistics with nulls (in a
        basis: pairs shared at the FDR, stable and universal pairs), as the view writes
        them: statistic, observed, the nulls' columns."""
        view = self.view
        if view is None:
            return []
        table = next((t for t in view.tables() if t.key == "statistics"), None)
        if table is None:
            return []
        known = {s.name for s in view.statistics}
        return [
            [rich_cell(c) for c in row]
            for row in table.rows
            if row and rich_cell(row[0]).plain not in known and len(row) >= 4
        ]

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
                    null_cell(s.null(NullKind.ROTATION)),
                    null_cell(s.null(NullKind.SHUFFLE)),
                )
            for row in self.extra_statistics():
                stats.add_row(*row[:4])
        else:  # narrow: each statistic on a line, its nulls on the next
            stats = Group(
                *(
                    Text.assemble(
                        (f"{s.name} ", "bold"),
                        f"{s.observed:.3f}\n",
                        (
                            f"  rotation {null_cell(s.null(NullKind.ROTATION))} · shuffle "
                            f"{null_cell(s.null(NullKind.SHUFFLE))}",
                            "dim",
                        ),
                    )
                    for s in view.statistics
                ),
                *(
                    Text.assemble(
                        (row[0].plain + " ", "bold"), row[1], ("  " + row[2].plain, "dim")
                    )
                    for row in self.extra_statistics()
                ),
            )
        self.query_one("#summary-stats", Static).update(stats)
        curve = view.matched_curve
        from polyterm.core.alignment_nulls import Stat  # scipy: not at start-up

        rotation = view.statistic(Stat.MEAN_MATCHED_R).null(NullKind.ROTATION)
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
