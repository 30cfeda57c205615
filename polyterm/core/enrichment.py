"""Which meanings an axis end mixes: feature enrichment of the top words of every axis end.

Inputs are plain arrays: the codes of a model over its vocabulary (n words × d axes, rows
in frequency order), and a `FeatureLabels` (`polyterm.core.features`) naming the meanings
of words. Only *labelled* words take part: the labelled vocabulary is the M words of the
vocabulary that carry a label.

One axis end (:func:`enrichment`):

- its words are the k labelled words with the largest codes (the top end) or the smallest
  (the bottom end of a signed axis; a one-ended basis — dict:K, whose codes are
  non-negative — has only a top end, and only words with a code > 0 belong to it, so an
  atom used by fewer than k labelled words has a shorter end). Ties by lower row;
- each feature f's count c in the end, and its one-sided **frequency-stratified exact
  test** (:func:`stratified_tail`, which decides): the labelled words (rows in frequency
  order) fall into `bins` (10) equal-size frequency bins, and under "labels exchangeable
  among words of one frequency bin" c is a sum of independent hypergeometrics, one per
  bin (the end's words of bin b drawn from the labelled words of bin b): ``p = P(X >= c)``
  from the convolution of the per-bin pmfs. Frequency alone (an end made of frequent words,
  a label frequent words carry) therefore enriches nothing. The plain test against the
  whole labelled vocabulary, ``hypergeom.sf(c - 1, M, n_f, k_end)`` (n_f labelled words
  carry f), is kept as `p_plain` ("p, ignoring frequency"; `bins=1` makes it decide);
- Benjamini–Hochberg q-values over all (end, feature) cells of the model (every end of
  every axis, every feature carried by a labelled word);
- a feature is **enriched** on an end when ``q <= alpha`` (0.05) and ``c >= min_count``
  (2: one word is a word, not a meaning); the **meaning count** of an end is how many
  features are enriched on it, and an end is **polysemantic** when it is 2 or more;
- the **effective number of labels**: ``exp(H)`` with H the entropy of the end's label
  distribution (each label's count over the sum of counts; a word with two labels counts
  for both);
- the mean number of senses of the end's words where the source knows them (WordNet):
  word polysemy, shown beside unit polysemy and never mixed with it.

Nulls (each draw from one ``numpy.random.default_rng(seed)``, so results depend only on
the inputs and the seed):

- **random directions** (:func:`rotation_null`): the same words, the same geometry, no
  privileged axis. For a signed basis (raw, pca, ica) the codes are rotated by a
  Haar-random orthogonal d × d matrix: for pca/ica, whose codes are white, that is a
  random orthonormal basis *of the whitened space* (every ica basis is one such rotation
  of the pca codes). For a one-ended basis (dict:K) the *geometry-keeping* null is K
  random directions of the model's own vector space (the model's raw vectors times the
  first K columns of as many independent Haar rotations as K needs), each with its top end
  only, ranked by projection and restricted to positive projections as atoms are to
  positive codes: it keeps every word's vector and the number and one-endedness of the
  ends, and gives the directions no privileged meaning. Whether a dictionary's
  non-negative sparse code *as such* concentrates meanings more than any positive
  projection would is therefore part of what is measured, as it should be.
- **labels shuffled** (:func:`shuffle_null`): the labels (and sense counts) of the
  labelled words permuted among words of similar frequency (``bins`` equal-size bins by
  vocabulary rank, rows being in frequency order), the ends kept. Meaning is gone and
  frequency stays. It is the null the stratified test is exact for, so with the
  stratified test it gives about nothing enriched (BH's rate of false discoveries at
  most); with the plain test it does not (frequency alone enriches: POS labels shuffled
  gave 33 ± 18 cells on brown_30 ICA).

Groupings (:func:`groupings`): the unordered feature pairs enriched together on one end;
:func:`grouping_jaccard` compares two models' sets.

numpy and scipy only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.arrays import F64
from polyterm.core.features import FeatureLabels
from polyterm.core.nulls import NullKind, NullSummary, random_rotation, summarise_null

DEFAULT_K = 50
DEFAULT_ALPHA = 0.05
DEFAULT_MIN_COUNT = 2
DEFAULT_DRAWS = 20
DEFAULT_BINS = 10

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True, eq=False)
class LabelMatrix:
    """The labelled vocabulary as arrays: `rows[i]` is the codes row of the i-th labelled
    word, `member[i, f]` whether it carries feature `features[f]`, `senses[i]` its sense
    count (NaN where unknown; None when the source knows none)."""

    words: tuple[str, ...]
    rows: IntArray
    features: tuple[str, ...]
    member: BoolArray
    senses: F64 | None

    @classmethod
    def of(cls, words: Sequence[str], labels: FeatureLabels) -> LabelMatrix:
        """The words of `words` (the vocabulary, in row order) that carry a label."""
        rows = [i for i, w in enumerate(words) if w in labels.labels]
        kept = tuple(words[i] for i in rows)
        features = tuple(sorted({f for w in kept for f in labels.labels[w]}))
        index = {f: j for j, f in enumerate(features)}
        member = np.zeros((len(kept), len(features)), dtype=np.bool_)
        for i, w in enumerate(kept):
            member[i, [index[f] for f in labels.labels[w]]] = True
        senses = None
        if labels.senses is not None:
            known = labels.senses
            senses = np.array([float(known.get(w, np.nan)) for w in kept], dtype=np.float64)
        return cls(kept, np.asarray(rows, dtype=np.intp), features, member, senses)

    def __len__(self) -> int:
        return len(self.words)

    def permuted(self, order: IntArray) -> LabelMatrix:
        """The same words carrying the labels (and senses) of the words `order` names."""
        return LabelMatrix(
            self.words,
            self.rows,
            self.features,
            self.member[order],
            None if self.senses is None else self.senses[order],
        )


def frequency_bins(n: int, bins: int) -> IntArray:
    """Bin of each of n rows (in frequency order): `bins` near-equal runs of ranks."""
    return np.minimum((np.arange(n) * bins) // max(n, 1), bins - 1).astype(np.intp)


def shuffled_order(n: int, bins: int, rng: np.random.Generator) -> IntArray:
    """A permutation of range(n) that moves rows only inside their frequency bin."""
    order = np.arange(n, dtype=np.intp)
    which = frequency_bins(n, bins)
    for b in range(bins):
        idx = np.flatnonzero(which == b)
        order[idx] = idx[rng.permutation(idx.size)]
    return order


@dataclass(frozen=True, eq=False)
class Ends:
    """Every end of a model: `axis[e]`, `side[e]` (0 top, 1 bottom), its rows into the
    labelled vocabulary `rows[e, :length[e]]` (padded with 0 past the length)."""

    axis: IntArray
    side: IntArray
    rows: IntArray
    length: IntArray

    @property
    def mask(self) -> BoolArray:
        return np.arange(self.rows.shape[1])[None, :] < self.length[:, None]


def _order(xt: Floats, part: IntArray, descending: bool) -> IntArray:
    """The candidate rows `part` of each row of `xt` sorted by value (descending or
    ascending), ties by lower row."""
    vals = np.take_along_axis(xt, part, axis=1)
    order = np.lexsort((part, -vals if descending else vals), axis=1)
    out: IntArray = np.take_along_axis(part, order, axis=1)
    return out


def _fix_ties(xt: Floats, out: IntArray, descending: bool) -> None:
    """Rows where the partition cut a tie at the k-th value: redone exactly (lower rows
    first among equal values)."""
    n, k = xt.shape[1], out.shape[1]
    vals = np.take_along_axis(xt, out, axis=1)
    kth = vals[:, -1]
    cut = (xt == kth[:, None]).sum(axis=1) > (vals == kth[:, None]).sum(axis=1)
    for j in np.flatnonzero(cut):
        out[j] = np.lexsort((np.arange(n), -xt[j] if descending else xt[j]))[:k]


SAMPLE_STRIDE = 8


def _thresholded(xt: Floats, k: int, descending: bool) -> IntArray:
    """The k largest (or smallest) words of each row of `xt`, in order, ties by lower word,
    without partitioning whole rows: every `SAMPLE_STRIDE`-th word gives each row a
    threshold that about 3k words pass; the words past it are sorted (one lexsort for
    all rows). Exact: every word at or beyond the threshold is a candidate, so the k-th
    and all its ties are among them; a row where fewer than k pass is redone in full."""
    c, n = xt.shape
    sample = xt[:, ::SAMPLE_STRIDE]
    m = sample.shape[1]
    pick = min(m, -(-3 * k // SAMPLE_STRIDE) + 1)
    if descending:
        threshold = np.partition(sample, m - pick, axis=1)[:, m - pick]
        mask = xt >= threshold[:, None]
    else:
        threshold = np.partition(sample, pick - 1, axis=1)[:, pick - 1]
        mask = xt <= threshold[:, None]
    counts = mask.sum(axis=1)
    row, word = np.nonzero(mask)
    values = xt[row, word]
    word = word[np.lexsort((word, -values if descending else values, row))]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    out = np.empty((c, k), dtype=np.intp)
    enough = counts >= k
    out[enough] = word[starts[enough][:, None] + np.arange(k)[None, :]]
    for j in np.flatnonzero(~enough):
        out[j] = np.lexsort((np.arange(n), -xt[j] if descending else xt[j]))[:k]
    return out


def _ends_t(xt: Floats, k: int, *, bottom: bool) -> tuple[IntArray, IntArray | None]:
    """For each row of `xt` (columns × words, contiguous): the k words with the largest
    values and (with `bottom`) the k with the smallest, in order, ties by lower word.
    One partition finds both ends when the words are at least 2k."""
    c, n = xt.shape
    k = min(k, n)
    if k == 0:
        empty = np.empty((c, 0), dtype=np.intp)
        return empty, (empty.copy() if bottom else None)
    if n >= 16 * k:
        return _thresholded(xt, k, True), (_thresholded(xt, k, False) if bottom else None)
    neg = -xt
    if k == n:
        every = np.broadcast_to(np.arange(n), xt.shape).copy()
        top_part, low_part = every, every.copy()
    elif bottom and 2 * k <= n:
        part = np.argpartition(neg, (k - 1, n - k), axis=1)
        top_part, low_part = part[:, :k], part[:, n - k :]
    else:
        top_part = np.argpartition(neg, k - 1, axis=1)[:, :k]
        low_part = np.argpartition(xt, k - 1, axis=1)[:, :k] if bottom else top_part
    top = _order(xt, np.ascontiguousarray(top_part), True)
    _fix_ties(xt, top, True)
    if not bottom:
        return top, None
    low = _order(xt, np.ascontiguousarray(low_part), False)
    _fix_ties(xt, low, False)
    return top, low


def _ends_of(xt: Floats, k: int, one_ended: bool) -> Ends:
    d = xt.shape[0]
    top, low = _ends_t(xt, k, bottom=not one_ended)
    kk = top.shape[1]
    if low is None:
        positive = np.take_along_axis(xt, top, axis=1) > 0
        length = positive.sum(axis=1).astype(np.intp)  # positives come first in value order
        return Ends(np.arange(d, dtype=np.intp), np.zeros(d, dtype=np.intp), top, length)
    return Ends(
        np.concatenate([np.arange(d), np.arange(d)]).astype(np.intp),
        np.concatenate([np.zeros(d), np.ones(d)]).astype(np.intp),
        np.concatenate([top, low]),
        np.full(2 * d, kk, dtype=np.intp),
    )


def axis_ends(codes: F64, k: int, *, one_ended: bool) -> Ends:
    """The ends of every axis of `codes` (labelled rows × axes): top ends, then (signed
    bases) bottom ends; a one-ended basis keeps only rows with a code > 0."""
    return _ends_of(np.ascontiguousarray(np.asarray(codes, dtype=np.float64).T), k, one_ended)


def bh_adjusted(p: F64) -> F64:
    """Benjamini–Hochberg adjusted p-values of a flat array, in input order."""
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m, dtype=np.float64)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _log_choose(n: F64, r: F64) -> F64:
    from scipy.special import gammaln  # type: ignore[import-untyped]

    return np.asarray(gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1), dtype=np.float64)


def hypergeom_sf_table(population: int, carriers: IntArray, drawn: int) -> F64:
    """``T[f, c] = P(X >= c)`` for X ~ Hypergeometric(population, carriers[f], drawn),
    c = 0 … drawn: the same numbers as ``scipy.stats.hypergeom.sf(c - 1, population,
    carriers[f], drawn)``, from log-binomials and a tail sum taken from the far end (so a
    tail of 1e-30 keeps its relative precision), in O(F · drawn) without scipy.stats."""
    c = np.arange(drawn + 1, dtype=np.float64)[None, :]
    n = np.asarray(carriers, dtype=np.float64)[:, None]
    m = float(population)
    possible = (c <= n) & (drawn - c <= m - n)
    with np.errstate(invalid="ignore"):
        log_pmf = (
            _log_choose(np.broadcast_to(n, possible.shape), np.where(possible, c, 0.0))
            + _log_choose(np.broadcast_to(m - n, possible.shape),
                          np.where(possible, drawn - c, 0.0))
            - _log_choose(np.array(m), np.array(float(drawn)))
        )  # fmt: skip
    pmf = np.where(possible, np.exp(np.where(possible, log_pmf, 0.0)), 0.0)
    tail = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
    tail[:, 0] = 1.0  # P(X >= 0)
    out: F64 = np.clip(tail, 0.0, 1.0)
    return out


_TABLES: dict[tuple[int, bytes, int], F64] = {}
"""Tables of :func:`hypergeom_sf_table` of this process (a model's draws share them)."""


def _table(population: int, carriers: IntArray, drawn: int) -> F64:
    key = (population, np.asarray(carriers, dtype=np.int64).tobytes(), drawn)
    table = _TABLES.get(key)
    if table is None:
        if len(_TABLES) > 256:
            _TABLES.clear()
        table = _TABLES[key] = hypergeom_sf_table(population, carriers, drawn)
        table.flags.writeable = False
    return table


def hypergeom_tail(counts: IntArray, population: int, carriers: IntArray, drawn: IntArray) -> F64:
    """``hypergeom.sf(counts - 1, population, carriers, drawn)`` for a (E × F) table of
    counts, drawn[e] words per end, carriers[f] per feature: one table per distinct end
    length (:func:`hypergeom_sf_table`), looked up."""
    out = np.ones(counts.shape, dtype=np.float64)
    features = np.arange(len(carriers))[None, :]
    for length in np.unique(drawn):
        rows = np.flatnonzero(drawn == length)
        table = _table(population, carriers, int(length))
        out[rows] = table[features, counts[rows]]
    return out


_LOG_FACTORIALS: list[F64] = []
"""log(i!) for i = 0 … n, grown as needed (the stratified test's binomials are integers)."""


def _log_factorials(n: int) -> F64:
    if not _LOG_FACTORIALS or _LOG_FACTORIALS[0].size <= n:
        from scipy.special import gammaln

        table = np.asarray(gammaln(np.arange(max(n, 1024) * 2 + 1) + 1.0), dtype=np.float64)
        table.flags.writeable = False
        _LOG_FACTORIALS[:] = [table]
    return _LOG_FACTORIALS[0]


def _log_hypergeom_pmf(population: F64, carriers: F64, drawn: F64, x: F64) -> F64:
    """log P(X = x), X ~ Hypergeometric(population, carriers, drawn), broadcast (integer
    values); -inf where x is impossible."""
    possible = (x >= 0) & (x <= carriers) & (x <= drawn) & (drawn - x <= population - carriers)
    pop, car, drw, xs = (
        np.broadcast_to(np.where(possible, v, 0.0), possible.shape).astype(np.intp)
        for v in (population, carriers, drawn, x)
    )
    lf = _log_factorials(int(pop.max(initial=0)))
    log_pmf = (
        lf[car] - lf[xs] - lf[car - xs]
        + lf[pop - car] - lf[drw - xs] - lf[pop - car - drw + xs]
        - lf[pop] + lf[drw] + lf[pop - drw]
    )  # fmt: skip
    out: F64 = np.where(possible, log_pmf, -np.inf)
    return out


def stratified_tail(
    counts: IntArray, end_bins: IntArray, population_bins: IntArray, carrier_bins: IntArray
) -> F64:
    """The frequency-stratified exact test: ``P(X >= counts[e, f])`` with X the sum over
    frequency bins b of independent ``Hypergeometric(population_bins[b], carrier_bins[b, f],
    end_bins[e, b])`` — the null "labels exchangeable only among words of the same
    frequency bin", the one the label-shuffle null samples. The pmf of X is the convolution
    of the per-bin pmfs (exact, no sampling); the upper tail is summed from the far end.

    counts: E × F; end_bins: E × B (the end's words in each bin); population_bins: B
    (labelled words per bin); carrier_bins: B × F (labelled words of bin b carrying f).
    With one bin this is the plain hypergeometric test (:func:`hypergeom_tail`)."""
    counts = np.asarray(counts, dtype=np.intp)
    drawn_bins: F64 = np.asarray(end_bins, dtype=np.float64)
    pop = np.asarray(population_bins, dtype=np.float64)
    car = np.asarray(carrier_bins, dtype=np.float64)
    out = np.ones(counts.shape, dtype=np.float64)
    # count 1: P(X >= 1) = 1 - prod_b P(X_b = 0), in closed form
    e1, f1 = np.nonzero(counts == 1)
    if e1.size:
        log0 = _log_hypergeom_pmf(pop[None, :], car[:, f1].T, drawn_bins[e1], np.zeros(1))
        out[e1, f1] = np.clip(-np.expm1(log0.sum(axis=1)), 0.0, 1.0)
    ce, cf = np.nonzero(counts >= 2)
    if not ce.size:
        return out
    c = counts[ce, cf]
    # first the lower tail, convolved only up to c - 1 (cheap: most counts are small):
    # p = 1 - P(X <= c - 1), accurate to ~1e-16 absolute, kept where p >= LOWER_TAIL_MIN;
    # the rest (small p, where relative precision matters) from the full upper tail
    order = np.argsort(c, kind="stable")
    for chunk in np.array_split(order, max(1, -(-order.size // 4096))):
        width = int(c[chunk].max())
        pmf = _convolved(drawn_bins[ce[chunk]], pop, car[:, cf[chunk]], width - 1)
        below = np.where(np.arange(width)[None, :] < c[chunk][:, None], pmf, 0.0).sum(axis=1)
        out[ce[chunk], cf[chunk]] = np.clip(1.0 - below, 0.0, 1.0)
    small = np.flatnonzero(out[ce, cf] < LOWER_TAIL_MIN)
    if small.size:
        drawn = drawn_bins[ce[small]]
        pmf = _convolved(drawn, pop, car[:, cf[small]], int(drawn.sum(axis=1).max()))
        tail = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
        out[ce[small], cf[small]] = np.clip(tail[np.arange(small.size), c[small]], 0.0, 1.0)
    return out


LOWER_TAIL_MIN = 1e-3
"""Stratified p-values at least this large are taken from the lower tail (1 - cdf);
smaller ones are summed from the far end of the upper tail."""


def _convolved(drawn: F64, pop: F64, car: F64, limit: int) -> F64:
    """The pmf of the sum of per-bin hypergeometrics for each cell, on 0 … `limit` (the
    mass past `limit` dropped): drawn cells × B, pop B, car B × cells."""
    pmf = np.zeros((drawn.shape[0], limit + 1), dtype=np.float64)
    pmf[:, 0] = 1.0
    support = 0
    for b in range(pop.size):
        nb = drawn[:, b]
        top = min(int(nb.max()), limit)
        if top == 0:
            continue
        x = np.arange(top + 1, dtype=np.float64)[None, :]
        step = np.exp(_log_hypergeom_pmf(pop[b], car[b][:, None], nb[:, None], x))
        new = np.zeros_like(pmf)
        for j in range(top + 1):
            w = step[:, j]
            hi = min(support, limit - j)
            if w.any():
                new[:, j : j + hi + 1] += w[:, None] * pmf[:, : hi + 1]
        pmf, support = new, min(limit, support + top)
    return pmf


@dataclass(frozen=True, eq=False)
class Enrichment:
    """Every end of one model scored against one labelled vocabulary (module docstring).

    Arrays are per end (E) or per (end, feature) cell (E × F)."""

    features: tuple[str, ...]
    population: int
    """M: labelled words in the vocabulary."""
    carriers: IntArray
    """n_f: labelled words carrying each feature."""
    ends: Ends
    counts: IntArray
    p: F64
    q: F64
    enriched: BoolArray
    effective: F64
    """exp(label entropy) per end (0 for an end without words)."""
    mean_senses: F64 | None
    alpha: float
    min_count: int
    p_plain: F64 | None = None
    """The plain hypergeometric p of each cell, ignoring frequency (a secondary column;
    `p` is the frequency-stratified test over `bins` frequency bins, which decides)."""
    bins: int = 1
    """Frequency bins of the stratified test `p` (1: `p` is the plain test)."""

    @property
    def meaning_count(self) -> IntArray:
        out: IntArray = self.enriched.sum(axis=1).astype(np.intp)
        return out

    @property
    def polysemantic(self) -> BoolArray:
        out: BoolArray = self.meaning_count >= 2
        return out

    @property
    def n_ends(self) -> int:
        return int(self.ends.axis.size)

    def mean_meaning_count(self) -> float:
        return float(self.meaning_count.mean()) if self.n_ends else 0.0

    def polysemantic_share(self) -> float:
        return float(self.polysemantic.mean()) if self.n_ends else 0.0

    def enriched_cells(self) -> int:
        return int(self.enriched.sum())

    def enriched_features(self, end: int) -> tuple[int, ...]:
        """Feature indices enriched on `end`, strongest (smallest q, then p) first."""
        idx = np.flatnonzero(self.enriched[end])
        order = np.lexsort((idx, self.p[end, idx], self.q[end, idx]))
        return tuple(int(i) for i in idx[order])

    def end_of(self, axis: int, side: int) -> int | None:
        hit = np.flatnonzero((self.ends.axis == axis) & (self.ends.side == side))
        return int(hit[0]) if hit.size else None


def enrichment(
    codes: F64,
    labels: LabelMatrix,
    *,
    k: int = DEFAULT_K,
    one_ended: bool = False,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    bins: int = DEFAULT_BINS,
) -> Enrichment:
    """Score every end of `codes` (rows = the labelled words, `labels.rows` order) against
    `labels` (module docstring); `bins` frequency bins for the stratified test (1: the
    plain hypergeometric test decides)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    x = np.asarray(codes, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != len(labels):
        raise ValueError(f"codes of shape {x.shape} for {len(labels)} labelled words")
    ends = axis_ends(x, k, one_ended=one_ended)
    return _score(ends, labels, alpha=alpha, min_count=min_count, bins=bins)


def _stratified(counts: IntArray, ends: Ends, member: BoolArray, bins: int) -> F64:
    """:func:`stratified_tail` of `counts` with the labelled words (rows in frequency
    order) in `bins` equal-size frequency bins (:func:`frequency_bins`)."""
    which = frequency_bins(member.shape[0], bins)
    population_bins = np.bincount(which, minlength=bins)
    carrier_bins = np.stack([member[which == b].sum(axis=0) for b in range(bins)])
    end_of_word = which[ends.rows]
    end_bins = np.stack([((end_of_word == b) & ends.mask).sum(axis=1) for b in range(bins)], axis=1)
    return stratified_tail(counts, end_bins, population_bins, carrier_bins)


def _score(
    ends: Ends, labels: LabelMatrix, *, alpha: float, min_count: int, bins: int = DEFAULT_BINS
) -> Enrichment:
    member = labels.member
    population = int(member.shape[0])
    carriers = member.sum(axis=0).astype(np.intp)
    mask = ends.mask
    # (E, k, F) membership of each end's words; masked past the end's length
    hits = member[ends.rows] & mask[:, :, None]
    counts = hits.sum(axis=1).astype(np.intp)
    bins = max(1, int(bins))
    plain = hypergeom_tail(counts, population, carriers, ends.length)
    p = plain if bins == 1 else _stratified(counts, ends, member, bins)
    q = bh_adjusted(p.ravel()).reshape(p.shape)
    enriched = (q <= alpha) & (counts >= min_count)
    total = counts.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, counts / np.where(total > 0, total, 1.0), 0.0)
        logs = np.where(share > 0, np.log(np.where(share > 0, share, 1.0)), 0.0)
    entropy = -(share * logs).sum(axis=1)
    effective = np.where(total[:, 0] > 0, np.exp(entropy), 0.0)
    mean_senses = None
    if labels.senses is not None:
        s = labels.senses[ends.rows]
        known = mask & np.isfinite(s)
        n_known = known.sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean_senses = np.where(
                n_known > 0, np.where(known, s, 0.0).sum(axis=1) / np.maximum(n_known, 1), np.nan
            )
    return Enrichment(
        labels.features, population, carriers, ends, counts, p, q, enriched,
        effective, mean_senses, alpha, min_count, plain, bins,
    )  # fmt: skip


# -- nulls ------------------------------------------------------------------------------


def random_directions(dim: int, count: int, rng: np.random.Generator) -> F64:
    """A dim × count matrix of unit directions: the first `count` columns of as many
    independent Haar rotations of R^dim as `count` needs (orthonormal within each block)."""
    blocks: list[F64] = []
    while sum(b.shape[1] for b in blocks) < count:
        blocks.append(random_rotation(dim, rng))
    return np.concatenate(blocks, axis=1)[:, :count]


@dataclass(frozen=True, eq=False)
class NullDraws:
    """What the R draws of one null gave: per draw the model-level statistics, and the
    per-end values pooled over every end of every draw."""

    kind: NullKind
    seed: int
    mean_meaning_count: F64
    polysemantic_share: F64
    enriched_cells: F64
    end_meaning_count: F64
    end_effective: F64
    groupings: tuple[frozenset[tuple[str, str]], ...]
    draws: tuple[Enrichment, ...] = ()
    """Each draw's enrichment (kept for groupings and matching nulls)."""

    def summary(self, name: str, observed: float) -> NullSummary:
        values = {
            "mean_meaning_count": self.mean_meaning_count,
            "polysemantic_share": self.polysemantic_share,
            "enriched_cells": self.enriched_cells,
        }[name]
        return summarise_null(observed, values, kind=self.kind, seed=self.seed)

    def end_summary(self, name: str, observed: float) -> NullSummary:
        """An end's statistic against the pooled ends of every draw."""
        values = {"meaning_count": self.end_meaning_count, "effective": self.end_effective}[name]
        return summarise_null(observed, values, kind=self.kind, seed=self.seed)


def _draws(kind: NullKind, seed: int, results: list[Enrichment]) -> NullDraws:
    return NullDraws(
        kind=kind,
        seed=seed,
        mean_meaning_count=np.array([r.mean_meaning_count() for r in results]),
        polysemantic_share=np.array([r.polysemantic_share() for r in results]),
        enriched_cells=np.array([float(r.enriched_cells()) for r in results]),
        end_meaning_count=np.concatenate([r.meaning_count for r in results]).astype(np.float64),
        end_effective=np.concatenate([r.effective for r in results]),
        groupings=tuple(frozenset(groupings(r)) for r in results),
        draws=tuple(results),
    )


def rotated_codes(source: F64, rng: np.random.Generator, *, directions: int | None = None) -> F64:
    """`source` (rows × D) in random directions: ``source @ Q`` with Q Haar (D × D), or,
    with `directions`, `directions` random unit directions of R^D (see
    :func:`random_directions`)."""
    d = source.shape[1]
    if directions is None:
        return np.asarray(source @ random_rotation(d, rng), dtype=np.float64)
    return np.asarray(source @ random_directions(d, directions, rng), dtype=np.float64)


BATCH_ELEMENTS = 4_000_000
"""Rotated codes computed at once by the random-direction null (draws × axes × words)."""


def rotation_null(
    source: F64,
    labels: LabelMatrix,
    *,
    k: int = DEFAULT_K,
    one_ended: bool = False,
    directions: int | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    bins: int = DEFAULT_BINS,
) -> NullDraws:
    """The enrichment of R random-direction bases of the same words (module docstring).

    `source` is the labelled words' codes for a signed basis (rotated whole), or their raw
    vectors with `directions` = the number of atoms and `one_ended` for dict:K. The draws'
    rotated codes are made a batch at a time (one product, one partition)."""
    if draws < 2:
        raise ValueError(f"a null needs at least 2 draws, not {draws}")
    rng = np.random.default_rng(seed)
    # float32: a null draw only ranks words along random directions (half the memory
    # traffic of the product and the partition, which dominate); the observed ends are
    # ranked in float64.
    x = np.asarray(source, dtype=np.float32)
    n, dim = x.shape
    width = dim if directions is None else directions
    per_batch = max(1, BATCH_ELEMENTS // max(1, n * width))
    results: list[Enrichment] = []
    while len(results) < draws:
        batch = min(per_batch, draws - len(results))
        qs = [
            random_rotation(dim, rng) if directions is None
            else random_directions(dim, directions, rng)
            for _ in range(batch)
        ]  # fmt: skip
        q_all = np.concatenate(qs, axis=1).T.astype(np.float32)
        rotated_t = q_all @ x.T  # (batch · width) × n, contiguous
        for b in range(batch):
            ends = _ends_of(rotated_t[b * width : (b + 1) * width], k, one_ended)
            results.append(_score(ends, labels, alpha=alpha, min_count=min_count, bins=bins))
    return _draws("rotation", seed, results)


def shuffle_null(
    observed: Enrichment,
    labels: LabelMatrix,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    bins: int = DEFAULT_BINS,
) -> NullDraws:
    """The same ends with the labels permuted among words of similar frequency."""
    if draws < 2:
        raise ValueError(f"a null needs at least 2 draws, not {draws}")
    rng = np.random.default_rng(seed)
    n = len(labels)
    results = [
        _score(observed.ends, labels.permuted(shuffled_order(n, bins, rng)),
               alpha=observed.alpha, min_count=observed.min_count, bins=observed.bins)
        for _ in range(draws)
    ]  # fmt: skip
    return _draws("shuffle", seed, results)


# -- groupings --------------------------------------------------------------------------


def groupings(result: Enrichment) -> dict[tuple[str, str], tuple[int, ...]]:
    """Each feature pair enriched together on one end (names in sorted order) → the ends
    that carry it."""
    out: dict[tuple[str, str], list[int]] = {}
    for e in np.flatnonzero(result.meaning_count >= 2):
        names = sorted(result.features[f] for f in np.flatnonzero(result.enriched[e]))
        for pair in combinations(names, 2):
            out.setdefault((pair[0], pair[1]), []).append(int(e))
    return {pair: tuple(ends) for pair, ends in sorted(out.items())}


def jaccard(a: frozenset[Any] | set[Any], b: frozenset[Any] | set[Any]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets (nothing shared)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def grouping_jaccard(a: Enrichment, b: Enrichment) -> float:
    return jaccard(set(groupings(a)), set(groupings(b)))


def end_feature_sets(result: Enrichment) -> list[frozenset[str]]:
    return [frozenset(result.features[f] for f in np.flatnonzero(row)) for row in result.enriched]


def matched_end_pairs(
    axes_a: Sequence[int] | IntArray,
    axes_b: Sequence[int] | IntArray,
    r: Sequence[float] | F64,
    *,
    one_ended: bool,
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The ends that a matching of axes pairs: ((axis_a, side_a), (axis_b, side_b)). A
    signed pair with r < 0 pairs A's top with B's bottom and A's bottom with B's top."""
    out = []
    for i, j, rr in zip(axes_a, axes_b, r, strict=True):
        flip = 0 if one_ended or rr >= 0 else 1
        out.append(((int(i), 0), (int(j), flip)))
        if not one_ended:
            out.append(((int(i), 1), (int(j), 1 - flip)))
    return out


def matched_overlap(
    a: Enrichment, b: Enrichment, pairs: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> tuple[float, int]:
    """Mean Jaccard of the enriched feature sets of matched ends, over the pairs where at
    least one end has an enriched feature; and how many such pairs there are."""
    sets_a, sets_b = end_feature_sets(a), end_feature_sets(b)
    values = []
    for (ia, sa), (ib, sb) in pairs:
        ea, eb = a.end_of(ia, sa), b.end_of(ib, sb)
        if ea is None or eb is None:
            continue
        if sets_a[ea] or sets_b[eb]:
            values.append(jaccard(sets_a[ea], sets_b[eb]))
    return (float(np.mean(values)) if values else 0.0), len(values)


def match_axes(a: F64, b: F64) -> tuple[IntArray, IntArray, F64]:
    """Hungarian matching of the columns of `a` and `b` (same rows) by |Pearson r|:
    (axes of a, axes of b, r)."""
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    from polyterm.core.matching import dimension_correlation

    r = dimension_correlation(a, b)
    ia, ib = linear_sum_assignment(-np.abs(r))
    return ia.astype(np.intp), ib.astype(np.intp), r[ia, ib]


def summaries(observed: Mapping[str, float], null: NullDraws) -> dict[str, NullSummary]:
    return {name: null.summary(name, value) for name, value in observed.items()}


def model_statistics(result: Enrichment) -> dict[str, float]:
    return {
        "mean_meaning_count": result.mean_meaning_count(),
        "polysemantic_share": result.polysemantic_share(),
        "enriched_cells": float(result.enriched_cells()),
    }


@dataclass(frozen=True, eq=False)
class PairComparison:
    """Two models' groupings and matched ends over the same labelled words, with the
    observed Jaccard of their grouping sets and the mean Jaccard of the enriched feature
    sets of matched ends, and both against the two nulls (R draws each)."""

    a: Enrichment
    b: Enrichment
    axes_a: IntArray
    axes_b: IntArray
    r: F64
    jaccard: NullSummary
    jaccard_shuffle: NullSummary
    overlap: NullSummary
    overlap_shuffle: NullSummary
    overlap_pairs: int
    """Matched end pairs where at least one end has an enriched feature."""


def compare_pair(
    a_codes: F64,
    b_codes: F64,
    labels: LabelMatrix,
    *,
    a_source: F64 | None = None,
    directions: int | None = None,
    one_ended: bool = False,
    k: int = DEFAULT_K,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    bins: int = DEFAULT_BINS,
) -> PairComparison:
    """Models A and B (codes over the same shared words, rows in frequency order;
    `labels.rows` index those rows): groupings Jaccard and matched-end overlap, beside A in
    random directions (`a_source` rotated, `directions` as in :func:`rotation_null`; the
    rotated A is matched to B again each draw) and beside labels shuffled in frequency
    bins (one permutation per draw for both models; ends and matching kept)."""
    if draws < 2:
        raise ValueError(f"a null needs at least 2 draws, not {draws}")
    xa = np.asarray(a_codes, dtype=np.float64)
    xb = np.asarray(b_codes, dtype=np.float64)
    source = xa if a_source is None else np.asarray(a_source, dtype=np.float64)
    opts: dict[str, Any] = {"k": k, "one_ended": one_ended, "alpha": alpha,
                            "min_count": min_count, "bins": bins}  # fmt: skip
    ra, rb = (
        enrichment(xa[labels.rows], labels, **opts),
        enrichment(xb[labels.rows], labels, **opts),
    )
    ia, ib, r = match_axes(xa, xb)
    pairs = matched_end_pairs(ia, ib, r, one_ended=one_ended)
    gb = set(groupings(rb))
    j_obs = jaccard(set(groupings(ra)), gb)
    o_obs, n_pairs = matched_overlap(ra, rb, pairs)
    rng = np.random.default_rng(seed)
    j_rot, o_rot = np.empty(draws), np.empty(draws)
    for i in range(draws):
        xr = rotated_codes(source, rng, directions=directions)
        rr = enrichment(xr[labels.rows], labels, **opts)
        j_rot[i] = jaccard(set(groupings(rr)), gb)
        pa, pb, pr = match_axes(xr, xb)
        o_rot[i] = matched_overlap(rr, rb, matched_end_pairs(pa, pb, pr, one_ended=one_ended))[0]
    rng = np.random.default_rng(seed)
    j_sh, o_sh = np.empty(draws), np.empty(draws)
    for i in range(draws):
        permuted = labels.permuted(shuffled_order(len(labels), bins, rng))
        sa = _score(ra.ends, permuted, alpha=alpha, min_count=min_count, bins=bins)
        sb = _score(rb.ends, permuted, alpha=alpha, min_count=min_count, bins=bins)
        j_sh[i] = grouping_jaccard(sa, sb)
        o_sh[i] = matched_overlap(sa, sb, pairs)[0]
    return PairComparison(
        a=ra, b=rb, axes_a=ia, axes_b=ib, r=r,
        jaccard=summarise_null(j_obs, j_rot, kind="rotation", seed=seed),
        jaccard_shuffle=summarise_null(j_obs, j_sh, kind="shuffle", seed=seed),
        overlap=summarise_null(o_obs, o_rot, kind="rotation", seed=seed),
        overlap_shuffle=summarise_null(o_obs, o_sh, kind="shuffle", seed=seed),
        overlap_pairs=n_pairs,
    )  # fmt: skip


__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_K",
    "Ends",
    "Enrichment",
    "LabelMatrix",
    "NullDraws",
    "PairComparison",
    "axis_ends",
    "bh_adjusted",
    "compare_pair",
    "enrichment",
    "frequency_bins",
    "grouping_jaccard",
    "groupings",
    "jaccard",
    "match_axes",
    "matched_end_pairs",
    "matched_overlap",
    "random_directions",
    "rotation_null",
    "shuffle_null",
    "stratified_tail",
]
