"""Training word2vec with gensim: reproducible, with progress and cancellation.

Bit-for-bit reproducibility: one worker thread per model, a fixed seed, and a stable
word hash (BLAKE2b) in place of Python's salted ``hash``, so the same spec gives
byte-identical vectors in any process. Parallelism comes from training several models at
once in separate processes (see `polyterm.engine.sweep`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.engine.corpus import Sentences
from polyterm.engine.progress import (
    CancelFlag,
    Progress,
    ProgressCallback,
    check_cancel,
    no_progress,
)
from polyterm.engine.specs import TrainSpec
from polyterm.errors import CorpusError

REPORT_EVERY = 2000  # sentences between in-epoch progress reports and cancel checks


def stable_hash(text: str) -> int:
    """A process-independent hash for gensim's `hashfxn` (Python's `hash` is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True, slots=True)
class TrainedVectors:
    words: list[str]
    vectors: npt.NDArray[np.float32]
    counts: npt.NDArray[np.int64]
    seconds: float


class _Corpus:
    """Re-iterable sentences that report progress and stop early when cancelled."""

    def __init__(self, sentences: Sentences, on_sentence: Any, cancel: CancelFlag | None):
        self.sentences = sentences
        self.on_sentence = on_sentence
        self.cancel = cancel

    def __iter__(self) -> Iterator[list[str]]:
        for i, sent in enumerate(self.sentences):
            if i % REPORT_EVERY == 0:
                if self.cancel is not None and self.cancel.is_set():
                    return  # gensim ends the epoch; the epoch callback raises Cancelled
                self.on_sentence(i)
            yield sent


def train_word2vec(
    spec: TrainSpec,
    sentences: Sentences,
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> TrainedVectors:
    """Train `spec` on tokenised sentences; raises Cancelled, CorpusError."""
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    p = spec.params
    p.validate()
    task = spec.name
    total = len(sentences)
    total_words = sum(map(len, sentences))
    start = time.perf_counter()
    state = {"epoch": 0, "epoch_start": start}

    def on_sentence(i: int) -> None:
        if state["epoch"] < 0:  # vocabulary scan
            return
        epoch = int(state["epoch"])
        done = (epoch + i / max(total, 1)) / p.epochs
        elapsed = time.perf_counter() - start
        words_done = done * p.epochs * total_words
        wps = words_done / elapsed if elapsed > 0 else None
        eta = elapsed * (1 - done) / done if done > 0 else None
        progress(
            Progress(
                task, "train", done, f"epoch {epoch + 1}/{p.epochs}", epoch + 1, p.epochs, wps, eta
            )
        )

    class _Epochs(CallbackAny2Vec):  # type: ignore[misc]
        def on_epoch_end(self, model: Any) -> None:
            check_cancel(cancel, f"training {task}")
            state["epoch"] = int(state["epoch"]) + 1

    corpus = _Corpus(sentences, on_sentence, cancel)
    model = Word2Vec(
        vector_size=p.dims,
        window=p.window,
        min_count=p.min_count,
        sg=p.sg,
        negative=p.negative,
        sample=p.sample,
        seed=p.seed,
        workers=1,
        hashfxn=stable_hash,
        epochs=p.epochs,
    )
    progress(Progress(task, "vocab", 0.0, "counting words"))
    state["epoch"] = -1
    logging.getLogger("gensim").setLevel(logging.WARNING)
    model.build_vocab(corpus)
    check_cancel(cancel, f"training {task}")
    if len(model.wv) == 0:
        raise CorpusError(
            f"no word occurs at least min_count={p.min_count} times in {spec.corpus}; "
            "lower min_count or use a larger corpus"
        )
    state["epoch"] = 0
    model.train(corpus, total_examples=model.corpus_count, epochs=p.epochs, callbacks=[_Epochs()])
    check_cancel(cancel, f"training {task}")
    words = list(model.wv.index_to_key)
    counts = np.asarray(model.wv.expandos["count"], dtype=np.int64)
    vectors = np.ascontiguousarray(model.wv.vectors, dtype=np.float32)
    return TrainedVectors(words, vectors, counts, time.perf_counter() - start)
