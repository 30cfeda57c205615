"""Known-answer tests for polyterm.core.stability (Icasso on planted and Gaussian data)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from polyterm.core.stability import basis_stability, icasso_quality
from polyterm.errors import Cancelled


def test_icasso_quality_hand_example() -> None:
    # 3 runs × 2 components; component c of every run has |r| 0.9 with its counterparts
    # and 0.1 with everything else. Two clusters of 3: intra 0.9, extra 0.1 -> Iq 0.8.
    run_of = np.array([0, 0, 1, 1, 2, 2])
    comp = np.array([0, 1, 0, 1, 0, 1])
    s = np.where(comp[:, None] == comp[None, :], 0.9, 0.1)
    np.fill_diagonal(s, 1.0)
    q = icasso_quality(s, run_of)
    np.testing.assert_allclose(q.index, [0.8, 0.8])
    np.testing.assert_allclose(q.intra, [0.9, 0.9])
    np.testing.assert_allclose(q.extra, [0.1, 0.1])
    np.testing.assert_array_equal(q.cluster_size, [3, 3])
    np.testing.assert_array_equal(q.cluster_runs, [3, 3])
    assert q.cluster[0] != q.cluster[1]


def test_icasso_singleton_scores_minus_its_extra_similarity() -> None:
    # Run 0's component 1 has no counterpart (|r| 0.2 with everything): with 2 clusters
    # it is alone; its intra-cluster mean is 0, so Iq = -0.2 (Himberg et al.'s formula,
    # counting i = j, would give it about 0.8).
    s = np.array(
        [
            [1.0, 0.2, 0.95, 0.95],
            [0.2, 1.0, 0.2, 0.2],
            [0.95, 0.2, 1.0, 0.95],
            [0.95, 0.2, 0.95, 1.0],
        ]
    )
    q = icasso_quality(s, [0, 0, 1, 2])
    np.testing.assert_allclose(q.index, [0.95 - 0.2, -0.2])
    np.testing.assert_array_equal(q.cluster_size, [3, 1])


def test_planted_laplace_sources_are_stable() -> None:
    rng = np.random.default_rng(0)
    x = rng.laplace(size=(1000, 8)) @ rng.standard_normal((8, 8))
    result = basis_stability(x, "ica", runs=5, seed=2)
    assert result.seeds == (2, 3, 4, 5, 6)
    assert result.index.min() > 0.95
    assert result.n_stable == 8 and not result.unstable.any()
    np.testing.assert_array_equal(result.quality.cluster_runs, 5)


def test_gaussian_sources_are_unstable() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 8)) @ rng.standard_normal((8, 8))
    result = basis_stability(x, "ica", runs=5)
    assert result.mean_index < 0.6
    assert result.n_stable <= 1
    assert result.unstable.sum() >= 7


@pytest.mark.slow  # fits bases several times
def test_dictionary_atoms_of_a_planted_dictionary_are_stable() -> None:
    # 600 rows, each the sum of 2 of 10 unit atoms in 12 dims. Every atom is found in
    # every run (intra-cluster |r| ~ 1); codes of different atoms are weakly
    # anti-correlated (each row uses 2 of 10), so the extra-cluster mean is ~0.1.
    rng = np.random.default_rng(3)
    atoms = rng.standard_normal((10, 12))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    weights = np.zeros((600, 10))
    for i in range(600):
        weights[i, rng.choice(10, 2, replace=False)] = rng.uniform(1.0, 2.0, 2)
    x = weights @ atoms + 0.01 * rng.standard_normal((600, 12))
    result = basis_stability(x, "dict:10", runs=3)
    assert result.basis == "dict:10"
    assert result.quality.intra.min() > 0.95
    assert result.quality.extra.max() < 0.15
    assert result.index.min() > 0.8 and result.n_stable == 10
    np.testing.assert_array_equal(result.quality.cluster_runs, 3)


def test_arguments_and_cancel() -> None:
    x = np.random.default_rng(4).standard_normal((50, 3))
    with pytest.raises(ValueError):
        basis_stability(x, "pca")
    with pytest.raises(ValueError):
        basis_stability(x, "ica", runs=1)
    flag = threading.Event()
    flag.set()
    with pytest.raises(Cancelled):
        basis_stability(x, "ica", runs=2, cancel=flag)
