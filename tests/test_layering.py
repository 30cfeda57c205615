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
    """No contract allows indirect imports (issue 19); the widgets contract ignores only
    named edges from a view into the engine (each one a seam still to cut), never an edge
    out of a widget; the engine has a layers contract."""
    import tomllib
    from pathlib import Path

    data = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    contracts = data["tool"]["importlinter"]["contracts"]
    assert [c["name"] for c in contracts if c.get("allow_indirect_imports", False)] == []
    ignored = [
        (c["name"].split(":")[0], edge) for c in contracts for edge in c.get("ignore_imports", [])
    ]
    assert {name for name, _ in ignored} == {"widgets are widgets only"}
    for _, edge in ignored:
        importer, imported = (side.strip() for side in edge.split("->"))
        assert importer.startswith("polyterm.views.") and "*" not in importer, edge
        assert imported.startswith("polyterm.engine.") and "*" not in imported, edge
    layers = [c for c in contracts if c["type"] == "layers"]
    assert layers and layers[0]["containers"] == ["polyterm.engine"]


def test_the_messages_load_no_engine_module() -> None:
    """`polyterm.messages` carries plain data: importing it loads no engine module and no
    widget (its catalogue records are `polyterm.views.catalogue`)."""
    assert _loaded("polyterm.messages", ("polyterm.engine", "polyterm.widgets")) == []


def _loaded(module: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of `prefixes` that a fresh interpreter has loaded
    after importing `module`."""
    code = (
        f"import sys, {module}; "
        f"print('\\n'.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()
