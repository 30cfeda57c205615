"""The keys: every key of the focused pane and the global ones, read from the bindings.

`key_sections` reads the bindings themselves (never a hand-written list), so a key added
to a pane or the app shows up here by itself. `HelpScreen` shows them; escape, `?`, F1 or
`q` close it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

KeyRow = tuple[str, str]
"""(the key as shown, what it does)."""


def _bindings(node: DOMNode, ours_only: bool) -> list[Binding]:
    """The BINDINGS of `node`'s class and its bases (only our classes, not Textual's, when
    `ours_only`: a text box's own editing keys are Textual's, not the pane's)."""
    own = getattr(node, "own_bindings", None)
    out: list[Binding] = list(own()) if callable(own) else []  # keys made per instance
    for cls in type(node).__mro__:
        if callable(own) and "own_bindings" in cls.__dict__:
            continue  # its BINDINGS are the registry's: `own_bindings` are this node's
        if "BINDINGS" in cls.__dict__ and (
            not ours_only or not cls.__module__.startswith("textual")
        ):
            out += Binding.make_bindings(cls.__dict__["BINDINGS"])
    return out


def binding_rows(app: App[Any], nodes: Iterable[DOMNode], ours_only: bool = True) -> list[KeyRow]:
    """One row per action of `nodes`' bindings that has a description: its keys (every
    key of the action: `?, f1`) and its tooltip, else its description. System bindings
    (footer summaries, Textual's own) are left out."""
    keys: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for node in nodes:
        for binding in _bindings(node, ours_only):
            if not binding.description or binding.system:
                continue
            shown = app.get_key_display(binding)
            texts.setdefault(binding.action, binding.tooltip or binding.description)
            action_keys = keys.setdefault(binding.action, [])
            if shown not in action_keys:
                action_keys.append(shown)
    return [(", ".join(keys[action]), text) for action, text in texts.items()]


def key_sections(app: App[Any], pane: DOMNode | None, title: str) -> list[tuple[str, list[KeyRow]]]:
    """The keys of `pane` (it and the polyterm widgets inside it) and the global ones
    (the app's and the screen's)."""
    sections: list[tuple[str, list[KeyRow]]] = []
    if pane is not None:
        inside = [
            pane,
            *(w for w in pane.walk_children() if not type(w).__module__.startswith("textual")),
        ]
        sections.append((title, binding_rows(app, inside)))
    everywhere = binding_rows(app, [app.screen, app], ours_only=False)
    if app.ENABLE_COMMAND_PALETTE:
        palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "Command palette")
        everywhere.append((app.get_key_display(palette), "Command palette (Keys, Screenshot, …)"))
    sections.append(("Everywhere", everywhere))
    return [(name, rows) for name, rows in sections if rows]


class HelpScreen(ModalScreen[None]):
    """The keys of the focused pane and the global ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,question_mark,f1,q",
            "close",
            "Close",
            id="help.close",
            tooltip="Close the list of keys",
        ),
    ]

    def __init__(self, sections: list[tuple[str, list[KeyRow]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog") as box:
            box.border_title = "Keys"
            box.border_subtitle = "↑↓ scroll · esc closes"
            with VerticalScroll(id="help-scroll"):
                for name, rows in self.sections:
                    table = Table(
                        title=Text(name, style="bold"),
                        title_justify="left",
                        show_header=False,
                        box=None,
                        padding=(0, 2, 0, 0),
                    )
                    table.add_column("key", style="bold", no_wrap=True)
                    table.add_column("what it does")
                    for key, text in rows:
                        table.add_row(Text(key), Text(text))
                    yield Static(table, classes="help-section")

    def on_mount(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).focus()  # arrows scroll the list

    def action_close(self) -> None:
        self.dismiss()

    def text(self) -> str:
        """Everything listed, as plain lines (for tests and screen readers)."""
        return "\n".join(
            f"{name}\n" + "\n".join(f"  {key}  {text}" for key, text in rows)
            for name, rows in self.sections
        )
