"""Line 14: which meanings every axis end mixes (issue 20, "Speed").

- ``features`` of brown_30 in all four bases (raw, pca, ica, dict:120) once the bases are
  stored: `features_view` on fresh model objects — every end's top 50 labelled words,
  the frequency-stratified exact enrichment test of each WordNet supersense,
  Benjamini–Hochberg over the model's cells, and both nulls (20 random-direction draws,
  20 label shuffles) — ≤ 2 s for the four bases together.

The baseline, measured in the same run, is listing the words of the same ends: polyterm's
`dimension_extremes` at k = 50 for every axis of the four bases (what `polyterm dims`
does for one axis), on the same fresh models. The WordNet labels are loaded once,
untimed (a Skip without the NLTK data). ``tiny`` skips the line.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.harness import Context, Row, Skip, interleaved, median, skipped

TARGET = 2.0
BASES = ("raw", "pca", "ica", "dict:120")


def _labels(ctx: Context, model: Any) -> Any:
    from polyterm.errors import PolytermError

    try:
        from polyterm.engine.feature_sources import load_feature_source
    except ImportError as exc:
        raise Skip(f"no feature sources: {exc}") from None
    try:
        return load_feature_source(
            "wordnet", cache_root=ctx.work / "features", vocabulary=list(model.vocab)[:10_000]
        )
    except PolytermError as exc:
        raise Skip(str(exc)) from None


def _row(ctx: Context) -> Row:
    from benchmarks.bases import _opener
    from polyterm.core.dimensions import dimension_extremes
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cache import ModelCache
    from polyterm.views.basis_comparison import in_basis
    from polyterm.views.polysemanticity import features_view

    ctx.open_trained("brown_30")
    fresh = _opener(ctx, ctx.library.spec("brown_30"))
    requests = [BasisRequest.of(b) for b in BASES]
    cache = ModelCache(ctx.work / "bases-features")
    first = fresh()
    for r in requests:  # untimed: fit and store every basis once
        in_basis(BasisStore(cache, warn=ctx.log), first, r)
    labels = _labels(ctx, first)

    def coded() -> list[tuple[Any, Any]]:
        model, store = fresh(), BasisStore(cache, warn=ctx.log)
        return [(in_basis(store, model, r), model) for r in requests]

    def features() -> float:
        pairs = coded()  # untimed: reopening the stored bases
        start = time.perf_counter()
        for c, m in pairs:
            features_view(c, labels, base=m, k=50, draws=20)
        return time.perf_counter() - start

    def ends() -> float:
        pairs = coded()
        start = time.perf_counter()
        for c, _m in pairs:
            for d in range(c.dims):
                dimension_extremes(c, d, 50, restrict=10_000)
        return time.perf_counter() - start

    samples = interleaved({"features": features, "ends": ends}, ctx.config.slow_repeats,
                          warmup=1)  # fmt: skip
    value, base = median(samples["features"]), median(samples["ends"])
    return Row(14, "features of every end of brown_30 in raw, pca, ica, dict:120 (bases stored, "
                   "20 + 20 null draws)", value, "s",
               "the same ends' top-50 words (dimension_extremes)", base, "absolute", "<=", TARGET,
               note=f"{value / base:.1f}× listing the ends' words; WordNet supersenses, "
                    "frequency-stratified exact p and BH over every cell, 20 random-direction "
                    "and 20 shuffled-label draws per basis",
               samples=samples).judge()  # fmt: skip


def line_14(ctx: Context) -> list[Row]:
    if ctx.config.mode == "tiny":
        return [skipped(14, "features of every end of brown_30 in four bases",
                        "tiny runs skip it (it needs brown_30, WordNet and tagged Brown)")]
    try:
        return [_row(ctx)]
    except Skip as exc:
        return [skipped(14, "features of every end of brown_30 in four bases", str(exc))]
