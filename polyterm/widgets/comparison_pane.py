from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from polyterm.core.bases import parse_basis_name
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import Convention
from polyterm.safe_text import visible
from polyterm.views.model_summary import ModelSummary
from polyterm.views.protocol import plain as rich_title
from polyterm.views.query import QueryKind, QueryView
from polyterm.views.settings import COMPARISON
from polyterm.widgets.alignment_display import AlignmentDisplay, CompareMode, mode_title
from polyterm.widgets.meanings_display import MeaningsDisplay, MeaningsMode
from polyterm.widgets.pane import (
    FEATURE_OFF,
    RAW_BASIS,
    FitTable,
    Pane,
    PaneId,
    PaneServices,
    ProgressFn,
    Question,
    SafeInput,
    WorkProgress,
    cut,
    next_basis,
    next_source,
    plain,
    share,
)

if TYPE_CHECKING:
    from polyterm.views.alignment import AlignmentView

ALIGN_K = COMPARISON.k
WORD_AND_VALUE = 14  # the narrowest by-index column that shows the values beside the words
ALIGN_TOP_N = COMPARISON.top_n
ALIGN_REPETITIONS = COMPARISON.repetitions
ALIGN_SEED = COMPARISON.seed
SEED_SHARE = 0.3
"""The share of the progress bar for opening (or training) the seed-floor partner."""
INDEX_HELP = (
    "Ask something in the calculator (3), the dimension browser (2) or above; v "
    "switches to the first two selected models matched and aligned."
)
PAIR_HINT = (
    "Select two models (space in the Models pane) to match and align them; the "
    "first two selected are compared."
)


@dataclass(frozen=True, slots=True)
class ExpressionQuery:
    """The nearest words to an expression (from the calculator or the pane's own box)."""

    text: str
    convention: Convention = Convention.NORMALISED
    include_query: bool = False

    def describe(self) -> str:
        return f"the nearest words to “{self.text}”"


@dataclass(frozen=True, slots=True)
class DimensionQuery:
    """Both ends of one dimension index (followed from the dimension browser)."""

    dim: int
    k: int = 10
    restrict: int | None = None
    scale: Scale = Scale.RAW

    def describe(self) -> str:
        return f"dimension {self.dim}"


@dataclass(frozen=True, slots=True)
class IndexQuestion:
    """What the by-index table answers: a query in the selected models (by content)."""

    query: ExpressionQuery | DimensionQuery
    models: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PairQuestion:
    """What the matched / aligned / summary views answer: the first two selected models."""

    a: str  # name@content hash: a retrained model of the same name is another question
    b: str
    basis: str = RAW_BASIS  # both models in this basis (raw, pca, ica, dict:K)


MAP_WORDS = 16  # the query's words drawn by the map (its own list: up to the view's limit)


@dataclass(frozen=True, slots=True)
class MeaningsQuestion:
    """What the groupings or map view answers: the selected models (by content), the
    basis and feature source (groupings) or the words (map)."""

    mode: MeaningsMode
    models: tuple[str, ...]
    basis: str = RAW_BASIS
    source: str = ""
    words: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.mode is MeaningsMode.MAP:
            return f"map of {len(self.words)} words in {len(self.models)} models"
        if self.mode is MeaningsMode.BLIND:
            return "blind alignment (no anchors; x cancels)"
        where = "" if self.basis == RAW_BASIS else f" in {self.basis}"
        return f"shared groupings ({self.source}){where}"


def map_words(text: str) -> tuple[str, ...]:
    """A typed word list (commas or spaces between words), or () for a single word."""
    words = tuple(w for w in text.replace(",", " ").split() if w)
    return words if len(words) >= 2 else ()


def model_key(model: Embedding | ModelSummary) -> str:
    summary = model if isinstance(model, ModelSummary) else ModelSummary.of(model)
    return f"{summary.name}@{summary.content_sha256}"


def parse_query(text: str) -> tuple[str, int | None]:
    """`#12` or `dim 12` asks for a dimension; anything else is a word or expression."""
    t = text.strip()
    for prefix in ("#", "dim ", "dim:", "d:"):
        if t.lower().startswith(prefix) and t[len(prefix) :].strip().isdigit():
            return t, int(t[len(prefix) :].strip())
    return t, None


