"""Small verified results kept in the cache as one JSON file each.

A file is a JSON header line (``format``, ``kind``, the fields that name what it holds,
the payload's ``size`` and ``sha256``, library versions, creation time), then the payload
as JSON (the layout of the feature tables, `polyterm.engine.feature_sources`). It is
written atomically (`polyterm.engine.atomic`) and verified on every read: the header must
name exactly what was asked for, the payload must have its size and sha256. A damaged or
mismatching file is reported through ``warn`` and treated as missing (the caller computes
the result again and replaces it); a link or anything but a regular file is never read
nor replaced. No pickle.

Used by `polyterm.engine.quality` (model quality) and `polyterm.engine.bases` (the
rotated-dictionary null's draws).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from polyterm.engine.atomic import write_bytes_atomic

ENTRY_FORMAT = 1
HEADER_MAX_BYTES = 1 << 14
PAYLOAD_MAX_BYTES = 1 << 22
WarnFn = Callable[[str], None]


class DamagedEntry(Exception):
    """A stored file that is not what was asked for, or not intact."""


def entry_folder(root: Path, name: str, warn: WarnFn, what: str) -> Path | None:
    """``<root>/<name>`` (made if missing), or None with a warning when it is a link or
    cannot be made (`what` is kept for this run only)."""
    folder = Path(root) / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if stat.S_ISDIR(os.lstat(folder).st_mode):
            return folder
    except OSError:
        pass
    warn(
        f"{folder} is not a folder polyterm can use (a link or unwritable; polyterm never "
        f"follows links inside its cache): {what} is kept for this run only"
    )
    return None


def read_entry(path: Path, want: Mapping[str, Any]) -> Any:
    """The payload of the file at `path` whose header has every field of `want`
    (DamagedEntry, OSError or ValueError otherwise)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        line = fh.readline(HEADER_MAX_BYTES)
        if not line.endswith(b"\n"):
            raise DamagedEntry("no header line")
        header = json.loads(line)
        if not isinstance(header, dict) or header.get("format") != ENTRY_FORMAT:
            raise DamagedEntry("not a file of this polyterm's format")
        if any(header.get(k) != v for k, v in want.items()):
            raise DamagedEntry("the header names another result")
        size = header.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= PAYLOAD_MAX_BYTES:
            raise DamagedEntry("the header's size is not one polyterm writes")
        body = fh.read(size + 1)
    if len(body) != size:
        raise DamagedEntry(f"{len(body)} bytes of payload, the header says {size}")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise DamagedEntry("the payload's sha256 does not match")
    return json.loads(body)


def load_entry(
    path: Path,
    want: Mapping[str, Any],
    parse: Callable[[Any], Any],
    warn: WarnFn,
) -> Any:
    """`parse` of the payload at `path`, or None: no file, or one that is damaged (warned)
    or not a regular file (warned, left alone). `parse` raises DamagedEntry, KeyError,
    TypeError or ValueError for a payload it cannot take."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(f"cannot read {path}: {exc.strerror or exc}; computing it again")
        return None
    if not stat.S_ISREG(st.st_mode):
        warn(f"{path} is not a file polyterm wrote; it is left alone and not used")
        return None
    try:
        return parse(read_entry(path, want))
    except RecursionError:  # a deeply nested header or payload: json.loads gives up
        warn(f"the stored result {path.name} was damaged (nested too deeply); computing it again")
        return None
    except (DamagedEntry, OSError, ValueError, KeyError, TypeError) as exc:
        warn(f"the stored result {path.name} was damaged ({exc}); computing it again")
        return None


def store_entry(
    path: Path,
    fields: Mapping[str, Any],
    payload: Any,
    warn: WarnFn,
    versions: Mapping[str, str] | None = None,
) -> None:
    """Write `payload` under a header of `fields` (a failure is a warning)."""
    try:
        if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
            return  # not polyterm's: left alone (said by load_entry)
        body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
        header = {
            "format": ENTRY_FORMAT,
            **fields,
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "versions": {"numpy": np.__version__, **(versions or {})},
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        write_bytes_atomic(path, json.dumps(header).encode() + b"\n" + body)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        warn(f"could not store {path.name} in {path.parent}: {reason}; "
             "it is kept for this run only")  # fmt: skip
