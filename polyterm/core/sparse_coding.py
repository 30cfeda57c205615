"""Non-negative sparse coding and dictionary learning, batched in numpy (the ``dict:K`` basis).

A word's code on a dictionary D (K unit-norm atoms as rows, K × d) is the non-negative
lasso solution

    u(x) = argmin_{u >= 0}  ½‖x − u D‖² + α‖u‖₁,

the definition ``dict:K`` has always used (scikit-learn's ``sparse_encode(..., positive=True)``
solves the same problem one row at a time, by coordinate descent). Here every row is solved
at once by an **active-set method** (Lawson & Hanson's NNLS, with the lasso's shifted
right-hand side): with ``G = D Dᵀ`` and ``c = x Dᵀ``, the optimality conditions are

    u_S = G_SS⁻¹ (c_S − α) > 0 on the active set S,   c_j − (u G)_j <= α off it,

so a row's working set grows by the atoms that violate the second condition most (up to
``ADD`` per round: fewer rounds from an empty set), the system on S is solved exactly (a
batched ``numpy.linalg.solve`` of small s × s systems, rows grouped by the size of their
set, each set kept in the first slots of its row), and an atom whose coefficient would
turn negative is dropped by Lawson–Hanson's step back to the feasible segment. The
result is the exact lasso solution (to ``tol`` on the conditions), not an approximation
that depends on an iteration cap; it is compared with scikit-learn's solution on its
objective in the tests.

:func:`learn_dictionary` alternates the codes of all fit rows (warm-started from the
previous supports, so after the first passes each row is re-solved in one or two
systems) with Mairal et al.'s (2010) block-coordinate dictionary update on the
sufficient statistics ``A = ZᵀZ``, ``B = ZᵀX``, atoms kept at unit norm; an atom no word
uses is restarted on the worst-reconstructed row. It stops when the objective
``(½‖X − ZD‖² + α‖Z‖₁) / n`` improved by less than ``tol`` (relative) over the last
``window`` passes, and returns the pass count, the final objective, the relative
reconstruction error ``‖X − ZD‖² / ‖X‖²`` and the mean number of active atoms (L0).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from polyterm.core.arrays import F64

LASSO_TOL = 1e-9
"""A condition ``c_j − (uG)_j <= α`` counts as violated above ``α + LASSO_TOL``."""
ADD = 4
"""At most this many violated atoms join a row's set per round (see nonnegative_lasso)."""
_RIDGE = 1e-12
"""Added to the diagonal of each active-set system (atoms that are exactly dependent)."""


def _solve_compact(gram: F64, shifted: F64, support: np.ndarray, counts: np.ndarray) -> F64:
    """Per row, ``u_S = G_SS⁻¹ shifted_S`` on its active set S, the first ``counts[i]``
    slots of ``support[i]`` (0 in the slots after them): rows are grouped by the size of
    their set, so each batched solve is only as wide as its rows' sets."""
    m, w = support.shape
    u = np.zeros((m, w))
    if m == 0 or w == 0:
        return u
    k = gram.shape[0]
    flat_gram = (gram + _RIDGE * np.eye(k)).ravel()
    flat_shifted = shifted.ravel()
    order = np.argsort(counts, kind="stable")
    sizes = counts[order]
    edges = [0, *(np.flatnonzero(np.diff(sizes)) + 1).tolist(), m]
    for lo, hi in itertools.pairwise(edges):
        c = int(sizes[lo])
        if c == 0:
            continue
        group = order[lo:hi]
        atoms = support[group, :c]
        g = np.take(flat_gram, atoms[:, :, None] * k + atoms[:, None, :])
        rhs = np.take(flat_shifted, group[:, None] * shifted.shape[1] + atoms)
        u[group, :c] = np.linalg.solve(g, rhs[:, :, None])[:, :, 0]
    return u


