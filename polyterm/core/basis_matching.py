"""Matching the axes/atoms of two models' bases, read against a null that fits the basis.

Inputs are two code matrices ``a`` (n × ka) and ``b`` (n × kb) over the same n shared
words in the same order (codes from :meth:`polyterm.core.bases.FittedBasis.transform`).
Axes are compared by the Pearson r of their activations over the shared words
(:func:`polyterm.core.matching.dimension_correlation`):

- one-to-one: the Hungarian assignment maximising the sum of ``|r|`` (min(ka, kb) pairs),
  via :func:`polyterm.core.matching.match_dimensions`;
- best partner: each axis/atom of ``a`` to the axis/atom of ``b`` with the largest
  ``|r|`` and vice versa (the feature-universality studies' "max |r|" for dictionaries).

Nulls (``null=``), R repetitions from one ``numpy.random.default_rng(seed)``:

- ``'rotation'`` — for a whitened basis (pca, ica; and raw, where it is
  :mod:`polyterm.core.nulls`' rotation): ``a`` is replaced by ``a @ Q`` with Q a
  Haar-random orthogonal ka × ka matrix (:func:`polyterm.core.nulls.random_rotation`).
  For pca/ica codes this rotates *in the whitened space*: the same words, the same
  whitened geometry, but axes with no privileged direction. The fast path never forms
  ``a @ Q``: with ``A`` the column-centred ``a``, ``Z_b`` the standardised ``b``,
  ``M = Aᵀ Z_b`` and ``G = Aᵀ A`` (computed once),
  ``corr(a Q, b)[i, j] = (Qᵀ M)[i, j] / sqrt((Qᵀ G Q)[i, i])``, which costs O(ka²·kb)
  per repetition instead of O(n·ka·(ka + kb)). Columns of ``a @ Q`` with zero norm give
  r = 0, as in ``dimension_correlation``.
- ``'rotated-dictionary'`` — the deciding null for ``dict:K`` (:func:`rotated_dictionary_draws`,
  20 draws by default): A's dictionary is turned by a Haar-random rotation Q of A's
  space and A's words are coded on it again (the exact non-negative lasso, the same
  alpha). A dictionary fitted on a randomly rotated copy of A is A's dictionary rotated
  (the fit is rotation-equivariant), so this is "dictionaries fitted on rotated copies
  of the model", without refitting: the words' geometry, the atoms' geometry and the
  codes' sparsity are all kept; only the atoms' placement relative to the words is
  random. Non-negative codes cannot be rotated themselves (that gives dense signed
  codes no dictionary makes). With R draws, a pair is shared when its |r| is above the
  largest max |r| of all R draws (familywise error <= 1 / (R + 1), 0.048 for 20).
- ``'shuffle'`` — the rows of ``a`` are permuted (the word correspondence is broken,
  each model keeps its own codes). For ``dict:K`` it is the secondary line: it does not
  keep the shared geometry, so nearly every learned pair beats it (39 of 40 in the
  issue that introduced the rotated-dictionary null).

P-values (one per matched pair and per best-partner link): from the null distribution of
the *maximum* ``|r|`` over all ka × kb pairs in each repetition,
``p = (1 + #{repetitions with max |r| >= observed |r|}) / (1 + R)``. Being max-statistic
p-values they control the family-wise error over all pairs on their own; the number of
pairs "shared" is then counted with Benjamini–Hochberg at ``fdr_q`` (default 0.05) on
these p-values, which is conservative. The smallest possible p is 1 / (1 + R), so BH can
only declare pairs shared when R is large enough: with m pairs at least one needs
``1 / (1 + R) <= fdr_q / m``; hence the default R = 1000 (cheap on the fast path).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from polyterm.core.arrays import F64, FloatArray
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.core.arrays import readonly as _readonly
from polyterm.core.bases import BasisName, CancelFlag, ProgressFn, check_cancel, parse_basis_name
from polyterm.core.matching import (
    DimensionMatching,
    dimension_correlation,
    match_dimensions,
    standardised_columns,
)
from polyterm.core.nulls import NullSummary, random_rotation, summarise_null

NullKind = Literal["rotation", "shuffle", "rotated-dictionary"]
DEFAULT_REPETITIONS = 1000
DEFAULT_FDR_Q = 0.05
DICT_NULL_ROTATIONS = 20
"""Draws of the rotated-dictionary null (each codes every shared word again)."""
npt_bool = np.ndarray[Any, np.dtype[np.bool_]]


def default_null(name: str | BasisName) -> NullKind:
    """The null that fits a basis: rotation for raw/pca/ica, the rotated dictionary for
    dict:K (its word shuffle is a secondary line)."""
    return "rotated-dictionary" if parse_basis_name(name).kind == "dict" else "rotation"


def rotated_dictionary_draws(
    vectors_a: FloatArray,
    dictionary: FloatArray,
    alpha: float,
    b: FloatArray,
    *,
    repetitions: int = DICT_NULL_ROTATIONS,
    seed: int = 0,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> NullDraws:
    """The rotated-dictionary null (module docstring): R times, A's words (``vectors_a``,
    n × d, already divided by the basis's scale) coded on ``dictionary @ Q`` (K × d) with
    Q a Haar-random rotation, correlated with B's codes ``b`` (n × kb)."""
    from polyterm.core.sparse_coding import nonnegative_lasso

    x = _as_matrix(vectors_a, "vectors_a")
    atoms = _as_matrix(dictionary, "dictionary")
    y = _as_matrix(b, "b")
    if x.shape[0] != y.shape[0] or x.shape[1] != atoms.shape[1]:
        raise ValueError("vectors_a, dictionary and b do not fit together")
    if repetitions < 2:
        raise ValueError(f"repetitions must be >= 2, got {repetitions}")
    rng = np.random.default_rng(seed)
    maxes = np.empty(repetitions, dtype=np.float64)
    means = np.empty(repetitions, dtype=np.float64)
    for t in range(repetitions):
        check_cancel(cancel, "the rotated-dictionary null")
        if progress is not None:
            progress(t / repetitions, "null")
        q = random_rotation(x.shape[1], rng)
        codes = nonnegative_lasso(x, atoms @ q, alpha)
        absr = np.abs(dimension_correlation(codes, y))
        maxes[t] = float(absr.max())
        means[t] = _hungarian_mean(absr)
    if progress is not None:
        progress(1.0, "null")
    return NullDraws(
        kind="rotated-dictionary",
        seed=seed,
        max_abs_r=_readonly(maxes),
        mean_matched_abs_r=_readonly(means),
    )


