"""``segment``: exact change points for one or many series."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_choice, check_int
from ..exceptions import ParameterError
from ..results import Provenance, matrix_sha256
from .costs import COSTS, Cost
from .costs.base import segment_of_each_period
from .diagnostics import serial_diagnostics
from .inputs import (
    SeriesMatrix,
    as_matrix,
    check_values,
    exposure_sha256,
    resolve_model,
    with_exposure,
)
from .penalties import Penalty, resolve_penalty
from .result import Segmentation
from .search.dynamic import exact_path
from .search.fpop import MODELS as FPOP_MODELS
from .search.fpop import fpop_breaks
from .search.pelt import optimal_partitioning, pelt, pelt_breaks
from .search.ruptures_adapter import RUPTURES_METHODS, ruptures_search

METHODS = ("exact", "pelt", "fpop", *RUPTURES_METHODS)
#: Penalised searches run the exact path over all k when K_max · n² is at most this.
PATH_BUDGET = 5_000_000
#: Above this length, penalised exact search uses PELT instead of optimal partitioning.
PELT_LENGTH = 2_000
#: Bytes of last-break tables one call of FPOP or PELT fills: longer panels go in blocks of
#: series.
SEARCH_BLOCK_BYTES = 32 * 2**20


def segment(
    series: Any,
    n_breaks: int | None = None,
    *,
    penalty: str | float | None = None,
    model: str = "poisson",
    min_size: int = 3,
    method: str = "exact",
    exposure: Any = None,
) -> Segmentation:
    """Find the change points of one or many series.

    Give either ``n_breaks`` (the exact optimum with exactly that many breaks, and the
    optimal cost for every smaller number) or ``penalty`` (the number of breaks is chosen by
    minimising cost + penalty × breaks).

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
        Periods × series; a DataFrame's index must be consecutive periods (integer years,
        a PeriodIndex or regular dates). A 2-D array is read as periods × series.
    n_breaks : int, optional
        Exact number of breaks K (segment neighbourhood dynamic programming).
    penalty : {"bic", "mbic", "aic", "hq"} or float, optional
        Penalty per break (see :mod:`periodize.segmentation.penalties` for formulas).
    model : {"poisson", "quasipoisson", "negbin", "normal", "normal_meanvar"}
        Segment likelihood. ``"poisson"`` on a weighted IntensitySeries uses the
        quasi-Poisson likelihood (recorded in the result).
    min_size : int
        Minimum number of periods in every segment, first and last included (default 3:
        a period of one or two years cannot be told from a burst of visits).
    method : {"exact", "pelt", "fpop", "ruptures.Binseg", "ruptures.BottomUp"}
        ``exact`` is exact dynamic programming (for penalised searches on long series:
        functional pruning for ``normal``, ``poisson`` and ``quasipoisson`` with a constant
        penalty per break, PELT otherwise); ``pelt`` and ``fpop`` force those searches; the
        ruptures methods are approximate.
    exposure : Series, DataFrame or array, optional
        Exposure of every period for ``poisson``/``quasipoisson`` (the GLM offset
        ``log E_t``): the rate of a segment is events per unit of exposure. A Series is
        shared by every series; a DataFrame has one column per series.

    Returns
    -------
    Segmentation

    Examples
    --------
    >>> import periodize as pz
    >>> counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    >>> fit = pz.segment(counts, n_breaks=2, model="poisson")
    >>> fit.boundaries, fit.last_years
    ((2009, 2015), (2008, 2014))
    """
    func = "segment"
    matrix = as_matrix(series, func)
    used = resolve_model(model, matrix.weighted)
    check_values(matrix, used, func)
    check_choice(method, METHODS, name="method", func=func)
    matrix = with_exposure(matrix, exposure, used, func)
    if matrix.exposure is not None and method in RUPTURES_METHODS:
        raise ParameterError(f"The ruptures methods of {func} take no exposure; use 'exact'.")
    cost_class = COSTS[used]
    min_size = check_int(min_size, name="min_size", func=func, minimum=cost_class.min_size)
    if (n_breaks is None) == (penalty is None):
        raise ParameterError(
            "segment needs exactly one of 'n_breaks' (a number of breaks) and 'penalty' "
            f"(a penalty per break). Got n_breaks={n_breaks!r}, penalty={penalty!r}."
        )
    n = matrix.values.shape[1]
    most = n // min_size - 1
    if most < 0:
        raise ParameterError(
            f"The 'min_size' parameter of segment must be at most the series length: the "
            f"series has {n} periods, fewer than min_size={min_size}, so not even one "
            f"segment fits. Lower min_size."
        )
    resolved: Penalty | None = None
    if n_breaks is not None:
        k = check_int(n_breaks, name="n_breaks", func=func, minimum=0)
        if k > most:
            raise ParameterError(
                f"The 'n_breaks' parameter of segment must be at most {max(most, 0)} for "
                f"{n} periods with min_size={min_size} (each of the {k + 1} segments needs "
                f"{min_size} periods). Got {k} instead."
            )
    else:
        resolved = resolve_penalty(penalty, n, cost_class.n_params, func)
    breaks, costs, path_breaks, how = _search(
        matrix, cost_class, n_breaks, resolved, min_size, method
    )
    return _result(
        matrix,
        cost_class,
        used,
        min_size,
        how,
        resolved,
        breaks,
        costs,
        path_breaks,
        penalty,
        n_breaks,
    )


def _search(
    matrix: SeriesMatrix,
    cost_class: type[Cost],
    n_breaks: int | None,
    penalty: Penalty | None,
    min_size: int,
    method: str,
) -> tuple[list[list[int]] | np.ndarray, np.ndarray, list[np.ndarray], str]:
    """Run the search; return breaks per series, costs by k, the path's breaks, and how."""
    values = matrix.values
    n_series, n = values.shape
    most = n // min_size - 1
    if method in RUPTURES_METHODS:
        beta = None if penalty is None else penalty.per_break
        breaks = ruptures_search(method, cost_class.name, values, n_breaks, beta, min_size)
        return breaks, np.full((n_series, 1), np.nan), [], method
    if penalty is None:
        k = int(n_breaks or 0)
        path = exact_path(cost_class, values, k, min_size, exposure=matrix.exposure)
        return path.breaks[k], path.costs, path.breaks, "exact (dp)"
    term = penalty.segment_term()
    if method == "exact" and most * n * n <= PATH_BUDGET:
        path = exact_path(cost_class, values, most, min_size, term, exposure=matrix.exposure)
        totals = path.costs + penalty.per_break * np.arange(most + 1)
        chosen = np.argmin(totals, axis=1)
        breaks = [path.breaks[k][i].tolist() for i, k in enumerate(chosen)]
        return breaks, path.costs, path.breaks, "exact (dp over all k)"
    if method == "exact" and n <= PELT_LENGTH:
        full = cost_class(values, exposure=matrix.exposure)
        _, breaks = optimal_partitioning(full, penalty.per_break, min_size, term)
        return breaks, np.full((n_series, 1), np.nan), [], "exact (optimal partitioning)"
    functional = cost_class.name in FPOP_MODELS and term is None
    if method == "fpop" and not functional:
        raise ParameterError(
            f"method='fpop' takes the models {', '.join(FPOP_MODELS)} with a constant penalty "
            f"per break (bic, aic, hq or a number); got model {cost_class.name!r}"
            + (" with mbic" if term is not None else "")
            + ". Use method='pelt'."
        )
    use_fpop = method == "fpop" or (method == "exact" and functional)
    rows = max(1, SEARCH_BLOCK_BYTES // (8 * (n + 1)))
    breaks = []
    for first in range(0, n_series, rows):
        block = slice(first, min(first + rows, n_series))
        cost = cost_class(values[block], exposure=matrix.rows(block))
        found = (
            fpop_breaks(cost, penalty.per_break, min_size)
            if use_fpop
            else pelt_breaks(cost, penalty.per_break, min_size, term)
        )
        if found is None:  # no compiled kernel (the negative binomial with exposure)
            found = [
                pelt(
                    cost_class(values[i : i + 1], exposure=matrix.rows(slice(i, i + 1))),
                    penalty.per_break,
                    min_size,
                    term,
                )[1]
                for i in range(block.start, block.stop)
            ]
        breaks += found
    return (
        breaks,
        np.full((n_series, 1), np.nan),
        [],
        "exact (fpop)" if use_fpop else "exact (pelt)",
    )


def _edges(breaks: list[list[int]] | np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    k = len(breaks[rows[0]])
    edges = np.empty((len(rows), k + 2), dtype=np.int64)
    edges[:, 0], edges[:, -1] = 0, n
    if k:
        edges[:, 1:-1] = (
            breaks[rows] if isinstance(breaks, np.ndarray) else [breaks[i] for i in rows]
        )
    return edges


def _result(
    matrix: SeriesMatrix,
    cost_class: type[Cost],
    used: str,
    min_size: int,
    how: str,
    penalty: Penalty | None,
    breaks: list[list[int]] | np.ndarray,
    path_costs: np.ndarray,
    path_breaks: list[np.ndarray],
    requested_penalty: Any,
    requested_breaks: int | None,
) -> Segmentation:
    """The Segmentation: break indices, costs and log-likelihoods now; the estimates table
    and the BIC of every k when first asked for (:func:`_details`)."""
    values, index, names = matrix.values, matrix.index, matrix.names
    n_series, n = values.shape
    counts = (
        np.full(n_series, breaks.shape[1])
        if isinstance(breaks, np.ndarray)
        else np.array([len(b) for b in breaks])
    )
    width = max(path_costs.shape[1], int(counts.max()) + 1)
    costs = np.full((n_series, width), np.nan)
    costs[:, : path_costs.shape[1]] = path_costs
    loglik = np.empty(n_series)
    full = cost_class(values, exposure=matrix.exposure)
    groups = np.unique(counts)
    fits = []
    for k in groups:
        rows = np.flatnonzero(counts == k)
        edges = _edges(breaks, rows, n)
        cost = full if len(groups) == 1 else cost_class(values[rows], exposure=matrix.rows(rows))
        loglik[rows] = cost.loglik(edges)
        costs[rows, k] = cost.total_cost(edges)
        fits.append((k, rows, edges, cost))
    name_index = pd.Index(names, name="series")
    provenance = Provenance(
        function="segment",
        parameters={
            "n_breaks": requested_breaks,
            "penalty": requested_penalty,
            "model": used,
            "min_size": min_size,
            "method": how,
            "exposure_sha256": exposure_sha256(matrix),
        },
        input_sha256=matrix_sha256(values, index, names),
    )
    return Segmentation(
        index=index,
        names=names,
        model=used,
        min_size=min_size,
        method=how,
        penalty=None
        if penalty is None
        else {"name": penalty.name, "per_break": penalty.per_break, "formula": penalty.formula},
        breaks=breaks,
        costs=pd.DataFrame(costs, index=name_index, columns=pd.Index(range(width), name="k")),
        loglik=pd.Series(loglik, index=name_index, name="loglik"),
        nuisance=pd.DataFrame(full.nuisance(), index=name_index),
        values=values,
        provenance=provenance,
        details=partial(_details, matrix, full, fits, loglik, path_costs, path_breaks, width),
    )


def _details(
    matrix: SeriesMatrix,
    full: Cost,
    fits: list[tuple[int, np.ndarray, np.ndarray, Cost]],
    loglik: np.ndarray,
    path_costs: np.ndarray,
    path_breaks: list[np.ndarray],
    width: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The estimates table (one row per series and segment), the BIC of every k and the
    serial-dependence diagnostics of the chosen segmentation."""
    index, names = matrix.index, matrix.names
    n_series, n = matrix.values.shape
    frames = []
    checks = []
    for k, rows, edges, cost in fits:
        estimate, se = cost.estimates(edges[:, :-1], edges[:, 1:])
        checks.append(_serial_checks(cost, matrix, rows, edges, estimate, se))
        frames.append(
            pd.DataFrame(
                {
                    "series": np.repeat(np.asarray(names, dtype=object)[rows], k + 1),
                    "segment": np.tile(np.arange(k + 1), len(rows)),
                    "first_index": edges[:, :-1].ravel(),
                    "n": np.diff(edges, axis=1).ravel(),
                    "estimate": estimate.ravel(),
                    "se": se.ravel(),
                }
            )
        )
    estimates = pd.concat(frames, ignore_index=True)
    if len(fits) > 1:  # one group is already in series order
        order = pd.Categorical(estimates["series"], categories=list(names)).codes
        estimates = estimates.iloc[np.lexsort((estimates["segment"].to_numpy(), order))]
    estimates = estimates.set_index(["series", "segment"])
    estimates.insert(0, "first", np.asarray(index)[estimates["first_index"]])
    estimates.insert(1, "last", np.asarray(index)[estimates["first_index"] + estimates["n"] - 1])
    bic = np.full((n_series, width), np.nan)

    def parameters(k: int) -> int:
        return (k + 1) * full.n_params + k + full.n_shared

    for k, found in enumerate(path_breaks):
        possible = np.isfinite(path_costs[:, k])
        if possible.any():
            edges = np.column_stack([np.zeros(n_series, int), found, np.full(n_series, n)])
            ll = full.loglik(edges)
            bic[:, k] = np.where(possible, -2 * ll + parameters(k) * np.log(n), np.nan)
    for k, rows, _, _ in fits:
        bic[rows, k] = -2 * loglik[rows] + parameters(k) * np.log(n)
    frame = pd.DataFrame(
        bic, index=pd.Index(names, name="series"), columns=pd.Index(range(width), name="k")
    )
    diagnostics = pd.concat(checks).loc[list(names)]
    return estimates, frame, diagnostics


def _serial_checks(
    cost: Cost,
    matrix: SeriesMatrix,
    rows: np.ndarray,
    edges: np.ndarray,
    estimate: np.ndarray,
    se: np.ndarray,
) -> pd.DataFrame:
    """Residual diagnostics of the segmentation of ``rows`` (one group of equal k)."""
    means = cost.fitted_means(edges)
    sd = None
    if cost.name == "normal_meanvar":
        segment = segment_of_each_period(edges, means.shape[1])
        sd = np.take_along_axis(se * np.sqrt(np.diff(edges, axis=1)), segment, axis=1)
    return serial_diagnostics(
        cost.name,
        matrix.values[rows],
        means,
        tuple(matrix.names[i] for i in rows),
        (edges.shape[1] - 1) * cost.n_params,
        alpha=cost.nuisance().get("alpha"),
        sd=sd,
    )
