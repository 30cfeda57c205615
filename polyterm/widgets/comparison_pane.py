"""Pane 4, Comparison: one query side by side, models as columns, ranks as rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import Convention
from polyterm.views.query import QueryKind, QueryView
from polyterm.widgets.pane import Pane, Question


def parse_query(text: str) -> tuple[str, int | None]:
    """`#12` or `dim 12` asks for a dimension; anything else is a word or expression."""
    t = text.strip()
    for prefix in ("#", "dim ", "dim:", "d:"):
        if t.lower().startswith(prefix) and t[len(prefix):].strip().isdigit():
            return t, int(t[len(prefix):].strip())
    return t, None


class ComparisonPane(Pane):
    """The current query (from the calculator, the browser or its own input) compared."""

    PANE_ID = "compare"
    TITLE = "4 Compare"

    class Asked(Message):
        """The user typed a query here: a word, an expression, or `#<dim>`."""

    def __init__(self) -> None:
        super().__init__()
        self.source: tuple[Any, ...] | None = None
        self.convention = Convention.NORMALISED
        self.include_query = False

    def follow_expression(self, text: str, convention: Convention, include_query: bool) -> None:
        self.source = ("expr", text, convention, include_query)

    def follow_dimension(self, dim: int, k: int = 10, restrict: int | None = None,
                         scale: Scale = Scale.RAW) -> None:
        self.source = ("dim", dim, k, restrict, scale)

    def question(self, loaded: Mapping[str, Embedding],
                 chosen: Sequence[Embedding]) -> Question | None:
        from polyterm.views.query import dimension_query_view, expression_view

        q, models = self.source, chosen
        if not models or q is None:
            return None
        if q[0] == "dim":
            return lambda: dimension_query_view(models, q[1], k=q[2], restrict=q[3], scale=q[4])
        return lambda: expression_view(models, q[1], convention=q[2], include_query=q[3])

    def compose(self) -> ComposeResult:
        yield Input(placeholder="a word, an expression, or #<dim> for a dimension",
                    id="compare-input")
        yield Static("Ask something in the calculator (3), the dimension browser (2) or above.",
                     id="compare-title", classes="pane-header")
        table: DataTable[Text | str] = DataTable(id="compare-table", cursor_type="row",
                                                 zebra_stripes=True)
        yield table
        yield Static(id="compare-pairs")
        yield Static("", id="compare-message", classes="message hidden")

    def main_widget(self) -> Widget:
        return self.query_one("#compare-table", DataTable)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "compare-input":
            return
        event.stop()
        text, dim = parse_query(event.value)
        if dim is not None:
            self.follow_dimension(dim)
        elif text:
            self.follow_expression(text, self.convention, self.include_query)
        if text:
            self.post_message(self.Asked())

    def show_error(self, text: str, position: int | None = None) -> None:
        box = self.query_one("#compare-message", Static)
        box.update(Text(text, style=f"bold {self.theme_colour('error', 'red')}"))
        box.set_class(not text, "hidden")

    def show(self, view: QueryView) -> None:
        self.view = view
        self.show_error("")
        if view.kind is QueryKind.DIMENSION:
            title = (f"dimension {view.query} in each model ({view.value_label}); dimensions "
                     "are compared by index, not aligned")
        else:
            title = f"nearest words to “{view.query}” (cosine, {view.convention.value})"
        self.query_one("#compare-title", Static).update(title)
        ok = [r for r in view.results if r.error is None]
        shared = {w for w, _ in view.overlap.recurring}
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_column("rank", key="rank")
        for r in ok:
            table.add_column(r.model.name, key=r.model.name)
        ends = [("top", [r.entries for r in ok])]
        if view.kind is QueryKind.DIMENSION:
            ends.append(("bottom", [r.bottom for r in ok]))
        for end, lists in ends:
            depth = max((len(x) for x in lists), default=0)
            for i in range(depth):
                cells: list[Text | str] = [str(i + 1) if end == "top" else f"−{i + 1}"]
                for entries in lists:
                    if i < len(entries):
                        e = entries[i]
                        cell = self.word_text(e.word, e.word in shared)
                        cell.append(f" {e.value:.3f}", style="dim")
                        cells.append(cell)
                    else:
                        cells.append("")
                table.add_row(*cells, key=f"{end}-{i}")
        if len(ok) > 1:
            summary: list[Text | str] = [Text("J / RBO", style="bold")]
            for r in ok:
                pairs = [p for p in view.overlap.pairs if r.model.name in (p.a, p.b)]
                j = sum(p.jaccard for p in pairs) / len(pairs)
                rbo = sum(p.rbo for p in pairs) / len(pairs)
                summary.append(Text(f"{j:.2f} / {rbo:.2f}", style="bold"))
            table.add_row(*summary, key="summary")
        self.query_one("#compare-pairs", Static).update(self._pairs(view))
        errors = [f"{r.model.name}: {r.error}" for r in view.results if r.error]
        if errors:
            self.show_error("\n".join(errors))

    def _pairs(self, view: QueryView) -> Table | str:
        o = view.overlap
        if not o.pairs:
            return "Only one model answered: select more models (space in the Models pane)."
        t = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        for col in ("model A", "model B", "Jaccard", "RBO p=0.9", "shared"):
            t.add_column(col)
        for p in o.pairs:
            t.add_row(p.a, p.b, f"{p.jaccard:.2f}", f"{p.rbo:.2f}",
                      Text(", ".join(p.shared) or "—", style=self.shared_style()))
        return t
