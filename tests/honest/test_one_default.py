"""One default per question (issue 18, item 8): the explorer asks what the CLI asks."""

from __future__ import annotations

import numpy as np

from polyterm.cli import build_parser
from polyterm.cli.commands import _science_top_n
from polyterm.core.embedding import Embedding
from polyterm.views.alignment import alignment_view
from polyterm.views.basis_comparison import DEFAULT_TOP_N
from polyterm.views.markdown import render_markdown
from polyterm.views.settings import COMPARISON
from polyterm.widgets import comparison_pane, dimension_pane, sweep_pane


def _parse(*argv: str):  # type: ignore[no-untyped-def]
    return build_parser().parse_args(list(argv))


def test_the_compare_pane_and_align_ask_the_same_question() -> None:
    args = _parse("align", "A", "B")
    cli = {
        "k": args.k, "top_n": _science_top_n(args, DEFAULT_TOP_N),
        "repetitions": args.repetitions, "seed": args.seed,
    }  # fmt: skip
    pane = {
        "k": comparison_pane.ALIGN_K, "top_n": comparison_pane.ALIGN_TOP_N,
        "repetitions": comparison_pane.ALIGN_REPETITIONS, "seed": comparison_pane.ALIGN_SEED,
    }  # fmt: skip
    assert cli == pane
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    a = Embedding.from_arrays("A", words, rng.standard_normal((300, 6)))
    b = Embedding.from_arrays("B", words, rng.standard_normal((300, 6)))
    assert render_markdown(alignment_view(a, b, **cli)) == render_markdown(
        alignment_view(a, b, **pane)
    )


def test_the_sweep_pane_and_the_sweep_command_draw_the_same_nulls() -> None:
    args = _parse("sweep", "brown")
    from polyterm.cli.commands import _settings
    from polyterm.views.sweep import DEFAULT_TOP_N

    assert _settings(args, DEFAULT_TOP_N) == sweep_pane.SWEEP_SETTINGS
    assert sweep_pane.SWEEP_SETTINGS.repetitions == args.repetitions == COMPARISON.repetitions
    assert _settings(_parse("sweep", "brown", "--top-n", "0"), DEFAULT_TOP_N).top_n == 0


def test_report_universality_and_align_share_the_defaults() -> None:
    report = _parse("report", "A", "B")
    align = _parse("align", "A", "B")
    assert report.repetitions == align.repetitions == COMPARISON.repetitions
    assert report.k == align.k == COMPARISON.k
    assert align.stability_runs == COMPARISON.stability_runs
    assert report.restrict == COMPARISON.restrict


def test_a_large_model_is_restricted_alike_in_dimensions_and_dims() -> None:
    assert COMPARISON.large_restrict == dimension_pane.LARGE_RESTRICT
    assert COMPARISON.large_vocabulary == dimension_pane.LARGE_VOCABULARY
    assert COMPARISON.dimension_restrict(400_000) == 50_000
    assert COMPARISON.dimension_restrict(14_000) is None
    assert COMPARISON.dimension_restrict(400_000, 1_000) == 1_000
