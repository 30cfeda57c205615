"""Neighbourhood and difference-vector universality of two models, beside chance.

Both analyses run over the shared vocabulary (first model's frequency order, cut to the
`top_n` most frequent shared words), so that every neighbour either model can name is a
word the other model also has.

- *Neighbourhood universality*: for each shared word, Jaccard and RBO (p = 0.9) of its
  k nearest neighbours (cosine, self excluded) in A and in B. Null: the same after a
  random permutation of A's words (R repetitions, Jaccard only).
- *Difference-vector universality*: for word pairs (a, b), the k nearest shared words to
  the normalised difference unit(a) − unit(b) in each model (a and b excluded), and the
  Jaccard and RBO of the two lists. Chance: two random k-lists from n words share k²/n
  words on average.

Models in a basis (`BasisStore.in_basis`) are compared by the cosines of their codes.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from polyterm.core.agreement_baselines import (
    AgreementBaselines,
    expression_baselines,
    neighbourhood_different_query,
)
from polyterm.core.embedding import Embedding, unit_rows
from polyterm.core.expression import Expression, Term
from polyterm.core.neighbourhood_universality import (
    TiedVocabularyError,
    neighbourhood_universality,
)
from polyterm.core.neighbours import query_vector, tie_ranks, top_k_rows
from polyterm.core.nulls import NullSummary, summarise_null
from polyterm.core.overlap import jaccard, rbo
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.errors import PolytermError, ZeroVectorError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table, too_large_k
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
from polyterm.views.seed_floor import SeedFloor, floor_text
from polyterm.views.settings import COMPARISON

DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("cat", "car"),
    ("water", "fire"),
    ("king", "money"),
    ("church", "horse"),
    ("school", "river"),
    ("music", "war"),
    ("doctor", "tree"),
    ("night", "food"),
    ("ship", "book"),
    ("house", "blood"),
    ("child", "machine"),
    ("love", "stone"),
)
DEFAULT_TOP_N = COMPARISON.neighbour_top_n
NEIGHBOUR_JACCARD = "mean neighbour Jaccard"
PAIR_JACCARD = "mean difference-vector Jaccard"


@dataclass(frozen=True, slots=True)
class PairResult:
    a: str
    b: str
    words_a: tuple[str, ...]  # neighbours of a - b in model A
    words_b: tuple[str, ...]  # ... in model B
    jaccard: float
    rbo: float

    @property
    def shared(self) -> tuple[str, ...]:
        return tuple(w for w in self.words_a if w in set(self.words_b))


@dataclass(frozen=True, slots=True)
class WordUniversality:
    word: str
    jaccard: float
    rbo: float


@dataclass(frozen=True, slots=True)
class UniversalityView(ViewMethods):
    a: ModelSummary
    b: ModelSummary
    n_words: int
    k: int
    top_n: int | None
    neighbourhood_jaccard: NullSummary  # observed = mean over words
    neighbourhood_rbo_mean: float
    quartiles_jaccard: tuple[float, float, float]
    most_universal: tuple[WordUniversality, ...]
    least_universal: tuple[WordUniversality, ...]
    pairs: tuple[PairResult, ...]
    missing_pairs: tuple[str, ...]
    chance_jaccard: float
    # pairs whose difference vector is zero in a model (`the - the`, or two words with one
    # vector): no direction, so no neighbours to compare; never scored
    unusable_pairs: tuple[str, ...] = ()
    # words left out or tie-broken in the neighbourhood comparison, when more than a few
    # percent (core.neighbourhood_universality.tie_warning); None otherwise
    tie_warning: str | None = None
    seed_floor: SeedFloor | None = field(default=None, metadata={"json": "unless-default"})
    """The models share a seed: the same figures for A against B at another seed."""
    neighbour_other_word: NullSummary | None = field(
        default=None, metadata={"json": "unless-default"}
    )
    """Mean neighbour Jaccard of A's list for each word with B's for a frequency-matched
    other word (`polyterm.core.agreement_baselines`)."""
    pair_baselines: AgreementBaselines | None = field(
        default=None, metadata={"json": "unless-default"}
    )
    """Difference vectors: frequency-matched random pairs, and A's list against B's for a
    different, frequency-matched pair."""

    @property
    def mean_pair_jaccard(self) -> float | None:
        return float(np.mean([p.jaccard for p in self.pairs])) if self.pairs else None

    def title(self) -> Phrase:
        return Phrase.of(
            "Universality of neighbourhoods: ", Data(self.a.label), " vs ", Data(self.b.label)
        )

    def slug(self) -> str:
        return slug_of("universality", [self.a.slug_name, self.b.slug_name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `neighbourhood`: overlap of each shared word's neighbours beside its
        null; `pairs`: difference vectors of dissimilar pairs."""
        nj = self.neighbourhood_jaccard
        q1, q2, q3 = self.quartiles_jaccard
        a, b = Data(self.a.name), Data(self.b.name)
        return (
            models_table([self.a, self.b]),
            Table(
                "neighbourhood",
                "Nearest-neighbour overlap per word",
                ("statistic", "observed", "shuffle null (mean ± sd, z)"),
                (
                    ("mean Jaccard", nj.observed, null_text(nj)),
                    ("quartiles of Jaccard", f"{q1:.3f} / {q2:.3f} / {q3:.3f}", "—"),
                    ("mean RBO (p=0.9)", self.neighbourhood_rbo_mean, "—"),
                    *self._floor_rows(),
                ),
                numeric=(False, True, True),
            ),
            self._baselines_table(),
            Table(
                "pairs",
                "Difference vectors of dissimilar pairs",
                (
                    "a − b",
                    "Jaccard",
                    "RBO",
                    Phrase.of("neighbours in ", a),
                    Phrase.of("neighbours in ", b),
                ),
                tuple(
                    (
                        Phrase.of(Data(p.a), " − ", Data(p.b)),
                        p.jaccard,
                        p.rbo,
                        joined(p.words_a),
                        joined(p.words_b),
                    )
                    for p in self.pairs
                ),
                caption=(
                    f"Chance Jaccard of two random {self.k}-lists from {self.n_words:,} words: "
                    f"{self.chance_jaccard:.4f}." + self._pairs_floor_caption()
                ),
                numeric=(False, True, True, False, False),
            ),
        )

    def _baselines_table(self) -> Table:
        """`baselines`: each agreement beside the baselines that can fail (frequency-
        matched random queries, a different query, the seed floor) and chance."""
        floor = self.seed_floor
        nj, other = self.neighbourhood_jaccard, self.neighbour_other_word
        rows: list[tuple[Cell, ...]] = [
            (
                "neighbours of a shared word",
                nj.observed,
                "— (every word is the query)",
                null_text(other),
                "—" if floor is None else _cell(floor.get(NEIGHBOUR_JACCARD)),
                f"{nj.null_mean:.3f} (shuffled words)",
            )
        ]
        pb = self.pair_baselines
        if self.pairs and self.mean_pair_jaccard is not None:
            rows.append(
                (
                    f"difference vectors of {len(self.pairs)} pairs",
                    self.mean_pair_jaccard,
                    null_text(None if pb is None else pb.random_queries),
                    null_text(None if pb is None else pb.different_query),
                    "—" if floor is None else _cell(floor.get(PAIR_JACCARD)),
                    f"{self.chance_jaccard:.4f} (random lists)",
                )
            )
        return Table(
            "baselines",
            "Agreement beside baselines that can fail",
            (
                "agreement (mean Jaccard)",
                "observed",
                "random queries, frequency-matched (mean ± sd, z)",
                "different query, frequency-matched (mean ± sd, z)",
                "across seeds" if floor is None else Phrase.of("across seeds (vs ",
                                                               Data(floor.partner), ")"),
                "chance",
            ),
            tuple(rows),
            caption=(
                "Random queries: the same form of query built from other words of similar "
                "frequency, answered by both models (what the shared geometry gives any "
                "query). Different query: A's list against B's list for a frequency-matched "
                "other query (what lists share only by holding words of that frequency). "
                "Across seeds: the seed floor, when the models share a seed."
            ),
            numeric=(False, True, True, True, True, True),
        )  # fmt: skip

    def _floor_rows(self) -> tuple[tuple[Cell, ...], ...]:
        floor = self.seed_floor
        if floor is None:
            return ()
        value = floor.get(NEIGHBOUR_JACCARD)
        return (
            (
                Phrase.of("mean Jaccard across seeds (vs ", Data(floor.partner), ")"),
                "—" if value is None else value,
                "the seed floor",
            ),
        )

    def _pairs_floor_caption(self) -> str:
        floor, mean = self.seed_floor, self.mean_pair_jaccard
        if floor is None or mean is None:
            return ""
        across = floor.get(PAIR_JACCARD)
        return (
            f" Mean Jaccard {floor_text(mean, across, self.chance_jaccard)} "
            f"({self.a.name} against {floor.partner}: the models share a seed)."
        )

    def extremes(self) -> tuple[tuple[str, Phrase], ...]:
        """The most and the least universal words, each with its neighbour Jaccard."""

        def listed(items: tuple[WordUniversality, ...]) -> Phrase:
            parts: list[Phrase | Data | str] = []
            for i, w in enumerate(items):
                parts += [", "] if i else []
                parts += [Data(w.word), f" ({w.jaccard:.2f})"]
            return Phrase.of(*parts)

        return (
            ("Most universal", listed(self.most_universal)),
            ("Least universal", listed(self.least_universal)),
        )

    def command(self) -> str:
        return (
            f"polyterm universality {cli_models([self.a, self.b])} --k {self.k} "
            f"--top-n {self.top_n or 0} --repetitions {self.neighbourhood_jaccard.repetitions} "
            f"--seed {self.neighbourhood_jaccard.seed}{self._pairs_option()}"
        )

    def _pairs_option(self) -> str:
        """`--pairs` when the pairs asked for were not the built-in list."""
        asked = [(p.a, p.b) for p in self.pairs]
        asked += [
            tuple(m.split(" - ", 1))  # type: ignore[misc]
            for m in (*self.missing_pairs, *self.unusable_pairs)
        ]
        if set(asked) == set(DEFAULT_PAIRS):
            return ""
        return " --pairs " + shlex.quote(",".join(f"{x}-{y}" for x, y in asked))

    def readings(self) -> tuple[str, ...]:
        nj = self.neighbourhood_jaccard
        floor = self.seed_floor
        if floor is None:
            out = [
                f"A shared word's {self.k} nearest neighbours overlap with Jaccard "
                f"{nj.observed:.3f} on average between {self.a.name} and {self.b.name}, "
                f"against {nj.null_mean:.3f} for shuffled words."
            ]
        else:
            out = [
                f"A shared word's {self.k} nearest neighbours overlap with Jaccard "
                f"{floor_text(nj.observed, floor.get(NEIGHBOUR_JACCARD), nj.null_mean)} "
                f"between {self.a.name} and {self.b.name} ({floor.partner} across seeds; "
                "chance: shuffled words)."
            ]
        if self.pairs and self.mean_pair_jaccard is not None:
            if floor is None:
                out.append(
                    f"Difference vectors of {len(self.pairs)} dissimilar word pairs have "
                    f"neighbour lists with mean Jaccard {self.mean_pair_jaccard:.3f}, against "
                    f"{self.chance_jaccard:.3f} expected by chance."
                )
            else:
                across = floor.get(PAIR_JACCARD)
                out.append(
                    f"Difference vectors of {len(self.pairs)} dissimilar word pairs have "
                    "neighbour lists with mean Jaccard "
                    f"{floor_text(self.mean_pair_jaccard, across, self.chance_jaccard)} "
                    f"({floor.partner} across seeds): the same-seed figure is flattered by the "
                    "shared random stream; read the across-seed one."
                )
        out += self._baseline_readings()
        if self.tie_warning:
            out.insert(0, f"Warning: {self.tie_warning}.")
        return tuple(out)

    def _baseline_readings(self) -> list[str]:
        out: list[str] = []
        other = self.neighbour_other_word
        if other is not None:
            out.append(
                "Neighbour lists of different words of similar frequency agree with Jaccard "
                f"{other.null_mean:.3f} ± {other.null_sd:.3f}: "
                + (
                    "a word's own neighbours agree far more, so the agreement is about the "
                    "words, not only their frequency."
                    if _beats(other)
                    else "a word's own neighbours agree no more than that, so the agreement "
                    "says little beyond word frequency."
                )
            )
        pb = self.pair_baselines
        if pb is not None and self.pairs:
            rq, dq = pb.random_queries, pb.different_query
            verdict = (
                "the chosen pairs agree more than frequency-matched random pairs do "
                f"(z {rq.z:+.1f}), beyond the shared geometry"
                if _beats(rq) and rq.z is not None
                else "the chosen pairs do not agree more than frequency-matched random pairs "
                "do (not by 3 of their sd): the agreement is the models' shared geometry, not "
                "something about these pairs"
            )
            out.append(
                f"Difference vectors: mean Jaccard {pb.observed:.3f}; frequency-matched random "
                f"pairs {rq.null_mean:.3f} ± {rq.null_sd:.3f}; A's list against B's for a "
                f"different pair {dq.null_mean:.3f} ± {dq.null_sd:.3f} — {verdict}."
            )
        return out


