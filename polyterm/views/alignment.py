"""Two models compared as wholes: matching, Procrustes, CKA, SVCCA — each beside its null.

Both models may be expressed in a basis (`polyterm.engine.bases`: raw, pca, ica, dict:K):
every statistic is then computed on their codes, and the matched axes/atoms are read
against the null that fits the basis (`polyterm.core.basis_matching`: a rotation in the
whitened space for pca/ica and in the raw space for raw, a shuffle of the words for
dict:K), with a max-|r| p-value per matched pair, the number of pairs shared at a
false-discovery rate, and, for ica and dict:K, each component's within-model stability
(`BasisStore.stability`): a pair with an unstable side cannot be called universal.
`basis_comparison` gives that per-basis summary alone (the report's "where universality
lives" table).

Everything is computed over the vocabulary the two models share, in the first model's
frequency order, optionally cut to the `top_n` most frequent shared words (rare words are
mostly noise in small corpora). Nulls, R repetitions from one seeded generator:

- *rotation*: model A is rotated by a Haar-random orthogonal matrix; this destroys any
  correspondence of dimensions but keeps all geometry, so it is the null for dimension-wise
  statistics. CKA, SVCCA and Procrustes are invariant to it by construction.
- *shuffle*: A's rows are permuted, breaking the word correspondence; the null for every
  statistic, including the rotation-invariant ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from polyterm.core.arrays import gram
from polyterm.core.basis_matching import DEFAULT_FDR_Q, NullDraws, default_null, match_bases
from polyterm.core.embedding import Embedding
from polyterm.core.matching import match_dimensions, standardised_columns
from polyterm.core.multiple_testing import MIN_Z
from polyterm.core.neighbours import tie_ranks, top_k_rows
from polyterm.core.nulls import NullSummary, random_rotation, summarise_null
from polyterm.core.procrustes import ProcrustesResult, procrustes_align
from polyterm.core.representational_similarity import linear_cka, orthonormal_basis, svd_reduce
from polyterm.core.robust_correlation import (
    DEFAULT_TOP,
    DEFAULT_TRIM,
    FREQUENCY_AXIS_RHO,
    frequency_rho,
    robust_correlation,
)
from polyterm.core.shared_vocab import SharedVocabulary, shared_vocabulary
from polyterm.core.stability import DEFAULT_RUNS, STABILITY_THRESHOLD, Stability
from polyterm.engine.bases import (
    BasisRequest,
    BasisStore,
    one_blas_thread,
    request_of,
    rotated_dictionary_null,
)
from polyterm.errors import PolytermError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table, too_large_k
from polyterm.views.protocol import (
    Cell,
    Data,
    Label,
    Phrase,
    Table,
    ViewMethods,
    joined,
    null_text,
    slug_of,
)
from polyterm.views.seed_floor import SeedFloor, floor_text
from polyterm.views.settings import COMPARISON

DEFAULT_TOP_N = COMPARISON.top_n
DEFAULT_REPETITIONS = COMPARISON.repetitions
DEFAULT_MATCH_REPETITIONS = COMPARISON.match_repetitions
"""Null draws of the per-pair max-|r| p-values (cheap: the smallest p is 1 / (1 + R), so
Benjamini–Hochberg over m pairs needs R of about 20·m or more to call any pair shared)."""
DEFAULT_STABILITY_RUNS = COMPARISON.stability_runs
assert DEFAULT_STABILITY_RUNS == DEFAULT_RUNS  # core.stability keeps the same default
PAIRS_SHOWN = 15

F64 = npt.NDArray[np.float64]


class Stat(StrEnum):
    """The whole-model statistics of an alignment (their values are the printed labels)."""

    MEAN_MATCHED_R = "mean matched |r|"
    MATCHED_JACCARD = "matched top-k Jaccard"
    PROCRUSTES_RESIDUAL = "Procrustes relative residual"
    ALIGNED_MEAN_R = "aligned mean |r|"
    ALIGNED_JACCARD = "aligned top-k Jaccard"
    CKA = "linear CKA"
    CKA_STANDARDISED = "linear CKA (standardised)"
    SVCCA = "SVCCA mean correlation"


@dataclass(frozen=True, slots=True)
class Statistic:
    """One number with the nulls it should be read against."""

    name: str
    observed: float
    nulls: tuple[NullSummary, ...]
    meaning: str

    def null(self, kind: str) -> NullSummary | None:
        return next((n for n in self.nulls if n.kind == kind), None)


@dataclass(frozen=True, slots=True)
class DimensionPair:
    """Dimension `dim_a` of A beside its partner `dim_b` of B (r < 0: B's bottom end)."""

    dim_a: int
    dim_b: int
    r: float
    jaccard: float
    words_a: tuple[str, ...]
    words_b: tuple[str, ...]
    robust: PairRobustness | None = None

    @property
    def shared(self) -> tuple[str, ...]:
        return tuple(w for w in self.words_a if w in set(self.words_b))

    @property
    def frequency_axis(self) -> bool:
        return self.robust is not None and self.robust.frequency_axis


@dataclass(frozen=True, slots=True)
class PairRobustness:
    """How robust one matched pair's r is, and how much of it is word frequency
    (`polyterm.core.robust_correlation`): Spearman ρ, r without the 20 most extreme words,
    the share of r carried by the top 10 words, and each side's Spearman ρ with frequency
    rank (None when the rows carry no frequency order)."""

    spearman: float
    trimmed_r: float
    top_share: float
    freq_rho_a: float | None
    freq_rho_b: float | None

    @property
    def frequency_axis(self) -> bool:
        """Either side has |ρ with frequency rank| >= 0.5: the pair orders words by how
        common they are, which both models see alike; not a shared meaning."""
        return any(
            v is not None and np.isfinite(v) and abs(v) >= FREQUENCY_AXIS_RHO
            for v in (self.freq_rho_a, self.freq_rho_b)
        )

    def freq_text(self) -> str:
        def one(v: float | None) -> str:
            return "n/a" if v is None or not np.isfinite(v) else f"{v:+.2f}"

        flag = " freq" if self.frequency_axis else ""
        return f"{one(self.freq_rho_a)} / {one(self.freq_rho_b)}{flag}"


Ranks = tuple[npt.NDArray[np.int64] | None, npt.NDArray[np.int64] | None]


def pair_robustness(
    a: F64, b: F64, cols_a: npt.ArrayLike, cols_b: npt.ArrayLike, ranks: Ranks
) -> tuple[PairRobustness, ...]:
    """`PairRobustness` of every matched pair (column cols_a[p] of a with cols_b[p] of b)."""
    ia, ib = np.asarray(cols_a, dtype=np.intp), np.asarray(cols_b, dtype=np.intp)
    if ia.size == 0:
        return ()
    x, y = a[:, ia], b[:, ib]
    trim = DEFAULT_TRIM if x.shape[0] > 2 * DEFAULT_TRIM + 2 else 0
    rc = robust_correlation(x, y, trim=trim, top=DEFAULT_TOP)
    fa = frequency_rho(x, ranks[0]) if ranks[0] is not None else None
    fb = frequency_rho(y, ranks[1]) if ranks[1] is not None else None
    return tuple(
        PairRobustness(
            spearman=float(rc.spearman[p]),
            trimmed_r=float(rc.trimmed_r[p]),
            top_share=float(rc.top_share[p]),
            freq_rho_a=None if fa is None else float(fa[p]),
            freq_rho_b=None if fb is None else float(fb[p]),
        )
        for p in range(ia.size)
    )


ProgressFn = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class BasisPair:
    """Axis/atom `axis_a` of A matched one-to-one to `axis_b` of B (Hungarian on |r|).

    `p` is the max-|r| p-value (the null distribution of the largest |r| over all pairs);
    `shared` is Benjamini–Hochberg at the comparison's FDR on those p-values. `stability_a`
    and `stability_b` are the components' within-model stability indices (ica, dict:K;
    None when not computed), `stable` whether both reach the threshold (None: unknown).
    `words_b` is B's top end, or its bottom end when r < 0 in a signed basis; for dict:K
    (non-negative codes) always its top end.
    """

    axis_a: int
    axis_b: int
    r: float
    p: float
    shared: bool
    words_a: tuple[str, ...]
    words_b: tuple[str, ...]
    stability_a: float | None = None
    stability_b: float | None = None
    stable: bool | None = None
    robust: PairRobustness | None = None

    @property
    def universal(self) -> bool:
        """Shared at the FDR, and no side known to be unstable."""
        return self.shared and self.stable is not False

    @property
    def frequency_axis(self) -> bool:
        """|ρ with frequency rank| >= 0.5 on either side (`PairRobustness.frequency_axis`)."""
        return self.robust is not None and self.robust.frequency_axis

    @property
    def common_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.words_a if w in set(self.words_b))


