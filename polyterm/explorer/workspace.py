"""The explorer's model bookkeeping: loaded and selected models, running jobs, the cache.

`Workspace` is a plain object the app holds: it opens models in background jobs (made in
a child process when they are not cached yet, see `polyterm.explorer.trainer`), follows
their progress, and keeps the selection. The panes are the app's business: it is told of
every change through the `WorkspaceHost` hooks (`refresh_models`, `selection_changed`, …).
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from textual.app import App
from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisStore
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.specs import FileSpec, TrainSpec
from polyterm.errors import PolytermError
from polyterm.explorer.catalogue import scan_catalogue
from polyterm.explorer.jobs import Job
from polyterm.messages import CatalogueReady, JobFailed, JobFinished, JobProgress, Warned
from polyterm.screens.load import load_problem
from polyterm.widgets.catalogue import Catalogue


class WorkspaceHost(Protocol):
    """What the workspace tells the app (the app implements these)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def refresh_models(self, focus: str | None = None) -> None:
        """Show the models and jobs as they are now."""

    def selection_changed(self, save: bool = True) -> None:
        """The selection or the loaded models changed."""

    def jobs_done(self) -> None:
        """The first-run jobs have all ended."""

    def jobs_progressed(self) -> None:
        """Only the running jobs' progress changed."""

    def action_train(self, corpus: str | None = None) -> None:
        """Ask how to train models of `corpus` (the app shows the form)."""

    def model_opened(self, name: str, spec: str, options: OpenOptions) -> None:
        """A job opened `name` from `spec` (kept in the session when it is a file)."""


