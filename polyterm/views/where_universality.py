"""Where universality lives: every pair of models compared in every basis, side by side.

The study's question is whether two models group words the same way along their axes.
In the raw basis the answer is expected to be no, whatever the models share: word2vec's
(and GloVe's) objective depends on the vectors only through dot products, so any rotation
of a trained model is an equally good model and its raw dimensions are an arbitrary
choice of the optimiser. A basis picked by the data (pca: directions of variance; ica:
independent, skewed directions; dict:K: sparse atoms) can be shared where raw dimensions
are not. For each pair of models and each basis this view shows, from
`polyterm.views.basis_comparison.basis_comparison`:

- the mean matched |r| (Hungarian on |r| of the axes' activations over the shared words)
  beside the null that fits the basis (a rotation of A, in the whitened space for pca/ica;
  a shuffle of A's words for dict:K);
- how many matched pairs are shared at the false-discovery rate (BH on max-|r|
  p-values: under the null, the chance that *any* pair is called shared is at most the
  rate, so the null gives 0 shared pairs with that probability);
- the components that reproduce within each model (Icasso stability; ica and dict:K);
- the strongest shared axes with their top words in both models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import combinations

import numpy as np

from polyterm.core.basis_matching import DEFAULT_FDR_Q
from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.cache import Manifest
from polyterm.errors import PolytermError
from polyterm.views.basis_comparison import (
    DEFAULT_MATCH_REPETITIONS,
    DEFAULT_STABILITY_RUNS,
    DEFAULT_TOP_N,
    FIT_ON_OWN,
    FIT_ON_SHARED,
    FREQUENCY_COLUMN,
    BasisComparison,
    BasisPair,
    basis_comparison,
)
from polyterm.views.model_summary import ModelSummary, cli_models, models_table
from polyterm.views.protocol import (
    Cell,
    Data,
    Phrase,
    Table,
    ViewMethods,
    joined,
    null_text,
    slug_of,
)
from polyterm.views.seed_floor import SeedPartner, floor_text
from polyterm.views.settings import COMPARISON

AXES_SHOWN = 5
SHARED_Z = 3.0
"""The mean matched |r| must exceed its null by this many null sd (and at least one pair
must be shared at the FDR) for a basis to count as beating its null: a reading never
rests on one |z| below 3."""
BASIS_SEEDS = COMPARISON.basis_seeds
"""Fits per basis (the basis seed and the next ones) behind each cell's error bar: ica and
dict:K are refitted with each seed (pca and raw have no seed); a second model seed adds
its own fits (`CellSpread`)."""
WEAK_NULLS = frozenset({"shuffle"})
"""Nulls that keep neither model's geometry: beating one alone is not evidence that axes
are shared (a shuffle of the words makes any learned structure look special)."""


class Verdict(StrEnum):
    """What one basis comparison supports; the table's last column and every summary
    sentence are generated from it (`verdict`), so no sentence says more than the table."""

    SHARED = "yes"
    WEAK_NULL_ONLY = "no: only the weak shuffle null is beaten"
    UNSTABLE = "no: no shared pair is stable in both models"
    FREQUENCY_ONLY = "no: only frequency axes are shared"
    UNDECIDED = "undecided: the spread over refits crosses the threshold"
    REFITS_NO = "no: over its refits the mean does not beat the null"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Refit:
    """One refit behind a cell: which models, which basis seed, what it gave."""

    models: str
    basis_seed: int
    mean_matched: float
    n_shared: int


@dataclass(frozen=True, slots=True)
class CellSpread:
    """A cell's mean matched |r| and shared count over refits: the decisive comparison
    (`PairInBases.decisive`) with each basis seed, and, where the pair has a second model
    seed, the other different-seed pairing too. The null is the decisive comparison's."""

    refits: tuple[Refit, ...]
    null_mean: float
    null_sd: float

    @property
    def n(self) -> int:
        return len(self.refits)

    @property
    def mean(self) -> float:
        return float(np.mean([r.mean_matched for r in self.refits]))

    @property
    def sd(self) -> float:
        """Sample sd (ddof 1; 0 for a single refit)."""
        values = [r.mean_matched for r in self.refits]
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    @property
    def shared_mean(self) -> float:
        return float(np.mean([r.n_shared for r in self.refits]))

    @property
    def shared_sd(self) -> float:
        values = [r.n_shared for r in self.refits]
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    @property
    def z(self) -> float | None:
        """The mean's distance from the null in null sd (None for a degenerate null)."""
        if not self.null_sd > 0:
            return None
        return (self.mean - self.null_mean) / self.null_sd

    def call(self) -> str | None:
        """What the refits say on their own (None for a single refit): "below" (mean + sd
        at or under the `SHARED_Z` threshold, or no refit shares a pair), "straddle",
        "split" (above it, but some refits share pairs at the FDR and others none) or
        "above"; with a degenerate null "split" or None."""
        if self.n < 2:
            return None
        counts = [r.n_shared for r in self.refits]
        split = min(counts) == 0 < max(counts)
        if not self.null_sd > 0:
            return "split" if split else None
        lo = (self.mean - self.sd - self.null_mean) / self.null_sd
        hi = (self.mean + self.sd - self.null_mean) / self.null_sd
        if hi <= SHARED_Z or max(counts) == 0:  # no refit shares a pair: they say no too
            return "below"
        if lo <= SHARED_Z:
            return "straddle"
        return "split" if split else "above"

    def undecided(self) -> bool:
        """The refits do not agree on the call: mean ± sd straddles the `SHARED_Z`
        threshold, or the mean beats it while some refits share pairs at the FDR and
        others none. (A mean inside the null is a "no" however the counts vary.)"""
        return self.call() in ("straddle", "split")

    def text(self) -> str:
        """``0.654 ± 0.003 (n 6); shared 16.3 ± 1.2``."""
        return (
            f"{self.mean:.3f} ± {self.sd:.3f} (n {self.n}); shared "
            f"{self.shared_mean:.1f} ± {self.shared_sd:.1f}"
            + ("; undecided" if self.undecided() else "")
        )


