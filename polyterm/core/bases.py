"""Bases: named, frozen transforms of a model's vectors into per-word codes.

A model's raw dimensions are arbitrary when its objective is rotation invariant
(word2vec, GloVe), so "is dimension 17 shared across models?" means little in the raw
basis. A *basis* lets the data choose the axes; every per-dimension analysis can then be
run on the codes (n words × k axes/atoms) instead of the raw vectors.

Names (:class:`BasisName`, parsed by :func:`parse_basis_name`):

- ``raw`` — the vectors themselves (k = d); the transform is a float cast.
- ``pca`` — centred on the fit rows' mean, projected on the principal axes and whitened
  (the codes' sample covariance on the fit rows, ddof = 1, is the identity), ordered
  by explained variance (descending). scikit-learn ``PCA(svd_solver="full")`` gives
  the axes; the sign of each axis is then fixed so that its codes have non-negative
  skewness on the fit rows (the long tail, where the characteristic words sit, is the
  top end). Components whose variance is at rounding level (``<= 1e-12 ×`` the
  largest; a rank-deficient model) are dropped, so k can be below d.
- ``ica`` — Yamagiwa, Oyama & Shimodaira (EMNLP 2023): the whitened PCA scores above,
  rotated by an orthogonal ICA. The objective is FastICA's (logcosh contrast, symmetric
  orthogonal unmixing, sub- and super-Gaussian sources); it is solved by Picard-O
  (Ablin, Cardoso & Gramfort 2018; ``python-picard``, ``ortho=True, extended=True``),
  preconditioned L-BFGS, run until the gradient norm (:func:`ica_gradient_norm`) is below
  ``ICA_TOL`` = 1e-7. FastICA at scikit-learn's tol 1e-4 stops after 60–133 iterations far
  from convergence: on brown_30 its 10 seeds agree on 6 of 30 components, where
  converged fits agree on 29 (see ``notes/bases.md``). The unmixing is orthogonal, so the
  ICA codes are also white on the fit rows (identity covariance). Each component's sign
  is fixed to positive skewness and components are ordered by skewness, descending.
  ``params`` records ``algorithm``, ``n_iter``, the final ``gradient_norm`` and
  ``converged`` (a non-converged fit is still returned).
- ``dict:K`` — a K-atom sparse dictionary (:mod:`polyterm.core.sparse_coding`: exact
  non-negative lasso codes of every fit row by an active-set method, alternated with
  Mairal et al.'s block-coordinate atom update, after two online warm-up epochs, until
  the objective improves by less than 0.1 % over 5 passes; scikit-learn's
  ``MiniBatchDictionaryLearning`` stopped after 2 of its 30 epochs and coded 14,000
  words in 17 s), learned on the fit rows **uncentred**,
  divided by one scalar (the root-mean-square row norm of the fit rows, so rows have RMS
  norm 1 and the L1 penalty ``alpha`` means the same for every model). Atoms are
  unit-norm, signed vectors in that scaled space. A word's code is the non-negative
  lasso solution ``argmin_{u >= 0} ½‖x − uD‖² + alpha‖u‖₁`` (the problem scikit-learn's
  ``sparse_encode(positive=True)`` solves; here solved exactly for all rows at once), with
  the same ``alpha`` as the fit. ``params`` records the passes, whether training
  stopped because the objective stopped improving (``converged``), the final objective,
  the relative reconstruction error and the mean L0 of the fit rows.

  *Why uncentred.* The generative model behind both sources — Arora et al. (2018,
  "atoms of discourse": a word vector is a sparse sum of atoms) and Faruqui et al.
  (2015, sparse overcomplete word vectors) — is fitted to the vectors themselves.
  Centring a sparse non-negative mixture gives every word a dense negative offset on
  every atom (x − x̄ = Σ (a_k − ā_k) d_k), which a non-negative sparse code cannot
  represent; in the planted-atom tests centring lost atoms that the uncentred fit
  recovers. The price: the common direction of word2vec/GloVe vectors (their mean;
  Mu & Viswanath 2018) takes an atom that most words use — Arora et al.'s "common
  discourse" — which is visible (high ``usage``) and cheap for an overcomplete K.

  *Why non-negative codes.* An atom in Arora et al.'s sense is a topic that a word
  *uses*; Faruqui et al. found non-negative sparse overcomplete codes markedly more
  interpretable than signed ones. With non-negative codes an atom has one meaning (its
  top words by code value), "how many words use it" is simply the count of positive
  codes, and an atom is never used "in reverse". Opposite directions need separate
  atoms, which an overcomplete K allows.

Fitting (:func:`fit_basis`) uses the first ``fit_rows`` rows — callers order rows by
frequency, so these are the most frequent words — and is seeded: the same inputs, name
and seed give bit-identical arrays. Applying (:meth:`FittedBasis.transform`) works on
every row, in blocks, so a 3M-word model never needs a full float64 copy.

Storage: a :class:`FittedBasis` is plain numpy arrays (:meth:`FittedBasis.to_arrays`)
plus a JSON-able ``params`` dict; :meth:`FittedBasis.from_arrays` rebuilds it without
pickle and the rebuilt basis transforms identically.

scikit-learn is imported inside the functions that need it (it is slow to import).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from polyterm.core.arrays import F64, FloatArray
from polyterm.core.arrays import as_matrix as _as_matrix
from polyterm.errors import Cancelled

BasisKind = Literal["raw", "pca", "ica", "dict"]

FORMAT_VERSION = 2
"""``params["format"]``: bumped when the meaning of the stored arrays or the fit changes
(2: ica by Picard-O to gradient norm 1e-7 instead of FastICA stopped at tol 1e-4, dict:K
trained until its objective stops improving; a basis of an older format is refitted,
never read)."""

DEFAULT_FIT_ROWS = 10_000
DEFAULT_BLOCK_ROWS = 50_000
VARIANCE_RELATIVE_TOLERANCE = 1e-12
"""A principal component with variance <= this × the largest is dropped (rank deficit)."""

ICA_ALGORITHM = "picard-o"
"""``params["algorithm"]`` of an ica basis: Picard-O (extended, tanh), FastICA's objective."""
ICA_MAX_ITER = 3000
ICA_TOL = 1e-7
"""Picard's stopping rule: the gradient norm (:func:`ica_gradient_norm`) below this."""
DICT_ALPHA = 0.1
"""L1 penalty of ``dict:K`` codes, for rows scaled to RMS norm 1 (see the module doc)."""
DICT_ALGORITHM = "nonnegative-lasso-active-set+bcd"
"""``params["algorithm"]`` of a dict:K basis (see :mod:`polyterm.core.sparse_coding`)."""
DICT_MAX_ITER = 500
"""Full passes over the fit rows at most (each: every row's exact code, then the atoms)."""
DICT_TOL = 1e-3
DICT_WINDOW = 5
"""Training stops when the objective improved by less than DICT_TOL (relative) over the
last DICT_WINDOW passes: it has stopped improving."""
DICT_WARMUP_EPOCHS = 2
DICT_MOMENTUM = 1.0
MAX_DICT_ATOMS = 100_000

