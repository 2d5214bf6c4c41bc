r"""The noise scale of a series with unknown change points: robust, trend- and AR-aware.

A penalty per break is a number of noise variances. Measured in the wrong variance it
means nothing: the classic difference-based :math:`\hat\sigma^2 =
\overline{(\Delta y)^2}/2` is the variance of the noise only when neighbouring periods
are independent; on an autocorrelated or trending series it is far smaller than the
variation a mean shift has to beat, and every burst becomes a period (measured on 13 real
annotated series: 18 breaks in the median series, where annotators mark 0 to 3 on most).

:func:`noise_scale` measures the noise the way the mean-shift model sees it, from
differences at lags :math:`k = 1, \dots, K`. For noise that is a stationary AR(1) with
marginal variance :math:`\gamma_0` and lag-one correlation :math:`\phi`,

.. math::  v_k = \tfrac12 E\,(y_{t+k} - y_t)^2 = \gamma_0\,(1 - \phi^k)

away from change points. Two things are measured, each where it is least disturbed:

1. **the dependence** :math:`\phi`, from the *shape* of :math:`v_1, \dots, v_K`: each
   estimated robustly (the median absolute difference: change points, which only a few
   differences straddle, and outliers do not move it), and :math:`\phi` is the grid value
   in :math:`[0, \phi_{max}]` whose curve :math:`\gamma_0(1 - \phi^k)` (best
   :math:`\gamma_0` by least squares) is closest on the log scale;
2. **the level**, from the plain mean square of the neighbours' differences,
   :math:`\hat\gamma_0 = \overline{(\Delta y)^2} / (2 (1 - \phi))`: the quadratic cost
   pays for every squared deviation, heavy tails and outliers included, so its penalty
   must too (a median would put it in units of the bulk of the noise alone, and every
   outlier would become a period), while a change point spoils one of these differences
   only.

The scale is the **long-run variance** :math:`\gamma_0 (1 + \phi)/(1 - \phi)`: the
variance of a segment mean times its length, which is what a mean shift is compared
with. On independent noise (:math:`\phi = 0`) it is the classic difference-based
variance. This follows DeCAFS (Romano et al. 2022, *JASA* 117), which fits an
AR(1)-plus-random-walk model to robust variances of lag-:math:`k` differences; here the
drift is kept in the scale rather than modelled. Choices, each for a stated reason:

- differences are measured **around zero**, not around their median: a trend is drift,
  not a sequence of periods, so its slope counts as noise the mean-shift model cannot
  explain;
- :math:`\phi \ge 0`: negative dependence would lower the penalty below the
  independent case; periods are never made easier to find than that;
- :math:`\phi \le` :data:`MAX_PHI`: differences that keep growing over :math:`K` lags
  (a random walk, a smooth trend) give a long-run variance :data:`MAX_PHI` allows and no
  more, large enough that only shifts far beyond the drift are breaks;
- :math:`K` is :func:`n_lags`, a tenth of the record (3 to 10 lags), and :math:`\phi`
  is fitted only from :data:`MIN_AR_LAGS` lags on (50 periods): with 3 lags at 34
  periods the fitted dependence was mostly noise and hid two shifts of rate ×3 in 4 of
  10 simulated series; a shorter record is taken as independent, and says so.

For counts (:func:`count_dispersion`) the dependence is measured on
:math:`\sqrt{y + 3/8}` (Anscombe 1948), where a change of rate does not change the
spread, and the level is the classic difference-based dispersion
:math:`\overline{(\Delta y)^2}/(2\bar y)` on the counts themselves (1 for Poisson counts
at any rate; the square-root scale understates the spread of sparse counts, a mean below
1.5); the dispersion is never below 1 (Poisson noise). A sparse count series whose
differences are mostly exactly zero (a median of 0 carries nothing) measures the shape
with mean squares instead.

``segments`` (the periods of a first search: exact, or binary segmentation on records
over 2,000 periods) leaves out the differences that straddle a boundary, so the second
search measures the noise within periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Upper end of the lag-one correlation fitted to the noise.
MAX_PHI = 0.99
#: Most lags whose differences are measured.
MAX_LAGS = 10
#: Most differences per lag whose median measures the shape of the dependence (evenly
#: spaced on longer records): the median of 16,384 is within about 1% of the one of all.
MAX_PAIRS = 2**14
#: Fewest lags from which a lag-one correlation is fitted (50 periods); shorter records
#: are taken as independent.
MIN_AR_LAGS = 5
#: The grid of lag-one correlations searched.
_PHI_GRID = np.linspace(0.0, MAX_PHI, 100)
_FLOOR = np.finfo(float).tiny
#: Elements of the (series, grid, lags) arrays of one block of the fit.
_BLOCK_ELEMENTS = 2**20
#: Median of |Z| for a standard normal Z: MAD-to-standard-deviation consistency.
_MEDIAN_ABS_NORMAL = 0.6744897501960817


@dataclass(frozen=True)
class NoiseScale:
    """The noise of each series as the mean-shift model sees it.

    Attributes
    ----------
    phi : ndarray
        Lag-one correlation of the AR(1) fitted to the noise, per series.
    variance : ndarray
        Its marginal variance :math:`\\gamma_0`.
    long_run_variance : ndarray
        :math:`\\gamma_0 (1 + \\phi)/(1 - \\phi)`: the scale of the penalty.
    lags : int
        Number of lags measured.
    """

    phi: np.ndarray
    variance: np.ndarray
    long_run_variance: np.ndarray
    lags: int


def n_lags(n_periods: int) -> int:
    """Lags measured for a record of ``n_periods``: a tenth of it, at least 3 and at most
    10. A change point makes ``k`` of the ``n - k`` differences at lag ``k`` straddle it;
    up to a tenth of the record, that is about a tenth of them, which the median absorbs.

    Examples
    --------
    >>> n_lags(34), n_lags(120), n_lags(60)
    (3, 10, 6)
    """
    return max(3, min(MAX_LAGS, n_periods // 10))


def noise_scale(values: np.ndarray, segments: np.ndarray | None = None) -> NoiseScale:
    """Fit the AR(1) noise of every row of ``values`` (series × periods) from robust
    variances of lag-k differences; see the module's docstring. ``segments`` (same shape:
    the segment of every period in a first fit) leaves out the differences that straddle
    a boundary of that fit.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> steps = np.repeat([0.0, 5.0, 0.0], 100)  # two shifts of 5 standard deviations
    >>> scale = noise_scale((steps + rng.normal(size=300))[None])
    >>> bool(0.8 < scale.long_run_variance[0] < 1.25), bool(scale.phi[0] < 0.1)
    (True, True)
    """
    return _scale(values, segments, order=1)


def line_noise_scale(
    values: np.ndarray, segments: np.ndarray | None = None, robust: bool = False
) -> NoiseScale:
    r"""The noise around a straight line in each period, as :func:`noise_scale` measures it
    around levels, from **second** differences :math:`y_{t+k} - 2y_t + y_{t-k}`: a line
    has none at any lag, so neither a trend nor a change of slope enters the scale (a
    boundary spoils the few that straddle it, which the median absorbs and ``segments``
    leaves out). For AR(1) noise

    .. math::  w_k = \tfrac16 E\,(y_{t+k} - 2y_t + y_{t-k})^2
               = \gamma_0\,(6 - 8\phi^k + 2\phi^{2k})/6,

    whose shape gives :math:`\phi` (lags 1 to :func:`n_lags`, at most half the record;
    records under 50 periods taken as independent) and whose plain mean square at lag one
    the level :math:`\gamma_0`. The scale of the lines' penalty
    (:mod:`periodize.segmentation.shapes`) is the long-run variance
    :math:`\gamma_0 (1 + \phi)/(1 - \phi)`. ``robust``: the level from the *robust* mean
    square at lag one (:func:`robust_mean_square`), which outliers do not move: the unit
    in which the default weighs robust levels against lines.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> ramp = np.linspace(0.0, 40.0, 400)  # a drift of 40 standard deviations
    >>> scale = line_noise_scale((ramp + rng.normal(size=400))[None])
    >>> bool(0.8 < scale.long_run_variance[0] < 1.25), bool(scale.phi[0] < 0.1)
    (True, True)
    """
    return _scale(values, segments, order=2, robust=robust)


def _scale(
    values: np.ndarray, segments: np.ndarray | None, order: int, robust: bool = False
) -> NoiseScale:
    """The AR(1) noise of every row from its differences of ``order`` (1: around levels,
    2: around lines): the dependence from their shape over lags, the level from the mean
    square (``robust``: the robust one) at lag one over that shape's value there."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    n_series, n = values.shape
    if n < 3:
        ones = np.ones(n_series)
        return NoiseScale(np.zeros(n_series), ones, ones, 0)
    segments = _usable(segments, order)
    phi = _dependence(values, segments, order)
    variance = _neighbour_variance(values, segments, order, robust) / _ORDERS[order][1](phi, 1)
    variance = np.where(np.isnan(variance), 1.0, variance)  # no variation: any unit will do
    return NoiseScale(phi, variance, variance * (1 + phi) / (1 - phi), _lags(n, order))


