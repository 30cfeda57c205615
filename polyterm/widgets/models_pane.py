"""Pane 1, Models: loaded, cached and available models, running jobs, selection."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from polyterm.safe_text import visible
from polyterm.screens.confirm import ConfirmScreen
from polyterm.widgets.catalogue import JobState, ModelsView
from polyterm.widgets.pane import Pane, plain, theme_colour


class JobList(Widget):
    """The running jobs, two lines each: what and how far (epoch · words/s · ETA), and a bar.

    One widget drawn as text, not a widget per job: progress arrives several times a
    second per job, and new text of the same height only repaints this widget, while
    mounting, removing or resizing widgets relays out the whole screen (the longest
    event-loop stalls while a sweep trains, benchmark line 10).
    """

    def __init__(self) -> None:
        super().__init__(id="job-list")
        self.jobs: tuple[JobState, ...] = ()

    def show(self, jobs: tuple[JobState, ...]) -> None:
        resized = len(jobs) != len(self.jobs)
        self.jobs = jobs
        self.refresh(layout=resized)

    def render(self) -> Text:
        done = theme_colour(self.app, "primary", "blue")
        todo = theme_colour(self.app, "panel-lighten-2", "grey37")
        width = max(1, self.size.width)
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, job in enumerate(self.jobs):
            verb = "training" if job.kind == "train" else "opening"
            fraction = max(0.0, min(1.0, job.progress.fraction if job.progress else 0.0))
            filled = round(fraction * width)
            if i:
                out.append("\n")
            out.append(f"{verb} {visible(job.spec)}", "bold")
            out.append(f"  {visible(job.line)}\n")
            out.append("━" * filled, done)
            out.append("━" * (width - filled), todo)
        return out


class ModelsPane(Pane):
    """Every model the user can use; space marks the models compared side by side."""

    PANE_ID = "models"
    TITLE = "1 Models"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_select",
            "Select",
            id="models.select",
            tooltip="Mark or unmark the highlighted model for the side-by-side panes",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="models.open",
            tooltip="Open the highlighted model (train it first if needed)",
        ),
        Binding(
            "delete",
            "remove",
            "Remove",
            id="models.remove",
            tooltip="Remove the highlighted model from the cache (asks first)",
        ),
    ]

    class Selected(Message):
        """The user toggled a model's part in the side-by-side panes."""

        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    class OpenRequested(Message):
        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    class RemoveRequested(Message):
        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    class Highlighted(Message):
        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Static("", id="models-note", classes="note hidden")
        table: DataTable[Text | str] = DataTable(
            id="models-table", cursor_type="row", zebra_stripes=True
        )
        for label, key in (
            ("", "mark"),
            ("model", "model"),
            ("state", "state"),
            ("dims", "dims"),
            ("words", "words"),
            ("MB", "mb"),
        ):
            table.add_column(label, key=key)
        yield table
        with Vertical(id="jobs", classes="hidden"):
            yield JobList()

    def main_widget(self) -> Widget:
        return self.query_one("#models-table", DataTable)

    @property
    def highlighted(self) -> str | None:
        table = self.query_one("#models-table", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    def set_note(self, text: str) -> None:
        note = self.query_one("#models-note", Static)
        note.update(plain(text))
        note.set_class(not text, "hidden")

    def show(self, view: ModelsView) -> None:
        """Render the view state; the cursor stays on the same model."""
        self.view = view
        table = self.query_one("#models-table", DataTable)
        current = self.highlighted
        jobs = {j.spec: j for j in view.jobs}
        loaded = {m.name for m in view.loaded}
        rows: list[tuple[str, str, str, int | None, int | None, float | None]] = []
        for m in view.loaded:
            rows.append((m.name, "loaded", m.kind, m.dims, m.vocabulary, None))
        cached = {c.name: c for c in view.catalogue.cached}
        for name, c in cached.items():
            if name not in loaded and name not in jobs:
                rows.append((name, "cached", c.kind, c.dims, c.words, c.disk_bytes / 1e6))
        for name, j in jobs.items():
            if name not in loaded:
                pct = f"{(j.progress.fraction if j.progress else 0):.0%}"
                rows.append(
                    (name, "training" if j.kind == "train" else "opening", pct, None, None, None)
                )
        for spec in view.catalogue.available:
            if spec not in loaded and spec not in cached and spec not in jobs:
                rows.append((spec, "make", "", None, None, None))
        # A rebuild that puts the cursor back on the same model is no new highlight: the
        # table's highlights of row 0 and back would switch the Dimensions pane twice.
        stays = current is not None and current in {r[0] for r in rows}
        with self.prevent(DataTable.RowHighlighted) if stays else nullcontext():
            table.clear()
            for name, state, _kind, dims, words, mb in rows:
                mark = Text("●", style="bold") if name in view.selected else Text("○", style="dim")
                if name in loaded:
                    mb = cached[name].disk_bytes / 1e6 if name in cached else None
                label = state if state not in ("training", "opening") else f"{state} {_kind}"
                table.add_row(
                    mark,
                    plain(name),
                    plain(label),
                    "" if dims is None else str(dims),
                    "" if words is None else f"{words:,}",
                    "" if mb is None else f"{mb:.1f}",
                    key=name,
                )
            if stays and current is not None:
                table.move_cursor(row=table.get_row_index(current), animate=False)
        self._show_jobs(view.jobs)

    def update_jobs(self, jobs: tuple[JobState, ...]) -> None:
        """Only the jobs' progress changed: update their bars, nothing else.

        The table keeps saying "training" (the bars below give the progress): redrawing
        a table on every report fills its render caches, and the collector's full
        passes, which stall the event loop, grow with them.
        """
        if self.view is None:
            return
        self.view = replace(self.view, jobs=jobs)
        self._show_jobs(jobs)

    def _show_jobs(self, jobs: tuple[JobState, ...]) -> None:
        box = self.query_one("#jobs", Vertical)
        box.query_one(JobList).show(jobs)
        box.set_class(not jobs, "hidden")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Highlighted(event.row_key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.OpenRequested(event.row_key.value))

    def action_toggle_select(self) -> None:
        if self.highlighted:
            self.post_message(self.Selected(self.highlighted))

    def action_open(self) -> None:
        if self.highlighted:
            self.post_message(self.OpenRequested(self.highlighted))

    def action_remove(self) -> None:
        """Ask first; the app removes the entry when the answer is yes."""
        name = self.highlighted
        cached = {c.name: c for c in self.view.catalogue.cached} if self.view else {}
        if name is None or name not in cached:
            self.notify(f"{name or 'that'} is not in the cache", severity="warning")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(self.RemoveRequested(name))

        self.app.push_screen(
            ConfirmScreen(
                "Remove from cache",
                f"Remove {name} ({cached[name].disk_bytes / 1e6:.1f} MB) from the cache?",
                "Remove",
            ),
            answer,
        )