ProgressFn = Callable[[float, str], None]
"""``progress(fraction, stage)``: fraction of the whole call in [0, 1], a short stage name."""


class OutdatedBasis(ValueError):
    """A stored basis of another ``FORMAT_VERSION``: refit it, never read it."""


class CancelFlag(Protocol):
    """What long calls poll to stop early (a threading or multiprocessing Event)."""

    def is_set(self) -> bool: ...


def check_cancel(cancel: CancelFlag | None, what: str) -> None:
    """Raise :class:`polyterm.errors.Cancelled` if ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(what)


def _report(progress: ProgressFn | None, fraction: float, stage: str) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)), stage)


_DICT_RE = re.compile(r"dict:([0-9]+)")


@dataclass(frozen=True, slots=True)
class BasisName:
    """A parsed basis name: ``kind`` and, for ``dict``, the number of ``atoms``."""

    kind: BasisKind
    atoms: int | None = None

    def __post_init__(self) -> None:
        if self.kind == "dict":
            if self.atoms is None or not 1 <= self.atoms <= MAX_DICT_ATOMS:
                raise ValueError(f"dict:K needs 1 <= K <= {MAX_DICT_ATOMS}, got {self.atoms}")
        elif self.kind in ("raw", "pca", "ica"):
            if self.atoms is not None:
                raise ValueError(f"basis {self.kind!r} takes no atom count")
        else:
            raise ValueError(f"unknown basis kind {self.kind!r}")

    def __str__(self) -> str:
        return f"dict:{self.atoms}" if self.kind == "dict" else self.kind

    @property
    def whitened(self) -> bool:
        """True for pca and ica: codes have identity covariance on the fit rows."""
        return self.kind in ("pca", "ica")


def parse_basis_name(text: str | BasisName) -> BasisName:
    """``raw``, ``pca``, ``ica`` or ``dict:K`` (K a positive integer) as a BasisName.

    Surrounding whitespace and case are ignored. Raises ValueError for anything else,
    with a message naming the accepted forms.
    """
    if isinstance(text, BasisName):
        return text
    t = str(text).strip().lower()
    if t in ("raw", "pca", "ica"):
        return BasisName(t)  # type: ignore[arg-type]
    m = _DICT_RE.fullmatch(t)
    if m is not None:
        k = int(m.group(1))
        if not 1 <= k <= MAX_DICT_ATOMS:
            raise ValueError(f"dict:K needs 1 <= K <= {MAX_DICT_ATOMS}, got {text!r}")
        return BasisName("dict", k)
    raise ValueError(f"unknown basis {text!r}: use raw, pca, ica or dict:K (e.g. dict:120)")


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def _picard_version() -> str:
    import picard  # type: ignore[import-untyped]

    return str(picard.__version__)


def _readonly_copy(x: FloatArray) -> F64:
    out = np.array(x, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


# Which arrays each kind stores, and their shapes in terms of d (dims) and k (codes).
_ARRAY_SHAPES: dict[str, dict[str, tuple[str, ...]]] = {
    "raw": {},
    "pca": {"mean": ("d",), "weights": ("d", "k"), "variance": ("k",), "skewness": ("k",)},
    "ica": {
        "mean": ("d",),
        "weights": ("d", "k"),
        "pca_weights": ("d", "k"),
        "unmixing": ("k", "k"),
        "skewness": ("k",),
    },
    "dict": {"scale": (), "dictionary": ("k", "d"), "usage": ("k",)},
}


@dataclass(frozen=True, slots=True, eq=False)
class FittedBasis:
    """A fitted basis: read-only float64 arrays plus JSON-able ``params``.

    ``arrays`` by kind (d = model dims, k = number of codes):

    - raw: none.
    - pca: ``mean`` (d,), ``weights`` (d × k: codes = (x − mean) @ weights),
      ``variance`` (k,: explained variance of each axis on the fit rows, descending),
      ``skewness`` (k,: of each code on the fit rows, >= 0 after the sign fix).
    - ica: ``mean``, ``weights`` (d × k, the whole map: pca whitening then unmixing),
      ``pca_weights`` (d × k, the whitening alone), ``unmixing`` (k × k, orthogonal;
      codes = whitened @ unmixing.T), ``skewness`` (k,, descending).
    - dict: ``scale`` (0-d), ``dictionary`` (K × d, unit-norm atoms in the scaled
      space: x / scale ≈ code @ dictionary), ``usage`` (K,: share of fit rows whose
      code is > 0).

    ``params`` keys: ``format``, ``basis`` (the name as text), ``kind``, ``seed``,
    ``fit_rows`` (rows actually used), ``fit_rows_requested``, ``dims`` (d), ``codes``
    (k), ``sklearn`` (version used to fit, None for raw) and kind-specific settings
    (ica: ``max_iter``, ``tol``, ``n_iter``, ``converged``; dict: ``alpha``,
    ``max_iter``, ``tol``, ``window``, ``n_iter``, ``converged``, ``objective``,
    ``relative_error`` (‖X − ZD‖² / ‖X‖² on the scaled fit rows), ``mean_l0`` (atoms a fit
    row uses, on average), ``positive_code``).
    """

    name: BasisName
    params: Mapping[str, Any]
    arrays: Mapping[str, F64]

    @property
    def dims(self) -> int:
        """d: the number of dimensions of the vectors this basis applies to."""
        return int(self.params["dims"])

    @property
    def n_codes(self) -> int:
        """k: the number of codes per word (axes or atoms)."""
        return int(self.params["codes"])

    def to_arrays(self) -> dict[str, F64]:
        """Copies of the arrays, for ``np.save`` (rebuild with :meth:`from_arrays`)."""
        return {key: np.array(value, copy=True) for key, value in self.arrays.items()}

    @classmethod
    def from_arrays(cls, params: Mapping[str, Any], arrays: Mapping[str, Any]) -> FittedBasis:
        """Rebuild a basis from ``params`` and the arrays of :meth:`to_arrays`.

        Checks the format version, that exactly the expected arrays are present with
        consistent shapes and finite values; raises ValueError otherwise (a damaged or
        foreign file). The sklearn version is not checked: the caller decides whether a
        basis fitted under another version may be reused (every transform is pure numpy).
        """
        if params.get("format") != FORMAT_VERSION:
            raise OutdatedBasis(
                f"basis format {params.get('format')!r} is not {FORMAT_VERSION} (fitted by "
                "another version of polyterm)"
            )
        name = parse_basis_name(str(params.get("basis")))
        if params.get("kind") != name.kind:
            raise ValueError("basis params disagree on the kind")
        try:
            d = int(params["dims"])
            k = int(params["codes"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"basis params lack dims/codes: {exc}") from exc
        expected = _ARRAY_SHAPES[name.kind]
        if set(arrays) != set(expected):
            raise ValueError(f"basis {name} needs arrays {sorted(expected)}, got {sorted(arrays)}")
        sizes = {"d": d, "k": k}
        out: dict[str, F64] = {}
        for key, dims in expected.items():
            value = np.asarray(arrays[key])
            if value.dtype.kind != "f":
                raise ValueError(f"basis array {key!r} is not floating point")
            shape = tuple(sizes[s] for s in dims)
            if value.shape != shape:
                raise ValueError(f"basis array {key!r} has shape {value.shape}, not {shape}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"basis array {key!r} contains NaN or infinite values")
            out[key] = _readonly_copy(value)
        if name.kind == "raw" and k != d:
            raise ValueError("a raw basis has as many codes as dims")
        if name.kind == "dict" and (name.atoms != k or float(out["scale"]) <= 0):
            raise ValueError("dict basis: atom count or scale is inconsistent")
        return cls(name=name, params=dict(params), arrays=out)

    def transform(
        self,
        vectors: FloatArray,
        *,
        dtype: type[np.float32] | type[np.float64] = np.float32,
        block_rows: int = DEFAULT_BLOCK_ROWS,
        cancel: CancelFlag | None = None,
        progress: ProgressFn | None = None,
    ) -> np.ndarray[Any, np.dtype[np.float32 | np.float64]]:
        """Codes (n × k) of every row of ``vectors`` (n × d), computed in blocks.

        Each block is converted to float64, transformed, and written into the output of
        ``dtype`` (float32 by default: what a cache stores for a 3M-word model). Rows are
        independent, so the result does not depend on ``block_rows``.

        Raises:
            ValueError: ``vectors`` is not n × d or has NaN/inf values.
            polyterm.errors.Cancelled: ``cancel`` was set (checked between blocks).
        """
        x = np.asarray(vectors)
        if x.ndim != 2 or x.shape[1] != self.dims:
            raise ValueError(f"basis {self.name} expects n × {self.dims} vectors, got {x.shape}")
        if block_rows < 1:
            raise ValueError(f"block_rows must be >= 1, got {block_rows}")
        n = x.shape[0]
        out = np.empty((n, self.n_codes), dtype=dtype)
        for start in range(0, n, block_rows):
            check_cancel(cancel, f"applying the {self.name} basis")
            stop = min(n, start + block_rows)
            block = _as_matrix(x[start:stop], "vectors")
            out[start:stop] = self._transform_block(block)
            _report(progress, stop / n if n else 1.0, "transform")
        if n == 0:
            _report(progress, 1.0, "transform")
        return out

    def _transform_block(self, x: F64) -> F64:
        kind = self.name.kind
        if kind == "raw":
            return x
        if kind in ("pca", "ica"):
            out: F64 = (x - self.arrays["mean"]) @ self.arrays["weights"]
            return out
        return _sparse_codes(
            x / float(self.arrays["scale"]),
            self.arrays["dictionary"],
            alpha=float(self.params["alpha"]),
        )


def _sparse_codes(x: F64, dictionary: F64, *, alpha: float) -> F64:
    """Non-negative lasso codes of the rows of ``x`` on ``dictionary`` (K × d), exact."""
    from polyterm.core.sparse_coding import nonnegative_lasso

    return nonnegative_lasso(x, dictionary, alpha)


def fit_summary(params: Mapping[str, Any]) -> str:
    """How a stored basis was fitted, in a few words for a model's details (empty for raw,
    pca and a basis of another format): ``Picard-O converged in 312 iterations (gradient
    8.1e-08 < tol 1e-07)``, or "did NOT converge" when it stopped at ``max_iter``; for
    dict:K the passes, the reconstruction error and the mean L0 of the fit rows."""
    try:
        if params.get("kind") == "dict" and params.get("algorithm") == DICT_ALGORITHM:
            verdict = (
                "trained until the objective stopped improving"
                if params.get("converged")
                else "stopped at max_iter, still improving"
            )
            return (
                f"{verdict}: {int(params['n_iter']):,} passes, reconstruction error "
                f"{100 * float(params['relative_error']):.1f} %, L0 {float(params['mean_l0']):.1f}"
            )
        if params.get("kind") == "ica" and params.get("algorithm") == ICA_ALGORITHM:
            gradient, tol = float(params["gradient_norm"]), float(params["tol"])
            verdict = "converged" if params.get("converged") else "did NOT converge"
            rel = "<" if gradient < tol else ">="
            return (
                f"Picard-O {verdict} in {int(params['n_iter']):,} iterations "
                f"(gradient {gradient:.1e} {rel} tol {tol:.0e})"
            )
    except (KeyError, TypeError, ValueError):
        return ""
    return ""


def dict_memory_bytes(atoms: int, fit_rows: int, dims: int, rows: int) -> int:
    """An upper bound of the memory a dict:K fit on `fit_rows` rows and the codes of `rows`
    words (in blocks of DEFAULT_BLOCK_ROWS) take, in bytes: the atoms' Gram matrix (and
    a copy), six row × K float64 arrays of the solver and its working sets of at most
    min(K, d + 1) atoms per row (see :mod:`polyterm.core.sparse_coding`)."""
    m = max(fit_rows, min(rows, DEFAULT_BLOCK_ROWS))
    w = min(atoms, dims + 1)
    return int(8 * (2 * atoms * atoms + 6 * m * atoms + 3 * m * w * w + atoms * dims))


def _skewness(codes: F64) -> F64:
    c = codes - codes.mean(axis=0)
    m2 = (c**2).mean(axis=0)
    m3 = (c**3).mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = m3 / m2**1.5
    out: F64 = np.where(m2 > 0, s, 0.0)
    return out


def _base_params(
    name: BasisName, seed: int, rows: int, requested: int, d: int, k: int
) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "basis": str(name),
        "kind": name.kind,
        "seed": int(seed),
        "fit_rows": int(rows),
        "fit_rows_requested": int(requested),
        "dims": int(d),
        "codes": int(k),
        "sklearn": None if name.kind == "raw" else _sklearn_version(),
    }


@dataclass(frozen=True, slots=True)
class Whitening:
    """PCA whitening of the fit rows: ``scores = (x − mean) @ weights`` is white.

    ``weights`` is d × k (principal axes over sqrt of their variance), ``variance`` the
    explained variance of each kept axis (descending). Deterministic (full SVD).
    """

    mean: F64
    weights: F64
    variance: F64


def fit_whitening(fit: F64) -> Whitening:
    """PCA (``svd_solver="full"``) of the fit rows; near-zero-variance axes dropped."""
    from sklearn.decomposition import PCA

    if fit.shape[0] < 2:
        raise ValueError("fitting a basis needs at least 2 rows")
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant rows: caught below
        pca = PCA(svd_solver="full").fit(fit)
    variance = np.asarray(pca.explained_variance_, dtype=np.float64)
    components = np.asarray(pca.components_, dtype=np.float64)
    top = float(variance[0]) if variance.size else 0.0
    keep = variance > VARIANCE_RELATIVE_TOLERANCE * top
    if not top > 0 or not np.any(keep):
        raise ValueError("the fit rows have no variance: every row is the same vector")
    variance = variance[keep]
    weights = components[keep].T / np.sqrt(variance)
    return Whitening(
        mean=np.asarray(pca.mean_, dtype=np.float64), weights=weights, variance=variance
    )


def _fit_pca(fit: F64) -> tuple[dict[str, F64], dict[str, Any]]:
    w = fit_whitening(fit)
    scores = (fit - w.mean) @ w.weights
    skew = _skewness(scores)
    signs = np.where(skew < 0, -1.0, 1.0)
    return (
        {
            "mean": w.mean,
            "weights": w.weights * signs,
            "variance": w.variance,
            "skewness": skew * signs,
        },
        {},
    )


def ica_gradient_norm(codes: F64) -> float:
    """The Picard-O gradient norm of whitened ``codes`` (n × k): how far an ICA is from a
    stationary point of the likelihood, whichever optimiser found it.

    ``G = tanh(Y) Yᵀ / n`` (Y = codesᵀ), each row multiplied by the sign of its
    component's sub/super-Gaussianity estimate ``mean(1 − tanh²(y)) − G_ii`` (the extended
    algorithm, as FastICA with logcosh separates either kind), projected on the
    skew-symmetric matrices (the orthogonal constraint); the norm is ``max |G_ij|``.
    Exactly Picard's stopping statistic (Ablin, Cardoso & Gramfort 2018)."""
    y = np.asarray(codes, dtype=np.float64).T
    if y.shape[0] == 0 or y.shape[1] == 0:
        return 0.0
    psi = np.tanh(y)
    g = (psi @ y.T) / y.shape[1]
    kurt = np.mean(1.0 - psi**2, axis=1) - np.diag(g)
    g = g * np.sign(kurt)[:, None]
    g = (g - g.T) / 2
    return float(np.max(np.abs(g)))


