"""The rotated-basis null of coherence (issue 12, item 6): known answers.

A model whose words cluster along the coordinate axes has coherent *axes*: each axis's
top words are one cluster, while a random direction's top words mix clusters. An
isotropic Gaussian model has no privileged directions: its axes are random directions,
so its coherence sits inside its rotated null.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.coherence import basis_coherence, mean_pairwise_cosine
from polyterm.core.nulls import random_rotation

F64 = npt.NDArray[np.float64]


def _planted_axes(n: int = 2000, d: int = 12, noise: float = 1.0, seed: int = 0) -> F64:
    """Each word belongs to one axis: a positive coordinate there plus isotropic noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, d, n)
    x = rng.standard_normal((n, d)) * noise
    x[np.arange(n), labels] += np.abs(rng.standard_normal(n)) * 2 + 1
    return x


def test_axes_of_a_planted_model_beat_random_directions() -> None:
    x = _planted_axes()
    result = basis_coherence(x, 10, repetitions=20, seed=0)
    assert result.mean.z is not None and result.mean.z > 4
    assert result.beats_random_directions
    assert result.mean.observed > result.mean.null_mean + 0.2
    # more axes pass z > 2 than a random basis gives
    assert result.coherent_dims >= 3 > result.null_coherent_dims


def test_planted_axes_rotated_away_lose_their_advantage() -> None:
    """The same planted model in a random basis is just another random basis."""
    x = _planted_axes() @ random_rotation(12, np.random.default_rng(7))
    result = basis_coherence(x, 10, repetitions=20, seed=0)
    assert result.mean.z is not None and abs(result.mean.z) < 2
    assert not result.beats_random_directions


def test_isotropic_gaussian_axes_are_random_directions() -> None:
    zs = []
    for s in range(10):
        g = np.random.default_rng(100 + s).standard_normal((2000, 12))
        result = basis_coherence(g, 10, repetitions=20, seed=s)
        assert result.mean.z is not None
        zs.append(result.mean.z)
    # an isotropic model's axes are one more draw from the null: z is about N(0, 1)
    assert sum(abs(z) <= 2 for z in zs) >= 9
    assert abs(float(np.mean(zs))) < 1


def test_observed_and_null_values_match_direct_computation() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((300, 5))
    k = 6
    result = basis_coherence(x, k, repetitions=3, seed=11)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    for j in range(5):
        top = np.argsort(-x[:, j])[:k]
        assert result.per_dim[j] == pytest.approx(mean_pairwise_cosine(unit[top]))
    gen = np.random.default_rng(11)
    for rep in range(3):
        xr = x @ random_rotation(5, gen)
        for j in range(5):
            top = np.argsort(-xr[:, j])[:k]
            assert result.null_per_dim[rep, j] == pytest.approx(mean_pairwise_cosine(unit[top]))
    assert result.mean.observed == pytest.approx(float(result.per_dim.mean()))
    assert result.mean.null_mean == pytest.approx(float(result.null_per_dim.mean()))
    assert result.mean.kind == "rotation"
    assert result.mean.repetitions == 3


def test_a_judge_and_row_map_measure_in_the_reference() -> None:
    """Top words chosen in x, cosines taken in the judge at the mapped rows."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((50, 3))
    judge = rng.standard_normal((80, 4))
    rows = rng.permutation(80)[:50]
    result = basis_coherence(x, 4, judge=judge, rows=rows, repetitions=2, seed=0)
    unit = judge / np.linalg.norm(judge, axis=1, keepdims=True)
    top = np.argsort(-x[:, 1])[:4]
    assert result.per_dim[1] == pytest.approx(mean_pairwise_cosine(unit[rows[top]]))


def test_rank_z_of_an_axis_above_every_random_direction_is_the_largest_rank() -> None:
    """Coherence is bounded by 1: the z is a rank, finite, at most the pool allows."""
    from scipy.special import ndtri

    result = basis_coherence(_planted_axes(noise=0.3), 10, repetitions=20, seed=0)
    pool = result.null_per_dim.size
    top = float(ndtri((pool + 0.5) / (pool + 1)))
    assert np.all(np.isfinite(result.dim_z))
    assert float(result.dim_z.max()) <= top + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 1}, "k must be between 2"),
        ({"k": 11}, "k must be between 2"),
        ({"k": 3, "repetitions": 1}, "repetitions must be >= 2"),
        ({"k": 3, "rows": [0, 1]}, "rows must give"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    x = np.random.default_rng(0).standard_normal((10, 3))
    with pytest.raises(ValueError, match=message):
        basis_coherence(x, **kwargs)  # type: ignore[arg-type]
