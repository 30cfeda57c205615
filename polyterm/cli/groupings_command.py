"""`polyterm groupings A B [...]`: the feature pairs the models' axes group together, and
whether the other models group them the same way, with nulls."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from polyterm.cli import ParserParents


def add_parser(sub: Any, parents: ParserParents) -> None:
    from polyterm.cli.features_command import add_feature_arguments

    p = sub.add_parser(
        "groupings",
        parents=[parents.common, parents.bases],
        help="the meanings two or more models' axes mix together, shared or not, with nulls",
    )
    p.add_argument("models", nargs="+", help="two or more model specs: brown_30 brown_29 ...")
    add_feature_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, err: Console) -> int:
    from polyterm.cli.commands import _emit_all, _in_basis, _open_with, _requests, _store
    from polyterm.cli.features_command import labels_for, scored_words
    from polyterm.errors import PolytermError
    from polyterm.views.polysemanticity import groupings_view

    if len(args.models) < 2:
        raise PolytermError("groupings needs two or more models, e.g. groupings brown_30 brown_29")
    library, models = _open_with(args, err, args.models)
    labels = labels_for(args, library.cache.root, scored_words(models, args.restrict), err)
    store = _store(library, err)
    views = []
    for request in _requests(args):
        coded = _in_basis(args, err, library, models, request, store)
        views.append(
            groupings_view(
                coded,
                labels,
                bases=models,
                k=args.k,
                restrict=args.restrict,
                draws=args.repetitions,
                seed=args.seed,
            )
        )
    _emit_all(views, args.format)
    return 0
