"""Line 4: open a cached model until it is ready to query.

"Ready to query" means a word's row can be looked up: polyterm's ``library.open(spec)``
(verify + mmap of the cache entry) plus ``model.row(word)`` (which builds the word
index); gensim's ``KeyedVectors.load(path, mmap='r')`` plus ``get_index(word)``.

- against gensim's mmap load of the same vectors (saved with ``.save``): ≤ 1.0×;
- against gensim's word2vec text load of the same rows: ≥ 100× faster. In ``--quick`` the
  text file holds only the first `text_load_words` rows and polyterm opens a cache entry
  of the same rows, so the two still compare like with like.
"""

from __future__ import annotations

from gensim.models import KeyedVectors

from benchmarks.harness import Context, Row, interleaved, keyed_vectors, ratio, timed
from polyterm.engine.specs import FileSpec


def line_4(ctx: Context) -> list[Row]:
    cfg = ctx.config
    spec = ctx.glove_spec()
    model = ctx.glove()
    word = cfg.query_word
    folder = ctx.work / "gensim"
    folder.mkdir(exist_ok=True)

    native = folder / "glove.kv"
    ctx.gensim_glove().save(str(native))

    def ours(s: object) -> object:
        return ctx.library.open(s).row(word)  # type: ignore[arg-type]

    samples = interleaved({
        "polyterm": timed(lambda: ours(spec)),
        "gensim_mmap": timed(lambda: KeyedVectors.load(str(native), mmap="r").get_index(word)),
    }, cfg.repeats, warmup=2)
    rows = [ratio(4, f"open cached model, {len(model):,}×{model.dims}, ready to query",
                  samples, "polyterm", "gensim_mmap", "gensim KeyedVectors.load(mmap='r')",
                  target=1.0)]

    n = len(model) if cfg.text_load_words is None else min(cfg.text_load_words, len(model))
    text_file = folder / f"glove-{n}.txt"
    kv = ctx.gensim_glove() if n == len(model) else keyed_vectors(model, n)
    kv.save_word2vec_format(str(text_file), binary=False)
    slice_spec = spec
    note = ""
    if n < len(model):
        slice_spec = FileSpec(path=f"glove-slice-{n}", stat=(0, 0))
        ctx.library.cache.write(slice_spec, list(model.vocab)[:n], model.vectors[:n],
                                manifest={"kind": "file", "source": "benchmark slice"})
        note = f"quick: both sides hold the first {n:,} words only"
    text = interleaved({
        "gensim_text": timed(lambda: KeyedVectors.load_word2vec_format(
            str(text_file), binary=False).get_index(word)),
    }, cfg.slow_repeats, warmup=0)
    ours_samples = interleaved({"polyterm": timed(lambda: ours(slice_spec))},
                               cfg.repeats, warmup=2)
    rows.append(ratio(4, f"open cached model, {n:,} rows, vs gensim text load",
                      {**ours_samples, **text}, "polyterm", "gensim_text",
                      "gensim load_word2vec_format (text)", target=100.0, op=">=",
                      kind="speedup", note=note))
    return rows
