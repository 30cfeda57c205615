"""Seed controls (issue 18, item 1): a pair that shares a seed is read across seeds."""

from __future__ import annotations

import numpy as np

from polyterm.core.alignment_nulls import Stat
from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.seed_floor import seed_partner_spec, shares_seed
from polyterm.views.alignment import alignment_view
from polyterm.views.protocol import plain, table_by_key
from polyterm.views.universality import PAIR_JACCARD, universality_view
from polyterm.views.where_universality import where_universality_view

N, D = 1200, 8


def _manifest(name: str, seed: int) -> dict[str, object]:
    return {
        "name": name, "kind": "word2vec",
        "params": {"dims": D, "seed": seed, "window": 5, "min_count": 5, "epochs": 5},
        "corpus": {"name": "toy", "tokens": 1000, "sha256": "c" * 64, "source": "test"},
    }  # fmt: skip


def _models() -> tuple[Embedding, Embedding, Embedding]:
    """A; B = A plus a little noise (same seed: nearly the same model); B2 = A plus much
    more noise (another seed: the real likeness)."""
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(N)]
    base = rng.laplace(size=(N, D))
    a = Embedding.from_arrays("toy_8", words, base, manifest=_manifest("toy_8", 1))
    b = Embedding.from_arrays(
        "toy_7", words, base + 0.1 * rng.standard_normal((N, D)), manifest=_manifest("toy_7", 1)
    )
    b2 = Embedding.from_arrays(
        "toy_7_s2", words, base @ np.linalg.qr(rng.standard_normal((D, D)))[0]
        + 1.5 * rng.standard_normal((N, D)), manifest=_manifest("toy_7_s2", 2),
    )  # fmt: skip
    return a, b, b2


def test_which_pairs_share_a_seed_and_who_is_the_partner() -> None:
    a, b, b2 = _models()
    assert shares_seed(a, b) and not shares_seed(a, b2)
    assert seed_partner_spec(b) == "toy_7_s2" and seed_partner_spec(b2) == "toy_7"
    file_model = Embedding.from_arrays("f", ["x", "y"], np.eye(2), manifest={"kind": "file"})
    assert not shares_seed(file_model, file_model) and seed_partner_spec(file_model) is None


def test_universality_prints_the_across_seed_figure_beside_the_same_seed_one() -> None:
    a, b, b2 = _models()
    pairs = [(f"w{i}", f"w{i + 1}") for i in range(0, 40, 2)]
    view = universality_view(a, b, top_n=None, pairs=pairs, across_seeds=b2)
    direct = universality_view(a, b2, top_n=None, pairs=pairs)
    floor = view.seed_floor
    assert floor is not None and floor.partner == "toy_7_s2"
    assert floor.get(PAIR_JACCARD) == direct.mean_pair_jaccard
    assert view.mean_pair_jaccard is not None and direct.mean_pair_jaccard is not None
    assert view.mean_pair_jaccard > direct.mean_pair_jaccard  # the same seed flatters
    reading = view.readings()[1]
    assert (
        f"{view.mean_pair_jaccard:.3f} at the same seed, {direct.mean_pair_jaccard:.3f} "
        f"across seeds, chance {view.chance_jaccard:.3f}"
    ) in reading


def test_alignment_statistics_table_has_the_seed_floor_column() -> None:
    a, b, b2 = _models()
    view = alignment_view(a, b, top_n=None, repetitions=3, across_seeds=b2)
    direct = alignment_view(a, b2, top_n=None, repetitions=3)
    table = table_by_key(view.tables(), "statistics")
    assert plain(table.columns[2]) == "across seeds (vs toy_7_s2)"
    row = next(r for r in table.rows if r[0] == Stat.CKA)
    assert row[2] == direct.statistic(Stat.CKA).observed
    assert any("across seeds" in r and "toy_7_s2" in r for r in view.readings())


def test_the_headline_rests_on_the_across_seed_comparison() -> None:
    """Same seed: every ica axis shared; across seeds (noise as large as the signal, and
    a different mixing) fewer: the verdict and headline name the across-seed pair."""
    a, b, b2 = _models()
    view = where_universality_view(
        [a, b], bases=(BasisRequest.of("ica"),), store=BasisStore(), top_n=None,
        repetitions=200, stability_runs=0, seed_partner=lambda x, y: b2,
    )  # fmt: skip
    pair = view.pairs[0]
    assert pair.partner == "toy_7_s2" and pair.decisive() is pair.across_seeds
    head = view.readings()[0]
    assert head.startswith("toy_8 vs toy_7 (across seeds: toy_8 vs toy_7_s2): ")
    row = table_by_key(view.tables(), "bases").rows[0]
    assert plain(row[-1]).endswith("(across seeds)")
    assert plain(row[5]).endswith("(vs toy_7_s2)")


def test_the_explorer_finds_the_partner_among_its_open_models() -> None:
    from polyterm.views.seed_floor import loaded_partner

    a, b, b2 = _models()
    assert loaded_partner(a, b, [a, b, b2]) is b2
    assert loaded_partner(a, b, [a, b]) is None  # not open: no floor, no training here
    assert loaded_partner(a, b2, [a, b, b2]) is None  # different seeds: nothing to floor
