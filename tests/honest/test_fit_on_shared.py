"""`--fit-on shared` (issue 18, item 0): both models' bases fitted on the shared words
that are compared, not on each model's own most frequent words."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.errors import PolytermError
from polyterm.views.basis_comparison import basis_comparison
from polyterm.views.markdown import render_markdown
from polyterm.views.where_universality import where_universality_view

ICA = BasisRequest.of("ica")
SHARED, OWN, D = 1500, 600, 5


def _models() -> tuple[Embedding, Embedding]:
    """Laplace sources on the shared words, mixed differently per model; each model's
    most frequent words are its own words, with no sources at all (loud Gaussian rows),
    so a basis fitted on its own most frequent words is fitted mostly on them."""
    rng = np.random.default_rng(11)
    s = rng.laplace(size=(SHARED, D)) / np.sqrt(2)
    shared = [f"w{i}" for i in range(SHARED)]

    def model(name: str) -> Embedding:
        mix = np.linalg.qr(rng.standard_normal((D, D)))[0] * rng.uniform(1, 2, D)
        own = 4.0 * rng.standard_normal((OWN, D))
        x = np.vstack([own, s @ mix])
        words = [f"{name}_{i}" for i in range(OWN)] + shared
        return Embedding.from_arrays(name, words, x, manifest={"kind": "file"})

    return model("a"), model("b")


def _compare(fit_on: str) -> float:
    a, b = _models()
    c = basis_comparison(
        a, b, BasisRequest.of("ica", fit_words=OWN), BasisStore(), top_n=None,
        repetitions=100, stability_runs=0, fit_on=fit_on,
    )  # fmt: skip
    assert c.fit_on == fit_on and c.n_words == SHARED
    return c.mean_matched.observed


def test_fitting_on_the_shared_words_recovers_the_shared_sources() -> None:
    own, shared = _compare("own"), _compare("shared")
    assert shared > 0.95  # ICA on the compared words finds the planted sources in both
    assert own < shared - 0.1  # fitted on each model's own words it does not


def test_the_view_says_which_words_the_bases_were_fitted_on() -> None:
    a, b = _models()
    view = where_universality_view(
        [a, b], bases=(ICA,), store=BasisStore(), top_n=None, repetitions=100,
        stability_runs=0, basis_seeds=1, fit_on="shared",
    )  # fmt: skip
    assert view.pairs[0].comparisons[0].fit_on == "shared"
    assert "--fit-on shared" in view.command()
    text = render_markdown(view)
    assert "bases fitted on: the shared words that are compared" in text
    default = where_universality_view(
        [a, b], bases=(ICA,), store=BasisStore(), top_n=None, repetitions=100,
        stability_runs=0, basis_seeds=1,
    )  # fmt: skip
    assert "--fit-on" not in default.command()
    assert "each model's own 10,000 most frequent words" in render_markdown(default)


def test_an_unknown_fit_on_is_one_line() -> None:
    a, b = _models()
    with pytest.raises(PolytermError, match="--fit-on must be one of own, shared"):
        basis_comparison(a, b, ICA, BasisStore(), top_n=None, fit_on="both")


def test_the_report_parser_takes_fit_on_and_basis_seeds() -> None:
    from polyterm.cli import build_parser
    from polyterm.views.settings import COMPARISON

    args = build_parser().parse_args(["report", "a", "b"])
    assert args.fit_on == "own" and args.basis_seeds == COMPARISON.basis_seeds
    args = build_parser().parse_args(
        ["report", "a", "b", "--fit-on", "shared", "--basis-seeds", "1"]
    )
    assert args.fit_on == "shared" and args.basis_seeds == 1
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "a", "b", "--basis-seeds", "0"])
