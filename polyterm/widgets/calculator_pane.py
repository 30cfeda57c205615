"""Pane 3, Word-difference calculator: `cat - car` in every selected model, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ItemGrid, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import Convention
from polyterm.safe_text import visible
from polyterm.views.query import ModelResult, QueryView
from polyterm.views.settings import COMPARISON
from polyterm.widgets.pane import Pane, PaneId, PaneServices, Question, SafeInput, plain

EXAMPLES = "cat - car · king - man + woman · 0.5*cat + dog"
BOX_WIDTH = 24  # the narrowest model box (three fit at 80 columns without the sidebar, ctrl+b);
# boxes wrap onto more rows rather than shrink
SHARED_LEGEND = "word* = in more than one model's list"


@dataclass(frozen=True, slots=True)
class CalcQuestion:
    """What the calculator asks: an expression, how to sum it, in which models."""

    text: str
    convention: Convention
    include_query: bool
    models: tuple[str, ...]


class HistoryInput(SafeInput):
    """An Input that recalls earlier entries with up and down."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up",
            "history(-1)",
            "Older",
            id="calc.history-older",
            tooltip="Recall the previous expression",
            show=False,
        ),
        Binding(
            "down",
            "history(1)",
            "Newer",
            id="calc.history-newer",
            tooltip="Recall the next expression",
            show=False,
        ),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._at = 0

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._at = len(self.history)

    def action_history(self, by: int) -> None:
        if not self.history:
            return
        self._at = max(0, min(len(self.history), self._at + by))
        self.value = self.history[self._at] if self._at < len(self.history) else ""
        self.cursor_position = len(self.value)


