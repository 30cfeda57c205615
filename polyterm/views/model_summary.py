"""A short, printable description of a model, taken from its manifest."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from polyterm.core.bases import fit_summary
from polyterm.core.embedding import Embedding
from polyterm.core.shared_vocab import SharedVocabulary
from polyterm.engine.bases import BasisRequest, request_of
from polyterm.engine.cache_records import Manifest
from polyterm.views.protocol import Data, Table


@dataclass(frozen=True, slots=True)
class ModelSummary:
    name: str
    kind: str
    dims: int
    vocabulary: int
    source: str
    details: str  # e.g. "CBOW, window 5, min_count 5, epochs 5, seed 1; corpus 1,161,192 tokens"
    content_sha256: str
    spec: str = field(default="", metadata={"json": False})
    """What the CLI needs to open this model again: its name, or a file model's path."""
    limit: int | None = field(default=None, metadata={"json": False})
    trusted: bool = field(default=False, metadata={"json": False})
    basis: BasisRequest = field(default=BasisRequest(), metadata={"json": "unless-default"})
    """The basis the model is expressed in (raw: the model itself); `name` then names it
    (``brown_30 [ica]``) and `spec` stays the model's own."""
    remove_top: int | None = field(default=None, metadata={"json": "unless-default"})
    """All-but-the-top (`polyterm.core.postprocess`): the mean and this many top principal
    components were removed before bases were fitted and models matched (None: not)."""

    @property
    def cli_spec(self) -> str:
        """`spec` quoted for a shell (a path with spaces or quotes stays one argument)."""
        return shlex.quote(self.spec or self.name)

    @property
    def label(self) -> str:
        """`name`, with the basis's fit and seed when they are not the defaults
        (``brown_30 [ica, fit on 5,000 words, seed 3]``): for titles."""
        suffix = f" [{self.basis.name}]"
        if self.basis.is_raw or not self.name.endswith(suffix):
            return self.name
        return f"{self.name[: -len(suffix)]} [{self.basis.label()}]"

    @property
    def slug_name(self) -> str:
        """`name` for a file-name stem: the basis and any non-default fit and seed."""
        if self.basis.is_raw:
            return self.name
        text = self.name if self.name.endswith("]") else f"{self.name} {self.basis.name}"
        if self.basis.fit_words != BasisRequest().fit_words:
            text += f" fit{self.basis.fit_words}"
        if self.basis.seed != 0:
            text += f" seed{self.basis.seed}"
        return text

    @classmethod
    def of(cls, model: Embedding) -> ModelSummary:
        m = Manifest.of(model.manifest)
        basis = request_of(model)
        record = model.manifest.get("basis")
        base = str(record.get("model", model.name)) if isinstance(record, dict) else model.name
        details = ""
        if m.params is not None:
            p = m.params
            details = (
                f"{p.architecture}, window {p.window}, min_count {p.min_count}, "
                f"epochs {p.epochs}, seed {p.seed}"
            )
            if m.corpus is not None:
                details += (
                    f"; corpus {m.corpus.name} {m.corpus.tokens:,} tokens, "
                    f"sha256 {m.corpus.sha256[:12]}"
                )
        elif m.file_format:
            details = m.file_format
            if m.limit:
                details += f", first {m.limit:,} words"
        top = model.manifest.get("remove_top")
        remove_top = int(top) if isinstance(top, int) else None
        if remove_top is not None:
            cut = f"mean and top {remove_top} principal components removed"
            details = f"{cut}; {details}" if details else cut
        if not basis.is_raw:
            fitted = f"{basis.name} basis fitted on the {basis.fit_words:,} most frequent words"
            fitted += f", seed {basis.seed}"
            params = record.get("params") if isinstance(record, dict) else None
            how = fit_summary(params) if isinstance(params, dict) else ""
            if how:
                fitted += f" ({how})"
            details = f"{fitted}; {details}" if details else fitted
        return cls(
            name=model.name,
            kind=m.kind,
            dims=model.dims,
            vocabulary=len(model),
            source=m.source,
            details=details,
            content_sha256=m.content_sha256[:16],
            spec=m.path or base,
            limit=m.limit if m.kind == "file" else None,
            trusted=m.trusted,
            basis=basis,
            remove_top=remove_top,
        )


_DOUBLE_QUOTE_SAFE = re.compile(r'[^"$`\\!]*')


def shell_word(text: str) -> str:
    """`text` as one shell word: in double quotes when nothing in it is special there
    (`"cat - car"`), else quoted by `shlex.quote`."""
    if _DOUBLE_QUOTE_SAFE.fullmatch(text):
        return f'"{text}"'
    return shlex.quote(text)


def cli_models(models: Sequence[ModelSummary], sep: str = " ") -> str:
    """Models as CLI arguments (`sep`-joined, each shell-quoted), then the options that open
    them as they were opened (`--limit`, `--trust`) and in their basis (`--basis` …): a
    line that runs as it is."""
    args = sep.join(m.spec or m.name for m in models)
    text = shlex.quote(args) if sep != " " else " ".join(m.cli_spec for m in models)
    limits = {m.limit for m in models if m.limit}
    if len(limits) == 1:
        text += f" --limit {limits.pop()}"
    if any(m.trusted for m in models):
        text += " --trust"
    removed = {m.remove_top for m in models if m.remove_top is not None}
    if len(removed) == 1:
        text += f" --remove-top {removed.pop()}"
    bases = {m.basis for m in models}
    if len(bases) == 1:
        text += bases.pop().cli_options()
    return text


def models_table(models: Sequence[ModelSummary]) -> Table:
    """The models a view was computed from, with their manifests' details."""
    return Table(
        "models",
        "Models",
        ("model", "kind", "dims", "vocabulary", "details", "sha256"),
        tuple(
            (
                Data(m.name),
                Data(m.kind),
                m.dims,
                f"{m.vocabulary:,}",
                Data(m.details or m.source),
                Data(m.content_sha256),
            )
            for m in models
        ),
        numeric=(False, False, True, True, False, False),
    )


def too_large_k(a: str, b: str, shared: SharedVocabulary, k: int, most: int) -> str:
    """The message for a --k the shared words cannot serve (`most`: the largest that can)."""
    n = len(shared.words)
    more = shared.total_shared > n  # --top-n cut the shared words
    return (
        f"--k {k:,} is too large: {a} and {b} "
        + (f"are compared over {n:,} shared words" if more else f"share {n:,} words")
        + f", which allow --k {most:,} at most; lower --k"
        + (f" or raise --top-n (they share {shared.total_shared:,} words)" if more else "")
    )
