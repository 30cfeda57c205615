"""The fast nulls of a whole-model alignment: every statistic of A against B again
after a random rotation or a row shuffle of A, computed from small matrices.

numpy/scipy only. `basis_statistics` is the plain computation; `RotationStatistics` and
`ShuffleStatistics` give the same numbers per draw without recomputing the n × d work
(tested against the plain computation). The views (`polyterm.views.alignment`) summarise
the draws against the observed values.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from polyterm.core.arrays import gram
from polyterm.core.matching import match_dimensions, standardised_columns
from polyterm.core.neighbours import tie_ranks, top_k_rows
from polyterm.core.procrustes import ProcrustesResult
from polyterm.core.representational_similarity import linear_cka, orthonormal_basis, svd_reduce

F64 = npt.NDArray[np.float64]


class Stat(StrEnum):
    """The whole-model statistics of an alignment (their values are the printed labels)."""

    MEAN_MATCHED_R = "mean matched |r|"
    MATCHED_JACCARD = "matched top-k Jaccard"
    PROCRUSTES_RESIDUAL = "Procrustes relative residual"
    ALIGNED_MEAN_R = "aligned mean |r|"
    ALIGNED_JACCARD = "aligned top-k Jaccard"
    CKA = "linear CKA"
    CKA_STANDARDISED = "linear CKA (standardised)"
    SVCCA = "SVCCA mean correlation"


def basis_statistics(x: F64, b: F64, k: int) -> dict[str, float]:
    """The statistics that depend on A's basis (rotation and shuffle nulls both apply)."""
    m = match_dimensions(x, b, k=k)
    return {
        Stat.MEAN_MATCHED_R: m.mean_matched_abs_r,
        Stat.MATCHED_JACCARD: m.mean_topk_jaccard,
        Stat.CKA_STANDARDISED: linear_cka(x, b, standardise=True).cka,
    }


class TopWordsOfB:
    """Top-k rows of each dimension of B at both ends, selected once."""

    def __init__(self, b: F64, k: int) -> None:
        self.k = k
        # ties broken as core.matching.paired_top_k_jaccard breaks them (seed 0)
        self.rank_a, rank_b = tie_ranks(b.shape[0], 0, 0), tie_ranks(b.shape[0], 0, 1)
        self.top = [top_k_rows(b[:, j], k, tie_rank=rank_b) for j in range(b.shape[1])]
        self.bottom = [top_k_rows(-b[:, j], k, tie_rank=rank_b) for j in range(b.shape[1])]

    def matched_jaccard(self, columns: F64, dims_b: npt.NDArray[np.intp], r: F64) -> float:
        """Mean top-k Jaccard of `columns[:, p]` with B's dimension `dims_b[p]` (flipped if r<0)."""
        out = []
        for p, (j, rv) in enumerate(zip(dims_b, r, strict=True)):
            top_a = top_k_rows(columns[:, p], self.k, tie_rank=self.rank_a)
            top_b = self.bottom[j] if rv < 0 else self.top[j]
            inter = np.intersect1d(top_a, top_b, assume_unique=True).size
            out.append(inter / (2 * self.k - inter))
        return float(np.mean(out))


def matched_pairs(r: F64) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], F64]:
    rows, cols = linear_sum_assignment(np.abs(r), maximize=True)
    return rows, cols, r[rows, cols]


class RotationStatistics:
    """`basis_statistics` of A·Q for many rotations Q, computed from d × d matrices.

    Centring commutes with A ↦ A·Q, so with Σ = AcᵀAc and C = Acᵀ·Bz (Bz: B's columns
    centred to unit norm), the correlation of dimension i of A·Q with dimension j of B is
    (QᵀC)ᵢⱼ / sqrt((QᵀΣQ)ᵢᵢ), and the standardised CKA needs only QᵀΣQ and QᵀC too. Only
    the top-k words of matched dimensions touch the n × d matrix (``a @ Q[:, matched]``).
    ``measure(Q)`` equals ``basis_statistics(a @ Q, b, k)`` (tested against it).
    """

    def __init__(self, a: F64, b: F64, top_b: TopWordsOfB) -> None:
        self.a, self.top_b = a, top_b
        ac = a - a.mean(axis=0)
        bz = standardised_columns(b)
        self.sigma = gram(ac)
        self.cross = ac.T @ bz  # d1 × d2
        n = a.shape[0]
        bs = bz * np.sqrt(n)  # z-scored B (std 1), as linear_cka(standardise=True) uses
        self.cross_z = ac.T @ bs
        self.bs_gram_norm = float(np.linalg.norm(gram(bs)))
        self.n = n

    def measure(self, q: F64) -> dict[str, float]:
        cov = q.T @ self.sigma @ q
        var = np.clip(np.diag(cov), 0.0, None)
        scale = np.sqrt(var)
        scale[scale == 0] = 1.0
        r = np.clip((q.T @ self.cross) / scale[:, None], -1.0, 1.0)
        rows, cols, pair_r = matched_pairs(r)
        jaccard = self.top_b.matched_jaccard(self.a @ q[:, rows], cols, pair_r)
        std = np.sqrt(var / self.n)
        std[std == 0] = 1.0
        num = float(np.linalg.norm((q.T @ self.cross_z) / std[:, None]) ** 2)
        den = float(np.linalg.norm(cov / np.outer(std, std)) * self.bs_gram_norm)
        return {
            Stat.MEAN_MATCHED_R: float(np.abs(pair_r).mean()),
            Stat.MATCHED_JACCARD: jaccard,
            Stat.CKA_STANDARDISED: min(max(num / den, 0.0), 1.0),
        }