def _lawson_hanson(
    gram: F64, shifted: F64, support: np.ndarray, counts: np.ndarray, coef: F64
) -> None:
    """Lawson–Hanson on each row's active set, in place: ``coef`` (m × w, feasible: >= 0,
    and 0 after the row's first ``counts`` slots) becomes the non-negative solution of the
    system on the active set; an atom whose coefficient reaches 0 leaves the set (the
    slots after it move up, so every active set stays the first ``counts`` slots)."""
    m, w = support.shape
    if m == 0 or w == 0:
        return
    slots = np.arange(w)
    todo = np.arange(m)
    for _ in range(2 * w + 2):
        if todo.size == 0:
            return
        sup, cnt = support[todo], counts[todo]
        u = _solve_compact(gram, shifted[todo], sup, cnt)
        valid = slots[None, :] < cnt[:, None]
        neg = valid & (u <= 0.0)
        done = ~neg.any(axis=1)
        coef[todo[done]] = u[done]
        if done.all():
            return
        keep = ~done
        rows = todo[keep]
        old, u, valid, neg = coef[rows], u[keep], valid[keep], neg[keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(neg, old / (old - u), np.inf)
        step = np.clip(ratio.min(axis=1), 0.0, 1.0)
        new = old + step[:, None] * (u - old)
        drop = neg & (ratio <= step[:, None] * (1 + 1e-12))  # the slots that block the step
        stay = valid & ~drop
        new[~stay] = 0.0
        moved = np.argsort(~stay, axis=1, kind="stable")
        support[rows] = np.take_along_axis(support[rows], moved, axis=1)
        coef[rows] = np.take_along_axis(new, moved, axis=1)
        counts[rows] = stay.sum(axis=1)
        todo = rows
    # (not reached in exact arithmetic: each pass deactivates at least one slot)


def _dense(support: np.ndarray, counts: np.ndarray, coef: F64, k: int) -> F64:
    """The m × k codes of compact active sets."""
    m, w = support.shape
    out = np.zeros((m, k))
    if w:
        valid = np.arange(w)[None, :] < counts[:, None]
        rows = np.broadcast_to(np.arange(m)[:, None], (m, w))
        out[rows[valid], support[valid]] = coef[valid]
    return out


def nonnegative_lasso(
    x: F64,
    dictionary: F64,
    alpha: float,
    *,
    start: F64 | None = None,
    max_atoms: int | None = None,
) -> F64:
    """The non-negative lasso codes (n × K) of the rows of ``x`` (n × d) on ``dictionary``
    (K × d): exact, by the active-set method of the module docstring.

    ``start`` (n × K, optional) seeds each row's working set with the atoms it used
    (a warm start; the answer does not depend on it). ``max_atoms`` caps a row's
    working set (default: min(K, d + 1), more than a lasso solution in general
    position ever uses; a cap that binds makes the codes greedy, not the lasso's)."""
    n, d = x.shape
    k = dictionary.shape[0]
    if n == 0:
        return np.zeros((0, k))
    gram = dictionary @ dictionary.T
    shifted = x @ dictionary.T - alpha
    cap = min(k, d + 1) if max_atoms is None else max(1, min(k, max_atoms))
    counts = np.zeros(n, dtype=np.int64)
    if start is not None and start.shape == (n, k):
        r, c = np.nonzero(start > 0)
        per_row = np.bincount(r, minlength=n)
        position = np.arange(r.size) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        fits = position < cap
        counts = np.minimum(per_row, cap)
        support = np.zeros((n, int(counts.max(initial=0)) + 1), dtype=np.int64)
        support[r[fits], position[fits]] = c[fits]
    else:
        support = np.zeros((n, 1), dtype=np.int64)
    coef = np.zeros(support.shape)
    _lawson_hanson(gram, shifted, support, counts, coef)
    factored = 2 * d < k
    rows = np.arange(n)
    for _ in range(4 * cap + 4):
        if rows.size == 0:
            break
        # the conditions off the set: c_j − (uG)_j − α for every atom of the rows left
        dense = _dense(support[rows], counts[rows], coef[rows], k)
        used = (dense @ dictionary) @ dictionary.T if factored else dense @ gram
        slack = shifted[rows] - used
        # the `ADD` most violated conditions of each row join its set (one at a time is
        # Lawson–Hanson's rule; more at once takes fewer rounds from an empty set, and the
        # step back to the feasible segment drops any that should not have joined)
        top = np.argmax(slack, axis=1)
        some = (slack[np.arange(rows.size), top] > LASSO_TOL) & (counts[rows] < cap)
        rows, slack = rows[some], slack[some]
        if rows.size == 0:
            break
        q = min(ADD, k)
        if q == 1:
            best = top[some][:, None]
        elif q < k:
            best = np.argpartition(-slack, q - 1, axis=1)[:, :q]
        else:
            best = np.tile(np.arange(k), (rows.size, 1))
        violated = np.take_along_axis(slack, best, axis=1) > LASSO_TOL
        room = cap - counts[rows]
        violated &= np.cumsum(violated, axis=1) <= room[:, None]
        adds = violated.sum(axis=1)
        grow = adds > 0
        rows, best, violated, adds = rows[grow], best[grow], violated[grow], adds[grow]
        if rows.size == 0:
            break
        need = int((counts[rows] + adds).max())
        while need > support.shape[1]:  # widen (doubling) for the new atoms
            extra = support.shape[1]
            support = np.hstack([support, np.zeros((n, extra), dtype=np.int64)])
            coef = np.hstack([coef, np.zeros((n, extra))])
        position = counts[rows, None] + np.cumsum(violated, axis=1) - 1
        r_idx = np.broadcast_to(rows[:, None], best.shape)[violated]
        support[r_idx, position[violated]] = best[violated]
        coef[r_idx, position[violated]] = 0.0
        counts[rows] += adds
        w = int(counts[rows].max())
        sub_s, sub_n, sub_c = support[rows, :w], counts[rows], coef[rows, :w]
        _lawson_hanson(gram, shifted[rows], sub_s, sub_n, sub_c)
        support[rows, :w], counts[rows], coef[rows, :w] = sub_s, sub_n, sub_c
    out: F64 = np.maximum(_dense(support, counts, coef, k), 0.0)
    return out


def lasso_objective(x: F64, codes: F64, dictionary: F64, alpha: float) -> float:
    """``(½‖X − ZD‖² + α‖Z‖₁) / n`` (the quantity :func:`learn_dictionary` lowers)."""
    n = max(1, x.shape[0])
    residual = x - codes @ dictionary
    return float((0.5 * np.sum(residual**2) + alpha * np.sum(np.abs(codes))) / n)


@dataclass(frozen=True, slots=True)
class LearnedDictionary:
    """What :func:`learn_dictionary` found: unit-norm atoms (K × d), the codes of the fit
    rows, passes made, whether the objective stopped improving before ``max_iter``,
    the final objective, relative reconstruction error and mean L0 of the fit rows."""

    dictionary: F64
    codes: F64
    n_iter: int
    converged: bool
    objective: float
    relative_error: float
    mean_l0: float


def _initial_atoms(x: F64, atoms: int, rng: np.random.Generator) -> F64:
    """K distinct fit rows (with replacement when there are fewer), at unit length."""
    n = x.shape[0]
    picks = rng.choice(n, atoms, replace=n < atoms)
    d = x[picks] + 1e-3 * rng.standard_normal((atoms, x.shape[1]))
    norms = np.linalg.norm(d, axis=1, keepdims=True)
    out: F64 = d / np.where(norms > 0, norms, 1.0)
    return out


def _update_atoms(dictionary: F64, a: F64, b: F64, sweeps: int = 3) -> np.ndarray:
    """Mairal et al. (2010), algorithm 2, in place: block-coordinate passes over the atoms
    on the statistics ``a = ZᵀZ``, ``b = ZᵀX``, each atom kept at unit norm. Returns which
    atoms were used (the others are left as they are)."""
    used = np.diag(a) > 1e-12
    for _sweep in range(sweeps):
        for j in np.flatnonzero(used):
            u = dictionary[j] + (b[j] - a[j] @ dictionary) / a[j, j]
            norm = float(np.linalg.norm(u))
            if norm > 0:
                dictionary[j] = u / norm
    out: np.ndarray = used
    return out


def _online_warmup(
    x: F64, dictionary: F64, alpha: float, rng: np.random.Generator, epochs: int, batch: int
) -> tuple[F64, F64]:
    """Mairal et al.'s online passes over shuffled mini-batches (statistics accumulated with
    a forgetting factor), a cheap start for the full passes that follow. Returns the
    dictionary and every row's last code (0 for a row no batch held), the warm start of
    the next codes of each row (the codes do not depend on it, only the time to find them)."""
    n = x.shape[0]
    k = dictionary.shape[0]
    a = np.zeros((k, k))
    b = np.zeros((k, x.shape[1]))
    last = np.zeros((n, k))
    t = 0
    for _epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n - batch + 1, batch):
            picks = order[start : start + batch]
            rows = x[picks]
            codes = nonnegative_lasso(rows, dictionary, alpha, start=last[picks])
            last[picks] = codes
            t += 1
            beta = (1.0 - 1.0 / t) ** 2 if t > 1 else 0.0
            a = beta * a + codes.T @ codes
            b = beta * b + codes.T @ rows
            _update_atoms(dictionary, a, b, sweeps=1)
    return dictionary, last


