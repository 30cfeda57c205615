"""Pane 1, Models: loaded, cached and available models, running jobs, selection.

The table's column widths are set here, once per `show`, from the rows shown and the
table's width (never measured by the table when it is idle): what it draws depends only on
what it shows, never on when the rows arrived. A narrow pane drops the MB, words and dims
columns (in that order), then shortens the state ("42%" for a running job, whose line below
says what it is), then cuts long model names with "…".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from polyterm.safe_text import visible
from polyterm.widgets.catalogue import JobState, ModelsView
from polyterm.widgets.pane import Pane, PaneId, PaneServices, plain, theme_colour


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
            out.append(f"{verb} {visible(job.name)}", "bold")
            out.append(f"  {visible(job.line)}\n")
            out.append("━" * filled, done)
            out.append("━" * (width - filled), todo)
        return out


class RowState(Enum):
    """What a row of the Models table is."""

    LOADED = "loaded"
    CACHED = "cached"
    TRAINING = "training"
    OPENING = "opening"
    MAKE = "make"

    @property
    def running(self) -> bool:
        return self in (RowState.TRAINING, RowState.OPENING)


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One row of the Models table, before it is laid out."""

    name: str
    state: RowState
    dims: int | None = None
    words: int | None = None
    mb: float | None = None
    fraction: float = 0.0

    def state_text(self, short: bool) -> str:
        """The state cell: the job's real progress while it runs ("training 42%", or
        "42%" when short: the job line below says what runs)."""
        if not self.state.running:
            return self.state.value
        pct = f"{max(0.0, min(1.0, self.fraction)):.0%}"
        return pct if short else f"{self.state.value} {pct}"

    def cells(self) -> dict[str, str]:
        return {
            "dims": "" if self.dims is None else str(self.dims),
            "words": "" if self.words is None else f"{self.words:,}",
            "mb": "" if self.mb is None else f"{self.mb:.1f}",
        }


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort models as people count: brown_2, brown_10, brown_10_s2, brown_100 (numbers by
    value, not as text)."""
    parts = re.split(r"(\d+)", name.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def model_rows(view: ModelsView) -> list[ModelRow]:
    """The table's rows in order: loaded, cached, running, then the ones to make; the
    loaded and the cached models each in natural order (`natural_key`)."""
    jobs = {j.name: j for j in view.jobs}
    loaded = {m.name for m in view.loaded}
    cached = {c.name: c for c in view.catalogue.cached}
    rows: list[ModelRow] = []
    for m in sorted(view.loaded, key=lambda m: natural_key(m.name)):
        mb = cached[m.name].disk_bytes / 1e6 if m.name in cached else None
        rows.append(ModelRow(m.name, RowState.LOADED, m.dims, m.vocabulary, mb))
    for name, c in sorted(cached.items(), key=lambda item: natural_key(item[0])):
        if name not in loaded and name not in jobs:
            rows.append(ModelRow(name, RowState.CACHED, c.dims, c.words, c.disk_bytes / 1e6))
    for name, j in jobs.items():
        if name not in loaded:
            state = RowState.TRAINING if j.kind == "train" else RowState.OPENING
            rows.append(ModelRow(name, state, fraction=_fraction(j)))
    rows += [ModelRow(spec, RowState.MAKE) for spec in view.to_make]
    return rows


def _fraction(job: JobState) -> float:
    return job.progress.fraction if job.progress is not None else 0.0


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns shown (key → width in cells) and whether the state is short."""

    widths: tuple[tuple[str, int], ...]
    short_state: bool

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.widths)


LABELS = {
    "mark": "",
    "model": "model",
    "state": "state",
    "dims": "dims",
    "words": "words",
    "mb": "MB",
}
MIN_MODEL = 12  # a narrower model column first gives up the other columns


