"""Computing dimensions ahead: no deadlock on instant work, no work done twice."""

from __future__ import annotations

import threading
import time

from polyterm.widgets.prefetch import Ahead


def test_instant_work_and_new_batches_do_not_deadlock() -> None:
    ahead = Ahead()
    done = threading.Event()

    def browse() -> None:
        for i in range(2000):  # work that is finished before its callback is added
            ahead.warm([(k, lambda k=k: k) for k in (i + 1, i + 2, i - 1)])
            assert ahead.get(i, lambda i=i: i) == i
        done.set()

    threading.Thread(target=browse, daemon=True).start()
    assert done.wait(20), "Ahead deadlocked"
    ahead.close()


def test_a_request_waits_for_the_same_work_running_ahead() -> None:
    ahead, calls = Ahead(), []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "view"

    ahead.warm([("dim 3", slow)])
    time.sleep(0.05)  # it is running now
    assert ahead.get("dim 3", slow) == "view"
    assert len(calls) == 1
    ahead.close()
