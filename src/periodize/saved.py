"""Results written to a file and read back exactly: ``result.save(path)`` and
:func:`load`.

A saved result is its readable JSON (``result.to_json()``, unchanged) with one more
top-level key, ``periodize_restore``: the format version, the result's type and its full
state, every field of the result object encoded without loss (numeric arrays as their
bytes in base64, tables column by column with their dtypes, index and attributes, nested
results in turn). :func:`load` rebuilds the object from that state and checks that the
rebuilt result's ``to_dict()`` equals the readable part of the file: a file edited by
hand, truncated or written by an incompatible version is refused, never half-read.

Only periodize's own result classes are rebuilt (a file cannot name any other type), and
the seal of a validated event table is not stored (a table read back is validated again
when used: its seal belongs to the process that made it).
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import io
import json
import math
import os
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._output import write_file
from .events.seal import SEAL
from .exceptions import ParameterError

__all__ = ["FORMAT", "KEY", "load", "saved_json"]

#: The top-level key holding the state.
KEY = "periodize_restore"
#: The version of the state's encoding; a file of another version is refused.
FORMAT = 1
#: pandas' nullable numbers and booleans: stored as their values and mask.
_MASKED = (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)


def saved_json(result: Any) -> str:
    """The readable JSON of ``result`` with its full state under :data:`KEY`."""
    data = json.loads(result.to_json())
    data[KEY] = {"format": FORMAT, "type": _class_name(type(result)), "state": _encode(result)}
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False)


def save(result: Any, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``result`` to ``path`` (atomically; an existing file needs ``overwrite``)."""
    return write_file(path, (saved_json(result) + "\n").encode("utf-8"), overwrite=overwrite)


def load(path: str | os.PathLike[str]) -> Any:
    """Read back a result written by ``result.save(path)`` (or a study's ``result.json``).

    The object is rebuilt exactly: the same type, tables, summary and JSON as the one that
    was saved, whatever it was (a :class:`~periodize.Segmentation`, a
    :class:`~periodize.Study`, ...).

    Parameters
    ----------
    path : str or path-like
        A file written by ``save`` or by ``Study.write``.

    Returns
    -------
    result
        The saved result object.

    Raises
    ------
    ParameterError
        The file is missing, not JSON, holds only the readable part (``to_json()``), was
        written by another format version, or does not match its own readable part.

    Examples
    --------
    >>> import tempfile, periodize as pz
    >>> fit = pz.segment([2, 3, 2, 9, 8, 9], n_breaks=1, model="poisson")
    >>> path = fit.save(tempfile.mkdtemp() + "/fit.json")
    >>> pz.load(path).boundaries
    (3,)
    """
    source = Path(os.fspath(path))
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{source} does not exist.") from None
    except (IsADirectoryError, UnicodeDecodeError) as error:
        raise ParameterError(f"{source} is not a saved result: {error}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParameterError(
            f"{source} is not a saved result: not JSON ({error.msg} at line {error.lineno})."
        ) from None
    stored = data.pop(KEY, None) if isinstance(data, dict) else None
    if not isinstance(stored, dict):
        raise ParameterError(
            f"{source} holds no '{KEY}' key: it is not a saved result, or it was written by "
            "to_json(), which keeps the readable part only. Write results with "
            "result.save(path) (a study: Study.write) to read them back."
        )
    if stored.get("format") != FORMAT:
        raise ParameterError(
            f"{source} was saved in format {stored.get('format')!r}; this version of "
            f"periodize reads format {FORMAT}."
        )
    try:
        result = _decode(stored.get("state"))
    except (KeyError, TypeError, ValueError, IndexError, RecursionError) as error:
        raise ParameterError(
            f"{source}: the saved state is damaged ({type(error).__name__}: {error})."
        ) from None
    if _class_name(type(result)) != stored.get("type") or not hasattr(result, "to_dict"):
        raise ParameterError(f"{source} does not hold the {stored.get('type')!r} it names.")
    if json.loads(result.to_json()) != data:
        raise ParameterError(
            f"{source}: the restored {type(result).__name__} does not match the file's "
            "readable part (the file was edited, or written by an incompatible version)."
        )
    return result


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _class(name: Any) -> type:
    """A periodize dataclass by its stored name; nothing outside periodize."""
    module, _, qualname = str(name).partition(":")
    if module != "periodize" and not module.startswith("periodize."):
        raise ParameterError(f"A saved result names the type {name!r}, not one of periodize's.")
    try:
        cls = getattr(importlib.import_module(module), qualname)
    except (ImportError, AttributeError):
        raise ParameterError(f"A saved result names the unknown type {name!r}.") from None
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ParameterError(f"A saved result names {name!r}, which is not a result type.")
    return cls


