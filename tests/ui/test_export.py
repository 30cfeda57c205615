"""Export: the file is written where it says, atomically, and matches the golden files."""

from __future__ import annotations

from pathlib import Path

import pytest

from polyterm.app import PolytermApp
from polyterm.explorer.export import default_path, export_markdown
from polyterm.views.markdown import render_markdown
from polyterm.views.model_summary import ModelSummary
from polyterm.views.query import dimension_view, expression_view, repeats_view
from polyterm.widgets.catalogue import JobState, ModelsView
from tests.goldens import check_golden as compare_golden
from tests.ui.conftest import FIXED_CATALOGUE
from tests.ui.helpers import settle, type_text

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    compare_golden(GOLDEN / name, text)


@pytest.mark.golden
def test_golden_views(toy_models) -> None:
    a, b, c = toy_models
    check_golden(
        "expression.md",
        export_markdown([("Calculator", expression_view([a, b, c], "king - man + woman"))]),
    )
    check_golden("dimension.md", export_markdown([("Dimensions", dimension_view(a, 2))]))
    check_golden("repeats.md", export_markdown([("Dimensions", repeats_view(a, k=5))]))
    models = ModelsView(
        FIXED_CATALOGUE,
        (ModelSummary.of(a), ModelSummary.of(b)),
        ("toy_a",),
        (JobState(1, "brown_30", "train"),),
    )
    check_golden("models.md", export_markdown([("Models", models)]))
    assert render_markdown(models).startswith("## Models")


def test_default_path_is_descriptive_and_never_overwrites(tmp_path, toy_models) -> None:
    view = expression_view(toy_models[:2], "cat - car")
    first = default_path("calc", [view], tmp_path)
    assert first.name == "polyterm-calc-cat-car-toy_a-toy_b.md"
    first.write_text("x")
    assert default_path("calc", [view], tmp_path).name.endswith("-2.md")


@pytest.mark.golden
async def test_export_keys_write_the_focused_pane_and_all(
    toy_models, fixed_catalogue, tmp_path
) -> None:
    app = PolytermApp(models=toy_models, startup=False, export_dir=tmp_path / "out")
    (tmp_path / "out").mkdir()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await type_text(pilot, "king - man + woman")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "e")
        await settle(pilot)
        files = sorted((tmp_path / "out").iterdir())
        assert [f.name for f in files] == [
            "polyterm-calc-king-man-woman-toy_a-toy_b-toy_c.md"
        ]
        query = expression_view(toy_models, "king - man + woman")
        expected = export_markdown([("Calculator", query)])
        assert files[0].read_text() == expected
        check_golden("expression.md", files[0].read_text())
        await pilot.press("E")
        await settle(pilot)
        every = (tmp_path / "out" / "polyterm-all-panes.md").read_text()
        for heading in ("## Models", "## Dimension 0 of toy_a", "## Nearest words to"):
            assert heading in every
        assert not [f for f in (tmp_path / "out").iterdir() if f.name.endswith(".tmp")]


async def test_export_with_nothing_to_export_says_so(fixed_catalogue, tmp_path) -> None:
    app = PolytermApp(startup=False, export_dir=tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("3", "escape", "e")
        await settle(pilot)
        assert any("nothing to export" in n.message for n in app._notifications)
        assert app.is_running