class ShuffleStatistics:
    """Every statistic of A with its rows permuted, computed fast.

    Every preparation these statistics make (unit rows, centring, PCA, Frobenius scaling,
    SVD reduction, orthonormal bases) commutes with a permutation of the rows, so it is
    done once. Every statistic then pairs row i of A with row i of B, so permuting A's rows
    by `perm` is permuting B's by its inverse, and B's side is the smaller one; a top-k row
    set of permuted A is the inverse-permuted top-k set of A. A draw costs one d1 × d2
    cross product and n × d work on B's side: ``measure(perm)`` equals running
    `procrustes_align`, `linear_cka`, `svcca` and `basis_statistics` on ``a[perm]``
    (tested against them; only rows tied at a top-k boundary could be ordered otherwise).
    """

    def __init__(
        self, a: F64, b: F64, procrustes: ProcrustesResult, k: int, top_b: TopWordsOfB
    ) -> None:
        self.k, self.a, self.top_b = k, a, top_b
        self.xc = a - a.mean(axis=0)
        self.yc = b - b.mean(axis=0)
        self.cka_denominator = float(np.linalg.norm(gram(self.xc)) * np.linalg.norm(gram(self.yc)))
        za, zb = standardised_columns(a), standardised_columns(b)
        self.cka_z_denominator = float(np.linalg.norm(gram(za)) * np.linalg.norm(gram(zb)))
        # za = xc / column norm (0 for a constant column): the standardised cross products
        # are the plain ones scaled, so one product serves both CKAs and the matching.
        self.scale_a = inverse_column_norms(self.xc, za)
        self.scale_b = inverse_column_norms(self.yc, zb)
        # Procrustes works on the prepared matrices: A (in its PCA basis) and B.
        self.x = procrustes.aligned @ procrustes.rotation.T
        self.y = procrustes.target
        self.zy = standardised_columns(self.y)
        self.y_norm = float(np.linalg.norm(self.y))
        n = self.y.shape[0]
        self.rank_x, rank_y = tie_ranks(n, 0, 0), tie_ranks(n, 0, 1)
        self.y_top = [top_k_rows(self.y[:, j], k, tie_rank=rank_y) for j in range(self.y.shape[1])]
        self.y_bottom = [
            top_k_rows(-self.y[:, j], k, tie_rank=rank_y) for j in range(self.y.shape[1])
        ]
        self.qa = orthonormal_basis(svd_reduce(a)[0])
        self.qb = orthonormal_basis(svd_reduce(b)[0])

    def measure(self, perm: npt.NDArray[np.int64]) -> dict[str, float]:
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(perm.size)
        residual, aligned_r, aligned_jaccard = self._procrustes(inverse)
        plain = self.xc.T @ self.yc[inverse]  # = xc[perm].T @ yc
        cka = float(np.linalg.norm(plain) ** 2 / self.cka_denominator)
        cross = np.clip(plain * self.scale_a[:, None] * self.scale_b[None, :], -1.0, 1.0)
        corr = np.linalg.svd(self.qa.T @ self.qb[inverse], compute_uv=False)
        rows, cols, pair_r = matched_pairs(cross)
        return {
            Stat.MEAN_MATCHED_R: float(np.abs(pair_r).mean()),
            Stat.MATCHED_JACCARD: self.top_b.matched_jaccard(self.a[:, rows][perm], cols, pair_r),
            Stat.CKA_STANDARDISED: min(
                max(float(np.linalg.norm(cross) ** 2) / self.cka_z_denominator, 0.0), 1.0
            ),
            Stat.PROCRUSTES_RESIDUAL: residual,
            Stat.ALIGNED_MEAN_R: float(np.abs(aligned_r).mean()),
            Stat.ALIGNED_JACCARD: aligned_jaccard,
            Stat.CKA: cka,
            Stat.SVCCA: float(np.clip(corr, 0.0, 1.0).mean()),
        }

    def _procrustes(self, inverse: npt.NDArray[np.int64]) -> tuple[float, F64, float]:
        """`procrustes_align(x[perm], y)`'s residual, aligned r and top-k Jaccard, from
        x rotated onto y[inverse] (the same rotation; rows paired the same way)."""
        y = self.y[inverse]
        u, _, vt = np.linalg.svd(self.x.T @ y)
        xr = self.x @ (u @ vt)
        residual = float(np.linalg.norm(xr - y)) / self.y_norm if self.y_norm > 0 else np.nan
        aligned_r = np.clip(
            np.einsum("ij,ij->j", standardised_columns(xr), self.zy[inverse]), -1.0, 1.0
        )
        k = self.k
        jaccard = []
        for j, rv in enumerate(aligned_r):
            top_x = inverse[top_k_rows(xr[:, j], k, tie_rank=self.rank_x)]
            top_y = self.y_bottom[j] if rv < 0 else self.y_top[j]
            inter = np.intersect1d(top_x, top_y, assume_unique=True).size
            jaccard.append(inter / (2 * k - inter))
        return residual, aligned_r, float(np.mean(jaccard)) if jaccard else np.nan


def inverse_column_norms(centred: F64, standardised: F64) -> F64:
    """1 / the norm of each centred column, 0 where `standardised_columns` zeroed it."""
    norms: F64 = np.linalg.norm(centred, axis=0)
    out: F64 = np.zeros_like(norms)
    live = np.any(standardised != 0, axis=0) & (norms > 0)
    out[live] = 1.0 / norms[live]
    return out
