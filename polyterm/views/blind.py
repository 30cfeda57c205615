"""Blind alignment as a view: how much of model B can be recovered from model A with no
anchors, beside its supervised ceiling, chance and a null (`polyterm blind A B`).

The arithmetic is `polyterm.core.blind_alignment`; this module picks the shared words
(the N most frequent by A's counts: that choice is the *set* of words, which the two
models share, never their order, which is hidden), runs the pipeline, the ceiling, the
null and the anchor curve, and lays the answer out as tables with stable keys.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from polyterm.core import blind_alignment as core
from polyterm.core.bases import CancelFlag
from polyterm.core.embedding import Embedding
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.errors import PolytermError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table
from polyterm.views.protocol import Cell, Data, Phrase, Table, ViewMethods, slug_of

METHODS: dict[str, tuple[str, ...]] = {
    "auto": ("sorted", "ica"),
    "sorted": ("sorted",),
    "ica": ("ica",),
    "gw": ("gw",),
    "all": ("sorted", "ica", "gw"),
}
START_LABELS = {
    "sorted": "sorted similarity distributions (Artetxe et al. 2018)",
    "ica": "matched ICA axes",
    "gw": "entropic Gromov–Wasserstein (POT)",
}
BANDS = (0, 500, 1000, 2000, 4000, 10_000, 20_000, 50_000)
SHOWN_PAIRS = 12
ONE_TO_ONE = ("auto", "on", "off")


@dataclass(frozen=True, slots=True)
class RunRow:
    start: str
    status: str
    reason: str
    start_accuracy: float | None
    accuracy: float | None
    objective: float | None
    mutual: float | None
    """share of words whose CSLS partner's partner is that word (unsupervised)"""
    rounds: int
    start_seconds: float
    learning_seconds: float


@dataclass(frozen=True, slots=True)
class CurvePoint:
    start: str
    round: int
    keep: float
    cutoff: int
    objective: float
    accuracy: float | None


@dataclass(frozen=True, slots=True)
class Band:
    first: int
    last: int
    words: int
    accuracy: float


@dataclass(frozen=True, slots=True)
class AnchorPoint:
    anchors: int
    at1: float
    at10: float


@dataclass(frozen=True, slots=True)
class MappedPair:
    word: str
    mapped_to: str
    csls: float


