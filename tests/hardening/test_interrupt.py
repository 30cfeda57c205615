"""Ctrl-C (SIGINT to the process group) during `train`/`sweep` (issue 17 §2).

The sweep waited 30-38 s for its workers, stored every model, then printed "interrupted;
nothing was written"; Ctrl-C while the workers imported printed their tracebacks. Now the
queued models never start, running ones stop at their next cancel check, and the line
names the models that were kept.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SPECS = [f"lee_{d}" for d in range(2, 12)]


def _entries(cache: Path) -> list[str]:
    models = cache / "models"
    return sorted(p.name.rsplit("-", 1)[0] for p in models.iterdir()) if models.exists() else []


def _start(cache: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polyterm",
            "train",
            *SPECS,
            "--jobs",
            "2",
            "--cache-dir",
            str(cache),
            "-q",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def test_ctrl_c_during_train_stops_and_says_what_was_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    proc = _start(cache)
    deadline = time.monotonic() + 120
    while not _entries(cache) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the parent and its workers
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    kept = _entries(cache)
    assert 1 <= len(kept) < len(SPECS)  # not every model trained after the interrupt
    (line,) = [ln for ln in err.splitlines() if ln.startswith("polyterm: interrupted")]
    assert f"kept the {len(kept)} model" in line and "nothing else was written" in line
    assert all(name in line for name in kept)
    assert not list((cache / "tmp").iterdir())  # no half-written entry left behind


def test_ctrl_c_while_the_workers_start_prints_no_traceback(tmp_path: Path) -> None:
    proc = _start(tmp_path / "cache")
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if not children.exists():
        proc.kill()
        pytest.skip("needs Linux's /proc/<pid>/task/<tid>/children")
    deadline = time.monotonic() + 120

    def worker_started() -> bool:
        """A training worker exists (not multiprocessing's resource tracker, which starts
        first): the workers are starting and importing gensim."""
        for pid in children.read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return True
            except OSError:
                continue
        return False

    while proc.poll() is None and not worker_started() and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    # a Ctrl-C while the workers are spawned (SIGINT ignored then) is held, not lost
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("polyterm: interrupted")
