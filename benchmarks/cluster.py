"""Line 11: a sweep of Brown models on ``--cluster local:2`` against today's local sweep.

polyterm on Dask: ``train_many(specs, library, cluster="local:2")`` into a fresh cache
(the Brown token cache copied in): a `LocalCluster` of 2 worker processes (one thread
each) is started, the corpus scattered to both, each model trained as a task and written
by the client, the cluster closed, all inside the timing. Baseline: the same models by
``train_many(specs, library)`` in local processes (one per core), measured in the same run,
interleaved. Target ≤ 1.2× (the scheduler's overhead). The note gives the measured
per-model training time and the cluster's fixed cost, what the README's estimate of a
sweep of N models on W workers uses. Skipped when Dask (``polyterm[cluster]``) is not
installed.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import time
from pathlib import Path

from benchmarks.harness import Context, Row, Skip, interleaved, ratio
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary
from polyterm.engine.specs import TrainParams, TrainSpec
from polyterm.engine.sweep import SweepOutcome, default_jobs, train_many

LINE = 12
WORKERS = 2


def line_12(ctx: Context) -> list[Row]:
    from polyterm.engine.cluster import dask_available

    if not dask_available():
        raise Skip('needs Dask: pip install "polyterm[cluster]"')
    cfg = ctx.config
    ctx.brown()  # the token cache every run copies
    specs = [TrainSpec("brown", TrainParams(dims=d)) for d in cfg.brown_dims]
    logging.getLogger("gensim").setLevel(logging.WARNING)
    runs = {"n": 0}
    per_model: list[float] = []

    def fresh_library(kind: str) -> tuple[ModelLibrary, Path]:
        root = ctx.work / f"cluster-line-{kind}-{runs['n']}"
        runs["n"] += 1
        library = ModelLibrary(ModelCache(root))
        shutil.copytree(ctx.cache_root / "corpora", root / "corpora", dirs_exist_ok=True)
        return library, root

    def check(outcome: SweepOutcome) -> None:
        if outcome.failed or len(outcome.trained) != len(specs):
            raise RuntimeError(f"the sweep failed: {outcome.failed}")

    def on_cluster() -> float:
        library, root = fresh_library("dask")
        start = time.perf_counter()
        outcome = train_many(specs, library, cluster=f"local:{WORKERS}")
        elapsed = time.perf_counter() - start
        check(outcome)
        per_model.extend(float(e.manifest["train_seconds"]) for e in library.cache.entries())
        shutil.rmtree(root, ignore_errors=True)
        return elapsed

    def local_processes() -> float:
        library, root = fresh_library("local")
        start = time.perf_counter()
        outcome = train_many(specs, library, jobs=WORKERS)
        elapsed = time.perf_counter() - start
        check(outcome)
        shutil.rmtree(root, ignore_errors=True)
        return elapsed

    samples = interleaved(
        {"dask": on_cluster, "local": local_processes}, cfg.sweep_repeats, warmup=0
    )
    dims = ", ".join(map(str, cfg.brown_dims))
    note = (
        f"local:{WORKERS} vs train_many with {WORKERS} processes ({default_jobs()} cores); "
        f"per model {statistics.mean(per_model):.1f} s mean training "
        f"({min(per_model):.1f}-{max(per_model):.1f} s), "
        f"the cluster's extra cost (start, scatter, close) ≈ "
        f"{statistics.median(samples['dask']) - statistics.median(samples['local']):.1f} s"
    )
    return [
        ratio(
            LINE,
            f"sweep of {len(specs)} Brown models (dims {dims}) on --cluster local:{WORKERS}",
            samples,
            "dask",
            "local",
            f"the same sweep in {WORKERS} local processes",
            target=1.2,
            note=note,
        )
    ]
