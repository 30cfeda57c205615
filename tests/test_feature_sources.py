"""Feature sources (issue 20 §1): the Brown tag table, the log-odds formula, the cache, and
(slow) the real WordNet / Brown labels and their coverage of brown_30's vocabulary."""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from polyterm.engine import feature_sources as fs
from polyterm.engine.corpus import nltk_corpus_root
from polyterm.engine.feature_sources import (
    FEATURE_SOURCES,
    GENRE_Z,
    UNIVERSAL_CLASSES,
    BrownCounts,
    load_feature_source,
    log_odds_z,
    universal_tag,
)
from polyterm.errors import CorpusError, PolytermError

# -- the Brown tag → universal class table ------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("NN", "NOUN"), ("NNS", "NOUN"), ("NP", "NOUN"), ("NR", "NOUN"), ("PN", "NOUN"),
        ("VB", "VERB"), ("VBD", "VERB"), ("BEZ", "VERB"), ("HVD", "VERB"), ("MD", "VERB"),
        ("DO", "VERB"), ("JJ", "ADJ"), ("JJT", "ADJ"), ("OD", "ADJ"), ("AP", "ADJ"),
        ("RB", "ADV"), ("QL", "ADV"), ("WRB", "ADV"), ("*", "ADV"),
        ("PPS", "PRON"), ("PPSS", "PRON"), ("PP$", "PRON"), ("PP$$", "PRON"), ("WPS", "PRON"),
        ("WP$", "PRON"), ("AT", "DET"), ("DT", "DET"), ("WDT", "DET"), ("EX", "DET"),
        ("ABX", "DET"), ("ABN", "PRT"), ("ABL", "PRT"), ("AP$", "PRT"), ("IN", "ADP"),
        ("CS", "ADP"), ("CD", "NUM"), ("CC", "CONJ"), ("RP", "PRT"), ("TO", "PRT"),
        (".", "."), (",", "."), ("--", "."), ("``", "."), ("''", "."), ("(", "."),
        ("UH", "X"), ("NIL", "X"),
        # headline, title and cited-word markers, also stacked and cut short
        ("NN-TL", "NOUN"), ("NN-HL", "NOUN"), ("NN-TL-HL", "NOUN"), ("JJ-NC", "ADJ"),
        ("---HL", "."), ("*-HL", "ADV"), (".-HL", "."),
        # foreign words
        ("FW-NN", "X"), ("FW-IN+AT-TL", "X"), ("FW-IN+AT-T", "X"), ("FW-*", "X"),
        # negation and genitives
        ("MD*", "VERB"), ("DO*-HL", "VERB"), ("BEDZ*", "VERB"), ("NN$", "NOUN"),
        ("NP$-TL", "NOUN"), ("PN$", "NOUN"), ("CD$", "NUM"),
        # contractions: the first part's class
        ("PPSS+MD", "PRON"), ("PPS+BEZ", "PRON"), ("PPSS+BER-N", "PRON"),
        ("EX+BEZ", "DET"), ("VB+PPO", "VERB"), ("NP+BEZ-NC", "NOUN"),
        ("WDT+BER+PP", "DET"), ("TO+VB", "PRT"),
        # not a Brown tag
        ("ZZZ", "X"),
    ],
)  # fmt: skip
def test_brown_tags_map_to_their_universal_class(tag: str, expected: str) -> None:
    assert universal_tag(tag) == expected


def test_every_base_tag_has_a_universal_class() -> None:
    assert set(fs._BROWN_BASE.values()) == set(UNIVERSAL_CLASSES)
    for tag in fs._BROWN_BASE:
        assert universal_tag(tag) in UNIVERSAL_CLASSES
        assert universal_tag(tag + "-TL") == universal_tag(tag)


# -- the log-odds z with an informative Dirichlet prior -----------------------------------


def _z_direct(y: np.ndarray, w: int, i: int, alpha: np.ndarray) -> float:
    """Monroe, Colaresi & Quinn (2008), written out cell by cell."""
    a0 = float(alpha.sum())
    a = float(alpha[w])
    n_i = float(y[:, i].sum())
    n_j = float(y.sum()) - n_i
    y_i = float(y[w, i])
    y_j = float(y[w].sum()) - y_i
    omega_i = math.log((y_i + a) / (n_i + a0 - y_i - a))
    omega_j = math.log((y_j + a) / (n_j + a0 - y_j - a))
    return (omega_i - omega_j) / math.sqrt(1 / (y_i + a) + 1 / (y_j + a))


