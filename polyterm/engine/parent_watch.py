"""Worker processes end when the process that started them dies.

A `kill -9` of `polyterm train` (or of the explorer) gives its training processes no chance
to be told; without a watch they would train on, unseen, for as long as the sweep lasts. A
worker calls `exit_with_parent(pid)` first thing: a daemon thread polls the parent's pid and
ends the process (``os._exit``) once it changed, i.e. the worker was re-parented. What the
worker was writing stays in its ``tmp/<pid>-…`` folder, which the next open of the cache
removes (its pid is dead).
"""

from __future__ import annotations

import os
import threading
import time

POLL_SECONDS = 0.5
EXIT_ORPHANED = 75
"""The exit code of a worker whose parent died (EX_TEMPFAIL: nothing was finished)."""


def exit_with_parent(parent: int, *, poll: float = POLL_SECONDS) -> None:
    """End this process as soon as `parent` (the pid that started it) is no longer its
    parent; at once if it already is not."""
    if os.getppid() != parent:
        os._exit(EXIT_ORPHANED)

    def watch() -> None:
        while True:
            time.sleep(poll)
            if os.getppid() != parent:
                os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="polyterm-parent-watch", daemon=True).start()
