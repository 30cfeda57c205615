"""The dimension sweep: how basis statistics and cross-model similarity change with size.

Per model (each beside a null): the repeat statistic (distinct share of the dimensions'
top-k words; null: the same model in random rotated bases), the mean excess kurtosis of
dimensions (same null), and the mean coherence of dimensions' top-k words measured in the
model itself, beside two nulls: frequency-matched random words, and the same model in
random rotated bases (`polyterm.core.coherence.basis_coherence`). Only the second says
whether a *dimension* is coherent: a random direction's top words are near one another
too, so beating random words is no evidence for the basis.

Across models: linear CKA, mean matched |r| (Hungarian) with its rotation null, and the
Procrustes relative residual (and, with bases other than raw, every pair's mean matched
|r| in each basis beside the null that fits it) — for adjacent sizes at the same seed,
and for the same size at different seeds. The latter is the noise floor: two sizes differ
meaningfully only where they differ more than two seeds of one size do. Adjacent sizes
share their seed, and so their initial vectors' random stream, which makes them look more
alike than independently initialised models would.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.basis_matching import DEFAULT_FDR_Q
from polyterm.core.basis_statistics import mean_excess_kurtosis, top_k_distinct_share
from polyterm.core.coherence import BasisCoherence, basis_coherence, coherence_many
from polyterm.core.embedding import Embedding
from polyterm.core.matching import match_dimensions
from polyterm.core.multiple_testing import MIN_Z, Test, correct, supported
from polyterm.core.nulls import (
    NullSummary,
    null_baseline,
    single_model_null,
)
from polyterm.core.procrustes import procrustes_align
from polyterm.core.representational_similarity import linear_cka
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.cache_records import Manifest
from polyterm.errors import PolytermError
from polyterm.views.basis_comparison import basis_comparison
from polyterm.views.model_summary import ModelSummary, models_table
from polyterm.views.protocol import Data, Phrase, Table, ViewMethods, null_text, slug_of
from polyterm.views.quality import ModelQuality, quality_of, quality_table
from polyterm.views.settings import COMPARISON, ComparisonSettings

F64 = npt.NDArray[np.float64]
DEFAULT_TOP_N = COMPARISON.top_n
COHERENCE_CAPTION = (
    "Coherence = mean pairwise cosine of a dimension's top-k words. Its rotated-basis null "
    "is the same statistic for the same model in randomly rotated bases (random "
    "directions): a dimension is coherent only when it beats those. A dimension's z is its "
    "rank among all the random directions' coherences as a normal quantile; 'random basis' "
    "is how many axes of a random basis pass z > 2 the same way."
)


@dataclass(frozen=True, slots=True)
class ModelRow:
    model: ModelSummary
    dims: int
    seed: int | None
    repeat_share: NullSummary  # distinct share of top-k words (1.0 = no repeats)
    kurtosis: NullSummary
    coherence: float  # mean over dimensions of their top-k words' coherence
    coherence_null: float  # the same for frequency-matched random words
    coherent_dims: int  # dimensions whose coherence rank z > 2 among random directions'
    coherence_rotation: NullSummary | None = None  # mean coherence of random rotated bases
    coherent_dims_null: float = 0.0  # what a random basis gives for coherent_dims

    def coherence_reading(
        self, supported: bool | None = None, unreplicated: str | None = None
    ) -> str:
        """Whether the dimensions are more coherent than random directions, in words.
        `supported`: whether the z survives the correction across the sweep or report
        (`polyterm.core.multiple_testing`); by default whether |z| >= 3. `unreplicated`
        (with `supported` False): the other seed's model and z, where the z was supported
        here but does not recur there; the reading then says so and makes no call."""
        rot = self.coherence_rotation
        name = self.model.name
        if rot is None:
            return ""
        if supported is None:
            supported = rot.z is not None and abs(rot.z) >= MIN_Z
        z = "" if rot.z is None else f", z = {rot.z:.1f}"
        head = (
            f"{name}: its dimensions' top words have mean coherence {self.coherence:.3f}, "
            f"against {rot.null_mean:.3f} ± {rot.null_sd:.3f} for the same model in randomly "
            f"rotated bases{z}; {self.coherent_dims} of {self.dims} dimensions are more "
            f"coherent than 97.7% of random directions (a random basis: "
            f"{self.coherent_dims_null:.1f}). "
        )
        if supported and rot.z is not None and rot.z > 0:
            return head + "Its dimensions are more coherent than random directions."
        if supported and rot.z is not None and rot.z < 0:
            return head + "Its dimensions are less coherent than random directions."
        if unreplicated is not None:
            return head + (
                f"The difference from random directions does not recur at another seed "
                f"({unreplicated}): not read as a property of the dimensions."
            )
        return head + (
            "Its dimensions are no more coherent than random directions: a dimension's "
            "coherence here says nothing about that dimension, only about the geometry."
        )


@dataclass(frozen=True, slots=True)
class PairRow:
    a: str
    b: str
    relation: str  # "adjacent sizes" or "seeds"
    cka: float
    matched_r: NullSummary  # rotation null
    residual: float


@dataclass(frozen=True, slots=True)
class BasisPairRow:
    """One pair of the sweep matched in one basis (its null fits the basis)."""

    a: str
    b: str
    relation: str
    basis: BasisRequest
    matched_r: NullSummary
    null_kind: str


@dataclass(frozen=True, slots=True)
class SweepView(ViewMethods):
    corpus: str
    k: int
    top_n: int | None
    repetitions: int
    models: tuple[ModelRow, ...]
    pairs: tuple[PairRow, ...]
    reference: str | None = None  # the model coherence is measured in (None: each itself)
    bases: tuple[BasisRequest, ...] = (BasisRequest(),)
    basis_pairs: tuple[BasisPairRow, ...] = ()  # every pair in every basis (when not raw only)
    quality: tuple[ModelQuality, ...] = field(default=(), metadata={"json": "unless-default"})
    """Each model's word-similarity and analogy scores (`polyterm.views.quality`)."""

    def title(self) -> Phrase:
        return Phrase.of("Dimension sweep on ", Data(self.corpus) if self.corpus else "the corpus")

    def slug(self) -> str:
        return slug_of(f"sweep-{self.corpus}", [r.model.name for r in self.models])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `per-model` basis statistics beside their nulls; `pairs`: adjacent
        sizes and seeds compared."""
        return (
            (
                models_table([r.model for r in self.models]),
                Table(
                    "per-model",
                    "Per model",
                    (
                        "model",
                        "dims",
                        "seed",
                        "distinct share of top-k",
                        "rotated-basis null",
                        "mean excess kurtosis",
                        "rotated-basis null",
                        "mean coherence",
                        "frequency-matched null",
                        "rotated-basis null",
                        "dims with coherence z > 2",
                        "random basis",
                    ),
                    tuple(
                        (
                            Data(r.model.name),
                            r.dims,
                            r.seed if r.seed is not None else "—",
                            f"{r.repeat_share.observed:.3f}",
                            null_text(r.repeat_share),
                            f"{r.kurtosis.observed:.2f}",
                            null_text(r.kurtosis),
                            f"{r.coherence:.3f}",
                            f"{r.coherence_null:.3f}",
                            null_text(r.coherence_rotation),
                            f"{r.coherent_dims}/{r.dims}",
                            f"{r.coherent_dims_null:.1f}",
                        )
                        for r in self.models
                    ),
                    caption=COHERENCE_CAPTION,
                    numeric=(False,) + (True,) * 11,
                ),
                Table(
                    "pairs",
                    "Between models",
                    (
                        "A",
                        "B",
                        "relation",
                        "linear CKA",
                        "mean matched |r|",
                        "rotation null",
                        "Procrustes residual",
                    ),
                    tuple(
                        (
                            Data(p.a),
                            Data(p.b),
                            p.relation,
                            p.cka,
                            f"{p.matched_r.observed:.3f}",
                            null_text(p.matched_r),
                            p.residual,
                        )
                        for p in self.pairs
                    ),
                    numeric=(False, False, False, True, True, True, True),
                ),
            )
            + ((self.basis_table(),) if self.basis_pairs else ())
            + (self.tests_table(),)
            + ((quality_table(self.quality),) if self.quality else ())
        )

    def multiple_tests(self) -> tuple[Test, ...]:
        """Every z-score the sweep shows, corrected together (Benjamini–Hochberg)."""
        return correct(sweep_family(self))

    def tests_table(self) -> Table:
        """`multiple-testing`: every z of the sweep with its p-value, BH-adjusted p-value
        and whether a reading may rest on it."""
        tests = self.multiple_tests()
        return Table(
            "multiple-testing",
            f"Every z-score of the sweep, corrected together ({len(tests)} tests)",
            ("statistic", "z", "p (normal)", "BH-adjusted p", "supported"),
            tuple(
                (
                    t.label,
                    f"{t.z:+.1f}",
                    f"{t.p:.2g}",
                    f"{t.q_value:.2g}",
                    "yes" if t.supported else "no",
                )
                for t in tests
            ),
            caption=(
                f"Benjamini–Hochberg at {DEFAULT_FDR_Q:g} over all {len(tests)} z-scores "
                "(two-sided p by the normal approximation); 'supported': kept by BH and "
                f"|z| ≥ {MIN_Z:g}. Readings rest only on supported tests; a degenerate null "
                "has no z and is no test."
            ),
            numeric=(False, True, True, True, False),
        )

    def basis_table(self) -> Table:
        """`pairs-by-basis`: every pair's mean matched |r| in every basis beside its null."""
        return Table(
            "pairs-by-basis",
            "Between models, per basis",
            ("A", "B", "relation", "basis", "mean matched |r|", "null (mean ± sd, z)", "null"),
            tuple(
                (
                    Data(p.a),
                    Data(p.b),
                    p.relation,
                    p.basis.label(),
                    f"{p.matched_r.observed:.3f}",
                    null_text(p.matched_r),
                    p.null_kind,
                )
                for p in self.basis_pairs
            ),
            caption=(
                "Axes/atoms matched one-to-one by |r| over the shared words. Null: a rotation "
                "(raw: of A; pca, ica: in the whitened space) or, for dict:K, rotated "
                "dictionaries (A's dictionary turned by a random rotation of A's space, A's "
                f"words coded on it again), {self.repetitions} draws. The report's 'where "
                "universality lives' adds the pairs shared at a false-discovery rate and "
                "the stability."
            ),
            numeric=(False, False, False, False, True, True, False),
        )

    def command(self) -> str:
        dims = ",".join(str(d) for d in sorted({m.dims for m in self.models}, reverse=True))
        seeds = ",".join(str(s) for s in sorted({m.seed or 1 for m in self.models}))
        ref = f" --reference {self.reference}" if self.reference else ""
        return (
            f"polyterm sweep {self.corpus} --dims {dims} --seeds {seeds} --k {self.k} "
            f"--repetitions {self.repetitions}{ref}{_basis_options(self.bases)}"
        )

    def readings(self) -> tuple[str, ...]:
        out = []
        floor = [p for p in self.pairs if p.relation == "seeds"]
        adjacent = [p for p in self.pairs if p.relation == "adjacent sizes"]
        for p in adjacent:
            same = [f for f in floor if f.a.split("_")[1] in (p.a.split("_")[1], p.b.split("_")[1])]
            if not same:
                continue
            lo = min(f.cka for f in same)
            hi = max(f.cka for f in same)
            if p.cka > hi:
                verdict = (
                    "more alike than two seeds of one size are: the sizes share a seed, "
                    "which makes them look alike, so this is no evidence of universality"
                )
            elif p.cka >= lo:
                verdict = "as alike as two seeds of one size: within the noise floor"
            else:
                verdict = "less alike than two seeds of one size: a real difference of size"
            out.append(
                f"{p.a} vs {p.b}: CKA {p.cka:.3f}, matched |r| {p.matched_r.observed:.3f} "
                f"(rotation null {p.matched_r.null_mean:.3f}); two seeds at the same size: "
                f"CKA {lo:.3f}–{hi:.3f}. The two sizes are {verdict}."
            )
        tests = self.multiple_tests()
        for r in self.models:
            out += _model_readings(r, self.replica(r), self.k, tests)
        for basis in dict.fromkeys(p.basis for p in self.basis_pairs):
            rows = [p for p in self.basis_pairs if p.basis == basis]
            here = [p for p in rows if _beyond(p, tests)]
            beyond = [p for p in here if p.relation == "seeds" or
                      ((q := self.counterpart(p)) is not None and _beyond(q, tests))]  # fmt: skip
            lo = min(p.matched_r.observed for p in rows)
            hi = max(p.matched_r.observed for p in rows)
            text = (
                f"In the {basis.label()} basis, pairs match with mean |r| {lo:.3f}–{hi:.3f}; "
                f"{len(beyond)} of {len(rows)} pairs beyond their null (supported after the "
                "correction across the sweep: BH at 0.05 and z ≥ 3; a pair of adjacent sizes "
                "only when the same sizes at the other seed are beyond theirs too)."
            )
            lone = [p for p in here if p not in beyond]
            if lone:
                text += (
                    " Beyond their null at one seed only, not read as an effect: "
                    + ", ".join(f"{p.a} vs {p.b}" for p in lone) + "."
                )  # fmt: skip
            out.append(text)
        return tuple(out)

    def replica(self, r: ModelRow) -> ModelRow | None:
        """The sweep's model of `r`'s size at another seed (None: the sweep has none)."""
        return next((m for m in self.models if m.dims == r.dims and m.seed != r.seed), None)

    def counterpart(self, p: BasisPairRow) -> BasisPairRow | None:
        """The same sizes, relation and basis at another seed (None: not in the sweep)."""
        rows = {m.model.name: m for m in self.models}
        ra, rb = rows.get(p.a), rows.get(p.b)
        if ra is None or rb is None:
            return None
        for q in self.basis_pairs:
            qa, qb = rows.get(q.a), rows.get(q.b)
            if (q.relation == p.relation and q.basis == p.basis and qa is not None
                    and qb is not None and (qa.dims, qb.dims) == (ra.dims, rb.dims)
                    and qa.seed != ra.seed):  # fmt: skip
                return q
        return None


