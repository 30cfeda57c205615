"""The options that choose a feature source (issue 20): ``--source`` or ``--features FILE``.

A command that measures meanings in words adds them with `add_feature_options(parser)` and
gets its labels with `feature_labels_from_args(args, cache_root, download)`. Top-level
imports stay light (argparse only): every `polyterm` invocation builds every parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from polyterm.core.features import FeatureLabels

SOURCES: tuple[str, ...] = ("wordnet", "pos", "genre")
"""The same names as `polyterm.engine.feature_sources.FEATURE_SOURCES` (a test keeps them
equal), repeated here so building the parser imports no engine module."""


class _Default(str):
    """The default ``--source``: equal to ``"wordnet"`` but never the same object as a value
    typed on the command line, so argparse sees ``--source wordnet --features F`` as the
    conflict it is (it skips the check for a value that *is* the default)."""

    __slots__ = ()


DEFAULT_SOURCE = _Default("wordnet")

SOURCE_HELP = (
    "where the words' meanings come from: wordnet (WordNet 3.0 supersenses, e.g. "
    "noun.animal; the default), pos (the coarse part of speech in tagged Brown) or genre "
    "(the Brown genre a word is most over-represented in, where significant)"
)
FEATURES_HELP = (
    "a file of word<TAB>label lines (a word may have several) to use instead of --source"
)


def add_feature_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--source {wordnet,pos,genre}`` (default wordnet) and ``--features FILE``,
    which exclude each other. `args.source` is the source's name, `args.features` the
    file or None."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--source", choices=SOURCES, default=DEFAULT_SOURCE, help=SOURCE_HELP)
    group.add_argument("--features", metavar="FILE", type=_file_name, help=FEATURES_HELP)


def _file_name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("--features needs a file name")
    return text


def feature_source_name(args: argparse.Namespace) -> str:
    """What `load_feature_source` is asked for: ``file:PATH`` or the source's name."""
    features = getattr(args, "features", None)
    if features:
        return f"file:{features}"
    return str(getattr(args, "source", None) or DEFAULT_SOURCE)


def feature_labels_from_args(
    args: argparse.Namespace,
    cache_root: Path | None,
    download: bool,
    *,
    vocabulary: Sequence[str] | None = None,
    warn: Callable[[str], None] | None = None,
) -> FeatureLabels:
    """The labels the options ask for: the file of ``--features``, else the ``--source``
    (its tables kept under `cache_root`; `download` lets NLTK fetch missing data)."""
    from polyterm.engine.feature_sources import load_feature_source

    return load_feature_source(
        feature_source_name(args),
        cache_root=cache_root,
        download=download,
        vocabulary=vocabulary,
        warn=warn,
    )


__all__ = [
    "DEFAULT_SOURCE",
    "SOURCES",
    "add_feature_options",
    "feature_labels_from_args",
    "feature_source_name",
]
