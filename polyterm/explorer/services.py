"""The one services object every pane is given when it is composed (`PaneServices`).

A pane asks for its work through it (its question computed in the background, a basis
fitted, two models aligned in a basis) instead of being handed callables by the app after
it mounts. It holds the app's plain objects: the `Workspace` (the loaded models), the
`BasisFits` (one basis store for every pane) and the `Questions` (the panes' workers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from polyterm.core.bases import BasisName
from polyterm.core.embedding import Embedding
from polyterm.explorer.basis_fits import BasisFits
from polyterm.explorer.workspace import Workspace
from polyterm.widgets.catalogue import CachedModel
from polyterm.widgets.pane import Pane, ProgressFn

if TYPE_CHECKING:
    from polyterm.explorer.questions import Questions
    from polyterm.views.alignment import AlignmentView


class Services:
    """`PaneServices` for the explorer's panes (see `polyterm.widgets.pane`)."""

    def __init__(self, workspace: Workspace, bases: BasisFits) -> None:
        self.workspace = workspace
        self.bases = bases
        self.questions: Questions | None = None  # set once the main screen exists

    def ask(self, pane: Pane) -> None:
        if self.questions is not None:
            self.questions.ask(pane)

    def fit_basis(self, pane: str, model: str, basis: BasisName) -> None:
        source = self.workspace.models.get(model)
        if basis.kind == "raw" or source is None:
            self.bases.cancel(pane)
        else:
            self.bases.fit(pane, source, basis)

    def cancel_basis(self, pane: str) -> bool:
        return self.bases.cancel(pane)

    def cached_models(self) -> tuple[CachedModel, ...]:
        return self.workspace.catalogue.cached

    def open_models(self, names: Sequence[str]) -> None:
        for name in names:
            self.workspace.select(name, True)

    def align(
        self, a: Embedding, b: Embedding, basis: BasisName, progress: ProgressFn
    ) -> AlignmentView:
        return self.bases.alignment(a, b, basis, progress)
