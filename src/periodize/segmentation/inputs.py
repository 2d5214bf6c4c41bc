"""Turning user input (IntensitySeries, DataFrame, Series, arrays) into a checked matrix."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from .._validation import type_name
from ..exceptions import ParameterError, PeriodizeTypeError
from ..intensity.series import IntensitySeries
from ..results import matrix_sha256, plain
from .costs import COSTS, COUNT_MODELS, Cost
from .costs.mixed import MixedCost


@dataclass(frozen=True)
class SeriesMatrix:
    """Values as ``(n_series, n_periods)``, with the period index, series names and, for
    count models, the exposure of every period (``None``: exposure 1)."""

    values: np.ndarray
    index: pd.Index
    names: tuple[str, ...]
    weighted: bool
    source: Any
    exposure: np.ndarray | None = None
    scale: np.ndarray | None = None
    #: The cost of all rows by cost class, built once (the search and the result share it).
    _whole: dict[type[Cost], Cost] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def rows(self, rows: Any) -> np.ndarray | None:
        """The exposure of some rows (``None`` without an exposure)."""
        return None if self.exposure is None else self.exposure[rows]

    def row_params(self) -> dict[str, np.ndarray]:
        """Per-series cost arguments other than the values and exposure: the noise
        ``scale`` fixed by the penalty "auto" (none otherwise)."""
        return {} if self.scale is None else {"scale": self.scale}

    def cost(self, cost_class: type[Cost], rows: Any = slice(None)) -> Cost:
        """The cost of some rows, with their exposure and noise scale (the cost of every
        row is built once per class)."""
        if isinstance(rows, slice) and rows.indices(len(self.values)) == (0, len(self.values), 1):
            if cost_class not in self._whole:
                self._whole[cost_class] = self._cost(cost_class, slice(None))
            return self._whole[cost_class]
        return self._cost(cost_class, rows)

    def _cost(self, cost_class: type[Cost], rows: Any) -> Cost:
        extra = {name: value[rows] for name, value in self.row_params().items()}
        if issubclass(cost_class, MixedCost):  # a model per row: the rows' own models
            cost_class = cost_class.of_rows(rows)
        return cost_class(self.values[rows], exposure=self.rows(rows), **extra)


def check_time_index(index: pd.Index, what: str) -> None:
    """Periods must be unique, increasing and consecutive, one unit of their frequency apart.

    Integer labels are years (steps of 1); a ``PeriodIndex`` steps by one of its periods; a
    ``DatetimeIndex`` must have a regular frequency of one unit (yearly, quarterly, monthly,
    ...), not a multiple such as every second year. Anything else is refused with the first
    offending pair of labels, so a table given newest first, or with every second year, is
    never analysed as if it ran forward in consecutive steps.
    """
    if index.has_duplicates:
        dup = index[index.duplicated()].unique().tolist()
        raise ParameterError(f"The {what} has duplicate periods: {dup[:10]}.")
    if isinstance(index, pd.DatetimeIndex):
        _check_dates(index, what)
        return
    if isinstance(index, pd.PeriodIndex):
        steps = np.diff(index.asi8)
        unit = f"one {index.freqstr} period"
    elif pd.api.types.is_integer_dtype(index) and not pd.api.types.is_bool_dtype(index):
        steps = np.diff(index.to_numpy().astype(np.int64))
        unit = "one year (integer labels are years)"
    else:
        raise ParameterError(
            f"The {what} must hold integer years, periods or dates; got {index.dtype}."
        )
    _check_steps(index, steps, unit, what)


def _check_steps(index: pd.Index, steps: np.ndarray, unit: str, what: str) -> None:
    bad = np.flatnonzero(steps != 1)
    if not bad.size:
        return
    backwards = np.flatnonzero(steps < 0)
    if backwards.size == steps.size:
        problem, i = "runs backwards (newest first); sort it oldest first", 0
    elif backwards.size:
        problem, i = "is out of order; sort it oldest first", int(backwards[0])
    else:
        problem = f"has a gap or a step other than {unit}; fill missing periods with 0"
        i = int(bad[0])
    raise ParameterError(f"The {what} {problem}: {index[i]!s} is followed by {index[i + 1]!s}.")


def _check_dates(index: pd.DatetimeIndex, what: str) -> None:
    steps = np.sign(np.diff(index.asi8))
    if np.any(steps <= 0):
        _check_steps(index, steps, "one period", what)
    if len(index) < 3:
        return
    with warnings.catch_warnings():  # pandas warns that infer_freq will return offsets
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(index)
    if freq is None:
        raise ParameterError(
            f"The {what} must be regular dates (yearly, quarterly, monthly, ...); "
            f"{[str(d.date()) for d in index[:3]]}... has gaps or irregular steps."
        )
    if to_offset(freq).n != 1:
        raise ParameterError(
            f"The {what} steps by {freq}, a multiple of its unit; give one row per "
            f"period (fill missing periods with 0) or use a PeriodIndex of that length."
        )


def as_matrix(series: Any, func: str) -> SeriesMatrix:
    """Accept an IntensitySeries, a DataFrame (periods × series), a Series or an array
    (1-D, or 2-D as periods × series)."""
    weighted = False
    if isinstance(series, IntensitySeries):
        frame, weighted = series.data, not series.is_count
    elif isinstance(series, pd.DataFrame):
        frame = series
    elif isinstance(series, pd.Series):
        frame = series.to_frame(series.name if series.name is not None else "series")
    elif isinstance(series, np.ndarray | list | tuple):
        array = np.asarray(series)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ParameterError(
                f"The 'series' parameter of {func} must be 1-D or 2-D (periods × series). "
                f"Got an array of shape {array.shape} instead."
            )
        names = (
            ["series"] if array.shape[1] == 1 else [f"series{i}" for i in range(array.shape[1])]
        )
        kind = array.dtype.kind
        if kind in "iuf" and array.size:  # plain numbers: no DataFrame of 10^4 columns
            index = pd.RangeIndex(array.shape[0])
            values = np.array(array.T, dtype=float, order="C")  # a copy: never the caller's
            return SeriesMatrix(values, index, tuple(names), weighted, series)
        frame = pd.DataFrame(array, columns=names)
    else:
        raise PeriodizeTypeError(
            f"The 'series' parameter of {func} must be an IntensitySeries, DataFrame, Series "
            f"or array. Got {type_name(series)} instead."
        )
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ParameterError(f"The 'series' parameter of {func} is empty: shape {frame.shape}.")
    bad_types = {
        dtype
        for dtype in set(frame.dtypes.to_numpy().tolist())  # not a Series loop: 10^4 columns
        if not pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
    }
    if bad_types:
        not_numeric = [c for c, d in frame.dtypes.items() if d in bad_types]
        raise PeriodizeTypeError(
            f"The 'series' parameter of {func} must be real numbers; columns {not_numeric[:10]} "
            f"are not ({', '.join(map(str, bad_types))})."
        )
    check_time_index(frame.index, f"index of the 'series' parameter of {func}")
    labels = tuple(map(str, frame.columns))
    if len(set(labels)) < len(labels):
        counts = pd.Index(labels).value_counts()
        twice = sorted(counts[counts > 1].index)
        raise ParameterError(
            f"The 'series' parameter of {func} names two or more columns {twice[:5]}; each "
            "series needs its own name (results are reported by name)."
        )
    values = frame.to_numpy(dtype=float).T
    return SeriesMatrix(values, frame.index, labels, weighted, series)


def skip_missing(
    matrix: SeriesMatrix, exposure: Any, func: str
) -> tuple[SeriesMatrix, Any, list[Any]]:
    """The matrix without the periods its series miss (NaN), the exposure without them
    (an unlabelled one is given for every period), and the labels of those periods.

    Every series must miss the same periods (one matrix, one index); series that miss
    different ones are refused with the remedy (segment them one at a time). Infinite
    values are not missing and stay for :func:`check_values` to refuse.
    """
    missing = np.isnan(matrix.values)
    if not missing.any():
        return matrix, exposure, []
    pattern = missing[0]
    differ = np.flatnonzero((missing != pattern).any(axis=1))
    if differ.size:
        raise ParameterError(
            f"With missing='skip' every series of one call of {func} must miss the same "
            f"periods: {matrix.names[0]!r} misses {_labels(matrix.index[pattern])}, "
            f"{matrix.names[int(differ[0])]!r} misses "
            f"{_labels(matrix.index[missing[int(differ[0])]])}. Segment them one at a time."
        )
    keep = ~pattern
    if keep.sum() < 2:
        raise ParameterError(
            f"The series of {func} have {int(keep.sum())} observed periods: nothing to segment."
        )
    reduced = replace(matrix, values=matrix.values[:, keep], index=matrix.index[keep])
    if exposure is not None and not isinstance(exposure, pd.Series | pd.DataFrame):
        array = np.asarray(exposure, dtype=float)
        if array.ndim >= 1 and array.shape[0] == len(keep):  # other shapes: refused later
            exposure = array[keep]
    return reduced, exposure, [plain(p) for p in matrix.index[pattern]]


def _labels(index: pd.Index) -> str:
    shown = ", ".join(str(p) for p in index[:5])
    return f"[{shown}{', ...' if len(index) > 5 else ''}] ({len(index)})"


def resolve_model(model: str, weighted: bool) -> str:
    """``poisson`` on weighted intensities is the quasi-Poisson likelihood (DESIGN §3)."""
    if weighted and model in ("poisson", "poisson_trend"):
        return model.replace("poisson", "quasipoisson")
    return model


def check_values(matrix: SeriesMatrix, model: str, func: str, missing_hint: str = "") -> None:
    """Values must be finite; count models need non-negative values, ``poisson`` integers.
    ``missing_hint`` is added to the message about a missing value (the way out, where the
    caller has one)."""
    if not isinstance(model, str) or model not in COSTS:
        per_series = ""
        if isinstance(model, Mapping):
            per_series = " (one model for every series: joint=True takes one each)"
        elif model == "normal_drift":
            per_series = (
                " ('normal_drift' is for segment alone: its cost is not a sum over the periods)"
            )
        raise ParameterError(
            f"The 'model' parameter of {func} must be one of {sorted(COSTS)}{per_series}. "
            f"Got {model!r} instead."
        )
    values = matrix.values
    skippable = bool(missing_hint) and not np.isinf(values).any()  # inf is not missing
    for test, expected in (
        (~np.isfinite(values), "finite values (no NaN or inf)"),
        ((values < 0) if model in COUNT_MODELS else None, f"non-negative values for {model!r}"),
        (
            (values != np.round(values)) if model == "poisson" else None,
            "integer counts for the poisson model (for weighted intensities use the "
            "quasipoisson model, or pass the IntensitySeries itself)",
        ),
        (
            (values != np.round(values)) if model == "poisson_trend" else None,
            "integer counts for the poisson_trend model (for weighted intensities or "
            "overdispersed counts use quasipoisson_trend)",
        ),
    ):
        if test is None:
            continue
        test = test & np.isfinite(values) if "finite" not in expected else test
        if test.any():
            row, col = (int(v[0]) for v in np.nonzero(test))
            raise ParameterError(
                f"The 'series' parameter of {func} must hold {expected}: series "
                f"{matrix.names[row]!r} has {float(values[row, col]):g} at {matrix.index[col]!s} "
                f"({int(test.sum())} such values in all)."
                + (f" {missing_hint}" if "finite" in expected and skippable else "")
            )
    if model not in COUNT_MODELS and values.size:
        _check_spread(matrix, func)


#: The spread of a series the normal models take: their squared deviations stay finite
#: and nonzero in double precision (about 1e±308) with room for sums over the series.
NORMAL_SPREAD = (1e-100, 1e100)


def _check_spread(matrix: SeriesMatrix, func: str) -> None:
    """Refuse a series whose deviations would overflow or underflow when squared (the
    normal models' results would then depend on the units)."""
    values = matrix.values
    low, high = NORMAL_SPREAD
    span = np.max(values, axis=1) - np.min(values, axis=1)
    # the largest deviation from the median lies between half the span and the span, so
    # the median (a sort) is needed only for a span near or outside the limits
    if not ((span == 0) | ((span >= 2 * low) & (span <= high))).all():
        spread = np.max(np.abs(values - np.median(values, axis=1, keepdims=True)), axis=1)
    else:
        spread = span
    bad = (spread > high) | ((spread > 0) & (spread < low))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"The 'series' parameter of {func}: series {matrix.names[row]!r} deviates from "
            f"its median by up to {spread[row]:.3g}, outside {low:g} to {high:g}, where the "
            "normal models' squares stay exact; divide the series by a power of ten (the "
            "breaks and tests do not depend on the units)."
        )


