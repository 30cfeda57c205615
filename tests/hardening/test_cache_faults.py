"""Cache faults: unusable folders, damaged entries, a full disk, SIGKILL, racing writers."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.engine import cache as cache_module
from polyterm.engine import settings as settings_module
from polyterm.engine.atomic import write_text_atomic
from polyterm.engine.cache import CacheEntry, ModelCache, open_cache
from polyterm.engine.file_integrity import sha256_file
from polyterm.engine.models import ModelLibrary
from polyterm.engine.specs import FileSpec, parse_spec
from polyterm.errors import CacheError
from tests.hardening.conftest import Run, cache_is_clean

REPO = Path(__file__).resolve().parents[2]


# -- an unusable cache folder ---------------------------------------------------------------
def _file_in_the_way(tmp_path: Path) -> Path:
    (tmp_path / "a-file").write_text("not a folder")
    return tmp_path / "a-file" / "cache"


def _read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """EROFS on the probe write (chmod does not stop root, so simulate it)."""
    root = tmp_path / "ro-cache"
    real = cache_module.tempfile.NamedTemporaryFile

    def probe(*args: Any, **kwargs: Any) -> Any:
        if str(root) in str(kwargs.get("dir", "")):
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, **kwargs)

    monkeypatch.setattr(cache_module.tempfile, "NamedTemporaryFile", probe)
    return root


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp, mp: _file_in_the_way(tmp), "Not a directory"),
        (_read_only, "Read-only file system"),
    ],
    ids=["cache-folder-under-a-file", "cache-folder-read-only"],
)
def test_unusable_cache_falls_back_to_a_temporary_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[..., Path], reason: str
) -> None:
    root = make(tmp_path, monkeypatch)
    with pytest.raises(CacheError, match=reason):
        ModelCache(root)
    warnings: list[str] = []
    cache = open_cache(root, warnings.append)
    assert cache.root != root and cache.root.is_dir()
    (warning,) = warnings
    assert reason in warning and "temporary cache" in warning and "--cache-dir" in warning
    assert "\n" not in warning
    model = ModelLibrary(cache).open("mini_5:path=" + str(_mini(tmp_path)) + ",min_count=1")
    assert "cat" in model.vocab


def _mini(tmp_path: Path) -> Path:
    path = tmp_path / "mini.txt"
    path.write_text("the cat sat on the mat. the dog sat on the log.\n" * 10)
    return path


def test_cli_with_an_unusable_cache_warns_and_answers(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    root = _file_in_the_way(tmp_path)
    run = cli(
        "neighbours",
        "cat",
        "--models",
        f"m_5:path={_mini(tmp_path)}",
        "--cache-dir",
        root,
        "-q",
    )
    assert run.code == 0, run.err
    assert any("temporary cache" in w for w in run.warnings())


# -- damaged entries ------------------------------------------------------------------------
def _damage_missing(entry: Path) -> str:
    (entry / "unit.npy").unlink()
    return r"unit\.npy is missing"


def _damage_altered(entry: Path) -> str:
    with (entry / "vectors.npy").open("r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\x00\x00\xc0\x7f")  # a NaN, same size
    return r"vectors\.npy was changed"


def _damage_truncated(entry: Path) -> str:
    data = (entry / "vocab.txt").read_bytes()
    (entry / "vocab.txt").write_bytes(data[: len(data) // 2])
    return r"vocab\.txt has \d+ bytes, the manifest says"


def _damage_manifest_garbage(entry: Path) -> str:
    (entry / "manifest.json").write_text("{ not json")
    return r"unreadable manifest"


def _damage_manifest_not_object(entry: Path) -> str:
    (entry / "manifest.json").write_text("[1, 2, 3]")
    return r"manifest is not a JSON object"


def _damage_manifest_fields(entry: Path) -> str:
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["files"]["vectors.npy"] = {"size": "big"}
    manifest["shape"] = "many"
    (entry / "manifest.json").write_text(json.dumps(manifest))
    return r"manifest has no valid shape"


def _damage_manifest_escape(entry: Path) -> str:
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["files"]["../../../etc/passwd"] = {"size": 1, "mtime_ns": 1, "sha256": "0"}
    (entry / "manifest.json").write_text(json.dumps(manifest))
    return r"bad file name"


def _damage_pickled_npy(entry: Path) -> str:
    """An attacker-built .npy with an object array, and a manifest that matches it."""
    np.save(entry / "unit.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    manifest = json.loads((entry / "manifest.json").read_text())
    st = (entry / "unit.npy").stat()
    manifest["files"]["unit.npy"] = {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sha256": sha256_file(entry / "unit.npy"),
    }
    (entry / "manifest.json").write_text(json.dumps(manifest))
    return r"unit\.npy: .*Python objects"


DAMAGE = [
    _damage_missing,
    _damage_altered,
    _damage_truncated,
    _damage_manifest_garbage,
    _damage_manifest_not_object,
    _damage_manifest_fields,
    _damage_manifest_escape,
    _damage_pickled_npy,
]


@pytest.mark.parametrize(
    "damage", DAMAGE, ids=[d.__name__.removeprefix("_damage_") for d in DAMAGE]
)
def test_a_damaged_entry_is_detected_reported_and_rebuilt(
    tmp_path: Path, damage: Callable[[Path], str]
) -> None:
    warnings: list[str] = []
    spec_text = f"mini_4:path={_mini(tmp_path)},min_count=1"
    library = ModelLibrary(ModelCache(tmp_path / "c"), warn=warnings.append)
    first = library.open(spec_text)
    first_vectors = np.array(first.vectors)  # a copy: the entry's files are about to change
    entry = library.cache.entry_path(parse_spec(spec_text))
    pattern = damage(entry)
    again = library.open(spec_text)
    assert len(warnings) == 1 and "rebuilding it" in warnings[0], warnings
    assert re.search(pattern, warnings[0]), warnings[0]
    assert list(again.vocab) == list(first.vocab)
    assert np.array_equal(np.asarray(again.vectors), first_vectors)
    library.cache.verify(library.cache.find(parse_spec(spec_text)), full=True)  # type: ignore[arg-type]
    assert not list((tmp_path / "c" / "tmp").iterdir())


def test_models_listing_skips_a_damaged_manifest(tmp_path: Path, cli: Callable[..., Run]) -> None:
    cache = ModelCache(tmp_path / "c")
    spec = FileSpec("/nowhere/x.txt", stat=(1, 2))
    entry = cache.write(spec, ["a", "b"], np.eye(2, dtype=np.float32), manifest={"kind": "file"})
    bad = cache.models_dir / "junk-0000"
    bad.mkdir()
    (bad / "manifest.json").write_text('{"format": 1, "shape": null}')
    (cache.models_dir / "stray-file").write_text("x")
    assert [e.path for e in cache.entries()] == [entry.path]
    run = cli("models", "--cache-dir", cache.root, "--format", "json")
    assert run.code == 0 and [r["name"] for r in json.loads(run.out)["cached"]] == ["x"]


# -- a full disk ------------------------------------------------------------------------------
def _enospc_after(n_bytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """np.save writes `n_bytes` of the file, then the disk is full."""
    real_save = np.save

    def full_disk(file: Any, arr: Any, **kwargs: Any) -> None:
        real_save(file, arr, **kwargs)
        with open(file, "r+b") as fh:
            fh.truncate(n_bytes)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module.np, "save", full_disk)


def test_disk_full_during_a_cache_write_leaves_no_partial_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Run], bad_files: Path
) -> None:
    root = tmp_path / "c"
    _enospc_after(100, monkeypatch)
    run = cli("neighbours", "the", "--models", bad_files / "good.txt", "--cache-dir", root, "-q")
    run.assert_clean_error(
        r"could not write the cache entry for good .*No space left on device; "
        r"free some space"
    )
    assert cache_is_clean(root)
    monkeypatch.undo()
    monkeypatch.setenv("COLUMNS", "400")
    run = cli("neighbours", "the", "--models", bad_files / "good.txt", "--cache-dir", root, "-q")
    assert run.code == 0 and "cat" in run.out


def test_disk_full_during_fsync_of_corpus_and_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Run]
) -> None:
    """Every fsync fails: the token cache is skipped silently, the entry is an error."""
    root = tmp_path / "c"
    ModelCache(root)  # the cache (and its tag) exists before the disk fills

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    run = cli("train", f"mini_4:path={_mini(tmp_path)},min_count=1", "--cache-dir", root, "-q")
    assert run.code == 1 and "No space left on device" in run.err, run.err
    assert cache_is_clean(root)
    assert not list((root / "corpora").iterdir())  # no half-written token file


def test_disk_full_while_exporting_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_text_atomic(target, "x" * 100_000)
    assert list(tmp_path.iterdir()) == []


# -- SIGKILL ----------------------------------------------------------------------------------
KILL_SCRIPT = r"""
import sys, time
from pathlib import Path
import numpy as np
from polyterm.engine import cache as cache_module
from polyterm.engine import settings as settings_module
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary

