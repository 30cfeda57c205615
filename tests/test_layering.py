"""core and engine never pull in the UI."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("modules", "forbidden"),
    [
        (
            [
                "polyterm.core.neighbours",
                "polyterm.core.dimensions",
                "polyterm.core.repeats",
                "polyterm.core.side_by_side",
            ],
            ["textual", "rich", "gensim", "nltk"],
        ),
        (
            ["polyterm.engine.models", "polyterm.engine.sweep", "polyterm.views.markdown"],
            ["textual"],
        ),
    ],
)
def test_no_ui_imports(modules: list[str], forbidden: list[str]) -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [f for f in {forbidden!r} if f in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_explorer_starts_without_scipy_optimize() -> None:
    """The views and core matching pull in scipy.optimize (~1 s): workers import it, not
    the explorer's start-up."""
    import subprocess
    import sys

    code = "import sys, polyterm.app; print('scipy.optimize' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
