"""Feature sources: labels of words that come from no model under study.

`load_feature_source(name)` gives a `polyterm.core.features.FeatureLabels` for one of
`FEATURE_SOURCES` or for a user's file (``file:PATH``, read by `read_feature_file`):

- ``wordnet``: WordNet 3.0 supersenses, the 45 lexicographer files (`Synset.lexname()`,
  e.g. ``noun.animal``). A word's sense is the first WordNet synset of its dominant coarse
  part of speech in tagged Brown (below) when that is a noun, verb, adjective or adverb and
  WordNet has the word in it, else WordNet's first synset of any part of speech
  (``wn.synsets(word)[0]``: nouns first) — except that a word whose dominant Brown class
  is a function class (`FUNCTION_CLASSES`: DET PRON ADP CONJ PRT . X) gets no label ("in"
  is not indium). One label per word. `senses[word]` is the number
  of WordNet synsets of a labelled word over all parts of speech (``len(wn.synsets(word))``, which
  finds inflected forms through WordNet's morphy): word polysemy, not unit polysemy.
- ``pos``: the word's dominant coarse part of speech in tagged Brown: the class of
  Petrov, Das & McDonald (2012) (NOUN VERB ADJ ADV PRON DET ADP NUM CONJ PRT . X) that its
  tokens carry most often, Brown tags mapped by `universal_tag` (ties: in that order).
- ``genre``: the Brown category (of 15) in which the word is most over-represented, by the
  weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
  2008), each genre against the rest of Brown, the prior the word's count in the whole
  corpus (`log_odds_z`); kept only when that z-score is at least `GENRE_Z` (one-sided
  α = 0.05, Bonferroni-corrected for the 15 genres; not corrected for the number of words:
  it decides a label, it is not a discovery).

Words are Brown's tokens lowercased, those with at least a letter (what polyterm's Brown
models are trained on: `polyterm.engine.corpus.normalise_sentence`); WordNet labels also
cover WordNet's one-word lemma names that Brown lacks. A vocabulary word is looked up as
it is, then lowercased. A word that is neither gets no label.

The derived tables take seconds to build (reading Brown, asking WordNet for every word),
so with a `cache_root` they are kept under ``<cache_root>/features/``: one file per table,
``<table>-r<RULES>-<data fingerprint>.json``, written atomically (`engine/atomic.py`).
A file is a JSON header line (format, table, rules version, the fingerprint of the NLTK
data it came from, the payload's size and sha256, library versions, creation time), then
the payload as JSON; it is verified on every read (size and sha256), and a damaged or
mismatching one is rebuilt with a warning. No pickle. A link in the cache is never
followed: such a folder or file is left alone and the table kept in memory.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.features import FeatureLabels
from polyterm.engine.atomic import write_bytes_atomic
from polyterm.engine.corpus import (
    SNIFF_BYTES,
    download_nltk_corpus,
    looks_binary,
    nltk_corpus_root,
)
from polyterm.engine.corpus import _corpus_lock as corpus_lock
from polyterm.engine.corpus import _nltk as nltk_with_polyterm_data
from polyterm.engine.settings import nltk_download_dir
from polyterm.errors import CorpusError, PolytermError

FEATURE_SOURCES: tuple[str, ...] = ("wordnet", "pos", "genre")
FILE_PREFIX = "file:"
RULES = 2
"""Version of the rules below; part of every cached table's name (a change rebuilds)."""
ENTRY_FORMAT = 1
WarnFn = Callable[[str], None]

# -- Brown tags → universal coarse classes ---------------------------------------------

UNIVERSAL_CLASSES: tuple[str, ...] = (
    "NOUN",
    "VERB",
    "ADJ",
    "ADV",
    "PRON",
    "DET",
    "ADP",
    "NUM",
    "CONJ",
    "PRT",
    ".",
    "X",
)
"""Petrov, Das & McDonald (2012), in the order that breaks ties of dominance."""

