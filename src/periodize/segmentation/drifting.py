"""The drift model's fit (``segment(..., model="normal_drift")``): its parameters and its
change points, each estimated given the other.

The parameters (the noise's sd and lag-one correlation, the drift's step sd) are the
restricted maximum-likelihood ones for given change points
(:func:`periodize.segmentation.costs.drift.drift_parameters`); the change points are the
exact penalised optimum for given parameters
(:func:`periodize.segmentation.search.drift.drift_search`, or for series sharing their
changes :func:`~periodize.segmentation.search.drift.joint_drift_search`). From two starts,
no change and the changes of the levels rule, the two steps alternate :data:`ROUNDS`
times: started without a change alone, the drift would take every shift for drift; from
the levels' changes alone, every step of a drift for a shift. Of the two ends, each series
(each group sharing changes) keeps the one with the lower penalised likelihood,
-2 log L + the penalty per change. The change points reported are the exact optimum for
the parameters reported.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .costs.drift import DriftParameters, drift_deviance, drift_parameters, segment_costs
from .joint import Grouping
from .search.drift import drift_search, joint_drift_search

#: Times the parameters and the change points are estimated in turn.
ROUNDS = 2
#: Fewest periods the drift model is fitted to: it estimates three noise parameters.
MIN_PERIODS = 20
#: Most periods of a joint fit: every series' segment costs are a table of (n + 1)^2.
JOINT_MAX_PERIODS = 2_000
#: Most bytes of the segment-cost tables of one joint call.
JOINT_TABLE_BYTES = 2**30
#: Most periods of one series: with correlated noise the search keeps hundreds of
#: candidate histories per period (measured, the whole fit: 10,000 periods in 1.3 s at
#: phi = 0.5, 7.8 s at phi = 0.9).
MAX_PERIODS = 10_000


def fit_drift(
    values: np.ndarray, start: list[list[int]], per_break: float, min_size: int
) -> tuple[list[list[int]], DriftParameters]:
    """Change points and parameters of every row of ``values`` (series × periods), from
    the change points ``start``, with ``per_break`` in units of the noise's innovation
    variance.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> walk = np.cumsum(0.3 * rng.standard_normal(300)) + rng.standard_normal(300)
    >>> walk[150:] += 6.0
    >>> breaks, fitted = fit_drift(walk[None], [[]], 2 * np.log(300), 3)
    >>> breaks
    [[150]]
    """

    def run(first: list[list[int]]) -> tuple[list[list[int]], DriftParameters]:
        return _alternate(values, first, per_break, min_size)

    return _better_start(start, run, per_break, None)


def fit_joint_drift(
    values: np.ndarray, group: Grouping, start: list[list[int]], per_break: float, min_size: int
) -> tuple[list[list[int]], DriftParameters]:
    """:func:`fit_drift` with one set of change points for the series of every group of
    ``group``, each series with its own drifting level and its own independent noise: the
    summed cost is then a sum over segments, searched exactly by optimal partitioning
    (:func:`periodize.segmentation.search.drift.joint_drift_search`). ``per_break`` is the
    penalty of one shared change.

    Examples
    --------
    >>> from periodize.segmentation.joint import grouping
    >>> rng = np.random.default_rng(4)
    >>> walks = np.cumsum(0.2 * rng.standard_normal((2, 200)), axis=1)
    >>> walks += rng.standard_normal((2, 200)) + np.r_[np.zeros(120), np.full(80, 4.0)]
    >>> breaks, fitted = fit_joint_drift(
    ...     walks, grouping(True, ("a", "b"), "segment"), [[], []], 3 * np.log(200), 3)
    >>> breaks
    [[120], [120]]
    """

    def run(first: list[list[int]]) -> tuple[list[list[int]], DriftParameters]:
        return _alternate_joint(values, group, first, per_break, min_size)

    return _better_start(start, run, per_break, group)


def _better_start(
    start: list[list[int]],
    run: Any,
    per_break: float,
    group: Grouping | None,
) -> tuple[list[list[int]], DriftParameters]:
    """``run`` from no change and from ``start``; each series (each group: its summed
    criterion) keeps the end with the lower -2 log L + the penalty per change."""
    ends = [run([[] for _ in start]), run([list(b) for b in start])]
    criteria = []
    for breaks, fitted in ends:
        deviance = fitted.deviance
        if group is not None:  # a group's summed deviance and its shared changes' penalty
            rows = group.group_of_row
            deviance = np.bincount(rows, deviance)[rows]
        criteria.append(deviance + per_break * np.array([len(b) for b in breaks]))
    (none, from_none), (levels, from_levels) = ends
    better = criteria[1] < criteria[0]
    breaks = [b if one else a for a, b, one in zip(none, levels, better, strict=True)]
    columns = zip(
        (*from_none.stacked().T, from_none.deviance),
        (*from_levels.stacked().T, from_levels.deviance),
        strict=True,
    )
    return breaks, DriftParameters(*(np.where(better, b, a) for a, b in columns))


def _alternate(
    values: np.ndarray, breaks: list[list[int]], per_break: float, min_size: int
) -> tuple[list[list[int]], DriftParameters]:
    """:data:`ROUNDS` times the parameters given the change points, then the change points
    given the parameters: the last change points, and the parameters they are optimal for
    (their ``deviance`` re-evaluated at those change points)."""
    for _ in range(ROUNDS):
        fitted = drift_parameters(values, breaks)
        breaks, _, _ = drift_search(
            values, fitted.sd_noise, fitted.phi, fitted.sd_drift, per_break, min_size
        )
    deviance = drift_deviance(values, breaks, fitted)
    return breaks, replace(fitted, deviance=deviance)


def _alternate_joint(
    values: np.ndarray,
    group: Grouping,
    breaks: list[list[int]],
    per_break: float,
    min_size: int,
) -> tuple[list[list[int]], DriftParameters]:
    """:func:`_alternate` with shared change points: each series' parameters (independent
    noise), then the groups' change points on their summed segment costs."""
    n = values.shape[1]
    for _ in range(ROUNDS):
        fitted = drift_parameters(values, breaks, independent=True)
        tables = segment_costs(values, fitted)[group.order]
        summed = tables.reshape(-1, group.size, n + 1, n + 1).sum(axis=1)
        shared, _ = joint_drift_search(summed, per_break, min_size)
        breaks = [shared[g] for g in group.group_of_row]
    deviance = drift_deviance(values, breaks, fitted)
    return breaks, replace(fitted, deviance=deviance)
