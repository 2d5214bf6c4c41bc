"""Archive files in: globs and many files, zip members read in place, tab-separated text
streamed in blocks by pyarrow's CSV reader with only the needed columns converted.

Memory is bounded by the block size (a few MB), not by the file: a year of GDELT reads in
the same memory as a day.
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .._textfiles import check_regular
from .._typing import PathLike
from ..exceptions import ParameterError
from .account import RowAccount
from .lines import bounded, check

__all__ = ["Source", "batches", "expand", "first_lines", "sources"]

BLOCK_SIZE = 1 << 22
_MALFORMED_KEPT = 100


@dataclass(frozen=True)
class Source:
    """One readable stream: a plain file or one member of a zip archive."""

    label: str
    open: Callable[[], IO[bytes]]


def expand(paths: PathLike | Sequence[PathLike]) -> list[Path]:
    """The files that ``paths`` (paths, globs or a list of them) name; each must exist."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not items:
        raise ParameterError("No files given: pass a path, a glob or a list of them.")
    found: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text))
            if not matches:
                raise ParameterError(f"No file matches {text!r}.")
            found.extend(Path(m) for m in matches)
        else:
            found.append(Path(text))
    for path in found:
        try:
            check_regular(path)
        except IsADirectoryError:
            raise ParameterError(f"{str(path)!r} is a folder; pass a glob of its files.") from None
        except OSError as error:  # missing, a broken symlink or a symlink loop
            raise ParameterError(f"{str(path)!r} cannot be read: {error.strerror}.") from None
    return found


def sources(paths: PathLike | Sequence[PathLike]) -> list[Source]:
    """Every stream to read, in order: plain files, and each file member of a zip.

    Examples
    --------
    >>> import tempfile, zipfile, os
    >>> folder = tempfile.mkdtemp(); name = os.path.join(folder, "a.zip")
    >>> with zipfile.ZipFile(name, "w") as z: z.writestr("x.txt", "1\\t2\\n")
    >>> [s.label.endswith("a.zip!x.txt") for s in sources(name)]
    [True]
    """
    out: list[Source] = []
    for path in expand(paths):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
            for member in members:
                out.append(Source(f"{path}!{member}", _zip_opener(path, member)))
        else:
            out.append(Source(str(path), _file_opener(path)))
    return out


def _zip_opener(path: Path, member: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        return archive.open(member)

    return opener


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: open(path, "rb")


@contextlib.contextmanager
def damaged(source: Source) -> Iterator[None]:
    """Turn a damaged or unsupported zip member into a :class:`ParameterError` naming it."""
    try:
        yield
    except (zlib.error, zipfile.BadZipFile, EOFError) as error:
        raise ParameterError(f"{source.label} is damaged ({error}); download it again.") from None
    except NotImplementedError as error:  # Deflate64 and other methods zipfile lacks
        raise ParameterError(
            f"{source.label} cannot be unpacked here ({error}); unzip it with another tool "
            "and read the files it holds."
        ) from None


def first_lines(source: Source, count: int = 2) -> list[list[str]]:
    """The first ``count`` lines of a stream split on tabs (empty list for an empty file)."""
    lines: list[list[str]] = []
    with damaged(source), source.open() as handle:
        checked = bounded(handle, source.label)
        text = io.TextIOWrapper(checked, encoding="utf-8-sig", errors="replace", newline="")
        for line in text:
            lines.append(line.rstrip("\r\n").split("\t"))
            if len(lines) == count:
                break
        check(checked)
    return lines


def batches(
    source: Source,
    names: Sequence[str],
    include: Iterable[str],
    account: RowAccount,
    *,
    skip_rows: int = 0,
    null_values: Sequence[str] = ("",),
) -> Iterator:
    """Record batches of ``include`` columns (all as text) of a tab-separated stream.

    Lines with the wrong number of fields are skipped, counted as read and dropped as
    ``malformed`` with their file and line (never lost without a trace).
    """
    import pyarrow as pa
    from pyarrow import csv

    include = list(include)

    def invalid(row: Any) -> str:
        account.read += 1
        account.drop("malformed", 1)
        if len(account.malformed) < _MALFORMED_KEPT:
            line = getattr(row, "number", None)
            account.malformed.append(
                (source.label, -1 if line is None else int(line), row.actual_columns)
            )
        return "skip"

    read_options = csv.ReadOptions(
        column_names=list(names), skip_rows=skip_rows, block_size=BLOCK_SIZE, use_threads=False
    )
    parse_options = csv.ParseOptions(
        delimiter="\t", quote_char=False, double_quote=False, invalid_row_handler=invalid
    )
    convert_options = csv.ConvertOptions(
        include_columns=include,
        column_types=dict.fromkeys(include, pa.string()),
        null_values=list(null_values),
        strings_can_be_null=True,
    )
    with source.open() as raw:
        handle = bounded(raw, source.label)
        try:
            reader = csv.open_csv(
                handle,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
        except pa.ArrowInvalid as error:
            check(handle)
            if "Empty CSV file" in str(error):
                return
            raise ParameterError(
                f"{source.label}: not readable as the format ({error})."
            ) from None
        try:
            for batch in reader:
                check(handle)
                yield batch
        except pa.ArrowInvalid as error:
            check(handle)
            raise ParameterError(
                f"{source.label}: not readable as the format ({error})."
            ) from None
        check(handle)
