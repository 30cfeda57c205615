"""Training a sweep's models as tasks on a Dask cluster (the optional ``polyterm[cluster]``).

``train_many(..., cluster="tcp://host:8786")`` (or ``cluster="local:4"``) comes here.
Each model's training is one task: the worker trains it single-threaded (the same bytes
as a local training of the same spec) and returns the vectors, vocabulary, counts and
its manifest fields; the client writes the entry into its own cache with the cache's
atomic, verified write, so workers need neither the client's disk nor its cache, and a
task that dies leaves nothing behind. A corpus is tokenised on the client and scattered
once to every worker (``broadcast=True``), not once per task.

Faults: a worker that dies mid-task has its task rerun elsewhere by the scheduler (and a
task that raises something unexpected is retried, `RETRIES` times); a scheduler that
cannot be reached is one `ClusterError` line before any corpus is read; cancelling (the
cancel flag, Ctrl-C) cancels the outstanding tasks and tells running ones to stop.
Progress from the workers (per model, naming the worker) reaches the same
`ProgressCallback` as a local sweep's.

Bases (`fit_bases_on_cluster`): each (model, non-raw basis) not stored yet is one task
that receives only the model's first ``fit_words`` rows (scattered to the workers once
per model, for all its bases) and returns the fitted basis as its params and arrays; the
client stores it with `BasisStore.put`, the same verified atomic entry as a local fit.
The codes of every word are one matrix product for pca and ica (made on the client); for
``dict:K`` they are the expensive part (a lasso per word), so they are made on the
workers too, one task per block of rows a local write uses (`code_blocks`: 50,000 rows),
and sent back. Fits and codes run with BLAS on one thread: the entry has the bytes of a
local fit. A worker killed mid-fit has its task rerun (the scheduler's retries); a task
whose scattered rows were lost with the workers holding them (Dask may drop extra
replicas) is sent again by the client, up to `RETRIES` times. A basis is stored only once
it is complete, so nothing partial reaches the cache.

One connection per run: inside ``with shared_connection(cluster):`` every function here
that reaches the same cluster uses one client (one `LocalCluster` for ``local:N``),
connected when first needed and closed when the block ends.

Dask is imported only inside functions: without ``cluster=`` nothing here imports it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import queue as queue_mod
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from polyterm.engine.corpus import CorpusInfo, Sentences, load_corpus
from polyterm.engine.models import DEFAULT_OPTIONS, ModelLibrary, OpenOptions, training_manifest
from polyterm.engine.progress import CancelFlag, Progress, ProgressCallback, no_progress
from polyterm.engine.specs import TrainSpec
from polyterm.errors import Cancelled, Interrupted, PolytermError

if TYPE_CHECKING:
    from polyterm.core.bases import FittedBasis
    from polyterm.core.embedding import Embedding
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.outcomes import SweepOutcome

CONNECT_TIMEOUT = 10.0
"""Seconds to reach a scheduler before giving up with one error line."""
RETRIES = 2
"""Reruns of a task that raised an unexpected error (a worker that dies is rerun anyway)."""
POLL = 0.1
"""Seconds between the client's looks at its tasks, the progress queue and the cancel flag."""
REPORT_EVERY = 0.5
"""Seconds between a worker's progress events for one model (stage changes always go)."""
CANCEL_CHECK_EVERY = 1.0
"""Seconds between a worker's looks at the sweep's cancel event (a scheduler round trip)."""
MAX_LOCAL_WORKERS = 256
QUIET = logging.CRITICAL + 1
"""Dask's own log level during a sweep: nothing. What goes wrong reaches the user as one
error line or a failed model; Dask's log lines (a worker restarting, a comm closed while
cancelling) would otherwise print tracebacks into the CLI's output."""
INSTALL_HINT = 'install the cluster extra: pip install "polyterm[cluster]"'
_LOCAL = re.compile(r"^local(?::(?P<n>\d+))?$")
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")  # what distributed.comm speaks
_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>[^\s/:]+|\[[0-9a-fA-F:.]+\])"
    r"(?::(?P<port>\d{1,5}))?/?$"
)
DEFAULT_PORT = 8786


class ClusterError(PolytermError):
    """A cluster that cannot be used: a bad address, an unreachable scheduler, no Dask."""