def test_log_odds_z_equals_the_formula_cell_by_cell() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 40, size=(12, 4)).astype(float)
    y[0] = [0, 0, 0, 30]  # a word of group 3 only
    z = log_odds_z(y)
    alpha = y.sum(axis=1)
    for w in range(12):
        for i in range(4):
            assert z[w, i] == pytest.approx(_z_direct(y, w, i, alpha), rel=1e-12)
    assert int(np.argmax(z[0])) == 3 and z[0, 3] > GENRE_Z
    flat = np.full(12, 5.0)  # another prior, given
    z2 = log_odds_z(y, flat)
    assert z2[4, 1] == pytest.approx(_z_direct(y, 4, 1, flat), rel=1e-12)


def test_a_word_spread_like_the_corpus_is_over_represented_nowhere() -> None:
    sizes = np.array([100.0, 300.0, 600.0])
    y = np.stack([sizes * 0.01, sizes * 0.2, sizes * 0.79])  # each word ∝ group sizes
    assert np.allclose(log_odds_z(y), 0.0, atol=1e-12)


def test_log_odds_z_is_zero_for_a_word_with_no_weight() -> None:
    y = np.array([[0.0, 0.0], [3.0, 1.0]])
    assert log_odds_z(y)[0].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        log_odds_z(np.ones(3))


def test_the_genre_threshold_is_bonferroni_over_fifteen_genres() -> None:
    from scipy.stats import norm

    assert norm.sf(GENRE_Z) == pytest.approx(0.05 / 15)
    assert abs(GENRE_Z - 2.713) < 1e-3


# -- sources on planted Brown counts (no NLTK reading) ------------------------------------


def _toy_counts() -> BrownCounts:
    words = ("dog", "run", "inning", "sermon", "the")
    genres = ("news", "religion")
    by_genre = np.array([[5, 5], [30, 30], [40, 0], [0, 40], [500, 500]], dtype=np.int64)
    by_class = np.zeros((5, len(UNIVERSAL_CLASSES)), dtype=np.int64)
    c = {k: i for i, k in enumerate(UNIVERSAL_CLASSES)}
    by_class[0, c["NOUN"]] = 10
    by_class[1, c["VERB"]], by_class[1, c["NOUN"]] = 35, 25
    by_class[2, c["NOUN"]] = 40
    by_class[3, c["NOUN"]] = 40
    by_class[4, c["DET"]] = 1000
    return BrownCounts(words, genres, by_genre, by_class)