def _coherence_label(r: ModelRow) -> str:
    return f"{r.model.name}: mean coherence vs rotated bases"


def repeat_label(r: ModelRow) -> str:
    return f"{r.model.name}: distinct share of top-k vs rotated bases"


def _beyond(p: BasisPairRow, tests: Sequence[Test]) -> bool:
    z = p.matched_r.z
    return z is not None and z > 0 and supported(tests, _basis_label(p))


def recurs(
    tests: Sequence[Test], label: str, other: str | None, z: float | None, z_other: float | None
) -> bool:
    """Supported here, and supported at the other seed with the same sign (a sweep calls
    nothing that it cannot see recur: False without another seed)."""
    if other is None or not supported(tests, label) or not supported(tests, other):
        return False
    return (z or 0.0) * (z_other or 0.0) > 0


def _z_of(n: NullSummary | None) -> float | None:
    return None if n is None else n.z


def _z_text(z: float | None) -> str:
    return "no z" if z is None else f"z {z:+.1f}"


def _model_readings(
    r: ModelRow, replica: ModelRow | None, k: int, tests: Sequence[Test]
) -> list[str]:
    """A model's repeat and coherence readings: a call (the basis shapes the repeats; the
    dimensions are more or less coherent than random directions) only when its test is
    supported across the sweep and recurs at the other seed of the same size."""
    other = None if replica is None else replica.model.name
    share, null = r.repeat_share.observed, r.repeat_share.null_mean
    z, z_other = r.repeat_share.z, _z_of(None if replica is None else replica.repeat_share)
    head = (
        f"{r.model.name}: {share:.0%} of the top-{k} slots of its dimensions hold distinct "
        f"words; in a randomly rotated basis {null:.0%} would "
    )
    here = supported(tests, repeat_label(r))
    if recurs(tests, repeat_label(r), None if replica is None else repeat_label(replica),
              z, z_other):  # fmt: skip
        tail = (
            f"— the basis itself shapes the repeats ({_z_text(z)}; at another seed, {other}: "
            f"{_z_text(z_other)}; both supported after the correction across the sweep)."
        )
    elif here and replica is None:
        tail = (
            f"— the basis seemed to shape the repeats ({_z_text(z)}), but the sweep has no "
            "other seed of this size to see it recur: not read as an effect of the basis."
        )
    elif here:
        tail = (
            f"— the basis seemed to shape the repeats ({_z_text(z)}), but not at another "
            f"seed ({other}: {_z_text(z_other)}): not read as an effect of the basis."
        )
    else:
        tail = (
            "— the repeats belong to the geometry, not to the basis (no difference survives "
            "the correction across the sweep's tests)."
        )
    out = [head + tail]
    if r.coherence_rotation is None:
        return out
    label = _coherence_label(r)
    other_label = None if replica is None else _coherence_label(replica)
    cz = r.coherence_rotation.z
    cz_other = None if replica is None else _z_of(replica.coherence_rotation)
    if recurs(tests, label, other_label, cz, cz_other):
        out.append(r.coherence_reading(True) + f" (It recurs at another seed: {other}, "
                   f"{_z_text(cz_other)}.)")  # fmt: skip
    elif supported(tests, label):
        where = (
            "the sweep has no other seed of this size" if replica is None
            else f"{other}: {_z_text(cz_other)}"
        )  # fmt: skip
        out.append(r.coherence_reading(False, unreplicated=where))
    else:
        out.append(r.coherence_reading(False))
    return out


