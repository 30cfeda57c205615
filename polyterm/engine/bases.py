"""A model expressed in a basis (raw, pca, ica, dict:K): fitted once, then reused.

`BasisStore.in_basis(model, request)` returns a new `Embedding` whose vectors are the
model's codes in that basis (n words × k axes or atoms), in the model's row order, with
the same vocabulary and counts. Every per-dimension analysis (dimension ends, repeats,
statistics, matching, alignment) then works on it unchanged. Its name is
``"<model> [<basis>]"`` (``raw`` keeps the model's own name and object) and its manifest
is the model's plus a ``basis`` record (see `basis_record`), which views read to say which
basis a number is in and to write the CLI line that reproduces it.

The fit uses the model's `fit_words` most frequent words (its first rows: models are
stored in frequency order) and is seeded, so the same request gives the same arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from polyterm.core.bases import (
    DEFAULT_FIT_ROWS,
    BasisName,
    CancelFlag,
    FittedBasis,
    fit_basis,
    parse_basis_name,
)
from polyterm.core.embedding import Embedding
from polyterm.core.stability import DEFAULT_RUNS, Stability, basis_stability

ProgressFn = Callable[[float, str], None]
WarnFn = Callable[[str], None]

RAW = BasisName("raw")


@dataclass(frozen=True, slots=True)
class BasisRequest:
    """Which basis, fitted on how many of the most frequent words, with which seed."""

    name: BasisName = RAW
    fit_words: int = DEFAULT_FIT_ROWS
    seed: int = 0

    @classmethod
    def of(
        cls, name: str | BasisName, *, fit_words: int = DEFAULT_FIT_ROWS, seed: int = 0
    ) -> BasisRequest:
        """Parse `name` (ValueError naming the accepted forms for anything else)."""
        if fit_words < 2:
            raise ValueError(f"--fit-words must be at least 2, not {fit_words}")
        return cls(parse_basis_name(name), fit_words, seed)

    @property
    def is_raw(self) -> bool:
        return self.name.kind == "raw"

    def label(self) -> str:
        """``ica`` (default fit and seed) or ``ica, fit on 5,000 words, seed 3``."""
        text = str(self.name)
        if self.is_raw:
            return text
        if self.fit_words != DEFAULT_FIT_ROWS:
            text += f", fit on {self.fit_words:,} words"
        if self.seed != 0:
            text += f", seed {self.seed}"
        return text

    def cli_options(self) -> str:
        """The CLI options that ask for this basis again (empty for raw)."""
        if self.is_raw:
            return ""
        text = f" --basis {self.name}"
        if self.fit_words != DEFAULT_FIT_ROWS:
            text += f" --fit-words {self.fit_words}"
        if self.seed != 0:
            text += f" --basis-seed {self.seed}"
        return text


def basis_record(model: Embedding, request: BasisRequest, fitted: FittedBasis) -> dict[str, Any]:
    """The ``basis`` entry of a model-in-a-basis's manifest."""
    return {
        "name": str(request.name),
        "fit_words": request.fit_words,
        "seed": request.seed,
        "model": model.name,
        "codes": fitted.n_codes,
        "params": dict(fitted.params),
    }


def request_of(model: Embedding) -> BasisRequest:
    """The basis a model is expressed in (raw for a model straight from the cache)."""
    record = model.manifest.get("basis")
    if not isinstance(record, dict):
        return BasisRequest()
    return BasisRequest.of(
        str(record.get("name", "raw")),
        fit_words=int(record.get("fit_words", DEFAULT_FIT_ROWS)),
        seed=int(record.get("seed", 0)),
    )


class BasisStore:
    """Fits bases of models and keeps them: in memory for the model's life (and, once
    a cache is given, on disk beside the model so a second run never refits)."""

    def __init__(self, warn: WarnFn | None = None) -> None:
        self.warn: WarnFn = warn or (lambda _msg: None)

    def fitted(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> FittedBasis:
        """The fitted basis of `model` (ValueError when the model cannot take it)."""
        key = ("basis", str(request.name), request.fit_words, request.seed)
        return model.memoised(
            key,
            lambda: fit_basis(
                model.vectors,
                request.name,
                fit_rows=request.fit_words,
                seed=request.seed,
                cancel=cancel,
                progress=progress,
            ),
        )

    def in_basis(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> Embedding:
        """`model` with its vectors replaced by its codes in `request`'s basis."""
        if request.is_raw:
            return model
        key = ("in_basis", str(request.name), request.fit_words, request.seed)

        def compute() -> Embedding:
            fitted = self.fitted(model, request, progress=progress, cancel=cancel)
            codes = fitted.transform(model.vectors, cancel=cancel)
            return Embedding(
                name=f"{model.name} [{request.name}]",
                vocab=model.vocab,
                vectors=np.ascontiguousarray(codes, dtype=np.float32),
                counts=model.counts,
                manifest={**model.manifest, "basis": basis_record(model, request, fitted)},
            )

        return model.memoised(key, compute)

    def stability(
        self,
        model: Embedding,
        request: BasisRequest,
        *,
        runs: int = DEFAULT_RUNS,
        progress: ProgressFn | None = None,
        cancel: CancelFlag | None = None,
    ) -> Stability:
        """Icasso stability of each component of an ica or dict:K basis (ValueError for
        another kind)."""
        key = ("stability", str(request.name), request.fit_words, request.seed, runs)
        return model.memoised(
            key,
            lambda: basis_stability(
                model.vectors,
                request.name,
                runs=runs,
                seed=request.seed,
                fit_rows=request.fit_words,
                cancel=cancel,
                progress=progress,
            ),
        )
