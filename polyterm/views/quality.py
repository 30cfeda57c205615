"""Model quality: how good each model is at word similarity and analogies at all.

"brown_30 has no shared raw dimension" means little without how good a model brown_30 is:
this view gives each model's WordSim-353 and SimLex-999 Spearman ρ (with coverage) and
its Google-analogy accuracy over the questions within its 30,000 most frequent words
(`polyterm.engine.quality`, computed by gensim on its bundled test files).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from polyterm.core.embedding import Embedding
from polyterm.engine.quality import (
    ANALOGY_RESTRICT,
    QualityScores,
    SimilarityScore,
    WarnFn,
    model_quality,
)
from polyterm.views.model_summary import ModelSummary, cli_models, models_table
from polyterm.views.protocol import Cell, Data, Phrase, Table, ViewMethods, slug_of

QUALITY_COLUMNS: tuple[str, ...] = (
    "WordSim-353 ρ (pairs)",
    "SimLex-999 ρ (pairs)",
    "analogy accuracy (questions)",
)


@dataclass(frozen=True, slots=True)
class ModelQuality:
    model: ModelSummary
    scores: QualityScores

    def cells(self) -> tuple[Cell, ...]:
        """The `QUALITY_COLUMNS` cells of this model."""
        a = self.scores.analogies
        analogy = "—" if a.accuracy is None else f"{a.accuracy:.1%} ({a.answered:,} of {a.total:,})"
        return (_similarity(self.scores.wordsim), _similarity(self.scores.simlex), analogy)

    def summary(self) -> str:
        """One line for a pane: ``WordSim ρ 0.08 · SimLex ρ 0.12 · analogies 2.7%``."""
        s, a = self.scores, self.scores.analogies

        def rho(x: SimilarityScore) -> str:
            return "—" if x.spearman is None else f"{x.spearman:.2f}"

        acc = "—" if a.accuracy is None else f"{a.accuracy:.1%}"
        return f"WordSim ρ {rho(s.wordsim)} · SimLex ρ {rho(s.simlex)} · analogies {acc}"


def _similarity(s: SimilarityScore) -> str:
    if s.spearman is None:
        return f"— (0 of {s.total})"
    return f"{s.spearman:+.3f} ({s.pairs} of {s.total})"


def quality_of(
    model: Embedding, cache_root: Path | None = None, warn: WarnFn | None = None
) -> ModelQuality:
    """`model`'s scores; with `cache_root`, stored there (`engine.quality.model_quality`)."""
    return ModelQuality(
        ModelSummary.of(model), model_quality(model, cache_root=cache_root, warn=warn)
    )


QUALITY_CAPTION = (
    "Spearman ρ of the model's cosines with human similarity ratings over the pairs whose "
    "two words it has (case-insensitive); analogy accuracy (3CosAdd) over the Google "
    f"questions whose four words are among its {ANALOGY_RESTRICT:,} most frequent words, "
    "as gensim restricts them (gensim's KeyedVectors.evaluate_word_pairs and "
    "evaluate_word_analogies on the files gensim ships)."
)


def quality_table(rows: Sequence[ModelQuality], key: str = "quality") -> Table:
    return Table(
        key,
        "Model quality: word similarity and analogies",
        ("model", *QUALITY_COLUMNS),
        tuple((Data(r.model.name), *r.cells()) for r in rows),
        caption=QUALITY_CAPTION,
        numeric=(False, True, True, True),
    )


@dataclass(frozen=True, slots=True)
class QualityView(ViewMethods):
    models: tuple[ModelQuality, ...]

    def title(self) -> Phrase:
        parts: list[str | Data] = ["Model quality: "]
        for i, m in enumerate(self.models):
            parts += [", "] if i else []
            parts.append(Data(m.model.name))
        return Phrase.of(*parts)

    def slug(self) -> str:
        return slug_of("quality", [m.model.slug_name for m in self.models])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `quality`: each model's similarity and analogy scores."""
        return (models_table([m.model for m in self.models]), quality_table(self.models))

    def command(self) -> str:
        return f"polyterm quality {cli_models([m.model for m in self.models])}"

    def readings(self) -> tuple[str, ...]:
        return tuple(quality_reading(m) for m in self.models)


def quality_reading(m: ModelQuality) -> str:
    s = m.scores
    a = s.analogies
    parts = []
    for label, x in (("WordSim-353", s.wordsim), ("SimLex-999", s.simlex)):
        if x.spearman is not None:
            parts.append(f"{label} ρ {x.spearman:.2f} over {x.pairs} of {x.total} pairs")
    if a.accuracy is not None:
        parts.append(f"analogies {a.accuracy:.1%} of {a.answered:,} questions")
    return (
        f"{m.model.name}: " + ", ".join(parts) + " — read its comparisons beside how good a "
        "model it is at all."
    )


def quality_view(models: Sequence[Embedding]) -> QualityView:
    return QualityView(tuple(quality_of(m) for m in models))
