"""The explorer's `x` (BasisFits.cancel) stops the stability runs as well as the pane's fit;
their worker processes stop with them (tests/test_basis_store.py: cancelled runs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.worker import WorkerState

from polyterm.explorer.basis_fits import BasisFits


@dataclass
class FakeWorker:
    group: str
    state: WorkerState = WorkerState.RUNNING
    cancelled: bool = field(default=False)

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeApp:
    workers: list[FakeWorker]


def test_x_cancels_the_fit_and_the_stability_runs_and_asks_again_later() -> None:
    fit = FakeWorker("basis-dimensions")
    other_pane = FakeWorker("basis-compare")
    stability = FakeWorker("stability")
    finished = FakeWorker("stability", state=WorkerState.SUCCESS)
    app: Any = FakeApp([fit, other_pane, stability, finished])
    fits = BasisFits(app, lambda: None)  # type: ignore[arg-type, return-value]
    fits.stability_asked.add(("brown_30", "abc", "dict:120"))
    assert fits.cancel("dimensions")
    assert fit.cancelled and stability.cancelled
    assert not other_pane.cancelled and not finished.cancelled
    assert fits.stability_asked == set()  # so it is computed when next needed
    app.workers = [other_pane]
    assert not fits.cancel("dimensions")