def plan_layout(rows: Sequence[ModelRow], width: int, padding: int = 1) -> Layout:
    """Column widths for `rows` in a table `width` cells wide (each column also takes
    `padding` cells either side): the first of the full layout, then fewer columns, then a
    short state, whose columns fit with the model names (or `MIN_MODEL` cells of them)."""
    cells = [r.cells() for r in rows]

    def fit(key: str, texts: Sequence[str]) -> int:
        return max([len(LABELS[key]), *(len(t) for t in texts)])

    model_need = fit("model", [r.name for r in rows])
    extra = {k: fit(k, [c[k] for c in cells]) for k in ("dims", "words", "mb")}
    candidates: list[tuple[tuple[str, ...], bool]] = [
        (("dims", "words", "mb"), False),
        (("dims", "words"), False),
        (("dims",), False),
        ((), False),
        ((), True),
    ]
    chosen = candidates[-1]
    for keys, short in candidates:
        fixed = _fixed(rows, keys, short, extra, padding)
        if fixed + min(model_need, MIN_MODEL) + 2 * padding <= width:
            chosen = (keys, short)
            break
    keys, short = chosen
    room = width - _fixed(rows, keys, short, extra, padding) - 2 * padding
    model = max(4, min(model_need, room))
    state = fit("state", [r.state_text(short) for r in rows] + [_widest_state(short)])
    widths = [("mark", 1), ("model", model), ("state", state)]
    widths += [(k, extra[k]) for k in keys]
    return Layout(tuple(widths), short)


def _widest_state(short: bool) -> str:
    """Room for any progress, so a job reaching 100% never widens the column."""
    return "100%" if short else "training 100%"


def _fixed(
    rows: Sequence[ModelRow], keys: Sequence[str], short: bool, extra: dict[str, int], pad: int
) -> int:
    state = max(
        [len("state"), len(_widest_state(short)), *(len(r.state_text(short)) for r in rows)]
    )
    return (1 + 2 * pad) + (state + 2 * pad) + sum(extra[k] + 2 * pad for k in keys)


def cut(text: str, width: int) -> str:
    """`text` in `width` cells, ending in "…" when it was cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class ModelsTable(DataTable[Text | str]):
    """The models table: `home`/`end` go to the first/last model (a row cursor has no
    columns to move along)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "first_row", "First", show=False, id="models.first"),
        Binding("end", "last_row", "Last", show=False, id="models.last"),
    ]

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


