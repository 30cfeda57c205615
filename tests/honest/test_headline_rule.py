"""Headlines match evidence (issue 18, item 6): every reading of the "where universality
lives" view comes from the table's decision rule, and each is fed a counter-example."""

from __future__ import annotations

import numpy as np

from polyterm.core.embedding import Embedding
from polyterm.core.nulls import summarise_null
from polyterm.engine.bases import BasisRequest
from polyterm.views.basis_comparison import BasisComparison, BasisPair, PairRobustness
from polyterm.views.model_summary import ModelSummary
from polyterm.views.protocol import plain, table_by_key
from polyterm.views.where_universality import (
    PairInBases,
    Verdict,
    WhereUniversalityView,
    verdict,
)


def _summary(name: str) -> ModelSummary:
    return ModelSummary.of(Embedding.from_arrays(name, ["a", "b"], np.eye(2)))


def _comparison(
    basis: str,
    *,
    z: float,
    shared: int,
    stable: bool | None,
    frequency: bool = False,
    n: int = 10,
) -> BasisComparison:
    request = BasisRequest.of(basis)
    null_values = np.array([0.30, 0.31, 0.29, 0.30, 0.32, 0.28])
    sd = float(null_values.std(ddof=1))
    mean = summarise_null(0.3 + z * sd, null_values, kind="rotation", seed=0)
    kind = "shuffle" if basis.startswith("dict") else "rotation"
    rho = -0.9 if frequency else 0.01
    pairs = tuple(
        BasisPair(
            axis_a=i, axis_b=i, r=0.9 - 0.01 * i, p=0.001 if i < shared else 0.9,
            shared=i < shared, words_a=("x",), words_b=("x",),
            stability_a=None if stable is None else (0.9 if stable else 0.3),
            stability_b=None if stable is None else (0.9 if stable else 0.3),
            stable=stable,
            robust=PairRobustness(0.8, 0.8, 0.1, rho, rho),
        )
        for i in range(n)
    )  # fmt: skip
    known = stable is not None
    return BasisComparison(
        basis=request, n_words=1000, codes=(n, n), null_kind=kind, repetitions=1000, seed=0,
        fdr_q=0.05, mean_matched=mean, n_pairs=n, n_shared=shared, best_shared=(shared, shared),
        stability_runs=10 if known else 0,
        n_stable=(n if stable else 0) if known else None,
        n_universal=(shared if stable else 0) if known else None,
        stable_components=((n, n) if stable else (0, 0)) if known else None,
        pairs=pairs,
    )  # fmt: skip


def _view(*comparisons: BasisComparison) -> WhereUniversalityView:
    a, b = _summary("A"), _summary("B")
    return WhereUniversalityView(
        models=(a, b), bases=tuple(c.basis for c in comparisons),
        pairs=(PairInBases(a, b, comparisons),), top_n=10_000, k=10, repetitions=1000,
        seed=0, stability_runs=10, fdr_q=0.05,
    )  # fmt: skip


def _headline(view: WhereUniversalityView) -> str:
    return view.readings()[0]


def _last_column(view: WhereUniversalityView) -> list[str]:
    return [plain(r[-1]) for r in table_by_key(view.tables(), "bases").rows]


def test_the_true_case_is_called_shared() -> None:
    c = _comparison("ica", z=25, shared=8, stable=True)
    view = _view(c)
    assert verdict(c) is Verdict.SHARED
    assert _headline(view).startswith("A vs B: the groupings are shared beyond chance in ica")
    assert _last_column(view) == ["yes"]


def test_only_the_weak_shuffle_null_is_beaten() -> None:
    """The report's brown_30 vs glove-6b-50 in dict:120: z +63.8 against the shuffle, 18
    pairs shared, none stable — the headline must not say 'shared beyond chance'."""
    c = _comparison("dict:120", z=63.8, shared=18, stable=True)
    view = _view(c)
    assert verdict(c) is Verdict.WEAK_NULL_ONLY
    head = _headline(view)
    assert "shared beyond chance in" not in head
    assert head.startswith("A vs B: no basis shares the groupings beyond chance")
    assert "only the weak shuffle null is beaten" in head
    assert _last_column(view) == ["no: only the weak shuffle null is beaten"]


def test_shared_but_unstable_is_not_called_shared() -> None:
    c = _comparison("ica", z=25, shared=8, stable=False)
    head = _headline(_view(c))
    assert "shared beyond chance in" not in head
    assert "no shared pair is stable in both models" in head


def test_frequency_axes_alone_are_not_a_shared_meaning() -> None:
    c = _comparison("ica", z=25, shared=3, stable=True, frequency=True)
    view = _view(c)
    assert verdict(c) is Verdict.FREQUENCY_ONLY
    readings = view.readings()
    assert "shared beyond chance in" not in readings[0]
    assert any("frequency ax" in r and "not counted as a shared meaning" in r for r in readings)


def test_a_single_z_below_3_is_not_enough() -> None:
    c = _comparison("ica", z=2.5, shared=1, stable=True)
    assert verdict(c) is Verdict.NO
    assert "shared beyond chance in" not in _headline(_view(c))


def test_beating_the_null_with_no_pair_shared_is_not_enough() -> None:
    c = _comparison("pca", z=10, shared=0, stable=None)
    assert verdict(c) is Verdict.NO
    assert "shared beyond chance in" not in _headline(_view(c))


def test_a_shared_and_an_unshared_basis_are_told_apart() -> None:
    good = _comparison("ica", z=25, shared=8, stable=True)
    weak = _comparison("dict:120", z=60, shared=30, stable=False)
    head = _headline(_view(good, weak))
    assert head.startswith("A vs B: the groupings are shared beyond chance in ica")
    shared_part, not_part = head.split("; not in ", 1)
    assert "dict:120" not in shared_part and "dict:120" in not_part
    assert "only the weak shuffle null is beaten" in not_part


def test_alignment_reading_needs_z_of_3_for_corresponding_dimensions() -> None:
    from polyterm.views.alignment import matched_verdict

    values = np.array([0.30, 0.31, 0.29, 0.30, 0.32, 0.28])
    sd = float(values.std(ddof=1))

    def null(z: float):  # type: ignore[no-untyped-def]
        return summarise_null(0.3 + z * sd, values, kind="rotation", seed=0)

    assert "correspond beyond" in matched_verdict(null(5.0))
    weak = matched_verdict(null(2.5))  # the old rule (z > 2) called this a correspondence
    assert "correspond beyond" not in weak and "too weak" in weak
    assert "no better than a random basis" in matched_verdict(null(0.5))


def test_universality_baseline_reading_does_not_claim_beyond_geometry_when_not_beaten() -> None:
    from polyterm.views.universality import _beats

    values = np.array([0.60, 0.70, 0.65, 0.75, 0.62, 0.68])
    assert _beats(summarise_null(0.66, values, kind="shuffle", seed=0)) is False
    assert _beats(summarise_null(0.95, values, kind="shuffle", seed=0)) is True
    assert _beats(None) is None
