"""Background load for `python -m benchmarks --load N`: N CPU-bound processes for the
duration of each line, and the load average they leave, recorded beside the line.

polyterm is used while it trains (the explorer trains in a child process while the user
asks questions), so a target must hold on a busy machine too. Each load process spins in
pure Python (no BLAS, no I/O, no memory growth) at the default priority; they are started
before a line and killed after it, so a line and its baseline, measured interleaved in the
same process, see the same load.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

SPIN = "while True:\n    pass\n"
WARMUP_S = 1.0
"""Seconds the load runs before the line starts (the load average itself lags by
minutes, so what is recorded is the 1-minute figure at the end of the line)."""


@dataclass
class LoadProbe:
    processes: int
    load_at_end: float | None = None
    started: list[int] = field(default_factory=list)


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not on this platform
        return None


@contextmanager
def background_load(n: int) -> Iterator[LoadProbe]:
    """Run `n` spinning processes while the body runs (none for n = 0); the probe's
    `load_at_end` is the 1-minute load average when the body ends."""
    probe = LoadProbe(processes=n)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen(
                [sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            probe.started.append(procs[-1].pid)
        if procs:
            time.sleep(WARMUP_S)
        yield probe
    finally:
        probe.load_at_end = load_average()
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


__all__ = ["LoadProbe", "background_load", "load_average"]
