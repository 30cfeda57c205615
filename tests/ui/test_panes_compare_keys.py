"""The Compare pane's query box has a key that focuses it (issue 11, item 2)."""

from __future__ import annotations

from textual.widgets import Input

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from tests.ui.helpers import settle


async def test_slash_focuses_the_compare_query_box_from_any_view(
    toy_models: list[Embedding], fixed_catalogue: object
) -> None:
    app = PolytermApp(models=toy_models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        box = app.main.query_one("#compare-input", Input)
        assert app.focused is not box
        await pilot.press("slash")
        assert app.focused is box
        await pilot.press(*"cat", "enter", "escape")
        assert box.value == "cat" and app.focused is not box
        await pilot.press("v")  # the matched view hides the box; / brings the table back
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is box and box.display
