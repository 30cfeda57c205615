"""Vector files that are too big, too wide or oddly worded (issue 10, items 4, 11, 18, 21).

- `limit` bounds reading: a gzip bomb or a huge file read with limit 1 costs a few MB;
- a file with more dimensions than `max_dims` is refused from its header or first row;
- every error about a line names the real, 1-based line of the file;
- a row whose word has spaces (GloVe 840B) keeps its last `d` fields as the vector.
"""

from __future__ import annotations

import gzip
import inspect
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from polyterm.engine import readers
from polyterm.engine.readers import (
    DEFAULT_MAX_DIMS,
    LoadedVectors,
    read_binary_vectors,
    read_text_vectors,
    read_vector_file,
)
from polyterm.errors import ModelFileError
from tests.hardening.conftest import w2v_binary

MB = 1 << 20


@pytest.fixture
def peak_bytes() -> Iterator[Callable[[], int]]:
    """Peak bytes allocated by Python and numpy since the test started."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _rows(n: int, dims: int = 3) -> list[str]:
    return [f"w{i} " + " ".join(str(i % 7 + 1 + j) for j in range(dims)) for i in range(n)]


def _text(rows: list[str], header: str | None = None) -> str:
    return (f"{header}\n" if header else "") + "\n".join(rows) + "\n"


# -- item 4: --limit bounds reading --------------------------------------------------------


def test_limit_1_reads_a_few_mb_of_a_gzip_bomb(
    tmp_path: Path, peak_bytes: Callable[[], int]
) -> None:
    """120 MB of rows in a ~250 KB .gz: limit 1 must not decompress (or hold) them all."""
    path = tmp_path / "bomb.bin.gz"
    row = b"w " + np.ones(300, "<f4").tobytes() + b"\n"
    tracemalloc.stop()
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(b"100000 300\n")
        block = row * 1000
        for _ in range(100):
            fh.write(block)
    tracemalloc.start()
    loaded = read_vector_file(path, limit=1)
    assert loaded.words == ["w"] and loaded.vectors.shape == (1, 300)
    assert peak_bytes() < 32 * MB


def test_limit_1_reads_a_few_mb_of_a_huge_binary_file(
    tmp_path: Path, peak_bytes: Callable[[], int]
) -> None:
    """A 1.2 GB (sparse) file: the header and first row, then nothing more is read."""
    path = tmp_path / "huge.bin"
    good = w2v_binary(["cat"], np.ones((1, 300), np.float32))
    path.write_bytes(b"1000000 300\n" + good[len(b"1 300\n") :])
    with path.open("r+b") as fh:
        fh.truncate(1_000_000 * 1205)
    loaded = read_vector_file(path, limit=1)
    assert loaded.words == ["cat"]
    assert peak_bytes() < 32 * MB


def test_a_gz_header_promising_more_than_the_file_can_hold_is_refused_before_reading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "liar.bin.gz"
    path.write_bytes(gzip.compress(b"3000000 300\n" + b"w " + bytes(1200)))
    with pytest.raises(ModelFileError, match=r"promises 3,000,000 words .* at most \d+") as err:
        read_vector_file(path)
    assert "--limit" not in str(err.value)


def test_the_limit_is_never_advised_when_it_was_given(bad_files: Path) -> None:
    with pytest.raises(ModelFileError, match=r"truncated after 5 of 6 words") as err:
        read_vector_file(bad_files / "truncated.bin", limit=6)
    assert "--limit" not in str(err.value)
    with pytest.raises(ModelFileError, match=r"re-download the file or pass --limit 5"):
        read_vector_file(bad_files / "truncated.bin")


def test_out_of_memory_with_a_limit_does_not_advise_the_limit(
    bad_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(readers.np, "empty", no_memory)
    with pytest.raises(ModelFileError, match=r"not enough memory to load the first 3 words") as e:
        read_vector_file(bad_files / "good.bin", limit=3)
    assert "--limit" not in str(e.value)


def test_a_binary_word_without_end_is_refused_without_reading_on(
    tmp_path: Path, peak_bytes: Callable[[], int]
) -> None:
    path = tmp_path / "endless.bin.gz"
    tracemalloc.stop()
    with gzip.open(path, "wb") as fh:
        fh.write(b"10 3\n")
        for _ in range(50):
            fh.write(b"x" * MB)
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=r"word 1 is longer than"):
        read_vector_file(path)
    assert peak_bytes() < 32 * MB


def test_binary_rows_across_read_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows cut by the block boundaries read the same as in one block."""
    rng = np.random.default_rng(3)
    words = [f"w{i}" + "é" * (i % 5) for i in range(300)]
    v = rng.standard_normal((300, 7)).astype(np.float32)
    path = tmp_path / "v.bin"
    path.write_bytes(w2v_binary(words, v))
    whole = read_vector_file(path)
    monkeypatch.setattr(readers, "BLOCK_BYTES", 1)
    monkeypatch.setattr(readers, "MAX_WORD_BYTES", 16)
    cut = read_vector_file(path)
    assert cut.words == whole.words == words
    assert np.array_equal(cut.vectors, v) and np.array_equal(whole.vectors, v)
    assert read_vector_file(path, limit=17).words == words[:17]


