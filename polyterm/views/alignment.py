"""Two models compared as wholes: matching, Procrustes, CKA, SVCCA — each beside its null.

Everything is computed over the vocabulary the two models share, in the first model's
frequency order, optionally cut to the `top_n` most frequent shared words (rare words are
mostly noise in small corpora). Nulls, R repetitions from one seeded generator:

- *rotation*: model A is rotated by a Haar-random orthogonal matrix; this destroys any
  correspondence of dimensions but keeps all geometry, so it is the null for dimension-wise
  statistics. CKA, SVCCA and Procrustes are invariant to it by construction.
- *shuffle*: A's rows are permuted, breaking the word correspondence; the null for every
  statistic, including the rotation-invariant ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from polyterm.core.arrays import gram
from polyterm.core.embedding import Embedding
from polyterm.core.matching import match_dimensions, standardised_columns
from polyterm.core.neighbours import top_k_rows
from polyterm.core.nulls import NullSummary, random_rotation, summarise_null
from polyterm.core.procrustes import ProcrustesResult, procrustes_align
from polyterm.core.representational_similarity import linear_cka, orthonormal_basis, svd_reduce
from polyterm.core.shared_vocab import shared_vocabulary
from polyterm.errors import PolytermError
from polyterm.views.model_summary import ModelSummary, cli_models, models_table, too_large_k
from polyterm.views.protocol import Data, Phrase, Table, joined, null_text, slug_of

DEFAULT_TOP_N = 10_000
DEFAULT_REPETITIONS = 20
PAIRS_SHOWN = 15

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Statistic:
    """One number with the nulls it should be read against."""

    name: str
    observed: float
    nulls: tuple[NullSummary, ...]
    meaning: str

    def null(self, kind: str) -> NullSummary | None:
        return next((n for n in self.nulls if n.kind == kind), None)


@dataclass(frozen=True, slots=True)
class DimensionPair:
    """Dimension `dim_a` of A beside its partner `dim_b` of B (r < 0: B's bottom end)."""

    dim_a: int
    dim_b: int
    r: float
    jaccard: float
    words_a: tuple[str, ...]
    words_b: tuple[str, ...]

    @property
    def shared(self) -> tuple[str, ...]:
        return tuple(w for w in self.words_a if w in set(self.words_b))


@dataclass(frozen=True, slots=True)
class AlignmentView:
    a: ModelSummary
    b: ModelSummary
    n_words: int
    shared_total: int
    coverage: tuple[float, float]
    top_n: int | None
    k: int
    repetitions: int
    seed: int
    statistics: tuple[Statistic, ...]
    matched: tuple[DimensionPair, ...]
    aligned: tuple[DimensionPair, ...]
    matched_curve: tuple[float, ...]
    reduced_to: int | None
    most_stable: tuple[str, ...]
    least_stable: tuple[str, ...]

    def statistic(self, name: str) -> Statistic:
        return next(s for s in self.statistics if s.name == name)

    def title(self) -> Phrase:
        return Phrase.of(
            Data(self.a.name), " vs ", Data(self.b.name), ": matching, alignment and similarity"
        )

    def slug(self) -> str:
        return slug_of("align", [self.a.name, self.b.name])

    def tables(self) -> tuple[Table, ...]:
        """`models`; `statistics` beside their nulls; `matched` and `aligned` dimension
        pairs (the first 15 of each), words shared by a pair in bold."""
        return (
            models_table([self.a, self.b]),
            Table(
                "statistics",
                "Statistics beside their nulls",
                (
                    "statistic",
                    "observed",
                    "rotation null (mean ± sd, z)",
                    "shuffle null",
                    "meaning",
                ),
                tuple(
                    (
                        s.name,
                        s.observed,
                        null_text(s.null("rotation")),
                        null_text(s.null("shuffle")),
                        s.meaning,
                    )
                    for s in self.statistics
                ),
                numeric=(False, True, True, True, False),
            ),
            self._pairs_table(
                "matched", "Matched dimensions (Hungarian on |r|, before rotation)", self.matched
            ),
            self._pairs_table("aligned", "Aligned dimensions (after Procrustes)", self.aligned),
        )

    def _pairs_table(self, key: str, title: str, pairs: tuple[DimensionPair, ...]) -> Table:
        a, b = Data(self.a.name), Data(self.b.name)
        return Table(
            key,
            title,
            (
                Phrase.of(a, " dim"),
                Phrase.of(b, " dim"),
                "r",
                "Jaccard",
                Phrase.of("top words in ", a),
                Phrase.of("top words in ", b, " (bottom if r < 0)"),
            ),
            tuple(
                (
                    p.dim_a,
                    p.dim_b,
                    f"{p.r:+.3f}",
                    p.jaccard,
                    joined(p.words_a, bold=p.shared),
                    joined(p.words_b, bold=p.shared),
                )
                for p in pairs[:PAIRS_SHOWN]
            ),
            numeric=(True, True, True, True, False, False),
        )

    def command(self) -> str:
        opts = f" --k {self.k} --repetitions {self.repetitions} --seed {self.seed}"
        opts += f" --top-n {self.top_n}" if self.top_n else " --top-n 0"
        return f"polyterm align {cli_models([self.a, self.b])}{opts}"

    def readings(self) -> tuple[str, ...]:
        """Short plain-language readings of the numbers."""
        out = []
        m = self.statistic("mean matched |r|")
        rot = m.null("rotation")
        if rot is not None:
            out.append(
                f"Matched one-to-one, dimensions of {self.a.name} and {self.b.name} correlate "
                f"with mean |r| = {m.observed:.3f}, against {rot.null_mean:.3f} ± "
                f"{rot.null_sd:.3f} when {self.a.name} is randomly rotated"
                f"{_z_text(rot)}: "
                + (
                    "individual dimensions correspond beyond what any basis would give."
                    if rot.z is not None and rot.z > 2
                    else "no better than a random basis, so individual dimensions are not "
                    "shared even where the geometry is."
                )
            )
        j = self.statistic("aligned top-k Jaccard")
        sh = j.null("shuffle")
        if sh is not None:
            out.append(
                f"After Procrustes, aligned dimensions share {j.observed:.1%} of their "
                f"top-{self.k} words (Jaccard), against {sh.null_mean:.1%} by chance "
                f"(shuffled words){_z_text(sh)}."
            )
        c = self.statistic("linear CKA")
        sh = c.null("shuffle")
        if sh is not None:
            out.append(
                f"Linear CKA is {c.observed:.3f} (1 = same geometry up to rotation and "
                f"scale), against {sh.null_mean:.3f} for shuffled words{_z_text(sh)}."
            )
        return tuple(out)


def _z_text(n: NullSummary) -> str:
    return "" if n.z is None else f" (z = {n.z:.1f})"


def _pairs(
    a: F64,
    b: F64,
    dims_a: npt.NDArray[np.int64],
    dims_b: npt.NDArray[np.int64],
    r: F64,
    jac: F64,
    words: tuple[str, ...],
    k: int,
) -> tuple[DimensionPair, ...]:
    def top(col: F64) -> tuple[str, ...]:
        n = col.size
        idx = np.argpartition(col, n - k)[n - k :]
        idx = idx[np.lexsort((idx, -col[idx]))]
        return tuple(words[int(i)] for i in idx)

    out = []
    for i, j, rv, jv in zip(dims_a, dims_b, r, jac, strict=True):
        sign = -1.0 if rv < 0 else 1.0
        out.append(
            DimensionPair(int(i), int(j), float(rv), float(jv), top(a[:, i]), top(sign * b[:, j]))
        )
    return tuple(out)


def _basis_statistics(x: F64, b: F64, k: int) -> dict[str, float]:
    """The statistics that depend on A's basis (rotation and shuffle nulls both apply)."""
    m = match_dimensions(x, b, k=k)
    return {
        "mean matched |r|": m.mean_matched_abs_r,
        "matched top-k Jaccard": m.mean_topk_jaccard,
        "linear CKA (standardised)": linear_cka(x, b, standardise=True).cka,
    }


class _TopWordsOfB:
    """Top-k rows of each dimension of B at both ends, selected once."""

    def __init__(self, b: F64, k: int) -> None:
        self.k = k
        self.top = [top_k_rows(b[:, j], k) for j in range(b.shape[1])]
        self.bottom = [top_k_rows(-b[:, j], k) for j in range(b.shape[1])]

    def matched_jaccard(self, columns: F64, dims_b: npt.NDArray[np.intp], r: F64) -> float:
        """Mean top-k Jaccard of `columns[:, p]` with B's dimension `dims_b[p]` (flipped if r<0)."""
        out = []
        for p, (j, rv) in enumerate(zip(dims_b, r, strict=True)):
            top_a = top_k_rows(columns[:, p], self.k)
            top_b = self.bottom[j] if rv < 0 else self.top[j]
            inter = np.intersect1d(top_a, top_b, assume_unique=True).size
            out.append(inter / (2 * self.k - inter))
        return float(np.mean(out))


def _matched(r: F64) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], F64]:
    rows, cols = linear_sum_assignment(np.abs(r), maximize=True)
    return rows, cols, r[rows, cols]


