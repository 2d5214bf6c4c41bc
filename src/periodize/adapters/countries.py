"""Country codes: ICEWS names and CAMEO codes to ISO 3166-1 alpha-3, and ISO alpha-3 to
and from Correlates of War and Gleditsch–Ward numbers, aware of dates where they change.

The tables are package data with their sources (:func:`~periodize.adapters.table_source`).
A value that names no state is never guessed: it is returned as missing with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd

from ..events.vocabulary import iso3166_alpha3, iso3166_names
from ..exceptions import ParameterError
from .tables import per_distinct, table

__all__ = [
    "FORMER_STATES",
    "USER_ASSIGNED",
    "cameo_to_iso",
    "cow_to_iso",
    "gw_to_iso",
    "icews_to_iso",
    "iso_to_cow",
    "iso_to_gw",
    "state_name_to_iso",
]

#: Codes outside ISO 3166-1 that the readers produce (Kosovo, by common usage).
USER_ASSIGNED: frozenset[str] = frozenset({"XKX"})
#: Former states kept under their ISO 3166-3 code (events dated while they existed).
FORMER_STATES: frozenset[str] = frozenset({"CSK", "DDR"})
#: The reason given for a former state's code on a date after the state ended.
FORMER = "former state"


@cache
def _lookup(kind: str) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """(code -> ISO, code -> why it is not a state, code -> last day as YYYYMMDD) for
    ``"icews"`` or ``"cameo"``."""
    rows = table("icews_countries.csv" if kind == "icews" else "cameo_countries.csv")
    key = rows.columns[0]
    mapped = rows[rows["iso3"] != ""]
    not_state = rows[rows["not_a_state"] != ""]
    iso = dict(zip(mapped[key], mapped["iso3"], strict=True))
    if kind == "cameo":  # CAMEO uses ISO alpha-3 except where listed
        iso = {code: code for code in iso3166_alpha3()} | iso
    until: dict[str, int] = {}
    if "until" in rows.columns:
        dated = rows[rows["until"] != ""]
        until = {
            k: int(d.replace("-", "")) for k, d in zip(dated[key], dated["until"], strict=True)
        }
    return iso, dict(zip(not_state[key], not_state["not_a_state"], strict=True)), until


def _convert(
    values: pd.Series | np.ndarray,
    kind: str,
    extra: Mapping[str, str] | None,
    days: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    iso, not_state, until = _lookup(kind)
    if extra:
        iso = iso | dict(extra)
        until = {k: v for k, v in until.items() if k not in extra}

    def reason(value: str) -> str | None:
        if value in not_state:
            return not_state[value]
        return None if value in iso else "unmapped"

    codes = per_distinct(values, lambda v: [iso.get(x) for x in v])
    why = per_distinct(values, lambda v: [reason(x) for x in v])  # missing: None
    if until and days is not None:
        last = per_distinct(values, lambda v: [until.get(x, np.inf) for x in v], np.inf)
        ended = np.asarray(days, dtype=float) > last.astype(float)
        codes[ended] = None
        why[ended] = FORMER
    return codes, why


def icews_to_iso(
    names: pd.Series | np.ndarray, extra: Mapping[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """ISO alpha-3 codes of ICEWS country names, and why a name has none.

    Parameters
    ----------
    names : array of str
        ICEWS ``Source Country``/``Target Country`` values.
    extra : mapping, optional
        More names and their codes (they take precedence).

    Returns
    -------
    codes, reasons : arrays of object
        ``None`` where a name names no state; the reason is then ``"unmapped"`` or the
        table's reason (``"sub-national part of DEU"``), ``None`` for a missing name.

    Examples
    --------
    >>> codes, why = icews_to_iso(["North Korea", "Taiwan", "Kosovo", "Bavaria", "Atlantis"])
    >>> list(codes), list(why)
    (['PRK', 'TWN', 'XKX', None, None], [None, None, None, 'sub-national part of DEU', 'unmapped'])
    """
    return _convert(names, "icews", extra)


def cameo_to_iso(
    codes: pd.Series | np.ndarray,
    extra: Mapping[str, str] | None = None,
    dates: pd.Series | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ISO alpha-3 codes of CAMEO country codes (GDELT, Phoenix), and why a code has none.

    Former states hold up to their last day when ``dates`` (YYYYMMDD integers) are given:
    SUN (Soviet Union) is RUS, YUG (Yugoslavia) SRB, CSK and DDR stay themselves; on a
    later date the reason is ``"former state"``.

    Examples
    --------
    >>> iso, why = cameo_to_iso(["ROM", "TMP", "KAZ", "AFR", "XYZ"])
    >>> list(iso), list(why)
    (['ROU', 'TLS', 'KAZ', None, None], [None, None, None, 'region (Africa)', 'unmapped'])
    >>> iso, why = cameo_to_iso(["SUN", "SUN", "DDR"], dates=[19850311, 19950101, 19891109])
    >>> list(iso), list(why)
    (['RUS', None, 'DDR'], [None, 'former state', None])
    """
    return _convert(codes, "cameo", extra, None if dates is None else np.asarray(dates))