class ComparisonPane(Pane):
    """The current query compared by index, or the first two selected models aligned.

    It shows the answer to its current question or says that it is being computed (or
    was cancelled): never an earlier answer under the current question."""

    PANE_ID = PaneId.COMPARE
    NUMBER = 4
    LABEL = "Compare"
    TIP = "Go to the comparison pane"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "view",
            "View",
            id="compare.view",
            tooltip="Switch the view: by index, matched dimensions, aligned dimensions "
            "(after Procrustes), whole-model summary",
        ),
        Binding(
            "b",
            "basis",
            "Basis",
            id="compare.basis",
            tooltip="Cycle the basis of the matched, aligned and summary views: raw, pca, "
            "ica, dict:K (K = 4 × the first model's dims); both models are put in it first",
        ),
        Binding(
            "w",
            "meanings",
            "Meanings",
            id="compare.meanings",
            show=False,  # the pane's header names it; the help lists it
            tooltip="Show the polysemantic groupings the first two selected models share "
            "(in the pane's basis), then a map of the query's words (or a typed word list) in "
            "every selected model, then back",
        ),
        Binding(
            "l",
            "source",
            "Features",
            id="compare.features",
            show=False,  # the pane's header names it; the help lists it
            tooltip="Cycle the feature source of the groupings view: wordnet, pos, genre",
        ),
        Binding(
            "slash",
            "query",
            "Query",
            id="compare.query",
            tooltip="Type a word, an expression or #<dim> in the query box (esc leaves it)",
        ),
    ]

    Asked = Pane.Asked

    def __init__(self, services: PaneServices | None = None) -> None:
        super().__init__(services)
        self.subject: ExpressionQuery | DimensionQuery | None = None  # the query followed
        self.convention = Convention.NORMALISED
        self.include_query = False
        self.mode = CompareMode.INDEX
        self.chosen_keys: tuple[str, ...] = ()  # the selected models, by content
        self.query_view: QueryView | None = None
        self.query_answers: IndexQuestion | None = None  # what `query_view` answers
        self.index_asked: IndexQuestion | None = None  # the newest by-index question asked
        self.index_cancelled: IndexQuestion | None = None
        self.index_failed: IndexQuestion | None = None  # its problem is in the message box
        self._rendered: IndexQuestion | None = None  # what the by-index table shows now
        self.alignment: AlignmentView | None = None
        self.alignment_for: PairQuestion | None = None  # the question `alignment` answers
        self.basis = RAW_BASIS  # of the matched / aligned / summary views (`b`)
        self.pair: tuple[Embedding, Embedding] | None = None
        self.computing: PairQuestion | None = None  # the pair being aligned now
        self.declined: PairQuestion | None = None  # cancelled: not restarted by itself
        self.failed: PairQuestion | None = None  # its problem is in the message box
        self.focus_dim: tuple[str | None, int] | None = None  # (model, dim) being browsed
        self._hinted = False  # the message box shows PAIR_HINT
        self.meanings: MeaningsMode | None = None  # the groupings or map view (`w`)
        self.source = "wordnet"  # the groupings' feature source (`l`)
        self.typed_words: tuple[str, ...] = ()  # a word list typed for the map
        self.chosen_models: tuple[Embedding, ...] = ()
        self.meanings_view: object | None = None
        self.meanings_for: MeaningsQuestion | None = None  # what `meanings_view` answers
        self.meanings_asked: MeaningsQuestion | None = None  # being computed
        self.meanings_state: dict[MeaningsQuestion, str] = {}  # cancelled, or its problem

    def follow_expression(self, text: str, convention: Convention, include_query: bool) -> None:
        self.subject = ExpressionQuery(text, convention, include_query)
        self._show_mode()

    def follow_dimension(
        self,
        dim: int,
        k: int = 10,
        restrict: int | None = None,
        scale: Scale = Scale.RAW,
        model: str | None = None,
    ) -> None:
        self.subject = DimensionQuery(dim, k, restrict, scale)
        self.focus_dim = (model, dim)
        if self.mode is CompareMode.INDEX:
            self._show_mode()

    # -- questions ----------------------------------------------------------------------------
    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        self.chosen_keys = tuple(model_key(m) for m in chosen)
        self.chosen_models = tuple(chosen)
        self.pair = (chosen[0], chosen[1]) if len(chosen) >= 2 else None
        self._show_mode()

    def index_question(self) -> IndexQuestion | None:
        """The by-index question of now, if there is one."""
        if self.subject is None or not self.chosen_keys:
            return None
        return IndexQuestion(self.subject, self.chosen_keys)

    def pair_question(self) -> PairQuestion | None:
        """The pair question of now, if two models are selected."""
        if self.pair is None:
            return None
        a, b = self.pair
        return PairQuestion(model_key(a), model_key(b), self.basis)

    def aligned_now(self) -> bool:
        """Whether the alignment held is of the two models selected now, in the basis."""
        pair = self.pair_question()
        return pair is not None and self.alignment is not None and pair == self.alignment_for

    def meanings_question(self) -> MeaningsQuestion | None:
        """The groupings or map question of now (None: not enough models or words)."""
        mode = self.meanings
        if mode is None:
            return None
        if mode is MeaningsMode.GROUPINGS:
            if len(self.chosen_keys) < 2:
                return None
            return MeaningsQuestion(mode, self.chosen_keys[:2], self.basis, self.source)
        if mode is MeaningsMode.BLIND:
            two = self.chosen_keys[:2]
            return MeaningsQuestion(mode, two) if len(two) == 2 else None
        words = self.typed_words or self.query_words()
        if not self.chosen_keys or len(words) < 3:
            return None
        return MeaningsQuestion(mode, self.chosen_keys, words=words)

    def query_words(self) -> tuple[str, ...]:
        """The words of the current query's answer (the query, then each model's list)."""
        view = self.query_view
        if view is None or self.query_answers != self.index_question():
            return ()
        words: list[str] = []
        if view.kind is not QueryKind.DIMENSION:
            words += [w for w in view.query.replace(",", " ").split() if w.isalnum()]
        for r in view.results:
            for e in (*r.entries, *r.bottom):
                words.append(e.word)
        return tuple(dict.fromkeys(words))[:MAP_WORDS]

    def answered_now(self) -> bool:
        """Whether the current mode's answer to its current question is held."""
        if self.meanings is not None:
            asked = self.meanings_question()
            return asked is None or asked == self.meanings_for
        if self.mode is CompareMode.INDEX:
            q = self.index_question()
            return q is not None and q == self.query_answers and self.query_view is not None
        return self.aligned_now()

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        from polyterm.views.query import dimension_query_view, expression_view

        if self.meanings is not None:
            return self._meanings_question(chosen)
        self.meanings_asked = None  # a groupings or map question asked before is replaced
        if self.mode is not CompareMode.INDEX:
            return self._alignment_question(loaded)
        self.computing = None
        q, models = self.subject, list(chosen)
        if not models or q is None:
            return None
        self.index_asked = IndexQuestion(q, tuple(model_key(m) for m in models))
        self.index_cancelled = self.index_failed = None
        if isinstance(q, DimensionQuery):
            return lambda _: dimension_query_view(
                models, q.dim, k=q.k, restrict=q.restrict, scale=q.scale
            )
        return lambda _: expression_view(
            models, q.text, convention=q.convention, include_query=q.include_query
        )

    def _meanings_question(self, chosen: Sequence[Embedding]) -> Question | None:
        q = self.meanings_question()
        if q is None or q == self.meanings_for or q in self.meanings_state:
            return None
        self.computing = None
        self.meanings_asked = q
        models, services = list(chosen), self.services
        if q.mode is MeaningsMode.GROUPINGS:
            a, b = models[0], models[1]
            basis = parse_basis_name(q.basis)
            return lambda progress: services.groupings(a, b, basis, q.source, progress)
        if q.mode is MeaningsMode.BLIND:
            first, second = models[0], models[1]

            def blind(progress: ProgressFn) -> object:
                # the progress callback raises Cancelled after `x`: the run stops at its next round
                from polyterm.core.blind_alignment import DEFAULT_WORDS
                from polyterm.core.shared_vocab import shared_vocabulary
                from polyterm.views.blind import blind_view

                shared = shared_vocabulary([first.vocab, second.vocab]).total_shared
                return blind_view(first, second, words=min(DEFAULT_WORDS, shared),
                                  progress=lambda f, _stage: progress(f))  # fmt: skip

            return blind

        def draw_map(progress: ProgressFn) -> object:
            from polyterm.views.word_map import word_map_view

            progress(0.0)
            return word_map_view(models, q.words)

        return draw_map

    def action_meanings(self) -> None:
        """The groupings view, then the map, then the blind alignment, then back to the view
        the pane showed."""
        self.meanings = MeaningsMode.GROUPINGS if self.meanings is None else self.meanings.next()
        self.meanings_state.clear()  # a view cancelled or failed is asked again
        self.show_error("")
        self._show_mode()
        self.focus_main()
        if not self.answered_now():
            self.post_message(self.Asked(self))

    def action_source(self) -> None:
        """The groupings' next feature source (off is not one: `w` leaves the view)."""
        self.source = next_source(self.source)
        if self.source == FEATURE_OFF:
            self.source = next_source(self.source)
        if self.meanings is not MeaningsMode.GROUPINGS:
            self.meanings = MeaningsMode.GROUPINGS
        self.meanings_state.clear()
        self._show_mode()
        self.focus_main()
        if not self.answered_now():
            self.post_message(self.Asked(self))

    def _alignment_question(self, loaded: Mapping[str, Embedding] | None = None) -> Question | None:
        pair = self.pair_question()
        if self.pair is None or pair is None or self.aligned_now():
            return None
        if pair in (self.computing, self.declined):
            return None
        self.computing, self.declined, self.failed = pair, None, None
        a, b = self.pair
        basis, services = self.basis, self.services

        others = tuple((loaded or {}).values())

        def align(progress: ProgressFn) -> AlignmentView:
            from polyterm.views.alignment import alignment_view
            from polyterm.views.seed_floor import loaded_partner

            # the seed floor (as `align` prints it): B's other-seed model, open or opened
            # from the cache or trained now (the first part of the bar), unless set off
            partner = loaded_partner(a, b, others)
            share = 0.0
            if partner is None:
                partner = services.seed_partner(a, b, lambda f: progress(SEED_SHARE * f))
                share = SEED_SHARE if partner is not None else 0.0

            def rest(fraction: float) -> None:
                progress(share + (1.0 - share) * fraction)

            if basis != RAW_BASIS:  # fitted by the explorer's basis store
                return services.align(a, b, parse_basis_name(basis), rest, partner)
            return alignment_view(
                a,
                b,
                k=ALIGN_K,
                top_n=ALIGN_TOP_N,
                repetitions=ALIGN_REPETITIONS,
                seed=ALIGN_SEED,
                progress=rest,
                across_seeds=partner,
            )

        return align

    def request_alignment(self) -> None:
        """Show the alignment of the selected pair, computing it if needed."""
        self.declined = None
        if self.mode is CompareMode.INDEX:
            self.mode = CompareMode.MATCHED
        self._show_mode()
        self.post_message(self.Asked(self))

    def work_started(self) -> None:
        q = self.meanings_asked
        if self.meanings is not None and q is not None:
            self.query_one("#compare-progress", WorkProgress).start(q.describe())
        elif self.computing is not None and self.pair is not None:
            bar = self.query_one("#compare-progress", WorkProgress)
            a, b = self.pair[0].name, self.pair[1].name
            basis = self.computing.basis
            where = "" if basis == RAW_BASIS else f"in {basis} (fitted first): "
            bar.start(f"{where}aligning {a} with {b}")
        self._show_mode()

    def work_stopped(self, cancelled: bool = False) -> None:
        super().work_stopped(cancelled)
        if self.meanings_asked is not None:
            asked, self.meanings_asked = self.meanings_asked, None
            self.meanings_state[asked] = (
                "cancelled: w or l asks again" if cancelled else "no answer"
            )
            self._show_mode()
            return
        if cancelled and self.computing is not None:
            self.declined = self.computing
            self.show_error(
                "alignment cancelled: v (view) or the palette's “Align selected "
                "models” starts it again"
            )
        elif self.computing is not None:
            self.failed = self.computing
        elif self.index_asked != self.query_answers:
            if cancelled:
                self.index_cancelled = self.index_asked
            else:
                self.index_failed = self.index_asked
        self.computing = None
        self._show_mode()

    # -- widgets ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SafeInput(
            placeholder="a word, an expression, or #<dim> for a dimension", id="compare-input"
        )
        defaults = COMPARISON.pane_defaults("compare")
        yield Static(defaults, id="compare-defaults", classes="pane-defaults").with_tooltip(
            defaults
        )
        yield Static(INDEX_HELP, id="compare-title", classes="pane-header")
        yield WorkProgress(id="compare-progress")
        yield Static("", id="compare-message", classes="message hidden")
        with Vertical(id="compare-index"):
            yield FitTable(id="compare-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="compare-pairs")
        yield AlignmentDisplay()
        yield MeaningsDisplay()

    def main_widget(self) -> Widget:
        if self.meanings is not None:
            return self.query_one(MeaningsDisplay).main_widget()  # type: ignore[no-any-return]
        if self.mode is CompareMode.INDEX:
            return self.query_one("#compare-table", DataTable)
        return self.query_one(AlignmentDisplay).main_widget()  # type: ignore[no-any-return]

    def action_query(self) -> None:
        """Focus the query box (it belongs to the by-index table, shown first if needed)."""
        if self.meanings is MeaningsMode.MAP:  # the map's word list
            self.query_one("#compare-input", Input).focus()
            return
        self.meanings = None
        for _ in CompareMode:
            if self.mode is CompareMode.INDEX:
                break
            self.action_view()
        self.query_one("#compare-input", Input).focus()

    def action_basis(self) -> None:
        """The next basis for the two models' views (from the by-index table: the matched
        view in it)."""
        dims = self.pair[0].dims if self.pair is not None else 0
        self.basis = next_basis(self.basis, dims) if dims else RAW_BASIS
        if self.mode is CompareMode.INDEX:
            self.mode = CompareMode.MATCHED
        self.declined = None
        self.show_error("")
        self._show_mode()
        self.focus_main()
        if not self.answered_now():
            self.post_message(self.Asked(self))

    def action_view(self) -> None:
        if self.meanings is not None:  # back to the view the pane showed
            self.meanings = None
        else:
            self.mode = self.mode.next()
        self.declined = None
        self.show_error("")
        self._show_mode()
        self.focus_main()
        if not self.answered_now():
            self.post_message(self.Asked(self))

    def _show_mode(self) -> None:
        """Show the mode's widgets and its answer to the current question (what export
        writes), or say that it is being computed, was cancelled or needs something."""
        if not self.is_mounted:
            return
        meanings = self.meanings is not None
        self.query_one(MeaningsDisplay).set_class(not meanings, "hidden")
        index = self.mode is CompareMode.INDEX and not meanings
        shows_box = index or self.meanings is MeaningsMode.MAP
        self.query_one("#compare-input").set_class(not shows_box, "hidden")
        self.query_one("#compare-index").set_class(not index, "hidden")
        if meanings:
            self.query_one(AlignmentDisplay).add_class("hidden")
            self._show_meanings()
        elif index:
            self._show_index()
        else:
            self._show_alignment()

    def _show_meanings(self) -> None:
        """The groupings or map answering the question of now, or what it waits for."""
        display = self.query_one(MeaningsDisplay)
        title = self.query_one("#compare-title", Static)
        mode = self.meanings
        assert mode is not None
        q = self.meanings_question()
        if q is not None and q == self.meanings_for and self.meanings_view is not None:
            self.view = self.meanings_view
            display.show(self.meanings_view, mode)
            title.update(plain(self._meanings_title(q)))
            return
        self.view = None
        display.clear()
        if q is None:
            need = (
                "ask a word or expression above (or type 3+ words, e.g. cat dog horse) "
                "to map its words in the selected models"
                if mode is MeaningsMode.MAP
                else f"select two models (space in the Models pane) for their {mode.value} view"
            )
            title.update(plain(f"{mode.value} · {need} · w: next view, v: back"))
            return
        state = self.meanings_state.get(q, "computing …")
        title.update(plain(f"{q.describe()} · {state}"))

    def _meanings_title(self, q: MeaningsQuestion) -> str:
        view = self.meanings_view
        title = getattr(view, "title", None)
        head = rich_title(title()) if callable(title) else q.describe()
        keys = {
            MeaningsMode.GROUPINGS: "l: source, b: basis, w: map",
            MeaningsMode.MAP: "w: blind alignment",
        }.get(q.mode, "w: back")
        return f"{head} · {keys}"

    def _show_index(self) -> None:
        self.query_one(AlignmentDisplay).add_class("hidden")
        title = self.query_one("#compare-title", Static)
        q = self.index_question()
        if self._hinted:
            self.show_error("")
        if q is not None and self.answered_now() and self.query_view is not None:
            self.view = self.query_view
            if self._rendered != q:
                self._show_query(self.query_view)
                self._show_overlap(self.query_view)
                self._rendered = q
            title.update(plain(self._query_title(self.query_view)))
            return
        self.view = None
        if self._rendered is not None:  # an earlier answer: gone at once
            table = self.query_one("#compare-table", FitTable)
            table.fill(lambda _: table.clear(columns=True))
            self.query_one("#compare-pairs", Static).update("")
            self._rendered = None
        if q is None:
            title.update(INDEX_HELP)
        elif q == self.index_cancelled:
            title.update(plain(f"{q.query.describe()} · cancelled: ask again above"))
        elif q == self.index_failed:
            title.update(plain(f"{q.query.describe()} · no answer"))
        else:
            n = len(q.models)
            title.update(plain(f"computing {q.query.describe()} in {n} model{'s' * (n != 1)} …"))

    def _show_alignment(self) -> None:
        display = self.query_one(AlignmentDisplay)
        title = self.query_one("#compare-title", Static)
        pair = self.pair_question()
        if self.pair is None or pair is None:
            self.view = None
            display.add_class("hidden")
            title.update(mode_title(self.mode, self.basis))
            self.show_error(PAIR_HINT)
            return
        if self._hinted:
            self.show_error("")
        if self.alignment is not None and self.aligned_now():
            self.view = self.alignment
            display.remove_class("hidden")
            model, dim = self.focus_dim or (None, None)
            focus = dim if model == self.alignment.a.name and self.basis == RAW_BASIS else None
            display.show(self.alignment, self.mode, focus, self.basis)
            title.update(plain(display.title()))
            return
        self.view = None
        # emptied, not hidden: its table keeps the focus, so the pane's keys still answer
        display.remove_class("hidden")
        display.clear()
        state = {self.declined: "cancelled", self.failed: "no answer"}.get(pair, "computing …")
        a, b = self.pair
        what = mode_title(self.mode, self.basis)
        title.update(plain(f"{what} · {a.name} vs {b.name} · {state}"))

    @on(Input.Submitted, "#compare-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.meanings is MeaningsMode.MAP:  # the map's own word list, or a query's words
            self.typed_words = map_words(event.value)
            if not self.typed_words and event.value.strip():
                self.follow_expression(event.value.strip(), self.convention, self.include_query)
                self.meanings = None  # its answer first: the map follows with `w w`
            self._show_mode()
            self.post_message(self.Asked(self))
            return
        text, dim = parse_query(event.value)
        if dim is not None:
            self.follow_dimension(dim)
        elif text:
            self.follow_expression(text, self.convention, self.include_query)
        if text:
            self.post_message(self.Asked(self))

    def export_part(self) -> tuple[str, ...] | None:
        """The matched, aligned or summary part of the alignment (export writes the view on
        screen, not the whole align report); the by-index view is whole."""
        view = self.view
        if self.meanings is not None:
            return None
        if self.mode is CompareMode.INDEX or view is None or not hasattr(view, "tables"):
            return None
        keys = [t.key for t in view.tables()]
        if self.mode is CompareMode.SUMMARY:
            return tuple(k for k in keys if k in ("models", "statistics"))
        if self.mode is CompareMode.ALIGNED:
            return tuple(k for k in keys if k in ("models", "aligned"))
        return tuple(k for k in keys if k not in ("statistics", "aligned"))

    def show_error(self, text: str, position: int | None = None) -> None:
        self._hinted = text == PAIR_HINT
        super().show_error(text, position)

    def show(self, view: QueryView | AlignmentView) -> None:
        self.show_error("")
        super().work_stopped()  # the progress bar
        if self.meanings_asked is not None:  # the groupings or map asked last
            self.meanings_view, self.meanings_for = view, self.meanings_asked
            self.meanings_asked = None
            self._show_mode()
            return
        asked = self.computing  # the newest question asked: the answer is to it
        self.computing = None
        if isinstance(view, QueryView):
            self.query_view, self.query_answers = view, self.index_asked
            self._rendered = None  # a new answer: drawn afresh
        else:
            if asked is None:  # (not expected) taken as the pair of now
                asked = self.pair_question()
            self.alignment, self.alignment_for = view, asked
        self._show_mode()

    def _query_title(self, view: QueryView) -> str:
        if view.kind is QueryKind.DIMENSION:
            return (
                f"dimension {view.query} in each model ({view.value_label}); dimensions "
                "are compared by index, not aligned (v: matched and aligned)"
            )
        return f"nearest words to “{view.query}” (cosine, {view.convention.value})"

    def _show_query(self, view: QueryView) -> None:
        table = self.query_one("#compare-table", FitTable)
        table.fill(lambda room: self._draw_query(table, view, room))

    def _draw_query(self, table: FitTable, view: QueryView, room: int | None) -> None:
        """The by-index table, each model's column cut to fit `room` cells: words end in
        … when cut, and a column too narrow for word and value shows the word only."""
        ok = [r for r in view.results if r.error is None]
        shared = {w for w, _ in view.overlap.recurring}
        first = len("J / RBO") if len(ok) > 1 else len("rank")
        column = share(room, (first,), len(ok), least=8)
        values = column is None or column >= WORD_AND_VALUE
        words = None if column is None else column - len(" +0.000") if values else column
        table.clear(columns=True)
        table.add_column("rank", key="rank")
        for r in ok:
            table.add_column(cut(plain(r.model.name), column), key=r.model.name)
        ends = [("top", [r.entries for r in ok])]
        if view.kind is QueryKind.DIMENSION:
            ends.append(("bottom", [r.bottom for r in ok]))
        for end, lists in ends:
            depth = max((len(x) for x in lists), default=0)
            for i in range(depth):
                cells: list[Text | str] = [str(i + 1) if end == "top" else f"−{i + 1}"]
                for entries in lists:
                    if i < len(entries):
                        e = entries[i]
                        cell = cut(self.word_text(e.word, e.word in shared), words)
                        if values:
                            cell.append(f" {e.value:.3f}", style="dim")
                        cells.append(cell)
                    else:
                        cells.append("")
                table.add_row(*cells, key=f"{end}-{i}")
        if len(ok) > 1:
            summary: list[Text | str] = [Text("J / RBO", style="bold")]
            for r in ok:
                pairs = [p for p in view.overlap.pairs if r.model.name in (p.a, p.b)]
                j = sum(p.jaccard for p in pairs) / len(pairs)
                rbo = sum(p.rbo for p in pairs) / len(pairs)
                pair = f"{j:.2f} / {rbo:.2f}" if values else f"{j:.2f}/{rbo:.2f}"
                summary.append(cut(Text(pair, style="bold"), column))
            table.add_row(*summary, key="summary")

    def _show_overlap(self, view: QueryView) -> None:
        """Under the table: each pair of models' overlap, and any model's problem."""
        self.query_one("#compare-pairs", Static).update(self._pairs(view))
        errors = [f"{r.model.name}: {r.error}" for r in view.results if r.error]
        if errors:
            self.show_error("\n".join(errors))

    def _pairs(self, view: QueryView) -> Table | Text:
        o = view.overlap
        if not o.pairs:
            return Text("Only one model answered: select more models (space in the Models pane).")
        t = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        for col in ("model A", "model B", "Jaccard", "RBO p=0.9", "shared"):
            t.add_column(col)
        for p in o.pairs:
            t.add_row(
                plain(p.a),
                plain(p.b),
                f"{p.jaccard:.2f}",
                f"{p.rbo:.2f}",
                plain(", ".join(visible(w) for w in p.shared) or "—", self.shared_style()),
            )
        return t
