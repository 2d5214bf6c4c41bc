"""Which model prices a series: the choice of ``model="auto"``, and a model per series for a
joint segmentation (``segment(frame, joint=True, model={...})``).

Indicators of one relationship may be of different kinds: visits are counts, a
Goldstein-scaled score is Gaussian. Given a mapping of every series to its model, each
series is checked and priced by its own model (:mod:`periodize.segmentation.costs.mixed`)
and the shared boundaries minimise the sum of their costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .inputs import SeriesMatrix, by_series, check_values, resolve_model


def models_by_series(
    model: Mapping[Any, Any], matrix: SeriesMatrix, group: Any, exposure: Any, func: str
) -> tuple[str, ...]:
    """The model of every series from ``model`` (a mapping of every series name to a model
    name, ``"auto"`` choosing from that series' values), each series' values checked
    against its model; a refusal naming the way out otherwise (``group``: the
    :class:`~periodize.segmentation.joint.Grouping` of the call, one group of all series)."""
    if group is None:
        raise ParameterError(
            f"A model per series (model={dict(model)!r}) is for a joint segmentation of "
            f"the series of {func}: pass joint=True (or a grouping), or segment each series "
            "with its own model."
        )
    if exposure is not None:
        raise ParameterError(
            f"The 'exposure' parameter of {func} is not taken with a model per series; "
            "segment the count series with their exposure on their own."
        )
    asked_models = by_series(model, matrix.names, "model", "model", func)
    models = []
    for i, (name, asked) in enumerate(zip(matrix.names, asked_models, strict=True)):
        row = replace(
            matrix, values=matrix.values[i : i + 1], names=(matrix.names[i],), exposure=None
        )
        if not isinstance(asked, str):
            raise ParameterError(
                f"The 'model' mapping of {func} must give a model name for {name}; got {asked!r}."
            )
        used = resolve_model(chosen_model(row)[0] if asked == "auto" else asked, row.weighted)
        check_values(row, used, f"{func} (series {name})")
        models.append(used)
    _check_groups_alike(tuple(models), group, func)
    return tuple(models)


def _check_groups_alike(models: tuple[str, ...], group: Any, func: str) -> None:
    """Groups sharing boundaries must hold the same models in the same member order (a
    break's penalty counts one group's parameters)."""
    size = group.size
    kinds = [
        tuple(models[i] for i in group.order[g * size : (g + 1) * size])
        for g in range(len(group.labels))
    ]
    if len(set(kinds)) > 1:
        first = group.labels[0]
        other = next(g for g, kind in enumerate(kinds) if kind != kinds[0])
        raise ParameterError(
            f"The groups of {func} must hold the same models in the same order (a break's "
            f"penalty counts one group's parameters): group {first} has {list(kinds[0])}, "
            f"group {group.labels[other]} has {list(kinds[other])}."
        )


def describe(models: tuple[str, ...], names: tuple[str, ...]) -> str:
    """The models of a mixed fit in one line: ``mixed (visits: quasipoisson, ...)``."""
    return "mixed (" + ", ".join(f"{n}: {m}" for n, m in zip(names, models, strict=True)) + ")"


def chosen_model(matrix: SeriesMatrix) -> tuple[str, str]:
    """The model ``model="auto"`` takes for these series, and why (one for all series).

    Examples
    --------
    >>> from periodize.segmentation.inputs import as_matrix
    >>> chosen_model(as_matrix(np.array([2.0, 0.0, 5.0]), "segment"))
    ('quasipoisson', 'every value is a non-negative integer: counts')
    >>> chosen_model(as_matrix(np.array([2.5, -1.0, 5.0]), "segment"))[0]
    'normal'
    """
    values = matrix.values
    finite = bool(np.isfinite(values).all())
    non_negative = finite and bool((values >= 0).all())
    if non_negative and matrix.weighted:
        return "quasipoisson", "a non-negative weighted intensity: weighted counts"
    if non_negative and bool((values == np.round(values)).all()):
        return "quasipoisson", "every value is a non-negative integer: counts"
    if not finite:
        return "normal", "values that are not all finite counts"
    what = "a negative value" if not non_negative else "a value that is not an integer"
    return "normal", f"{what} (not counts): Gaussian"


def free_model(model: str) -> str:
    """The model of the free segmentation (the default rule, penalty ``"auto"``) that
    ``study``, ``explore`` and ``panel`` run beside their tests of ``model``: for a count
    model the default's choice (``"auto"``: constant or log-linear rates in each period,
    whichever the BIC prefers, :mod:`periodize.segmentation.shapes`), as ``segment`` makes
    it; any other model as named.

    Examples
    --------
    >>> free_model("poisson"), free_model("normal")
    ('auto', 'normal')
    """
    return "auto" if model in ("poisson", "quasipoisson", "negbin") else model
