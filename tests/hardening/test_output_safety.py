"""Words from hostile files shown as text: no control character reaches the terminal or a
written file, no markup is parsed, no HTML or heading is injected into markdown, and a
hostile config file (FIFO, deeply nested, huge) never stops or hangs the explorer.

The vector files' words include OSC sequences that retitle the terminal and write the
clipboard, BBCode-like `[/b]` that Rich would parse, an `<img onerror>` with tabs, a bidi
override; the files' names hold a newline followed by `# injected`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from polyterm.safe_text import markdown_code, markdown_text, visible
from tests.hardening.conftest import Run

HOSTILE = [
    "\x1b]0;pwned\x07",
    "\x1b]52;c;aGVsbG8=\x07",
    "[/b]",
    "[red]x",
    "<img\tsrc=x\tonerror=alert(1)>",
    "\u202eevil",
    "#head",
    "|pipe",
    "\x9bc1",
]
WORDS = ["the", "cat", "dog", *HOSTILE, *(f"w{i}" for i in range(20))]  # 32 words
RAW = ("\x1b", "\x07", "\x9b", "\u202e")  # never written raw
HEADINGS = re.compile(r"^#+ (.*)$", re.M)


def _write(path: Path, seed: int, dims: int = 6) -> Path:
    rows = np.random.default_rng(seed).normal(size=(len(WORDS), dims))
    lines = (w + " " + " ".join(f"{x:.4f}" for x in r) for w, r in zip(WORDS, rows, strict=True))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return (
        _write(folder / "one\n# injected.txt", 1),
        _write(folder / "two\n# injected.txt", 2),
    )


def _assert_inert(text: str) -> None:
    for raw in RAW:
        assert raw not in text, (raw, text)


def _assert_safe_markdown(text: str, shows_img: bool = True) -> None:
    _assert_inert(text)
    assert "<img" not in text
    assert "&lt;img\\\\x09src=x" in text or not shows_img
    assert "[/b]" not in text.replace("\\[/b\\]", "")  # every bracket escaped
    for heading in HEADINGS.findall(text):  # no heading made from a file name's newline
        assert not heading.startswith("injected"), heading


CliFn = Callable[..., Run]


@pytest.mark.parametrize(
    "argv",
    [
        ("dims", "{one}", "--dim", "0", "--k", "16"),
        ("repeats", "{one}", "--k", "12"),
        ("neighbours", "cat", "--models", "{one},{two}", "--k", "31"),
        ("diff", "cat - dog", "--models", "{one},{two}", "--k", "30"),
        ("compare", "--dim", "1", "--models", "{one},{two}", "--k", "16"),
    ],
)
def test_cli_tables_show_control_characters_as_escapes(
    cli: CliFn, hostile: tuple[Path, Path], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    one, two = hostile
    args = [a.format(one=one, two=two) for a in argv]
    run = cli(*args, "--cache-dir", tmp_path / "cache", "-q")
    assert run.code == 0, run.err
    _assert_inert(run.out)
    assert "\\x1b]0;pwned\\x07" in run.out and "\\x1b]52;c;" in run.out
    assert "\\u202eevil" in run.out
    assert "[/b]" in run.out and "[red]x" in run.out  # literally, not parsed as markup
    assert "\\x0a# injected" in run.out or argv[0] == "repeats"


@pytest.mark.parametrize(
    "argv",
    [
        ("dims", "{one}", "--dim", "0", "--k", "16"),
        ("repeats", "{one}", "--k", "12"),
        ("diff", "cat - dog", "--models", "{one},{two}", "--k", "30"),
        ("compare", "--dim", "1", "--models", "{one},{two}", "--k", "16"),
        ("align", "{one}", "{two}", "--repetitions", "2"),
        ("universality", "{one}", "{two}"),
    ],
)
def test_cli_markdown_is_inert(
    cli: CliFn, hostile: tuple[Path, Path], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    one, two = hostile
    args = [a.format(one=one, two=two) for a in argv]
    fmt = [] if argv[0] in ("align", "universality") else ["--format", "markdown"]
    run = cli(*args, *fmt, "--cache-dir", tmp_path / "cache", "-q")
    assert run.code == 0, run.err
    if argv[0] in ("align", "universality"):
        _assert_inert(run.out)
        assert "<img" not in run.out
    else:
        _assert_safe_markdown(run.out, shows_img=argv[0] != "repeats")
    assert "one\\\\x0a# injected" in run.out  # the model's name, on one line


def test_report_file_is_inert(cli: CliFn, hostile: tuple[Path, Path], tmp_path: Path) -> None:
    one, two = hostile
    target = tmp_path / "study.md"
    run = cli("report", one, two, "-o", target, "--repetitions", "2", "--k", "5",
              "--cache-dir", tmp_path / "cache", "-q")  # fmt: skip
    assert run.code == 0, run.err
    text = target.read_text(encoding="utf-8")
    _assert_safe_markdown(text)
    assert text.startswith("# Polysemantic universality: one\\\\x0a# injected, two")
    code = text.split("```\n")[-2]  # the reproduce block: one line, controls visible
    assert code.count("\n") == 1 and "one\\x0a# injected" in code


def test_visible_escapes_every_control() -> None:
    assert visible("a\x1b]0;t\x07b") == "a\\x1b]0;t\\x07b"
    assert visible("\x9b\x7f\x00") == "\\x9b\\x7f\\x00"
    assert visible("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert visible("naïve café 東京") == "naïve café 東京"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a\n# b", "a\\\\x0a# b"),
        ("# b", "\\# b"),
        ("- b", "\\- b"),
        ("1. b", "1\\. b"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("**b**", "\\*\\*b\\*\\*"),
        ("_em_", "\\_em\\_"),
        ("lee_20_s2", "lee_20_s2"),
        ("a|b", "a\\|b"),
        ("&amp;", "&amp;amp;"),
        ("\\", "\\\\"),
    ],
)
def test_markdown_text(word: str, expected: str) -> None:
    assert markdown_text(word) == expected


def test_markdown_code_cannot_be_closed_from_inside() -> None:
    assert markdown_code("cat - car") == "`cat - car`"
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`x`") == "`` `x` ``"
    assert markdown_code("a\nb") == "`a\\x0ab`"
