"""Pane 4, Comparison: one query side by side by index, or two models matched and aligned.

`v` switches between the by-index table (models as columns, ranks as rows), the matched
dimension pairs (before Procrustes), the aligned pairs (after it) and the whole-model
summary; the last three show one `AlignmentView` of the first two selected models,
computed once in a worker with a progress bar (`x` cancels it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import Convention
from polyterm.safe_text import visible
from polyterm.views.model_summary import ModelSummary
from polyterm.views.query import QueryKind, QueryView
from polyterm.widgets.alignment_display import AlignmentDisplay
from polyterm.widgets.pane import Pane, ProgressFn, Question, SafeInput, WorkProgress, plain

if TYPE_CHECKING:
    from polyterm.views.alignment import AlignmentView

MODES = ("index", "matched", "aligned", "summary")
ALIGN_K = 10
ALIGN_TOP_N = 10_000
ALIGN_REPETITIONS = 20
ALIGN_SEED = 0
INDEX_HELP = (
    "Ask something in the calculator (3), the dimension browser (2) or above; v "
    "switches to the first two selected models matched and aligned."
)
PAIR_HINT = (
    "Select two models (space in the Models pane) to match and align them; the "
    "first two selected are compared."
)


def parse_query(text: str) -> tuple[str, int | None]:
    """`#12` or `dim 12` asks for a dimension; anything else is a word or expression."""
    t = text.strip()
    for prefix in ("#", "dim ", "dim:", "d:"):
        if t.lower().startswith(prefix) and t[len(prefix) :].strip().isdigit():
            return t, int(t[len(prefix) :].strip())
    return t, None


class ComparisonPane(Pane):
    """The current query compared by index, or the first two selected models aligned."""

    PANE_ID = "compare"
    TITLE = "4 Compare"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "view",
            "View",
            id="compare.view",
            tooltip="Switch the view: by index, matched dimensions, aligned dimensions "
            "(after Procrustes), whole-model summary",
        ),
    ]

    Asked = Pane.Asked

    def __init__(self) -> None:
        super().__init__()
        self.source: tuple[Any, ...] | None = None
        self.convention = Convention.NORMALISED
        self.include_query = False
        self.mode = "index"
        self.query_view: QueryView | None = None
        self.alignment: AlignmentView | None = None
        self.pair: tuple[Embedding, Embedding] | None = None
        self.computing: tuple[str, str] | None = None  # the pair being aligned now
        self.declined: tuple[str, str] | None = None  # cancelled: not restarted by itself
        self.focus_dim: tuple[str | None, int] | None = None  # (model, dim) being browsed
        self._hinted = False  # the message box shows PAIR_HINT

    def follow_expression(self, text: str, convention: Convention, include_query: bool) -> None:
        self.source = ("expr", text, convention, include_query)

    def follow_dimension(
        self,
        dim: int,
        k: int = 10,
        restrict: int | None = None,
        scale: Scale = Scale.RAW,
        model: str | None = None,
    ) -> None:
        self.source = ("dim", dim, k, restrict, scale)
        self.focus_dim = (model, dim)

    # -- questions ----------------------------------------------------------------------------
    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        self.pair = (chosen[0], chosen[1]) if len(chosen) >= 2 else None
        if self.mode != "index":
            self._show_mode()

    def _key(self, a: Embedding | ModelSummary, b: Embedding | ModelSummary) -> tuple[str, str]:
        sa = a if isinstance(a, ModelSummary) else ModelSummary.of(a)
        sb = b if isinstance(b, ModelSummary) else ModelSummary.of(b)
        return (f"{sa.name}@{sa.content_sha256}", f"{sb.name}@{sb.content_sha256}")

    def aligned_now(self) -> bool:
        """Whether the alignment shown is of the two models selected now."""
        return (
            self.pair is not None
            and self.alignment is not None
            and self._key(*self.pair) == self._key(self.alignment.a, self.alignment.b)
        )

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        from polyterm.views.query import dimension_query_view, expression_view

        q, models = self.source, chosen
        if self.mode != "index":
            return self._alignment_question()
        self.computing = None
        if not models or q is None:
            return None
        if q[0] == "dim":
            return lambda _: dimension_query_view(models, q[1], k=q[2], restrict=q[3], scale=q[4])
        return lambda _: expression_view(models, q[1], convention=q[2], include_query=q[3])

    def _alignment_question(self) -> Question | None:
        if self.pair is None or self.aligned_now():
            return None
        a, b = self.pair
        key = self._key(a, b)
        if key in (self.computing, self.declined):
            return None
        self.computing, self.declined = key, None

        def align(progress: ProgressFn) -> AlignmentView:
            from polyterm.views.alignment import alignment_view

            return alignment_view(
                a,
                b,
                k=ALIGN_K,
                top_n=ALIGN_TOP_N,
                repetitions=ALIGN_REPETITIONS,
                seed=ALIGN_SEED,
                progress=progress,
            )

        return align

    def request_alignment(self) -> None:
        """Show the alignment of the selected pair, computing it if needed."""
        self.declined = None
        if self.mode == "index":
            self.mode = "matched"
        self._show_mode()
        self.post_message(self.Asked(self))

    def work_started(self) -> None:
        if self.computing is not None and self.pair is not None:
            bar = self.query_one("#compare-progress", WorkProgress)
            bar.start(f"aligning {self.pair[0].name} with {self.pair[1].name}")

    def work_stopped(self, cancelled: bool = False) -> None:
        super().work_stopped(cancelled)
        if cancelled and self.computing is not None:
            self.declined = self.computing
            self.show_error(
                "alignment cancelled: v (view) or the palette's “Align selected "
                "models” starts it again"
            )
        self.computing = None

    # -- widgets ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SafeInput(
            placeholder="a word, an expression, or #<dim> for a dimension", id="compare-input"
        )
        yield Static(INDEX_HELP, id="compare-title", classes="pane-header")
        yield WorkProgress(id="compare-progress")
        yield Static("", id="compare-message", classes="message hidden")
        with Vertical(id="compare-index"):
            table: DataTable[Text | str] = DataTable(
                id="compare-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static(id="compare-pairs")
        yield AlignmentDisplay()

    def main_widget(self) -> Widget:
        if self.mode == "index":
            return self.query_one("#compare-table", DataTable)
        return self.query_one(AlignmentDisplay).main_widget()  # type: ignore[no-any-return]

    def action_view(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.declined = None
        self.show_error("")
        self._show_mode()
        self.focus_main()
        if self.mode != "index" and not self.aligned_now():
            self.post_message(self.Asked(self))

    def _show_mode(self) -> None:
        """Show the mode's widgets and its view (what export writes)."""
        index = self.mode == "index"
        display = self.query_one(AlignmentDisplay)
        self.query_one("#compare-input").set_class(not index, "hidden")
        self.query_one("#compare-index").set_class(not index, "hidden")
        display.set_class(index or self.alignment is None, "hidden")
        self.view = self.query_view if index else self.alignment
        title = self.query_one("#compare-title", Static)
        if index:
            title.update(
                plain(INDEX_HELP if self.query_view is None else self._query_title(self.query_view))
            )
            return
        if self.alignment is not None:
            model, dim = self.focus_dim or (None, None)
            display.show(self.alignment, self.mode, dim if model == self.alignment.a.name else None)
        title.update(plain(display.title()))
        if self.pair is None:
            self.show_error(PAIR_HINT)
        elif self._hinted:
            self.show_error("")

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
            self.post_message(self.Asked(self))

    def show_error(self, text: str, position: int | None = None) -> None:
        self._hinted = text == PAIR_HINT
        super().show_error(text, position)

    def show(self, view: QueryView | AlignmentView) -> None:
        self.show_error("")
        self.work_stopped()
        if isinstance(view, QueryView):
            self.query_view = view
            self._show_query(view)
        else:
            self.alignment = view
        self._show_mode()

    def _query_title(self, view: QueryView) -> str:
        if view.kind is QueryKind.DIMENSION:
            return (
                f"dimension {view.query} in each model ({view.value_label}); dimensions "
                "are compared by index, not aligned (v: matched and aligned)"
            )
        return f"nearest words to “{view.query}” (cosine, {view.convention.value})"

    def _show_query(self, view: QueryView) -> None:
        ok = [r for r in view.results if r.error is None]
        shared = {w for w, _ in view.overlap.recurring}
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_column("rank", key="rank")
        for r in ok:
            table.add_column(plain(r.model.name), key=r.model.name)
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

    def _pairs(self, view: QueryView) -> Table | Text:
        o = view.overlap
        if not o.pairs:
            return Text("Only one model answered: select more models (space in the Models pane).")
        t = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        for col in ("model A", "model B", "Jaccard", "RBO p=0.9", "shared"):
            t.add_column(col)
        for p in o.pairs:
            t.add_row(
                plain(p.a),
                plain(p.b),
                f"{p.jaccard:.2f}",
                f"{p.rbo:.2f}",
                plain(", ".join(visible(w) for w in p.shared) or "—", self.shared_style()),
            )
        return t
