"""The CLI's commands: each builds a view (or trains) and prints it in the chosen format."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from polyterm.cli import StdoutConsole, print_error, print_warning
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.core.neighbours import Convention
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.engine.cache import open_cache
from polyterm.engine.corpus import available_nltk_corpora
from polyterm.engine.models import ModelLibrary, OpenOptions
from polyterm.engine.outcomes import default_jobs
from polyterm.engine.pretrained import glove_installed
from polyterm.engine.progress import Progress
from polyterm.engine.settings import CACHE_ENV, cache_dir
from polyterm.engine.specs import TrainSpec, parse_spec, parse_train_spec
from polyterm.engine.sweep import train_many
from polyterm.errors import PolytermError, SpecError
from polyterm.safe_text import visible
from polyterm.views.markdown import md, render_markdown, table
from polyterm.views.query import dimension_query_view, dimension_view, expression_view, repeats_view
from polyterm.views.serialise import dumps, to_json, to_plain
from polyterm.views.settings import COMPARISON, ComparisonSettings


class _ProgressPrinter:
    """Prints at most one progress line per task per second to stderr."""

    def __init__(self, err: Console, quiet: bool) -> None:
        self.err = err
        self.quiet = quiet
        self.last: dict[str, float] = {}

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if p.stage not in ("done", "corpus", "write") and now - self.last.get(p.task, 0) < 1:
            return
        self.last[p.task] = now
        extra = f", {p.words_per_second:,.0f} words/s" if p.words_per_second else ""
        eta = f", ETA {p.eta_seconds:.0f}s" if p.eta_seconds is not None else ""
        self.err.print(
            visible(f"{p.task}: {p.message} ({p.fraction:.0%}{extra}{eta})"),
            style="dim",
            soft_wrap=True,
        )


def _library(args: argparse.Namespace, err: Console) -> ModelLibrary:
    def warn(msg: str) -> None:
        print_warning(err, msg)

    return ModelLibrary(open_cache(_cache_root(args.cache_dir), warn), warn=warn)


def _cache_root(option: str | None) -> Path:
    """--cache-dir (the parser refuses an empty one), else $POLYTERM_CACHE_DIR, else the
    platform folder. An empty POLYTERM_CACHE_DIR counts as unset (as an empty
    XDG_CACHE_HOME does); one of only blanks names no folder and is an error."""
    env = os.environ.get(CACHE_ENV)
    if option is None and env and not env.strip():
        raise PolytermError(
            f"{CACHE_ENV} holds only blanks: set it to a folder or unset it "
            "(an empty value counts as unset)"
        )
    return cache_dir(option)


def _options(args: argparse.Namespace) -> OpenOptions:
    return OpenOptions(
        limit=args.limit, trusted=args.trust, download=args.download, max_dims=args.max_dims
    )


def _open(args: argparse.Namespace, err: Console, names: list[str]) -> list[Embedding]:
    return _open_with(args, err, names)[1]


def _open_with(
    args: argparse.Namespace, err: Console, names: list[str]
) -> tuple[ModelLibrary, list[Embedding]]:
    library = _library(args, err)
    progress = _ProgressPrinter(err, args.quiet)
    models = [library.open(n, _options(args), progress=progress) for n in names]
    return library, [_post_processed(args, m) for m in models]


def _post_processed(args: argparse.Namespace, model: Embedding) -> Embedding:
    """`model` after `--remove-top N` (all-but-the-top), or as it is."""
    n = getattr(args, "remove_top", None)
    if n is None:
        return model
    from polyterm.core.postprocess import remove_top

    try:
        return remove_top(model, n)
    except ValueError as exc:
        raise PolytermError(f"--remove-top: {model.name}: {exc}") from None


def _seed_partner(
    args: argparse.Namespace, err: Console, library: ModelLibrary
) -> Callable[[Embedding, Embedding], Embedding | None]:
    """B's different-seed model for a pair that shares a seed (opened, or trained now,
    with progress), or None; never with `--no-seed-floor`."""
    from polyterm.engine.seed_floor import seed_partner_spec, shares_seed

    opened: dict[str, Embedding] = {}

    def partner(a: Embedding, b: Embedding) -> Embedding | None:
        if getattr(args, "no_seed_floor", False) or not shares_seed(a, b):
            return None
        spec = seed_partner_spec(b)
        if spec is None:
            return None
        if spec not in opened:
            if not args.quiet:
                err.print(
                    visible(
                        f"seed floor: {a.name} and {b.name} share a seed; comparing "
                        f"{a.name} with {spec} too (--no-seed-floor skips it)"
                    ),
                    style="dim",
                )
            model = library.open(spec, _options(args), progress=_ProgressPrinter(err, args.quiet))
            opened[spec] = _post_processed(args, model)
        return opened[spec]

    return partner


def _requests(args: argparse.Namespace) -> list[BasisRequest]:
    """--basis (one or several names, checked by the parser), --fit-words, --basis-seed."""
    names: list[str] = getattr(args, "basis", None) or ["raw"]
    try:
        return [BasisRequest.of(n, fit_words=args.fit_words, seed=args.basis_seed) for n in names]
    except ValueError as exc:
        raise PolytermError(str(exc)) from None


def _store(library: ModelLibrary, err: Console) -> BasisStore:
    """One basis store per run, on the cache the models come from (a fitted basis is
    kept beside its model; a second run reuses it)."""
    return BasisStore(library.cache, warn=lambda msg: print_warning(err, msg))


class _BasisProgress:
    """Fitting progress (`fraction, stage`) as the training progress lines on stderr."""

    def __init__(self, printer: _ProgressPrinter) -> None:
        self.printer = printer

    def __call__(self, fraction: float, stage: str) -> None:
        task, _, what = stage.partition(": ")
        self.printer(
            Progress(
                task=task or "basis",
                stage="done" if fraction >= 1.0 else "fit",
                fraction=fraction,
                message=what or stage,
            )
        )


def _in_basis(
    args: argparse.Namespace,
    err: Console,
    library: ModelLibrary,
    models: list[Embedding],
    request: BasisRequest,
    store: BasisStore | None = None,
) -> list[Embedding]:
    """`models` in `request`'s basis (fitted now, with progress, or reused)."""
    from polyterm.views.basis_comparison import in_basis

    if request.is_raw:
        return models
    store = store or _store(library, err)
    progress = _BasisProgress(_ProgressPrinter(err, args.quiet))
    return [in_basis(store, m, request, progress=progress) for m in models]


