"""Line 13: the feature sources (issue 20 §1), built once, then reopened from the cache.

For each source (``wordnet``, ``pos``, ``genre``): ``load_feature_source(name,
cache_root=...)`` in an empty cache root (reading tagged Brown, asking WordNet for every
word, writing the verified tables) against the same call once the tables are stored (a
second run: read, verify, parse). Target: the reopen ≤ 0.05× the build. Every build
repetition writes into a fresh root, so nothing is reused; a build of ``wordnet`` or
``genre`` includes reading Brown (its counts are shared through the cache only).

One more row: the ``pos`` build against NLTK reading tagged Brown alone
(``list(brown.tagged_words())``, the reader loaded beforehand), target ≤ 1.5×: counting
and mapping the tags costs at most half again the read. ``tiny`` skips the line (it needs
the real Brown and WordNet).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.harness import Context, Row, Skip, interleaved, median, ratio, timed

REOPEN_TARGET = 0.05
POS_BUILD_TARGET = 1.5


def line_13(ctx: Context) -> list[Row]:
    from polyterm.engine.corpus import nltk_corpus_root
    from polyterm.engine.feature_sources import FEATURE_SOURCES, load_feature_source

    if ctx.config.mode == "tiny":
        raise Skip("needs the real Brown and WordNet (tiny runs synthetic data only)")
    for name in ("brown", "wordnet"):
        if nltk_corpus_root(name) is None:
            raise Skip(f"the NLTK corpus {name!r} is not installed (set NLTK_DATA)")
    said: list[str] = []
    roots: list[Path] = []

    def build(source: str) -> float:
        root = ctx.work / f"features-{source}-{len(roots)}"
        roots.append(root)
        start = time.perf_counter()
        load_feature_source(source, cache_root=root, warn=said.append)
        return time.perf_counter() - start

    rows: list[Row] = []
    repeats = ctx.config.slow_repeats
    for source in FEATURE_SOURCES:
        builds = [build(source) for _ in range(repeats)]
        stored = roots[-1]
        labels = load_feature_source(source, cache_root=stored, warn=said.append)

        def again(s: str = source, r: Path = stored) -> None:
            load_feature_source(s, cache_root=r, warn=said.append)

        reopen = interleaved({"reopen": timed(again)}, ctx.config.repeats, warmup=1)
        samples = {"reopen": reopen["reopen"], "build": builds}
        rows.append(ratio(
            13, f"reopen the {source} table ({len(labels.labels):,} words, "
            f"{len(labels.all_labels())} labels)", samples, "reopen", "build",
            "first build in an empty cache", target=REOPEN_TARGET,
            note=f"build {median(builds):.2f} s, reopen {median(reopen['reopen']) * 1e3:.0f} ms"
            + (f"; warnings: {said[0]}" if said else "")))
    import nltk

    brown = nltk.corpus.brown
    brown.fileids()  # load the lazy reader outside the timing
    samples = interleaved({
        "polyterm": lambda: build("pos"),
        "nltk": timed(lambda: list(brown.tagged_words())),
    }, repeats, warmup=0)
    rows.append(ratio(13, "build the pos table (read, map, count, store)", samples, "polyterm",
                      "nltk", "NLTK read, list(brown.tagged_words())", target=POS_BUILD_TARGET))
    return rows
