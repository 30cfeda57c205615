"""Jobs: training with progress, cancellation (no cache entry left), start-up behaviour."""

from __future__ import annotations

import pytest

from polyterm.app import PolytermApp
from polyterm.engine.cache import ModelCache
from polyterm.engine.settings import cache_dir, config_dir
from polyterm.explorer.workspace import Workspace
from polyterm.messages import JobProgress
from polyterm.screens.train import TrainScreen, build_specs
from polyterm.session import Session, load_session, save_session
from tests.ui.conftest import SCAN
from tests.ui.helpers import plain, settle, type_text, until

# The whole explorer, driven by Pilot: run by `pytest -m slow` and in CI (the default
# run keeps a smoke set of Pilot tests so it stays under two minutes).
pytestmark = pytest.mark.slow


@pytest.mark.slow
async def test_training_reports_progress_and_caches(fixed_catalogue) -> None:
    seen: list[JobProgress] = []
    app = PolytermApp(startup=False)
    async with app.run_test(
        size=(120, 36), message_hook=lambda m: isinstance(m, JobProgress) and seen.append(m)
    ) as pilot:
        await settle(pilot)
        app.workspace.select("lee_8", True)
        assert [j.spec for j in app.workspace.jobs.values()] == ["lee_8"]
        await settle(pilot)
        assert "lee_8" in app.workspace.models and app.workspace.selected == ["lee_8"]
        assert not app.workspace.jobs
        assert seen and seen[-1].progress.stage == "done"
        assert any(p.progress.stage == "train" for p in seen)
        assert [e.name for e in ModelCache(cache_dir()).entries()] == ["lee_8"]
        assert load_session(config_dir()) == Session(("lee_8",), "polyterm-dark")


