"""Bases in the explorer: `b` in the Dimensions pane, the Compare pane's matched view in a
basis. Known answers come from the engine and the views called directly."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from polyterm.app import PolytermApp
from polyterm.core.bases import CancelFlag
from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.errors import Cancelled
from polyterm.views.query import DimensionView
from polyterm.views.rich_cells import rich_cell
from polyterm.widgets.alignment_display import PANE_SKIPS
from polyterm.widgets.dimension_pane import DimensionPane
from polyterm.widgets.pane import basis_cycle, next_basis
from tests.ui.conftest import WORDS, toy_model
from tests.ui.helpers import plain, settle, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow


def header(app: PolytermApp) -> str:
    return plain(app.main.query_one("#dims-header", Static))


def card(app: PolytermApp) -> str:
    return plain(app.main.query_one("#dims-stats", Static))


def dims(app: PolytermApp) -> DimensionPane:
    pane = app.main.pane("dims")
    assert isinstance(pane, DimensionPane)
    return pane


def top_words(codes: np.ndarray[Any, Any], words: list[str], column: int, k: int) -> list[str]:
    order = np.argsort(-codes[:, column], kind="stable")[:k]
    return [words[int(i)] for i in order]


def notifications(app: PolytermApp) -> list[str]:
    return [n.message for n in app._notifications]


async def press_basis(pilot: Any, app: PolytermApp, expected: str) -> None:
    """`b`, then wait for the fit (if any) and the answer in `expected`."""
    await pilot.press("b")
    pane = dims(app)
    await until(pilot, lambda: pane.fitting is None and pane.params.basis == expected)
    await settle(pilot)
    assert isinstance(pane.view, DimensionView)


def test_the_cycle_of_bases() -> None:
    assert basis_cycle(30) == ("raw", "pca", "ica", "dict:120")
    assert [next_basis(b, 30) for b in basis_cycle(30)] == ["pca", "ica", "dict:120", "raw"]
    assert next_basis("dict:7", 30) == "raw"  # a basis not in the cycle: back to raw


async def test_b_cycles_raw_pca_ica_dict_raw_and_the_header_names_each(
    fixed_catalogue: object,
) -> None:
    model = toy_model("toy_a", 1)
    app = PolytermApp(models=[model], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = dims(app)
        assert "toy_a · dimension 0/7" in header(app)
        await pilot.press("question_mark")  # the key is listed with the pane's keys
        from polyterm.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen) and "b  Cycle the basis" in app.screen.text()
        await pilot.press("escape")
        await press_basis(pilot, app, "pca")
        assert "toy_a · pca axis 0 of 8 · codes" in header(app)
        assert pane.view.model.name == "toy_a [pca]"
        assert "stability" not in card(app)  # pca has no within-model stability
        await press_basis(pilot, app, "ica")
        assert "toy_a · ica axis 0 of 8" in header(app)
        await press_basis(pilot, app, "dict:32")
        assert "toy_a · dict:32 atom 0 of 32" in header(app)
        await pilot.press("p")  # steps go over the 32 atoms
        await settle(pilot)
        assert "dict:32 atom 31 of 32" in header(app) and pane.view.dim == 31
        await press_basis(pilot, app, "raw")
        assert "toy_a · dimension 7/7" in header(app)  # back in the model's 8 dimensions
        assert pane.view.model.name == "toy_a"


async def test_ica_axis_words_and_stability_are_the_engines(fixed_catalogue: object) -> None:
    model = toy_model("toy_a", 1)
    codes = BasisStore().in_basis(toy_model("toy_a", 1), BasisRequest.of("ica")).vectors
    stability = BasisStore().stability(toy_model("toy_a", 1), BasisRequest.of("ica"))
    app = PolytermApp(models=[model], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await press_basis(pilot, app, "pca")
        await press_basis(pilot, app, "ica")
        view = dims(app).view
        assert [e.word for e in view.top] == top_words(codes, WORDS, 0, 10)
        assert [e.word for e in view.bottom] == top_words(-codes, WORDS, 0, 10)
        table = app.main.query_one("#dims-table")
        assert [str(table.get_cell_at((r, 1))) for r in range(10)] == [e.word for e in view.top]
        await until(pilot, lambda: "computing" not in card(app))
        expected = f"{stability.index[0]:.2f}"
        line = next(x for x in card(app).splitlines() if x.startswith("stability (Icasso)"))
        assert line.split() == ["stability", "(Icasso)", expected]  # all 8 axes are stable
        assert stability.index[0] >= 0.8
        # the statistics' labels are the view's own (written once)
        assert "Spearman ρ with frequency rank" in card(app)
        assert "share of squared norm" in card(app)


async def test_a_dictionary_atom_shows_its_top_words_and_how_many_words_use_it(
    fixed_catalogue: object,
) -> None:
    model = toy_model("toy_a", 1)
    codes = BasisStore().in_basis(toy_model("toy_a", 1), BasisRequest.of("dict:32")).vectors
    app = PolytermApp(models=[model], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        for basis in ("pca", "ica", "dict:32"):
            await press_basis(pilot, app, basis)
        await pilot.press("n", "n")
        await settle(pilot)
        view = dims(app).view
        assert view.dim == 2
        users = int(np.count_nonzero(codes[:, 2] > 0))
        assert f"{users:,}" in card(app) and "using" in card(app)
        table = app.main.query_one("#dims-table")
        labels = [str(c.label) for c in table.columns.values()]
        assert "bottom word" not in labels  # a non-negative atom has no meaningful bottom
        shown = [str(table.get_cell_at((r, 1))) for r in range(min(10, users))]
        assert shown == top_words(codes, WORDS, 2, 10)[: len(shown)]


async def test_a_model_too_small_for_a_basis_says_so_and_stays_raw(
    fixed_catalogue: object,
) -> None:
    rng = np.random.default_rng(0)
    small = Embedding.from_arrays("small", [f"w{i}" for i in range(5)], rng.normal(size=(5, 8)))
    app = PolytermApp(models=[small], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = dims(app)
        await pilot.press("b")
        await until(pilot, lambda: pane.fitting is None)
        await settle(pilot)
        assert pane.params.basis == "raw" and pane.view.model.name == "small"
        said = [m for m in notifications(app) if "cannot fit pca to small" in m]
        assert said and "\n" not in said[0]
        assert "dimension 0/7" in header(app) and "pca: no fit" in header(app)


class BlockingStore(BasisStore):
    """A store whose fits wait until cancelled (a fit that is still running)."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()

    def in_basis(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        progress: Any = None,
        cancel: CancelFlag | None = None,
    ) -> Embedding:
        self.started.set()
        if progress is not None:
            progress(0.4, "ica")
        while cancel is None or not cancel.is_set():
            threading.Event().wait(0.01)
        raise Cancelled("the fit")


