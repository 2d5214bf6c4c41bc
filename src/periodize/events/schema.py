"""The event schema and its validation (DESIGN §3).

One row per event. Required columns: ``date``, ``actor``, ``target``, ``level``, ``kind``.
Optional columns are listed in :data:`OPTIONAL`; any other column is kept unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import type_name
from ..exceptions import EventSchemaError, PeriodizeTypeError, Problem
from .dates import earliest_key, latest_key, parse_dates
from .digest import distinct_hashes, numbered_hashes
from .numbers import COUNT_EXPECTED, WEIGHT_EXPECTED, parse_counts, parse_weights
from .seal import is_sealed, remember, seal
from .vocabulary import CONFIDENCE, KINDS, LEVELS, PRECISIONS, iso3166_alpha3

__all__ = ["DERIVED", "OPTIONAL", "REQUIRED", "validate_events"]

REQUIRED: tuple[str, ...] = ("date", "actor", "target", "level", "kind")
OPTIONAL: tuple[str, ...] = (
    "event_id",
    "date_end",
    "person",
    "office",
    "documents_signed",
    "venue",
    "multilateral_context",
    "source",
    "confidence",
    "note",
    "cameo_code",
    "weight",
)
#: Columns validation derives from ``date``; an input may carry them only if they agree.
DERIVED: tuple[str, ...] = ("year", "month", "day", "precision")
_EXTRA_CODES = "periodize_extra_codes"
#: Set on a table whose event ids validation made up (``row0``, ``row1``, ...).
GENERATED_IDS = "periodize_generated_ids"
_VOCABULARIES = "periodize_vocabularies"
_ACCOUNT = "periodize_account"
#: Every column validation reads (any other is kept as it is).
SCHEMA_COLUMNS = frozenset((*REQUIRED, *OPTIONAL, *DERIVED, "weight"))
_TEXT = ("person", "office", "venue", "multilateral_context", "source", "note", "cameo_code")
_ORDER = ("event_id", "date", "date_end", *DERIVED, *REQUIRED[1:], *OPTIONAL[2:])


class Frozen(tuple):
    """An attribute of a validated table: immutable, so pandas' copy of it (a deep copy of
    ``attrs`` for every frame derived from the table) is the value itself. Thousands of
    extra codes copied once per operation cost more than the operations of a partition."""

    def __copy__(self) -> Frozen:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Frozen:
        return self


class _Problems:
    """Collects problems found by vectorised checks; builds messages only for bad rows."""

    def __init__(self, frame: pd.DataFrame, lines: np.ndarray | None) -> None:
        self.frame = frame
        self.lines = lines
        self.items: list[Problem] = []

    def add(self, positions: Iterable[int], column: str, expected: str) -> None:
        values = self.frame[column]
        for pos in positions:
            pos = int(pos)
            value = values.iat[pos]
            value = None if _is_missing(value) else _plain(value)
            line = None if self.lines is None else int(self.lines[pos])
            self.items.append(Problem(pos, column, value, expected, line))

    def add_mask(self, mask: np.ndarray, column: str, expected: str) -> None:
        self.add(np.flatnonzero(mask), column, expected)


def validate_events(
    events: pd.DataFrame,
    *,
    levels: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    extra_codes: Iterable[str] = (),
) -> pd.DataFrame:
    """Validate an event table and return a new, typed copy.

    Every problem in the table is reported at once, with its row, column, value and what was
    expected. Nothing is dropped, clipped or coerced, and ``events`` is never modified.

    Parameters
    ----------
    events : DataFrame
        One row per event; see ``docs/data.md`` for the schema.
    levels, kinds : sequence of str, optional
        Vocabularies of ``level`` and ``kind``; default :data:`~periodize.events.LEVELS`
        and :data:`~periodize.events.KINDS`.
    extra_codes : iterable of str
        Codes accepted in ``actor``/``target`` besides the ISO 3166-1 alpha-3 codes (for
        example user-assigned codes such as ``"XKX"``).

    Returns
    -------
    DataFrame
        A copy with typed columns, in canonical order: ``event_id`` (generated as
        ``"row<N>"`` when absent), ``date`` and ``date_end`` as given, the derived ``year``,
        ``month``, ``day`` (``<NA>`` where not given) and ``precision``, then ``actor``,
        ``target``, ``level`` and ``kind`` (categoricals over the vocabulary), the optional
        columns present, then any other columns unchanged.

    Raises
    ------
    EventSchemaError
        Listing every bad row.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"date": ["1993-10", "2023-02-30"], "actor": ["KAZ", "MNG"],
    ...                     "target": ["MNG", "MNG"], "level": ["head_of_state"] * 2,
    ...                     "kind": ["official_visit", "state_visit"]})
    >>> validate_events(raw.iloc[:1])[["date", "year", "month", "precision", "actor"]]
          date  year  month precision actor
    0  1993-10  1993     10     month   KAZ
    >>> validate_events(raw)
    Traceback (most recent call last):
    ...
    periodize.exceptions.EventSchemaError: 2 problems in the event table:
      - row 1, column 'date': got '2023-02-30'; expected a real calendar date in the form ...
      - row 1, column 'target': got 'MNG'; expected a target different from the actor ('MNG')
    """
    return _validate(events, levels=levels, kinds=kinds, extra_codes=extra_codes)


def _validate(
    events: pd.DataFrame,
    *,
    levels: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    extra_codes: Iterable[str] = (),
    lines: np.ndarray | None = None,
    source: str | None = None,
    allow_empty: bool = False,
    id_prefix: str = "",
) -> pd.DataFrame:
    """validate_events; ``allow_empty`` for a part of a table (a file whose rows a filter
    pushed into the read all left out), where no events is a fact, not a fault;
    ``id_prefix`` before the ids numbered for a table without them (``"file.csv#"``: ids
    unique across the files of a dataset)."""
    if not isinstance(events, pd.DataFrame):
        raise PeriodizeTypeError(
            f"validate_events expects a pandas DataFrame; got {type_name(events)}."
        )
    asked = levels is not None or kinds is not None or bool(extra_codes) or lines is not None
    empty_refused = len(events) == 0 and not allow_empty
    if not asked and not empty_refused and is_sealed(events):  # validated, unchanged since
        return events.copy(deep=False)  # a new frame, as validation returns (copy on write)
    # a validated table carries its vocabularies and extra codes (attrs), a raw one does not
    known = events.attrs.get(_VOCABULARIES, {})
    levels = _vocabulary(levels, known.get("level", LEVELS), "levels")
    kinds = _vocabulary(kinds, known.get("kind", KINDS), "kinds")
    extra_codes = frozenset(_codes(extra_codes)) | frozenset(events.attrs.get(_EXTRA_CODES, ()))
    frame = events.reset_index(drop=True)  # read only: no copy of the columns
    table: list[Problem] = []
    if len(frame) == 0 and not allow_empty:
        table.append(Problem(None, None, None, "at least one event (the table is empty)"))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        table.append(Problem(None, ", ".join(missing), None, f"required columns {list(REQUIRED)}"))
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        table.append(Problem(None, ", ".join(map(str, duplicated)), None, "unique names"))
    if table:
        raise EventSchemaError(table, source)

    found = _Problems(frame, lines)
    out: dict[str, pd.Series | np.ndarray] = {}

    for column in REQUIRED:
        found.add_mask(frame[column].isna().to_numpy(), column, "a value (required column)")

    dates, bad = parse_dates(frame["date"])
    for pos, expected in bad.items():
        found.add([pos], "date", expected)
    out["date"] = dates["text"]
    precision = dates["precision"]
    for field, finest in (("year", 0), ("month", 1), ("day", 2)):  # missing where not given
        out[field] = pd.arrays.IntegerArray(dates[field], precision < finest)
    out["precision"] = pd.Categorical.from_codes(
        precision, categories=list(PRECISIONS), ordered=True
    )

    if "date_end" in frame.columns:
        ends, bad_end = parse_dates(frame["date_end"])
        for pos, expected in bad_end.items():
            found.add([pos], "date_end", expected)
        both = (precision >= 0) & (ends["precision"] >= 0)
        before = both & (latest_key(ends) < earliest_key(dates))
        for pos in np.flatnonzero(before).tolist():
            found.add(
                [pos], "date_end", f"a date on or after the start date {dates['text'][pos]!r}"
            )
        out["date_end"] = ends["text"]

    codes = iso3166_alpha3() | frozenset(extra_codes)
    distinct = {column: _distinct(frame[column]) for column in ("actor", "target")}
    for column in ("actor", "target"):
        values = frame[column]
        known_code = _isin(values, codes, distinct[column])
        bad_code = values.notna().to_numpy() & ~known_code
        found.add_mask(bad_code, column, "an ISO 3166-1 alpha-3 code such as 'MNG' or 'KAZ'")
        out[column] = _as_string(values)
        if column == "actor":
            actor_known = known_code
    same = actor_known & _equal(frame["actor"], frame["target"], distinct)
    for pos in np.flatnonzero(same).tolist():
        found.add(
            [pos], "target", f"a target different from the actor ({frame['actor'].iat[pos]!r})"
        )

    for column, vocabulary in (("level", levels), ("kind", kinds)):
        values = frame[column]
        factorized = _distinct(values)
        unknown = values.notna().to_numpy() & ~_isin(values, vocabulary, factorized)
        found.add_mask(unknown, column, f"one of {list(vocabulary)}")
        out[column] = _categorical(values, vocabulary, unknown, factorized)

    id_hashes = None
    if "event_id" in frame.columns:
        out["event_id"], id_hashes = _event_ids(frame, found)
    else:
        out["event_id"] = numbered_ids(len(frame), id_prefix)
        id_hashes = numbered_hashes(len(frame), id_prefix + _ROW)  # (distinct by design)

    if "documents_signed" in frame.columns:
        out["documents_signed"] = _count_column(frame, "documents_signed", found)
    if "confidence" in frame.columns:
        values = frame["confidence"]
        unknown = values.notna().to_numpy() & ~_isin(values, CONFIDENCE)
        found.add_mask(unknown, "confidence", f"one of {list(CONFIDENCE)}")
        out["confidence"] = pd.Categorical(
            values.where(~unknown), categories=list(CONFIDENCE), ordered=True
        )
    if "weight" in frame.columns:
        out["weight"] = _weight_column(frame, found)
    for column in _TEXT:
        if column in frame.columns:
            values = frame[column]
            not_text = (
                np.zeros(len(values), dtype=bool)  # Arrow text holds text only
                if _arrow_text(values)
                else values.notna().to_numpy() & ~values.map(_is_text).to_numpy(dtype=bool)
            )
            found.add_mask(not_text, column, "text (a string; numbers are not converted)")
            out[column] = _as_string(values.where(~not_text))

    for column in DERIVED:
        if column in frame.columns:
            derived = pd.Series(out[column]).astype("string")
            given = frame[column].astype("string")
            disagree = (given.ne(derived)).fillna(given.isna() != derived.isna()).to_numpy()
            found.add_mask(
                disagree & (precision >= 0),
                column,
                f"the {column} derived from 'date' (or no column)",
            )

    if found.items:
        raise EventSchemaError(found.items, source)

    ordered = [c for c in _ORDER if c in out]
    extra = [c for c in frame.columns if c not in out and c not in DERIVED]
    result = pd.DataFrame({c: out[c] for c in ordered}, index=frame.index, copy=False)
    if extra:  # all at once: a column at a time is quadratic in thousands of columns
        kept = pd.DataFrame({c: frame[c].to_numpy() for c in extra}, index=frame.index)
        result = pd.concat([result, kept], axis=1)
    if _ACCOUNT in events.attrs:  # an archive reader's row account travels with its table
        result.attrs[_ACCOUNT] = events.attrs[_ACCOUNT]
    result.attrs[_EXTRA_CODES] = Frozen(sorted(extra_codes))
    if "event_id" not in frame.columns:  # numbered here: unique in this table only
        result.attrs[GENERATED_IDS] = True
    result.attrs[_VOCABULARIES] = {"level": Frozen(levels), "kind": Frozen(kinds)}
    seal(result)
    _remember_codes(result, distinct, dates.get("coded"))
    if id_hashes is not None:  # the provenance digest's, used once
        remember(result, "hashes:event_id", id_hashes)
    return result


def _remember_codes(
    result: pd.DataFrame, distinct: dict[str, Distinct | None], dates: Any
) -> None:
    """Keep the codes validation found by the sealed result's seal: the country columns'
    (intensity's series keys) and, where the dates were parsed once per distinct value,
    those of the date and its fields (the provenance digest hashes each value once)."""
    for column in ("actor", "target"):
        coded = distinct[column]
        if coded is not None:
            remember(result, f"codes:{column}", (small_codes(coded[0], len(coded[1])), coded[1]))
    if dates is None:
        return
    codes, values = dates
    codes = small_codes(codes, len(values))
    precision = values["precision"].to_numpy()
    remember(result, "codes:date", (codes, values["text"].array))
    for field, finest in (("year", 0), ("month", 1), ("day", 2)):
        given = pd.arrays.IntegerArray(values[field].to_numpy(np.int64), precision < finest)
        remember(result, f"codes:{field}", (codes, given))


def small_codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Codes (``-1`` missing) in the smallest signed integer type that holds them.

    Examples
    --------
    >>> small_codes(np.array([0, 2, -1]), 3).dtype
    dtype('int8')
    """
    for dtype in (np.int8, np.int16, np.int32):
        if n_values <= np.iinfo(dtype).max:
            return codes.astype(dtype, copy=False)
    return codes.astype(np.int64, copy=False)


def _vocabulary(given: Sequence[str] | None, default: Sequence[str], name: str) -> tuple[str, ...]:
    if given is None:
        return tuple(default)
    if isinstance(given, str) or not all(isinstance(v, str) for v in given):
        raise PeriodizeTypeError(
            f"The {name!r} parameter of validate_events must be a list of strings such as "
            f"['head_of_state', 'minister']. Got {given!r} instead."
        )
    return tuple(given)


def _codes(extra_codes: Iterable[str]) -> list[str]:
    if isinstance(extra_codes, str) or not all(isinstance(c, str) for c in extra_codes):
        raise PeriodizeTypeError(
            "The 'extra_codes' parameter of validate_events must be a list of codes such as "
            f"['XKX']. Got {extra_codes!r} instead."
        )
    return list(extra_codes)


#: A column's distinct values: the code of each row (-1 where missing) and the values.
Distinct = tuple[np.ndarray, pd.Index]


def _distinct(values: pd.Series) -> Distinct | None:
    """Each distinct value of a column once (one hashing pass; Arrow text stays Arrow), or
    None where cells cannot be hashed (lists, dicts)."""
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded already (unused ones kept)
        return values.cat.codes.to_numpy(), pd.Index(values.cat.categories, dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        return None
    return codes, pd.Index(uniques, dtype=object)


def _isin(
    values: pd.Series, allowed: Iterable[str], distinct: Distinct | None = None
) -> np.ndarray:
    """``values.isin(allowed)`` that treats unhashable cells (lists, dicts) as not allowed;
    each distinct value tested once."""
    allowed = list(allowed)
    factorized = distinct if distinct is not None else _distinct(values)
    if factorized is None:
        members = frozenset(allowed)
        return np.array(
            [isinstance(v, str) and v in members for v in values.to_numpy(dtype=object)]
        )
    codes, uniques = factorized
    return np.append(uniques.isin(allowed), False)[codes]


def _equal(
    first: pd.Series, second: pd.Series, distinct: dict[str, Distinct | None]
) -> np.ndarray:
    """Rows where two columns hold the same value (missing equals nothing), compared by
    their distinct values' codes rather than row by row."""
    left, right = distinct[str(first.name)], distinct[str(second.name)]
    if left is None or right is None:
        return (first.astype(object) == second.astype(object)).to_numpy(dtype=bool)
    (left_codes, left_values), (right_codes, right_values) = left, right
    in_left = np.append(left_values.get_indexer(right_values), -2)[right_codes]
    return (left_codes >= 0) & (in_left == left_codes)


def _categorical(
    values: pd.Series, vocabulary: Sequence[str], unknown: np.ndarray, distinct: Distinct | None
) -> pd.Categorical:
    """A vocabulary column as a categorical of the vocabulary (unknown values missing),
    coded from its distinct values (no Python object per row)."""
    if distinct is None:
        return pd.Categorical(values.astype(object).where(~unknown), categories=list(vocabulary))
    codes, uniques = distinct
    position = pd.Index(list(vocabulary), dtype=object).get_indexer(uniques)
    lookup = small_codes(np.append(position, -1), len(vocabulary))  # no int64 copy per row
    return pd.Categorical.from_codes(lookup[codes], categories=list(vocabulary))


def _event_ids(
    frame: pd.DataFrame, found: _Problems
) -> tuple[pd.arrays.StringArray, np.ndarray | None]:
    """Ids as text: strings or integers, unique once written as text (``1`` and ``"1"``
    are the same id); and, where the compiled screen proved them distinct, their cells'
    hashes (:func:`.digest.cell_hashes`, which the provenance digest reuses)."""
    ids = frame["event_id"]
    missing = ids.isna().to_numpy()
    hashes = _distinct_text(ids)
    if hashes is not None:  # the usual case from a file: text, no repeats
        found.add_mask(missing, "event_id", "a value (event_id must be unique)")
        return _as_string(ids), hashes
    if pd.api.types.infer_dtype(ids, skipna=True) in ("string", "empty"):
        text = ids.astype(object).where(~missing, None)  # the usual case: no per-row work
    elif pd.api.types.is_integer_dtype(ids.dtype) and not pd.api.types.is_bool_dtype(ids.dtype):
        text = ids.astype("string").astype(object).where(~missing, None)
    else:
        raw = ids.to_numpy(dtype=object)
        kinds = np.array([_id_kind(v) for v in raw])
        found.add_mask(kinds == "bad", "event_id", "text or an integer")
        text = pd.Series(
            [
                str(int(v)) if k == "int" else v if k == "str" else None
                for v, k in zip(raw, kinds, strict=True)
            ],
            dtype=object,
        )
    found.add_mask(missing, "event_id", "a value (event_id must be unique)")
    codes, _ = pd.factorize(text)
    dup = text.duplicated(keep="first").to_numpy() & (codes >= 0)
    if dup.any():
        _, first_index = np.unique(codes[codes >= 0], return_index=True)
        first_pos = np.flatnonzero(codes >= 0)[first_index]
        for pos in np.flatnonzero(dup).tolist():
            found.add([pos], "event_id", f"a unique id (same as row {first_pos[codes[pos]]})")
    return _as_string(text), None


#: Between a generated id's prefix and its row number.
_ROW = "row"


def numbered_ids(n: int, prefix: str = "") -> pd.arrays.ArrowStringArray:
    """Ids ``{prefix}row0``, ``{prefix}row1``, ... for a table without them (built by Arrow,
    no Python string per row).

    Examples
    --------
    >>> numbered_ids(2, "a.csv#").tolist()
    ['a.csv#row0', 'a.csv#row1']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = pa.array(np.arange(n, dtype=np.int64)).cast(pa.large_string())
    text = pa.large_string()
    ids = pc.binary_join_element_wise(pa.scalar(prefix + _ROW, text), numbers, pa.scalar("", text))
    return pd.arrays.ArrowStringArray(pa.chunked_array([ids], pa.large_string()))


def rows_of(table: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows ``keep`` (a boolean mask) of a validated table, itself a validated table
    (every check is of one row or of distinct ids, which a subset keeps), renumbered 0..,
    sealed; the table itself when every row is kept."""
    if keep.all():
        return table
    return seal(table[keep].reset_index(drop=True))


def _count_column(frame: pd.DataFrame, column: str, found: _Problems) -> pd.arrays.IntegerArray:
    counts, bad = parse_counts(frame[column])
    found.add_mask(bad, column, COUNT_EXPECTED)
    return counts


def _weight_column(frame: pd.DataFrame, found: _Problems) -> np.ndarray:
    weights, bad = parse_weights(frame["weight"])
    found.add_mask(bad, "weight", WEIGHT_EXPECTED)
    return weights


def _id_kind(value: object) -> str:
    if _is_missing(value):
        return "missing"
    if isinstance(value, str):
        return "str"
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return "int"
    return "bad"


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _as_string(values: pd.Series) -> pd.arrays.StringArray:
    import pyarrow as pa

    if _text_categories(values):  # each category's string once, then taken by code
        codes = values.cat.codes.to_numpy()
        categories = pa.array(values.cat.categories.to_numpy(dtype=object), pa.large_string())
        taken = categories.take(pa.array(codes, mask=codes < 0))
        return pd.arrays.ArrowStringArray(pa.chunked_array([taken]))
    if _arrow_text(values):  # Arrow text already: no Python string per row
        chunks = pa.chunked_array(values.astype(_STRING).array.__arrow_array__())
        if _compact(chunks):  # kept as they are, not copied
            return pd.arrays.ArrowStringArray(chunks)
        # one compact chunk: slices of a larger buffer would each keep all of it alive
        return pd.arrays.ArrowStringArray(pa.chunked_array([chunks.combine_chunks()]))
    return pd.array(values.where(values.notna(), None).to_numpy(dtype=object), dtype="string")


def _compact(chunks: Any) -> bool:
    """Whether an Arrow chunked array's buffers hold (within 1%) nothing beyond its own
    cells: a file's pages are read as slices of shared buffers, which together use them
    all; a few rows sliced from a large buffer would keep all of it alive."""
    held: dict[int, int] = {}  # a buffer's start: the most of it any chunk holds
    for chunk in chunks.chunks:
        for buffer in chunk.buffers():
            if buffer is not None:
                held[buffer.address] = max(held.get(buffer.address, 0), buffer.size)
    return sum(held.values()) <= 1.01 * chunks.nbytes


#: The type of validated text columns (pandas' nullable string, Arrow-backed).
_STRING = pd.StringDtype()


def _arrow_text(values: pd.Series) -> bool:
    """Whether a column is pandas text held by Arrow (``string`` or pandas 3's ``str``)."""
    dtype = values.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _text_categories(values: pd.Series) -> bool:
    """Whether a column is a categorical whose categories are all strings."""
    dtype = values.dtype
    return isinstance(dtype, pd.CategoricalDtype) and (
        pd.api.types.infer_dtype(dtype.categories, skipna=False) in ("string", "empty")
    )


def _distinct_text(ids: pd.Series) -> np.ndarray | None:
    """The cells' hashes when a column of Arrow-backed text holds no id twice (compiled
    64-bit hashes in one pass, :func:`.digest.distinct_hashes`); None sends the caller to
    the path that finds the repeated ids exactly and names their rows."""
    return distinct_hashes(ids.array) if _arrow_text(ids) else None
