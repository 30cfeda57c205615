"""Exports and the CLI (issue 11, item 11): reproduce lines that run, `report -o` checked
before any work, table and markdown formats that differ, errors once on stderr, help for
every option, and models listed without markup."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.cli import build_parser, main
from polyterm.engine.models import ModelLibrary

WORDS = [f"w{i}" for i in range(80)] + ["cat", "dog", "car", "water", "fire"]


def vector_file(path: Path, seed: int, dims: int = 6) -> Path:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{len(WORDS)} {dims}"]
    lines += [w + " " + " ".join(f"{x:.5f}" for x in rng.normal(size=dims)) for w in WORDS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "my vectors"  # a space: the path must be quoted to run
    return vector_file(folder / "it's one.txt", 1), vector_file(folder / "two.txt", 2)


def reproduce_line(markdown: str) -> list[str]:
    line = markdown.split("Reproduce with:\n\n```\n", 1)[1].split("\n```", 1)[0]
    args = shlex.split(line)
    assert args[0] == "polyterm"
    return args[1:]


@pytest.mark.parametrize(
    "argv",
    [
        ("dims", "{a}", "--dim", "2", "--k", "4"),
        ("repeats", "{a}", "--k", "4"),
        ("diff", "cat - dog", "--models", "{a},{b}", "--k", "4"),
        ("compare", "--dim", "1", "--models", "{a},{b}", "--k", "4"),
        ("universality", "{a}", "{b}", "--k", "3", "--repetitions", "2"),
    ],
)
def test_a_file_models_reproduce_line_runs(
    capsys: pytest.CaptureFixture[str],
    files: tuple[Path, Path],
    tmp_path: Path,
    argv: tuple[str, ...],
) -> None:
    a, b = files
    cache = ["--cache-dir", str(tmp_path / "cache"), "-q"]
    args = [x.format(a=a, b=b) for x in argv]
    code, first, err = run(capsys, *args, "--format", "markdown", *cache)
    assert code == 0, err
    again = reproduce_line(first)
    assert str(a) in again or any(str(a) in x for x in again)
    code, second, err = run(capsys, *again, "--format", "markdown", *cache)
    assert code == 0, err
    assert second == first


def test_report_into_a_missing_folder_fails_before_any_model_is_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []

    def record(self: ModelLibrary, spec: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(spec)
        raise AssertionError("a model was opened")

    monkeypatch.setattr(ModelLibrary, "open", record)
    monkeypatch.setattr(ModelLibrary, "make", record)
    cache = tmp_path / "cache"
    for target in (tmp_path / "missing" / "study.md", tmp_path):
        code, out, err = run(
            capsys, "report", "brown_30", "brown_29", "-o", target, "--cache-dir", cache, "-q"
        )
        assert code == 2 and out == ""
        assert "cannot write" in err or "not a regular file" in err
    assert opened == []
    assert not (cache / "models").exists() or not any((cache / "models").iterdir())


def test_report_into_a_read_only_folder_fails_before_any_model_is_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ModelLibrary, "open", lambda *a, **k: pytest.fail("opened a model"))
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if (folder / "probe").parent.stat().st_mode and _can_write(folder):
            pytest.skip("running as a user who may write anywhere (root)")
        code, _, err = run(capsys, "report", "brown_30", "-o", folder / "r.md", "-q",
                           "--cache-dir", tmp_path / "cache")  # fmt: skip
    finally:
        folder.chmod(0o700)
    assert code == 2 and "not writable" in err


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


@pytest.mark.parametrize("command", ["align", "universality"])
def test_table_and_markdown_formats_differ(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path, command: str
) -> None:
    a, b = files
    base: list[str | Path] = [command, a, b, "--k", "3", "--repetitions", "2", "-q"]
    base += ["--cache-dir", tmp_path / "cache"]
    code, table, err = run(capsys, *base, "--format", "table")
    assert code == 0, err
    code, markdown, err = run(capsys, *base, "--format", "markdown")
    assert code == 0, err
    assert markdown.startswith("## ") and "|---|" in markdown
    assert "|---|" not in table and "## " not in table and "┃" in table
    assert "### " not in table


def test_an_unknown_word_is_said_once_on_stderr(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    a, _ = files
    cache: list[str | Path] = ["--cache-dir", tmp_path / "cache", "-q"]
    code, out, err = run(capsys, "neighbours", "zzzq", "--models", a, *cache)
    assert code == 1
    assert "zzzq" not in out
    assert err.count("zzzq") == 1
    # one model knows the word, the other does not: the table, and one warning
    vector_file(tmp_path / "three.txt", 3)
    text = (tmp_path / "three.txt").read_text() + "zzzq " + " ".join(["0.5"] * 6) + "\n"
    (tmp_path / "three.txt").write_text(text.replace("85 6", "86 6", 1))
    code, out, err = run(
        capsys, "neighbours", "zzzq", "--models", f"{a},{tmp_path / 'three.txt'}", *cache
    )
    assert code == 0, err
    assert "┃" in out and "is not in the vocabulary" not in out
    assert err.count("zzzq") == 1 and "warning" in err


def _actions(parser: argparse.ArgumentParser, path: str = "polyterm") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {c.dest: c.help for c in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((f"{path} {name}", helps.get(name)))
                out += _actions(sub, f"{path} {name}")
            continue
        label = "/".join(action.option_strings) or action.dest
        out.append((f"{path} {label}", action.help))
    return out


def test_every_option_and_positional_has_help() -> None:
    missing = [name for name, text in _actions(build_parser()) if not text]
    assert missing == []
    for name in ("polyterm dims --dim", "polyterm dims model", "polyterm align model_a"):
        assert any(n == name for n, _ in _actions(build_parser())), name


def test_models_listing_escapes_markdown_and_shows_controls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cache: list[str | Path] = ["--cache-dir", tmp_path / "cache", "-q"]
    starred = vector_file(tmp_path / "a_*b*_.txt", 1)
    hostile = vector_file(tmp_path / "e\x1b[31mred.txt", 2)
    for f in (starred, hostile):
        assert run(capsys, "dims", f, "--k", "2", *cache)[0] == 0
    code, out, _ = run(capsys, "models", "--format", "markdown", *cache)
    assert code == 0
    assert "a\\_\\*b\\*\\_" in out
    assert "\x1b" not in out and "e\\\\x1b\\[31mred" in out
    code, out, _ = run(capsys, "models", *cache)
    assert code == 0
    assert "\x1b" not in out and "e\\x1b[31mred" in out
