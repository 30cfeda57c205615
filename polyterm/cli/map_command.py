"""`polyterm map WORDS --models A,B,C`: the words on one aligned 2-D plane per model."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from polyterm.cli import ParserParents


def add_parser(sub: Any, parents: ParserParents) -> None:
    from polyterm.cli import (
        CSV_DIR_HELP,
        FORMAT_HELP,
        FORMATS,
        MODELS_HELP,
        bounded_int,
        non_empty,
    )

    p = sub.add_parser(
        "map",
        parents=[parents.common],
        help="chosen words on an aligned 2-D map in each model, with how far the shape is kept",
    )
    p.add_argument("words", type=non_empty("WORDS"), help="comma-separated words, e.g. cat,dog,car")
    p.add_argument("--models", required=True, help=MODELS_HELP)
    p.add_argument(
        "--anchors",
        type=bounded_int("--anchors", 10, 10_000_000),
        default=10_000,
        help="rotate each model onto the first over the N most frequent shared words that "
        "are not drawn (default 10,000)",
    )
    p.add_argument(
        "--repetitions",
        type=bounded_int("--repetitions", 2, 100_000),
        default=1000,
        help="draws of the permuted-words null (default 1,000)",
    )
    p.add_argument(
        "--seed", type=bounded_int("--seed", 0, 2**32 - 1), default=0, help="seed of the null"
    )
    p.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    p.add_argument("--csv-dir", type=non_empty("--csv-dir"), metavar="DIR", help=CSV_DIR_HELP)
    p.add_argument(
        "--figure",
        type=non_empty("--figure"),
        metavar="FILE",
        help="also draw the maps side by side as FILE (.svg or .png; needs polyterm[figures])",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, err: Console) -> int:
    from pathlib import Path

    from polyterm.cli.commands import _emit, _model_list, _open_with
    from polyterm.views.word_map import map_plots, word_map_view

    words = [w.strip() for w in args.words.split(",") if w.strip()]
    _, models = _open_with(args, err, _model_list(args.models))
    view = word_map_view(
        models, words, anchors=args.anchors, repetitions=args.repetitions, seed=args.seed
    )
    _emit(view, args.format)
    if args.format == "table":
        import shutil
        import sys

        columns = shutil.get_terminal_size((120, 24)).columns
        sys.stdout.write("\n" + "\n".join(map_plots(view, columns=columns)))
    if args.figure:
        from polyterm.views.figures import write_map_figure

        target = Path(args.figure).expanduser()
        write_map_figure(view, target)
        err.print(f"figure written to {target}", markup=False)
    return 0
