"""Two models matched axis to axis (atom to atom) in one basis, beside the null that fits it.

Both models are expressed in a basis (`polyterm.engine.bases`: raw, pca, ica, dict:K) and
their codes matched one-to-one (Hungarian on |r|) against the basis's null
(`polyterm.core.basis_matching`: a rotation in the whitened space for pca/ica and in the
raw space for raw, rotated dictionaries for dict:K with the word shuffle as a secondary
line), with a max-|r| p-value per matched pair, the number of pairs shared at a
false-discovery rate, each pair's robust correlation and frequency ρ, and, for ica and
dict:K, each component's within-model stability (`BasisStore.stability`): a pair with an
unstable side cannot be called universal. `basis_comparison` is that per-basis summary
(the report's "where universality lives" table); `polyterm.views.alignment` shows it
inside a whole-model alignment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from polyterm.core.bases import DEFAULT_FIT_ROWS
from polyterm.core.basis_matching import DEFAULT_FDR_Q, NullDraws, default_null, match_bases
from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import top_k_rows
from polyterm.core.nulls import NullSummary
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
from polyterm.views.model_summary import too_large_k
from polyterm.views.protocol import Cell
from polyterm.views.settings import COMPARISON

DEFAULT_TOP_N = COMPARISON.top_n
DEFAULT_MATCH_REPETITIONS = COMPARISON.match_repetitions
"""Null draws of the per-pair max-|r| p-values (cheap: the smallest p is 1 / (1 + R), so
Benjamini–Hochberg over m pairs needs R of about 20·m or more to call any pair shared)."""
DEFAULT_STABILITY_RUNS = COMPARISON.stability_runs
assert DEFAULT_STABILITY_RUNS == DEFAULT_RUNS  # core.stability keeps the same default
assert COMPARISON.fit_words == DEFAULT_FIT_ROWS  # core.bases keeps the same default
PAIRS_SHOWN = 15
FIT_ON_OWN, FIT_ON_SHARED = "own", "shared"
FIT_ON = (FIT_ON_OWN, FIT_ON_SHARED)
"""`--fit-on`: where each model's basis is fitted — its own most frequent words (the
default) or the shared words the two models are compared over."""

F64 = npt.NDArray[np.float64]


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
    fit_on: str = FIT_ON_OWN
    """``own``: each model's basis fitted on its own most frequent words (`basis.fit_words`);
    ``shared``: both fitted on the shared words that are compared (`fit_on_text`)."""

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


def null_short(c: BasisComparison) -> str:
    """The null in a few words (the statistics table's meaning column stays narrow)."""
    kind = c.basis.name.kind
    what = {"raw": "rotations of A", "dict": "rotated dictionaries"}.get(kind, "rotations")
    if kind in ("pca", "ica"):
        what = "whitened rotations"
    return f"{c.repetitions:,} {what}"


def index_text(index: float | None) -> str:
    return "—" if index is None else f"{index:.2f}"


def _unit(request: BasisRequest) -> str:
    kind = request.name.kind
    return "dim" if kind == "raw" else "atom" if kind == "dict" else "axis"


def units(request: BasisRequest) -> str:
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
    fit_on: str = FIT_ON_OWN,
) -> BasisComparison:
    """Two models (as they are in the cache) matched in `request`'s basis, over their
    `top_n` most frequent shared words (0/None: all), against the null that fits the
    basis, with each pair's p-value, the count shared at `fdr_q` and (ica, dict:K, when
    `stability_runs` > 0) the components' within-model stability.

    `fit_on` ``shared`` fits both models' bases (and their stability refits) on exactly
    the shared words that are compared, in memory, instead of each model's own
    `request.fit_words` most frequent words (``own``, the default; stored in the cache).

    ``comparison.top_shared()`` gives the strongest shared pairs with both sides' words.
    """
    if fit_on not in FIT_ON:
        raise PolytermError(f"--fit-on must be one of {', '.join(FIT_ON)}, not {fit_on!r}")
    if fit_on == FIT_ON_SHARED and not request.is_raw:
        return _fitted_on_shared(
            model_a, model_b, request, store, top_n=top_n, repetitions=repetitions,
            seed=seed, stability_runs=stability_runs, k=k, fdr_q=fdr_q, progress=progress,
        )  # fmt: skip
    coded = [in_basis(store, m, request, progress=progress) for m in (model_a, model_b)]
    stabilities = (
        basis_stability(store, model_a, request, stability_runs, progress=progress),
        basis_stability(store, model_b, request, stability_runs, progress=progress),
    )
    shared = shared_words(coded[0], coded[1], top_n, k)
    a, b = shared_rows(coded[0], coded[1], shared)
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


def _restricted(model: Embedding, rows: npt.NDArray[np.int64], words: tuple[str, ...]) -> Embedding:
    """`model`'s vectors of `words` (at `rows`) as a model of its own, kept in memory (no
    content key: its bases are not stored)."""
    manifest = {k: v for k, v in model.manifest.items() if k != "content_sha256"}
    manifest["frequency_ordered"] = False
    return Embedding.from_arrays(
        model.name, list(words), np.asarray(model.vectors)[rows], manifest=manifest
    )


def _fitted_on_shared(
    model_a: Embedding,
    model_b: Embedding,
    request: BasisRequest,
    store: BasisStore,
    *,
    top_n: int | None,
    repetitions: int,
    seed: int,
    stability_runs: int,
    k: int,
    fdr_q: float,
    progress: ProgressFn | None,
) -> BasisComparison:
    """`basis_comparison` with both bases fitted on the compared shared words."""
    shared = shared_words(model_a, model_b, top_n, k)
    ranks = frequency_ranks(model_a, model_b, shared)
    n = len(shared.words)
    fit = replace(request, fit_words=n)
    models = (
        _restricted(model_a, shared.indices[0], shared.words),
        _restricted(model_b, shared.indices[1], shared.words),
    )
    coded = [in_basis(store, m, fit, progress=progress) for m in models]
    stabilities = (
        basis_stability(store, models[0], fit, stability_runs, progress=progress),
        basis_stability(store, models[1], fit, stability_runs, progress=progress),
    )
    a = np.asarray(coded[0].vectors, dtype=np.float64)
    b = np.asarray(coded[1].vectors, dtype=np.float64)
    rows = np.arange(n, dtype=np.int64)
    draws = rotated_dictionary_null(coded[0], rows, b, seed=seed, progress=progress)
    c = compare_codes(
        a, b, shared.words, request, k=k, repetitions=repetitions, seed=seed, fdr_q=fdr_q,
        stability=stabilities, stability_runs=stability_runs, progress=progress,
        draws=draws, ranks=ranks,
    )  # fmt: skip
    return replace(c, fit_on=FIT_ON_SHARED)


def shared_words(
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


def shared_rows(
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
