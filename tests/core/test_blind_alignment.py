"""Known answers of blind alignment (polyterm.core.blind_alignment).

Planted problems: a model against a rotated copy of itself (exactly isometric: every word
must be recovered), against an unrelated random model (chance), the null (B shuffled
before hiding: chance), the supervised ceiling against a direct scipy computation, and the
invariance of the result to the order of A's rows.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy.linalg import orthogonal_procrustes
from scipy.stats import ortho_group

from polyterm.core import blind_alignment as ba

FAST = ba.BlindConfig(starts=("sorted",))


def structured(n: int, d: int, seed: int) -> np.ndarray:
    """Clustered points with an uneven spectrum (like word vectors: some directions
    carry more variance), so the geometry has a shape to recover."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((12, d)) * 2.0
    labels = rng.integers(0, 12, n)
    scale = np.linspace(2.0, 0.5, d)
    out: np.ndarray = (centres[labels] + rng.standard_normal((n, d))) * scale
    return out


def noisy_copy(x: np.ndarray, noise: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q = ortho_group.rvs(x.shape[1], random_state=seed)
    out: np.ndarray = x @ q + noise * rng.standard_normal(x.shape) * x.std()
    return out


def test_rotated_copy_is_recovered_exactly() -> None:
    x = structured(800, 20, 0)
    result = ba.blind_align(x, noisy_copy(x, 0.0, 1), seed=3, cfg=FAST)
    assert result.chosen == "sorted"
    assert result.score is not None
    assert result.score.at1 == 1.0
    assert result.score.one_to_one == 1.0  # n <= 5,000: the assignment is on
    # the hidden truth is a real permutation, not the identity
    assert not np.array_equal(result.truth, np.arange(800))
    assert np.array_equal(np.sort(result.truth), np.arange(800))


def test_row_permuted_copy_through_the_view_is_recovered() -> None:
    from polyterm.core.embedding import Embedding
    from polyterm.views.blind import blind_view

    x = structured(400, 16, 2)
    words = [f"w{i}" for i in range(400)]
    perm = np.random.default_rng(5).permutation(400)
    a = Embedding.from_arrays("a", words, x)
    b = Embedding.from_arrays("b", [words[i] for i in perm], noisy_copy(x, 0.0, 3)[perm])
    view = blind_view(a, b, words=400, method="sorted", anchors=(0, 10), seed=1)
    assert view.answer == 1.0 and view.ceiling == 1.0
    assert view.null is not None and view.null <= view.chance_bound
    assert [p.anchors for p in view.anchors] == [0, 10]
    assert all(p.word == p.mapped_to for p in view.confident)
    assert view.wrong == ()


def test_unrelated_model_scores_at_chance() -> None:
    x = structured(1000, 20, 4)
    y = structured(1000, 20, 5)
    result = ba.blind_align(x, y, seed=0, cfg=FAST)
    assert result.score is not None
    bound = ba.binomial_bound(1000, 1 / 1000)  # p + 4 sd: 0.5%
    assert result.score.at1 <= bound
    assert result.score.best <= bound


def test_null_scores_at_chance_where_the_real_pair_is_recovered() -> None:
    x = structured(800, 20, 6)
    b = noisy_copy(x, 0.05, 7)
    real = ba.blind_align(x, b, seed=0, cfg=FAST)
    null = ba.blind_align(x, ba.shuffled_null(b, 0), seed=1, cfg=FAST)
    assert real.score is not None and null.score is not None
    assert real.score.at1 > 0.9
    assert null.score.at1 <= ba.binomial_bound(800, 1 / 800)


def test_ceiling_equals_direct_procrustes_and_csls() -> None:
    x = structured(600, 12, 8)
    b = noisy_copy(x, 0.6, 9)  # noisy enough that the ceiling is below 1
    ceiling = ba.supervised_ceiling(x, b)

    def prep(m: np.ndarray) -> np.ndarray:
        m = m / np.linalg.norm(m, axis=1, keepdims=True)
        m = m - m.mean(axis=0)
        out: np.ndarray = m / np.linalg.norm(m, axis=1, keepdims=True)
        return out

    p, q = prep(x), prep(b)
    r, _ = orthogonal_procrustes(p, q)
    sims = (p @ r) @ q.T
    k = 10
    r_p = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
    r_q = np.sort(sims, axis=0)[-k:, :].mean(axis=0)
    csls = 2 * sims - r_p[:, None] - r_q[None, :]
    direct_at1 = float(np.mean(np.argmax(csls, axis=1) == np.arange(600)))
    true_v = csls[np.arange(600), np.arange(600)]
    direct_at10 = float(np.mean((csls > true_v[:, None]).sum(axis=1) < 10))
    assert 0.2 < direct_at1 < 0.99
    assert abs(ceiling.at1 - direct_at1) <= 2 / 600  # float32 ties at most
    assert abs(ceiling.at10 - direct_at10) <= 2 / 600


def test_order_of_a_rows_changes_nothing_beyond_the_seed() -> None:
    x = structured(800, 20, 10)
    b = noisy_copy(x, 0.3, 11)
    base = ba.blind_align(x, b, seed=0, cfg=FAST)
    perm = np.random.default_rng(12).permutation(800)
    shuffled = ba.blind_align(x[perm], b[perm], seed=0, cfg=FAST)
    other_seed = ba.blind_align(x, b, seed=1, cfg=FAST)
    assert base.score and shuffled.score and other_seed.score
    assert base.score.at1 > 0.5
    spread = abs(base.score.at1 - other_seed.score.at1)
    assert abs(base.score.at1 - shuffled.score.at1) <= max(spread, 0.0) + 0.02


def test_anchors_reach_the_ceiling() -> None:
    x = structured(600, 16, 13)
    b = noisy_copy(x, 0.3, 14)
    ceiling = ba.supervised_ceiling(x, b)
    told = ba.anchored(x, b, 100, seed=0)
    assert told.at1 >= ceiling.at1 - 0.03


def test_gw_start_without_pot_is_skipped_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ot", None)  # import ot → ImportError
    x = structured(300, 10, 15)
    cfg = ba.BlindConfig(starts=("gw", "sorted"))
    result = ba.blind_align(x, noisy_copy(x, 0.0, 16), seed=0, cfg=cfg)
    gw = next(r for r in result.runs if r.name == "gw")
    assert gw.status == "skipped" and "POT" in gw.reason
    assert result.chosen == "sorted"


def test_gw_start_with_pot_runs() -> None:
    pytest.importorskip("ot")
    x = structured(300, 10, 17)
    cfg = ba.BlindConfig(starts=("gw",), gw_words=150, gw_iterations=20)
    result = ba.blind_align(x, noisy_copy(x, 0.0, 18), seed=0, cfg=cfg)
    (gw,) = result.runs
    assert gw.status in ("ok", "collapsed") and gw.learning is not None
    if gw.status == "collapsed":
        assert "random rotation" in gw.reason


@pytest.mark.parametrize(
    ("a", "b", "pattern"),
    [
        (np.ones((50, 5)), np.ones((50, 5)), "at least 100"),
        (np.random.default_rng(0).standard_normal((200, 2)),
         np.random.default_rng(1).standard_normal((200, 5)), "2 dimensions"),
        (np.vstack([np.zeros((1, 5)), np.random.default_rng(0).standard_normal((199, 5))]),
         np.random.default_rng(1).standard_normal((200, 5)), "all-zero"),
        (np.vstack([np.ones((2, 5)), np.random.default_rng(0).standard_normal((198, 5))]),
         np.random.default_rng(1).standard_normal((200, 5)), "duplicate"),
    ],
)  # fmt: skip
def test_degenerate_input_is_refused(a: np.ndarray, b: np.ndarray, pattern: str) -> None:
    with pytest.raises(ba.BlindInputError, match=pattern):
        ba.blind_align(a, b)


def test_a_start_that_falls_behind_an_earlier_one_is_stopped() -> None:
    x = structured(400, 12, 19)
    z = noisy_copy(x, 0.0, 20)
    rng = np.random.default_rng(0)
    order = np.arange(400, dtype=np.int64)
    start = ba.Dictionary(order[:50], rng.permutation(400)[:50].astype(np.int64))
    cfg = ba.BlindConfig()
    ahead = {(0.1, 400): 10.0}  # an earlier run far ahead at the first stage
    learning = ba.self_learn(x, z, start, order, order, rng, cfg, race=ahead)
    assert learning.stopped.startswith("stopped after 3 rounds")
    assert len(learning.rounds) == cfg.max_rounds_per_stage
    free = ba.self_learn(x, z, start, order, order, rng, cfg)
    assert free.stopped == "" and len(free.rounds) > len(learning.rounds)
    assert set(free.stage_ends) >= {(0.1, 400), (0.2, 400)}
