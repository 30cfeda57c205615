"""Vector files at the engine level: the row policy, trust for pickles, no network, no shell.

Row policy (polyterm/engine/readers.py): rows with NaN/inf and all-zero rows are dropped
and counted, a repeated word keeps its first row, rows whose word is unusable are dropped,
and a file left with no row is an error.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import numpy as np
import pytest

from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.pretrained import gensim_data_path
from polyterm.engine.readers import read_vector_file
from polyterm.errors import ModelFileError, PolytermError
from tests.hardening.conftest import WORDS, vectors, w2v_binary

PACKAGE = Path(__file__).resolve().parents[2] / "polyterm"


def test_row_policy_counts_and_keeps_the_first_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text(
        "the 1 2 3\ncat nan 1 1\ndog 1 -inf 1\ncar 0 0 0\nthe 9 9 9\nbus 1 0 0\n"
        "tree 0 0 0\nbus 5 5 5\n"
    )
    loaded = read_vector_file(path)
    assert loaded.words == ["the", "bus"]
    assert loaded.vectors.tolist() == [[1, 2, 3], [1, 0, 0]]
    assert loaded.notes == [
        "dropped 2 rows with NaN or infinite values",
        "dropped 2 all-zero rows",
        "dropped 2 repeated words (kept the first row)",
    ]


def test_binary_rows_with_unusable_words_are_dropped(tmp_path: Path) -> None:
    v = vectors(4, 3)
    words = ["ok", "line\nbreak", "car\rriage", "fine"]
    path = tmp_path / "words.bin"
    path.write_bytes(w2v_binary(words, v))
    loaded = read_vector_file(path)
    assert loaded.words == ["ok", "fine"]
    assert any("line break" in n for n in loaded.notes)


def test_dropped_rows_are_reported_through_the_library_and_the_model_works(
    tmp_path: Path, bad_files: Path
) -> None:
    warnings: list[str] = []
    library = ModelLibrary(ModelCache(tmp_path / "c"), warn=warnings.append)
    model = library.open(str(bad_files / "nan-inf-zero-dup.txt"))
    assert len(model) == len(WORDS) - 3
    assert np.isfinite(np.asarray(model.unit)).all()
    assert len(warnings) == 3 and all(w.startswith("nan-inf-zero-dup: dropped") for w in warnings)
    assert model.manifest["notes"] == [w.split(": ", 1)[1] for w in warnings]


def test_limit_reads_a_prefix_of_a_truncated_binary(bad_files: Path) -> None:
    with pytest.raises(ModelFileError, match="--limit 5"):
        read_vector_file(bad_files / "truncated.bin")
    assert read_vector_file(bad_files / "truncated.bin", limit=5).words == WORDS[:5]


def test_trusted_gensim_file_loads_and_untrusted_is_refused(tmp_path: Path) -> None:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["a", "b", "c"], vectors(3, 3))
    path = tmp_path / "mine.kv"
    kv.save(str(path))
    library = ModelLibrary(ModelCache(tmp_path / "c"))
    with pytest.raises(ModelFileError, match=r"Python pickle: loading it can run any code"):
        library.open(str(path))
    assert not list((tmp_path / "c" / "models").iterdir())
    model = library.open(str(path), OpenOptions(trusted=True))
    assert list(model.vocab) == ["a", "b", "c"]
    assert model.manifest["file_format"] == "gensim native (trusted)"


@pytest.mark.parametrize("suffix", ["model", "kv", "pkl", "bin", "txt"])
def test_a_hostile_pickle_never_runs_without_trust(bad_files: Path, suffix: str) -> None:
    with pytest.raises(PolytermError):
        read_vector_file(bad_files / f"evil.{suffix}")
    assert not (bad_files / f"PWNED-{suffix}").exists()


def test_gensim_data_is_not_downloaded_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[object]
) -> None:
    import gensim.downloader as api

    monkeypatch.setattr(api, "BASE_DIR", str(tmp_path / "gensim-data"))
    with pytest.raises(ModelFileError, match="not on disk; pass --download"):
        gensim_data_path("glove-wiki-gigaword-50", download=False)
    assert no_network == []
    with pytest.raises(ModelFileError, match="could not download"):
        gensim_data_path("glove-wiki-gigaword-50", download=True)


def test_a_gensim_data_name_cannot_escape_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gensim.downloader as api

    (tmp_path / "gensim-data").mkdir()
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "notes.txt").write_text("the 1 2\n")
    monkeypatch.setattr(api, "BASE_DIR", str(tmp_path / "gensim-data"))
    for name in ("../private", "a/../../private", ".."):
        with pytest.raises(ModelFileError, match="not a gensim-data name"):
            gensim_data_path(name, download=False)


def test_out_of_memory_is_a_clear_error(bad_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import polyterm.engine.readers as readers

    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(readers.np, "empty", no_memory)
    with pytest.raises(ModelFileError, match=r"not enough memory to load .*--limit N"):
        read_vector_file(bad_files / "good.bin")


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            )
            out.append((name, node))
    return out


def test_no_pickle_no_shell_anywhere_in_the_package() -> None:
    """Static guard: np.load always says allow_pickle=False; no pickle, shell or eval."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(
                    n.split(".")[0] in ("pickle", "subprocess", "dill", "shelve") for n in names
                ):
                    problems.append(f"{path.name}: imports {names}")
        for name, call in _calls(tree):
            kw = {k.arg: k.value for k in call.keywords}
            if name == "load" and isinstance(call.func, ast.Attribute):
                owner = call.func.value
                if isinstance(owner, ast.Name) and owner.id == "np":
                    flag = kw.get("allow_pickle")
                    if not (isinstance(flag, ast.Constant) and flag.value is False):
                        problems.append(f"{path.name}:{call.lineno}: np.load without allow_pickle")
            if name in ("system", "popen", "eval", "exec") or "shell" in kw:
                problems.append(f"{path.name}:{call.lineno}: {name}(...)")
    assert problems == []


def test_the_only_unpickling_is_behind_the_trust_flag() -> None:
    """gensim's `.load` (a pickle) is called in one place, after the `trusted` check."""
    source = (PACKAGE / "engine" / "readers.py").read_text(encoding="utf-8")
    loads = [
        c
        for p in sorted(PACKAGE.rglob("*.py"))
        for n, c in _calls(ast.parse(p.read_text(encoding="utf-8")))
        if n == "load"
        and isinstance(c.func, ast.Attribute)
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id in ("KeyedVectors", "Word2Vec", "pickle")
    ]
    assert len(loads) == 1
    body = source[source.index("def read_gensim_native") :]
    assert body.index("if not trusted") < body.index("KeyedVectors.load")


def test_a_path_with_shell_characters_is_used_as_given(tmp_path: Path) -> None:
    folder = tmp_path / "a b; touch PWNED $(touch PWNED2) `x`"
    folder.mkdir()
    path = folder / "v'ec\".txt"
    path.write_text("the 1 2\ncat 2 1\n")
    library = ModelLibrary(ModelCache(tmp_path / "c"))
    model = library.open(str(path))
    assert list(model.vocab) == ["the", "cat"]
    assert not list(Path.cwd().glob("PWNED*")) and not list(tmp_path.glob("PWNED*"))


def test_pickle_protocol_in_a_text_file_is_just_text(tmp_path: Path) -> None:
    path = tmp_path / "v.vec"
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(ModelFileError):
        read_vector_file(path)
