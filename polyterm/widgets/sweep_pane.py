"""Pane 5, Sweep: basis statistics and cross-model similarity across a corpus's models.

The models are the loaded word2vec models of one corpus (`c` picks the corpus, or all
selected models); `r` runs `sweep_view` in a worker with a progress bar (`x` cancels it).
Both tables (per model, between models) and the text plots over dimensions are shown.

A sweep compares sizes of one model family: word2vec models of one corpus and training
setup, differing only in dimensions and seed. Of the models offered, the largest family
is swept; every other model is named with why it is left out (a file or pretrained model
has no sizes; another corpus or setup would make "adjacent sizes" differ in more than
size). The plots show one seed; the models of other seeds are said to be in the tables.
The plots are redrawn for the pane's width whenever it changes (maximised or not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from polyterm.core.bases import parse_basis_name
from polyterm.core.embedding import Embedding
from polyterm.views.rich_cells import rich_cell as rich_label
from polyterm.views.settings import COMPARISON
from polyterm.widgets.models_pane import natural_key
from polyterm.widgets.pane import (
    FEATURE_OFF,
    RAW_BASIS,
    FitTable,
    Pane,
    PaneId,
    PaneServices,
    ProgressFn,
    Question,
    WorkProgress,
    next_source,
    plain,
)
from polyterm.widgets.view_tables import draw_table, view_table

if TYPE_CHECKING:  # the views pull in scipy: imported by the worker, not at start-up
    from polyterm.views.meaning_curve import MeaningCurveView
    from polyterm.views.sweep import SweepView

CURVE_BASIS = RAW_BASIS  # the meaning curve's basis (the sweep's own: the models' dimensions)

SWEEP_DICT_ATOMS = 120  # one dictionary size for every model of a sweep
SWEEP_BASES = (RAW_BASIS, "pca", "ica", f"dict:{SWEEP_DICT_ATOMS}")
"""The bases `b` steps through: the same for every size, so sizes compare in one basis."""

SELECTED = "selected"
SWEEP_SETTINGS = COMPARISON
"""The sweep's k, shared words, null draws and seed: the CLI's `sweep` defaults (its null
draws were 10 here where the CLI drew 20)."""


def corpus_of(model: Embedding) -> str | None:
    """The corpus a word2vec model was trained on (None for other models)."""
    corpus = model.manifest.get("corpus")
    if model.manifest.get("kind") != "word2vec" or not isinstance(corpus, dict):
        return None
    name = corpus.get("name")
    return str(name) if name else None


SetupKey = tuple[str, str, tuple[tuple[str, str], ...]]
"""A model family: corpus name, corpus content hash, and the training parameters other
than dims and seed."""


def family_of(model: Embedding) -> SetupKey | None:
    """The family `model` belongs to, or None when it was not trained here."""
    corpus = corpus_of(model)
    if corpus is None:
        return None
    info = model.manifest.get("corpus")
    digest = str(info.get("sha256", "")) if isinstance(info, dict) else ""
    params = model.manifest.get("params")
    setup = params if isinstance(params, dict) else {}
    rest = tuple(sorted((str(k), str(v)) for k, v in setup.items() if k not in ("dims", "seed")))
    return corpus, digest, rest


def _setup_text(key: SetupKey, against: SetupKey) -> str:
    """How family `key` differs from `against`, in words."""
    if key[0] != against[0]:
        return f"trained on {key[0]}, not {against[0]}"
    if key[1] != against[1]:
        return f"trained on another {key[0]} text"
    theirs, ours = dict(key[2]), dict(against[2])
    keys = sorted(set(theirs) | set(ours))
    diffs = [f"{k}={theirs.get(k, '?')}" for k in keys if theirs.get(k) != ours.get(k)]
    return "trained with " + (", ".join(diffs) or "other settings")


def split_families(models: Sequence[Embedding]) -> tuple[list[Embedding], list[tuple[str, str]]]:
    """The models to sweep (the largest family, first offered on a tie) and each other
    model's name with why it is left out."""
    families: dict[SetupKey, list[Embedding]] = {}
    for m in models:
        if (key := family_of(m)) is not None:
            families.setdefault(key, []).append(m)
    if not families:
        swept_key: SetupKey | None = None
        swept: list[Embedding] = []
    else:
        swept_key = max(families, key=lambda k: len(families[k]))  # first on a tie
        swept = families[swept_key]
    left_out: list[tuple[str, str]] = []
    for m in models:
        key = family_of(m)
        if key is None:
            left_out.append((m.name, "not a word2vec model trained here: it has no sizes to sweep"))
        elif swept_key is not None and key != swept_key:
            reason = _setup_text(key, swept_key)
            left_out.append((m.name, f"{reason}: sizes are compared within one corpus and setup"))
    return swept, left_out


