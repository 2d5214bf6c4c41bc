"""Tests of one periodization shared by several series (``test_periodization(joint=True)``).

Every series keeps its own rate (mean) in every period and its own noise scale, so the
log-likelihood of a shared periodization is the sum of the members' and its likelihood ratio
against no change is the sum of theirs: ``LR = Σ_i 2 (ℓ_i(H) − ℓ_i(∅)) / φ_i``, each
member's divided by its quasi-Poisson Pearson dispersion ``φ_i`` (1 for other models) and,
for the Monte Carlo pivot, by its long-run variance factor. The best shared segmentation with
as many breaks is the exact optimum of the summed costs
(:func:`periodize.segmentation.search.joint.joint_path`, each member's cost divided by its
``φ_i``). Each boundary is tested jointly (the shared periodization against itself without
it), and each member's share of that likelihood ratio says which series carry the boundary.

Replicates are drawn for all members at once, and keep the members' correlation: the
standard normal innovations of the members' latent processes are correlated with the
correlation of their normal scores under the hypothesised fit (a Gaussian copula across
series as well as over time), so two directions of a dyad that rise and fall together are
not counted as independent evidence (measured: with no change, two Gaussian series
correlated at 0.8 over 40 periods, hypothesised boundaries rejected at the 5% level in 9.2%
of 1,500 records when the members were drawn independently, 5.4% with their correlation).
Each member also keeps its fitted latent AR (:mod:`periodize.inference.dependence`) unless
``dependence="independent"``. The permutation null permutes the periods of all members
together (the same permutation), which keeps their correlation exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._limits import check_memory
from ...segmentation.costs import COSTS, Cost
from ...segmentation.costs.mixed import of_parts
from ...segmentation.costs.poisson import LongRunQuasiPoissonCost
from ...segmentation.inputs import SeriesMatrix
from ...segmentation.joint import SummedCost
from ...segmentation.models import describe
from ...segmentation.search.joint import joint_path
from ..dependence import SerialDependence, copula_block, fit_dependence, normal_scores
from ..fits import (
    build_cost,
    edges_of,
    fitted,
    pearson_dispersion,
    refit_periods,
    studentizer,
)
from ..hypothesis import fit_diagnostics, test_provenance
from ..least_favourable import dropped_boundary_lr, least_favourable_fit, supported
from ..results import HypothesisTestResult
from ..simulate import BLOCK, replicates, standard_noise
from ..streams import block_generator, series_keys
from .boundary_tests import nested_lr
from .joint_result import JointPeriodizationTest
from .members import (
    by_model,
    fit_rows,
    fixed_alphas,
    parts,
    row_models,
    rows_of,
    tables_by_model,
)
from .multiple import holm
from .period_table import period_table

#: Simulation ids of the joint tests (the per-series tests use 0-2 and 16 onwards).
_NULL_SIM, _HYPOTHESIS_SIM, _FIRST_BOUNDARY_SIM = 1000, 1001, 1016


@dataclass(frozen=True)
class JointStatistics:
    """Per member row (groups × members, group by group): log-likelihoods of no change, the
    hypothesis and the best shared segmentation, the dispersion ``φ`` and the studentizers of
    the hypothesised and the best fits; the best shared breaks per group."""

    size: int
    loglik_none: np.ndarray
    loglik_hypothesis: np.ndarray
    loglik_best: np.ndarray
    scale: np.ndarray
    omega_hypothesis: np.ndarray
    omega_best: np.ndarray
    best_breaks: np.ndarray

    def _summed(self, rows: np.ndarray) -> np.ndarray:
        return rows.reshape(-1, self.size).sum(axis=1)

    def statistics(self, studentized: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per group: ``hypothesis_vs_none``, ``best_vs_none`` and ``best_vs_hypothesis``
        (``studentized``: each member's ratio divided by its studentizer under the
        alternative, as :meth:`periodize.inference.fits.Statistics.studentized` divides
        them; the Monte Carlo pivot)."""
        hypothesis, best = (self.omega_hypothesis, self.omega_best) if studentized else (1.0, 1.0)
        none = 2 * self.loglik_none / self.scale
        with_hypothesis = 2 * self.loglik_hypothesis / self.scale
        with_best = 2 * self.loglik_best / self.scale
        return (
            self._summed((with_hypothesis - none) / hypothesis),
            self._summed((with_best - none) / best),
            np.maximum(self._summed((with_best - with_hypothesis) / best), 0.0),
        )


