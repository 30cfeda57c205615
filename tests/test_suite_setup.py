"""The test suite itself: what the default run and CI run, and skips for missing corpora.

Issue 11 ("the test suite a contributor can live with"): the default `pytest` leaves out the
slow tests and runs on every core, CI runs the README's command and then the slow tests
(together: the whole suite), and a test that needs an NLTK corpus other than Brown skips
when it is missing instead of failing.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from polyterm.core.embedding import Embedding
from polyterm.engine.cache import ModelCache
from polyterm.engine.progress import Progress
from tests.shared_models import SharedLibrary, run_temp_root

REPO = Path(__file__).resolve().parent.parent
README_TEST_COMMAND = (
    'pip install -e ".[glove,cluster,blind,figures,notebook,test]" && pytest -q -p no:cacheprovider'
)
SLOW_COMMAND = "pytest -q -p no:cacheprovider -m slow"


def _pytest_options() -> dict[str, object]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    options: dict[str, object] = data["tool"]["pytest"]["ini_options"]
    return options


def _test_extra() -> list[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    extra: list[str] = data["project"]["optional-dependencies"]["test"]
    return extra


def test_the_default_run_leaves_out_slow_tests_and_runs_in_parallel() -> None:
    addopts = shlex.split(str(_pytest_options()["addopts"]))
    assert addopts[addopts.index("-m") + 1] == "not slow"
    assert addopts[addopts.index("-n") + 1] == "auto"
    assert any(m.startswith("slow:") for m in _pytest_options()["markers"])  # type: ignore[attr-defined]
    assert any(re.match(r"pytest-xdist\b", dep) for dep in _test_extra())


def test_ci_runs_the_readme_command_and_then_the_slow_tests() -> None:
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert README_TEST_COMMAND in commands
    assert SLOW_COMMAND in commands
    assert commands.index(SLOW_COMMAND) > commands.index(README_TEST_COMMAND)


def test_workers_share_one_session_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    expected = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    assert run_temp_root(tmp_path_factory) == expected


def test_a_model_opened_by_two_workers_at_once_is_trained_once(tmp_path: Path) -> None:
    """The second opener waits for the first one's training and reads its cache entry."""
    started = threading.Event()
    trained: list[str] = []

    def first_progress(p: Progress) -> None:
        if p.stage == "train" and "first" not in trained:
            trained.append("first")
            started.set()
            time.sleep(1.0)  # the second opener arrives during this training

    def second_progress(p: Progress) -> None:
        if p.stage == "train" and "second" not in trained:
            trained.append("second")

    def library() -> SharedLibrary:  # one per worker: its own cache object, shared folders
        return SharedLibrary(ModelCache(tmp_path / "cache"), tmp_path / "locks")

    results: dict[str, Embedding] = {}
    first = threading.Thread(
        target=lambda: results.setdefault("first", library().open("lee_4", progress=first_progress))
    )
    first.start()
    assert started.wait(120), "the first opener never started training"
    results["second"] = library().open("lee_4", progress=second_progress)
    first.join(120)
    assert trained == ["first"]
    assert list(results["first"].vocab) == list(results["second"].vocab)


async def test_a_notification_outlasts_a_slow_test() -> None:
    """Under load a test may look for a notification more than its timeout after it was
    raised; in tests notifications never expire, so the answer does not depend on load."""
    from textual.app import App

    app: App[None] = App()
    async with app.run_test() as pilot:
        app.notify("still here", timeout=0.01)
        await pilot.pause(0.2)
        assert [n.message for n in app._notifications] == ["still here"]


# -- running pytest itself (a process each: slow) ---------------------------------------------
def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without what marks the current run (an xdist worker, snapshots)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "TEXTUAL_SNAPSHOT")) and k != "PYTHONHASHSEED"
    }
    return {**env, **extra}


def _pytest(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q", "-rs",
         "--basetemp", str(tmp_path / "basetemp"), *args],
        cwd=REPO,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip


_COLLECTED = re.compile(r"(\d+)(?:/(\d+))? tests? collected(?: \((\d+) deselected\))?")


def _counts(tmp_path: Path, *args: str) -> tuple[int, int, int]:
    """(selected, collected, deselected) of one `--collect-only -q` run, read from its
    summary line (`12/30 tests collected (18 deselected)`)."""
    run = _pytest(tmp_path, "--collect-only", *args)
    assert run.returncode in (0, 5), run.stdout + run.stderr  # 5: nothing selected
    found = _COLLECTED.search(run.stdout)
    assert found is not None, run.stdout
    selected = int(found[1])
    total = int(found[2] or selected)
    return selected, total, int(found[3] or 0)


@pytest.mark.slow
def test_the_default_and_slow_runs_together_are_the_whole_suite(tmp_path: Path) -> None:
    """One collection (no test is run): the slow tests and the ones `-m slow` deselects
    add up to everything collected, and the deselected ones are what the default run's
    `-m 'not slow'` selects (checked on pyproject's addopts above): the two runs of CI
    together are the whole suite and share no test."""
    slow, total, deselected = _counts(tmp_path, "-m", "slow")
    assert slow > 0 and deselected > 0
    assert slow + deselected == total


@pytest.mark.slow
def test_a_test_needing_the_inaugural_corpus_skips_without_it(tmp_path: Path) -> None:
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    node = (
        "tests/hardening/test_corpora.py::"
        "test_cancel_while_reading_a_corpus_is_not_reported_as_damage"
    )
    run = _pytest(tmp_path, node, NLTK_DATA=str(empty), HOME=str(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout and "inaugural corpus is not installed" in run.stdout


@pytest.mark.slow
def test_the_offline_download_case_skips_when_the_corpus_is_installed(tmp_path: Path) -> None:
    """`train names_10 --download` shows the offline error only when names is missing."""
    data = tmp_path / "nltk_data"
    (data / "corpora").mkdir(parents=True)
    with zipfile.ZipFile(data / "corpora" / "names.zip", "w") as zf:
        zf.writestr("names/male.txt", "\n".join(["adam", "bob", "carl"] * 50) + "\n")
        zf.writestr("names/female.txt", "\n".join(["alice", "beth", "cara"] * 50) + "\n")
    node = (
        "tests/hardening/test_cli_subprocess.py::"
        "test_one_line_on_stderr_and_no_traceback[nltk-download-offline]"
    )
    run = _pytest(tmp_path, node, NLTK_DATA=str(data), HOME=str(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout and "names corpus is installed" in run.stdout


def test_ci_runs_the_goldens_again_under_another_blas_kernel() -> None:
    """Issue 17: goldens and snapshots pass on every CPU; CI proves it with a second kernel."""
    text = (REPO / ".ci" / "run").read_text()
    assert 'OPENBLAS_CORETYPE="$other_kernel" pytest -q -p no:cacheprovider -m golden' in text
    assert "other_kernel=Haswell" in text and "other_kernel=Prescott" in text
    assert text.index("-m golden") > text.index(SLOW_COMMAND)
    assert any(m.startswith("golden:") for m in _pytest_options()["markers"])  # type: ignore[attr-defined]
