"""Seed controls: which different-seed model puts a same-seed comparison in proportion.

Two word2vec models trained on one corpus from one seed start from the same random
stream, which makes them look alike whatever their sizes (brown_30 and brown_29: mean
difference-vector Jaccard 0.648; brown_30 and brown_29_s2: 0.416). So whenever two
compared models share a seed, the views also compare A with B's spec at another seed
(the *seed floor*): "0.648 at the same seed, 0.416 across seeds".

`shares_seed(a, b)` says when that applies; `seed_partner_spec(b)` names the model to
compare A with (seed 1 → 2, any other seed → 1; every other parameter kept).
"""

from __future__ import annotations

from polyterm.core.embedding import Embedding
from polyterm.engine.cache_records import Manifest
from polyterm.engine.specs import parse_train_spec
from polyterm.errors import SpecError


def shares_seed(a: Embedding, b: Embedding) -> bool:
    """Both are word2vec models trained here on one corpus (same fingerprint) from one
    seed: their likeness is partly the shared random stream."""
    ma, mb = Manifest.of(a.manifest), Manifest.of(b.manifest)
    if ma.kind != "word2vec" or mb.kind != "word2vec":
        return False
    if ma.params is None or mb.params is None or ma.corpus is None or mb.corpus is None:
        return False
    return ma.params.seed == mb.params.seed and ma.corpus.sha256 == mb.corpus.sha256


def seed_partner_spec(model: Embedding) -> str | None:
    """`model`'s spec at a different seed (brown_29 → brown_29_s2, brown_29_s2 →
    brown_29), or None when it is not a model trained from a spec."""
    m = Manifest.of(model.manifest)
    if m.kind != "word2vec" or m.params is None or m.params.seed is None:
        return None
    try:
        spec = parse_train_spec(m.name)
    except SpecError:
        return None
    other = 2 if m.params.seed == 1 else 1
    return spec.with_params(seed=other).name
