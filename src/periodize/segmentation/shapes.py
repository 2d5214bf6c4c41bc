r"""Levels or lines: how the default rule describes the periods of a Gaussian series.

A relationship whose activity grows steadily for thirty years has one period with a
slope. Described by levels alone it becomes a staircase: measured on simulated series with
a linear trend of 4 noise standard deviations over 120 periods and no change, the levels
default put 2.3 breaks in the mean series and never none. So where ``model="auto"``
chooses the Gaussian model and the penalty is ``"auto"``, :func:`weigh_lines` also fits a
straight line to every period (:class:`~periodize.segmentation.costs.trend.TrendNormalCost`,
penalty :math:`(2 + 1)\log n` per break in long-run noise variances, exact search) and
keeps, series by series, the description with the lower BIC:

.. math::

    \mathrm{BIC} = RSS / \hat\sigma^2 + \bigl((p + 1)k + p\bigr) \log n,

with :math:`p` = 1 (a level) or 2 (a level and a slope) per period, :math:`k` breaks, each
break's position counted as a parameter, and both descriptions priced in **one** unit:
:math:`\hat\sigma^2`, the long-run variance of the noise around the lines' periods. That
unit is the noise once both a level shift and a slope are allowed, measured from second
differences
(:func:`~periodize.segmentation.noise.line_noise_scale`), which no straight line moves; the
levels' own unit counts a trend's drift as noise (so that a trend does not become many
periods), which would hide what the lines explain. Lines are searched twice, as levels
are: the second time with the noise measured within the first search's periods.

Measured on 1,000 simulated series per design (``python -m benchmarks.accuracy``, in
``docs/accuracy.md``), the right number of breaks, levels only → levels or lines: a linear
trend of 4 sd, no change, 0% → 97%; with AR(1) noise 3% → 91%; a trend with a jump 7% →
72%; a change of slope 1% → 90%; 34 periods with a trend of 2 sd 9% → 67%. The price is
paid where the truth is levels: two shifts 93% → 88%, two shifts in AR(1) noise 74% → 62%,
one shift of 2 sd in 34 periods 85% → 72% (a line is then taken for 8–21% of the series);
series without change are unaffected (97%, 88–92%). On the 13 annotated real series of
``docs/accuracy.md`` the means moved from F1 0.721 / cover 0.692 to 0.713 / 0.663.

Counts keep levels (``model="poisson_trend"``, a log-linear rate per period, is offered
by name but not yet weighed here), and so do joint
segmentations, a model given by name, and records too long for an exact search of lines
(:data:`LINES_LENGTH` periods, or :data:`LINES_BUDGET` series × periods²): the search of
lines cannot prune on a series with no change, so it is quadratic in its length; the
choice then says so (:func:`lines_refused`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .costs.base import segment_labels
from .costs.normal import NormalCost
from .costs.trend import LongRunTrendCost, TrendNormalCost
from .noise import line_noise_scale
from .penalties import Penalty, resolve_penalty

#: Longest record on which the default weighs lines against levels.
LINES_LENGTH = 5_000
#: Most ``series × periods²`` (the work of the exact search of lines) it weighs them for.
LINES_BUDGET = 500_000_000
#: Shortest period a line is fitted to (through two points a line fits exactly).
LINE_MIN_SIZE = TrendNormalCost.min_size


@dataclass(frozen=True)
class Shapes:
    """The default's lines beside its levels, per series.

    Attributes
    ----------
    lines : ndarray of bool
        Series whose periods are described by lines (lower BIC).
    breaks : list of list of int
        The lines' break indices of every series.
    scale : ndarray
        The long-run noise variance both descriptions were priced in.
    levels, lines_bic : ndarray
        The two BICs of every series (in noise variances; lower is better).
    costs, path_breaks, how
        The search of lines' costs by number of breaks, its path and method.
    """

    lines: np.ndarray
    breaks: list[list[int]]
    scale: np.ndarray
    levels: np.ndarray
    lines_bic: np.ndarray
    costs: np.ndarray
    path_breaks: list[np.ndarray]
    how: str


def lines_refused(n_series: int, n_periods: int, min_size: int, method: str) -> str:
    """Why the default does not weigh lines for this call ("" when it does): a record too
    short for two lines, too long or too many for the exact search of lines, or a search
    method that prices levels only.

    Examples
    --------
    >>> lines_refused(1, 120, 3, "exact")
    ''
    >>> lines_refused(1, 20_000, 3, "exact")[:40]
    'lines are weighed up to 5,000 periods an'
    """
    size = max(min_size, LINE_MIN_SIZE)
    remedy = "pass model='normal_trend' with n_breaks or a penalty to fit lines"
    if n_periods < 2 * size:
        return f"{n_periods} periods are too few for two lines of {size}"
    if method not in ("exact", "pelt"):
        return f"method {method!r} searches levels only"
    if n_periods > LINES_LENGTH or n_series * n_periods**2 > LINES_BUDGET:
        return (
            f"lines are weighed up to {LINES_LENGTH:,} periods and {LINES_BUDGET:.0e} "
            f"series × periods² (their exact search is quadratic); {remedy}"
        )
    return ""


def rss(cost_class: type[NormalCost], values: np.ndarray, breaks: list[list[int]]) -> np.ndarray:
    """Per series, the residual sum of squares of its segmentation ``breaks`` under the
    Gaussian ``cost_class`` (levels or lines), rows grouped by their number of breaks."""
    out = np.empty(len(values))
    for rows, edges in _by_count(breaks, values.shape[1]):
        cost = cost_class(values[rows])
        out[rows] = cost.total_cost(edges) * cost.sigma2
    return out


def bic(total: np.ndarray, scale: np.ndarray, n_breaks: np.ndarray, p: int, n: int) -> np.ndarray:
    """``RSS/σ² + ((p + 1)k + p) log n``: the BIC of ``k`` breaks with ``p`` parameters per
    period, in noise variances.

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
    search: Callable[..., tuple[Any, np.ndarray, list[np.ndarray], str]],
) -> Shapes:
    """Lines beside the levels ``level_breaks`` of the Gaussian series of ``matrix`` (a
    :class:`~periodize.segmentation.inputs.SeriesMatrix`): the exact penalised search of
    lines (``search``: the search of :func:`~periodize.segmentation.api.segment`) in the
    long-run noise variance around lines, searched twice as the levels are (the second
    time with the noise measured within the first search's periods), and each series'
    BIC of both in that unit."""
    values = matrix.values
    n = values.shape[1]
    penalty: Penalty = resolve_penalty("auto", n, TrendNormalCost.n_params, "segment")
    size = max(min_size, LINE_MIN_SIZE)
    scale = line_noise_scale(values).long_run_variance
    found, *_ = search(replace(matrix, scale=scale), LongRunTrendCost, None, penalty, size, method)
    cut = np.flatnonzero([len(b) > 0 for b in found])
    if cut.size:  # once more, the noise within the first search's periods
        within = segment_labels([found[i] for i in cut], n)
        scale[cut] = line_noise_scale(values[cut], within).long_run_variance
    unit = replace(matrix, scale=scale)
    found, costs, path_breaks, how = search(unit, LongRunTrendCost, None, penalty, size, method)
    lines = [list(b) for b in found]
    levels = [list(b) for b in level_breaks]
    by_levels = bic(rss(NormalCost, values, levels), scale, _counts(levels), 1, n)
    by_lines = bic(rss(TrendNormalCost, values, lines), scale, _counts(lines), 2, n)
    return Shapes(by_lines < by_levels, lines, scale, by_levels, by_lines, costs, path_breaks, how)


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
