"""The benchmark suite still runs: its smallest path, in-process, on tiny synthetic data.

No timing is asserted (speed is measured by ``python -m benchmarks``, never by tests);
this only proves that lines 1-4 produce judged rows and that the JSON and markdown are
written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.harness import Config  # noqa: E402
from benchmarks.runner import run  # noqa: E402


def test_smallest_benchmark_path_runs(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result, rows = run(Config.tiny(), [1, 2, 3, 4], out_dir=out, work_root=tmp_path,
                       quiet=True)

    assert sorted({r.line for r in rows}) == [1, 2, 3, 4]
    for row in rows:
        assert row.status in ("pass", "FAIL"), (row.line, row.status, row.note)
        assert row.figure is not None and row.figure > 0
    saved = json.loads((out / "latest-tiny-partial.json").read_text(encoding="utf-8"))
    assert saved["machine"]["cores"] and len(saved["rows"]) == len(rows)
    assert "| 4 |" in (out / "latest-tiny-partial.md").read_text(encoding="utf-8")
    assert result["only"] == [1, 2, 3, 4]
    assert not any(p.name.startswith("polyterm-bench-") for p in tmp_path.iterdir())


def test_load_runs_beside_the_line_and_is_recorded(tmp_path: Path) -> None:
    import os

    from benchmarks.load import background_load

    with background_load(2) as probe:
        pids = list(probe.started)
        assert len(pids) == 2
        for pid in pids:
            os.kill(pid, 0)  # alive while the line runs
    assert probe.load_at_end is not None and probe.load_at_end >= 0
    for pid in pids:  # gone after it (reaped: kill raises)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"load process {pid} outlived its line")

    out = tmp_path / "results"
    _, rows = run(Config.tiny(), [3], out_dir=out, work_root=tmp_path, quiet=True, load=1)
    assert rows and all(r.background == 1 and r.load is not None for r in rows)
    saved = json.loads((out / "latest-tiny-load1-partial.json").read_text(encoding="utf-8"))
    assert saved["background_load"] == 1 and saved["rows"][0]["background"] == 1
    assert "(+1)" in (out / "latest-tiny-load1-partial.md").read_text(encoding="utf-8")
@pytest.mark.slow
def test_blind_line_runs_on_tiny_data(tmp_path: Path) -> None:
    _, rows = run(Config.tiny(), [15], out_dir=None, work_root=tmp_path, quiet=True)
    assert [r.line for r in rows] == [15, 15]
    for row in rows:
        assert row.status in ("pass", "FAIL"), (row.status, row.note)
        assert row.figure is not None and row.figure > 0
    assert "accuracy 1.000" in rows[0].note  # the planted pair is recovered
