"""The reading pipeline every archive shares: filter while streaming, then map the few
rows left into the event schema, merge duplicate reports, and account for every row.

Order (a row is counted under the first rule that drops it): malformed line, repeated
header, bad date, outside the window, outside the countries asked for, invalid event code,
event code not in the kind mapping, missing country, unmapped country, not a state, former
state after its end, domestic, international organisation, non-state actor. Then the
reports of one event are merged (:mod:`periodize.adapters.merging`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._limits import check_memory
from ..events.schema import validate_events
from ..events.vocabulary import iso3166_alpha3
from ..exceptions import ParameterError
from .account import _ACCOUNT, RowAccount
from .countries import (
    FORMER,
    FORMER_STATES,
    USER_ASSIGNED,
    cameo_to_iso,
    icews_to_iso,
    state_name_to_iso,
)
from .files import Source, batches, damaged
from .mapping import (
    MACHINE_LEVELS,
    KindMapping,
    igo_from_sectors,
    igo_from_types,
    level_from_sectors,
    level_from_types,
)
from .merging import merge_reports
from .scan import scan
from .tables import _lookup_inverse, per_distinct, table, valid_cameo_codes

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
#: Rows that passed the filters are mapped to events this many at a time (so a read
#: without a filter holds its events, not every row it read).
CHUNK_ROWS = 1 << 19
#: Merging the mapped events takes a few copies of them (dedupe, sort, group).
_MERGE_FACTOR = 4


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
    actor_code: str | None = None  # CAMEO actor code (GDELT, Phoenix)
    target_code: str | None = None
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
            self.actor_code,
            self.target_code,
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
    known = iso3166_alpha3() | USER_ASSIGNED | FORMER_STATES
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
    wrong = ParameterError(
        f"The {name!r} parameter must be a year from 1 to 9999 or a date such as "
        f"'2009-06-30'. Got {value!r} instead."
    )
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 4:
        value = int(value)  # "2009" is the year, not its first day
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if not 1 <= int(value) <= 9999:
            raise wrong
        return int(value) * 10000 + (101 if first else 1231)
    try:
        day = pd.Timestamp(str(value))
    except (ValueError, OverflowError):
        raise wrong from None
    if not 1 <= day.year <= 9999:
        raise wrong
    return day.year * 10000 + day.month * 100 + day.day


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
    pending: list[Any] = []  # rows that passed the filters, not yet mapped
    pieces: list[pd.DataFrame] = []  # mapped rows, held until they are merged
    pending_rows = pending_bytes = held = 0
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
        for part in _guarded(parts, source):
            if not part.num_rows:
                continue
            pending.append(part)
            pending_rows += part.num_rows
            pending_bytes += part.nbytes
            if pending_rows >= CHUNK_ROWS:
                pieces.append(_map_rows(_to_pandas(pending, layout), layout, request, account))
                held += int(pieces[-1].memory_usage(deep=True).sum())
                pending, pending_rows, pending_bytes = [], 0, 0
            check_memory(
                _MERGE_FACTOR * held + _PANDAS_FACTOR * pending_bytes,
                f"The {sum(len(p) for p in pieces) + pending_rows:,} rows kept so far",
                "filter while reading (dyad=, countries=, start=/end=, or a narrower "
                "kinds= mapping), or read the files with engine='dask'",
            )
    if pending or not pieces:
        pieces.append(_map_rows(_to_pandas(pending, layout), layout, request, account))
    events = _finish(pieces, request, account)
    account.check()
    return events, account


def _guarded(parts: Iterator[Any], source: Source) -> Iterator[Any]:
    """The parts of one stream, a damaged zip member reported by name."""
    with damaged(source):
        yield from parts


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
        "valid_codes": sorted(valid_cameo_codes()),
        "null_values": list(null_values),
    }


def _to_pandas(kept: list, layout: Layout) -> pd.DataFrame:
    """The kept rows as pandas, every text column but the id dictionary-encoded (archive
    columns repeat a few values: countries, codes, sectors, names)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not kept:
        return pd.DataFrame(columns=[*layout.columns, "_day"])
    table = pa.Table.from_batches(kept)
    for i, name in enumerate(table.column_names):
        if name not in (layout.event_id, "_day"):
            table = table.set_column(i, name, pc.dictionary_encode(table.column(i)))
    return table.to_pandas()


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
    column = batch.column(layout.code)
    known = _mask(pc.is_in(column, pa.array(codes, pa.string())))
    valid = _mask(pc.is_in(column, pa.array(sorted(_valid_codes(layout)), pa.string())))
    account.drop("invalid_code", int((keep & ~known & ~valid).sum()))
    account.drop("code_not_mapped", int((keep & ~known & valid).sum()))
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


