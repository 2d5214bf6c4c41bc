"""Calendar periods (year, quarter, month, week, day) as integer codes, and observation
windows. Weeks run Monday to Sunday (pandas ``W-SUN``); a day's ordinal counts days since
1970-01-01 and a week's is ``(day + 3) // 7 + 1``, pandas' own weekly ordinal."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ._typing import FREQS
from ._validation import check_choice
from .exceptions import ParameterError

_PANDAS_FREQ = {"quarter": "Q", "month": "M", "week": "W-SUN", "day": "D"}
_EXAMPLE = {"quarter": "1992Q1", "month": "1992-01", "week": "1992-01-06", "day": "1992-01-06"}
#: Date precision an event needs for each frequency (0 year, 1 month, 2 day).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NEEDED_PRECISION = {"year": 0, "quarter": 1, "month": 1, "week": 2, "day": 2}


def ordinal(
    year: np.ndarray, month: np.ndarray | None, freq: str, day: np.ndarray | None = None
) -> np.ndarray:
    """Integer ordinal of the period holding (year, month, day): consecutive periods differ
    by 1 (``month`` may be None for years, ``day`` for years, quarters and months).

    Examples
    --------
    >>> y, m, d = np.array([1970, 2019]), np.array([1, 3]), np.array([5, 10])
    >>> ordinal(y, m, "day", d).tolist(), ordinal(y, m, "week", d).tolist()
    ([4, 17965], [2, 2567])
    """
    if freq == "year":
        return year.astype(np.int64, copy=False)
    if month is None:
        raise ValueError(f"month is needed for freq {freq!r}")
    if freq == "quarter":
        return year.astype(np.int64) * 4 + (month.astype(np.int64) - 1) // 3
    if freq == "month":
        return year.astype(np.int64) * 12 + month.astype(np.int64) - 1
    if day is None:
        raise ValueError("day is needed for freq 'week' and 'day'")
    dates = (
        (year.astype(np.int64) - 1970).astype("datetime64[Y]")
        + (month.astype(np.int64) - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (day.astype(np.int64) - 1).astype("timedelta64[D]")
    days = dates.astype(np.int64)
    return days if freq == "day" else (days + 3) // 7 + 1


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
    # only ISO dates: pandas would read "March" as a day of the current year
    loose = freq in ("week", "day") and isinstance(value, str) and not _ISO_DATE.fullmatch(value)
    try:
        if loose:
            raise ValueError
        period = pd.Period(value, freq=_PANDAS_FREQ[freq])
    except (ValueError, TypeError):
        raise ParameterError(
            f"The {name!r} parameter of {func} must be a {freq} such as "
            f"{_EXAMPLE[freq]}. Got {value!r} instead."
        ) from None
    if freq in ("week", "day"):
        return int(period.ordinal)
    month = period.quarter * 3 - 2 if freq == "quarter" else period.month
    return int(ordinal(np.array([period.year]), np.array([month]), freq)[0])


def period_index(first: int, last: int, freq: str) -> pd.Index:
    """Index of the periods with ordinals ``first..last``."""
    if freq == "year":
        return pd.Index(np.arange(first, last + 1), name="year")
    if freq in ("week", "day"):
        start = pd.Period(ordinal=first, freq=_PANDAS_FREQ[freq])
        return pd.period_range(start, periods=last - first + 1, name=freq)
    per_year = 4 if freq == "quarter" else 12
    start = pd.Period(
        year=first // per_year,
        freq=_PANDAS_FREQ[freq],
        **({"quarter": first % 4 + 1} if freq == "quarter" else {"month": first % 12 + 1}),
    )
    return pd.period_range(start, periods=last - first + 1, name=freq)
