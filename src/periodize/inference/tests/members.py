"""A model per member of a joint test.

A shared periodization may be read from series of different kinds: visits counted
(``poisson``, ``negbin``), cooperation scored (``normal``). Each member's likelihood, fit,
replicates and diagnostics are those of its own model, so every step of the joint test runs
on the rows of each model with that model's functions: :func:`by_model` dispatches the rows
and puts the results back in the rows' order. With one model for all members it calls the
function once on all rows (no copy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ...segmentation.inputs import SeriesMatrix

Rows = np.ndarray | slice


def row_models(models: tuple[str, ...], n_rows: int) -> np.ndarray:
    """The model of each of ``n_rows`` rows laid out group by group (members consecutive,
    as the joint test's replicates are).

    Examples
    --------
    >>> row_models(("poisson", "normal"), 4).tolist()
    ['poisson', 'normal', 'poisson', 'normal']
    """
    return np.tile(np.asarray(models, dtype=object), n_rows // len(models))


def parts(models: np.ndarray) -> list[tuple[str, Rows]]:
    """Each model and its rows (all rows as one slice when there is one model)."""
    names = list(dict.fromkeys(models.tolist()))
    if len(names) == 1:
        return [(names[0], slice(None))]
    return [(name, np.flatnonzero(models == name)) for name in names]


def by_model(models: np.ndarray, function: Callable[..., Any], *per_row: Any) -> Any:
    """``function(model, *rows)`` for the rows of every model (``per_row``: arrays with
    one entry per row, or ``None``), its output (an array, or a tuple of arrays, one entry
    per row first) put together in the rows' order.

    Examples
    --------
    >>> models = np.array(["a", "b", "a"], dtype=object)
    >>> by_model(models, lambda m, x: x * (10 if m == "a" else 0.5), np.array([1, 2, 3]))
    array([10.,  1., 30.])
    """
    found = [
        (rows, function(model, *(None if a is None else a[rows] for a in per_row)))
        for model, rows in parts(models)
    ]
    if len(found) == 1:
        return found[0][1]
    if isinstance(found[0][1], tuple):
        return tuple(
            _together([(rows, out[i]) for rows, out in found], len(models))
            for i in range(len(found[0][1]))
        )
    return _together(found, len(models))


def _together(found: list[tuple[Rows, Any]], n_rows: int) -> np.ndarray:
    first = np.asarray(found[0][1])
    kind = np.result_type(*(np.asarray(got) for _, got in found))
    out = np.empty((n_rows, *first.shape[1:]), dtype=kind)
    for rows, got in found:
        out[rows] = got
    return out


def fixed_alphas(models: np.ndarray, fit: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """The NB2 dispersion of every negative-binomial row of a fit (NaN on other rows;
    ``None`` without any such row), held fixed for its replicates."""
    if "negbin" not in models.tolist():
        return None
    return np.where(models == "negbin", fit[1][:, 0], np.nan)


def tables_by_model(
    models: np.ndarray,
    names: tuple[str, ...],
    table: Callable[[str, Rows], pd.DataFrame],
) -> pd.DataFrame:
    """Per-series tables (indexed by series first) of every model's rows, one table in
    the series' order; ``attrs["method"]`` each model's method, named."""
    found = [(model, table(model, rows)) for model, rows in parts(models)]
    if len(found) == 1:
        return found[0][1]
    joined = pd.concat([frame for _, frame in found]).loc[list(names)]
    methods = [(model, frame.attrs.get("method")) for model, frame in found]
    if any(method for _, method in methods):
        joined.attrs["method"] = "; ".join(f"{model}: {method}" for model, method in methods)
    return joined


def rows_of(matrix: SeriesMatrix, rows: Rows) -> SeriesMatrix:
    """The series ``rows`` of ``matrix`` (all of them for a slice)."""
    if isinstance(rows, slice):
        return matrix
    return replace(
        matrix,
        values=matrix.values[rows],
        names=tuple(matrix.names[i] for i in rows),
        exposure=matrix.rows(rows),
    )


def fit_rows(fit: tuple[np.ndarray, np.ndarray], rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``rows`` of a fit's means and spreads."""
    return fit[0][rows], fit[1][rows]
