"""Blind alignment: recover which row of B is which row of A from the geometry alone.

Two models that share a vocabulary give the truth for free, so recovering the word
correspondence *without anchors* becomes a measurement with a ceiling and a null.

Protocol (every step uses only what a blind method may know):

1. Both matrices (the same n words, in the same order) are unit-normalised, centred and
   unit-normalised again (Artetxe et al. 2018); the model with more dimensions is
   PCA-reduced to the other's (`procrustes.pca_project`, no correspondence needed).
2. **Hiding**: B's rows are permuted with the seed. The pipeline sees A's rows and the
   permuted B rows, never the permutation, never a row position or a count of B. Row
   positions are never used as a cue on either side: every ordering the method uses is
   an isometry-invariant *geometric* one computed inside each model (`density`: the
   mean cosine of a word to its 10 nearest neighbours in its own model), so permuting
   A's rows changes nothing but the random draws. (A's frequency order would be a
   legitimate restriction of A's queries, but B's is not: models trained on one corpus
   have the same counts, so B's frequency order is nearly the answer. Using it on one
   side only would cut B's candidates inconsistently, so neither is used.)
3. Starts, each an initial dictionary (pairs of A rows and hidden B rows):

   - ``sorted``: sorted within-model similarity distributions (Artetxe et al. 2018). A
     word's descriptor is the sorted row of ``sqrt(M) = X (XᵀX)^{-1/2} Xᵀ`` against a
     random reference sample of its own model, cut to evenly spaced quantiles,
     normalised; the start is the CSLS nearest neighbours of the descriptors, both ways,
     restricted to the densest words of each model.
   - ``ica``: polyterm's ICA basis (`core.bases.fit_ica_rotation`) fitted in each model
     separately on its densest words; the axes of the two models matched one-to-one by
     the shape of their code distributions (quantile functions, Hungarian; signs are
     fixed by positive skewness), then words paired by CSLS in the matched code space.
   - ``gw``: entropic Gromov–Wasserstein (Mémoli 2011; Peyré et al. 2016;
     Alvarez-Melis & Jaakkola 2018): POT's `entropic_gromov_wasserstein` (square loss on
     cosine distances scaled to [0, 1]) between the densest ``gw_words`` of each model;
     the dictionary is each row's and each column's most probable partner. POT is
     imported only here; without it the start is skipped with that reason.

4. Self-learning from each start (Artetxe et al. 2018; Conneau et al. 2018): orthogonal
   Procrustes on the dictionary, then a new dictionary by CSLS (k = 10) nearest
   neighbours in both directions (forward A→B and backward B→A, concatenated) with
   *stochastic dictionary induction* (each similarity kept with probability p, p
   doubling from 0.1 to 1 whenever the objective stops improving) and a cut-off to the
   densest c words of each model that grows with p to all n. The objective is the mean
   best CSLS similarity over both directions; a run ends when p = 1 over all words and
   the objective has converged.
5. **Selection**: the run with the highest objective (the truth is never consulted); a
   run whose objective is within COLLAPSE_MARGIN of a random rotation's is marked
   collapsed and is chosen only when every run collapsed.
6. Optional **one-to-one** final assignment: Hungarian (scipy `linear_sum_assignment`)
   on the final CSLS similarity — this needs one n × n float64 cost matrix.

Scoring (the truth used only here): accuracy@1 and @10 of CSLS retrieval of each A word
among all n hidden B rows, the accuracy of the one-to-one assignment, the supervised
ceiling (orthogonal Procrustes on the true correspondence of all n words, scored the same
way), and chance 1/n. Memory: similarity matrices are float32, whole up to FULL_LIMIT
entries and in blocks of rows above; the only n × n float64 array is the Hungarian cost
matrix (scipy converts the float32 CSLS matrix).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from polyterm.core.arrays import F64, I64, FloatArray
from polyterm.core.bases import CancelFlag, ProgressFn, check_cancel
from polyterm.core.procrustes import pca_project

F32 = npt.NDArray[np.float32]

DEFAULT_WORDS = 4000
MIN_WORDS = 100
MIN_DIMS = 3
CSLS_K = 10
DENSITY_K = 10
BLOCK = 1024
ANCHORS = (0, 10, 50, 100, 500)
ONE_TO_ONE_LIMIT = 5000
"""Above this many words the one-to-one assignment is off unless asked for (its cost
matrix is n × n float64: 200 MB at 5,000 words)."""


class BlindInputError(ValueError):
    """Input on which blind alignment has no meaning (the message says why, in one line)."""


@dataclass(frozen=True, slots=True)
class BlindConfig:
    """The method's settings (defaults are the command's)."""

    csls_k: int = CSLS_K
    keep_start: float = 0.1
    tol: float = 1e-4
    patience: int = 2
    max_rounds_per_stage: int = 3
    max_rounds: int = 20
    cutoff_start: int = 500
    init_words: int = 2000
    reference_words: int = 2000
    quantiles: int = 200
    gw_words: int = 500
    gw_epsilon: float = 0.005
    gw_iterations: int = 100
    starts: tuple[str, ...] = ("sorted", "ica")
    one_to_one: bool | None = None
    """None: on for n <= ONE_TO_ONE_LIMIT."""


# -- preprocessing ---------------------------------------------------------------------


def _unit(x: F64) -> F64:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: F64 = x / norms
    return out


def normalise(x: FloatArray) -> F64:
    """Unit rows, centred columns, unit rows (Artetxe et al. 2018's normalisation)."""
    m = _unit(np.asarray(x, dtype=np.float64))
    return _unit(m - m.mean(axis=0))


def check_inputs(a: FloatArray, b: FloatArray) -> None:
    """Refuse input on which an accuracy would mean nothing (BlindInputError, one line)."""
    x, y = np.asarray(a), np.asarray(b)
    if x.ndim != 2 or y.ndim != 2:
        raise BlindInputError("blind alignment needs two words × dimensions matrices")
    if x.shape[0] != y.shape[0]:
        raise BlindInputError(f"the two matrices hold {x.shape[0]} and {y.shape[0]} words")
    n = x.shape[0]
    if n < MIN_WORDS:
        raise BlindInputError(
            f"only {n} shared words: blind alignment needs at least {MIN_WORDS} "
            "(with fewer, chance and recovery cannot be told apart)"
        )
    for name, m in (("A", x), ("B", y)):
        if m.shape[1] < MIN_DIMS:
            raise BlindInputError(
                f"model {name} has {m.shape[1]} dimension{'s' * (m.shape[1] != 1)}: "
                f"blind alignment needs at least {MIN_DIMS} (in 1 or 2 dimensions a "
                "geometry has no shape to recover words from)"
            )
        if not np.all(np.isfinite(m)):
            raise BlindInputError(f"model {name} has NaN or infinite values")
        norms = np.linalg.norm(m, axis=1)
        zero = int(np.count_nonzero(norms == 0))
        if zero:
            raise BlindInputError(
                f"model {name} has {zero} all-zero row{'s' * (zero != 1)} among the shared "
                "words: a zero vector has no direction; drop those words"
            )
        twins = duplicate_rows(_unit(np.asarray(m, dtype=np.float64)))
        if twins:
            raise BlindInputError(
                f"model {name} has {twins} duplicate row{'s' * (twins != 1)} "
                "(words with the same direction): they cannot be told apart without anchors; "
                "drop the duplicates"
            )
        c = normalise(m)
        if float(np.linalg.svd(c, compute_uv=False)[0]) < 1e-9:
            raise BlindInputError(f"model {name} has zero variance across the shared words")


DUPLICATE_COSINE = 1.0 - 1e-6


def duplicate_rows(u: F64, block: int = 256) -> int:
    """How many unit rows have another row of (nearly) the same direction (cosine above
    DUPLICATE_COSINE): the later row of each such pair is counted once."""
    twins = np.zeros(u.shape[0], dtype=bool)
    for s in range(0, u.shape[0], block):
        sims = u[s : s + block] @ u.T
        later = np.arange(u.shape[0])[None, :] >= (s + np.arange(sims.shape[0]))[:, None]
        sims[later] = -np.inf  # only earlier rows count: each pair once
        twins[s : s + block] = (sims > DUPLICATE_COSINE).any(axis=1)
    return int(np.count_nonzero(twins))


def common_space(a: FloatArray, b: FloatArray) -> tuple[F64, F64, int | None]:
    """Both normalised; the one with more dimensions PCA-reduced to the other's (then
    normalised again). Returns (x, z, reduced_to)."""
    x, z = normalise(a), normalise(b)
    d = min(x.shape[1], z.shape[1])
    reduced: int | None = None
    if x.shape[1] > d:
        x, reduced = normalise(pca_project(x, d)), d
    elif z.shape[1] > d:
        z, reduced = normalise(pca_project(z, d)), d
    return x, z, reduced


def hide(z: F64, rng: np.random.Generator) -> tuple[F64, I64]:
    """B's rows permuted: ``hidden[j] = z[perm[j]]``; A's row i is hidden row
    ``truth[i]`` (``truth = argsort(perm)``). Returns (hidden, truth)."""
    perm = rng.permutation(z.shape[0])
    truth = np.argsort(perm).astype(np.int64)
    return np.ascontiguousarray(z[perm]), truth


# -- similarity in blocks --------------------------------------------------------------


def _blocks(p: F32, q: F32, block: int = BLOCK) -> list[tuple[int, F32]]:
    return [(s, p[s : s + block] @ q.T) for s in range(0, p.shape[0], block)]


def _topk_mean(s: F32, k: int) -> F32:
    k = min(k, s.shape[1])
    out: F32 = np.partition(s, s.shape[1] - k, axis=1)[:, -k:].mean(axis=1, dtype=np.float32)
    return out


def knn_mean(p: F32, q: F32, k: int, block: int = BLOCK) -> F32:
    """Per row of p, the mean of its k largest similarities with the rows of q."""
    out = np.empty(p.shape[0], dtype=np.float32)
    for s in range(0, p.shape[0], block):
        out[s : s + block] = _topk_mean(p[s : s + block] @ q.T, k)
    return out


def density(x: F64, k: int = DENSITY_K, block: int = BLOCK) -> F64:
    """Mean cosine of each row to its k nearest other rows in its own model: an
    isometry-invariant ordering (no counts, no row positions)."""
    u = x.astype(np.float32)
    out = np.empty(x.shape[0])
    for s in range(0, u.shape[0], block):
        sims = u[s : s + block] @ u.T
        rows = np.arange(sims.shape[0])
        sims[rows, s + rows] = -np.inf
        out[s : s + block] = _topk_mean(sims, k)
    return out


def dense_order(x: F64, rng: np.random.Generator) -> I64:
    """Rows from the densest, ties broken at random (never by row position)."""
    dens = density(x)
    jitter = rng.random(x.shape[0])
    order: I64 = np.lexsort(np.vstack([jitter, -dens])).astype(np.int64)
    return order


FULL_LIMIT = 40_000_000
"""Similarity matrices up to this many float32 entries (160 MB) are computed whole,
once per round; larger ones in blocks of rows (three products instead of one)."""


def _dropout(c: F32, keep: float, rng: np.random.Generator) -> None:
    """Set each entry of c to −∞ with probability 1 − keep (in place; one random byte
    per entry)."""
    threshold = round(keep * 256)
    if threshold >= 256:
        return
    draws = np.frombuffer(rng.bytes(c.size), dtype=np.uint8).reshape(c.shape)
    np.putmask(c, draws >= threshold, -np.inf)


def csls_nearest(
    p: F32,
    q: F32,
    k: int,
    *,
    keep: float = 1.0,
    rng: np.random.Generator | None = None,
    block: int = BLOCK,
) -> tuple[I64, F32, I64, F32]:
    """CSLS nearest neighbours both ways between rows of p and rows of q.

    CSLS(i, j) = 2 cos(p_i, q_j) − r_p(i) − r_q(j), r the mean similarity of the k nearest
    rows on the other side (Conneau et al. 2018). With ``keep < 1`` every similarity is
    dropped (−∞) with probability 1 − keep before the arg-max (stochastic dictionary
    induction; the r terms use all similarities). Returns (forward[i], its CSLS,
    backward[j], its CSLS).
    """
    if p.shape[0] * q.shape[0] <= FULL_LIMIT:
        # Two products rather than one and a transpose: a column arg-max or a transpose
        # of an n × m float32 matrix is several times slower than the product itself.
        sims = p @ q.T
        back = q @ p.T
        r_p = _topk_mean(sims, k)
        r_q = _topk_mean(back, k)
        out = []
        for c, r_row, r_col in ((sims, r_p, r_q), (back, r_q, r_p)):
            c *= 2.0
            c -= r_col[None, :]
            c -= r_row[:, None]
            if keep < 1.0 and rng is not None:
                _dropout(c, keep, rng)
            best = np.argmax(c, axis=1)
            out += [best.astype(np.int64), c[np.arange(c.shape[0]), best]]
        return out[0], out[1], out[2], out[3]
    r_p = knn_mean(p, q, k, block)
    r_q = knn_mean(q, p, k, block)
    fwd = np.empty(p.shape[0], dtype=np.int64)
    fwd_v = np.empty(p.shape[0], dtype=np.float32)
    bwd_v = np.full(q.shape[0], -np.inf, dtype=np.float32)
    bwd = np.zeros(q.shape[0], dtype=np.int64)
    for s in range(0, p.shape[0], block):
        c = p[s : s + block] @ q.T
        c *= 2.0
        c -= r_q[None, :]
        c -= r_p[s : s + block, None]
        if keep < 1.0 and rng is not None:
            _dropout(c, keep, rng)
        f = np.argmax(c, axis=1)
        fwd[s : s + block] = f
        fwd_v[s : s + block] = c[np.arange(c.shape[0]), f]
        b = np.argmax(c, axis=0)
        bv = c[b, np.arange(c.shape[1])]
        better = bv > bwd_v
        bwd[better] = b[better] + s
        bwd_v[better] = bv[better]
    return fwd, fwd_v, bwd, bwd_v


def csls_matrix(p: F32, q: F32, k: int, block: int = BLOCK) -> F32:
    """The whole CSLS matrix (n × m float32): for the one-to-one assignment only."""
    r_p = knn_mean(p, q, k, block)
    r_q = knn_mean(q, p, k, block)
    out = np.empty((p.shape[0], q.shape[0]), dtype=np.float32)
    for s in range(0, p.shape[0], block):
        out[s : s + block] = 2.0 * (p[s : s + block] @ q.T) - r_q[None, :]
        out[s : s + block] -= r_p[s : s + block, None]
    return out


def procrustes_rotation(x: F64, z: F64) -> F64:
    """The orthogonal W minimising ||x W − z||_F (rows paired)."""
    u, _, vt = np.linalg.svd(x.T @ z)
    out: F64 = u @ vt
    return out


# -- starts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dictionary:
    """Pairs (A row, hidden B row) a start or a round proposes."""

    src: I64
    tgt: I64


def _inverse_sqrt(c: F64) -> F64:
    values, vectors = np.linalg.eigh(c)
    values = np.maximum(values, values.max() * 1e-12)
    out: F64 = (vectors / np.sqrt(values)) @ vectors.T
    return out


def _descriptors(x: F64, rows: I64, rng: np.random.Generator, cfg: BlindConfig) -> F32:
    """Sorted sqrt-similarity rows of `rows` against a random reference sample of the
    same model, at evenly spaced quantiles, normalised (unit, centre, unit)."""
    n = x.shape[0]
    reference = rng.choice(n, size=min(n, cfg.reference_words), replace=False)
    w = _inverse_sqrt(x.T @ x)
    sims = ((x[rows] @ w) @ x[reference].T).astype(np.float32)
    sims.sort(axis=1)
    q = min(cfg.quantiles, sims.shape[1])
    cols = np.round(np.linspace(0, sims.shape[1] - 1, q)).astype(np.int64)
    return normalise(sims[:, cols]).astype(np.float32)


def sorted_start(
    x: F64, z: F64, order_x: I64, order_z: I64, rng: np.random.Generator, cfg: BlindConfig
) -> Dictionary:
    """Artetxe et al. (2018)'s start on the densest `init_words` of each model."""
    m = min(x.shape[0], cfg.init_words)
    rx, rz = order_x[:m], order_z[:m]
    dx = _descriptors(x, rx, rng, cfg)
    dz = _descriptors(z, rz, rng, cfg)
    fwd, _, bwd, _ = csls_nearest(dx, dz, cfg.csls_k)
    src = np.concatenate([rx, rx[bwd]])
    tgt = np.concatenate([rz[fwd], rz])
    return Dictionary(src.astype(np.int64), tgt.astype(np.int64))


class StartSkipped(Exception):
    """A start that cannot run here; the message is the stated reason."""


def gw_start(
    x: F64,
    z: F64,
    order_x: I64,
    order_z: I64,
    rng: np.random.Generator,
    cfg: BlindConfig,
    cancel: CancelFlag | None = None,
) -> Dictionary:
    """Entropic Gromov–Wasserstein (POT's `entropic_gromov_wasserstein`, square loss on
    cosine distances scaled to [0, 1]) between the densest `gw_words` of each model; the
    dictionary is each row's (and each column's) most probable partner."""
    try:
        import ot
    except ImportError:
        raise StartSkipped(
            "the Gromov–Wasserstein start needs POT (pip install 'polyterm[blind]')"
        ) from None
    import warnings

    check_cancel(cancel, "blind alignment")
    m = min(x.shape[0], cfg.gw_words)
    rx, rz = order_x[:m], order_z[:m]
    c1 = 1.0 - x[rx] @ x[rx].T
    c2 = 1.0 - z[rz] @ z[rz].T
    c1 /= max(float(c1.max()), 1e-12)
    c2 /= max(float(c2.max()), 1e-12)
    p = np.full(m, 1.0 / m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # POT's Sinkhorn convergence warnings
        t = np.asarray(ot.gromov.entropic_gromov_wasserstein(
            c1, c2, p, p, "square_loss", epsilon=cfg.gw_epsilon, max_iter=cfg.gw_iterations
        ))  # fmt: skip
    check_cancel(cancel, "blind alignment")
    return Dictionary(
        np.concatenate([rx, rx[np.argmax(t, axis=0)]]).astype(np.int64),
        np.concatenate([rz[np.argmax(t, axis=1)], rz]).astype(np.int64),
    )


def _ica_codes(x: F64, fit_rows: I64, seed: int) -> F64:
    """Whitened PCA scores rotated by ICA (polyterm's own ICA basis, Picard-O,
    `core.bases.fit_ica_rotation`) fitted on `fit_rows`: components with positive
    skewness, by skewness."""
    from polyterm.core.bases import fit_ica_rotation

    c = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(c.T @ c / c.shape[0])
    keep = values > values.max() * 1e-10
    scores = (c @ vectors[:, keep]) / np.sqrt(values[keep])
    unmixing = fit_ica_rotation(scores[fit_rows], seed, max_iter=200).unmixing
    out: F64 = scores @ unmixing.T
    return out


def _quantile_profile(codes: F64, points: int = 101) -> F64:
    out: F64 = np.quantile(codes, np.linspace(0.005, 0.995, points), axis=0).T
    return out


def ica_start(
    x: F64, z: F64, order_x: I64, order_z: I64, seed: int, cfg: BlindConfig
) -> Dictionary:
    """Match the two models' ICA axes by the shape of their code distributions (quantile
    functions, Hungarian), then pair words by CSLS in the matched code space."""
    from scipy.optimize import linear_sum_assignment

    m = min(x.shape[0], cfg.init_words)
    ca, cb = _ica_codes(x, order_x[:m], seed), _ica_codes(z, order_z[:m], seed)
    qa, qb = _quantile_profile(ca), _quantile_profile(cb)
    cost = ((qa[:, None, :] - qb[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    d = min(ca.shape[1], cb.shape[1])
    pa = _unit(ca[:, rows[:d]])
    pb = _unit(cb[:, cols[:d]])
    rx, rz = order_x[:m], order_z[:m]
    fwd, _, bwd, _ = csls_nearest(pa[rx].astype(np.float32), pb[rz].astype(np.float32),
                                  cfg.csls_k)  # fmt: skip
    return Dictionary(
        np.concatenate([rx, rx[bwd]]).astype(np.int64),
        np.concatenate([rz[fwd], rz]).astype(np.int64),
    )


# -- self-learning ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Round:
    """One self-learning round: its keep probability, cut-off, objective and (scored
    afterwards, against the truth) the accuracy@1 of plain CSLS retrieval at that point."""

    index: int
    keep: float
    cutoff: int
    objective: float
    accuracy: float | None
    seconds: float


@dataclass(frozen=True, slots=True)
class SelfLearning:
    rotation: F64
    objective: float
    mutual: float
    """share of A words whose CSLS partner's own partner is that word (both ways agree)"""
    rounds: tuple[Round, ...]
    seconds: float
    stage_ends: Mapping[tuple[float, int], float] = field(default_factory=dict)
    """the objective at the end of each stochastic stage (keep, cut-off)"""
    stopped: str = ""
    """why the run was stopped early by the race (empty: it ran to convergence)"""


RACE_MARGIN = 0.03
"""A later start stops when its objective at the end of a stage is this far below the
earlier start's at the same stage."""

Scorer = Callable[[F64], float]
"""rotation → accuracy@1 against the truth (scoring only; never steers the method)."""


def self_learn(
    x: F64,
    z: F64,
    start: Dictionary,
    order_x: I64,
    order_z: I64,
    rng: np.random.Generator,
    cfg: BlindConfig,
    *,
    stochastic: bool = True,
    scorer: Scorer | None = None,
    cancel: CancelFlag | None = None,
    progress: Callable[[str], None] | None = None,
    race: Mapping[tuple[float, int], float] | None = None,
) -> SelfLearning:
    """Procrustes ↔ CSLS dictionary to convergence (module doc, step 4).

    `race`: an earlier run's objective at the end of each stage (keep, cut-off); this run
    stops at the end of a stage whose objective is more than RACE_MARGIN below it (the
    objective alone decides, never the truth)."""
    t0 = time.perf_counter()
    n = x.shape[0]
    x32, z32 = x.astype(np.float32), z.astype(np.float32)
    keep = cfg.keep_start if stochastic else 1.0
    cutoff = min(n, cfg.cutoff_start) if stochastic else n
    dictionary = start
    rounds: list[Round] = []
    stage_ends: dict[tuple[float, int], float] = {}
    stopped = ""
    best = -math.inf
    stale = 0
    stage_rounds = 0
    w = procrustes_rotation(x[dictionary.src], z[dictionary.tgt])
    for index in range(cfg.max_rounds):
        check_cancel(cancel, "blind alignment")
        r0 = time.perf_counter()
        w = procrustes_rotation(x[dictionary.src], z[dictionary.tgt])
        rx, rz = order_x[:cutoff], order_z[:cutoff]
        p = x32[rx] @ w.astype(np.float32)
        fwd, fv, bwd, bv = csls_nearest(p, z32[rz], cfg.csls_k, keep=keep, rng=rng)
        objective = float((fv.mean() + bv.mean()) / 2)
        dictionary = Dictionary(
            np.concatenate([rx, rx[bwd]]).astype(np.int64),
            np.concatenate([rz[fwd], rz]).astype(np.int64),
        )
        stage_rounds += 1
        if objective > best + cfg.tol:
            best, stale = objective, 0
        else:
            stale += 1
        accuracy = scorer(w) if scorer is not None else None
        rounds.append(Round(index, keep, cutoff, objective, accuracy, time.perf_counter() - r0))
        if progress is not None:
            progress(f"round {index + 1}: keep {keep:.2f}, {cutoff:,} words, "
                     f"objective {objective:.4f}")  # fmt: skip
        final_stage = keep >= 1.0 and cutoff >= n
        if final_stage and stale >= cfg.patience:
            break  # converged: deterministic induction over all words stopped improving
        if not final_stage and (stale >= cfg.patience or stage_rounds >= cfg.max_rounds_per_stage):
            stage_ends[(keep, cutoff)] = objective
            rival = race.get((keep, cutoff)) if race else None
            if rival is not None and objective < rival - RACE_MARGIN:
                stopped = (
                    f"stopped after {index + 1} rounds: at keep {keep:.2f} over {cutoff:,} "
                    f"words its objective {objective:.4f} was more than {RACE_MARGIN} below "
                    f"the earlier start's {rival:.4f}"
                )
                break
            keep = min(1.0, keep * 2)
            cutoff = min(n, cutoff * 2)
            best, stale, stage_rounds = -math.inf, 0, 0
    w = procrustes_rotation(x[dictionary.src], z[dictionary.tgt])
    final = csls_nearest(x32 @ w.astype(np.float32), z32, cfg.csls_k)
    objective = float((final[1].mean() + final[3].mean()) / 2)
    return SelfLearning(
        w,
        objective,
        mutual_share(final[0], final[2]),
        tuple(rounds),
        time.perf_counter() - t0,
        stage_ends,
        stopped,
    )


def mutual_share(forward: I64, backward: I64) -> float:
    """Share of rows i with backward[forward[i]] == i (mutual nearest neighbours)."""
    return float(np.mean(backward[forward] == np.arange(forward.shape[0])))


# -- scoring ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Score:
    """Accuracy of one rotation against the truth: CSLS retrieval @1 and @10 over all n
    hidden rows, and (when computed) of the one-to-one assignment."""

    at1: float
    at10: float
    one_to_one: float | None
    ranks: I64 = field(repr=False)
    predicted: I64 = field(repr=False)
    """the hidden row each A word is mapped to (the assignment's when one-to-one)"""
    confidence: F32 = field(repr=False)

    @property
    def best(self) -> float:
        return self.one_to_one if self.one_to_one is not None else self.at1


def score(
    x: F64, z: F64, rotation: F64, truth: I64, *, k: int = CSLS_K, one_to_one: bool = False
) -> Score:
    p = (x @ rotation).astype(np.float32)
    q = z.astype(np.float32)
    r_p = knn_mean(p, q, k)
    r_q = knn_mean(q, p, k)
    n = p.shape[0]
    ranks = np.empty(n, dtype=np.int64)
    predicted = np.empty(n, dtype=np.int64)
    best = np.empty(n, dtype=np.float32)
    for s in range(0, n, BLOCK):
        c = 2.0 * (p[s : s + BLOCK] @ q.T) - r_q[None, :] - r_p[s : s + BLOCK, None]
        rows = np.arange(c.shape[0])
        true_v = c[rows, truth[s : s + BLOCK]]
        ranks[s : s + BLOCK] = np.count_nonzero(c > true_v[:, None], axis=1)
        predicted[s : s + BLOCK] = np.argmax(c, axis=1)
        best[s : s + BLOCK] = c[rows, predicted[s : s + BLOCK]]
    assigned: float | None = None
    if one_to_one:
        from scipy.optimize import linear_sum_assignment

        cost = csls_matrix(p, q, k)
        rows, cols = linear_sum_assignment(cost, maximize=True)
        predicted = np.empty(n, dtype=np.int64)
        predicted[rows] = cols
        assigned = float(np.mean(predicted == truth))
        best = cost[np.arange(n), predicted]
        del cost
    return Score(
        at1=float(np.mean(ranks == 0)),
        at10=float(np.mean(ranks < 10)),
        one_to_one=assigned,
        ranks=ranks,
        predicted=predicted,
        confidence=best.astype(np.float32),
    )


def quick_accuracy(x32: F32, z32: F32, truth: I64) -> Scorer:
    """A scorer for the per-round curve: nearest-neighbour (cosine) accuracy@1 of a
    rotation over all n words (one product per block, cheaper than CSLS)."""

    def run(rotation: F64) -> float:
        p = x32 @ rotation.astype(np.float32)
        hits = 0
        for s in range(0, p.shape[0], BLOCK):
            hits += int(np.count_nonzero(np.argmax(p[s : s + BLOCK] @ z32.T, axis=1)
                                         == truth[s : s + BLOCK]))  # fmt: skip
        return float(hits / p.shape[0])

    return run


# -- the whole pipeline ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartRun:
    """One start and its self-learning: what it found, by its own objective."""

    name: str
    status: str
    """"ok", "collapsed" (its objective is no better than a random rotation's),
    "stopped" (it fell behind an earlier start at a stage: see `self_learn`'s race) or
    "skipped" (a stated reason)"""
    reason: str
    start_accuracy: float | None
    start_seconds: float
    learning: SelfLearning | None
    objective: float | None
    accuracy: float | None
    """CSLS accuracy@1 of this run's final rotation (scored after selection)"""


@dataclass(frozen=True, slots=True)
class BlindResult:
    n: int
    dims: tuple[int, int]
    reduced_to: int | None
    seed: int
    runs: tuple[StartRun, ...]
    chosen: str | None
    """the run selected by the objective (None: every start was skipped or failed)"""
    floor: float
    """the objective of a random rotation (a collapsed run scores about this)"""
    score: Score | None
    stage_seconds: tuple[tuple[str, float], ...]
    truth: I64 = field(repr=False)


def _run_start(
    name: str,
    x: F64,
    z: F64,
    order_x: I64,
    order_z: I64,
    rng: np.random.Generator,
    cfg: BlindConfig,
    scorer: Scorer | None,
    cancel: CancelFlag | None,
    progress: Callable[[str], None] | None,
    race: Mapping[tuple[float, int], float] | None = None,
) -> StartRun:
    t0 = time.perf_counter()
    try:
        if name == "sorted":
            start = sorted_start(x, z, order_x, order_z, rng, cfg)
        elif name == "gw":
            start = gw_start(x, z, order_x, order_z, rng, cfg, cancel)
        elif name == "ica":
            start = ica_start(x, z, order_x, order_z, int(rng.integers(2**31)), cfg)
        else:
            raise StartSkipped(f"unknown start {name!r}")
    except StartSkipped as exc:
        return StartRun(name, "skipped", str(exc), None, 0.0, None, None, None)
    start_seconds = time.perf_counter() - t0
    start_accuracy = None
    if scorer is not None:
        start_accuracy = scorer(procrustes_rotation(x[start.src], z[start.tgt]))
    learning = self_learn(
        x, z, start, order_x, order_z, rng, cfg, scorer=scorer, cancel=cancel,
        progress=(lambda m: progress(f"{name}: {m}")) if progress else None, race=race,
    )  # fmt: skip
    final = learning.rounds[-1].accuracy if learning.rounds else None
    if scorer is not None:
        final = scorer(learning.rotation)
    status = "stopped" if learning.stopped else "ok"
    return StartRun(
        name, status, learning.stopped, start_accuracy, start_seconds, learning,
        learning.objective, final,
    )  # fmt: skip


def collapse_floor(
    x: F64, z: F64, rng: np.random.Generator, k: int = CSLS_K
) -> tuple[float, float]:
    """The objective and mutual-neighbour share of a random rotation: what a run that
    found nothing scores."""
    q, _ = np.linalg.qr(rng.standard_normal((x.shape[1], x.shape[1])))
    fwd = csls_nearest((x @ q).astype(np.float32), z.astype(np.float32), k)
    return float((fwd[1].mean() + fwd[3].mean()) / 2), mutual_share(fwd[0], fwd[2])


COLLAPSE_MARGIN = 0.01


def collapsed(learning: SelfLearning, floor: float) -> bool:
    """A run collapsed when its objective is within COLLAPSE_MARGIN of a random
    rotation's (unsupervised: the truth is not consulted)."""
    return learning.objective <= floor + COLLAPSE_MARGIN


def blind_align(
    a: FloatArray,
    b: FloatArray,
    *,
    seed: int = 0,
    cfg: BlindConfig = BlindConfig(),
    curve: bool = True,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> BlindResult:
    """Hide B's row order, align from each start, keep the best run by its objective,
    then score it against the truth. `a[i]` and `b[i]` are the same word."""
    check_inputs(a, b)
    timings: list[tuple[str, float]] = []
    t = time.perf_counter()
    rng = np.random.default_rng(seed)
    x, z_open, reduced = common_space(a, b)
    z, truth = hide(z_open, rng)
    order_x = dense_order(x, rng)
    order_z = dense_order(z, rng)
    timings.append(("prepare, hide, order", time.perf_counter() - t))
    n = x.shape[0]
    scorer = quick_accuracy(x.astype(np.float32), z.astype(np.float32), truth) if curve else None
    say = (lambda m: progress(0.5, m)) if progress else None
    runs: list[StartRun] = []
    for i, name in enumerate(cfg.starts):
        if progress is not None:
            progress(i / (len(cfg.starts) + 1), f"start {name}")
        t = time.perf_counter()
        race: dict[tuple[float, int], float] = {}
        for earlier in runs:  # race against the best earlier run at each stage
            if earlier.learning is not None and earlier.status == "ok":
                for key, value in earlier.learning.stage_ends.items():
                    race[key] = max(race.get(key, -math.inf), value)
        runs.append(_run_start(name, x, z, order_x, order_z, rng, cfg, scorer, cancel, say, race))
        timings.append((f"start {name} + self-learning", time.perf_counter() - t))
    t = time.perf_counter()
    floor, _ = collapse_floor(x, z, rng, cfg.csls_k)
    marked = []
    for r in runs:
        if r.status == "ok" and r.learning is not None and collapsed(r.learning, floor):
            r = StartRun(
                r.name, "collapsed",
                f"its objective {r.learning.objective:.4f} is within {COLLAPSE_MARGIN} of a "
                f"random rotation's {floor:.4f}: self-learning found no dictionary better "
                "than chance",
                r.start_accuracy, r.start_seconds, r.learning, r.objective, r.accuracy,
            )  # fmt: skip
        marked.append(r)
    runs = marked
    usable = [r for r in runs if r.status == "ok"] or [r for r in runs if r.learning]
    chosen = max(usable, key=lambda r: r.objective or -math.inf) if usable else None
    result_score = None
    if chosen is not None and chosen.learning is not None:
        one = cfg.one_to_one if cfg.one_to_one is not None else n <= ONE_TO_ONE_LIMIT
        result_score = score(x, z, chosen.learning.rotation, truth, k=cfg.csls_k, one_to_one=one)
    timings.append(("select, assign, score", time.perf_counter() - t))
    if progress is not None:
        progress(1.0, "done")
    return BlindResult(
        n=n,
        dims=(int(np.shape(a)[1]), int(np.shape(b)[1])),
        reduced_to=reduced,
        seed=seed,
        runs=tuple(runs),
        chosen=chosen.name if chosen else None,
        floor=floor,
        score=result_score,
        stage_seconds=tuple(timings),
        truth=truth,
    )


def supervised_ceiling(
    a: FloatArray, b: FloatArray, *, k: int = CSLS_K, one_to_one: bool = False
) -> Score:
    """Orthogonal Procrustes on the true correspondence of all n words, scored the same
    way (in-sample: the rotation was fitted on the words it is scored on)."""
    x, z, _ = common_space(a, b)
    truth = np.arange(x.shape[0], dtype=np.int64)
    return score(x, z, procrustes_rotation(x, z), truth, k=k, one_to_one=one_to_one)


def anchored(
    a: FloatArray,
    b: FloatArray,
    anchors: int,
    *,
    seed: int = 0,
    cfg: BlindConfig = BlindConfig(),
    cancel: CancelFlag | None = None,
) -> Score:
    """Semi-supervised: `anchors` true pairs (a random sample of words) revealed as the
    start, then the same self-learning without stochastic induction; scored on all n."""
    x, z_open, _ = common_space(a, b)
    rng = np.random.default_rng(seed + 7919 * anchors)
    z, truth = hide(z_open, rng)
    order_x, order_z = dense_order(x, rng), dense_order(z, rng)
    rows = rng.choice(x.shape[0], size=min(anchors, x.shape[0]), replace=False)
    start = Dictionary(rows.astype(np.int64), truth[rows])
    learning = self_learn(x, z, start, order_x, order_z, rng, cfg, stochastic=False,
                          cancel=cancel)  # fmt: skip
    return score(x, z, learning.rotation, truth, k=cfg.csls_k)


def shuffled_null(b: FloatArray, seed: int) -> F64:
    """B with its rows shuffled within the vocabulary (before hiding): no recoverable
    correspondence, so the pipeline must score at chance against the labels."""
    m = np.asarray(b, dtype=np.float64)
    return np.ascontiguousarray(m[np.random.default_rng(seed + 104729).permutation(m.shape[0])])


def binomial_bound(n: int, p: float, z: float = 4.0) -> float:
    """An upper bound on accuracy at chance: p + z·sqrt(p(1−p)/n)."""
    return p + z * math.sqrt(p * (1 - p) / n)
