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


def test_the_explorer_starts_without_the_cluster_or_the_session_in_the_engine() -> None:
    """The trainer imports the cluster only for a training (issue 19 item 5), and the
    engine's settings read the config file without `polyterm.session`."""
    code = (
        "import sys, polyterm.app, polyterm.explorer.trainer; "
        "print(sorted(m for m in ('polyterm.engine.cluster', 'polyterm.engine.cluster_config',"
        " 'distributed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = (
        "import sys, polyterm.engine.settings, polyterm.engine.corpus, "
        "polyterm.engine.cluster_config; print('polyterm.session' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_contracts_are_checked_on_indirect_imports() -> None:
    """Only the widgets and messages contracts allow indirect imports (the views they show
    read engine records); the engine has a layers contract."""
    import tomllib
    from pathlib import Path

    data = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    contracts = data["tool"]["importlinter"]["contracts"]
    indirect = sorted(c["name"].split(":")[0] for c in contracts if c.get("allow_indirect_imports"))
    assert indirect == ["messages carry plain data", "widgets are widgets only"]
    layers = [c for c in contracts if c["type"] == "layers"]
    assert layers and layers[0]["containers"] == ["polyterm.engine"]