@dataclass(frozen=True, slots=True)
class IcaRotation:
    """An orthogonal ICA rotation of whitened scores (:func:`fit_ica_rotation`).

    ``unmixing`` (k × k) has the components as rows, sign-fixed to positive skewness and
    ordered by skewness (descending): codes = scores @ unmixing.T. ``n_iter`` is the
    optimiser's iteration count, ``gradient_norm`` the final :func:`ica_gradient_norm`
    and ``converged`` whether it is below the requested ``tol`` within ``max_iter``."""

    unmixing: F64
    skewness: F64
    n_iter: int
    gradient_norm: float
    converged: bool


def fit_ica_rotation(
    scores: F64, seed: int, *, max_iter: int = ICA_MAX_ITER, tol: float = ICA_TOL
) -> IcaRotation:
    """Picard-O (``python-picard``: ``ortho=True, extended=True, fun="tanh"``; the FastICA
    objective, solved by preconditioned L-BFGS) on whitened ``scores`` (n × k), started
    from a random rotation drawn from ``seed``, until the gradient norm is below ``tol``.
    """
    from picard import picard  # type: ignore[import-untyped]

    k = scores.shape[1]
    if k == 1:  # one component: nothing to rotate
        unmixing = np.ones((1, 1))
        n_iter = 0
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # non-convergence is recorded below
            _, w, _, n_iter = picard(
                np.ascontiguousarray(scores.T),
                fun="tanh",
                ortho=True,
                extended=True,
                whiten=False,
                centering=False,
                max_iter=max_iter,
                tol=tol,
                random_state=seed,
                return_n_iter=True,
            )
        unmixing = np.asarray(w, dtype=np.float64)
    codes = scores @ unmixing.T
    gradient = ica_gradient_norm(codes)
    skew = _skewness(codes)
    signs = np.where(skew < 0, -1.0, 1.0)
    unmixing = unmixing * signs[:, None]
    skew = skew * signs
    order = np.argsort(-skew, kind="stable")
    return IcaRotation(
        unmixing=unmixing[order],
        skewness=skew[order],
        n_iter=int(n_iter),
        gradient_norm=gradient,
        converged=bool(gradient < tol),
    )


