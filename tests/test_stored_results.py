"""Results a warm report reads instead of computing (issue 22 item 4): model quality on
disk, the rotation null's rotations kept between comparisons. Each: stored and reopened
gives the same values; a damaged entry is computed again, never trusted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gensim.test.utils import datapath

from polyterm.core import basis_matching
from polyterm.core.basis_matching import null_draws, random_rotations
from polyterm.core.embedding import Embedding
from polyterm.core.matching import dimension_correlation
from polyterm.core.nulls import random_rotation
from polyterm.engine.quality import model_quality

SHA = "ab" * 32


def _words() -> list[str]:
    out: list[str] = []
    with open(datapath("wordsim353.tsv"), encoding="utf8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            out += [w.lower() for w in line.split("\t")[:2]]
    out += ["king", "queen", "man", "woman", "paris", "france", "london", "england"]
    return list(dict.fromkeys(out))


def _model(seed: int = 0, sha: str = SHA) -> Embedding:
    words = _words()
    rng = np.random.default_rng(seed)
    return Embedding.from_arrays(
        "toy", words, rng.standard_normal((len(words), 16)), manifest={"content_sha256": sha}
    )


def _entry(root: Path) -> Path:
    files = list((root / "quality").iterdir())
    assert len(files) == 1
    return files[0]


def test_quality_is_stored_and_reopened_equal(tmp_path: Path) -> None:
    first = model_quality(_model(), cache_root=tmp_path)
    path = _entry(tmp_path)
    assert path.name == f"{SHA}-a30000.json"
    assert first.wordsim.pairs > 0 and first.wordsim.spearman is not None
    # a fresh model object (no memo) of the same content reads the file
    reopened = model_quality(_model(), cache_root=tmp_path)
    assert reopened == first
    assert reopened == model_quality(_model())  # what computing it gives


def test_stored_quality_is_read_not_recomputed(tmp_path: Path) -> None:
    """Proof the file is what a warm run reads: a valid entry with other (planted) scores
    is returned as it is for that content key."""
    model_quality(_model(), cache_root=tmp_path)
    path = _entry(tmp_path)
    header, body = path.read_bytes().split(b"\n", 1)
    payload = json.loads(body)
    payload["wordsim"]["spearman"] = 0.5
    from polyterm.engine.json_entries import store_entry

    fields = {k: v for k, v in json.loads(header).items()
              if k in ("kind", "content_sha256", "restrict", "test_files")}  # fmt: skip
    store_entry(path, fields, payload, lambda m: None)
    assert model_quality(_model(), cache_root=tmp_path).wordsim.spearman == 0.5


@pytest.mark.parametrize("damage", ["flip", "truncate", "header", "garbage", "type", "nested"])
def test_damaged_quality_is_recomputed(tmp_path: Path, damage: str) -> None:
    good = model_quality(_model(), cache_root=tmp_path)
    path = _entry(tmp_path)
    raw = path.read_bytes()
    header, body = raw.split(b"\n", 1)
    if damage == "flip":  # same size, other digits: the sha256 catches it
        spoiled = body.replace(b"0.", b"9.", 1)
        assert spoiled != body
        path.write_bytes(header + b"\n" + spoiled)
    elif damage == "truncate":
        path.write_bytes(raw[:-5])
    elif damage == "header":
        h = json.loads(header)
        h["content_sha256"] = "cd" * 32
        path.write_bytes(json.dumps(h).encode() + b"\n" + body)
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff not json\n")
    elif damage == "nested":  # json.loads raises RecursionError, not ValueError
        path.write_bytes(b"[" * 5000 + b"\n")
    else:  # a well-formed entry whose payload is not scores
        from polyterm.engine.json_entries import store_entry

        fields = {k: v for k, v in json.loads(header).items()
                  if k in ("kind", "content_sha256", "restrict", "test_files")}  # fmt: skip
        store_entry(path, fields, {"wordsim": "high"}, lambda m: None)
    said: list[str] = []
    again = model_quality(_model(), cache_root=tmp_path, warn=said.append)
    assert again == good
    assert len(said) == 1 and "damaged" in said[0]
    # and it was replaced by a sound entry
    quiet: list[str] = []
    assert model_quality(_model(), cache_root=tmp_path, warn=quiet.append) == good
    assert quiet == []


def test_quality_of_other_content_is_not_shared(tmp_path: Path) -> None:
    a = model_quality(_model(0), cache_root=tmp_path)
    b = model_quality(_model(1, sha="cd" * 32), cache_root=tmp_path)
    assert len(list((tmp_path / "quality").iterdir())) == 2
    assert a.wordsim.spearman != b.wordsim.spearman


def test_link_in_place_of_the_entry_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "quality").mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text("keep")
    (tmp_path / "quality" / f"{SHA}-a30000.json").symlink_to(target)
    said: list[str] = []
    q = model_quality(_model(), cache_root=tmp_path, warn=said.append)
    assert q == model_quality(_model())
    assert target.read_text() == "keep" and said and "left alone" in said[0]


def test_memory_model_is_not_stored(tmp_path: Path) -> None:
    words = _words()
    m = Embedding.from_arrays(
        "mem", words, np.random.default_rng(0).standard_normal((len(words), 8))
    )
    model_quality(m, cache_root=tmp_path)
    assert not (tmp_path / "quality").exists()


def test_random_rotations_are_the_loop_of_random_rotation() -> None:
    stack = random_rotations(7, 5, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    for q in stack:
        np.testing.assert_array_equal(q, random_rotation(7, rng))
        np.testing.assert_allclose(q @ q.T, np.eye(7), atol=1e-12)


def test_rotation_null_reuses_rotations_and_matches_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept rotations, batches of any size and the direct computation agree; a kept stack
    is reused by the next comparison of the same dimension and seed."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 6))
    b = a[:, :4] @ rng.standard_normal((4, 9)) + rng.standard_normal((300, 9))
    basis_matching._ROTATION_MEMO.clear()
    kept = null_draws(a, b, repetitions=40, seed=2)
    assert (6, 2, 40) in basis_matching._ROTATION_MEMO
    again = null_draws(a[::-1].copy(), b[::-1].copy(), repetitions=40, seed=2)
    np.testing.assert_allclose(again.max_abs_r, kept.max_abs_r, atol=1e-12)
    direct = null_draws(a, b, repetitions=40, seed=2, fast=False)
    np.testing.assert_allclose(kept.max_abs_r, direct.max_abs_r, atol=1e-12)
    np.testing.assert_allclose(kept.mean_matched_abs_r, direct.mean_matched_abs_r, atol=1e-12)
    # nothing kept and batches of 3: the same draws
    monkeypatch.setattr(basis_matching, "ROTATION_MEMO_BYTES", 0)
    monkeypatch.setattr(basis_matching, "ROTATION_BATCH_BYTES", 3 * 8 * 6 * 9)
    batched = null_draws(a, b, repetitions=40, seed=2)
    np.testing.assert_allclose(batched.max_abs_r, kept.max_abs_r, atol=1e-12)
    # the first draw by hand: max |r| of a @ Q against b
    q = random_rotation(6, np.random.default_rng(2))
    assert kept.max_abs_r[0] == pytest.approx(np.abs(dimension_correlation(a @ q, b)).max())


# -- the rotated-dictionary null's draws, stored beside the dict:K entry ----------------


def _dict_setup(root: Path, warnings: list[str] | None = None) -> tuple[Any, Any, Any]:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cache import ModelCache
    from polyterm.engine.specs import FileSpec

    cache = ModelCache(root)
    spec = FileSpec("/nowhere/planted.txt", stat=(1, 2))
    entry = cache.find(spec)
    if entry is None:
        rng = np.random.default_rng(7)
        vectors = (rng.laplace(size=(600, 6)) @ rng.normal(size=(6, 6))).astype(np.float32)
        entry = cache.write(spec, [f"w{i}" for i in range(600)], vectors, manifest={"kind": "file"})
    model = cache.open(entry)
    store = BasisStore(cache, warn=None if warnings is None else warnings.append)
    coded = store.in_basis(model, BasisRequest.of("dict:5", fit_words=500, seed=1))
    rows = np.arange(0, 600, 2, dtype=np.int64)
    b = np.asarray(np.random.default_rng(3).standard_normal((rows.size, 4)))
    return coded, rows, b


def _null_files(root: Path) -> list[Path]:
    return sorted((root / "nulls").iterdir()) if (root / "nulls").exists() else []


@pytest.mark.slow
def test_rotated_dictionary_null_is_stored_and_reopened_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyterm.core import basis_matching as bm
    from polyterm.engine.bases import rotated_dictionary_null

    coded, rows, b = _dict_setup(tmp_path)
    first = rotated_dictionary_null(coded, rows, b, repetitions=5, seed=4)
    assert first is not None and len(_null_files(tmp_path)) == 1
    # what the core computes directly
    model, fitted = coded.memo[("basis-source",)]
    x = np.asarray(model.vectors[rows], dtype=np.float64) / float(fitted.arrays["scale"])
    direct = bm.rotated_dictionary_draws(
        x, fitted.arrays["dictionary"], float(fitted.params["alpha"]), b, repetitions=5, seed=4
    )
    np.testing.assert_allclose(first.max_abs_r, direct.max_abs_r, atol=1e-6)
    # reopened in a fresh store (no memo), the draws are read, not recomputed
    calls: list[int] = []
    real = bm.rotated_dictionary_draws
    monkeypatch.setattr(
        bm, "rotated_dictionary_draws", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    coded2, _, _ = _dict_setup(tmp_path)
    again = rotated_dictionary_null(coded2, rows, b, repetitions=5, seed=4)
    assert calls == [] and again is not None
    np.testing.assert_array_equal(again.max_abs_r, first.max_abs_r)
    np.testing.assert_array_equal(again.mean_matched_abs_r, first.mean_matched_abs_r)
    # other inputs (rows, B's codes, seed) are other entries
    rotated_dictionary_null(coded2, rows[:-1], b[:-1], repetitions=5, seed=4)
    rotated_dictionary_null(coded2, rows, b, repetitions=5, seed=5)
    assert calls == [1, 1] and len(_null_files(tmp_path)) == 3


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["flip", "range", "truncate"])
def test_damaged_rotated_dictionary_null_is_recomputed(tmp_path: Path, damage: str) -> None:
    from polyterm.engine.bases import rotated_dictionary_null
    from polyterm.engine.json_entries import store_entry

    coded, rows, b = _dict_setup(tmp_path)
    good = rotated_dictionary_null(coded, rows, b, repetitions=5, seed=4)
    assert good is not None
    (path,) = _null_files(tmp_path)
    raw = path.read_bytes()
    header, body = raw.split(b"\n", 1)
    if damage == "flip":
        path.write_bytes(header + b"\n" + body.replace(b"0.", b"9.", 1))
    elif damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    else:  # a sound file whose numbers are no |r|
        h = json.loads(header)
        fields = {k: h[k] for k in ("kind", "basis_entry", "inputs", "seed", "repetitions")}
        store_entry(path, fields, {"max_abs_r": [2.0] * 5, "mean_matched_abs_r": [0.1] * 5},
                    lambda m: None)  # fmt: skip
    said: list[str] = []
    coded2, _, _ = _dict_setup(tmp_path, said)
    again = rotated_dictionary_null(coded2, rows, b, repetitions=5, seed=4)
    assert again is not None and any("damaged" in m for m in said)
    np.testing.assert_allclose(again.max_abs_r, good.max_abs_r, atol=1e-6)
    assert all(v <= 1 for v in again.max_abs_r)
