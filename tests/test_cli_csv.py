"""`--format csv`: one table of results to stdout, or one file per table with --csv-dir;
numbers at full precision, equal to the view's own numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from polyterm.cli import main
from polyterm.core.embedding import Embedding
from polyterm.views.csv_export import table_csv
from polyterm.views.protocol import Data, Phrase, Table


def _cli(*argv: str, cache: Path) -> list[str]:
    return [*argv, "--cache-dir", str(cache), "-q"]


def test_table_csv_quotes_and_keeps_numbers() -> None:
    t = Table(
        key="t",
        title="t",
        columns=("word", "value", "value", "note"),
        rows=((Data('a,"b"'), 0.123456789, 3, None), (Phrase(("x ", Data("y\x1b"))), -1.5, 0, "z")),
    )
    rows = list(csv.reader(io.StringIO(table_csv(t))))
    assert rows[0] == ["word", "value", "value (2)", "note"]
    assert rows[1] == ['a,"b"', "0.123456789", "3", ""]
    assert rows[2][0] == "x y\\x1b"  # a control character is made visible, never written raw


def test_dims_csv_dir_writes_every_table(
    lee_model: Embedding, shared_cache_root: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    argv = _cli("dims", "lee_20", "--dim", "4", "--k", "6", "--format", "csv",
                "--csv-dir", str(tmp_path), cache=shared_cache_root)  # fmt: skip
    assert main(argv) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["dim-4-lee_20-ends.csv", "dim-4-lee_20-models.csv",
                     "dim-4-lee_20-statistics.csv"]  # fmt: skip
    with (tmp_path / "dim-4-lee_20-ends.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    top = [float(r["value"]) for r in rows]
    expected = np.sort(lee_model.vectors[:, 4].astype(np.float64))[::-1][:6]
    np.testing.assert_allclose(top, expected, rtol=1e-6)
    assert [r["top word"] for r in rows] == [
        lee_model.vocab[i] for i in np.argsort(-lee_model.vectors[:, 4], kind="stable")[:6]
    ]


def test_several_tables_without_csv_dir_is_one_line(
    lee_model: Embedding, shared_cache_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_cli("dims", "lee_20", "--format", "csv", cache=shared_cache_root)) == 2
    err = capsys.readouterr().err
    assert "--csv-dir" in err and "ends, statistics" in err and len(err.strip().splitlines()) == 1


def test_one_table_goes_to_stdout(
    lee_model: Embedding, shared_cache_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _cli("diff", "police - government", "--models", "lee_20", "--k", "4",
                "--format", "csv", cache=shared_cache_root)  # fmt: skip
    assert main(argv) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["rank", "lee_20"] and len(rows) == 5


def test_missing_csv_dir_is_one_line(
    lee_model: Embedding, shared_cache_root: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    argv = _cli("dims", "lee_20", "--format", "csv", "--csv-dir", str(tmp_path / "nope"),
                cache=shared_cache_root)  # fmt: skip
    assert main(argv) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()


def test_models_csv_lists_the_cached_models(
    lee_model: Embedding, shared_cache_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "--format", "csv", "--cache-dir", str(shared_cache_root)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    lee = next(r for r in rows if r["model"] == "lee_20")
    assert int(lee["words"]) == len(lee_model) and int(lee["dims"]) == lee_model.dims
