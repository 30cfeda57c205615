"""Pilot tests: keys in, the words the core functions give out."""

from __future__ import annotations

from polyterm.app import PolytermApp
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.views.query import (
    DimensionView,
    QueryKind,
    QueryView,
    RepeatsView,
    dimension_query_view,
    dimension_view,
    expression_view,
    repeats_view,
)
from polyterm.widgets.catalogue import ModelsView
from tests.ui.helpers import plain, settle, type_text


def app_with(models: list[Embedding]) -> PolytermApp:
    return PolytermApp(models=models, startup=False, theme="polyterm-dark")


async def test_models_pane_lists_and_selects(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        view = app.main.pane("models").view
        assert isinstance(view, ModelsView)
        assert [m.name for m in view.loaded] == ["toy_a", "toy_b", "toy_c"]
        assert "glove-6b-50" in view.catalogue.available
        await pilot.press("1", "space")  # unselect the highlighted first model
        await settle(pilot)
        assert app.workspace.selected == ["toy_b", "toy_c"]
        await pilot.press("space")
        await settle(pilot)
        assert app.workspace.selected == ["toy_b", "toy_c", "toy_a"]


async def test_dimension_browser_steps_and_matches_core(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    model = toy_models[0]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = app.main.pane("dims")
        assert isinstance(pane.view, DimensionView)
        assert pane.view == dimension_view(model, 0)
        await pilot.press("n", "n")
        await settle(pilot)
        assert pane.view.dim == 2
        assert [e.word for e in pane.view.top] == [e.word for e in dimension_view(model, 2).top]
        await pilot.press("p", "s")
        await settle(pilot)
        assert pane.view == dimension_view(model, 1, scale=Scale.COSINE)
        await pilot.press("g")
        await type_text(pilot, "5")
        await pilot.press("enter")
        await settle(pilot)
        assert pane.view.dim == 5
        await pilot.press("g")
        await type_text(pilot, "99")
        await pilot.press("enter")  # out of range: a notification, the view stays
        await settle(pilot)
        assert pane.view.dim == 5
        await pilot.press("r", "k")  # a toy model: no restriction below its vocabulary
        await settle(pilot)  # (r's steps on a larger model: test_panes_dimensions.py)
        assert (pane.view.restrict, pane.view.k) == (None, 20)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(pane.view, RepeatsView)
        assert pane.view == repeats_view(model, k=20, restrict=None, scale=Scale.COSINE)
        await pilot.press("m", "v")
        await settle(pilot)
        assert pane.view.model.name == "toy_b"
        # the comparison follows the dimension being browsed, computed once it is in sight
        assert app.main.pane("compare").view is None and app.main.pane("compare").stale
        await pilot.press("4")
        await settle(pilot)
        compare = app.main.pane("compare").view
        assert isinstance(compare, QueryView) and compare.kind is QueryKind.DIMENSION


async def test_calculator_expression_unknown_word_and_history(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await type_text(pilot, "king - man + woman")
        await pilot.press("enter")
        await settle(pilot)
        view = app.main.pane("calc").view
        assert view == expression_view(toy_models, "king - man + woman")
        assert {r.model.name for r in view.results} == {"toy_a", "toy_b", "toy_c"}
        # an unknown word is reported per model with suggestions; the app stays up
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "kitte - cat")
        await pilot.press("enter")
        await settle(pilot)
        view = app.main.pane("calc").view
        assert all(r.error and "kitte" in r.error for r in view.results)
        assert "kitten" in view.results[0].suggestions
        text = plain(app.main.query_one("#calc-results").query(".calc-model").first())
        assert "kitten" in text
        # a syntax error is shown under the input
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "cat - ")
        await pilot.press("enter")
        await settle(pilot)
        error = app.main.query_one("#calc-error")
        assert not error.has_class("hidden")
        assert "position" in plain(error)
        # history: up recalls earlier expressions
        await pilot.press("ctrl+a", "ctrl+k", "up", "up")
        assert app.main.query_one("#calc-input").value == "kitte - cat"
        await pilot.press("up")
        assert app.main.query_one("#calc-input").value == "king - man + woman"
        # convention toggle re-runs the last query with the raw convention
        await pilot.press("enter", "ctrl+t")
        await settle(pilot)
        assert app.main.pane("calc").view.convention.value == "raw"
        assert app.is_running


async def test_comparison_table_and_own_query(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models[:2])
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await type_text(pilot, "cat")
        await pilot.press("enter", "escape", "4")
        await settle(pilot)
        pane = app.main.pane("compare")
        assert pane.view == expression_view(toy_models[:2], "cat")
        table = app.main.query_one("#compare-table")
        assert table.row_count == 11  # ten ranks and the summary row
        app.main.query_one("#compare-input").focus()
        await pilot.pause()
        await type_text(pilot, "#3")
        await pilot.press("enter")
        await settle(pilot)
        assert (pane.view.kind, pane.view.query) == (QueryKind.DIMENSION, "3")
        assert pane.view == dimension_query_view(toy_models[:2], 3)
        assert table.row_count == 21  # top ten, bottom ten, summary


async def test_maximise_and_pane_keys(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4", "f")
        assert app.main.maximized is app.main.pane("compare")
        await pilot.press("escape")
        assert app.main.maximized is None
        for key, pane in (("1", "models"), ("2", "dims"), ("3", "calc"), ("4", "compare")):
            await pilot.press("escape", key)
            assert app.main.current_pane() is app.main.pane(pane)
