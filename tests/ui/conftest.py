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


# A planted ICA toy: eight independent, sparse sources (each a group of 3 to 10 words with
# value ~1 on its own source, all other words ~0), the same sources in both models, each
# model a different random rotation and scale of them plus noise of its own that grows from
# source to source (sd 0.005 + 0.012 * index). ICA recovers every source in both models:
# matched axes at |r| 0.999, 0.994, 0.986, 0.975, 0.964, 0.961, 0.949, 0.933 (at least
# 0.0035 apart, so their order in the table is fixed), every other pair below 0.035, and
# consecutive skewnesses at least 0.02 apart: neither the pairing nor the order can flip
# under the float32 rounding of another CPU's BLAS kernel (~1e-6).
PLANTED_SOURCES = {
    "royal": ["king", "queen", "throne"],
    "fruit": ["apple", "pear", "banana", "cherry"],
    "vehicle": ["car", "truck", "bus", "van", "train"],
    "animal": ["cat", "dog", "kitten", "puppy", "horse", "mouse"],
    "person": ["man", "woman", "boy", "girl", "father", "mother", "child"],
    "colour": ["red", "green", "blue", "yellow", "black", "white", "pink", "brown"],
    "weather": ["rain", "snow", "wind", "storm", "sun", "cloud", "fog", "frost", "hail"],
    "number": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
}
PLANTED_WORDS = [w for ws in PLANTED_SOURCES.values() for w in ws] + FILLER


def planted_sources() -> np.ndarray:
    """Words × sources: group indicators (noise 0.03), filler words noise 0.1 around 0."""
    rng = np.random.default_rng(0)
    sources = np.zeros((len(PLANTED_WORDS), len(PLANTED_SOURCES)))
    row = 0
    for g, words in enumerate(PLANTED_SOURCES.values()):
        sources[row : row + len(words), g] = 1.0
        row += len(words)
    sources += rng.normal(scale=0.03, size=sources.shape)
    sources[row:] += rng.normal(scale=0.1, size=sources[row:].shape)
    return sources


def planted_ica_model(name: str, seed: int) -> Embedding:
    """The planted sources in a random rotation and scale of their own (see above)."""
    sources = planted_sources()
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(sources.shape[1],) * 2))
    noise_sd = 0.005 + 0.012 * np.arange(sources.shape[1])
    noisy = sources + rng.normal(size=sources.shape) * noise_sd
    vectors = noisy @ rotation * rng.uniform(0.5, 2.0)
    manifest = {
        "kind": "word2vec",
        "source": "planted ica toy",
        "params": {
            "dims": sources.shape[1],
            "seed": seed,
            "window": 5,
            "min_count": 1,
            "epochs": 5,
            "sg": 0,
        },
        "corpus": {"name": "toy", "tokens": 1234, "sha256": "0" * 64},
        "content_sha256": f"{seed + 100:064d}",
    }
    return Embedding.from_arrays(name, PLANTED_WORDS, vectors, manifest=manifest)


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
