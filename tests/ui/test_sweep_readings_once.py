"""The Sweep pane says the coherence verdict once, not once per model (issue 17 §3)."""

from __future__ import annotations

from types import SimpleNamespace

from polyterm.views.sweep import ModelRow
from polyterm.widgets.sweep_pane import said_once


def _reading(name: str, coherence: float, z: float) -> str:
    """ModelRow.coherence_reading's own words for a model that is not beyond its null."""
    row = SimpleNamespace(
        model=SimpleNamespace(name=name),
        coherence=coherence,
        coherence_rotation=SimpleNamespace(z=z, null_mean=0.30, null_sd=0.01),
        coherent_dims=4,
        dims=int(name.split("_")[1]),
        coherent_dims_null=3.5,
    )
    return ModelRow.coherence_reading(row, supported=False)  # type: ignore[arg-type]


def test_the_shared_verdict_is_said_once_after_every_models_numbers() -> None:
    a, b, c = _reading("brown_30", 0.301, 0.4), _reading("brown_29", 0.305, 1.1), "other"
    verdict = "no more coherent than random directions"
    assert verdict in a and verdict in b  # the defect: once per model
    out = said_once((a, b, c))
    assert sum(verdict in r for r in out) == 1
    assert out[0].startswith("brown_30: ") and "0.301" in out[0] and verdict not in out[0]
    assert "0.305" in out[1] and verdict not in out[1]
    assert out[2].startswith("brown_30, brown_29: Their dimensions are " + verdict)
    assert out[3] == "other"


def test_a_verdict_of_one_model_is_left_as_it_is() -> None:
    one = (_reading("brown_30", 0.301, 0.4), "other")
    assert said_once(one) == one
