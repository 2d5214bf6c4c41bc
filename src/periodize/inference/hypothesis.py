"""A hypothesised periodization and the checked inputs every test of it shares: the
series as a matrix, the model, ``min_size``, ``n_sim``, the null and the exposure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._limits import check_memory
from .._validation import check_choice, check_int
from ..exceptions import ParameterError
from ..results import Provenance, matrix_sha256
from ..segmentation.costs import COSTS, SEGMENT_ONLY
from ..segmentation.diagnostics import serial_diagnostics
from ..segmentation.inputs import (
    SeriesMatrix,
    as_matrix,
    check_values,
    exposure_sha256,
    resolve_model,
    with_exposure,
)
from ..segmentation.joint import grouping
from ..segmentation.models import models_by_series
from .dependence import SerialDependence
from .fits import fixed_alpha

#: How replicates are drawn (and, for ``trend``, which null is tested besides).
NULLS = ("parametric", "permutation", "trend")


def label_position(index: pd.Index, label: Any, name: str, func: str) -> int:
    """The 0-based position of the period ``label`` in ``index``, or a refusal naming the
    parameter ``name`` and the periods there are."""
    try:
        if isinstance(label, bool | np.bool_):
            raise KeyError(label)
        position = index.get_loc(label)
        if not isinstance(position, int | np.integer):
            raise KeyError(label)
    except (KeyError, TypeError, pd.errors.InvalidIndexError):
        raise ParameterError(
            f"The '{name}' parameter of {func} must name periods of the series "
            f"({index[0]}–{index[-1]}); {label!r} is not one of them."
        ) from None
    return int(position)


def boundary_positions(
    index: pd.Index,
    boundaries: Sequence[Any],
    min_size: int,
    func: str,
    name: str = "boundaries",
    empty: str = "",
) -> np.ndarray:
    """0-based positions of hypothesised boundaries (first periods of new segments);
    ``name``: the parameter they came in, ``empty``: what to give instead of none."""
    try:
        if isinstance(boundaries, str | bytes):  # one label, not a sequence of characters
            raise TypeError
        labels = list(boundaries)
    except TypeError:
        raise ParameterError(
            f"The '{name}' parameter of {func} must be a sequence of periods such as "
            f"(2009, 2019). Got {boundaries!r} instead."
        ) from None
    if not labels:
        raise ParameterError(
            f"The '{name}' parameter of {func} must hold at least one period (the first "
            f"period of a new segment), such as (2009,). Got an empty sequence{empty}."
        )
    positions = []
    for label in labels:
        position = label_position(index, label, name, func)
        if position == 0:
            raise ParameterError(
                f"The '{name}' parameter of {func} must be first periods of new segments "
                f"after the first period {index[0]}; got {label!r}."
            )
        positions.append(int(position))
    edges = [0, *positions, len(index)]
    lengths = np.diff(edges)
    if np.any(lengths <= 0):
        raise ParameterError(
            f"The '{name}' parameter of {func} must be strictly increasing. Got {labels}."
        )
    if lengths.min() < min_size:
        raise ParameterError(
            f"The '{name}' parameter of {func} leaves a period shorter than "
            f"min_size={min_size} (period lengths {lengths.tolist()} for {labels})."
        )
    return np.array(positions, dtype=np.int64)


def checked_inputs(
    series: Any,
    model: str,
    min_size: Any,
    n_sim: Any,
    null: str,
    func: str,
    nulls: tuple[str, ...] = NULLS,
) -> tuple[SeriesMatrix, str, int, int]:
    """The series as a checked matrix, the model used, ``min_size`` and ``n_sim``."""
    matrix = as_matrix(series, func)
    used = resolve_model(model, matrix.weighted)
    check_values(matrix, used, func)
    check_choice(null, nulls, name="null", func=func)
    _check_testable(used, null, func)
    min_size = check_int(min_size, name="min_size", func=func, minimum=COSTS[used].min_size)
    return matrix, used, min_size, _checked_replicates(n_sim, matrix, func)


def checked_member_inputs(
    series: Any,
    model: Mapping[Any, Any],
    min_size: Any,
    n_sim: Any,
    null: str,
    exposure: Any,
    func: str,
    nulls: tuple[str, ...] = NULLS,
) -> tuple[SeriesMatrix, tuple[str, ...], int, int]:
    """:func:`checked_inputs` of a joint test with a model per series (``model``: a
    mapping of every series name to its model): the models used, in the series' order."""
    matrix = as_matrix(series, func)
    check_choice(null, nulls, name="null", func=func)
    models = models_by_series(model, matrix, grouping(True, matrix.names, func), exposure, func)
    for used in dict.fromkeys(models):
        _check_testable(used, null, func)
    least = max(COSTS[used].min_size for used in models)
    min_size = check_int(min_size, name="min_size", func=func, minimum=least)
    return matrix, models, min_size, _checked_replicates(n_sim, matrix, func)


