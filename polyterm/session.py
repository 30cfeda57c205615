"""What the explorer remembers between runs (JSON, written atomically): the selected
models, the theme, and where the selected file models were loaded from.

Config files (this session, the themes) are read with `read_config_text`: regular files
only, opened without blocking (a FIFO in their place never hangs the explorer), at most
`MAX_CONFIG_BYTES`; a file that cannot be used is skipped with a warning and the explorer
goes on with its defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from polyterm.engine.atomic import write_text_atomic
from polyterm.engine.config_file import ConfigFileError, read_config_text
from polyterm.safe_text import visible

SESSION_FILE = "session.json"
VERSION = 1
MAX_SELECTED = 64  # models reopened from a session (each is a job)


@dataclass(frozen=True, slots=True)
class FileModel:
    """A model the user loaded from a vector file: reopened from `path` on the next start."""

    name: str
    path: str
    limit: int | None = None
    trusted: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    selected: tuple[str, ...] = ()
    theme: str | None = None
    files: tuple[FileModel, ...] = ()

    def file(self, name: str) -> FileModel | None:
        return next((f for f in self.files if f.name == name), None)


def _file_model(item: object) -> FileModel | None:
    if not isinstance(item, dict):
        return None
    name, path, limit, trusted = (item.get(k) for k in ("name", "path", "limit", "trusted"))
    if not (isinstance(name, str) and name and isinstance(path, str) and path):
        return None
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        return None
    return FileModel(name, path, limit, trusted is True)


def session_path(folder: Path) -> Path:
    return Path(folder) / SESSION_FILE


def load_session(folder: Path, warn: Callable[[str], None] | None = None) -> Session | None:
    """The saved session, or None when there is none (a first run) or it is unusable (then
    `warn` is told why, in one line: a FIFO, a huge or deeply nested file, not JSON)."""
    path = session_path(folder)
    try:
        data = json.loads(read_config_text(path))
    except FileNotFoundError:
        return None
    except (ConfigFileError, ValueError, RecursionError, MemoryError) as exc:
        if isinstance(exc, RecursionError):
            why = "nested too deeply"
        elif isinstance(exc, ConfigFileError):
            why = str(exc)
        else:
            why = "not valid JSON"
        if warn is not None:
            warn(visible(f"session file {path}: {why}; starting without it"))
        return None
    if not isinstance(data, dict):
        return None
    selected = data.get("selected", [])
    if not isinstance(selected, list):
        selected = []
    theme = data.get("theme")
    files = data.get("files", [])
    found = [_file_model(f) for f in files] if isinstance(files, list) else []
    kept_files = tuple(f for f in found if f is not None)[:MAX_SELECTED]
    names = [s for s in selected if isinstance(s, str) and s]
    # a selected name is a model spec or the name of a file model listed under "files": a
    # path there (a hand-edited file) was opened as a model whose basis view never came
    paths = [n for n in names if not _selectable(n, {f.name for f in kept_files})]
    if paths and warn is not None:
        warn(
            visible(
                f"session file {path}: selected lists {', '.join(paths)}, a path but not a "
                "loaded file; left out (open files with o)"
            )
        )
    return Session(
        selected=tuple(n for n in names if n not in paths)[:MAX_SELECTED],
        theme=theme if isinstance(theme, str) else None,
        files=kept_files,
    )


def _selectable(name: str, file_names: set[str]) -> bool:
    from polyterm.engine.specs import is_spec_form, looks_like_path

    return name in file_names or is_spec_form(name) or not looks_like_path(name)


def save_session(folder: Path, session: Session) -> None:
    """Write the session atomically (a failure to write is not an error for the user)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION, **asdict(session)}
    data["selected"] = list(session.selected)
    data["files"] = [asdict(f) for f in session.files]
    write_text_atomic(session_path(folder), json.dumps(data, indent=2) + "\n")