def _basis_label(p: BasisPairRow) -> str:
    return f"{p.a} vs {p.b} in {p.basis.label()}: mean matched |r|"


def sweep_family(view: SweepView) -> list[tuple[str, float | None]]:
    """(label, z) of every statistic the sweep shows beside a null."""
    family: list[tuple[str, float | None]] = []
    for r in view.models:
        family.append((repeat_label(r), r.repeat_share.z))
        family.append((f"{r.model.name}: mean excess kurtosis vs rotated bases", r.kurtosis.z))
        if r.coherence_rotation is not None:
            family.append((_coherence_label(r), r.coherence_rotation.z))
    for p in view.pairs:
        family.append((f"{p.a} vs {p.b}: mean matched |r|", p.matched_r.z))
    for b in view.basis_pairs:
        family.append((_basis_label(b), b.matched_r.z))
    return family


def _basis_options(bases: Sequence[BasisRequest]) -> str:
    """`--basis a,b` (and the fit and seed of the first fitted one) unless raw only."""
    names = ",".join(str(b.name) for b in dict.fromkeys(bases))
    if names == "raw" or not names:
        return ""
    text = f" --basis {names}"
    fitted = next((b for b in bases if not b.is_raw), None)
    if fitted is not None and fitted.fit_words != BasisRequest().fit_words:
        text += f" --fit-words {fitted.fit_words}"
    if fitted is not None and fitted.seed != 0:
        text += f" --basis-seed {fitted.seed}"
    return text


