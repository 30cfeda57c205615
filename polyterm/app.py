"""The explorer: `polyterm` with no command. Config, themes, bindings, start-up, actions.

Layers below it: `Workspace` (widgets/workspace.py: models, selection, jobs) and `Asking`
(widgets/asking.py: the panes' questions in workers, export); the bodies of background
work are in widgets/jobs.py and widgets/trainer.py.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from polyterm.core.embedding import Embedding
from polyterm.engine.cache import open_cache
from polyterm.engine.models import ModelLibrary
from polyterm.engine.settings import cache_dir, config_dir
from polyterm.errors import PolytermError
from polyterm.messages import CatalogueReady
from polyterm.safe_text import visible
from polyterm.screens.load import LoadRequest, LoadScreen
from polyterm.screens.main import PANE_ORDER, MainScreen
from polyterm.screens.message import MessageScreen
from polyterm.screens.train import TrainScreen
from polyterm.session import Session, load_session, save_session
from polyterm.theming import install_themes
from polyterm.views.model_summary import ModelSummary
from polyterm.widgets.asking import Asking
from polyterm.widgets.calculator_pane import CalculatorPane
from polyterm.widgets.catalogue import ModelsView, first_run_plan
from polyterm.widgets.comparison_pane import ComparisonPane
from polyterm.widgets.dimension_pane import DimensionPane
from polyterm.widgets.models_pane import ModelsPane
from polyterm.widgets.running import while_running
from polyterm.widgets.sweep_pane import SweepPane


def _b(key: str, action: str, text: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, text, id=f"app.{action.split('(')[0]}", tooltip=tip, show=show)


class PolytermApp(Asking):
    """Compare word-embedding models: five live panes, background work, markdown export."""

    TITLE = "polyterm"
    SUB_TITLE = "are polysemantic dimensions universal?"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        _b("1", "pane('models')", "Models", "Go to the Models pane", show=False),
        _b("2", "pane('dims')", "Dims", "Go to the Dimension browser", show=False),
        _b("3", "pane('calc')", "Calc", "Go to the word-difference calculator", show=False),
        _b("4", "pane('compare')", "Compare", "Go to the comparison pane", show=False),
        _b("5", "pane('sweep')", "Sweep", "Go to the dimension sweep", show=False),
        _b("t", "train", "Train", "Train word2vec models (a form)"),
        _b("o", "load", "Load", "Load a vector file by path"),
        _b(
            "x",
            "cancel",
            "Cancel",
            "Cancel this pane's computation, else the highlighted (or newest) running job",
        ),
        _b("e", "export", "Export", "Write the focused pane to a markdown file"),
        _b("E", "export(True)", "Export all", "Write every pane to one markdown file"),
        _b("f", "maximize", "Max", "Maximise the focused pane, or restore it"),
        _b("T", "change_theme", "Theme", "Choose a theme"),
        _b("escape", "leave_input", "Back", "Leave the text box or the maximised pane", False),
    ]

    def __init__(
        self,
        *,
        theme: str | None = None,
        cache_dir: str | Path | None = None,
        models: Sequence[Embedding] = (),
        startup: bool = True,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__(models, export_dir)
        self.requested_theme = theme
        self.cache_override = cache_dir
        self.startup = startup  # restore the session or make the first-run models
        self._started = False

    # -- start-up ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.theme = install_themes(self, self.requested_theme)
        try:
            # An unusable cache folder falls back to a temporary cache, with a warning.
            cache = open_cache(cache_dir(self.cache_override), warn=self.warn_from_thread)
            self.library = ModelLibrary(cache, warn=self.warn_from_thread)
        except PolytermError as exc:
            self.notify(str(exc), title="Cache", severity="error", timeout=20)

    def on_unmount(self) -> None:
        gc.unfreeze()

    @on(MainScreen.Ready)
    def _main_ready(self) -> None:
        gc.freeze()  # long-lived objects: keep the collector's full passes short
        self.selection_changed(save=False)
        self.main.show_pane("models")
        if self.library is not None:
            self.scan(self.library)

    @while_running
    def on_catalogue_ready(self, message: CatalogueReady) -> None:
        gc.freeze()  # the scan imported the engine's readers: long-lived too
        self.catalogue = message.catalogue
        self.refresh_models()
        if self._started or not self.startup:
            return
        self._started = True
        session = load_session(config_dir(), warn=self.warn_from_thread)
        if session is not None:
            for name in session.selected:
                self.select(name, True)
        elif not message.catalogue.cached:  # a first run: the original study's pair
            names, note = first_run_plan(message.catalogue)
            self.models_pane.set_note(note)
            self.first_run_jobs = set(names)
            for name in names:
                self.select(name, True)

    # -- panes ------------------------------------------------------------------------------
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
        if not self.main.query(ModelsPane) or not self.main.query(DimensionPane):
            return  # not composed yet, or shutting down
        self.models_pane.show(
            ModelsView(
                self.catalogue,
                tuple(ModelSummary.of(m) for m in self.models.values()),
                tuple(self.selected),
                tuple(j.state for j in self.jobs.values()),
            )
        )
        self.browse(focus)

    def browse(self, focus: str | None) -> None:
        """Tell the Dimensions pane the loaded models, browsing `focus` if given."""
        self.dims_pane.set_models({n: m.dims for n, m in self.models.items()}, focus)

    def jobs_progressed(self) -> None:
        if self.main.query(ModelsPane):
            self.models_pane.update_jobs(tuple(j.state for j in self.jobs.values()))

    def jobs_done(self) -> None:
        if self.main.query(ModelsPane):
            self.models_pane.set_note("")

    def selection_changed(self, save: bool = True) -> None:
        self.refresh_models()
        if not self.main.query(ModelsPane):
            return
        for pane_id in PANE_ORDER:
            self.main.pane(pane_id).models_changed(self.models, self.chosen())
        if save:
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
            self.browse(message.name)
            self.main.show_pane("dims")
        else:
            self.select(message.name, True)

    @on(ModelsPane.Highlighted)
    @while_running
    def _highlighted(self, message: ModelsPane.Highlighted) -> None:
        if message.name in self.models:
            self.browse(message.name)

    @on(ModelsPane.RemoveRequested)
    def _remove_requested(self, message: ModelsPane.RemoveRequested) -> None:
        self.remove_model(message.name)

    # -- what the panes follow ---------------------------------------------------------------
    @on(DimensionPane.Changed)
    def _dims_changed(self, message: DimensionPane.Changed) -> None:
        self.ask(self.dims_pane)
        p = message.params
        if not p.repeats and p.model in self.models:
            self.compare.follow_dimension(p.dim, p.k, p.restrict, p.scale, p.model)
            self.ask(self.compare)  # only computed once the pane is in sight

    @on(CalculatorPane.Submitted)
    def _calc_submitted(self, message: CalculatorPane.Submitted) -> None:
        self.compare.follow_expression(message.text, message.convention, message.include_query)
        self.rerun_queries()

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
                self.refresh_models()

        self.push_screen(LoadScreen(), load)

    def action_align(self) -> None:
        self.main.show_pane("compare")
        self.compare.request_alignment()

    def action_sweep(self) -> None:
        pane = self.main.show_pane("sweep")
        assert isinstance(pane, SweepPane)
        pane.action_run()

    def action_cancel(self, job_id: int | None = None) -> None:
        """This pane's computation, else a job, else any pane's computation."""
        views = self.view_workers()
        mine = [w for w in views if w.group == f"view-{self.main.current_pane().PANE_ID}"]
        if job_id is None and (mine or (views and not self.jobs)):
            for worker in mine or views:
                worker.cancel()
                self.stop_waiting(worker.group.removeprefix("view-"))
            self.notify("cancelling the computation…")
            return
        self.cancel_job(job_id, self.models_pane.highlighted)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Train", "Train word2vec models", self.action_train)
        yield SystemCommand("Load", "Load a vector file by path", self.action_load)
        yield SystemCommand(
            "Align selected models",
            "Match, align and compare the first two selected models (Compare pane)",
            self.action_align,
        )
        yield SystemCommand(
            "Sweep", "Sweep statistics over the models of one corpus", self.action_sweep
        )
        yield SystemCommand("Export", "Write the focused pane to markdown", self.action_export)
        yield SystemCommand(
            "Export all", "Write every pane to one markdown file", lambda: self.action_export(True)
        )
        for job in self.jobs.values():
            name = escape(visible(job.name))  # the palette parses its titles as markup
            yield SystemCommand(
                f"Cancel {name}",
                f"Stop the {job.kind} job of {name}",
                lambda j=job.job_id: self.action_cancel(j),
            )

    @while_running
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:  # a bug: say so, keep running
            self.push_screen(
                MessageScreen(
                    "Something went wrong",
                    f"{event.worker.name} "
                    f"stopped: {event.worker.error!r}. The explorer "
                    "keeps running; please report this.",
                )
            )


def run_app(theme: str | None = None, cache_dir: str | None = None) -> int:
    """Start the explorer (called by `polyterm` with no command in a terminal)."""
    PolytermApp(theme=theme, cache_dir=cache_dir).run()
    return 0