class Workspace:
    """Models by name, the ordered selection, and the jobs opening models.

    `app` runs the workers and receives their messages; `host` (the same app) is told
    of changes.
    """

    def __init__(
        self, app: App[Any], host: WorkspaceHost, models: Sequence[Embedding] = ()
    ) -> None:
        self.app = app
        self.host = host
        self.models: dict[str, Embedding] = {m.name: m for m in models}
        self.selected: list[str] = [m.name for m in models]
        self.jobs: dict[int, Job] = {}
        self.catalogue = Catalogue(cache_root="")
        self.library: ModelLibrary | None = None
        self.first_run_jobs: set[str] = set()
        self.corpus_locks: dict[str, threading.Lock] = {}
        self._job_ids = itertools.count(1)
        self._basis_store: BasisStore | None = None

    def basis_store(self) -> BasisStore:
        """The one store of fitted bases every pane uses (made on first use, once the
        cache is open: a basis fitted once is reused, within this run and the next)."""
        if self._basis_store is None:
            cache = self.library.cache if self.library is not None else None
            self._basis_store = BasisStore(cache, warn=self.warn_from_thread)
        return self._basis_store

    def notify(self, message: str, **kwargs: Any) -> None:
        self.host.notify(message, **kwargs)

    # -- the cache ----------------------------------------------------------------------------
    def scan(self) -> None:
        """List the cache and the sources in a worker; CatalogueReady follows."""
        library = self.library
        if library is None:
            return
        app = self.app
        app.run_worker(
            lambda: app.post_message(CatalogueReady(scan_catalogue(library.cache))),
            name="scan",
            group="catalogue",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def remove_model(self, name: str) -> None:
        """Remove `name`'s cache entry (the user was asked first)."""
        if self.library is None:
            return
        for entry in (e for e in self.library.cache.entries() if e.name == name):
            self.library.cache.remove(entry)
            self.models.pop(name, None)
            self.selected = [n for n in self.selected if n != name]
            self.notify(f"removed {name} from the cache")
            self.scan()
            self.host.selection_changed()

    def unique_name(self, name: str) -> str:
        """`name` for a model opened from a file, or `name-file` (`name-file2`, …) when a
        loaded, cached, listed or opening model already has that name: every model in the
        explorer has its own name, so selecting, removing or exporting one never acts on
        another (a file `brown_30.txt` beside the trained brown_30)."""
        taken = (
            set(self.models)
            | set(self.selected)
            | {j.name for j in self.jobs.values()}
            | {c.name for c in self.catalogue.cached}
        )
        if name not in taken:
            return name
        for n in itertools.count(1):
            candidate = f"{name}-file" + (str(n) if n > 1 else "")
            if candidate not in taken:
                return candidate
        raise AssertionError("unreachable")

    # -- jobs -------------------------------------------------------------------------------
    def open_model(
        self, spec: str, options: OpenOptions | None = None, name: str | None = None
    ) -> None:
        """Open `spec` in a background job shown as `name` (the spec by default); the
        caller refreshes the panes (`select` through `selection_changed`)."""
        name, options = name or spec, options or OpenOptions()
        if name in self.models or any(j.name == name for j in self.jobs.values()):
            return
        if self.library is None:
            self.notify("no usable cache folder: set POLYTERM_CACHE_DIR", severity="error")
            return
        try:
            trains = isinstance(self.library.spec(spec, options), TrainSpec)
        except PolytermError as exc:
            self.notify(str(exc), title=name, severity="error")
            self.selected = [n for n in self.selected if n != name]
            return
        train = trains and name not in {c.name for c in self.catalogue.cached}
        lock = self.corpus_locks.setdefault(spec.split("_")[0], threading.Lock()) if train else None
        job = Job(next(self._job_ids), spec, name, options, "train" if train else "load", lock)
        self.jobs[job.job_id] = job
        library, post = self.library, self.app.post_message
        job.worker = self.app.run_worker(
            lambda: job.run(library, post, get_current_worker().cancelled_event),
            name=f"{job.kind} {name}",
            group=job.kind,
            thread=True,
            exit_on_error=False,
        )

    def job_progress(self, message: JobProgress) -> None:
        job = self.jobs.get(message.job_id)
        if job is not None:
            job.report(message.progress)
            self.host.jobs_progressed()

    def _end_job(self, job_id: int, name: str) -> Job | None:
        job = self.jobs.pop(job_id, None)
        self.first_run_jobs.discard(name)
        if not self.first_run_jobs:
            self.host.jobs_done()
        return job

    def job_finished(self, message: JobFinished) -> None:
        if message.job_id not in self.jobs:
            return  # ended already: cancelled before its worker started
        job = self._end_job(message.job_id, message.name)
        model = message.model
        if job is not None and model.name != message.name and self._is_file(job):
            # a file opened under its own name (`unique_name`): the model carries it, so
            # every pane, row and export names it as the selection does
            model = dataclasses.replace(model, name=message.name, memo={})
        self.models[message.name] = model
        self.notify(
            f"{message.name} is ready ({len(message.model):,} words, {message.model.dims} dims)"
        )
        if job is not None:
            self.host.model_opened(message.name, job.spec, job.options)
        self.scan()
        self.host.selection_changed()

    def job_failed(self, message: JobFailed) -> None:
        if message.job_id not in self.jobs:
            return  # ended already: cancelled before its worker started
        job = self._end_job(message.job_id, message.name)
        self.selected = [n for n in self.selected if n != message.name]
        error = message.error
        if job is not None and not message.cancelled and self._is_file(job):
            error = load_problem(job.spec, error)  # the Load form's sentence: file, reason, fix
        self.notify(
            error,
            title=f"{message.name}: cancelled" if message.cancelled else f"{message.name} failed",
            severity="warning" if message.cancelled else "error",
            timeout=6 if message.cancelled else 15,
        )
        self.host.selection_changed()

    def _is_file(self, job: Job) -> bool:
        if self.library is None:
            return False
        try:
            return isinstance(self.library.spec(job.spec, job.options), FileSpec)
        except PolytermError:
            return False

    def cancel_job(self, job_id: int | None = None, here: str | None = None) -> None:
        """Cancel job `job_id`, else the one of model `here`, else the newest."""
        jobs = [j for j in self.jobs.values() if job_id in (None, j.job_id)]
        job = next((j for j in jobs if j.name == here), jobs[-1] if jobs else None)
        if job is None:
            self.notify("no job is running")
            return
        job.cancel()
        if not job.started:
            # A worker cancelled before its thread began never runs the job, so nothing
            # else would end it; if the thread did begin meanwhile, its own JobFailed is
            # ignored as a repeat.
            self.app.post_message(
                JobFailed(job.job_id, job.name, "cancelled before it began", True)
            )
        # No toast here: the job's end says "cancelled" once (one cancel, one toast).

    def warn_from_thread(self, text: str) -> None:
        self.app.post_message(Warned(text))

    # -- the selection ----------------------------------------------------------------------
    def chosen(self) -> list[Embedding]:
        """The selected models that are loaded, in selection order."""
        return [self.models[n] for n in self.selected if n in self.models]

    def select(self, name: str, on: bool | None = None) -> None:
        """Mark (or unmark) a model for the side-by-side panes, opening it if needed."""
        on = name not in self.selected if on is None else on
        template = self.catalogue.form_for(name) if on else None
        if template is not None:  # an "available to make" row: ask how to make it
            self.host.action_train(template.corpus)
            return
        if on and name not in self.selected:
            self.selected.append(name)
            self.open_model(name)
        elif not on and name in self.selected:
            self.selected.remove(name)
        self.host.selection_changed()
