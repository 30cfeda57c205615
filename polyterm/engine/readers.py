"""Reading vector files: word2vec binary and text, GloVe text, gensim native (trusted only).

Row policy (applied to every reader, reported in the load's `notes`):

- rows with NaN or infinite values are dropped — they poison every cosine;
- all-zero rows are dropped — they have no direction, so no cosine;
- a word that occurs again keeps its first (most frequent) row; later rows are dropped;
- rows whose word is empty, holds a line break or is not valid Unicode are dropped;
- a file left with no usable row at all is an error (ModelFileError), never an empty model.

Text files may start with a ``<count> <dims>`` header (word2vec) or not (GloVe). A row with
the wrong number of values is an error naming the line. `limit` reads the first N rows
(the N most frequent words in files sorted by frequency, as GoogleNews and GloVe are).
"""

from __future__ import annotations

import gzip
import io
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from polyterm.engine.progress import (
    CancelFlag,
    Progress,
    ProgressCallback,
    check_cancel,
    no_progress,
)
from polyterm.errors import ModelFileError

PICKLE_SUFFIXES = (".model", ".kv", ".pkl", ".pickle")
BINARY_SUFFIXES = (".bin", ".bin.gz", ".w2v")
CHUNK_ROWS = 50_000
MAX_FILE_DIMS = 100_000
"""Larger dimensions in a header mean the file is not a vector file (or is damaged)."""


@dataclass(slots=True)
class LoadedVectors:
    words: list[str]
    vectors: npt.NDArray[np.float32]
    counts: npt.NDArray[np.int64] | None = None
    notes: list[str] = field(default_factory=list)
    file_format: str = ""


def clean_rows(loaded: LoadedVectors, *, source: str = "") -> LoadedVectors:
    """Apply the row policy (module docstring) and record what was dropped.

    Raises ModelFileError when no row is left (`source` names the file in the message).
    """
    v = loaded.vectors
    if v.ndim != 2 or v.shape[0] != len(loaded.words):
        raise ModelFileError(
            f"{source or 'the model'}: {len(loaded.words)} words but vectors of shape {v.shape}"
        )
    finite = np.isfinite(v).all(axis=1)
    nonzero = np.any(v != 0, axis=1)
    keep = finite & nonzero
    seen: set[str] = set()
    dup = unusable = 0
    for i, w in enumerate(loaded.words):
        if not _usable_word(w):
            if keep[i]:
                unusable += 1
            keep[i] = False
        elif w in seen:
            if keep[i]:
                dup += 1
            keep[i] = False
        elif keep[i]:
            seen.add(w)
    bad = int((~finite).sum())
    zero = int((finite & ~nonzero).sum())
    if unusable:
        loaded.notes.append(
            f"dropped {unusable} rows whose word is empty, has a line break or is not Unicode"
        )
    if bad:
        loaded.notes.append(f"dropped {bad} rows with NaN or infinite values")
    if zero:
        loaded.notes.append(f"dropped {zero} all-zero rows")
    if dup:
        loaded.notes.append(f"dropped {dup} repeated words (kept the first row)")
    if not keep.any():
        what = "; ".join(loaded.notes) or "it has no rows"
        raise ModelFileError(f"{source or 'the model'} has no usable vectors ({what})")
    if keep.all():
        return loaded
    idx = np.flatnonzero(keep)
    counts = None if loaded.counts is None else loaded.counts[idx]
    return LoadedVectors(
        [loaded.words[i] for i in idx],
        np.ascontiguousarray(v[idx]),
        counts,
        loaded.notes,
        loaded.file_format,
    )


def _usable_word(w: str) -> bool:
    if not w or "\n" in w or "\r" in w:
        return False
    if w.isascii():
        return True
    try:
        w.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        fh = gzip.open(path, "rb")  # noqa: SIM115 - returned to the caller
        try:
            fh.peek(1)
        except (OSError, EOFError) as exc:
            fh.close()
            raise ModelFileError(f"{path} is not a valid gzip file ({exc})") from None
        return fh  # type: ignore[return-value]
    return path.open("rb")


