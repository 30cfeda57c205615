"""The cache: round trips, tamper detection, cancellation, serving from cache."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from polyterm.core.dimensions import Scale, dimension_extremes
from polyterm.core.embedding import Embedding
from polyterm.engine import models as models_module
from polyterm.engine.cache import CorruptEntry, ModelCache
from polyterm.engine.models import ModelLibrary
from polyterm.engine.progress import Progress
from polyterm.engine.specs import FileSpec, parse_spec
from polyterm.errors import Cancelled


def test_write_then_open_is_equal(cache: ModelCache) -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(500)] + ["naïve", "日本"]
    vectors = rng.normal(size=(502, 8)).astype(np.float32)
    spec = FileSpec("/nowhere/x.txt", stat=(1, 2))
    entry = cache.write(spec, words, vectors, counts=np.arange(502), manifest={"kind": "file"})
    model = cache.open(entry)
    assert list(model.vocab) == words
    assert np.array_equal(np.asarray(model.vectors), vectors)
    np.testing.assert_allclose(np.linalg.norm(model.unit, axis=1), 1.0, rtol=1e-6)
    assert model.counts is not None and model.counts.tolist() == list(range(502))
    manifest = json.loads((entry.path / "manifest.json").read_text())
    assert manifest["shape"] == [502, 8]
    assert set(manifest["files"]) == {
        "vectors.npy", "unit.npy", "vocab.txt", "counts.npy", "extremes.npy"
    }
    assert not list((cache.root / "tmp").iterdir())


def test_stored_orderings_round_trip_and_serve_views(cache: ModelCache) -> None:
    """The entry stores both ends of every dimension, raw and unit, and a view served from
    them equals one computed by sorting the column."""
    rng = np.random.default_rng(3)
    vectors = np.round(rng.normal(size=(700, 6)), 1).astype(np.float32)  # many ties
    words = [f"w{i}" for i in range(700)]
    entry = cache.write(FileSpec("/nowhere/o.txt", stat=(1, 2)), words, vectors, manifest={})
    model = cache.open(entry)
    assert model.extreme_rows is not None and model.extreme_rows.shape == (2, 2, 6, 100)
    plain = Embedding.from_arrays("plain", words, vectors)
    for scale in Scale:
        for restrict in (None, 650, 40):
            for k in (10, 100, 120):
                stored = dimension_extremes(model, 4, k, scale=scale, restrict=restrict)
                sorted_ = dimension_extremes(plain, 4, k, scale=scale, restrict=restrict)
                assert stored == sorted_


def test_orderings_that_do_not_fit_the_entry_are_corrupt(cache: ModelCache) -> None:
    entry = cache.write(FileSpec("/nowhere/p.txt", stat=(1, 2)), ["a", "b", "c"],
                        np.eye(3, dtype=np.float32), manifest={})
    bad = np.full((2, 2, 3, 3), 7, dtype=np.int64)  # row 7 of a 3-row model
    np.save(entry.path / "extremes.npy", bad)
    with pytest.raises(CorruptEntry, match=r"extremes\.npy was changed"):
        cache.open(entry)
    stamp = (entry.path / "extremes.npy").stat()
    manifest = dict(entry.manifest)
    manifest["files"]["extremes.npy"].update(
        size=stamp.st_size,
        mtime_ns=stamp.st_mtime_ns,
        sha256=hashlib.sha256((entry.path / "extremes.npy").read_bytes()).hexdigest(),
    )  # a forged record that matches the file: its content is checked all the same
    with pytest.raises(CorruptEntry, match=r"extremes\.npy does not match"):
        cache.open(type(entry)(entry.path, manifest))


def test_tampered_entry_is_detected(cache: ModelCache) -> None:
    spec = FileSpec("/nowhere/y.txt", stat=(1, 2))
    entry = cache.write(spec, ["a", "b"], np.eye(2, dtype=np.float32), manifest={})
    with (entry.path / "vectors.npy").open("r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\x00\x00\x80\x7f")
    with pytest.raises(CorruptEntry, match=r"vectors\.npy was changed"):
        cache.open(entry)
    (entry.path / "unit.npy").unlink()
    with pytest.raises(CorruptEntry, match=r"unit\.npy is missing"):
        cache.verify(entry)


def test_tampered_model_is_reported_and_rebuilt(tmp_path: Path) -> None:
    warnings: list[str] = []
    library = ModelLibrary(ModelCache(tmp_path), warn=warnings.append)
    first = library.open("lee_5")
    entry = library.cached(parse_spec("lee_5"))
    assert entry is not None
    vocab = entry.path / "vocab.txt"
    vocab.write_text(vocab.read_text().replace("the\n", "teh\n", 1))
    again = library.open("lee_5")
    assert warnings and "vocab.txt" in warnings[0] and "rebuilding" in warnings[0]
    assert list(again.vocab) == list(first.vocab)
    assert np.array_equal(np.asarray(again.vectors), np.asarray(first.vectors))


def test_cancelled_training_leaves_no_entry(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path)
    library = ModelLibrary(cache)
    cancel = threading.Event()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.stage == "train" and p.epoch == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        library.open("lee_12:epochs=20", progress=progress, cancel=cancel)
    assert any(p.stage == "train" for p in seen)
    assert list(cache.models_dir.iterdir()) == []
    assert list((cache.root / "tmp").iterdir()) == []


def test_second_open_is_served_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = ModelLibrary(ModelCache(tmp_path))
    first = library.open("lee_6")

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained again instead of using the cache")

    monkeypatch.setattr(models_module, "train_word2vec", no_training)
    second = ModelLibrary(ModelCache(tmp_path)).open("lee_6")
    assert np.array_equal(np.asarray(first.vectors), np.asarray(second.vectors))
    assert isinstance(second.vectors, np.memmap)


def test_stale_temp_folders_of_dead_processes_are_removed(tmp_path: Path) -> None:
    ModelCache(tmp_path)
    stale = tmp_path / "tmp" / f"999999999-{'d' * 32}"
    stale.mkdir()
    (stale / "vectors.npy").write_bytes(b"partial")
    ModelCache(tmp_path)
    assert not stale.exists()


@pytest.mark.slow
def test_two_threads_can_train_on_one_nltk_corpus(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from polyterm.engine.corpus import nltk_corpus_root

    if nltk_corpus_root("brown") is None:
        pytest.skip("the NLTK Brown corpus is not installed")
    library = ModelLibrary(ModelCache(tmp_path))
    with ThreadPoolExecutor(2) as pool:
        models = list(pool.map(library.open, ["brown_4:epochs=1", "brown_3:epochs=1"]))
    assert [m.dims for m in models] == [4, 3]
