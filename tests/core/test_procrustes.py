"""Tests for polyterm.core.procrustes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from polyterm.core.matching import match_dimensions
from polyterm.core.nulls import random_rotation
from polyterm.core.procrustes import procrustes_align
from polyterm.core.representational_similarity import linear_cka


def _slow_top(values: list[float], k: int) -> set[int]:
    return set(sorted(range(len(values)), key=lambda w: (-values[w], w))[:k])


def _slow_cosine_distance(u: list[float], v: list[float]) -> float:
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    nu = math.sqrt(sum(x * x for x in u))
    nv = math.sqrt(sum(y * y for y in v))
    return 1.0 - (dot / (nu * nv) if nu > 0 and nv > 0 else 0.0)


@pytest.mark.parametrize(("centre", "unit_rows"), [(True, True), (False, False), (True, False)])
def test_recovers_known_rotation(centre: bool, unit_rows: bool) -> None:
    rng = np.random.default_rng(10)
    a = rng.standard_normal((300, 8)) + 0.5
    rot = random_rotation(8, np.random.default_rng(11))
    b = a @ rot
    res = procrustes_align(a, b, centre=centre, unit_rows=unit_rows)
    np.testing.assert_allclose(res.rotation, rot, atol=1e-10)
    assert res.relative_residual < 1e-12
    np.testing.assert_allclose(res.displacement, 0.0, atol=1e-12)
    np.testing.assert_allclose(np.abs(res.aligned_r), 1.0, atol=1e-12)
    assert res.mean_abs_aligned_r == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(res.topk_jaccard, np.ones(8))
    assert res.reduced_to is None
    # basis-free similarity is perfect while the native bases disagree
    assert linear_cka(a, b).cka == pytest.approx(1.0, abs=1e-12)
    matched = match_dimensions(a, b).mean_matched_abs_r
    assert matched < 0.9
    absr = np.abs(np.corrcoef(a.T, b.T)[:8, 8:])
    perms = np.array(list(itertools.permutations(range(8))))
    brute = absr[np.arange(8), perms].sum(axis=1).max() / 8  # all 40320 assignments
    assert matched == pytest.approx(brute, abs=1e-12)


def test_rotation_is_optimal_and_matches_slow_svd() -> None:
    rng = np.random.default_rng(12)
    a = rng.standard_normal((40, 4))
    b = rng.standard_normal((40, 4))
    res = procrustes_align(a, b, unit_rows=False, centre=False, k=3)
    # closed form R = U V^T from a^T b = U S V^T
    u, _, vt = np.linalg.svd(a.T @ b)
    np.testing.assert_allclose(res.rotation, u @ vt, atol=1e-12)
    np.testing.assert_allclose(res.rotation.T @ res.rotation, np.eye(4), atol=1e-12)
    best = np.linalg.norm(a @ res.rotation - b)
    gen = np.random.default_rng(13)
    for _ in range(300):
        assert np.linalg.norm(a @ random_rotation(4, gen) - b) >= best - 1e-12
    # residual on Frobenius-normalised matrices (the rotation is the same either way)
    scaled = np.linalg.norm(a @ (u @ vt) / np.linalg.norm(a) - b / np.linalg.norm(b))
    assert res.relative_residual == pytest.approx(scaled)
    ar = a @ res.rotation
    for w in range(40):
        slow = _slow_cosine_distance([float(v) for v in ar[w]], [float(v) for v in b[w]])
        assert res.displacement[w] == pytest.approx(slow, abs=1e-12)
    for i in range(4):
        assert res.aligned_r[i] == pytest.approx(np.corrcoef(ar[:, i], b[:, i])[0, 1])
        sign = -1.0 if res.aligned_r[i] < 0 else 1.0
        top_a = _slow_top([float(v) for v in ar[:, i]], 3)
        top_b = _slow_top([sign * float(v) for v in b[:, i]], 3)
        assert res.topk_jaccard[i] == pytest.approx(len(top_a & top_b) / len(top_a | top_b))


def test_preprocessing_order_unit_rows_then_centre() -> None:
    rng = np.random.default_rng(14)
    a = rng.standard_normal((50, 3)) * rng.uniform(0.1, 10, size=(50, 1))
    b = rng.standard_normal((50, 3)) + 2.0
    res = procrustes_align(a, b)
    ua = a / np.linalg.norm(a, axis=1, keepdims=True)
    ub = b / np.linalg.norm(b, axis=1, keepdims=True)
    xa, xb = ua - ua.mean(axis=0), ub - ub.mean(axis=0)
    u, _, vt = np.linalg.svd(xa.T @ xb)
    np.testing.assert_allclose(res.rotation, u @ vt, atol=1e-12)
    expected = np.linalg.norm(xa @ u @ vt / np.linalg.norm(xa) - xb / np.linalg.norm(xb))
    assert res.relative_residual == pytest.approx(expected)


def test_stable_and_unstable_words() -> None:
    rng = np.random.default_rng(15)
    a = rng.standard_normal((200, 10))
    b = a @ random_rotation(10, rng) + 0.01 * rng.standard_normal((200, 10))
    b[[3, 7]] = rng.standard_normal((2, 10))  # two words moved
    res = procrustes_align(a, b, n_extremes=5)
    assert set(res.least_stable[:2].tolist()) == {3, 7}
    assert not {3, 7} & set(res.most_stable.tolist())
    order = sorted(range(200), key=lambda w: (res.displacement[w], w))
    assert res.most_stable.tolist() == order[:5]
    assert (
        res.least_stable.tolist() == sorted(range(200), key=lambda w: (-res.displacement[w], w))[:5]
    )
    assert res.mean_displacement == pytest.approx(float(np.mean(res.displacement)))


@pytest.mark.parametrize("swap", [False, True])
def test_different_dimensions_reduce_by_pca(swap: bool) -> None:
    rng = np.random.default_rng(16)
    small = rng.standard_normal((120, 4))
    q, _ = np.linalg.qr(rng.standard_normal((6, 4)))
    large = small @ q.T  # 6 dims, rank 4, row norms equal to small's
    a, b = (large, small) if not swap else (small, large)
    res = procrustes_align(a, b)
    assert res.reduced_to == 4
    assert res.dims == ((6, 4) if not swap else (4, 6))
    assert res.rotation.shape == (4, 4)
    assert res.relative_residual < 1e-10
    np.testing.assert_allclose(res.displacement, 0.0, atol=1e-10)


def test_serialisation_and_errors() -> None:
    rng = np.random.default_rng(17)
    a = rng.standard_normal((30, 3))
    res = procrustes_align(a, a, k=4)
    assert res.relative_residual == pytest.approx(0.0, abs=1e-12)
    assert len(res.displacement) == 30
    with pytest.raises(ValueError):
        procrustes_align(a, a[:10])
    with pytest.raises(ValueError):
        procrustes_align(a, a, k=0)
    with pytest.raises(ValueError):
        res.displacement[0] = 1.0