def bh_adjusted(p_values: FloatArray) -> F64:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    ``q_(i) = min_{j >= i} min(1, m · p_(j) / j)`` over the ascending order; a pair is
    significant at FDR q exactly when its adjusted p-value is <= q.
    """
    p = np.asarray(p_values, dtype=np.float64).ravel()
    m = p.size
    if m == 0:
        return np.empty(0, dtype=np.float64)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must be finite and in [0, 1]")
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m, dtype=np.float64)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def benjamini_hochberg(p_values: FloatArray, q: float = DEFAULT_FDR_Q) -> npt_bool:
    """Which hypotheses Benjamini–Hochberg rejects at false-discovery rate ``q``.

    The largest i with ``p_(i) <= i · q / m`` (ascending order) and every hypothesis
    with a p-value at or below ``p_(i)`` are rejected.
    """
    if not 0 < q < 1:
        raise ValueError(f"q must be in (0, 1), got {q}")
    return bh_adjusted(p_values) <= q


def max_null_p_values(observed_abs_r: FloatArray, null_max_abs_r: FloatArray) -> F64:
    """``(1 + #{null max >= |r|}) / (1 + R)`` for each observed ``|r|``."""
    obs = np.abs(np.asarray(observed_abs_r, dtype=np.float64))
    null = np.sort(np.asarray(null_max_abs_r, dtype=np.float64))
    exceed = null.size - np.searchsorted(null, obs, side="left")
    return np.asarray((1.0 + exceed) / (1.0 + null.size), dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class NullDraws:
    """Per null repetition: the max ``|r|`` over all pairs, and the mean matched ``|r|``."""

    kind: NullKind
    seed: int
    max_abs_r: F64
    mean_matched_abs_r: F64


def _hungarian_mean(absr: F64) -> float:
    rows, cols = linear_sum_assignment(absr, maximize=True)
    return float(absr[rows, cols].mean()) if len(rows) else float("nan")


def _check_pair(a: FloatArray, b: FloatArray) -> tuple[F64, F64]:
    x = _as_matrix(a, "a")
    y = _as_matrix(b, "b")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"a and b must have the same rows, got {x.shape[0]} and {y.shape[0]}")
    if x.shape[0] < 2:
        raise ValueError("correlation needs at least 2 rows")
    if x.shape[1] < 1 or y.shape[1] < 1:
        raise ValueError("a and b need at least one column each")
    return x, y


ROTATION_BATCH_BYTES = 1 << 24
"""Memory for one batch of the rotation null's stacked ka × ka products."""
ROTATION_MEMO_BYTES = 1 << 27
"""Memory for the rotations kept between calls (`_rotations`): the rotation null's R
matrices depend only on (ka, seed, R), so every comparison of a report with the same
dimension and seed reuses them instead of drawing and factorising them again."""
_ROTATION_MEMO: OrderedDict[tuple[int, int, int], F64] = OrderedDict()
_ROTATION_LOCK = threading.Lock()


def random_rotations(d: int, count: int, rng: np.random.Generator) -> F64:
    """`count` Haar-distributed d × d orthogonal matrices (count × d × d): exactly the
    matrices `count` calls of :func:`polyterm.core.nulls.random_rotation` draw from `rng`
    (one QR each: numpy's stacked QR is slower than the loop)."""
    if d < 1 or count < 0:
        raise ValueError(f"d must be >= 1 and count >= 0, got {d} and {count}")
    out = np.empty((count, d, d), dtype=np.float64)
    for t in range(count):
        out[t] = random_rotation(d, rng)
    return out


def _rotations(d: int, seed: int, repetitions: int) -> F64 | None:
    """The rotation null's R rotations for `seed` (read-only), kept in a small memo;
    None when they would not fit in `ROTATION_MEMO_BYTES` (drawn batch by batch then)."""
    size = 8 * d * d * repetitions
    if size > ROTATION_MEMO_BYTES:
        return None
    key = (d, seed, repetitions)
    with _ROTATION_LOCK:
        hit = _ROTATION_MEMO.get(key)
        if hit is not None:
            _ROTATION_MEMO.move_to_end(key)
            return hit
    made = _readonly(random_rotations(d, repetitions, np.random.default_rng(seed)))
    with _ROTATION_LOCK:
        _ROTATION_MEMO[key] = made
        while sum(v.nbytes for v in _ROTATION_MEMO.values()) > ROTATION_MEMO_BYTES:
            _ROTATION_MEMO.popitem(last=False)
    return made


def _rotation_batches(
    x: F64,
    zb: F64,
    seed: int,
    maxes: F64,
    means: F64,
    cancel: CancelFlag | None,
    progress: ProgressFn | None,
) -> None:
    """The rotation null's fast path (module docstring), in stacked batches of
    repetitions: ``Qᵀ M`` and ``diag(Qᵀ G Q)`` for a batch of Q at once."""
    repetitions = maxes.size
    ka = x.shape[1]
    kept = _rotations(ka, seed, repetitions)
    rng = np.random.default_rng(seed)
    centred = x - x.mean(axis=0)
    cross = centred.T @ zb  # ka × kb
    gram = centred.T @ np.array(centred, copy=True)  # ka × ka
    batch = max(1, min(repetitions, ROTATION_BATCH_BYTES // (8 * ka * max(ka, zb.shape[1]))))
    for start in range(0, repetitions, batch):
        check_cancel(cancel, "the null repetitions")
        if progress is not None:
            progress(start / repetitions, "null")
        count = min(batch, repetitions - start)
        q = random_rotations(ka, count, rng) if kept is None else kept[start : start + count]
        # the batch side by side (ka × count·ka): two large products instead of 2·count
        # small ones (small BLAS calls spin on a busy machine)
        wide = np.ascontiguousarray(q.transpose(1, 0, 2)).reshape(ka, count * ka)
        norms = np.sqrt(np.maximum(np.einsum("ij,ij->j", wide, gram @ wide), 0.0))
        norms = norms.reshape(count, ka)
        zero = norms <= 0
        norms[zero] = 1.0
        r = (wide.T @ cross).reshape(count, ka, -1) / norms[:, :, None]
        r[zero] = 0.0
        absr = np.abs(np.clip(r, -1.0, 1.0, out=r), out=r)
        stop = start + q.shape[0]
        maxes[start:stop] = absr.max(axis=(1, 2))
        for i, t in enumerate(range(start, stop)):
            means[t] = _hungarian_mean(absr[i])


def null_draws(
    a: FloatArray,
    b: FloatArray,
    *,
    kind: NullKind = "rotation",
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
    fast: bool = True,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> NullDraws:
    """R null repetitions of the correlation between ``null(a)`` and ``b``.

    ``kind='rotation'``: ``a @ Q`` with ``Q = random_rotation(ka, rng)``;
    ``kind='shuffle'``: ``a[rng.permutation(n)]``. ``fast=False`` computes every
    repetition directly with ``dimension_correlation`` (the reference the fast path is
    tested against); both consume the generator identically, so they agree to rounding.
    """
    x, y = _check_pair(a, b)
    if kind == "rotated-dictionary":
        raise ValueError("the rotated-dictionary null needs the dictionary: use "
                         "rotated_dictionary_draws")  # fmt: skip
    if kind not in ("rotation", "shuffle"):
        raise ValueError(f"kind must be 'rotation' or 'shuffle', got {kind!r}")
    if repetitions < 2:
        raise ValueError(f"repetitions must be >= 2, got {repetitions}")
    rng = np.random.default_rng(seed)
    n, ka = x.shape
    maxes = np.empty(repetitions, dtype=np.float64)
    means = np.empty(repetitions, dtype=np.float64)
    zb = standardised_columns(y)
    if fast and kind == "rotation":
        _rotation_batches(x, zb, seed, maxes, means, cancel, progress)
    else:
        if fast:
            za_t = np.ascontiguousarray(standardised_columns(x).T)
        for t in range(repetitions):
            if t % 50 == 0:
                check_cancel(cancel, "the null repetitions")
                if progress is not None:
                    progress(t / repetitions, "null")
            if kind == "rotation":
                r = dimension_correlation(x @ random_rotation(ka, rng), y)
            else:
                perm = rng.permutation(n)
                if fast:
                    r = za_t[:, perm] @ zb
                    np.clip(r, -1.0, 1.0, out=r)
                else:
                    r = dimension_correlation(x[perm], y)
            absr = np.abs(r)
            maxes[t] = float(absr.max())
            means[t] = _hungarian_mean(absr)
    if progress is not None:
        progress(1.0, "null")
    return NullDraws(
        kind=kind,
        seed=seed,
        max_abs_r=_readonly(maxes),
        mean_matched_abs_r=_readonly(means),
    )


@dataclass(frozen=True, slots=True, eq=False)
class BasisMatching:
    """Result of :func:`match_bases` (arrays read-only).

    Attributes:
        matching: the one-to-one and best-partner matching
            (:class:`polyterm.core.matching.DimensionMatching`; its ``semi_*`` fields
            are the best partners).
        null: the null repetitions (max |r| and mean matched |r| per repetition).
        mean_matched: observed mean matched |r| against the null's (NullSummary).
        matched_p: per matched pair (``matching.matched_*`` order), the max-|r| p-value.
        matched_shared: per matched pair, True when BH at ``fdr_q`` keeps it.
        n_shared: number of matched pairs shared at ``fdr_q``.
        best_a_p, best_b_p: max-|r| p-value of each axis/atom of a (of b) with its
            best partner.
        best_a_shared, best_b_shared: BH at ``fdr_q`` over ``best_a_p`` (``best_b_p``).
        fdr_q: the false-discovery rate.
    """

    matching: DimensionMatching
    null: NullDraws
    mean_matched: NullSummary
    matched_p: F64
    matched_shared: npt_bool
    n_shared: int
    best_a_p: F64
    best_a_shared: npt_bool
    best_b_p: F64
    best_b_shared: npt_bool
    fdr_q: float


def match_bases(
    a: FloatArray,
    b: FloatArray,
    *,
    null: NullKind = "rotation",
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
    fdr_q: float = DEFAULT_FDR_Q,
    k: int = 10,
    words: list[str] | tuple[str, ...] | None = None,
    draws: NullDraws | None = None,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> BasisMatching:
    """Match the codes ``a`` (n × ka) to ``b`` (n × kb) and read every pair against ``null``.

    Use :func:`default_null` to pick the null for a basis. ``k`` and ``words`` are passed
    to :func:`polyterm.core.matching.match_dimensions` (top-k words of each matched pair).
    See the module docstring for the p-values and the FDR count.
    """
    if not 0 < fdr_q < 1:
        raise ValueError(f"fdr_q must be in (0, 1), got {fdr_q}")
    x, y = _check_pair(a, b)
    matching = match_dimensions(x, y, k=k, words=words)
    if draws is None:
        draws = null_draws(
            x, y, kind=null, repetitions=repetitions, seed=seed, cancel=cancel, progress=progress
        )
    elif draws.kind != null:
        raise ValueError(f"the draws are of the {draws.kind} null, not {null}")
    matched_p = max_null_p_values(matching.matched_r, draws.max_abs_r)
    best_a_p = max_null_p_values(matching.semi_a_to_b_r, draws.max_abs_r)
    best_b_p = max_null_p_values(matching.semi_b_to_a_r, draws.max_abs_r)
    if null == "rotated-dictionary":  # few, costly draws: above every draw's max |r|
        top = float(draws.max_abs_r.max())
        shared = np.abs(matching.matched_r) > top
        best_a = np.abs(matching.semi_a_to_b_r) > top
        best_b = np.abs(matching.semi_b_to_a_r) > top
    else:
        shared = benjamini_hochberg(matched_p, fdr_q)
        best_a = benjamini_hochberg(best_a_p, fdr_q)
        best_b = benjamini_hochberg(best_b_p, fdr_q)
    return BasisMatching(
        matching=matching,
        null=draws,
        mean_matched=summarise_null(
            matching.mean_matched_abs_r,
            draws.mean_matched_abs_r,
            kind="rotation" if null == "rotated-dictionary" else null,
            seed=draws.seed,
        ),
        matched_p=_readonly(matched_p),
        matched_shared=_readonly(np.asarray(shared)),
        n_shared=int(shared.sum()),
        best_a_p=_readonly(best_a_p),
        best_a_shared=_readonly(np.asarray(best_a)),
        best_b_p=_readonly(best_b_p),
        best_b_shared=_readonly(np.asarray(best_b)),
        fdr_q=fdr_q,
    )
