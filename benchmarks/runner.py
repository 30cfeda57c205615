"""The command line: ``python -m benchmarks [--quick] [--only 1,2,5] [--load N] [--out DIR]``.

Lines run in numeric order in one process (line 5's measurements in subprocesses), each
in a fresh temporary cache; a line that cannot run here is skipped with the reason, a
line that breaks is reported as ``error`` and the others still run. Results go to
``<out>/latest.json`` and ``<out>/latest.md`` (``latest-quick.*`` for ``--quick``, with
``-partial`` added when ``--only`` picks lines, so a partial run never replaces a full
table). The exit status is 1 when a line raised an error, else 0: missed targets are
reported, not failed on.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.harness import ERROR, REPO, Config, Context, Row, Skip, machine_info, skipped
from benchmarks.load import background_load

RESULTS = REPO / "benchmarks" / "results"


@dataclass(frozen=True)
class Line:
    number: int
    title: str
    module: str
    function: str

    def run(self, ctx: Context) -> list[Row]:
        import importlib

        fn: Callable[[Context], list[Row]] = getattr(
            importlib.import_module(f"benchmarks.{self.module}"), self.function)
        return fn(ctx)


LINES = (
    Line(1, "neighbours of a word / of a - b vs gensim most_similar", "neighbours", "line_1"),
    Line(2, "neighbour query as effective bandwidth vs numpy sum", "neighbours", "line_2"),
    Line(3, "top/bottom-k of a dimension", "dimensions", "line_3"),
    Line(4, "open a cached model vs gensim loads", "opening", "line_4"),
    Line(5, "GoogleNews scale: synthetic 3M×300", "scale", "line_5"),
    Line(6, "reopen the tokenised Brown corpus vs NLTK", "corpus", "line_6"),
    Line(7, "sweep of Brown models vs plain gensim", "sweep", "line_7"),
    Line(8, "align brown_300 with glove-6b-50", "align", "line_8"),
    Line(9, "explorer: key press → repainted dimension view", "explorer", "line_9"),
    Line(10, "explorer: longest event-loop stall during a sweep", "explorer", "line_10"),
    Line(11, "ICA basis: fit and store (brown_30, glove-6b-50), reopen", "bases", "line_11"),
    Line(12, "sweep of Brown models on --cluster local:2 vs local processes", "cluster", "line_12"),
    Line(13, "feature sources (wordnet, pos, genre): build, then reopen", "features", "line_13"),
    Line(14, "features: every end of brown_30 in four bases, with nulls", "polysemanticity",
         "line_14"),
    Line(15, "blind alignment of brown_30 and brown_29 (4,000 and 10,000 words)", "blind",
         "line_15"),
    Line(16, "the README's worked report, cold and warm bases cache", "report_time",
         "line_16"),
)


def parse_only(text: str) -> list[int]:
    """``1,2,5`` or ``1-4,7`` → sorted line numbers (argparse error on anything else)."""
    out: set[int] = set()
    known = {line.number for line in LINES}
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, sep, hi = part.partition("-")
        try:
            numbers = range(int(lo), int(hi) + 1) if sep else [int(lo)]
        except ValueError:
            raise argparse.ArgumentTypeError(f"--only takes line numbers such as 1,2,5 "
                                             f"or 1-4, not {part!r}") from None
        for n in numbers:
            if n not in known:
                raise argparse.ArgumentTypeError(f"there is no line {n}: lines are 1 to "
                                                 f"{max(known)}")
            out.add(n)
    return sorted(out)


@contextmanager
def isolated_env(work: Path) -> Iterator[None]:
    """Point polyterm's cache, config and data folders into `work` for the run."""
    names = {"POLYTERM_CACHE_DIR": work / "cache", "POLYTERM_CONFIG_DIR": work / "config",
             "POLYTERM_DATA_DIR": work / "data"}
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update({k: str(v) for k, v in names.items()})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run(config: Config, only: Sequence[int] | None = None, *, out_dir: Path | None = RESULTS,
        work_root: Path | None = None, keep: bool = False, quiet: bool = False,
        command: str = "python -m benchmarks", load: int = 0,
        ) -> tuple[dict[str, Any], list[Row]]:
    """Run the chosen lines; print the table unless `quiet`; write files unless no out_dir.
    With `load` > 0, each line runs beside that many CPU-bound processes
    (`benchmarks.load`), and every row records them and the load average."""

    def log(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    lines = [line for line in LINES if not only or line.number in only]
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    t0 = time.perf_counter()
    machine = machine_info()
    work = Path(tempfile.mkdtemp(prefix="polyterm-bench-", dir=work_root))
    rows: list[Row] = []
    try:
        with isolated_env(work):
            ctx = Context(config, work, log)
            for line in lines:
                log(f"[{line.number}] {line.title} …")
                start = time.perf_counter()
                with background_load(load) as probe:
                    try:
                        got = line.run(ctx)
                    except Skip as exc:
                        got = [skipped(line.number, line.title, str(exc))]
                    except Exception as exc:  # report the line, run the others
                        log(traceback.format_exc())
                        got = [Row(line.number, line.title, status=ERROR,
                                   note=f"{type(exc).__name__}: {exc}")]
                for r in got:
                    r.load, r.background = probe.load_at_end, load
                rows.extend(got)
                log(f"    {', '.join(r.status for r in got)} in "
                    f"{time.perf_counter() - start:.1f} s"
                    + (f" (load average {probe.load_at_end:.1f})"
                       if probe.load_at_end is not None else ""))
    finally:
        if keep:
            log(f"kept the run's files in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result = {
        "suite": "polyterm benchmarks",
        "mode": config.mode,
        "command": command,
        "only": list(only) if only else None,
        "started": started,
        "duration_s": time.perf_counter() - t0,
        "load_average_end": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "background_load": load,
        "machine": machine,
        "config": asdict(config),
    }
    if not quiet:
        under = f", beside {load} CPU-bound processes" if load else ""
        report.print_table(rows, f"polyterm benchmarks ({config.mode}{under}, "
                                 f"{result['duration_s']:.0f} s)")
    if out_dir is not None:
        stem = "latest" + ("" if config.mode == "full" else f"-{config.mode}")
        stem += f"-load{load}" if load else ""
        stem += "-partial" if only else ""
        for path in report.write(out_dir, stem, result, rows):
            log(f"wrote {path}")
    return result, rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="polyterm's benchmark suite: every line a ratio or a target, measured "
                    "against baselines in the same run.")
    parser.add_argument("--quick", action="store_true",
                        help="a ~2-minute subset at smaller sizes (what CI runs)")
    parser.add_argument("--only", type=parse_only, metavar="LINES",
                        help="run only these lines, e.g. 1,2,5 or 1-4")
    parser.add_argument("--repeats", type=int, metavar="N",
                        help="repetitions of the millisecond measurements (default 21, "
                             "quick 11)")
    parser.add_argument("--out", type=Path, default=RESULTS, metavar="DIR",
                        help=f"where latest.json / latest.md go (default {RESULTS})")
    parser.add_argument("--work-dir", type=Path, metavar="DIR",
                        help="parent of the temporary cache (needs ~8 GB free for line 5 "
                             "in the full run; default: the system temp folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary cache and files after the run")
    parser.add_argument("--load", type=int, default=0, metavar="N",
                        help="run every line beside N CPU-bound background processes and "
                             "record the load average (results: latest-load<N>.*)")
    args = parser.parse_args(argv)
    if args.load < 0:
        parser.error("--load takes 0 or more processes")
    config = (Config.quick() if args.quick else Config.full()).with_repeats(args.repeats)
    command = "python -m benchmarks" + (" " + " ".join(argv if argv is not None
                                                       else sys.argv[1:])).rstrip()
    _, rows = run(config, args.only, out_dir=args.out, work_root=args.work_dir,
                  keep=args.keep, command=command, load=args.load)
    return 1 if any(r.status == ERROR for r in rows) else 0
