"""``period_summary``: counts of events per period, the paper's descriptive tables."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import check_boundaries
from ..events.schema import _validate
from ..exceptions import EventSchemaError, Problem

__all__ = ["period_summary"]


def period_summary(
    events: pd.DataFrame,
    boundaries: Sequence[int],
    *,
    start: int | None = None,
    end: int | None = None,
) -> pd.DataFrame:
    """Count events per period, in total and by direction, level and kind.

    Descriptive only: no test is made here (see :func:`periodize.test_periodization`).

    Parameters
    ----------
    events : DataFrame
        An event table.
    boundaries : sequence of int
        First years of new periods, e.g. ``(2009, 2019)`` for 1992–2008, 2009–2018, 2019–.
    start, end : int, optional
        Years of the window; default the span of the events.

    Returns
    -------
    DataFrame
        One row per period (labelled ``"1992–2008"``) with columns ``("years", "")``,
        ``("events", "total")``, ``("events", "per year")`` and one column per observed
        value under ``"direction"``, ``"level"`` and ``"kind"``.

    Examples
    --------
    >>> import periodize as pz
    >>> table = pz.period_summary(pz.datasets.mongolia_kazakhstan(), (2009, 2019))
    >>> table[["years", "events", "direction"]]
              years events          direction
                     total per year  KAZ->MNG MNG->KAZ
    period
    1992–2008    17     16    0.941         7        9
    2009–2018    10      3    0.300         2        1
    2019–2025     7      7    1.000         2        5
    """
    table = _validate(events)
    year = table["year"].to_numpy(dtype=np.int64)
    start = int(year.min()) if start is None else start
    end = int(year.max()) if end is None else end
    cuts = check_boundaries(boundaries, start=start, end=end, func="period_summary")
    outside = np.flatnonzero((year < start) | (year > end))
    if outside.size:
        raise EventSchemaError(
            [
                Problem(int(p), "date", table["date"].iat[p], f"a date inside {start}–{end}")
                for p in outside
            ]
        )
    edges = [start, *cuts, end + 1]
    labels = [f"{a}–{b - 1}" for a, b in itertools.pairwise(edges)]
    period = pd.Categorical.from_codes(
        np.searchsorted(cuts, year, side="right"), categories=labels
    )
    period = pd.Series(period, name="period")
    direction = (table["actor"] + "->" + table["target"]).rename("direction")
    parts = {
        ("years", ""): pd.Series(np.diff(edges), index=labels),
        ("events", "total"): period.value_counts(sort=False),
    }
    result = pd.DataFrame(parts)
    result[("events", "per year")] = (result[("events", "total")] / result[("years", "")]).round(3)
    for facet, values in (
        ("direction", direction),
        ("level", table["level"]),
        ("kind", table["kind"]),
    ):
        counts = pd.crosstab(period, values.astype(str), dropna=False)
        counts = counts.reindex(index=labels, fill_value=0)
        for column in counts.columns:
            result[(facet, column)] = counts[column]
    result.columns = pd.MultiIndex.from_tuples(result.columns)
    result.index.name = "period"
    return result
