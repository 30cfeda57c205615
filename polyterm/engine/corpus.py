"""Corpora: NLTK corpora by name, gensim's bundled Lee corpus, local text files and folders.

Normalisation (version NORMALISATION): lowercase; keep tokens with at least one letter;
drop sentences left empty. Local files are decoded by their byte-order mark (UTF-8, UTF-16,
UTF-32), else as UTF-8, else as Windows-1252; files that look binary (NUL bytes or mostly
control characters in their first SNIFF_BYTES) are skipped, without reading the rest, and
reported through the progress callback. Running out of memory while reading a corpus is a
CorpusError (one line), not a crash.

Tagged NLTK corpora (Brown) give sentences directly; plain-text
corpora and local files are split into lines, then sentences at ``.``/``!``/``?``, and
tokenised with a regex — no NLTK punkt data is needed.

A tokenised corpus is cached as UTF-8 text, one sentence per line, tokens separated by
single spaces, so a second use reads it back instead of parsing NLTK again.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyterm.engine.atomic import write_bytes_atomic, write_text_atomic
from polyterm.engine.progress import (
    CancelFlag,
    Progress,
    ProgressCallback,
    check_cancel,
    no_progress,
)
from polyterm.engine.settings import nltk_download_dir
from polyterm.errors import Cancelled, CorpusError

NORMALISATION = 1
DECODING = 2
"""Version of the local-file decoding rules; part of a local corpus's token-cache key."""
LEE = "lee"
TAGGED_NLTK = ("brown", "treebank", "conll2000", "masc_tagged")
KNOWN_NLTK = (
    "brown",
    "abc",
    "movie_reviews",
    "webtext",
    "state_union",
    "inaugural",
    "gutenberg",
    "reuters",
    "genesis",
    "treebank",
)

_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

Sentences = list[list[str]]


def normalise_sentence(tokens: Iterable[str]) -> list[str]:
    """Lowercase, keep tokens with at least one letter."""
    return [t.lower() for t in tokens if _LETTER.search(t)]


def split_text(text: str) -> Iterator[list[str]]:
    """Plain text → normalised, non-empty sentences (lines, then . ! ? boundaries)."""
    for line in text.splitlines():
        for piece in _SENTENCE_END.split(line):
            sent = normalise_sentence(_TOKEN.findall(piece))
            if sent:
                yield sent


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    name: str
    sentences: int
    tokens: int
    sha256: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "sha256": self.sha256,
            "source": self.source,
            "normalisation": NORMALISATION,
        }


def _nltk() -> Any:
    import nltk

    extra = str(nltk_download_dir())
    if extra not in nltk.data.path:
        nltk.data.path.append(extra)
    return nltk


def nltk_corpus_root(name: str) -> Path | None:
    """Path of an installed NLTK corpus (folder or zip), or None; CorpusError if damaged."""
    nltk = _nltk()
    for candidate in (f"corpora/{name}", f"corpora/{name}.zip"):
        try:
            found = nltk.data.find(candidate)
        except LookupError:
            continue
        except Exception as exc:  # zipfile.BadZipFile, OSError: a damaged download
            raise CorpusError(
                f"could not read the NLTK corpus {name!r} ({type(exc).__name__}: {exc}); it may "
                f"be damaged: delete it and run `python -m nltk.downloader {name}` again"
            ) from None
        return (
            Path(str(found).split(".zip")[0] + ".zip") if ".zip" in str(found) else Path(str(found))
        )
    return None


def available_nltk_corpora() -> list[str]:
    """Names of NLTK corpora on disk that polyterm knows how to read."""
    out = []
    for name in KNOWN_NLTK:
        try:
            if nltk_corpus_root(name) is not None:
                out.append(name)
        except CorpusError:
            continue  # damaged: reported when someone trains on it
    return out


def download_nltk_corpus(name: str) -> None:
    """Fetch an NLTK corpus into polyterm's data dir (needs the network)."""
    nltk = _nltk()
    target = nltk_download_dir()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusError(f"cannot make {target}: {exc.strerror or exc}") from None
    errors = io.StringIO()  # NLTK prints its errors; polyterm reports one line instead
    try:
        ok = nltk.download(
            name, download_dir=str(target), quiet=True, raise_on_error=False, print_error_to=errors
        )
    except Exception as exc:  # network and file errors that NLTK does not catch
        ok = False
        errors.write(str(exc))
    if not ok or nltk_corpus_root(name) is None:
        detail = " ".join(errors.getvalue().replace("[nltk_data]", " ").split())[:200]
        raise CorpusError(
            f"could not download the NLTK corpus {name!r} (offline?"
            + (f" {detail}" if detail else "")
            + f"); on a machine with a network run: python -m nltk.downloader -d {target} {name}"
        )


