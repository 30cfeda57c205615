"""Dimension-to-dimension matching between two models (Li et al. 2016, "Convergent learning").

Inputs are two matrices ``a`` (n × d1) and ``b`` (n × d2) whose rows are the same n words
in the same order (see :mod:`polyterm.core.shared_vocab`); columns are dimensions.

Conventions:

- Correlation: ``r[i, j]`` is the Pearson correlation over the n words between column i
  of ``a`` and column j of ``b``: both columns are centred (their mean over the n words
  subtracted) and divided by their L2 norm, and r is the dot product, clipped to
  [-1, 1]. A column that is constant (max == min) has r = 0 with every column.
- One-to-one matching: the assignment maximising the sum of ``|r|`` over pairs
  (``scipy.optimize.linear_sum_assignment``); with d1 != d2 it pairs min(d1, d2) dims
  and leaves the rest unmatched. Pairs are reported sorted by ``|r|`` descending (ties
  by lower dim of ``a``) with their signed r: a negative r means the two dimensions
  encode the same direction with opposite sign.
- Semi-matching: each dim of ``a`` to the dim of ``b`` with the largest ``|r|`` and vice
  versa (ties: lower index); several dims may pick the same partner.
- Top-k word overlap of a pair (i, j) with correlation r: the "top" of dim i of ``a`` is
  the k rows with the largest values of ``a[:, i]``; the top of dim j of ``b`` is the k
  rows with the largest values of ``s * b[:, j]`` where ``s = -1`` if r < 0 else +1,
  i.e. the partner's direction is flipped when it is anti-correlated, so that the
  matching ends of the two axes are compared. Ties in value are broken by a seeded random
  order of the rows, a different one for each model (``neighbours.tie_ranks``; issue 17:
  broken by lower row, the all-tied axes of 1-dimensional models agreed on 54% of their
  top words "against 0% by chance"); the word lists shown (``top_words_a``/``_b``) break
  them by lower row. The overlap is the Jaccard index ``|T_a ∩ T_b| / |T_a ∪ T_b|``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from polyterm.core.arrays import F64, I64, FloatArray
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.core.arrays import readonly as _readonly
from polyterm.core.neighbours import tie_ranks, top_k_rows


def _word_lists(words: tuple[tuple[str, ...], ...] | None) -> list[list[str]] | None:
    return None if words is None else [list(t) for t in words]


def standardised_columns(x: FloatArray) -> F64:
    """Columns centred and scaled to unit L2 norm (float64); constant columns become 0.

    ``z[:, j] = (x[:, j] - mean_j) / ||x[:, j] - mean_j||``, so ``z[:, i] @ z[:, j]`` is the
    Pearson correlation. A column with max == min (or zero norm after centring) is set to
    all zeros, so its correlation with anything is 0.
    """
    m = np.asarray(x, dtype=np.float64)
    centred = m - m.mean(axis=0)
    norms: F64 = np.linalg.norm(centred, axis=0)
    constant = (m.max(axis=0, initial=-np.inf) == m.min(axis=0, initial=np.inf)) | (norms == 0)
    norms[constant] = 1.0
    out: F64 = centred / norms
    out[:, constant] = 0.0
    return out


def dimension_correlation(a: FloatArray, b: FloatArray) -> F64:
    """The d1 × d2 matrix of Pearson r between columns of ``a`` and columns of ``b``.

    ``r[i, j] = corr(a[:, i], b[:, j])`` over the n aligned rows; constant columns give 0.
    """
    x = _as_matrix(a, "a")
    y = _as_matrix(b, "b")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"a and b must have the same rows, got {x.shape[0]} and {y.shape[0]}")
    if x.shape[0] < 2:
        raise ValueError("correlation needs at least 2 rows")
    r = standardised_columns(x).T @ standardised_columns(y)
    np.clip(r, -1.0, 1.0, out=r)
    return r


def paired_top_k_jaccard(
    a: FloatArray,
    b: FloatArray,
    dims_a: Sequence[int] | I64,
    dims_b: Sequence[int] | I64,
    r: Sequence[float] | F64,
    k: int,
    *,
    seed: int = 0,
) -> F64:
    """Jaccard of the top-k rows of ``a[:, dims_a[p]]`` and ``sign(r[p]) * b[:, dims_b[p]]``.

    ``sign`` is -1 when ``r[p] < 0`` and +1 otherwise; ties are broken by ``tie_ranks(n,
    seed, 0)`` in ``a`` and ``tie_ranks(n, seed, 1)`` in ``b`` (see the module docstring).
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    n = x.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, {n}], got {k}")
    rs = np.asarray(r, dtype=np.float64)
    out = np.empty(len(rs), dtype=np.float64)
    rank_a, rank_b = tie_ranks(n, seed, 0), tie_ranks(n, seed, 1)
    for p, (i, j, rv) in enumerate(zip(dims_a, dims_b, rs, strict=True)):
        top_a = top_k_rows(x[:, int(i)], k, tie_rank=rank_a)
        sign = -1.0 if rv < 0 else 1.0
        top_b = top_k_rows(sign * y[:, int(j)], k, tie_rank=rank_b)
        inter = np.intersect1d(top_a, top_b, assume_unique=True).size
        out[p] = inter / (2 * k - inter)
    return out


