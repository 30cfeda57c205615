"""How many BLAS threads numpy uses: chosen per step, never inherited.

OpenBLAS starts one thread per core and, on a machine whose cores are busy with other
work, those threads spin against each other and lose: `polyterm align brown_30
glove-6b-50` took 4.2–5.6 s with one BLAS thread and 12.4–15.2 s with two on a 2-core
machine at load average 8 (both in one run; `notes/bases.md`). So:

- **The explorer and every training child run with one thread** for their whole life
  (`pin_process`): the explorer's work runs in thread workers beside a training child,
  and BLAS's thread count is one setting per process, so it cannot be raised for one
  worker without raising it for all.
- **Each numeric step runs with `threads_for(flops)`** (`numeric_step`): one thread for
  a step below `SMALL_STEP_FLOPS` (thread start-up and synchronisation cost more than
  they give) or while the machine's cores are taken by other work (the 1-minute load
  average, less this process, leaves fewer than two idle cores); otherwise the idle
  cores. A CLI command runs as one step sized as a large one (`command_step`).
- **Basis fits, codes and stability runs use one thread** (`one_blas_thread`): they
  iterate small products (k × n by n × k) at any machine load; the ICA fit of
  glove-6b-50 on 50,000 words took 95 s with two threads and 16 s with one.

Limits nest: an inner step never raises the count an outer block (or `pin_process`)
set, and may lower it for the rest of the outer block; the count from before the
outermost block is restored when the last overlapping block of any thread ends.
`threadpoolctl` does the setting; without it (or with a BLAS it cannot drive) every
function here is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

SMALL_STEP_FLOPS = 5e8
"""Below this many floating-point operations a step runs on one thread, whatever the load."""
LARGE_STEP_FLOPS = 1e12
"""The size `command_step` assumes for a whole command (its largest products decide)."""

_guard = threading.Lock()
_users = 0
_limiter: Any = None
_active_limit: int | None = None
_pinned: int | None = None


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def other_load() -> float:
    """Runnable processes other than this one (the 1-minute load average, less one)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0
    return max(0.0, load - 1.0)


def threads_for(flops: float) -> int:
    """The BLAS thread count that is fastest for a step of `flops` operations now: 1 for a
    small step, for a process pinned to one thread, or when fewer than two cores are
    idle; else the idle cores (at most `cores()`)."""
    if _pinned is not None:
        return _pinned
    if flops < SMALL_STEP_FLOPS:
        return 1
    idle = cores() - other_load()
    return max(1, min(cores(), int(idle)))


def current_threads() -> list[int]:
    """The thread count of each BLAS library numpy has loaded (for tests and reports)."""
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-untyped]
    except ImportError:
        return []
    return [int(p["num_threads"]) for p in threadpool_info() if p.get("user_api") == "blas"]


_loaded = False


def _load_blas_libraries() -> None:
    """Load every BLAS a step may use before limiting them: scipy's wheels bring their
    own OpenBLAS, loaded on first import of ``scipy.linalg``; one loaded only inside a
    step would run with its default thread count."""
    global _loaded
    if not _loaded:
        _loaded = True
        with contextlib.suppress(ImportError):
            import scipy.linalg  # noqa: F401


_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _set_for_later(threads: int) -> None:
    """The count for BLAS libraries loaded from now on (they read these at load time) and
    for child processes."""
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(threads)


@contextlib.contextmanager
def blas_threads(threads: int, *, load_all: bool = True) -> Iterator[None]:
    """Run the block with numpy's BLAS on at most `threads` threads (see the module doc:
    an inner block never raises an outer block's count). `load_all` first loads scipy's
    own BLAS (~0.1 s) so that it is limited too."""
    global _users, _limiter, _active_limit
    if _pinned is not None:
        threads = min(threads, _pinned)
    if load_all:
        _load_blas_libraries()
    with _guard:
        if _users == 0:
            try:
                from threadpoolctl import threadpool_limits

                _limiter = threadpool_limits(limits=max(1, threads), user_api="blas")
                _active_limit = max(1, threads)
            except Exception:  # no threadpoolctl, or a BLAS it cannot drive: as it is
                _limiter, _active_limit = None, None
        elif _limiter is not None and _active_limit is not None and threads < _active_limit:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=max(1, threads), user_api="blas")
            _active_limit = max(1, threads)
        _users += 1
    try:
        yield
    finally:
        with _guard:
            _users -= 1
            if _users == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter, _active_limit = None, None


def one_blas_thread() -> contextlib.AbstractContextManager[None]:
    """`blas_threads(1)`: for basis fits, codes, stability runs and null draws."""
    return blas_threads(1)


def numeric_step(flops: float) -> contextlib.AbstractContextManager[None]:
    """Run a numeric step of about `flops` operations with `threads_for(flops)` threads."""
    return blas_threads(threads_for(flops))


@contextlib.contextmanager
def command_step() -> Iterator[None]:
    """A CLI command as one large step: the idle cores, or one thread on a busy machine
    (the BLAS libraries the command loads later read the count from the environment,
    which is restored afterwards)."""
    threads = threads_for(LARGE_STEP_FLOPS)
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    _set_for_later(threads)
    try:
        with blas_threads(threads, load_all=False):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pin_process(threads: int = 1) -> None:
    """Set this process's BLAS to `threads` threads for good (the explorer, training
    children, sweep workers): every later step asks for at most this many."""
    global _pinned
    _pinned = max(1, threads)
    _set_for_later(_pinned)  # scipy's own BLAS, loaded later, and child processes
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=_pinned, user_api="blas")
    except Exception:  # no threadpoolctl, or a BLAS it cannot drive
        pass