def _fingerprint_paths(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(f"norm{NORMALISATION}{extra}".encode())
    for p in sorted(paths):
        try:
            st = p.stat()
        except OSError as exc:
            raise CorpusError(f"cannot read the corpus file {p}: {exc.strerror or exc}") from None
        # os.fsencode: a file name that is not valid UTF-8 (surrogate-escaped) hashes as its bytes
        h.update(os.fsencode(p) + f"\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _local_files(path: Path) -> list[Path]:
    try:
        if path.is_file():
            return [path]
        if path.is_dir():
            files = [
                p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")
            ]
            if files:
                return files
            raise CorpusError(f"the corpus folder {path} has no files")
    except OSError as exc:
        raise CorpusError(f"cannot read the corpus folder {path}: {exc.strerror or exc}") from None
    raise CorpusError(f"no such corpus file or folder: {path}")


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1b")
SNIFF_BYTES = 8192
"""The first bytes of a corpus file that decide whether it is text or binary."""


def looks_binary(head: bytes) -> bool:
    """Whether a file whose first SNIFF_BYTES are `head` is binary (module docstring)."""
    if head.startswith(tuple(bom for bom, _ in _BOMS)):
        return False
    head = head[:SNIFF_BYTES]
    if b"\0" in head:
        return True
    return bool(head) and len(head.translate(None, _CONTROL)) < 0.9 * len(head)


def decode_text(data: bytes) -> str | None:
    """Text of a corpus file, or None if it looks binary (see the module docstring)."""
    if looks_binary(data[:SNIFF_BYTES]):
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_local(
    files: list[Path], cancel: CancelFlag | None, skipped: list[Path] | None = None
) -> Iterator[list[str]]:
    for f in files:
        check_cancel(cancel, "reading the corpus")
        try:
            with f.open("rb") as fh:
                head = fh.read(SNIFF_BYTES)
            if looks_binary(head):
                if skipped is not None:
                    skipped.append(f)
                continue
            data = f.read_bytes()  # text: read whole (it is tokenised whole anyway)
            text = decode_text(data)
            del data
            sentences = list(split_text(text or ""))
            del text
        except OSError as exc:
            raise CorpusError(f"cannot read the corpus file {f}: {exc.strerror or exc}") from None
        except MemoryError:
            raise CorpusError(
                f"not enough memory to read the corpus file {f} ({_size(f)}); "
                "split it into smaller files or train on a part of it"
            ) from None
        yield from sentences


def _size(f: Path) -> str:
    try:
        return f"{f.stat().st_size / 1e6:,.0f} MB"
    except OSError:
        return "size unknown"


def _is_corpus(obj: Any) -> bool:
    from nltk.corpus.reader.api import CorpusReader
    from nltk.corpus.util import LazyCorpusLoader

    return isinstance(obj, LazyCorpusLoader | CorpusReader)


def _read_nltk(name: str, cancel: CancelFlag | None) -> Iterator[list[str]]:
    """Sentences of an installed NLTK corpus; a damaged corpus is a CorpusError."""
    try:
        yield from _read_nltk_raw(name, cancel)
    except (CorpusError, Cancelled):
        raise
    except Exception as exc:  # zipfile.BadZipFile, OSError, LookupError, parse errors, ...
        raise CorpusError(
            f"could not read the NLTK corpus {name!r} ({type(exc).__name__}: {exc}); it may be "
            f"damaged: delete it and run `python -m nltk.downloader {name}` again"
        ) from None


def _read_nltk_raw(name: str, cancel: CancelFlag | None) -> Iterator[list[str]]:
    nltk = _nltk()
    reader = getattr(nltk.corpus, name)
    if name in TAGGED_NLTK:
        for i, sent in enumerate(reader.sents()):
            if i % 5000 == 0:
                check_cancel(cancel, "reading the corpus")
            out = normalise_sentence(sent)
            if out:
                yield out
        return
    for fileid in reader.fileids():
        check_cancel(cancel, "reading the corpus")
        yield from split_text(reader.raw(fileid))


def _read_lee() -> Iterator[list[str]]:
    from gensim.test.utils import datapath

    yield from split_text(Path(datapath("lee_background.cor")).read_text(encoding="utf-8"))


def _source(name: str, path: str | None, download: bool) -> tuple[str, list[Path]]:
    """(description, files whose stat fingerprints the corpus)."""
    if path:
        try:
            where = Path(path).expanduser()
            files = _local_files(where)
            return f"local:{where.resolve()}", files
        except (RuntimeError, ValueError):  # ~user that does not exist, NUL in the path
            raise CorpusError(f"{path!r} is not a usable corpus path") from None
    if name == LEE:
        from gensim.test.utils import datapath

        return "gensim:lee_background.cor", [Path(datapath("lee_background.cor"))]
    nltk = _nltk()
    if name.startswith("_") or not _is_corpus(getattr(nltk.corpus, name, None)):
        near = difflib.get_close_matches(name, [*KNOWN_NLTK, LEE], n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise CorpusError(
            f"unknown corpus {name!r}{hint}: use an NLTK corpus name (e.g. brown, abc, "
            "webtext), lee, or give a text file or folder with path=..."
        )
    root = nltk_corpus_root(name)
    if root is None and download:
        download_nltk_corpus(name)
        root = nltk_corpus_root(name)
    if root is None:
        raise CorpusError(
            f"the NLTK corpus {name!r} is not installed: run `python -m nltk.downloader {name}` "
            f"(or pass --download), or point NLTK_DATA at a folder that has corpora/{name}.zip"
        )
    files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
    return f"nltk:{root}", files


_LOCKS_GUARD = threading.Lock()
_LOCKS: dict[tuple[str, str | None], threading.Lock] = {}


def _corpus_lock(name: str, path: str | None) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((name, path), threading.Lock())


def load_corpus(
    name: str,
    cache_root: Path,
    *,
    path: str | None = None,
    download: bool = False,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> tuple[Sentences, CorpusInfo]:
    """Tokenised sentences of a corpus, from the token cache when it is there.

    One thread at a time reads a given corpus: NLTK's corpus readers share one open zip
    file and fail when two threads read it at once, and a second thread then finds the
    token cache the first one wrote.
    """
    with _corpus_lock(name, path):
        return _load_corpus(name, cache_root, path, download, progress, cancel)


def _load_corpus(
    name: str,
    cache_root: Path,
    path: str | None,
    download: bool,
    progress: ProgressCallback,
    cancel: CancelFlag | None,
) -> tuple[Sentences, CorpusInfo]:
    source, files = _source(name, path, download)
    fp = _fingerprint_paths(files, f"dec{DECODING}" if path else "")
    folder = cache_root / "corpora"
    tokens_file = folder / f"{name}-{fp}.txt"
    info_file = folder / f"{name}-{fp}.json"
    if tokens_file.exists() and info_file.exists():
        try:
            meta = json.loads(info_file.read_text(encoding="utf-8"))
            text = tokens_file.read_text(encoding="utf-8")
            if hashlib.sha256(text.encode()).hexdigest() == meta["sha256"]:
                sentences = [line.split(" ") for line in text.split("\n") if line]
                info = CorpusInfo(name, meta["sentences"], meta["tokens"], meta["sha256"], source)
                return sentences, info
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable cache file: parse again and rewrite it
    progress(Progress(name, "corpus", 0.0, f"tokenising {name} (first use; cached afterwards)"))
    skipped: list[Path] = []
    if path:
        stream = _read_local(files, cancel, skipped)
    elif name == LEE:
        stream = _read_lee()
    else:
        stream = _read_nltk(name, cancel)
    try:
        sentences = list(stream)
    except MemoryError:
        raise CorpusError(
            f"not enough memory to tokenise the corpus {name!r}; train on a smaller corpus"
        ) from None
    check_cancel(cancel, "reading the corpus")
    if skipped:
        shown = ", ".join(f.name for f in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        progress(Progress(name, "corpus", 0.0, f"skipped {len(skipped)} binary file(s): {shown}"))
    if not sentences:
        if skipped and len(skipped) == len(files):
            raise CorpusError(
                f"every file of the corpus {name!r} looks binary ({len(files)} skipped); "
                "polyterm trains on plain text files"
            )
        raise CorpusError(
            f"the corpus {name!r} has no words after normalisation (tokens need a letter)"
        )
    text = "\n".join(" ".join(s) for s in sentences) + "\n"
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    info = CorpusInfo(name, len(sentences), sum(map(len, sentences)), digest, source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(tokens_file, data)
        write_text_atomic(info_file, json.dumps(info.as_dict(), indent=1))
    except OSError:
        pass  # the token cache is an optimisation; an unwritable cache only costs time
    return sentences, info
