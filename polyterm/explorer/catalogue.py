"""Listing the cache and the sources models can be made from (the engine half of the
models pane's catalogue; the view half is `polyterm.widgets.catalogue`)."""

from __future__ import annotations

from pathlib import Path

from polyterm.engine.cache import ModelCache
from polyterm.widgets.catalogue import CachedModel, Catalogue


def scan_catalogue(cache: ModelCache, *, online_names: tuple[str, ...] = ()) -> Catalogue:
    """List the cache and find corpora / GloVe / local gensim-data (disk only; a worker runs it)."""
    from polyterm.engine.corpus import available_nltk_corpora
    from polyterm.engine.pretrained import glove_installed

    cached = []
    for e in cache.entries():
        try:
            rows, dims = e.shape
            size = e.disk_bytes()
        except (KeyError, ValueError, OSError):
            continue
        cached.append(
            CachedModel(
                e.name,
                str(e.manifest.get("kind", "")),
                dims,
                rows,
                size,
                str(e.manifest.get("source", "")),
                _corpus(e.manifest),
            )
        )
    names = set(online_names)
    try:
        import gensim.downloader as api

        base = Path(api.BASE_DIR)
        if base.is_dir():
            names |= {p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("_")}
    except Exception:
        pass
    return Catalogue(
        str(cache.root),
        tuple(cached),
        tuple(available_nltk_corpora()),
        glove_installed(),
        tuple(sorted(names)),
    )


def first_run_plan(catalogue: Catalogue) -> tuple[list[str], str]:
    """The models of a first run and a note saying what is happening.

    With NLTK's Brown corpus: the original study's pair, brown_30 and brown_29 (and GloVe
    when installed). Without it: the same sizes on gensim's bundled Lee corpus, which is
    not the study's pair, so the note says what happened and how to install Brown.
    """
    brown = "brown" in catalogue.corpora
    corpus = "brown" if brown else "lee"
    names = [f"{corpus}_30", f"{corpus}_29"] + (["glove-6b-50"] if catalogue.glove else [])
    glove = " and opening GloVe 6B 50d" if catalogue.glove else ""
    if brown:
        note = (
            f"First run: training {names[0]} and {names[1]} on the Brown corpus{glove} — "
            "the original study's pair. The panes fill in as each model is ready."
        )
    else:
        note = (
            "First run: NLTK's Brown corpus is not installed, so this trains lee_30 and "
            f"lee_29 on gensim's small bundled Lee corpus instead{glove}. For the original "
            "study's pair, install Brown (python -m nltk.downloader brown) and make "
            "brown_30 and brown_29 here. The panes fill in as each model is ready."
        )
    return names, note


def study_pair_cached(catalogue: Catalogue) -> list[str]:
    """What a start without a session opens when the cache has models: the original
    study's pair (brown_30 and brown_29, and GloVe when cached) if both are cached, else
    nothing (the user picks in the Models pane)."""
    cached = {c.name for c in catalogue.cached}
    if not {"brown_30", "brown_29"} <= cached:
        return []
    return ["brown_30", "brown_29"] + (["glove-6b-50"] if "glove-6b-50" in cached else [])


def _corpus(manifest: dict[str, object]) -> str:
    """The corpus name a word2vec entry was trained on ("" for other models)."""
    corpus = manifest.get("corpus")
    if manifest.get("kind") != "word2vec" or not isinstance(corpus, dict):
        return ""
    return str(corpus.get("name") or "")
