"""The Sweep pane (issue 11, item 9): a model left out of the sweep is named with why, only
models of one corpus and training setup are paired as sizes, the plots say which seed they
show, and they are redrawn for the pane's width when it changes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.views.sweep import SweepView
from polyterm.widgets.sweep_pane import SweepPane, split_families
from tests.ui.conftest import WORDS, toy_model
from tests.ui.helpers import plain, settle


def file_model(name: str) -> Embedding:
    """A model read from a vector file: no corpus, no sizes."""
    base = toy_model(name, 9, dims=10)
    return Embedding.from_arrays(name, WORDS, base.vectors, manifest={"kind": "file"})


def other_setup(name: str, seed: int, dims: int, window: int) -> Embedding:
    base = toy_model(name, seed, dims=dims)
    params = {**base.manifest["params"], "window": window}
    return Embedding.from_arrays(
        name, WORDS, base.vectors, manifest={**base.manifest, "params": params}
    )


def test_one_family_is_swept_and_the_others_are_named_with_why() -> None:
    a, b, c = toy_model("toy_a", 1), toy_model("toy_b", 1, dims=6), toy_model("toy_c", 2)
    glove, wide = file_model("glove-6b-50"), other_setup("toy_w", 1, 4, window=10)
    swept, left_out = split_families([glove, a, wide, b, c])
    assert [m.name for m in swept] == ["toy_a", "toy_b", "toy_c"]
    why = dict(left_out)
    assert list(why) == ["glove-6b-50", "toy_w"]
    assert "no sizes to sweep" in why["glove-6b-50"]
    assert "window=10" in why["toy_w"] and "one corpus and setup" in why["toy_w"]


async def test_selected_models_say_why_one_is_left_out_and_pairs_share_a_setup(
    fixed_catalogue,
) -> None:
    models = [file_model("glove-6b-50"), toy_model("toy_a", 1), toy_model("toy_b", 1, dims=6)]
    app = PolytermApp(models=models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        pane = app.main.pane("sweep")
        assert isinstance(pane, SweepPane)
        while pane.choice != "selected":
            await pilot.press("c")
        note = plain(app.main.query_one("#sweep-left-out", Static))
        assert "left out: glove-6b-50 (not a word2vec model trained here" in note
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pane.view, SweepView)
        assert [r.model.name for r in pane.view.models] == ["toy_a", "toy_b"]
        assert all("glove-6b-50" not in (p.a, p.b) for p in pane.view.pairs)
        assert [(p.a, p.b, p.relation) for p in pane.view.pairs] == [
            ("toy_a", "toy_b", "adjacent sizes")
        ]


async def test_plots_say_which_seed_and_are_redrawn_when_the_pane_narrows(
    toy_models, fixed_catalogue
) -> None:
    app = PolytermApp(models=toy_models, startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("5", "f")  # maximised
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        pane = app.main.pane("sweep")
        plots = app.main.query_one("#sweep-plots", Static)

        def widest() -> int:
            content = plots.content
            assert isinstance(content, Text)
            return max(len(line) for line in content.plain.splitlines())

        assert "plots: seed 1 · seed 2, 3: in the tables above" in plain(plots)
        wide = widest()
        assert wide <= pane.size.width
        await pilot.press("escape")  # back to the side-by-side layout: narrower
        await settle(pilot)
        assert pane.size.width < 118
        assert widest() <= pane.size.width < wide
