"""Basis entries, second round of hostile input (issue 17 §2): a dict:K too large for memory
is refused before anything is allocated, a consistent forged entry with NaN codes and
zero-length stability arrays are reported and refitted, --fit-words above the vocabulary
stores one entry, and removing a model removes its bases."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.engine import bases as bases_module
from polyterm.engine import basis_entries
from polyterm.engine.bases import BasisRequest, BasisStore, stability_entry_name
from polyterm.engine.cache import ModelCache
from polyterm.errors import PolytermError
from tests.test_basis_store import ICA, SPEC, FitCounter, _cached_model, _entry_path, _store


def _reseal(path: Path, *names: str) -> None:
    """Rewrite the manifest's records of `names` so the entry is consistent again (what a
    forger who knows the format does)."""
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name in names:
        data = (path / name).read_bytes()
        st = os.stat(path / name)
        manifest["files"][name].update(
            size=len(data), sha256=hashlib.sha256(data).hexdigest(), mtime_ns=st.st_mtime_ns
        )
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


def test_a_dictionary_too_large_for_memory_is_refused_before_allocating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fit(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("nothing may be fitted (or allocated) for a refused request")

    monkeypatch.setattr(bases_module, "fit_basis", no_fit)
    monkeypatch.setattr(bases_module, "available_memory", lambda: 2 * 1024**3)  # 2 GiB
    model = _cached_model(tmp_path)
    texts = []
    for call in (
        lambda: _store(tmp_path).in_basis(model, BasisRequest.of("dict:100000")),
        lambda: _store(tmp_path).fitted(model, BasisRequest.of("dict:100000")),
        lambda: _store(tmp_path).stability(model, BasisRequest.of("dict:100000"), runs=2),
    ):
        with pytest.raises(PolytermError) as info:
            call()
        text = str(info.value)
        assert "dict:100000 would need about" in text and "2.0 GiB is available" in text
        assert "use at most dict:" in text and "\n" not in text
        texts.append(text)
    assert "2 fits at once" in texts[2]  # stability runs fit in two processes at once
    # the K it names does fit, and one more atom does not
    largest = int(texts[0].rsplit("dict:", 1)[1])
    budget = bases_module.MEMORY_SHARE * 2 * 1024**3
    need = bases_module.dict_memory_bytes
    assert need(largest, 2000, 6, 2000) <= budget < need(largest + 1, 2000, 6, 2000)
    assert not (tmp_path / "bases").exists() or list((tmp_path / "bases").iterdir()) == []


def test_the_cli_refuses_it_in_one_line(cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(bases_module, "available_memory", lambda: 1024**3)
    rng = np.random.default_rng(0)
    rows = [f"w{i} " + " ".join(f"{v:.4f}" for v in rng.standard_normal(5)) for i in range(300)]
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("300 5\n" + "\n".join(rows) + "\n", encoding="utf-8")
    run = cli("dims", vectors, "--cache-dir", tmp_path / "cache", "--basis", "dict:100000")
    run.assert_clean_error(r"dict:100000 would need about .* GiB of memory .* use at most dict:")


def test_a_consistent_forged_entry_with_nan_codes_is_reported_and_refitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)
    first = np.array(_store(tmp_path).in_basis(model, ICA).vectors)
    path = _entry_path(tmp_path, model)
    codes = np.load(path / "codes.npy")
    codes[5, 2] = np.nan
    np.save(path / "codes.npy", codes)
    _reseal(path, "codes.npy")

    warnings: list[str] = []
    again = _store(tmp_path, warnings).in_basis(_cached_model(tmp_path), ICA)
    assert counter.calls == 2
    assert len(warnings) == 1 and "NaN or infinite" in warnings[0] and "refitting" in warnings[0]
    assert np.isfinite(np.asarray(again.vectors)).all()
    np.testing.assert_array_equal(np.asarray(again.vectors), first)


def test_zero_length_stability_arrays_are_refitted(tmp_path: Path) -> None:
    model = _cached_model(tmp_path)
    good = _store(tmp_path).stability(model, ICA, runs=3)
    sha = str(model.manifest["content_sha256"])
    path = tmp_path / "bases" / stability_entry_name(sha, ICA, 3)
    for name in ("index", "intra", "extra"):
        np.save(path / f"{name}.npy", np.zeros(0))
    for name in ("cluster", "cluster_size", "cluster_runs"):
        np.save(path / f"{name}.npy", np.zeros(0, dtype=np.int64))
    np.save(path / "unstable.npy", np.zeros(0, dtype=bool))
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["result"]["n_stable"] = 0
    manifest["result"]["mean_index"] = 0.0
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _reseal(path, *(f"{n}.npy" for n in basis_entries.STABILITY_ARRAYS))

    warnings: list[str] = []
    again = _store(tmp_path, warnings).stability(_cached_model(tmp_path), ICA, runs=3)
    assert len(warnings) == 1 and "0 components" in warnings[0]
    assert again.index.shape == (6,) and again.n_stable == good.n_stable == 6
    # and it stays fixed: the next open neither warns nor refits
    later: list[str] = []
    _store(tmp_path, later).stability(_cached_model(tmp_path), ICA, runs=3)
    assert later == []


def test_fit_words_above_the_vocabulary_store_one_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)  # 2,000 words
    store = _store(tmp_path)
    codes = [
        np.asarray(store.in_basis(model, BasisRequest.of("ica", fit_words=f, seed=3)).vectors)
        for f in (2_000, 5_000, 50_000)
    ]
    assert counter.calls == 1
    assert all(np.array_equal(c, codes[0]) for c in codes)
    entries = sorted(p.name for p in (tmp_path / "bases").iterdir())
    assert len(entries) == 1 and entries[0].endswith("-ica-f2000-s3")
    # the label still says what was asked
    shown = store.in_basis(model, BasisRequest.of("ica", fit_words=50_000, seed=3))
    assert shown.manifest["basis"]["fit_words"] == 50_000


def test_removing_a_model_removes_its_bases(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path)
    model = _cached_model(tmp_path)
    store = BasisStore(cache)
    store.in_basis(model, ICA)
    store.stability(model, ICA, runs=2)
    other = tmp_path / "bases" / ("f" * 64 + "-ica-f10000-s0")  # another model's entry
    other.mkdir()
    assert len(list((tmp_path / "bases").iterdir())) == 3
    entry = cache.find(SPEC)
    assert entry is not None
    cache.remove(entry)
    assert [p.name for p in (tmp_path / "bases").iterdir()] == [other.name]
    assert cache.find(SPEC) is None
