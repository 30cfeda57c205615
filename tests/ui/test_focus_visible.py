"""Focus is visible (issue 17 §3, modal keys): the pane that holds keyboard focus has its
border and title in the theme's primary colour, every other pane the muted ones; the
highlight follows focus from pane to pane (CSS `.pane:focus-within` in app.tcss)."""

from __future__ import annotations

import pytest
from textual.color import Color

from polyterm.app import PolytermApp
from polyterm.widgets.pane import Pane
from tests.ui.helpers import settle

pytestmark = pytest.mark.slow


def _highlighted(app: PolytermApp) -> list[str]:
    """The panes on screen whose border and title are in the primary colour."""
    primary = Color.parse(app.theme_variables["primary"])
    out = []
    for pane in app.main.query(Pane):
        if not pane.display:
            continue
        _, colour = pane.styles.border_top
        if colour.rgb == primary.rgb and pane.styles.border_title_color.rgb == primary.rgb:
            out.append(pane.PANE_ID)
    return out


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_focused_pane_and_only_it_is_highlighted(
    toy_models, fixed_catalogue, size: tuple[int, int]
) -> None:
    app = PolytermApp(models=toy_models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key, pane_id in (("3", "calc"), ("1", "models"), ("2", "dims"), ("3", "calc")):
            await pilot.press("escape", key)  # out of any text box, then the pane key
            await settle(pilot)
            focused = app.focused
            assert focused is not None
            owner = next(a for a in focused.ancestors_with_self if isinstance(a, Pane))
            assert str(owner.PANE_ID) == pane_id
            assert _highlighted(app) == [pane_id]  # the focused pane, and no other
        await pilot.press("escape")  # out of the calculator's box: to the tab bar
        await settle(pilot)
        assert app.focused is not None and app.focused.id != "calc"
        assert _highlighted(app) == []  # no pane claims keys it does not get
