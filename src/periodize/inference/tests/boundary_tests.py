"""A test for each hypothesised boundary: the periodization against itself without it.

For boundary ``j`` the statistic is ``LR_j = 2 (ℓ(H) − ℓ(H \\ j)) / φ``: the log-likelihood
of the hypothesised periodization ``H`` against the same periodization with boundary ``j``
removed (its two neighbouring periods merged), divided for quasi-Poisson by the Pearson
dispersion of the fit of ``H``. Its Monte Carlo p-value draws replicates from the fit of
the reduced model ``H \\ j`` (or permutes within its periods), recomputing the statistic
on each: no search is involved, so the test is exact in the Monte Carlo sense for the
nested fixed partitions. Holm's step-down adjustment controls the family-wise error over
the boundaries of each series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...segmentation.costs import COSTS
from ...segmentation.inputs import SeriesMatrix
from ..dependence import SerialDependence
from ..fits import (
    build_cost,
    edges_of,
    fitted,
    pearson_dispersion,
    replicate_alpha,
    studentizer,
)
from ..simulate import count_at_least, repeat_rows, replicates
from .multiple import holm
from .trend import TREND_SIMULATION, design, shifts, trend_pvalues

#: Simulation ids of the per-boundary tests start here (0-2 are the tests of the whole).
FIRST_SIMULATION = 16


def nested_lr(
    model: str,
    values: np.ndarray,
    full: np.ndarray,
    reduced: np.ndarray,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
    orders: np.ndarray | None = None,
) -> np.ndarray:
    """``2 (ℓ(full) − ℓ(reduced)) / φ`` per row, for break positions ``full`` (rows × k) and
    ``reduced`` (rows × k − 1); ``φ`` is the quasi-Poisson Pearson dispersion of the full
    fit (1 for other models); ``alpha`` a fixed NB2 dispersion per row. With ``orders``
    (AR orders per row) it is further divided by the long-run variance factor of the full
    fit's residuals (:func:`periodize.inference.fits.studentizer`)."""
    n = values.shape[1]
    cost = build_cost(model, values, exposure, alpha)
    full_edges, reduced_edges = edges_of(full, n), edges_of(reduced, n)
    lr = 2 * (cost.partial_loglik(full_edges) - cost.partial_loglik(reduced_edges))
    if model == "quasipoisson":
        lr = lr / pearson_dispersion(values, cost.fitted_means(full_edges), full.shape[1] + 1)
    lr = lr / studentizer(model, cost, values, full_edges, orders)
    return np.maximum(lr, 0.0)


