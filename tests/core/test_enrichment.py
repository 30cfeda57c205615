"""Known answers for `polyterm.core.enrichment`: a planted model whose axes carry known
meanings, nulls that must find nothing, and every statistic against a direct scipy
recomputation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from polyterm.core.enrichment import (
    LabelMatrix,
    axis_ends,
    compare_pair,
    enrichment,
    frequency_bins,
    grouping_jaccard,
    groupings,
    hypergeom_tail,
    match_axes,
    matched_end_pairs,
    matched_overlap,
    rotation_null,
    shuffle_null,
    shuffled_order,
    stratified_tail,
)
from polyterm.core.features import FeatureLabels
from polyterm.core.nulls import random_rotation

N, D, K = 2000, 10, 50
OTHERS = [f"other{i}" for i in range(12)]


def planted(seed: int = 0) -> tuple[np.ndarray, list[str], FeatureLabels]:
    """2,000 words: 60 animals, 60 foods, 60 tools, the rest one of 12 other labels at
    random (a word in ten also a second one); axis 0's top 50 words are 25 animals and 25
    foods, axis 1's top 50 are tools, every other value is Gaussian noise."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(N)]
    order = rng.permutation(N)
    animals, foods, tools = order[:60], order[60:120], order[120:180]
    labels: dict[str, frozenset[str]] = {}
    senses: dict[str, int] = {}
    for i, w in enumerate(words):
        if i in set(animals):
            own = {"noun.animal"}
        elif i in set(foods):
            own = {"noun.food"}
        elif i in set(tools):
            own = {"noun.artifact"}
        else:
            own = {OTHERS[int(rng.integers(len(OTHERS)))]}
            if rng.random() < 0.1:
                own.add(OTHERS[int(rng.integers(len(OTHERS)))])
        labels[w] = frozenset(own)
        senses[w] = int(rng.integers(1, 6))
    codes = rng.standard_normal((N, D))
    codes[animals[:25], 0] = 10 + rng.random(25)
    codes[foods[:25], 0] = 10 + rng.random(25)
    codes[tools[:50], 1] = 10 + rng.random(50)
    return codes, words, FeatureLabels("test", "planted", labels, senses)


@pytest.fixture(scope="module")
def model() -> tuple[np.ndarray, list[str], FeatureLabels, LabelMatrix]:
    codes, words, labels = planted()
    return codes, words, labels, LabelMatrix.of(words, labels)


def enriched_on(result, axis: int, side: int) -> set[str]:
    e = result.end_of(axis, side)
    return {result.features[f] for f in result.enriched_features(e)}


def test_planted_axes_have_exactly_their_features(model) -> None:
    codes, _words, _labels, lm = model
    result = enrichment(codes[lm.rows], lm, k=K)
    assert enriched_on(result, 0, 0) == {"noun.animal", "noun.food"}
    assert enriched_on(result, 1, 0) == {"noun.artifact"}
    e0, e1 = result.end_of(0, 0), result.end_of(1, 0)
    assert result.meaning_count[e0] == 2 and result.polysemantic[e0]
    assert result.meaning_count[e1] == 1 and not result.polysemantic[e1]
    others = [e for e in range(result.n_ends) if e not in (e0, e1)]
    # every other end is noise: BH at 0.05 allows about nothing
    assert result.enriched[others].sum() <= 1
    assert groupings(result) == {("noun.animal", "noun.food"): (e0,)}


