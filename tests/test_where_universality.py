"""Where universality lives (issue 12, item 5): known answers on planted models.

Two "models" are one set of independent sources S (words × sources) mixed by two
different matrices. With Laplace sources ICA recovers S's columns in both, so their ICA
axes match near 1 and every pair is shared, while their raw dimensions (arbitrary
mixtures) sit inside the rotation null. With Gaussian sources there is nothing for ICA to
find: once each model carries its own noise, the ICA axes are no more alike than random
directions of the whitened space.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.embedding import Embedding
from polyterm.core.nulls import random_rotation
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.views.markdown import render_markdown
from polyterm.views.protocol import plain, table_by_key
from polyterm.views.report import build_report
from polyterm.views.settings import COMPARISON
from polyterm.views.sweep import sweep_view
from polyterm.views.where_universality import (
    WhereUniversalityView,
    is_shared,
    where_universality_view,
)

RAW, PCA, ICA = BasisRequest(), BasisRequest.of("pca"), BasisRequest.of("ica")
WORDS = 2_000
SOURCES = 6


def _pair(kind: str, noise: float, seed: int) -> tuple[Embedding, Embedding]:
    """S (Laplace or Gaussian, unit variance) mixed by two well-conditioned random
    matrices, each model plus its own Gaussian noise of sd `noise`."""
    rng = np.random.default_rng(seed)
    if kind == "laplace":
        s = rng.laplace(size=(WORDS, SOURCES)) / np.sqrt(2)
    else:
        s = rng.standard_normal((WORDS, SOURCES))
    words = [f"w{i}" for i in range(WORDS)]

    def model(name: str) -> Embedding:
        mixing = random_rotation(SOURCES, rng) * rng.uniform(1, 2, SOURCES)
        x: npt.NDArray[np.float64] = s @ mixing + noise * rng.standard_normal(s.shape)
        return Embedding.from_arrays(name, words, x, manifest={"kind": "file"})

    return model(f"{kind}_a"), model(f"{kind}_b")


def _view(
    a: Embedding, b: Embedding, bases: tuple[BasisRequest, ...] = (RAW, ICA), runs: int = 0
) -> WhereUniversalityView:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FastICA on Gaussian data may not converge
        return where_universality_view(
            [a, b], bases=bases, store=BasisStore(), top_n=None, repetitions=400,
            stability_runs=runs,
        )  # fmt: skip


@pytest.fixture(scope="module")
def laplace_view() -> WhereUniversalityView:
    return _view(*_pair("laplace", 0.0, seed=0), bases=(RAW, PCA, ICA), runs=3)


def test_planted_laplace_sources_are_shared_in_ica_only(
    laplace_view: WhereUniversalityView,
) -> None:
    raw, pca, ica = laplace_view.pairs[0].comparisons
    assert ica.mean_matched.observed > 0.95
    assert ica.n_shared == ica.n_pairs == SOURCES
    assert ica.stable_components == (SOURCES, SOURCES)
    assert is_shared(ica)
    # raw dimensions are arbitrary mixtures: inside their rotation null
    assert raw.mean_matched.z is not None and abs(raw.mean_matched.z) < 2
    assert raw.n_shared == 0 and not is_shared(raw)
    # pca's axes depend on each mixing matrix: not shared either
    assert not is_shared(pca)
    assert [c.basis for c in laplace_view.pairs[0].comparisons] == [RAW, PCA, ICA]


def test_readings_answer_where_the_groupings_are_shared(
    laplace_view: WhereUniversalityView,
) -> None:
    first, *rest = laplace_view.readings()
    assert first.startswith("laplace_a vs laplace_b: the groupings are shared beyond chance in ica")
    assert "; not in raw" in first
    assert any(r.startswith("Raw dimensions are arbitrary") for r in rest)


def test_tables_and_markdown_show_the_numbers(laplace_view: WhereUniversalityView) -> None:
    tables = laplace_view.tables()
    bases = table_by_key(tables, "bases")
    rows = {plain(r[2]): [plain(c) for c in r] for r in bases.rows}
    ica = laplace_view.pairs[0].comparisons[2]
    assert rows["ica"][4] == f"{ica.mean_matched.observed:.3f}"
    assert rows["ica"][7].startswith(f"{SOURCES} of {SOURCES}")
    assert rows["ica"][9] == f"{SOURCES} of {SOURCES}; {SOURCES} of {SOURCES}"
    assert rows["ica"][-1] == "yes" and rows["raw"][-1] == "no"
    assert rows["raw"][7] == f"0 of {SOURCES}"
    assert rows["pca"][9] == "deterministic"
    axes = table_by_key(tables, "shared-axes")
    assert len(axes.rows) == 5  # the 5 strongest of the 6 shared ica pairs
    assert {plain(r[2]) for r in axes.rows} == {"ica"}
    text = render_markdown(laplace_view)
    assert "## Where universality lives: laplace_a, laplace_b" in text
    assert "| A | B | basis | axes | mean matched \\|r\\| |" in text
    line = next(x for x in text.splitlines() if x.startswith("| laplace_a | laplace_b | ica |"))
    assert f"| {ica.mean_matched.observed:.3f} |" in line
    assert f"| {SOURCES} of {SOURCES} ({SOURCES} with both sides stable) |" in line
    assert "polyterm report laplace_a laplace_b --k 10 --basis raw,pca,ica" in text


def test_the_same_noise_hides_nothing_from_laplace_and_finds_nothing_in_gaussian() -> None:
    """Each model with its own noise as large as the sources: Laplace sources are still
    found in both (shared), Gaussian ones give ICA axes inside the null."""
    laplace = _view(*_pair("laplace", 1.0, seed=1)).pairs[0].comparisons[1]
    gauss = _view(*_pair("gauss", 1.0, seed=1)).pairs[0].comparisons[1]
    assert is_shared(laplace)
    assert laplace.mean_matched.z is not None and laplace.mean_matched.z > 4
    assert gauss.mean_matched.z is not None and abs(gauss.mean_matched.z) < 2
    assert gauss.n_shared == 0 and not is_shared(gauss)


def test_no_shared_pair_is_said_in_the_axes_table_and_the_readings() -> None:
    view = _view(*_pair("gauss", 1.0, seed=1), bases=(RAW,))
    assert view.readings()[0].startswith(
        "gauss_a vs gauss_b: no basis shares the groupings beyond chance"
    )
    axes = table_by_key(view.tables(), "shared-axes")
    assert axes.rows == () and axes.caption == "No pair is shared at the FDR in any basis."


def test_the_report_has_the_where_universality_section() -> None:
    a, b = _pair("laplace", 0.0, seed=0)
    text = build_report(
        [a, b], bases=(RAW, ICA), store=BasisStore(), repetitions=2, restrict=None,
        match_repetitions=400, stability_runs=0,
    )  # fmt: skip
    assert "## Where universality lives: laplace_a, laplace_b" in text
    summary = text.split("## Summary", 1)[1].split("\n## ", 1)[0]
    assert "the groupings are shared beyond chance in ica" in summary


def test_the_sweep_shows_every_pair_in_every_basis() -> None:
    a, b = _pair("laplace", 0.0, seed=0)
    view = sweep_view(
        [a, b], corpus="planted", settings=replace(COMPARISON, k=5, top_n=0, repetitions=20),
        bases=(RAW, ICA),
        store=BasisStore(),
    )  # fmt: skip
    rows = view.basis_pairs
    assert [(p.relation, str(p.basis.name)) for p in rows] == [
        ("adjacent sizes", "raw"),
        ("adjacent sizes", "ica"),
        ("seeds", "raw"),
        ("seeds", "ica"),
    ]
    for p in rows:
        z = p.matched_r.z
        assert z is not None
        if p.basis == ICA:
            assert p.matched_r.observed > 0.95 and z > 2
        else:
            assert abs(z) < 2
    table = table_by_key(view.tables(), "pairs-by-basis")
    assert [plain(c) for c in table.rows[1]][3:5] == ["ica", f"{rows[1].matched_r.observed:.3f}"]
    text = render_markdown(view)
    assert "### Between models, per basis" in text
    assert "--basis raw,ica" in view.command()
    assert any(r.startswith("In the ica basis, pairs match") for r in view.readings())


def test_a_raw_only_sweep_has_no_basis_table() -> None:
    a, b = _pair("laplace", 0.0, seed=0)
    view = sweep_view(
        [a, b], corpus="planted", settings=replace(COMPARISON, k=5, top_n=0, repetitions=3)
    )
    assert view.basis_pairs == ()
    assert "pairs-by-basis" not in {t.key for t in view.tables()}
    assert "--basis" not in view.command()


def _trained(model: Embedding, seed: int) -> Embedding:
    params = {"dims": SOURCES, "seed": seed, "window": 5, "min_count": 5, "epochs": 5}
    corpus = {"name": "toy", "sentences": 1, "tokens": WORDS, "sha256": "ab" * 32}
    manifest = {"kind": "word2vec", "params": params, "corpus": corpus}
    return Embedding.from_arrays(model.name, list(model.vocab), model.vectors, manifest=manifest)


@pytest.mark.parametrize(("seed_b", "said"), [(1, True), (2, False)])
def test_a_shared_seed_is_said_beside_a_shared_basis(seed_b: int, said: bool) -> None:
    a, b = _pair("laplace", 0.0, seed=0)
    view = _view(_trained(a, 1), _trained(b, seed_b))
    assert view.pairs[0].same_seed is said
    assert any("from the same seed" in r for r in view.readings()) is said
