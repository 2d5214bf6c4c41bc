"""Event files as a Dask DataFrame: one partition per file (or Parquet fragment), each
validated where it is read so a bad row is reported with its file and line; country and
date filters pushed down into Parquet reads."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._textfiles import check_regular
from .._typing import PathLike
from ..events.io import _CODED, _FORMATS, _read_text
from ..events.schema import DERIVED, _validate, rows_of
from ..exceptions import ParameterError
from ._dask import need_dask

__all__ = ["partition_accounts", "read_archive_dask", "read_events_dask"]


def read_events_dask(
    paths: PathLike | Sequence[PathLike],
    *,
    countries: Iterable[str] | None = None,
    start: int | None = None,
    end: int | None = None,
    levels: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    extra_codes: Iterable[str] = (),
) -> Any:
    """A Dask DataFrame of validated event partitions.

    Parameters
    ----------
    paths : path, glob, folder or list of them
        Event tables (``.csv``, ``.jsonl``, ``.parquet``); a folder is read as a Parquet
        dataset. A Parquet file whose own date statistics (its footer) lie outside the
        window is not read; a folder name such as ``year=2009/`` is checked against the
        dates it holds, never trusted.
    countries : str or list of str, optional
        Keep only events whose actor and target are both among these codes (one code may
        be given as a string; pushed into Parquet reads, applied per partition otherwise).
    start, end : int, optional
        Keep only events dated in these years (pushed down likewise).
    levels, kinds, extra_codes
        As in :func:`periodize.read_events`.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazily read; a bad row raises :class:`~periodize.EventSchemaError` naming its file
        and line when the partition is computed.
    """
    dd = need_dask()
    codes = _country_codes(countries)
    for name, year in (("start", start), ("end", end)):
        if year is not None and (isinstance(year, bool) or not isinstance(year, Integral)):
            raise ParameterError(
                f"The {name!r} parameter must be a year such as 2009. Got {year!r}."
            )
    if start is not None and end is not None and end < start:
        raise ParameterError(f"'end' ({end}) precedes 'start' ({start}): no year is in between.")
    pieces = _pieces(paths)
    # every footer read once, now: a damaged or foreign file is named here, not on a worker
    footers = {path: _footer(path) for kind, path in pieces if kind == "parquet"}
    inside = [p for p in pieces if not _outside_window(footers.get(p[1]), start, end)]
    # no file in the window reads as an empty table, as a CSV file would: one file is kept
    # (its row groups are skipped by the pushed-down filter) so the frame keeps its columns
    pieces = inside or pieces[:1]
    options = {
        "countries": codes,
        "start": start,
        "end": end,
        "levels": None if levels is None else list(levels),
        "kinds": None if kinds is None else list(kinds),
        "extra_codes": sorted(extra_codes),
    }
    return dd.from_map(_read_piece, pieces, options=options, enforce_metadata=False)


def event_files(paths: PathLike | Sequence[PathLike]) -> list[str]:
    """Every event file ``paths`` (files, globs, Parquet folders) names, in order."""
    return [path for _, path in _pieces(paths)]


def _pieces(paths: PathLike | Sequence[PathLike]) -> list[tuple[str, str]]:
    """(kind, path) of every file or Parquet fragment, in a stable order."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    pieces: list[tuple[str, str]] = []
    for item in items:
        text = os.fspath(item)
        matches = sorted(glob.glob(text)) if any(c in text for c in "*?[") else [text]
        if not matches:
            raise ParameterError(f"No file matches {text!r}.")
        for match in matches:
            path = Path(match)
            if path.is_dir():
                files = sorted(str(p) for p in path.rglob("*.parquet"))
                if not files:
                    raise ParameterError(f"{match!r} is a folder with no .parquet files.")
                pieces.extend(("parquet", f) for f in files)
            elif not path.exists():
                raise ParameterError(f"{match!r} does not exist.")
            else:
                try:
                    check_regular(path)  # a FIFO or device would block or never end
                except OSError as error:
                    raise ParameterError(f"{match!r} cannot be read: {error}.") from None
                suffix = path.suffix.lower()
                if suffix not in _FORMATS:
                    raise ParameterError(
                        f"{match!r}: event files must end in one of {sorted(_FORMATS)}."
                    )
                pieces.append((_FORMATS[suffix], match))
    return pieces


def _country_codes(countries: Iterable[str] | str | None) -> list[str] | None:
    """The codes of ``countries=``: one code given as a string is that code, not letters."""
    if countries is None:
        return None
    codes = [countries] if isinstance(countries, str) else list(countries)
    bad = [c for c in codes if not isinstance(c, str) or not c]
    if bad or not codes:
        raise ParameterError(
            "The 'countries' parameter must be a code such as 'MNG' or a list of them. "
            f"Got {countries!r}."
        )
    if len(set(codes)) < 2:
        raise ParameterError(
            f"The 'countries' parameter keeps events whose actor and target are both among "
            f"its codes; {codes!r} would keep only domestic events. Pass two or more codes, "
            "such as ['MNG', 'KAZ']."
        )
    return sorted(set(codes))


def _outside_window(metadata: Any, start: int | None, end: int | None) -> bool:
    """True for a Parquet file whose footer statistics (``metadata``; None for other
    files) show every date outside the years ``start``..``end`` (so it need not be
    opened); a file without them is read."""
    if metadata is None or (start is None and end is None):
        return False
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    if "date" not in names or metadata.num_row_groups == 0:
        return False
    column = names.index("date")
    years: list[int] = []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max:
            return False
        bounds = [_year(stats.min), _year(stats.max)]
        if None in bounds:
            return False
        years += [y for y in bounds if y is not None]
    return (start is not None and max(years) < start) or (end is not None and min(years) > end)


