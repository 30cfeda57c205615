"""Figures: every view with a figure writes an SVG and a PNG atomically; `report
--figures` links them; a missing extra or folder is one line before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from polyterm.cli import main
from polyterm.core.embedding import Embedding
from polyterm.views.figures import has_figure, write_figures
from polyterm.views.query import dimension_view

pytest.importorskip("matplotlib")


def test_dimension_histogram_files(lee_model: Embedding, tmp_path: Path) -> None:
    view = dimension_view(lee_model, 2)
    assert has_figure(view)
    files = write_figures(view, tmp_path)
    assert [f.suffix for f in files] == [".svg", ".png"]
    assert files[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "log" in files[0].read_text() or "words" in files[0].read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in files)


def test_word_from_data_is_text_in_a_figure(tmp_path: Path) -> None:
    import numpy as np

    words = ["$x^2$", "a", "b", *[f"w{i}" for i in range(60)]]
    m = Embedding.from_arrays("m$", words, np.random.default_rng(0).normal(size=(63, 4)))
    from polyterm.views.word_map import word_map_view

    view = word_map_view([m, m], words[:3], repetitions=5)
    (svg, _png) = write_figures(view, tmp_path)
    assert svg.exists()


def test_report_figures_are_linked(
    lee_model: Embedding, shared_cache_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.md"
    figures = tmp_path / "fig"
    figures.mkdir()
    argv = ["report", "lee_20", "lee_20", "--repetitions", "2", "-o", str(out),
            "--figures", str(figures), "--cache-dir", str(shared_cache_root), "-q"]  # fmt: skip
    assert main(argv) == 0
    text = out.read_text()
    links = [line for line in text.splitlines() if line.startswith("![")]
    assert links and all("(fig/" in line for line in links)
    for line in links:
        assert (tmp_path / line.split("(", 1)[1].rstrip(")")).is_file()


def test_missing_figures_folder_is_one_line_before_work(
    shared_cache_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", "nosuchmodel_1", "lee_20", "--figures", str(tmp_path / "nope"),
            "--cache-dir", str(shared_cache_root), "-q"]  # fmt: skip
    assert main(argv) == 2
    assert "no such folder" in capsys.readouterr().err
