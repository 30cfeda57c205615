"""SVG snapshots of every pane and modal at 120×36 and 80×24 (fixed theme, toy models)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from polyterm.app import PolytermApp
from polyterm.screens.panes import pinned
from tests.ui.conftest import planted_ica_model, toy_model
from tests.ui.helpers import no_blink, settle, type_text

# The whole explorer, driven by Pilot. One snapshot per pane at 80x24 is in the default run
# (`DEFAULT_RUN`: a pane that draws the wrong columns fails there); the rest run with
# `pytest -m slow` and in CI. All are goldens: CI runs them again under another BLAS kernel.
pytestmark = [pytest.mark.golden]


# The panes these snapshots show, pinned: a pane added to the registry adds its own
# snapshots instead of changing every other one (its tab and keys are not in these).
SNAPSHOT_PANES = pinned("models", "dims", "calc", "compare", "sweep")


def make_app(case: str = "") -> PolytermApp:
    if case in PLANTED:
        # answers that float32 rounding on another CPU cannot change (tests/ui/conftest.py)
        models = [planted_ica_model("ica_a", 1), planted_ica_model("ica_b", 2)]
    else:
        models = [toy_model("toy_a", 1), toy_model("toy_b", 2), toy_model("toy_c", 3, dims=6)]
    return PolytermApp(models=models, startup=False, theme="polyterm-dark", panes=SNAPSHOT_PANES)


def steps(
    *keys: str, text: str = "", after: tuple[str, ...] = ()
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        if text:
            await type_text(pilot, text)
        await pilot.press(*after)
        await settle(pilot)
        no_blink(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    return run


CASES = {
    "models": steps("1", "down"),
    "dims": steps("2", "n", "n"),
    "repeats": steps("2", "v"),
    "calc": steps("3", text="king - man + woman", after=("enter",)),
    "calc_unknown": steps("3", text="kitte - cat", after=("enter",)),
    "compare": steps("3", text="king - man + woman", after=("enter", "escape", "4")),
    "compare_dim": steps("2", "n", "4"),
    "compare_matched": steps("4", "v"),
    "compare_aligned": steps("4", "v", "v"),
    "compare_summary": steps("4", "v", "v", "v"),
    "dims_ica": steps("2", "b", "b"),  # pca, then ica (fitted in the background)
    "dims_dict": steps("2", "b", "b", "b"),
    "compare_matched_ica": steps("4", "b", "b"),
    "sweep": steps("5", "r"),
    "maximised": steps("2", "f"),
    "train_modal": steps("t"),
    "train_modal_invalid": steps("t", "ctrl+a", "ctrl+k", text="0,x"),
    "load_modal": steps("o", text="/no/such/file.bin", after=("enter",)),
    "confirm_modal": steps("1", "delete"),
}


# cases on the planted ICA toy: ICA of 60 random-ish toy words pairs axes at |r| 0.1-0.6,
# where the Hungarian pairing flips with the CPU's BLAS kernel
PLANTED = ("compare_matched_ica",)

# every pane and modal at both sizes; the variants (errors, other modes) at the large size
BOTH = (
    "models",
    "dims",
    "calc",
    "compare",
    "train_modal",
    "load_modal",
    "confirm_modal",
    "compare_matched",
    "compare_aligned",
    "compare_summary",
    "sweep",
    "dims_ica",
    "compare_matched_ica",
)
DEFAULT_RUN = {("models", 80), ("dims", 80), ("calc", 80), ("compare_matched", 80), ("sweep", 80)}
PARAMS = [
    pytest.param(
        case,
        size,
        id=f"{case}-{size[0]}x{size[1]}",
        marks=() if (case, size[0]) in DEFAULT_RUN else pytest.mark.slow,
    )
    for case in CASES
    for size in ((120, 36), (80, 24))
    if case in BOTH or size[0] == 120
]


@pytest.mark.parametrize(("case", "size"), PARAMS)
def test_snapshot(
    case: str, size: tuple[int, int], snap_compare: Any, fixed_catalogue: Any
) -> None:
    assert snap_compare(make_app(case), terminal_size=size, run_before=CASES[case])
