"""What the explorer keeps between runs (issue 11, items 4 and 12): the theme, file models."""

from __future__ import annotations

from polyterm.app import PolytermApp
from polyterm.engine.settings import config_dir
from polyterm.session import load_session
from tests.ui.helpers import settle


async def test_the_chosen_theme_survives_a_restart(toy_models, fixed_catalogue) -> None:
    first = PolytermApp(models=toy_models)
    async with first.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert first.theme == "polyterm-dark"
        first.theme = "polyterm-light"  # what `T` and the palette's Theme do
        await settle(pilot)
    session = load_session(config_dir())
    assert session is not None and session.theme == "polyterm-light"
    assert set(session.selected) == {m.name for m in toy_models}  # the selection is kept

    again = PolytermApp()
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert again.theme == "polyterm-light"

    chosen = PolytermApp(theme="polyterm-contrast")  # --theme wins over the session
    async with chosen.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert chosen.theme == "polyterm-contrast"
