"""Exact segmentation of groups of series sharing one set of breaks, compiled.

The recursion of :mod:`periodize.segmentation.search.dynamic` on the summed costs of a
:class:`periodize.segmentation.joint.SummedCost`: ``C[k, e] = min_s C[k-1, s] + Σ_j
cost_j(s, e)``, each member's segment cost computed in place from its own prefix sums and
constant. Groups run in parallel. The numpy programme on the summed cost stays the
reference the tests compare with.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numba
import numpy as np

from ..._kernels import frozen
from ..costs.base import Cost
from ..costs.compiled import kernel_inputs, segment_cost, sloped
from ..costs.mixed import MixedCost
from ..joint import SummedCost
from .compiled import extend, kernel_arguments, segment_penalties, trace
from .dynamic import ExactPath, exact_path_of


@numba.njit(cache=True, parallel=True)
def _joint_programme(
    codes: np.ndarray,
    values: np.ndarray,
    exposure: np.ndarray,
    params: np.ndarray,
    size: int,
    max_breaks: int,
    min_size: int,
    penalty: np.ndarray,
    costs: np.ndarray,
    breaks: np.ndarray,
    xlogx: np.ndarray,
    logm: np.ndarray,
) -> None:
    """Fill ``costs`` (groups × K+1) and ``breaks`` (groups × K+1 × K) for groups of
    ``size`` consecutive rows of ``values``, row ``i`` priced by the model ``codes[i]``."""
    rows, n = values.shape
    n1 = n + 1
    exposed = exposure.shape[0] > 0
    for g in numba.prange(rows // size):  # type: ignore[union-attr]
        a1, a2, a3 = np.zeros((size, n1)), np.zeros((size, n1)), np.zeros((size, n1))
        ae = np.zeros((size, n1))
        for j in range(size):
            i = g * size + j
            for t in range(n):
                y = values[i, t]
                a1[j, t + 1] = a1[j, t] + y
                a2[j, t + 1] = a2[j, t] + y * y
                a3[j, t + 1] = a3[j, t] + t * y
                ae[j, t + 1] = ae[j, t] + (exposure[i, t] if exposed else 1.0)
        best = np.full((max_breaks + 1, n1), math.inf)
        arg = np.zeros((max_breaks + 1, n1), dtype=np.int32)
        segment = np.empty(n1)
        for e in range(min_size, n1):
            last = e - min_size
            top = max_breaks if e == n else max_breaks - 1  # K breaks only at the end
            for s in range(last + 1 if top > 0 else 1):
                total = penalty[e - s]
                for j in range(size):
                    s1 = a1[j, e] - a1[j, s]
                    code = codes[g * size + j]
                    total += segment_cost(
                        code,
                        s1,
                        a2[j, e] - a2[j, s],
                        a3[j, e] - a3[j, s] - s * s1 if sloped(code) else 0.0,
                        ae[j, e] - ae[j, s],
                        float(e - s),
                        params[g * size + j],
                        xlogx,
                        logm,
                    )
                segment[s] = total
            best[0, e] = segment[0]
            extend(best, arg, segment, e, top, min_size)
        trace(best, arg, costs[g], breaks[g])


def joint_path(
    cost: SummedCost,
    max_breaks: int,
    min_size: int,
    segment_penalty: Callable[[np.ndarray], np.ndarray] | None = None,
    compiled: bool = True,
) -> ExactPath:
    """Exact optimum of every group for every k = 0..``max_breaks`` (``compiled=False``, or
    members no kernel knows: the numpy programme on the summed cost). Members priced by
    different models (a :class:`~periodize.segmentation.costs.mixed.MixedCost`) run in the
    same kernel, each row with its model's code."""
    prepared = _arguments(cost.members, segment_penalty) if compiled else None
    if prepared is None:
        return exact_path_of(cost, max_breaks, min_size, segment_penalty)
    codes, values, exposure, params, penalty, xlogx, logm = prepared
    costs = np.empty((cost.n_series, max_breaks + 1))
    found = np.zeros((cost.n_series, max_breaks + 1, max(max_breaks, 1)), dtype=np.int64)
    _joint_programme(
        codes, values, exposure, params, cost.size, max_breaks, min_size, penalty, costs,
        found, xlogx, logm,
    )  # fmt: skip
    return ExactPath(costs, [found[:, k, :k].copy() for k in range(max_breaks + 1)])


def _arguments(
    members: Cost, segment_penalty: Callable[[np.ndarray], np.ndarray] | None
) -> tuple[np.ndarray, ...] | None:
    """The joint kernel's arguments: :func:`.compiled.kernel_arguments` with a model code
    per row; for a mixed cost, each part's codes, values and constants on its rows (no
    exposure, no look-up tables); ``None`` where a kernel does not know a part."""
    if not isinstance(members, MixedCost):
        prepared = kernel_arguments(members, segment_penalty)
        if prepared is None:
            return None
        code, *rest = prepared
        return (np.full(members.n_series, code, dtype=np.int64), *rest)
    codes = np.empty(members.n_series, dtype=np.int64)
    values = np.empty((members.n_series, members.n_periods))
    params = np.empty(members.n_series)
    for rows, part in members.parts:
        inputs = kernel_inputs(part)
        if inputs is None or part.exposure is not None:
            return None
        codes[rows], values[rows], _, params[rows] = inputs
    penalty = segment_penalties(members.n_periods, segment_penalty)
    empty = np.zeros(1)
    return codes, frozen(values), frozen(np.zeros((0, 0))), frozen(params), penalty, empty, empty
