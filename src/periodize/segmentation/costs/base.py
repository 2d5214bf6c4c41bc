"""The batched cost contract: price many segments of many series from prefix sums.

A cost is built once from a ``(n_series, n_periods)`` array and then prices arrays of
segments ``[start, end)`` (0-based, end exclusive) for every series at once, in O(1) per
segment. Costs are on the deviance scale: ``-2 × maximised log-likelihood`` of the segment,
without the terms that do not depend on the segmentation, divided by a scale fixed once per
series (dispersion or variance) so that penalties mean the same thing for every series.
A cost never knows which search uses it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from .compiled import total_cost


def range_sum(prefix: np.ndarray, start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Sums over ``[start, end)`` from prefix sums laid out ``(n + 1, n_series)``.

    Scalar or 1-D ``start``/``end`` are shared by all series; 2-D ones are given per series,
    shape ``(n_series, m)``. The result is laid out ``(m, n_series)``: series last, so every
    elementwise step runs over long contiguous rows.
    """
    start, end = np.asarray(start), np.asarray(end)
    if start.ndim == 2 or end.ndim == 2:
        start, end = np.broadcast_arrays(start, end)
        return np.take_along_axis(prefix, end.T, axis=0) - np.take_along_axis(
            prefix, start.T, axis=0
        )
    return _rows(prefix, end) - _rows(prefix, start)


