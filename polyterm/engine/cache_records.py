"""What a model entry's manifest records, parsed into typed fields (`Manifest`), and the
library versions a manifest is written with.

Plain data: views read a model's manifest through `Manifest.of` (a trained model's
`TrainingRecord` and `CorpusRecord`, every file's `FileRecord`), never the JSON keys.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def library_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    for mod in ("gensim", "scipy", "nltk"):
        module = sys.modules.get(mod)
        if module is not None:
            versions[mod] = str(getattr(module, "__version__", "?"))
    from polyterm import __version__

    versions["polyterm"] = __version__
    return versions



def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """The word2vec parameters a trained model's manifest records (None: not recorded)."""

    dims: int | None
    seed: int | None
    window: int | None
    min_count: int | None
    epochs: int | None
    sg: int | None
    negative: int | None
    sample: float | None

    @property
    def architecture(self) -> str:
        return "skip-gram" if self.sg else "CBOW"


@dataclass(frozen=True, slots=True)
class CorpusRecord:
    """The corpus a trained model's manifest records."""

    name: str
    tokens: int
    sha256: str
    source: str


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One file of a cache entry as its manifest lists it."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True, slots=True, eq=False)  # equality: Mapping's, as a dict's
class Manifest(Mapping[str, Any]):
    """A cache entry's ``manifest.json``, parsed once into typed fields.

    The JSON on disk is unchanged (`raw` is what was read or written); the mapping
    interface reads `raw`, so code that still asks ``manifest.get("kind")`` keeps working
    while views read ``manifest.kind``. `Manifest.of` accepts an in-memory model's plain
    dict too (missing fields: empty, None or 0).
    """

    raw: Mapping[str, Any]
    name: str
    kind: str
    source: str
    spec_identity: Mapping[str, Any]
    params: TrainingRecord | None
    corpus: CorpusRecord | None
    shape: tuple[int, int] | None
    files: Mapping[str, FileRecord]
    versions: Mapping[str, str]
    file_format: str
    limit: int | None
    notes: tuple[str, ...]
    content_sha256: str
    created: str
    frequency_ordered: bool

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Manifest:
        """`raw` parsed (a Manifest is returned as it is)."""
        if isinstance(raw, Manifest):
            return raw
        params = raw.get("params")
        training = None
        if isinstance(params, Mapping) and params:
            sample = params.get("sample")
            training = TrainingRecord(
                dims=_int(params.get("dims")),
                seed=_int(params.get("seed")),
                window=_int(params.get("window")),
                min_count=_int(params.get("min_count")),
                epochs=_int(params.get("epochs")),
                sg=_int(params.get("sg")),
                negative=_int(params.get("negative")),
                sample=float(sample) if isinstance(sample, int | float) else None,
            )
        corpus = raw.get("corpus")
        corpus_record = None
        if isinstance(corpus, Mapping) and corpus:
            corpus_record = CorpusRecord(
                _text(corpus.get("name")),
                _int(corpus.get("tokens")) or 0,
                _text(corpus.get("sha256")),
                _text(corpus.get("source")),
            )
        shape = raw.get("shape")
        files = {
            str(f): FileRecord(
                _int(m.get("size")) or 0, _int(m.get("mtime_ns")) or 0, _text(m.get("sha256"))
            )
            for f, m in _mapping(raw.get("files")).items()
            if isinstance(m, Mapping)
        }
        notes = raw.get("notes")
        return cls(
            raw=raw,
            name=_text(raw.get("name")),
            kind=_text(raw.get("kind")) or "in-memory",
            source=_text(raw.get("source")),
            spec_identity=_mapping(raw.get("identity")),
            params=training,
            corpus=corpus_record,
            shape=(
                (int(shape[0]), int(shape[1]))
                if isinstance(shape, list | tuple)
                and len(shape) == 2
                and all(_int(x) is not None for x in shape)
                else None
            ),
            files=files,
            versions={str(k): _text(v) for k, v in _mapping(raw.get("versions")).items()},
            file_format=_text(raw.get("file_format")),
            limit=_int(raw.get("limit")),
            notes=tuple(str(n) for n in notes) if isinstance(notes, list | tuple) else (),
            content_sha256=_text(raw.get("content_sha256")),
            created=_text(raw.get("created")),
            frequency_ordered=bool(raw.get("frequency_ordered", True)),
        )

    @property
    def path(self) -> str | None:
        """A file model's vector file (absolute), as its spec named it."""
        path = self.spec_identity.get("path") if self.kind == "file" else None
        return str(path) if path else None

    @property
    def trusted(self) -> bool:
        """Whether reading it needed --trust (gensim's native, pickle-based format)."""
        return "trusted" in self.file_format

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

