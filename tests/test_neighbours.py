"""Neighbour queries against a direct numpy computation and against gensim itself."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors

from polyterm.core.embedding import Embedding
from polyterm.core.expression import parse_expression
from polyterm.core.neighbours import (
    Convention,
    nearest_to_expression,
    nearest_to_vector,
    top_k_rows,
)
from polyterm.errors import UnknownWordError


def as_keyed(model: Embedding) -> KeyedVectors:
    kv = KeyedVectors(vector_size=model.dims)
    kv.add_vectors(list(model.vocab), np.asarray(model.vectors))
    return kv


def brute(model: Embedding, q: np.ndarray, k: int, exclude: set[int]) -> list[str]:
    v = np.asarray(model.vectors, dtype=np.float64)
    cos = v @ q / (np.linalg.norm(v, axis=1) * np.linalg.norm(q))
    order = sorted(range(len(cos)), key=lambda i: (-cos[i], i))
    return [model.vocab[i] for i in order if i not in exclude][:k]


@pytest.mark.parametrize("word", ["government", "money", "police", "world"])
def test_word_neighbours_match_gensim_and_numpy(lee_model: Embedding, word: str) -> None:
    found = nearest_to_expression(lee_model, parse_expression(word), 10)
    expected = as_keyed(lee_model).most_similar(word, topn=10)
    assert [n.word for n in found] == [w for w, _ in expected]
    np.testing.assert_allclose([n.cosine for n in found], [s for _, s in expected], atol=1e-5)
    row = lee_model.row(word)
    assert [n.word for n in found] == brute(
        lee_model, lee_model.vectors[row].astype(float), 10, {row}
    )


def test_difference_matches_gensim_most_similar(glove_slice: Embedding) -> None:
    found = nearest_to_expression(glove_slice, parse_expression("cat - car"), 10)
    expected = as_keyed(glove_slice).most_similar(positive=["cat"], negative=["car"], topn=10)
    assert [n.word for n in found] == [w for w, _ in expected]
    np.testing.assert_allclose([n.cosine for n in found], [s for _, s in expected], atol=1e-5)


def test_analogy_with_restrict_matches_gensim(glove_slice: Embedding) -> None:
    expr = parse_expression("king - man + woman")
    found = nearest_to_expression(glove_slice, expr, 5, restrict=10_000)
    expected = as_keyed(glove_slice).most_similar(
        positive=["king", "woman"], negative=["man"], topn=5, restrict_vocab=10_000
    )
    assert [n.word for n in found] == [w for w, _ in expected]
    assert found[0].word == "queen"


def test_raw_convention_is_sum_of_raw_vectors(glove_slice: Embedding) -> None:
    found = nearest_to_expression(
        glove_slice, parse_expression("cat - car"), 10, convention=Convention.RAW
    )
    q = glove_slice.vector("cat").astype(float) - glove_slice.vector("car").astype(float)
    exclude = {glove_slice.row("cat"), glove_slice.row("car")}
    assert [n.word for n in found] == brute(glove_slice, q, 10, exclude)
    normalised = nearest_to_expression(glove_slice, parse_expression("cat - car"), 10)
    assert [n.word for n in found] != [n.word for n in normalised]


def test_similar_by_vector_matches_gensim(lee_model: Embedding) -> None:
    rng = np.random.default_rng(3)
    v = rng.normal(size=lee_model.dims).astype(np.float32)
    found = nearest_to_vector(lee_model, v, 7)
    expected = as_keyed(lee_model).similar_by_vector(v, topn=7)
    assert [n.word for n in found] == [w for w, _ in expected]


def test_include_query_keeps_the_word_first(lee_model: Embedding) -> None:
    found = nearest_to_expression(lee_model, parse_expression("police"), 3, include_query=True)
    assert found[0].word == "police"
    assert found[0].cosine == pytest.approx(1.0, abs=1e-5)


def test_ties_are_broken_by_vocabulary_index() -> None:
    scores = np.array([0.5, 0.9, 0.9, 0.1, 0.9], dtype=np.float32)
    assert top_k_rows(scores, 3).tolist() == [1, 2, 4]
    assert top_k_rows(scores, 2, exclude=[1]).tolist() == [2, 4]
    assert top_k_rows(scores, 10).tolist() == [1, 2, 4, 0, 3]


def test_unknown_word_names_it_and_suggests(lee_model: Embedding) -> None:
    with pytest.raises(UnknownWordError) as err:
        nearest_to_expression(lee_model, parse_expression("governmnt - police"), 5)
    assert err.value.word == "governmnt"
    assert "government" in err.value.suggestions


@pytest.mark.parametrize("kind", ["normal", "ties", "ascending"])
def test_top_k_of_many_rows_equals_a_full_sort(kind: str) -> None:
    """Large arrays take the block-maxima threshold; it must select exactly what a stable
    full sort does, ties by lower row, excluded rows skipped."""
    rng = np.random.default_rng(5)
    n = 300_001  # not a multiple of the block size: the tail rows count too
    scores = rng.normal(size=n).astype(np.float32)
    if kind == "ties":
        scores = np.round(scores, 1)
    elif kind == "ascending":  # every block's maximum at its end, the best at the tail
        scores = np.linspace(0, 1, n, dtype=np.float32)
    exclude = [int(np.argmax(scores)), 7]
    got = top_k_rows(scores, 25, exclude=exclude)
    order = [r for r in np.lexsort((np.arange(n), -scores)) if r not in exclude][:25]
    assert got.tolist() == order
