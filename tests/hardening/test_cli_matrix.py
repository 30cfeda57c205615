"""The bad-input matrix, through the CLI: a clear message, the right exit code, no traceback,
and no cache entry or temp folder left behind by a failure.

Each row: an id, the command line ({F} = the bad vector files, {C} = the tiny corpora), the
exit code, and a regex that the one-line error (exit 2), the output (exit 1: per-model
messages in the result) or a warning (exit 0) must match. Rows run against a temp cache that
holds a copy of the session's lee_20 model, so nothing is trained twice.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from polyterm.engine.cache import ModelCache
from tests.hardening.conftest import Run

Setup = Callable[[pytest.MonkeyPatch, Path], None]


@dataclass(frozen=True)
class Case:
    id: str
    argv: list[str]
    code: int
    pattern: str
    setup: Setup | None = None
    more: dict[str, Any] = field(default_factory=dict)


def _deny_read(monkeypatch: pytest.MonkeyPatch, _: Path) -> None:
    """Simulate `chmod 000` (tests may run as root, where chmod does not bite)."""
    real_open = Path.open

    def guarded(self: Path, *args: Any, **kwargs: Any) -> Any:
        if "unreadable" in self.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)


def _deny_corpus_read(monkeypatch: pytest.MonkeyPatch, _: Path) -> None:
    real = Path.read_bytes

    def guarded(self: Path) -> bytes:
        if self.name == "mini.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)


def _unreadable_copy(_: pytest.MonkeyPatch, files: Path) -> None:
    shutil.copy(files / "good.txt", files / "unreadable.txt")


def _unreadable(monkeypatch: pytest.MonkeyPatch, files: Path) -> None:
    _unreadable_copy(monkeypatch, files)
    _deny_read(monkeypatch, files)


def _fifo(_: pytest.MonkeyPatch, files: Path) -> None:
    """A named pipe: opening it blocks until a writer comes. If the protection is gone, a
    timer plays the writer after 5 s so the test fails instead of hanging."""
    pipe = files / "pipe.txt"
    if not pipe.exists():
        os.mkfifo(pipe)

    def unblock() -> None:
        with contextlib.suppress(OSError):  # ENXIO: no reader waiting, the protection worked
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(5, unblock)
    timer.daemon = True
    timer.start()


Q = ["neighbours"]
M = ["--models"]

# fmt: off
CASES = [
    # -- queries ------------------------------------------------------------------------
    Case("query-unknown-word-suggests", [*Q, "goverment", *M, "lee_20"], 1,
         r"'goverment' is not in the vocabulary of lee_20; did you mean government"),
    Case("query-mixed-case-suggests-lowercase", [*Q, "Government", *M, "lee_20"], 1,
         r"'Government' is not in the vocabulary of lee_20; did you mean government\b"),
    Case("query-unicode-word", [*Q, "Ünïcödé", *M, "lee_20"], 1,
         r"'Ünïcödé' is not in the vocabulary of lee_20"),
    Case("query-empty-expression", ["diff", "   ", *M, "lee_20"], 2, r"empty expression"),
    Case("query-missing-expression", ["diff", "", *M, "lee_20"], 2, r"give a word or an expr"),
    Case("query-double-operator", ["diff", "- - cat", *M, "lee_20"], 2,
         r"expected a word, found '-' \(a word such as '-' or c\+\+ is written in quotes: "
         r"\"c\+\+\"\) at position 3"),
    Case("query-trailing-operator", ["diff", "cat -", *M, "lee_20"], 2,
         r"expected a word after the operator at position 6"),
    Case("query-weight-without-word", ["diff", "3*", *M, "lee_20"], 2,
         r"expected a word after the weight"),
    Case("query-two-words-no-operator", ["diff", "cat dog", *M, "lee_20"], 2, r"'\+' or '-'"),
    Case("query-huge-weight", ["diff", "1e999*the", *M, "lee_20"], 2, r"weight .* too large"),
    Case("query-zero-weights", ["diff", "0*the - 0*cat", *M, "lee_20"], 2, r"every weight is zero"),
    Case("query-word-in-one-model-only", [*Q, "police", *M, "lee_20,{F}/good.txt"], 0,
         r"'police' is not in the vocabulary of good"),
    Case("query-k-zero", [*Q, "the", *M, "lee_20", "--k", "0"], 2, r"--k must be at least 1"),
    Case("query-k-negative", [*Q, "the", *M, "lee_20", "--k", "-4"], 2, r"--k must be at least 1"),
    Case("query-k-beyond-vocabulary", [*Q, "the", *M, "lee_20", "--k", "100000",
                                       "--format", "json"], 0, r'"word": ', more={"rows": 1752}),
    Case("query-restrict-zero", [*Q, "the", *M, "lee_20", "--restrict", "0"], 2,
         r"--restrict must be at least 1"),
    Case("query-dim-out-of-range", ["dims", "lee_20", "--dim", "20"], 2,
         r"dimension 20 is out of range for lee_20: use 0 to 19"),
    Case("query-dim-negative", ["dims", "lee_20", "--dim", "-1"], 2,
         r"dimension -1 is out of range"),
    Case("query-compare-dim-out-of-range", ["compare", "--dim", "99", *M, "lee_20"], 1,
         r"lee_20 has dimensions 0 to 19"),
    Case("query-no-models", [*Q, "the", *M, " , "], 2, r"--models needs at least one model"),
    Case("query-limit-zero", [*Q, "the", *M, "lee_20", "--limit", "0"], 2,
         r"--limit must be a positive number"),
    Case("spec-missing-file", [*Q, "the", *M, "{F}/nope.bin"], 2, r"no such model file"),
    Case("spec-unknown-home", [*Q, "the", *M, "~no_such_user_xyz/v.bin"], 2,
         r"cannot expand .*no such user"),
    Case("spec-gensim-name-not-on-disk", [*Q, "the", *M, "gensim:no-such-model-xyz"], 2,
         r"not on disk; pass --download"),
    Case("spec-gensim-name-path-traversal", [*Q, "the", *M, "gensim:../../etc"], 2,
         r"not a gensim-data name"),
    # -- training -------------------------------------------------------------------------
    Case("train-dims-zero", ["train", "lee_0"], 2, r"dims must be between 1 and 4096, not 0"),
    Case("train-dims-negative", ["train", "lee_-1"], 2, r"dims must be between 1 and 4096, not -1"),
    Case("train-dims-huge", ["train", "lee_100000"], 2, r"not 100000"),
    Case("train-dims-list-zero", ["train", "--corpus", "lee", "--dims", "0"], 2, r"not 0"),
    Case("train-bad-option", ["train", "lee_5:window=0"], 2, r"window must be between 1 and 100"),
    Case("train-unknown-option", ["train", "lee_5:colour=1"], 2, r"unknown option 'colour'"),
    Case("train-option-not-a-number", ["train", "lee_5:epochs=x"], 2, r"epochs='x'.*not a number"),
    Case("train-min-count-empties-vocabulary", [*Q, "the", *M, "lee_5:min_count=1000000"], 2,
         r"no word occurs at least min_count=1000000 times"),
    Case("train-min-count-empties-vocabulary-train", ["train", "lee_5:min_count=1000000"], 1,
         r"no word occurs at least min_count=1000000 times"),
    Case("train-empty-corpus", [*Q, "the", *M, "mini_5:path={C}/empty.txt"], 2,
         r"has no words after normalisation"),
    Case("train-punctuation-only-corpus", [*Q, "the", *M, "mini_5:path={C}/punct.txt"], 2,
         r"has no words after normalisation"),
    Case("train-missing-corpus-path", [*Q, "the", *M, "mini_5:path={C}/nope"], 2,
         r"no such corpus file or folder"),
    Case("train-unknown-corpus", ["train", "nosuchcorpus_10"], 2, r"unknown corpus 'nosuchcorpus'"),
    Case("train-corpus-is-a-python-module", ["train", "util_10"], 2, r"unknown corpus 'util'"),
    Case("train-nltk-corpus-not-installed", ["train", "names_10"], 2,
         r"NLTK corpus 'names' is not installed.*--download"),
    Case("train-nltk-download-offline", ["train", "names_10", "--download"], 2,
         r"could not download the NLTK corpus 'names' \(offline\?", more={"network": True}),
    Case("train-all-binary-folder", [*Q, "the", *M, "bin_5:path={C}/allbinary"], 2,
         r"every file of the corpus 'bin' looks binary"),
    Case("train-unreadable-corpus-file", [*Q, "the", *M, "mini_5:path={C}/mini.txt"], 2,
         r"cannot read the corpus file .*mini.txt: Permission denied", _deny_corpus_read),
    Case("train-odd-encodings-and-binary", ["train", "junk_8:path={C}/junk,min_count=1"], 0,
         r"trained and cached", more={"vocab": ["café", "naïve", "über", "straße", "zebra",
                                                 "smart"], "not_vocab": ["secret"]}),
    # -- model files ----------------------------------------------------------------------
    Case("file-empty", [*Q, "the", *M, "{F}/empty.txt"], 2, r"empty\.txt is empty"),
    Case("file-truncated-binary", [*Q, "the", *M, "{F}/truncated.bin"], 2,
         r"truncated after 5 of 6 words; re-download the file or pass --limit 5"),
    Case("file-binary-header-only", [*Q, "the", *M, "{F}/header-only.bin"], 2,
         r"header promises 6 words of 4 dimensions but the file holds at most 0"),
    Case("file-binary-header-lies-huge", [*Q, "the", *M, "{F}/huge-header.bin"], 2,
         r"promises 3,000,000,000 words.*truncated\?"),
    Case("file-binary-header-huge-dims", [*Q, "the", *M, "{F}/huge-dims.bin"], 2,
         r"header says 900000000 dimensions"),
    Case("file-binary-random-bytes", [*Q, "the", *M, "{F}/random.bin"], 2,
         r"not word2vec binary"),
    Case("file-text-wrong-header", [*Q, "the", *M, "{F}/wrong-header.txt"], 2,
         r"line 2 has 4 values, expected 1"),
    Case("file-text-header-promises-more", [*Q, "the", *M, "{F}/promises-more.txt"], 2,
         r"header promises 60 words but the file has 6 \(truncated\?\)"),
    Case("file-text-row-too-few-values", [*Q, "the", *M, "{F}/short-row.txt"], 2,
         r"line 3 has 3 values, expected 4"),
    Case("file-text-not-a-number", [*Q, "the", *M, "{F}/not-a-number.txt"], 2, r"not a number"),
    Case("file-text-word-without-values", [*Q, "the", *M, "{F}/word-only.txt"], 2,
         r"line 1 has a word but no values"),
    Case("file-text-not-utf8", [*Q, "the", *M, "{F}/latin1.txt"], 2, r"is not UTF-8 text"),
    Case("file-text-nul-bytes", [*Q, "the", *M, "{F}/nul.txt"], 2, r"nul\.txt"),
    Case("file-nan-inf-zero-duplicate-rows-dropped", [*Q, "the", *M, "{F}/nan-inf-zero-dup.txt"],
         0, r"dropped 2 rows with NaN or infinite values",
         more={"warnings": [r"dropped 1 all-zero rows", r"dropped 1 repeated words"]}),
    Case("file-all-rows-zero", [*Q, "the", *M, "{F}/all-zero.txt"], 2,
         r"has no usable vectors \(dropped 2 all-zero rows\)"),
    Case("file-all-rows-nan", [*Q, "the", *M, "{F}/all-nan.bin"], 2,
         r"has no usable vectors \(dropped 2 rows with NaN"),
    Case("file-is-a-folder", [*Q, "the", *M, "{F}/a-folder"], 2, r"is a folder"),
    Case("file-unreadable", [*Q, "the", *M, "{F}/unreadable.txt"], 2,
         r"cannot read .*unreadable\.txt: permission denied",
         _unreadable),
    Case("file-is-a-fifo", [*Q, "the", *M, "{F}/pipe.txt"], 2, r"not a regular file", _fifo),
    Case("file-gzip-that-is-not-gzip", [*Q, "the", *M, "{F}/not-gzip.txt.gz"], 2,
         r"is not a valid gzip file"),
    Case("file-gzip-truncated-text", [*Q, "w1", *M, "{F}/truncated.txt.gz"], 2,
         r"truncated or damaged"),
    Case("file-gzip-truncated-binary", [*Q, "the", *M, "{F}/truncated.bin.gz"], 2,
         r"truncated or damaged"),
    Case("file-utf8-bom", [*Q, "the", *M, "{F}/bom.txt", "--format", "json"], 0, r'"word": "cat"'),
    Case("file-windows-line-ends", [*Q, "the", *M, "{F}/crlf.txt", "--format", "json"], 0,
         r'"word": "cat"'),
    Case("file-gzip-text-ok", [*Q, "the", *M, "{F}/gz.txt.gz"], 0, r"cat"),
    Case("file-pickle-model-refused", [*Q, "the", *M, "{F}/evil.model"], 2,
         r"is a gensim native file, which is a Python pickle: loading it can run any code.*--trust",
         more={"marker": "PWNED-model"}),
    Case("file-pickle-kv-refused", [*Q, "the", *M, "{F}/evil.kv"], 2, r"Python pickle",
         more={"marker": "PWNED-kv"}),
    Case("file-pickle-pkl-refused", [*Q, "the", *M, "{F}/evil.pkl"], 2, r"Python pickle",
         more={"marker": "PWNED-pkl"}),
    Case("file-pickle-named-bin-not-unpickled", [*Q, "the", *M, "{F}/evil.bin"], 2,
         r"not word2vec binary", more={"marker": "PWNED-bin"}),
    Case("file-pickle-named-txt-not-unpickled", [*Q, "the", *M, "{F}/evil.txt"], 2, r"evil\.txt",
         more={"marker": "PWNED-txt"}),
    Case("file-trusted-pickle-that-is-not-gensim", [*Q, "the", *M, "{F}/dict.pkl", "--trust"], 2,
         r"gensim could not load it"),
]
# fmt: on


@pytest.fixture
def query_cache(tmp_path: Path, lee_model: object, shared_cache_root: Path) -> Path:
    """A temp cache holding a copy of the session's lee_20 entry (copy2 keeps mtimes)."""
    root = tmp_path / "cache"
    ModelCache(root)
    for entry in (shared_cache_root / "models").iterdir():
        if entry.name.startswith("lee_20-"):
            shutil.copytree(entry, root / "models" / entry.name)
    return root


