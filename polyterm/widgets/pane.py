"""What every pane shares: a titled, maximisable container that renders a view state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.containers import Vertical
from textual.widget import Widget

from polyterm.core.embedding import Embedding

Question = Callable[[], Any]


class Pane(Vertical):
    """A pane: `view` is the frozen view state it shows (None until the first answer)."""

    ALLOW_MAXIMIZE = True
    PANE_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.PANE_ID, classes=("pane " + (classes or "")).strip())
        if self.PANE_ID == "models":
            self.border_title = self.TITLE
        self.view: Any = None

    def question(self, loaded: Mapping[str, Embedding],
                 chosen: Sequence[Embedding]) -> Question | None:
        """What to compute (in a worker) for the pane's current inputs, or None."""
        return None

    def show_error(self, text: str, position: int | None = None) -> None:
        """Show a problem with the pane's question."""

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
