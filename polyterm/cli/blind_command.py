"""`polyterm blind A B`: recover B's word correspondence from A with no anchors."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from polyterm.cli import ParserParents

METHOD_CHOICES = ("auto", "sorted", "ica", "gw", "all")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               parents: ParserParents) -> None:  # fmt: skip
    from polyterm.cli import FORMAT_HELP, FORMATS, MAX_WORDS, bounded_int
    from polyterm.engine.specs import MAX_SEED

    p = sub.add_parser(
        "blind",
        parents=[parents.common],
        help="recover which word is which between two models with no anchors",
    )
    p.add_argument("model_a", help="the first model (its geometry is the query)")
    p.add_argument("model_b", help="the second model (its rows are hidden)")
    p.add_argument(
        "--words",
        type=bounded_int("--words", 100, MAX_WORDS),
        default=4000,
        metavar="N",
        help="the N most frequent shared words (default 4,000)",
    )
    p.add_argument(
        "--method",
        choices=METHOD_CHOICES,
        default="auto",
        help="starts: auto (sorted similarity distributions and matched ICA axes), sorted, "
        "ica, gw (entropic Gromov–Wasserstein, needs polyterm[blind]) or all",
    )
    p.add_argument(
        "--seed", type=bounded_int("--seed", 0, MAX_SEED), default=0,
        help="seed of the hiding permutation and every random draw (default 0)",
    )  # fmt: skip
    p.add_argument(
        "--one-to-one",
        choices=("auto", "on", "off"),
        default="auto",
        help="final Hungarian assignment (auto: on up to 5,000 words; it needs an N × N "
        "float64 matrix)",
    )
    p.add_argument("--no-null", action="store_true", help="skip the shuffled-B null")
    p.add_argument(
        "--no-anchors", action="store_true", help="skip the anchor curve (10…500 true pairs)"
    )
    p.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, err: Console) -> int:
    import time

    from polyterm.cli.commands import _emit, _open_with
    from polyterm.core.blind_alignment import ANCHORS
    from polyterm.views.blind import blind_view

    _, (a, b) = _open_with(args, err, [args.model_a, args.model_b])
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        now = time.monotonic()
        if args.quiet or (now - last[0] < 1.0 and fraction < 1.0):
            return
        last[0] = now
        err.print(f"blind: {message} ({fraction:.0%})", style="dim", soft_wrap=True,
                  markup=False, highlight=False)  # fmt: skip

    view = blind_view(
        a,
        b,
        words=args.words,
        method=args.method,
        seed=args.seed,
        one_to_one=args.one_to_one,
        anchors=() if args.no_anchors else ANCHORS,
        null=not args.no_null,
        progress=progress,
    )
    _emit(view, args.format)
    return 0