def boundary_tests(
    model: str,
    matrix: SeriesMatrix,
    positions: np.ndarray,
    periods: pd.DataFrame,
    *,
    n_sim: int,
    seed: int,
    null: str,
    level: float = 0.95,
    batch_bytes: int = 64 * 2**20,
    serial: SerialDependence | None = None,
) -> pd.DataFrame:
    """One row per series and hypothesised boundary: statistic, Monte Carlo and asymptotic
    p-values, Holm-adjusted p-value, and the change across the boundary with its interval
    (from ``periods``, the table of the hypothesised periods). ``serial``: the serial
    dependence replicates are drawn with (independent periods without it)."""
    values = matrix.values
    n_series, n = values.shape
    k = positions.size
    if null == "trend":
        option = "independent" if serial is None else serial.option
        return _over_trend(model, matrix, positions, n_sim, seed, level, batch_bytes, option)
    full = np.broadcast_to(positions, (n_series, k))
    orders = None if serial is None else serial.order
    statistic = np.zeros((n_series, k))
    exceed = np.zeros((n_series, k))
    per_group = max(1, batch_bytes // (n_sim * n * 8))
    for j in range(k):
        reduced_positions = np.delete(positions, j)
        reduced = np.broadcast_to(reduced_positions, (n_series, k - 1))
        statistic[:, j] = nested_lr(model, values, full, reduced, matrix.exposure)
        pivot = nested_lr(model, values, full, reduced, matrix.exposure, orders=orders)
        fit = fitted(model, values, edges_of(reduced, n), matrix.exposure)
        groups = np.searchsorted(reduced_positions, np.arange(n), side="right").astype(float)
        for first in range(0, n_series, per_group):
            members = range(first, min(first + per_group, n_series))
            drawn = replicates(
                model,
                values,
                fit,
                members,
                n_sim,
                seed,
                FIRST_SIMULATION + j,
                null,
                groups,
                serial,
            )
            rows = len(drawn)
            simulated = nested_lr(
                model,
                drawn,
                np.broadcast_to(positions, (rows, k)),
                np.broadcast_to(reduced_positions, (rows, k - 1)),
                repeat_rows(matrix.exposure, members, n_sim),
                replicate_alpha(model, fit, members, n_sim),
                None if orders is None else np.repeat(orders[members.start : members.stop], n_sim),
            )
            exceed[members.start : members.stop, j] = count_at_least(
                simulated, pivot[members.start : members.stop], n_sim
            )
    pvalues = (1 + exceed) / (n_sim + 1)
    change = "ratio" if "ratio" in periods.columns else "difference"
    across = np.stack(
        [
            periods[column].unstack("period").loc[list(matrix.names)].to_numpy()[:, 1:]
            for column in (change, f"{change}_lower", f"{change}_upper")
        ]
    )
    table = _table(model, matrix, positions, statistic, pvalues, change, across, n_sim)
    table.attrs["method"] = (
        "likelihood ratio of the periodization against itself without the boundary"
        + (" (divided by the Pearson dispersion)" if model == "quasipoisson" else "")
        + f"; Monte Carlo p-value ({n_sim} replicates, "
        + ("permutation within" if null == "permutation" else "parametric bootstrap from")
        + " the periods without that boundary); asymptotic chi-squared with "
        + f"{COSTS[model].n_params} df; Holm-adjusted across the boundaries of each series; "
        + f"the {change} of the rates across the boundary with its interval"
    )
    return table


def _table(
    model: str,
    matrix: SeriesMatrix,
    positions: np.ndarray,
    statistic: np.ndarray,
    pvalues: np.ndarray,
    change: str,
    across: np.ndarray,
    n_sim: int,
) -> pd.DataFrame:
    """One row per series and boundary; ``across`` is (estimate, lower, upper) × series ×
    boundary."""
    asymptotic = stats.chi2.sf(statistic, COSTS[model].n_params)
    adjusted = np.vstack([holm(row) for row in pvalues])
    k = positions.size
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.asarray(matrix.names, dtype=object), k),
            "boundary": np.tile(np.asarray(matrix.index[positions], dtype=object), len(pvalues)),
            "statistic": statistic.ravel(),
            "pvalue": pvalues.ravel(),
            "pvalue_holm": adjusted.ravel(),
            "pvalue_asymptotic": asymptotic.ravel(),
            change: across[0].ravel(),
            f"{change}_lower": across[1].ravel(),
            f"{change}_upper": across[2].ravel(),
            "n_sim": n_sim,
        }
    )
    return frame.set_index(["series", "boundary"])


def _over_trend(
    model: str,
    matrix: SeriesMatrix,
    positions: np.ndarray,
    n_sim: int,
    seed: int,
    level: float,
    batch_bytes: int,
    dependence: str = "independent",
) -> pd.DataFrame:
    """Each boundary on top of a log-linear trend: the trend with every hypothesised shift
    against the same without boundary ``j``, replicates from the latter."""
    n_series, n = matrix.values.shape
    k = positions.size
    statistic, pvalues = np.zeros((n_series, k)), np.zeros((n_series, k))
    full = design(n, positions)
    for j in range(k):
        statistic[:, j], pvalues[:, j] = trend_pvalues(
            model,
            matrix,
            full,
            design(n, np.delete(positions, j)),
            n_sim=n_sim,
            seed=seed,
            simulation=TREND_SIMULATION + 1 + FIRST_SIMULATION + j,
            batch_bytes=batch_bytes,
            dependence=dependence,
        )
    change = "difference" if model == "normal" else "ratio"
    across = np.stack(shifts(model, matrix, full, list(range(2, 2 + k)), level))
    table = _table(model, matrix, positions, statistic, pvalues, change, across, n_sim)
    table.attrs["method"] = (
        "likelihood ratio of a log-linear trend with a level shift at every hypothesised "
        "boundary against the same without the boundary"
        + (" (divided by the Pearson dispersion)" if model == "quasipoisson" else "")
        + f"; Monte Carlo p-value ({n_sim} replicates from the fit without it, both models "
        "refitted); Holm-adjusted across the boundaries of each series; "
        + f"the {change} is the level shift beyond the trend, with its Wald interval"
    )
    return table
