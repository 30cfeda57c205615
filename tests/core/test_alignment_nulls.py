"""Known answers for `polyterm.core.alignment_nulls` (planted matrices, no models)."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.alignment_nulls import (
    RotationStatistics,
    ShuffleStatistics,
    Stat,
    TopWordsOfB,
    basis_statistics,
    inverse_column_norms,
    matched_pairs,
)
from polyterm.core.matching import standardised_columns
from polyterm.core.nulls import random_rotation
from polyterm.core.procrustes import procrustes_align


def _planted(n: int = 400, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A and B = A with its columns permuted and two of them negated (the same axes)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_t(df=4, size=(n, d))
    perm = rng.permutation(d)
    b = a[:, perm].copy()
    b[:, [1, 4]] *= -1.0
    return a, b


def test_the_same_axes_permuted_and_negated_match_perfectly() -> None:
    a, b = _planted()
    stats = basis_statistics(a, b, 10)
    assert stats[Stat.MEAN_MATCHED_R] == pytest.approx(1.0, abs=1e-12)
    assert stats[Stat.MATCHED_JACCARD] == pytest.approx(1.0)
    assert stats[Stat.CKA_STANDARDISED] == pytest.approx(1.0, abs=1e-12)


def test_independent_axes_match_at_chance() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2000, 6)), rng.normal(size=(2000, 6))
    stats = basis_statistics(a, b, 10)
    # |r| of independent columns over 2,000 rows is about 0.02; the best of 6 per axis < 0.1
    assert stats[Stat.MEAN_MATCHED_R] < 0.1
    assert stats[Stat.MATCHED_JACCARD] < 0.1


def test_matched_pairs_is_the_assignment_on_absolute_r() -> None:
    r = np.array([[0.1, -0.9, 0.2], [0.8, 0.1, 0.0], [0.3, 0.2, -0.7]])
    rows, cols, pair_r = matched_pairs(r)
    assert rows.tolist() == [0, 1, 2]
    assert cols.tolist() == [1, 0, 2]
    assert pair_r.tolist() == [-0.9, 0.8, -0.7]


def test_the_identity_rotation_and_the_identity_shuffle_give_the_observed_values() -> None:
    a, b = _planted(seed=3)
    b = b + np.random.default_rng(5).normal(size=b.shape) * 0.5  # not a perfect match
    top_b = TopWordsOfB(b, 10)
    observed = basis_statistics(a, b, 10)
    rotated = RotationStatistics(a, b, top_b).measure(np.eye(a.shape[1]))
    shuffled = ShuffleStatistics(a, b, procrustes_align(a, b, k=10), 10, top_b).measure(
        np.arange(a.shape[0], dtype=np.int64)
    )
    for name, value in observed.items():
        assert rotated[name] == pytest.approx(value, rel=1e-9), name
        assert shuffled[name] == pytest.approx(value, rel=1e-9), name


def test_a_random_rotation_destroys_the_planted_axes_but_not_the_cka_of_raw_a() -> None:
    a, b = _planted(seed=7)
    rotations = RotationStatistics(a, b, TopWordsOfB(b, 10))
    got = rotations.measure(random_rotation(a.shape[1], np.random.default_rng(2)))
    assert got[Stat.MEAN_MATCHED_R] < 0.9  # the axes no longer line up one to one
    full = basis_statistics(a @ random_rotation(a.shape[1], np.random.default_rng(2)), b, 10)
    assert got[Stat.MEAN_MATCHED_R] == pytest.approx(full[Stat.MEAN_MATCHED_R], rel=1e-9)


def test_a_shuffle_of_the_words_breaks_every_statistic() -> None:
    a, b = _planted(seed=9)
    shuffled = ShuffleStatistics(a, b, procrustes_align(a, b, k=10), 10, TopWordsOfB(b, 10))
    got = shuffled.measure(np.random.default_rng(0).permutation(a.shape[0]))
    assert got[Stat.CKA] < 0.05
    assert got[Stat.MEAN_MATCHED_R] < 0.2
    assert got[Stat.ALIGNED_MEAN_R] < 0.2


def test_inverse_column_norms_are_zero_for_a_constant_column() -> None:
    x = np.array([[1.0, 2.0, 5.0], [3.0, 2.0, 5.0], [5.0, 2.0, 5.0]])
    centred = x - x.mean(axis=0)
    out = inverse_column_norms(centred, standardised_columns(x))
    assert out[0] == pytest.approx(1.0 / np.sqrt(8.0))
    assert out[1] == 0.0 and out[2] == 0.0