@dataclass(frozen=True, slots=True)
class PairInBases:
    """One pair of models compared in each basis (in the view's basis order)."""

    a: ModelSummary
    b: ModelSummary
    comparisons: tuple[BasisComparison, ...]
    same_seed: bool = False  # both trained on one corpus from one seed
    across_seeds: tuple[BasisComparison, ...] = field(
        default=(), metadata={"json": "unless-default"}
    )
    """With `same_seed`: each basis again for A against B's spec at another seed
    (`partner`), the seed floor; the verdicts and the headline use these."""
    partner: str = field(default="", metadata={"json": "unless-default"})
    spreads: tuple[CellSpread, ...] = field(default=(), metadata={"json": "unless-default"})
    """Per basis: the decisive comparison over refits (basis seeds, a second model seed);
    empty when not measured."""

    def spread(self, i: int) -> CellSpread | None:
        return self.spreads[i] if len(self.spreads) == len(self.comparisons) else None

    def cell_verdict(self, i: int) -> Verdict:
        """The cell's verdict, decided by its refits where there are several: `verdict` of
        the decisive comparison (the first fit) stands only when the refits agree with it.
        Refits whose mean ± sd stays at or under the threshold make any "yes" a
        `Verdict.REFITS_NO`; refits that straddle it, or split on sharing pairs, make a
        "yes" or a plain "no" `Verdict.UNDECIDED`; a first-fit "no" whose refits all beat
        the null is undecided too. A "no" with a reason about the pairs (unstable,
        frequency axes, weak null only) keeps its reason."""
        first = verdict(self.decisive()[i])
        spread = self.spread(i)
        call = None if spread is None else spread.call()
        if call is None:
            return first
        if call == "below":
            return Verdict.REFITS_NO if first is Verdict.SHARED else first
        if call in ("straddle", "split"):
            return Verdict.UNDECIDED if first in (Verdict.SHARED, Verdict.NO) else first
        return Verdict.UNDECIDED if first is Verdict.NO else first  # "above"

    def decisive(self) -> tuple[BasisComparison, ...]:
        """The comparison each verdict rests on, per basis: across seeds when there is
        one (the same seed flatters a pair), else the pair itself."""
        if len(self.across_seeds) == len(self.comparisons):
            return self.across_seeds
        return self.comparisons

    def shared_bases(self) -> tuple[BasisComparison, ...]:
        """The bases in which the groupings are shared beyond chance (`verdict` of the
        decisive comparison)."""
        return tuple(
            c for i, c in enumerate(self.decisive()) if self.cell_verdict(i) is Verdict.SHARED
        )


