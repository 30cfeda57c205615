"""The explorer tried as a new user would (issue 17 §3), each at 80x24 and 120x36: focus
follows what is shown, `q` asks while a job runs, no stale answers, the sidebar collapses,
the Sweep pane's own line breaks, natural order of model names, export names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widget import Widget
from textual.widgets import DataTable, Input

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.engine.models import OpenOptions
from polyterm.explorer.export import default_path
from polyterm.explorer.jobs import Job
from polyterm.screens.confirm import ConfirmScreen
from polyterm.screens.help import HelpScreen
from polyterm.widgets.catalogue import CachedModel, Catalogue, ModelsView
from polyterm.widgets.models_pane import ModelsPane, model_rows
from polyterm.widgets.sweep_pane import SELECTED, SweepPane
from tests.ui.conftest import WORDS
from tests.ui.helpers import plain, settle, type_text

pytestmark = pytest.mark.slow  # the whole explorer, driven by Pilot
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


def app_with(models: list[Embedding], **kw: object) -> PolytermApp:
    return PolytermApp(models=models, startup=False, theme="polyterm-dark", **kw)  # type: ignore[arg-type]


def inside(widget: Widget | None, pane: Widget) -> bool:
    node = widget
    while node is not None:
        if node is pane:
            return True
        node = node.parent  # type: ignore[assignment]
    return False


@SIZES
async def test_focus_follows_the_maximised_pane(toy_models, fixed_catalogue, size) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        selected = list(app.workspace.selected)
        await pilot.press("3", "escape")  # out of the text box: the focus is on the tabs
        await pilot.press("f")
        calc = app.calc
        assert app.main.maximized is calc
        assert inside(app.focused, calc), app.focused  # not the hidden Models table
        await pilot.press("space")  # typed into the calculator, no model deselected
        assert app.workspace.selected == selected
        await pilot.press("escape")  # restore: the focus stays in the pane shown
        assert app.main.maximized is None
        assert inside(app.focused, calc)
        await pilot.press("escape", "f", "f1")  # maximised again from the tab bar
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "This pane: Calculator" in app.screen.text()


@SIZES
async def test_q_asks_before_quitting_while_a_job_runs(toy_models, fixed_catalogue, size) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.workspace.jobs[99] = Job(99, "brown_40", "brown_40", OpenOptions(), "train", None)
        await pilot.press("1", "q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "brown_40" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.main and app.return_code is None  # still running
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code == 0
        del app.workspace.jobs[99]


@SIZES
async def test_q_quits_at_once_without_jobs(toy_models, fixed_catalogue, size) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("1", "q")
        await pilot.pause()
        assert app.return_code == 0


@SIZES
async def test_the_calculator_drops_its_answer_after_a_parse_error(
    toy_models, fixed_catalogue, size
) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await type_text(pilot, "king - man")
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.calc.query(".calc-model")) == 3
        box = app.focused
        assert isinstance(box, Input)
        box.value = ""
        await type_text(pilot, "king +")
        await pilot.press("enter")
        await settle(pilot)
        assert not app.calc.query(".calc-model")  # no answer to another expression
        assert app.calc.view is None
        error = app.calc.query_one("#calc-error")
        assert not error.has_class("hidden")


def other_model() -> Embedding:
    """A model from a vector file: not a word2vec model trained here, left out of a sweep."""
    rng = np.random.default_rng(9)
    return Embedding.from_arrays(
        "vectors_x", WORDS, rng.normal(size=(len(WORDS), 8)), manifest={"kind": "vectors"}
    )


@SIZES
async def test_the_sweep_pane_shows_no_stale_sweep_and_its_own_line_breaks(
    toy_models, fixed_catalogue, size
) -> None:
    app = app_with(
        [
            *toy_models,
            other_model(),
            Embedding.from_arrays(
                "vectors_y", WORDS, np.eye(len(WORDS), 8), manifest={"kind": "vectors"}
            ),
        ]
    )
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for name in ("vectors_x", "vectors_y"):
            app.workspace.select(name, True)
        await settle(pilot)
        await pilot.press("5")
        pane = app.main.query_one(SweepPane)
        while pane.choice != SELECTED:
            await pilot.press("c")
        note = plain(pane.query_one("#sweep-left-out"))
        assert "\\x0a" not in note  # our own line break, not escaped as data
        assert [line for line in note.splitlines() if line.strip()][:2] == [
            "left out: vectors_x (not a word2vec model trained here: it has no sizes to sweep)",
            "left out: vectors_y (not a word2vec model trained here: it has no sizes to sweep)",
        ]
        await pilot.press("r")
        await settle(pilot)
        assert pane.view is not None and len(pane.view.models) == 3
        assert pane.query_one("#sweep-body").display
        app.workspace.select("toy_c", False)  # the header now lists two models
        await settle(pilot)
        assert [m.name for m in pane.candidates] == ["toy_a", "toy_b"]
        # emptied, not hidden (the body keeps the focus, so the pane's keys still answer)
        assert pane.view is None and pane.query_one("#sweep-models", DataTable).row_count == 0
        assert pane.query_one("#sweep-pairs", DataTable).row_count == 0
        assert "r sweeps these" in plain(pane.query_one("#sweep-message"))


@SIZES
async def test_ctrl_b_hides_the_sidebar_and_three_boxes_fit(
    toy_models, fixed_catalogue, size
) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("1", "ctrl+b")  # from the Models pane itself
        await settle(pilot)
        models = app.main.query_one(ModelsPane)
        assert not models.display
        assert app.focused is not None and not inside(app.focused, models)
        await pilot.press("3")
        await type_text(pilot, "king - man")
        await pilot.press("enter")
        await settle(pilot)
        boxes = list(app.calc.query(".calc-model"))
        assert len(boxes) == 3
        assert len({b.region.y for b in boxes}) == 1  # side by side, one row
        assert max(b.region.right for b in boxes) <= size[0]
        await pilot.press("ctrl+b")  # back, from a text box too
        assert models.display
        await pilot.press("ctrl+b", "alt+1")  # its key brings it back as well
        assert models.display and inside(app.focused, models)


def test_models_are_listed_in_natural_order() -> None:
    names = ["brown_10", "brown_100", "brown_100_s2", "brown_10_s2", "brown_2"]
    catalogue = Catalogue(
        "<cache>", tuple(CachedModel(n, "word2vec", 10, 100, 1, "brown") for n in names)
    )
    rows = [r.name for r in model_rows(ModelsView(catalogue)) if r.name in names]
    assert rows == ["brown_2", "brown_10", "brown_10_s2", "brown_100", "brown_100_s2"]


def test_export_names_say_each_word_once(tmp_path: Path) -> None:
    class Swept:
        def slug(self) -> str:
            return "sweep-brown-brown_10-brown_20"

    assert (
        default_path("sweep", [Swept()], tmp_path).name
        == "polyterm-sweep-brown-brown_10-brown_20.md"
    )
    assert default_path("dims", [Swept()], tmp_path).name.startswith("polyterm-dims-sweep-brown")


@SIZES
async def test_e_on_compare_writes_the_view_on_screen(
    toy_models, fixed_catalogue, size, tmp_path
) -> None:
    app = app_with(toy_models, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")  # matched dimensions
        await settle(pilot)
        assert app.compare.mode == "matched"
        await pilot.press("e")
        await settle(pilot)
        [written] = tmp_path.glob("polyterm-compare-*.md")
        assert written.name.endswith("-matched.md")
        text = written.read_text(encoding="utf-8")
        assert "Matched dimensions" in text
        assert "Aligned dimensions" not in text and "Statistics beside their nulls" not in text
        assert "polyterm align" in text  # the reproduce line stays
        await pilot.press("v", "v")  # the summary
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        summary = [p for p in tmp_path.glob("*.md") if p.name.endswith("-summary.md")]
        assert len(summary) == 1
        text = summary[0].read_text(encoding="utf-8")
        assert "Statistics beside their nulls" in text and "Matched dimensions" not in text
        assert any(str(tmp_path) in n.message for n in app._notifications)  # the folder named


@SIZES
async def test_the_first_screen_says_what_opens_and_starts_on_the_pair(
    fixed_catalogue, size
) -> None:
    from polyterm.messages import JobFinished
    from tests.ui.conftest import toy_model

    app = app_with([])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        ws = app.workspace
        names = ["brown_30", "brown_29", "glove-6b-50"]
        for i, name in enumerate(names, 1):
            ws.jobs[i] = Job(i, name, name, OpenOptions(), "train", None)
        ws.selected = list(names)
        app.selection_changed(save=False)
        await pilot.press("2")
        await settle(pilot)
        header = plain(app.dims_pane.query_one("#dims-header"))
        assert "Opening brown_30, brown_29, glove-6b-50" in header  # not "No model loaded"
        for job_id, seed in ((3, 3), (1, 1), (2, 2)):  # GloVe is ready first
            ws.job_finished(
                JobFinished(job_id, names[job_id - 1], toy_model(names[job_id - 1], seed))
            )
            await settle(pilot)
            if job_id == 3:
                assert app.dims_pane.params.model == "glove-6b-50"
        assert app.dims_pane.params.model == "brown_30"  # the study's first model, not GloVe


@SIZES
async def test_g_goes_to_a_dimension_or_a_word(toy_models, fixed_catalogue, size) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.dims_pane
        model = app.workspace.models[pane.params.model or ""]
        for typed, expected in (("#3", 3), ("dim 5", 5), ("2", 2)):
            await pilot.press("g")
            await type_text(pilot, typed)
            await pilot.press("enter")
            await settle(pilot)
            assert pane.params.dim == expected, typed
        await pilot.press("g")
        await type_text(pilot, "king")
        await pilot.press("enter")
        await settle(pilot)
        values = model.vectors[model.vocab.find("king")]
        assert pane.params.dim == int(np.abs(values).argmax())
        await pilot.press("g")
        await type_text(pilot, "kinge")
        await pilot.press("enter")
        await settle(pilot)
        assert any("did you mean king" in n.message for n in app._notifications)


@SIZES
async def test_the_sweep_never_cuts_a_column_and_scrolls_by_keyboard(
    toy_models, fixed_catalogue, size
) -> None:
    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("5", "r")
        await settle(pilot)
        pane = app.main.query_one(SweepPane)
        body = pane.query_one("#sweep-body")
        assert app.focused is body  # the keys scroll the body
        for table in pane.query("DataTable"):
            # as wide as its columns: nothing cut inside the table; the body scrolls
            columns = sum(c.get_render_width(table) for c in table.columns.values())
            assert table.size.width >= max(columns, table.virtual_size.width)
        if body.max_scroll_x:
            await pilot.press("right", "right", "right")
            await pilot.pause()
            assert body.scroll_x > 0
        assert body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0


@SIZES
async def test_the_footer_shows_load_cancel_and_quit(toy_models, fixed_catalogue, size) -> None:
    from textual.widgets._footer import FooterKey

    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        keys = {k.action: k for k in app.screen.query(FooterKey)}
        for action in ("load", "cancel", "quit", "export", "maximize", "help"):
            key = keys[action]
            assert key.region.right <= size[0], action  # drawn, not cut off the edge
        assert ("change_theme" in keys) == (size[0] >= 100)  # rarer keys: wide footers only


@SIZES
async def test_the_sweep_pane_offers_the_cached_models(toy_models, monkeypatch, size) -> None:
    """With brown models in the cache and none loaded, the Sweep pane names them and `a`
    opens them (issue 17 §3: "selected models: none" and `c` did nothing)."""
    from polyterm.explorer.workspace import Workspace
    from tests.ui.conftest import SCAN

    cached = tuple(
        CachedModel(n, "word2vec", d, 100, 1, "brown", corpus="brown")
        for n, d in (("brown_100", 100), ("brown_20", 20), ("brown_5", 5))
    )
    monkeypatch.setattr(SCAN, lambda cache, **kw: Catalogue("<cache>", cached, ("brown",)))
    opened: list[str] = []
    monkeypatch.setattr(Workspace, "open_model", lambda self, spec, *a, **k: opened.append(spec))
    app = app_with(toy_models[:1])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("5")
        pane = app.main.query_one(SweepPane)
        while pane.choice != "brown":
            await pilot.press("c")
        assert pane.unopened == ["brown_5", "brown_20", "brown_100"]  # natural order
        assert "a: open 3 cached (brown_5, brown_20, brown_100)" in plain(
            pane.query_one("#sweep-header")
        )
        await pilot.press("r")  # nothing loaded yet: says how
        assert "a opens the 3 cached ones" in plain(pane.query_one("#sweep-message"))
        await pilot.press("a")
        await settle(pilot)
        assert opened == ["brown_5", "brown_20", "brown_100"]
        assert set(opened) <= set(app.workspace.selected)


@SIZES
async def test_f_widens_the_models_pane_and_progress_keeps_its_key(
    toy_models, fixed_catalogue, size
) -> None:
    from polyterm.widgets.pane import WorkProgress

    app = app_with(toy_models)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        models = app.main.query_one(ModelsPane)
        narrow = models.region.width
        await pilot.press("1", "f")
        await pilot.pause()
        assert app.main.maximized is models
        assert models.region.width >= size[0] - 2 > narrow  # the whole screen
        await pilot.press("escape")
        await pilot.pause()
        bar = app.compare.query_one(WorkProgress)
        bar.start("in dict:32 (fitted first): aligning a_very_long_model_name with another_one")
        assert str(bar.label.content).startswith("x cancels · ")  # a cut leaves the key
