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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..exceptions import ParameterError
from .costs.base import Cost
from .inputs import by_series


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


@dataclass(frozen=True)
class Grouping:
    """Which series share one set of boundaries: ``order`` lists the rows group by group,
    ``size`` series in every group, ``labels`` the groups' names; ``spec`` what was asked
    (``True``, ``"dyad"`` or the mapping), as the provenance records it."""

    labels: tuple[str, ...]
    order: np.ndarray
    size: int
    spec: Any

    @property
    def group_of_row(self) -> np.ndarray:
        """The group (0-based) of every row, in the rows' own order."""
        group = np.empty(len(self.order), dtype=np.int64)
        group[self.order] = np.arange(len(self.order)) // self.size
        return group

    def describe(self) -> str:
        """The grouping in words, for a result's ``choice``."""
        if len(self.labels) == 1:
            return f"one set of boundaries shared by the {self.size} series (joint)"
        return (
            f"one set of boundaries within each of {len(self.labels)} groups of {self.size} "
            f"series (joint by {'dyad' if self.spec == 'dyad' else 'the groups given'})"
        )

    def record(self, names: tuple[str, ...]) -> Any:
        """What the provenance records: ``True``, ``"dyad"``, or each group's series."""
        if isinstance(self.spec, Mapping):
            order = [names[i] for i in self.order]
            return {
                label: order[g * self.size : (g + 1) * self.size]
                for g, label in enumerate(self.labels)
            }
        return self.spec


def grouping(joint: Any, names: tuple[str, ...], func: str) -> Grouping | None:
    """The series that share boundaries: all of them (``joint=True``), the two directions
    ``"A->B"``/``"B->A"`` of every dyad (``joint="dyad"``), or the groups a mapping of every
    series name to a group label gives; ``None`` for ``joint=False``. Every group must hold
    the same number of series (a penalty per break counts them).

    Examples
    --------
    >>> grouping("dyad", ("A->B", "C->D", "B->A", "D->C"), "segment").order
    array([0, 2, 1, 3])
    """
    if isinstance(joint, bool | np.bool_):
        if not joint:
            return None
        return Grouping(("all",), np.arange(len(names)), len(names), True)
    if isinstance(joint, str) and joint == "dyad":
        keys = []
        for name in names:
            actor, arrow, target = str(name).partition("->")
            if not arrow or not actor or not target:
                raise ParameterError(
                    f"The 'joint' parameter of {func} is 'dyad': every series must be a "
                    f"direction named 'A->B' (as intensity(..., by='direction') names them); "
                    f"{name!r} is not. Give a mapping of series to groups instead."
                )
            keys.append("-".join(sorted((actor, target))))
    elif isinstance(joint, Mapping):
        keys = [str(label) for label in by_series(joint, names, "joint", "group", func)]
    else:
        raise ParameterError(
            f"The 'joint' parameter of {func} must be True, False, 'dyad' or a mapping of "
            f"series to groups. Got {joint!r} instead."
        )
    labels, codes, sizes = np.unique(keys, return_inverse=True, return_counts=True)
    if len(set(sizes.tolist())) > 1:
        shown = ", ".join(f"{label} {size}" for label, size in zip(labels, sizes, strict=True))
        raise ParameterError(
            f"The groups of series sharing boundaries in {func} must be of one size (a break "
            f"costs every member's parameters); they hold {shown}. Add the missing series "
            "(zero-filled, as intensity(..., by='direction') does) or group them otherwise."
        )
    order = np.argsort(codes, kind="stable")
    return Grouping(tuple(str(label) for label in labels), order, int(sizes[0]), joint)
