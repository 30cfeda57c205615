"""Word expressions: `cat - car`, `king - man + woman`, `0.5*cat + dog`.

Grammar (whitespace between tokens is optional unless a word would run on)::

    expression := [sign] term (sign term)*
    term       := [number ["*"]] (word | quoted)
    number     := digits ["." digits] [("e" | "E") ["+" | "-"] digits]    (at most 1e6)
    sign       := "+" | "-"
    quoted     := '"' (any character but '"' and '\\' | '\\"' | '\\\\')+ '"'

A word is a run of characters other than whitespace, ``+`` and ``*``; a ``-`` inside a
word (``well-known``) belongs to it, a ``-`` at the start of a token is the operator.
Weights multiply the term's sign: ``- 0.5*car`` has weight -0.5.

Any other word is written in double quotes: ``"c++" - java``, ``"-" + minus``, ``"new
york" - city``, ``2*"+"``; inside the quotes ``\\"`` is a quote and ``\\\\`` a backslash
(``"say \\"hi\\""``). :meth:`Expression.canonical` quotes exactly the words that need it,
so it parses back to the same terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from polyterm.errors import ExpressionError

_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
MAX_WEIGHT = 1e6
"""Weights above this (in size) are refused: they are typos, and they overflow float32."""
_WORD = re.compile(r"[^\s+*]+")


@dataclass(frozen=True, slots=True)
class Term:
    word: str
    weight: float


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: the original text and its weighted terms, in order."""

    text: str
    terms: tuple[Term, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.word for t in self.terms)

    def canonical(self) -> str:
        """The expression re-printed in a normal form: `cat - car`, `0.5*cat + dog`."""
        parts: list[str] = []
        for i, t in enumerate(self.terms):
            sign = "-" if t.weight < 0 else "+"
            mag = abs(t.weight)
            word = quote_word(t.word)
            body = word if mag == 1 else f"{mag:g}*{word}"
            if i == 0:
                parts.append(body if sign == "+" else f"-{body}")
            else:
                parts.append(f"{sign} {body}")
        return " ".join(parts)


def quote_word(word: str) -> str:
    """`word` as it must be written in an expression: bare when it parses back as itself,
    else in double quotes (``c++`` -> ``"c++"``)."""
    if word and _WORD.fullmatch(word) and word[0] not in '-"':
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quoted(text: str, pos: int) -> tuple[str, int]:
    """The word of the quoted term at ``text[pos] == '"'`` and the position after it."""
    out: list[str] = []
    p = pos + 1
    while p < len(text):
        c = text[p]
        if c == "\\" and p + 1 < len(text) and text[p + 1] in '"\\':
            out.append(text[p + 1])
            p += 2
        elif c == '"':
            if not out:
                raise ExpressionError("empty quotes: a quoted word needs a character", text, pos)
            return "".join(out), p + 1
        else:
            out.append(c)
            p += 1
    raise ExpressionError('this " has no closing "', text, pos)


def _weight(number: str, text: str, pos: int) -> float:
    value = float(number)
    if not value <= MAX_WEIGHT:  # also catches inf from a 400-digit number
        raise ExpressionError(
            f"the weight {number[:20]} is too large (at most {MAX_WEIGHT:,.0f})", text, pos
        )
    return value


def parse_expression(text: str) -> Expression:
    """Parse `text`; an ExpressionError names what was expected and where."""
    pos = 0
    n = len(text)
    terms: list[Term] = []

    def skip_space(p: int) -> int:
        while p < n and text[p].isspace():
            p += 1
        return p

    pos = skip_space(pos)
    if pos == n:
        raise ExpressionError("empty expression: type words such as 'cat - car'", text, 0)
    sign = 1.0
    first = True
    while True:
        pos = skip_space(pos)
        if not first or (pos < n and text[pos] in "+-"):
            if pos >= n:
                break
            if text[pos] not in "+-":
                raise ExpressionError("expected '+' or '-' between words", text, pos)
            sign = -1.0 if text[pos] == "-" else 1.0
            pos = skip_space(pos + 1)
        first = False
        if pos >= n:
            raise ExpressionError("expected a word after the operator", text, pos)
        weight = 1.0
        m = _NUMBER.match(text, pos)
        if m is not None:
            after = skip_space(m.end())
            if after < n and text[after] == "*":
                weight = _weight(m.group(), text, pos)
                pos = skip_space(after + 1)
            elif after < n and after == m.end() and not text[after].isspace():
                pass  # a word that starts with digits, such as 1960s
            elif after < n and text[after] not in "+-":
                weight = _weight(m.group(), text, pos)
                pos = after
        if pos >= n:
            raise ExpressionError("expected a word after the weight", text, pos)
        if text[pos] in "+-*":
            raise ExpressionError(
                f"expected a word, found {text[pos]!r} (a word such as {text[pos]!r} or c++ "
                'is written in quotes: "c++")',
                text,
                pos,
            )
        if text[pos] == '"':
            word, pos = _quoted(text, pos)
            if pos < n and not text[pos].isspace() and text[pos] not in "+-":
                raise ExpressionError("expected '+' or '-' after the quoted word", text, pos)
            terms.append(Term(word, sign * weight))
            sign = 1.0
            continue
        w = _WORD.match(text, pos)
        if w is None:  # pragma: no cover - _WORD matches any non-operator character
            raise ExpressionError("expected a word", text, pos)
        terms.append(Term(w.group(), sign * weight))
        pos = w.end()
        sign = 1.0
    if all(t.weight == 0 for t in terms):
        raise ExpressionError("every weight is zero", text, 0)
    return Expression(text=text, terms=tuple(terms))