def _check_testable(used: str, null: str, func: str) -> None:
    """A model the tests can draw replicates from, under ``null``."""
    if used in SEGMENT_ONLY:
        remedy = {
            "normal_trend": "To test periods against one straight line, pass "
            "model='normal' with null='trend'.",
            "biweight": "Pass model='normal' to test the periods' levels.",
            "poisson_trend": "To test periods against one log-linear trend, pass "
            "model='poisson' with null='trend'.",
            "quasipoisson_trend": "To test periods against one log-linear trend, pass "
            "model='quasipoisson' with null='trend'.",
        }[used]
        raise ParameterError(
            f"The model {used!r} of {func} is for segment: the tests' Monte Carlo nulls "
            f"do not draw its periods. {remedy}"
        )
    if null == "trend" and used == "normal_meanvar":
        raise ParameterError(
            f"The trend null of {func} needs a model with one variance or dispersion "
            "(poisson, quasipoisson, negbin, normal); got 'normal_meanvar'."
        )


def _checked_replicates(n_sim: Any, matrix: SeriesMatrix, func: str) -> int:
    """``n_sim`` checked, and the replicates' memory within the budget."""
    n_sim = check_int(n_sim, name="n_sim", func=func, minimum=99)
    n_series = matrix.values.shape[0]
    check_memory(
        _BYTES_PER_REPLICATE * n_sim * n_series,
        f"{func} with {n_sim:,} replicates of {n_series:,} series",
        "ask for fewer replicates (n_sim=999 resolves p-values to 0.001) or pass fewer "
        "series per call",
    )
    return n_sim


#: What each replicate of each series keeps until its p-values are read: a few statistics.
_BYTES_PER_REPLICATE = 32


def exposed(matrix: SeriesMatrix, exposure: Any, model: str, null: str, func: str) -> SeriesMatrix:
    """The matrix with its exposure attached (checked against the model and the null)."""
    if exposure is not None and null == "permutation":
        raise ParameterError(
            f"The 'exposure' parameter of {func} cannot be used with null='permutation': "
            "periods with different exposures are not exchangeable. Use null='parametric'."
        )
    return with_exposure(matrix, exposure, model, func)


def test_provenance(
    func: str,
    matrix: SeriesMatrix,
    boundaries: Sequence[Any],
    seed: int,
    serial: SerialDependence,
    **parameters: Any,
) -> Provenance:
    """The provenance of a test of hypothesised ``boundaries``: the options in
    ``parameters`` (in order), the serial null that ran, the exposure's and the data's
    hashes and the seed."""
    return Provenance(
        function=func,
        parameters={
            "boundaries": [str(b) for b in boundaries],
            **parameters,
            "serial_null": serial.summary(),
            "exposure_sha256": exposure_sha256(matrix),
        },
        input_sha256=matrix_sha256(matrix.values, matrix.index, matrix.names),
        seed=seed,
    )


def fit_diagnostics(
    model: str, matrix: SeriesMatrix, fit: tuple[np.ndarray, np.ndarray], n_params: int
) -> pd.DataFrame:
    """Serial-dependence diagnostics of a fitted periodization (``fit``: means, spread)."""
    means, spread = fit
    return serial_diagnostics(
        model,
        matrix.values,
        means,
        matrix.names,
        n_params,
        alpha=fixed_alpha(model, fit),
        sd=spread if model == "normal_meanvar" else None,
    )
