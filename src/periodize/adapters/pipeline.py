"""The reading pipeline every archive shares: filter while streaming, then map the few
rows left into the event schema, merge duplicate reports, and account for every row.

Order (a row is counted under the first rule that drops it): malformed line, repeated
header, bad date, outside the window, outside the countries asked for, event code not in
the kind mapping, missing country, unmapped country, not a state, domestic, non-state
actor. Then duplicate records (same archive id) and mirrored reports (A→B "make a visit"
and B→A "host a visit" from the same story and day become one visit of A to B) are merged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._limits import check_memory
from ..events.schema import validate_events
from ..events.vocabulary import iso3166_alpha3
from ..exceptions import ParameterError
from .account import _ACCOUNT, RowAccount
from .countries import USER_ASSIGNED, cameo_to_iso, icews_to_iso
from .files import Source, batches
from .mapping import MACHINE_LEVELS, KindMapping, level_from_sectors, level_from_types
from .scan import scan
from .tables import _lookup_inverse

__all__ = ["Layout", "NothingKept", "read_archive"]


class NothingKept(ParameterError):
    """No row of the files survived the filters (the account says why)."""

    def __init__(self, message: str, account: RowAccount) -> None:
        super().__init__(message)
        self.account = account

    def __reduce__(self) -> tuple:
        return (type(self), (str(self), self.account))


#: Read ICEWS, GDELT and Phoenix with the compiled scanner (the pyarrow reader otherwise).
COMPILED = True
#: The kept rows as pandas objects and their mapped copy, per byte of their arrow form.
_PANDAS_FACTOR = 6


@dataclass(frozen=True)
class Layout:
    """Where an archive keeps each field the pipeline needs (column names of the file)."""

    archive: str
    event_id: str
    date: str
    actor_country: str
    target_country: str
    code: str
    actor_level: str
    target_level: str
    level_rule: str  # "sectors" or "types"
    countries: str  # "icews", "cameo" or "iso"
    compact_dates: bool = False  # YYYYMMDD instead of YYYY-MM-DD
    mode: str | None = None  # PLOVER event mode
    actor_name: str | None = None
    target_name: str | None = None
    story: str | None = None
    publisher: str | None = None
    archive_goldstein: str | None = None
    quad_class: str | None = None

    @property
    def columns(self) -> list[str]:
        fields = [
            self.event_id,
            self.date,
            self.actor_country,
            self.target_country,
            self.code,
            self.actor_level,
            self.target_level,
            self.mode,
            self.actor_name,
            self.target_name,
            self.story,
            self.publisher,
            self.archive_goldstein,
            self.quad_class,
        ]
        return list(dict.fromkeys(f for f in fields if f is not None))


@dataclass(frozen=True)
class Request:
    """What the caller asked for: kinds, countries, window and rules."""

    mapping: KindMapping
    countries: frozenset[str] | None
    start: int | None
    end: int | None
    states_only: bool
    one_per_day: bool
    country_map: Mapping[str, str]
    exposure_by: str = "all"


def make_request(
    kinds: KindMapping,
    *,
    dyad: Sequence[str] | None,
    countries: Iterable[str] | None,
    start: Any,
    end: Any,
    states_only: bool,
    one_per_day: bool,
    country_map: Mapping[str, str] | None,
    exposure_by: str = "all",
) -> Request:
    """Check the reader's options and resolve them."""
    if dyad is not None and countries is not None:
        raise ParameterError("Pass either 'dyad' or 'countries', not both.")
    chosen: frozenset[str] | None = None
    if dyad is not None:
        chosen = frozenset(_codes(dyad, "dyad"))
        if len(chosen) != 2:
            raise ParameterError(
                f"The 'dyad' parameter must name two different countries, such as "
                f"('MNG', 'KAZ'). Got {dyad!r} instead."
            )
    elif countries is not None:
        chosen = frozenset(_codes(countries, "countries"))
    first, last = _day(start, "start", first=True), _day(end, "end", first=False)
    if first is not None and last is not None and last < first:
        raise ParameterError(f"'end' ({end!r}) precedes 'start' ({start!r}).")
    if exposure_by not in ("all", "country"):
        raise ParameterError(
            f"The 'exposure_by' parameter must be 'all' or 'country'. Got {exposure_by!r}."
        )
    return Request(
        kinds, chosen, first, last, states_only, one_per_day, dict(country_map or {}), exposure_by
    )


