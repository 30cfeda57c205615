"""Bases for the panes: models expressed in pca, ica or dict:K, fitted in the background.

`BasisFits` is a plain object the app holds beside its `Workspace` and `Questions`. A pane
asks for a model in a basis (the Dimensions pane's `b`); the fit runs in a thread worker
of the pane's own group (a newer request replaces an older one; `x` cancels it) while the
pane keeps answering in the basis it shows. Once an ica or dict:K basis is in, its
within-model stability is computed in another worker. One `BasisStore` serves every pane
and question, so a basis fitted for one pane is reused by the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.worker import Worker, WorkerState, get_current_worker

from polyterm.core.bases import BasisName
from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.explorer.jobs import fit_basis_for, stability_for
from polyterm.widgets.comparison_pane import ALIGN_K, ALIGN_REPETITIONS, ALIGN_SEED, ALIGN_TOP_N

if TYPE_CHECKING:
    from polyterm.views.alignment import AlignmentView

StoreFactory = Callable[[], BasisStore]


class BasisFits:
    """Fits the bases the panes ask for, one fit per pane at a time."""

    def __init__(self, app: App[Any], store: StoreFactory) -> None:
        self.app = app
        self._store = store
        # (model name, its content hash, basis): not id(), which a later model may reuse
        self.stability_asked: set[tuple[str, str, str]] = set()

    @property
    def store(self) -> BasisStore:
        return self._store()

    def fit(self, pane: str, source: Embedding, basis: BasisName) -> None:
        """Express `source` in `basis` in a worker; BasisReady or BasisFailed follows."""
        store, post = self.store, self.app.post_message
        self.app.run_worker(
            lambda: fit_basis_for(
                post, pane, source, basis, store, get_current_worker().cancelled_event
            ),
            name=f"basis {basis} of {source.name}",
            group=f"basis-{pane}",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def fitting(self, pane: str) -> list[Worker[Any]]:
        """The pane's fits that are running (or starting)."""
        return [
            w
            for w in self.app.workers
            if w.group == f"basis-{pane}" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]

    def cancel(self, pane: str) -> bool:
        """Cancel the pane's fit and the stability runs under way (their worker processes
        are stopped too); whether there was one. Cancelled stability is asked again when
        a pane next needs it."""
        workers = self.fitting(pane) + [
            w
            for w in self.app.workers
            if w.group == "stability" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        for worker in workers:
            worker.cancel()
        if any(w.group == "stability" for w in workers):
            self.stability_asked.clear()
        return bool(workers)

    def stability(self, source: Embedding, basis: BasisName) -> None:
        """The stability of `source`'s components in `basis` (ica, dict:K), once per model
        and basis; StabilityReady follows."""
        key = (source.name, str(source.manifest.get("content_sha256", id(source))), str(basis))
        if basis.kind not in ("ica", "dict") or key in self.stability_asked:
            return
        self.stability_asked.add(key)
        store, post = self.store, self.app.post_message
        self.app.run_worker(
            lambda: stability_for(post, source, basis, store, get_current_worker().cancelled_event),
            name=f"stability {basis} of {source.name}",
            group="stability",
            thread=True,
            exit_on_error=False,
        )

    def alignment(
        self,
        model_a: Embedding,
        model_b: Embedding,
        basis: BasisName,
        progress: Callable[[float], None],
        *,
        k: int = ALIGN_K,
        top_n: int | None = ALIGN_TOP_N,
        repetitions: int = ALIGN_REPETITIONS,
        seed: int = ALIGN_SEED,
        across_seeds: Embedding | None = None,
    ) -> AlignmentView:
        """The two models compared in `basis` (the Compare pane's matched, aligned and
        summary views), in the calling worker: each model's basis fitted unless the store
        has it, then the components' stability (ica, dict:K), then the alignment (and,
        with `across_seeds`, B's different-seed model in the same basis: the seed floor).
        `progress` raises `Cancelled` once the pane's question is cancelled."""
        from polyterm.views.alignment import alignment_in_basis

        return alignment_in_basis(
            model_a,
            model_b,
            BasisRequest(basis),
            self.store,
            k=k,
            top_n=top_n,
            repetitions=repetitions,
            seed=seed,
            progress=lambda fraction, _stage: progress(fraction),
            across_seeds=across_seeds,
        )
