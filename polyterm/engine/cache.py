"""The model cache: one folder per model, written atomically, verified on open.

Layout of an entry ``<root>/models/<slug>-<key>/``:

- ``vectors.npy`` float32 (n, d); ``unit.npy`` the same rows at unit length;
- ``vocab.txt`` UTF-8, one word per line in row order; ``counts.npy`` int64 when known;
- ``extremes.npy`` int64 (2 scales, 2 ends, d, depth): the rows at both ends of every
  dimension, raw and unit (`polyterm.core.dimensions.extreme_rows`), so the first view of
  a dimension reads 100 rows instead of sorting a column (entries written before it
  existed have none and sort on first view);
- ``manifest.json``: spec, source, parameters, corpus fingerprint, library versions,
  shape, per-file size and sha256, creation time.

An entry is built in ``<root>/tmp/<pid>-<random>/`` and renamed into place, so a cancelled
or killed run leaves no entry. On open every file's size is checked; a file whose mtime
differs from the manifest's stamp is re-hashed, so a changed byte is caught without hashing
gigabytes on every open. No pickle: arrays load with ``allow_pickle=False`` and mmap.

A manifest that is not what polyterm wrote (bad JSON, missing fields, odd file names) makes
the entry corrupt: the library reports it and rebuilds it. When two writers race for one
entry, the first valid entry stays and the other copy is dropped.

A cache root is marked by a ``CACHEDIR.TAG`` file written when polyterm creates it; a
folder that is neither empty nor marked (nor a cache made before the tag existed) is
refused (`ForeignFolder`), and links inside the root are never followed. Opening a cache
sweeps only what polyterm itself names: ``tmp/<pid>-…`` folders and token-cache temp
files of processes that no longer run. Entry files must be regular files (a link, even to
``/dev/zero``, makes the entry corrupt). `open_cache` falls back to a temporary cache, with
a warning, when the folder is unusable (read-only, a file, no space).

What a manifest records, parsed (`Manifest`), is in `polyterm.engine.cache_records`; the
file checks shared with basis entries (``files`` records, `verify_files`, `read_manifest`,
`CorruptEntry`) in `polyterm.engine.file_integrity`. Both are imported here too.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.dimensions import ORDER_DEPTH, extreme_rows
from polyterm.core.embedding import Embedding, unit_rows
from polyterm.core.vocabulary import Vocabulary
from polyterm.engine import cache_records, file_integrity
from polyterm.engine.atomic import pid_alive, sweep_stale_temp_files, write_text_atomic
from polyterm.engine.settings import low_space
from polyterm.engine.specs import ModelSpec, cache_key
from polyterm.errors import CacheError

# the records and the file checks (imported from here too, as before they moved)
Manifest = cache_records.Manifest
TrainingRecord = cache_records.TrainingRecord
CorpusRecord = cache_records.CorpusRecord
FileRecord = cache_records.FileRecord
library_versions = cache_records.library_versions
CorruptEntry = file_integrity.CorruptEntry
MANIFEST = file_integrity.MANIFEST
MANIFEST_MAX_BYTES = file_integrity.MANIFEST_MAX_BYTES
check_file_records = file_integrity.check_file_records
file_records = file_integrity.file_records
fsync_files = file_integrity.fsync_files
read_manifest = file_integrity.read_manifest
verify_files = file_integrity.verify_files

FORMAT_VERSION = 1
REQUIRED_FILES = ("vectors.npy", "unit.npy", "vocab.txt")
ORDERINGS = "extremes.npy"
"""Derived from the vectors; left out of ``content_sha256`` so a model's identity does not
change with how its orderings are stored."""
_SLUG = re.compile(r"[^A-Za-z0-9_.@=-]+")
MARKER = "CACHEDIR.TAG"
MARKER_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by polyterm.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
"""Written when polyterm creates a cache root (the Cache Directory Tagging standard, so
backup tools skip it); a non-empty folder without it is not polyterm's to sweep."""
CACHE_FOLDERS = ("models", "tmp", "corpora", "bases")
_UNTAGGED_FOLDERS = ("models", "tmp", "corpora")
"""What a cache made before the tag (and before ``bases``) holds: how one is recognised."""
_MARKER_TEMP = re.compile(r"^\.CACHEDIR\.TAG\.\d+\.[a-z0-9_]{8}\.tmp$")
"""`atomic_file`'s temp name for the tag: a root holding only that is being claimed."""
_OWN_TEMP = re.compile(r"^(?P<pid>\d+)-(?:(?:old-|rm-)?[0-9a-f]{32}|probe-[a-z0-9_]{8})$")
"""Names polyterm gives what it makes in ``tmp/``: ``<pid>-[old-|rm-]<uuid hex>`` folders and
``<pid>-probe-<random>`` files (the writability check)."""
_CHOOSE = "choose another with --cache-dir or POLYTERM_CACHE_DIR"


