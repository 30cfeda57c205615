"""How much of a correlation between two axes is robust, and how much is word frequency.

For matched axes (columns ``x[:, p]`` of one model and ``y[:, p]`` of the other, over the
same words in the same rows):

- ``spearman``: Spearman's ρ (Pearson r of the ranks, ties at their mean rank);
- ``trimmed_r``: Pearson r after removing the ``trim`` (default 20) most extreme words of
  the pair — those with the largest ``max(|z_x|, |z_y|)``, z the column's z-score — so a
  correlation carried by a few outlying words falls;
- ``top_share``: the share of r carried by its ``top`` (default 10) largest contributions.
  With population z-scores r = (1/n) Σᵢ z_x,ᵢ z_y,ᵢ; the share is the sum of the ``top``
  largest terms sign(r)·z_x,ᵢ z_y,ᵢ / n divided by |r| (1.0: those words alone give r).

`frequency_rho` is Spearman's ρ of each column with the words' frequency rank
(0 = most frequent): an axis with |ρ| ≥ `FREQUENCY_AXIS_RHO` orders words by how common
they are, and two such axes correlate because both models see the same word counts, not
because they share a meaning (Mu & Viswanath 2018; Gong et al. 2018).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

F64 = npt.NDArray[np.float64]

FREQUENCY_AXIS_RHO = 0.5
"""|Spearman ρ with frequency rank| from which an axis is read as a frequency axis."""
DEFAULT_TRIM = 20
DEFAULT_TOP = 10


def _z(columns: F64) -> F64:
    c = columns - columns.mean(axis=0)
    sd = c.std(axis=0)
    out: F64 = np.zeros_like(c)
    live = sd > 0
    out[:, live] = c[:, live] / sd[live]
    return out


def _pearson_columns(x: F64, y: F64) -> F64:
    """Pearson r of x[:, p] with y[:, p] for every p (0 for a constant column)."""
    return np.asarray(np.clip((_z(x) * _z(y)).mean(axis=0), -1.0, 1.0), dtype=np.float64)


def _as_columns(x: npt.ArrayLike) -> F64:
    a = np.asarray(x, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def frequency_rho(columns: npt.ArrayLike, ranks: npt.ArrayLike | None = None) -> F64:
    """Spearman's ρ of every column with the rows' frequency rank (`ranks`; by default
    the row index, for rows in frequency order); NaN for a constant column."""
    x = _as_columns(columns)
    n = x.shape[0]
    r = np.arange(n, dtype=np.float64) if ranks is None else np.asarray(ranks, dtype=np.float64)
    if r.shape != (n,):
        raise ValueError(f"ranks must have one entry per row ({n}), not {r.shape}")
    rx = rankdata(x, axis=0)
    rr = np.broadcast_to(rankdata(r)[:, None], rx.shape)
    out = _pearson_columns(rx, np.ascontiguousarray(rr))
    out[np.ptp(x, axis=0) == 0] = np.nan
    return out


@dataclass(frozen=True, slots=True)
class RobustCorrelation:
    """Per matched pair p: Pearson r, Spearman ρ, r without the `trim` most extreme words,
    and the share of r carried by the `top` largest word contributions (module docstring)."""

    pearson: F64
    spearman: F64
    trimmed_r: F64
    top_share: F64
    trim: int
    top: int


def robust_correlation(
    x: npt.ArrayLike, y: npt.ArrayLike, *, trim: int = DEFAULT_TRIM, top: int = DEFAULT_TOP
) -> RobustCorrelation:
    """Robust companions of the Pearson r of each column pair ``x[:, p]``, ``y[:, p]``."""
    a, b = _as_columns(x), _as_columns(y)
    if a.shape != b.shape:
        raise ValueError(f"x and y must have the same shape, not {a.shape} and {b.shape}")
    n = a.shape[0]
    if n <= trim + 2:
        raise ValueError(f"need more than {trim + 2} rows to remove {trim} extreme words")
    za, zb = _z(a), _z(b)
    pearson = np.clip((za * zb).mean(axis=0), -1.0, 1.0)
    spearman = _pearson_columns(rankdata(a, axis=0), rankdata(b, axis=0))
    extremity = np.maximum(np.abs(za), np.abs(zb))
    keep = np.argsort(-extremity, axis=0, kind="stable")[trim:]
    trimmed = _pearson_columns(np.take_along_axis(a, keep, 0), np.take_along_axis(b, keep, 0))
    terms = np.sign(pearson) * za * zb / n
    largest = -np.sort(-terms, axis=0)[: min(top, n)].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.abs(pearson) > 0, largest / np.abs(pearson), np.nan)
    return RobustCorrelation(
        pearson=np.asarray(pearson, dtype=np.float64),
        spearman=spearman,
        trimmed_r=trimmed,
        top_share=np.asarray(share, dtype=np.float64),
        trim=trim,
        top=top,
    )
