"""The app's keys (issue 11, items 2 and 3): panes and export from inside a text box, the
list of keys, q, the palette's Keys panel and Screenshot, the footer at 120 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.screens.help import HelpScreen
from tests.ui.helpers import settle, type_text, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow


def app_with(models: list[Embedding], export_dir: Path | None = None) -> PolytermApp:
    return PolytermApp(models=models, startup=False, theme="polyterm-dark", export_dir=export_dir)


async def test_alt_digits_switch_panes_from_a_query_box(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        box = app.focused
        assert isinstance(box, Input)
        await type_text(pilot, "cat - car")
        await pilot.press("alt+4")  # a terminal that reports alt
        assert app.main.current_pane().PANE_ID == "compare"
        await pilot.press("alt+3")
        assert app.focused is box and box.value == "cat - car"
        await pilot.press("cent_sign")  # alt+4 as tmux/xterm send it (ESC 4 → "¢")
        assert app.main.current_pane().PANE_ID == "compare"
        await pilot.press("pound_sign")  # alt+3
        assert app.focused is box and box.value == "cat - car"  # nothing was typed
        await pilot.press("end", "4")  # a plain digit is still typed into the box
        assert box.value == "cat - car4"


async def test_escape_leaves_the_box_and_is_in_the_footer(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert isinstance(app.focused, Input)
        await pilot.pause()
        assert "leave_input" in footer_actions(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.focused, Input)
        assert "leave_input" not in footer_actions(app)  # shown only where it does something
        await pilot.press("2")
        assert app.main.current_pane().PANE_ID == "dims"


async def test_export_key_works_from_a_text_box(toy_models, fixed_catalogue, tmp_path) -> None:
    app = app_with(toy_models, export_dir=tmp_path / "out")
    (tmp_path / "out").mkdir()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await type_text(pilot, "cat - car")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("alt+e")
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.value == "cat - car"
        written = list((tmp_path / "out").glob("*.md"))
        assert len(written) == 1 and "calc" in written[0].name


async def test_question_mark_lists_the_panes_keys_and_the_global_ones(
    toy_models, fixed_catalogue
) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("1", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text()
        assert "This pane: Models" in text
        for binding in app.main.pane("models").BINDINGS:  # read from the bindings
            assert binding.tooltip in text  # type: ignore[union-attr]
        assert "Everywhere" in text and "alt+4" in text and "List every key" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
        await pilot.press("3", "f1")  # F1 works from a text box too
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "This pane: Calculator" in app.screen.text()
        await pilot.press("escape")


async def test_q_quits_outside_text_boxes_only(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3", "q")
        assert app.is_running and isinstance(app.focused, Input) and app.focused.value == "q"
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running


async def test_palette_keys_panel_closes_with_escape(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.action_show_help_panel()  # what the palette's "Keys" did
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")
        keys = [c for c in app.get_system_commands(app.screen) if c.title == "Keys"]
        keys[0].callback()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_screenshot_writes_an_svg_in_the_export_folder(
    toy_models, fixed_catalogue, tmp_path
) -> None:
    out = tmp_path / "shots"
    out.mkdir()
    app = app_with(toy_models, export_dir=out)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        [shot] = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        shot.callback()  # a timer writes it: wait for the notification, not a guessed time
        await until(pilot, lambda: any(n.title == "Screenshot" for n in app._notifications))
        files = list(out.glob("*.svg"))
        assert len(files) == 1 and files[0].read_text().lstrip().startswith("<svg")
        assert any(str(files[0]) in n.message for n in app._notifications)
        assert not any(n.severity == "error" for n in app._notifications)


def footer_actions(app: PolytermApp) -> dict[str, FooterKey]:
    return {k.action: k for k in app.screen.query(FooterKey)}


async def test_footer_shows_export_max_theme_at_120_columns(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for pane in ("1", "2", "3", "4", "5"):
            await pilot.press(f"alt+{pane}")
            await pilot.pause()
            keys = footer_actions(app)
            wanted = ["export", "export(True)", "help"]
            if isinstance(app.focused, Input):  # f, T, 1-5 are typed: alt+e, alt+E, F1, esc
                wanted += ["leave_input", "pane('models')"]
            else:
                wanted += ["maximize", "change_theme"]
            for action in wanted:
                assert action in keys, (pane, action)
                region = keys[action].region
                assert region.width > 0 and region.right <= 120, (pane, action, region)
