"""A model expressed in a basis (raw, pca, ica, dict:K): fitted once, then reused.

`BasisStore.in_basis(model, request)` returns a new `Embedding` whose vectors are the
model's codes in that basis (n words × k axes or atoms), in the model's row order, with
the same vocabulary and counts. Every per-dimension analysis (dimension ends, repeats,
statistics, matching, alignment) then works on it unchanged. Its name is
``"<model> [<basis>]"`` (``raw`` keeps the model's own name and object) and its manifest
is the model's plus a ``basis`` record (see `basis_record`), which views read to say which
basis a number is in and to write the CLI line that reproduces it.

The fit uses the model's `fit_words` most frequent words (its first rows: models are
stored in frequency order) and is seeded, so the same request gives the same arrays.

Where results are kept:

- Always in memory, on the model (`Embedding.memoised`), for the model's life.
- On disk too when the store has a cache (`BasisStore(cache)`) and the model came from
  it (its manifest has a ``content_sha256``; an in-memory model, or a model that is itself
  in a basis, is kept in memory only). One folder per (model content, basis, fit words,
  seed) in ``<cache>/bases/``, named ``<content_sha256>-<basis>-f<fit words>-s<seed>``:
  the fitted arrays (``array-<name>.npy``), the codes of every word (``codes.npy``,
  float32, opened with mmap), the codes at unit length (``unit.npy``), both ends of every
  axis (``extremes.npy``, as model entries store them, so dimension views read 100 rows
  instead of sorting a column) and ``manifest.json`` (the request, the fit's params, the
  shape, per-file size and sha256, library versions including scikit-learn's, creation
  time). Stability results (`stability`) get their own small folder, named as above plus
  ``-stability-r<runs>``. Asking for the fitted basis alone also writes the codes: one
  entry holds both. An entry fitted under another scikit-learn version is reused as it
  is (its manifest records the version that made it).
- Entries are built in the cache's ``tmp/`` and renamed into place (a cancelled or failed
  fit leaves nothing), verified on open (every file's size; its sha256 when its time
  stamp moved, and always for files up to 16 MiB: the fitted arrays, the orderings;
  arrays load without pickle; no link is followed), and a damaged or mismatching one is
  reported through ``warn`` ("… was damaged; refitting it"), removed (a link: the link
  only, never its target) and fitted again. Anything else in an entry's place (a file,
  a FIFO) is left alone. When the cache cannot be written the result is kept in memory
  with a warning.
- Requests for the same entry from several threads wait for one fit (a lock per entry);
  several processes may fit the same entry at once, and the first complete one is kept.

A basis fitted elsewhere (a Dask worker: `polyterm.engine.cluster.fit_bases_on_cluster`)
is kept with `BasisStore.put`, which writes the same verified entry a local fit writes
(the codes computed here, or given: computed elsewhere in the row blocks of
`code_blocks`); `BasisStore.stored` says, without fitting, whether a request is ready.

Opening an entry with every check (its folder name, manifest, files and arrays) is
`polyterm.engine.basis_entries`; this module keeps the request, the entry format
(`ENTRY_FORMAT`) and the store, which writes, reuses and replaces entries.

Fits, codes and stability runs use numpy's BLAS on one thread
(`polyterm.engine.threads.one_blas_thread`): they iterate small products whose BLAS
threads spin against each other on a busy machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from polyterm.core.bases import (
    DEFAULT_FIT_ROWS,
    BasisName,
    CancelFlag,
    FittedBasis,
    check_cancel,
    dict_memory_bytes,
    fit_basis,
    parse_basis_name,
)
from polyterm.core.dimensions import extreme_rows
from polyterm.core.embedding import Embedding, unit_rows
from polyterm.core.stability import DEFAULT_RUNS, Stability
from polyterm.engine.basis_entries import OutdatedEntry as OutdatedEntry
from polyterm.engine.basis_entries import StoredBasis, open_basis, open_stability
from polyterm.engine.basis_entries import entry_name as entry_name
from polyterm.engine.basis_entries import stability_entry_name as stability_entry_name
from polyterm.engine.cache import ModelCache
from polyterm.engine.cache_records import library_versions
from polyterm.engine.file_integrity import MANIFEST, CorruptEntry, file_records, fsync_files
from polyterm.engine.json_entries import DamagedEntry, entry_folder, load_entry, store_entry
from polyterm.engine.parallel_stability import parallel_stability
from polyterm.engine.threads import one_blas_thread as one_blas_thread
from polyterm.errors import CacheError, PolytermError

if TYPE_CHECKING:  # core.basis_matching imports scipy.optimize (~1 s): not at start-up
    from polyterm.core.basis_matching import NullDraws

ProgressFn = Callable[[float, str], None]
WarnFn = Callable[[str], None]
T = TypeVar("T")

RAW = BasisName("raw")


@dataclass(frozen=True, slots=True)
class BasisRequest:
    """Which basis, fitted on how many of the most frequent words, with which seed."""

    name: BasisName = RAW
    fit_words: int = DEFAULT_FIT_ROWS
    seed: int = 0

    @classmethod
    def of(
        cls, name: str | BasisName, *, fit_words: int = DEFAULT_FIT_ROWS, seed: int = 0
    ) -> BasisRequest:
        """Parse `name` (ValueError naming the accepted forms for anything else)."""
        if fit_words < 2:
            raise ValueError(f"--fit-words must be at least 2, not {fit_words}")
        return cls(parse_basis_name(name), fit_words, seed)

    @property
    def is_raw(self) -> bool:
        return self.name.kind == "raw"

    def label(self) -> str:
        """``ica`` (default fit and seed) or ``ica, fit on 5,000 words, seed 3``."""
        text = str(self.name)
        if self.is_raw:
            return text
        if self.fit_words != DEFAULT_FIT_ROWS:
            text += f", fit on {self.fit_words:,} words"
        if self.seed != 0:
            text += f", seed {self.seed}"
        return text

    def cli_options(self) -> str:
        """The CLI options that ask for this basis again (empty for raw)."""
        if self.is_raw:
            return ""
        text = f" --basis {self.name}"
        if self.fit_words != DEFAULT_FIT_ROWS:
            text += f" --fit-words {self.fit_words}"
        if self.seed != 0:
            text += f" --basis-seed {self.seed}"
        return text


def basis_record(model: Embedding, request: BasisRequest, fitted: FittedBasis) -> dict[str, Any]:
    """The ``basis`` entry of a model-in-a-basis's manifest."""
    return {
        "name": str(request.name),
        "fit_words": request.fit_words,
        "seed": request.seed,
        "model": model.name,
        "codes": fitted.n_codes,
        "params": dict(fitted.params),
    }


