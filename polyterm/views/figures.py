"""Figures of views, as SVG and PNG files for a write-up (matplotlib, `polyterm[figures]`).

matplotlib is imported only here and only when a figure is asked for (the Agg backend:
no display needed). Every figure is drawn from a view's own fields, the numbers its
tables show, and written atomically (`engine.atomic`): a half-written figure never
replaces a good one. Words from data are drawn as text (matplotlib's mathtext is turned
off for them, so `$x$` in a word stays `$x$`).

- `DimensionView`: the dimension's histogram on a log scale (heavy tails stay visible);
- `AlignmentView`: matched |r| of the dimension pairs, sorted, against the rotation
  null's mean matched |r| (mean ± 2 sd);
- `SweepView`: distinct share of top-k words and mean coherence per size, each with its
  rotated-basis null as a band (mean ± 2 sd);
- `WhereUniversalityView`: mean matched |r| of every pair in every basis as a heat map,
  each cell annotated with its z against the basis's null;
- `WordMapView`: each model's map on the first model's plane, side by side.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from polyterm.errors import PolytermError
from polyterm.safe_text import visible

FIGURE_FORMATS = ("svg", "png")


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError:
        raise PolytermError(
            'figures need matplotlib: pip install "polyterm[figures]" (or matplotlib)'
        ) from None
    plt.rcParams["svg.hashsalt"] = "polyterm"  # the same figure gives the same SVG
    plt.rcParams["text.usetex"] = False
    return plt


def _text(word: str) -> str:
    """A word from data as literal text: controls visible, `$` not mathtext."""
    return visible(word).replace("$", r"\$")


def _save(fig: Any, target: Path) -> None:
    from polyterm.engine.atomic import write_bytes_atomic

    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise PolytermError(f"{target}: a figure is .svg or .png, not .{fmt or '(none)'}")
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": "polyterm"}
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=150, metadata=metadata)
    try:
        write_bytes_atomic(target, buffer.getvalue(), overwrite=True)
    except OSError as exc:
        raise PolytermError(f"cannot write {target}: {exc.strerror or exc}") from None


def _map_figure(view: Any, plt: Any) -> Any:
    n = len(view.models)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 4.2), squeeze=False, sharex=True, sharey=True)
    for m, ax in enumerate(axes[0]):
        xs = [p[0] for p in view.coords[m]]
        ys = [p[1] for p in view.coords[m]]
        ax.scatter(xs, ys, s=12)
        for x, y, w in zip(xs, ys, view.words, strict=True):
            ax.annotate(_text(w), (x, y), fontsize=8, xytext=(3, 2), textcoords="offset points")
        ax.set_title(_text(view.models[m].name), fontsize=10)
        ax.axhline(0, lw=0.3, color="grey")
        ax.axvline(0, lw=0.3, color="grey")
    first = _text(view.models[0].name)
    fig.suptitle(f"{len(view.words)} words on the PCA plane of {first}; others rotated onto it")
    return fig


def _histogram_figure(view: Any, plt: Any) -> Any:
    s = view.stats
    edges = list(s.bin_edges)
    widths = [b - a for a, b in itertools.pairwise(edges)]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(edges[:-1], list(s.histogram), width=widths, align="edge", edgecolor="white")
    ax.set_yscale("log")
    ax.set_xlabel(_text(view.value_label))
    ax.set_ylabel("words (log scale)")
    ax.set_title(_text(f"dimension {view.dim} of {view.model.name}"), fontsize=10)
    return fig


def _alignment_figure(view: Any, plt: Any) -> Any:
    curve = sorted((abs(r) for r in view.matched_curve), reverse=True)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(range(1, len(curve) + 1), curve, marker="o", ms=3, label="matched |r|, sorted")
    stat = next((s for s in view.statistics if str(s.name) == "mean matched |r|"), None)
    null = stat.null("rotation") if stat is not None else None
    if null is not None:
        lo, hi = null.null_mean - 2 * null.null_sd, null.null_mean + 2 * null.null_sd
        ax.axhspan(lo, hi, alpha=0.2, color="grey", label="rotation null: mean |r| ± 2 sd")
        ax.axhline(null.null_mean, color="grey", lw=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlabel("matched pair (by |r|)")
    ax.set_ylabel("|r|")
    ax.set_title(_text(f"{view.a.name} vs {view.b.name}"), fontsize=10)
    ax.legend(fontsize=8)
    return fig


def _sweep_figure(view: Any, plt: Any) -> Any:
    rows = sorted(view.models, key=lambda r: r.dims)
    dims = [r.dims for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    panels: tuple[tuple[Any, str, str], ...] = (
        (axes[0], f"distinct share of top-{view.k} words", "repeat_share"),
        (axes[1], "mean coherence of top words", "coherence_rotation"),
    )
    for ax, label, field in panels:
        nulls = [getattr(r, field) for r in rows]
        observed = [n.observed if n is not None else float("nan") for n in nulls]
        ax.plot(dims, observed, marker="o", label="models")
        if all(n is not None for n in nulls):
            mean = [n.null_mean for n in nulls]
            sd = [n.null_sd for n in nulls]
            ax.fill_between(dims, [m - 2 * s for m, s in zip(mean, sd, strict=True)],
                            [m + 2 * s for m, s in zip(mean, sd, strict=True)],
                            alpha=0.25, color="grey", label="rotated basis ± 2 sd")  # fmt: skip
        ax.set_xscale("log")
        ax.set_xticks(dims, [str(d) for d in dims])
        ax.minorticks_off()
        ax.set_xlabel("dimensions")
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    fig.suptitle(_text(f"sweep on {view.corpus or 'the corpus'}"))
    return fig


def _where_figure(view: Any, plt: Any) -> Any:
    pairs = view.pairs
    bases = [str(b.name) for b in view.bases]
    values = [[c.mean_matched.observed for c in p.comparisons] for p in pairs]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(bases), 1.0 + 0.5 * len(pairs)))
    image = ax.imshow(values, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    for i, p in enumerate(pairs):
        for j, c in enumerate(p.comparisons):
            z = c.mean_matched.z
            note = f"{c.mean_matched.observed:.2f}\n" + ("z —" if z is None else f"z {z:+.1f}")
            ax.text(j, i, note, ha="center", va="center", fontsize=7, color="white")
    ax.set_xticks(range(len(bases)), [_text(b) for b in bases])
    ax.set_yticks(range(len(pairs)), [_text(f"{p.a.name} / {p.b.name}") for p in pairs])
    fig.colorbar(image, ax=ax, label="mean matched |r|")
    ax.set_title("where universality lives (z against each basis's null)", fontsize=9)
    return fig


def _drawers() -> dict[type, Callable[[Any, Any], Any]]:
    from polyterm.views.alignment import AlignmentView
    from polyterm.views.query import DimensionView
    from polyterm.views.sweep import SweepView
    from polyterm.views.where_universality import WhereUniversalityView
    from polyterm.views.word_map import WordMapView

    return {
        WordMapView: _map_figure,
        DimensionView: _histogram_figure,
        AlignmentView: _alignment_figure,
        SweepView: _sweep_figure,
        WhereUniversalityView: _where_figure,
    }


def has_figure(view: object) -> bool:
    return type(view) in _drawers()


def write_figures(view: Any, folder: Path, *, stem: str | None = None) -> list[Path]:
    """`view`'s figure as `<folder>/<stem>.svg` and `.png` (stem: the view's slug); the
    files written, or [] for a view without a figure."""
    drawer = _drawers().get(type(view))
    if drawer is None:
        return []
    plt = _pyplot()
    fig = drawer(view, plt)
    try:
        out = []
        for fmt in FIGURE_FORMATS:
            target = folder / f"{stem or view.slug()}.{fmt}"
            _save(fig, target)
            out.append(target)
        return out
    finally:
        plt.close(fig)


def write_map_figure(view: Any, target: Path) -> None:
    """The map's figure as one file (`.svg` or `.png`)."""
    plt = _pyplot()
    fig = _map_figure(view, plt)
    try:
        _save(fig, target)
    finally:
        plt.close(fig)


__all__ = ["FIGURE_FORMATS", "has_figure", "write_figures", "write_map_figure"]
