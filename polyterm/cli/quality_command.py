"""`polyterm quality MODEL...`: WordSim-353, SimLex-999 and Google-analogy scores."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from polyterm.cli import FORMAT_HELP, FORMATS, ParserParents


def add_parser(sub: Any, parents: ParserParents) -> None:
    p = sub.add_parser(
        "quality",
        parents=[parents.common],
        help="how good each model is: word similarity (WordSim-353, SimLex-999) and analogies",
    )
    p.add_argument("models", nargs="+", help="one or more models, e.g. brown_30 glove-6b-50")
    p.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, err: Console) -> int:
    from polyterm.cli.commands import _emit, _open
    from polyterm.views.quality import quality_view

    _emit(quality_view(_open(args, err, list(args.models))), args.format)
    return 0
