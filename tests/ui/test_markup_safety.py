"""Words, names, paths and typed text are shown as text in the explorer: never parsed as
Rich markup (a word `[/b]` used to crash the app with a MarkupError, `[red]x` showed as a
red `x`), and their control characters are shown as escapes, never sent to the terminal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Static

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.engine.settings import config_dir
from polyterm.screens.confirm import ConfirmScreen
from polyterm.screens.load import LoadScreen
from polyterm.screens.message import MessageScreen
from polyterm.views.query import DimensionView
from tests.ui.conftest import WORDS, toy_model
from tests.ui.helpers import settle, type_text, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow

HOSTILE = [
    "[/b]",
    "[red]x",
    "[bold",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;aGVsbG8=\x07",
    "\u202eevil",
    "<img src=x onerror=alert(1)>",
]
RAW = ("\x1b", "\x07", "\u202e")


def hostile_model(name: str = "evil[/b]", seed: int = 5) -> Embedding:
    """A toy model whose every dimension has the hostile words at both ends."""
    base = toy_model("base", seed)
    words = [*WORDS, *HOSTILE]
    vectors = np.asarray(base.vectors)
    rng = np.random.default_rng(seed)
    extra = rng.normal(size=(len(HOSTILE), vectors.shape[1])) * 40.0
    extra[1::2] *= -1  # some at the top, some at the bottom
    return Embedding.from_arrays(
        name, words, np.vstack([vectors, extra]), manifest=dict(base.manifest)
    )


def screen_text(app: PolytermApp) -> str:
    """What the terminal is sent for the current screen, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def cell_texts(table: DataTable[Any]) -> list[str]:
    return [
        c.plain if isinstance(c, Text) else str(c)
        for row in range(table.row_count)
        for c in table.get_row_at(row)
    ]


def _assert_no_raw_controls(text: str) -> None:
    for raw in RAW:
        assert raw not in text, (raw, text)


