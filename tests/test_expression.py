from __future__ import annotations

import pytest

from polyterm.core.expression import Term, parse_expression
from polyterm.errors import ExpressionError


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("cat - car", [("cat", 1.0), ("car", -1.0)]),
        ("king - man + woman", [("king", 1), ("man", -1), ("woman", 1)]),
        ("0.5*cat + dog", [("cat", 0.5), ("dog", 1)]),
        ("2 * cat -0.5*dog", [("cat", 2), ("dog", -0.5)]),
        ("-cat", [("cat", -1)]),
        ("well-known - known", [("well-known", 1), ("known", -1)]),
        ("1960s", [("1960s", 1)]),
        ("  Café  ", [("Café", 1)]),
        ("cat-car", [("cat-car", 1)]),
    ],
)
def test_parses(text: str, terms: list[tuple[str, float]]) -> None:
    assert parse_expression(text).terms == tuple(Term(w, float(x)) for w, x in terms)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("cat -", 5, "after the operator"),
        ("- - cat", 2, "expected a word"),
        ("3*", 2, "after the weight"),
        ("cat dog", 4, "'+' or '-'"),
        ("cat + * dog", 6, "expected a word"),
        ("0*cat", 0, "zero"),
    ],
)
def test_errors_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as err:
        parse_expression(text)
    assert err.value.position == position
    assert fragment in str(err.value)


def test_canonical_form() -> None:
    assert parse_expression("king-man").canonical() == "king-man"
    assert parse_expression("king -man+ 0.5*woman").canonical() == "king - man + 0.5*woman"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("300,100,30", [300, 100, 30]),
        ("30-27", [30, 29, 28, 27]),
        ("2-4, 10", [2, 3, 4, 10]),
        ("-1", [-1]),
    ],
)
def test_int_lists(text: str, numbers: list[int]) -> None:
    from polyterm.engine.specs import parse_int_list

    assert parse_int_list(text) == numbers


@pytest.mark.parametrize("text", ["", ",", "a,b", "1-x", "1-100000"])
def test_bad_int_lists(text: str) -> None:
    from polyterm.engine.specs import parse_int_list
    from polyterm.errors import SpecError

    with pytest.raises(SpecError):
        parse_int_list(text)
