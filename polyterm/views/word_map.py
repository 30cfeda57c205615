"""The aligned 2-D map of chosen words in several models (`polyterm map`), as a view.

The coordinates come from `polyterm.core.word_maps` (the first model's PCA plane of the
chosen words, every other model rotated onto the first over the shared words that are not
drawn); the shape table says how far each model keeps the first model's pairwise
distances among the words, beside a null that permutes which word is which.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from polyterm.core.embedding import Embedding
from polyterm.core.nulls import NullSummary
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.core.word_maps import word_map
from polyterm.errors import PolytermError
from polyterm.safe_text import visible
from polyterm.views.model_summary import ModelSummary, cli_models, models_table
from polyterm.views.protocol import (
    Cell,
    Data,
    Phrase,
    Table,
    ViewMethods,
    joined,
    null_text,
    slug_of,
)

DEFAULT_ANCHORS = 10_000
DEFAULT_MAP_REPETITIONS = 1000
MAX_MAP_WORDS = 200


@dataclass(frozen=True, slots=True)
class WordMapView(ViewMethods):
    models: tuple[ModelSummary, ...]
    words: tuple[str, ...]
    coords: tuple[tuple[tuple[float, float], ...], ...]
    """Per model, per word: (x, y) on the first model's plane."""
    explained: tuple[float, float]
    shape: tuple[NullSummary | None, ...]
    shape_p: tuple[float | None, ...]
    anchors: int
    missing: tuple[str, ...] = ()
    repetitions: int = DEFAULT_MAP_REPETITIONS
    seed: int = 0
    requested_anchors: int = field(default=DEFAULT_ANCHORS, metadata={"json": "unless-default"})

    def title(self) -> Phrase:
        return Phrase.of(f"Map of {len(self.words)} words in ", joined(m.name for m in self.models))

    def slug(self) -> str:
        return slug_of("map", [m.name for m in self.models])

    def tables(self) -> tuple[Table, ...]:
        names = [m.name for m in self.models]
        columns: list[str | Data | Phrase] = ["word"]
        for name in names:
            columns += [Phrase.of(Data(name), " x"), Phrase.of(Data(name), " y")]
        rows: list[tuple[Cell, ...]] = []
        for i, w in enumerate(self.words):
            values: list[Cell] = [v for m in range(len(names)) for v in self.coords[m][i]]
            rows.append((Data(w), *values))
        coordinates = Table(
            key="coordinates",
            title="Coordinates on the first model's plane",
            columns=tuple(columns),
            rows=tuple(rows),
            caption=(
                f"PCA plane of the words in {visible(names[0])} (axes {self.explained[0]:.0%} "
                f"and {self.explained[1]:.0%} of their variance); every other model rotated "
                f"onto it over {self.anchors:,} shared words that are not drawn"
            ),
            numeric=(False, *[True] * (2 * len(names))),
        )
        shape_rows = tuple(
            (
                Data(m.name),
                None if s is None else s.observed,
                null_text(s),
                None if p is None else p,
            )
            for m, s, p in zip(self.models[1:], self.shape[1:], self.shape_p[1:], strict=True)
        )
        shape = Table(
            key="shape",
            title=Phrase.of("Shape kept from ", Data(names[0])),
            columns=("model", "Spearman ρ of pairwise distances", "permuted-words null", "p"),
            rows=shape_rows,
            caption=(
                "pairwise cosine distances among the words in each model's own full space "
                f"against the first model's; the null permutes which word is which "
                f"({self.repetitions:,} draws); p = (1 + #null ≥ ρ) / (1 + draws)"
            ),
            numeric=(False, True, False, True),
        )
        return (models_table(self.models), coordinates, shape)

    def readings(self) -> list[str]:
        out = []
        if self.missing:
            out.append(
                f"left out (not in every model): {', '.join(visible(w) for w in self.missing)}"
            )
        first = self.models[0].name
        for m, s, p in zip(self.models[1:], self.shape[1:], self.shape_p[1:], strict=True):
            if s is None or p is None:
                out.append(f"{m.name}: the shape cannot be compared (constant distances)")
            elif p <= 0.05 and s.z is not None and s.z >= 3:
                out.append(
                    f"{m.name} keeps the shape of these words in {first} beyond chance "
                    f"(ρ {s.observed:.2f} against {s.null_mean:.2f} ± {s.null_sd:.2f}, p {p:.3g})"
                )
            else:
                out.append(
                    f"{m.name} does not keep the shape of these words in {first} beyond "
                    f"chance (ρ {s.observed:.2f}, p {p:.3g})"
                )
        return out

    def command(self) -> str:
        extra = ""
        if self.requested_anchors != DEFAULT_ANCHORS:
            extra += f" --anchors {self.requested_anchors}"
        if self.repetitions != DEFAULT_MAP_REPETITIONS:
            extra += f" --repetitions {self.repetitions}"
        if self.seed:
            extra += f" --seed {self.seed}"
        words = ",".join(self.words)
        return f"polyterm map {shlex.quote(words)} --models {cli_models(self.models, ',')}{extra}"


