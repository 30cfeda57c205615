"""Fixtures of the hardening matrix: an in-process CLI runner, bad files, tiny corpora.

Every case runs `polyterm.cli.main` in this process (fast; an unexpected exception fails
the test with its traceback), with the cache in a temp folder. Nothing touches the network:
`no_network` turns every connection attempt into an error and records it.
"""

from __future__ import annotations

import gzip
import pickle
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from polyterm.cli import main

ERROR_LINE = re.compile(r"^polyterm: error: \S.*$")


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    out: str
    err: str

    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("polyterm: error:")]

    def warnings(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("polyterm: warning:")]

    def re_search(self, pattern: str) -> bool:
        return re.search(pattern, self.out) is not None or re.search(pattern, self.err) is not None

    def assert_clean_error(self, pattern: str) -> None:
        """Exit 2, exactly one one-line error on stderr matching `pattern`, no traceback."""
        assert "Traceback" not in self.err + self.out
        assert self.code == 2, (self.code, self.out, self.err)
        lines = self.error_lines()
        assert len(lines) == 1 and ERROR_LINE.match(lines[0]), self.err
        assert re.search(pattern, lines[0]), (pattern, lines[0])


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`cli(*argv)` → Run; wide output so rich never wraps a message."""
    monkeypatch.setenv("COLUMNS", "400")

    def run(*argv: str | Path) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture
def tmp_cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def cache_is_clean(root: Path) -> bool:
    """No model entry and no temp folder: what a failed or killed run must leave."""
    models = list((root / "models").iterdir()) if (root / "models").exists() else []
    tmp = list((root / "tmp").iterdir()) if (root / "tmp").exists() else []
    return not models and not tmp


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every connection attempt fails (as offline) and is recorded."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args[1:] if args else kwargs)
        raise OSError(101, "Network is unreachable (blocked by the test)")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


# -- vector files --------------------------------------------------------------------------
WORDS = ["the", "cat", "dog", "car", "bus", "tree"]


def vectors(n: int = len(WORDS), d: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype("<f4")


def w2v_binary(words: list[str], v: np.ndarray) -> bytes:
    rows = b"".join(
        w.encode() + b" " + r.astype("<f4").tobytes() + b"\n" for w, r in zip(words, v, strict=True)
    )
    return f"{len(words)} {v.shape[1]}\n".encode() + rows


def text_rows(words: list[str], v: np.ndarray) -> str:
    return "".join(
        w + " " + " ".join(f"{x:.5f}" for x in r) + "\n" for w, r in zip(words, v, strict=True)
    )


class _Payload:
    """A pickle that creates a file when it is loaded: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder with every kind of broken or hostile vector file the matrix uses."""
    f = tmp_path_factory.mktemp("vector-files")
    v = vectors()
    good_bin = w2v_binary(WORDS, v)
    (f / "good.bin").write_bytes(good_bin)
    (f / "good.txt").write_text(f"{len(WORDS)} 4\n" + text_rows(WORDS, v))
    (f / "glove.txt").write_text(text_rows(WORDS, v))
    (f / "empty.txt").write_bytes(b"")
    (f / "truncated.bin").write_bytes(good_bin[:-10])
    (f / "header-only.bin").write_bytes(b"6 4\n")
    (f / "huge-header.bin").write_bytes(b"3000000000 300\n" + good_bin[4:])
    (f / "huge-dims.bin").write_bytes(b"6 900000000\n" + good_bin[4:])
    (f / "wrong-header.txt").write_text("6 x\n" + text_rows(WORDS, v))
    (f / "promises-more.txt").write_text("60 4\n" + text_rows(WORDS, v))
    rows = text_rows(WORDS, v).splitlines()
    rows[2] = " ".join(rows[2].split()[:-1])
    (f / "short-row.txt").write_text("\n".join(rows) + "\n")
    (f / "not-a-number.txt").write_text("the 1 2 3 4\ncat 1 2 3 4\ncar 1.0x 2 3 4\n")
    (f / "word-only.txt").write_text("the\ncat\n")
    (f / "latin1.txt").write_bytes("caf\xe9 1 2 3\n".encode("latin-1"))
    (f / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text_rows(WORDS, v).encode())
    (f / "crlf.txt").write_bytes(text_rows(WORDS, v).replace("\n", "\r\n").encode())
    bad = text_rows(WORDS, v).splitlines()
    bad[1] = "cat nan 1 2 3"
    bad[2] = "dog 1 inf 2 3"
    bad[4] = "bus 0 0 0 0"
    bad.append("the 9 9 9 9")  # a repeated word
    (f / "nan-inf-zero-dup.txt").write_text("\n".join(bad) + "\n")
    (f / "all-zero.txt").write_text("the 0 0 0\ncat 0 0 0\n")
    (f / "all-nan.bin").write_bytes(w2v_binary(["a", "b"], np.full((2, 3), np.nan)))
    (f / "not-gzip.txt.gz").write_text(text_rows(WORDS, v))
    (f / "gz.txt.gz").write_bytes(gzip.compress(text_rows(WORDS, v).encode()))
    big = "".join(f"w{i} {i % 7 + 1} 2 3\n" for i in range(30_000)).encode()
    blob = gzip.compress(big)
    (f / "truncated.txt.gz").write_bytes(blob[: len(blob) // 2])
    (f / "truncated.bin.gz").write_bytes(gzip.compress(good_bin)[:-12])
    (f / "a-folder").mkdir()
    (f / "nul.txt").write_bytes(b"\0" * 400)
    (f / "random.bin").write_bytes(np.random.default_rng(1).bytes(5000))
    (f / "dict.pkl").write_bytes(pickle.dumps({"a": 1}))
    for suffix in ("model", "kv", "pkl", "bin", "txt"):
        (f / f"evil.{suffix}").write_bytes(pickle.dumps(_Payload(f / f"PWNED-{suffix}")))
    return f


@pytest.fixture(scope="session")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny local corpora (never Brown here)."""
    c = tmp_path_factory.mktemp("corpora")
    (c / "mini.txt").write_text("the cat sat on the mat. the dog sat on the log.\n" * 20)
    (c / "empty.txt").write_bytes(b"")
    (c / "punct.txt").write_text("... !!! ,,, ??? 123 456 -- ''\n" * 10)
    junk = c / "junk"
    junk.mkdir()
    (junk / "random.bin").write_bytes(np.random.default_rng(2).bytes(20_000))
    (junk / "latin1.txt").write_bytes(("café naïve déjà vu. " * 10 + "\n").encode("latin-1"))
    (junk / "cp1252.txt").write_bytes(("“smart quotes” café. " * 10 + "\n").encode("cp1252"))
    (junk / "utf16.txt").write_bytes(("über straße köln. " * 10 + "\n").encode("utf-16"))
    (junk / "utf8-bom.txt").write_bytes(("zebra giraffe okapi. " * 10 + "\n").encode("utf-8-sig"))
    (junk / "controls.dat").write_bytes(bytes(range(1, 9)) * 500)
    (junk / ".hidden").write_text("secret words never read\n")
    allbin = c / "allbinary"
    allbin.mkdir()
    (allbin / "a.bin").write_bytes(b"\0\1\2" * 1000)
    (allbin / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF\0" * 100)
    return c


@pytest.fixture
def lee(lee_model: object, shared_cache_root: Path) -> Iterator[list[str]]:
    """CLI arguments that reach the session's lee_20 model in the shared cache."""
    yield ["--cache-dir", str(shared_cache_root), "-q"]