def _seed(model: Embedding) -> int | None:
    params = Manifest.of(model.manifest).params
    return None if params is None else params.seed


def _pair(
    a: Embedding, b: Embedding, relation: str, top_n: int | None, repetitions: int, seed: int
) -> PairRow:
    shared = shared_vocabulary([a.vocab, b.vocab], top_n=top_n)
    x = np.asarray(a.vectors, dtype=np.float64)[shared.indices[0]]
    y = np.asarray(b.vectors, dtype=np.float64)[shared.indices[1]]
    matched_r = null_baseline(
        lambda p, q: match_dimensions(p, q).mean_matched_abs_r,
        x,
        y,
        kind="rotation",
        repetitions=repetitions,
        seed=seed,
    )
    return PairRow(
        a.name,
        b.name,
        relation,
        linear_cka(x, y).cka,
        matched_r,
        procrustes_align(x, y).relative_residual,
    )


def _words(n: int) -> str:
    return f"{n:,} word{'s' * (n != 1)}"


def _coherence_inputs(
    model: Embedding, x: F64, k: int, top_n: int | None, reference: Embedding | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.floating[Any]]]:
    """Each dimension's top-k words as rows of the reference matrix, and that matrix.

    Without a reference the model judges its own dimensions. With one, the top words are
    taken among the words both models know and measured in the reference, whose
    frequency order defines the null's frequency bins.
    """
    if k < 2:
        raise PolytermError(
            f"the coherence of a dimension needs its top 2 or more words, not {k}: "
            "use --k 2 or more"
        )
    if reference is None:
        n = x.shape[0]
        if n < k:
            raise PolytermError(
                f"{model.name} has only {_words(n)}: too few to measure the coherence of "
                f"each dimension's top {k} words; "
                + (f"lower --k to {n} or less" if n >= 2 else "choose a larger model")
            )
        return np.argpartition(x, n - k, axis=0)[n - k :].T.astype(np.int64), x
    shared = shared_vocabulary([model.vocab, reference.vocab], top_n=top_n)
    xs = np.asarray(model.vectors, dtype=np.float64)[shared.indices[0]]
    n = xs.shape[0]
    if n < k:
        raise PolytermError(
            f"{model.name} and the reference {reference.name} share only {_words(n)}: too "
            f"few to measure the coherence of each dimension's top {k} words in the "
            "reference; choose a reference that shares more words"
            + (f" or lower --k to {n} or less" if n >= 2 else "")
        )
    local = np.argpartition(xs, n - k, axis=0)[n - k :].T
    rows = shared.indices[1][local].astype(np.int64)
    depth = max(top_n or len(reference), int(rows.max()) + 1)
    return rows, np.asarray(reference.vectors[:depth])