def _codes(values: Iterable[str], name: str) -> list[str]:
    codes = [values] if isinstance(values, str) else list(values)
    known = iso3166_alpha3() | USER_ASSIGNED
    bad = [c for c in codes if not isinstance(c, str) or c not in known]
    if bad or not codes:
        raise ParameterError(
            f"The {name!r} parameter must list ISO 3166-1 alpha-3 codes such as 'MNG'. "
            f"Got {bad or codes!r}."
        )
    return codes


def _day(value: Any, name: str, *, first: bool) -> int | None:
    """A window bound as YYYYMMDD: a year (its first or last day) or an ISO date."""
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 4:
        value = int(value)  # "2009" is the year, not its first day
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value) * 10000 + (101 if first else 1231)
    try:
        return int(pd.Timestamp(str(value)).strftime("%Y%m%d"))
    except ValueError:
        raise ParameterError(
            f"The {name!r} parameter must be a year or a date such as '2009-06-30'. "
            f"Got {value!r} instead."
        ) from None


def read_archive(
    layout: Layout,
    streams: Sequence[tuple[Source, Sequence[str], int]],
    request: Request,
    *,
    null_values: Sequence[str] = ("",),
    header: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, RowAccount]:
    """Read every stream ``(source, column names, lines to skip)`` into one validated table."""
    account = RowAccount(layout.archive)
    raw_allowed = _raw_codes(layout.countries, request)
    kept: list[Any] = []
    held = 0
    compiled = COMPILED and header is None and request.exposure_by == "all"
    for source, names, skip in streams:
        account.files.append(source.label)
        if compiled:
            filters = _scan_filters(layout, request, raw_allowed, null_values)
            parts = scan(source, names, layout.columns, filters, account, skip)
        else:
            parts = (
                _filter(batch, layout, request, raw_allowed, account, header)
                for batch in batches(
                    source, names, layout.columns, account, skip_rows=skip,
                    null_values=null_values,
                )
            )  # fmt: skip
        for part in parts:
            if part.num_rows:
                kept.append(part)
                held += part.nbytes
                check_memory(
                    _PANDAS_FACTOR * held,
                    f"The {sum(p.num_rows for p in kept):,} rows kept so far",
                    "filter while reading (dyad=, countries=, start=/end=, or a narrower "
                    "kinds= mapping), or read the files with engine='dask'",
                )
    frame = _to_pandas(kept, layout)
    events = _to_events(frame, layout, request, account)
    account.check()
    return events, account


