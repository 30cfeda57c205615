"""Hostile input, second round (issue 17 §2): each case a one-line message, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from polyterm.engine.cache import MANIFEST, ModelCache
from tests.hardening.conftest import Run

DEEP = "[" * 100_000 + "]" * 100_000


def _deep_entry(cache: Path, name: str = "evil") -> Path:
    ModelCache(cache)  # a polyterm cache (tagged)
    entry = cache / "models" / name
    entry.mkdir(parents=True)
    (entry / MANIFEST).write_text(DEEP)
    return entry


def test_a_deeply_nested_manifest_is_reported_and_skipped(cli, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    _deep_entry(tmp_cache)
    run: Run = cli("models", "--cache-dir", tmp_cache, "--format", "json")
    assert run.code == 0, run.err
    assert "internal error" not in run.err
    assert run.warnings() == [
        "polyterm: warning: cache entry evil: the manifest is nested too deeply to be one "
        "polyterm wrote: skipped"
    ]


def test_the_explorer_catalogue_skips_a_deeply_nested_manifest(tmp_cache: Path) -> None:
    from polyterm.explorer.catalogue import scan_catalogue

    _deep_entry(tmp_cache)
    catalogue = scan_catalogue(ModelCache(tmp_cache))  # was: RecursionError, an empty list
    assert all(m.name != "evil" for m in catalogue.cached)


@pytest.mark.slow
def test_a_deeply_nested_manifest_breaks_nothing_else(cli, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("train", "lee_2", "--cache-dir", tmp_cache, "-q").code == 0
    _deep_entry(tmp_cache)
    run = cli("models", "--cache-dir", tmp_cache, "--format", "json")
    assert run.code == 0 and '"lee_2"' in run.out
    assert cli("dims", "lee_2", "--cache-dir", tmp_cache, "--format", "json").code == 0


# -- ~nosuchuser in folders ------------------------------------------------------------
NO_USER = "~polyterm-no-such-user-17/cache"


def test_no_such_user_in_cache_dir_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("models", "--cache-dir", NO_USER).assert_clean_error(
        r"--cache-dir '~polyterm-no-such-user-17/cache': ~polyterm-no-such-user-17 is not a user"
    )


def test_no_such_user_in_the_environment_is_one_line(
    cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLYTERM_CACHE_DIR", NO_USER)
    cli("models").assert_clean_error(r"POLYTERM_CACHE_DIR '~polyterm-no-such-user-17/cache'")


@pytest.mark.parametrize("var", ["POLYTERM_CACHE_DIR", "POLYTERM_CONFIG_DIR", "POLYTERM_DATA_DIR"])
def test_the_explorer_says_so_instead_of_crashing_at_start(
    var: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import polyterm.app
    from polyterm.cli import main

    monkeypatch.setenv(var, NO_USER)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)

    def must_not_start(**kw: object) -> int:
        raise AssertionError("the explorer started with a folder it cannot name")

    monkeypatch.setattr(polyterm.app, "run_app", must_not_start)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"polyterm: error: {var} '~polyterm-no-such-user-17/cache'")
    assert len(err.strip().splitlines()) == 1


# -- quoting in expressions -------------------------------------------------------------
ODD_WORDS = ["-", "+", "c++", "java", "new york", "city", 'say "hi"'] + [f"w{i}" for i in range(30)]


@pytest.fixture
def odd_vectors(tmp_path: Path) -> Path:
    import numpy as np

    rows = np.random.default_rng(5).normal(size=(len(ODD_WORDS), 4))
    path = tmp_path / "odd.txt"
    path.write_text(
        "".join(
            w + " " + " ".join(f"{x:.5f}" for x in r) + "\n"
            for w, r in zip(ODD_WORDS, rows, strict=True)
        )
    )
    return path


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('"c++" - java', ["c++", "java"]),
        ('"-" + "+"', ["-", "+"]),
        ('"new york" - city', ["new york", "city"]),
        ('0.5*"say \\"hi\\"" - "-"', ['say "hi"', "-"]),
    ],
)
def test_loaded_operator_words_can_be_queried_in_quotes(
    cli,  # type: ignore[no-untyped-def]
    odd_vectors: Path,
    tmp_cache: Path,
    query: str,
    words: list[str],
) -> None:
    import json

    run = cli("diff", query, "--models", odd_vectors, "--format", "json", "--cache-dir", tmp_cache)
    assert run.code == 0, run.err
    (result,) = json.loads(run.out)["results"]
    listed = [n["word"] for n in result["entries"]]
    assert len(listed) == 10 and not set(words) & set(listed)  # the query words, excluded
    # the reproduce line quotes them again, and runs
    again = json.loads(run.out)["command"]
    assert all(w in again or w.replace('"', '\\"') in again for w in words)


def test_an_unquoted_operator_word_says_how_to_quote_it(
    cli, odd_vectors: Path, tmp_cache: Path
) -> None:  # type: ignore[no-untyped-def]
    cli("diff", "c++ - java", "--models", odd_vectors, "--cache-dir", tmp_cache).assert_clean_error(
        r'written in quotes: "c\+\+"'
    )
    cli(
        "diff", '"c++ - java', "--models", odd_vectors, "--cache-dir", tmp_cache
    ).assert_clean_error(r'has no closing "')


# -- huge values ------------------------------------------------------------------------
@pytest.fixture
def huge_row(tmp_path: Path) -> Path:
    import numpy as np

    words = [f"w{i}" for i in range(20)]
    rows = np.random.default_rng(6).normal(size=(20, 4))
    rows[3] = 3e38  # finite in float32; its squares are not
    path = tmp_path / "big.txt"
    path.write_text(
        "".join(
            w + " " + " ".join(f"{x:.6g}" for x in r) + "\n"
            for w, r in zip(words, rows, strict=True)
        )
    )
    return path


def test_a_row_of_3e38_is_a_direction_not_a_zero_vector(
    cli, huge_row: Path, tmp_cache: Path
) -> None:  # type: ignore[no-untyped-def]
    import json

    run = cli("diff", "w3", "--models", huge_row, "--format", "json", "--cache-dir", tmp_cache)
    assert run.code == 0, run.err  # was: "'w3' is a zero vector"
    assert not [w for w in run.warnings() if "RuntimeWarning" in w]  # was: overflow in multiply
    entries = json.loads(run.out)["results"][0]["entries"]
    # its direction is (1, 1, 1, 1)/2: the nearest words are those closest to the diagonal
    assert len(entries) == 10 and all(-1.0 <= e["value"] <= 1.0 for e in entries)


@pytest.mark.parametrize(
    "argv",
    [
        ("dims", "{f}", "--dim", "1"),
        ("dims", "{f}", "--scale", "cosine"),
        ("repeats", "{f}"),
        ("diff", "1000*w3 + w4", "--convention", "raw", "--models", "{f}"),
        ("align", "{f}", "{f}", "--k", "3", "--repetitions", "3"),
        ("universality", "{f}", "{f}", "--k", "3", "--repetitions", "3"),
    ],
)
def test_huge_values_give_no_numpy_warnings(
    cli, huge_row: Path, tmp_cache: Path, argv: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    run = cli(*[a.format(f=huge_row) for a in argv], "--cache-dir", tmp_cache)
    assert run.code == 0, run.err
    assert not [w for w in run.warnings() if "Warning)" in w], run.warnings()


# -- clusters that accept and never answer, or answer garbage --------------------------
class _Server:
    """A TCP server on 127.0.0.1 that accepts and then stays silent, or sends `reply`;
    it stops by itself after `lifetime` seconds (bounded, loopback only)."""

    def __init__(self, reply: bytes = b"", lifetime: float = 30.0) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.reply, self.lifetime, self.held = reply, lifetime, []  # type: ignore[var-annotated]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import time

        end = time.monotonic() + self.lifetime
        while time.monotonic() < end:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            if self.reply:
                conn.sendall(self.reply)
            self.held.append(conn)
        for c in self.held:
            c.close()
        self.sock.close()


def test_a_server_that_accepts_and_never_answers_is_one_error() -> None:
    from polyterm.engine.cluster import ClusterError, check_scheduler_answers

    server = _Server()
    with pytest.raises(ClusterError, match=r"accepts the connection but sent nothing within 1 s"):
        check_scheduler_answers(f"tcp://127.0.0.1:{server.port}", 1.0)


def test_a_server_that_sends_garbage_is_one_error() -> None:
    from polyterm.engine.cluster import ClusterError, check_scheduler_answers

    server = _Server(reply=b"HTTP/1.1 400 Bad Request\r\n\r\n")
    with pytest.raises(ClusterError, match=r"answers, but not as a Dask scheduler does"):
        check_scheduler_answers(f"tcp://127.0.0.1:{server.port}", 5.0)


@pytest.mark.slow
@pytest.mark.parametrize("reply", [b"", b"\x00" * 7])
def test_sweep_on_a_silent_cluster_stops_with_one_line(cli, tmp_cache: Path, reply: bytes) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("distributed")
    server = _Server(reply=reply, lifetime=60)
    address = f"tcp://127.0.0.1:{server.port}"
    run = cli(
        "sweep",
        "lee",
        "--dims",
        "2",
        "--seeds",
        "1",
        "--cluster",
        address,
        "--cache-dir",
        tmp_cache,
    )
    run.assert_clean_error(r"sent nothing within 10 s|not as a Dask scheduler")


def test_local_cluster_is_capped_at_the_cores() -> None:
    import argparse
    import io

    from rich.console import Console

    from polyterm.cli.commands import _cap_cluster
    from polyterm.engine.sweep import default_jobs

    out = io.StringIO()
    args = argparse.Namespace(cluster="local:256")
    _cap_cluster(args, Console(file=out, width=300))
    assert args.cluster == f"local:{default_jobs()}"
    assert "--cluster local:256 is more than the" in out.getvalue()
    fine = argparse.Namespace(cluster="local:1")
    _cap_cluster(fine, Console(file=io.StringIO()))
    assert fine.cluster == "local:1"


# -- a changed byte under a restored mtime ------------------------------------------------
@pytest.mark.slow
def test_a_changed_byte_with_its_mtime_restored_is_found(cli, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    assert cli("train", "lee_2", "--cache-dir", tmp_cache, "-q").code == 0
    (entry,) = (tmp_cache / "models").iterdir()
    target = entry / "vectors.npy"
    before = os.stat(target)
    data = bytearray(target.read_bytes())
    data[-3] ^= 0x01  # one bit of the last float
    target.write_bytes(bytes(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the mtime restored
    run = cli("dims", "lee_2", "--cache-dir", tmp_cache, "--format", "json")
    assert run.code == 0, run.err
    assert any("vectors.npy was changed; rebuilding it" in w for w in run.warnings()), run.err


def test_small_entries_are_hashed_on_open_and_large_ones_say_what_is_checked() -> None:
    from polyterm.engine.cache import FULL_CHECK_BYTES

    # the documented bound: every Brown model (brown_300: 35 MB) is hashed on open
    assert 40 * 2**20 < FULL_CHECK_BYTES < 160 * 2**20


# -- adopting old caches --------------------------------------------------------------------
def test_empty_models_tmp_corpora_folders_are_not_adopted(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "project"
    for sub in ("models", "tmp", "corpora"):
        (root / sub).mkdir(parents=True)
    # a file of the user's whose name looks like one of polyterm's temp files
    precious = root / "tmp" / "999999999-0123456789abcdef0123456789abcdef"
    precious.write_text("mine")
    cli("models", "--cache-dir", root).assert_clean_error(r"is not a polyterm cache")
    assert precious.read_text() == "mine" and not (root / "CACHEDIR.TAG").exists()


# -- a report inside the cache ------------------------------------------------------------
@pytest.mark.parametrize("name", ["CACHEDIR.TAG", "models/report.md", "report.md"])
def test_a_report_target_inside_the_cache_is_refused(cli, tmp_cache: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    ModelCache(tmp_cache)
    tag = (tmp_cache / "CACHEDIR.TAG").read_bytes()
    run = cli("report", "lee_2", "-o", tmp_cache / name, "--force", "--cache-dir", tmp_cache)
    run.assert_clean_error(r"is inside polyterm's cache folder")
    assert (tmp_cache / "CACHEDIR.TAG").read_bytes() == tag
    assert not (tmp_cache / "models").exists() or not list((tmp_cache / "models").iterdir())


# -- closed or full standard output ---------------------------------------------------------
class _FullDisk:
    encoding = "utf-8"

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("no file descriptor")


def test_a_full_stdout_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_cache: Path
) -> None:
    from polyterm.cli import main

    ModelCache(tmp_cache)
    monkeypatch.setattr("sys.stdout", _FullDisk())
    assert main(["models", "--cache-dir", str(tmp_cache), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "polyterm: error: cannot write the output: No space left on device (standard output)\n"
    )


def test_a_closed_stdout_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_cache: Path
) -> None:
    from polyterm.cli import main

    monkeypatch.setattr("sys.stdout", None)
    assert main(["models", "--cache-dir", str(tmp_cache)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("polyterm: error: standard output is closed") and err.count("\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize("redirect", ["> /dev/full", ">&-"])
def test_full_and_closed_stdout_in_a_real_process(redirect: str, tmp_cache: Path) -> None:
    import os
    import shlex
    import subprocess
    import sys

    if redirect == "> /dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    python, cache = shlex.quote(sys.executable), shlex.quote(str(tmp_cache))
    command = f"{python} -m polyterm models --cache-dir {cache} {redirect}"
    run = subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert run.returncode == 2, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("polyterm: error:")


# -- specs ----------------------------------------------------------------------------------
def test_minus_zero_and_zero_are_one_model() -> None:
    from polyterm.engine.cache import cache_key
    from polyterm.engine.specs import parse_train_spec

    a, b = parse_train_spec("lee_5:sample=-0.0"), parse_train_spec("lee_5:sample=0.0")
    assert a == b and a.name == b.name and cache_key(a) == cache_key(b)


def test_a_repeated_spec_option_is_refused(cli, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    cli("train", "lee_5:window=3,window=10", "--cache-dir", tmp_cache).assert_clean_error(
        r"option 'window' is given twice in 'lee_5:window=3,window=10'"
    )


# -- a read-only cache is read ------------------------------------------------------------
def test_a_read_only_cache_is_read_not_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    import numpy as np

    from polyterm.engine import cache as cache_module
    from polyterm.engine.cache import open_cache
    from polyterm.engine.models import ModelLibrary

    words = [f"w{i}" for i in range(30)]
    vectors = tmp_path / "v.txt"
    rows = np.random.default_rng(7).normal(size=(30, 4))
    vectors.write_text(
        "".join(
            w + " " + " ".join(f"{x:.5f}" for x in r) + "\n"
            for w, r in zip(words, rows, strict=True)
        )
    )
    root = tmp_path / "cache"
    first = ModelLibrary(ModelCache(root)).open(str(vectors))
    (made,) = (root / "models").iterdir()

    real = tempfile.NamedTemporaryFile

    def read_only(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if str(kwargs.get("dir", "")).startswith(str(root)):
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(cache_module.tempfile, "NamedTemporaryFile", read_only)
    warnings: list[str] = []
    cache = open_cache(root, warnings.append)
    assert cache.root != root and cache.read_also == root
    assert "Read-only file system" in warnings[0] and "its models are used" in warnings[0]
    assert [e.path for e in cache.entries()] == [made]
    again = ModelLibrary(cache, warn=warnings.append).open(str(vectors))
    assert np.array_equal(np.asarray(again.vectors), np.asarray(first.vectors))
    assert not list((cache.root / "models").iterdir())  # read from the read-only cache, not remade


# -- the explorer's Screenshot when the current folder is gone -----------------------------
@pytest.mark.slow
async def test_screenshot_when_the_current_folder_was_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyterm.app import PolytermApp
    from tests.ui.conftest import toy_model

    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    app = PolytermApp(models=[toy_model("toy_a", 1)], startup=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        gone.rmdir()
        [shot] = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        shot.callback()
        await pilot.pause(0.3)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["could not save the screenshot: the current folder no longer exists"]
        assert app.is_running
    monkeypatch.chdir(tmp_path)


# -- session.json with a path under "selected" ---------------------------------------------
def test_a_path_under_selected_is_left_out_with_a_message(tmp_path: Path) -> None:
    import json

    from polyterm.session import load_session, session_path

    session_path(tmp_path).write_text(
        json.dumps(
            {
                "selected": [
                    "brown_30",
                    "/data/vectors.txt",
                    "lee_5:path=/data/corpus.txt",
                    "mine",
                ],
                "files": [{"name": "mine", "path": "/data/mine.txt"}],
            }
        )
    )
    told: list[str] = []
    session = load_session(tmp_path, told.append)
    assert session is not None
    assert session.selected == ("brown_30", "lee_5:path=/data/corpus.txt", "mine")
    assert len(told) == 1 and "/data/vectors.txt, a path but not a loaded file" in told[0]


@pytest.mark.slow
def test_x_ends_an_explorer_training_job_waiting_on_a_silent_cluster(tmp_path: Path) -> None:
    """Issue 17: `x` cancels a `--cluster` training job in the explorer even while its
    child waits on a scheduler that accepts the connection and never answers: the child
    is ended once it has not answered the cancel in `CANCEL_ANSWER` s (it would otherwise
    wait out its connect timeout), and nothing is stored."""
    import os
    import threading

    pytest.importorskip("distributed")
    from polyterm.engine.models import DEFAULT_OPTIONS, ModelLibrary
    from polyterm.errors import Cancelled
    from polyterm.explorer.trainer import make_in_process

    server = _Server(lifetime=120)
    config = Path(os.environ["POLYTERM_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'cluster = "tcp://127.0.0.1:{server.port}"\n', encoding="utf-8")
    library = ModelLibrary(ModelCache(tmp_path / "cache"))
    cancel, raised = threading.Event(), []

    def job() -> None:
        try:
            make_in_process("lee_4_s7", DEFAULT_OPTIONS, library, progress=lambda _p: None,
                            cancel=cancel)  # fmt: skip
        except BaseException as exc:
            raised.append(exc)

    worker = threading.Thread(target=job, daemon=True)
    worker.start()
    try:
        for _ in range(1200):  # until the child is waiting on the silent scheduler
            if server.held or not worker.is_alive():
                break
            threading.Event().wait(0.1)
        assert server.held, "the child never connected to the scheduler"
        cancel.set()
        worker.join(60)
        assert not worker.is_alive()
        assert len(raised) == 1 and isinstance(raised[0], Cancelled), raised
        assert "did not answer the cancel" in str(raised[0])
        assert library.cached(library.spec("lee_4_s7")) is None
    finally:
        config.unlink()