class _RotationStatistics:
    """`_basis_statistics` of A·Q for many rotations Q, computed from d × d matrices.

    Centring commutes with A ↦ A·Q, so with Σ = AcᵀAc and C = Acᵀ·Bz (Bz: B's columns
    centred to unit norm), the correlation of dimension i of A·Q with dimension j of B is
    (QᵀC)ᵢⱼ / sqrt((QᵀΣQ)ᵢᵢ), and the standardised CKA needs only QᵀΣQ and QᵀC too. Only
    the top-k words of matched dimensions touch the n × d matrix (``a @ Q[:, matched]``).
    ``measure(Q)`` equals ``_basis_statistics(a @ Q, b, k)`` (tested against it).
    """

    def __init__(self, a: F64, b: F64, top_b: _TopWordsOfB) -> None:
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
        rows, cols, pair_r = _matched(r)
        jaccard = self.top_b.matched_jaccard(self.a @ q[:, rows], cols, pair_r)
        std = np.sqrt(var / self.n)
        std[std == 0] = 1.0
        num = float(np.linalg.norm((q.T @ self.cross_z) / std[:, None]) ** 2)
        den = float(np.linalg.norm(cov / np.outer(std, std)) * self.bs_gram_norm)
        return {
            "mean matched |r|": float(np.abs(pair_r).mean()),
            "matched top-k Jaccard": jaccard,
            "linear CKA (standardised)": min(max(num / den, 0.0), 1.0),
        }


