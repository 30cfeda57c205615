"""The config file's ``cluster`` setting, checked as a cluster target.

Above `polyterm.engine.cluster` (whose `parse_cluster` checks the value) and below nothing:
the settings module (folders) stays a leaf that the corpus reader can import.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from polyterm.engine.cluster import ClusterError, parse_cluster
from polyterm.engine.config_file import ConfigFileError, read_config_text
from polyterm.engine.settings import config_file
from polyterm.errors import PolytermError


def cluster_setting(path: Path | None = None) -> str | None:
    """The ``cluster`` setting of the config file (`path`, default `config_file()`), checked
    (``local:N`` or a scheduler address); None when there is no file or no such setting.
    A file that cannot be used, or a bad value, is a PolytermError naming the file."""
    path = config_file() if path is None else path
    try:
        data = tomllib.loads(read_config_text(path))
    except FileNotFoundError:
        return None
    except (ConfigFileError, tomllib.TOMLDecodeError) as exc:
        raise PolytermError(f"the config file {path} cannot be used: {exc}") from None
    value = data.get("cluster")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PolytermError(
            f"the config file {path}: cluster must be a string such as "
            '"local:4" or "tcp://host:8786"'
        )
    try:
        parse_cluster(value, "cluster")
    except ClusterError as exc:
        raise PolytermError(f"the config file {path}: {exc}") from None
    return value.strip()
