"""All-but-the-top (Mu & Viswanath 2018) against a direct computation (issue 18, item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.embedding import Embedding
from polyterm.core.postprocess import all_but_the_top, remove_top, removed_top
from polyterm.views.model_summary import ModelSummary, cli_models


def test_mean_and_top_components_are_removed() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 6)) * np.array([9, 5, 1, 1, 1, 1]) + 3.0
    out = all_but_the_top(x, 2).astype(np.float64)
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred - centred @ vt[:2].T @ vt[:2]
    np.testing.assert_allclose(out, expected, atol=1e-4)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    # what is left has no variance along the removed directions
    assert float(np.abs(out @ vt[:2].T).max()) < 1e-3


def test_remove_top_keeps_the_name_and_marks_the_manifest() -> None:
    words = [f"w{i}" for i in range(50)]
    model = Embedding.from_arrays(
        "m", words, np.random.default_rng(1).standard_normal((50, 4)),
        manifest={"content_sha256": "a" * 64},
    )  # fmt: skip
    cut = remove_top(model, 1)
    assert cut.name == "m" and removed_top(cut) == 1 and removed_top(model) is None
    assert cut.manifest["content_sha256"] != "a" * 64  # its bases are stored apart
    assert cli_models([ModelSummary.of(cut)]).endswith("--remove-top 1")
    assert "top 1 principal components removed" in ModelSummary.of(cut).details
    with pytest.raises(ValueError, match="cannot remove the top 4"):
        remove_top(model, 4)
