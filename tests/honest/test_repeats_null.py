"""Nulls everywhere (issue 18, item 7): the repeats view beside its rotated-basis null."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.basis_statistics import top_k_distinct_share
from polyterm.core.embedding import Embedding
from polyterm.core.nulls import single_model_null
from polyterm.views.protocol import table_by_key
from polyterm.views.query import repeats_view


def test_repeats_null_is_the_rotated_basis_distinct_share() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 5))
    model = Embedding.from_arrays("M", [f"w{i}" for i in range(300)], x)
    view = repeats_view(model, k=10, repetitions=6, seed=3)
    direct = single_model_null(lambda m: top_k_distinct_share(m, 10), x, repetitions=6, seed=3)
    assert view.null_top is not None
    np.testing.assert_allclose(view.null_top.null_values, direct.null_values, atol=1e-6)
    assert "randomly rotated bases" in table_by_key(view.tables(), "top").caption


def test_a_basis_that_shapes_the_repeats_is_told_apart_from_one_that_does_not() -> None:
    """Planted: each axis has 10 words of its own far out (no repeats at all); a random
    rotation mixes them, so the same words recur across axes: the basis shapes them."""
    rng = np.random.default_rng(1)
    n, d = 1000, 20
    x = 0.1 * rng.standard_normal((n, d))
    for j in range(d):
        x[10 * j : 10 * j + 10, j] += 5.0
    model = Embedding.from_arrays("P", [f"w{i}" for i in range(n)], x)
    view = repeats_view(model, k=10, repetitions=10)
    assert view.top.distinct_share == 1.0
    assert view.null_top is not None and view.null_top.null_mean < 0.9
    assert "the basis itself shapes the repeats" in view.readings()[0]
    gauss = Embedding.from_arrays("G", [f"w{i}" for i in range(n)], rng.standard_normal((n, d)))
    plain = repeats_view(gauss, k=10, repetitions=10).readings()[0]
    assert "belong to the geometry" in plain


def test_the_null_can_be_skipped() -> None:
    model = Embedding.from_arrays("M", [f"w{i}" for i in range(50)], np.eye(50)[:, :4])
    assert repeats_view(model, k=5, repetitions=0).null_top is None
    with pytest.raises(Exception, match="k must be"):
        repeats_view(model, k=0)