root, spec, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
if where == "write":
    real_save = np.save
    def slow_save(file, arr, **kw):
        real_save(file, arr, **kw)
        print("WRITING", flush=True)
        time.sleep(60)
    cache_module.np.save = slow_save
def progress(p):
    if p.stage == "train" and p.epoch == 3:
        print("TRAINING", flush=True)
ModelLibrary(ModelCache(root)).open(spec, progress=progress)
print("DONE", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "where", ["train", "write"], ids=["sigkill-training", "sigkill-cache-write"]
)
def test_sigkill_leaves_no_corrupt_entry(tmp_path: Path, where: str) -> None:
    root = tmp_path / "c"
    spec = "lee_30:epochs=50"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(root), spec, where],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    want = "WRITING" if where == "write" else "TRAINING"
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"the child ended early: {proc.stderr.read() if proc.stderr else ''}")
            if line.strip() == want:
                break
        if where == "write":
            assert list((root / "tmp").iterdir()), "the entry should be half-written now"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    cache = ModelCache(root)  # sweeps the dead process's temp folder
    assert cache.entries() == [] and cache.find(parse_spec(spec)) is None
    assert cache_is_clean(root)


def test_stale_corpus_temp_file_of_a_dead_process_is_swept(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "c")
    dead = cache.root / "corpora" / ".lee-0123.txt.999999999.abcd_123.tmp"
    live = cache.root / "corpora" / f".lee-0123.txt.{os.getpid()}.abcd_123.tmp"
    kept = cache.root / "corpora" / "lee-0123.txt"
    for f in (dead, live, kept):
        f.write_text("partial")
    probe = cache.root / "tmp" / "999999999-probe-abcd_123"  # a writability probe's name
    probe.write_text("x")
    ModelCache(cache.root)
    assert not dead.exists() and live.exists() and kept.exists()
    assert not probe.exists()


