"""``compare_periodizations(..., joint=True)``: named periodizations shared by all series.

Each row is one partition shared by every series (each keeping its own rates): its
log-likelihood is the sum of the series' (for quasi-Poisson each divided by its Pearson
dispersion under the largest model, as in QAIC), its parameters are every series' rates
plus, for a best segmentation, its estimated boundaries once; the exact posterior uses the
product of the series' conjugate marginal likelihoods; the p-values are those of
:func:`periodize.test_periodization` with ``joint=True`` for the same seed (a best shared
segmentation's p-value against no change is that function's ``best_vs_none``). The best
shared segmentations are those ``segment(..., joint=True)`` finds with as many breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ...segmentation.costs import COSTS
from ...segmentation.costs.mixed import mixed_cost
from ...segmentation.inputs import SeriesMatrix
from ...segmentation.joint import SummedCost
from ...segmentation.search.dynamic import identified
from ...segmentation.search.joint import joint_path
from ..bayes.marginals import log_marginals, resolve_prior
from ..bayes.recursions import sums
from ..fits import edges_of, pearson_dispersion
from ..hypothesis import fit_diagnostics
from .joint import joint_core
from .members import fit_rows, rows_of, tables_by_model
from .members import parts as model_parts

#: Models whose exact posterior the conjugate marginals give.
CONJUGATE = {"poisson": "poisson", "normal": "normal", "normal_meanvar": "normal"}


def group_name(names: tuple[str, ...]) -> str:
    """The label of a group of series tested jointly (the table's ``series`` level)."""
    return " + ".join(names)


def joint_table(
    models: tuple[str, ...],
    matrix: SeriesMatrix,
    named: dict[str, np.ndarray],
    *,
    min_size: int,
    n_sim: int,
    seed: int,
    null: str,
    dependence: str,
    include_best: bool,
    include_none: bool,
    prior: Mapping[str, Any] | None,
    func: str,
) -> pd.DataFrame:
    """The comparison table of shared partitions: one row per periodization, indexed by
    (the group's name, periodization), with the columns of ``compare_periodizations``
    (``models``: the model of every series)."""
    values, exposure = matrix.values, matrix.exposure
    size, n = values.shape
    k_max = max([len(p) for p in named.values()] + [0])
    kinds = np.asarray(models, dtype=object)
    if len(set(models)) == 1:
        cost = COSTS[models[0]](values, exposure=exposure)
    else:  # (no exposure with a model per series)
        cost = mixed_cost(tuple(COSTS[m] for m in models))(values)
    parts: dict[str, tuple[np.ndarray, bool]] = {}
    if include_none:
        parts["no change"] = (np.empty(0, dtype=np.int64), False)
    parts.update({name: (positions, False) for name, positions in named.items()})
    shown: dict[str, bool] = dict.fromkeys(parts, True)
    if include_best:
        path = joint_path(SummedCost(cost, size), k_max, min_size)
        for k in sorted({len(p) for p in named.values()} - {0}):
            name = f"best with {k} break{'s' if k != 1 else ''}"
            parts[name] = (path.breaks[k][0], True)
            # every placement ties (all series constant, or no gain): nothing estimated
            shown[name] = bool(
                identified(values.reshape(1, -1), path.costs[:, 0], path.costs[:, k])[0]
            )
    largest = max(parts, key=lambda name: (parts[name][0].size, parts[name][1]))
    scale = np.ones(size)
    quasi = kinds == "quasipoisson"
    if quasi.any():
        edges = _edges(parts[largest][0], size, n)
        dispersion = pearson_dispersion(
            values, cost.fitted_means(edges), parts[largest][0].size + 1
        )
        scale = np.where(quasi, dispersion, 1.0)
    p = sum(COSTS[m].n_params for m in models)
    shared = sum(COSTS[m].n_shared for m in models)
    rows = []
    for name, (breaks, estimated) in parts.items():
        k = breaks.size
        loglik = float(np.sum(cost.loglik(_edges(breaks, size, n)) / scale))
        n_params = (k + 1) * p + shared + (k if estimated else 0)
        tests = _tests(
            models, matrix, breaks, estimated, min_size, n_sim, seed, null, dependence, func
        )
        rows.append(
            {
                "name": name,
                "boundaries": tuple(matrix.index[b] for b in breaks) if shown[name] else None,
                "breaks": k,
                "estimated": estimated,
                "loglik": loglik,
                "n_params": n_params,
                "aic": -2 * loglik + 2 * n_params,
                "bic": -2 * loglik + n_params * np.log(n),
                **tests,
            }
        )
    table = pd.DataFrame(rows)
    table["same_as"] = _repeats([parts[name][0] for name in parts], list(parts))
    counted = table["same_as"].isna().to_numpy()
    for criterion in ("aic", "bic"):
        score = np.where(counted, table[criterion].to_numpy(), np.inf)
        weights = np.exp(-0.5 * (score - score.min()))
        table[f"{criterion}_weight"] = np.where(counted, weights / weights.sum(), np.nan)
    table["posterior"], table["posterior_given_k"] = _posterior(
        models, matrix, [parts[name][0] for name in parts], counted, prior, min_size, func
    )
    table.insert(0, "series", group_name(matrix.names))
    return table.set_index(["series", "name"])


def _edges(breaks: np.ndarray, size: int, n: int) -> np.ndarray:
    return edges_of(np.broadcast_to(breaks, (size, breaks.size)), n)


def _tests(
    models: tuple[str, ...],
    matrix: SeriesMatrix,
    breaks: np.ndarray,
    estimated: bool,
    min_size: int,
    n_sim: int,
    seed: int,
    null: str,
    dependence: str,
    func: str,
) -> dict[str, float]:
    """The row's joint p-values and its residual checks (the series with the strongest
    lag-1 autocorrelation, the smallest Ljung–Box p-value, the highest AR order)."""
    if breaks.size == 0:
        keys = ("p_vs_none", "p_vs_best", "residual_lag1", "ljung_box_p", "ar_order")
        return {**dict.fromkeys(keys, np.nan), "n_sim": n_sim}
    core = joint_core(matrix, models, breaks, min_size, n_sim, seed, null, dependence, func)
    fit = core.hypothesis_fit
    checks = tables_by_model(
        np.asarray(models, dtype=object),
        matrix.names,
        lambda model, rows: fit_diagnostics(
            model, rows_of(matrix, rows), fit_rows(fit, rows), breaks.size + 1
        ),
    )
    return {
        "p_vs_none": core.pvalues[1] if estimated else core.pvalues[0],
        "p_vs_best": np.nan if estimated else core.pvalues[2],
        "n_sim": n_sim,
        "residual_lag1": float(checks["acf_1"].max()),
        "ljung_box_p": float(checks["pvalue"].min()),
        "ar_order": int(core.serial.order.max()),
    }


def _repeats(partitions: list[np.ndarray], names: list[str]) -> list[str | None]:
    """For each row, the earlier row with the same partition (``None``: the first)."""
    first: dict[tuple[int, ...], str] = {}
    same: list[str | None] = []
    for name, breaks in zip(names, partitions, strict=True):
        key = tuple(breaks.tolist())
        same.append(first.get(key))
        first.setdefault(key, name)
    return same


def _posterior(
    models: tuple[str, ...],
    matrix: SeriesMatrix,
    partitions: list[np.ndarray],
    counted: np.ndarray,
    prior: Mapping[str, Any] | None,
    min_size: int,
    func: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The exact posterior of each shared partition (normalised over the counted rows) and
    its share among all shared partitions with as many breaks (a shared segment's marginal
    likelihood: the product of every series' under its own model's conjugate prior); NaN
    when a series' model has none."""
    if any(m not in CONJUGATE for m in models):
        empty = np.full(len(partitions), np.nan)
        return empty, empty.copy()
    values, exposure = matrix.values, matrix.exposure
    n = values.shape[1]
    k_max = max(p.size for p in partitions)
    shared = np.zeros((1, n + 1, n + 1))
    for model, rows in model_parts(np.asarray(models, dtype=object)):
        part = values[rows]
        part_exposure = None if exposure is None else exposure[rows]
        resolved = resolve_prior(CONJUGATE[model], prior, part, func, part_exposure)
        log_m = log_marginals(CONJUGATE[model], part, resolved, min_size, part_exposure)
        shared = shared + log_m.sum(axis=0, keepdims=True)  # a shared segment: the product
    s = sums(shared, k_max)
    given_k, scores = [], []
    for breaks in partitions:
        edges = np.r_[0, breaks, n]
        log_like = float(sum(shared[0, a, b] for a, b in pairwise(edges)))
        given_k.append(np.exp(log_like - s.evidence[0, breaks.size]))
        scores.append(log_like - s.log_count[breaks.size] - np.log(k_max + 1))
    score = np.where(counted, scores, -np.inf)
    posterior = np.where(counted, np.exp(score - logsumexp(score)), np.nan)
    return posterior, np.where(counted, given_k, np.nan)
