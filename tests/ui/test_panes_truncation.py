"""Tables fit their pane: what does not fit is cut with an ellipsis, never at the edge."""

from __future__ import annotations

import pytest

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.widgets.pane import FitTable, cut, share
from tests.ui.conftest import WORDS, toy_model
from tests.ui.helpers import settle, type_text

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow

SUFFIX = "_with_an_extraordinarily_long_tail"


def long_words(name: str, seed: int) -> Embedding:
    """A toy model whose every word is too long for a narrow pane."""
    model = toy_model(name, seed)
    return Embedding.from_arrays(
        name, [w + SUFFIX for w in WORDS], model.vectors, manifest=dict(model.manifest)
    )


def app_with(models: list[Embedding]) -> PolytermApp:
    return PolytermApp(models=models, startup=False, theme="polyterm-dark")


def fits(table: FitTable) -> bool:
    """Every column is inside the part of the table that can be seen (no horizontal cut)."""
    columns = sum(c.get_render_width(table) for c in table.ordered_columns)
    parent = table.parent.region if table.parent is not None else table.region  # type: ignore[attr-defined]
    seen = table.scrollable_content_region.intersection(parent).width
    return 0 < columns <= seen


def wrapped_rows(table: FitTable) -> int:
    return sum(row.height > 1 for row in table.ordered_rows)


def ellipsis_cells(table: FitTable) -> int:
    rows = (table.get_row_at(i) for i in range(table.row_count))
    return sum("…" in str(cell) for row in rows for cell in row)


def test_cut_and_share() -> None:
    assert str(cut("would", 4)) == "wou…" and str(cut("would", 5)) == "would"
    assert str(cut("would", None)) == "would"
    assert share(None, (3,), 2) is None
    assert share(40, (2, 6), 2) == (40 - 8 - 8) // 2
    assert share(10, (20,), 1, least=6) == 6


async def test_dimension_and_repeats_tables_fit_at_80x24(fixed_catalogue: object) -> None:
    app = app_with([long_words("toy_a", 1)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.main.query_one("#dims-table", FitTable)
        assert fits(table) and ellipsis_cells(table) == 2 * table.row_count
        await pilot.press("v")  # the repeats view
        await settle(pilot)
        table = app.main.query_one("#repeats-table", FitTable)
        assert table.row_count and fits(table) and ellipsis_cells(table)  # the long words
        dims = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert not any("…" in d for d in dims)  # the lists wrap if need be, never cut
    app = app_with([long_words("toy_a", 1)])
    for size in ((120, 36), (160, 40)):  # the card below the table, then beside it
        app = app_with([long_words("toy_a", 1)])
        async with app.run_test(size=size) as pilot:
            await pilot.press("2")
            await settle(pilot)
            table = app.main.query_one("#dims-table", FitTable)
            card = app.main.query_one("#dims-card").region
            assert fits(table)
            assert table.region.right <= card.x or table.region.bottom <= card.y


async def test_compare_tables_fit_at_80x24(fixed_catalogue: object) -> None:
    models = [long_words(name, seed) for seed, name in enumerate(("toy_a", "toy_b", "toy_c"), 1)]
    app = app_with(models)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        app.main.query_one("#compare-input").focus()
        await pilot.pause()
        await type_text(pilot, "cat" + SUFFIX)
        await pilot.press("enter")
        await settle(pilot)
        table = app.main.query_one("#compare-table", FitTable)
        assert table.row_count and fits(table) and ellipsis_cells(table)
        await pilot.press("escape")
        app.compare.focus_main()
        for _ in range(2):  # matched, then aligned
            await pilot.press("v")
            await settle(pilot)
            table = app.main.query_one("#align-table", FitTable)
            assert table.row_count and fits(table), app.compare.mode
            assert wrapped_rows(table) and not ellipsis_cells(table)  # shared words wrap
