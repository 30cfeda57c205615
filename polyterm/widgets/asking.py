"""The panes' questions: each pane's newest question is computed in its own worker group.

`Asking` sits between `Workspace` (models and jobs) and `PolytermApp` (bindings and
actions). A pane out of sight is only marked stale and asked again once its tab is shown,
so browsing one pane never recomputes the others; long questions report progress and stop
when cancelled. Export lives here too, as it may first bring stale panes up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from textual import on
from textual.screen import Screen
from textual.widgets import TabbedContent
from textual.worker import Worker, WorkerState, get_current_worker

from polyterm.core.embedding import Embedding
from polyterm.messages import ViewFailed, ViewProgress, ViewReady
from polyterm.screens.main import PANE_ORDER, MainScreen
from polyterm.widgets.export import export_panes
from polyterm.widgets.jobs import answer
from polyterm.widgets.pane import Pane, Question
from polyterm.widgets.running import while_running
from polyterm.widgets.workspace import Workspace


class Asking(Workspace):
    """Runs the panes' questions and shows their answers (newest only) or problems."""

    def __init__(self, models: Sequence[Embedding] = (), export_dir: Path | None = None) -> None:
        super().__init__(models)
        self.export_dir = export_dir
        self.main = MainScreen()
        self.tokens: dict[str, int] = {}  # the newest question of each pane
        self.answered: dict[str, int] = {}  # the newest answer shown by each pane
        self.pending_export: tuple[bool, list[Pane]] | None = None

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    def ask(self, pane: Pane, force: bool = False) -> bool:
        """Compute the pane's question in a worker; a pane out of sight waits until shown."""
        if not force and not self.main.shows(pane):
            pane.stale = True
            return False
        pane.stale = False
        question = pane.question(self.models, self.chosen())
        if question is None:
            return False
        pane_id = pane.PANE_ID
        token = self.tokens[pane_id] = self.tokens.get(pane_id, 0) + 1
        self.run_worker(
            partial(self._answer, pane_id, token, question),
            name=f"view {pane_id}",
            group=f"view-{pane_id}",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )
        pane.work_started()
        return True

    def stop_waiting(self, pane_id: str) -> None:
        """The pane's question was cancelled: show that now. A worker cancelled before its
        thread began never answers, and one that did begin answers with an old token,
        which is dropped."""
        token = self.tokens[pane_id] = self.tokens.get(pane_id, 0) + 1
        self.answered[pane_id] = token
        self.main.pane(pane_id).work_stopped(cancelled=True)
        self._export_when_ready()

    def _answer(self, pane_id: str, token: int, question: Question) -> None:
        worker = get_current_worker()
        answer(self.post_message, pane_id, token, question, lambda: worker.is_cancelled)

    def view_workers(self, pane_id: str = "") -> list[Worker[Any]]:
        """The running (or starting) questions of one pane, or of every pane."""
        return [
            w
            for w in self.workers
            if w.group.startswith(f"view-{pane_id}")
            and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]

    @while_running
    def on_view_progress(self, message: ViewProgress) -> None:
        if message.token == self.tokens.get(message.pane):
            self.main.pane(message.pane).work_progress(message.fraction)

    @while_running
    def on_view_ready(self, message: ViewReady) -> None:
        if message.token == self.tokens.get(message.pane):
            self.answered[message.pane] = message.token
            self.main.pane(message.pane).show(message.view)  # type: ignore[attr-defined]
            self._export_when_ready()

    @while_running
    def on_view_failed(self, message: ViewFailed) -> None:
        if message.token == self.tokens.get(message.pane):
            self.answered[message.pane] = message.token
            pane = self.main.pane(message.pane)
            pane.work_stopped(cancelled=message.cancelled)
            if not message.cancelled:
                pane.show_error(message.error, message.position)
            self._export_when_ready()

    @on(TabbedContent.TabActivated)
    @while_running
    def _tab_activated(self, message: TabbedContent.TabActivated) -> None:
        pane = self.main.pane(str(message.pane.id).removeprefix("tab-"))
        if pane.stale:
            self.ask(pane)

    @on(Pane.Asked)
    @while_running
    def _pane_asked(self, message: Pane.Asked) -> None:
        self.ask(message.pane)

    # -- export -----------------------------------------------------------------------------
    def action_export(self, every: bool = False) -> None:
        """Write the focused pane (or every pane) to a new markdown file."""
        panes = [self.main.pane(p) for p in PANE_ORDER] if every else [self.main.current_pane()]
        if [p for p in panes if p.stale and self.ask(p, force=True)]:
            self.pending_export = (every, panes)  # written when their answers are in
            self.notify("bringing the panes up to date before the export…")
            return
        try:
            path = export_panes(panes, every, self.export_dir)
        except OSError as exc:
            self.notify(f"could not write the export: {exc.strerror or exc}", severity="error")
            return
        if path is None:
            self.notify("nothing to export yet: ask a question first", severity="warning")
        else:
            self.notify(f"wrote {path}", title="Export")

    def _export_when_ready(self) -> None:
        pending = self.pending_export
        if pending is not None and all(
            self.answered.get(p.PANE_ID) == self.tokens.get(p.PANE_ID) for p in pending[1]
        ):
            self.pending_export = None
            self.action_export(pending[0])
