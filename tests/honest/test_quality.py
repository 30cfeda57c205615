"""Model quality (issue 18, item 9): against gensim's own evaluation and a direct count."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath
from scipy import stats

from polyterm.core.embedding import Embedding
from polyterm.engine.quality import model_quality
from polyterm.views.protocol import plain, table_by_key
from polyterm.views.quality import quality_view


def _pairs(name: str) -> list[tuple[str, str, float]]:
    out = []
    with open(datapath(name), encoding="utf8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a, b, score = line.rstrip("\n").split("\t")[:3]
            out.append((a.lower(), b.lower(), float(score)))
    return out


@pytest.fixture(scope="module")
def model() -> Embedding:
    """Words of WordSim-353 (half of them, so coverage < 1) and of some analogies, with
    random vectors; the similarity ρ must be what scipy gives on the covered pairs."""
    words = sorted({w for a, b, _ in _pairs("wordsim353.tsv")[:180] for w in (a, b)})
    words += ["king", "queen", "man", "woman", "paris", "france", "london", "england"]
    words = list(dict.fromkeys(words))
    rng = np.random.default_rng(0)
    return Embedding.from_arrays("toy", words, rng.standard_normal((len(words), 16)))


def test_similarity_is_spearman_over_the_covered_pairs(model: Embedding) -> None:
    q = model_quality(model)
    have = set(model.vocab)
    unit = model.unit
    row = {w: i for i, w in enumerate(model.vocab)}
    covered = [(a, b, s) for a, b, s in _pairs("wordsim353.tsv") if a in have and b in have]
    cos = [float(unit[row[a]] @ unit[row[b]]) for a, b, _ in covered]
    rho = stats.spearmanr(cos, [s for *_, s in covered]).statistic
    assert q.wordsim.pairs == len(covered) and q.wordsim.total == 353
    assert 0 < q.wordsim.coverage < 1
    assert q.wordsim.spearman == pytest.approx(rho, abs=1e-4)


def test_scores_equal_gensim_on_the_same_vectors(model: Embedding) -> None:
    kv = KeyedVectors(vector_size=model.dims)
    kv.add_vectors(list(model.vocab), np.asarray(model.vectors))
    _, spearman, _ = kv.evaluate_word_pairs(datapath("simlex999.txt"))
    score, _ = kv.evaluate_word_analogies(datapath("questions-words.txt"), restrict_vocab=30_000)
    q = model_quality(model)
    if q.simlex.spearman is not None:
        assert q.simlex.spearman == pytest.approx(spearman.statistic, abs=1e-9)
    assert q.analogies.answered > 0 and q.analogies.accuracy == pytest.approx(score)
    assert q.analogies.restrict == 30_000


def test_the_view_shows_rho_with_coverage(model: Embedding) -> None:
    view = quality_view([model])
    row = table_by_key(view.tables(), "quality").rows[0]
    q = model_quality(model)
    assert plain(row[1]) == f"{q.wordsim.spearman:+.3f} ({q.wordsim.pairs} of 353)"
    assert view.command() == "polyterm quality toy"
