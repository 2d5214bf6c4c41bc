r"""Counts whose rate grows or shrinks steadily within a period: a log-linear Poisson rate
per segment (``model="poisson_trend"``).

Event counts often trend: coverage of a relationship grows, an archive's sources
multiply. With a constant rate per period such a series becomes a staircase (a rate rising
from 2 to 8 a month over ten years gets 1.65 breaks on average under the default rule, and
never none: ``docs/accuracy.md``). Here each segment has its own level and its own growth:
the rate of the period at position :math:`u = 0, \dots, m-1` within the segment is
:math:`\lambda_u = e^{a + b u}`.

**The segment's maximum likelihood in O(1).** With :math:`S = \sum y` and
:math:`T = \sum u\,y` (from prefix sums of :math:`y` and :math:`t\,y`), the level profiles
out, :math:`e^{\hat a} = S / G(b)` with :math:`G(b) = \sum_{u<m} e^{bu}` (a geometric sum,
closed form), and

.. math::

    \ell(b) = S\log S - S + S\,h(b), \qquad h(b) = b\,T/S - \log G(b),

is concave in :math:`b`, maximal where the mean position under weights :math:`e^{bu}`
equals the counts' mean position :math:`T/S`. That one root is found by Newton's method
safeguarded by bisection, for all segments at once. The cost is
:math:`-2\,\ell(\hat b)` (the Poisson levels' cost when :math:`\hat b = 0`; the terms
:math:`\log y!` are left out as there). A segment whose counts all fall in its first or
last period has :math:`\hat b = \mp\infty`; its cost is the limit,
:math:`-2(S\log S - S)`. Separate segments never fit worse than their union, so PELT's
pruning is exact; a segment needs 3 periods (a level and a growth fit any 2).

Estimates per segment: the mean rate :math:`S/m` (the fit keeps the total) with its
Poisson error :math:`\sqrt S/m`, and the growth :math:`\hat b` (log-rate per period) with
error :math:`1/\sqrt{S\,\mathrm{Var}_{\hat b}(u)}` from the profiled information.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import xlogy

from ..noise import line_count_dispersion
from .base import Cost, GivenScale, range_sum, segment_length, segment_of_each_period
from .compiled import GROWTH_LIMIT as LIMIT
from .compiled import GROWTH_STEPS as STEPS
from .trend import Sloped


def tilted(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""For positions :math:`u = 0..m-1` weighted by :math:`e^{xu}`: :math:`\log G(x)`, the
    mean position and its variance, without cancellation (series near :math:`x = 0`, the
    symmetry :math:`x \to -x` elsewhere).

    Examples
    --------
    >>> log_g, mean, var = tilted(np.array([0.0, 0.3]), np.array([5.0, 5.0]))
    >>> w = np.exp(0.3 * np.arange(5))
    >>> bool(np.isclose(mean[1], (np.arange(5) * w).sum() / w.sum())), float(mean[0])
    (True, 2.0)
    """
    x, m = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(m, dtype=float))
    y = np.abs(x)  # computed at -|x|, then reflected
    small = m * y < 1e-2
    ys = np.where(small, 1.0, y)  # (unused where small)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        log_g = np.log(-np.expm1(-ys * m)) - np.log(-np.expm1(-ys))
        mean = 1.0 / np.expm1(ys) - m / np.expm1(ys * m)
        var = 0.25 / np.sinh(ys / 2) ** 2 - 0.25 * m * m / np.sinh(ys * m / 2) ** 2
    m2, m4 = m * m - 1.0, m**4 - 1.0
    log_g = np.where(
        small, np.log(m) - (m - 1) * y / 2 + m2 * y * y / 24 - m4 * y**4 / 2880, log_g
    )
    mean = np.where(small, (m - 1) / 2 - m2 * y / 12 + m4 * y**3 / 720, mean)
    var = np.where(small, m2 / 12 - m4 * y * y / 240, var)
    var = np.where(np.isfinite(var), np.maximum(var, 0.0), 0.0)  # (far out: underflow)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    positive = x > 0
    log_g = np.where(positive, (m - 1) * x + log_g, log_g)
    mean = np.where(positive, (m - 1) - mean, mean)
    return log_g, mean, var


