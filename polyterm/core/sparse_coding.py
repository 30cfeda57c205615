"""Non-negative sparse coding and dictionary learning, batched in numpy (the ``dict:K`` basis).

A word's code on a dictionary D (K unit-norm atoms as rows, K × d) is the non-negative
lasso solution

    u(x) = argmin_{u >= 0}  ½‖x − u D‖² + α‖u‖₁,

the definition ``dict:K`` has always used (scikit-learn's ``sparse_encode(..., positive=True)``
solves the same problem one row at a time, by coordinate descent). Here every row is solved
at once by an **active-set method** (Lawson & Hanson's NNLS, with the lasso's shifted
right-hand side): with ``G = D Dᵀ`` and ``c = x Dᵀ``, the optimality conditions are

    u_S = G_SS⁻¹ (c_S − α) > 0 on the active set S,   c_j − (u G)_j <= α off it,

so a row's working set grows by the atom that violates the second condition most, the
system on S is solved exactly (a batched ``numpy.linalg.solve`` of small s × s systems),
and an atom whose coefficient would turn negative is dropped by Lawson–Hanson's step back
to the feasible segment. The result is the exact lasso solution (to ``tol`` on the
conditions), not an approximation that depends on an iteration cap; it is compared
with scikit-learn's solution on its objective in the tests.

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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from polyterm.core.arrays import F64

LASSO_TOL = 1e-9
"""A condition ``c_j − (uG)_j <= α`` counts as violated above ``α + LASSO_TOL``."""
_RIDGE = 1e-12
"""Added to the diagonal of each active-set system (atoms that are exactly dependent)."""


def _solve_systems(gram: F64, shifted: F64, support: np.ndarray, active: np.ndarray) -> F64:
    """Per row, ``u_S = G_SS⁻¹ shifted_S`` on its active slots S (0 elsewhere): the rows are
    grouped by how many slots are active, so each batched solve is only as wide as its
    rows' sets (a few rows with large sets do not widen everyone's systems)."""
    m, w = support.shape
    u = np.zeros((m, w))
    counts = active.sum(axis=1)
    for c in np.unique(counts):
        if c == 0:
            continue
        rows = np.flatnonzero(counts == c) if c < w or counts.min() < w else np.arange(m)
        if c == w:  # every slot active: no compaction
            atoms = support[rows]
        else:
            slots = np.argsort(~active[rows], axis=1, kind="stable")[:, :c]
            atoms = np.take_along_axis(support[rows], slots, axis=1)
        g = gram[atoms[:, :, None], atoms[:, None, :]]
        g[:, np.arange(c), np.arange(c)] += _RIDGE
        rhs = np.take_along_axis(shifted[rows], atoms, axis=1)
        solution = np.linalg.solve(g, rhs[:, :, None])[:, :, 0]
        if c == w:
            u[rows] = solution
        else:
            block = np.zeros((rows.size, w))
            np.put_along_axis(block, slots, solution, axis=1)
            u[rows] = block
    return u


def _solve_active(
    gram: F64,
    shifted: F64,
    support: np.ndarray,
    active: np.ndarray,
    coef: F64,
) -> None:
    """Lawson–Hanson on each row's working set, in place: ``coef`` (m × w, feasible: >= 0
    and 0 where not ``active``) becomes the non-negative solution of the system on the
    active slots; slots whose coefficient reaches 0 are deactivated."""
    m, w = support.shape
    if m == 0 or w == 0:
        return
    todo = np.arange(m)
    for _ in range(2 * w + 2):
        if todo.size == 0:
            return
        sup, act, old = support[todo], active[todo], coef[todo]
        u = _solve_systems(gram, shifted[todo], sup, act)
        neg = act & (u <= 0.0)
        done = ~neg.any(axis=1)
        coef[todo[done]] = u[done]
        if done.all():
            return
        keep = ~done
        old, u, act, neg = old[keep], u[keep], act[keep], neg[keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(neg, old / (old - u), np.inf)
        step = np.clip(ratio.min(axis=1), 0.0, 1.0)
        new = old + step[:, None] * (u - old)
        drop = neg & (ratio <= step[:, None] * (1 + 1e-12))  # the slots that block the step
        new[drop] = 0.0
        rows = todo[keep]
        coef[rows] = new
        active[rows] = act & ~drop
        todo = rows
    # (not reached in exact arithmetic: each pass deactivates at least one slot)


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
    position ever uses)."""
    n, d = x.shape
    k = dictionary.shape[0]
    if n == 0:
        return np.zeros((0, k))
    gram = dictionary @ dictionary.T
    shifted = x @ dictionary.T - alpha
    cap = min(k, d + 1) if max_atoms is None else max(1, min(k, max_atoms))
    if start is not None and start.shape == (n, k):
        counts = (start > 0).sum(axis=1)
        w = int(min(cap, counts.max(initial=0)))
        order = np.argsort(~(start > 0), axis=1, kind="stable")[:, :w]
        support = order.astype(np.int64)
        active = np.take_along_axis(start > 0, support, axis=1)
    else:
        support = np.zeros((n, 0), dtype=np.int64)
        active = np.zeros((n, 0), dtype=bool)
    coef = np.zeros(support.shape)
    _solve_active(gram, shifted, support, active, coef)
    rows = np.arange(n)
    for _ in range(4 * cap + 4):
        if rows.size == 0:
            break
        # the conditions off the set: c_j − (uG)_j − α for every atom of the rows left
        sup, cf = support[rows], coef[rows]
        if sup.shape[1]:
            dense = np.zeros((rows.size, k))
            np.add.at(dense, (np.arange(rows.size)[:, None], sup), cf)  # inactive slots add 0
            slack = shifted[rows] - (dense @ dictionary) @ dictionary.T
        else:
            slack = shifted[rows]
        best = np.argmax(slack, axis=1)
        grow = (slack[np.arange(rows.size), best] > LASSO_TOL) & (active[rows].sum(axis=1) < cap)
        rows, best = rows[grow], best[grow]
        if rows.size == 0:
            break
        w = support.shape[1]
        free = ~active[rows]
        has_free = free.any(axis=1)
        slot = np.where(has_free, np.argmax(free, axis=1), w) if w else np.zeros(rows.size, int)
        if not has_free.all():
            support = np.hstack([support, np.zeros((n, 1), dtype=np.int64)])
            active = np.hstack([active, np.zeros((n, 1), dtype=bool)])
            coef = np.hstack([coef, np.zeros((n, 1))])
        support[rows, slot] = best
        active[rows, slot] = True
        coef[rows, slot] = 0.0
        sub_s, sub_a, sub_c = support[rows], active[rows], coef[rows]
        _solve_active(gram, shifted[rows], sub_s, sub_a, sub_c)
        support[rows], active[rows], coef[rows] = sub_s, sub_a, sub_c
    codes = np.zeros((n, k))
    np.add.at(codes, (np.repeat(np.arange(n), support.shape[1]), support.ravel()), coef.ravel())
    out: F64 = np.maximum(codes, 0.0)
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
) -> F64:
    """Mairal et al.'s online passes over shuffled mini-batches (statistics accumulated with
    a forgetting factor), a cheap start for the full passes that follow."""
    n = x.shape[0]
    k = dictionary.shape[0]
    a = np.zeros((k, k))
    b = np.zeros((k, x.shape[1]))
    t = 0
    for _epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n - batch + 1, batch):
            rows = x[order[start : start + batch]]
            codes = nonnegative_lasso(rows, dictionary, alpha)
            t += 1
            beta = (1.0 - 1.0 / t) ** 2 if t > 1 else 0.0
            a = beta * a + codes.T @ codes
            b = beta * b + codes.T @ rows
            _update_atoms(dictionary, a, b, sweeps=1)
    return dictionary


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
    if warmup_epochs > 0 and n > 2 * batch_size:
        dictionary = _online_warmup(x, dictionary, alpha, rng, warmup_epochs, batch_size)
    codes: F64 | None = None
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
            codes = None  # the supports no longer fit: start the next pass afresh
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
