"""Sweeps on a Dask cluster (`polyterm.engine.cluster`, the optional ``polyterm[cluster]``).

The fast tests need no Dask: parsing ``--cluster`` values, the config file's setting, and
that nothing imports Dask without the option. The slow ones start a `LocalCluster` of 2
worker processes (one thread each) and train small Lee models on it: the cache entries
equal a local sweep's bit for bit, a worker killed mid-task still ends in a complete,
verified cache with no temp leftovers, cancelling stops the cluster's work, and an
unreachable scheduler fails with one line before any corpus is read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.engine import cluster as cluster_mod
from polyterm.engine.cache import ModelCache
from polyterm.engine.cluster import (
    INSTALL_HINT,
    ClusterError,
    ClusterTarget,
    parse_cluster,
    train_on_cluster,
)
from polyterm.engine.cluster_config import cluster_setting
from polyterm.engine.models import ModelLibrary
from polyterm.engine.progress import Progress
from polyterm.engine.specs import TrainSpec, parse_train_spec
from polyterm.engine.sweep import train_many
from polyterm.errors import Cancelled, PolytermError

REPO = Path(__file__).resolve().parent.parent


def lee(dims: int, seed: int = 1, epochs: int = 5) -> TrainSpec:
    return parse_train_spec(f"lee_{dims}_s{seed}").with_params(epochs=epochs)


def shas(library: ModelLibrary, specs: list[TrainSpec]) -> dict[str, str]:
    out = {}
    for spec in specs:
        entry = library.cached(spec)
        assert entry is not None, spec.name
        library.cache.verify(entry, full=True)
        out[spec.name] = entry.manifest["content_sha256"]
    return out


# -- without Dask -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address", "workers"),
    [
        ("local:2", None, 2),
        (" local:16 ", None, 16),
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786", None),
        ("10.0.0.5:9000", "tcp://10.0.0.5:9000", None),
        ("scheduler.example.org", "tcp://scheduler.example.org:8786", None),
        ("tls://head:8786", "tls://head:8786", None),
    ],
)
def test_parse_cluster(text: str, address: str | None, workers: int | None) -> None:
    target = parse_cluster(text)
    assert (target.address, target.local_workers) == (address, workers)
    assert target.is_local == (workers is not None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("local:0", "--cluster local:0: a local cluster has 1 to 256 worker processes"),
        ("local:x", "is neither local:N nor a scheduler address"),
        ("host:99999", "is neither local:N nor a scheduler address"),
        ("two words", "is neither local:N nor a scheduler address"),
        ("", "is neither local:N nor a scheduler address"),
        ("foo://h:1", "Dask schedulers listen on tcp, tls, ws, wss, ucx, inproc, not foo://"),
    ],
)
def test_parse_cluster_refuses(text: str, message: str) -> None:
    with pytest.raises(ClusterError, match=message):
        parse_cluster(text)


def test_nothing_imports_dask_without_the_option() -> None:
    code = (
        "import sys\n"
        "import polyterm.engine.sweep, polyterm.engine.cluster, polyterm.engine.settings\n"
        "import polyterm.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_without_dask_one_line_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_mod, "dask_available", lambda: False)
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    seen: list[Progress] = []
    with pytest.raises(ClusterError) as err:
        train_many([lee(4)], library, cluster="local:2", progress=seen.append)
    assert str(err.value) == f"--cluster local:2 needs Dask: {INSTALL_HINT}"
    assert seen == []
    assert list((tmp_path / "cache" / "corpora").iterdir()) == []


def test_cluster_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert cluster_setting(path) is None
    path.write_text("# nothing yet\n")
    assert cluster_setting(path) is None
    path.write_text('cluster = "local:3"\n')
    assert cluster_setting(path) == "local:3"
    path.write_text('cluster = "tcp://head:8786"\n')
    assert cluster_setting(path) == "tcp://head:8786"
    path.write_text("cluster = 3\n")
    with pytest.raises(PolytermError, match="cluster must be a string"):
        cluster_setting(path)
    path.write_text('cluster = "local:0"\n')
    with pytest.raises(PolytermError, match=r"config\.toml: cluster local:0: a local cluster"):
        cluster_setting(path)
    path.write_text("cluster = [\n")
    with pytest.raises(PolytermError, match=r"config\.toml cannot be used"):
        cluster_setting(path)


def test_cluster_setting_default_path(tmp_path: Path) -> None:
    config = Path(os.environ["POLYTERM_CONFIG_DIR"])  # the autouse fixture's folder
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('cluster = "local:2"\n')
    try:
        assert cluster_setting() == "local:2"
    finally:
        (config / "config.toml").unlink()


# -- on a cluster ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_scheduler_fails_fast_before_any_work(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    seen: list[Progress] = []
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    with pytest.raises(ClusterError) as err:
        train_on_cluster([lee(4)], library, address, progress=seen.append, connect_timeout=2)
    message = str(err.value)
    assert message.startswith(f"cannot reach the Dask scheduler at {address} within 2 s (")
    assert "\n" not in message
    assert seen == []  # no corpus was read, nothing was queued
    assert list((tmp_path / "cache" / "corpora").iterdir()) == []
    assert list((tmp_path / "cache" / "models").iterdir()) == []


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    """A LocalCluster of 2 worker processes, one thread each, for this module's tests."""
    distributed = pytest.importorskip("distributed")
    import logging

    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.CRITICAL,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory: pytest.TempPathFactory) -> ModelLibrary:
    """Lee models trained the ordinary way (in this process), the reference for the hashes."""
    library = ModelLibrary(ModelCache(tmp_path_factory.mktemp("local") / "cache"))
    specs = [*SWEEP, *KILL_SWEEP]
    outcome = train_many(specs, library, jobs=1)
    assert outcome.failed == ()
    return library


