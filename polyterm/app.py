"""The explorer: `polyterm` with no command. Config, themes, bindings, start-up, actions.

The app holds two plain objects (polyterm.explorer): a `Workspace` (models, selection,
jobs) and `Questions` (the panes' questions in workers, export); the bodies of background
work are in explorer/jobs.py and explorer/trainer.py. The app turns keys and messages
into calls on them and is told of their changes through the `WorkspaceHost` hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingsMap, BindingType
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input, TabbedContent
from textual.worker import Worker, WorkerState

from polyterm.core.embedding import Embedding
from polyterm.engine.cache import open_cache
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.settings import cache_dir, config_dir, config_file
from polyterm.engine.specs import FileSpec
from polyterm.errors import PolytermError
from polyterm.explorer.basis_fits import BasisFits
from polyterm.explorer.catalogue import first_run_plan, study_pair_cached
from polyterm.explorer.export import write_export
from polyterm.explorer.keymap import read_keymap
from polyterm.explorer.palette import ExplorerCommands, PaletteCommand
from polyterm.explorer.questions import Questions
from polyterm.explorer.running import while_running
from polyterm.explorer.services import Services
from polyterm.explorer.workspace import Workspace
from polyterm.messages import (
    BasisFailed,
    BasisProgress,
    BasisReady,
    CatalogueReady,
    JobFailed,
    JobFinished,
    JobProgress,
    StabilityReady,
    ViewFailed,
    ViewProgress,
    ViewReady,
    Warned,
)
from polyterm.safe_text import visible
from polyterm.screens.confirm import ConfirmScreen
from polyterm.screens.help import HelpScreen, key_sections
from polyterm.screens.load import LoadRequest, LoadScreen
from polyterm.screens.main import MainScreen
from polyterm.screens.message import MessageScreen
from polyterm.screens.panes import PANES, PaneClass, check_panes
from polyterm.screens.train import TrainScreen
from polyterm.session import FileModel, Session, load_session, save_session
from polyterm.theming import install_themes
from polyterm.views.model_summary import ModelSummary
from polyterm.widgets.calculator_pane import CalculatorPane
from polyterm.widgets.catalogue import ModelsView
from polyterm.widgets.comparison_pane import ComparisonPane
from polyterm.widgets.dimension_pane import DimensionPane, StabilityNote
from polyterm.widgets.models_pane import ModelsPane
from polyterm.widgets.pane import Pane, PaneId
from polyterm.widgets.sweep_pane import SweepPane


def _b(
    key: str,
    action: str,
    text: str,
    tip: str,
    show: bool = True,
    *,
    priority: bool = False,
    key_display: str | None = None,
    id: str | None = None,
) -> Binding:
    """An app key; its id (`app.<action>` unless given) is what `[keymap]` in config.toml
    names to move it."""
    return Binding(
        key,
        action,
        text,
        id=id or f"app.{action.split('(')[0]}",
        tooltip=tip,
        show=show,
        priority=priority,
        key_display=key_display,
    )


# alt+1 … alt+9 reach Textual as these characters in most terminals (tmux, xterm: Textual
# reads ESC 1 as the option-1 character "¡"). A binding to a printable character is dropped
# while a text box has the focus, so `PolytermApp.on_event` maps them to the panes.
ALT_DIGITS = (
    "inverted_exclamation_mark",
    "trade_mark_sign",
    "pound_sign",
    "cent_sign",
    "infinity",
    "section_sign",
    "pilcrow_sign",
    "bullet",
    "ª",
)


def panes_summary(panes: Sequence[PaneClass]) -> Binding:
    """The footer's one entry for the pane keys (a system binding: the list of keys shows
    each pane's own keys instead)."""
    last = max(p.NUMBER for p in panes)
    return Binding(
        "alt+1",
        f"pane('{panes[0].PANE_ID}')",
        "Pane",
        key_display=f"alt+1…{last}",
        priority=True,
        system=True,
        id="app.panes",
        tooltip=f"Go to a pane: alt+1 … alt+{last}, also from inside a text box",
    )


