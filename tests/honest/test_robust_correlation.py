"""Robust correlation and frequency ρ against direct scipy computations (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from polyterm.core.robust_correlation import frequency_rho, robust_correlation


def test_against_scipy_column_by_column() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 4))
    y = 0.5 * x + rng.standard_normal((500, 4))
    res = robust_correlation(x, y, trim=20, top=10)
    for p in range(4):
        assert res.pearson[p] == pytest.approx(stats.pearsonr(x[:, p], y[:, p])[0], abs=1e-9)
        assert res.spearman[p] == pytest.approx(stats.spearmanr(x[:, p], y[:, p])[0], abs=1e-9)
        zx = (x[:, p] - x[:, p].mean()) / x[:, p].std()
        zy = (y[:, p] - y[:, p].mean()) / y[:, p].std()
        drop = np.argsort(-np.maximum(abs(zx), abs(zy)), kind="stable")[:20]
        keep = np.setdiff1d(np.arange(500), drop)
        assert res.trimmed_r[p] == pytest.approx(
            stats.pearsonr(x[keep, p], y[keep, p])[0], abs=1e-9
        )
        terms = np.sort(zx * zy / 500)[::-1]
        assert res.top_share[p] == pytest.approx(terms[:10].sum() / res.pearson[p], abs=1e-9)


def test_a_correlation_carried_by_a_few_words_is_exposed() -> None:
    """Planted: independent noise plus 10 words far out on both axes. Pearson is high,
    Spearman and the trimmed r are near 0, and the top 10 words carry nearly all of r."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(2000), rng.standard_normal(2000)
    x[:10] += 40
    y[:10] += 40
    res = robust_correlation(x, y)
    assert res.pearson[0] > 0.7
    assert abs(res.spearman[0]) < 0.1 and abs(res.trimmed_r[0]) < 0.1
    assert res.top_share[0] > 0.9


def test_frequency_rho_is_spearman_with_rank() -> None:
    rng = np.random.default_rng(1)
    n = 300
    freq_axis = -np.arange(n) + rng.standard_normal(n) * 20  # common words high
    other = rng.standard_normal(n)
    rho = frequency_rho(np.column_stack([freq_axis, other]))
    assert rho[0] == pytest.approx(stats.spearmanr(freq_axis, np.arange(n))[0], abs=1e-9)
    assert rho[0] < -0.9 and abs(rho[1]) < 0.2
    ranks = rng.permutation(n)
    assert frequency_rho(other, ranks)[0] == pytest.approx(
        stats.spearmanr(other, ranks)[0], abs=1e-9
    )