def word_map_view(
    models: Sequence[Embedding],
    words: Sequence[str],
    *,
    anchors: int = DEFAULT_ANCHORS,
    repetitions: int = DEFAULT_MAP_REPETITIONS,
    seed: int = 0,
) -> WordMapView:
    """The map of `words` (those in every model) in `models`, the first as reference."""
    if not models:
        raise PolytermError("map needs at least one model")
    unique = list(dict.fromkeys(words))
    if len(unique) > MAX_MAP_WORDS:
        raise PolytermError(f"map draws at most {MAX_MAP_WORDS} words, not {len(unique)}")
    present = [w for w in unique if all(w in m.vocab for m in models)]
    missing = tuple(w for w in unique if w not in present)
    if len(present) < 3:
        raise PolytermError(
            f"only {len(present)} of the words are in every model: a map needs at least 3"
            + (f" (not in every model: {', '.join(missing[:10])})" if missing else "")
        )
    shared = shared_vocabulary([list(m.vocab) for m in models], top_n=None)
    chosen_set = set(present)
    anchor_words = [w for w in shared.words if w not in chosen_set][:anchors]
    if len(anchor_words) < max(10, max(m.dims for m in models)):
        raise PolytermError(
            f"the models share only {len(anchor_words)} words besides the map's: too few "
            "to rotate one onto another"
        )
    words_in_rows = anchor_words + present
    x: list[npt.NDArray[np.float32]] = []
    for m in models:
        rows = np.fromiter((m.vocab.row(w) for w in words_in_rows), dtype=np.int64)
        x.append(m.vectors[rows])
    chosen = list(range(len(anchor_words), len(words_in_rows)))
    result = word_map(x, chosen, repetitions=repetitions, seed=seed)
    coords = tuple(
        tuple((float(a), float(b)) for a, b in result.coords[m]) for m in range(len(models))
    )
    return WordMapView(
        models=tuple(ModelSummary.of(m) for m in models),
        words=tuple(present),
        coords=coords,
        explained=result.explained,
        shape=result.shape,
        shape_p=result.shape_p,
        anchors=len(anchor_words),
        missing=missing,
        repetitions=repetitions,
        seed=seed,
        requested_anchors=anchors,
    )


def text_scatter(
    points: Sequence[tuple[float, float]],
    labels: Sequence[str],
    *,
    width: int = 38,
    height: int = 14,
    title: str = "",
    bounds: tuple[float, float, float, float] | None = None,
) -> list[str]:
    """A labelled scatter as lines of text (a `·` per point, its label after it where
    there is room; labels made visible, never markup). `bounds` (x0, x1, y0, y1) fixes
    the axes, so that several scatters share one scale; by default the points' own."""
    grid = [[" "] * width for _ in range(height)]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    finite = [(x, y) for x, y in zip(xs, ys, strict=True) if math.isfinite(x) and math.isfinite(y)]
    if finite:
        if bounds is None:
            x0, x1 = min(x for x, _ in finite), max(x for x, _ in finite)
            y0, y1 = min(y for _, y in finite), max(y for _, y in finite)
        else:
            x0, x1, y0, y1 = bounds
        sx = (width - 1) / (x1 - x0) if x1 > x0 else 0.0
        sy = (height - 1) / (y1 - y0) if y1 > y0 else 0.0
        cells: list[tuple[int, int, int]] = []
        for i in range(len(points)):
            x, y = xs[i], ys[i]
            if math.isfinite(x) and math.isfinite(y):
                col = min(width - 1, max(0, round((x - x0) * sx)))
                row = height - 1 - min(height - 1, max(0, round((y - y0) * sy)))
                grid[row][col] = "·"
                cells.append((row, col, i))
        for row, col, i in sorted(cells):  # labels after every point: none is overwritten
            text = visible(labels[i])
            start, end = col + 1, col + 1 + len(text)
            if end <= width and all(c == " " for c in grid[row][start:end]):
                grid[row][start:end] = list(text)
    border = "+" + "-" * width + "+"
    head = visible(title)[:width]
    return [head.ljust(width + 2), border, *["|" + "".join(r) + "|" for r in grid], border]


def map_plots(
    view: WordMapView, *, width: int = 38, height: int = 14, columns: int = 120
) -> list[str]:
    """Every model's scatter, side by side in rows of as many as fit in `columns`."""
    per_row = max(1, (columns + 1) // (width + 3))
    xs = [x for model in view.coords for x, _ in model if math.isfinite(x)]
    ys = [y for model in view.coords for _, y in model if math.isfinite(y)]
    bounds = (min(xs), max(xs), min(ys), max(ys)) if xs and ys else None
    blocks = [
        text_scatter(
            view.coords[m], view.words, width=width, height=height, title=s.name, bounds=bounds
        )
        for m, s in enumerate(view.models)
    ]
    lines: list[str] = []
    for start in range(0, len(blocks), per_row):
        group = blocks[start : start + per_row]
        for parts in zip(*group, strict=True):
            lines.append(" ".join(parts).rstrip())
        lines.append("")
    return lines


def _markdown(view: WordMapView) -> str:
    from polyterm.views.markdown import generic_markdown

    text = generic_markdown(view)
    plots = "\n".join(map_plots(view)).rstrip()
    head, sep, tail = text.rpartition("Reproduce with:")
    return f"{head}```\n{plots}\n```\n\n{sep}{tail}" if sep else text


def _register() -> None:
    from polyterm.views.markdown import render_markdown

    render_markdown.register(WordMapView, _markdown)


_register()
__all__ = ["WordMapView", "map_plots", "text_scatter", "word_map_view"]
