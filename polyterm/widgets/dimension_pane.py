"""Pane 2, Dimension browser: both ends of one dimension, its card, and the repeats view."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import ClassVar

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.views.query import DimensionView, RepeatsView
from polyterm.widgets.histogram import Histogram
from polyterm.widgets.pane import FitTable, Pane, Question, SafeInput, cut, plain, share
from polyterm.widgets.prefetch import Ahead

AHEAD_STEPS = (1, 2, -1)  # the dimensions warmed after each view (n, n n, p)
RESTRICT_STEPS: tuple[int | None, ...] = (None, 1_000, 10_000, 50_000)
K_STEPS = (5, 10, 20, 50)
LARGE_VOCABULARY = 100_000  # a model with more words starts restricted to the most frequent
LARGE_RESTRICT = 50_000  # (a vocabulary's rows are in frequency order: GloVe's, word2vec's)


class DimsMode(StrEnum):
    """What the dimension browser shows (`v` switches)."""

    DIMENSION = "dimension"  # both ends of one dimension, and its card
    REPEATS = "repeats"  # the words that recur across the dimensions' ends


@dataclass(frozen=True, slots=True)
class DimensionParams:
    """What the dimension browser asks for: its current question."""

    model: str | None = None
    dim: int = 0
    k: int = 10
    restrict: int | None = None
    scale: Scale = Scale.RAW
    mode: DimsMode = DimsMode.DIMENSION
    restrict_chosen: bool = False  # by the user (`r`), else the default for the model's size

    @property
    def repeats(self) -> bool:
        return self.mode is DimsMode.REPEATS

    def for_size(self, words: int | None) -> DimensionParams:
        """The default restriction for a model of `words` words, unless the user chose one."""
        if self.restrict_chosen or words is None:
            return self
        return replace(self, restrict=LARGE_RESTRICT if words > LARGE_VOCABULARY else None)

    def describe(self, dims: int | None, words: int | None = None) -> str:
        of = f"/{dims - 1}" if dims else ""
        what = "repeats over all dimensions" if self.repeats else f"dimension {self.dim}{of}"
        if self.restrict and not self.restrict_chosen and words:
            restrict = f"{self.restrict:,} most frequent of {words:,} words (r: all)"
        elif self.restrict:
            restrict = f"top {self.restrict:,} words"
        else:
            restrict = "whole vocabulary"
        return f"{self.model or 'no model'} · {what} · {self.scale.value} · k={self.k} · {restrict}"


def _step(steps: tuple[int | None, ...], value: int | None, by: int) -> int | None:
    i = steps.index(value) if value in steps else 0
    return steps[(i + by) % len(steps)]


class DimensionPane(Pane):
    """Step through a model's dimensions; `v` shows the words that recur across them."""

    PANE_ID = "dims"
    TITLE = "2 Dimensions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n,right_square_bracket",
            "step(1)",
            "Next dim",
            id="dims.next",
            tooltip="Show the next dimension",
        ),
        Binding(
            "p,left_square_bracket",
            "step(-1)",
            "Prev dim",
            id="dims.prev",
            tooltip="Show the previous dimension",
        ),
        Binding("g", "goto", "Go to", id="dims.goto", tooltip="Jump to a dimension by number"),
        Binding(
            "s",
            "scale",
            "Raw/cos",
            id="dims.scale",
            tooltip="Switch between raw coordinates and cosine with the basis vector",
        ),
        Binding(
            "r",
            "restrict",
            "Restrict",
            id="dims.restrict",
            tooltip="Consider only the N most frequent words (cycles none/1k/10k/50k)",
        ),
        Binding("k", "k", "Top-k", id="dims.k", tooltip="Cycle the list length (5/10/20/50)"),
        Binding("m", "model", "Model", id="dims.model", tooltip="Browse the next loaded model"),
        Binding(
            "v",
            "repeats",
            "Repeats",
            id="dims.repeats",
            tooltip="Toggle the repeats view: words that recur across dimensions",
        ),
    ]

    class Changed(Message):
        """The user changed what the browser shows; the app computes the view."""

        def __init__(self, params: DimensionParams) -> None:
            self.params = params
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self.params = DimensionParams()
        self.model_dims: dict[str, int] = {}
        self.model_words: dict[str, int] = {}  # vocabulary sizes, for the default restriction
        self.pending = ""  # said after the header until the answer shows (computing, cancelled)
        self.ahead = Ahead()  # the neighbouring dimensions, computed ahead

    def on_unmount(self) -> None:
        self.ahead.close()

    def compose(self) -> ComposeResult:
        yield Static(id="dims-header", classes="pane-header")
        yield SafeInput(
            placeholder="dimension number, then enter",
            id="dims-goto",
            type="integer",
            classes="hidden",
        )
        yield Static("", id="dims-message", classes="message hidden")
        with Horizontal(id="dims-body"):
            # beside the card (min-width 26, padding 1) unless narrow
            yield FitTable(id="dims-table", cursor_type="row", zebra_stripes=True, reserve=27)
            with Vertical(id="dims-card"):
                yield Static(id="dims-card-title", classes="pane-header")
                yield Histogram(id="dims-hist")
                yield Static(id="dims-stats")
        yield Static(id="repeats-summary", classes="hidden")
        yield FitTable(id="repeats-table", cursor_type="row", classes="hidden", zebra_stripes=True)

    def main_widget(self) -> Widget:
        return self.query_one("#repeats-table" if self.params.repeats else "#dims-table")

    def on_mount(self) -> None:
        self._header()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 76, "narrow")

    # -- state from the app -------------------------------------------------------------
    def set_models(self, dims: dict[str, int], focus: str | None = None) -> None:
        """The loaded models (name → dims) and, optionally, the one to browse."""
        self.model_dims = dict(dims)
        model = self.params.model
        if focus in dims:
            model = focus
        elif model not in dims:
            model = next(iter(dims), None)
        if model != self.params.model:
            self._change(model=model, dim=min(self.params.dim, dims.get(model or "", 1) - 1))
        else:
            self._header()

    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        self.model_words = {name: len(model) for name, model in loaded.items()}
        if self.params.for_size(self._words()) != self.params:
            self._change()  # the model's size is known now: its default restriction
        else:
            self._header()

    def _words(self) -> int | None:
        return self.model_words.get(self.params.model or "")

    def _header(self) -> None:
        dims = self.model_dims.get(self.params.model or "")
        text = self.params.describe(dims, self._words())
        if self.pending:
            text += f" · {self.pending}"
        if not self.model_dims:
            text = "No model loaded yet: open one in the Models pane (1)."
        self.query_one("#dims-header", Static).update(plain(text))

    def _change(self, **changes: object) -> None:
        params = replace(self.params, **changes)  # type: ignore[arg-type]
        self.params = params.for_size(self.model_words.get(params.model or ""))
        self._header()
        repeats = self.params.repeats
        for wid in ("#dims-body",):
            self.query_one(wid).set_class(repeats, "hidden")
        for wid in ("#repeats-summary", "#repeats-table"):
            self.query_one(wid).set_class(not repeats, "hidden")
        if self.params.model is not None:
            self.post_message(self.Changed(self.params))

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        from polyterm.views.query import dimension_view, repeats_view

        model = loaded.get(self.params.model or "")
        if model is None:
            return None
        if self.params.model not in self.model_words:  # asked before models_changed
            self.model_words[model.name] = len(model)
            self.params = self.params.for_size(len(model))
        p = self.params
        self.pending = "computing …"
        self._header()
        if p.repeats:
            return lambda _: repeats_view(model, k=p.k, restrict=p.restrict, scale=p.scale)

        def view(dim: int) -> tuple[Hashable, Callable[[], DimensionView]]:
            key = (id(model), dim, p.k, p.restrict, p.scale)
            return key, lambda: dimension_view(
                model, dim, k=p.k, restrict=p.restrict, scale=p.scale
            )

        def compute(_: object) -> DimensionView:
            shown = self.ahead.get(*view(p.dim))
            self.ahead.warm(view((p.dim + step) % model.dims) for step in AHEAD_STEPS)
            return shown  # type: ignore[no-any-return]

        return compute

    # -- actions ------------------------------------------------------------------------
    def action_step(self, by: int) -> None:
        dims = self.model_dims.get(self.params.model or "")
        if dims:
            self._change(dim=(self.params.dim + by) % dims, mode=DimsMode.DIMENSION)

    def action_goto(self) -> None:
        box = self.query_one("#dims-goto", Input)
        box.remove_class("hidden")
        box.value = ""
        box.focus()

    @on(Input.Submitted, "#dims-goto")
    def _goto_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.add_class("hidden")
        dims = self.model_dims.get(self.params.model or "", 0)
        try:
            dim = int(event.value)
        except ValueError:
            dim = -1
        if not 0 <= dim < dims:
            self.notify(f"no dimension {event.value!r}: use 0 to {dims - 1}", severity="warning")
        else:
            self._change(dim=dim, mode=DimsMode.DIMENSION)
        self.focus_main()

    @on(Input.Blurred, "#dims-goto")
    def _goto_blurred(self, event: Input.Blurred) -> None:
        event.input.add_class("hidden")

    def action_scale(self) -> None:
        self._change(scale=Scale.COSINE if self.params.scale is Scale.RAW else Scale.RAW)

    def action_restrict(self) -> None:
        self._change(restrict=_step(RESTRICT_STEPS, self.params.restrict, 1), restrict_chosen=True)

    def action_k(self) -> None:
        self._change(k=_step(K_STEPS, self.params.k, 1))

    def action_model(self) -> None:
        names = list(self.model_dims)
        if names:
            i = names.index(self.params.model) if self.params.model in names else -1
            name = names[(i + 1) % len(names)]
            self._change(model=name, dim=min(self.params.dim, self.model_dims[name] - 1))

    def action_repeats(self) -> None:
        repeats = self.params.mode is DimsMode.REPEATS
        self._change(mode=DimsMode.DIMENSION if repeats else DimsMode.REPEATS)
        self.focus_main()

    # -- rendering ----------------------------------------------------------------------
    def work_stopped(self, cancelled: bool = False) -> None:
        super().work_stopped(cancelled)
        self.pending = "cancelled" if cancelled else ""
        self._header()

    def show(self, view: DimensionView | RepeatsView) -> None:
        self.view = view
        self.show_error("")
        self.pending = ""
        self._header()
        if isinstance(view, RepeatsView):
            self._show_repeats(view)
        else:
            self._show_dimension(view)

    def _show_dimension(self, view: DimensionView) -> None:
        table = self.query_one("#dims-table", FitTable)
        value = "value" if view.scale is Scale.RAW else "cosine"
        rows = list(zip(view.top, view.bottom, strict=False))

        def draw(room: int | None) -> None:
            numbers = len(str(len(rows))), max(len(value), 6), max(len(value), 6)
            words = share(room, numbers, 2, least=8)  # each word column
            short = words is not None and words < len("bottom word")
            table.clear(columns=True)
            top, bottom = ("top", "bottom") if short else ("top word", "bottom word")
            table.add_columns("#", top, value, bottom, value)
            for i, (t, b) in enumerate(rows):
                table.add_row(
                    str(i + 1),
                    cut(plain(t.word), words),
                    f"{t.value:+.3f}",
                    cut(plain(b.word), words),
                    f"{b.value:+.3f}",
                )

        table.fill(draw)
        s = view.stats
        self.query_one("#dims-hist", Histogram).show(s.histogram, s.bin_edges)
        # the card describes the raw coordinates in both scales (the lists follow `s`)
        raw = "histogram of raw values" if view.scale is Scale.RAW else "raw values' histogram"
        also = "" if view.scale is Scale.RAW else " (the lists: cosines)"
        self.query_one("#dims-card-title", Static).update(f"{raw} · {s.count:,} words{also}")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim")
        grid.add_column(justify="right")
        rho = "n/a" if s.frequency_spearman is None else f"{s.frequency_spearman:+.3f}"
        for label, value in (
            ("mean", f"{s.mean:+.3f}"),
            ("std", f"{s.std:.3f}"),
            ("skewness", f"{s.skewness:+.3f}"),
            ("excess kurtosis", f"{s.kurtosis:+.3f}"),
            ("ρ with frequency rank", rho),
            ("share of norm²", f"{s.norm_share:.1%}"),
        ):
            grid.add_row(label, value)
        self.query_one("#dims-stats", Static).update(grid)

    def _show_repeats(self, view: RepeatsView) -> None:
        lines = []
        for stat in (view.top, view.bottom):
            lines.append(
                f"{stat.end} {stat.k} of {stat.dims} dims: {stat.distinct:,} distinct "
                f"words in {stat.slots:,} slots ({stat.distinct_share:.0%}); "
                f"{len(stat.repeated)} recur"
            )
        self.query_one("#repeats-summary", Static).update("\n".join(lines))
        table = self.query_one("#repeats-table", FitTable)
        rows = [
            (stat.end, r.word, str(len(r.dims)), ", ".join(map(str, r.dims)))
            for stat in (view.top, view.bottom)
            for r in stat.repeated
        ]

        def draw(room: int | None) -> None:
            longest = max((len(r[1]) for r in rows), default=4)
            # the words keep up to 24 cells while the dimensions keep 12; then both shrink
            words = None if room is None else max(8, min(longest, 24, room - 6 - 5 - 12 - 8))
            shown = max(len("word"), min(words or longest, longest))
            left = share(room, (len("bottom"), shown, len("count")), 1, least=8)  # dimensions
            table.clear(columns=True)
            table.add_columns("end", "word", "count")
            table.add_column("dimensions", width=left)  # wrapped, never cut
            for end, w, count, dims in rows:
                tall = left is not None and len(dims) > left
                table.add_row(end, cut(plain(w), words), count, dims, height=None if tall else 1)

        table.fill(draw)
