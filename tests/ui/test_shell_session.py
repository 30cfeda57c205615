"""What the explorer keeps between runs (issue 11, items 4 and 12): the theme, file models."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from polyterm.app import PolytermApp
from polyterm.engine.models import OpenOptions
from polyterm.engine.settings import config_dir
from polyterm.session import FileModel, load_session
from tests.ui.helpers import settle, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow


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


def write_vectors(path: Path) -> Path:
    path.write_text("4 3\ncat 1 0 0\ndog 0.9 0.1 0\ncar 0 1 0\nbus 0 0.9 0.1\n")
    return path


async def test_a_file_model_is_reopened_on_the_next_start(fixed_catalogue, tmp_path) -> None:
    path = write_vectors(tmp_path / "mine.txt")
    first = PolytermApp()
    async with first.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first.workspace.selected.append("mine")  # what the Load form does
        first.workspace.open_model(str(path), OpenOptions(limit=3), "mine")
        await until(pilot, lambda: "mine" in first.workspace.models)
        await settle(pilot)
    session = load_session(config_dir())
    assert session is not None and session.file("mine") == FileModel(
        "mine", str(path.resolve()), 3, False
    )

    again = PolytermApp()
    async with again.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: "mine" in again.workspace.models)
        await settle(pilot)
        assert again.workspace.selected == ["mine"]
        assert len(again.workspace.models["mine"]) == 3  # the options came back too
        assert not [n for n in again._notifications if n.severity == "error"]

    path.unlink()
    seen: list[str] = []
    gone = PolytermApp()
    original = gone.notify
    gone.notify = lambda message, **kw: (seen.append(message), original(message, **kw))[1]  # type: ignore[method-assign]
    async with gone.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "mine" not in gone.workspace.selected
    assert len([m for m in seen if "mine" in m]) == 1  # one warning naming it
    assert "the file is gone" in next(m for m in seen if "mine" in m)
    session = load_session(config_dir())
    assert session is not None and session.files == () and "mine" not in session.selected


async def test_one_cancel_gives_one_toast(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    seen: list[str] = []
    original = app.notify
    app.notify = lambda message, **kw: (  # type: ignore[method-assign]
        seen.append(f"{kw.get('title', '')} {message}"),
        original(message, **kw),
    )[1]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        lock = app.workspace.corpus_locks.setdefault("lee", threading.Lock())
        lock.acquire()  # the job waits for the corpus: cancelled while it waits
        app.workspace.select("lee_7", True)
        await pilot.press("1", "x")
        await until(pilot, lambda: not app.workspace.jobs)
        await settle(pilot)
        lock.release()
    assert len([m for m in seen if "lee_7" in m]) == 1, seen


async def test_a_trusted_pickle_is_not_reopened_unasked(fixed_catalogue, tmp_path) -> None:
    """Trust was given to the file as it was then; it may have changed since: ask again."""
    from polyterm.session import Session, save_session

    path = tmp_path / "mine.pkl"
    path.write_bytes(b"not opened")
    save_session(
        config_dir(),
        Session(("mine",), "polyterm-dark", files=(FileModel("mine", str(path), None, True),)),
    )
    seen: list[str] = []
    app = PolytermApp()
    original = app.notify
    app.notify = lambda message, **kw: (seen.append(message), original(message, **kw))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "mine" not in app.workspace.models and not app.workspace.jobs
        assert "mine" not in app.workspace.selected
    assert any("trusted last time" in m for m in seen)