@dataclass(frozen=True, slots=True)
class BlindView(ViewMethods):
    a: ModelSummary
    b: ModelSummary
    n_words: int
    shared_words: int
    seed: int
    method: str
    one_to_one: bool
    one_to_one_option: str
    reduced_to: int | None
    chosen: str | None
    at1: float | None
    at10: float | None
    assigned: float | None
    """accuracy of the one-to-one assignment (None when it was off)"""
    start_accuracy: float | None
    ceiling_at1: float
    ceiling_at10: float
    ceiling_assigned: float | None
    chance: float
    chance_bound: float
    """accuracy above which chance is ruled out (p + 4 sd of a binomial)"""
    null_at1: float | None
    null_assigned: float | None
    null_chosen: str | None
    floor: float
    runs: tuple[RunRow, ...]
    curve: tuple[CurvePoint, ...]
    bands: tuple[Band, ...]
    anchors: tuple[AnchorPoint, ...]
    confident: tuple[MappedPair, ...]
    wrong: tuple[MappedPair, ...]
    seconds: tuple[tuple[str, float], ...]

    @property
    def answer(self) -> float | None:
        """The headline accuracy: the one-to-one assignment's when on, else CSLS @1."""
        return self.assigned if self.assigned is not None else self.at1

    @property
    def ceiling(self) -> float:
        return self.ceiling_assigned if self.ceiling_assigned is not None else self.ceiling_at1

    @property
    def null(self) -> float | None:
        return self.null_assigned if self.null_assigned is not None else self.null_at1

    def title(self) -> Phrase:
        return Phrase.of("Blind alignment: ", Data(self.a.label), " → ", Data(self.b.label))

    def slug(self) -> str:
        return slug_of("blind", [self.a.slug_name, self.b.slug_name])

    def command(self) -> str:
        parts = [f"polyterm blind {cli_models([self.a, self.b])}", f"--words {self.n_words}"]
        if self.method != "auto":
            parts.append(f"--method {self.method}")
        if self.seed:
            parts.append(f"--seed {self.seed}")
        if self.one_to_one_option != "auto":
            parts.append(f"--one-to-one {self.one_to_one_option}")
        if not self.anchors:
            parts.append("--no-anchors")
        if self.null_at1 is None:
            parts.append("--no-null")
        return " ".join(parts)

    def tables(self) -> tuple[Table, ...]:
        """`models`; `summary`: accuracy beside ceiling, chance and null; `starts`: each
        start and why it failed; `anchors`; `bands`; `confident`; `wrong`; `curve`;
        `time`."""
        pct = _pct
        rows: list[tuple[Cell, ...]] = []
        how = "one-to-one (Hungarian)" if self.one_to_one else "CSLS nearest"
        rows.append(("accuracy@1, " + how, pct(self.answer), pct(self.ceiling),
                     pct(self.null), pct(self.chance)))  # fmt: skip
        if self.one_to_one:
            rows.append(("accuracy@1, CSLS nearest", pct(self.at1), pct(self.ceiling_at1),
                         pct(self.null_at1), pct(self.chance)))  # fmt: skip
        rows.append(("accuracy@10, CSLS", pct(self.at10), pct(self.ceiling_at10), "—",
                     pct(min(1.0, 10 * self.chance))))  # fmt: skip
        rows.append(("accuracy@1 after the start alone", pct(self.start_accuracy), "—", "—",
                     pct(self.chance)))  # fmt: skip
        summary = Table(
            "summary",
            f"Words of B recovered from A with no anchors ({self.n_words:,} words)",
            ("measure", "blind", "supervised ceiling", "null (B shuffled)", "chance"),
            tuple(rows),
            caption=(
                f"Chosen start: {self.chosen or 'none'} (by the alignment objective; the "
                "truth only scores). Ceiling: orthogonal Procrustes on the true "
                "correspondence of all words, scored the same way (in-sample). Null: the "
                "same pipeline against B with its rows shuffled within the vocabulary "
                "before hiding. Chance is 1/N; above "
                f"{self.chance_bound:.2%} chance is ruled out (4 sd)."
                + (
                    f" The larger model was PCA-reduced to {self.reduced_to} dimensions."
                    if self.reduced_to
                    else ""
                )
            ),
            numeric=(False, True, True, True, True),
        )
        starts = Table(
            "starts",
            "Starts (each followed by self-learning)",
            ("start", "status", "accuracy@1 after start", "accuracy@1 after self-learning",
             "objective", "mutual neighbours", "rounds", "seconds", "why"),
            tuple(
                (START_LABELS.get(r.start, r.start), r.status + (" (chosen)" if r.start ==
                 self.chosen else ""), pct(r.start_accuracy), pct(r.accuracy),
                 _num(r.objective), pct(r.mutual), r.rounds,
                 f"{r.start_seconds + r.learning_seconds:.1f}", r.reason or "—")
                for r in self.runs
            ),
            caption=(f"Objective: mean best CSLS similarity, both directions; a random "
                     f"rotation scores {self.floor:.4f}. Mutual neighbours: the share of "
                     "words whose partner's partner is the word itself (no truth used)."),
            numeric=(False, False, True, True, True, True, True, True, False),
        )  # fmt: skip
        anchors = Table(
            "anchors",
            "Anchor curve: true pairs revealed, then the same self-learning",
            ("revealed pairs", "accuracy@1, CSLS", "accuracy@10, CSLS"),
            tuple((p.anchors, pct(p.at1), pct(p.at10)) for p in self.anchors),
            caption="0 revealed pairs is the blind result itself.",
            numeric=(True, True, True),
        )
        bands = Table(
            "bands",
            "Accuracy by frequency band (A's frequency ranks among the shared words)",
            ("ranks", "words", "accuracy@1"),
            tuple((f"{b.first:,}–{b.last:,}", b.words, pct(b.accuracy)) for b in self.bands),
            numeric=(False, True, True),
        )
        confident = Table(
            "confident",
            "Most confidently recovered words",
            ("word", "CSLS"),
            tuple((Data(p.word), p.csls) for p in self.confident),
            numeric=(False, True),
        )
        wrong = Table(
            "wrong",
            "Most confidently wrong: A's word and the word of B it was mapped to",
            ("word", "mapped to", "CSLS"),
            tuple((Data(p.word), Data(p.mapped_to), p.csls) for p in self.wrong),
            numeric=(False, False, True),
        )
        curve = Table(
            "curve",
            "Self-learning rounds",
            ("start", "round", "keep p", "cut-off", "objective", "accuracy@1 (cosine)"),
            tuple(
                (c.start, c.round + 1, f"{c.keep:.2f}", c.cutoff, c.objective, pct(c.accuracy))
                for c in self.curve
            ),
            caption="Accuracy per round is scored after the fact; it never steers the run.",
            numeric=(False, True, True, True, True, True),
        )
        timing = Table(
            "time",
            "Time per stage",
            ("stage", "seconds"),
            tuple((stage, f"{s:.2f}") for stage, s in self.seconds),
            numeric=(False, True),
        )
        return (models_table([self.a, self.b]), summary, starts, anchors, bands, confident,
                wrong, curve, timing)  # fmt: skip

    def readings(self) -> tuple[str, ...]:
        out: list[str] = []
        if self.answer is None:
            reasons = "; ".join(f"{r.start}: {r.reason}" for r in self.runs if r.reason)
            return (f"No start produced an alignment ({reasons}).",)
        answer = self.answer
        out.append(
            f"With no anchors, {answer:.2%} of {self.n_words:,} words of {self.b.name} were "
            f"recovered from {self.a.name} (supervised ceiling {self.ceiling:.2%}, chance "
            f"{self.chance:.2%})."
        )
        if answer <= self.chance_bound:
            out.append("That is within chance: blind alignment found nothing here.")
        elif answer >= 0.9 * self.ceiling:
            out.append("It is within 10% of the ceiling: the geometry alone nearly fixes "
                       "the correspondence.")  # fmt: skip
        if self.null is not None:
            if self.null <= self.chance_bound:
                out.append(f"The null (B shuffled before hiding) scored {self.null:.2%}, "
                           "at chance, as it must.")  # fmt: skip
            else:
                out.append(f"The null scored {self.null:.2%}, above chance: something leaks; "
                           "do not trust this accuracy.")  # fmt: skip
        chosen = next((r for r in self.runs if r.start == self.chosen), None)
        better = [r for r in self.runs if r.accuracy is not None and chosen is not None
                  and chosen.accuracy is not None and r.accuracy > self.chance_bound
                  and chosen.accuracy <= self.chance_bound]  # fmt: skip
        for r in better:
            out.append(f"The objective chose the {self.chosen} start, which scored at chance, "
                       f"while the {r.start} start scored {r.accuracy:.1%}: unsupervised "
                       "selection failed here.")  # fmt: skip
        for r in self.runs:
            if (
                r.status == "ok"
                and r.start != self.chosen
                and chosen is not None
                and r.accuracy is not None
                and chosen.accuracy is not None
                and r.objective is not None
                and chosen.objective is not None
                and r.accuracy > self.chance_bound
                and r.accuracy < chosen.accuracy
            ):
                out.append(f"The {r.start} start stopped at {r.accuracy:.2%} with a lower "
                           f"objective ({r.objective:.4f} against {chosen.objective:.4f}), "
                           "so the objective passed it over.")  # fmt: skip
        for r in self.runs:
            if r.status != "ok" or (r.accuracy is not None and r.accuracy <= self.chance_bound
                                    and r.start != self.chosen):  # fmt: skip
                why = r.reason or "its self-learning stayed at chance"
                out.append(f"The {r.start} start {r.status if r.status != 'ok' else 'failed'}:"
                           f" {why}.")  # fmt: skip
        return tuple(out)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _num(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4f}"


