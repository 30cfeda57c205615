"""Line 11: a model's ICA basis, fitted and stored, then reopened (issue 12, "Speed").

- ICA basis of brown_30 on its 10,000 most frequent words: ``BasisStore(cache).in_basis``
  on a model whose basis is not stored yet — the fit (PCA whitening, FastICA), the codes
  of every word, their orderings and the verified entry written — ≤ 5 s.
- The same for glove-6b-50 fitted on 50,000 words (codes for all 400,000) ≤ 30 s.
- Reopening a fitted basis (a fresh model object and store, as a second run has: the
  entry read, verified and mmapped) ≤ 50 ms.
- ``align brown_30 brown_29 --basis ica`` with 20 nulls once both bases (and their
  stability runs) are stored: `alignment_in_basis` on fresh model objects ≤ 3 s, beside
  the same alignment in the raw basis.

Each fit row shows, as its baseline measured in the same run, scikit-learn's own
``FastICA(whiten="unit-variance")`` on the same fit rows (the optimiser alone, no codes,
nothing stored), run like polyterm's fit with numpy's BLAS on one thread (see
`polyterm.engine.bases.one_blas_thread`: on a busy machine FastICA with several BLAS
threads took up to 6× longer); the reopen row shows opening the model's own cache entry. Every
repetition of a fit writes into a fresh cache root, so nothing is reused. ``tiny`` runs
on the synthetic GloVe stand-in with 1,000 fit words.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import Context, Row, Skip, interleaved, median, skipped, timed

FIT_TARGET_BROWN = 5.0
FIT_TARGET_GLOVE = 30.0
REOPEN_TARGET = 0.05
ALIGN_TARGET = 3.0


def _sklearn_fastica(vectors: Any, rows: int, seed: int) -> None:
    from sklearn.decomposition import FastICA

    from polyterm.engine.bases import one_blas_thread

    fit = np.asarray(vectors[:rows], dtype=np.float64)
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")
        FastICA(whiten="unit-variance", fun="logcosh", max_iter=1000, tol=1e-4,
                random_state=seed).fit(fit)


def _opener(ctx: Context, spec: Any) -> Any:
    """A function giving `spec`'s model opened afresh from its cache entry (no memo)."""
    from polyterm.engine.cache import ModelCache

    for cache in [ctx.library.cache, *(ModelCache(r) for r in ctx.extra_roots)]:
        entry = cache.find(spec)
        if entry is not None:
            return lambda: cache.open(entry)
    raise Skip(f"{spec.name} is not in a cache of this run")


def _fit_row(ctx: Context, fresh: Any, fit_words: int, target: float, label: str,
             roots: list[Path]) -> Row:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cache import ModelCache

    request = BasisRequest.of("ica", fit_words=fit_words)
    shapes: list[tuple[int, int]] = []
    model = fresh()

    def ours() -> float:
        root = ctx.work / f"bases-{label}-{len(roots)}"
        roots.append(root)
        store = BasisStore(ModelCache(root), warn=ctx.log)  # untimed: a fresh, empty root
        again = fresh()  # untimed: a model object with nothing memoised
        start = time.perf_counter()
        codes = store.in_basis(again, request).vectors
        elapsed = time.perf_counter() - start
        shapes.append(codes.shape)
        return elapsed

    samples = interleaved({
        "polyterm": ours,
        "sklearn": timed(lambda: _sklearn_fastica(model.vectors, fit_words, 0)),
    }, ctx.config.slow_repeats, warmup=0)
    rows_used = min(fit_words, len(model))
    ours_s, base_s = median(samples["polyterm"]), median(samples["sklearn"])
    n, k = shapes[0]
    return Row(11, f"ICA basis of {label}, fit on {rows_used:,} words, codes for {n:,} "
                   f"(fit + codes + stored entry)",
               ours_s, "s", f"sklearn FastICA of the {rows_used:,} fit rows", base_s,
               "absolute", "<=", target,
               note=f"{ours_s / base_s:.2f}× scikit-learn's FastICA(whiten='unit-variance') "
                    f"alone (both with one BLAS thread); {k} axes; entry written to a fresh "
                    "cache root each time",
               samples=samples).judge()