def _footer(path: str) -> Any:
    """The metadata of a Parquet file; a file that has none (damaged, cut short, another
    format under a .parquet name) is refused by name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata
    except (pa.ArrowException, OSError) as error:
        raise _unreadable(path, error) from None


def _unreadable(path: str, error: Exception) -> ParameterError:
    return ParameterError(
        f"{path} is not a readable Parquet file ({' '.join(str(error).split())}); replace "
        "it, or move it out of the folder read."
    )


def _year(value: Any) -> int | None:
    text = value.decode() if isinstance(value, bytes) else str(value)
    return int(text[:4]) if text[:4].isdigit() else None


def _check_folder_year(table: pd.DataFrame, path: str) -> None:
    """A file under ``year=YYYY`` holds only events of that year (a misfiled event would
    vanish from a window that prunes by folder names); read from the validated years."""
    folder = next((p for p in Path(path).parts if p.startswith("year=") and p[5:].isdigit()), None)
    if folder is None or table.empty:
        return
    wrong = np.flatnonzero(table["year"].to_numpy(dtype=np.int64) != int(folder[5:]))
    if wrong.size:
        raise ParameterError(
            f"{path} lies in the folder {folder} but holds events dated "
            f"{table['date'].iat[wrong[0]]} ({wrong.size:,} of {len(table):,}): move them to "
            "their year's folder."
        )


def _read_piece(piece: tuple[str, str], options: dict[str, Any]) -> pd.DataFrame:
    kind, path = piece
    vocabulary = {k: options[k] for k in ("levels", "kinds", "extra_codes")}
    if kind == "parquet":  # an empty read is validated too: same columns
        frame = _read_parquet(path, options)
        lines = pd.RangeIndex(1, len(frame) + 1).to_numpy()  # row number within the file
        frame = frame.drop(columns=[c for c in DERIVED if c in frame])
    else:
        frame, lines = _read_text(Path(path), kind, None)
    table = _validate(
        frame, lines=lines, source=path, allow_empty=kind == "parquet", id_prefix=f"{path}#",
        **vocabulary,
    )  # fmt: skip
    if kind == "parquet":
        _check_folder_year(table, path)
    return _filtered(table, options)  # what the read could not push down


def _read_parquet(path: str, options: dict[str, Any]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet", partitioning="hive")
    text = {f.name for f in dataset.schema if pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type)}  # fmt: skip
    coded = [name for name in _CODED if name in text]  # read coded, as read_events reads them
    if coded:
        read = ds.ParquetReadOptions(dictionary_columns=coded)
        dataset = ds.dataset(path, format=ds.ParquetFileFormat(read_options=read),
                             partitioning="hive")  # fmt: skip
    condition = None
    if options["countries"] is not None and {"actor", "target"} <= text:
        codes = options["countries"]
        condition = pc.field("actor").isin(codes) & pc.field("target").isin(codes)
    for bound, op in ((options["start"], "ge"), (options["end"], "lt")):
        if bound is not None and "date" in text:  # ISO dates of any precision compare as text
            day = str(bound if op == "ge" else bound + 1)
            test = pc.field("date") >= day if op == "ge" else pc.field("date") < day
            condition = test if condition is None else condition & test
    try:
        return dataset.to_table(filter=condition).to_pandas()
    except (pa.ArrowException, OSError) as error:
        raise _unreadable(path, error) from None


def _filtered(table: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    """The rows of a table validation has just returned that the read could not leave
    out (the table itself, still sealed, when it keeps them all)."""
    keep = pd.Series(True, index=table.index)
    if options["countries"] is not None:
        keep &= table["actor"].isin(options["countries"]) & table["target"].isin(
            options["countries"]
        )
    if options["start"] is not None:
        keep &= table["year"] >= options["start"]
    if options["end"] is not None:
        keep &= table["year"] <= options["end"]
    return rows_of(table, keep.to_numpy(dtype=bool))


def read_archive_dask(reader: Any, paths: Any, options: dict[str, Any]) -> Any:
    """An archive reader over many files as a Dask DataFrame, one partition per file; a
    file none of whose rows is kept is an empty partition (its account kept)."""
    dd = need_dask()
    from ..adapters.files import expand

    files = [str(p) for p in expand(paths)]
    return dd.from_map(
        _read_archive_piece, files, reader=reader, options=options, enforce_metadata=False
    )


def _read_archive_piece(path: str, reader: Any, options: dict[str, Any]) -> pd.DataFrame:
    from ..adapters.account import _ACCOUNT
    from ..adapters.pipeline import NothingKept

    try:
        return reader(path, **options)
    except NothingKept as nothing:
        empty = pd.DataFrame()
        empty.attrs[_ACCOUNT] = nothing.account.to_dict()
        return empty


def partition_accounts(frame: Any) -> list[dict[str, Any]]:
    """The row account of every partition of a Dask DataFrame an archive reader made."""
    import json

    from ..adapters.account import _ACCOUNT

    def one(part: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"account": [json.dumps(part.attrs.get(_ACCOUNT))]})

    found = frame.map_partitions(one, meta={"account": object}).compute()
    accounts = [json.loads(a) for a in found["account"]]
    if any(a is None for a in accounts):
        raise ParameterError(
            "Some partitions carry no row account: the frame was not read by an archive "
            "reader with engine='dask' (or a step in between dropped the accounts)."
        )
    return accounts