@dataclass(frozen=True, slots=True)
class ClusterTarget:
    """Where a sweep's tasks go: a `LocalCluster` of `local_workers` processes, or the
    scheduler at `address`."""

    text: str
    address: str | None = None
    local_workers: int | None = None

    @property
    def is_local(self) -> bool:
        return self.local_workers is not None


def parse_cluster(text: str, what: str = "--cluster") -> ClusterTarget:
    """``local:N`` (``local``: one worker per core) or a scheduler address
    (``tcp://host:8786``, ``host:8786``, ``host``); ClusterError for anything else."""
    value = text.strip()
    m = _LOCAL.match(value)
    if m is not None:
        if m["n"] is None:
            from polyterm.engine.outcomes import default_jobs

            return ClusterTarget(value, local_workers=default_jobs())
        n = int(m["n"])
        if not 1 <= n <= MAX_LOCAL_WORKERS:
            raise ClusterError(
                f"{what} {value}: a local cluster has 1 to {MAX_LOCAL_WORKERS} worker processes"
            )
        return ClusterTarget(value, local_workers=n)
    a = _ADDRESS.match(value)
    if a is None or (a["port"] is not None and not 0 < int(a["port"]) < 65536):
        raise ClusterError(
            f"{what} {text!r} is neither local:N nor a scheduler address such as "
            f"tcp://host:{DEFAULT_PORT}"
        )
    scheme = a["scheme"] or "tcp"
    if scheme not in SCHEMES:
        raise ClusterError(
            f"{what} {text!r}: Dask schedulers listen on {', '.join(SCHEMES)}, not {scheme}://"
        )
    port = a["port"] or str(DEFAULT_PORT)
    return ClusterTarget(value, address=f"{scheme}://{a['host']}:{port}")


def _distributed() -> Any:
    """The `distributed` module, imported on first use (typed loosely: the extra may be
    missing where polyterm is type-checked)."""
    import importlib

    return importlib.import_module("distributed")


