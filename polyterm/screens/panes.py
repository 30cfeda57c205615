"""The pane registry: the one list of the explorer's panes, in the order of their keys.

The main screen composes its sidebar and tabs from `PANES`; the app derives the pane keys
(1-9 outside a text box, alt+1-9 everywhere), the terminals' alt-digit characters, the
footer's summary and the help from it; exporting every pane walks it. A new pane is its
view module (`polyterm/views/`), its widget (a `Pane` in `polyterm/widgets/` declaring
`PANE_ID`, `NUMBER`, `LABEL`, `TIP` and its `BINDINGS`), its CLI command module
(`polyterm/cli/<name>_command.py`, one line in `cli.COMMAND_MODULES`) and one line here.
"""

from __future__ import annotations

from collections.abc import Sequence

from polyterm.widgets.calculator_pane import CalculatorPane
from polyterm.widgets.comparison_pane import ComparisonPane
from polyterm.widgets.dimension_pane import DimensionPane
from polyterm.widgets.models_pane import ModelsPane
from polyterm.widgets.pane import Pane
from polyterm.widgets.sweep_pane import SweepPane

PaneClass = type[Pane]

PANES: tuple[PaneClass, ...] = (
    ModelsPane,
    DimensionPane,
    CalculatorPane,
    ComparisonPane,
    SweepPane,
)

MAX_PANES = 9  # keys 1-9 (and alt+1-9)


def check_panes(panes: Sequence[PaneClass]) -> tuple[PaneClass, ...]:
    """`panes` in the order of their numbers, after checking what the screen relies on:
    ids and numbers unique, numbers 1-9, a label each, at least one pane in a tab."""
    out = tuple(sorted(panes, key=lambda p: p.NUMBER))
    ids = [p.PANE_ID for p in out]
    numbers = [p.NUMBER for p in out]
    problems = []
    if len(set(ids)) != len(ids) or not all(ids):
        problems.append(f"pane ids must be unique and non-empty: {ids}")
    if len(set(numbers)) != len(numbers) or not all(1 <= n <= MAX_PANES for n in numbers):
        problems.append(f"pane numbers must be unique, 1-{MAX_PANES}: {numbers}")
    if not all(p.LABEL for p in out):
        problems.append("every pane needs a LABEL")
    if all(p.SIDEBAR for p in out):
        problems.append("at least one pane must be in a tab")
    if problems:
        raise ValueError("; ".join(problems))
    return out


def pinned(*pane_ids: str) -> tuple[PaneClass, ...]:
    """The registered panes with these ids (tests pin the panes a snapshot shows, so a new
    pane adds its own snapshots instead of changing every other one)."""
    by_id = {p.PANE_ID: p for p in PANES}
    return tuple(by_id[i] for i in pane_ids)
