"""Histograms of heavy-tailed dimensions (issue 17 §3): one tall bar and every other bin
flat on a linear scale; now drawn by log(1 + count) and the axis says so."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.app import PolytermApp
from polyterm.core.embedding import Embedding
from polyterm.widgets.histogram import LOG_LABEL, Histogram, bar_rows, needs_log
from tests.ui.helpers import settle


def _visible_bars(rows: list[str], bins: int) -> int:
    """How many of `bins` bars draw anything (bars spread evenly over the rows' width)."""
    each = len(rows[0]) // bins
    return sum(1 for b in range(bins) if any(r[b * each] != " " for r in rows))


def test_a_heavy_tail_is_drawn_on_a_log_scale() -> None:
    counts = [990, 0, 0, 1, 2, 0, 1, 0, 1, 3]  # one bin holds nearly every value
    height = 6
    linear = bar_rows(counts, 40, height)
    assert _visible_bars(linear, len(counts)) == 1  # the defect: one bar
    assert needs_log(counts, height)
    log = bar_rows(counts, 40, height, log=True)
    assert _visible_bars(log, len(counts)) == sum(1 for c in counts if c)
    # taller bars stay taller: the log scale keeps the order of the counts
    heights = [sum(r[b * 4] != " " for r in log) for b in range(len(counts))]
    assert heights[0] == height and heights[9] >= heights[4] >= heights[3]


def test_an_ordinary_dimension_stays_linear() -> None:
    counts = [3, 2, 2, 1, 3, 3, 4, 5, 4, 5, 5, 2, 0, 3, 9, 2, 3, 2, 1, 1]  # dimension.md's
    assert not needs_log(counts, 6)
    assert not needs_log([100, 0, 0], 6)  # one filled bin is not a tail


def _heavy_tailed() -> Embedding:
    rng = np.random.default_rng(0)
    words = [f"w{i:04d}" for i in range(1_000)]
    vectors = rng.normal(scale=0.01, size=(1_000, 4))
    vectors[:8, 0] = np.linspace(5, 40, 8)  # a few huge values on dimension 0
    return Embedding.from_arrays("tails", words, vectors)


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_dimensions_pane_says_the_scale_is_log(fixed_catalogue, size) -> None:
    app = PolytermApp(models=[_heavy_tailed()], startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await settle(pilot)
        hist = app.main.query_one("#dims-hist", Histogram)
        assert hist.counts and hist.size.height > 1
        text = hist.render().plain
        assert "log" in text.splitlines()[-1]  # the axis line names the scale
        height = hist.size.height - 1
        assert needs_log(hist.counts, height)
        filled = sum(1 for c in hist.counts if c)
        drawn = sum(
            1
            for b, c in enumerate(hist.counts)
            if c and bar_rows(hist.counts, len(hist.counts) * 3, height, log=True)[-1][b * 3] != " "
        )
        assert drawn == filled
        if size[0] >= 120:  # room for the whole sentence; at 80 columns it says "log"
            assert LOG_LABEL in text
