"""What a sweep of trainings returns, and how many run at once: shared by the process pool
(`polyterm.engine.sweep`) and the Dask cluster (`polyterm.engine.cluster`) without either
importing the other for it. A leaf of the engine."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    trained: tuple[str, ...]
    cached: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the system has one)."""
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )
