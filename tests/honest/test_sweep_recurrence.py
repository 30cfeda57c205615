"""Sweep readings call something only when it recurs at another seed (issue 18, item 5)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from polyterm.core.embedding import Embedding
from polyterm.core.nulls import NullSummary, summarise_null
from polyterm.engine.bases import BasisRequest
from polyterm.views.model_summary import ModelSummary
from polyterm.views.sweep import BasisPairRow, ModelRow, SweepView

VALUES = np.array([0.50, 0.51, 0.49, 0.50, 0.52, 0.48])
SD = float(VALUES.std(ddof=1))
ICA = BasisRequest.of("ica")


def _null(z: float) -> NullSummary:
    return summarise_null(0.5 + z * SD, VALUES, kind="rotation", seed=0)


def _row(name: str, dims: int, seed: int, z_repeat: float, z_coherence: float = 0.0) -> ModelRow:
    summary = ModelSummary.of(Embedding.from_arrays(name, ["a", "b"], np.eye(2)))
    return ModelRow(summary, dims, seed, _null(z_repeat), _null(0.0), 0.3, 0.2, 3,
                    _null(z_coherence), 1.0)  # fmt: skip


def _sweep(rows: list[ModelRow], basis_pairs: Sequence[BasisPairRow] = ()) -> SweepView:
    return SweepView("brown", 10, 10_000, 20, tuple(rows), (), None, (ICA,), tuple(basis_pairs))


def _repeats(view: SweepView, name: str) -> str:
    return next(r for r in view.readings() if r.startswith(f"{name}: ") and "slots" in r)


def test_a_repeat_call_at_one_seed_only_is_not_made() -> None:
    """The issue's case: one seed says the basis shapes the repeats, the other does not."""
    view = _sweep([_row("b_30", 30, 1, -9.0), _row("b_30_s2", 30, 2, 0.5)])
    text = _repeats(view, "b_30")
    assert "the basis itself shapes the repeats" not in text
    assert "but not at another seed (b_30_s2: z +0.5)" in text
    both = _sweep([_row("b_30", 30, 1, -9.0), _row("b_30_s2", 30, 2, -8.0)])
    assert "the basis itself shapes the repeats" in _repeats(both, "b_30")


def test_without_another_seed_the_sweep_makes_no_call() -> None:
    view = _sweep([_row("b_30", 30, 1, -9.0), _row("b_29", 29, 1, 0.0)])
    text = _repeats(view, "b_30")
    assert "the basis itself shapes the repeats" not in text
    assert "no other seed of this size" in text


def test_coherence_is_called_only_when_it_recurs() -> None:
    lone = _sweep([_row("b_30", 30, 1, 0.0, 9.0), _row("b_30_s2", 30, 2, 0.0, 0.2)])
    text = " ".join(lone.readings())
    assert "Its dimensions are more coherent than random directions." not in text
    assert "does not recur at another seed (b_30_s2: z +0.2)" in text
    both = _sweep([_row("b_30", 30, 1, 0.0, 9.0), _row("b_30_s2", 30, 2, 0.0, 7.0)])
    assert "Its dimensions are more coherent than random directions." in " ".join(both.readings())


def _basis_pair(a: str, b: str, z: float) -> BasisPairRow:
    return BasisPairRow(a, b, "adjacent sizes", ICA, _null(z), "rotation")


def test_a_basis_pair_beyond_its_null_at_one_seed_only_is_not_counted() -> None:
    rows = [_row("b_30", 30, 1, 0.0), _row("b_29", 29, 1, 0.0),
            _row("b_30_s2", 30, 2, 0.0), _row("b_29_s2", 29, 2, 0.0)]  # fmt: skip
    lone = _sweep(rows, [_basis_pair("b_30", "b_29", 9.0), _basis_pair("b_30_s2", "b_29_s2", 0.3)])
    text = next(r for r in lone.readings() if r.startswith("In the ica basis"))
    assert "0 of 2 pairs beyond their null" in text
    assert "at one seed only, not read as an effect: b_30 vs b_29." in text
    both = _sweep(rows, [_basis_pair("b_30", "b_29", 9.0), _basis_pair("b_30_s2", "b_29_s2", 8.0)])
    text = next(r for r in both.readings() if r.startswith("In the ica basis"))
    assert "2 of 2 pairs beyond their null" in text and "one seed only" not in text
