"""The one registry of vector-file suffixes: what a file name says about its format.

The reader (`polyterm.engine.readers.read_vectors`), the spec parser (`looks_like_path`,
`FileSpec.name`) and the Load form all ask here, so a suffix one of them accepts the others
accept too. A suffix names a format; the content still decides where it may: a text-named
or gzip-named file is sniffed for word2vec binary, and a `.bin` is always read as binary.
A new vector format adds its suffixes here and its reader in `readers.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class VectorFormat(Enum):
    """What a suffix says a vector file holds."""

    TEXT = "text"  # word2vec / GloVe / fastText text: a word and its values per line
    BINARY = "binary"  # word2vec binary: a text header, then each word and its float32s
    GENSIM_NATIVE = "gensim native"  # gensim's .model/.kv: a Python pickle (needs trust)
    SNIFFED = "text or binary"  # a bare .gz: the content tells

    @property
    def is_pickle(self) -> bool:
        """Opening such a file runs code from it: only when the user trusts the file."""
        return self is VectorFormat.GENSIM_NATIVE


@dataclass(frozen=True, slots=True)
class VectorSuffix:
    suffix: str  # lower case, with its dot: ".bin.gz"
    format: VectorFormat
    compressed: bool = False  # gzip


SUFFIXES: tuple[VectorSuffix, ...] = (
    VectorSuffix(".bin", VectorFormat.BINARY),
    VectorSuffix(".bin.gz", VectorFormat.BINARY, compressed=True),
    VectorSuffix(".w2v", VectorFormat.BINARY),
    VectorSuffix(".txt", VectorFormat.TEXT),
    VectorSuffix(".txt.gz", VectorFormat.TEXT, compressed=True),
    VectorSuffix(".vec", VectorFormat.TEXT),
    VectorSuffix(".vec.gz", VectorFormat.TEXT, compressed=True),
    VectorSuffix(".gz", VectorFormat.SNIFFED, compressed=True),
    VectorSuffix(".model", VectorFormat.GENSIM_NATIVE),
    VectorSuffix(".kv", VectorFormat.GENSIM_NATIVE),
    VectorSuffix(".pkl", VectorFormat.GENSIM_NATIVE),
    VectorSuffix(".pickle", VectorFormat.GENSIM_NATIVE),
)
"""Every suffix of a vector file polyterm reads, longest match wins (".bin.gz" over ".gz")."""

_LONGEST_FIRST = tuple(sorted(SUFFIXES, key=lambda s: len(s.suffix), reverse=True))


def suffix_of(name: str) -> VectorSuffix | None:
    """The registered suffix `name` (a file name or path) ends with, any case; else None."""
    lower = name.lower()
    return next((s for s in _LONGEST_FIRST if lower.endswith(s.suffix)), None)


def format_of(name: str) -> VectorFormat | None:
    found = suffix_of(name)
    return found.format if found is not None else None


def has_vector_suffix(name: str) -> bool:
    return suffix_of(name) is not None


def without_suffix(name: str) -> str:
    """`name` without its registered suffix ("glove.6B.50d.txt" → "glove.6B.50d")."""
    found = suffix_of(name)
    return name[: -len(found.suffix)] if found is not None else name


def suffix_list() -> str:
    """The suffixes for a message: ".bin, .bin.gz, … .pickle"."""
    return ", ".join(s.suffix for s in SUFFIXES)
