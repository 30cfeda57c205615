"""Every pane header says which defaults apply, from the one settings source (issue 18,
item 8): vocabulary restriction, null draws, k and fit words, as the CLI reads them."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from polyterm.app import PolytermApp
from polyterm.core.bases import DEFAULT_FIT_ROWS
from polyterm.views.settings import COMPARISON, ComparisonSettings
from tests.ui.conftest import toy_model
from tests.ui.helpers import plain, settle

PANES = {"2": "dims", "3": "calc", "4": "compare", "5": "sweep"}


def test_each_pane_line_names_its_defaults() -> None:
    other = ComparisonSettings(k=7, top_n=1234, repetitions=33, fit_words=777)
    compare = other.pane_defaults("compare")
    assert "k 7" in compare and "1,234 shared words" in compare
    assert "33 null draws" in compare and "bases fit on 777 words" in compare
    dims = other.pane_defaults("dims")
    assert f"over {other.large_vocabulary:,} words: the {other.large_restrict:,} most" in dims
    assert "777 words" in dims
    assert "1,234 shared words" in other.pane_defaults("calc")
    assert "33 null draws" in other.pane_defaults("sweep")
    with pytest.raises(ValueError, match="no defaults"):
        other.pane_defaults("models")
    assert COMPARISON.fit_words == DEFAULT_FIT_ROWS  # the bases' own default


@pytest.mark.slow
async def test_the_pane_headers_show_the_defaults(fixed_catalogue: object) -> None:
    models = [toy_model("toy_a", 1), toy_model("toy_b", 2)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(160, 40)) as pilot:
        for key, pane in PANES.items():
            await pilot.press(f"alt+{key}")
            await settle(pilot)
            line = app.main.query_one(f"#{pane}-defaults", Static)
            text = plain(line).replace("\n", " ")
            assert line.region.height == 1, pane  # on screen, one line
            assert text.strip() == COMPARISON.pane_defaults(pane), pane
            assert line.tooltip == COMPARISON.pane_defaults(pane), pane  # whole when cut
            assert f"k {COMPARISON.k}" in text
            assert f"{COMPARISON.repetitions} null draws" in text
