"""A null whose sd is below the statistic's precision is never a z (issue 18, item 4)."""

from __future__ import annotations

import numpy as np

from polyterm.core.alignment_nulls import Stat
from polyterm.core.embedding import Embedding
from polyterm.core.nulls import null_baseline, summarise_null
from polyterm.core.representational_similarity import linear_cka
from polyterm.views.alignment import alignment_view
from polyterm.views.protocol import DEGENERATE_NULL, null_text


def test_rounding_noise_null_is_degenerate_not_a_z() -> None:
    # the report's case: 0.776 ± 3e-11 printed as z -10.8
    null = summarise_null(0.7761923172, [0.7761923176 + 3e-11 * i for i in range(20)],
                          kind="rotation", seed=0)  # fmt: skip
    assert null.degenerate and null.z is None
    assert null_text(null) == DEGENERATE_NULL
    assert "z" not in null_text(null).replace("the statistic does not change", "")


def test_a_real_spread_keeps_its_z() -> None:
    null = summarise_null(0.5, [0.1, 0.2, 0.3], kind="shuffle", seed=0)
    assert not null.degenerate
    assert null.z is not None and abs(null.z - (0.5 - 0.2) / 0.1) < 1e-9
    assert null_text(null) == f"0.200 ± 0.100, z {(0.5 - 0.2) / 0.1:+.1f}"


def _whitened(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)) * rng.uniform(0.5, 3, d)
    x -= x.mean(axis=0)
    u, _, _ = np.linalg.svd(x, full_matrices=False)
    return np.asarray(u * np.sqrt(n), dtype=np.float64)


def test_standardised_cka_of_whitened_codes_does_not_change_under_rotation() -> None:
    """Whitened codes stay whitened under a rotation, so z-scoring does nothing and CKA
    (rotation invariant) cannot move: the rotation null of standardised CKA is degenerate."""
    a, b = _whitened(600, 8, 1), _whitened(600, 8, 2)
    b = 0.6 * a + 0.4 * b  # related, so the CKA is not trivially 0
    null = null_baseline(
        lambda x, y: linear_cka(x, y, standardise=True).cka, a, b, kind="rotation",
        repetitions=10,
    )  # fmt: skip
    assert null.degenerate and null.z is None
    words = [f"w{i}" for i in range(600)]
    ma = Embedding.from_arrays(name="A", words=words, vectors=a.astype(np.float32))
    mb = Embedding.from_arrays(name="B", words=words, vectors=b.astype(np.float32))
    view = alignment_view(ma, mb, k=5, top_n=None, repetitions=5)
    rot = view.statistic(Stat.CKA_STANDARDISED).null("rotation")
    assert rot is not None and rot.degenerate
    row = next(
        r for t in view.tables() if t.key == "statistics" for r in t.rows
        if r[0] == Stat.CKA_STANDARDISED
    )  # fmt: skip
    assert row[2] == DEGENERATE_NULL
    # mean matched |r| is a per-axis statistic: its rotation null has a spread and a z
    mm = view.statistic(Stat.MEAN_MATCHED_R).null("rotation")
    assert mm is not None and not mm.degenerate and mm.z is not None