@pytest.mark.slow
async def test_cancelling_a_job_leaves_no_cache_entry(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    pressed: list[int] = []

    def hook(message: object) -> None:  # cancel as soon as the engine reports progress
        if isinstance(message, JobProgress) and not pressed:
            pressed.append(message.job_id)
            app.action_cancel()

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await settle(pilot)
        app.workspace.select("lee_9", True)
        await until(pilot, lambda: not app.workspace.jobs)
        await settle(pilot)
        assert pressed and "lee_9" not in app.workspace.models and not app.workspace.jobs
        assert app.workspace.selected == []
        assert ModelCache(cache_dir()).entries() == []
        assert not list((cache_dir() / "tmp").iterdir())
        assert any("cancelled" in (n.title or "") for n in app._notifications)
        assert app.is_running


async def test_cancel_key_while_waiting_for_the_corpus(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        lock = app.workspace.corpus_locks.setdefault("lee", __import__("threading").Lock())
        lock.acquire()  # another job is reading the corpus
        app.workspace.select("lee_7", True)
        await pilot.press("1", "x")
        await until(pilot, lambda: not app.workspace.jobs)
        await settle(pilot)
        lock.release()
        assert not app.workspace.jobs and "lee_7" not in app.workspace.models
        assert ModelCache(cache_dir()).entries() == []


async def test_failed_job_is_a_notification(fixed_catalogue) -> None:
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.workspace.select("nosuchcorpus_10", True)
        await settle(pilot)
        assert not app.workspace.jobs and app.workspace.selected == []
        assert any(n.severity == "error" for n in app._notifications)
        assert app.is_running


def test_train_form_validation() -> None:
    ok = {"dims": "30-28", "seeds": "1,2", "window": "5", "min_count": "5", "epochs": "5"}
    specs, errors = build_specs("brown", ok, 0)
    assert errors == {} and specs[:3] == ["brown_30", "brown_30_s2", "brown_29"]
    assert len(specs) == 6
    specs, errors = build_specs("brown", {**ok, "dims": "0", "window": "x"}, 1)
    assert specs == [] and set(errors) == {"window"}
    specs, errors = build_specs("brown", {**ok, "dims": "0"}, 1)
    assert "dims must be between" in errors["dims"]
    specs, errors = build_specs("brown", {**ok, "epochs": "0"}, 1)
    assert "epochs" in errors["epochs"]
    assert build_specs("lee", {**ok, "dims": "10"}, 1)[0] == ["lee_10:sg=1", "lee_10_s2:sg=1"]


async def test_train_form_from_keys(fixed_catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(Workspace, "open_model", lambda self, spec, *a, **k: opened.append(spec))
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen)  # invalid: stays, with a message
        assert "dims must be between" in str(app.screen.query_one("#dims-error").content)
        await pilot.press("backspace")
        await type_text(pilot, "12,11")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, TrainScreen)
        assert opened == ["brown_12", "brown_11"]


async def test_first_run_starts_the_study_pair(
    fixed_catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(Workspace, "open_model", lambda self, spec, *a, **k: opened.append(spec))
    monkeypatch.setattr(
        SCAN, lambda cache, **kw: type(fixed_catalogue)("<cache>", (), ("brown",), True)
    )
    app = PolytermApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert opened == ["brown_30", "brown_29", "glove-6b-50"]
        note = app.main.query_one("#models-note")
        assert not note.has_class("hidden") and "First run" in str(note.content)


async def test_first_run_without_brown_uses_lee(
    monkeypatch: pytest.MonkeyPatch, fixed_catalogue
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(Workspace, "open_model", lambda self, spec, *a, **k: opened.append(spec))
    monkeypatch.setattr(SCAN, lambda cache, **kw: type(fixed_catalogue)("<cache>", (), (), False))
    async with PolytermApp().run_test() as pilot:
        await settle(pilot)
        assert opened == ["lee_30", "lee_29"]


async def test_session_is_restored_in_the_background(
    fixed_catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(Workspace, "open_model", lambda self, spec, *a, **k: opened.append(spec))
    save_session(config_dir(), Session(("toy_b", "toy_a")))
    async with PolytermApp().run_test() as pilot:
        await settle(pilot)
        assert opened == ["toy_b", "toy_a"]


async def test_remove_from_cache_asks_first() -> None:
    import numpy as np

    from polyterm.engine.specs import parse_spec

    cache = ModelCache(cache_dir())
    cache.write(parse_spec("toy_4"), ["a", "b", "c"], np.eye(3, 4), manifest={"kind": "word2vec"})
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.query_one("#models-table")
        table.move_cursor(row=table.get_row_index("toy_4"))
        await pilot.press("1", "delete")
        await pilot.pause()
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert [e.name for e in cache.entries()] == ["toy_4"]
        await pilot.press("delete", "y")
        await settle(pilot)
        assert cache.entries() == []
        assert "toy_4" not in [c.name for c in app.workspace.catalogue.cached]


@pytest.mark.parametrize("late", ["view", "job", "catalogue"])
async def test_messages_arriving_while_the_app_closes_are_dropped(
    toy_models, fixed_catalogue, late: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's answer or a finished job can land while the app closes, when the panes
    are half removed: it must be dropped, not raise (seen as NoMatches('#dims'))."""
    from polyterm.messages import CatalogueReady, JobFinished, ViewProgress
    from polyterm.widgets.dimension_pane import DimensionPane
    from tests.ui.conftest import toy_model

    app = PolytermApp(models=toy_models, startup=False)
    message = {
        "view": lambda: ViewProgress("dims", 0.5, 7),
        "job": lambda: JobFinished(99, "late_model", toy_model("late_model", 5)),
        "catalogue": lambda: CatalogueReady(fixed_catalogue),
    }[late]
    # Post it the moment the Dimensions pane is removed by the shutdown.
    monkeypatch.setattr(
        DimensionPane, "on_unmount", lambda self: app.post_message(message()), raising=False
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.questions.tokens["dims"] = 7
    assert app.return_code in (None, 0)


@pytest.mark.slow
async def test_several_trainings_cancelled_one_by_one_leave_nothing(fixed_catalogue) -> None:
    """Three models of one corpus queue behind its lock; cancelling each (the running one
    and the waiting ones) ends every job, trains nothing and leaves no temp files."""
    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for name in ("lee_8", "lee_9", "lee_10"):
            app.workspace.select(name, True)
        assert sorted(j.name for j in app.workspace.jobs.values()) == ["lee_10", "lee_8", "lee_9"]
        for job_id in list(app.workspace.jobs):
            app.action_cancel(job_id)
        await until(pilot, lambda: not app.workspace.jobs)
        await settle(pilot)
        assert not (set(app.workspace.models) & {"lee_8", "lee_9", "lee_10"})
        assert app.workspace.selected == []
        assert ModelCache(cache_dir()).entries() == []
        assert not list((cache_dir() / "tmp").iterdir())
        assert app.is_running


async def test_a_selection_change_during_a_query_shows_the_new_selection(
    toy_models, fixed_catalogue
) -> None:
    """An answer computed for the old selection is never shown: the calculator ends up
    showing the query over the models selected now."""
    from polyterm.views.query import expression_view

    app = PolytermApp(models=toy_models, startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await type_text(pilot, "king - man + woman")
        await pilot.press("enter")
        app.workspace.select("toy_b", False)  # at once, while the first answer is being computed
        await settle(pilot)
        await until(pilot, lambda: not app.questions.view_workers())
        await settle(pilot)
        view = app.main.pane("calc").view
        assert [r.model.name for r in view.results] == ["toy_a", "toy_c"]
        assert view == expression_view([toy_models[0], toy_models[2]], "king - man + woman")
        app.workspace.select("toy_b", True)
        await settle(pilot)
        await until(pilot, lambda: not app.questions.view_workers())
        await settle(pilot)
        assert [r.model.name for r in app.main.pane("calc").view.results] == [
            "toy_a",
            "toy_c",
            "toy_b",
        ]


async def test_cancelling_a_question_before_its_worker_starts_stops_the_pane(
    toy_models, fixed_catalogue
) -> None:
    """`x` pressed the moment a computation is asked (its worker not begun yet) still
    ends it: the pane says cancelled and no worker is left."""
    app = PolytermApp(models=toy_models[:2], startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        app.compare.request_alignment()
        app.compare.stale = False  # answered below, not by the Asked message it posted
        assert app.questions.ask(app.compare, force=True)  # its worker is created, not yet begun
        app.action_cancel()
        await settle(pilot)
        await until(pilot, lambda: not app.questions.view_workers())
        await settle(pilot)
        assert app.main.query_one("#compare-progress").has_class("hidden")
        assert app.compare.view is None
        assert "cancelled" in plain(app.main.query_one("#compare-message"))
        assert app.is_running


async def test_job_list_draws_two_lines_per_job_with_its_share_filled(fixed_catalogue) -> None:
    from rich.color import Color

    from polyterm.engine.progress import Progress
    from polyterm.widgets.catalogue import JobState
    from polyterm.widgets.models_pane import JobList

    app = PolytermApp(startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pane = app.models_pane
        jobs = tuple(
            JobState(i, f"brown_{d}", "train", Progress(f"brown_{d}", "train", f, "epoch 2/5"))
            for i, (d, f) in enumerate([(30, 0.25), (29, 0.75)])
        )
        pane.update_jobs(jobs)
        await settle(pilot)
        job_list = pane.query_one(JobList)
        assert job_list.region.height == 4
        width = job_list.size.width
        primary = Color.parse(app.theme_variables["primary"])
        for row, fraction in ((1, 0.25), (3, 0.75)):
            title = "".join(s.text for s in job_list.render_line(row - 1))
            assert title.startswith(f"training brown_{30 if row == 1 else 29}  epoch 2/5")
            filled = sum(
                len(s.text)
                for s in job_list.render_line(row)
                if s.style is not None and s.style.color == primary
            )
            assert filled == round(fraction * width)
        pane.update_jobs(())
        await settle(pilot)
        assert app.main.query_one("#jobs").has_class("hidden")