def joint_statistics(
    models: tuple[str, ...],
    values: np.ndarray,
    size: int,
    positions: np.ndarray,
    min_size: int,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
    orders: np.ndarray | None = None,
) -> JointStatistics:
    """The statistics of groups of ``size`` consecutive rows of ``values`` (member ``j``
    of every group with model ``models[j]``) against the shared hypothesised breaks
    ``positions``; ``exposure``, ``alpha`` (fixed NB2 dispersion) and ``orders`` (AR
    orders of the studentizers) per row."""
    rows, n = values.shape
    k = positions.size
    hypothesis = edges_of(np.broadcast_to(positions, (rows, k)), n)
    scale = np.ones(rows)
    built: list[tuple[str, Any, Cost, Cost]] = []  # model, rows, its cost, its search cost
    for model, where in parts(row_models(models, rows)):
        part_values = values[where]
        part_exposure = None if exposure is None else exposure[where]
        cost = build_cost(
            model, part_values, part_exposure, None if alpha is None else alpha[where]
        )
        search = cost
        if model == "quasipoisson":  # each member's deviance over its own dispersion
            means = cost.fitted_means(hypothesis[where])
            scale[where] = pearson_dispersion(part_values, means, k + 1)
            search = LongRunQuasiPoissonCost(part_values, part_exposure, scale=scale[where])
        built.append((model, where, cost, search))
    searched = built[0][3] if len(built) == 1 else of_parts(values, [b[1::2] for b in built])
    best = joint_path(SummedCost(searched, size), k, min_size).breaks[k]
    best_edges = edges_of(np.repeat(best, size, axis=0), n)
    none_edges = edges_of(np.empty((rows, 0), dtype=np.int64), n)

    def each(measure: Any) -> np.ndarray:
        out = np.empty(rows)
        for model, where, cost, _ in built:
            out[where] = measure(model, where, cost)
        return out

    def student(edges: np.ndarray) -> np.ndarray:
        return each(
            lambda model, where, cost: studentizer(
                model, cost, values[where], edges[where], None if orders is None else orders[where]
            )
        )

    return JointStatistics(
        size=size,
        loglik_none=each(lambda _m, where, cost: cost.partial_loglik(none_edges[where])),
        loglik_hypothesis=each(lambda _m, where, cost: cost.partial_loglik(hypothesis[where])),
        loglik_best=each(lambda _m, where, cost: cost.partial_loglik(best_edges[where])),
        scale=scale,
        omega_hypothesis=student(hypothesis),
        omega_best=student(best_edges),
        best_breaks=best,
    )


def member_correlation(
    models: tuple[str, ...], values: np.ndarray, fit: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """The correlation of the members' normal scores under ``fit`` (members × members),
    each under its own model: the cross-series correlation of the latent Gaussian the
    dependent null draws from; 0 for a member whose scores do not vary (it carries no
    information on the correlation)."""
    scores = by_model(np.asarray(models, dtype=object), normal_scores, values, *fit)
    centred = scores - scores.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(norms[:, None] > 0, centred / norms[:, None], 0.0)
    correlation = unit @ unit.T
    np.fill_diagonal(correlation, 1.0)
    return np.clip(correlation, -1.0, 1.0)


def mixing_matrix(correlation: np.ndarray) -> np.ndarray:
    """A square root ``L`` of ``correlation`` (``L Lᵀ``), after raising any eigenvalue below
    zero (rounding, or a pairwise estimate that is not a correlation matrix) to zero and
    rescaling to a unit diagonal."""
    eigenvalues, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.maximum(eigenvalues, 0.0))
    return root / np.sqrt(np.maximum(np.sum(root**2, axis=1), 1e-300))[:, None]


