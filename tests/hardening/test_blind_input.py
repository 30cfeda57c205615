"""Bad input to `polyterm blind`: a one-line error (exit 2), never a traceback and never
an accuracy from a degenerate input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.hardening.conftest import Run


def vectors(path: Path, words: list[str], rows: np.ndarray) -> Path:
    lines = [f"{len(words)} {rows.shape[1]}"]
    for word, row in zip(words, rows, strict=True):
        lines.append(word + " " + " ".join(f"{v:.6f}" for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def random_rows(n: int, d: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d))


@pytest.fixture
def blind(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*argv: str | Path) -> Run:
        result: Run = cli("blind", *argv, "--cache-dir", tmp_path / "cache", "-q",
                          "--no-anchors", "--no-null")  # fmt: skip
        return result

    return run


def words(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_models_sharing_fewer_than_100_words(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = vectors(tmp_path / "a.txt", words("w", 150), random_rows(150, 8, 0))
    b = vectors(tmp_path / "b.txt", words("w", 60) + words("v", 90), random_rows(150, 8, 1))
    blind(a, b, "--words", "100").assert_clean_error(r"share only 60 words.*at least 100")


def test_more_words_than_shared(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = vectors(tmp_path / "a.txt", words("w", 300), random_rows(300, 8, 0))
    b = vectors(tmp_path / "b.txt", words("w", 300), random_rows(300, 8, 1))
    blind(a, b, "--words", "500").assert_clean_error(r"--words 500 is more than the 300 words")


def test_words_below_the_minimum(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = vectors(tmp_path / "a.txt", words("w", 300), random_rows(300, 8, 0))
    blind(a, a, "--words", "50").assert_clean_error(r"--words must be at least 100")


@pytest.mark.parametrize("dims", [1, 2])
def test_one_or_two_dimensions(blind, tmp_path: Path, dims: int) -> None:  # type: ignore[no-untyped-def]
    a = vectors(tmp_path / "a.txt", words("w", 300), random_rows(300, dims, 0))
    b = vectors(tmp_path / "b.txt", words("w", 300), random_rows(300, 8, 1))
    blind(a, b, "--words", "300").assert_clean_error(rf"has {dims} dimensions?: .*at least 3")


def test_duplicate_rows(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = random_rows(300, 8, 0)
    rows[5] = rows[7] * 2.0  # the same direction: indistinguishable without anchors
    a = vectors(tmp_path / "a.txt", words("w", 300), rows)
    b = vectors(tmp_path / "b.txt", words("w", 300), random_rows(300, 8, 1))
    run = blind(a, b, "--words", "300")
    run.assert_clean_error(r"1 duplicate row")
    assert "accuracy" not in run.out


def test_zero_variance_model(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = vectors(tmp_path / "a.txt", words("w", 300), np.ones((300, 8)))
    b = vectors(tmp_path / "b.txt", words("w", 300), random_rows(300, 8, 1))
    run = blind(a, b, "--words", "300")
    run.assert_clean_error(r"duplicate rows|zero variance")
    assert run.out == ""


def test_zero_rows_are_dropped_with_a_warning(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = random_rows(300, 8, 0)
    rows[3] = 0.0
    a = vectors(tmp_path / "a.txt", words("w", 300), rows)
    b = vectors(tmp_path / "b.txt", words("w", 300), random_rows(300, 8, 1))
    blind(a, b, "--words", "300").assert_clean_error(r"more than the 299 words")
    run = blind(a, b, "--words", "299", "--method", "sorted", "--format", "json")
    assert run.code == 0, run.err
    assert '"n_words": 299' in run.out


def test_a_good_small_input_gives_a_stated_result(blind, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = random_rows(300, 8, 0)
    a = vectors(tmp_path / "a.txt", words("w", 300), rows)
    b = vectors(tmp_path / "b.txt", words("w", 300), random_rows(300, 8, 1))
    run = blind(a, b, "--words", "300", "--method", "sorted", "--format", "json")
    assert run.code == 0, run.err
    import json

    data = json.loads(run.out)
    assert data["n_words"] == 300 and data["chance"] == pytest.approx(1 / 300)
    # unrelated random models: the answer must be at chance
    assert data["at1"] <= data["chance_bound"]
