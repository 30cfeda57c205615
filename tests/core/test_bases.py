"""Known-answer tests for polyterm.core.bases (planted sources, planted atoms, PCA)."""

from __future__ import annotations

import json
import threading

import numpy as np
import numpy.typing as npt
import pytest
from scipy.optimize import linear_sum_assignment

from polyterm.core.bases import (
    BasisName,
    FittedBasis,
    fit_basis,
    parse_basis_name,
)
from polyterm.core.matching import dimension_correlation
from polyterm.errors import Cancelled

F64 = npt.NDArray[np.float64]


def _matched_abs_r(x: F64, y: F64) -> F64:
    """|r| of the Hungarian one-to-one matching of the columns of x and y."""
    r = np.abs(dimension_correlation(x, y))
    rows, cols = linear_sum_assignment(r, maximize=True)
    return np.asarray(r[rows, cols])


@pytest.fixture(scope="module")
def planted_sources() -> tuple[F64, F64, F64]:
    """S (2,000 × 10 Laplace sources) mixed by two different random matrices."""
    rng = np.random.default_rng(1)
    s = rng.laplace(size=(2000, 10))
    a = s @ rng.standard_normal((10, 10)) + 3.0
    b = s @ rng.standard_normal((10, 10)) - 1.0
    return s, a, b


@pytest.fixture(scope="module")
def ica_pair(planted_sources: tuple[F64, F64, F64]) -> tuple[FittedBasis, FittedBasis]:
    _, a, b = planted_sources
    return fit_basis(a, "ica"), fit_basis(b, "ica")


def test_parse_basis_names() -> None:
    assert parse_basis_name("raw") == BasisName("raw")
    assert parse_basis_name(" ICA ") == BasisName("ica")
    assert parse_basis_name("dict:120") == BasisName("dict", 120)
    assert str(parse_basis_name("dict:7")) == "dict:7"
    assert parse_basis_name("pca").whitened and not parse_basis_name("dict:3").whitened
    for bad in ("dict", "dict:0", "dict:-3", "dict:x", "nmf", "pca:3", ""):
        with pytest.raises(ValueError):
            parse_basis_name(bad)


def test_ica_recovers_planted_sources_and_matches_across_models(
    planted_sources: tuple[F64, F64, F64], ica_pair: tuple[FittedBasis, FittedBasis]
) -> None:
    s, a, b = planted_sources
    fa, fb = ica_pair
    assert fa.params["converged"] and fb.params["converged"]
    ca = fa.transform(a, dtype=np.float64)
    cb = fb.transform(b, dtype=np.float64)
    # Each model's ICA axes are S's columns (up to order and sign).
    assert _matched_abs_r(s, ca).min() > 0.95
    assert _matched_abs_r(s, cb).min() > 0.95
    # So the two models' ICA axes match each other nearly perfectly...
    assert _matched_abs_r(ca, cb).min() > 0.95
    # ...while their raw axes (two different mixtures) do not.
    raw = _matched_abs_r(a, b)
    assert raw.mean() < 0.8 and raw.min() < 0.6


def test_ica_codes_are_white_sign_fixed_and_ordered_by_skewness(
    planted_sources: tuple[F64, F64, F64], ica_pair: tuple[FittedBasis, FittedBasis]
) -> None:
    _, a, _ = planted_sources
    fa = ica_pair[0]
    codes = fa.transform(a, dtype=np.float64)
    np.testing.assert_allclose(np.cov(codes.T), np.eye(10), atol=1e-6)
    centred = codes - codes.mean(axis=0)
    skew = (centred**3).mean(axis=0) / (centred**2).mean(axis=0) ** 1.5
    assert np.all(skew >= 0)
    assert np.all(np.diff(skew) <= 1e-12)
    np.testing.assert_allclose(skew, fa.arrays["skewness"], atol=1e-9)
    # The unmixing in the whitened space is orthogonal.
    u = fa.arrays["unmixing"]
    np.testing.assert_allclose(u @ u.T, np.eye(10), atol=1e-6)