def shared_rows(
    model_a: Embedding, model_b: Embedding, words: int
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, int]:
    """The `words` most frequent shared words (A's order), their rows of A and B, and
    how many words the models share in all; one-line errors for too few."""
    shared = shared_vocabulary([model_a.vocab, model_b.vocab])
    total = shared.total_shared
    if total < core.MIN_WORDS:
        raise PolytermError(
            f"{model_a.name} and {model_b.name} share only {total} words: blind alignment "
            f"needs at least {core.MIN_WORDS}"
        )
    if words > total:
        raise PolytermError(
            f"--words {words:,} is more than the {total:,} words {model_a.name} and "
            f"{model_b.name} share: use --words {total:,} or fewer"
        )
    a = np.asarray(model_a.vectors, dtype=np.float64)[shared.indices[0][:words]]
    b = np.asarray(model_b.vectors, dtype=np.float64)[shared.indices[1][:words]]
    return shared.words[:words], a, b, total


def blind_view(
    model_a: Embedding,
    model_b: Embedding,
    *,
    words: int = core.DEFAULT_WORDS,
    method: str = "auto",
    seed: int = 0,
    one_to_one: str = "auto",
    anchors: Sequence[int] = core.ANCHORS,
    null: bool = True,
    cancel: CancelFlag | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> BlindView:
    if method not in METHODS:
        raise PolytermError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    if words < core.MIN_WORDS:
        raise PolytermError(f"--words must be at least {core.MIN_WORDS}, not {words}")
    names, a, b, total = shared_rows(model_a, model_b, words)
    for label, m in (("A", model_a), ("B", model_b)):
        if m.dims < core.MIN_DIMS:
            raise PolytermError(
                f"{m.name} has {m.dims} dimension{'s' * (m.dims != 1)}: blind alignment "
                f"needs at least {core.MIN_DIMS} (model {label})"
            )
    try:
        core.check_inputs(a, b)
    except core.BlindInputError as exc:
        text = str(exc).replace("model A", model_a.name).replace("model B", model_b.name)
        raise PolytermError(text) from None
    n = len(names)
    one = {"on": True, "off": False}.get(one_to_one, n <= core.ONE_TO_ONE_LIMIT)
    cfg = core.BlindConfig(starts=METHODS[method], one_to_one=one)
    say = progress or (lambda _f, _m: None)

    def stage(lo: float, hi: float) -> Callable[[float, str], None]:
        return lambda f, m: say(lo + (hi - lo) * f, m)

    result = core.blind_align(a, b, seed=seed, cfg=cfg, cancel=cancel, progress=stage(0, 0.5))
    timings = list(result.stage_seconds)
    t = time.perf_counter()
    ceiling = core.supervised_ceiling(a, b, k=cfg.csls_k, one_to_one=one)
    timings.append(("supervised ceiling", time.perf_counter() - t))
    null_result = None
    if null:
        say(0.55, "null: B shuffled before hiding")
        t = time.perf_counter()
        null_cfg = core.BlindConfig(starts=cfg.starts, one_to_one=one)
        null_result = core.blind_align(a, core.shuffled_null(b, seed), seed=seed + 1,
                                       cfg=null_cfg, curve=False, cancel=cancel)  # fmt: skip
        timings.append(("null (whole pipeline again)", time.perf_counter() - t))
    points: list[AnchorPoint] = []
    if anchors and result.score is not None:
        t = time.perf_counter()
        for i, count in enumerate(anchors):
            say(0.75 + 0.25 * i / len(anchors), f"anchor curve: {count} revealed pairs")
            if count == 0:
                points.append(AnchorPoint(0, result.score.at1, result.score.at10))
                continue
            if count > n:
                continue
            s = core.anchored(a, b, count, seed=seed, cfg=cfg, cancel=cancel)
            points.append(AnchorPoint(count, s.at1, s.at10))
        timings.append(("anchor curve", time.perf_counter() - t))
    say(1.0, "done")
    return _view(model_a, model_b, names, total, seed, method, one_to_one, one, result,
                 ceiling, null_result, tuple(points), tuple(timings))  # fmt: skip


def _view(
    model_a: Embedding,
    model_b: Embedding,
    names: tuple[str, ...],
    total: int,
    seed: int,
    method: str,
    option: str,
    one: bool,
    result: core.BlindResult,
    ceiling: core.Score,
    null_result: core.BlindResult | None,
    anchors: tuple[AnchorPoint, ...],
    seconds: tuple[tuple[str, float], ...],
) -> BlindView:
    n = len(names)
    perm = np.argsort(result.truth)  # hidden row j holds B's word names[perm[j]]
    chosen = next((r for r in result.runs if r.name == result.chosen), None)
    s = result.score
    bands: list[Band] = []
    confident: list[MappedPair] = []
    wrong: list[MappedPair] = []
    if s is not None:
        hit = s.predicted == result.truth
        edges = [e for e in BANDS if e < n] + [n]
        for lo, hi in itertools.pairwise(edges):
            bands.append(Band(lo + 1, hi, hi - lo, float(hit[lo:hi].mean())))
        order = np.argsort(-s.confidence, kind="stable")
        for i in order:
            pair = MappedPair(names[i], names[int(perm[s.predicted[i]])], float(s.confidence[i]))
            if hit[i] and len(confident) < SHOWN_PAIRS:
                confident.append(pair)
            elif not hit[i] and len(wrong) < SHOWN_PAIRS:
                wrong.append(pair)
            if len(confident) >= SHOWN_PAIRS and len(wrong) >= SHOWN_PAIRS:
                break
    runs = tuple(
        RunRow(r.name, r.status, r.reason, r.start_accuracy, r.accuracy, r.objective,
               r.learning.mutual if r.learning else None,
               len(r.learning.rounds) if r.learning else 0, r.start_seconds,
               r.learning.seconds if r.learning else 0.0)
        for r in result.runs
    )  # fmt: skip
    curve = tuple(
        CurvePoint(r.name, p.index, p.keep, p.cutoff, p.objective, p.accuracy)
        for r in result.runs
        if r.learning
        for p in r.learning.rounds
    )
    null_score = null_result.score if null_result is not None else None
    chance = 1.0 / n
    return BlindView(
        a=ModelSummary.of(model_a),
        b=ModelSummary.of(model_b),
        n_words=n,
        shared_words=total,
        seed=seed,
        method=method,
        one_to_one=one,
        one_to_one_option=option,
        reduced_to=result.reduced_to,
        chosen=result.chosen,
        at1=s.at1 if s else None,
        at10=s.at10 if s else None,
        assigned=s.one_to_one if s else None,
        start_accuracy=chosen.start_accuracy if chosen else None,
        ceiling_at1=ceiling.at1,
        ceiling_at10=ceiling.at10,
        ceiling_assigned=ceiling.one_to_one,
        chance=chance,
        chance_bound=core.binomial_bound(n, chance),
        null_at1=null_score.at1 if null_score else None,
        null_assigned=null_score.one_to_one if null_score else None,
        null_chosen=null_result.chosen if null_result else None,
        floor=result.floor,
        runs=runs,
        curve=curve,
        bands=tuple(bands),
        anchors=anchors,
        confident=tuple(confident),
        wrong=tuple(wrong),
        seconds=seconds,
    )


REPORT_WORDS = 2000


def report_section(
    model_a: Embedding,
    model_b: Embedding,
    *,
    words: int = REPORT_WORDS,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> tuple[tuple[str, ...], str]:
    """The report's "blind alignment" section for two models, kept cheap: the
    `words` most frequent shared words (fewer when they share fewer), both starts, the
    null, no anchor curve. Returns (readings, the view's markdown)."""
    from polyterm.views.markdown import render_markdown

    if progress is not None:
        progress(f"blind alignment of {model_a.name} and {model_b.name}")
    shared = shared_vocabulary([model_a.vocab, model_b.vocab]).total_shared
    try:
        view = blind_view(model_a, model_b, words=min(words, shared), seed=seed, anchors=())
    except PolytermError as exc:
        return (), f"## Blind alignment\n\nNot run: {exc}\n"
    return view.readings(), render_markdown(view)
