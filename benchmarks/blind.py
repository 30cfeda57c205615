"""Line 15: blind alignment (`polyterm blind`, issue 21, "Speed").

- N = 4,000 shared words of brown_30 and brown_29 (30 and 29 dims), end to end: hiding,
  both starts of ``--method auto`` (sorted similarity distributions, matched ICA axes),
  self-learning with the per-round curve, selection, the one-to-one assignment and
  scoring — ``polyterm.core.blind_alignment.blind_align`` — ≤ 10 s, and within 3× of
  its baseline measured in the same run: one *supervised* round (orthogonal Procrustes on
  the true dictionary of all N words, then the CSLS retrieval both ways that a round of
  self-learning needs) repeated for as many rounds as the blind run made.
- The same at N = 10,000 ≤ 60 s (the one-to-one assignment is off there by default).

The command's null (the pipeline once more) and anchor curve are not in these figures;
the command prints their times. Memory: similarities are float32 blocks of rows; the only
N × N float64 matrix is the Hungarian cost matrix (128 MB at 4,000 words). ``quick``
(CI) measures N = 4,000 of brown_30 and brown_10 only (line 7's quick sweep trains both);
``tiny`` a planted synthetic pair of 1,000 words.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from benchmarks.harness import Context, Row, interleaved, median, ratio

TARGETS = {4000: 10.0, 10_000: 60.0}
RATIO_TARGET = 3.0


def _pair(ctx: Context, n: int) -> tuple[Any, Any, str]:
    if ctx.config.mode == "tiny":
        from scipy.stats import ortho_group

        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, 16)) * np.linspace(2.0, 0.5, 16)
        y = x @ ortho_group.rvs(16, random_state=1) + 0.1 * rng.standard_normal(x.shape)
        return x, y, "synthetic 16-dim pair"
    from polyterm.views.blind import shared_rows

    # quick (CI): brown_10, which line 7's quick sweep has trained already, not brown_29
    other = "brown_10" if ctx.config.mode == "quick" else "brown_29"
    a, b = ctx.open_trained("brown_30"), ctx.open_trained(other)
    _, xa, xb, _ = shared_rows(a, b, n)
    return xa, xb, f"{a.name} / {b.name}"


def _supervised_rounds(x: Any, y: Any, rounds: int) -> float:
    from polyterm.core import blind_alignment as ba

    p, q, _ = ba.common_space(x, y)
    q32 = q.astype(np.float32)
    start = time.perf_counter()
    for _ in range(rounds):
        w = ba.procrustes_rotation(p, q)
        ba.csls_nearest((p @ w).astype(np.float32), q32, ba.CSLS_K)
    return time.perf_counter() - start


def _measure(ctx: Context, n: int) -> list[Row]:
    from polyterm.core import blind_alignment as ba

    x, y, what = _pair(ctx, n)
    counts: list[int] = []
    accuracy: list[float] = []

    def blind() -> float:
        start = time.perf_counter()
        result = ba.blind_align(x, y, seed=0)
        took = time.perf_counter() - start
        counts.append(sum(len(r.learning.rounds) for r in result.runs if r.learning))
        accuracy.append(result.score.best if result.score else float("nan"))
        return took

    first = blind()  # also fixes the number of rounds the baseline repeats
    rounds = counts[0]
    samples = interleaved({"blind": blind,
                           "supervised": lambda: _supervised_rounds(x, y, rounds)},
                          max(1, ctx.config.slow_repeats - 1), warmup=0)  # fmt: skip
    samples["blind"].append(first)
    note = (f"{what}, {n:,} words: both starts, {rounds} self-learning rounds in all, "
            f"accuracy {accuracy[0]:.3f}")  # fmt: skip
    return [
        Row(15, f"blind alignment, {n:,} words, end to end", median(samples["blind"]), "s",
            kind="absolute", op="<=", target=TARGETS.get(n, 10.0), note=note,
            samples=dict(samples)).judge(),
        ratio(15, f"blind alignment, {n:,} words, vs supervised rounds", samples, "blind",
              "supervised", f"{rounds} × (supervised Procrustes + CSLS retrieval)",
              target=RATIO_TARGET, note=note),
    ]  # fmt: skip


def line_15(ctx: Context) -> list[Row]:
    sizes = [1000] if ctx.config.mode == "tiny" else [4000]
    if ctx.config.mode == "full":
        sizes.append(10_000)
    return [row for n in sizes for row in _measure(ctx, n)]
