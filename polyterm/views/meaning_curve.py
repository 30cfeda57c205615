"""The study's first test: does polysemanticity grow as dimensions shrink?

`MeaningCurveView`: for every model of a sweep (sizes × seeds) in every basis asked, the
share of polysemantic ends and the mean meaning count per end (`FeaturesView`'s
statistics), each beside its random-direction null, and — where one size has two or more
seeds — the seed-to-seed floor: the largest difference between two seeds of one size. A
difference between sizes says something only where it exceeds that floor and the nulls.

Shown by `polyterm sweep … --features-source wordnet` after the sweep table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from polyterm.core.embedding import Embedding
from polyterm.core.features import FeatureLabels
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.cache_records import Manifest
from polyterm.views.model_summary import ModelSummary, models_table
from polyterm.views.polysemanticity import Z_CLEAR, features_view
from polyterm.views.protocol import Cell, Data, Phrase, Table, ViewMethods, slug_of

BARS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class CurvePoint:
    model: ModelSummary
    basis: str
    dims: int
    seed: int | None
    ends: int
    share: float
    share_null_mean: float
    share_null_sd: float
    share_z: float | None
    meanings: float
    meanings_null_mean: float
    meanings_null_sd: float
    shuffled_share: float

    @property
    def excess(self) -> float:
        """Share of polysemantic ends above what random directions give."""
        return self.share - self.share_null_mean


def _mean_sd(mean: float, sd: float) -> str:
    """`mean ± sd` to 3 decimals, or to 2 significant digits when that would print a
    non-zero sd as 0.000 (never "0.000 ± 0.000, z +26.6")."""
    if 0 < sd < 0.0005 or 0 < abs(mean) < 0.0005:
        return f"{mean:.2g} ± {sd:.2g}"
    return f"{mean:.3f} ± {sd:.3f}"


@dataclass(frozen=True, slots=True)
class SeedFloor:
    basis: str
    dims: int
    seeds: int
    share_floor: float
    """The largest |share difference| between two seeds of this size."""
    excess_floor: float


@dataclass(frozen=True, slots=True)
class MeaningCurveView(ViewMethods):
    models: tuple[ModelSummary, ...]
    source: str
    k: int
    draws: int
    points: tuple[CurvePoint, ...]
    floors: tuple[SeedFloor, ...]
    corpus: str = ""
    options: str = field(default="", metadata={"json": False})
    """--dims, --seeds and --basis of the sweep (for `command`)."""

    def title(self) -> Phrase:
        head = f"Polysemanticity over sizes ({self.source})"
        return Phrase.of(head, " of ", Data(self.corpus)) if self.corpus else Phrase.of(head)

    def slug(self) -> str:
        return slug_of(f"meaning-curve-{self.source}", [m.slug_name for m in self.models])

    def tables(self) -> tuple[Table, ...]:
        rows: list[tuple[Cell, ...]] = [
            (p.basis, p.dims, "" if p.seed is None else p.seed, p.ends, p.share,
             _mean_sd(p.share_null_mean, p.share_null_sd)
             + ("" if p.share_z is None else f", z {p.share_z:+.1f}"),
             p.excess, p.meanings, _mean_sd(p.meanings_null_mean, p.meanings_null_sd),
             p.shuffled_share)
            for p in self.points
        ]  # fmt: skip
        curve = Table(
            "curve",
            "Share of polysemantic ends by size, beside random directions",
            ("basis", "dims", "seed", "ends", "share polysemantic", "random directions",
             "excess over random", "meanings per end", "random directions", "labels shuffled"),
            tuple(rows),
            caption=(
                f"polysemantic: 2+ {self.source} features enriched (frequency-stratified "
                f"exact test, BH q <= 0.05 over the model's own cells) among an end's "
                f"{self.k} labelled words; nulls over {self.draws} draws. BH's threshold "
                "moves with the number of cells a model has, so raw shares are not "
                "comparable across sizes: only the excess over random directions is. "
                "Excess over random by size, largest first: " + self.sparklines()
            ),
            numeric=(False, True, True, True, True, False, True, True, False, True),
        )  # fmt: skip
        floors = Table(
            "seed_floor",
            "Seed-to-seed floor (the same size, other seeds)",
            ("basis", "dims", "seeds", "largest share difference", "largest excess difference"),
            tuple((f.basis, f.dims, f.seeds, f.share_floor, f.excess_floor) for f in self.floors),
            caption="two sizes differ meaningfully only by more than this",
            numeric=(False, True, True, True, True),
        )
        return (models_table(list(self.models)), curve, floors)

    def sparklines(self) -> str:
        out = []
        for basis in dict.fromkeys(p.basis for p in self.points):
            values = [p.excess for p in self.points if p.basis == basis and _first_seed(p, self)]
            if not values:
                continue
            lo, hi = min(values), max(values)
            span = hi - lo or 1.0
            bars = "".join(BARS[1 + round((v - lo) / span * (len(BARS) - 2))] for v in values)
            out.append(f"{basis} {bars} ({lo:+.2f} … {hi:+.2f})")
        return "; ".join(out)

    def command(self) -> str:
        return f"polyterm sweep {self.corpus or '…'}{self.options} --features-source {self.source}"

    def readings(self) -> tuple[str, ...]:
        out = []
        for basis in dict.fromkeys(p.basis for p in self.points):
            pts = [p for p in self.points if p.basis == basis and _first_seed(p, self)]
            if len(pts) < 2:
                continue
            floor = max((f.excess_floor for f in self.floors if f.basis == basis), default=None)
            first, last = pts[0], pts[-1]
            change = last.excess - first.excess
            steps = [b.excess - a.excess for a, b in pairwise(pts)]
            where = f"In the {basis} basis, from {first.dims} to {last.dims} dimensions"
            beyond = floor is not None and abs(change) > floor
            if floor is None:
                note = " (no seed floor: one seed per size)"
            elif beyond:
                note = f", more than the seed floor ({floor:.3f})"
            else:
                note = f", within the seed floor ({floor:.3f})"
            if all(s > 0 for s in steps) and beyond:
                verdict = "grows at every step"
            elif all(s < 0 for s in steps) and beyond:
                verdict = "falls at every step"
            else:
                verdict = "does not change in one direction beyond the floor"
            above = sum(p.share_z is not None and p.share_z > Z_CLEAR for p in pts)
            out.append(
                f"{where} the excess of polysemantic ends over random directions {verdict} "
                f"({first.excess:+.3f} → {last.excess:+.3f}{note}); {above} of {len(pts)} "
                "sizes are above their random-direction null (z > 2)."
            )
        return tuple(out)


def _first_seed(p: CurvePoint, view: MeaningCurveView) -> bool:
    seeds = [q.seed for q in view.points if q.basis == p.basis and q.dims == p.dims]
    return p.seed == seeds[0]


def _seed(model: Embedding) -> int | None:
    params = Manifest.of(model.manifest).params
    return None if params is None else params.seed


def meaning_curve_view(
    models: Sequence[Embedding],
    labels: FeatureLabels,
    *,
    bases: Sequence[BasisRequest] = (BasisRequest(),),
    store: BasisStore | None = None,
    corpus: str = "",
    k: int = 50,
    restrict: int | None = None,
    draws: int = 20,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> MeaningCurveView:
    from polyterm.views.basis_comparison import in_basis

    store = store or BasisStore()
    ordered = sorted(models, key=lambda m: (-m.dims, _seed(m) or 0))
    points = []
    for request in dict.fromkeys(bases):
        for m in ordered:
            if progress:
                progress(f"meanings of {m.name} [{request.label()}]")
            coded = in_basis(store, m, request)
            v = features_view(coded, labels, base=m, k=k, restrict=restrict, draws=draws,
                              seed=seed)  # fmt: skip
            share, mean = v.statistic("polysemantic_share"), v.statistic("mean_meaning_count")
            points.append(
                CurvePoint(
                    ModelSummary.of(m),
                    str(request.name),
                    m.dims,
                    _seed(m),
                    len(v.ends),
                    share.observed,
                    share.rotation.null_mean,
                    share.rotation.null_sd,
                    share.rotation.z,
                    mean.observed,
                    mean.rotation.null_mean,
                    mean.rotation.null_sd,
                    share.shuffle.null_mean,
                )
            )
    floors = []
    for basis in dict.fromkeys(p.basis for p in points):
        for dims in dict.fromkeys(p.dims for p in points if p.basis == basis):
            same = [p for p in points if p.basis == basis and p.dims == dims]
            if len(same) >= 2:
                shares = [p.share for p in same]
                excess = [p.excess for p in same]
                floors.append(SeedFloor(basis, dims, len(same), max(shares) - min(shares),
                                        max(excess) - min(excess)))  # fmt: skip
    return MeaningCurveView(
        models=tuple(ModelSummary.of(m) for m in ordered),
        source=labels.source,
        k=k,
        draws=draws,
        points=tuple(points),
        floors=tuple(floors),
        corpus=corpus,
        options=_options(ordered, bases),
    )


def _options(models: Sequence[Embedding], bases: Sequence[BasisRequest]) -> str:
    dims = ",".join(str(d) for d in dict.fromkeys(m.dims for m in models))
    known = sorted({seed for seed in map(_seed, models) if seed is not None})
    seeds = ",".join(str(s) for s in known)
    text = f" --dims {dims}" + (f" --seeds {seeds}" if seeds else "")
    names = [str(b.name) for b in dict.fromkeys(bases)]
    return text + (f" --basis {','.join(names)}" if names != ["raw"] else "")


__all__ = ["MeaningCurveView", "meaning_curve_view"]