@dataclass(frozen=True, slots=True, eq=False)
class DimensionMatching:
    """Result of :func:`match_dimensions` (arrays are read-only).

    Attributes:
        correlation: d1 × d2 signed Pearson r (``dimension_correlation(a, b)``).
        matched_a, matched_b: the one-to-one pairs (min(d1, d2) of them), sorted by
            ``|r|`` descending; ``matched_a[p]`` in ``a`` is paired with ``matched_b[p]``.
        matched_r: signed r of each pair.
        matched_abs_curve: ``|matched_r|`` (descending) — the matched-correlation curve.
        mean_matched_abs_r: mean of ``matched_abs_curve``.
        semi_a_to_b, semi_a_to_b_r: per dim of ``a``, the best-``|r|`` dim of ``b``, and r.
        semi_b_to_a, semi_b_to_a_r: per dim of ``b``, the best-``|r|`` dim of ``a``, and r.
        mean_semi_abs_r_a, mean_semi_abs_r_b: mean ``|r|`` of the two semi-matchings.
        k: depth of the top-k word comparison.
        topk_jaccard: per matched pair (same order), Jaccard of the top-k rows (partner
            flipped when r < 0).
        mean_topk_jaccard: mean of ``topk_jaccard``.
        top_words_a, top_words_b: per matched pair, the top-k words of each side (the
            flipped end for ``b`` when r < 0); None when no ``words`` were given.
        n_words: number of aligned rows.
        dims: (d1, d2).
    """

    correlation: F64
    matched_a: I64
    matched_b: I64
    matched_r: F64
    matched_abs_curve: F64
    mean_matched_abs_r: float
    semi_a_to_b: I64
    semi_a_to_b_r: F64
    semi_b_to_a: I64
    semi_b_to_a_r: F64
    mean_semi_abs_r_a: float
    mean_semi_abs_r_b: float
    k: int
    topk_jaccard: F64
    mean_topk_jaccard: float
    top_words_a: tuple[tuple[str, ...], ...] | None
    top_words_b: tuple[tuple[str, ...], ...] | None
    n_words: int
    dims: tuple[int, int]


def _mean(x: F64) -> float:
    return float(x.mean()) if x.size else math.nan


def match_dimensions(
    a: FloatArray,
    b: FloatArray,
    *,
    k: int = 10,
    words: Sequence[str] | None = None,
) -> DimensionMatching:
    """Match the dimensions of ``a`` to those of ``b`` by |Pearson r| (Li et al. 2016).

    See the module docstring for every convention. ``words`` (length n, the aligned
    words) only adds the top-k words of each matched pair to the result.

    Raises:
        ValueError: row counts differ, fewer than 2 rows, k outside [1, n], or
            ``len(words) != n``.
    """
    r = dimension_correlation(a, b)
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    n, d1 = x.shape
    d2 = y.shape[1]
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, {n}], got {k}")
    if words is not None and len(words) != n:
        raise ValueError(f"words has {len(words)} entries but the matrices have {n} rows")
    absr = np.abs(r)
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    rows, cols = linear_sum_assignment(absr, maximize=True)  # scipy: imported on first use
    rows = rows.astype(np.int64)
    cols = cols.astype(np.int64)
    pair_r = r[rows, cols]
    order = np.lexsort((rows, -np.abs(pair_r)))
    matched_a, matched_b, matched_r = rows[order], cols[order], pair_r[order]
    curve = np.abs(matched_r)

    if d2 > 0:
        semi_ab = np.argmax(absr, axis=1).astype(np.int64)
        semi_ab_r = r[np.arange(d1), semi_ab]
    else:
        semi_ab, semi_ab_r = np.empty(0, np.int64), np.empty(0, np.float64)
    if d1 > 0:
        semi_ba = np.argmax(absr, axis=0).astype(np.int64)
        semi_ba_r = r[semi_ba, np.arange(d2)]
    else:
        semi_ba, semi_ba_r = np.empty(0, np.int64), np.empty(0, np.float64)

    jac = paired_top_k_jaccard(x, y, matched_a, matched_b, matched_r, k)

    top_words_a: tuple[tuple[str, ...], ...] | None = None
    top_words_b: tuple[tuple[str, ...], ...] | None = None
    if words is not None:
        wa, wb = [], []
        for i, j, rv in zip(matched_a, matched_b, matched_r, strict=True):
            sign = -1.0 if rv < 0 else 1.0
            wa.append(tuple(words[int(t)] for t in top_k_rows(x[:, i], k)))
            wb.append(tuple(words[int(t)] for t in top_k_rows(sign * y[:, j], k)))
        top_words_a, top_words_b = tuple(wa), tuple(wb)

    return DimensionMatching(
        correlation=_readonly(r),
        matched_a=_readonly(matched_a),
        matched_b=_readonly(matched_b),
        matched_r=_readonly(matched_r),
        matched_abs_curve=_readonly(curve),
        mean_matched_abs_r=_mean(curve),
        semi_a_to_b=_readonly(semi_ab),
        semi_a_to_b_r=_readonly(semi_ab_r),
        semi_b_to_a=_readonly(semi_ba),
        semi_b_to_a_r=_readonly(semi_ba_r),
        mean_semi_abs_r_a=_mean(np.abs(semi_ab_r)),
        mean_semi_abs_r_b=_mean(np.abs(semi_ba_r)),
        k=k,
        topk_jaccard=_readonly(jac),
        mean_topk_jaccard=_mean(jac),
        top_words_a=top_words_a,
        top_words_b=top_words_b,
        n_words=n,
        dims=(d1, d2),
    )
