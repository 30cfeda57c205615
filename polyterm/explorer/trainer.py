"""Making a model (training, or reading a vector file) in a separate process.

The explorer's UI process only waits on a queue: the work holds another interpreter's GIL,
so the event loop never stalls behind it. The child builds the cache entry (the engine
writes into a temp folder and renames only on success); the parent then opens the finished
entry from the cache, which is a cheap memory map. Cancelling sets a multiprocessing event
that the engine checks; the child then stops and leaves no cache entry.

This module imports only the engine, so the spawned child starts without Textual.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.parent_watch import exit_with_parent
from polyterm.engine.progress import Progress
from polyterm.engine.specs import TrainSpec
from polyterm.engine.sweep import train_many
from polyterm.engine.threads import pin_process
from polyterm.errors import Cancelled, PolytermError

POLL = 0.1  # seconds between looks at the queue and the cancel flag
NICENESS = 10  # the child's lower CPU priority, so the event loop is never starved
GRACE = 30.0  # seconds a cancelled child gets to clean up before it is terminated
CANCEL_ANSWER = 3.0
"""Seconds a cancelled child gets to answer the cancel before it is terminated: a child
waiting on something that does not answer (a silent cluster scheduler: up to its 10 s
connect timeout) must not hold `x` up. Its temporary folder is swept by the next write."""


_tracker_lock = threading.Lock()


def _ensure_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr.

    Inside a running Textual app `sys.stderr` is a capture whose `fileno()` is -1, which
    the tracker's launch rejects; it is started once, with the process's own stderr.
    """
    from multiprocessing import resource_tracker

    with _tracker_lock:
        saved = sys.stderr
        try:
            if sys.__stderr__ is not None:
                sys.stderr = sys.__stderr__
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def _quiet() -> None:
    """The child writes nothing to the terminal the explorer draws on."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _child(
    spec: str, options: OpenOptions, cache_root: str, out: Any, stop: Any, parent_pid: int
) -> None:
    """The child process: make the cache entry and say how it went (last item on `out`).

    It ends with the explorer: a `kill -9` of the explorer gives it no chance to set
    `stop`, so the child watches `parent_pid` (the explorer's pid) and exits once it is
    re-parented; its half-written entry stays in the cache's tmp folder, swept later.
    When the config file names a Dask cluster (``cluster = "local:4"``), a model to train
    is trained there (`polyterm.engine.cluster`) and written into the cache here."""
    exit_with_parent(parent_pid)
    pin_process(1)  # BLAS on one thread: the explorer's own process shares the cores
    _quiet()
    with suppress(OSError):
        os.nice(NICENESS)  # the explorer's own process comes first
    library = ModelLibrary(ModelCache(Path(cache_root)), warn=lambda t: out.put(("warn", t)))
    try:
        parsed = library.spec(spec, options)
        report = lambda p: out.put(("progress", p))  # noqa: E731
        cluster = _cluster_setting() if isinstance(parsed, TrainSpec) else None
        if cluster is not None and _is_local(cluster):
            raise PolytermError(
                f'config.toml: cluster = "{cluster}" starts a cluster per command, which the '
                "explorer cannot do for each model it trains: run a scheduler (dask scheduler; "
                "dask worker ADDRESS on each machine) and set cluster to its address, or use "
                "polyterm sweep --cluster local:N"
            )
        if library.cached(parsed) is not None:
            pass
        elif cluster is not None and isinstance(parsed, TrainSpec):
            outcome = train_many(
                [parsed], library, options=options, progress=report, cancel=stop, cluster=cluster
            )
            if outcome.failed:
                raise PolytermError(outcome.failed[0][1])
        else:
            library.make(parsed, options, progress=report, cancel=stop)
    except Cancelled as exc:
        out.put(("cancelled", str(exc)))
    except PolytermError as exc:
        out.put(("error", str(exc)))
    except BaseException as exc:  # a bug or an odd file: the parent reports it
        out.put(("error", f"unexpected error: {exc!r}"))
    else:
        out.put(("done", ""))


def make_in_process(
    spec: str,
    options: OpenOptions,
    library: ModelLibrary,
    *,
    progress: Callable[[Progress], None],
    cancel: threading.Event,
) -> None:
    """Make `spec`'s cache entry in a spawned process; raise as the engine would."""
    _ensure_resource_tracker()
    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    child = ctx.Process(
        target=_child,
        args=(spec, options, str(library.cache.root), out, stop, os.getpid()),
        name=f"polyterm-make-{spec}",
        daemon=True,
    )
    child.start()
    outcome: tuple[str, str] | None = None
    cancelled_at: float | None = None
    try:
        while outcome is None:
            if cancel.is_set():
                stop.set()
                now = time.monotonic()
                cancelled_at = now if cancelled_at is None else cancelled_at
                if now - cancelled_at > CANCEL_ANSWER and child.is_alive():
                    child.terminate()
                    outcome = (
                        "cancelled",
                        f"making {spec} stopped: its process did not answer the cancel "
                        f"within {CANCEL_ANSWER:g} s and was ended",
                    )
                    break
            try:
                kind, value = out.get(timeout=POLL)
            except queue_mod.Empty:
                if not child.is_alive() and out.empty():
                    outcome = (
                        "error",
                        f"the process making {spec} stopped (exit code {child.exitcode})",
                    )
                continue
            if kind == "progress":
                progress(value)
            elif kind == "warn":
                library.warn(value)
            else:
                outcome = (kind, value)
    finally:
        if outcome is None:  # interrupted here: stop the child too
            stop.set()
        child.join(GRACE)
        if child.is_alive():
            child.terminate()
            child.join()
        out.close()
    kind, value = outcome
    if kind == "cancelled" or (kind == "error" and cancel.is_set()):
        stopped = Cancelled(f"making {spec}")
        if kind == "cancelled":
            stopped.args = (value,)  # the engine's own words
        raise stopped
    if kind == "error":
        raise PolytermError(value)


def _cluster_setting() -> str | None:
    """The config file's cluster (the cluster module is imported only for a training)."""
    from polyterm.engine.cluster_config import cluster_setting

    return cluster_setting()


def _is_local(cluster: str) -> bool:
    from polyterm.engine.cluster import parse_cluster

    return parse_cluster(cluster, "cluster").is_local