def model_row(
    model: Embedding,
    settings: ComparisonSettings = COMPARISON,
    reference: Embedding | None = None,
) -> ModelRow:
    """Basis statistics of one model, each beside its null (module docstring), with the
    list length, words (`top_n`, 0: all), null draws and seed of `settings`.

    Kept on the model: a report computes it for its table and again inside its sweep.
    """
    key = ("model_row", *_row_settings(settings), _ref(reference))
    return model.memoised(key, lambda: _model_row(model, settings, reference))


def _row_settings(settings: ComparisonSettings) -> tuple[int, int | None, int, int]:
    """What a model row depends on: k, top_n (None: every word), repetitions, seed."""
    return settings.k, settings.top_n or None, settings.repetitions, settings.seed


def _ref(model: Embedding | None) -> weakref.ref[Embedding] | None:
    return None if model is None else weakref.ref(model)


def _model_row(
    model: Embedding, settings: ComparisonSettings, reference: Embedding | None
) -> ModelRow:
    k, top_n, repetitions, seed = _row_settings(settings)
    x = np.asarray(model.vectors[: top_n or None], dtype=np.float64)
    repeat = single_model_null(
        lambda m: top_k_distinct_share(m, k), x, repetitions=repetitions, seed=seed
    )
    kurt = single_model_null(mean_excess_kurtosis, x, repetitions=repetitions, seed=seed)
    tops, judge = _coherence_inputs(model, x, k, top_n, reference)
    coh = coherence_many(tops, judge, repetitions=max(repetitions, 20), seed=seed)
    rotated = _rotated_coherence(model, x, k, top_n, reference, max(repetitions, 20), seed)
    return ModelRow(
        model=ModelSummary.of(model),
        dims=model.dims,
        seed=_seed(model),
        repeat_share=repeat,
        kurtosis=kurt,
        coherence=float(np.mean([c.observed for c in coh])),
        coherence_null=float(np.mean([c.null_mean for c in coh])),
        coherent_dims=rotated.coherent_dims,
        coherence_rotation=rotated.mean,
        coherent_dims_null=rotated.null_coherent_dims,
    )


