"""The planted ICA toy of the snapshots has answers far from any knife edge."""

from __future__ import annotations

import numpy as np
import pytest

from polyterm.core.bases import fit_basis
from tests.ui.conftest import PLANTED_SOURCES, PLANTED_WORDS, planted_ica_model

pytestmark = pytest.mark.golden  # CI runs these again under another CPU kernel


def test_planted_ica_pairs_every_source_with_margins_far_above_float32_noise() -> None:
    a, b = planted_ica_model("ica_a", 1), planted_ica_model("ica_b", 2)
    codes = []
    for model in (a, b):
        basis = fit_basis(np.asarray(model.vectors), "ica", seed=0)
        skew = basis.to_arrays()["skewness"]
        # the axis order (by skewness) has gaps ~1e4 times the rounding of another kernel
        assert np.min(-np.diff(skew)) > 0.01, skew
        codes.append(basis.transform(np.asarray(model.vectors)))
    k = codes[0].shape[1]
    r = np.abs(np.corrcoef(codes[0].T, codes[1].T)[:k, k:])
    best = r.argmax(axis=1)
    assert sorted(best.tolist()) == list(range(k))  # the best partners are one-to-one
    matched = r[np.arange(k), best]
    others = r.copy()
    others[np.arange(k), best] = 0
    assert matched.min() > 0.9 and others.max() < 0.1
    # matched |r| values far enough apart that their order in the table is fixed
    assert np.min(np.abs(np.diff(np.sort(matched)))) > 0.002, np.sort(matched)
    # every axis is one planted group: its top words are that group's words
    groups = [set(ws) for ws in PLANTED_SOURCES.values()]
    for axis in range(k):
        top = {PLANTED_WORDS[i] for i in np.argsort(-codes[0][:, axis])[:3]}
        assert any(top <= g for g in groups), top