def _one_basis(args: argparse.Namespace) -> BasisRequest:
    (request,) = _requests(args)  # the parser allows one name on these commands
    return request


_csv_dir: list[Path | None] = [None]
"""--csv-dir of the running command (set by `run`; `_emit` reads it)."""


def _emit_csv(view: Any) -> None:
    """--format csv: the view's one table of results to stdout, or with --csv-dir every
    table (the models too) to its own file, written atomically; the files on stderr."""
    from polyterm.engine.atomic import write_text_atomic
    from polyterm.views.csv_export import csv_tables

    folder = _csv_dir[0]
    if folder is None:
        results = csv_tables(view, with_models=False)
        if len(results) > 1:
            keys = ", ".join(key for key, _, _ in results)
            raise PolytermError(
                f"this view has {len(results)} tables ({keys}): give --csv-dir DIR to write "
                "one CSV file per table"
            )
        for _, _, text in results:
            sys.stdout.write(text)
        return
    if not folder.is_dir():
        raise PolytermError(f"--csv-dir {folder}: no such folder; create it first")
    for _, name, text in csv_tables(view):
        target = folder / name
        try:
            write_text_atomic(target, text, overwrite=True)
        except OSError as exc:
            raise PolytermError(f"cannot write {target}: {exc.strerror or exc}") from None
        print(visible(f"wrote {target}"), file=sys.stderr)


def _emit(view: Any, fmt: str) -> None:
    from polyterm.cli.tables import has_table, render_table

    if fmt == "csv":
        _emit_csv(view)
    elif fmt == "json":
        print(to_json(view))
    elif fmt == "markdown" or not has_table(view):
        if fmt == "markdown" or not sys.stdout.isatty():
            print(render_markdown(view), end="")
        else:
            StdoutConsole().print(Markdown(render_markdown(view)))
    else:
        StdoutConsole().print(render_table(view))


def _model_list(text: str) -> list[str]:
    # A comma followed by `option=` continues a spec (brown_30:window=10,sg=1).
    names = [n.strip() for n in re.split(r",(?![A-Za-z_]+=)", text) if n.strip()]
    if not names:
        raise SpecError("--models needs at least one model, e.g. --models brown_30,glove-6b-50")
    return names


