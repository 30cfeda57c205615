"""The headless CLI: golden outputs, numbers equal to the core, clean errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from polyterm.cli import main
from polyterm.core.embedding import Embedding
from tests.goldens import check_golden

GOLDEN = Path(__file__).parent / "golden"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def close(a: Any, b: Any) -> bool:
    """Two outputs of the same machine: floats to 1e-4 relative, everything else equal
    (goldens, which other CPUs must pass too, use tests/goldens.py instead)."""
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.golden
def test_dims_json_golden_and_equal_to_numpy(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_model: Embedding
) -> None:
    code, out, _ = run(
        capsys,
        "dims",
        "lee_20",
        "--dim",
        "3",
        "--format",
        "json",
        "--cache-dir",
        str(shared_cache_root),
    )
    assert code == 0
    check_golden(GOLDEN / "dims_lee_20_dim3.json", out)
    data = json.loads(out)
    col = np.asarray(lee_model.vectors[:, 3])
    order = np.lexsort((np.arange(col.size), -col))[:10]
    assert [e["word"] for e in data["top"]] == [lee_model.vocab[i] for i in order]
    assert data["command"] == "polyterm dims lee_20 --dim 3 --k 10"


@pytest.mark.golden
def test_diff_markdown_golden(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_model: Embedding, library: Any
) -> None:
    library.open("lee_20_s2")
    code, out, _ = run(
        capsys,
        "diff",
        "police - government",
        "--models",
        "lee_20,lee_20_s2",
        "--format",
        "markdown",
        "--cache-dir",
        str(shared_cache_root),
    )
    assert code == 0
    check_golden(GOLDEN / "diff_lee_police_government.md", out)


@pytest.mark.slow
def test_brown_diff_json_equals_gensim(
    capsys: pytest.CaptureFixture[str],
    shared_cache_root: Path,
    brown_30: Embedding,
    glove_slice: Embedding,
) -> None:
    from gensim.models import KeyedVectors

    code, out, _ = run(
        capsys,
        "diff",
        "cat - car",
        "--models",
        "brown_30",
        "--format",
        "json",
        "--cache-dir",
        str(shared_cache_root),
    )
    assert code == 0
    (result,) = json.loads(out)["results"]
    kv = KeyedVectors(vector_size=30)
    kv.add_vectors(list(brown_30.vocab), np.asarray(brown_30.vectors))
    expected = kv.most_similar(positive=["cat"], negative=["car"], topn=10)
    assert [e["word"] for e in result["entries"]] == [w for w, _ in expected]
    np.testing.assert_allclose(
        [e["value"] for e in result["entries"]], [s for _, s in expected], atol=1e-5
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "cat -", "--models", "lee_20"], "expected a word after the operator"),
        (["dims", "lee_20", "--dim", "99"], "use 0 to 19"),
        (["dims", "nosuchcorpus_30"], "unknown corpus 'nosuchcorpus'"),
        (["dims", "brwn_30"], "unknown corpus 'brwn' (did you mean brown?)"),
        (["dims", "lee_0"], "dims must be between 1"),
        (["dims", "lee_20", "--k", "0"], "--k must be at least 1"),
        (["dims", "./missing.bin"], "no such model file"),
        (["train"], "name models to train"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(
    capsys: pytest.CaptureFixture[str],
    shared_cache_root: Path,
    lee_model: Embedding,
    argv: list[str],
    message: str,
) -> None:
    code, _out, err = run(capsys, *argv, "--cache-dir", str(shared_cache_root))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0 or "warning" in err


def test_unknown_word_in_every_model_exits_1_with_suggestion(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_model: Embedding
) -> None:
    code, out, _ = run(
        capsys,
        "diff",
        "goverment",
        "--models",
        "lee_20",
        "--format",
        "json",
        "--cache-dir",
        str(shared_cache_root),
    )
    assert code == 1
    (result,) = json.loads(out)["results"]
    assert "government" in result["suggestions"]


def test_module_entry_point_runs(shared_cache_root: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "polyterm", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.startswith("polyterm ")
