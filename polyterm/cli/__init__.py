"""The headless command line: `polyterm <command>`; `polyterm` alone starts the explorer."""

from __future__ import annotations

import argparse
import errno
import importlib
import io
import logging
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn, TextIO

from rich.console import Console

from polyterm import __version__
from polyterm.engine.threads import command_step, pin_process
from polyterm.errors import PolytermError
from polyterm.safe_text import visible

FORMATS = ("table", "markdown", "json", "csv")


class StdoutConsole(Console):
    """stdout for tables and markdown; a closed pipe raises BrokenPipeError, which `main`
    turns into a quiet exit 141 (rich's own handling would exit 1)."""

    def __init__(self) -> None:
        super().__init__(markup=False)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def print_error(err: Console, message: str) -> None:
    """The one-line `polyterm: error:` message, control characters from data made visible."""
    err.print(f"polyterm: error: {visible(message)}", style="bold red", soft_wrap=True)


def print_warning(err: Console, message: str) -> None:
    """A `polyterm: warning:` line, control characters from data made visible."""
    err.print(f"polyterm: warning: {visible(message)}", style="yellow", soft_wrap=True)


_KNOWN_WARNINGS = (
    (
        re.compile(r"Precision loss occurred in moment calculation"),
        "a dimension's values are all (nearly) equal: its skewness and kurtosis are "
        "undefined or unreliable (shown as nan)",
    ),
)
"""Python warnings (scipy's, numpy's) said in polyterm's words: pattern, line."""


def warning_line(message: Warning | str, category: type[Warning]) -> str:
    """A Python warning as the text of one `polyterm: warning:` line."""
    first = str(message).strip().splitlines()
    text = first[0].strip() if first else ""
    for pattern, line in _KNOWN_WARNINGS:
        if pattern.search(text):
            return line
    return f"{text} ({category.__name__})" if text else category.__name__


@contextmanager
def warnings_as_lines(err: Console) -> Iterator[None]:
    """Python warnings raised while a command runs become `polyterm: warning:` lines, each
    distinct one once (never a file:line and a source line). Deprecation and resource
    warnings (about libraries, not the user's data) are ignored unless -W or
    PYTHONWARNINGS asks for them."""
    seen: set[str] = set()

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = warning_line(message, category)
        if text not in seen:
            seen.add(text)
            print_warning(err, text)

    with warnings.catch_warnings():
        if not sys.warnoptions:
            warnings.simplefilter("default")
            for quiet in (
                DeprecationWarning,
                PendingDeprecationWarning,
                ImportWarning,
                ResourceWarning,
            ):
                warnings.simplefilter("ignore", quiet)
        warnings.showwarning = show
        yield


MAX_WORDS = 10**9
"""Bound of word counts (--k, --restrict, --limit, --top-n): far beyond any vocabulary."""
MAX_REPETITIONS = 100_000
MAX_JOBS = 4096
MAX_MAX_DIMS = 10_000_000


class _Parser(argparse.ArgumentParser):
    """argparse with polyterm's one-line `polyterm: error:` instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        # "argument --k: --k must be at least 1, not 0" → "--k must be at least 1, not 0"
        m = re.match(r"argument [^:]+: (-.*)$", message)
        if m is not None:
            message = m[1]
        self.exit(2, f"polyterm: error: {visible(message)} (see {self.prog} --help)\n")


def _shown_number(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:12] + "…"


def bounded_int(option: str, lo: int, hi: int, *, below: str | None = None) -> Callable[[str], int]:
    """argparse type: a whole number in [lo, hi], else a one-line ArgumentTypeError.

    `below` (with ``{value}``) words the message for a number under `lo`.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{option} must be a whole number, not {text!r}"
            ) from None
        if value < lo:
            raise argparse.ArgumentTypeError(
                below.format(value=_shown_number(value))
                if below
                else f"{option} must be at least {lo:,}, not {_shown_number(value)}"
            )
        if value > hi:
            raise argparse.ArgumentTypeError(
                f"{option} must be at most {hi:,}, not {_shown_number(value)}"
            )
        return value

    parse.__name__ = option.lstrip("-")
    return parse


