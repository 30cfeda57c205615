"""End to end in a fresh process: the real entry point prints one line and no traceback.

The runner blocks the network first (as offline), so the download case shows what a user
without a network sees — one line, not NLTK's own multi-line error report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = r"""
import socket, sys
def offline(*a, **k):
    raise OSError(101, "Network is unreachable")
socket.socket.connect = offline
socket.create_connection = offline
socket.getaddrinfo = offline
from polyterm.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "names_10", "--download"], "could not download the NLTK corpus 'names'"),
        (["neighbours", "the", "--models", "{F}/huge-header.bin"], "promises 3,000,000,000 words"),
        (["diff", "cat + * dog", "--models", "{F}/good.txt"], "expected a word, found '*'"),
    ],
    ids=["nltk-download-offline", "lying-binary-header", "bad-expression"],
)
def test_one_line_on_stderr_and_no_traceback(
    tmp_path: Path, bad_files: Path, argv: list[str], message: str
) -> None:
    from polyterm.engine.corpus import nltk_corpus_root

    if "names_10" in argv and nltk_corpus_root("names") is not None:
        pytest.skip("the NLTK names corpus is installed: training it would not download")
    argv = [a.replace("{F}", str(bad_files)) for a in argv]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "COLUMNS": "400",
        "POLYTERM_CACHE_DIR": str(tmp_path / "cache"),
        "POLYTERM_DATA_DIR": str(tmp_path / "data"),
        "POLYTERM_CONFIG_DIR": str(tmp_path / "config"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, *argv, "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("polyterm: error: ") and message in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
