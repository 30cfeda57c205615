"""Reading a small config file safely (the session, the themes, config.toml).

Regular files only, opened without blocking (a FIFO in their place never hangs the
explorer), at most `MAX_CONFIG_BYTES`, UTF-8. A leaf of the engine: it imports nothing of
polyterm, so the engine's own settings (`cluster_config`) and the explorer's session and
themes read their files the same way.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_CONFIG_BYTES = 1 << 20  # a session or a theme is a few hundred bytes


class ConfigFileError(ValueError):
    """A config file that cannot be used; the message says why (no file name)."""


def read_config_text(path: Path, limit: int = MAX_CONFIG_BYTES) -> str:
    """The UTF-8 text of a small config file. FileNotFoundError when there is none;
    ConfigFileError when it is not a regular file (a FIFO, a device, a folder), is larger
    than `limit` bytes, cannot be read or is not UTF-8. Never blocks: the file is opened
    with O_NONBLOCK and checked with fstat before a byte is read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise FileNotFoundError(exc.errno, exc.strerror, str(path)) from None
        raise ConfigFileError(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ConfigFileError(kind)
        if info.st_size > limit:
            raise ConfigFileError(f"larger than {limit:,} bytes")
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise ConfigFileError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ConfigFileError(f"larger than {limit:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigFileError("not UTF-8 text") from None
