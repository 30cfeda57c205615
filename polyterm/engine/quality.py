"""How good a model is at all: word similarity and analogies on gensim's bundled test sets.

- WordSim-353 (``wordsim353.tsv``) and SimLex-999 (``simlex999.txt``): Spearman ρ between
  the model's cosine and the human ratings, over the pairs both of whose words the model
  has (case-insensitive), with the coverage (share of pairs scored);
- the Google analogy set (``questions-words.txt``): accuracy of ``b − a + c`` (3CosAdd)
  over the questions whose four words are among the 30,000 most frequent words, as gensim
  restricts them.

All three are computed by gensim (`KeyedVectors.evaluate_word_pairs` and
`evaluate_word_analogies`) on the model's vectors, from the files gensim ships
(`gensim.test.utils.datapath`): no download. Results are kept on the model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from polyterm.core.embedding import Embedding

ANALOGY_RESTRICT = 30_000
WORDSIM = "wordsim353.tsv"
SIMLEX = "simlex999.txt"
ANALOGIES = "questions-words.txt"


@dataclass(frozen=True, slots=True)
class SimilarityScore:
    """Spearman ρ of the model's cosines with human ratings over `pairs` scored pairs of
    `total` (coverage = pairs / total); ρ is None when no pair could be scored."""

    spearman: float | None
    pairs: int
    total: int

    @property
    def coverage(self) -> float:
        return self.pairs / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class AnalogyScore:
    """Accuracy over the `answered` questions (all four words among the `restrict` most
    frequent) of `total`; None when none could be answered."""

    accuracy: float | None
    answered: int
    total: int
    restrict: int


@dataclass(frozen=True, slots=True)
class QualityScores:
    wordsim: SimilarityScore
    simlex: SimilarityScore
    analogies: AnalogyScore


def _keyed_vectors(model: Embedding) -> Any:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=model.dims)
    kv.add_vectors(list(model.vocab), np.asarray(model.vectors, dtype=np.float32))
    return kv


def _pair_count(path: str) -> int:
    with open(path, encoding="utf8") as f:
        return sum(1 for line in f if line.strip() and not line.startswith("#"))


def _question_count(path: str) -> int:
    with open(path, encoding="utf8") as f:
        return sum(1 for line in f if line.strip() and not line.startswith(":"))


def _similarity(kv: Any, name: str) -> SimilarityScore:
    from gensim.test.utils import datapath

    path = datapath(name)
    total = _pair_count(path)
    try:
        _pearson, spearman, oov = kv.evaluate_word_pairs(path, restrict_vocab=len(kv))
    except ValueError:  # gensim: no pair has both words in the vocabulary
        return SimilarityScore(None, 0, total)
    rho = float(spearman.statistic) if spearman is not None else float("nan")
    pairs = round(total * (1 - float(oov) / 100.0))
    return SimilarityScore(None if not np.isfinite(rho) else rho, pairs, total)


def _analogies(kv: Any, restrict: int) -> AnalogyScore:
    from gensim.test.utils import datapath

    path = datapath(ANALOGIES)
    total = _question_count(path)
    try:
        score, sections = kv.evaluate_word_analogies(path, restrict_vocab=restrict)
    except (ValueError, ZeroDivisionError):  # no question within the vocabulary
        return AnalogyScore(None, 0, total, restrict)
    overall = next((s for s in sections if s["section"] == "Total accuracy"), None)
    answered = 0 if overall is None else len(overall["correct"]) + len(overall["incorrect"])
    return AnalogyScore(float(score) if answered else None, answered, total, restrict)


def model_quality(model: Embedding, *, analogy_restrict: int = ANALOGY_RESTRICT) -> QualityScores:
    """WordSim-353, SimLex-999 and Google-analogy scores of `model` (kept on the model)."""

    def compute() -> QualityScores:
        kv = _keyed_vectors(model)
        quiet = logging.getLogger("gensim")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # gensim logs every section at INFO
        try:
            return QualityScores(
                wordsim=_similarity(kv, WORDSIM),
                simlex=_similarity(kv, SIMLEX),
                analogies=_analogies(kv, analogy_restrict),
            )
        finally:
            quiet.setLevel(level)

    return model.memoised(("quality", analogy_restrict), compute)
