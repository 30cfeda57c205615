"""polyterm: are the polysemantic groupings inside one embedding model the same in another?

From Python, the names of `polyterm.api` are available here (`polyterm.open_model`,
`polyterm.align`, …); they are imported on first use, so `import polyterm` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = frozenset(
    {
        "Embedding",
        "Report",
        "align",
        "blind",
        "diff",
        "dims",
        "feature_labels",
        "features",
        "groupings",
        "in_basis",
        "keyed_vectors",
        "library",
        "neighbours",
        "open_model",
        "quality",
        "repeats",
        "report",
        "sweep",
        "train",
        "universality",
        "word_map",
        "words",
    }
)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module("polyterm.api"), name)
    raise AttributeError(f"module 'polyterm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = ["__version__", *sorted(_API)]
