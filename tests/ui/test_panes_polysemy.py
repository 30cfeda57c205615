"""The polysemanticity views in the panes: features under the Dimensions pane's word
table (`l`), the Compare pane's groupings and word map (`w`), the Sweep pane's curve.
Labels are planted (tests/ui/polysemy_fixtures.py), never real WordNet."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from polyterm.app import PolytermApp
from tests.ui.helpers import plain, settle
from tests.ui.polysemy_fixtures import plant, planted_model

SIZES = [(80, 24), (120, 36)]


def cells(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    out = []
    for r in range(table.row_count):
        out.append([getattr(c, "plain", str(c)) for c in table.get_row_at(r)])
    return out


def shows(cell: str, text: str) -> bool:
    """`cell` is `text`, or `text` cut with an ellipsis."""
    return cell == text or (cell.endswith("…") and text.startswith(cell[:-1]))


def header_cells(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [c.label.plain for c in table.columns.values()]


@pytest.mark.parametrize("size", SIZES)
async def test_dimensions_pane_shows_the_planted_axis_features(
    size: tuple[int, int], fixed_catalogue: object
) -> None:
    models = [planted_model("plant_a", 1)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    calls: list[str] = []
    plant(app, calls)
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = app.main.pane("dims")
        box = app.main.query_one("#dims-features-box")
        assert box.has_class("hidden")  # off until asked
        await pilot.press("l")  # wordnet (planted)
        await settle(pilot)
        title = plain(app.main.query_one("#dims-features-title", Static))
        assert "features (wordnet) of dimension 0" in title
        table = app.main.query_one("#dims-features", DataTable)
        head = header_cells(table)
        assert head[:4] == ["end", "feature", "count", "q (BH)"]  # the view's labels
        assert ("words" in head) == (size[0] >= 120)  # at 80 columns the words give way
        rows = cells(table)
        # the planted answer: axis 0's top end mixes exactly animals and foods
        assert sorted(r[1] for r in rows) == ["noun.animal", "noun.food"]
        assert {r[0] for r in rows} == {"top"}
        ends = cells(app.main.query_one("#dims-features-ends", DataTable))
        assert [r[:2] for r in ends] == [["top", "2"], ["bottom", "0"]]
        await pilot.press("n")  # axis 1: tools only; never axis 0's answer under its header
        title = plain(app.main.query_one("#dims-features-title", Static))
        assert "dimension 1" in title
        assert "computing" in title or "noun.artifact" in str(cells(table))
        await settle(pilot)
        assert [r[1] for r in cells(table)] == ["noun.artifact"]
        assert calls == ["wordnet"]  # labels read once per source
        await pilot.press("l")  # pos: a new source, asked again
        await settle(pilot)
        assert "features (pos)" in plain(app.main.query_one("#dims-features-title", Static))
        await pilot.press("l", "l")  # genre, off
        await settle(pilot)
        assert box.has_class("hidden") and calls == ["wordnet", "pos", "genre"]
        assert pane.features_key() is None


async def test_e_on_the_dimensions_pane_writes_the_features_too(
    fixed_catalogue: object, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    app = PolytermApp(models=[planted_model("plant_a", 1)], startup=False, export_dir=out)
    plant(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "l")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
    written = sorted(out.glob("polyterm-dims-*.md"))
    assert len(written) == 1
    text = written[0].read_text()
    assert "Features (wordnet) of Dimension 0 of" in text
    assert "noun.animal" in text and "noun.food" in text
    import importlib.util

    if importlib.util.find_spec("matplotlib") is not None:  # the optional figure beside it
        assert written[0].with_suffix(".svg").exists() and written[0].with_suffix(".png").exists()


async def open_compare(pilot: object, app: PolytermApp) -> None:
    await pilot.press("4")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", SIZES)
async def test_compare_pane_shows_the_shared_planted_grouping(
    size: tuple[int, int], fixed_catalogue: object
) -> None:
    models = [planted_model("plant_a", 1), planted_model("plant_b", 2)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    calls: list[str] = []
    plant(app, calls)
    async with app.run_test(size=size) as pilot:
        await open_compare(pilot, app)
        await pilot.press("w")
        await settle(pilot)
        pane = app.main.pane("compare")
        from polyterm.views.polysemanticity import GroupingsView

        assert isinstance(pane.view, GroupingsView)
        shared = cells(app.main.query_one("#meanings-b", DataTable))
        # the planted mixture, found in both models: animals with foods on dimension 0
        assert [r[0] for r in shared] == ["noun.animal + noun.food"]
        from polyterm.views.protocol import plain as text_of

        row = pane.view.table("shared").rows[0]
        in_a, in_b = text_of(row[2]), text_of(row[4])
        assert in_a.startswith("dimension 0 top") and in_b.startswith("dimension 0 top")
        assert shows(shared[0][1], in_a)
        if len(shared[0]) == 3:  # in a narrow pane B's words give way
            assert shows(shared[0][2], in_b)
        pairs = cells(app.main.query_one("#meanings-a", DataTable))
        labels = [r[0] for r in pairs]
        assert labels[:3] == ["groupings A", "groupings B", "shared"]
        assert [r[1] for r in pairs[:3]] == ["1", "1", "1"]
        title = plain(app.main.query_one("#compare-title", Static))
        assert "Polysemantic groupings (wordnet)" in title
        await pilot.press("l")  # pos: never wordnet's answer under the new source
        assert "pos" in plain(app.main.query_one("#compare-title", Static))
        assert pane.view is None or pane.view.source == "pos"
        await settle(pilot)
        assert pane.view.source == "pos" and calls == ["wordnet", "pos"]
        await pilot.press("v")  # back to the pane's own views
        await settle(pilot)
        assert app.main.query_one("#meanings").has_class("hidden")


@pytest.mark.parametrize("size", SIZES)
async def test_compare_pane_maps_a_typed_word_list(
    size: tuple[int, int], fixed_catalogue: object
) -> None:
    models = [planted_model("plant_a", 1), planted_model("plant_b", 2), planted_model("c", 3)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await open_compare(pilot, app)
        await pilot.press("w", "w")  # groupings, then the map
        await settle(pilot)
        title = plain(app.main.query_one("#compare-title", Static))
        # the words of the query followed (dimension 0 from the dimension browser)
        assert title.startswith("Map of 16 words in plant_a, plant_b, c")
        from tests.ui.helpers import type_text

        await pilot.press("slash")  # the map's word list
        await type_text(pilot, "animal01, animal02 food01 food02 tool01 tool02")
        await pilot.press("enter")
        await settle(pilot)
        pane = app.main.pane("compare")
        from polyterm.views.word_map import WordMapView

        view = pane.view
        assert isinstance(view, WordMapView)
        assert view.words == ("animal01", "animal02", "food01", "food02", "tool01", "tool02")
        plots = plain(app.main.query_one("#meanings-plots", Static))
        for m in models:
            assert m.name in plots  # every model's scatter, titled
        assert any(w in plots for w in view.words)  # labelled where there is room
        width = app.main.query_one("#meanings").size.width
        assert max(len(line.rstrip()) for line in plots.splitlines()) <= width
        shape = cells(app.main.query_one("#meanings-a", DataTable))
        assert [r[0] for r in shape] == ["plant_b", "c"]  # the shape table: the others
        assert all(-1 <= float(r[1]) <= 1 for r in shape)


@pytest.mark.parametrize("size", SIZES)
async def test_sweep_pane_draws_the_meaning_curve(
    size: tuple[int, int], fixed_catalogue: object
) -> None:
    models = [planted_model("planted_8", 1, dims=8), planted_model("planted_4", 2, dims=4)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    calls: list[str] = []
    plant(app, calls)
    async with app.run_test(size=size) as pilot:
        await pilot.press("5")
        await settle(pilot)
        pane = app.main.pane("sweep")
        curve_table = app.main.query_one("#sweep-curve", DataTable)
        await pilot.press("l")  # wordnet, before any sweep: nothing computed yet
        await settle(pilot)
        assert calls == [] and curve_table.has_class("hidden")
        await pilot.press("r")  # the sweep, then its curve
        await settle(pilot)
        assert pane.curve is not None and pane.curve.source == "wordnet"
        shown = cells(curve_table)
        assert [r[1] for r in shown] == ["8", "4"]  # largest first
        # each row is the view's: share polysemantic as the view computed it
        points = pane.curve.points
        head = header_cells(curve_table)
        share = head.index("share polysemantic")
        assert [float(r[share]) for r in shown] == pytest.approx(
            [p.share for p in points], abs=1e-3
        )
        # planted: axis 0's top end mixes two features in both sizes
        assert all(p.share >= 1 / (2 * p.dims) for p in points)
        await pilot.press("l")  # pos: computed at once over the sweep shown
        title = plain(app.main.query_one("#sweep-curve-title", Static))
        assert "pos" in title  # computing, or pos's curve: never wordnet's under it
        assert "computing" in title or (pane.curve is not None and pane.curve.source == "pos")
        await settle(pilot)
        assert pane.curve.source == "pos" and calls == ["wordnet", "pos"]
        assert "pos" in plain(app.main.query_one("#sweep-curve-title", Static))


async def test_x_cancels_the_features_and_a_late_answer_is_dropped(
    fixed_catalogue: object,
) -> None:
    import threading

    from tests.ui.polysemy_fixtures import planted_labels

    release = threading.Event()
    app = PolytermApp(models=[planted_model("plant_a", 1)], startup=False)

    def slow(source: str) -> object:
        release.wait(10)  # a first WordNet build, as far as the pane can tell
        return planted_labels(source)

    app.services.label_loader = slow  # type: ignore[assignment]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        title = app.main.query_one("#dims-features-title", Static)
        assert "computing" in plain(title)
        await pilot.press("n")  # keys still answer while the labels are read
        await pilot.pause()
        assert "dimension 1" in plain(app.main.query_one("#dims-header", Static))
        await pilot.press("x")
        await pilot.pause()
        assert "cancelled" in plain(title)
        release.set()
        await settle(pilot)
        assert "cancelled" in plain(title)  # the late answer is not shown
        assert app.main.query_one("#dims-features", DataTable).row_count == 0


async def test_leaving_the_groupings_before_their_answer_shows_the_pane_s_own_view(
    fixed_catalogue: object,
) -> None:
    models = [planted_model("plant_a", 1), planted_model("plant_b", 2)]
    app = PolytermApp(models=models, startup=False)
    plant(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(pilot, app)
        pane = app.main.pane("compare")
        before = pane.view
        await pilot.press("w", "v")  # groupings asked, then back at once
        await settle(pilot)
        from polyterm.views.polysemanticity import GroupingsView

        assert pane.meanings is None and not isinstance(pane.view, GroupingsView)
        assert type(pane.view) is type(before)
        assert app.main.query_one("#meanings").has_class("hidden")


async def test_groupings_follow_the_compare_pane_s_basis(fixed_catalogue: object) -> None:
    models = [planted_model("plant_a", 1), planted_model("plant_b", 2)]
    app = PolytermApp(models=models, startup=False)
    plant(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_compare(pilot, app)
        await pilot.press("w")
        await settle(pilot)
        pane = app.main.pane("compare")
        assert str(pane.view.basis.name) == "raw"
        await pilot.press("b")  # pca: both models put in it through the basis store
        await settle(pilot)
        assert str(pane.view.basis.name) == "pca"
        assert [m.label for m in pane.view.models] == ["plant_a [pca]", "plant_b [pca]"]
        assert "pca" in plain(app.main.query_one("#compare-title", Static))


@pytest.mark.parametrize("size", SIZES)
async def test_compare_pane_blind_view_equals_the_cli_view(
    size: tuple[int, int], fixed_catalogue: object
) -> None:
    """`w w w`: the blind alignment of the two selected models; a rotated copy is recovered
    exactly as `blind_view` (what `polyterm blind` prints) recovers it."""
    import numpy as np

    from polyterm.core.embedding import Embedding
    from polyterm.core.nulls import random_rotation
    from polyterm.views.blind import BlindView, blind_view

    rng = np.random.default_rng(0)
    words = [f"w{i:03d}" for i in range(300)]
    x = rng.standard_t(3, size=(300, 8))
    a = Embedding.from_arrays("blind_a", words, x, manifest={"content_sha256": "a" * 64})
    b = Embedding.from_arrays("blind_b", words, x @ random_rotation(8, rng),
                              manifest={"content_sha256": "b" * 64})  # fmt: skip
    app = PolytermApp(models=[a, b], startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await open_compare(pilot, app)
        await pilot.press("w", "w", "w")  # groupings, map, blind alignment
        for _ in range(60):
            await settle(pilot)
            if isinstance(app.main.pane("compare").view, BlindView):
                break
        view = app.main.pane("compare").view
        assert isinstance(view, BlindView)
        expected = blind_view(a, b, words=300)
        assert view.table("summary").records() == expected.table("summary").records()
        summary = app.main.query_one("#meanings-a", DataTable)
        assert cells(summary) and "blind" in header_cells(summary)
        assert "w: back" in plain(app.main.query_one("#compare-title", Static))
