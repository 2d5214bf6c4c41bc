"""``intensity``: from an event table to zero-filled series under a weighting scheme."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numba
import numpy as np
import pandas as pd

from .._engines import dask_engine
from .._kernels import frozen
from .._limits import check_memory
from .._typing import BYS, FREQS, STRATIFY, By, Freq, PathLike, Stratify
from .._validation import check_choice
from ..events.schema import _validate
from ..events.seal import events_sha256, recall
from ..exceptions import EventSchemaError, ParameterError, Problem
from ..periods import NEEDED_PRECISION, ordinal, period_index, window_ordinal
from ..results import Provenance
from .aggregate import accumulate
from .schemes import WeightingScheme, get_scheme
from .series import IntensitySeries

__all__ = ["intensity"]

_PRECISION_NAME = {0: "year", 1: "month", 2: "day"}


def intensity(
    events: pd.DataFrame,
    scheme: str | Mapping[str, Any] | WeightingScheme | PathLike = "count",
    *,
    freq: Freq = "year",
    start: Any = None,
    end: Any = None,
    by: By = "dyad",
    stratify: Stratify = None,
) -> IntensitySeries:
    """Turn events into zero-filled intensity series.

    Parameters
    ----------
    events : DataFrame or dask.dataframe.DataFrame
        An event table (validated here if it has not been). A Dask DataFrame (from
        ``read_events(..., engine="dask")``, or your own) is aggregated partition by
        partition where it lies; the result is the same (``periodize[dask]`` extra).
    scheme : str, mapping, WeightingScheme or path
        ``"count"`` (default), ``"goldstein"``, ``"copdab"``, ``"protocol"``, or a user
        scheme (see :class:`~periodize.intensity.WeightingScheme`).
    freq : {"year", "quarter", "month", "week", "day"}
        Period length. Quarters and months need events dated at least to the month, weeks
        (Monday to Sunday) and days to the day.
    start, end : int or period label, optional
        Observation window (inclusive); default the span of the events. A year for
        ``freq="year"``, otherwise a label such as ``"1992Q1"`` or ``"1992-01"``. An event
        outside the window is an error, never dropped.
    by : {"dyad", "direction", None}
        One series per unordered pair (``"KAZ-MNG"``), per direction (``"KAZ->MNG"``,
        actor to target), or one series of all events (``"all"``).
    stratify : {None, "level", "kind", "quad_class"}
        Split each series by level, kind or CAMEO/PLOVER quad class
        (``"KAZ-MNG:head_of_state"``, ``"KAZ-MNG:verbal_cooperation"``); strata with no
        events are not listed. ``"quad_class"`` reads the ``quad_class`` column (1-4) or,
        where it is missing, the root of ``cameo_code``.

    Returns
    -------
    IntensitySeries

    Examples
    --------
    >>> import periodize as pz
    >>> series = pz.intensity(pz.datasets.mongolia_kazakhstan(), by="direction")
    >>> series.data.loc[2019:2025]
    series  KAZ->MNG  MNG->KAZ
    year
    2019         0.0       1.0
    2020         0.0       0.0
    2021         0.0       1.0
    2022         0.0       1.0
    2023         0.0       0.0
    2024         1.0       1.0
    2025         1.0       1.0
    """
    if type(events).__module__.split(".")[0] in ("dask", "dask_expr"):
        return dask_engine("intensity")(
            events, scheme, freq=freq, start=start, end=end, by=by, stratify=stratify
        )
    return _aggregate(events, scheme, freq, start, end, by, stratify)[0]


def _aggregate(
    events: pd.DataFrame,
    scheme: Any,
    freq: Any,
    start: Any,
    end: Any,
    by: Any,
    stratify: Any,
    counts: bool = False,
    hashed: bool = True,
) -> tuple[IntensitySeries, np.ndarray | None, pd.DataFrame]:
    """:func:`intensity`, (``counts=True``) the number of events in every cell, and the
    validated table (sealed, its seal checked: what validation remembered for it holds);
    ``hashed=False`` skips the input's SHA-256 (a caller that records its own)."""
    func = "intensity"
    resolved = get_scheme(scheme)
    check_choice(freq, FREQS, name="freq", func=func)
    check_choice(by, BYS, name="by", func=func)
    check_choice(stratify, STRATIFY, name="stratify", func=func)
    table = _validate(events)

    precision = table["precision"].cat.codes.to_numpy()
    coarse = np.flatnonzero(precision < NEEDED_PRECISION[freq])
    if coarse.size:
        raise EventSchemaError(
            [
                Problem(
                    int(p),
                    "date",
                    table["date"].iat[p],
                    f"a date precise to the {_PRECISION_NAME[NEEDED_PRECISION[freq]]} at "
                    f"least, since freq={freq!r}",
                )
                for p in coarse
            ]
        )
    year = table["year"].to_numpy(dtype=np.int64)
    month, day = (  # only the fields the frequency reads
        table[field].to_numpy(dtype=np.int64, na_value=1)
        if NEEDED_PRECISION[freq] >= need
        else None
        for field, need in (("month", 1), ("day", 2))
    )
    codes = ordinal(year, month, freq, day)
    del year, month, day
    first = codes.min() if start is None else window_ordinal(start, freq, "start", func)
    last = codes.max() if end is None else window_ordinal(end, freq, "end", func)
    if last < first:
        raise ParameterError(
            f"The 'end' parameter of intensity must not precede 'start'. Got start={start!r}, "
            f"end={end!r}."
        )
    index = period_index(first, last, freq)
    outside = np.flatnonzero((codes < first) | (codes > last))
    if outside.size:
        window = f"{index[0]}–{index[-1]}"
        raise EventSchemaError(
            [
                Problem(int(p), "date", table["date"].iat[p], f"a date inside the window {window}")
                for p in outside
            ]
        )

    series_codes, names = _series_codes(table, by, stratify)
    check_memory(
        3 * 8 * len(index) * len(names),
        f"Intensity series of {len(names)} series × {len(index)} periods",
        "narrow the window (start/end), use a coarser freq, or split the events by dyad",
    )
    weights = None if resolved.counts_events else resolved.weights(table)  # (ones: counted)
    values = accumulate(codes, series_codes, weights, len(index), len(names), first)
    unreported = (
        int(table["documents_signed"].isna().sum()) if "documents_signed" in table else len(table)
    )
    provenance = Provenance(
        function="intensity",
        parameters=provenance_parameters(resolved, freq, index, by, stratify),
        input_sha256=events_sha256(table, fresh=True) if hashed else "",
    )
    cells = None
    if counts:
        cells = accumulate(codes, series_codes, None, len(index), len(names), first)
    series = IntensitySeries(
        data=pd.DataFrame(values, index=index, columns=pd.Index(names, name="series")),
        scheme=resolved,
        freq=freq,
        by=by,
        stratify=stratify,
        n_events=len(table),
        n_unreported_documents=unreported,
        provenance=provenance,
    )
    return series, cells, table