def joint_replicates(
    models: tuple[str, ...],
    values: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    n_sim: int,
    seed: int,
    simulation: int,
    null: str,
    groups: np.ndarray,
    serial: SerialDependence,
    mixing: np.ndarray | None,
) -> np.ndarray:
    """``n_sim`` replicates of all members together, ``(n_sim × members, n)`` replicate by
    replicate: permuted together within ``groups`` (``null="permutation"``), or drawn from
    ``fit`` with each member's model and serial dependence and, with ``mixing`` (see
    :func:`mixing_matrix`), the members' correlation."""
    size, n = values.shape
    if null == "permutation":
        out = np.empty((n_sim, size, n))
        key = series_keys(values.reshape(1, -1))[0]
        for block, first in enumerate(range(0, n_sim, BLOCK)):
            stop = min(first + BLOCK, n_sim)
            keys = block_generator(seed, simulation, key, block).random((stop - first, n))
            order = np.argsort(keys + groups[None, :], axis=1)
            out[first:stop] = values[:, order].transpose(1, 0, 2)
        return out.reshape(-1, n)
    if mixing is None and len(set(models)) > 1:  # members drawn independently
        mixing = np.eye(size)
    if mixing is None:
        drawn = replicates(
            models[0], values, fit, range(size), n_sim, seed, simulation, null, groups, serial
        )
    else:
        drawn = np.empty((size * n_sim, n))
        standard_noise(series_keys(values), n_sim, seed, simulation, drawn)
        drawn[:] = (mixing @ drawn.reshape(size, n_sim * n)).reshape(size * n_sim, n)
        means, spread = fit
        owner = np.repeat(np.arange(size), n_sim)
        by_kind = parts(np.asarray(models, dtype=object))
        if len(by_kind) == 1:
            copula_block(
                models[0], means, spread, serial.partial, drawn, None, serial.margins, owner
            )
        else:  # each model's members through its own margin
            blocks = drawn.reshape(size, n_sim, n)  # member by member
            for model, where in by_kind:
                members = np.arange(size)[where]
                own = blocks[members].reshape(-1, n)
                margins = None if serial.margins is None else serial.margins[members]
                copula_block(
                    model, means[members], spread[members], serial.partial[members], own, None,
                    margins if margins is not None and np.isfinite(margins).all() else None,
                    np.repeat(np.arange(members.size), n_sim),
                )  # fmt: skip
                blocks[members] = own.reshape(members.size, n_sim, n)
    return drawn.reshape(size, n_sim, n).transpose(1, 0, 2).reshape(-1, n)


@dataclass(frozen=True)
class JointCore:
    """The three joint tests of one hypothesised periodization and what they were drawn
    with: the observed statistics (``statistics``: hypothesis_vs_none, best_vs_none,
    best_vs_hypothesis), their Monte Carlo p-values, the hypothesised fit, the members'
    serial dependence, their correlation and its square root (``None``: not drawn)."""

    observed: JointStatistics
    statistics: list[float]
    pvalues: list[float]
    hypothesis_fit: tuple[np.ndarray, np.ndarray]
    serial: SerialDependence
    correlation: np.ndarray
    mixing: np.ndarray | None