async def test_keys_answer_while_fitting_and_cancelling_leaves_the_pane_raw(
    fixed_catalogue: object,
) -> None:
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    store = BlockingStore()
    app.workspace._basis_store = store
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = dims(app)
        await pilot.press("b")
        await until(pilot, lambda: store.started.is_set() and "40%" in header(app))
        assert "fitting pca on 60 words … 40%" in header(app)
        await pilot.press("n")  # the pane answers meanwhile, in the basis it shows
        await until(pilot, lambda: isinstance(pane.view, DimensionView) and pane.view.dim == 1)
        assert pane.view.model.name == "toy_a" and pane.fitting == ("toy_a", "pca")
        await pilot.press("x")
        await until(pilot, lambda: not app.bases.fitting("dims"))
        await settle(pilot)
        assert pane.fitting is None and pane.params.basis == "raw"
        assert "pca cancelled" in header(app) and "dimension 1/7" in header(app)
        assert pane.view.model.name == "toy_a"


async def test_compare_matched_view_in_ica_is_the_ica_pairing(fixed_catalogue: object) -> None:
    from polyterm.views.alignment import alignment_in_basis
    from polyterm.views.markdown import render_markdown
    from polyterm.widgets.comparison_pane import (
        ALIGN_K,
        ALIGN_REPETITIONS,
        ALIGN_SEED,
        ALIGN_TOP_N,
    )

    a, b = toy_model("toy_a", 1), toy_model("toy_b", 2)
    expected = alignment_in_basis(
        toy_model("toy_a", 1),
        toy_model("toy_b", 2),
        BasisRequest.of("ica"),
        BasisStore(),
        k=ALIGN_K,
        top_n=ALIGN_TOP_N,
        repetitions=ALIGN_REPETITIONS,
        seed=ALIGN_SEED,
    )
    app = PolytermApp(models=[a, b], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4", "b")  # from the by-index table: the matched view, in pca
        pane = app.compare
        await until(pilot, lambda: pane.aligned_now())
        assert pane.mode == "matched" and pane.basis == "pca"
        assert pane.view.a.name == "toy_a [pca]"
        await pilot.press("b")
        await until(pilot, lambda: pane.aligned_now())
        await settle(pilot)
        assert pane.basis == "ica" and pane.view is pane.alignment
        title = plain(app.main.query_one("#compare-title", Static))
        assert title.startswith("matched ica axes (one-to-one on |r|) · toy_a vs toy_b")
        assert pane.view.matched == expected.matched
        assert render_markdown(pane.view) == render_markdown(expected)
        table = app.main.query_one("#align-table")
        shown = [[str(c) for c in table.get_row_at(i)][:3] for i in range(table.row_count)]
        assert shown == [[str(p.dim_a), str(p.dim_b), f"{p.r:+.3f}"] for p in expected.matched]
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:2] in (["toy_a axis", "toy_b axis"], ["toy_a", "toy_b"])
        # the view's own columns for the pair (p-value, FDR, stability) under the table
        detail = plain(app.main.query_one("#align-detail"))
        first = expected.matched[0]
        assert f"toy_a axis {first.dim_a}" in detail and first.words_a[0] in detail
        matched = next(t for t in expected.tables() if t.key == "matched")
        row = next(
            r
            for r in matched.rows
            if [rich_cell(c).plain for c in r[:2]] == [str(first.dim_a), str(first.dim_b)]
        )
        extra = [
            f"{rich_cell(label).plain} {rich_cell(cell).plain}"
            for i, (label, cell) in enumerate(zip(matched.columns, row, strict=True))
            if i >= 2
            and rich_cell(label).plain not in ("r", "Jaccard")
            and not rich_cell(label).plain.startswith(("top words", *PANE_SKIPS))
        ]
        assert any(x.startswith("p ") for x in extra)  # the max-|r| p-value
        assert all(x in " ".join(detail.split()) for x in extra)
        await pilot.press("b", "b")  # dict:32, then raw again: the pane's own dimensions
        await until(pilot, lambda: pane.basis == "raw" and pane.aligned_now(), timeout=120)
        assert pane.view.a.name == "toy_a"
