"""The blind-alignment view on the protocol: markdown, Rich tables and JSON read the same
tables; its readings say no more than the table; its command line parses back."""

from __future__ import annotations

import io
import json
import shlex
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from polyterm.cli import build_parser
from polyterm.cli.tables import render_table
from polyterm.core.embedding import Embedding
from polyterm.views.blind import BlindView, blind_view, report_section
from polyterm.views.markdown import render_markdown
from polyterm.views.markdown_parts import markdown_table
from polyterm.views.protocol import View, plain
from polyterm.views.serialise import to_json
from tests.core.test_blind_alignment import noisy_copy, structured


def pair(noise: float, n: int = 400) -> tuple[Embedding, Embedding]:
    x = structured(n, 16, 21)
    words = [f"w{i}" for i in range(n)]
    perm = np.random.default_rng(3).permutation(n)
    a = Embedding.from_arrays("model_a", words, x)
    b = Embedding.from_arrays("model_b", [words[i] for i in perm], noisy_copy(x, noise, 4)[perm])
    return a, b


@pytest.fixture(scope="module")
def view() -> BlindView:
    a, b = pair(0.4)
    return blind_view(a, b, words=400, method="sorted", anchors=(0, 10, 50), seed=2)


def rich_text(v: Any) -> str:
    console = Console(file=io.StringIO(), width=3000, color_system=None, record=True)
    console.print(render_table(v))
    return console.export_text()


def test_every_renderer_shows_the_same_tables(view: BlindView) -> None:
    assert isinstance(view, View)
    markdown, table = render_markdown(view), rich_text(view)
    keys = [t.key for t in view.tables()]
    assert keys == ["models", "summary", "starts", "anchors", "bands", "confident", "wrong",
                    "curve", "time"]  # fmt: skip
    for t in view.tables():
        if not t.rows:
            continue
        assert markdown_table(t) in markdown, t.key
        if t.key == "models":
            continue
        for row in t.rows:
            for cell in row:
                assert plain(cell) in table, (t.key, plain(cell))
    data = json.loads(to_json(view))
    assert data["n_words"] == 400 and data["command"] == view.command()
    assert data["at1"] == view.at1


def test_numbers_are_consistent(view: BlindView) -> None:
    assert view.at1 is not None and view.answer is not None
    assert 0.0 <= view.null_at1 <= view.chance_bound  # type: ignore[operator]
    assert view.answer <= 1.0 and view.ceiling >= view.answer - 0.05
    # the bands cover every word once and average to the headline accuracy
    assert sum(b.words for b in view.bands) == 400
    mean = sum(b.words * b.accuracy for b in view.bands) / 400
    assert mean == pytest.approx(view.answer)
    assert [p.anchors for p in view.anchors] == [0, 10, 50]
    assert view.anchors[0].at1 == view.at1
    assert all(p.word != p.mapped_to for p in view.wrong)
    assert all(p.word == p.mapped_to for p in view.confident)


def test_readings_follow_the_table(view: BlindView) -> None:
    first = view.readings()[0]
    assert f"{view.answer:.2%}" in first and f"{view.ceiling:.2%}" in first
    assert any("at chance, as it must" in r for r in view.readings())


def test_the_command_parses_back(view: BlindView) -> None:
    argv = shlex.split(view.command())[1:]
    args = build_parser().parse_args(argv)
    assert (args.command, args.words, args.method, args.seed) == ("blind", 400, "sorted", 2)


def test_unrelated_models_read_as_chance() -> None:
    a, _ = pair(0.0)
    other = Embedding.from_arrays("model_c", list(a.vocab), structured(400, 16, 99))
    v = blind_view(a, other, words=400, method="sorted", anchors=(), null=False)
    assert v.answer is not None and v.answer <= v.chance_bound
    assert any("within chance" in r for r in v.readings())


def test_report_section_is_markdown_with_readings() -> None:
    a, b = pair(0.0)
    readings, text = report_section(a, b, words=300)
    assert "Blind alignment" in text and "supervised ceiling" in text
    assert readings and "300 words" in readings[0]