def learn_dictionary(
    x: F64,
    atoms: int,
    alpha: float,
    *,
    seed: int = 0,
    max_iter: int = 500,
    tol: float = 1e-3,
    window: int = 5,
    warmup_epochs: int = 2,
    momentum: float = 0.0,
    batch_size: int = 1000,
    step: Callable[[int, float], None] | None = None,
) -> LearnedDictionary:
    """A K-atom dictionary for the rows of ``x`` (already scaled), trained until the
    objective improves by less than ``tol`` (relative) over ``window`` passes, or
    ``max_iter`` passes. ``step(pass, objective)`` is called after every pass (progress,
    cancellation: it may raise). Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    dictionary = _initial_atoms(x, atoms, rng)
    codes: F64 | None = None
    if warmup_epochs > 0 and n > 2 * batch_size:
        dictionary, codes = _online_warmup(x, dictionary, alpha, rng, warmup_epochs, batch_size)
    history: list[float] = []
    converged = False
    best = (np.inf, dictionary.copy(), np.zeros((n, atoms)))
    passes = 0
    for passes in range(1, max_iter + 1):
        codes = nonnegative_lasso(x, dictionary, alpha, start=codes)
        objective = lasso_objective(x, codes, dictionary, alpha)
        history.append(objective)
        if objective < best[0]:
            best = (objective, dictionary.copy(), codes)
        if step is not None:
            step(passes, objective)
        if len(history) > window and history[-1 - window] - objective <= tol * abs(objective):
            converged = True
            break
        # Mairal et al. (2010), algorithm 2: one block-coordinate pass per atom
        previous = dictionary.copy()
        used = _update_atoms(dictionary, codes.T @ codes, codes.T @ x)
        if momentum > 0 and len(history) > 1 and history[-1] < history[-2]:
            moved = dictionary + momentum * (dictionary - previous)
            norms = np.linalg.norm(moved, axis=1, keepdims=True)
            dictionary = np.where(norms > 0, moved / np.where(norms > 0, norms, 1.0), dictionary)
        dead = np.flatnonzero(~used)
        if dead.size:
            residual = x - codes @ dictionary
            worst = np.argsort(-np.einsum("ij,ij->i", residual, residual), kind="stable")
            fresh = residual[worst[: dead.size]]
            norms = np.linalg.norm(fresh, axis=1, keepdims=True)
            fresh = fresh / np.where(norms > 0, norms, 1.0)
            if fresh.shape[0] < dead.size:  # fewer rows than atoms left unused
                fresh = _initial_atoms(x, dead.size, rng)
            dictionary[dead] = fresh[: dead.size]
            codes[:, dead] = 0.0  # a restarted atom starts outside every row's set
    objective, dictionary, fit_codes = best
    total = float(np.sum(x**2))
    residual = x - fit_codes @ dictionary
    return LearnedDictionary(
        dictionary=dictionary,
        codes=fit_codes,
        n_iter=passes,
        converged=converged,
        objective=float(objective),
        relative_error=float(np.sum(residual**2) / total) if total > 0 else 0.0,
        mean_l0=float((fit_codes > 0).sum(axis=1).mean()) if n else 0.0,
    )