SWEEP = [lee(8, 1), lee(8, 2), lee(4, 1), lee(4, 2)]
KILL_SWEEP = [lee(12, 1, epochs=30), lee(12, 2, epochs=30), lee(6, 3, epochs=30)]


@pytest.mark.slow
def test_cluster_sweep_equals_local_sweep_bit_for_bit(
    dask_cluster: Any, local_reference: ModelLibrary, tmp_path: Path
) -> None:
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    seen: list[Progress] = []
    address = dask_cluster.scheduler.address
    outcome = train_many(SWEEP, library, cluster=address, progress=seen.append)
    assert outcome.trained == tuple(s.name for s in SWEEP)
    assert outcome.failed == ()
    assert shas(library, SWEEP) == shas(local_reference, SWEEP)
    local = local_reference.cached(SWEEP[0]).manifest  # type: ignore[union-attr]
    assert local["trained_on"] == "local" and "cluster" not in local
    workers = set(dask_cluster.scheduler_info()["workers"])
    for spec in SWEEP:
        manifest = library.cached(spec).manifest  # type: ignore[union-attr]
        assert manifest["trained_on"] in workers
        assert manifest["cluster"] == address
        assert manifest["params"]["workers"] == 1
    # progress per model, naming the worker; the cache written once per model
    done = [p.task for p in seen if p.stage == "done"]
    assert sorted(done) == sorted(s.name for s in SWEEP)
    trains = [p for p in seen if p.stage == "train"]
    assert trains and all(" on 127.0.0.1:" in p.message for p in trains)
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []
    # a second sweep finds everything cached and never needs the cluster
    again = train_many(SWEEP, library, cluster="tcp://127.0.0.1:1")
    assert again.cached == tuple(s.name for s in SWEEP) and again.trained == ()