def with_exposure(matrix: SeriesMatrix, exposure: Any, model: str, func: str) -> SeriesMatrix:
    """Attach an exposure series to a checked matrix.

    ``exposure`` is a Series (one exposure per period, shared by every series), a DataFrame
    (periods × series, with the series' names, or one column shared by all), or an array
    of shape ``(n_periods,)`` or ``(n_periods, n_series)``. Labelled exposures are matched
    by period label and must cover every period; values must be finite and positive.
    """
    if exposure is None:
        return matrix
    if not COSTS[model].supports_exposure:
        supported = sorted(name for name, cost in COSTS.items() if cost.supports_exposure)
        raise ParameterError(
            f"The 'exposure' parameter of {func} needs a model with an exposure offset "
            f"({', '.join(supported)}); model {model!r} has none."
        )
    n_series, n = matrix.values.shape
    if isinstance(exposure, pd.Series | pd.DataFrame):
        frame = exposure.to_frame() if isinstance(exposure, pd.Series) else exposure
        missing = matrix.index.difference(frame.index)
        if len(missing):
            raise ParameterError(
                f"The 'exposure' parameter of {func} has no value for periods "
                f"{[str(m) for m in missing[:5]]} of the series."
            )
        frame = frame.loc[matrix.index]
        if frame.shape[1] == 1:
            array = np.repeat(frame.to_numpy(dtype=float), n_series, axis=1)
        else:
            absent = [name for name in matrix.names if name not in frame.columns]
            if absent:
                raise ParameterError(
                    f"The 'exposure' parameter of {func} has no column for series "
                    f"{absent[:5]}; give one column per series or a single column."
                )
            array = frame[list(matrix.names)].to_numpy(dtype=float)
    else:
        array = np.asarray(exposure, dtype=float)
        if array.ndim == 1:
            array = array[:, None]
        if array.shape[0] != n or array.shape[1] not in (1, n_series):
            raise ParameterError(
                f"The 'exposure' parameter of {func} must have shape ({n},) or ({n}, "
                f"{n_series}) like the series. Got {array.shape} instead."
            )
        array = np.broadcast_to(array, (n, n_series))
    values = np.ascontiguousarray(array.T)
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        raise ParameterError(
            f"The 'exposure' parameter of {func} must be finite and positive: series "
            f"{matrix.names[row]!r} has {values[row, col]!r} at {matrix.index[col]!s}."
        )
    return SeriesMatrix(
        matrix.values, matrix.index, matrix.names, matrix.weighted, matrix.source, values
    )


def exposure_sha256(matrix: SeriesMatrix) -> str | None:
    """SHA-256 of the exposure (for provenance), ``None`` without one."""
    if matrix.exposure is None:
        return None
    return matrix_sha256(matrix.exposure, matrix.index, matrix.names)


def by_series(
    mapping: Mapping[Any, Any], names: tuple[str, ...], parameter: str, what: str, func: str
) -> list[Any]:
    """The value ``mapping`` gives each series (in the order of ``names``), or a refusal
    naming the series without one (``what``: what each series needs, such as "model") and
    the keys that are not series."""
    given = {str(key): value for key, value in mapping.items()}
    labels = [str(name) for name in names]
    missing = [name for name in labels if name not in given]
    unknown = sorted(set(given) - set(labels))
    if missing or unknown:
        raise ParameterError(
            f"The '{parameter}' mapping of {func} must give every series its {what} "
            f"({', '.join(labels)})"
            + (f"; no {what} for {', '.join(missing)}" if missing else "")
            + (f"; {', '.join(unknown)} is not a series" if unknown else "")
            + "."
        )
    return [given[name] for name in labels]
