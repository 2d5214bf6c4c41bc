"""Exact optimal segmentation with exactly k breaks, for k = 0..K, batched over series.

Segment neighbourhood dynamic programming (Auger & Lawrence 1989; Bai & Perron 2003):
``C[k, t] = min_s C[k-1, s] + cost(s, t)`` over ``s`` leaving every segment at least
``min_size`` periods long. The loops run over positions and numbers of breaks; every step is
vectorised over series and candidate starts. Time ``O(K n^2)`` per series, memory
``O(K n)`` per series; series are processed in chunks so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..costs.base import Cost
from .compiled import compiled_chunk

#: Bytes of working memory a chunk of series may use.
CHUNK_BYTES = 256 * 2**20


@dataclass(frozen=True)
class ExactPath:
    """Optimal costs and break indices for k = 0..K breaks.

    ``costs[i, k]`` is the optimal cost of series ``i`` with ``k`` breaks (``inf`` when
    impossible); ``breaks[k]`` is an int array ``(n_series, k)`` of the 0-based indices of
    the first period of each new segment. ``table[k, t, i]``, when kept, is the optimal cost
    of the first ``t`` periods of series ``i`` with ``k`` breaks.
    """

    costs: np.ndarray
    breaks: list[np.ndarray]
    table: np.ndarray | None = None


def identified(values: np.ndarray, cost_none: np.ndarray, cost_best: np.ndarray) -> np.ndarray:
    """Rows (series) whose best segmentation fits better than no change.

    ``False`` where the row is constant (for instance all zero) or the optimal cost with the
    breaks equals the cost without (to a relative 1e-9): every placement then fits equally
    well, and the boundaries found are an arbitrary choice among ties, not an estimate.
    Costs that are not finite (an impossible segmentation) leave the row identified.

    Examples
    --------
    >>> rows = np.array([[0, 0, 0, 0], [0, 0, 5, 5]])
    >>> identified(rows, np.array([0.0, 8.0]), np.array([0.0, 1.0]))
    array([False,  True])
    """
    constant = np.all(values == values[:, :1], axis=1)
    finite = np.isfinite(cost_none) & np.isfinite(cost_best)
    tolerance = 1e-9 * np.maximum(1.0, np.abs(np.where(finite, cost_none, 0.0)))
    better = np.where(finite, cost_best < cost_none - tolerance, True)
    return ~constant & better


def exact_path(
    make_cost: Callable[..., Cost],
    values: np.ndarray,
    max_breaks: int,
    min_size: int,
    segment_penalty: Callable[[np.ndarray], np.ndarray] | None = None,
    keep_table: bool = False,
    exposure: np.ndarray | None = None,
    compiled: bool = True,
    row_params: dict[str, np.ndarray] | None = None,
) -> ExactPath:
    """Exact optimum for every k = 0..``max_breaks``, for every series (rows of ``values``).

    ``segment_penalty(length)`` adds a term to every segment's cost (used by mBIC);
    ``keep_table`` keeps the optimal cost of every prefix (used for likelihood profiles);
    ``exposure`` (rows like ``values``) is passed to the costs that take one;
    ``compiled=False`` runs the numpy reference instead of the compiled programme
    (:mod:`periodize.segmentation.search.compiled`); ``row_params`` are further per-row
    keyword arguments of the cost (such as a fixed NB2 ``alpha``), sliced like the rows.
    """
    n_series, n = values.shape
    per_series_bytes = (max_breaks + 1) * (n + 1) * 12 + (n + 1) * 8 * 6
    chunk = max(1, CHUNK_BYTES // per_series_bytes)
    costs = np.empty((n_series, max_breaks + 1))
    breaks = [np.empty((n_series, k), dtype=np.int64) for k in range(max_breaks + 1)]
    table = np.empty((max_breaks + 1, n + 1, n_series)) if keep_table else None
    for first in range(0, n_series, chunk):
        rows = slice(first, min(first + chunk, n_series))
        extra = {name: param[rows] for name, param in (row_params or {}).items()}
        if exposure is not None:
            extra["exposure"] = exposure[rows]
        cost = make_cost(values[rows], **extra)
        part = _exact_chunk(cost, max_breaks, min_size, segment_penalty, compiled, keep_table)
        costs[rows] = part.costs
        for k in range(max_breaks + 1):
            breaks[k][rows] = part.breaks[k]
        if table is not None and part.table is not None:
            table[:, :, rows] = part.table
    return ExactPath(costs, breaks, table)


def exact_path_of(
    cost: Cost,
    max_breaks: int,
    min_size: int,
    segment_penalty: Callable[[np.ndarray], np.ndarray] | None = None,
) -> ExactPath:
    """:func:`exact_path` for a cost already built, every row at once (the compiled
    programme where it knows the cost, the numpy reference otherwise)."""
    return _exact_chunk(cost, max_breaks, min_size, segment_penalty)


def _exact_chunk(
    cost: Cost,
    max_breaks: int,
    min_size: int,
    segment_penalty: Callable[[np.ndarray], np.ndarray] | None,
    compiled: bool = True,
    keep_table: bool = False,
) -> ExactPath:
    if compiled:
        done = compiled_chunk(cost, max_breaks, min_size, segment_penalty, keep_table)
        if done is not None:
            return ExactPath(*done)
    n_series, n = cost.n_series, cost.n_periods
    best, back = _tables(cost, max_breaks, min_size, segment_penalty)
    rows = np.arange(n_series)
    breaks = []
    for k in range(max_breaks + 1):
        found = np.empty((n_series, k), dtype=np.int64)
        position = np.full(n_series, n)
        for j in range(k, 0, -1):
            position = back[j, position, rows]
            found[:, j - 1] = position
        breaks.append(found)
    return ExactPath(best[:, n, :].T.copy(), breaks, best if keep_table else None)


def _tables(
    cost: Cost,
    max_breaks: int,
    min_size: int,
    segment_penalty: Callable[[np.ndarray], np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The numpy reference: ``best`` (K+1, n+1, series) and ``back`` tables."""
    n_series, n = cost.n_series, cost.n_periods
    # positions first, series last: every step works on contiguous rows
    best = np.full((max_breaks + 1, n + 1, n_series), np.inf)
    back = np.zeros((max_breaks + 1, n + 1, n_series), dtype=np.int32)
    for end in range(min_size, n + 1):
        starts = np.arange(0, end - min_size + 1)
        segment = cost.cost(starts, end).T
        if segment_penalty is not None:
            segment = segment + segment_penalty(end - starts)[:, None]
        best[0, end] = segment[0]
        for k in range(1, max_breaks + 1):
            if end < (k + 1) * min_size:
                break
            # candidate starts are 0..end-min_size, so the argmin is the start itself
            candidates = best[k - 1, : end - min_size + 1] + segment
            back[k, end] = np.argmin(candidates, axis=0)
            best[k, end] = candidates.min(axis=0)
    return best, back
