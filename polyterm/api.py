"""polyterm from Python: the CLI's questions as functions, for notebooks and scripts.

Every function returns the same frozen view the CLI prints (`polyterm dims` → `dims()`),
so a notebook shows it as its markdown export (`_repr_markdown_`), `view.to_dict()` is the
JSON `--format json` writes, and `view.table(key).to_frame()` is a pandas DataFrame (with
pandas installed: `pip install "polyterm[notebook]"`). Models come from the same verified
cache as the CLI and the explorer, so a model trained in one is reused by the others, and
so are fitted bases.

A session, end to end (the models are trained or read on first use, then cached)::

    >>> import polyterm
    >>> lee = polyterm.open_model("lee_20")          # gensim's bundled Lee corpus, 20 dims
    >>> view = polyterm.dims(lee, 3, k=5)
    >>> ends = view.table("ends")
    >>> ends.labels()
    ['rank', 'top word', 'value', 'bottom word', 'value (2)']
    >>> top = [row[1] for row in ends.records()]     # the words at the top of dimension 3
    >>> top == [lee.vocab[i] for i in (-lee.vectors[:, 3]).argsort(kind="stable")[:5]]
    True
    >>> view.to_dict()["dim"], "## Dimension 3 of lee_20" in view._repr_markdown_()
    (3, True)

Names listed in `__all__` are stable; everything else in polyterm may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polyterm import _API
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import Convention

if TYPE_CHECKING:
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.models import ModelLibrary
    from polyterm.views.alignment import AlignmentView
    from polyterm.views.query import DimensionView, QueryView, RepeatsView
    from polyterm.views.sweep import SweepView
    from polyterm.views.universality import UniversalityView

ModelLike = Embedding | str
"""A model, or a spec or name to open (`"brown_30"`, `"glove-6b-50"`, a file path)."""


@lru_cache(maxsize=8)
def _library_at(root: Path) -> ModelLibrary:
    from polyterm.engine.cache import open_cache
    from polyterm.engine.models import ModelLibrary

    return ModelLibrary(open_cache(root))


def library(cache_dir: str | Path | None = None) -> ModelLibrary:
    """The model library on `cache_dir` (default: $POLYTERM_CACHE_DIR, else the platform
    cache folder: the one the CLI and the explorer use)."""
    from polyterm.engine.settings import cache_dir as default_cache_dir

    return _library_at(default_cache_dir(cache_dir).resolve())


@lru_cache(maxsize=8)
def _store_of(lib: ModelLibrary) -> BasisStore:
    from polyterm.engine.bases import BasisStore

    return BasisStore(lib.cache)


def open_model(
    spec: str,
    *,
    cache_dir: str | Path | None = None,
    download: bool = False,
    limit: int | None = None,
    trust: bool = False,
) -> Embedding:
    """A model by spec, as `polyterm train`/`dims` open it: cached, else trained or read
    (and cached). `download=True` lets NLTK fetch a missing corpus; `trust=True` allows
    gensim's pickled `.model`/`.kv` files (only for files you trust).

    >>> m = open_model("lee_20")
    >>> m.dims, len(m) > 1000
    (20, True)
    """
    from polyterm.engine.models import OpenOptions

    options = OpenOptions(limit=limit, trusted=trust, download=download)
    return library(cache_dir).open(spec, options)


def train(
    *specs: str, cache_dir: str | Path | None = None, download: bool = False
) -> list[Embedding]:
    """Train (or reuse from the cache) the models of `specs`, in parallel processes like
    `polyterm train`, and open them.

    >>> [m.name for m in train("lee_20")]
    ['lee_20']
    """
    from polyterm.engine.models import OpenOptions
    from polyterm.engine.specs import parse_train_spec
    from polyterm.engine.sweep import train_many
    from polyterm.errors import PolytermError

    lib = library(cache_dir)
    options = OpenOptions(download=download)
    parsed = [parse_train_spec(s) for s in specs]
    outcome = train_many(parsed, lib, options=options)
    for name, error in outcome.failed:
        raise PolytermError(f"{name}: {error}")
    return [lib.open(s, options) for s in parsed]


def _model(model: ModelLike, cache_dir: str | Path | None = None) -> Embedding:
    return open_model(model, cache_dir=cache_dir) if isinstance(model, str) else model


def _request(basis: str | BasisRequest, fit_words: int | None, seed: int) -> BasisRequest:
    from polyterm.core.bases import DEFAULT_FIT_ROWS
    from polyterm.engine.bases import BasisRequest

    if isinstance(basis, BasisRequest):
        return basis
    return BasisRequest.of(basis, fit_words=fit_words or DEFAULT_FIT_ROWS, seed=seed)


def in_basis(
    model: ModelLike,
    basis: str | BasisRequest = "raw",
    *,
    fit_words: int | None = None,
    basis_seed: int = 0,
    cache_dir: str | Path | None = None,
) -> Embedding:
    """`model` in a basis (`raw`, `pca`, `ica`, `dict:K`): a model whose vectors are the
    codes, fitted once and stored beside the model in the cache.

    >>> in_basis("lee_20", "pca").name
    'lee_20 [pca]'
    """
    from polyterm.views.basis_comparison import in_basis as fit_in_basis

    m = _model(model, cache_dir)
    request = _request(basis, fit_words, basis_seed)
    if request.is_raw:
        return m
    return fit_in_basis(_store_of(library(cache_dir)), m, request)


def dims(
    model: ModelLike,
    dim: int = 0,
    *,
    k: int = 10,
    restrict: int | None = None,
    scale: str = "raw",
    basis: str | BasisRequest = "raw",
    cache_dir: str | Path | None = None,
) -> DimensionView:
    """One dimension's ends and statistics: `polyterm dims MODEL --dim DIM`.

    >>> v = dims("lee_20", 0, k=3)
    >>> len(v.table("ends").records())
    3
    """
    from polyterm.views.query import dimension_view

    m = in_basis(model, basis, cache_dir=cache_dir)
    return dimension_view(m, dim, k=k, restrict=restrict, scale=Scale(scale))


def repeats(
    model: ModelLike,
    *,
    k: int = 10,
    restrict: int | None = None,
    scale: str = "raw",
    basis: str | BasisRequest = "raw",
    cache_dir: str | Path | None = None,
) -> RepeatsView:
    """Words recurring at the ends of several dimensions: `polyterm repeats MODEL`."""
    from polyterm.views.query import repeats_view

    m = in_basis(model, basis, cache_dir=cache_dir)
    return repeats_view(m, k=k, restrict=restrict, scale=Scale(scale))


def diff(
    expression: str,
    models: Sequence[ModelLike],
    *,
    k: int = 10,
    restrict: int | None = None,
    convention: str = "normalised",
    include_query: bool = False,
    cache_dir: str | Path | None = None,
) -> QueryView:
    """The words nearest to an expression (`cat - car`) in each model, side by side, with
    their overlap: `polyterm diff EXPR --models A,B`.

    >>> v = diff("police - government", ["lee_20"], k=3)
    >>> len(v.table("top").records())
    3
    """
    from polyterm.views.query import expression_view

    ms = [_model(m, cache_dir) for m in models]
    return expression_view(
        ms,
        expression,
        k=k,
        restrict=restrict,
        convention=Convention(convention),
        include_query=include_query,
    )


def neighbours(word: str, models: Sequence[ModelLike], **options: Any) -> QueryView:
    """The words nearest to one word in each model: `polyterm neighbours WORD`."""
    return diff(word, models, **options)


def align(
    a: ModelLike,
    b: ModelLike,
    *,
    basis: str | BasisRequest = "raw",
    k: int = 10,
    top_n: int | None = 10_000,
    repetitions: int = 20,
    seed: int = 0,
    match_repetitions: int | None = None,
    stability_runs: int = 10,
    fit_words: int | None = None,
    basis_seed: int = 0,
    cache_dir: str | Path | None = None,
) -> AlignmentView:
    """Matching, Procrustes, CKA and SVCCA of two models with their nulls, in a basis:
    `polyterm align A B --basis B`.

    >>> v = align("lee_20", "lee_20", repetitions=2)    # a model against itself
    >>> statistic, observed = v.table("statistics").records()[0][:2]
    >>> statistic, round(observed, 6)
    ('mean matched |r|', 1.0)
    """
    from polyterm.views.alignment import alignment_in_basis, alignment_view

    ma, mb = _model(a, cache_dir), _model(b, cache_dir)
    request = _request(basis, fit_words, basis_seed)
    if request.is_raw:
        return alignment_view(
            ma,
            mb,
            k=k,
            top_n=top_n,
            repetitions=repetitions,
            seed=seed,
            match_repetitions=match_repetitions,
        )
    return alignment_in_basis(
        ma,
        mb,
        request,
        _store_of(library(cache_dir)),
        k=k,
        top_n=top_n,
        repetitions=repetitions,
        match_repetitions=match_repetitions,
        stability_runs=stability_runs,
        seed=seed,
    )


def universality(
    a: ModelLike,
    b: ModelLike,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    k: int = 10,
    top_n: int | None = 5000,
    repetitions: int = 20,
    seed: int = 0,
    basis: str | BasisRequest = "raw",
    cache_dir: str | Path | None = None,
) -> UniversalityView:
    """Neighbourhood and difference-vector agreement of two models with their nulls:
    `polyterm universality A B`."""
    from polyterm.views.universality import DEFAULT_PAIRS, universality_view

    ma = in_basis(a, basis, cache_dir=cache_dir)
    mb = in_basis(b, basis, cache_dir=cache_dir)
    return universality_view(
        ma,
        mb,
        k=k,
        top_n=top_n,
        pairs=list(pairs) if pairs else DEFAULT_PAIRS,
        repetitions=repetitions,
        seed=seed,
    )


def sweep(
    models: Sequence[ModelLike],
    *,
    corpus: str = "",
    bases: Sequence[str | BasisRequest] = ("raw",),
    k: int = 10,
    top_n: int | None = 10_000,
    repetitions: int = 20,
    seed: int = 0,
    reference: ModelLike | None = None,
    cache_dir: str | Path | None = None,
) -> SweepView:
    """Per-model and adjacent-pair statistics over a family of models (sizes, seeds): the
    table `polyterm sweep` prints after training. Train first with `train(...)`."""
    from polyterm.views.settings import COMPARISON
    from polyterm.views.sweep import sweep_view

    ms = [_model(m, cache_dir) for m in models]
    ref = _model(reference, cache_dir) if reference is not None else None
    settings = replace(COMPARISON, k=k, top_n=top_n or 0, repetitions=repetitions, seed=seed)
    return sweep_view(
        ms,
        corpus=corpus,
        settings=settings,
        reference=ref,
        bases=[_request(b, None, 0) for b in bases],
        store=_store_of(library(cache_dir)),
    )


class Report(str):
    """A report's markdown (a `str`), shown rendered in Jupyter."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return str(self)