class Stored:
    """A computed field read back: calling it returns the value it computed."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return self.value


def _encode(value: Any) -> Any:
    """``value`` as JSON types, tagged with ``~kind`` keys where JSON alone would lose it."""
    if value is None or isinstance(value, bool | str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"~float": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"~scalar": [value.dtype.str, _encode(value.item())]}
    if isinstance(value, np.generic):
        return {"~scalar_array": _array(np.asarray(value))}
    if isinstance(value, np.ndarray):
        return {"~array": _array(value)}
    if isinstance(value, tuple | list):
        items = [_encode(v) for v in value]
        return {"~tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict | MappingProxyType):
        kind = "~mapping" if isinstance(value, MappingProxyType) else "~dict"
        return {kind: [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, pd.DataFrame):
        return {"~frame": _frame(value)}
    if isinstance(value, pd.Series):
        return {
            "~series": {
                "name": _encode(value.name),
                "index": _index(value.index),
                "values": _column(value.array),
            }
        }
    if isinstance(value, pd.Index):
        return {"~index": _index(value)}
    if value is pd.NA:
        return {"~na": None}
    if value is pd.NaT:
        return {"~nat": None}
    if isinstance(value, pd.Period | pd.Timestamp):
        return {"~pandas_scalar": _column(pd.array([value]))}
    if isinstance(value, Stored):
        return {"~computed": _encode(value.value)}
    if callable(value) and not isinstance(value, type):
        return {"~computed": _encode(value())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"~object": {"type": _class_name(type(value)), "fields": fields}}
    raise TypeError(f"periodize cannot save a value of type {type(value).__name__}.")


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise ParameterError(f"A saved result holds an unknown entry with keys {sorted(data)}.")
    ((kind, body),) = data.items()
    if kind == "~float":
        return float(body)
    if kind == "~scalar":
        return np.dtype(body[0]).type(_decode(body[1]))
    if kind == "~scalar_array":
        return _from_array(body)[()]
    if kind == "~array":
        return _from_array(body)
    if kind == "~tuple":
        return tuple(_decode(v) for v in body)
    if kind in ("~dict", "~mapping"):
        mapping = {_hashable(_decode(k)): _decode(v) for k, v in body}
        return MappingProxyType(mapping) if kind == "~mapping" else mapping
    if kind == "~frame":
        return _from_frame(body)
    if kind == "~series":
        values = _from_column(body["values"])
        return _series(values, _from_index(body["index"])).rename(_decode(body["name"]))
    if kind == "~index":
        return _from_index(body)
    if kind == "~na":
        return pd.NA
    if kind == "~nat":
        return pd.NaT
    if kind == "~pandas_scalar":
        return _from_column(body)[0]
    if kind == "~computed":
        return Stored(_decode(body))
    if kind == "~object":
        cls = _class(body["type"])
        obj: Any = object.__new__(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        if set(body["fields"]) != names:
            raise ParameterError(f"A saved {cls.__name__} does not have the fields it needs.")
        for name, value in body["fields"].items():
            object.__setattr__(obj, name, _decode(value))
        return obj
    raise ParameterError(f"A saved result holds an unknown entry {kind!r}.")


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _array(values: np.ndarray) -> dict[str, Any]:
    """A numpy array: numbers as their bytes, anything else item by item."""
    if values.dtype.hasobject:
        return {
            "dtype": "object",
            "shape": list(values.shape),
            "items": [_encode(v) for v in values.ravel().tolist()],
        }
    data = np.ascontiguousarray(values)  # at least one dimension: keep the shape given
    return {
        "dtype": data.dtype.str,
        "shape": list(values.shape),
        "base64": base64.b64encode(data.tobytes()).decode("ascii"),
    }


def _from_array(body: dict[str, Any]) -> np.ndarray:
    shape = tuple(body["shape"])
    if body["dtype"] == "object":
        flat = np.empty(len(body["items"]), dtype=object)
        for i, item in enumerate(body["items"]):  # one by one: a tuple is one item
            flat[i] = _decode(item)
        return flat.reshape(shape)
    raw = base64.b64decode(body["base64"])
    return np.frombuffer(raw, dtype=np.dtype(body["dtype"])).reshape(shape).copy()


def _column(values: Any) -> dict[str, Any]:
    """A pandas array (a column, an index's values) with its exact dtype."""
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "dtype": "category",
            "ordered": bool(dtype.ordered),
            "categories": _index(dtype.categories),
            "codes": _array(np.asarray(values.codes)),
        }
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        sink = io.BytesIO()
        table = pa.table({"values": values._pa_array})
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return {"dtype": "arrow", "ipc": base64.b64encode(sink.getvalue()).decode("ascii")}
    if isinstance(dtype, pd.PeriodDtype):
        return {"dtype": "period", "freq": values.freqstr, "ordinals": _array(values.asi8)}
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind in "mM":
        return {"dtype": str(dtype), "i8": _array(np.asarray(values.asi8))}
    if isinstance(dtype, np.dtype):
        return {"dtype": "numpy", "values": _array(np.asarray(values))}
    if isinstance(values, _MASKED):
        return {"dtype": str(dtype), "data": _array(values._data), "mask": _array(values._mask)}
    missing = np.asarray(pd.isna(values))
    items = [None if gone else _encode(v) for v, gone in zip(values, missing, strict=True)]
    return {"dtype": str(dtype), "items": items}


