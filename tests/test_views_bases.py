"""Views of models in a basis (raw, pca, ica, dict:K): known answers on planted sources.

Two "models" are built from the same independent sources S (n words x d) mixed by two
different random matrices. Their raw dimensions are two arbitrary bases of the same
space, so raw matching sits inside its rotation null; ICA recovers S's columns from each,
so the ICA axes of the two models match one-to-one with |r| near 1, every pair shared at
the FDR and every component stable. Gaussian sources have no independent axes to
recover: the ICA matching sits inside its null and no pair is shared.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from polyterm.core.alignment_nulls import Stat
from polyterm.core.dimensions import Scale
from polyterm.core.embedding import Embedding
from polyterm.engine.bases import BasisRequest, BasisStore
from polyterm.errors import PolytermError
from polyterm.views.alignment import alignment_in_basis, alignment_view
from polyterm.views.basis_comparison import basis_comparison
from polyterm.views.markdown import render_markdown
from polyterm.views.model_summary import ModelSummary, cli_models
from polyterm.views.protocol import plain, table_by_key
from polyterm.views.query import dimension_query_view, dimension_view, repeats_view
from polyterm.views.serialise import to_json

N, D = 2000, 6
R = 400  # null draws: the smallest p is 1/401, below BH's 0.05/6 for the first pair


def _words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


def planted(kind: str, seed: int = 0, noise: float = 0.0) -> tuple[Embedding, Embedding]:
    rng = np.random.default_rng(seed)
    sources = rng.laplace(size=(N, D)) if kind == "laplace" else rng.normal(size=(N, D))
    out = []
    for name in ("A", "B"):
        mixed = sources @ rng.normal(size=(D, D)) + noise * rng.normal(size=(N, D))
        out.append(Embedding.from_arrays(name, _words(N), mixed))
    return out[0], out[1]


@pytest.fixture(scope="module")
def laplace() -> tuple[Embedding, Embedding]:
    return planted("laplace")


@pytest.fixture(scope="module")
def store() -> BasisStore:
    return BasisStore()


def test_raw_matching_sits_inside_its_rotation_null(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    a, b = laplace
    c = basis_comparison(a, b, BasisRequest(), store, top_n=None, repetitions=R)
    assert c.null_kind == "rotation"
    assert c.n_pairs == D and c.n_words == N
    z = c.mean_matched.z
    assert z is not None and abs(z) < 3
    assert c.n_shared < D
    assert c.n_stable is None and c.n_universal is None  # raw has no stability


def test_ica_recovers_the_planted_sources_in_both_models(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    a, b = laplace
    c = basis_comparison(
        a, b, BasisRequest.of("ica"), store, top_n=None, repetitions=R, stability_runs=4
    )
    assert c.mean_matched_abs_r > 0.95
    assert all(abs(p.r) > 0.95 for p in c.pairs)
    assert c.mean_matched_abs_r > c.null_mean + 3 * c.null_sd
    assert c.n_shared == c.n_pairs == D
    assert all(p.p == pytest.approx(1 / (1 + R)) for p in c.pairs)
    assert c.n_stable == D and c.n_universal == D and c.stable_components == (D, D)
    assert all(p.universal and p.stability_a and p.stability_a >= 0.8 for p in c.pairs)
    assert c.top_shared(3) == c.pairs[:3]
    # the matched axes name the same words at their top ends
    assert all(p.words_a == p.words_b for p in c.pairs)
    # each ICA axis of A is one source: it correlates ~1 with one column of S
    codes = np.asarray(store.in_basis(a, BasisRequest.of("ica")).vectors, dtype=np.float64)
    sources = np.random.default_rng(0).laplace(size=(N, D))
    r = np.corrcoef(codes.T, sources.T)[:D, D:]
    assert np.all(np.abs(r).max(axis=1) > 0.95)


@pytest.mark.slow  # fits bases several times
def test_gaussian_sources_leave_ica_inside_its_null(store: BasisStore) -> None:
    """Gaussian sources plus each model's own noise: no independent axes are shared.
    (Without the noise the two models hold the very same Gaussian sample, whose small
    finite-sample non-Gaussianity both ICAs can find.)"""
    a, b = planted("gaussian", seed=1, noise=0.5)
    c = basis_comparison(
        a, b, BasisRequest.of("ica"), BasisStore(), top_n=None, repetitions=R, stability_runs=4
    )
    z = c.mean_matched.z
    assert z is not None and abs(z) < 3
    assert c.n_shared == 0
    assert c.n_universal == 0
    assert c.n_stable is not None and c.n_stable <= D // 2


def test_pca_of_two_mixings_is_not_shared(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    """Whitened principal axes of two different mixings are two arbitrary rotations of
    the same white space: PCA sits inside its whitened-space rotation null."""
    a, b = laplace
    c = basis_comparison(a, b, BasisRequest.of("pca"), store, top_n=None, repetitions=R)
    z = c.mean_matched.z
    assert c.null_kind == "rotation" and z is not None and abs(z) < 3
    assert c.n_stable is None  # pca has no stability runs


@pytest.mark.slow  # fits bases several times
def test_dictionary_uses_the_rotated_dictionary_null_and_counts_best_partners(
    laplace: tuple[Embedding, Embedding],
) -> None:
    a, b = laplace
    small = BasisRequest.of("dict:8", fit_words=1000)
    c = basis_comparison(a, b, small, BasisStore(), top_n=1000, repetitions=100, stability_runs=0)
    assert c.null_kind == "rotated-dictionary" and c.codes == (8, 8) and c.n_words == 1000
    assert c.repetitions == 20 and c.mean_matched.repetitions == 20
    # the word shuffle is the secondary line, and never calls fewer pairs shared
    assert c.secondary_shared is not None and c.secondary_shared >= c.n_shared
    rows = {str(r[0]): r for r in c_rows(a, b, small)}
    assert any("against the word shuffle" in key for key in rows)
    assert 0 <= c.best_shared[0] <= 8 and 0 <= c.best_shared[1] <= 8
    assert c.n_stable is None and c.stability_runs == 0


def c_rows(a: Embedding, b: Embedding, request: BasisRequest) -> tuple[tuple[object, ...], ...]:
    view = alignment_in_basis(a, b, request, BasisStore(), top_n=1000, repetitions=4,
                              match_repetitions=100, stability_runs=0)  # fmt: skip
    return view._basis_rows()


def test_alignment_view_in_ica_names_the_basis_and_reproduces(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    a, b = laplace
    view = alignment_in_basis(
        a,
        b,
        BasisRequest.of("ica"),
        store,
        top_n=None,
        repetitions=3,
        match_repetitions=R,
        stability_runs=4,
    )
    assert plain(view.title()) == "A [ica] vs B [ica]: matching, alignment and similarity"
    assert view.slug() == "align-a-ica-b-ica"
    assert view.command() == (
        "polyterm align A B --basis ica --k 10 --repetitions 3 --seed 0 --top-n 0 "
        f"--match-repetitions {R} --stability-runs 4"
    )
    stats = table_by_key(view.tables(), "statistics")
    rows = {plain(r[0]): [plain(c) for c in r] for r in stats.rows}
    assert rows["pairs shared at FDR 0.05"][1] == f"{D} of {D}"
    assert rows["universal pairs"][1] == f"{D} of {D}"
    # mean matched |r| beside the basis's own null (R draws), not the 3 slow ones
    mean = view.statistic(Stat.MEAN_MATCHED_R).null("rotation")
    assert mean is not None and mean.repetitions == R
    matched = table_by_key(view.tables(), "matched")
    columns = [plain(c) for c in matched.columns]
    assert columns[:6] == [
        "A [ica] axis",
        "B [ica] axis",
        "r",
        "p (max |r|)",
        "shared (FDR 0.05)",
        "stability A / B",
    ]
    assert all(plain(row[4]) == "yes" for row in matched.rows)
    assert any("In the ica basis" in r and f"{D} of {D}" in r for r in view.readings())
    md = render_markdown(view)
    assert "p (max \\|r\\|)" in md and "--basis ica" in md


@pytest.mark.slow  # fits bases several times
def test_an_unstable_side_is_marked_and_never_universal() -> None:
    """The same Gaussian sample in both models: ICA finds some of the same axes in both (its
    small finite-sample non-Gaussianity is shared, so pairs are shared at the FDR: 4 of 6
    with the converged fit), but in A some of them do not reproduce across seeds: those
    pairs are shown as shared yet unstable, and are not counted as universal."""
    a, b = planted("gaussian", seed=0)
    view = alignment_in_basis(
        a, b, BasisRequest.of("ica"), BasisStore(), top_n=None, repetitions=2,
        match_repetitions=R, stability_runs=4,
    )  # fmt: skip
    c = view.basis_matching
    assert c is not None and c.n_universal is not None
    assert c.n_shared >= 2
    flagged = [p for p in c.pairs if p.shared and p.stable is False]
    assert flagged
    assert all(not p.universal for p in flagged)
    assert c.n_universal == c.n_shared - len(flagged)
    shown = [plain(r[4]) for r in table_by_key(view.tables(), "matched").rows]
    assert shown.count("yes, unstable") == len(flagged)


def test_raw_alignment_view_is_unchanged_but_for_the_added_lines(
    laplace: tuple[Embedding, Embedding],
) -> None:
    a, b = laplace
    view = alignment_view(a, b, top_n=None, repetitions=3, match_repetitions=0)
    assert plain(view.title()) == "A vs B: matching, alignment and similarity"
    assert view.command() == (
        "polyterm align A B --k 10 --repetitions 3 --seed 0 --top-n 0 --match-repetitions 0"
    )
    matched = table_by_key(view.tables(), "matched")
    assert [plain(c) for c in matched.columns][:4] == ["A dim", "B dim", "r", "Jaccard"]
    names = [plain(r[0]) for r in table_by_key(view.tables(), "statistics").rows]
    assert names == [s.name for s in view.statistics]  # skipped: no max-|r| draws
    assert view.basis_matching is None
    # by default (issue 18) the raw basis gets its max-|r| p-values and FDR call per pair
    default = alignment_view(a, b, top_n=None, repetitions=3)
    assert default.basis_matching is not None
    columns = [plain(c) for c in table_by_key(default.tables(), "matched").columns]
    assert columns[4:6] == ["p (max |r|)", "shared (FDR 0.05)"]
    assert default.command().endswith("--top-n 0")
    asked = alignment_view(a, b, top_n=None, repetitions=3, match_repetitions=50)
    names = [plain(r[0]) for r in table_by_key(asked.tables(), "statistics").rows]
    assert names[8:] == ["pairs shared at FDR 0.05"]
    assert asked.basis_matching is not None and asked.basis_matching.null_kind == "rotation"
    assert asked.command().endswith("--top-n 0 --match-repetitions 50")


def test_models_in_different_bases_are_refused(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    a, b = laplace
    ica = store.in_basis(a, BasisRequest.of("ica"))
    with pytest.raises(PolytermError, match="different bases"):
        alignment_view(ica, b, top_n=None, repetitions=2)


def test_too_few_words_for_a_basis_is_one_error_line() -> None:
    tiny = Embedding.from_arrays("tiny", _words(3), np.eye(3, 4))
    other = Embedding.from_arrays("other", _words(3), np.eye(3, 4)[::-1])
    with pytest.raises(PolytermError, match="cannot fit the ica basis of tiny") as info:
        basis_comparison(tiny, other, BasisRequest.of("ica"), BasisStore(), top_n=None)
    assert "\n" not in str(info.value)


def test_dimension_view_of_an_ica_axis(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    a, _ = laplace
    ica = store.in_basis(a, BasisRequest.of("ica"))
    view = dimension_view(ica, 2, k=5)
    assert plain(view.title()) == "Axis 2 of A [ica]"
    ends = table_by_key(view.tables(), "ends")
    assert [plain(c) for c in ends.columns] == [
        "rank",
        "top of the axis",
        "code",
        "bottom of the axis",
        "code",
    ]
    col = np.asarray(ica.vectors[:, 2], dtype=np.float64)
    assert [e.word for e in view.top] == [f"w{i}" for i in np.argsort(-col, kind="stable")[:5]]
    assert view.command() == "polyterm dims A --basis ica --dim 2 --k 5"
    assert view.slug() == "dim-2-a-ica"
    assert plain(table_by_key(view.tables(), "statistics").title) == "Statistics (ica codes)"


def test_dimension_view_of_a_dictionary_atom_shows_its_top_and_usage(
    laplace: tuple[Embedding, Embedding],
) -> None:
    a, _ = laplace
    request = BasisRequest.of("dict:8", fit_words=1000, seed=3)
    atoms = BasisStore().in_basis(a, request)
    view = dimension_view(atoms, 1, k=5)
    used = int(np.count_nonzero(np.asarray(atoms.vectors[:, 1]) > 0))
    assert view.usage == used and 0 < used < N
    assert plain(view.title()) == "Atom 1 of A [dict:8, fit on 1,000 words, seed 3]"
    assert view.bottom == ()
    ends = table_by_key(view.tables(), "ends")
    assert [plain(c) for c in ends.columns] == ["rank", "top word", "code"]
    assert f"{used:,} of {N:,} words use this atom" in ends.caption
    assert "bottom end is zeros" in ends.caption
    assert view.command() == (
        "polyterm dims A --basis dict:8 --fit-words 1000 --basis-seed 3 --dim 1 --k 5"
    )
    assert view.slug() == "dim-1-a-dict-8-fit1000-seed3"
    data = json.loads(to_json(view))
    assert data["usage"] == used
    assert data["model"]["basis"] == {"name": "dict:8", "fit_words": 1000, "seed": 3}
    # repeats of atoms: the top end only; compare --dim: the usage in the caption
    rep = repeats_view(atoms, k=5)
    assert [t.key for t in rep.tables()] == ["models", "top"]
    assert "--basis dict:8" in rep.command()
    q = dimension_query_view([atoms], 1, k=5)
    assert [t.key for t in q.tables()] == ["models", "top", "agreement"]
    assert f"{used:,} of {N:,} words in A [dict:8]" in table_by_key(q.tables(), "top").caption
    assert plain(q.title()).startswith(
        "Atom 1 across models in the dict:8 basis (fit on 1,000 words, seed 3)"
    )


def test_a_raw_view_prints_as_before(laplace: tuple[Embedding, Embedding]) -> None:
    a, _ = laplace
    view = dimension_view(a, 2, k=5, scale=Scale.RAW)
    assert plain(view.title()) == "Dimension 2 of A"
    assert view.command() == "polyterm dims A --dim 2 --k 5"
    data = json.loads(to_json(view))
    assert "usage" not in data and "basis" not in data["model"]
    ends = table_by_key(view.tables(), "ends")
    assert [plain(c) for c in ends.columns][1] == "top word"


def test_model_summary_keeps_the_base_spec(
    laplace: tuple[Embedding, Embedding], store: BasisStore
) -> None:
    a, b = laplace
    request = BasisRequest.of("ica", seed=2)
    s = ModelSummary.of(store.in_basis(a, request))
    assert s.name == "A [ica]" and s.spec == "A" and s.basis == request
    assert s.label == "A [ica, seed 2]"
    both = [s, ModelSummary.of(store.in_basis(b, request))]
    assert cli_models(both) == "A B --basis ica --basis-seed 2"
    assert cli_models([ModelSummary.of(a)]) == "A"


def test_an_atom_used_by_fewer_than_k_words_lists_only_those() -> None:
    """Codes of 0 are not a meaning: the top end stops at the last word using the atom."""
    codes = np.zeros((20, 3), dtype=np.float32)
    codes[[4, 7, 11], 1] = [0.5, 2.0, 1.0]  # atom 1: three words use it
    codes[:, 0] = np.linspace(1.0, 2.0, 20)  # atom 0: every word
    model = Embedding.from_arrays(
        "m [dict:3]",
        [f"w{i}" for i in range(20)],
        codes,
        manifest={"basis": {"name": "dict:3", "fit_words": 10_000, "seed": 0}},
    )
    view = dimension_view(model, 1, k=10)
    assert [e.word for e in view.top] == ["w7", "w11", "w4"]
    assert view.usage == 3 and view.bottom == ()
    assert len(dimension_view(model, 0, k=10).top) == 10


def test_a_model_name_in_an_atom_caption_is_escaped_in_markdown() -> None:
    """The usage caption names the models: data, never markup or HTML in markdown."""
    codes = np.abs(np.random.default_rng(0).standard_normal((30, 3))).astype(np.float32)
    model = Embedding.from_arrays(
        "x|<img src=q>|# h [dict:3]",
        [f"w{i}" for i in range(30)],
        codes,
        manifest={"basis": {"name": "dict:3", "fit_words": 10_000, "seed": 0}},
    )
    out = render_markdown(dimension_query_view([model], 1, k=5))
    line = next(x for x in out.splitlines() if "Values:" in x)
    assert "<img" not in line and "&lt;img src=q&gt;" in line
    assert "x\\|" in line  # a pipe cannot end a table cell