def pane_bindings(panes: Sequence[PaneClass]) -> list[BindingType]:
    """N outside text boxes; alt+N everywhere (priority: checked before a text box takes
    the key), for each pane's NUMBER N. Ids `app.pane.<id>` and `app.pane.<id>.alt`."""
    out: list[BindingType] = []
    for pane in panes:
        n, action, tip = pane.NUMBER, f"pane('{pane.PANE_ID}')", pane.TIP or pane.LABEL
        out.append(_b(str(n), action, pane.LABEL, tip, show=False, id=f"app.pane.{pane.PANE_ID}"))
        alt = _b(
            f"alt+{n}",
            action,
            pane.LABEL,
            f"{tip} (also from inside a text box)",
            show=False,
            priority=True,
            key_display=f"alt+{n}",
            id=f"app.pane.{pane.PANE_ID}.alt",
        )
        out.append(alt)
    return out


def app_bindings(panes: Sequence[PaneClass]) -> list[BindingType]:
    """The explorer's global keys for these panes. Footer order: the keys a newcomer needs
    first come first, so a narrow footer cuts the rarer ones."""
    return [
        _b(
            "escape",
            "leave_input",
            "Back",
            "Leave the text box or the maximised pane",
            key_display="esc",
        ),
        _b("e", "export", "Export", "Write the focused pane to a markdown file"),
        _b(
            "alt+e",
            "export",
            "Export",
            "Write the focused pane to a markdown file (also from a text box)",
            show=True,  # the footer shows it only where the plain key is typed
            priority=True,
            id="app.export.alt",
        ),
        _b(
            "E", "export(True)", "All", "Write every pane to one markdown file", id="app.export-all"
        ),
        _b(
            "alt+shift+e",
            "export(True)",
            "All",
            "Write every pane to one markdown file (also from a text box)",
            show=True,  # the footer shows it only where the plain key is typed
            priority=True,
            key_display="alt+E",
            id="app.export-all.alt",
        ),
        _b("f", "maximize", "Max", "Maximise the focused pane, or restore it"),
        _b("T", "change_theme", "Theme", "Choose a theme"),
        _b("question_mark,f1", "help", "Help", "List every key of this pane"),
        panes_summary(panes),
        _b("t", "train", "Train", "Train word2vec models (a form)"),
        _b("o", "load", "Load", "Load a vector file by path"),
        _b(
            "x",
            "cancel",
            "Cancel",
            "Cancel this pane's computation, else the highlighted (or newest) running job",
        ),
        _b("q", "quit", "Quit", "Quit (ctrl+q from a text box); asks first while a job runs"),
        _b(
            "ctrl+b",
            "toggle_sidebar",
            "Sidebar",
            "Hide or show the Models sidebar (room for the other panes)",
            show=False,
            priority=True,
        ),
        *pane_bindings(panes),
    ]


_NO_SIGNALS = (ValueError, RuntimeError, NotImplementedError)
"""What `loop.add_signal_handler` raises where signals cannot be handled (not the main
thread, a platform without them): the explorer then runs without its SIGTERM handler."""


