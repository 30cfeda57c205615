"""Follow-ups of issue 10's second attack pass on the CLI and the views.

JSON with raw controls, internal errors from too few shared words, empty option values
taken as defaults, raw Python warnings, an output path naming a folder, a misleading
`--k` message, a zero difference vector scored, and export names missing models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.hardening.conftest import Run

CliFn = Callable[..., Run]

# -- 1. JSON escapes what a terminal would act on ------------------------------------------
UNSAFE_WORDS = [
    "a\x85b",  # NEL (C1)
    "q\x9br",  # CSI (C1)
    "o\x7fp",  # DEL
    "b\u202ec",  # RLO
    "c\u2066d",  # LRI
    "e\u200ef",  # LRM
    "g\u061ch",  # ALM
    "i\u2028j",  # line separator
    "k\u2029l",  # paragraph separator
    "m\ufeffn",  # BOM
    "\u202eevil",
]
RAW_IN_JSON = "\x85\x9b\x7f\u202e\u2066\u200e\u061c\u2028\u2029\ufeff"


def _vector_file(path: Path, words: list[str], dims: int = 5, seed: int = 0) -> Path:
    rows = np.random.default_rng(seed).normal(size=(len(words), dims))
    text = "".join(
        w + " " + " ".join(f"{x:.4f}" for x in r) + "\n" for w, r in zip(words, rows, strict=True)
    )
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


@pytest.fixture
def unsafe_model(tmp_path: Path) -> Path:
    return _vector_file(tmp_path / "unsafe.txt", ["the", "cat", "café", "東京", *UNSAFE_WORDS])


@pytest.mark.parametrize(
    "argv",
    [
        ("neighbours", "cat", "--models", "{m}", "--k", "14"),
        ("dims", "{m}", "--k", "7"),
        ("neighbours", "evil", "--models", "{m}"),  # the error field: did you mean ‮evil
    ],
)
def test_json_escapes_unsafe_characters(
    cli: CliFn, unsafe_model: Path, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    args = [a.format(m=unsafe_model) for a in argv]
    run = cli(*args, "--format", "json", "--cache-dir", tmp_path / "cache", "-q")
    assert "Traceback" not in run.err and "internal error" not in run.err
    for raw in RAW_IN_JSON:
        assert raw not in run.out, (hex(ord(raw)), run.out)
    data = json.loads(run.out)  # still valid JSON, the same words once decoded
    text = json.dumps(data, ensure_ascii=False)
    assert "\\u202eevil" in run.out and "\u202eevil" in text
    if argv[1] == "evil":
        assert "did you mean \\u202eevil" in run.out
    else:
        assert "café" in run.out  # other non-ASCII kept as is
        decoded = {w for w in UNSAFE_WORDS if w in text}
        assert len(decoded) >= 5, decoded
