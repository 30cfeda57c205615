"""Aligned 2-D maps: known answers for the core, the view and `polyterm map`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from polyterm.cli import main
from polyterm.core.embedding import Embedding
from polyterm.core.nulls import random_rotation
from polyterm.core.word_maps import word_map
from polyterm.errors import PolytermError
from polyterm.views.word_map import map_plots, text_scatter, word_map_view


def _model(name: str, x: np.ndarray, words: list[str]) -> Embedding:
    return Embedding.from_arrays(name, words, x.astype(np.float32))


def test_a_rotated_copy_lands_on_the_same_map() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 12))
    rotated = x @ random_rotation(12, rng)
    result = word_map([x, rotated], list(range(490, 500)), repetitions=200)
    np.testing.assert_allclose(result.coords[1], result.coords[0], atol=1e-9)
    shape = result.shape[1]
    assert shape is not None and shape.observed == pytest.approx(1.0)
    assert result.shape_p[1] == pytest.approx(1 / 201)


def test_shape_rho_equals_scipy_and_an_unrelated_model_is_at_chance() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 10))
    chosen = list(range(380, 400))
    result = word_map([a, b], chosen, repetitions=500, seed=3)

    def dist(m: np.ndarray) -> np.ndarray:
        u = m[chosen] / np.linalg.norm(m[chosen], axis=1, keepdims=True)
        return (1 - u @ u.T)[np.triu_indices(len(chosen), 1)]

    expected = spearmanr(dist(a), dist(b)).statistic
    shape = result.shape[1]
    assert shape is not None
    assert shape.observed == pytest.approx(expected, abs=1e-12)
    assert shape.z is not None and abs(shape.z) < 3.5
    assert 0.01 < (result.shape_p[1] or 0) <= 1


def test_the_chosen_words_play_no_part_in_the_alignment() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 6))
    y = x @ random_rotation(6, rng)
    y_scrambled = y.copy()
    y_scrambled[290:] = rng.normal(size=(10, 6))  # the drawn words differ, anchors agree
    a = word_map([x, y], list(range(290, 300)), repetitions=2)
    b = word_map([x, y_scrambled], list(range(290, 300)), repetitions=2)
    np.testing.assert_allclose(a.coords[0], b.coords[0])  # the reference plane is A's own
    assert not np.allclose(a.coords[1], b.coords[1])


def test_view_drops_missing_words_and_refuses_too_few() -> None:
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(200)]
    a = _model("a", rng.normal(size=(200, 5)), words)
    b = _model("b", rng.normal(size=(199, 5)), words[:199])
    view = word_map_view([a, b], ["w1", "w2", "w3", "w199"], repetitions=10)
    assert view.words == ("w1", "w2", "w3") and view.missing == ("w199",)
    assert view.anchors == 196
    with pytest.raises(PolytermError, match="at least 3"):
        word_map_view([a, b], ["w1", "w199"], repetitions=10)


def test_text_scatter_labels_are_data_and_never_overwrite_points() -> None:
    lines = text_scatter([(0, 0), (0.1, 0), (1, 1)], ["\x1b[31mred", "b", "c"], width=20, height=5)
    body = "".join(lines)
    assert "\x1b" not in body and body.count("·") == 3
    assert "red" not in body  # no room before the next point: the label is left out


def test_cli_map_json_and_figure(
    lee_model: Embedding, shared_cache_root: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    words = ",".join(lee_model.vocab[i] for i in range(40, 52))
    figure = tmp_path / "map.svg"
    argv = ["map", words, "--models", "lee_20,lee_20", "--repetitions", "50", "--format", "json",
            "--cache-dir", str(shared_cache_root), "-q", "--figure", str(figure)]  # fmt: skip
    if pytest.importorskip("matplotlib") is None:
        return
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["words"] == words.split(",")
    assert data["shape"][1]["observed"] == pytest.approx(1.0)
    np.testing.assert_allclose(data["coords"][0], data["coords"][1], atol=1e-6)
    assert figure.read_text().lstrip().startswith("<?xml")


def test_plots_share_one_scale() -> None:
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(100)]
    x = rng.normal(size=(100, 4))
    view = word_map_view(
        [_model("a", x, words), _model("b", 3 * x, words)], words[:5], repetitions=5
    )
    lines = map_plots(view, width=20, height=6, columns=200)
    assert lines[0].startswith("a") and "b" in lines[0]