def _jobs(args: argparse.Namespace, err: Console) -> int | None:
    """--jobs, capped at the CPU cores this process may use (with a warning line)."""
    cores = default_jobs()
    jobs: int | None = args.jobs
    if jobs is not None and jobs > cores:
        print_warning(
            err,
            f"--jobs {jobs} is more than the {cores} CPU core{'s' * (cores != 1)} "
            f"this process may use; using {cores}",
        )
        return cores
    return jobs  # None: one per core


def _cap_cluster(args: argparse.Namespace, err: Console) -> None:
    """--cluster local:N above the cores this process may use becomes local:<cores>, with
    a warning (as --jobs is capped): more worker processes than cores only compete."""
    text = getattr(args, "cluster", None)
    if not text:
        return
    from polyterm.engine.cluster import parse_cluster

    target = parse_cluster(text)
    cores = default_jobs()
    if target.local_workers is not None and target.local_workers > cores:
        print_warning(
            err,
            f"--cluster {text.strip()} is more than the {cores} CPU core{'s' * (cores != 1)} "
            f"this process may use; using local:{cores}",
        )
        args.cluster = f"local:{cores}"


def cmd_train(args: argparse.Namespace, err: Console) -> int:
    _cap_cluster(args, err)
    specs: list[TrainSpec] = [parse_train_spec(s) for s in args.specs]
    if args.dims:
        if not args.corpus and not args.corpus_path:
            raise SpecError("--dims needs --corpus (e.g. --corpus brown) or --corpus-path")
        corpus = args.corpus or "local"
        suffix = f":path={args.corpus_path}" if args.corpus_path else ""
        specs += [
            parse_train_spec(f"{corpus}_{d}_s{s}{suffix}") for d in args.dims for s in args.seeds
        ]
    if not specs:
        raise SpecError("name models to train (e.g. brown_30 brown_29) or use --corpus and --dims")
    changes: dict[str, Any] = {}
    for opt in ("window", "min_count", "epochs", "sg", "negative", "sample"):
        value = getattr(args, opt)
        if value is not None:
            changes[opt] = value + 0  # -0.0 is 0.0: one model, one cache entry
    specs = [s.with_params(**changes) if changes else s for s in specs]
    for s in specs:
        s.params.validate()
    specs = list(dict.fromkeys(specs))
    library = _library(args, err)
    outcome = train_many(
        specs,
        library,
        options=_options(args),
        jobs=None if args.cluster else _jobs(args, err),
        progress=_ProgressPrinter(err, args.quiet),
        cluster=args.cluster,
    )
    for name in outcome.cached:
        err.print(visible(f"{name}: already in the cache"))
    for name in outcome.trained:
        err.print(visible(f"{name}: trained and cached"))
    for name, error in outcome.failed:
        err.print(visible(f"{name}: {error}"), style="red", soft_wrap=True)
    return 1 if outcome.failed else 0


def cmd_models(args: argparse.Namespace, err: Console) -> int:
    library = _library(args, err)
    entries = library.cache.entries(report=lambda msg: print_warning(err, msg))
    rows: list[dict[str, Any]] = [
        {
            "name": e.name,
            "kind": e.typed.kind,
            "words": e.shape[0],
            "dims": e.shape[1],
            "bytes": e.disk_bytes(),
            "path": str(e.path),
        }
        for e in entries
    ]
    available = [f"{c}_<dims>" for c in available_nltk_corpora()] + ["lee_<dims>"]
    if glove_installed():
        available.append("glove-6b-50")
    if args.format == "json":
        print(dumps({"cached": rows, "available": available}))
        return 0
    if args.format == "csv":  # the cached models (the makeable ones are patterns, not rows)
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["model", "kind", "words", "dims", "bytes", "path"])
        for r in rows:
            writer.writerow([visible(str(r[c])) for c in ("name", "kind")]
                            + [r["words"], r["dims"], r["bytes"], visible(r["path"])])  # fmt: skip
        sys.stdout.write(buffer.getvalue())
        return 0
    if args.format == "markdown":
        header = ["model", "kind", "words", "dims", "MB"]
        body = [
            (md(r["name"]), md(r["kind"]), r["words"], r["dims"], f"{r['bytes'] / 1e6:.1f}")
            for r in rows
        ]
        print(table(header, body))
        print("\nAvailable to make: " + ", ".join(md(a) for a in available))
        return 0
    t = Table(title=Text(visible(f"cached models in {library.cache.root}")))
    for col in ("model", "kind", "words", "dims", "MB"):
        t.add_column(col, justify="right" if col in ("words", "dims", "MB") else "left")
    for r in rows:
        t.add_row(
            Text(visible(str(r["name"]))),
            Text(visible(str(r["kind"]))),
            f"{r['words']:,}",
            str(r["dims"]),
            f"{r['bytes'] / 1e6:.1f}",
        )
    out = StdoutConsole()
    out.print(t)
    out.print(Text(visible("available to make: " + ", ".join(available))))
    return 0


