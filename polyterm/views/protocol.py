"""The one view protocol: what every frozen view says once, and every renderer reads.

A view (a frozen dataclass of `polyterm.views`) exposes

- ``title() -> Phrase``: its heading, e.g. ``Dimension 3 of brown_30``;
- ``slug() -> str``: a short file-name stem naming the question and *every* model (or,
  when that would be too long, the first models and a short hash of all of them);
- ``tables() -> tuple[Table, ...]``: its table-shaped data, each table with a stable
  ``key``, a title, column labels, rows of `Cell` values and an optional caption;
- ``command() -> str``: the CLI command that reproduces it.

`polyterm.views.markdown` writes a table with `markdown_table` and `polyterm.cli.tables`
with a Rich table, from the same `Table`: a label or a number format is written once, in
the view, so the markdown, the CLI and the explorer cannot drift apart.

Text from data (a word, a model name) is wrapped in `Data` (or `Code`), so each renderer
escapes it its own way (markdown escaping, `visible` controls, never Rich markup); a plain
`str` part is literal text written by polyterm (labels, formatted numbers).

For a pane (``polyterm.widgets``): read ``view.table(key)`` and fill a DataTable with
``[plain(c) for c in table.columns]`` and ``[[plain(cell) for cell in row] ...]`` — or
``rich_cell`` from `polyterm.views.rich_cells` for styled cells — and use ``plain(view.title())``
as the header; no label needs to be written in the widget.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from polyterm.core.nulls import NullSummary
from polyterm.safe_text import visible


@dataclass(frozen=True, slots=True)
class Data:
    """Text from data (a word, a model name): escaped by every renderer; `bold` marks a
    word shared between models (bold in markdown, bold green in a terminal)."""

    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Code:
    """Text from the user shown literally (a query): a code span in markdown."""

    text: str


Part = str | Data | Code


@dataclass(frozen=True, slots=True)
class Phrase:
    """Text made of literal parts and data parts."""

    parts: tuple[Part, ...]

    @classmethod
    def of(cls, *parts: Part | Phrase) -> Phrase:
        out: list[Part] = []
        for p in parts:
            if isinstance(p, Phrase):
                out.extend(p.parts)
            else:
                out.append(p)
        return cls(tuple(out))

    def __bool__(self) -> bool:
        return any(p.text if isinstance(p, Data | Code) else p for p in self.parts)


def joined(items: Iterable[str], sep: str = ", ", bold: Iterable[str] = ()) -> Phrase:
    """Words from data joined by `sep`, those in `bold` marked."""
    marked = set(bold)
    parts: list[Part] = []
    for i, w in enumerate(items):
        if i:
            parts.append(sep)
        parts.append(Data(w, w in marked))
    return Phrase(tuple(parts))


Cell = str | int | float | None | Data | Phrase
"""A table cell: literal text, a number (a float is shown with 4 decimals), nothing
(an empty cell), data text, or a phrase."""

Label = str | Data | Phrase


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: Label
    columns: tuple[Label, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    numeric: tuple[bool, ...] = ()  # per column: right-aligned in a terminal


def number(value: float | int | None) -> str:
    """A cell's number as every renderer shows it."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


DEGENERATE_NULL = "— (the statistic does not change under this null)"
"""How a null whose sd is below the statistic's precision is shown (never as a z)."""


def null_text(n: NullSummary | None) -> str:
    """A statistic's null as `mean ± sd, z` (— when there is none; `DEGENERATE_NULL` when
    its sd is below the statistic's precision)."""
    if n is None:
        return "—"
    if n.degenerate:
        return DEGENERATE_NULL
    z = "" if n.z is None else f", z {n.z:+.1f}"
    return f"{n.null_mean:.3f} ± {n.null_sd:.3f}{z}"


def plain(value: Cell | Label | Code) -> str:
    """A cell or label as plain text (controls made visible): for panes and tests."""
    if value is None:
        return ""
    if isinstance(value, Data | Code):
        return visible(value.text)
    if isinstance(value, Phrase):
        return "".join(plain(p) for p in value.parts)
    if isinstance(value, int | float):
        return number(value)
    return visible(value)


@runtime_checkable
class View(Protocol):
    """What every frozen view exposes (module docstring)."""

    def title(self) -> Phrase: ...

    def slug(self) -> str: ...

    def tables(self) -> tuple[Table, ...]: ...

    def command(self) -> str: ...


def table_by_key(tables: Sequence[Table], key: str) -> Table:
    return next(t for t in tables if t.key == key)


_SLUG = re.compile(r"[^A-Za-z0-9_]+")
SLUG_LIMIT = 80


def slug_of(what: str, models: Sequence[str]) -> str:
    """`what` and every model name, safe in a file name; a name too long for one keeps the
    first models and appends a short hash of all of them, so two exports of different
    model sets never share a name."""
    clean = _SLUG.sub("-", what).strip("-").lower() or "view"
    names = [_SLUG.sub("-", m).strip("-").lower() or "model" for m in models]
    full = "-".join([clean, *names]) if names else clean
    if len(full) <= SLUG_LIMIT:
        return full
    digest = hashlib.sha256("\0".join([what, *models]).encode()).hexdigest()[:8]
    head = full[: SLUG_LIMIT - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}"