def _valid_codes(layout: Layout) -> frozenset[str]:
    """The codes of the archive's codebook: CAMEO event codes, or PLOVER event types."""
    if layout.mode is None:
        return valid_cameo_codes()
    return frozenset(table("plover_types.csv")["event_type"])


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


def _map_rows(
    frame: pd.DataFrame, layout: Layout, request: Request, account: RowAccount
) -> pd.DataFrame:
    """Map rows that passed the filters into the schema and apply the row rules; the
    result holds each row's reporting side (``_reporter``) and ``_mutual`` flag for the
    merge."""
    frame = frame.reset_index(drop=True)
    modes = None if layout.mode is None else frame[layout.mode]
    kinds, swap, mutual, known = request.mapping.lookup(frame[layout.code], modes)
    frame = frame.assign(_kind=kinds, _swap=swap, _mutual=mutual)
    frame = _keep(frame, known, "code_not_mapped", account)
    # every _day is a calendar date here: both readers checked it while reading
    day = frame["_day"].to_numpy()
    for side, column in (("actor", layout.actor_country), ("target", layout.target_country)):
        iso, why = _countries(frame[column], layout.countries, request, day)
        frame[f"_{side}_iso"], frame[f"_{side}_why"] = iso, why
    for reason, test in _COUNTRY_RULES:
        a_bad = test(frame["_actor_why"], frame[layout.actor_country])
        t_bad = test(frame["_target_why"], frame[layout.target_country])
        values = None
        if reason != "missing_country":
            values = pd.concat(
                [frame.loc[a_bad, layout.actor_country], frame.loc[t_bad, layout.target_country]]
            )
        frame = _keep(frame, ~(a_bad | t_bad), reason, account, values)
    domestic = frame["_actor_iso"].to_numpy(dtype=object) == frame["_target_iso"].to_numpy(
        dtype=object
    )
    frame = _keep(frame, ~domestic, "domestic", account)

    rule = level_from_sectors if layout.level_rule == "sectors" else level_from_types
    frame["_actor_level"] = rule(frame[layout.actor_level])
    frame["_target_level"] = rule(frame[layout.target_level])
    if request.states_only:
        igo = _is_igo(frame, layout, "actor") | _is_igo(frame, layout, "target")
        frame = _keep(frame, ~igo, "igo_actor", account)
        state = _is_state(frame, layout, "actor") & _is_state(frame, layout, "target")
        frame = _keep(frame, state, "non_state_actor", account)

    # "host a visit" and the like: the actor becomes the visitor
    swap = frame["_swap"].to_numpy(dtype=bool)
    actor_iso, target_iso = frame["_actor_iso"].to_numpy(), frame["_target_iso"].to_numpy()
    actor_level, target_level = frame["_actor_level"], frame["_target_level"]
    events = pd.DataFrame(
        {
            "event_id": _event_ids(frame, layout),
            "date": per_distinct(
                frame["_day"],
                lambda v: [f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" for d in v],
            ),
            "actor": np.where(swap, target_iso, actor_iso).astype(object),
            "target": np.where(swap, actor_iso, target_iso).astype(object),
            "level": np.where(swap, target_level, actor_level).astype(object),
            "kind": frame["_kind"].to_numpy(dtype=object),
            "target_level": np.where(swap, actor_level, target_level).astype(object),
            "archive": layout.archive,
        }
    )
    _provenance(events, frame, layout, swap)
    events["_reporter"] = actor_iso
    events["_mutual"] = frame["_mutual"].to_numpy(dtype=bool)
    return events


def _finish(pieces: list[pd.DataFrame], request: Request, account: RowAccount) -> pd.DataFrame:
    """Merge the reports of one event across every piece, then validate the table."""
    rows = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    events = merge_reports(
        rows.drop(columns=["_reporter", "_mutual"]),
        reporter=rows["_reporter"].to_numpy(dtype=object),
        mutual=rows["_mutual"].to_numpy(dtype=bool),
        account=account,
        one_per_day=request.one_per_day,
    )
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
        extra_codes=USER_ASSIGNED | FORMER_STATES | set(request.country_map.values()),
    )
    table.attrs[_ACCOUNT] = account.to_dict()
    return table


def _missing(why: pd.Series, raw: pd.Series) -> np.ndarray:
    return raw.isna().to_numpy()


def _unmapped(why: pd.Series, raw: pd.Series) -> np.ndarray:
    return (why == "unmapped").to_numpy(dtype=bool)


def _former(why: pd.Series, raw: pd.Series) -> np.ndarray:
    return (why == FORMER).to_numpy(dtype=bool)


def _not_state(why: pd.Series, raw: pd.Series) -> np.ndarray:
    return why.notna().to_numpy() & ~_unmapped(why, raw) & ~_former(why, raw)


#: Country rules in the order they drop a row (see the module docstring).
_COUNTRY_RULES = (
    ("missing_country", _missing),
    ("unmapped_country", _unmapped),
    ("not_a_state", _not_state),
    ("historical_state", _former),
)


