"""The same spec trained in two separate processes gives identical bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # trains three models, each in its own process

SCRIPT = """
import sys
from pathlib import Path
from polyterm.engine.cache import ModelCache
from polyterm.engine.models import ModelLibrary
m = ModelLibrary(ModelCache(Path(sys.argv[1]))).open(sys.argv[2])
sys.stdout.write(str(m.vectors.shape))
"""


def train_in_subprocess(root: Path, spec: str, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(root), spec], check=True, env=env, capture_output=True
    )
    (entry,) = (root / "models").iterdir()
    return (entry / "vectors.npy").read_bytes() + (entry / "vocab.txt").read_bytes()


def test_identical_bytes_across_processes(tmp_path: Path) -> None:
    a = train_in_subprocess(tmp_path / "a", "lee_16_s3", "1")
    b = train_in_subprocess(tmp_path / "b", "lee_16_s3", "2")
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    c = train_in_subprocess(tmp_path / "c", "lee_16_s4", "1")
    assert a != c
