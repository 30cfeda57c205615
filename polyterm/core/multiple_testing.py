"""Many z-scores at once: which survive a correction across all of them.

A sweep or a report prints dozens of statistics beside their nulls; read one at a time,
some will look significant by chance (one z of −2.5 in 54 is expected). Each z is turned
into a two-sided p-value by the normal approximation, ``p = 2·(1 − Φ(|z|))``, and the
family is corrected with Benjamini–Hochberg at the false-discovery rate ``q``. A finding
is *supported* when BH keeps it **and** ``|z| >= MIN_Z`` (3): a reading never rests on a
single |z| below 3. A statistic without a z (degenerate null, NaN) is not a test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from polyterm.core.basis_matching import DEFAULT_FDR_Q, bh_adjusted

MIN_Z = 3.0


def two_sided_p(z: float) -> float:
    """``2·(1 − Φ(|z|))`` (the normal approximation)."""
    return math.erfc(abs(z) / math.sqrt(2.0))


@dataclass(frozen=True, slots=True)
class Test:
    """One z-score of a family: its p-value, BH-adjusted p-value and whether the finding
    is supported (kept by BH at the family's rate and |z| >= `MIN_Z`)."""

    label: str
    z: float
    p: float
    q_value: float
    supported: bool


def correct(
    family: Sequence[tuple[str, float | None]], q: float = DEFAULT_FDR_Q
) -> tuple[Test, ...]:
    """Every (label, z) with a finite z, BH-corrected together at rate `q` (input order)."""
    tests = [(label, z) for label, z in family if z is not None and math.isfinite(z)]
    if not tests:
        return ()
    p = np.array([two_sided_p(z) for _, z in tests])
    adjusted = bh_adjusted(p)
    return tuple(
        Test(label, float(z), float(pv), float(qv), bool(qv <= q and abs(z) >= MIN_Z))
        for (label, z), pv, qv in zip(tests, p, adjusted, strict=True)
    )


def supported(tests: Sequence[Test], label: str) -> bool:
    """Whether the test named `label` is supported (False when it is not in the family)."""
    return any(t.label == label and t.supported for t in tests)
