"""Shared helpers for the explorer's pilot tests."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from polyterm.app import PolytermApp


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let workers finish and their messages be handled (answers can start more work)."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        with suppress(WorkerCancelled):  # a cancelled worker's thread may still be finishing
            await app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 60) -> None:
    """Wait (letting the app run) until `condition()` holds; fail after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


def no_blink(app: PolytermApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False
    for box in app.main.query(Input):
        box.cursor_blink = False


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type into the focused text box (inserted at the cursor, as a paste would)."""
    focused = pilot.app.focused
    assert isinstance(focused, Input), f"typing needs a text box, not {focused!r}"
    focused.insert_text_at_cursor(text)
    await pilot.pause()


def plain(widget: Any) -> str:
    """The text a Static shows (its content rendered without styles)."""
    import io

    from rich.console import Console

    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()