_BROWN_BASE: dict[str, str] = {
    # punctuation
    ".": ".", ",": ".", ":": ".", "(": ".", ")": ".", "--": ".", "'": ".", "''": ".",
    "``": ".",
    "*": "ADV",  # the negator: not, n't
    # determiners, pre- and post-quantifiers
    "ABL": "PRT", "ABN": "PRT", "ABX": "DET", "AP": "ADJ", "AP$": "PRT", "AT": "DET",
    "DT": "DET", "DTI": "DET", "DTS": "DET", "DTX": "DET", "EX": "DET", "WDT": "DET",
    # verbs: lexical, be, do, have, modals
    "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBZ": "VERB",
    "BE": "VERB", "BED": "VERB", "BEDZ": "VERB", "BEG": "VERB", "BEM": "VERB",
    "BEN": "VERB", "BER": "VERB", "BEZ": "VERB",
    "DO": "VERB", "DOD": "VERB", "DOZ": "VERB",
    "HV": "VERB", "HVD": "VERB", "HVG": "VERB", "HVN": "VERB", "HVZ": "VERB",
    "MD": "VERB",
    # nouns (common, proper, adverbial) and nominal pronouns
    "NN": "NOUN", "NNS": "NOUN", "NP": "NOUN", "NPS": "NOUN", "NR": "NOUN", "NRS": "NOUN",
    "PN": "NOUN",
    # adjectives and ordinals
    "JJ": "ADJ", "JJR": "ADJ", "JJS": "ADJ", "JJT": "ADJ", "OD": "ADJ",
    # adverbs and qualifiers
    "RB": "ADV", "RBR": "ADV", "RBT": "ADV", "RN": "ADV", "QL": "ADV", "QLP": "ADV",
    "WQL": "ADV", "WRB": "ADV",
    # pronouns
    "PP$": "PRON", "PP$$": "PRON", "PPL": "PRON", "PPLS": "PRON", "PPO": "PRON",
    "PPS": "PRON", "PPSS": "PRON", "WP$": "PRON", "WPO": "PRON", "WPS": "PRON",
    # the rest
    "CC": "CONJ", "CS": "ADP", "IN": "ADP", "CD": "NUM", "RP": "PRT", "TO": "PRT",
    "UH": "X", "NIL": "X",
}  # fmt: skip
"""Brown's base tags (the Brown Corpus Manual's list) and their universal class, as in
Petrov, Das & McDonald's en-brown mapping: pre-qualifiers and pre-quantifiers (quite, all)
PRT, post-determiners (many, other) ADJ, existential there DET, subordinating
conjunctions ADP, ordinals ADJ, nominal pronouns (everybody) NOUN, the negator ADV,
interjections X."""

_SUFFIXES = re.compile(r"(?:-(?:HL|TL|NC))+$|-[HTN]$")
"""Headline, title and cited-word markers (``NN-TL-HL``), and Brown's few cut ones (``-T``)."""


def universal_tag(brown_tag: str) -> str:
    """The universal coarse class of a Brown tag (X for a tag Brown does not define).

    Compound tags: ``-HL``/``-TL``/``-NC`` are dropped; ``FW-…`` (foreign words) is X; a
    contraction ``A+B`` (``PPSS+MD``: I'd) takes the class of its first part; a negated
    ``…*`` (``DO*``: don't) and a genitive ``…$`` (``NN$``) take the class of the tag
    without it, except the tags that are themselves ``*``, ``PP$``, ``PP$$``, ``WP$``.
    """
    tag = brown_tag.strip().upper()
    while True:
        cut = _SUFFIXES.sub("", tag) if tag not in ("--",) else tag
        if cut == tag or not cut:
            break
        tag = cut
    if tag.startswith("FW-") or tag == "FW":
        return "X"
    if tag in _BROWN_BASE:
        return _BROWN_BASE[tag]
    first = tag.split("+", 1)[0] if "+" in tag[1:] else tag
    if first in _BROWN_BASE:
        return _BROWN_BASE[first]
    base = first.rstrip("*") if first != "*" else first
    if base in _BROWN_BASE:
        return _BROWN_BASE[base]
    if base.endswith("$") and base[:-1] in _BROWN_BASE:
        return _BROWN_BASE[base[:-1]]
    return "X"


# -- log-odds with an informative Dirichlet prior --------------------------------------

GENRE_ALPHA = 0.05
GENRE_COUNT = 15


GENRE_Z = NormalDist().inv_cdf(1.0 - GENRE_ALPHA / GENRE_COUNT)
"""2.713: one-sided α = 0.05, Bonferroni-corrected for the 15 Brown genres."""


