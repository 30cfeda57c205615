"""The seed floor of a comparison: the same figures for A against B at another seed.

Two models trained from one seed look alike partly because of their shared random
stream (`polyterm.engine.seed_floor`). A view of such a pair carries a `SeedFloor`: the
partner's name (B's spec at a different seed) and each figure recomputed against it, so
every figure is read as "0.648 at the same seed, 0.416 across seeds, chance 0.001".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from polyterm.core.embedding import Embedding

SeedPartner = Callable[[Embedding, Embedding], Embedding | None]
"""For a pair (A, B): B's different-seed model when A and B share a seed (opened, or
trained, by the caller), or None when they do not, there is none, or the seed floor is
skipped (`--no-seed-floor`)."""


@dataclass(frozen=True, slots=True)
class SeedFloor:
    """`figures` (name, value) of A against `partner` (B's spec at another seed)."""

    partner: str
    figures: tuple[tuple[str, float], ...]

    def get(self, name: str) -> float | None:
        return next((v for k, v in self.figures if k == name), None)


def floor_text(
    same: float, across: float | None, chance: float | None = None, digits: int = 3
) -> str:
    """``0.648 at the same seed, 0.416 across seeds, chance 0.001``."""
    text = f"{same:.{digits}f} at the same seed"
    if across is not None:
        text += f", {across:.{digits}f} across seeds"
    if chance is not None:
        text += f", chance {chance:.{digits}f}"
    return text


def loaded_partner(a: Embedding, b: Embedding, loaded: Iterable[Embedding]) -> Embedding | None:
    """B's different-seed model among `loaded` (the explorer's open models) when A and B
    share a seed, or None: the explorer shows the seed floor of what it has open."""
    from polyterm.engine.seed_floor import seed_partner_spec, shares_seed

    if not shares_seed(a, b):
        return None
    spec = seed_partner_spec(b)
    return next((m for m in loaded if m.name == spec), None)