def segment_length(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Segment lengths laid out like :func:`range_sum` results (broadcastable)."""
    start, end = np.asarray(start), np.asarray(end)
    if start.ndim == 2 or end.ndim == 2:
        return np.transpose(end - start)
    return np.atleast_1d(end - start)[:, None]


def _rows(prefix: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``prefix[positions]`` with a leading axis, a view for a single position."""
    return prefix[positions] if positions.ndim else prefix[int(positions)][None, :]


def prefix_sums(values: np.ndarray) -> np.ndarray:
    """Cumulative sums along periods with a leading zero, laid out ``(n + 1, n_series)``."""
    out = np.zeros((values.shape[1] + 1, values.shape[0]))
    np.cumsum(values.T, axis=0, out=out[1:])
    return out


def difference_variance(values: np.ndarray) -> np.ndarray:
    """Difference-based variance per series, ``sum(diff(y)**2) / (2 (n - 1))``.

    Robust to a few shifts in mean (each shift adds one large difference only). A series
    with no variation gets 1, so its costs stay finite.
    """
    if values.shape[1] < 2:
        return np.ones(values.shape[0])
    var = np.sum(np.diff(values, axis=1) ** 2, axis=1) / (2 * (values.shape[1] - 1))
    return np.where(var > 0, var, 1.0)


class Cost(ABC):
    """Base class of the batched costs.

    Parameters
    ----------
    values : ndarray of shape (n_series, n_periods)
        Finite values, already checked by the caller for what the model needs.
    exposure : ndarray of shape (n_series, n_periods), optional
        Positive exposures ``E_t`` for count models that support them
        (``supports_exposure``): the mean of period ``t`` is ``rate × E_t``, the offset
        ``log E_t`` of a GLM. Without it every period has exposure 1.
    """

    #: Registry name of the model.
    name: ClassVar[str]
    #: Parameters estimated per segment (used by penalties and the BIC).
    n_params: ClassVar[int] = 1
    #: Parameters estimated once for the whole series (common variance, dispersion).
    n_shared: ClassVar[int] = 0
    #: Shortest segment the model can price.
    min_size: ClassVar[int] = 1
    #: Whether the model takes an exposure offset.
    supports_exposure: ClassVar[bool] = False

    def __init__(self, values: np.ndarray, exposure: np.ndarray | None = None) -> None:
        self.values = np.asarray(values, dtype=float)
        if self.values.ndim != 2:
            raise ValueError("costs take a 2-D array (series × periods)")
        self.n_series, self.n_periods = self.values.shape
        if exposure is not None and not self.supports_exposure:
            raise ValueError(f"the {self.name} cost takes no exposure")
        self.exposure = None if exposure is None else np.asarray(exposure, dtype=float)

    @cached_property
    def s1(self) -> np.ndarray:
        """Prefix sums of the values, ``(n + 1, n_series)`` (computed when first needed:
        the compiled search reads the values directly)."""
        return prefix_sums(self.values)

    @cached_property
    def e1(self) -> np.ndarray | None:
        """Prefix sums of the exposure (``None`` without one)."""
        return None if self.exposure is None else prefix_sums(self.exposure)

    def extent(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        """Total exposure of segments (their length without an exposure), laid out like
        :func:`range_sum` results."""
        if self.e1 is None:
            return segment_length(start, end)
        return range_sum(self.e1, start, end)

    def cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        """Deviance-scale cost of segments ``[start, end)``, shape ``(n_series, m)``."""
        return self._cost(start, end).T

    def estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Segment estimate (rate or mean) and its standard error, each ``(n_series, m)``."""
        estimate, se = self._estimates(start, end)
        return estimate.T, se.T

    @abstractmethod
    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        """Costs laid out ``(m, n_series)`` (see :func:`range_sum`)."""

    @abstractmethod
    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and standard errors laid out ``(m, n_series)``."""

    @abstractmethod
    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        """Log-density of every observation given the fitted segment means.

        ``edges`` (``(n_series, k + 2)``: 0, the break indices, n) is passed for models
        whose other parameters depend on the segmentation.
        """

    def nuisance(self) -> dict[str, np.ndarray]:
        """Parameters fixed once per series (dispersion, variance), by name."""
        return {}

    def segment_columns(self, start: ArrayLike, end: ArrayLike) -> dict[str, np.ndarray]:
        """Further estimates of the segments of one segmentation, by column name, each
        ``(n_series, m)`` (a trend's slope; none for the level models)."""
        return {}

    def total_cost(self, edges: np.ndarray, compiled: bool = True) -> np.ndarray:
        """Sum of segment costs for segmentations given as ``edges`` per series (compiled,
        O(n) per series, for the built-in formulas; ``compiled=False`` runs the numpy
        reference from prefix sums)."""
        priced = total_cost(self, edges) if compiled else None
        return self.cost(edges[:, :-1], edges[:, 1:]).sum(axis=1) if priced is None else priced

    def fitted_means(self, edges: np.ndarray) -> np.ndarray:
        """Each observation's fitted mean (its segment's rate times its exposure), shape
        ``(n_series, n_periods)``."""
        rates = self.rates(edges[:, :-1], edges[:, 1:])
        segment = segment_of_each_period(edges, self.n_periods)
        means = np.take_along_axis(rates, segment, axis=1)
        return means if self.exposure is None else means * self.exposure

    def rates(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Maximum-likelihood rate (or mean) of segments given per series, ``(n_series, m)``:
        the segment's total over its length or total exposure."""
        return range_sum(self.s1, starts, ends).T / self.extent(starts, ends).T

    def loglik(self, edges: np.ndarray) -> np.ndarray:
        """Full log-likelihood (all constants included) of each series' segmentation."""
        return self.logpdf(self.fitted_means(edges), edges).sum(axis=1)

    def partial_loglik(self, edges: np.ndarray) -> np.ndarray:
        """The log-likelihood up to terms that do not depend on the segmentation: enough
        for likelihood ratios, and cheaper where a cost knows a shortcut."""
        return self.loglik(edges)


class GivenScale:
    """A cost whose per-series scale (variance, dispersion) may be given instead of
    estimated from the values it is built on: the penalty "auto" measures the noise once
    for all series, and blocks of series are built with their rows of it."""

    def __init__(
        self,
        values: np.ndarray,
        exposure: np.ndarray | None = None,
        scale: np.ndarray | None = None,
    ) -> None:
        self.given_scale = None if scale is None else np.asarray(scale, dtype=float)
        super().__init__(values, exposure)  # type: ignore[call-arg]


def segment_of_each_period(edges: np.ndarray, n_periods: int) -> np.ndarray:
    """Segment number (0-based) of every period, for segmentations given as ``edges``.

    A mark at each break, cumulated over periods: memory O(series × periods) whatever the
    number of breaks.
    """
    rows = edges.shape[0]
    inner = edges[:, 1:-1]
    marks = np.zeros((rows, n_periods + 1), dtype=np.int64)
    if inner.shape[1]:
        marks[np.arange(rows)[:, None], inner] = 1  # breaks of a row are distinct
    return np.cumsum(marks[:, :n_periods], axis=1)


def segment_labels(breaks: Any, n_periods: int) -> np.ndarray:
    """The segment (0, 1, ...) of every period of every series, from each series' break
    indices (a list per series; the series may have different numbers of breaks)."""
    counts = np.array([len(b) for b in breaks], dtype=np.int64)
    starts = np.zeros((len(counts), n_periods + 1), dtype=np.int64)
    if counts.sum():
        flat = np.concatenate([np.asarray(b, dtype=np.int64) for b in breaks])
        np.add.at(starts, (np.repeat(np.arange(len(counts)), counts), flat), 1)
    return np.cumsum(starts[:, :n_periods], axis=1)
