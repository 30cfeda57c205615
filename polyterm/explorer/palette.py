"""The explorer's commands in the command palette (ctrl+p), as a Textual `Provider`.

The app lists them (`PolytermApp.palette_commands`: Train, Load, Align, Sweep, Export, one
Cancel per running job); this provider offers them on an empty palette and matches them
fuzzily as the user types, beside Textual's own system commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """One command: its title (palette markup: data in it is escaped), what it does, and
    what it runs."""

    title: str
    help: str
    callback: Callable[[], object]


class ExplorerCommands(Provider):
    """The app's `palette_commands`, discovered and searched."""

    def _commands(self) -> Sequence[PaletteCommand]:
        app = self.app
        listed = getattr(app, "palette_commands", None)
        return listed() if callable(listed) else ()

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.title), command.callback, help=command.help
                )
