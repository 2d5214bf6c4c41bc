"""Reading and writing event tables (CSV, JSON Lines, Parquet)."""

from __future__ import annotations

import contextlib
import csv
import io
import mmap
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._engines import dask_engine
from .._output import write_file
from .._textfiles import (
    CSV_CELL_LIMIT,
    check_readable,
    header_problems,
    map_bytes,
    read_bytes,
    read_csv_text,
    read_jsonl_text,
    table_text,
)
from .._typing import PathLike
from ..exceptions import ParameterError
from .schema import DERIVED, SCHEMA_COLUMNS, _validate

__all__ = ["read_events", "write_events"]

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def read_events(
    path: PathLike | Sequence[PathLike],
    *,
    levels: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    extra_codes: Iterable[str] = (),
    encoding: str | None = None,
    engine: str = "pandas",
    countries: Iterable[str] | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Any:
    """Read an event table from CSV, JSON Lines or Parquet and validate it.

    CSV cells are read as text, so nothing is converted behind your back (a CAMEO code
    ``"042"`` stays ``"042"``, ``"NA"`` stays ``"NA"``); only empty cells are missing.
    Text files must be UTF-8 (a byte-order mark, or UTF-16/32 with one, is recognised);
    other encodings are refused with the line and byte, unless named in ``encoding``.
    Every problem is reported with the file's line numbers (the line a record starts on,
    counting blank lines and cells that span lines). Parquet needs ``pyarrow``.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet``.
    levels, kinds, extra_codes
        As in :func:`periodize.validate_events`.
    encoding : str, optional
        The text encoding of a CSV or JSON Lines file when it is not UTF-8 (e.g.
        ``"latin-1"``).
    engine : {"pandas", "dask"}
        ``"dask"`` reads many files, globs or a Parquet dataset folder lazily into a Dask
        DataFrame, one validated partition per file (``periodize[dask]`` extra; see
        ``docs/cluster.md``); ``countries``, ``start`` and ``end`` (years) then filter the
        events, pushed down into Parquet reads.

    Returns
    -------
    DataFrame
        The validated, typed event table.

    Examples
    --------
    >>> import periodize as pz, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "events.csv")
    >>> _ = open(path, "w").write("date,actor,target,level,kind\\n"
    ...                           "2019-10-10,MNG,KAZ,head_of_government,official_visit\\n")
    >>> pz.read_events(path)[["date", "actor", "target", "precision"]]
             date actor target precision
    0  2019-10-10   MNG    KAZ       day
    """
    if engine == "dask":
        return dask_engine("read_events")(
            path, countries=countries, start=start, end=end, levels=levels, kinds=kinds,
            extra_codes=extra_codes,
        )  # fmt: skip
    if engine != "pandas":
        raise ParameterError(
            f"The 'engine' parameter of read_events must be 'pandas' or 'dask'. Got {engine!r}."
        )
    if countries is not None or start is not None or end is not None:
        raise ParameterError(
            "countries, start and end filter while reading with engine='dask'; with pandas, "
            "filter the table read (or give the window to intensity)."
        )
    if not isinstance(path, str | os.PathLike):
        raise ParameterError(
            "read_events with engine='pandas' reads one file; pass engine='dask' for many."
        )
    path = Path(os.fspath(path))
    fmt = _format(path, "read_events")
    if fmt == "parquet":
        frame, lines = _read_parquet(path), None
    else:
        frame, lines = _read_text(path, fmt, encoding)
    _release_unused()  # what the reader parsed and let go of
    table = _validate(
        frame, levels=levels, kinds=kinds, extra_codes=extra_codes, lines=lines, source=str(path)
    )
    _release_unused()
    return table


def _read_text(
    path: Path, fmt: str, encoding: str | None
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A CSV or JSON Lines file's table and the line each record starts on: a plain UTF-8
    CSV goes to Arrow as the file's bytes mapped into memory (not copied), anything else
    is decoded and read (the bytes are let go before the table is validated)."""
    if fmt == "csv" and encoding is None:
        mapped = map_bytes(path)
        try:
            fast = _read_plain_csv(mapped)
        finally:
            if isinstance(mapped, mmap.mmap):
                with contextlib.suppress(BufferError):  # still viewed: unmapped once freed
                    mapped.close()
        if fast is not None:
            return fast
    read = read_csv_text if fmt == "csv" else read_jsonl_text
    return read(path, table_text(path, read_bytes(path), encoding))


#: Bytes Arrow parses per block of a plain CSV: each block is a chunk of every column,
#: and the few-valued columns' chunks each have their own dictionary to unify; 4 MiB
#: parsed 113 MB (2 M events) in 0.24 s with a fourth of the 1 MiB default's chunks.
_CSV_BLOCK = 4 << 20


def _has_empty_row(table: Any) -> bool:
    """Whether a row of an Arrow table is missing in every column: a blank line read with
    ``ignore_empty_lines=False`` (or a line of empty cells; the general reader tells them
    apart). No column without a missing value: no such row, nothing to scan."""
    import pyarrow.compute as pc

    if min(column.null_count for column in table.columns) == 0:
        return False
    empty = pc.is_null(table.column(0))
    for column in table.columns[1:]:
        empty = pc.and_(empty, pc.is_null(column))
    return bool(pc.any(empty).as_py())


def _read_plain_csv(data: bytes | mmap.mmap) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A plain UTF-8 CSV (the file's bytes, or a map of them) read by Arrow's parser, or
    None for :func:`read_csv_text` to read once decoded.

    Plain: no quote character (so no cell spans lines and no quoting rule can differ from
    Python's ``csv``), no blank line (Arrow reads one as a row missing in every column: such
    a row sends the file to the general reader), no lone carriage return, no byte-order mark
    or NUL byte, valid UTF-8 (Arrow checks it), every row as many fields as the header, a
    header without problems and no cell over :data:`CSV_CELL_LIMIT`; then record ``i``
    starts on line ``i + 2`` and the cells are the same text, empty cells missing. The
    schema's columns stay Arrow data, the few-valued ones (:data:`_CODED`) as categoricals
    and the others as Arrow text (validation reads them without a Python string per row);
    any other column becomes Python strings, as the general reader gives them (validation
    keeps those columns as they are). The bytes are never decoded to one Python string.
    """
    if data.find(b'"') >= 0 or data.find(b"\x00") >= 0:  # (NUL: decoding names the problem)
        return None
    if data.find(b"\r") >= 0:  # Windows line ends only: a lone carriage return ends a line
        data = bytes(data)
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    if data[:3].startswith((b"\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        import pyarrow as pa
        from pyarrow import csv as pa_csv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    end = data.find(b"\n")
    try:
        first = data[: end if end >= 0 else len(data)].decode("utf-8")
    except UnicodeDecodeError:
        return None
    header = next(csv.reader([first]), [])
    if not header or header_problems(header, 1):
        return None
    try:  # with no quote and no blank line, every line after the header is one record
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pa_csv.ReadOptions(
                column_names=header, skip_rows=1, block_size=_CSV_BLOCK
            ),
            parse_options=pa_csv.ParseOptions(
                quote_char=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={
                    name: pa.dictionary(pa.int32(), pa.string())
                    if name in _CODED
                    else pa.large_string()
                    for name in header
                },
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, ValueError):  # a row with another number of fields
        return None
    if table.num_rows == 0 or _has_empty_row(table):  # a blank line, or a row of empty cells
        return None
    columns: dict[str, Any] = {}
    for name, column in zip(header, table.columns, strict=True):
        if _longest(column) > CSV_CELL_LIMIT:
            return None
        if name in _CODED:
            columns[name] = column.to_pandas()
        elif name in SCHEMA_COLUMNS:
            columns[name] = pd.arrays.ArrowStringArray(column)
        else:
            columns[name] = pd.Series(column.to_pylist(), dtype=object)
    frame = pd.DataFrame(columns, columns=header, copy=False)
    return frame, np.arange(2, table.num_rows + 2, dtype=np.int64)


def _longest(column: Any) -> int:
    """Characters in the longest cell of an Arrow text column (its bytes first: a cell is
    never longer in characters than in bytes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):  # each chunk's dictionary holds its values
        column = pa.chunked_array([c.dictionary for c in column.chunks], column.type.value_type)
    longest = pc.max(pc.binary_length(column)).as_py() or 0
    if longest <= CSV_CELL_LIMIT:
        return longest
    return pc.max(pc.utf8_length(column)).as_py() or 0


def _format(path: Path, func: str) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ParameterError(
            f"The 'path' parameter of {func} must end in one of {sorted(_FORMATS)}. "
            f"Got {str(path)!r} instead."
        )
    return fmt


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ParameterError(
            f"Reading {str(path)!r} needs pyarrow, which is not installed: "
            "pip install pyarrow (or use CSV or JSON Lines)."
        ) from None
    import pyarrow as pa
    import pyarrow.parquet as pq

    check_readable(path)  # a clear error for a folder, a missing or unreadable file
    try:
        schema = pq.read_schema(path)
        coded = [
            name
            for name in _CODED
            if name in schema.names
            and (pa.types.is_string(t := schema.field(name).type) or pa.types.is_large_string(t))
        ]
        frame = pq.read_table(path, read_dictionary=coded).to_pandas()
    except (OSError, ValueError) as error:
        raise ParameterError(f"{path} is not a readable Parquet file: {error}") from None
    return frame


def _release_unused() -> None:
    """Give the memory Arrow's allocator holds but no array uses back to the system (the
    decoded pages of a file, a validation's intermediate columns): it would otherwise stay
    resident while the table is used."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


#: Text columns of few distinct values, read as dictionaries (pandas categoricals): each
#: value is decoded and checked once, and the table holds codes instead of strings.
_CODED = ("date", "date_end", "actor", "target", "level", "kind")


def _check_csv_cells(table: pd.DataFrame, path: Path) -> None:
    """Refuse text that a CSV cannot carry for :func:`read_events` to read it back: a NUL
    character (the mark of a binary file) or a cell over :data:`CSV_CELL_LIMIT`."""
    for column in table.columns:
        values = table[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.astype("string")
        for bad, what in (
            (text.str.contains("\x00", regex=False), "holds a NUL character"),
            (text.str.len() > CSV_CELL_LIMIT, f"holds over {CSV_CELL_LIMIT:,} characters"),
        ):
            bad = bad.fillna(False).to_numpy(dtype=bool)
            if bad.any():
                more = int(bad.sum()) - 1
                raise ParameterError(
                    f"Column {column!r}, row {int(bad.argmax())}"
                    + (f" (and {more:,} more rows)" if more else "")
                    + f" {what}, which a CSV file cannot carry to be read back; write "
                    f"{path.with_suffix('.jsonl').name} or {path.with_suffix('.parquet').name} "
                    "instead, which keep it."
                )


def write_events(
    events: pd.DataFrame,
    path: PathLike,
    *,
    overwrite: bool = False,
    inputs: Iterable[PathLike] = (),
) -> Path:
    """Write a validated event table as CSV, JSON Lines or Parquet (without derived
    columns), atomically; an existing file is replaced only with ``overwrite=True``, and
    never when it is one of ``inputs`` (the files the table was read from).

    What :func:`read_events` reads back is equal to what was written.

    Examples
    --------
    >>> import periodize as pz, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "events.csv")
    >>> events = pz.datasets.mongolia_kazakhstan()
    >>> _ = pz.write_events(events, path)
    >>> pz.read_events(path).equals(events)
    True
    >>> pz.write_events(events, path)
    Traceback (most recent call last):
    ...
    periodize.exceptions.ParameterError: ... exists; pass overwrite=True ...
    """
    path = Path(os.fspath(path))
    fmt = _format(path, "write_events")
    table = events.drop(columns=[c for c in DERIVED if c in events.columns])
    buffer = io.BytesIO()
    if fmt == "csv":
        _check_csv_cells(table, path)
        table.to_csv(buffer, index=False, encoding="utf-8")
    elif fmt == "jsonl":
        table.to_json(buffer, orient="records", lines=True, force_ascii=False)
    else:
        table.to_parquet(buffer, index=False)
    return write_file(path, buffer.getvalue(), overwrite=overwrite, inputs=inputs)
