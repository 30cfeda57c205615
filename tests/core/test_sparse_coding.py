"""Known answers for polyterm.core.sparse_coding: the codes are the exact non-negative lasso
solution (checked against scikit-learn's coordinate descent on the objective and the
optimality conditions), and the learned dictionary stops when its objective stops falling."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pytest

from polyterm.core.sparse_coding import lasso_objective, learn_dictionary, nonnegative_lasso

F64 = npt.NDArray[np.float64]


def _problem(seed: int, n: int = 300, d: int = 12, k: int = 40) -> tuple[F64, F64]:
    rng = np.random.default_rng(seed)
    dictionary = rng.standard_normal((k, d))
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    x = rng.standard_normal((n, d))
    x /= np.sqrt(np.mean(np.sum(x**2, axis=1)))
    return x, dictionary


@pytest.mark.parametrize("alpha", [0.02, 0.1, 0.4])
def test_codes_are_the_nonnegative_lasso_solution(alpha: float) -> None:
    from sklearn.decomposition import sparse_encode

    x, dictionary = _problem(0)
    codes = nonnegative_lasso(x, dictionary, alpha)
    assert codes.min() >= 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sparse_encode(
            x, dictionary, algorithm="lasso_cd", alpha=alpha, positive=True, max_iter=20_000
        )
    # per row, our objective is never above coordinate descent's (beyond rounding)
    ours = 0.5 * np.sum((x - codes @ dictionary) ** 2, axis=1) + alpha * codes.sum(axis=1)
    theirs = 0.5 * np.sum((x - reference @ dictionary) ** 2, axis=1) + alpha * reference.sum(1)
    assert np.max(ours - theirs) < 1e-9
    # and the optimality conditions hold: gradient = alpha on the support, <= alpha off it
    slack = (x - codes @ dictionary) @ dictionary.T
    on = codes > 0
    np.testing.assert_allclose(slack[on], alpha, atol=1e-7)
    assert slack[~on].max() <= alpha + 1e-7


def test_a_warm_start_does_not_change_the_answer() -> None:
    x, dictionary = _problem(1)
    cold = nonnegative_lasso(x, dictionary, 0.1)
    rng = np.random.default_rng(2)
    start = np.where(rng.random(cold.shape) < 0.2, 1.0, 0.0)  # a wrong support
    np.testing.assert_allclose(nonnegative_lasso(x, dictionary, 0.1, start=start), cold, atol=1e-9)
    np.testing.assert_allclose(nonnegative_lasso(x, dictionary, 0.1, start=cold), cold, atol=1e-9)


def test_a_row_that_needs_no_atom_and_an_empty_input() -> None:
    _, dictionary = _problem(3)
    x = np.zeros((2, dictionary.shape[1]))
    x[1] = 0.01 * dictionary[0]  # below alpha: the lasso sets every code to zero
    assert not nonnegative_lasso(x, dictionary, 0.1).any()
    assert nonnegative_lasso(np.zeros((0, 12)), dictionary, 0.1).shape == (0, 40)


def test_training_stops_when_the_objective_stops_improving() -> None:
    rng = np.random.default_rng(4)
    atoms = rng.standard_normal((10, 8))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    weights = np.where(rng.random((3000, 10)) < 0.2, rng.uniform(1, 2, (3000, 10)), 0.0)
    x = weights @ atoms + 0.01 * rng.standard_normal((3000, 8))
    x /= np.sqrt(np.mean(np.sum(x**2, axis=1)))
    seen: list[float] = []
    learned = learn_dictionary(x, 10, 0.05, tol=1e-3, window=5, step=lambda _i, o: seen.append(o))
    assert learned.converged and learned.n_iter == len(seen) < 500
    assert seen[-6] - min(seen[-5:]) <= 1e-3 * seen[-1]  # the stopping rule, as documented
    assert learned.objective == pytest.approx(min(seen))
    assert learned.objective == pytest.approx(
        lasso_objective(x, learned.codes, learned.dictionary, 0.05)
    )
    residual = x - learned.codes @ learned.dictionary
    assert learned.relative_error == pytest.approx(np.sum(residual**2) / np.sum(x**2))
    assert learned.mean_l0 == pytest.approx((learned.codes > 0).sum(axis=1).mean())
    np.testing.assert_allclose(np.linalg.norm(learned.dictionary, axis=1), 1.0, atol=1e-9)
    assert np.abs(atoms @ learned.dictionary.T).max(axis=1).min() > 0.95


def test_atoms_joining_several_at_a_time_give_the_same_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lawson–Hanson adds one atom per round; several at once (the default) must find the
    same exact solution, here with many atoms per row (small alpha); a binding cap on the
    working set is honoured."""
    import polyterm.core.sparse_coding as sc

    x, dictionary = _problem(5, n=200, d=10, k=30)
    several = nonnegative_lasso(x, dictionary, 0.01)
    capped = nonnegative_lasso(x, dictionary, 0.01, max_atoms=3)
    monkeypatch.setattr(sc, "ADD", 1)
    one = nonnegative_lasso(x, dictionary, 0.01)
    assert (several > 0).sum(axis=1).mean() > 4  # rows with large sets: the case that matters
    np.testing.assert_allclose(several, one, atol=1e-9)
    assert (capped > 0).sum(axis=1).max() <= 3  # a binding cap is honoured
    assert (one > 0).sum(axis=1).max() > 3