@cache
def _state_names() -> dict[str, str]:
    names = table("icews_countries.csv")
    names = names[names["iso3"] != ""]
    lookup = dict(zip(names["name"], names["iso3"], strict=True))
    iso = iso3166_names()
    lookup |= dict(zip(iso["name"], iso["alpha_3"], strict=True))
    aliases = table("state_aliases.csv")
    return lookup | dict(zip(aliases["name"], aliases["iso3"], strict=True))


def state_name_to_iso(names: pd.Series | np.ndarray) -> np.ndarray:
    """The state each name denotes as a whole (ICEWS country and actor names, ISO 3166
    names and the aliases of ``state_aliases.csv``), ``None`` for any other name.

    Examples
    --------
    >>> list(state_name_to_iso(["Russia", "Russian Federation", "Citizen (Russia)"]))
    ['RUS', 'RUS', None]
    """
    lookup = _state_names()
    return per_distinct(names, lambda v: [lookup.get(x) for x in v])


@cache
def _states() -> pd.DataFrame:
    states = table("states.csv").copy()
    for column in ("cow", "gw"):
        states[column] = states[column].astype(int)
    states["start"] = states["start"].replace("", "0001-01-01")
    states["end"] = states["end"].replace("", "9999-12-31")
    return states


def _at(date: object | None) -> pd.DataFrame:
    states = _states()
    if date is None:
        return states
    try:
        when = pd.Timestamp(str(date)).strftime("%Y-%m-%d")
    except ValueError:
        raise ParameterError(f"A date such as '2009-06-30' was expected; got {date!r}.") from None
    return states[(states["start"] <= when) & (when <= states["end"])]


def _translate(values: object, source: str, target: str, date: object | None) -> np.ndarray:
    rows = _at(date)
    if date is None:  # without a date, a code must mean one thing at every date
        groups = rows.groupby(source)[target].nunique()
        ambiguous = set(groups[groups > 1].index)
        rows = rows[~rows[source].isin(ambiguous)].drop_duplicates(source)
    lookup = dict(zip(rows[source], rows[target], strict=True))
    array = np.atleast_1d(np.asarray(values, dtype=object))
    return np.array([lookup.get(v) for v in array], dtype=object)


def iso_to_cow(codes: object, date: object | None = None) -> np.ndarray:
    """Correlates of War state numbers of ISO alpha-3 codes (``None`` where there is none).

    Without ``date``, a code whose number changed (Germany 260 → 255 in 1990, Yemen 678 →
    679) has none: pass the date the number is wanted for.

    Examples
    --------
    >>> list(iso_to_cow(["KAZ", "MNG", "DEU"])), list(iso_to_cow(["DEU"], date="1989-11-09"))
    ([705, 712, None], [260])
    """
    return _translate(codes, "iso3", "cow", date)


def cow_to_iso(numbers: object, date: object | None = None) -> np.ndarray:
    """ISO alpha-3 codes of Correlates of War state numbers.

    Examples
    --------
    >>> list(cow_to_iso([705, 712, 255, 345]))
    ['KAZ', 'MNG', 'DEU', 'SRB']
    """
    return _translate(numbers, "cow", "iso3", date)


def iso_to_gw(codes: object, date: object | None = None) -> np.ndarray:
    """Gleditsch–Ward state numbers of ISO alpha-3 codes.

    Examples
    --------
    >>> list(iso_to_gw(["DEU", "TUV"])), list(iso_to_gw(["SRB"], date="2010-01-01"))
    ([260, 973], [340])
    """
    return _translate(codes, "iso3", "gw", date)


def gw_to_iso(numbers: object, date: object | None = None) -> np.ndarray:
    """ISO alpha-3 codes of Gleditsch–Ward state numbers.

    Examples
    --------
    >>> list(gw_to_iso([260, 340, 678]))
    ['DEU', 'SRB', 'YEM']
    """
    return _translate(numbers, "gw", "iso3", date)
