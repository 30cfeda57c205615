"""What the explorer remembers between runs: the selected models (JSON, written atomically)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from polyterm.engine.atomic import write_text_atomic

SESSION_FILE = "session.json"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Session:
    selected: tuple[str, ...] = ()
    theme: str | None = None
    focused_model: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def session_path(folder: Path) -> Path:
    return Path(folder) / SESSION_FILE


def load_session(folder: Path) -> Session | None:
    """The saved session, or None when there is none (a first run) or it is unreadable."""
    path = session_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    selected = data.get("selected", [])
    if not isinstance(selected, list):
        selected = []
    theme = data.get("theme")
    focused = data.get("focused_model")
    return Session(
        selected=tuple(str(s) for s in selected if isinstance(s, str) and s),
        theme=theme if isinstance(theme, str) else None,
        focused_model=focused if isinstance(focused, str) else None,
    )


def save_session(folder: Path, session: Session) -> None:
    """Write the session atomically (a failure to write is not an error for the user)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION, **asdict(session)}
    data["selected"] = list(session.selected)
    write_text_atomic(session_path(folder), json.dumps(data, indent=2) + "\n")
