"""A compiled reader for tab-separated archives without quoting (ICEWS, GDELT, Phoenix):
it finds the fields it needs and applies the date, window, country and code filters on the
raw bytes, so the rows that are dropped are never turned into strings.

One pass over a block of whole lines records where each needed field starts and ends
(``_split``, parallel over chunks of lines); a second decides every row's fate
(``_fates``, parallel over rows): malformed, bad date, outside the window, other
countries, invalid code, code not mapped, or kept. Only the kept rows' fields are gathered
into arrow string columns. Memory is bounded by the block size. The pyarrow reader
(:mod:`periodize.adapters.files`) gives the same result (tested) and serves the other
cases (POLECAT, per-country exposure).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numba
import numpy as np

from .account import RowAccount
from .files import Source
from .lines import LineLengths, next_line_end

__all__ = ["scan"]

BLOCK_BYTES = 1 << 24
KEEP, MALFORMED, BAD_DATE, OUTSIDE, OTHER, CODE, INVALID = 0, 1, 2, 3, 4, 5, 6
FATES = {
    MALFORMED: "malformed",
    BAD_DATE: "bad_date",
    OUTSIDE: "outside_window",
    OTHER: "other_countries",
    INVALID: "invalid_code",
    CODE: "code_not_mapped",
}
#: Keys of 2-4 digit codes: length * 10**4 + their value.
_CODE_KEYS = 5 * 10**4
_CHUNKS = 8


@numba.njit(cache=True, nogil=True)
def _split_chunk(buf, lo, hi, slot, starts, ends, nfields, row):  # pragma: no cover - compiled
    # rows are the non-empty lines (empty ones are skipped, as pyarrow does); returns the
    # number written
    first = row
    field = 0
    begin = lo
    n_slot = slot.size
    for i in range(lo, hi):
        b = buf[i]
        if b > 13 or (b != 9 and b != 10 and b != 13):  # most bytes: one comparison
            continue
        if b == 10 and i > 0 and buf[i - 1] == 13:  # the LF of a CRLF
            begin = i + 1
            continue
        if b != 9:
            if field == 0 and i == begin:  # an empty line
                begin = i + 1
                continue
        if field < n_slot and slot[field] >= 0:
            starts[row, slot[field]] = begin
            ends[row, slot[field]] = i
        field += 1
        begin = i + 1
        if b != 9:
            nfields[row] = field
            row += 1
            field = 0
    return row - first


@numba.njit(cache=True, parallel=True)
def _split(buf, bounds, first_rows, slot, starts, ends, nfields):  # pragma: no cover
    written = np.zeros(bounds.size - 1, dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        written[c] = _split_chunk(buf, bounds[c], bounds[c + 1], slot, starts, ends, nfields,
                                  first_rows[c])  # fmt: skip
    return written


@numba.njit(cache=True, nogil=True)
def _days_from_civil(y, m, d):  # pragma: no cover - compiled
    # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@numba.njit(cache=True, nogil=True)
def _digits(buf, at, count):  # pragma: no cover - compiled
    value = 0
    for k in range(count):
        b = buf[at + k]
        if b < 48 or b > 57:
            return -1
        value = value * 10 + (b - 48)
    return value


@numba.njit(cache=True, nogil=True)
def _day(buf, start, stop, compact):  # pragma: no cover - compiled
    """Days since 1970 of YYYYMMDD (compact) or YYYY-MM-DD[...]; -2**40 when not a date."""
    bad = -(1 << 40)
    if compact:
        if stop - start != 8:
            return bad
        y, m, d = _digits(buf, start, 4), _digits(buf, start + 4, 2), _digits(buf, start + 6, 2)
    else:
        if stop - start < 10 or buf[start + 4] != 45 or buf[start + 7] != 45:
            return bad
        y, m, d = _digits(buf, start, 4), _digits(buf, start + 5, 2), _digits(buf, start + 8, 2)
    if y < 1 or m < 1 or m > 12 or d < 1:
        return bad
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    limit = 29 if (m == 2 and leap) else (28 if m == 2 else (30 if m in (4, 6, 9, 11) else 31))
    if d > limit:
        return bad
    return _days_from_civil(y, m, d)


@numba.njit(cache=True, nogil=True)
def _member(buf, start, stop, values, lengths):  # pragma: no cover - compiled
    n = stop - start
    for v in range(lengths.size):
        if lengths[v] != n:
            continue
        same = True
        for k in range(n):
            if buf[start + k] != values[v, k]:
                same = False
                break
        if same:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _code_key(buf, start, stop):  # pragma: no cover - compiled
    """length * 10**4 + value of a code of 2-4 digits; -1 for anything else."""
    n = stop - start
    if n < 2 or n > 4:
        return -1
    value = _digits(buf, start, n)
    return -1 if value < 0 else n * 10000 + value


@numba.njit(cache=True, parallel=True)
def _fates(buf, starts, ends, nfields, expected, columns, compact, window, allowed, allowed_n,
           codes, codes_n, valid, filter_countries, day, fate):  # fmt: skip  # pragma: no cover
    date, actor, target, code = columns[0], columns[1], columns[2], columns[3]
    for r in numba.prange(nfields.size):
        if nfields[r] != expected:
            fate[r] = MALFORMED
            continue
        d = _day(buf, starts[r, date], ends[r, date], compact)
        day[r] = d
        if d < -(1 << 39):
            fate[r] = BAD_DATE
        elif d < window[0] or d > window[1]:
            fate[r] = OUTSIDE
        elif filter_countries and not (
            _member(buf, starts[r, actor], ends[r, actor], allowed, allowed_n)
            and _member(buf, starts[r, target], ends[r, target], allowed, allowed_n)
        ):
            fate[r] = OTHER
        elif not _member(buf, starts[r, code], ends[r, code], codes, codes_n):
            key = _code_key(buf, starts[r, code], ends[r, code])
            fate[r] = CODE if valid.size == 1 or (key >= 0 and valid[key]) else INVALID
        else:
            fate[r] = KEEP


@numba.njit(cache=True)
def _gather(buf, starts, ends, rows, column):  # pragma: no cover - compiled
    offsets = np.zeros(rows.size + 1, dtype=np.int64)
    for i in range(rows.size):
        offsets[i + 1] = offsets[i] + ends[rows[i], column] - starts[rows[i], column]
    data = np.empty(offsets[-1], dtype=np.uint8)
    for i in range(rows.size):
        s = starts[rows[i], column]
        data[offsets[i] : offsets[i + 1]] = buf[s : ends[rows[i], column]]
    return offsets, data


def _valid_keys(codes: Any) -> np.ndarray:
    """A lookup of valid 2-4 digit codes by key; one entry (no check) when none given."""
    if codes is None:
        return np.ones(1, dtype=np.bool_)
    valid = np.zeros(_CODE_KEYS, dtype=np.bool_)
    for code in codes:
        if 2 <= len(code) <= 4 and code.isascii() and code.isdigit():
            valid[len(code) * 10000 + int(code)] = True
    return valid


def _padded(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [v.encode("utf-8") for v in values]
    width = max((len(e) for e in encoded), default=1)
    table = np.zeros((max(len(encoded), 1), width), dtype=np.uint8)
    for i, e in enumerate(encoded):
        table[i, : len(e)] = np.frombuffer(e, dtype=np.uint8)
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    return table, lengths


def _skipped(buffer: bytearray, filled: int, skip: int, at_end: bool) -> int | None:
    """The offset after the first ``skip`` lines of ``buffer[:filled]``; ``None`` when
    they do not all lie in it yet (a CR at its end may be the first half of a CRLF)."""
    at = 0
    for _ in range(skip):
        end = next_line_end(buffer, at, filled)
        if end < 0:
            return filled if at_end else None
        at = end + 1
        if buffer[end] == 13:
            if at == filled and not at_end:
                return None
            at += at < filled and buffer[at] == 10
    return at


def _blocks(source: Source, skip: int) -> Iterator[np.ndarray]:
    """Blocks of whole lines, after ``skip`` lines, read into one reused buffer (a block is
    valid until the next one is asked for). Lines end at LF, CRLF or CR; a block never ends
    between the CR and the LF of a CRLF. A line over the limit is refused as it is read."""
    lengths = LineLengths(source.label)
    with source.open() as handle:
        buffer = bytearray(BLOCK_BYTES + 1)
        filled = 0
        while True:
            if filled == len(buffer) - 1:  # a line longer than the buffer: a larger one
                buffer = buffer + bytearray(len(buffer))
            read = handle.readinto(memoryview(buffer)[filled:-1])  # type: ignore[attr-defined]
            lengths.feed(buffer, filled, filled + read)
            filled += read
            if skip:
                start = _skipped(buffer, filled, skip, not read)
                if start is None:
                    continue
                buffer[: filled - start] = buffer[start:filled]
                filled -= start
                skip = 0
            if not read:
                if filled:
                    if buffer[filled - 1] not in (10, 13):
                        buffer[filled] = 10
                        filled += 1
                    yield np.frombuffer(buffer, dtype=np.uint8, count=filled)
                return
            lf = buffer.rfind(b"\n", 0, filled)  # the last line end (a final CR may be a CRLF's)
            cut = max(lf, buffer.rfind(b"\r", lf + 1, filled - 1)) + 1
            if cut:
                yield np.frombuffer(buffer, dtype=np.uint8, count=cut)
                buffer[: filled - cut] = buffer[cut:filled]
                filled -= cut


@numba.njit(cache=True, parallel=True)
def _line_end_counts(buf, bounds):  # pragma: no cover - compiled
    # LF and CR bytes of each chunk: at least its rows (a CRLF counts twice, an empty line
    # once), exactly its rows in the common file of LF-ended lines; branch-free, so it
    # vectorises
    counts = np.zeros(bounds.size - 1, dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        n = 0
        for i in range(bounds[c], bounds[c + 1]):
            b = buf[i]
            n += (b == 10) | (b == 13)
        counts[c] = n
    return counts


def _chunk_bounds(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Chunk boundaries after an LF, the first row slot (0-based) of each chunk, and the
    number of row slots of the block (at least its rows, see :func:`_line_end_counts`)."""
    size = buf.size
    bounds = [0]
    for k in range(1, _CHUNKS):
        at = int(size * k // _CHUNKS)
        if at <= bounds[-1]:
            continue
        stop = bytes(buf[at : at + 65536]).find(b"\n")
        while stop < 0 and at < size:  # a very long line: look further
            at += 65536
            stop = bytes(buf[at : at + 65536]).find(b"\n")
        if stop < 0:
            break
        if at + stop + 1 < size:
            bounds.append(at + stop + 1)
    bounds.append(size)
    edges = np.array(bounds, dtype=np.int64)
    slots = _line_end_counts(buf, edges)
    first = np.concatenate([[0], np.cumsum(slots)[:-1]]).astype(np.int64)
    return edges, first, int(slots.sum())


def scan(
    source: Source,
    names: Sequence[str],
    fields: Sequence[str],
    filters: dict[str, Any],
    account: RowAccount,
    skip: int = 0,
) -> Iterator[Any]:
    """Arrow tables of the kept rows' ``fields`` (with ``_day`` as YYYYMMDD), block by
    block; the account counts every row."""
    import pyarrow as pa

    column_of = {name: i for i, name in enumerate(names)}
    slot = np.full(len(names), -1, dtype=np.int64)
    for j, name in enumerate(fields):
        slot[column_of[name]] = j
    keys = [fields.index(filters[k]) for k in ("date", "actor", "target", "code")]
    allowed, allowed_n = _padded(filters["countries"] or [])
    codes, codes_n = _padded(filters["codes"])
    valid = _valid_keys(filters.get("valid_codes"))
    window = np.array(filters["window"], dtype=np.int64)
    lines_before = skip
    for buf in _blocks(source, skip):
        bounds, first, n = _chunk_bounds(buf)
        starts = np.zeros((n, len(fields)), dtype=np.int32)  # a block is < 2 GiB
        ends = np.zeros((n, len(fields)), dtype=np.int32)
        nfields = np.zeros(n, dtype=np.int64)
        written = _split(buf, bounds, first, slot, starts, ends, nfields)
        if written.sum() < n:  # CRLF or empty lines: the rows without the unused slots
            rows_of = np.arange(int(written.sum())) + np.repeat(
                first - np.concatenate([[0], np.cumsum(written)[:-1]]), written
            )
            starts, ends, nfields = starts[rows_of], ends[rows_of], nfields[rows_of]
            n = rows_of.size
        day = np.zeros(n, dtype=np.int64)
        fate = np.zeros(n, dtype=np.int8)
        _fates(buf, starts, ends, nfields, len(names), np.array(keys, dtype=np.int64),
               filters["compact"], window, allowed, allowed_n, codes, codes_n, valid,
               filters["countries"] is not None, day, fate)  # fmt: skip
        account.read += n
        _account(buf, starts, nfields, ends, day, fate, keys[0], account, source,
                 lines_before, filters["null_values"])  # fmt: skip
        rows = np.flatnonzero(fate == KEEP)
        lines_before += n
        if rows.size:
            columns = {}
            for j, name in enumerate(fields):
                offsets, data = _gather(buf, starts, ends, rows, j)
                columns[name] = _strings(offsets, data)
            for name in fields:
                columns[name] = _as_null(columns[name], filters["null_values"])
            dates = (day[rows].astype("datetime64[D]")).astype(str)
            columns["_day"] = pa.array(np.char.replace(dates, "-", "").astype(np.int64))
            yield pa.record_batch(columns)


def _as_null(array: Any, null_values: Sequence[str]) -> Any:
    """Missing where the text is one of ``null_values`` (as the pyarrow reader reads it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = pc.is_in(array, pa.array(list(null_values), pa.string()))
    return pc.if_else(missing, pa.scalar(None, pa.string()), array)


def _strings(offsets: np.ndarray, data: np.ndarray) -> Any:
    import pyarrow as pa

    array = pa.Array.from_buffers(
        pa.large_string(), offsets.size - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:  # not UTF-8: decode each value, replacing what is not
        raw = data.tobytes()
        values = [raw[a:b].decode("utf-8", "replace") for a, b in itertools.pairwise(offsets)]
        array = pa.array(values, pa.large_string())
    return array.cast(pa.string())


def _account(buf, starts, nfields, ends, day, fate, date, account, source, lines_before,
             filters_null):  # fmt: skip
    counts = np.bincount(fate, minlength=len(FATES) + 1)
    for code, reason in FATES.items():
        if counts[code]:
            account.drop(reason, int(counts[code]))
    valid = fate != MALFORMED
    valid &= fate != BAD_DATE
    if valid.any():
        ordinal = day[valid]
        low = ordinal.min()
        tally = np.bincount(ordinal - low)
        for offset in np.flatnonzero(tally).tolist():
            key = str(np.datetime64(int(low + offset), "D"))
            account.exposure[key] = account.exposure.get(key, 0) + int(tally[offset])
    bad = np.flatnonzero(fate == BAD_DATE)
    if bad.size:
        text = [
            buf[starts[r, date] : ends[r, date]].tobytes().decode("utf-8", "replace") for r in bad
        ]
        nulls = set(filters_null)
        account.drop("bad_date", 0, ["<missing>" if t in nulls else t for t in text])
    for r in np.flatnonzero(fate == MALFORMED)[: max(0, 100 - len(account.malformed))]:
        # the line's number among the non-empty lines (as pyarrow numbers them)
        account.malformed.append((source.label, int(lines_before + r + 1), int(nfields[r])))
