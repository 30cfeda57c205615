"""Training many models at once: one process per core, each model single-threaded.

Each model still trains with one worker thread (so it is bit-for-bit reproducible); the
speed-up comes from training different models in parallel processes. Progress reports
travel back on a queue; cancelling sets a shared event that every process checks. Every
worker ends when the sweep's process dies (`exit_with_parent`), even by ``kill -9``.

With ``cluster=`` (``local:N`` or a Dask scheduler's address) the models are trained as
tasks on a Dask cluster instead (`polyterm.engine.cluster`, the optional
``polyterm[cluster]`` extra); without it Dask is never imported.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from polyterm.engine.cache import ModelCache
from polyterm.engine.corpus import load_corpus
from polyterm.engine.models import DEFAULT_OPTIONS, ModelLibrary, OpenOptions
from polyterm.engine.outcomes import SweepOutcome, default_jobs
from polyterm.engine.parent_watch import exit_with_parent
from polyterm.engine.progress import CancelFlag, Progress, ProgressCallback, no_progress
from polyterm.engine.specs import TrainSpec
from polyterm.engine.threads import pin_process
from polyterm.errors import Cancelled, Interrupted, PolytermError

_queue: Any = None
_cancel: Any = None


def _init(q: Any, cancel: Any, parent: int) -> None:
    global _queue, _cancel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it sets `cancel`
    exit_with_parent(parent)
    pin_process(1)  # one BLAS thread per worker: the workers already fill the cores
    _queue, _cancel = q, cancel


def _train_one(spec: TrainSpec, cache_root: str, options: OpenOptions) -> tuple[str, str | None]:
    library = ModelLibrary(ModelCache(Path(cache_root)))
    try:
        library.open(spec, options, progress=_queue.put, cancel=_cancel)
    except PolytermError as exc:
        return spec.name, str(exc)
    return spec.name, None


def train_many(
    specs: Sequence[TrainSpec],
    library: ModelLibrary,
    *,
    options: OpenOptions = DEFAULT_OPTIONS,
    jobs: int | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    cluster: str | None = None,
) -> SweepOutcome:
    """Make every spec that is not cached yet, in parallel processes (`jobs`, default one
    per core), or as tasks on the Dask cluster `cluster` (``local:N`` or a scheduler
    address; `jobs` is then unused: the cluster's workers decide)."""
    if cluster is not None:
        from polyterm.engine.cluster import train_on_cluster

        return train_on_cluster(
            specs, library, cluster, options=options, progress=progress, cancel=cancel
        )
    cached = tuple(s.name for s in specs if library.cached(s) is not None)
    todo = [s for s in specs if s.name not in cached]
    if not todo:
        return SweepOutcome((), cached, ())
    # Tokenise each corpus once here, so worker processes only read the token cache
    # (and a corpus that cannot be read stops the sweep with one error).
    for corpus, path in dict.fromkeys((s.corpus, s.corpus_path) for s in todo):
        load_corpus(
            corpus,
            library.cache.root,
            path=path,
            download=options.download,
            progress=progress,
            cancel=cancel,
        )
    jobs = max(1, min(jobs or default_jobs(), len(todo)))
    if jobs == 1:
        trained, failed = [], []
        for spec in todo:
            try:
                library.open(spec, options, progress=progress, cancel=cancel)
                trained.append(spec.name)
            except Cancelled:
                raise
            except PolytermError as exc:
                failed.append((spec.name, str(exc)))
            except KeyboardInterrupt:
                raise Interrupted(tuple(trained)) from None
        return SweepOutcome(tuple(trained), cached, tuple(failed))
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    stop = ctx.Event()
    trained_names: list[str] = []
    failures: list[tuple[str, str]] = []
    with ProcessPoolExecutor(
        jobs, mp_context=ctx, initializer=_init, initargs=(q, stop, os.getpid())
    ) as pool:
        pending: set[Future[tuple[str, str | None]]] = set()
        try:
            # workers start ignoring Ctrl-C, even while they import; a Ctrl-C meanwhile is
            # held and raised here once they are spawned (see `_sigint_ignored`)
            with _sigint_ignored():
                pending = {
                    pool.submit(_train_one, s, str(library.cache.root), options) for s in todo
                }
            while pending:
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                _drain(q, progress)
                if cancel is not None and cancel.is_set():
                    stop.set()
                for fut in done:
                    name, error = fut.result()
                    if error is None:
                        trained_names.append(name)
                    else:
                        failures.append((name, error))
        except KeyboardInterrupt:
            # Ctrl-C: queued models never start, running ones stop at their next check of
            # `stop` (every 2,000 sentences) and write nothing; finished ones are kept
            stop.set()
            for fut in pending:
                fut.cancel()
            trained_names += _finished_after_stop(pending)
            raise Interrupted(tuple(trained_names)) from None
        _drain(q, progress)
    if cancel is not None and cancel.is_set():
        raise Cancelled("the sweep")
    return SweepOutcome(tuple(trained_names), cached, tuple(failures))


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Worker processes spawned with SIGINT out of their way, so a Ctrl-C while they
    import prints no traceback; a Ctrl-C in that window is not lost but raised here, as a
    KeyboardInterrupt at the end of the `with`.

    Where signals can be blocked (POSIX), SIGINT is blocked while they are spawned: the
    workers inherit the block across exec and never see a Ctrl-C (they stop through the
    sweep's stop event); the parent holds a Ctrl-C that arrives meanwhile (pending, or
    noted by a handler when another thread took it) and raises it after. Elsewhere SIGINT
    is ignored (inherited too), and a Ctrl-C in the window is lost. Only the main thread
    may change signal handlers: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if not hasattr(signal, "pthread_sigmask"):
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
        return
    caught: list[int] = []
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a pending one: now
        if caught and callable(previous):
            previous(signal.SIGINT, None)
        elif caught and previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def _finished_after_stop(pending: set[Future[tuple[str, str | None]]]) -> list[str]:
    """Names of the running models that still finished (stored) after `stop` was set;
    a second Ctrl-C stops the wait."""
    kept = []
    try:
        for fut in pending:
            if fut.cancelled():
                continue
            with contextlib.suppress(Exception):
                name, error = fut.result()
                if error is None:
                    kept.append(name)
    except KeyboardInterrupt:
        pass
    return kept


def _drain(q: Any, progress: ProgressCallback) -> None:
    while True:
        try:
            item = q.get_nowait()
        except queue_mod.Empty:
            return
        if isinstance(item, Progress):
            progress(item)
