"""Pane 2, Dimension browser: both ends of one dimension, its card, and the repeats view."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from polyterm.core.bases import DEFAULT_FIT_ROWS, parse_basis_name
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.errors import Cancelled, PolytermError
from polyterm.views.protocol import Table as ViewTable
from polyterm.views.query import DimensionView, RepeatsView
from polyterm.views.rich_cells import rich_cell
from polyterm.views.settings import COMPARISON
from polyterm.widgets.histogram import Histogram
from polyterm.widgets.pane import (
    FEATURE_OFF,
    RAW_BASIS,
    FitTable,
    Pane,
    PaneId,
    PaneServices,
    Question,
    SafeInput,
    axis_noun,
    basis_kind,
    cut,
    next_basis,
    next_source,
    plain,
    share,
)
from polyterm.widgets.prefetch import Ahead
from polyterm.widgets.view_tables import column_index, draw_table

AHEAD_STEPS = (1, 2, -1)  # the dimensions warmed after each view (n, n n, p)
RESTRICT_STEPS: tuple[int | None, ...] = (None, 1_000, 10_000, 50_000)
K_STEPS = (5, 10, 20, 50)
# a model with more words starts restricted to the most frequent (rows are in frequency
# order: GloVe's, word2vec's); the same default as `dims` and `compare --dim`
LARGE_VOCABULARY = COMPARISON.large_vocabulary
LARGE_RESTRICT = COMPARISON.large_restrict


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
    basis: str = RAW_BASIS  # raw, pca, ica or dict:K (`b` cycles)

    @property
    def repeats(self) -> bool:
        return self.mode is DimsMode.REPEATS

    def for_size(self, words: int | None) -> DimensionParams:
        """The default restriction for a model of `words` words, unless the user chose one."""
        if self.restrict_chosen or words is None:
            return self
        return replace(self, restrict=LARGE_RESTRICT if words > LARGE_VOCABULARY else None)

    def describe(self, dims: int | None, words: int | None = None) -> str:
        """The header: the model, what is shown (in which basis), the options; `dims` is
        the number of dimensions (axes, atoms) in the basis shown."""
        raw = self.basis == RAW_BASIS
        noun = axis_noun(self.basis)
        if self.repeats:
            what = "repeats over all " + ("dimensions" if raw else f"{self.basis} {noun}s")
        elif raw:
            what = f"dimension {self.dim}" + (f"/{dims - 1}" if dims else "")
        else:
            what = f"{self.basis} {noun} {self.dim}" + (f" of {dims}" if dims else "")
        scale = self.scale.value if raw or self.scale is not Scale.RAW else "codes"
        if self.restrict and not self.restrict_chosen and words:
            restrict = f"{self.restrict:,} most frequent of {words:,} words (r: all)"
        elif self.restrict:
            restrict = f"top {self.restrict:,} words"
        else:
            restrict = "whole vocabulary"
        return f"{self.model or 'no model'} · {what} · {scale} · k={self.k} · {restrict}"


def view_table(view: object, key: str) -> ViewTable | None:
    """The view's table `key` (the view protocol's `tables()`), or None."""
    tables = getattr(view, "tables", None)
    if tables is None:
        return None
    return next((t for t in tables() if t.key == key), None)


@dataclass(frozen=True, slots=True)
class FeaturesKey:
    """What the features under the word table answer: one axis of one model (by content),
    in a basis, under a feature source."""

    model: str
    content: str
    basis: str
    dim: int
    source: str
    restrict: int | None


FEATURE_COLUMNS = ("end", "feature", "count", "q (BH)", "words")
END_COLUMNS = ("end", "meanings", "z vs random")


@dataclass(frozen=True, slots=True)
class StabilityNote:
    """The within-model stability of a model's components in one basis (or why not)."""

    source: Embedding
    index: tuple[float, ...]
    threshold: float
    error: str = ""

    def text(self, component: int) -> str:
        if self.error:
            return "n/a"
        if not 0 <= component < len(self.index):
            return "n/a"
        value = self.index[component]
        return f"{value:.2f}" + (" unstable" if value < self.threshold else "")


