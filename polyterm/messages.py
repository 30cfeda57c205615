"""Messages from background workers to the UI thread (posted with `post_message`).

Progress messages for one job replace each other: the UI keeps only the latest. Messages
carry plain data: this module imports neither the engine nor a screen.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from polyterm.core.embedding import Embedding
from polyterm.widgets.catalogue import Catalogue, JobProgressReport


class JobProgress(Message):
    """A running job reports progress (the newest report replaces older ones)."""

    def __init__(self, job_id: int, progress: JobProgressReport) -> None:
        self.job_id = job_id
        self.progress = progress
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgress) and message.job_id == self.job_id


class JobFinished(Message):
    """A job opened its model (trained, read or taken from the cache); `name` is the
    model's display name (a file model's name, not its path)."""

    def __init__(self, job_id: int, name: str, model: Embedding) -> None:
        self.job_id = job_id
        self.name = name
        self.model = model
        super().__init__()


class JobFailed(Message):
    """A job stopped: cancelled by the user or failed with a user-facing message; `name`
    is the model's display name."""

    def __init__(self, job_id: int, name: str, error: str, cancelled: bool = False) -> None:
        self.job_id = job_id
        self.name = name
        self.error = error
        self.cancelled = cancelled
        super().__init__()


class CatalogueReady(Message):
    """The cache was listed and the available sources found."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        super().__init__()


class ViewReady(Message):
    """A pane's view state was computed; `token` lets stale answers be dropped."""

    def __init__(self, pane: str, view: Any, token: int) -> None:
        self.pane = pane
        self.view = view
        self.token = token
        super().__init__()


class ViewProgress(Message):
    """A pane's long computation reports progress (the newest replaces older ones)."""

    def __init__(self, pane: str, fraction: float, token: int) -> None:
        self.pane = pane
        self.fraction = fraction
        self.token = token
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ViewProgress) and message.pane == self.pane


class ViewFailed(Message):
    """A pane's query failed with a user-facing message (or was cancelled)."""

    def __init__(
        self,
        pane: str,
        error: str,
        token: int,
        position: int | None = None,
        cancelled: bool = False,
    ) -> None:
        self.pane = pane
        self.error = error
        self.token = token
        self.position = position
        self.cancelled = cancelled
        super().__init__()


class Warned(Message):
    """The engine warned about something (e.g. a rebuilt cache entry)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()


class BasisProgress(Message):
    """A basis being fitted for a pane reports progress (the newest replaces older ones)."""

    def __init__(self, pane: str, model: str, basis: str, fraction: float, stage: str) -> None:
        self.pane = pane
        self.model = model
        self.basis = basis
        self.fraction = fraction
        self.stage = stage
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BasisProgress) and message.pane == self.pane


class BasisReady(Message):
    """`source` expressed in `basis` (`model` is the in-basis Embedding, its codes)."""

    def __init__(self, pane: str, source: Embedding, basis: str, model: Embedding) -> None:
        self.pane = pane
        self.source = source
        self.basis = basis
        self.model = model
        super().__init__()


class BasisFailed(Message):
    """A basis could not be fitted (a user-facing message) or its fit was cancelled."""

    def __init__(
        self, pane: str, model: str, basis: str, error: str, cancelled: bool = False
    ) -> None:
        self.pane = pane
        self.model = model
        self.basis = basis
        self.error = error
        self.cancelled = cancelled
        super().__init__()


class StabilityReady(Message):
    """The within-model stability index of each component of `source` in `basis`
    (`index` empty and `error` set when it could not be computed)."""

    def __init__(
        self,
        source: Embedding,
        basis: str,
        index: tuple[float, ...],
        threshold: float,
        error: str = "",
    ) -> None:
        self.source = source
        self.basis = basis
        self.index = index
        self.threshold = threshold
        self.error = error
        super().__init__()
