"""Output: the table on stdout (rich, or plain text), JSON and markdown files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.harness import FAIL, PASS, Row, dump_json

HEADERS = ("#", "what", "polyterm", "baseline (same run)", "figure", "target", "result",
           "load")


def quantity(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.0f} µs"
        return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "B":
        return f"{value / 1e6:.3g} MB" if value < 1e9 else f"{value / 1e9:.2f} GB"
    if unit == "B/s":
        return f"{value / 1e9:.1f} GB/s"
    return f"{value:g} {unit}"


def figure(row: Row) -> str:
    if row.figure is None:
        return "—"
    if row.kind == "ratio":
        return f"{row.figure:.2f}×"
    if row.kind == "speedup":
        return f"{row.figure:,.0f}× faster"
    return quantity(row.figure, row.unit)


def target(row: Row) -> str:
    if row.target is None:
        return "—"
    op = "≤" if row.op == "<=" else "≥"
    if row.kind == "ratio":
        return f"{op} {row.target:g}×"
    if row.kind == "speedup":
        return f"{op} {row.target:g}× faster"
    return f"{op} {quantity(row.target, row.unit)}"


def cells(row: Row) -> list[str]:
    baseline = row.baseline_what
    if row.baseline_value is not None:
        baseline = f"{quantity(row.baseline_value, row.unit)} {baseline}".strip()
    load = "—" if row.load is None else f"{row.load:.1f}"
    if row.background:
        load += f" (+{row.background})"
    return [str(row.line), row.what, quantity(row.value, row.unit), baseline or "—",
            figure(row), target(row), row.status, load]


def notes(rows: Sequence[Row]) -> list[str]:
    return [f"[{row.line}] {row.what}: {row.note}" for row in rows if row.note]


def print_table(rows: Sequence[Row], title: str) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        print(title)
        widths = [max(len(h), *(len(cells(r)[i]) for r in rows)) for i, h in enumerate(HEADERS)]
        for line in [list(HEADERS), *(cells(r) for r in rows)]:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
        for n in notes(rows):
            print(f"  {n}")
        return
    console = Console(file=sys.stdout, width=max(140, Console().width))
    table = Table(title=title, title_justify="left")
    for h in HEADERS:
        table.add_column(h, overflow="fold", justify="right" if h in ("#",) else "left")
    styles = {PASS: "green", FAIL: "bold red"}
    for row in rows:
        *first, status, load = cells(row)
        table.add_row(*map(Text, first), Text(status, style=styles.get(row.status, "yellow")),
                      Text(load))
    console.print(table)
    for n in notes(rows):
        console.print(f"  {n}", highlight=False, markup=False)


def _load(values: list[float] | None) -> str:
    return "/".join(f"{x:.2f}" for x in values) if values else "?"


def markdown(report: dict[str, Any], rows: Sequence[Row]) -> str:
    m = report["machine"]
    blas = m["numpy_blas"].get("blas", {})
    v = m["versions"]
    lines = [
        f"# polyterm benchmarks ({report['mode']})",
        "",
        f"`{report['command']}` — {report['started']}, {report['duration_s']:.0f} s. Every",
        "figure is a median of repeated runs; baselines are measured in the same run.",
        "`load` is the 1-minute load average at the end of the line"
        + (f", beside {report['background_load']} CPU-bound background processes "
           "(`--load`)." if report.get("background_load") else " (no background load)."),
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---:" if h == "#" else "---" for h in HEADERS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row)) + " |")
    lines += ["", "Notes:", ""]
    lines += [f"- {n}" for n in notes(rows)]
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{(m['memory_bytes'] or 0) / 2**30:.0f} GiB, {m['platform']}; numpy BLAS "
        f"{blas.get('name', '?')} {blas.get('version', '')}; load average (1, 5, 15 min) "
        f"{_load(m.get('load_average'))} at the start, {_load(report.get('load_average_end'))} "
        "at the end.",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val) + ".",
        "",
    ]
    return "\n".join(lines)


def write(out_dir: Path, stem: str, report: dict[str, Any], rows: Sequence[Row]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    dump_json(json_path, {**report, "rows": [r.as_dict() for r in rows]})
    md_path.write_text(markdown(report, rows), encoding="utf-8")
    return [json_path, md_path]
