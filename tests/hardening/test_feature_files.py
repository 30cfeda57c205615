"""Hostile ``word<TAB>label`` files (issue 20 §1, `--features FILE`): every bad file is one
clear PolytermError line naming the file and, where there is one, the line; reading is
bounded; labels are text, never markup."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from polyterm.engine import feature_sources as fs
from polyterm.engine.feature_sources import load_feature_source, read_feature_file
from polyterm.errors import PolytermError


def _error(path: Path) -> str:
    with pytest.raises(PolytermError) as err:
        read_feature_file(path)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message
    return message


def _file(tmp_path: Path, data: bytes | str, name: str = "labels.tsv") -> Path:
    f = tmp_path / name
    if isinstance(data, str):
        f.write_text(data, encoding="utf-8", newline="")
    else:
        f.write_bytes(data)
    return f


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ("dog\tanimal\ncat animal\n", r"line 2 has no tab"),
        ("dog\tanimal\tpet\n", r"line 1 has more than one tab"),
        ("dog\tanimal\n\tanimal\n", r"line 2 has an empty word"),
        ("dog\tanimal\n  \tanimal\n", r"line 2 has an empty word"),
        ("dog\tanimal\n\ncat\t \n", r"line 3 has an empty label"),
        ("dog\tani\x1b[31mmal\n", r"line 1 holds a control character"),
        ("dog\tani\rmal\n", r"line 1 holds a control character"),
        ("dog\tanimal\ncat\t\u009b31mpet\n", r"line 2 holds a control character"),
        ("\n\n  \n", r"has no word<TAB>label lines"),
        ("just some words\n", r"line 1 has no tab"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, data: str, pattern: str) -> None:
    assert re.search(pattern, _error(_file(tmp_path, data)))


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    data = b"dog\tanimal\n" * 5000 + b"caf\xe9\tplace\n"
    assert "line 5001 is not UTF-8" in _error(_file(tmp_path, data))


def test_binary_data_is_refused_before_reading_it(tmp_path: Path) -> None:
    assert "looks binary" in _error(_file(tmp_path, b"\x00\x01\x02\x03" * 100 + b"dog\tx\n"))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert "looks binary" in _error(_file(tmp_path, png, "image.png"))


def test_a_nul_after_the_sniffed_head_is_still_caught(tmp_path: Path) -> None:
    data = b"dog\tanimal\n" * 2000 + b"cat\tani\x00mal\n"
    assert "line 2001 holds a control character" in _error(_file(tmp_path, data))


def test_an_empty_file_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    assert "is empty" in _error(_file(tmp_path, b""))
    assert "is a folder" in _error(tmp_path)
    assert "cannot read it" in _error(tmp_path / "missing.tsv")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.tsv"
    os.mkfifo(fifo)
    assert "not a regular file" in _error(fifo)


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    f = _file(tmp_path, "dog\tanimal\n")
    f.chmod(0)
    assert "permission denied" in _error(f)


def test_a_too_long_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    data = b"dog\tanimal\n" + b"x" * (fs.MAX_LINE_BYTES + 10) + b"\tlabel\n"
    assert f"line 2 is longer than {fs.MAX_LINE_BYTES:,} bytes" in _error(_file(tmp_path, data))


def test_too_many_lines_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fs, "MAX_FEATURE_LINES", 100)
    f = _file(tmp_path, "w\tl\n" * 101)
    assert "more than 100 lines" in _error(f)
    f.write_text("w\tl\n" * 100)
    assert read_feature_file(f).meta["lines"] == "100"


def test_a_too_large_file_is_refused_from_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fs, "MAX_FEATURE_FILE_BYTES", 1000)
    f = tmp_path / "big.tsv"
    with f.open("wb") as fh:
        fh.truncate(1001)  # sparse: nothing is written, nothing may be read
    assert "a label file may have" in _error(f)


def test_labels_are_text_never_markup(tmp_path: Path) -> None:
    data = "dog\t[bold red]animal[/]\ncat\t<script>x</script>\n*x*\t`code` | pipe\n"
    labels = read_feature_file(_file(tmp_path, data))
    assert labels.labels_of("dog") == {"[bold red]animal[/]"}
    assert labels.labels_of("cat") == {"<script>x</script>"}
    assert labels.labels_of("*x*") == {"`code` | pipe"}


def test_several_lines_per_word_bom_crlf_and_repeats(tmp_path: Path) -> None:
    data = "\ufeffdog\tanimal\r\ndog\tpet\r\n dog \t animal \r\ncafé\tplace\r\n"
    labels = read_feature_file(_file(tmp_path, data))
    assert labels.labels_of("dog") == {"animal", "pet"}
    assert labels.labels_of("café") == {"place"}
    assert labels.meta["pairs"] == "3" and labels.meta["words"] == "2"
    assert labels.source == "file:labels.tsv" and labels.senses is None


def test_through_load_feature_source(tmp_path: Path) -> None:
    bad = _file(tmp_path, "dog animal\n", "bad.tsv")
    with pytest.raises(PolytermError, match=r"bad\.tsv: line 1 has no tab"):
        load_feature_source(f"file:{bad}")
    with pytest.raises(PolytermError, match=r"cannot read it"):
        load_feature_source("file:/no/such/file\x00.tsv")
