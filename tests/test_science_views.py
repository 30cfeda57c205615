"""Whole-model views with known answers, and their numbers against direct numpy."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from polyterm.cli import main
from polyterm.core.alignment_nulls import Stat
from polyterm.core.embedding import Embedding
from polyterm.core.nulls import random_rotation
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.views.alignment import alignment_view
from polyterm.views.markdown import render_markdown
from polyterm.views.report import build_report
from polyterm.views.settings import COMPARISON
from polyterm.views.sweep import sweep_view
from polyterm.views.universality import universality_view


def transformed(model: Embedding, name: str, matrix: np.ndarray) -> Embedding:
    return Embedding.from_arrays(name, list(model.vocab), np.asarray(model.vectors) @ matrix)


def test_permuted_sign_flipped_copy_is_matched_exactly(lee_model: Embedding) -> None:
    d = lee_model.dims
    perm = np.random.default_rng(1).permutation(d)
    signs = np.where(np.arange(d) % 3 == 0, -1.0, 1.0)
    p = np.zeros((d, d))
    p[np.arange(d), perm] = signs
    view = alignment_view(lee_model, transformed(lee_model, "copy", p), repetitions=3, top_n=None)
    assert view.statistic(Stat.MEAN_MATCHED_R).observed == pytest.approx(1.0)
    assert {(m.dim_a, m.dim_b) for m in view.matched} == {(i, int(perm[i])) for i in range(d)}
    for m in view.matched:
        assert np.sign(m.r) == signs[m.dim_a]
        assert m.words_a == m.words_b  # b's bottom end when r < 0
    assert view.statistic(Stat.CKA).observed == pytest.approx(1.0)


def test_rotated_copy_is_recovered_by_procrustes_not_by_matching(lee_model: Embedding) -> None:
    q = random_rotation(lee_model.dims, np.random.default_rng(5))
    view = alignment_view(
        lee_model, transformed(lee_model, "rotated", q), repetitions=4, top_n=None
    )
    assert view.statistic(Stat.PROCRUSTES_RESIDUAL).observed == pytest.approx(0, abs=1e-6)
    assert view.statistic(Stat.CKA).observed == pytest.approx(1.0)
    assert view.statistic(Stat.ALIGNED_JACCARD).observed == pytest.approx(1.0)
    assert view.statistic(Stat.MEAN_MATCHED_R).observed < 0.9
    shuffle = view.statistic(Stat.CKA).null("shuffle")
    assert shuffle is not None and shuffle.null_mean < 0.2


def test_independent_random_models_sit_inside_their_nulls() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(3000)]
    a = Embedding.from_arrays("a", words, rng.normal(size=(3000, 12)))
    b = Embedding.from_arrays("b", words, rng.normal(size=(3000, 12)))
    view = alignment_view(a, b, repetitions=20, top_n=None)
    for name in ("mean matched |r|", "linear CKA"):
        null = view.statistic(name).null("shuffle")
        assert null is not None and null.z is not None and abs(null.z) < 4


@pytest.mark.slow
def test_cka_against_direct_numpy(brown_30: Embedding, brown_29: Embedding) -> None:
    view = alignment_view(brown_30, brown_29, repetitions=2, top_n=2000)
    shared = shared_vocabulary([brown_30.vocab, brown_29.vocab], top_n=2000)
    x = np.asarray(brown_30.vectors, float)[shared.indices[0]]
    y = np.asarray(brown_29.vectors, float)[shared.indices[1]]
    x, y = x - x.mean(0), y - y.mean(0)
    cka = np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))
    assert view.statistic(Stat.CKA).observed == pytest.approx(cka, rel=1e-9)
    assert view.n_words == 2000
    md = render_markdown(view)
    assert "| linear CKA |" in md and "polyterm align brown_30 brown_29" in md


def test_universality_of_a_model_with_itself(lee_model: Embedding) -> None:
    view = universality_view(lee_model, lee_model, top_n=1000, repetitions=3)
    assert view.neighbourhood_jaccard.observed == pytest.approx(1.0)
    assert view.neighbourhood_jaccard.null_mean < 0.05
    assert all(p.jaccard == 1.0 for p in view.pairs)


def test_sweep_pairs_and_noise_floor(library: object, lee_model: Embedding) -> None:
    models = [library.open(s) for s in ("lee_20", "lee_10", "lee_20_s2", "lee_10_s2")]  # type: ignore[attr-defined]
    view = sweep_view(models, corpus="lee", settings=replace(COMPARISON, repetitions=3))
    relations = sorted((p.a, p.b, p.relation) for p in view.pairs)
    assert relations == [
        ("lee_10", "lee_10_s2", "seeds"),
        ("lee_20", "lee_10", "adjacent sizes"),
        ("lee_20", "lee_20_s2", "seeds"),
        ("lee_20_s2", "lee_10_s2", "adjacent sizes"),
    ]
    assert [r.dims for r in view.models] == [20, 20, 10, 10]
    assert view.readings() and "seeds" in view.readings()[0]
    assert "## Dimension sweep on lee" in render_markdown(view)


def test_align_cli_json(
    capsys: pytest.CaptureFixture[str], shared_cache_root: Path, lee_model: Embedding
) -> None:
    code = main(
        [
            "align",
            "lee_20",
            "lee_20_s2",
            "--repetitions",
            "3",
            "--format",
            "json",
            "--cache-dir",
            str(shared_cache_root),
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    names = [s["name"] for s in data["statistics"]]
    assert "linear CKA" in names and "SVCCA mean correlation" in names
    assert all(s["nulls"] for s in data["statistics"])


def test_report_has_every_section(lee_model: Embedding, library: object) -> None:
    other = library.open("lee_20_s2")  # type: ignore[attr-defined]
    text = build_report([lee_model, other], repetitions=3, restrict=1000)
    for heading in (
        "# Polysemantic universality",
        "## Single dimensions",
        "## Difference vectors",
        "## Model against model",
        "matching, alignment and similarity",
        "Universality of neighbourhoods",
        "Dimension sweep on lee",
        "## Summary",
    ):
        assert heading in text
    assert text.count("### Models") == 1


@pytest.mark.parametrize("constant_dimension", [False, True])
def test_fast_shuffle_null_equals_the_full_computation(
    lee_model: Embedding, constant_dimension: bool
) -> None:
    from polyterm.core.alignment_nulls import ShuffleStatistics, TopWordsOfB, basis_statistics
    from polyterm.core.procrustes import procrustes_align
    from polyterm.core.representational_similarity import linear_cka, svcca

    rng = np.random.default_rng(2)
    a = np.asarray(lee_model.vectors, dtype=np.float64)
    if constant_dimension:  # a dimension with no variance correlates with nothing
        a = np.hstack([a, np.full((a.shape[0], 1), 0.25)])
    b = a[:, :12] @ rng.normal(size=(12, 12)) + rng.normal(size=(a.shape[0], 12)) * 0.1
    fast = ShuffleStatistics(a, b, procrustes_align(a, b, k=10), 10, TopWordsOfB(b, 10))
    for _ in range(3):
        perm = rng.permutation(a.shape[0])
        got = fast.measure(perm)
        p = procrustes_align(a[perm], b, k=10)
        assert got["Procrustes relative residual"] == pytest.approx(p.relative_residual, rel=1e-9)
        assert got["aligned mean |r|"] == pytest.approx(p.mean_abs_aligned_r, rel=1e-9)
        assert got["aligned top-k Jaccard"] == pytest.approx(p.mean_topk_jaccard)
        assert got["linear CKA"] == pytest.approx(linear_cka(a[perm], b).cka, rel=1e-9)
        assert got["SVCCA mean correlation"] == pytest.approx(
            svcca(a[perm], b).mean_correlation, rel=1e-9
        )
        for name, value in basis_statistics(a[perm], b, 10).items():
            assert got[name] == pytest.approx(value, rel=1e-7, abs=1e-9), name


def test_fast_rotation_null_equals_the_full_computation(lee_model: Embedding) -> None:
    from polyterm.core.alignment_nulls import RotationStatistics, TopWordsOfB, basis_statistics

    rng = np.random.default_rng(4)
    a = np.asarray(lee_model.vectors, dtype=np.float64)
    b = a[:, :12] @ rng.normal(size=(12, 12)) + rng.normal(size=(a.shape[0], 12)) * 0.1
    fast = RotationStatistics(a, b, TopWordsOfB(b, 10))
    for _ in range(3):
        q = random_rotation(a.shape[1], rng)
        got = fast.measure(q)
        full = basis_statistics(a @ q, b, 10)
        for name, value in full.items():
            assert got[name] == pytest.approx(value, rel=1e-7, abs=1e-9), name


def test_coherence_in_a_reference_model(lee_model: Embedding, library: object) -> None:
    from polyterm.core.coherence import mean_pairwise_cosine
    from polyterm.core.embedding import unit_rows
    from polyterm.views.sweep import model_row

    reference = library.open("lee_20_s2")  # type: ignore[attr-defined]
    settings = replace(COMPARISON, k=10, top_n=0, repetitions=3, seed=0)
    row = model_row(lee_model, settings, reference)
    own = model_row(lee_model, settings)
    assert row.coherence != own.coherence
    # by hand: each dimension's top-10 words of lee_20, measured in lee_20_s2
    ref_unit = unit_rows(np.asarray(reference.vectors)).astype(np.float64)
    per_dim = []
    for d in range(lee_model.dims):
        top = np.argsort(-np.asarray(lee_model.vectors[:, d]), kind="stable")[:10]
        unit = ref_unit[[reference.row(lee_model.vocab[int(i)]) for i in top]]
        per_dim.append((unit @ unit.T)[np.triu_indices(10, 1)].mean())
        assert mean_pairwise_cosine(unit) == pytest.approx(per_dim[-1], rel=1e-6)
    assert row.coherence == pytest.approx(float(np.mean(per_dim)), rel=1e-6)
    view = sweep_view(
        [lee_model, reference], corpus="lee", settings=replace(COMPARISON, repetitions=3),
        reference=reference,
    )
    assert "--reference lee_20_s2" in view.command()