def cmd_dims(args: argparse.Namespace, err: Console) -> int:
    library, models = _open_with(args, err, [args.model])
    (model,) = _in_basis(args, err, library, models, _one_basis(args))
    restrict = COMPARISON.dimension_restrict(len(model), args.restrict)
    _emit(
        dimension_view(model, args.dim, k=args.k, restrict=restrict, scale=Scale(args.scale)),
        args.format,
    )
    return 0


def cmd_repeats(args: argparse.Namespace, err: Console) -> int:
    library, models = _open_with(args, err, [args.model])
    (model,) = _in_basis(args, err, library, models, _one_basis(args))
    _emit(
        repeats_view(model, k=args.k, restrict=args.restrict, scale=Scale(args.scale)), args.format
    )
    return 0


def cmd_query(args: argparse.Namespace, err: Console) -> int:
    library, models = _open_with(args, err, _model_list(args.models))
    request = _one_basis(args) if hasattr(args, "basis") else BasisRequest()
    if not request.is_raw and getattr(args, "dim", None) is None:
        raise SpecError(
            f"--basis {request.name} reads dimensions: use it with --dim N "
            "(neighbours are the same in every basis of a model)"
        )
    if getattr(args, "dim", None) is not None:
        models = _in_basis(args, err, library, models, request)
        restrict = COMPARISON.dimension_restrict(max(len(m) for m in models), args.restrict)
        view = dimension_query_view(
            models, args.dim, k=args.k, restrict=restrict, scale=Scale(args.scale)
        )
    else:
        if not args.query:
            raise SpecError("give a word or an expression, or --dim N")
        view = expression_view(
            models,
            args.query,
            k=args.k,
            restrict=args.restrict,
            convention=Convention(args.convention),
            include_query=args.include_query,
        )
    failed = all(r.error is not None for r in view.results)
    if not (failed and args.format == "table"):  # an empty table says nothing
        _emit(view, args.format)
    # Each model's error (an unknown word, a dimension out of range) once, on stderr.
    for r in view.results:
        if r.error is not None:
            (print_error if failed else print_warning)(err, f"{r.model.name}: {r.error}")
    return 1 if failed else 0


def _science_top_n(args: argparse.Namespace, default: int) -> int | None:
    if args.top_n is None:
        return default
    return args.top_n or None  # the parser keeps it at 0 or more


def _settings(args: argparse.Namespace, top_n: int) -> ComparisonSettings:
    """The comparison settings a command asked for: `COMPARISON` with its --k, --top-n
    (`top_n` when not given; 0: every shared word), --repetitions and --seed."""
    return replace(
        COMPARISON,
        k=args.k,
        top_n=_science_top_n(args, top_n) or 0,
        repetitions=args.repetitions,
        seed=args.seed,
    )


def _emit_all(views: list[Any], fmt: str) -> None:
    """One view per basis, in order: tables and markdown one after another; JSON a single
    object for one view and a list (in --basis order) for several."""
    if len(views) == 1:
        _emit(views[0], fmt)
    elif fmt == "json":
        print(dumps([to_plain(v) for v in views]))
    else:
        for i, view in enumerate(views):
            if i and fmt == "markdown":
                print()
            _emit(view, fmt)