# -- racing writers ---------------------------------------------------------------------------
def test_concurrent_opens_of_one_model_all_succeed(tmp_path: Path) -> None:
    spec_text = f"mini_6:path={_mini(tmp_path)},min_count=1"
    cache = ModelCache(tmp_path / "c")
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(ModelLibrary(cache).open(spec_text))
        except BaseException as exc:  # the test reports every failure
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(results) == 6, errors
    assert len({tuple(m.vocab) for m in results}) == 1
    assert len(cache.entries()) == 1 and not list((cache.root / "tmp").iterdir())


def test_install_retries_when_another_writer_wins_the_race(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ModelCache(tmp_path / "c")
    spec = FileSpec("/nowhere/r.txt", stat=(1, 2))
    final = cache.entry_path(spec)
    real_rename = os.rename
    raced: list[int] = []

    def rename(src: Any, dst: Any) -> None:
        if Path(dst) == final and not raced:  # someone installs just before us
            raced.append(1)
            Path(final).mkdir()
            (Path(final) / "manifest.json").write_text("{}")
        real_rename(src, dst)

    monkeypatch.setattr(cache_module.os, "rename", rename)
    entry = cache.write(spec, ["a", "b"], np.eye(2, dtype=np.float32), manifest={})
    assert raced and cache.open(entry).vocab[0] == "a"


def test_removing_an_entry_that_is_already_gone_is_fine(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "c")
    cache.remove(CacheEntry(cache.models_dir / "gone-0", {}))


def test_open_cache_raises_when_no_temporary_folder_can_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_tmp(*args: Any, **kwargs: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module.tempfile, "mkdtemp", no_tmp)
    with pytest.raises(CacheError, match="cannot use the cache folder"):
        open_cache(_file_in_the_way(tmp_path), lambda _m: None)


def test_a_valid_entry_installed_by_another_writer_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = ModelCache(tmp_path / "other")
    cache = ModelCache(tmp_path / "c")
    spec = FileSpec("/nowhere/k.txt", stat=(1, 2))
    winner = other.write(spec, ["a", "b"], np.eye(2, dtype=np.float32), manifest={})
    final = cache.entry_path(spec)
    real_rename = os.rename

    def rename(src: Any, dst: Any) -> None:
        if Path(dst) == final and not final.exists():  # the other writer gets there first
            shutil.copytree(winner.path, final)
        real_rename(src, dst)

    monkeypatch.setattr(cache_module.os, "rename", rename)
    entry = cache.write(spec, ["a", "b"], np.eye(2, dtype=np.float32), manifest={})
    assert entry.manifest["created"] == winner.manifest["created"]
    cache.verify(entry, full=True)
    assert not list((cache.root / "tmp").iterdir())


def test_words_with_odd_characters_round_trip_through_the_cache(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "c")
    words = ["car\rriage", "tab\tbed", "line\u2028sep", "nul\x00", "日本", "emoji🙂", " "]
    v = np.arange(1, 1 + 2 * len(words), dtype=np.float32).reshape(len(words), 2)
    entry = cache.write(FileSpec("/nowhere/odd.txt", stat=(1, 2)), words, v, manifest={})
    assert list(cache.open(entry).vocab) == words


def test_a_full_disk_at_start_uses_the_temporary_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No space left (an empty probe file still fits on a full disk): the documented
    temporary cache for this run, the full cache's models still read, nothing written there."""
    root = tmp_path / "full-cache"
    spec = "mini_5:path=" + str(_mini(tmp_path)) + ",min_count=1"
    ModelLibrary(ModelCache(root)).open(spec)  # a model made while there was room
    before = sorted(p.name for p in (root / "models").iterdir())
    real = shutil.disk_usage

    def full(path: Any) -> Any:
        usage = real(path)
        if str(root) in str(path):
            return usage._replace(free=4096)
        return usage

    monkeypatch.setattr(settings_module.shutil, "disk_usage", full)
    warnings: list[str] = []
    cache = open_cache(root, warnings.append)
    assert cache.root != root and cache.read_also == root
    (warning,) = warnings
    assert "No space left on device" in warning and "temporary cache" in warning
    assert "its models are used" in warning and "\n" not in warning
    library = ModelLibrary(cache)
    assert "cat" in library.open(spec).vocab  # read from the full cache
    other = "mini_6:path=" + str(_mini(tmp_path)) + ",min_count=1"
    assert "dog" in library.open(other).vocab  # made in the temporary cache
    assert sorted(p.name for p in (root / "models").iterdir()) == before
    assert any(p.name.startswith("mini_6") for p in (cache.root / "models").iterdir())
