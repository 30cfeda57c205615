"""FeaturesView and GroupingsView: tables equal to the core, readings never stronger than
their tables, and the features/groupings commands (planted labels; no NLTK data)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pytest

from polyterm.cli import main
from polyterm.core.embedding import Embedding
from polyterm.core.enrichment import LabelMatrix, enrichment
from polyterm.core.nulls import summarise_null
from polyterm.views.markdown import render_markdown
from polyterm.views.polysemanticity import (
    StatisticWithNulls,
    features_readings,
    features_view,
    groupings_readings,
    groupings_view,
)
from polyterm.views.protocol import plain
from polyterm.views.serialise import to_plain
from tests.core.test_enrichment import planted


@pytest.fixture(scope="module")
def planted_model() -> tuple[Embedding, object]:
    codes, words, labels = planted()
    return Embedding.from_arrays("planted", words, codes), labels


def test_features_view_shows_the_planted_meanings(planted_model) -> None:
    model, labels = planted_model
    view = features_view(model, labels, k=50, draws=5)
    ends = {(e.axis, e.side): e for e in view.ends}
    assert {f.feature for f in ends[0, "top"].enriched} == {"noun.animal", "noun.food"}
    assert [f.count for f in ends[0, "top"].enriched] in ([25, 25],)
    assert ends[0, "top"].polysemantic and not ends[1, "top"].polysemantic
    # the words listed for a feature are the end's words carrying it
    animal = next(f for f in ends[0, "top"].enriched if f.feature == "noun.animal")
    assert all("noun.animal" in labels.labels[w] for w in animal.words)
    assert len(animal.words) == 25
    # the table's numbers are the core's
    lm = LabelMatrix.of(list(model.vocab), labels)
    core = enrichment(np.asarray(model.vectors[lm.rows], dtype=np.float64), lm, k=50)
    e = core.end_of(0, 0)
    f = lm.features.index("noun.animal")
    assert animal.p == pytest.approx(core.p[e, f]) and animal.q == pytest.approx(core.q[e, f])
    # the secondary column is the plain hypergeometric test, ignoring frequency
    from scipy import stats

    plain_p = stats.hypergeom.sf(24, len(lm), int(lm.member[:, f].sum()), 50)
    assert animal.p_plain == pytest.approx(plain_p, rel=1e-9)
    features_table = next(t for t in view.tables() if t.key == "features")
    column = features_table.columns.index("p, ignoring frequency")
    row = next(r for r in features_table.rows if plain(r[2]) == "noun.animal")
    assert float(plain(row[column])) == pytest.approx(plain_p, rel=1e-2)
    assert view.statistic("polysemantic_share").observed == pytest.approx(core.polysemantic_share())
    ends_table = next(t for t in view.tables() if t.key == "ends")
    first = [plain(c) for c in ends_table.rows[0]]
    assert first[0] == "0" and first[1] == "top" and "noun.animal (25)" in first[4]
    data = to_plain(view)
    top0 = next(x for x in data["ends"] if x["axis"] == 0 and x["side"] == "top")
    assert {x["feature"] for x in top0["enriched"]} == {"noun.animal", "noun.food"}
    assert {"count", "p", "q", "words"} <= set(top0["enriched"][0])
    assert "Enriched features of each end" in render_markdown(view)
    # a null equal in every draw shows its value, not a bare dash
    summary = next(t for t in view.tables() if t.key == "summary")
    cells = next(r for r in summary.rows if "cells" in plain(r[0]))
    assert view.statistic("enriched_cells").shuffle.degenerate
    assert plain(cells[3]) == "0.000 in all 5 draws (no spread: no z)"
    assert view.table("ends") == ends_table and view.to_dict()["source"] == "test"


def test_one_axis_readings_follow_the_rule(planted_model) -> None:
    model, labels = planted_model
    view = features_view(model, labels, k=50, dim=1, draws=3)
    assert [e.axis for e in view.ends] == [1, 1]
    top, bottom = view.readings()
    assert "one enriched meaning: noun.artifact" in top and "mixes" not in top
    assert "no " in bottom and "mixes" not in bottom
    assert view.command().endswith("--dim 1")


def _with_share(view, observed: float, null: list[float]):
    s = summarise_null(observed, null, kind="rotation", seed=0)
    t = summarise_null(observed, [0.0, 0.0, 0.0], kind="shuffle", seed=0)
    stats = tuple(
        StatisticWithNulls(x.name, s, t) if x.name == "polysemantic_share" else x
        for x in view.statistics
    )
    return dataclasses.replace(view, statistics=stats)


def test_a_reading_never_claims_more_than_its_null_allows(planted_model) -> None:
    model, labels = planted_model
    view = features_view(model, labels, k=50, draws=3)
    # counter-example: the share is inside its random-direction null (z ~ 0.5)
    inside = _with_share(view, 0.21, [0.1, 0.3, 0.2, 0.2])
    text = features_readings(inside)[0]
    assert "no different from random directions" in text
    assert "more than" not in text and "less than" not in text
    above = _with_share(view, 0.9, [0.1, 0.12, 0.11, 0.1])
    assert "more than random directions" in features_readings(above)[0]


def test_groupings_of_a_model_and_itself_and_a_null_counter_example(planted_model) -> None:
    model, labels = planted_model
    other = Embedding.from_arrays("copy", list(model.vocab), np.asarray(model.vectors))
    view = groupings_view([model, other], labels, k=50, draws=5)
    (pair,) = view.pairs
    (shared,) = pair.shared
    assert shared.features == ("noun.animal", "noun.food")
    assert [(e.axis, e.side) for e in shared.ends_a] == [(0, "top")]
    assert [(e.axis, e.side) for e in shared.ends_b] == [(0, "top")]
    assert pair.jaccard.observed == 1.0
    shared_table = next(t for t in view.tables() if t.key == "shared")
    assert "noun.animal + noun.food" in plain(shared_table.rows[0][0])
    # a Jaccard at its null must not be read as shared beyond chance, nor as meaning-driven
    at_null = summarise_null(0.5, [0.4, 0.6, 0.5, 0.5], kind="rotation", seed=0)
    weak = dataclasses.replace(
        pair, jaccard=StatisticWithNulls("jaccard", at_null, pair.jaccard.shuffle)
    )
    lines = groupings_readings(dataclasses.replace(view, pairs=(weak,)))
    assert "no different from A in random directions" in lines[0]
    assert "depends on meaning" not in lines[0]
    assert not any(line.startswith("For example") for line in lines)


def test_a_pair_of_groupings_does_not_depend_on_the_other_models(planted_model) -> None:
    """Each pair is scored over its own shared words: adding a third model that lacks half
    the vocabulary (among them most of the planted animals) changes nothing for the pair."""
    model, labels = planted_model
    words = list(model.vocab)
    rng = np.random.default_rng(3)
    vectors = np.asarray(model.vectors)
    other = Embedding.from_arrays(
        "other", words, vectors + 0.3 * rng.standard_normal(vectors.shape)
    )
    keep = [i for i in range(len(words)) if i % 2 == 0 or labels.labels[words[i]] == {"noun.food"}]
    partial = Embedding.from_arrays("partial", [words[i] for i in keep], vectors[keep])
    two = groupings_view([model, other], labels, k=50, draws=4)
    three = groupings_view([model, other, partial], labels, k=50, draws=4)
    assert three.words < two.words  # the run's common vocabulary shrank ...
    a, b = two.pairs[0], three.pairs[0]
    assert (b.a, b.b) == (a.a, a.b)
    assert (b.words, b.labelled) == (a.words, a.labelled) == (len(words), len(words))
    assert (b.groupings_a, b.groupings_b, len(b.shared)) == (a.groupings_a, a.groupings_b,
                                                             len(a.shared))  # fmt: skip
    for name in ("jaccard", "matched_overlap"):
        sa, sb = getattr(a, name), getattr(b, name)
        assert sb.observed == sa.observed
        assert sb.rotation.null_mean == pytest.approx(sa.rotation.null_mean)
        assert sb.shuffle.null_mean == pytest.approx(sa.shuffle.null_mean)
    # ... and the pair with the partial model is scored over the words both have
    assert three.pairs[1].words == len(keep)


def _vector_file(path: Path, model: Embedding) -> Path:
    lines = [f"{len(model)} {model.dims}"]
    lines += [
        w + " " + " ".join(f"{v:.5f}" for v in row)
        for w, row in zip(model.vocab, model.vectors, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_features_and_groupings_commands(
    planted_model, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    model, labels = planted_model
    import polyterm.cli.features_command as fc

    monkeypatch.setattr(fc, "labels_for", lambda *_a, **_k: labels)
    a = _vector_file(tmp_path / "a.txt", model)
    code = main(["features", str(a), "--format", "json", "--repetitions", "3", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    top0 = next(x for x in data["ends"] if x["axis"] == 0 and x["side"] == "top")
    assert sorted(x["feature"] for x in top0["enriched"]) == ["noun.animal", "noun.food"]
    assert data["command"].startswith("polyterm features")
    code = main(["groupings", str(a), str(a), "--repetitions", "3", "--format", "markdown",
                 "--quiet"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "noun.animal + noun.food" in out
    code = main(["features", str(a), "--dim", "99", "--quiet"])
    _out, err = capsys.readouterr()
    assert code == 2 and "not 99" in err and "Traceback" not in err


@pytest.mark.slow
def test_features_and_groupings_of_real_models(
    brown_30: Embedding,
    brown_29: Embedding,
    shared_cache_root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """brown_30 and brown_29 in the ica basis with WordNet supersenses: the JSON's numbers
    are the core's on the same words, shuffled labels enrich about nothing, and groupings
    runs on the same models."""
    from polyterm.engine.bases import BasisRequest, BasisStore
    from polyterm.engine.cache import ModelCache
    from polyterm.engine.feature_sources import load_feature_source
    from polyterm.views.alignment import in_basis

    if not (Path(os.environ.get("NLTK_DATA", "")) / "corpora" / "wordnet.zip").exists():
        pytest.skip("WordNet is not installed (set NLTK_DATA)")
    cache = ["--cache-dir", str(shared_cache_root), "--quiet"]
    code = main(["features", "brown_30", "--basis", "ica", "--format", "json", *cache])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == "wordnet" and len(data["ends"]) == 2 * brown_30.dims
    coded = in_basis(BasisStore(ModelCache(shared_cache_root)), brown_30, BasisRequest.of("ica"))
    words = [brown_30.vocab[i] for i in range(10_000)]
    labels = load_feature_source("wordnet", cache_root=shared_cache_root, vocabulary=words)
    lm = LabelMatrix.of(words, labels)
    assert data["labelled"] == len(lm)
    core = enrichment(np.asarray(coded.vectors[lm.rows], dtype=np.float64), lm, k=50)
    for end in data["ends"]:
        e = core.end_of(end["axis"], 0 if end["side"] == "top" else 1)
        assert end["meaning_count"] == int(core.meaning_count[e])
        assert tuple(end["words"][:10]) == tuple(lm.words[int(r)] for r in core.ends.rows[e, :10])
        for f in end["enriched"]:
            j = lm.features.index(f["feature"])
            assert f["count"] == int(core.counts[e, j])
            assert f["q"] == pytest.approx(float(core.q[e, j]), rel=1e-6)
    stats = {s["name"]: s for s in data["statistics"]}
    assert stats["enriched_cells"]["shuffle"]["null_mean"] <= 3
    code = main(["groupings", "brown_30", "brown_29", "--basis", "ica", "--repetitions", "3",
                 "--format", "json", *cache])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    (pair,) = json.loads(out)["pairs"]
    assert pair["groupings_a"] >= len(pair["shared"])


def test_meaning_curve_claims_no_trend_without_a_seed_floor(planted_model) -> None:
    from polyterm.views.meaning_curve import meaning_curve_view

    model, labels = planted_model
    small = Embedding.from_arrays("planted_5", list(model.vocab), np.asarray(model.vectors)[:, :5])
    view = meaning_curve_view([small, model], labels, draws=3)
    assert [p.dims for p in view.points] == [10, 5]  # largest first
    direct = features_view(small, labels, draws=3)
    assert view.points[1].share == direct.statistic("polysemantic_share").observed
    (reading,) = view.readings()
    assert "no seed floor" in reading and "does not change in one direction" in reading
    assert "grows" not in reading and "falls" not in reading
    assert next(t for t in view.tables() if t.key == "curve").rows


def test_following_an_axis_down_a_truncated_copy(planted_model) -> None:
    from polyterm.errors import PolytermError
    from polyterm.views.follow import follow_view

    model, labels = planted_model
    vectors = np.asarray(model.vectors)
    small = Embedding.from_arrays("planted_5", list(model.vocab), -vectors[:, :5])
    view = follow_view([small, model], "planted:0", labels=labels, repetitions=400)
    first, second = view.steps
    assert (first.model, first.axis, first.side) == ("planted", 0, "top")
    assert set(first.features) == {"noun.animal", "noun.food"}
    # the copy's axis 0 is the same axis negated: followed to its bottom end, r = -1
    assert (second.model, second.axis, second.side) == ("planted_5", 0, "bottom")
    assert second.r == pytest.approx(-1.0) and second.above_chance
    assert set(second.features) == {"noun.animal", "noun.food"}
    assert second.merges == ()
    with pytest.raises(PolytermError, match="MODEL:AXIS"):
        follow_view([small, model], "planted", labels=labels)


def test_the_reproduce_line_names_a_label_file_by_its_path() -> None:
    from polyterm.core.features import FeatureLabels
    from polyterm.views.polysemanticity import source_option

    file_labels = FeatureLabels(
        "file:my labels.tsv", "rule", {"a": frozenset({"x"})}, meta={"file": "/d/my labels.tsv"}
    )
    assert source_option(file_labels) == "--features '/d/my labels.tsv'"
    assert source_option(FeatureLabels("pos", "rule", {})) == "--source pos"


def test_the_report_section_states_the_numbers_beside_their_nulls(
    planted_model, monkeypatch
) -> None:
    import polyterm.views.polysemanticity_report as section_module

    model, labels = planted_model
    other = Embedding.from_arrays("copy", list(model.vocab), np.asarray(model.vectors))
    monkeypatch.setattr(section_module, "_load", lambda *_a, **_k: labels)
    section = section_module.polysemantic_section([model, other], repetitions=3)
    text = section.markdown
    assert text.startswith("## Polysemantic groupings")
    view = features_view(model, labels, draws=3)
    share = view.statistic("polysemantic_share")
    assert f"{share.observed:.0%} of 20 ends polysemantic" in text
    assert f"({share.rotation.null_mean:.3f} ± {share.rotation.null_sd:.3f}" in text
    assert "noun.animal + noun.food" in text  # the shared grouping's table
    assert section.readings and all(isinstance(r, str) for r in section.readings)


def test_the_report_section_says_when_the_source_is_missing(planted_model, monkeypatch) -> None:
    import polyterm.views.polysemanticity_report as section_module
    from polyterm.errors import PolytermError

    def missing(*_a: object, **_k: object) -> None:
        raise PolytermError("the NLTK wordnet corpus is not installed")

    model, _labels = planted_model
    monkeypatch.setattr(section_module, "_load", missing)
    section = section_module.polysemantic_section([model])
    assert "not available here" in section.markdown and section.readings == ()


def test_the_report_trend_is_not_claimed_within_the_nulls_spread(planted_model) -> None:
    from polyterm.views.polysemanticity_report import _trend

    model, labels = planted_model
    base = features_view(model, labels, draws=3)

    def sized(dims: int, share: float, sd: float):
        rot = summarise_null(share, [0.2 - sd, 0.2, 0.2 + sd], kind="rotation", seed=0)
        stats = tuple(
            StatisticWithNulls(s.name, rot, s.shuffle) if s.name == "polysemantic_share" else s
            for s in base.statistics
        )
        summary = dataclasses.replace(base.model, kind="word2vec", dims=dims)
        return dataclasses.replace(base, model=summary, statistics=stats)

    # monotone, but every step far inside the random-direction spread (sd 0.1)
    weak = _trend([sized(30, 0.20, 0.1), sized(29, 0.22, 0.1), sized(10, 0.25, 0.1)])
    assert "does not change with size" in weak and "grows" not in weak
    strong = _trend([sized(30, 0.20, 0.01), sized(29, 0.40, 0.01), sized(10, 0.60, 0.01)])
    assert "grows at every step" in strong and "no seed floor" in strong


def test_two_axes_merging_into_one_are_marked_with_their_features(planted_model) -> None:
    """A planted superposition: axis 0 (animals) and axis 2 (foods) of an 80-dimensional
    model become one axis, (a0 + a2)/√2, of a 5-dimensional one."""
    from polyterm.views.follow import follow_view

    model, labels = planted_model
    words = list(model.vocab)
    rng = np.random.default_rng(1)
    animals = [i for i, w in enumerate(words) if labels.labels[w] == {"noun.animal"}][:50]
    foods = [i for i, w in enumerate(words) if labels.labels[w] == {"noun.food"}][:50]
    big = rng.standard_normal((len(words), 80))
    big[animals, 0] = 6 + rng.random(50)
    big[foods, 2] = 6 + rng.random(50)
    small = np.column_stack([(big[:, 0] + big[:, 2]) / np.sqrt(2), big[:, [1, 3, 4, 5]]])
    view = follow_view(
        [Embedding.from_arrays("big", words, big), Embedding.from_arrays("small", words, small)],
        "big:0",
        labels=labels,
        repetitions=400,
    )
    first, second = view.steps
    assert first.features == ("noun.animal",)
    assert second.axis == 0 and second.above_chance
    assert set(second.features) == {"noun.animal", "noun.food"}
    (merge,) = second.merges
    assert merge.axis == 2 and merge.features == ("noun.food",)
    assert set(merge.together) == {"noun.animal", "noun.food"}
    assert view.readings() == (
        "big 0 and 2 merge into small 0, which carries features of both (noun.animal, noun.food).",
    )


def test_a_small_null_spread_is_never_printed_as_zero() -> None:
    """brown_300's ICA share null (mean ≈ 0.0001, sd ≈ 0.0004, z +26.6) printed to 3
    decimals read "0.000 ± 0.000, z +26.6"."""
    from polyterm.views.meaning_curve import _mean_sd

    assert _mean_sd(0.00037, 0.00035) == "0.00037 ± 0.00035"
    assert _mean_sd(0.077, 0.037) == "0.077 ± 0.037"


def test_the_report_section_compares_a_shared_seed_pair_across_seeds(
    planted_model, monkeypatch
) -> None:
    """A pair that shares a seed is also compared with B at another seed (the seed floor):
    the across-seed row is groupings_view of A and the partner, computed directly."""
    import polyterm.views.polysemanticity_report as section_module
    from polyterm.views.polysemanticity import groupings_view

    model, labels = planted_model
    other = Embedding.from_arrays("copy", list(model.vocab), np.asarray(model.vectors))
    rng = np.random.default_rng(3)
    noise = Embedding.from_arrays(
        "copy_s2", list(model.vocab), rng.standard_normal(np.asarray(model.vectors).shape)
    )
    monkeypatch.setattr(section_module, "_load", lambda *_a, **_k: labels)
    asked: list[tuple[str, str]] = []

    def partner(a: Embedding, b: Embedding) -> Embedding | None:
        asked.append((a.name, b.name))
        return noise if (a.name, b.name) == (model.name, "copy") else None

    section = section_module.polysemantic_section(
        [model, other], repetitions=3, seed_partner=partner
    )
    assert asked == [(model.name, "copy")]
    text = section.markdown
    assert "the same, across seeds (seed floor)" in text
    across = groupings_view([model, noise], labels, bases=[model, noise], draws=3)
    row = across.pairs[0]
    cells = (model.name, "copy_s2", row.groupings_a, row.groupings_b, len(row.shared))
    assert "| " + " | ".join(map(str, cells)) + " |" in text
    same = groupings_view([model, other], labels, bases=[model, other], draws=3).pairs[0]
    assert len(same.shared) > len(row.shared)  # the planted pair shares; noise does not
    assert any(r.startswith("Across seeds: ") for r in section.readings)
    # without a partner rule, no across-seed table
    plain = section_module.polysemantic_section([model, other], repetitions=3)
    assert "across seeds" not in plain.markdown
