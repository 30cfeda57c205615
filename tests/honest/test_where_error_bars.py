"""Error bars of "where universality lives" (issue 18, item 0): each cell over basis seeds
and a second model seed, and readings that say when the spread makes a cell undecided."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.views.basis_comparison import basis_comparison
from polyterm.views.protocol import plain, table_by_key
from polyterm.views.where_universality import (
    CellSpread,
    PairInBases,
    Refit,
    Verdict,
    pair_readings,
    where_universality_view,
)

RAW, ICA = BasisRequest(), BasisRequest.of("ica")
N, D = 1500, 6


def _manifest(name: str, seed: int) -> dict[str, object]:
    return {
        "name": name, "kind": "word2vec",
        "params": {"dims": D, "seed": seed, "window": 5, "min_count": 5, "epochs": 5},
        "corpus": {"name": "toy", "tokens": 1000, "sha256": "d" * 64, "source": "test"},
    }  # fmt: skip


def _models() -> dict[str, Embedding]:
    """Laplace sources, each model its own mixing and noise (ICA recovers the sources)."""
    rng = np.random.default_rng(3)
    s = rng.laplace(size=(N, D)) / np.sqrt(2)
    words = [f"w{i}" for i in range(N)]
    out = {}
    for name, seed in (("toy_8", 1), ("toy_7", 1), ("toy_8_s2", 2), ("toy_7_s2", 2)):
        mix = np.linalg.qr(rng.standard_normal((D, D)))[0] * rng.uniform(1, 2, D)
        x = s @ mix + 0.3 * rng.standard_normal((N, D))
        out[name] = Embedding.from_arrays(name, words, x, manifest=_manifest(name, seed))
    return out


@pytest.fixture(scope="module")
def models() -> dict[str, Embedding]:
    return _models()


def test_each_cell_is_the_mean_of_its_refits(models: dict[str, Embedding]) -> None:
    a, b = models["toy_8"], models["toy_7_s2"]  # different seeds: no partner
    view = where_universality_view(
        [a, b], bases=(RAW, ICA), store=BasisStore(), top_n=None, repetitions=200,
        stability_runs=0, basis_seeds=3,
    )  # fmt: skip
    pair = view.pairs[0]
    raw, ica = pair.spreads
    assert raw.n == 1  # raw has no basis seed
    assert [r.basis_seed for r in ica.refits] == [0, 1, 2]
    direct = [
        basis_comparison(
            a, b, replace(ICA, seed=s), BasisStore(), top_n=None, repetitions=200, stability_runs=0
        )
        for s in (0, 1, 2)
    ]
    values = [c.mean_matched.observed for c in direct]
    assert ica.mean == pytest.approx(float(np.mean(values)), abs=1e-6)
    assert ica.sd == pytest.approx(float(np.std(values, ddof=1)), abs=1e-6)
    assert ica.shared_mean == pytest.approx(np.mean([c.n_shared for c in direct]))
    row = next(r for r in table_by_key(view.tables(), "bases").rows if plain(r[2]) == "ica")
    assert f"{ica.mean:.3f} ± {ica.sd:.3f} (n 3)" in " ".join(plain(c) for c in row)
    assert "over 3 refits" in view.readings()[0]


def test_a_shared_seed_pair_is_spread_over_both_different_seed_pairings(
    models: dict[str, Embedding],
) -> None:
    a, b = models["toy_8"], models["toy_7"]
    partners = {"toy_7": models["toy_7_s2"], "toy_8": models["toy_8_s2"]}
    view = where_universality_view(
        [a, b], bases=(ICA,), store=BasisStore(), top_n=None, repetitions=200,
        stability_runs=0, basis_seeds=2, seed_partner=lambda x, y: partners[y.name],
    )  # fmt: skip
    (spread,) = view.pairs[0].spreads
    assert [(r.models, r.basis_seed) for r in spread.refits] == [
        ("toy_8 vs toy_7_s2", 0),
        ("toy_8 vs toy_7_s2", 1),
        ("toy_8_s2 vs toy_7", 0),
        ("toy_8_s2 vs toy_7", 1),
    ]
    assert spread.refits[0].mean_matched == view.pairs[0].across_seeds[0].mean_matched.observed


def _spread(values: list[float], shared: list[int], null_sd: float = 0.01) -> CellSpread:
    return CellSpread(
        tuple(
            Refit("a vs b", i, v, s) for i, (v, s) in enumerate(zip(values, shared, strict=True))
        ),
        null_mean=0.2,
        null_sd=null_sd,
    )


def test_when_the_spread_makes_a_cell_undecided() -> None:
    assert not _spread([0.9, 0.91, 0.9], [5, 6, 5]).undecided()  # far above, always shared
    assert not _spread([0.2, 0.21, 0.2], [0, 0, 0]).undecided()  # inside the null
    assert _spread([0.9, 0.9, 0.9], [0, 3, 2]).undecided()  # some refits share nothing
    # inside the null: a "no" whatever the counts (brown_30 vs glove-6b-50 in ica, measured)
    assert not _spread([0.201, 0.2, 0.199], [0, 1, 0]).undecided()
    # mean 0.23, sd 0.01: z from 2 to 4 straddles the 3-sd threshold
    assert _spread([0.22, 0.23, 0.24], [1, 1, 1]).undecided()
    assert not _spread([0.9], [0]).undecided()  # one refit: nothing to disagree


def test_an_undecided_cell_is_not_read_as_shared(models: dict[str, Embedding]) -> None:
    """Counter-example: the one comparison is shared, its refits disagree: no claim."""
    a, b = models["toy_8"], models["toy_7_s2"]
    view = where_universality_view(
        [a, b], bases=(ICA,), store=BasisStore(), top_n=None, repetitions=200,
        stability_runs=0, basis_seeds=1,
    )  # fmt: skip
    pair = view.pairs[0]
    assert pair.cell_verdict(0) is Verdict.SHARED
    assert pair_readings(pair)[0].startswith("toy_8 vs toy_7_s2: the groupings are shared")
    c = pair.comparisons[0]
    shaky = _spread([c.mean_matched.observed, 0.9, 0.9], [c.n_shared, 0, 4])
    undecided = PairInBases(pair.a, pair.b, pair.comparisons, spreads=(shaky,))
    assert undecided.cell_verdict(0) is Verdict.UNDECIDED
    assert undecided.shared_bases() == ()
    head = pair_readings(undecided)[0]
    assert "no basis shares the groupings beyond chance" in head
    assert "undecided: its refits" in head
    assert "over 3 refits" in head


def test_the_refits_decide_the_cell_not_the_first_fit(models: dict[str, Embedding]) -> None:
    """Counter-examples (the review's case): a first fit at z 3.5 with five refits at the
    null is no "yes"; a first-fit "no" whose refits all beat the null is undecided."""
    a, b = models["toy_8"], models["toy_7_s2"]
    view = where_universality_view(
        [a, b], bases=(ICA,), store=BasisStore(), top_n=None, repetitions=200,
        stability_runs=0, basis_seeds=1,
    )  # fmt: skip
    pair = view.pairs[0]
    assert pair.cell_verdict(0) is Verdict.SHARED
    # the first refit at +3.5 null sd, five at the null: mean ± sd stays under 3 sd
    lone = _spread([0.2 + 3.5 * 0.01] + [0.2] * 5, [1, 0, 0, 0, 0, 0])
    assert lone.call() == "below" and not lone.undecided()
    no = PairInBases(pair.a, pair.b, pair.comparisons, spreads=(lone,))
    assert no.cell_verdict(0) is Verdict.REFITS_NO
    assert no.shared_bases() == ()
    assert "over its refits the mean does not beat the null" in pair_readings(no)[0]
    # the mean beats the null in every refit but no refit shares a pair: still a no
    assert _spread([0.9] * 3, [0, 0, 0]).call() == "below"
    # all refits far above: the first fit's "yes" stands
    agree = PairInBases(pair.a, pair.b, pair.comparisons, spreads=(_spread([0.9] * 3, [4] * 3),))
    assert agree.cell_verdict(0) is Verdict.SHARED
    # a first-fit "no" (a raw comparison inside its rotation null) with refits above: undecided
    raw_view = where_universality_view(
        [a, b], bases=(RAW,), store=BasisStore(), top_n=None, repetitions=200,
        stability_runs=0, basis_seeds=1,
    )  # fmt: skip
    raw_pair = raw_view.pairs[0]
    assert raw_pair.cell_verdict(0) is Verdict.NO
    odd = PairInBases(raw_pair.a, raw_pair.b, raw_pair.comparisons,
                      spreads=(_spread([0.9] * 3, [4] * 3),))  # fmt: skip
    assert odd.cell_verdict(0) is Verdict.UNDECIDED
