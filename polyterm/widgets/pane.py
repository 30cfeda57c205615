"""What every pane shares: a titled, maximisable container that renders a view state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, ProgressBar, Static

from polyterm.core.embedding import Embedding

ProgressFn = Callable[[float], None]
Question = Callable[[ProgressFn], Any]
"""What a pane asks: computed in a worker, given a progress callback (fraction 0…1) that
raises `polyterm.errors.Cancelled` once the worker is cancelled."""


class WorkProgress(Horizontal):
    """A pane's long computation: what it is, a bar, and how to stop it (hidden when idle)."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, classes="work-progress hidden")
        self.label = Label("", classes="work-label")
        self.bar = ProgressBar(total=100, show_eta=False, classes="work-bar")

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.bar

    def start(self, text: str) -> None:
        self.label.update(f"{text} (x cancels)")
        self.bar.update(total=None, progress=0)
        self.remove_class("hidden")

    def advance(self, fraction: float) -> None:
        self.bar.update(total=100, progress=round(100 * max(0.0, min(1.0, fraction)), 1))

    def stop(self) -> None:
        self.add_class("hidden")


class Pane(Vertical):
    """A pane: `view` is the frozen view state it shows (None until the first answer)."""

    ALLOW_MAXIMIZE = True
    PANE_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""

    class Asked(Message):
        """The pane wants its question (re)computed now."""

        def __init__(self, pane: Pane) -> None:
            self.pane = pane
            super().__init__()

        @property
        def control(self) -> Pane:
            return self.pane

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.PANE_ID, classes=("pane " + (classes or "")).strip())
        if self.PANE_ID == "models":
            self.border_title = self.TITLE
        self.view: Any = None
        self.stale = False  # its inputs changed while it was out of sight

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        """What to compute (in a worker) for the pane's current inputs, or None."""
        return None

    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        """The loaded or selected models changed (called on the UI thread)."""

    def show_error(self, text: str, position: int | None = None) -> None:
        """Show a problem with the pane's question in its `#<pane id>-message` box (panes
        without one ignore it); an empty text hides the box."""
        for box in self.query(f"#{self.PANE_ID}-message").results(Static):
            box.update(Text(text, style=f"bold {self.theme_colour('error', 'red')}"))
            box.set_class(not text, "hidden")

    # -- long computations ----------------------------------------------------------------
    def progress_widget(self) -> WorkProgress | None:
        found = self.query(WorkProgress)
        return found.first() if found else None

    def work_started(self) -> None:
        """A question's worker started (heavy panes show their progress bar)."""

    def work_progress(self, fraction: float) -> None:
        if (bar := self.progress_widget()) is not None:
            bar.advance(fraction)

    def work_stopped(self, cancelled: bool = False) -> None:
        """The worker ended (an answer, a problem, or `cancelled` by the user)."""
        if (bar := self.progress_widget()) is not None:
            bar.stop()

    # -- focus and styles -------------------------------------------------------------------
    def main_widget(self) -> Widget:
        """The widget that takes focus when the user moves to this pane."""
        return self

    def focus_main(self) -> None:
        self.main_widget().focus()

    def theme_colour(self, name: str, fallback: str = "") -> str:
        return self.app.theme_variables.get(name, fallback)

    def shared_style(self) -> Style:
        """How words found in more than one model's list are highlighted."""
        return Style.parse(f"bold {self.theme_colour('accent', 'yellow')}")

    def word_text(self, word: str, shared: bool) -> Text:
        return Text(f"{word}*" if shared else word, style=self.shared_style() if shared else "")
