"""What /proc says about processes: the tests that kill a parent check its children end."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> set[int]:
    """The pids of `pid`'s child processes (every thread's children)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return out


def running(pid: int) -> bool:
    """Alive and not a zombie (an un-reaped dead process still has a /proc entry)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
