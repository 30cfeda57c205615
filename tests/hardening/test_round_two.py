"""Hostile input, second round (issue 17 §2): each case a one-line message, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from polyterm.engine.cache import MANIFEST, ModelCache
from tests.hardening.conftest import Run

DEEP = "[" * 100_000 + "]" * 100_000


def _deep_entry(cache: Path, name: str = "evil") -> Path:
    ModelCache(cache)  # a polyterm cache (tagged)
    entry = cache / "models" / name
    entry.mkdir(parents=True)
    (entry / MANIFEST).write_text(DEEP)
    return entry


def test_a_deeply_nested_manifest_is_reported_and_skipped(cli, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    _deep_entry(tmp_cache)
    run: Run = cli("models", "--cache-dir", tmp_cache, "--format", "json")
    assert run.code == 0, run.err
    assert "internal error" not in run.err
    assert run.warnings() == [
        "polyterm: warning: cache entry evil: the manifest is nested too deeply to be one "
        "polyterm wrote: skipped"
    ]


def test_the_explorer_catalogue_skips_a_deeply_nested_manifest(tmp_cache: Path) -> None:
    from polyterm.explorer.catalogue import scan_catalogue

    _deep_entry(tmp_cache)
    catalogue = scan_catalogue(ModelCache(tmp_cache))  # was: RecursionError, an empty list
    assert all(m.name != "evil" for m in catalogue.cached)


@pytest.mark.slow
def test_a_deeply_nested_manifest_breaks_nothing_else(cli, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("train", "lee_2", "--cache-dir", tmp_cache, "-q").code == 0
    _deep_entry(tmp_cache)
    run = cli("models", "--cache-dir", tmp_cache, "--format", "json")
    assert run.code == 0 and '"lee_2"' in run.out
    assert cli("dims", "lee_2", "--cache-dir", tmp_cache, "--format", "json").code == 0
