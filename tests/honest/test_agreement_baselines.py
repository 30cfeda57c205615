"""Agreement baselines that can fail (issue 18, item 2), against direct computations."""

from __future__ import annotations

import numpy as np

from polyterm.core.agreement_baselines import (
    expression_baselines,
    frequency_matched,
    neighbourhood_different_query,
    query_lists,
    row_jaccard,
)
from polyterm.core.embedding import unit_rows


def test_frequency_matched_rows_stay_near_and_differ() -> None:
    rng = np.random.default_rng(0)
    rows = np.array([0, 1, 5, 100, 999, 4000, 4999] * 50)
    other = frequency_matched(rows, 5000, rng)
    assert np.all(other != rows)
    assert np.all(np.abs(other - rows) <= np.maximum(10, rows // 10))
    assert other.min() >= 0 and other.max() < 5000


def test_query_lists_are_the_brute_force_top_k() -> None:
    rng = np.random.default_rng(1)
    u = unit_rows(rng.standard_normal((300, 6))).astype(np.float64)
    rows = np.array([[3, 7], [10, 200]])
    got = query_lists(u, rows, np.array([1.0, -1.0]), 5)
    for q, (x, y) in enumerate(rows):
        v = u[x] - u[y]
        scores = u @ (v / np.linalg.norm(v))
        scores[[x, y]] = -np.inf
        assert list(got[q]) == list(np.argsort(-scores, kind="stable")[:5])


def test_identical_models_do_not_beat_the_random_query_baseline() -> None:
    """Two identical models agree perfectly on every query: the chosen pairs are no
    better than any frequency-matched pair, and the baseline says so (z is not > 3)."""
    rng = np.random.default_rng(2)
    u = unit_rows(rng.standard_normal((500, 8))).astype(np.float64)
    pairs = np.array([[i, i + 50] for i in range(0, 40, 4)])
    res = expression_baselines(u, u, pairs, np.array([1.0, -1.0]), 10, repetitions=5)
    assert res.observed == 1.0
    assert res.random_queries.null_mean == 1.0
    assert res.random_queries.z is None or res.random_queries.z <= 3
    # a different query's list shares little with the query's own
    assert res.different_query.null_mean < 0.3
    assert res.different_query.z is not None and res.different_query.z > 3


def test_neighbourhood_different_query_against_a_direct_mean() -> None:
    rng = np.random.default_rng(3)
    na = np.array([rng.choice(200, 5, replace=False) for _ in range(200)])
    nb = na.copy()
    nb[:100] = [rng.choice(200, 5, replace=False) for _ in range(100)]
    res = neighbourhood_different_query(na, nb, repetitions=4, seed=7)
    assert res.observed == float(row_jaccard(na, nb).mean())
    check = np.random.default_rng(7)
    first = frequency_matched(np.arange(200), 200, check)
    assert res.null_values[0] == float(row_jaccard(na, nb[first]).mean())


def test_the_calculator_view_carries_each_pair_s_baselines() -> None:
    from polyterm.core.embedding import Embedding
    from polyterm.views.protocol import table_by_key
    from polyterm.views.query import expression_view

    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(400)]
    x = rng.standard_normal((400, 6))
    a = Embedding.from_arrays("A", words, x)
    b = Embedding.from_arrays("B", words, x + 0.05 * rng.standard_normal((400, 6)))
    view = expression_view([a, b], "w3 - w9", k=10)
    (pair,) = view.baselines
    assert (pair.a, pair.b, pair.n_words) == ("A", "B", 400)
    direct = expression_baselines(
        unit_rows(x), unit_rows(np.asarray(b.vectors, dtype=np.float64)), [[3, 9]], [1.0, -1.0], 10
    )
    assert abs(pair.jaccard - direct.observed) < 1e-9
    assert "random frequency-matched queries" in pair.text()
    assert table_by_key(view.tables(), "agreement-baselines").rows[0][2] == pair.jaccard
    assert expression_view([a], "w3 - w9").baselines == ()