def _fit_ica(
    fit: F64, seed: int, cancel: CancelFlag | None, progress: ProgressFn | None
) -> tuple[dict[str, F64], dict[str, Any]]:
    w = fit_whitening(fit)
    _report(progress, 0.1, "whiten")
    check_cancel(cancel, "fitting the ica basis")
    scores = (fit - w.mean) @ w.weights
    rotation = fit_ica_rotation(scores, seed)
    check_cancel(cancel, "fitting the ica basis")
    return (
        {
            "mean": w.mean,
            "weights": w.weights @ rotation.unmixing.T,
            "pca_weights": w.weights,
            "unmixing": rotation.unmixing,
            "skewness": rotation.skewness,
        },
        {
            "algorithm": ICA_ALGORITHM,
            "picard": _picard_version(),
            "max_iter": ICA_MAX_ITER,
            "tol": ICA_TOL,
            "n_iter": rotation.n_iter,
            "gradient_norm": rotation.gradient_norm,
            "converged": rotation.converged,
        },
    )


def _fit_dict(
    fit: F64,
    atoms: int,
    seed: int,
    alpha: float,
    cancel: CancelFlag | None,
    progress: ProgressFn | None,
) -> tuple[dict[str, F64], dict[str, Any]]:
    from polyterm.core.sparse_coding import learn_dictionary

    scale = float(np.sqrt(np.mean(np.sum(fit**2, axis=1))))
    if not scale > 0:
        raise ValueError("the fit rows are all zero")
    data = fit / scale

    def step(passes: int, _objective: float) -> None:
        check_cancel(cancel, f"fitting the dict:{atoms} basis")
        # the passes needed are not known in advance: approach 90 % as they add up
        _report(progress, 0.05 + 0.85 * passes / (passes + 20), "dictionary")

    learned = learn_dictionary(
        data,
        atoms,
        alpha,
        seed=seed,
        max_iter=DICT_MAX_ITER,
        tol=DICT_TOL,
        window=DICT_WINDOW,
        warmup_epochs=DICT_WARMUP_EPOCHS,
        momentum=DICT_MOMENTUM,
        step=step,
    )
    check_cancel(cancel, f"fitting the dict:{atoms} basis")
    return (
        {
            "scale": np.asarray(scale, dtype=np.float64),
            "dictionary": learned.dictionary,
            "usage": (learned.codes > 0).mean(axis=0),
        },
        {
            "algorithm": DICT_ALGORITHM,
            "alpha": float(alpha),
            "max_iter": DICT_MAX_ITER,
            "tol": DICT_TOL,
            "window": DICT_WINDOW,
            "n_iter": learned.n_iter,
            "converged": learned.converged,
            "objective": learned.objective,
            "relative_error": learned.relative_error,
            "mean_l0": learned.mean_l0,
            "positive_code": True,
        },
    )


