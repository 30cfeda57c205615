"""Atomic file writes: write a temporary file beside the target, fsync, then rename."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")
"""Temp files are named ``.<target>.<pid>.<random>.tmp`` so a sweep can tell whose they are."""


@contextlib.contextmanager
def atomic_file(target: Path, mode: str = "wb", *, overwrite: bool = True) -> Iterator[IO[bytes]]:
    """Yield a temp file in target's folder; rename it onto `target` only on success.

    With ``overwrite=False`` an existing `target` is never replaced: FileExistsError is
    raised (before writing, and again atomically at the end if the file appeared meanwhile).
    """
    target = Path(target)
    if not overwrite and os.path.lexists(target):
        raise FileExistsError(17, "File exists", str(target))
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _link_new(tmp: str, target: Path) -> None:
    """Move `tmp` to `target` unless `target` exists (atomically where hard links work)."""
    try:
        os.link(tmp, target)  # fails with FileExistsError instead of replacing
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            raise FileExistsError(17, "File exists", str(target)) from None
        os.replace(tmp, target)
    else:
        os.unlink(tmp)


def write_bytes_atomic(target: Path, data: bytes, *, overwrite: bool = True) -> None:
    with atomic_file(target, overwrite=overwrite) as fh:
        fh.write(data)


def write_text_atomic(target: Path, text: str, *, overwrite: bool = True) -> None:
    write_bytes_atomic(target, text.encode("utf-8"), overwrite=overwrite)


def sweep_stale_temp_files(folder: Path, alive: Callable[[int], bool]) -> int:
    """Remove temp files of `atomic_file` left in `folder` by processes that are gone."""
    removed = 0
    with contextlib.suppress(OSError):
        for f in Path(folder).iterdir():
            m = _TEMP.match(f.name)
            if m is None or alive(int(m["pid"])):
                continue
            with contextlib.suppress(OSError):
                f.unlink()
                removed += 1
    return removed
