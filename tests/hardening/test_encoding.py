"""Output encodings that cannot hold Unicode degrade to ASCII (issue 17 §2).

`LC_ALL=C` with `PYTHONIOENCODING=ascii` (or latin-1), or a `TERM=dumb` terminal with such a
locale: `dims` printed `ρ` and died with UnicodeEncodeError ("internal error").
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from polyterm.cli import main
from polyterm.cli.encoding import to_ascii
from tests.hardening.conftest import text_rows

WORDS = [f"w{i:02d}" for i in range(40)] + ["café", "naïve"]


@pytest.fixture
def vectors(tmp_path: Path) -> Path:
    path = tmp_path / "v.txt"
    path.write_text(text_rows(WORDS, np.random.default_rng(0).normal(size=(len(WORDS), 4))))
    return path


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_dims_on_a_non_utf8_stream_writes_ascii(
    encoding: str, fmt: str, vectors: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding=encoding, errors="strict")
    err = io.TextIOWrapper(err_bytes, encoding=encoding, errors="strict")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setenv("COLUMNS", "200")
    code = main(["dims", str(vectors), "--cache-dir", str(tmp_path / "c"), "--format", fmt])
    out.flush()
    err.flush()
    text, errors = out_bytes.getvalue().decode(encoding), err_bytes.getvalue().decode(encoding)
    assert code == 0, errors
    assert "internal error" not in errors and "Traceback" not in errors
    if fmt != "json":
        assert "Spearman rho" in text  # ρ, written as its name
    assert "dims" in text or "dim" in text


def test_the_ascii_forms() -> None:
    assert to_ascii("Spearman ρ = −0.5 ± 0.1 · 3…") == "Spearman rho = -0.5 +/- 0.1 * 3..."
    assert to_ascii("café ─│┼") == "cafe -|+"
    assert to_ascii("日本") == "\\u65e5\\u672c"  # no ASCII form: an escape, never a crash


@pytest.mark.slow
@pytest.mark.parametrize(
    "env",
    [{"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}, {"TERM": "dumb", "PYTHONIOENCODING": "latin-1"}],
)
def test_dims_in_a_c_locale_process(env: dict[str, str], vectors: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "polyterm",
            "dims",
            str(vectors),
            "--cache-dir",
            str(tmp_path / "c"),
        ],
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert b"rho" in run.stdout and b"internal error" not in run.stderr