def joint_core(
    matrix: SeriesMatrix,
    models: tuple[str, ...],
    positions: np.ndarray,
    min_size: int,
    n_sim: int,
    seed: int,
    null: str,
    dependence: str,
    func: str,
) -> JointCore:
    """The joint tests of the hypothesised breaks ``positions`` of all rows of ``matrix``
    (row ``i`` with model ``models[i]``; replicates under no change for the tests against
    it, from the hypothesised periods for the test against the best shared segmentation)."""
    values, exposure = matrix.values, matrix.exposure
    size, n = values.shape
    check_memory(
        4 * 8 * n_sim * size * n,
        f"{func} of {size} series × {n} periods jointly with {n_sim:,} replicates",
        "ask for fewer replicates (n_sim=999 resolves p-values to 0.001)",
    )
    kinds = np.asarray(models, dtype=object)
    hypothesis_edges = edges_of(np.broadcast_to(positions, (size, positions.size)), n)
    hypothesis_fit = fit_members(kinds, values, hypothesis_edges, exposure)
    serial = member_dependence(dependence, kinds, values, hypothesis_fit, hypothesis_edges,
                               exposure, seed)  # fmt: skip
    correlation = member_correlation(models, values, hypothesis_fit)
    mixing = None if size == 1 or null == "permutation" else mixing_matrix(correlation)
    observed = joint_statistics(
        models, values, size, positions, min_size, exposure, orders=serial.order
    )
    pivots = observed.statistics(True)

    def simulated(fit: tuple[np.ndarray, np.ndarray], simulation: int, groups: np.ndarray) -> Any:
        drawn = joint_replicates(
            models, values, fit, n_sim, seed, simulation, null, groups, serial, mixing
        )
        return joint_statistics(
            models, drawn, size, positions, min_size, _tiled(exposure, n_sim),
            _tiled(fixed_alphas(kinds, fit), n_sim), _tiled(serial.order, n_sim),
        ).statistics(True)  # fmt: skip

    none_edges = edges_of(np.empty((size, 0), dtype=np.int64), n)
    under_none = simulated(
        fit_members(kinds, values, none_edges, exposure), _NULL_SIM, np.zeros(n)
    )
    periods_of = np.searchsorted(positions, np.arange(n), side="right").astype(float)
    under_hypothesis = simulated(
        _least_favourable(kinds, values, positions, hypothesis_fit, observed, exposure),
        _HYPOTHESIS_SIM,
        periods_of,
    )
    return JointCore(
        observed=observed,
        statistics=[float(s[0]) for s in observed.statistics(False)],
        pvalues=[
            _pvalue(under_none[0], pivots[0][0], n_sim),
            _pvalue(under_none[1], pivots[1][0], n_sim),
            _pvalue(under_hypothesis[2], pivots[2][0], n_sim),
        ],
        hypothesis_fit=hypothesis_fit,
        serial=serial,
        correlation=correlation,
        mixing=mixing,
    )


