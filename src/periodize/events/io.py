"""Reading and writing event tables (CSV, JSON Lines, Parquet)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from .._typing import PathLike
from ..exceptions import ParameterError
from .schema import DERIVED, _validate

__all__ = ["read_events", "write_events"]

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def read_events(
    path: PathLike,
    *,
    levels: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    extra_codes: Iterable[str] = (),
) -> pd.DataFrame:
    """Read an event table from CSV, JSON Lines or Parquet and validate it.

    CSV cells are read as text, so nothing is converted behind your back (a CAMEO code
    ``"042"`` stays ``"042"``, ``"NA"`` stays ``"NA"``); only empty cells are missing.
    Problems are reported with the file's line numbers. Parquet needs ``pyarrow``.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet``.
    levels, kinds, extra_codes
        As in :func:`periodize.validate_events`.

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
    path = Path(os.fspath(path))
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ParameterError(
            f"The 'path' parameter of read_events must end in one of {sorted(_FORMATS)}. "
            f"Got {str(path)!r} instead."
        )
    if fmt == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        first_line = 2
    elif fmt == "jsonl":
        frame = _read_jsonl(path)
        first_line = 1
    else:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ParameterError(
                f"Reading {str(path)!r} needs pyarrow, which is not installed: "
                "pip install pyarrow (or use CSV or JSON Lines)."
            ) from None
        frame = pd.read_parquet(path)
        first_line = None
    return _validate(
        frame,
        levels=levels,
        kinds=kinds,
        extra_codes=extra_codes,
        first_line=first_line,
        source=str(path),
    )


def _read_jsonl(path: Path) -> pd.DataFrame:
    """JSON Lines to a frame with the values exactly as parsed (no date or dtype guessing)."""
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return pd.DataFrame.from_records(records)


def write_events(events: pd.DataFrame, path: PathLike) -> None:
    """Write a validated event table as CSV or JSON Lines (without derived columns).

    What :func:`read_events` reads back is equal to what was written.
    """
    path = Path(os.fspath(path))
    fmt = _FORMATS.get(path.suffix.lower())
    table = events.drop(columns=[c for c in DERIVED if c in events.columns])
    if fmt == "csv":
        table.to_csv(path, index=False)
    elif fmt == "jsonl":
        table.to_json(path, orient="records", lines=True, force_ascii=False)
    elif fmt == "parquet":
        table.to_parquet(path, index=False)
    else:
        raise ParameterError(
            f"The 'path' parameter of write_events must end in one of {sorted(_FORMATS)}. "
            f"Got {str(path)!r} instead."
        )
