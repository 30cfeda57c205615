"""Corpora: NLTK corpora by name, gensim's bundled Lee corpus, local text files and folders.

Normalisation (version NORMALISATION): lowercase; keep tokens with at least one letter;
drop sentences left empty. Tagged NLTK corpora (Brown) give sentences directly; plain-text
corpora and local files are split into lines, then sentences at ``.``/``!``/``?``, and
tokenised with a regex — no NLTK punkt data is needed.

A tokenised corpus is cached as UTF-8 text, one sentence per line, tokens separated by
single spaces, so a second use reads it back instead of parsing NLTK again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyterm.engine.atomic import write_bytes_atomic, write_text_atomic
from polyterm.engine.progress import Progress, ProgressCallback, check_cancel, no_progress
from polyterm.engine.settings import nltk_download_dir
from polyterm.errors import CorpusError

NORMALISATION = 1
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
    """Path of an installed NLTK corpus (folder or zip), or None."""
    nltk = _nltk()
    for candidate in (f"corpora/{name}", f"corpora/{name}.zip"):
        try:
            found = nltk.data.find(candidate)
        except LookupError:
            continue
        return (
            Path(str(found).split(".zip")[0] + ".zip") if ".zip" in str(found) else Path(str(found))
        )
    return None


def available_nltk_corpora() -> list[str]:
    """Names of NLTK corpora on disk that polyterm knows how to read."""
    return [n for n in KNOWN_NLTK if nltk_corpus_root(n) is not None]


def download_nltk_corpus(name: str) -> None:
    """Fetch an NLTK corpus into polyterm's data dir (needs the network)."""
    nltk = _nltk()
    target = nltk_download_dir()
    target.mkdir(parents=True, exist_ok=True)
    ok = nltk.download(name, download_dir=str(target), quiet=True, raise_on_error=False)
    if not ok or nltk_corpus_root(name) is None:
        raise CorpusError(
            f"could not download the NLTK corpus {name!r} (offline?); on a machine with a "
            f"network run: python -m nltk.downloader -d {target} {name}"
        )


def _fingerprint_paths(paths: Iterable[Path]) -> str:
    h = hashlib.sha256(f"norm{NORMALISATION}".encode())
    for p in sorted(paths):
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _local_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = [p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")]
        if files:
            return files
        raise CorpusError(f"the corpus folder {path} has no files")
    raise CorpusError(f"no such corpus file or folder: {path}")


def _read_local(files: list[Path], cancel: threading.Event | None) -> Iterator[list[str]]:
    for f in files:
        check_cancel(cancel, "reading the corpus")
        data = f.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary file: skip
        yield from split_text(data.decode("utf-8", errors="replace"))


def _read_nltk(name: str, cancel: threading.Event | None) -> Iterator[list[str]]:
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
        files = _local_files(Path(path).expanduser())
        return f"local:{Path(path).expanduser().resolve()}", files
    if name == LEE:
        from gensim.test.utils import datapath

        return "gensim:lee_background.cor", [Path(datapath("lee_background.cor"))]
    nltk = _nltk()
    if not hasattr(nltk.corpus, name) or name.startswith("_"):
        raise CorpusError(
            f"unknown corpus {name!r}: use an NLTK corpus name (e.g. brown, abc, webtext), "
            "lee, or give a text file or folder with path=..."
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


def load_corpus(
    name: str,
    cache_root: Path,
    *,
    path: str | None = None,
    download: bool = False,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> tuple[Sentences, CorpusInfo]:
    """Tokenised sentences of a corpus, from the token cache when it is there."""
    source, files = _source(name, path, download)
    fp = _fingerprint_paths(files)
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
        except (OSError, ValueError, KeyError):
            pass  # unreadable cache file: parse again and rewrite it
    progress(Progress(name, "corpus", 0.0, f"tokenising {name} (first use; cached afterwards)"))
    if path:
        stream = _read_local(files, cancel)
    elif name == LEE:
        stream = _read_lee()
    else:
        stream = _read_nltk(name, cancel)
    sentences = list(stream)
    check_cancel(cancel, "reading the corpus")
    if not sentences:
        raise CorpusError(
            f"the corpus {name!r} has no words after normalisation (tokens need a letter)"
        )
    text = "\n".join(" ".join(s) for s in sentences) + "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    info = CorpusInfo(name, len(sentences), sum(map(len, sentences)), digest, source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(tokens_file, text.encode("utf-8"))
        write_text_atomic(info_file, json.dumps(info.as_dict(), indent=1))
    except OSError:
        pass  # the token cache is an optimisation; an unwritable cache only costs time
    return sentences, info


def corpus_words(sentences: Sentences) -> int:
    return sum(map(len, sentences))


def env_nltk_data() -> str | None:
    return os.environ.get("NLTK_DATA")