def provenance_parameters(
    scheme: WeightingScheme, freq: str, index: pd.Index, by: Any, stratify: Any
) -> dict[str, Any]:
    """The parameters an intensity's provenance records (shared with the Dask path)."""
    return {
        "scheme": scheme.to_dict(),
        "freq": freq,
        "start": str(index[0]),
        "end": str(index[-1]),
        "by": by,
        "stratify": stratify,
    }


def _series_codes(
    table: pd.DataFrame, by: str | None, stratify: str | None
) -> tuple[np.ndarray, list[str]]:
    """Integer series code of every event and the series names, without a loop over events."""
    n = len(table)
    key = np.zeros(n, dtype=np.int64)
    if by is not None:
        ((actor, actor_map), (target, target_map)), countries = _country_maps(
            *(recall(table, f"codes:{c}") or pd.factorize(table[c]) for c in ("actor", "target"))
        )
        key = _pair_keys(
            frozen(actor, actor.dtype),
            frozen(actor_map, actor_map.dtype),
            frozen(target, target.dtype),
            frozen(target_map, target_map.dtype),
            len(countries),
            by == "dyad",
        )
    if stratify is not None:
        strata = pd.Categorical(_strata(table, stratify))
        key = key * len(strata.categories) + strata.codes
    series_codes, unique_keys = _sorted_codes(key)
    levels = [str(c) for c in strata.categories] if stratify is not None else None
    return series_codes, _series_names(unique_keys, by, countries if by else [], levels)