def _check_manifest(manifest: Any, name: str) -> dict[str, Any]:
    """The manifest if it has the fields polyterm relies on, else CorruptEntry."""

    def bad(why: str) -> CorruptEntry:
        return CorruptEntry(f"cache entry {name}: the manifest {why}")

    if not isinstance(manifest, dict):
        raise bad("is not a JSON object")
    if manifest.get("format") != FORMAT_VERSION:
        raise bad(f"has an unknown format ({manifest.get('format')!r})")
    shape = manifest.get("shape")
    if not (
        isinstance(shape, list)
        and len(shape) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in shape)
    ):
        raise bad("has no valid shape")
    files = manifest.get("files")
    if not isinstance(files, dict) or not set(REQUIRED_FILES) <= set(files):
        raise bad("does not list the entry's files")
    check_file_records(files, name)
    return manifest


def _read_entry(path: Path) -> CacheEntry:
    """The entry in folder `path` with its manifest checked (OSError, ValueError for an
    unreadable one, CorruptEntry for one that is not what polyterm writes)."""
    return CacheEntry(path, _check_manifest(read_manifest(path), path.name))


FULL_CHECK_BYTES = 64 * 2**20
"""Entries up to this size are hashed on every open: measured on a 2-core machine at
~400 MB/s, 11 ms for brown_30 (3.7 MB) and 79 ms for brown_300 (35 MB), where GloVe 6B
50d (164 MB, 392 ms) would lose its millisecond open."""


@dataclass(frozen=True, slots=True)
class CacheEntry:
    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", self.path.name))

    @property
    def shape(self) -> tuple[int, int]:
        rows, dims = self.manifest["shape"]
        return int(rows), int(dims)

    @property
    def typed(self) -> Manifest:
        """The manifest parsed (`Manifest`); the entry's `manifest` is the JSON as read."""
        return Manifest.of(self.manifest)

    def disk_bytes(self) -> int:
        return sum(
            st.st_size for p in self.path.iterdir() if stat.S_ISREG((st := os.lstat(p)).st_mode)
        )


class ForeignFolder(CacheError):
    """A folder that is neither empty nor a polyterm cache: polyterm refuses to use it (no
    fallback), because sweeping it could delete what polyterm did not create."""


