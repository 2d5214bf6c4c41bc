"""Penalised exact search: optimal partitioning (batched) and PELT (pruned, one series).

Both minimise ``sum(segment costs) + penalty × (number of breaks)`` over all segmentations
whose segments are at least ``min_size`` long.

PELT (Killick, Fearnhead & Eckley 2012) prunes a candidate last break ``s`` once
``F(s) + C(s, t) >= F(t)``. With ``min_size > 1`` that inequality only shows ``s`` can never
win for ends ``T >= t + min_size`` (``F(t) + C(t, T)`` is not a valid candidate for shorter
``T - t``), so a flagged candidate is kept until then. Pruning at once, as ruptures' ``Pelt``
does, can return a segmentation that is not optimal (ruptures PR #383).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..costs.base import Cost
from .compiled import compiled_pelt

SegmentPenalty = Callable[[np.ndarray], np.ndarray] | None
_NEVER = np.iinfo(np.int64).max


def backtrack(last: np.ndarray, n: int) -> list[list[int]]:
    found: list[list[int]] = []
    for row in last:
        position, breaks = n, []
        while position > 0:
            position = int(row[position])
            if position > 0:
                breaks.append(position)
        found.append(breaks[::-1])
    return found


def optimal_partitioning(
    cost: Cost, penalty: float, min_size: int, segment_penalty: SegmentPenalty = None
) -> tuple[np.ndarray, list[list[int]]]:
    """Exact penalised optimum for every series at once (no pruning; ``O(n^2)`` per series).

    Returns the penalised optimum per series and the break indices per series.
    """
    n_series, n = cost.n_series, cost.n_periods
    best = np.full((n_series, n + 1), np.inf)
    best[:, 0] = -penalty
    last = np.zeros((n_series, n + 1), dtype=np.int64)
    for end in range(min_size, n + 1):
        starts = np.arange(0, end - min_size + 1)
        values = best[:, starts] + cost.cost(starts, np.full_like(starts, end)) + penalty
        if segment_penalty is not None:
            values = values + segment_penalty(end - starts)
        choice = np.argmin(values, axis=1)
        best[:, end] = np.take_along_axis(values, choice[:, None], axis=1)[:, 0]
        last[:, end] = starts[choice]
    return best[:, n], backtrack(last, n)


def pelt_breaks(
    cost: Cost, penalty: float, min_size: int, segment_penalty: SegmentPenalty = None
) -> list[list[int]] | None:
    """The break indices compiled PELT finds for every series of ``cost`` (in parallel over
    series), or ``None`` for a cost no compiled kernel knows."""
    done = compiled_pelt(cost, penalty, min_size, segment_penalty)
    return None if done is None else backtrack(done[1], cost.n_periods)


def pelt(
    cost: Cost,
    penalty: float,
    min_size: int,
    segment_penalty: SegmentPenalty = None,
    compiled: bool = True,
) -> tuple[float, list[int]]:
    """Exact penalised optimum of one series (``cost`` built on a single row) by PELT.

    Returns the penalised optimum and the break indices. ``compiled=False`` runs this
    numpy reference instead of the compiled kernel of
    :mod:`periodize.segmentation.search.compiled`.
    """
    n = cost.n_periods
    done = compiled_pelt(cost, penalty, min_size, segment_penalty) if compiled else None
    if done is not None:
        return float(done[0][0]), backtrack(done[1][:1], n)[0]
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    # candidate last breaks (increasing) and when each was first found prunable
    candidates = np.zeros(n + 1, dtype=np.int64)
    flagged = np.full(n + 1, _NEVER, dtype=np.int64)
    size = 1
    for end in range(min_size, n + 1):
        new = end - min_size
        if new >= min_size:
            candidates[size], flagged[size] = new, _NEVER
            size += 1
        alive = candidates[:size]
        fit = best[alive] + cost.cost(alive, end)[0]
        if segment_penalty is not None:
            fit += segment_penalty(end - alive)
        choice = int(fit.argmin())
        best[end] = fit[choice] + penalty
        last[end] = alive[choice]
        if min_size == 1:  # no delay needed: prune as soon as the inequality holds
            keep = fit <= best[end]
            size = int(np.count_nonzero(keep))
            candidates[:size] = alive[keep]
            continue
        marks = np.where(fit > best[end], np.minimum(flagged[:size], end), flagged[:size])
        keep = marks > end + 1 - min_size
        size = int(np.count_nonzero(keep))
        candidates[:size], flagged[:size] = alive[keep], marks[keep]
    return float(best[n]), backtrack(last[None, :], n)[0]
