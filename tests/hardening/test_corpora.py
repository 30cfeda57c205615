"""Corpora at the engine level: decoding, binary files, damaged NLTK data and token caches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from polyterm.engine.corpus import decode_text, load_corpus
from polyterm.engine.progress import Progress
from polyterm.errors import CorpusError


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("café déjà".encode(), "café déjà"),
        ("café déjà".encode("utf-8-sig"), "café déjà"),
        ("über".encode("utf-16"), "über"),
        ("über".encode("utf-32"), "über"),
        ("café".encode("latin-1"), "café"),
        ("“quoted” – dash".encode("cp1252"), "“quoted” – dash"),
        (b"plain words " * 50 + b"\0", None),  # one NUL: binary
        (bytes(range(1, 9)) * 100, None),  # mostly control characters
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None),
        (b"", ""),
        (b"tabs\tand\r\nwindows\r\nlines\x0c", "tabs\tand\r\nwindows\r\nlines\x0c"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf32-bom", "latin1", "cp1252", "one-nul",
         "controls", "png", "empty", "whitespace-controls"],
)  # fmt: skip
def test_decode_text(data: bytes, text: str | None) -> None:
    assert decode_text(data) == text


def test_skipped_binary_files_are_reported(tmp_path: Path, corpora: Path) -> None:
    seen: list[Progress] = []
    sentences, info = load_corpus(
        "junk", tmp_path, path=str(corpora / "junk"), progress=seen.append
    )
    notes = [p.message for p in seen if "skipped" in p.message]
    assert notes == ["skipped 2 binary file(s): controls.dat, random.bin"]
    assert info.sentences == len(sentences) > 0


def test_a_damaged_token_cache_is_rebuilt(tmp_path: Path, corpora: Path) -> None:
    path = str(corpora / "mini.txt")
    first, _ = load_corpus("mini", tmp_path, path=path)
    for meta in (tmp_path / "corpora").glob("*.json"):
        meta.write_text(json.dumps([1, 2, 3]))
    for tokens in (tmp_path / "corpora").glob("*.txt"):
        tokens.write_text("garbage")
    again, _ = load_corpus("mini", tmp_path, path=path)
    assert again == first


def test_a_damaged_nltk_corpus_is_a_corpus_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nltk

    (tmp_path / "corpora").mkdir()
    (tmp_path / "corpora" / "genesis.zip").write_bytes(b"PK\x03\x04 this is not a zip file")
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    with pytest.raises(CorpusError, match=r"could not read the NLTK corpus 'genesis'.*damaged"):
        load_corpus("genesis", tmp_path / "cache")


def test_cancel_while_reading_a_corpus_is_not_reported_as_damage(tmp_path: Path) -> None:
    import threading

    from polyterm.engine.corpus import nltk_corpus_root
    from polyterm.errors import Cancelled

    if nltk_corpus_root("inaugural") is None:
        pytest.skip("the NLTK inaugural corpus is not installed (set NLTK_DATA)")
    event = threading.Event()
    event.set()
    with pytest.raises(Cancelled):
        load_corpus("inaugural", tmp_path, cancel=event)


def test_a_huge_binary_file_in_a_corpus_folder_is_skipped_from_its_first_bytes(
    tmp_path: Path,
) -> None:
    """A 2 GB file (sparse: no disk used) is judged from its first bytes, never read whole."""
    import tracemalloc

    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("the cat sat on the mat.\n" * 20)
    with (folder / "disk.img").open("wb") as fh:
        fh.truncate(2 << 30)
    seen: list[Progress] = []
    tracemalloc.start()
    try:
        sentences, _ = load_corpus(
            "folder", tmp_path / "cache", path=str(folder), progress=seen.append
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sentences[0] == ["the", "cat", "sat", "on", "the", "mat"]
    assert [p.message for p in seen if "skipped" in p.message] == [
        "skipped 1 binary file(s): disk.img"
    ]
    assert peak < 64 << 20


def test_running_out_of_memory_on_a_corpus_file_is_a_corpus_error(
    tmp_path: Path, corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polyterm.engine.corpus as corpus

    def no_memory(text: str) -> list[list[str]]:
        raise MemoryError

    monkeypatch.setattr(corpus, "split_text", no_memory)
    with pytest.raises(CorpusError, match=r"not enough memory to read the corpus file .*mini\.txt"):
        load_corpus("mini", tmp_path, path=str(corpora / "mini.txt"))


def test_running_out_of_memory_in_the_cli_is_one_error_line(
    tmp_path: Path, corpora: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    import polyterm.engine.corpus as corpus

    def no_memory(text: str) -> list[list[str]]:
        raise MemoryError

    monkeypatch.setattr(corpus, "split_text", no_memory)
    run = cli("train", f"mini_5:path={corpora / 'mini.txt'}", "--cache-dir", tmp_path / "c")
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert any("not enough memory to read the corpus file" in line for line in run.error_lines())
