"""Lines 1 and 2: neighbours of a word and of ``a - b`` on GloVe 400k×50.

1. polyterm's ``nearest_to_expression`` (top 10, on the mmap'd cache entry) against
   gensim's ``most_similar`` on the same vectors (norms filled beforehand): ≤ 0.3×.
2. The same query as effective bandwidth, bytes of the unit matrix scanned per second,
   against a plain numpy sum over the same array: ≥ 0.5× of that rate.

Both sides answer the same question (polyterm's default convention is gensim's), and the
top-10 words are compared so a mismatch is reported rather than timed. Line 1's note also
times the floor of any exact answer: the bare float32 product ``unit @ q`` that both
polyterm and gensim must make (every row's cosine is needed to know the top 10).
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Context, Row, interleaved, median, ratio, timed
from benchmarks.report import quantity
from polyterm.core.expression import parse_expression
from polyterm.core.neighbours import nearest_to_expression


def _queries(ctx: Context) -> list[tuple[str, str]]:
    cfg = ctx.config
    return [("word", cfg.query_word), ("a - b", cfg.query_expression)]


def _agreement(ctx: Context, text: str) -> str:
    model, kv = ctx.glove(), ctx.gensim_glove()
    expr = parse_expression(text)
    ours = [n.word for n in nearest_to_expression(model, expr, 10)]
    pos = [t.word for t in expr.terms if t.weight > 0]
    neg = [t.word for t in expr.terms if t.weight < 0]
    theirs = [w for w, _ in kv.most_similar(positive=pos, negative=neg, topn=10)]
    if ours == theirs:
        return "same top 10 as gensim"
    return f"top 10 differ from gensim: {len(set(ours) & set(theirs))}/10 shared"


def line_1(ctx: Context) -> list[Row]:
    model, kv = ctx.glove(), ctx.gensim_glove()
    unit = np.asarray(model.unit)
    q = np.ascontiguousarray(unit[0])
    rows = []
    for label, text in _queries(ctx):
        expr = parse_expression(text)
        pos = [t.word for t in expr.terms if t.weight > 0]
        neg = [t.word for t in expr.terms if t.weight < 0]
        samples = interleaved({
            "polyterm": timed(lambda expr=expr: nearest_to_expression(model, expr, 10)),
            "gensim": timed(lambda pos=pos, neg=neg: kv.most_similar(
                positive=pos, negative=neg, topn=10)),
            "product": timed(lambda: unit @ q),
        }, ctx.config.repeats, warmup=2)
        floor = median(samples["product"]) / median(samples["gensim"])
        rows.append(ratio(
            1, f"neighbours of {label} `{text}`, {len(model):,}×{model.dims}", samples,
            "polyterm", "gensim", "gensim most_similar", target=0.3,
            note=f"{_agreement(ctx, text)}; the bare product unit @ q alone takes "
                 f"{median(samples['product']) * 1e3:.1f} ms = {floor:.2f}× gensim"))
    return rows


def line_2(ctx: Context) -> list[Row]:
    model = ctx.glove()
    unit = np.asarray(model.unit)  # the array the query scans (a view of the mmap)
    scanned = float(unit.nbytes)
    rows = []
    for label, text in _queries(ctx):
        expr = parse_expression(text)
        samples = interleaved({
            "polyterm": timed(lambda expr=expr: nearest_to_expression(model, expr, 10)),
            "numpy_sum": timed(unit.sum),
        }, ctx.config.repeats, warmup=2)
        rate = scanned / median(samples["polyterm"])
        base = scanned / median(samples["numpy_sum"])
        rows.append(Row(
            2, f"bandwidth, neighbours of {label} `{text}`", rate, "B/s",
            "numpy sum, same array", base, "ratio", ">=", 0.5,
            note=f"{quantity(scanned, 'B')} unit matrix scanned per query",
            samples=samples).judge())
    return rows