@dataclass(frozen=True, slots=True)
class BasisComparison:
    """Two models matched axis to axis (atom to atom) in one basis, beside its null.

    Attributes:
        basis: the basis both models are expressed in.
        n_words: shared words the codes are compared over.
        codes: (axes/atoms of A, of B).
        null_kind: ``rotation`` (raw; pca/ica: in the whitened space) or ``shuffle`` (dict:K).
        repetitions, seed: of the null draws.
        fdr_q: the false-discovery rate of ``n_shared``.
        mean_matched: mean matched |r| beside the null's mean matched |r|.
        n_pairs: matched pairs (min of `codes`).
        n_shared: matched pairs shared at `fdr_q`.
        best_shared: axes/atoms of A (of B) whose best partner (max |r|) is shared at
            `fdr_q` (the feature-universality count for dictionaries).
        stability_runs: runs of the within-model stability (0: not computed).
        n_stable: matched pairs whose two sides are both stable (None: not computed).
        n_universal: pairs shared at `fdr_q` with both sides stable (None: not computed).
        stable_components: (stable components of A, of B) (None: not computed).
        pairs: every matched pair, by |r| descending.
    """

    basis: BasisRequest
    n_words: int
    codes: tuple[int, int]
    null_kind: str
    repetitions: int
    seed: int
    fdr_q: float
    mean_matched: NullSummary
    n_pairs: int
    n_shared: int
    best_shared: tuple[int, int]
    stability_runs: int
    n_stable: int | None
    n_universal: int | None
    stable_components: tuple[int, int] | None
    pairs: tuple[BasisPair, ...]
    secondary_shared: int | None = None
    """dict:K: matched pairs shared at `fdr_q` against the word shuffle (the secondary null)."""
    secondary_repetitions: int = 0

    @property
    def mean_matched_abs_r(self) -> float:
        return self.mean_matched.observed

    @property
    def null_mean(self) -> float:
        return self.mean_matched.null_mean

    @property
    def null_sd(self) -> float:
        return self.mean_matched.null_sd

    @property
    def unit(self) -> str:
        """What a component of the basis is called: dim, axis or atom."""
        return _unit(self.basis)

    def top_shared(self, n: int = PAIRS_SHOWN) -> tuple[BasisPair, ...]:
        """The first `n` pairs shared at the FDR (strongest first)."""
        return tuple(p for p in self.pairs if p.shared)[:n]

    def null_description(self) -> str:
        return _null_description(self.basis, self.repetitions)

    def shared_text(self) -> str:
        """``3 of 30`` (and, when stability is known, how many of them are stable)."""
        text = f"{self.n_shared} of {self.n_pairs}"
        if self.n_universal is not None:
            text += f" ({self.n_universal} with both sides stable)"
        return text


FREQUENCY_COLUMN = "ρ freq (A / B)"
ROBUST_COLUMNS: tuple[str, ...] = (
    "Spearman ρ",
    f"r without {DEFAULT_TRIM} extreme words",
    f"share of r in top {DEFAULT_TOP} words",
    FREQUENCY_COLUMN,
)
ROBUST_CAPTION = (
    f"Spearman ρ and r without the {DEFAULT_TRIM} most extreme words (largest |z| on either "
    f"axis) beside Pearson r, and the share of r carried by its {DEFAULT_TOP} largest word "
    "contributions; ρ freq: Spearman ρ of each side with frequency rank, 'freq' where |ρ| ≥ "
    f"{FREQUENCY_AXIS_RHO:g}: such an axis orders words by how common they are, which both "
    "models see alike, and is not a shared meaning."
)


def robust_cells(robust: PairRobustness | None) -> tuple[Cell, ...]:
    """The `ROBUST_COLUMNS` cells of one pair (empty when not computed)."""
    if robust is None:
        return ("",) * len(ROBUST_COLUMNS)
    share = "—" if not np.isfinite(robust.top_share) else f"{robust.top_share:.0%}"
    return (
        f"{robust.spearman:+.3f}",
        f"{robust.trimmed_r:+.3f}",
        share,
        robust.freq_text(),
    )


def _null_short(c: BasisComparison) -> str:
    """The null in a few words (the statistics table's meaning column stays narrow)."""
    kind = c.basis.name.kind
    what = {"raw": "rotations of A", "dict": "rotated dictionaries"}.get(kind, "rotations")
    if kind in ("pca", "ica"):
        what = "whitened rotations"
    return f"{c.repetitions:,} {what}"


def _index_text(index: float | None) -> str:
    return "—" if index is None else f"{index:.2f}"


def _unit(request: BasisRequest) -> str:
    kind = request.name.kind
    return "dim" if kind == "raw" else "atom" if kind == "dict" else "axis"


def _units(request: BasisRequest) -> str:
    return {"dim": "dimensions", "atom": "atoms", "axis": "axes"}[_unit(request)]


def _null_description(request: BasisRequest, repetitions: int) -> str:
    kind = request.name.kind
    if kind == "raw":
        return f"{repetitions:,} random rotations of A"
    if kind == "dict":
        return (
            f"{repetitions:,} random rotations of A's dictionary (A's words coded again; "
            "a shared pair beats every draw's max |r|)"
        )
    return f"{repetitions:,} random rotations of A in the whitened space"


def _component_stability(
    stability: Stability | None, n: int
) -> tuple[tuple[float, ...] | None, float]:
    if stability is None:
        return None, STABILITY_THRESHOLD
    index = tuple(float(v) for v in stability.index)
    if len(index) != n:
        raise PolytermError(
            f"the stability of the {stability.basis} basis has {len(index)} components, "
            f"not the {n} its codes have"
        )
    return index, float(stability.threshold)


