"""A basis entry on disk: its folder name, and opening it with everything checked.

A basis entry (``<cache>/bases/<content_sha256>-<basis>-f<fit words>-s<seed>``) holds a
fitted basis's arrays, the codes of every word, their unit rows and orderings; a stability
entry (the same name plus ``-stability-r<runs>``) the Icasso arrays of that basis. Opening
one reads its manifest through no link, checks the request and the model it names, verifies
its files (`polyterm.engine.file_integrity`: small files by sha256 every time, large ones
when size or time stamp moved) and every array's type, shape and values; anything else is
`CorruptEntry` (`OutdatedEntry` for an older entry format: refitted). Writing, reusing and
replacing entries is the store's (`polyterm.engine.bases.BasisStore`), which also holds
the entry format (`polyterm.engine.bases.ENTRY_FORMAT`, passed in here).

A request is anything with a basis name, fit words and a seed (`EntryRequest`:
`polyterm.engine.bases.BasisRequest` is one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from polyterm.core.bases import BasisName, FittedBasis, OutdatedBasis
from polyterm.core.dimensions import ORDER_DEPTH
from polyterm.core.embedding import Embedding
from polyterm.core.stability import ClusterQuality, Stability
from polyterm.engine.file_integrity import (
    CorruptEntry,
    check_file_records,
    read_manifest,
    verify_files,
)


class EntryRequest(Protocol):
    """What names a basis entry: the basis, the fit words and the seed."""

    @property
    def name(self) -> BasisName: ...

    @property
    def fit_words(self) -> int: ...

    @property
    def seed(self) -> int: ...


_SMALL_FILES_FULL_HASH = 1 << 24
"""Files up to this size are re-hashed on every open (the arrays, the orderings)."""
STABILITY_ARRAYS: dict[str, str] = {
    "index": "f",
    "intra": "f",
    "extra": "f",
    "cluster": "i",
    "cluster_size": "i",
    "cluster_runs": "i",
    "unstable": "b",
}


def _basis_slug(name: BasisName) -> str:
    return f"dict{name.atoms}" if name.kind == "dict" else name.kind


def entry_name(content_sha256: str, request: EntryRequest) -> str:
    """The folder name of a basis entry in ``<cache>/bases/``."""
    return f"{content_sha256}-{_basis_slug(request.name)}-f{request.fit_words}-s{request.seed}"


def stability_entry_name(content_sha256: str, request: EntryRequest, runs: int) -> str:
    """The folder name of a stability entry in ``<cache>/bases/``."""
    return f"{entry_name(content_sha256, request)}-stability-r{runs}"



@dataclass(frozen=True, slots=True)
class StoredBasis:
    """A basis entry as opened: the fit and the codes (mmaps), all checked."""

    fitted: FittedBasis
    codes: npt.NDArray[np.float32]
    unit: npt.NDArray[np.float32] | None
    extremes: npt.NDArray[np.int64] | None


class OutdatedEntry(CorruptEntry):
    """An entry written by an older polyterm (another fit or format): refitted."""


def _bad(path: Path, why: str) -> CorruptEntry:
    return CorruptEntry(f"basis entry {path.name}: {why}")


def _verify(path: Path, files: Mapping[str, Any]) -> None:
    """Small files by sha256 every time; large ones when size or time stamp moved."""
    small = {f: m for f, m in files.items() if m["size"] <= _SMALL_FILES_FULL_HASH}
    large = {f: m for f, m in files.items() if m["size"] > _SMALL_FILES_FULL_HASH}
    verify_files(path, small, full=True)
    verify_files(path, large)


def read_checked(
    path: Path, kind: str, key: str, request: EntryRequest, runs: int | None, entry_format: int
) -> dict[str, Any]:
    """The manifest of the entry at `path` with its request checked and its files verified
    (CorruptEntry, OSError or ValueError otherwise)."""
    manifest = read_manifest(path)
    version = manifest.get("format") if isinstance(manifest, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and 0 < version < entry_format:
        raise OutdatedEntry(
            f"basis entry {path.name} was made by an older polyterm (entry format {version}, "
            f"now {entry_format}: bases are now fitted to convergence)"
        )
    if not isinstance(manifest, dict) or version != entry_format:
        raise _bad(path, "the manifest is not one polyterm wrote")
    if manifest.get("kind") != kind:
        raise _bad(path, f"the manifest is not a {kind} entry")
    want: dict[str, Any] = {
        "basis": str(request.name),
        "fit_words": request.fit_words,
        "seed": request.seed,
    }
    if runs is not None:
        want["runs"] = runs
    model = manifest.get("model")
    if manifest.get("request") != want or not (
        isinstance(model, dict) and model.get("content_sha256") == key
    ):
        raise _bad(path, "the manifest names another model or request")
    files = check_file_records(manifest.get("files"), path.name)
    _verify(path, files)
    return manifest


def _load(path: Path, fname: str, files: Mapping[str, Any], *, mmap: bool = False) -> Any:
    if fname not in files:
        raise _bad(path, f"the manifest does not list {fname}")
    try:
        return np.load(path / fname, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise _bad(path, f"{fname}: {exc}") from None


def open_basis(
    path: Path, model: Embedding, key: str, request: EntryRequest, *, entry_format: int
) -> StoredBasis:
    """Open and check the basis entry at `path` for `model` (CorruptEntry, OSError or
    ValueError when it is damaged or is not this model's)."""
    manifest = read_checked(path, "basis", key, request, None, entry_format)
    files = manifest["files"]
    params = manifest.get("params")
    names = manifest.get("arrays")
    if not (isinstance(params, dict) and isinstance(names, list)):
        raise _bad(path, "the manifest has no params or arrays")
    expected = {f"array-{n}.npy" for n in names if isinstance(n, str)}
    expected |= {"codes.npy", "unit.npy", "extremes.npy"}
    if len(expected) != len(names) + 3 or set(files) != expected:
        raise _bad(path, "the manifest lists other files than a basis entry holds")
    arrays = {n: _load(path, f"array-{n}.npy", files) for n in names}
    try:
        fitted = FittedBasis.from_arrays(params, arrays)
    except OutdatedBasis as exc:
        raise OutdatedEntry(f"basis entry {path.name}: {exc}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise _bad(path, f"the fitted arrays are not a basis ({exc})") from None
    if fitted.name != request.name or fitted.dims != model.dims:
        raise _bad(path, "the fitted basis is not for this model")
    n_rows = len(model)
    requested = fitted.params.get("fit_rows_requested")
    if fitted.params.get("seed") != request.seed or not (
        isinstance(requested, int) and min(requested, n_rows) == min(request.fit_words, n_rows)
    ):
        raise _bad(path, "the fitted basis was fitted another way")
    n, k = len(model), fitted.n_codes
    if manifest.get("shape") != [n, k]:
        raise _bad(path, "the shape does not match the model")
    codes = _load(path, "codes.npy", files, mmap=True)
    unit = _load(path, "unit.npy", files, mmap=True)
    extremes = _load(path, "extremes.npy", files)
    for label, matrix in (("codes", codes), ("unit", unit)):
        if matrix.dtype != np.float32 or matrix.shape != (n, k):
            raise _bad(path, f"{label}.npy is not float32 of shape {n} × {k}")
        # NaN or inf anywhere makes the sum so (float32 values cannot overflow a float64
        # sum); a consistent forged entry is refitted, never shown
        if not np.isfinite(np.sum(matrix, dtype=np.float64)):
            raise _bad(path, f"{label}.npy holds NaN or infinite values")
    if not (
        extremes.dtype == np.int64
        and extremes.shape == (2, 2, k, min(ORDER_DEPTH, n))
        and (extremes.size == 0 or (extremes.min() >= 0 and extremes.max() < n))
    ):
        raise _bad(path, "extremes.npy does not match the codes")
    return StoredBasis(fitted, codes, unit, extremes)


def open_stability(
    path: Path, key: str, request: EntryRequest, runs: int, dims: int, *, entry_format: int
) -> Stability:
    """Open and check the stability entry at `path` of a `dims`-dimensional model
    (CorruptEntry, OSError, ValueError): one component per atom of dict:K, 1 to `dims`
    ICA components."""
    manifest = read_checked(path, "stability", key, request, runs, entry_format)
    files = manifest["files"]
    if set(files) != {f"{n}.npy" for n in STABILITY_ARRAYS}:
        raise _bad(path, "the manifest lists other files than a stability entry holds")
    result = manifest.get("result")
    if not isinstance(result, dict):
        raise _bad(path, "the manifest has no result")
    arrays = {n: _load(path, f"{n}.npy", files) for n in STABILITY_ARRAYS}
    k = arrays["index"].shape[0] if arrays["index"].ndim == 1 else -1
    atoms = request.name.atoms
    if not (k == atoms if atoms is not None else 1 <= k <= dims):
        raise _bad(path, f"the stability arrays have {k} components, not the basis's")
    for n, kind in STABILITY_ARRAYS.items():
        if arrays[n].shape != (k,) or arrays[n].dtype.kind != kind:
            raise _bad(path, f"{n}.npy does not match the other arrays")
        arrays[n] = np.array(arrays[n])
        arrays[n].flags.writeable = False
    try:
        seeds = tuple(int(s) for s in result["seeds"])
        stability = Stability(
            basis=str(result["basis"]),
            seeds=seeds,
            fit_rows=int(result["fit_rows"]),
            threshold=float(result["threshold"]),
            quality=ClusterQuality(
                index=arrays["index"],
                intra=arrays["intra"],
                extra=arrays["extra"],
                cluster=arrays["cluster"],
                cluster_size=arrays["cluster_size"],
                cluster_runs=arrays["cluster_runs"],
            ),
            unstable=arrays["unstable"],
            mean_index=float(result["mean_index"]),
            n_stable=int(result["n_stable"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"the result is incomplete ({exc})") from None
    if (
        stability.basis != str(request.name)
        or len(seeds) != runs
        or stability.n_stable != int((~stability.unstable).sum())
    ):
        raise _bad(path, "the result does not match its arrays")
    return stability
