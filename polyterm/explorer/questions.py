"""The panes' questions: each pane's newest question is computed in its own worker group.

`Questions` is a plain object the app holds beside its `Workspace` (models and jobs). A
pane out of sight is only marked stale and asked again once its tab is shown, so browsing
one pane never recomputes the others; long questions report progress and stop when
cancelled. Export lives here too, as it may first bring stale panes up to date.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.worker import Worker, WorkerState, get_current_worker

from polyterm.explorer.export import export_panes
from polyterm.explorer.jobs import answer
from polyterm.explorer.workspace import Workspace
from polyterm.messages import ViewFailed, ViewProgress, ViewReady
from polyterm.screens.main import MainScreen
from polyterm.widgets.pane import Pane, Question


class Questions:
    """Runs the panes' questions and shows their answers (newest only) or problems."""

    def __init__(
        self, app: App[Any], workspace: Workspace, main: MainScreen, export_dir: Path | None
    ) -> None:
        self.app = app
        self.workspace = workspace
        self.main = main
        self.export_dir = export_dir
        self.tokens: dict[str, int] = {}  # the newest question of each pane
        self.answered: dict[str, int] = {}  # the newest answer shown by each pane
        self.pending_export: tuple[bool, list[Pane]] | None = None

    def ask(self, pane: Pane, force: bool = False) -> bool:
        """Compute the pane's question in a worker; a pane out of sight waits until shown."""
        if not force and not self.main.shows(pane):
            pane.stale = True
            return False
        pane.stale = False
        question = pane.question(self.workspace.models, self.workspace.chosen())
        if question is None:
            return False
        pane_id = pane.PANE_ID
        token = self.tokens[pane_id] = self.tokens.get(pane_id, 0) + 1
        self.app.run_worker(
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
        answer(self.app.post_message, pane_id, token, question, lambda: worker.is_cancelled)

    def view_workers(self, pane_id: str = "") -> list[Worker[Any]]:
        """The running (or starting) questions of one pane, or of every pane."""
        return [
            w
            for w in self.app.workers
            if w.group.startswith(f"view-{pane_id}")
            and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]

    def progress(self, message: ViewProgress) -> None:
        if message.token == self.tokens.get(message.pane):
            self.main.pane(message.pane).work_progress(message.fraction)

    def ready(self, message: ViewReady) -> None:
        if message.token == self.tokens.get(message.pane):
            self.answered[message.pane] = message.token
            self.main.pane(message.pane).show(message.view)
            self._export_when_ready()

    def failed(self, message: ViewFailed) -> None:
        if message.token == self.tokens.get(message.pane):
            self.answered[message.pane] = message.token
            pane = self.main.pane(message.pane)
            pane.work_stopped(cancelled=message.cancelled)
            if not message.cancelled:
                pane.show_error(message.error, message.position)
            self._export_when_ready()

    def shown(self, pane_id: str) -> None:
        """A tab was shown: ask its pane again if its inputs changed meanwhile."""
        pane = self.main.pane(pane_id)
        if pane.stale:
            self.ask(pane)

    # -- export -----------------------------------------------------------------------------
    def export(self, every: bool = False) -> None:
        """Write the focused pane (or every pane) to a new markdown file."""
        main = self.main
        panes = [main.pane(p) for p in main.pane_ids] if every else [main.current_pane()]
        if [p for p in panes if p.stale and self.ask(p, force=True)]:
            self.pending_export = (every, panes)  # written when their answers are in
            self.app.notify("bringing the panes up to date before the export…")
            return
        try:
            path = export_panes(panes, every, self.export_dir)
        except OSError as exc:
            self.app.notify(f"could not write the export: {exc.strerror or exc}", severity="error")
            return
        if path is None:
            self.app.notify("nothing to export yet: ask a question first", severity="warning")
        else:
            self.app.notify(f"wrote {path.name} in {path.parent}", title="Export")

    def _export_when_ready(self) -> None:
        pending = self.pending_export
        if pending is not None and all(
            self.answered.get(p.PANE_ID) == self.tokens.get(p.PANE_ID) for p in pending[1]
        ):
            self.pending_export = None
            self.export(pending[0])
