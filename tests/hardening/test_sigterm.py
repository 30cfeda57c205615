"""SIGTERM to the explorer (issue 17 §2): the terminal is given back as it was.

Before, SIGTERM's default action killed the explorer at once: the terminal stayed in the
alternate screen with mouse reporting on. Now the explorer exits as `q` does and Textual's
exit writes the sequences that restore the terminal. Run under a real pty, as a user's
terminal runs it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a pty"),
]

REPO = Path(__file__).resolve().parents[2]
ALT_SCREEN_ON = b"\x1b[?1049h"
ALT_SCREEN_OFF = b"\x1b[?1049l"
MOUSE_ON = b"\x1b[?1000h"
MOUSE_OFF = b"\x1b[?1000l"


def _read_until(fd: int, proc: subprocess.Popen[bytes], want: bytes, seconds: float) -> bytes:
    """What the explorer wrote to its terminal until `want` appears, it exits or time ends."""
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and want not in out:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: every writer of the pty is gone
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    return out


def test_sigterm_leaves_the_alternate_screen_and_turns_the_mouse_off(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    # a session with nothing selected: the explorer starts without training a first run
    (config / "session.json").write_text(json.dumps({"version": 1, "selected": []}))
    main, secondary = os.openpty()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TERM": "xterm-256color",
        "COLUMNS": "80",
        "LINES": "24",
        "POLYTERM_CACHE_DIR": str(tmp_path / "cache"),
        "POLYTERM_CONFIG_DIR": str(config),
        "POLYTERM_DATA_DIR": str(tmp_path / "data"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "polyterm"],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(secondary)
    try:
        started = _read_until(main, proc, b"Models", 120)  # the main screen is drawn
        assert ALT_SCREEN_ON in started and MOUSE_ON in started, started[-400:]
        assert proc.poll() is None, started[-400:]
        time.sleep(0.5)  # the app is mounted and idle
        proc.send_signal(signal.SIGTERM)
        rest = _read_until(main, proc, b"\x00never", 60)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    assert ALT_SCREEN_OFF in rest and MOUSE_OFF in rest, rest[-400:]
    assert rest.rindex(ALT_SCREEN_OFF) > rest.rfind(ALT_SCREEN_ON)  # left last, not re-entered
    assert b"Traceback" not in rest, rest[-2000:]
    assert code == 128 + signal.SIGTERM
