"""Reading vector files: word2vec binary and text, GloVe text, gensim native (trusted only).

Row policy (applied to every reader, reported in the load's `notes`):

- rows with NaN or infinite values are dropped — they poison every cosine;
- all-zero rows are dropped — they have no direction, so no cosine;
- a word that occurs again keeps its first (most frequent) row; later rows are dropped;
- rows whose word is empty, holds a line break or is not valid Unicode are dropped;
- a file left with no usable row at all is an error (ModelFileError), never an empty model.

Text files may start with a ``<count> <dims>`` header (word2vec) or not (GloVe). The number
of dimensions ``d`` comes from the header; without one, from the first rows (up to
SAMPLE_ROWS): the number of values of the first row, unless a smaller number is the most
common among the first rows (ties go to the smaller) — then the first row's word has
spaces. A row with more than ``d`` values has a word with spaces (GloVe 840B has such
rows): its last ``d`` fields are the vector and everything before them, exactly as written,
is the word; such rows are counted in the notes. If most of the first rows have more than
``d`` values, the header (or first row) is wrong and the file is refused. A row with fewer
than ``d`` values, a value that is not a number or bytes that are not UTF-8 are errors
naming the real (1-based) line of the file.

Bounds: a file with more than `max_dims` dimensions (DEFAULT_MAX_DIMS unless raised,
--max-dims in the CLI) is refused from its header or first rows, before anything is
allocated; no line is read whole if it is longer than a row of that many values can be.
`limit` reads the first N rows (the N most frequent words in files sorted by frequency, as
GoogleNews and GloVe are) and stops reading there: binary files are read in blocks, and a
header that promises more rows than the file (or, for .gz, its most compressed content)
can hold is refused before allocating.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import io
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from polyterm.engine.formats import VectorFormat, format_of
from polyterm.engine.progress import (
    CancelFlag,
    Progress,
    ProgressCallback,
    check_cancel,
    no_progress,
)
from polyterm.errors import ModelFileError

CHUNK_ROWS = 50_000
DEFAULT_MAX_DIMS = 10_000
"""Files with more dimensions are refused unless the caller raises the bound (--max-dims)."""
HEADER_BYTES = 256
"""A ``<count> <dims>`` header is short: a first line is never read further than this."""
SAMPLE_ROWS = 100
"""Rows of a headerless text file that fix its dimensions (see the module docstring)."""
SAMPLE_CHARS = 1 << 24
"""... unless these rows are longer than this many characters together."""
LONG_LINE_CHARS = 1 << 26
"""A too-long first line is counted up to this many characters to tell its dimensions."""
MAX_WORD_BYTES = 1 << 16
"""A word longer than this is damage; with 64 characters per value it bounds a text line."""
BLOCK_BYTES = 1 << 22
"""Binary files are read in blocks of this many bytes: reading stops soon after `limit`."""
GZIP_MAX_RATIO = 1032
"""deflate never expands data more than 1032-fold (zlib's documented limit)."""


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


_SIGNED_PAIR = re.compile(rb"\s*[-+]?\d+\s+[-+]?\d+\s*")


def _is_header(line: bytes) -> tuple[int, int] | None:
    """`(rows, dims)` if `line` is a word2vec header; ModelFileError for a header with a
    sign (``-5 2``), which would otherwise be read as a row of a one-dimensional model."""
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    if _SIGNED_PAIR.fullmatch(line):
        shown = line.decode("ascii").strip()
        raise ModelFileError(
            f"line 1 ({shown!r}) looks like a header with a signed count; a header is "
            "`<words> <dimensions>` with positive numbers: fix or remove it"
        )
    return None


def _read_header(fh: IO[bytes]) -> tuple[bytes, tuple[int, int] | None]:
    """The first line (at most HEADER_BYTES) and the header in it, if it is one."""
    first = fh.readline(HEADER_BYTES)
    if len(first) >= HEADER_BYTES and not first.endswith(b"\n"):
        return first, None  # too long for a header: never read it whole
    return first, _is_header(first)


def _too_many_dims(path: Path, what: str, max_dims: int) -> ModelFileError:
    return ModelFileError(
        f"{path}: {what}, more than the bound of {max_dims} dimensions; if the file is right, "
        "pass --max-dims N to raise it"
    )


def _line_limit(dims: int) -> int:
    """Characters a text row of `dims` values can take (64 a value, plus a long word)."""
    return 64 * dims + MAX_WORD_BYTES


def _count_long_line(start: str, stream: IO[str], chunk: int) -> tuple[int, bool]:
    """Fields of a line that starts with `start` (cut at `chunk` characters), reading on to its
    end but at most LONG_LINE_CHARS characters: (fields counted, whether the line ended)."""
    count = len(start.split())
    prev = start
    total = len(start)
    while not prev.endswith("\n") and total < LONG_LINE_CHARS:
        more = stream.readline(chunk)
        if not more:
            return count, True
        if not prev[-1].isspace() and not more[0].isspace():
            count -= 1  # a field cut in two
        count += len(more.split())
        prev = more
        total += len(more)
    return count, prev.endswith("\n")


def _first_non_utf8_line(path: Path) -> int | None:
    """1-based line of the first byte sequence that is not UTF-8 (None if there is none)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with _open(path) as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's few pending bytes (never a newline) + chunk
                return line + bytes(exc.object).count(b"\n", 0, exc.start)
            line += chunk.count(b"\n")
    return None


def _most_common(counts: list[int]) -> int:
    """The most common value; ties go to the smallest."""
    tally: dict[int, int] = {}
    for c in counts:
        tally[c] = tally.get(c, 0) + 1
    return min(tally, key=lambda c: (-tally[c], c))


def read_text_vectors(
    path: Path,
    *,
    limit: int | None = None,
    max_dims: int = DEFAULT_MAX_DIMS,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> LoadedVectors:
    """word2vec text (with header) or GloVe text (without); rules in the module docstring."""
    with _open(path) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="\n")
        try:
            loaded = _read_text(path, stream, limit, max_dims, progress, cancel)
        except UnicodeDecodeError:
            # the text layer decodes ahead of the line being read: find the real line
            try:
                bad = _first_non_utf8_line(path)
            except (EOFError, OSError, gzip.BadGzipFile):
                bad = None
            where = f"line {bad}" if bad else "a line"
            hint = "; if it is word2vec binary, name it .bin" if bad is None or bad <= 2 else ""
            raise ModelFileError(f"{path}: {where} is not UTF-8 text{hint}") from None
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise ModelFileError(f"{path}: the file is truncated or damaged ({exc})") from None
    return clean_rows(loaded, source=str(path))


def _read_text(
    path: Path,
    stream: io.TextIOWrapper,
    limit: int | None,
    max_dims: int,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
) -> LoadedVectors:
    sample_max = _line_limit(max_dims)
    first = stream.readline(sample_max)
    cut = len(first) >= sample_max and not first.endswith("\n")
    header = None if cut or len(first) > HEADER_BYTES else _is_header(first.encode())
    dims = 0
    expected_rows: int | None = None
    if header:
        expected_rows, dims = header
        if dims < 1:
            raise ModelFileError(f"{path}: header {first.strip()!r} has no dimensions")
        if expected_rows < 1:
            raise ModelFileError(
                f"{path}: header {first.strip()!r} promises no words, so there are no vectors "
                "to read; fix the header's word count"
            )
        if dims > max_dims:
            raise _too_many_dims(path, f"header says {dims} dimensions", max_dims)

    def too_long(number: int, limit_chars: int) -> ModelFileError:
        return ModelFileError(
            f"{path}: line {number} is longer than {limit_chars:,} characters; "
            "not a vector file (or a word longer than any word)?"
        )

    # -- the first rows fix the dimensions ------------------------------------------------
    sample: list[tuple[int, str, int]] = []  # (line number, line, number of values)
    lineno = 1 if header else 0
    chars = 0
    line: str | None = None if header else first
    while len(sample) < SAMPLE_ROWS and chars < SAMPLE_CHARS:
        if line is None:
            line = stream.readline(sample_max)
        if not line:
            break
        lineno += 1
        if len(line) >= sample_max and not line.endswith("\n"):
            count, whole = _count_long_line(line, stream, sample_max)
            if count - 1 > max_dims and not header:
                shown = f"{count - 1}" if whole else f"more than {count - 1}"
                raise _too_many_dims(path, f"line {lineno} has {shown} values", max_dims)
            raise too_long(lineno, sample_max)
        text = line.rstrip("\n").rstrip("\r")
        line = None
        if not text or text.isspace():
            continue
        values = len(text.partition(" ")[2].split())
        if values > max_dims and not header:
            raise _too_many_dims(path, f"line {lineno} has {values} values", max_dims)
        sample.append((lineno, text, values))
        chars += len(text)
    if not sample:
        raise ModelFileError(f"{path} has no vectors")
    common = _most_common([c for _, _, c in sample])
    if not header:
        dims = min(sample[0][2], common)
        if dims == 0:
            number = next(n for n, _, c in sample if c == 0)
            raise ModelFileError(f"{path}: line {number} has a word but no values")
    if common > dims:  # most rows have more values than the header or the first row says
        number, _, count = next(r for r in sample if r[2] > dims)
        source = "the header" if header else f"line {sample[0][0]}"
        raise ModelFileError(
            f"{path}: line {number} has {count} values, expected {dims} (from {source}); "
            "most of the first rows have more"
        )

    # -- every row ------------------------------------------------------------------------
    words: list[str] = []
    blocks: list[npt.NDArray[np.float32]] = []
    buf_words: list[str] = []
    buf_values: list[str] = []
    buf_lines: list[int] = []
    spaced: list[int] = []
    wanted = limit if limit is not None else expected_rows

    def odd_row(number: int, text: str, count: int) -> None:
        """A row whose number of values is not `dims`: a word with spaces, or an error."""
        if count < dims:
            raise ModelFileError(f"{path}: line {number} has {count} values, expected {dims}")
        parts = text.rsplit(None, dims)
        buf_words.append(parts[0])
        buf_values.append(" ".join(parts[1:]))
        buf_lines.append(number)
        spaced.append(number)

    def flush() -> None:
        if not buf_values:
            return
        try:
            block = np.array(" ".join(buf_values).split(), dtype=np.float32)
        except ValueError:
            for number, rest in zip(buf_lines, buf_values, strict=True):
                try:
                    np.array(rest.split(), dtype=np.float32)
                except ValueError as exc:
                    raise ModelFileError(
                        f"{path}: line {number} has a value that is not a number ({exc})"
                    ) from None
            raise  # not reached: one of the rows failed above
        blocks.append(block.reshape(len(buf_values), dims))
        words.extend(buf_words)
        buf_words.clear()
        buf_values.clear()
        buf_lines.clear()

    def report() -> None:
        check_cancel(cancel, f"loading {path.name}")
        frac = len(words) / wanted if wanted else 0.0
        progress(Progress(path.name, "load", min(frac, 1.0), f"{len(words):,} words"))

    for number, text, count in sample:
        if count == dims:
            buf_words.append(text.partition(" ")[0])
            buf_values.append(text.partition(" ")[2])
            buf_lines.append(number)
        else:
            odd_row(number, text, count)
    if wanted is not None and len(buf_words) >= wanted:
        del buf_words[wanted:], buf_values[wanted:], buf_lines[wanted:]
    elif len(sample) == SAMPLE_ROWS or chars >= SAMPLE_CHARS:  # more rows may follow
        maxlen = _line_limit(dims)
        for line in iter(functools.partial(stream.readline, maxlen), ""):
            lineno += 1
            if len(line) >= maxlen and line[-1] != "\n":
                raise too_long(lineno, maxlen)
            line = line.rstrip("\n").rstrip("\r")
            if not line or line.isspace():
                continue
            word, _, rest = line.partition(" ")
            count = len(rest.split())
            if count == dims:
                buf_words.append(word)
                buf_values.append(rest)
                buf_lines.append(lineno)
            else:
                odd_row(lineno, line, count)
            if len(buf_words) >= CHUNK_ROWS:
                flush()
                report()
            if wanted is not None and len(words) + len(buf_words) >= wanted:
                break
    last = buf_lines[-1] if buf_lines else lineno
    flush()
    if header and limit is None and len(words) != expected_rows:
        raise ModelFileError(
            f"{path}: the header promises {expected_rows} words but the file has {len(words)} "
            "(truncated?)"
        )
    vectors = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    fmt = "word2vec text" if header else "GloVe text (no header)"
    spaced = [n for n in spaced if n <= last]
    notes = (
        [
            f"read {len(spaced)} rows whose word has spaces, first on line {spaced[0]} "
            f"(the last {dims} fields of a row are its vector)"
        ]
        if spaced
        else []
    )
    return LoadedVectors(words, vectors, None, notes, fmt)


def read_binary_vectors(
    path: Path,
    *,
    limit: int | None = None,
    max_dims: int = DEFAULT_MAX_DIMS,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> LoadedVectors:
    """word2vec C binary: ``<n> <d>\\n`` then per word ``word<space><d float32>[\\n]``.

    Read in blocks of BLOCK_BYTES, so at most `limit` rows and one block are read.
    """
    with _open(path) as fh:
        try:
            words, vectors = _read_binary(path, fh, limit, max_dims, progress, cancel)
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise ModelFileError(f"{path}: the file is truncated or damaged ({exc})") from None
    return clean_rows(LoadedVectors(words, vectors, None, [], "word2vec binary"), source=str(path))


def _read_binary(
    path: Path,
    fh: IO[bytes],
    limit: int | None,
    max_dims: int,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
) -> tuple[list[str], npt.NDArray[np.float32]]:
    first, header = _read_header(fh)
    if header is None:
        raise ModelFileError(f"{path}: not word2vec binary (no '<words> <dims>' header)")
    n, d = header
    if d < 1:
        raise ModelFileError(f"{path}: header says {d} dimensions; not a word2vec binary file?")
    if d > max_dims:
        raise _too_many_dims(path, f"header says {d} dimensions", max_dims)
    if n < 1:
        raise ModelFileError(f"{path} has no vectors (its header says {n} words)")
    rows = min(n, limit) if limit else n
    width = 4 * d
    # every row takes at least a 1-byte word, a space and 4*d bytes: check before allocating
    compressed = path.suffix == ".gz"
    size = path.stat().st_size
    room = size * GZIP_MAX_RATIO if compressed else size - len(first)
    fits = max(room, 0) // (width + 2)
    if rows > fits:
        advice = f" or pass --limit {fits}" if fits and limit is None and not compressed else ""
        raise ModelFileError(
            f"{path}: the header promises {n:,} words of {d} dimensions but the file holds at "
            f"most {fits:,} (truncated?); re-download it{advice}"
        )
    words: list[str] = []
    vectors = np.empty((rows, d), dtype=np.float32)
    out = memoryview(vectors).cast("B")  # type: ignore[arg-type]
    data = b""
    view = memoryview(data)
    size = pos = o = 0
    eof = False
    step = max(BLOCK_BYTES, 2 * (width + MAX_WORD_BYTES))

    def refill(i: int) -> None:
        """Read on until row `i` is whole in `data` (from `pos`), or fail."""
        nonlocal data, view, size, pos, eof
        while True:
            while pos < size and data[pos] in (10, 13):
                pos += 1
            end = data.find(b" ", pos)
            if end >= 0 and end + 1 + width <= size:
                return
            if eof:
                raise ModelFileError(
                    f"{path}: truncated after {i} of {n} words; re-download the file"
                    + (f" or pass --limit {i}" if limit is None else "")
                    if i
                    else f"{path}: truncated: no complete vector"
                )
            if end < 0 and size - pos > MAX_WORD_BYTES:
                raise ModelFileError(
                    f"{path}: word {i + 1} is longer than {MAX_WORD_BYTES:,} bytes; "
                    "the file is damaged or not word2vec binary"
                )
            block = fh.read(step)
            eof = not block
            data = data[pos:] + block
            view = memoryview(data)
            size = len(data)
            pos = 0

    for i in range(rows):
        if i % CHUNK_ROWS == 0 and i:
            check_cancel(cancel, f"loading {path.name}")
            progress(Progress(path.name, "load", i / rows, f"{i:,} words"))
        while pos < size and data[pos] in (10, 13):
            pos += 1
        end = data.find(b" ", pos)
        if end < 0 or end + 1 + width > size:
            refill(i)
            end = data.find(b" ", pos)
        try:
            words.append(data[pos:end].decode("utf-8"))
        except UnicodeDecodeError:
            words.append(data[pos:end].decode("latin-1"))
        pos = end + 1 + width
        out[o : o + width] = view[end + 1 : pos]
        o += width
    out.release()
    if sys.byteorder != "little":
        vectors.byteswap(inplace=True)  # the file holds little-endian floats
    return words, vectors


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


def _is_text_row(line: bytes, dims: int) -> bool:
    """Whether `line` ends in `dims` numbers written as text (a word2vec binary row is a word
    and raw float32 bytes, which almost never split into that many parseable numbers)."""
    fields = line.split()
    if dims < 1 or len(fields) < dims + 1:
        return False
    try:
        values = [float(f) for f in fields[-dims:]]
    except ValueError:
        return False
    return len(values) == dims


def sniff_binary(path: Path) -> bool:
    """True if the bytes after the header line are not text (word2vec binary)."""
    with _open(path) as fh:
        _, header = _read_header(fh)
        if header is None:
            return False
        sample = fh.read(min(max(4096, 64 * header[1] + MAX_WORD_BYTES), 1 << 20))
    if _is_text_row(sample.split(b"\n", 1)[0], header[1]):
        return False  # a text row, even if a word holds a NUL or bytes that are not UTF-8
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(sample) - 4  # a cut multibyte char at the end is still text
    return b"\0" in sample


def read_vector_file(
    path: Path,
    *,
    limit: int | None = None,
    max_dims: int = DEFAULT_MAX_DIMS,
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
    form = format_of(path.name)  # the suffix registry: polyterm.engine.formats
    if form is not None and form.is_pickle:
        return read_gensim_native(path, trusted=trusted)
    try:
        binary = form is VectorFormat.BINARY or sniff_binary(path)
        reader = read_binary_vectors if binary else read_text_vectors
        return reader(path, limit=limit, max_dims=max_dims, progress=progress, cancel=cancel)
    except MemoryError:
        if limit is not None:  # never advise the option the user already gave
            raise ModelFileError(
                f"not enough memory to load the first {limit:,} words of {path}"
            ) from None
        raise ModelFileError(
            f"not enough memory to load {path}; pass --limit N to read only the first N words"
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ModelFileError(f"{path}: cannot read it ({exc})") from None
