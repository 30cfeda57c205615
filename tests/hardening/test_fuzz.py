"""Property-based tests: any input parses or raises polyterm's own error — nothing else, no hang.

Targets: the expression parser, model-spec parsing, the text and binary vector readers.
Each example runs under a wall-clock limit (hypothesis `deadline`), so a hang fails.
POLYTERM_FUZZ_EXAMPLES=5000 runs a longer search (default 300 per test).
"""

from __future__ import annotations

import gzip
import math
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from polyterm.core.expression import MAX_WEIGHT, parse_expression
from polyterm.engine.readers import read_vector_file
from polyterm.engine.specs import parse_spec
from polyterm.errors import ExpressionError, ModelFileError, SpecError

FUZZ = settings(
    max_examples=int(os.environ.get("POLYTERM_FUZZ_EXAMPLES", "300")),
    deadline=2000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OPERATORS = st.sampled_from(["+", "-", "*", " ", "  ", "\t", ".", "e", "1", "0.5", "2*", "-3"])
WORDISH = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="+*"), min_size=1, max_size=8
)
EXPRESSIONS = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(OPERATORS, WORDISH), max_size=12).map("".join),
)


@FUZZ
@given(EXPRESSIONS)
@example("- - cat")
@example("cat -")
@example("3*")
@example("9" * 400 + "*cat")
@example("1e308*cat - 1e308*cat")
@example("٣*cat")  # a non-ASCII digit
@example("\x1c cat")  # a control character str.isspace() accepts
def test_expression_parses_or_raises_expression_error(text: str) -> None:
    try:
        expr = parse_expression(text)
    except ExpressionError as exc:
        assert 0 <= exc.position <= len(text)
        assert "\n" not in str(exc)
        return
    assert expr.terms and all(t.word and t.word[0] not in "+-*" for t in expr.terms)
    assert all(math.isfinite(t.weight) and abs(t.weight) <= MAX_WEIGHT for t in expr.terms)
    assert any(t.weight != 0 for t in expr.terms)
    for t in expr.terms:
        assert not any(c.isspace() or c in "+*" for c in t.word)
    again = parse_expression(expr.canonical())  # the canonical form parses back the same
    assert again.words == expr.words
    for a, b in zip(again.terms, expr.terms, strict=True):
        assert math.isclose(a.weight, b.weight, rel_tol=1e-5)


@FUZZ
@given(st.text(max_size=40), st.booleans())
@example("~no_such_user_xyz/v.bin", False)
@example("a\x00b.bin", False)
@example("gensim:../x", False)
@example("lee_5:path=", False)
@example("x_99999999999999999999999", False)
def test_any_model_name_gives_a_spec_or_a_spec_error(text: str, trusted: bool) -> None:
    try:
        parse_spec(text, trusted=trusted)
    except SpecError as exc:
        assert "\n" not in str(exc).strip()


# -- vector readers ---------------------------------------------------------------------------
TEXT_LINES = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.lists(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True, width=32).map(str),
                st.sampled_from(["nan", "-inf", "1e999", "0", "x", "", "1,5"]),
            ),
            max_size=5,
        ).map(lambda vals: "w " + " ".join(vals)),
        st.sampled_from(["3 2", "0 0", "2 -1", "1 99999999"]),
    ),
    max_size=8,
)


def _read(path: Path, data: bytes, limit: int | None = None) -> None:
    path.write_bytes(data)
    try:
        loaded = read_vector_file(path, limit=limit)
    except ModelFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert len(loaded.words) == loaded.vectors.shape[0] > 0
    assert np.isfinite(loaded.vectors).all()
    assert np.any(loaded.vectors != 0, axis=1).all()
    assert len(set(loaded.words)) == len(loaded.words)
    assert all(w and "\n" not in w for w in loaded.words)


@FUZZ
@given(TEXT_LINES, st.sampled_from(["\n", "\r\n"]), st.sampled_from([None, 1, 3]))
def test_text_reader_reads_or_raises_model_file_error(
    tmp_path: Path, lines: list[str], eol: str, limit: int | None
) -> None:
    _read(tmp_path / "v.txt", eol.join(lines).encode("utf-8", "surrogatepass"), limit)


@FUZZ
@given(st.binary(max_size=300))
def test_text_reader_on_random_bytes(tmp_path: Path, data: bytes) -> None:
    _read(tmp_path / "v.vec", data)


@st.composite
def binary_files(draw: st.DrawFn) -> bytes:
    """word2vec binary, well-formed or not: header, words, vectors, then damage."""
    n = draw(st.integers(0, 6))
    d = draw(st.integers(1, 5))
    header_n = draw(st.one_of(st.just(n), st.integers(0, 10**12)))
    header_d = draw(st.one_of(st.just(d), st.integers(0, 10**9)))
    out = bytearray(f"{header_n} {header_d}\n".encode())
    for _ in range(n):
        word = draw(st.binary(min_size=0, max_size=6).filter(lambda b: b" " not in b))
        values = draw(st.lists(st.floats(width=32, allow_nan=True), min_size=d, max_size=d))
        out += word + b" " + struct.pack(f"<{d}f", *values) + draw(st.sampled_from([b"", b"\n"]))
    cut = draw(st.integers(0, len(out)))
    return bytes(out[:cut]) if draw(st.booleans()) else bytes(out)


@FUZZ
@given(binary_files(), st.sampled_from([None, 2]))
def test_binary_reader_reads_or_raises_model_file_error(
    tmp_path: Path, data: bytes, limit: int | None
) -> None:
    _read(tmp_path / "v.bin", data, limit)


@FUZZ
@given(binary_files(), st.booleans())
def test_gzip_readers_read_or_raise_model_file_error(
    tmp_path: Path, data: bytes, truncate: bool
) -> None:
    blob = gzip.compress(data)
    _read(tmp_path / "v.bin.gz", blob[: len(blob) // 2] if truncate else blob)


@pytest.mark.parametrize("suffix", [".bin", ".txt", ".txt.gz", ".bin.gz", ".vec"])
def test_a_huge_random_file_is_an_error_not_a_crash(tmp_path: Path, suffix: str) -> None:
    rng = np.random.default_rng(7)
    _read(tmp_path / f"big{suffix}", b"9999999 300\n" + rng.bytes(200_000))