def _is_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def read_text_vectors(
    path: Path,
    *,
    limit: int | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> LoadedVectors:
    """word2vec text (with header) or GloVe text (without)."""
    with _open(path) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="\n")
        try:
            first = stream.readline()
        except UnicodeDecodeError:
            raise ModelFileError(
                f"{path} is not UTF-8 text; if it is word2vec binary, name it .bin"
            ) from None
        header = _is_header(first.encode())
        lineno = 1
        dims: int | None = header[1] if header else None
        expected_rows = header[0] if header else None
        if header and (dims is None or dims < 1):
            raise ModelFileError(f"{path}: header {first.strip()!r} has no dimensions")
        pending = [] if header else [first]
        words: list[str] = []
        blocks: list[npt.NDArray[np.float32]] = []
        buf_words: list[str] = []
        buf_values: list[str] = []
        wanted = limit if limit is not None else expected_rows

        def flush() -> None:
            if not buf_values:
                return
            try:
                block = np.array(" ".join(buf_values).split(), dtype=np.float32)
            except ValueError as exc:
                raise ModelFileError(
                    f"{path}: a value near line {lineno} is not a number ({exc})"
                ) from None
            blocks.append(block.reshape(len(buf_values), dims or 0))
            words.extend(buf_words)
            buf_words.clear()
            buf_values.clear()

        def lines() -> Any:
            yield from pending
            yield from stream

        try:
            for line in lines():
                lineno += 1
                line = line.rstrip("\n").rstrip("\r")
                if not line.strip():
                    continue
                word, _, rest = line.partition(" ")
                values = rest.split()
                if dims is None:
                    dims = len(values)
                    if dims == 0:
                        raise ModelFileError(f"{path}: line {lineno - 1} has a word but no values")
                if len(values) != dims:
                    raise ModelFileError(
                        f"{path}: line {lineno - (0 if header else 1)} has {len(values)} values, "
                        f"expected {dims}"
                    )
                buf_words.append(word)
                buf_values.append(rest)
                if len(buf_words) >= CHUNK_ROWS:
                    flush()
                    check_cancel(cancel, f"loading {path.name}")
                    frac = len(words) / wanted if wanted else 0.0
                    progress(Progress(path.name, "load", min(frac, 1.0), f"{len(words):,} words"))
                if wanted is not None and len(words) + len(buf_words) >= wanted:
                    break
        except UnicodeDecodeError:
            raise ModelFileError(f"{path}: line {lineno} is not UTF-8 text") from None
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise ModelFileError(f"{path}: the file is truncated or damaged ({exc})") from None
        flush()
    if not words:
        raise ModelFileError(f"{path} has no vectors")
    if header and limit is None and len(words) != expected_rows:
        raise ModelFileError(
            f"{path}: the header promises {expected_rows} words but the file has {len(words)} "
            "(truncated?)"
        )
    vectors = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    fmt = "word2vec text" if header else "GloVe text (no header)"
    return clean_rows(LoadedVectors(words, vectors, None, [], fmt), source=str(path))


