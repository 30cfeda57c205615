"""The Load form: a vector file path, an optional word limit and, for pickles, trust.

Load first reads the file's first rows (in a worker): a file that is not vector data keeps
the form open, with its path, and a sentence naming the file and what to choose instead.
Which suffixes are vector files is `polyterm.engine.formats`' registry, shared with the
reader and the spec parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from polyterm.engine.formats import format_of, suffix_list
from polyterm.engine.models import OpenOptions
from polyterm.engine.readers import read_vector_file
from polyterm.engine.specs import parse_spec
from polyterm.errors import PolytermError
from polyterm.widgets.pane import SafeInput, plain

PROBE_ROWS = 1_000
"""Rows read to check a file before the form closes (the full read is a background job)."""
WHAT_TO_CHOOSE = (
    "Choose a word2vec or GloVe text file, a word2vec binary file (.bin) or a gensim "
    ".model/.kv file."
)


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
    form = format_of(path.name)
    if not path_text.strip():
        errors["path"] = "enter the path of a vector file"
    elif not path.exists():
        errors["path"] = f"no such file: {path}"
    elif path.is_dir():
        errors["path"] = "that is a folder: give a vector file inside it"
    elif form is None:
        errors["path"] = f"not a known vector file type ({suffix_list()})"
    limit: int | None = None
    if limit_text.strip():
        try:
            limit = int(limit_text.replace(",", "").replace("_", ""))
            if limit < 1:
                raise ValueError
        except ValueError:
            errors["limit"] = "a positive number of words, or empty for all"
    if "path" not in errors and form is not None and form.is_pickle and not trusted:
        errors["trust"] = (
            "this is a gensim native file, a Python pickle: opening it can run "
            "code. Tick 'I trust this file' only if you know where it came from"
        )
    if errors:
        return None, errors
    return LoadRequest(str(path.resolve()), limit, trusted), {}


def load_problem(path: str, error: str) -> str:
    """A reader's error as a sentence naming the file and what to do."""
    reason = error
    for prefix in (f"{path}: ", f"{path} "):
        if reason.startswith(prefix):
            reason = reason[len(prefix) :]
            break
    reason = re.split(r" \(|; ", reason)[0].rstrip(". ")  # the first clause: the dialog is small
    return f"{Path(path).name} could not be read as word vectors: {reason}. {WHAT_TO_CHOOSE}"


def probe(request: LoadRequest) -> str | None:
    """Read the file's first rows: None if they are vector data, else what is wrong.

    A gensim native file is not read here: unpickling reads it all (the job does that)."""
    form = format_of(request.path)
    if form is not None and form.is_pickle:
        return None
    rows = min(request.limit or PROBE_ROWS, PROBE_ROWS)
    try:
        read_vector_file(Path(request.path), limit=rows, trusted=request.trusted)
    except PolytermError as exc:
        return load_problem(request.path, str(exc))
    except (OSError, ValueError, MemoryError) as exc:
        return load_problem(request.path, str(exc) or type(exc).__name__)
    return None


class TrustCheckbox(Checkbox):
    """A checkbox whose box shows ✓ when ticked and nothing when not (Textual's shows the
    same X in both states, told apart by colour only)."""

    def render(self) -> Content:
        self.BUTTON_INNER = "✓" if self.value else " "
        return super().render()


class LoadScreen(ModalScreen[LoadRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="load.cancel", tooltip="Close without loading"),
        Binding("ctrl+s", "submit", "Load", id="load.submit", tooltip="Load the file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checking: LoadRequest | None = None  # the request whose file is being read

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
                yield TrustCheckbox("I trust this file", id="trust")
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

    @on(Button.Pressed, "#load")
    def load_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        request = self.check()
        if request is None or self.checking is not None:
            return
        self.checking = request
        self.query_one("#path-error", Static).update(plain(f"reading {Path(request.path).name}…"))
        self.read_first_rows(request)

    @work(thread=True, exclusive=True, group="load-check", exit_on_error=False)
    def read_first_rows(self, request: LoadRequest) -> None:
        problem = probe(request)
        self.app.call_from_thread(self.checked, request, problem)

    def checked(self, request: LoadRequest, problem: str | None) -> None:
        """The first rows were read: load, or stay open with the path and the problem."""
        self.checking = None
        if not self.is_attached:
            return
        if problem is None:
            self.dismiss(request)
            return
        self.query_one("#path-error", Static).update(plain(problem))
        self.query_one("#path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
