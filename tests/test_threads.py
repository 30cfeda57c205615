"""The BLAS-thread policy (polyterm/engine/threads.py) is applied where it says: checked
with threadpoolctl's own report inside each step, never with timings."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from polyterm.engine import threads


def _blas() -> list[int]:
    return threads.current_threads()


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    threads._load_blas_libraries()  # scipy's own OpenBLAS too, as the first step does
    if not _blas():
        pytest.skip("numpy's BLAS is not one threadpoolctl can drive")
    monkeypatch.setattr(threads, "cores", lambda: 2)
    monkeypatch.setattr(threads, "_pinned", None)


def test_the_policy_picks_one_thread_for_small_steps_and_busy_machines(
    two_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads, "other_load", lambda: 0.0)
    assert threads.threads_for(1e6) == 1
    assert threads.threads_for(1e11) == 2
    monkeypatch.setattr(threads, "other_load", lambda: 0.7)  # part of a core taken
    assert threads.threads_for(1e11) == 1
    monkeypatch.setattr(threads, "other_load", lambda: 6.0)  # load average 7 on 2 cores
    assert threads.threads_for(1e11) == 1


def test_numeric_steps_run_with_the_chosen_count_and_restore_it(
    two_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _blas()
    monkeypatch.setattr(threads, "other_load", lambda: 0.0)
    with threads.numeric_step(1e11):
        assert _blas() == [2] * len(before)
        with threads.one_blas_thread():  # an inner step lowers it
            assert _blas() == [1] * len(before)
        with threads.numeric_step(1e11):  # and never raises it again
            assert _blas() == [1] * len(before)
    assert _blas() == before
    monkeypatch.setattr(threads, "other_load", lambda: 6.0)
    with threads.numeric_step(1e11):
        assert _blas() == [1] * len(before)
    assert _blas() == before


def test_a_cli_command_runs_as_one_step_of_the_policy(
    two_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyterm.cli import commands, main

    seen: list[list[int]] = []

    def run(_args: Any, _err: Any) -> int:
        seen.append(_blas())
        return 0

    monkeypatch.setattr(commands, "run", run)
    for load, want in ((0.0, 2), (6.0, 1)):
        monkeypatch.setattr(threads, "other_load", lambda load=load: load)
        assert main(["models"]) == 0
        assert seen[-1] == [want] * len(_blas())


def test_basis_fits_and_stability_runs_use_one_thread(
    two_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from polyterm.core import stability as stability_module
    from polyterm.core.embedding import Embedding
    from polyterm.engine import bases as bases_module
    from polyterm.engine.bases import BasisRequest, BasisStore

    monkeypatch.setattr(threads, "other_load", lambda: 0.0)
    seen: list[list[int]] = []
    real_fit, real_stability = bases_module.fit_basis, bases_module.parallel_stability

    def fit(*args: Any, **kwargs: Any) -> Any:
        seen.append(_blas())
        return real_fit(*args, **kwargs)

    def stab(*args: Any, **kwargs: Any) -> Any:
        seen.append(_blas())  # in this process; its workers pin themselves (tested below)
        return real_stability(*args, **kwargs)

    monkeypatch.setattr(bases_module, "fit_basis", fit)
    monkeypatch.setattr(bases_module, "parallel_stability", stab)
    rng = np.random.default_rng(0)
    model = Embedding.from_arrays(
        "planted", [f"w{i}" for i in range(400)], rng.laplace(size=(400, 4)).astype(np.float32)
    )
    request = BasisRequest.of("ica", fit_words=300)
    with threads.numeric_step(1e12):  # even inside a step that has two threads
        BasisStore().in_basis(model, request)
        BasisStore().stability(model, request, runs=2)
    assert seen and all(s == [1] * len(_blas()) for s in seen)
    assert stability_module is not None


@pytest.mark.slow
def test_training_children_sweep_workers_and_the_explorer_are_pinned_to_one_thread() -> None:
    code = (
        "import numpy, threading\n"
        "from polyterm.engine import threads, sweep\n"
        "import os\nsweep._init(None, None, os.getppid())\n"  # what a sweep worker runs first
        "with threads.numeric_step(1e13):\n"
        "    print(threads.current_threads())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    counts = eval(out.stdout.strip())
    assert counts and set(counts) == {1}
    import inspect

    from polyterm.cli import _start_explorer
    from polyterm.explorer import trainer

    assert "pin_process(1)" in inspect.getsource(trainer._child)
    assert "pin_process(1)" in inspect.getsource(_start_explorer)