# -- item 11: a bound on dimensions --------------------------------------------------------


def test_every_reader_takes_max_dims() -> None:
    assert DEFAULT_MAX_DIMS == 10_000
    for fn in (read_vector_file, read_text_vectors, read_binary_vectors):
        param = inspect.signature(fn).parameters["max_dims"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY
        assert param.default == DEFAULT_MAX_DIMS


def test_a_headerless_row_of_2m_dimensions_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_text("w " + "1 " * 2_000_000 + "\nx " + "1 " * 2_000_000 + "\n")
    with pytest.raises(
        ModelFileError,
        match=r"line 1 has 2000000 values, more than the bound of 10000 dimensions; "
        r"if the file is right, pass --max-dims N to raise it",
    ):
        read_vector_file(path)


@pytest.mark.parametrize("name", ["wide.txt", "wide.bin"])
def test_a_header_with_too_many_dimensions_is_refused_before_allocating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    def no_allocation(*args: object, **kwargs: object) -> None:
        raise AssertionError("allocated before checking the dimensions")

    path = tmp_path / name
    row = b"w " + (bytes(80_000) if name.endswith(".bin") else b"1 " * 20_000) + b"\n"
    path.write_bytes(b"2 20000\n" + row)
    monkeypatch.setattr(readers.np, "empty", no_allocation)
    monkeypatch.setattr(readers.np, "array", no_allocation)
    with pytest.raises(
        ModelFileError,
        match=r"header says 20000 dimensions, more than the bound of 10000 .*--max-dims N",
    ):
        read_vector_file(path)


def test_max_dims_raises_the_bound(tmp_path: Path) -> None:
    text = tmp_path / "wide.txt"
    text.write_text("w " + "1 " * 12_000 + "\nx " + "2 " * 12_000 + "\n")
    binary = tmp_path / "wide.bin"
    binary.write_bytes(w2v_binary(["a", "b"], np.ones((2, 12_000), np.float32)))
    for path in (text, binary):
        with pytest.raises(ModelFileError, match=r"12000 .*bound of 10000"):
            read_vector_file(path)
        assert read_vector_file(path, max_dims=12_000).vectors.shape == (2, 12_000)
        with pytest.raises(ModelFileError, match=r"bound of 11999 dimensions"):
            read_vector_file(path, max_dims=11_999)


def test_a_first_line_without_end_is_not_read_whole(
    tmp_path: Path, peak_bytes: Callable[[], int]
) -> None:
    """No line break for 40 MB of digits: refused after reading a bounded part of it."""
    path = tmp_path / "endless.txt.gz"
    tracemalloc.stop()
    with gzip.open(path, "wb") as fh:
        for _ in range(40):
            fh.write(b"7" * MB)
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=r"line 1 is longer than [\d,]+ characters"):
        read_vector_file(path)
    assert peak_bytes() < 32 * MB


# -- item 18: real line numbers ------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["v.txt", "v.txt.gz"])
@pytest.mark.parametrize(
    ("header", "blank_after", "bad_row"),
    [(None, None, 14_999), ("20000 3", None, 14_998), ("20000 3", 40, 14_997), (None, 40, 48)],
    ids=["glove", "word2vec", "word2vec-blank-line", "glove-early-row"],
)
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda r: r.replace(" 2 ", " 2x "), r"line 15000 has a value that is not a number"),
        (lambda r: r.rsplit(" ", 1)[0], r"line 15000 has 2 values, expected 3"),
    ],
    ids=["not-a-number", "short-row"],
)
def test_errors_name_the_real_line(
    tmp_path: Path,
    name: str,
    header: str | None,
    blank_after: int | None,
    bad_row: int,
    damage: Callable[[str], str],
    message: str,
) -> None:
    rows = [f"w{i} 1 2 {i % 5 + 3}" for i in range(20_000)]
    rows[bad_row] = damage(rows[bad_row])
    if blank_after is not None:
        rows.insert(blank_after, "")
    line = bad_row + 1 + (header is not None) + (blank_after is not None)
    path = _write(tmp_path / name, _text(rows, header))
    with pytest.raises(ModelFileError, match=message.replace("15000", str(line))):
        read_vector_file(path)