def dask_available() -> bool:
    """Whether the cluster extra (dask.distributed) is installed (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


class _Shared:
    """The connection of a `shared_connection` block: made on first use, closed at its end."""

    def __init__(self, target: ClusterTarget) -> None:
        self.target = target
        self.stack = contextlib.ExitStack()
        self.client: Any = None

    def get(self, timeout: float) -> Any:
        if self.client is None:
            self.client = self.stack.enter_context(_open(self.target, timeout=timeout))
        return self.client


_SHARED: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar(
    "polyterm_cluster_shared", default=None
)


def as_target(cluster: str | ClusterTarget) -> ClusterTarget:
    """`cluster` parsed (a ClusterTarget as it is)."""
    return cluster if isinstance(cluster, ClusterTarget) else parse_cluster(cluster)


@contextlib.contextmanager
def shared_connection(cluster: str | ClusterTarget) -> Iterator[ClusterTarget]:
    """Within the block, every `connect` to this cluster (training, basis fits) uses one
    client, connected on first use (never, when nothing needs the cluster) and closed,
    with its `LocalCluster`, when the block ends. Yields the parsed target."""
    target = as_target(cluster)
    shared = _Shared(target)
    token = _SHARED.set(shared)
    try:
        with shared.stack:
            yield target
    finally:
        _SHARED.reset(token)


@contextlib.contextmanager
def connect(target: ClusterTarget, *, timeout: float = CONNECT_TIMEOUT) -> Iterator[Any]:
    """A `distributed.Client` for `target`: the enclosing `shared_connection`'s when it is
    for the same cluster (left open), else a new one closed at the end (a local cluster
    too). A scheduler that does not answer within `timeout` seconds is a ClusterError."""
    shared = _SHARED.get()
    if shared is not None and shared.target == target:
        yield shared.get(timeout)
        return
    with _open(target, timeout=timeout) as client:
        yield client


@contextlib.contextmanager
def _open(target: ClusterTarget, *, timeout: float) -> Iterator[Any]:
    """A new `distributed.Client` for `target`, closed at the end (a local cluster too).

    A local cluster has `local_workers` processes of one thread each (its dashboard on a
    free port, so a second cluster never collides with the first).
    """
    if not dask_available():
        raise ClusterError(f"--cluster {target.text} needs Dask: {INSTALL_HINT}")
    if target.address is not None and target.address.startswith("tcp://"):
        check_scheduler_answers(target.address, timeout)
    dd = _distributed()
    with _quiet_dask():
        cluster = None
        try:
            if target.is_local:
                try:
                    cluster = dd.LocalCluster(
                        n_workers=target.local_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=QUIET,
                    )
                except (RuntimeError, OSError) as exc:
                    why = " ".join(str(exc).split())[:160]
                    raise ClusterError(
                        f"could not start a local Dask cluster of {target.local_workers} "
                        f"worker processes ({why})"
                    ) from None
                client = dd.Client(cluster, timeout=timeout, set_as_default=False)
            else:
                client = dd.Client(target.address, timeout=timeout, set_as_default=False)
        except ClusterError:
            raise
        except Exception as exc:  # OSError, TimeoutError, and whatever a garbled reply raises
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()
            why = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
            raise ClusterError(
                f"cannot reach the Dask scheduler at {target.address or target.text} within "
                f"{timeout:g} s ({why}); start one with `dask scheduler` (and `dask worker "
                "ADDRESS` on each machine) or use --cluster local:N"
            ) from None
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


HANDSHAKE_MARK = b"compression"
"""In the first message a Dask server sends on a new connection (its comm handshake:
compression, python and pickle-protocol; distributed >= 2021.3)."""


def check_scheduler_answers(address: str, timeout: float) -> None:
    """ClusterError unless the server at ``tcp://host:port`` greets a new connection as a
    Dask server does, within `timeout` seconds.

    A Dask client waits for that greeting without a limit: an address that accepts the
    connection and never answers hung the sweep for good (issue 17), and one that answers
    with something else ended in an internal error.
    """
    import socket
    import time

    hostport = address.removeprefix("tcp://")
    host, _, port = hostport.rpartition(":")
    host = host.strip("[]")
    deadline = time.monotonic() + timeout
    where = f"the Dask scheduler at {address}"
    hint = "check the address (`dask scheduler` prints it), or use --cluster local:N"
    try:
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    except OSError as exc:
        why = " ".join(str(exc).split())[:120]
        raise ClusterError(
            f"cannot reach {where} within {timeout:g} s ({why}); start one with `dask "
            "scheduler` (and `dask worker ADDRESS` on each machine) or use --cluster local:N"
        ) from None
    received = b""
    try:
        with sock:
            while HANDSHAKE_MARK not in received and len(received) < 4096:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
                # a Dask message starts with its length (8 bytes, little-endian): a
                # greeting is short, so a huge "length" (b"HTTP/1.1") is not Dask
                if len(received) >= 8 and int.from_bytes(received[:8], "little") > 1 << 20:
                    break
    except OSError:
        pass  # a timeout or a reset: judged by what arrived
    if HANDSHAKE_MARK in received:
        return
    if not received:
        raise ClusterError(
            f"{where} accepts the connection but sent nothing within {timeout:g} s: it is "
            f"not a Dask scheduler, or it is stuck; {hint}"
        )
    raise ClusterError(f"{where} answers, but not as a Dask scheduler does; {hint}")


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's loggers (in this process) silenced for the sweep, their levels restored after."""
    loggers = [logging.getLogger(name) for name in ("distributed", "dask")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(QUIET)
    try:
        yield
    finally:
        for lg, level in zip(loggers, saved, strict=True):
            lg.setLevel(level)


# -- the task (runs on a worker) ----------------------------------------------------------


class _Throttle:
    """A worker's progress reporter: a Dask event per stage change or every REPORT_EVERY s."""

    def __init__(self, topic: str, worker: Any) -> None:
        self.topic = topic
        self.worker = worker
        self.last = (0.0, "")

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if p.stage == self.last[1] and now - self.last[0] < REPORT_EVERY:
            return
        self.last = (now, p.stage)
        self.worker.log_event(self.topic, (self.worker.address, astuple(p)))


class _RemoteCancel:
    """The sweep's cancel event as a CancelFlag, asked at most every CANCEL_CHECK_EVERY s."""

    def __init__(self, name: str) -> None:
        self.event = _distributed().Event(name)
        self.checked = time.monotonic()
        self.value = False

    def is_set(self) -> bool:
        now = time.monotonic()
        if not self.value and now - self.checked >= CANCEL_CHECK_EVERY:
            self.checked = now
            with contextlib.suppress(Exception):  # the scheduler gone: the client stops us
                self.value = bool(self.event.is_set())
        return self.value


@dataclass(frozen=True, slots=True)
class TrainedOnWorker:
    """What a training task sends back: everything the client's cache write needs."""

    spec_name: str
    words: list[str] | None
    vectors: Any  # numpy float32 (n, d)
    counts: Any  # numpy int64 (n,)
    seconds: float
    worker: str
    error: str | None = None
    cancelled: bool = False


def train_task(
    spec: TrainSpec, sentences: Sentences, topic: str, cancel_name: str
) -> TrainedOnWorker:
    """Train `spec` on a worker (one thread, as a local training) and return the arrays.

    A user-fixable error comes back as `error` (retrying would fail the same way);
    anything else raises, and the scheduler retries the task.
    """
    from polyterm.engine.training import train_word2vec

    worker = _distributed().get_worker()
    report = _Throttle(topic, worker)
    try:
        trained = train_word2vec(
            spec, sentences, progress=report, cancel=_RemoteCancel(cancel_name)
        )
    except Cancelled as exc:
        return TrainedOnWorker(spec.name, None, None, None, 0.0, worker.address, str(exc), True)
    except PolytermError as exc:
        return TrainedOnWorker(spec.name, None, None, None, 0.0, worker.address, str(exc))
    report(Progress(spec.name, "write", 0.98, "sending the vectors to the client"))
    return TrainedOnWorker(
        spec.name, trained.words, trained.vectors, trained.counts, trained.seconds, worker.address
    )


# -- the client ----------------------------------------------------------------------------


def _open_run(client: Any) -> tuple[str, str, str, queue_mod.SimpleQueue[Any], Any]:
    """A run's id, its progress topic (subscribed into the returned queue) and the name
    and Dask `Event` its tasks poll for cancellation."""
    run_id = uuid.uuid4().hex[:12]
    topic, cancel_name = f"polyterm-progress-{run_id}", f"polyterm-cancel-{run_id}"
    events: queue_mod.SimpleQueue[Any] = queue_mod.SimpleQueue()
    client.subscribe_topic(topic, events.put)
    return run_id, topic, cancel_name, events, _distributed().Event(cancel_name, client=client)


def _finished(
    pending: set[Any],
    events: Any,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
    what: str,
) -> Iterator[Any]:
    """Yield each future of `pending` as it finishes (removed from the set first; the
    caller may add new ones), relaying the workers' progress events meanwhile and raising
    Cancelled (`what`) once `cancel` is set."""
    while pending:
        _drain(events, progress)
        if cancel is not None and cancel.is_set():
            raise Cancelled(what)
        done = [f for f in pending if f.done()]
        if not done:
            time.sleep(POLL)
            continue
        for fut in done:
            pending.discard(fut)
            yield fut


def train_on_cluster(
    specs: Sequence[TrainSpec],
    library: ModelLibrary,
    cluster: str | ClusterTarget,
    *,
    options: OpenOptions = DEFAULT_OPTIONS,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    retries: int = RETRIES,
) -> SweepOutcome:
    """Make every spec not cached yet as tasks on `cluster`, writing each into `library`'s
    cache as it arrives. The scheduler is reached before any corpus is read."""
    from polyterm.engine.outcomes import SweepOutcome

    target = as_target(cluster)
    cached = tuple(s.name for s in specs if library.cached(s) is not None)
    todo = [s for s in specs if s.name not in cached]
    if not todo:
        return SweepOutcome((), cached, ())
    with connect(target, timeout=connect_timeout) as client:
        trained, failed = _run(client, target, todo, library, options, progress, cancel, retries)
    return SweepOutcome(tuple(trained), cached, tuple(failed))


def _run(
    client: Any,
    target: ClusterTarget,
    todo: Sequence[TrainSpec],
    library: ModelLibrary,
    options: OpenOptions,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
    retries: int,
) -> tuple[list[str], list[tuple[str, str]]]:
    run_id, topic, cancel_name, events, stop = _open_run(client)
    futures: dict[Any, TrainSpec] = {}
    trained: list[str] = []
    try:
        corpora: dict[tuple[str, str | None], tuple[Any, CorpusInfo]] = {}
        for key in dict.fromkeys((s.corpus, s.corpus_path) for s in todo):
            sentences, info = load_corpus(
                key[0],
                library.cache.root,
                path=key[1],
                download=options.download,
                progress=progress,
                cancel=cancel,
            )
            progress(Progress(key[0], "corpus", 0.0, f"sending {key[0]} to every worker"))
            [scattered] = client.scatter([sentences], broadcast=True, hash=False)
            corpora[key] = (scattered, info)
            del sentences
        for spec in todo:
            fut = client.submit(
                train_task,
                spec,
                corpora[(spec.corpus, spec.corpus_path)][0],
                topic,
                cancel_name,
                key=f"polyterm-train-{spec.name}-{run_id}",
                pure=False,
                retries=retries,
            )
            futures[fut] = spec
            progress(Progress(spec.name, "queued", 0.0, f"queued on {target.text}"))
        failed: list[tuple[str, str]] = []
        for fut in _finished(set(futures), events, progress, cancel, "the sweep"):
            spec = futures[fut]
            error = _collect(fut, spec, corpora, library, target, progress)
            if error is None:
                trained.append(spec.name)
            else:
                failed.append((spec.name, error))
            fut.release()
        _drain(events, progress)
        order = {s.name: i for i, s in enumerate(todo)}
        return sorted(trained, key=order.__getitem__), sorted(failed, key=lambda f: order[f[0]])
    except BaseException as exc:  # Cancelled, KeyboardInterrupt, an error writing the cache
        with contextlib.suppress(Exception):
            stop.set()
        with contextlib.suppress(Exception):
            client.cancel(list(futures), force=True)
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
            raise Interrupted(tuple(trained)) from None  # the CLI names what was kept
        raise
    finally:
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(topic)


def _collect(
    fut: Any,
    spec: TrainSpec,
    corpora: dict[tuple[str, str | None], tuple[Any, CorpusInfo]],
    library: ModelLibrary,
    target: ClusterTarget,
    progress: ProgressCallback,
) -> str | None:
    """Write a finished task's model into the cache; the error line when there is none."""
    if fut.status != "finished":
        exc = fut.exception()
        name = type(exc).__name__
        if name == "KilledWorker":
            return f"the workers training it kept dying on {target.text} ({exc})"
        return f"training on {target.text} failed: {name}: {exc}"
    result: TrainedOnWorker = fut.result()
    if result.cancelled:
        raise Cancelled(result.error or f"training {spec.name}")
    if result.error is not None or result.words is None:
        return result.error or "the worker sent no vectors"
    info = corpora[(spec.corpus, spec.corpus_path)][1]
    manifest = training_manifest(
        spec, info, result.seconds, trained_on=result.worker, cluster=target.text
    )
    where = _short(result.worker)
    progress(Progress(spec.name, "write", 0.99, f"writing the cache entry (from {where})"))
    try:
        library.cache.write(
            spec, result.words, result.vectors, counts=result.counts, manifest=manifest
        )
    except PolytermError as exc:
        return str(exc)
    progress(Progress(spec.name, "done", 1.0, f"ready (trained on {where})"))
    return None


def _drain(events: queue_mod.SimpleQueue[Any], progress: ProgressCallback) -> None:
    """Pass the workers' progress events on, naming the worker in each message."""
    while True:
        try:
            event = events.get_nowait()
        except queue_mod.Empty:
            return
        try:
            _stamp, (worker, fields) = event
            p = Progress(*fields)
        except (TypeError, ValueError):
            continue  # not one of ours
        progress(Progress(**{**_as_dict(p), "message": f"{p.message} on {_short(worker)}"}))


def _short(address: Any) -> str:
    """A worker's address without the scheme: ``127.0.0.1:40123``."""
    return str(address).split("://", 1)[-1]


def _as_dict(p: Progress) -> dict[str, Any]:
    return {f: getattr(p, f) for f in p.__dataclass_fields__}


# -- basis fits ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BasisFitOutcome:
    """What `fit_bases_on_cluster` did, each (model, basis) named by its `basis_label`."""

    fitted: tuple[str, ...]
    stored: tuple[str, ...]
    """Already stored: nothing to fit (raw requests are not listed)."""
    failed: tuple[tuple[str, str], ...]


def basis_label(model: Embedding, request: BasisRequest) -> str:
    """``brown_30 [ica]``, ``brown_30 [dict:120, seed 3]``: a basis fit in progress lines."""
    return f"{model.name} [{request.label()}]"


class _FitThrottle:
    """A worker's basis-fit progress (`fraction, stage`) as throttled Dask events."""

    def __init__(self, label: str, basis: str, topic: str, worker: Any) -> None:
        self.label = label
        self.basis = basis
        self.report = _Throttle(topic, worker)

    def __call__(self, fraction: float, stage: str) -> None:
        self.report(
            Progress(self.label, "fit", 0.9 * fraction, f"fitting the {self.basis} basis ({stage})")
        )


def fit_task(
    rows: Any, name: str, fit_words: int, seed: int, label: str, topic: str, cancel_name: str
) -> dict[str, Any]:
    """Fit the basis `name` on a worker from the model's first `fit_words` rows (all it
    is sent), BLAS on one thread as a local fit; returns plain data: ``params`` (JSON-able)
    and ``arrays`` (numpy), or ``error`` (a user-fixable one: a retry would fail the same
    way) and ``cancelled``. Anything else raises and the scheduler retries the task."""
    from polyterm.core.bases import fit_basis
    from polyterm.engine.bases import one_blas_thread

    worker = _distributed().get_worker()
    report = _FitThrottle(label, name, topic, worker)
    started = time.monotonic()
    try:
        with one_blas_thread():
            fitted = fit_basis(
                rows,
                name,
                fit_rows=fit_words,
                seed=seed,
                cancel=_RemoteCancel(cancel_name),
                progress=report,
            )
    except Cancelled as exc:
        return {"error": str(exc), "cancelled": True, "worker": worker.address}
    except (PolytermError, ValueError) as exc:
        return {"error": str(exc), "cancelled": False, "worker": worker.address}
    report.report(Progress(label, "write", 0.9, "sending the fitted basis to the client"))
    return {
        "params": dict(fitted.params),
        "arrays": fitted.to_arrays(),
        "seconds": time.monotonic() - started,
        "worker": worker.address,
    }


def codes_task(basis: dict[str, Any], rows: Any) -> dict[str, Any]:
    """The codes (float32) of `rows` (one of `code_blocks`) in the basis sent as
    ``{"params", "arrays"}``, BLAS on one thread: the bytes a local write computes."""
    from polyterm.core.bases import FittedBasis
    from polyterm.engine.bases import one_blas_thread

    worker = _distributed().get_worker()
    fitted = FittedBasis.from_arrays(basis["params"], basis["arrays"])
    with one_blas_thread():
        codes = fitted.transform(rows)
    return {"codes": codes, "worker": worker.address}


@dataclass(slots=True)
class _BasisJob:
    """One (model, basis) on its way: the fit, then (dict:K) its blocks of codes."""

    label: str
    model: Embedding
    request: BasisRequest
    fitted: FittedBasis | None = None
    worker: str = ""
    codes: np.ndarray[Any, np.dtype[np.float32]] | None = None
    blocks_left: int = 0
    code_workers: set[str] = field(default_factory=set)


def fit_bases_on_cluster(
    models: Sequence[Embedding],
    requests: Sequence[BasisRequest],
    store: BasisStore,
    cluster: str | ClusterTarget,
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    retries: int = RETRIES,
) -> BasisFitOutcome:
    """Fit every (model, non-raw request) that `store` does not hold yet as tasks on
    `cluster`, storing each with `store.put` as it arrives (a later `store.in_basis`
    finds it). The cluster is reached only when something needs fitting; a scheduler that
    cannot be reached is one ClusterError line before any work."""
    target = as_target(cluster)
    pairs = [(m, r) for m in models for r in dict.fromkeys(requests) if not r.is_raw]
    stored = tuple(basis_label(m, r) for m, r in pairs if store.stored(m, r))
    todo = [_BasisJob(basis_label(m, r), m, r) for m, r in pairs if basis_label(m, r) not in stored]
    if not todo:
        return BasisFitOutcome((), stored, ())
    with connect(target, timeout=connect_timeout) as client:
        fitted, failed = _fit_run(client, target, todo, store, progress, cancel, retries)
    return BasisFitOutcome(tuple(fitted), stored, tuple(failed))


def _fit_run(
    client: Any,
    target: ClusterTarget,
    todo: Sequence[_BasisJob],
    store: BasisStore,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
    retries: int,
) -> tuple[list[str], list[tuple[str, str]]]:
    from polyterm.engine.bases import code_blocks

    run_id, topic, cancel_name, events, stop = _open_run(client)
    fits: dict[Any, tuple[int, _BasisJob, int]] = {}
    blocks: dict[Any, _Block] = {}
    done_labels: list[str] = []
    failed: list[tuple[str, str]] = []

    def fail(job: _BasisJob, error: str) -> None:
        job.codes = None
        failed.append((job.label, error))
        progress(Progress(job.label, "done", 1.0, f"failed: {error}"))

    rows: dict[int, Any] = {}  # each model's scattered fit rows, kept for retries

    def submit_fit(i: int, job: _BasisJob, attempt: int) -> Any:
        model = job.model
        if id(model) not in rows or attempt > 0:  # sent once for all its bases; again
            most = max(j.request.fit_words for j in todo if j.model is model)  # when lost
            head = np.ascontiguousarray(model.vectors[: min(most, len(model))])
            [rows[id(model)]] = client.scatter([head], broadcast=True, hash=False)
        fut = client.submit(
            fit_task,
            rows[id(model)],
            str(job.request.name),
            job.request.fit_words,
            job.request.seed,
            job.label,
            topic,
            cancel_name,
            key=f"polyterm-basis-{i}-{attempt}-{run_id}",
            pure=False,
            retries=retries,
        )
        fits[fut] = (i, job, attempt)
        return fut

    try:
        for i, job in enumerate(todo):
            submit_fit(i, job, 0)
            progress(Progress(job.label, "queued", 0.0, f"queued on {target.text}"))
        pending = set(fits)
        for fut in _finished(pending, events, progress, cancel, "fitting the bases"):
            if fut in fits:
                i, job, attempt = fits.pop(fut)
                if fut.status == "cancelled" and attempt < retries:
                    # its rows were lost with the workers holding them: send them again
                    pending.add(submit_fit(i, job, attempt + 1))
                    fut.release()
                    continue
                error = _fit_arrived(fut, job, target)
                if error is not None:
                    fail(job, error)
                elif job.request.name.kind == "dict":
                    new = _start_codes(client, job, code_blocks(len(job.model)), run_id, retries)
                    blocks.update(new)
                    pending.update(new)
                    progress(
                        Progress(
                            job.label,
                            "codes",
                            0.9,
                            f"fitted on {_short(job.worker)}; its codes queued on "
                            f"{target.text} in {len(new)} block(s)",
                        )
                    )
                else:
                    _put(job, store, progress, cancel, done_labels, fail)
            else:
                block = blocks.pop(fut)
                job = block.job
                if job.codes is None:  # the basis failed meanwhile: drop the block
                    fut.release()
                    continue
                if fut.status == "cancelled" and block.attempt < retries:
                    # its rows were lost with the worker holding them: send them again
                    again = _submit_block(client, block, block.attempt + 1, run_id, retries)
                    blocks.update(again)
                    pending.update(again)
                    fut.release()
                    continue
                error = _codes_arrived(fut, block, target)
                if error is not None:
                    for other in [f for f, b in blocks.items() if b.job is job]:
                        other.cancel()
                    fail(job, error)
                elif job.blocks_left == 0:
                    _put(job, store, progress, cancel, done_labels, fail)
            fut.release()
        _drain(events, progress)
        order = {job.label: i for i, job in enumerate(todo)}
        return (
            sorted(done_labels, key=order.__getitem__),
            sorted(failed, key=lambda f: order[f[0]]),
        )
    except BaseException:  # Cancelled, KeyboardInterrupt, an error writing the cache
        with contextlib.suppress(Exception):
            stop.set()
        with contextlib.suppress(Exception):
            client.cancel([*fits, *blocks], force=True)
        raise
    finally:
        for scattered in rows.values():
            with contextlib.suppress(Exception):
                scattered.release()
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(topic)


def _task_error(fut: Any, target: ClusterTarget, what: str) -> str:
    if fut.status == "cancelled":  # exception() would raise: the scheduler dropped the task
        return (
            f"{what} on {target.text} was dropped by the scheduler (its input was lost with "
            "the workers holding it, retries used up); run the command again"
        )
    exc = fut.exception()
    name = type(exc).__name__
    if name == "KilledWorker":
        return f"the workers {what} kept dying on {target.text} ({exc})"
    return f"{what} on {target.text} failed: {name}: {exc}"


def _fit_arrived(fut: Any, job: _BasisJob, target: ClusterTarget) -> str | None:
    """Keep a finished fit task's basis in `job`; the error line when there is none."""
    from polyterm.core.bases import FittedBasis

    if fut.status != "finished":
        return _task_error(fut, target, "fitting it")
    result: dict[str, Any] = fut.result()
    if result.get("cancelled"):
        raise Cancelled(str(result.get("error") or f"fitting {job.label}"))
    if result.get("error") is not None:
        return str(result["error"])
    try:
        job.fitted = FittedBasis.from_arrays(result["params"], result["arrays"])
    except (KeyError, TypeError, ValueError) as exc:
        return f"the worker sent no usable basis ({exc})"
    job.worker = str(result.get("worker", "?"))
    return None


@dataclass(frozen=True, slots=True)
class _Block:
    """One block of a dict basis's codes: rows [start, stop) of its job's model."""

    job: _BasisJob
    start: int
    stop: int
    basis: Any  # the scattered {"params", "arrays"}
    attempt: int = 0


def _start_codes(
    client: Any, job: _BasisJob, ranges: list[tuple[int, int]], run_id: str, retries: int
) -> dict[Any, _Block]:
    """Queue the codes of `job`'s model, one task per block of rows (its fitted basis
    scattered to every worker once for all of them)."""
    assert job.fitted is not None
    job.codes = np.empty((len(job.model), job.fitted.n_codes), dtype=np.float32)
    job.blocks_left = len(ranges)
    [basis] = client.scatter(
        [{"params": dict(job.fitted.params), "arrays": job.fitted.to_arrays()}],
        broadcast=True,
        hash=False,
    )
    out: dict[Any, _Block] = {}
    for start, stop in ranges:
        out.update(_submit_block(client, _Block(job, start, stop, basis), 0, run_id, retries))
    return out


def _submit_block(
    client: Any, block: _Block, attempt: int, run_id: str, retries: int
) -> dict[Any, _Block]:
    """Send a block's rows (scattered) and queue its codes task (a retry sends the basis
    again too: the workers that held it may be gone)."""
    job = block.job
    rows = np.ascontiguousarray(job.model.vectors[block.start : block.stop])
    [scattered] = client.scatter([rows], hash=False)
    basis = block.basis
    if attempt > 0:
        assert job.fitted is not None
        [basis] = client.scatter(
            [{"params": dict(job.fitted.params), "arrays": job.fitted.to_arrays()}],
            broadcast=True,
            hash=False,
        )
    fut = client.submit(
        codes_task,
        basis,
        scattered,
        key=f"polyterm-codes-{uuid.uuid4().hex[:8]}-{block.start}-{attempt}-{run_id}",
        pure=False,
        retries=retries,
    )
    return {fut: _Block(job, block.start, block.stop, basis, attempt)}


def _codes_arrived(fut: Any, block: _Block, target: ClusterTarget) -> str | None:
    """Copy a finished block of codes into its job; the error line when it did not come."""
    job = block.job
    if fut.status != "finished":
        return _task_error(fut, target, "computing its codes")
    result: dict[str, Any] = fut.result()
    codes = np.asarray(result.get("codes"))
    assert job.codes is not None
    if codes.dtype != np.float32 or codes.shape != (block.stop - block.start, job.codes.shape[1]):
        return "the worker sent codes of another shape"
    job.codes[block.start : block.stop] = codes
    job.blocks_left -= 1
    job.code_workers.add(_short(result.get("worker", "?")))
    return None


def _put(
    job: _BasisJob,
    store: BasisStore,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
    done_labels: list[str],
    fail: Callable[[_BasisJob, str], None],
) -> None:
    """Store a job's basis (and its codes, when the workers made them) on the client."""
    assert job.fitted is not None
    where = _short(job.worker)
    progress(Progress(job.label, "write", 0.95, f"storing the basis (fitted on {where})"))

    def report(fraction: float, stage: str) -> None:
        if stage == "done":
            return  # said below, with where it was fitted
        progress(
            Progress(job.label, "write", 0.95 + 0.05 * fraction, f"storing the basis ({stage})")
        )

    try:
        store.put(
            job.model, job.request, job.fitted, codes=job.codes, progress=report, cancel=cancel
        )
    except ValueError as exc:
        fail(job, str(exc))
        return
    finally:
        job.codes = None
    done_labels.append(job.label)
    codes = f"; codes on {', '.join(sorted(job.code_workers))}" if job.code_workers else ""
    progress(Progress(job.label, "done", 1.0, f"ready (fitted on {where}{codes})"))