def cmd_align(args: argparse.Namespace, err: Console) -> int:
    from polyterm.views.alignment import alignment_in_basis, alignment_view
    from polyterm.views.basis_comparison import DEFAULT_TOP_N

    library, (a, b) = _open_with(args, err, [args.model_a, args.model_b])
    store = _store(library, err)
    progress = _BasisProgress(_ProgressPrinter(err, args.quiet))
    across = _seed_partner(args, err, library)(a, b)
    views = []
    for request in _requests(args):
        if request.is_raw:
            view = alignment_view(
                a,
                b,
                k=args.k,
                top_n=_science_top_n(args, DEFAULT_TOP_N),
                repetitions=args.repetitions,
                seed=args.seed,
                match_repetitions=args.match_repetitions,
                across_seeds=across,
            )
        else:
            view = alignment_in_basis(
                a,
                b,
                request,
                store,
                k=args.k,
                top_n=_science_top_n(args, DEFAULT_TOP_N),
                repetitions=args.repetitions,
                match_repetitions=args.match_repetitions,
                stability_runs=args.stability_runs,
                seed=args.seed,
                progress=progress,
                across_seeds=across,
            )
        views.append(view)
    _emit_all(views, args.format)
    return 0


def _pairs(text: str | None) -> list[tuple[str, str]] | None:
    if not text:
        return None
    out = []
    for item in text.split(","):
        a, sep, b = item.strip().partition("-")
        if not sep or not a.strip() or not b.strip():
            raise SpecError(f"--pairs item {item!r} should look like cat-car")
        if a.strip() == b.strip():
            raise SpecError(
                f"--pairs item {item!r} pairs a word with itself: its difference vector is "
                "zero and has no neighbours; pair two different words"
            )
        out.append((a.strip(), b.strip()))
    return out


def cmd_universality(args: argparse.Namespace, err: Console) -> int:
    from polyterm.views.universality import DEFAULT_PAIRS, DEFAULT_TOP_N, universality_view

    library, models = _open_with(args, err, [args.model_a, args.model_b])
    store = _store(library, err)
    pairs = _pairs(args.pairs) or DEFAULT_PAIRS
    partner = _seed_partner(args, err, library)(models[0], models[1])
    views = []
    for request in _requests(args):
        a, b = _in_basis(args, err, library, models, request, store)
        across = None
        if partner is not None:
            (across,) = _in_basis(args, err, library, [partner], request, store)
        views.append(
            universality_view(
                a,
                b,
                k=args.k,
                top_n=_science_top_n(args, DEFAULT_TOP_N),
                pairs=pairs,
                repetitions=args.repetitions,
                seed=args.seed,
                across_seeds=across,
            )
        )
    _emit_all(views, args.format)
    for view in views:
        where = "" if view.a.basis.is_raw else f" in the {view.a.basis.label()} basis"
        if view.tie_warning:
            print_warning(err, f"{view.a.name} vs {view.b.name}{where}: {view.tie_warning}")
        for pair in view.unusable_pairs:
            print_warning(
                err,
                f"{pair}: the difference vector is zero in a model{where} (no direction): "
                "not scored",
            )
    return 0


def cmd_sweep(args: argparse.Namespace, err: Console) -> int:
    from polyterm.views.sweep import DEFAULT_TOP_N, sweep_view

    _cap_cluster(args, err)
    specs = list(
        dict.fromkeys(
            parse_train_spec(f"{args.corpus}_{d}_s{s}") for d in args.dims for s in args.seeds
        )
    )
    library = _library(args, err)
    progress = _ProgressPrinter(err, args.quiet)
    requests = _requests(args)
    store = _store(library, err)
    with _cluster_session(args.cluster):  # one connection for the training and the fits
        outcome = train_many(
            specs,
            library,
            options=_options(args),
            jobs=None if args.cluster else _jobs(args, err),
            progress=progress,
            cluster=args.cluster,
        )
        for name, error in outcome.failed:
            raise PolytermError(f"{name}: {error}")
        models = [_post_processed(args, library.open(s, _options(args))) for s in specs]
        if args.cluster:
            _fit_on_cluster(models, requests, store, args.cluster, progress)
    reference = library.open(args.reference, _options(args)) if args.reference else None
    view = sweep_view(
        models,
        corpus=args.corpus,
        settings=_settings(args, DEFAULT_TOP_N),
        reference=reference,
        bases=requests,
        store=store,
        quality=not args.no_quality,
    )
    if not getattr(args, "features_source", None) and not getattr(args, "follow", None):
        _emit(view, args.format)
        return 0
    views: list[Any] = [view]
    labels = _feature_labels(args, err, library, models) if args.features_source else None
    if labels is not None:
        from polyterm.views.meaning_curve import meaning_curve_view

        views.append(meaning_curve_view(models, labels, bases=requests, store=store,
                                        corpus=args.corpus, draws=args.repetitions,
                                        seed=args.seed))  # fmt: skip
    if args.follow:
        from polyterm.views.follow import follow_view

        for request in requests:
            coded = _in_basis(args, err, library, models, request, store)
            views.append(follow_view(coded, args.follow, labels=labels, seed=args.seed,
                                     corpus=args.corpus))  # fmt: skip
    _emit_all(views, args.format)
    return 0


