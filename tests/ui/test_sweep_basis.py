"""The Sweep pane's basis option (issue 17): `b` cycles raw, pca, ica, dict:120; `r` then
sweeps in that basis beside raw, and the per-basis table shows what `sweep_view` computes
for the same models; a sweep shown in another basis than the one named goes."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from polyterm.app import PolytermApp
from polyterm.engine.bases import BasisRequest
from polyterm.views.sweep import sweep_view
from polyterm.widgets.catalogue import CachedModel, Catalogue
from polyterm.widgets.pane import FitTable
from polyterm.widgets.sweep_pane import SWEEP_SETTINGS, SweepPane
from tests.ui.conftest import SCAN
from tests.ui.helpers import plain, settle


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_b_sweeps_in_pca_beside_raw_and_the_table_matches_sweep_view(
    toy_models, fixed_catalogue, size: tuple[int, int]
) -> None:
    app = PolytermApp(models=toy_models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("5")
        pane = app.main.pane("sweep")
        assert isinstance(pane, SweepPane)
        await pilot.press("r")
        await settle(pilot)
        assert pane.view is not None and pane.view.basis_pairs == ()
        assert app.main.query_one("#sweep-basis-pairs", FitTable).has_class("hidden")
        await pilot.press("b")  # raw -> pca: the raw sweep shown goes
        await settle(pilot)
        assert pane.basis == "pca" and pane.view is None
        assert "basis pca (b)" in plain(app.main.query_one("#sweep-header", Static))
        await pilot.press("r")
        await settle(pilot, 30)
        view = pane.view
        assert view is not None, plain(app.main.query_one("#sweep-message", Static))
        assert [str(b.name) for b in view.bases] == ["raw", "pca"]
        table = app.main.query_one("#sweep-basis-pairs", FitTable)
        assert not table.has_class("hidden") and table.row_count == len(view.basis_pairs) > 0
        direct = sweep_view(
            pane.candidates,
            corpus=view.corpus,
            settings=SWEEP_SETTINGS,
            bases=(BasisRequest(), BasisRequest.of("pca")),
        )
        got = [(p.a, p.b, str(p.basis.name), round(p.matched_r.observed, 5))
               for p in view.basis_pairs]  # fmt: skip
        want = [(p.a, p.b, str(p.basis.name), round(p.matched_r.observed, 5))
                for p in direct.basis_pairs]  # fmt: skip
        assert got == want
        assert {b for _a, _b, b, _r in got} == {"raw", "pca"}


async def test_the_sweep_offers_a_cached_corpus_before_the_selected_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With nothing loaded or selected and a corpus's models in the cache, the pane names
    that corpus (and `a` to open them), not "selected models: none"; `c` still cycles."""
    cached = tuple(
        CachedModel(f"brown_{d}", "word2vec", d, 100, 1_000, "brown", corpus="brown")
        for d in (30, 29)
    )
    monkeypatch.setattr(SCAN, lambda cache, **kw: Catalogue("<cache>", cached, ("brown",)))
    app = PolytermApp(models=[], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        pane = app.main.pane("sweep")
        assert isinstance(pane, SweepPane)
        assert pane.choice == "brown", pane.choices
        header = plain(app.main.query_one("#sweep-header", Static))
        assert "selected models: none" not in header and "a: open 2 cached" in header
        await pilot.press("c")
        assert pane.choice == "selected"
        pane.catalogue_changed()  # the user's choice is kept when the catalogue changes
        assert pane.choice == "selected"
