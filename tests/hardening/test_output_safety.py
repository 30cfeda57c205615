"""Words from hostile files shown as text: no control character reaches the terminal or a
written file, no markup is parsed, no HTML or heading is injected into markdown, and a
hostile config file (FIFO, deeply nested, huge) never stops or hangs the explorer.

The vector files' words include OSC sequences that retitle the terminal and write the
clipboard, BBCode-like `[/b]` that Rich would parse, an `<img onerror>` with tabs, a bidi
override; the files' names hold a newline followed by `# injected`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
T = TypeVar("T")


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
        ("align", "{one}", "{two}", "--repetitions", "2", "--format", "markdown"),
        ("universality", "{one}", "{two}", "--format", "markdown"),
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


# -- config files: FIFO, deeply nested, huge (item 7) -----------------------------------------
DEEP_TOML = "name = 'deep'\nprimary = '#123456'\n[variables]\nx = " + "[" * 100_000 + "]" * 100_000
DEEP_JSON = '{"selected": ' + "[" * 100_000 + "]" * 100_000 + "}"


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    (config / "themes").mkdir(parents=True)
    monkeypatch.setenv("POLYTERM_CONFIG_DIR", str(config))
    monkeypatch.setenv("POLYTERM_CACHE_DIR", str(tmp_path / "cache"))
    return config


def test_theme_files_fifo_deep_huge_are_skipped_with_one_line(tmp_path: Path) -> None:
    from polyterm.theming import load_themes

    os.mkfifo(tmp_path / "fifo.toml")  # nobody writes: a blocking open would hang
    (tmp_path / "deep.toml").write_text(DEEP_TOML)
    (tmp_path / "huge.toml").write_text("name = 'huge'\nprimary = '#123456'\n" + "#" * (2 << 20))
    (tmp_path / "markup.toml").write_text("name = '[/b]'\nprimary = '#123456'\n")
    (tmp_path / "bad-variable.toml").write_text(
        "name = 'v'\nprimary = '#123456'\n[variables]\naccent = '[/b]'\n"
    )
    (tmp_path / "good.toml").write_text("name = 'mine'\nprimary = '#123456'\n")
    themes = _in_thread(lambda: load_themes([tmp_path]), seconds=30)
    assert themes.names == ("mine",)
    errors = dict(
        zip(["bad-variable", "deep", "fifo", "huge", "markup"], themes.errors, strict=True)
    )
    assert "not a regular file" in errors["fifo"]
    assert "nested too deeply" in errors["deep"]
    assert "larger than" in errors["huge"]
    assert "may hold only letters" in errors["markup"]
    assert "bad-variable.toml" in errors["bad-variable"]
    assert all("\n" not in e and "\x1b" not in e for e in themes.errors)


@pytest.mark.parametrize("kind", ["fifo", "deep", "huge", "device"])
def test_unusable_session_file_warns_and_is_ignored(tmp_path: Path, kind: str) -> None:
    from polyterm.session import load_session

    path = tmp_path / "session.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "deep":
        path.write_text(DEEP_JSON)
    elif kind == "huge":
        path.write_text('{"selected": ["' + "x" * (4 << 20) + '"]}')
    else:
        path.symlink_to("/dev/zero")
    warnings: list[str] = []
    assert _in_thread(lambda: load_session(tmp_path, warn=warnings.append), seconds=30) is None
    assert len(warnings) == 1 and "session file" in warnings[0], warnings
    assert any(
        why in warnings[0] for why in ("not a regular file", "nested too deeply", "larger than")
    )


def test_session_reopens_a_bounded_number_of_models(tmp_path: Path) -> None:
    from polyterm.session import MAX_SELECTED, load_session

    names = [f"m{i}" for i in range(1000)]
    (tmp_path / "session.json").write_text(json.dumps({"selected": names}))
    session = load_session(tmp_path)
    assert session is not None and session.selected == tuple(names[:MAX_SELECTED])


async def test_explorer_starts_with_fifo_and_deep_config_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyterm.app import PolytermApp
    from polyterm.theming import DEFAULT_THEME
    from tests.ui.conftest import FIXED_CATALOGUE, SCAN
    from tests.ui.helpers import settle

    monkeypatch.setattr(SCAN, lambda cache, **kw: FIXED_CATALOGUE)
    config = _config(tmp_path, monkeypatch)
    os.mkfifo(config / "themes" / "fifo.toml")
    (config / "themes" / "deep.toml").write_text(DEEP_TOML)
    os.mkfifo(config / "session.json")
    app = PolytermApp(theme="deep")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("fifo.toml" in m and "not a regular file" in m for m in messages), messages
        assert any("deep.toml" in m and "nested too deeply" in m for m in messages), messages
        assert any("session file" in m and "not a regular file" in m for m in messages)
        assert app.theme == DEFAULT_THEME and app.is_running
    (config / "session.json").unlink()
    (config / "session.json").write_text(DEEP_JSON)
    app = PolytermApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("session file" in m and "nested too deeply" in m for m in messages)
        assert app.is_running


def _in_thread(fn: Callable[[], T], seconds: float) -> T:
    """`fn()` in a daemon thread; fail (instead of hanging the suite) if it blocks."""
    box: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as exc:  # re-raised below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"blocked for {seconds}s"
    if errors:
        raise errors[0]
    return box[0]