@pytest.fixture
def toy_brown(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """`count_brown` returns planted counts; the list counts its calls."""
    if nltk_corpus_root("brown") is None:
        pytest.skip("the NLTK Brown corpus is not installed (set NLTK_DATA)")
    calls: list[int] = []

    def fake() -> BrownCounts:
        calls.append(1)
        return _toy_counts()

    monkeypatch.setattr(fs, "count_brown", fake)
    return calls


def test_pos_and_genre_follow_the_counts(toy_brown: list[int]) -> None:
    pos = load_feature_source("pos")
    assert pos.labels_of("run") == {"VERB"} and pos.labels_of("the") == {"DET"}
    assert pos.coverage(["dog", "run", "unknownword"]) == pytest.approx(2 / 3)
    genre = load_feature_source("genre")
    assert genre.labels_of("inning") == {"news"}
    assert genre.labels_of("sermon") == {"religion"}
    assert "dog" not in genre.labels and "the" not in genre.labels  # spread evenly
    assert genre.rule == fs.RULE_GENRE and "2.713" in genre.rule
    assert genre.senses is None and pos.source == "pos"


def test_a_table_is_built_once_then_read_from_the_cache(
    toy_brown: list[int], tmp_path: Path
) -> None:
    first = load_feature_source("pos", cache_root=tmp_path)
    second = load_feature_source("pos", cache_root=tmp_path)
    assert len(toy_brown) == 1  # the second call read the stored table
    assert dict(second.labels) == dict(first.labels)
    genre = load_feature_source("genre", cache_root=tmp_path)
    assert len(toy_brown) == 1  # the Brown counts are stored too
    assert genre.labels_of("inning") == {"news"}
    names = sorted(p.name for p in (tmp_path / "features").iterdir())
    assert [n.split("-r")[0] for n in names] == ["brown-counts", "genre", "pos"]
    assert not any(n.endswith(".tmp") for n in names)


def test_a_damaged_table_is_rebuilt_with_a_warning(toy_brown: list[int], tmp_path: Path) -> None:
    load_feature_source("pos", cache_root=tmp_path)
    (table,) = (tmp_path / "features").glob("pos-*.json")
    data = bytearray(table.read_bytes())
    data[-5] ^= 0x20  # one byte of the payload
    table.write_bytes(bytes(data))
    said: list[str] = []
    again = load_feature_source("pos", cache_root=tmp_path, warn=said.append)
    assert again.labels_of("run") == {"VERB"}
    assert len(said) == 1 and "damaged" in said[0] and "rebuilding" in said[0]
    assert "\n" not in said[0]
    header = json.loads(table.read_bytes().split(b"\n", 1)[0])
    assert header["table"] == "pos" and header["rules"] == fs.RULES
    said.clear()
    load_feature_source("pos", cache_root=tmp_path, warn=said.append)
    assert said == []  # rewritten whole


def test_a_truncated_or_foreign_table_is_rebuilt(toy_brown: list[int], tmp_path: Path) -> None:
    load_feature_source("genre", cache_root=tmp_path)
    (table,) = (tmp_path / "features").glob("genre-*.json")
    for damage in (table.read_bytes()[:100], b"", b'{"format": 1}\n{}', b"\xff\xfe\x00junk"):
        table.write_bytes(damage)
        said: list[str] = []
        assert load_feature_source("genre", cache_root=tmp_path, warn=said.append).labels_of(
            "sermon"
        ) == {"religion"}
        assert len(said) == 1 and "rebuilding" in said[0], damage


def test_a_link_in_the_cache_is_never_followed(toy_brown: list[int], tmp_path: Path) -> None:
    load_feature_source("pos", cache_root=tmp_path)
    (table,) = (tmp_path / "features").glob("pos-*.json")
    target = tmp_path / "elsewhere.json"
    target.write_bytes(table.read_bytes())
    table.unlink()
    table.symlink_to(target)
    said: list[str] = []
    assert load_feature_source("pos", cache_root=tmp_path, warn=said.append).labels_of("run") == {
        "VERB"
    }
    assert table.is_symlink() and any("left alone" in s for s in said)
    linked = tmp_path / "other"
    linked.mkdir()
    (linked / "features").symlink_to(tmp_path / "features")
    said.clear()
    load_feature_source("pos", cache_root=linked, warn=said.append)
    assert any("never follows links" in s for s in said)


def test_an_unwritable_cache_keeps_the_table_in_memory(
    toy_brown: list[int], tmp_path: Path
) -> None:
    (tmp_path / "features").write_text("not a folder")
    said: list[str] = []
    pos = load_feature_source("pos", cache_root=tmp_path, warn=said.append)
    assert pos.labels_of("dog") == {"NOUN"} and len(said) == 1
    assert (tmp_path / "features").read_text() == "not a folder"


def test_vocabulary_restricts_but_never_changes_labels(toy_brown: list[int]) -> None:
    full = load_feature_source("pos")
    some = load_feature_source("pos", vocabulary=["run", "Dog", "nosuchword"])
    assert set(some.labels) == {"run", "Dog"}  # "Dog" is looked up lowercased
    assert some.labels["run"] == full.labels["run"]
    assert some.labels["Dog"] == full.labels["dog"]


def test_an_unknown_source_is_a_one_line_error() -> None:
    with pytest.raises(PolytermError, match=r"unknown feature source 'colour'.*wordnet, pos"):
        load_feature_source("colour")
    with pytest.raises(PolytermError, match="file: needs a path"):
        load_feature_source("file:")


def test_missing_nltk_data_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fs, "_quick_root", lambda name: None)
    monkeypatch.setattr(fs, "nltk_corpus_root", lambda name: None)
    with pytest.raises(CorpusError) as err:
        load_feature_source("pos")
    msg = str(err.value)
    assert "python -m nltk.downloader brown" in msg and "--download" in msg and "\n" not in msg
    only_wordnet_missing = {"brown": Path("/x/brown.zip")}
    monkeypatch.setattr(fs, "_quick_root", only_wordnet_missing.get)
    with pytest.raises(CorpusError, match=r"python -m nltk\.downloader wordnet"):
        load_feature_source("wordnet")


def test_download_asks_nltk_only_when_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fs, "_quick_root", lambda name: None)
    monkeypatch.setattr(fs, "nltk_corpus_root", lambda name: None)
    asked: list[str] = []

    def offline(name: str) -> None:
        asked.append(name)
        raise CorpusError(f"could not download the NLTK corpus {name!r} (offline?)")

    monkeypatch.setattr(fs, "download_nltk_corpus", offline)
    with pytest.raises(CorpusError):
        load_feature_source("genre")
    assert asked == []
    with pytest.raises(CorpusError, match="could not download"):
        load_feature_source("genre", download=True)
    assert asked == ["brown"]


