"""Planted models and labels for the polysemanticity panes (no WordNet: labels planted)."""

from __future__ import annotations

import numpy as np

from polyterm.core.embedding import Embedding
from polyterm.core.features import FeatureLabels

ANIMALS = [f"animal{i:02d}" for i in range(30)]
FOODS = [f"food{i:02d}" for i in range(30)]
TOOLS = [f"tool{i:02d}" for i in range(40)]
FILLER = [f"filler{i:03d}" for i in range(300)]
PLANTED = ANIMALS + FOODS + TOOLS
# Rows are frequency ranks: the planted words are spread over the whole frequency range
# (every fourth row), so the frequency-stratified test compares them with words of their
# own frequency, as in a real model, and their meaning is not a frequency artefact.
WORDS = [w for i in range(len(PLANTED)) for w in (PLANTED[i], *FILLER[3 * i : 3 * i + 3])]
OTHER_LABELS = ("noun.act", "noun.body", "noun.time", "noun.place", "verb.motion")


def planted_model(name: str, seed: int, dims: int = 8) -> Embedding:
    """Axis 0's top end is exactly the animals and foods, axis 1's the tools, the rest
    random (seed changes the noise, not the planting)."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(scale=0.3, size=(len(WORDS), dims))
    row = {w: i for i, w in enumerate(WORDS)}
    vectors[[row[w] for w in ANIMALS + FOODS], 0] += 3.0
    vectors[[row[w] for w in TOOLS], 1] += 3.0
    manifest = {"kind": "word2vec", "params": {"dims": dims, "seed": seed, "window": 5},
                "corpus": {"name": "planted", "tokens": 1000, "sha256": "1" * 64},
                "content_sha256": f"{seed + 100 * dims:064d}"}  # fmt: skip
    return Embedding.from_arrays(name, WORDS, vectors, manifest=manifest)


def planted_labels(source: str = "wordnet") -> FeatureLabels:
    labels: dict[str, frozenset[str]] = {}
    for w in ANIMALS:
        labels[w] = frozenset({"noun.animal"})
    for w in FOODS:
        labels[w] = frozenset({"noun.food"})
    for w in TOOLS:
        labels[w] = frozenset({"noun.artifact"})
    for i, w in enumerate(FILLER):
        labels[w] = frozenset({OTHER_LABELS[i % len(OTHER_LABELS)]})
    return FeatureLabels(source, "planted for the tests", labels)


def plant(app: object, calls: list[str] | None = None) -> None:
    """Give the app's services planted labels for every source (recording the calls)."""

    def loader(source: str) -> FeatureLabels:
        if calls is not None:
            calls.append(source)
        return planted_labels(source)

    app.services.label_loader = loader  # type: ignore[attr-defined]
