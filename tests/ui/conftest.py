"""Fixtures for the explorer's tests: toy models, a temp cache/config, a fixed catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from polyterm.widgets.catalogue import CachedModel, Catalogue

GROUPS = {
    "animal": ["cat", "dog", "kitten", "puppy", "horse", "mouse"],
    "vehicle": ["car", "truck", "bus", "van", "bicycle", "train"],
    "royal": ["king", "queen", "prince", "princess", "throne", "crown"],
    "person": ["man", "woman", "boy", "girl", "father", "mother"],
    "fruit": ["apple", "pear", "banana", "cherry", "grape", "lemon"],
}
SCAN = "polyterm.explorer.workspace.scan_catalogue"  # patched for a fixed catalogue
FILLER = [f"word{i:02d}" for i in range(30)]
WORDS = [w for ws in GROUPS.values() for w in ws] + FILLER


def toy_model(name: str, seed: int, dims: int = 8) -> Embedding:
    """A small model whose groups cluster; different seeds give related but different models."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(GROUPS), dims)) * 2.0
    rows = []
    for g, words in enumerate(GROUPS.values()):
        rows += [centres[g] + rng.normal(scale=0.8, size=dims) for _ in words]
    rows += [rng.normal(size=dims) for _ in FILLER]
    manifest = {
        "kind": "word2vec",
        "source": "toy corpus",
        "params": {"dims": dims, "seed": seed, "window": 5, "min_count": 1, "epochs": 5, "sg": 0},
        "corpus": {"name": "toy", "tokens": 1234, "sha256": "0" * 64},
        "content_sha256": f"{seed:064d}",
    }
    return Embedding.from_arrays(name, WORDS, np.array(rows), manifest=manifest)


@pytest.fixture
def toy_models() -> list[Embedding]:
    return [toy_model("toy_a", 1), toy_model("toy_b", 2), toy_model("toy_c", 3, dims=6)]


FIXED_CATALOGUE = Catalogue(
    cache_root="<cache>",
    cached=(
        CachedModel("toy_a", "word2vec", 8, len(WORDS), 4_000, "toy corpus"),
        CachedModel("toy_b", "word2vec", 8, len(WORDS), 4_000, "toy corpus"),
    ),
    corpora=("brown",),
    glove=True,
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Cache, config and data in a temp folder; the current directory too (exports)."""
    for var, sub in (
        ("POLYTERM_CACHE_DIR", "cache"),
        ("POLYTERM_CONFIG_DIR", "config"),
        ("POLYTERM_DATA_DIR", "data"),
    ):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def fixed_catalogue(monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    """Make the app's catalogue scan return the same thing on every machine."""
    monkeypatch.setattr(SCAN, lambda cache, **kw: FIXED_CATALOGUE)
    return FIXED_CATALOGUE
