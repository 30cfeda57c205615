"""One registry of vector-file suffixes (issue 11, types instead of strings): the reader,
the spec parser and the Load form agree on every suffix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from polyterm.engine.formats import (
    SUFFIXES,
    VectorFormat,
    format_of,
    suffix_of,
    without_suffix,
)
from polyterm.engine.readers import read_vector_file
from polyterm.engine.specs import FileSpec, looks_like_path
from polyterm.errors import ModelFileError
from polyterm.screens.load import check_load


def test_longest_suffix_wins_and_case_does_not_matter() -> None:
    found = suffix_of("GoogleNews.BIN.GZ")
    assert found is not None and found.suffix == ".bin.gz" and found.compressed
    assert format_of("x.gz") is VectorFormat.SNIFFED
    assert format_of("notes.md") is None
    assert without_suffix("glove.6B.50d.txt") == "glove.6B.50d"


@pytest.mark.parametrize("entry", SUFFIXES, ids=lambda e: e.suffix)
def test_every_suffix_is_a_path_a_name_and_a_loadable_file(entry, tmp_path: Path) -> None:
    name = f"vectors{entry.suffix}"
    assert looks_like_path(name)
    assert FileSpec(str(tmp_path / name)).name == "vectors"
    path = tmp_path / name
    path.write_bytes(b"1 1\nx 1\n")
    request, errors = check_load(str(path), "", True)
    assert request is not None, errors
    untrusted = check_load(str(path), "", False)[1]
    assert ("trust" in untrusted) == entry.format.is_pickle


def test_the_reader_refuses_an_untrusted_pickle_of_any_registered_suffix(tmp_path: Path) -> None:
    for entry in (e for e in SUFFIXES if e.format.is_pickle):
        path = tmp_path / f"evil{entry.suffix}"
        path.write_bytes(b"\x80\x04K\x01.")
        with pytest.raises(ModelFileError, match="pickle"):
            read_vector_file(path)


def test_a_binary_suffix_reads_word2vec_binary(tmp_path: Path) -> None:
    path = tmp_path / "tiny.w2v"
    values = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    path.write_bytes(
        b"2 2\n" + b"cat " + values[0].tobytes() + b"\n" + b"dog " + values[1].tobytes() + b"\n"
    )
    loaded = read_vector_file(path)
    assert list(loaded.words) == ["cat", "dog"]
