"""Tests for polyterm.core.nulls."""

from __future__ import annotations

import json
import statistics

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.matching import match_dimensions
from polyterm.core.nulls import (
    null_baseline,
    null_z,
    random_rotation,
    single_model_null,
    summarise_null,
)
from polyterm.core.representational_similarity import linear_cka

F64 = npt.NDArray[np.float64]


def _cka(x: F64, y: F64) -> float:
    return linear_cka(x, y).cka


def _matched(x: F64, y: F64) -> float:
    return match_dimensions(x, y, k=10).mean_matched_abs_r


def test_random_rotation_is_orthogonal_deterministic_and_haar() -> None:
    q = random_rotation(6, np.random.default_rng(0))
    np.testing.assert_allclose(q.T @ q, np.eye(6), atol=1e-12)
    np.testing.assert_array_equal(q, random_rotation(6, np.random.default_rng(0)))
    assert not np.array_equal(q, random_rotation(6, np.random.default_rng(1)))
    rng = np.random.default_rng(2)
    draws = np.array([random_rotation(3, rng) for _ in range(3000)])
    # Haar: every entry has mean 0 and E[q^2] = 1/d; the sign fix makes the diagonal
    # unbiased (plain QR of a Gaussian gives a biased diagonal).
    sd = np.sqrt(1 / 3 / 3000)
    assert np.all(np.abs(draws.mean(axis=0)) < 4 * sd)
    np.testing.assert_allclose((draws**2).mean(axis=0), 1 / 3, atol=0.03)
    dets = np.linalg.det(draws)
    np.testing.assert_allclose(np.abs(dets), 1.0, atol=1e-12)
    assert 0.45 < float(np.mean(dets > 0)) < 0.55
    with pytest.raises(ValueError):
        random_rotation(0, rng)


def test_null_values_match_slow_reimplementation() -> None:
    rng = np.random.default_rng(3)
    a = rng.standard_normal((40, 3))
    b = rng.standard_normal((40, 3))

    def stat(x: F64, y: F64) -> float:
        return float(x[:, 0] @ y[:, 0])

    for kind in ("rotation", "shuffle"):
        res = null_baseline(stat, a, b, kind=kind, repetitions=5, seed=9)
        gen = np.random.default_rng(9)
        slow = []
        for _ in range(5):
            xn = a @ random_rotation(3, gen) if kind == "rotation" else a[gen.permutation(40)]
            slow.append(sum(float(xn[i, 0] * b[i, 0]) for i in range(40)))
        np.testing.assert_allclose(res.null_values, slow, atol=1e-12)
        assert res.observed == pytest.approx(stat(a, b))
        assert res.null_mean == pytest.approx(statistics.fmean(slow))
        assert res.null_sd == pytest.approx(statistics.stdev(slow))
        assert res.z == pytest.approx((res.observed - res.null_mean) / res.null_sd)
        assert res.kind == kind
        assert res.repetitions == 5
        assert res.seed == 9


def test_independent_models_sit_inside_their_nulls() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2000, 20))
    b = rng.standard_normal((2000, 20))
    cka = null_baseline(_cka, a, b, kind="shuffle", repetitions=20, seed=0)
    assert cka.z is not None
    assert abs(cka.z) < 3
    assert cka.observed < 0.02
    for kind in ("rotation", "shuffle"):
        matched = null_baseline(_matched, a, b, kind=kind, repetitions=20, seed=1)
        assert matched.z is not None
        assert abs(matched.z) < 3
        assert matched.observed < 0.1


def test_shared_basis_is_far_above_rotation_null() -> None:
    rng = np.random.default_rng(5)
    a = rng.standard_normal((500, 8))
    b = -a[:, ::-1] + 0.1 * rng.standard_normal((500, 8))
    res = null_baseline(_matched, a, b, kind="rotation", repetitions=10, seed=2)
    assert res.observed > 0.99
    assert res.null_mean < 0.8
    assert res.z is not None
    assert res.z > 10


def test_rotation_invariant_statistic_has_no_z() -> None:
    rng = np.random.default_rng(6)
    a = rng.standard_normal((300, 6))
    b = a @ random_rotation(6, rng)
    res = null_baseline(_cka, a, b, kind="rotation", repetitions=5, seed=3)
    assert res.observed == pytest.approx(1.0)
    assert res.null_sd < 1e-12
    assert res.z is None
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["z"] is None
    assert d["kind"] == "rotation"
    assert len(d["null_values"]) == 5


def test_single_model_null_kurtosis_of_privileged_basis() -> None:
    rng = np.random.default_rng(7)
    a = rng.laplace(size=(3000, 10))  # heavy-tailed along the native axes only

    def mean_kurtosis(x: F64) -> float:
        c = x - x.mean(axis=0)
        return float(((c**4).mean(axis=0) / (c**2).mean(axis=0) ** 2 - 3.0).mean())

    res = single_model_null(mean_kurtosis, a, repetitions=20, seed=4)
    assert res.observed == pytest.approx(3.0, abs=0.5)  # Laplace excess kurtosis is 3
    # a rotated coordinate sum_i q_i x_i has excess kurtosis 3 * sum_i q_i^4, whose
    # Haar mean is 3 * 3 / (d + 2) = 0.75 for d = 10
    assert res.null_mean == pytest.approx(0.75, abs=0.2)
    assert res.z is not None
    assert res.z > 5
    gen = np.random.default_rng(4)
    first = mean_kurtosis(a @ random_rotation(10, gen))
    assert res.null_values[0] == pytest.approx(first)


def test_summary_helpers_and_errors() -> None:
    s = summarise_null(3.0, [1.0, 2.0, 3.0], kind="shuffle", seed=0)
    assert (s.null_mean, s.null_sd, s.z) == (2.0, 1.0, 1.0)
    assert summarise_null(1.0, [1.0, 1.0], kind="shuffle", seed=0).z is None
    assert null_z(float("nan"), 0.0, 1.0) is None
    assert null_z(2.0, 0.0, 0.5) == 4.0
    a = np.zeros((5, 2))
    with pytest.raises(ValueError):
        null_baseline(_cka, a, a, kind="rotation", repetitions=1)
    with pytest.raises(ValueError):
        null_baseline(_cka, a, a, kind="bogus", repetitions=2)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        summarise_null(1.0, [1.0], kind="shuffle", seed=0)
