"""The second pass of attacks on issue 10: variants that the first fixes missed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from polyterm.core.expression import parse_expression
from polyterm.core.neighbours import nearest_to_expression, query_vector
from polyterm.engine.atomic import write_text_atomic
from polyterm.engine.cache import ModelCache
from polyterm.errors import ZeroVectorError
from tests.hardening.conftest import Run

HUGE_PID = 99_999_999_999  # above 2**31: os.kill overflowed on it


def test_temp_names_with_impossible_pids_are_left_alone(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "c")
    odd = cache.root / "tmp" / f"{HUGE_PID}-{'0' * 32}"
    odd.mkdir()
    corpus_tmp = cache.root / "corpora" / f".lee.txt.{HUGE_PID}.abcd_123.tmp"
    corpus_tmp.write_text("x")
    ModelCache(cache.root)  # used to raise OverflowError
    assert odd.is_dir() and corpus_tmp.is_file()
    leftover = tmp_path / f".r.md.{HUGE_PID}.abcdefgh.tmp"
    leftover.write_text("x")
    write_text_atomic(tmp_path / "r.md", "# r\n")
    assert (tmp_path / "r.md").read_text() == "# r\n" and leftover.exists()


def test_cli_with_an_impossible_pid_in_the_cache_answers(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    root = tmp_path / "c"
    ModelCache(root)
    (root / "tmp" / f"{HUGE_PID}-{'0' * 32}").mkdir()
    run = cli("models", "--cache-dir", root)
    assert run.code == 0 and "Traceback" not in run.err and "internal error" not in run.err


def test_a_corpus_file_name_that_is_not_utf8_trains(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    folder = tmp_path / "K"
    folder.mkdir()
    text = "the cat sat on the mat. the dog sat on the log.\n" * 30
    (folder / "plain.txt").write_text(text)
    with open(os.path.join(os.fsencode(folder), b"\xff.txt"), "w") as fh:
        fh.write(text)
    run = cli(
        "train", f"k_4:path={folder},min_count=1,epochs=1", "--cache-dir", tmp_path / "c", "-q"
    )
    assert run.code == 0, run.err
    assert "internal error" not in run.err


# -- item 5: an expression that sums to a zero or denormal vector ----------------------------
@pytest.mark.parametrize(
    "text", ["government - government", "1e-300*government", "0.5*police - 0.5*police"]
)
def test_a_zero_vector_is_refused_in_core(lee_model: Embedding, text: str) -> None:
    with pytest.raises(ZeroVectorError, match="zero vector"):
        query_vector(lee_model, parse_expression(text))
    with pytest.raises(ZeroVectorError):
        nearest_to_expression(lee_model, parse_expression(text))


def test_a_nonzero_expression_keeps_its_direction(lee_model: Embedding) -> None:
    q = query_vector(lee_model, parse_expression("police - government"))
    a, b = (
        np.asarray(lee_model.unit[lee_model.row(w)], dtype=np.float64)
        for w in ("police", "government")
    )
    expected = (a - b) / np.linalg.norm(a - b)
    assert np.allclose(q, expected, atol=1e-6)
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-5


@pytest.mark.parametrize("text", ["government - government", "1e-300*government"])
def test_the_cli_refuses_a_zero_vector(cli: Callable[..., Run], lee: list[str], text: str) -> None:
    run = cli("diff", text, "--models", "lee_20", *lee)
    run.assert_clean_error(r"zero vector in lee_20")


# -- readers: a NUL in a text word, a signed header ----------------------------------------
def test_a_nul_in_a_text_word_does_not_make_the_file_binary(tmp_path: Path) -> None:
    from polyterm.engine.readers import read_vector_file

    path = tmp_path / "nul.txt"
    path.write_bytes(b"3 2\ncat 0.1 0.2\nn\0l 0.3 0.4\ndog 0.5 0.6\n")
    loaded = read_vector_file(path)
    assert list(loaded.words) == ["cat", "n\0l", "dog"]
    assert np.allclose(np.asarray(loaded.vectors), [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])


def test_a_real_binary_file_is_still_sniffed_as_binary(tmp_path: Path) -> None:
    from polyterm.engine.readers import read_vector_file
    from tests.hardening.conftest import WORDS, vectors, w2v_binary

    path = tmp_path / "named-text.txt"  # a binary file with a text suffix
    path.write_bytes(w2v_binary(WORDS, vectors()))
    loaded = read_vector_file(path)
    assert list(loaded.words) == WORDS
    assert np.allclose(np.asarray(loaded.vectors), vectors(), atol=1e-6)


def test_a_signed_header_is_an_error_not_a_one_dimensional_model(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    path = tmp_path / "neg.txt"
    path.write_text("-5 2\ncat 1 2\ndog 3 4\n")
    run = cli("neighbours", "cat", "--models", path, "--cache-dir", tmp_path / "c")
    run.assert_clean_error(r"looks like a header with a signed count")


# -- cache: a project folder holding models/ and tmp/, unlisted files, linked entries ---------
def test_a_project_with_models_and_tmp_folders_is_not_adopted(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    project = tmp_path / "P"
    (project / "models" / "mywork").mkdir(parents=True)
    (project / "models" / "mywork" / "w.bin").write_text("weights")
    (project / "tmp").mkdir()
    stale_named = project / "tmp" / f"12345678-{'e' * 32}"
    stale_named.mkdir()
    run = cli("models", "--cache-dir", project)
    run.assert_clean_error(r"is not a polyterm cache")
    assert sorted(p.name for p in project.iterdir()) == ["models", "tmp"]  # no tag, no corpora
    assert stale_named.is_dir() and (project / "models" / "mywork" / "w.bin").is_file()


def _entry(tmp_path: Path) -> tuple[ModelCache, Path]:
    from polyterm.engine.specs import parse_spec

    cache = ModelCache(tmp_path / "cache")
    entry = cache.write(
        parse_spec("lee_3"), ["a", "b", "c"], np.eye(3, dtype=np.float32), manifest={"source": "t"}
    )
    return cache, entry.path


def test_a_fifo_the_manifest_does_not_list_is_never_opened(tmp_path: Path) -> None:
    from polyterm.engine.specs import parse_spec

    cache, path = _entry(tmp_path)
    os.mkfifo(path / "counts.npy")  # not in the manifest: the entry was written without counts
    entry = cache.find(parse_spec("lee_3"))
    assert entry is not None
    model = cache.open(entry)  # used to block forever on the FIFO
    assert model.counts is None and list(model.vocab) == ["a", "b", "c"]


def test_a_linked_entry_is_corrupt_and_only_the_link_is_removed(tmp_path: Path) -> None:
    import shutil

    from polyterm.engine.cache import CorruptEntry
    from polyterm.engine.models import ModelLibrary
    from polyterm.engine.specs import parse_spec

    cache, path = _entry(tmp_path)
    outside = tmp_path / "outside"
    shutil.move(str(path), outside)
    path.symlink_to(outside)
    with pytest.raises(CorruptEntry, match="link"):
        cache.find(parse_spec("lee_3"))
    assert cache.entries() == []
    ModelLibrary(cache)._drop(parse_spec("lee_3"))
    assert not os.path.lexists(path)
    assert (outside / "vectors.npy").is_file()  # the target is untouched
    assert list((cache.root / "tmp").iterdir()) == []  # no link left behind in tmp/


def test_a_text_header_of_zero_words_is_an_error(tmp_path: Path, cli: Callable[..., Run]) -> None:
    path = tmp_path / "zero.txt"
    path.write_text("0 3\nfoo 1 2 3\nbar 4 5 6\n")
    run = cli("neighbours", "foo", "--models", path, "--cache-dir", tmp_path / "c")
    run.assert_clean_error(r"promises no words")


# -- third pass: file names that are not UTF-8, models without variation ---------------------
def _bad_name(tmp_path: Path) -> Path:
    folder = os.fsencode(tmp_path)
    path = os.path.join(folder, b"bad\xff\xfe.txt")
    with open(path, "w") as fh:
        fh.write("4 2\ncat 1 0.1\ndog 0.9 0.2\ncar 0.1 1\nbus 0.2 0.8\n")
    return Path(os.fsdecode(path))


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_written(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    path = _bad_name(tmp_path)
    cache = ["--cache-dir", str(tmp_path / "c"), "-q"]
    run = cli("neighbours", "cat", "--models", path, "--format", "json", *cache)
    assert run.code == 0, run.err
    assert "\udcff" not in run.out and "\\udcff" in run.out  # escaped, valid UTF-8
    out = tmp_path / "r.md"
    run = cli("report", path, "--k", "2", "--repetitions", "2", "-o", out, *cache)
    assert run.code == 0 and "internal error" not in run.err, run.err
    text = out.read_bytes().decode("utf-8")  # valid UTF-8, the bytes shown as escapes
    assert "\\udcff" in text


def test_aligning_a_model_whose_vectors_are_all_equal_is_an_error(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    same = tmp_path / "same.txt"
    same.write_text("5 2\na 1 1\nb 1 1\nc 1 1\nd 1 1\ne 1 1\n")
    run = cli("align", same, same, "--k", "1", "--repetitions", "3", "--cache-dir", tmp_path / "c")
    run.assert_clean_error(r"constant over the 5 shared words")