_SOURCE_KEY = ("basis-source",)
_NULL_HOME_KEY = ("basis-null-home",)
"""On a model in a basis whose entry is on disk: (cache root, entry name, warn), where
`rotated_dictionary_null` keeps its draws."""
NULLS_DIR = "nulls"


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


MEMORY_SHARE = 0.8
"""A dict:K fit may take at most this share of the available memory."""


def check_memory(model: Embedding, request: BasisRequest, *, concurrent: int = 1) -> None:
    """Refuse a dict:K request whose fit and codes would not fit in memory (`concurrent`
    fits at once: stability runs in processes), from an estimate made before anything is
    allocated (`polyterm.core.bases.dict_memory_bytes`): a `PolytermError` naming the
    largest K that fits."""
    if request.name.kind != "dict" or request.name.atoms is None:
        return
    available = available_memory()
    if available is None:
        return
    rows = min(request.fit_words, len(model))

    def need(k: int) -> int:
        return concurrent * dict_memory_bytes(k, rows, model.dims, len(model))

    atoms = request.name.atoms
    budget = MEMORY_SHARE * available
    if need(atoms) <= budget:
        return
    low, high = 0, atoms  # the largest K that fits, by bisection (need grows with K)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if need(mid) <= budget else (low, mid - 1)
    gib = 1024**3
    hint = f"use at most dict:{low}" if low >= 1 else "free some memory"
    raise PolytermError(
        f"--basis dict:{atoms} would need about {need(atoms) / gib:.1f} GiB of memory for "
        f"{model.name} ({rows:,} fit words, {atoms:,} atoms"
        + (f", {concurrent} fits at once" if concurrent > 1 else "")
        + f"); {available / gib:.1f} GiB is available: {hint}"
    )