def growth(target: np.ndarray, m: np.ndarray) -> np.ndarray:
    r"""The :math:`b` whose tilted mean position equals ``target`` (in :math:`(0, m-1)`),
    for many segments at once: Newton's method kept inside a shrinking bracket.

    Examples
    --------
    >>> b = growth(np.array([3.0]), np.array([5.0]))
    >>> float(np.round(tilted(b, np.array([5.0]))[1][0], 10))
    3.0
    """
    target, m = np.broadcast_arrays(np.asarray(target, dtype=float), np.asarray(m, float))
    low, high = np.full(target.shape, -LIMIT), np.full(target.shape, LIMIT)
    x = np.zeros(target.shape)
    for _ in range(STEPS):
        _, mean, var = tilted(x, m)
        above = mean > target  # the mean position grows with x
        high = np.where(above, x, high)
        low = np.where(above, low, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = x + (target - mean) / var
        if (np.abs(step - x) <= 1e-13 * (1.0 + np.abs(x))).all():
            return step  # every root found (a step at the bracket's edge is one too)
        inside = np.isfinite(step) & (step > low) & (step < high)
        x = np.where(inside, step, (low + high) / 2)
    return x


class PoissonTrendCost(Sloped, Cost):
    """Poisson counts with a log-linear rate in every segment (see the module's docstring).

    Examples
    --------
    >>> y = np.array([[1.0, 2.0, 4.0, 8.0, 16.0, 3.0, 3.0, 3.0]])
    >>> cost = PoissonTrendCost(y)
    >>> float(cost.slopes(np.array([0]), np.array([5]))[0][0, 0].round(6))  # doubling
    0.693147
    """

    name = "poisson_trend"
    n_params = 2
    min_size = 3

    @cached_property
    def dispersion(self) -> np.ndarray:
        """1 per series: Poisson counts (the compiled searches divide by it)."""
        return np.ones(self.n_series)

    def _moments(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, ...]:
        """Length, total ``S`` and ``T = Σ u y`` of segments, laid out ``(m, n_series)``."""
        length = segment_length(start, end) * np.ones(1)
        total = range_sum(self.s1, start, end)
        return length, total, self.position_sums(start, end, total)

    def _fit(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, ...]:
        """Per segment: length, total, the growth and the profiled ``h`` at it (``h`` = 0
        at the limits: all counts in the first or last period; NaN for no count)."""
        length, total, within = self._moments(start, end)
        length, total, within = np.broadcast_arrays(length, total, within)
        with np.errstate(divide="ignore", invalid="ignore"):
            target = within / total
        edge = (total <= 0) | (target <= 0) | (target >= length - 1) | (length < 2)
        inner = np.where(edge, (length - 1) / 2, target)
        b = growth(inner, length)
        log_g, _, _ = tilted(b, length)
        h = np.where(edge, 0.0, b * inner - log_g)
        with np.errstate(invalid="ignore"):  # (0 × inf where the sign is 0: not taken)
            limit = np.sign(target - (length - 1) / 2) * np.inf
        b = np.where(edge & (total > 0) & (length > 1), limit, b)
        return length, total, b, h

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        _, total, _, h = self._fit(start, end)
        return -2.0 * (xlogy(total, total) - total + total * h)

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        length, total, _ = self._moments(start, end)
        return total / length, np.sqrt(total) / length

    def slopes(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Growth (log-rate per period) of every segment of one segmentation and its
        standard error, each ``(n_series, m)``."""
        length, total, b, _ = self._fit(start, end)
        _, _, var = tilted(np.where(np.isfinite(b), b, 0.0), length)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.where(np.isfinite(b) & (var > 0), 1.0 / np.sqrt(total * var), np.inf)
        return b.T, se.T

    def fitted_means(self, edges: np.ndarray) -> np.ndarray:
        """Every period's rate on its segment's log-linear curve, ``(n_series, n)``."""
        starts, ends = edges[:, :-1], edges[:, 1:]
        length, total, b, _ = (np.transpose(v) for v in self._fit(starts, ends))
        segment = segment_of_each_period(edges, self.n_periods)
        u = np.arange(self.n_periods)[None, :] - np.take_along_axis(starts, segment, axis=1)
        bb = np.take_along_axis(b, segment, axis=1)
        size = np.take_along_axis(length, segment, axis=1)
        totals = np.take_along_axis(total, segment, axis=1)
        finite = np.isfinite(bb)
        log_g, _, _ = tilted(np.where(finite, bb, 0.0), size)
        curve = totals * np.exp(np.where(finite, bb, 0.0) * u - log_g)
        # at a limit all of the segment's counts fall in its first or last period
        at_end = np.where(bb > 0, u == size - 1, u == 0)
        return np.where(finite, curve, np.where(at_end, totals, 0.0))

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        from scipy.special import gammaln

        y = self.values
        return xlogy(y, fitted_mean) - fitted_mean - gammaln(y + 1)


class QuasiPoissonTrendCost(PoissonTrendCost):
    r""":class:`PoissonTrendCost` with a dispersion: the variance of a count is
    :math:`\phi\lambda`, :math:`\hat\phi = \overline{(\Delta^2 y)^2} / (6\bar y)` once per
    series from **second** differences (a steady trend in the rate does not move them,
    nor, much, a shift: it spoils two), and the cost is the Poisson trend's divided by
    :math:`\hat\phi`, the standard errors multiplied by :math:`\sqrt{\hat\phi}`. For
    overdispersed counts and weighted intensities (non-integer values are taken). Where the
    estimate is 0, :math:`\hat\phi = 1`.

    Examples
    --------
    >>> y = np.array([[2.0, 9.0, 1.0, 8.0, 3.0, 10.0, 2.0, 9.0]])
    >>> cost = QuasiPoissonTrendCost(y)
    >>> float(cost.dispersion[0])  # second differences ±15, ±12: mean square 198; 198/6/5.5
    6.0
    """

    name = "quasipoisson_trend"
    n_shared = 1

    @cached_property
    def dispersion(self) -> np.ndarray:
        r""":math:`\hat\phi` per series."""
        if self.n_periods < 3:
            return np.ones(self.n_series)
        mean = self.values.mean(axis=1)
        spread = np.mean(np.diff(self.values, n=2, axis=1) ** 2, axis=1) / 6
        phi = spread / np.where(mean > 0, mean, 1.0)
        return np.where((mean > 0) & (phi > 1e-8), phi, 1.0)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        return super()._cost(start, end) / self.dispersion

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        rate, se = super()._estimates(start, end)
        return rate, se * np.sqrt(self.dispersion)

    def slopes(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        slope, se = super().slopes(start, end)
        return slope, se * np.sqrt(self.dispersion)[:, None]

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"dispersion": self.dispersion}


class LongRunPoissonTrendCost(GivenScale, QuasiPoissonTrendCost):
    r""":class:`QuasiPoissonTrendCost` whose dispersion is the long-run dispersion of the
    counts around log-linear rates (``scale`` when given, otherwise
    :func:`~periodize.segmentation.noise.line_count_dispersion`): the cost with which the
    penalty ``"auto"`` weighs a log-linear rate in each period against constant rates
    (:mod:`periodize.segmentation.shapes`). Same optimum for a fixed number of breaks, same
    estimates; standard errors use this dispersion.
    """

    @cached_property
    def dispersion(self) -> np.ndarray:
        r"""The long-run dispersion :math:`\hat\phi` per series."""
        if self.given_scale is not None:
            return self.given_scale
        return line_count_dispersion(self.values)
