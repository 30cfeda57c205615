"""A short, printable description of a model, taken from its manifest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from polyterm.core.embedding import Embedding
from polyterm.views.protocol import Data, Table


@dataclass(frozen=True, slots=True)
class ModelSummary:
    name: str
    kind: str
    dims: int
    vocabulary: int
    source: str
    details: str  # e.g. "CBOW, window 5, min_count 5, epochs 5, seed 1; corpus 1,161,192 tokens"
    content_sha256: str

    @classmethod
    def of(cls, model: Embedding) -> ModelSummary:
        m = model.manifest
        details = ""
        params: dict[str, Any] = m.get("params", {})
        if params:
            arch = "skip-gram" if params.get("sg") else "CBOW"
            details = (
                f"{arch}, window {params.get('window')}, min_count "
                f"{params.get('min_count')}, epochs {params.get('epochs')}, "
                f"seed {params.get('seed')}"
            )
            corpus = m.get("corpus", {})
            if corpus:
                details += (
                    f"; corpus {corpus.get('name')} {corpus.get('tokens', 0):,} tokens, "
                    f"sha256 {str(corpus.get('sha256', ''))[:12]}"
                )
        elif m.get("file_format"):
            details = str(m["file_format"])
            if m.get("limit"):
                details += f", first {m['limit']:,} words"
        return cls(
            name=model.name,
            kind=str(m.get("kind", "in-memory")),
            dims=model.dims,
            vocabulary=len(model),
            source=str(m.get("source", "")),
            details=details,
            content_sha256=str(m.get("content_sha256", ""))[:16],
        )


def models_table(models: Sequence[ModelSummary]) -> Table:
    """The models a view was computed from, with their manifests' details."""
    return Table(
        "models",
        "Models",
        ("model", "kind", "dims", "vocabulary", "details", "sha256"),
        tuple(
            (
                Data(m.name),
                Data(m.kind),
                m.dims,
                f"{m.vocabulary:,}",
                Data(m.details or m.source),
                Data(m.content_sha256),
            )
            for m in models
        ),
        numeric=(False, False, True, True, False, False),
    )
