"""The Load form: a vector file path, an optional word limit and, for pickles, trust."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from polyterm.engine.models import OpenOptions
from polyterm.engine.readers import PICKLE_SUFFIXES
from polyterm.engine.specs import VECTOR_SUFFIXES, parse_spec
from polyterm.widgets.pane import SafeInput, plain


@dataclass(frozen=True, slots=True)
class LoadRequest:
    path: str
    limit: int | None
    trusted: bool

    @property
    def options(self) -> OpenOptions:
        return OpenOptions(self.limit, self.trusted)

    @property
    def name(self) -> str:
        """The model's name (the file name without its suffix, with @limit)."""
        return parse_spec(self.path, limit=self.limit, trusted=self.trusted).name


def check_load(
    path_text: str, limit_text: str, trusted: bool
) -> tuple[LoadRequest | None, dict[str, str]]:
    """The request, or per-field messages (path, limit, trust)."""
    errors: dict[str, str] = {}
    path = Path(path_text.strip()).expanduser()
    if not path_text.strip():
        errors["path"] = "enter the path of a vector file"
    elif not path.exists():
        errors["path"] = f"no such file: {path}"
    elif path.is_dir():
        errors["path"] = "that is a folder: give a vector file inside it"
    elif not path.name.lower().endswith(VECTOR_SUFFIXES):
        errors["path"] = "not a known vector file type (" + ", ".join(VECTOR_SUFFIXES) + ")"
    limit: int | None = None
    if limit_text.strip():
        try:
            limit = int(limit_text.replace(",", "").replace("_", ""))
            if limit < 1:
                raise ValueError
        except ValueError:
            errors["limit"] = "a positive number of words, or empty for all"
    if "path" not in errors and path.suffix.lower() in PICKLE_SUFFIXES and not trusted:
        errors["trust"] = (
            "this is a gensim native file, a Python pickle: opening it can run "
            "code. Tick 'I trust this file' only if you know where it came from"
        )
    if errors:
        return None, errors
    return LoadRequest(str(path.resolve()), limit, trusted), {}


class LoadScreen(ModalScreen[LoadRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="load.cancel", tooltip="Close without loading"),
        Binding("ctrl+s", "submit", "Load", id="load.submit", tooltip="Load the file"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="load-dialog") as box:
            box.border_title = "Load a vector file"
            with Grid(id="load-grid"):
                yield Label("path")
                yield SafeInput(
                    placeholder="~/vectors/model.bin, .txt, .vec, .kv", id="path", compact=True
                )
                yield Static("", id="path-error", classes="field-error")
                yield Label("word limit")
                yield SafeInput(placeholder="all words", id="limit", compact=True)
                yield Static("", id="limit-error", classes="field-error")
                yield Label("pickle")
                yield Checkbox("I trust this file", id="trust")
                yield Static("", id="trust-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Load (ctrl+s)", variant="primary", id="load")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def check(self, show: bool = True) -> LoadRequest | None:
        request, errors = check_load(
            self.query_one("#path", Input).value,
            self.query_one("#limit", Input).value,
            self.query_one("#trust", Checkbox).value,
        )
        if show:
            for key in ("path", "limit", "trust"):
                self.query_one(f"#{key}-error", Static).update(plain(errors.get(key, "")))
        return request

    def on_input_submitted(self) -> None:
        self.action_submit()

    def on_checkbox_changed(self) -> None:
        self.check()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "load":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        request = self.check()
        if request is not None:
            self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)
