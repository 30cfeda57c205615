"""The calculator side by side: every selected model reachable, titled, with a legend."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from polyterm.app import PolytermApp
from tests.ui.conftest import toy_model
from tests.ui.helpers import plain, settle, type_text

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow

NAMES = ["toy_a", "toy_b", "toy_c", "toy_d"]


def four_models_app() -> PolytermApp:
    models = [toy_model(name, seed) for seed, name in enumerate(NAMES, start=1)]
    return PolytermApp(models=models, startup=False, theme="polyterm-dark")


async def ask(pilot: object, text: str) -> None:
    await pilot.press("ctrl+a", "ctrl+k")  # type: ignore[attr-defined]
    await type_text(pilot, text)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_every_selected_model_is_shown_titled_every_time(
    size: tuple[int, int], fixed_catalogue: object
) -> None:
    app = four_models_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("3")
        for text in ("cat - car", "king - man + woman", "cat - car"):
            await ask(pilot, text)
            boxes = list(app.main.query(".calc-model").results(Static))
            assert [str(b.border_title) for b in boxes] == NAMES, text
            scroller = app.main.query_one("#calc-results")
            assert scroller.focusable  # Tab reaches it, the wheel and keys scroll it
            for box in boxes:  # each box can be brought into sight, none is clipped away
                scroller.scroll_to_widget(box, animate=False, top=True)
                await pilot.pause()
                seen = box.region.intersection(scroller.region)
                assert seen.height >= 3 and seen.width >= 20, (text, box.border_title, seen)


async def test_shared_words_have_a_legend(fixed_catalogue: object) -> None:
    app = four_models_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await ask(pilot, "cat - car")
        assert any("*" in plain(b) for b in app.main.query(".calc-model").results(Static))
        header = plain(app.main.query_one("#calc-convention", Static))
        assert "*" in header and "more than one model" in header


async def test_unselected_models_leave_at_once_and_the_header_says_computing(
    fixed_catalogue: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from polyterm.views import query

    app = four_models_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await ask(pilot, "cat - car")
        release = threading.Event()
        real = query.expression_view

        def held(*args: object, **kwargs: object) -> object:
            release.wait(30)
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(query, "expression_view", held)
        getattr(app, "workspace", app).select("toy_d", False)
        await pilot.pause()
        await pilot.pause()  # the answer is held back: the pane shows the question's state
        boxes = list(app.main.query(".calc-model").results(Static))
        assert [str(b.border_title) for b in boxes] == NAMES[:3]
        assert "computing" in plain(app.main.query_one("#calc-convention", Static))
        release.set()
        await settle(pilot)
        boxes = list(app.main.query(".calc-model").results(Static))
        assert [str(b.border_title) for b in boxes] == NAMES[:3]
        assert "computing" not in plain(app.main.query_one("#calc-convention", Static))
