"""Messages from background workers to the UI thread (posted with `post_message`).

Each is a dataclass with typed fields (Textual calls `Message.__post_init__` from the
generated `__init__`). Progress messages for one job replace each other: the UI keeps only
the latest. Messages carry plain data: this module imports neither the engine nor a screen;
a basis crosses as a parsed `BasisName`, never as a "dict:K" string.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from polyterm.core.bases import BasisName
from polyterm.core.embedding import Embedding
from polyterm.views.catalogue import Catalogue, JobProgressReport


@dataclass
class JobProgress(Message):
    """A running job reports progress (the newest report replaces older ones)."""

    job_id: int
    progress: JobProgressReport

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgress) and message.job_id == self.job_id


@dataclass
class JobFinished(Message):
    """A job opened its model (trained, read or taken from the cache); `name` is the
    model's display name (a file model's name, not its path)."""

    job_id: int
    name: str
    model: Embedding


@dataclass
class JobFailed(Message):
    """A job stopped: cancelled by the user or failed with a user-facing message; `name`
    is the model's display name."""

    job_id: int
    name: str
    error: str
    cancelled: bool = False


@dataclass
class CatalogueReady(Message):
    """The cache was listed and the available sources found."""

    catalogue: Catalogue


@dataclass
class ViewReady(Message):
    """A pane's view state was computed; `token` lets stale answers be dropped."""

    pane: str
    view: object
    token: int


@dataclass
class ViewProgress(Message):
    """A pane's long computation reports progress (the newest replaces older ones)."""

    pane: str
    fraction: float
    token: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ViewProgress) and message.pane == self.pane


@dataclass
class ViewFailed(Message):
    """A pane's query failed with a user-facing message (or was cancelled)."""

    pane: str
    error: str
    token: int
    position: int | None = None
    cancelled: bool = False


@dataclass
class Warned(Message):
    """The engine warned about something (e.g. a rebuilt cache entry)."""

    text: str


@dataclass
class BasisProgress(Message):
    """A basis being fitted for a pane reports progress (the newest replaces older ones)."""

    pane: str
    model: str
    basis: BasisName
    fraction: float
    stage: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BasisProgress) and message.pane == self.pane


@dataclass
class BasisReady(Message):
    """`source` expressed in `basis` (`model` is the in-basis Embedding, its codes)."""

    pane: str
    source: Embedding
    basis: BasisName
    model: Embedding


@dataclass
class BasisFailed(Message):
    """A basis could not be fitted (a user-facing message) or its fit was cancelled."""

    pane: str
    model: str
    basis: BasisName
    error: str
    cancelled: bool = False


@dataclass
class StabilityReady(Message):
    """The within-model stability index of each component of `source` in `basis`
    (`index` empty and `error` set when it could not be computed)."""

    source: Embedding
    basis: BasisName
    index: tuple[float, ...]
    threshold: float
    error: str = ""
