"""The provenance digest of an event table: one canonical SHA-256 however the rows are
ordered or split into partitions, computed from the columns' memory without a Python
string per row.

Every row gets a 64-bit hash that mixes the hashes of its cells, column by column in the
order of the sorted column names; the digest is the SHA-256 of the column names, the
number of rows and the sum and the exclusive-or (both mod 2^64) of the row hashes. A sum
and an exclusive-or do not depend on the order of the rows and add up across partitions,
so an in-memory table and the same rows read as Dask partitions get the same digest
(:func:`partial_digest` per partition, :func:`combine` for the whole).

Cells are hashed by kind: text (Arrow strings, categories, object columns of strings) with
FNV-1a over its UTF-8 bytes, compiled; numbers by their 64-bit pattern (integers and
floats each as themselves: 1 and 1.0 differ); missing values as one constant. Each cell
hash goes through the splitmix64 finaliser, so the row hashes are well mixed.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numba
import numpy as np
import pandas as pd

from .._kernels import frozen

_MISSING = np.uint64(0x9E3779B97F4A7C15)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@numba.njit(cache=True)
def _mix(x: np.uint64) -> np.uint64:
    """splitmix64's finaliser: every input bit moves every output bit."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True)
def _text_hashes(
    offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, out: np.ndarray
) -> None:
    """FNV-1a over each string's bytes ``data[offsets[i]:offsets[i + 1]]``, mixed, into
    ``out``."""
    for i in range(offsets.shape[0] - 1):
        if not valid[i]:
            out[i] = _MISSING
            continue
        h = _FNV_OFFSET
        for j in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[j])) * _FNV_PRIME
        out[i] = _mix(h)


@numba.njit(cache=True)
def _bits_hashes(bits: np.ndarray, valid: np.ndarray, kind: np.uint64) -> np.ndarray:
    out = np.empty(bits.shape[0], dtype=np.uint64)
    for i in range(bits.shape[0]):
        out[i] = _mix(bits[i] ^ kind) if valid[i] else _MISSING
    return out


@numba.njit(cache=True)
def _combine_rows(row: np.ndarray, cells: np.ndarray, salt: np.uint64) -> None:
    for i in range(row.shape[0]):
        row[i] = _mix(row[i] * np.uint64(31) + (cells[i] ^ salt))


_PRIME_1 = np.uint64(0x9E3779B185EBCA87)
_PRIME_2 = np.uint64(0xC2B2AE3D27D4EB4F)


@numba.njit(cache=True, inline="always")
def _round(lane: np.uint64, word: np.uint64) -> np.uint64:
    """xxHash64's round: ``rotl(lane + word * P2, 31) * P1``, for a fixed word a bijection
    of the lane."""
    lane = lane + word * _PRIME_2
    lane = (lane << np.uint64(31)) | (lane >> np.uint64(33))
    return lane * _PRIME_1


@numba.njit(cache=True, nogil=True)
def _words_hash(
    words: np.ndarray, tail: np.uint64, n_bytes: np.uint64, key: np.uint64
) -> np.uint64:
    """Hash of a buffer's 8-byte ``words`` (its last ``n_bytes % 8`` bytes in ``tail``):
    eight lanes (words ``i % 8``) of xxHash64's round, joined by a chain of splitmix64's
    bijective finaliser. Every step is a bijection of the state, so a change of any one
    word always changes the result; other changes collide with probability about 2^-64.
    Keyed by ``key``; fast (about 6 GB/s on one core), not cryptographic."""
    a0, a1, a2, a3 = key + np.uint64(1), key + np.uint64(2), key + np.uint64(3), key + np.uint64(4)
    a4, a5, a6, a7 = key + np.uint64(5), key + np.uint64(6), key + np.uint64(7), key + np.uint64(8)
    n = words.shape[0]
    i = 0
    while i + 8 <= n:
        a0, a1 = _round(a0, words[i]), _round(a1, words[i + 1])
        a2, a3 = _round(a2, words[i + 2]), _round(a3, words[i + 3])
        a4, a5 = _round(a4, words[i + 4]), _round(a5, words[i + 5])
        a6, a7 = _round(a6, words[i + 6]), _round(a7, words[i + 7])
        i += 8
    while i < n:
        a0 = _round(a0, words[i])
        i += 1
    state = _mix(_mix(key ^ tail) ^ n_bytes)
    for lane in (a0, a1, a2, a3, a4, a5, a6, a7):
        state = _mix(state ^ lane)
    return state


