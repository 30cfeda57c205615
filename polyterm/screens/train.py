"""The Train form: corpus, dims (list or range), seeds, window, min_count, epochs, CBOW/SG."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from polyterm.engine.specs import TrainParams, TrainSpec, parse_int_list
from polyterm.errors import SpecError
from polyterm.widgets.pane import SafeInput, plain

MAX_MODELS = 64
FIELDS = ("dims", "seeds", "window", "min_count", "epochs")


def build_specs(corpus: str, values: dict[str, str], sg: int) -> tuple[list[str], dict[str, str]]:
    """Spec names for the form's values, or per-field error messages."""
    errors: dict[str, str] = {}
    numbers: dict[str, list[int]] = {}
    for key in FIELDS:
        try:
            numbers[key] = parse_int_list(values.get(key, ""))
        except SpecError:
            example = "30,29 or 30-25" if key in ("dims", "seeds") else "a whole number"
            errors[key] = f"not a number list: use {example}"
            continue
        if key not in ("dims", "seeds") and len(numbers[key]) != 1:
            errors[key] = "one number"
    if not corpus:
        errors["corpus"] = "choose a corpus"
    if errors:
        return [], errors
    base = TrainParams(
        dims=numbers["dims"][0],
        seed=numbers["seeds"][0],
        window=numbers["window"][0],
        min_count=numbers["min_count"][0],
        epochs=numbers["epochs"][0],
        sg=sg,
    )
    checks = {
        "dims": [replace(base, dims=d) for d in numbers["dims"]],
        "seeds": [replace(base, seed=s) for s in numbers["seeds"]],
        "window": [base],
        "min_count": [base],
        "epochs": [base],
    }
    for key, params in checks.items():
        for p in params:
            try:
                p.validate()
            except SpecError as exc:
                owner = next((f for f in FIELDS if str(exc).startswith(f.rstrip("s"))), key)
                errors.setdefault(owner, str(exc))
    if errors:
        return [], errors
    specs = [
        TrainSpec(corpus, replace(base, dims=d, seed=s)).name
        for d in numbers["dims"]
        for s in numbers["seeds"]
    ]
    specs = list(dict.fromkeys(specs))
    if len(specs) > MAX_MODELS:
        return [], {"dims": f"{len(specs)} models is too many at once (at most {MAX_MODELS})"}
    return specs, {}


PROPOSED_DIMS = (30, 29)
"""The form's first proposal: the original study's pair, when neither is cached yet."""


def proposed_dims(corpus: str, cached: Collection[str]) -> str:
    """The dims the form proposes for `corpus`: the study's pair (30,29), else the next two
    sizes below it not cached yet with the form's other defaults (`corpus_D`), so the
    proposal always makes something new; "30,29" again when every size is cached."""
    free = [d for d in range(PROPOSED_DIMS[0], 1, -1) if f"{corpus}_{d}" not in cached]
    picked = free[: len(PROPOSED_DIMS)]
    return ",".join(str(d) for d in (picked or PROPOSED_DIMS))


class TrainScreen(ModalScreen[list[str] | None]):
    """Returns the spec names to train, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="train.cancel", tooltip="Close without training"),
        Binding(
            "ctrl+s",
            "submit",
            "Train",
            id="train.submit",
            tooltip="Train the models described by the form",
        ),
    ]

    def __init__(
        self, corpora: Sequence[str], corpus: str | None = None, cached: Collection[str] = ()
    ) -> None:
        super().__init__()
        self.cached = frozenset(cached)  # names of cached models: proposed sizes are new
        self.corpora = list(dict.fromkeys([*corpora, "lee"]))
        self.corpus = corpus if corpus in self.corpora else self.corpora[0]
        self._proposed = proposed_dims(self.corpus, self.cached)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="train-dialog") as box:
            box.border_title = "Train word2vec models"
            with Grid(id="train-grid"):
                yield Label("corpus")
                yield Select(
                    [(plain(c), c) for c in self.corpora],
                    value=self.corpus,
                    allow_blank=False,
                    id="corpus",
                    compact=True,
                )
                yield Static("", id="corpus-error", classes="field-error")
                for key, default, hint in (
                    ("dims", self._proposed, "e.g. 300,100,30 or 30-25"),
                    ("seeds", "1", "e.g. 1,2,3"),
                    ("window", "5", ""),
                    ("min_count", "5", ""),
                    ("epochs", "5", ""),
                ):
                    yield Label(key.replace("_", " "))
                    yield SafeInput(default, id=key, placeholder=hint, compact=True)
                    yield Static("", id=f"{key}-error", classes="field-error")
                yield Label("architecture")
                yield Select(
                    [("CBOW", 0), ("skip-gram", 1)],
                    value=0,
                    allow_blank=False,
                    compact=True,
                    id="sg",
                )
                yield Static("", classes="field-error")
            yield Static("", id="train-preview", classes="preview")
            with Horizontal(classes="buttons"):
                yield Button("Train (ctrl+s)", variant="primary", id="train")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dims", Input).focus()
        self.validate()

    def values(self) -> tuple[str, dict[str, str], int]:
        corpus = self.query_one("#corpus", Select).value
        sg = self.query_one("#sg", Select).value
        vals = {key: self.query_one(f"#{key}", Input).value for key in FIELDS}
        return (
            str(corpus) if isinstance(corpus, str) else "",
            vals,
            sg if isinstance(sg, int) else 0,
        )

    def validate(self) -> list[str]:
        """Show each field's message beside it; return the specs when all are valid."""
        corpus, vals, sg = self.values()
        specs, errors = build_specs(corpus, vals, sg)
        for key in (*FIELDS, "corpus"):
            self.query_one(f"#{key}-error", Static).update(plain(errors.get(key, "")))
            if key != "corpus":
                self.query_one(f"#{key}", Input).set_class(key in errors, "-invalid")
        preview = ("will train: " + ", ".join(specs)) if specs else "fix the fields marked above"
        self.query_one("#train-preview", Static).update(plain(preview))
        return specs

    def on_input_changed(self) -> None:
        self.validate()

    def on_select_changed(self, event: Select.Changed) -> None:
        dims = self.query_one("#dims", Input)
        if event.select.id == "corpus" and dims.value == self._proposed:  # not edited yet
            self._proposed = proposed_dims(str(event.value), self.cached)
            dims.value = self._proposed
        self.validate()

    def on_input_submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#train")
    def train_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        specs = self.validate()
        if specs:
            self.dismiss(specs)

    def action_cancel(self) -> None:
        self.dismiss(None)
