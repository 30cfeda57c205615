"""Statistics of one model's *basis*, to read against a basis with no privileged directions.

word2vec's objective is unchanged by any rotation of the space, so a statement such as
"dimension 17 is polysemantic" or "no word repeats at the extremes" means something only
if it differs from the same model expressed in a random orthonormal basis. The null for
each statistic here is `polyterm.core.nulls.single_model_null` (Haar-random rotations).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def top_k_distinct_share(x: npt.NDArray[np.floating[Any]], k: int = 10) -> float:
    """Distinct words / slots over every column's top-k rows (1.0 = no word repeats).

    The matrix version of `polyterm.core.repeats` (top end, raw values): column i's top-k
    rows are its k largest values.
    """
    m = np.asarray(x)
    n, d = m.shape
    k = min(k, n)
    if k < 1 or d == 0:
        return 1.0
    top = np.argpartition(m, n - k, axis=0)[n - k :]
    return float(np.unique(top).size / (k * d))


def mean_excess_kurtosis(x: npt.NDArray[np.floating[Any]]) -> float:
    """Mean over dimensions of the excess kurtosis of each column (0 for a Gaussian).

    Heavy-tailed dimensions (a few words with extreme values) have high kurtosis; a random
    rotation mixes dimensions and pulls kurtosis towards the Gaussian value.
    """
    from scipy import stats  # imported on first use: it is slow to import

    return float(np.mean(stats.kurtosis(np.asarray(x, dtype=np.float64), axis=0)))
