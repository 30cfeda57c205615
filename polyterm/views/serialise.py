"""JSON form of any view: dataclasses → dicts, enums → values, floats kept as floats.

Strings keep their non-ASCII text as it is (``café``, ``東京``), but every character
`polyterm.safe_text` treats as unsafe (C0/C1 controls, DEL, bidi controls, line and
paragraph separators, NEL, BOM) is written as a ``\\uXXXX`` escape: a word from a hostile
vector file can neither act on the terminal that shows the JSON nor reorder its text.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from enum import Enum
from typing import Any

import numpy as np

from polyterm.core.bases import BasisName
from polyterm.safe_text import _UNSAFE


def _shown(field: dataclasses.Field[Any], value: Any) -> bool:
    """Whether a dataclass field is written: ``metadata={"json": False}`` never,
    ``"unless-default"`` only when it differs from its default (so a new field leaves
    the JSON of the views that do not use it unchanged)."""
    rule = field.metadata.get("json", True)
    if rule == "unless-default":
        return bool(value != field.default)
    return bool(rule)


def to_plain(obj: Any) -> Any:
    """Convert a view (or any nested dataclass) to JSON-serialisable Python."""
    if isinstance(obj, BasisName):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {
            f.name: to_plain(value)
            for f in dataclasses.fields(obj)
            if _shown(f, value := getattr(obj, f.name))
        }
        for extra in ("command",):
            method = getattr(obj, extra, None)
            if callable(method):
                out[extra] = method()
        return out
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_plain(obj.tolist())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item"):  # numpy scalar
        return to_plain(obj.item())
    return obj


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    # C0 inside a string is already escaped; outside one it is the indent's own newline.
    return match.group() if code < 0x20 else f"\\u{code:04x}"


def dumps(data: Any) -> str:
    """`data` (JSON-serialisable) as indented JSON, unsafe characters escaped.

    The encoder already escapes C0 controls in strings; everything else `_UNSAFE` matches can only
    occur inside a string (JSON's own syntax is ASCII), where ``\\uXXXX`` is the same
    character to any JSON reader.
    """
    return _UNSAFE.sub(_json_escape, json.dumps(data, indent=2, ensure_ascii=False))


def to_json(obj: Any) -> str:
    return dumps(to_plain(obj))
