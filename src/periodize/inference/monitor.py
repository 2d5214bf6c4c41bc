"""Monitoring: has a new period begun since a given date?

From the last period of a fitted history (the periods before ``since``, segmented by
:func:`periodize.segment`), every new period is checked for the start of a new one with a
generalised likelihood-ratio detector (a two-sided CUSUM; Lorden 1971, Siegmund &
Venkatraman 1995): at period ``t`` the statistic is the largest likelihood ratio, over every
start ``τ`` from ``since`` to ``t``, of "a new level from ``τ`` on" against the last
period's level,

.. math::  G_t = \\max_{\\tau} 2\\,[S \\log(S / (m \\lambda_0)) - (S - m \\lambda_0)] / \\phi
           \\quad\\text{(counts)}, \\qquad
           G_t = \\max_{\\tau} m (\\bar y - \\mu_0)^2 / \\sigma^2 \\quad\\text{(Gaussian)},

with ``S`` the total and ``m`` the length of ``[τ, t]``, ``λ0`` and ``φ`` (or ``μ0`` and
``σ²``) estimated on the last period of the history. An alarm sounds at the first period
whose statistic exceeds a constant boundary, chosen by Monte Carlo so that, with no change,
the probability of any alarm within ``horizon`` periods is ``level``: each replicate draws
the last period and the horizon from the fitted law, estimates the baseline again from its
own last period and runs the detector, so the boundary allows for the error of the baseline
estimate. The p-value compares the largest statistic so far with the replicates' largest
over the same number of periods.

Where the history's segmentation cut it, the last boundary may be a chance one: on
serially dependent records the default rule sometimes cuts where nothing changed, the
baseline is then a period chosen because it looked different, and the horizon drifts back
from it. Replicates drawn with that cut as a real shift cannot reproduce the drift, and the
dependence fitted around it comes out too weak. Such a series is therefore calibrated twice:
as above, and as if its last boundary were not there (the history's periods without it, the
dependence fitted again around them, each replicate's history segmented again by the same
rule); the boundary and the p-value are the larger of the two, so the false-alarm
probability holds whichever description of the history is true. Measured
(``python -m benchmarks.monitoring``, nominal 5%, no change): yearly counts with a latent
AR(1) of 0.6 sounded false alarms at 12.3% with the first calibration alone and 6.6% with
both, yearly Gaussian AR(1) 0.5 series 14.3% → 6.2%, monthly counts 10.0% → 7.7%;
independent yearly series 4.3% → 3.8% (counts) and 4.6% → 3.4% (Gaussian), a doubled
yearly rate found within the horizon 61% → 60% of the time. Where the history really
changed, the doubt costs power: fitted around one period that spans the change, the
dependence reads the change as persistence and the boundary rises 1.7 to 3 times. After a
yearly history that changed from 0.75 to 3 events a year, a doubled rate was found 20% of
the time; with the periods given (``history_breaks``: known periods are neither searched
nor doubted) 64%, with 5.0% false alarms.

With ``dependence="auto"`` (the default) the replicates keep the serial dependence of the
history: a latent AR fitted to the residuals of the history's periods
(:mod:`periodize.inference.dependence`; on a history under 10 periods, independent
periods) drives every replicate through the history and the horizon, so a relationship
whose quiet and busy years come in runs does not sound alarms at a higher rate than
``level``. ``"independent"`` draws the periods independently. The Gaussian detector is
then **studentized**: divided by the long-run variance factor of the history's residuals
around its periods (an AR of the fitted order), computed the same way on the data and on
every replicate's own history (Beran 1987). The fitted AR alone is noisy, and the boundary
inherited its noise: measured (``python -m benchmarks.monitoring``, nominal 5%),
independent monthly histories sounded false alarms at 7.0% (2,000 series), 4.8% once
studentized; yearly 5.9% → 4.6%; AR(1) 0.5 noise, monthly 7.7% → 5.0%, yearly (twenty
periods) 17.4% → 14.3%. The power it costs: a shift of one sd in yearly series found
within the horizon 32% → 25%, half an sd in monthly series 63% → 58%. Counts keep the
unstudentized detector: on sparse counts the factor is mostly noise (monthly counts with
one event a month then sounded no false alarm at all, and a doubled rate was found 74%
instead of 97% of the time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._limits import check_memory
from .._typing import RandomState
from .._validation import check_choice, check_int, check_probability
from ..exceptions import ParameterError
from ..results import Provenance, matrix_sha256
from ..segmentation.api import fixed_segmentation, segment
from ..segmentation.costs.base import segment_labels
from ..segmentation.inputs import SeriesMatrix, as_matrix, check_values
from ..segmentation.models import chosen_model
from .dependence import (
    SerialDependence,
    check_dependence,
    fit_dependence,
    independent,
    long_run_scale,
)
from .hypothesis import boundary_positions, label_position
from .monitor_result import Monitoring
from .simulate import draw
from .streams import root_seed, series_keys

#: The models of the detector: the counts' (dispersion 1 or estimated) and the Gaussian.
MODELS = ("auto", "poisson", "quasipoisson", "normal")
#: Simulation id of the monitoring replicates.
MONITOR_SIMULATION = 40
#: Simulation id of the replicates drawn as if the history's last boundary were not there.
UNCUT_SIMULATION = 41
#: Bytes per window of the detector's statistics (a few arrays of doubles per start and end).
WINDOW_BYTES = 48
#: Bytes of window statistics one block of replicates may hold.
BLOCK_BYTES = 256 * 2**20
#: The rate a baseline with no events is given: half an event over its length.
EMPTY_BASELINE_EVENTS = 0.5


def monitor(
    series: Any,
    since: Any,
    *,
    horizon: int = 10,
    model: str = "auto",
    level: float = 0.05,
    min_size: int = 3,
    n_sim: int = 999,
    rng: RandomState = 0,
    dependence: str = "auto",
    stable_history: bool = False,
    history_breaks: Sequence[Any] | None = None,
) -> Monitoring:
    """Has a new period begun since ``since``? A sequential detector with a stated
    false-alarm probability over a stated horizon.

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
        Periods × series, the history and the periods observed since.
    since : period label
        The first period monitored; the periods before it are the history.
    horizon : int
        Periods the monitoring is planned for: the probability of a false alarm within them
        is ``level``. The periods observed since ``since`` must not exceed it.
    model : {"auto", "poisson", "quasipoisson", "normal"}
        ``"auto"``: the model the history's segmentation chose (quasi-Poisson for counts,
        normal otherwise). ``"poisson"`` fixes the dispersion at 1.
    level : float
        False-alarm probability over the horizon.
    min_size : int
        Minimum length of the history's periods (its segmentation), and the fewest
        periods of history before the last boundary that the baseline may have.
    n_sim : int
        Monte Carlo replicates calibrating the boundary (at least 99).
    rng : int, numpy Generator or None
        Seed (default 0: the same result every time).
    dependence : {"auto", "independent", "ar"}
        Serial dependence of the replicates that calibrate the boundary, fitted to the
        history's periods as in :func:`periodize.test_periodization` (the latent AR goes on
        through the horizon); ``"independent"`` draws independent periods.
    stable_history : bool
        ``True`` when the history is known to hold no change (as strucchange's monitoring
        assumes): the baseline is the whole history, which is not segmented, nor are the
        replicates' histories; more power, and false alarms at the level only if the
        history really is stable. ``False`` (default): the history is segmented by the
        default rule and watched from its last period.
    history_breaks : sequence of period labels, optional
        The history's periods when they are known (a periodization confirmed beforehand),
        as the first period of each new one, such as ``(2009, 2019)``: the baseline is the
        last of them; neither the history nor the replicates' histories are segmented, and
        its last boundary is not doubted. More power after a history that changed
        (``docs/monitoring.md``); false alarms at the level only if the periods are right.
        A history without change: ``stable_history=True``.

    Returns
    -------
    Monitoring

    Examples
    --------
    >>> import numpy as np, pandas as pd, periodize as pz
    >>> rng = np.random.default_rng(1)
    >>> visits = pd.Series(
    ...     rng.poisson(np.r_[np.full(20, 2.0), np.full(5, 6.0)]), index=range(2000, 2025)
    ... )
    >>> watch = pz.monitor(visits, since=2020, rng=1)
    >>> watch.alarm["series"], watch.start["series"]
    (2021, 2020)
    """
    func = "monitor"
    check_choice(model, MODELS, name="model", func=func)
    horizon = check_int(horizon, name="horizon", func=func, minimum=1)
    level = check_probability(level, name="level", func=func)
    n_sim = check_int(n_sim, name="n_sim", func=func, minimum=99)
    min_size = check_int(min_size, name="min_size", func=func, minimum=2)
    matrix = as_matrix(series, func)
    start = _since_position(matrix.index, since, min_size, func)
    dependence = check_dependence(dependence, "parametric", func, start)
    observed = matrix.values.shape[1] - start
    if observed > horizon:
        raise ParameterError(
            f"The 'horizon' parameter of {func} must cover the {observed} periods observed "
            f"since {since!r} (from {matrix.index[start]} to {matrix.index[-1]}); got "
            f"{horizon}. Raise horizon (the false-alarm probability is held over it)."
        )
    # the history is segmented with the detector's model ("auto": the default rule's
    # choice of family, by levels: the detector compares levels)
    rule = chosen_model(matrix)[0] if model == "auto" else model
    check_values(matrix, rule, func)  # before the history's segmentation, in monitor's name
    if not isinstance(stable_history, bool | np.bool_):
        raise ParameterError(
            f"The 'stable_history' parameter of {func} must be True or False. Got "
            f"{stable_history!r} instead."
        )
    known = _known_breaks(history_breaks, stable_history, matrix.index[:start], min_size, func)
    given = known is not None or stable_history  # the history's periods are not searched
    if known is None:
        history = segment(  # a stable history is one period
            _history(matrix, start), 0 if stable_history else None, min_size=min_size, model=rule
        )
    else:
        history = fixed_segmentation(_history(matrix, start), known, model=rule, min_size=min_size)
    used = str((history.choice or {}).get("model")) if model == "auto" else model
    check_values(matrix, used, func, "")
    first = _last_period_starts(history.break_indices)
    seed = root_seed(rng, func)
    past = matrix.values[:, :start]
    level0, spread = _tail_baseline(used, past, first)
    flat = np.flatnonzero(np.isnan(spread))
    if flat.size:
        raise ParameterError(
            f"{func} with model 'normal' needs variation in the last period of the history: "
            f"series {matrix.names[flat[0]]!r} is constant from "
            f"{matrix.index[first[flat[0]]]} to {matrix.index[start - 1]}."
        )
    check_memory(
        WINDOW_BYTES * max(n_sim, len(matrix.names)) * horizon**2,
        f"{func} with horizon={horizon} and n_sim={n_sim}",
        "lower horizon or n_sim",
    )
    serial = _history_dependence(dependence, used, past, history.break_indices, spread, seed)
    factor = _studentizer(used, past, segment_labels(history.break_indices, start), serial.order)
    windows = _window_statistics(used, matrix.values[:, start:], level0, spread * np.sqrt(factor))
    path, starts = windows.max(axis=2), windows.argmax(axis=2)
    maxima = _replicate_maxima(
        used, past, history.break_indices, level0, spread, horizon, n_sim, seed, min_size,
        str(history.model), serial, not given,
    )  # fmt: skip
    largest = path.max(axis=1)
    boundary, pvalue, constant = _calibrated(maxima, largest, level, observed)
    cut = np.flatnonzero([len(b) > 0 for b in history.break_indices])
    doubted = np.zeros(len(matrix.names), dtype=bool)
    doubted[cut] = not given
    if doubted.any():  # the last boundary may be a chance one
        uncut = [tuple(history.break_indices[i][:-1]) for i in cut]
        level_u, spread_u = _tail_baseline(used, past[cut], _last_period_starts(uncut))
        serial_u = _history_dependence(dependence, used, past[cut], uncut, spread_u, seed)
        maxima_u = _replicate_maxima(
            used, past[cut], uncut, level_u, spread_u, horizon, n_sim, seed, min_size,
            str(history.model), serial_u, True, UNCUT_SIMULATION,
        )  # fmt: skip
        boundary_u, pvalue_u, constant_u = _calibrated(maxima_u, largest[cut], level, observed)
        boundary[cut] = np.maximum(boundary[cut], boundary_u)
        pvalue[cut] = np.maximum(pvalue[cut], pvalue_u)
        constant[cut] += constant_u
    return Monitoring(
        names=matrix.names,
        index=matrix.index,
        since=matrix.index[start],
        horizon=horizon,
        model=used,
        level=level,
        n_sim=n_sim,
        baseline_first=tuple(matrix.index[f] for f in first),
        baseline_level=level0,
        baseline_spread=spread,
        path=path,
        starts=starts,
        boundary=boundary,
        pvalue=pvalue,
        history=history,
        values=matrix.values,
        dependence=serial.frame(matrix.names).assign(
            detector_scale=factor,
            last_boundary_doubted=doubted,
            replicates_left_out=constant,
        ),
        provenance=Provenance(
            function=func,
            parameters={
                "since": str(matrix.index[start]),
                "horizon": horizon,
                "model": used,
                "level": level,
                "min_size": min_size,
                "n_sim": n_sim,
                "dependence": dependence,
                "stable_history": bool(stable_history),
                "history_breaks": None if known is None else [str(matrix.index[b]) for b in known],
                "null": (
                    "the history's fitted periods, then the last period's level; "
                    + ("latent AR" if np.any(serial.partial != 0) else "independent periods")
                    + (
                        "; where the history was cut, also without its last boundary (the "
                        "dependence fitted again), the larger boundary and p-value"
                        if doubted.any()
                        else ""
                    )
                ),
                "serial_null": serial.summary(),
                "detector": (
                    "studentized: divided by the long-run variance factor of the history's "
                    "residuals (watch.dependence['detector_scale']), likewise on each replicate"
                    if np.any(factor != 1)
                    else "the likelihood ratio as it is"
                ),
            },
            input_sha256=matrix_sha256(matrix.values, matrix.index, matrix.names),
            seed=seed,
        ),
    )


def _known_breaks(
    history_breaks: Sequence[Any] | None,
    stable_history: bool,
    index: pd.Index,
    min_size: int,
    func: str,
) -> tuple[int, ...] | None:
    """The positions of the history's known boundaries (``index``: the history's periods),
    or ``None`` where they are to be searched."""
    if history_breaks is None:
        return None
    if stable_history:
        raise ParameterError(
            f"{func} takes stable_history=True (a history without change) or "
            f"history_breaks (its known periods), not both; got history_breaks="
            f"{history_breaks!r}."
        )
    empty = " (a history without change: stable_history=True)"
    positions = boundary_positions(index, history_breaks, min_size, func, "history_breaks", empty)
    return tuple(int(p) for p in positions)


def _last_period_starts(breaks: Sequence[Sequence[int]]) -> np.ndarray:
    """Per series, the position where the last period of a segmentation starts."""
    return np.array([b[-1] if len(b) else 0 for b in breaks], dtype=np.int64)


def _calibrated(
    maxima: np.ndarray, largest: np.ndarray, level: float, observed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The alarm boundary per series (the ``1 - level`` quantile of the replicates'
    largest statistic over the horizon), the p-value of the largest statistic so far
    (against the replicates' largest over the periods observed) and how many replicates
    were left out: those whose baseline did not vary (NaN maxima; the Gaussian detector
    divides by its spread, and monitor refuses such a baseline in the data, so the
    calibration is among the replicates it would have run on)."""
    valid = ~np.isnan(maxima[:, :, -1])
    count = valid.sum(axis=1)
    rank = np.minimum(np.ceil((count + 1) * (1 - level)).astype(np.int64), count)
    ordered = np.sort(maxima[:, :, -1], axis=1)  # NaN last
    boundary = np.where(
        count > 0, np.take_along_axis(ordered, np.maximum(rank - 1, 0)[:, None], 1)[:, 0], np.inf
    )
    so_far = maxima[:, :, observed - 1]
    pvalue = (1 + (valid & (so_far >= largest[:, None] - 1e-12)).sum(axis=1)) / (count + 1)
    return boundary, pvalue, maxima.shape[1] - count


