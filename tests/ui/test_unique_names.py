"""A file model and a trained model with the same name (issue 17 §2): the file gets its own
name, so loading it is not silently a no-op and one delete removes only one of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from polyterm.app import PolytermApp
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary
from polyterm.screens.confirm import ConfirmScreen
from polyterm.widgets.models_pane import ModelsPane
from tests.ui.helpers import settle, type_text, until

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_a_file_named_like_a_cached_model_gets_its_own_name(
    isolated: Path, size: tuple[int, int]
) -> None:
    ModelLibrary(ModelCache(isolated / "cache")).open("lee_5")  # the trained lee_5
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "gamma", "delta", "eps"]
    file = isolated / "lee_5.txt"  # a vector file named like it: its model is "lee_5" too
    file.write_text(
        "".join(f"{w} {' '.join(f'{x:.4f}' for x in rng.normal(size=4))}\n" for w in words)
    )
    app = PolytermApp(startup=False, theme="polyterm-dark")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        ws = app.workspace
        await until(pilot, lambda: any(c.name == "lee_5" for c in ws.catalogue.cached))
        ws.select("lee_5", True)
        await until(pilot, lambda: "lee_5" in ws.models)
        await pilot.press("o")
        await type_text(pilot, str(file))
        await pilot.press("enter")
        await until(pilot, lambda: "lee_5-file" in ws.models)
        assert list(ws.models["lee_5-file"].vocab) == words  # the file's words, not the corpus's
        assert "government" in ws.models["lee_5"].vocab
        assert {"lee_5", "lee_5-file"} <= set(ws.selected)
        # loading the same file again says so instead of doing nothing
        await pilot.press("o")
        await type_text(pilot, str(file))
        await pilot.press("enter")
        await settle(pilot)
        assert any("open already, as lee_5-file" in n.message for n in app._notifications)
        assert "lee_5-file2" not in ws.models
        # removing the trained model removes it only
        app.post_message(ModelsPane.RemoveRequested("lee_5"))
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        app.screen.dismiss(True)
        await until(pilot, lambda: "lee_5" not in ws.models)
        assert "lee_5-file" in ws.models and "lee_5-file" in ws.selected