def test_a_user_file_is_a_source(tmp_path: Path) -> None:
    f = tmp_path / "mine.tsv"
    f.write_text("dog\tanimal\ndog\tpet\ncat\tanimal\n", encoding="utf-8")
    labels = load_feature_source(f"file:{f}")
    assert labels.source == "file:mine.tsv"
    assert labels.labels_of("dog") == {"animal", "pet"}
    assert labels.meta["words"] == "2" and labels.meta["labels"] == "2"
    assert set(load_feature_source(f"file:{f}", vocabulary=["cat", "Dog"]).labels) == {"cat"}


# -- real WordNet and Brown -----------------------------------------------------------------

needs_data = pytest.mark.skipif(
    nltk_corpus_root("brown") is None or nltk_corpus_root("wordnet") is None,
    reason="the NLTK brown and wordnet corpora are not installed (set NLTK_DATA)",
)


@pytest.fixture(scope="module")
def real_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("features-cache")


@pytest.mark.slow
@needs_data
def test_wordnet_supersenses_of_known_words(real_cache: Path) -> None:
    wn = load_feature_source("wordnet", cache_root=real_cache)
    assert wn.labels_of("dog") == {"noun.animal"}
    assert wn.labels_of("dogs") == {"noun.animal"}  # WordNet's morphy
    assert wn.labels_of("apple") == {"noun.food"}
    assert wn.labels_of("quickly") == {"adv.all"}
    assert "the" not in wn.labels  # WordNet has no determiners
    for function_word in ("in", "i", "a", "it"):  # indium, iodine, angstrom, ...: no label
        assert function_word not in wn.labels and function_word not in (wn.senses or {})
    assert wn.labels_of("two") == {"noun.quantity"}  # NUM falls back to any POS
    assert wn.senses is not None
    from nltk.corpus import wordnet

    assert wn.senses["dog"] == len(wordnet.synsets("dog")) == 8
    assert len(wn.all_labels()) == 45  # every lexicographer file
    # the Brown part of speech chooses the sense: "run" is mostly a verb in Brown
    assert wn.labels_of("run") == {wordnet.synsets("run", pos="v")[0].lexname()}
    assert wn.meta["wordnet"] == "3.0"


@pytest.mark.slow
@needs_data
def test_pos_is_the_dominant_brown_class(real_cache: Path) -> None:
    from nltk.corpus import brown

    tally: Counter[str] = Counter()
    for word, tag in brown.tagged_words():
        if word.lower() == "run":
            tally[tag.split("-")[0]] += 1
    verb = sum(n for t, n in tally.items() if t.startswith("VB"))
    noun = sum(n for t, n in tally.items() if t.startswith("NN"))
    pos = load_feature_source("pos", cache_root=real_cache)
    assert pos.labels_of("run") == {"VERB" if verb > noun else "NOUN"}
    known = {"the": "DET", "of": "ADP", "and": "CONJ", "he": "PRON", "not": "ADV",
             "dog": "NOUN", "said": "VERB", "big": "ADJ"}  # fmt: skip
    for word, cls in known.items():
        assert pos.labels_of(word) == {cls}, word


@pytest.mark.slow
@needs_data
def test_genre_log_odds_computed_directly_from_brown(real_cache: Path) -> None:
    """The z of a few words, counted here from `brown.words(categories=...)`."""
    from nltk.corpus import brown

    genres = brown.categories()
    rows: dict[str, list[float]] = {}
    sizes = []
    total: Counter[str] = Counter()
    for g in genres:
        tokens = [t.lower() for t in brown.words(categories=g) if fs._LETTER.search(t)]
        sizes.append(len(tokens))
        c = Counter(tokens)
        total.update(c)
        for w in ("baseball", "god", "league", "she", "dog"):
            rows.setdefault(w, []).append(float(c[w]))
    big_n = float(sum(sizes))
    genre = load_feature_source("genre", cache_root=real_cache)
    for w, counts in rows.items():
        a = float(total[w])
        z = []
        for i, n_i in enumerate(sizes):
            y_i, y_j, n_j = counts[i], a - counts[i], big_n - n_i
            delta = math.log((y_i + a) / (n_i + big_n - y_i - a)) - math.log(
                (y_j + a) / (n_j + big_n - y_j - a)
            )
            z.append(delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a)))
        best = int(np.argmax(z))
        expected = {genres[best]} if z[best] >= GENRE_Z else frozenset()
        assert genre.labels_of(w) == expected, (w, z[best])
    assert genre.labels_of("baseball") == {"news"}  # a sports word: news
    assert genre.labels_of("god") == {"religion"}


