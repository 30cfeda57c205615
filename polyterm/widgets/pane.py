"""What every pane shares: a titled, maximisable container that renders a view state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from polyterm.core.bases import BasisName
from polyterm.core.embedding import Embedding
from polyterm.safe_text import visible, without_unsafe

if TYPE_CHECKING:
    from polyterm.views.alignment import AlignmentView
    from polyterm.views.meaning_curve import MeaningCurveView
    from polyterm.views.polysemanticity import FeaturesView, GroupingsView
    from polyterm.views.settings import ComparisonSettings
    from polyterm.views.sweep import SweepView
    from polyterm.widgets.catalogue import CachedModel

ProgressFn = Callable[[float], None]
Question = Callable[[ProgressFn], Any]
"""What a pane asks: computed in a worker, given a progress callback (fraction 0…1) that
raises `polyterm.errors.Cancelled` once the worker is cancelled."""
RAW_BASIS = "raw"
DICT_ATOMS_PER_DIM = 4  # the dictionary `b` offers: 4 × the model's dimensions


def basis_cycle(dims: int) -> tuple[str, ...]:
    """The bases `b` steps through for a model of `dims` dimensions, in order."""
    return (RAW_BASIS, "pca", "ica", f"dict:{DICT_ATOMS_PER_DIM * max(1, dims)}")


def next_basis(current: str, dims: int) -> str:
    """The basis after `current` in `basis_cycle(dims)` (raw after the last, or after a
    basis not in the cycle)."""
    cycle = basis_cycle(dims)
    i = cycle.index(current) if current in cycle else len(cycle) - 1
    return cycle[(i + 1) % len(cycle)]


FEATURE_OFF = "off"
FEATURE_SOURCES_CYCLE = ("wordnet", "pos", "genre", FEATURE_OFF)
"""The feature sources `l` steps through (off: no features computed)."""


def next_source(current: str) -> str:
    """The feature source after `current` (wordnet after off)."""
    cycle = FEATURE_SOURCES_CYCLE
    i = cycle.index(current) if current in cycle else len(cycle) - 1
    return cycle[(i + 1) % len(cycle)]


def basis_kind(basis: str) -> str:
    """``raw``, ``pca``, ``ica`` or ``dict`` (for ``dict:K``)."""
    return basis.split(":", 1)[0]


def axis_noun(basis: str) -> str:
    """What one code of the basis is called: a dimension, an axis or an atom."""
    kind = basis_kind(basis)
    return "dimension" if kind == RAW_BASIS else "atom" if kind == "dict" else "axis"


def plain(text: object, style: str | Style = "") -> Text:
    """Text from data or the user (a word, a model name, a path, a typed expression, an
    error naming them) as a renderable: shown literally, never parsed as markup, with
    control characters and bidi overrides made visible. Every string the explorer shows
    that is not its own fixed wording goes through here (or `visible` inside a `Text`)."""
    return Text(visible(str(text)), style=style)


def theme_colour(app: App[Any], name: str, fallback: str) -> str:
    """The theme's colour variable `name` if Rich can use it as a colour, else `fallback`
    (a theme file's [variables] may hold anything)."""
    value = app.theme_variables.get(name, fallback)
    try:
        Style.parse(value)
    except Exception:
        return fallback
    return value


def cut(text: Text | str, width: int | None) -> Text:
    """`text` cut to `width` cells, ending in `…` (as it is if it fits or `width` is None)."""
    out = text.copy() if isinstance(text, Text) else Text(text)
    if width is not None and out.cell_len > width:
        out.truncate(max(1, width), overflow="ellipsis")
    return out


def share(room: int | None, fixed: Sequence[int], flexible: int, least: int = 6) -> int | None:
    """The cells left for each of `flexible` columns of a table `room` cells wide whose
    other columns hold `fixed` cells each (every column is padded by one cell on each
    side); None when there is no limit yet (not laid out). Never below `least`: a table
    narrower than that scrolls rather than cut every word to nothing."""
    if room is None or flexible <= 0:
        return None
    padding = 2 * (len(fixed) + flexible)
    return max(least, (room - sum(fixed) - padding) // flexible)


class FitTable(DataTable[Text | str]):
    """A table drawn to fit its width: `fill(draw)` calls `draw(room)` now and again
    whenever the width changes, `room` being the cells the columns may use (None before
    the table is laid out); `draw` cuts what does not fit with `cut`, so that no column
    runs past the pane's edge unmarked."""

    def __init__(self, *, reserve: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reserve = reserve  # cells its siblings keep when its width is `auto`
        self._draw: Callable[[int | None], object] | None = None
        self._drawn_for: int | None = None

    def room(self) -> int | None:
        """The cells its columns may use (None when not laid out yet)."""
        width = self.size.width
        if self.styles.width is not None and self.styles.width.is_auto:
            # as wide as its content: the room is what its container leaves it
            parent = self.parent
            width = parent.size.width - self.reserve if isinstance(parent, Widget) else 0
        if width <= 0:
            return None
        return max(0, width - self.styles.scrollbar_size_vertical)  # room for the scrollbar

    def fill(self, draw: Callable[[int | None], object]) -> None:
        self._draw = draw
        self._redraw(keep_cursor=False)

    def _redraw(self, keep_cursor: bool = True) -> None:
        if self._draw is None:
            return
        row = self.cursor_row
        self._drawn_for = self.room()
        self._draw(self._drawn_for)
        if keep_cursor and 0 < row < self.row_count:
            self.move_cursor(row=row, animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self._draw is not None and self.room() != self._drawn_for:
            self._redraw()


class SafeInput(Input):
    """A text box that drops control characters and bidi overrides from what is typed or
    pasted: the box shows its value as it is, so an ESC pasted into it would reach the
    terminal. Every text box of the explorer is one."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(without_unsafe(text), start, end)


class WorkProgress(Horizontal):
    """A pane's long computation: what it is, a bar, and how to stop it (hidden when idle)."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, classes="work-progress hidden")
        self.label = Label("", classes="work-label")
        self.bar = ProgressBar(total=100, show_eta=False, classes="work-bar")

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.bar

    def start(self, text: str) -> None:
        self.label.update(plain(f"x cancels · {text}"))  # the key first: never the part cut
        self.bar.update(total=None, progress=0)
        self.remove_class("hidden")

    def advance(self, fraction: float) -> None:
        self.bar.update(total=100, progress=round(100 * max(0.0, min(1.0, fraction)), 1))

    def stop(self) -> None:
        self.add_class("hidden")


class PaneServices(Protocol):
    """What the explorer does for a pane: given to every pane when the main screen composes
    it (`Pane.services`), so a pane asks for work without importing the engine and nothing
    sets attributes on it from outside. `polyterm.explorer.services.Services` is the one
    implementation."""

    def ask(self, pane: Pane) -> None:
        """Compute the pane's question now, in the background (its `show` follows)."""

    def fit_basis(self, pane: str, model: str, basis: BasisName) -> None:
        """Express the loaded model `model` in `basis` in the background, for `pane`
        (raw: stop the pane's fit); BasisProgress, BasisReady or BasisFailed follow."""

    def cancel_basis(self, pane: str) -> bool:
        """Stop the pane's basis fit; whether there was one."""

    def cached_models(self) -> tuple[CachedModel, ...]:
        """The models in the cache (loaded or not), as the Models pane lists them."""
        ...

    def open_models(self, names: Sequence[str]) -> None:
        """Select these models and open the ones not loaded (jobs, in the background)."""

    def align(
        self,
        a: Embedding,
        b: Embedding,
        basis: BasisName,
        progress: ProgressFn,
        across_seeds: Embedding | None = None,
    ) -> AlignmentView:
        """The two models compared in `basis` (each fitted first unless stored, then their
        components' stability), in the calling worker; `progress` raises `Cancelled`.
        `across_seeds` (B's different-seed model) adds the seed floor."""
        ...

    def seed_partner(self, a: Embedding, b: Embedding, progress: ProgressFn) -> Embedding | None:
        """B's different-seed model when A and B share a seed: an open one, else opened
        from the cache or trained now, in the calling worker (`progress` raises
        `Cancelled`); None when they do not share a seed or the seed floor is off."""
        ...

    def features(
        self,
        model: Embedding,
        basis: BasisName,
        source: str,
        progress: ProgressFn,
        *,
        dim: int | None = None,
        restrict: int | None = None,
    ) -> FeaturesView:
        """The enriched features of `model`'s ends in `basis` under the feature source
        `source` (one axis with `dim`), beside their nulls, in the calling worker."""
        ...

    def groupings(
        self, a: Embedding, b: Embedding, basis: BasisName, source: str, progress: ProgressFn
    ) -> GroupingsView:
        """The polysemantic groupings the two models share in `basis`, in the calling worker."""
        ...

    def meaning_curve(
        self, models: Sequence[Embedding], basis: BasisName, source: str, progress: ProgressFn
    ) -> MeaningCurveView:
        """The meaning-count curve of `models` in `basis`, in the calling worker."""
        ...

    def sweep(
        self,
        models: Sequence[Embedding],
        corpus: str,
        settings: ComparisonSettings,
        basis: BasisName,
        progress: ProgressFn,
    ) -> SweepView:
        """The sweep of `models` (raw, and `basis` beside it unless raw: each model fitted
        first unless stored), in the calling worker; `progress` raises `Cancelled`."""
        ...


class NoServices:
    """The services of a pane outside the explorer (a widget test): asking does nothing,
    the rest says it needs the explorer."""

    def ask(self, pane: Pane) -> None:
        return None

    def fit_basis(self, pane: str, model: str, basis: BasisName) -> None:
        raise RuntimeError("fitting a basis needs the explorer's services")

    def cancel_basis(self, pane: str) -> bool:
        return False

    def cached_models(self) -> tuple[CachedModel, ...]:
        return ()

    def open_models(self, names: Sequence[str]) -> None:
        return None

    def align(
        self,
        a: Embedding,
        b: Embedding,
        basis: BasisName,
        progress: ProgressFn,
        across_seeds: Embedding | None = None,
    ) -> AlignmentView:
        raise RuntimeError("aligning in a basis needs the explorer's services")

    def seed_partner(self, a: Embedding, b: Embedding, progress: ProgressFn) -> Embedding | None:
        return None

    def features(
        self,
        model: Embedding,
        basis: BasisName,
        source: str,
        progress: ProgressFn,
        *,
        dim: int | None = None,
        restrict: int | None = None,
    ) -> FeaturesView:
        raise RuntimeError("feature labels need the explorer's services")

    def groupings(
        self, a: Embedding, b: Embedding, basis: BasisName, source: str, progress: ProgressFn
    ) -> GroupingsView:
        raise RuntimeError("feature labels need the explorer's services")

    def sweep(
        self,
        models: Sequence[Embedding],
        corpus: str,
        settings: ComparisonSettings,
        basis: BasisName,
        progress: ProgressFn,
    ) -> SweepView:
        from polyterm.views.sweep import sweep_view

        if basis.kind != "raw":
            raise RuntimeError("a sweep in a basis needs the explorer's services")
        return sweep_view(models, corpus=corpus, settings=settings, progress=progress)

    def meaning_curve(
        self, models: Sequence[Embedding], basis: BasisName, source: str, progress: ProgressFn
    ) -> MeaningCurveView:
        raise RuntimeError("feature labels need the explorer's services")


class PaneId(StrEnum):
    """The explorer's own panes, by id (a pane's `PANE_ID`, its widget id and the key of its
    questions). A new pane may add itself here so that code can name it; the registry
    (`polyterm.screens.panes.PANES`) is what puts it on the screen."""

    MODELS = "models"
    DIMS = "dims"
    CALC = "calc"
    COMPARE = "compare"
    SWEEP = "sweep"


class Pane(Vertical):
    """A pane: `view` is the frozen view state it shows (None until the first answer).

    A pane declares what the explorer needs to place it (read by the registry,
    `polyterm.screens.panes`): `PANE_ID` (its id), `NUMBER` (its key, 1-9, and alt+N),
    `LABEL` (its tab, its section in the help and the export), `TIP` (what its key does),
    `SIDEBAR` (shown beside the tabs rather than in one: the Models pane) and its own keys
    in `BINDINGS` (each with an `id`, so a user keymap can move it)."""

    ALLOW_MAXIMIZE = True
    PANE_ID: ClassVar[str] = ""
    NUMBER: ClassVar[int] = 0
    LABEL: ClassVar[str] = ""
    TIP: ClassVar[str] = ""
    SIDEBAR: ClassVar[bool] = False
    FOLLOWS_SELECTION: ClassVar[bool] = True
    """Asked again whenever the loaded or selected models change (out of sight: once shown).
    A pane that asks on its own (the Dimensions pane, through `Changed`) sets False."""

    @classmethod
    def title(cls) -> str:
        """The pane's tab (or border) title: its key and its label, ``3 Calculator``."""
        return f"{cls.NUMBER} {cls.LABEL}"

    class Asked(Message):
        """The pane wants its question (re)computed now."""

        def __init__(self, pane: Pane) -> None:
            self.pane = pane
            super().__init__()

        @property
        def control(self) -> Pane:
            return self.pane

    def __init__(
        self,
        services: PaneServices | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id or self.PANE_ID, classes=("pane " + (classes or "")).strip())
        self.services: PaneServices = services or NoServices()
        if self.SIDEBAR:
            self.border_title = self.title()
        self.view: Any = None
        self.stale = False  # its inputs changed while it was out of sight

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        """What to compute (in a worker) for the pane's current inputs, or None."""
        return None

    def show(self, view: Any) -> None:
        """Show `view`, the answer to the pane's newest question (on the UI thread; the
        explorer drops answers to older questions before they get here). Each pane narrows
        `view` to its own view type."""
        self.view = view

    def export_part(self) -> tuple[str, ...] | None:
        """The keys of the view's tables on screen, when the pane shows only some of them
        (export writes what is seen); None: the whole view."""
        return None

    def export_extra(self) -> tuple[Any, ...]:
        """Views written after the pane's own by export (the Dimensions pane's features)."""
        return ()

    def catalogue_changed(self) -> None:
        """The cache was listed again (`services.cached_models()` changed)."""

    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        """The loaded or selected models changed (called on the UI thread)."""

    def show_error(self, text: str, position: int | None = None) -> None:
        """Show a problem with the pane's question in its `#<pane id>-message` box (panes
        without one ignore it); an empty text hides the box."""
        for box in self.query(f"#{self.PANE_ID}-message").results(Static):
            box.update(plain(text, style=f"bold {self.theme_colour('error', 'red')}"))
            box.set_class(not text, "hidden")

    def cancel_work(self) -> bool:
        """Stop the pane's own background work beside its question (the Dimensions pane's
        features); whether there was some. `x` asks this first."""
        return False

    # -- long computations ----------------------------------------------------------------
    def progress_widget(self) -> WorkProgress | None:
        found = self.query(WorkProgress)
        return found.first() if found else None

    def work_started(self) -> None:
        """A question's worker started (heavy panes show their progress bar)."""

    def work_progress(self, fraction: float) -> None:
        if (bar := self.progress_widget()) is not None:
            bar.advance(fraction)

    def work_stopped(self, cancelled: bool = False) -> None:
        """The worker ended (an answer, a problem, or `cancelled` by the user)."""
        if (bar := self.progress_widget()) is not None:
            bar.stop()

    # -- focus and styles -------------------------------------------------------------------
    def main_widget(self) -> Widget:
        """The widget that takes focus when the user moves to this pane."""
        return self

    def focus_main(self) -> None:
        self.main_widget().focus()

    def theme_colour(self, name: str, fallback: str = "") -> str:
        return theme_colour(self.app, name, fallback)

    def shared_style(self) -> Style:
        """How words found in more than one model's list are highlighted."""
        return Style.parse(f"bold {self.theme_colour('accent', 'yellow')}")

    def word_text(self, word: str, shared: bool) -> Text:
        return plain(f"{word}*" if shared else word, self.shared_style() if shared else "")