def beats_null(c: BasisComparison) -> bool:
    """Mean matched |r| more than `SHARED_Z` null sd above its null, and at least one
    matched pair shared at the FDR."""
    z = c.mean_matched.z
    return z is not None and z > SHARED_Z and c.n_shared > 0


def evidence_pairs(c: BasisComparison) -> tuple[BasisPair, ...]:
    """The pairs a claim of sharing may rest on: shared at the FDR, stable on both sides
    (or stability not applicable/measured), and not frequency axes."""
    return tuple(p for p in c.pairs if p.shared and p.stable is not False and not p.frequency_axis)


def verdict(c: BasisComparison) -> Verdict:
    """The decision rule of the table and of every summary sentence: shared *and* stable
    *and* beating the basis's strongest null (a geometry-keeping one), on axes that are
    not word frequency."""
    if not beats_null(c):
        return Verdict.NO
    if c.null_kind in WEAK_NULLS:
        return Verdict.WEAK_NULL_ONLY
    shared = [p for p in c.pairs if p.shared]
    if not any(p.stable is not False for p in shared):
        return Verdict.UNSTABLE
    if not evidence_pairs(c):
        return Verdict.FREQUENCY_ONLY
    return Verdict.SHARED


def is_shared(c: BasisComparison) -> bool:
    """`verdict(c)` is `Verdict.SHARED`."""
    return verdict(c) is Verdict.SHARED


def _stable_text(c: BasisComparison) -> str:
    if c.stable_components is None:
        kind = c.basis.name.kind
        return "deterministic" if kind == "pca" else "—"
    (sa, sb), (ka, kb) = c.stable_components, c.codes
    return f"{sa} of {ka}; {sb} of {kb}"


def _null_shared_text(c: BasisComparison) -> str:
    return f"0 (any: ≤ {c.fdr_q:.0%})"