@pytest.mark.slow
@needs_data
def test_vocabulary_without_a_cache_gives_the_same_wordnet_labels(real_cache: Path) -> None:
    full = load_feature_source("wordnet", cache_root=real_cache)
    words = ["dog", "Bank", "running", "quickly", "zzzq", "the", "went"]
    some = load_feature_source("wordnet", vocabulary=words)
    for w in words:
        assert some.labels_of(w) == full.labels_of(w.lower()), w
        assert (some.senses or {}).get(w) == (full.senses or {}).get(w.lower()), w


@pytest.mark.slow
@needs_data
def test_coverage_of_brown_30s_vocabulary(real_cache: Path, brown_30: object) -> None:
    words = list(brown_30.vocab)  # type: ignore[attr-defined]
    top = words[:10_000]
    cover = {}
    for name in FEATURE_SOURCES:
        labels = load_feature_source(name, cache_root=real_cache, vocabulary=words)
        cover[name] = (labels.coverage(words), labels.coverage(top))
    assert cover["pos"] == (1.0, 1.0)  # every brown_30 word is a Brown word
    assert 0.85 < cover["wordnet"][0] < 1.0 and cover["wordnet"][1] > 0.85
    assert 0.05 < cover["genre"][0] < 0.3  # only significant over-representation


# -- the CLI options ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from polyterm.cli.feature_options import add_feature_options

    p = argparse.ArgumentParser(prog="polyterm features")
    add_feature_options(p)
    return p


def test_feature_options_parse_and_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    from polyterm.cli.feature_options import SOURCES, feature_source_name

    assert SOURCES == FEATURE_SOURCES
    p = _parser()
    assert p.parse_args([]).source == "wordnet" and p.parse_args([]).features is None
    assert p.parse_args(["--source", "genre"]).source == "genre"
    assert feature_source_name(p.parse_args(["--features", "my.tsv"])) == "file:my.tsv"
    assert feature_source_name(p.parse_args([])) == "wordnet"
    for argv in (
        ["--source", "wordnet", "--features", "x"],
        ["--features", "x", "--source", "pos"],
    ):
        with pytest.raises(SystemExit):
            p.parse_args(argv)
        assert "not allowed with argument" in capsys.readouterr().err
    for argv in (["--source", "colour"], ["--features", " "]):
        with pytest.raises(SystemExit):
            p.parse_args(argv)


def test_feature_labels_from_args(toy_brown: list[int], tmp_path: Path) -> None:
    from polyterm.cli.feature_options import feature_labels_from_args

    f = tmp_path / "mine.tsv"
    f.write_text("dog\tanimal\n", encoding="utf-8")
    p = _parser()
    mine = feature_labels_from_args(p.parse_args(["--features", str(f)]), None, False)
    assert mine.source == "file:mine.tsv" and mine.labels_of("dog") == {"animal"}
    pos = feature_labels_from_args(
        p.parse_args(["--source", "pos"]), tmp_path / "cache", False, vocabulary=["run"]
    )
    assert dict(pos.labels) == {"run": frozenset({"VERB"})}
    assert any((tmp_path / "cache" / "features").glob("pos-*.json"))


def test_a_stored_table_reads_back_words_with_several_labels() -> None:
    labels = {"dog": frozenset({"animal", "pet"}), "cat": frozenset({"animal"})}
    payload = json.loads(json.dumps(fs._labels_payload(labels, {})))
    assert fs._labels_of_payload(payload) == labels
    with pytest.raises(ValueError):
        fs._labels_of_payload({"groups": {"animal": ["dog", 3]}})


@pytest.mark.slow
def test_a_stored_table_opens_without_importing_nltk(toy_brown: list[int], tmp_path: Path) -> None:
    """Importing NLTK takes seconds: a second run reads its tables without it."""
    import subprocess
    import sys

    load_feature_source("pos", cache_root=tmp_path)
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from polyterm.engine.feature_sources import load_feature_source\n"
        f"labels = load_feature_source('pos', cache_root=Path({str(tmp_path)!r}))\n"
        "print(sorted(labels.labels_of('run')), 'nltk' in sys.modules, 'textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['VERB']", "False", "False"]