def bounded_float(option: str, lo: float, hi: float) -> Callable[[str], float]:
    """argparse type: a finite number in [lo, hi)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} must be a number, not {text!r}") from None
        if not (math.isfinite(value) and lo <= value < hi):
            raise argparse.ArgumentTypeError(f"{option} must be in [{lo:g}, {hi:g}), not {text}")
        return value

    parse.__name__ = option.lstrip("-")
    return parse


def int_list(option: str, lo: int, hi: int) -> Callable[[str], list[int]]:
    """argparse type for `300,100,30` or `30-25`, each number in [lo, hi]."""

    def parse(text: str) -> list[int]:
        from polyterm.engine.specs import parse_int_list

        if text.strip() and any(not part.strip() for part in text.split(",")):
            raise argparse.ArgumentTypeError(
                f"{option}: {text!r} has an empty item: write e.g. 300,100,30 or 30-25"
            )
        try:
            values = parse_int_list(text)
        except PolytermError as exc:
            raise argparse.ArgumentTypeError(f"{option}: {exc}") from None
        for value in values:
            if not lo <= value <= hi:
                raise argparse.ArgumentTypeError(
                    f"{option} values must be between {lo:,} and {hi:,}, not {_shown_number(value)}"
                )
        return values

    parse.__name__ = option.lstrip("-")
    return parse


def basis_names(option: str, *, several: bool) -> Callable[[str], list[str]]:
    """argparse type for --basis: ``raw``, ``pca``, ``ica`` or ``dict:K`` (``several``: a
    comma-separated list of them, in order, each once); a bad name is one line."""

    def parse(text: str) -> list[str]:
        from polyterm.core.bases import parse_basis_name

        items = [part.strip() for part in text.split(",")]
        if not text.strip() or any(not part for part in items):
            raise argparse.ArgumentTypeError(
                f"{option}: {text!r} has an empty item: write e.g. "
                + ("raw,pca,ica,dict:120" if several else "ica or dict:120")
            )
        if len(items) > 1 and not several:
            raise argparse.ArgumentTypeError(
                f"{option} takes one basis here, not {len(items)} ({text}): "
                "this view shows one model in one basis"
            )
        names = []
        for item in items:
            try:
                names.append(str(parse_basis_name(item)))
            except ValueError as exc:
                raise argparse.ArgumentTypeError(f"{option}: {exc}") from None
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise argparse.ArgumentTypeError(f"{option} names {', '.join(repeated)} more than once")
        return names

    parse.__name__ = option.lstrip("-")
    return parse


def non_empty(option: str) -> Callable[[str], str]:
    """argparse type: any text but an empty (or blank) one."""

    def parse(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{option} needs a value, not an empty one")
        return text

    parse.__name__ = option.lstrip("-")
    return parse


CACHE_DIR_HELP = (
    "cache folder (default: $POLYTERM_CACHE_DIR or the platform cache folder; an empty "
    "POLYTERM_CACHE_DIR counts as unset, as an empty XDG_CACHE_HOME does)"
)
CLUSTER_HELP = (
    "train on a Dask cluster instead of local processes: local:N (N worker processes on this "
    "machine) or a scheduler address such as tcp://host:8786 (needs polyterm[cluster])"
)
FORMAT_HELP = (
    "table (a terminal table, the default), markdown, json, or csv (one table to stdout; "
    "with --csv-dir one file per table)"
)
CSV_DIR_HELP = (
    "with --format csv: write every table to DIR/<view>-<table>.csv (needed when the view "
    "has more than one table of results)"
)
MODEL_HELP = "a model spec: brown_30, lee_50_s2, glove-6b-50, gensim:NAME or a vector file's path"
MODELS_HELP = "comma-separated model specs, e.g. brown_30,brown_29"
SCALE_HELP = "raw coordinates or cosine to the dimension's axis (default raw)"
CONVENTION_HELP = "normalised: unit vectors before arithmetic (default); raw: as stored"
INCLUDE_HELP = "keep the query's own words among the neighbours"
BASIS_HELP = (
    "the basis to read the model in: raw (its own dimensions, the default), pca (whitened "
    "principal axes), ica (independent axes, Yamagiwa et al. 2023) or dict:K (K atoms of a "
    "sparse non-negative dictionary, e.g. dict:120); fitted once and cached"
)
BASES_HELP = (
    "one or more bases, comma-separated, e.g. raw,pca,ica,dict:120: one answer per basis, "
    "in order (raw: the models' own dimensions, the default; see dims --help)"
)


def build_parser() -> argparse.ArgumentParser:
    from polyterm.core.bases import DEFAULT_FIT_ROWS
    from polyterm.engine.readers import DEFAULT_MAX_DIMS
    from polyterm.engine.specs import MAX_DIMS, MAX_SEED, PARAM_BOUNDS
    from polyterm.views.settings import COMPARISON

    k_type = bounded_int("--k", 1, MAX_WORDS)
    restrict_type = bounded_int("--restrict", 1, MAX_WORDS)
    dim_type = bounded_int(
        "--dim",
        0,
        MAX_WORDS,
        below="--dim: dimension {value} is out of range: dimensions are numbered from 0",
    )
    repetitions_type = bounded_int("--repetitions", 2, MAX_REPETITIONS)
    jobs_type = bounded_int("--jobs", 1, MAX_JOBS)
    seed_type = bounded_int("--seed", 0, MAX_SEED)
    stability_runs_type = bounded_int(
        "--stability-runs",
        0,
        1000,
        below="--stability-runs must be 0 (skip) or at least 2, not {value}",
    )

    common = _Parser(add_help=False)
    common.add_argument(
        "--cache-dir",
        type=non_empty("--cache-dir"),
        help=CACHE_DIR_HELP,
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
    common.add_argument(
        "--limit",
        type=bounded_int(
            "--limit", 1, MAX_WORDS, below="--limit must be a positive number of words, not {value}"
        ),
        help="read only the first N words of a vector file",
    )
    common.add_argument(
        "--max-dims",
        type=bounded_int("--max-dims", 1, MAX_MAX_DIMS),
        default=DEFAULT_MAX_DIMS,
        help=f"refuse vector files of more dimensions (default {DEFAULT_MAX_DIMS:,})",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    def basis_parent(several: bool) -> _Parser:
        parent = _Parser(add_help=False)
        parent.add_argument(
            "--basis",
            type=basis_names("--basis", several=several),
            default=["raw"],
            metavar="NAME[,NAME...]" if several else "NAME",
            help=BASES_HELP if several else BASIS_HELP,
        )
        parent.add_argument(
            "--fit-words",
            type=bounded_int("--fit-words", 2, MAX_WORDS),
            default=DEFAULT_FIT_ROWS,
            metavar="N",
            help=f"fit the basis on the N most frequent words (default {DEFAULT_FIT_ROWS:,})",
        )
        parent.add_argument(
            "--basis-seed",
            type=bounded_int("--basis-seed", 0, MAX_SEED),
            default=0,
            metavar="S",
            help="seed of the basis fit (default 0)",
        )
        parent.add_argument(
            "--remove-top",
            type=bounded_int("--remove-top", 0, MAX_DIMS),
            default=None,
            metavar="N",
            help="all-but-the-top (Mu & Viswanath 2018): remove the mean and the top N "
            "principal components of every model before fitting bases and matching",
        )
        return parent

    one_basis = basis_parent(several=False)
    bases = basis_parent(several=True)

    out = _Parser(add_help=False)
    out.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    out.add_argument("--csv-dir", type=non_empty("--csv-dir"), metavar="DIR", help=CSV_DIR_HELP)
    out.add_argument("--k", type=k_type, default=10, help="list length (default 10)")
    out.add_argument(
        "--restrict", type=restrict_type, help="consider only the N most frequent words"
    )

    parser = _Parser(
        prog="polyterm",
        description="Explore polysemantic universality of word embeddings. "
        "Without a command, starts the explorer.",
    )
    parser.add_argument("--version", action="version", version=f"polyterm {__version__}")
    parser.add_argument("--theme", type=non_empty("--theme"), help="explorer theme name")
    parser.add_argument(
        "--no-seed-floor",
        dest="app_no_seed_floor",
        action="store_true",
        help="explorer: the Compare pane does not open or train a different-seed model for "
        "the seed floor of a pair that shares a seed",
    )
    parser.add_argument(
        "--cache-dir", dest="app_cache_dir", type=non_empty("--cache-dir"), help=argparse.SUPPRESS
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("train", parents=[common], help="train word2vec models (in parallel)")
    p.add_argument("specs", nargs="*", help="model specs such as brown_30 brown_29")
    p.add_argument(
        "--corpus", type=non_empty("--corpus"), help="corpus for --dims/--seeds (e.g. brown, lee)"
    )
    p.add_argument(
        "--dims",
        type=int_list("--dims", 1, MAX_DIMS),
        help="sizes, e.g. 300,100,50,30,29,10,5,2 or 30-25",
    )
    p.add_argument(
        "--seeds", type=int_list("--seeds", 0, MAX_SEED), default=[1], help="seeds, e.g. 1,2,3"
    )
    for name, what in (
        ("window", "context words on each side"),
        ("min_count", "ignore words rarer than this"),
        ("epochs", "passes over the corpus"),
        ("negative", "negative samples per word (0 = none)"),
    ):
        opt = "--" + name.replace("_", "-")
        p.add_argument(
            opt, type=bounded_int(opt, *PARAM_BOUNDS[name]), help=f"word2vec {name}: {what}"
        )
    p.add_argument(
        "--sg",
        type=bounded_int("--sg", 0, 1),
        help="0 = CBOW (default), 1 = skip-gram",
    )
    p.add_argument(
        "--sample",
        type=bounded_float("--sample", 0.0, 1.0),
        help="word2vec downsampling threshold of frequent words",
    )
    p.add_argument(
        "--corpus-path",
        type=non_empty("--corpus-path"),
        help="a local text file or folder to train on",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=jobs_type, help="parallel processes (default: one per core)")
    where.add_argument(
        "--cluster", metavar="ADDRESS", type=non_empty("--cluster"), help=CLUSTER_HELP
    )

    p = sub.add_parser("models", parents=[common], help="list cached and available models")
    p.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)

    p = sub.add_parser(
        "dims", parents=[common, out, one_basis], help="top/bottom words of a dimension"
    )
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument(
        "--dim", type=dim_type, default=0, help="the dimension, numbered from 0 (default 0)"
    )
    p.add_argument("--scale", choices=("raw", "cosine"), default="raw", help=SCALE_HELP)

    p = sub.add_parser(
        "repeats",
        parents=[common, out, one_basis],
        help="words that recur at the extremes of several dimensions",
    )
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("--scale", choices=("raw", "cosine"), default="raw", help=SCALE_HELP)

    for name, helptext in (
        ("neighbours", "nearest words to a word"),
        ("diff", "nearest words to an expression such as 'cat - car'"),
    ):
        p = sub.add_parser(name, parents=[common, out], help=helptext)
        p.add_argument(
            "query", help="a word" if name == "neighbours" else "an expression, e.g. 'cat - car'"
        )
        p.add_argument("--models", required=True, help=MODELS_HELP)
        p.add_argument(
            "--convention",
            choices=("normalised", "raw"),
            default="normalised",
            help=CONVENTION_HELP,
        )
        p.add_argument("--include-query", action="store_true", help=INCLUDE_HELP)

    p = sub.add_parser(
        "compare",
        parents=[common, out, one_basis],
        help="one query side by side in several models",
    )
    p.add_argument("query", nargs="?", help="a word or an expression")
    p.add_argument("--dim", type=dim_type, help="compare dimension DIM (by index) instead")
    p.add_argument("--models", required=True, help=MODELS_HELP)
    p.add_argument(
        "--convention", choices=("normalised", "raw"), default="normalised", help=CONVENTION_HELP
    )
    p.add_argument("--include-query", action="store_true", help=INCLUDE_HELP)
    p.add_argument(
        "--scale", choices=("raw", "cosine"), default="raw", help=SCALE_HELP + " (with --dim)"
    )

    science = _Parser(add_help=False)
    science.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    science.add_argument("--csv-dir", type=non_empty("--csv-dir"), metavar="DIR", help=CSV_DIR_HELP)
    science.add_argument(
        "--k",
        type=k_type,
        default=COMPARISON.k,
        help=f"top words per list (default {COMPARISON.k})",
    )
    science.add_argument(
        "--top-n",
        type=bounded_int("--top-n", 0, MAX_WORDS),
        default=None,
        help="compare over the N most frequent shared words (0 = all)",
    )
    science.add_argument(
        "--repetitions",
        type=repetitions_type,
        default=COMPARISON.repetitions,
        help=f"null repetitions (2 or more, default {COMPARISON.repetitions})",
    )
    science.add_argument(
        "--seed", type=seed_type, default=COMPARISON.seed, help="seed of the nulls"
    )

    p = sub.add_parser(
        "align",
        parents=[common, science, bases],
        help="matching, Procrustes, CKA and SVCCA of two models, with nulls",
    )
    p.add_argument("model_a", help="the first model: " + MODEL_HELP)
    p.add_argument("model_b", help="the second model")
    p.add_argument(
        "--match-repetitions",
        type=bounded_int("--match-repetitions", 0, MAX_REPETITIONS),
        default=None,
        metavar="R",
        help="draws of the null behind each matched pair's max-|r| p-value and the pairs "
        "shared at FDR 0.05 (default 1000, in every basis; 0 skips them; the smallest p "
        "is 1/(1+R))",
    )
    p.add_argument(
        "--stability-runs",
        type=stability_runs_type,
        default=COMPARISON.stability_runs,
        metavar="N",
        help="ica and dict:K: refit with N seeds to measure each component's stability "
        "(default 10; 0 skips it)",
    )
    p.add_argument(
        "--no-seed-floor",
        action="store_true",
        help="models that share a seed are not also compared with a different-seed model "
        "(trained if needed) of the same spec",
    )

    p = sub.add_parser(
        "universality",
        parents=[common, science, bases],
        help="neighbourhood and difference-vector overlap of two models",
    )
    p.add_argument("model_a", help="the first model: " + MODEL_HELP)
    p.add_argument("model_b", help="the second model")
    p.add_argument(
        "--pairs",
        type=non_empty("--pairs"),
        help="word pairs, e.g. cat-car,water-fire (default: built-in list)",
    )
    p.add_argument(
        "--no-seed-floor",
        action="store_true",
        help="models that share a seed are not also compared with a different-seed model "
        "(trained if needed) of the same spec",
    )

    p = sub.add_parser(
        "sweep",
        parents=[common, science, bases],
        help="train a range of sizes and seeds, then compare them",
    )
    p.add_argument("corpus", type=non_empty("corpus"), help="corpus name, e.g. brown or lee")
    p.add_argument(
        "--dims",
        type=int_list("--dims", 1, MAX_DIMS),
        default=[300, 200, 100, 50, 30, 29, 20, 10, 5, 2],
        help="sizes to train, e.g. 300,100,30 or 30-25 (default 300,200,100,50,30,29,20,10,5,2)",
    )
    p.add_argument(
        "--seeds",
        type=int_list("--seeds", 0, MAX_SEED),
        default=[1, 2],
        help="seeds of each size (default 1,2: two seeds give the noise floor)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--jobs", type=jobs_type, help="parallel training processes (default: cores)"
    )
    where.add_argument(
        "--cluster", metavar="ADDRESS", type=non_empty("--cluster"), help=CLUSTER_HELP
    )
    p.add_argument(
        "--reference",
        type=non_empty("--reference"),
        help="measure coherence in this model (default: each itself)",
    )
    p.add_argument(
        "--features-source",
        choices=("wordnet", "pos", "genre"),
        default=None,
        help="also the share of polysemantic ends by size (features of this source) beside "
        "random directions and the seed floor",
    )
    p.add_argument(
        "--follow",
        metavar="MODEL:AXIS",
        type=non_empty("--follow"),
        help="follow this axis of a swept model down the smaller sizes (best partner, r, "
        "p, merges; with --features-source also its enriched features), in each --basis",
    )
    p.add_argument(
        "--no-quality",
        action="store_true",
        help="skip each model's WordSim-353, SimLex-999 and analogy scores",
    )

    p = sub.add_parser(
        "report",
        parents=[common, bases],
        help="a complete markdown write-up of a study of several models",
    )
    p.add_argument("models", nargs="+", help="two or more models: " + MODEL_HELP)
    p.add_argument("--k", type=k_type, default=10, help="list length (default 10)")
    p.add_argument(
        "--restrict",
        type=restrict_type,
        default=COMPARISON.restrict,
        help="dimension extremes and comparisons over the N most frequent words",
    )
    p.add_argument(
        "--repetitions",
        type=repetitions_type,
        default=COMPARISON.repetitions,
        help=f"null repetitions (2 or more, default {COMPARISON.repetitions})",
    )
    p.add_argument(
        "--features-source",
        choices=("wordnet", "pos", "genre", "none"),
        default="wordnet",
        help="the feature source of the 'Polysemantic groupings' section (default wordnet; "
        "none leaves the section out)",
    )
    p.add_argument(
        "--output", "-o", type=non_empty("--output"), help="write to this file (default: stdout)"
    )
    p.add_argument(
        "--force", action="store_true", help="replace --output if it exists (a regular file)"
    )
    p.add_argument(
        "--figures",
        type=non_empty("--figures"),
        metavar="DIR",
        help="also draw the report's figures as SVG and PNG in DIR and link them from the "
        "markdown (needs polyterm[figures])",
    )
    p.add_argument(
        "--no-quality",
        action="store_true",
        help="skip each model's WordSim-353, SimLex-999 and analogy scores",
    )
    p.add_argument(
        "--no-seed-floor",
        action="store_true",
        help="models that share a seed are not also compared with a different-seed model "
        "(trained if needed) of the same spec",
    )
    p.add_argument(
        "--fit-on",
        choices=("own", "shared"),
        default="own",
        help="fit each model's basis on its own --fit-words most frequent words (own, the "
        "default) or both on the shared words that are compared (shared; in memory)",
    )
    p.add_argument(
        "--basis-seeds",
        type=bounded_int("--basis-seeds", 1, 20),
        default=COMPARISON.basis_seeds,
        metavar="N",
        help="error bars of 'where universality lives': refit each ica/dict:K basis with N "
        f"basis seeds (default {COMPARISON.basis_seeds}; 1: no refits)",
    )
    p.add_argument(
        "--blind",
        action="store_true",
        help="add a blind-alignment section for the first two models (2,000 words; "
        "see polyterm blind)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        type=non_empty("--cluster"),
        help="fit the --basis bases not stored yet as tasks on a Dask cluster: local:N or a "
        "scheduler address such as tcp://host:8786 (needs polyterm[cluster])",
    )
    parents = ParserParents(
        common=common, out=out, science=science, one_basis=one_basis, bases=bases
    )
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parser(sub, parents)
    return parser


@dataclass(frozen=True)
class ParserParents:
    """The option groups a command module's parser may inherit (`parents=[...]`)."""

    common: argparse.ArgumentParser
    out: argparse.ArgumentParser
    science: argparse.ArgumentParser
    one_basis: argparse.ArgumentParser
    bases: argparse.ArgumentParser


