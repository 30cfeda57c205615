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
    """The original study's pair (and GloVe): the models to make and a note saying so."""
    corpus = "brown" if "brown" in catalogue.corpora else "lee"
    names = [f"{corpus}_30", f"{corpus}_29"] + (["glove-6b-50"] if catalogue.glove else [])
    where = "the Brown corpus" if corpus == "brown" else "gensim's bundled Lee corpus"
    glove = " and opening GloVe 6B 50d" if catalogue.glove else ""
    note = (
        f"First run: training {names[0]} and {names[1]} on {where}{glove} — the original "
        "study's pair. The panes fill in as each model is ready."
    )
    return names, note
