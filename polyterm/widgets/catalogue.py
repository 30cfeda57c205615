"""The models pane's view state: what is loaded, cached, running and available to make.

`ModelsView` is frozen and rendered both by `ModelsPane` and, with no running app, by
`render_markdown` (registered below) for the export. Listing the cache (the engine half)
is `polyterm.explorer.catalogue`; this module imports no engine, so widgets may use it.
The plain records it is built on (`Catalogue`, `CachedModel`, `Makeable`, `JobState`,
`JobProgressReport`) are in `polyterm.views.catalogue`, imported here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from polyterm.safe_text import markdown_code
from polyterm.views.catalogue import CachedModel as CachedModel
from polyterm.views.catalogue import Catalogue as Catalogue
from polyterm.views.catalogue import JobProgressReport as JobProgressReport
from polyterm.views.catalogue import JobState as JobState
from polyterm.views.catalogue import Makeable as Makeable
from polyterm.views.markdown import md, models_section, render_markdown, reproduce, table, words
from polyterm.views.model_summary import ModelSummary


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
