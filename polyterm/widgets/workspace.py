"""The explorer's model bookkeeping: loaded and selected models, running jobs, the cache.

`Workspace` is the base of `PolytermApp`: it opens models in background jobs (made in a
child process when they are not cached yet, see `polyterm.widgets.trainer`), follows their
progress, and keeps the selection. The panes are the app's business: it is told of every
change through `refresh_models` and `selection_changed`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence

from textual.app import App
from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from polyterm.core.embedding import Embedding
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.specs import TrainSpec
from polyterm.errors import PolytermError
from polyterm.messages import CatalogueReady, JobFailed, JobFinished, JobProgress, Warned
from polyterm.safe_text import visible
from polyterm.widgets.catalogue import Catalogue, scan_catalogue
from polyterm.widgets.jobs import Job
from polyterm.widgets.running import while_running


class Workspace(App[int]):
    """Models by name, the ordered selection, and the jobs opening models."""

    def __init__(self, models: Sequence[Embedding] = ()) -> None:
        super().__init__()
        self.models: dict[str, Embedding] = {m.name: m for m in models}
        self.selected: list[str] = [m.name for m in models]
        self.jobs: dict[int, Job] = {}
        self.catalogue = Catalogue(cache_root="")
        self.library: ModelLibrary | None = None
        self.first_run_jobs: set[str] = set()
        self.corpus_locks: dict[str, threading.Lock] = {}
        self._job_ids = itertools.count(1)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: its message names models, words, paths and
        themes from data or the user, so it is never parsed as markup (`markup` is ignored)
        and its control characters are made visible."""
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )

    # -- hooks for the app ------------------------------------------------------------------
    def refresh_models(self, focus: str | None = None) -> None:
        """Show the models and jobs as they are now."""

    def selection_changed(self) -> None:
        """The selection or the loaded models changed."""

    def jobs_done(self) -> None:
        """The first-run jobs have all ended."""

    def jobs_progressed(self) -> None:
        """Only the running jobs' progress changed."""
        self.refresh_models()

    # -- the cache ----------------------------------------------------------------------------
    def scan(self, library: ModelLibrary) -> None:
        """List the cache and the sources in a worker; CatalogueReady follows."""
        self.run_worker(
            lambda: self.post_message(CatalogueReady(scan_catalogue(library.cache))),
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
            self.scan(self.library)
            self.selection_changed()

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
        library = self.library
        job.worker = self.run_worker(
            lambda: job.run(library, self.post_message, get_current_worker().cancelled_event),
            name=f"{job.kind} {name}",
            group=job.kind,
            thread=True,
            exit_on_error=False,
        )

    @while_running
    def on_job_progress(self, message: JobProgress) -> None:
        job = self.jobs.get(message.job_id)
        if job is not None:
            job.report(message.progress)
            self.jobs_progressed()

    def _end_job(self, job_id: int, name: str) -> None:
        self.jobs.pop(job_id, None)
        self.first_run_jobs.discard(name)
        if not self.first_run_jobs:
            self.jobs_done()

    @while_running
    def on_job_finished(self, message: JobFinished) -> None:
        if message.job_id not in self.jobs:
            return  # ended already: cancelled before its worker started
        self._end_job(message.job_id, message.spec)
        self.models[message.spec] = message.model
        self.notify(
            f"{message.spec} is ready ({len(message.model):,} words, {message.model.dims} dims)"
        )
        if self.library is not None:
            self.scan(self.library)
        self.selection_changed()

    @while_running
    def on_job_failed(self, message: JobFailed) -> None:
        if message.job_id not in self.jobs:
            return  # ended already: cancelled before its worker started
        self._end_job(message.job_id, message.spec)
        self.selected = [n for n in self.selected if n != message.spec]
        self.notify(
            message.error,
            title=f"{message.spec}: cancelled" if message.cancelled else f"{message.spec} failed",
            severity="warning" if message.cancelled else "error",
            timeout=6 if message.cancelled else 15,
        )
        self.selection_changed()

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
            self.post_message(JobFailed(job.job_id, job.name, "cancelled before it began", True))
        self.notify(f"cancelling {job.name}…")

    def warn_from_thread(self, text: str) -> None:
        self.post_message(Warned(text))

    @while_running
    def on_warned(self, message: Warned) -> None:
        self.notify(message.text, severity="warning")

    # -- the selection ----------------------------------------------------------------------
    def chosen(self) -> list[Embedding]:
        """The selected models that are loaded, in selection order."""
        return [self.models[n] for n in self.selected if n in self.models]

    def select(self, name: str, on: bool | None = None) -> None:
        """Mark (or unmark) a model for the side-by-side panes, opening it if needed."""
        on = name not in self.selected if on is None else on
        if on and "<" in name:  # an "available to make" row: ask how to make it
            self.action_train(name.split("_<")[0])
            return
        if on and name not in self.selected:
            self.selected.append(name)
            self.open_model(name)
        elif not on and name in self.selected:
            self.selected.remove(name)
        self.selection_changed()

    def action_train(self, corpus: str | None = None) -> None:
        """Ask how to train models of `corpus` (the app shows the form)."""