def _feature_labels(
    args: argparse.Namespace, err: Console, library: ModelLibrary, models: list[Embedding]
) -> Any:
    from polyterm.engine.feature_sources import load_feature_source
    from polyterm.views.polysemanticity import DEFAULT_VOCABULARY

    words: dict[str, None] = {}
    for m in models:
        words.update(dict.fromkeys(m.vocab[i] for i in range(min(DEFAULT_VOCABULARY, len(m)))))
    return load_feature_source(
        args.features_source,
        cache_root=library.cache.root,
        download=args.download,
        vocabulary=list(words),
        warn=lambda message: print_warning(err, message),
    )


def _cluster_session(cluster: str | None) -> contextlib.AbstractContextManager[object]:
    """With --cluster, one Dask connection shared by everything the command runs there
    (made when first needed); without it nothing (Dask is never imported)."""
    if not cluster:
        return contextlib.nullcontext()
    from polyterm.engine.cluster import shared_connection

    return shared_connection(cluster)


def _fit_on_cluster(
    models: list[Embedding],
    requests: list[BasisRequest],
    store: BasisStore,
    cluster: str,
    progress: _ProgressPrinter,
) -> None:
    """Fit the bases not stored yet as tasks on the cluster (the views then find them
    stored); a basis that could not be fitted there is the command's one error line."""
    if all(r.is_raw for r in requests):
        return
    from polyterm.engine.cluster import fit_bases_on_cluster

    outcome = fit_bases_on_cluster(models, requests, store, cluster, progress=progress)
    for label, error in outcome.failed:
        raise PolytermError(f"{label}: {error}")


_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def output_path(text: str) -> Path:
    """--output as a file path; one that names a folder by its spelling (ending in a
    separator, `.` or `..`, which `Path` would silently drop) is an error."""
    seps = os.sep + (os.altsep or "")
    last = re.split(f"[{re.escape(seps)}]", text)[-1]
    if text.endswith(tuple(seps)) or last in (".", ".."):
        ending = repr(last) if last else "a separator"
        raise PolytermError(
            f"--output {text} names a folder (it ends with {ending}): "
            "give a file name, e.g. report.md"
        )
    return Path(text)


def _outside_cache(target: Path, cache_root: Path) -> None:
    """Refuse a report inside the cache folder (`-o <cache>/CACHEDIR.TAG --force` replaced
    the tag; any file there is polyterm's to verify, sweep or delete)."""
    try:
        inside = target.resolve().is_relative_to(cache_root.resolve())
    except (OSError, RuntimeError):
        return
    if inside:
        raise PolytermError(
            f"{target} is inside polyterm's cache folder {cache_root}: write the report "
            "somewhere else (polyterm manages every file in its cache)"
        )


