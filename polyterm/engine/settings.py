"""Where polyterm keeps things: cache, config and data folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import platformdirs

APP = "polyterm"
CACHE_ENV = "POLYTERM_CACHE_DIR"
CONFIG_ENV = "POLYTERM_CONFIG_DIR"
DATA_ENV = "POLYTERM_DATA_DIR"


def expand_folder(text: str | os.PathLike[str], where: str) -> Path:
    """`text` with ``~`` expanded; a PolytermError naming `where` (``--cache-dir``,
    ``POLYTERM_CACHE_DIR``) for ``~nosuchuser`` or a home folder that cannot be found."""
    from polyterm.errors import PolytermError

    try:
        return Path(text).expanduser()
    except RuntimeError:  # ~user of no such user, or no HOME and no passwd entry
        head = str(text).split("/", 1)[0]
        raise PolytermError(
            f"{where} {str(text)!r}: {head} is not a user with a home folder here; "
            "write the folder in full"
        ) from None


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The cache root: `override`, else $POLYTERM_CACHE_DIR, else the platform cache dir."""
    if override:
        return expand_folder(override, "--cache-dir")
    env = os.environ.get(CACHE_ENV)
    if env:
        return expand_folder(env, CACHE_ENV)
    return Path(platformdirs.user_cache_dir(APP))


MIN_FREE_BYTES = 64 * 2**20
"""Free space below which a cache folder is treated as full ("no space"): more than a
Brown word2vec entry (brown_300 is 34 MiB on disk; GloVe 6B 50d's entry is 156 MiB, and a
write that runs out of space is still one error line with no partial entry)."""


def low_space(folder: Path, need: int = MIN_FREE_BYTES) -> str | None:
    """Why `folder` cannot take new cache entries for lack of space, or None.

    A full disk still lets the cache's probe file be made (an empty file needs no block),
    so "no space" is found from the free space of the folder's file system. A folder whose
    free space cannot be read is not refused here (its writes say what is wrong)."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free >= need:
        return None
    return (
        f"cannot use the cache folder {folder}: No space left on device "
        f"({free / 2**20:.1f} MiB free, new models need up to {need / 2**20:.0f} MiB)"
    )


def config_dir() -> Path:
    env = os.environ.get(CONFIG_ENV)
    return expand_folder(env, CONFIG_ENV) if env else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    env = os.environ.get(DATA_ENV)
    return expand_folder(env, DATA_ENV) if env else Path(platformdirs.user_data_dir(APP))


def nltk_download_dir() -> Path:
    """Where `nltk.download` puts corpora for polyterm (searched as well as NLTK_DATA)."""
    return data_dir() / "nltk_data"


CONFIG_FILE = "config.toml"
"""Settings that are not per session, in TOML: ``cluster = "local:4"`` (or a Dask
scheduler's address), where sweeps train when no ``--cluster`` is given (read by
`polyterm.engine.cluster_config`), and the explorer's ``[keymap]``."""


def config_file() -> Path:
    return config_dir() / CONFIG_FILE
