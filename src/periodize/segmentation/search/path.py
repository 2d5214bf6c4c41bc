"""The penalty path: every segmentation that is optimal for some penalty in a range.

The optimal number of breaks for a penalty ``beta`` minimises ``C_k + k beta`` over the
exact optimal costs ``C_k``; as ``beta`` falls from infinity to the lower end of the range
the optimum moves along the lower convex hull of the points ``(k, C_k)``. Computing the
hull from the exact segment-neighbourhood costs gives the same output as CROPS (Haynes,
Eckley & Fearnhead 2017), exactly and for all series at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._validation import check_int
from ...exceptions import ParameterError
from ..costs import COSTS
from ..inputs import as_matrix, check_values, resolve_model
from .dynamic import exact_path


def penalty_path(
    series: Any,
    *,
    model: str = "poisson",
    min_size: int = 3,
    penalty_range: tuple[float, float] = (0.0, np.inf),
    max_breaks: int | None = None,
) -> pd.DataFrame:
    """Every optimal segmentation over a range of penalties per break.

    Parameters
    ----------
    series, model, min_size
        As in :func:`periodize.segment`.
    penalty_range : (float, float)
        Penalties per break (deviance scale) to cover, ``0 <= low < high``.
    max_breaks : int, optional
        Largest number of breaks considered (default: as many as ``min_size`` allows).

    Returns
    -------
    DataFrame
        One row per series and segmentation on the path, from the largest penalties to
        the smallest: ``series``, ``n_breaks``, ``penalty_low``, ``penalty_high`` (the
        segmentation is optimal for penalties in between), ``cost`` and ``boundaries``.

    Examples
    --------
    >>> import periodize as pz
    >>> path = pz.penalty_path(pz.intensity(pz.datasets.mongolia_kazakhstan()))
    >>> path[["n_breaks", "boundaries"]].head(3)
       n_breaks                boundaries
    0         0                        ()
    1         2              (2009, 2015)
    2         4  (1995, 2005, 2009, 2015)
    """
    func = "penalty_path"
    matrix = as_matrix(series, func)
    used = resolve_model(model, matrix.weighted)
    check_values(matrix, used, func)
    cost_class = COSTS[used]
    min_size = check_int(min_size, name="min_size", func=func, minimum=cost_class.min_size)
    low, high = (float(v) for v in penalty_range)
    if not 0 <= low < high:
        raise ParameterError(
            f"The 'penalty_range' parameter of {func} must be (low, high) with "
            f"0 <= low < high. Got {penalty_range!r} instead."
        )
    n = matrix.values.shape[1]
    most = n // min_size - 1
    if max_breaks is not None:
        most = min(most, check_int(max_breaks, name="max_breaks", func=func, minimum=0))
    path = exact_path(cost_class, matrix.values, most, min_size)
    rows = []
    for i, name in enumerate(matrix.names):
        for k, beta_low, beta_high in _hull(path.costs[i]):
            if beta_high <= low or beta_low >= high:
                continue
            rows.append(
                {
                    "series": name,
                    "n_breaks": k,
                    "penalty_low": max(beta_low, low),
                    "penalty_high": min(beta_high, high),
                    "cost": path.costs[i, k],
                    "boundaries": tuple(
                        matrix.index[j].item()
                        if hasattr(matrix.index[j], "item")
                        else matrix.index[j]
                        for j in path.breaks[k][i]
                    ),
                }
            )
    return pd.DataFrame(rows)


def _hull(costs: np.ndarray) -> list[tuple[int, float, float]]:
    """(k, lowest, highest penalty) for each k on the lower convex hull of (k, costs[k])."""
    finite = np.flatnonzero(np.isfinite(costs))
    segments, k, upper = [], 0, np.inf
    while True:
        later = finite[finite > k]
        if later.size == 0:
            segments.append((int(k), 0.0, upper))
            return segments
        slopes = (costs[k] - costs[later]) / (later - k)
        best = slopes.max()
        if best <= 0:
            segments.append((int(k), 0.0, upper))
            return segments
        segments.append((int(k), float(best), upper))
        k, upper = int(later[np.flatnonzero(slopes == best)[-1]]), float(best)
