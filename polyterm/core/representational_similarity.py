"""Basis-free similarity of two representations: linear CKA and SVCCA.

Inputs are ``a`` (n × d1) and ``b`` (n × d2) with rows = the same n words in the same
order. Both measures are invariant to orthogonal transforms of either side, so they say
whether two models carry the same information, not whether they share a basis.

Linear CKA (Kornblith et al. 2019):
    X, Y = the column-centred matrices (each column's mean over the n words removed);
    with ``standardise=True`` every column is additionally divided by its standard
    deviation (population, ddof=0) — a z-score — and constant columns are left at 0.
    ``CKA = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)``, which equals
    ``HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L))`` with linear kernels K = XX^T, L = YY^T.
    In [0, 1]; NaN when either centred matrix is all zeros.

SVCCA (Raghu et al. 2017):
    1. Each matrix is column-centred and decomposed ``X = U S V^T``; the kept number of
       directions m is the smallest with ``sum(S[:m]^2) / sum(S^2) >= variance_threshold``
       (default 0.99, compared with a 1e-12 tolerance); the reduced matrix is
       ``U[:, :m] S[:m]`` (the projection on the first m principal directions).
    2. CCA between the reduced matrices: each is column-centred, orthonormalised by a
       column-pivoted QR (columns whose |R_ii| <= max(n, d)·eps·|R_00| are dropped as
       rank-deficient), and the canonical correlations are the singular values of
       ``Q1^T Q2``, clipped to [0, 1] and sorted descending; there are
       min(rank1, rank2) of them. If m1 + m2 approaches n the correlations are inflated
       towards 1 (two large subspaces of R^n must overlap); keep n >> m1 + m2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import qr  # type: ignore[import-untyped]

from polyterm.core.arrays import F64, FloatArray, gram


def _as_pair(a: FloatArray, b: FloatArray) -> tuple[F64, F64]:
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    for m, name in ((x, "a"), (y, "b")):
        if m.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix (words × dims), got shape {m.shape}")
        if not np.all(np.isfinite(m)):
            raise ValueError(f"{name} contains NaN or infinite values")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"a and b must have the same rows, got {x.shape[0]} and {y.shape[0]}")
    return x, y


def _centre(x: F64, standardise: bool) -> F64:
    c: F64 = x - x.mean(axis=0)
    if standardise:
        sd: F64 = c.std(axis=0)
        constant = (x.max(axis=0) == x.min(axis=0)) | (sd == 0)
        sd[constant] = 1.0
        c = c / sd
        c[:, constant] = 0.0
    return c


@dataclass(frozen=True, slots=True)
class LinearCKA:
    """Linear CKA of two aligned matrices.

    Attributes:
        cka: the CKA value in [0, 1] (NaN if a side is constant).
        standardised: whether columns were z-scored before centring-based CKA.
        n_words: number of aligned rows.
        dims: (d1, d2).
    """

    cka: float
    standardised: bool
    n_words: int
    dims: tuple[int, int]


def linear_cka(a: FloatArray, b: FloatArray, *, standardise: bool = False) -> LinearCKA:
    """Linear CKA ``||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)`` of the centred matrices.

    See the module docstring; ``standardise`` z-scores each dimension first.
    """
    x, y = _as_pair(a, b)
    if x.shape[0] < 2:
        raise ValueError("CKA needs at least 2 rows")
    xc, yc = _centre(x, standardise), _centre(y, standardise)
    # Rescale for numerical range; CKA is invariant to scaling either side.
    sx, sy = np.abs(xc).max(initial=0.0), np.abs(yc).max(initial=0.0)
    if sx == 0 or sy == 0:
        value = math.nan
    else:
        xc, yc = xc / sx, yc / sy
        num = float(np.linalg.norm(yc.T @ xc) ** 2)
        den = float(np.linalg.norm(gram(xc)) * np.linalg.norm(gram(yc)))
        value = min(max(num / den, 0.0), 1.0) if den > 0 else math.nan
    return LinearCKA(
        cka=value, standardised=standardise, n_words=x.shape[0], dims=(x.shape[1], y.shape[1])
    )


def orthonormal_basis(x: F64) -> F64:
    """Orthonormal basis of the column space of centred x (pivoted QR, rank-truncated)."""
    c = x - x.mean(axis=0)
    n, d = c.shape
    if d == 0 or n == 0:
        return np.zeros((n, 0))
    q, r, _ = qr(c, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    if diag.size == 0 or diag[0] == 0:
        return np.zeros((n, 0))
    rank = int(np.sum(diag > max(n, d) * np.finfo(np.float64).eps * diag[0]))
    return np.asarray(q[:, :rank], dtype=np.float64)


def canonical_correlations(a: FloatArray, b: FloatArray) -> F64:
    """Canonical correlations of the column spaces of centred ``a`` and ``b``, descending.

    Singular values of ``Q1^T Q2`` where Qi is an orthonormal basis (pivoted QR, rank-
    truncated) of each centred matrix; min(rank_a, rank_b) values, clipped to [0, 1].
    """
    x, y = _as_pair(a, b)
    q1, q2 = orthonormal_basis(x), orthonormal_basis(y)
    if q1.shape[1] == 0 or q2.shape[1] == 0:
        return np.zeros(0)
    s = np.linalg.svd(q1.T @ q2, compute_uv=False)
    return np.sort(np.clip(s, 0.0, 1.0))[::-1].copy()


def svd_reduce(x: FloatArray, variance_threshold: float = 0.99) -> tuple[F64, int, float]:
    """SVCCA step 1: (reduced matrix U_m S_m, kept m, fraction of variance kept).

    m is the smallest number of directions of the centred matrix whose squared singular
    values sum to >= ``variance_threshold`` of the total (1e-12 tolerance). An all-zero
    centred matrix keeps 0 directions (fraction NaN).
    """
    if not 0 < variance_threshold <= 1:
        raise ValueError(f"variance_threshold must be in (0, 1], got {variance_threshold}")
    m = np.asarray(x, dtype=np.float64)
    c = m - m.mean(axis=0)
    u, s, _ = np.linalg.svd(c, full_matrices=False)
    var = s**2
    total = float(var.sum())
    if total == 0:
        return np.zeros((m.shape[0], 0)), 0, math.nan
    frac = np.cumsum(var) / total
    kept = int(np.searchsorted(frac, variance_threshold - 1e-12, side="left")) + 1
    kept = min(kept, s.size)
    return u[:, :kept] * s[:kept], kept, float(frac[kept - 1])


@dataclass(frozen=True, slots=True, eq=False)
class SVCCAResult:
    """SVCCA of two aligned matrices (``correlations`` is read-only).

    Attributes:
        correlations: canonical correlations of the reduced matrices, descending.
        mean_correlation: their mean (the usual SVCCA similarity); NaN if there are none.
        kept_a, kept_b: number of SVD directions kept on each side.
        variance_kept_a, variance_kept_b: fraction of variance those directions hold.
        variance_threshold: the threshold used.
        n_words: number of aligned rows.
    """

    correlations: F64
    mean_correlation: float
    kept_a: int
    kept_b: int
    variance_kept_a: float
    variance_kept_b: float
    variance_threshold: float
    n_words: int


def svcca(a: FloatArray, b: FloatArray, *, variance_threshold: float = 0.99) -> SVCCAResult:
    """SVCCA: SVD-reduce each side to ``variance_threshold`` of its variance, then CCA.

    See the module docstring for the exact procedure.
    """
    x, y = _as_pair(a, b)
    xr, kept_a, var_a = svd_reduce(x, variance_threshold)
    yr, kept_b, var_b = svd_reduce(y, variance_threshold)
    corr = canonical_correlations(xr, yr)
    corr.flags.writeable = False
    return SVCCAResult(
        correlations=corr,
        mean_correlation=float(corr.mean()) if corr.size else math.nan,
        kept_a=kept_a,
        kept_b=kept_b,
        variance_kept_a=var_a,
        variance_kept_b=var_b,
        variance_threshold=variance_threshold,
        n_words=x.shape[0],
    )
