"""Text from data, shown as text: control characters made visible, markup made inert.

A word in a vector file, a corpus or a file name can hold any code point: ESC and OSC
sequences that retitle the terminal or write the clipboard, bidi overrides that reorder
what follows, BBCode-like ``[/b]`` that Rich would parse as markup, ``<img onerror=…>`` that
a markdown viewer would render live. Everything polyterm prints or writes (except JSON,
whose encoder escapes) goes through one of these functions:

- `visible` for terminals (CLI tables, error lines, Textual cells as `rich.text.Text`);
- `markdown_text` for markdown (also escapes HTML-significant characters, pipes and
  leading markdown syntax).

Pure Python: usable from core, engine, views, CLI and the explorer alike.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SEPARATORS = "\u2028\u2029\u0085"
# lone surrogates: bytes of a file name that are not UTF-8 (Python's surrogateescape)
_SURROGATES = "\ud800-\udfff"
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + _BIDI + _SEPARATORS + "\ufeff\ufff9-\ufffb" + _SURROGATES + "]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with C0/C1 controls, DEL, bidi controls and line separators written as
    ``\\x1b``-style escapes, so no byte of data can act on the terminal or reorder text."""
    return _UNSAFE.sub(_escape, text)


def without_unsafe(text: str) -> str:
    """`text` with the characters `visible` would escape removed (for typed or pasted
    text, which a text box shows as it is)."""
    return _UNSAFE.sub("", text)


_MD_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "[": "\\[",
        "]": "\\]",
        "~": "\\~",
    }
)
# `_` opens or closes emphasis only at a word's edge: `lee_20_s2` stays as it is.
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# What would start a block if the text began a line: a heading, a list item, a setext
# underline, a numbered list item.
_MD_LEADING = re.compile(r"^(?:[#+=-]|\d+(?=[.)]))")


def markdown_text(text: str) -> str:
    """`visible(text)` made inert in markdown: HTML-significant characters become entities,
    table pipes and inline markup characters are backslash-escaped, a leading character
    that could start a block is escaped, and line breaks are already escapes, so a word
    can neither start a heading nor render HTML."""
    out = _MD_UNDERSCORE.sub(r"\\_", visible(text).translate(_MD_SPECIAL))
    match = _MD_LEADING.match(out)
    if match is None:
        return out
    lead = match.group()
    if lead.isdigit():  # `1.` → `1\.`
        return lead + "\\" + out[len(lead) :]
    return "\\" + out


def markdown_code(text: str) -> str:
    """`text` as an inline code span (shown literally, never as HTML or markup): visible,
    fenced by more backticks than it holds in a row, padded when it starts or ends with one."""
    shown = visible(text)
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
