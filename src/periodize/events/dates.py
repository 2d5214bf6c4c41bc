"""Vectorised parsing of ISO 8601 dates of mixed precision (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD``), keeping the precision each date was given at."""

from __future__ import annotations

import datetime as dt
import numbers

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


def parse_dates(values: pd.Series) -> tuple[pd.DataFrame, dict[int, str]]:
    """Parse a column of dates, each distinct value once.

    Strings must match ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` exactly; integers are years;
    ``datetime64``/``datetime.date`` values are days. Missing values stay missing (precision
    ``-1``), so the caller decides whether they are allowed.

    Returns
    -------
    parsed : DataFrame
        Columns ``text`` (canonical ISO string), ``year``, ``month``, ``day`` (0 where not
        given) and ``precision`` (0 year, 1 month, 2 day, -1 missing or invalid), on a
        0..n-1 index.
    problems : dict
        Position -> what was expected, for each value that is present but not a date.
    """
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded already: parse each category
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) * 2 > len(values):  # mostly distinct: parse them as they are
            return _parse_dates(values)
    parsed, unique_problems = _parse_dates(pd.Series(uniques))
    missing = codes < 0
    if not len(parsed):
        return _empty(len(values)), {}
    rows = np.where(missing, 0, codes)
    out = pd.DataFrame(  # column by column: a frame's take would copy through pandas' blocks
        {
            "text": parsed["text"].array.take(np.where(missing, -1, codes), allow_fill=True),
            **{
                name: np.where(missing, fill, parsed[name].to_numpy()[rows])
                for name, fill in (("year", 0), ("month", 0), ("day", 0), ("precision", -1))
            },
        },
        copy=False,
    )
    expected = np.full(len(uniques) + 1, None, dtype=object)
    for position, message in unique_problems.items():
        expected[position] = message
    per_row = expected[np.where(missing, len(uniques), codes)]
    problems = {int(p): str(per_row[p]) for p in np.flatnonzero(pd.notna(per_row))}
    return out, problems


def _empty(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": pd.Series(pd.NA, index=range(n), dtype="string"),
            "year": np.zeros(n, dtype=np.int64),
            "month": np.zeros(n, dtype=np.int64),
            "day": np.zeros(n, dtype=np.int64),
            "precision": np.full(n, -1, dtype=np.int64),
        }
    )


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


def earliest_key(parsed: pd.DataFrame) -> np.ndarray:
    """Sortable integer key (YYYYMMDD) of the first day each date can denote."""
    month = np.where(parsed["month"] > 0, parsed["month"], 1)
    day = np.where(parsed["day"] > 0, parsed["day"], 1)
    return parsed["year"].to_numpy() * 10_000 + month * 100 + day


def latest_key(parsed: pd.DataFrame) -> np.ndarray:
    """Sortable integer key (YYYYMMDD) of the last day each date can denote."""
    year = parsed["year"].to_numpy()
    month = np.where(parsed["month"] > 0, parsed["month"], 12)
    last = days_in_month(year, np.clip(month, 1, 12))
    day = np.where(parsed["day"] > 0, parsed["day"], last)
    return year * 10_000 + month * 100 + day
