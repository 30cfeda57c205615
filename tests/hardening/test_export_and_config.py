"""Exports (no half-written file, no silent overwrite) and malformed theme/config files."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from polyterm.engine import atomic
from polyterm.engine.atomic import write_text_atomic
from polyterm.session import load_session
from polyterm.theming import load_themes
from tests.hardening.conftest import Run


def _report(cli: Callable[..., Run], lee: list[str], target: Path | str) -> Run:
    return cli("report", "lee_20", "--repetitions", "2", "--restrict", "500", "-o", target, *lee)


def test_report_into_a_missing_folder(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path
) -> None:
    _report(cli, lee, tmp_path / "nope" / "r.md").assert_clean_error(
        r"cannot write .*r\.md: the folder .*nope does not exist"
    )
    assert not (tmp_path / "nope").exists()


def test_report_under_a_file(cli: Callable[..., Run], lee: list[str], tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    _report(cli, lee, tmp_path / "f" / "r.md").assert_clean_error(r"does not exist")
    assert (tmp_path / "f").read_text() == "x"


def test_report_into_an_unwritable_folder(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = atomic.tempfile.mkstemp
    locked = tmp_path / "locked"
    locked.mkdir()

    def deny(*args: Any, **kwargs: Any) -> Any:  # chmod does not stop root: simulate EACCES
        if Path(kwargs.get("dir", "")) == locked:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", deny)
    _report(cli, lee, locked / "r.md").assert_clean_error(
        r"cannot write .*r\.md: Permission denied"
    )
    assert list(locked.iterdir()) == []


def test_report_disk_full_leaves_no_file(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    _report(cli, lee, tmp_path / "r.md").assert_clean_error(r"No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_report_does_not_overwrite_silently(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "r.md"
    target.write_text("my notes")
    _report(cli, lee, target).assert_clean_error(r"already exists.*--force")
    assert target.read_text() == "my notes"


def test_atomic_write_can_refuse_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    target.write_text("my notes")
    with pytest.raises(FileExistsError):
        write_text_atomic(target, "new", overwrite=False)
    assert target.read_text() == "my notes" and list(tmp_path.iterdir()) == [target]
    write_text_atomic(tmp_path / "new.md", "fresh", overwrite=False)
    assert (tmp_path / "new.md").read_text() == "fresh"


def test_no_overwrite_holds_when_the_file_appears_during_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.md"
    real = os.fsync

    def someone_else_writes(fd: int) -> None:
        real(fd)
        target.write_text("theirs")

    monkeypatch.setattr(os, "fsync", someone_else_writes)
    with pytest.raises(FileExistsError):
        write_text_atomic(target, "ours", overwrite=False)
    assert target.read_text() == "theirs" and list(tmp_path.iterdir()) == [target]


# -- themes and config ----------------------------------------------------------------------
THEMES = {
    "not-toml.toml": b"name = [",
    "binary.toml": b"\xff\xfe\x00garbage\x00",
    "no-name.toml": b'primary = "#123456"\n',
    "bad-colour.toml": b'name = "x"\nprimary = "rainbow"\n',
    "variables-not-table.toml": b'name = "y"\nprimary = "#fff"\nvariables = 3\n',
    "dark-not-bool.toml": b'name = "z"\nprimary = "#fff"\ndark = "yes"\n',
}


def test_malformed_theme_files_are_each_reported_and_skipped(tmp_path: Path) -> None:
    for name, data in THEMES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "a-folder.toml").mkdir()
    (tmp_path / "good.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    themes = load_themes([tmp_path])
    assert themes.names == ("mine",)
    assert len(themes.errors) == len(THEMES) + 1
    assert all("\n" not in e for e in themes.errors)
    for name in [*THEMES, "a-folder.toml"]:
        assert sum(name in e for e in themes.errors) == 1, name


@pytest.mark.parametrize(
    "content",
    [
        b"{ not json",
        b"[1, 2]",
        b'{"selected": "brown_30"}',
        b'{"selected": [1, null, ""]}',
        b"\xff\xfe\x00",
        b'{"theme": 7, "focused_model": []}',
        b"",
    ],
    ids=[
        "garbage",
        "a-list",
        "selected-not-list",
        "selected-bad-items",
        "binary",
        "wrong-types",
        "empty",
    ],
)
def test_malformed_session_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "session.json").write_bytes(content)
    session = load_session(tmp_path)
    assert session is None or (
        all(isinstance(s, str) and s for s in session.selected)
        and (session.theme is None or isinstance(session.theme, str))
    )


def test_session_path_that_is_a_folder_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "session.json").mkdir()
    assert load_session(tmp_path) is None


def test_explorer_export_never_overwrites(tmp_path: Path) -> None:
    from polyterm.explorer.export import write_export

    first = tmp_path / "polyterm-dims-x.md"
    first.write_text("my notes")
    written = write_export(first, "new")
    assert first.read_text() == "my notes"
    assert written == tmp_path / "polyterm-dims-x-2.md" and written.read_text() == "new"
    again = write_export(first, "newer")
    assert again.name == "polyterm-dims-x-3.md"


async def test_explorer_with_an_unusable_cache_warns_and_runs(tmp_path: Path) -> None:
    from polyterm.app import PolytermApp

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app = PolytermApp(cache_dir=str(blocker / "cache"), startup=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.workspace.library is not None
        messages = [n.message for n in app._notifications]
        assert any("temporary cache" in m for m in messages)
