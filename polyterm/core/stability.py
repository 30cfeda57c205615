"""Within-model stability of ICA components and dictionary atoms (Icasso).

Li, Matsuda & Yanaka (EMNLP 2024) read cross-model ICA correspondences against the
within-model floor: run ICA with several seeds, cluster the components of all runs
(Icasso; Himberg, Hyvärinen & Esposito 2004) and keep the components that reproduce. A
component that does not reproduce within its own model cannot be called universal.

Procedure (:func:`basis_stability`) for ``ica`` or ``dict:K``:

1. Fit R runs with seeds ``seed, seed + 1, …, seed + R − 1``. Run 0 is exactly
   ``fit_basis(vectors, name, seed=seed)``, so its components are the ones the user sees,
   in the same order. For ``ica`` the PCA whitening is deterministic and shared; only
   the ICA rotation is repeated.
2. Similarity of two components = ``|r|`` of their codes over the fit rows. For ica this
   is ``|u_a · u_b|`` of the unmixing rows (the whitened scores have identity
   covariance, so this is exactly the correlation); for dictionaries it is computed from
   the codes of the fit rows.
3. Agglomerative clustering of all R·k components, average linkage on the distance
   ``1 − |r|`` (``scipy.cluster.hierarchy``), cut into k clusters (k = components per
   run), as Icasso does.
4. Stability index of a cluster C (Icasso's quality index Iq): mean ``|r|`` between two
   *different* members of C minus mean ``|r|`` between members of C and non-members.
   Himberg et al. average over all ordered pairs of C including i = j (each counting 1),
   which gives a lone component Iq ≈ 1; here a singleton's intra-cluster mean is 0, so a
   component with no counterpart in any other run scores <= 0 — unstable, as it should.
5. Each component of run 0 gets its cluster's index; it is ``unstable`` when the index
   is below ``threshold`` (default 0.8, a polyterm choice: a reproducible component
   correlates with its counterparts at about 0.8 or more while its cluster stays apart
   from the rest). ``cluster_runs`` (how many distinct runs the cluster holds; R for a
   clean component) is reported beside it.

For dictionaries the index has a ceiling below 1: sparse non-negative codes of
different atoms are not independent (a word that uses one atom uses fewer others, so
their codes are weakly anti-correlated), which raises the extra-cluster mean; read the
index with ``intra`` beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from polyterm.core.arrays import F64, I64, FloatArray
from polyterm.core.arrays import readonly as _readonly
from polyterm.core.bases import (
    DEFAULT_FIT_ROWS,
    DICT_ALPHA,
    BasisName,
    CancelFlag,
    ProgressFn,
    check_cancel,
    fit_basis,
    fit_ica_rotation,
    fit_whitening,
    parse_basis_name,
)
from polyterm.core.matching import dimension_correlation

DEFAULT_RUNS = 10
STABILITY_THRESHOLD = 0.8


@dataclass(frozen=True, slots=True, eq=False)
class ClusterQuality:
    """Icasso clusters of R runs' components, seen from the reference run's components.

    Per reference component (arrays of length k, read-only): ``index`` (Iq), ``intra``
    and ``extra`` (its cluster's mean |r| within / to the outside), ``cluster`` (label),
    ``cluster_size`` (members) and ``cluster_runs`` (distinct runs among the members).
    """

    index: F64
    intra: F64
    extra: F64
    cluster: I64
    cluster_size: I64
    cluster_runs: I64


def icasso_quality(
    similarity: FloatArray,
    run_of: Sequence[int] | I64,
    *,
    reference_run: int = 0,
    n_clusters: int | None = None,
) -> ClusterQuality:
    """Cluster components by ``similarity`` (N × N, |r| in [0, 1]) and score the clusters.

    ``run_of[i]`` is the run of component i; the reference run's components, in index
    order, are the rows of the result. ``n_clusters`` defaults to the reference run's
    component count. Average linkage on ``1 − similarity``; see the module docstring for
    the index.
    """
    from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
    from scipy.spatial.distance import squareform  # type: ignore[import-untyped]

    s = np.abs(np.asarray(similarity, dtype=np.float64))
    runs = np.asarray(run_of, dtype=np.int64)
    n = s.shape[0]
    if s.shape != (n, n) or runs.shape != (n,):
        raise ValueError("similarity must be N × N and run_of of length N")
    if not np.all(np.isfinite(s)):
        raise ValueError("similarity contains NaN or infinite values")
    s = np.clip((s + s.T) / 2, 0.0, 1.0)
    reference = np.flatnonzero(runs == reference_run)
    if reference.size == 0:
        raise ValueError(f"no component belongs to the reference run {reference_run}")
    k = int(reference.size if n_clusters is None else n_clusters)
    if not 1 <= k <= n:
        raise ValueError(f"n_clusters must be in [1, {n}], got {k}")
    if n == 1:
        labels = np.ones(1, dtype=np.int64)
    else:
        distance = 1.0 - s
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        labels = np.asarray(fcluster(tree, t=k, criterion="maxclust"), dtype=np.int64)
    off = s.copy()
    np.fill_diagonal(off, 0.0)
    index = np.empty(reference.size)
    intra = np.empty(reference.size)
    extra = np.empty(reference.size)
    size = np.empty(reference.size, dtype=np.int64)
    nruns = np.empty(reference.size, dtype=np.int64)
    cache: dict[int, tuple[float, float, int, int]] = {}
    for p, i in enumerate(reference):
        label = int(labels[i])
        if label not in cache:
            members = labels == label
            m = int(members.sum())
            inside = float(off[np.ix_(members, members)].sum() / (m * (m - 1))) if m > 1 else 0.0
            outside_count = n - m
            outside = float(s[np.ix_(members, ~members)].mean()) if outside_count > 0 else 0.0
            cache[label] = (inside, outside, m, int(np.unique(runs[members]).size))
        inside, outside, m, r = cache[label]
        intra[p], extra[p], size[p], nruns[p] = inside, outside, m, r
        index[p] = inside - outside
    return ClusterQuality(
        index=_readonly(index),
        intra=_readonly(intra),
        extra=_readonly(extra),
        cluster=_readonly(labels[reference].copy()),
        cluster_size=_readonly(size),
        cluster_runs=_readonly(nruns),
    )


@dataclass(frozen=True, slots=True, eq=False)
class Stability:
    """Stability of each component of a basis (the reference run, seed ``seeds[0]``).

    Attributes:
        basis: the basis name as text (``ica`` or ``dict:K``).
        seeds: the R seeds, reference first.
        fit_rows: rows the runs were fitted (and compared) on.
        threshold: index below which a component is ``unstable``.
        quality: the Icasso clusters (per reference component).
        unstable: per reference component, ``quality.index < threshold``.
        mean_index: mean of ``quality.index``.
        n_stable: components at or above the threshold.
    """

    basis: str
    seeds: tuple[int, ...]
    fit_rows: int
    threshold: float
    quality: ClusterQuality
    unstable: np.ndarray[Any, np.dtype[np.bool_]]
    mean_index: float
    n_stable: int

    @property
    def index(self) -> F64:
        """Per reference component, its stability index (Iq)."""
        return self.quality.index


def run_input(fit: F64, name: BasisName) -> F64:
    """What each run of `name` starts from: the whitened PCA scores of the fit rows (ica:
    the whitening is deterministic, so it is shared by the runs) or the fit rows (dict)."""
    if name.kind == "ica":
        w = fit_whitening(fit)
        scores: F64 = (fit - w.mean) @ w.weights
        return scores
    return fit


def run_components(
    start: F64,
    name: str | BasisName,
    seed: int,
    dict_alpha: float = DICT_ALPHA,
    cancel: CancelFlag | None = None,
) -> F64:
    """One stability run with `seed` from `run_input`'s output: the ICA unmixing (k × k,
    components as rows) or the dictionary's codes of the fit rows (n × K). Runs are
    independent of each other (a process pool may run them in any order)."""
    basis = parse_basis_name(name)
    if basis.kind == "ica":
        return fit_ica_rotation(start, seed).unmixing
    fitted = fit_basis(
        start, basis, fit_rows=start.shape[0], seed=seed, dict_alpha=dict_alpha, cancel=cancel
    )
    codes: F64 = np.asarray(fitted.transform(start, dtype=np.float64), dtype=np.float64)
    return codes


def stability_of_runs(
    runs: Sequence[F64],
    name: str | BasisName,
    seeds: Sequence[int],
    fit_rows: int,
    threshold: float = STABILITY_THRESHOLD,
) -> Stability:
    """The Icasso stability from the runs' outputs (`run_components`, reference run first)."""
    basis = parse_basis_name(name)
    if len(runs) != len(seeds) or len(runs) < 2:
        raise ValueError("stability needs at least 2 runs, one per seed")
    if basis.kind == "ica":
        stacked = np.vstack(runs)
        similarity: F64 = np.abs(stacked @ stacked.T)
        k = runs[0].shape[0]
    else:
        stacked = np.hstack(runs)
        similarity = np.abs(dimension_correlation(stacked, stacked))
        k = runs[0].shape[1]
    run_of = np.repeat(np.arange(len(runs), dtype=np.int64), k)
    quality = icasso_quality(similarity, run_of, reference_run=0)
    unstable = np.asarray(quality.index < threshold)
    return Stability(
        basis=str(basis),
        seeds=tuple(int(s) for s in seeds),
        fit_rows=int(fit_rows),
        threshold=float(threshold),
        quality=quality,
        unstable=_readonly(unstable),
        mean_index=float(quality.index.mean()),
        n_stable=int((~unstable).sum()),
    )


