"""Numbers in event tables, read exactly: counts as integers checked for range before any
conversion, weights as finite decimals. Text cells (CSV) and parsed values (JSON, Parquet,
DataFrames) follow the same rules, so a value is never rounded, wrapped or truncated."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

#: A decimal number in plain ASCII: ``2``, ``-1.5``, ``.5``, ``1e-3`` (no ``nan``/``inf``).
DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DECIMAL = re.compile(DECIMAL)
_DIGITS = re.compile(r"[0-9]+")
#: Largest count a table may hold (the range of the Int64 column it is stored in).
MAX_COUNT = 2**63 - 1
#: Integers beyond this are not all representable as floats.
EXACT_FLOAT = 2**53

COUNT_EXPECTED = f"a non-negative integer up to {MAX_COUNT} (or empty when not known)"
WEIGHT_EXPECTED = "a finite decimal number such as 1 or 1.5"


def parse_counts(values: pd.Series) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """Counts as an Int64 array and a mask of the present values that are not counts.

    Integers must be within ``0..MAX_COUNT``; floats must be whole and below 2**53 (above
    that a float cannot say which integer was meant); text must be ASCII digits only.
    """
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        present = values.notna().to_numpy()
        numbers = values.to_numpy(dtype=object, na_value=None)
        ok = np.array([v is None or 0 <= int(v) <= MAX_COUNT for v in numbers], dtype=bool)
        parsed: list[int | None] = [
            int(v) if v is not None and good else None for v, good in zip(numbers, ok, strict=True)
        ]
        return pd.array(parsed, dtype="Int64"), present & ~ok
    items = [_count(v) for v in values.to_numpy(dtype=object)]
    bad = np.array([p is _BAD for p in items], dtype=bool)
    clean = [None if p is _BAD else p for p in items]
    return pd.array(clean, dtype="Int64"), bad


def parse_weights(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Weights as float64 and a mask of the values that are not finite decimal numbers
    (missing weights are bad too: a weight column gives every event its weight)."""
    if pd.api.types.is_float_dtype(values.dtype) or (
        pd.api.types.is_integer_dtype(values.dtype)
        and not pd.api.types.is_bool_dtype(values.dtype)
    ):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(numbers)
        if pd.api.types.is_integer_dtype(values.dtype):
            big = values.to_numpy(dtype=object, na_value=0)
            bad |= np.array([abs(int(v)) > EXACT_FLOAT for v in big], dtype=bool)
        return np.where(bad, np.nan, numbers), bad
    parsed = [_weight(v) for v in values.to_numpy(dtype=object)]
    bad = np.array([p is None for p in parsed], dtype=bool)
    return np.array([np.nan if p is None else p for p in parsed], dtype=float), bad


_BAD = object()


def _count(value: object) -> object:
    """One count, ``None`` when missing, ``_BAD`` when not a count."""
    number: int
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return _BAD
    if isinstance(value, str):
        number = int(value) if _DIGITS.fullmatch(value) else -1
    elif isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, float | np.floating):
        real = float(value)
        whole = math.isfinite(real) and real.is_integer() and abs(real) < EXACT_FLOAT
        number = int(real) if whole else -1
    else:
        return _BAD
    return number if 0 <= number <= MAX_COUNT else _BAD


def _weight(value: object) -> float | None:
    """One weight, ``None`` when missing or not a finite number."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, str):
        number = float(value) if _DECIMAL.fullmatch(value) else math.nan
    elif isinstance(value, int | np.integer):
        number = float(value) if abs(int(value)) <= EXACT_FLOAT else math.nan
    elif isinstance(value, float | np.floating):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None
