"""JSON form of any view: dataclasses → dicts, enums → values, floats kept as floats."""

from __future__ import annotations

import dataclasses
import json
import math
from enum import Enum
from typing import Any

import numpy as np


def to_plain(obj: Any) -> Any:
    """Convert a view (or any nested dataclass) to JSON-serialisable Python."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {
            f.name: to_plain(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if f.metadata.get("json", True)
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


def to_json(obj: Any) -> str:
    return json.dumps(to_plain(obj), indent=2, ensure_ascii=False)
