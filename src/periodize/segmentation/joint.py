"""Joint segmentation: one set of boundaries shared by several series.

A periodization belongs to a relationship, not to one count: visits in both directions,
agreements signed and Goldstein-scaled cooperation may be read together. The joint cost of a
segment is the sum of its members' costs, each series keeping its own parameters (mean or
rate) in every period and its own noise scale, so the searches of
:mod:`periodize.segmentation.search` find the boundaries that fit all members best at once:
exactly, since a sum of segment costs is again a segment cost. Penalties count every
member's parameters (a break adds ``m·p`` parameters and one location).

Groups are batched like series: a :class:`SummedCost` over ``groups × members`` rows (group
by group, members consecutive) prices segments for every group at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .costs.base import Cost


class SummedCost(Cost):
    """Segment costs summed over the members of each group.

    Parameters
    ----------
    members : Cost
        A batched cost of ``groups × size`` rows, the members of group ``g`` in rows
        ``g·size`` to ``(g + 1)·size − 1``.
    size : int
        Members per group.

    Notes
    -----
    It prices segments only (what the searches need); estimates and densities belong to
    the members.

    Examples
    --------
    >>> from periodize.segmentation.costs import COSTS
    >>> both = COSTS["poisson"](np.array([[1.0, 1, 5, 5], [2.0, 2, 6, 6]]))
    >>> joint = SummedCost(both, 2)
    >>> bool(np.allclose(joint.cost(0, 4), both.cost(0, 4).sum(axis=0)))
    True
    """

    name = "joint"

    def __init__(self, members: Cost, size: int) -> None:
        if size < 1 or members.n_series % size:
            raise ValueError(f"{members.n_series} rows do not form groups of {size}")
        self.members = members
        self.size = size
        self.exposure = None  # the members carry theirs
        self.n_series = members.n_series // size
        self.n_periods = members.n_periods

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        start, end = np.asarray(start), np.asarray(end)
        # segments given per group (2-D): the same segments for each of its members
        start, end = (np.repeat(a, self.size, axis=0) if a.ndim == 2 else a for a in (start, end))
        priced = self.members._cost(start, end)
        return priced.reshape(priced.shape[0], self.n_series, self.size).sum(axis=2)

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError("a joint cost prices segments; its members estimate them")

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        raise NotImplementedError("a joint cost prices segments; its members have densities")