def _step(steps: tuple[int | None, ...], value: int | None, by: int) -> int | None:
    i = steps.index(value) if value in steps else 0
    return steps[(i + by) % len(steps)]


class DimensionPane(Pane):
    """Step through a model's dimensions; `v` shows the words that recur across them."""

    PANE_ID = PaneId.DIMS
    NUMBER = 2
    LABEL = "Dimensions"
    TIP = "Go to the Dimension browser"
    FOLLOWS_SELECTION = False  # asked when what it browses changes (`Changed`)
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
        Binding(
            "g",
            "goto",
            "Go to",
            id="dims.goto",
            tooltip="Jump to a dimension by number (12, #12, dim 12), or to the one where a "
            "word has its largest value",
        ),
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
        Binding(
            "b",
            "basis",
            "Basis",
            id="dims.basis",
            tooltip="Cycle the basis: raw dimensions, pca, ica, dict:K atoms (K = 4 × dims); "
            "a basis is fitted in the background (x cancels), the pane answers meanwhile",
        ),
        Binding(
            "l",
            "source",
            "Features",
            id="dims.features",
            show=False,  # the pane's header names it; the help lists it
            tooltip="Cycle the feature source of the enriched features under the word table: "
            "wordnet, pos, genre, off (computed in the background, x cancels)",
        ),
    ]

    class Changed(Message):
        """The user changed what the browser shows; the app computes the view."""

        def __init__(self, params: DimensionParams) -> None:
            self.params = params
            super().__init__()

    def __init__(self, services: PaneServices | None = None) -> None:
        super().__init__(services)
        self.params = DimensionParams()
        self.opening: tuple[str, ...] = ()  # models being opened, none loaded yet
        self._loaded: dict[str, Embedding] = {}
        self.model_dims: dict[str, int] = {}
        self.model_words: dict[str, int] = {}  # vocabulary sizes, for the default restriction
        self.pending = ""  # said after the header until the answer shows (computing, cancelled)
        self.ahead = Ahead()  # the neighbouring dimensions, computed ahead
        # models in a basis: (model name, basis) → (the loaded model, it in the basis)
        self.in_basis: dict[tuple[str, str], tuple[Embedding, Embedding]] = {}
        self.stability: dict[tuple[str, str], StabilityNote] = {}
        self.fitting: tuple[str, str] | None = None  # (model, basis) being fitted
        self.fit_note = ""  # the fit's progress, said in the header
        self.source = FEATURE_OFF  # the feature source of the features section (`l`)
        self.features: object | None = None  # the FeaturesView shown, answering features_for
        self.features_for: FeaturesKey | None = None
        self.features_asked: FeaturesKey | None = None  # the newest features question
        self.features_note = ""  # computing, cancelled, or the problem

    def on_unmount(self) -> None:
        self.ahead.close()

    def compose(self) -> ComposeResult:
        defaults = COMPARISON.pane_defaults("dims")
        yield Static(defaults, id="dims-defaults", classes="pane-defaults").with_tooltip(defaults)
        yield Static(id="dims-header", classes="pane-header")
        yield SafeInput(
            placeholder="a dimension (12, #12) or a word, then enter",
            id="dims-goto",
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
        with Vertical(id="dims-features-box", classes="hidden"):
            yield Static(id="dims-features-title", classes="pane-header")
            yield FitTable(id="dims-features-ends", cursor_type="none")
            yield FitTable(id="dims-features", cursor_type="row", zebra_stripes=True)
        yield Static(id="repeats-summary", classes="hidden")
        yield FitTable(id="repeats-table", cursor_type="row", classes="hidden", zebra_stripes=True)

    def main_widget(self) -> Widget:
        return self.query_one("#repeats-table" if self.params.repeats else "#dims-table")

    def on_mount(self) -> None:
        self._header()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 76, "narrow")

    # -- state from the app -------------------------------------------------------------
    def set_models(
        self, dims: dict[str, int], focus: str | None = None, opening: Sequence[str] = ()
    ) -> None:
        """The loaded models (name → dims), optionally the one to browse, and the models
        being opened (said while none is loaded yet)."""
        self.model_dims = dict(dims)
        self.opening = tuple(opening)
        model = self.params.model
        if focus in dims:
            model = focus
        elif model not in dims:
            model = next(iter(dims), None)
        if model != self.params.model:
            self._to_model(model)
        else:
            self._header()

    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        self._loaded = dict(loaded)
        self.model_words = {name: len(model) for name, model in loaded.items()}
        # a model closed or reopened (retrained): its bases go with it
        for key, (source, _) in list(self.in_basis.items()):
            if loaded.get(key[0]) is not source:
                del self.in_basis[key]
        for key, note in list(self.stability.items()):
            if loaded.get(key[0]) is not note.source:
                del self.stability[key]
        p = self.params
        if p.basis != RAW_BASIS and (p.model or "", p.basis) not in self.in_basis:
            self._change(basis=RAW_BASIS, dim=min(p.dim, self.model_dims.get(p.model or "", 1) - 1))
        elif self.params.for_size(self._words()) != self.params:
            self._change()  # the model's size is known now: its default restriction
        else:
            self._header()
        self._ask_features()

    def _words(self) -> int | None:
        return self.model_words.get(self.params.model or "")

    def dims_shown(self, model: str | None = None, basis: str | None = None) -> int | None:
        """The dimensions (axes, atoms) of `model` in `basis` (the shown ones by default)."""
        model = self.params.model if model is None else model
        basis = self.params.basis if basis is None else basis
        if basis != RAW_BASIS:
            found = self.in_basis.get((model or "", basis))
            return found[1].dims if found is not None else None
        return self.model_dims.get(model or "")

    def _header(self) -> None:
        text = self.params.describe(self.dims_shown(), self._words())
        for note in (self.pending, self.fit_note):
            if note:
                text += f" · {note}"
        if not self.model_dims and self.opening:
            text = (
                f"Opening {', '.join(self.opening)}: each is browsed here once it is ready "
                "(progress in the Models pane, 1)."
            )
        elif not self.model_dims:
            text = "No model loaded yet: open one in the Models pane (1)."
        self.query_one("#dims-header", Static).update(plain(text))

    def _to_model(self, model: str | None) -> None:
        """Browse `model`: in the basis shown if it has it fitted already, else raw."""
        basis = (
            self.params.basis if (model or "", self.params.basis) in self.in_basis else RAW_BASIS
        )
        dims = self.dims_shown(model, basis) or 1
        self._change(model=model, basis=basis, dim=min(self.params.dim, dims - 1))

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
        self._ask_features()

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
        if self.params.basis != RAW_BASIS:
            found = self.in_basis.get((model.name, self.params.basis))
            if found is None or found[0] is not model:  # reopened meanwhile: raw again
                self.params = replace(self.params, basis=RAW_BASIS, dim=0)
            else:
                model = found[1]
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

    # -- features -------------------------------------------------------------------------
    def features_key(self) -> FeaturesKey | None:
        """The features question of now (None: the source is off, or nothing to ask)."""
        p = self.params
        model = self._loaded.get(p.model or "")
        if self.source == FEATURE_OFF or model is None or p.repeats:
            return None
        content = str(model.manifest.get("content_sha256", id(model)))
        return FeaturesKey(model.name, content, p.basis, p.dim, self.source, p.restrict)

    def action_source(self) -> None:
        self.source = next_source(self.source)
        self._ask_features()

    def _ask_features(self) -> None:
        """Compute the current axis's features in the background unless held or asked."""
        if not self.is_mounted:
            return
        key = self.features_key()
        self.query_one("#dims-features-box").set_class(key is None, "hidden")
        if key is None:
            self.cancel_work()
            self.features_asked = None
            return
        if key in (self.features_for, self.features_asked):
            self._show_features()
            return
        self.features_asked = key
        self.features_note = "computing …"
        self._show_features()
        model = self._loaded[key.model]
        basis, services = parse_basis_name(key.basis), self.services

        def work() -> None:
            from textual.worker import get_current_worker

            worker = get_current_worker()

            def progress(_: float) -> None:
                if worker.is_cancelled:
                    raise Cancelled()

            try:
                view: object = services.features(
                    model, basis, key.source, progress, dim=key.dim, restrict=key.restrict
                )
            except Cancelled:
                return
            except PolytermError as exc:
                view = exc
            except Exception as exc:  # shown in the section, never a traceback
                view = PolytermError(f"features: {exc}")
            if not worker.is_cancelled:
                self.app.call_from_thread(self.features_ready, key, view)

        self.run_worker(
            work, name="features", group="dims-features", exclusive=True, thread=True,
            exit_on_error=False,
        )  # fmt: skip

    def cancel_work(self) -> bool:
        workers = [
            w for w in self.workers if w.group == "dims-features" and not w.is_finished
        ]  # fmt: skip
        for worker in workers:
            worker.cancel()
        if workers and self.features_asked is not None:
            self.features_asked = None
            self.features_note = "cancelled"
            self._show_features()
        return bool(workers)

    def features_ready(self, key: FeaturesKey, view: object) -> None:
        """The answer to a features question: shown if it is still the question of now."""
        if key != self.features_asked:
            return
        self.features_asked = None
        if isinstance(view, PolytermError):
            self.features_note = str(view)
            self.features, self.features_for = None, None
        else:
            self.features_note = ""
            self.features, self.features_for = view, key
        self._show_features()

    def _show_features(self) -> None:
        """The features of the axis shown, or "computing …" under its header: never an
        earlier axis's answer under this one."""
        key = self.features_key()
        noun = axis_noun(self.params.basis)
        title = self.query_one("#dims-features-title", Static)
        ends = self.query_one("#dims-features-ends", FitTable)
        table = self.query_one("#dims-features", FitTable)
        if key is None:
            return
        head = f"features ({key.source}) of {noun} {key.dim}"
        view = self.features if key == self.features_for else None
        if view is None:
            title.update(plain(f"{head} · {self.features_note or 'computing …'}"))
            draw_table(ends, None)
            draw_table(table, None)
            return
        shown_ends = view_table(view, "ends")
        features = view_table(view, "features")
        null = next((n for n in getattr(view, "end_nulls", ()) if n.kind == "rotation"), None)
        line = f"{head} · k={getattr(view, 'k', '')}"
        if null is not None:  # the null of the meaning counts below
            line += f" · random end {null.meaning_mean:.2f} ± {null.meaning_sd:.2f}"
        title.update(plain(line))
        for target, source, wanted in (
            (ends, shown_ends, END_COLUMNS),
            (table, features, FEATURE_COLUMNS),
        ):
            found = [column_index(source, c) for c in wanted] if source is not None else []
            draw_table(target, source, columns=[i for i in found if i is not None])

    def export_extra(self) -> tuple[object, ...]:
        """The features of the axis shown, written after its word lists."""
        key = self.features_key()
        if key is not None and key == self.features_for and self.features is not None:
            return (self.features,)
        return ()

    # -- bases ----------------------------------------------------------------------------
    def action_basis(self) -> None:
        """The next basis of the model browsed: at once if fitted, else fitted first (the
        pane stays on the basis it shows until the fit is in)."""
        model = self.params.model
        dims = self.model_dims.get(model or "")
        if model is None or not dims:
            return
        current = self.fitting[1] if self.fitting and self.fitting[0] == model else None
        basis = next_basis(current or self.params.basis, dims)
        if basis == RAW_BASIS or (model, basis) in self.in_basis:
            if self.fitting is not None:
                self.services.cancel_basis(self.PANE_ID)  # stop the fit
            self.fitting, self.fit_note = None, ""
            self._switch(model, basis)
            return
        self.fitting = (model, basis)
        fit = min(DEFAULT_FIT_ROWS, self.model_words.get(model, DEFAULT_FIT_ROWS))
        self.fit_note = f"fitting {basis} on {fit:,} words …"
        self._header()
        self.services.fit_basis(self.PANE_ID, model, parse_basis_name(basis))

    def _switch(self, model: str, basis: str) -> None:
        dims = self.dims_shown(model, basis) or 1
        self._change(basis=basis, dim=min(self.params.dim, dims - 1))

    def basis_progress(self, model: str, basis: str, fraction: float, stage: str) -> None:
        if self.fitting == (model, basis):
            fit = min(DEFAULT_FIT_ROWS, self.model_words.get(model, DEFAULT_FIT_ROWS))
            self.fit_note = f"fitting {basis} on {fit:,} words … {fraction:.0%} (x cancels)"
            self._header()

    def basis_ready(self, source: Embedding, basis: str, model: Embedding) -> None:
        """`source` in `basis` is in: browse it if that is what the pane is fitting."""
        self.in_basis[(source.name, basis)] = (source, model)
        if self.fitting == (source.name, basis):
            self.fitting, self.fit_note = None, ""
            if self.params.model == source.name:
                self._switch(source.name, basis)
            else:
                self._header()

    def basis_failed(self, model: str, basis: str, cancelled: bool) -> None:
        """The fit stopped: the pane stays on the basis it shows (the app says why)."""
        if self.fitting == (model, basis):
            self.fitting = None
            self.fit_note = f"{basis} cancelled" if cancelled else f"{basis}: no fit"
            self._header()

    def stability_ready(self, note: StabilityNote, basis: str) -> None:
        self.stability[(note.source.name, basis)] = note
        p = self.params
        if (
            p.basis == basis
            and p.model == note.source.name
            and isinstance(self.view, DimensionView)
        ):
            self._show_dimension(self.view)

    def _stability_text(self, component: int) -> str | None:
        """The component's stability in the basis shown (None for raw and pca)."""
        p = self.params
        if basis_kind(p.basis) not in ("ica", "dict"):
            return None
        note = self.stability.get((p.model or "", p.basis))
        return "computing …" if note is None else note.text(component)

    # -- actions ------------------------------------------------------------------------
    def action_step(self, by: int) -> None:
        dims = self.dims_shown()
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
        dims = self.dims_shown() or 0
        noun = axis_noun(self.params.basis)
        text = event.value.strip()
        number = text.lower().removeprefix("#").removeprefix("dim").removeprefix(":").strip()
        if number.lstrip("-").isdigit():
            dim = int(number)
            if not 0 <= dim < dims:
                self.notify(
                    f"no {noun} {text!r}: use 0 to {dims - 1}", severity="warning", markup=False
                )
            else:
                self._change(dim=dim, mode=DimsMode.DIMENSION)
        elif text:
            self._goto_word(text, noun)
        self.focus_main()

    def _goto_word(self, word: str, noun: str) -> None:
        """The dimension where `word` has its largest absolute value in the model browsed
        (in the basis shown); a word not in the model is said with the nearest spellings."""
        name = self.params.model or ""
        model = self._loaded.get(name)
        if self.params.basis != RAW_BASIS:
            found = self.in_basis.get((name, self.params.basis))
            model = found[1] if found is not None else None
        if model is None:
            return
        row = model.vocab.find(word)
        if row is None:
            near = model.vocab.suggest(word)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            self.notify(f"no word {word!r} in {name}{hint}", severity="warning", markup=False)
            return
        values = model.vectors[row]
        dim = int(abs(values).argmax())
        self._change(dim=dim, mode=DimsMode.DIMENSION)
        self.notify(
            f"{noun} {dim}: where {word!r} has its largest value ({float(values[dim]):+.3f})",
            markup=False,
        )

    @on(Input.Blurred, "#dims-goto")
    def _goto_blurred(self, event: Input.Blurred) -> None:
        event.input.add_class("hidden")

    def action_scale(self) -> None:
        self._change(scale=Scale.COSINE if self.params.scale is Scale.RAW else Scale.RAW)

    def action_restrict(self) -> None:
        """The next restriction smaller than the model's vocabulary (a 13,974-word model is
        never offered its "top 50,000 words"), or the whole vocabulary."""
        words = self.model_words.get(self.params.model or "")
        steps = tuple(s for s in RESTRICT_STEPS if s is None or words is None or s < words)
        self._change(restrict=_step(steps, self.params.restrict, 1), restrict_chosen=True)

    def action_k(self) -> None:
        self._change(k=_step(K_STEPS, self.params.k, 1))

    def action_model(self) -> None:
        names = list(self.model_dims)
        if names:
            i = names.index(self.params.model) if self.params.model in names else -1
            self._to_model(names[(i + 1) % len(names)])

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
        """The view's `ends` table and its `statistics` (labels as the view writes them),
        with the component's stability in an ica or dict:K basis."""
        table = self.query_one("#dims-table", FitTable)
        ends = view_table(view, "ends")  # for an atom, its top end only (the view says)
        columns = list(ends.columns) if ends else []
        rows = [list(r) for r in ends.rows] if ends else []
        numeric = [
            bool(ends and i < len(ends.numeric) and ends.numeric[i]) for i in range(len(columns))
        ]
        labels = [rich_cell(c) for c in columns]
        cells = [[rich_cell(c) for c in r] for r in rows]
        for row in cells:
            for i, cell in enumerate(row):
                if numeric[i]:
                    cell.justify = "right"
        widths = [
            max([labels[i].cell_len, *(r[i].cell_len for r in cells if i < len(r))])
            for i in range(len(columns))
            if numeric[i]
        ]

        def draw(room: int | None) -> None:
            words = share(room, widths, numeric.count(False), least=8)  # each word column
            table.clear(columns=True)
            for i, label in enumerate(labels):
                table.add_column(label if numeric[i] else cut(label, words))
            for row in cells:
                table.add_row(*(c if numeric[i] else cut(c, words) for i, c in enumerate(row)))

        table.fill(draw)
        s = view.stats
        self.query_one("#dims-hist", Histogram).show(s.histogram, s.bin_edges)
        # the card describes the raw coordinates in both scales (the lists follow `s`)
        raw = self.params.basis == RAW_BASIS
        what = "raw values" if raw else f"{self.params.basis} codes"
        head = f"histogram of {what}" if view.scale is Scale.RAW else f"{what}' histogram"
        also = "" if view.scale is Scale.RAW else " (the lists: cosines)"
        self.query_one("#dims-card-title", Static).update(f"{head} · {s.count:,} words{also}")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim")
        grid.add_column(justify="right")
        statistics = view_table(view, "statistics")
        if statistics is not None and statistics.rows:
            for label, value in zip(statistics.columns, statistics.rows[0], strict=False):
                grid.add_row(rich_cell(label), rich_cell(value))
        stability = self._stability_text(view.dim)
        if stability is not None:
            grid.add_row(
                "stability (Icasso)",
                Text(stability, style="bold" if "unstable" in stability else ""),
            )
        self.query_one("#dims-stats", Static).update(grid)

    def _show_repeats(self, view: RepeatsView) -> None:
        lines = []
        for stat in (view.top, view.bottom):
            lines.append(
                f"{stat.end} {stat.k} of {stat.dims} dims: {stat.distinct:,} distinct "
                f"words in {stat.slots:,} slots ({stat.distinct_share:.0%}); "
                f"{len(stat.repeated)} recur" + _null_line(view.null_of(stat.end))
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


def _null_line(null: object) -> str:
    """The rotated-basis null of a repeat share, in a few words (nothing when absent)."""
    if null is None:
        return ""
    mean, sd, z = (getattr(null, a, None) for a in ("null_mean", "null_sd", "z"))
    if getattr(null, "degenerate", False) or z is None:
        return f"; rotated bases {mean:.0%} (unchanged)"
    return f"; rotated bases {mean:.0%} ± {sd:.1%}, z {z:+.1f}"
