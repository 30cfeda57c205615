"""The Load dialog (issue 11, item 10): a file that is not vector data keeps the dialog open
with its path and a sentence naming the file and what to do; the trust box shows ✓ only
when ticked; and the dialog accepts every suffix the reader reads (the suffix registry)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input

from polyterm.app import PolytermApp
from polyterm.engine.formats import SUFFIXES
from polyterm.screens.load import WHAT_TO_CHOOSE, LoadScreen, check_load
from tests.ui.helpers import plain, settle, type_text


async def test_a_file_that_is_not_vectors_keeps_the_dialog_open_with_a_sentence(
    fixed_catalogue, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("these are\nnot vectors\n")
    app = PolytermApp(startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await type_text(pilot, str(bad))
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoadScreen)  # still open …
        assert screen.query_one("#path", Input).value == str(bad)  # … with the path
        said = " ".join(plain(screen.query_one("#path-error")).split())
        assert said.startswith("bad.txt could not be read as word vectors: line 1 has a value")
        assert said.endswith(WHAT_TO_CHOOSE)
        assert "is not a number." in said  # the reader's first clause, not its detail
        assert "bad" not in app.workspace.models and "bad" not in app.workspace.selected
        # a good file then loads from the same dialog
        good = tmp_path / "good.txt"
        good.write_text("3 2\ncat 1 0\ndog 0.9 0.1\ncar 0 1\n")
        screen.query_one("#path", Input).value = str(good)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, LoadScreen)
        assert "good" in app.workspace.models


async def test_the_trust_box_shows_a_tick_only_when_ticked(fixed_catalogue) -> None:
    app = PolytermApp(startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        box = app.screen.query_one("#trust", Checkbox)
        unticked = box.render().plain
        box.value = True
        await pilot.pause()
        ticked = box.render().plain
        assert unticked != ticked
        assert "✓" in ticked and "✓" not in unticked


def test_the_dialog_takes_every_suffix_the_reader_reads(tmp_path: Path) -> None:
    for entry in SUFFIXES:
        path = tmp_path / f"vectors{entry.suffix}"
        path.write_bytes(b"1 1\nx 1\n")
        request, errors = check_load(str(path), "", True)
        assert request is not None, (entry.suffix, errors)
    # a pickle the reader opens when trusted is no longer refused by its name
    request, errors = check_load(str(tmp_path / "vectors.pkl"), "", True)
    assert request is not None and request.name == "vectors"
    assert "trust" in check_load(str(tmp_path / "vectors.pkl"), "", False)[1]


@pytest.mark.slow  # a heavier Pilot flow
async def test_a_file_bad_after_the_dialogs_check_fails_with_the_same_sentence(
    fixed_catalogue, tmp_path: Path
) -> None:
    """The dialog reads 1,000 rows; a file that breaks later fails in the job, and its
    notification is the dialog's sentence (file, reason, what to do), not a bare error."""
    late = tmp_path / "late.txt"
    rows = [f"w{i} {i % 7} {i % 5}" for i in range(1_100)]
    rows[1_050] = "broken x y"
    late.write_text("\n".join(rows) + "\n")
    app = PolytermApp(startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await type_text(pilot, str(late))
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, LoadScreen)  # the first 1,000 rows were vectors
        for _ in range(100):
            said = [n.message for n in app._notifications if "late.txt" in n.message]
            if said:
                break
            await pilot.pause(0.05)
        assert said and said[0].startswith("late.txt could not be read as word vectors: ")
        assert said[0].endswith(WHAT_TO_CHOOSE)
        assert "late" not in app.workspace.models