def log_odds_z(
    counts: npt.ArrayLike, prior: npt.ArrayLike | None = None
) -> npt.NDArray[np.float64]:
    """z-scores of the weighted log-odds ratio of each word (row) in each group (column)
    against all other groups together, with an informative Dirichlet prior (Monroe,
    Colaresi & Quinn 2008, eqs. 16, 18-20).

    With y_wi the count of word w in group i, n_i the size of group i, α_w the prior of w
    (default: its count in the whole table) and α_0 = Σ_w α_w, for group i against the rest
    j (y_wj = y_w − y_wi, n_j = N − n_i):

        δ_wi = log((y_wi + α_w) / (n_i + α_0 − y_wi − α_w))
             − log((y_wj + α_w) / (n_j + α_0 − y_wj − α_w)),
        σ²_wi ≈ 1 / (y_wi + α_w) + 1 / (y_wj + α_w),         z_wi = δ_wi / σ_wi.

    A word with no prior weight (α_w = 0, count 0) gets z = 0.
    """
    y = np.asarray(counts, dtype=np.float64)
    if y.ndim != 2:
        raise ValueError("counts must be a words × groups table")
    total = y.sum(axis=1)
    alpha = total if prior is None else np.asarray(prior, dtype=np.float64)
    if alpha.shape != total.shape or (alpha < 0).any():
        raise ValueError("the prior must give every word a non-negative weight")
    a0 = alpha.sum()
    n = y.sum(axis=0)
    big_n = n.sum()
    a = alpha[:, None]
    yi = y
    yj = total[:, None] - y
    ni = n[None, :]
    nj = big_n - ni
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a))
        var = 1.0 / (yi + a) + 1.0 / (yj + a)
        z = delta / np.sqrt(var)
    return np.where(np.isfinite(z), z, 0.0)


# -- reading a user's file ---------------------------------------------------------------

MAX_FEATURE_FILE_BYTES = 1 << 28
"""A label file larger than 256 MiB is refused before reading (far beyond any vocabulary)."""
MAX_FEATURE_LINES = 10_000_000
MAX_LINE_BYTES = 1 << 16
"""A line longer than this (64 KiB, a word and a label) is damage, not a label."""
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _file_error(path: Path, what: str) -> PolytermError:
    return PolytermError(f"the feature file {path}: {what}")