def _since_position(index: pd.Index, since: Any, min_size: int, func: str) -> int:
    """The position of ``since``, leaving a history of at least ``min_size`` periods and at
    least one period to monitor."""
    position = label_position(index, since, "since", func)
    if position < min_size:
        raise ParameterError(
            f"The 'since' parameter of {func} must leave a history of at least "
            f"min_size={min_size} periods before it; {since!r} leaves {position}."
        )
    return int(position)


def _history(matrix: SeriesMatrix, start: int) -> pd.DataFrame:
    """The periods before ``start``, as a frame the segmentation reads."""
    return pd.DataFrame(
        matrix.values[:, :start].T, index=matrix.index[:start], columns=list(matrix.names)
    )


def _window_statistics(
    model: str, values: np.ndarray, level: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """``(rows, H, H)``: the likelihood ratio of a new level on ``[τ, t]`` (axis 1 ``t``,
    axis 2 ``τ``; ``-inf`` where ``τ > t``) against the baseline, for every row."""
    rows, h = values.shape
    totals = np.concatenate([np.zeros((rows, 1)), np.cumsum(values, axis=1)], axis=1)
    t, tau = np.arange(h)[:, None], np.arange(h)[None, :]
    s = totals[:, 1:, None] - totals[:, None, :-1]  # (rows, t, τ): sum over [τ, t]
    m = np.maximum(t - tau + 1, 1).astype(float)[None]
    expected = m * level[:, None, None]
    if model == "normal":
        g = (s - expected) ** 2 / (m * spread[:, None, None] ** 2)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = np.where(s > 0, s * np.log(s / expected), 0.0)
        g = 2 * (log_term - (s - expected)) / spread[:, None, None]
    return np.where(tau <= t, g, -np.inf)


def _statistics(
    model: str, values: np.ndarray, level: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """``G_t`` for every row and monitored period ``t``."""
    return _window_statistics(model, values, level, spread).max(axis=2)


def _period_means(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each period's fitted level, for every row at once: the mean of the row's segment
    (``labels``: rows × periods, each period's segment, from
    :func:`~periodize.segmentation.costs.base.segment_labels`)."""
    rows, n = values.shape
    key = labels + (np.arange(rows) * n)[:, None]  # each row's segments apart
    sums = np.bincount(key.ravel(), values.ravel(), minlength=rows * n)
    sizes = np.bincount(key.ravel(), minlength=rows * n)
    return (sums / np.maximum(sizes, 1))[key]


def _history_dependence(
    option: str,
    model: str,
    history: np.ndarray,
    breaks: Sequence[tuple[int, ...]],
    spread: np.ndarray,
    seed: int,
) -> SerialDependence:
    """The latent AR of every series' history, fitted to the residuals of its periods
    (each with the baseline's spread, as the replicates draw them)."""
    if option == "independent":
        return independent(len(history), option)
    labels = segment_labels(breaks, history.shape[1])
    means = _period_means(history, labels)
    spreads = np.repeat(spread[:, None], history.shape[1], axis=1)

    def refit(simulated: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _period_means(simulated, labels[owner]), spreads[owner]

    return fit_dependence(option, model, history, (means, spreads), refit, seed)


def _replicate_maxima(
    model: str,
    history: np.ndarray,
    breaks: Sequence[tuple[int, ...]],
    level: np.ndarray,
    spread: np.ndarray,
    horizon: int,
    n_sim: int,
    seed: int,
    min_size: int,
    history_model: str,
    serial: SerialDependence,
    resegment: bool = True,
    simulation: int = MONITOR_SIMULATION,
) -> np.ndarray:
    """``(series, n_sim, horizon)``: the running maximum of ``G_t`` on replicates drawn with
    no change after the history: the history from its fitted periods (``breaks``), the
    horizon at the last period's level. Each replicate's history is segmented again by the
    same rule (``history_model``: the model the history's segmentation used) and its own last
    period estimated, so the boundary allows for how the baseline was chosen as well as for
    its estimation error (``resegment=False``: a stable history, the whole of it the
    baseline); ``serial``: the latent AR each series' replicates are drawn with (through the
    history and the horizon). Series go in blocks of :data:`BLOCK_BYTES`, all
    their replicates segmented by one call."""
    n_series, length = history.shape
    fitted = _period_means(history, segment_labels(breaks, length))
    per_block = max(1, BLOCK_BYTES // (WINDOW_BYTES * n_sim * horizon**2))
    out = np.empty((n_series, n_sim, horizon))
    for first in range(0, n_series, per_block):
        rows = range(first, min(first + per_block, n_series))
        drawn = np.empty((len(rows), n_sim, length + horizon))
        for j, i in enumerate(rows):  # each series from its own stream
            law = (
                np.r_[fitted[i], np.full(horizon, level[i])],
                np.full(length + horizon, spread[i]),
            )
            margin = None if serial.margins is None else serial.margins[i]  # the history's
            draw(
                model, *law, drawn[j], seed, simulation, series_keys(history[i])[0],
                serial.partial[i], margin,
            )  # fmt: skip
        flat = drawn.reshape(len(rows) * n_sim, length + horizon)
        past = flat[:, :length]
        last = np.zeros(len(past), dtype=np.int64)
        labels = np.zeros(past.shape, dtype=np.int64)
        if resegment:
            refit = segment(pd.DataFrame(past.T), min_size=min_size, model=history_model)
            last = _last_period_starts(refit.break_indices)
            labels = segment_labels(refit.break_indices, length)
        level_r, spread_r = _tail_baseline(model, past, last)
        orders = np.repeat(serial.order[rows.start : rows.stop], n_sim)
        factor_r = _studentizer(model, past, labels, orders)
        g = _statistics(model, flat[:, length:], level_r, spread_r * np.sqrt(factor_r))
        out[rows.start : rows.stop] = np.maximum.accumulate(g, axis=1).reshape(
            len(rows), n_sim, horizon
        )
    return out


def _studentizer(
    model: str, history: np.ndarray, labels: np.ndarray, orders: np.ndarray
) -> np.ndarray:
    """The Gaussian detector's studentizer: per row, the long-run variance factor of the
    history's residuals around its own periods (``labels``: each period's segment), from
    an AR of the row's order (:func:`~periodize.inference.dependence.long_run_scale`); 1
    for counts and where the order is 0. Computed the same way on the data and on every
    replicate, it makes the detector nearly pivotal in the dependence, so the error of the
    fitted AR moves the boundary far less (Beran 1987): with the fitted AR alone, independent
    monthly histories sounded false alarms at 7.0% for a nominal 5%."""
    if model != "normal" or not orders.any():
        return np.ones(len(history))
    return long_run_scale(history - _period_means(history, labels), orders)


def _tail_baseline(model: str, past: np.ndarray, first: np.ndarray) -> np.ndarray:
    """:func:`_baseline` of each row's periods from ``first[row]`` on (vectorised)."""
    rows, length = past.shape
    inside = np.arange(length)[None, :] >= first[:, None]
    size = inside.sum(axis=1)
    level = np.where(inside, past, 0.0).sum(axis=1) / size
    if model == "normal":
        squares = np.where(inside, (past - level[:, None]) ** 2, 0.0).sum(axis=1)
        spread = np.sqrt(squares / np.maximum(size - 1, 1))
        highest = np.where(inside, past, -np.inf).max(axis=1)
        lowest = np.where(inside, past, np.inf).min(axis=1)
        # equal values, read as equal: their mean's rounding can leave a spread of 1e-16
        return np.stack([level, np.where(highest > lowest, spread, np.nan)])
    empty = level <= 0
    level = np.where(empty, EMPTY_BASELINE_EVENTS / size, level)
    if model == "poisson":
        return np.stack([level, np.ones(rows)])
    pearson = np.where(inside, (past - level[:, None]) ** 2 / level[:, None], 0.0).sum(axis=1)
    spread = pearson / np.maximum(size - 1, 1)
    return np.stack([level, np.where(empty | (spread <= 0), 1.0, spread)])
