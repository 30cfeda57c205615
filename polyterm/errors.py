"""The error types polyterm raises for anything a user can get wrong.

Every message is one line that says what is wrong and how to fix it; the CLI prints it
without a traceback and the explorer shows it as a notification.
"""

from __future__ import annotations

from collections.abc import Sequence


class PolytermError(Exception):
    """Base class: a problem the user can fix, with a one-line message."""


class ExpressionError(PolytermError):
    """A word expression that does not parse; `position` is a 0-based character offset."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.text = text
        self.position = position
        shown = text if len(text) <= 80 else text[:77] + "..."
        super().__init__(f"{message} at position {position + 1} in {shown!r}")


class UnknownWordError(PolytermError):
    """A word that is not in a model's vocabulary, with close vocabulary entries."""

    def __init__(self, word: str, model: str, suggestions: Sequence[str] = ()) -> None:
        self.word = word
        self.model = model
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{word!r} is not in the vocabulary of {model}{hint}")


class ZeroVectorError(PolytermError):
    """An expression whose vector is zero (or too small to have a direction) in a model."""

    def __init__(self, expression: str, model: str) -> None:
        self.expression = expression
        self.model = model
        super().__init__(
            f"{expression!r} is a zero vector in {model} (its terms cancel or are too small), "
            "so it has no neighbours; use words whose vectors differ, or larger weights"
        )


class SpecError(PolytermError):
    """A model spec or training parameter that is not valid."""


class CorpusError(PolytermError):
    """A corpus that cannot be found, read or that is empty."""


class ModelFileError(PolytermError):
    """A model file that cannot be read (missing, truncated, wrong format, untrusted)."""


class CacheError(PolytermError):
    """A cache folder that cannot be used."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) during work that had already finished and stored some results:
    `kept` names them (the CLI says so instead of "nothing was written")."""

    def __init__(self, kept: tuple[str, ...]) -> None:
        super().__init__()
        self.kept = kept


class Cancelled(PolytermError):
    """Work stopped because the user cancelled it; nothing was written."""

    def __init__(self, what: str = "work") -> None:
        super().__init__(f"{what} cancelled; nothing was written")