def report(
    models: Sequence[ModelLike],
    *,
    bases: Sequence[str | BasisRequest] = ("raw",),
    k: int = 10,
    restrict: int | None = 10_000,
    repetitions: int = 20,
    output: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> Report:
    """The complete markdown write-up `polyterm report` prints; with `output`, also
    written there (atomically; an existing file is replaced)."""
    from polyterm.engine.atomic import write_text_atomic
    from polyterm.views.report import build_report

    ms = [_model(m, cache_dir) for m in models]
    text = build_report(
        ms,
        k=k,
        restrict=restrict,
        repetitions=repetitions,
        bases=[_request(b, None, 0) for b in bases],
        store=_store_of(library(cache_dir)),
    )
    if output is not None:
        write_text_atomic(Path(output), text, overwrite=True)
    return Report(text)


def feature_labels(
    source: str = "wordnet",
    *,
    model: ModelLike | None = None,
    download: bool = False,
    cache_dir: str | Path | None = None,
) -> Any:
    """Model-independent labels of words (`FeatureLabels`): `wordnet` (supersenses), `pos`
    (coarse part of speech in tagged Brown), `genre` (Brown genre), or `file:PATH`
    (`word<TAB>label` lines). Built once from NLTK data and cached beside the models.
    `model`, when given, restricts the labelled words to its vocabulary (faster)."""
    from polyterm.engine.feature_sources import load_feature_source

    vocabulary = list(_model(model, cache_dir).vocab) if model is not None else None
    return load_feature_source(
        source,
        cache_root=library(cache_dir).cache.root,
        download=download,
        vocabulary=vocabulary,
    )


def features(
    model: ModelLike,
    *,
    source: str = "wordnet",
    basis: str | BasisRequest = "raw",
    dim: int | None = None,
    k: int = 50,
    restrict: int | None = None,
    repetitions: int = 20,
    seed: int = 0,
    cache_dir: str | Path | None = None,
) -> Any:
    """Which meanings every axis end mixes (or one axis with `dim`), beside random
    directions and shuffled labels: `polyterm features MODEL`."""
    from polyterm.views.polysemanticity import features_view

    m = _model(model, cache_dir)
    labels = feature_labels(source, model=m, cache_dir=cache_dir)
    coded = in_basis(m, basis, cache_dir=cache_dir)
    return features_view(
        coded, labels, base=m, k=k, restrict=restrict, dim=dim, draws=repetitions, seed=seed
    )


def groupings(
    models: Sequence[ModelLike],
    *,
    source: str = "wordnet",
    basis: str | BasisRequest = "raw",
    k: int = 50,
    restrict: int | None = None,
    repetitions: int = 20,
    seed: int = 0,
    cache_dir: str | Path | None = None,
) -> Any:
    """The feature pairs each model's axes group together and those the models share,
    beside their nulls: `polyterm groupings A B`."""
    from polyterm.views.polysemanticity import groupings_view

    ms = [_model(m, cache_dir) for m in models]
    labels = feature_labels(source, cache_dir=cache_dir)
    coded = [in_basis(m, basis, cache_dir=cache_dir) for m in ms]
    return groupings_view(
        coded, labels, bases=ms, k=k, restrict=restrict, draws=repetitions, seed=seed
    )


def blind(
    a: ModelLike,
    b: ModelLike,
    *,
    words: int = 4000,
    method: str = "auto",
    seed: int = 0,
    cache_dir: str | Path | None = None,
) -> Any:
    """How much of B can be recovered from A with no anchors, beside the supervised
    ceiling and a null: `polyterm blind A B`."""
    from polyterm.views.blind import blind_view

    return blind_view(_model(a, cache_dir), _model(b, cache_dir), words=words, method=method,
                      seed=seed)  # fmt: skip


def quality(models: Sequence[ModelLike], *, cache_dir: str | Path | None = None) -> Any:
    """WordSim-353, SimLex-999 and Google-analogy scores of each model: `polyterm quality`."""
    from polyterm.views.quality import quality_view

    return quality_view([_model(m, cache_dir) for m in models])


def word_map(
    words: Sequence[str],
    models: Sequence[ModelLike],
    *,
    anchors: int = 10_000,
    repetitions: int = 1000,
    seed: int = 0,
    cache_dir: str | Path | None = None,
) -> Any:
    """The words on the first model's PCA plane, every other model rotated onto it, and
    how far each keeps their shape: `polyterm map WORDS --models A,B`.

    >>> v = word_map(["police", "government", "minister", "court", "fire"], ["lee_20", "lee_20"],
    ...              repetitions=10)
    >>> round(v.shape[1].observed, 6)    # a model keeps its own shape exactly
    1.0
    """
    from polyterm.views.word_map import word_map_view

    ms = [_model(m, cache_dir) for m in models]
    return word_map_view(ms, list(words), anchors=anchors, repetitions=repetitions, seed=seed)


def keyed_vectors(model: ModelLike, *, cache_dir: str | Path | None = None) -> Any:
    """The model as a gensim `KeyedVectors` (a copy of its vectors, counts kept), for
    gensim's own tools (`most_similar`, `evaluate_word_pairs`, …).

    >>> kv = keyed_vectors("lee_20")
    >>> kv.vector_size
    20
    """
    from gensim.models import KeyedVectors

    m = _model(model, cache_dir)
    kv = KeyedVectors(m.dims)
    kv.add_vectors(list(m.vocab), m.vectors.copy())
    if m.counts is not None:
        for word, count in zip(m.vocab, m.counts.tolist(), strict=True):
            kv.set_vecattr(word, "count", int(count))
    return kv


def words(model: ModelLike, *, cache_dir: str | Path | None = None) -> list[str]:
    """The model's vocabulary in row order (`model.vectors[i]` is the vector of
    `words(model)[i]`).

    >>> words("lee_20")[:1] != []
    True
    """
    return list(_model(model, cache_dir).vocab)


# The stable names: listed once, in `polyterm/__init__.py` (which re-exports them lazily).
__all__ = sorted(_API)