def read_feature_file(path: Path) -> FeatureLabels:
    """Labels from a UTF-8 text file of ``word<TAB>label`` lines (a word may have several
    lines; blank lines are skipped; spaces around a word or label are dropped).

    Any other line is a one-line PolytermError naming its line: no tab, more than one,
    an empty word or label, a control character (C0 but tab, DEL, C1), bytes that are not
    UTF-8, a line longer than MAX_LINE_BYTES. A file that looks binary, is empty, holds no
    label, is larger than MAX_FEATURE_FILE_BYTES or has more than MAX_FEATURE_LINES lines
    is refused too;
    reading stops at the bound, the file is never read whole. Labels are kept as text.
    """
    path = Path(path)
    try:
        st = path.stat()
    except PermissionError:
        raise _file_error(path, "permission denied") from None
    except (OSError, ValueError) as exc:
        raise _file_error(
            path, f"cannot read it ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise _file_error(path, "is a folder; give a word<TAB>label text file")
    if not stat.S_ISREG(st.st_mode):
        raise _file_error(path, "is not a regular file (a device, pipe or socket?)")
    if st.st_size == 0:
        raise _file_error(path, "is empty; write one word<TAB>label line per label")
    if st.st_size > MAX_FEATURE_FILE_BYTES:
        raise _file_error(
            path,
            f"is {st.st_size / 2**20:,.0f} MiB, more than the {MAX_FEATURE_FILE_BYTES >> 20} "
            "MiB a label file may have; split it or keep the words you study",
        )
    digest = hashlib.sha256()
    table: dict[str, set[str]] = {}
    pairs = lines = 0
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
            if looks_binary(head):
                raise _file_error(path, "looks binary, not word<TAB>label text")
            fh.seek(0)
            while True:
                raw = fh.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    break
                lines += 1
                if lines > MAX_FEATURE_LINES:
                    raise _file_error(path, f"has more than {MAX_FEATURE_LINES:,} lines; split it")
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    raise _file_error(path, f"line {lines} is longer than {MAX_LINE_BYTES:,} bytes")
                digest.update(raw)
                if lines == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise _file_error(path, f"line {lines} is not UTF-8 text") from None
                text = text.removesuffix("\n").removesuffix("\r")
                if not text.strip():
                    continue
                word, label = _split_line(path, lines, text)
                found = table.setdefault(word, set())
                if label not in found:
                    found.add(label)
                    pairs += 1
    except OSError as exc:
        raise _file_error(path, f"cannot read it ({exc.strerror or exc})") from None
    if not table:
        raise _file_error(path, "has no word<TAB>label lines")
    labels = {w: frozenset(ls) for w, ls in table.items()}
    kinds = len(frozenset().union(*labels.values()))
    return FeatureLabels(
        source=f"{FILE_PREFIX}{path.name}",
        rule=(
            f"labels read from {path.name}: each word<TAB>label line gives the word that "
            "label (a word may have several)"
        ),
        labels=labels,
        senses=None,
        meta={
            "file": str(path),
            "sha256": digest.hexdigest(),
            "lines": str(lines),
            "words": str(len(labels)),
            "labels": str(kinds),
            "pairs": str(pairs),
        },
    )


def _split_line(path: Path, number: int, text: str) -> tuple[str, str]:
    if "\t" not in text:
        raise _file_error(path, f"line {number} has no tab; each line is word<TAB>label")
    word, _, label = text.partition("\t")
    if "\t" in label:
        raise _file_error(path, f"line {number} has more than one tab; each line is word<TAB>label")
    if _CONTROL.search(text):
        raise _file_error(path, f"line {number} holds a control character")
    word, label = word.strip(), label.strip()
    if not word:
        raise _file_error(path, f"line {number} has an empty word")
    if not label:
        raise _file_error(path, f"line {number} has an empty label")
    return word, label


# -- NLTK data -----------------------------------------------------------------------------

_WORDNET = "wordnet"
_BROWN = "brown"
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_BUILD_LOCK = threading.Lock()
"""NLTK's corpus readers share one open zip file: one thread reads them at a time."""


def _search_paths() -> list[Path]:
    """NLTK's data search path (`nltk.data.path`, rebuilt as NLTK builds it when NLTK is not
    imported yet: importing it takes seconds, a cached table needs none of it), then
    polyterm's own download folder."""
    import sys

    nltk = sys.modules.get("nltk")
    if nltk is not None:
        paths = [str(p) for p in nltk.data.path]
    else:
        paths = [
            os.path.expanduser(d) for d in os.environ.get("NLTK_DATA", "").split(os.pathsep) if d
        ]
        if os.path.expanduser("~/") != "~/":
            paths.append(os.path.expanduser("~/nltk_data"))
        paths += [
            os.path.join(sys.prefix, "nltk_data"),
            os.path.join(sys.prefix, "share", "nltk_data"),
            os.path.join(sys.prefix, "lib", "nltk_data"),
            "/usr/share/nltk_data",
            "/usr/local/share/nltk_data",
            "/usr/lib/nltk_data",
            "/usr/local/lib/nltk_data",
        ]
    paths.append(str(nltk_download_dir()))
    return [Path(p) for p in paths]


def _quick_root(name: str) -> Path | None:
    """Where NLTK would find the corpus `name` (a folder or a zip), without importing NLTK."""
    for folder in _search_paths():
        for candidate in (folder / "corpora" / name, folder / "corpora" / f"{name}.zip"):
            try:
                if candidate.is_dir() or candidate.is_file():
                    return candidate
            except OSError:
                continue
    return None


def _data_root(name: str, download: bool) -> Path:
    """Where an NLTK corpus is (fetched first with `download`), or a one-line CorpusError
    naming the command that installs it."""
    root = _quick_root(name) or nltk_corpus_root(name)
    if root is None and download:
        download_nltk_corpus(name)
        root = nltk_corpus_root(name)
    if root is None:
        raise CorpusError(
            f"the NLTK corpus {name!r} is not installed (feature sources need it): run "
            f"`python -m nltk.downloader {name}` (or pass --download), or point NLTK_DATA at "
            f"a folder that has corpora/{name}.zip"
        )
    return root


def _fingerprint(roots: Iterable[Path]) -> str:
    h = hashlib.sha256(f"features-r{RULES}".encode())
    for root in sorted(roots):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            try:
                st = p.stat()
            except OSError as exc:
                raise CorpusError(f"cannot read {p}: {exc.strerror or exc}") from None
            h.update(os.fsencode(p) + f"\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _read_damaged(name: str, exc: Exception) -> CorpusError:
    return CorpusError(
        f"could not read the NLTK corpus {name!r} ({type(exc).__name__}: {exc}); it may be "
        f"damaged: delete it and run `python -m nltk.downloader {name}` again"
    )


@dataclass(frozen=True, slots=True)
class BrownCounts:
    """Per lowercased Brown word: token counts per genre and per universal class."""

    words: tuple[str, ...]
    genres: tuple[str, ...]
    by_genre: npt.NDArray[np.int64]
    """words × genres."""
    by_class: npt.NDArray[np.int64]
    """words × UNIVERSAL_CLASSES."""

    def as_payload(self) -> dict[str, Any]:
        return {
            "words": list(self.words),
            "genres": list(self.genres),
            "classes": list(UNIVERSAL_CLASSES),
            "by_genre": _sparse(self.by_genre),
            "by_class": _sparse(self.by_class),
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> BrownCounts:
        words = tuple(str(w) for w in data["words"])
        genres = tuple(str(g) for g in data["genres"])
        if tuple(data["classes"]) != UNIVERSAL_CLASSES or len(set(words)) != len(words):
            raise ValueError("the counts are not of this version")
        return cls(
            words,
            genres,
            _dense(data["by_genre"], (len(words), len(genres))),
            _dense(data["by_class"], (len(words), len(UNIVERSAL_CLASSES))),
        )


def _sparse(matrix: npt.NDArray[np.int64]) -> list[list[int]]:
    rows, cols = np.nonzero(matrix)
    return [rows.tolist(), cols.tolist(), matrix[rows, cols].tolist()]


def _dense(triplets: Any, shape: tuple[int, int]) -> npt.NDArray[np.int64]:
    rows, cols, vals = (np.asarray(t, dtype=np.int64) for t in triplets)
    if not (rows.shape == cols.shape == vals.shape and rows.ndim == 1):
        raise ValueError("the sparse counts do not match")
    if rows.size and (
        rows.min() < 0 or rows.max() >= shape[0] or cols.min() < 0 or cols.max() >= shape[1]
    ):
        raise ValueError("the sparse counts are out of range")
    out = np.zeros(shape, dtype=np.int64)
    out[rows, cols] = vals
    return out


def count_brown() -> BrownCounts:
    """One pass over tagged Brown: lowercased tokens with a letter, by genre and class."""
    nltk = nltk_with_polyterm_data()  # NLTK's path and polyterm's download folder
    reader: Any = nltk.corpus.brown
    try:
        with corpus_lock(_BROWN, None):  # training reads Brown through the same open zip
            return _count(reader)
    except (CorpusError, PolytermError):
        raise
    except Exception as exc:  # a damaged zip, a parse error
        raise _read_damaged(_BROWN, exc) from None


def _count(reader: Any) -> BrownCounts:
    genres = tuple(str(g) for g in reader.categories())
    index = {g: i for i, g in enumerate(genres)}
    cls_index = {c: i for i, c in enumerate(UNIVERSAL_CLASSES)}
    tag_class: dict[str, int] = {}
    word_index: dict[str, int] = {}
    by_genre: Counter[tuple[int, int]] = Counter()
    by_class: Counter[tuple[int, int]] = Counter()
    for fileid in reader.fileids():
        g = index[reader.categories(fileid)[0]]
        for token, tag in reader.tagged_words(fileid):
            if not _LETTER.search(token):
                continue
            w = word_index.setdefault(token.lower(), len(word_index))
            c = tag_class.get(tag)
            if c is None:
                c = tag_class[tag] = cls_index[universal_tag(tag)]
            by_genre[w, g] += 1
            by_class[w, c] += 1
    words = tuple(word_index)
    return BrownCounts(
        words, genres, _from_counter(by_genre, (len(words), len(genres))),
        _from_counter(by_class, (len(words), len(UNIVERSAL_CLASSES))),
    )  # fmt: skip


def _from_counter(counter: Counter[tuple[int, int]], shape: tuple[int, int]) -> Any:
    out = np.zeros(shape, dtype=np.int64)
    if counter:
        keys = np.array(list(counter.keys()), dtype=np.int64)
        out[keys[:, 0], keys[:, 1]] = np.fromiter(counter.values(), dtype=np.int64)
    return out


# -- the three sources -------------------------------------------------------------------

RULE_WORDNET = (
    "WordNet 3.0 supersense (lexicographer file) of the word's first synset in its dominant "
    "part of speech in tagged Brown (noun, verb, adjective or adverb), else of WordNet's "
    "first synset of any part of speech; none for words mostly tagged as function words "
    "(determiner, pronoun, adposition, conjunction, particle, other); one label per word; "
    "senses = its number of WordNet synsets (all parts of speech)"
)
RULE_POS = (
    "the coarse part of speech (Petrov, Das & McDonald 2012) the word's lowercased tokens "
    "carry most often in tagged Brown"
)
RULE_GENRE = (
    "the Brown genre in which the word is most over-represented, by the weighted log-odds "
    "ratio with an informative Dirichlet prior (the word's whole-corpus count; Monroe, "
    f"Colaresi & Quinn 2008), each genre against the rest; kept when z >= {GENRE_Z:.3f} "
    "(one-sided 0.05, Bonferroni over the 15 genres)"
)
_WN_POS = {"NOUN": "n", "VERB": "v", "ADJ": "a", "ADV": "r"}
FUNCTION_CLASSES = frozenset({"DET", "PRON", "ADP", "CONJ", "PRT", ".", "X"})
"""Dominant Brown classes that get no WordNet label: WordNet describes no determiner,
pronoun, preposition, conjunction or particle, and its first synset of one ("in": indium,
"i": iodine, "a": angstrom) would label the commonest words with noise."""


def dominant_classes(counts: BrownCounts) -> dict[str, str]:
    """Each Brown word's most frequent universal class (ties in UNIVERSAL_CLASSES order)."""
    best = np.argmax(counts.by_class, axis=1)  # argmax takes the first of equal counts
    return {w: UNIVERSAL_CLASSES[int(c)] for w, c in zip(counts.words, best, strict=True)}


def pos_table(counts: BrownCounts) -> dict[str, frozenset[str]]:
    return {w: frozenset((c,)) for w, c in dominant_classes(counts).items()}


def genre_table(counts: BrownCounts) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
    """(labels, the winning z of each labelled word)."""
    z = log_odds_z(counts.by_genre)
    best = np.argmax(z, axis=1)
    top = z[np.arange(len(best)), best]
    labels: dict[str, frozenset[str]] = {}
    zs: dict[str, float] = {}
    for i in np.flatnonzero(top >= GENRE_Z):
        w = counts.words[i]
        labels[w] = frozenset((counts.genres[int(best[i])],))
        zs[w] = round(float(top[i]), 4)
    return labels, zs


def wordnet_table(
    counts: BrownCounts, words: Iterable[str] | None = None
) -> tuple[dict[str, frozenset[str]], dict[str, int]]:
    """(supersense labels, number of synsets) of every Brown word and every one-word
    WordNet lemma name (only those among `words` when given: the same labels, fewer of
    them), by the rule in the module docstring."""
    nltk = nltk_with_polyterm_data()
    wn: Any = nltk.corpus.wordnet
    try:
        wn.ensure_loaded()
        dominant = dominant_classes(counts)
        lemmas = (n for n in wn.all_lemma_names() if "_" not in n)
        domain_set = set(counts.words) | set(lemmas)
        domain = sorted(domain_set if words is None else domain_set.intersection(words))
        labels: dict[str, frozenset[str]] = {}
        senses: dict[str, int] = {}
        for w in domain:
            if dominant.get(w) in FUNCTION_CLASSES:
                continue
            synsets = wn.synsets(w)
            if not synsets:
                continue
            chosen = synsets[0]
            pos = _WN_POS.get(dominant.get(w, ""))
            if pos is not None:
                in_pos = wn.synsets(w, pos=pos)
                if in_pos:
                    chosen = in_pos[0]
            labels[w] = frozenset((str(chosen.lexname()),))
            senses[w] = len(synsets)
    except (CorpusError, PolytermError):
        raise
    except Exception as exc:
        raise _read_damaged(_WORDNET, exc) from None
    return labels, senses


# -- the cache -------------------------------------------------------------------------------

HEADER_MAX_BYTES = 1 << 16
ENTRY_MAX_BYTES = 1 << 28


class _Damaged(Exception):
    pass


def _versions() -> dict[str, str]:
    import nltk

    return {"nltk": str(nltk.__version__), "numpy": np.__version__}


class _FeatureCache:
    """Tables in ``<root>/features/`` (module docstring); None folder: memory only."""

    def __init__(self, root: Path | None, warn: WarnFn) -> None:
        self.warn = warn
        self.folder: Path | None = None
        if root is None:
            return
        folder = Path(root) / "features"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if stat.S_ISDIR(os.lstat(folder).st_mode):
                self.folder = folder
                return
        except OSError:
            pass
        warn(
            f"{folder} is not a folder polyterm can use (a link or unwritable; polyterm never "
            "follows links inside its cache): feature labels are kept for this run only"
        )

    def get(self, table: str, fp: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        path = self.folder / f"{table}-r{RULES}-{fp}.json"
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.warn(f"cannot read {path}: {exc.strerror or exc}; rebuilding it")
            return None
        if not stat.S_ISREG(st.st_mode):
            self.warn(f"{path} is not a file polyterm wrote; it is left alone and not used")
            return None
        try:
            return _read_entry(path, table, fp)
        except (_Damaged, OSError, ValueError, KeyError, TypeError) as exc:
            self.warn(f"the feature table {path.name} was damaged ({exc}); rebuilding it")
            return None

    def put(self, table: str, fp: str, payload: Mapping[str, Any]) -> None:
        if self.folder is None:
            return
        path = self.folder / f"{table}-r{RULES}-{fp}.json"
        try:
            if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
                return  # something polyterm did not write: left alone (said in get)
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            header = {
                "format": ENTRY_FORMAT,
                "kind": "feature-table",
                "table": table,
                "rules": RULES,
                "data": fp,
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
                "versions": _versions(),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            write_bytes_atomic(path, json.dumps(header).encode() + b"\n" + body)
        except OSError as exc:
            self.warn(
                f"could not store the feature table {table} in {self.folder}: "
                f"{exc.strerror or exc}; it is kept for this run only"
            )


def _read_entry(path: Path, table: str, fp: str) -> dict[str, Any]:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        header_line = fh.readline(HEADER_MAX_BYTES)
        if not header_line.endswith(b"\n"):
            raise _Damaged("no header line")
        header = json.loads(header_line)
        if not isinstance(header, dict) or header.get("format") != ENTRY_FORMAT:
            raise _Damaged("not a table polyterm wrote")
        want = {"kind": "feature-table", "table": table, "rules": RULES, "data": fp}
        if any(header.get(k) != v for k, v in want.items()):
            raise _Damaged("the header names another table")
        size = header["size"]
        if not isinstance(size, int) or not 0 < size <= ENTRY_MAX_BYTES:
            raise _Damaged("the header's size is not one polyterm writes")
        body = fh.read(size + 1)
    if len(body) != size:
        raise _Damaged(f"{len(body)} bytes of payload, the header says {size}")
    if hashlib.sha256(body).hexdigest() != header["sha256"]:
        raise _Damaged("the payload's sha256 does not match")
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise _Damaged("the payload is not a JSON object")
    return payload


def _labels_payload(
    labels: Mapping[str, frozenset[str]], extra: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    groups: dict[str, list[str]] = {}
    for w in sorted(labels):
        for label in sorted(labels[w]):
            groups.setdefault(label, []).append(w)
    return {"groups": groups, **{k: dict(v) for k, v in extra.items()}}


def _labels_of_payload(payload: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    groups = payload["groups"]
    if not isinstance(groups, dict):
        raise ValueError("no label groups")
    table: dict[str, frozenset[str]] = {}
    total = 0
    for label, words in groups.items():
        if not (isinstance(words, list) and all(type(w) is str for w in words)):
            raise ValueError(f"the words of {label!r} are not a list of text")
        table.update(dict.fromkeys(words, frozenset((label,))))  # one set per label
        total += len(words)
    if len(table) == total:
        return table
    several: dict[str, set[str]] = {}  # some word has several labels: join them
    for label, words in groups.items():
        for w in words:
            several.setdefault(w, set()).add(label)
    return {w: frozenset(ls) for w, ls in several.items()}


# -- loading -----------------------------------------------------------------------------------


def _default_warn(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=3)


def load_feature_source(
    name: str,
    *,
    cache_root: Path | None = None,
    download: bool = False,
    vocabulary: Sequence[str] | None = None,
    warn: WarnFn | None = None,
) -> FeatureLabels:
    """The labels of the feature source `name` (one of FEATURE_SOURCES, or ``file:PATH``).

    With `cache_root` the derived tables are kept in ``<cache_root>/features/`` and read
    back on the next call; `download` lets NLTK fetch a missing corpus; `vocabulary`, when
    given, keeps only the labels of those words (a word looked up as it is, then
    lowercased) — a word's labels never depend on it. `warn` receives the one-line warning
    of a damaged or unusable cache (default: a Python UserWarning).
    """
    if name.startswith(FILE_PREFIX):
        where = name[len(FILE_PREFIX) :]
        if not where:
            raise PolytermError("file: needs a path, e.g. file:labels.tsv")
        labels = read_feature_file(Path(where).expanduser())
        return _restricted(labels, vocabulary, lowercase=False)
    if name not in FEATURE_SOURCES:
        raise PolytermError(
            f"unknown feature source {name!r}: use one of {', '.join(FEATURE_SOURCES)}, or "
            "file:PATH for a word<TAB>label file"
        )
    say = warn or _default_warn
    brown = _data_root(_BROWN, download)
    roots = [brown]
    if name == "wordnet":
        roots.append(_data_root(_WORDNET, download))
    fp = _fingerprint(roots)
    cache = _FeatureCache(cache_root, say)
    with _BUILD_LOCK:
        built = _build(name, fp, _fingerprint([brown]), cache, vocabulary)
    meta = {
        "source": name,
        "data": ", ".join(f"nltk:{r.name}" for r in roots),
        "fingerprint": fp,
        **built.meta,
    }
    out = FeatureLabels(name, built.rule, built.labels, built.senses, meta)
    return _restricted(out, vocabulary, lowercase=True)


@dataclass(frozen=True, slots=True)
class _Built:
    rule: str
    labels: Mapping[str, frozenset[str]]
    senses: Mapping[str, int] | None
    meta: dict[str, str]


def _counts(fp: str, cache: _FeatureCache) -> BrownCounts:
    """Brown's counts (`fp`: the fingerprint of Brown alone)."""
    stored = cache.get("brown-counts", fp)
    if stored is not None:
        try:
            return BrownCounts.from_payload(stored)
        except (ValueError, KeyError, TypeError) as exc:
            cache.warn(f"the feature table brown-counts was damaged ({exc}); rebuilding it")
    counts = count_brown()
    cache.put("brown-counts", fp, counts.as_payload())
    return counts


def _senses_of_payload(data: Any) -> dict[str, int]:
    if not (isinstance(data, dict) and all(type(n) is int for n in data.values())):
        raise ValueError("the senses are not counts")
    return data


def _build(
    name: str, fp: str, brown_fp: str, cache: _FeatureCache, vocabulary: Sequence[str] | None
) -> _Built:
    stored = cache.get(name, fp)
    if stored is not None:
        try:
            labels = _labels_of_payload(stored)
            senses = _senses_of_payload(stored["senses"]) if name == "wordnet" else None
            meta = {str(k): str(v) for k, v in stored["meta"].items()}
            return _Built(_RULES[name], labels, senses, meta)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            cache.warn(f"the feature table {name} was damaged ({exc}); rebuilding it")
    counts = _counts(brown_fp, cache)
    senses_out: dict[str, int] | None = None
    extra: dict[str, Mapping[str, Any]] = {}
    only: set[str] | None = None
    if name == "pos":
        labels = pos_table(counts)
    elif name == "genre":
        labels, zs = genre_table(counts)
        extra["z"] = zs
    else:
        if cache.folder is None and vocabulary is not None:
            only = {w for v in vocabulary for w in (v, v.lower())}
        labels, senses_out = wordnet_table(counts, only)
        extra["senses"] = senses_out
    kinds = Counter(label for ls in labels.values() for label in ls)
    meta = {
        "words": str(len(labels)),
        "labels": str(len(kinds)),
        "brown_words": str(len(counts.words)),
    }
    if name == "wordnet":
        import nltk

        meta["wordnet"] = str(nltk.corpus.wordnet.get_version())
    extra["meta"] = meta
    if only is None:  # a table of some words only is never stored
        cache.put(name, fp, _labels_payload(labels, extra))
    return _Built(_RULES[name], labels, senses_out, meta)


_RULES = {"wordnet": RULE_WORDNET, "pos": RULE_POS, "genre": RULE_GENRE}


def _restricted(
    labels: FeatureLabels, vocabulary: Sequence[str] | None, *, lowercase: bool
) -> FeatureLabels:
    if vocabulary is None:
        return labels
    table = labels.labels
    senses = labels.senses
    out: dict[str, frozenset[str]] = {}
    out_senses: dict[str, int] = {}
    for w in vocabulary:
        key = w if w in table or not lowercase else w.lower()
        found = table.get(key)
        if found is None:
            continue
        out[w] = found
        if senses is not None and key in senses:
            out_senses[w] = senses[key]
    return FeatureLabels(
        labels.source,
        labels.rule,
        out,
        out_senses if senses is not None else None,
        labels.meta,
    )


def label_sizes(labels: FeatureLabels) -> list[tuple[str, int]]:
    """(label, number of words carrying it), largest first (ties by label)."""
    tally = Counter(label for ls in labels.labels.values() for label in ls)
    return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))


def mean_senses(labels: FeatureLabels, words: Iterable[str]) -> float:
    """Mean number of WordNet senses of those `words` that have them (nan if none)."""
    if labels.senses is None:
        return math.nan
    found = [labels.senses[w] for w in words if w in labels.senses]
    return sum(found) / len(found) if found else math.nan


__all__ = [
    "FEATURE_SOURCES",
    "GENRE_Z",
    "UNIVERSAL_CLASSES",
    "BrownCounts",
    "count_brown",
    "label_sizes",
    "load_feature_source",
    "log_odds_z",
    "mean_senses",
    "read_feature_file",
    "universal_tag",
]
