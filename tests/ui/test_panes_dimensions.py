"""The dimension browser: large models start restricted to their most frequent words."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Static

from polyterm.app import PolytermApp
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.views.query import DimensionView, RepeatsView
from polyterm.widgets.dimension_pane import (
    LARGE_RESTRICT,
    LARGE_VOCABULARY,
    DimensionParams,
    DimsMode,
)
from tests.ui.conftest import toy_model
from tests.ui.helpers import plain, settle


def large_model(words: int = LARGE_VOCABULARY + 1) -> Embedding:
    """A model with more words than LARGE_VOCABULARY (rows in frequency order)."""
    rng = np.random.default_rng(0)
    vocabulary = [f"w{i:06d}" for i in range(words)]
    return Embedding.from_arrays("large", vocabulary, rng.normal(size=(words, 4)))


def header(app: PolytermApp) -> str:
    return plain(app.main.query_one("#dims-header", Static))


def test_params_default_restriction_follows_the_size() -> None:
    p = DimensionParams(model="m")
    assert p.for_size(LARGE_VOCABULARY + 1).restrict == LARGE_RESTRICT
    assert p.for_size(LARGE_VOCABULARY).restrict is None
    chosen = DimensionParams(model="m", restrict=None, restrict_chosen=True)
    assert chosen.for_size(400_000).restrict is None
    assert DimensionParams(mode=DimsMode.REPEATS).repeats and not p.repeats
    text = p.for_size(400_000).describe(50, 400_000)
    assert "50,000 most frequent of 400,000 words" in text


async def test_a_large_model_starts_restricted_and_r_lifts_it(fixed_catalogue: object) -> None:
    app = PolytermApp(models=[large_model()], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = app.main.pane("dims")
        assert isinstance(pane.view, DimensionView)
        assert pane.view.restrict == LARGE_RESTRICT
        assert f"{LARGE_RESTRICT:,} most frequent of {LARGE_VOCABULARY + 1:,} words" in header(app)
        assert "r: all" in header(app)
        await pilot.press("r")  # lifted: the whole vocabulary
        await settle(pilot)
        assert pane.view.restrict is None and "whole vocabulary" in header(app)
        await pilot.press("v")  # the repeats view keeps the user's choice
        await settle(pilot)
        assert isinstance(pane.view, RepeatsView) and pane.view.restrict is None


async def test_a_small_model_is_not_restricted_and_the_card_says_what_it_shows(
    fixed_catalogue: object,
) -> None:
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False, theme="polyterm-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = app.main.pane("dims")
        assert pane.view.restrict is None and "whole vocabulary" in header(app)
        assert "computing" not in header(app)
        card = plain(app.main.query_one("#dims-card-title", Static))
        assert card.startswith("histogram of raw values")
        await pilot.press("s")  # cosines in the lists; the card still describes raw values
        await settle(pilot)
        assert pane.view.scale is Scale.COSINE
        card = plain(app.main.query_one("#dims-card-title", Static))
        assert "histogram of raw values" not in card and "cosines" in card


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_r_offers_only_restrictions_below_the_vocabulary(
    fixed_catalogue: object, size: tuple[int, int]
) -> None:
    """A 13,974-word model (brown_30's size): `r` steps through the top 1,000 and 10,000
    words and the whole vocabulary, never a "top 50,000 words" larger than the model."""
    app = PolytermApp(models=[large_model(13_974)], startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await settle(pilot)
        pane = app.main.pane("dims")
        offered = []
        for _ in range(6):
            await pilot.press("r")
            await settle(pilot)
            offered.append(pane.view.restrict)
            assert "50,000" not in header(app)
        assert set(offered) == {None, 1_000, 10_000}
