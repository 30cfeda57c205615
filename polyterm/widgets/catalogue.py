"""The models pane's view state: what is loaded, cached, running and available to make.

`ModelsView` is frozen and rendered both by `ModelsPane` and, with no running app, by
`render_markdown` (registered below) for the export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from polyterm.engine.cache import ModelCache
from polyterm.engine.progress import Progress
from polyterm.safe_text import markdown_code
from polyterm.views.markdown import md, models_section, render_markdown, reproduce, table, words
from polyterm.views.model_summary import ModelSummary


@dataclass(frozen=True, slots=True)
class CachedModel:
    name: str
    kind: str
    dims: int
    words: int
    disk_bytes: int
    source: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The cache listing and the sources models can be made from."""

    cache_root: str
    cached: tuple[CachedModel, ...] = ()
    corpora: tuple[str, ...] = ()
    glove: bool = False
    gensim_names: tuple[str, ...] = ()

    @property
    def available(self) -> tuple[str, ...]:
        """Spec templates the user can make now."""
        out = [f"{c}_<dims>" for c in self.corpora] + ["lee_<dims>"]
        if self.glove:
            out.append("glove-6b-50")
        out += [f"gensim:{n}" for n in self.gensim_names]
        return tuple(out)


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


@dataclass(frozen=True, slots=True)
class JobState:
    """A running (or just finished) job as the models pane shows it."""

    job_id: int
    spec: str
    kind: str  # "train" or "load"
    progress: Progress | None = None

    @property
    def line(self) -> str:
        p = self.progress
        if p is None:
            return "starting…"
        parts = [p.message or p.stage]
        if p.words_per_second:
            parts.append(f"{p.words_per_second:,.0f} words/s")
        if p.eta_seconds is not None:
            parts.append(f"ETA {p.eta_seconds:.0f}s")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ModelsView:
    """Everything the models pane shows."""

    catalogue: Catalogue
    loaded: tuple[ModelSummary, ...] = ()
    selected: tuple[str, ...] = ()
    jobs: tuple[JobState, ...] = ()

    def command(self) -> str:
        return "polyterm models"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}"


@render_markdown.register
def _(view: ModelsView) -> str:
    parts = ["## Models"]
    sel = words(view.selected) or "none"
    cache = markdown_code(view.catalogue.cache_root)
    parts.append(f"- cache: {cache}\n- selected for comparison: {sel}")
    if view.loaded:
        parts.append(models_section(view.loaded).replace("### Models", "### Loaded"))
    cached = [
        (md(c.name), md(c.kind), c.dims, f"{c.words:,}", _mb(c.disk_bytes))
        for c in view.catalogue.cached
    ]
    if cached:
        parts.append(
            "### Cached\n\n" + table(["model", "kind", "dims", "vocabulary", "MB"], cached)
        )
    if view.jobs:
        parts.append(
            "### Running\n\n"
            + table(
                ["model", "job", "progress", "status"],
                [
                    (
                        md(j.spec),
                        j.kind,
                        f"{(j.progress.fraction if j.progress else 0):.0%}",
                        md(j.line),
                    )
                    for j in view.jobs
                ],
            )
        )
    available = ", ".join(markdown_code(a) for a in view.catalogue.available)
    parts.append(f"### Available to make\n\n{available}")
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"
