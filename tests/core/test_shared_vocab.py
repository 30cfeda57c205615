"""Tests for polyterm.core.shared_vocab."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.shared_vocab import shared_vocabulary


def _slow_shared(
    word_lists: list[list[str]], casefold: bool, top_n: int | None
) -> tuple[list[str], list[list[int]]]:
    def key(w: str) -> str:
        return w.casefold() if casefold else w

    keyed = [[key(w) for w in wl] for wl in word_lists]
    words: list[str] = []
    for w in keyed[0]:
        if w in words:
            continue
        if all(w in other for other in keyed[1:]):
            words.append(w)
    if top_n is not None:
        words = words[:top_n]
    # list.index finds the first (most frequent) row
    return words, [[kl.index(w) for w in words] for kl in keyed]


def test_known_answer_three_models() -> None:
    sv = shared_vocabulary(
        [["the", "cat", "dog", "a"], ["dog", "the", "x"], ["a", "the", "dog", "cat"]]
    )
    assert sv.words == ("the", "dog")
    assert [i.tolist() for i in sv.indices] == [[0, 2], [1, 0], [1, 2]]
    assert sv.sizes == (4, 3, 4)
    assert sv.coverage == pytest.approx((0.5, 2 / 3, 0.5))
    assert sv.total_shared == 2
    assert len(sv) == 2
    assert all(i.dtype == np.int64 for i in sv.indices)


def test_casefold_first_occurrence_wins() -> None:
    lists = [["The", "the", "Cat", "cat"], ["THE", "cat", "Cat"]]
    sv = shared_vocabulary(lists, casefold=True)
    assert sv.words == ("the", "cat")
    assert [i.tolist() for i in sv.indices] == [[0, 2], [0, 1]]
    assert sv.coverage == pytest.approx((2 / 4, 2 / 3))
    exact = shared_vocabulary(lists)
    assert exact.words == ("Cat", "cat")
    assert [i.tolist() for i in exact.indices] == [[2, 3], [2, 1]]
    none = shared_vocabulary([["The"], ["THE", "the"]])
    assert none.words == ()
    assert none.coverage == (0.0, 0.0)
    assert [i.tolist() for i in none.indices] == [[], []]


def test_duplicates_without_casefold_use_first_row() -> None:
    sv = shared_vocabulary([["a", "b", "a"], ["b", "b", "a"]])
    assert sv.words == ("a", "b")
    assert [i.tolist() for i in sv.indices] == [[0, 1], [2, 0]]


def test_top_n_keeps_first_shared_and_coverage_uses_all() -> None:
    lists = [["w0", "w1", "w2", "w3", "w4"], ["w4", "w3", "w2", "w1", "w0"]]
    sv = shared_vocabulary(lists, top_n=2)
    assert sv.words == ("w0", "w1")
    assert [i.tolist() for i in sv.indices] == [[0, 1], [4, 3]]
    assert sv.total_shared == 5
    assert sv.coverage == (1.0, 1.0)
    assert shared_vocabulary(lists, top_n=0).words == ()
    assert shared_vocabulary(lists, top_n=99).words == tuple(lists[0])


def test_single_model_and_empty_model() -> None:
    assert shared_vocabulary([["x", "y"]]).words == ("x", "y")
    sv = shared_vocabulary([["x"], []])
    assert sv.words == ()
    assert sv.coverage == (0.0, 0.0)
    assert sv.sizes == (1, 0)


@pytest.mark.parametrize("casefold", [False, True])
@pytest.mark.parametrize("top_n", [None, 3])
def test_matches_slow_implementation(casefold: bool, top_n: int | None) -> None:
    rng = np.random.default_rng(7)
    alphabet = ["a", "A", "b", "B", "c", "d", "D", "e", "f", "F", "g", "h"]
    for _ in range(30):
        lists = [
            [str(w) for w in rng.choice(alphabet, size=int(rng.integers(0, 10)))]
            for _ in range(int(rng.integers(1, 4)))
        ]
        sv = shared_vocabulary(lists, casefold=casefold, top_n=top_n)
        words, indices = _slow_shared(lists, casefold, top_n)
        assert list(sv.words) == words
        assert [i.tolist() for i in sv.indices] == indices
        for m, wl in enumerate(lists):
            for w, row in zip(sv.words, sv.indices[m], strict=True):
                assert (wl[row].casefold() if casefold else wl[row]) == w


def test_errors_and_read_only() -> None:
    with pytest.raises(ValueError):
        shared_vocabulary([])
    with pytest.raises(ValueError):
        shared_vocabulary([["a"]], top_n=-1)
    with pytest.raises(TypeError):
        shared_vocabulary(["ab", "cd"])
    sv = shared_vocabulary([["a", "b"], ["b", "a"]], top_n=1)
    assert list(sv.words) == ["a"]
    assert [list(i) for i in sv.indices] == [[0], [1]]
    assert list(sv.coverage) == [1.0, 1.0] and list(sv.sizes) == [2, 2]
    assert sv.total_shared == 2
    with pytest.raises(ValueError):
        sv.indices[0][0] = 5  # read-only
