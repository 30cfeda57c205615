"""Markdown building blocks shared by every renderer: cells, tables, phrases, the command.

Imported by `polyterm.views.markdown` (query views, the dispatcher) and by
`polyterm.views.science_markdown` (whole-model views); it imports neither, so the two
renderers do not import each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from polyterm.safe_text import markdown_code, markdown_text, visible
from polyterm.views.model_summary import ModelSummary, models_table
from polyterm.views.protocol import Cell, Code, Data, Label, Phrase, Table, null_text, number

__all__ = [
    "markdown_table",
    "md",
    "models_section",
    "null_text",
    "phrase",
    "reproduce",
    "table",
    "words",
]

# A pipe not already escaped (an even run of backslashes before it, or none).
_BARE_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


def _cell(value: Any) -> str:
    """A table cell: cells are markdown (data in them is escaped by the caller with
    `markdown_text`); a bare pipe is escaped and controls are made visible as a last guard."""
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    return _BARE_PIPE.sub(r"\1\\|", visible(text.replace("\n", " ")))


def md(text: object) -> str:
    """Text from data or the user (a word, a model name, a path) for markdown."""
    return markdown_text(str(text))


def words(items: Iterable[str], sep: str = ", ") -> str:
    """Words from data joined for markdown, each escaped."""
    return sep.join(md(w) for w in items)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def phrase(value: Cell | Label | Code) -> str:
    """A protocol cell or label as markdown: data escaped (bold if marked), code spans
    fenced, literal text as it is, numbers as `number` shows them."""
    if value is None:
        return ""
    if isinstance(value, Data):
        text = md(value.text)
        return f"**{text}**" if value.bold else text
    if isinstance(value, Code):
        return markdown_code(value.text)
    if isinstance(value, Phrase):
        return "".join(phrase(p) for p in value.parts)
    if isinstance(value, int | float):
        return number(value)
    return value


def markdown_table(t: Table) -> str:
    """A protocol table's columns and rows as a markdown table (its title and caption are
    the caller's: each document places them its own way)."""
    return table([phrase(c) for c in t.columns], [[phrase(c) for c in row] for row in t.rows])


def models_section(models: Sequence[ModelSummary]) -> str:
    t = models_table(models)
    return f"### {phrase(t.title)}\n\n" + markdown_table(t)


def reproduce(command: str) -> str:
    """The CLI command in a fenced block: one line (controls made visible), so data in it
    can neither close the fence nor start markdown."""
    return f"Reproduce with:\n\n```\n{visible(command)}\n```"