def _argv(case: Case, files: Path, corpora: Path, cache: Path) -> list[str]:
    fill = [a.replace("{F}", str(files)).replace("{C}", str(corpora)) for a in case.argv]
    return [*fill, "--cache-dir", str(cache), "-q"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_case(
    case: Case,
    cli: Callable[..., Run],
    bad_files: Path,
    corpora: Path,
    query_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: list[object],
) -> None:
    if case.setup is not None:
        case.setup(monkeypatch, bad_files)
    before = sorted(p.name for p in (query_cache / "models").iterdir())
    run = cli(*_argv(case, bad_files, corpora, query_cache))
    assert "Traceback" not in run.out + run.err
    if case.code == 2:
        run.assert_clean_error(case.pattern)
    else:
        assert run.code == case.code, (run.code, run.out, run.err)
        assert run.re_search(case.pattern), (case.pattern, run.out, run.err)
    for pattern in case.more.get("warnings", []):
        assert any(re.search(pattern, w) for w in run.warnings()), run.err
    if "rows" in case.more:
        (result,) = json.loads(run.out)["results"]
        assert len(result["entries"]) == case.more["rows"]
    if "marker" in case.more:
        assert not (bad_files / case.more["marker"]).exists(), "a pickle was loaded"
    if "vocab" in case.more:
        model = ModelCache(query_cache).entries()
        (entry,) = [e for e in model if e.name.startswith("junk_8")]
        words = set((entry.path / "vocab.txt").read_text(encoding="utf-8").split("\n"))
        assert set(case.more["vocab"]) <= words, set(case.more["vocab"]) - words
        assert not set(case.more["not_vocab"]) & words
    # a failure leaves the cache as it was: no new entry, no temp folder
    assert not list((query_cache / "tmp").iterdir())
    if run.code == 2:
        assert sorted(p.name for p in (query_cache / "models").iterdir()) == before
    if not case.more.get("network"):
        assert not no_network, "the network was used although nobody asked for a download"


# -- text that looks like rich markup ---------------------------------------------------------
# The CLI prints messages and table cells through rich, which parses "[...]" as markup: a
# word or path such as "[/b]" raised MarkupError (a traceback). Pending the CLI fix (escape
# messages and cells, see the hardening report) these are expected failures of that kind only.
MARKUP_CASES = [
    ("markup-in-an-error", ["diff", "cat + * [/x]", "--models", "{F}/good.txt", "-q"], 2,
     r"found '\*'"),
    ("markup-in-a-path", ["neighbours", "the", "--models", "{D}/nope.txt", "-q"], 2,
     r"no such model file: .*\[/red\]"),
    ("markup-in-a-table-cell", ["dims", "{F}/markup.txt", "-q"], 0, r"\[/b\]"),
    ("markup-in-progress", ["neighbours", "the", "--models", "m_4:path={D}/c.txt"],
     0, r"\[/red\]"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "argv", "code", "pattern"), MARKUP_CASES,
                         ids=[c[0] for c in MARKUP_CASES])  # fmt: skip
def test_markup_in_messages_is_printed_literally(
    cli: Callable[..., Run],
    bad_files: Path,
    tmp_path: Path,
    name: str,
    argv: list[str],
    code: int,
    pattern: str,
) -> None:
    odd = tmp_path / "[/red]"
    odd.mkdir(parents=True)
    (odd / "c.txt").write_text("the cat sat on the mat. the dog sat.\n" * 5)
    (bad_files / "markup.txt").write_text("the 1 2\n[/b] 1 2.1\n[red]x 2 1\n")
    argv = [a.replace("{F}", str(bad_files)).replace("{D}", str(odd)) for a in argv]
    run = cli(*argv, "--cache-dir", tmp_path / "cache")
    if code == 2:
        run.assert_clean_error(pattern)
    else:
        assert run.code == code and run.re_search(pattern), run.err