class ModelsPane(Pane):
    """Every model the user can use; space marks the models compared side by side."""

    PANE_ID = PaneId.MODELS
    NUMBER = 1
    LABEL = "Models"
    TIP = "Go to the Models pane"
    SIDEBAR = True
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
        """The user asked to remove a cached model: the app asks `question` (a yes/no
        dialog titled `title`) and removes `name` only on yes."""

        title = "Remove from cache"
        yes = "Remove"

        def __init__(self, name: str, question: str = "") -> None:
            self.name = name
            self.question = question or f"Remove {name} from the cache?"
            super().__init__()

    class Highlighted(Message):
        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    def __init__(
        self,
        services: PaneServices | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(services, id=id, classes=classes)
        self.layout_plan: Layout | None = None
        self.laid_out_width = -1
        self.chosen: str | None = None  # the model the user put the cursor on
        self.state_cells: dict[str, str] = {}
        self.touched = False  # the user has selected, opened or removed a model here

    def compose(self) -> ComposeResult:
        yield Static("", id="models-note", classes="note hidden")
        yield ModelsTable(id="models-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="jobs", classes="hidden"):
            yield JobList()

    def main_widget(self) -> Widget:
        return self.query_one("#models-table", DataTable)

    @property
    def table(self) -> ModelsTable:
        return self.query_one("#models-table", ModelsTable)

    @property
    def highlighted(self) -> str | None:
        table = self.table
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

    def table_width(self) -> int:
        """The cells the table's columns may use: its width less a vertical scrollbar's
        (reserved whether or not one shows, so rows arriving never change the widths)."""
        table = self.table
        if table.size.width <= 0:
            return 46  # not laid out yet: redone on the first resize
        return max(
            1, table.size.width - table.styles.gutter.width - table.styles.scrollbar_size_vertical
        )

    def show(self, view: ModelsView) -> None:
        """Render the view state; the cursor stays on the model the user chose, else goes to
        the first selected model that is loaded, else the first row."""
        self.view = view
        table = self.table
        before = self.highlighted
        rows = model_rows(view)
        width = self.table_width()
        plan = plan_layout(rows, width, table.cell_padding)
        names = [r.name for r in rows]
        loaded = {m.name for m in view.loaded}
        first = next((n for n in view.selected if n in loaded), names[0] if names else None)
        # the model the user chose; until the user acts here, the first selected model
        # loaded (the study's pair on a first run, whichever model opens first); else the
        # first row
        if self.chosen in names:
            target: str | None = self.chosen
        elif self.touched:
            target = names[0] if names else None
        else:
            target = first
        with self.prevent(DataTable.RowHighlighted):
            if plan != self.layout_plan:
                table.clear(columns=True)
                for key, size in plan.widths:
                    table.add_column(LABELS[key], key=key, width=size)
                self.layout_plan = plan
            else:
                table.clear()
            self.laid_out_width = width
            model_width = dict(plan.widths)["model"]
            self.state_cells = {}
            for row in rows:
                mark = (
                    Text("●", style="bold") if row.name in view.selected else Text("○", style="dim")
                )
                state = row.state_text(plan.short_state)
                self.state_cells[row.name] = state
                values: dict[str, Text | str] = {
                    "mark": mark,
                    "model": plain(cut(visible(row.name), model_width)),
                    "state": plain(state),
                    **row.cells(),
                }
                table.add_row(*(values[k] for k in plan.keys), key=row.name)
            if target is not None:
                table.move_cursor(row=table.get_row_index(target), animate=False)
        if target is not None and target != before:
            self.post_message(self.Highlighted(target))
        self._show_jobs(view.jobs)

    def on_resize(self, event: events.Resize) -> None:
        if self.view is not None and self.table_width() != self.laid_out_width:
            self.show(self.view)

    def update_jobs(self, jobs: tuple[JobState, ...]) -> None:
        """Only the jobs' progress changed: their bars, and the state cells whose percent
        changed (one cell each, not the table: redrawing a table on every report fills its
        render caches, and the collector's full passes, which stall the event loop, grow
        with them)."""
        if self.view is None:
            return
        self.view = replace(self.view, jobs=jobs)
        short = self.layout_plan.short_state if self.layout_plan else False
        table = self.table
        for job in jobs:
            if job.name not in self.state_cells or self.state_cells[job.name] in ("loaded",):
                continue
            state = RowState.TRAINING if job.kind == "train" else RowState.OPENING
            text = ModelRow(job.name, state, fraction=_fraction(job)).state_text(short)
            if text != self.state_cells[job.name]:
                self.state_cells[job.name] = text
                table.update_cell(job.name, "state", plain(text))
        self._show_jobs(jobs)

    def _show_jobs(self, jobs: tuple[JobState, ...]) -> None:
        box = self.query_one("#jobs", Vertical)
        box.query_one(JobList).show(jobs)
        box.set_class(not jobs, "hidden")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The user moved the cursor (a rebuild's own highlights are prevented)."""
        event.stop()
        if event.row_key.value is not None:
            self.chosen = event.row_key.value
            self.post_message(self.Highlighted(event.row_key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.OpenRequested(event.row_key.value))

    def action_toggle_select(self) -> None:
        self.touched = True
        if self.highlighted:
            self.post_message(self.Selected(self.highlighted))

    def action_open(self) -> None:
        self.touched = True
        if self.highlighted:
            self.post_message(self.OpenRequested(self.highlighted))

    def action_remove(self) -> None:
        """Ask the app to remove the highlighted cached model; it asks the user first."""
        self.touched = True
        name = self.highlighted
        cached = {c.name: c for c in self.view.catalogue.cached} if self.view else {}
        if name is None or name not in cached:
            self.notify(f"{name or 'that'} is not in the cache", severity="warning")
            return
        question = f"Remove {name} ({cached[name].disk_bytes / 1e6:.1f} MB) from the cache?"
        self.post_message(self.RemoveRequested(name, question))
