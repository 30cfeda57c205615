"""Line 6: reopen the tokenised Brown corpus against NLTK's parse of Brown.

polyterm: ``load_corpus("brown", cache_root)`` when the token cache is there (read, hash
check, split). Baseline: NLTK's own parse, ``list(nltk.corpus.brown.sents())`` (the
reader loaded beforehand). Target ≤ 0.15×. polyterm's first use (parse, normalise and
write the token cache) is timed once and shown in the note.
"""

from __future__ import annotations

import shutil
import time

from benchmarks.harness import Context, Row, interleaved, ratio, timed
from polyterm.engine.corpus import load_corpus


def line_6(ctx: Context) -> list[Row]:
    start = time.perf_counter()
    if any((ctx.cache_root / "corpora").glob("brown-*.txt")):
        first_root = ctx.work / "corpus-first-use"  # time a first use in an empty root
        load_corpus("brown", first_root)
        first_use = time.perf_counter() - start
        shutil.rmtree(first_root, ignore_errors=True)
        sentences, _ = ctx.brown()
    else:
        sentences, _ = ctx.brown()  # the first use: parse, normalise, write the token cache
        first_use = time.perf_counter() - start
    import nltk

    brown = nltk.corpus.brown
    brown.fileids()  # load the lazy corpus reader outside the timing
    samples = interleaved({
        "polyterm": timed(lambda: load_corpus("brown", ctx.cache_root)),
        "nltk": timed(lambda: list(brown.sents())),
    }, ctx.config.slow_repeats, warmup=0)
    words = sum(map(len, sentences))
    return [ratio(6, f"reopen tokenised Brown ({len(sentences):,} sentences, {words:,} words)",
                  samples, "polyterm", "nltk", "NLTK parse, brown.sents()", target=0.15,
                  note=f"polyterm first use (parse + normalise + write) {first_use:.2f} s")]
