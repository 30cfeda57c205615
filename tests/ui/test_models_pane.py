"""The Models pane (issue 11, item 5; flaky snapshots; item 3): real job progress in the
state column, the cursor on the first model, home/end, columns that fit at 80x24, widths
that never depend on timing, and removal asked of the app rather than a screen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable

import polyterm.widgets.models_pane as models_pane_module
from polyterm.app import PolytermApp
from polyterm.engine.progress import Progress
from polyterm.screens.confirm import ConfirmScreen
from polyterm.views.model_summary import ModelSummary
from polyterm.widgets.catalogue import Catalogue, JobState, ModelsView
from polyterm.widgets.models_pane import ModelRow, ModelsPane, RowState, plan_layout
from tests.ui.conftest import FIXED_CATALOGUE, toy_model
from tests.ui.helpers import settle


def models_pane(app: PolytermApp) -> ModelsPane:
    pane = app.main.pane("models")
    assert isinstance(pane, ModelsPane)
    return pane


def table_of(app: PolytermApp) -> DataTable[Text | str]:
    return app.main.query_one("#models-table", DataTable)


def cell(table: DataTable[Text | str], row: str, column: str) -> str:
    value = table.get_cell(row, column)
    return value.plain if isinstance(value, Text) else str(value)


def training_view(fraction: float | None) -> ModelsView:
    progress = None if fraction is None else Progress("train", "train", fraction, "epoch 4/5")
    return ModelsView(
        FIXED_CATALOGUE,
        (ModelSummary.of(toy_model("toy_a", 1)),),
        ("toy_a", "brown_30"),
        (JobState(1, "brown_30", "train", progress),),
    )


async def test_the_state_column_shows_the_jobs_real_progress(fixed_catalogue) -> None:
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pane = models_pane(app)
        pane.show(training_view(None))
        await pilot.pause()
        table = table_of(app)
        assert cell(table, "brown_30", "state") == "training 0%"
        pane.update_jobs(training_view(0.8).jobs)  # epoch 4/5: only the progress changed
        await pilot.pause()
        assert cell(table, "brown_30", "state") == "training 80%"


async def test_the_cursor_starts_on_the_first_model_and_home_end_move_it(
    fixed_catalogue,
) -> None:
    # No model at first: the only row is "lee_<dims>"; then the catalogue arrives with
    # two cached models above it. The cursor starts on the first model, not a "make" row.
    app = PolytermApp(models=[], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pane = models_pane(app)
        table = table_of(app)
        assert table.row_count > 3
        assert pane.highlighted == "toy_a"
        await pilot.press("1", "end")
        assert pane.highlighted == FIXED_CATALOGUE.available[-1]
        await pilot.press("home")
        assert pane.highlighted == "toy_a"
        await pilot.press("down")
        # a rebuild (a progress report, a new model) keeps the model the user chose
        pane.show(pane.view)
        await pilot.pause()
        assert pane.highlighted == "toy_b"


async def test_columns_fit_at_80x24_and_states_are_never_cut(fixed_catalogue) -> None:
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = models_pane(app)
        pane.show(training_view(0.42))
        await pilot.pause()
        table = table_of(app)
        room = table.size.width - table.styles.scrollbar_size_vertical
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= room
        assert table.max_scroll_x == 0  # nothing hidden to the right
        states = {str(k.value): cell(table, str(k.value), "state") for k in table.rows}
        assert states["toy_a"] == "loaded"
        assert states["toy_b"] == "cached"
        assert states["glove-6b-50"] == "make"
        assert states["brown_30"] == "42%"  # short on purpose: the job line says "training"
        width = table.columns[next(k for k in table.columns if k.value == "state")].width
        assert all(len(s) <= width for s in states.values())
    # maximised (wide), every column is there and nothing is abbreviated
    wide = plan_layout([ModelRow("brown_30", RowState.TRAINING, fraction=0.42)], 100)
    assert wide.keys == ("mark", "model", "state", "dims", "words", "mb")
    assert not wide.short_state


async def test_column_widths_are_set_with_the_rows_not_when_the_table_is_idle(
    fixed_catalogue,
) -> None:
    """The flaky snapshots: widths measured on idle depended on when the rows arrived."""
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pane = models_pane(app)
        table = table_of(app)
        late = Catalogue("<cache>", FIXED_CATALOGUE.cached, ("brown", "state_union"), True)
        assert pane.view is not None
        pane.show(ModelsView(late, pane.view.loaded, pane.view.selected))
        right_away = [c.get_render_width(table) for c in table.columns.values()]
        await settle(pilot)
        assert [c.get_render_width(table) for c in table.columns.values()] == right_away
        assert cell(table, "state_union_<dims>", "model").endswith("…")  # cut, and says so
        # the same final content after another history gives the same widths
        pane.show(ModelsView(FIXED_CATALOGUE, (), ()))
        pane.show(ModelsView(late, pane.view.loaded, pane.view.selected))
        assert [c.get_render_width(table) for c in table.columns.values()] == right_away


def test_the_models_pane_imports_neither_screens_nor_the_engine() -> None:
    tree = ast.parse(Path(models_pane_module.__file__).read_text())
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith(("polyterm.screens", "polyterm.engine"))]


async def test_delete_asks_the_app_which_asks_before_removing(fixed_catalogue, monkeypatch) -> None:
    removed: list[str] = []
    app = PolytermApp(models=[], startup=False, theme="polyterm-dark")
    asked: list[ModelsPane.RemoveRequested] = []
    async with app.run_test(size=(120, 36), message_hook=_record(asked)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.workspace, "remove_model", removed.append)
        await pilot.press("1", "delete")
        await settle(pilot)
        assert [m.name for m in asked] == ["toy_a"]
        assert "toy_a (0.0 MB)" in asked[0].question
        assert isinstance(app.screen, ConfirmScreen)  # the app asks; nothing removed yet
        assert removed == []
        await pilot.press("n")
        await settle(pilot)
        assert removed == []
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert removed == ["toy_a"]


def _record(into: list[ModelsPane.RemoveRequested]):  # type: ignore[no-untyped-def]
    def hook(message: object) -> None:
        if isinstance(message, ModelsPane.RemoveRequested) and message not in into:
            into.append(message)

    return hook


@pytest.mark.slow  # a heavier Pilot flow
async def test_the_dialog_buttons_answer_by_their_ids(fixed_catalogue) -> None:
    """Clicking Yes/No of the confirm dialog and Cancel/Train of the train form."""
    from polyterm.screens.train import TrainScreen

    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    answers: list[object] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for button, expected in (("#yes", True), ("#no", False)):
            app.push_screen(ConfirmScreen("Remove", "Remove toy_a?"), answers.append)
            await settle(pilot)
            await pilot.click(button)
            await settle(pilot)
            assert answers.pop() is expected
        app.push_screen(TrainScreen(["brown"]), answers.append)
        await settle(pilot)
        await pilot.click("#cancel")
        await settle(pilot)
        assert answers.pop() is None
        assert not isinstance(app.screen, TrainScreen | ConfirmScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_a_loaded_glove_is_not_available_to_make(fixed_catalogue, size) -> None:
    """GloVe loaded: its row says loaded, and neither the table nor the pane's export lists
    it under "available to make" (the export listed every makeable model)."""
    from polyterm.core.embedding import Embedding
    from polyterm.views.markdown import render_markdown

    toy = toy_model("toy_a", 1)
    glove = Embedding.from_arrays("glove-6b-50", list(toy.vocab), toy.vectors)
    app = PolytermApp(models=[toy, glove], startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = table_of(app)
        states = {str(k.value): cell(table, str(k.value), "state") for k in table.rows}
        assert states["glove-6b-50"] == "loaded"
        view = ModelsView(FIXED_CATALOGUE, tuple(ModelSummary.of(m) for m in (toy, glove)))
        available = render_markdown(view).split("### Available to make", 1)[1]
        assert "glove-6b-50" not in available.split("\n\n")[1]
        assert "brown_<dims>" in available  # what can still be made is listed