def _largest_reasons(account: RowAccount) -> str:
    if not account.dropped:
        return "The files hold no rows." if not account.read else ""
    top = sorted(account.dropped.items(), key=lambda item: (-item[1], item[0]))[:3]
    return "Dropped: " + ", ".join(f"{n:,} {reason}" for reason, n in top) + "."


def _keep(
    frame: pd.DataFrame,
    keep: Any,
    reason: str,
    account: RowAccount,
    values: pd.Series | None = None,
) -> pd.DataFrame:
    """The rows ``keep`` says to keep; the others counted as dropped for ``reason`` (with
    their ``values`` when the reason lists values)."""
    keep = np.asarray(keep, dtype=bool)
    account.drop(reason, int((~keep).sum()), values)
    return frame[keep].reset_index(drop=True)


def _countries(
    raw: pd.Series, kind: str, request: Request, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    extra = request.country_map
    if kind == "icews":
        return icews_to_iso(raw, extra)
    if kind == "cameo":
        return cameo_to_iso(raw, extra, dates=day)
    values = raw.to_numpy(dtype=object)
    known = iso3166_alpha3() | USER_ASSIGNED | set(extra.values())
    mapped = pd.Series(values).map(lambda v: extra.get(v, v) if v in known or v in extra else None)
    codes = mapped.to_numpy(dtype=object)
    why = np.full(len(codes), None, dtype=object)
    why[pd.isna(codes) & pd.notna(values)] = "unmapped"
    return codes, why


def _fields(layout: Layout, side: str) -> tuple[str | None, str | None, str]:
    """(name, actor code, sector or type) fields of one side."""
    if side == "actor":
        return layout.actor_name, layout.actor_code, layout.actor_level
    return layout.target_name, layout.target_code, layout.target_level


def _is_igo(frame: pd.DataFrame, layout: Layout, side: str) -> np.ndarray:
    """An international organisation: by its sectors, or its CAMEO type or actor code."""
    _, code, level = _fields(layout, side)
    if layout.level_rule == "sectors":
        return igo_from_sectors(frame[level])
    return igo_from_types(frame[level], None if code is None else frame[code])


def _is_state(frame: pd.DataFrame, layout: Layout, side: str) -> np.ndarray:
    """A state's organ (a known level) or the state itself (its name names the side's
    country; a CAMEO actor code equal to the country code)."""
    state = (frame[f"_{side}_level"] != "unknown").to_numpy(dtype=bool)
    name, code, _ = _fields(layout, side)
    country = layout.actor_country if side == "actor" else layout.target_country
    if code is not None:
        same = _text(frame[code]) == _text(frame[country])
        state = state | (same & pd.notna(_text(frame[country])))
    elif name is not None:
        named = state_name_to_iso(frame[name].to_numpy(dtype=object))
        state = state | (named == frame[f"_{side}_iso"].to_numpy(dtype=object))
    return state


def _event_ids(frame: pd.DataFrame, layout: Layout) -> list[str]:
    ids = frame[layout.event_id].fillna("").astype(str).to_numpy(dtype=object)
    return [f"{layout.archive}-{i}" for i in ids]


def _provenance(
    events: pd.DataFrame, frame: pd.DataFrame, layout: Layout, swap: np.ndarray
) -> None:
    code = _text(frame[layout.code])
    if layout.mode is None:
        events["cameo_code"] = code
    else:
        events["plover_type"] = code
        events["plover_mode"] = _text(frame[layout.mode])
    if layout.archive_goldstein is not None:
        events["archive_goldstein"] = _numbers(frame[layout.archive_goldstein])
    if layout.quad_class is not None:
        events["quad_class"] = pd.array(_numbers(frame[layout.quad_class]), dtype="Int64")
    for column, (a, t) in (
        ("name", (layout.actor_name, layout.target_name)),
        ("code", (layout.actor_code, layout.target_code)),
    ):
        if a is not None and t is not None:
            first = _text(frame[a])
            second = _text(frame[t])
            events[f"actor_{column}"] = np.where(swap, second, first)
            events[f"target_{column}"] = np.where(swap, first, second)
    story = _text(frame[layout.story]) if layout.story is not None else None
    events["story"] = story if story is not None else np.full(len(frame), None)
    if layout.publisher is not None:
        events["publisher"] = _text(frame[layout.publisher])


def _numbers(column: pd.Series) -> np.ndarray:
    """A text column as numbers (NaN where it is not one), converted per distinct value."""
    return per_distinct(column, _to_numbers, np.nan).astype(float)


def _to_numbers(values: np.ndarray) -> pd.Series:
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")


def _text(column: pd.Series) -> np.ndarray:
    """A text column as objects, missing as ``None``."""
    values = np.array(column.astype(object), dtype=object)
    values[pd.isna(values)] = None
    return values
