"""One default per question: the comparison settings the CLI, the explorer and the report
all read (issue 18, item 8).

Every option that changes a number — list length, words compared, null draws, seeds,
stability refits, false-discovery rate, vocabulary restriction — has its default here
once. The CLI's parser defaults, the explorer's panes and the report's builder take them
from `COMPARISON`, so the same question gets the same answer wherever it is asked (a
test checks that the explorer's views equal the CLI's), and every pane header can say
which apply (`ComparisonSettings.header`).

Import-light (no numpy): the explorer reads it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ComparisonSettings:
    """Defaults of every comparison (see the module docstring).

    Attributes:
        k: words per list (top-k neighbours, a dimension's ends, matched axes' words).
        top_n: shared words two models are compared over (align, where-universality,
            sweep, report, the Compare pane).
        neighbour_top_n: shared words of neighbourhood and difference-vector universality.
        repetitions: draws of the rotation and shuffle nulls (align, universality, sweep,
            report, the Compare and Sweep panes).
        match_repetitions: draws of the max-|r| null behind each matched pair's p-value.
        seed: the seed of every null.
        stability_runs: refits of ica and dict:K for the components' stability.
        basis_seeds: fits of each ica/dict:K basis (its seed and the next ones) behind the
            error bars of "where universality lives" (the report).
        fdr_q: the false-discovery rate of "shared" pairs and of the many-tests correction.
        restrict: the report's vocabulary restriction of dimension extremes.
        fit_words: the most frequent words a basis (pca, ica, dict:K) is fitted on
            (`polyterm.core.bases.DEFAULT_FIT_ROWS`, checked equal).
        large_vocabulary, large_restrict: a model with more than `large_vocabulary` words
            (GloVe) has its dimensions read over its `large_restrict` most frequent words
            unless a restriction is asked for (the Dimensions pane, `dims`, `compare --dim`).
    """

    k: int = 10
    top_n: int = 10_000
    neighbour_top_n: int = 5_000
    repetitions: int = 20
    match_repetitions: int = 1000
    seed: int = 0
    stability_runs: int = 10
    basis_seeds: int = 3
    fdr_q: float = 0.05
    restrict: int = 10_000
    fit_words: int = 10_000
    large_vocabulary: int = 100_000
    large_restrict: int = 50_000

    def dimension_restrict(self, words: int, asked: int | None = None) -> int | None:
        """The restriction of a model's dimension views: `asked`, else `large_restrict`
        for a model of more than `large_vocabulary` words, else none."""
        if asked is not None:
            return asked
        return self.large_restrict if words > self.large_vocabulary else None

    def header(self) -> str:
        """Which defaults apply, for a pane's header."""
        return (
            f"k {self.k} · {self.top_n:,} shared words · {self.repetitions} null draws · "
            f"{self.match_repetitions:,} max-|r| draws · seed {self.seed} · FDR {self.fdr_q:g}"
        )

    def pane_defaults(self, pane: str) -> str:
        """The defaults that apply to one explorer pane's numbers (its header line):
        ``compare``, ``sweep``, ``calc`` or ``dims``; the same values the CLI's parser
        and the report read."""
        common = f"defaults: k {self.k} · {self.repetitions} null draws · seed {self.seed}"
        if pane == "compare":
            return (
                f"{common} · {self.top_n:,} shared words · {self.match_repetitions:,} max-|r| "
                f"draws · FDR {self.fdr_q:g} · bases fit on {self.fit_words:,} words"
            )
        if pane == "sweep":
            return f"{common} · {self.top_n:,} shared words · BH at {self.fdr_q:g} over the sweep"
        if pane == "calc":
            return (
                f"{common} · neighbours among all words · agreement baselines over "
                f"{self.top_n:,} shared words"
            )
        if pane == "dims":
            return (
                f"{common} · over {self.large_vocabulary:,} words: the "
                f"{self.large_restrict:,} most frequent · bases fit on {self.fit_words:,} words"
            )
        raise ValueError(f"no defaults for the pane {pane!r}")


COMPARISON = ComparisonSettings()
"""The defaults every front end reads."""