def _least_favourable(
    kinds: np.ndarray,
    values: np.ndarray,
    positions: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    observed: JointStatistics,
    exposure: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The hypothesised fit with the shared boundaries the members do not support together
    merged (:mod:`periodize.inference.least_favourable`): a boundary stays where the sum of
    the members' studentized likelihood ratios against dropping it is at least ``log n``."""
    lr = by_model(
        kinds, lambda model, *rows: dropped_boundary_lr(model, rows[0], positions, rows[1]),
        values, exposure,
    )  # fmt: skip
    studentized = lr / (observed.scale * observed.omega_hypothesis)[:, None]
    together = studentized.reshape(-1, observed.size, positions.size).sum(axis=1)
    kept = np.repeat(supported(together, values.shape[1]), observed.size, axis=0)
    return least_favourable_fit(fit, values, positions, kept, exposure)


def fit_members(
    kinds: np.ndarray, values: np.ndarray, edges: np.ndarray, exposure: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`periodize.inference.fits.fitted` of every member under its own model."""
    return by_model(kinds, lambda model, *rows: fitted(model, *rows), values, edges, exposure)


def member_dependence(
    option: str,
    kinds: np.ndarray,
    values: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    edges: np.ndarray,
    exposure: np.ndarray | None,
    seed: int,
) -> SerialDependence:
    """The latent AR of every member (:func:`periodize.inference.dependence.fit_dependence`)
    under its own model; the empirical margins of normal members (NaN rows for the others
    when models differ)."""
    alpha = fixed_alphas(kinds, fit)
    found = []
    for model, where in parts(kinds):
        rows = (values[where], fit[0][where], fit[1][where], edges[where])
        part_exposure, part_alpha = (None if a is None else a[where] for a in (exposure, alpha))
        refit = refit_periods(model, rows[3], part_exposure, part_alpha)
        found.append((where, fit_dependence(option, model, rows[0], rows[1:3], refit, seed)))
    if len(found) == 1:
        return found[0][1]
    size, n = values.shape
    first = found[0][1]
    order = np.empty(size, dtype=first.order.dtype)
    partial, estimated = (
        np.empty((size, first.partial.shape[1])),
        np.empty((size, first.estimated.shape[1])),
    )
    margins = None
    for where, serial in found:
        order[where], partial[where] = serial.order, serial.partial
        estimated[where] = serial.estimated
        if serial.margins is not None:
            margins = np.full((size, n), np.nan) if margins is None else margins
            margins[where] = serial.margins
    return SerialDependence(option, order, partial, estimated, margins)


def _tiled(rows: np.ndarray | None, n_sim: int) -> np.ndarray | None:
    """Per-member rows repeated for every replicate of :func:`joint_replicates`."""
    return None if rows is None else np.tile(rows, (n_sim,) + (1,) * (rows.ndim - 1))


def _pvalue(simulated: np.ndarray, observed: float, n_sim: int) -> float:
    tolerance = 1e-9 * max(1.0, abs(observed))
    return float((1 + np.sum(simulated >= observed - tolerance)) / (n_sim + 1))


def joint_periodization_test(
    matrix: SeriesMatrix,
    models: tuple[str, ...],
    positions: np.ndarray,
    boundaries: Any,
    *,
    min_size: int,
    n_sim: int,
    seed: int,
    level: float,
    null: str,
    dependence: str,
    func: str,
) -> JointPeriodizationTest:
    """The joint test of :func:`periodize.test_periodization` (``joint=True``; ``models``:
    the model of every series), inputs checked there."""
    values = matrix.values
    size, n = values.shape
    k = positions.size
    kinds = np.asarray(models, dtype=object)
    mixed = len(set(models)) > 1
    core = joint_core(matrix, models, positions, min_size, n_sim, seed, null, dependence, func)
    observed, serial, mixing = core.observed, core.serial, core.mixing
    hypothesis_edges = edges_of(np.broadcast_to(positions, (size, k)), n)
    periods = tables_by_model(
        kinds,
        matrix.names,
        lambda model, rows: period_table(
            model, rows_of(matrix, rows), hypothesis_edges[rows], observed.scale[rows], level
        ),
    )
    each, contributions = _boundaries(
        models, matrix, positions, periods, serial, mixing, n_sim=n_sim, seed=seed, null=null
    )
    diagnostics = tables_by_model(
        kinds,
        matrix.names,
        lambda model, rows: fit_diagnostics(
            model, rows_of(matrix, rows), fit_rows(core.hypothesis_fit, rows), k + 1
        ),
    )
    return JointPeriodizationTest(
        names=matrix.names,
        index=matrix.index,
        hypothesis=tuple(matrix.index[p] for p in positions),
        hypothesis_indices=tuple(int(p) for p in positions),
        model=describe(models, matrix.names) if mixed else models[0],
        min_size=min_size,
        n_sim=n_sim,
        level=level,
        null=null,
        tests=_tests(models, core.statistics, core.pvalues, k, n_sim, null, dependence),
        best=tuple(matrix.index[b] for b in observed.best_breaks[0]),
        boundary_tests=each,
        contributions=contributions,
        periods=periods,
        dependence=serial.frame(matrix.names),
        correlation=_correlation_table(core.correlation, matrix.names, n, null),
        diagnostics=diagnostics,
        provenance=test_provenance(
            func,
            matrix,
            boundaries,
            seed,
            serial,
            joint=True,
            model=dict(zip(matrix.names, models, strict=True)) if mixed else models[0],
            min_size=min_size,
            n_sim=n_sim,
            level=level,
            null=null,
            dependence=dependence,
        ),
    )


def _boundaries(
    models: tuple[str, ...],
    matrix: SeriesMatrix,
    positions: np.ndarray,
    periods: pd.DataFrame,
    serial: SerialDependence,
    mixing: np.ndarray | None,
    *,
    n_sim: int,
    seed: int,
    null: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The joint test of each boundary (the shared periodization against itself without
    it, replicates from the periods without it) and each member's contribution to it."""
    values, exposure = matrix.values, matrix.exposure
    size, n = values.shape
    k = positions.size
    kinds = np.asarray(models, dtype=object)
    member_lr = np.zeros((k, size))
    statistic, pvalue = np.zeros(k), np.zeros(k)
    for j in range(k):
        reduced = np.delete(positions, j)
        full_rows = np.broadcast_to(positions, (size, k))
        reduced_rows = np.broadcast_to(reduced, (size, k - 1))
        member_lr[j] = _nested(kinds, values, full_rows, reduced_rows, exposure)
        pivot = _nested(kinds, values, full_rows, reduced_rows, exposure, orders=serial.order)
        fit = fit_members(kinds, values, edges_of(reduced_rows, n), exposure)
        groups = np.searchsorted(reduced, np.arange(n), side="right").astype(float)
        drawn = joint_replicates(
            models, values, fit, n_sim, seed, _FIRST_BOUNDARY_SIM + j, null, groups, serial,
            mixing,
        )  # fmt: skip
        replicated = _nested(
            row_models(models, len(drawn)),
            drawn,
            np.broadcast_to(positions, (len(drawn), k)),
            np.broadcast_to(reduced, (len(drawn), k - 1)),
            _tiled(exposure, n_sim),
            _tiled(fixed_alphas(kinds, fit), n_sim),
            _tiled(serial.order, n_sim),
        ).reshape(n_sim, size)
        statistic[j] = member_lr[j].sum()
        pvalue[j] = _pvalue(replicated.sum(axis=1), float(pivot.sum()), n_sim)
    labels = pd.Index(np.asarray(matrix.index[positions], dtype=object), name="boundary")
    params = sum(COSTS[model].n_params for model in models)
    scaled = _scaled(models)
    each = pd.DataFrame(
        {
            "statistic": statistic,
            "pvalue": pvalue,
            "pvalue_holm": holm(pvalue),
            "pvalue_asymptotic": stats.chi2.sf(statistic, params),
            "n_sim": n_sim,
        },
        index=labels,
    )
    each.attrs["method"] = (
        "likelihood ratio of the shared periodization against itself without the boundary, "
        "summed over the series"
        + scaled
        + f"; Monte Carlo p-value ({n_sim} replicates of all series together, "
        + ("permuted together within" if null == "permutation" else "parametric bootstrap from")
        + " the periods without that boundary); asymptotic chi-squared with "
        + f"{params} df; Holm-adjusted across the boundaries"
    )
    changes = [c for c in ("ratio", "difference") if c in periods.columns]
    total = member_lr.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, member_lr / total, np.nan)
    contributions = pd.DataFrame(
        {
            "boundary": np.repeat(labels.to_numpy(), size),
            "series": np.tile(np.asarray(matrix.names, dtype=object), k),
            "statistic": member_lr.ravel(),
            "share": share.ravel(),
        }
    ).set_index(["boundary", "series"])
    for change in changes:  # the member's change across each boundary (series × boundary)
        for column in (change, f"{change}_lower", f"{change}_upper"):
            across = periods[column].unstack("period").loc[list(matrix.names)].to_numpy()[:, 1:]
            contributions[column] = across.T.ravel()
    contributions.attrs["method"] = (
        "each series' likelihood ratio of the periodization against itself without the "
        f"boundary and its share of their sum; the {' or '.join(changes)} of its rates "
        "across the boundary"
    )
    return each, contributions


def _nested(
    kinds: np.ndarray,
    values: np.ndarray,
    full: np.ndarray,
    reduced: np.ndarray,
    exposure: np.ndarray | None,
    alpha: np.ndarray | None = None,
    orders: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`.boundary_tests.nested_lr` of every row under its own model."""
    return by_model(
        kinds,
        lambda model, *rows: nested_lr(model, *rows),
        values,
        full,
        reduced,
        exposure,
        alpha,
        orders,
    )


def _scaled(models: tuple[str, ...], each: str = "each") -> str:
    """How the likelihood ratios are scaled, in words (quasi-Poisson members' dispersion)."""
    if "quasipoisson" not in models:
        return ""
    if set(models) == {"quasipoisson"}:
        return f" ({each} divided by its Pearson dispersion)"
    return " (each quasi-Poisson series' divided by its Pearson dispersion)"


def _correlation_table(
    correlation: np.ndarray, names: tuple[str, ...], n: int, null: str
) -> pd.DataFrame:
    """Each pair of members: the correlation of their normal scores under the hypothesised
    fit with a p-value of no correlation (Fisher's z; it assumes independent periods);
    ``attrs["kept_by"]`` how replicates keep it."""
    first, second = np.triu_indices(len(names), 1)
    r = correlation[first, second]
    z = np.arctanh(np.clip(r, -0.999999, 0.999999)) * np.sqrt(max(n - 3, 1))
    table = pd.DataFrame(
        {
            "series": np.asarray(names, dtype=object)[first],
            "other": np.asarray(names, dtype=object)[second],
            "correlation": r,
            "pvalue": 2 * stats.norm.sf(np.abs(z)),
        }
    ).set_index(["series", "other"])
    table.attrs["kept_by"] = (
        "all series permuted together" if null == "permutation" else "Gaussian copula"
    )
    return table


def _tests(
    models: tuple[str, ...],
    statistics: list[float],
    pvalues: list[float],
    k: int,
    n_sim: int,
    null: str,
    dependence: str,
) -> dict[str, HypothesisTestResult]:
    size = len(models)
    df = k * sum(COSTS[model].n_params for model in models)
    scaled = _scaled(models, "each series'")
    if null == "permutation":
        how = "the periods of all series permuted together"
    elif dependence == "independent" or size == 1:
        how = "parametric bootstrap, periods drawn independently" + (
            ", the series with their correlation" if size > 1 else ""
        )
    else:
        how = "parametric bootstrap keeping each series' serial dependence and their correlation"
    hypothesis_vs_none, best_vs_none, best_vs_hypothesis = statistics
    return {
        "hypothesis_vs_none": HypothesisTestResult(
            "hypothesis_vs_none",
            hypothesis_vs_none,
            pvalues[0],
            f"likelihood ratio summed over the {size} series{scaled}; Monte Carlo p-value "
            f"({n_sim} replicates, {how}, under no change); asymptotic chi-squared with "
            f"{df} df",
            "every series is constant over the whole window",
            "the series change at the shared hypothesised boundaries",
            pvalue_asymptotic=float(stats.chi2.sf(hypothesis_vs_none, df)),
            n_sim=n_sim,
        ),
        "best_vs_none": HypothesisTestResult(
            "best_vs_none",
            best_vs_none,
            pvalues[1],
            f"sup-likelihood ratio over all shared {k}-break segmentations, summed over the "
            f"series{scaled}; Monte Carlo p-value ({n_sim} replicates, {how}, under no change)",
            "every series is constant over the whole window",
            f"the series change at some {k} shared boundaries",
            n_sim=n_sim,
        ),
        "best_vs_hypothesis": HypothesisTestResult(
            "best_vs_hypothesis",
            best_vs_hypothesis,
            pvalues[2],
            f"likelihood-ratio gap between the best shared {k}-break segmentation and the "
            f"hypothesis{scaled}; Monte Carlo p-value ({n_sim} replicates, {how}, from the "
            "hypothesised periods)",
            "the hypothesised periodization is the true one for every series",
            f"other shared {k} boundaries fit better than the hypothesised ones",
            n_sim=n_sim,
        ),
    }
