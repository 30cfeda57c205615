"""Progress reports and cancellation, shared by every long-running engine call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from polyterm.errors import Cancelled


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report. `fraction` is in [0, 1] for the whole task."""

    task: str
    stage: str  # "corpus", "vocab", "train", "load", "write", "done"
    fraction: float
    message: str = ""
    epoch: int | None = None
    epochs: int | None = None
    words_per_second: float | None = None
    eta_seconds: float | None = None


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """A progress callback that ignores reports."""


class CancelFlag(Protocol):
    """What a long engine call polls to stop early: a threading.Event, or a
    multiprocessing Event shared with the process doing the work."""

    def is_set(self) -> bool: ...


def check_cancel(cancel: CancelFlag | None, what: str) -> None:
    """Raise Cancelled if `cancel` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(what)
