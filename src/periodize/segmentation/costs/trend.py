r"""Gaussian piecewise-linear trend: every segment its own level and slope.

A relationship whose activity grows steadily is one period with a slope, not a staircase
of periods. The mean-shift models can only describe a trend as many small steps; this
model fits a straight line to every segment (the lines need not meet at the boundaries),
with one noise variance for the whole series.

Cost of a segment of :math:`m` periods: the residual sum of squares of its least-squares
line, divided by :math:`\hat\sigma^2`, from sums over the segment in O(1):

.. math::

    RSS = S_{yy} - S_y^2/m - S_{uy}^2 / S_{uu}, \quad
    S_{uy} = \sum (u - \bar u)\,y, \quad S_{uu} = m(m^2 - 1)/12,

with :math:`u` the period's position within the segment. The variance
:math:`\hat\sigma^2` is fixed once per series from **second** differences,
:math:`\overline{(\Delta^2 y)^2}/6`: a straight line has none, so unlike the variance of
first differences it does not grow with the slope, and a boundary spoils two of them
only. The fitted sums of squares of separate segments never exceed the one of their union,
so PELT's pruning is exact. A segment needs 3 periods (a line through 2 fits exactly).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from ..noise import line_noise_scale
from .base import GivenScale, prefix_sums, range_sum, segment_length, segment_of_each_period
from .normal import NormalCost


def second_difference_variance(values: np.ndarray) -> np.ndarray:
    r"""Per series, :math:`\overline{(\Delta^2 y)^2}/6`: the noise variance of independent
    noise around any straight line (:math:`\operatorname{Var}(\Delta^2 \varepsilon) = 6
    \sigma^2`). A series with no variation around a line gets 1, so its costs stay finite.

    Examples
    --------
    >>> noise = np.random.default_rng(3).normal(0, 2.0, (1, 500))
    >>> line = 50.0 * np.arange(500)
    >>> ratio = second_difference_variance(noise + line) / second_difference_variance(noise)
    >>> float(ratio[0].round(9))
    1.0
    """
    if values.shape[1] < 3:
        return np.ones(values.shape[0])
    var = np.mean(np.diff(values, n=2, axis=1) ** 2, axis=1) / 6
    return np.where(var > 0, var, 1.0)


class Sloped:
    """What the models with a slope per segment share: prefix sums of ``t × y``, the sums
    ``Σ (t − s) y`` over segments ``[s, e)``, and the ``slope``/``slope_se`` columns of
    their estimates (from the model's ``slopes``)."""

    values: np.ndarray
    n_periods: int
    s1: np.ndarray

    @cached_property
    def s3(self) -> np.ndarray:
        """Prefix sums of ``t × y`` (``t`` the 0-based period), ``(n + 1, n_series)``."""
        return prefix_sums(self.values * np.arange(self.n_periods))

    def position_sums(self, start: ArrayLike, end: ArrayLike, total: np.ndarray) -> np.ndarray:
        """``Σ (t − s) y`` over segments whose sums are ``total``, laid out like them."""
        first = np.asarray(start)
        first = first.T if first.ndim == 2 else np.atleast_1d(first)[:, None]
        return range_sum(self.s3, start, end) - first * total

    def slopes(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def segment_columns(self, start: ArrayLike, end: ArrayLike) -> dict[str, np.ndarray]:
        slope, se = self.slopes(start, end)
        return {"slope": slope, "slope_se": se}


class TrendNormalCost(Sloped, NormalCost):
    r"""Gaussian piecewise-linear trend with a variance common to all segments (see the
    module's docstring). Estimates per segment: its mean (the line at the segment's middle)
    with standard error :math:`\hat\sigma/\sqrt m`, and its slope per period with standard
    error :math:`\hat\sigma/\sqrt{S_{uu}}`, :math:`\hat\sigma^2 = RSS/(n - 2(k+1))`.

    Examples
    --------
    >>> y = np.array([[0.0, 1.0, 2.0, 3.0, 10.0, 10.0, 10.0]])
    >>> cost = TrendNormalCost(y)
    >>> float(cost.cost(0, 4)[0, 0]), float(cost.cost(4, 7)[0, 0])  # two exact lines
    (0.0, 0.0)
    >>> np.abs(cost.slopes(np.array([0, 4]), np.array([4, 7]))[0]).round(6).tolist()
    [[1.0, 0.0]]
    """

    name = "normal_trend"
    n_params = 2
    min_size = 3

    def _variance(self) -> np.ndarray:
        return second_difference_variance(self.values)

    def _moments(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, ...]:
        """Length, mean, ``S_uy`` and ``S_uu`` of segments, laid out ``(m, n_series)``."""
        length = segment_length(start, end)
        total = range_sum(self.s1, start, end)
        # Σ (t − s) y, then centred on the segment's middle position (m − 1)/2
        suy = self.position_sums(start, end, total) - (length - 1) / 2 * total
        suu = length * (length * length - 1) / 12
        return length, total / length, suy, suu

    def rss(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        length, _, suy, suu = self._moments(start, end)
        rss = super().rss(start, end)
        with np.errstate(divide="ignore", invalid="ignore"):
            rss = rss - np.where(length > 1, suy * suy / np.where(length > 1, suu, 1.0), 0.0)
        return np.maximum(rss, 0.0, out=rss)

    def _pooled_sd(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        """The residual standard deviation of one segmentation (all its segments pooled)."""
        rss = self.rss(start, end).sum(axis=0, keepdims=True)
        dof = np.maximum(self.n_periods - self.n_params * segment_length(start, end).shape[0], 1)
        return np.sqrt(rss / dof)

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """For the segments of one segmentation: the variance pools all of them."""
        length, mean, _, _ = self._moments(start, end)
        return mean + self.shift, self._pooled_sd(start, end) / np.sqrt(length)

    def slopes(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Slope per period of every segment of one segmentation and its standard error,
        each ``(n_series, m)``."""
        length, _, suy, suu = self._moments(start, end)
        safe = np.where(length > 1, suu, np.inf)
        return (suy / safe).T, (self._pooled_sd(start, end) / np.sqrt(safe)).T

    def fitted_means(self, edges: np.ndarray) -> np.ndarray:
        """Every period's value on its segment's line, ``(n_series, n_periods)``."""
        starts, ends = edges[:, :-1], edges[:, 1:]
        length, mean, suy, suu = (np.transpose(m) for m in self._moments(starts, ends))
        slope = suy / np.where(length > 1, suu, np.inf)
        segment = segment_of_each_period(edges, self.n_periods)
        offset = np.arange(self.n_periods)[None, :] - np.take_along_axis(
            (starts + ends - 1) / 2, segment, axis=1
        )
        level = np.take_along_axis(mean + self.shift[:, None], segment, axis=1)
        return level + np.take_along_axis(slope, segment, axis=1) * offset


class LongRunTrendCost(GivenScale, TrendNormalCost):
    r""":class:`TrendNormalCost` measured in the long-run variance of the noise around the
    lines (``scale`` when given, otherwise
    :func:`~periodize.segmentation.noise.line_noise_scale`): the cost with which the
    penalty ``"auto"`` weighs lines against levels (:mod:`periodize.segmentation.shapes`).
    Same optimum for a fixed number of breaks, same estimates and log-likelihood.
    """

    def _variance(self) -> np.ndarray:
        if self.given_scale is not None:
            return self.given_scale
        return line_noise_scale(self.values).long_run_variance
