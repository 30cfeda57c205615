"""The models pane's view state: what is loaded, cached, running and available to make.

`ModelsView` is frozen and rendered both by `ModelsPane` and, with no running app, by
`render_markdown` (registered below) for the export. Listing the cache (the engine half)
is `polyterm.explorer.catalogue`; this module imports no engine, so widgets may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from polyterm.safe_text import markdown_code
from polyterm.views.markdown import md, models_section, render_markdown, reproduce, table, words
from polyterm.views.model_summary import ModelSummary


class JobProgressReport(Protocol):
    """What a job's progress report holds (the engine's `Progress` is one), read-only."""

    @property
    def stage(self) -> str: ...
    @property
    def fraction(self) -> float: ...
    @property
    def message(self) -> str: ...
    @property
    def epoch(self) -> int | None: ...
    @property
    def epochs(self) -> int | None: ...
    @property
    def words_per_second(self) -> float | None: ...
    @property
    def eta_seconds(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class CachedModel:
    name: str
    kind: str
    dims: int
    words: int
    disk_bytes: int
    source: str
    corpus: str = ""  # the corpus a word2vec model was trained on ("" for other models)


@dataclass(frozen=True, slots=True)
class Makeable:
    """An "available to make" entry of the models pane: `label` is what the row shows, a
    spec template (`brown_<dims>`, made through the Train form for `corpus`) or a spec that
    opens as it is (`glove-6b-50`, `gensim:NAME`; `corpus` None)."""

    label: str
    corpus: str | None = None

    @property
    def needs_form(self) -> bool:
        """Whether its sizes are asked for first (the Train form) rather than opened."""
        return self.corpus is not None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The cache listing and the sources models can be made from."""

    cache_root: str
    cached: tuple[CachedModel, ...] = ()
    corpora: tuple[str, ...] = ()
    glove: bool = False
    gensim_names: tuple[str, ...] = ()

    @property
    def makeable(self) -> tuple[Makeable, ...]:
        """What the user can make now: each corpus's models (sizes asked first), then the
        pretrained and gensim models (opened as they are)."""
        out = [Makeable(f"{c}_<dims>", c) for c in (*self.corpora, "lee")]
        if self.glove:
            out.append(Makeable("glove-6b-50"))
        out += [Makeable(f"gensim:{n}") for n in self.gensim_names]
        return tuple(out)

    @property
    def available(self) -> tuple[str, ...]:
        """The labels of `makeable`, in order."""
        return tuple(m.label for m in self.makeable)

    def form_for(self, name: str) -> Makeable | None:
        """The makeable entry labelled `name` if it is made through the Train form."""
        return next((m for m in self.makeable if m.label == name and m.needs_form), None)


@dataclass(frozen=True, slots=True)
class JobState:
    """A running (or just finished) job as the models pane shows it."""

    job_id: int
    name: str  # the model's display name (a spec, or a file model's name)
    kind: str  # "train" or "load"
    progress: JobProgressReport | None = None

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

    @property
    def to_make(self) -> tuple[str, ...]:
        """The catalogue's `available` labels that are not loaded, cached or being made
        (GloVe, once loaded, is no longer "available to make")."""
        have = {m.name for m in self.loaded} | {c.name for c in self.catalogue.cached}
        have |= {j.name for j in self.jobs}
        return tuple(a for a in self.catalogue.available if a not in have)


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
                        md(j.name),
                        j.kind,
                        f"{(j.progress.fraction if j.progress else 0):.0%}",
                        md(j.line),
                    )
                    for j in view.jobs
                ],
            )
        )
    available = ", ".join(markdown_code(a) for a in view.to_make) or "nothing else"
    parts.append(f"### Available to make\n\n{available}")
    parts.append(reproduce(view.command()))
    return "\n\n".join(parts) + "\n"