async def test_hostile_words_in_the_dimension_browser(fixed_catalogue) -> None:
    model = hostile_model()
    app = PolytermApp(models=[model], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = app.main.pane("dims")
        assert isinstance(pane.view, DimensionView)
        cells = cell_texts(pane.query_one("#dims-table", DataTable))
        shown = {w for w in HOSTILE if any(w in c for c in cells)}
        assert {"[/b]", "[red]x"} <= shown  # literally, brackets and all
        assert "\\x1b]0;pwned\\x07" in cells or "\\x1b]52;c;aGVsbG8=\\x07" in cells
        screen = screen_text(app)
        _assert_no_raw_controls(screen)
        assert "[red]x" in screen and "evil[/b]" in screen  # the header names the model
        await pilot.press("v")  # the repeats view: words recurring across dimensions
        await settle(pilot)
        repeats = cell_texts(pane.query_one("#repeats-table", DataTable))
        assert "[/b]" in repeats or "[red]x" in repeats
        _assert_no_raw_controls(screen_text(app))
        assert app.is_running


async def test_hostile_words_in_calculator_and_compare(fixed_catalogue) -> None:
    models = [hostile_model("evil[/b]", 5), hostile_model("[red]two", 6)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await type_text(pilot, "[red]x - [/b]")
        await pilot.press("enter")
        await settle(pilot)
        calc = app.main.pane("calc")
        assert calc.view is not None and all(r.error is None for r in calc.view.results)
        screen = screen_text(app)
        _assert_no_raw_controls(screen)
        assert "evil[/b]" in screen and "[red]two" in screen
        await pilot.press("escape", "4")  # Compare follows the calculator's expression
        await settle(pilot)
        compare = app.main.pane("compare")
        title = compare.query_one("#compare-title", Static)
        assert "“[red]x - [/b]”" in str(title.render())
        table = compare.query_one("#compare-table", DataTable)
        assert [c.label.plain for c in table.ordered_columns][1:] == ["evil[/b]", "[red]two"]
        screen = screen_text(app)
        _assert_no_raw_controls(screen)
        assert "[red]x - [/b]" in screen
        assert app.is_running


async def test_typed_text_is_shown_as_text(toy_models, fixed_catalogue) -> None:
    app = PolytermApp(models=toy_models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await type_text(pilot, "[red]x")  # an unknown word, shown in the error
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "cat + [/b] -")  # a syntax error, with its caret
        await pilot.press("enter")
        await settle(pilot)
        assert "[/b]" in screen_text(app)
        await pilot.press("escape", "4")
        await settle(pilot)
        box = app.main.pane("compare").query_one("#compare-input")
        box.focus()
        await pilot.pause()
        await type_text(pilot, "[/b] + \x1b]0;t\x07")
        await pilot.press("enter")
        await settle(pilot)
        _assert_no_raw_controls(screen_text(app))
        assert app.is_running


async def test_load_form_path_with_markup_and_controls(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LoadScreen)
        await type_text(pilot, "/no/[/b]/\x1b]0;t\x07[red]x.bin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoadScreen)
        error = app.screen.query_one("#path-error", Static)
        # typed or pasted controls are dropped: the text box shows what it holds as it is
        assert app.screen.query_one("#path", Input).value == "/no/[/b]/]0;t[red]x.bin"
        assert "no such file: /no/[/b]/]0;t[red]x.bin" in str(error.render())
        _assert_no_raw_controls(screen_text(app))
        assert app.is_running


async def test_failing_load_path_and_notifications_are_text(tmp_path, fixed_catalogue) -> None:
    bad = tmp_path / "[red]x\x1b]0;t\x07.txt"
    bad.write_text("not a vector file\n")
    app = PolytermApp(startup=False)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        app.workspace.open_model(str(bad), name="[red]bad")
        await until(pilot, lambda: not app.workspace.jobs)
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("[red]x\\x1b]0;t\\x07.txt" in m for m in messages), messages
        assert not any(n.markup for n in app._notifications)
        app.notify("[/b] unbalanced [red]x\x1b]0;t\x07")  # any caller: still text
        await pilot.pause()
        assert list(app._notifications)[-1].message == "[/b] unbalanced [red]x\\x1b]0;t\\x07"
        await pilot.pause()
        assert "[/b] unbalanced [red]x\\x1b]0;t\\x07" in screen_text(app)  # drawn as text
        _assert_no_raw_controls(screen_text(app))
        assert app.is_running


async def test_theme_name_and_theme_values_with_markup(fixed_catalogue) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "bad.toml").write_text('name = "bad"\nprimary = "[/b]"\n')
    app = PolytermApp(startup=False, theme="[/b]\x1b]0;t\x07")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("'[/b]'" in m and "not a colour" in m for m in messages), messages
        assert any("no theme named '[/b]\\x1b]0;t\\x07'" in m for m in messages), messages
        assert not any(n.markup for n in app._notifications)
        await pilot.pause()
        screen = screen_text(app)  # the toasts are drawn, brackets and all
        assert "no theme named '[/b]" in screen and "primary = '[/b]'" in screen
        assert app.theme == "polyterm-dark" and app.is_running


async def test_dialogs_show_names_as_text(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.push_screen(MessageScreen("[/b]", "stopped: ValueError('[red]x [/b]\x1b]0;t\x07')"))
        await pilot.pause()
        text = screen_text(app)
        assert "ValueError('[red]x [/b]\\x1b]0;t\\x07')" in text
        await pilot.press("escape")
        app.push_screen(ConfirmScreen("[/b]", "Remove [red]x[/b] from the cache?"))
        await pilot.pause()
        assert "Remove [red]x[/b] from the cache?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running


@pytest.mark.parametrize("mode", ["matched", "summary"])
async def test_alignment_and_sweep_show_names_as_text(mode: str, fixed_catalogue) -> None:
    models = [hostile_model("evil[/b]", 5), hostile_model("[red]two", 6)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.action_align()
        await settle(pilot)
        compare = app.main.pane("compare")
        if mode == "summary":
            await pilot.press("v", "v")
            await settle(pilot)
        assert compare.alignment is not None
        text = screen_text(app)
        _assert_no_raw_controls(text)
        assert "evil[/b]" in text and "[red]two" in text
        app.action_sweep()
        await settle(pilot)
        sweep = app.main.pane("sweep")
        assert sweep.view is not None
        text = screen_text(app)
        _assert_no_raw_controls(text)
        assert "evil[/b]" in text
        assert app.is_running


async def test_palette_commands_name_jobs_as_text(fixed_catalogue) -> None:
    from textual.content import Content

    from polyterm.engine.models import OpenOptions
    from polyterm.explorer.jobs import Job

    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.workspace.jobs[99] = Job(99, "x.txt", "[/b]\x1b]0;t\x07", OpenOptions(), "load", None)
        try:
            commands = app.palette_commands()
            cancel = [c for c in commands if c.title.startswith("Cancel ")]
            assert [Content.from_markup(c.title).plain for c in cancel] == [
                "Cancel [/b]\\x1b]0;t\\x07"
            ]
            assert "[/b]" in Content.from_markup(cancel[0].help).plain
        finally:
            del app.workspace.jobs[99]
        assert app.is_running