class _ShuffleStatistics:
    """Every statistic of A with its rows permuted, computed fast.

    Every preparation these statistics make (unit rows, centring, PCA, Frobenius scaling,
    SVD reduction, orthonormal bases) commutes with a permutation of the rows, so it is
    done once. Every statistic then pairs row i of A with row i of B, so permuting A's rows
    by `perm` is permuting B's by its inverse, and B's side is the smaller one; a top-k row
    set of permuted A is the inverse-permuted top-k set of A. A draw costs one d1 × d2
    cross product and n × d work on B's side: ``measure(perm)`` equals running
    `procrustes_align`, `linear_cka`, `svcca` and `_basis_statistics` on ``a[perm]``
    (tested against them; only rows tied at a top-k boundary could be ordered otherwise).
    """

    def __init__(
        self, a: F64, b: F64, procrustes: ProcrustesResult, k: int, top_b: _TopWordsOfB
    ) -> None:
        self.k, self.a, self.top_b = k, a, top_b
        self.xc = a - a.mean(axis=0)
        self.yc = b - b.mean(axis=0)
        self.cka_denominator = float(np.linalg.norm(gram(self.xc)) * np.linalg.norm(gram(self.yc)))
        za, zb = standardised_columns(a), standardised_columns(b)
        self.cka_z_denominator = float(np.linalg.norm(gram(za)) * np.linalg.norm(gram(zb)))
        # za = xc / column norm (0 for a constant column): the standardised cross products
        # are the plain ones scaled, so one product serves both CKAs and the matching.
        self.scale_a = _inverse_column_norms(self.xc, za)
        self.scale_b = _inverse_column_norms(self.yc, zb)
        # Procrustes works on the prepared matrices: A (in its PCA basis) and B.
        self.x = procrustes.aligned @ procrustes.rotation.T
        self.y = procrustes.target
        self.zy = standardised_columns(self.y)
        self.y_norm = float(np.linalg.norm(self.y))
        self.y_top = [top_k_rows(self.y[:, j], k) for j in range(self.y.shape[1])]
        self.y_bottom = [top_k_rows(-self.y[:, j], k) for j in range(self.y.shape[1])]
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
        rows, cols, pair_r = _matched(cross)
        return {
            "mean matched |r|": float(np.abs(pair_r).mean()),
            "matched top-k Jaccard": self.top_b.matched_jaccard(
                self.a[:, rows][perm], cols, pair_r
            ),
            "linear CKA (standardised)": min(
                max(float(np.linalg.norm(cross) ** 2) / self.cka_z_denominator, 0.0), 1.0
            ),
            "Procrustes relative residual": residual,
            "aligned mean |r|": float(np.abs(aligned_r).mean()),
            "aligned top-k Jaccard": aligned_jaccard,
            "linear CKA": cka,
            "SVCCA mean correlation": float(np.clip(corr, 0.0, 1.0).mean()),
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
            top_x = inverse[top_k_rows(xr[:, j], k)]
            top_y = self.y_bottom[j] if rv < 0 else self.y_top[j]
            inter = np.intersect1d(top_x, top_y, assume_unique=True).size
            jaccard.append(inter / (2 * k - inter))
        return residual, aligned_r, float(np.mean(jaccard)) if jaccard else np.nan


def _inverse_column_norms(centred: F64, standardised: F64) -> F64:
    """1 / the norm of each centred column, 0 where `standardised_columns` zeroed it."""
    norms: F64 = np.linalg.norm(centred, axis=0)
    out: F64 = np.zeros_like(norms)
    live = np.any(standardised != 0, axis=0) & (norms > 0)
    out[live] = 1.0 / norms[live]
    return out


def alignment_view(
    model_a: Embedding,
    model_b: Embedding,
    *,
    k: int = 10,
    top_n: int | None = DEFAULT_TOP_N,
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> AlignmentView:
    """Compare two models over their shared vocabulary, every statistic with its nulls."""
    if repetitions < 2:
        raise PolytermError(f"--repetitions must be at least 2, not {repetitions}")
    shared = shared_vocabulary([model_a.vocab, model_b.vocab], top_n=top_n or None)
    n = len(shared.words)
    if n < max(model_a.dims, model_b.dims) + 2:
        raise PolytermError(
            f"{model_a.name} and {model_b.name} share only {n} words: too few to compare "
            f"{model_a.dims}- and {model_b.dims}-dimensional models"
        )
    if n < 3 * k:
        raise PolytermError(too_large_k(model_a.name, model_b.name, shared, k, n // 3))
    if not 1 <= k <= n:
        raise PolytermError(f"k must be between 1 and {n}")
    a = np.asarray(model_a.vectors, dtype=np.float64)[shared.indices[0]]
    b = np.asarray(model_b.vectors, dtype=np.float64)[shared.indices[1]]
    for model, x in ((model_a, a), (model_b, b)):
        if not np.any(np.ptp(x, axis=0) > 0):
            raise PolytermError(
                f"every dimension of {model.name} is constant over the {n} shared words (all "
                "their vectors are equal): there is no variation to align or compare"
            )
    matching = match_dimensions(a, b, k=k)
    procrustes = procrustes_align(a, b, k=k)
    top_b = _TopWordsOfB(b, k)
    shuffled = _ShuffleStatistics(a, b, procrustes, k, top_b)
    rotations = _RotationStatistics(a, b, top_b)
    observed = {
        **shuffled.measure(np.arange(n)),
        # as `_basis_statistics(a, b, k)`, from the matching computed above
        "mean matched |r|": matching.mean_matched_abs_r,
        "matched top-k Jaccard": matching.mean_topk_jaccard,
        "linear CKA (standardised)": linear_cka(a, b, standardise=True).cka,
    }
    rng = np.random.default_rng(seed)
    draws: dict[str, dict[str, list[float]]] = {"rotation": {}, "shuffle": {}}
    for rep in range(repetitions):
        # One generator, in a fixed order: a rotation, then a permutation, per repetition.
        for name, value in rotations.measure(random_rotation(a.shape[1], rng)).items():
            draws["rotation"].setdefault(name, []).append(value)
        perm = rng.permutation(n)
        for name, value in shuffled.measure(perm).items():
            draws["shuffle"].setdefault(name, []).append(value)
        if progress is not None:
            progress((rep + 1) / repetitions)
    meanings = {
        "mean matched |r|": "one-to-one matching of dimensions on |Pearson r| (Hungarian)",
        "matched top-k Jaccard": f"top-{k} word overlap of matched dimension pairs",
        "Procrustes relative residual": "‖A·R − B‖ with ‖A‖ = ‖B‖ = 1, best rotation R (0 … √2)",
        "aligned mean |r|": "|r| of dimension i of A·R with dimension i of B",
        "aligned top-k Jaccard": f"top-{k} word overlap of aligned dimension pairs",
        "linear CKA": "Kornblith et al. 2019; invariant to rotation and scale",
        "linear CKA (standardised)": "CKA after z-scoring each dimension",
        "SVCCA mean correlation": "Raghu et al. 2017, 99% variance kept",
    }
    statistics = []
    for name in meanings:
        value = observed[name]
        nulls = tuple(
            summarise_null(value, draws[kind][name], kind=kind, seed=seed)  # type: ignore[arg-type]
            for kind in ("rotation", "shuffle")
            if name in draws[kind]
        )
        statistics.append(Statistic(name, value, nulls, meanings[name]))
    words = shared.words
    # Aligned pairs: column i of A·R against column i of B (of B's PCA basis if reduced).
    ident = np.arange(procrustes.aligned.shape[1], dtype=np.int64)
    aligned = _pairs(
        procrustes.aligned,
        procrustes.target,
        ident,
        ident,
        procrustes.aligned_r,
        procrustes.topk_jaccard,
        words,
        k,
    )
    return AlignmentView(
        a=ModelSummary.of(model_a),
        b=ModelSummary.of(model_b),
        n_words=n,
        shared_total=shared.total_shared,
        coverage=(shared.coverage[0], shared.coverage[1]),
        top_n=top_n or None,
        k=k,
        repetitions=repetitions,
        seed=seed,
        statistics=tuple(statistics),
        matched=_pairs(
            a,
            b,
            matching.matched_a,
            matching.matched_b,
            matching.matched_r,
            matching.topk_jaccard,
            words,
            k,
        ),
        aligned=aligned,
        matched_curve=tuple(float(x) for x in matching.matched_abs_curve),
        reduced_to=procrustes.reduced_to,
        most_stable=tuple(words[int(i)] for i in procrustes.most_stable[:10]),
        least_stable=tuple(words[int(i)] for i in procrustes.least_stable[:10]),
    )