def count_dispersion(
    values: np.ndarray,
    exposure: np.ndarray | None = None,
    segments: np.ndarray | None = None,
    order: int = 1,
    robust: bool = False,
) -> np.ndarray:
    r"""Long-run dispersion of counts (series × periods), never below 1: the classic
    difference-based dispersion :math:`\overline{(\Delta y)^2} / (2 \bar y)` (1 for
    Poisson counts at any rate) times the long-run factor :math:`(1 + \phi)/(1 - \phi)^2`
    of the dependence :math:`\phi` measured on :math:`\sqrt{y + 3/8}` (where a change of
    rate does not change the spread). With an exposure the counts are first put on the mean
    exposure (``y × mean(E) / E_t``). ``order=2`` measures the dispersion around a
    log-linear rate in each period instead (:func:`line_count_dispersion`). ``robust``:
    the level from the robust mean square (:func:`robust_mean_square`), which a few
    bursts do not move.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> counts = rng.poisson(np.repeat([4.0, 12.0], 200))
    >>> bool(1.0 <= count_dispersion(counts[None])[0] < 1.3)
    True
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    if exposure is not None:
        exposure = np.asarray(exposure, dtype=float)
        values = values * exposure.mean(axis=1, keepdims=True) / exposure
    if values.shape[1] < 2 * order + 1:
        return np.ones(values.shape[0])
    segments = _usable(segments, order)
    phi = _dependence(np.sqrt(values + 0.375), segments, order)
    mean = values.mean(axis=1)
    variance = _neighbour_variance(values, segments, order, robust) / _ORDERS[order][1](phi, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dispersion = variance / mean * (1 + phi) / (1 - phi)
    return np.where(np.isfinite(dispersion) & (dispersion > 1), dispersion, 1.0)


def line_count_dispersion(
    values: np.ndarray, segments: np.ndarray | None = None, robust: bool = False
) -> np.ndarray:
    r"""The long-run dispersion of counts around a log-linear rate in each period, never
    below 1, as :func:`count_dispersion` measures it around constant rates but from
    **second** differences (:func:`line_noise_scale`): a rate that rises or falls steadily
    barely moves them (a straight one not at all), so the dispersion of a trending count is
    that of its noise, not of its trend (the unit in which
    :mod:`periodize.segmentation.shapes` searches lines in for counts; ``robust``: the
    one it weighs them against levels in).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> rising = rng.poisson(np.linspace(5.0, 200.0, 400))  # Poisson noise around a trend
    >>> bool(1.0 <= line_count_dispersion(rising[None])[0] < 1.5)
    True
    """
    return count_dispersion(values, None, segments, order=2, robust=robust)


def _usable(segments: np.ndarray | None, order: int = 1) -> np.ndarray | None:
    """Segments with every row that has no ``order + 1`` neighbours in one segment merged
    into one: such a row is measured across its boundaries."""
    if segments is None:
        return None
    lost = ~(segments[:, order:] == segments[:, :-order]).any(axis=1)
    return np.where(lost[:, None], 0, segments)


def _lags(n: int, order: int) -> int:
    """Lags measured by differences of ``order`` (1: pairs, 2: triples) on ``n`` periods."""
    return min(n_lags(n), (n - 1) // order)


def _differences(values: np.ndarray, k: int, order: int, stride: int = 1) -> np.ndarray:
    """Lag-``k`` differences of ``order`` 1 (``y[t+k] − y[t]``) or 2
    (``y[t+2k] − 2y[t+k] + y[t]``), aligned with their first period, every ``stride``-th."""
    n = values.shape[1]
    if order == 1:
        return values[:, k::stride] - values[:, : n - k : stride]
    return (
        values[:, 2 * k :: stride]
        - 2 * values[:, k : n - k : stride]
        + values[:, : n - 2 * k : stride]
    )


def _within(segments: np.ndarray, k: int, order: int, stride: int = 1) -> np.ndarray:
    """Whether the periods of every lag-``k`` difference of ``order`` (every
    ``stride``-th) share a segment."""
    n = segments.shape[1]
    return segments[:, order * k :: stride] == segments[:, : n - order * k : stride]


#: Per order of difference: the divisor that makes its mean square ``γ0 × shape``, and the
#: shape ``E d² / (divisor γ0)`` of AR(1) noise at lags ``k`` for a grid of ``φ``.
_ORDERS = {
    1: (2.0, lambda phi, k: 1.0 - phi**k),
    2: (6.0, lambda phi, k: (6.0 - 8.0 * phi**k + 2.0 * phi ** (2 * k)) / 6.0),
}


def _dependence(values: np.ndarray, segments: np.ndarray | None, order: int = 1) -> np.ndarray:
    """The lag-one correlation of each row's noise from the shape of the robust variances
    of its differences (of ``order``) at lags 1..K (0 for a record under
    :data:`MIN_AR_LAGS` lags)."""
    n_series, n = values.shape
    lags = _lags(n, order)
    phi = np.zeros(n_series)
    if lags < MIN_AR_LAGS:  # shorter records are taken as independent
        return phi
    divisor, shape = _ORDERS[order]
    half_squares = np.empty((n_series, lags))
    stride = -(-(n - 1) // MAX_PAIRS)  # a long record: every stride-th pair of a lag
    for k in range(1, lags + 1):  # a handful of lags, each vectorised over series
        differences = _differences(values, k, order, stride)
        if segments is not None:
            differences[~_within(segments, k, order, stride)] = np.nan
        half_squares[:, k - 1] = robust_mean_square(differences) / divisor
    measured = np.isfinite(half_squares)  # a lag no period of the first fit spans
    half_squares = np.where(measured, half_squares, 0.0)
    shapes = shape(_PHI_GRID[:, None], np.arange(1, lags + 1))  # (grid, lags)
    rows = max(1, _BLOCK_ELEMENTS // (len(_PHI_GRID) * lags))
    for start in range(0, n_series, rows):  # blocks of series, each fully vectorised
        block = slice(start, start + rows)
        phi[block] = _fit(half_squares[block], measured[block], _PHI_GRID, shapes)
    return phi


def _neighbour_variance(
    values: np.ndarray, segments: np.ndarray | None, order: int = 1, robust: bool = False
) -> np.ndarray:
    """The plain mean square of the lag-one differences (of ``order``) within segments
    over its divisor (NaN where there is no variation): the level of the noise. The
    quadratic cost pays for every squared deviation, heavy tails and outliers included,
    and a change point spoils one or two of these differences only. ``robust``: the
    robust mean square instead, for a loss that caps what an outlier costs."""
    steps = _differences(values, 1, order)
    if robust:
        if segments is not None:
            steps = np.where(_within(segments, 1, order), steps, np.nan)
        level = robust_mean_square(steps) / _ORDERS[order][0]
        return np.where(level > 0, level, np.nan)
    squares = steps * steps
    if segments is None:
        level = squares.mean(axis=1)
    else:
        same = _within(segments, 1, order)
        with np.errstate(invalid="ignore"):
            level = np.where(same, squares, 0.0).sum(axis=1) / same.sum(axis=1)
    level /= _ORDERS[order][0]
    return np.where(level > 0, level, np.nan)


def _fit(
    half_squares: np.ndarray, measured: np.ndarray, grid: np.ndarray, shapes: np.ndarray
) -> np.ndarray:
    """The grid value of phi whose curve gamma0 (1 - phi^k) is closest to the measured
    v_k: gamma0 by least squares over the measured lags, closeness on the log scale
    (relative errors: every lag weighs the same)."""
    gamma = (half_squares @ shapes.T) / (measured @ (shapes * shapes).T)  # (series, grid)
    misfit = (
        np.log(np.maximum(gamma[:, :, None] * shapes[None], _FLOOR))
        - np.log(np.maximum(half_squares, _FLOOR))[:, None, :]
    )
    total = np.sum(np.where(measured[:, None, :], misfit * misfit, 0.0), axis=2)
    return grid[np.argmin(total, axis=1)]


def robust_mean_square(differences: np.ndarray) -> np.ndarray:
    """Per row, the mean square of differences (NaN: left out) that a few change points or
    outliers do not move: (median |d| / 0.6745)^2, or the plain mean square where the
    median is 0 (NaN for a row with no difference left)."""
    absolute = np.abs(differences)
    median = _median(absolute) / _MEDIAN_ABS_NORMAL
    left = np.isnan(absolute)
    with np.errstate(invalid="ignore"):
        square = np.where(left, 0.0, absolute * absolute).sum(axis=1) / (~left).sum(axis=1)
    return np.where(median > 0, median * median, square)


def _median(values: np.ndarray) -> np.ndarray:
    """The median of every row, NaN left out (NaN for a row of NaN): one long row by
    selection, many short rows by one sort (``np.nanmedian`` loops over rows)."""
    if values.shape[0] == 1:  # a partition at the lower middle, the upper one its least above
        row = values[0][~np.isnan(values[0])]
        if not row.size:
            return np.array([np.nan])
        middle = (row.size - 1) // 2
        row = np.partition(row, middle)
        upper = row[middle + 1 :].min() if row.size % 2 == 0 else row[middle]
        return np.array([(row[middle] + upper) / 2])
    ordered = np.sort(values, axis=1)  # NaN last
    count = np.count_nonzero(~np.isnan(values), axis=1)
    low = np.take_along_axis(ordered, np.maximum(count - 1, 0)[:, None] // 2, axis=1)
    high = np.take_along_axis(ordered, (count // 2)[:, None], axis=1)
    middle = np.where(count[:, None] > 0, (low + high) / 2, np.nan)
    return middle[:, 0]
