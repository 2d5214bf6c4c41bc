"""The seal of a validated event table: proof, checked in one pass over its memory, that a
table is exactly what validation returned, so it is not validated again.

Validation returns a new table and seals it: a SHA-256, keyed by a random key of this
process, over its length, column names and types, its attributes (vocabularies, extra
codes, generated ids, a reader's account) and a keyed 64-bit hash of the raw buffers of
every column (Arrow buffers for strings, categoricals and nullable integers; the array's
bytes for numpy columns; pandas' per-row hashes for object columns), compiled at about
6 GB/s per core (:func:`.digest.buffers_hash`: a change of any one 8-byte word is always
seen, any other change missed with probability about 2^-64; a guard against a table
changed by mistake, not against an adversary in the same process, who could as well
change this module). :func:`is_sealed` recomputes it: a table changed in any way since
(a cell, a column, its attributes; a filtered or reordered copy) no longer matches and is
validated again, so the seal can only save time, never let a bad table through.
Computing it costs about 22 ms for 2 million events (SHA-256 over the buffers took 65 ms
on two threads).

A table whose columns cannot be hashed this way (cells holding lists, say) is not sealed
and is simply validated every time.

What validation learnt on the way (the codes of the country columns and of the date and
its fields; the ids' hashes, until the provenance digest has used them) is kept by seal
(:func:`remember`, :func:`recall`, :func:`remembered_hashes`) while the table it returned
lives: about 4 MB per million events (codes of 1 or 2 bytes per row; the date and its
fields share theirs), 12 MB with the ids' hashes. Aggregation and the provenance digest
of a table whose seal has just been checked then hash none of those columns again.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .digest import buffers_hash, table_digest

#: The attribute holding the seal.
SEAL = "periodize_sealed"
#: The seal is keyed by this process's own random key: a seal written into a file (pandas
#: stores attrs in Parquet) or computed anywhere else never matches, so such a table is
#: validated (a plain digest could be forged for a table that was never valid).
_KEY = os.urandom(32)
_BUFFER_KEY = int.from_bytes(_KEY[:8], "little")
#: Provenance digests of sealed tables by seal (the most recent :data:`_REMEMBERED`).
_DIGESTS: dict[str, str] = {}
_REMEMBERED = 64


#: The columns whose codes validation may remember (``"codes:<column>"``).
_KEPT_CODES = ("actor", "target", "date", "year", "month", "day")
#: Facts validation learnt about a table it sealed (codes, id hashes), by seal and name;
#: each dropped when the table validation returned is garbage-collected.
_FACTS: dict[tuple[str, str], Any] = {}


def remember(table: pd.DataFrame, name: str, value: Any) -> None:
    """Keep ``value`` for the content of the table validation has just sealed: any table
    with the same seal has the same content, so the fact holds for it too."""
    current = table.attrs.get(SEAL)
    if current is None:
        return
    key = (current, name)
    _FACTS[key] = value
    weakref.finalize(table, _FACTS.pop, key, None)


def recall(table: pd.DataFrame, name: str) -> Any:
    """A fact :func:`remember` kept for the table's seal, or None. Only for a table whose
    seal has just been checked (what validation returns)."""
    current = table.attrs.get(SEAL)
    return None if current is None else _FACTS.get((current, name))


def forget() -> None:
    """Forget every remembered provenance digest (a benchmark's runs then each pay for the
    digest, as a process reading a file once does)."""
    _DIGESTS.clear()


def remembered_hashes(
    table: pd.DataFrame,
) -> tuple[dict[str, tuple[np.ndarray, Any]], dict[str, np.ndarray]]:
    """What validation kept for the provenance digest of a table whose seal has just been
    checked (validation's result): the columns' codes (``coded``) and the id hashes
    (``known``, handed out once) of :func:`.digest.partial_digest`."""
    current = table.attrs.get(SEAL)
    if current is None:
        return {}, {}
    coded = {c: v for c in _KEPT_CODES if (v := recall(table, f"codes:{c}")) is not None}
    ids = _FACTS.pop((current, "hashes:event_id"), None)
    return coded, {} if ids is None else {"event_id": ids}


def seal(table: pd.DataFrame) -> pd.DataFrame:
    """Seal a table validation has just returned (in place; returns it)."""
    table.attrs[SEAL] = fingerprint(table)
    return table


def is_sealed(table: pd.DataFrame) -> bool:
    """Whether ``table`` still is exactly the table validation sealed."""
    expected = table.attrs.get(SEAL)
    return expected is not None and expected == fingerprint(table)


def events_sha256(table: pd.DataFrame, fresh: bool = False) -> str:
    """The provenance digest of an event table (:func:`.digest.table_digest`: the same for
    any order or partitioning of its rows), computed once per sealed table: remembered by
    its seal, which any change to the table changes. ``fresh``: the table is validation's
    result, untouched since (its seal needs no second check)."""
    current = table.attrs.get(SEAL)
    sealed = current is not None and (fresh or is_sealed(table))
    if sealed and current in _DIGESTS:
        return _DIGESTS[current]
    coded, known = remembered_hashes(table) if sealed else ({}, {})
    digest = table_digest(table, coded, known)
    if sealed:
        _DIGESTS[current] = digest
        while len(_DIGESTS) > _REMEMBERED:
            _DIGESTS.pop(next(iter(_DIGESTS)))
    return digest


def fingerprint(table: pd.DataFrame) -> str | None:
    """SHA-256 of the table's content as laid out in memory, or None where a column cannot
    be hashed without going through every cell in Python.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 2], "b": pd.array(["x", None], dtype="string")})
    >>> fingerprint(frame) == fingerprint(frame.copy())
    True
    >>> fingerprint(frame) == fingerprint(frame.assign(a=[1, 3]))
    False
    """
    index = table.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        return None  # validation numbers the rows 0, 1, ...: another index is a change
    digest = hashlib.sha256(_KEY)
    digest.update(f"{len(table)}\x1f{table.shape[1]}".encode())
    attributes = sorted((str(k), repr(v)) for k, v in table.attrs.items() if k != SEAL)
    digest.update(repr(attributes).encode())
    columns = []
    for name in table.columns:
        column = table[name]
        if not isinstance(column, pd.Series):  # duplicate column names
            return None
        pieces = _buffers(column.array)
        if pieces is None:
            return None
        columns.append([f"\x1e{name!s}\x1f{column.dtype!s}\x1f".encode(), *pieces])
    for column_digest in _column_digests(columns):
        digest.update(column_digest)
    return digest.hexdigest()


def _column_digests(columns: list[list[Any]]) -> list[bytes]:
    """The keyed hash (:func:`.digest.buffers_hash`) of each column's pieces, columns hashed
    on several threads at once for large tables (the compiled hash releases the GIL)."""

    def one(pieces: list[Any]) -> bytes:
        return buffers_hash(pieces, _BUFFER_KEY)

    size = sum(memoryview(p).nbytes for pieces in columns for p in pieces)
    workers = min(len(columns), os.cpu_count() or 1, 8)
    if size < _PARALLEL_BYTES or workers < 2:
        return [one(pieces) for pieces in columns]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, columns))


#: Tables smaller than this (bytes) are hashed on one thread.
_PARALLEL_BYTES = 1 << 24


def _buffers(array: Any) -> list[Any] | None:
    """The memory of one column: Arrow buffers (with each chunk's offset and length; a
    buffer shared by several chunks once), a numpy array's bytes, or pandas' per-row
    hashes of an object column."""
    values = getattr(array, "_ndarray", None)  # numpy-backed extension array
    if values is not None and values.dtype != object:
        return [np.ascontiguousarray(values).data]
    if hasattr(array, "__arrow_array__"):
        try:
            arrow = array.__arrow_array__()
        except (TypeError, ValueError, NotImplementedError):
            return None
        chunks = getattr(arrow, "chunks", [arrow])
        pieces: list[Any] = []
        seen: set[tuple[int, int]] = set()  # a file's pages are slices of shared buffers
        for chunk in chunks:
            pieces.append(f"{chunk.offset}:{len(chunk)}:{chunk.type}".encode())
            for buffer in _chunk_buffers(chunk):
                if buffer is not None and (buffer.address, buffer.size) not in seen:
                    seen.add((buffer.address, buffer.size))
                    pieces.append(buffer)
        return pieces
    return _row_hashes(np.asarray(array, dtype=object))


def _chunk_buffers(chunk: Any) -> list[Any]:
    """Every buffer of an Arrow array, a dictionary array's dictionary included."""
    found = list(chunk.buffers())
    dictionary = getattr(chunk, "dictionary", None)
    if dictionary is not None:
        found += _chunk_buffers(dictionary)
    return found


def _row_hashes(values: np.ndarray) -> list[Any] | None:
    try:
        hashed = pd.util.hash_array(values, categorize=False)
    except TypeError:  # unhashable cells
        return None
    return [np.ascontiguousarray(hashed).data]
