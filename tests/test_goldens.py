"""The golden comparison: float32 noise and hashes pass, any change a reader sees fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.goldens import json_differences, text_differences

GOLDEN = Path(__file__).parent / "golden"

pytestmark = pytest.mark.golden  # CI runs these again under another CPU kernel


def test_markdown_accepts_another_cpus_noise_and_hash() -> None:
    expected = (GOLDEN / "diff_lee_police_government.md").read_text(encoding="utf-8")
    # what a Prescott kernel printed for the same models: other hashes, the same words
    other = expected.replace("e74fb19f63e50d05", "385005dadff975e3").replace(
        "| 0.1640 |", "| 0.1641 |"
    )
    assert other != expected
    assert text_differences(other, expected) == []


def test_markdown_rejects_what_a_reader_would_see() -> None:
    expected = (GOLDEN / "diff_lee_police_government.md").read_text(encoding="utf-8")
    for changed in (
        expected.replace("kissinger (0.272)", "contested (0.272)", 1),  # a word
        expected.replace("kissinger (0.272)", "kissinger (0.275)", 1),  # a value
        expected.replace("1,753 words", "1,752 words", 1),  # a count
        expected.replace("sha256 7c5b313afb7f", "sha256 7c5b313afb7e", 1),  # the corpus
        expected.replace("| 0.1111 |", "| 0.1111 | 0.2 |", 1),  # the table's shape
    ):
        assert changed != expected
        assert text_differences(changed, expected), changed


def test_json_tolerates_noise_and_ties_but_not_changes() -> None:
    expected = json.loads((GOLDEN / "dims_lee_20_dim3.json").read_text(encoding="utf-8"))
    noisy = json.loads(json.dumps(expected))
    noisy["model"]["content_sha256"] = "0123456789abcdef"
    noisy["stats"]["kurtosis"] *= 1 + 2e-5
    noisy["top"][0]["value"] += 3e-7
    noisy["stats"]["histogram"][0] += 1
    noisy["stats"]["histogram"][1] -= 1
    assert json_differences(noisy, expected) == []

    for edit in (
        lambda d: d["top"][0].update(word="they"),
        lambda d: d["top"][0].update(value=d["top"][0]["value"] + 0.01),
        lambda d: d["stats"].update(mean=d["stats"]["mean"] * 1.01),
        lambda d: d["stats"]["histogram"].__setitem__(0, d["stats"]["histogram"][0] + 1),
        lambda d: d["model"].update(content_sha256="not a hash"),
        lambda d: d.update(k=11),
    ):
        changed = json.loads(json.dumps(expected))
        edit(changed)
        assert json_differences(changed, expected), changed

    # two words tied at float32 precision may come in either order; untied ones may not
    tied = json.loads(json.dumps(expected))
    tied["top"][1]["value"] = tied["top"][2]["value"] = 0.27
    swapped = json.loads(json.dumps(tied))
    swapped["top"][1], swapped["top"][2] = swapped["top"][2], swapped["top"][1]
    assert json_differences(swapped, tied) == []
    untied = json.loads(json.dumps(expected))
    untied["top"][1], untied["top"][2] = untied["top"][2], untied["top"][1]
    assert json_differences(untied, expected)


def test_an_unmarked_golden_test_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests import goldens

    class Unmarked:
        def get_closest_marker(self, name: str) -> None:
            return None

    monkeypatch.setattr(goldens, "current_test", Unmarked())
    (tmp_path / "x.md").write_text("x", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match=r"marked @pytest\.mark\.golden"):
        goldens.check_golden(tmp_path / "x.md", "x")