def compare_codes(
    a: F64,
    b: F64,
    words: tuple[str, ...],
    request: BasisRequest,
    *,
    k: int = 10,
    repetitions: int = DEFAULT_MATCH_REPETITIONS,
    seed: int = 0,
    fdr_q: float = DEFAULT_FDR_Q,
    stability: tuple[Stability | None, Stability | None] = (None, None),
    stability_runs: int = 0,
    progress: ProgressFn | None = None,
    draws: NullDraws | None = None,
    ranks: Ranks | None = None,
) -> BasisComparison:
    """Match the codes `a` and `b` (the same words in the same rows) in `request`'s basis.

    `draws`: the rotated-dictionary null of dict:K (`engine.bases.rotated_dictionary_null`;
    without it a dict:K basis is read against the word shuffle alone). `ranks` are the
    rows' frequency ranks in A and in B (None for a side: no frequency order); by default
    both are the row index (rows in A's frequency order)."""
    if repetitions < 2:
        raise PolytermError(f"--match-repetitions must be at least 2, not {repetitions}")
    null = default_null(request.name) if draws is not None else "shuffle"
    if request.name.kind != "dict":
        null, draws = default_null(request.name), None
    secondary = None
    try:
        # one BLAS thread: the null repeats small products (a K × K rotation, its QR, a
        # K × K correlation) where a second thread spins and loses, 2× slower on 2 cores
        with one_blas_thread():
            result = match_bases(
                a, b, null=null, repetitions=repetitions, seed=seed, fdr_q=fdr_q, k=k,
                words=words, progress=progress, draws=draws,
            )  # fmt: skip
            if draws is not None:
                secondary = match_bases(
                    a, b, null="shuffle", repetitions=repetitions, seed=seed, fdr_q=fdr_q,
                    k=k, words=words,
                )  # fmt: skip
    except ValueError as exc:
        raise PolytermError(f"cannot match the {request.label()} codes: {exc}") from None
    m = result.matching
    index_a, threshold_a = _component_stability(stability[0], a.shape[1])
    index_b, threshold_b = _component_stability(stability[1], b.shape[1])
    signed = request.name.kind != "dict"
    if ranks is None:
        order = np.arange(a.shape[0], dtype=np.int64)
        ranks = (order, order)
    robust = pair_robustness(a, b, m.matched_a, m.matched_b, ranks)
    pairs = []
    for p, (i, j, r) in enumerate(zip(m.matched_a, m.matched_b, m.matched_r, strict=True)):
        i, j = int(i), int(j)
        sa = None if index_a is None else index_a[i]
        sb = None if index_b is None else index_b[j]
        stable = None
        if sa is not None or sb is not None:
            stable = (sa is None or sa >= threshold_a) and (sb is None or sb >= threshold_b)
        words_a = m.top_words_a[p] if m.top_words_a is not None else ()
        if signed and m.top_words_b is not None:
            words_b = m.top_words_b[p]
        else:
            words_b = tuple(words[int(t)] for t in top_k_rows(np.asarray(b[:, j]), k))
        pairs.append(
            BasisPair(
                axis_a=i,
                axis_b=j,
                r=float(r),
                p=float(result.matched_p[p]),
                shared=bool(result.matched_shared[p]),
                words_a=words_a,
                words_b=words_b,
                stability_a=sa,
                stability_b=sb,
                stable=stable,
                robust=robust[p],
            )
        )
    known = any(s is not None for s in stability)
    return BasisComparison(
        basis=request,
        n_words=int(a.shape[0]),
        codes=(int(a.shape[1]), int(b.shape[1])),
        null_kind=null,
        repetitions=repetitions if draws is None else int(draws.max_abs_r.size),
        seed=seed,
        fdr_q=fdr_q,
        mean_matched=result.mean_matched,
        n_pairs=len(pairs),
        n_shared=result.n_shared,
        best_shared=(int(result.best_a_shared.sum()), int(result.best_b_shared.sum())),
        stability_runs=stability_runs if known else 0,
        n_stable=sum(bool(p.stable) for p in pairs) if known else None,
        n_universal=sum(p.shared and bool(p.stable) for p in pairs) if known else None,
        stable_components=(
            (
                stability[0].n_stable if stability[0] is not None else a.shape[1],
                stability[1].n_stable if stability[1] is not None else b.shape[1],
            )
            if known
            else None
        ),
        pairs=tuple(pairs),
        secondary_shared=None if secondary is None else secondary.n_shared,
        secondary_repetitions=0 if secondary is None else repetitions,
    )


def _tagged(progress: ProgressFn | None, tag: str) -> ProgressFn | None:
    """`progress` with `tag` (the model and the basis) before each stage name."""
    if progress is None:
        return None
    report = progress
    return lambda fraction, stage: report(fraction, f"{tag}: {stage}")


def in_basis(
    store: BasisStore,
    model: Embedding,
    request: BasisRequest,
    *,
    progress: ProgressFn | None = None,
) -> Embedding:
    """`model` in `request`'s basis; a model already in it is returned as it is, and a
    basis that cannot be fitted (too few words) is one PolytermError line."""
    current = request_of(model)
    if current == request:
        return model
    if not current.is_raw:
        raise PolytermError(
            f"{model.name} is already in the {current.label()} basis, not {request.label()}"
        )
    try:
        return store.in_basis(
            model, request, progress=_tagged(progress, f"{model.name} [{request.label()}]")
        )
    except ValueError as exc:
        raise PolytermError(
            f"cannot fit the {request.label()} basis of {model.name}: {exc}"
        ) from None


def basis_stability(
    store: BasisStore,
    model: Embedding,
    request: BasisRequest,
    runs: int,
    *,
    progress: ProgressFn | None = None,
) -> Stability | None:
    """Within-model stability of `model`'s components in `request`'s basis (ica and
    dict:K; None for raw and pca, or when `runs` is 0)."""
    if runs <= 0 or request.name.kind not in ("ica", "dict"):
        return None
    if runs < 2:
        raise PolytermError(f"--stability-runs must be 0 (skip) or at least 2, not {runs}")
    if not request_of(model).is_raw:
        raise PolytermError(f"the stability of {model.name} needs the model itself, not its codes")
    try:
        return store.stability(
            model,
            request,
            runs=runs,
            progress=_tagged(progress, f"{model.name} [{request.label()}] stability, {runs} runs"),
        )
    except ValueError as exc:
        raise PolytermError(
            f"cannot measure the stability of the {request.label()} basis of {model.name}: {exc}"
        ) from None


def basis_comparison(
    model_a: Embedding,
    model_b: Embedding,
    request: BasisRequest,
    store: BasisStore,
    *,
    top_n: int | None = DEFAULT_TOP_N,
    repetitions: int = DEFAULT_MATCH_REPETITIONS,
    seed: int = 0,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    k: int = 10,
    fdr_q: float = DEFAULT_FDR_Q,
    progress: ProgressFn | None = None,
) -> BasisComparison:
    """Two models (as they are in the cache) matched in `request`'s basis, over their
    `top_n` most frequent shared words (0/None: all), against the null that fits the
    basis, with each pair's p-value, the count shared at `fdr_q` and (ica, dict:K, when
    `stability_runs` > 0) the components' within-model stability.

    ``comparison.top_shared()`` gives the strongest shared pairs with both sides' words.
    """
    coded = [in_basis(store, m, request, progress=progress) for m in (model_a, model_b)]
    stabilities = (
        basis_stability(store, model_a, request, stability_runs, progress=progress),
        basis_stability(store, model_b, request, stability_runs, progress=progress),
    )
    shared = _shared_words(coded[0], coded[1], top_n, k)
    a, b = _shared_rows(coded[0], coded[1], shared)
    draws = rotated_dictionary_null(coded[0], shared.indices[0], b, seed=seed, progress=progress)
    return compare_codes(
        a,
        b,
        shared.words,
        request,
        k=k,
        repetitions=repetitions,
        seed=seed,
        fdr_q=fdr_q,
        stability=stabilities,
        stability_runs=stability_runs,
        progress=progress,
        draws=draws,
        ranks=frequency_ranks(coded[0], coded[1], shared),
    )


