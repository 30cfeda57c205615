"""Golden files compared as a researcher compares them, on any CPU.

A model trained on another CPU (OpenBLAS picks another kernel: AVX-512, Haswell, Prescott)
has floats that differ by float32 rounding (measured on lee_20: at most 4e-5 relative, 2e-5
absolute in any printed statistic), so its content hash differs too. A golden therefore
pins what a reader checks:

- the text and structure: every word, label, heading, table shape and integer count;
- statistics within a tolerance well above that noise and far below any real change
  (relative 1e-3, absolute 1e-4, and one unit of the last digit printed, so a value that
  rounds the other way at the 3rd decimal is still the same value);
- ranked word lists in order, except that words whose values are equal within that
  tolerance may swap (a tie at float32 precision has no order);
- a content hash (a model's 16-hex `content_sha256`) only as "a hash is there".

`POLYTERM_UPDATE_GOLDEN=1` rewrites the files.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest

UPDATE = os.environ.get("POLYTERM_UPDATE_GOLDEN") == "1"
REL_TOL = 1e-3
ABS_TOL = 1e-4

# a model's content hash as printed (16 hex digits, standing alone); corpus fingerprints
# (`sha256 7c5b313afb7f`) hash tokenised text, not floats, and stay compared exactly
_MODEL_HASH = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{16}(?![0-9A-Za-z])")
_NUMBER = re.compile(r"[-+−]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HASH_KEYS = ("content_sha256",)

# the running test (set by tests/conftest.py): a golden comparison demands the `golden` mark
current_test: pytest.Item | None = None


def values_close(actual: float, expected: float, printed_unit: float = 0.0) -> bool:
    tol = max(ABS_TOL, REL_TOL * abs(expected), printed_unit * 1.0001)
    return math.isfinite(actual) and abs(actual - expected) <= tol


def _is_ranked(items: list[Any]) -> bool:
    return bool(items) and all(
        isinstance(e, dict) and "word" in e and isinstance(e.get("value"), int | float)
        for e in items
    )


def _ranked_close(actual: list[Any], expected: list[Any], path: str) -> list[str]:
    """Words in order, values close; words whose expected values tie may swap."""
    if len(actual) != len(expected):
        return [f"{path}: {len(actual)} entries, expected {len(expected)}"]
    problems: list[str] = []
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        if not values_close(float(a["value"]), float(e["value"])):
            problems.append(f"{path}[{i}].value: {a['value']} != {e['value']}")
        problems += json_differences(
            {k: v for k, v in a.items() if k not in ("word", "value")},
            {k: v for k, v in e.items() if k not in ("word", "value")},
            f"{path}[{i}]",
        )
    start = 0
    for i in range(1, len(expected) + 1):
        if i == len(expected) or not values_close(
            float(expected[i]["value"]), float(expected[i - 1]["value"])
        ):
            got = sorted(str(a["word"]) for a in actual[start:i])
            want = sorted(str(e["word"]) for e in expected[start:i])
            if got != want:
                problems.append(f"{path}[{start}:{i}] words: {got} != {want}")
            start = i
    return problems


def json_differences(actual: Any, expected: Any, path: str = "$") -> list[str]:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]
    if isinstance(expected, float) or isinstance(actual, float):
        ok = (
            isinstance(actual, int | float)
            and isinstance(expected, int | float)
            and values_close(float(actual), float(expected))
        )
        return [] if ok else [f"{path}: {actual!r} != {expected!r}"]
    if isinstance(expected, dict) and isinstance(actual, dict):
        if actual.keys() != expected.keys():
            return [f"{path}: keys {sorted(actual)} != {sorted(expected)}"]
        problems: list[str] = []
        for key in expected:
            if key in _HASH_KEYS:
                if not (
                    isinstance(actual[key], str)
                    and re.fullmatch(r"[0-9a-f]+", actual[key])
                    and len(actual[key]) == len(expected[key])
                ):
                    problems.append(f"{path}.{key}: {actual[key]!r} is not a hash")
                continue
            if key == "histogram" and _int_list(actual[key]) and _int_list(expected[key]):
                problems += _histogram_close(actual[key], expected[key], f"{path}.{key}")
                continue
            problems += json_differences(actual[key], expected[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list) and isinstance(actual, list):
        if _is_ranked(expected) and _is_ranked(actual):
            return _ranked_close(actual, expected, path)
        if len(actual) != len(expected):
            return [f"{path}: {len(actual)} entries, expected {len(expected)}"]
        return [
            p
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for p in json_differences(a, e, f"{path}[{i}]")
        ]
    return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]


def _int_list(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in x)


def _histogram_close(actual: list[int], expected: list[int], path: str) -> list[str]:
    """Same bins and total; a word on a bin edge may fall on either side of it."""
    if len(actual) != len(expected) or sum(actual) != sum(expected):
        return [f"{path}: {actual} != {expected}"]
    if any(abs(a - e) > 1 for a, e in zip(actual, expected, strict=True)):
        return [f"{path}: {actual} != {expected}"]
    return []


def _printed_unit(token: str) -> float:
    mantissa = re.split(r"[eE]", token)[0]
    if "." not in mantissa:
        return 0.0
    unit = 10.0 ** -len(mantissa.split(".")[1])
    if re.search(r"[eE]", token):
        unit *= 10.0 ** int(re.split(r"[eE]", token)[1])
    return unit


def _number(token: str) -> float:
    return float(token.replace(",", "").replace("−", "-"))


def _split(text: str) -> tuple[list[str], list[str]]:
    """The text with numbers cut out (hashes masked), and the numbers."""
    masked = _MODEL_HASH.sub("<sha256>", text)
    numbers = _NUMBER.findall(masked)
    return _NUMBER.split(masked), numbers


def text_differences(actual: str, expected: str) -> list[str]:
    a_text, a_nums = _split(actual)
    e_text, e_nums = _split(expected)
    if a_text != e_text or len(a_nums) != len(e_nums):
        import difflib

        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm="", n=1
        )
        return ["the text differs:", *list(diff)[:40]]
    problems: list[str] = []
    for a, e in zip(a_nums, e_nums, strict=True):
        is_float = "." in e or "e" in e.lower()
        if not is_float:
            if a.replace("−", "-") != e.replace("−", "-"):
                problems.append(f"count {a} != {e}")
        elif not values_close(_number(a), _number(e), _printed_unit(e)):
            problems.append(f"value {a} != {e}")
    return problems


def check_golden(path: Path, text: str) -> None:
    """Compare `text` with the golden file at `path` (JSON by suffix, else text)."""
    if current_test is not None and current_test.get_closest_marker("golden") is None:
        pytest.fail("a golden test must be marked @pytest.mark.golden (CI reruns those)")
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote the missing golden file {path}; check it and run again")
    expected = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        problems = json_differences(json.loads(text), json.loads(expected))
    else:
        problems = text_differences(text, expected)
    assert not problems, f"{path.name} differs from the golden file:\n" + "\n".join(problems)
