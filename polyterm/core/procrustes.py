"""Orthogonal Procrustes alignment of two models (Hamilton et al. 2016; Smith et al. 2017).

Inputs are ``a`` (n × d1) and ``b`` (n × d2) with rows = the same n words in the same
order. The steps, in this order:

1. ``unit_rows`` (default True): every row is divided by its L2 norm (all-zero rows stay
   zero).
2. ``centre`` (default True): the column means over the n words are subtracted from
   each matrix (after step 1, so rows are no longer exactly unit length).
3. If d1 != d2, the matrix with more dimensions is reduced by PCA to d = min(d1, d2):
   its principal directions are the right singular vectors of its column-centred
   matrix, each sign-fixed so that its largest-magnitude loading is positive, and the
   matrix from step 2 is projected on the first d of them. ``reduced_to`` records d.
   The smaller matrix is *not* transformed: PCA to its own full dimension would only be
   an orthogonal change of basis, which the rotation absorbs anyway, and skipping it
   keeps its native dimensions for the per-dimension statistics below.
4. Both matrices are scaled to unit Frobenius norm, so that the residual compares shapes,
   not overall scales (a model with a strong common direction loses most of its norm to
   centring): ``||a||_F = ||b||_F = 1``.
5. ``R`` (d × d, orthogonal) minimises ``||a R - b||_F``: ``R = U V^T`` from the SVD
   ``a^T b = U S V^T`` (what scipy.linalg.orthogonal_procrustes computes; done with numpy's
   LAPACK so that the null loops do not alternate between numpy's and scipy's OpenBLAS
   thread pools, which on two cores made small SVDs wait milliseconds for a core).

Statistics, all on the matrices after steps 1-4 (called a and b):

- ``relative_residual = ||a R - b||_F / ||b||_F = ||a R - b||_F``, in [0, √2] (0: the
  same shape up to rotation; √2: orthogonal shapes; NaN if either matrix is all zeros).
- ``displacement[w] = 1 - cos(a_w R, b_w)``, the cosine distance of word w after
  alignment, in [0, 2]; a zero row has cosine 0 (displacement 1). Most stable = smallest
  displacement (ties by lower row), least stable = largest.
- Aligned dimensions: column i of ``a R`` against column i of ``b`` (b's coordinates, or
  b's principal components when b was the reduced one): Pearson r per i, mean |r|, and
  the top-k Jaccard per i with the convention of :mod:`polyterm.core.matching` (top-k
  rows by value, b's column flipped when r < 0, ties by lower row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from polyterm.core.arrays import F64, I64, FloatArray, gram
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.core.arrays import readonly as _readonly
from polyterm.core.arrays import unit_rows64 as _unit_rows
from polyterm.core.matching import paired_top_k_jaccard, standardised_columns


def pca_project(x: FloatArray, d: int) -> F64:
    """``x`` projected on its first d principal directions (sign-fixed; see module doc)."""
    m = np.asarray(x, dtype=np.float64)
    if not 0 <= d <= m.shape[1]:
        raise ValueError(f"d must be in [0, {m.shape[1]}], got {d}")
    c = m - m.mean(axis=0)
    # Principal directions from the d × d covariance (eigh), not an SVD of the n × d
    # matrix: the same directions (up to the sign fixed below) at a fraction of the cost.
    values, vectors = np.linalg.eigh(gram(c))
    order = np.argsort(values)[::-1][: min(m.shape)]
    comps: F64 = vectors[:, order].T[:d]
    if d:
        biggest = np.argmax(np.abs(comps), axis=1)
        signs = np.sign(comps[np.arange(d), biggest])
        signs[signs == 0] = 1.0
        comps = comps * signs[:, None]
    if comps.shape[0] < d:  # fewer rows than dims: pad with zero directions
        comps = np.vstack([comps, np.zeros((d - comps.shape[0], m.shape[1]))])
    return m @ comps.T


@dataclass(frozen=True, slots=True, eq=False)
class ProcrustesResult:
    """Result of :func:`procrustes_align` (arrays are read-only).

    Attributes:
        rotation: d × d orthogonal R with ``a R ≈ b``.
        reduced_to: d when the larger model was PCA-reduced, else None.
        dims: the original (d1, d2).
        relative_residual: ``||a R - b||_F / ||b||_F``.
        displacement: per word, ``1 - cos(a_w R, b_w)``.
        mean_displacement: mean of ``displacement``.
        most_stable: up to ``n_extremes`` word rows, smallest displacement first.
        least_stable: up to ``n_extremes`` word rows, largest displacement first.
        aligned_r: per aligned dimension i, Pearson r of column i of aR and of b.
        mean_abs_aligned_r: mean of ``|aligned_r|``.
        k: depth of the top-k comparison.
        topk_jaccard: per aligned dimension, Jaccard of the top-k rows.
        mean_topk_jaccard: mean of ``topk_jaccard``.
        centre, unit_rows: the preprocessing that was applied.
        aligned: the preprocessed ``a`` after rotation, ``a R`` (n × d).
        target: the preprocessed ``b`` it was aligned to (n × d; B's PCA basis if B
            was the model reduced).
    """

    rotation: F64
    reduced_to: int | None
    dims: tuple[int, int]
    relative_residual: float
    displacement: F64
    mean_displacement: float
    most_stable: I64
    least_stable: I64
    aligned_r: F64
    mean_abs_aligned_r: float
    k: int
    topk_jaccard: F64
    mean_topk_jaccard: float
    centre: bool
    unit_rows: bool
    aligned: F64
    target: F64


def procrustes_align(
    a: FloatArray,
    b: FloatArray,
    *,
    k: int = 10,
    centre: bool = True,
    unit_rows: bool = True,
    n_extremes: int = 20,
) -> ProcrustesResult:
    """Rotate ``a`` onto ``b`` (orthogonal Procrustes) and measure what is left over.

    See the module docstring for the preprocessing order, the PCA reduction when the
    dimensions differ, and the definition of every statistic. ``n_extremes`` is the
    number of most/least stable word rows reported.

    Raises:
        ValueError: row counts differ, fewer than 2 rows, k outside [1, n], or a
            negative ``n_extremes``.
    """
    x = _as_matrix(a, "a")
    y = _as_matrix(b, "b")
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"a and b must have the same rows, got {n} and {y.shape[0]}")
    if n < 2:
        raise ValueError("Procrustes alignment needs at least 2 rows")
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, {n}], got {k}")
    if n_extremes < 0:
        raise ValueError(f"n_extremes must be >= 0, got {n_extremes}")
    d1, d2 = x.shape[1], y.shape[1]
    if unit_rows:
        x, y = _unit_rows(x), _unit_rows(y)
    if centre:
        x, y = x - x.mean(axis=0), y - y.mean(axis=0)
    reduced_to: int | None = None
    if d1 != d2:
        reduced_to = min(d1, d2)
        if d1 > d2:
            x = pca_project(x, reduced_to)
        else:
            y = pca_project(y, reduced_to)
    nx_f, ny_f = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx_f > 0:
        x = x / nx_f
    if ny_f > 0:
        y = y / ny_f
    u, _, vt = np.linalg.svd(x.T @ y)
    rotation = np.asarray(u @ vt, dtype=np.float64)
    xr = x @ rotation

    norm_b = float(np.linalg.norm(y))
    residual = float(np.linalg.norm(xr - y)) / norm_b if norm_b > 0 else math.nan

    nx = np.linalg.norm(xr, axis=1)
    ny = np.linalg.norm(y, axis=1)
    denom = nx * ny
    dots = np.einsum("ij,ij->i", xr, y)
    cos = np.divide(dots, denom, out=np.zeros(n), where=denom > 0)
    displacement = 1.0 - np.clip(cos, -1.0, 1.0)
    rows = np.arange(n)
    most = np.lexsort((rows, displacement))[:n_extremes].astype(np.int64)
    least = np.lexsort((rows, -displacement))[:n_extremes].astype(np.int64)

    d = xr.shape[1]
    aligned_r = np.clip(
        np.einsum("ij,ij->j", standardised_columns(xr), standardised_columns(y)), -1.0, 1.0
    )
    dims = np.arange(d, dtype=np.int64)
    jac = paired_top_k_jaccard(xr, y, dims, dims, aligned_r, k)

    return ProcrustesResult(
        rotation=_readonly(rotation),
        reduced_to=reduced_to,
        dims=(d1, d2),
        relative_residual=residual,
        displacement=_readonly(displacement),
        mean_displacement=float(displacement.mean()),
        most_stable=_readonly(most),
        least_stable=_readonly(least),
        aligned_r=_readonly(aligned_r),
        mean_abs_aligned_r=float(np.abs(aligned_r).mean()) if d else math.nan,
        k=k,
        topk_jaccard=_readonly(jac),
        mean_topk_jaccard=float(jac.mean()) if d else math.nan,
        centre=centre,
        unit_rows=unit_rows,
        aligned=_readonly(xr),
        target=_readonly(y),
    )
