"""Provenance records and the JSON conventions shared by every result object."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import warnings
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Provenance",
    "ResultMixin",
    "frame_sha256",
    "matrix_sha256",
    "plain",
    "several_series_warning",
    "to_json",
]

_DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "ruptures", "numba")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - only in broken installs
        return "not installed"


def versions() -> dict[str, str]:
    """Versions of Python, periodize and its runtime dependencies (looked up once per
    process: they do not change while it runs)."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    found = {"python": platform.python_version(), "periodize": _version("periodize")}
    found.update({name: _version(name) for name in _DEPENDENCIES})
    return tuple(found.items())


def frame_sha256(frame: pd.DataFrame, sort_by: str | None = None) -> str:
    """SHA-256 of a table's content, independent of row order when ``sort_by`` is given.

    The digest covers column names and pandas' per-row hashes of the values
    (``pandas.util.hash_pandas_object``), so it is fast on millions of rows.
    """
    if sort_by is not None:
        frame = frame.sort_values(sort_by, kind="stable")
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode())
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest.update(np.ascontiguousarray(rows).tobytes())
    return digest.hexdigest()


def matrix_sha256(values: np.ndarray, index: pd.Index, names: tuple[str, ...]) -> str:
    """SHA-256 of series values (as float64), their period labels and names.

    Labels are hashed in binary with their kind (integer years, periods with their
    frequency, dates), text only for other labels: 10^5 labels joined as text took most of
    the time of a search.
    """
    digest = hashlib.sha256("\x1f".join(names).encode())
    digest.update(_index_bytes(index))
    digest.update(np.ascontiguousarray(values, dtype=np.float64).data)  # no copy
    return digest.hexdigest()


def _index_bytes(index: pd.Index) -> bytes:
    """The labels as bytes, tagged with their kind so that equal numbers of different
    kinds (the year 2000, the 2000th month) never hash alike. Labels one step apart (every
    checked series) hash as their first label, step and count, so a RangeIndex and the
    same years in an integer index hash alike and no array is built for either."""
    if isinstance(index, pd.RangeIndex):
        if len(index):
            return f"int:{index.start}:{index.step}:{len(index)}".encode()
        return b"int:empty"
    if isinstance(index, pd.PeriodIndex):
        kind, numbers = f"period:{index.freqstr}", index.asi8
    elif isinstance(index, pd.DatetimeIndex):
        kind, numbers = f"datetime:{index.tz}", index.asi8
    elif pd.api.types.is_integer_dtype(index) and not pd.api.types.is_bool_dtype(index):
        kind, numbers = "int", np.asarray(index, dtype=np.int64)
    else:
        return b"text:" + "\x1f".join(map(str, index)).encode()
    if not len(numbers):
        return f"{kind}:empty".encode()
    steps = np.diff(numbers)
    step = int(steps[0]) if len(steps) else 1
    if (steps == step).all():
        return f"{kind}:{int(numbers[0])}:{step}:{len(numbers)}".encode()
    return f"{kind}:labels:".encode() + np.ascontiguousarray(numbers).tobytes()


@dataclass(frozen=True)
class Provenance:
    """Where a result came from: the call, its parameters, its input and the software.

    No clock time is recorded, so the same inputs and seed give byte-identical JSON.
    """

    function: str
    parameters: dict[str, Any]
    input_sha256: str
    seed: int | None = None
    versions: dict[str, str] = field(default_factory=versions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "parameters": _jsonable(self.parameters),
            "input_sha256": self.input_sha256,
            "seed": self.seed,
            "versions": dict(self.versions),
        }


def _jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Period):
        return str(value)
    if value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return None  # NaN and ±inf (a rate ratio against a period without events)
    return value


def to_json(data: dict[str, Any]) -> str:
    """Canonical JSON: sorted keys, two-space indent, NaN and ±inf written as null (the
    summaries say what they stand for)."""
    return json.dumps(_jsonable(data), indent=2, sort_keys=True, allow_nan=False)


def plain(value: Any) -> Any:
    """A period label or numpy scalar as a plain JSON value (periods and dates as text)."""
    if isinstance(value, pd.Period | pd.Timestamp):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` (its index as columns) as dicts of plain JSON values."""
    return [
        {k: plain(v) for k, v in row.items()} for row in frame.reset_index().to_dict("records")
    ]


def several_series_warning(attribute: str, returns: str, instead: str) -> None:
    """Warn that ``attribute`` changes shape with the number of series (issued for a
    result of several series; its one-series form stays)."""
    warnings.warn(
        f"{attribute} of a result of several series returns {returns}; in a future version "
        f"it will be defined for one series only. Use {instead} (the same shape for one "
        "series or many).",
        FutureWarning,
        stacklevel=3,
    )


class ResultMixin:
    """``__str__`` from ``summary()`` and ``to_json()`` from ``to_dict()``, for every result."""

    def summary(self) -> str:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def _headline(self) -> str:
        """The summary's first line, without the class name it may start with."""
        lines = self.summary().splitlines()
        first = lines[0] if lines else ""
        prefix = f"{type(self).__name__}: "
        return first[len(prefix) :] if first.startswith(prefix) else first

    def __repr__(self) -> str:
        """One line: what the result is (``print(result)`` shows all of it)."""
        return f"<{type(self).__name__}: {self._headline()}>"

    def _repr_html_(self) -> str:
        """In a notebook: the headline, the result's table (``to_frame()``, where it has one)
        as an HTML table, and the whole summary folded below it; data text escaped."""
        import html

        parts = [
            f'<div class="periodize"><p><strong>{type(self).__name__}</strong>: '
            f"{html.escape(self._headline())}</p>"
        ]
        to_frame = getattr(self, "to_frame", None)
        if callable(to_frame):
            parts.append(to_frame().to_html(max_rows=30, max_cols=12, border=0))
        parts.append(
            "<details><summary>summary()</summary>"
            f"<pre>{html.escape(self.summary())}</pre></details></div>"
        )
        return "".join(parts)

    def to_json(self) -> str:
        """:meth:`to_dict` as canonical JSON (byte-identical for the same inputs and seed)."""
        return to_json(self.to_dict())

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the result to ``path`` so that :func:`periodize.load` restores it exactly.

        The file is :meth:`to_json` with the result's full state under one more key
        (:mod:`periodize.saved`); it is written atomically, and an existing file is
        replaced only with ``overwrite=True``. Returns the path written.
        """
        from .saved import save

        return save(self, path, overwrite=overwrite)
