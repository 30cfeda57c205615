"""The explorer: `polyterm` with no command. Config, themes, bindings, workers, handlers."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from polyterm.core.embedding import Embedding
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.settings import cache_dir, config_dir
from polyterm.engine.specs import TrainSpec
from polyterm.errors import PolytermError
from polyterm.messages import (
    CatalogueReady,
    JobFailed,
    JobFinished,
    JobProgress,
    ViewFailed,
    ViewReady,
    Warned,
)
from polyterm.screens.load import LoadRequest, LoadScreen
from polyterm.screens.main import PANE_ORDER, MainScreen
from polyterm.screens.message import MessageScreen
from polyterm.screens.train import TrainScreen
from polyterm.session import Session, load_session, save_session
from polyterm.theming import install_themes
from polyterm.views.model_summary import ModelSummary
from polyterm.widgets.calculator_pane import CalculatorPane
from polyterm.widgets.catalogue import Catalogue, ModelsView, first_run_plan, scan_catalogue
from polyterm.widgets.comparison_pane import ComparisonPane
from polyterm.widgets.dimension_pane import DimensionPane
from polyterm.widgets.export import export_panes
from polyterm.widgets.jobs import Job, answer
from polyterm.widgets.models_pane import ModelsPane
from polyterm.widgets.pane import Pane, Question


def _b(key: str, action: str, text: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, text, id=f"app.{action.split('(')[0]}", tooltip=tip, show=show)


class PolytermApp(App[int]):
    """Compare word-embedding models: four live panes, background work, markdown export."""

    TITLE = "polyterm"
    SUB_TITLE = "are polysemantic dimensions universal?"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        _b("1", "pane('models')", "Models", "Go to the Models pane", show=False),
        _b("2", "pane('dims')", "Dims", "Go to the Dimension browser", show=False),
        _b("3", "pane('calc')", "Calc", "Go to the word-difference calculator", show=False),
        _b("4", "pane('compare')", "Compare", "Go to the comparison table", show=False),
        _b("t", "train", "Train", "Train word2vec models (a form)"),
        _b("o", "load", "Load", "Load a vector file by path"),
        _b("x", "cancel", "Cancel job", "Cancel the highlighted (or newest) running job"),
        _b("e", "export", "Export", "Write the focused pane to a markdown file"),
        _b("E", "export(True)", "Export all", "Write every pane to one markdown file"),
        _b("f", "maximize", "Max", "Maximise the focused pane, or restore it"),
        _b("T", "change_theme", "Theme", "Choose a theme"),
        _b("escape", "leave_input", "Back", "Leave the text box or the maximised pane", False),
    ]

    def __init__(self, *, theme: str | None = None, cache_dir: str | Path | None = None,
                 models: Sequence[Embedding] = (), startup: bool = True,
                 export_dir: Path | None = None) -> None:
        super().__init__()
        self.requested_theme = theme
        self.cache_override = cache_dir
        self.startup = startup  # restore the session or make the first-run models
        self.export_dir = export_dir
        self.models: dict[str, Embedding] = {m.name: m for m in models}
        self.selected: list[str] = [m.name for m in models]
        self.jobs: dict[int, Job] = {}
        self.catalogue = Catalogue(cache_root="")
        self.library: ModelLibrary | None = None
        self.tokens: dict[str, int] = {}
        self.first_run_jobs: set[str] = set()
        self.corpus_locks: dict[str, threading.Lock] = {}
        self.main = MainScreen()
        self._started = False
        self._job_ids = itertools.count(1)

    # -- start-up ---------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        return self.main

    def on_mount(self) -> None:
        self.theme = install_themes(self, self.requested_theme)
        try:
            self.library = ModelLibrary(ModelCache(cache_dir(self.cache_override)),
                                        warn=self.warn_from_thread)
        except PolytermError as exc:
            self.notify(str(exc), title="Cache", severity="error", timeout=20)

    @on(MainScreen.Ready)
    def _main_ready(self) -> None:
        self.refresh_models()
        self.main.show_pane("models")
        if self.library is not None:
            self.scan(self.library)

    @work(thread=True, exclusive=True, group="catalogue", exit_on_error=False)
    def scan(self, library: ModelLibrary) -> None:
        self.post_message(CatalogueReady(scan_catalogue(library.cache)))

    def on_catalogue_ready(self, message: CatalogueReady) -> None:
        self.catalogue = message.catalogue
        self.refresh_models()
        if self._started or not self.startup:
            return
        self._started = True
        session = load_session(config_dir())
        if session is not None:
            for name in session.selected:
                self.select(name, True)
        elif not message.catalogue.cached:
            self.first_run(message.catalogue)

    def first_run(self, catalogue: Catalogue) -> None:
        """The original study's pair (and GloVe), so a newcomer sees results at once."""
        names, note = first_run_plan(catalogue)
        self.models_pane.set_note(note)
        self.first_run_jobs = set(names)
        for name in names:
            self.select(name, True)

    # -- models and jobs ---------------------------------------------------------------------
    @property
    def models_pane(self) -> ModelsPane:
        return self.main.query_one(ModelsPane)

    @property
    def dims_pane(self) -> DimensionPane:
        return self.main.query_one(DimensionPane)

    @property
    def calc(self) -> CalculatorPane:
        return self.main.query_one(CalculatorPane)

    @property
    def compare(self) -> ComparisonPane:
        return self.main.query_one(ComparisonPane)

    def refresh_models(self, focus: str | None = None) -> None:
        if not self.main.query(ModelsPane):  # not composed yet, or shutting down
            return
        self.models_pane.show(ModelsView(
            self.catalogue, tuple(ModelSummary.of(m) for m in self.models.values()),
            tuple(self.selected), tuple(j.state for j in self.jobs.values())))
        self.dims_pane.set_models({n: m.dims for n, m in self.models.items()}, focus)

    def open_model(self, spec: str, options: OpenOptions | None = None,
                   name: str | None = None) -> None:
        """Open `spec` in a background job shown as `name` (the spec by default)."""
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
        job = Job(next(self._job_ids), spec, name, options,
                  "train" if train else "load", lock)
        self.jobs[job.job_id] = job
        job.worker = (self.train_job if train else self.load_job)(job, self.library)
        self.refresh_models()

    @work(thread=True, exclusive=False, group="train", exit_on_error=False)
    def train_job(self, job: Job, library: ModelLibrary) -> None:
        job.run(library, self.post_message, get_current_worker().cancelled_event)

    @work(thread=True, exclusive=False, group="load", exit_on_error=False)
    def load_job(self, job: Job, library: ModelLibrary) -> None:
        job.run(library, self.post_message, get_current_worker().cancelled_event)

    def on_job_progress(self, message: JobProgress) -> None:
        job = self.jobs.get(message.job_id)
        if job is not None:
            job.report(message.progress)
            self.refresh_models()

    def _end_job(self, job_id: int, name: str) -> None:
        self.jobs.pop(job_id, None)
        self.first_run_jobs.discard(name)
        if not self.first_run_jobs:
            self.models_pane.set_note("")

    def on_job_finished(self, message: JobFinished) -> None:
        self._end_job(message.job_id, message.spec)
        self.models[message.spec] = message.model
        self.notify(f"{message.spec} is ready ({len(message.model):,} words, "
                    f"{message.model.dims} dims)")
        if self.library is not None:
            self.scan(self.library)
        self.selection_changed()

    def on_job_failed(self, message: JobFailed) -> None:
        self._end_job(message.job_id, message.spec)
        self.selected = [n for n in self.selected if n != message.spec]
        self.notify(message.error, title=f"{message.spec}: cancelled" if message.cancelled else
                    f"{message.spec} failed", severity="warning" if message.cancelled else "error",
                    timeout=6 if message.cancelled else 15)
        self.selection_changed()

    def warn_from_thread(self, text: str) -> None:
        self.post_message(Warned(text))

    def on_warned(self, message: Warned) -> None:
        self.notify(message.text, severity="warning")

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

    def selection_changed(self) -> None:
        self.refresh_models()
        try:
            save_session(config_dir(), Session(tuple(self.selected), self.theme))
        except OSError as exc:
            self.notify(f"could not save the session: {exc}", severity="warning")
        self.rerun_queries()

    @on(ModelsPane.Selected)
    def _selected(self, message: ModelsPane.Selected) -> None:
        self.select(message.name)

    @on(ModelsPane.OpenRequested)
    def _open_requested(self, message: ModelsPane.OpenRequested) -> None:
        if message.name in self.models:
            self.refresh_models(focus=message.name)
            self.main.show_pane("dims")
        else:
            self.select(message.name, True)

    @on(ModelsPane.Highlighted)
    def _highlighted(self, message: ModelsPane.Highlighted) -> None:
        if message.name in self.models:
            self.dims_pane.set_models({n: m.dims for n, m in self.models.items()}, message.name)

    @on(ModelsPane.RemoveRequested)
    def _remove_requested(self, message: ModelsPane.RemoveRequested) -> None:
        name, entries = message.name, self.library.cache.entries() if self.library else []
        for entry in (e for e in entries if e.name == name and self.library is not None):
            self.library.cache.remove(entry)  # type: ignore[union-attr]
            self.models.pop(name, None)
            self.selected = [n for n in self.selected if n != name]
            self.notify(f"removed {name} from the cache")
            self.scan(self.library)  # type: ignore[arg-type]
            self.selection_changed()

    # -- queries: each pane's newest question is computed in its own worker group -----------
    def ask(self, pane: Pane) -> None:
        question = pane.question(self.models, [self.models[n] for n in self.selected
                                               if n in self.models])
        if question is not None:
            token = self.tokens[pane.PANE_ID] = self.tokens.get(pane.PANE_ID, 0) + 1
            if pane.PANE_ID == "dims":
                self.dims_worker(token, question)
            elif pane.PANE_ID == "calc":
                self.calc_worker(token, question)
            else:
                self.compare_worker(token, question)

    @work(thread=True, exclusive=True, group="view-dims", exit_on_error=False)
    def dims_worker(self, token: int, question: Question) -> None:
        answer(self.post_message, "dims", token, question)

    @work(thread=True, exclusive=True, group="view-calc", exit_on_error=False)
    def calc_worker(self, token: int, question: Question) -> None:
        answer(self.post_message, "calc", token, question)

    @work(thread=True, exclusive=True, group="view-compare", exit_on_error=False)
    def compare_worker(self, token: int, question: Question) -> None:
        answer(self.post_message, "compare", token, question)

    def on_view_ready(self, message: ViewReady) -> None:
        if message.token == self.tokens.get(message.pane):
            self.main.pane(message.pane).show(message.view)  # type: ignore[attr-defined]

    def on_view_failed(self, message: ViewFailed) -> None:
        if message.token == self.tokens.get(message.pane):
            self.main.pane(message.pane).show_error(message.error, message.position)

    @on(DimensionPane.Changed)
    def _dims_changed(self, message: DimensionPane.Changed) -> None:
        self.ask(self.dims_pane)
        p = message.params
        if not p.repeats and p.model in self.models:
            self.compare.follow_dimension(p.dim, p.k, p.restrict, p.scale)
            self.ask(self.compare)

    @on(CalculatorPane.Submitted)
    def _calc_submitted(self, message: CalculatorPane.Submitted) -> None:
        self.compare.follow_expression(message.text, message.convention, message.include_query)
        self.rerun_queries()

    @on(ComparisonPane.Asked)
    def _compare_asked(self) -> None:
        self.ask(self.compare)

    def rerun_queries(self) -> None:
        self.ask(self.calc)
        self.ask(self.compare)

    # -- actions -----------------------------------------------------------------------------
    def action_pane(self, pane_id: str) -> None:
        self.main.show_pane(pane_id)

    def action_maximize(self) -> None:
        self.main.toggle_maximize()

    def action_leave_input(self) -> None:
        if self.main.maximized is not None:
            self.main.minimize()
        else:
            self.main.leave_input()

    def action_train(self, corpus: str | None = None) -> None:
        def train(specs: list[str] | None) -> None:
            for spec in specs or []:
                self.select(spec, True)

        self.push_screen(TrainScreen(self.catalogue.corpora, corpus), train)

    def action_load(self) -> None:
        def load(request: LoadRequest | None) -> None:
            if request is not None:
                self.selected += [request.name] if request.name not in self.selected else []
                self.open_model(request.path, request.options, request.name)

        self.push_screen(LoadScreen(), load)

    def action_cancel(self, job_id: int | None = None) -> None:
        here = self.models_pane.highlighted
        jobs = [j for j in self.jobs.values() if job_id in (None, j.job_id)]
        job = next((j for j in jobs if j.name == here), jobs[-1] if jobs else None)
        if job is None:
            self.notify("no job is running")
            return
        job.cancel()
        self.notify(f"cancelling {job.name}…")

    def action_export(self, every: bool = False) -> None:
        panes = [self.main.pane(p) for p in PANE_ORDER] if every else [self.main.current_pane()]
        try:
            path = export_panes(panes, every, self.export_dir)
        except OSError as exc:
            self.notify(f"could not write the export: {exc.strerror or exc}", severity="error")
            return
        if path is None:
            self.notify("nothing to export yet: ask a question first", severity="warning")
        else:
            self.notify(f"wrote {path}", title="Export")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Train", "Train word2vec models", self.action_train)
        yield SystemCommand("Load", "Load a vector file by path", self.action_load)
        yield SystemCommand("Export", "Write the focused pane to markdown", self.action_export)
        yield SystemCommand("Export all", "Write every pane to one markdown file",
                            lambda: self.action_export(True))
        for job in self.jobs.values():
            yield SystemCommand(f"Cancel {job.name}", f"Stop the {job.kind} job of {job.name}",
                                lambda j=job.job_id: self.action_cancel(j))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:  # a bug: say so, keep running
            self.push_screen(MessageScreen("Something went wrong", f"{event.worker.name} "
                                           f"stopped: {event.worker.error!r}. The explorer "
                                           "keeps running; please report this."))


def run_app(theme: str | None = None, cache_dir: str | None = None) -> int:
    """Start the explorer (called by `polyterm` with no command in a terminal)."""
    PolytermApp(theme=theme, cache_dir=cache_dir).run()
    return 0