def stability_fit_rows(vectors: FloatArray, name: str | BasisName, runs: int, fit_rows: int) -> F64:
    """The checked fit rows of a stability computation (ValueError for bad arguments)."""
    basis = parse_basis_name(name)
    if basis.kind not in ("ica", "dict"):
        raise ValueError(f"stability is defined for ica and dict:K bases, not {basis}")
    if runs < 2:
        raise ValueError(f"runs must be >= 2, got {runs}")
    if fit_rows < 2:
        raise ValueError(f"fit_rows must be >= 2, got {fit_rows}")
    x = np.asarray(vectors)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a 2-D matrix (words × dims), got shape {x.shape}")
    fit = np.asarray(x[: min(fit_rows, x.shape[0])], dtype=np.float64)
    if not np.all(np.isfinite(fit)):
        raise ValueError("vectors contains NaN or infinite values")
    if basis.kind == "ica" and fit.shape[0] <= fit.shape[1]:
        raise ValueError(f"the ica basis needs more than {fit.shape[1]} fit rows")
    return fit


def basis_stability(
    vectors: FloatArray,
    name: str | BasisName,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    fit_rows: int = DEFAULT_FIT_ROWS,
    threshold: float = STABILITY_THRESHOLD,
    dict_alpha: float = DICT_ALPHA,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> Stability:
    """Icasso stability of each component of the ``ica`` or ``dict:K`` basis.

    Fits ``runs`` (>= 2) runs on the first ``fit_rows`` rows with seeds ``seed + r``;
    run 0 equals ``fit_basis(vectors, name, fit_rows=fit_rows, seed=seed)``. See the
    module docstring. Raises ValueError for another basis kind or bad arguments and
    :class:`polyterm.errors.Cancelled` when cancelled (polled between runs).
    """
    basis = parse_basis_name(name)
    fit = stability_fit_rows(vectors, basis, runs, fit_rows)
    seeds = [seed + r for r in range(runs)]
    start = run_input(fit, basis)
    outputs = []
    for r, s in enumerate(seeds):
        check_cancel(cancel, "the stability runs")
        outputs.append(run_components(start, basis, s, dict_alpha, cancel))
        if progress is not None:
            progress((r + 1) / len(seeds) * 0.95, "runs")
    check_cancel(cancel, "the stability runs")
    result = stability_of_runs(outputs, basis, seeds, fit.shape[0], threshold)
    if progress is not None:
        progress(1.0, "done")
    return result
