"""File integrity of a cache entry: the ``files`` map of its manifest (size, mtime and
sha256 of every file), checking a folder against it, and reading a manifest safely.

Shared by model entries (`polyterm.engine.cache`) and basis entries
(`polyterm.engine.basis_entries`): a file is a regular file (a link, FIFO or device is
never followed or opened), of the recorded size, and of the recorded sha256 when its mtime
moved (or always, when asked). A manifest is read through no link and bounded in size.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from polyterm.errors import CacheError

MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1 << 20
_FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class CorruptEntry(CacheError):
    """An entry whose files do not match its manifest."""



def read_manifest(path: Path) -> Any:
    """The JSON of ``<path>/manifest.json``, never through a link (OSError, ValueError for
    an unreadable one, CorruptEntry for a linked folder or an oversized manifest)."""
    if os.path.islink(path):
        raise CorruptEntry(f"cache entry {path.name} is a link (polyterm never follows links)")
    with open(path / MANIFEST, "rb", opener=_regular_file_opener) as fh:
        data = fh.read(MANIFEST_MAX_BYTES + 1)
    if len(data) > MANIFEST_MAX_BYTES:
        raise CorruptEntry(f"cache entry {path.name}: the manifest is larger than polyterm writes")
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:  # `[[[[…]]]]`: json recurses once per level
        raise CorruptEntry(
            f"cache entry {path.name}: the manifest is nested too deeply to be one polyterm wrote"
        ) from None



def check_file_records(files: Any, name: str) -> dict[str, dict[str, Any]]:
    """`files` if it is a manifest's ``files`` map as polyterm writes it (plain file names,
    each with size, mtime_ns and sha256), else CorruptEntry."""
    if not isinstance(files, dict):
        raise CorruptEntry(f"cache entry {name}: the manifest does not list the entry's files")
    for fname, meta in files.items():
        if not (isinstance(fname, str) and _FILE_NAME.match(fname)):
            raise CorruptEntry(f"cache entry {name}: the manifest lists a bad file name {fname!r}")
        if not (
            isinstance(meta, dict)
            and isinstance(meta.get("size"), int)
            and isinstance(meta.get("mtime_ns"), int)
            and isinstance(meta.get("sha256"), str)
        ):
            raise CorruptEntry(
                f"cache entry {name}: the manifest has no size, time and sha256 for {fname}"
            )
    return files



def verify_files(path: Path, files: Mapping[str, Any], *, full: bool = False) -> None:
    """Raise CorruptEntry naming the first file of folder `path` that does not match its
    record in `files` (checked by `check_file_records`): missing, not a regular file (a
    link is never followed), another size, or (when its mtime differs from the record, or
    `full`) another sha256."""
    for fname, meta in files.items():
        p = path / fname
        try:
            st = os.lstat(p)
        except OSError:
            raise CorruptEntry(f"cache entry {path.name}: {fname} is missing") from None
        if not stat.S_ISREG(st.st_mode):
            raise CorruptEntry(
                f"cache entry {path.name}: {fname} is not a regular file "
                "(polyterm never follows links in its cache)"
            )
        if st.st_size != meta["size"]:
            raise CorruptEntry(
                f"cache entry {path.name}: {fname} has {st.st_size} bytes, "
                f"the manifest says {meta['size']}"
            )
        if (full or st.st_mtime_ns != meta["mtime_ns"]) and sha256_file(p) != meta["sha256"]:
            raise CorruptEntry(f"cache entry {path.name}: {fname} was changed")



def file_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Size, mtime and sha256 of every file in `folder` (a temp folder being built), in
    name order: the ``files`` map of a manifest."""
    files: dict[str, dict[str, Any]] = {}
    for f in sorted(folder.iterdir()):
        st = f.stat()
        files[f.name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256_file(f)}
    return files



def fsync_files(folder: Path) -> None:
    """Flush every file of `folder` to disk (before it is renamed into place)."""
    for f in folder.iterdir():
        with f.open("rb") as fh:
            os.fsync(fh.fileno())



def _regular_file_opener(path: str, flags: int) -> int:
    """`open` for a regular file only: a link, FIFO or device raises OSError (never blocks)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", path)
    return fd



def sha256_file(path: Path) -> str:
    """The sha256 of the file at `path`, read in 4 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()

