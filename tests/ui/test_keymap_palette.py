"""A user keymap from config.toml (`[keymap]`, `App.set_keymap`) and the explorer's palette
commands as a Textual `Provider` (issue 19 item 7)."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette, DiscoveryHit, Hit

from polyterm.app import PolytermApp
from polyterm.explorer.keymap import read_keymap
from polyterm.explorer.palette import ExplorerCommands
from tests.ui.helpers import settle


def test_read_keymap_keeps_known_ids_and_reports_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert read_keymap(path, {"app.export"}) == ({}, [])  # no file
    path.write_text(
        'cluster = "tcp://head:8786"\n[keymap]\n"app.export" = " ctrl+e , f5 "\n'
        '"no.such" = "x"\n"app.quit" = 3\n',
        encoding="utf-8",
    )
    keymap, problems = read_keymap(path, {"app.export", "app.quit"})
    assert keymap == {"app.export": "ctrl+e,f5"}
    assert len(problems) == 2
    assert "'no.such'" in problems[0] and "app.quit must be keys" in problems[1]
    path.write_text("[keymap\n", encoding="utf-8")
    keymap, problems = read_keymap(path, {"app.export"})
    assert keymap == {} and "cannot be used" in problems[0]


async def test_a_keymap_moves_a_pane_key_and_export(toy_models, fixed_catalogue, tmp_path) -> None:
    config = tmp_path / "keys.toml"
    config.write_text(
        '[keymap]\n"app.pane.compare" = "ctrl+o"\n"app.export" = "ctrl+e"\n"x.y" = "z"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    app = PolytermApp(
        models=toy_models,
        startup=False,
        theme="polyterm-dark",
        keymap_file=config,
        export_dir=out,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any("'x.y'" in n.message for n in app._notifications)  # said, not fatal
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("4")  # moved away: 4 no longer goes to Compare
        assert app.main.current_pane().PANE_ID == "dims"
        await pilot.press("ctrl+o")
        assert app.main.current_pane().PANE_ID == "compare"
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")  # moved too
        await settle(pilot)
        assert not list(out.glob("*.md"))
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert len(list(out.glob("polyterm-dims-*.md"))) == 1


async def test_the_palette_offers_and_matches_the_explorer_commands(
    toy_models, fixed_catalogue
) -> None:
    app = PolytermApp(models=toy_models, startup=False, theme="polyterm-dark")
    assert ExplorerCommands in app.COMMANDS
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.action_command_palette()
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        provider = ExplorerCommands(palette)
        found = [h async for h in provider.discover()]
        assert all(isinstance(h, DiscoveryHit) for h in found)
        titles = [str(h.display) for h in found]
        assert titles[:3] == ["Train", "Load", "Align selected models"]
        hits = [h async for h in provider.search("align")]
        assert [type(h) for h in hits] == [Hit]
        assert hits[0].text == "Align selected models"
        await pilot.press("escape")
        await pilot.pause()
        hits[0].command()  # runs it: the Compare pane, matched view
        await settle(pilot)
        assert app.main.current_pane().PANE_ID == "compare"
