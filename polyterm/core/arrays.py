"""Array types and small helpers shared by the analysis modules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating[Any]]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def as_matrix(x: FloatArray, name: str) -> F64:
    """`x` as a finite float64 words × dims matrix, or ValueError naming `name`."""
    m = np.asarray(x, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix (words × dims), got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return m


def json_float(x: float) -> float | None:
    """float(x), or None when x is NaN/inf (strict JSON has no NaN)."""
    v = float(x)
    return v if math.isfinite(v) else None


def readonly(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Mark `x` read-only (results are frozen dataclasses) and return it."""
    x.flags.writeable = False
    return x


def unit_rows64(x: FloatArray) -> F64:
    """Rows scaled to unit L2 norm in float64; all-zero rows stay zero."""
    m = np.asarray(x, dtype=np.float64)
    norms: F64 = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: F64 = m / norms
    return out


def gram(x: F64) -> F64:
    """``x.T @ x``; the copy steers numpy to GEMM, which OpenBLAS runs several times
    faster than the SYRK it picks for a product of an array with its own transpose."""
    out: F64 = x.T @ np.array(x, copy=True)
    return out