def buffers_hash(pieces: list[Any], key: int) -> bytes:
    """A keyed 64-bit hash (8 bytes) of a sequence of buffers (anything with the buffer
    protocol), each hashed by :func:`_words_hash` and chained in order; compiled, and run
    without the GIL (columns can be hashed on several threads).

    Examples
    --------
    >>> buffers_hash([b"abc", b"de"], 1) == buffers_hash([b"abc", b"de"], 1)
    True
    >>> buffers_hash([b"abc", b"de"], 1) == buffers_hash([b"abd", b"de"], 1)
    False
    """
    hashes = np.empty(len(pieces), dtype=np.uint64)
    for i, piece in enumerate(pieces):
        raw = np.frombuffer(piece, dtype=np.uint8)
        whole = raw.size // 8
        words = raw[: whole * 8].view(np.uint64)
        tail = int.from_bytes(raw[whole * 8 :].tobytes(), "little")
        hashes[i] = _words_hash(
            frozen(words, np.uint64), np.uint64(tail), np.uint64(raw.size), np.uint64(key)
        )
    return int(_chain(hashes, np.uint64(key))).to_bytes(8, "little")


@numba.njit(cache=True, nogil=True)
def _chain(values: np.ndarray, key: np.uint64) -> np.uint64:
    """``state <- mix(state ^ v)`` over the values, from ``key``: a change of any one value
    always changes the result."""
    state = key
    for value in values:
        state = _mix(state ^ value)
    return state


@numba.njit(cache=True)
def _combine_codes(row: np.ndarray, codes: np.ndarray, table: np.ndarray, salt: np.uint64) -> None:
    """:func:`_combine_rows` of a coded column: cell ``i`` hashes as ``table[codes[i]]``
    (missing where the code is negative), without the cells' hashes laid out per row."""
    for i in range(row.shape[0]):
        code = codes[i]
        cell = table[code] if code >= 0 else _MISSING
        row[i] = _mix(row[i] * np.uint64(31) + (cell ^ salt))


#: Values per bucket :func:`has_repeat` aims at: a bucket's set (twice as many 8-byte
#: slots, 1 MiB) stays in the core's L2 cache. Measured on 2 million values: 1,024 per
#: bucket 29 ms, 16,384 28 ms, 65,536 23 ms, 524,288 33 ms; one set over all 38 ms.
_BUCKET_VALUES = 65536


