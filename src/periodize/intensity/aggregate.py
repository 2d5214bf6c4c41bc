"""The vectorised core of intensity: integer codes in, a periods × series array out."""

from __future__ import annotations

import numpy as np


def accumulate(
    period_codes: np.ndarray,
    series_codes: np.ndarray,
    weights: np.ndarray | None,
    n_periods: int,
    n_series: int,
    first: int = 0,
) -> np.ndarray:
    """Sum event weights into a ``(n_periods, n_series)`` array in one pass.

    One ``np.bincount`` over the flattened cell index ``series * n_periods + period -
    first`` (``first``: the code of the first period, subtracted while the cells are
    built, so the caller's codes are neither copied nor changed): no loop over events or
    series. Codes must already be checked to lie in range.

    Examples
    --------
    >>> accumulate(np.array([0, 2, 2]), np.array([1, 0, 0]), None, 3, 2)
    array([[0., 1.],
           [0., 0.],
           [2., 0.]])
    """
    cell = series_codes.astype(np.int64)  # one array of cells, built in place
    cell *= n_periods
    cell += period_codes
    if first:
        cell -= first
    totals = np.bincount(cell, weights=weights, minlength=n_periods * n_series)
    return totals.astype(float, copy=False).reshape(n_series, n_periods).T