class PolytermApp(App[int]):
    """Compare word-embedding models: five live panes, background work, markdown export."""

    TITLE = "polyterm"
    COMMANDS = App.COMMANDS | {ExplorerCommands}  # Textual's system commands, then ours
    SUB_TITLE = "are polysemantic dimensions universal?"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = app_bindings(PANES)

    def __init__(
        self,
        *,
        theme: str | None = None,
        cache_dir: str | Path | None = None,
        models: Sequence[Embedding] = (),
        startup: bool = True,
        export_dir: Path | None = None,
        panes: tuple[PaneClass, ...] = PANES,
        keymap_file: Path | None = None,
        seed_floor: bool = True,
    ) -> None:
        super().__init__()
        self.panes = check_panes(panes)
        if self.panes != PANES:  # the keys of these panes, not of the registry's
            keys = dict(App._merged_bindings.key_to_bindings if App._merged_bindings else {})
            keys.update(BindingsMap(app_bindings(self.panes)).key_to_bindings)
            self._bindings = BindingsMap.from_keys(keys)
        self.workspace = Workspace(self, self, models)
        self.bases = BasisFits(self, self.workspace.basis_store)
        # given to every pane; `seed_floor` False: the Compare summary trains no partner
        self.services = Services(self.workspace, self.bases, seed_floor=seed_floor)
        self.main = MainScreen(self.panes, self.services)
        self.questions = Questions(self, self.workspace, self.main, export_dir)
        self.services.questions = self.questions
        self.requested_theme = theme
        self.cache_override = cache_dir
        self.startup = startup  # restore the session or make the first-run models
        self.keymap_file = keymap_file  # else config.toml's [keymap], when `startup`
        self._started = False
        self.session: Session | None = None  # as read at start-up (when `startup`)
        self.files: dict[str, FileModel] = {}  # models opened from vector files, by name
        self._saved_theme: str | None = None
        self.exit_on_sigterm = False  # run_app: SIGTERM ends the app as `q` would
        self.terminated = False  # it did (run_app returns 143)

    def get_default_screen(self) -> Screen[Any]:
        return self.main

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

    def own_bindings(self) -> list[Binding]:
        """The app's keys for its panes (read by the help screen)."""
        return list(Binding.make_bindings(app_bindings(self.panes)))

    async def on_event(self, event: events.Event) -> None:
        """alt+1…9 as terminals send them (see `ALT_DIGITS`: Textual reads ESC 4 as "¢"):
        the pane, even from a text box. The price: ¡ ™ £ ¢ ∞ § ¶ • ª cannot be typed there
        as keys (they are indistinguishable from alt+1…9); pasting them works."""
        if isinstance(event, events.Key) and event.key in ALT_DIGITS:
            number = ALT_DIGITS.index(event.key) + 1
            pane = next((p for p in self.panes if number == p.NUMBER), None)
            if pane is not None and self.screen is self.main:
                event.stop()
                event.prevent_default()
                self.action_pane(pane.PANE_ID)
                return
        await super().on_event(event)

    # -- start-up ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.exit_on_sigterm:
            self._install_sigterm()
        warn = self.workspace.warn_from_thread
        if self.startup:
            self.session = load_session(config_dir(), warn=warn)
        theme = install_themes(self, self.requested_theme)
        kept = self.session.theme if self.session is not None else None
        if self.requested_theme is None and kept in self.available_themes:
            theme = str(kept)  # the theme chosen last time; --theme wins
        self.theme = self._saved_theme = theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        try:
            # An unusable cache folder falls back to a temporary cache, with a warning.
            cache = open_cache(cache_dir(self.cache_override), warn=warn)
            self.workspace.library = ModelLibrary(cache, warn=warn)
        except PolytermError as exc:
            self.notify(str(exc), title="Cache", severity="error", timeout=20)

    def on_unmount(self) -> None:
        gc.unfreeze()
        if self.exit_on_sigterm:
            with contextlib.suppress(*_NO_SIGNALS):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)

    def _install_sigterm(self) -> None:
        """SIGTERM (`kill <pid>`, a closing terminal emulator, systemd) exits like `q` does
        without asking: Textual's exit leaves the alternate screen, turns mouse reporting off
        and restores the terminal's modes, which the default action (die at once) never did.
        The handler is the event loop's (a wake-up fd), so it runs between messages."""
        with contextlib.suppress(*_NO_SIGNALS):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._sigterm)

    def _sigterm(self) -> None:
        self.terminated = True
        self.exit(143)

    @on(MainScreen.Ready)
    def _main_ready(self) -> None:
        gc.freeze()  # long-lived objects: keep the collector's full passes short
        self.apply_user_keymap()
        self.selection_changed(save=False)
        self.main.show_pane(PaneId.MODELS)
        self.workspace.scan()

    def binding_ids(self) -> set[str]:
        """Every binding id of the app, its main screen and the widgets on it."""
        nodes = [self, self.main, *self.main.walk_children()]
        return {b.id for node in nodes for _, b in node._bindings if b.id}

    def apply_user_keymap(self) -> None:
        """The `[keymap]` of config.toml (`polyterm.explorer.keymap`), problems said once."""
        if not self.startup and self.keymap_file is None:
            return
        path = self.keymap_file or config_file()
        keymap, problems = read_keymap(path, self.binding_ids())
        for problem in problems:
            self.notify(problem, title="Keymap", severity="warning", timeout=15)
        if keymap:
            self.set_keymap(keymap)

    @while_running
    def on_catalogue_ready(self, message: CatalogueReady) -> None:
        gc.freeze()  # the scan imported the engine's readers: long-lived too
        self.workspace.catalogue = message.catalogue
        self.refresh_models()
        for pane_id in self.main.pane_ids:
            self.main.pane(pane_id).catalogue_changed()
        if self._started or not self.startup:
            return
        self._started = True
        session = self.session
        if session is not None:
            self.files = {f.name: f for f in session.files}
            missing: list[str] = []
            for name in session.selected:
                file = self.files.get(name)
                if file is None:
                    self.workspace.select(name, True)
                elif Path(file.path).expanduser().is_file():
                    self.reopen(file)
                else:
                    missing.append(f"{name} ({file.path})")
                    del self.files[name]
            if missing:
                self.notify(
                    "not reopened, the file is gone: " + ", ".join(missing),
                    title="Session",
                    severity="warning",
                    timeout=15,
                )
                self.save_session()
        elif not message.catalogue.cached:  # a first run: the original study's pair
            names, note = first_run_plan(message.catalogue)
            self.models_pane.set_note(note)
            self.workspace.first_run_jobs = set(names)
            for name in names:
                self.workspace.select(name, True)
        else:  # no session, models cached (e.g. trained with the CLI): open the study's pair
            for name in study_pair_cached(message.catalogue):
                self.workspace.select(name, True)

    # -- background work's messages ----------------------------------------------------------
    @while_running
    def on_job_progress(self, message: JobProgress) -> None:
        self.workspace.job_progress(message)

    @while_running
    def on_job_finished(self, message: JobFinished) -> None:
        self.workspace.job_finished(message)

    @while_running
    def on_job_failed(self, message: JobFailed) -> None:
        self.workspace.job_failed(message)

    @while_running
    def on_warned(self, message: Warned) -> None:
        self.notify(message.text, severity="warning")

    @while_running
    def on_view_progress(self, message: ViewProgress) -> None:
        self.questions.progress(message)

    @while_running
    def on_view_ready(self, message: ViewReady) -> None:
        self.questions.ready(message)

    @while_running
    def on_view_failed(self, message: ViewFailed) -> None:
        self.questions.failed(message)

    @while_running
    def on_basis_progress(self, message: BasisProgress) -> None:
        if message.pane == PaneId.DIMS:
            self.dims_pane.basis_progress(
                message.model, str(message.basis), message.fraction, message.stage
            )

    @while_running
    def on_basis_ready(self, message: BasisReady) -> None:
        if message.pane == PaneId.DIMS:
            self.dims_pane.basis_ready(message.source, str(message.basis), message.model)
        self.bases.stability(message.source, message.basis)

    @while_running
    def on_basis_failed(self, message: BasisFailed) -> None:
        pane = self.dims_pane
        basis = str(message.basis)
        if message.pane != PaneId.DIMS or pane.fitting != (message.model, basis):
            return  # replaced by a newer request, or cancelled already
        pane.basis_failed(message.model, basis, message.cancelled)
        if not message.cancelled:
            self.notify(message.error, title="Basis", severity="error", timeout=15)

    @while_running
    def on_stability_ready(self, message: StabilityReady) -> None:
        note = StabilityNote(message.source, message.index, message.threshold, message.error)
        self.dims_pane.stability_ready(note, str(message.basis))
        if message.error:
            self.notify(
                f"no stability index for {message.source.name} in {message.basis}: {message.error}",
                title="Basis",
                severity="warning",
            )

    @on(TabbedContent.TabActivated, "#tabs")
    @while_running
    def _tab_activated(self, message: TabbedContent.TabActivated) -> None:
        self.questions.shown(self.main.pane_of_tab(message.pane.id))

    @on(Pane.Asked)
    @while_running
    def _pane_asked(self, message: Pane.Asked) -> None:
        self.questions.ask(message.pane)

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

    # -- the workspace's hooks (WorkspaceHost) ------------------------------------------------
    def refresh_models(self, focus: str | None = None) -> None:
        if not self.main.query(ModelsPane) or not self.main.query(DimensionPane):
            return  # not composed yet, or shutting down
        ws = self.workspace
        self.models_pane.show(
            ModelsView(
                ws.catalogue,
                tuple(ModelSummary.of(m) for m in ws.models.values()),
                tuple(ws.selected),
                tuple(j.state for j in ws.jobs.values()),
            )
        )
        self.browse(focus)

    def browse(self, focus: str | None) -> None:
        """Tell the Dimensions pane the loaded models, browsing `focus` if given."""
        ws = self.workspace
        opening = [j.name for j in ws.jobs.values() if j.name in ws.selected]
        self.dims_pane.set_models({n: m.dims for n, m in ws.models.items()}, focus, opening)

    def jobs_progressed(self) -> None:
        if self.main.query(ModelsPane):
            self.models_pane.update_jobs(tuple(j.state for j in self.workspace.jobs.values()))

    def jobs_done(self) -> None:
        if self.main.query(ModelsPane):
            self.models_pane.set_note("")

    def selection_changed(self, save: bool = True) -> None:
        self.refresh_models()
        if not self.main.query(ModelsPane):
            return
        ws = self.workspace
        for pane_id in self.main.pane_ids:
            self.main.pane(pane_id).models_changed(ws.models, ws.chosen())
        if save:
            self.save_session()
        self.rerun_queries()

    def save_session(self) -> None:
        """Remember the selection and the theme for the next start."""
        selected = tuple(self.workspace.selected)
        if self.startup and not self._started and self.session is not None:
            selected = self.session.selected  # not restored yet: keep it
        files = tuple(self.files[n] for n in selected if n in self.files)
        try:
            save_session(config_dir(), Session(selected, self.theme, files))
        except OSError as exc:
            self.notify(f"could not save the session: {exc}", severity="warning")

    def _theme_changed(self, theme: Theme) -> None:
        """`T` or the palette chose a theme: keep it for the next start."""
        if theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self.save_session()

    def model_opened(self, name: str, spec: str, options: OpenOptions) -> None:
        """A job opened a model: one from a vector file (Load) is kept in the session with
        its path and options, so the next start reopens it."""
        if spec != name and self.workspace.library is not None:
            try:
                is_file = isinstance(self.workspace.library.spec(spec, options), FileSpec)
            except PolytermError:
                is_file = False
            if is_file:
                path = str(Path(spec).expanduser().resolve())
                self.files[name] = FileModel(name, path, options.limit, options.trusted)

    def reopen(self, file: FileModel) -> None:
        """Select and open a file model kept in the session."""
        ws = self.workspace
        if file.trusted:  # the file may have changed since it was trusted: never run it unasked
            self.notify(
                f"{file.name} is a pickle you trusted last time; open it again with Load (o) "
                "to trust it now",
                severity="warning",
            )
            self.files.pop(file.name, None)
            return
        if file.name not in ws.selected:
            ws.selected.append(file.name)
        ws.open_model(file.path, OpenOptions(file.limit), file.name)
        self.selection_changed()

    @on(ModelsPane.Selected)
    def _selected(self, message: ModelsPane.Selected) -> None:
        self.workspace.select(message.name)

    @on(ModelsPane.OpenRequested)
    def _open_requested(self, message: ModelsPane.OpenRequested) -> None:
        if message.name in self.workspace.models:
            self.browse(message.name)
            self.main.show_pane(PaneId.DIMS)
        else:
            self.workspace.select(message.name, True)

    @on(ModelsPane.Highlighted)
    @while_running
    def _highlighted(self, message: ModelsPane.Highlighted) -> None:
        if message.name in self.workspace.models:
            self.browse(message.name)

    @on(ModelsPane.RemoveRequested)
    def _remove_requested(self, message: ModelsPane.RemoveRequested) -> None:
        """Ask first (the pane says what); remove the cache entry only on yes."""
        name = message.name

        def answer(yes: bool | None) -> None:
            if yes:
                self.workspace.remove_model(name)

        self.push_screen(ConfirmScreen(message.title, message.question, message.yes), answer)

    # -- what the panes follow ---------------------------------------------------------------
    @on(DimensionPane.Changed)
    def _dims_changed(self, message: DimensionPane.Changed) -> None:
        self.questions.ask(self.dims_pane)
        p = message.params
        # the by-index comparison follows raw dimensions (a basis's axes are the model's own)
        if not p.repeats and p.basis == "raw" and p.model in self.workspace.models:
            self.compare.follow_dimension(p.dim, p.k, p.restrict, p.scale, p.model)
            self.questions.ask(self.compare)  # only computed once the pane is in sight

    @on(CalculatorPane.Submitted)
    def _calc_submitted(self, message: CalculatorPane.Submitted) -> None:
        self.compare.follow_expression(message.text, message.convention, message.include_query)
        self.rerun_queries()

    def rerun_queries(self) -> None:
        """Ask every pane that follows the selection again (a pane out of sight once it is
        shown); the Dimensions pane asks when what it browses changes."""
        for pane_id in self.main.pane_ids:
            pane = self.main.pane(pane_id)
            if pane.FOLLOWS_SELECTION:
                self.questions.ask(pane)

    # -- actions -----------------------------------------------------------------------------
    def action_pane(self, pane_id: str) -> None:
        self.main.show_pane(pane_id)

    def action_maximize(self) -> None:
        self.main.toggle_maximize()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`esc Back` is shown only where it does something: in a text box, a maximised
        pane or the keys panel."""
        if action == "leave_input":
            screen = self.screen
            return bool(
                isinstance(screen.focused, Input)
                or screen.maximized is not None
                or screen.query("HelpPanel")
            )
        return True

    def action_leave_input(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()  # the palette's "Keys" panel
        elif self.main.maximized is not None:
            self.main.minimize()
        else:
            self.main.leave_input()

    def action_help(self) -> None:
        """List every key of the focused pane and the global ones."""
        if isinstance(self.screen, HelpScreen):
            return
        pane = self.main.current_pane() if self.screen is self.main else None
        title = f"This pane: {pane.LABEL}" if pane is not None else "Here"
        self.push_screen(HelpScreen(key_sections(self, pane, title)))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Write an SVG of the screen into the export folder and say where."""
        name = filename or f"polyterm-screenshot-{time.strftime('%Y%m%d-%H%M%S')}.svg"
        try:
            folder = Path(path) if path else (self.questions.export_dir or Path.cwd())
        except FileNotFoundError:  # the folder polyterm started in was deleted meanwhile
            self.notify(
                "could not save the screenshot: the current folder no longer exists",
                severity="error",
            )
            return
        try:
            written = write_export(folder / name, self.export_screenshot())
        except OSError as exc:
            self.notify(f"could not save the screenshot: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"wrote {written}", title="Screenshot")

    def action_train(self, corpus: str | None = None) -> None:
        def train(specs: list[str] | None) -> None:
            for spec in specs or []:
                self.workspace.select(spec, True)

        cached = {c.name for c in self.workspace.catalogue.cached}
        self.push_screen(TrainScreen(self.workspace.catalogue.corpora, corpus, cached), train)

    def action_load(self) -> None:
        def load(request: LoadRequest | None) -> None:
            if request is not None:
                ws = self.workspace
                path = str(Path(request.path).expanduser().resolve())
                same = [f.name for f in self.files.values() if f.path == path]
                if same and same[0] in ws.models:
                    self.notify(f"{Path(path).name} is open already, as {same[0]}")
                    return
                name = ws.unique_name(request.name)  # never silently the cached namesake
                if name != request.name:
                    self.notify(f"{request.name} is taken: the file is opened as {name}")
                ws.selected.append(name)
                ws.open_model(request.path, request.options, name)
                self.refresh_models()

        self.push_screen(LoadScreen(), load)

    def action_align(self) -> None:
        self.main.show_pane(PaneId.COMPARE)
        self.compare.request_alignment()

    def action_sweep(self) -> None:
        pane = self.main.show_pane(PaneId.SWEEP)
        assert isinstance(pane, SweepPane)
        pane.action_run()

    def action_cancel(self, job_id: int | None = None) -> None:
        """This pane's computation, else a job, else any pane's computation."""
        pane_id = self.main.current_pane().PANE_ID
        if job_id is None and self.main.current_pane().cancel_work():
            self.notify("cancelling the computation…")
            return
        if job_id is None and self.bases.cancel(pane_id):
            fitting = self.dims_pane.fitting if pane_id == PaneId.DIMS else None
            if fitting is not None:  # said now: a fit cancelled before it began never ends
                self.dims_pane.basis_failed(*fitting, cancelled=True)
            self.notify("cancelling the basis fit…")
            return
        views = self.questions.view_workers()
        mine = [w for w in views if w.group == f"view-{pane_id}"]
        if job_id is None and (mine or (views and not self.workspace.jobs)):
            for worker in mine or views:
                worker.cancel()
                self.questions.stop_waiting(worker.group.removeprefix("view-"))
            self.notify("cancelling the computation…")
            return
        self.workspace.cancel_job(job_id, self.models_pane.highlighted)

    async def action_quit(self) -> None:
        """Quit, asking first while a job (a training, a load) runs: `q` typed by mistake
        (after esc left a text box) must not throw away a training."""
        jobs = [j.name for j in self.workspace.jobs.values()]
        if not jobs or isinstance(self.screen, ConfirmScreen):
            await super().action_quit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit()

        running = ", ".join(jobs[:3]) + (f" and {len(jobs) - 3} more" if len(jobs) > 3 else "")
        self.push_screen(
            ConfirmScreen(
                "Quit?",
                f"{len(jobs)} job{'s' if len(jobs) > 1 else ''} running ({running}): "
                "quitting stops them. Quit anyway?",
                "Quit",
            ),
            answer,
        )

    def action_toggle_sidebar(self) -> None:
        self.main.toggle_sidebar()

    def action_export(self, every: bool = False) -> None:
        """Write the focused pane (or every pane) to a new markdown file."""
        self.questions.export(every)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":  # Textual's writes to ~/Downloads, or fails
                yield SystemCommand(
                    "Screenshot",
                    "Save an SVG of the screen in the export folder",
                    lambda: self.set_timer(0.1, self.action_screenshot),
                )
            elif command.title == "Keys" and not screen.query("HelpPanel"):
                yield SystemCommand(
                    "Keys", "List every key of the focused pane (esc closes)", self.action_help
                )
            else:
                yield command

    def palette_commands(self) -> list[PaletteCommand]:
        """The explorer's own commands in the palette (`ExplorerCommands` offers them)."""
        out = [
            PaletteCommand("Train", "Train word2vec models", self.action_train),
            PaletteCommand("Load", "Load a vector file by path", self.action_load),
            PaletteCommand(
                "Align selected models",
                "Match, align and compare the first two selected models (Compare pane)",
                self.action_align,
            ),
            PaletteCommand(
                "Sweep", "Sweep statistics over the models of one corpus", self.action_sweep
            ),
            PaletteCommand("Export", "Write the focused pane to markdown", self.action_export),
            PaletteCommand(
                "Export all",
                "Write every pane to one markdown file",
                lambda: self.action_export(True),
            ),
        ]
        for job in self.workspace.jobs.values():
            name = escape(visible(job.name))  # the palette parses its titles as markup
            out.append(
                PaletteCommand(
                    f"Cancel {name}",
                    f"Stop the {job.kind} job of {name}",
                    partial(self.action_cancel, job.job_id),
                )
            )
        return out

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


def run_app(
    theme: str | None = None, cache_dir: str | None = None, *, seed_floor: bool = True
) -> int:
    """Start the explorer (called by `polyterm` with no command in a terminal);
    `seed_floor` False: `polyterm --no-seed-floor`."""
    app = PolytermApp(theme=theme, cache_dir=cache_dir, seed_floor=seed_floor)
    app.exit_on_sigterm = True
    app.run()
    return 128 + signal.SIGTERM if app.terminated else 0