def _is_own_marker(path: Path) -> bool:
    """Whether `path` is a regular file (not a link) holding polyterm's cache tag."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return False
        with path.open("rb") as fh:
            head = fh.read(len(MARKER_TEXT))
    except OSError:
        return False
    return head == MARKER_TEXT.encode()


def _is_untagged_cache(root: Path, entries: list[Path]) -> bool:
    """Whether `root` is a cache polyterm made before it wrote tags: nothing but real
    ``models``/``tmp``/``corpora`` folders, every folder in ``models`` an entry (a real
    folder with a regular ``manifest.json`` of polyterm's format), and at least one entry.
    A user's project that happens to hold ``models/`` and ``tmp/`` is not one."""
    try:
        if (root / "models") not in entries or not all(
            e.name in _UNTAGGED_FOLDERS and stat.S_ISDIR(os.lstat(e).st_mode) for e in entries
        ):
            return False
        found = False
        for entry in (root / "models").iterdir():
            manifest = _read_entry(entry).manifest  # raises for anything but an entry
            if manifest.get("format") != FORMAT_VERSION:
                return False
            found = True
    except (OSError, ValueError, CorruptEntry):
        return False
    # at least one entry with polyterm's manifest: empty `models/`, `tmp/` and `corpora/`
    # folders alone are anyone's, and adopting them deleted polyterm-shaped files there
    return found


def _claim(root: Path) -> None:
    """Make `root` a polyterm cache root, or raise ForeignFolder / OSError.

    A root is polyterm's when it holds the tag file polyterm writes on creation, or when it
    is a cache made before the tag existed (nothing but real ``models``/``tmp``/``corpora``
    folders, ``models`` among them holding at least one entry with polyterm's manifest).
    A missing or empty folder is claimed (tagged); any
    other folder is refused.
    """
    root.mkdir(parents=True, exist_ok=True)
    if _is_own_marker(root / MARKER):
        return
    # another process claiming this root at the same moment: its tag is being written
    entries = [e for e in root.iterdir() if not _MARKER_TEMP.match(e.name)]
    if entries and not _is_untagged_cache(root, entries):
        raise ForeignFolder(
            f"{root} is not a polyterm cache and is not empty (polyterm only uses a new or "
            f"empty folder, or one it made, which holds its {MARKER}); {_CHOOSE}"
        )
    write_text_atomic(root / MARKER, MARKER_TEXT)


class ModelCache:
    """A cache root; creating it makes the folders or raises CacheError saying why
    (ForeignFolder for a folder that is not polyterm's)."""

    def __init__(self, root: Path, *, read_also: Path | None = None) -> None:
        self.root = Path(root)
        # a read-only cache whose entries are read too (open_cache): what it holds is used,
        # what is made now goes to `root`
        self.read_also = read_also
        try:
            _claim(self.root)
            for sub in CACHE_FOLDERS:
                folder = self.root / sub
                folder.mkdir(exist_ok=True)
                if not stat.S_ISDIR(os.lstat(folder).st_mode):
                    raise ForeignFolder(
                        f"{folder} is a link, not a folder: polyterm never follows links "
                        f"inside its cache; remove it, or {_CHOOSE}"
                    )
            with tempfile.NamedTemporaryFile(dir=self.root / "tmp", prefix=f"{os.getpid()}-probe-"):
                pass
        except ForeignFolder:
            raise
        except OSError as exc:
            raise CacheError(
                f"cannot use the cache folder {self.root}: {exc.strerror or exc}; {_CHOOSE}"
            ) from None
        self._sweep_tmp()

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def bases_dir(self) -> Path:
        """Where `polyterm.engine.bases.BasisStore` keeps fitted bases and their codes."""
        return self.root / "bases"

    def entry_path(self, spec: ModelSpec) -> Path:
        slug = _SLUG.sub("_", spec.name)[:80]
        return self.models_dir / f"{slug}-{cache_key(spec)}"

    # -- temp folders -------------------------------------------------------------------
    def _sweep_tmp(self) -> None:
        """Remove temp folders and files that polyterm made (by name) for processes that
        no longer run; anything else, and any link, is left alone."""
        with contextlib.suppress(OSError):
            for d in (self.root / "tmp").iterdir():
                m = _OWN_TEMP.match(d.name)
                if m is None or pid_alive(int(m["pid"])):
                    continue
                with contextlib.suppress(OSError):
                    mode = os.lstat(d).st_mode
                    if stat.S_ISDIR(mode):
                        shutil.rmtree(d, ignore_errors=True)
                    elif stat.S_ISREG(mode):
                        d.unlink()
        sweep_stale_temp_files(self.root / "corpora", alive=pid_alive)

    @contextlib.contextmanager
    def building(self) -> Iterator[Path]:
        """A fresh temp folder that is removed unless it was renamed into place."""
        tmp = self.root / "tmp" / f"{os.getpid()}-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------
    def entries(self, report: Callable[[str], None] | None = None) -> list[CacheEntry]:
        """Entries with a readable, well-formed manifest; the others are skipped, each told
        to ``report`` (one line: which entry and why) when given."""
        out = []
        folders: list[Path] = []
        names: set[str] = set()
        for models in self._model_folders():
            try:
                found = sorted(models.iterdir())
            except OSError:
                continue
            folders += [d for d in found if d.name not in names]
            names |= {d.name for d in found}
        for d in folders:
            try:
                out.append(_read_entry(d))
            except (OSError, ValueError, CorruptEntry) as exc:
                if report is not None:
                    reason = str(exc) if isinstance(exc, CorruptEntry) else f"unreadable ({exc})"
                    if not reason.startswith("cache entry"):
                        reason = f"cache entry {d.name}: {reason}"
                    report(f"{reason}: skipped")
        return out

    def _model_folders(self) -> list[Path]:
        extra = [self.read_also / "models"] if self.read_also is not None else []
        return [self.models_dir, *extra]

    def find(self, spec: ModelSpec) -> CacheEntry | None:
        path = self.entry_path(spec)
        if not (path / MANIFEST).exists() and self.read_also is not None:
            path = self.read_also / "models" / path.name  # made before, in the read-only one
        if not (path / MANIFEST).exists():
            return None
        try:
            return _read_entry(path)
        except (OSError, ValueError) as exc:
            raise CorruptEntry(f"cache entry {path.name}: unreadable manifest ({exc})") from None

    def verify(self, entry: CacheEntry, *, full: bool = False) -> None:
        """Raise CorruptEntry naming the first file that does not match the manifest.

        An entry whose files total at most FULL_CHECK_BYTES is hashed on every open (a
        changed byte is found even when the file's mtime was restored); a larger one is
        checked by each file's type, size and mtime, and hashed when an mtime differs
        (or with `full`)."""
        files: Mapping[str, Any] = _check_manifest(entry.manifest, entry.path.name)["files"]
        small = sum(int(meta["size"]) for meta in files.values()) <= FULL_CHECK_BYTES
        verify_files(entry.path, files, full=full or small)

    def open(self, entry: CacheEntry, *, verified: bool = False) -> Embedding:
        """Verify (unless the caller just did) and mmap an entry."""
        if not verified:
            self.verify(entry)
        p = entry.path
        fname = "vectors.npy"
        try:
            vectors = np.load(p / fname, mmap_mode="r", allow_pickle=False)
            fname = "unit.npy"
            unit = np.load(p / fname, mmap_mode="r", allow_pickle=False)
            fname = "vocab.txt"
            # bytes, not read_text: universal newlines would split a word holding a "\r"
            words = (p / fname).read_bytes().decode("utf-8").split("\n")[:-1]
            fname = "counts.npy"
            counts = None
            if fname in entry.manifest["files"]:  # only files the manifest lists (verified)
                counts = np.load(p / fname, allow_pickle=False)
            fname = ORDERINGS
            extremes = None
            if fname in entry.manifest["files"]:
                extremes = np.load(p / fname, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise CorruptEntry(f"cache entry {p.name}: {fname}: {exc}") from None
        rows, dims = entry.shape
        if vectors.shape != (rows, dims) or unit.shape != (rows, dims) or len(words) != rows:
            raise CorruptEntry(f"cache entry {p.name}: shapes do not match the manifest")
        if vectors.dtype != np.float32 or unit.dtype != np.float32:
            raise CorruptEntry(f"cache entry {p.name}: vectors are not float32")
        if counts is not None and counts.shape != (rows,):
            raise CorruptEntry(f"cache entry {p.name}: counts do not match the manifest")
        if extremes is not None and not (
            extremes.dtype == np.int64
            and extremes.shape == (2, 2, dims, min(ORDER_DEPTH, rows))
            and (extremes.size == 0 or (extremes.min() >= 0 and extremes.max() < rows))
        ):
            raise CorruptEntry(f"cache entry {p.name}: extremes.npy does not match the manifest")
        return Embedding(
            name=entry.name,
            vocab=Vocabulary(words, entry.name),
            vectors=vectors,
            unit_vectors=unit,
            counts=counts,
            extreme_rows=extremes,
            manifest=Manifest.of(entry.manifest),
        )

    # -- writing ------------------------------------------------------------------------
    def write(
        self,
        spec: ModelSpec,
        words: Sequence[str],
        vectors: npt.ArrayLike,
        *,
        counts: npt.ArrayLike | None = None,
        manifest: Mapping[str, Any],
    ) -> CacheEntry:
        """Write an entry atomically and return it (replacing a corrupt one)."""
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ValueError(f"{len(words)} words for vectors of shape {matrix.shape}")
        if any("\n" in w for w in words):
            raise ValueError("words must not contain newlines")
        final = self.entry_path(spec)
        try:
            with self.building() as tmp:
                np.save(tmp / "vectors.npy", matrix, allow_pickle=False)
                unit = unit_rows(matrix)
                np.save(tmp / "unit.npy", unit, allow_pickle=False)
                extremes = np.stack([extreme_rows(matrix), extreme_rows(unit)])
                np.save(tmp / ORDERINGS, extremes, allow_pickle=False)
                del unit
                (tmp / "vocab.txt").write_bytes("".join(w + "\n" for w in words).encode("utf-8"))
                if counts is not None:
                    np.save(tmp / "counts.npy", np.asarray(counts, dtype=np.int64))
                files = file_records(tmp)
                full_manifest = {
                    **manifest,
                    "format": FORMAT_VERSION,
                    "name": spec.name,
                    "key": cache_key(spec),
                    "identity": spec.identity(),
                    "shape": [int(matrix.shape[0]), int(matrix.shape[1])],
                    "content_sha256": hashlib.sha256(
                        "".join(
                            meta["sha256"] for f, meta in files.items() if f != ORDERINGS
                        ).encode()
                    ).hexdigest(),
                    "files": files,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "versions": library_versions(),
                }
                (tmp / MANIFEST).write_text(json.dumps(full_manifest, indent=1), encoding="utf-8")
                fsync_files(tmp)
                self._install(tmp, final)
        except OSError as exc:
            raise CacheError(
                f"could not write the cache entry for {spec.name} in {self.root}: "
                f"{exc.strerror or exc}; free some space or use --cache-dir"
            ) from None
        entry = self.find(spec)
        if entry is None:
            raise CacheError(
                f"the cache entry for {spec.name} was removed while it was written; try again"
            )
        return entry

    def _install(self, tmp: Path, final: Path) -> None:
        """Rename `tmp` to `final`. A valid entry already there (another writer of the same
        spec won the race) is kept and ours dropped; a corrupt one is replaced."""
        self.install(tmp, final, self._valid)

    def install(self, tmp: Path, final: Path, valid: Callable[[Path], bool]) -> None:
        """Rename the folder `tmp` (made by `building`) to `final`. When `final` exists and
        `valid(final)` (another writer of the same entry won the race) it is kept and ours
        dropped; otherwise it is moved into ``tmp/`` and removed (a link: only the link),
        and the rename tried again."""
        for _attempt in range(5):
            try:
                os.rename(tmp, final)
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            if valid(final):
                return  # the building() context removes our copy
            trash = self.root / "tmp" / f"{os.getpid()}-old-{uuid.uuid4().hex}"
            try:
                os.rename(final, trash)
            except FileNotFoundError:
                continue  # another writer moved it first
            _discard(trash)
        raise OSError(errno.EEXIST, "another process keeps writing this entry")

    def _valid(self, path: Path) -> bool:
        try:
            self.verify(_read_entry(path))
        except (OSError, ValueError, CorruptEntry):
            return False
        return True

    def remove(self, entry: CacheEntry) -> None:
        """Remove a model entry and the bases fitted to it (``bases/<content_sha256>-…``),
        unless another model entry has the same content."""
        self.remove_folder(entry.path)
        sha = entry.manifest.get("content_sha256")
        if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
            return
        if any(e.manifest.get("content_sha256") == sha for e in self.entries()):
            return
        try:
            names = [p for p in self.bases_dir.iterdir() if p.name.startswith(f"{sha}-")]
        except OSError:
            return  # no bases folder (or unreadable): nothing of this model to remove
        for path in names:
            with contextlib.suppress(OSError):  # gone meanwhile: nothing to do
                if stat.S_ISDIR(os.lstat(path).st_mode) or path.is_symlink():
                    self.remove_folder(path)

    def remove_folder(self, path: Path) -> None:
        """Remove the entry folder `path` (of ``models/`` or ``bases/``): moved into ``tmp/``
        first, then deleted; a link there is removed, never its target."""
        trash = self.root / "tmp" / f"{os.getpid()}-rm-{uuid.uuid4().hex}"
        try:
            os.rename(path, trash)
        except FileNotFoundError:
            return  # already gone (another process removed or replaced it)
        except OSError as exc:
            raise CacheError(
                f"cannot remove the cache entry {path.name}: {exc.strerror or exc}"
            ) from None
        _discard(trash)


def _discard(path: Path) -> None:
    """Delete a folder polyterm moved out of the way (a link there: the link only)."""
    if os.path.islink(path):
        with contextlib.suppress(OSError):
            os.unlink(path)
    else:
        shutil.rmtree(path, ignore_errors=True)


WarnCallback = Callable[[str], None]
"""Where a warning for the user goes (the CLI prints it, the explorer notifies)."""


def open_cache(root: Path, warn: WarnCallback | None = None) -> ModelCache:
    """`ModelCache(root)`, or, when that folder cannot be used (read-only, a file, no
    space), a temporary cache for this run only, with a warning saying so and why.

    The temporary cache is removed when the process exits. Raises ForeignFolder for a folder
    that is not polyterm's (using a temporary cache would hide that mistake), and CacheError
    only when no temporary folder can be made either.
    """
    try:
        usable = ModelCache(root)
    except ForeignFolder:
        raise
    except CacheError as exc:
        reason = str(exc)
    else:
        full = low_space(usable.root)  # "no space": the temporary cache, as documented
        if full is None:
            return usable
        reason = full
    # a tagged cache that can still be read (read-only, a full disk): its models are used
    readable = _is_own_marker(Path(root) / MARKER) and os.access(
        Path(root) / "models", os.R_OK | os.X_OK
    )
    try:
        tmp_root = Path(tempfile.mkdtemp(prefix="polyterm-cache-"))
        cache = ModelCache(tmp_root, read_also=Path(root) if readable else None)
    except (OSError, CacheError):
        raise CacheError(reason) from None
    atexit.register(shutil.rmtree, tmp_root, True)
    if warn is not None:
        kept = "its models are used; " if readable else ""
        warn(
            f"{reason.removesuffix('; ' + _CHOOSE)}; {kept}using a temporary cache at "
            f"{tmp_root} for this run (models made now are not kept). Fix the folder, or "
            f"{_CHOOSE}"
        )
    return cache
