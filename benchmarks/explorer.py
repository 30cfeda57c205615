"""Lines 9 and 10: the explorer (``polyterm.app``) driven headless by Textual's Pilot.

9. Key press → repainted dimension view on GloVe 400k: the dimension browser is shown,
   then ``n`` (next dimension) is sent 50 times; each is timed from the key event to the
   moment the pane holds the new dimension's view and the screen has been re-composited
   (``pilot.pause(0)``: pending events handled, then a forced screen update). Pilot's own
   idle waits happen between presses, outside the timing. Target: median ≤ 100 ms. The
   note gives ``dimension_view`` alone (the work of the background thread) measured in the
   same run.
10. Longest event-loop stall while a sweep trains: a 10 ms ``set_interval`` heartbeat
    records its ticks while the app trains the sweep's Brown models (selected as the
    train form does) into a fresh cache; the longest gap between ticks must be ≤ 100 ms.

Both skip with the reason while ``polyterm.app`` or its dimension pane is missing.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import shutil
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from benchmarks.harness import Context, Row, Skip, median, module_available

HEARTBEAT = 0.01
TIMEOUT = 60.0
SIZE = (160, 48)
T = TypeVar("T")


def _app_class() -> Any:
    if not module_available("polyterm.app"):
        raise Skip("polyterm.app does not exist yet")
    try:
        module = importlib.import_module("polyterm.app")
        pane_module = importlib.import_module("polyterm.widgets.dimension_pane")
    except Exception as exc:  # a module being written: say why, skip
        raise Skip(f"polyterm.app does not import yet: {exc!r}") from None
    app_cls = getattr(module, "PolytermApp", None)
    pane = getattr(pane_module, "DimensionPane", None)
    if app_cls is None or pane is None:
        raise Skip("polyterm.app has no PolytermApp with a DimensionPane yet")
    return app_cls, pane


async def _until(condition: Any, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.0005)


async def _drive(app: Any, body: Callable[[Any], Awaitable[T]]) -> tuple[T, str]:
    """Run `body(pilot)` in a headless app; an error raised by the app while it closes
    (after the measurement) is reported in the note instead of discarding the figures."""
    done: list[T] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            done.append(await body(pilot))
    except Exception as exc:
        if not done:
            raise
        return done[0], f"; the app raised while closing: {exc!r}"[:300]
    return done[0], ""


async def _key_to_repaint(ctx: Context, presses: int) -> tuple[list[float], str]:
    app_cls, pane_cls = _app_class()
    model = ctx.glove()
    app = app_cls(cache_dir=ctx.cache_root, models=[model], startup=False)

    async def body(pilot: Any) -> list[float]:
        times: list[float] = []
        pane = app.screen.query_one(pane_cls)
        await _until(lambda: pane.view is not None, "the first dimension view")
        await pilot.press("2")
        await pilot.pause()
        for _ in range(presses):
            expected = (pane.params.dim + 1) % model.dims
            start = time.perf_counter()
            app.simulate_key("n")
            await _until(
                lambda e=expected: pane.view is not None and pane.view.dim == e,
                f"dimension {expected}",
            )
            await pilot.pause(0)  # handle the table updates, then re-composite the screen
            times.append(time.perf_counter() - start)
            await pilot.pause()  # let everything settle, untimed
        return times

    return await _drive(app, body)


TRAINING_SPECS = ("brown_300", "brown_200", "brown_100", "brown_50", "brown_30")
"""Trained one after another (into a fresh cache) while the keys of the loaded row are timed."""


async def _key_to_repaint_training(ctx: Context, presses: int) -> tuple[
    tuple[list[float], list[float], list[str]], str
]:
    """The key → repaint timing of `_key_to_repaint` while the explorer's own trainer (a
    Job training a Brown model in a child process) runs: only presses that begin and end
    while a training job is running count; a 10 ms heartbeat gives the longest stall."""
    app_cls, pane_cls = _app_class()
    model = ctx.glove()
    ctx.brown()
    root = ctx.work / "explorer-keys-training"
    from polyterm.engine.cache import ModelCache

    ModelCache(root)
    shutil.copytree(ctx.cache_root / "corpora", root / "corpora", dirs_exist_ok=True)
    app = app_cls(cache_dir=root, models=[model], startup=False)
    ticks: list[float] = []

    def training() -> bool:
        return any(j.kind == "train" for j in app.workspace.jobs.values())

    async def body(pilot: Any) -> tuple[list[float], list[float], list[str]]:
        times: list[float] = []
        trained: list[str] = []
        pane = app.screen.query_one(pane_cls)
        await _until(lambda: app.workspace.library is not None, "the app's cache")
        await _until(lambda: pane.view is not None, "the first dimension view")
        await pilot.press("2")
        await pilot.pause()
        app.set_interval(HEARTBEAT, lambda: ticks.append(time.perf_counter()))
        specs = list(TRAINING_SPECS if ctx.config.mode != "tiny" else ("brown_5", "brown_2"))
        deadline = time.perf_counter() + 600
        while len(times) < presses and time.perf_counter() < deadline:
            if not training():
                if not specs:
                    break
                trained.append(specs.pop(0))
                app.workspace.open_model(trained[-1])
                await _until(training, f"training {trained[-1]}")
                await asyncio.sleep(0.5)  # the child is up and training
            expected = (pane.params.dim + 1) % model.dims
            start = time.perf_counter()
            during = training()
            app.simulate_key("n")
            await _until(
                lambda e=expected: pane.view is not None and pane.view.dim == e,
                f"dimension {expected}",
            )
            await pilot.pause(0)
            elapsed = time.perf_counter() - start
            if during and training():
                times.append(elapsed)
            await pilot.pause()
        for job in list(app.workspace.jobs.values()):
            job.cancel()
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        return times, gaps, trained

    try:
        return await _drive(app, body)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def line_9(ctx: Context) -> list[Row]:
    _app_class()
    from polyterm.views.query import dimension_view

    model = ctx.glove()
    presses = ctx.config.explorer_presses
    times, closing = asyncio.run(_key_to_repaint(ctx, presses))
    compute = []
    for dim in range(min(model.dims, 11)):
        start = time.perf_counter()
        dimension_view(model, dim)
        compute.append(time.perf_counter() - start)
    return [
        Row(
            9,
            f"key → repainted dimension view, {len(model):,} words (Pilot, median of {presses})",
            median(times),
            "s",
            kind="absolute",
            op="<=",
            target=0.1,
            note=f"dimension_view alone {median(compute) * 1e3:.0f} ms; "
            f"slowest press {max(times) * 1e3:.0f} ms{closing}",
            samples={"key_to_repaint": times, "dimension_view": compute},
        ).judge(),
        _training_row(ctx, presses),
    ]


def _training_row(ctx: Context, presses: int) -> Row:
    label = "key → repainted dimension view while a model trains (explorer's trainer, Pilot)"
    (times, gaps, trained), closing = asyncio.run(_key_to_repaint_training(ctx, presses))
    if not times:
        raise RuntimeError("no key press happened while a model was training")
    return Row(
        9,
        label,
        median(times),
        "s",
        kind="absolute",
        op="<=",
        target=0.05,
        note=f"median of {len(times)} presses while training {', '.join(trained)}; slowest "
        f"press {max(times) * 1e3:.0f} ms; longest event-loop stall "
        f"{max(gaps, default=0.0) * 1e3:.0f} ms (10 ms heartbeat){closing}",
        samples={"key_to_repaint_training": times, "longest_gaps": sorted(gaps)[-20:]},
    ).judge()


async def _stalls(ctx: Context, specs: list[str]) -> tuple[tuple[list[float], float], str]:
    app_cls, _ = _app_class()
    root = ctx.work / "explorer-sweep"
    from polyterm.engine.cache import ModelCache

    ModelCache(root)  # a new root: polyterm tags it before the corpora are copied in
    shutil.copytree(ctx.cache_root / "corpora", root / "corpora", dirs_exist_ok=True)
    app = app_cls(cache_dir=root, startup=False)
    ticks: list[float] = []

    async def body(pilot: Any) -> tuple[list[float], float]:
        await _until(lambda: app.workspace.library is not None, "the app's cache")
        await pilot.pause()
        app.set_interval(HEARTBEAT, lambda: ticks.append(time.perf_counter()))
        await asyncio.sleep(0.2)
        start = time.perf_counter()
        for spec in specs:
            app.workspace.select(spec, True)

        def finished() -> bool:
            return all(s in app.workspace.models or s not in app.workspace.selected for s in specs)

        await _until(finished, "the sweep", timeout=1800)
        elapsed = time.perf_counter() - start
        missing = [s for s in specs if s not in app.workspace.models]
        if missing:
            raise RuntimeError(f"the explorer did not train {', '.join(missing)}")
        window = [t for t in ticks if t >= start]
        return [b - a for a, b in itertools.pairwise(window)], elapsed

    try:
        return await _drive(app, body)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def line_10(ctx: Context) -> list[Row]:
    _app_class()
    ctx.brown()
    specs = [f"brown_{d}" for d in ctx.config.brown_dims]
    (gaps, elapsed), closing = asyncio.run(_stalls(ctx, specs))
    if not gaps:
        raise RuntimeError("the heartbeat never ticked")
    late = sum(g > 0.1 for g in gaps)
    return [
        Row(
            10,
            f"longest event-loop stall while {len(specs)} Brown models train",
            max(gaps),
            "s",
            kind="absolute",
            op="<=",
            target=0.1,
            note=f"{HEARTBEAT * 1e3:.0f} ms heartbeat over {elapsed:.1f} s: "
            f"median gap {median(gaps) * 1e3:.0f} ms, {late} gaps > 100 ms{closing}",
            samples={"longest_gaps": sorted(gaps)[-20:]},
        ).judge()
    ]
