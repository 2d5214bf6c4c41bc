r"""Levels or lines: how the default rule describes the periods of a series.

A relationship whose activity grows steadily for thirty years has one period with a
slope. Described by levels alone it becomes a staircase: measured on simulated series with
a linear trend of 4 noise standard deviations over 120 periods and no change, the levels
default put 2.3 breaks in the mean series and never none; a count whose rate rises from 2
to 8 a month over ten years (an archive's coverage growing), 1.65 breaks and never none.
So where ``model="auto"`` chooses its family and the penalty is ``"auto"``,
:func:`weigh_lines` also fits a line to every period (a straight line for Gaussian
series, :class:`~periodize.segmentation.costs.trend.TrendNormalCost`; a log-linear rate
for counts, :class:`~periodize.segmentation.costs.poisson_trend.PoissonTrendCost`;
penalty :math:`(2 + 1)\log n` per break in long-run noise units, exact search) and keeps,
series by series, the description with the lower BIC:

.. math::

    \mathrm{BIC} = D / \hat\sigma^2 + \bigl((p + 1)k + p\bigr) \log n,

with :math:`D` the residual sum of squares (Gaussian) or the Poisson deviance (counts),
:math:`p` = 1 (a level) or 2 (a level and a slope) per period, :math:`k` breaks, each
break's position counted as a parameter, and both descriptions priced in **one** unit
:math:`\hat\sigma^2`: the long-run variance (Gaussian) or dispersion (counts) of the noise
around the lines' periods. That unit is the noise once both a level shift and a slope are
allowed, measured from second differences
(:func:`~periodize.segmentation.noise.line_noise_scale`,
:func:`~periodize.segmentation.noise.line_count_dispersion`), which no straight line moves
(nor, much, a steady growth of a rate); the levels' own unit counts a trend's drift as
noise (so that a trend does not become many periods), which would hide what the lines
explain. Lines are searched twice, as levels are: the second time with the noise measured
within the first search's periods.

Measured on 1,000 simulated series per design (``python -m benchmarks.accuracy``, in
``docs/accuracy.md``), the right number of breaks, levels only → levels or lines: a linear
trend of 4 sd, no change, 0% → 97%; with AR(1) noise 3% → 91%; a trend with a jump 7% →
72%; a change of slope 1% → 90%; 34 periods with a trend of 2 sd 9% → 67%; counts rising
from 2 to 8 over 120 months 0% → 97%. The price is paid where the truth is levels: two
shifts 93% → 88%, two shifts in AR(1) noise 74% → 62%, one shift of 2 sd in 34 periods
85% → 72% (a line is then taken for 8–21% of the series); counts over 34 years with a
rise and fall of the rate (1.5 → 5 → 1.5) 90% → 74%, NB2 counts with two shifts 78% → 70%
(a rise and a fall read as two slopes and one break for about a fifth of the series);
series without change are unaffected (92–97%, 88–92%). On the 13 annotated real series of
``docs/accuracy.md`` Gaussian lines moved the means from F1 0.721 / cover 0.692 to
0.713 / 0.663, count lines from there to 0.723 / 0.677.

A Gaussian series' levels are robust where lines are weighed (:data:`FAMILIES`
``"biweight"``): the biweight loss, with which a burst of a few periods is not a period.
Both descriptions are then weighed in that loss (:func:`capped_totals`: every squared
residual at most ``3² γ₀``), in the robust long-run variance around the lines' periods.
Measured the same way: two shifts under Student t noise (3 df) 70% → 94%, under 5%
outliers of 8 sd 27% → 92%, in AR(1) noise 62% → 70%; TCPD 0.723 / 0.677 → 0.753 / 0.687.
Counts' levels and lines are weighed in the counts' dispersion around lines measured
robustly (:func:`weighing_unit`): monthly counts with bursts 46% → 61%.

Joint segmentations, a model given by name, counts with an exposure, and records too long
for an exact search of lines keep levels (:data:`LINES_LENGTH` periods, or
:data:`LINES_BUDGET` series × periods², :data:`COUNT_LINES_BUDGET` for counts, whose
segments each take a Newton solve): the search of lines cannot prune on a series with no
change, so it is quadratic in its length; the choice then says so (:func:`lines_refused`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .costs.base import Cost, segment_labels
from .costs.biweight import THRESHOLD, BiweightCost, LongRunBiweightCost
from .costs.normal import LongRunNormalCost, NormalCost
from .costs.poisson import LongRunQuasiPoissonCost, PoissonCost
from .costs.poisson_trend import LongRunPoissonTrendCost, PoissonTrendCost
from .costs.trend import LongRunTrendCost, TrendNormalCost
from .noise import line_count_dispersion, line_noise_scale
from .penalties import Penalty, resolve_penalty

#: Longest record on which the default weighs lines against levels.
LINES_LENGTH = 5_000
#: Most ``series × periods²`` (the work of the exact search of lines) it weighs them for:
#: Gaussian lines, and log-linear count rates (each of whose segments is a Newton solve,
#: about ten times a Gaussian line's price: 10^8 is about 10 s of one core).
LINES_BUDGET, COUNT_LINES_BUDGET = 500_000_000, 100_000_000
#: Shortest period a line is fitted to (through two points a line fits exactly).
LINE_MIN_SIZE = TrendNormalCost.min_size


@dataclass(frozen=True)
class Family:
    """The two descriptions of one family of series, and the unit both are priced in.

    Attributes
    ----------
    levels, lines : str
        The models' names (``fit.choice["model"]``).
    level_cost, line_cost : type
        Their costs in the unit 1: the residual sum of squares (Gaussian) or the Poisson
        deviance (counts), whose differences the BIC divides by the unit.
    searched_levels, searched_lines : type
        Their costs in a given unit (``scale``): the searches of the penalty "auto", whose
        unit around lines is measured from second differences
        (:func:`~periodize.segmentation.noise.line_noise_scale`,
        :func:`~periodize.segmentation.noise.line_count_dispersion`).
    noise, nuisance : str
        The unit in words and its nuisance's name, for ``fit.choice``.
    budget : int
        Most ``series × periods²`` of one call whose lines are weighed.
    weighed : {"capped", "robust", "search"}
        How both descriptions are weighed: ``"capped"`` (levels priced by the biweight
        loss, :mod:`.costs.biweight`): in that loss, each squared residual capped at
        ``THRESHOLD²`` noise variances, in the robust long-run variance around lines
        (:func:`capped_totals`); ``"robust"``: their deviances as they are, in the robust
        long-run dispersion around lines (:func:`weighing_unit`), which a few bursts do
        not inflate; ``"search"``: in the unit the lines were searched in (quadratic
        Gaussian levels, where the default's search is not exact).
    """

    levels: str
    lines: str
    level_cost: type[Cost]
    line_cost: type[Cost]
    searched_levels: type[Cost]
    searched_lines: type[Cost]
    noise: str
    nuisance: str
    budget: int
    weighed: str = "search"

    @property
    def robust(self) -> bool:
        """Whether the levels are robust (the biweight's)."""
        return self.weighed == "capped"


#: Per model of the default's levels, the family whose lines are weighed against them.
FAMILIES = {
    "normal": Family(
        "normal", "normal_trend", NormalCost, TrendNormalCost, LongRunNormalCost,
        LongRunTrendCost, "the noise's long-run variance", "sigma2", LINES_BUDGET,
    ),
    "biweight": Family(
        "biweight", "normal_trend", BiweightCost, TrendNormalCost, LongRunBiweightCost,
        LongRunTrendCost, "the noise's long-run variance", "sigma2", LINES_BUDGET,
        weighed="capped",
    ),
    "quasipoisson": Family(
        "quasipoisson", "quasipoisson_trend", PoissonCost, PoissonTrendCost,
        LongRunQuasiPoissonCost, LongRunPoissonTrendCost, "the counts' long-run dispersion",
        "dispersion", COUNT_LINES_BUDGET, weighed="robust",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Shapes:
    """The default's lines beside its levels, per series.

    Attributes
    ----------
    family : Family
        The family weighed (Gaussian or counts).
    lines : ndarray of bool
        Series whose periods are described by lines (lower BIC).
    breaks : list of list of int
        The lines' break indices of every series.
    scale : ndarray
        The long-run noise variance or dispersion the lines were searched in (and both
        descriptions weighed in, but for robust levels: :func:`capped_totals`).
    levels, lines_bic : ndarray
        The two BICs of every series (in that unit; lower is better).
    costs, path_breaks, how
        The search of lines' costs by number of breaks, its path and method.
    """

    family: Family
    lines: np.ndarray
    breaks: list[list[int]]
    scale: np.ndarray
    levels: np.ndarray
    lines_bic: np.ndarray
    costs: np.ndarray
    path_breaks: list[np.ndarray]
    how: str


def lines_refused(
    n_series: int, n_periods: int, min_size: int, method: str, family: Family,
    exposure: bool = False,
) -> str:  # fmt: skip
    """Why the default does not weigh lines for this call ("" when it does): a record too
    short for two lines, too long or too many for the exact search of lines, a search
    method that prices levels only, or counts with an exposure.

    Examples
    --------
    >>> lines_refused(1, 120, 3, "exact", FAMILIES["normal"])
    ''
    >>> lines_refused(1, 20_000, 3, "exact", FAMILIES["normal"])[:40]
    'lines are weighed up to 5,000 periods an'
    """
    size = max(min_size, LINE_MIN_SIZE)
    remedy = f"pass model={family.lines!r} with n_breaks or a penalty to fit lines"
    if n_periods < 2 * size:
        return f"{n_periods} periods are too few for two lines of {size}"
    if method not in ("exact", "pelt"):
        return f"method {method!r} searches levels only"
    if exposure:
        return "a log-linear rate per period takes no exposure"
    if n_periods > LINES_LENGTH or n_series * n_periods**2 > family.budget:
        return (
            f"lines are weighed up to {LINES_LENGTH:,} periods and {family.budget:.0e} "
            f"series × periods² (their exact search is quadratic); {remedy}"
        )
    return ""


def unscaled_cost(
    cost_class: type[Cost], values: np.ndarray, breaks: list[list[int]]
) -> np.ndarray:
    """Per series, the cost of its segmentation ``breaks`` under ``cost_class`` in the unit
    1: the residual sum of squares of a Gaussian cost (its cost times the variance it
    divides by), the Poisson deviance of a count cost (up to terms free of the
    segmentation, the same for levels and lines); rows grouped by number of breaks."""
    out = np.empty(len(values))
    for rows, edges in _by_count(breaks, values.shape[1]):
        cost = cost_class(values[rows])
        out[rows] = cost.total_cost(edges) * getattr(cost, "sigma2", 1.0)
    return out


def bic(total: np.ndarray, scale: np.ndarray, n_breaks: np.ndarray, p: int, n: int) -> np.ndarray:
    """``cost/unit + ((p + 1)k + p) log n``: the BIC of ``k`` breaks with ``p`` parameters
    per period, in noise variances (or dispersions).

    Examples
    --------
    >>> float(bic(np.array([12.0]), np.array([2.0]), np.array([1]), 1, 100)[0].round(3))
    19.816
    """
    return total / scale + ((p + 1) * n_breaks + p) * np.log(n)


def weigh_lines(
    matrix: Any,
    level_breaks: list[list[int]] | np.ndarray,
    min_size: int,
    method: str,
    search_twice: Callable[..., tuple[np.ndarray, Any, np.ndarray, list[np.ndarray], str]],
    family: Family,
) -> Shapes:
    """Lines beside the levels ``level_breaks`` of the series of ``matrix`` (a
    :class:`~periodize.segmentation.inputs.SeriesMatrix`) of ``family``: the exact penalised
    search of lines in the long-run noise variance (or dispersion) around lines, searched
    twice as the levels are (``search_twice``: the second time, for the series the first
    search cut, with the noise measured within its periods), and each series' BIC of both
    in that unit."""
    values = matrix.values
    n = values.shape[1]
    penalty: Penalty = resolve_penalty("auto", n, family.line_cost.n_params, "segment")
    size = max(min_size, LINE_MIN_SIZE)
    scale, found, costs, path_breaks, how = search_twice(
        matrix, family.lines, family.searched_lines, penalty, size, method
    )
    lines = [list(b) for b in found]
    levels = [list(b) for b in level_breaks]
    if family.robust:
        unit, level_total, line_total = capped_totals(family, values, levels, lines)
    else:
        unit = scale if family.weighed == "search" else weighing_unit(values, lines)
        level_total = unscaled_cost(family.level_cost, values, levels)
        line_total = unscaled_cost(family.line_cost, values, lines)
    by_levels = bic(level_total, unit, _counts(levels), 1, n)
    by_lines = bic(line_total, unit, _counts(lines), 2, n)
    return Shapes(
        family, by_lines < by_levels, lines, scale, by_levels, by_lines, costs, path_breaks, how
    )


def weighing_unit(values: np.ndarray, lines: list[list[int]]) -> np.ndarray:
    """The unit count levels and lines are weighed in: the counts' long-run dispersion
    around the lines' periods, its level measured robustly. The searches measure it with
    the plain mean square, as their costs pay for every square; a burst of a few periods
    inflates that, and in an inflated unit the penalty decides: one line without a break
    beat a step of the rate on monthly counts with bursts (47% of series,
    ``docs/accuracy.md``). (Robust Gaussian levels are weighed in
    :func:`capped_totals`.)

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> counts = rng.poisson(6.0, (1, 120)).astype(float)
    >>> counts[0, [20, 70]] += 40.0  # two bursts
    >>> plain = line_count_dispersion(counts)  # (36 + 2 × 9,600/118)/6/6.67 ≈ 5 and more
    >>> bool(weighing_unit(counts, [[]])[0] < 1.5 < 4 < plain[0])
    True
    """
    return line_count_dispersion(values, segment_labels(lines, values.shape[1]), robust=True)


def capped_totals(
    family: Family, values: np.ndarray, levels: list[list[int]], lines: list[list[int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Robust levels and lines in one loss: the unit (the robust long-run variance of the
    noise around the lines' periods, :func:`~.noise.line_noise_scale`) and, per series,
    each description's sum of squared residuals with every square capped at
    ``THRESHOLD² γ₀`` (``γ₀`` the noise's robust marginal variance). Levels are the
    biweight's (fitted in this loss, with its band measured from first differences),
    lines the least-squares ones: the outlier a line was drawn through costs the cap, as
    it does the levels.

    Examples
    --------
    >>> y = np.array([[0.0, 0.1, -0.1, 0.2, 9.0, 0.0, -0.2, 0.1, 0.0, -0.1]])
    >>> unit, levels, lines = capped_totals(FAMILIES["biweight"], y, [[]], [[]])
    >>> round(float(levels[0] - 9 * unit[0]), 6)  # the burst costs the cap (3² γ₀, φ = 0)
    0.12
    >>> bool(lines[0] > levels[0])  # a least-squares line is drawn towards the burst
    True
    """
    n = values.shape[1]
    noise = line_noise_scale(values, segment_labels(lines, n), robust=True)
    cap = THRESHOLD**2 * noise.variance
    level_total = _capped(family.level_cost, values, levels, cap)
    return noise.long_run_variance, level_total, _capped(family.line_cost, values, lines, cap)


def _capped(
    cost_class: type[Cost], values: np.ndarray, breaks: list[list[int]], cap: np.ndarray
) -> np.ndarray:
    """Per series, the capped sum of squared residuals around the fit of ``breaks``."""
    out = np.empty(len(values))
    for rows, edges in _by_count(breaks, values.shape[1]):
        residual = values[rows] - cost_class(values[rows]).fitted_means(edges)
        out[rows] = np.minimum(residual * residual, cap[rows, None]).sum(axis=1)
    return out


def _counts(breaks: list[list[int]]) -> np.ndarray:
    return np.array([len(b) for b in breaks])


def _by_count(breaks: list[list[int]], n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rows grouped by their number of breaks, each with its edges ``(rows, k + 2)``."""
    counts = np.array([len(b) for b in breaks])
    groups = []
    for k in np.unique(counts):
        rows = np.flatnonzero(counts == k)
        edges = np.empty((len(rows), k + 2), dtype=np.int64)
        edges[:, 0], edges[:, -1] = 0, n
        if k:
            edges[:, 1:-1] = [breaks[i] for i in rows]
        groups.append((rows, edges))
    return groups
