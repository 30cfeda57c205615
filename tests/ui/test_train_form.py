"""The Train form proposes sizes that are not cached yet (issue 17 §3): with brown_30 and
brown_29 cached, `t` proposes 28,27, not the two models the user already has."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from polyterm.app import PolytermApp
from polyterm.explorer.catalogue import CachedModel, Catalogue
from polyterm.screens.train import TrainScreen, proposed_dims
from tests.ui.conftest import SCAN, toy_model
from tests.ui.helpers import settle

pytestmark = pytest.mark.slow


def test_the_proposal_skips_cached_sizes() -> None:
    assert proposed_dims("brown", set()) == "30,29"
    assert proposed_dims("brown", {"brown_30", "brown_29"}) == "28,27"
    assert proposed_dims("brown", {"brown_30", "brown_28"}) == "29,27"
    assert proposed_dims("lee", {"brown_30", "brown_29"}) == "30,29"  # per corpus
    assert proposed_dims("brown", {"brown_30_s2", "brown_29:window=9"}) == "30,29"
    every = {f"brown_{d}" for d in range(2, 31)}
    assert proposed_dims("brown", every) == "30,29"  # nothing left: the study's pair


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_t_proposes_the_next_uncached_sizes(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    cached = tuple(
        CachedModel(f"brown_{d}", "word2vec", d, 13_974, 4_000, "brown") for d in (30, 29)
    )
    catalogue = Catalogue(cache_root="<cache>", cached=cached, corpora=("brown",), glove=False)
    monkeypatch.setattr(SCAN, lambda cache, **kw: catalogue)
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TrainScreen)
        dims = app.screen.query_one("#dims", Input)
        assert dims.value == "28,27"
        specs = app.screen.validate()
        assert specs == ["brown_28", "brown_27"]
        app.screen.query_one("#corpus", Select).value = "lee"  # nothing cached on lee
        await settle(pilot)
        assert dims.value == "30,29"