def _effective(model: Embedding, request: BasisRequest) -> BasisRequest:
    """`request` with its fit words capped at the model's vocabulary: asking for 20,000 or
    30,000 fit words of a 13,974-word model is one fit, stored once."""
    if request.is_raw or request.fit_words <= len(model) or len(model) < 2:
        return request
    return BasisRequest(request.name, len(model), request.seed)


def rotated_dictionary_null(
    coded: Embedding,
    rows: npt.NDArray[np.int64],
    b: npt.NDArray[np.float64],
    *,
    repetitions: int = 20,
    seed: int = 0,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> NullDraws | None:
    """The rotated-dictionary null (`polyterm.core.basis_matching.rotated_dictionary_draws`)
    of a model in a dict:K basis (as `BasisStore.in_basis` returns it): its words at
    `rows` re-coded on randomly rotated copies of its dictionary, against B's codes `b`
    (the same words, in the same order). None for another basis, or a model the store did
    not make (its dictionary is not known)."""
    from polyterm.core.basis_matching import NullDraws, rotated_dictionary_draws

    source = coded.memo.get(_SOURCE_KEY)
    if source is None or request_of(coded).name.kind != "dict":
        return None
    model, fitted = source

    def compute() -> NullDraws:
        with one_blas_thread():
            x = np.asarray(model.vectors[rows], dtype=np.float64) / float(fitted.arrays["scale"])
            return rotated_dictionary_draws(
                x,
                fitted.arrays["dictionary"],
                float(fitted.params["alpha"]),
                b,
                repetitions=repetitions,
                seed=seed,
                cancel=cancel,
                progress=progress,
            )

    home = coded.memo.get(_NULL_HOME_KEY)
    if home is None:
        return compute()
    root, entry, warn = home
    folder = entry_folder(root, NULLS_DIR, warn, "the rotated-dictionary null")
    if folder is None:
        return compute()
    rows64 = np.ascontiguousarray(rows, dtype=np.int64)
    b64 = np.ascontiguousarray(b, dtype=np.float64)
    atoms = np.ascontiguousarray(fitted.arrays["dictionary"], dtype=np.float64)
    h = hashlib.sha256(repr((rows64.shape, b64.shape, atoms.shape)).encode())
    h.update(atoms.tobytes())
    h.update(rows64.tobytes())
    h.update(b64.tobytes())
    inputs = h.hexdigest()
    fields = {"kind": "rotated-dictionary-null", "basis_entry": entry, "inputs": inputs,
              "seed": seed, "repetitions": repetitions}  # fmt: skip
    path = folder / f"{entry}-rdnull-r{repetitions}-n{seed}-{inputs[:16]}.json"
    stored = load_entry(path, fields, lambda p: _draws_of(p, seed, repetitions), warn)
    if isinstance(stored, NullDraws):
        if progress is not None:
            progress(1.0, "null")
        return stored
    draws = compute()
    payload = {"max_abs_r": draws.max_abs_r.tolist(),
               "mean_matched_abs_r": draws.mean_matched_abs_r.tolist()}  # fmt: skip
    store_entry(path, fields, payload, warn)
    return draws


def _draws_of(payload: Any, seed: int, repetitions: int) -> NullDraws:
    """Stored rotated-dictionary draws, checked (DamagedEntry for anything else)."""
    from polyterm.core.arrays import readonly
    from polyterm.core.basis_matching import NullDraws

    if not isinstance(payload, dict):
        raise DamagedEntry("the payload is not a JSON object")
    out = []
    for name in ("max_abs_r", "mean_matched_abs_r"):
        values = payload[name]
        if (
            not isinstance(values, list)
            or len(values) != repetitions
            or not all(isinstance(v, float) for v in values)
        ):
            raise DamagedEntry(f"{name} is not {repetitions} numbers")
        array = np.asarray(values, dtype=np.float64)
        if not np.all(np.isfinite(array)) or np.any((array < 0) | (array > 1)):
            raise DamagedEntry(f"{name} is not in [0, 1]")
        out.append(readonly(array))
    return NullDraws(
        kind="rotated-dictionary", seed=seed, max_abs_r=out[0], mean_matched_abs_r=out[1]
    )


def request_of(model: Embedding) -> BasisRequest:
    """The basis a model is expressed in (raw for a model straight from the cache)."""
    record = model.manifest.get("basis")
    if not isinstance(record, dict):
        return BasisRequest()
    return BasisRequest.of(
        str(record.get("name", "raw")),
        fit_words=int(record.get("fit_words", DEFAULT_FIT_ROWS)),
        seed=int(record.get("seed", 0)),
    )


ENTRY_FORMAT = 2
"""``format`` of a basis or stability entry's manifest (2: converged ica fits; an entry
of an older format is reported and refitted, never read)."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BLOCK_ROWS = 50_000
"""Rows per block of codes written into an entry (a multiple of the core's transform
block, so a block computed elsewhere, e.g. on a cluster worker, is the same computation)."""
_FIT_SHARE = 0.6
"""Share of an uncached `in_basis` call's progress taken by the fit (then the codes)."""

_locks_guard = threading.Lock()
_locks: dict[tuple[Any, ...], threading.Lock] = {}


def code_blocks(n: int) -> list[tuple[int, int]]:
    """The row ranges (start, stop) in which an entry's codes are computed and written.

    Computing a block's codes anywhere else (`FittedBasis.transform` of exactly those rows,
    numpy's BLAS on one thread) gives the bytes a local write gives."""
    return [(start, min(n, start + _BLOCK_ROWS)) for start in range(0, n, _BLOCK_ROWS)]


def _fit(
    model: Embedding,
    request: BasisRequest,
    cancel: CancelFlag | None,
    progress: ProgressFn | None,
) -> FittedBasis:
    """`fit_basis` of the model's first `fit_words` rows, BLAS on one thread."""
    with one_blas_thread():
        return fit_basis(
            model.vectors,
            request.name,
            fit_rows=request.fit_words,
            seed=request.seed,
            cancel=cancel,
            progress=progress,
        )


@contextlib.contextmanager
def _locked(key: tuple[Any, ...]) -> Iterator[None]:
    """Hold the lock of `key` (one per entry, shared by every store in the process)."""
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield


def _scaled(progress: ProgressFn | None, low: float, high: float) -> ProgressFn | None:
    """`progress` with fractions mapped from [0, 1] onto [low, high]."""
    if progress is None:
        return None
    report = progress

    def scaled(fraction: float, stage: str) -> None:
        report(low + (high - low) * min(1.0, max(0.0, fraction)), stage)

    return scaled


def _model_key(model: Embedding) -> str | None:
    """The content sha256 that names `model`'s entries, or None (kept in memory only):
    an in-memory model has none, and a model already in a basis carries its source's."""
    if isinstance(model.manifest.get("basis"), Mapping):
        return None
    sha = model.manifest.get("content_sha256")
    return sha if isinstance(sha, str) and _SHA256.match(sha) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _versions(params: Mapping[str, Any]) -> dict[str, str]:
    versions = library_versions()
    sklearn = sys.modules.get("sklearn")
    versions["scikit-learn"] = str(
        params.get("sklearn") or getattr(sklearn, "__version__", None) or "?"
    )
    return versions


def _open_basis(path: Path, model: Embedding, key: str, request: BasisRequest) -> StoredBasis:
    """`open_basis` of an entry of this polyterm's format (`ENTRY_FORMAT`)."""
    return open_basis(path, model, key, request, entry_format=ENTRY_FORMAT)


def _open_stability(path: Path, key: str, request: BasisRequest, runs: int, dims: int) -> Stability:
    """`open_stability` of an entry of this polyterm's format (`ENTRY_FORMAT`)."""
    return open_stability(path, key, request, runs, dims, entry_format=ENTRY_FORMAT)


class BasisStore:
    """Fits bases of models and keeps them: in memory for the model's life and, when a
    cache is given, on disk in the cache's ``bases/`` folder so a second run never refits
    (see the module docstring)."""

    def __init__(
        self,
        cache: ModelCache | None = None,
        warn: WarnFn | None = None,
        *,
        stability_jobs: int | None = None,
    ) -> None:
        self.cache = cache
        self.stability_jobs = stability_jobs
        """Processes for stability runs (None: `parallel_stability.default_jobs`)."""
        self.warn: WarnFn = warn or (lambda _msg: None)
        self._said: set[str] = set()

    # -- the API ------------------------------------------------------------------------
    def fitted(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> FittedBasis:
        """The fitted basis of `model` (ValueError when the model cannot take it). With a
        cache, the entry written holds the codes too (a later `in_basis` reads them)."""
        check_memory(model, request)
        request = _effective(model, request)
        key = _model_key(model)
        if self._bases_dir(key) is not None and not request.is_raw:
            return self._stored(model, request, progress, cancel).fitted
        return self._memo(
            model,
            ("basis", str(request.name), request.fit_words, request.seed),
            lambda: _fit(model, request, cancel, progress),
        )

    def stored(self, model: Embedding, request: BasisRequest) -> bool:
        """Whether `request`'s basis of `model` is ready without fitting: raw, kept in
        memory, or a sound entry in the cache (opened and verified, never fitted; a damaged
        entry counts as missing and is replaced when the basis is next fitted or put)."""
        if request.is_raw:
            return True
        request = _effective(model, request)
        memo_keys = [
            (kind, str(request.name), request.fit_words, request.seed)
            for kind in ("basis-entry", "in_basis", "basis")
        ]
        if any(k in model.memo for k in memo_keys):
            return True
        key = _model_key(model)
        folder = self._bases_dir(key)
        if folder is None or key is None:
            return False
        path = folder / entry_name(key, request)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
            opened = _open_basis(path, model, key, request)
        except (OSError, CorruptEntry, ValueError):
            return False
        self._memo(model, memo_keys[0], lambda: opened)
        return True

    def put(
        self,
        model: Embedding,
        request: BasisRequest,
        fitted: FittedBasis,
        *,
        codes: npt.NDArray[np.float32] | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> None:
        """Keep `fitted`, `request`'s basis of `model` fitted elsewhere (on a cluster
        worker), as if it had been fitted here: with a cache, the same verified atomic
        entry as a local fit (codes computed here unless `codes`, every word's codes in
        row order, float32, computed elsewhere in `code_blocks` by `fitted.transform`);
        otherwise in memory. An entry already stored is kept (the first complete one
        wins, as for concurrent local fits). ValueError when `fitted` or `codes` is not
        this request's basis of this model; nothing to do for raw."""
        if request.is_raw:
            return
        if (
            fitted.name != request.name
            or fitted.dims != model.dims
            or fitted.params.get("seed") != request.seed
            or fitted.params.get("fit_rows_requested") != request.fit_words
            or fitted.params.get("fit_rows") != min(request.fit_words, len(model))
        ):
            raise ValueError(f"the fitted basis is not the {request.label()} basis of {model.name}")
        if codes is not None and (
            codes.dtype != np.float32 or codes.shape != (len(model), fitted.n_codes)
        ):
            raise ValueError(
                f"the codes of the {request.name} basis of {model.name} are not float32 of "
                f"shape {len(model)} × {fitted.n_codes}"
            )
        request = _effective(model, request)
        basis_key = ("basis", str(request.name), request.fit_words, request.seed)
        key = _model_key(model)
        folder = self._bases_dir(key)
        if folder is None or key is None:
            self._memo(model, basis_key, lambda: fitted)
            if progress is not None:
                progress(1.0, "done")
            return
        path = folder / entry_name(key, request)

        def compute() -> StoredBasis:
            try:
                stored = self._reuse(path, lambda: _open_basis(path, model, key, request))
            except CacheError as exc:
                self.warn(
                    f"{exc}; the {request.name} basis of {model.name} is kept for this run only"
                )
                stored = self._in_memory(model, request, None, cancel, fitted, codes)
            if stored is None:  # the write reports its progress, "done" last
                return self._write_basis(path, model, key, request, fitted, progress, cancel, codes)
            if progress is not None:
                progress(1.0, "done")
            return stored

        self._memo(
            model, ("basis-entry", str(request.name), request.fit_words, request.seed), compute
        )

    def in_basis(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> Embedding:
        """`model` with its vectors replaced by its codes in `request`'s basis."""
        if request.is_raw:
            return model
        memo_key = ("in_basis", str(request.name), request.fit_words, request.seed)
        check_memory(model, request)
        stored_as = _effective(model, request)

        def compute() -> Embedding:
            key = _model_key(model)
            if self._bases_dir(key) is not None:
                stored = self._stored(model, stored_as, progress, cancel)
                coded = self._embedding(model, request, stored)
                if stored.unit is not None and self.cache is not None and key is not None:
                    entry = entry_name(key, stored_as)  # on disk (an in-memory one has no unit)
                    coded.memo[_NULL_HOME_KEY] = (self.cache.root, entry, self.warn)
                return coded
            fitted = self.fitted(
                model, stored_as, progress=_scaled(progress, 0.0, _FIT_SHARE), cancel=cancel
            )
            return self._embedding(
                model, request, self._in_memory(model, stored_as, progress, cancel, fitted)
            )

        return self._memo(model, memo_key, compute)

    def stability(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        runs: int = DEFAULT_RUNS,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> Stability:
        """Icasso stability of each component of an ica or dict:K basis (ValueError for
        another kind)."""
        check_memory(model, request, concurrent=max(1, min(runs, self.stability_jobs or 2)))
        request = _effective(model, request)
        memo_key = ("stability", str(request.name), request.fit_words, request.seed, runs)

        def compute() -> Stability:
            result = None
            key = _model_key(model)
            folder = self._bases_dir(key)
            path = None
            if folder is not None and key is not None:
                path = entry = folder / stability_entry_name(key, request, runs)
                try:
                    result = self._reuse(
                        entry, lambda: _open_stability(entry, key, request, runs, model.dims)
                    )
                except CacheError as exc:
                    self.warn(f"{exc}; the stability of {model.name} is kept for this run only")
                    path = None
            if result is None:
                with one_blas_thread():
                    result = parallel_stability(
                        model.vectors,
                        request.name,
                        runs=runs,
                        seed=request.seed,
                        fit_rows=request.fit_words,
                        jobs=self.stability_jobs,
                        cancel=cancel,
                        progress=progress,
                    )
                if path is not None and key is not None:
                    self._write_stability(path, model, key, request, runs, result, cancel)
            return result

        return self._memo(model, memo_key, compute)

    # -- memory -------------------------------------------------------------------------
    def _memo(self, model: Embedding, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`model.memoised`, with one computation at a time per key (threads wait)."""
        try:
            return cast(T, model.memo[key])
        except KeyError:
            pass
        identity = _model_key(model) or id(model)
        root = None if self.cache is None else str(self.cache.root)
        with _locked((root, identity, *key)):
            return model.memoised(key, compute)

    @staticmethod
    def _embedding(model: Embedding, request: BasisRequest, stored: StoredBasis) -> Embedding:
        coded = Embedding(
            name=f"{model.name} [{request.name}]",
            vocab=model.vocab,
            vectors=stored.codes,
            unit_vectors=stored.unit,
            counts=model.counts,
            extreme_rows=stored.extremes,
            manifest={**model.manifest, "basis": basis_record(model, request, stored.fitted)},
        )
        coded.memo[_SOURCE_KEY] = (model, stored.fitted)  # for rotated_dictionary_null
        return coded

    # -- disk ---------------------------------------------------------------------------
    def _bases_dir(self, key: str | None) -> Path | None:
        """The cache's ``bases/`` folder (made if missing), or None: no cache, a model
        without a content key, or a folder that is not a real one (a link is refused)."""
        if self.cache is None or key is None:
            return None
        folder = self.cache.bases_dir
        try:
            folder.mkdir(exist_ok=True)
            if stat.S_ISDIR(os.lstat(folder).st_mode):
                return folder
        except OSError:
            pass
        message = (
            f"{folder} is not a folder polyterm can use (a link or unreadable; polyterm never "
            "follows links inside its cache): bases are kept for this run only"
        )
        if message not in self._said:
            self._said.add(message)
            self.warn(message)
        return None

    def _reuse(self, path: Path, open_entry: Callable[[], T]) -> T | None:
        """The entry at `path` opened, None when there is none; a damaged one is reported,
        removed (a link: the link only) and None returned (so it is made again). Something
        else in its place (a file, a FIFO) is left alone: CacheError."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CacheError(f"cannot read {path}: {exc.strerror or exc}") from None
        if not (stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            raise CacheError(f"{path} is not a folder polyterm made; polyterm leaves it alone")
        try:
            return open_entry()
        except OutdatedEntry as exc:
            self.warn(f"{exc}; refitting it")
            assert self.cache is not None
            try:
                self.cache.remove_folder(path)
            except CacheError as err:
                self.warn(str(err))
            return None
        except CorruptEntry as exc:
            reason = str(exc)
        except (OSError, ValueError) as exc:
            reason = f"basis entry {path.name}: {exc}"
        self.warn(f"{reason}: the stored result was damaged; refitting it")
        assert self.cache is not None
        try:
            self.cache.remove_folder(path)
        except CacheError as exc:
            self.warn(str(exc))
        return None

    def _stored(
        self,
        model: Embedding,
        request: BasisRequest,
        progress: ProgressFn | None,
        cancel: CancelFlag | None,
    ) -> StoredBasis:
        """The basis entry of `model`, opened from disk or fitted and written now."""
        memo_key = ("basis-entry", str(request.name), request.fit_words, request.seed)

        def compute() -> StoredBasis:
            key = _model_key(model)
            folder = self._bases_dir(key)
            assert key is not None and folder is not None
            path = folder / entry_name(key, request)
            try:
                stored = self._reuse(path, lambda: _open_basis(path, model, key, request))
            except CacheError as exc:
                self.warn(
                    f"{exc}; the {request.name} basis of {model.name} is kept for this run only"
                )
                return self._in_memory(model, request, progress, cancel)
            if stored is not None:
                if progress is not None:
                    progress(1.0, "done")
                return stored
            fitted = _fit(model, request, cancel, _scaled(progress, 0.0, _FIT_SHARE))
            return self._write_basis(path, model, key, request, fitted, progress, cancel)

        return self._memo(model, memo_key, compute)

    @staticmethod
    def _in_memory(
        model: Embedding,
        request: BasisRequest,
        progress: ProgressFn | None,
        cancel: CancelFlag | None,
        fitted: FittedBasis | None = None,
        codes: npt.NDArray[np.float32] | None = None,
    ) -> StoredBasis:
        """Fit and transform (unless given) without writing anything."""
        if fitted is None:
            fitted = _fit(model, request, cancel, _scaled(progress, 0.0, _FIT_SHARE))
        result: npt.NDArray[Any]
        if codes is not None:
            result = codes
        else:
            with one_blas_thread():
                result = fitted.transform(
                    model.vectors, cancel=cancel, progress=_scaled(progress, _FIT_SHARE, 1.0)
                )
        return StoredBasis(fitted, np.ascontiguousarray(result, np.float32), None, None)

    def _write_basis(
        self,
        path: Path,
        model: Embedding,
        key: str,
        request: BasisRequest,
        fitted: FittedBasis,
        progress: ProgressFn | None,
        cancel: CancelFlag | None,
        given: npt.NDArray[np.float32] | None = None,
    ) -> StoredBasis:
        """Write the entry (codes in blocks, straight into the files; computed here with
        BLAS on one thread, or copied from `given`) and open it."""
        assert self.cache is not None
        cache = self.cache
        what = f"storing the {request.name} basis of {model.name}"
        n, k = len(model), fitted.n_codes
        try:
            with cache.building() as tmp:
                arrays = fitted.to_arrays()
                for name, value in arrays.items():
                    np.save(tmp / f"array-{name}.npy", value, allow_pickle=False)
                codes = np.lib.format.open_memmap(
                    tmp / "codes.npy", mode="w+", dtype=np.float32, shape=(n, k)
                )
                unit = np.lib.format.open_memmap(
                    tmp / "unit.npy", mode="w+", dtype=np.float32, shape=(n, k)
                )
                block: npt.NDArray[Any]
                for start, stop in code_blocks(n):
                    check_cancel(cancel, what)
                    if given is not None:
                        block = given[start:stop]
                    else:
                        with one_blas_thread():
                            block = fitted.transform(model.vectors[start:stop])
                    codes[start:stop] = block
                    unit[start:stop] = unit_rows(block)
                    if progress is not None:
                        progress(_FIT_SHARE + 0.3 * stop / max(1, n), "codes")
                check_cancel(cancel, what)
                extremes = np.stack([extreme_rows(codes), extreme_rows(unit)])
                np.save(tmp / "extremes.npy", extremes, allow_pickle=False)
                codes.flush()
                unit.flush()
                del codes, unit
                check_cancel(cancel, what)
                files = file_records(tmp)
                manifest = {
                    "format": ENTRY_FORMAT,
                    "kind": "basis",
                    "model": {
                        "name": model.name,
                        "content_sha256": key,
                        "shape": [n, model.dims],
                    },
                    "request": {
                        "basis": str(request.name),
                        "fit_words": request.fit_words,
                        "seed": request.seed,
                    },
                    "params": dict(fitted.params),
                    "arrays": sorted(arrays),
                    "shape": [n, k],
                    "files": files,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "versions": _versions(fitted.params),
                }
                (tmp / MANIFEST).write_text(
                    json.dumps(manifest, indent=1, default=_json_default), encoding="utf-8"
                )
                fsync_files(tmp)
                check_cancel(cancel, what)
                cache.install(tmp, path, lambda p: self._valid(p, model, key, request))
            stored = _open_basis(path, model, key, request)
        except (OSError, CorruptEntry, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.warn(
                f"could not store the {request.name} basis of {model.name} in {cache.root}: "
                f"{reason}; it is kept for this run only"
            )
            return self._in_memory(model, request, progress, cancel, fitted, given)
        if progress is not None:
            progress(1.0, "done")
        return stored

    @staticmethod
    def _valid(path: Path, model: Embedding, key: str, request: BasisRequest) -> bool:
        try:
            _open_basis(path, model, key, request)
        except (CorruptEntry, OSError, ValueError):
            return False
        return True

    def _write_stability(
        self,
        path: Path,
        model: Embedding,
        key: str,
        request: BasisRequest,
        runs: int,
        result: Stability,
        cancel: CancelFlag | None,
    ) -> None:
        """Write a stability entry (a failure is a warning: the result is still used)."""
        assert self.cache is not None
        cache = self.cache
        quality = result.quality
        arrays = {
            "index": quality.index,
            "intra": quality.intra,
            "extra": quality.extra,
            "cluster": quality.cluster,
            "cluster_size": quality.cluster_size,
            "cluster_runs": quality.cluster_runs,
            "unstable": result.unstable,
        }

        def valid(p: Path) -> bool:
            try:
                _open_stability(p, key, request, runs, model.dims)
            except (CorruptEntry, OSError, ValueError):
                return False
            return True

        try:
            with cache.building() as tmp:
                for name, value in arrays.items():
                    np.save(tmp / f"{name}.npy", np.asarray(value), allow_pickle=False)
                manifest = {
                    "format": ENTRY_FORMAT,
                    "kind": "stability",
                    "model": {
                        "name": model.name,
                        "content_sha256": key,
                        "shape": [len(model), model.dims],
                    },
                    "request": {
                        "basis": str(request.name),
                        "fit_words": request.fit_words,
                        "seed": request.seed,
                        "runs": runs,
                    },
                    "result": {
                        "basis": result.basis,
                        "seeds": list(result.seeds),
                        "fit_rows": result.fit_rows,
                        "threshold": result.threshold,
                        "mean_index": result.mean_index,
                        "n_stable": result.n_stable,
                    },
                    "files": file_records(tmp),
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "versions": _versions({}),
                }
                (tmp / MANIFEST).write_text(
                    json.dumps(manifest, indent=1, default=_json_default), encoding="utf-8"
                )
                fsync_files(tmp)
                check_cancel(cancel, f"storing the stability of {model.name}")
                cache.install(tmp, path, valid)
        except OSError as exc:
            self.warn(
                f"could not store the stability of the {request.name} basis of {model.name} "
                f"in {cache.root}: {exc.strerror or exc}; it is kept for this run only"
            )