@numba.njit(cache=True)
def has_repeat(hashes: np.ndarray) -> bool:
    """Whether any 64-bit value occurs twice (0 is stored as 1, so a screen only: True may
    be a collision). The values are first spread into buckets by their top bits (one
    counting pass, one scatter), then each bucket is checked with an open-addressing set
    twice its size that fits in the cache: on 2 million values 23 ms against 38 ms for one
    set over all of them, whose every probe missed the cache."""
    n = hashes.shape[0]
    bits = 0
    while (n >> bits) > _BUCKET_VALUES:
        bits += 1
    shift = np.uint64(64 - bits) if bits else np.uint64(0)
    n_buckets = 1 << bits
    starts = np.zeros(n_buckets + 1, dtype=np.int64)
    for h in hashes:
        starts[(np.int64(h >> shift) if bits else 0) + 1] += 1
    for b in range(n_buckets):
        starts[b + 1] += starts[b]
    spread = np.empty(n, dtype=np.uint64)
    filled = starts[:-1].copy()
    for h in hashes:
        bucket = np.int64(h >> shift) if bits else np.int64(0)
        spread[filled[bucket]] = h if h != np.uint64(0) else np.uint64(1)
        filled[bucket] += 1
    largest = 1
    for b in range(n_buckets):
        largest = max(largest, starts[b + 1] - starts[b])
    size = 1
    while size < 2 * largest:
        size <<= 1
    table = np.zeros(size, dtype=np.uint64)
    for b in range(n_buckets):
        used = 1
        while used < 2 * (starts[b + 1] - starts[b]):
            used <<= 1
        table[:used] = 0
        mask = np.uint64(used - 1)
        for i in range(starts[b], starts[b + 1]):
            key = spread[i]
            slot = key & mask  # low bits: the bucket shares its top bits
            while table[slot] != np.uint64(0):
                if table[slot] == key:
                    return True
                slot = (slot + np.uint64(1)) & mask
            table[slot] = key
    return False


def distinct_hashes(values: Any) -> np.ndarray | None:
    """The cells' 64-bit hashes (:func:`cell_hashes` of a text column) when they prove that
    no value of the column occurs twice (distinct hashes: distinct values); None when that
    cannot be proved (a repeat, two missing cells, which hash alike, or two values whose
    hashes collide): the caller then finds the repeats exactly.

    Examples
    --------
    >>> distinct_hashes(pd.array(["a", "b"], dtype="string[pyarrow]")) is not None
    True
    >>> distinct_hashes(pd.array(["a", "a"], dtype="string[pyarrow]")) is None
    True
    """
    hashes = _strings(values)
    return None if has_repeat(hashes) else hashes


def _strings(values: Any) -> np.ndarray:
    """Cell hashes of text: an Arrow string array's buffers read as they are, chunk by
    chunk (no joined copy)."""
    import pyarrow as pa

    array = pa.array(values, from_pandas=True)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    out = np.empty(len(array), dtype=np.uint64)
    start = 0
    for chunk in chunks:
        _chunk_hashes(chunk, out[start : start + len(chunk)])
        start += len(chunk)
    return out


def _chunk_hashes(chunk: Any, out: np.ndarray) -> None:
    import pyarrow as pa

    if pa.types.is_null(chunk.type):  # no cell at all
        chunk = chunk.cast(pa.large_string())
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        raise TypeError(f"not text: {chunk.type}")  # the caller hashes it as text it writes
    _, offsets, data = chunk.buffers()
    n = len(chunk)
    width = np.int32 if pa.types.is_string(chunk.type) else np.int64
    offsets = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + n + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    valid = ~np.asarray(chunk.is_null(), dtype=bool)
    _text_hashes(frozen(offsets, offsets.dtype), frozen(data, np.uint8), frozen(valid, bool), out)


def numbered_hashes(n: int, prefix: str) -> np.ndarray:
    """:func:`cell_hashes` of the ids ``{prefix}0``, ``{prefix}1``, ... without building
    them: FNV-1a runs over the prefix once and over each number's digits from there.

    Examples
    --------
    >>> ids = pd.Series(["a#row0", "a#row1"], dtype="string[pyarrow]")
    >>> bool((numbered_hashes(2, "a#row") == cell_hashes(ids)).all())
    True
    """
    state = int(_FNV_OFFSET)
    for byte in prefix.encode("utf-8"):  # (Python integers: numpy warns of the wrap-around)
        state = ((state ^ byte) * int(_FNV_PRIME)) & 0xFFFFFFFFFFFFFFFF
    return _numbered_hashes(np.uint64(state), n)


