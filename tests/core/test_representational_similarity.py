"""Tests for polyterm.core.representational_similarity (linear CKA, SVCCA)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.nulls import random_rotation
from polyterm.core.representational_similarity import (
    canonical_correlations,
    linear_cka,
    svcca,
    svd_reduce,
)

F64 = npt.NDArray[np.float64]


def _slow_cka(x: F64, y: F64, standardise: bool = False) -> float:
    """HSIC form with explicit n × n Gram matrices and the centring matrix H."""
    if standardise:
        x = np.array([[(v - col.mean()) / col.std() for v in col] for col in x.T]).T
        y = np.array([[(v - col.mean()) / col.std() for v in col] for col in y.T]).T
    n = x.shape[0]
    h = np.eye(n) - np.ones((n, n)) / n
    k, lm = x @ x.T, y @ y.T

    def hsic(p: F64, q: F64) -> float:
        return float(np.trace(p @ h @ q @ h))

    return hsic(k, lm) / math.sqrt(hsic(k, k) * hsic(lm, lm))


def _slow_cca(x: F64, y: F64) -> F64:
    """Classical CCA: singular values of Sxx^-1/2 Sxy Syy^-1/2."""

    def inv_sqrt(s: F64) -> F64:
        w, v = np.linalg.eigh(s)
        return np.asarray(v @ np.diag(w**-0.5) @ v.T)

    xc, yc = x - x.mean(axis=0), y - y.mean(axis=0)
    sxx, syy, sxy = xc.T @ xc, yc.T @ yc, xc.T @ yc
    return np.sort(np.linalg.svd(inv_sqrt(sxx) @ sxy @ inv_sqrt(syy), compute_uv=False))[::-1]


@pytest.mark.parametrize("standardise", [False, True])
def test_cka_matches_slow_hsic(standardise: bool) -> None:
    rng = np.random.default_rng(20)
    for d1, d2 in [(3, 5), (4, 4), (6, 2)]:
        x = rng.standard_normal((30, d1)) * rng.uniform(0.2, 5.0, d1) + 1.0
        y = x[:, :1] @ rng.standard_normal((1, d2)) + rng.standard_normal((30, d2))
        res = linear_cka(x.astype(np.float32), y, standardise=standardise)
        expected = _slow_cka(x.astype(np.float32).astype(np.float64), y, standardise)
        assert res.cka == pytest.approx(expected, abs=1e-10)
        assert res.dims == (d1, d2)
        assert res.standardised is standardise


def test_cka_known_answers() -> None:
    rng = np.random.default_rng(21)
    a = rng.standard_normal((400, 10))
    rot = random_rotation(10, rng)
    assert linear_cka(a, a).cka == pytest.approx(1.0, abs=1e-12)
    assert linear_cka(a, 3.0 * a @ rot + 7.0).cka == pytest.approx(1.0, abs=1e-12)
    scaled = a * np.linspace(0.1, 10.0, 10)
    # population value sum(d^2) / (sqrt(10) * sqrt(sum(d^4))) = 0.736 for isotropic a
    dd = np.linspace(0.1, 10.0, 10)
    population = (dd**2).sum() / math.sqrt(10 * (dd**4).sum())
    assert linear_cka(a, scaled).cka == pytest.approx(population, abs=0.02)
    assert linear_cka(a, scaled, standardise=True).cka == pytest.approx(1.0, abs=1e-12)
    # disjoint information: CKA of independent features is near 0 (d/n scale)
    assert linear_cka(a, rng.standard_normal((400, 10))).cka < 0.05
    assert math.isnan(linear_cka(a, np.ones((400, 3))).cka)


def test_canonical_correlations_match_slow_cca() -> None:
    rng = np.random.default_rng(22)
    for d1, d2 in [(3, 4), (2, 2), (5, 3)]:
        x = rng.standard_normal((50, d1))
        y = x[:, :1] * 0.7 + rng.standard_normal((50, d2))
        np.testing.assert_allclose(canonical_correlations(x, y), _slow_cca(x, y)[: min(d1, d2)])


def test_canonical_correlations_shared_direction_and_rank_deficiency() -> None:
    rng = np.random.default_rng(23)
    z = rng.standard_normal((200, 1))
    x = np.hstack([z, rng.standard_normal((200, 1))])
    y = np.hstack([rng.standard_normal((200, 1)), -2.0 * z + 5.0])
    c = canonical_correlations(x, y)
    assert c[0] == pytest.approx(1.0, abs=1e-12)
    assert c[1] < 0.3
    # a duplicated column does not create a spurious correlation of 1
    xd = np.hstack([x, x[:, :1] * 2.0])
    assert len(canonical_correlations(xd, rng.standard_normal((200, 3)))) == 2


def test_svd_reduce_known_spectrum_and_slow_loop() -> None:
    rng = np.random.default_rng(24)
    q, _ = np.linalg.qr(rng.standard_normal((100, 4)))
    q -= q.mean(axis=0)
    q, _ = np.linalg.qr(q)  # orthonormal, centred columns
    s = np.array([10.0, 3.0, 1.0, 0.1])
    x = q * s @ random_rotation(4, rng)
    # fractions: 100/110.01 = .909, 109/110.01 = .9908, 110/110.01 = .99991
    assert svd_reduce(x, 0.99)[1] == 2
    assert svd_reduce(x, 0.995)[1] == 3
    assert svd_reduce(x, 1.0)[1] == 4
    assert svd_reduce(x, 0.5)[1] == 1
    red, _, frac = svd_reduce(x, 0.99)
    assert frac == pytest.approx(109 / 110.01)
    np.testing.assert_allclose(np.linalg.svd(red, compute_uv=False), s[:2])
    for thr in (0.3, 0.9, 0.95, 0.99, 0.999):
        total = sum(v * v for v in s)
        acc, slow = 0.0, 0
        for v in s:
            acc += v * v
            slow += 1
            if acc / total >= thr:
                break
        assert svd_reduce(x, thr)[1] == slow


def test_svcca_invertible_transform_gives_ones() -> None:
    rng = np.random.default_rng(25)
    a = rng.standard_normal((500, 8))
    m = random_rotation(8, rng) @ np.diag(np.linspace(1.0, 2.0, 8)) @ random_rotation(8, rng)
    res = svcca(a, a @ m + 3.0)
    assert res.kept_a == 8
    assert res.kept_b == 8
    np.testing.assert_allclose(res.correlations, np.ones(8), atol=1e-10)
    assert res.mean_correlation == pytest.approx(1.0, abs=1e-10)
    # an arbitrary invertible matrix, all directions kept
    general = rng.standard_normal((8, 8))
    res_all = svcca(a, a @ general, variance_threshold=1.0)
    np.testing.assert_allclose(res_all.correlations, np.ones(8), atol=1e-8)


def test_svcca_matches_slow_pipeline_and_serialises() -> None:
    rng = np.random.default_rng(26)
    a = rng.standard_normal((300, 6)) * np.array([5, 4, 3, 0.05, 0.04, 0.03])
    b = a[:, :2] @ rng.standard_normal((2, 5)) + 0.5 * rng.standard_normal((300, 5))
    res = svcca(a, b, variance_threshold=0.99)
    assert res.kept_a == 3
    ac = a - a.mean(axis=0)
    u, s, _ = np.linalg.svd(ac, full_matrices=False)
    bc = b - b.mean(axis=0)
    ub, sb, _ = np.linalg.svd(bc, full_matrices=False)
    expected = _slow_cca(
        u[:, : res.kept_a] * s[: res.kept_a], ub[:, : res.kept_b] * sb[: res.kept_b]
    )
    np.testing.assert_allclose(res.correlations, expected[: min(res.kept_a, res.kept_b)])
    assert np.all(np.diff(res.correlations) <= 0)
    assert res.kept_a == 3
    with pytest.raises(ValueError):
        svcca(a, b, variance_threshold=0.0)
    with pytest.raises(ValueError):
        linear_cka(a, b[:10])
