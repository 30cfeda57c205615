"""The Compare pane's matched / aligned / summary views and the Sweep pane, against the views."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.errors import Cancelled
from polyterm.explorer.export import export_markdown
from polyterm.views.alignment import AlignmentView, alignment_view
from polyterm.views.markdown import render_markdown
from polyterm.views.sweep import SweepView, sweep_view
from polyterm.widgets.comparison_pane import (
    ALIGN_K,
    ALIGN_REPETITIONS,
    ALIGN_SEED,
    ALIGN_TOP_N,
    PAIR_HINT,
)
from polyterm.widgets.sweep_pane import SWEEP_SETTINGS
from tests.ui.helpers import plain, settle, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow


def app_with(models: list[Embedding]) -> PolytermApp:
    return PolytermApp(models=models, startup=False, theme="polyterm-dark")


def expected_alignment(a: Embedding, b: Embedding) -> AlignmentView:
    return alignment_view(
        a, b, k=ALIGN_K, top_n=ALIGN_TOP_N, repetitions=ALIGN_REPETITIONS, seed=ALIGN_SEED
    )


def expected_sweep(models: list[Embedding]) -> Any:
    return sweep_view(
        models,
        corpus="toy",
        settings=SWEEP_SETTINGS,
    )


def same(view: Any, expected: Any) -> bool:
    """Views holding null draws (numpy arrays) compare by their markdown."""
    return view is not None and render_markdown(view) == render_markdown(expected)


def rows(app: PolytermApp, table_id: str) -> list[list[str]]:
    table = app.main.query_one(f"#{table_id}")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_matched_and_aligned_views_show_the_partners_and_words(
    toy_models, fixed_catalogue
) -> None:
    a, b = toy_models[:2]
    expected = expected_alignment(a, b)
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2", "n", "n", "n", "4", "v")
        await settle(pilot)
        pane = app.compare
        assert pane.mode == "matched" and same(pane.view, expected)
        assert pane.view.matched == expected.matched
        # the cursor starts on the dimension being browsed (3 of toy_a)
        assert expected.matched[app.main.query_one("#align-table").cursor_row].dim_a == 3
        # each row: dimension i of A beside its partner in B, r and the shared words
        assert [r[:3] for r in rows(app, "align-table")] == [
            [str(p.dim_a), str(p.dim_b), f"{p.r:+.3f}"] for p in expected.matched
        ]
        assert [r[-1] for r in rows(app, "align-table")] == [
            ", ".join(p.shared) or "—" for p in expected.matched
        ]
        # the highlighted pair's two word lists, shared words marked
        await pilot.press("down", "down")
        await pilot.pause()
        pair = expected.matched[app.main.query_one("#align-table").cursor_row]
        detail = plain(app.main.query_one("#align-detail"))
        assert f"{a.name} dim {pair.dim_a}" in detail and f"{b.name} dim {pair.dim_b}" in detail
        for word in pair.words_a + pair.words_b:
            assert (f"{word}*" if word in pair.shared else word) in detail
        # after Procrustes: dimension i of A·R beside dimension i of B
        await pilot.press("v")
        await settle(pilot)
        assert pane.mode == "aligned" and pane.view is pane.alignment  # not recomputed
        assert pane.view.aligned == expected.aligned
        assert [r[:3] for r in rows(app, "align-table")] == [
            [str(p.dim_a), str(p.dim_b), f"{p.r:+.3f}"] for p in expected.aligned
        ]
        # the whole-model summary: every statistic beside its nulls
        await pilot.press("v")
        await settle(pilot)
        stats = plain(app.main.query_one("#summary-stats"))
        for s in expected.statistics:
            assert s.name in stats.replace("\n", " ") or s.name.split()[0] in stats
            assert f"{s.observed:.3f}" in stats
        assert "sorted matched |r|" in plain(app.main.query_one("#summary-curve-title"))
        await pilot.press("v")
        assert pane.mode == "index"


async def test_alignment_needs_two_models_and_follows_the_selection(
    toy_models, fixed_catalogue
) -> None:
    app = app_with(toy_models[:1])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")
        await settle(pilot)
        assert app.compare.view is None
        assert plain(app.main.query_one("#compare-message")).strip().startswith("Select two")
        assert app.compare._hinted and PAIR_HINT
        app.workspace.models["toy_c"] = toy_models[2]
        app.workspace.select("toy_c", True)
        await settle(pilot)
        assert same(app.compare.view, expected_alignment(toy_models[0], toy_models[2]))
        assert app.main.query_one("#compare-message").has_class("hidden")


async def test_alignment_shows_progress_and_can_be_cancelled(
    toy_models, fixed_catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, stopped = threading.Event(), threading.Event()

    def slow(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        started.set()
        try:
            for i in range(600):
                progress(i / 600)
                time.sleep(0.01)
        except Cancelled:
            stopped.set()
            raise
        raise AssertionError("was not cancelled")

    monkeypatch.setattr("polyterm.views.alignment.alignment_view", slow)
    app = app_with(toy_models[:2])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")
        await until(pilot, started.is_set)
        bar = app.main.query_one("#compare-progress")
        assert not bar.has_class("hidden")
        await until(pilot, lambda: bar.bar.progress > 0)
        await pilot.press("x")
        await until(pilot, lambda: bar.has_class("hidden"))
        assert stopped.is_set() and app.compare.view is None
        assert "cancelled" in plain(app.main.query_one("#compare-message"))
        app.selection_changed()  # no restart by itself once cancelled
        await settle(pilot)
        assert not app.questions.view_workers()
        assert app.is_running


async def test_sweep_pane_runs_the_sweep_of_a_corpus(toy_models, fixed_catalogue) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        pane = app.main.pane("sweep")
        assert pane.choice == "toy" and "r: run" in plain(app.main.query_one("#sweep-header"))
        await pilot.press("r")
        await settle(pilot)
        expected = expected_sweep(toy_models)
        assert same(pane.view, expected)
        assert [r[0] for r in rows(app, "sweep-models")] == [m.model.name for m in expected.models]
        assert [r[:3] for r in rows(app, "sweep-pairs")] == [
            [p.a, p.b, p.relation] for p in expected.pairs
        ]
        plots = plain(app.main.query_one("#sweep-plots"))
        assert "mean excess kurtosis" in plots and "│" in plots
        await pilot.press("c")  # the selected models instead
        assert pane.choice == "selected"
        app.workspace.select("toy_c", False)
        await settle(pilot)
        assert [m.name for m in pane.candidates] == ["toy_a", "toy_b"]
        # the palette's commands
        names = [c.title for c in app.palette_commands()]
        assert "Align selected models" in names and "Sweep" in names
        app.action_align()
        await settle(pilot)
        assert app.main.current_pane() is app.compare and app.compare.mode == "matched"
        assert isinstance(app.compare.view, AlignmentView)
        app.action_sweep()
        await settle(pilot)
        assert app.main.current_pane() is pane and isinstance(pane.view, SweepView)
        assert [r.model.name for r in pane.view.models] == ["toy_a", "toy_b"]


async def test_compare_is_computed_only_when_in_sight(
    toy_models, fixed_catalogue, tmp_path
) -> None:
    app = PolytermApp(models=toy_models, startup=False, export_dir=tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        for _ in range(5):
            await pilot.press("n")
            assert not app.questions.view_workers("compare")
        await settle(pilot)
        assert app.compare.stale and app.compare.view is None
        # export all brings the out-of-sight panes up to date first
        await pilot.press("E")
        await settle(pilot)
        assert not app.compare.stale and app.compare.view is not None
        every = (tmp_path / "polyterm-all-panes.md").read_text()
        assert "## Dimension 5 across models (by index, unaligned)" in every


@pytest.mark.golden
async def test_export_of_the_alignment_and_sweep(toy_models, fixed_catalogue, tmp_path) -> None:
    from polyterm.explorer.export import ShownPart
    from tests.ui.test_export import check_golden

    a, b = toy_models[:2]
    expected = expected_alignment(a, b)
    check_golden("alignment.md", export_markdown([("Compare", expected)]))
    sweep = expected_sweep(toy_models)
    check_golden("sweep.md", export_markdown([("Sweep", sweep)]))
    app = PolytermApp(models=toy_models, startup=False, export_dir=tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v", "v", "v")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        # the view on screen (the summary), not the whole align report (issue 17 §3)
        path = tmp_path / "polyterm-compare-align-toy_a-toy_b-summary.md"
        shown = ShownPart(expected, ("models", "statistics"), "summary")
        assert path.read_text() == export_markdown([("Compare", shown)])
        await pilot.press("5", "r")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        swept = tmp_path / "polyterm-sweep-toy-toy_a-toy_b-toy_c.md"
        assert swept.read_text() == export_markdown([("Sweep", sweep)])
