"""Line 3: the top/bottom 10 of one dimension, as the explorer's dimension view asks.

- First view: the model freshly opened from its cache entry (so nothing is memoised),
  ``dimension_extremes(model, dim, 10)`` timed; against a full ``np.argsort`` of the same
  column, also on a freshly opened model: ≤ 0.2×. The cache entry stores both ends of
  every dimension (``extreme_rows``, computed when the entry is written); the note gives
  that one-off cost and the first view without the stored orderings.
- Repeated view: the same dimension again on the same model: ≤ 2 ms (the first view is
  shown as its baseline).

Each repetition uses the next dimension, so a first view is never of a dimension that
was seen before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from benchmarks.harness import Context, Row, interleaved, median, ratio
from polyterm.core.dimensions import dimension_extremes, extreme_rows


def line_3(ctx: Context) -> list[Row]:
    spec = ctx.glove_spec()
    model = ctx.glove()
    dims = model.dims
    counter = {"first": 0, "argsort": 0, "unstored": 0}

    def fresh(name: str, work: Callable[[object, int], object]) -> Callable[[], float]:
        def run() -> float:
            fresh_model = ctx.library.open(spec)  # untimed: a new mmap, no memo
            dim = counter[name] % dims
            counter[name] += 1
            start = time.perf_counter()
            work(fresh_model, dim)
            return time.perf_counter() - start
        return run

    def unstored(m: object, d: int) -> object:
        object.__setattr__(m, "extreme_rows", None)  # as an entry without orderings
        return dimension_extremes(m, d, 10)  # type: ignore[arg-type]

    samples = interleaved({
        "first": fresh("first", lambda m, d: dimension_extremes(m, d, 10)),
        "argsort": fresh("argsort", lambda m, d: np.argsort(m.vectors[:, d])),
        "unstored": fresh("unstored", unstored),
    }, ctx.config.repeats, warmup=1)
    start = time.perf_counter()
    extreme_rows(np.asarray(model.vectors))
    extreme_rows(np.asarray(model.unit))
    ordering_cost = time.perf_counter() - start

    dim = dims // 2
    dimension_extremes(model, dim, 10)
    repeated = []
    for _ in range(ctx.config.repeats):
        start = time.perf_counter()
        dimension_extremes(model, dim, 10)
        repeated.append(time.perf_counter() - start)
    first = median(samples["first"])
    return [
        Row(3, f"dimension top/bottom 10, repeated view, {len(model):,} words",
            median(repeated), "s", "first view", first, "absolute", "<=", 0.002,
            note=f"repeated / first = {median(repeated) / first:.2f}×",
            samples={"repeated": repeated, "first": samples["first"]}).judge(),
        ratio(3, "dimension top/bottom 10, first view", samples, "first", "argsort",
              "full argsort of the column", target=0.2,
              note=f"served from the orderings stored in the cache entry (all {dims} "
                   f"dimensions, raw and unit, computed once at write: {ordering_cost:.2f} s); "
                   f"without them {median(samples['unstored']) * 1e3:.1f} ms"),
    ]
