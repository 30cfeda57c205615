"""A user keymap: the ``[keymap]`` table of config.toml, binding id → keys.

Every key of the explorer has an id (`app.export`, `app.pane.calc`, `dims.basis`, …; the
help screen, `?`, lists the keys, and `polyterm/app.py` and the panes' `BINDINGS` name the
ids). ``[keymap]`` moves keys::

    [keymap]
    "app.export" = "ctrl+e"
    "dims.basis" = "B,ctrl+b"

The app applies it with Textual's `App.set_keymap` at start-up. A value that is not a key
string and an id the explorer does not have are reported (one line each) and skipped.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from polyterm.engine.config_file import ConfigFileError, read_config_text

KEYMAP_TABLE = "keymap"


def read_keymap(path: Path, known: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The keymap of the config file at `path` (empty when there is none) and the problems
    found, one line each; `known` are the binding ids the explorer has."""
    try:
        data = tomllib.loads(read_config_text(path))
    except FileNotFoundError:
        return {}, []
    except (ConfigFileError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"the config file {path} cannot be used: {exc}"]
    table = data.get(KEYMAP_TABLE)
    if table is None:
        return {}, []
    if not isinstance(table, dict):
        return {}, [f'{path}: [keymap] must be a table of binding id = "keys"']
    ids = set(known)
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in table.items():
        if binding_id not in ids:
            problems.append(f"{path}: [keymap] has no key with the id {binding_id!r}")
        elif (
            not isinstance(keys, str)
            or not keys.strip()
            or any(not k.strip() for k in keys.split(","))
        ):
            problems.append(f'{path}: [keymap] {binding_id} must be keys such as "ctrl+e"')
        else:
            keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    return keymap, problems