@dataclass(frozen=True, slots=True)
class WhereUniversalityView(ViewMethods):
    """Every pair of `models` in every basis of `bases` (`where_universality_view`)."""

    models: tuple[ModelSummary, ...]
    bases: tuple[BasisRequest, ...]
    pairs: tuple[PairInBases, ...]
    top_n: int | None
    k: int
    repetitions: int
    seed: int
    stability_runs: int
    fdr_q: float
    axes_shown: int = AXES_SHOWN
    basis_seeds: int = field(default=BASIS_SEEDS, metadata={"json": "unless-default"})
    fit_on: str = field(default=FIT_ON_OWN, metadata={"json": "unless-default"})

    def fit_on_text(self) -> str:
        """Which words each model's basis was fitted on (`--fit-on`)."""
        if self.fit_on == FIT_ON_SHARED:
            return "the shared words that are compared, in both models (--fit-on shared)"
        fit = next((b.fit_words for b in self.bases if not b.is_raw), None)
        words = "" if fit is None else f"{fit:,} "
        return f"each model's own {words}most frequent words (--fit-on own)"

    def title(self) -> Phrase:
        names: list[str | Data] = []
        for i, m in enumerate(self.models):
            if i:
                names.append(", ")
            names.append(Data(m.name))
        return Phrase.of("Where universality lives: ", *names)

    def slug(self) -> str:
        return slug_of("where-universality", [m.name for m in self.models])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `bases`: each pair in each basis, every number beside its null;
        `shared-axes`: the strongest shared axes/atoms of each pair and basis, with their
        top words (words in both top lists in bold)."""
        q = f"{self.fdr_q:g}"
        rows: list[tuple[Cell, ...]] = []
        floors = any(p.across_seeds for p in self.pairs)
        spreads = any(p.spreads for p in self.pairs)
        for p in self.pairs:
            decisive = p.decisive()
            for i, c in enumerate(p.comparisons):
                row: list[Cell] = [
                    Data(p.a.name),
                    Data(p.b.name),
                    c.basis.label(),
                    f"{c.codes[0]} × {c.codes[1]}",
                    f"{c.mean_matched.observed:.3f}",
                ]
                if floors:
                    row.append(_across_text(p, i))
                row += [
                    null_text(c.mean_matched),
                    c.null_kind,
                    c.shared_text(),
                    _null_shared_text(c),
                    _stable_text(c),
                    *((_spread_cell(p, i),) if spreads else ()),
                    p.cell_verdict(i).value
                    + (" (across seeds)" if decisive is p.across_seeds else ""),
                ]
                rows.append(tuple(row))
        axes: list[tuple[Cell, ...]] = []
        for p in self.pairs:
            for c in p.comparisons:
                for s in c.top_shared(self.axes_shown):
                    common = s.common_words
                    axes.append(
                        (
                            Data(p.a.name),
                            Data(p.b.name),
                            c.basis.label(),
                            f"{c.unit} {s.axis_a}",
                            f"{c.unit} {s.axis_b}",
                            f"{s.r:+.3f}",
                            f"{s.p:.4f}",
                            "—" if s.stable is None else "yes" if s.stable else "no",
                            "" if s.robust is None else s.robust.freq_text(),
                            joined(s.words_a, bold=common),
                            joined(s.words_b, bold=common),
                        )
                    )
        return (
            models_table(self.models),
            Table(
                "bases",
                "Each pair of models in each basis, beside its null",
                (
                    "A",
                    "B",
                    "basis",
                    "axes",
                    "mean matched |r|",
                    *(("across seeds (mean |r| against its null; shared)",) if floors else ()),
                    "null (mean ± sd, z)",
                    "null",
                    f"pairs shared at FDR {q}",
                    "null gives",
                    "stable components (A; B)",
                    *(("over refits (mean |r| ± sd (n); shared ± sd)",) if spreads else ()),
                    "shared beyond chance",
                ),
                tuple(rows),
                caption=(
                    f"Matched one-to-one by |r| over {self._scope()}; bases fitted on "
                    f"{self.fit_on_text()}. A pair is shared "
                    f"when Benjamini–Hochberg at {q} keeps its max-|r| p-value "
                    f"({self.repetitions:,} null draws); under the null the chance that any "
                    f"pair is called shared is at most {self.fdr_q:.0%}. Null: rotation "
                    "(raw: of A; pca, ica: in the whitened space) or rotated dictionary "
                    "(dict:K: A's dictionary turned by a random rotation of A's space and "
                    "A's words coded on it again; the word shuffle is only a secondary "
                    "line). "
                    + self._stability_text()
                    + " 'Shared beyond chance': mean matched |r| more than "
                    f"{SHARED_Z:g} null sd above a null that keeps the geometry (not only the "
                    "word shuffle), and at least one pair shared at the FDR, stable in both "
                    "models and not a frequency axis (|ρ with frequency rank| ≥ 0.5)."
                    + (
                        " Models that share a seed are also compared across seeds (A against "
                        "B's spec at another seed): the seed floor, on which their verdict rests; "
                        "for such a pair the null, pairs-shared and stability columns are the "
                        "same-seed comparison's, the across-seed column has its own null."
                        if floors
                        else ""
                    )
                    + (self._spread_text() if spreads else "")
                ),
                numeric=(
                    False,
                    False,
                    False,
                    True,
                    True,
                    *((True,) if floors else ()),
                    True,
                    False,
                    True,
                    True,
                    True,
                    *((True,) if spreads else ()),
                    False,
                ),
            ),
            Table(
                "shared-axes",
                f"Strongest shared axes (up to {self.axes_shown} per pair and basis)",
                (
                    "A",
                    "B",
                    "basis",
                    "in A",
                    "in B",
                    "r",
                    "p",
                    "stable",
                    FREQUENCY_COLUMN,
                    f"top {self.k} words in A",
                    f"top {self.k} words in B (bottom if r < 0)",
                ),
                tuple(axes),
                caption=(
                    "'freq': |ρ with frequency rank| ≥ 0.5 on a side, an axis that orders "
                    "words by how common they are (not a shared meaning). The axes are the "
                    "pair's own; for a pair that shares a seed the verdict rests on the "
                    "across-seed comparison."
                    if axes
                    else "No pair is shared at the FDR in any basis."
                ),
                numeric=(False, False, False, True, True, True, True, False, True, False, False),
            ),
        )

    def _spread_text(self) -> str:
        return (
            f" Over refits: the comparison the verdict rests on, with {self.basis_seeds} basis "
            "seeds (ica, dict:K; pca and raw have none) and, for a pair that shares a seed, "
            "both different-seed pairings (A vs B at another seed, A at another seed vs B); "
            "mean ± sample sd over the n refits (refits other than the first without "
            "stability). 'Undecided': mean ± sd crosses the "
            f"{SHARED_Z:g}-sd threshold, or beats it while some refits share pairs at the FDR "
            "and others none."
        )

    def _stability_text(self) -> str:
        if self.stability_runs <= 0:
            return "Stability within each model was not measured."
        return (
            f"Stable: Icasso stability index ≥ 0.8 over {self.stability_runs} fits with "
            "different seeds (ica, dict:K; pca is deterministic)."
        )

    def _scope(self) -> str:
        return (
            f"the {self.top_n:,} most frequent shared words" if self.top_n else "all shared words"
        )

    def command(self) -> str:
        names = ",".join(str(b.name) for b in self.bases)
        opts = f" --k {self.k} --basis {names}"
        fitted = next((b for b in self.bases if not b.is_raw), None)
        if fitted is not None:
            default = BasisRequest()
            if fitted.fit_words != default.fit_words:
                opts += f" --fit-words {fitted.fit_words}"
            if fitted.seed != default.seed:
                opts += f" --basis-seed {fitted.seed}"
        if self.basis_seeds != BASIS_SEEDS:
            opts += f" --basis-seeds {self.basis_seeds}"
        if self.fit_on != FIT_ON_OWN:
            opts += f" --fit-on {self.fit_on}"
        return f"polyterm report {cli_models(self.models)}{opts}"

    def readings(self) -> tuple[str, ...]:
        """The study's answer in words: per pair, the bases in which the groupings are
        shared beyond chance (if any), and why raw dimensions are not expected to be."""
        out: list[str] = []
        for p in self.pairs:
            out += pair_readings(p)
        if any(c.basis.is_raw for p in self.pairs for c in p.comparisons):
            out.append(
                "Raw dimensions are arbitrary: word2vec's and GloVe's objectives depend on the "
                "vectors only through dot products, so every rotation of a trained model is "
                "as good a model, and nothing makes two models' raw dimensions correspond. "
                "A raw basis inside its rotation null is the expected answer, not a failure "
                "to find structure; the question is whether a basis the data picks is shared."
            )
        if any(c.basis.name.kind == "dict" for p in self.pairs for c in p.comparisons):
            out.append(
                "Dictionary atoms are read against a rotated-dictionary null (A's dictionary "
                "turned by a random rotation of A's space, A's words coded on it again: the "
                "geometry and the codes' sparsity kept, only the atoms' placement random); "
                "non-negative codes cannot be rotated themselves, and the word shuffle, "
                "which nearly every learned pair beats, is only a secondary line."
            )
        return tuple(out)


def pair_readings(p: PairInBases) -> list[str]:
    """The sentences on one pair of models, each generated from `verdict` (the rule of the
    table's last column): a basis is said to share the groupings only when its verdict is
    `Verdict.SHARED`; every other basis is named with the reason it does not."""
    out: list[str] = []
    shared = p.shared_bases()
    cells = list(enumerate(p.decisive()))
    rest = [(i, c) for i, c in cells if p.cell_verdict(i) is not Verdict.SHARED]
    phrase = {id(c): _basis_phrase(c, p.spread(i)) for i, c in cells}
    evidence = {id(c): _evidence_text(c, p.spread(i)) for i, c in cells}
    head = f"{p.a.name} vs {p.b.name}: "
    if p.across_seeds and p.decisive() is p.across_seeds:
        head = f"{p.a.name} vs {p.b.name} (across seeds: {p.a.name} vs {p.partner}): "
    if shared:
        text = (
            head
            + "the groupings are shared beyond chance in "
            + "; ".join(phrase[id(c)] + evidence[id(c)] for c in shared)
        )
        if rest:
            text += "; not in " + "; ".join(
                phrase[id(c)] + _reason(p.cell_verdict(i)) for i, c in rest
            )
        out.append(text + ".")
    else:
        out.append(
            head + "no basis shares the groupings beyond chance: "
            + "; ".join(phrase[id(c)] + _reason(p.cell_verdict(i)) for i, c in cells) + "."
        )  # fmt: skip
    if p.across_seeds and p.decisive() is p.across_seeds:
        parts = [
            f"{same.basis.label()} mean matched |r| "
            + floor_text(same.mean_matched.observed, other.mean_matched.observed,
                         same.mean_matched.null_mean)
            + f", {same.n_shared} and {other.n_shared} pairs shared"
            for same, other in zip(p.comparisons, p.across_seeds, strict=True)
        ]  # fmt: skip
        out.append(
            f"{p.a.name} and {p.b.name} share a seed, which makes them look alike; the "
            f"verdicts above are across seeds ({p.a.name} vs {p.partner}): "
            + "; ".join(parts)
            + " (chance: the basis's null)."
        )
    elif shared and p.same_seed:
        out.append(
            f"{p.a.name} and {p.b.name} were trained on one corpus from the same "
            "seed (the same initial random stream), which makes them look alike: "
            "read their sharing against two seeds of one size (the seed floor)."
        )
    for c in p.decisive():
        frequency = [x for x in c.pairs if x.shared and x.frequency_axis]
        if frequency:
            first = frequency[0]
            rho = first.robust.freq_rho_a if first.robust is not None else None
            rho_text = "" if rho is None else f", ρ {rho:+.2f} with frequency rank"
            verb = "is a frequency axis" if len(frequency) == 1 else "are frequency axes"
            out.append(
                f"{p.a.name} vs {p.b.name} in {c.basis.label()}: {len(frequency)} of the "
                f"{c.n_shared} shared pairs {verb} ({c.unit} {first.axis_a} ↔ "
                f"{first.axis_b}{rho_text}): such an axis orders words by how common they "
                "are, which both models see alike, and is not counted as a shared meaning."
            )
    return out


def _spread_cell(p: PairInBases, i: int) -> str:
    spread = p.spread(i)
    return "—" if spread is None else spread.text()


def _across_text(p: PairInBases, i: int) -> str:
    if len(p.across_seeds) != len(p.comparisons):
        return "—"
    c = p.across_seeds[i]
    z = c.mean_matched.z
    against = "" if z is None else f" against {c.mean_matched.null_mean:.3f}, z {z:+.1f}"
    return (
        f"{c.mean_matched.observed:.3f}{against}; {c.n_shared} of {c.n_pairs} "
        f"(vs {p.partner})"
    )


def _evidence_text(c: BasisComparison, spread: CellSpread | None = None) -> str:
    n = len(evidence_pairs(c))
    if not n:
        return ""
    if spread is not None and spread.n > 1:
        return (
            f" — in the first fit, {n} of its {c.n_shared} shared pairs stable in both "
            "models and not frequency axes"
        )
    return f" — {n} of them stable in both models and not frequency axes"


def _reason(v: Verdict) -> str:
    if v is Verdict.UNDECIDED:
        return " — undecided: its refits (basis seeds, model seeds) disagree on the call"
    if v is Verdict.REFITS_NO:
        return " — over its refits the mean does not beat the null (the first fit alone did)"
    if v is Verdict.WEAK_NULL_ONLY:
        return " — only the weak shuffle null is beaten"
    if v is Verdict.UNSTABLE:
        return " — no shared pair is stable in both models"
    if v is Verdict.FREQUENCY_ONLY:
        return " — every shared pair that is stable is a frequency axis"
    return ""


def _basis_phrase(c: BasisComparison, spread: CellSpread | None = None) -> str:
    """The basis with its figures: over refits (mean ± sd, n) when measured, else the
    one comparison."""
    if spread is not None and spread.n > 1:
        z = spread.z
        ztext = "" if z is None else f", z {z:+.1f}"
        return (
            f"{c.basis.label()} (mean matched |r| {spread.mean:.3f} ± {spread.sd:.3f} over "
            f"{spread.n} refits against {c.mean_matched.null_mean:.3f} ± "
            f"{c.mean_matched.null_sd:.3f}{ztext}; {spread.shared_mean:.1f} ± "
            f"{spread.shared_sd:.1f} of {c.n_pairs} {c.unit} pairs shared at FDR {c.fdr_q:g})"
        )
    z = c.mean_matched.z
    ztext = "" if z is None else f", z {z:+.1f}"
    return (
        f"{c.basis.label()} (mean matched |r| {c.mean_matched.observed:.3f} against "
        f"{c.mean_matched.null_mean:.3f} ± {c.mean_matched.null_sd:.3f}{ztext}; "
        f"{c.n_shared} of {c.n_pairs} {c.unit} pairs shared at FDR {c.fdr_q:g})"
    )


def _same_seed(a: Embedding, b: Embedding) -> bool:
    ma, mb = Manifest.of(a.manifest), Manifest.of(b.manifest)
    if ma.params is None or mb.params is None or ma.corpus is None or mb.corpus is None:
        return False
    return ma.params.seed == mb.params.seed and ma.corpus.sha256 == mb.corpus.sha256


def where_universality_view(
    models: Sequence[Embedding],
    *,
    bases: Sequence[BasisRequest] = (BasisRequest(),),
    store: BasisStore | None = None,
    top_n: int | None = DEFAULT_TOP_N,
    k: int = 10,
    repetitions: int = DEFAULT_MATCH_REPETITIONS,
    seed: int = 0,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    fdr_q: float = DEFAULT_FDR_Q,
    axes_shown: int = AXES_SHOWN,
    progress: Callable[[str], None] | None = None,
    seed_partner: SeedPartner | None = None,
    basis_seeds: int = BASIS_SEEDS,
    fit_on: str = FIT_ON_OWN,
) -> WhereUniversalityView:
    """Every pair of `models` (in the given order) compared in every basis of `bases`.

    Each model's basis is fitted once per request (`store` keeps it; a new in-memory
    store when None), and each comparison is `basis_comparison` (PolytermError when a
    basis cannot be fitted or the models share too few words).

    `basis_seeds` > 1 adds each cell's spread (`CellSpread`): the decisive comparison
    refitted with the next `basis_seeds` - 1 basis seeds (ica, dict:K), and for a pair
    whose models share a seed, A's different-seed model against B with every basis seed
    (`seed_partner(b, a)`); refits other than the first skip the stability.
    """
    if basis_seeds < 1:
        raise PolytermError(f"--basis-seeds must be at least 1, not {basis_seeds}")
    say = progress or (lambda _m: None)
    store = store if store is not None else BasisStore()
    requests = tuple(dict.fromkeys(bases)) or (BasisRequest(),)
    pairs = []

    def compare(
        x: Embedding, y: Embedding, request: BasisRequest, runs: int = stability_runs
    ) -> BasisComparison:
        say(f"{x.name} vs {y.name} in {request.label()}")
        return basis_comparison(
            x, y, request, store, top_n=top_n, repetitions=repetitions, seed=seed,
            stability_runs=runs, k=k, fdr_q=fdr_q, fit_on=fit_on,
        )  # fmt: skip

    def spread(
        decisive: BasisComparison,
        x: Embedding,
        y: Embedding,
        other: tuple[Embedding, Embedding] | None,
    ) -> CellSpread:
        request = decisive.basis
        seeds = [request.seed + i for i in range(basis_seeds)]
        if request.name.kind not in ("ica", "dict"):  # raw, pca: nothing to reseed
            seeds = seeds[:1]
        refits = [Refit(f"{x.name} vs {y.name}", seeds[0], decisive.mean_matched.observed,
                        decisive.n_shared)]  # fmt: skip
        runs = [(x, y, s) for s in seeds[1:]]
        if other is not None:  # the second different-seed pairing
            runs += [(other[0], other[1], s) for s in seeds]
        for u, v, s in runs:
            c = compare(u, v, replace(request, seed=s), 0)
            refits.append(Refit(f"{u.name} vs {v.name}", s, c.mean_matched.observed, c.n_shared))
        return CellSpread(tuple(refits), decisive.mean_matched.null_mean,
                          decisive.mean_matched.null_sd)  # fmt: skip

    for a, b in combinations(models, 2):
        comparisons = tuple(compare(a, b, r) for r in requests)
        partner = seed_partner(a, b) if seed_partner is not None else None
        across = () if partner is None else tuple(compare(a, partner, r) for r in requests)
        spreads: tuple[CellSpread, ...] = ()
        if basis_seeds > 1 or partner is not None:
            # across seeds, the second different-seed pairing: A at another seed against B
            a_other = None if partner is None or seed_partner is None else seed_partner(b, a)
            second = None if a_other is None else (a_other, b)
            y = b if partner is None else partner
            decisive = across if partner is not None else comparisons
            spreads = tuple(spread(c, a, y, second) for c in decisive)
        pairs.append(
            PairInBases(
                ModelSummary.of(a),
                ModelSummary.of(b),
                comparisons,
                _same_seed(a, b),
                across_seeds=across,
                partner="" if partner is None else partner.name,
                spreads=spreads,
            )
        )
    return WhereUniversalityView(
        models=tuple(ModelSummary.of(m) for m in models),
        bases=requests,
        pairs=tuple(pairs),
        top_n=top_n or None,
        k=k,
        repetitions=repetitions,
        seed=seed,
        stability_runs=stability_runs,
        fdr_q=fdr_q,
        axes_shown=axes_shown,
        basis_seeds=basis_seeds,
        fit_on=fit_on,
    )
