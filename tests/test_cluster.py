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
from polyterm.engine.models import ModelLibrary
from polyterm.engine.progress import Progress
from polyterm.engine.settings import cluster_setting
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
