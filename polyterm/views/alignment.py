"""Two models compared as wholes: matching, Procrustes, CKA, SVCCA — each beside its null.

Both models may be expressed in a basis (`polyterm.engine.bases`: raw, pca, ica, dict:K):
every statistic is then computed on their codes, and the matched axes/atoms are read
against the null that fits the basis (`polyterm.views.basis_comparison`, which also gives
that per-basis summary alone: the report's "where universality lives" table). The fast
rotation and shuffle nulls of the whole-model statistics are numbers only
(`polyterm.core.alignment_nulls`).

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

import numpy as np
import numpy.typing as npt

from polyterm.core.alignment_nulls import (
    RotationStatistics,
    ShuffleStatistics,
    Stat,
    TopWordsOfB,
)
from polyterm.core.embedding import Embedding
from polyterm.core.matching import match_dimensions
from polyterm.core.multiple_testing import MIN_Z
from polyterm.core.nulls import NullSummary, random_rotation, summarise_null
from polyterm.core.procrustes import procrustes_align
from polyterm.core.representational_similarity import linear_cka
from polyterm.core.stability import STABILITY_THRESHOLD, Stability
from polyterm.engine.bases import BasisRequest, BasisStore, request_of, rotated_dictionary_null
from polyterm.errors import PolytermError
from polyterm.views.basis_comparison import (
    DEFAULT_MATCH_REPETITIONS,
    DEFAULT_STABILITY_RUNS,
    DEFAULT_TOP_N,
    PAIRS_SHOWN,
    ROBUST_CAPTION,
    ROBUST_COLUMNS,
    BasisComparison,
    PairRobustness,
    ProgressFn,
    Ranks,
    basis_stability,
    compare_codes,
    frequency_ranks,
    in_basis,
    index_text,
    null_short,
    pair_robustness,
    robust_cells,
    shared_rows,
    shared_words,
    units,
)
from polyterm.views.model_summary import ModelSummary, cli_models, models_table
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

DEFAULT_REPETITIONS = COMPARISON.repetitions

F64 = npt.NDArray[np.float64]


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
                f"max-|r| p-values vs {null_short(c)}; Benjamini–Hochberg",
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
                    f"({c.stability_runs} runs; stable {units(c.basis)}: "
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
                row.append(f"{index_text(p.stability_a)} / {index_text(p.stability_b)}")
            row += robust_cells(p.robust)
            row += [joined(p.words_a, bold=p.common_words), joined(p.words_b, bold=p.common_words)]
            rows.append(tuple(row))
        numeric: tuple[bool, ...] = (True, True, True, True, False)
        if with_stability:
            numeric += (True,)
        numeric += (True,) * len(ROBUST_COLUMNS)
        return Table(
            "matched",
            f"Matched {units(c.basis)} of the {c.basis.label()} basis (Hungarian on |r|), "
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
                f"{_z_text(rot)}: " + matched_verdict(rot)
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
        f"In the {c.basis.label()} basis, matched {units(c.basis)} correlate with mean |r| "
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
    shared = shared_words(model_a, model_b, top_n, k)
    n = len(shared.words)
    a, b = shared_rows(model_a, model_b, shared)
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
    top_b = TopWordsOfB(b, k)
    shuffled = ShuffleStatistics(a, b, procrustes, k, top_b)
    rotations = RotationStatistics(a, b, top_b)
    observed = {
        **shuffled.measure(np.arange(n)),
        # as `basis_statistics(a, b, k)`, from the matching computed above
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