@pytest.mark.slow
def test_local_n_starts_and_closes_its_own_cluster(
    local_reference: ModelLibrary, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    from tests.processes import children

    before = children(os.getpid())
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    specs = SWEEP[:2]
    outcome = train_many(specs, library, cluster="local:2")
    assert outcome.trained == tuple(s.name for s in specs)
    assert shas(library, specs) == shas(local_reference, specs)
    assert library.cached(specs[0]).manifest["cluster"] == "local:2"  # type: ignore[union-attr]
    for _ in range(100):  # the cluster's worker processes end with it
        if children(os.getpid()) <= before:
            break
        time.sleep(0.1)
    assert children(os.getpid()) <= before


@pytest.mark.slow
def test_worker_killed_mid_task_is_retried_elsewhere(
    dask_cluster: Any, local_reference: ModelLibrary, tmp_path: Path
) -> None:
    pids: dict[str, int] = dask_cluster.run(os.getpid)
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    killed: dict[str, str] = {}

    def progress(p: Progress) -> None:
        if p.stage == "train" and not killed and " on " in p.message:
            where = "tcp://" + p.message.rsplit(" on ", 1)[1]
            os.kill(pids[where], signal.SIGKILL)
            killed[p.task] = where

    outcome = train_many(
        KILL_SWEEP, library, cluster=dask_cluster.scheduler.address, progress=progress
    )
    assert killed, "no training progress arrived before the sweep ended"
    assert outcome.failed == ()
    assert outcome.trained == tuple(s.name for s in KILL_SWEEP)
    assert shas(library, KILL_SWEEP) == shas(local_reference, KILL_SWEEP)
    [(task, where)] = killed.items()
    entry = next(e for e in library.cache.entries() if e.name == task)
    assert entry.manifest["trained_on"] != where  # rerun on another (or a restarted) worker
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []
    assert len(library.cache.entries()) == len(KILL_SWEEP)
    dask_cluster.wait_for_workers(2, timeout=60)  # the nanny restarted it for the next test


@pytest.mark.slow
def test_cancel_stops_the_cluster_work(dask_cluster: Any, tmp_path: Path) -> None:
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.stage == "train":
            cancel.set()

    specs = [lee(12, 7, epochs=200), lee(12, 8, epochs=200), lee(12, 9, epochs=200)]
    with pytest.raises(Cancelled):
        train_many(
            specs, library, cluster=dask_cluster.scheduler.address, progress=progress, cancel=cancel
        )
    assert library.cache.entries() == []
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []
    # running tasks see the cancel event and stop; queued ones are cancelled
    for _ in range(300):
        if not any(dask_cluster.processing().values()):
            break
        time.sleep(0.1)
    assert not any(dask_cluster.processing().values())


def test_target_object_is_accepted(tmp_path: Path) -> None:
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    target = ClusterTarget("tcp://127.0.0.1:1", address="tcp://127.0.0.1:1")
    outcome = train_on_cluster([], library, target)  # nothing to do: no connection needed
    assert (outcome.trained, outcome.cached, outcome.failed) == ((), (), ())


@pytest.mark.slow
def test_explorer_trains_on_the_cluster_of_the_config_file(
    dask_cluster: Any, tmp_path: Path
) -> None:
    """The explorer's training child reads ``cluster`` from config.toml and trains there."""
    import threading as threading_mod

    from polyterm.engine.models import DEFAULT_OPTIONS
    from polyterm.explorer.trainer import make_in_process

    address = dask_cluster.scheduler.address
    config = Path(os.environ["POLYTERM_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'cluster = "{address}"\n', encoding="utf-8")
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    seen: list[Progress] = []
    make_in_process(
        "lee_4_s7", DEFAULT_OPTIONS, library, progress=seen.append, cancel=threading_mod.Event()
    )
    entry = library.cached(library.spec("lee_4_s7"))
    assert entry is not None
    assert entry.manifest["cluster"] == address
    assert entry.manifest["trained_on"] in set(dask_cluster.scheduler_info()["workers"])
    assert any(" on 127.0.0.1:" in p.message for p in seen if p.stage == "train")


# -- the CLI ------------------------------------------------------------------------------


def test_cli_passes_cluster_to_the_sweep_and_refuses_it_with_jobs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyterm.cli import commands, main

    seen: dict[str, Any] = {}

    def fake_train_many(specs: Any, library: Any, **kwargs: Any) -> Any:
        seen.update(kwargs, specs=[s.name for s in specs])
        raise PolytermError("stop here")

    monkeypatch.setattr(commands, "train_many", fake_train_many)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert main(["train", "lee_4", "--cluster", "local:2", *cache]) == 2
    assert seen["cluster"] == "local:2" and seen["jobs"] is None and seen["specs"] == ["lee_4"]
    seen.clear()
    assert (
        main(["sweep", "lee", "--dims", "4", "--seeds", "1", "--cluster", "tcp://h:1", *cache]) == 2
    )
    assert seen["cluster"] == "tcp://h:1" and seen["jobs"] is None
    seen.clear()
    assert main(["sweep", "lee", "--dims", "4", "--seeds", "1", *cache]) == 2
    assert seen["cluster"] is None
    capsys.readouterr()
    assert main(["sweep", "lee", "--dims", "4", "--jobs", "2", "--cluster", "local:2", *cache]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--cluster: not allowed with argument --jobs" in err[0]


# -- basis fits on the cluster ------------------------------------------------------------


def _fresh(library: ModelLibrary, specs: list[TrainSpec]) -> list[Any]:
    """The models opened afresh (no results memoised on them by an earlier store)."""
    again = ModelLibrary(ModelCache(library.cache.root))
    return [again.open(s) for s in specs]


def _entries(root: Path) -> dict[str, Any]:
    """Every basis entry under `root`: its files' sizes and sha256, and the fit's params."""
    import json

    out = {}
    for path in sorted((root / "bases").iterdir()):
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        files = {f: (m["size"], m["sha256"]) for f, m in manifest["files"].items()}
        out[path.name] = (files, manifest["params"])
    return out


BASES = ["raw", "pca", "ica", "dict:5"]


def _requests(fit_words: int = 400) -> list[Any]:
    from polyterm.engine.bases import BasisRequest

    return [BasisRequest.of(n, fit_words=fit_words, seed=2) for n in BASES]


class _FitCount:
    """Counts the store's local fits (`polyterm.engine.bases._fit`), which still run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from polyterm.engine import bases as bases_mod

        self.calls = 0
        self.real = bases_mod._fit
        monkeypatch.setattr(bases_mod, "_fit", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


@pytest.mark.slow
def test_bases_fitted_on_the_cluster_equal_local_fits_bit_for_bit(
    dask_cluster: Any,
    local_reference: ModelLibrary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from polyterm.engine import bases as bases_mod
    from polyterm.engine.bases import BasisStore
    from polyterm.engine.cluster import basis_label, fit_bases_on_cluster

    monkeypatch.setattr(bases_mod, "_BLOCK_ROWS", 500)  # dict codes in several blocks
    specs = SWEEP[:2]
    requests = _requests()
    # the reference: the same bases fitted the ordinary way, in this process
    local_models = _fresh(local_reference, specs)
    local = BasisStore(ModelCache(tmp_path / "local"))
    for model in local_models:
        for request in requests:
            local.in_basis(model, request)

    counter = _FitCount(monkeypatch)
    models = _fresh(local_reference, specs)
    assert len(models[0]) > 1_500  # so dict:5's codes come back in 4 blocks
    store = BasisStore(ModelCache(tmp_path / "cluster"))
    seen: list[Progress] = []
    outcome = fit_bases_on_cluster(
        models, requests, store, dask_cluster.scheduler.address, progress=seen.append
    )
    labels = [basis_label(m, r) for m in models for r in requests if not r.is_raw]
    assert list(outcome.fitted) == labels
    assert outcome.stored == () and outcome.failed == ()
    assert counter.calls == 0  # nothing was fitted on the client
    assert _entries(tmp_path / "cluster") == _entries(tmp_path / "local")
    assert len(_entries(tmp_path / "local")) == len(labels)
    assert list((tmp_path / "cluster" / "tmp").iterdir()) == []
    # progress per model and basis, naming the worker that fitted it (and made dict codes)
    workers = {a.split("://", 1)[1] for a in dask_cluster.scheduler_info()["workers"]}
    done = {p.task: p.message for p in seen if p.stage == "done"}
    assert sorted(done) == sorted(labels)
    for label, message in done.items():
        where = message.removeprefix("ready (fitted on ").split(";")[0].rstrip(")")
        assert where in workers, message
        assert ("; codes on 127.0.0.1:" in message) == ("[dict:5" in label), message

    # a later local run reuses the stored entries: stored(), and in_basis without a fit
    later_models = _fresh(local_reference, specs)
    later = BasisStore(ModelCache(tmp_path / "cluster"))
    assert all(later.stored(m, r) for m in later_models for r in requests)
    for model, reference in zip(later_models, local_models, strict=True):
        for request in requests:
            a = later.in_basis(model, request)
            b = local.in_basis(reference, request)
            assert np.asarray(a.vectors).tobytes() == np.asarray(b.vectors).tobytes()
    assert counter.calls == 0
    # and a second cluster run finds everything stored: it never connects
    again = fit_bases_on_cluster(
        _fresh(local_reference, specs), requests, later, "tcp://127.0.0.1:1"
    )
    assert again.fitted == () and list(again.stored) == labels


@pytest.mark.slow
def test_a_worker_killed_mid_fit_is_retried_and_nothing_partial_is_stored(
    dask_cluster: Any, local_reference: ModelLibrary, tmp_path: Path
) -> None:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cluster import fit_bases_on_cluster

    dask_cluster.wait_for_workers(2, timeout=60)
    pids: dict[str, int] = dask_cluster.run(os.getpid)
    specs = KILL_SWEEP[:1]
    request = BasisRequest.of("dict:24", fit_words=1_500, seed=1)
    killed: list[str] = []

    def progress(p: Progress) -> None:
        if p.stage == "fit" and not killed and " on " in p.message:
            where = "tcp://" + p.message.rsplit(" on ", 1)[1]
            os.kill(pids[where], signal.SIGKILL)
            killed.append(where)

    store = BasisStore(ModelCache(tmp_path / "cluster"))
    seen: list[Progress] = []
    outcome = fit_bases_on_cluster(
        _fresh(local_reference, specs),
        [request],
        store,
        dask_cluster.scheduler.address,
        progress=lambda p: (seen.append(p), progress(p)),  # type: ignore[func-returns-value]
    )
    assert killed, "no fitting progress arrived before the fit ended"
    assert outcome.failed == () and len(outcome.fitted) == 1
    [done] = [p.message for p in seen if p.stage == "done"]
    assert killed[0].split("://", 1)[1] not in done  # fitted again on another worker
    # the one entry is complete and equals a local fit's; no temp folder is left
    local = BasisStore(ModelCache(tmp_path / "local"))
    local.in_basis(_fresh(local_reference, specs)[0], request)
    assert _entries(tmp_path / "cluster") == _entries(tmp_path / "local")
    assert list((tmp_path / "cluster" / "tmp").iterdir()) == []
    dask_cluster.wait_for_workers(2, timeout=60)  # the nanny restarted it for the next test


def test_unreachable_scheduler_fails_fast_before_any_fit(
    tmp_path: Path, local_models: list[Any]
) -> None:
    pytest.importorskip("distributed")
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cluster import fit_bases_on_cluster

    store = BasisStore(ModelCache(tmp_path / "cache"))
    seen: list[Progress] = []
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    with pytest.raises(ClusterError) as err:
        fit_bases_on_cluster(
            local_models,
            [BasisRequest.of("ica", fit_words=100)],
            store,
            address,
            progress=seen.append,
            connect_timeout=2,
        )
    message = str(err.value)
    assert message.startswith(f"cannot reach the Dask scheduler at {address} within 2 s (")
    assert "\n" not in message
    assert seen == []
    assert not (tmp_path / "cache" / "bases").exists() or not any(
        (tmp_path / "cache" / "bases").iterdir()
    )


@pytest.fixture
def local_models(tmp_path: Path) -> list[Any]:
    """A small planted model in a cache (no training needed)."""
    from polyterm.engine.specs import FileSpec

    rng = np.random.default_rng(3)
    cache = ModelCache(tmp_path / "models")
    spec = FileSpec("/nowhere/planted.txt", stat=(1, 2))
    entry = cache.write(
        spec,
        [f"w{i}" for i in range(300)],
        rng.laplace(size=(300, 4)).astype(np.float32),
        manifest={"kind": "file"},
    )
    return [cache.open(entry)]


@pytest.mark.slow
def test_training_and_fits_share_one_connection(
    dask_cluster: Any,
    local_reference: ModelLibrary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from polyterm.engine.bases import BasisStore
    from polyterm.engine.cluster import fit_bases_on_cluster, shared_connection

    opened: list[str] = []
    real_open = cluster_mod._open

    def counting_open(target: ClusterTarget, **kwargs: Any) -> Any:
        opened.append(target.text)
        return real_open(target, **kwargs)

    monkeypatch.setattr(cluster_mod, "_open", counting_open)
    address = dask_cluster.scheduler.address
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    specs = SWEEP[2:]
    with shared_connection(address):
        outcome = train_many(specs, library, cluster=address)
        fits = fit_bases_on_cluster(
            [library.open(s) for s in specs], _requests(200), BasisStore(library.cache), address
        )
    assert outcome.failed == () and fits.failed == () and len(fits.fitted) == 6
    assert opened == [address]
    # everything done already: the block never connects
    with shared_connection(address):
        train_many(specs, library, cluster=address)
        fit_bases_on_cluster(
            _fresh(library, specs), _requests(200), BasisStore(library.cache), address
        )
    assert opened == [address]


@pytest.mark.slow
def test_cli_sweep_fits_the_bases_on_the_cluster(
    dask_cluster: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sweep --cluster --basis`: the bases are fitted on the workers (the view fits
    nothing), and the table equals the local sweep's."""
    from polyterm.cli import main

    args = ["sweep", "lee", "--dims", "4", "--seeds", "1,2", "--basis", "ica,dict:4"]
    args += ["--fit-words", "300", "--format", "json"]
    assert main([*args, "--cache-dir", str(tmp_path / "local")]) == 0
    local_out = capsys.readouterr().out
    counter = _FitCount(monkeypatch)
    address = dask_cluster.scheduler.address
    assert main([*args, "--cache-dir", str(tmp_path / "cluster"), "--cluster", address]) == 0
    captured = capsys.readouterr()
    assert counter.calls == 0  # the sweep view found every basis stored
    assert captured.out == local_out
    assert _entries(tmp_path / "cluster") == _entries(tmp_path / "local")
    fitted = [line for line in captured.err.splitlines() if "ready (fitted on 127.0.0.1:" in line]
    assert len(fitted) == 4  # 2 models × 2 bases


def test_cli_report_fits_its_bases_on_the_cluster_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --cluster`: the bases go to the cluster before the report is built (one
    error line when a fit fails there); no --cluster or only raw: the cluster is not used."""
    from polyterm.cli import main

    rng = np.random.default_rng(5)
    files = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.txt"
        lines = [
            f"w{i} " + " ".join(f"{v:.4f}" for v in row)
            for i, row in enumerate(rng.normal(size=(60, 4)))
        ]
        path.write_text("60 4\n" + "\n".join(lines) + "\n", encoding="utf-8")
        files.append(str(path))
    seen: list[Any] = []

    def fake_fit(models: Any, requests: Any, store: Any, cluster: Any, **kwargs: Any) -> Any:
        seen.append(([m.name for m in models], [str(r.name) for r in requests], cluster))
        return cluster_mod.BasisFitOutcome((), (), (("a [ica, fit on 50 words]", "it broke"),))

    monkeypatch.setattr(cluster_mod, "fit_bases_on_cluster", fake_fit)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--repetitions", "2"]
    args = ["report", *files, "--fit-words", "50", *cache]
    assert main([*args, "--basis", "raw,ica", "--cluster", "tcp://h:1"]) == 2
    assert len(seen) == 1 and seen[0][1:] == (["raw", "ica"], "tcp://h:1")
    assert len(seen[0][0]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("a [ica, fit on 50 words]: it broke")
    assert main([*args, "--basis", "raw", "--cluster", "tcp://h:1"]) == 0
    assert len(seen) == 1  # only raw: nothing to fit


@pytest.mark.slow
def test_cancel_stops_the_basis_fits_on_the_cluster(
    dask_cluster: Any, local_reference: ModelLibrary, tmp_path: Path
) -> None:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cluster import fit_bases_on_cluster

    dask_cluster.wait_for_workers(2, timeout=60)
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.stage == "fit":
            cancel.set()

    requests = [BasisRequest.of(f"dict:{k}", fit_words=1_500, seed=5) for k in (30, 31, 32)]
    with pytest.raises(Cancelled):
        fit_bases_on_cluster(
            _fresh(local_reference, KILL_SWEEP[:1]),
            requests,
            BasisStore(ModelCache(tmp_path / "cache")),
            dask_cluster.scheduler.address,
            progress=progress,
            cancel=cancel,
        )
    bases = tmp_path / "cache" / "bases"
    assert not bases.exists() or list(bases.iterdir()) == []
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []
    # running fits see the cancel event (between mini-batches) and stop; queued ones go
    for _ in range(300):
        if not any(dask_cluster.processing().values()):
            break
        time.sleep(0.1)
    assert not any(dask_cluster.processing().values())


@pytest.mark.slow
def test_the_explorer_refuses_a_local_cluster_in_the_config_file(tmp_path: Path) -> None:
    """A training child cannot start a LocalCluster per model: one clear error instead."""
    import threading as threading_mod

    from polyterm.engine.models import DEFAULT_OPTIONS
    from polyterm.explorer.trainer import make_in_process

    config = Path(os.environ["POLYTERM_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('cluster = "local:2"\n', encoding="utf-8")
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    with pytest.raises(PolytermError) as err:
        make_in_process(
            "lee_4_s9",
            DEFAULT_OPTIONS,
            library,
            progress=lambda _p: None,
            cancel=threading_mod.Event(),
        )
    assert str(err.value).startswith('config.toml: cluster = "local:2" starts a cluster')
    assert "\n" not in str(err.value)
    assert list((tmp_path / "cache" / "models").iterdir()) == []
