"""The main screen: Models on the left, the three analysis panes in tabs on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane

from polyterm.widgets.calculator_pane import CalculatorPane
from polyterm.widgets.comparison_pane import ComparisonPane
from polyterm.widgets.dimension_pane import DimensionPane
from polyterm.widgets.models_pane import ModelsPane
from polyterm.widgets.pane import Pane
from polyterm.widgets.sweep_pane import SweepPane

PANE_ORDER = ("models", "dims", "calc", "compare", "sweep")


class MainScreen(Screen[None]):
    """Five panes; number keys 1-5 (or tab) move between them."""

    class Ready(Message):
        """The panes exist: the app can fill them."""

    def on_mount(self) -> None:
        self.post_message(self.Ready())

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="main"):
            yield ModelsPane()
            with TabbedContent(id="tabs", initial="tab-dims"):
                with TabPane("2 Dimensions", id="tab-dims"):
                    yield DimensionPane()
                with TabPane("3 Calculator", id="tab-calc"):
                    yield CalculatorPane()
                with TabPane("4 Compare", id="tab-compare"):
                    yield ComparisonPane()
                with TabPane("5 Sweep", id="tab-sweep"):
                    yield SweepPane()
        # Compact, and no palette key (ctrl+p is in the list of keys, `?`): room for the
        # global keys after a pane's own at 120 columns.
        yield Footer(compact=True, show_command_palette=False)

    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#{pane_id}", Pane)

    def show_pane(self, pane_id: str) -> Pane:
        """Bring a pane into view and focus its main widget."""
        if self.maximized is not None:
            self.minimize()
        pane = self.pane(pane_id)
        if pane_id != "models":
            self.query_one("#tabs", TabbedContent).active = f"tab-{pane_id}"
        pane.focus_main()
        return pane

    def shows(self, pane: Pane) -> bool:
        """Whether `pane` is in sight: the models pane, or the pane of the active tab."""
        if pane.PANE_ID == "models":
            return True
        return self.query_one("#tabs", TabbedContent).active == f"tab-{pane.PANE_ID}"

    def current_pane(self) -> Pane:
        """The pane holding the focus, else the visible tab's pane."""
        node = self.focused
        while node is not None:
            if isinstance(node, Pane):
                return node
            node = node.parent  # type: ignore[assignment]
        active = self.query_one("#tabs", TabbedContent).active or "tab-dims"
        return self.pane(active.removeprefix("tab-"))

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
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.current_pane(), container=False)
