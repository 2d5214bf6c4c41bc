"""Agreement between two periodizations of the same periods."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def hausdorff(a: ArrayLike, b: ArrayLike) -> float:
    """Hausdorff distance between two sets of boundary positions (NaN if one is empty).

    Examples
    --------
    >>> hausdorff([17, 27], [17, 23])
    4.0
    """
    a, b = np.atleast_1d(np.asarray(a)), np.atleast_1d(np.asarray(b))
    if a.size == 0 or b.size == 0:
        return 0.0 if a.size == b.size else float("nan")
    d = np.abs(np.subtract.outer(np.asarray(a), np.asarray(b)))
    return float(max(d.min(axis=1).max(), d.min(axis=0).max()))


def rand_index(a: ArrayLike, b: ArrayLike, n: int) -> float:
    """Rand index of two segmentations of ``n`` periods given by their break positions:
    the share of pairs of periods that both put in the same segment or both split.

    Examples
    --------
    >>> rand_index([2], [2], 5), round(rand_index([2], [3], 5), 3)
    (1.0, 0.6)
    """
    labels_a = np.searchsorted(np.asarray(a), np.arange(n), side="right")
    labels_b = np.searchsorted(np.asarray(b), np.arange(n), side="right")
    same_a = labels_a[:, None] == labels_a[None, :]
    same_b = labels_b[:, None] == labels_b[None, :]
    upper = np.triu_indices(n, k=1)
    return float(np.mean(same_a[upper] == same_b[upper]))