def _series_names(
    keys: np.ndarray, by: str | None, countries: list[str], levels: list[str] | None
) -> list[str]:
    """The name of each series key (``KAZ-MNG``, ``MNG->KAZ``, ``KAZ-MNG:minister``,
    ``all``), by array operations over the series (no loop over them in Python)."""
    parts = []
    if levels is not None:
        keys, stratum = np.divmod(keys, len(levels))
        parts.append(np.array(levels, dtype=object)[stratum])
    if by is not None:
        first, second = np.divmod(keys, len(countries))
        names = np.array(countries, dtype=object)
        parts.insert(0, names[first] + ("-" if by == "dyad" else "->") + names[second])
    if not parts:
        return ["all"] * len(keys)
    return (parts[0] + ":" + parts[1] if len(parts) == 2 else parts[0]).tolist()


def _country_maps(
    *factorized: tuple[np.ndarray, Any],
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
    """From each column factorized on its own (codes, values; no concatenated copy): its
    codes and the map from each code to the index of its value among the sorted countries
    of all columns (-1 for values no row uses: a categorical's unused categories, left
    out of the countries).

    Examples
    --------
    >>> maps, countries = _country_maps((np.array([1, 1]), ["XAA", "MNG", 5]),
    ...                                 (np.array([0, 0]), ["KAZ"]))
    >>> [m.tolist() for _, m in maps], countries
    ([[-1, 1, -1], [0]], ['KAZ', 'MNG'])
    """
    used = [
        (codes, np.asarray(uniques, dtype=object), _seen(frozen(codes, codes.dtype), len(uniques)))
        for codes, uniques in factorized
    ]
    countries = sorted(set().union(*(uniques[seen].tolist() for _, uniques, seen in used)))
    index = pd.Index(countries, dtype=object)
    maps = [
        (codes, np.where(seen, index.get_indexer(pd.Index(uniques, dtype=object)), -1))
        for codes, uniques, seen in used
    ]
    return maps, countries


@numba.njit(cache=True)
def _seen(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Which of ``n_values`` codes occur (codes of any integer type, none negative)."""
    seen = np.zeros(n_values, dtype=np.bool_)
    for code in codes:
        seen[code] = True
    return seen


@numba.njit(cache=True)
def _pair_keys(
    first: np.ndarray,
    first_map: np.ndarray,
    second: np.ndarray,
    second_map: np.ndarray,
    n_countries: int,
    unordered: bool,
) -> np.ndarray:
    """The key ``a * n_countries + b`` of each row's pair of countries (``a``, ``b`` the
    mapped codes; the smaller first when ``unordered``), in one pass."""
    key = np.empty(first.shape[0], np.int64)
    for i in range(first.shape[0]):
        a = first_map[first[i]]
        b = second_map[second[i]]
        if unordered and b < a:
            a, b = b, a
        key[i] = a * n_countries + b
    return key


def _sorted_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(key, sort=True)`` for non-negative integer keys: by counting where
    the keys span at most a few times as many values as there are (one pass, no hashing).

    Examples
    --------
    >>> codes, keys = _sorted_codes(np.array([7, 2, 7, 5]))
    >>> codes.tolist(), keys.tolist()
    ([2, 0, 2, 1], [2, 5, 7])
    """
    span = int(key.max()) + 1 if key.size else 0
    if span > 4 * key.size + 1024:
        return pd.factorize(key, sort=True)
    present = np.bincount(key, minlength=span) > 0
    position = np.cumsum(present) - 1  # (int32 codes when they fit: half the memory)
    small = position.astype(np.int32) if span < 2**31 else position
    return small[key], np.flatnonzero(present)


def _strata(table: pd.DataFrame, stratify: str) -> pd.Series:
    """The stratum of every event; quad classes by name from ``quad_class`` or the code."""
    if stratify != "quad_class":
        return table[stratify]
    from ..adapters.tables import QUAD_CLASSES, quad_class

    quad = (
        table["quad_class"].astype("Int64")
        if "quad_class" in table
        else pd.Series(pd.NA, index=table.index, dtype="Int64")
    )
    if "cameo_code" in table:
        from_code = pd.Series(
            quad_class(table["cameo_code"].to_numpy(dtype=object)), index=table.index
        )
        quad = quad.fillna(from_code.where(from_code > 0).astype("Int64"))
    bad = quad.isna() | ~quad.isin(list(QUAD_CLASSES))
    if bad.any():
        raise EventSchemaError(
            [
                Problem(
                    int(p),
                    "quad_class",
                    None if pd.isna(quad.iat[p]) else int(quad.iat[p]),
                    "a quad class 1-4 (a quad_class column, or a CAMEO code in cameo_code)",
                )
                for p in np.flatnonzero(bad.to_numpy())
            ]
        )
    return quad.astype(int).map(QUAD_CLASSES)
