"""How good a model is at all: word similarity and analogies on gensim's bundled test sets.

- WordSim-353 (``wordsim353.tsv``) and SimLex-999 (``simlex999.txt``): Spearman ρ between
  the model's cosine and the human ratings, over the pairs both of whose words the model
  has (case-insensitive), with the coverage (share of pairs scored);
- the Google analogy set (``questions-words.txt``): accuracy of ``b − a + c`` (3CosAdd)
  over the questions whose four words are among the 30,000 most frequent words, as gensim
  restricts them.

All three are computed by gensim (`KeyedVectors.evaluate_word_pairs` and
`evaluate_word_analogies`) on the model's vectors, from the files gensim ships
(`gensim.test.utils.datapath`): no download. Results are kept on the model and, given a
cache root and a model from the cache (its manifest's ``content_sha256``), on disk in
``<cache root>/quality/<content_sha256>-a<restrict>.json`` (`polyterm.engine.json_entries`:
a header naming the model's content sha256, the analogy restriction and the sha256 of the
three test files, then the scores; verified on every read, field types too; a damaged or
mismatching one is computed again, with a warning, and replaced). A model in a basis, or
one made in memory, is kept in memory only.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from polyterm.core.embedding import Embedding
from polyterm.engine.json_entries import DamagedEntry, entry_folder, load_entry, store_entry

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


QUALITY_FORMAT = 1
"""Version of the stored scores (in the test files' fingerprint: another version is
computed again)."""
QUALITY_DIR = "quality"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
WarnFn = Callable[[str], None]


def _test_files_sha256() -> str:
    """One sha256 over the three gensim test files the scores come from."""
    from gensim.test.utils import datapath

    h = hashlib.sha256(f"quality-{QUALITY_FORMAT}".encode())
    for name in (WORDSIM, SIMLEX, ANALOGIES):
        with open(datapath(name), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _model_key(model: Embedding) -> str | None:
    if isinstance(model.manifest.get("basis"), Mapping):
        return None
    sha = model.manifest.get("content_sha256")
    return sha if isinstance(sha, str) and _SHA256.match(sha) else None


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DamagedEntry("a score is not a number")
    if not np.isfinite(value):
        raise DamagedEntry("a score is not finite")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DamagedEntry("a count is not a non-negative integer")
    return value


def _similarity_of(data: Any) -> SimilarityScore:
    if not isinstance(data, dict):
        raise DamagedEntry("a similarity score is not an object")
    score = SimilarityScore(
        _optional_float(data["spearman"]), _count(data["pairs"]), _count(data["total"])
    )
    if score.pairs > score.total:
        raise DamagedEntry("more pairs scored than there are")
    return score


def _scores_of(payload: Any, restrict: int) -> QualityScores:
    if not isinstance(payload, dict):
        raise DamagedEntry("the payload is not a JSON object")
    a = payload["analogies"]
    if not isinstance(a, dict):
        raise DamagedEntry("the analogy score is not an object")
    analogies = AnalogyScore(
        _optional_float(a["accuracy"]), _count(a["answered"]), _count(a["total"]),
        _count(a["restrict"]),
    )  # fmt: skip
    if analogies.restrict != restrict or analogies.answered > analogies.total:
        raise DamagedEntry("the analogy score does not fit the request")
    return QualityScores(
        _similarity_of(payload["wordsim"]), _similarity_of(payload["simlex"]), analogies
    )


def _versions() -> dict[str, str]:
    import gensim

    return {"gensim": str(gensim.__version__)}


def model_quality(
    model: Embedding,
    *,
    analogy_restrict: int = ANALOGY_RESTRICT,
    cache_root: Path | None = None,
    warn: WarnFn | None = None,
) -> QualityScores:
    """WordSim-353, SimLex-999 and Google-analogy scores of `model` (kept on the model,
    and with `cache_root` on disk for a model from the cache: module docstring)."""
    key = _model_key(model) if cache_root is not None else None

    def compute() -> QualityScores:
        if key is None or cache_root is None:
            return _compute()
        say: WarnFn = warn or (lambda _m: None)
        folder = entry_folder(cache_root, QUALITY_DIR, say, "model quality")
        if folder is None:
            return _compute()
        path = folder / f"{key}-a{analogy_restrict}.json"
        fields = {"kind": "model-quality", "content_sha256": key,
                  "restrict": analogy_restrict, "test_files": _test_files_sha256()}  # fmt: skip
        scores = load_entry(path, fields, lambda p: _scores_of(p, analogy_restrict), say)
        if isinstance(scores, QualityScores):
            return scores
        scores = _compute()
        store_entry(path, fields, asdict(scores), say, _versions())
        return scores

    def _compute() -> QualityScores:
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
