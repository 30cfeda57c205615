"""Computing views ahead of the user: the dimensions next to the one on screen.

A dimension's first view of a large model costs tens of milliseconds (its statistics);
later views are memoised on the model. `Ahead` warms the neighbours of the dimension
being shown in one background thread, and a view requested while its warm-up is still
running waits for that instead of computing it a second time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any


class Ahead:
    """One background thread computing keyed work ahead; the newest batch wins."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # add_done_callback may call _forget at once
        self._running: dict[Hashable, Future[Any]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """`compute()`, or the result of the same work already running ahead."""
        with self._lock:
            future = self._running.get(key)
        if future is not None and not future.cancelled():
            try:
                return future.result()
            except Exception:
                pass  # computed again below, so the error reaches the caller
        return compute()

    def warm(self, work: Iterable[tuple[Hashable, Callable[[], Any]]]) -> None:
        """Compute `work` in the background; queued work of earlier batches is dropped."""
        batch = dict(work)
        added: dict[Hashable, Future[Any]] = {}
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="polyterm-ahead")
            stale = [f for key, f in self._running.items() if key not in batch]
            for key, compute in batch.items():
                if key not in self._running:
                    added[key] = self._running[key] = self._pool.submit(compute)
        # Outside the lock: a cancelled or finished future runs its callback at once.
        for future in stale:
            future.cancel()
        for key, future in added.items():
            future.add_done_callback(partial(self._forget, key))

    def _forget(self, key: Hashable, future: Future[Any]) -> None:
        with self._lock:
            if self._running.get(key) is future:
                del self._running[key]

    def close(self) -> None:
        """Drop queued work (the running item finishes in the background)."""
        with self._lock:
            pool, self._pool = self._pool, None
            running = list(self._running.values())
        for future in running:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
