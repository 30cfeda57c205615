"""Handlers that only run while the app runs.

Workers and training processes post their results whenever they finish. One that lands
while the app is closing finds the panes half removed (Textual removes them one by one,
and still delivers messages meanwhile): its handler must drop it, not raise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

Handler = TypeVar("Handler", bound=Callable[..., None])


def while_running(handler: Handler) -> Handler:
    """Call `handler` only while its app runs (Textual clears `is_running` when it starts
    shutting down, before it removes any widget)."""

    @functools.wraps(handler)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        if self.is_running:
            handler(self, *args, **kwargs)

    return cast(Handler, wrapper)
