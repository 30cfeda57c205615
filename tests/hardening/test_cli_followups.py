"""Follow-ups of issue 10's second attack pass on the CLI and the views.

JSON with raw controls, internal errors from too few shared words, empty option values
taken as defaults, raw Python warnings, an output path naming a folder, a misleading
`--k` message, a zero difference vector scored, and export names missing models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from tests.hardening.conftest import Run

CliFn = Callable[..., Run]

# -- 1. JSON escapes what a terminal would act on ------------------------------------------
UNSAFE_WORDS = [
    "a\x85b",  # NEL (C1)
    "q\x9br",  # CSI (C1)
    "o\x7fp",  # DEL
    "b\u202ec",  # RLO
    "c\u2066d",  # LRI
    "e\u200ef",  # LRM
    "g\u061ch",  # ALM
    "i\u2028j",  # line separator
    "k\u2029l",  # paragraph separator
    "m\ufeffn",  # BOM
    "\u202eevil",
]
RAW_IN_JSON = "\x85\x9b\x7f\u202e\u2066\u200e\u061c\u2028\u2029\ufeff"


def _vector_file(path: Path, words: list[str], dims: int = 5, seed: int = 0) -> Path:
    rows = np.random.default_rng(seed).normal(size=(len(words), dims))
    text = "".join(
        w + " " + " ".join(f"{x:.4f}" for x in r) + "\n" for w, r in zip(words, rows, strict=True)
    )
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


@pytest.fixture
def unsafe_model(tmp_path: Path) -> Path:
    return _vector_file(tmp_path / "unsafe.txt", ["the", "cat", "café", "東京", *UNSAFE_WORDS])


@pytest.mark.parametrize(
    "argv",
    [
        ("neighbours", "cat", "--models", "{m}", "--k", "14"),
        ("dims", "{m}", "--k", "7"),
        ("neighbours", "evil", "--models", "{m}"),  # the error field: did you mean ‮evil
    ],
)
def test_json_escapes_unsafe_characters(
    cli: CliFn, unsafe_model: Path, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    args = [a.format(m=unsafe_model) for a in argv]
    run = cli(*args, "--format", "json", "--cache-dir", tmp_path / "cache", "-q")
    assert "Traceback" not in run.err and "internal error" not in run.err
    for raw in RAW_IN_JSON:
        assert raw not in run.out, (hex(ord(raw)), run.out)
    data = json.loads(run.out)  # still valid JSON, the same words once decoded
    text = json.dumps(data, ensure_ascii=False)
    assert "\\u202eevil" in run.out and "\u202eevil" in text
    if argv[1] == "evil":
        assert "did you mean \\u202eevil" in run.out
    else:
        assert "café" in run.out  # other non-ASCII kept as is
        decoded = {w for w in UNSAFE_WORDS if w in text}
        assert len(decoded) >= 5, decoded


# -- 2. too few words for the coherence of a dimension's top words: one error line ---------
@pytest.mark.parametrize("n", [2, 3, 4])
def test_report_of_a_tiny_model_is_a_clean_error(cli: CliFn, tmp_path: Path, n: int) -> None:
    small = _vector_file(tmp_path / "s.txt", ["cat", "dog", "car", "bus"][:n], dims=3)
    cli("report", small, "--cache-dir", tmp_path / "cache", "-q").assert_clean_error(
        rf"s has only {n} words: too few .* top 10 words; lower --k to {n} or less"
    )


def test_report_with_k_one_is_a_clean_error(cli: CliFn, tmp_path: Path) -> None:
    small = _vector_file(tmp_path / "s.txt", ["cat", "dog", "car"], dims=3)
    run = cli("report", small, "--k", "1", "--cache-dir", tmp_path / "cache", "-q")
    run.assert_clean_error(r"top 2 or more words, not 1: use --k 2 or more")


def test_report_of_a_tiny_model_within_k_reports(cli: CliFn, tmp_path: Path) -> None:
    small = _vector_file(tmp_path / "s.txt", ["cat", "dog", "car"], dims=3)
    run = cli("report", small, "--k", "3", "--cache-dir", tmp_path / "cache", "-q")
    assert run.code == 0 and run.out.startswith("# Polysemantic universality"), run.err


@pytest.mark.parametrize(
    ("words", "pattern"),
    [
        (["zzqx", "qqzx"], r"share only 0 words: too few .* choose a reference that shares more"),
        (["the", "of", "and"], r"share only 3 words: too few .* or lower --k to 3 or less"),
    ],
    ids=["none-shared", "few-shared"],
)
def test_sweep_reference_sharing_too_few_words_is_a_clean_error(
    cli: CliFn, lee: list[str], tmp_path: Path, words: list[str], pattern: str
) -> None:
    reference = _vector_file(tmp_path / "ref.txt", words, dims=3)
    run = cli("sweep", "lee", "--dims", "20", "--seeds", "1", "--repetitions", "2",
              "--reference", reference, *lee)  # fmt: skip
    run.assert_clean_error(r"lee_20\S* and the reference ref " + pattern)


# -- 3. an empty value is an error, never a silent default ---------------------------------
@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["models", "--cache-dir", ""], r"--cache-dir needs a value, not an empty one"),
        (["models", "--cache-dir", "  "], r"--cache-dir needs a value"),
        (["--cache-dir", ""], r"--cache-dir needs a value"),
        (["universality", "a", "b", "--pairs", ""], r"--pairs needs a value"),
        (["sweep", "lee", "--reference", ""], r"--reference needs a value"),
        (["sweep", "lee", "--dims", "5,,6"], r"--dims: '5,,6' has an empty item"),
        (["sweep", "lee", "--dims", "5,"], r"--dims: '5,' has an empty item"),
        (["train", "--corpus", "lee", "--dims", "5", "--seeds", "1,,2"], r"--seeds: .* empty item"),
        (["train", "--corpus", "", "--dims", "5"], r"--corpus needs a value"),
        (["sweep", "", "--dims", "5"], r"corpus needs a value"),
    ],
    ids=["cache-dir", "cache-dir-blank", "explorer-cache-dir", "pairs", "reference",
         "dims-inner", "dims-trailing", "seeds", "corpus", "sweep-corpus"],
)  # fmt: skip
def test_an_empty_value_is_an_error(cli: CliFn, argv: list[str], pattern: str) -> None:
    cli(*argv).assert_clean_error(pattern)


def test_an_empty_cache_env_counts_as_unset_and_a_blank_one_is_an_error(
    cli: CliFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    default = tmp_path / "platform-cache"
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(default))
    monkeypatch.setenv("POLYTERM_CACHE_DIR", "")
    run = cli("models", "--format", "json")
    assert run.code == 0, run.err
    assert default.is_dir()  # the platform folder, as with no POLYTERM_CACHE_DIR at all
    monkeypatch.setenv("POLYTERM_CACHE_DIR", "   ")
    cli("models").assert_clean_error(r"POLYTERM_CACHE_DIR holds only blanks: .*unset it")
    assert not (Path.cwd() / "   ").exists()


# -- 4. Python warnings become one polyterm warning line each ------------------------------
def test_a_constant_dimension_warns_once_in_polyterm_words(cli: CliFn, tmp_path: Path) -> None:
    model = tmp_path / "c.txt"
    model.write_text("3 2\ncat 1 .5\ndog 1 .7\ncar 1 .2\n")
    run = cli("dims", model, "--cache-dir", tmp_path / "cache", "-q")
    assert run.code == 0, run.err
    assert "RuntimeWarning" not in run.err and "Precision loss" not in run.err
    assert ".py:" not in run.err  # no file:line, no source line
    (line,) = run.warnings()
    assert "values are all (nearly) equal" in line
    assert run.err.strip() == line


def test_each_distinct_python_warning_is_one_line(
    cli: CliFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import warnings

    from rich.console import Console

    import polyterm.cli.commands as commands

    def noisy(args: argparse.Namespace, err: Console) -> int:
        for _ in range(3):
            warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
        warnings.warn("something else\nsecond line", UserWarning, stacklevel=1)
        warnings.warn("old API", DeprecationWarning, stacklevel=1)  # about a library: quiet
        return 0

    monkeypatch.setitem(commands.COMMANDS, "models", noisy)
    run = cli("models")
    assert run.code == 0
    assert run.warnings() == [
        "polyterm: warning: invalid value encountered in divide (RuntimeWarning)",
        "polyterm: warning: something else (UserWarning)",
    ]
    assert "second line" not in run.err and "old API" not in run.err


# -- 5. an output path spelled as a folder is an error -------------------------------------
@pytest.mark.parametrize(
    ("suffix", "ending"),
    [("new.md/", "a separator"), ("new.md//", "a separator"), ("new.md/.", "'.'"),
     ("sub/..", "'..'")],
    ids=["slash", "two-slashes", "dot", "dot-dot"],
)  # fmt: skip
def test_report_output_ending_in_a_separator_is_a_folder(
    cli: CliFn, tmp_path: Path, suffix: str, ending: str
) -> None:
    (tmp_path / "sub").mkdir()
    target = f"{tmp_path}/{suffix}"
    run = cli("report", "lee_20", "-o", target, "--cache-dir", tmp_path / "cache", "-q")
    run.assert_clean_error(rf"--output .* names a folder \(it ends with {ending}\)")
    assert not (tmp_path / "new.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written or cached


# -- 6. a --k larger than the shared words allow is named as the problem -------------------
@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["align", "lee_20", "lee_20", "--k", "100000"],
         r"^polyterm: error: --k 100,000 is too large: lee_20 and lee_20 share 1,\d{3} words, "
         r"which allow --k \d{3} at most; lower --k$"),
        (["align", "lee_20", "lee_20", "--k", "600", "--top-n", "1000"],
         r"--k 600 is too large: .* compared over 1,000 shared words, which allow --k 333 at "
         r"most; lower --k or raise --top-n \(they share 1,\d{3} words\)$"),
        (["universality", "lee_20", "lee_20", "--k", "100000"],
         r"--k 100,000 is too large: lee_20 and lee_20 share 1,\d{3} words, which allow --k "
         r"1,\d{3} at most; lower --k$"),
    ],
    ids=["align", "align-top-n", "universality"],
)  # fmt: skip
def test_too_large_k_is_named(cli: CliFn, lee: list[str], argv: list[str], pattern: str) -> None:
    run = cli(*argv, *lee)
    run.assert_clean_error(pattern)
    assert "too few to compare" not in run.err


# -- 7. a pair whose difference vector is zero is refused or unusable, never scored --------
@pytest.mark.parametrize("pairs", ["the-the", "cat-car, the - the ", "dog-dog"])
def test_a_pair_of_one_word_twice_is_refused(cli: CliFn, lee: list[str], pairs: str) -> None:
    run = cli("universality", "lee_20", "lee_20", "--pairs", pairs, *lee)
    run.assert_clean_error(r"--pairs item .* pairs a word with itself: its difference vector")


def test_a_pair_with_one_vector_is_reported_unusable(cli: CliFn, tmp_path: Path) -> None:
    twin = tmp_path / "twin.txt"
    twin.write_text(
        "cat 1 2 3\ncar 1 2 3\ndog 3 1 2\nthe 2 2 1\nbus 0 1 0\ntree 1 0 0\nsun 0 0 1\n"
    )
    base = ["universality", twin, twin, "--pairs", "cat-car,dog-the", "--k", "2",
            "--repetitions", "2", "--cache-dir", tmp_path / "cache", "-q"]  # fmt: skip
    run = cli(*base, "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [("dog", "the")]  # cat - car not scored
    assert data["unusable_pairs"] == ["cat - car"]
    assert run.warnings()[1:] == [
        "polyterm: warning: cat - car: the difference vector is zero in a model "
        "(no direction): not scored"
    ]
    # cat and car are one vector: left out of the neighbourhoods, and said (issue 17)
    assert run.warnings()[0].startswith(
        "polyterm: warning: twin vs twin: 2 of 7 words share their vector's direction"
    )
    assert "--pairs dog-the,cat-car" in data["command"]  # the reproduce command keeps it
    markdown = cli(*base, "--format", "markdown").out
    assert "zero in a model (no direction, not scored): cat - car" in markdown
    assert "| cat − car" not in markdown


def test_the_view_never_scores_a_zero_difference(lee_model: Embedding) -> None:
    from polyterm.views.universality import universality_view

    view = universality_view(
        lee_model,
        lee_model,
        pairs=[("the", "the"), ("the", "of")],
        repetitions=2,
    )
    assert [(p.a, p.b) for p in view.pairs] == [("the", "of")]
    assert view.unusable_pairs == ("the - the",)


# -- 9. an explorer export's file name names every model, or a hash of them ----------------
def _toy(name: str, seed: int) -> Embedding:
    words = ["the", "cat", "dog", "car", "bus", "tree"]
    return Embedding.from_arrays(name, words, np.random.default_rng(seed).normal(size=(6, 4)))


def test_export_names_use_the_view_slug(tmp_path: Path) -> None:
    from polyterm.explorer.export import default_path
    from polyterm.views.query import expression_view

    four = [_toy(f"model_{c}", i) for i, c in enumerate("abcd")]
    view = expression_view(four, "cat - car", k=2)
    path = default_path("calc", [view], tmp_path)
    assert path.name == f"polyterm-calc-{view.slug()}.md"
    for m in ("model_a", "model_b", "model_c", "model_d"):  # every model, not the first three
        assert m in path.name

    many = [_toy(f"a_rather_long_model_name_{i:02d}", i) for i in range(8)]
    others = [_toy(f"a_rather_long_model_name_{i:02d}", i) for i in (0, 1, 2, 3, 4, 5, 6, 9)]
    first = default_path("calc", [expression_view(many, "cat", k=2)], tmp_path)
    second = default_path("calc", [expression_view(others, "cat", k=2)], tmp_path)
    assert first != second  # same first models, different sets: the hash tells them apart
    assert len(first.name) <= len("polyterm-calc-.md") + 80
