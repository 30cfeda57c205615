"""Stability runs in parallel processes, cancellable.

`parallel_stability` computes exactly `polyterm.core.stability.basis_stability` (the same
seeds, the same runs, the same clustering) with the R runs spread over a pool of spawned
worker processes (`jobs`, at most one per core and one per run). Each worker runs with
BLAS on one thread (`threads.pin_process`) and ends when this process dies
(`parent_watch.exit_with_parent`). The caller's `cancel` flag is polled while the runs
are out, and so is `progress` (which may raise `Cancelled`, as the explorer's pane
progress does): either stops the pool at once (its workers are terminated, not waited
for), so a cancelled fit never leaves a core busy with refits nobody will read.

With `jobs` = 1, or when a pool cannot be started, the runs are made here, one after
another (the result is the same).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from polyterm.core.arrays import F64
from polyterm.core.bases import DICT_ALPHA, BasisName, CancelFlag, check_cancel, parse_basis_name
from polyterm.core.stability import (
    STABILITY_THRESHOLD,
    Stability,
    basis_stability,
    run_components,
    run_input,
    stability_fit_rows,
    stability_of_runs,
)
from polyterm.engine.threads import cores

ProgressFn = Callable[[float, str], None]
POLL = 0.05
"""Seconds between looks at the runs, the cancel flag and the progress callback."""


def _worker_init(parent: int) -> None:
    from polyterm.engine.parent_watch import exit_with_parent
    from polyterm.engine.threads import pin_process

    exit_with_parent(parent)
    pin_process(1)


def _run(start: F64, name: str, seed: int, dict_alpha: float) -> F64:
    return run_components(start, name, seed, dict_alpha)


PARALLEL_MIN_CELLS = 100_000
"""Fit rows × dims below which the runs stay in this process: starting a worker (a new
interpreter importing numpy and the solvers, about a second) costs more than a run."""


def default_jobs(runs: int, fit_rows: int = 0, dims: int = 0) -> int:
    """Processes for `runs` stability runs of a `fit_rows` × `dims` fit: one per core, at
    most one per run; 1 for a small fit (see `PARALLEL_MIN_CELLS`)."""
    if fit_rows * dims < PARALLEL_MIN_CELLS:
        return 1
    return max(1, min(runs, cores()))


def parallel_stability(
    vectors: Any,
    name: str | BasisName,
    *,
    runs: int,
    seed: int,
    fit_rows: int,
    jobs: int | None = None,
    threshold: float = STABILITY_THRESHOLD,
    dict_alpha: float = DICT_ALPHA,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> Stability:
    """`basis_stability(vectors, name, runs=runs, seed=seed, fit_rows=fit_rows)` with its
    runs in `jobs` processes (default `default_jobs(runs)`); see the module docstring."""
    basis = parse_basis_name(name)
    shape = np.shape(vectors)
    if jobs is None and len(shape) == 2:
        jobs = default_jobs(runs, min(fit_rows, shape[0]), shape[1])
    jobs = 1 if jobs is None else max(1, min(jobs, runs))
    if jobs == 1:
        return basis_stability(
            vectors, basis, runs=runs, seed=seed, fit_rows=fit_rows, threshold=threshold,
            dict_alpha=dict_alpha, cancel=cancel, progress=progress,
        )  # fmt: skip
    fit = stability_fit_rows(vectors, basis, runs, fit_rows)
    start = np.ascontiguousarray(run_input(fit, basis))
    seeds = [seed + r for r in range(runs)]
    what = "the stability runs"
    check_cancel(cancel, what)
    context = mp.get_context("spawn")
    pool = context.Pool(jobs, initializer=_worker_init, initargs=(os.getpid(),))
    try:
        pending = [pool.apply_async(_run, (start, str(basis), s, dict_alpha)) for s in seeds]
        done, said = 0, 0.0
        while done < len(pending):
            check_cancel(cancel, what)
            done = sum(1 for p in pending if p.ready())
            now = time.monotonic()
            if progress is not None and now - said >= 0.25:  # also lets the caller cancel
                said = now
                progress(done / len(seeds) * 0.95, "runs")
            if done < len(pending):
                time.sleep(POLL)
        outputs = [np.asarray(p.get()) for p in pending]  # a worker's error is raised here
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    check_cancel(cancel, what)
    result = stability_of_runs(outputs, basis, seeds, fit.shape[0], threshold)
    if progress is not None:
        progress(1.0, "done")
    return result