@numba.njit(cache=True)
def _numbered_hashes(state: np.uint64, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    digits = np.empty(20, dtype=np.uint8)
    for i in range(n):
        k = 0
        value = i
        while True:
            digits[k] = 48 + value % 10
            k += 1
            value //= 10
            if value == 0:
                break
        h = state
        for j in range(k - 1, -1, -1):
            h = (h ^ np.uint64(digits[j])) * _FNV_PRIME
        out[i] = _mix(h)
    return out


def cell_hashes(column: pd.Series) -> np.ndarray:
    """The 64-bit hash of every cell of one column: the same value hashes alike in any
    table or partition (text from its UTF-8 bytes, compiled; no Python object per row)."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = cell_hashes(pd.Series(dtype.categories))
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, categories[np.maximum(codes, 0)], _MISSING).astype(np.uint64)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        valid = column.notna().to_numpy()
        if pd.api.types.is_float_dtype(dtype):
            numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
            bits, kind = numbers.view(np.uint64), np.uint64(2)
        else:
            numbers = column.to_numpy(dtype=np.int64, na_value=0)
            bits, kind = numbers.view(np.uint64), np.uint64(1)
        return _bits_hashes(frozen(bits, np.uint64), frozen(valid, bool), kind)
    try:
        return _strings(column.array)
    except (TypeError, ValueError):  # an object column of other things (Arrow's errors)
        return _strings(column.astype(str).where(column.notna(), None).to_numpy(dtype=object))


def partial_digest(
    frame: pd.DataFrame,
    known: dict[str, np.ndarray] | None = None,
    coded: dict[str, tuple[np.ndarray, Any]] | None = None,
) -> tuple[int, int, int]:
    """(number of rows, sum, exclusive-or) of the rows' hashes: what a partition adds
    (``known``: columns' :func:`cell_hashes` a caller has computed already; ``coded``:
    columns as codes into their distinct values, ``-1`` missing, hashed once per value).
    Categorical columns are hashed by their codes too."""
    known, coded = known or {}, coded or {}
    row = np.zeros(len(frame), dtype=np.uint64)
    for salt, name in enumerate(sorted(map(str, frame.columns))):
        column = frame[name]
        if name in known:
            _combine_rows(row, known[name], np.uint64(salt))
            continue
        if name in coded:
            codes, values = coded[name]
        elif isinstance(column.dtype, pd.CategoricalDtype):
            codes, values = column.cat.codes.to_numpy(), column.dtype.categories
        else:
            _combine_rows(row, cell_hashes(column), np.uint64(salt))
            continue
        table = cell_hashes(pd.Series(values))
        _combine_codes(row, frozen(codes, codes.dtype), frozen(table, np.uint64), np.uint64(salt))
    total = int(row.sum(dtype=np.uint64)) if len(row) else 0
    xor = int(np.bitwise_xor.reduce(row)) if len(row) else 0
    return len(frame), total, xor


def combine(columns: list[str], parts: list[tuple[int, int, int]]) -> str:
    """The digest of the whole from its partitions' :func:`partial_digest`."""
    n = sum(p[0] for p in parts)
    total = sum(p[1] for p in parts) % 2**64
    xor = 0
    for part in parts:
        xor ^= part[2]
    names = "\x1f".join(sorted(map(str, columns)))
    return hashlib.sha256(f"{names}\x1e{n}\x1e{total}\x1e{xor}".encode()).hexdigest()


def table_digest(
    frame: pd.DataFrame,
    coded: dict[str, tuple[np.ndarray, Any]] | None = None,
    known: dict[str, np.ndarray] | None = None,
) -> str:
    """The canonical digest of an event table (the same for any order or partitioning of
    its rows; ``coded`` and ``known`` as in :func:`partial_digest`).

    Examples
    --------
    >>> frame = pd.DataFrame({"event_id": ["a", "b"], "year": [2009, 2019]})
    >>> table_digest(frame) == table_digest(frame.iloc[::-1])
    True
    >>> table_digest(frame) == table_digest(frame.assign(year=[2009, 2018]))
    False
    """
    return combine(list(frame.columns), [partial_digest(frame, known, coded)])
