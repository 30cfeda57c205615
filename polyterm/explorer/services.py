"""The one services object every pane is given when it is composed (`PaneServices`).

A pane asks for its work through it (its question computed in the background, a basis
fitted, two models aligned in a basis) instead of being handed callables by the app after
it mounts. It holds the app's plain objects: the `Workspace` (the loaded models), the
`BasisFits` (one basis store for every pane) and the `Questions` (the panes' workers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from polyterm.core.bases import BasisName
from polyterm.core.embedding import Embedding
from polyterm.explorer.basis_fits import BasisFits
from polyterm.explorer.workspace import Workspace
from polyterm.widgets.catalogue import CachedModel
from polyterm.widgets.pane import Pane, ProgressFn

if TYPE_CHECKING:
    from polyterm.core.features import FeatureLabels
    from polyterm.explorer.questions import Questions
    from polyterm.views.alignment import AlignmentView
    from polyterm.views.meaning_curve import MeaningCurveView
    from polyterm.views.polysemanticity import FeaturesView, GroupingsView
    from polyterm.views.settings import ComparisonSettings
    from polyterm.views.sweep import SweepView

LabelLoader = Callable[[str], "FeatureLabels"]
"""A feature source's labels by its name (`wordnet`, `pos`, `genre`)."""


class Services:
    """`PaneServices` for the explorer's panes (see `polyterm.widgets.pane`)."""

    def __init__(self, workspace: Workspace, bases: BasisFits, *, seed_floor: bool = True) -> None:
        self.workspace = workspace
        self.bases = bases
        self.seed_floor = seed_floor
        """Compute the Compare summary's seed floor, training the partner if needed
        (`PolytermApp(seed_floor=False)`, `polyterm --no-seed-floor`: skip it)."""
        self.questions: Questions | None = None  # set once the main screen exists
        self.label_loader: LabelLoader = self._load_labels  # tests plant their own labels
        self._labels: dict[str, FeatureLabels] = {}
        self._labels_lock = threading.Lock()

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
        self,
        a: Embedding,
        b: Embedding,
        basis: BasisName,
        progress: ProgressFn,
        across_seeds: Embedding | None = None,
    ) -> AlignmentView:
        return self.bases.alignment(a, b, basis, progress, across_seeds=across_seeds)

    def seed_partner(self, a: Embedding, b: Embedding, progress: ProgressFn) -> Embedding | None:
        from polyterm.engine.seed_floor import seed_partner_spec, shares_seed
        from polyterm.errors import Cancelled

        if not self.seed_floor or not shares_seed(a, b):
            return None
        spec = seed_partner_spec(b)
        if spec is None:
            return None
        # a snapshot: the main thread may change the open models meanwhile
        opened = next((m for m in tuple(self.workspace.models.values()) if m.name == spec), None)
        library = self.workspace.library
        if opened is not None or library is None:
            return opened
        from polyterm.engine.models import OpenOptions
        from polyterm.explorer.trainer import make_in_process

        stopped = threading.Event()

        def report(p: object) -> None:
            try:
                progress(float(getattr(p, "fraction", 0.0)))
            except Cancelled:
                stopped.set()

        parsed = library.spec(spec, OpenOptions())
        try:
            if library.cached(parsed) is None:  # trained as the Train form does: its own process
                make_in_process(spec, OpenOptions(), library, progress=report, cancel=stopped)
            model = library.open(spec, progress=report, cancel=stopped)
        except Cancelled:
            stopped.set()
        if stopped.is_set():
            raise Cancelled(f"training {spec} for the seed floor was cancelled")
        return model

    # -- polysemanticity (each in the calling worker; `progress` raises `Cancelled`) ---------
    def _load_labels(self, source: str) -> FeatureLabels:
        from polyterm.engine.feature_sources import load_feature_source

        library = self.workspace.library
        root = library.cache.root if library is not None else None
        return load_feature_source(source, cache_root=root, warn=self.workspace.warn_from_thread)

    def feature_labels(self, source: str) -> FeatureLabels:
        """The labels of `source`, read (or built, ~30-50 s the first time for wordnet)
        once per run."""
        with self._labels_lock:
            labels = self._labels.get(source)
            if labels is None:
                labels = self._labels[source] = self.label_loader(source)
            return labels

    def _coded(self, model: Embedding, basis: BasisName, progress: ProgressFn) -> Embedding:
        from polyterm.engine.bases import BasisRequest
        from polyterm.views.basis_comparison import in_basis

        if basis.kind == "raw":
            return model
        return in_basis(
            self.bases.store, model, BasisRequest(basis), progress=lambda f, _s: progress(f)
        )

    def features(
        self,
        model: Embedding,
        basis: BasisName,
        source: str,
        progress: ProgressFn,
        *,
        dim: int | None = None,
        restrict: int | None = None,
    ) -> FeaturesView:
        from polyterm.views.polysemanticity import features_view

        progress(0.0)
        labels = self.feature_labels(source)
        progress(0.3)
        coded = self._coded(model, basis, progress)
        progress(0.5)
        return features_view(coded, labels, base=model, dim=dim, restrict=restrict)

    def groupings(
        self, a: Embedding, b: Embedding, basis: BasisName, source: str, progress: ProgressFn
    ) -> GroupingsView:
        from polyterm.views.polysemanticity import groupings_view

        progress(0.0)
        labels = self.feature_labels(source)
        progress(0.2)
        coded = [self._coded(a, basis, progress), self._coded(b, basis, progress)]
        progress(0.5)
        return groupings_view(coded, labels, bases=[a, b])

    def sweep(
        self,
        models: Sequence[Embedding],
        corpus: str,
        settings: ComparisonSettings,
        basis: BasisName,
        progress: ProgressFn,
    ) -> SweepView:
        from polyterm.engine.bases import BasisRequest
        from polyterm.views.sweep import sweep_view

        if basis.kind == "raw":
            return sweep_view(models, corpus=corpus, settings=settings, progress=progress)
        return sweep_view(
            models,
            corpus=corpus,
            settings=settings,
            progress=progress,
            bases=(BasisRequest(), BasisRequest(basis)),
            store=self.bases.store,
        )

    def meaning_curve(
        self, models: Sequence[Embedding], basis: BasisName, source: str, progress: ProgressFn
    ) -> MeaningCurveView:
        from polyterm.engine.bases import BasisRequest
        from polyterm.views.meaning_curve import meaning_curve_view

        progress(0.0)
        labels = self.feature_labels(source)
        done = [0]

        def step(_stage: str) -> None:
            progress(min(0.95, 0.2 + 0.8 * done[0] / max(1, len(models))))
            done[0] += 1

        return meaning_curve_view(
            models, labels, bases=(BasisRequest(basis),), store=self.bases.store, progress=step
        )