COMMAND_MODULES: tuple[str, ...] = (
    "polyterm.cli.map_command",
    "polyterm.cli.features_command",
    "polyterm.cli.groupings_command",
    "polyterm.cli.quality_command",
    "polyterm.cli.blind_command",
)
"""Commands that live in a module of their own (`polyterm/cli/<name>_command.py`). Each
defines `add_parser(sub, parents: ParserParents) -> None`, which adds its subparser and
sets `handler=run` on it (`p.set_defaults(handler=run)`), and `run(args, err) -> int`.
A new command is its module and one line here; keep the module's top-level imports light
(argparse only): every `polyterm` invocation builds every parser."""


def option_conflict(args: argparse.Namespace) -> str | None:
    """What is wrong with a combination of options (each valid alone), or None."""
    k, restrict, top_n = (getattr(args, n, None) for n in ("k", "restrict", "top_n"))
    if getattr(args, "stability_runs", None) == 1:
        return (
            "--stability-runs must be 0 (skip) or at least 2, not 1: "
            "one run has nothing to agree with"
        )
    if k is not None and restrict is not None and k > restrict:
        return (
            f"--k {k:,} is more than --restrict {restrict:,}: a list cannot be longer than "
            "the words it is drawn from; lower --k or raise --restrict"
        )
    if k is not None and top_n and k > top_n:
        return (
            f"--k {k:,} is more than --top-n {top_n:,}: lower --k or raise --top-n (0 = all words)"
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from polyterm.cli.encoding import degrade_to_ascii

    degrade_to_ascii()  # LC_ALL=C, PYTHONIOENCODING=ascii: ASCII, never UnicodeEncodeError
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or one `polyterm: error:` line
        return exc.code if isinstance(exc.code, int) else 0
    # markup=False: messages carry paths, words and user input, never rich markup.
    err = Console(stderr=True, highlight=False, markup=False)
    if args.command is None:
        return _start_explorer(args, err)
    conflict = option_conflict(args)
    if conflict is not None:
        print_error(err, conflict)
        return 2
    logging.basicConfig(level=logging.WARNING)
    if sys.stdout is None:  # started with its standard output closed (`>&-`)
        print_error(
            err,
            "standard output is closed: give polyterm somewhere to write "
            "(a file, a pipe, or > /dev/null)",
        )
        return 2
    real_stdout = sys.stdout
    sys.stdout = _GuardedOutput(real_stdout)  # type: ignore[assignment]
    try:
        from polyterm.cli import commands  # inside: a Ctrl-C while it imports is one line

        with warnings_as_lines(err), command_step():  # BLAS threads: engine/threads.py
            code = commands.run(args, err)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except OutputError as exc:
        print_error(err, str(exc))
        _reader_gone()  # what is still buffered goes nowhere rather than failing again
        return 2
    except PolytermError as exc:
        print_error(err, str(exc))
        return 2
    except KeyboardInterrupt as exc:
        kept = getattr(exc, "kept", ())
        if kept:
            names = ", ".join(visible(k) for k in kept)
            err.print(
                f"polyterm: interrupted; kept the {len(kept)} model{'s' * (len(kept) != 1)} "
                f"finished before it in the cache ({names}); nothing else was written",
                soft_wrap=True,
            )
        else:
            err.print("polyterm: interrupted; nothing was written")
        return 130
    except Exception as exc:  # a bug: say so in one line; POLYTERM_DEBUG=1 shows where
        if os.environ.get("POLYTERM_DEBUG") == "1":
            raise
        err.print(
            f"polyterm: internal error: {type(exc).__name__}: {visible(str(exc))} "
            "(set POLYTERM_DEBUG=1 for the traceback and please report it)",
            style="bold red",
            soft_wrap=True,
        )
        return 3
    finally:
        if isinstance(sys.stdout, _GuardedOutput):
            sys.stdout = real_stdout


class OutputError(PolytermError):
    """Standard output cannot take what polyterm writes (a full disk, an I/O error)."""


class _GuardedOutput:
    """Standard output whose write errors (other than a closed pipe) are one PolytermError
    line, not an internal error: `> /dev/full` said "internal error: OSError: [Errno 28]"."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _failed(self, exc: OSError) -> OutputError:
        why = exc.strerror or str(exc)
        return OutputError(f"cannot write the output: {why} (standard output)")

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a command whose reader went away (`| head -1`)."""


def _reader_gone() -> int:
    """The reader of stdout closed the pipe: stop quietly, like `cat` or `yes`, with 141.

    stdout is pointed at /dev/null so the interpreter's final flush does not fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # stdout without a file descriptor (captured in tests): nothing to flush
    return EXIT_BROKEN_PIPE


def _start_explorer(args: argparse.Namespace, err: Console) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        err.print("polyterm: the explorer needs a terminal; use a command, see polyterm --help")
        return 2
    from polyterm.engine.settings import cache_dir, config_dir, data_dir

    try:  # folders the explorer cannot name (`~nosuchuser`): one line before it starts
        cache_dir(args.app_cache_dir), config_dir(), data_dir()
    except PolytermError as exc:
        print_error(err, str(exc))
        return 2
    pin_process(1)  # the explorer's workers and its training child share the cores
    app = importlib.import_module("polyterm.app")
    code: int = app.run_app(
        theme=args.theme, cache_dir=args.app_cache_dir, seed_floor=not args.app_no_seed_floor
    )
    return code


__all__ = [
    "COMMAND_MODULES",
    "ParserParents",
    "StdoutConsole",
    "build_parser",
    "main",
    "print_error",
    "print_warning",
]