@pytest.mark.parametrize("name", ["v.txt", "v.txt.gz"])
def test_a_line_that_is_not_utf8_is_named(tmp_path: Path, name: str) -> None:
    rows = _rows(20_000)
    data = _text(rows).encode().replace(b"\nw14999 ", b"\nw\xe914999 ")
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(ModelFileError, match=r"line 15000 is not UTF-8 text$"):
        read_vector_file(path)


def test_a_binary_file_named_txt_is_still_told_to_be_named_bin(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_bytes(b"caf\xe9 1 2 3\n")
    with pytest.raises(ModelFileError, match=r"line 1 is not UTF-8 text; .* name it \.bin"):
        read_vector_file(path)


# -- item 21: words with spaces ------------------------------------------------------------


def _load(tmp_path: Path, text: str, name: str = "v.txt") -> LoadedVectors:
    return read_vector_file(_write(tmp_path / name, text))


@pytest.mark.parametrize("name", ["v.txt", "v.txt.gz"])
def test_a_word_with_spaces_in_a_word2vec_text_file(tmp_path: Path, name: str) -> None:
    text = _text(["the 1 2 3", ". . . 4 5 6", "at name@example.com 7 8 9", "cat 1 1 2"], "4 3")
    loaded = _load(tmp_path, text, name)
    assert loaded.words == ["the", ". . .", "at name@example.com", "cat"]
    assert loaded.vectors.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 2]]
    assert loaded.notes == [
        "read 2 rows whose word has spaces, first on line 3 "
        "(the last 3 fields of a row are its vector)"
    ]


def test_a_headerless_file_whose_first_word_has_spaces(tmp_path: Path) -> None:
    """GloVe 840B: the first row alone cannot tell its dimensions; the first rows can."""
    rows = ["at name@example.com 0.5 0.25 1", *_rows(30)]
    loaded = _load(tmp_path, _text(rows))
    assert loaded.words[0] == "at name@example.com" and loaded.vectors.shape == (31, 3)
    assert loaded.vectors[0].tolist() == [0.5, 0.25, 1]


def test_two_rows_the_first_with_a_spaced_word(tmp_path: Path) -> None:
    loaded = _load(tmp_path, "new york 1 2 3\nthe 4 5 6\n")
    assert loaded.words == ["new york", "the"]


def test_the_word_keeps_its_spaces_as_written(tmp_path: Path) -> None:
    loaded = _load(tmp_path, "3 2\na  b 1 2\n\u00a0x\u00a0y 3 4\nc 5 6\n")
    assert loaded.words == ["a  b", "\u00a0x\u00a0y", "c"]
    assert loaded.vectors.tolist() == [[1, 2], [3, 4], [5, 6]]


def test_spaced_words_past_the_limit_are_not_counted(tmp_path: Path) -> None:
    rows = _rows(150)
    rows[50] = "new york 1 2 3"
    rows[120] = "los angeles 1 2 3"
    path = _write(tmp_path / "v.txt", _text(rows))
    assert read_vector_file(path, limit=50).notes == []
    assert read_vector_file(path, limit=51).notes[0].startswith("read 1 rows")
    loaded = read_vector_file(path)
    assert loaded.words[50] == "new york" and loaded.words[120] == "los angeles"
    assert loaded.notes[0].startswith("read 2 rows whose word has spaces, first on line 51")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 1\nthe 1 2 3\ncat 1 2 3\ndog 1 2 3\n",
         r"line 2 has 3 values, expected 1 \(from the header\)"),
        ("the 1\ncat 1 2 3\ndog 1 2 3\n", r"line 2 has 3 values, expected 1 \(from line 1\)"),
        ("the 1 2 3\ncat 1 2\ndog 1 2 3\n", r"line 2 has 2 values, expected 3"),
    ],
    ids=["header-too-small", "first-row-too-short", "short-row"],
)  # fmt: skip
def test_rows_with_more_values_than_most_rows_are_not_words_with_spaces(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ModelFileError, match=message):
        _load(tmp_path, text)
