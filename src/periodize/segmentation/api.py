"""``segment``: exact change points for one or many series."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any, cast

import numpy as np
import pandas as pd

from .._validation import check_choice, check_int
from ..exceptions import ParameterError
from ..results import Provenance, matrix_sha256
from .costs import COSTS, Cost
from .costs.base import segment_labels, segment_of_each_period
from .costs.biweight import BiweightCost, LongRunBiweightCost, robust_sd
from .costs.drift import DriftCost
from .costs.mixed import MixedCost, mixed_cost
from .costs.normal import LongRunNormalCost
from .costs.poisson import LongRunQuasiPoissonCost
from .costs.trend import TrendNormalCost
from .diagnostics import serial_diagnostics
from .drifting import JOINT_MAX_PERIODS, JOINT_TABLE_BYTES, fit_drift, fit_joint_drift
from .drifting import MAX_PERIODS as DRIFT_MAX_PERIODS
from .drifting import MIN_PERIODS as DRIFT_MIN_PERIODS
from .inputs import (
    SeriesMatrix,
    as_matrix,
    check_values,
    exposure_sha256,
    resolve_model,
    skip_missing,
    with_exposure,
)
from .joint import Grouping, SummedCost, grouping
from .models import chosen_model, describe, models_by_series
from .noise import (
    MIN_AR_LAGS,
    count_dispersion,
    line_count_dispersion,
    line_noise_scale,
    n_lags,
    noise_scale,
)
from .penalties import Penalty, resolve_penalty
from .result import Segmentation
from .search.binseg import binseg_breaks
from .search.dynamic import exact_path
from .search.fpop import MODELS as FPOP_MODELS
from .search.fpop import fpop_breaks
from .search.joint import joint_path
from .search.pelt import optimal_partitioning, pelt, pelt_breaks
from .search.rfpop import rfpop_breaks
from .search.ruptures_adapter import RUPTURES_METHODS, ruptures_search
from .shapes import FAMILIES, Shapes, lines_refused, weigh_lines

METHODS = ("exact", "pelt", "fpop", *RUPTURES_METHODS)
#: What ``segment`` does with a missing value.
MISSING = ("refuse", "skip")
#: Count models the penalty "auto" prices as quasi-Poisson with the measured dispersion.
AUTO_COUNT_MODELS = {"poisson": "quasipoisson", "negbin": "quasipoisson"}
#: The costs of the penalty "auto": the model's, measured in the noise's long-run variance.
LONG_RUN_COSTS: dict[str, type[Cost]] = {
    "normal": LongRunNormalCost,
    "quasipoisson": LongRunQuasiPoissonCost,
    "biweight": LongRunBiweightCost,
}
#: Penalised searches run the exact path over all k when K_max · n² is at most this.
PATH_BUDGET = 5_000_000
#: Above this length, penalised exact search uses PELT instead of optimal partitioning.
PELT_LENGTH = 2_000
#: Costs whose numpy price is a solve per segment (a count line's Newton steps): their
#: penalised exact search is compiled PELT at any length (numpy's optimal partitioning took
#: 20 s on 800 counts, 42 s on 1,500).
SOLVED_COSTS = frozenset({"poisson_trend", "quasipoisson_trend"})
#: The default's levels for Gaussian series where it weighs lines: robust, so that a burst
#: or a heavy tail is not a period (:mod:`.costs.biweight`, :mod:`.shapes`).
ROBUST_LEVELS = "biweight"
#: Longest record the biweight's exact search for a fixed number of breaks takes.
ROBUST_DP_LENGTH = 500
#: Bytes of last-break tables one call of FPOP or PELT fills: longer panels go in blocks of
#: series.
SEARCH_BLOCK_BYTES = 32 * 2**20


def segment(
    series: Any,
    n_breaks: int | None = None,
    *,
    penalty: str | float | None = None,
    model: str | Mapping[str, str] = "auto",
    min_size: int = 3,
    method: str = "exact",
    exposure: Any = None,
    missing: str = "refuse",
    joint: bool | str | Mapping[str, Any] = False,
) -> Segmentation:
    """Find the change points of one or many series.

    With neither ``n_breaks`` nor ``penalty`` the data choose the number of breaks by the
    penalty ``"auto"``: the BIC penalty per break, with the costs measured in the noise's
    long-run variance, estimated robustly from differences at several lags so that
    autocorrelation, a trend or outliers do not turn into periods (see
    :mod:`periodize.segmentation.noise` and ``docs/segmentation.md``); it also weighs a
    straight line (Gaussian series) or a log-linear rate (counts) in each period against
    levels (:mod:`periodize.segmentation.shapes`), a Gaussian series' levels priced by the
    robust biweight loss so that a burst is not a period. ``fit.choice`` says what was
    chosen and why.
    Give ``n_breaks`` for the exact optimum with exactly that many breaks (and the optimal
    cost for every smaller number), or another ``penalty``.

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
        Periods × series; a DataFrame's index must be consecutive periods (integer years,
        a PeriodIndex or regular dates). A 2-D array is read as periods × series.
    n_breaks : int, optional
        Exact number of breaks K (segment neighbourhood dynamic programming).
    penalty : {"auto", "bic", "mbic", "aic", "hq"} or float, optional
        Penalty per break (see :mod:`periodize.segmentation.penalties` for formulas);
        ``"auto"`` when ``n_breaks`` is not given either.
    model : {"auto", "poisson", "quasipoisson", "negbin", "normal", "normal_meanvar", \
"normal_trend", "biweight", "normal_drift", "poisson_trend"}
        Segment likelihood. ``"auto"`` (the default) chooses from the data: quasi-Poisson
        (counts whose dispersion is estimated) where every value is a non-negative integer
        or the series is a non-negative weighted intensity, normal otherwise; one family
        for all series of a call (with the default penalty each series then gets levels,
        ``"normal"`` or ``"quasipoisson"``, or a line per period, ``"normal_trend"`` or
        ``"quasipoisson_trend"``, whichever has the lower BIC). ``"poisson"`` on a weighted
        IntensitySeries uses the quasi-Poisson likelihood (recorded in the result). With
        ``joint=True`` a mapping gives every series its own model (``{"visits":
        "poisson", "goldstein": "normal"}``;
        ``"auto"`` per series allowed; :mod:`periodize.segmentation.models`): the shared
        boundaries minimise the sum of each series' own cost. ``"biweight"`` prices robust
        level shifts (an observation beyond 3 noise sd costs the same, so a burst is not a
        period; searched by R-FPOP, :mod:`periodize.segmentation.costs.biweight`).
        ``"normal_drift"`` prices level shifts under a level that drifts as a random walk and
        AR(1) noise (DeCAFS's model: a smooth rise is drift, not periods), its parameters by
        restricted maximum likelihood; a penalty only (:mod:`periodize.segmentation.drifting`).
        ``"poisson_trend"``: counts with a log-linear rate in every period (a steady rise is
        one period; :mod:`periodize.segmentation.costs.poisson_trend`).
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
    missing : {"refuse", "skip"}
        A missing value (NaN) is refused by default. ``"skip"`` segments the observed
        periods only: a boundary is then the first observed period of a new segment, and
        the result's periods (``fit.index``) and ``fit.choice["skipped"]`` say which
        periods were left out (every series of one call must miss the same ones).
    joint : bool, "dyad" or mapping
        ``True``: one set of boundaries shared by all series (the columns of a frame), each
        series with its own mean or rate in every period and its own noise scale: the
        boundaries that minimise the summed costs, exactly (dynamic programming over the
        summed costs; see :mod:`periodize.segmentation.joint`). Penalties count every
        series' parameters: a break adds one estimate per series and one location.
        ``"dyad"``: one set of boundaries for the two directions (``"A->B"``, ``"B->A"``,
        as ``intensity(..., by="direction")`` names them) of every dyad, all dyads in one
        batched search; a mapping of every series to a group label: one set per group
        (groups of one size).

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
    >>> pz.segment(counts).choice["model"]
    'quasipoisson'
    >>> both = pz.intensity(pz.datasets.mongolia_kazakhstan(), by="direction")
    >>> joint = pz.segment(both, n_breaks=1, model="poisson", joint=True)
    >>> joint.by_series["boundaries"].to_dict()
    {'KAZ->MNG': (1995,), 'MNG->KAZ': (1995,)}
    """
    func = "segment"
    matrix = as_matrix(series, func)
    if n_breaks is not None and penalty is not None:
        raise ParameterError(
            "segment takes 'n_breaks' (a number of breaks) or 'penalty' (a penalty per "
            f"break), not both. Got n_breaks={n_breaks!r}, penalty={penalty!r}."
        )
    if n_breaks is None and penalty is None:
        penalty = "auto"
    check_choice(missing, MISSING, name="missing", func=func)
    group = _check_joint(joint, method, matrix.names, func)
    skipped: list[Any] = []
    if missing == "skip":
        matrix, exposure, skipped = skip_missing(matrix, exposure, func)
    if isinstance(model, str) and model == DriftCost.name:  # its own search (not a sum of
        # segment costs)
        return _drift_segment(
            matrix, n_breaks, penalty, min_size, method, group, exposure, skipped
        )
    auto = isinstance(penalty, str) and penalty == "auto"
    per_series: tuple[str, ...] | None = None  # a model per series (joint only)
    family = None
    if isinstance(model, Mapping):
        per_series = models_by_series(model, matrix, group, exposure, func)
        if auto:
            per_series = tuple(AUTO_COUNT_MODELS.get(m, m) for m in per_series)
        used = describe(per_series, matrix.names)
    else:
        family = chosen_model(matrix) if model == "auto" else None
        used = resolve_model(model if family is None else family[0], matrix.weighted)
        check_values(
            matrix, used, func, "Pass missing='skip' to segment the observed periods only."
        )
        if auto:  # the noise of counts is their dispersion: measured, not assumed
            used = AUTO_COUNT_MODELS.get(used, used)
    check_choice(method, METHODS, name="method", func=func)
    if per_series is None:
        matrix = with_exposure(matrix, exposure, used, func)
    if matrix.exposure is not None and method in RUPTURES_METHODS:
        raise ParameterError(f"The ruptures methods of {func} take no exposure; use 'exact'.")
    price = (lambda m: _long_run_cost(m, method)) if auto else (lambda m: COSTS[m])
    cost_class = (
        price(used) if per_series is None else mixed_cost(tuple(price(m) for m in per_series))
    )
    min_size = check_int(min_size, name="min_size", func=func, minimum=cost_class.min_size)
    if (
        auto
        and family is not None
        and used == "normal"
        and _robust_levels(matrix, min_size, method, group)
    ):
        used, cost_class = ROBUST_LEVELS, price(ROBUST_LEVELS)
    n = matrix.values.shape[1]
    most = n // min_size - 1
    if most < 0:
        raise ParameterError(
            f"The 'min_size' parameter of segment must be at most the series length: the "
            f"series has {n} periods, fewer than min_size={min_size}, so not even one "
            f"segment fits. Lower it."
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
        members = 1 if group is None else group.size
        params = members * cost_class.n_params
        if per_series is not None:  # one group's members (the groups hold the same models)
            one = per_series if group is None else [per_series[i] for i in group.order[:members]]
            params = sum(COSTS[m].n_params for m in one)
        resolved = resolve_penalty(penalty, n, params, func)
    noise_models = used if per_series is None else per_series
    first = None  # a long record's first search: binary segmentation
    if resolved is not None and resolved.name == "auto":
        matrix = replace(matrix, scale=long_run_scale(noise_models, matrix))
        first = _first_search(matrix, cost_class, resolved, min_size, method, group)
        if first is not None:  # its periods' noise, before the one exact search
            matrix, _ = _within_periods(matrix, noise_models, first)
    breaks, costs, path_breaks, how = _search(
        matrix, cost_class, n_breaks, resolved, min_size, method, group
    )
    if resolved is not None and resolved.name == "auto" and first is None:
        matrix, breaks, costs, path_breaks = _search_again(  # noise within the periods
            matrix, noise_models, cost_class, resolved, min_size, method, breaks, costs,
            path_breaks, group,
        )  # fmt: skip
    elif first is not None and resolved is not None:  # once more where the exact search cut
        cut = [len(b) > 0 for b in first]  # and binary segmentation did not (the others: noise
        # measured within its periods already)
        again = [[] if was else b for b, was in zip(breaks, cut, strict=True)]
        matrix, found, costs, path_breaks = _search_again(
            matrix, noise_models, cost_class, resolved, min_size, method, again, costs,
            path_breaks,
        )  # fmt: skip
        breaks = [list(b) if was else f for b, f, was in zip(breaks, found, cut, strict=True)]
    shapes, too_large = None, None
    if auto and family is not None and used in FAMILIES and group is None:
        too_large = lines_refused(
            len(matrix.values), matrix.values.shape[1], min_size, method, FAMILIES[used],
            matrix.exposure is not None,
        )  # fmt: skip
    if too_large == "":  # levels or lines (shapes.py)
        shapes = weigh_lines(matrix, breaks, min_size, method, _searched_twice, FAMILIES[used])
        if shapes.lines.any() and resolved is not None:  # (the penalty "auto": resolved)
            matrix, cost_class, used, breaks, costs, path_breaks, how = _with_lines(
                matrix, shapes, breaks, costs, path_breaks, how
            )
            resolved = _lines_penalty(resolved, bool(shapes.lines.all()))
    fit = _result(
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
        False if group is None else group.record(matrix.names),
    )
    description = None if group is None else group.describe()
    choice = _choice(used, family, resolved, str(model), description, first is not None)
    if per_series is not None:
        choice["model"] = dict(zip(matrix.names, per_series, strict=True))
        choice["model_reason"] = f"a model per series as given: {used}"
    if shapes is not None:
        choice.update(
            _shape_choice(shapes, matrix.names, family, len(matrix.index), first is not None)
        )
    elif too_large:
        choice["model_reason"] += f"; levels only: {too_large}"
    return replace(fit, choice={**choice, "skipped": skipped})


def _robust_levels(
    matrix: SeriesMatrix, min_size: int, method: str, group: Grouping | None
) -> bool:
    """Whether the default prices a Gaussian series' levels by the biweight loss: where it
    weighs lines too (one series at a time, the exact search, a record short enough),
    whose budget also keeps R-FPOP off the longest records (0.5 s on 10⁵ points, about 25
    times FPOP)."""
    if group is not None or method != "exact":
        return False
    n_series, n = matrix.values.shape
    return lines_refused(n_series, n, min_size, method, FAMILIES[ROBUST_LEVELS]) == ""


def _with_lines(
    matrix: SeriesMatrix,
    shapes: Shapes,
    breaks: list[list[int]] | np.ndarray,
    costs: np.ndarray,
    path_breaks: list[np.ndarray],
    how: str,
) -> tuple[SeriesMatrix, type[Cost], str, list[list[int]], np.ndarray, list[np.ndarray], str]:
    """The default's fit with the series whose lines won described by lines: their breaks,
    the noise unit of lines, the cost class (lines, or lines and levels by series) and,
    when every series has lines, the lines' search path (no path when shapes differ)."""
    lines, family = shapes.lines, shapes.family
    merged = [shapes.breaks[i] if lines[i] else list(b) for i, b in enumerate(breaks)]
    scale = np.where(lines, shapes.scale, np.asarray(matrix.scale, dtype=float))
    matrix = replace(matrix, scale=scale)
    if lines.all():
        return (
            matrix, family.searched_lines, family.lines, merged, shapes.costs,
            shapes.path_breaks, shapes.how,
        )  # fmt: skip
    models = tuple(family.lines if one else family.levels for one in lines)
    classes = tuple(family.searched_lines if one else family.searched_levels for one in lines)
    nothing = np.full((len(lines), 1), np.nan)
    return matrix, mixed_cost(classes), describe(models, matrix.names), merged, nothing, [], how


def _searched_twice(
    matrix: SeriesMatrix,
    model: str,
    cost_class: type[Cost],
    penalty: Penalty,
    min_size: int,
    method: str,
) -> tuple[np.ndarray, list[list[int]] | np.ndarray, np.ndarray, list[np.ndarray], str]:
    """The penalty "auto"'s two searches of ``model`` (the default's lines,
    :mod:`.shapes`): the noise from all differences, then, for the series the first search
    cut, from the differences within its periods; the scale used, the breaks, the costs by
    number of breaks, their path and how."""
    matrix = replace(matrix, scale=long_run_scale(model, matrix))
    breaks, costs, path_breaks, how = _search(matrix, cost_class, None, penalty, min_size, method)
    matrix, breaks, costs, path_breaks = _search_again(
        matrix, model, cost_class, penalty, min_size, method, breaks, costs, path_breaks
    )
    return np.asarray(matrix.scale), breaks, costs, path_breaks, how


#: The rule's note on a long record's first search.
_BINARY = (
    f" (binary segmentation with the same penalty: the record is over {PELT_LENGTH:,} periods)"
)


def _short_record(n: int) -> str:
    """The rule's note on a record too short to measure serial dependence ("" otherwise)."""
    if n_lags(n) >= MIN_AR_LAGS:
        return ""
    return (
        f"; {n} periods are too few to measure serial dependence ({MIN_AR_LAGS * 10} "
        "needed): the periods are taken as independent"
    )


def _lines_penalty(levels: Penalty, every: bool) -> Penalty:
    """The penalty "auto" of lines (``every`` series described by lines), or of lines and
    levels side by side, as the result reports it."""
    lines = resolve_penalty("auto", levels.n_periods, TrendNormalCost.n_params, "segment")
    if every:
        return lines
    formula = f"{levels.formula} for levels, {lines.formula} for lines"
    return replace(levels, formula=formula)


def _shape_choice(
    shapes: Shapes,
    names: tuple[str, ...],
    family: tuple[str, str] | None,
    n_periods: int,
    binary: bool,
) -> dict[str, Any]:
    """What the default chose between levels and lines, and why, for ``fit.choice``."""
    lines, kind = shapes.lines, shapes.family
    line = "a straight line" if kind.lines == "normal_trend" else "a log-linear rate"
    levels = (
        "robust levels (the biweight loss: an observation beyond 3 noise sd of its period's "
        "level costs the same however far, so a burst is not a period)"
        if kind.robust
        else "levels"
    )
    loss = ", every squared residual capped at 3² noise variances," if kind.robust else ""
    unit = (
        kind.noise.replace("long-run", "robust long-run")
        if kind.weighed != "search"
        else kind.noise
    )
    criteria = {
        name: {"levels": float(a), "lines": float(b)}
        for name, a, b in zip(names, shapes.levels, shapes.lines_bic, strict=True)
    }
    model: Any
    if not lines.any():
        model, chosen = kind.levels, f"{kind.levels!r}"
        shape = f"{levels} fit better than {line} in each period"
    elif lines.all():
        model, chosen = kind.lines, f"{kind.lines!r}"
        shape = f"{line} in each period fits better than {levels}"
    else:
        pairs = zip(names, lines, strict=True)
        model = {n: kind.lines if one else kind.levels for n, one in pairs}
        chosen = (
            f"{kind.lines!r} for {int(lines.sum())} of {len(lines)} series, {kind.levels!r} "
            "for the others"
        )
        shape = f"for each series, lines or {levels}, whichever fits better"
    rule = (
        f"penalty 'auto': the BIC with costs measured in {kind.noise}, around "
        f"{'robust levels' if kind.robust else 'levels'} "
        f"(nuisance {kind.nuisance!r}; (1+1)·log(n) per break) or around lines (second "
        "differences; (2+1)·log(n) per break), each estimated robustly from differences at "
        "several lags within the periods of a first search"
        + (_BINARY + " for levels" if binary else "")
        + _short_record(n_periods)
    )
    reason = (
        f"model 'auto' chose {chosen}: {family[1] if family else 'Gaussian'}; {shape} (the "
        f"BIC of both{loss} in {unit} around lines: fit.choice['shape'])"
    )
    described = {"model": model, "model_reason": reason, "shape": criteria}
    return described if not lines.any() else {**described, "rule": rule}


def _drift_segment(
    matrix: SeriesMatrix,
    n_breaks: int | None,
    penalty: Any,
    min_size: int,
    method: str,
    group: Grouping | None,
    exposure: Any,
    skipped: list[Any],
) -> Segmentation:
    """``segment`` with ``model="normal_drift"``: the levels rule's changes, then the drift
    model's parameters and exact change points in turn (:mod:`.drifting`)."""
    func, name = "segment", DriftCost.name
    refusals = (
        (n_breaks is not None, "is searched with a penalty per change (its cost is not a sum "
         "over periods, so no search fixes the number of breaks); pass penalty= ('auto', "
         "'bic', 'aic', 'hq' or a number) instead of n_breaks"),
        (method != "exact", f"has one exact search; method {method!r} does not take it. Use "
         "method='exact'"),
        (exposure is not None, "is Gaussian and takes no exposure"),
    )  # fmt: skip
    for refused, why in refusals:
        if refused:
            raise ParameterError(f"The model {name!r} of {func} {why}.")
    check_values(matrix, "normal", func, "Pass missing='skip' to segment the observed periods.")
    min_size = check_int(min_size, name="min_size", func=func, minimum=1)
    n_series, n = matrix.values.shape
    most = DRIFT_MAX_PERIODS if group is None else JOINT_MAX_PERIODS
    if not DRIFT_MIN_PERIODS <= n <= most:
        why = (
            "its search keeps hundreds of candidates per period"
            if group is None
            else "jointly, every series' segment costs are a table of (n + 1)² numbers"
        )
        raise ParameterError(
            f"The model {name!r} of {func} takes records of {DRIFT_MIN_PERIODS} to "
            f"{most:,} periods{' with joint' if group else ''} (it estimates three noise "
            f"parameters; {why}); the series have {n}. Use model='normal' (levels) or "
            "'normal_trend' (lines) instead."
        )
    table_bytes = n_series * (n + 1) ** 2 * 8
    if group is not None and table_bytes > JOINT_TABLE_BYTES:
        raise ParameterError(
            f"The model {name!r} of {func} with joint segments {n_series} series of {n} "
            f"periods through tables of {table_bytes / 2**30:.1f} GiB (at most "
            f"{JOINT_TABLE_BYTES / 2**30:.0f} GiB): pass fewer series per call (each group "
            "is searched on its own)."
        )
    members = 1 if group is None else group.size
    resolved = resolve_penalty("auto" if penalty is None else penalty, n, members, func)
    if resolved.length_term:
        raise ParameterError(
            f"The model {name!r} of {func} takes a constant penalty per change (auto, bic, "
            "aic, hq or a number), not mbic: its search prunes on it."
        )
    frame = pd.DataFrame(matrix.values.T, columns=list(matrix.names))
    joint = False if group is None else group.spec
    levels = segment(frame, model="normal", min_size=min_size, joint=joint)
    start = [list(b) for b in levels.break_indices]
    if group is None:
        breaks, fitted = fit_drift(matrix.values, start, resolved.per_break, min_size)
        how, noise = "exact (functional pruning of the drift model)", "AR(1)"
    else:
        breaks, fitted = fit_joint_drift(matrix.values, group, start, resolved.per_break, min_size)
        how, noise = "exact (optimal partitioning of the summed drift costs)", "independent"
    fit = _result(
        replace(matrix, scale=fitted.stacked()), DriftCost, name, min_size, how, resolved,
        breaks, np.full((len(breaks), 1), np.nan), [], penalty, None,
        False if group is None else group.record(matrix.names),
    )  # fmt: skip
    rule = (
        f"penalty {resolved.name!r}: {resolved.formula} per change, in units of the noise's "
        f"innovation variance; the noise's sd{' and lag-one correlation' if group is None else ''}"
        " and the drift's step sd by restricted maximum likelihood, in turn with the exact "
        "search, from no change and from the changes of the levels rule"
    )
    if group is not None:
        rule += f"; {group.describe()}, each series with its own drifting level"
    parameters = {
        series: {"sd_noise": float(a), "phi": float(b), "sd_drift": float(c)}
        for series, (a, b, c) in zip(matrix.names, fitted.stacked(), strict=True)
    }
    choice = {
        "model": name,
        "model_reason": f"model {name!r} as given: level shifts under a drifting level and "
        f"{noise} noise",
        "rule": rule,
        "by_data": resolved.name == "auto",
        "drift": parameters,
        "skipped": skipped,
    }
    return replace(fit, choice=choice)


def fixed_segmentation(
    series: Any, breaks: tuple[int, ...], *, model: str, min_size: int
) -> Segmentation:
    """The segmentation of every series at the given break indices (not searched): the
    estimates and fit statistics of a periodization that is known.

    Examples
    --------
    >>> fit = fixed_segmentation(np.array([1.0, 2, 1, 7, 8, 7]), (3,), model="normal",
    ...                          min_size=2)
    >>> fit.break_indices, fit.estimates["estimate"].round(3).tolist()
    (((3,),), [1.333, 7.333])
    """
    matrix = as_matrix(series, "segment")
    n_series = len(matrix.names)
    fit = _result(
        matrix, COSTS[model], model, min_size, "given", None,
        np.tile(np.asarray(breaks, dtype=np.int64), (n_series, 1)),
        np.full((n_series, 1), np.nan), [], None, len(breaks),
    )  # fmt: skip
    reason = "as given: the periods are known, not searched"
    return replace(
        fit,
        choice={"model": model, "model_reason": reason, "rule": reason, "by_data": False},
    )


def _check_joint(joint: Any, method: str, names: tuple[str, ...], func: str) -> Grouping | None:
    """``joint`` checked (:func:`periodize.segmentation.joint.grouping`), with a search
    that runs on summed costs."""
    group = grouping(joint, names, func)
    if group is not None and method != "exact":
        raise ParameterError(
            f"The 'joint' parameter of {func} runs the exact search on summed costs; "
            f"method {method!r} searches one series at a time. Use method='exact'."
        )
    return group


def _joint_search(
    matrix: SeriesMatrix,
    cost_class: type[Cost],
    n_breaks: int | None,
    penalty: Penalty | None,
    min_size: int,
    group: Grouping,
) -> tuple[list[list[int]] | np.ndarray, np.ndarray, list[np.ndarray], str]:
    """One set of breaks for the series of each group: the exact optimum of their summed
    costs (dynamic programming for every group at once; for a penalty, over every number of
    breaks while that stays within :data:`PATH_BUDGET`, PELT on the summed costs beyond,
    group by group). Returns the breaks of every series (its group's), each series' cost
    along the joint path, the path and how."""
    n_series, n = matrix.values.shape
    whole = matrix.cost(cost_class)
    ordered = np.array_equal(group.order, np.arange(n_series))
    members = whole if ordered else matrix.cost(cost_class, group.order)
    summed = SummedCost(members, group.size)
    of_row = group.group_of_row
    if penalty is None or (n // min_size - 1) * n * n <= PATH_BUDGET:
        top = int(n_breaks or 0) if penalty is None else n // min_size - 1
        term = None if penalty is None else penalty.segment_term()
        path = joint_path(summed, top, min_size, term)
        chosen = np.full(summed.n_series, top)
        if penalty is not None:
            chosen = np.argmin(path.costs + penalty.per_break * np.arange(top + 1), axis=1)
        path_breaks = [found[of_row] for found in path.breaks]
        costs = np.full((n_series, top + 1), np.inf)
        for k, shared in enumerate(path_breaks):
            if np.isfinite(path.costs[0, k]):  # the same n for every group: all or none
                costs[:, k] = whole.total_cost(_edges(shared, np.arange(n_series), n))
        how = ("exact (dp)" if penalty is None else "exact (dp over all k)") + ", joint"
        if np.all(chosen == chosen[0]):
            return path_breaks[int(chosen[0])], costs, path_breaks, how
        rows = chosen[of_row]
        return [list(path_breaks[k][i]) for i, k in enumerate(rows)], costs, path_breaks, how
    found: list[list[int]] = [[] for _ in range(n_series)]
    for g in range(summed.n_series):  # a long record: PELT on each group's summed costs
        rows = group.order[g * group.size : (g + 1) * group.size]
        one = SummedCost(matrix.cost(cost_class, rows), group.size)
        _, pruned = pelt(one, penalty.per_break, min_size, penalty.segment_term())
        for i in rows:
            found[i] = list(pruned)
    return found, np.full((n_series, 1), np.nan), [], "exact (pelt), joint"


def _search_again(
    matrix: SeriesMatrix,
    model: str | tuple[str, ...],
    cost_class: type[Cost],
    penalty: Penalty,
    min_size: int,
    method: str,
    breaks: list[list[int]] | np.ndarray,
    costs: np.ndarray,
    path_breaks: list[np.ndarray],
    group: Grouping | None = None,
) -> tuple[SeriesMatrix, list[list[int]] | np.ndarray, np.ndarray, list[np.ndarray]]:
    """The penalised search once more on the series the first search cut, with their
    noise measured within its periods (the others keep their scale, so their answer);
    the matrix with the scales used, and the results merged into the first search's.
    ``group``: every group once more, together, when the first joint search cut any (a
    group it did not cut keeps its scale, so its answer)."""
    if group is not None:
        if not any(len(b) for b in breaks):
            return matrix, breaks, costs, path_breaks
        unscaled = replace(matrix, scale=None)
        matrix = replace(matrix, scale=long_run_scale(model, unscaled, breaks))
        shared, costs, path_breaks, _ = _joint_search(
            matrix, cost_class, None, penalty, min_size, group
        )
        return matrix, shared, costs, path_breaks
    merged = [list(b) for b in breaks]
    matrix, rows = _within_periods(matrix, model, merged)
    if not rows.size:
        return matrix, merged, costs, path_breaks
    part = _subset(matrix, rows, np.asarray(matrix.scale)[rows])
    again, again_costs, again_path, _ = _search(part, cost_class, None, penalty, min_size, method)
    for i, found in zip(rows, again, strict=True):
        merged[i] = list(found)
    costs = costs.copy()
    costs[rows] = again_costs
    path_breaks = [k_breaks.copy() for k_breaks in path_breaks]
    for k_breaks, k_again in zip(path_breaks, again_path, strict=True):
        k_breaks[rows] = k_again
    return matrix, merged, costs, path_breaks


def _first_search(
    matrix: SeriesMatrix,
    cost_class: type[Cost],
    penalty: Penalty,
    min_size: int,
    method: str,
    group: Grouping | None,
) -> list[list[int]] | None:
    """The first search of the penalty "auto" on a record longer than
    :data:`PELT_LENGTH` searched by FPOP or PELT: binary segmentation with the same
    penalty (:mod:`.search.binseg`), a fraction of an exact run, whose periods the noise is
    measured within; ``None`` (the first search is exact) for shorter records, joint
    searches and costs it does not price."""
    if group is not None or method not in ("exact", "pelt", "fpop"):
        return None
    if matrix.values.shape[1] <= PELT_LENGTH or penalty.segment_term() is not None:
        return None
    return binseg_breaks(matrix.cost(cost_class), penalty.per_break, min_size)


def _within_periods(
    matrix: SeriesMatrix, model: str | tuple[str, ...], breaks: list[list[int]]
) -> tuple[SeriesMatrix, np.ndarray]:
    """The matrix with the noise scale of every series ``breaks`` cut measured within its
    periods (the others keep theirs), and the rows it cut."""
    rows = np.flatnonzero([len(b) > 0 for b in breaks])
    if not rows.size:
        return matrix, rows
    scale = np.array(matrix.scale, dtype=float)
    scale[rows] = long_run_scale(model, _subset(matrix, rows), [breaks[i] for i in rows])
    return replace(matrix, scale=scale), rows


def _subset(
    matrix: SeriesMatrix, rows: np.ndarray, scale: np.ndarray | None = None
) -> SeriesMatrix:
    """Some rows of ``matrix``, with their exposure and the noise ``scale`` given."""
    names = tuple(matrix.names[i] for i in rows)
    return replace(
        matrix, values=matrix.values[rows], names=names, exposure=matrix.rows(rows), scale=scale
    )


def long_run_scale(
    model: str | tuple[str, ...],
    matrix: SeriesMatrix,
    breaks: list[list[int]] | np.ndarray | None = None,
) -> np.ndarray:
    """Per series, the noise scale of the penalty "auto": the long-run variance (normal)
    or dispersion (quasi-Poisson) of :mod:`periodize.segmentation.noise`, around levels or,
    for ``"normal_trend"`` and ``"quasipoisson_trend"``, around lines, from differences
    that do not straddle ``breaks`` (a first fit's; all differences without). ``model``
    may give every series its own."""
    segments = None if breaks is None else segment_labels(breaks, matrix.values.shape[1])
    models = np.broadcast_to(np.asarray(model, dtype=object), len(matrix.values))
    scale = np.empty(len(matrix.values))
    for name in set(models):
        rows = np.flatnonzero(models == name)
        values, part = matrix.values[rows], None if segments is None else segments[rows]
        if name == "normal":
            scale[rows] = noise_scale(values, part).long_run_variance
        elif name == "normal_trend":  # around lines: second differences
            scale[rows] = line_noise_scale(values, part).long_run_variance
        elif name == "quasipoisson_trend":
            scale[rows] = line_count_dispersion(values, part)
        elif name == "biweight":  # robust: the median difference, the dependence's shape
            phi = noise_scale(values, part).phi
            scale[rows] = robust_sd(values) ** 2 * (1 + phi) / (1 - phi) ** 2
        else:
            scale[rows] = count_dispersion(values, matrix.rows(rows), part)
    return scale


def _long_run_cost(model: str, method: str) -> type[Cost]:
    """The cost of the penalty "auto" for ``model``, or a refusal naming the way out."""
    if model not in LONG_RUN_COSTS:
        raise ParameterError(
            f"The penalty 'auto' finds changes in mean or rate, measured in the noise's "
            f"long-run variance; model {model!r} takes n_breaks or a named penalty ('bic', "
            "'mbic', 'aic', 'hq') or a number."
        )
    if method in RUPTURES_METHODS:
        raise ParameterError(
            f"The penalty 'auto' runs the exact searches; method {method!r} takes n_breaks, "
            "a named penalty or a number."
        )
    return LONG_RUN_COSTS[model]


def _choice(
    used: str,
    family: tuple[str, str] | None,
    penalty: Penalty | None,
    model: str,
    joint: str | None = None,
    binary: bool = False,
) -> dict[str, Any]:
    """What was chosen and why, in words a report can print (``joint``: which series
    share boundaries, in words; ``binary``: the first search was binary segmentation)."""
    if family is not None:
        model_reason = f"model 'auto' chose {used!r}: {family[1]}"
    elif model in AUTO_COUNT_MODELS and used == "quasipoisson" and penalty is not None:
        model_reason = (
            f"model {model!r} priced as 'quasipoisson' by the penalty 'auto', which measures "
            "the counts' dispersion rather than assuming it"
        )
    else:
        asked = f" (asked: {model!r})" if model != used else ""
        model_reason = f"model {used!r} as given{asked}"
    if penalty is None:
        rule = "number of breaks given"
    elif penalty.name == "auto":
        noise = {
            "quasipoisson": "the counts' long-run dispersion (nuisance 'dispersion')",
            "normal": "the noise's long-run variance (nuisance 'sigma2')",
            "biweight": "the noise's robust long-run variance (the median difference; "
            "nuisance 'long_run_variance')",
        }.get(
            used,
            "each series' long-run dispersion (counts) or variance (nuisance 'dispersion', "
            "'sigma2')",
        )
        rule = (
            f"penalty 'auto': {penalty.formula} per break, the BIC with costs measured in "
            f"{noise}, estimated robustly from differences at several lags within the "
            "periods of a first search" + (_BINARY if binary else "")
        )
        rule += _short_record(penalty.n_periods)
    else:
        rule = f"penalty {penalty.name!r} as given: {penalty.formula} per break"
    if joint is not None:
        rule += (
            f"; {joint}, each series with its own level in every period, found on their "
            "summed costs"
        )
    by_data = family is not None or (penalty is not None and penalty.name == "auto")
    return {"model": used, "model_reason": model_reason, "rule": rule, "by_data": by_data}


def _search(
    matrix: SeriesMatrix,
    cost_class: type[Cost],
    n_breaks: int | None,
    penalty: Penalty | None,
    min_size: int,
    method: str,
    group: Grouping | None = None,
) -> tuple[list[list[int]] | np.ndarray, np.ndarray, list[np.ndarray], str]:
    """Run the search; return breaks per series, costs by k, the path's breaks, and how
    (``group``: one set of breaks for the series of each group, :func:`_joint_search`)."""
    if group is not None:
        return _joint_search(matrix, cost_class, n_breaks, penalty, min_size, group)
    values = matrix.values
    n_series, n = values.shape
    most = n // min_size - 1
    if method in RUPTURES_METHODS:
        beta = None if penalty is None else penalty.per_break
        breaks = ruptures_search(method, cost_class.name, values, n_breaks, beta, min_size)
        return breaks, np.full((n_series, 1), np.nan), [], method
    if cost_class.name == "biweight":
        return _robust_search(matrix, cost_class, n_breaks, penalty, min_size, method)
    if penalty is None:
        k = int(n_breaks or 0)
        path = exact_path(
            cost_class, values, k, min_size, exposure=matrix.exposure,
            row_params=matrix.row_params(),
        )  # fmt: skip
        return path.breaks[k], path.costs, path.breaks, "exact (dp)"
    term = penalty.segment_term()
    if method == "exact" and most * n * n <= PATH_BUDGET:
        path = exact_path(
            cost_class, values, most, min_size, term, exposure=matrix.exposure,
            row_params=matrix.row_params(),
        )  # fmt: skip
        totals = path.costs + penalty.per_break * np.arange(most + 1)
        chosen = np.argmin(totals, axis=1)
        per_row: list[list[int]] = [[] for _ in chosen]
        for k in np.unique(chosen):  # rows by number of breaks: a list per row, not an array
            which = np.flatnonzero(chosen == k)
            for i, found in zip(which, path.breaks[k][which].tolist(), strict=True):
                per_row[i] = found
        return per_row, path.costs, path.breaks, "exact (dp over all k)"
    if method == "exact" and n <= PELT_LENGTH and cost_class.name not in SOLVED_COSTS:
        full = matrix.cost(cost_class)
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
        cost = matrix.cost(cost_class, block)
        found = (
            fpop_breaks(cost, penalty.per_break, min_size)
            if use_fpop
            else pelt_breaks(cost, penalty.per_break, min_size, term)
        )
        if found is None:  # no compiled kernel (the negative binomial with exposure)
            found = [
                pelt(
                    matrix.cost(cost_class, slice(i, i + 1)),
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


def _robust_search(
    matrix: SeriesMatrix,
    cost_class: type[Cost],
    n_breaks: int | None,
    penalty: Penalty | None,
    min_size: int,
    method: str,
) -> tuple[list[list[int]] | np.ndarray, np.ndarray, list[np.ndarray], str]:
    """The biweight's exact searches: R-FPOP for a penalty per break; for a number of
    breaks, dynamic programming on every segment's exact cost (each sorted and swept, so
    the records it takes are short: :data:`ROBUST_DP_LENGTH`)."""
    n_series, n = matrix.values.shape
    if method not in ("exact", "pelt"):
        raise ParameterError(
            f"The model 'biweight' of segment is searched exactly (R-FPOP for a penalty); "
            f"method {method!r} does not take it. Use method='exact'."
        )
    if penalty is not None:
        if penalty.length_term:
            raise ParameterError(
                "The model 'biweight' of segment takes a constant penalty per break (bic, "
                "aic, hq or a number), not mbic: its search (R-FPOP) prunes on it."
            )
        cost = cast(BiweightCost, matrix.cost(cost_class))
        per_break = penalty.per_break * getattr(cost, "factor", 1.0)  # long-run units
        found = rfpop_breaks(cost, per_break, min_size)
        return found, np.full((n_series, 1), np.nan), [], "exact (r-fpop)"
    if n > ROBUST_DP_LENGTH:
        raise ParameterError(
            f"The model 'biweight' of segment with n_breaks searches every segmentation, "
            f"which takes at most {ROBUST_DP_LENGTH} periods; the series has {n}. Pass a "
            "penalty (bic, aic, hq or a number) instead: R-FPOP takes any length."
        )
    k = int(n_breaks or 0)
    path = exact_path(cost_class, matrix.values, k, min_size)
    return path.breaks[k], path.costs, path.breaks, "exact (dp)"


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
    joint: Any = False,
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
    full = matrix.cost(cost_class)
    groups = np.unique(counts)
    fits = []
    for k in groups:
        rows = np.flatnonzero(counts == k)
        edges = _edges(breaks, rows, n)
        cost = full if len(groups) == 1 else matrix.cost(cost_class, rows)
        loglik[rows] = cost.loglik(edges)
        costs[rows, k] = cost.total_cost(edges)
        fits.append((k, rows, edges, cost))
    provenance = Provenance(
        function="segment",
        parameters={
            "n_breaks": requested_breaks,
            "penalty": requested_penalty,
            "model": used,
            "min_size": min_size,
            "method": how,
            "joint": joint,
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
        cost_table=costs,
        loglik_values=loglik,
        nuisance_values=full.nuisance(),
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
        extra = cost.segment_columns(edges[:, :-1], edges[:, 1:])
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
                    **{column: value.ravel() for column, value in extra.items()},
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

    def parameters(k: int) -> np.ndarray:
        """Parameters of every series with ``k`` breaks (a model per series: its own)."""
        count = (k + 1) * np.asarray(full.n_params) + k + np.asarray(full.n_shared)
        return np.broadcast_to(count, (n_series,))

    for k, found in enumerate(path_breaks):
        possible = np.isfinite(path_costs[:, k])
        if possible.any():
            edges = np.column_stack([np.zeros(n_series, int), found, np.full(n_series, n)])
            ll = full.loglik(edges)
            bic[:, k] = np.where(possible, -2 * ll + parameters(k) * np.log(n), np.nan)
    for k, rows, _, _ in fits:
        bic[rows, k] = -2 * loglik[rows] + parameters(k)[rows] * np.log(n)
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
    if isinstance(cost, MixedCost):  # each series' residuals under its own model
        return pd.concat(
            [
                _serial_checks(part, matrix, rows[within], edges[within], *(
                    a[within] for a in (estimate, se)))
                for within, part in cost.parts
            ]
        ).loc[[matrix.names[i] for i in rows]]  # fmt: skip
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
