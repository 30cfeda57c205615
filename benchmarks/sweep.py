"""Line 7: a sweep of Brown models (dims 300 … 2) against plain gensim.

polyterm: ``train_many(specs, library)`` into a fresh cache (the Brown token cache
copied in, so both sides start from tokenised sentences): one process per core, each
model single-threaded and reproducible, each written to the cache. Baseline: the same
models (polyterm's parameters: CBOW, window 5, min_count 5, 5 epochs, seed 1) trained one
after another by ``gensim.models.Word2Vec(sentences, ..., workers=2)`` on the sentences
in memory. Target ≤ 0.6×.
"""

from __future__ import annotations

import logging
import shutil
import time

from benchmarks.harness import Context, Row, interleaved, ratio, timed
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary
from polyterm.engine.specs import TrainParams, TrainSpec
from polyterm.engine.sweep import default_jobs, train_many


def line_7(ctx: Context) -> list[Row]:
    from gensim.models import Word2Vec

    cfg = ctx.config
    sentences, _ = ctx.brown()
    specs = [TrainSpec("brown", TrainParams(dims=d)) for d in cfg.brown_dims]
    logging.getLogger("gensim").setLevel(logging.WARNING)
    runs = {"n": 0}

    def polyterm_sweep() -> float:
        root = ctx.work / f"sweep-{runs['n']}"
        runs["n"] += 1
        library = ModelLibrary(ModelCache(root))  # a new root: polyterm tags it first
        shutil.copytree(ctx.cache_root / "corpora", root / "corpora", dirs_exist_ok=True)
        start = time.perf_counter()
        outcome = train_many(specs, library)
        elapsed = time.perf_counter() - start
        if outcome.failed or len(outcome.trained) != len(specs):
            raise RuntimeError(f"the sweep failed: {outcome.failed}")
        ctx.extra_roots.append(root)
        return elapsed

    def gensim_one_by_one() -> None:
        for spec in specs:
            p = spec.params
            Word2Vec(sentences, vector_size=p.dims, window=p.window, min_count=p.min_count,
                     sg=p.sg, negative=p.negative, sample=p.sample, seed=p.seed,
                     epochs=p.epochs, workers=2)

    samples = interleaved({"polyterm": polyterm_sweep, "gensim": timed(gensim_one_by_one)},
                          cfg.sweep_repeats, warmup=0)
    for root in ctx.extra_roots[:-1]:  # keep one copy of the models for line 8
        shutil.rmtree(root, ignore_errors=True)
    del ctx.extra_roots[:-1]
    dims = ", ".join(map(str, cfg.brown_dims))
    return [ratio(7, f"sweep of {len(specs)} Brown models (dims {dims})", samples,
                  "polyterm", "gensim", "gensim Word2Vec one by one, workers=2", target=0.6,
                  note=f"train_many with {default_jobs()} processes, cache writes included")]
