"""First run without Brown (issue 11, item 8) and the training child's end (the explorer's
training process must not outlive a killed explorer)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from polyterm.app import PolytermApp
from polyterm.engine.models import OpenOptions
from polyterm.explorer import trainer
from polyterm.explorer.catalogue import first_run_plan, study_pair_cached
from polyterm.explorer.workspace import Workspace
from polyterm.widgets.catalogue import CachedModel, Catalogue
from tests.processes import children, running
from tests.ui.conftest import SCAN
from tests.ui.helpers import settle


def test_first_run_plan_says_when_brown_is_missing() -> None:
    names, note = first_run_plan(Catalogue("<cache>", corpora=("brown",)))
    assert names == ["brown_30", "brown_29"] and "original study's pair" in note
    names, note = first_run_plan(Catalogue("<cache>", corpora=()))
    assert names == ["lee_30", "lee_29"]
    assert "Brown corpus is not installed" in note
    assert "python -m nltk.downloader brown" in note
    assert "the original study's pair." not in note and "instead" in note


def _cached(*names: str) -> Catalogue:
    return Catalogue(
        "<cache>",
        cached=tuple(CachedModel(n, "word2vec", 30, 100, 1_000, "brown") for n in names),
        corpora=("brown",),
    )


def test_a_start_without_a_session_opens_the_study_pair_when_it_is_cached() -> None:
    assert study_pair_cached(_cached("brown_30", "brown_29", "glove-6b-50", "brown_5")) == [
        "brown_30",
        "brown_29",
        "glove-6b-50",
    ]
    assert study_pair_cached(_cached("brown_30", "brown_29")) == ["brown_30", "brown_29"]
    assert study_pair_cached(_cached("brown_30", "brown_5")) == []  # not the pair: nothing


async def test_the_explorer_without_a_session_selects_the_cached_study_pair(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(Workspace, "open_model", lambda self, spec, *a, **k: opened.append(spec))
    monkeypatch.setattr(SCAN, lambda cache, **kw: _cached("brown_5", "brown_29", "brown_30"))
    monkeypatch.setenv("POLYTERM_CONFIG_DIR", str(tmp_path / "config"))  # no session
    app = PolytermApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert sorted(opened) == ["brown_29", "brown_30"]


async def test_first_run_without_brown_shows_the_note(
    monkeypatch: pytest.MonkeyPatch, fixed_catalogue: Catalogue
) -> None:
    monkeypatch.setattr(Workspace, "open_model", lambda self, *a, **k: None)
    monkeypatch.setattr(SCAN, lambda cache, **kw: Catalogue("<cache>"))
    app = PolytermApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        note = str(app.main.query_one("#models-note").content)
        assert "nltk.downloader brown" in note and "Lee" in note


def test_the_training_child_watches_the_explorer(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make_in_process` gives the child the explorer's pid, and the child's first act is
    to watch it."""
    calls: list[str] = []
    started: list[tuple[Any, ...]] = []

    class FakeProcess:
        def __init__(self, *, target: Any, args: tuple[Any, ...], **kw: Any) -> None:
            started.append(args)
            self.exitcode = 0

        def start(self) -> None:
            args = started[-1]
            args[3].put(("done", ""))

        def is_alive(self) -> bool:
            return False

        def join(self, timeout: float | None = None) -> None:
            pass

    class Ctx:
        Process = FakeProcess

        def Queue(self) -> queue.Queue[Any]:
            q: queue.Queue[Any] = queue.Queue()
            q.close = lambda: None  # type: ignore[attr-defined]
            return q

        def Event(self) -> Any:
            import threading

            return threading.Event()

    monkeypatch.setattr(trainer.mp, "get_context", lambda kind: Ctx())
    library: Any = type("L", (), {"cache": type("C", (), {"root": Path("/nowhere")})()})()
    trainer.make_in_process(
        "lee_5",
        OpenOptions(),
        library,
        progress=lambda p: None,
        cancel=threading.Event(),
    )
    assert started and started[0][-1] == os.getpid()

    monkeypatch.setattr(trainer, "exit_with_parent", lambda pid: calls.append(f"watch {pid}"))
    monkeypatch.setattr(trainer, "_quiet", lambda: calls.append("quiet"))
    out: queue.Queue[Any] = queue.Queue()
    trainer._child("nosuchcorpus_5", OpenOptions(), "/nonexistent-cache", out, None, 4242)
    assert calls[0] == "watch 4242"  # first thing, before anything can hang


STAND_IN = """
import sys, threading
from pathlib import Path
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.explorer.trainer import make_in_process
if __name__ == "__main__":
    library = ModelLibrary(ModelCache(Path(sys.argv[1])))
    make_in_process("lee_30:epochs=5000", OpenOptions(), library,
                    progress=lambda p: None, cancel=threading.Event())
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_kill_9_of_the_explorer_ends_its_training_child(tmp_path: Path) -> None:
    script = tmp_path / "explorer_stand_in.py"
    script.write_text(STAND_IN)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "cache")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    child = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child is None:
            assert proc.poll() is None, "the stand-in ended before its child started"
            for c in children(proc.pid):
                if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes():
                    child = c
            time.sleep(0.1)
        assert child is not None
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and running(child):
            time.sleep(0.1)
        orphan = running(child)
    finally:
        if proc.poll() is None:
            proc.kill()
        if child is not None and running(child):
            os.kill(child, signal.SIGKILL)
    assert not orphan, "the training child outlived the killed explorer"