def whole_width(table: DataTable[Any]) -> int:
    """The cells `table` needs to show every column whole (its widest cell or label per
    column, padded): set as its width, so the pane's body scrolls rather than the table
    cutting a number at its edge (a DataTable measures itself only when idle)."""
    widths: list[int] = []
    for key, column in table.columns.items():
        cells = [table.get_cell(row, key) for row in table.rows]
        widest = max([Text(str(column.label)).cell_len, *(_cell_len(c) for c in cells)])
        widths.append(widest + 2 * table.cell_padding)
    return sum(widths)


@dataclass(frozen=True, slots=True)
class SweepWithCurve:
    """A sweep and the meaning curve of its models (a feature source chosen)."""

    sweep: SweepView
    curve: MeaningCurveView


def _cell_len(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else Text(str(cell)).cell_len


def null_short(null: Any) -> str:
    if getattr(null, "degenerate", False):
        return "— (unchanged)"
    z = "" if null.z is None else f", z {null.z:+.1f}"
    return f"{null.null_mean:.3f}{z}"


class SweepPane(Pane):
    """Pick a set of models, run the sweep, read the tables and plots."""

    PANE_ID = PaneId.SWEEP
    NUMBER = 5
    LABEL = "Sweep"
    TIP = "Go to the dimension sweep"
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
        Binding(
            "a",
            "open_cached",
            "Open cached",
            show=False,  # the header says "a: open N cached" when there are some
            id="sweep.open-cached",
            tooltip="Open (and select) the cached models of the corpus shown that are not "
            "loaded yet, so the sweep takes them",
        ),
        Binding(
            "b",
            "basis",
            "Basis",
            id="sweep.basis",
            show=False,  # the pane's header names it; the help lists it
            tooltip="Cycle the basis the sweep also compares the models in: raw, pca, ica, "
            f"dict:{SWEEP_DICT_ATOMS} (r sweeps in it; each model fitted first unless stored)",
        ),
        Binding(
            "l",
            "source",
            "Features",
            id="sweep.features",
            show=False,  # the pane's header names it; the help lists it
            tooltip="Cycle the feature source of the meaning-count curve under the sweep: "
            "wordnet, pos, genre, off (r computes it with the sweep; over a sweep shown, "
            "at once)",
        ),
    ]

    def __init__(self, services: PaneServices | None = None) -> None:
        super().__init__(services)
        self.choice: str | None = None  # a corpus name or SELECTED
        self.choices: list[str] = [SELECTED]
        self.candidates: list[Embedding] = []  # the models swept
        self.left_out: list[tuple[str, str]] = []  # (model, why it is not swept)
        self.unopened: list[str] = []  # cached models of the corpus shown, not loaded
        self.plot_width = -1  # the width the plots were drawn for
        self.requested = False
        self._loaded: Mapping[str, Embedding] = {}
        self._chosen: Sequence[Embedding] = ()
        self.source = FEATURE_OFF  # the meaning curve's feature source (`l`)
        self.curve: MeaningCurveView | None = None  # the curve shown (of `view`'s models)
        self.curve_asked = False  # the next question is the curve alone
        self.basis = RAW_BASIS  # the basis the sweep also compares in (`b`)
        self.chosen_by_user = False  # `c` pressed: the choice is the user's, kept

    def compose(self) -> ComposeResult:
        defaults = COMPARISON.pane_defaults("sweep")
        yield Static(defaults, id="sweep-defaults", classes="pane-defaults").with_tooltip(defaults)
        yield Static(id="sweep-header", classes="pane-header")
        yield Static("", id="sweep-left-out", classes="note hidden")
        yield WorkProgress(id="sweep-progress")
        yield Static("", id="sweep-message", classes="message hidden")
        with VerticalScroll(id="sweep-body"):
            yield Static("Per model (each statistic beside its null)", classes="sweep-label")
            models: DataTable[Text | str] = DataTable(
                id="sweep-models", zebra_stripes=True, cursor_type="none"
            )
            models.can_focus = False  # the body scrolls: ↑↓ PageUp/PageDown, ←→ for columns
            yield models
            yield Static("Between models", classes="sweep-label")
            pairs: DataTable[Text | str] = DataTable(
                id="sweep-pairs", zebra_stripes=True, cursor_type="none"
            )
            pairs.can_focus = False
            yield pairs
            yield Static("", id="sweep-basis-label", classes="sweep-label hidden")
            yield FitTable(id="sweep-basis-pairs", cursor_type="none", classes="hidden")
            yield Static(id="sweep-plots")
            yield Static(id="sweep-readings")
            yield Static(id="sweep-curve-title", classes="sweep-label hidden")
            yield FitTable(id="sweep-curve", cursor_type="none", classes="hidden")
            yield Static(id="sweep-curve-note", classes="hidden")

    def main_widget(self) -> Widget:
        """The body: it scrolls down to the plots and readings, and sideways to every
        column (the tables are as wide as their columns: a number is never cut at the
        pane's edge, the horizontal scrollbar says there is more)."""
        return self.query_one("#sweep-body", VerticalScroll)

    def on_mount(self) -> None:
        self.query_one("#sweep-body").display = False
        self._header()

    # -- the models swept ----------------------------------------------------------------------
    def models_changed(self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]) -> None:
        self._loaded, self._chosen = loaded, chosen
        self._choices()

    def catalogue_changed(self) -> None:
        self._choices()

    def _choices(self) -> None:
        """Each corpus with a loaded or cached word2vec model, then the selected models."""
        loaded = {c for m in self._loaded.values() if (c := corpus_of(m))}
        cached = {c.corpus for c in self.services.cached_models() if c.corpus}
        self.choices = [*sorted(loaded | cached), SELECTED]
        if self.choice not in self.choices or (not self.chosen_by_user and self.choice == SELECTED):
            self.choice = self.choices[0]  # a corpus as soon as the catalogue names one
        self._pick()

    def _pick(self) -> None:
        if self.choice == SELECTED:
            offered = list(self._chosen)
        else:
            offered = [m for m in self._loaded.values() if corpus_of(m) == self.choice]
        self.unopened = sorted(
            (
                c.name
                for c in self.services.cached_models()
                if self.choice != SELECTED
                and c.corpus == self.choice
                and c.name not in self._loaded
            ),
            key=natural_key,
        )
        self.candidates, self.left_out = split_families(offered)
        self._header()
        self._drop_stale()

    def _drop_stale(self) -> None:
        """A sweep of other models than the ones listed now is not shown under their
        header: the tables go until `r` sweeps these."""
        view = self.view
        if view is None:
            return
        swept = [r.model.name for r in view.models]
        if sorted(swept) != sorted(m.name for m in self.candidates) or self._basis_of(view) != (
            self.basis
        ):
            self.view = self.curve = None
            self._empty_body()
            if self._basis_of(view) != self.basis:
                self.show_error(f"basis now {self.basis}: r sweeps in it")
            else:
                self.show_error(
                    "the models listed changed since the last sweep (of "
                    + ", ".join(swept)
                    + "): r sweeps these"
                )

    def _empty_body(self) -> None:
        """Emptied, not hidden: the body keeps the focus, so the pane's keys still answer."""
        for table_id in ("#sweep-models", "#sweep-pairs"):
            self.query_one(table_id, DataTable).clear(columns=True)
        for static_id in ("#sweep-plots", "#sweep-readings"):
            self.query_one(static_id, Static).update("")
        for hidden in ("#sweep-basis-label", "#sweep-basis-pairs"):
            self.query_one(hidden).add_class("hidden")
        self._show_curve()

    @staticmethod
    def _basis_of(view: SweepView) -> str:
        """The basis a sweep shown compares in besides raw (raw when none)."""
        names = [str(b.name) for b in view.bases if not b.is_raw]
        return names[0] if names else RAW_BASIS

    def _header(self) -> None:
        names = ", ".join(m.name for m in self.candidates) or "none"
        what = "selected models" if self.choice == SELECTED else f"{self.choice} models loaded"
        more = " · c: other models" if len(self.choices) > 1 else ""
        n = len(self.unopened)
        cached = f" · a: open {n} cached ({', '.join(self.unopened[:4])}{'…' if n > 4 else ''})"
        self.query_one("#sweep-header", Static).update(
            plain(
                f"{what}: {names} · basis {self.basis} (b) · r: run the sweep{more}"
                f"{cached if n else ''}"
            )
        )
        note = self.query_one("#sweep-left-out", Static)
        lines = [f"left out: {name} ({why})" for name, why in self.left_out]
        note.update(Group(*(plain(line) for line in lines)))  # our line breaks, not data's
        note.set_class(not lines, "hidden")

    def action_choose(self) -> None:
        self.chosen_by_user = True
        i = self.choices.index(self.choice) if self.choice in self.choices else -1
        self.choice = self.choices[(i + 1) % len(self.choices)]
        self._pick()

    def action_open_cached(self) -> None:
        if not self.unopened:
            self.show_error("no cached models of this corpus left to open (t trains more)")
            return
        self.show_error("")
        self.services.open_models(list(self.unopened))

    def action_run(self) -> None:
        if not self.candidates and self.unopened:
            self.show_error(
                f"No {self.choice} models loaded: a opens the {len(self.unopened)} cached "
                "ones, then r sweeps them."
            )
            return
        if not self.candidates:
            why = " (see above why each one is left out)" if self.left_out else ""
            self.show_error(
                f"No models to sweep{why}: train some (t) or select word2vec models of one "
                "corpus (space in the Models pane), then press r."
            )
            return
        self.requested = True
        self.post_message(self.Asked(self))

    def action_basis(self) -> None:
        """The next basis of `SWEEP_BASES`; a sweep shown in another basis goes (r sweeps)."""
        i = SWEEP_BASES.index(self.basis) if self.basis in SWEEP_BASES else -1
        self.basis = SWEEP_BASES[(i + 1) % len(SWEEP_BASES)]
        self._header()
        self._drop_stale()

    def action_source(self) -> None:
        """The curve's next feature source: computed at once over the sweep shown."""
        self.source = next_source(self.source)
        self.curve = None
        self._show_curve()
        if self.source != FEATURE_OFF and self.view is not None:
            self.curve_asked = True
            self.post_message(self.Asked(self))

    def _curve_question(self) -> Question:
        self.curve_asked = False
        models, services = list(self.candidates), self.services
        source, basis = self.source, parse_basis_name(CURVE_BASIS)
        return lambda progress: services.meaning_curve(models, basis, source, progress)

    def question(
        self, loaded: Mapping[str, Embedding], chosen: Sequence[Embedding]
    ) -> Question | None:
        if self.curve_asked and self.view is not None and self.candidates:
            return self._curve_question()
        if not self.requested or not self.candidates:
            return None
        self.requested = False
        models = list(self.candidates)
        corpus = corpus_of(models[0]) or ""
        source, services, basis_name = self.source, self.services, parse_basis_name(self.basis)

        def sweep(progress: ProgressFn) -> object:
            view = run_sweep(lambda f: progress(f * (0.6 if source != FEATURE_OFF else 1)))
            if source == FEATURE_OFF:
                return view
            basis = parse_basis_name(CURVE_BASIS)
            curve = services.meaning_curve(models, basis, source, lambda f: progress(0.6 + 0.4 * f))
            return SweepWithCurve(view, curve)

        def run_sweep(progress: ProgressFn) -> SweepView:
            return services.sweep(models, corpus, SWEEP_SETTINGS, basis_name, progress)

        return sweep

    def work_started(self) -> None:
        self.show_error("")
        what = f"sweeping {len(self.candidates)} models"
        if self.source != FEATURE_OFF:
            what = f"meanings ({self.source}) of {len(self.candidates)} models"
            if self.view is None or self.curve_asked:
                what = f"sweeping {len(self.candidates)} models, then their {self.source} meanings"
        self.query_one("#sweep-progress", WorkProgress).start(what)
        self._show_curve()

    def work_stopped(self, cancelled: bool = False) -> None:
        super().work_stopped(cancelled)
        if cancelled:
            self.show_error("sweep cancelled: r runs it again")

    # -- rendering -----------------------------------------------------------------------------
    def show(self, view: SweepView | SweepWithCurve | MeaningCurveView) -> None:
        if isinstance(view, SweepWithCurve):
            self.curve = view.curve
            view = view.sweep
        elif not hasattr(view, "pairs"):  # the curve alone, over the sweep shown
            self.curve = view  # type: ignore[assignment]
            self.work_stopped()
            self._show_curve()
            return
        else:
            self.curve = None
        self._show_sweep(view)  # type: ignore[arg-type]
        self._show_curve()

    def export_extra(self) -> tuple[object, ...]:
        """The meaning curve, written after the sweep."""
        return (self.curve,) if self.curve is not None and self.view is not None else ()

    def _show_curve(self) -> None:
        """The meaning-count curve of the models swept, or that it is computing: never
        another source's curve."""
        title = self.query_one("#sweep-curve-title", Static)
        table = self.query_one("#sweep-curve", FitTable)
        note = self.query_one("#sweep-curve-note", Static)
        off = self.source == FEATURE_OFF or self.view is None
        for w in (title, table, note):
            w.set_class(off, "hidden")
        if off:
            return
        curve = self.curve if getattr(self.curve, "source", None) == self.source else None
        if curve is None:
            title.update(plain(f"meanings ({self.source}) · computing … (x cancels)"))
            draw_table(table, None)
            note.update("")
            return
        curve_table = view_table(curve, "curve")
        title.update(rich_label(curve.title()))
        draw_table(table, curve_table)
        note.update(plain(curve.sparklines()))

    def _show_sweep(self, view: SweepView) -> None:
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
            "random dirs",
            "z>2",
            "random",
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
                "—" if r.coherence_rotation is None else null_short(r.coherence_rotation),
                f"{r.coherent_dims}/{r.dims}",
                f"{r.coherent_dims_null:.1f}",
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
        for table in (models, pairs):
            table.styles.width = whole_width(table)
        in_basis = view_table(view, "pairs-by-basis") if view.basis_pairs else None
        label = self.query_one("#sweep-basis-label", Static)
        label.update(plain(f"Between models, in {self._basis_of(view)} (beside raw)"))
        label.set_class(in_basis is None, "hidden")
        basis_table = self.query_one("#sweep-basis-pairs", FitTable)
        basis_table.set_class(in_basis is None, "hidden")
        draw_table(basis_table, in_basis)
        self._draw_plots(view)
        readings = view.readings() or (
            "Train at least two seeds of a size to get a noise "
            "floor (t: the train form's seeds field).",
        )
        self.query_one("#sweep-readings", Static).update(
            Group(*(plain("• " + r) for r in said_once(readings)))
        )

    def on_resize(self) -> None:
        """Plots drawn for another width would wrap or leave room: draw them again."""
        if self.view is not None and self.size.width != self.plot_width:
            self._draw_plots(self.view)

    def _draw_plots(self, view: SweepView) -> None:
        from polyterm.views.sweep import text_plot

        self.plot_width = self.size.width
        first = view.models[0].seed if view.models else None
        rows = [r for r in view.models if r.seed == first]
        others = sorted({r.seed for r in view.models if r.seed != first}, key=str)
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
        if others and any(plots):
            shown = ", ".join(str(s) for s in others)
            plots.insert(0, f"plots: seed {first} · seed {shown}: in the tables above")
        self.query_one("#sweep-plots", Static).update(
            Text("\n\n".join(p for p in plots if p), no_wrap=True, overflow="crop")
        )


def said_once(readings: Sequence[str]) -> tuple[str, ...]:
    """The readings with a closing sentence that several models' readings share (the
    coherence verdict, "Its dimensions are no more coherent than random directions: …")
    said once, for all of them, after the last of them; each keeps its own numbers."""
    tails: dict[str, list[int]] = {}
    for i, text in enumerate(readings):
        head, sep, tail = text.rpartition(". ")
        if sep and tail.startswith("Its ") and ": " in head:
            tails.setdefault(tail, []).append(i)
    shared = {t: ids for t, ids in tails.items() if len(ids) > 1}
    if not shared:
        return tuple(readings)
    out: list[str] = []
    for i, text in enumerate(readings):
        cut = any(i in ids for ids in shared.values())
        out.append(text.rpartition(". ")[0] + "." if cut else text)
        for t, ids in shared.items():
            if i == ids[-1]:
                names = ", ".join(readings[j].split(": ", 1)[0] for j in ids)
                out.append(f"{names}: {'Their ' + t.removeprefix('Its ')}")
    return tuple(out)
