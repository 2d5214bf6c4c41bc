"""Series from a CSV file in long format (``periodize detect``): gaps, empty cells and
duplicates are errors that name the line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._textfiles import read_csv_text, read_text
from ..events.numbers import DECIMAL
from ..exceptions import ParameterError
from ..segmentation.inputs import check_time_index


def read_series(
    path: str, time: str, value: str, series: str | None, empty_values: bool = False
) -> pd.DataFrame:
    """Periods × series from a CSV in long format, rows in any order; gaps, empty cells
    and duplicates are errors that name the line. ``empty_values`` reads an empty value
    cell as a missing value (NaN) instead."""
    file, text = read_text(path)
    table, lines = read_csv_text(file, text)
    missing = [c for c in (time, value, series) if c is not None and c not in table.columns]
    if missing:
        raise ParameterError(f"{path}: no column {missing}; columns are {list(table.columns)}.")
    for column in (time, None if empty_values else value, series):
        if column is not None and table[column].isna().any():
            i = int(np.flatnonzero(table[column].isna().to_numpy())[0])
            remedy = " (--missing skip segments the observed periods)" if column == value else ""
            raise ParameterError(f"{path}, line {lines[i]}: the {column!r} cell is empty{remedy}.")
    table[time] = _times(table[time], path, time, lines)
    table[value] = _numbers(table[value], path, value, lines)
    table = table.assign(_line=lines).sort_values(time, kind="stable")
    keys = [time] if series is None else [series, time]
    dup = table.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        first = table[dup].iloc[:2]
        label = "" if series is None else f"series {first[series].iat[0]!r} has "
        raise ParameterError(
            f"{path}: {label}two rows for {time} {first[time].iat[0]} (lines "
            f"{first['_line'].iat[0]} and {first['_line'].iat[1]})."
        )
    if series is None:
        frame = table.set_index(time)[[value]]
    else:
        frame = table.pivot(index=time, columns=series, values=value)
        holes = frame.isna()
        if holes.to_numpy().any():
            t, name = holes.stack()[lambda s: s].index[0]
            raise ParameterError(
                f"{path}: series {name!r} has no row for {time} {t} (each series needs a "
                "row for every period, with 0 where nothing happened)."
            )
    check_time_index(frame.index, f"{time!r} column of {path}")
    return frame


def _times(values: pd.Series, path: str, column: str, lines: np.ndarray) -> pd.Series:
    """Integer years, or ISO dates, from text cells (ASCII digits only)."""
    text = values.astype(str)
    years = text.str.fullmatch(r"-?[0-9]{1,9}")
    if years.all():
        return text.astype(np.int64)
    try:
        return pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError):
        i = int(np.flatnonzero(~years.to_numpy())[0])
        raise ParameterError(
            f"{path}, line {lines[i]}: column {column!r} must hold integer years or ISO dates "
            f"(YYYY-MM-DD); got {text.iat[i]!r}."
        ) from None


def _numbers(values: pd.Series, path: str, column: str, lines: np.ndarray) -> pd.Series:
    """Finite decimal numbers from text cells (an empty cell, where allowed, is NaN)."""
    text = values.astype(str)
    ok = text.str.fullmatch(DECIMAL).to_numpy() | values.isna().to_numpy()
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise ParameterError(
            f"{path}, line {lines[i]}: column {column!r} must hold decimal numbers; got "
            f"{text.iat[i]!r}."
        )
    return text.where(values.notna()).astype(float)