def read_binary_vectors(
    path: Path,
    *,
    limit: int | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> LoadedVectors:
    """word2vec C binary: ``<n> <d>\\n`` then per word ``word<space><d float32>[\\n]``."""
    with _open(path) as fh:
        try:
            header = _is_header(fh.readline())
            if header is None:
                raise ModelFileError(f"{path}: not word2vec binary (no '<words> <dims>' header)")
            n, d = header
            if not 1 <= d <= MAX_FILE_DIMS:
                raise ModelFileError(
                    f"{path}: header says {d} dimensions (expected 1 to {MAX_FILE_DIMS}); "
                    "not a word2vec binary file?"
                )
            if n < 1:
                raise ModelFileError(f"{path} has no vectors (its header says {n} words)")
            rows = min(n, limit) if limit else n
            data = fh.read()  # words and vectors interleave; one read, then slice
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise ModelFileError(f"{path}: the file is truncated or damaged ({exc})") from None
    width = 4 * d
    # every row takes at least a 1-byte word, a space and 4*d bytes: check before allocating
    fits = len(data) // (width + 2)
    if rows > fits:
        raise ModelFileError(
            f"{path}: the header promises {n:,} words of {d} dimensions but the file holds at "
            f"most {fits:,} (truncated?); re-download it"
            + (f" or pass --limit {fits}" if fits else "")
        )
    words: list[str] = []
    vectors = np.empty((rows, d), dtype=np.float32)
    pos = 0
    for i in range(rows):
        if i % CHUNK_ROWS == 0 and i:
            check_cancel(cancel, f"loading {path.name}")
            progress(Progress(path.name, "load", i / rows, f"{i:,} words"))
        while pos < len(data) and data[pos] in (10, 13):
            pos += 1
        end = data.find(b" ", pos)
        if end < 0 or end + 1 + width > len(data):
            raise ModelFileError(
                f"{path}: truncated after {i} of {n} words; re-download the file or pass "
                f"--limit {i}"
                if i
                else f"{path}: truncated: no complete vector"
            )
        try:
            words.append(data[pos:end].decode("utf-8"))
        except UnicodeDecodeError:
            words.append(data[pos:end].decode("latin-1"))
        vectors[i] = np.frombuffer(data, dtype="<f4", count=d, offset=end + 1)
        pos = end + 1 + width
    return clean_rows(LoadedVectors(words, vectors, None, [], "word2vec binary"), source=str(path))


def read_gensim_native(path: Path, *, trusted: bool) -> LoadedVectors:
    """gensim's own .model/.kv files are pickles: loading one runs code from the file."""
    if not trusted:
        raise ModelFileError(
            f"{path} is a gensim native file, which is a Python pickle: loading it can run "
            "any code its author put in it. Load it only if you trust where it came from, "
            "with --trust (CLI) or by confirming in the explorer"
        )
    from gensim.models import KeyedVectors, Word2Vec

    try:
        obj: Any = KeyedVectors.load(str(path))
    except Exception as exc:
        raise ModelFileError(f"{path}: gensim could not load it ({exc})") from None
    if isinstance(obj, Word2Vec):
        obj = obj.wv
    if not isinstance(obj, KeyedVectors):
        raise ModelFileError(f"{path}: not a gensim KeyedVectors or Word2Vec file")
    counts = None
    if "count" in getattr(obj, "expandos", {}):
        counts = np.asarray(obj.expandos["count"], dtype=np.int64)
    return clean_rows(
        LoadedVectors(
            [str(w) for w in obj.index_to_key],
            np.asarray(obj.vectors, np.float32),
            counts,
            [],
            "gensim native (trusted)",
        ),
        source=str(path),
    )


def sniff_binary(path: Path) -> bool:
    """True if the bytes after the header line are not text (word2vec binary)."""
    with _open(path) as fh:
        first = fh.readline()
        sample = fh.read(4096)
    if _is_header(first) is None:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(sample) - 4  # a cut multibyte char at the end is still text
    return b"\0" in sample


def read_vector_file(
    path: Path,
    *,
    limit: int | None = None,
    trusted: bool = False,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> LoadedVectors:
    """Read any supported vector file, choosing the reader by name and content."""
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder; give a vector file inside it")
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ModelFileError(f"{path} is not a regular file (a device, pipe or socket?)")
        with path.open("rb"):
            pass
    except PermissionError:
        raise ModelFileError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise ModelFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if st.st_size == 0:
        raise ModelFileError(f"{path} is empty")
    name = path.name.lower()
    if name.endswith(PICKLE_SUFFIXES):
        return read_gensim_native(path, trusted=trusted)
    try:
        binary = name.endswith(BINARY_SUFFIXES) or sniff_binary(path)
        if binary:
            return read_binary_vectors(path, limit=limit, progress=progress, cancel=cancel)
        return read_text_vectors(path, limit=limit, progress=progress, cancel=cancel)
    except MemoryError:
        raise ModelFileError(
            f"not enough memory to load {path}; pass --limit N to read only the first N words"
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ModelFileError(f"{path}: cannot read it ({exc})") from None