def test_pca_is_white_on_fit_rows_and_ordered_by_variance() -> None:
    rng = np.random.default_rng(2)
    scales = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.5])
    latent = rng.standard_normal((3000, 6)) * scales
    rotation = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    x = latent @ rotation + 7.0
    basis = fit_basis(x, "pca", fit_rows=1000)
    assert basis.params["fit_rows"] == 1000 and basis.n_codes == 6
    codes = basis.transform(x, dtype=np.float64)
    np.testing.assert_allclose(np.cov(codes[:1000].T), np.eye(6), atol=1e-9)
    variance = basis.arrays["variance"]
    assert np.all(np.diff(variance) < 0)
    np.testing.assert_allclose(variance, scales**2, rtol=0.15)
    # Axis i is the planted direction of scale i.
    r = np.abs(dimension_correlation(latent, codes))
    np.testing.assert_array_equal(np.argmax(r, axis=1), np.arange(6))
    assert np.all(basis.arrays["skewness"] >= 0)


def test_pca_drops_rank_deficient_axes() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 3)) @ rng.standard_normal((3, 5))
    basis = fit_basis(x, "pca")
    assert basis.n_codes == 3
    assert np.all(np.isfinite(basis.transform(x)))


def _planted_atoms(seed: int) -> tuple[F64, F64, F64]:
    """2,000 rows, each the sum of 2 of 12 unit atoms in 16 dims (weights 1–2) + noise."""
    rng = np.random.default_rng(seed)
    atoms = rng.standard_normal((12, 16))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    weights = np.zeros((2000, 12))
    for i in range(2000):
        used = rng.choice(12, 2, replace=False)
        weights[i, used] = rng.uniform(1.0, 2.0, 2)
    x = weights @ atoms + 0.01 * rng.standard_normal((2000, 16))
    return atoms, weights, x


def test_dictionary_recovers_planted_atoms() -> None:
    atoms, weights, x = _planted_atoms(0)
    basis = fit_basis(x, "dict:12")
    learned = basis.arrays["dictionary"]
    np.testing.assert_allclose(np.linalg.norm(learned, axis=1), 1.0, atol=1e-9)
    # Best match of every planted atom among the learned ones: |cos| > 0.95.
    cos = np.abs(atoms @ learned.T)
    assert cos.max(axis=1).min() > 0.95
    # Codes are non-negative and sparse, and each planted weight column is found by
    # one atom's codes (best-partner |r| > 0.95).
    codes = basis.transform(x, dtype=np.float64)
    assert codes.min() >= 0
    assert (codes > 0).mean() < 0.35
    r = np.abs(dimension_correlation(weights, codes))
    assert r.max(axis=1).min() > 0.95
    np.testing.assert_allclose(basis.arrays["usage"], (codes > 0).mean(axis=0), atol=1e-12)


def test_overcomplete_dictionary_finds_every_planted_atom() -> None:
    atoms, _, x = _planted_atoms(1)
    basis = fit_basis(x, "dict:24")
    cos = np.abs(atoms @ basis.arrays["dictionary"].T)
    assert cos.max(axis=1).min() > 0.9


def test_same_seed_gives_identical_arrays_and_another_seed_differs() -> None:
    rng = np.random.default_rng(4)
    x = rng.laplace(size=(200, 5)) @ rng.standard_normal((5, 5))
    for name in ("pca", "ica", "dict:6"):
        one = fit_basis(x, name, seed=3)
        two = fit_basis(x, name, seed=3)
        assert one.params == two.params
        for key, value in one.to_arrays().items():
            np.testing.assert_array_equal(value, two.arrays[key])
        if name != "pca":  # pca has no randomness
            other = fit_basis(x, name, seed=4)
            assert not np.array_equal(
                other.arrays["weights" if name == "ica" else "dictionary"],
                one.arrays["weights" if name == "ica" else "dictionary"],
            )


def test_round_trip_through_arrays_and_json_gives_identical_transform(tmp_path: object) -> None:
    rng = np.random.default_rng(5)
    x = rng.laplace(size=(200, 5)) @ rng.standard_normal((5, 5))
    for name in ("raw", "pca", "ica", "dict:6"):
        basis = fit_basis(x, name, fit_rows=150)
        params = json.loads(json.dumps(basis.params))
        arrays = {k: np.load(_saved(tmp_path, k, v)) for k, v in basis.to_arrays().items()}
        rebuilt = FittedBasis.from_arrays(params, arrays)
        assert rebuilt.name == basis.name
        np.testing.assert_array_equal(rebuilt.transform(x), basis.transform(x))
        np.testing.assert_array_equal(
            rebuilt.transform(x, dtype=np.float64), basis.transform(x, dtype=np.float64)
        )


