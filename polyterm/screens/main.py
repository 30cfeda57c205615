"""The main screen: the sidebar pane (Models) on the left, the other panes in tabs on the right,
as the registry (`polyterm.screens.panes.PANES`) lists them."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane
from textual.widgets._footer import FooterKey

from polyterm.screens.panes import PANES, PaneClass, check_panes
from polyterm.widgets.pane import Pane, PaneServices


class PolytermFooter(Footer):
    """The footer, which leaves out the rarer keys below `NARROW` columns so the ones a
    newcomer needs (o Load, x Cancel, q Quit) are not cut at 80 columns; every key is in
    the list of keys (`?`) at any width."""

    NARROW = 100
    RARE = frozenset({"export(True)", "change_theme"})  # E / alt+E All, T Theme
    SUMMARY_PREFIX = "pane("  # the alt+1…N summary: the tabs show the numbers

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._narrow: bool | None = None

    def is_narrow(self) -> bool:
        return self.app.size.width < self.NARROW

    def compose(self) -> ComposeResult:
        items = list(super().compose())
        if self.is_narrow():
            items = [
                w
                for w in items
                if not (
                    isinstance(w, FooterKey)
                    and (w.action in self.RARE or w.action.startswith(self.SUMMARY_PREFIX))
                )
            ]
            self.styles.grid_size_columns = max(1, len(items))
        yield from items

    def on_resize(self) -> None:
        narrow = self.is_narrow()
        if self._narrow is not None and narrow != self._narrow:
            self.call_later(self.recompose)
        self._narrow = narrow


class MainScreen(Screen[None]):
    """The registry's panes; number keys 1-9 (or tab) move between them."""

    class Ready(Message):
        """The panes exist: the app can fill them."""

    def __init__(
        self, panes: tuple[PaneClass, ...] = PANES, services: PaneServices | None = None
    ) -> None:
        super().__init__()
        self.services = services  # given to every pane it composes
        self.panes = check_panes(panes)
        self.pane_ids: tuple[str, ...] = tuple(p.PANE_ID for p in self.panes)
        self._sidebar = {p.PANE_ID for p in self.panes if p.SIDEBAR}
        self._tab_of = {p.PANE_ID: f"tab-{p.PANE_ID}" for p in self.panes if not p.SIDEBAR}
        self._pane_of_tab = {tab: pane for pane, tab in self._tab_of.items()}

    def on_mount(self) -> None:
        self.post_message(self.Ready())

    def pane_of_tab(self, tab_id: str | None) -> str:
        """The id of the pane in tab `tab_id` (the first tab's when None or unknown)."""
        first = next(iter(self._tab_of))
        return self._pane_of_tab.get(tab_id or "", first)

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="main"):
            for pane in self.panes:
                if pane.SIDEBAR:
                    yield pane(self.services)
            with TabbedContent(id="tabs", initial=next(iter(self._tab_of.values()))):
                for pane in self.panes:
                    if not pane.SIDEBAR:
                        with TabPane(pane.title(), id=self._tab_of[pane.PANE_ID]):
                            yield pane(self.services)
        # Compact, and no palette key (ctrl+p is in the list of keys, `?`): room for the
        # global keys after a pane's own at 120 columns.
        yield PolytermFooter(compact=True, show_command_palette=False)

    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#{pane_id}", Pane)

    def show_pane(self, pane_id: str) -> Pane:
        """Bring a pane into view and focus its main widget."""
        if self.maximized is not None:
            self.minimize()
        pane = self.pane(pane_id)
        if pane_id in self._sidebar and not pane.display:
            pane.display = True  # asked for by its key: the sidebar comes back
        if pane_id in self._tab_of:
            self.query_one("#tabs", TabbedContent).active = self._tab_of[pane_id]
        pane.focus_main()
        return pane

    def shows(self, pane: Pane) -> bool:
        """Whether `pane` is in sight: the models pane, or the pane of the active tab."""
        if pane.PANE_ID in self._sidebar:
            return True
        return self.query_one("#tabs", TabbedContent).active == self._tab_of.get(pane.PANE_ID)

    def current_pane(self) -> Pane:
        """The pane holding the focus, else the visible tab's pane."""
        node = self.focused
        while node is not None:
            if isinstance(node, Pane):
                return node
            node = node.parent  # type: ignore[assignment]
        return self.pane(self.pane_of_tab(self.query_one("#tabs", TabbedContent).active))

    def leave_input(self) -> None:
        """Move the focus out of a text box so that single keys work again."""
        pane = self.current_pane()
        if isinstance(pane.main_widget(), Input) and (
            isinstance(self.focused, Input) or pane.main_widget() is self.focused
        ):
            self.query_one("#tabs Tabs").focus()
            return
        pane.focus_main()

    def toggle_maximize(self) -> None:
        """Maximise the current pane, or restore it; the focus follows what is shown (a
        key typed next goes to the maximised pane, never to a hidden one)."""
        if self.maximized is not None:
            pane = self.maximized
            self.minimize()
            if isinstance(pane, Pane) and not self._holds_focus(pane):
                pane.focus_main()
        else:
            pane = self.current_pane()
            self.maximize(pane, container=False)
            if not self._holds_focus(pane):
                pane.focus_main()

    def minimize(self) -> None:
        """Restore the maximised pane, keeping the focus in it."""
        pane = self.maximized
        super().minimize()
        if isinstance(pane, Pane) and not self._holds_focus(pane):
            pane.focus_main()

    def _holds_focus(self, pane: Pane) -> bool:
        node = self.focused
        while node is not None:
            if node is pane:
                return True
            node = node.parent  # type: ignore[assignment]
        return False

    def toggle_sidebar(self) -> None:
        """Hide or show the sidebar panes (Models): the tabs get the width. The focus
        leaves a pane that is hidden for the shown tab's pane."""
        sidebar = [self.pane(p) for p in self.pane_ids if p in self._sidebar]
        hide = any(p.display for p in sidebar)
        for pane in sidebar:
            pane.display = not hide
        if hide and (any(self._holds_focus(p) for p in sidebar) or self.focused is None):
            shown = self.pane(self.pane_of_tab(self.query_one("#tabs", TabbedContent).active))
            if isinstance(shown.main_widget(), Input):
                self.query_one("#tabs Tabs").focus()  # single keys keep working
            else:
                shown.focus_main()
        elif not hide and sidebar:
            sidebar[0].focus_main()

    def sidebar_hidden(self) -> bool:
        return any(not self.pane(p).display for p in self.pane_ids if p in self._sidebar)
