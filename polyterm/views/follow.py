"""Follow one axis down the size ladder: `polyterm sweep … --follow MODEL:AXIS`.

Starting from an axis of the largest model (its top end), each step takes the best
partner (largest |r| over the two models' most frequent shared words) of the current
axis in the next smaller model, with its max-|r| p-value against the null that fits the
basis (`polyterm.core.basis_matching.match_bases`; rotation for raw/pca/ica, shuffle for
dict:K) and the features enriched on the followed end (`polyterm.core.enrichment`). A
negative r follows the other end of the smaller model's axis.

A **merge** is marked where another axis of the larger model has the same best partner
above chance (both p-values kept by BH at 0.05 over that model's axes): two axes of the
larger model map into one axis of the smaller. Whether their features are then enriched
together on the smaller model's end is shown beside it (the features of both larger ends
that the smaller end carries) — superposition made visible, and said only when it holds.
Component stability is not computed here (see `polyterm align --stability-runs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from polyterm.core.basis_matching import default_null, match_bases
from polyterm.core.embedding import Embedding
from polyterm.core.enrichment import Enrichment, LabelMatrix, enrichment
from polyterm.core.features import FeatureLabels
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.engine.bases import BasisRequest, request_of
from polyterm.errors import PolytermError
from polyterm.views.model_summary import ModelSummary, models_table
from polyterm.views.polysemanticity import DEFAULT_VOCABULARY
from polyterm.views.protocol import Cell, Data, Phrase, Table, ViewMethods, joined, slug_of
from polyterm.views.query import component_noun, component_nouns, one_ended

FOLLOW_REPETITIONS = 200
WORDS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Merge:
    axis: int
    """The other axis of the larger model with the same best partner."""
    r: float
    p: float
    features: tuple[str, ...]
    together: tuple[str, ...]
    """Features of both larger ends that the smaller end carries."""


@dataclass(frozen=True, slots=True)
class FollowStep:
    model: str
    dims: int
    axis: int
    side: str
    r: float | None
    p: float | None
    above_chance: bool | None
    features: tuple[str, ...]
    words: tuple[str, ...]
    merges: tuple[Merge, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowView(ViewMethods):
    models: tuple[ModelSummary, ...]
    start: str
    source: str | None
    repetitions: int
    steps: tuple[FollowStep, ...]
    corpus: str = ""

    @property
    def basis(self) -> BasisRequest:
        return self.models[0].basis

    def title(self) -> Phrase:
        return Phrase.of("Following ", Data(self.start), " down the sizes")

    def slug(self) -> str:
        return slug_of(f"follow-{self.start}", [m.slug_name for m in self.models])

    def tables(self) -> tuple[Table, ...]:
        noun = component_noun(self.basis)
        rows: list[tuple[Cell, ...]] = []
        for s in self.steps:
            merge = Phrase.of(*[
                part for i, m in enumerate(s.merges) for part in (
                    ("; " if i else "") + f"{noun} {m.axis} (r {m.r:+.2f}, p {m.p:.3f})"
                    + (f", together: {', '.join(m.together)}" if m.together else
                       ", features not together"),
                )
            ]) if s.merges else Phrase(("—",))  # fmt: skip
            rows.append(
                (Data(s.model), s.dims, s.axis, s.side,
                 None if s.r is None else s.r, None if s.p is None else s.p,
                 "" if s.above_chance is None else ("yes" if s.above_chance else "no"),
                 joined(s.features) if s.features else "—", joined(s.words[:WORDS_SHOWN]),
                 merge)
            )  # fmt: skip
        null = default_null(self.basis.name)
        table = Table(
            "chain",
            f"The {noun} followed from the largest model to the smallest",
            ("model", "dims", noun, "end", "r", "p", "above chance", "enriched features",
             "top words", "merged with"),
            tuple(rows),
            caption=(
                f"each step: the best partner (largest |r|) of the previous {noun}; p from the "
                f"max-|r| {null} null ({self.repetitions} draws, smallest p "
                f"{1 / (1 + self.repetitions):.4f}); above chance: BH at 0.05 over the larger "
                f"model's {component_nouns(self.basis)}; merged with: another {noun} of the "
                "larger model whose best partner is the same, also above chance"
            ),
            numeric=(False, True, True, False, True, True, False, False, False, False),
        )  # fmt: skip
        return (models_table(list(self.models)), table)

    def command(self) -> str:
        dims = ",".join(str(m.dims) for m in self.models)
        text = f"polyterm sweep {self.corpus or '…'} --dims {dims} --follow {self.start}"
        if self.source:
            text += f" --features-source {self.source}"
        return text + self.basis.cli_options()

    def readings(self) -> tuple[str, ...]:
        out = []
        for prev, s in zip(self.steps, self.steps[1:], strict=False):
            if not s.above_chance:
                out.append(
                    f"{prev.model} {prev.axis} has no partner above chance in {s.model} "
                    f"(best {s.axis}, r {s.r:+.2f}, p {s.p:.3f})."
                )
            for m in s.merges:
                if m.together:
                    out.append(
                        f"{prev.model} {prev.axis} and {m.axis} merge into {s.model} {s.axis}, "
                        f"which carries features of both ({', '.join(m.together)})."
                    )
        return tuple(out)


def _labelled(model: Embedding, labels: FeatureLabels | None) -> Enrichment | None:
    if labels is None:
        return None
    n = min(len(model), DEFAULT_VOCABULARY)
    lm = LabelMatrix.of([model.vocab[i] for i in range(n)], labels)
    if len(lm) < 100:
        return None
    codes = np.asarray(model.vectors[lm.rows], dtype=np.float64)
    return enrichment(codes, lm, one_ended=one_ended(request_of(model)))


def _end_features(result: Enrichment | None, axis: int, side: int) -> tuple[str, ...]:
    if result is None:
        return ()
    e = result.end_of(axis, side)
    return () if e is None else tuple(result.features[f] for f in result.enriched_features(e))


def _end_words(model: Embedding, axis: int, side: int) -> tuple[str, ...]:
    col = np.asarray(model.vectors[: min(len(model), DEFAULT_VOCABULARY), axis])
    order = np.argsort(-col if side == 0 else col, kind="stable")[:WORDS_SHOWN]
    return tuple(model.vocab[int(i)] for i in order)


def follow_view(
    models: Sequence[Embedding],
    start: str,
    *,
    labels: FeatureLabels | None = None,
    repetitions: int = FOLLOW_REPETITIONS,
    seed: int = 0,
    corpus: str = "",
) -> FollowView:
    """`models` (in one basis; one per size is used, the first of each size) from the
    model named by `start` (``MODEL:AXIS``) down to the smallest."""
    name, sep, axis_text = start.rpartition(":")
    if not sep or not axis_text.isdigit():
        raise PolytermError(f"--follow {start}: write MODEL:AXIS, e.g. brown_300:12")
    axis = int(axis_text)
    by_size: dict[int, Embedding] = {}
    for m in sorted(models, key=lambda m: -m.dims):
        by_size.setdefault(m.dims, m)
    ladder = list(by_size.values())
    names = [ModelSummary.of(m).name for m in ladder]
    bare = [str(m.manifest.get("basis", {}).get("model", m.name)) for m in ladder]
    if name not in names and name not in bare:
        raise PolytermError(
            f"--follow {start}: {name} is not one of the swept models ({', '.join(bare)})"
        )
    first = names.index(name) if name in names else bare.index(name)
    ladder = ladder[first:]
    if not 0 <= axis < ladder[0].dims:
        raise PolytermError(f"--follow {start}: {name} has axes 0 to {ladder[0].dims - 1}")
    null = default_null(request_of(ladder[0]).name)
    results = [_labelled(m, labels) for m in ladder]
    side = 0
    steps = [
        FollowStep(bare[first], ladder[0].dims, axis, "top", None, None, None,
                   _end_features(results[0], axis, 0), _end_words(ladder[0], axis, 0))
    ]  # fmt: skip
    for i in range(1, len(ladder)):
        big, small = ladder[i - 1], ladder[i]
        shared = shared_vocabulary([big.vocab, small.vocab], top_n=DEFAULT_VOCABULARY)
        a = np.asarray(big.vectors, dtype=np.float64)[shared.indices[0]]
        b = np.asarray(small.vectors, dtype=np.float64)[shared.indices[1]]
        try:
            bm = match_bases(a, b, null=null, repetitions=repetitions, seed=seed)
        except ValueError as exc:
            raise PolytermError(f"cannot match {big.name} with {small.name}: {exc}") from None
        target = int(bm.matching.semi_a_to_b[axis])
        r = float(bm.matching.semi_a_to_b_r[axis])
        side_small = side if r >= 0 or one_ended(request_of(small)) else 1 - side
        small_features = _end_features(results[i], target, side_small)
        merges = []
        if bool(bm.best_a_shared[axis]):
            for found in np.flatnonzero(np.asarray(bm.matching.semi_a_to_b) == target):
                other = int(found)
                if other == axis or not bool(bm.best_a_shared[other]):
                    continue
                r_other = float(bm.matching.semi_a_to_b_r[other])
                other_side = side_small if r_other >= 0 else 1 - side_small
                other_features = _end_features(results[i - 1], other, other_side)
                mine = set(_end_features(results[i - 1], axis, side))
                together = tuple(f for f in small_features if f in mine or f in set(other_features))
                both = bool(set(together) & mine) and bool(set(together) & set(other_features))
                merges.append(Merge(other, r_other, float(bm.best_a_p[other]), other_features,
                                    together if both else ()))  # fmt: skip
        steps.append(
            FollowStep(bare[first + i], small.dims, target, "top" if side_small == 0 else "bottom",
                       r, float(bm.best_a_p[axis]), bool(bm.best_a_shared[axis]),
                       small_features, _end_words(small, target, side_small), tuple(merges))
        )  # fmt: skip
        axis, side = target, side_small
    return FollowView(
        models=tuple(ModelSummary.of(m) for m in ladder),
        start=start,
        source=None if labels is None else labels.source,
        repetitions=repetitions,
        steps=tuple(steps),
        corpus=corpus,
    )


__all__ = ["FollowView", "follow_view"]