def _saved(folder: object, key: str, value: F64) -> str:
    import pathlib

    path = pathlib.Path(str(folder)) / f"{key}.npy"
    np.save(path, value, allow_pickle=False)
    return str(path)


def test_from_arrays_rejects_damaged_input() -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((100, 4))
    basis = fit_basis(x, "pca")
    arrays = basis.to_arrays()
    params = dict(basis.params)
    with pytest.raises(ValueError, match="shape"):
        FittedBasis.from_arrays(params, {**arrays, "weights": arrays["weights"][:, :2]})
    with pytest.raises(ValueError, match="needs arrays"):
        FittedBasis.from_arrays(params, {k: v for k, v in arrays.items() if k != "mean"})
    bad = arrays["mean"].copy()
    bad[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FittedBasis.from_arrays(params, {**arrays, "mean": bad})
    with pytest.raises(ValueError, match="format"):
        FittedBasis.from_arrays({**params, "format": 99}, arrays)


def test_transform_is_blockwise_typed_and_checked() -> None:
    rng = np.random.default_rng(7)
    x = rng.laplace(size=(300, 5)).astype(np.float32)
    basis = fit_basis(x, "dict:6", fit_rows=150)
    whole = basis.transform(x, dtype=np.float64, block_rows=10_000)
    np.testing.assert_array_equal(basis.transform(x, dtype=np.float64, block_rows=77), whole)
    assert basis.transform(x).dtype == np.float32
    assert basis.transform(x[:0]).shape == (0, 6)
    with pytest.raises(ValueError):
        basis.transform(x[:, :4])
    reports: list[tuple[float, str]] = []
    basis.transform(x, block_rows=100, progress=lambda f, s: reports.append((f, s)))
    assert [f for f, _ in reports] == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_cancel_stops_fitting_and_transforming() -> None:
    x = np.random.default_rng(8).standard_normal((300, 4))
    flag = threading.Event()
    flag.set()
    with pytest.raises(Cancelled):
        fit_basis(x, "ica", cancel=flag)
    with pytest.raises(Cancelled):
        fit_basis(x, "pca").transform(x, cancel=flag)


def test_bad_arguments() -> None:
    x = np.random.default_rng(9).standard_normal((5, 8))
    with pytest.raises(ValueError, match="more than 8 fit rows"):
        fit_basis(x, "ica")
    with pytest.raises(ValueError):
        fit_basis(x, "pca", fit_rows=1)
    with pytest.raises(ValueError):
        fit_basis(np.ones((10, 3)), "pca")
    raw = fit_basis(x, "raw")
    assert raw.n_codes == 8 and raw.params["sklearn"] is None
    np.testing.assert_array_equal(raw.transform(x, dtype=np.float64), x)


def test_ica_is_run_to_convergence_and_the_gradient_is_recorded(
    planted_sources: tuple[F64, F64, F64], ica_pair: tuple[FittedBasis, FittedBasis]
) -> None:
    """The stored gradient norm is Picard-O's statistic of the stored codes, below tol;
    a fit capped at 3 iterations is recorded as not converged, with a larger gradient."""
    from polyterm.core.bases import ICA_TOL, fit_ica_rotation, fit_whitening, ica_gradient_norm

    _, a, _ = planted_sources
    fa, _ = ica_pair
    assert fa.params["algorithm"] == "picard-o" and fa.params["tol"] == ICA_TOL
    codes = fa.transform(a[:10_000], dtype=np.float64)
    np.testing.assert_allclose(ica_gradient_norm(codes), fa.params["gradient_norm"], rtol=1e-6)
    assert fa.params["gradient_norm"] < ICA_TOL and fa.params["converged"]
    w = fit_whitening(np.asarray(a, dtype=np.float64))
    scores = (a - w.mean) @ w.weights
    early = fit_ica_rotation(scores, 0, max_iter=3)
    assert not early.converged and early.gradient_norm > 100 * ICA_TOL and early.n_iter <= 3
