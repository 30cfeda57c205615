"""Line 5: GoogleNews scale, a synthetic 3M×300 float32 model in the cache.

A subprocess builds the cache entry (random vectors, words ``w0 … w2999999``) through
``ModelCache.write``; then `scale_runs` fresh subprocesses each measure, from a clean
start, the open (``library.open`` + a word lookup), the resident memory right after it
(``VmRSS`` from ``/proc/self/status``), and neighbour queries (the first, then warm ones).
Targets: open ≤ 1 s, warm neighbour query ≤ 0.6 s, resident memory after open ≤ 0.2× the
matrix size. The children print one JSON line; run ``python -m benchmarks.scale`` only
through this module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import REPO, Context, Row, median
from benchmarks.report import quantity


def _spec(rows: int, dims: int) -> Any:
    from polyterm.engine.specs import FileSpec

    return FileSpec(path=f"synthetic-{rows}x{dims}", stat=(0, 0))


def _build(root: Path, rows: int, dims: int) -> dict[str, Any]:
    import numpy as np

    from polyterm.engine.cache import ModelCache

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    vectors = np.empty((rows, dims), dtype=np.float32)
    block = 100_000
    for lo in range(0, rows, block):
        rng.standard_normal(dtype=np.float32, out=vectors[lo : lo + block])
    words = [f"w{i}" for i in range(rows)]
    generated = time.perf_counter()
    ModelCache(root).write(_spec(rows, dims), words, vectors,
                           manifest={"kind": "file", "source": "synthetic benchmark",
                                     "frequency_ordered": True})
    done = time.perf_counter()
    return {"generate_s": generated - start, "cache_write_s": done - generated,
            "peak_rss": _status().get("VmHWM")}


def _status() -> dict[str, int]:
    from benchmarks.harness import proc_status

    return proc_status()


def _measure(root: Path, rows: int, dims: int, queries: int) -> dict[str, Any]:
    from polyterm.core.expression import parse_expression
    from polyterm.core.neighbours import nearest_to_expression
    from polyterm.engine.cache import ModelCache
    from polyterm.engine.models import ModelLibrary

    before = _status()
    start = time.perf_counter()
    model = ModelLibrary(ModelCache(root)).open(_spec(rows, dims))
    model.row("w1")
    open_s = time.perf_counter() - start
    after_open = _status()
    expr = parse_expression("w1")
    times = []
    for _ in range(queries + 1):
        t = time.perf_counter()
        nearest_to_expression(model, expr, 10)
        times.append(time.perf_counter() - t)
    return {"open_s": open_s, "rss_before": before, "rss_after_open": after_open,
            "first_query_s": times[0], "warm_query_s": times[1:],
            "rss_after_queries": _status()}


def _child(*args: str) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-m", "benchmarks.scale", *args], cwd=REPO, env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"benchmarks.scale {args[0]} failed: {tail[0]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def line_5(ctx: Context) -> list[Row]:
    cfg = ctx.config
    rows, dims = cfg.scale_shape
    matrix = float(rows) * dims * 4
    root = ctx.work / "scale"
    what = f"{rows:,}×{dims} synthetic"
    note = "" if (rows, dims) == (3_000_000, 300) else (
        f"{cfg.mode}: {rows:,}×{dims} stand-in; the targets are for 3,000,000×300")
    try:
        start = time.perf_counter()
        built = _child("build", str(root), str(rows), str(dims))
        ctx.log(f"    built the {what} entry in {time.perf_counter() - start:.1f} s "
                f"(cache write {built['cache_write_s']:.1f} s)")
        runs = [_child("measure", str(root), str(rows), str(dims), str(cfg.scale_queries))
                for _ in range(cfg.scale_runs)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    opens = [r["open_s"] for r in runs]
    warm = [t for r in runs for t in r["warm_query_s"]]
    first = [r["first_query_s"] for r in runs]
    rss = [float(r["rss_after_open"].get("VmRSS", 0)) for r in runs]
    base_rss = [float(r["rss_before"].get("VmRSS", 0)) for r in runs]
    info = {"open": opens, "warm_query": warm, "first_query": first, "rss_after_open": rss,
            "rss_before_open": base_rss, "build": [built["generate_s"], built["cache_write_s"]]}
    sep = "; " if note else ""
    return [
        Row(5, f"open {what} (fresh process), ready to query", median(opens), "s",
            kind="absolute", op="<=", target=1.0, note=note,
            samples={"open": opens}).judge(),
        Row(5, f"neighbour query, {what} (warm)", median(warm), "s", kind="absolute",
            op="<=", target=0.6, samples={"warm_query": warm, "first_query": first},
            note=f"first query after open {quantity(median(first), 's')}{sep}{note}").judge(),
        Row(5, f"resident memory after open, {what}", median(rss), "B", "float32 matrix",
            matrix, "ratio", "<=", 0.2, samples=info,
            note=f"before open {quantity(median(base_rss), 'B')} (python + numpy + "
                 f"polyterm); cache write {quantity(built['cache_write_s'], 's')}").judge(),
    ]


def main(argv: list[str]) -> None:
    command, root, rows, dims, *rest = argv
    if command == "build":
        result = _build(Path(root), int(rows), int(dims))
    else:
        result = _measure(Path(root), int(rows), int(dims), int(rest[0]) if rest else 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