def test_every_statistic_is_a_direct_scipy_recomputation(model) -> None:
    codes, words, labels, lm = model
    result = enrichment(codes[lm.rows], lm, k=K, bins=1)  # one bin: the plain test decides
    stratified = enrichment(codes[lm.rows], lm, k=K)
    assert stratified.p_plain is not None and result.p_plain is not None
    assert np.array_equal(stratified.p_plain, result.p_plain)
    assert np.array_equal(result.p, result.p_plain)
    labelled = [w for w in words if w in labels.labels]
    assert lm.words == tuple(labelled)
    population = len(labelled)
    features = sorted({f for w in labelled for f in labels.labels[w]})
    assert result.features == tuple(features)
    carriers = {f: sum(f in labels.labels[w] for w in labelled) for f in features}
    x = codes[[words.index(w) for w in labelled]]
    all_p = []
    for axis in range(D):
        for side in (0, 1):
            col = x[:, axis] if side == 0 else -x[:, axis]
            top = sorted(range(population), key=lambda i: (-col[i], i))[:K]
            end = result.end_of(axis, side)
            assert list(result.ends.rows[end]) == top
            counts = {f: sum(f in labels.labels[labelled[i]] for i in top) for f in features}
            for j, f in enumerate(features):
                assert result.counts[end, j] == counts[f]
                p = stats.hypergeom.sf(counts[f] - 1, population, carriers[f], K)
                assert result.p[end, j] == pytest.approx(p, rel=1e-9, abs=1e-300)
                all_p.append((end, j, p))
            c = np.array([counts[f] for f in features], dtype=float)
            assert result.effective[end] == pytest.approx(math.exp(stats.entropy(c)))
            mean_senses = np.mean([labels.senses[labelled[i]] for i in top])
            assert result.mean_senses[end] == pytest.approx(mean_senses)
    ps = np.array([p for _e, _j, p in all_p])
    q = stats.false_discovery_control(ps, method="bh")
    for (end, j, _p), qq in zip(all_p, q, strict=True):
        assert result.q[end, j] == pytest.approx(qq, rel=1e-9)
        assert result.enriched[end, j] == (qq <= 0.05 and result.counts[end, j] >= 2)


def test_shuffled_labels_enrich_nothing_beyond_bh_rate(model) -> None:
    codes, _words, _labels, lm = model
    result = enrichment(codes[lm.rows], lm, k=K)
    null = shuffle_null(result, lm, draws=20, seed=3)
    assert null.enriched_cells.max() <= 2
    assert null.mean_meaning_count.mean() < 0.02
    s = null.summary("mean_meaning_count", result.mean_meaning_count())
    assert s.observed > s.null_mean
    # the same seed gives the same draws
    again = shuffle_null(result, lm, draws=20, seed=3)
    assert np.array_equal(again.enriched_cells, null.enriched_cells)


def test_shuffle_moves_labels_only_inside_frequency_bins() -> None:
    rng = np.random.default_rng(0)
    order = shuffled_order(1003, 10, rng)
    bins = frequency_bins(1003, 10)
    assert sorted(order) == list(range(1003))
    assert np.array_equal(bins[order], bins)
    assert not np.array_equal(order, np.arange(1003))


def test_random_directions_keep_the_geometry_and_lose_the_basis(model) -> None:
    codes, _words, _labels, lm = model
    x = codes[lm.rows]
    result = enrichment(x, lm, k=K)
    null = rotation_null(x, lm, k=K, draws=20, seed=1)
    assert null.mean_meaning_count.size == 20
    # The planted words are outliers of the geometry (norm ~10 against ~3): every random
    # direction's ends are made of them, so random directions find meanings as often as
    # the planted basis: the statistic measures the basis only beside this null.
    s = null.summary("mean_meaning_count", result.mean_meaning_count())
    assert s.z is not None and s.z < 0
    # Gaussian noise with no outliers: random directions, like the raw axes, find nothing.
    noise = np.random.default_rng(5).standard_normal(x.shape)
    quiet = rotation_null(noise, lm, k=K, draws=20, seed=1)
    assert quiet.enriched_cells.max() <= 2
    again = rotation_null(x, lm, k=K, draws=20, seed=1)
    assert np.array_equal(again.mean_meaning_count, null.mean_meaning_count)
    one_ended = rotation_null(noise, lm, k=K, draws=3, seed=1, one_ended=True, directions=25)
    assert one_ended.draws[0].n_ends == 25


