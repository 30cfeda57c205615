"""The CLI's --basis: the basis in every title, reproduce lines that round-trip, one
view per basis in order, and one error line for a bad basis name."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from polyterm.cli import main
from polyterm.core.embedding import Embedding
from tests.test_cli import close, run


@pytest.fixture(scope="module")
def lee_pair(library: Any) -> tuple[Embedding, Embedding]:
    return library.open("lee_20"), library.open("lee_20_s2")


def replay(capsys: pytest.CaptureFixture[str], command: str, cache: Path) -> Any:
    """Run a printed reproduce line again (as JSON) and return its output."""
    argv = shlex.split(command)
    assert argv[0] == "polyterm"
    code, out, err = run(capsys, *argv[1:], "--format", "json", "-q", "--cache-dir", str(cache))
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["dims", "lee_20", "--basis", "foo"], "--basis: unknown basis 'foo'"),
        (["dims", "lee_20", "--basis", "dict:0"], "--basis: dict:K needs 1 <= K"),
        (["repeats", "lee_20", "--basis", "ica,pca"], "--basis takes one basis here"),
        (["compare", "--dim", "1", "--models", "lee_20", "--basis", "dict:"], "unknown basis"),
        (["align", "lee_20", "lee_20_s2", "--basis", "raw,foo"], "unknown basis 'foo'"),
        (["align", "lee_20", "lee_20_s2", "--basis", "ica,ica"], "names ica more than once"),
        (["universality", "lee_20", "lee_20_s2", "--basis", "raw,"], "has an empty item"),
        (["align", "lee_20", "lee_20_s2", "--fit-words", "1"], "--fit-words must be at least 2"),
        (["align", "lee_20", "lee_20_s2", "--stability-runs", "1"], "--stability-runs must be 0"),
    ],
)
def test_a_bad_basis_option_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], says: str
) -> None:
    code, out, err = run(capsys, *argv, "--cache-dir", str(tmp_path))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("polyterm: error:")
    assert says in lines[0]


def test_basis_without_dim_in_compare_is_an_error(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_pair: Any
) -> None:
    code, _out, err = run(
        capsys, "compare", "cat", "--models", "lee_20", "--basis", "ica",
        "--cache-dir", str(shared_cache_root),
    )  # fmt: skip
    assert code == 2
    assert err.count("\n") == 1 and "--basis ica reads dimensions: use it with --dim" in err


def test_dims_in_ica_names_the_basis_and_round_trips(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_pair: Any
) -> None:
    cache = str(shared_cache_root)
    code, out, err = run(
        capsys, "dims", "lee_20", "--basis", "ica", "--basis-seed", "7", "--dim", "3",
        "--cache-dir", cache,
    )  # fmt: skip
    assert code == 0, err
    assert "Axis 3 of lee_20 [ica, seed 7]" in out
    assert "top of the axis" in out
    line = "reproduce: polyterm dims lee_20 --basis ica --basis-seed 7 --dim 3 --k 10"
    assert line in out
    # a fit (or a reuse of the cached fit): the run's progress names the model and basis
    assert "error" not in err
    code, out, _ = run(
        capsys, "dims", "lee_20", "--basis", "ica", "--basis-seed", "7", "--dim", "3",
        "--format", "json", "--cache-dir", cache,
    )  # fmt: skip
    first = json.loads(out)
    assert first["model"]["basis"] == {"name": "ica", "fit_words": 10000, "seed": 7}
    again = replay(capsys, first["command"], shared_cache_root)
    assert close(again, first)


def test_fitting_prints_progress_on_stderr_unless_quiet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lee_pair: Any, shared_cache_root: Path
) -> None:
    # a cache of its own (models copied by opening them there would retrain: use the
    # shared cache with a seed no other test fits)
    code, _out, err = run(
        capsys, "repeats", "lee_20", "--basis", "pca", "--basis-seed", "11",
        "--cache-dir", str(shared_cache_root),
    )  # fmt: skip
    assert code == 0
    code, _out, quiet = run(
        capsys, "repeats", "lee_20", "--basis", "pca", "--basis-seed", "12", "-q",
        "--cache-dir", str(shared_cache_root),
    )  # fmt: skip
    assert code == 0
    assert "lee_20 [pca, seed 11]" in err
    assert quiet == ""


@pytest.mark.slow  # fits bases several times
def test_align_in_several_bases_emits_one_view_per_basis_in_order(
    capsys: pytest.CaptureFixture[str],
    shared_cache_root: Path,
    lee_pair: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # table lines unwrapped
    cache = str(shared_cache_root)
    opts = ["--repetitions", "2", "--match-repetitions", "200", "--stability-runs", "2"]
    code, out, err = run(
        capsys, "align", "lee_20", "lee_20_s2", "--basis", "raw,ica", *opts,
        "--top-n", "1000", "--format", "json", "-q", "--cache-dir", cache,
    )  # fmt: skip
    assert code == 0, err
    views = json.loads(out)
    assert isinstance(views, list) and len(views) == 2
    raw, ica = views
    assert raw["a"]["name"] == "lee_20" and ica["a"]["name"] == "lee_20 [ica]"
    assert "--basis" not in raw["command"]
    assert ica["command"] == (
        "polyterm align lee_20 lee_20_s2 --basis ica --k 10 --repetitions 2 --seed 0 "
        "--top-n 1000 --match-repetitions 200 --stability-runs 2"
    )
    for view in views:
        m = view["basis_matching"]
        assert m["repetitions"] == 200 and m["n_pairs"] == 20 and 0 <= m["n_shared"] <= 20
    assert raw["basis_matching"]["n_stable"] is None
    assert ica["basis_matching"]["stability_runs"] == 2
    assert close(replay(capsys, ica["command"], shared_cache_root), ica)
    assert close(
        replay(capsys, raw["command"], shared_cache_root), raw
    )

    code, out, _ = run(
        capsys, "align", "lee_20", "lee_20_s2", "--basis", "ica,raw", *opts,
        "--top-n", "1000", "-q", "--cache-dir", cache,
    )  # fmt: skip
    assert code == 0
    first = out.index("lee_20 [ica] vs lee_20_s2 [ica]: matching")
    second = out.index("lee_20 vs lee_20_s2: matching")
    assert first < second
    assert "pairs shared at FDR 0.05" in out and "p (max |r|)" in out
    assert "reproduce: polyterm align lee_20 lee_20_s2 --basis ica --k 10" in out


def test_universality_in_a_basis(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_pair: Any
) -> None:
    code, out, err = run(
        capsys, "universality", "lee_20", "lee_20_s2", "--basis", "pca", "--repetitions", "2",
        "--top-n", "1000", "-q", "--cache-dir", str(shared_cache_root),
    )  # fmt: skip
    assert code == 0, err
    assert "Universality of neighbourhoods: lee_20 [pca] vs lee_20_s2 [pca]" in out
    assert "--basis pca" in out


@pytest.mark.slow  # fits bases several times
def test_compare_dim_of_an_atom_shows_its_usage(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_pair: Any
) -> None:
    code, out, err = run(
        capsys, "compare", "--dim", "2", "--models", "lee_20,lee_20_s2", "--basis", "dict:8",
        "--fit-words", "500", "--format", "markdown", "-q", "--cache-dir", str(shared_cache_root),
    )  # fmt: skip
    assert code == 0, err
    assert "## Atom 2 across models in the dict:8 basis (fit on 500 words)" in out
    assert "words using the atom (code &gt; 0)" in out  # the caption is escaped markdown
    assert "### Bottom" not in out
    assert (
        "polyterm compare --dim 2 --models lee_20,lee_20_s2 --basis dict:8 --fit-words 500" in out
    )


def test_the_cli_uses_the_run_cache_for_bases(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_pair: Any
) -> None:
    """main() builds its BasisStore on the cache the models come from."""
    import polyterm.cli.commands as commands

    made: list[Any] = []
    original = commands.BasisStore

    class Spy(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    commands.BasisStore = Spy  # type: ignore[misc]
    try:
        assert main(["dims", "lee_20", "--basis", "pca", "-q", "--cache-dir",
                     str(shared_cache_root)]) == 0  # fmt: skip
    finally:
        commands.BasisStore = original  # type: ignore[misc]
    capsys.readouterr()
    assert len(made) == 1
    assert Path(made[0].cache.root) == shared_cache_root