def _scan_filters(
    layout: Layout, request: Request, raw_allowed: set[str] | None, null_values: Sequence[str]
) -> dict[str, Any]:
    """The compiled reader's filters: the same rules as :func:`_filter`."""
    epoch = dt.date(1970, 1, 1)

    def days(value: int | None, default: int) -> int:
        if value is None:
            return default
        return (dt.date(value // 10000, value // 100 % 100, value % 100) - epoch).days

    return {
        "date": layout.date,
        "actor": layout.actor_country,
        "target": layout.target_country,
        "code": layout.code,
        "compact": layout.compact_dates,
        "window": (days(request.start, -(1 << 39)), days(request.end, 1 << 39)),
        "countries": None if raw_allowed is None else sorted(raw_allowed),
        "codes": request.mapping.codes,
        "null_values": list(null_values),
    }


def _to_pandas(kept: list, layout: Layout) -> pd.DataFrame:
    import pyarrow as pa

    if not kept:
        return pd.DataFrame(columns=[*layout.columns, "_day"])
    return pa.Table.from_batches(kept).to_pandas()


def _raw_codes(kind: str, request: Request) -> set[str] | None:
    """The archive's own values for the countries asked for (so filtering needs no mapping)."""
    if request.countries is None:
        return None
    raw = set(request.countries) if kind in ("iso", "cameo") else set()
    raw |= {code for code, iso in request.country_map.items() if iso in request.countries}
    if kind != "iso":
        raw |= _lookup_inverse(kind, request.countries)
    return raw


def _filter(
    batch: Any,
    layout: Layout,
    request: Request,
    raw_allowed: set[str] | None,
    account: RowAccount,
    header: Sequence[str] | None,
) -> Any:
    """Filters on one batch, vectorised over its rows (dates are parsed once per distinct
    value); returns the rows left (an arrow batch with their ``_day``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    account.read += batch.num_rows
    keep = np.ones(batch.num_rows, dtype=bool)
    if header is not None:  # a second header line inside the file
        repeated = _mask(pc.equal(batch.column(layout.event_id), header[0]))
        account.drop("repeated_header", int(repeated.sum()))
        keep &= ~repeated
    encoded = pc.dictionary_encode(batch.column(layout.date))
    distinct = encoded.dictionary.to_pylist()
    parse = _parse_compact if layout.compact_dates else _parse_iso
    days = np.array([*map(parse, distinct), 0], dtype=np.int64)  # last: missing date
    index = encoded.indices.fill_null(len(distinct)).to_numpy()
    day = days[index]
    bad = keep & (day == 0)
    if bad.any():
        counts = np.bincount(index[bad], minlength=len(days))
        labels = ["<missing>" if v is None else str(v) for v in [*distinct, None]]
        values = {v: int(c) for v, c in zip(labels, counts, strict=True) if c}
        account.drop("bad_date", int(bad.sum()), values)
    keep &= day > 0
    _expose(np.bincount(index[keep], minlength=len(days)), days, account)
    if request.exposure_by == "country":
        _expose_countries(batch, layout, keep, index, days, account)
    if request.start is not None or request.end is not None:
        inside = (day >= (request.start or 0)) & (day <= (request.end or 99991231))
        account.drop("outside_window", int((keep & ~inside).sum()))
        keep &= inside
    if raw_allowed is not None:
        allowed = pa.array(sorted(raw_allowed), type=pa.string())
        both = _mask(pc.is_in(batch.column(layout.actor_country), allowed)) & _mask(
            pc.is_in(batch.column(layout.target_country), allowed)
        )
        account.drop("other_countries", int((keep & ~both).sum()))
        keep &= both
    codes = request.mapping.codes if layout.mode is None else _types(request.mapping)
    known = _mask(pc.is_in(batch.column(layout.code), pa.array(codes, pa.string())))
    account.drop("code_not_mapped", int((keep & ~known).sum()))
    keep &= known
    rows = np.flatnonzero(keep)
    return batch.take(pa.array(rows)).append_column("_day", pa.array(day[rows]))


def _mask(array: Any) -> np.ndarray:
    """A boolean arrow array as numpy, missing as False."""
    return array.fill_null(False).to_numpy(zero_copy_only=False)


def _parse_compact(text: str | None) -> int:
    """YYYYMMDD of a date written YYYYMMDD; 0 when it is not a calendar date so written."""
    return _calendar(text) if text is not None and len(text) == 8 else 0


def _parse_iso(text: str | None) -> int:
    """YYYYMMDD of a date written YYYY-MM-DD (anything may follow, such as a time); 0 when
    it is not a calendar date so written."""
    if text is None or len(text) < 10 or text[4] != "-" or text[7] != "-":
        return 0
    return _calendar(text[:4] + text[5:7] + text[8:10])


def _calendar(compact: str) -> int:
    if not (compact.isascii() and compact.isdigit()):
        return 0
    try:
        dt.date(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
    except ValueError:
        return 0
    return int(compact)


def _types(mapping: KindMapping) -> list[str]:
    return sorted({code.split("/")[0] for code in mapping.kinds})


def _expose(counts: np.ndarray, days: np.ndarray, account: RowAccount) -> None:
    for value, n in zip(days[counts > 0].tolist(), counts[counts > 0].tolist(), strict=True):
        key = f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
        account.exposure[key] = account.exposure.get(key, 0) + n


def _expose_countries(
    batch: Any,
    layout: Layout,
    rows: np.ndarray,
    index: np.ndarray,
    days: np.ndarray,
    account: RowAccount,
) -> None:
    """Rows per (country value, day) in which the country is actor or target (a row whose
    two sides are the same country counts once)."""
    import pyarrow.compute as pc

    actor, target = batch.column(layout.actor_country), batch.column(layout.target_country)
    differs = _mask(pc.not_equal(actor, target)) | ~_mask(pc.is_valid(actor))
    for column, selected in ((actor, rows), (target, rows & differs)):
        encoded = pc.dictionary_encode(column)
        names = encoded.dictionary.to_pylist()
        codes = encoded.indices.fill_null(len(names)).to_numpy()
        key = codes[selected] * len(days) + index[selected]
        counts = np.bincount(key, minlength=(len(names) + 1) * len(days))
        for flat in np.flatnonzero(counts[: len(names) * len(days)]).tolist():
            name, value = names[flat // len(days)], int(days[flat % len(days)])
            day = f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
            per_day = account.exposure_by_country.setdefault(name, {})
            per_day[day] = per_day.get(day, 0) + int(counts[flat])


def _to_events(
    frame: pd.DataFrame, layout: Layout, request: Request, account: RowAccount
) -> pd.DataFrame:
    """Map the rows left into the schema, apply row rules, merge duplicates, validate."""
    frame = frame.reset_index(drop=True)
    modes = None if layout.mode is None else frame[layout.mode].to_numpy(dtype=object)
    kinds, swap, known = request.mapping.lookup(frame[layout.code].to_numpy(dtype=object), modes)
    frame, (kinds, swap) = _drop(frame, ~known, "code_not_mapped", account, (kinds, swap))
    # every _day is a calendar date here: both readers checked it while reading
    actor_iso, actor_why = _countries(frame[layout.actor_country], layout.countries, request)
    target_iso, target_why = _countries(frame[layout.target_country], layout.countries, request)
    for reason, test in (
        ("missing_country", lambda why, raw: raw.isna().to_numpy()),
        ("unmapped_country", lambda why, raw: why == "unmapped"),
        ("not_a_state", lambda why, raw: pd.notna(why) & (why != "unmapped")),
    ):
        a_bad = np.asarray(test(actor_why, frame[layout.actor_country]), dtype=bool)
        t_bad = np.asarray(test(target_why, frame[layout.target_country]), dtype=bool)
        bad = a_bad | t_bad
        if bad.any():
            values = pd.concat(
                [frame.loc[a_bad, layout.actor_country], frame.loc[t_bad, layout.target_country]]
            )
            account.drop(reason, int(bad.sum()), None if reason == "missing_country" else values)
        keep = ~bad
        frame, kinds, swap = frame[keep].reset_index(drop=True), kinds[keep], swap[keep]
        actor_iso, actor_why = actor_iso[keep], actor_why[keep]
        target_iso, target_why = target_iso[keep], target_why[keep]
    domestic = actor_iso == target_iso
    account.drop("domestic", int(domestic.sum()))
    keep = ~domestic
    frame, kinds, swap = frame[keep].reset_index(drop=True), kinds[keep], swap[keep]
    actor_iso, target_iso = actor_iso[keep], target_iso[keep]

    rule = level_from_sectors if layout.level_rule == "sectors" else level_from_types
    actor_level = rule(frame[layout.actor_level])
    target_level = rule(frame[layout.target_level])
    if request.states_only:
        state = _is_state(frame, layout, actor_level, "actor") & _is_state(
            frame, layout, target_level, "target"
        )
        account.drop("non_state_actor", int((~state).sum()))
        frame, kinds, swap = frame[state].reset_index(drop=True), kinds[state], swap[state]
        actor_iso, target_iso = actor_iso[state], target_iso[state]
        actor_level, target_level = actor_level[state], target_level[state]

    # "host a visit" and the like: the actor becomes the visitor
    actor, target = np.where(swap, target_iso, actor_iso), np.where(swap, actor_iso, target_iso)
    level = np.where(swap, target_level, actor_level)
    host_level = np.where(swap, actor_level, target_level)
    day = frame["_day"].to_numpy()
    events = pd.DataFrame(
        {
            "event_id": _event_ids(frame, layout),
            "date": [f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" for d in day],
            "actor": actor.astype(object),
            "target": target.astype(object),
            "level": level.astype(object),
            "kind": kinds.astype(object),
            "target_level": host_level.astype(object),
            "archive": layout.archive,
        }
    )
    _provenance(events, frame, layout, swap)
    events = _merge(events, account, request.one_per_day)
    account.kept = len(events)
    if not len(events):
        raise NothingKept(
            f"No events kept from {account.read:,} rows read. " + _largest_reasons(account),
            account,
        )
    table = validate_events(
        events,
        levels=MACHINE_LEVELS,
        kinds=request.mapping.vocabulary,
        extra_codes=USER_ASSIGNED | set(request.country_map.values()),
    )
    table.attrs[_ACCOUNT] = account.to_dict()
    return table


def _largest_reasons(account: RowAccount) -> str:
    top = sorted(account.dropped.items(), key=lambda item: (-item[1], item[0]))[:3]
    return "Dropped: " + ", ".join(f"{n:,} {reason}" for reason, n in top) + "."


def _drop(
    frame: pd.DataFrame,
    bad: np.ndarray,
    reason: str,
    account: RowAccount,
    arrays: tuple[np.ndarray, ...],
) -> tuple[pd.DataFrame, tuple[np.ndarray, ...]]:
    """The rows (and their entries of ``arrays``) not ``bad``; the others counted as
    dropped for ``reason``."""
    account.drop(reason, int(bad.sum()))
    return frame[~bad].reset_index(drop=True), tuple(a[~bad] for a in arrays)


def _countries(raw: pd.Series, kind: str, request: Request) -> tuple[np.ndarray, np.ndarray]:
    extra = request.country_map
    if kind == "icews":
        return icews_to_iso(raw, extra)
    if kind == "cameo":
        return cameo_to_iso(raw, extra)
    values = raw.to_numpy(dtype=object)
    known = iso3166_alpha3() | USER_ASSIGNED | set(extra.values())
    mapped = pd.Series(values).map(lambda v: extra.get(v, v) if v in known or v in extra else None)
    codes = mapped.to_numpy(dtype=object)
    why = np.full(len(codes), None, dtype=object)
    why[pd.isna(codes) & pd.notna(values)] = "unmapped"
    return codes, why


def _is_state(frame: pd.DataFrame, layout: Layout, level: np.ndarray, side: str) -> np.ndarray:
    state = level != "unknown"
    name = layout.actor_name if side == "actor" else layout.target_name
    country = layout.actor_country if side == "actor" else layout.target_country
    if name is not None:
        state |= (frame[name] == frame[country]).fillna(False).to_numpy(dtype=bool)
    return np.asarray(state, dtype=bool)


def _event_ids(frame: pd.DataFrame, layout: Layout) -> list[str]:
    ids = frame[layout.event_id].fillna("").astype(str).to_numpy(dtype=object)
    if layout.archive == "icews":  # ICEWS ids repeat across dates: (id, date) is the key
        return [f"icews-{i}-{d}" for i, d in zip(ids, frame["_day"].to_numpy(), strict=True)]
    return [f"{layout.archive}-{i}" for i in ids]


def _provenance(
    events: pd.DataFrame, frame: pd.DataFrame, layout: Layout, swap: np.ndarray
) -> None:
    code = frame[layout.code].astype(object)
    if layout.mode is None:
        events["cameo_code"] = code.to_numpy(dtype=object)
    else:
        events["plover_type"] = code.to_numpy(dtype=object)
        events["plover_mode"] = frame[layout.mode].astype(object).to_numpy(dtype=object)
    if layout.archive_goldstein is not None:
        events["archive_goldstein"] = pd.to_numeric(
            frame[layout.archive_goldstein], errors="coerce"
        ).to_numpy(dtype=float)
    if layout.quad_class is not None:
        events["quad_class"] = pd.array(
            pd.to_numeric(frame[layout.quad_class], errors="coerce"), dtype="Int64"
        )
    for column, field in (("actor_name", layout.actor_name), ("target_name", layout.target_name)):
        if field is not None:
            names = frame[field].astype(object).to_numpy(dtype=object)
            events[column] = names
    if layout.actor_name is not None and layout.target_name is not None:
        a, t = events["actor_name"].to_numpy(), events["target_name"].to_numpy()
        events["actor_name"], events["target_name"] = np.where(swap, t, a), np.where(swap, a, t)
    story = frame[layout.story].astype(object) if layout.story is not None else None
    events["story"] = (
        story.to_numpy(dtype=object) if story is not None else np.full(len(frame), None)
    )
    if layout.publisher is not None:
        events["publisher"] = frame[layout.publisher].astype(object).to_numpy(dtype=object)


def _merge(events: pd.DataFrame, account: RowAccount, one_per_day: bool) -> pd.DataFrame:
    """Merge duplicate records and mirrored reports; keep the smallest event id of a group."""
    events = events.sort_values("event_id", kind="stable").reset_index(drop=True)
    before = len(events)
    events = events.drop_duplicates("event_id").reset_index(drop=True)
    events["n_reports"] = 1
    keys = ["date", "actor", "target", "kind", "story"]
    if one_per_day:
        code = "cameo_code" if "cameo_code" in events else "plover_type"
        keys = ["date", "actor", "target", code]
    grouped = events.assign(story=events["story"].fillna("")).groupby(keys, sort=False)
    size = grouped["event_id"].transform("size")
    first = ~events.assign(story=events["story"].fillna("")).duplicated(keys)
    merged = events[first.to_numpy()].copy()
    merged["n_reports"] = size[first.to_numpy()].to_numpy()
    account.merged += before - len(merged)
    order = ["date", "actor", "target", "event_id"]
    return merged.sort_values(order, kind="stable").reset_index(drop=True)
