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
from typing import Any, Protocol, runtime_checkable

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

    def labels(self) -> list[str]:
        """The column labels as plain text, each made unique (a repeated label gets
        ` (2)`, ` (3)`…): the header of a CSV file or a DataFrame."""
        seen: dict[str, int] = {}
        out = []
        for c in self.columns:
            text = plain(c)
            seen[text] = seen.get(text, 0) + 1
            out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
        return out

    def records(self) -> list[list[str | int | float | None]]:
        """The rows as plain values: numbers stay numbers (full precision, not the 4
        decimals a renderer shows), text is plain text, an empty cell is None."""
        return [[_value(cell) for cell in row] for row in self.rows]

    def to_frame(self) -> Any:
        """This table as a pandas DataFrame (needs pandas, `pip install "polyterm[notebook]"`;
        imported only here)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the installation
            raise ImportError(
                'Table.to_frame needs pandas: pip install "polyterm[notebook]" (or pandas)'
            ) from None
        return pd.DataFrame(self.records(), columns=self.labels())


def _value(cell: Cell) -> str | int | float | None:
    if cell is None or isinstance(cell, int | float):
        return cell
    return plain(cell)


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


class ViewMethods:
    """What every view offers a notebook beside the protocol (views inherit it):
    Jupyter shows a view as its markdown export, `to_dict()` is the JSON the CLI writes,
    `table(key)` one of its tables (`.to_frame()` for pandas)."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        from polyterm.views.markdown import render_markdown

        text: str = render_markdown(self)
        return text

    def to_dict(self) -> Any:
        """The view as JSON-ready Python (dicts, lists, numbers, text): `--format json`."""
        from polyterm.views.serialise import to_plain

        return to_plain(self)

    def table(self, key: str) -> Table:
        """The table with this key; a KeyError names the keys there are."""
        tables: tuple[Table, ...] = self.tables()  # type: ignore[attr-defined]
        for t in tables:
            if t.key == key:
                return t
        keys = ", ".join(t.key for t in tables)
        raise KeyError(f"{type(self).__name__} has no table {key!r}; its tables: {keys}")

    def table_keys(self) -> list[str]:
        tables: tuple[Table, ...] = self.tables()  # type: ignore[attr-defined]
        return [t.key for t in tables]


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
