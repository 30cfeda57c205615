"""Issue 10 item 8: `kill -9` of a multi-model `train` must not leave its workers running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from polyterm.engine.parent_watch import EXIT_ORPHANED, exit_with_parent
from tests.processes import children, running

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")


def _is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.slow
def test_sigkill_of_a_multi_model_train_ends_its_workers(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polyterm",
            "train",
            "lee_30:epochs=400",
            "lee_29:epochs=400",
            "--jobs",
            "2",
            "-q",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(workers) < 2:
            assert proc.poll() is None, "train ended before its workers started"
            workers = {c for c in children(proc.pid) if _is_worker(c)}
            time.sleep(0.1)
        assert len(workers) == 2, workers
        time.sleep(1.0)  # the workers are past their start-up, training
        assert all(running(w) for w in workers)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(running(w) for w in workers):
            time.sleep(0.1)
        orphans = [w for w in workers if running(w)]
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in workers:
            if running(w):
                os.kill(w, signal.SIGKILL)
    assert orphans == [], "workers outlived the killed train"


def test_a_worker_whose_parent_is_already_gone_exits_at_once() -> None:
    code = (
        "from polyterm.engine.parent_watch import exit_with_parent\n"
        "exit_with_parent(1)\n"  # pid 1 is not this process's parent
        "print('still here')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == EXIT_ORPHANED and "still here" not in run.stdout


def test_the_watch_leaves_a_worker_with_a_living_parent_alone() -> None:
    before = threading.active_count()
    exit_with_parent(os.getppid(), poll=0.05)
    time.sleep(0.3)  # several polls: this process is still running
    assert threading.active_count() == before + 1