def _shared_words(
    model_a: Embedding, model_b: Embedding, top_n: int | None, k: int
) -> SharedVocabulary:
    shared = shared_vocabulary([model_a.vocab, model_b.vocab], top_n=top_n or None)
    n = len(shared.words)
    if n < max(model_a.dims, model_b.dims) + 2:
        raise PolytermError(
            f"{model_a.name} and {model_b.name} share only {n} words: too few to compare "
            f"{model_a.dims}- and {model_b.dims}-dimensional models"
        )
    if n < 3 * k:
        raise PolytermError(too_large_k(model_a.name, model_b.name, shared, k, n // 3))
    if not 1 <= k <= n:
        raise PolytermError(f"k must be between 1 and {n}")
    return shared


def frequency_ranks(model_a: Embedding, model_b: Embedding, shared: SharedVocabulary) -> Ranks:
    """The shared words' frequency ranks in each model (their rows, where the model's
    rows are in frequency order; None for a model whose rows are not)."""

    def of(model: Embedding, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
        return rows if model.manifest.get("frequency_ordered", True) else None

    return of(model_a, shared.indices[0]), of(model_b, shared.indices[1])


def _shared_rows(
    model_a: Embedding, model_b: Embedding, shared: SharedVocabulary
) -> tuple[F64, F64]:
    n = len(shared.words)
    a = np.asarray(model_a.vectors, dtype=np.float64)[shared.indices[0]]
    b = np.asarray(model_b.vectors, dtype=np.float64)[shared.indices[1]]
    for model, x in ((model_a, a), (model_b, b)):
        if not np.any(np.ptp(x, axis=0) > 0):
            raise PolytermError(
                f"every dimension of {model.name} is constant over the {n} shared words (all "
                "their vectors are equal): there is no variation to align or compare"
            )
    return a, b


@dataclass(frozen=True, slots=True)
class AlignmentView(ViewMethods):
    a: ModelSummary
    b: ModelSummary
    n_words: int
    shared_total: int
    coverage: tuple[float, float]
    top_n: int | None
    k: int
    repetitions: int
    seed: int
    statistics: tuple[Statistic, ...]
    matched: tuple[DimensionPair, ...]
    aligned: tuple[DimensionPair, ...]
    matched_curve: tuple[float, ...]
    reduced_to: int | None
    most_stable: tuple[str, ...]
    least_stable: tuple[str, ...]
    basis_matching: BasisComparison | None = None
    """The matched pairs read against the basis's own null (max-|r| p-values, FDR)."""
    stability_runs: int = 0
    seed_floor: SeedFloor | None = field(default=None, metadata={"json": "unless-default"})
    """The models share a seed: every statistic again for A against B at another seed."""

    @property
    def basis(self) -> BasisRequest:
        return self.a.basis

    def statistic(self, name: Stat) -> Statistic:
        return next(s for s in self.statistics if s.name == name)

    def title(self) -> Phrase:
        return Phrase.of(
            Data(self.a.label), " vs ", Data(self.b.label), ": matching, alignment and similarity"
        )

    def slug(self) -> str:
        return slug_of("align", [self.a.slug_name, self.b.slug_name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `statistics` beside their nulls; `matched` and `aligned` dimension
        pairs (the first 15 of each), words shared by a pair in bold; with a seed floor,
        the statistics table has each figure across seeds beside the observed one."""
        columns: tuple[Label, ...] = (
            "statistic",
            "observed",
            "rotation null (mean ± sd, z)",
            "shuffle null",
            "meaning",
        )
        rows = (
            tuple(
                (
                    s.name,
                    s.observed,
                    null_text(s.null("rotation")),
                    null_text(s.null("shuffle")),
                    s.meaning,
                )
                for s in self.statistics
            )
            + self._basis_rows()
        )
        numeric: tuple[bool, ...] = (False, True, True, True, False)
        floor = self.seed_floor
        if floor is not None:
            columns = (*columns[:2], Phrase.of("across seeds (vs ", Data(floor.partner), ")"),
                       *columns[2:])  # fmt: skip
            rows = tuple((*r[:2], _floor_cell(floor, str(r[0])), *r[2:]) for r in rows)
            numeric = (False, True, True, True, True, False)
        return (
            models_table([self.a, self.b]),
            Table(
                "statistics",
                "Statistics beside their nulls",
                columns,
                rows,
                caption=(
                    ""
                    if floor is None
                    else f"{self.a.name} and {self.b.name} share a seed: 'across seeds' is "
                    f"the same statistic for {self.a.name} against {floor.partner} (the seed "
                    "floor; read the observed figure against it, not only against the nulls)."
                ),
                numeric=numeric,
            ),
            (
                self._pairs_table(
                    "matched",
                    "Matched dimensions (Hungarian on |r|, before rotation)",
                    self.matched,
                )
                if self.basis.is_raw or self.basis_matching is None
                else self._basis_pairs_table(self.basis_matching)
            ),
            self._pairs_table("aligned", "Aligned dimensions (after Procrustes)", self.aligned),
        )

    def _basis_rows(self) -> tuple[tuple[Cell, ...], ...]:
        """The statistics rows of the basis's matching: pairs shared at the FDR (and, for
        dict:K, best partners shared; with stability, the stable pairs)."""
        c = self.basis_matching
        if c is None:
            return ()

        def nulls(text: str) -> tuple[str, str]:
            return ("—", text) if c.null_kind == "shuffle" else (text, "—")

        null = f"max |r| of {c.repetitions:,} draws"
        rule = (
            f"pairs above every one of the {c.repetitions} rotated dictionaries' max |r|",
            f"familywise error <= 1/{c.repetitions + 1}",
        )
        if c.null_kind != "rotated-dictionary":
            rule = (
                f"pairs shared at FDR {c.fdr_q:g}",
                f"max-|r| p-values vs {_null_short(c)}; Benjamini–Hochberg",
            )
        rows: list[tuple[Cell, ...]] = [
            (rule[0], f"{c.n_shared} of {c.n_pairs}", *nulls(null), rule[1])
        ]
        if c.secondary_shared is not None:  # dict:K: the word shuffle, the secondary line
            rows.append(
                (
                    f"pairs shared at FDR {c.fdr_q:g} against the word shuffle",
                    f"{c.secondary_shared} of {c.n_pairs}",
                    "—",
                    f"max |r| of {c.secondary_repetitions:,} shuffles",
                    "the secondary, weaker null: it does not keep the shared geometry",
                )
            )
        if c.basis.name.kind == "dict":
            rows.append(
                (
                    f"best partners shared at FDR {c.fdr_q:g}",
                    f"{c.best_shared[0]} of {c.codes[0]} / {c.best_shared[1]} of {c.codes[1]}",
                    *nulls(null),
                    "atoms of A (of B) whose best partner in the other model (max |r|) is shared",
                )
            )
        if c.n_stable is not None and c.stable_components is not None:
            rows.append(
                (
                    "stable matched pairs",
                    f"{c.n_stable} of {c.n_pairs}",
                    "—",
                    "—",
                    f"both sides' within-model stability index >= {STABILITY_THRESHOLD:g} "
                    f"({c.stability_runs} runs; stable {_units(c.basis)}: "
                    f"{c.stable_components[0]} of {c.codes[0]} in A, "
                    f"{c.stable_components[1]} of {c.codes[1]} in B)",
                )
            )
            rows.append(
                (
                    "universal pairs",
                    f"{c.n_universal} of {c.n_pairs}",
                    "—",
                    "—",
                    "shared at the FDR and stable on both sides (an unstable side cannot "
                    "be called universal)",
                )
            )
        return tuple(rows)

    def _basis_pairs_table(self, c: BasisComparison) -> Table:
        a, b = Data(self.a.name), Data(self.b.name)
        unit = "atom" if c.basis.name.kind == "dict" else "axis"
        with_stability = c.n_stable is not None
        columns: tuple[Label, ...] = (
            Phrase.of(a, f" {unit}"),
            Phrase.of(b, f" {unit}"),
            "r",
            "p (max |r|)",
            f"shared (FDR {c.fdr_q:g})",
        )
        if with_stability:
            columns += ("stability A / B",)
        columns += ROBUST_COLUMNS
        columns += (
            Phrase.of("top words in ", a),
            Phrase.of("top words in ", b)
            if unit == "atom"
            else Phrase.of("top words in ", b, " (bottom if r < 0)"),
        )
        rows = []
        for p in c.pairs[:PAIRS_SHOWN]:
            shared = "no"
            if p.shared:
                shared = "yes" if p.universal else "yes, unstable"
            row: list[Cell] = [p.axis_a, p.axis_b, f"{p.r:+.3f}", p.p, shared]
            if with_stability:
                row.append(f"{_index_text(p.stability_a)} / {_index_text(p.stability_b)}")
            row += robust_cells(p.robust)
            row += [joined(p.words_a, bold=p.common_words), joined(p.words_b, bold=p.common_words)]
            rows.append(tuple(row))
        numeric: tuple[bool, ...] = (True, True, True, True, False)
        if with_stability:
            numeric += (True,)
        numeric += (True,) * len(ROBUST_COLUMNS)
        return Table(
            "matched",
            f"Matched {_units(c.basis)} of the {c.basis.label()} basis (Hungarian on |r|), "
            f"against {c.null_description()}",
            columns,
            tuple(rows),
            caption=(
                f"{c.n_shared} of {c.n_pairs} pairs shared at FDR {c.fdr_q:g}"
                + (
                    f"; a stability index below {STABILITY_THRESHOLD:g} ({c.stability_runs} "
                    f"runs) marks an unstable {unit}, and a shared pair with an unstable "
                    "side cannot be called universal"
                    if with_stability
                    else ""
                )
                + (
                    "; a non-negative atom has no bottom end (its smallest codes are zeros), "
                    "so only top ends are shown"
                    if unit == "atom"
                    else ""
                )
                + ". "
                + ROBUST_CAPTION
            ),
            numeric=(*numeric, False, False),
        )

    def _pairs_table(self, key: str, title: str, pairs: tuple[DimensionPair, ...]) -> Table:
        a, b = Data(self.a.name), Data(self.b.name)
        c = self.basis_matching if key == "matched" else None
        tested = {} if c is None else {(q.axis_a, q.axis_b): q for q in c.pairs}
        p_columns: tuple[str, ...] = (
            () if c is None else ("p (max |r|)", f"shared (FDR {c.fdr_q:g})")
        )

        def p_cells(p: DimensionPair) -> tuple[Cell, ...]:
            if c is None:
                return ()
            q = tested.get((p.dim_a, p.dim_b))
            return ("", "") if q is None else (q.p, "yes" if q.shared else "no")

        caption = ROBUST_CAPTION
        if c is not None:
            caption = (
                f"p: the max-|r| p-value of the pair against {c.null_description()}; "
                f"{c.n_shared} of {c.n_pairs} pairs shared at FDR {c.fdr_q:g} "
                "(Benjamini–Hochberg). " + caption
            )
        return Table(
            key,
            title,
            (
                Phrase.of(a, " dim"),
                Phrase.of(b, " dim"),
                "r",
                "Jaccard",
                *p_columns,
                *ROBUST_COLUMNS,
                Phrase.of("top words in ", a),
                Phrase.of("top words in ", b, " (bottom if r < 0)"),
            ),
            tuple(
                (
                    p.dim_a,
                    p.dim_b,
                    f"{p.r:+.3f}",
                    p.jaccard,
                    *p_cells(p),
                    *robust_cells(p.robust),
                    joined(p.words_a, bold=p.shared),
                    joined(p.words_b, bold=p.shared),
                )
                for p in pairs[:PAIRS_SHOWN]
            ),
            caption=caption,
            numeric=(
                True,
                True,
                True,
                True,
                *(True, False)[: len(p_columns)],
                *(True,) * len(ROBUST_COLUMNS),
                False,
                False,
            ),
        )

    def command(self) -> str:
        opts = f" --k {self.k} --repetitions {self.repetitions} --seed {self.seed}"
        opts += f" --top-n {self.top_n}" if self.top_n else " --top-n 0"
        c = self.basis_matching
        if c is None:
            opts += " --match-repetitions 0"
        elif c.repetitions != DEFAULT_MATCH_REPETITIONS:
            opts += f" --match-repetitions {c.repetitions}"
        if (
            self.basis.name.kind in ("ica", "dict")
            and self.stability_runs != DEFAULT_STABILITY_RUNS
        ):
            opts += f" --stability-runs {self.stability_runs}"
        return f"polyterm align {cli_models([self.a, self.b])}{opts}"

    def readings(self) -> tuple[str, ...]:
        """Short plain-language readings of the numbers."""
        out = []
        m = self.statistic(Stat.MEAN_MATCHED_R)
        rot = m.null("rotation")
        if rot is not None:
            out.append(
                f"Matched one-to-one, dimensions of {self.a.name} and {self.b.name} correlate "
                f"with mean |r| = {m.observed:.3f}, against {rot.null_mean:.3f} ± "
                f"{rot.null_sd:.3f} when {self.a.name} is randomly rotated"
                f"{_z_text(rot)}: "
                + matched_verdict(rot)
            )
        j = self.statistic(Stat.ALIGNED_JACCARD)
        sh = j.null("shuffle")
        if sh is not None:
            out.append(
                f"After Procrustes, aligned dimensions share {j.observed:.1%} of their "
                f"top-{self.k} words (Jaccard), against {sh.null_mean:.1%} by chance "
                f"(shuffled words){_z_text(sh)}."
            )
        c = self.statistic(Stat.CKA)
        sh = c.null("shuffle")
        if sh is not None:
            out.append(
                f"Linear CKA is {c.observed:.3f} (1 = same geometry up to rotation and "
                f"scale), against {sh.null_mean:.3f} for shuffled words{_z_text(sh)}."
            )
        if self.basis_matching is not None:
            out.append(basis_reading(self.basis_matching))
        floor = self.seed_floor
        if floor is not None:
            parts = []
            for name in (Stat.MEAN_MATCHED_R, Stat.CKA, Stat.ALIGNED_JACCARD):
                st = self.statistic(name)
                shuffled = st.null("shuffle")
                chance = None if shuffled is None else shuffled.null_mean
                parts.append(f"{name} {floor_text(st.observed, floor.get(name), chance)}")
            out.append(
                f"{self.a.name} and {self.b.name} share a seed, which makes them look alike; "
                f"against {floor.partner} (another seed): " + "; ".join(parts) + "."
            )
        return tuple(out)


def matched_verdict(rot: NullSummary) -> str:
    """What mean matched |r| against its rotation null supports: correspondence only at
    z >= 3 (a reading never rests on one |z| below 3)."""
    if rot.z is not None and rot.z >= MIN_Z:
        return "individual dimensions correspond beyond what any basis would give."
    if rot.z is not None and rot.z > 2:
        return (
            "above a random basis, but not by 3 sd: too weak to say that individual "
            "dimensions correspond."
        )
    return (
        "no better than a random basis, so individual dimensions are not shared even where "
        "the geometry is."
    )


def basis_reading(c: BasisComparison) -> str:
    """One sentence on a basis comparison: mean matched |r| beside its null, the pairs
    shared at the FDR and, when known, how many of them are stable."""
    text = (
        f"In the {c.basis.label()} basis, matched {_units(c.basis)} correlate with mean |r| "
        f"{c.mean_matched_abs_r:.3f}, against {c.null_mean:.3f} ± {c.null_sd:.3f} for "
        f"{c.null_description()}{_z_text(c.mean_matched)}; {c.n_shared} of {c.n_pairs} "
        + (
            f"matched pairs are shared at FDR {c.fdr_q:g} (max-|r| p-values)"
            if c.secondary_shared is None
            else f"matched pairs beat every rotated dictionary ({c.secondary_shared} beat the "
            "weaker word shuffle)"
        )
    )
    if c.basis.name.kind == "dict":
        text += (
            f", and {c.best_shared[0]} of {c.codes[0]} atoms find a shared best partner "
            "in the other model"
        )
    if c.n_universal is not None:
        text += (
            f"; {c.n_universal} of the shared pairs are stable on both sides "
            f"(stability index >= {STABILITY_THRESHOLD:g} over {c.stability_runs} runs)"
        )
    return text + "."


def _floor_cell(floor: SeedFloor, name: str) -> Cell:
    value = floor.get(name)
    if value is None:
        return "—"
    return f"{int(value)}" if name.startswith("pairs shared") else value


def _alignment_floor(view: AlignmentView) -> SeedFloor:
    """`view`'s figures (A against the different-seed partner) as a seed floor."""
    figures = [(s.name, s.observed) for s in view.statistics]
    c = view.basis_matching
    if c is not None:
        figures.append((f"pairs shared at FDR {c.fdr_q:g}", float(c.n_shared)))
    return SeedFloor(partner=view.b.name, figures=tuple(figures))


def _z_text(n: NullSummary) -> str:
    if n.degenerate:
        return " (the statistic does not change under this null: no z)"
    return "" if n.z is None else f" (z = {n.z:.1f})"


def _pairs(
    a: F64,
    b: F64,
    dims_a: npt.NDArray[np.int64],
    dims_b: npt.NDArray[np.int64],
    r: F64,
    jac: F64,
    words: tuple[str, ...],
    k: int,
    ranks: Ranks = (None, None),
) -> tuple[DimensionPair, ...]:
    robust = pair_robustness(a, b, dims_a, dims_b, ranks)

    def top(col: F64) -> tuple[str, ...]:
        n = col.size
        idx = np.argpartition(col, n - k)[n - k :]
        idx = idx[np.lexsort((idx, -col[idx]))]
        return tuple(words[int(i)] for i in idx)

    out = []
    for p, (i, j, rv, jv) in enumerate(zip(dims_a, dims_b, r, jac, strict=True)):
        sign = -1.0 if rv < 0 else 1.0
        out.append(
            DimensionPair(
                int(i), int(j), float(rv), float(jv), top(a[:, i]), top(sign * b[:, j]),
                robust[p] if robust else None,
            )
        )  # fmt: skip
    return tuple(out)


def _basis_statistics(x: F64, b: F64, k: int) -> dict[str, float]:
    """The statistics that depend on A's basis (rotation and shuffle nulls both apply)."""
    m = match_dimensions(x, b, k=k)
    return {
        Stat.MEAN_MATCHED_R: m.mean_matched_abs_r,
        Stat.MATCHED_JACCARD: m.mean_topk_jaccard,
        Stat.CKA_STANDARDISED: linear_cka(x, b, standardise=True).cka,
    }


class _TopWordsOfB:
    """Top-k rows of each dimension of B at both ends, selected once."""

    def __init__(self, b: F64, k: int) -> None:
        self.k = k
        # ties broken as core.matching.paired_top_k_jaccard breaks them (seed 0)
        self.rank_a, rank_b = tie_ranks(b.shape[0], 0, 0), tie_ranks(b.shape[0], 0, 1)
        self.top = [top_k_rows(b[:, j], k, tie_rank=rank_b) for j in range(b.shape[1])]
        self.bottom = [top_k_rows(-b[:, j], k, tie_rank=rank_b) for j in range(b.shape[1])]

    def matched_jaccard(self, columns: F64, dims_b: npt.NDArray[np.intp], r: F64) -> float:
        """Mean top-k Jaccard of `columns[:, p]` with B's dimension `dims_b[p]` (flipped if r<0)."""
        out = []
        for p, (j, rv) in enumerate(zip(dims_b, r, strict=True)):
            top_a = top_k_rows(columns[:, p], self.k, tie_rank=self.rank_a)
            top_b = self.bottom[j] if rv < 0 else self.top[j]
            inter = np.intersect1d(top_a, top_b, assume_unique=True).size
            out.append(inter / (2 * self.k - inter))
        return float(np.mean(out))


def _matched(r: F64) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], F64]:
    rows, cols = linear_sum_assignment(np.abs(r), maximize=True)
    return rows, cols, r[rows, cols]


class _RotationStatistics:
    """`_basis_statistics` of A·Q for many rotations Q, computed from d × d matrices.

    Centring commutes with A ↦ A·Q, so with Σ = AcᵀAc and C = Acᵀ·Bz (Bz: B's columns
    centred to unit norm), the correlation of dimension i of A·Q with dimension j of B is
    (QᵀC)ᵢⱼ / sqrt((QᵀΣQ)ᵢᵢ), and the standardised CKA needs only QᵀΣQ and QᵀC too. Only
    the top-k words of matched dimensions touch the n × d matrix (``a @ Q[:, matched]``).
    ``measure(Q)`` equals ``_basis_statistics(a @ Q, b, k)`` (tested against it).
    """

    def __init__(self, a: F64, b: F64, top_b: _TopWordsOfB) -> None:
        self.a, self.top_b = a, top_b
        ac = a - a.mean(axis=0)
        bz = standardised_columns(b)
        self.sigma = gram(ac)
        self.cross = ac.T @ bz  # d1 × d2
        n = a.shape[0]
        bs = bz * np.sqrt(n)  # z-scored B (std 1), as linear_cka(standardise=True) uses
        self.cross_z = ac.T @ bs
        self.bs_gram_norm = float(np.linalg.norm(gram(bs)))
        self.n = n

    def measure(self, q: F64) -> dict[str, float]:
        cov = q.T @ self.sigma @ q
        var = np.clip(np.diag(cov), 0.0, None)
        scale = np.sqrt(var)
        scale[scale == 0] = 1.0
        r = np.clip((q.T @ self.cross) / scale[:, None], -1.0, 1.0)
        rows, cols, pair_r = _matched(r)
        jaccard = self.top_b.matched_jaccard(self.a @ q[:, rows], cols, pair_r)
        std = np.sqrt(var / self.n)
        std[std == 0] = 1.0
        num = float(np.linalg.norm((q.T @ self.cross_z) / std[:, None]) ** 2)
        den = float(np.linalg.norm(cov / np.outer(std, std)) * self.bs_gram_norm)
        return {
            Stat.MEAN_MATCHED_R: float(np.abs(pair_r).mean()),
            Stat.MATCHED_JACCARD: jaccard,
            Stat.CKA_STANDARDISED: min(max(num / den, 0.0), 1.0),
        }


class _ShuffleStatistics:
    """Every statistic of A with its rows permuted, computed fast.

    Every preparation these statistics make (unit rows, centring, PCA, Frobenius scaling,
    SVD reduction, orthonormal bases) commutes with a permutation of the rows, so it is
    done once. Every statistic then pairs row i of A with row i of B, so permuting A's rows
    by `perm` is permuting B's by its inverse, and B's side is the smaller one; a top-k row
    set of permuted A is the inverse-permuted top-k set of A. A draw costs one d1 × d2
    cross product and n × d work on B's side: ``measure(perm)`` equals running
    `procrustes_align`, `linear_cka`, `svcca` and `_basis_statistics` on ``a[perm]``
    (tested against them; only rows tied at a top-k boundary could be ordered otherwise).
    """

    def __init__(
        self, a: F64, b: F64, procrustes: ProcrustesResult, k: int, top_b: _TopWordsOfB
    ) -> None:
        self.k, self.a, self.top_b = k, a, top_b
        self.xc = a - a.mean(axis=0)
        self.yc = b - b.mean(axis=0)
        self.cka_denominator = float(np.linalg.norm(gram(self.xc)) * np.linalg.norm(gram(self.yc)))
        za, zb = standardised_columns(a), standardised_columns(b)
        self.cka_z_denominator = float(np.linalg.norm(gram(za)) * np.linalg.norm(gram(zb)))
        # za = xc / column norm (0 for a constant column): the standardised cross products
        # are the plain ones scaled, so one product serves both CKAs and the matching.
        self.scale_a = _inverse_column_norms(self.xc, za)
        self.scale_b = _inverse_column_norms(self.yc, zb)
        # Procrustes works on the prepared matrices: A (in its PCA basis) and B.
        self.x = procrustes.aligned @ procrustes.rotation.T
        self.y = procrustes.target
        self.zy = standardised_columns(self.y)
        self.y_norm = float(np.linalg.norm(self.y))
        n = self.y.shape[0]
        self.rank_x, rank_y = tie_ranks(n, 0, 0), tie_ranks(n, 0, 1)
        self.y_top = [top_k_rows(self.y[:, j], k, tie_rank=rank_y) for j in range(self.y.shape[1])]
        self.y_bottom = [
            top_k_rows(-self.y[:, j], k, tie_rank=rank_y) for j in range(self.y.shape[1])
        ]
        self.qa = orthonormal_basis(svd_reduce(a)[0])
        self.qb = orthonormal_basis(svd_reduce(b)[0])

    def measure(self, perm: npt.NDArray[np.int64]) -> dict[str, float]:
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(perm.size)
        residual, aligned_r, aligned_jaccard = self._procrustes(inverse)
        plain = self.xc.T @ self.yc[inverse]  # = xc[perm].T @ yc
        cka = float(np.linalg.norm(plain) ** 2 / self.cka_denominator)
        cross = np.clip(plain * self.scale_a[:, None] * self.scale_b[None, :], -1.0, 1.0)
        corr = np.linalg.svd(self.qa.T @ self.qb[inverse], compute_uv=False)
        rows, cols, pair_r = _matched(cross)
        return {
            Stat.MEAN_MATCHED_R: float(np.abs(pair_r).mean()),
            Stat.MATCHED_JACCARD: self.top_b.matched_jaccard(self.a[:, rows][perm], cols, pair_r),
            Stat.CKA_STANDARDISED: min(
                max(float(np.linalg.norm(cross) ** 2) / self.cka_z_denominator, 0.0), 1.0
            ),
            Stat.PROCRUSTES_RESIDUAL: residual,
            Stat.ALIGNED_MEAN_R: float(np.abs(aligned_r).mean()),
            Stat.ALIGNED_JACCARD: aligned_jaccard,
            Stat.CKA: cka,
            Stat.SVCCA: float(np.clip(corr, 0.0, 1.0).mean()),
        }

    def _procrustes(self, inverse: npt.NDArray[np.int64]) -> tuple[float, F64, float]:
        """`procrustes_align(x[perm], y)`'s residual, aligned r and top-k Jaccard, from
        x rotated onto y[inverse] (the same rotation; rows paired the same way)."""
        y = self.y[inverse]
        u, _, vt = np.linalg.svd(self.x.T @ y)
        xr = self.x @ (u @ vt)
        residual = float(np.linalg.norm(xr - y)) / self.y_norm if self.y_norm > 0 else np.nan
        aligned_r = np.clip(
            np.einsum("ij,ij->j", standardised_columns(xr), self.zy[inverse]), -1.0, 1.0
        )
        k = self.k
        jaccard = []
        for j, rv in enumerate(aligned_r):
            top_x = inverse[top_k_rows(xr[:, j], k, tie_rank=self.rank_x)]
            top_y = self.y_bottom[j] if rv < 0 else self.y_top[j]
            inter = np.intersect1d(top_x, top_y, assume_unique=True).size
            jaccard.append(inter / (2 * k - inter))
        return residual, aligned_r, float(np.mean(jaccard)) if jaccard else np.nan


def _inverse_column_norms(centred: F64, standardised: F64) -> F64:
    """1 / the norm of each centred column, 0 where `standardised_columns` zeroed it."""
    norms: F64 = np.linalg.norm(centred, axis=0)
    out: F64 = np.zeros_like(norms)
    live = np.any(standardised != 0, axis=0) & (norms > 0)
    out[live] = 1.0 / norms[live]
    return out


def alignment_view(
    model_a: Embedding,
    model_b: Embedding,
    *,
    k: int = 10,
    top_n: int | None = DEFAULT_TOP_N,
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    match_repetitions: int | None = None,
    stability: tuple[Stability | None, Stability | None] = (None, None),
    stability_runs: int = 0,
    across_seeds: Embedding | None = None,
) -> AlignmentView:
    """Compare two models over their shared vocabulary, every statistic with its nulls.

    `across_seeds` (B's spec at another seed, for models that share a seed; in the same
    basis as B) adds the seed floor: every statistic again for A against it.

    Both models may be in one basis (`BasisStore.in_basis`, or use `alignment_in_basis`):
    the matched pairs are then read against that basis's null (`match_repetitions` draws,
    default 1000) beside `stability` (each model's `BasisStore.stability`, for ica and
    dict:K). The raw basis gets the same max-|r| p-values and FDR call per matched pair
    (one d×d rotation per draw: 30 s for 1,000 draws of a 300-dimensional model; 0 skips
    them); the rotation null of mean matched |r| is there either way.
    """
    if repetitions < 2:
        raise PolytermError(f"--repetitions must be at least 2, not {repetitions}")
    request = request_of(model_a)
    if request_of(model_b) != request:
        raise PolytermError(
            f"{model_a.name} and {model_b.name} are in different bases "
            f"({request.label()} and {request_of(model_b).label()}): compare them in one"
        )
    shared = _shared_words(model_a, model_b, top_n, k)
    n = len(shared.words)
    a, b = _shared_rows(model_a, model_b, shared)
    ranks = frequency_ranks(model_a, model_b, shared)
    if match_repetitions is None:
        match_repetitions = DEFAULT_MATCH_REPETITIONS
    matching_share = 0.5 if match_repetitions else 0.0  # of the progress bar

    def matching_progress(fraction: float, _stage: str) -> None:
        if progress is not None:  # the pane's progress callback is also its cancel check
            progress(fraction * matching_share)

    basis_matching = (
        compare_codes(
            a,
            b,
            shared.words,
            request,
            k=k,
            repetitions=match_repetitions,
            seed=seed,
            stability=stability,
            stability_runs=stability_runs,
            progress=matching_progress,
            draws=rotated_dictionary_null(model_a, shared.indices[0], b, seed=seed),
            ranks=ranks,
        )
        if match_repetitions
        else None
    )
    matching = match_dimensions(a, b, k=k)
    procrustes = procrustes_align(a, b, k=k)
    top_b = _TopWordsOfB(b, k)
    shuffled = _ShuffleStatistics(a, b, procrustes, k, top_b)
    rotations = _RotationStatistics(a, b, top_b)
    observed = {
        **shuffled.measure(np.arange(n)),
        # as `_basis_statistics(a, b, k)`, from the matching computed above
        Stat.MEAN_MATCHED_R: matching.mean_matched_abs_r,
        Stat.MATCHED_JACCARD: matching.mean_topk_jaccard,
        Stat.CKA_STANDARDISED: linear_cka(a, b, standardise=True).cka,
    }
    rng = np.random.default_rng(seed)
    draws: dict[str, dict[str, list[float]]] = {"rotation": {}, "shuffle": {}}
    for rep in range(repetitions):
        # One generator, in a fixed order: a rotation, then a permutation, per repetition.
        for name, value in rotations.measure(random_rotation(a.shape[1], rng)).items():
            draws["rotation"].setdefault(name, []).append(value)
        perm = rng.permutation(n)
        for name, value in shuffled.measure(perm).items():
            draws["shuffle"].setdefault(name, []).append(value)
        if progress is not None:
            progress(matching_share + (1 - matching_share) * (rep + 1) / repetitions)
    meanings = {
        Stat.MEAN_MATCHED_R: "one-to-one matching of dimensions on |Pearson r| (Hungarian)",
        Stat.MATCHED_JACCARD: f"top-{k} word overlap of matched dimension pairs",
        Stat.PROCRUSTES_RESIDUAL: "‖A·R − B‖ with ‖A‖ = ‖B‖ = 1, best rotation R (0 … √2)",
        Stat.ALIGNED_MEAN_R: "|r| of dimension i of A·R with dimension i of B",
        Stat.ALIGNED_JACCARD: f"top-{k} word overlap of aligned dimension pairs",
        Stat.CKA: "Kornblith et al. 2019; invariant to rotation and scale",
        Stat.CKA_STANDARDISED: "CKA after z-scoring each dimension",
        Stat.SVCCA: "Raghu et al. 2017, 99% variance kept",
    }
    statistics = []
    for name in meanings:
        value = observed[name]
        nulls = tuple(
            summarise_null(value, draws[kind][name], kind=kind, seed=seed)  # type: ignore[arg-type]
            for kind in ("rotation", "shuffle")
            if name in draws[kind]
        )
        statistics.append(Statistic(name, value, nulls, meanings[name]))
    if not request.is_raw and basis_matching is not None:
        statistics = _basis_nulls(statistics, basis_matching)
    words = shared.words
    # Aligned pairs: column i of A·R against column i of B (of B's PCA basis if reduced).
    ident = np.arange(procrustes.aligned.shape[1], dtype=np.int64)
    aligned = _pairs(
        procrustes.aligned,
        procrustes.target,
        ident,
        ident,
        procrustes.aligned_r,
        procrustes.topk_jaccard,
        words,
        k,
        ranks,
    )
    return AlignmentView(
        a=ModelSummary.of(model_a),
        b=ModelSummary.of(model_b),
        n_words=n,
        shared_total=shared.total_shared,
        coverage=(shared.coverage[0], shared.coverage[1]),
        top_n=top_n or None,
        k=k,
        repetitions=repetitions,
        seed=seed,
        statistics=tuple(statistics),
        matched=_pairs(
            a,
            b,
            matching.matched_a,
            matching.matched_b,
            matching.matched_r,
            matching.topk_jaccard,
            words,
            k,
            ranks,
        ),
        aligned=aligned,
        matched_curve=tuple(float(x) for x in matching.matched_abs_curve),
        reduced_to=procrustes.reduced_to,
        most_stable=tuple(words[int(i)] for i in procrustes.most_stable[:10]),
        least_stable=tuple(words[int(i)] for i in procrustes.least_stable[:10]),
        basis_matching=basis_matching,
        stability_runs=stability_runs,
        seed_floor=(
            None
            if across_seeds is None
            else _alignment_floor(
                alignment_view(
                    model_a,
                    across_seeds,
                    k=k,
                    top_n=top_n,
                    repetitions=2,
                    seed=seed,
                    match_repetitions=match_repetitions,
                    stability=(stability[0], None),
                    stability_runs=stability_runs,
                )
            )
        ),
    )


def _basis_nulls(statistics: list[Statistic], comparison: BasisComparison) -> list[Statistic]:
    """In a basis, mean matched |r| is read against the basis's own null (its many
    draws); for dict:K the rotation null is dropped everywhere (rotating non-negative
    sparse codes gives dense signed ones no dictionary makes)."""
    out = []
    for s in statistics:
        nulls = s.nulls
        if comparison.basis.name.kind == "dict":  # codes cannot be rotated (see the docstring)
            nulls = tuple(x for x in nulls if x.kind != "rotation")
        if s.name == Stat.MEAN_MATCHED_R:
            kind = comparison.mean_matched.kind
            nulls = tuple(comparison.mean_matched if x.kind == kind else x for x in nulls)
            if not any(x.kind == kind for x in nulls):
                nulls = (comparison.mean_matched, *nulls)
        out.append(replace(s, nulls=nulls))
    return out


def alignment_in_basis(
    model_a: Embedding,
    model_b: Embedding,
    request: BasisRequest,
    store: BasisStore,
    *,
    k: int = 10,
    top_n: int | None = DEFAULT_TOP_N,
    repetitions: int = DEFAULT_REPETITIONS,
    match_repetitions: int | None = None,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    seed: int = 0,
    progress: ProgressFn | None = None,
    across_seeds: Embedding | None = None,
) -> AlignmentView:
    """`alignment_view` of two models (as they are in the cache) in `request`'s basis,
    fitted (or reused) by `store`, with the components' stability for ica and dict:K
    (and the seed floor against `across_seeds`, fitted in the same basis)."""
    stability = (
        basis_stability(store, model_a, request, stability_runs, progress=progress),
        basis_stability(store, model_b, request, stability_runs, progress=progress),
    )
    coded = [in_basis(store, m, request, progress=progress) for m in (model_a, model_b)]
    return alignment_view(
        coded[0],
        coded[1],
        k=k,
        top_n=top_n,
        repetitions=repetitions,
        seed=seed,
        match_repetitions=match_repetitions,
        stability=stability,
        stability_runs=stability_runs,
        progress=None if progress is None else (lambda f: progress(f, "nulls")),
        across_seeds=(
            None
            if across_seeds is None
            else in_basis(store, across_seeds, request, progress=progress)
        ),
    )
