"""Exposure series: how much the archive reported per period, to correct for the growth
of media coverage (pass it as ``exposure=`` to ``segment``, ``test_periodization`` and the
other count models, where the rate becomes events per reported row)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._typing import FREQS, Freq
from .._validation import check_choice
from ..exceptions import ParameterError
from ..periods import ordinal, period_index, window_ordinal
from .account import RowAccount, row_account
from .countries import cameo_to_iso, icews_to_iso

__all__ = ["exposure"]


def exposure(
    events: pd.DataFrame | RowAccount,
    *,
    freq: Freq = "year",
    start: Any = None,
    end: Any = None,
    country: str | None = None,
) -> pd.Series:
    """Rows the archive reported per period, zero-filled over the window.

    Parameters
    ----------
    events : DataFrame or RowAccount
        A table from an archive reader (its row account carries the counts), or the account.
    freq, start, end
        As in :func:`periodize.intensity`; by default the span of the archive's dates.
    country : str, optional
        Only rows in which this ISO alpha-3 country is actor or target (read with
        ``exposure_by="country"``).

    Returns
    -------
    Series
        Indexed like the intensity series of the same ``freq`` and window.

    Examples
    --------
    >>> account = RowAccount("gdelt", exposure={"2019-03-10": 5, "2021-01-02": 2})
    >>> exposure(account).tolist()
    [5, 0, 2]
    """
    account = events if isinstance(events, RowAccount) else row_account(events)
    check_choice(freq, FREQS, name="freq", func="exposure")
    counts = account.exposure if country is None else _country(account, country)
    if not counts:
        raise ParameterError(
            "The archive reader recorded no dated rows, so there is no exposure to give."
        )
    dates = pd.Series(list(counts), dtype=str)
    year = dates.str.slice(0, 4).astype(int).to_numpy()
    month = dates.str.slice(5, 7).astype(int).to_numpy()
    day = dates.str.slice(8, 10).astype(int).to_numpy()
    codes = ordinal(year, month, freq, day)
    first = codes.min() if start is None else window_ordinal(start, freq, "start", "exposure")
    last = codes.max() if end is None else window_ordinal(end, freq, "end", "exposure")
    inside = (codes >= first) & (codes <= last)
    totals = np.bincount(
        codes[inside] - first,
        weights=np.fromiter(counts.values(), dtype=float)[inside],
        minlength=last - first + 1,
    )
    index = period_index(first, last, freq)
    name = "exposure" if country is None else f"exposure:{country}"
    return pd.Series(totals.astype(np.int64), index=index, name=name)


def _country(account: RowAccount, country: str) -> dict[str, int]:
    if not account.exposure_by_country:
        raise ParameterError(
            "Per-country exposure needs the archive read with exposure_by='country'."
        )
    raw = list(account.exposure_by_country)
    if account.archive == "icews":
        iso, _ = icews_to_iso(raw)
    elif account.archive in ("gdelt", "phoenix"):
        iso, _ = cameo_to_iso(raw)
    else:
        iso = np.array(raw, dtype=object)
    total: dict[str, int] = {}
    for value, code in zip(raw, iso, strict=True):
        if code == country:
            for day, n in account.exposure_by_country[value].items():
                total[day] = total.get(day, 0) + n
    if not total:
        raise ParameterError(f"The archive has no rows in which {country!r} takes part.")
    return total
