"""The basis store on disk: a basis is fitted once per model, reopened bit for bit, damaged
entries are reported and refitted, cancelling leaves nothing, links are never followed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.core.bases import fit_basis
from polyterm.core.dimensions import Scale, dimension_extremes, extreme_rows
from polyterm.core.embedding import Embedding, unit_rows
from polyterm.core.stability import basis_stability
from polyterm.engine import bases as bases_module
from polyterm.engine.bases import BasisRequest, BasisStore, entry_name, stability_entry_name
from polyterm.engine.cache import ModelCache
from polyterm.engine.specs import FileSpec
from polyterm.errors import Cancelled

SPEC = FileSpec("/nowhere/planted.txt", stat=(1, 2))
ICA = BasisRequest.of("ica", fit_words=1_500, seed=3)


def _planted(rows: int = 2_000, dims: int = 6) -> tuple[list[str], np.ndarray]:
    """Independent Laplace sources mixed by a random matrix (ICA recovers them)."""
    rng = np.random.default_rng(7)
    sources = rng.laplace(size=(rows, dims))
    mixing = rng.normal(size=(dims, dims))
    return [f"w{i}" for i in range(rows)], (sources @ mixing).astype(np.float32)


def _cached_model(root: Path) -> Embedding:
    """The planted model as a cache entry (written once per root) opened afresh."""
    cache = ModelCache(root)
    entry = cache.find(SPEC)
    if entry is None:
        words, vectors = _planted()
        entry = cache.write(SPEC, words, vectors, manifest={"kind": "file"})
    return cache.open(entry)


class FitCounter:
    """Counts calls of `fit_basis` made by the store (and still fits)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        monkeypatch.setattr(bases_module, "fit_basis", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return fit_basis(*args, **kwargs)


def _store(root: Path, warnings: list[str] | None = None) -> BasisStore:
    return BasisStore(ModelCache(root), warn=None if warnings is None else warnings.append)


def _entry_path(root: Path, model: Embedding, request: BasisRequest = ICA) -> Path:
    return root / "bases" / entry_name(str(model.manifest["content_sha256"]), request)


def _bump_mtime(path: Path) -> None:
    """A later time stamp, as any write gives (kept explicit: a coarse clock could give the
    tampered file the time it was written with)."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_basis_is_fitted_once_and_reopened_bit_for_bit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)
    first = _store(tmp_path).in_basis(model, ICA)
    assert counter.calls == 1

    # another process: a new cache object, a new model object, a new store
    again_model = _cached_model(tmp_path)
    warnings: list[str] = []
    again = _store(tmp_path, warnings).in_basis(again_model, ICA)
    assert counter.calls == 1 and warnings == []
    assert isinstance(again.vectors, np.memmap)
    assert again.vectors.tobytes() == np.asarray(first.vectors).tobytes()
    assert again.name == f"{again_model.name} [ica]"
    assert again.manifest["basis"]["name"] == "ica" and again.manifest["basis"]["seed"] == 3

    # the stored fit is exactly the fit of the model's first 1,500 rows with seed 3
    direct = fit_basis(np.asarray(model.vectors), "ica", fit_rows=1_500, seed=3)
    stored = _store(tmp_path).fitted(_cached_model(tmp_path), ICA)
    assert counter.calls == 1
    assert set(stored.arrays) == set(direct.arrays)
    for name, value in direct.arrays.items():
        assert np.array_equal(stored.arrays[name], value), name
    # and its codes are that fit's transform of every word
    np.testing.assert_allclose(
        np.asarray(again.vectors), direct.transform(np.asarray(model.vectors)), rtol=0, atol=1e-5
    )


def test_the_entry_records_files_versions_and_the_request(tmp_path: Path) -> None:
    import sklearn

    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    path = _entry_path(tmp_path, model)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["request"] == {"basis": "ica", "fit_words": 1_500, "seed": 3}
    assert manifest["model"]["content_sha256"] == model.manifest["content_sha256"]
    assert manifest["shape"] == [2_000, 6]
    assert manifest["versions"]["scikit-learn"] == sklearn.__version__
    assert manifest["params"]["sklearn"] == sklearn.__version__
    assert set(manifest["files"]) == {
        "array-mean.npy",
        "array-weights.npy",
        "array-pca_weights.npy",
        "array-unmixing.npy",
        "array-skewness.npy",
        "codes.npy",
        "unit.npy",
        "extremes.npy",
    }
    for fname, meta in manifest["files"].items():
        data = (path / fname).read_bytes()
        assert meta["size"] == len(data)
        assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in path.iterdir()) == sorted([*manifest["files"], "manifest.json"])
    assert list((tmp_path / "tmp").iterdir()) == []


def test_stored_orderings_serve_dimension_views(tmp_path: Path) -> None:
    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    reopened = _store(tmp_path).in_basis(_cached_model(tmp_path), ICA)
    codes = np.asarray(reopened.vectors)
    assert reopened.extreme_rows is not None
    assert np.array_equal(reopened.extreme_rows[0], extreme_rows(codes))
    assert np.array_equal(reopened.extreme_rows[1], extreme_rows(unit_rows(codes)))
    plain = Embedding.from_arrays("plain", list(model.vocab), codes)
    for scale in Scale:
        for dim in range(codes.shape[1]):
            assert dimension_extremes(reopened, dim, 10, scale=scale) == dimension_extremes(
                plain, dim, 10, scale=scale
            )


def _flip_codes_byte(path: Path) -> str:
    codes = path / "codes.npy"
    with codes.open("r+b") as fh:
        fh.seek(-3, os.SEEK_END)
        byte = fh.read(1)
        fh.seek(-3, os.SEEK_END)
        fh.write(bytes([byte[0] ^ 0x10]))
    _bump_mtime(codes)
    return "codes.npy was changed"


def _truncate_array(path: Path) -> str:
    weights = path / "array-weights.npy"
    size = weights.stat().st_size
    with weights.open("r+b") as fh:
        fh.truncate(size - 8)
    return "array-weights.npy has"


def _bad_manifest(path: Path) -> str:
    (path / "manifest.json").write_text("{not json", encoding="utf-8")
    return "Expecting property name"


def _another_request(path: Path) -> str:
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["request"]["seed"] = 4
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return "names another model or request"


def _unit_removed(path: Path) -> str:
    (path / "unit.npy").unlink()
    return "unit.npy is missing"


@pytest.mark.parametrize(
    "damage",
    [_flip_codes_byte, _truncate_array, _bad_manifest, _another_request, _unit_removed],
    ids=["codes-byte-flipped", "array-truncated", "manifest-not-json", "other-seed", "unit-gone"],
)
def test_a_damaged_entry_is_reported_and_refitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[Path], str]
) -> None:
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)
    first = np.array(_store(tmp_path).in_basis(model, ICA).vectors)
    path = _entry_path(tmp_path, model)
    reason = damage(path)

    warnings: list[str] = []
    again = _store(tmp_path, warnings).in_basis(_cached_model(tmp_path), ICA)
    assert counter.calls == 2
    assert len(warnings) == 1
    assert reason in warnings[0] and "was damaged; refitting it" in warnings[0]
    assert path.name in warnings[0]
    assert np.asarray(again.vectors).tobytes() == first.tobytes()
    # the refitted entry is whole again: a third use neither warns nor fits
    third_warnings: list[str] = []
    _store(tmp_path, third_warnings).in_basis(_cached_model(tmp_path), ICA)
    assert counter.calls == 2 and third_warnings == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_changed_byte_with_the_old_time_stamp_in_a_small_file_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fitted arrays are re-hashed on every open, whatever their time stamps say."""
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    unmixing = _entry_path(tmp_path, model) / "array-unmixing.npy"
    st = unmixing.stat()
    data = bytearray(unmixing.read_bytes())
    data[-1] ^= 0x01
    unmixing.write_bytes(bytes(data))
    os.utime(unmixing, ns=(st.st_atime_ns, st.st_mtime_ns))
    warnings: list[str] = []
    _store(tmp_path, warnings).in_basis(_cached_model(tmp_path), ICA)
    assert counter.calls == 2 and "array-unmixing.npy was changed" in warnings[0]


@pytest.mark.parametrize("stage", ["fit", "codes"])
def test_cancel_leaves_no_entry_and_no_temp_folder(tmp_path: Path, stage: str) -> None:
    model = _cached_model(tmp_path)
    cancel = threading.Event()
    stages: list[str] = []

    def progress(fraction: float, name: str) -> None:
        stages.append(name)
        if (stage == "fit" and name == "whiten") or (stage == "codes" and name == "codes"):
            cancel.set()

    with pytest.raises(Cancelled):
        _store(tmp_path).in_basis(model, ICA, progress=progress, cancel=cancel)
    assert stage == "fit" or "codes" in stages
    assert list((tmp_path / "bases").iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []
    assert ("in_basis", "ica", 1_500, 3) not in model.memo
    # not cancelled, it completes and reports its progress up to 1
    seen: list[float] = []
    done = _store(tmp_path).in_basis(model, ICA, progress=lambda f, _s: seen.append(f))
    assert done.vectors.shape == (2_000, 6) and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_a_linked_entry_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = FitCounter(monkeypatch)
    root = tmp_path / "cache"
    model = _cached_model(root)
    _store(root).in_basis(model, ICA)
    path = _entry_path(root, model)
    outside = tmp_path / "outside"
    shutil.move(str(path), outside)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    path.symlink_to(outside, target_is_directory=True)

    warnings: list[str] = []
    again = _store(root, warnings).in_basis(_cached_model(root), ICA)
    assert counter.calls == 2
    assert len(warnings) == 1 and "is a link" in warnings[0] and "refitting" in warnings[0]
    assert not path.is_symlink() and path.is_dir()  # our own entry replaced the link
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before  # target untouched
    assert np.asarray(again.vectors).tobytes() == np.load(outside / "codes.npy").tobytes()
    assert list((root / "tmp").iterdir()) == []


def test_a_linked_bases_folder_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cache"
    model = _cached_model(root)
    cache = ModelCache(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "bases").rmdir()
    (root / "bases").symlink_to(elsewhere, target_is_directory=True)
    warnings: list[str] = []
    store = BasisStore(cache, warn=warnings.append)
    codes = store.in_basis(model, ICA).vectors
    store.stability(model, ICA, runs=2)
    assert codes.shape == (2_000, 6) and not isinstance(codes, np.memmap)
    assert list(elsewhere.iterdir()) == []
    assert len(warnings) == 1 and "bases are kept for this run only" in warnings[0]


def test_a_file_in_the_place_of_an_entry_is_left_alone(tmp_path: Path) -> None:
    model = _cached_model(tmp_path)
    path = _entry_path(tmp_path, model)
    path.parent.mkdir(exist_ok=True)
    path.write_text("mine")
    warnings: list[str] = []
    codes = _store(tmp_path, warnings).in_basis(model, ICA).vectors
    assert codes.shape == (2_000, 6)
    assert path.read_text() == "mine"
    assert len(warnings) == 1 and "is not a folder polyterm made" in warnings[0]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_stability_is_computed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["runs"])
        kwargs.pop("jobs", None)
        return basis_stability(*args, **kwargs)

    monkeypatch.setattr(bases_module, "parallel_stability", counted)
    model = _cached_model(tmp_path)
    first = _store(tmp_path).stability(model, ICA, runs=3)
    again = _store(tmp_path).stability(_cached_model(tmp_path), ICA, runs=3)
    assert calls == [3]
    assert first.n_stable == again.n_stable == 6  # planted independent sources reproduce
    assert again.seeds == (3, 4, 5) and again.fit_rows == 1_500
    for name in ("index", "intra", "extra", "cluster", "cluster_size", "cluster_runs"):
        assert np.array_equal(getattr(again.quality, name), getattr(first.quality, name)), name
    assert np.array_equal(again.unstable, first.unstable)
    assert again.mean_index == first.mean_index
    _store(tmp_path).stability(_cached_model(tmp_path), ICA, runs=4)  # another key
    assert calls == [3, 4]
    sha = str(model.manifest["content_sha256"])
    assert (tmp_path / "bases" / stability_entry_name(sha, ICA, 3)).is_dir()

    index = tmp_path / "bases" / stability_entry_name(sha, ICA, 3) / "index.npy"
    np.save(index, np.zeros(6))
    warnings: list[str] = []
    _store(tmp_path, warnings).stability(_cached_model(tmp_path), ICA, runs=3)
    assert calls == [3, 4, 3] and "index.npy was changed" in warnings[0]


def test_models_without_a_content_key_stay_in_memory(tmp_path: Path) -> None:
    words, vectors = _planted()
    plain = Embedding.from_arrays("plain", words, vectors)
    store = _store(tmp_path)
    in_ica = store.in_basis(plain, ICA)
    assert store.in_basis(plain, ICA) is in_ica  # memoised on the model
    # a model already in a basis carries its source's content key: not a key of its own
    model = _cached_model(tmp_path)
    ica = store.in_basis(model, ICA)
    store.in_basis(ica, BasisRequest.of("pca", fit_words=1_500))
    assert sorted(p.name for p in (tmp_path / "bases").iterdir()) == [
        _entry_path(tmp_path, model).name
    ]
    assert np.allclose(np.asarray(in_ica.vectors), np.asarray(ica.vectors), atol=1e-5)


def test_threads_asking_for_one_basis_fit_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FitCounter(monkeypatch)
    models = [_cached_model(tmp_path) for _ in range(4)]
    store = _store(tmp_path)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def ask(model: Embedding) -> None:
        try:
            results.append(np.array(store.in_basis(model, ICA).vectors))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and counter.calls == 1 and len(results) == 4
    assert all(r.tobytes() == results[0].tobytes() for r in results)


def test_caches_made_before_the_bases_folder_still_open(tmp_path: Path) -> None:
    from polyterm.engine.cache import MARKER, ForeignFolder

    # a tagged cache without bases/: opened, bases/ added, its model entry unchanged
    model = _cached_model(tmp_path / "tagged")
    shutil.rmtree(tmp_path / "tagged" / "bases")
    assert _store(tmp_path / "tagged").in_basis(_cached_model(tmp_path / "tagged"), ICA).dims == 6
    assert (tmp_path / "tagged" / "bases").is_dir()
    # a cache from before the tag (models/, tmp/, corpora/ only) is still adopted
    old = tmp_path / "old"
    shutil.copytree(tmp_path / "tagged", old, symlinks=True)
    (old / MARKER).unlink()
    shutil.rmtree(old / "bases")
    reopened = _cached_model(old)
    assert (old / MARKER).is_file() and (old / "bases").is_dir()
    assert np.asarray(reopened.vectors).tobytes() == np.asarray(model.vectors).tobytes()
    # an untagged folder holding bases/ was never a polyterm cache: refused, left alone
    project = tmp_path / "project"
    shutil.copytree(tmp_path / "tagged", project, symlinks=True)
    (project / MARKER).unlink()
    with pytest.raises(ForeignFolder):
        ModelCache(project)
    assert not (project / MARKER).exists()


def test_fits_run_with_one_blas_thread_and_the_setting_is_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadpoolctl import threadpool_info  # type: ignore[import-untyped]

    def blas_threads() -> list[int]:
        return [int(p["num_threads"]) for p in threadpool_info() if p["user_api"] == "blas"]

    before = blas_threads()
    during: list[list[int]] = []

    def fit(*args: Any, **kwargs: Any) -> Any:
        during.append(blas_threads())
        return fit_basis(*args, **kwargs)

    monkeypatch.setattr(bases_module, "fit_basis", fit)
    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    BasisStore().fitted(Embedding.from_arrays("plain", *_planted()), ICA)
    assert before and during == [[1] * len(before)] * 2
    assert blas_threads() == before


# -- a basis fitted elsewhere (a cluster worker): stored() and put() ----------------------


def _entry_files(root: Path, model: Embedding, request: BasisRequest) -> dict[str, Any]:
    path = _entry_path(root, model, request)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    files = {f: (m["size"], m["sha256"]) for f, m in manifest["files"].items()}
    return {"files": files, "params": manifest["params"]}


def _fit_like_a_worker(model: Embedding, request: BasisRequest) -> Any:
    """What a worker does: fit from the model's first fit_words rows only."""
    head = np.array(model.vectors[: request.fit_words])
    with bases_module.one_blas_thread():
        return fit_basis(head, request.name, fit_rows=request.fit_words, seed=request.seed)


def test_put_stores_a_basis_fitted_elsewhere_as_a_local_fit_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_root, put_root = tmp_path / "local", tmp_path / "put"
    _store(local_root).in_basis(_cached_model(local_root), ICA)  # the reference: a local fit
    counter = FitCounter(monkeypatch)
    model = _cached_model(put_root)
    store = _store(put_root)
    assert not store.stored(model, ICA)
    assert store.stored(model, BasisRequest())  # raw: nothing to fit
    seen: list[tuple[float, str]] = []
    store.put(model, ICA, _fit_like_a_worker(model, ICA), progress=lambda f, s: seen.append((f, s)))
    assert counter.calls == 0  # the store fitted nothing
    assert seen[-1] == (1.0, "done")
    assert store.stored(model, ICA)
    # the entry is byte for byte the local fit's (its arrays, codes, unit codes, orderings)
    assert _entry_files(put_root, model, ICA) == _entry_files(local_root, model, ICA)
    assert list((put_root / "tmp").iterdir()) == []
    # another process: stored() sees it without fitting, in_basis reads it
    warnings: list[str] = []
    again = _cached_model(put_root)
    later = _store(put_root, warnings)
    assert later.stored(again, ICA)
    in_ica = later.in_basis(again, ICA)
    assert counter.calls == 0 and warnings == []
    assert isinstance(in_ica.vectors, np.memmap)
    # an entry already there is kept: a second put writes nothing
    mtime = (_entry_path(put_root, model) / "codes.npy").stat().st_mtime_ns
    _store(put_root).put(_cached_model(put_root), ICA, _fit_like_a_worker(model, ICA))
    assert (_entry_path(put_root, model) / "codes.npy").stat().st_mtime_ns == mtime


@pytest.mark.slow  # fits bases several times
def test_put_with_codes_made_elsewhere_in_blocks_equals_a_local_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bases_module, "_BLOCK_ROWS", 700)  # 3 blocks of the 2,000 words
    request = BasisRequest.of("dict:5", fit_words=800, seed=2)
    local_root, put_root = tmp_path / "local", tmp_path / "put"
    _store(local_root).in_basis(_cached_model(local_root), request)
    model = _cached_model(put_root)
    fitted = _fit_like_a_worker(model, request)
    assert bases_module.code_blocks(len(model)) == [(0, 700), (700, 1400), (1400, 2000)]
    codes = np.empty((len(model), 5), dtype=np.float32)
    for start, stop in bases_module.code_blocks(len(model)):  # as the workers compute them
        with bases_module.one_blas_thread():
            codes[start:stop] = fitted.transform(np.array(model.vectors[start:stop]))
    counter = FitCounter(monkeypatch)
    calls: list[int] = []
    real_transform = type(fitted).transform

    def counting_transform(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real_transform(self, *args, **kwargs)

    monkeypatch.setattr(type(fitted), "transform", counting_transform)
    _store(put_root).put(model, request, fitted, codes=codes)
    assert calls == [] and counter.calls == 0  # the given codes were used, none computed
    assert _entry_files(put_root, model, request) == _entry_files(local_root, model, request)


def test_put_refuses_another_basis_and_bad_codes(tmp_path: Path) -> None:
    model = _cached_model(tmp_path)
    store = _store(tmp_path)
    other_seed = _fit_like_a_worker(model, BasisRequest.of("ica", fit_words=1_500, seed=4))
    with pytest.raises(ValueError, match=r"not the ica, fit on 1,500 words, seed 3 basis of"):
        store.put(model, ICA, other_seed)
    pca = _fit_like_a_worker(model, BasisRequest.of("pca", fit_words=1_500, seed=3))
    with pytest.raises(ValueError, match="not the ica"):
        store.put(model, ICA, pca)
    fitted = _fit_like_a_worker(model, ICA)
    with pytest.raises(ValueError, match=r"not float32 of shape 2000 × 6"):
        store.put(model, ICA, fitted, codes=np.zeros((2_000, 6), dtype=np.float64))
    with pytest.raises(ValueError, match=r"not float32 of shape 2000 × 6"):
        store.put(model, ICA, fitted, codes=np.zeros((1_999, 6), dtype=np.float32))
    assert not store.stored(model, ICA)
    assert list((tmp_path / "bases").iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []
    store.put(model, BasisRequest(), fitted)  # raw: nothing to store
    assert list((tmp_path / "bases").iterdir()) == []


def test_a_damaged_entry_is_not_stored_and_put_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    reference = _entry_files(tmp_path, model, ICA)
    _flip_codes_byte(_entry_path(tmp_path, model))
    counter = FitCounter(monkeypatch)
    warnings: list[str] = []
    store = _store(tmp_path, warnings)
    fresh = _cached_model(tmp_path)
    assert not store.stored(fresh, ICA)
    assert warnings == []  # asking does not report or remove anything
    store.put(fresh, ICA, _fit_like_a_worker(fresh, ICA))
    assert len(warnings) == 1 and "damaged" in warnings[0]
    assert _entry_files(tmp_path, model, ICA) == reference
    assert store.stored(_cached_model(tmp_path), ICA)
    assert counter.calls == 0  # nothing was fitted here


def test_put_keeps_a_model_without_a_content_key_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words, vectors = _planted()
    plain = Embedding.from_arrays("plain", words, vectors)
    store = _store(tmp_path)
    assert not store.stored(plain, ICA)
    fitted = _fit_like_a_worker(plain, ICA)
    counter = FitCounter(monkeypatch)
    store.put(plain, ICA, fitted)
    assert store.stored(plain, ICA)
    in_ica = store.in_basis(plain, ICA)
    assert counter.calls == 0
    assert store.fitted(plain, ICA) is fitted
    assert np.array_equal(np.asarray(in_ica.vectors), fitted.transform(vectors))
    assert not (tmp_path / "bases").exists() or list((tmp_path / "bases").iterdir()) == []


def test_an_entry_of_an_older_format_is_refitted_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry fitted by an older polyterm (FastICA stopped at tol 1e-4, format 1) is said
    to be outdated, removed and fitted again with today's settings: never read as if new."""
    counter = FitCounter(monkeypatch)
    model = _cached_model(tmp_path)
    _store(tmp_path).in_basis(model, ICA)
    path = _entry_path(tmp_path, model)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["format"] = 1
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    warnings: list[str] = []
    again = _store(tmp_path, warnings).in_basis(_cached_model(tmp_path), ICA)
    assert counter.calls == 2
    assert len(warnings) == 1 and "older polyterm" in warnings[0] and "refitting" in warnings[0]
    params = again.manifest["basis"]["params"]
    assert params["algorithm"] == "picard-o" and params["converged"]
    assert 0 < params["gradient_norm"] < params["tol"] and params["n_iter"] > 0
    stored = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert stored["format"] == bases_module.ENTRY_FORMAT


def test_old_stability_entries_are_refitted(tmp_path: Path) -> None:
    model = _cached_model(tmp_path)
    _store(tmp_path).stability(model, ICA, runs=3)
    path = tmp_path / "bases" / stability_entry_name(str(model.manifest["content_sha256"]), ICA, 3)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["format"] = 1
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    warnings: list[str] = []
    result = _store(tmp_path, warnings).stability(_cached_model(tmp_path), ICA, runs=3)
    assert len(warnings) == 1 and "older polyterm" in warnings[0]
    assert result.n_stable == 6  # six planted Laplace sources, each found in every run


@pytest.mark.slow  # spawns worker processes
def test_stability_runs_in_processes_equal_the_runs_made_here(tmp_path: Path) -> None:
    from polyterm.engine.parallel_stability import parallel_stability

    _words, vectors = _planted()
    here = basis_stability(vectors, "ica", runs=4, seed=3, fit_rows=1_500)
    there = parallel_stability(vectors, "ica", runs=4, seed=3, fit_rows=1_500, jobs=2)
    assert there.seeds == here.seeds and there.n_stable == here.n_stable == 6
    np.testing.assert_allclose(there.index, here.index, atol=1e-9)
    np.testing.assert_array_equal(there.quality.cluster, here.quality.cluster)


@pytest.mark.slow  # spawns worker processes
def test_cancelled_stability_runs_stop_their_workers(tmp_path: Path) -> None:
    """Cancelling while the runs are out terminates the pool: no worker outlives the call."""
    import multiprocessing as mp
    import time

    from polyterm.engine.parallel_stability import parallel_stability

    rng = np.random.default_rng(0)
    vectors = rng.laplace(size=(6000, 30)) @ rng.standard_normal((30, 30))
    cancel = threading.Event()
    started = time.monotonic()

    def progress(_fraction: float, _stage: str) -> None:
        if time.monotonic() - started > 1.0:
            cancel.set()

    with pytest.raises(Cancelled):
        parallel_stability(vectors, "dict:60", runs=6, seed=0, fit_rows=6000, jobs=2,
                           cancel=cancel, progress=progress)  # fmt: skip
    assert mp.active_children() == []
