"""Rates (or means) per hypothesised period with intervals, and the change between
consecutive periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...segmentation.costs import COSTS
from ...segmentation.inputs import SeriesMatrix
from .intervals import (
    garwood,
    negbin_offset_profile,
    negbin_profile,
    negbin_profile_ratio,
    rate_ratio,
    t_interval,
)


def period_table(
    model: str, matrix: SeriesMatrix, edges: np.ndarray, scale: np.ndarray, level: float
) -> pd.DataFrame:
    """Rates (or means) per hypothesised period with intervals, and the change from the
    period before."""
    values, index = matrix.values, matrix.index
    _n_series, n = values.shape
    cost = COSTS[model](values, exposure=matrix.exposure)
    starts, ends = edges[:, :-1], edges[:, 1:]
    length = (ends - starts).astype(float)
    extent = cost.extent(starts, ends).T  # exposure of each period (its length without one)
    total = np.add.reduceat(values, edges[0, :-1], axis=1)
    estimate, se = cost.estimates(starts, ends)
    if model in ("poisson", "quasipoisson"):
        phi = scale[:, None] if model == "quasipoisson" else 1.0
        low, high = garwood(total / phi, extent, level)
        low, high = low * phi, high * phi
        change, c_low, c_high = rate_ratio(
            total[:, :-1] / phi, extent[:, :-1], total[:, 1:] / phi, extent[:, 1:], level
        )
        method = (
            "exact Garwood interval; exact conditional (binomial) interval for the ratio"
        ) + (" on counts scaled by the dispersion" if model == "quasipoisson" else "")
        change_name = "ratio"
        if matrix.exposure is not None:
            method += "; rates per unit of exposure"
    elif model == "negbin":
        alpha = cost.nuisance()["alpha"]
        if matrix.exposure is None:
            low, high = negbin_profile(total, length, alpha[:, None], level)
            change, c_low, c_high = negbin_profile_ratio(
                total[:, :-1], length[:, :-1], total[:, 1:], length[:, 1:], alpha[:, None], level
            )
        else:
            low, high, change, c_low, c_high = negbin_offset_profile(
                values, matrix.exposure, alpha, edges, level
            )
        poisson = alpha == 0  # no overdispersion: the Poisson model's exact intervals
        if poisson.any():
            exact = (
                *garwood(total, extent, level),
                *rate_ratio(total[:, :-1], extent[:, :-1], total[:, 1:], extent[:, 1:], level),
            )
            low, high, change, c_low, c_high = (
                np.where(poisson[:, None], e, v)
                for e, v in zip(exact, (low, high, change, c_low, c_high), strict=True)
            )
        method = (
            "profile-likelihood intervals with the dispersion fixed at its moment estimate; "
            "for the ratio the earlier period's mean is profiled out; exact Poisson (Garwood, "
            "conditional binomial) intervals where the dispersion is 0"
        ) + ("; rates per unit of exposure" if matrix.exposure is not None else "")
        change_name = "ratio"
    else:
        dof = n - edges.shape[1] + 1
        low, high = t_interval(estimate, se, dof, level)
        change = estimate[:, 1:] - estimate[:, :-1]
        diff_se = np.sqrt(se[:, 1:] ** 2 + se[:, :-1] ** 2)
        c_low, c_high = t_interval(change, diff_se, dof, level)
        method = f"Student-t interval ({dof} df); difference of consecutive means"
        change_name = "difference"
    rows = []
    for i, name in enumerate(matrix.names):
        for j in range(edges.shape[1] - 1):
            rows.append(
                {
                    "series": name,
                    "period": j,
                    "first": index[starts[i, j]],
                    "last": index[ends[i, j] - 1],
                    "n": int(length[i, j]),
                    **({"exposure": float(extent[i, j])} if matrix.exposure is not None else {}),
                    "total": float(total[i, j]),
                    "estimate": float(estimate[i, j]),
                    "lower": float(low[i, j]),
                    "upper": float(high[i, j]),
                    change_name: float(change[i, j - 1]) if j else np.nan,
                    f"{change_name}_lower": float(c_low[i, j - 1]) if j else np.nan,
                    f"{change_name}_upper": float(c_high[i, j - 1]) if j else np.nan,
                }
            )
    table = pd.DataFrame(rows).set_index(["series", "period"])
    table.attrs["method"] = method
    return table
