"""The pane registry (issue 19 item 1): a new pane is its view, its widget, its CLI command
module and one line in `polyterm.screens.panes.PANES`; the tabs, the keys (N, alt+N and
the terminals' alt-digit characters), the footer's summary, the help and the export follow.

The sixth pane here ("Atoms") is built in this file the way a contributor would build it in
`polyterm/views/atoms.py` and `polyterm/widgets/atoms_pane.py`, and registered by passing
the registry plus it to the app (the one line `PANES` would get)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import pytest
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, TabbedContent

from polyterm.app import ALT_DIGITS, PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.screens.help import HelpScreen
from polyterm.screens.panes import PANES, check_panes, pinned
from polyterm.views.protocol import Data, Phrase, Table, slug_of
from polyterm.widgets.pane import Pane, PaneId, Question
from tests.ui.helpers import settle


# -- what `polyterm/views/atoms.py` would hold ----------------------------------------------
@dataclass(frozen=True, slots=True)
class AtomsView:
    """Each model's vocabulary size (a stand-in for a real question)."""

    sizes: tuple[tuple[str, int], ...]

    def title(self) -> Phrase:
        return Phrase.of("Atoms of ", *(Data(n) for n, _ in self.sizes))

    def slug(self) -> str:
        return slug_of("atoms", [n for n, _ in self.sizes])

    def tables(self) -> tuple[Table, ...]:
        rows = tuple((Data(n), size) for n, size in self.sizes)
        return (Table("atoms", "Atoms", ("model", "words"), rows, numeric=(False, True)),)

    def command(self) -> str:
        return "polyterm atoms " + " ".join(n for n, _ in self.sizes)


def atoms_view(models: Sequence[Embedding]) -> AtomsView:
    return AtomsView(tuple((m.name, len(m.vocab)) for m in models))


# -- what `polyterm/widgets/atoms_pane.py` would hold ---------------------------------------
class AtomsPane(Pane):
    PANE_ID = "atoms"
    NUMBER = 6
    LABEL = "Atoms"
    TIP = "Go to the atoms pane"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("z", "zap", "Zap", id="atoms.zap", tooltip="Count the atoms again"),
    ]

    def compose(self) -> ComposeResult:
        yield DataTable(id="atoms-table")

    def main_widget(self) -> DataTable[str]:
        return self.query_one("#atoms-table", DataTable)

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        models = list(chosen)
        return (lambda _progress: atoms_view(models)) if models else None

    def show(self, view: AtomsView) -> None:
        self.view = view
        table = self.main_widget()
        table.clear(columns=True)
        (t,) = view.tables()
        table.add_columns(*(str(c) for c in t.columns))
        for name, size in t.rows:
            table.add_row(str(name.text if isinstance(name, Data) else name), str(size))

    def action_zap(self) -> None:
        self.post_message(self.Asked(self))


def test_the_registry_is_checked() -> None:
    assert [p.PANE_ID for p in PANES] == [str(i) for i in PaneId]
    assert [p.NUMBER for p in PANES] == [1, 2, 3, 4, 5]
    assert check_panes((*PANES, AtomsPane))[-1] is AtomsPane

    class Clash(AtomsPane):
        NUMBER = 3

    with pytest.raises(ValueError, match="numbers must be unique"):
        check_panes((*PANES, Clash))
    assert pinned("models", "calc") == (PANES[0], PANES[2])


async def test_a_sixth_pane_is_one_registry_line(toy_models, fixed_catalogue) -> None:
    app = PolytermApp(
        models=toy_models, startup=False, theme="polyterm-dark", panes=(*PANES, AtomsPane)
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        tabs = app.main.query_one("#tabs", TabbedContent)
        labels = [str(t.label) for t in tabs.query("ContentTab")]
        assert labels == ["2 Dimensions", "3 Calculator", "4 Compare", "5 Sweep", "6 Atoms"]
        await pilot.press("6")  # its number key
        await settle(pilot)
        pane = app.main.query_one(AtomsPane)
        assert app.main.current_pane() is pane
        # asked through the same path as every pane, and answered with the selected models
        assert pane.view == atoms_view(app.workspace.chosen())
        assert pane.main_widget().row_count == len(app.workspace.chosen()) > 0

        await pilot.press("1", ALT_DIGITS[5])  # alt+6 as a terminal sends it ("§")
        assert app.main.current_pane() is pane
        await pilot.press("3", "alt+6")  # from inside the calculator's text box
        assert app.main.current_pane() is pane

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text()
        assert "This pane: Atoms" in text
        assert "Count the atoms again" in text  # its own key
        assert "6, alt+6" in text or ("  6  " in text and "alt+6" in text)
        assert "Go to the atoms pane" in text
        await pilot.press("escape")
        await pilot.pause()

        summary = next(b for _, b in app._bindings if b.id == "app.panes")
        assert summary.key_display == "alt+1…6"

        await pilot.press("e")  # exported like any pane, through the generic markdown
        await settle(pilot)
        written = list(app.questions.export_dir.glob("*.md")) if app.questions.export_dir else []
        from pathlib import Path

        written = written or list(Path.cwd().glob("polyterm-atoms-*.md"))
        assert len(written) == 1
        text = written[0].read_text(encoding="utf-8")
        assert "# polyterm — Atoms" in text and "| toy_a |" in text


async def test_pinned_panes_keep_the_other_snapshots(toy_models, fixed_catalogue) -> None:
    """Snapshots pin their panes: an app of the five registered panes has their tabs and
    keys only, so adding a pane leaves the other snapshots as they are."""
    app = PolytermApp(
        models=toy_models,
        startup=False,
        theme="polyterm-dark",
        panes=pinned("models", "dims", "calc", "compare", "sweep"),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.pane_ids == ("models", "dims", "calc", "compare", "sweep")
        summary = next(b for _, b in app._bindings if b.id == "app.panes")
        assert summary.key_display == "alt+1…5"
