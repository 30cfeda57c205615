"""Cache roots and temp files: polyterm removes only what it made, never through a link.

Issue 10 items 1 (opening a cache deleted files that were not polyterm's), 15 (export file
modes and leftovers) and 19 (a manifest file that is a link to /dev/zero hung every open).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from polyterm.engine.atomic import write_text_atomic
from polyterm.engine.cache import (
    MANIFEST,
    MARKER,
    CorruptEntry,
    ForeignFolder,
    ModelCache,
    open_cache,
)
from polyterm.engine.specs import FileSpec, parse_spec
from tests.hardening.conftest import Run

DEAD_PID = 999_999_999


def _precious(folder: Path) -> dict[Path, str]:
    """User files in `folder` (the issue's recipe): a project folder and a notes file."""
    (folder / "tmp" / "project").mkdir(parents=True)
    files = {
        folder / "tmp" / "notes.txt": "precious",
        folder / "tmp" / "project" / "main.py": "print('mine')",
        folder / "tmp" / f"{DEAD_PID}-thesis.tex": "chapter 1",
    }
    for path, text in files.items():
        path.write_text(text)
    return files


def _intact(files: dict[Path, str]) -> bool:
    return all(p.is_file() and p.read_text() == text for p, text in files.items())


def test_a_folder_that_is_not_a_cache_is_refused_and_left_alone(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    files = _precious(tmp_path / "D")
    run = cli("models", "--cache-dir", tmp_path / "D")
    run.assert_clean_error(r"is not a polyterm cache and is not empty")
    assert _intact(files)
    assert not (tmp_path / "D" / MARKER).exists()
    assert sorted(p.name for p in (tmp_path / "D").iterdir()) == ["tmp"]


def test_open_cache_does_not_fall_back_from_a_foreign_folder(tmp_path: Path) -> None:
    files = _precious(tmp_path / "D")
    warnings: list[str] = []
    with pytest.raises(ForeignFolder):
        open_cache(tmp_path / "D", warnings.append)
    assert _intact(files) and warnings == []


def test_a_new_or_empty_folder_is_claimed_with_a_cache_tag(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for root in (tmp_path / "new" / "cache", tmp_path / "empty"):
        ModelCache(root)
        tag = (root / MARKER).read_text()
        assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55") and "polyterm" in tag
        ModelCache(root)  # reopening a tagged cache is fine


def test_a_tag_written_by_another_tool_does_not_make_a_folder_polyterms(tmp_path: Path) -> None:
    root = tmp_path / "other"
    root.mkdir()
    (root / MARKER).write_text("Signature: 8a477f597d28d172789f06886806bc55\n# cargo\n")
    (root / "build").mkdir()
    with pytest.raises(ForeignFolder):
        ModelCache(root)


def test_a_cache_made_before_the_tag_is_adopted_and_only_polyterm_names_are_swept(
    tmp_path: Path,
) -> None:
    root = tmp_path / "old-cache"
    for sub in ("models", "corpora"):
        (root / sub).mkdir(parents=True)
    # one entry of polyterm's (made in another cache, moved in): what makes it a cache
    made = ModelCache(tmp_path / "maker").write(
        FileSpec("/nowhere/old.txt", stat=(1, 2)),
        ["a", "b"],
        np.eye(2, dtype=np.float32),
        manifest={},
    )
    os.rename(made.path, root / "models" / made.path.name)
    files = _precious(root)
    stale = root / "tmp" / f"{DEAD_PID}-{'a' * 32}"
    stale.mkdir()
    (stale / "vectors.npy").write_bytes(b"partial")
    live = root / "tmp" / f"{os.getpid()}-{'b' * 32}"
    live.mkdir()
    ModelCache(root)
    assert (root / MARKER).is_file()
    assert _intact(files), "a user's file in tmp/ was removed"
    assert not stale.exists() and live.exists()


def test_a_symlinked_tmp_folder_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / f"{DEAD_PID}-{'c' * 32}"  # named like polyterm's own temp folder
    victim.mkdir()
    (victim / "data").write_text("not polyterm's")
    root = tmp_path / "cache"
    ModelCache(root)
    (root / "tmp").rmdir()
    (root / "tmp").symlink_to(elsewhere)
    with pytest.raises(ForeignFolder, match="link"):
        ModelCache(root)
    assert (victim / "data").read_text() == "not polyterm's"


def test_links_named_like_temp_files_are_never_removed(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    ModelCache(root)
    target = tmp_path / "target.txt"
    target.write_text("keep")
    link_tmp = root / "tmp" / f"{DEAD_PID}-{'d' * 32}"
    link_tmp.symlink_to(tmp_path)
    link_corpus = root / "corpora" / f".lee.txt.{DEAD_PID}.abcd_123.tmp"
    link_corpus.symlink_to(target)
    ModelCache(root)
    assert link_tmp.is_symlink() and link_corpus.is_symlink()
    assert target.read_text() == "keep" and (tmp_path / "target.txt").exists()


# -- item 19: a file listed by a manifest that is not a regular file ---------------------------
@pytest.fixture
def entry_root(tmp_path: Path) -> Iterator[tuple[ModelCache, Path]]:
    cache = ModelCache(tmp_path / "cache")
    entry = cache.write(
        parse_spec("lee_3"),
        ["a", "b", "c"],
        np.eye(3, dtype=np.float32),
        manifest={"source": "test"},
    )
    yield cache, entry.path


def _finishes(fn: Callable[[], object]) -> BaseException | None:
    """Run `fn` in a thread; fail (instead of hanging the suite) if it never returns."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)
    assert outcome, "hung"
    return outcome[0]


def test_a_manifest_file_linked_to_dev_zero_is_corrupt_not_a_hang(
    entry_root: tuple[ModelCache, Path],
) -> None:
    import json

    cache, path = entry_root
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["files"]["zero.bin"] = {"size": 0, "mtime_ns": 1, "sha256": "0" * 64}
    (path / MANIFEST).write_text(json.dumps(manifest))
    (path / "zero.bin").symlink_to("/dev/zero")
    entry = cache.find(parse_spec("lee_3"))
    assert entry is not None
    error = _finishes(lambda: cache.open(entry))
    assert isinstance(error, CorruptEntry) and "not a regular file" in str(error)
    assert _finishes(lambda: entry.disk_bytes()) is None


def test_a_manifest_that_is_a_fifo_or_a_link_to_dev_zero_is_corrupt(
    entry_root: tuple[ModelCache, Path],
) -> None:
    cache, path = entry_root
    (path / MANIFEST).unlink()
    (path / MANIFEST).symlink_to("/dev/zero")
    assert isinstance(_finishes(lambda: cache.find(parse_spec("lee_3"))), CorruptEntry)
    assert _finishes(cache.entries) is None and cache.entries() == []
    (path / MANIFEST).unlink()
    os.mkfifo(path / MANIFEST)
    assert isinstance(_finishes(lambda: cache.find(parse_spec("lee_3"))), CorruptEntry)


# -- item 15: exports honour the umask, keep a replaced file's mode, sweep own leftovers -------
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        write_text_atomic(tmp_path / "study.md", "# study\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "study.md").stat().st_mode) == mode


def test_replacing_a_file_keeps_its_mode(tmp_path: Path, cli: Callable[..., Run]) -> None:
    target = tmp_path / "study.md"
    target.write_text("old")
    target.chmod(0o640)
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_killed_writes_leftover_is_removed_on_the_next_write(tmp_path: Path) -> None:
    dead = tmp_path / f".study.md.{DEAD_PID}.abcd_123.tmp"
    live = tmp_path / f".study.md.{os.getpid()}.wxyz_789.tmp"
    other = tmp_path / f".notes.md.{DEAD_PID}.abcd_123.tmp"  # another target's: not ours now
    mine = tmp_path / f".study.md.{DEAD_PID}.not-ours.tmp"  # not mkstemp's name
    for f in (dead, live, other, mine):
        f.write_text("partial")
    write_text_atomic(tmp_path / "study.md", "# study\n")
    assert not dead.exists()
    assert live.exists() and other.exists() and mine.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["study.md"]


def test_two_processes_claiming_a_new_root_at_once_both_succeed(tmp_path: Path) -> None:
    root = tmp_path / "racing"
    root.mkdir()
    (root / f".{MARKER}.{DEAD_PID}.abcd_123.tmp").write_text("half-written tag")
    ModelCache(root)  # the other process's tag in progress does not make the root foreign
    assert (root / MARKER).is_file()
