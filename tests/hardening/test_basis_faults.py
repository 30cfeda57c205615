"""Basis store faults: a full disk, entry files that are not regular files, hostile
manifests, racing writers, a writer killed mid-entry."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.core.bases import fit_basis
from polyterm.engine import bases as bases_module
from polyterm.engine.bases import BasisStore
from polyterm.engine.cache import ModelCache
from tests.test_basis_store import ICA, FitCounter, _cached_model, _entry_path, _store

REPO = Path(__file__).resolve().parents[2]


def _codes(root: Path) -> bytes:
    """The codes of the planted model in ICA, fitted without any store."""
    model = _cached_model(root)
    fitted = fit_basis(np.asarray(model.vectors), "ica", fit_rows=1_500, seed=3)
    return fitted.transform(np.asarray(model.vectors)).tobytes()


def test_a_full_disk_keeps_the_basis_for_the_run_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_folder: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bases_module, "fsync_files", full)
    model = _cached_model(tmp_path)
    warnings: list[str] = []
    store = _store(tmp_path, warnings)
    codes = store.in_basis(model, ICA).vectors
    stability = store.stability(model, ICA, runs=2)
    assert np.asarray(codes).tobytes() == _codes(tmp_path)
    assert stability.n_stable == 6
    assert len(warnings) == 2
    assert all("No space left on device" in w and "for this run only" in w for w in warnings)
    assert list((tmp_path / "bases").iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def _fifo_codes(path: Path) -> str:
    (path / "codes.npy").unlink()
    os.mkfifo(path / "codes.npy")
    return "codes.npy is not a regular file"


def _unit_to_dev_zero(path: Path) -> str:
    (path / "unit.npy").unlink()
    (path / "unit.npy").symlink_to("/dev/zero")
    return "unit.npy is not a regular file"


def _manifest_linked(path: Path) -> str:
    real = path.parent.parent / "elsewhere.json"
    (path / "manifest.json").rename(real)
    (path / "manifest.json").symlink_to(real)
    return "manifest.json"


def _manifest_escapes(path: Path) -> str:
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["../../models/x"] = {"size": 1, "mtime_ns": 1, "sha256": "0" * 64}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return "bad file name"


def _manifest_huge(path: Path) -> str:
    (path / "manifest.json").write_bytes(b" " * (2 << 20))
    return "larger than polyterm writes"


def _arrays_pickled(path: Path) -> str:
    """A pickled array recorded in the manifest as if polyterm wrote it: only loading
    without pickle stands in the way."""
    target = path / "array-mean.npy"
    np.save(target, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    st = target.stat()
    manifest["files"]["array-mean.npy"] = {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
    }
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return "allow_pickle=False"


@pytest.mark.parametrize(
    "damage",
    [
        _fifo_codes,
        _unit_to_dev_zero,
        _manifest_linked,
        _manifest_escapes,
        _manifest_huge,
        _arrays_pickled,
    ],
    ids=[
        "fifo-codes",
        "unit-links-to-dev-zero",
        "linked-manifest",
        "manifest-escapes",
        "huge-manifest",
        "pickled-array",
    ],
)
def test_hostile_entry_files_are_never_followed_and_are_refitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[Path], str]
) -> None:
    counter = FitCounter(monkeypatch)
    root = tmp_path / "cache"
    model = _cached_model(root)
    _store(root).in_basis(model, ICA)
    path = _entry_path(root, model)
    reason = damage(path)
    outside = sorted(p.name for p in tmp_path.iterdir())
    warnings: list[str] = []
    again = _store(root, warnings).in_basis(_cached_model(root), ICA)  # never blocks
    assert counter.calls == 2
    assert len(warnings) == 1 and reason in warnings[0] and "refitting it" in warnings[0]
    assert np.asarray(again.vectors).tobytes() == _codes(root)
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    assert list((root / "tmp").iterdir()) == []


def test_an_entry_of_another_model_under_this_name_is_refitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    path = _entry_path(tmp_path, model)
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["model"]["content_sha256"] = "f" * 64
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    warnings: list[str] = []
    _store(tmp_path, warnings).in_basis(_cached_model(tmp_path), ICA)
    assert counter.calls == 2 and "names another model" in warnings[0]


def test_other_files_in_the_bases_folder_are_left_alone(tmp_path: Path) -> None:
    model = _cached_model(tmp_path)
    (tmp_path / "bases").mkdir(exist_ok=True)
    notes = tmp_path / "bases" / "notes.txt"
    notes.write_text("mine")
    other = tmp_path / "bases" / f"{'0' * 64}-ica-f1500-s3"
    other.mkdir()
    (other / "keep").write_text("also mine")
    _store(tmp_path).in_basis(model, ICA)
    ModelCache(tmp_path)  # opening the cache sweeps only polyterm's own temp names
    assert notes.read_text() == "mine" and (other / "keep").read_text() == "also mine"


def test_racing_writers_leave_one_whole_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers of one entry at once (as two processes would: no shared lock): the first
    complete entry stays, the other copy is dropped, and both read the same codes."""

    @contextlib.contextmanager
    def no_lock(_key: Any) -> Iterator[None]:
        yield

    monkeypatch.setattr(bases_module, "_locked", no_lock)
    both_fitting = threading.Barrier(2, timeout=60)

    def fit_together(*args: Any, **kwargs: Any) -> Any:
        both_fitting.wait()
        return fit_basis(*args, **kwargs)

    monkeypatch.setattr(bases_module, "fit_basis", fit_together)
    results: list[bytes] = []
    errors: list[BaseException] = []
    warnings: list[str] = []

    def write(model: Any) -> None:
        try:
            store = BasisStore(ModelCache(tmp_path), warn=warnings.append)
            results.append(np.asarray(store.in_basis(model, ICA).vectors).tobytes())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(_cached_model(tmp_path),)) for _ in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and warnings == [] and len(results) == 2
    assert results[0] == results[1] == _codes(tmp_path)
    assert [p.name for p in (tmp_path / "bases").iterdir()] == [
        _entry_path(tmp_path, _cached_model(tmp_path)).name
    ]
    assert list((tmp_path / "tmp").iterdir()) == []


KILLED_WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from polyterm.engine import bases
from tests.test_basis_store import ICA, _cached_model, _store

def hang(folder):
    print("writing", flush=True)
    time.sleep(600)

bases.fsync_files = hang
root = Path({root!r})
_store(root).in_basis(_cached_model(root), ICA)
"""


@pytest.mark.slow
def test_a_writer_killed_mid_entry_leaves_no_entry_and_its_temp_is_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    _cached_model(root)
    script = KILLED_WRITER.format(repo=str(REPO), root=str(root))
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    left = list((root / "tmp").iterdir())
    assert len(left) == 1 and left[0].name.startswith(f"{proc.pid}-")
    assert list((root / "bases").iterdir()) == []
    counter = FitCounter(monkeypatch)
    warnings: list[str] = []
    codes = _store(root, warnings).in_basis(_cached_model(root), ICA).vectors
    assert list((root / "tmp").iterdir()) == []  # the dead writer's folder was swept
    assert counter.calls == 1 and warnings == []
    assert np.asarray(codes).tobytes() == _codes(root)
