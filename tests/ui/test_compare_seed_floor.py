"""The Compare summary's seed floor (issue 18, item 1): computed in the background for a
pair that shares a seed — the partner opened or trained with progress, cancellable, and
skipped when the setting is off — in the raw and the bases paths alike."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest

from polyterm.core.embedding import Embedding
from polyterm.errors import Cancelled
from polyterm.explorer.services import Services
from tests.ui.conftest import toy_model
from tests.ui.helpers import settle, until


def _pair() -> tuple[Embedding, Embedding, Embedding]:
    """toy_8 and toy_7 share seed 1 (one corpus); toy_7_s2 is toy_7's spec at seed 2."""
    a, b, b2 = toy_model("toy_8", 1), toy_model("toy_7", 1, dims=7), toy_model("toy_7_s2", 2)
    b2.manifest["params"]["seed"] = 2
    for m in (a, b, b2):
        m.manifest["name"] = m.name  # a model trained from its spec
    return a, b, b2


class _Library:
    """A cache holding nothing until `make` (the training child, patched in below) has
    made the spec; `open` then reads it."""

    def __init__(self, model: Embedding) -> None:
        self.model, self.opened, self.made = model, [], False

    def spec(self, spec: str, options: Any = None) -> str:
        return spec

    def cached(self, spec: str) -> object | None:
        return "entry" if self.made else None

    def make(self, spec: str, progress: Any, cancel: threading.Event) -> None:
        """The training child: a few progress reports, polling the cancel flag."""
        self.opened.append(spec)
        for f in (0.25, 0.5, 1.0):
            progress(SimpleNamespace(fraction=f))
            if cancel.is_set():
                raise Cancelled("stopped")
        self.made = True

    def open(self, spec: str, *, progress: Any, cancel: threading.Event) -> Embedding:
        assert self.made, "opened before it was made in its own process"
        return self.model


@pytest.fixture(autouse=True)
def _child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The partner is made by `make_in_process` (its own process, as the Train form
    does): here the fake library's `make`."""
    from polyterm.explorer import trainer

    def make(spec: str, options: Any, library: _Library, *, progress: Any, cancel: Any) -> None:
        library.make(spec, progress, cancel)

    monkeypatch.setattr(trainer, "make_in_process", make)


def _services(library: _Library, open_models: dict[str, Embedding], on: bool = True) -> Services:
    workspace = SimpleNamespace(models=open_models, library=library)
    return Services(workspace, bases=None, seed_floor=on)  # type: ignore[arg-type]


def test_the_partner_is_trained_with_progress_when_not_open() -> None:
    a, b, b2 = _pair()
    library = _Library(b2)
    seen: list[float] = []
    assert _services(library, {}).seed_partner(a, b, seen.append) is b2
    assert library.opened == ["toy_7_s2"] and seen == [0.25, 0.5, 1.0]
    # open already: no training
    library.opened.clear()
    assert _services(library, {"toy_7_s2": b2}).seed_partner(a, b, seen.append) is b2
    assert library.opened == []


def test_no_partner_for_different_seeds_or_with_the_setting_off() -> None:
    a, b, b2 = _pair()
    library = _Library(b2)
    assert _services(library, {}).seed_partner(a, b2, lambda f: None) is None
    assert _services(library, {}, on=False).seed_partner(a, b, lambda f: None) is None
    assert library.opened == []


def test_training_the_partner_is_cancellable() -> None:
    a, b, b2 = _pair()

    def cancelled(fraction: float) -> None:
        if fraction >= 0.5:
            raise Cancelled("the pane's question was cancelled")

    with pytest.raises(Cancelled):
        _services(_Library(b2), {}).seed_partner(a, b, cancelled)


@pytest.mark.slow
@pytest.mark.parametrize("basis", ["raw", "pca"])
async def test_the_compare_summary_has_the_seed_floor_in_both_paths(
    basis: str, fixed_catalogue: object
) -> None:
    from polyterm.app import PolytermApp

    a, b, b2 = _pair()
    app = PolytermApp(models=[a, b], startup=False, theme="polyterm-dark")
    asked: list[tuple[str, str]] = []

    def partner(x: Embedding, y: Embedding, progress: Any) -> Embedding:
        asked.append((x.name, y.name))
        progress(1.0)
        return b2

    app.services.seed_partner = partner  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        if basis != "raw":
            app.compare.basis = basis
        await pilot.press("v")
        await until(pilot, lambda: app.compare.alignment is not None)
        view = app.compare.alignment
        assert asked == [("toy_8", "toy_7")]
        assert view.seed_floor is not None


def test_the_explorer_flag_turns_the_seed_floor_off() -> None:
    from polyterm.app import PolytermApp
    from polyterm.cli import build_parser

    assert build_parser().parse_args([]).app_no_seed_floor is False
    assert build_parser().parse_args(["--no-seed-floor"]).app_no_seed_floor is True
    assert PolytermApp(startup=False).services.seed_floor is True
    assert PolytermApp(startup=False, seed_floor=False).services.seed_floor is False
