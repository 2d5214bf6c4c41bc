"""Calendar periods (year, quarter, month) as integer codes, and observation windows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._typing import FREQS
from .._validation import check_choice
from ..exceptions import ParameterError

_PANDAS_FREQ = {"quarter": "Q", "month": "M"}
#: Date precision an event needs for each frequency (0 year, 1 month).
NEEDED_PRECISION = {"year": 0, "quarter": 1, "month": 1}


def ordinal(year: np.ndarray, month: np.ndarray, freq: str) -> np.ndarray:
    """Integer ordinal of the period holding (year, month): consecutive periods differ by 1."""
    if freq == "year":
        return year.astype(np.int64)
    if freq == "quarter":
        return year.astype(np.int64) * 4 + (month.astype(np.int64) - 1) // 3
    return year.astype(np.int64) * 12 + month.astype(np.int64) - 1


def window_ordinal(value: Any, freq: str, name: str, func: str) -> int:
    """Ordinal of a window bound given as a year (``freq="year"``) or a period label."""
    check_choice(freq, FREQS, name="freq", func=func)
    if freq == "year":
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ParameterError(
                f"The {name!r} parameter of {func} must be a year (int) when freq='year'. "
                f"Got {value!r} instead."
            )
        if not 1 <= value <= 9999:
            raise ParameterError(
                f"The {name!r} parameter of {func} must be a calendar year in 1..9999 (the "
                f"years event dates can have). Got {value!r} instead."
            )
        return int(value)
    try:
        period = pd.Period(value, freq=_PANDAS_FREQ[freq])
    except (ValueError, TypeError):
        raise ParameterError(
            f"The {name!r} parameter of {func} must be a {freq} such as "
            f"{'1992Q1' if freq == 'quarter' else '1992-01'}. Got {value!r} instead."
        ) from None
    month = period.quarter * 3 - 2 if freq == "quarter" else period.month
    return int(ordinal(np.array([period.year]), np.array([month]), freq)[0])


def period_index(first: int, last: int, freq: str) -> pd.Index:
    """Index of the periods with ordinals ``first..last``."""
    if freq == "year":
        return pd.Index(np.arange(first, last + 1), name="year")
    per_year = 4 if freq == "quarter" else 12
    start = pd.Period(
        year=first // per_year,
        freq=_PANDAS_FREQ[freq],
        **({"quarter": first % 4 + 1} if freq == "quarter" else {"month": first % 12 + 1}),
    )
    return pd.period_range(start, periods=last - first + 1, name=freq)
