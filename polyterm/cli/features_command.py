"""`polyterm features MODEL`: which meanings each axis end of a model mixes, with nulls."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from polyterm.cli import ParserParents
    from polyterm.core.embedding import Embedding
    from polyterm.core.features import FeatureLabels


def add_feature_arguments(p: argparse.ArgumentParser) -> None:
    """--source, --features, --k, --restrict, --repetitions, --seed, --format."""
    from polyterm.cli import (
        CSV_DIR_HELP,
        FORMAT_HELP,
        FORMATS,
        MAX_REPETITIONS,
        MAX_WORDS,
        bounded_int,
        non_empty,
    )
    from polyterm.cli.feature_options import add_feature_options
    from polyterm.engine.specs import MAX_SEED

    add_feature_options(p)
    p.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    p.add_argument("--csv-dir", type=non_empty("--csv-dir"), metavar="DIR", help=CSV_DIR_HELP)
    p.add_argument(
        "--k",
        type=bounded_int("--k", 1, MAX_WORDS),
        default=50,
        help="labelled words per axis end (default 50)",
    )
    p.add_argument(
        "--restrict",
        type=bounded_int("--restrict", 1, MAX_WORDS),
        default=None,
        help="score the N most frequent words (default 10,000, the bases' fit words)",
    )
    p.add_argument(
        "--repetitions",
        type=bounded_int("--repetitions", 2, MAX_REPETITIONS),
        default=20,
        help="draws of each null: random directions, shuffled labels (default 20)",
    )
    p.add_argument(
        "--seed", type=bounded_int("--seed", 0, MAX_SEED), default=0, help="seed of the nulls"
    )


def add_parser(sub: Any, parents: ParserParents) -> None:
    from polyterm.cli import MAX_WORDS, bounded_int

    p = sub.add_parser(
        "features",
        parents=[parents.common, parents.one_basis],
        help="which meanings (WordNet supersenses, parts of speech, genres) each axis end mixes",
    )
    p.add_argument("model", help="a model spec: brown_30, glove-6b-50, a vector file...")
    p.add_argument(
        "--dim",
        type=bounded_int("--dim", 0, MAX_WORDS),
        default=None,
        help="only this axis (numbered from 0); default: every axis",
    )
    add_feature_arguments(p)
    p.set_defaults(handler=run)


def labels_for(
    args: argparse.Namespace, cache_root: Any, vocabulary: Sequence[str], err: Console
) -> FeatureLabels:
    """The labels --source or --features names, restricted to `vocabulary`."""
    from polyterm.cli import print_warning
    from polyterm.cli.feature_options import feature_labels_from_args

    return feature_labels_from_args(
        args,
        cache_root,
        bool(getattr(args, "download", False)),
        vocabulary=list(vocabulary),
        warn=lambda message: print_warning(err, message),
    )


def scored_words(models: Sequence[Embedding], restrict: int | None) -> list[str]:
    from polyterm.views.polysemanticity import DEFAULT_VOCABULARY

    n = restrict or DEFAULT_VOCABULARY
    words: dict[str, None] = {}
    for m in models:
        words.update(dict.fromkeys(m.vocab[i] for i in range(min(n, len(m)))))
    return list(words)


def run(args: argparse.Namespace, err: Console) -> int:
    from polyterm.cli.commands import _emit, _in_basis, _one_basis, _open_with
    from polyterm.views.polysemanticity import features_view

    library, models = _open_with(args, err, [args.model])
    (coded,) = _in_basis(args, err, library, models, _one_basis(args))
    labels = labels_for(args, library.cache.root, scored_words(models, args.restrict), err)
    view = features_view(
        coded,
        labels,
        base=models[0],
        k=args.k,
        restrict=args.restrict,
        dim=args.dim,
        draws=args.repetitions,
        seed=args.seed,
    )
    _emit(view, args.format)
    return 0
