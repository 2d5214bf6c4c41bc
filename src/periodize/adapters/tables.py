"""Code tables shipped with periodize (``adapters/data``), each with a sidecar naming its
source, version and licence (``<file>.source.json``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GOLDSTEIN_TABLES",
    "QUAD_CLASSES",
    "cameo_codes",
    "column_list",
    "goldstein_values",
    "quad_class",
    "table",
    "table_source",
    "valid_cameo_codes",
]

#: CAMEO/GDELT QuadClass and PLOVER quad codes 1-4, by name.
QUAD_CLASSES: dict[int, str] = {
    1: "verbal_cooperation",
    2: "material_cooperation",
    3: "verbal_conflict",
    4: "material_conflict",
}
_ROOT_QUAD = np.array([0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4])


def _data(name: str) -> Any:
    return resources.files("periodize.adapters").joinpath("data", name)


@cache
def table(name: str) -> pd.DataFrame:
    """A shipped code table as text (nothing converted: ``"042"`` stays ``"042"``).

    Examples
    --------
    >>> table("cameo_codes.csv").set_index("code").loc["042", "name"]
    'Make a visit'
    """
    with _data(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@cache
def column_list(name: str) -> tuple[str, ...]:
    """The column names of an archive format, in file order (``icews``, ``gdelt1_57``,
    ``gdelt1_58``, ``gdelt2_61``, ``phoenix``).

    Examples
    --------
    >>> len(column_list("gdelt2_61")), column_list("icews")[:2]
    (61, ('Event ID', 'Event Date'))
    """
    text = _data(f"{name}.columns").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line)


def table_source(name: str) -> dict[str, str]:
    """Source, version, licence and notes of a shipped table or column list.

    Examples
    --------
    >>> sorted(table_source("states.csv"))[:3]
    ['licence', 'notes', 'source']
    """
    return json.loads(_data(f"{name}.source.json").read_text(encoding="utf-8"))


@cache
def cameo_codes() -> pd.DataFrame:
    """CAMEO event codes with name, Goldstein value and quad class, indexed by code.

    Examples
    --------
    >>> cameo_codes().loc[["042", "043", "057"], ["goldstein", "quad_class"]]
          goldstein  quad_class
    code
    042         1.9           1
    043         2.8           1
    057         8.0           1
    """
    codes = table("cameo_codes.csv").set_index("code")
    codes["goldstein"] = codes["goldstein"].astype(float)
    codes["quad_class"] = quad_class(codes.index.to_numpy(dtype=object))
    return codes


#: The Goldstein table each archive's rows are scored with (others: the CAMEO codebook's).
GOLDSTEIN_TABLES: dict[str, str] = {
    "gdelt": "gdelt_goldstein.csv",
    "phoenix": "phoenix_goldstein.csv",
}


@cache
def goldstein_values(archive: str | None = None) -> pd.Series:
    """Goldstein value of each CAMEO code as ``archive`` publishes it: GDELT's own table
    for GDELT rows, the Phoenix pipeline's for Phoenix rows, the CAMEO codebook's (as ICEWS
    distributes it) otherwise.

    Examples
    --------
    >>> goldstein_values("gdelt")["016"], goldstein_values("icews")["016"]
    (np.float64(-2.0), np.float64(-5.0))
    """
    name = GOLDSTEIN_TABLES.get(str(archive), "cameo_codes.csv")
    values = table(name).set_index("code")["goldstein"].astype(float)
    return values.rename("goldstein")


@cache
def valid_cameo_codes() -> frozenset[str]:
    """Every CAMEO event code any of the archives' tables lists (a code outside is not a
    CAMEO code).

    Examples
    --------
    >>> "042" in valid_cameo_codes(), "13y" in valid_cameo_codes()
    (True, False)
    """
    names = ("cameo_codes.csv", *GOLDSTEIN_TABLES.values())
    return frozenset().union(*(table(name)["code"] for name in names))


def per_distinct(values: Any, function: Any, missing: Any = None) -> np.ndarray:
    """``function`` applied to the distinct values only (an array of them in, an array of
    results out), spread back to every row; ``missing`` where a value is missing. Archive
    columns hold few distinct values (countries, codes, sectors), so a lookup costs the
    distinct values, not the rows.

    Examples
    --------
    >>> per_distinct(pd.Series(["a", "b", "a", None]), lambda v: [x.upper() for x in v])
    array(['A', 'B', 'A', None], dtype=object)
    """
    if not isinstance(values, pd.Series | pd.Index | pd.Categorical):
        values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = np.asarray(function(np.asarray(uniques, dtype=object)), dtype=object)
    return np.append(results, np.array([missing], dtype=object))[codes]


def quad_class(codes: np.ndarray) -> np.ndarray:
    """Quad class (1-4) of CAMEO codes from their two-digit root; 0 where the code is not a
    CAMEO code.

    Examples
    --------
    >>> quad_class(np.array(["042", "1123", "20", "x"], dtype=object))
    array([1, 3, 4, 0])
    """
    text = pd.Series(codes, dtype=object).astype("string")
    root = pd.to_numeric(text.str.slice(0, 2), errors="coerce")
    valid = text.str.fullmatch(r"\d{2,4}").fillna(False) & root.between(1, 20)
    root_codes = np.where(valid.to_numpy(dtype=bool), root.fillna(0).to_numpy(dtype=int), 0)
    return _ROOT_QUAD[root_codes]


def _lookup_inverse(kind: str, isos: frozenset[str]) -> set[str]:
    """The archive's own country values that map to any of ``isos`` (``icews`` or
    ``cameo`` tables; CAMEO codes equal to ISO codes are the caller's)."""
    rows = table("icews_countries.csv" if kind == "icews" else "cameo_countries.csv")
    return set(rows.loc[rows["iso3"].isin(isos), rows.columns[0]])
