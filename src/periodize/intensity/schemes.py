"""Weighting schemes: how much one event contributes to intensity.

An event's weight is ``base(level, kind) + per_document * documents_signed``, where the base
is ``level_weights[level] * kind_weights[kind]`` unless ``overrides`` names the pair. A
scheme declares the levels and kinds it knows; any other value is an error that names it.
No published rank-by-type weighting of visits exists, so every scheme is a declared,
versioned configuration and sensitivity to it is part of the analysis.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._textfiles import decode, read_bytes
from .._typing import PathLike
from ..events.vocabulary import KINDS, LEVELS
from ..exceptions import (
    EventSchemaError,
    ParameterError,
    PeriodizeError,
    PeriodizeTypeError,
    Problem,
)

__all__ = ["SCHEMES", "WeightingScheme", "get_scheme"]

_VISITS = ("state_visit", "official_visit", "working_visit")


@dataclass(frozen=True)
class WeightingScheme:
    """A declared, versioned weighting of events.

    Parameters
    ----------
    name : str
        Registry name, recorded with every result.
    level_weights, kind_weights : mapping, optional
        Multiplicative weight of each known value. ``None`` means every value weighs 1 and
        every value is known.
    overrides : mapping of (level, kind) to float
        Base weights that replace the product for specific pairs.
    per_document : float
        Weight added per signed document (``documents_signed``). Events whose document
        count is not reported add nothing: event data count what is recorded.
    weight_column : str, optional
        Take each event's weight from this column of the event table instead.
    code_table : {"cameo"}, optional
        Score every event that has a ``cameo_code`` by that code's value in the shipped
        CAMEO table of its archive (Goldstein scale: GDELT's and Phoenix's own values for
        ``archive`` ``"gdelt"`` and ``"phoenix"``, the CAMEO codebook's as ICEWS distributes
        it otherwise; ``periodize.adapters.goldstein_values(archive)``); events without a code
        are weighted by level and kind. A code the table lacks is an error naming the row
        and the code.
    level_order, kind_order : tuple of tuples
        Declared ordinal tiers, highest first (used by the weight envelope).
    description, source, version : str
        What the scheme means, where its numbers come from, and its version.

    Examples
    --------
    >>> s = WeightingScheme("mine", kind_weights={"state_visit": 2.0, "official_visit": 1.0})
    >>> s.base_weight("head_of_state", "state_visit")
    2.0
    """

    name: str
    level_weights: Mapping[str, float] | None = None
    kind_weights: Mapping[str, float] | None = None
    overrides: Mapping[tuple[str, str], float] = field(default_factory=dict)
    per_document: float = 0.0
    weight_column: str | None = None
    code_table: str | None = None
    level_order: tuple[tuple[str, ...], ...] = ()
    kind_order: tuple[tuple[str, ...], ...] = ()
    description: str = ""
    source: str = ""
    version: str = "1"

    def __post_init__(self) -> None:
        if self.code_table not in (None, "cameo"):
            raise ParameterError(
                f"The code_table of scheme {self.name!r} must be 'cameo' or None; got "
                f"{self.code_table!r}."
            )
        numbers = [self.per_document, *self.overrides.values()]
        for table in (self.level_weights, self.kind_weights):
            numbers.extend((table or {}).values())
        for value in numbers:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise PeriodizeTypeError(
                    f"Weights of scheme {self.name!r} must be numbers; got {value!r}."
                )
            if not np.isfinite(value):
                raise ParameterError(
                    f"Weights of scheme {self.name!r} must be finite; got {value!r}."
                )

    @property
    def integer_valued(self) -> bool:
        """True when every weight is 1 and documents add nothing (a plain count)."""
        tables: list[Mapping[Any, float]] = [
            self.level_weights or {},
            self.kind_weights or {},
            self.overrides,
        ]
        ones = all(v == 1 for t in tables for v in t.values())
        return (
            ones
            and self.per_document == 0
            and self.weight_column is None
            and self.code_table is None
        )

    def base_weight(self, level: str, kind: str) -> float:
        """The weight of one event of this level and kind, before documents (NaN when the
        scheme does not know the level or kind)."""
        if (level, kind) in self.overrides:
            return float(self.overrides[(level, kind)])
        lw = 1.0 if self.level_weights is None else self.level_weights.get(level, np.nan)
        kw = 1.0 if self.kind_weights is None else self.kind_weights.get(kind, np.nan)
        return float(lw * kw)

    @property
    def counts_events(self) -> bool:
        """Whether every event weighs exactly 1 whatever its fields (a plain count: no
        weights, overrides, documents, weight column or code table)."""
        return (
            self.level_weights is None
            and self.kind_weights is None
            and not self.overrides
            and not self.per_document
            and self.weight_column is None
            and self.code_table is None
        )

    def _column_weights(self, column: pd.Series, ids: pd.Series | None = None) -> np.ndarray:
        """The events' weights read from ``weight_column``: numbers, or text of numbers (a
        CSV's extra columns are text); a missing, non-numeric or infinite cell is refused
        by row (and event id: the rows may be a dyad's out of a larger table), never
        summed as NaN."""
        original = column
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype
        ):
            weights = column.to_numpy(dtype=float, na_value=np.nan)
        else:  # text of numbers; True is not the number 1
            if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
                column = column.where(~column.map(lambda v: isinstance(v, bool | np.bool_)))
            numbers = pd.to_numeric(column, errors="coerce")
            weights = numbers.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(weights))
        if bad.size:
            values = original.to_numpy(dtype=object)
            expected = f"a finite number (the weight scheme {self.name!r} reads from it)"
            event = (lambda p: "") if ids is None else (lambda p: f"; event {ids.iat[p]!r}")
            raise EventSchemaError(
                [Problem(int(p), self.weight_column, values[p], expected + event(p)) for p in bad]
            )
        return weights

    def weights(self, events: pd.DataFrame) -> np.ndarray:
        """Weight of every event of a validated table, vectorised over events.

        Raises
        ------
        EventSchemaError
            Naming the rows whose level or kind the scheme does not know, or a missing
            ``weight_column``.
        """
        if self.weight_column is not None:
            if self.weight_column not in events.columns:
                raise EventSchemaError(
                    [
                        Problem(
                            None,
                            self.weight_column,
                            None,
                            f"a numeric column "
                            f"{self.weight_column!r} (scheme {self.name!r} reads it)",
                        )
                    ]
                )
            ids = events["event_id"] if "event_id" in events.columns else None
            return self._column_weights(events[self.weight_column], ids)
        coded = self._coded(events)
        level = pd.Categorical(events["level"])
        kind = pd.Categorical(events["kind"])
        self._check_known(events, level, "level", self.level_weights, ~coded)
        self._check_known(events, kind, "kind", self.kind_weights, ~coded)
        table = np.array(
            [[self.base_weight(lv, kd) for kd in kind.categories] for lv in level.categories],
            dtype=float,
        ).reshape(len(level.categories), len(kind.categories))
        weight = table[level.codes, kind.codes]
        if coded.any():
            weight[coded] = self._code_weights(events, coded)
        if self.per_document and "documents_signed" in events.columns:
            documents = events["documents_signed"].fillna(0).to_numpy(dtype=float)
            weight = weight + self.per_document * documents
        return weight

    def _coded(self, events: pd.DataFrame) -> np.ndarray:
        """Rows scored by their CAMEO code (when the scheme has a code table)."""
        if self.code_table is None or "cameo_code" not in events.columns:
            return np.zeros(len(events), dtype=bool)
        return events["cameo_code"].notna().to_numpy(dtype=bool)

    def _code_weights(self, events: pd.DataFrame, coded: np.ndarray) -> np.ndarray:
        from ..adapters.tables import goldstein_values

        codes = events["cameo_code"].astype(object)
        archive = (
            events["archive"].astype(object).fillna("")
            if "archive" in events.columns
            else pd.Series("", index=events.index, dtype=object)
        )
        weight = np.full(len(events), np.nan)
        for name in archive.unique():  # one table per archive (a handful)
            rows = (archive == name).to_numpy()
            weight[rows] = codes[rows].map(goldstein_values(name)).to_numpy(dtype=float)
        unknown = np.flatnonzero(coded & np.isnan(weight))
        if unknown.size:
            expected = (
                f"a CAMEO code of the {self.name!r} scheme's table (such as '042'; "
                "periodize.adapters.cameo_codes() lists them)"
            )
            raise EventSchemaError(
                [Problem(int(p), "cameo_code", codes.iat[p], expected) for p in unknown]
            )
        return weight[coded]

    def _check_known(
        self,
        events: pd.DataFrame,
        values: pd.Categorical,
        column: str,
        table: Mapping[str, float] | None,
        rows: np.ndarray,
    ) -> None:
        if table is None:
            return
        present = np.unique(values.codes[rows & (values.codes >= 0)])
        unknown = [i for i in present if values.categories[i] not in table]
        if not unknown:
            return
        positions = np.flatnonzero(rows & np.isin(values.codes, unknown))
        expected = f"a {column} the {self.name!r} scheme knows: {sorted(table)}"
        raise EventSchemaError([Problem(int(p), column, values[p], expected) for p in positions])

    def table(self) -> pd.DataFrame:
        """Base weights as a level × kind table (default vocabularies where open)."""
        levels = list(self.level_weights or LEVELS)
        kinds = list(self.kind_weights or KINDS)
        data = [[self.base_weight(lv, kd) for kd in kinds] for lv in levels]
        return pd.DataFrame(
            data, index=pd.Index(levels, name="level"), columns=pd.Index(kinds, name="kind")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description; ``WeightingScheme.from_mapping`` reads it back."""
        return {
            "name": self.name,
            "version": self.version,
            "level": None if self.level_weights is None else dict(self.level_weights),
            "kind": None if self.kind_weights is None else dict(self.kind_weights),
            "overrides": [
                {"level": lv, "kind": kd, "weight": w} for (lv, kd), w in self.overrides.items()
            ],
            "per_document": self.per_document,
            "weight_column": self.weight_column,
            "code_table": self.code_table,
            "level_order": [list(t) for t in self.level_order],
            "kind_order": [list(t) for t in self.kind_order],
            "description": self.description,
            "source": self.source,
        }

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> WeightingScheme:
        """Build a user scheme from a mapping (the layout of :meth:`to_dict`).

        Examples
        --------
        >>> s = WeightingScheme.from_mapping({"name": "visits-only",
        ...     "kind": {"state_visit": 3, "official_visit": 2, "working_visit": 1}})
        >>> s.base_weight("speaker", "official_visit")
        2.0
        """
        known = {
            "name",
            "version",
            "level",
            "kind",
            "overrides",
            "per_document",
            "weight_column",
            "code_table",
            "level_order",
            "kind_order",
            "description",
            "source",
        }
        if not isinstance(mapping, Mapping):
            raise PeriodizeTypeError(
                f"A weighting scheme must be a mapping (a JSON object or TOML table). Got "
                f"{type(mapping).__name__} instead."
            )
        extra = sorted(set(mapping) - known)
        if extra:
            raise ParameterError(
                f"Unknown keys {extra} in a weighting scheme; expected keys among {sorted(known)}."
            )
        for key in ("level", "kind"):
            if key in mapping and not isinstance(mapping[key], Mapping):
                raise PeriodizeTypeError(
                    f"The {key!r} entry of a weighting scheme must map each {key} to a weight, "
                    f'such as {{"state_visit": 3}}. Got {mapping[key]!r} instead.'
                )
        overrides = mapping.get("overrides", [])
        if not isinstance(overrides, list | tuple) or not all(
            isinstance(o, Mapping) and {"level", "kind", "weight"} <= set(o) for o in overrides
        ):
            raise ParameterError(
                "The 'overrides' entry of a weighting scheme must be a list of objects with "
                f"keys level, kind and weight. Got {overrides!r} instead."
            )
        for key in ("level_order", "kind_order"):
            order = mapping.get(key, ())
            if not isinstance(order, list | tuple) or not all(
                isinstance(t, list | tuple) for t in order
            ):
                raise ParameterError(
                    f"The {key!r} entry of a weighting scheme must be a list of lists (ranks, "
                    f"highest first). Got {order!r} instead."
                )
        return cls(
            name=str(mapping.get("name", "user")),
            level_weights=mapping.get("level"),
            kind_weights=mapping.get("kind"),
            overrides={(o["level"], o["kind"]): o["weight"] for o in overrides},
            per_document=mapping.get("per_document", 0.0),
            weight_column=mapping.get("weight_column"),
            code_table=mapping.get("code_table"),
            level_order=tuple(tuple(t) for t in mapping.get("level_order", ())),
            kind_order=tuple(tuple(t) for t in mapping.get("kind_order", ())),
            description=str(mapping.get("description", "")),
            source=str(mapping.get("source", "")),
            version=str(mapping.get("version", "1")),
        )

    @classmethod
    def from_file(cls, path: PathLike) -> WeightingScheme:
        """Read a user scheme from a ``.json`` or ``.toml`` file."""
        path = Path(os.fspath(path))
        suffix = path.suffix.lower()
        if suffix not in (".json", ".toml"):
            raise ParameterError(
                f"A weighting scheme file must end in .json or .toml. Got {str(path)!r}."
            )
        text = decode(path, read_bytes(path))
        try:
            mapping = json.loads(text) if suffix == ".json" else tomllib.loads(text)
        except json.JSONDecodeError as error:
            raise ParameterError(
                f"{path}, line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})."
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise ParameterError(f"{path}: not valid TOML ({error}).") from None
        if isinstance(mapping, dict):
            mapping.setdefault("name", path.stem)
        try:
            return cls.from_mapping(mapping)
        except PeriodizeError as error:
            raise type(error)(f"{path}: {error}") from None


COUNT = WeightingScheme(
    name="count",
    description="Every event counts 1.",
    source="Unweighted event counts.",
)

GOLDSTEIN = WeightingScheme(
    name="goldstein",
    kind_weights={
        "state_visit": 4.7,
        "official_visit": 4.7,
        "working_visit": 4.7,
        "multilateral_meeting": 2.5,
    },
    per_document=8.0,
    code_table="cameo",
    description=(
        "CAMEO actions scored on the Goldstein (1992) conflict-cooperation scale. An event "
        "with a cameo_code (machine-coded data) scores its own code (042 make a visit 1.9, "
        "043 host a visit 2.8, ...). Hand-coded events without one: a visit is "
        "'make a visit' (CAMEO 042, 1.9) plus 'host a visit' (043, 2.8) = 4.7; a bilateral "
        "meeting during a multilateral event is 'meet at a third location' (044, 2.5); each "
        "signed document is 'sign formal agreement' (057, 8.0). Level does not enter. Kind "
        "'other' has no declared CAMEO action and is an error."
    ),
    source=(
        "Goldstein, J. S. (1992). A conflict-cooperation scale for WEIS events data. Journal "
        "of Conflict Resolution 36(2), 369-385; CAMEO codebook (Schrodt 2012, v1.1b3)."
    ),
)

COPDAB = WeightingScheme(
    name="copdab",
    level_weights=dict.fromkeys(LEVELS, 6.0),
    kind_weights=dict.fromkeys(KINDS, 1.0),
    overrides={("head_of_state", kind): 14.0 for kind in _VISITS},
    description=(
        "Azar's COPDAB international cooperation scale: a visit by a head of state is scale "
        "point 5 (weight 14: 'visit by head of state'); every other official visit or "
        "meeting is point 7 (weight 6: minor official exchanges, talks; meetings of high "
        "officials). Signed documents are not added (COPDAB codes the agreement as a "
        "separate event)."
    ),
    source=(
        "Azar, E. E. (1980). The Conflict and Peace Data Bank (COPDAB) Project. Journal of "
        "Conflict Resolution 24(1), 143-152; COPDAB international scale, points 5 and 7."
    ),
)

PROTOCOL = WeightingScheme(
    name="protocol",
    level_weights={
        "head_of_state": 4.0,
        "head_of_government": 3.0,
        "speaker": 2.0,
        "foreign_minister": 2.0,
        "deputy_head_of_government": 1.0,
        "minister": 1.0,
        "state_secretary": 1.0,
        "other_official": 1.0,
    },
    kind_weights={
        "state_visit": 1.5,
        "official_visit": 1.25,
        "working_visit": 1.0,
        "multilateral_meeting": 0.75,
        "other": 0.5,
    },
    level_order=(
        ("head_of_state",),
        ("head_of_government",),
        ("speaker", "foreign_minister"),
        ("deputy_head_of_government", "minister", "state_secretary", "other_official"),
    ),
    kind_order=(
        ("state_visit",),
        ("official_visit",),
        ("working_visit",),
        ("multilateral_meeting",),
        ("other",),
    ),
    description=(
        "Diplomatic protocol rank: level (head of state 4 > head of government 3 > speaker, "
        "foreign minister 2 > others 1) times kind (state 1.5 > official 1.25 > working 1 > "
        "multilateral meeting 0.75 > other 0.5). Only the order is a claim; the magnitudes "
        "are a declared convention, and the weight envelope varies them within the order."
    ),
    source="periodize protocol scheme v1 (declared ordinal ranks; see docs/intensity.md).",
)

#: Built-in schemes by name.
SCHEMES: dict[str, WeightingScheme] = {s.name: s for s in (COUNT, GOLDSTEIN, COPDAB, PROTOCOL)}


def get_scheme(
    scheme: str | Mapping[str, Any] | WeightingScheme | PathLike,
    what: str = "The 'scheme' parameter of intensity",
) -> WeightingScheme:
    """Resolve a scheme given by name, mapping, file path or object (``what``: how a
    refusal names the value).

    Examples
    --------
    >>> get_scheme("goldstein").per_document
    8.0
    """
    if isinstance(scheme, WeightingScheme):
        return scheme
    if isinstance(scheme, Mapping):
        return WeightingScheme.from_mapping(scheme)
    if isinstance(scheme, str) and scheme in SCHEMES:
        return SCHEMES[scheme]
    if isinstance(scheme, str | os.PathLike) and _is_file(scheme):
        return WeightingScheme.from_file(scheme)
    raise ParameterError(
        f"{what} must be one of {sorted(SCHEMES)}, a mapping, a WeightingScheme or the path "
        f"of a .json/.toml scheme file. Got {scheme!r} instead."
    )


def _is_file(path: str | os.PathLike[str]) -> bool:
    """An existing path that is not a folder (a pipe or device is refused when read)."""
    try:
        found = Path(os.fspath(path))
        return found.exists() and not found.is_dir()
    except (OSError, ValueError):  # a name the system cannot hold (NUL byte, too long)
        return False