def _reopen_row(ctx: Context, fresh: Any, fit_words: int, root: Path, label: str) -> Row:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cache import ModelCache

    request = BasisRequest.of("ica", fit_words=fit_words)
    cache = ModelCache(root)
    words = len(fresh())

    def reopen() -> float:
        again = fresh()  # untimed: the model itself opened afresh
        store = BasisStore(cache, warn=ctx.log)
        start = time.perf_counter()
        store.in_basis(again, request)
        return time.perf_counter() - start

    def model_open() -> float:
        start = time.perf_counter()
        fresh()
        return time.perf_counter() - start

    samples = interleaved({"reopen": reopen, "model": model_open}, ctx.config.repeats,
                          warmup=2)
    value, base = median(samples["reopen"]), median(samples["model"])
    return Row(11, f"reopen the stored ICA basis of {label} ({words:,} words)", value, "s",
               "open the model's own cache entry", base, "absolute", "<=", REOPEN_TARGET,
               note=f"{value / base:.2f}× opening the model's entry; the fitted arrays and "
                    "orderings re-hashed, the codes checked by size and time stamp and mmapped",
               samples=samples).judge()


def _align_row(ctx: Context) -> Row:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cache import ModelCache
    from polyterm.views.alignment import alignment_in_basis, alignment_view

    ctx.open_trained("brown_30")
    ctx.open_trained("brown_29")
    fresh_a = _opener(ctx, ctx.library.spec("brown_30"))
    fresh_b = _opener(ctx, ctx.library.spec("brown_29"))
    request = BasisRequest.of("ica")
    cache = ModelCache(ctx.work / "bases-align")
    alignment_in_basis(fresh_a(), fresh_b(), request, BasisStore(cache))  # untimed: fit, store

    def in_ica() -> float:
        a, b, store = fresh_a(), fresh_b(), BasisStore(cache, warn=ctx.log)
        start = time.perf_counter()
        alignment_in_basis(a, b, request, store, repetitions=20)
        return time.perf_counter() - start

    def in_raw() -> float:
        a, b = fresh_a(), fresh_b()
        start = time.perf_counter()
        alignment_view(a, b, repetitions=20)
        return time.perf_counter() - start

    samples = interleaved({"ica": in_ica, "raw": in_raw}, ctx.config.repeats, warmup=1)
    value, base = median(samples["ica"]), median(samples["raw"])
    return Row(11, "align brown_30 brown_29 --basis ica, 20 nulls (bases stored)", value, "s",
               "the same alignment in the raw basis", base, "absolute", "<=", ALIGN_TARGET,
               note=f"{value / base:.2f}× the raw alignment; the ica codes and stability "
                    "reopened from the cache, 1,000 max-|r| null draws on top",
               samples=samples).judge()


def line_11(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    reopen: tuple[Any, int, Path, str] | None = None
    if ctx.config.mode == "tiny":
        spec, fit_words = ctx.glove_spec(), 1_000
        fresh, roots = _opener(ctx, spec), []
        rows.append(_fit_row(ctx, fresh, fit_words, FIT_TARGET_BROWN, spec.name, roots))
        rows.append(_reopen_row(ctx, fresh, fit_words, roots[0], spec.name))
        return rows
    try:
        ctx.open_trained("brown_30")
        fresh, roots = _opener(ctx, ctx.library.spec("brown_30")), []
        rows.append(_fit_row(ctx, fresh, 10_000, FIT_TARGET_BROWN, "brown_30", roots))
        reopen = (fresh, 10_000, roots[0], "brown_30")
    except Skip as exc:
        rows.append(skipped(11, "ICA basis of brown_30 (10,000 fit words)", str(exc)))
    try:
        spec = ctx.glove_spec()
        fresh, roots = _opener(ctx, spec), []
        rows.append(_fit_row(ctx, fresh, 50_000, FIT_TARGET_GLOVE, spec.name, roots))
        reopen = (fresh, 50_000, roots[0], spec.name)
    except Skip as exc:
        rows.append(skipped(11, "ICA basis of glove-6b-50 (50,000 fit words)", str(exc)))
    if reopen is None:
        rows.append(skipped(11, "reopen a stored ICA basis", "no model to fit here"))
    else:
        rows.append(_reopen_row(ctx, *reopen))
    try:
        rows.append(_align_row(ctx))
    except Skip as exc:
        rows.append(skipped(11, "align brown_30 brown_29 --basis ica", str(exc)))
    return rows
