"""All-but-the-top (Mu & Viswanath 2018): remove the mean and the top principal components.

Word vectors share a large common mean and a few dominant directions that mostly encode
word frequency; removing them ("post-processing") leaves the directions that carry
meaning. `all_but_the_top` subtracts the mean vector and projects out the top `n`
principal components (of all rows, as the paper does); `remove_top` returns the model
with those vectors under a name and a content key of its own, so its fitted bases are
stored apart from the model's.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from polyterm.core.embedding import Embedding

F64 = npt.NDArray[np.float64]


def all_but_the_top(vectors: npt.ArrayLike, n: int) -> npt.NDArray[np.float32]:
    """`vectors` minus their mean, with the top `n` principal directions projected out.

    ``n = 0`` removes the mean only. Raises ValueError when ``n`` is not below the
    dimension (nothing would be left).
    """
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a matrix, not of shape {x.shape}")
    if not 0 <= n < x.shape[1]:
        raise ValueError(
            f"cannot remove the top {n} components of {x.shape[1]}-dimensional vectors "
            f"(0 to {x.shape[1] - 1})"
        )
    centred = x - x.mean(axis=0)
    if n:
        # top principal directions from the d × d covariance (cheap for 400k rows)
        values, vecs = np.linalg.eigh(centred.T @ centred)
        top = vecs[:, np.argsort(values)[::-1][:n]]
        centred = centred - (centred @ top) @ top.T
    return np.ascontiguousarray(centred, dtype=np.float32)


def removed_top(model: Embedding) -> int | None:
    """The N of `remove_top` applied to `model` (None: not post-processed)."""
    value = model.manifest.get("remove_top")
    return int(value) if isinstance(value, int) else None


def remove_top(model: Embedding, n: int) -> Embedding:
    """`model` post-processed by `all_but_the_top(·, n)`, under its own name (so the CLI
    line that reproduces a view still opens it), its manifest marked ``remove_top: n``
    and given a content key of its own (its fitted bases are stored apart)."""
    vectors = all_but_the_top(model.vectors, n)
    manifest: dict[str, Any] = dict(model.manifest)
    manifest["remove_top"] = n
    sha = manifest.get("content_sha256")
    if isinstance(sha, str):
        manifest["content_sha256"] = hashlib.sha256(f"{sha}-remove-top-{n}".encode()).hexdigest()
    return replace(
        model,
        vectors=vectors,
        unit_vectors=None,
        extreme_rows=None,
        manifest=manifest,
        memo={},
    )
