"""``compare_periodizations``: several named periodizations of the same series, ranked.

Every candidate (and, optionally, no change and the best segmentation with as many breaks
as each candidate) gets its log-likelihood, its number of parameters, AIC and BIC with
their weights, its exact posterior probability under the conjugate priors of
:func:`periodize.posterior`, and two Monte Carlo likelihood-ratio tests: against no change
and against the best segmentation with as many breaks. The replicates are the ones
:func:`periodize.test_periodization` draws for the same seed, so each candidate's p-values
equal that function's ``hypothesis_vs_none`` and ``best_vs_hypothesis``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ..._typing import RandomState
from ...exceptions import ParameterError, PeriodizeTypeError
from ...results import Provenance, matrix_sha256
from ...segmentation.costs import COSTS
from ...segmentation.diagnostics import serial_diagnostics
from ...segmentation.inputs import SeriesMatrix, exposure_sha256
from ...segmentation.models import describe
from ...segmentation.search.dynamic import exact_path, identified
from ..bayes.marginals import log_marginals, resolve_prior
from ..bayes.recursions import sums
from ..dependence import SerialDependence, check_dependence, fit_dependence
from ..fits import (
    build_cost,
    edges_of,
    fitted,
    fixed_alpha,
    pearson_dispersion,
    refit_best,
    refit_periods,
    replicate_alpha,
    statistics,
    studentizer,
)
from ..hypothesis import boundary_positions, checked_inputs, checked_member_inputs, exposed
from ..least_favourable import least_favourable
from ..simulate import count_at_least, repeat_rows, replicates
from ..streams import root_seed
from .comparison_result import Comparison
from .joint_comparison import group_name, joint_table
from .periodization import BATCH_BYTES, _check_joint

__all__ = ["compare_periodizations"]

_NULL_SIM, _CANDIDATE_SIM = 0, 1  # the simulation ids test_periodization uses


def compare_periodizations(
    series: Any,
    candidates: Mapping[str, Sequence[Any]],
    *,
    model: str | Mapping[str, str] = "poisson",
    min_size: int = 3,
    n_sim: int = 9999,
    rng: RandomState = 0,
    null: str = "parametric",
    include_best: bool = True,
    include_none: bool = True,
    prior: Mapping[str, Any] | None = None,
    exposure: Any = None,
    dependence: str = "auto",
    joint: bool = False,
) -> Comparison:
    """Rank named periodizations of one or many series.

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
        One or many series (periods × series).
    candidates : mapping of str to sequence
        Named periodizations by their boundaries (first periods of new segments), e.g.
        ``{"paper": (2009, 2019), "2009 only": (2009,)}``.
    model : str or mapping
        As in :func:`periodize.test_periodization`: with ``joint=True`` a mapping gives
        every series its own model (the exact posterior then multiplies each series'
        marginal under its model's default conjugate prior; ``prior`` is not taken).
    min_size : int
        Minimum period length (every candidate must respect it).
    n_sim : int
        Monte Carlo replicates per test (at least 99).
    rng : int, Generator or None
        Seed; the same seed gives the same p-values as ``test_periodization``.
    null : {"parametric", "permutation"}
        How replicates are drawn (see :func:`periodize.test_periodization`).
    include_best, include_none : bool
        Add a row for the best segmentation with as many breaks as each candidate, and one
        for no change.
    prior : mapping, optional
        Conjugate prior of the exact posterior (see :func:`periodize.posterior`).
    exposure : Series, DataFrame or array, optional
        Exposure of every period for ``poisson``/``quasipoisson`` (offset ``log E_t``), as
        in :func:`periodize.test_periodization`.
    dependence : {"auto", "independent", "ar"}
        Serial dependence of the replicates, as in :func:`periodize.test_periodization`:
        fitted to each candidate's periods (for a best segmentation, searched again on the
        simulated series of the bias correction).
    joint : bool
        Rank periodizations shared by all the series (columns), each keeping its own rates
        (:mod:`periodize.inference.tests.joint_comparison`): one row per shared partition,
        under the series label ``"a + b + ..."``; p-values as ``test_periodization(...,
        joint=True)`` gives them for the same seed; the best rows are the best shared
        segmentations.

    Returns
    -------
    Comparison
        ``table``: one row per series and periodization with ``boundaries``, ``breaks``,
        ``loglik``, ``n_params``, ``aic``, ``bic``, ``aic_weight``, ``bic_weight``,
        ``posterior`` (the exact posterior probability, normalised over the distinct
        partitions among the rows of the series), ``posterior_given_k`` (its share among
        all partitions with that many breaks), ``p_vs_none``, ``p_vs_best``, ``n_sim``, and
        the serial-dependence checks of each periodization's fit: ``residual_lag1`` (lag-1
        autocorrelation of its Pearson residuals), ``ljung_box_p`` and ``ar_order`` (the
        latent AR its replicates were drawn with; 0: independent periods).

    Notes
    -----
    Hypothesised boundaries are fixed, so a candidate with ``k`` breaks has ``(k + 1) p +
    s`` parameters (``p`` per segment, ``s`` shared); a best segmentation's ``k`` estimated
    boundaries count too. For quasi-Poisson the log-likelihoods are divided by the Pearson
    dispersion of the largest model (the best segmentation with the most breaks), as in
    QAIC. The exact posterior needs counts (``poisson``) or ``normal`` data; for other
    models those columns are empty. Its prior is uniform over k = 0..(the most breaks of
    any row) and uniform over admissible positions given k, as in ``posterior``.

    Examples
    --------
    >>> import periodize as pz
    >>> counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    >>> table = pz.compare_periodizations(
    ...     counts, {"paper": (2009, 2019), "2009 only": (2009,)}, n_sim=199).table
    >>> table.loc["KAZ-MNG", ["breaks", "bic_weight", "p_vs_none"]].round(2)
                        breaks  bic_weight  p_vs_none
    name
    no change                0        0.52        NaN
    paper                    2        0.17       0.27
    2009 only                1        0.18       0.40
    best with 1 break        1        0.06       0.84
    best with 2 breaks       2        0.07       0.78
    """
    func = "compare_periodizations"
    joint = _check_joint(joint, null, func)
    if isinstance(model, Mapping) and joint:  # a model per series
        if prior is not None:
            raise ParameterError(
                f"The 'prior' parameter of {func} is one family's prior; with a model per "
                "series each series takes its own model's default prior. Pass prior=None."
            )
        matrix, models, min_size, n_sim = checked_member_inputs(
            series, model, min_size, n_sim, null, exposure, func, ("parametric", "permutation")
        )
        used = describe(models, matrix.names)
    else:  # (a mapping without joint=True is refused there, with the way out)
        matrix, used, min_size, n_sim = checked_inputs(
            series, cast(str, model), min_size, n_sim, null, func,
            nulls=("parametric", "permutation"),
        )  # fmt: skip
        matrix = exposed(matrix, exposure, used, null, func)
        models = (used,) * matrix.values.shape[0]
    named = _candidates(candidates, matrix, min_size, func)
    seed = root_seed(rng, func)
    k_max = max([len(p) for p in named.values()] + [0])
    n = matrix.values.shape[1]
    if k_max > n // min_size - 1:
        raise ParameterError(
            f"A candidate of {func} has {k_max} breaks, more than {n} periods with "
            f"min_size={min_size} allow."
        )
    dependence = check_dependence(dependence, null, func, matrix.values.shape[1])
    if joint:
        table = joint_table(
            models, matrix, named, min_size=min_size, n_sim=n_sim, seed=seed, null=null,
            dependence=dependence, include_best=include_best, include_none=include_none,
            prior=prior, func=func,
        )  # fmt: skip
    else:
        table = _table(
            used, matrix, named, k_max, min_size, n_sim, seed, null, dependence, include_best,
            include_none, prior, func,
        )  # fmt: skip
    same = table["same_as"].astype(object)
    table["same_as"] = same.where(same.notna(), None)  # None, whatever pandas made of it
    return Comparison(
        names=(group_name(matrix.names),) if joint else matrix.names,
        index=matrix.index,
        model=used,
        min_size=min_size,
        n_sim=n_sim,
        null=null,
        candidates={k: tuple(matrix.index[p] for p in v) for k, v in named.items()},
        table=table,
        provenance=Provenance(
            function=func,
            parameters={
                "candidates": {k: [str(b) for b in v] for k, v in candidates.items()},
                "model": (
                    dict(zip(matrix.names, models, strict=True)) if len(set(models)) > 1 else used
                ),
                "min_size": min_size,
                "n_sim": n_sim,
                "null": null,
                "dependence": dependence,
                "joint": joint,
                "include_best": include_best,
                "include_none": include_none,
                "prior": None if prior is None else dict(prior),
                "exposure_sha256": exposure_sha256(matrix),
            },
            input_sha256=matrix_sha256(matrix.values, matrix.index, matrix.names),
            seed=seed,
        ),
        members=matrix.names if joint else (),
    )


def _table(
    used: str,
    matrix: SeriesMatrix,
    named: dict[str, np.ndarray],
    k_max: int,
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
    """The comparison table of each series on its own, indexed by (series, name)."""
    rows, found = _rows(used, matrix, named, k_max, min_size, include_best, include_none)
    _mark_repeats(rows, found)
    _information(rows, found, used, matrix)
    _posterior(rows, found, used, matrix, prior, min_size, func)
    _monte_carlo(rows, found, used, matrix, min_size, n_sim, seed, null, dependence)
    table = pd.concat(rows.values(), keys=list(rows), names=["name"]).swaplevel(0, 1)
    order = {name: i for i, name in enumerate(rows)}
    table = table.sort_index(
        level=[0, 1], key=lambda level: level.map(order) if level.name == "name" else level
    )
    return table.loc[list(matrix.names)]


def check_candidate_name(name: str, func: str) -> None:
    """Refuse a candidate named as a row the comparison adds ("no change", "best with k
    breaks"): one of the two rows would silently replace the other.

    Examples
    --------
    >>> check_candidate_name("paper", "study")
    >>> check_candidate_name("best with 2 breaks", "study")
    Traceback (most recent call last):
    ...
    periodize.exceptions.ParameterError: Candidate 'best with 2 breaks' of study has the \
name of a row the comparison adds ('no change', 'best with k breaks'), which would replace \
it; rename it.
    """
    if name == "no change" or re.fullmatch(r"best with \d+ breaks?", name):
        raise ParameterError(
            f"Candidate {name!r} of {func} has the name of a row the comparison adds "
            "('no change', 'best with k breaks'), which would replace it; rename it."
        )


def _candidates(
    candidates: Any, matrix: SeriesMatrix, min_size: int, func: str
) -> dict[str, np.ndarray]:
    if not isinstance(candidates, Mapping) or not candidates:
        raise PeriodizeTypeError(
            f"The 'candidates' parameter of {func} must be a non-empty mapping of names to "
            'boundaries, such as {"paper": (2009, 2019), "2009 only": (2009,)}. '
            f"Got {candidates!r} instead."
        )
    named = {}
    for name, boundaries in candidates.items():
        if not isinstance(name, str) or not name.strip():
            raise PeriodizeTypeError(f"Candidate names of {func} must be text; got {name!r}.")
        check_candidate_name(name, func)
        named[name] = boundary_positions(matrix.index, boundaries, min_size, func)
    seen: dict[tuple[int, ...], str] = {}
    for name, positions in named.items():
        key = tuple(positions.tolist())
        if key in seen:
            raise ParameterError(
                f"Candidates {seen[key]!r} and {name!r} of {func} are the same periodization."
            )
        seen[key] = name
    return named


def _rows(
    model: str,
    matrix: SeriesMatrix,
    named: dict[str, np.ndarray],
    k_max: int,
    min_size: int,
    include_best: bool,
    include_none: bool,
) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    """The rows (no change, the candidates, best segmentations) and the break positions of
    each, ``(series, k)``."""
    values = matrix.values
    n_series = values.shape[0]
    path = exact_path(COSTS[model], values, k_max, min_size, exposure=matrix.exposure)
    everywhere = np.ones(n_series, dtype=bool)
    # (positions, estimated, shown): a best segmentation of a series it does not identify
    # (every placement ties) has no boundaries to show
    breaks: dict[str, tuple[np.ndarray, bool, np.ndarray]] = {}
    if include_none:
        breaks["no change"] = (np.empty((n_series, 0), dtype=np.int64), False, everywhere)
    for name, positions in named.items():
        fixed = np.broadcast_to(positions, (n_series, positions.size))
        breaks[name] = (fixed, False, everywhere)
    if include_best:
        for k in sorted({len(p) for p in named.values()} - {0}):
            known = identified(values, path.costs[:, 0], path.costs[:, k])
            breaks[f"best with {k} break{'s' if k != 1 else ''}"] = (path.breaks[k], True, known)
    rows = {}
    for name, (found, estimated, shown) in breaks.items():
        rows[name] = pd.DataFrame(
            {
                "boundaries": [
                    tuple(matrix.index[j] for j in row) if ok else None
                    for row, ok in zip(found, shown, strict=True)
                ],
                "breaks": found.shape[1],
                "estimated": estimated,
            },
            index=pd.Index(matrix.names, name="series"),
        )
    return rows, {name: np.asarray(found) for name, (found, _, _) in breaks.items()}


def _information(
    rows: dict[str, pd.DataFrame], found: dict[str, np.ndarray], model: str, matrix: SeriesMatrix
) -> None:
    values = matrix.values
    n = values.shape[1]
    cost = COSTS[model](values, exposure=matrix.exposure)
    largest = max(rows, key=lambda r: (rows[r]["breaks"].iat[0], rows[r]["estimated"].iat[0]))
    scale = np.ones(values.shape[0])
    if model == "quasipoisson":
        edges = edges_of(found[largest], n)
        scale = pearson_dispersion(values, cost.fitted_means(edges), edges.shape[1] - 1)
    p, shared = COSTS[model].n_params, COSTS[model].n_shared
    for name, row in rows.items():
        k = row["breaks"].to_numpy()
        loglik = cost.loglik(edges_of(found[name], n)) / scale
        n_params = (k + 1) * p + shared + np.where(row["estimated"], k, 0)
        row["loglik"] = loglik
        row["n_params"] = n_params
        row["aic"] = -2 * loglik + 2 * n_params
        row["bic"] = -2 * loglik + n_params * np.log(n)
    counted = _counted(rows)
    for criterion in ("aic", "bic"):
        stacked = np.column_stack([r[criterion].to_numpy() for r in rows.values()])
        stacked = np.where(counted, stacked, np.inf)  # a repeated partition counts once
        weights = np.exp(-0.5 * (stacked - stacked.min(axis=1, keepdims=True)))
        weights /= weights.sum(axis=1, keepdims=True)
        weights = np.where(counted, weights, np.nan)
        for j, row in enumerate(rows.values()):
            row[f"{criterion}_weight"] = weights[:, j]


def _mark_repeats(rows: dict[str, pd.DataFrame], found: dict[str, np.ndarray]) -> None:
    """``same_as``: the earlier row whose partition a row repeats, per series (a candidate
    may be the best segmentation itself); such a row keeps its own fit and tests but takes
    no share of the weights or of the posterior, so each partition counts once."""
    names = list(rows)
    for later, name in enumerate(names):
        same = np.full(len(rows[name]), None, dtype=object)
        for earlier in names[:later]:
            if found[earlier].shape != found[name].shape:
                continue
            equal = np.all(found[earlier] == found[name], axis=1) & (same == None)  # noqa: E711
            same[equal & (rows[earlier]["same_as"].isna().to_numpy())] = earlier
        rows[name]["same_as"] = same


def _counted(rows: dict[str, pd.DataFrame]) -> np.ndarray:
    """Rows × candidates: True where the row's partition is counted (not a repeat)."""
    return np.column_stack([r["same_as"].isna().to_numpy() for r in rows.values()])


def _posterior(
    rows: dict[str, pd.DataFrame],
    found: dict[str, np.ndarray],
    model: str,
    matrix: SeriesMatrix,
    prior: Mapping[str, Any] | None,
    min_size: int,
    func: str,
) -> None:
    conjugate = {"poisson": "poisson", "normal": "normal", "normal_meanvar": "normal"}
    if model not in conjugate:
        for row in rows.values():
            row["posterior"] = np.nan
            row["posterior_given_k"] = np.nan
        return
    values = matrix.values
    n = values.shape[1]
    k_max = max(int(r["breaks"].iat[0]) for r in rows.values())
    resolved = resolve_prior(conjugate[model], prior, values, func, matrix.exposure)
    log_m = log_marginals(conjugate[model], values, resolved, min_size, matrix.exposure)
    s = sums(log_m, k_max)
    series = np.arange(values.shape[0])
    scores = []
    for name, row in rows.items():
        edges = edges_of(found[name], n)
        k = edges.shape[1] - 2
        log_like = sum(log_m[series, edges[:, j], edges[:, j + 1]] for j in range(k + 1))
        row["posterior_given_k"] = np.exp(log_like - s.evidence[:, k])
        scores.append(log_like - s.log_count[k] - np.log(k_max + 1))
    stacked = np.column_stack(scores)
    counted = _counted(rows)  # each distinct partition counts once
    total = logsumexp(np.where(counted, stacked, -np.inf), axis=1)
    normalised = np.where(counted, np.exp(stacked - total[:, None]), np.nan)
    for j, row in enumerate(rows.values()):
        row["posterior"] = normalised[:, j]
        row["posterior_given_k"] = np.where(counted[:, j], row["posterior_given_k"], np.nan)


def _monte_carlo(
    rows: dict[str, pd.DataFrame],
    found: dict[str, np.ndarray],
    model: str,
    matrix: SeriesMatrix,
    min_size: int,
    n_sim: int,
    seed: int,
    null: str,
    dependence: str,
) -> None:
    """p-values against no change (one replicate set under no change for every row sharing
    a serial dependence) and against the best segmentation with as many breaks (replicates
    from each candidate), each with the dependence fitted to its own periods (see
    :func:`_serial`)."""
    values = matrix.values
    n_series, n = values.shape
    exposure = matrix.exposure
    cost = COSTS[model](values, exposure=exposure)
    none_edges = edges_of(np.empty((n_series, 0), dtype=np.int64), n)
    exceed_none = {name: np.zeros(n_series) for name in rows}
    null_fit = fitted(model, values, none_edges, exposure)
    serial = {}
    for name, row in rows.items():
        if not row["breaks"].iat[0]:
            for column in ("residual_lag1", "ljung_box_p", "ar_order"):
                row[column] = np.nan
            continue
        estimated = bool(row["estimated"].iat[0])
        serial[name], checks = _serial(
            model, matrix, found[name], estimated, min_size, dependence, seed
        )
        row["residual_lag1"] = checks["acf_1"].to_numpy()
        row["ljung_box_p"] = checks["pvalue"].to_numpy()
        row["ar_order"] = serial[name].order
    observed_none = {
        name: _lr_vs_none(
            model,
            cost,
            values,
            found[name],
            none_edges,
            serial[name].order if name in serial else None,
        )
        for name in rows
    }
    sharing: dict[bytes, list[str]] = {}
    for name, fit in serial.items():
        sharing.setdefault(fit.order.tobytes() + fit.partial.tobytes(), []).append(name)
    for names in sharing.values():
        k_max = max(int(rows[name]["breaks"].iat[0]) for name in names)
        per_group = max(1, BATCH_BYTES // (n_sim * n * 8 * max(k_max, 1)))
        zeros = np.zeros(n)
        for first in range(0, n_series, per_group):
            members = np.arange(first, min(first + per_group, n_series))
            reps = replicates(
                model,
                values,
                null_fit,
                members,
                n_sim,
                seed,
                _NULL_SIM,
                null,
                zeros,
                serial[names[0]],
            )
            rep_exposure = repeat_rows(exposure, members, n_sim)
            rep_alpha = replicate_alpha(model, null_fit, members, n_sim)
            rep_cost = build_cost(model, reps, rep_exposure, rep_alpha)
            rep_none = rep_cost.partial_loglik(
                edges_of(np.empty((len(reps), 0), dtype=np.int64), n)
            )
            path = exact_path(
                COSTS[model],
                reps,
                k_max,
                min_size,
                exposure=rep_exposure,
                row_params=None if rep_alpha is None else {"alpha": rep_alpha},
            )
            for name in names:
                row = rows[name]
                k = int(row["breaks"].iat[0])
                breaks = (
                    path.breaks[k]
                    if row["estimated"].iat[0]
                    else np.broadcast_to(found[name][0], (len(reps), k))
                )
                edges = edges_of(breaks, n)
                lr = 2 * (rep_cost.partial_loglik(edges) - rep_none)
                if model == "quasipoisson":
                    lr = lr / pearson_dispersion(reps, rep_cost.fitted_means(edges), k + 1)
                orders = np.repeat(serial[name].order[members], n_sim)
                lr = lr / studentizer(model, rep_cost, reps, edges, orders)
                exceed_none[name][members] = count_at_least(
                    lr, observed_none[name][members], n_sim
                )
    for name, row in rows.items():
        k = int(row["breaks"].iat[0])
        row["p_vs_none"] = np.nan if k == 0 else (1 + exceed_none[name]) / (n_sim + 1)
        row["p_vs_best"] = np.nan
        row["n_sim"] = n_sim
    for name, row in rows.items():
        if row["breaks"].iat[0] and not row["estimated"].iat[0]:
            rows[name]["p_vs_best"] = _p_vs_best(
                model, matrix, found[name][0], min_size, n_sim, seed, null, serial[name]
            )


def _serial(
    model: str,
    matrix: SeriesMatrix,
    breaks: np.ndarray,
    estimated: bool,
    min_size: int,
    dependence: str,
    seed: int,
) -> tuple[SerialDependence, pd.DataFrame]:
    """The serial dependence a candidate's replicates are drawn with, fitted to its periods
    (a named candidate's fixed ones, or a best segmentation's, searched again on every
    simulated series of the bias correction), and the residual diagnostics of that fit."""
    values, exposure = matrix.values, matrix.exposure
    k = breaks.shape[1]
    edges = edges_of(
        breaks if estimated else np.broadcast_to(breaks[0], breaks.shape), values.shape[1]
    )
    fit = fitted(model, values, edges, exposure)
    alpha = fixed_alpha(model, fit)
    refit = (
        refit_best(model, k, min_size, exposure, alpha)
        if estimated
        else refit_periods(model, edges, exposure, alpha)
    )
    checks = serial_diagnostics(
        model,
        values,
        fit[0],
        matrix.names,
        k + 1,
        alpha=alpha,
        sd=fit[1] if model == "normal_meanvar" else None,
    )
    return fit_dependence(dependence, model, values, fit, refit, seed), checks


def _lr_vs_none(
    model: str,
    cost: Any,
    values: np.ndarray,
    breaks: np.ndarray,
    none_edges: np.ndarray,
    orders: np.ndarray | None,
) -> np.ndarray:
    """The likelihood ratio against no change, studentized by the long-run variance factor
    of the periodization's residuals where ``orders`` (the AR orders) are given."""
    k = breaks.shape[1]
    if k == 0:
        return np.zeros(values.shape[0])
    edges = edges_of(breaks, values.shape[1])
    lr = 2 * (cost.loglik(edges) - cost.loglik(none_edges))
    if model == "quasipoisson":
        lr = lr / pearson_dispersion(values, cost.fitted_means(edges), k + 1)
    return lr / studentizer(model, cost, values, edges, orders)


def _p_vs_best(
    model: str,
    matrix: SeriesMatrix,
    positions: np.ndarray,
    min_size: int,
    n_sim: int,
    seed: int,
    null: str,
    serial: SerialDependence,
) -> np.ndarray:
    """The ``best_vs_hypothesis`` p-value of :func:`test_periodization` for one candidate."""
    values, exposure = matrix.values, matrix.exposure
    n_series, n = values.shape
    k = positions.size
    observed_statistics = statistics(
        model, values, positions, min_size, exposure, orders=serial.order
    )
    observed = observed_statistics.studentized()[2]
    hypothesis_edges = edges_of(np.broadcast_to(positions, (n_series, k)), n)
    fit = least_favourable(
        model, values, positions, fitted(model, values, hypothesis_edges, exposure),
        observed_statistics.scale, observed_statistics.omega_hypothesis, exposure,
    )  # fmt: skip
    groups = np.searchsorted(positions, np.arange(n), side="right").astype(float)
    exceed = np.zeros(n_series)
    per_group = max(1, BATCH_BYTES // (n_sim * n * 8))
    for first in range(0, n_series, per_group):
        members = np.arange(first, min(first + per_group, n_series))
        reps = replicates(
            model, values, fit, members, n_sim, seed, _CANDIDATE_SIM, null, groups, serial
        )
        rep_exposure = repeat_rows(exposure, members, n_sim)
        simulated = statistics(
            model,
            reps,
            positions,
            min_size,
            rep_exposure,
            replicate_alpha(model, fit, members, n_sim),
            np.repeat(serial.order[members], n_sim),
        ).studentized()[2]
        exceed[members] = count_at_least(simulated, observed[members], n_sim)
    return (1 + exceed) / (n_sim + 1)
