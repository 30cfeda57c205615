"""SVG snapshots of the polysemanticity views at 80x24 (planted models and labels): the
Dimensions pane's features (`l`), the Compare pane's groupings and map (`w`), the Sweep
pane's meaning curve (`l`, `r`)."""

from __future__ import annotations

from typing import Any

import pytest

from polyterm.app import PolytermApp
from tests.ui.polysemy_fixtures import plant, planted_model
from tests.ui.test_snapshots import SNAPSHOT_PANES, steps

# Snapshots are goldens: CI runs them again under another BLAS kernel (`.ci/run`).
pytestmark = [pytest.mark.golden]


def make_app() -> PolytermApp:
    models = [planted_model("planted_8", 1, dims=8), planted_model("planted_4", 2, dims=4)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark", panes=SNAPSHOT_PANES)
    plant(app)
    return app


MAP_WORDS = "animal01 animal02 food01 food02 tool01 tool02"
CASES = {
    "dims_features": steps("2", "l"),
    "compare_groupings": steps("4", "w"),
    "compare_map": steps("4", "w", "w", "slash", text=MAP_WORDS, after=("enter",)),
    "sweep_curve": steps("5", "l", "r"),
}
DEFAULT_RUN = {"dims_features", "compare_groupings"}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=() if c in DEFAULT_RUN else pytest.mark.slow) for c in CASES],
)
def test_snapshot(case: str, snap_compare: Any, fixed_catalogue: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=CASES[case])
