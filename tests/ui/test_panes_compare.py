"""The Compare pane never shows a previous answer under the current question."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from textual.widgets import DataTable

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.views.query import QueryView
from polyterm.widgets.alignment_display import AlignmentDisplay
from tests.ui.helpers import plain, settle, type_text, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow


def app_with(models: list[Embedding]) -> PolytermApp:
    return PolytermApp(models=models, startup=False, theme="polyterm-dark")


def select(app: PolytermApp, name: str, on: bool) -> None:
    """Select or unselect a model as the Models pane's space key does."""
    getattr(app, "workspace", app).select(name, on)


def columns(app: PolytermApp) -> list[str]:
    table = app.main.query_one("#compare-table", DataTable)
    return [str(c.label) for c in table.ordered_columns]


def title(app: PolytermApp) -> str:
    return plain(app.main.query_one("#compare-title"))


def consistent_index(app: PolytermApp, chosen: list[str]) -> None:
    """The by-index table shows the chosen models' answer, or nothing and 'computing'."""
    view = app.compare.view
    if view is None:
        assert columns(app) == [] and "computing" in title(app)
    else:
        assert isinstance(view, QueryView)
        assert [r.model.name for r in view.results] == chosen
        assert columns(app) == ["rank", *chosen]


async def test_by_index_table_follows_the_selection_at_once(
    toy_models: list[Embedding], fixed_catalogue: object
) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await type_text(pilot, "cat")
        await pilot.press("enter", "escape", "4")
        await settle(pilot)
        assert columns(app) == ["rank", "toy_a", "toy_b", "toy_c"]
        select(app, "toy_c", False)  # in sight: recomputed, the old table is gone at once
        consistent_index(app, ["toy_a", "toy_b"])
        await settle(pilot)
        assert columns(app) == ["rank", "toy_a", "toy_b"]
        await pilot.press("escape", "3")
        select(app, "toy_b", False)  # out of sight: marked, asked when shown
        consistent_index(app, ["toy_a"])
        assert app.compare.view is None
        await pilot.press("escape", "4")
        consistent_index(app, ["toy_a"])
        await settle(pilot)
        assert columns(app) == ["rank", "toy_a"]


def shows_nothing(display: AlignmentDisplay) -> bool:
    """No pairs in sight: hidden, or emptied while its table keeps the focus."""
    table = display.query_one("#align-table")
    detail = display.query_one("#align-detail")
    return display.has_class("hidden") or (
        display.view is None and table.row_count == 0 and not str(detail.content)
    )


async def test_alignment_of_an_old_pair_is_never_shown(
    toy_models: list[Embedding], fixed_catalogue: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_with(toy_models[:2])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")
        await settle(pilot)
        display = app.main.query_one(AlignmentDisplay)
        assert "toy_a vs toy_b" in title(app) and not display.has_class("hidden")
        started = threading.Event()

        def slow(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
            started.set()
            for i in range(1000):
                progress(i / 1000)
                time.sleep(0.01)
            raise AssertionError("was not cancelled")

        monkeypatch.setattr("polyterm.views.alignment.alignment_view", slow)
        getattr(app, "workspace", app).models["toy_c"] = toy_models[2]
        select(app, "toy_b", False)
        select(app, "toy_c", True)
        for _ in range(2):  # at once, and while the new pair is computed
            assert "toy_b" not in title(app) and shows_nothing(display)
            assert app.compare.view is None
            await until(pilot, started.is_set)
        assert "toy_a" in title(app) and "toy_c" in title(app) and "computing" in title(app)
        await pilot.press("x")
        await until(pilot, lambda: app.main.query_one("#compare-progress").has_class("hidden"))
        assert "toy_b" not in title(app) and shows_nothing(display)
        assert app.compare.view is None
        assert "cancelled" in plain(app.main.query_one("#compare-message"))
        select(app, "toy_c", False)  # one model: the hint, not the last pair
        assert display.has_class("hidden") and "toy_b" not in title(app)
        assert plain(app.main.query_one("#compare-message")).strip().startswith("Select two")


async def test_matched_table_opens_at_the_top_at_80x24(
    toy_models: list[Embedding], fixed_catalogue: object
) -> None:
    app = app_with(toy_models[:2])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")
        await settle(pilot)
        table = app.main.query_one("#align-table", DataTable)
        assert table.row_count and table.cursor_row == 0 and table.scroll_y == 0
        pair = app.compare.alignment.matched[0]
        assert f"{pair.dim_a}" in plain(app.main.query_one("#align-detail"))


async def test_aligned_headers_say_which_model_was_reduced_by_pca(fixed_catalogue: object) -> None:
    from tests.ui.conftest import toy_model

    app = app_with([toy_model("big", 1, dims=8), toy_model("small", 2, dims=6)])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v", "v")
        await settle(pilot)
        table = app.main.query_one("#align-table", DataTable)
        labels = [str(c.label) for c in table.ordered_columns][:2]
        assert labels == ["big PCA axis, rotated", "small axis"]
        assert "big reduced to its first 6 principal axes (PCA)" in title(app)