def _cell(value: float | None) -> Cell:
    return "—" if value is None else value


def _beats(n: NullSummary | None) -> bool | None:
    """Whether the observed agreement is above a baseline by more than 3 of its sd (None:
    no baseline)."""
    if n is None:
        return None
    return n.z is not None and n.z > 3


def expected_random_jaccard(k: int, n: int) -> float:
    """E[|X∩Y|] / (2k − E[|X∩Y|]) for two random k-subsets of n items (E[|X∩Y|] = k²/n)."""
    inter = k * k / n
    return inter / (2 * k - inter)


def _row_jaccard(na: npt.NDArray[np.int64], nb: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    k = na.shape[1]
    inter = (na[:, :, None] == nb[:, None, :]).any(axis=2).sum(axis=1).astype(np.float64)
    out: npt.NDArray[np.float64] = inter / (2 * k - inter)
    return out


def universality_view(
    model_a: Embedding,
    model_b: Embedding,
    *,
    k: int = 10,
    top_n: int | None = DEFAULT_TOP_N,
    pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
    repetitions: int = 20,
    seed: int = 0,
    across_seeds: Embedding | None = None,
) -> UniversalityView:
    """Neighbourhood and difference-vector universality of two models (module docstring);
    with `across_seeds` (B's spec at another seed, for models that share one) also the
    seed floor: the same figures for A against it."""
    view = _universality(model_a, model_b, k, top_n, pairs, repetitions, seed)
    if across_seeds is None:
        return view
    # the pair's own question first (its errors are the user's), then the seed floor
    other = _universality(model_a, across_seeds, k, top_n, pairs, 2, seed)
    figures = [(NEIGHBOUR_JACCARD, other.neighbourhood_jaccard.observed)]
    if other.mean_pair_jaccard is not None:
        figures.append((PAIR_JACCARD, other.mean_pair_jaccard))
    return replace(view, seed_floor=SeedFloor(partner=other.b.name, figures=tuple(figures)))


def _universality(
    model_a: Embedding,
    model_b: Embedding,
    k: int,
    top_n: int | None,
    pairs: Sequence[tuple[str, str]],
    repetitions: int,
    seed: int,
) -> UniversalityView:
    shared = shared_vocabulary([model_a.vocab, model_b.vocab], top_n=top_n or None)
    n = len(shared.words)
    if n <= 3:
        raise PolytermError(
            f"{model_a.name} and {model_b.name} share only {n} words: too few to compare "
            "their neighbourhoods"
        )
    if n <= k + 2:
        raise PolytermError(too_large_k(model_a.name, model_b.name, shared, k, n - 3))
    a = np.asarray(model_a.vectors, dtype=np.float64)[shared.indices[0]]
    b = np.asarray(model_b.vectors, dtype=np.float64)[shared.indices[1]]
    try:
        nu = neighbourhood_universality(a, b, k=k, seed=seed)
    except TiedVocabularyError as exc:
        raise PolytermError(
            f"{model_a.name} and {model_b.name}: {exc}; their neighbourhoods cannot be compared"
        ) from None
    # the shuffle null over the compared words (those without a duplicate direction)
    compared = nu.compared
    local = np.full(n, -1, dtype=np.int64)
    local[compared] = np.arange(compared.size)
    na, nb = local[nu.neighbours_a[compared]], local[nu.neighbours_b[compared]]
    rng = np.random.default_rng(seed)
    null = []
    for _ in range(repetitions):
        perm = rng.permutation(compared.size)
        inverse = np.argsort(perm)
        null.append(float(_row_jaccard(inverse[na[perm]], nb).mean()))
    words = shared.words

    def word_rows(rows: npt.NDArray[np.int64]) -> tuple[WordUniversality, ...]:
        return tuple(
            WordUniversality(words[int(i)], float(nu.jaccard[i]), float(nu.rbo[i]))
            for i in rows[:10]
        )

    ua, ub = unit_rows(a), unit_rows(b)
    # ties broken independently in each model: a tie agrees only by chance
    ranks_a, ranks_b = tie_ranks(n, seed, 0), tie_ranks(n, seed, 1)
    row = {w: i for i, w in enumerate(words)}
    results, missing, unusable = [], [], []
    for x, y in pairs:
        if x not in row or y not in row:
            missing.append(f"{x} - {y}")
            continue
        if _zero_difference(x, y, (model_a, model_b)):
            unusable.append(f"{x} - {y}")
            continue
        lists = []
        for u, ranks in ((ua, ranks_a), (ub, ranks_b)):
            q = u[row[x]] - u[row[y]]
            q = q / (np.linalg.norm(q) or 1.0)
            top = top_k_rows(u @ q, k, [row[x], row[y]], tie_rank=ranks)
            lists.append(tuple(words[int(i)] for i in top))
        la, lb = lists
        results.append(PairResult(x, y, la, lb, jaccard(la, lb), rbo(la, lb)))
    jac = nu.jaccard_summary
    other_word = neighbourhood_different_query(
        nu.neighbours_a, nu.neighbours_b, repetitions=repetitions, seed=seed
    )
    scored = [(row[p.a], row[p.b]) for p in results]
    pair_baselines = (
        expression_baselines(
            ua,
            ub,
            np.array(scored, dtype=np.int64),
            np.array([1.0, -1.0]),
            k,
            repetitions=repetitions,
            seed=seed,
        )
        if scored
        else None
    )
    return UniversalityView(
        a=ModelSummary.of(model_a),
        b=ModelSummary.of(model_b),
        n_words=n,
        k=k,
        top_n=top_n or None,
        neighbourhood_jaccard=summarise_null(jac.mean, null, kind="shuffle", seed=seed),
        neighbourhood_rbo_mean=nu.rbo_summary.mean,
        quartiles_jaccard=(jac.q1, jac.median, jac.q3),
        most_universal=word_rows(nu.most_universal),
        least_universal=word_rows(nu.least_universal),
        pairs=tuple(results),
        missing_pairs=tuple(missing),
        chance_jaccard=expected_random_jaccard(k, n),
        unusable_pairs=tuple(unusable),
        tie_warning=nu.warning,
        neighbour_other_word=other_word,
        pair_baselines=pair_baselines,
    )


def _zero_difference(x: str, y: str, models: Sequence[Embedding]) -> bool:
    """Whether unit(x) − unit(y) is zero (or rounding noise) in any of `models`."""
    expr = Expression(f"{x} - {y}", (Term(x, 1.0), Term(y, -1.0)))
    try:
        for m in models:
            query_vector(m, expr)
    except ZeroVectorError:
        return True
    return False
