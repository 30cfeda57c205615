"""One view protocol: the markdown and the CLI's Rich tables read the same `tables()`."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from polyterm.cli.tables import render_table
from polyterm.core.embedding import Embedding
from polyterm.views.alignment import alignment_view
from polyterm.views.markdown import render_markdown
from polyterm.views.markdown_parts import markdown_table, phrase
from polyterm.views.protocol import Data, Phrase, Table, View, plain, slug_of
from polyterm.views.query import (
    dimension_query_view,
    dimension_view,
    expression_view,
    repeats_view,
)
from polyterm.views.settings import COMPARISON
from polyterm.views.sweep import sweep_view
from polyterm.views.universality import universality_view
from tests.ui.conftest import toy_model

VIEWS = Path(__file__).parents[1] / "polyterm" / "views"


@pytest.fixture(scope="module")
def models() -> list[Embedding]:
    return [toy_model("toy_a", 1), toy_model("toy_b", 2), toy_model("toy_c", 3, dims=6)]


BUILDERS: dict[str, Callable[[list[Embedding]], Any]] = {
    "word": lambda m: expression_view(m, "cat", k=5),
    "expression": lambda m: expression_view(m, "king - man + woman", k=5),
    "dimension query": lambda m: dimension_query_view(m, 2, k=5),
    "dimension": lambda m: dimension_view(m[0], 2, k=5),
    "repeats": lambda m: repeats_view(m[0], k=5),
    "alignment": lambda m: alignment_view(m[0], m[1], k=3, top_n=None, repetitions=2),
    "universality": lambda m: universality_view(m[0], m[1], k=3, top_n=None, repetitions=2),
    "sweep": lambda m: sweep_view(
        m, corpus="toy", settings=replace(COMPARISON, k=3, top_n=0, repetitions=2)
    ),
}


def rich_text(view: Any) -> str:
    console = Console(file=io.StringIO(), width=2000, color_system=None, record=True)
    console.print(render_table(view))
    return console.export_text()


def _labels(t: Table) -> list[str]:
    return [plain(c) for c in t.columns]


@pytest.mark.parametrize("name", list(BUILDERS))
def test_markdown_and_cli_table_show_the_same_labels_and_values(
    models: list[Embedding], name: str
) -> None:
    view = BUILDERS[name](models)
    assert isinstance(view, View)
    markdown = render_markdown(view)
    table = rich_text(view)
    assert phrase(view.title()) in markdown
    assert plain(view.title()) in table
    for t in view.tables():
        assert markdown_table(t) in markdown, (name, t.key)
        if t.key == "models" or not t.rows:
            continue
        assert plain(t.title) in table
        for label in _labels(t):
            assert label in table, (name, t.key, label)
        for row in t.rows:
            for cell in row:
                text = plain(cell)
                assert text in table, (name, t.key, text)


def test_dimension_statistics_label_is_unified(models: list[Embedding]) -> None:
    view = dimension_view(models[0], 2, k=5)
    for text in (render_markdown(view), rich_text(view)):
        assert "share of squared norm" in text
        assert "share of norm²" not in text


def test_format_table_is_not_the_markdown(models: list[Embedding]) -> None:
    """The whole-model views have Rich tables of their own, not their markdown."""
    for name in ("alignment", "universality", "sweep"):
        table = rich_text(BUILDERS[name](models))
        assert "|---|" not in table and "## " not in table
        assert "┃" in table or "│" in table


def test_slug_names_every_model_or_a_hash(models: list[Embedding]) -> None:
    view = expression_view(models, "cat", k=3)
    assert view.slug() == "cat-toy_a-toy_b-toy_c"
    many = [f"a_rather_long_model_name_{i}" for i in range(8)]
    one, other = slug_of("cat", many), slug_of("cat", [*many[:-1], "x"])
    assert len(one) <= 80 and one != other
    assert slug_of("cat - car", ["m/../x"]) == "cat-car-m-x"


def test_phrases_escape_data_but_not_literals() -> None:
    p = Phrase.of("top words in ", Data("*x*"), " (bottom if r < 0)")
    assert phrase(p) == "top words in \\*x\\* (bottom if r < 0)"
    assert plain(Phrase.of(Data("a\x1bb"))) == "a\\x1bb"


def test_markdown_renderers_do_not_import_each_other() -> None:
    def imports(module: str) -> set[str]:
        tree = ast.parse((VIEWS / f"{module}.py").read_text())
        return {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }

    assert "polyterm.views.markdown" not in imports("science_markdown")
    assert "polyterm.views.science_markdown" not in imports("markdown")


# -- the typed manifest ------------------------------------------------------------------


def test_a_cache_manifest_is_parsed_once_into_typed_fields(tmp_path: Path) -> None:
    import json

    from polyterm.engine.cache import Manifest, ModelCache
    from polyterm.engine.models import ModelLibrary
    from polyterm.views.model_summary import ModelSummary

    source = tmp_path / "my vectors.txt"
    rows = [f"w{i} " + " ".join(str((i * 7 + j) % 5 - 2) for j in range(4)) for i in range(12)]
    source.write_text("12 4\n" + "\n".join(rows) + "\n", encoding="utf-8")
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    model = library.open(str(source))
    manifest = model.manifest
    assert isinstance(manifest, Manifest)
    assert manifest.kind == "file" and manifest.shape == (12, 4)
    assert manifest.path == str(source.resolve()) and manifest.params is None
    assert manifest.files["vectors.npy"].size > 0 and "numpy" in manifest.versions
    # the JSON on disk is what it was: the raw mapping, read back unchanged
    (entry,) = library.cache.entries()
    on_disk = json.loads((entry.path / "manifest.json").read_text(encoding="utf-8"))
    assert dict(manifest) == on_disk == entry.manifest and manifest == on_disk
    assert manifest.get("kind") == "file"  # the mapping view still answers
    summary = ModelSummary.of(model)
    assert summary.spec == str(source.resolve()) and summary.kind == "file"
    assert "'" in summary.cli_spec  # a space: quoted for the shell


def test_an_in_memory_models_dict_manifest_reads_as_typed(models: list[Embedding]) -> None:
    from polyterm.engine.cache import Manifest

    m = Manifest.of(models[0].manifest)
    assert m.kind == "word2vec" and m.params is not None and m.params.seed == 1
    assert m.corpus is not None and m.corpus.tokens == 1234
    assert Manifest.of({}).kind == "in-memory" and Manifest.of({}).shape is None


def test_side_by_side_keeps_no_unused_means() -> None:
    from polyterm.core.side_by_side import SideBySide

    assert not hasattr(SideBySide, "mean_jaccard") and not hasattr(SideBySide, "mean_rbo")