def test_a_rotated_copy_shares_groupings_only_at_the_rotation_null_level(model) -> None:
    codes, _words, _labels, lm = model
    a = enrichment(codes[lm.rows], lm, k=K)
    assert grouping_jaccard(a, a) == 1.0
    rotated = codes @ random_rotation(D, np.random.default_rng(7))
    b = enrichment(rotated[lm.rows], lm, k=K)
    null = rotation_null(codes[lm.rows], lm, k=K, draws=20, seed=2)
    null_j = [grouping_jaccard(r, b) for r in null.draws]
    assert grouping_jaccard(a, b) <= max(null_j) + 1e-12


def test_matched_overlap_of_a_copy_and_of_its_flip(model) -> None:
    codes, _words, _labels, lm = model
    x = codes[lm.rows]
    a = enrichment(x, lm, k=K)
    flipped = x.copy()
    flipped[:, 0] *= -1  # axis 0's planted end is now the bottom
    b = enrichment(flipped, lm, k=K)
    ia, ib, r = match_axes(x, flipped)
    assert r[0] == pytest.approx(-1.0)
    pairs = matched_end_pairs(ia, ib, r, one_ended=False)
    assert ((0, 0), (0, 1)) in pairs
    overlap, n = matched_overlap(a, b, pairs)
    assert overlap == 1.0 and n >= 2


def test_one_ended_ends_hold_only_positive_codes() -> None:
    codes = np.zeros((100, 2))
    codes[:7, 0] = np.arange(7, 0, -1)
    codes[:, 1] = np.linspace(1, 2, 100)
    ends = axis_ends(codes, 10, one_ended=True)
    assert list(ends.length) == [7, 10]
    assert list(ends.rows[0, :7]) == list(range(7))
    assert list(ends.side) == [0, 0]


def test_ties_are_broken_by_lower_row() -> None:
    codes = np.ones((30, 1))
    ends = axis_ends(codes, 5, one_ended=False)
    assert list(ends.rows[0]) == [0, 1, 2, 3, 4]
    assert list(ends.rows[1]) == [0, 1, 2, 3, 4]


def test_compare_pair_rotated_copy_is_at_the_rotation_null(model) -> None:
    codes, _words, _labels, lm = model
    same = compare_pair(codes, codes, lm, k=K, draws=20, seed=0)
    assert same.jaccard.observed == 1.0 and same.overlap.observed == 1.0
    assert same.jaccard_shuffle.null_mean < 0.5
    rotated = codes @ random_rotation(D, np.random.default_rng(3))
    pair = compare_pair(codes, rotated, lm, k=K, draws=20, seed=0)
    for s in (pair.jaccard, pair.overlap):
        assert s.z is not None and s.z < 2


@pytest.mark.parametrize(("population", "drawn"), [(9268, 50), (2000, 50), (120, 7), (60, 60)])
def test_hypergeometric_table_is_scipys(population: int, drawn: int) -> None:
    from polyterm.core.enrichment import hypergeom_sf_table

    carriers = np.array([1, 2, 5, 25, 60, min(population, 900)], dtype=np.intp)
    table = hypergeom_sf_table(population, carriers, drawn)
    c = np.arange(drawn + 1)
    for f, n in enumerate(carriers):
        want = stats.hypergeom.sf(c - 1, population, n, drawn)
        np.testing.assert_allclose(table[f], want, rtol=1e-9, atol=1e-300)


def test_thresholded_ends_are_exact_with_many_ties() -> None:
    rng = np.random.default_rng(4)
    codes = np.round(rng.standard_normal((3000, 12)), 1)  # every value shared by many words
    codes[:, 3] = 0.0  # a constant axis: the lowest rows at both ends
    ends = axis_ends(codes, 40, one_ended=False)
    for axis in range(12):
        for side, col in ((0, codes[:, axis]), (1, -codes[:, axis])):
            want = np.lexsort((np.arange(3000), -col))[:40]
            e = int(np.flatnonzero((ends.axis == axis) & (ends.side == side))[0])
            assert list(ends.rows[e]) == list(want)