def _rotated_coherence(
    model: Embedding,
    x: F64,
    k: int,
    top_n: int | None,
    reference: Embedding | None,
    repetitions: int,
    seed: int,
) -> BasisCoherence:
    """The dimensions' coherence against random directions of the same model, judged as
    `_coherence_inputs` judges them (in the model itself, or in the reference)."""
    if reference is None:
        return basis_coherence(x, k, repetitions=repetitions, seed=seed)
    shared = shared_vocabulary([model.vocab, reference.vocab], top_n=top_n)
    xs = np.asarray(model.vectors, dtype=np.float64)[shared.indices[0]]
    rows = shared.indices[1]
    depth = max(top_n or len(reference), int(rows.max()) + 1)
    return basis_coherence(
        xs, k, judge=np.asarray(reference.vectors[:depth]), rows=rows,
        repetitions=repetitions, seed=seed,
    )  # fmt: skip


def sweep_view(
    models: Sequence[Embedding],
    *,
    corpus: str = "",
    settings: ComparisonSettings = COMPARISON,
    reference: Embedding | None = None,
    progress: Callable[[float], None] | None = None,
    bases: Sequence[BasisRequest] = (BasisRequest(),),
    store: BasisStore | None = None,
    quality: bool = False,
) -> SweepView:
    """Per-model rows (largest first) and pair rows for adjacent sizes and for seeds; with
    `quality`, each model's word-similarity and analogy scores too. Of `settings`, the
    sweep reads k, top_n (0: every shared word), repetitions and seed."""
    k, top_n, repetitions, seed = _row_settings(settings)
    ordered = sorted(models, key=lambda m: (-m.dims, _seed(m) or 0))
    steps = len(ordered)
    rows = []
    for i, m in enumerate(ordered):
        rows.append(model_row(m, settings, reference))
        if progress:
            progress((i + 1) / (2 * steps))
    pairs = []
    by_seed: dict[int | None, list[Embedding]] = {}
    by_dims: dict[int, list[Embedding]] = {}
    for m in ordered:
        by_seed.setdefault(_seed(m), []).append(m)
        by_dims.setdefault(m.dims, []).append(m)
    jobs = [(a, b, "adjacent sizes") for group in by_seed.values() for a, b in pairwise(group)]
    jobs += [(a, b, "seeds") for group in by_dims.values() for a, b in combinations(group, 2)]
    requests = tuple(dict.fromkeys(bases)) or (BasisRequest(),)
    by_basis = any(not r.is_raw for r in requests)
    store = store if store is not None else BasisStore()
    basis_pairs = []
    for i, (a, b, rel) in enumerate(jobs):
        pairs.append(_pair(a, b, rel, top_n, repetitions, seed))
        if by_basis:
            for request in requests:
                c = basis_comparison(
                    a, b, request, store, top_n=top_n, repetitions=max(repetitions, 2),
                    seed=seed, stability_runs=0, k=k,
                )  # fmt: skip
                basis_pairs.append(
                    BasisPairRow(a.name, b.name, rel, request, c.mean_matched, c.null_kind)
                )
        if progress:
            progress(0.5 + (i + 1) / (2 * max(len(jobs), 1)))
    return SweepView(
        corpus,
        k,
        top_n,
        repetitions,
        tuple(rows),
        tuple(pairs),
        reference.name if reference is not None else None,
        requests,
        tuple(basis_pairs),
        tuple(quality_of(m) for m in ordered) if quality else (),
    )


def text_plot(points: Sequence[tuple[float, float]], *, width: int = 40, label: str = "") -> str:
    """A horizontal bar per point (x = dims, y = value), deterministic for golden files."""
    if not points:
        return ""
    values = [y for _, y in points]
    lo, hi = min(0.0, min(values)), max(values)
    span = (hi - lo) or 1.0
    lines = [label] if label else []
    for x, y in points:
        bar = "█" * max(0, round((y - lo) / span * width))
        lines.append(f"{x:>6g} │{bar} {y:.3f}")
    return "\n".join(lines)
