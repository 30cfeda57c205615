"""Markdown export of pane views: one pane or all of them, written atomically."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyterm.engine.atomic import write_text_atomic
from polyterm.views.markdown import render_markdown
from polyterm.views.protocol import Phrase, Table
from polyterm.widgets.catalogue import ModelsView

_SLUG = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class ShownPart:
    """The part of a view a pane shows (some of its tables), as a view of the protocol:
    rendered by the generic markdown, named after the view and the part."""

    view: Any
    keys: tuple[str, ...]
    part: str

    def title(self) -> Phrase:
        return Phrase.of(self.view.title(), f" ({self.part})")

    def slug(self) -> str:
        return f"{self.view.slug()}-{self.part}"

    def tables(self) -> tuple[Table, ...]:
        return tuple(t for t in self.view.tables() if t.key in self.keys)

    def command(self) -> str:
        return str(self.view.command())


def on_screen(pane: Any) -> Any:
    """What export writes for `pane`: its view, or the part of it the pane shows."""
    keys = pane.export_part() if hasattr(pane, "export_part") else None
    if pane.view is None or keys is None:
        return pane.view
    part = str(getattr(pane, "mode", "") or "part")
    return ShownPart(pane.view, keys, part)


def slug(text: str) -> str:
    return _SLUG.sub("-", text).strip("-").lower()[:60] or "view"


def without_repeat(pane: str, what: str) -> str:
    """`<pane>-<what>` without saying the same word twice: the sweep pane's sweep view is
    `sweep-brown-…`, not `sweep-sweep-brown-…`; the models pane's listing is `models`."""
    if what == pane or what.lower().startswith(f"{pane}-"):
        return what
    return f"{pane}-{what}"


def describe(view: Any) -> str:
    """A view's file-name stem: its `slug()` (the question and every model, or the first
    models and a hash of all of them; see `polyterm.views.protocol`), "models" for the
    models listing."""
    if isinstance(view, ModelsView):
        return "models"
    stem = getattr(view, "slug", None)
    if callable(stem):  # file-name safe already; made so again, never cut
        return _SLUG.sub("-", str(stem())).strip("-") or "view"
    return slug(type(view).__name__)


def export_markdown(views: Sequence[tuple[str, Any]]) -> str:
    """The markdown document for (pane title, view) pairs; panes with no view are skipped."""
    present = [(title, v) for title, v in views if v is not None]
    head = f"# polyterm — {present[0][0]}" if len(present) == 1 else "# polyterm — explorer export"
    body = [render_markdown(v).strip() for _, v in present]
    note = "_Exported from the polyterm explorer._"
    return "\n\n".join([head, note, *body]) + "\n"


def default_path(pane: str, views: Sequence[Any], folder: Path | None = None) -> Path:
    """`./polyterm-<pane>-<what>.md`, numbered so an earlier export is never overwritten."""
    folder = Path.cwd() if folder is None else Path(folder)
    # The view's slug as it is: already file-name safe, and cutting it could drop the hash
    # that tells two model sets apart.
    what = describe(views[0]) if len(views) == 1 else "all-panes"
    stem = f"polyterm-{without_repeat(slug(pane), what)}" if len(views) == 1 else f"polyterm-{what}"
    path = folder / f"{stem}.md"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.md"
        n += 1
    return path


def write_export(path: Path, text: str) -> Path:
    """Write atomically and never over an existing file: if one appears meanwhile, the next
    free number is used."""
    path = Path(path).expanduser()
    while True:
        try:
            write_text_atomic(path, text, overwrite=False)
            return path
        except FileExistsError:
            path = default_path_after(path)


def default_path_after(path: Path) -> Path:
    """`name-N.md` with the next N that is free."""
    stem, n = path.stem, 2
    base, _, number = stem.rpartition("-")
    if base and number.isdigit():
        stem, n = base, int(number) + 1
    candidate = path.with_name(f"{stem}-{n}{path.suffix}")
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{stem}-{n}{path.suffix}")
    return candidate


def export_panes(panes: Sequence[Any], every: bool, folder: Path | None) -> Path | None:
    """Write the panes' views (titled by `pane.LABEL`) to a new file; None if none has one."""
    views = [
        (p.LABEL, v) for p in panes if p.view is not None for v in (on_screen(p), *p.export_extra())
    ]
    if not views:
        return None
    named = [v for _, v in views] if every else [views[0][1]]  # named after the pane's own
    path = default_path("all" if every else panes[0].PANE_ID, named, folder)
    path = write_export(path, export_markdown(views))
    if not every:
        write_figures_beside(path, [v for _, v in views])
    return path


def write_figures_beside(path: Path, views: Sequence[Any]) -> list[Path]:
    """The views' figures (SVG and PNG) beside the markdown at `path`, named after it,
    when matplotlib is installed (optional: `polyterm[figures]`); none otherwise."""
    import importlib.util

    from polyterm.views.figures import has_figure, write_figures

    if importlib.util.find_spec("matplotlib") is None:
        return []
    out: list[Path] = []
    for i, view in enumerate(v for v in views if has_figure(v)):
        stem = path.stem if i == 0 else f"{path.stem}-{i + 1}"
        out += write_figures(view, path.parent, stem=stem)
    return out