def fit_basis(
    vectors: FloatArray,
    name: str | BasisName,
    *,
    fit_rows: int = DEFAULT_FIT_ROWS,
    seed: int = 0,
    dict_alpha: float = DICT_ALPHA,
    cancel: CancelFlag | None = None,
    progress: ProgressFn | None = None,
) -> FittedBasis:
    """Fit the basis ``name`` on the first ``fit_rows`` rows of ``vectors`` (n × d).

    Rows are expected in frequency order (most frequent first). Uses
    ``min(fit_rows, n)`` rows; pca/ica need at least d + 1 of them, dict:K at least 2.
    ``dict_alpha`` is the L1 penalty of ``dict:K`` (ignored otherwise). See the module
    docstring for each basis's definition. Deterministic for a given seed.

    ``progress(fraction, stage)`` is called at stage boundaries (and per mini-batch for
    dictionaries); ``cancel`` is polled between stages and per mini-batch (FastICA itself
    cannot be interrupted). Raises ValueError for bad inputs and
    :class:`polyterm.errors.Cancelled` when cancelled.
    """
    basis = parse_basis_name(name)
    if fit_rows < 2:
        raise ValueError(f"fit_rows must be >= 2, got {fit_rows}")
    x = np.asarray(vectors)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a 2-D matrix (words × dims), got shape {x.shape}")
    n, d = x.shape
    rows = min(fit_rows, n)
    fit = _as_matrix(x[:rows], "vectors")
    check_cancel(cancel, f"fitting the {basis} basis")
    _report(progress, 0.0, "start")
    arrays: dict[str, F64]
    extra: dict[str, Any]
    if basis.kind == "raw":
        arrays, extra, k = {}, {}, d
    else:
        if basis.whitened and rows <= d:
            raise ValueError(f"the {basis} basis needs more than {d} fit rows, got {rows}")
        if rows < 2:
            raise ValueError("fitting a basis needs at least 2 rows")
        if basis.kind == "pca":
            arrays, extra = _fit_pca(fit)
        elif basis.kind == "ica":
            arrays, extra = _fit_ica(fit, seed, cancel, progress)
        else:
            assert basis.atoms is not None
            if not dict_alpha > 0:
                raise ValueError(f"dict_alpha must be > 0, got {dict_alpha}")
            arrays, extra = _fit_dict(fit, basis.atoms, seed, dict_alpha, cancel, progress)
        k = arrays["skewness"].shape[0] if basis.kind != "dict" else arrays["usage"].shape[0]
    params = _base_params(basis, seed, rows, fit_rows, d, k)
    params.update(extra)
    _report(progress, 1.0, "done")
    return FittedBasis(
        name=basis, params=params, arrays={key: _readonly_copy(v) for key, v in arrays.items()}
    )
