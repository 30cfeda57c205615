"""Models shared by every process of a test run (pytest-xdist workers) through one cache.

Each xdist worker has its own test session, so "once per session" would train every model
once per worker. The session cache instead lives in the run's base temp folder that all
workers share, and each spec is opened under a file lock: the first process trains it, the
others wait and then read its cache entry. (The cache tolerates concurrent writers anyway;
the lock only saves the duplicate training.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from polyterm.core.embedding import Embedding
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import DEFAULT_OPTIONS, ModelLibrary, OpenOptions
from polyterm.engine.progress import CancelFlag, ProgressCallback, no_progress
from polyterm.engine.specs import ModelSpec


def run_temp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base temp folder of the whole run: shared by every xdist worker, else this one's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (across processes; no lock where flock is absent)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: concurrent writers are still safe
        yield
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class SharedLibrary(ModelLibrary):
    """A ModelLibrary whose `open` holds a per-spec lock: one process trains, the rest read."""

    def __init__(self, cache: ModelCache, locks: Path) -> None:
        super().__init__(cache)
        self.locks = locks

    def open(
        self,
        text_or_spec: str | ModelSpec,
        options: OpenOptions = DEFAULT_OPTIONS,
        *,
        progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
    ) -> Embedding:
        key = hashlib.sha256(repr((str(text_or_spec), options)).encode()).hexdigest()[:16]
        with exclusive(self.locks / f"{key}.lock"):
            return super().open(text_or_spec, options, progress=progress, cancel=cancel)
