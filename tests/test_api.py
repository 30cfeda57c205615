"""The Python API: every docstring example runs, and the functions return the same views
(the same numbers) as the CLI."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pytest

import polyterm
from polyterm import api
from polyterm.cli import main


@pytest.fixture
def api_cache(shared_cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The API's default cache is the run's shared test cache (never the user's)."""
    monkeypatch.setenv("POLYTERM_CACHE_DIR", str(shared_cache_root))
    api._library_at.cache_clear()
    api._store_of.cache_clear()
    return shared_cache_root


def test_every_docstring_example_runs(api_cache: Path) -> None:
    result = doctest.testmod(api, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0
    assert result.attempted >= 15  # the module's and every function's examples ran


def test_names_are_exported_from_the_package_lazily() -> None:
    assert set(api.__all__) <= set(dir(polyterm))
    assert polyterm.open_model is api.open_model
    with pytest.raises(AttributeError):
        _ = polyterm.no_such_name  # type: ignore[attr-defined]


def test_dims_view_equals_the_cli_json(
    api_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    view = api.dims("lee_20", 3, k=7)
    assert main(["dims", "lee_20", "--dim", "3", "--k", "7", "--format", "json", "-q"]) == 0
    assert json.loads(json.dumps(view.to_dict())) == json.loads(capsys.readouterr().out)


def test_table_records_keep_full_precision_and_match_numpy(api_cache: Path) -> None:
    model = api.open_model("lee_20")
    ends = api.dims(model, 2, k=5).table("ends")
    values = np.array([row[2] for row in ends.records()], dtype=np.float64)
    expected = np.sort(model.vectors[:, 2].astype(np.float64))[::-1][:5]
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    assert not all(round(v, 4) == v for v in values)  # not the 4 decimals a renderer shows


def test_unknown_table_key_names_the_keys(api_cache: Path) -> None:
    view = api.dims("lee_20", 0)
    with pytest.raises(KeyError, match="ends, statistics"):
        view.table("nope")


def test_to_frame(api_cache: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = api.dims("lee_20", 1, k=4).table("ends").to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["rank", "top word", "value", "bottom word", "value (2)"]
    assert frame["rank"].tolist() == [1, 2, 3, 4]


def test_keyed_vectors_agree_with_the_model(api_cache: Path) -> None:
    pytest.importorskip("gensim")
    model = api.open_model("lee_20")
    kv = api.keyed_vectors(model)
    word = model.vocab[10]
    np.testing.assert_array_equal(kv[word], model.vectors[10])
    assert kv.index_to_key == list(model.vocab)
    ours = api.neighbours(word, [model], k=5)
    theirs = [w for w, _ in kv.most_similar(word, topn=5)]
    assert [str(row[1]).split(" (")[0] for row in ours.table("top").records()] == theirs


def test_report_is_markdown_and_written_atomically(api_cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    text = api.report(["lee_20", "lee_20"], repetitions=2, output=target)
    assert text._repr_markdown_() == target.read_text() == str(text)
    assert text.startswith("#")
    assert not list(tmp_path.glob(".*tmp*"))


def test_features_and_quality_from_python(api_cache: Path, tmp_path: Path) -> None:
    model = api.open_model("lee_20")
    labels = tmp_path / "labels.tsv"
    words = list(model.vocab)[:400]
    labels.write_text("".join(f"{w}\t{'even' if i % 2 else 'odd'}\n" for i, w in enumerate(words)))
    view = api.features(model, source=f"file:{labels}", k=10, restrict=400, repetitions=2)
    ends = view.table("ends").records()
    assert len(ends) == 2 * model.dims  # both ends of every raw axis
    assert view.to_dict()["source"].startswith("file:") and view.labelled == 400
    rated = api.quality([model])
    assert rated.table_keys()
