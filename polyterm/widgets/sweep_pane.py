"""Pane 5, Sweep: basis statistics and cross-model similarity across a corpus's models.

The models are the loaded word2vec models of one corpus (`c` picks the corpus, or all
selected models); `r` runs `sweep_view` in a worker with a progress bar (`x` cancels it).
Both tables (per model, between models) and the text plots over dimensions are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from polyterm.core.embedding import Embedding
from polyterm.widgets.pane import Pane, ProgressFn, Question, WorkProgress, plain

if TYPE_CHECKING:  # the views pull in scipy: imported by the worker, not at start-up
    from polyterm.views.sweep import SweepView

SELECTED = "selected"
SWEEP_K = 10
SWEEP_TOP_N = 10_000
SWEEP_REPETITIONS = 10
SWEEP_SEED = 0


def corpus_of(model: Embedding) -> str | None:
    """The corpus a word2vec model was trained on (None for other models)."""
    corpus = model.manifest.get("corpus")
    if model.manifest.get("kind") != "word2vec" or not isinstance(corpus, dict):
        return None
    name = corpus.get("name")
    return str(name) if name else None


def null_short(null: Any) -> str:
    z = "" if null.z is None else f", z {null.z:+.1f}"
    return f"{null.null_mean:.3f}{z}"


class SweepPane(Pane):
    """Pick a set of models, run the sweep, read the tables and plots."""

    PANE_ID = "sweep"
    TITLE = "5 Sweep"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "run",
            "Run sweep",
            id="sweep.run",
            tooltip="Compute the sweep's statistics over the models listed above",
        ),
        Binding(
            "c",
            "choose",
            "Models",
            id="sweep.choose",
            tooltip="Cycle the models swept: each corpus's trained models, or all selected models",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choice: str | None = None  # a corpus name or SELECTED
        self.choices: list[str] = [SELECTED]
        self.candidates: list[Embedding] = []
        self.requested = False
        self._loaded: Mapping[str, Embedding] = {}
        self._chosen: Sequence[Embedding] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="sweep-header", classes="pane-header")
        yield WorkProgress(id="sweep-progress")
        yield Static("", id="sweep-message", classes="message hidden")
        with VerticalScroll(id="sweep-body"):
            yield Static("Per model (each statistic beside its null)", classes="sweep-label")
            models: DataTable[Text | str] = DataTable(
                id="sweep-models", zebra_stripes=True, cursor_type="row"
            )
            yield models
            yield Static("Between models", classes="sweep-label")
            pairs: DataTable[Text | str] = DataTable(
                id="sweep-pairs", zebra_stripes=True, cursor_type="row"
            )
            yield pairs
            yield Static(id="sweep-plots")
            yield Static(id="sweep-readings")

    def main_widget(self) -> Widget:
        return self.query_one("#sweep-models", DataTable)

    def on_mount(self) -> None:
        self.query_one("#sweep-body").display = False
        self._header()

    # -- the models swept ----------------------------------------------------------------------
    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        self._loaded, self._chosen = loaded, chosen
        corpora = sorted({c for m in loaded.values() if (c := corpus_of(m))})
        self.choices = [*corpora, SELECTED]
        if self.choice not in self.choices:
            self.choice = self.choices[0]
        self._pick()

    def _pick(self) -> None:
        if self.choice == SELECTED:
            self.candidates = list(self._chosen)
        else:
            self.candidates = [m for m in self._loaded.values() if corpus_of(m) == self.choice]
        self._header()

    def _header(self) -> None:
        names = ", ".join(m.name for m in self.candidates) or "none"
        what = "selected models" if self.choice == SELECTED else f"{self.choice} models loaded"
        more = " · c: other models" if len(self.choices) > 1 else ""
        self.query_one("#sweep-header", Static).update(
            plain(f"{what}: {names} · r: run the sweep{more}")
        )

    def action_choose(self) -> None:
        i = self.choices.index(self.choice) if self.choice in self.choices else -1
        self.choice = self.choices[(i + 1) % len(self.choices)]
        self._pick()

    def action_run(self) -> None:
        if not self.candidates:
            self.show_error(
                "No models to sweep: train some (t) or select some (space in the "
                "Models pane), then press r."
            )
            return
        self.requested = True
        self.post_message(self.Asked(self))

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        if not self.requested or not self.candidates:
            return None
        self.requested = False
        models = list(self.candidates)
        corpus = "" if self.choice == SELECTED else (self.choice or "")

        def sweep(progress: ProgressFn) -> SweepView:
            from polyterm.views.sweep import sweep_view

            return sweep_view(
                models,
                corpus=corpus,
                k=SWEEP_K,
                top_n=SWEEP_TOP_N,
                repetitions=SWEEP_REPETITIONS,
                seed=SWEEP_SEED,
                progress=progress,
            )

        return sweep

    def work_started(self) -> None:
        self.show_error("")
        self.query_one("#sweep-progress", WorkProgress).start(
            f"sweeping {len(self.candidates)} models"
        )

    def work_stopped(self, cancelled: bool = False) -> None:
        super().work_stopped(cancelled)
        if cancelled:
            self.show_error("sweep cancelled: r runs it again")

    # -- rendering -----------------------------------------------------------------------------
    def show(self, view: SweepView) -> None:
        from polyterm.views.sweep import text_plot

        self.view = view
        self.work_stopped()
        self.show_error("")
        self.query_one("#sweep-body").display = True
        models = self.query_one("#sweep-models", DataTable)
        models.clear(columns=True)
        models.add_columns(
            "model",
            "dims",
            "seed",
            "distinct top-k",
            "null",
            "kurtosis",
            "null",
            "coherence",
            "null",
            "z>2",
        )
        for r in view.models:
            models.add_row(
                plain(r.model.name),
                str(r.dims),
                "—" if r.seed is None else str(r.seed),
                f"{r.repeat_share.observed:.3f}",
                null_short(r.repeat_share),
                f"{r.kurtosis.observed:.2f}",
                null_short(r.kurtosis),
                f"{r.coherence:.3f}",
                f"{r.coherence_null:.3f}",
                f"{r.coherent_dims}/{r.dims}",
            )
        pairs = self.query_one("#sweep-pairs", DataTable)
        pairs.clear(columns=True)
        pairs.add_columns("A", "B", "relation", "CKA", "matched |r|", "rotation null", "residual")
        for p in view.pairs:
            pairs.add_row(
                plain(p.a),
                plain(p.b),
                p.relation,
                f"{p.cka:.3f}",
                f"{p.matched_r.observed:.3f}",
                null_short(p.matched_r),
                f"{p.residual:.3f}",
            )
        first = view.models[0].seed if view.models else None
        rows = [r for r in view.models if r.seed == first]
        width = max(10, self.size.width - 24)
        plots = [
            text_plot(points, width=width, label=label)
            for label, points in (
                (
                    "distinct share of top-k words",
                    [(r.dims, r.repeat_share.observed) for r in rows],
                ),
                ("mean excess kurtosis", [(r.dims, r.kurtosis.observed) for r in rows]),
                ("mean coherence", [(r.dims, r.coherence) for r in rows]),
            )
        ]
        self.query_one("#sweep-plots", Static).update(
            Text("\n\n".join(p for p in plots if p), no_wrap=True, overflow="crop")
        )
        readings = view.readings() or (
            "Train at least two seeds of a size to get a noise "
            "floor (t: the train form's seeds field).",
        )
        self.query_one("#sweep-readings", Static).update(
            Group(*(plain("• " + r) for r in readings))
        )