class CalculatorPane(Pane):
    """Type an expression; every selected model answers in its own column."""

    PANE_ID = PaneId.CALC
    NUMBER = 3
    LABEL = "Calculator"
    TIP = "Go to the word-difference calculator"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+t",
            "convention",
            "Convention",
            id="calc.convention",
            tooltip="Switch between the normalised (gensim) and raw vector-sum conventions",
        ),
        Binding(
            "ctrl+g",
            "include_query",
            "Query words",
            id="calc.include-query",
            tooltip="Include or exclude the query's own words from the results",
        ),
    ]

    class Submitted(Message):
        def __init__(self, text: str, convention: Convention, include_query: bool) -> None:
            self.text = text
            self.convention = convention
            self.include_query = include_query
            super().__init__()

    def __init__(self, services: PaneServices | None = None) -> None:
        super().__init__(services)
        self.convention = Convention.NORMALISED
        self.include_query = False
        self.last_text = ""
        self.asked: CalcQuestion | None = None  # asked, not answered yet

    def compose(self) -> ComposeResult:
        yield HistoryInput(placeholder=f"an expression, e.g. {EXAMPLES}", id="calc-input")
        yield Static("", id="calc-error", classes="message hidden")
        defaults = COMPARISON.pane_defaults("calc")
        yield Static(defaults, id="calc-defaults", classes="pane-defaults").with_tooltip(defaults)
        yield Static(id="calc-convention", classes="pane-header")
        # every model's box, wrapped onto as many rows as needed and scrolled (never hidden)
        with VerticalScroll(id="calc-results"):
            yield ItemGrid(id="calc-grid", min_column_width=BOX_WIDTH, stretch_height=False)
            yield Static("", id="calc-agreement")

    def main_widget(self) -> Widget:
        return self.query_one("#calc-input", HistoryInput)

    def on_mount(self) -> None:
        self._show_convention()

    def _show_convention(self) -> None:
        words = "included" if self.include_query else "excluded"
        line = Text(f"convention: {self.convention.label} · query words {words}")
        if self.asked is not None:
            line.append(" · computing …")
        elif isinstance(self.view, QueryView) and self.view.overlap.recurring:
            line.append(" · ")
            line.append(SHARED_LEGEND, self.shared_style())
        self.query_one("#calc-convention", Static).update(line)

    @on(Input.Submitted, "#calc-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        self.query_one("#calc-input", HistoryInput).remember(text)
        self.submit(text)

    def submit(self, text: str) -> None:
        self.last_text = text
        self.post_message(self.Submitted(text, self.convention, self.include_query))

    def action_convention(self) -> None:
        self.convention = (
            Convention.RAW if self.convention is Convention.NORMALISED else Convention.NORMALISED
        )
        self._show_convention()
        if self.last_text:
            self.submit(self.last_text)

    def action_include_query(self) -> None:
        self.include_query = not self.include_query
        self._show_convention()
        if self.last_text:
            self.submit(self.last_text)

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        from polyterm.views.query import expression_view

        text, conv, inc, models = self.last_text, self.convention, self.include_query, chosen
        if not text or not models:
            return None
        self.asked = CalcQuestion(text, conv, inc, tuple(m.name for m in models))
        self._show_convention()
        return lambda _: expression_view(models, text, convention=conv, include_query=inc)

    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        """Boxes of models no longer selected go at once (the answer follows)."""
        if not self.is_mounted or not isinstance(self.view, QueryView):
            return
        names = {m.name for m in chosen}
        for box in self.query_one("#calc-grid").query_children(".calc-model").results(Static):
            if str(box.border_title) not in names:
                box.remove()

    def work_stopped(self, cancelled: bool = False) -> None:
        super().work_stopped(cancelled)
        self.asked = None
        self._show_convention()

    # -- rendering ----------------------------------------------------------------------
    def show_error(self, text: str, position: int | None = None) -> None:
        """A syntax error inline under the input (with a caret at `position`)."""
        box = self.query_one("#calc-error", Static)
        style = f"bold {self.theme_colour('error', 'red')}"
        if position is not None and self.last_text:
            # the caret under the same character once controls are shown as escapes
            caret = Text(" " * len(visible(self.last_text[:position])) + "^", style=style)
            box.update(Group(plain(self.last_text), caret, plain(text, style)))
        else:
            box.update(plain(text, style))
        box.set_class(not text, "hidden")
        if text:  # no earlier answer under an expression that has none
            self.view = None
            for old in self.query_one("#calc-grid").query_children(".calc-model"):
                old.remove()

    def show(self, view: QueryView) -> None:
        self.view, self.asked = view, None
        self.show_error("")
        self._show_convention()
        shared = {w for w, _ in view.overlap.recurring}
        grid = self.query_one("#calc-grid", ItemGrid)
        boxes = list(grid.query_children(".calc-model").results(Static))
        for box, result in zip(boxes, view.results, strict=False):  # updated in place
            box.update(self._column(result, shared))
            box.border_title = plain(result.model.name)
        for box in boxes[len(view.results) :]:
            box.remove()
        new = [self._box(r, shared) for r in view.results[len(boxes) :]]
        if new:
            grid.mount_all(new)
        # each pair's agreement beside baselines that can fail (none for a single model)
        lines = [Text.assemble((f"{visible(b.a)} ↔ {visible(b.b)}: ", "bold"), b.text())
                 for b in view.baselines]  # fmt: skip
        self.query_one("#calc-agreement", Static).update(Group(*lines) if lines else "")

    def _box(self, result: ModelResult, shared: set[str]) -> Static:
        """A model's box, titled before it is mounted."""
        box = Static(self._column(result, shared), classes="calc-model")
        box.border_title = plain(result.model.name)
        return box

    def _column(self, result: ModelResult, shared: set[str]) -> RenderableType:
        if result.error is not None:
            style = f"{self.theme_colour('error', 'red')}"
            parts: list[RenderableType] = [plain("✗ " + result.error, style)]
            if result.suggestions:
                tries = ", ".join(visible(s) for s in result.suggestions)
                parts.append(Text.assemble("try: ", (tries, self.shared_style())))
            return Group(*parts)
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="dim")
        table.add_column()
        table.add_column(justify="right")
        for i, e in enumerate(result.entries):
            table.add_row(str(i + 1), self.word_text(e.word, e.word in shared), f"{e.value:.3f}")
        return table
