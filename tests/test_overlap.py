from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from polyterm.core.overlap import jaccard, rbo
from polyterm.core.side_by_side import shared_vocabulary_size, side_by_side
from polyterm.engine.models import ModelLibrary
from polyterm.views.query import expression_view


def test_jaccard() -> None:
    assert jaccard("abc", "bcd") == pytest.approx(2 / 4)
    assert jaccard([], []) == 1.0


def test_rbo_known_values() -> None:
    assert rbo(list("abcdefghij"), list("abcdefghij")) == pytest.approx(1.0)
    assert rbo(list("abc"), list("xyz")) == 0.0
    # A_1 = 0, A_2..A_4 = 1: (1-p)(p + p^2 + p^3) + p^4
    p = 0.9
    assert rbo(list("abcd"), list("bacd")) == pytest.approx((1 - p) * (p + p**2 + p**3) + p**4)
    # the same overlap ranks higher when it is at the top
    assert rbo(list("abxy"), list("abzw")) > rbo(list("xyab"), list("zwab"))


def test_side_by_side_pairs_and_recurring() -> None:
    sbs = side_by_side(
        {"m1": ["a", "b", "c"], "m2": ["b", "x", "a"], "m3": ["q"]},
        {"m1": ["a", "b", "c", "x"], "m2": ["a", "b", "x"], "m3": ["a", "q", "x"]},
    )
    assert [(p.a, p.b) for p in sbs.pairs] == [("m1", "m2"), ("m1", "m3"), ("m2", "m3")]
    assert sbs.pairs[0].jaccard == pytest.approx(2 / 4)
    assert sbs.pairs[0].shared == ("a", "b")
    assert dict(sbs.recurring) == {"a": ("m1", "m2"), "b": ("m1", "m2")}
    assert sbs.coverage is not None and sbs.coverage.shared_words == 2


def test_query_views_count_shared_words_once_per_model_set(
    lee_model: Embedding, library: ModelLibrary
) -> None:
    other = library.open("lee_20_s2")
    half = Embedding.from_arrays(
        "half", list(other.vocab)[:300], np.asarray(other.vectors)[:300]
    )
    for models in ([lee_model, other], [lee_model, half], [lee_model, other]):
        view = expression_view(models, "police")
        coverage = view.overlap.coverage
        assert coverage is not None
        assert coverage.shared_words == shared_vocabulary_size([m.vocab for m in models])
    kept = [  # lee_model is shared by the session: count the sets of this test only
        k for k in lee_model.memo
        if k[0] == "shared_vocabulary_size" and len(k) == 2 and k[1]() in (other, half)
    ]
    assert len(kept) == 2  # one count per set of models, reused by the third view
