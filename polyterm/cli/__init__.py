"""The headless command line: `polyterm <command>`; `polyterm` alone starts the explorer."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from rich.console import Console

from polyterm import __version__
from polyterm.errors import PolytermError

FORMATS = ("table", "markdown", "json")


def int_list(text: str) -> list[int]:
    """argparse type for `300,100,30` or `30-25`."""
    from polyterm.engine.specs import parse_int_list

    try:
        return parse_int_list(text)
    except PolytermError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--cache-dir",
        help="cache folder (default: $POLYTERM_CACHE_DIR or the platform cache folder)",
    )
    common.add_argument(
        "--download",
        action="store_true",
        help="allow network downloads (NLTK corpora, gensim-data models)",
    )
    common.add_argument(
        "--trust",
        action="store_true",
        help="allow gensim native (pickle) files: only for files you trust",
    )
    common.add_argument("--limit", type=int, help="read only the first N words of a vector file")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--format", choices=FORMATS, default="table")
    out.add_argument("--k", type=int, default=10, help="list length (default 10)")
    out.add_argument("--restrict", type=int, help="consider only the N most frequent words")

    parser = argparse.ArgumentParser(
        prog="polyterm",
        description="Explore polysemantic universality of word embeddings. "
        "Without a command, starts the explorer.",
    )
    parser.add_argument("--version", action="version", version=f"polyterm {__version__}")
    parser.add_argument("--theme", help="explorer theme name")
    parser.add_argument("--cache-dir", dest="app_cache_dir", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("train", parents=[common], help="train word2vec models (in parallel)")
    p.add_argument("specs", nargs="*", help="model specs such as brown_30 brown_29")
    p.add_argument("--corpus", help="corpus for --dims/--seeds (e.g. brown, lee)")
    p.add_argument("--dims", type=int_list, help="sizes, e.g. 300,100,50,30,29,10,5,2 or 30-25")
    p.add_argument("--seeds", type=int_list, default=[1], help="seeds, e.g. 1,2,3")
    for opt, kind in (
        ("window", int),
        ("min-count", int),
        ("epochs", int),
        ("sg", int),
        ("negative", int),
        ("sample", float),
    ):
        p.add_argument(f"--{opt}", type=kind)
    p.add_argument("--corpus-path", help="a local text file or folder to train on")
    p.add_argument("--jobs", type=int, help="parallel processes (default: one per core)")

    p = sub.add_parser("models", parents=[common], help="list cached and available models")
    p.add_argument("--format", choices=FORMATS, default="table")

    p = sub.add_parser("dims", parents=[common, out], help="top/bottom words of a dimension")
    p.add_argument("model")
    p.add_argument("--dim", type=int, default=0)
    p.add_argument("--scale", choices=("raw", "cosine"), default="raw")

    p = sub.add_parser(
        "repeats",
        parents=[common, out],
        help="words that recur at the extremes of several dimensions",
    )
    p.add_argument("model")
    p.add_argument("--scale", choices=("raw", "cosine"), default="raw")

    for name, helptext in (
        ("neighbours", "nearest words to a word"),
        ("diff", "nearest words to an expression such as 'cat - car'"),
    ):
        p = sub.add_parser(name, parents=[common, out], help=helptext)
        p.add_argument("query")
        p.add_argument("--models", required=True, help="comma-separated model specs")
        p.add_argument("--convention", choices=("normalised", "raw"), default="normalised")
        p.add_argument("--include-query", action="store_true")

    p = sub.add_parser(
        "compare", parents=[common, out], help="one query side by side in several models"
    )
    p.add_argument("query", nargs="?", help="a word or an expression")
    p.add_argument("--dim", type=int, help="compare dimension DIM (by index) instead")
    p.add_argument("--models", required=True)
    p.add_argument("--convention", choices=("normalised", "raw"), default="normalised")
    p.add_argument("--include-query", action="store_true")
    p.add_argument("--scale", choices=("raw", "cosine"), default="raw")

    science = argparse.ArgumentParser(add_help=False)
    science.add_argument("--format", choices=FORMATS, default="table")
    science.add_argument("--k", type=int, default=10, help="top words per list (default 10)")
    science.add_argument(
        "--top-n",
        type=int,
        default=None,
        help="compare over the N most frequent shared words (0 = all)",
    )
    science.add_argument("--repetitions", type=int, default=20, help="null repetitions")
    science.add_argument("--seed", type=int, default=0, help="seed of the nulls")

    p = sub.add_parser(
        "align",
        parents=[common, science],
        help="matching, Procrustes, CKA and SVCCA of two models, with nulls",
    )
    p.add_argument("model_a")
    p.add_argument("model_b")

    p = sub.add_parser(
        "universality",
        parents=[common, science],
        help="neighbourhood and difference-vector overlap of two models",
    )
    p.add_argument("model_a")
    p.add_argument("model_b")
    p.add_argument("--pairs", help="word pairs, e.g. cat-car,water-fire (default: built-in list)")

    p = sub.add_parser(
        "sweep",
        parents=[common, science],
        help="train a range of sizes and seeds, then compare them",
    )
    p.add_argument("corpus", help="corpus name, e.g. brown or lee")
    p.add_argument("--dims", type=int_list, default=[300, 200, 100, 50, 30, 29, 20, 10, 5, 2])
    p.add_argument("--seeds", type=int_list, default=[1, 2])
    p.add_argument("--jobs", type=int, help="parallel training processes (default: cores)")
    p.add_argument("--reference", help="measure coherence in this model (default: each itself)")

    p = sub.add_parser(
        "report", parents=[common], help="a complete markdown write-up of a study of several models"
    )
    p.add_argument("models", nargs="+")
    p.add_argument("--k", type=int, default=10)
    p.add_argument(
        "--restrict",
        type=int,
        default=10_000,
        help="dimension extremes and comparisons over the N most frequent words",
    )
    p.add_argument("--repetitions", type=int, default=20)
    p.add_argument("--output", "-o", help="write to this file (default: stdout)")
    p.add_argument("--force", action="store_true", help="replace --output if it exists")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # markup=False: messages carry paths, words and user input, never rich markup.
    err = Console(stderr=True, highlight=False, markup=False)
    if args.command is None:
        return _start_explorer(args, err)
    logging.basicConfig(level=logging.WARNING)
    from polyterm.cli import commands

    try:
        return commands.run(args, err)
    except PolytermError as exc:
        err.print(f"polyterm: error: {exc}", style="bold red", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print("polyterm: interrupted; nothing was written")
        return 130
    except Exception as exc:  # a bug: say so in one line; POLYTERM_DEBUG=1 shows where
        if os.environ.get("POLYTERM_DEBUG") == "1":
            raise
        err.print(
            f"polyterm: internal error: {type(exc).__name__}: {exc} "
            "(set POLYTERM_DEBUG=1 for the traceback and please report it)",
            style="bold red",
            soft_wrap=True,
        )
        return 3


def _start_explorer(args: argparse.Namespace, err: Console) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        err.print("polyterm: the explorer needs a terminal; use a command, see polyterm --help")
        return 2
    app = importlib.import_module("polyterm.app")
    code: int = app.run_app(theme=args.theme, cache_dir=args.app_cache_dir)
    return code


__all__ = ["build_parser", "main"]
