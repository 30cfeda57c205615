"""Line 16: the README's worked report, timed as a user runs it (issue 22, item 4).

``polyterm report brown_30 brown_29 glove-6b-50 --basis raw,pca,ica,dict:120`` in a fresh
process, first from a **cold** bases cache (the models are there, trained by this run and
hard-linked into a new cache root with the tokenised corpus; every basis, stability refit,
feature table and seed-floor comparison is computed), then **warm** (the same command
again on that root: everything is read back). Targets: cold ≤ 4 min on 2 cores, warm ≤
60 s. In ``--quick`` a smaller variant (``--basis raw,ica`` on brown_30 and brown_29) is
timed against the same targets, so the line stays minutes long; the row names the command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import Context, Row, Skip

COLD_TARGET = 240.0
WARM_TARGET = 60.0
FULL = ("brown_30", "brown_29", "glove-6b-50")
FULL_BASES = "raw,pca,ica,dict:120"
QUICK = ("brown_30", "brown_29")
QUICK_BASES = "raw,ica"
SEED_PARTNERS = ("brown_30_s2", "brown_29_s2")
"""The seed floor's different-seed models, trained before the clock starts (models are
not what this line measures)."""


def _link_tree(source: Path, target: Path) -> None:
    """`source` into `target`, hard-linked where the file system allows, else copied."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    if source.is_dir():
        shutil.copytree(source, target, copy_function=link, dirs_exist_ok=True)


def _run(argv: list[str], root: Path, out: Path) -> float:
    env = dict(os.environ, POLYTERM_CACHE_DIR=str(root))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "polyterm", *argv, "-o", str(out)],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=3600,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"polyterm {' '.join(argv)} exited {done.returncode}: {tail[0]}")
    return elapsed


def line_16(ctx: Context) -> list[Row]:
    if ctx.config.mode == "tiny":
        raise Skip("the report takes minutes: timed in the full and --quick runs only")
    quick = ctx.config.mode != "full"
    models, bases = (QUICK, QUICK_BASES) if quick else (FULL, FULL_BASES)
    for spec in (*models, *SEED_PARTNERS):
        if spec.startswith("glove"):
            ctx.glove_spec()
        else:
            ctx.open_trained(spec)
    root = ctx.work / "report-cold"
    from polyterm.engine.cache import ModelCache

    ModelCache(root)
    for part in ("models", "corpora"):
        _link_tree(ctx.cache_root / part, root / part)
    argv = ["report", *models, "--basis", bases]
    command = f"polyterm {' '.join(argv)}"
    try:
        cold = _run(argv, root, ctx.work / "report-cold.md")
        warm = _run(argv, root, ctx.work / "report-warm.md")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    variant = "the quick variant of the README's example" if quick else "the README's example"
    return [
        Row(16, f"{command}, cold bases cache ({variant})", cold, "s", kind="absolute",
            op="<=", target=COLD_TARGET,
            note="a fresh process; models hard-linked in, every basis, stability refit, "
                 "feature table and seed-floor comparison computed",
            samples={"cold": [cold]}).judge(),
        Row(16, f"{command}, warm (the same command again)", warm, "s", kind="absolute",
            op="<=", target=WARM_TARGET, note=f"{cold / warm:.1f}× faster than cold",
            samples={"warm": [warm]}).judge(),
    ]