def _from_column(body: dict[str, Any]) -> Any:
    dtype = body["dtype"]
    if dtype == "category":
        categories = _from_index(body["categories"])
        kind = pd.CategoricalDtype(categories, ordered=body["ordered"])
        return pd.Categorical.from_codes(_from_array(body["codes"]), dtype=kind)
    if dtype == "arrow":
        import pyarrow as pa

        table = pa.ipc.open_stream(base64.b64decode(body["ipc"])).read_all()
        return pd.arrays.ArrowExtensionArray(table.column("values"))
    if dtype == "period":
        return pd.PeriodIndex.from_ordinals(_from_array(body["ordinals"]), freq=body["freq"]).array
    if "i8" in body:
        kind = pd.api.types.pandas_dtype(dtype)
        return _datetimes(body["i8"], kind)
    if dtype == "numpy":
        return _from_array(body["values"])
    if "mask" in body:
        kind = pd.api.types.pandas_dtype(dtype)
        masked = kind.construct_array_type()
        return masked(_from_array(body["data"]), _from_array(body["mask"]))
    items = [pd.NA if v is None else _decode(v) for v in body["items"]]
    return pd.array(items, dtype=pd.api.types.pandas_dtype(dtype))


def _datetimes(i8: dict[str, Any], dtype: Any) -> Any:
    """Dates and durations from their integer representation in their own unit."""
    numbers = _from_array(i8)
    if isinstance(dtype, pd.DatetimeTZDtype):
        naive = numbers.view(f"M8[{dtype.unit}]")
        return pd.DatetimeIndex(naive).tz_localize("UTC").tz_convert(dtype.tz).array
    return pd.array(numbers.view(dtype), dtype=dtype)


def _index(index: pd.Index) -> dict[str, Any]:
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": _encode(index.name)}
    if isinstance(index, pd.MultiIndex):
        return {
            "levels": [_index(level) for level in index.levels],
            "codes": [_array(np.asarray(c)) for c in index.codes],
            "names": [_encode(n) for n in index.names],
        }
    return {"values": _column(index.array), "name": _encode(index.name)}


def _from_index(body: dict[str, Any]) -> pd.Index:
    if "range" in body:
        return pd.RangeIndex(*body["range"], name=_decode(body["name"]))
    if "levels" in body:
        return pd.MultiIndex(
            levels=[_from_index(level) for level in body["levels"]],
            codes=[_from_array(c) for c in body["codes"]],
            names=[_decode(n) for n in body["names"]],
        )
    values = _from_column(body["values"])
    return pd.Index(values, dtype=values.dtype, name=_decode(body["name"]), tupleize_cols=False)


def _series(values: Any, index: pd.Index) -> pd.Series:
    """A column with its own dtype (pandas would read text in an object array as str)."""
    return pd.Series(values, index=index, dtype=values.dtype, copy=False)


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    attrs = {k: v for k, v in frame.attrs.items() if k != SEAL}  # the process's, not the data's
    return {
        "columns": _index(frame.columns),
        "index": _index(frame.index),
        "data": [_column(frame.iloc[:, i].array) for i in range(frame.shape[1])],
        "attrs": _encode(attrs),
    }


def _from_frame(body: dict[str, Any]) -> pd.DataFrame:
    index = _from_index(body["index"])
    columns = [_series(_from_column(c), index) for c in body["data"]]
    frame = (
        pd.concat(columns, axis=1, keys=range(len(columns)))
        if columns
        else pd.DataFrame(index=index)
    )
    frame.columns = _from_index(body["columns"])
    frame.attrs.update(_decode(body["attrs"]))
    return frame
