"""Known-answer tests for polyterm.core.basis_matching (nulls, p-values, BH-FDR)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.bases import fit_basis
from polyterm.core.basis_matching import (
    benjamini_hochberg,
    bh_adjusted,
    default_null,
    match_bases,
    max_null_p_values,
    null_draws,
)

F64 = npt.NDArray[np.float64]


def test_bh_against_hand_computed_example() -> None:
    # m = 10, q = 0.05: thresholds i * 0.005. Sorted p: 0.001 <= 0.005, 0.008 <= 0.010,
    # 0.039 > 0.015 and no later p_(i) <= i * 0.005, so exactly the first two are kept.
    p = np.array([0.205, 0.001, 0.039, 0.041, 0.042, 0.060, 0.074, 0.008, 0.212, 0.216])
    np.testing.assert_array_equal(
        benjamini_hochberg(p, 0.05), [False, True] + [False] * 5 + [True, False, False]
    )
    # Adjusted: m p_(j) / j = .01 .04 .13 .1025 .084 .1 .10571 .25625 .23556 .216, then
    # the running minimum from the largest p down.
    expected_sorted = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.74 / 7, 0.216, 0.216, 0.216]
    np.testing.assert_allclose(np.sort(bh_adjusted(p)), expected_sorted, rtol=1e-12)
    # Step-up: p = .01 … .05 all pass at q = 0.06 (p_(5) = .05 <= .06) although only one
    # would pass a Bonferroni cut at .06 / 5 = .012.
    step = np.array([0.05, 0.02, 0.04, 0.01, 0.03])
    assert benjamini_hochberg(step, 0.06).all()
    assert benjamini_hochberg(np.array([]), 0.05).size == 0
    with pytest.raises(ValueError):
        benjamini_hochberg(p, 0.0)
    with pytest.raises(ValueError):
        bh_adjusted(np.array([0.5, 1.5]))


def test_max_null_p_values_hand_example() -> None:
    null = np.array([0.1, 0.6, 0.95, 0.3])
    # 0.5: two null maxima >= it -> (1 + 2) / 5; 0.9: one -> 2 / 5; 0.99: none -> 1 / 5;
    # a negative r counts by its magnitude.
    np.testing.assert_allclose(
        max_null_p_values(np.array([0.5, 0.9, 0.99, -0.6]), null), [0.6, 0.4, 0.2, 0.6]
    )


@pytest.mark.parametrize("kind", ["rotation", "shuffle"])
def test_fast_null_equals_direct_computation(kind: str) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 6)) @ rng.standard_normal((6, 6)) + 2.0
    b = a[:, :4] @ rng.standard_normal((4, 5)) + rng.standard_normal((300, 5))
    fast = null_draws(a, b, kind=kind, repetitions=30, seed=4, fast=True)  # type: ignore[arg-type]
    direct = null_draws(a, b, kind=kind, repetitions=30, seed=4, fast=False)  # type: ignore[arg-type]
    np.testing.assert_allclose(fast.max_abs_r, direct.max_abs_r, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        fast.mean_matched_abs_r, direct.mean_matched_abs_r, rtol=0, atol=1e-12
    )
    # Same seed, same draws; another seed, other draws.
    again = null_draws(a, b, kind=kind, repetitions=30, seed=4)  # type: ignore[arg-type]
    np.testing.assert_array_equal(again.max_abs_r, fast.max_abs_r)
    other = null_draws(a, b, kind=kind, repetitions=30, seed=5)  # type: ignore[arg-type]
    assert not np.array_equal(other.max_abs_r, fast.max_abs_r)


def test_rotation_null_in_whitened_space_keeps_a_rotated_copy_white() -> None:
    # For whitened codes, a rotated copy is itself white; the null max |r| against the
    # unrotated codes is that of a random orthonormal basis, and the identity (r = 1 on
    # every pair) is far outside it.
    rng = np.random.default_rng(1)
    x = rng.laplace(size=(1000, 5)) @ rng.standard_normal((5, 5))
    codes = fit_basis(x, "pca").transform(x, dtype=np.float64)
    result = match_bases(codes, codes, repetitions=100, seed=0)
    assert result.null.max_abs_r.max() < 1 - 1e-6
    np.testing.assert_allclose(result.matched_p, 1 / 101)
    assert result.n_shared == 5


def test_planted_sources_share_every_ica_axis_but_no_raw_axis() -> None:
    rng = np.random.default_rng(1)
    s = rng.laplace(size=(2000, 10))
    a = s @ rng.standard_normal((10, 10))
    b = s @ rng.standard_normal((10, 10))
    ca = fit_basis(a, "ica").transform(a, dtype=np.float64)
    cb = fit_basis(b, "ica").transform(b, dtype=np.float64)
    ica = match_bases(ca, cb, null=default_null("ica"), repetitions=200, seed=0)
    assert ica.matching.matched_abs_curve.min() > 0.95
    # Every pair beats every null maximum: p = 1 / (R + 1), and BH keeps all 10.
    np.testing.assert_allclose(ica.matched_p, 1 / 201)
    assert ica.n_shared == 10 and ica.matched_shared.all()
    assert ica.best_a_shared.all() and ica.best_b_shared.all()
    assert ica.mean_matched.z is not None and ica.mean_matched.z > 10
    raw = match_bases(a, b, null=default_null("raw"), repetitions=200, seed=0)
    assert raw.n_shared == 0
    assert raw.mean_matched.z is not None and abs(raw.mean_matched.z) < 3


def test_gaussian_sources_ica_matching_sits_inside_its_null() -> None:
    # Two models that share Gaussian latent words, each with its own estimation noise.
    # (Two exact mixtures of one sample would have identical whitened point clouds up
    # to rotation, so any affine-equivariant method - ICA included - would give them
    # the same axes even for Gaussian sources.)
    rng = np.random.default_rng(10)
    g = rng.standard_normal((2000, 10))
    a = (g + 0.5 * rng.standard_normal((2000, 10))) @ rng.standard_normal((10, 10))
    b = (g + 0.5 * rng.standard_normal((2000, 10))) @ rng.standard_normal((10, 10))
    ca = fit_basis(a, "ica").transform(a, dtype=np.float64)
    cb = fit_basis(b, "ica").transform(b, dtype=np.float64)
    result = match_bases(ca, cb, repetitions=200, seed=0)
    assert result.n_shared == 0
    assert float(np.median(result.matched_p)) > 0.5
    assert result.mean_matched.z is not None and abs(result.mean_matched.z) < 3


def test_dictionary_codes_use_the_shuffle_null_as_their_secondary_line() -> None:
    assert default_null("dict:40") == "rotated-dictionary"
    assert default_null("pca") == default_null("ica") == default_null("raw") == "rotation"
    rng = np.random.default_rng(2)
    a = np.maximum(rng.standard_normal((400, 6)), 0)
    b = a[:, ::-1] + 0.05 * rng.standard_normal((400, 6))
    result = match_bases(a, b, null="shuffle", repetitions=100, seed=0)
    np.testing.assert_array_equal(
        result.matching.matched_b[np.argsort(result.matching.matched_a)], np.arange(5, -1, -1)
    )
    assert result.n_shared == 6
    # Best partners: each column of a to its reversed twin in b.
    np.testing.assert_array_equal(result.matching.semi_a_to_b, np.arange(5, -1, -1))


def test_bad_arguments() -> None:
    a = np.zeros((10, 2))
    with pytest.raises(ValueError):
        match_bases(a, np.zeros((9, 2)))
    with pytest.raises(ValueError):
        null_draws(np.eye(3), np.eye(3), repetitions=1)
    with pytest.raises(ValueError):
        match_bases(np.eye(3), np.eye(3), fdr_q=1.0)


def _dictionary_pair(sparse: bool, seed: int = 0) -> tuple[F64, F64]:
    """Two 'models' of one geometry: B is A turned by a random rotation. Sparse: each word a
    sum of 2 of 12 planted atoms (a privileged set of directions both dictionaries find);
    Gaussian: no privileged direction at all."""
    rng = np.random.default_rng(seed)
    n, d = 3000, 8
    if sparse:
        atoms = rng.standard_normal((12, d))
        atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
        weights = np.zeros((n, 12))
        for i in range(n):
            weights[i, rng.choice(12, 2, replace=False)] = rng.uniform(1, 2, 2)
        a = weights @ atoms + 0.01 * rng.standard_normal((n, d))
    else:
        a = rng.standard_normal((n, d))
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return a, a @ q


@pytest.mark.parametrize("sparse", [True, False])
def test_the_rotated_dictionary_null_keeps_the_geometry(sparse: bool) -> None:
    """Planted atoms are shared against the rotated-dictionary null; atoms of Gaussian data
    (arbitrary directions in one shared geometry) beat the word shuffle nearly everywhere
    but not the rotated dictionaries: the null that keeps the geometry can fail."""
    from polyterm.core.bases import fit_basis
    from polyterm.core.basis_matching import rotated_dictionary_draws

    a, b = _dictionary_pair(sparse)
    fa, fb = fit_basis(a, "dict:12", seed=0), fit_basis(b, "dict:12", seed=1)
    ca, cb = fa.transform(a, dtype=np.float64), fb.transform(b, dtype=np.float64)
    x = a / float(fa.arrays["scale"])
    draws = rotated_dictionary_draws(
        x, fa.arrays["dictionary"], float(fa.params["alpha"]), cb, repetitions=20, seed=0
    )
    assert draws.kind == "rotated-dictionary" and draws.max_abs_r.size == 20
    result = match_bases(ca, cb, null="rotated-dictionary", draws=draws)
    shuffled = match_bases(ca, cb, null="shuffle", repetitions=200, seed=0)
    assert result.mean_matched.kind == "rotation" and result.mean_matched.repetitions == 20
    if sparse:
        assert result.n_shared >= 10 and result.mean_matched.z is not None
        assert result.mean_matched.z > 3
    else:
        assert shuffled.n_shared >= 6  # the weak null calls arbitrary atoms "shared"
        assert result.n_shared <= 1
        assert result.mean_matched.z is not None and result.mean_matched.z < 3
    # a shared pair is one above every draw's max |r|
    top = draws.max_abs_r.max()
    np.testing.assert_array_equal(result.matched_shared, np.abs(result.matching.matched_r) > top)


def test_the_rotated_dictionary_null_needs_its_dictionary() -> None:
    a, b = _dictionary_pair(True)
    with pytest.raises(ValueError, match="needs the dictionary"):
        match_bases(a[:, :4], b[:, :4], null="rotated-dictionary")
