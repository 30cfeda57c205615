"""Atomic file writes: write a temporary file beside the target, fsync, then rename."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

_TEMP = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp$")
"""Temp files are named ``.<target>.<pid>.<random>.tmp`` (``tempfile.mkstemp``'s eight random
characters) so a sweep can tell whose they are."""


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode(target: Path) -> int:
    """The mode a replaced `target` keeps, else what ``open()`` would give a new file."""
    try:
        st = os.stat(target)
    except OSError:
        return 0o666 & ~_umask()
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_file(target: Path, mode: str = "wb", *, overwrite: bool = True) -> Iterator[IO[bytes]]:
    """Yield a temp file in target's folder; rename it onto `target` only on success.

    With ``overwrite=False`` an existing `target` is never replaced: FileExistsError is
    raised (before writing, and again atomically at the end if the file appeared meanwhile).
    """
    target = Path(target)
    if not overwrite and os.path.lexists(target):
        raise FileExistsError(17, "File exists", str(target))
    sweep_stale_temp_files(target.parent, alive=pid_alive, target=target.name)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    try:
        os.fchmod(fd, _new_file_mode(target))  # mkstemp's 0600 would ignore the umask
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
    # backslashreplace: a lone surrogate (a file name's non-UTF-8 byte) is written as \udcff
    write_bytes_atomic(target, text.encode("utf-8", "backslashreplace"), overwrite=overwrite)


def sweep_stale_temp_files(
    folder: Path, alive: Callable[[int], bool], *, target: str | None = None
) -> int:
    """Remove temp files of `atomic_file` left in `folder` by processes that are gone (only
    those of `target` when given); only regular files with polyterm's temp names, never a
    link or a folder."""
    removed = 0
    with contextlib.suppress(OSError):
        for f in Path(folder).iterdir():
            m = _TEMP.match(f.name)
            if m is None or (target is not None and m["target"] != target):
                continue
            if alive(int(m["pid"])):
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(f).st_mode):
                    f.unlink()
                    removed += 1
    return removed


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs (ours always does; one we may not signal counts too, and so
    does a pid no process can have, so that a sweep leaves such a name alone)."""
    if pid == os.getpid():
        return True
    if not 0 < pid < 2**31:  # no pid_t can hold it: not a name polyterm gave, keep it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