def _convolved_tail(
    count: int, drawn: np.ndarray, population: np.ndarray, carriers: np.ndarray
) -> float:
    """P(sum_b X_b >= count) by a direct convolution of scipy's per-bin hypergeometric pmfs."""
    pmf = np.array([1.0])
    for n_b, pop_b, car_b in zip(drawn, population, carriers, strict=True):
        pmf = np.convolve(pmf, stats.hypergeom.pmf(np.arange(n_b + 1), pop_b, car_b, n_b))
    return float(min(1.0, pmf[count:].sum()))


def test_the_stratified_test_is_a_convolution_of_scipy_hypergeometrics() -> None:
    rng = np.random.default_rng(5)
    bins, features, ends = 10, 7, 12
    population = rng.integers(40, 60, bins)
    carriers = np.stack([rng.integers(0, 35, features) for _ in range(bins)])
    drawn = np.stack([rng.multinomial(50, rng.dirichlet(np.ones(bins) * 0.3)) for _ in range(ends)])
    drawn = np.minimum(drawn, population[None, :])
    counts = np.minimum(rng.integers(0, 25, (ends, features)), drawn.sum(axis=1)[:, None])
    p = stratified_tail(counts, drawn, population, carriers)
    for e in range(ends):
        for f in range(features):
            ref = _convolved_tail(int(counts[e, f]), drawn[e], population, carriers[:, f])
            assert p[e, f] == pytest.approx(ref, rel=1e-9, abs=1e-300)
    assert (p < 1e-6).any() and (p > 0.5).any()  # tails of every size were checked
    # one bin: the plain hypergeometric test, exactly
    one = stratified_tail(counts, drawn.sum(axis=1)[:, None], population.sum()[None],
                          carriers.sum(axis=0)[None, :])  # fmt: skip
    plain = hypergeom_tail(counts, int(population.sum()), carriers.sum(axis=0), drawn.sum(axis=1))
    assert np.allclose(one, plain, rtol=1e-9, atol=0)


def test_a_frequency_only_label_is_enriched_by_the_plain_test_and_not_the_stratified() -> None:
    """A label on every word of the top frequency decile ("frequent") and on a random 5% of
    the rest, and an axis whose top end is frequent words: the plain test finds "frequent"
    on that end; the test over the same 10 frequency bins does not (the end's words are
    frequent, that is all), while a planted real meaning survives both."""
    rng = np.random.default_rng(2)
    n, d = 2000, 6
    words = [f"w{i}" for i in range(n)]
    labels: dict[str, frozenset[str]] = {}
    meaning = set(rng.choice(np.arange(n), 60, replace=False).tolist())
    for i, w in enumerate(words):
        own = {OTHERS[int(rng.integers(len(OTHERS)))]}
        if i < n // 10 or rng.random() < 0.05:
            own.add("frequent")
        if i in meaning:
            own.add("noun.animal")
        labels[w] = frozenset(own)
    lm = LabelMatrix.of(words, FeatureLabels("test", "planted", labels, None))
    codes = rng.standard_normal((n, d))
    codes[: n // 10, 0] += 3.0  # axis 0's top end: frequent words, whatever they mean
    animals = sorted(meaning)[:30]
    codes[animals, 1] = 10 + rng.random(30)
    plain = enrichment(codes, lm, k=K, bins=1)
    strat = enrichment(codes, lm, k=K)
    assert {plain.features[f] for f in plain.enriched_features(plain.end_of(0, 0))} >= {"frequent"}
    assert "frequent" not in {
        strat.features[f] for f in strat.enriched_features(strat.end_of(0, 0))
    }
    assert "noun.animal" in {strat.features[f] for f in strat.enriched_features(strat.end_of(1, 0))}
    f = strat.features.index("frequent")
    end = strat.end_of(0, 0)
    assert strat.p_plain is not None and strat.p_plain[end, f] < 1e-10 < 0.01 < strat.p[end, f]
