"""Bad input: the app stays up and says what is wrong."""

from __future__ import annotations

from pathlib import Path

from polyterm.app import PolytermApp
from polyterm.engine.settings import config_dir
from polyterm.screens.load import LoadScreen, check_load
from polyterm.theming import DEFAULT_THEME, load_theme_file, load_themes
from tests.ui.helpers import settle, type_text


def test_check_load_messages(tmp_path: Path) -> None:
    assert "enter the path" in check_load("", "", False)[1]["path"]
    assert "no such file" in check_load(str(tmp_path / "nope.bin"), "", False)[1]["path"]
    assert "folder" in check_load(str(tmp_path), "", False)[1]["path"]
    pickle = tmp_path / "m.kv"
    pickle.write_bytes(b"x")
    request, errors = check_load(str(pickle), "10", False)
    assert request is None and "pickle" in errors["trust"]
    request, errors = check_load(str(pickle), "1,000", True)
    assert errors == {} and request is not None and request.limit == 1000 and request.trusted
    assert "positive" in check_load(str(pickle), "-3", True)[1]["limit"]


async def test_load_form_bad_path_stays_open(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LoadScreen)
        await type_text(pilot, "/no/such/file.bin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoadScreen)
        assert "no such file" in str(app.screen.query_one("#path-error").content)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LoadScreen) and app.is_running


async def test_load_a_text_vector_file(fixed_catalogue, tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("3 2\ncat 1 0\ndog 0.9 0.1\ncar 0 1\n")
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await type_text(pilot, str(path))
        await pilot.press("enter")
        await settle(pilot)
        assert "tiny" in app.workspace.models and app.workspace.selected == ["tiny"]


def test_bad_theme_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("name = [")
    (tmp_path / "nocolour.toml").write_text('name = "x"\nprimary = "not-a-colour"\n')
    (tmp_path / "unknown.toml").write_text('name = "y"\nprimary = "#fff"\nsparkle = 1\n')
    (tmp_path / "good.toml").write_text('name = "mine"\nprimary = "#123456"\ndark = false\n')
    themes = load_themes([tmp_path])
    assert themes.names == ("mine",)
    assert len(themes.errors) == 3
    assert any("not valid TOML" in e for e in themes.errors)
    assert any("not a colour" in e for e in themes.errors)
    assert any("unknown field 'sparkle'" in e for e in themes.errors)


def test_bundled_themes_load() -> None:
    themes = load_themes()
    assert {"polyterm-dark", "polyterm-light", "polyterm-contrast"} <= set(themes.names)
    assert themes.errors == ()
    assert not load_theme_file(Path(__file__).parents[2] / "themes" / "polyterm-light.toml").dark


async def test_bad_user_theme_gives_one_notification_and_the_default(fixed_catalogue) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "bad.toml").write_text('name = "bad"\nprimary = 12\n')
    app = PolytermApp(startup=False, theme="bad")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.theme == DEFAULT_THEME
        messages = [n.message for n in app._notifications]
        assert sum("bad.toml" in m for m in messages) == 1
        assert any("no theme named 'bad'" in m for m in messages)


async def test_user_theme_and_theme_option(fixed_catalogue) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('name = "mine"\nprimary = "#884488"\n')
    async with PolytermApp(startup=False, theme="mine").run_test() as pilot:
        await settle(pilot)
        assert pilot.app.theme == "mine"
    async with PolytermApp(startup=False, theme="polyterm-contrast").run_test() as pilot:
        await settle(pilot)
        assert pilot.app.theme == "polyterm-contrast"
