"""Many tests (issue 18, item 5): BH across a family of z-scores."""

from __future__ import annotations

import pytest
from scipy import stats

from polyterm.core.multiple_testing import correct, supported, two_sided_p


def test_p_values_are_the_normal_two_sided_tail() -> None:
    for z in (0.0, 1.0, -2.5, 4.0):
        assert two_sided_p(z) == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


def test_one_z_of_minus_2_5_among_54_does_not_survive() -> None:
    """The issue's case: z −2.5 among 54 statistics (the rest noise) is not supported."""
    family = [("basis shapes the repeats", -2.5)] + [
        (f"t{i}", 0.1 * (i % 7 - 3)) for i in range(53)
    ]
    tests = correct(family)
    assert not supported(tests, "basis shapes the repeats")
    assert stats.false_discovery_control([t.p for t in tests])[0] == pytest.approx(tests[0].q_value)


def test_a_strong_effect_survives_and_a_lone_z_below_3_never_does() -> None:
    tests = correct([("strong", 8.0), ("weak", 2.6), ("none", None)])
    assert [t.label for t in tests] == ["strong", "weak"]  # no z, no test
    assert supported(tests, "strong")
    # alone, p(2.6) = 0.009 passes BH at 0.05, but a reading never rests on |z| < 3
    assert correct([("weak", 2.6)])[0].q_value < 0.05 and not supported(tests, "weak")


def _row(z_repeat: float, z_coherence: float):  # type: ignore[no-untyped-def]
    import numpy as np

    from polyterm.core.embedding import Embedding
    from polyterm.core.nulls import summarise_null
    from polyterm.views.model_summary import ModelSummary
    from polyterm.views.sweep import ModelRow

    values = np.array([0.50, 0.51, 0.49, 0.50, 0.52, 0.48])
    sd = float(values.std(ddof=1))

    def null(z: float) -> object:
        return summarise_null(0.5 + z * sd, values, kind="rotation", seed=0)

    summary = ModelSummary.of(Embedding.from_arrays("M", ["a", "b"], np.eye(2)))
    return ModelRow(summary, 30, 1, null(z_repeat), null(0.0), 0.3, 0.2, 3,
                    null(z_coherence), 1.0)  # fmt: skip


def test_the_report_never_says_the_basis_shapes_the_repeats_on_one_weak_z() -> None:
    from polyterm.views.report import _coherence_label, _repeat_label, _row_readings

    weak = _row(-2.5, 0.5)
    noise = [(f"t{i}", 0.2) for i in range(53)]
    tests = correct([(_repeat_label(weak), -2.5), (_coherence_label(weak), 0.5), *noise])
    text = " ".join(_row_readings(weak, 10, tests))
    assert "the basis itself shapes the repeats" not in text
    assert "belong to the geometry" in text
    strong = _row(-9.0, 6.0)
    tests = correct([(_repeat_label(strong), -9.0), (_coherence_label(strong), 6.0), *noise])
    text = " ".join(_row_readings(strong, 10, tests))
    assert "the basis itself shapes the repeats" in text
    assert "more coherent than random directions." in text


def test_sweep_coherence_reading_needs_a_supported_z() -> None:
    row = _row(0.0, 2.5)
    assert "no more coherent" in row.coherence_reading(supported=False)
    assert "no more coherent" in row.coherence_reading()  # |z| < 3 by default
    assert "more coherent than random directions." in _row(0.0, 4.0).coherence_reading()


def test_a_repeat_finding_that_does_not_recur_at_another_seed_is_not_read() -> None:
    """The issue's case: brown_29 z −3.2 (supported) while brown_29_s2 gives +0.5."""
    from polyterm.views.report import _repeat_label, _row_readings

    here, there = _row(-9.0, 0.0), _row(0.5, 0.0)
    object.__setattr__(there.model, "name", "M_s2")
    tests = correct([(_repeat_label(here), -9.0), (_repeat_label(there), 0.5)])
    text = _row_readings(here, 10, tests, there)[0]
    assert "but not at another seed (M_s2: z +0.5)" in text
    assert "the basis itself shapes the repeats" not in text
    again = _row(-8.0, 0.0)
    object.__setattr__(again.model, "name", "M_s2")
    tests = correct([(_repeat_label(here), -9.0), (_repeat_label(again), -8.0)])
    assert "shapes the repeats" in _row_readings(here, 10, tests, again)[0]
