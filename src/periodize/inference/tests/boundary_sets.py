"""Uncertainty of boundary positions: bootstrap sets and likelihood-profile sets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...segmentation.costs import COSTS
from ...segmentation.inputs import SeriesMatrix
from ...segmentation.search.dynamic import exact_path


def profile_sets(
    model: str,
    values: np.ndarray,
    best: np.ndarray,
    k: int,
    min_size: int,
    level: float,
    exposure: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> list[list[np.ndarray]]:
    """For each series and boundary j: positions whose profiled cost (other boundaries
    re-optimised) is within :func:`profile_critical_value` of the optimum, times ``scale``
    per series where given (:func:`periodize.inference.fits.profile_scale`: the long-run
    variance of the residuals over the variance the cost assumes, for serial dependence)."""
    if k == 0:
        return [[] for _ in range(len(values))]
    n = values.shape[1]
    reverse = None if exposure is None else exposure[:, ::-1].copy()
    forward = exact_path(
        COSTS[model], values, k, min_size, keep_table=True, exposure=exposure
    ).table
    backward = exact_path(
        COSTS[model], values[:, ::-1].copy(), k, min_size, keep_table=True, exposure=reverse
    ).table
    if forward is None or backward is None:  # pragma: no cover - keep_table guarantees them
        raise RuntimeError("the dynamic programme did not keep its table")
    critical = profile_critical_value(level)
    scales = np.ones(len(values)) if scale is None else scale
    taus = np.arange(n + 1)
    sets = []
    for i in range(len(values)):
        threshold = critical * scales[i]
        per_boundary = []
        for j in range(1, k + 1):
            profile = forward[j - 1, taus, i] + backward[k - j, n - taus, i]
            best_cost = profile[best[i, j - 1]]
            per_boundary.append(np.flatnonzero(profile - best_cost <= threshold))
        sets.append(per_boundary)
    return sets


def profile_critical_value(level: float) -> float:
    r"""Critical value of the likelihood ratio for a break date:
    :math:`-2\log(1-\sqrt{\mathrm{level}})`.

    The LR for the date of a break is not :math:`\chi^2_1`; with a small shift its limit
    has the distribution :math:`P(\xi \le x) = (1 - e^{-x/2})^2` (Hansen 2000, Table 1;
    the inverted-LR sets of Eo & Morley 2015).

    Examples
    --------
    >>> [round(profile_critical_value(p), 2) for p in (0.90, 0.95, 0.99)]
    [5.94, 7.35, 10.59]
    """
    return float(-2 * np.log1p(-np.sqrt(level)))


def credible_set(counts: np.ndarray, level: float) -> np.ndarray:
    """Smallest set of positions holding at least ``level`` of the mass (highest first)."""
    order = np.argsort(-counts, kind="stable")
    cumulative = np.cumsum(counts[order]) / counts.sum()
    size = int(np.searchsorted(cumulative, level - 1e-12) + 1)
    return np.sort(order[:size])


def estimated_text(estimated: pd.Series) -> str:
    """The estimated boundaries of one series as text; "not identified" where there are none.

    Examples
    --------
    >>> estimated_text(pd.Series([2005, 2012])), estimated_text(pd.Series([None]))
    ('2005, 2012', 'not identified (every placement fits equally well)')
    """
    if estimated.isna().any():
        return "not identified (every placement fits equally well)"
    return ", ".join(str(int(b)) for b in estimated)


def boundary_table(
    matrix: SeriesMatrix,
    positions: np.ndarray,
    best: np.ndarray,
    boot: np.ndarray,
    profile: list[list[np.ndarray]],
    identified: np.ndarray,
) -> pd.DataFrame:
    """One row per series and hypothesised boundary. Where the series is not identified (no
    segmentation fits better than none: every placement ties) the estimate, displacement and
    bootstrap sets are empty (``None``): the search's pick among ties is no estimate; the
    profile set, every admissible position, says so."""
    index, n = matrix.index, matrix.values.shape[1]
    rows = []
    for i, name in enumerate(matrix.names):
        for j, position in enumerate(positions):
            counts = np.bincount(boot[i, :, j], minlength=n + 1).astype(float)
            known = bool(identified[i])
            rows.append(
                {
                    "series": name,
                    "boundary": j + 1,
                    "hypothesised": index[position],
                    "estimated": index[best[i, j]] if known else None,
                    "displacement": int(best[i, j] - position) if known else None,
                    "bootstrap_90": [index[p] for p in credible_set(counts, 0.90)]
                    if known
                    else None,
                    "bootstrap_95": [index[p] for p in credible_set(counts, 0.95)]
                    if known
                    else None,
                    "profile_set": [index[p] for p in profile[i][j]],
                }
            )
    return pd.DataFrame(rows).set_index(["series", "boundary"])
