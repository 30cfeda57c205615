"""Output on terminals and pipes that cannot encode Unicode (issue 17 §2).

With ``LC_ALL=C`` and a non-UTF-8 ``PYTHONIOENCODING`` (ascii, latin-1), or a ``TERM=dumb``
terminal with such a locale, printing ``ρ`` (Spearman's rho in `dims`) raised
UnicodeEncodeError. :func:`degrade_to_ascii` gives stdout and stderr an error handler that
writes what the encoding lacks as ASCII: the symbols polyterm prints by name or by their
ASCII look-alike (``ρ`` → ``rho``, ``−`` → ``-``, ``±`` → ``+/-``, box drawing → ``-|+``),
accented letters without their accent, and anything else as a ``\\uXXXX`` escape. Text the
encoding can hold is written unchanged.
"""

from __future__ import annotations

import codecs
import contextlib
import sys
import unicodedata
from typing import TextIO

HANDLER = "polyterm-ascii"
_NAMED = {
    "ρ": "rho",
    "−": "-",
    "–": "-",
    "—": "--",
    "±": "+/-",
    "·": "*",
    "…": "...",
    "×": "x",
    "√": "sqrt",
    "≈": "~",
    "≤": "<=",
    "≥": ">=",
    "→": "->",
    "←": "<-",
    "↔": "<->",
    "•": "*",
    "●": "*",
    "○": "o",
    "◆": "*",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "µ": "u",
    "²": "^2",
    "⁻": "^-",
    "¹": "^1",
    "\u00a0": " ",
}


def _ascii_of(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if "\u2500" <= char <= "\u257f":  # box drawing: Rich's table borders
        name = unicodedata.name(char, "")
        if "VERTICAL AND" in name or "DOWN AND" in name or "UP AND" in name:
            return "+"
        return "|" if "VERTICAL" in name else "-"
    if "\u2580" <= char <= "\u259f":  # block elements (bars, histograms)
        return "#"
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    if plain:
        return plain
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(_ascii_of(c) for c in text), exc.end


def _register() -> None:
    try:
        codecs.lookup_error(HANDLER)
    except LookupError:
        codecs.register_error(HANDLER, _handler)


def to_ascii(text: str) -> str:
    """`text` as :func:`degrade_to_ascii` writes it to an ASCII stream."""
    _register()
    return text.encode("ascii", errors=HANDLER).decode("ascii")


def _needs_fallback(stream: TextIO) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "ρ−±·…─".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def degrade_to_ascii(*streams: TextIO) -> None:
    """Give each stream (default: stdout and stderr) that cannot encode Unicode the ASCII
    fallback handler; streams that can (UTF-8) are left alone."""
    _register()
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and _needs_fallback(stream):
            # a closed or detached stream: nothing will be written to it anyway
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors=HANDLER)