def check_output(target: Path, force: bool) -> None:
    """Refuse, before any work, an output that cannot or must not be written.

    The folder must exist; an existing target needs --force and must be a regular file
    itself (lstat): never a device (/dev/stdout), a pipe, a folder or a symbolic link,
    which the atomic rename would replace by a regular file.
    """
    folder = target.parent
    if not folder.is_dir():
        raise PolytermError(f"cannot write {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PolytermError(
            f"cannot write {target}: the folder {folder} is not writable; choose another folder"
        )
    try:
        st = target.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PolytermError(f"cannot write {target}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            what = f"a symbolic link to {_kind(target.stat().st_mode)}"
        except OSError:
            what = "a dangling symbolic link"
        raise PolytermError(
            f"{target} is {what}; polyterm replaces only regular files: "
            f"write to {target.resolve()} itself or choose another name"
        )
    if not stat.S_ISREG(st.st_mode):
        raise PolytermError(
            f"{target} is {_kind(st.st_mode)}, not a regular file; polyterm replaces only "
            "regular files: choose another name (without -o the report goes to stdout)"
        )
    if not force:
        raise PolytermError(
            f"{target} already exists: choose another name, or pass --force to replace it"
        )


def _figures_folder(text: str) -> Path:
    """--figures DIR: an existing folder (checked before any work), matplotlib present."""
    from polyterm.views.figures import _pyplot

    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise PolytermError(f"--figures {folder}: no such folder; create it first")
    _pyplot()  # the missing extra is one line now, not after minutes of work
    return folder


def _figures_section(views: list[object], folder: Path, target: Path | None, say: Any) -> str:
    """Draw every view's figure into `folder`; the markdown that links them (relative to
    the report's own folder when it is written to a file)."""
    from polyterm.views.figures import write_figures
    from polyterm.views.markdown_parts import md

    links = []
    base = (target.parent if target is not None else Path.cwd()).resolve()
    for view in views:
        say(f"figure of {view.slug()}")  # type: ignore[attr-defined]
        files = write_figures(view, folder)
        if files:
            svg = files[0].resolve()
            rel = os.path.relpath(svg, base)
            title = md(view.slug())  # type: ignore[attr-defined]
            links.append(f"![{title}]({Path(rel).as_posix()})")
    if not links:
        return ""
    return "\n## Figures\n\n" + "\n\n".join(links) + "\n"


def cmd_report(args: argparse.Namespace, err: Console) -> int:
    from polyterm.engine.atomic import write_text_atomic
    from polyterm.views.report import build_report

    _cap_cluster(args, err)
    target = output_path(args.output) if args.output else None
    if target is not None:
        check_output(target, args.force)
        _outside_cache(target, _cache_root(args.cache_dir))
    figures = _figures_folder(args.figures) if getattr(args, "figures", None) else None
    library, models = _open_with(args, err, args.models)
    requests = _requests(args)
    store = _store(library, err)
    if args.cluster:
        with _cluster_session(args.cluster):
            _fit_on_cluster(
                models, requests, store, args.cluster, _ProgressPrinter(err, args.quiet)
            )

    def say(message: str) -> None:
        if not args.quiet:
            err.print(visible(f"report: {message}"), style="dim", soft_wrap=True)

    shown: list[object] = []
    text = build_report(
        models,
        k=args.k,
        restrict=args.restrict,
        repetitions=args.repetitions,
        progress=say,
        bases=requests,
        store=store,
        features_source=None if args.features_source == "none" else args.features_source,
        collect=shown,
        seed_partner=_seed_partner(args, err, library),
        quality=not args.no_quality,
        blind=args.blind,
        basis_seeds=args.basis_seeds,
        fit_on=args.fit_on,
    )
    if figures is not None:
        text += _figures_section(shown, figures, target, say)
    if target is not None:
        check_output(target, args.force)  # again: the report may have taken minutes
        try:
            write_text_atomic(target, text, overwrite=args.force)
        except FileExistsError:
            raise PolytermError(
                f"{target} already exists: choose another name, or pass --force to replace it"
            ) from None
        except OSError as exc:
            raise PolytermError(f"cannot write {target}: {exc.strerror or exc}") from None
        err.print(visible(f"report written to {target}"))
    else:
        print(text, end="")
    return 0


COMMANDS = {
    "align": cmd_align,
    "universality": cmd_universality,
    "sweep": cmd_sweep,
    "report": cmd_report,
    "train": cmd_train,
    "models": cmd_models,
    "dims": cmd_dims,
    "repeats": cmd_repeats,
    "neighbours": cmd_query,
    "diff": cmd_query,
    "compare": cmd_query,
}


def run(args: argparse.Namespace, err: Console) -> int:
    csv_dir = getattr(args, "csv_dir", None)
    _csv_dir[0] = Path(csv_dir).expanduser() if csv_dir else None
    handler = getattr(args, "handler", None)  # a command module's own (cli.COMMAND_MODULES)
    if handler is not None:
        code: int = handler(args, err)
        return code
    return COMMANDS[args.command](args, err)


__all__ = ["parse_spec", "run"]
