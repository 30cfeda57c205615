"""Overlap of two ranked lists: Jaccard and rank-biased overlap (RBO)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def jaccard(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """|A ∩ B| / |A ∪ B| of the two lists as sets; two empty lists give 1.0."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return 1.0 if not union else len(sa & sb) / len(union)


def rbo(a: Sequence[Hashable], b: Sequence[Hashable], p: float = 0.9) -> float:
    """Extrapolated rank-biased overlap RBO_ext (Webber, Moffat & Zobel 2010, eq. 32).

    For lists of equal length k with agreement A_d = |a[:d] ∩ b[:d]| / d::

        RBO_ext = (1 - p) * sum_{d=1..k} p^(d-1) * A_d + p^k * A_k

    Identical lists give 1.0, disjoint lists 0.0; p = 0.9 puts ~86% of the weight on
    the first 10 ranks. Lists of unequal length use the uneven-length form (eq. 32 with
    s = shorter, l = longer length).
    """
    if not 0 < p < 1:
        raise ValueError("p must be in (0, 1)")
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    s, length = len(short), len(long_)
    seen_s: set[Hashable] = set()
    seen_l: set[Hashable] = set()
    overlap = 0
    x: list[int] = [0] * (length + 1)
    for d in range(1, length + 1):
        item_l = long_[d - 1]
        if d <= s:
            item_s = short[d - 1]
            if item_s == item_l:
                overlap += 1
            else:
                overlap += (item_s in seen_l) + (item_l in seen_s)
            seen_s.add(item_s)
        elif item_l in seen_s:
            overlap += 1
        seen_l.add(item_l)
        x[d] = overlap
    total = 0.0
    for d in range(1, length + 1):
        total += p**d * x[d] / d
    for d in range(s + 1, length + 1):
        total += p**d * x[s] * (d - s) / (s * d)
    ext = (x[length] - x[s]) / length + x[s] / s
    return float((1 - p) / p * total + p**length * ext)
