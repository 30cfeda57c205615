"""Null baselines: how large is a statistic when the structure it measures is destroyed?

Two nulls for a two-model statistic ``statistic(a, b)`` (rows = the same words):

- ``'rotation'``: ``a`` is replaced by ``a @ Q`` with Q a Haar-random orthogonal matrix
  (a basis with no privileged directions). Word geometry, and hence every rotation-
  invariant statistic (CKA, SVCCA, neighbourhoods), is unchanged; per-dimension
  statistics (matched |r|, top-k overlaps) fall to chance.
- ``'shuffle'``: the rows of ``a`` are randomly permuted, breaking the word
  correspondence between the models while keeping each model's own distribution.

``single_model_null`` applies the rotation null to a per-model statistic
``statistic(a)`` (e.g. the kurtosis of dimensions).

Summary conventions (:class:`NullSummary`): ``null_mean`` is the mean of the R null
values, ``null_sd`` their sample standard deviation (ddof = 1, so R >= 2 is required),
``z = (observed - null_mean) / null_sd``. When the null spread is below the statistic's
precision — ``null_sd <= 1e-7 * max(1, |null_mean|)``: the models' vectors are float32
(machine epsilon 1.2e-7), so a spread below that is rounding, e.g. a rotation-invariant
statistic under the rotation null (standardised CKA of whitened codes) — the null is
*degenerate* (`NullSummary.degenerate`: the statistic does not change under it) and ``z``
is None (never a z of rounding noise, never ±inf); so is ``z`` when any value is NaN.
Every call builds its own ``numpy.random.default_rng(seed)``, so results depend only on
the inputs and seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from polyterm.core.arrays import F64, FloatArray
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.core.arrays import json_float as _json_float

NullKind = Literal["rotation", "shuffle"]

SD_RELATIVE_TOLERANCE = 1e-7
"""A null sd at or below this fraction of max(1, |null mean|) is below the precision of
float32 vectors: it counts as zero (a degenerate null, z = None)."""


def is_degenerate(null_mean: float, null_sd: float) -> bool:
    """Whether a null's spread is below the statistic's precision (see the module
    docstring): the statistic does not change under this null."""
    return (
        math.isfinite(null_mean)
        and math.isfinite(null_sd)
        and null_sd <= SD_RELATIVE_TOLERANCE * max(1.0, abs(null_mean))
    )


def random_rotation(d: int, rng: np.random.Generator) -> F64:
    """A Haar-distributed d × d orthogonal matrix.

    QR of a standard Gaussian matrix G = QR, then each column of Q multiplied by the sign
    of the matching diagonal entry of R (a zero sign counts as +1) — without this fix Q
    is not uniformly distributed (Mezzadri 2007). The determinant may be ±1.
    """
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    g = rng.standard_normal((d, d))
    q, r = np.linalg.qr(g)
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    return np.asarray(q * signs, dtype=np.float64)


def null_z(observed: float, null_mean: float, null_sd: float) -> float | None:
    """``(observed - null_mean) / null_sd``, or None for a degenerate null or any NaN."""
    if not all(math.isfinite(v) for v in (observed, null_mean, null_sd)):
        return None
    if is_degenerate(null_mean, null_sd):
        return None
    return (observed - null_mean) / null_sd


@dataclass(frozen=True, slots=True, eq=False)
class NullSummary:
    """An observed statistic against R null repetitions.

    Attributes:
        observed: the statistic on the real inputs.
        null_mean: mean of the null values.
        null_sd: sample standard deviation (ddof = 1) of the null values.
        z: ``(observed - null_mean) / null_sd``; None when the sd is at rounding level
            or a value is NaN (see the module docstring).
        repetitions: R.
        seed: the seed of ``numpy.random.default_rng``.
        kind: ``'rotation'`` or ``'shuffle'``.
        null_values: the R null values in draw order (read-only).
        degenerate: the sd is below the statistic's precision (`is_degenerate`).
    """

    observed: float
    null_mean: float
    null_sd: float
    z: float | None
    repetitions: int
    seed: int
    kind: NullKind
    null_values: F64
    degenerate: bool = False
    """The null's sd is below the statistic's precision: the statistic does not change
    under this null, so it has no z (shown as such, never as a z-score)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable copy (NaN becomes None)."""
        return {
            "degenerate": self.degenerate,
            "observed": _json_float(self.observed),
            "null_mean": _json_float(self.null_mean),
            "null_sd": _json_float(self.null_sd),
            "z": self.z,
            "repetitions": self.repetitions,
            "seed": self.seed,
            "kind": self.kind,
            "null_values": [_json_float(v) for v in self.null_values],
        }


def summarise_null(
    observed: float,
    null_values: Sequence[float] | F64,
    *,
    kind: NullKind,
    seed: int,
) -> NullSummary:
    """Build a :class:`NullSummary` from an observed value and R >= 2 null values."""
    values = np.array(null_values, dtype=np.float64)
    if values.size < 2:
        raise ValueError("a null summary needs at least 2 repetitions")
    mean = float(values.mean())
    sd = float(values.std(ddof=1))
    values.flags.writeable = False
    return NullSummary(
        observed=float(observed),
        null_mean=mean,
        null_sd=sd,
        z=null_z(float(observed), mean, sd),
        repetitions=int(values.size),
        seed=seed,
        kind=kind,
        null_values=values,
        degenerate=is_degenerate(mean, sd),
    )


def _check_repetitions(repetitions: int) -> None:
    if repetitions < 2:
        raise ValueError(f"repetitions must be >= 2, got {repetitions}")


def null_baseline(
    statistic: Callable[[F64, F64], float],
    a: FloatArray,
    b: FloatArray,
    *,
    kind: NullKind,
    repetitions: int = 20,
    seed: int = 0,
) -> NullSummary:
    """``statistic(a, b)`` against R draws of ``statistic(null(a), b)``.

    ``null(a)`` is ``a @ Q`` (Q from :func:`random_rotation`) for ``kind='rotation'`` and
    ``a[perm]`` (a uniform random row permutation) for ``kind='shuffle'``. Both matrices
    are passed to ``statistic`` as float64; ``b`` is never changed. One
    ``default_rng(seed)`` drives all R draws in order.
    """
    x = _as_matrix(a, "a")
    y = _as_matrix(b, "b")
    if kind not in ("rotation", "shuffle"):
        raise ValueError(f"kind must be 'rotation' or 'shuffle', got {kind!r}")
    _check_repetitions(repetitions)
    rng = np.random.default_rng(seed)
    observed = float(statistic(x, y))
    values = np.empty(repetitions, dtype=np.float64)
    for i in range(repetitions):
        if kind == "rotation":
            xn = x @ random_rotation(x.shape[1], rng)
        else:
            xn = x[rng.permutation(x.shape[0])]
        values[i] = float(statistic(xn, y))
    return summarise_null(observed, values, kind=kind, seed=seed)


def single_model_null(
    statistic: Callable[[F64], float],
    a: FloatArray,
    *,
    repetitions: int = 20,
    seed: int = 0,
) -> NullSummary:
    """``statistic(a)`` against R draws of ``statistic(a @ Q)``, Q Haar-random orthogonal.

    For per-model statistics of the basis (e.g. kurtosis of dimensions): the null is the
    same word geometry expressed in a basis with no privileged directions.
    """
    x = _as_matrix(a, "a")
    _check_repetitions(repetitions)
    rng = np.random.default_rng(seed)
    observed = float(statistic(x))
    values = np.empty(repetitions, dtype=np.float64)
    for i in range(repetitions):
        values[i] = float(statistic(x @ random_rotation(x.shape[1], rng)))
    return summarise_null(observed, values, kind="rotation", seed=seed)
