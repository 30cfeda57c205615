"""CSV form of any view of the protocol: one CSV text per table, named by the table's key.

Numbers keep their full precision (not the 4 decimals the other renderers show), text
from data is plain text with control characters made visible (`safe_text.visible`), an
empty cell is empty. The header is `Table.labels()` (repeated labels made unique).
"""

from __future__ import annotations

import csv
import io

from polyterm.views.protocol import Table, View


def table_csv(t: Table) -> str:
    """One table as CSV text (RFC 4180 quoting, `\\n` line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(t.labels())
    for row in t.records():
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def csv_tables(view: View, *, with_models: bool = True) -> list[tuple[str, str, str]]:
    """Every table of `view` that has rows, as `(table key, file name, CSV text)`; a file is
    named `<view slug>-<table key>.csv`. `with_models=False` leaves out the models table
    (the inputs, not a result)."""
    return [
        (t.key, f"{view.slug()}-{t.key}.csv", table_csv(t))
        for t in view.tables()
        if t.rows and (with_models or t.key != "models")
    ]


__all__ = ["csv_tables", "table_csv"]
