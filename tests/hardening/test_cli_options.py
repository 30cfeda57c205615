"""Careless options and names on the command line (issue 10, items 9, 11-14, 16, 17, 20).

Each case failed before its fix: a numeric option that reached numpy (internal error, exit 3)
or was silently accepted, a broken pipe reported as an internal error, a file in the current
folder that silently shadowed a model spec, `report -o /dev/stdout --force` replacing a
device, `--jobs` beyond the cores, an empty spec option, `--trust` lost for gensim: names,
and control characters from data printed raw in error lines.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.hardening.conftest import Run

REPO = Path(__file__).resolve().parents[2]

# -- item 12: every numeric option is checked by the parser ---------------------------------
# (argv after the command's models; {M} = lee_20)
# fmt: off
BAD_NUMBERS = [
    ("align-seed-negative", ["align", "lee_20", "lee_20", "--seed", "-1"],
     r"--seed must be at least 0, not -1"),
    ("align-seed-too-big", ["align", "lee_20", "lee_20", "--seed", str(2**32)],
     r"--seed must be at most 4,294,967,295"),
    ("report-k-beyond-restrict", ["report", "lee_20", "--k", "100000", "--restrict", "100"],
     r"--k 100,000 is more than --restrict 100"),
    ("report-repetitions-negative", ["report", "lee_20", "--repetitions", "-3"],
     r"--repetitions must be at least 2, not -3"),
    ("universality-repetitions-one", ["universality", "lee_20", "lee_20", "--repetitions", "1"],
     r"--repetitions must be at least 2, not 1"),
    ("align-k-beyond-top-n", ["align", "lee_20", "lee_20", "--k", "500", "--top-n", "100"],
     r"--k 500 is more than --top-n 100"),
    ("align-top-n-negative", ["align", "lee_20", "lee_20", "--top-n", "-1"],
     r"--top-n must be at least 0, not -1"),
    ("dims-k-beyond-restrict", ["dims", "lee_20", "--k", "50", "--restrict", "10"],
     r"--k 50 is more than --restrict 10"),
    ("k-not-a-number", ["neighbours", "the", "--models", "lee_20", "--k", "ten"],
     r"--k must be a whole number, not 'ten'"),
    ("k-astronomical", ["neighbours", "the", "--models", "lee_20", "--k", "9" * 40],
     r"--k must be at most 1,000,000,000"),
    ("limit-huge", ["neighbours", "the", "--models", "lee_20", "--limit", "1e9"],
     r"--limit must be a whole number"),
    ("restrict-negative", ["repeats", "lee_20", "--restrict", "-5"],
     r"--restrict must be at least 1, not -5"),
    ("compare-dim-negative", ["compare", "--dim", "-2", "--models", "lee_20"],
     r"dimension -2 is out of range"),
    ("train-seeds-negative", ["train", "--corpus", "lee", "--dims", "5", "--seeds", "-1"],
     r"--seeds values must be between 0 and 4,294,967,295, not -1"),
    ("train-dims-too-big", ["train", "--corpus", "lee", "--dims", "5,5000"],
     r"--dims values must be between 1 and 4,096, not 5000"),
    ("sweep-seeds-too-big", ["sweep", "lee", "--dims", "5", "--seeds", str(2**32)],
     r"--seeds values must be between 0 and"),
    ("train-jobs-zero", ["train", "lee_5", "--jobs", "0"], r"--jobs must be at least 1, not 0"),
    ("sweep-jobs-negative", ["sweep", "lee", "--jobs", "-2"], r"--jobs must be at least 1"),
    ("train-window-zero", ["train", "lee_5", "--window", "0"], r"--window must be at least 1"),
    ("train-epochs-huge", ["train", "lee_5", "--epochs", "100000"],
     r"--epochs must be at most 1,000"),
    ("train-min-count-negative", ["train", "lee_5", "--min-count", "-1"],
     r"--min-count must be at least 1"),
    ("train-negative-huge", ["train", "lee_5", "--negative", "1000"],
     r"--negative must be at most 100"),
    ("train-sg-two", ["train", "lee_5", "--sg", "2"], r"--sg must be at most 1"),
    ("train-sample-nan", ["train", "lee_5", "--sample", "nan"], r"--sample must be in \[0, 1\)"),
    ("train-sample-one", ["train", "lee_5", "--sample", "1"], r"--sample must be in \[0, 1\)"),
    ("train-empty-corpus-path", ["train", "--corpus-path", "", "--dims", "4"],
     r"--corpus-path needs a value"),
    ("report-empty-output", ["report", "lee_20", "-o", ""], r"--output needs a value"),
]
# fmt: on


@pytest.mark.parametrize(("argv", "pattern"), [c[1:] for c in BAD_NUMBERS],
                         ids=[c[0] for c in BAD_NUMBERS])  # fmt: skip
def test_numeric_options_are_checked_by_the_parser(
    cli: Callable[..., Run], lee: list[str], argv: list[str], pattern: str
) -> None:
    run = cli(*argv, *lee)
    run.assert_clean_error(pattern)
    assert not run.out


def test_an_unknown_command_is_one_line(cli: Callable[..., Run]) -> None:
    run = cli("nosuchcommand")
    run.assert_clean_error(r"invalid choice: 'nosuchcommand'")
    assert "usage:" not in run.err


def test_help_still_exits_0(cli: Callable[..., Run]) -> None:
    run = cli("report", "--help")
    assert run.code == 0 and "--restrict" in run.out


def test_bounds_are_inclusive(cli: Callable[..., Run], lee: list[str]) -> None:
    run = cli("align", "lee_20", "lee_20", "--seed", str(2**32 - 1), "--repetitions", "2",
              "--format", "json", *lee)  # fmt: skip
    assert run.code == 0, run.err
    run = cli("dims", "lee_20", "--k", "10", "--restrict", "10", "--format", "json", *lee)
    assert run.code == 0, run.err


# -- error lines never carry raw control characters ------------------------------------------
def test_error_lines_show_control_characters_visibly(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    hostile = f"{tmp_path}/x\x1b]0;pwned\x07\x9b31m"
    run = cli("neighbours", "the", "--models", f"lee_5:path={hostile}",
              "--cache-dir", tmp_path / "cache", "-q")  # fmt: skip
    run.assert_clean_error(r"no such corpus file or folder")
    assert "\x1b" not in run.err and "\x07" not in run.err and "\x9b" not in run.err
    assert r"\x1b]0;pwned\x07\x9b31m" in run.err


def test_parser_errors_show_control_characters_visibly(cli: Callable[..., Run]) -> None:
    run = cli("neighbours", "the", "--models", "x", "--k", "\x1b[2J")
    run.assert_clean_error(r"--k must be a whole number")
    assert "\x1b" not in run.err


# -- item 13: a reader that goes away (`| head -1`) ends polyterm quietly, exit 141 ----------
PIPE_CASES = [
    ["neighbours", "the", "--models", "lee_20", "--k", "100000", "--format", "json"],
    ["compare", "the", "--models", "lee_20,lee_20", "--k", "100000"],  # a rich table
]


def _spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "400"}
    return subprocess.Popen(
        [sys.executable, "-m", "polyterm", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        bufsize=0,
    )


@pytest.mark.parametrize("argv", PIPE_CASES, ids=["json", "table"])
def test_a_closed_pipe_is_a_quiet_exit_141(lee: list[str], argv: list[str]) -> None:
    proc = _spawn([*argv, *lee])
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert err == "", err


@pytest.mark.parametrize("argv", PIPE_CASES, ids=["json", "table"])
def test_head_c_1_is_a_quiet_exit(lee: list[str], argv: list[str]) -> None:
    """Like `| head -c 1`. When the pipe closes in the middle of one large write, Python
    drops the rest without an error, so the exit may be 0; either way nothing on stderr."""
    proc = _spawn([*argv, *lee])
    assert proc.stdout is not None and proc.stderr is not None
    assert os.read(proc.stdout.fileno(), 1)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 141), err
    assert err == "", err


# -- item 9: report -o replaces only a regular file, and says so before any work ------------
def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link_to_device(path: Path) -> Path:
    path.symlink_to("/dev/null")  # like /dev/stdout -> /proc/self/fd/1 -> /dev/pts/0
    return path


def _link_to_file(path: Path) -> Path:
    (path.parent / "real.md").write_text("keep me\n")
    path.symlink_to(path.parent / "real.md")
    return path


def _dangling_link(path: Path) -> Path:
    path.symlink_to(path.parent / "nowhere.md")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (_fifo, r"is a named pipe, not a regular file"),
        (_link_to_device, r"is a symbolic link to a character device; polyterm replaces only"),
        (_link_to_file, r"is a symbolic link to a regular file; polyterm replaces only"),
        (_dangling_link, r"is a dangling symbolic link"),
        (_folder, r"is a folder, not a regular file"),
    ],
    ids=["fifo", "link-to-device", "link-to-file", "dangling-link", "folder"],
)
def test_report_force_replaces_only_a_regular_file(
    cli: Callable[..., Run],
    lee: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], Path],
    pattern: str,
) -> None:
    import polyterm.views.report as report

    def never(*_a: object, **_k: object) -> str:
        raise AssertionError("the report was computed before the output was checked")

    monkeypatch.setattr(report, "build_report", never)
    target = make(tmp_path / "out.md")
    before = os.lstat(target)
    run = cli("report", "lee_20", "-o", target, "--force", *lee)
    run.assert_clean_error(pattern)
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "out.md") in ([], ["real.md"])


def test_report_without_force_is_refused_before_any_work(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polyterm.views.report as report

    monkeypatch.setattr(report, "build_report", None)  # calling it would be a TypeError
    (tmp_path / "out.md").write_text("mine\n")
    cli("report", "lee_20", "-o", tmp_path / "out.md", *lee).assert_clean_error(
        r"already exists.*--force"
    )
    assert (tmp_path / "out.md").read_text() == "mine\n"


def test_report_force_replaces_a_regular_file(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path
) -> None:
    (tmp_path / "out.md").write_text("old\n")
    run = cli("report", "lee_20", "-o", tmp_path / "out.md", "--force", "--repetitions", "2",
              "--restrict", "500", *lee)  # fmt: skip
    assert run.code == 0, run.err
    assert (tmp_path / "out.md").read_text().startswith("# ")


# -- item 14: a spec means the model; a path needs ./, a separator or a vector-file suffix ---
def _shadowing_files(folder: Path) -> None:
    rows = "the 1 2 3\ncat 1 2 3.5\ndog 2 1 3\n"
    (folder / "lee_20").write_text(rows)  # named like the spec of the session's model
    (folder / "myvectors").write_text(rows)  # a bare name that is no spec


def test_a_spec_is_the_model_even_when_a_file_has_its_name(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shadowing_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = cli("neighbours", "the", "--models", "lee_20", "--format", "json", "--k", "50", *lee)
    assert run.code == 0, run.err
    assert len(json.loads(run.out)["results"][0]["entries"]) == 50  # the model, not 3 words
    (warning,) = run.warnings()
    assert "lee_20 means the model lee_20" in warning and "./lee_20" in warning


def test_dot_slash_reads_the_file(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shadowing_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    for name in ("./lee_20", "./myvectors", str(tmp_path / "myvectors")):
        run = cli("neighbours", "the", "--models", name, "--format", "json", *lee)
        assert run.code == 0, run.err
        assert len(json.loads(run.out)["results"][0]["entries"]) == 2  # cat, dog
        assert not run.warnings()


def test_a_bare_file_name_needs_dot_slash(
    cli: Callable[..., Run], lee: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shadowing_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    cli("neighbours", "the", "--models", "myvectors", *lee).assert_clean_error(
        r"myvectors is not a model spec; .* write \./myvectors"
    )


# -- item 11: --max-dims bounds the dimensions of a vector file (default 10,000) ------------
@pytest.fixture
def wide_file(tmp_path: Path) -> Path:
    path = tmp_path / "wide.txt"
    rows = np.random.default_rng(3).normal(size=(3, 10_001))
    path.write_text(
        "".join(w + " " + " ".join(f"{x:.2f}" for x in r) + "\n"
                for w, r in zip(["the", "cat", "dog"], rows, strict=True))
    )  # fmt: skip
    return path


def test_max_dims_default_refuses_a_wide_file(
    cli: Callable[..., Run], wide_file: Path, tmp_path: Path
) -> None:
    run = cli("neighbours", "the", "--models", wide_file, "--cache-dir", tmp_path / "c", "-q")
    run.assert_clean_error(r"more than the bound of 10000 dimensions.*--max-dims")


def test_max_dims_raises_the_bound(
    cli: Callable[..., Run], wide_file: Path, tmp_path: Path
) -> None:
    run = cli("neighbours", "the", "--models", wide_file, "--max-dims", "10001",
              "--format", "json", "--cache-dir", tmp_path / "c", "-q")  # fmt: skip
    assert run.code == 0, run.err
    assert len(json.loads(run.out)["results"][0]["entries"]) == 2


@pytest.mark.parametrize("value", ["0", "-1", "x", str(10**8)])
def test_max_dims_is_checked(cli: Callable[..., Run], value: str) -> None:
    cli("dims", "x.txt", "--max-dims", value).assert_clean_error(r"--max-dims must be")


def test_every_model_command_takes_max_dims() -> None:
    from polyterm.cli import build_parser

    parser = build_parser()
    for argv in (["train", "lee_5"], ["models"], ["dims", "m"], ["repeats", "m"],
                 ["neighbours", "w", "--models", "m"], ["diff", "w", "--models", "m"],
                 ["compare", "w", "--models", "m"], ["align", "a", "b"],
                 ["universality", "a", "b"], ["sweep", "lee"], ["report", "m"]):  # fmt: skip
        assert parser.parse_args([*argv, "--max-dims", "7"]).max_dims == 7
        assert parser.parse_args(argv).max_dims == 10_000


def test_open_options_default_bound_is_the_readers() -> None:
    from polyterm.engine.models import OpenOptions
    from polyterm.engine.readers import DEFAULT_MAX_DIMS

    assert OpenOptions().max_dims == DEFAULT_MAX_DIMS == 10_000


# -- item 16: --jobs is capped at the CPU cores, with a warning line ------------------------
@pytest.mark.parametrize(
    ("argv", "jobs", "capped"),
    [
        (["train", "lee_20", "--jobs", "12"], 2, True),
        (["sweep", "lee", "--dims", "20", "--seeds", "1", "--jobs", "4096"], 2, True),
        (["train", "lee_20", "--jobs", "2"], 2, False),
        (["train", "lee_20"], None, False),
    ],
    ids=["train-12-on-2", "sweep-4096-on-2", "train-2-on-2", "train-default"],
)
def test_jobs_are_capped_at_the_cores(
    cli: Callable[..., Run],
    lee: list[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    jobs: int | None,
    capped: bool,
) -> None:
    import polyterm.cli.commands as commands

    seen: list[int | None] = []
    real = commands.train_many

    def spy(*args: Any, jobs: int | None = None, **kwargs: Any) -> Any:
        seen.append(jobs)
        return real(*args, jobs=jobs, **kwargs)

    monkeypatch.setattr(commands, "default_jobs", lambda: 2)
    monkeypatch.setattr(commands, "train_many", spy)
    run = cli(*argv, "--format", "json", *lee) if argv[0] == "sweep" else cli(*argv, *lee)
    assert run.code == 0, run.err
    assert seen == [jobs]
    if capped:
        (warning,) = run.warnings()
        assert re.search(r"--jobs \d+ is more than the 2 CPU cores .*; using 2", warning)
    else:
        assert not run.warnings()


# -- item 17: an empty option value in a spec is an error (no second entry of one model) ----
@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["train", "lee_5:path="], r"option 'path' in 'lee_5:path=' has an empty value"),
        (["train", "lee_5:path=  "], r"option 'path' .* has an empty value"),
        (["train", "lee_5:window=10,path="], r"option 'path' .* has an empty value"),
        (["neighbours", "the", "--models", "lee_5:window="],
         r"option 'window' in 'lee_5:window=' has an empty value"),
    ],
    ids=["path", "path-blank", "path-after-another", "window-in-models"],
)  # fmt: skip
def test_an_empty_spec_option_is_an_error(
    cli: Callable[..., Run], tmp_path: Path, argv: list[str], pattern: str
) -> None:
    cache = tmp_path / "cache"
    cli(*argv, "--cache-dir", cache, "-q").assert_clean_error(pattern)
    assert not (cache / "models").exists() or not list((cache / "models").iterdir())


# -- item 20: --trust reaches gensim: specs (a gensim-data model in gensim's native format) --
@pytest.fixture
def native_gensim_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """gensim-data holding `tiny-native`: a KeyedVectors saved by gensim (a pickle)."""
    import gensim.downloader as api
    from gensim.models import KeyedVectors

    folder = tmp_path / "gensim-data" / "tiny-native"
    folder.mkdir(parents=True)
    kv = KeyedVectors(4)
    words = ["the", "cat", "dog", "car", "bus", "tree"]
    kv.add_vectors(words, np.random.default_rng(5).normal(size=(6, 4)).astype("float32"))
    kv.save(str(folder / "tiny-native.model"))
    monkeypatch.setattr(api, "BASE_DIR", str(tmp_path / "gensim-data"))
    return folder


def test_trust_reaches_gensim_specs(
    cli: Callable[..., Run], native_gensim_data: Path, tmp_path: Path
) -> None:
    argv = ["neighbours", "the", "--models", "gensim:tiny-native", "--format", "json",
            "--cache-dir", tmp_path / "cache", "-q"]  # fmt: skip
    cli(*argv).assert_clean_error(r"Python pickle.*--trust")
    run = cli(*argv, "--trust")
    assert run.code == 0, run.err
    assert len(json.loads(run.out)["results"][0]["entries"]) == 5
