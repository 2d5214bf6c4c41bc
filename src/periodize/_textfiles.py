"""Reading text tables (CSV, JSON Lines) exactly: encodings, line numbers, malformed rows.

Every problem a file can have becomes a :class:`~periodize.exceptions.PeriodizeError` that
names the file and the line: an unreadable path, a binary or non-UTF-8 file (with the
encoding it looks like), a duplicated or empty column name, a row with too many or too few
fields, an unterminated quote, a JSON line that is not an object. Cells are kept as text;
nothing is converted. Each record carries the line it starts on, so later validation
errors point at the right line even after blank lines or cells that span lines.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import mmap
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .exceptions import EventSchemaError, ParameterError, Problem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a :class:`ParameterError` saying why it cannot be read."""
    with _readable(path):
        check_regular(path)
        return path.read_bytes()


def map_bytes(path: Path) -> bytes | mmap.mmap:
    """The file's bytes mapped into memory, read-only (nothing copied; the caller closes
    the map), or read where no map can be made (an empty file, a file system without
    maps); a :class:`ParameterError` saying why the file cannot be read."""
    with _readable(path):
        check_regular(path)
        with path.open("rb") as handle:
            try:
                return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):
                return handle.read()


def check_readable(path: Path) -> None:
    """A :class:`ParameterError` saying why ``path`` cannot be read, if it cannot; the file
    is opened, not read."""
    with _readable(path):
        check_regular(path)
        with path.open("rb"):
            pass


def check_regular(path: str | os.PathLike[str]) -> None:
    """Refuse, before opening it, anything but a regular file (after symlinks): a FIFO
    would block the read forever, a device such as /dev/zero never end."""
    mode = os.stat(path).st_mode  # OSError (missing, a symlink loop) for the caller
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(mode):
        raise ParameterError(
            f"{os.fspath(path)} is not a regular file (a pipe, device or socket); save the "
            "data to a file and give its path."
        )


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[None]:
    try:
        yield
    except IsADirectoryError:
        raise ParameterError(f"{path} is a folder, not a file.") from None
    except FileNotFoundError:
        raise ParameterError(f"{path}: no such file.") from None
    except OSError as error:
        raise ParameterError(f"{path} cannot be read: {error.strerror or error}.") from None


def decode(path: Path, data: bytes, encoding: str | None = None) -> str:
    """Text of a file: UTF-8 (with or without a byte-order mark), UTF-16/32 with a mark, or
    the ``encoding`` the caller names; anything else is refused with what it looks like."""
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError:
            raise ParameterError(f"Unknown encoding {encoding!r} for {path}.") from None
        except UnicodeDecodeError as error:
            raise _decode_error(path, data, error, encoding) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name)
            except UnicodeDecodeError as error:
                raise _decode_error(path, data, error, name) from None
    if b"\x00" in data:
        zeros = data[1::2].count(0) + data[0::2].count(0)
        looks = (
            "UTF-16 without a byte-order mark"
            if zeros >= len(data) // 3
            else "a binary file (it contains NUL bytes)"
        )
        raise ParameterError(
            f"{path} is not a text table: it looks like {looks}. Save it as UTF-8 CSV or "
            "JSON Lines (or pass encoding=...)."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _decode_error(path, data, error, "utf-8") from None


def _decode_error(
    path: Path, data: bytes, error: UnicodeDecodeError, encoding: str
) -> ParameterError:
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    byte = data[error.start : error.start + 1].hex().upper()
    hint = " (Latin-1 or Windows-1252?)" if encoding.startswith("utf-8") else ""
    return ParameterError(
        f"{path} is not valid {encoding} text: byte 0x{byte} at line {line}, column {column} "
        f"cannot be decoded{hint}. Save the file as UTF-8 or pass encoding=..."
    )


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> tuple[Path, str]:
    """Path and decoded text of a file; empty files are refused."""
    path = Path(os.fspath(path))
    return path, table_text(path, read_bytes(path), encoding)


def table_text(path: Path, data: bytes, encoding: str | None = None) -> str:
    """The decoded text of a table file's bytes (:func:`decode`); empty files are refused."""
    text = decode(path, data, encoding)
    if not text.strip():
        raise ParameterError(f"{path} is empty: expected a header line and at least one row.")
    return text


#: The longest cell a CSV may hold (characters); a longer one is most likely an unterminated
#: quote. :func:`periodize.write_events` never writes a CSV with a longer cell.
CSV_CELL_LIMIT = 1 << 24


def read_csv_text(path: Path, text: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells of a CSV as text (empty cells missing) and the line each record starts on.

    Blank lines are skipped; a quoted cell may span lines.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    previous = 0
    try:
        limit = csv.field_size_limit(CSV_CELL_LIMIT)  # the module's limit is process-wide
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not record or record == [""]:
                continue
            if header is None:
                header = record
                problems += header_problems(header, start)
                continue
            if len(record) != len(header):
                problems.append(
                    Problem(
                        None,
                        None,
                        None,
                        f"{len(header)} fields like the header; got {len(record)}",
                        start,
                    )
                )
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as error:
        raise ParameterError(
            f"{path}, line {reader.line_num}: malformed CSV ({error}); check for an "
            "unterminated quote."
        ) from None
    finally:
        csv.field_size_limit(limit)
    if header is None:
        raise ParameterError(f"{path} is empty: expected a header line and at least one row.")
    if problems:
        raise EventSchemaError(problems, str(path))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    frame = pd.DataFrame(
        {
            name: pd.Series([v if v != "" else None for v in cells], dtype=object)
            for name, cells in zip(header, columns, strict=True)
        },
        columns=header,
    )
    return frame, np.asarray(lines, dtype=np.int64)


def header_problems(header: list[str], line: int) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name.strip() == "":
            problems.append(Problem(None, None, None, f"a name for header field {position}", line))
        elif name in seen:
            problems.append(
                Problem(
                    None,
                    name,
                    None,
                    f"unique column names (fields {seen[name]} and {position} are both {name!r})",
                    line,
                )
            )
        else:
            seen[name] = position
    return problems


def read_jsonl_text(path: Path, text: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Records of a JSON Lines file, values exactly as parsed, and the line of each."""
    records: list[dict[str, object]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as error:
            problems.append(Problem(None, str(error), None, "each key once per object", number))
            continue
        except json.JSONDecodeError as error:
            problems.append(
                Problem(
                    None, None, None, f"valid JSON ({error.msg} at column {error.colno})", number
                )
            )
            continue
        except RecursionError:
            problems.append(Problem(None, None, None, "JSON nested less deeply", number))
            continue
        except ValueError as error:  # an integer of thousands of digits, for one
            problems.append(Problem(None, None, None, f"valid JSON values ({error})", number))
            continue
        if not isinstance(record, dict):
            problems.append(
                Problem(
                    None,
                    None,
                    None,
                    f"one JSON object per line; got {type(record).__name__} {line.strip()[:40]!r}",
                    number,
                )
            )
            continue
        records.append(record)
        lines.append(number)
    if problems:
        raise EventSchemaError(problems, str(path))
    return pd.DataFrame.from_records(records), np.asarray(lines, dtype=np.int64)


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result
