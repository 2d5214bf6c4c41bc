"""Vectorised parsing of ISO 8601 dates of mixed precision (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD``), keeping the precision each date was given at."""

from __future__ import annotations

import datetime as dt
import numbers
from typing import Any

import numba
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
    if not len(parsed):  # (every row missing)
        return {
            "text": pd.array([pd.NA] * len(rows), dtype="string"),
            **{name: np.zeros(len(rows), np.int64) for name in ("year", "month", "day")},
            "precision": np.full(len(rows), -1, np.int8),
        }
    year, month, day, precision = _take_fields(
        rows,
        *(parsed[name].to_numpy(np.int64) for name in ("year", "month", "day", "precision")),
    )
    return {
        "text": parsed["text"].array.take(rows, allow_fill=True),
        "year": year,
        "month": month,
        "day": day,
        "precision": precision,
    }


@numba.njit(cache=True)
def _take_fields(
    rows: np.ndarray, year: np.ndarray, month: np.ndarray, day: np.ndarray, precision: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row ``i`` of each field is entry ``rows[i]`` of the distinct values' (0, and
    precision -1, where ``rows[i]`` is -1), all four in one pass."""
    n = rows.shape[0]
    out_year = np.empty(n, np.int64)
    out_month = np.empty(n, np.int64)
    out_day = np.empty(n, np.int64)
    out_precision = np.empty(n, np.int8)
    for i in range(n):
        r = rows[i]
        if r < 0:
            out_year[i], out_month[i], out_day[i], out_precision[i] = 0, 0, 0, -1
        else:
            out_year[i], out_month[i], out_day[i] = year[r], month[r], day[r]
            out_precision[i] = precision[r]
    return out_year, out_month, out_day, out_precision


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

    matched, year, month, day, given_month, given_day = _iso_parts(text)
    for pos in np.flatnonzero(~missing & ~matched):
        problems.setdefault(int(pos), FORMAT_EXPECTED)

    precision = np.where(~matched, -1, np.where(day > 0, DAY, np.where(given_month, MONTH, YEAR)))

    has_month = matched & given_month
    bad_month = has_month & ((month < 1) | (month > 12))
    has_day = matched & given_day
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


#: :data:`_PATTERN` in RE2's syntax (Arrow's regular expressions; ``$`` is the end of the
#: text, as Python's ``\Z``).
_ARROW_PATTERN = r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$"


def _iso_parts(text: pd.Series) -> tuple[np.ndarray, ...]:
    """For each cell (text or missing): whether it matches :data:`_PATTERN`, its year,
    month and day (int64, 0 where not given) and whether month and day were given; by
    Arrow's compiled regular expressions, or by Python's where Arrow cannot hold the text
    (a lone surrogate)."""
    try:
        return _iso_parts_arrow(text)
    except (UnicodeEncodeError, ValueError, TypeError):  # (ArrowInvalid is a ValueError)
        return _iso_parts_python(text)


def _iso_parts_arrow(text: pd.Series) -> tuple[np.ndarray, ...]:
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.large_string())
    parts = pc.extract_regex(cells, _ARROW_PATTERN)
    matched = np.asarray(parts.is_valid(), dtype=bool)
    numbers, given = [], []
    for name in ("year", "month", "day"):
        field = pc.struct_field(parts, name).fill_null("")
        empty = pc.equal(field, "")  # (a part the text does not give)
        numbers.append(np.asarray(pc.cast(pc.if_else(empty, "0", field), pa.int64()), np.int64))
        given.append(~np.asarray(empty, dtype=bool))
    return (matched, *numbers, given[1], given[2])


def _iso_parts_python(text: pd.Series) -> tuple[np.ndarray, ...]:
    parts = text.str.extract(_PATTERN)
    year, month, day = (
        pd.to_numeric(parts[i]).fillna(0).to_numpy(dtype=np.int64) for i in range(3)
    )
    given_month, given_day = (parts[i].notna().to_numpy() for i in (1, 2))
    return parts[0].notna().to_numpy(), year, month, day, given_month, given_day


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
