"""The bodies of the explorer's background work: opening models and computing views.

They run in thread workers (see `Workspace` and `Questions`), call the engine or the
views, and only talk to the UI by posting messages. Making a model (training, reading a
vector file) runs in a separate process (`polyterm.explorer.trainer`); the thread only waits
for it and then opens the finished cache entry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from textual.message import Message

from polyterm.core.bases import BasisName
from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.progress import Progress
from polyterm.errors import Cancelled, ExpressionError, PolytermError
from polyterm.explorer.trainer import make_in_process
from polyterm.messages import (
    BasisFailed,
    BasisProgress,
    BasisReady,
    JobFailed,
    JobFinished,
    JobProgress,
    StabilityReady,
    ViewFailed,
    ViewProgress,
    ViewReady,
)
from polyterm.widgets.catalogue import JobProgressReport, JobState
from polyterm.widgets.pane import Question

PROGRESS_INTERVAL = 0.2  # seconds between progress messages of one job
VIEW_PROGRESS_INTERVAL = 0.1  # seconds between progress messages of one view
Post = Callable[[Message], Any]


class Job:
    """One model being opened: its worker, throttled progress and corpus turn.

    A model that is not cached yet is made in a child process, which is given a
    multiprocessing event set when the worker's `cancelled_event` is (the cancel key, or
    quitting the app), so the engine stops at its next check.

    Jobs that train on the same corpus take turns until the corpus is tokenised and cached
    (later jobs read the cached copy); training itself runs in parallel.
    """

    def __init__(
        self,
        job_id: int,
        spec: str,
        name: str,
        options: OpenOptions,
        kind: str,
        corpus_lock: threading.Lock | None = None,
    ) -> None:
        self.job_id = job_id
        self.spec = spec
        self.name = name
        self.options = options
        self.kind = kind
        self.worker: Any = None  # the textual Worker running it
        self._lock = corpus_lock
        self._held = False
        self._last = 0.0
        self._stage = ""
        self._post: Post = lambda _m: None
        self.started = False  # set by the worker's thread when `run` begins
        self.state = JobState(job_id, name, kind)  # the latest progress, kept by the UI thread

    def report(self, progress: JobProgressReport) -> None:
        """Keep the newest progress (called on the UI thread)."""
        self.state = JobState(self.job_id, self.name, self.kind, progress)

    def _release(self) -> None:
        if self._held and self._lock is not None:
            self._held = False
            self._lock.release()

    def _progress(self, p: Progress) -> None:
        if p.stage != "corpus":
            self._release()
        now = time.monotonic()
        if p.stage != self._stage or p.stage == "done" or now - self._last >= PROGRESS_INTERVAL:
            self._last, self._stage = now, p.stage
            self._post(JobProgress(self.job_id, p))

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def run(self, library: ModelLibrary, post: Post, cancel: threading.Event) -> None:
        """Open the model and post JobFinished, or JobFailed with a message for the user."""
        self.started = True
        self._post = post
        try:
            while self._lock is not None and not self._held:
                self._held = self._lock.acquire(timeout=0.2)
                if cancel.is_set():
                    raise Cancelled(f"{self.kind} {self.name}")
            spec = library.spec(self.spec, self.options)
            entry = library.cached(spec)  # verified; a corrupt one is reported and dropped
            if entry is None:
                make_in_process(
                    self.spec, self.options, library, progress=self._progress, cancel=cancel
                )
                entry = library.cached(spec)
            model = (
                library.open(spec, self.options, progress=self._progress, cancel=cancel)
                if entry is None  # removed meanwhile by another process: make it here
                else library.cache.open(entry, verified=True)
            )
        except PolytermError as exc:
            post(JobFailed(self.job_id, self.name, str(exc), isinstance(exc, Cancelled)))
        except Exception as exc:  # a bug or an odd file: say so, the app stays up
            post(JobFailed(self.job_id, self.name, f"unexpected error: {exc!r}"))
        else:
            post(JobFinished(self.job_id, self.name, model))
        finally:
            self._release()


def answer(
    post: Post,
    pane: str,
    token: int,
    question: Question,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """Compute a pane's view and post it, or post the problem.

    The question's progress callback posts (throttled) `ViewProgress` and raises
    `Cancelled` once `cancelled()` is true, so a long computation stops at its next report.
    """
    last = [0.0]

    def progress(fraction: float) -> None:
        if cancelled():
            raise Cancelled("the computation")
        now = time.monotonic()
        if now - last[0] >= VIEW_PROGRESS_INTERVAL:
            last[0] = now
            post(ViewProgress(pane, fraction, token))

    try:
        post(ViewReady(pane, question(progress), token))
    except Cancelled:
        post(ViewFailed(pane, "cancelled", token, cancelled=True))
    except ExpressionError as exc:
        post(ViewFailed(pane, str(exc), token, exc.position))
    except PolytermError as exc:
        post(ViewFailed(pane, str(exc), token))
    except Exception as exc:  # a bug: say so, the app stays up
        post(ViewFailed(pane, f"unexpected error: {exc!r}", token))


def fit_basis_for(
    post: Post,
    pane: str,
    source: Embedding,
    basis: BasisName,
    store: BasisStore,
    cancel: threading.Event,
) -> None:
    """Express `source` in `basis` (fitting it unless the store has it) and post
    `BasisReady`, or `BasisFailed` with a one-line reason (a model too small for the
    basis, a cancelled fit). Progress is posted at most every `VIEW_PROGRESS_INTERVAL`."""
    last = [0.0]

    def progress(fraction: float, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] >= VIEW_PROGRESS_INTERVAL:
            last[0] = now
            post(BasisProgress(pane, source.name, basis, fraction, stage))

    try:
        request = BasisRequest(basis)
        model = store.in_basis(source, request, progress=progress, cancel=cancel)
    except Cancelled:
        post(BasisFailed(pane, source.name, basis, "cancelled", cancelled=True))
    except (ValueError, PolytermError) as exc:
        post(BasisFailed(pane, source.name, basis, f"cannot fit {basis} to {source.name}: {exc}"))
    except Exception as exc:  # a bug: say so, the app stays up
        post(BasisFailed(pane, source.name, basis, f"unexpected error: {exc!r}"))
    else:
        post(BasisReady(pane, source, basis, model))


def stability_for(
    post: Post, source: Embedding, basis: BasisName, store: BasisStore, cancel: threading.Event
) -> None:
    """The within-model stability of `source`'s components in `basis` (ica or dict:K),
    posted as `StabilityReady` (with `error` set when it cannot be computed)."""
    try:
        stability = store.stability(source, BasisRequest(basis), cancel=cancel)
    except Cancelled:
        return
    except (ValueError, PolytermError) as exc:
        post(StabilityReady(source, basis, (), 0.0, str(exc)))
    except Exception as exc:  # a bug: say so, the app stays up
        post(StabilityReady(source, basis, (), 0.0, f"unexpected error: {exc!r}"))
    else:
        index = tuple(float(x) for x in stability.index)
        post(StabilityReady(source, basis, index, stability.threshold))
