"""Vectorised parsing of ISO 8601 dates of mixed precision (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD``), keeping the precision each date was given at."""

from __future__ import annotations

import datetime as dt
import numbers
from typing import Any

import numpy as np
import pandas as pd

#: Precision codes, coarsest first (index into ``PRECISIONS``).
YEAR, MONTH, DAY = 0, 1, 2
_PATTERN = r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z"
_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

FORMAT_EXPECTED = "an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD"


def days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Number of days in each (year, month); months must be 1..12."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return _DAYS[month - 1] + ((month == 2) & leap)


#: Parsed dates, one entry per row: ``text`` (canonical ISO strings, an Arrow-backed
#: string array), ``year``, ``month``, ``day`` (int64, 0 where not given) and
#: ``precision`` (int8: 0 year, 1 month, 2 day, -1 missing or invalid); where each
#: distinct value was parsed once, also ``coded``: each row's code (-1 missing) and the
#: frame of the distinct values' fields (the per-row entries are its rows taken by code).
ParsedDates = dict[str, Any]


def parse_dates(values: pd.Series) -> tuple[ParsedDates, dict[int, str]]:
    """Parse a column of dates, each distinct value once.

    Strings must match ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` exactly; integers are years;
    ``datetime64``/``datetime.date`` values are days. Missing values stay missing (precision
    ``-1``), so the caller decides whether they are allowed.

    Returns
    -------
    parsed : dict
        :data:`ParsedDates`: one array per field, one entry per row (plain arrays, not a
        frame: a frame would copy the per-row columns into one block).
    problems : dict
        Position -> what was expected, for each value that is present but not a date.

    Examples
    --------
    >>> parsed, problems = parse_dates(pd.Series(["2019-10", "2019-13", None, "2019-10"]))
    >>> parsed["year"].tolist(), parsed["precision"].tolist(), problems
    ([2019, 2019, 0, 2019], [1, -1, -1, 1], {1: 'a real calendar date in the form YYYY, \
YYYY-MM or YYYY-MM-DD'})
    """
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded already: parse each category
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) * 2 > len(values):  # mostly distinct: parse them as they are
            parsed, problems = _parse_dates(values)
            return _fields(parsed, np.arange(len(values))), problems
    parsed, unique_problems = _parse_dates(pd.Series(uniques))
    if not len(parsed):
        return _fields(parsed, np.full(len(values), -1)), {}
    bad = np.zeros(len(uniques) + 1, dtype=bool)  # the last: a missing value, no problem
    bad[list(unique_problems)] = True
    rows = np.flatnonzero(bad[codes])  # (a missing value's code -1 reads the last)
    problems = {int(p): unique_problems[int(codes[p])] for p in rows}
    fields = _fields(parsed, codes)
    fields["coded"] = (codes, parsed)
    return fields, problems


def _fields(parsed: pd.DataFrame, rows: np.ndarray) -> ParsedDates:
    """Row ``i`` of the result is row ``rows[i]`` of ``parsed`` (missing where it is -1),
    each field taken on its own."""
    missing = rows < 0  # (every row, when nothing was parsed)
    safe = np.where(missing, 0, rows)
    out: ParsedDates = {
        "text": parsed["text"].array.take(rows, allow_fill=True)
        if len(parsed)
        else pd.array([pd.NA] * len(rows), dtype="string")
    }
    for name, fill, dtype in (("year", 0, np.int64), ("month", 0, np.int64), ("day", 0, np.int64),
                              ("precision", -1, np.int8)):  # fmt: skip
        column = (
            parsed[name].to_numpy().astype(dtype)[safe]
            if len(parsed)
            else np.empty(len(rows), dtype)
        )
        column[missing] = fill
        out[name] = column
    return out


def _parse_dates(values: pd.Series) -> tuple[pd.DataFrame, dict[int, str]]:
    values = values.reset_index(drop=True)
    n = len(values)
    text = pd.Series(pd.NA, index=values.index, dtype="string")
    missing = values.isna().to_numpy()
    problems: dict[int, str] = {}

    if pd.api.types.is_datetime64_any_dtype(values):
        text[~missing] = values[~missing].dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
        text[~missing] = values[~missing].astype("int64").map("{:04d}".format)
    elif pd.api.types.infer_dtype(values, skipna=True) == "string":
        text[~missing] = values[~missing].astype("string")
    else:
        for pos in np.flatnonzero(~missing):
            value = values.iat[pos]
            if isinstance(value, str):
                text.iat[pos] = value
            elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
                text.iat[pos] = f"{int(value):04d}"
            elif isinstance(value, dt.date):
                text.iat[pos] = value.strftime("%Y-%m-%d")
            else:
                problems[int(pos)] = FORMAT_EXPECTED

    parts = text.str.extract(_PATTERN)
    matched = parts[0].notna().to_numpy()
    for pos in np.flatnonzero(~missing & ~matched):
        problems.setdefault(int(pos), FORMAT_EXPECTED)

    year = pd.to_numeric(parts[0]).fillna(0).to_numpy(dtype=np.int64)
    month = pd.to_numeric(parts[1]).fillna(0).to_numpy(dtype=np.int64)
    day = pd.to_numeric(parts[2]).fillna(0).to_numpy(dtype=np.int64)
    precision = np.where(
        ~matched, -1, np.where(day > 0, DAY, np.where(parts[1].notna(), MONTH, YEAR))
    )

    has_month = matched & parts[1].notna().to_numpy()
    bad_month = has_month & ((month < 1) | (month > 12))
    has_day = matched & parts[2].notna().to_numpy()
    safe_month = np.clip(month, 1, 12)
    bad_day = has_day & ~bad_month & ((day < 1) | (day > days_in_month(year, safe_month)))
    bad_year = matched & (year < 1)
    for pos in np.flatnonzero(bad_month | bad_day | bad_year):
        problems[int(pos)] = "a real calendar date in the form YYYY, YYYY-MM or YYYY-MM-DD"
    if problems:
        precision[list(problems)] = -1

    parsed = pd.DataFrame(
        {"text": text, "year": year, "month": month, "day": day, "precision": precision}
    )
    if n == 0:
        parsed = parsed.astype({"year": "int64", "month": "int64", "day": "int64"})
    return parsed, problems


def earliest_key(parsed: ParsedDates) -> np.ndarray:
    """Sortable integer key (YYYYMMDD) of the first day each date can denote."""
    month = np.where(parsed["month"] > 0, parsed["month"], 1)
    day = np.where(parsed["day"] > 0, parsed["day"], 1)
    return parsed["year"] * 10_000 + month * 100 + day


def latest_key(parsed: ParsedDates) -> np.ndarray:
    """Sortable integer key (YYYYMMDD) of the last day each date can denote."""
    year = parsed["year"]
    month = np.where(parsed["month"] > 0, parsed["month"], 12)
    last = days_in_month(year, np.clip(month, 1, 12))
    day = np.where(parsed["day"] > 0, parsed["day"], last)
    return year * 10_000 + month * 100 + day
